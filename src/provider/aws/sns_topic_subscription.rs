//! `aws_sns_topic_subscription`: `topic_arn`, `protocol` and `endpoint`, all replacing; in
//! place: `raw_message_delivery` (false), `filter_policy` and `filter_policy_scope` (SNS sets
//! `MessageAttributes` once a filter policy exists), `delivery_policy`, `redrive_policy`
//! (equivalent JSON is no change) and `subscription_role_arn`; computed `arn` (also the `id`),
//! `owner_id`, `pending_confirmation`, `confirmation_was_authenticated`. The driver's own
//! `endpoint_auto_confirms` (false) and `confirmation_timeout_in_minutes` (1): with true,
//! creating an HTTP(S) subscription waits that long for the endpoint's confirmation. Import by
//! subscription ARN. `replay_policy` is not implemented.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::json_api::{provider_defaults, read_back, updated};
use super::query_api::{gone, Params, SNS};
use super::sns_topic::{check_json, keep_equivalent_json, same_json};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_sns_topic_subscription")
        .implement(&[
            "arn",
            "confirmation_timeout_in_minutes",
            "confirmation_was_authenticated",
            "delivery_policy",
            "endpoint",
            "endpoint_auto_confirms",
            "filter_policy",
            "filter_policy_scope",
            "id",
            "owner_id",
            "pending_confirmation",
            "protocol",
            "raw_message_delivery",
            "redrive_policy",
            "subscription_role_arn",
            "topic_arn",
        ])
        .computed_only(&["id"])
        .defaulted(&["confirmation_timeout_in_minutes", "endpoint_auto_confirms", "raw_message_delivery"])
        .force_new(&["endpoint", "protocol", "topic_arn"])
        .build()
}

/// `aws_sns_topic_subscription`.
pub struct SnsTopicSubscription;

/// The protocols Terraform accepts.
const PROTOCOLS: [&str; 9] = ["application", "email", "email-json", "firehose", "http", "https", "lambda", "sms", "sqs"];

/// The attributes set in place: (argument, SNS attribute), `FilterPolicyScope` before
/// `FilterPolicy` (the policy is checked against the scope).
const ATTRIBUTES: [(&str, &str); 6] = [
    ("filter_policy_scope", "FilterPolicyScope"),
    ("filter_policy", "FilterPolicy"),
    ("delivery_policy", "DeliveryPolicy"),
    ("redrive_policy", "RedrivePolicy"),
    ("raw_message_delivery", "RawMessageDelivery"),
    ("subscription_role_arn", "SubscriptionRoleArn"),
];

/// The JSON arguments.
const JSON: [&str; 3] = ["filter_policy", "delivery_policy", "redrive_policy"];

fn check(planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(p) = attr(planned, "protocol").as_str().filter(|p| !PROTOCOLS.contains(p)) {
        let why = format!("expected protocol to be one of {PROTOCOLS:?}, got {p}");
        d.push(Diagnostic::error("Invalid value", why).for_attribute("protocol"));
    }
    if let Some(s) = attr(planned, "filter_policy_scope").as_str().filter(|s| !["MessageAttributes", "MessageBody"].contains(s)) {
        let why = format!("expected filter_policy_scope to be one of [\"MessageAttributes\" \"MessageBody\"], got {s}");
        d.push(Diagnostic::error("Invalid value", why).for_attribute("filter_policy_scope"));
    }
    if attr(planned, "protocol").as_str() == Some("firehose") && attr(planned, "subscription_role_arn").is_null() {
        d.push(Diagnostic::error("Invalid configuration", "protocol firehose must contain subscription_role_arn!").for_attribute("subscription_role_arn"));
    }
    for arg in JSON {
        d.extend(check_json(planned, arg));
    }
    d
}

