//! AWS networking cases, against moto: internet gateways, route tables and routes. Results are
//! checked with the EC2 SDK, not through skyform.

use std::path::Path;

use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{rt, unique};
use crate::test_aws::{ec2_client, ec2_provider};

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_internet_gateway() {
    run("aws_internet_gateway", MOTO, internet_gateway);
}

#[test]
fn aws_route_table() {
    run("aws_route_table", MOTO, route_table);
}

#[test]
fn aws_route() {
    run("aws_route", MOTO, route);
}

#[test]
fn aws_route_table_association() {
    run("aws_route_table_association", MOTO, route_table_association);
}

#[test]
fn aws_eip() {
    run("aws_eip", MOTO, eip);
}

#[test]
fn aws_nat_gateway() {
    run("aws_nat_gateway", MOTO, nat_gateway);
}

#[test]
fn aws_vpc_security_group_ingress_rule() {
    run("aws_vpc_security_group_ingress_rule", MOTO, |e, d| sg_rule(e, d, "ingress"));
}

#[test]
fn aws_vpc_security_group_egress_rule() {
    run("aws_vpc_security_group_egress_rule", MOTO, |e, d| sg_rule(e, d, "egress"));
}

#[test]
fn aws_key_pair() {
    run("aws_key_pair", MOTO, key_pair);
}

#[test]
fn aws_security_group_rule() {
    run("aws_security_group_rule", MOTO, security_group_rule);
}

/// Runs `f` with an EC2 client on a fresh runtime.
fn ec2<T>(endpoint: &str, f: impl AsyncFnOnce(aws_sdk_ec2::Client) -> T) -> T {
    rt().block_on(async { f(ec2_client(endpoint).await).await })
}

/// Two VPCs, `a` and `b`.
fn vpcs(endpoint: &str) -> String {
    format!(
        "{}\nresource \"aws_vpc\" \"a\" {{\n  cidr_block = \"10.0.0.0/16\"\n}}\n\nresource \"aws_vpc\" \"b\" {{\n  cidr_block = \"10.1.0.0/16\"\n}}\n",
        ec2_provider(endpoint)
    )
}

fn internet_gateway(endpoint: &str, _dir: &Path) -> Case {
    let config = |vpc: &str, env: &str| {
        format!("{}\nresource \"aws_internet_gateway\" \"gw\" {{\n  vpc_id = aws_vpc.{vpc}.id\n  tags   = {{ env = \"{env}\" }}\n}}\n", vpcs(endpoint))
    };
    let gateway =
        |e: &str, id: &str| ec2(e, async |c| c.describe_internet_gateways().internet_gateway_ids(id).send().await.ok()?.internet_gateways().first().cloned());
    let attached_to = move |vpc: &'static str| {
        move |s: &State, e: &str| {
            let g = gateway(e, &attr(s, "aws_internet_gateway.gw", "id")).expect("the gateway exists");
            let got: Vec<String> = g.attachments().iter().filter_map(|a| a.vpc_id().map(str::to_string)).collect();
            assert_eq!(got, vec![attr(s, &format!("aws_vpc.{vpc}"), "id")], "the gateway's attachment");
        }
    };
    let replaced = config("b", "prod")
        .replace("10.1.0.0/16", "10.2.0.0/16")
        .replace("  tags   = {", "  lifecycle {\n    replace_triggered_by = [aws_vpc.b]\n  }\n  tags   = {");
    Case {
        create: Step::new(config("a", "dev"), &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_internet_gateway.gw", Create)]).check(attached_to("a")),
        // Moving to another VPC detaches and attaches in place.
        update: Step::new(config("b", "prod"), &[("aws_internet_gateway.gw", Update)]).shows("~ vpc_id").check(attached_to("b")),
        // No argument replaces a gateway: a replaced VPC does, through `replace_triggered_by`.
        replace: Step::new(replaced.clone(), &[("aws_vpc.b", DeleteThenCreate), ("aws_internet_gateway.gw", DeleteThenCreate)]).check(attached_to("b")),
        // Detached outside skyform: attached again.
        drift: Some(
            Step::new(replaced, &[("aws_internet_gateway.gw", Update)])
                .outside(|s, e| {
                    let (id, vpc) = (attr(s, "aws_internet_gateway.gw", "id"), attr(s, "aws_vpc.b", "id"));
                    ec2(e, async |c| c.detach_internet_gateway().internet_gateway_id(id).vpc_id(vpc).send().await.unwrap());
                })
                .shows("+ vpc_id")
                .check(attached_to("b")),
        ),
        import: Import { address: "aws_internet_gateway.gw", id: Box::new(|s, _| attr(s, "aws_internet_gateway.gw", "id")), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| gateway(e, &attr(s, "aws_internet_gateway.gw", "id")).is_some()),
    }
}

