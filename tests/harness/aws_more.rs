//! More of the AWS catalogue, against moto: the EC2 data sources the community modules'
//! examples use (availability zones, AMIs, subnets, security groups), read over objects made
//! with the EC2 SDK; CloudWatch Logs metric filters and ECS clusters and task definitions,
//! whose lifecycles are checked with direct API calls, not through skyform.

use std::path::Path;

use aws_sdk_ec2::types::Tag;
use serde_json::{json, Value as Json};
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::provider::aws::json_api::{ECS, LOGS};
use skyform::state::State;

use super::aws_services::{call, ok};
use super::{attr, run, Case, Import, Step};
use crate::common::{emulator, rt, skyform, stderr, stdout, succeeds, unique};
use crate::test_aws::{ec2_client, ec2_provider, provider_block, AMI};

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_cloudwatch_log_metric_filter() {
    run("aws_cloudwatch_log_metric_filter", MOTO, metric_filter);
}

#[test]
fn aws_ecs_cluster() {
    run("aws_ecs_cluster", MOTO, ecs_cluster);
}

#[test]
fn aws_ecs_task_definition() {
    run("aws_ecs_task_definition", MOTO, ecs_task_definition);
}

#[test]
fn aws_ecs_service() {
    run("aws_ecs_service", MOTO, ecs_service);
}

/// The service as ECS describes it, unless it is gone or no longer active.
fn service(e: &str, cluster: &str, id: &str) -> Option<Json> {
    let out = call(e, &ECS, "DescribeServices", json!({ "cluster": cluster, "services": [id], "include": ["TAGS"] })).ok()?;
    out["services"].as_array()?.first().cloned().filter(|s| s["status"] == "ACTIVE")
}

fn ecs_service(endpoint: &str, _dir: &Path) -> Case {
    const S: &str = "aws_ecs_service.s";
    let (cluster, name, renamed) = (unique("svc-cluster"), unique("svc"), unique("svc2"));
    let config = move |name: &str, count: u32, env: &str| {
        format!(
            "{}\nresource \"aws_ecs_cluster\" \"c\" {{\n  name = \"{cluster}\"\n}}\nresource \"aws_ecs_task_definition\" \"t\" {{\n  family = \"{cluster}\"\n  container_definitions = jsonencode([{{ name = \"web\", image = \"nginx\", memory = 128, essential = true }}])\n}}\nresource \"aws_ecs_service\" \"s\" {{\n  name            = \"{name}\"\n  cluster         = aws_ecs_cluster.c.id\n  task_definition = aws_ecs_task_definition.t.arn\n  desired_count   = {count}\n  tags = {{\n    env = \"{env}\"\n  }}\n}}\n",
            services_provider(endpoint)
        )
    };
    let holds = |count: i64, env: &'static str| {
        move |s: &State, e: &str| {
            let svc = service(e, &attr(s, S, "cluster"), &attr(s, S, "arn")).expect("the service exists");
            assert_eq!(svc["desiredCount"], json!(count), "{svc}");
            assert_eq!(svc["taskDefinition"], json!(attr(s, "aws_ecs_task_definition.t", "arn")), "{svc}");
            let tags = svc["tags"].as_array().cloned().unwrap_or_default();
            assert!(tags.contains(&json!({ "key": "env", "value": env })), "{svc}");
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, 1, "dev"), &[("aws_ecs_cluster.c", Create), ("aws_ecs_task_definition.t", Create), (S, Create)])
            .check(holds(1, "dev"))
            .check(|s, _| {
                assert_eq!(attr(s, S, "id"), attr(s, S, "arn"));
                assert_eq!(attr(s, S, "cluster"), attr(s, "aws_ecs_cluster.c", "arn"));
                assert_eq!(attr(s, S, "scheduling_strategy"), "REPLICA");
            }),
        update: Step::new(config(&name, 2, "prod"), &[(S, Update)]).check(holds(2, "prod")),
        replace: Step::new(config(&renamed, 2, "prod"), &[(S, DeleteThenCreate)]).check(holds(2, "prod")).check(move |s, e| {
            assert!(service(e, &attr(s, S, "cluster"), &old).is_none(), "the old service is deleted");
        }),
        drift: Some(
            Step::new(config(&renamed, 2, "prod"), &[(S, Update)])
                .outside(|s, e| {
                    ok(e, &ECS, "UpdateService", json!({ "cluster": attr(s, S, "cluster"), "service": attr(s, S, "arn"), "desiredCount": 5 }));
                })
                .shows("desired_count = 5 -> 2")
                .check(holds(2, "prod")),
        ),
        import: Import {
            address: S,
            id: Box::new(|s, _| format!("{}/{}", attr(s, "aws_ecs_cluster.c", "name"), attr(s, S, "name"))),
            differs: vec![],
            shows: vec![],
        },
        exists: Box::new(|s, e| service(e, &attr(s, S, "cluster"), &attr(s, S, "arn")).is_some()),
    }
}

