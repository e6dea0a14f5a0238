//! `aws_s3_bucket_replication_configuration`: `bucket` (force-new), `role`, `token` (sensitive,
//! sent with every put, not read back) and one or more `rule` blocks (`id`, computed when unset;
//! `status`; `priority`; `prefix` (deprecated); `filter { prefix | tag { key, value } | and {
//! prefix, tags } }`; `delete_marker_replication`; `existing_object_replication`;
//! `source_selection_criteria { replica_modifications, sse_kms_encrypted_objects }`;
//! `destination { bucket, account, storage_class, access_control_translation,
//! encryption_configuration, metrics { status, event_threshold }, replication_time { status,
//! time } }`), changed in place. A rule with a `filter` block (even empty) is sent in S3's V2
//! form with its `priority` (0 when unset), one without in the V1 form with its `prefix` ("" when
//! unset), and those values are planned, as Terraform's provider sends and reads them. The
//! source bucket must be versioned. Destroying it deletes the replication configuration.
//! moto 5.2.5 keeps only a rule's id, priority, status and destination: it answers every rule
//! with an empty filter prefix and disabled delete-marker replication.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_s3::types::*;

use super::s3_bucket_common::{self as common, block_at, blocks, bucket, first, invalid, keep_computed, num_or_null, opt_i32, opt_str, str_or_null};
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set, string_map};
use crate::provider::*;
use crate::value::Value;

/// The `status` of the first object of nested block `name` of `v`, if the block is set.
fn status_of(v: &Value, name: &str) -> Option<String> {
    status_like(v, name, "status")
}

/// `{ status = s }` as a one-element block list (empty without a value).
fn status_block(s: Option<&str>) -> Value {
    Value::List(s.map(|s| Value::object([("status", Value::string(s))])).into_iter().collect())
}

fn minutes(v: &Value, name: &str) -> Option<ReplicationTimeValue> {
    first(attr(v, name)).map(|t| ReplicationTimeValue::builder().set_minutes(opt_i32(t, "minutes")).build())
}

fn flatten_minutes(t: Option<&ReplicationTimeValue>) -> Value {
    Value::List(t.map(|t| Value::object([("minutes", num_or_null(t.minutes()))])).into_iter().collect())
}

fn expand_destination(d: &Value) -> Result<Destination, Diagnostics> {
    let acl = match status_like(d, "access_control_translation", "owner") {
        Some(o) => {
            Some(AccessControlTranslation::builder().owner(OwnerOverride::from(o.as_str())).build().map_err(|e| invalid("access_control_translation", e))?)
        }
        None => None,
    };
    let encryption =
        first(attr(d, "encryption_configuration")).map(|e| EncryptionConfiguration::builder().set_replica_kms_key_id(opt_str(e, "replica_kms_key_id")).build());
    let metrics = match first(attr(d, "metrics")) {
        Some(m) => Some(
            Metrics::builder()
                .status(MetricsStatus::from(opt_str(m, "status").unwrap_or_default().as_str()))
                .set_event_threshold(minutes(m, "event_threshold"))
                .build()
                .map_err(|e| invalid("metrics", e))?,
        ),
        None => None,
    };
    let time = match first(attr(d, "replication_time")) {
        Some(t) => Some(
            ReplicationTime::builder()
                .status(ReplicationTimeStatus::from(opt_str(t, "status").unwrap_or_default().as_str()))
                .set_time(minutes(t, "time"))
                .build()
                .map_err(|e| invalid("replication_time", e))?,
        ),
        None => None,
    };
    Destination::builder()
        .set_bucket(opt_str(d, "bucket"))
        .set_account(opt_str(d, "account").filter(|s| !s.is_empty()))
        .set_storage_class(opt_str(d, "storage_class").filter(|s| !s.is_empty()).map(|s| StorageClass::from(s.as_str())))
        .set_access_control_translation(acl)
        .set_encryption_configuration(encryption)
        .set_metrics(metrics)
        .set_replication_time(time)
        .build()
        .map_err(|e| invalid("destination", e))
}

/// The attribute `name` of the first object of nested block `block` of `v`, if the block is set.
fn status_like(v: &Value, block: &str, name: &str) -> Option<String> {
    first(attr(v, block)).map(|b| opt_str(b, name).unwrap_or_default())
}