fn route_table(endpoint: &str, _dir: &Path) -> Case {
    let config = |vpc: &str, cidrs: &[&str]| {
        let routes: String =
            cidrs.iter().map(|c| format!("  route {{\n    cidr_block = \"{c}\"\n    gateway_id = aws_internet_gateway.gw.id\n  }}\n")).collect();
        format!(
            "{}\nresource \"aws_internet_gateway\" \"gw\" {{\n  vpc_id = aws_vpc.{vpc}.id\n}}\n\nresource \"aws_route_table\" \"rt\" {{\n  vpc_id = aws_vpc.{vpc}.id\n{routes}  tags   = {{ Name = \"rt\" }}\n}}\n",
            vpcs(endpoint)
        )
    };
    let table = |e: &str, id: &str| ec2(e, async |c| c.describe_route_tables().route_table_ids(id).send().await.ok()?.route_tables().first().cloned());
    let routes_are = |want: &'static [&'static str]| {
        move |s: &State, e: &str| {
            let t = table(e, &attr(s, "aws_route_table.rt", "id")).expect("the table exists");
            let gw = attr(s, "aws_internet_gateway.gw", "id");
            let mut got: Vec<&str> = t.routes().iter().filter(|r| r.gateway_id() == Some(gw.as_str())).filter_map(|r| r.destination_cidr_block()).collect();
            got.sort();
            assert_eq!(got, want, "the table's routes through the gateway");
        }
    };
    Case {
        create: Step::new(
            config("a", &["0.0.0.0/0"]),
            &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_internet_gateway.gw", Create), ("aws_route_table.rt", Create)],
        )
        .check(routes_are(&["0.0.0.0/0"])),
        update: Step::new(config("a", &["0.0.0.0/0", "192.168.0.0/16"]), &[("aws_route_table.rt", Update)]).check(routes_are(&["0.0.0.0/0", "192.168.0.0/16"])),
        replace: Step::new(config("b", &["192.168.0.0/16"]), &[("aws_internet_gateway.gw", Update), ("aws_route_table.rt", DeleteThenCreate)])
            .check(routes_are(&["192.168.0.0/16"])),
        // A route deleted outside skyform: created again.
        drift: Some(
            Step::new(config("b", &["192.168.0.0/16"]), &[("aws_route_table.rt", Update)])
                .outside(|s, e| {
                    let id = attr(s, "aws_route_table.rt", "id");
                    ec2(e, async |c| c.delete_route().route_table_id(id).destination_cidr_block("192.168.0.0/16").send().await.unwrap());
                })
                .check(routes_are(&["192.168.0.0/16"])),
        ),
        import: Import { address: "aws_route_table.rt", id: Box::new(|s, _| attr(s, "aws_route_table.rt", "id")), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| table(e, &attr(s, "aws_route_table.rt", "id")).is_some()),
    }
}