/// The provider block with CloudWatch Logs and ECS at the emulator.
fn services_provider(endpoint: &str) -> String {
    provider_block(endpoint).replace("    s3 = ", &format!("    logs = \"{endpoint}\"\n    ecs  = \"{endpoint}\"\n    s3 = "))
}

/// The metric filters of that name in a log group, as CloudWatch Logs lists them.
fn metric_filters(e: &str, group: &str, name: &str) -> Vec<Json> {
    let all = call(e, &LOGS, "DescribeMetricFilters", json!({ "logGroupName": group, "filterNamePrefix": name })).unwrap_or_default();
    all["metricFilters"].as_array().cloned().unwrap_or_default().into_iter().filter(|f| f["filterName"] == name).collect()
}

fn metric_filter(endpoint: &str, _dir: &Path) -> Case {
    const F: &str = "aws_cloudwatch_log_metric_filter.f";
    let (name, renamed, group) = (unique("mf"), unique("mf2"), format!("/skyform/{}", unique("mfgroup")));
    let config = move |name: &str, pattern: &str, value: &str| {
        format!(
            "{}\nresource \"aws_cloudwatch_log_group\" \"g\" {{\n  name = \"{group}\"\n}}\n\nresource \"aws_cloudwatch_log_metric_filter\" \"f\" {{\n  name           = \"{name}\"\n  log_group_name = aws_cloudwatch_log_group.g.name\n  pattern        = \"{pattern}\"\n  metric_transformation {{\n    name          = \"Errors\"\n    namespace     = \"Skyform/App\"\n    value         = \"{value}\"\n    default_value = \"0\"\n  }}\n}}\n",
            services_provider(endpoint)
        )
    };
    let holds = |pattern: &'static str, value: &'static str| {
        move |s: &State, e: &str| {
            let found = metric_filters(e, &attr(s, F, "log_group_name"), &attr(s, F, "name"));
            let f = found.last().expect("the filter exists");
            assert_eq!(f["filterPattern"], pattern);
            let m = &f["metricTransformations"][0];
            assert_eq!((m["metricName"].as_str(), m["metricValue"].as_str(), m["defaultValue"].as_f64()), (Some("Errors"), Some(value), Some(0.0)), "{f}");
        }
    };
    let old = name.clone();
    Case {
        // The pattern is stored trimmed, as the provider stores it: no diff follows.
        create: Step::new(config(&name, " ERROR ", "1"), &[("aws_cloudwatch_log_group.g", Create), (F, Create)]).check(holds("ERROR", "1")).check(|s, _| {
            assert_eq!(attr(s, F, "id"), attr(s, F, "name"));
        }),
        update: Step::new(config(&name, "WARN", "2"), &[(F, Update)]).shows("\"ERROR\" -> \"WARN\"").check(holds("WARN", "2")),
        replace: Step::new(config(&renamed, "WARN", "2"), &[(F, DeleteThenCreate)]).check(holds("WARN", "2")).check(move |s, e| {
            assert!(metric_filters(e, &attr(s, F, "log_group_name"), &old).is_empty(), "the old filter is deleted");
        }),
        // Changed outside: put back.
        drift: Some(
            Step::new(config(&renamed, "WARN", "2"), &[(F, Update)])
                .outside(|s, e| {
                    let body = json!({
                        "filterName": attr(s, F, "name"),
                        "logGroupName": attr(s, F, "log_group_name"),
                        "filterPattern": "OUTSIDE",
                        "metricTransformations": [{ "metricName": "Errors", "metricNamespace": "Skyform/App", "metricValue": "2", "defaultValue": 0.0 }],
                    });
                    ok(e, &LOGS, "PutMetricFilter", body);
                })
                .shows("\"OUTSIDE\" -> \"WARN\"")
                .check(holds("WARN", "2")),
        ),
        import: Import { address: F, id: Box::new(|s, _| format!("{}:{}", attr(s, F, "log_group_name"), attr(s, F, "name"))), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| !metric_filters(e, &attr(s, F, "log_group_name"), &attr(s, F, "name")).is_empty()),
    }
}

