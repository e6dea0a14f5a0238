//! Cases of the Query-protocol services, against moto: SNS topics and subscriptions (to an SQS
//! queue, which moto confirms at once) and CloudWatch metric alarms. Results are checked with
//! direct API calls (the library's signed Query client, not the resource types).

use std::collections::BTreeMap;
use std::path::Path;

use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::provider::aws::query_api::{Params, QueryApi, QueryService, Xml, CLOUDWATCH, SNS};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{emulator, plan_code, rt, succeeds, unique};
use crate::test_aws::provider_block;

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_sns_topic() {
    run("aws_sns_topic", MOTO, sns_topic);
}

#[test]
fn aws_sns_topic_subscription() {
    run("aws_sns_topic_subscription", MOTO, subscription);
}

#[test]
fn aws_cloudwatch_metric_alarm() {
    run("aws_cloudwatch_metric_alarm", MOTO, metric_alarm);
}

/// A FIFO topic named from `name_prefix` gets `.fifo` appended; `content_based_deduplication`
/// changes in place; arguments skyform does not implement are refused at plan.
#[test]
fn sns_fifo_topic_from_a_prefix() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let prefix = format!("{}-", unique("fifo"));
    let write = |dedup: bool, extra: &str| {
        let topic = format!(
            "resource \"aws_sns_topic\" \"f\" {{\n  name_prefix = \"{prefix}\"\n  fifo_topic = true\n  content_based_deduplication = {dedup}\n{extra}}}\n"
        );
        std::fs::write(d.join("main.tf"), format!("{}\n{topic}", provider(&endpoint))).unwrap();
    };
    let topic = || {
        let (mut arns, mut token) = (Vec::<String>::new(), None::<String>);
        loop {
            let params = token.iter().fold(Params::new(), |p, t| p.add("NextToken", t));
            let listed = ok(&endpoint, &SNS, "ListTopics", params);
            arns.extend(listed.find("Topics").map(|t| t.all("member").filter_map(|m| m.text_of("TopicArn")).collect::<Vec<_>>()).unwrap_or_default());
            token = listed.find("NextToken").map(|t| t.text.clone()).filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
        let ours: Vec<&String> = arns.iter().filter(|a| a.contains(&format!(":{prefix}"))).collect();
        assert!(ours.len() <= 1, "{ours:?}");
        ours.first().map(|a| (a.to_string(), topic_attributes(&endpoint, a).expect("attributes")))
    };
    write(true, "");
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    let (arn, a) = topic().expect("the topic exists");
    assert!(arn.ends_with(".fifo"), "{arn}");
    assert_eq!((a.get("FifoTopic").map(String::as_str), a.get("ContentBasedDeduplication").map(String::as_str)), (Some("true"), Some("true")));
    assert_eq!(plan_code(d).0, Some(0), "no changes after the apply");
    write(false, "");
    let (code, text) = plan_code(d);
    assert!(code == Some(2) && text.contains("content_based_deduplication = true -> false") && !text.contains("must be replaced"), "{text}");
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    assert_eq!(topic().expect("the topic exists").1.get("ContentBasedDeduplication").map(String::as_str), Some("false"));
    write(false, "  tracing_config = \"Active\"\n");
    let (code, text) = plan_code(d);
    assert!(code == Some(1) && text.contains("tracing_config") && text.contains("does not implement"), "{text}");
    write(false, "");
    succeeds(d, &["destroy", "-auto-approve", "-no-color"]);
    assert!(topic().is_none(), "the topic is deleted");
}

/// The provider block with SNS, SQS and CloudWatch at the emulator.
fn provider(endpoint: &str) -> String {
    let lines: String = ["sns", "sqs", "cloudwatch"].iter().map(|s| format!("    {s} = \"{endpoint}\"\n")).collect();
    provider_block(endpoint).replace("    s3 = ", &format!("{lines}    s3 = "))
}

/// One call to the emulator, outside skyform; the answer, or the error code.
fn call(endpoint: &str, service: &QueryService, action: &str, params: Params) -> Result<Xml, String> {
    let api = QueryApi::for_endpoint(endpoint, "eu-west-1", "test", "test");
    rt().block_on(api.call(service, action, params)).map_err(|e| e.code)
}

/// One call that must succeed; the answer.
fn ok(endpoint: &str, service: &QueryService, action: &str, params: Params) -> Xml {
    call(endpoint, service, action, params.clone()).unwrap_or_else(|e| panic!("{action} {params:?}: {e}"))
}

fn topic_attributes(e: &str, arn: &str) -> Option<BTreeMap<String, String>> {
    let x = call(e, &SNS, "GetTopicAttributes", Params::new().add("TopicArn", arn)).ok()?;
    Some(x.find("GetTopicAttributesResult")?.entries("Attributes"))
}

