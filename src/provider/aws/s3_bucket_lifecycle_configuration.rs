//! `aws_s3_bucket_lifecycle_configuration`: `bucket` (force-new), `rule` blocks (`id`, `status`,
//! `filter { prefix | tag | and { prefix, tags, object sizes } | object sizes }`, `expiration
//! { days | date | expired_object_delete_marker }`, `transition { days | date, storage_class }`,
//! `noncurrent_version_expiration`, `noncurrent_version_transition`,
//! `abort_incomplete_multipart_upload`) and `transition_default_minimum_object_size` (default
//! `all_storage_classes_128K`), all changed in place; destroying it deletes the configuration.
//! Values the provider fills when unset ("legacy values": a rule's `prefix` "", an
//! expiration's `days` 0 and `expired_object_delete_marker` false, an empty filter's `prefix`
//! "", ...) are planned and read back the same way, so plans match Terraform's. `timeouts` is
//! accepted and ignored; `expected_bucket_owner` is not implemented.

use async_trait::async_trait;
use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
use aws_sdk_s3::types::*;

use super::s3_bucket_common::{self as common, blocks, bucket, first, invalid, num_or_null, opt_i32, opt_i64, opt_str, str_or_null};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

const DEFAULT_MIN_SIZE: &str = "all_storage_classes_128K";

/// Maps every element of a nested block through `f`.
fn each(v: &mut Value, name: &str, f: impl Fn(&mut Value)) {
    let was = attr(v, name);
    let is_set = matches!(was, Value::Set(_));
    if !is_set && !matches!(was, Value::List(_)) {
        return;
    }
    let items: Vec<Value> = blocks(was)
        .iter()
        .cloned()
        .map(|mut x| {
            f(&mut x);
            x
        })
        .collect();
    set(v, name, if is_set { Value::set(items) } else { Value::List(items) });
}

fn default(v: &mut Value, name: &str, d: Value) {
    if attr(v, name).is_null() {
        set(v, name, d);
    }
}

/// A rule as planned: the provider's legacy values where the configuration leaves them unset.
fn plan_rule(rule: &mut Value) {
    default(rule, "prefix", Value::string(""));
    each(rule, "filter", |f| {
        let set_in = |n: &str| !blocks(attr(f, n)).is_empty();
        if set_in("and") || set_in("tag") {
            set(f, "prefix", Value::Null);
        } else if ["object_size_greater_than", "object_size_less_than", "prefix"].iter().all(|n| attr(f, n).is_null()) {
            set(f, "prefix", Value::string(""));
        }
        each(f, "and", |a| {
            default(a, "object_size_greater_than", Value::Number(0.0));
            default(a, "object_size_less_than", Value::Number(0.0));
            default(a, "prefix", Value::string(""));
        });
    });
    each(rule, "expiration", |e| {
        default(e, "days", Value::Number(0.0));
        default(e, "expired_object_delete_marker", Value::Bool(false));
    });
    each(rule, "transition", |t| {
        if attr(t, "date").is_null() {
            default(t, "days", Value::Number(0.0));
        }
    });
}

fn date(v: &Value) -> Result<Option<DateTime>, Diagnostics> {
    match opt_str(v, "date") {
        Some(s) => DateTime::from_str(&s, DateTimeFormat::DateTime).map(Some).map_err(|e| invalid(&format!("date \"{s}\" is not an RFC 3339 date"), e)),
        None => Ok(None),
    }
}

fn tag(key: &str, value: &str) -> Result<Tag, Diagnostics> {
    Tag::builder().key(key).value(value).build().map_err(|e| invalid("tag", e))
}

fn expand_filter(f: &Value) -> Result<LifecycleRuleFilter, Diagnostics> {
    let mut b = LifecycleRuleFilter::builder()
        .set_prefix(opt_str(f, "prefix"))
        .set_object_size_greater_than(opt_i64(f, "object_size_greater_than"))
        .set_object_size_less_than(opt_i64(f, "object_size_less_than"));
    if let Some(t) = first(attr(f, "tag")) {
        b = b.tag(tag(&opt_str(t, "key").unwrap_or_default(), &opt_str(t, "value").unwrap_or_default())?);
    }
    if let Some(a) = first(attr(f, "and")) {
        let mut and = LifecycleRuleAndOperator::builder()
            .set_prefix(opt_str(a, "prefix"))
            .set_object_size_greater_than(opt_i64(a, "object_size_greater_than"))
            .set_object_size_less_than(opt_i64(a, "object_size_less_than").filter(|n| *n != 0));
        if let Some(m) = attr(a, "tags").as_map() {
            for (k, v) in m {
                and = and.tags(tag(k, v.as_str().unwrap_or_default())?);
            }
        }
        b = b.and(and.build());
    }
    Ok(b.build())
}

