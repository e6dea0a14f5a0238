//! More EC2 networking cases, against moto: network ACLs and their rules, and the `aws_default_*`
//! types that adopt a VPC's default objects. Results are checked with the EC2 SDK, not through
//! skyform.

use std::path::Path;

use aws_sdk_ec2::types::Filter;
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::rt;
use crate::test_aws::{ec2_client, ec2_provider};

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_network_acl() {
    run("aws_network_acl", MOTO, network_acl);
}

#[test]
fn aws_network_acl_rule() {
    run("aws_network_acl_rule", MOTO, network_acl_rule);
}

#[test]
fn aws_default_network_acl() {
    run("aws_default_network_acl", MOTO, default_network_acl);
}

#[test]
fn aws_default_security_group() {
    run("aws_default_security_group", MOTO, default_security_group);
}

#[test]
fn aws_default_route_table() {
    run("aws_default_route_table", MOTO, default_route_table);
}

#[test]
fn aws_egress_only_internet_gateway() {
    run("aws_egress_only_internet_gateway", MOTO, egress_only_internet_gateway);
}

#[test]
fn aws_vpc_dhcp_options() {
    run("aws_vpc_dhcp_options", MOTO, vpc_dhcp_options);
}

#[test]
fn aws_vpc_dhcp_options_association() {
    run("aws_vpc_dhcp_options_association", MOTO, vpc_dhcp_options_association);
}

#[test]
fn aws_flow_log() {
    run("aws_flow_log", MOTO, flow_log);
}

#[test]
fn aws_ec2_tag() {
    run("aws_ec2_tag", MOTO, ec2_tag);
}

/// Runs `f` with an EC2 client on a fresh runtime.
fn ec2<T>(endpoint: &str, f: impl AsyncFnOnce(aws_sdk_ec2::Client) -> T) -> T {
    rt().block_on(async { f(ec2_client(endpoint).await).await })
}

/// Two VPCs, `a` (with subnet `s`) and `b`.
fn vpcs(endpoint: &str) -> String {
    format!(
        "{}\nresource \"aws_vpc\" \"a\" {{\n  cidr_block = \"10.0.0.0/16\"\n}}\n\nresource \"aws_vpc\" \"b\" {{\n  cidr_block = \"10.1.0.0/16\"\n}}\n\nresource \"aws_subnet\" \"s\" {{\n  vpc_id     = aws_vpc.a.id\n  cidr_block = \"10.0.1.0/24\"\n}}\n",
        ec2_provider(endpoint)
    )
}

/// A network ACL rule block: `(rule_no, protocol, port)`, allowing 10.0.0.0/8.
fn rule_block(block: &str, (rule, protocol, port): (u16, &str, u16)) -> String {
    format!(
        "  {block} {{\n    rule_no    = {rule}\n    action     = \"allow\"\n    protocol   = \"{protocol}\"\n    from_port  = {port}\n    to_port    = {port}\n    cidr_block = \"10.0.0.0/8\"\n  }}\n"
    )
}

/// An ACL as AWS holds it: its rules `(egress, rule number, protocol number, from port)` but
/// the deny-all ones, and its subnets.
type Acl = (Vec<(bool, i32, String, i32)>, Vec<String>);

fn acl(e: &str, id: &str) -> Option<Acl> {
    let a = ec2(e, async |c| c.describe_network_acls().network_acl_ids(id).send().await.ok()?.network_acls().first().cloned())?;
    let mut rules: Vec<(bool, i32, String, i32)> = a
        .entries()
        .iter()
        .filter(|x| x.rule_number() < Some(32767))
        .map(|x| {
            (
                x.egress().unwrap_or(false),
                x.rule_number().unwrap_or(0),
                x.protocol().unwrap_or_default().to_string(),
                x.port_range().and_then(|p| p.from()).unwrap_or(0),
            )
        })
        .collect();
    rules.sort();
    let subnets = a.associations().iter().filter_map(|x| x.subnet_id().map(str::to_string)).collect();
    Some((rules, subnets))
}

fn tags_of(e: &str, id: &str) -> Vec<(String, String)> {
    let f = Filter::builder().name("resource-id").values(id).build();
    let out = ec2(e, async |c| c.describe_tags().filters(f).send().await.unwrap());
    out.tags().iter().map(|t| (t.key().unwrap_or_default().to_string(), t.value().unwrap_or_default().to_string())).collect()
}