/// The cluster as ECS describes it, unless it is gone or inactive.
fn cluster(e: &str, id: &str) -> Option<Json> {
    let out = call(e, &ECS, "DescribeClusters", json!({ "clusters": [id], "include": ["TAGS", "SETTINGS"] })).ok()?;
    out["clusters"].as_array()?.first().cloned().filter(|c| c["status"] != "INACTIVE")
}

fn ecs_cluster(endpoint: &str, _dir: &Path) -> Case {
    const C: &str = "aws_ecs_cluster.c";
    let (name, renamed) = (unique("cluster"), unique("cluster2"));
    let config = move |name: &str, insights: &str, env: &str| {
        format!(
            "{}\nresource \"aws_ecs_cluster\" \"c\" {{\n  name = \"{name}\"\n  setting {{\n    name  = \"containerInsights\"\n    value = \"{insights}\"\n  }}\n  tags = {{\n    env = \"{env}\"\n  }}\n}}\n",
            services_provider(endpoint)
        )
    };
    let holds = |insights: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let c = cluster(e, &attr(s, C, "arn")).expect("the cluster exists");
            assert_eq!(c["settings"], json!([{ "name": "containerInsights", "value": insights }]), "{c}");
            let tags = c["tags"].as_array().cloned().unwrap_or_default();
            assert!(tags.contains(&json!({ "key": "env", "value": env })) && tags.contains(&json!({ "key": "managed", "value": "skyform" })), "{c}");
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, "enabled", "dev"), &[(C, Create)]).check(holds("enabled", "dev")).check(|s, _| {
            assert_eq!(attr(s, C, "id"), attr(s, C, "arn"));
            assert!(attr(s, C, "arn").ends_with(&format!(":cluster/{}", attr(s, C, "name"))));
        }),
        update: Step::new(config(&name, "disabled", "prod"), &[(C, Update)]).check(holds("disabled", "prod")),
        replace: Step::new(config(&renamed, "disabled", "prod"), &[(C, DeleteThenCreate)]).check(holds("disabled", "prod")).check(move |_, e| {
            assert!(cluster(e, &old).is_none(), "the old cluster is deleted");
        }),
        drift: Some(
            Step::new(config(&renamed, "disabled", "prod"), &[(C, Update)])
                .outside(|s, e| {
                    let arn = attr(s, C, "arn");
                    ok(e, &ECS, "UpdateCluster", json!({ "cluster": arn, "settings": [{ "name": "containerInsights", "value": "enhanced" }] }));
                    ok(e, &ECS, "TagResource", json!({ "resourceArn": arn, "tags": [{ "key": "env", "value": "changed" }] }));
                })
                .shows("\"changed\" -> \"prod\"")
                .check(holds("disabled", "prod")),
        ),
        import: Import { address: C, id: Box::new(|s, _| attr(s, C, "name")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| cluster(e, &attr(s, C, "arn")).is_some()),
    }
}

/// Runs `f` with an EC2 client on a fresh runtime.
fn ec2<T>(endpoint: &str, f: impl AsyncFnOnce(aws_sdk_ec2::Client) -> T) -> T {
    rt().block_on(async { f(ec2_client(endpoint).await).await })
}

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build()
}

