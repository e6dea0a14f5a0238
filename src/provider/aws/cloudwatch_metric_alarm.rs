//! `aws_cloudwatch_metric_alarm` on one metric: `alarm_name` (replacing; also the `id`),
//! `comparison_operator`, `evaluation_periods`, `metric_name`, `namespace`, `period`,
//! `statistic` or `extended_statistic`, `threshold`, `dimensions`, `unit`,
//! `datapoints_to_alarm`, `alarm_description`, `alarm_actions`, `ok_actions`,
//! `insufficient_data_actions`, `actions_enabled` (true), `treat_missing_data` (`missing`),
//! `evaluate_low_sample_count_percentiles`, `tags`, all in place (`PutMetricAlarm` again);
//! computed `arn`, `tags_all`. Import by alarm name. Metric-math alarms (`metric_query`,
//! `threshold_metric_id`), PromQL alarms (`evaluation_criteria`, `evaluation_interval`) are
//! not implemented, so `comparison_operator` and `evaluation_periods` are required.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::json_api::{provider_defaults, read_back, updated};
use super::query_api::{gone, Params, Xml, CLOUDWATCH};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_cloudwatch_metric_alarm")
        .implement(&[
            "actions_enabled",
            "alarm_actions",
            "alarm_description",
            "alarm_name",
            "arn",
            "comparison_operator",
            "datapoints_to_alarm",
            "dimensions",
            "evaluate_low_sample_count_percentiles",
            "evaluation_periods",
            "extended_statistic",
            "id",
            "insufficient_data_actions",
            "metric_name",
            "namespace",
            "ok_actions",
            "period",
            "statistic",
            "threshold",
            "treat_missing_data",
            "unit",
        ])
        .tags()
        .computed_only(&["id"])
        .required(&["comparison_operator", "evaluation_periods"])
        .defaulted(&["actions_enabled", "treat_missing_data"])
        .force_new(&["alarm_name"])
        .build()
}

/// `aws_cloudwatch_metric_alarm`.
pub struct CloudwatchMetricAlarm;

const OPERATORS: [&str; 7] = [
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
];
const STATISTICS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
const MISSING_DATA: [&str; 4] = ["breaching", "notBreaching", "ignore", "missing"];
use super::cloudwatch_log_metric_filter::UNITS;

/// The string arguments: (argument, `PutMetricAlarm` parameter and `DescribeAlarms` field).
const STRINGS: [(&str, &str); 9] = [
    ("comparison_operator", "ComparisonOperator"),
    ("metric_name", "MetricName"),
    ("namespace", "Namespace"),
    ("statistic", "Statistic"),
    ("extended_statistic", "ExtendedStatistic"),
    ("unit", "Unit"),
    ("alarm_description", "AlarmDescription"),
    ("treat_missing_data", "TreatMissingData"),
    ("evaluate_low_sample_count_percentiles", "EvaluateLowSampleCountPercentile"),
];

/// The number arguments.
const NUMBERS: [(&str, &str); 4] =
    [("evaluation_periods", "EvaluationPeriods"), ("period", "Period"), ("datapoints_to_alarm", "DatapointsToAlarm"), ("threshold", "Threshold")];

/// The action lists.
const ACTIONS: [(&str, &str); 3] = [("alarm_actions", "AlarmActions"), ("ok_actions", "OKActions"), ("insufficient_data_actions", "InsufficientDataActions")];

fn check(planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let mut bad = |arg: &str, why: String| d.push(Diagnostic::error("Invalid value", why).for_attribute(arg));
    for (arg, allowed) in [
        ("comparison_operator", &OPERATORS[..]),
        ("statistic", &STATISTICS[..]),
        ("treat_missing_data", &MISSING_DATA[..]),
        ("evaluate_low_sample_count_percentiles", &["evaluate", "ignore"][..]),
        ("unit", &UNITS[..]),
    ] {
        if let Some(v) = attr(planned, arg).as_str().filter(|v| !allowed.contains(v)) {
            bad(arg, format!("expected {arg} to be one of {allowed:?}, got {v}"));
        }
    }
    for arg in ["evaluation_periods", "datapoints_to_alarm"] {
        if let Some(n) = attr(planned, arg).as_f64().filter(|n| *n < 1.0) {
            bad(arg, format!("expected {arg} to be at least (1), got {n}"));
        }
    }
    if let Some(n) = attr(planned, "period").as_f64() {
        if !([10.0, 20.0, 30.0].contains(&n) || (n > 0.0 && n % 60.0 == 0.0)) {
            bad("period", format!("expected period to be 10, 20, 30 or a multiple of 60, got {n}"));
        }
    }
    if let Some(n) = attr(planned, "alarm_name").as_str().map(str::len).filter(|n| !(1..=255).contains(n)) {
        bad("alarm_name", format!("expected length of alarm_name to be in the range (1 - 255), got {n}"));
    }
    if let Some(n) = attr(planned, "alarm_description").as_str().map(str::len).filter(|n| *n > 1024) {
        bad("alarm_description", format!("expected length of alarm_description to be in the range (0 - 1024), got {n}"));
    }
    for (arg, _) in ACTIONS {
        if let Value::Set(items) | Value::List(items) = attr(planned, arg) {
            if items.len() > 5 {
                bad(arg, format!("{arg}: attribute supports 5 item maximum, config has {} declared", items.len()));
            }
        }
    }
    let given = |a: &str| !attr(planned, a).is_null();
    if !given("metric_name") {
        d.push(
            Diagnostic::error("Invalid configuration", "metric_name must be set: metric_query (metric math) alarms are not implemented yet")
                .for_attribute("metric_name"),
        );
    } else if given("statistic") == given("extended_statistic") {
        d.push(Diagnostic::error("Invalid configuration", "One of `statistic` or `extended_statistic` must be set for a cloudwatch metric alarm"));
    }
    d
}

