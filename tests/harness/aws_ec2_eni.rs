//! Network interfaces and the default VPC, against moto. Results are checked with the EC2
//! SDK, not through skyform.
//!
//! The default VPC is shared by every test of a region, so its case runs in a region no other
//! test uses (`sa-east-1`), where it may delete and create the default VPC.

use std::path::Path;

use aws_sdk_ec2::types::{Filter, NetworkInterface, Tag};
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::rt;
use crate::test_aws::{ec2_client, ec2_provider, AMI};

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

/// The region the default VPC case owns.
const REGION: &str = "sa-east-1";

#[test]
fn aws_network_interface() {
    run("aws_network_interface", MOTO, network_interface);
}

#[test]
fn aws_default_vpc() {
    run("aws_default_vpc", MOTO, default_vpc);
}

/// Refreshing 20 interfaces, one deleted outside skyform, takes at most 2 requests.
#[test]
fn refresh_of_many_network_interfaces_uses_one_describe_call() {
    use skyform::provider::aws::{AwsFactory, AwsProvider};
    use skyform::provider::{Provider, ReadRequest};
    use skyform::value::Value;

    let Some(endpoint) = crate::common::emulator(MOTO) else { return };
    let rt = rt();
    let c = rt.block_on(ec2_client(&endpoint));
    let vpc = rt.block_on(c.create_vpc().cidr_block("10.40.0.0/16").send()).unwrap().vpc().and_then(|v| v.vpc_id()).unwrap().to_string();
    let subnet = rt.block_on(c.create_subnet().vpc_id(&vpc).cidr_block("10.40.1.0/24").send()).unwrap();
    let subnet = subnet.subnet().and_then(|s| s.subnet_id()).unwrap().to_string();
    let ids: Vec<String> = (0..20)
        .map(|_| {
            let out = rt.block_on(c.create_network_interface().subnet_id(&subnet).send()).unwrap();
            out.network_interface().and_then(|n| n.network_interface_id()).unwrap().to_string()
        })
        .collect();
    rt.block_on(c.delete_network_interface().network_interface_id(&ids[3]).send()).unwrap();

    let config = Value::object([
        ("region", Value::string("eu-west-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        ("endpoints", Value::object([("ec2", Value::string(&endpoint))])),
    ]);
    let driver: std::sync::Arc<AwsProvider> = rt.block_on(AwsFactory::new().connect(&config)).unwrap();
    let reqs: Vec<ReadRequest> =
        ids.iter().map(|id| ReadRequest { type_name: "aws_network_interface".into(), prior_state: Value::object([("id", Value::string(id))]) }).collect();
    let before = driver.requests();
    let responses = rt.block_on(driver.read_batch(reqs));
    let sent = driver.requests() - before;
    assert_eq!(responses.len(), ids.len());
    assert!(responses[3].new_state.is_none(), "the deleted interface must read as gone");
    let first = responses[0].new_state.as_ref().expect("the first interface");
    assert_eq!(first.get_attr("subnet_id").and_then(|v| v.as_str()), Some(subnet.as_str()));
    assert!(sent <= 2, "refresh of 20 interfaces sent {sent} requests");
    for id in ids.iter().enumerate().filter(|(i, _)| *i != 3).map(|(_, id)| id) {
        rt.block_on(c.delete_network_interface().network_interface_id(id).send()).unwrap();
    }
    rt.block_on(c.delete_subnet().subnet_id(&subnet).send()).unwrap();
    rt.block_on(c.delete_vpc().vpc_id(&vpc).send()).unwrap();
}

/// Runs `f` with an EC2 client of eu-west-1 on a fresh runtime.
fn ec2<T>(endpoint: &str, f: impl AsyncFnOnce(aws_sdk_ec2::Client) -> T) -> T {
    rt().block_on(async { f(ec2_client(endpoint).await).await })
}

/// Runs `f` with an EC2 client of the default VPC case's region.
fn ec2_owned<T>(endpoint: &str, f: impl AsyncFnOnce(aws_sdk_ec2::Client) -> T) -> T {
    rt().block_on(async {
        let conf = ec2_client(endpoint).await.config().to_builder().region(aws_sdk_ec2::config::Region::new(REGION)).build();
        f(aws_sdk_ec2::Client::from_conf(conf)).await
    })
}

fn eni(e: &str, id: &str) -> Option<NetworkInterface> {
    ec2(e, async |c| c.describe_network_interfaces().network_interface_ids(id).send().await.ok()?.network_interfaces().first().cloned())
}

fn has_tag(tags: &[Tag], key: &str, value: &str) -> bool {
    tags.iter().any(|t| t.key() == Some(key) && t.value() == Some(value))
}

/// What an interface must hold after a step.
struct Want {
    subnet: &'static str,
    ips: &'static [&'static str],
    groups: &'static [&'static str],
    description: &'static str,
    check: bool,
    attached: bool,
    env: &'static str,
}