fn route(endpoint: &str, _dir: &Path) -> Case {
    // `gw2` is not attached: moto routes to it all the same, which lets the target change.
    let config = |cidr: &str, gw: &str| {
        format!(
            "{}\nresource \"aws_internet_gateway\" \"gw1\" {{\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_internet_gateway\" \"gw2\" {{\n}}\n\nresource \"aws_route_table\" \"rt\" {{\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_route\" \"r\" {{\n  route_table_id         = aws_route_table.rt.id\n  destination_cidr_block = \"{cidr}\"\n  gateway_id             = aws_internet_gateway.{gw}.id\n}}\n",
            vpcs(endpoint)
        )
    };
    let target = |e: &str, table: &str, cidr: &str| {
        let t = ec2(e, async |c| c.describe_route_tables().route_table_ids(table).send().await.ok()?.route_tables().first().cloned())?;
        t.routes().iter().find(|r| r.destination_cidr_block() == Some(cidr)).and_then(|r| r.gateway_id().map(str::to_string))
    };
    let routes_to = move |cidr: &'static str, gw: &'static str| {
        move |s: &State, e: &str| {
            let want = attr(s, &format!("aws_internet_gateway.{gw}"), "id");
            assert_eq!(target(e, &attr(s, "aws_route_table.rt", "id"), cidr), Some(want), "the route's target");
            assert!(attr(s, "aws_route.r", "id").starts_with(&format!("r-{}", attr(s, "aws_route_table.rt", "id"))));
        }
    };
    let all = [
        ("aws_vpc.a", Create),
        ("aws_vpc.b", Create),
        ("aws_internet_gateway.gw1", Create),
        ("aws_internet_gateway.gw2", Create),
        ("aws_route_table.rt", Create),
        ("aws_route.r", Create),
    ];
    Case {
        create: Step::new(config("0.0.0.0/0", "gw1"), &all).check(routes_to("0.0.0.0/0", "gw1")),
        update: Step::new(config("0.0.0.0/0", "gw2"), &[("aws_route.r", Update)]).check(routes_to("0.0.0.0/0", "gw2")),
        replace: Step::new(config("10.9.0.0/16", "gw2"), &[("aws_route.r", DeleteThenCreate)]).check(routes_to("10.9.0.0/16", "gw2")),
        drift: Some(
            Step::new(config("10.9.0.0/16", "gw2"), &[("aws_route.r", Create)])
                .outside(|s, e| {
                    let id = attr(s, "aws_route_table.rt", "id");
                    ec2(e, async |c| c.delete_route().route_table_id(id).destination_cidr_block("10.9.0.0/16").send().await.unwrap());
                })
                .check(routes_to("10.9.0.0/16", "gw2")),
        ),
        import: Import {
            address: "aws_route.r",
            id: Box::new(|s, _| format!("{}_10.9.0.0/16", attr(s, "aws_route_table.rt", "id"))),
            differs: vec![],
            shows: vec![],
        },
        exists: Box::new(move |s, e| target(e, &attr(s, "aws_route_table.rt", "id"), "10.9.0.0/16").is_some()),
    }
}