fn flatten_destination(d: &Destination) -> Value {
    let acl = d.access_control_translation().map(|a| Value::object([("owner", Value::string(a.owner().as_str()))]));
    let encryption = d.encryption_configuration().map(|e| Value::object([("replica_kms_key_id", str_or_null(e.replica_kms_key_id()))]));
    let metrics =
        d.metrics().map(|m| Value::object([("status", Value::string(m.status().as_str())), ("event_threshold", flatten_minutes(m.event_threshold()))]));
    let time = d.replication_time().map(|t| Value::object([("status", Value::string(t.status().as_str())), ("time", flatten_minutes(t.time()))]));
    let list = |v: Option<Value>| Value::List(v.into_iter().collect());
    Value::object([
        ("bucket", Value::string(d.bucket())),
        ("account", str_or_null(d.account())),
        ("storage_class", str_or_null(d.storage_class().map(|s| s.as_str()).filter(|s| !s.is_empty()))),
        ("access_control_translation", list(acl)),
        ("encryption_configuration", list(encryption)),
        ("metrics", list(metrics)),
        ("replication_time", list(time)),
    ])
}

fn tag(k: &str, v: &str) -> Result<Tag, Diagnostics> {
    Tag::builder().key(k).value(v).build().map_err(|e| invalid("tag", e))
}

fn expand_filter(f: Option<&Value>) -> Result<ReplicationRuleFilter, Diagnostics> {
    let Some(f) = f.filter(|f| !f.is_null()) else { return Ok(ReplicationRuleFilter::builder().prefix("").build()) };
    if let Some(a) = first(attr(f, "and")) {
        let tags: Result<Vec<Tag>, Diagnostics> = string_map(attr(a, "tags")).iter().collect::<BTreeMap<_, _>>().into_iter().map(|(k, v)| tag(k, v)).collect();
        let and = ReplicationRuleAndOperator::builder()
            .set_prefix(opt_str(a, "prefix").filter(|p| !p.is_empty()))
            .set_tags(Some(tags?).filter(|t| !t.is_empty()))
            .build();
        return Ok(ReplicationRuleFilter::builder().and(and).build());
    }
    if let Some(t) = first(attr(f, "tag")) {
        return Ok(ReplicationRuleFilter::builder().tag(tag(&opt_str(t, "key").unwrap_or_default(), &opt_str(t, "value").unwrap_or_default())?).build());
    }
    Ok(ReplicationRuleFilter::builder().prefix(opt_str(f, "prefix").unwrap_or_default()).build())
}

fn flatten_filter(f: &ReplicationRuleFilter) -> Value {
    let and = f.and().map(|a| {
        let tags: BTreeMap<String, Value> = a.tags().iter().map(|t| (t.key().to_string(), Value::string(t.value()))).collect();
        Value::object([("prefix", str_or_null(a.prefix())), ("tags", if tags.is_empty() { Value::Null } else { Value::object(tags) })])
    });
    let tag = f.tag().map(|t| Value::object([("key", Value::string(t.key())), ("value", Value::string(t.value()))]));
    let prefix = if and.is_none() && tag.is_none() { Value::string(f.prefix().unwrap_or_default()) } else { Value::Null };
    Value::List(vec![Value::object([("prefix", prefix), ("and", Value::List(and.into_iter().collect())), ("tag", Value::List(tag.into_iter().collect()))])])
}

// A rule's top-level `prefix` is S3's deprecated V1 form, which Terraform's provider still sends
// for rules without a filter.
#[allow(deprecated)]
fn expand_rule(r: &Value) -> Result<ReplicationRule, Diagnostics> {
    let mut b = ReplicationRule::builder()
        .set_id(opt_str(r, "id").filter(|s| !s.is_empty()))
        .status(ReplicationRuleStatus::from(opt_str(r, "status").unwrap_or_default().as_str()))
        .set_delete_marker_replication(status_of(r, "delete_marker_replication").map(|s| DeleteMarkerReplication::builder().status(s.as_str().into()).build()));
    if let Some(d) = first(attr(r, "destination")) {
        b = b.destination(expand_destination(d)?);
    }
    if let Some(s) = status_of(r, "existing_object_replication") {
        b = b.existing_object_replication(
            ExistingObjectReplication::builder().status(s.as_str().into()).build().map_err(|e| invalid("existing_object_replication", e))?,
        );
    }
    if let Some(c) = first(attr(r, "source_selection_criteria")) {
        let modifications = match status_of(c, "replica_modifications") {
            Some(s) => Some(ReplicaModifications::builder().status(s.as_str().into()).build().map_err(|e| invalid("replica_modifications", e))?),
            None => None,
        };
        let kms = match status_of(c, "sse_kms_encrypted_objects") {
            Some(s) => Some(SseKmsEncryptedObjects::builder().status(s.as_str().into()).build().map_err(|e| invalid("sse_kms_encrypted_objects", e))?),
            None => None,
        };
        b = b.source_selection_criteria(SourceSelectionCriteria::builder().set_replica_modifications(modifications).set_sse_kms_encrypted_objects(kms).build());
    }
    let filter = attr(r, "filter");
    b = if blocks(filter).is_empty() {
        b.prefix(opt_str(r, "prefix").unwrap_or_default())
    } else {
        b.filter(expand_filter(first(filter))?).priority(opt_i32(r, "priority").unwrap_or(0))
    };
    b.build().map_err(|e| invalid("rule", e))
}