fn network_interface(endpoint: &str, _dir: &Path) -> Case {
    const N: &str = "aws_network_interface.n";
    let base = format!(
        "{}\nresource \"aws_vpc\" \"a\" {{\n  cidr_block = \"10.0.0.0/16\"\n}}\n\nresource \"aws_subnet\" \"s\" {{\n  vpc_id     = aws_vpc.a.id\n  cidr_block = \"10.0.1.0/24\"\n}}\n\nresource \"aws_subnet\" \"t\" {{\n  vpc_id     = aws_vpc.a.id\n  cidr_block = \"10.0.2.0/24\"\n}}\n\nresource \"aws_security_group\" \"g1\" {{\n  name   = \"eni-g1\"\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_security_group\" \"g2\" {{\n  name   = \"eni-g2\"\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_instance\" \"i\" {{\n  ami           = \"{AMI}\"\n  instance_type = \"t3.micro\"\n  subnet_id     = aws_subnet.s.id\n}}\n",
        ec2_provider(endpoint)
    );
    let config = move |w: &Want| {
        let ips: Vec<String> = w.ips.iter().map(|ip| format!("\"{ip}\"")).collect();
        let groups: Vec<String> = w.groups.iter().map(|g| format!("aws_security_group.{g}.id")).collect();
        let attachment = if w.attached { "\n  attachment {\n    instance     = aws_instance.i.id\n    device_index = 1\n  }\n" } else { "" };
        format!(
            "{base}\nresource \"aws_network_interface\" \"n\" {{\n  subnet_id         = aws_subnet.{}.id\n  private_ips       = [{}]\n  security_groups   = [{}]\n  description       = \"{}\"\n  source_dest_check = {}\n  tags              = {{ env = \"{}\" }}\n{attachment}}}\n",
            w.subnet,
            ips.join(", "),
            groups.join(", "),
            w.description,
            w.check,
            w.env
        )
    };
    let holds = |w: &'static Want| {
        move |s: &State, e: &str| {
            let n = eni(e, &attr(s, N, "id")).expect("the interface exists");
            assert_eq!(n.subnet_id(), Some(attr(s, &format!("aws_subnet.{}", w.subnet), "id").as_str()), "the interface's subnet");
            let mut ips: Vec<&str> = n.private_ip_addresses().iter().filter_map(|a| a.private_ip_address()).collect();
            ips.sort();
            assert_eq!(ips, w.ips, "the interface's addresses");
            assert_eq!(n.private_ip_address(), w.ips.first().copied(), "the primary address");
            let mut groups: Vec<String> = n.groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect();
            groups.sort();
            let mut want: Vec<String> = w.groups.iter().map(|g| attr(s, &format!("aws_security_group.{g}"), "id")).collect();
            want.sort();
            assert_eq!(groups, want, "the interface's security groups");
            assert_eq!(n.description(), Some(w.description), "the interface's description");
            assert_eq!(n.source_dest_check(), Some(w.check), "source_dest_check");
            let instance = n.attachment().and_then(|a| a.instance_id()).map(str::to_string);
            assert_eq!(instance, w.attached.then(|| attr(s, "aws_instance.i", "id")), "the interface's attachment");
            assert!(has_tag(n.tag_set(), "env", w.env), "the interface's tags");
            assert_eq!(attr(s, N, "mac_address"), n.mac_address().unwrap_or_default(), "mac_address in state");
        }
    };
    static CREATED: Want = Want { subnet: "s", ips: &["10.0.1.10"], groups: &["g1"], description: "dev", check: true, attached: false, env: "dev" };
    static UPDATED: Want =
        Want { subnet: "s", ips: &["10.0.1.10", "10.0.1.11"], groups: &["g1", "g2"], description: "prod", check: false, attached: true, env: "prod" };
    static REPLACED: Want = Want { subnet: "t", ips: &["10.0.2.10"], groups: &["g1", "g2"], description: "prod", check: false, attached: true, env: "prod" };
    let all = [
        ("aws_vpc.a", Create),
        ("aws_subnet.s", Create),
        ("aws_subnet.t", Create),
        ("aws_security_group.g1", Create),
        ("aws_security_group.g2", Create),
        ("aws_instance.i", Create),
        (N, Create),
    ];
    Case {
        create: Step::new(config(&CREATED), &all).check(holds(&CREATED)),
        // A secondary address, another group, a new description, no source/destination check,
        // attached to the instance: all in place.
        update: Step::new(config(&UPDATED), &[(N, Update)]).check(holds(&UPDATED)),
        // Another subnet replaces it (the old one is detached before it is deleted).
        replace: Step::new(config(&REPLACED), &[(N, DeleteThenCreate)]).check(holds(&REPLACED)),
        // Detached outside skyform: attached again, in place.
        drift: Some(
            Step::new(config(&REPLACED), &[(N, Update)])
                .outside(|s, e| {
                    let n = eni(e, &attr(s, N, "id")).expect("the interface exists");
                    let a = n.attachment().and_then(|a| a.attachment_id()).expect("attached").to_string();
                    ec2(e, async |c| c.detach_network_interface().attachment_id(a).send().await.unwrap());
                })
                .check(holds(&REPLACED)),
        ),
        import: Import { address: N, id: Box::new(|s, _| attr(s, N, "id")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| eni(e, &attr(s, N, "id")).is_some()),
    }
}