// The rule-level `prefix` is deprecated by S3 but still part of the provider's schema.
#[allow(deprecated)]
fn expand_rule(r: &Value) -> Result<LifecycleRule, Diagnostics> {
    let prefix = opt_str(r, "prefix").filter(|p| !p.is_empty());
    let mut b = LifecycleRule::builder().set_id(opt_str(r, "id")).status(ExpirationStatus::from(opt_str(r, "status").unwrap_or_default().as_str()));
    b = match first(attr(r, "filter")) {
        // An empty filter block is a filter on the empty prefix.
        Some(f) => b.filter(expand_filter(f)?),
        None if prefix.is_none() => b.filter(LifecycleRuleFilter::builder().build()),
        None => b.prefix(prefix.unwrap_or_default()),
    };
    if let Some(e) = first(attr(r, "expiration")) {
        let (date, days) = (date(e)?, opt_i32(e, "days").filter(|d| *d != 0));
        let marker = if date.is_none() && days.is_none() { Some(attr(e, "expired_object_delete_marker").as_bool().unwrap_or(false)) } else { None };
        b = b.expiration(LifecycleExpiration::builder().set_date(date).set_days(days).set_expired_object_delete_marker(marker).build());
    }
    for t in blocks(attr(r, "transition")) {
        let date = date(t)?;
        let days = opt_i32(t, "days").or(if date.is_none() { Some(0) } else { None });
        let class = TransitionStorageClass::from(opt_str(t, "storage_class").unwrap_or_default().as_str());
        b = b.transitions(Transition::builder().set_date(date).set_days(days).storage_class(class).build());
    }
    if let Some(n) = first(attr(r, "noncurrent_version_expiration")) {
        let x = NoncurrentVersionExpiration::builder().set_noncurrent_days(opt_i32(n, "noncurrent_days"));
        b = b.noncurrent_version_expiration(x.set_newer_noncurrent_versions(opt_i32(n, "newer_noncurrent_versions")).build());
    }
    for n in blocks(attr(r, "noncurrent_version_transition")) {
        let class = TransitionStorageClass::from(opt_str(n, "storage_class").unwrap_or_default().as_str());
        let x = NoncurrentVersionTransition::builder().set_noncurrent_days(opt_i32(n, "noncurrent_days")).storage_class(class);
        b = b.noncurrent_version_transitions(x.set_newer_noncurrent_versions(opt_i32(n, "newer_noncurrent_versions")).build());
    }
    if let Some(a) = first(attr(r, "abort_incomplete_multipart_upload")) {
        b = b.abort_incomplete_multipart_upload(
            AbortIncompleteMultipartUpload::builder().set_days_after_initiation(opt_i32(a, "days_after_initiation")).build(),
        );
    }
    b.build().map_err(|e| invalid("rule", e))
}

fn list(v: Option<Value>) -> Value {
    Value::List(v.into_iter().collect())
}

fn date_value(d: Option<&DateTime>) -> Value {
    d.and_then(|d| d.fmt(DateTimeFormat::DateTime).ok()).map(Value::String).unwrap_or(Value::Null)
}

fn flatten_filter(f: Option<&LifecycleRuleFilter>) -> Value {
    let Some(f) = f.filter(|f| {
        f.prefix().is_some() || f.tag().is_some() || f.and().is_some() || f.object_size_greater_than().is_some() || f.object_size_less_than().is_some()
    }) else {
        return Value::List(vec![]);
    };
    let tag = f.tag().map(|t| Value::object([("key", Value::string(t.key())), ("value", Value::string(t.value()))]));
    let and = f.and().map(|a| {
        let tags: Vec<(String, Value)> = a.tags().iter().map(|t| (t.key().to_string(), Value::string(t.value()))).collect();
        Value::object([
            ("object_size_greater_than", Value::Number(a.object_size_greater_than().unwrap_or(0) as f64)),
            ("object_size_less_than", Value::Number(a.object_size_less_than().unwrap_or(0) as f64)),
            ("prefix", Value::string(a.prefix().unwrap_or_default())),
            ("tags", if tags.is_empty() { Value::Null } else { Value::object(tags) }),
        ])
    });
    list(Some(Value::object([
        ("and", list(and)),
        ("object_size_greater_than", num_or_null(f.object_size_greater_than().map(|n| n as f64))),
        ("object_size_less_than", num_or_null(f.object_size_less_than().map(|n| n as f64))),
        ("prefix", str_or_null(f.prefix())),
        ("tag", list(tag)),
    ])))
}