fn route_table_association(endpoint: &str, _dir: &Path) -> Case {
    let config = |subnet: &str, table: &str| {
        format!(
            "{}\nresource \"aws_subnet\" \"s1\" {{\n  vpc_id     = aws_vpc.a.id\n  cidr_block = \"10.0.1.0/24\"\n}}\n\nresource \"aws_subnet\" \"s2\" {{\n  vpc_id     = aws_vpc.a.id\n  cidr_block = \"10.0.2.0/24\"\n}}\n\nresource \"aws_route_table\" \"t1\" {{\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_route_table\" \"t2\" {{\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_route_table_association\" \"x\" {{\n  subnet_id      = aws_subnet.{subnet}.id\n  route_table_id = aws_route_table.{table}.id\n}}\n",
            vpcs(endpoint)
        )
    };
    // The table associated with a subnet (explicitly), if any.
    let table_of = |e: &str, subnet: &str| {
        let f = aws_sdk_ec2::types::Filter::builder().name("association.subnet-id").values(subnet).build();
        let tables = ec2(e, async |c| c.describe_route_tables().filters(f).send().await.unwrap());
        tables
            .route_tables()
            .iter()
            .find(|t| t.associations().iter().any(|a| a.subnet_id() == Some(subnet)))
            .and_then(|t| t.route_table_id().map(str::to_string))
    };
    let associated = move |subnet: &'static str, table: &'static str| {
        move |s: &State, e: &str| {
            let want = attr(s, &format!("aws_route_table.{table}"), "id");
            assert_eq!(table_of(e, &attr(s, &format!("aws_subnet.{subnet}"), "id")), Some(want), "the subnet's route table");
        }
    };
    let all = [
        ("aws_vpc.a", Create),
        ("aws_vpc.b", Create),
        ("aws_subnet.s1", Create),
        ("aws_subnet.s2", Create),
        ("aws_route_table.t1", Create),
        ("aws_route_table.t2", Create),
        ("aws_route_table_association.x", Create),
    ];
    Case {
        create: Step::new(config("s1", "t1"), &all).check(associated("s1", "t1")),
        update: Step::new(config("s1", "t2"), &[("aws_route_table_association.x", Update)]).check(associated("s1", "t2")),
        replace: Step::new(config("s2", "t2"), &[("aws_route_table_association.x", DeleteThenCreate)]).check(associated("s2", "t2")),
        drift: Some(
            Step::new(config("s2", "t2"), &[("aws_route_table_association.x", Create)])
                .outside(|s, e| {
                    let id = attr(s, "aws_route_table_association.x", "id");
                    ec2(e, async |c| c.disassociate_route_table().association_id(id).send().await.unwrap());
                })
                .check(associated("s2", "t2")),
        ),
        import: Import {
            address: "aws_route_table_association.x",
            id: Box::new(|s, _| format!("{}/{}", attr(s, "aws_subnet.s2", "id"), attr(s, "aws_route_table.t2", "id"))),
            differs: vec![],
            shows: vec![],
        },
        exists: Box::new(move |s, e| table_of(e, &attr(s, "aws_subnet.s2", "id")).is_some()),
    }
}

fn eip(endpoint: &str, _dir: &Path) -> Case {
    // No argument of a VPC address but `domain` replaces it: a replaced VPC does, through
    // `replace_triggered_by`.
    let config = |cidr: &str, env: &str| {
        format!(
            "{}\nresource \"aws_eip\" \"ip\" {{\n  domain = \"vpc\"\n  tags   = {{ env = \"{env}\" }}\n  lifecycle {{\n    replace_triggered_by = [aws_vpc.b]\n  }}\n}}\n",
            vpcs(endpoint).replace("10.1.0.0/16", cidr)
        )
    };
    let address = |e: &str, id: &str| ec2(e, async |c| c.describe_addresses().allocation_ids(id).send().await.ok()?.addresses().first().cloned());
    let tagged = |env: &'static str| {
        move |s: &State, e: &str| {
            let a = address(e, &attr(s, "aws_eip.ip", "id")).expect("the address exists");
            assert_eq!(a.public_ip(), Some(attr(s, "aws_eip.ip", "public_ip").as_str()));
            assert!(a.tags().iter().any(|t| t.key() == Some("env") && t.value() == Some(env)), "the address's tags");
        }
    };
    let first = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (keep, old) = (first.clone(), first);
    Case {
        create: Step::new(config("10.1.0.0/16", "dev"), &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_eip.ip", Create)])
            .check(tagged("dev"))
            .check(move |s, _| *keep.borrow_mut() = attr(s, "aws_eip.ip", "id")),
        update: Step::new(config("10.1.0.0/16", "prod"), &[("aws_eip.ip", Update)]).check(tagged("prod")),
        replace: Step::new(config("10.2.0.0/16", "prod"), &[("aws_vpc.b", DeleteThenCreate), ("aws_eip.ip", DeleteThenCreate)]).check(move |s, e| {
            assert!(address(e, &old.borrow()).is_none(), "the first address must be released");
            assert!(address(e, &attr(s, "aws_eip.ip", "id")).is_some());
        }),
        drift: Some(
            Step::new(config("10.2.0.0/16", "prod"), &[("aws_eip.ip", Update)])
                .outside(|s, e| {
                    let id = attr(s, "aws_eip.ip", "id");
                    ec2(e, async |c| c.delete_tags().resources(id).tags(aws_sdk_ec2::types::Tag::builder().key("env").build()).send().await.unwrap());
                })
                .check(tagged("prod")),
        ),
        import: Import { address: "aws_eip.ip", id: Box::new(|s, _| attr(s, "aws_eip.ip", "id")), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| address(e, &attr(s, "aws_eip.ip", "id")).is_some()),
    }
}