fn sns_tags(e: &str, arn: &str) -> BTreeMap<String, String> {
    let x = ok(e, &SNS, "ListTagsForResource", Params::new().add("ResourceArn", arn));
    x.find("ListTagsForResourceResult").map(|r| r.pairs("Tags", ("Key", "Value"))).unwrap_or_default()
}

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn sns_topic(endpoint: &str, _dir: &Path) -> Case {
    const T: &str = "aws_sns_topic.t";
    let (name, renamed) = (unique("topic"), unique("topic2"));
    let config = move |name: &str, display: &str| {
        format!(
            "{}\nresource \"aws_sns_topic\" \"t\" {{\n  name         = \"{name}\"\n  display_name = \"{display}\"\n  tags = {{\n    env = \"dev\"\n  }}\n}}\n",
            provider(endpoint)
        )
    };
    let shows = |display: &'static str| {
        move |s: &State, e: &str| {
            let a = topic_attributes(e, &attr(s, T, "arn")).expect("the topic exists");
            assert_eq!(a.get("DisplayName").map(String::as_str), Some(display));
            assert_eq!(attr(s, T, "id"), attr(s, T, "arn"));
            assert!(attr(s, T, "policy").contains("__default_policy_ID"), "the default policy is read");
            assert_eq!(sns_tags(e, &attr(s, T, "arn")), tags(&[("env", "dev"), ("managed", "skyform")]));
        }
    };
    Case {
        create: Step::new(config(&name, "Alerts"), &[(T, Create)]).check(shows("Alerts")),
        update: Step::new(config(&name, "Pages"), &[(T, Update)]).shows("\"Alerts\" -> \"Pages\"").check(shows("Pages")),
        replace: Step::new(config(&renamed, "Pages"), &[(T, DeleteThenCreate)]).check(shows("Pages")).check(move |_, e| {
            let old = format!("arn:aws:sns:eu-west-1:123456789012:{name}");
            assert!(topic_attributes(e, &old).is_none(), "the old topic is deleted");
        }),
        drift: Some(
            Step::new(config(&renamed, "Pages"), &[(T, Update)])
                .outside(|s, e| {
                    let p = Params::new().add("TopicArn", attr(s, T, "arn")).add("AttributeName", "DisplayName").add("AttributeValue", "Changed");
                    ok(e, &SNS, "SetTopicAttributes", p);
                })
                .shows("\"Changed\" -> \"Pages\"")
                .check(shows("Pages")),
        ),
        import: Import { address: T, id: Box::new(|s, _| attr(s, T, "arn")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| topic_attributes(e, &attr(s, T, "arn")).is_some()),
    }
}

fn subscription_attributes(e: &str, arn: &str) -> Option<BTreeMap<String, String>> {
    let x = call(e, &SNS, "GetSubscriptionAttributes", Params::new().add("SubscriptionArn", arn)).ok()?;
    Some(x.find("GetSubscriptionAttributesResult")?.entries("Attributes"))
}