fn network_acl(endpoint: &str, _dir: &Path) -> Case {
    const N: &str = "aws_network_acl.n";
    let config = |vpc: &str, ingress: &[(u16, &str, u16)], subnets: &str, env: &str| {
        let rules: String = ingress.iter().map(|r| rule_block("ingress", *r)).chain([rule_block("egress", (100, "-1", 0))]).collect();
        format!(
            "{}\nresource \"aws_network_acl\" \"n\" {{\n  vpc_id     = aws_vpc.{vpc}.id\n  subnet_ids = [{subnets}]\n{rules}  tags       = {{ env = \"{env}\" }}\n}}\n",
            vpcs(endpoint)
        )
    };
    let holds = |ingress: &'static [(i32, &'static str, i32)], with_subnet: bool, env: &'static str| {
        move |s: &State, e: &str| {
            let (rules, subnets) = acl(e, &attr(s, N, "id")).expect("the ACL exists");
            let mut want: Vec<(bool, i32, String, i32)> = ingress.iter().map(|(n, p, port)| (false, *n, p.to_string(), *port)).collect();
            want.push((true, 100, "-1".into(), 0));
            want.sort();
            assert_eq!(rules, want, "the ACL's rules");
            let subnet = if with_subnet { vec![attr(s, "aws_subnet.s", "id")] } else { vec![] };
            assert_eq!(subnets, subnet, "the ACL's subnets");
            assert!(tags_of(e, &attr(s, N, "id")).contains(&("env".into(), env.into())), "the ACL's tags");
        }
    };
    let updated = config("a", &[(100, "tcp", 443), (200, "udp", 53)], "", "prod");
    let replaced = config("b", &[(200, "udp", 53)], "", "prod");
    Case {
        create: Step::new(
            config("a", &[(100, "tcp", 80)], "aws_subnet.s.id", "dev"),
            &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_subnet.s", Create), (N, Create)],
        )
        .check(holds(&[(100, "6", 80)], true, "dev")),
        // A rule changed and one added, the subnet given back to the default ACL, new tags.
        update: Step::new(updated, &[(N, Update)]).check(holds(&[(100, "6", 443), (200, "17", 53)], false, "prod")).check(|s, e| {
            let f = Filter::builder().name("association.subnet-id").values(attr(s, "aws_subnet.s", "id")).build();
            let acls = ec2(e, async |c| c.describe_network_acls().filters(f).send().await.unwrap());
            assert_eq!(acls.network_acls().first().and_then(|a| a.is_default()), Some(true), "the subnet is back on the default ACL");
        }),
        replace: Step::new(replaced.clone(), &[(N, DeleteThenCreate)]).check(holds(&[(200, "17", 53)], false, "prod")),
        // A rule deleted outside skyform: created again.
        drift: Some(
            Step::new(replaced, &[(N, Update)])
                .outside(|s, e| {
                    let id = attr(s, N, "id");
                    ec2(e, async |c| c.delete_network_acl_entry().network_acl_id(id).egress(false).rule_number(200).send().await.unwrap());
                })
                .check(holds(&[(200, "17", 53)], false, "prod")),
        ),
        import: Import { address: N, id: Box::new(|s, _| attr(s, N, "id")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| acl(e, &attr(s, N, "id")).is_some()),
    }
}

fn network_acl_rule(endpoint: &str, _dir: &Path) -> Case {
    const R: &str = "aws_network_acl_rule.r";
    let config = |port: u16, env: &str| {
        format!(
            "{}\nresource \"aws_network_acl\" \"n\" {{\n  vpc_id = aws_vpc.a.id\n  tags   = {{ env = \"{env}\" }}\n}}\n\nresource \"aws_network_acl_rule\" \"r\" {{\n  network_acl_id = aws_network_acl.n.id\n  rule_number    = 100\n  protocol       = \"tcp\"\n  rule_action    = \"allow\"\n  cidr_block     = \"10.0.0.0/8\"\n  from_port      = {port}\n  to_port        = {port}\n}}\n",
            vpcs(endpoint)
        )
    };
    let holds = |port: i32| {
        move |s: &State, e: &str| {
            let (rules, _) = acl(e, &attr(s, "aws_network_acl.n", "id")).expect("the ACL exists");
            assert_eq!(rules, vec![(false, 100, "6".to_string(), port)], "the ACL's rules");
            assert!(attr(s, R, "id").starts_with("nacl-"), "the rule's id");
        }
    };
    Case {
        create: Step::new(
            config(80, "dev"),
            &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_subnet.s", Create), ("aws_network_acl.n", Create), (R, Create)],
        )
        .check(holds(80)),
        // A rule has nothing to update in place (every argument replaces it): its ACL does, and
        // keeps the rule it does not configure.
        update: Step::new(config(80, "prod"), &[("aws_network_acl.n", Update)]).check(holds(80)),
        replace: Step::new(config(443, "prod"), &[(R, DeleteThenCreate)]).check(holds(443)),
        drift: Some(
            Step::new(config(443, "prod"), &[(R, Create)])
                .outside(|s, e| {
                    let id = attr(s, "aws_network_acl.n", "id");
                    ec2(e, async |c| c.delete_network_acl_entry().network_acl_id(id).egress(false).rule_number(100).send().await.unwrap());
                })
                .check(holds(443)),
        ),
        import: Import { address: R, id: Box::new(|s, _| format!("{}:100:tcp:false", attr(s, "aws_network_acl.n", "id"))), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| acl(e, &attr(s, "aws_network_acl.n", "id")).is_some_and(|(rules, _)| !rules.is_empty())),
    }
}

