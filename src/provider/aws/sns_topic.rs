//! `aws_sns_topic`: `name` (or a name generated from `name_prefix`, else from `terraform-`;
//! a FIFO topic's generated name ends in `.fifo`) and `fifo_topic` (false), all replacing; in
//! place: `display_name`, `policy` (SNS's default policy when unset; an equivalent policy is
//! no change), `delivery_policy` (equivalent JSON is no change), `kms_master_key_id`,
//! `content_based_deduplication` (false, FIFO only), `tags`; computed `arn` (also the `id`),
//! `owner`, `tags_all`. Import by topic ARN. The feedback-role arguments, `signature_version`,
//! `tracing_config`, `archive_policy` and `fifo_throughput_scope` are not implemented.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::iam_common::{name_prefix_of, plan_policy, unique_name};
use super::iam_policy_json::policy_to_set;
use super::json_api::{provider_defaults, read_back, updated};
use super::query_api::{gone, Params, SNS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_sns_topic")
        .implement(&[
            "arn",
            "content_based_deduplication",
            "delivery_policy",
            "display_name",
            "fifo_topic",
            "id",
            "kms_master_key_id",
            "name",
            "name_prefix",
            "owner",
            "policy",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["content_based_deduplication", "fifo_topic"])
        .force_new(&["fifo_topic", "name", "name_prefix"])
        .build()
}

/// `aws_sns_topic`.
pub struct SnsTopic;

/// The attributes set in place: (argument, SNS attribute).
const ATTRIBUTES: [(&str, &str); 5] = [
    ("display_name", "DisplayName"),
    ("policy", "Policy"),
    ("delivery_policy", "DeliveryPolicy"),
    ("kms_master_key_id", "KmsMasterKeyId"),
    ("content_based_deduplication", "ContentBasedDeduplication"),
];

/// The configured JSON string when the remote one means the same, else the remote one.
pub(super) fn same_json(configured: &Value, remote: &str) -> Value {
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
    match configured.as_str() {
        Some(c) if parse(c).is_some() && parse(c) == parse(remote) => Value::string(c),
        _ => Value::string(remote),
    }
}

/// On update, keeps the prior JSON string of `arg` when the planned one means the same.
pub(super) fn keep_equivalent_json(planned: &mut Value, prior: Option<&Value>, arg: &str) {
    if let (Some(new), Some(old)) = (attr(planned, arg).as_str(), prior.and_then(|p| attr(p, arg).as_str())) {
        if new != old && same_json(&Value::string(new), old) == Value::string(new) {
            let old = Value::string(old);
            set(planned, arg, old);
        }
    }
}

/// Checks that a JSON argument holds JSON.
pub(super) fn check_json(planned: &Value, arg: &str) -> Diagnostics {
    match attr(planned, arg).as_str().filter(|v| !v.is_empty()) {
        Some(v) if serde_json::from_str::<serde_json::Value>(v).is_err() => {
            Diagnostic::error("Invalid value", format!("\"{arg}\" contains an invalid JSON")).for_attribute(arg).into()
        }
        _ => Diagnostics::new(),
    }
}

fn check(config: &Value, planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let fifo = attr(planned, "fifo_topic").as_bool() == Some(true);
    if !fifo && attr(planned, "content_based_deduplication").as_bool() == Some(true) {
        d.push(
            Diagnostic::error("Invalid configuration", "content-based deduplication can only be set for FIFO topics")
                .for_attribute("content_based_deduplication"),
        );
    }
    let valid = |s: &str, max: usize| !s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if let Some(name) = attr(config, "name").as_str() {
        let ok = if fifo { name.strip_suffix(".fifo").is_some_and(|b| valid(b, 251)) } else { valid(name, 256) };
        if !ok {
            d.push(Diagnostic::error("Invalid value", format!("invalid topic name: {name}")).for_attribute("name"));
        }
    }
    if let Some(prefix) = attr(config, "name_prefix").as_str() {
        if !valid(prefix, if fifo { 225 } else { 230 }) {
            d.push(Diagnostic::error("Invalid value", format!("invalid topic name prefix: {prefix}")).for_attribute("name_prefix"));
        }
    }
    d.extend(check_json(planned, "delivery_policy"));
    d
}

/// The topic's name: the last part of its ARN.
fn name_of(arn: &str) -> String {
    arn.rsplit(':').next().unwrap_or_default().to_string()
}

/// The attributes to send: on create every one set (and `FifoTopic`); on update those that
/// changed (`""` clears one).
fn attributes(planned: &Value, prior: Option<&Value>) -> BTreeMap<String, String> {
    let changed = |a: &str| prior.is_none_or(|p| attr(p, a) != attr(planned, a));
    let mut out = BTreeMap::new();
    for (arg, name) in ATTRIBUTES {
        if !changed(arg) {
            continue;
        }
        match attr(planned, arg) {
            Value::String(s) => {
                out.insert(name.to_string(), s.to_string());
            }
            Value::Bool(b) if *b || prior.is_some() => {
                out.insert(name.to_string(), b.to_string());
            }
            Value::Null if prior.is_some() => {
                out.insert(name.to_string(), String::new());
            }
            _ => {}
        }
    }
    if prior.is_none() && attr(planned, "fifo_topic").as_bool() == Some(true) {
        out.insert("FifoTopic".into(), "true".into());
    }
    out
}

fn tags_of(planned: &Value) -> BTreeMap<String, String> {
    attr(planned, "tags_all").as_map().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()).unwrap_or_default()
}