/// The attributes to send: on create every one set; on update those that changed (`""`
/// clears one). `FilterPolicyScope` stays as SNS has it when the configuration leaves it out.
fn attributes(planned: &Value, prior: Option<&Value>) -> Vec<(String, String)> {
    let changed = |a: &str| prior.is_none_or(|p| attr(p, a) != attr(planned, a));
    let mut out = Vec::new();
    for (arg, name) in ATTRIBUTES {
        if !changed(arg) {
            continue;
        }
        match attr(planned, arg) {
            Value::String(s) => out.push((name.to_string(), s.to_string())),
            Value::Bool(b) if *b || prior.is_some() => out.push((name.to_string(), b.to_string())),
            Value::Null if prior.is_some() && arg != "filter_policy_scope" => out.push((name.to_string(), String::new())),
            _ => {}
        }
    }
    out
}

/// Waits until an HTTP(S) endpoint has confirmed the subscription (`endpoint_auto_confirms`).
async fn confirmed(p: &AwsProvider, arn: &str, minutes: f64) -> Result<(), Diagnostics> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(minutes.max(0.0) * 60.0);
    loop {
        let answer = p.query.call(&SNS, "GetSubscriptionAttributes", Params::new().add("SubscriptionArn", arn)).await;
        let attrs = answer.map_err(|e| e.diagnostics(&format!("reading SNS topic subscription {arn}")))?;
        let pending = attrs.find("GetSubscriptionAttributesResult").map(|r| r.entries("Attributes")).and_then(|a| a.get("PendingConfirmation").cloned());
        if pending.as_deref() != Some("true") {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            let why = format!("SNS topic subscription {arn} was not confirmed within {minutes} minutes (confirmation_timeout_in_minutes).");
            return Err(Diagnostic::error("Subscription not confirmed", why).into());
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

#[async_trait]
impl ResourceType<AwsProvider> for SnsTopicSubscription {
    fn name(&self) -> &'static str {
        "aws_sns_topic_subscription"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config) = (req.prior_state.clone(), req.config.clone());
        let mut planned = req.proposed_new_state;
        let defaults = [
            ("raw_message_delivery", Value::Bool(false)),
            ("endpoint_auto_confirms", Value::Bool(false)),
            ("confirmation_timeout_in_minutes", Value::Number(1.0)),
        ];
        provider_defaults(&mut planned, &config, &defaults);
        // SNS sets the scope when a filter policy first appears.
        let had_filter = prior.as_ref().is_some_and(|p| !attr(p, "filter_policy").is_null());
        if attr(&config, "filter_policy_scope").is_null() && !attr(&planned, "filter_policy").is_null() && !had_filter {
            set(&mut planned, "filter_policy_scope", Value::Unknown);
        }
        for arg in JSON {
            keep_equivalent_json(&mut planned, prior.as_ref(), arg);
        }
        let mut resp = PlanResponse::planned(planned);
        resp.diagnostics.extend(check(&resp.planned_state));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let arn = text(&prior, "id");
        let attrs: BTreeMap<String, String> = match p.query.call(&SNS, "GetSubscriptionAttributes", Params::new().add("SubscriptionArn", &arn)).await {
            Ok(x) => x.find("GetSubscriptionAttributesResult").map(|r| r.entries("Attributes")).unwrap_or_default(),
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading SNS topic subscription {arn}"))),
        };
        let get = |k: &str| attrs.get(k).filter(|v| !v.is_empty()).cloned();
        let string = |k: &str| get(k).map(Value::String).unwrap_or(Value::Null);
        let flag = |k: &str| Value::Bool(get(k).as_deref() == Some("true"));
        let mut s = prior;
        set(&mut s, "id", Value::string(&arn));
        set(&mut s, "arn", Value::string(&arn));
        for (arg, key) in [
            ("topic_arn", "TopicArn"),
            ("protocol", "Protocol"),
            ("endpoint", "Endpoint"),
            ("owner_id", "Owner"),
            ("subscription_role_arn", "SubscriptionRoleArn"),
            ("filter_policy_scope", "FilterPolicyScope"),
        ] {
            set(&mut s, arg, string(key));
        }
        for (arg, key) in [("raw_message_delivery", "RawMessageDelivery"), ("pending_confirmation", "PendingConfirmation")] {
            set(&mut s, arg, flag(key));
        }
        set(&mut s, "confirmation_was_authenticated", flag("ConfirmationWasAuthenticated"));
        // Settings of the driver alone (none after an import): their defaults.
        for (arg, default) in [("endpoint_auto_confirms", Value::Bool(false)), ("confirmation_timeout_in_minutes", Value::Number(1.0))] {
            if attr(&s, arg).is_null() {
                set(&mut s, arg, default);
            }
        }
        for (arg, key) in [("filter_policy", "FilterPolicy"), ("delivery_policy", "DeliveryPolicy"), ("redrive_policy", "RedrivePolicy")] {
            let v = match get(key) {
                Some(v) => same_json(attr(&s, arg), &v),
                None => Value::Null,
            };
            set(&mut s, arg, v);
        }
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let (topic, protocol, endpoint) = (text(&planned, "topic_arn"), text(&planned, "protocol"), text(&planned, "endpoint"));
        let attributes: BTreeMap<String, String> = attributes(&planned, None).into_iter().collect();
        let params = Params::new()
            .add("TopicArn", &topic)
            .add("Protocol", &protocol)
            .add("Endpoint", &endpoint)
            .add("ReturnSubscriptionArn", "true")
            .entries("Attributes", &attributes);
        let arn = match p.query.write(&SNS, "Subscribe", params).await {
            Ok(x) => x.find("SubscriptionArn").map(|a| a.text.clone()).unwrap_or_default(),
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating SNS topic subscription to {topic} ({protocol} {endpoint})"))),
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&arn));
        set(&mut state, "arn", Value::string(&arn));
        if ["http", "https"].contains(&protocol.as_str()) && attr(&state, "endpoint_auto_confirms").as_bool() == Some(true) {
            let minutes = attr(&state, "confirmation_timeout_in_minutes").as_f64().unwrap_or(1.0);
            if let Err(d) = confirmed(p, &arn, minutes).await {
                return ApplyResponse::failed(Some(state), d);
            }
        }
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        let result: Result<(), Diagnostics> = async {
            for (name, value) in attributes(&planned, Some(&prior)) {
                let params = Params::new().add("SubscriptionArn", &arn).add("AttributeName", &name).add("AttributeValue", value);
                let what = format!("updating the {name} of SNS topic subscription {arn}");
                p.query.call(&SNS, "SetSubscriptionAttributes", params).await.map_err(|e| e.diagnostics(&what))?;
            }
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        match p.query.write(&SNS, "Unsubscribe", Params::new().add("SubscriptionArn", &arn)).await {
            Err(e) if !gone(&e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting SNS topic subscription {arn}"))),
            _ => ApplyResponse::ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_send_what_is_set_and_on_update_what_changed() {
        let planned = Value::object([("raw_message_delivery", Value::Bool(false)), ("filter_policy", Value::string("{\"a\":[\"b\"]}"))]);
        assert_eq!(attributes(&planned, None), vec![("FilterPolicy".to_string(), "{\"a\":[\"b\"]}".to_string())]);
        let prior = Value::object([
            ("raw_message_delivery", Value::Bool(false)),
            ("filter_policy", Value::string("{\"a\":[\"b\"]}")),
            ("filter_policy_scope", Value::string("MessageAttributes")),
        ]);
        let planned = Value::object([("raw_message_delivery", Value::Bool(true)), ("filter_policy", Value::Null), ("filter_policy_scope", Value::Null)]);
        let changed = attributes(&planned, Some(&prior));
        assert_eq!(changed, vec![("FilterPolicy".to_string(), String::new()), ("RawMessageDelivery".to_string(), "true".to_string())]);
    }

    #[test]
    fn protocols_and_json_are_checked_at_plan() {
        assert!(check(&Value::object([("protocol", Value::string("smtp"))])).has_errors());
        assert!(check(&Value::object([("protocol", Value::string("firehose"))])).has_errors(), "firehose needs a role");
        assert!(check(&Value::object([("protocol", Value::string("sqs")), ("filter_policy", Value::string("{"))])).has_errors());
        assert!(!check(&Value::object([("protocol", Value::string("sqs"))])).has_errors());
    }
}