/// The default network ACL of a VPC, asked of EC2.
fn default_acl_of(e: &str, vpc: &str) -> Option<String> {
    let filters = vec![Filter::builder().name("vpc-id").values(vpc).build(), Filter::builder().name("default").values("true").build()];
    let out = ec2(e, async |c| c.describe_network_acls().set_filters(Some(filters)).send().await.ok())?;
    out.network_acls().first().and_then(|a| a.network_acl_id().map(str::to_string))
}

fn default_network_acl(endpoint: &str, dir: &Path) -> Case {
    const D: &str = "aws_default_network_acl.d";
    // `aws_vpc` does not export `default_network_acl_id` yet: the VPCs are created first, and
    // their default ACLs' ids given as locals (`acls.tf`, written by the adopting step).
    let config = move |acl: &str, ports: &[u16], env: &str| {
        let rules: String = ports.iter().enumerate().map(|(i, p)| rule_block("ingress", (100 * (i as u16 + 1), "tcp", *p))).collect();
        format!(
            "{}\nresource \"aws_default_network_acl\" \"d\" {{\n  default_network_acl_id = local.{acl}\n{rules}  tags                   = {{ env = \"{env}\" }}\n}}\n",
            vpcs(endpoint)
        )
    };
    let holds = move |vpc: &'static str, ports: &'static [i32], env: &'static str| {
        move |s: &State, e: &str| {
            let id = attr(s, D, "id");
            assert_eq!(default_acl_of(e, &attr(s, &format!("aws_vpc.{vpc}"), "id")), Some(id.clone()), "the adopted ACL");
            let (rules, _) = acl(e, &id).expect("the ACL exists");
            let want: Vec<(bool, i32, String, i32)> = ports.iter().enumerate().map(|(i, p)| (false, 100 * (i as i32 + 1), "6".to_string(), *p)).collect();
            // AWS's allow-all rules are gone: only the configured ones are left.
            assert_eq!(rules, want, "the ACL's rules");
            assert!(tags_of(e, &id).contains(&("env".into(), env.into())), "the ACL's tags");
        }
    };
    let dir = dir.to_path_buf();
    let adopted = config("acl_a", &[80], "dev");
    let replaced = config("acl_b", &[443], "prod");
    let first = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (keep, old) = (first.clone(), first);
    Case {
        create: Step::new(vpcs(endpoint), &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_subnet.s", Create)]),
        // Adopting the default ACL creates nothing in AWS: it strips the ACL's rules to the
        // configured ones. The subnet is not listed, and stays on the ACL.
        update: Step::new(
            adopted.replace("default_network_acl_id = local.acl_a\n", "default_network_acl_id = local.acl_a\n  subnet_ids             = [aws_subnet.s.id]\n"),
            &[(D, Create)],
        )
        .outside(move |s, e| {
            let ids = ["a", "b"].map(|v| default_acl_of(e, &attr(s, &format!("aws_vpc.{v}"), "id")).expect("the VPC's default ACL"));
            std::fs::write(dir.join("acls.tf"), format!("locals {{\n  acl_a = \"{}\"\n  acl_b = \"{}\"\n}}\n", ids[0], ids[1])).unwrap();
        })
        .check(holds("a", &[80], "dev"))
        .check(move |s, _| *keep.borrow_mut() = attr(s, D, "id")),
        // Another VPC's ACL: the first is only forgotten, with its rules as they were.
        replace: Step::new(replaced.clone(), &[(D, DeleteThenCreate)]).check(holds("b", &[443], "prod")).check(move |_, e| {
            let (rules, _) = acl(e, &old.borrow()).expect("the first ACL is not deleted");
            assert_eq!(rules, vec![(false, 100, "6".to_string(), 80)], "the first ACL's rules");
        }),
        // A rule deleted outside skyform: created again, in place.
        drift: Some(
            Step::new(replaced, &[(D, Update)])
                .outside(|s, e| {
                    let id = attr(s, D, "id");
                    ec2(e, async |c| c.delete_network_acl_entry().network_acl_id(id).egress(false).rule_number(100).send().await.unwrap());
                })
                .check(holds("b", &[443], "prod")),
        ),
        import: Import { address: D, id: Box::new(|s, _| attr(s, D, "id")), differs: vec![], shows: vec![] },
        // Destroy forgets the ACL; deleting its VPC deletes it in AWS (moto keeps a deleted
        // VPC's default ACL, so the VPC is asked too).
        exists: Box::new(|s, e| {
            let vpc = attr(s, D, "vpc_id");
            let vpc_there = ec2(e, async |c| c.describe_vpcs().vpc_ids(vpc).send().await.ok().is_some_and(|o| !o.vpcs().is_empty()));
            vpc_there && acl(e, &attr(s, D, "id")).is_some()
        }),
    }
}

