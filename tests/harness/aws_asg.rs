//! Cases of EC2 launch templates and Auto Scaling groups, against moto. Results are checked
//! with the EC2 SDK and direct Auto Scaling calls through the library's signed client, not
//! through skyform.

use std::path::Path;

use aws_sdk_ec2::types::{InstanceType, LaunchTemplate, ResponseLaunchTemplateData};
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::provider::aws::query_api::{Params, QueryApi, Xml, AUTOSCALING};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{rt, unique};
use crate::test_aws::{ec2_client, ec2_provider, AMI};

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_launch_template() {
    run("aws_launch_template", MOTO, launch_template);
}

#[test]
fn aws_autoscaling_group() {
    run("aws_autoscaling_group", MOTO, autoscaling_group);
}

fn template_of(e: &str, id: &str) -> Option<LaunchTemplate> {
    rt().block_on(async { ec2_client(e).await.describe_launch_templates().launch_template_ids(id).send().await.ok()?.launch_templates().first().cloned() })
}

fn version_of(e: &str, id: &str, version: i64) -> Option<ResponseLaunchTemplateData> {
    rt().block_on(async {
        let c = ec2_client(e).await;
        let out = c.describe_launch_template_versions().launch_template_id(id).versions(version.to_string()).send().await.ok()?;
        out.launch_template_versions().first().and_then(|v| v.launch_template_data()).cloned()
    })
}

/// A template's instance type changes in place (a new default version), its name replaces it,
/// and a version made outside is superseded by one with the configured data.
fn launch_template(endpoint: &str, _dir: &Path) -> Case {
    const T: &str = "aws_launch_template.web";
    let (name, renamed) = (unique("lt"), unique("lt2"));
    let config = move |name: &str, kind: &str| {
        format!(
            r#"{}
resource "aws_launch_template" "web" {{
  name                   = "{name}"
  description            = "web servers"
  image_id               = "{AMI}"
  instance_type          = "{kind}"
  update_default_version = true
  metadata_options {{
    http_tokens = "required"
  }}
  tags = {{
    env = "dev"
  }}
}}
"#,
            ec2_provider(endpoint)
        )
    };
    let holds = |kind: &'static str, version: i64| {
        move |s: &State, e: &str| {
            let id = attr(s, T, "id");
            let t = template_of(e, &id).expect("the template exists");
            assert_eq!(t.launch_template_name(), Some(attr(s, T, "name").as_str()));
            assert_eq!((t.latest_version_number(), t.default_version_number()), (Some(version), Some(version)));
            let d = version_of(e, &id, version).expect("the version exists");
            assert_eq!((d.image_id(), d.instance_type()), (Some(AMI), Some(&InstanceType::from(kind))));
            assert_eq!(d.metadata_options().and_then(|m| m.http_tokens()).map(|t| t.as_str()), Some("required"));
            let tags: Vec<(&str, &str)> = t.tags().iter().map(|t| (t.key().unwrap_or_default(), t.value().unwrap_or_default())).collect();
            assert!(tags.contains(&("env", "dev")) && tags.contains(&("managed", "skyform")), "{tags:?}");
            assert!(attr(s, T, "arn").ends_with(&format!(":launch-template/{id}")), "{}", attr(s, T, "arn"));
        }
    };
    let old = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (keep, gone) = (old.clone(), old);
    Case {
        create: Step::new(config(&name, "t3.micro"), &[(T, Create)]).check(holds("t3.micro", 1)),
        update: Step::new(config(&name, "t3.small"), &[(T, Update)])
            .shows("\"t3.micro\" -> \"t3.small\"")
            .hides("must be replaced")
            .check(holds("t3.small", 2))
            .check(move |s, _| *keep.borrow_mut() = attr(s, T, "id")),
        replace: Step::new(config(&renamed, "t3.small"), &[(T, DeleteThenCreate)])
            .shows("must be replaced")
            .check(holds("t3.small", 1))
            .check(move |_, e| assert!(template_of(e, &gone.borrow()).is_none(), "the old template is deleted")),
        drift: Some(
            Step::new(config(&renamed, "t3.small"), &[(T, Update)])
                .outside(|s, e| {
                    rt().block_on(async {
                        let c = ec2_client(e).await;
                        let data = aws_sdk_ec2::types::RequestLaunchTemplateData::builder().image_id(AMI).instance_type(InstanceType::T3Large).build();
                        c.create_launch_template_version().launch_template_id(attr(s, T, "id")).launch_template_data(data).send().await.unwrap();
                    });
                })
                .shows("\"t3.large\" -> \"t3.small\"")
                .check(holds("t3.small", 3)),
        ),
        // `update_default_version` lives in state only: an imported template has none.
        import: Import { address: T, id: Box::new(|s, _| attr(s, T, "id")), differs: vec!["update_default_version"], shows: vec![] },
        exists: Box::new(|s, e| template_of(e, &attr(s, T, "id")).is_some()),
    }
}

