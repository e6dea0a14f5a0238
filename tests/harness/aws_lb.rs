//! Cases of Elastic Load Balancing v2 (load balancers, target groups and listeners, over the
//! Query client), against moto. Results are checked with direct ELBv2 calls through the
//! library's signed client, not through the resource types.

use std::collections::BTreeMap;
use std::path::Path;

use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::provider::aws::query_api::{Params, QueryApi, Xml, ELBV2};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{rt, unique};
use crate::test_aws::provider_block;

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_lb() {
    run("aws_lb", MOTO, lb);
}

#[test]
fn aws_lb_target_group() {
    run("aws_lb_target_group", MOTO, target_group);
}

#[test]
fn aws_lb_listener() {
    run("aws_lb_listener", MOTO, listener);
}

/// The provider block with ELBv2 and EC2 at the emulator.
fn provider(endpoint: &str) -> String {
    let lines: String = ["elbv2", "ec2"].iter().map(|s| format!("    {s} = \"{endpoint}\"\n")).collect();
    provider_block(endpoint).replace("    s3 = ", &format!("{lines}    s3 = "))
}

/// One ELBv2 call outside skyform: the answer, or the error code.
fn elbv2(endpoint: &str, action: &str, params: Params) -> Result<Xml, String> {
    let api = QueryApi::for_endpoint(endpoint, "eu-west-1", "test", "test");
    rt().block_on(api.call(&ELBV2, action, params)).map_err(|e| e.code)
}

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn tags_of(e: &str, arn: &str) -> BTreeMap<String, String> {
    let x = elbv2(e, "DescribeTags", Params::new().list("ResourceArns", [arn])).expect("DescribeTags");
    x.find("TagDescriptions").and_then(|d| d.all("member").next()).map(|d| d.pairs("Tags", ("Key", "Value"))).unwrap_or_default()
}

fn attributes(x: &Xml) -> BTreeMap<String, String> {
    x.find("Attributes")
        .map(|a| a.all("member").map(|m| (m.text_of("Key").unwrap_or_default(), m.text_of("Value").unwrap_or_default())).collect())
        .unwrap_or_default()
}

fn first_member(x: Result<Xml, String>, list: &str) -> Option<Xml> {
    x.ok()?.find(list).and_then(|l| l.all("member").next().cloned())
}

fn load_balancer(e: &str, arn: &str) -> Option<Xml> {
    first_member(elbv2(e, "DescribeLoadBalancers", Params::new().list("LoadBalancerArns", [arn])), "LoadBalancers")
}

fn target_group_of(e: &str, arn: &str) -> Option<Xml> {
    first_member(elbv2(e, "DescribeTargetGroups", Params::new().list("TargetGroupArns", [arn])), "TargetGroups")
}

fn listener_of(e: &str, arn: &str) -> Option<Xml> {
    first_member(elbv2(e, "DescribeListeners", Params::new().list("ListenerArns", [arn])), "Listeners")
}

/// A VPC and two subnets in two zones, in the configuration.
fn network() -> String {
    let mut out = "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.42.0.0/16\"\n}\n".to_string();
    for (i, z) in ["a", "b"].iter().enumerate() {
        out.push_str(&format!(
            "\nresource \"aws_subnet\" \"{z}\" {{\n  vpc_id            = aws_vpc.main.id\n  cidr_block        = \"10.42.{i}.0/24\"\n  availability_zone = \"eu-west-1{z}\"\n}}\n"
        ));
    }
    out
}

