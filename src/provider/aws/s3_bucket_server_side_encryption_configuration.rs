//! `aws_s3_bucket_server_side_encryption_configuration`: `bucket` (force-new) and `rule` blocks
//! (`apply_server_side_encryption_by_default { sse_algorithm, kms_master_key_id }`,
//! `bucket_key_enabled`), changed in place. `kms_master_key_id` and `bucket_key_enabled` are
//! computed when not set (S3 answers with its own values): the plan keeps the prior ones, or
//! shows them unknown on create. Destroying it deletes the configuration, after which S3 applies
//! its default encryption (SSE-S3), as with Terraform. `blocked_encryption_types` is not
//! implemented.

use async_trait::async_trait;
use aws_sdk_s3::types::{ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule};

use super::s3_bucket_common::{self as common, blocks, bucket, first, invalid, opt_str};
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

const DEFAULT: &str = "apply_server_side_encryption_by_default";

fn algorithm(rule: &Value) -> Option<String> {
    first(attr(rule, DEFAULT)).and_then(|d| opt_str(d, "sse_algorithm"))
}

/// Fills a rule's computed arguments left unset from the prior rule when it had the same
/// algorithm (unknown otherwise: S3 chooses them).
fn fill(rule: &Value, prior: Option<&Value>) -> Value {
    let prior = prior.filter(|p| algorithm(p) == algorithm(rule));
    let mut rule = rule.clone();
    if attr(&rule, "bucket_key_enabled").is_null() {
        set(&mut rule, "bucket_key_enabled", prior.map(|p| attr(p, "bucket_key_enabled").clone()).unwrap_or(Value::Unknown));
    }
    if let Some(d) = first(attr(&rule, DEFAULT)).filter(|d| attr(d, "kms_master_key_id").is_null()) {
        let key = prior.and_then(|p| first(attr(p, DEFAULT))).map(|d| attr(d, "kms_master_key_id").clone()).unwrap_or(Value::Unknown);
        let mut d = d.clone();
        set(&mut d, "kms_master_key_id", key);
        set(&mut rule, DEFAULT, Value::List(vec![d]));
    }
    rule
}

fn rules(planned: &Value) -> Result<Vec<ServerSideEncryptionRule>, Diagnostics> {
    let mut out = Vec::new();
    for r in blocks(attr(planned, "rule")) {
        let mut b = ServerSideEncryptionRule::builder().set_bucket_key_enabled(attr(r, "bucket_key_enabled").as_bool());
        if let Some(d) = first(attr(r, DEFAULT)) {
            let by_default = ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::from(opt_str(d, "sse_algorithm").unwrap_or_default().as_str()))
                .set_kms_master_key_id(opt_str(d, "kms_master_key_id").filter(|k| !k.is_empty()))
                .build()
                .map_err(|e| invalid(DEFAULT, e))?;
            b = b.apply_server_side_encryption_by_default(by_default);
        }
        out.push(b.build());
    }
    Ok(out)
}

/// `aws_s3_bucket_server_side_encryption_configuration`.
pub struct S3BucketServerSideEncryptionConfiguration;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketServerSideEncryptionConfiguration {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_server_side_encryption_configuration"
    }

    fn schema(&self) -> ResourceSchema {
        let mut s = common::schema(self.name(), &["rule"]);
        common::block_at(&mut s.block, &["rule"]).attributes.remove("blocked_encryption_types");
        s
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        let prior_rules = req.prior_state.as_ref().map(|s| blocks(attr(s, "rule")).to_vec()).unwrap_or_default();
        // S3 keeps one rule: the prior one is the one to take computed values from.
        let prior = if prior_rules.len() == 1 { prior_rules.first() } else { None };
        if let Value::Set(items) = attr(&planned, "rule") {
            let filled = items.iter().map(|r| fill(r, prior)).collect();
            set(&mut planned, "rule", Value::set(filled));
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_bucket_encryption().bucket(bucket(&prior)).send().await;
        common::read_from(prior, "server-side encryption configuration", r, |mut state, out| {
            let rules = out.server_side_encryption_configuration().map(|c| c.rules()).unwrap_or_default();
            let items = rules
                .iter()
                .map(|r| {
                    let by_default = r.apply_server_side_encryption_by_default().map(|d| {
                        let key = d.kms_master_key_id().map(Value::string).unwrap_or(Value::Null);
                        Value::object([("sse_algorithm", Value::string(d.sse_algorithm().as_str())), ("kms_master_key_id", key)])
                    });
                    Value::object([
                        (DEFAULT, Value::List(by_default.into_iter().collect())),
                        ("bucket_key_enabled", r.bucket_key_enabled().map(Value::Bool).unwrap_or(Value::Null)),
                    ])
                })
                .collect();
            set(&mut state, "rule", Value::set(items));
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
        let r = p.s3_write.delete_bucket_encryption().bucket(bucket(&prior)).send().await;
        common::after_delete(prior, "server-side encryption configuration", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketServerSideEncryptionConfiguration {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let config = match rules(&planned).and_then(|r| ServerSideEncryptionConfiguration::builder().set_rules(Some(r)).build().map_err(|e| invalid("rule", e)))
        {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(prior, d),
        };
        let r = p.s3_write.put_bucket_encryption().bucket(bucket(&planned)).server_side_encryption_configuration(config).send().await;
        common::after_put(self, p, prior, planned, "server-side encryption configuration", r).await
    }
}