/// `skyform output -json` as `{name: value}`.
fn outputs(d: &Path) -> Json {
    let out = succeeds(d, &["output", "-json"]);
    let all: Json = serde_json::from_str(&stdout(&out)).expect("output -json");
    let pairs = all.as_object().expect("an object").iter().map(|(k, v)| (k.clone(), v["value"].clone()));
    Json::Object(pairs.collect())
}

/// The EC2 objects the data-source test reads: a VPC with two tagged subnets in two zones, a
/// security group, and two images of the test's own made from an instance.
struct Network {
    vpc: String,
    subnets: [String; 2],
    group: String,
    images: [String; 2],
}

fn network(endpoint: &str, name: &str) -> Network {
    ec2(endpoint, async |c| {
        let net = 20 + (std::process::id() % 200);
        let vpc = c.create_vpc().cidr_block(format!("10.{net}.0.0/16")).send().await.unwrap().vpc.unwrap().vpc_id.unwrap();
        let mut subnets = Vec::new();
        for (i, zone) in ["eu-west-1a", "eu-west-1b"].iter().enumerate() {
            let s = c.create_subnet().vpc_id(&vpc).cidr_block(format!("10.{net}.{i}.0/24")).availability_zone(*zone).send().await.unwrap();
            let id = s.subnet.unwrap().subnet_id.unwrap();
            c.create_tags().resources(&id).tags(tag("Tier", "private")).tags(tag("Name", &format!("{name}-{i}"))).send().await.unwrap();
            subnets.push(id);
        }
        let group = c.create_security_group().group_name(format!("{name}-sg")).description("data source test").vpc_id(&vpc).send().await.unwrap();
        let group = group.group_id.unwrap();
        c.create_tags().resources(&group).tags(tag("Name", name)).send().await.unwrap();
        let run = c.run_instances().image_id(AMI).min_count(1).max_count(1).subnet_id(&subnets[0]).send().await.unwrap();
        let instance = run.instances()[0].instance_id().unwrap().to_string();
        let mut images = Vec::new();
        for i in 1..=2 {
            // Creation dates have whole seconds: the second image is the newer one.
            if i == 2 {
                tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
            }
            let img = c.create_image().instance_id(&instance).name(format!("{name}-img-{i}")).description(format!("image {i}")).send().await.unwrap();
            images.push(img.image_id.unwrap());
        }
        c.terminate_instances().instance_ids(&instance).send().await.unwrap();
        Network { vpc, subnets: [subnets[0].clone(), subnets[1].clone()], group, images: [images[0].clone(), images[1].clone()] }
    })
}

fn remove(endpoint: &str, n: &Network) {
    ec2(endpoint, async |c| {
        for i in &n.images {
            let _ = c.deregister_image().image_id(i).send().await;
        }
        let _ = c.delete_security_group().group_id(&n.group).send().await;
        for s in &n.subnets {
            let _ = c.delete_subnet().subnet_id(s).send().await;
        }
        let _ = c.delete_vpc().vpc_id(&n.vpc).send().await;
    });
}