/// An application load balancer's idle timeout and tags change in place, its name replaces
/// it, and an idle timeout changed outside is put back.
fn lb(endpoint: &str, _dir: &Path) -> Case {
    const L: &str = "aws_lb.web";
    let (name, renamed, group) = (unique("web"), unique("web2"), unique("lbsg"));
    let config = move |name: &str, idle: u32, env: &str| {
        format!(
            r#"{}
{}
resource "aws_security_group" "lb" {{
  name   = "{group}"
  vpc_id = aws_vpc.main.id
}}

resource "aws_lb" "web" {{
  name            = "{name}"
  internal        = false
  security_groups = [aws_security_group.lb.id]
  subnets         = [aws_subnet.a.id, aws_subnet.b.id]
  idle_timeout    = {idle}
  # terraform-aws-modules/alb's defaults
  drop_invalid_header_fields       = true
  enable_cross_zone_load_balancing = true
  tags = {{
    env = "{env}"
  }}
}}
"#,
            provider(endpoint),
            network()
        )
    };
    let serves = |idle: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let arn = attr(s, L, "arn");
            let l = load_balancer(e, &arn).expect("the load balancer exists");
            assert_eq!(l.text_of("LoadBalancerName"), Some(attr(s, L, "name")));
            assert_eq!(l.text_of("Type").as_deref(), Some("application"));
            assert_eq!(l.text_of("Scheme").as_deref(), Some("internet-facing"));
            assert_eq!(l.child("State").and_then(|s| s.text_of("Code")).as_deref(), Some("active"));
            let groups: Vec<String> = l.members("SecurityGroups").into_iter().map(|g| g.text.clone()).collect();
            assert_eq!(groups, vec![attr(s, "aws_security_group.lb", "id")]);
            let attrs = attributes(&elbv2(e, "DescribeLoadBalancerAttributes", Params::new().add("LoadBalancerArn", &arn)).expect("attributes"));
            assert_eq!(attrs.get("idle_timeout.timeout_seconds").map(String::as_str), Some(idle));
            assert_eq!(attrs.get("routing.http.drop_invalid_header_fields.enabled").map(String::as_str), Some("true"));
            assert_eq!(attr(s, L, "id"), arn);
            assert_eq!(attr(s, L, "dns_name"), l.text_of("DNSName").unwrap_or_default());
            assert!(arn.ends_with(&attr(s, L, "arn_suffix")) && attr(s, L, "arn_suffix").starts_with("app/"), "{}", attr(s, L, "arn_suffix"));
            assert_eq!(attr(s, L, "load_balancer_type"), "application");
            assert!(!attr(s, L, "vpc_id").is_empty() && !attr(s, L, "zone_id").is_empty());
            assert_eq!(tags_of(e, &arn), tags(&[("env", env), ("managed", "skyform")]));
        }
    };
    let old = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (keep, gone) = (old.clone(), old);
    Case {
        create: Step::new(
            config(&name, 60, "dev"),
            &[("aws_vpc.main", Create), ("aws_subnet.a", Create), ("aws_subnet.b", Create), ("aws_security_group.lb", Create), (L, Create)],
        )
        .check(serves("60", "dev")),
        update: Step::new(config(&name, 120, "prod"), &[(L, Update)]).shows("60 -> 120").hides("must be replaced").check(serves("120", "prod")).check(
            move |s, _| {
                *keep.borrow_mut() = attr(s, L, "arn");
            },
        ),
        replace: Step::new(config(&renamed, 120, "prod"), &[(L, DeleteThenCreate)])
            .shows("must be replaced")
            .check(serves("120", "prod"))
            .check(move |_, e| assert!(load_balancer(e, &gone.borrow()).is_none(), "the old load balancer is deleted")),
        drift: Some(
            Step::new(config(&renamed, 120, "prod"), &[(L, Update)])
                .outside(|s, e| {
                    let p = Params::new()
                        .add("LoadBalancerArn", attr(s, L, "arn"))
                        .add("Attributes.member.1.Key", "idle_timeout.timeout_seconds")
                        .add("Attributes.member.1.Value", "30");
                    elbv2(e, "ModifyLoadBalancerAttributes", p).expect("ModifyLoadBalancerAttributes");
                })
                .shows("30 -> 120")
                .check(serves("120", "prod")),
        ),
        import: Import { address: L, id: Box::new(|s, _| attr(s, L, "arn")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| load_balancer(e, &attr(s, L, "arn")).is_some()),
    }
}