/// The default VPC of the case's region, if any.
fn default_vpc_of(e: &str) -> Option<aws_sdk_ec2::types::Vpc> {
    let f = Filter::builder().name("is-default").values("true").build();
    ec2_owned(e, async |c| c.describe_vpcs().filters(f).send().await.unwrap().vpcs().first().cloned())
}

fn dns_hostnames(e: &str, id: &str) -> Option<bool> {
    let name = aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames;
    ec2_owned(e, async |c| c.describe_vpc_attribute().vpc_id(id).attribute(name).send().await.unwrap().enable_dns_hostnames()?.value())
}

/// Deletes the default subnets of the case's region: a VPC with subnets cannot be deleted.
fn delete_default_subnets(e: &str) {
    let f = Filter::builder().name("default-for-az").values("true").build();
    ec2_owned(e, async |c| {
        let out = c.describe_subnets().filters(f).send().await.unwrap();
        for s in out.subnets() {
            c.delete_subnet().subnet_id(s.subnet_id().unwrap_or_default()).send().await.unwrap();
        }
    });
}

fn default_vpc(endpoint: &str, _dir: &Path) -> Case {
    const D: &str = "aws_default_vpc.d";
    let provider = ec2_provider(endpoint).replace("eu-west-1", REGION);
    let config = move |generation: u32, hostnames: bool, force: bool, env: &str| {
        format!(
            "{provider}\nresource \"terraform_data\" \"generation\" {{\n  triggers_replace = {generation}\n}}\n\nresource \"aws_default_vpc\" \"d\" {{\n  enable_dns_hostnames = {hostnames}\n  force_destroy        = {force}\n  tags                 = {{ env = \"{env}\" }}\n  lifecycle {{\n    replace_triggered_by = [terraform_data.generation]\n  }}\n}}\n"
        )
    };
    let holds = |hostnames: bool, env: &'static str| {
        move |s: &State, e: &str| {
            let vpc = default_vpc_of(e).expect("the region has a default VPC");
            let id = attr(s, D, "id");
            assert_eq!(vpc.vpc_id(), Some(id.as_str()), "the adopted VPC");
            assert!(has_tag(vpc.tags(), "env", env), "the VPC's tags");
            assert_eq!(dns_hostnames(e, &id), Some(hostnames), "enable_dns_hostnames");
            assert_eq!(attr(s, D, "cidr_block"), vpc.cidr_block().unwrap_or_default());
        }
    };
    let first = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (keep, old) = (first.clone(), first);
    let existing = |want: bool| {
        move |s: &State, _: &str| {
            let r = s.resources.get(D).expect("in state");
            assert_eq!(r.attributes.get_attr("existing_default_vpc").and_then(|v| v.as_bool()), Some(want), "existing_default_vpc");
        }
    };
    let last = config(2, false, true, "prod");
    Case {
        // Adopting: the region's default VPC (moto creates one per region).
        create: Step::new(config(1, true, false, "dev"), &[("terraform_data.generation", Create), (D, Create)])
            .check(holds(true, "dev"))
            .check(move |s, _| *keep.borrow_mut() = attr(s, D, "id")),
        update: Step::new(config(1, false, true, "prod"), &[(D, Update)]).check(holds(false, "prod")),
        // No argument replaces it: replace_triggered_by does. With force_destroy the old VPC is
        // deleted (once its default subnets are gone) and CreateDefaultVpc makes a new one.
        replace: Step::new(last.clone(), &[("terraform_data.generation", DeleteThenCreate), (D, DeleteThenCreate)])
            .outside(|_, e| delete_default_subnets(e))
            .check(holds(false, "prod"))
            .check(existing(false))
            .check(move |s, e| {
                assert_ne!(attr(s, D, "id"), *old.borrow(), "a new default VPC");
                let first = old.borrow().clone();
                let gone = ec2_owned(e, async |c| c.describe_vpcs().vpc_ids(first).send().await.is_err());
                assert!(gone, "the first default VPC is deleted");
            }),
        // A tag changed outside skyform (and the new VPC's default subnets deleted, so that
        // destroy can delete it).
        drift: Some(
            Step::new(last, &[(D, Update)])
                .outside(|s, e| {
                    delete_default_subnets(e);
                    let id = attr(s, D, "id");
                    ec2_owned(e, async |c| c.create_tags().resources(id).tags(Tag::builder().key("env").value("changed").build()).send().await.unwrap());
                })
                .check(holds(false, "prod")),
        ),
        // As in Terraform, an import cannot know force_destroy (false until applied).
        import: Import { address: D, id: Box::new(|s, _| attr(s, D, "id")), differs: vec!["force_destroy"], shows: vec!["~ force_destroy".into()] },
        // force_destroy deletes it.
        exists: Box::new(|s, e| {
            let id = attr(s, D, "id");
            ec2_owned(e, async |c| c.describe_vpcs().vpc_ids(id).send().await.is_ok_and(|o| !o.vpcs().is_empty()))
        }),
    }
}
