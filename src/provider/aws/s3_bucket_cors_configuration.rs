//! `aws_s3_bucket_cors_configuration`: `bucket` (force-new) and up to 100 `cors_rule` blocks
//! (`allowed_methods`, `allowed_origins`, `allowed_headers`, `expose_headers`, `id`,
//! `max_age_seconds`), changed in place; destroying it deletes the CORS configuration.

use async_trait::async_trait;
use aws_sdk_s3::types::{CorsConfiguration, CorsRule};

use super::s3_bucket_common::{self as common, blocks, bucket, invalid, opt_i32, opt_str, string_list, strings};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

pub(crate) fn rule(r: &Value) -> Result<CorsRule, Diagnostics> {
    let list = |name: &str| Some(strings(attr(r, name))).filter(|v| !v.is_empty());
    CorsRule::builder()
        .set_allowed_methods(list("allowed_methods"))
        .set_allowed_origins(list("allowed_origins"))
        .set_allowed_headers(list("allowed_headers"))
        .set_expose_headers(list("expose_headers"))
        .set_id(opt_str(r, "id").filter(|s| !s.is_empty()))
        .set_max_age_seconds(opt_i32(r, "max_age_seconds"))
        .build()
        .map_err(|e| invalid("cors_rule", e))
}

pub(crate) fn flatten(r: &CorsRule) -> Value {
    Value::object([
        ("allowed_methods", string_list(r.allowed_methods())),
        ("allowed_origins", string_list(r.allowed_origins())),
        ("allowed_headers", string_list(r.allowed_headers())),
        ("expose_headers", string_list(r.expose_headers())),
        ("id", r.id().map(Value::string).unwrap_or(Value::Null)),
        ("max_age_seconds", r.max_age_seconds().map(|n| Value::Number(n.into())).unwrap_or(Value::Null)),
    ])
}

/// `aws_s3_bucket_cors_configuration`.
pub struct S3BucketCorsConfiguration;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketCorsConfiguration {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_cors_configuration"
    }

    fn schema(&self) -> ResourceSchema {
        common::schema(self.name(), &["cors_rule"])
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        if blocks(attr(&planned, "cors_rule")).len() > 100 {
            diags.push(Diagnostic::error("Too many cors_rule blocks", "A CORS configuration holds at most 100 cors_rule blocks."));
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_bucket_cors().bucket(bucket(&prior)).send().await;
        common::read_from(prior, "CORS configuration", r, |mut state, out| {
            set(&mut state, "cors_rule", Value::set(out.cors_rules().iter().map(flatten).collect()));
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
        let r = p.s3_write.delete_bucket_cors().bucket(bucket(&prior)).send().await;
        common::after_delete(prior, "CORS configuration", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketCorsConfiguration {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let rules: Result<Vec<CorsRule>, Diagnostics> = blocks(attr(&planned, "cors_rule")).iter().map(rule).collect();
        let config = match rules.and_then(|r| CorsConfiguration::builder().set_cors_rules(Some(r)).build().map_err(|e| invalid("cors_rule", e))) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(prior, d),
        };
        let r = p.s3_write.put_bucket_cors().bucket(bucket(&planned)).cors_configuration(config).send().await;
        common::after_put(self, p, prior, planned, "CORS configuration", r).await
    }
}