/// A target group's health check, deregistration delay and tags change in place, its port
/// replaces it, and a health check path changed outside is put back.
fn target_group(endpoint: &str, _dir: &Path) -> Case {
    const T: &str = "aws_lb_target_group.app";
    let name = unique("tg");
    let config = move |port: u32, path: &str, interval: u32, delay: &str, env: &str| {
        format!(
            r#"{}
resource "aws_vpc" "main" {{
  cidr_block = "10.41.0.0/16"
}}

resource "aws_lb_target_group" "app" {{
  name                 = "{name}"
  port                 = {port}
  protocol             = "HTTP"
  vpc_id               = aws_vpc.main.id
  deregistration_delay = "{delay}"
  health_check {{
    path     = "{path}"
    interval = {interval}
    matcher  = "200-299"
  }}
  tags = {{
    env = "{env}"
  }}
}}
"#,
            provider(endpoint)
        )
    };
    let holds = |port: &'static str, path: &'static str, interval: &'static str, delay: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let arn = attr(s, T, "arn");
            let g = target_group_of(e, &arn).expect("the target group exists");
            assert_eq!(g.text_of("TargetGroupName"), Some(attr(s, T, "name")));
            assert_eq!(g.text_of("Port").as_deref(), Some(port));
            assert_eq!(g.text_of("Protocol").as_deref(), Some("HTTP"));
            assert_eq!(g.text_of("VpcId"), Some(attr(s, "aws_vpc.main", "id")));
            assert_eq!(g.text_of("TargetType").as_deref(), Some("instance"));
            assert_eq!(g.text_of("HealthCheckPath").as_deref(), Some(path));
            assert_eq!(g.text_of("HealthCheckIntervalSeconds").as_deref(), Some(interval));
            assert_eq!(g.text_of("HealthyThresholdCount").as_deref(), Some("3"), "the provider's default is sent");
            assert_eq!(g.child("Matcher").and_then(|m| m.text_of("HttpCode")).as_deref(), Some("200-299"));
            let attrs = attributes(&elbv2(e, "DescribeTargetGroupAttributes", Params::new().add("TargetGroupArn", &arn)).expect("attributes"));
            assert_eq!(attrs.get("deregistration_delay.timeout_seconds").map(String::as_str), Some(delay));
            assert_eq!(attr(s, T, "id"), arn);
            assert_eq!(attr(s, T, "arn_suffix"), format!("targetgroup/{}", arn.split(":targetgroup/").nth(1).unwrap_or_default()));
            assert_eq!(tags_of(e, &arn), tags(&[("env", env), ("managed", "skyform")]));
        }
    };
    let old = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (keep, gone) = (old.clone(), old);
    Case {
        create: Step::new(config(80, "/health", 30, "30", "dev"), &[("aws_vpc.main", Create), (T, Create)]).check(holds("80", "/health", "30", "30", "dev")),
        update: Step::new(config(80, "/ready", 15, "60", "prod"), &[(T, Update)])
            .shows("\"/health\" -> \"/ready\"")
            .hides("must be replaced")
            .check(holds("80", "/ready", "15", "60", "prod"))
            .check(move |s, _| *keep.borrow_mut() = attr(s, T, "arn")),
        replace: Step::new(config(8080, "/ready", 15, "60", "prod"), &[(T, DeleteThenCreate)])
            .shows("must be replaced")
            .check(holds("8080", "/ready", "15", "60", "prod"))
            .check(move |_, e| assert!(target_group_of(e, &gone.borrow()).is_none(), "the old target group is deleted")),
        drift: Some(
            Step::new(config(8080, "/ready", 15, "60", "prod"), &[(T, Update)])
                .outside(|s, e| {
                    elbv2(e, "ModifyTargetGroup", Params::new().add("TargetGroupArn", attr(s, T, "arn")).add("HealthCheckPath", "/other"))
                        .expect("ModifyTargetGroup");
                })
                .shows("\"/other\" -> \"/ready\"")
                .check(holds("8080", "/ready", "15", "60", "prod")),
        ),
        import: Import { address: T, id: Box::new(|s, _| attr(s, T, "arn")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| target_group_of(e, &attr(s, T, "arn")).is_some()),
    }
}