/// A security group rule as AWS holds it: `(egress, protocol, from port, CIDR blocks, from
/// itself)`.
type GroupRule = (bool, String, i32, Vec<String>, bool);

/// A security group's rules as AWS holds them, sorted.
fn group_rules(e: &str, id: &str) -> Option<Vec<GroupRule>> {
    let g = ec2(e, async |c| c.describe_security_groups().group_ids(id).send().await.ok()?.security_groups().first().cloned())?;
    let rule = |egress: bool| {
        move |p: &aws_sdk_ec2::types::IpPermission| {
            let mut cidrs: Vec<String> = p.ip_ranges().iter().filter_map(|r| r.cidr_ip().map(str::to_string)).collect();
            cidrs.sort();
            let own = p.user_id_group_pairs().iter().any(|x| x.group_id() == Some(id));
            // Moto leaves out the protocol of an all-protocols rule.
            (egress, p.ip_protocol().filter(|x| !x.is_empty()).unwrap_or("-1").to_string(), p.from_port().unwrap_or(0), cidrs, own)
        }
    };
    let mut rules: Vec<_> = g.ip_permissions().iter().map(rule(false)).chain(g.ip_permissions_egress().iter().map(rule(true))).collect();
    rules.sort();
    Some(rules)
}

fn default_security_group(endpoint: &str, _dir: &Path) -> Case {
    const G: &str = "aws_default_security_group.d";
    let web = "  ingress {\n    protocol    = \"tcp\"\n    from_port   = 80\n    to_port     = 80\n    cidr_blocks = [\"10.0.0.0/8\"]\n    description = \"web\"\n  }\n";
    let more = "  ingress {\n    protocol  = -1\n    self      = true\n    from_port = 0\n    to_port   = 0\n  }\n\n  egress {\n    protocol    = \"tcp\"\n    from_port   = 443\n    to_port     = 443\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n";
    let config = move |vpc: &str, rules: &str, env: &str| {
        format!(
            "{}\nresource \"aws_default_security_group\" \"d\" {{\n  vpc_id = aws_vpc.{vpc}.id\n{rules}  tags   = {{ env = \"{env}\" }}\n}}\n",
            vpcs(endpoint)
        )
    };
    let web_rule = || (false, "tcp".to_string(), 80, vec!["10.0.0.0/8".to_string()], false);
    let holds = move |vpc: &'static str, all: bool, env: &'static str| {
        move |s: &State, e: &str| {
            let id = attr(s, G, "id");
            assert_eq!(id, attr(s, &format!("aws_vpc.{vpc}"), "default_security_group_id"), "the adopted group");
            let mut want = vec![web_rule()];
            if all {
                want.push((false, "-1".into(), 0, vec![], true));
                want.push((true, "tcp".into(), 443, vec!["0.0.0.0/0".into()], false));
            }
            want.sort();
            // AWS's own rules (all egress, all from the group itself) are gone unless configured.
            assert_eq!(group_rules(e, &id).expect("the group exists"), want, "the group's rules");
            assert!(tags_of(e, &id).contains(&("env".into(), env.into())), "the group's tags");
        }
    };
    let full = format!("{web}\n{more}");
    Case {
        create: Step::new(config("a", web, "dev"), &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_subnet.s", Create), (G, Create)])
            .check(holds("a", false, "dev")),
        update: Step::new(config("a", &full, "prod"), &[(G, Update)]).check(holds("a", true, "prod")),
        // Another VPC's group: the first is only forgotten.
        replace: Step::new(config("b", &full, "prod"), &[(G, DeleteThenCreate)]).check(holds("b", true, "prod")).check(|s, e| {
            let first = attr(s, "aws_vpc.a", "default_security_group_id");
            assert_eq!(group_rules(e, &first).expect("the first group is not deleted").len(), 3, "the first group keeps its rules");
        }),
        drift: Some(
            Step::new(config("b", &full, "prod"), &[(G, Update)])
                .outside(|s, e| {
                    let perm = aws_sdk_ec2::types::IpPermission::builder()
                        .ip_protocol("tcp")
                        .from_port(80)
                        .to_port(80)
                        .ip_ranges(aws_sdk_ec2::types::IpRange::builder().cidr_ip("10.0.0.0/8").description("web").build())
                        .build();
                    let id = attr(s, G, "id");
                    ec2(e, async |c| c.revoke_security_group_ingress().group_id(id).ip_permissions(perm).send().await.unwrap());
                })
                .check(holds("b", true, "prod")),
        ),
        import: Import { address: G, id: Box::new(|s, _| attr(s, G, "id")), differs: vec![], shows: vec![] },
        // Destroy forgets the group; deleting its VPC deletes it.
        exists: Box::new(|s, e| group_rules(e, &attr(s, G, "id")).is_some()),
    }
}

/// A route table's routes through any gateway (destination CIDR, gateway), sorted.
fn table_routes(e: &str, id: &str) -> Option<Vec<(String, String)>> {
    let t = ec2(e, async |c| c.describe_route_tables().route_table_ids(id).send().await.ok()?.route_tables().first().cloned())?;
    let mut routes: Vec<(String, String)> = t
        .routes()
        .iter()
        .filter(|r| r.gateway_id() != Some("local"))
        .map(|r| (r.destination_cidr_block().unwrap_or_default().to_string(), r.gateway_id().unwrap_or_default().to_string()))
        .collect();
    routes.sort();
    Some(routes)
}

fn default_route_table(endpoint: &str, _dir: &Path) -> Case {
    const T: &str = "aws_default_route_table.d";
    let config = move |vpc: &str, cidrs: &[&str], env: &str| {
        let routes: String =
            cidrs.iter().map(|c| format!("  route {{\n    cidr_block = \"{c}\"\n    gateway_id = aws_internet_gateway.gw.id\n  }}\n")).collect();
        format!(
            "{}\nresource \"aws_internet_gateway\" \"gw\" {{\n  vpc_id = aws_vpc.{vpc}.id\n}}\n\nresource \"aws_default_route_table\" \"d\" {{\n  default_route_table_id = aws_vpc.{vpc}.main_route_table_id\n{routes}  tags                   = {{ env = \"{env}\" }}\n}}\n",
            vpcs(endpoint)
        )
    };
    let holds = |vpc: &'static str, cidrs: &'static [&'static str], env: &'static str| {
        move |s: &State, e: &str| {
            let id = attr(s, T, "id");
            assert_eq!(id, attr(s, &format!("aws_vpc.{vpc}"), "main_route_table_id"), "the adopted table");
            let gw = attr(s, "aws_internet_gateway.gw", "id");
            let want: Vec<(String, String)> = cidrs.iter().map(|c| (c.to_string(), gw.clone())).collect();
            assert_eq!(table_routes(e, &id).expect("the table exists"), want, "the table's routes");
            assert!(tags_of(e, &id).contains(&("env".into(), env.into())), "the table's tags");
        }
    };
    let replaced = config("b", &["192.168.0.0/16"], "prod");
    Case {
        create: Step::new(
            config("a", &["0.0.0.0/0"], "dev"),
            &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_subnet.s", Create), ("aws_internet_gateway.gw", Create), (T, Create)],
        )
        .check(holds("a", &["0.0.0.0/0"], "dev")),
        update: Step::new(config("a", &["0.0.0.0/0", "192.168.0.0/16"], "prod"), &[(T, Update)]).check(holds("a", &["0.0.0.0/0", "192.168.0.0/16"], "prod")),
        // Another VPC's table: the first is only forgotten, with its routes.
        replace: Step::new(replaced.clone(), &[("aws_internet_gateway.gw", Update), (T, DeleteThenCreate)])
            .check(holds("b", &["192.168.0.0/16"], "prod"))
            .check(|s, e| {
                let first = attr(s, "aws_vpc.a", "main_route_table_id");
                assert_eq!(table_routes(e, &first).expect("the first table is not deleted").len(), 2, "the first table keeps its routes");
            }),
        drift: Some(
            Step::new(replaced, &[(T, Update)])
                .outside(|s, e| {
                    let id = attr(s, T, "id");
                    ec2(e, async |c| c.delete_route().route_table_id(id).destination_cidr_block("192.168.0.0/16").send().await.unwrap());
                })
                .check(holds("b", &["192.168.0.0/16"], "prod")),
        ),
        // The import id is the VPC's.
        import: Import { address: T, id: Box::new(|s, _| attr(s, "aws_vpc.b", "id")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| table_routes(e, &attr(s, T, "id")).is_some()),
    }
}

fn egress_only_internet_gateway(endpoint: &str, _dir: &Path) -> Case {
    const G: &str = "aws_egress_only_internet_gateway.gw";
    let config = |vpc: &str, env: &str| {
        format!(
            "{}\nresource \"aws_egress_only_internet_gateway\" \"gw\" {{\n  vpc_id = aws_vpc.{vpc}.id\n  tags   = {{ env = \"{env}\" }}\n}}\n",
            vpcs(endpoint)
        )
    };
    let gateway = |e: &str, id: &str| {
        ec2(e, async |c| {
            c.describe_egress_only_internet_gateways().egress_only_internet_gateway_ids(id).send().await.ok()?.egress_only_internet_gateways().first().cloned()
        })
    };
    let holds = move |vpc: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let g = gateway(e, &attr(s, G, "id")).expect("the gateway exists");
            let got: Vec<&str> = g.attachments().iter().filter_map(|a| a.vpc_id()).collect();
            assert_eq!(got, vec![attr(s, &format!("aws_vpc.{vpc}"), "id").as_str()], "the gateway's VPC");
            assert!(g.tags().iter().any(|t| t.key() == Some("env") && t.value() == Some(env)), "the gateway's tags");
        }
    };
    Case {
        create: Step::new(config("a", "dev"), &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_subnet.s", Create), (G, Create)]).check(holds("a", "dev")),
        update: Step::new(config("a", "prod"), &[(G, Update)]).check(holds("a", "prod")),
        replace: Step::new(config("b", "prod"), &[(G, DeleteThenCreate)]).check(holds("b", "prod")),
        drift: Some(
            Step::new(config("b", "prod"), &[(G, Update)])
                .outside(|s, e| {
                    let id = attr(s, G, "id");
                    ec2(e, async |c| c.delete_tags().resources(id).tags(aws_sdk_ec2::types::Tag::builder().key("env").build()).send().await.unwrap());
                })
                .check(holds("b", "prod")),
        ),
        import: Import { address: G, id: Box::new(|s, _| attr(s, G, "id")), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| gateway(e, &attr(s, G, "id")).is_some()),
    }
}

/// A DHCP options set as AWS holds it: (key, values), sorted.
fn dhcp_options(e: &str, id: &str) -> Option<Vec<(String, Vec<String>)>> {
    let o = ec2(e, async |c| c.describe_dhcp_options().dhcp_options_ids(id).send().await.ok()?.dhcp_options().first().cloned())?;
    let mut out: Vec<(String, Vec<String>)> = o
        .dhcp_configurations()
        .iter()
        .map(|c| (c.key().unwrap_or_default().to_string(), c.values().iter().filter_map(|v| v.value().map(str::to_string)).collect()))
        .collect();
    out.sort();
    Some(out)
}

fn vpc_dhcp_options(endpoint: &str, _dir: &Path) -> Case {
    const O: &str = "aws_vpc_dhcp_options.o";
    let config = |domain: &str, env: &str| {
        format!(
            "{}\nresource \"aws_vpc_dhcp_options\" \"o\" {{\n  domain_name          = \"{domain}\"\n  domain_name_servers  = [\"10.0.0.2\", \"AmazonProvidedDNS\"]\n  ntp_servers          = [\"10.0.0.3\"]\n  netbios_name_servers = [\"10.0.0.4\"]\n  netbios_node_type    = \"2\"\n  tags                 = {{ env = \"{env}\" }}\n}}\n",
            ec2_provider(endpoint)
        )
    };
    let holds = |domain: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let got = dhcp_options(e, &attr(s, O, "id")).expect("the options exist");
            let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
            let want = vec![
                ("domain-name".to_string(), v(&[domain])),
                ("domain-name-servers".to_string(), v(&["10.0.0.2", "AmazonProvidedDNS"])),
                ("netbios-name-servers".to_string(), v(&["10.0.0.4"])),
                ("netbios-node-type".to_string(), v(&["2"])),
                ("ntp-servers".to_string(), v(&["10.0.0.3"])),
            ];
            assert_eq!(got, want, "the options");
            assert!(tags_of(e, &attr(s, O, "id")).contains(&("env".into(), env.into())), "the options' tags");
        }
    };
    Case {
        create: Step::new(config("example.com", "dev"), &[(O, Create)]).check(holds("example.com", "dev")),
        update: Step::new(config("example.com", "prod"), &[(O, Update)]).check(holds("example.com", "prod")),
        replace: Step::new(config("example.org", "prod"), &[(O, DeleteThenCreate)]).check(holds("example.org", "prod")),
        drift: Some(
            Step::new(config("example.org", "prod"), &[(O, Create)])
                .outside(|s, e| {
                    let id = attr(s, O, "id");
                    ec2(e, async |c| c.delete_dhcp_options().dhcp_options_id(id).send().await.unwrap());
                })
                .check(holds("example.org", "prod")),
        ),
        import: Import { address: O, id: Box::new(|s, _| attr(s, O, "id")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| dhcp_options(e, &attr(s, O, "id")).is_some()),
    }
}

fn vpc_dhcp_options_association(endpoint: &str, _dir: &Path) -> Case {
    const A: &str = "aws_vpc_dhcp_options_association.x";
    // Moto keeps a set's VPC after that VPC moves to another set (and then refuses to delete
    // the set): the update moves to the default options instead.
    let config = |vpc: &str, options: &str| {
        format!(
            "{}\nresource \"aws_vpc_dhcp_options\" \"o\" {{\n  domain_name = \"one.example\"\n}}\n\nresource \"aws_vpc_dhcp_options_association\" \"x\" {{\n  vpc_id          = aws_vpc.{vpc}.id\n  dhcp_options_id = {options}\n}}\n",
            vpcs(endpoint)
        )
    };
    let options_of =
        |e: &str, vpc: &str| ec2(e, async |c| c.describe_vpcs().vpc_ids(vpc).send().await.ok()?.vpcs().first()?.dhcp_options_id().map(str::to_string));
    let uses = move |vpc: &'static str, set: bool| {
        move |s: &State, e: &str| {
            let want = if set { attr(s, "aws_vpc_dhcp_options.o", "id") } else { "default".to_string() };
            assert_eq!(options_of(e, &attr(s, &format!("aws_vpc.{vpc}"), "id")), Some(want), "the VPC's DHCP options");
        }
    };
    const SET: &str = "aws_vpc_dhcp_options.o.id";
    let all = [("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_subnet.s", Create), ("aws_vpc_dhcp_options.o", Create), (A, Create)];
    Case {
        create: Step::new(config("a", SET), &all).check(uses("a", true)),
        update: Step::new(config("a", "\"default\""), &[(A, Update)]).check(uses("a", false)),
        replace: Step::new(config("b", SET), &[(A, DeleteThenCreate)]).check(uses("b", true)).check(uses("a", false)),
        drift: Some(
            Step::new(config("b", SET), &[(A, Create)])
                .outside(|s, e| {
                    let vpc = attr(s, "aws_vpc.b", "id");
                    ec2(e, async |c| c.associate_dhcp_options().dhcp_options_id("default").vpc_id(vpc).send().await.unwrap());
                })
                .check(uses("b", true)),
        ),
        // The import id is the VPC's.
        import: Import { address: A, id: Box::new(|s, _| attr(s, "aws_vpc.b", "id")), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| options_of(e, &attr(s, "aws_vpc.b", "id")).is_some_and(|o| o != "default")),
    }
}