fn nat_gateway(endpoint: &str, _dir: &Path) -> Case {
    // Moto keeps a deleted gateway's address associated, so the replacement takes another address.
    let config = |subnet: &str, ip: &str, env: &str| {
        format!(
            "{}\nresource \"aws_subnet\" \"s1\" {{\n  vpc_id     = aws_vpc.a.id\n  cidr_block = \"10.0.1.0/24\"\n}}\n\nresource \"aws_subnet\" \"s2\" {{\n  vpc_id     = aws_vpc.a.id\n  cidr_block = \"10.0.2.0/24\"\n}}\n\nresource \"aws_internet_gateway\" \"gw\" {{\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_eip\" \"ip\" {{\n  domain = \"vpc\"\n}}\n\nresource \"aws_eip\" \"ip2\" {{\n  domain = \"vpc\"\n}}\n\nresource \"aws_nat_gateway\" \"nat\" {{\n  allocation_id = aws_eip.{ip}.id\n  subnet_id     = aws_subnet.{subnet}.id\n  tags          = {{ env = \"{env}\" }}\n  depends_on    = [aws_internet_gateway.gw]\n}}\n",
            vpcs(endpoint)
        )
    };
    let gateway = |e: &str, id: &str| {
        let g = ec2(e, async |c| c.describe_nat_gateways().nat_gateway_ids(id).send().await.ok()?.nat_gateways().first().cloned())?;
        (g.state() != Some(&aws_sdk_ec2::types::NatGatewayState::Deleted)).then_some(g)
    };
    let is = |subnet: &'static str, ip: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let g = gateway(e, &attr(s, "aws_nat_gateway.nat", "id")).expect("the gateway exists");
            assert_eq!(g.subnet_id(), Some(attr(s, &format!("aws_subnet.{subnet}"), "id").as_str()));
            assert_eq!(g.state(), Some(&aws_sdk_ec2::types::NatGatewayState::Available));
            assert!(g.tags().iter().any(|t| t.key() == Some("env") && t.value() == Some(env)), "the gateway's tags");
            assert_eq!(attr(s, "aws_nat_gateway.nat", "public_ip"), attr(s, &format!("aws_eip.{ip}"), "public_ip"));
        }
    };
    let all = [
        ("aws_vpc.a", Create),
        ("aws_vpc.b", Create),
        ("aws_subnet.s1", Create),
        ("aws_subnet.s2", Create),
        ("aws_internet_gateway.gw", Create),
        ("aws_eip.ip", Create),
        ("aws_eip.ip2", Create),
        ("aws_nat_gateway.nat", Create),
    ];
    Case {
        create: Step::new(config("s1", "ip", "dev"), &all).check(is("s1", "ip", "dev")),
        update: Step::new(config("s1", "ip", "prod"), &[("aws_nat_gateway.nat", Update)]).check(is("s1", "ip", "prod")),
        replace: Step::new(config("s2", "ip2", "prod"), &[("aws_nat_gateway.nat", DeleteThenCreate)]).check(is("s2", "ip2", "prod")),
        drift: Some(
            Step::new(config("s2", "ip2", "prod"), &[("aws_nat_gateway.nat", Update)])
                .outside(|s, e| {
                    let id = attr(s, "aws_nat_gateway.nat", "id");
                    ec2(e, async |c| c.delete_tags().resources(id).tags(aws_sdk_ec2::types::Tag::builder().key("env").build()).send().await.unwrap());
                })
                .check(is("s2", "ip2", "prod")),
        ),
        import: Import { address: "aws_nat_gateway.nat", id: Box::new(|s, _| attr(s, "aws_nat_gateway.nat", "id")), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| gateway(e, &attr(s, "aws_nat_gateway.nat", "id")).is_some()),
    }
}