/// A listener forwarding to a target group changes to a fixed response in place, moves to a
/// second load balancer (replaced) with a redirect, and a port changed outside is put back.
fn listener(endpoint: &str, _dir: &Path) -> Case {
    const LI: &str = "aws_lb_listener.http";
    let (lb1, lb2, tg) = (unique("la"), unique("lb"), unique("lt"));
    let config = move |on: &str, action: &str| {
        format!(
            r#"{}
{}
resource "aws_lb" "a" {{
  name    = "{lb1}"
  subnets = [aws_subnet.a.id, aws_subnet.b.id]
}}

resource "aws_lb" "b" {{
  name    = "{lb2}"
  subnets = [aws_subnet.a.id, aws_subnet.b.id]
}}

resource "aws_lb_target_group" "app" {{
  name     = "{tg}"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.main.id
}}

resource "aws_lb_listener" "http" {{
  load_balancer_arn = aws_lb.{on}.arn
  port              = 80
  protocol          = "HTTP"
{action}
  tags = {{
    env = "dev"
  }}
}}
"#,
            provider(endpoint),
            network()
        )
    };
    let forward = "  default_action {\n    type             = \"forward\"\n    target_group_arn = aws_lb_target_group.app.arn\n  }\n";
    let fixed = "  default_action {\n    type = \"fixed-response\"\n    fixed_response {\n      content_type = \"text/plain\"\n      message_body = \"ok\"\n      status_code  = \"200\"\n    }\n  }\n";
    let redirect = "  default_action {\n    type = \"redirect\"\n    redirect {\n      port        = \"443\"\n      protocol    = \"HTTPS\"\n      status_code = \"HTTP_301\"\n    }\n  }\n";
    let acts = |on: &'static str, kind: &'static str| {
        move |s: &State, e: &str| {
            let arn = attr(s, LI, "arn");
            let l = listener_of(e, &arn).expect("the listener exists");
            assert_eq!(l.text_of("LoadBalancerArn"), Some(attr(s, &format!("aws_lb.{on}"), "arn")));
            assert_eq!((l.text_of("Port").as_deref(), l.text_of("Protocol").as_deref()), (Some("80"), Some("HTTP")));
            let actions = l.members("DefaultActions");
            assert_eq!(actions.len(), 1);
            assert_eq!(actions[0].text_of("Type").as_deref(), Some(kind));
            match kind {
                "forward" => assert_eq!(actions[0].text_of("TargetGroupArn"), Some(attr(s, "aws_lb_target_group.app", "arn"))),
                "fixed-response" => {
                    let r = actions[0].child("FixedResponseConfig").expect("a fixed response");
                    assert_eq!((r.text_of("MessageBody").as_deref(), r.text_of("StatusCode").as_deref()), (Some("ok"), Some("200")));
                }
                _ => {
                    let r = actions[0].child("RedirectConfig").expect("a redirect");
                    assert_eq!(
                        (r.text_of("Port").as_deref(), r.text_of("Host").as_deref()),
                        (Some("443"), Some("#{host}")),
                        "the provider's defaults are sent"
                    );
                }
            }
            assert_eq!(attr(s, LI, "id"), arn);
            assert_eq!(tags_of(e, &arn), tags(&[("env", "dev"), ("managed", "skyform")]));
        }
    };
    let creates = [
        ("aws_vpc.main", Create),
        ("aws_subnet.a", Create),
        ("aws_subnet.b", Create),
        ("aws_lb.a", Create),
        ("aws_lb.b", Create),
        ("aws_lb_target_group.app", Create),
        (LI, Create),
    ];
    let old = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (keep, gone) = (old.clone(), old);
    Case {
        create: Step::new(config("a", forward), &creates).check(acts("a", "forward")),
        update: Step::new(config("a", fixed), &[(LI, Update)])
            .shows("\"forward\" -> \"fixed-response\"")
            .hides("must be replaced")
            .check(acts("a", "fixed-response"))
            .check(move |s, _| *keep.borrow_mut() = attr(s, LI, "arn")),
        replace: Step::new(config("b", redirect), &[(LI, DeleteThenCreate)])
            .shows("must be replaced")
            .check(acts("b", "redirect"))
            .check(move |_, e| assert!(listener_of(e, &gone.borrow()).is_none(), "the old listener is deleted")),
        drift: Some(
            Step::new(config("b", redirect), &[(LI, Update)])
                .outside(|s, e| {
                    elbv2(e, "ModifyListener", Params::new().add("ListenerArn", attr(s, LI, "arn")).add("Port", "8080")).expect("ModifyListener");
                })
                .shows("8080 -> 80")
                .check(acts("b", "redirect")),
        ),
        import: Import { address: LI, id: Box::new(|s, _| attr(s, LI, "arn")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| listener_of(e, &attr(s, LI, "arn")).is_some()),
    }
}