/// One Auto Scaling call outside skyform: the answer, or the error code.
fn autoscaling(endpoint: &str, action: &str, params: Params) -> Result<Xml, String> {
    let api = QueryApi::for_endpoint(endpoint, "eu-west-1", "test", "test");
    rt().block_on(api.call(&AUTOSCALING, action, params)).map_err(|e| e.code)
}

fn group_of(e: &str, name: &str) -> Option<Xml> {
    let x = autoscaling(e, "DescribeAutoScalingGroups", Params::new().list("AutoScalingGroupNames", [name])).ok()?;
    x.find("AutoScalingGroups").and_then(|l| l.all("member").next().cloned())
}

/// A group's sizes and tag change in place, its name replaces it, and a maximum size changed
/// outside is put back.
fn autoscaling_group(endpoint: &str, _dir: &Path) -> Case {
    const G: &str = "aws_autoscaling_group.web";
    let (name, renamed, template) = (unique("asg"), unique("asg2"), unique("asglt"));
    let config = move |name: &str, max: u32, desired: u32, env: &str| {
        format!(
            r#"{}
resource "aws_vpc" "main" {{
  cidr_block = "10.44.0.0/16"
}}

resource "aws_subnet" "a" {{
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.44.1.0/24"
  availability_zone = "eu-west-1a"
}}

resource "aws_launch_template" "web" {{
  name          = "{template}"
  image_id      = "{AMI}"
  instance_type = "t3.micro"
}}

resource "aws_autoscaling_group" "web" {{
  name                      = "{name}"
  min_size                  = 1
  max_size                  = {max}
  desired_capacity          = {desired}
  vpc_zone_identifier       = [aws_subnet.a.id]
  health_check_grace_period = 60
  launch_template {{
    id      = aws_launch_template.web.id
    version = "$Latest"
  }}
  tag {{
    key                 = "env"
    value               = "{env}"
    propagate_at_launch = true
  }}
}}
"#,
            ec2_provider(endpoint).replace("    s3 = ", &format!("    autoscaling = \"{endpoint}\"\n    s3 = "))
        )
    };
    let holds = |max: &'static str, desired: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let g = group_of(e, &attr(s, G, "name")).expect("the group exists");
            assert_eq!(
                (g.text_of("MinSize").as_deref(), g.text_of("MaxSize").as_deref(), g.text_of("DesiredCapacity").as_deref()),
                (Some("1"), Some(max), Some(desired))
            );
            assert_eq!(g.text_of("HealthCheckGracePeriod").as_deref(), Some("60"));
            assert_eq!(g.text_of("VPCZoneIdentifier"), Some(attr(s, "aws_subnet.a", "id")));
            assert_eq!(g.child("LaunchTemplate").and_then(|t| t.text_of("LaunchTemplateId")), Some(attr(s, "aws_launch_template.web", "id")));
            let tags: Vec<(String, String)> =
                g.members("Tags").into_iter().map(|t| (t.text_of("Key").unwrap_or_default(), t.text_of("Value").unwrap_or_default())).collect();
            assert_eq!(tags, vec![("env".to_string(), env.to_string())]);
            assert_eq!(attr(s, G, "id"), attr(s, G, "name"));
            assert!(attr(s, G, "arn").contains(":autoScalingGroup:"), "{}", attr(s, G, "arn"));
        }
    };
    let creates = [("aws_vpc.main", Create), ("aws_subnet.a", Create), ("aws_launch_template.web", Create), (G, Create)];
    let old = name.clone();
    Case {
        create: Step::new(config(&name, 2, 1, "dev"), &creates).check(holds("2", "1", "dev")),
        update: Step::new(config(&name, 3, 2, "prod"), &[(G, Update)]).shows("2 -> 3").hides("must be replaced").check(holds("3", "2", "prod")),
        replace: Step::new(config(&renamed, 3, 2, "prod"), &[(G, DeleteThenCreate)])
            .shows("must be replaced")
            .check(holds("3", "2", "prod"))
            .check(move |_, e| assert!(group_of(e, &old).is_none(), "the old group is deleted")),
        drift: Some(
            Step::new(config(&renamed, 3, 2, "prod"), &[(G, Update)])
                .outside(|s, e| {
                    autoscaling(e, "UpdateAutoScalingGroup", Params::new().add("AutoScalingGroupName", attr(s, G, "name")).add("MaxSize", "5"))
                        .expect("UpdateAutoScalingGroup");
                })
                .shows("5 -> 3")
                .check(holds("3", "2", "prod")),
        ),
        import: Import { address: G, id: Box::new(|s, _| attr(s, G, "name")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| group_of(e, &attr(s, G, "name")).is_some()),
    }
}
