//! `aws_s3_bucket_logging`: `bucket` (force-new), `target_bucket`, `target_prefix` and
//! `target_object_key_format { simple_prefix {} | partitioned_prefix { partition_date_source } }`,
//! changed in place. The target bucket must let S3's log delivery write (a bucket policy, or the
//! `log-delivery-write` ACL). Destroying it turns logging off. `target_grant` is not implemented;
//! moto 5.2.5 drops `target_object_key_format` (so it reads back as removed there).

use async_trait::async_trait;
use aws_sdk_s3::types::{BucketLoggingStatus, LoggingEnabled, PartitionDateSource, PartitionedPrefix, SimplePrefix, TargetObjectKeyFormat};

use super::s3_bucket_common::{self as common, bucket, first, invalid, opt_str};
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::value::Value;

fn key_format(planned: &Value) -> Option<TargetObjectKeyFormat> {
    let f = first(attr(planned, "target_object_key_format"))?;
    let mut b = TargetObjectKeyFormat::builder();
    if let Some(pp) = first(attr(f, "partitioned_prefix")) {
        let source = opt_str(pp, "partition_date_source").map(|s| PartitionDateSource::from(s.as_str()));
        b = b.partitioned_prefix(PartitionedPrefix::builder().set_partition_date_source(source).build());
    }
    if first(attr(f, "simple_prefix")).is_some() {
        b = b.simple_prefix(SimplePrefix::builder().build());
    }
    Some(b.build())
}

fn flatten_key_format(f: Option<&TargetObjectKeyFormat>) -> Value {
    let Some(f) = f else { return Value::List(vec![]) };
    let partitioned = f.partitioned_prefix().map(|p| {
        let source = p.partition_date_source().map(|s| Value::string(s.as_str())).unwrap_or(Value::Null);
        Value::object([("partition_date_source", source)])
    });
    let simple = f.simple_prefix().map(|_| Value::object(Vec::<(String, Value)>::new()));
    Value::List(vec![Value::object([
        ("partitioned_prefix", Value::List(partitioned.into_iter().collect())),
        ("simple_prefix", Value::List(simple.into_iter().collect())),
    ])])
}

/// `aws_s3_bucket_logging`.
pub struct S3BucketLogging;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketLogging {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_logging"
    }

    fn schema(&self) -> ResourceSchema {
        common::schema(self.name(), &["target_bucket", "target_prefix", "target_object_key_format"])
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_bucket_logging().bucket(bucket(&prior)).send().await;
        if r.as_ref().is_ok_and(|out| out.logging_enabled().is_none()) {
            return ReadResponse::gone();
        }
        common::read_from(prior, "logging", r, |mut state, out| {
            let Some(l) = out.logging_enabled() else { return state };
            set(&mut state, "target_bucket", Value::string(l.target_bucket()));
            set(&mut state, "target_prefix", Value::string(l.target_prefix()));
            set(&mut state, "target_object_key_format", flatten_key_format(l.target_object_key_format()));
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
        let off = BucketLoggingStatus::builder().build();
        let r = p.s3_write.put_bucket_logging().bucket(bucket(&prior)).bucket_logging_status(off).send().await;
        common::after_delete(prior, "logging", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketLogging {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let enabled = LoggingEnabled::builder()
            .target_bucket(text(&planned, "target_bucket"))
            .target_prefix(text(&planned, "target_prefix"))
            .set_target_object_key_format(key_format(&planned))
            .build()
            .map_err(|e| invalid("logging", e));
        let enabled = match enabled {
            Ok(e) => e,
            Err(d) => return ApplyResponse::failed(prior, d),
        };
        let status = BucketLoggingStatus::builder().logging_enabled(enabled).build();
        let r = p.s3_write.put_bucket_logging().bucket(bucket(&planned)).bucket_logging_status(status).send().await;
        common::after_put(self, p, prior, planned, "logging", r).await
    }
}
