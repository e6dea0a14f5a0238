//! `aws_s3_bucket_object_lock_configuration`: `bucket`, `expected_bucket_owner` and
//! `object_lock_enabled` (default `Enabled`; all force-new), an optional `rule {
//! default_retention { mode, days | years } }` and `token` (sensitive, sent with every put, not
//! read back), changed in place. The bucket must be versioned. Destroying it removes the
//! default retention (Object Lock itself cannot be turned off). The id is `bucket` or
//! `bucket,expected_bucket_owner`, which is also the import id.

use async_trait::async_trait;
use aws_sdk_s3::types::{DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled, ObjectLockRetentionMode, ObjectLockRule};

use super::s3_bucket_common::{self as common, bucket, first, opt_i32, opt_str, positive_or_null, str_or_null};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

const MODES: [&str; 2] = ["GOVERNANCE", "COMPLIANCE"];

fn retention(planned: &Value) -> Option<DefaultRetention> {
    let d = first(attr(first(attr(planned, "rule"))?, "default_retention"))?;
    let mode = opt_str(d, "mode").filter(|m| !m.is_empty()).map(|m| ObjectLockRetentionMode::from(m.as_str()));
    let positive = |n: &str| opt_i32(d, n).filter(|n| *n > 0);
    Some(DefaultRetention::builder().set_mode(mode).set_days(positive("days")).set_years(positive("years")).build())
}

fn flatten_rule(rule: Option<&ObjectLockRule>) -> Value {
    let Some(rule) = rule else { return Value::List(vec![]) };
    let retention = rule.default_retention().map(|d| {
        Value::object([("mode", str_or_null(d.mode().map(|m| m.as_str()))), ("days", positive_or_null(d.days())), ("years", positive_or_null(d.years()))])
    });
    Value::List(vec![Value::object([("default_retention", Value::List(retention.into_iter().collect()))])])
}

/// `aws_s3_bucket_object_lock_configuration`.
pub struct S3BucketObjectLockConfiguration;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketObjectLockConfiguration {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_object_lock_configuration"
    }

    fn schema(&self) -> ResourceSchema {
        let mut s = common::owned_schema(self.name(), &["object_lock_enabled", "rule", "token"]);
        common::defaulted(&mut s.block, &["object_lock_enabled"]);
        for (name, a) in s.block.attributes.iter_mut() {
            a.force_new |= name == "object_lock_enabled";
            a.sensitive |= name == "token";
        }
        s
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        if attr(&planned, "object_lock_enabled").is_null() {
            set(&mut planned, "object_lock_enabled", Value::string("Enabled"));
        }
        if let Some(v) = attr(&planned, "object_lock_enabled").as_str().filter(|v| *v != "Enabled") {
            diags.push(
                Diagnostic::error("Invalid object_lock_enabled", format!("object_lock_enabled must be \"Enabled\", not \"{v}\"."))
                    .for_attribute("object_lock_enabled"),
            );
        }
        if let Some(d) = first(attr(&planned, "rule")).and_then(|r| first(attr(r, "default_retention"))) {
            if let Some(m) = attr(d, "mode").as_str().filter(|m| !MODES.contains(m)) {
                diags.push(Diagnostic::error("Invalid mode", format!("rule.default_retention.mode must be \"GOVERNANCE\" or \"COMPLIANCE\", not \"{m}\".")));
            }
            if !attr(d, "days").is_null() && !attr(d, "years").is_null() {
                diags.push(Diagnostic::error("Conflicting retention", "rule.default_retention sets days or years, not both."));
            }
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_object_lock_configuration().bucket(bucket(&prior)).set_expected_bucket_owner(opt_str(&prior, "expected_bucket_owner")).send().await;
        if r.as_ref().is_ok_and(|out| out.object_lock_configuration().is_none()) {
            return ReadResponse::gone();
        }
        common::read_from(prior, "Object Lock configuration", r, |mut state, out| {
            let Some(c) = out.object_lock_configuration() else { return state };
            set(&mut state, "object_lock_enabled", str_or_null(c.object_lock_enabled().map(|e| e.as_str())));
            set(&mut state, "rule", flatten_rule(c.rule()));
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
        let r = Self::send(p, &prior, None).await;
        common::after_delete(prior, "Object Lock configuration", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import_owned(self, p, id, blank).await
    }
}

type PutResult = Result<
    aws_sdk_s3::operation::put_object_lock_configuration::PutObjectLockConfigurationOutput,
    aws_sdk_s3::error::SdkError<aws_sdk_s3::operation::put_object_lock_configuration::PutObjectLockConfigurationError, aws_sdk_s3::config::http::HttpResponse>,
>;

impl S3BucketObjectLockConfiguration {
    /// Puts Object Lock enabled with `rule` (none: no default retention).
    async fn send(p: &AwsProvider, v: &Value, rule: Option<ObjectLockRule>) -> PutResult {
        let enabled = ObjectLockEnabled::from(opt_str(v, "object_lock_enabled").unwrap_or_else(|| "Enabled".into()).as_str());
        let config = ObjectLockConfiguration::builder().object_lock_enabled(enabled).set_rule(rule).build();
        p.s3_write
            .put_object_lock_configuration()
            .bucket(bucket(v))
            .set_expected_bucket_owner(opt_str(v, "expected_bucket_owner"))
            .set_token(opt_str(v, "token").filter(|t| !t.is_empty()))
            .object_lock_configuration(config)
            .send()
            .await
    }

    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let rule = first(attr(&planned, "rule")).map(|_| ObjectLockRule::builder().set_default_retention(retention(&planned)).build());
        let r = Self::send(p, &planned, rule).await;
        common::after_put(self, p, prior, planned, "Object Lock configuration", r).await
    }
}