/// The EC2 data sources read what the SDK made, and converge.
#[test]
fn ec2_data_sources_read_zones_images_subnets_and_groups() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let name = unique("ds");
    let n = network(&endpoint, &name);
    let (vpc, s0, s1, sg) = (&n.vpc, &n.subnets[0], &n.subnets[1], &n.group);
    // One output for each data source (or attribute) read.
    let outputs_tf: String = [
        ("zones", "data.aws_availability_zones.available"),
        ("zones_without_b", "data.aws_availability_zones.without_b.names"),
        ("newest", "data.aws_ami.newest"),
        ("first", "data.aws_ami.first.id"),
        ("private", "sort(data.aws_subnets.private.ids)"),
        ("none", "data.aws_subnets.none.ids"),
        ("subnet_a", "data.aws_subnet.a"),
        ("subnet_b", "data.aws_subnet.by_id.availability_zone"),
        ("sg", "data.aws_security_group.by_name"),
        ("sg_by_tag", "data.aws_security_group.by_tag.id"),
    ]
    .iter()
    .map(|(name, value)| format!("\noutput \"{name}\" {{\n  value = {value}\n}}\n"))
    .collect();
    let config = format!(
        r#"{provider}
data "aws_availability_zones" "available" {{
  state = "available"
}}

data "aws_availability_zones" "without_b" {{
  exclude_names    = ["eu-west-1b"]
  exclude_zone_ids = ["euw1-az2"]
}}

data "aws_ami" "newest" {{
  most_recent = true
  owners      = ["self"]
  filter {{
    name   = "name"
    values = ["{name}-img-*"]
  }}
}}

data "aws_ami" "first" {{
  owners     = ["123456789012"]
  name_regex = "^{name}-img-1$"
}}

data "aws_subnets" "private" {{
  filter {{
    name   = "vpc-id"
    values = ["{vpc}"]
  }}
  tags = {{
    Tier = "private"
  }}
}}

data "aws_subnets" "none" {{
  tags = {{
    Tier = "{name}-nothing"
  }}
}}

data "aws_subnet" "a" {{
  vpc_id            = "{vpc}"
  availability_zone = "eu-west-1a"
}}

data "aws_subnet" "by_id" {{
  id = "{s1}"
}}

data "aws_security_group" "by_name" {{
  name   = "{name}-sg"
  vpc_id = "{vpc}"
}}

data "aws_security_group" "by_tag" {{
  filter {{
    name   = "vpc-id"
    values = ["{vpc}"]
  }}
  tags = {{
    Name = "{name}"
  }}
}}
{outputs_tf}"#,
        provider = ec2_provider(&endpoint)
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), config).unwrap();
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    let o = outputs(d);
    remove(&endpoint, &n);

    let zones = &o["zones"];
    assert_eq!(zones["names"], serde_json::json!(["eu-west-1a", "eu-west-1b", "eu-west-1c"]), "{zones}");
    assert_eq!(zones["zone_ids"], serde_json::json!(["euw1-az3", "euw1-az1", "euw1-az2"]), "{zones}");
    assert_eq!(zones["id"], "eu-west-1");
    assert_eq!(o["zones_without_b"], serde_json::json!(["eu-west-1a"]));

    let newest = &o["newest"];
    assert_eq!((newest["id"].as_str(), newest["image_id"].as_str()), (Some(n.images[1].as_str()), Some(n.images[1].as_str())), "{newest}");
    assert_eq!(newest["name"], format!("{name}-img-2"));
    assert_eq!(newest["description"], "image 2");
    assert_eq!(newest["owner_id"], "123456789012");
    assert_eq!(newest["arn"], format!("arn:aws:ec2:eu-west-1::image/{}", n.images[1]));
    assert_eq!(newest["state_reason"]["code"], "UNSET");
    assert_eq!(o["first"], n.images[0].as_str());

    let mut both = vec![s0.clone(), s1.clone()];
    both.sort();
    assert_eq!(o["private"], serde_json::json!(both));
    assert_eq!(o["none"], serde_json::json!([]));
    let a = &o["subnet_a"];
    assert_eq!((a["id"].as_str(), a["vpc_id"].as_str(), a["availability_zone_id"].as_str()), (Some(s0.as_str()), Some(vpc.as_str()), Some("euw1-az3")), "{a}");
    assert_eq!(a["cidr_block"], format!("10.{}.0.0/24", 20 + (std::process::id() % 200)));
    assert_eq!(a["tags"]["Tier"], "private");
    assert!(a["arn"].as_str().unwrap().ends_with(&format!(":subnet/{s0}")), "{a}");
    assert_eq!(o["subnet_b"], "eu-west-1b");
    let g = &o["sg"];
    assert_eq!(
        (g["id"].as_str(), g["description"].as_str(), g["tags"]["Name"].as_str()),
        (Some(sg.as_str()), Some("data source test"), Some(name.as_str())),
        "{g}"
    );
    assert_eq!(g["arn"], format!("arn:aws:ec2:eu-west-1:123456789012:security-group/{sg}"));
    assert_eq!(o["sg_by_tag"], sg.as_str());
}

