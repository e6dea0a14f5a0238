//! Cases of EBS volumes and volume attachments, against moto. Results are checked with the
//! EC2 SDK, not through skyform.

use std::path::Path;

use aws_sdk_ec2::types::{Tag, Volume, VolumeType};
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::rt;
use crate::test_aws::{ec2_client, ec2_provider, AMI};

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_ebs_volume() {
    run("aws_ebs_volume", MOTO, volume);
}

#[test]
fn aws_volume_attachment() {
    run("aws_volume_attachment", MOTO, attachment);
}

/// The provider block with EC2 and STS (the volume's ARN names the account) at the emulator.
fn provider(endpoint: &str) -> String {
    ec2_provider(endpoint).replace("    s3 = ", &format!("    sts = \"{endpoint}\"\n    s3 = "))
}

fn volume_of(e: &str, id: &str) -> Option<Volume> {
    rt().block_on(async { ec2_client(e).await.describe_volumes().volume_ids(id).send().await.ok()?.volumes().first().cloned() })
}

fn tag(v: &Volume, key: &str) -> Option<String> {
    v.tags().iter().find(|t| t.key() == Some(key)).and_then(|t| t.value()).map(str::to_string)
}

/// A volume grows and changes its tags in place, moves zone (replaced), and a type changed
/// outside is put back.
fn volume(endpoint: &str, _dir: &Path) -> Case {
    const V: &str = "aws_ebs_volume.data";
    let config = move |zone: &str, size: u32, env: &str| {
        format!(
            "{}\nresource \"aws_ebs_volume\" \"data\" {{\n  availability_zone = \"eu-west-1{zone}\"\n  size              = {size}\n  type              = \"gp2\"\n  tags = {{\n    env = \"{env}\"\n  }}\n}}\n",
            provider(endpoint)
        )
    };
    let holds = |zone: &'static str, size: i32, env: &'static str| {
        move |s: &State, e: &str| {
            let id = attr(s, V, "id");
            let v = volume_of(e, &id).expect("the volume exists");
            assert_eq!(v.availability_zone(), Some(format!("eu-west-1{zone}").as_str()));
            assert_eq!(v.size(), Some(size));
            assert_eq!(v.volume_type(), Some(&VolumeType::Gp2));
            assert_eq!((tag(&v, "env").as_deref(), tag(&v, "managed").as_deref()), (Some(env), Some("skyform")));
            assert!(attr(s, V, "arn").starts_with("arn:aws:ec2:eu-west-1:") && attr(s, V, "arn").ends_with(&format!(":volume/{id}")), "{}", attr(s, V, "arn"));
            assert!(!attr(s, V, "create_time").is_empty());
        }
    };
    let old = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (keep, gone) = (old.clone(), old);
    Case {
        create: Step::new(config("a", 8, "dev"), &[(V, Create)]).check(holds("a", 8, "dev")),
        update: Step::new(config("a", 16, "prod"), &[(V, Update)])
            .shows("8 -> 16")
            .hides("must be replaced")
            .check(holds("a", 16, "prod"))
            .check(move |s, _| *keep.borrow_mut() = attr(s, V, "id")),
        replace: Step::new(config("b", 16, "prod"), &[(V, DeleteThenCreate)])
            .shows("must be replaced")
            .check(holds("b", 16, "prod"))
            .check(move |_, e| assert!(volume_of(e, &gone.borrow()).is_none(), "the old volume is deleted")),
        drift: Some(
            Step::new(config("b", 16, "prod"), &[(V, Update)])
                .outside(|s, e| {
                    rt().block_on(async {
                        let c = ec2_client(e).await;
                        c.create_tags().resources(attr(s, V, "id")).tags(Tag::builder().key("env").value("changed").build()).send().await.unwrap();
                    });
                })
                .shows("\"changed\" -> \"prod\"")
                .check(holds("b", 16, "prod")),
        ),
        import: Import { address: V, id: Box::new(|s, _| attr(s, V, "id")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| volume_of(e, &attr(s, V, "id")).is_some()),
    }
}

/// Whether the volume is attached to the instance at the device.
fn attached(e: &str, volume: &str, instance: &str, device: &str) -> bool {
    volume_of(e, volume).is_some_and(|v| v.attachments().iter().any(|a| a.instance_id() == Some(instance) && a.device() == Some(device)))
}

/// An attachment's `force_detach` changes in place (state only), its device replaces it, and
/// an attachment detached outside is made again.
fn attachment(endpoint: &str, _dir: &Path) -> Case {
    const A: &str = "aws_volume_attachment.data";
    let config = move |device: &str, force: bool| {
        format!(
            r#"{}
resource "aws_vpc" "main" {{
  cidr_block = "10.43.0.0/16"
}}

resource "aws_subnet" "a" {{
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.43.1.0/24"
  availability_zone = "eu-west-1a"
}}

resource "aws_instance" "web" {{
  ami           = "{AMI}"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.a.id
}}

resource "aws_ebs_volume" "data" {{
  availability_zone = aws_subnet.a.availability_zone
  size              = 8
}}

resource "aws_volume_attachment" "data" {{
  device_name  = "{device}"
  volume_id    = aws_ebs_volume.data.id
  instance_id  = aws_instance.web.id
  force_detach = {force}
}}
"#,
            provider(endpoint)
        )
    };
    let holds = |device: &'static str| {
        move |s: &State, e: &str| {
            let (volume, instance) = (attr(s, "aws_ebs_volume.data", "id"), attr(s, "aws_instance.web", "id"));
            assert!(attached(e, &volume, &instance, device), "the volume is attached at {device}");
            assert!(attr(s, A, "id").starts_with("vai-"), "{}", attr(s, A, "id"));
        }
    };
    let creates = [("aws_vpc.main", Create), ("aws_subnet.a", Create), ("aws_instance.web", Create), ("aws_ebs_volume.data", Create), (A, Create)];
    Case {
        create: Step::new(config("/dev/sdh", false), &creates).check(holds("/dev/sdh")),
        update: Step::new(config("/dev/sdh", true), &[(A, Update)]).shows("false -> true").check(holds("/dev/sdh")),
        replace: Step::new(config("/dev/sdi", true), &[(A, DeleteThenCreate)]).shows("must be replaced").check(holds("/dev/sdi")).check(|s, e| {
            let (volume, instance) = (attr(s, "aws_ebs_volume.data", "id"), attr(s, "aws_instance.web", "id"));
            assert!(!attached(e, &volume, &instance, "/dev/sdh"), "the old attachment is detached");
        }),
        drift: Some(
            Step::new(config("/dev/sdi", true), &[(A, Create)])
                .outside(|s, e| {
                    rt().block_on(async {
                        let c = ec2_client(e).await;
                        let (volume, instance) = (attr(s, "aws_ebs_volume.data", "id"), attr(s, "aws_instance.web", "id"));
                        c.detach_volume().volume_id(volume).instance_id(instance).device("/dev/sdi").send().await.unwrap();
                    });
                })
                .check(holds("/dev/sdi")),
        ),
        import: Import {
            address: A,
            id: Box::new(|s, _| format!("/dev/sdi:{}:{}", attr(s, "aws_ebs_volume.data", "id"), attr(s, "aws_instance.web", "id"))),
            differs: vec!["force_detach"],
            shows: vec![],
        },
        exists: Box::new(|s, e| attached(e, &attr(s, "aws_ebs_volume.data", "id"), &attr(s, "aws_instance.web", "id"), "/dev/sdi")),
    }
}
