//! `aws_sqs_queue`: `name` (or a name generated from `name_prefix`, else from `terraform-`;
//! FIFO names end in `.fifo`) and `fifo_queue` (false), all replacing; in place, with the
//! provider's defaults: `visibility_timeout_seconds` (30), `message_retention_seconds`
//! (345600), `max_message_size` (262144), `delay_seconds` (0), `receive_wait_time_seconds`
//! (0), `content_based_deduplication` (false, FIFO only), `deduplication_scope`,
//! `fifo_throughput_limit`, `kms_master_key_id`, `kms_data_key_reuse_period_seconds` (300),
//! `sqs_managed_sse_enabled`, `policy` (an equivalent policy is no change), `redrive_policy`,
//! `redrive_allow_policy`, `tags`; computed `url` (also the `id`), `arn`, `tags_all`. Import
//! by queue URL.

use async_trait::async_trait;
use serde_json::json;

use super::ec2::{plan_common, set_tags};
use super::iam_common::{name_prefix_of, plan_policy, unique_name};
use super::iam_policy_json::policy_to_set;
use super::json_api::{provider_defaults, read_back, tag_object, updated, SQS, SQS_TAGS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_sqs_queue")
        .implement(&[
            "arn",
            "content_based_deduplication",
            "deduplication_scope",
            "delay_seconds",
            "fifo_queue",
            "fifo_throughput_limit",
            "id",
            "kms_data_key_reuse_period_seconds",
            "kms_master_key_id",
            "max_message_size",
            "message_retention_seconds",
            "name",
            "name_prefix",
            "policy",
            "receive_wait_time_seconds",
            "redrive_allow_policy",
            "redrive_policy",
            "sqs_managed_sse_enabled",
            "url",
            "visibility_timeout_seconds",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&[
            "content_based_deduplication",
            "delay_seconds",
            "fifo_queue",
            "max_message_size",
            "message_retention_seconds",
            "receive_wait_time_seconds",
            "visibility_timeout_seconds",
        ])
        .force_new(&["fifo_queue", "name", "name_prefix"])
        .build()
}

/// `aws_sqs_queue`.
pub struct SqsQueue;

/// Numbers: (argument, SQS attribute, default, min, max).
const NUMBERS: [(&str, &str, Option<f64>, f64, f64); 6] = [
    ("delay_seconds", "DelaySeconds", Some(0.0), 0.0, 900.0),
    ("max_message_size", "MaximumMessageSize", Some(262_144.0), 1024.0, 1_048_576.0),
    ("message_retention_seconds", "MessageRetentionPeriod", Some(345_600.0), 60.0, 1_209_600.0),
    ("receive_wait_time_seconds", "ReceiveMessageWaitTimeSeconds", Some(0.0), 0.0, 20.0),
    ("visibility_timeout_seconds", "VisibilityTimeout", Some(30.0), 0.0, 43_200.0),
    ("kms_data_key_reuse_period_seconds", "KmsDataKeyReusePeriodSeconds", None, 60.0, 86_400.0),
];

/// Strings and booleans: (argument, SQS attribute).
const OTHERS: [(&str, &str); 8] = [
    ("policy", "Policy"),
    ("redrive_policy", "RedrivePolicy"),
    ("redrive_allow_policy", "RedriveAllowPolicy"),
    ("kms_master_key_id", "KmsMasterKeyId"),
    ("deduplication_scope", "DeduplicationScope"),
    ("fifo_throughput_limit", "FifoThroughputLimit"),
    ("content_based_deduplication", "ContentBasedDeduplication"),
    ("sqs_managed_sse_enabled", "SqsManagedSseEnabled"),
];

fn check(config: &Value, planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    for (arg, _, _, lo, hi) in NUMBERS {
        if let Some(n) = attr(planned, arg).as_f64() {
            if !(lo..=hi).contains(&n) {
                d.push(Diagnostic::error("Invalid value", format!("expected {arg} to be in the range ({lo} - {hi}), got {n}")).for_attribute(arg));
            }
        }
    }
    let fifo = attr(planned, "fifo_queue").as_bool() == Some(true);
    if !fifo && attr(planned, "content_based_deduplication").as_bool() == Some(true) {
        d.push(
            Diagnostic::error("Invalid configuration", "content-based deduplication can only be set for FIFO queue")
                .for_attribute("content_based_deduplication"),
        );
    }
    if let Some(name) = attr(config, "name").as_str() {
        let base = if fifo { name.strip_suffix(".fifo") } else { Some(name) };
        let max = if fifo { 75 } else { 80 };
        if !base.is_some_and(|b| !b.is_empty() && b.len() <= max && b.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
            d.push(Diagnostic::error("Invalid value", format!("invalid queue name: {name}")).for_attribute("name"));
        }
    }
    for arg in ["redrive_policy", "redrive_allow_policy"] {
        if let Some(v) = attr(planned, arg).as_str().filter(|v| !v.is_empty()) {
            if serde_json::from_str::<serde_json::Value>(v).is_err() {
                d.push(Diagnostic::error("Invalid value", format!("\"{arg}\" contains an invalid JSON")).for_attribute(arg));
            }
        }
    }
    d
}

/// The configured JSON string when the remote one means the same, else the remote one.
fn same_json(configured: &Value, remote: &str) -> Value {
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
    match configured.as_str() {
        Some(c) if parse(c).is_some() && parse(c) == parse(remote) => Value::string(c),
        _ => Value::string(remote),
    }
}

/// The queue's name: the last segment of its URL.
fn name_of(url: &str) -> String {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string()
}

/// The SQS attributes to send: every set argument, defaults included; on update only those
/// that changed.
fn attributes(planned: &Value, prior: Option<&Value>) -> serde_json::Map<String, serde_json::Value> {
    let changed = |a: &str| prior.is_none_or(|p| attr(p, a) != attr(planned, a));
    let mut out = serde_json::Map::new();
    for (arg, name, _, _, _) in NUMBERS {
        if let Some(n) = attr(planned, arg).as_f64().filter(|_| changed(arg)) {
            out.insert(name.into(), json!((n as i64).to_string()));
        }
    }
    for (arg, name) in OTHERS {
        if !changed(arg) {
            continue;
        }
        match attr(planned, arg) {
            Value::String(s) => {
                out.insert(name.into(), json!(s));
            }
            Value::Bool(b) if *b || prior.is_some() => {
                out.insert(name.into(), json!(b.to_string()));
            }
            Value::Null if prior.is_some() && !attr(prior.unwrap_or(&Value::Null), arg).is_null() => {
                out.insert(name.into(), json!(""));
            }
            _ => {}
        }
    }
    if prior.is_none() && attr(planned, "fifo_queue").as_bool() == Some(true) {
        out.insert("FifoQueue".into(), json!("true"));
    }
    out
}

#[async_trait]
impl ResourceType<AwsProvider> for SqsQueue {
    fn name(&self) -> &'static str {
        "aws_sqs_queue"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config, creating) = (req.prior_state.clone(), req.config.clone(), req.prior_state.is_none());
        let chosen = [
            "policy",
            "redrive_policy",
            "redrive_allow_policy",
            "deduplication_scope",
            "fifo_throughput_limit",
            "kms_data_key_reuse_period_seconds",
            "sqs_managed_sse_enabled",
        ];
        let mut resp = plan_common(p, req, &chosen);
        let planned = &mut resp.planned_state;
        let mut pairs: Vec<(&str, Value)> = NUMBERS.iter().filter_map(|(arg, _, d, _, _)| Some((*arg, Value::Number((*d)?)))).collect();
        pairs.extend([("fifo_queue", Value::Bool(false)), ("content_based_deduplication", Value::Bool(false))]);
        provider_defaults(planned, &config, &pairs);
        if creating {
            if attr(&config, "name").is_null() {
                set(planned, "name", Value::Unknown);
            }
            if attr(&config, "name_prefix").is_null() {
                set(planned, "name_prefix", if attr(&config, "name").is_null() { Value::Unknown } else { Value::Null });
            }
        }
        resp.diagnostics.extend(check(&config, planned));
        if attr(planned, "policy").as_str().is_some_and(|s| !s.is_empty()) {
            resp.diagnostics.extend(plan_policy(planned, prior.as_ref(), "policy", false));
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let url = text(&prior, "id");
        let attrs = match p.json.call(&SQS, "GetQueueAttributes", json!({ "QueueUrl": url, "AttributeNames": ["All"] })).await {
            Ok(o) => o.get("Attributes").cloned().unwrap_or_default(),
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading SQS queue {url}"))),
        };
        let tags = match p.json.call(&SQS, "ListQueueTags", json!({ "QueueUrl": url })).await {
            Ok(o) => tag_object(o.get("Tags")),
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("listing the tags of SQS queue {url}"))),
        };
        let get = |k: &str| attrs.get(k).and_then(|v| v.as_str()).filter(|v| !v.is_empty()).map(str::to_string);
        let mut s = prior;
        for (arg, name, d, _, _) in NUMBERS {
            let n = get(name).and_then(|v| v.parse::<f64>().ok()).or(d).unwrap_or(300.0);
            set(&mut s, arg, Value::Number(n));
        }
        for (arg, name) in OTHERS {
            let v = match (arg, get(name)) {
                ("content_based_deduplication" | "sqs_managed_sse_enabled", v) => Value::Bool(v.as_deref() == Some("true")),
                ("policy", Some(v)) => Value::String(policy_to_set(attr(&s, "policy").as_str().unwrap_or_default(), &v)),
                ("redrive_policy" | "redrive_allow_policy", Some(v)) => same_json(attr(&s, arg), &v),
                (_, Some(v)) => Value::String(v),
                (_, None) => Value::Null,
            };
            set(&mut s, arg, v);
        }
        let fifo = get("FifoQueue").as_deref() == Some("true");
        let name = name_of(&url);
        set(&mut s, "fifo_queue", Value::Bool(fifo));
        set(&mut s, "id", Value::string(&url));
        set(&mut s, "url", Value::string(&url));
        set(&mut s, "arn", get("QueueArn").map(Value::String).unwrap_or(Value::Null));
        set(&mut s, "name", Value::string(&name));
        set(&mut s, "name_prefix", name_prefix_of(if fifo { name.strip_suffix(".fifo").unwrap_or(&name) } else { &name }));
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let fifo = attr(&planned, "fifo_queue").as_bool() == Some(true);
        let suffix = if fifo { ".fifo" } else { "" };
        let name = match (attr(&planned, "name").as_str(), attr(&planned, "name_prefix").as_str()) {
            (Some(n), _) => n.to_string(),
            (None, Some(prefix)) => format!("{}{suffix}", unique_name(prefix)),
            (None, None) => format!("{}{suffix}", unique_name("terraform-")),
        };
        let mut body = json!({ "QueueName": name, "Attributes": attributes(&planned, None) });
        let tags: serde_json::Map<String, serde_json::Value> = attr(&planned, "tags_all")
            .as_map()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), json!(v.as_str().unwrap_or_default()))).collect())
            .unwrap_or_default();
        if !tags.is_empty() {
            body["tags"] = serde_json::Value::Object(tags);
        }
        // A queue deleted in the last 60 seconds blocks its name: retried as the provider does.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(70);
        let url = loop {
            match p.json.write(&SQS, "CreateQueue", body.clone()).await {
                Ok(o) => break super::json_api::text(&o, "QueueUrl"),
                Err(e) if e.is("QueueDeletedRecently") && std::time::Instant::now() < deadline => tokio::time::sleep(std::time::Duration::from_secs(5)).await,
                Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating SQS queue {name}"))),
            }
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&url));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let url = text(&prior, "id");
        let what = |x: &str| format!("updating the {x} of SQS queue {url}");
        let result: Result<(), Diagnostics> = async {
            let changed = attributes(&planned, Some(&prior));
            if !changed.is_empty() {
                let body = json!({ "QueueUrl": url, "Attributes": changed });
                p.json.call(&SQS, "SetQueueAttributes", body).await.map_err(|e| e.diagnostics(&what("attributes")))?;
            }
            p.json.sync_tags(&SQS_TAGS, json!({ "QueueUrl": url }), &prior, &planned).await.map_err(|e| e.diagnostics(&what("tags")))?;
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let url = text(&prior, "id");
        match p.json.write(&SQS, "DeleteQueue", json!({ "QueueUrl": url })).await {
            Err(e) if !e.not_found() => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting SQS queue {url}"))),
            _ => ApplyResponse::ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_send_what_is_set_and_on_update_what_changed() {
        let planned = Value::object([
            ("visibility_timeout_seconds", Value::Number(60.0)),
            ("delay_seconds", Value::Number(0.0)),
            ("fifo_queue", Value::Bool(true)),
            ("content_based_deduplication", Value::Bool(false)),
            ("policy", Value::Unknown),
        ]);
        let created = attributes(&planned, None);
        assert_eq!(created.get("VisibilityTimeout"), Some(&json!("60")));
        assert_eq!(created.get("FifoQueue"), Some(&json!("true")));
        assert!(!created.contains_key("ContentBasedDeduplication") && !created.contains_key("Policy"), "{created:?}");
        let prior = Value::object([
            ("visibility_timeout_seconds", Value::Number(30.0)),
            ("delay_seconds", Value::Number(0.0)),
            ("redrive_policy", Value::string("{}")),
        ]);
        let planned =
            Value::object([("visibility_timeout_seconds", Value::Number(30.0)), ("delay_seconds", Value::Number(5.0)), ("redrive_policy", Value::Null)]);
        let updated = attributes(&planned, Some(&prior));
        assert_eq!(updated, json!({ "DelaySeconds": "5", "RedrivePolicy": "" }).as_object().unwrap().clone());
    }

    #[test]
    fn json_arguments_keep_their_configured_form() {
        assert_eq!(same_json(&Value::string("{ \"a\": 1 }"), "{\"a\":1}"), Value::string("{ \"a\": 1 }"));
        assert_eq!(same_json(&Value::string("{\"a\":2}"), "{\"a\":1}"), Value::string("{\"a\":1}"));
        assert_eq!(name_of("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo"), "jobs.fifo");
    }

    #[test]
    fn fifo_rules_are_checked_at_plan() {
        let config = Value::object([("name", Value::string("jobs"))]);
        let planned = Value::object([("fifo_queue", Value::Bool(true)), ("name", Value::string("jobs"))]);
        assert!(check(&config, &planned).has_errors(), "a FIFO queue's name ends in .fifo");
        let planned = Value::object([("fifo_queue", Value::Bool(false)), ("content_based_deduplication", Value::Bool(true))]);
        assert!(check(&Value::object([("name", Value::string("jobs"))]), &planned).has_errors());
        let planned = Value::object([("visibility_timeout_seconds", Value::Number(43_201.0))]);
        assert!(check(&Value::Null, &planned).has_errors());
    }
}