fn ec2_tag(endpoint: &str, _dir: &Path) -> Case {
    const T: &str = "aws_ec2_tag.t";
    // As Terraform's documentation says, the tagged object's own `tags` must ignore the tag.
    let tagged = vpcs(endpoint).replace("  cidr_block = \"10.", "  lifecycle {\n    ignore_changes = [tags]\n  }\n  cidr_block = \"10.");
    let config = move |vpc: &str, key: &str, value: &str| {
        format!("{tagged}\nresource \"aws_ec2_tag\" \"t\" {{\n  resource_id = aws_vpc.{vpc}.id\n  key         = \"{key}\"\n  value       = \"{value}\"\n}}\n")
    };
    let holds = |vpc: &'static str, key: &'static str, value: &'static str| {
        move |s: &State, e: &str| {
            let id = attr(s, &format!("aws_vpc.{vpc}"), "id");
            assert!(tags_of(e, &id).contains(&(key.into(), value.into())), "the VPC's tags");
            assert_eq!(attr(s, T, "id"), format!("{id},{key}"));
        }
    };
    Case {
        create: Step::new(config("a", "team", "web"), &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_subnet.s", Create), (T, Create)])
            .check(holds("a", "team", "web")),
        update: Step::new(config("a", "team", "data"), &[(T, Update)]).check(holds("a", "team", "data")),
        replace: Step::new(config("b", "owner", "data"), &[(T, DeleteThenCreate)]).check(holds("b", "owner", "data")).check(|s, e| {
            assert!(!tags_of(e, &attr(s, "aws_vpc.a", "id")).iter().any(|(k, _)| k == "team"), "the first tag is removed");
        }),
        drift: Some(
            Step::new(config("b", "owner", "data"), &[(T, Create)])
                .outside(|s, e| {
                    let id = attr(s, "aws_vpc.b", "id");
                    ec2(e, async |c| c.delete_tags().resources(id).tags(aws_sdk_ec2::types::Tag::builder().key("owner").build()).send().await.unwrap());
                })
                .check(holds("b", "owner", "data")),
        ),
        import: Import { address: T, id: Box::new(|s, _| format!("{},owner", attr(s, "aws_vpc.b", "id"))), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| tags_of(e, &attr(s, "aws_vpc.b", "id")).iter().any(|(k, _)| k == "owner")),
    }
}

