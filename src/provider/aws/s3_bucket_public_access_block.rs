//! `aws_s3_bucket_public_access_block`: `bucket` (force-new) and the four switches
//! `block_public_acls`, `block_public_policy`, `ignore_public_acls`, `restrict_public_buckets`
//! (default false), changed in place; `skip_destroy` keeps the block when the resource is
//! destroyed, which otherwise deletes it.

use async_trait::async_trait;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;

use super::s3_bucket_common::{self as common, bucket};
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

const SWITCHES: [&str; 4] = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

fn switch(v: &Value, name: &str) -> bool {
    attr(v, name).as_bool().unwrap_or(false)
}

/// `aws_s3_bucket_public_access_block`.
pub struct S3BucketPublicAccessBlock;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketPublicAccessBlock {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_public_access_block"
    }

    fn schema(&self) -> ResourceSchema {
        let mut s = common::schema(self.name(), &[SWITCHES[0], SWITCHES[1], SWITCHES[2], SWITCHES[3], "skip_destroy"]);
        common::defaulted(&mut s.block, &SWITCHES);
        s
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        for name in SWITCHES {
            if attr(&req.config, name).is_null() {
                set(&mut planned, name, Value::Bool(false));
            }
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_public_access_block().bucket(bucket(&prior)).send().await;
        common::read_from(prior, "public access block", r, |mut state, out| {
            let c = out.public_access_block_configuration();
            let values = c.map(|c| [c.block_public_acls(), c.block_public_policy(), c.ignore_public_acls(), c.restrict_public_buckets()]);
            for (name, v) in SWITCHES.iter().zip(values.unwrap_or_default()) {
                set(&mut state, name, Value::Bool(v.unwrap_or(false)));
            }
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
        if switch(&prior, "skip_destroy") {
            return ApplyResponse::ok(None);
        }
        let r = p.s3_write.delete_public_access_block().bucket(bucket(&prior)).send().await;
        common::after_delete(prior, "public access block", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketPublicAccessBlock {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let c = PublicAccessBlockConfiguration::builder()
            .block_public_acls(switch(&planned, SWITCHES[0]))
            .block_public_policy(switch(&planned, SWITCHES[1]))
            .ignore_public_acls(switch(&planned, SWITCHES[2]))
            .restrict_public_buckets(switch(&planned, SWITCHES[3]))
            .build();
        let r = p.s3_write.put_public_access_block().bucket(bucket(&planned)).public_access_block_configuration(c).send().await;
        common::after_put(self, p, prior, planned, "public access block", r).await
    }
}
