//! `data "aws_canonical_user_id"`: the canonical user id (`id`) and `display_name` of the
//! provider's account, from the owner S3 ListBuckets reports (as Terraform's provider reads it).

use async_trait::async_trait;

use super::errors::aws_error;
use super::s3_bucket_common::str_or_null;
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::set;
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

/// `data "aws_canonical_user_id"`.
pub struct DataCanonicalUserId;

#[async_trait]
impl DataSourceType<AwsProvider> for DataCanonicalUserId {
    fn name(&self) -> &'static str {
        "aws_canonical_user_id"
    }

    fn schema(&self) -> ResourceSchema {
        data(self.name()).implement(&["id", "display_name"]).computed_only(&["id"]).build()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let out = match p.s3.list_buckets().max_buckets(1).send().await {
            Ok(o) => o,
            Err(e) => return ReadDataResponse::failed(aws_error("listing S3 buckets for the canonical user id", &e)),
        };
        let Some(id) = out.owner().and_then(|o| o.id()) else {
            return ReadDataResponse::failed(Diagnostic::error("No canonical user id", "S3 ListBuckets answered without an owner id.").into());
        };
        let mut s = config;
        set(&mut s, "id", Value::string(id));
        set(&mut s, "display_name", str_or_null(out.owner().and_then(|o| o.display_name())));
        ReadDataResponse::found(s)
    }
}