#[allow(deprecated)]
fn flatten_rule(r: &LifecycleRule) -> Value {
    let expiration = r.expiration().map(|e| {
        Value::object([
            ("date", date_value(e.date())),
            ("days", Value::Number(e.days().unwrap_or(0).into())),
            ("expired_object_delete_marker", Value::Bool(e.expired_object_delete_marker().unwrap_or(false))),
        ])
    });
    let transitions = r.transitions().iter().map(|t| {
        let class = t.storage_class().map(|c| Value::string(c.as_str())).unwrap_or(Value::Null);
        Value::object([("date", date_value(t.date())), ("days", num_or_null(t.days())), ("storage_class", class)])
    });
    let nve = r.noncurrent_version_expiration().map(|n| {
        Value::object([("newer_noncurrent_versions", num_or_null(n.newer_noncurrent_versions())), ("noncurrent_days", num_or_null(n.noncurrent_days()))])
    });
    let nvts = r.noncurrent_version_transitions().iter().map(|n| {
        let class = n.storage_class().map(|c| Value::string(c.as_str())).unwrap_or(Value::Null);
        Value::object([
            ("newer_noncurrent_versions", num_or_null(n.newer_noncurrent_versions())),
            ("noncurrent_days", num_or_null(n.noncurrent_days())),
            ("storage_class", class),
        ])
    });
    let abort = r.abort_incomplete_multipart_upload().map(|a| Value::object([("days_after_initiation", num_or_null(a.days_after_initiation()))]));
    Value::object([
        ("id", str_or_null(r.id())),
        ("status", Value::string(r.status().as_str())),
        ("prefix", Value::string(r.prefix().unwrap_or_default())),
        ("filter", flatten_filter(r.filter())),
        ("expiration", list(expiration)),
        ("transition", Value::set(transitions.collect())),
        ("noncurrent_version_expiration", list(nve)),
        ("noncurrent_version_transition", Value::set(nvts.collect())),
        ("abort_incomplete_multipart_upload", list(abort)),
    ])
}

/// `aws_s3_bucket_lifecycle_configuration`.
pub struct S3BucketLifecycleConfiguration;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketLifecycleConfiguration {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_lifecycle_configuration"
    }

    fn schema(&self) -> ResourceSchema {
        let mut s = common::schema(self.name(), &["rule", "transition_default_minimum_object_size", "timeouts"]);
        s.version = 1;
        s
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        if attr(&req.config, "transition_default_minimum_object_size").is_null() {
            set(&mut planned, "transition_default_minimum_object_size", Value::string(DEFAULT_MIN_SIZE));
        }
        if attr(&planned, "rule").is_known() && blocks(attr(&planned, "rule")).is_empty() {
            diags.push(Diagnostic::error("Missing rule", "At least one rule block is required."));
        }
        each(&mut planned, "rule", plan_rule);
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_bucket_lifecycle_configuration().bucket(bucket(&prior)).send().await;
        if r.as_ref().is_ok_and(|out| out.rules().is_empty()) {
            return ReadResponse::gone();
        }
        common::read_from(prior, "lifecycle configuration", r, |mut state, out| {
            set(&mut state, "rule", Value::List(out.rules().iter().map(flatten_rule).collect()));
            let size = out.transition_default_minimum_object_size().map(|s| s.as_str()).unwrap_or_default();
            set(&mut state, "transition_default_minimum_object_size", Value::string(size));
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
        let r = p.s3_write.delete_bucket_lifecycle().bucket(bucket(&prior)).send().await;
        common::after_delete(prior, "lifecycle configuration", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketLifecycleConfiguration {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let rules: Result<Vec<LifecycleRule>, Diagnostics> = blocks(attr(&planned, "rule")).iter().map(expand_rule).collect();
        let config = match rules.and_then(|r| BucketLifecycleConfiguration::builder().set_rules(Some(r)).build().map_err(|e| invalid("rule", e))) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(prior, d),
        };
        let size = opt_str(&planned, "transition_default_minimum_object_size").filter(|s| !s.is_empty());
        let r = p
            .s3_write
            .put_bucket_lifecycle_configuration()
            .bucket(bucket(&planned))
            .lifecycle_configuration(config)
            .set_transition_default_minimum_object_size(size.map(|s| TransitionDefaultMinimumObjectSize::from(s.as_str())))
            .send()
            .await;
        common::after_put(self, p, prior, planned, "lifecycle configuration", r).await
    }
}