fn flow_log(endpoint: &str, _dir: &Path) -> Case {
    const F: &str = "aws_flow_log.f";
    let bucket = crate::common::unique("flowlogs");
    let config = move |vpc: &str, env: &str| {
        format!(
            "{}\nresource \"aws_s3_bucket\" \"logs\" {{\n  bucket        = \"{bucket}\"\n  force_destroy = true\n}}\n\nresource \"aws_flow_log\" \"f\" {{\n  vpc_id                   = aws_vpc.{vpc}.id\n  traffic_type             = \"ALL\"\n  log_destination_type     = \"s3\"\n  log_destination          = aws_s3_bucket.logs.arn\n  max_aggregation_interval = 60\n  tags                     = {{ env = \"{env}\" }}\n}}\n",
            vpcs(endpoint)
        )
    };
    let flow = |e: &str, id: &str| ec2(e, async |c| c.describe_flow_logs().flow_log_ids(id).send().await.ok()?.flow_logs().first().cloned());
    let holds = move |vpc: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let f = flow(e, &attr(s, F, "id")).expect("the flow log exists");
            assert_eq!(f.resource_id(), Some(attr(s, &format!("aws_vpc.{vpc}"), "id").as_str()), "the logged VPC");
            assert_eq!((f.traffic_type().map(|t| t.as_str()), f.max_aggregation_interval()), (Some("ALL"), Some(60)));
            assert_eq!(f.log_destination(), Some(attr(s, "aws_s3_bucket.logs", "arn").as_str()));
            assert!(f.tags().iter().any(|t| t.key() == Some("env") && t.value() == Some(env)), "the flow log's tags");
            assert!(attr(s, F, "arn").ends_with(&format!(":vpc-flow-log/{}", attr(s, F, "id"))));
        }
    };
    let c = config.clone();
    Case {
        create: Step::new(
            config("a", "dev"),
            &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_subnet.s", Create), ("aws_s3_bucket.logs", Create), (F, Create)],
        )
        .check(holds("a", "dev")),
        update: Step::new(config("a", "prod"), &[(F, Update)]).check(holds("a", "prod")),
        replace: Step::new(c("b", "prod"), &[(F, DeleteThenCreate)]).check(holds("b", "prod")),
        drift: Some(
            Step::new(c("b", "prod"), &[(F, Update)])
                .outside(|s, e| {
                    let id = attr(s, F, "id");
                    ec2(e, async |c| c.delete_tags().resources(id).tags(aws_sdk_ec2::types::Tag::builder().key("env").build()).send().await.unwrap());
                })
                .check(holds("b", "prod")),
        ),
        import: Import { address: F, id: Box::new(|s, _| attr(s, F, "id")), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| flow(e, &attr(s, F, "id")).is_some()),
    }
}