fn subscription(endpoint: &str, _dir: &Path) -> Case {
    const S: &str = "aws_sns_topic_subscription.s";
    let (topic, q1, q2) = (unique("subs"), unique("subq1"), unique("subq2"));
    let config = move |queue: &str, raw: bool| {
        format!(
            r#"{}
resource "aws_sns_topic" "t" {{
  name = "{topic}"
}}

resource "aws_sqs_queue" "q1" {{
  name = "{q1}"
}}

resource "aws_sqs_queue" "q2" {{
  name = "{q2}"
}}

resource "aws_sns_topic_subscription" "s" {{
  topic_arn            = aws_sns_topic.t.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.{queue}.arn
  raw_message_delivery = {raw}
  filter_policy        = jsonencode({{ kind = ["order"] }})
}}
"#,
            provider(endpoint)
        )
    };
    let delivers = |queue: &'static str, raw: &'static str| {
        move |s: &State, e: &str| {
            let a = subscription_attributes(e, &attr(s, S, "arn")).expect("the subscription exists");
            assert_eq!(a.get("RawMessageDelivery").map(String::as_str), Some(raw));
            assert_eq!(a.get("Endpoint").cloned(), Some(attr(s, &format!("aws_sqs_queue.{queue}"), "arn")));
            assert_eq!(a.get("FilterPolicy").map(String::as_str), Some(r#"{"kind":["order"]}"#));
            assert_eq!(attr(s, S, "id"), attr(s, S, "arn"));
            assert_eq!(attr(s, S, "filter_policy_scope"), "MessageAttributes");
        }
    };
    let creates = [("aws_sns_topic.t", Create), ("aws_sqs_queue.q1", Create), ("aws_sqs_queue.q2", Create), (S, Create)];
    Case {
        create: Step::new(config("q1", false), &creates).check(delivers("q1", "false")),
        update: Step::new(config("q1", true), &[(S, Update)]).check(delivers("q1", "true")),
        replace: Step::new(config("q2", true), &[(S, DeleteThenCreate)]).check(delivers("q2", "true")),
        drift: Some(
            Step::new(config("q2", true), &[(S, Update)])
                .outside(|s, e| {
                    let p = Params::new().add("SubscriptionArn", attr(s, S, "arn")).add("AttributeName", "RawMessageDelivery").add("AttributeValue", "false");
                    ok(e, &SNS, "SetSubscriptionAttributes", p);
                })
                .shows("false -> true")
                .check(delivers("q2", "true")),
        ),
        import: Import { address: S, id: Box::new(|s, _| attr(s, S, "arn")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| subscription_attributes(e, &attr(s, S, "arn")).is_some()),
    }
}

fn alarm(e: &str, name: &str) -> Option<Xml> {
    let x = ok(e, &CLOUDWATCH, "DescribeAlarms", Params::new().list("AlarmNames", [name]));
    let found = x.find("MetricAlarms")?.all("member").find(|m| m.text_of("AlarmName").as_deref() == Some(name)).cloned();
    found
}

fn metric_alarm(endpoint: &str, _dir: &Path) -> Case {
    const A: &str = "aws_cloudwatch_metric_alarm.a";
    let (topic, name, renamed) = (unique("alarms"), unique("alarm"), unique("alarm2"));
    let config = move |name: &str, threshold: u32| {
        format!(
            r#"{}
resource "aws_sns_topic" "t" {{
  name = "{topic}"
}}

resource "aws_cloudwatch_metric_alarm" "a" {{
  alarm_name          = "{name}"
  alarm_description   = "CPU is high"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 2
  metric_name         = "CPUUtilization"
  namespace           = "AWS/EC2"
  period              = 120
  statistic           = "Average"
  threshold           = {threshold}
  alarm_actions       = [aws_sns_topic.t.arn]
  dimensions = {{
    InstanceId = "i-0123456789abcdef0"
  }}
  tags = {{
    env = "dev"
  }}
}}
"#,
            provider(endpoint)
        )
    };
    let alarms_at = |threshold: &'static str| {
        move |s: &State, e: &str| {
            let a = alarm(e, &attr(s, A, "alarm_name")).expect("the alarm exists");
            assert_eq!(a.text_of("Threshold").as_deref(), Some(threshold));
            assert_eq!(a.text_of("AlarmDescription").as_deref(), Some("CPU is high"));
            assert_eq!(a.text_of("TreatMissingData").as_deref(), Some("missing"));
            let actions: Vec<String> = a.members("AlarmActions").into_iter().map(|m| m.text.clone()).collect();
            assert_eq!(actions, vec![attr(s, "aws_sns_topic.t", "arn")]);
            assert_eq!(a.pairs("Dimensions", ("Name", "Value")), tags(&[("InstanceId", "i-0123456789abcdef0")]));
            assert_eq!(attr(s, A, "id"), attr(s, A, "alarm_name"));
            let t = ok(e, &CLOUDWATCH, "ListTagsForResource", Params::new().add("ResourceARN", attr(s, A, "arn")));
            let t = t.find("ListTagsForResourceResult").map(|r| r.pairs("Tags", ("Key", "Value"))).unwrap_or_default();
            assert_eq!(t, tags(&[("env", "dev"), ("managed", "skyform")]));
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, 80), &[("aws_sns_topic.t", Create), (A, Create)]).check(alarms_at("80.0")),
        update: Step::new(config(&name, 90), &[(A, Update)]).shows("80 -> 90").check(alarms_at("90.0")),
        replace: Step::new(config(&renamed, 90), &[(A, DeleteThenCreate)]).check(alarms_at("90.0")).check(move |_, e| {
            assert!(alarm(e, &old).is_none(), "the old alarm is deleted");
        }),
        drift: Some(
            Step::new(config(&renamed, 90), &[(A, Update)])
                .outside(|s, e| {
                    let p = Params::new()
                        .add("AlarmName", attr(s, A, "alarm_name"))
                        .add("AlarmDescription", "CPU is high")
                        .add("ComparisonOperator", "GreaterThanThreshold")
                        .add("EvaluationPeriods", "2")
                        .add("MetricName", "CPUUtilization")
                        .add("Namespace", "AWS/EC2")
                        .add("Period", "120")
                        .add("Statistic", "Average")
                        .add("Threshold", "50")
                        .add("TreatMissingData", "missing")
                        .list("AlarmActions", [attr(s, "aws_sns_topic.t", "arn")])
                        .pairs("Dimensions", ("Name", "Value"), &tags(&[("InstanceId", "i-0123456789abcdef0")]));
                    ok(e, &CLOUDWATCH, "PutMetricAlarm", p);
                })
                .shows("50 -> 90")
                .check(alarms_at("90.0")),
        ),
        import: Import { address: A, id: Box::new(|s, _| attr(s, A, "alarm_name")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| alarm(e, &attr(s, A, "alarm_name")).is_some()),
    }
}