/// A number as the Query protocol sends it (`60`, `0.5`).
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_map().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()).unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Set(items) | Value::List(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// `PutMetricAlarm`'s parameters for the planned alarm (with its tags on create).
fn put_params(planned: &Value, with_tags: bool) -> Params {
    let mut params = Params::new().add("AlarmName", text(planned, "alarm_name"));
    for (arg, name) in STRINGS {
        if let Some(v) = attr(planned, arg).as_str() {
            params = params.add(name, v);
        }
    }
    for (arg, name) in NUMBERS {
        if let Some(n) = attr(planned, arg).as_f64() {
            params = params.add(name, number(n));
        }
    }
    params = params.add("ActionsEnabled", (attr(planned, "actions_enabled").as_bool() != Some(false)).to_string());
    for (arg, name) in ACTIONS {
        params = params.list(name, strings(attr(planned, arg)));
    }
    params = params.pairs("Dimensions", ("Name", "Value"), &string_map(attr(planned, "dimensions")));
    if with_tags {
        params = params.pairs("Tags", ("Key", "Value"), &string_map(attr(planned, "tags_all")));
    }
    params
}

/// An empty collection read back: what the state had when it held an empty one, else null
/// (the argument was left out).
fn empty_as(prior: &Value) -> Value {
    match prior {
        Value::Set(v) | Value::List(v) if v.is_empty() => prior.clone(),
        Value::Map(m) if m.is_empty() => prior.clone(),
        _ => Value::Null,
    }
}

/// The alarm's `DescribeAlarms` entry.
async fn find(p: &AwsProvider, name: &str) -> Result<Option<Xml>, super::json_api::ApiError> {
    let params = Params::new().list("AlarmNames", [name]).list("AlarmTypes", ["MetricAlarm"]);
    let answer = p.query.call(&CLOUDWATCH, "DescribeAlarms", params).await?;
    let alarms = answer.find("MetricAlarms").map(|l| l.all("member").cloned().collect::<Vec<_>>()).unwrap_or_default();
    Ok(alarms.into_iter().find(|a| a.text_of("AlarmName").as_deref() == Some(name)))
}

#[async_trait]
impl ResourceType<AwsProvider> for CloudwatchMetricAlarm {
    fn name(&self) -> &'static str {
        "aws_cloudwatch_metric_alarm"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, creating) = (req.config.clone(), req.prior_state.is_none());
        let mut resp = plan_common(p, req, &["evaluate_low_sample_count_percentiles"]);
        let planned = &mut resp.planned_state;
        provider_defaults(planned, &config, &[("actions_enabled", Value::Bool(true)), ("treat_missing_data", Value::string("missing"))]);
        if creating {
            let id = attr(planned, "alarm_name").clone();
            set(planned, "id", id);
        }
        resp.diagnostics.extend(check(planned));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let alarm = match find(p, &name).await {
            Ok(Some(a)) => a,
            Ok(None) => return ReadResponse::gone(),
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading CloudWatch metric alarm {name}"))),
        };
        let arn = alarm.text_of("AlarmArn").unwrap_or_default();
        let tags = match p.query.call(&CLOUDWATCH, "ListTagsForResource", Params::new().add("ResourceARN", &arn)).await {
            Ok(x) => x.find("ListTagsForResourceResult").map(|r| r.pairs("Tags", ("Key", "Value"))).unwrap_or_default(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("listing the tags of CloudWatch metric alarm {name}"))),
        };
        let tags: BTreeMap<String, String> = tags.into_iter().filter(|(k, _)| !k.starts_with("aws:")).collect();
        let get = |k: &str| alarm.text_of(k).filter(|v| !v.is_empty());
        let mut s = prior;
        set(&mut s, "id", Value::string(&name));
        set(&mut s, "alarm_name", Value::string(&name));
        set(&mut s, "arn", Value::string(&arn));
        for (arg, field) in STRINGS {
            set(&mut s, arg, get(field).map(Value::String).unwrap_or(Value::Null));
        }
        for (arg, field) in NUMBERS {
            set(&mut s, arg, get(field).and_then(|v| v.parse::<f64>().ok()).map(Value::Number).unwrap_or(Value::Null));
        }
        set(&mut s, "actions_enabled", Value::Bool(get("ActionsEnabled").as_deref() != Some("false")));
        for (arg, field) in ACTIONS {
            let items: Vec<Value> = alarm.members(field).into_iter().map(|m| Value::string(&m.text)).collect();
            let v = if items.is_empty() { empty_as(attr(&s, arg)) } else { Value::set(items) };
            set(&mut s, arg, v);
        }
        let dims = alarm.pairs("Dimensions", ("Name", "Value"));
        let v = if dims.is_empty() {
            empty_as(attr(&s, "dimensions"))
        } else {
            Value::Map(Arc::new(dims.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
        };
        set(&mut s, "dimensions", v);
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&planned, "alarm_name");
        if let Err(e) = p.query.write(&CLOUDWATCH, "PutMetricAlarm", put_params(&planned, true)).await {
            return ApplyResponse::failed(None, e.diagnostics(&format!("creating CloudWatch metric alarm {name}")));
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let what = |x: &str| format!("updating the {x} of CloudWatch metric alarm {name}");
        let result: Result<(), Diagnostics> = async {
            let mut unchanged = prior.clone();
            for a in ["tags", "tags_all"] {
                set(&mut unchanged, a, attr(&planned, a).clone());
            }
            if unchanged != planned {
                p.query.call(&CLOUDWATCH, "PutMetricAlarm", put_params(&planned, false)).await.map_err(|e| e.diagnostics(&what("settings")))?;
            }
            let arn = text(&prior, "arn");
            p.query.sync_tags(&CLOUDWATCH, "ResourceARN", &arn, &prior, &planned).await.map_err(|e| e.diagnostics(&what("tags")))?;
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "id");
        match p.query.write(&CLOUDWATCH, "DeleteAlarms", Params::new().list("AlarmNames", [&name])).await {
            Err(e) if !gone(&e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting CloudWatch metric alarm {name}"))),
            _ => ApplyResponse::ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm() -> Value {
        Value::object([
            ("alarm_name", Value::string("cpu")),
            ("comparison_operator", Value::string("GreaterThanThreshold")),
            ("evaluation_periods", Value::Number(2.0)),
            ("metric_name", Value::string("CPUUtilization")),
            ("namespace", Value::string("AWS/EC2")),
            ("period", Value::Number(120.0)),
            ("statistic", Value::string("Average")),
            ("threshold", Value::Number(80.5)),
            ("actions_enabled", Value::Bool(true)),
            ("alarm_actions", Value::set(vec![Value::string("arn:aws:sns:eu-west-1:1:t")])),
            ("dimensions", Value::object([("InstanceId", Value::string("i-1"))])),
            ("tags_all", Value::object([("env", Value::string("dev"))])),
        ])
    }

    #[test]
    fn put_params_name_every_argument_set() {
        let p = put_params(&alarm(), true).0;
        let has = |k: &str, v: &str| p.iter().any(|(a, b)| a == k && b == v);
        assert!(has("Period", "120") && has("Threshold", "80.5") && has("EvaluationPeriods", "2") && has("ActionsEnabled", "true"), "{p:?}");
        assert!(has("AlarmActions.member.1", "arn:aws:sns:eu-west-1:1:t") && has("Dimensions.member.1.Name", "InstanceId"), "{p:?}");
        assert!(has("Tags.member.1.Key", "env"));
        assert!(!put_params(&alarm(), false).0.iter().any(|(k, _)| k.starts_with("Tags")));
    }

    #[test]
    fn arguments_are_checked_at_plan() {
        assert!(!check(&alarm()).has_errors());
        let mut a = alarm();
        set(&mut a, "period", Value::Number(45.0));
        assert!(check(&a).has_errors());
        let mut a = alarm();
        set(&mut a, "extended_statistic", Value::string("p99"));
        assert!(check(&a).has_errors(), "statistic and extended_statistic exclude each other");
        let mut a = alarm();
        set(&mut a, "comparison_operator", Value::string("Bigger"));
        assert!(check(&a).has_errors());
        let mut a = alarm();
        set(&mut a, "metric_name", Value::Null);
        assert!(check(&a).has_errors());
    }
}