/// A singular data source matching several objects, and `most_recent` without an owner, are
/// the provider's errors.
#[test]
fn ec2_data_sources_refuse_ambiguous_queries() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let name = unique("dserr");
    let n = network(&endpoint, &name);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases = [
        (format!("data \"aws_subnet\" \"s\" {{\n  vpc_id = \"{}\"\n}}\n", n.vpc), "multiple EC2 Subnets matched"),
        (format!("data \"aws_security_group\" \"g\" {{\n  name = \"{name}-absent\"\n}}\n"), "no matching EC2 Security Group found"),
        ("data \"aws_ami\" \"a\" {\n  most_recent = true\n}\n".to_string(), "Most Recent Image Not Filtered"),
        (format!("data \"aws_ami\" \"a\" {{\n  owners = [\"self\"]\n  name_regex = \"^{name}-img-\"\n}}\n"), "more than one result"),
        ("data \"aws_availability_zones\" \"z\" {\n  state = \"gone\"\n}\n".to_string(), "expected state to be one of"),
    ];
    for (block, message) in cases {
        std::fs::write(d.join("main.tf"), format!("{}\n{block}", ec2_provider(&endpoint))).unwrap();
        let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!out.status.success() && text.contains(message), "{block}: {text}");
    }
    // Not filtered by owner, with the unsafe filter allowed: a warning only (the engine does
    // not show data sources' warnings yet), and the newest image.
    let block = format!(
        "data \"aws_ami\" \"a\" {{\n  most_recent         = true\n  allow_unsafe_filter = true\n  filter {{\n    name   = \"name\"\n    values = [\"{name}-img-*\"]\n  }}\n}}\n\noutput \"id\" {{\n  value = data.aws_ami.a.id\n}}\n"
    );
    std::fs::write(d.join("main.tf"), format!("{}\n{block}", ec2_provider(&endpoint))).unwrap();
    let out = succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains(&format!("id = \"{}\"", n.images[1])), "{text}");
    remove(&endpoint, &n);
}

/// A task definition revision as ECS describes it (with its tags), unless deregistered.
fn task_definition(e: &str, arn: &str) -> Option<(Json, Json)> {
    let out = call(e, &ECS, "DescribeTaskDefinition", json!({ "taskDefinition": arn, "include": ["TAGS"] })).ok()?;
    Some((out["taskDefinition"].clone(), out["tags"].clone())).filter(|(td, _)| td["status"] == "ACTIVE")
}

