//! `aws_s3_bucket_notification`: `bucket` (force-new) and the bucket's whole notification
//! configuration: `queue`, `topic` and `lambda_function` blocks (`events`, `filter_prefix`,
//! `filter_suffix`, `id`: computed as `tf-s3-queue-...` / `tf-s3-topic-...` /
//! `tf-s3-lambda-...` when unset) and `eventbridge` (default false), changed in place.
//! Destroying it puts an empty configuration. Imported by bucket name. A configuration with no
//! target at all reads as gone, as in Terraform. moto 5.2.5 does not return the EventBridge
//! configuration it stores, so `eventbridge = true` reads back as false there.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use aws_sdk_s3::types::{
    Event, EventBridgeConfiguration, FilterRule, FilterRuleName, LambdaFunctionConfiguration, NotificationConfiguration, NotificationConfigurationFilter,
    QueueConfiguration, S3KeyFilter, TopicConfiguration,
};

use super::s3_bucket_common::{self as common, blocks, bucket, invalid, keep_computed, opt_str, str_or_null, strings};
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

/// The three target kinds: block name, ARN attribute, prefix of a generated id.
const TARGETS: [(&str, &str, &str); 3] =
    [("queue", "queue_arn", "tf-s3-queue-"), ("topic", "topic_arn", "tf-s3-topic-"), ("lambda_function", "lambda_function_arn", "tf-s3-lambda-")];

/// One target as the SDK's configurations share it: id, ARN, events and key filter.
struct Target {
    id: String,
    arn: String,
    events: Vec<Event>,
    filter: Option<NotificationConfigurationFilter>,
}

/// A unique id for a target the configuration leaves unnamed (Terraform's `PrefixedUniqueId`).
fn unique_id(prefix: &str) -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{prefix}{nanos:x}{:04x}", SEQ.fetch_add(1, Ordering::Relaxed) & 0xffff)
}

fn expand(b: &Value, arn_name: &str, prefix: &str) -> Result<Target, Diagnostics> {
    let rules: Result<Vec<FilterRule>, Diagnostics> = [("filter_prefix", FilterRuleName::Prefix), ("filter_suffix", FilterRuleName::Suffix)]
        .into_iter()
        .filter_map(|(n, kind)| opt_str(b, n).filter(|s| !s.is_empty()).map(|v| Ok(FilterRule::builder().name(kind).value(v).build())))
        .collect();
    let rules = rules?;
    let filter =
        (!rules.is_empty()).then(|| NotificationConfigurationFilter::builder().key(S3KeyFilter::builder().set_filter_rules(Some(rules)).build()).build());
    Ok(Target {
        id: opt_str(b, "id").filter(|s| !s.is_empty()).unwrap_or_else(|| unique_id(prefix)),
        arn: opt_str(b, arn_name).unwrap_or_default(),
        events: strings(attr(b, "events")).iter().map(|e| Event::from(e.as_str())).collect(),
        filter,
    })
}

fn flatten(arn_name: &str, id: Option<&str>, arn: &str, events: &[Event], filter: Option<&NotificationConfigurationFilter>) -> Value {
    let rules = filter.and_then(|f| f.key()).map(|k| k.filter_rules()).unwrap_or_default();
    let rule = |kind: &str| rules.iter().find(|r| r.name().is_some_and(|n| n.as_str().eq_ignore_ascii_case(kind))).and_then(|r| r.value());
    Value::object([
        ("id", str_or_null(id)),
        (arn_name, Value::string(arn)),
        ("events", Value::set(events.iter().map(|e| Value::string(e.as_str())).collect())),
        ("filter_prefix", str_or_null(rule("prefix"))),
        ("filter_suffix", str_or_null(rule("suffix"))),
    ])
}

/// `aws_s3_bucket_notification`.
pub struct S3BucketNotification;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketNotification {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_notification"
    }

    fn schema(&self) -> ResourceSchema {
        let mut s = common::schema(self.name(), &["eventbridge", "queue", "topic", "lambda_function"]);
        common::defaulted(&mut s.block, &["eventbridge"]);
        s
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        if attr(&planned, "eventbridge").is_null() {
            set(&mut planned, "eventbridge", Value::Bool(false));
        }
        for (block, _, _) in TARGETS {
            keep_computed(&mut planned, req.prior_state.as_ref(), block, "id");
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_bucket_notification_configuration().bucket(bucket(&prior)).send().await;
        let empty = |o: &aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput| {
            o.queue_configurations().is_empty()
                && o.topic_configurations().is_empty()
                && o.lambda_function_configurations().is_empty()
                && o.event_bridge_configuration().is_none()
        };
        if r.as_ref().is_ok_and(empty) {
            return ReadResponse::gone();
        }
        common::read_from(prior, "notification configuration", r, |mut state, out| {
            let queues = out.queue_configurations().iter().map(|q| flatten("queue_arn", q.id(), q.queue_arn(), q.events(), q.filter())).collect();
            let topics = out.topic_configurations().iter().map(|t| flatten("topic_arn", t.id(), t.topic_arn(), t.events(), t.filter())).collect();
            let lambdas = out
                .lambda_function_configurations()
                .iter()
                .map(|l| flatten("lambda_function_arn", l.id(), l.lambda_function_arn(), l.events(), l.filter()))
                .collect();
            set(&mut state, "queue", Value::List(queues));
            set(&mut state, "topic", Value::List(topics));
            set(&mut state, "lambda_function", Value::List(lambdas));
            set(&mut state, "eventbridge", Value::Bool(out.event_bridge_configuration().is_some()));
            state
        })
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        self.put(p, None, planned).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        self.put(p, Some(prior), planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let none = NotificationConfiguration::builder().build();
        let r = p.s3_write.put_bucket_notification_configuration().bucket(bucket(&prior)).notification_configuration(none).send().await;
        common::after_delete(prior, "notification configuration", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketNotification {
    /// The configuration to put: every target of the planned state, ids generated where unset.
    fn configuration(planned: &Value) -> Result<NotificationConfiguration, Diagnostics> {
        let targets = |(block, arn_name, prefix): (&str, &str, &str)| -> Result<Vec<Target>, Diagnostics> {
            blocks(attr(planned, block)).iter().map(|b| expand(b, arn_name, prefix)).collect()
        };
        let [queues, topics, lambdas] = TARGETS.map(targets);
        let mut c = NotificationConfiguration::builder();
        for t in queues? {
            let q = QueueConfiguration::builder().id(t.id).queue_arn(t.arn).set_events(Some(t.events)).set_filter(t.filter).build();
            c = c.queue_configurations(q.map_err(|e| invalid("queue", e))?);
        }
        for t in topics? {
            let q = TopicConfiguration::builder().id(t.id).topic_arn(t.arn).set_events(Some(t.events)).set_filter(t.filter).build();
            c = c.topic_configurations(q.map_err(|e| invalid("topic", e))?);
        }
        for t in lambdas? {
            let q = LambdaFunctionConfiguration::builder().id(t.id).lambda_function_arn(t.arn).set_events(Some(t.events)).set_filter(t.filter).build();
            c = c.lambda_function_configurations(q.map_err(|e| invalid("lambda_function", e))?);
        }
        if attr(planned, "eventbridge").as_bool() == Some(true) {
            c = c.event_bridge_configuration(EventBridgeConfiguration::builder().build());
        }
        Ok(c.build())
    }

    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let config = match Self::configuration(&planned) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(prior, d),
        };
        let r = p.s3_write.put_bucket_notification_configuration().bucket(bucket(&planned)).notification_configuration(config).send().await;
        common::after_put(self, p, prior, planned, "notification configuration", r).await
    }
}