fn sg_rule(endpoint: &str, _dir: &Path, direction: &'static str) -> Case {
    let address: &'static str = if direction == "ingress" { "aws_vpc_security_group_ingress_rule.r" } else { "aws_vpc_security_group_egress_rule.r" };
    let config = move |group: &str, port: u16| {
        format!(
            "{}\nresource \"aws_security_group\" \"g1\" {{\n  name   = \"{direction}-g1\"\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_security_group\" \"g2\" {{\n  name   = \"{direction}-g2\"\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_vpc_security_group_{direction}_rule\" \"r\" {{\n  security_group_id = aws_security_group.{group}.id\n  ip_protocol       = \"tcp\"\n  from_port         = {port}\n  to_port           = {port}\n  cidr_ipv4         = \"10.0.0.0/8\"\n  description       = \"web\"\n  tags              = {{ Name = \"web\" }}\n}}\n",
            vpcs(endpoint),
        )
    };
    let rule = |e: &str, id: &str| {
        ec2(e, async |c| c.describe_security_group_rules().security_group_rule_ids(id).send().await.ok()?.security_group_rules().first().cloned())
    };
    let is = move |group: &'static str, port: i32| {
        move |s: &State, e: &str| {
            let r = rule(e, &attr(s, address, "id")).expect("the rule exists");
            assert_eq!(
                (r.group_id(), r.from_port(), r.to_port(), r.cidr_ipv4()),
                (Some(attr(s, &format!("aws_security_group.{group}"), "id").as_str()), Some(port), Some(port), Some("10.0.0.0/8"))
            );
            assert_eq!(r.is_egress(), Some(direction == "egress"));
        }
    };
    let all = vec![("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_security_group.g1", Create), ("aws_security_group.g2", Create), (address, Create)];
    Case {
        create: Step::new(config("g1", 80), &all).check(is("g1", 80)),
        update: Step::new(config("g1", 443), &[(address, Update)]).check(is("g1", 443)),
        replace: Step::new(config("g2", 443), &[(address, DeleteThenCreate)]).check(is("g2", 443)),
        drift: Some(
            Step::new(config("g2", 443), &[(address, Create)])
                .outside(move |s, e| {
                    let (group, id) = (attr(s, "aws_security_group.g2", "id"), attr(s, address, "id"));
                    if direction == "ingress" {
                        ec2(e, async |c| c.revoke_security_group_ingress().group_id(group).security_group_rule_ids(id).send().await.unwrap());
                    } else {
                        ec2(e, async |c| c.revoke_security_group_egress().group_id(group).security_group_rule_ids(id).send().await.unwrap());
                    }
                })
                .check(is("g2", 443)),
        ),
        import: Import { address, id: Box::new(move |s, _| attr(s, address, "id")), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| rule(e, &attr(s, address, "id")).is_some()),
    }
}

/// Two ed25519 public keys made for this test (no private key is kept).
const KEYS: [&str; 2] = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFhlBJkU6JanQpIs+h/BQBT1BZ1R2q7NEMdc5XM6SV7X one",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHPKFoPumCgFnGkygejVsWa2tDW4Kln3C8DYvqb6l4oM two",
];

fn key_pair(endpoint: &str, _dir: &Path) -> Case {
    let name = unique("key");
    let config = move |key: &str, env: &str| {
        format!(
            "{}\nresource \"aws_key_pair\" \"k\" {{\n  key_name   = \"{name}\"\n  public_key = \"{key}\"\n  tags       = {{ env = \"{env}\" }}\n}}\n",
            ec2_provider(endpoint)
        )
    };
    let pair = |e: &str, name: &str| ec2(e, async |c| c.describe_key_pairs().key_names(name).send().await.ok()?.key_pairs().first().cloned());
    let is = |env: &'static str| {
        move |s: &State, e: &str| {
            let k = pair(e, &attr(s, "aws_key_pair.k", "id")).expect("the key pair exists");
            assert_eq!(k.key_fingerprint(), Some(attr(s, "aws_key_pair.k", "fingerprint").as_str()));
            assert_eq!(k.key_pair_id(), Some(attr(s, "aws_key_pair.k", "key_pair_id").as_str()));
            assert!(k.tags().iter().any(|t| t.key() == Some("env") && t.value() == Some(env)), "the key pair's tags");
        }
    };
    Case {
        create: Step::new(config(KEYS[0], "dev"), &[("aws_key_pair.k", Create)]).check(is("dev")),
        update: Step::new(config(KEYS[0], "prod"), &[("aws_key_pair.k", Update)]).check(is("prod")),
        replace: Step::new(config(KEYS[1], "prod"), &[("aws_key_pair.k", DeleteThenCreate)]).check(is("prod")),
        drift: Some(
            Step::new(config(KEYS[1], "prod"), &[("aws_key_pair.k", Create)])
                .outside(|s, e| {
                    let name = attr(s, "aws_key_pair.k", "id");
                    ec2(e, async |c| c.delete_key_pair().key_name(name).send().await.unwrap());
                })
                .check(is("prod")),
        ),
        import: Import { address: "aws_key_pair.k", id: Box::new(|s, _| attr(s, "aws_key_pair.k", "id")), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| pair(e, &attr(s, "aws_key_pair.k", "id")).is_some()),
    }
}