#[allow(deprecated)]
fn flatten_rule(r: &ReplicationRule) -> Value {
    let criteria = r.source_selection_criteria().map(|c| {
        Value::object([
            ("replica_modifications", status_block(c.replica_modifications().map(|m| m.status().as_str()))),
            ("sse_kms_encrypted_objects", status_block(c.sse_kms_encrypted_objects().map(|k| k.status().as_str()))),
        ])
    });
    Value::object([
        ("id", str_or_null(r.id())),
        ("status", Value::string(r.status().as_str())),
        ("priority", num_or_null(r.priority())),
        ("prefix", str_or_null(r.prefix())),
        ("filter", r.filter().map(flatten_filter).unwrap_or(Value::List(vec![]))),
        ("delete_marker_replication", status_block(r.delete_marker_replication().and_then(|d| d.status()).map(|s| s.as_str()))),
        ("existing_object_replication", status_block(r.existing_object_replication().map(|e| e.status().as_str()))),
        ("source_selection_criteria", Value::List(criteria.into_iter().collect())),
        ("destination", Value::List(r.destination().map(flatten_destination).into_iter().collect())),
    ])
}

/// A rule as planned: `priority` 0 (V2, with a filter) or `prefix` "" (V1) when unset, and an
/// empty filter's `prefix` "", as the provider sends them.
fn plan_rule(mut r: Value) -> Value {
    let filter = blocks(attr(&r, "filter")).to_vec();
    if filter.is_empty() {
        if attr(&r, "prefix").is_null() {
            set(&mut r, "prefix", Value::string(""));
        }
        return r;
    }
    if attr(&r, "priority").is_null() {
        set(&mut r, "priority", Value::Number(0.0));
    }
    let filter = filter
        .into_iter()
        .map(|mut f| {
            let chosen = |n: &str| !blocks(attr(&f, n)).is_empty();
            if !chosen("and") && !chosen("tag") && attr(&f, "prefix").is_null() {
                set(&mut f, "prefix", Value::string(""));
            }
            f
        })
        .collect();
    set(&mut r, "filter", Value::List(filter));
    r
}

/// `aws_s3_bucket_replication_configuration`.
pub struct S3BucketReplicationConfiguration;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketReplicationConfiguration {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_replication_configuration"
    }

    fn schema(&self) -> ResourceSchema {
        let mut s = common::schema(self.name(), &["role", "token", "rule"]);
        if let Some(a) = s.block.attributes.get_mut("token") {
            a.sensitive = true;
        }
        common::defaulted(block_at(&mut s.block, &["rule"]), &["priority", "prefix"]);
        common::defaulted(block_at(&mut s.block, &["rule", "filter"]), &["prefix"]);
        s
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        keep_computed(&mut planned, req.prior_state.as_ref(), "rule", "id");
        if matches!(attr(&planned, "rule"), Value::List(_)) {
            let rules = blocks(attr(&planned, "rule")).iter().cloned().map(plan_rule).collect();
            set(&mut planned, "rule", Value::List(rules));
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_bucket_replication().bucket(bucket(&prior)).send().await;
        if r.as_ref().is_ok_and(|out| out.replication_configuration().is_none()) {
            return ReadResponse::gone();
        }
        common::read_from(prior, "replication configuration", r, |mut state, out| {
            let Some(c) = out.replication_configuration() else { return state };
            set(&mut state, "role", Value::string(c.role()));
            set(&mut state, "rule", Value::List(c.rules().iter().map(flatten_rule).collect()));
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
        let r = p.s3_write.delete_bucket_replication().bucket(bucket(&prior)).send().await;
        common::after_delete(prior, "replication configuration", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketReplicationConfiguration {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let rules: Result<Vec<ReplicationRule>, Diagnostics> = blocks(attr(&planned, "rule")).iter().map(expand_rule).collect();
        let config = rules.and_then(|r| {
            ReplicationConfiguration::builder().role(opt_str(&planned, "role").unwrap_or_default()).set_rules(Some(r)).build().map_err(|e| invalid("rule", e))
        });
        let config = match config {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(prior, d),
        };
        let token = opt_str(&planned, "token").filter(|t| !t.is_empty());
        let r = p.s3_write.put_bucket_replication().bucket(bucket(&planned)).replication_configuration(config).set_token(token).send().await;
        common::after_put(self, p, prior, planned, "replication configuration", r).await
    }
}
