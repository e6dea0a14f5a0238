//! `aws_s3_bucket_ownership_controls`: `bucket` (force-new) and one `rule { object_ownership }`
//! (`BucketOwnerPreferred`, `ObjectWriter` or `BucketOwnerEnforced`), changed in place;
//! destroying it deletes the ownership controls.

use async_trait::async_trait;
use aws_sdk_s3::types::{ObjectOwnership, OwnershipControls, OwnershipControlsRule};

use super::s3_bucket_common::{self as common, blocks, bucket, invalid, opt_str};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

const OWNERSHIPS: [&str; 3] = ["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"];

/// `aws_s3_bucket_ownership_controls`.
pub struct S3BucketOwnershipControls;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketOwnershipControls {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_ownership_controls"
    }

    fn schema(&self) -> ResourceSchema {
        common::schema(self.name(), &["rule"])
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        for r in blocks(attr(&planned, "rule")) {
            if let Some(o) = opt_str(r, "object_ownership").filter(|o| !OWNERSHIPS.contains(&o.as_str())) {
                let detail = format!("rule.object_ownership must be one of {}, not \"{o}\".", OWNERSHIPS.map(|x| format!("\"{x}\"")).join(", "));
                diags.push(Diagnostic::error("Invalid object_ownership", detail));
            }
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_bucket_ownership_controls().bucket(bucket(&prior)).send().await;
        common::read_from(prior, "ownership controls", r, |mut state, out| {
            let rules = out.ownership_controls().map(|c| c.rules()).unwrap_or_default();
            let items = rules.iter().map(|r| Value::object([("object_ownership", Value::string(r.object_ownership().as_str()))])).collect();
            set(&mut state, "rule", Value::List(items));
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
        let r = p.s3_write.delete_bucket_ownership_controls().bucket(bucket(&prior)).send().await;
        common::after_delete(prior, "ownership controls", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketOwnershipControls {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let rules: Result<Vec<OwnershipControlsRule>, Diagnostics> = blocks(attr(&planned, "rule"))
            .iter()
            .map(|r| {
                let o = ObjectOwnership::from(opt_str(r, "object_ownership").unwrap_or_default().as_str());
                OwnershipControlsRule::builder().object_ownership(o).build().map_err(|e| invalid("rule", e))
            })
            .collect();
        let controls = match rules.and_then(|r| OwnershipControls::builder().set_rules(Some(r)).build().map_err(|e| invalid("rule", e))) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(prior, d),
        };
        let r = p.s3_write.put_bucket_ownership_controls().bucket(bucket(&planned)).ownership_controls(controls).send().await;
        common::after_put(self, p, prior, planned, "ownership controls", r).await
    }
}