fn ecs_task_definition(endpoint: &str, _dir: &Path) -> Case {
    const T: &str = "aws_ecs_task_definition.t";
    let family = unique("td");
    // The environment out of order and the defaults ECS adds left out: neither may show as a diff.
    let config = move |image: &str, env: &str| {
        format!(
            r#"{}
resource "aws_ecs_task_definition" "t" {{
  family                   = "{family}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([
    {{
      name         = "web"
      image        = "{image}"
      portMappings = [{{ containerPort = 80 }}]
      environment  = [{{ name = "B", value = "2" }}, {{ name = "A", value = "1" }}]
    }}
  ])
  runtime_platform {{
    operating_system_family = "LINUX"
  }}
  tags = {{
    env = "{env}"
  }}
}}
"#,
            services_provider(endpoint)
        )
    };
    let holds = |image: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let (td, tags) = task_definition(e, &attr(s, T, "arn")).expect("the revision is active");
            assert_eq!(td["containerDefinitions"][0]["image"], image, "{td}");
            assert_eq!((td["cpu"].as_str(), td["networkMode"].as_str()), (Some("256"), Some("awsvpc")));
            assert_eq!(td["runtimePlatform"]["operatingSystemFamily"], "LINUX");
            let tags = tags.as_array().cloned().unwrap_or_default();
            assert!(tags.contains(&json!({ "key": "env", "value": env })) && tags.contains(&json!({ "key": "managed", "value": "skyform" })), "{tags:?}");
        }
    };
    Case {
        create: Step::new(config("nginx:1.25", "dev"), &[(T, Create)]).check(holds("nginx:1.25", "dev")).check(|s, _| {
            assert_eq!(attr(s, T, "id"), attr(s, T, "family"));
            assert_eq!(format!("{}:1", attr(s, T, "arn_without_revision")), attr(s, T, "arn"));
            // Stored as the provider stores it: keys and environment sorted.
            let stored = attr(s, T, "container_definitions");
            assert!(stored.starts_with(r#"[{"environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"nginx:1.25","name":"web""#), "{stored}");
        }),
        update: Step::new(config("nginx:1.25", "prod"), &[(T, Update)]).check(holds("nginx:1.25", "prod")),
        // A new image is a new revision; the old one is deregistered.
        replace: Step::new(config("nginx:1.27", "prod"), &[(T, DeleteThenCreate)]).check(holds("nginx:1.27", "prod")).check(|s, e| {
            let arn = attr(s, T, "arn");
            assert!(arn.ends_with(":2"), "{arn}");
            assert!(task_definition(e, &format!("{}:1", attr(s, T, "arn_without_revision"))).is_none(), "revision 1 is deregistered");
        }),
        drift: Some(
            Step::new(config("nginx:1.27", "prod"), &[(T, Update)])
                .outside(|s, e| {
                    ok(e, &ECS, "TagResource", json!({ "resourceArn": attr(s, T, "arn"), "tags": [{ "key": "env", "value": "changed" }] }));
                })
                .shows("\"changed\" -> \"prod\"")
                .check(holds("nginx:1.27", "prod")),
        ),
        import: Import { address: T, id: Box::new(|s, _| attr(s, T, "arn")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| task_definition(e, &attr(s, T, "arn")).is_some()),
    }
}

/// Left to AWS: a cluster without `setting` blocks keeps the settings ECS gives it, and a task
/// definition without `network_mode` gets ECS's; both converge, and a definition written in
/// another order, with ECS's defaults spelled out, plans no change.
#[test]
fn ecs_defaults_chosen_by_aws_converge() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let (name, family) = (unique("bare"), unique("bridge"));
    let config = |containers: &str| {
        format!(
            "{}\nresource \"aws_ecs_cluster\" \"c\" {{\n  name = \"{name}\"\n}}\n\nresource \"aws_ecs_task_definition\" \"t\" {{\n  family                = \"{family}\"\n  container_definitions = jsonencode({containers})\n}}\n",
            services_provider(&endpoint)
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = r#"[{ name = "b", image = "busybox", memory = 64 }, { name = "a", image = "nginx", memory = 128, portMappings = [{ containerPort = 80, hostPort = 8080 }] }]"#;
    std::fs::write(d.join("main.tf"), config(first)).unwrap();
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    let (code, text) = crate::common::plan_code(d);
    assert_eq!(code, Some(0), "{text}");
    let same = r#"[{ name = "a", image = "nginx", memory = 128, essential = true, cpu = 0, environment = [], portMappings = [{ containerPort = 80, hostPort = 8080, protocol = "tcp" }] }, { name = "b", image = "busybox", memory = 64, mountPoints = [] }]"#;
    std::fs::write(d.join("main.tf"), config(same)).unwrap();
    let (code, text) = crate::common::plan_code(d);
    assert_eq!(code, Some(0), "an equivalent definition is no change: {text}");
    let out = succeeds(d, &["state", "show", "aws_ecs_task_definition.t"]);
    assert!(stdout(&out).contains("network_mode") && stdout(&out).contains("bridge"), "{}", stdout(&out));
    let out = succeeds(d, &["state", "show", "aws_ecs_cluster.c"]);
    assert!(stdout(&out).contains("containerInsights"), "{}", stdout(&out));
    succeeds(d, &["destroy", "-auto-approve", "-no-color"]);
    assert!(cluster(&endpoint, &name).is_none(), "the cluster is deleted");
}