fn security_group_rule(endpoint: &str, _dir: &Path) -> Case {
    let group = unique("sgr");
    let config = move |port: u16, desc: &str| {
        format!(
            "{}\nresource \"aws_security_group\" \"g\" {{\n  name   = \"{group}\"\n  vpc_id = aws_vpc.a.id\n}}\n\nresource \"aws_security_group_rule\" \"r\" {{\n  security_group_id = aws_security_group.g.id\n  type              = \"ingress\"\n  protocol          = \"tcp\"\n  from_port         = {port}\n  to_port           = {port}\n  cidr_blocks       = [\"10.0.0.0/8\"]\n  description       = \"{desc}\"\n}}\n",
            vpcs(endpoint)
        )
    };
    let perms = |e: &str, id: &str| {
        let g = ec2(e, async |c| c.describe_security_groups().group_ids(id).send().await.ok()?.security_groups().first().cloned());
        g.map(|g| {
            g.ip_permissions()
                .iter()
                .flat_map(|p| p.ip_ranges().iter().map(|r| (p.from_port().unwrap_or(0), r.description().unwrap_or_default().to_string())))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    let is = move |port: i32, desc: &'static str| {
        move |s: &State, e: &str| {
            assert_eq!(perms(e, &attr(s, "aws_security_group.g", "id")), vec![(port, desc.to_string())], "the group's ingress");
            assert!(attr(s, "aws_security_group_rule.r", "id").starts_with("sgrule-"));
        }
    };
    Case {
        create: Step::new(
            config(80, "web"),
            &[("aws_vpc.a", Create), ("aws_vpc.b", Create), ("aws_security_group.g", Create), ("aws_security_group_rule.r", Create)],
        )
        .check(is(80, "web")),
        update: Step::new(config(80, "http"), &[("aws_security_group_rule.r", Update)]).check(is(80, "http")),
        replace: Step::new(config(443, "http"), &[("aws_security_group_rule.r", DeleteThenCreate)]).check(is(443, "http")),
        drift: Some(
            Step::new(config(443, "http"), &[("aws_security_group_rule.r", Create)])
                .outside(|s, e| {
                    let perm = aws_sdk_ec2::types::IpPermission::builder()
                        .ip_protocol("tcp")
                        .from_port(443)
                        .to_port(443)
                        .ip_ranges(aws_sdk_ec2::types::IpRange::builder().cidr_ip("10.0.0.0/8").build())
                        .build();
                    let id = attr(s, "aws_security_group.g", "id");
                    ec2(e, async |c| c.revoke_security_group_ingress().group_id(id).ip_permissions(perm).send().await.unwrap());
                })
                .check(is(443, "http")),
        ),
        import: Import {
            address: "aws_security_group_rule.r",
            id: Box::new(|s, _| format!("{}_ingress_tcp_443_443_10.0.0.0/8", attr(s, "aws_security_group.g", "id"))),
            differs: vec![],
            shows: vec![],
        },
        exists: Box::new(move |s, e| !perms(e, &attr(s, "aws_security_group.g", "id")).is_empty()),
    }
}