#[async_trait]
impl ResourceType<AwsProvider> for SnsTopic {
    fn name(&self) -> &'static str {
        "aws_sns_topic"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config, creating) = (req.prior_state.clone(), req.config.clone(), req.prior_state.is_none());
        let mut resp = plan_common(p, req, &["policy"]);
        let planned = &mut resp.planned_state;
        provider_defaults(planned, &config, &[("fifo_topic", Value::Bool(false)), ("content_based_deduplication", Value::Bool(false))]);
        if creating {
            if attr(&config, "name").is_null() {
                set(planned, "name", Value::Unknown);
            }
            if attr(&config, "name_prefix").is_null() {
                set(planned, "name_prefix", if attr(&config, "name").is_null() { Value::Unknown } else { Value::Null });
            }
        }
        resp.diagnostics.extend(check(&config, planned));
        keep_equivalent_json(planned, prior.as_ref(), "delivery_policy");
        if attr(planned, "policy").as_str().is_some_and(|s| !s.is_empty()) {
            resp.diagnostics.extend(plan_policy(planned, prior.as_ref(), "policy", true));
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let arn = text(&prior, "id");
        let attrs = match p.query.call(&SNS, "GetTopicAttributes", Params::new().add("TopicArn", &arn)).await {
            Ok(x) => x.find("GetTopicAttributesResult").map(|r| r.entries("Attributes")).unwrap_or_default(),
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading SNS topic {arn}"))),
        };
        let tags = match p.query.call(&SNS, "ListTagsForResource", Params::new().add("ResourceArn", &arn)).await {
            Ok(x) => x.find("ListTagsForResourceResult").map(|r| r.pairs("Tags", ("Key", "Value"))).unwrap_or_default(),
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("listing the tags of SNS topic {arn}"))),
        };
        let tags: BTreeMap<String, String> = tags.into_iter().filter(|(k, _)| !k.starts_with("aws:")).collect();
        let get = |k: &str| attrs.get(k).filter(|v| !v.is_empty()).cloned();
        let mut s = prior;
        let name = name_of(&arn);
        let fifo = get("FifoTopic").as_deref() == Some("true");
        set(&mut s, "id", Value::string(&arn));
        set(&mut s, "arn", Value::string(&arn));
        set(&mut s, "name", Value::string(&name));
        set(&mut s, "name_prefix", name_prefix_of(if fifo { name.strip_suffix(".fifo").unwrap_or(&name) } else { &name }));
        set(&mut s, "owner", get("Owner").map(Value::String).unwrap_or(Value::Null));
        set(&mut s, "fifo_topic", Value::Bool(fifo));
        set(&mut s, "content_based_deduplication", Value::Bool(get("ContentBasedDeduplication").as_deref() == Some("true")));
        for (arg, key) in [("display_name", "DisplayName"), ("kms_master_key_id", "KmsMasterKeyId")] {
            set(&mut s, arg, get(key).map(Value::String).unwrap_or(Value::Null));
        }
        let policy = match get("Policy") {
            Some(v) => Value::String(policy_to_set(attr(&s, "policy").as_str().unwrap_or_default(), &v)),
            None => Value::Null,
        };
        set(&mut s, "policy", policy);
        let delivery = match get("DeliveryPolicy") {
            Some(v) => same_json(attr(&s, "delivery_policy"), &v),
            None => Value::Null,
        };
        set(&mut s, "delivery_policy", delivery);
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let fifo = attr(&planned, "fifo_topic").as_bool() == Some(true);
        let suffix = if fifo { ".fifo" } else { "" };
        let name = match (attr(&planned, "name").as_str(), attr(&planned, "name_prefix").as_str()) {
            (Some(n), _) => n.to_string(),
            (None, Some(prefix)) => format!("{}{suffix}", unique_name(prefix)),
            (None, None) => format!("{}{suffix}", unique_name("terraform-")),
        };
        let params = Params::new().add("Name", &name).entries("Attributes", &attributes(&planned, None)).pairs("Tags", ("Key", "Value"), &tags_of(&planned));
        let arn = match p.query.write(&SNS, "CreateTopic", params).await {
            Ok(x) => x.find("TopicArn").map(|a| a.text.clone()).unwrap_or_default(),
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating SNS topic {name}"))),
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&arn));
        set(&mut state, "arn", Value::string(&arn));
        set(&mut state, "name", Value::string(&name));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        let what = |x: &str| format!("updating the {x} of SNS topic {arn}");
        let result: Result<(), Diagnostics> = async {
            for (name, value) in attributes(&planned, Some(&prior)) {
                let params = Params::new().add("TopicArn", &arn).add("AttributeName", &name).add("AttributeValue", value);
                p.query.call(&SNS, "SetTopicAttributes", params).await.map_err(|e| e.diagnostics(&what(&name)))?;
            }
            p.query.sync_tags(&SNS, "ResourceArn", &arn, &prior, &planned).await.map_err(|e| e.diagnostics(&what("tags")))?;
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        match p.query.write(&SNS, "DeleteTopic", Params::new().add("TopicArn", &arn)).await {
            Err(e) if !gone(&e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting SNS topic {arn}"))),
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
            ("display_name", Value::string("Alerts")),
            ("fifo_topic", Value::Bool(true)),
            ("content_based_deduplication", Value::Bool(false)),
            ("policy", Value::Unknown),
        ]);
        let created = attributes(&planned, None);
        assert_eq!(created.get("DisplayName").map(String::as_str), Some("Alerts"));
        assert_eq!(created.get("FifoTopic").map(String::as_str), Some("true"));
        assert!(!created.contains_key("ContentBasedDeduplication") && !created.contains_key("Policy"), "{created:?}");
        let prior = Value::object([("display_name", Value::string("Alerts")), ("kms_master_key_id", Value::string("alias/aws/sns"))]);
        let planned = Value::object([("display_name", Value::string("Pages")), ("kms_master_key_id", Value::Null)]);
        let changed = attributes(&planned, Some(&prior));
        assert_eq!(changed, [("DisplayName".to_string(), "Pages".to_string()), ("KmsMasterKeyId".to_string(), String::new())].into());
    }

    #[test]
    fn names_and_fifo_rules_are_checked_at_plan() {
        let config = Value::object([("name", Value::string("jobs"))]);
        assert!(check(&config, &Value::object([("fifo_topic", Value::Bool(true))])).has_errors(), "a FIFO topic's name ends in .fifo");
        assert!(!check(&Value::object([("name", Value::string("jobs.fifo"))]), &Value::object([("fifo_topic", Value::Bool(true))])).has_errors());
        let planned = Value::object([("fifo_topic", Value::Bool(false)), ("content_based_deduplication", Value::Bool(true))]);
        assert!(check(&config, &planned).has_errors());
        assert!(check(&Value::object([("name", Value::string("a b"))]), &Value::Null).has_errors());
        assert!(check(&Value::Null, &Value::object([("delivery_policy", Value::string("{"))])).has_errors());
        assert_eq!(name_of("arn:aws:sns:eu-west-1:123456789012:jobs.fifo"), "jobs.fifo");
    }

    #[test]
    fn equivalent_json_keeps_the_prior_string() {
        let prior = Value::object([("delivery_policy", Value::string("{\"a\":1}"))]);
        let mut planned = Value::object([("delivery_policy", Value::string("{ \"a\": 1 }"))]);
        keep_equivalent_json(&mut planned, Some(&prior), "delivery_policy");
        assert_eq!(attr(&planned, "delivery_policy"), &Value::string("{\"a\":1}"));
    }
}
