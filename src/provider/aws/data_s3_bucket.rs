//! `data "aws_s3_bucket"`: an existing bucket by name, with `id`, `arn`, `bucket_domain_name`,
//! `bucket_regional_domain_name` and `region`.

use async_trait::async_trait;

use super::errors::{aws_error, not_found};
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("bucket", AttributeSchema::required().typed(AttrType::String)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("arn", AttributeSchema::computed().typed(AttrType::String)),
            ("bucket_domain_name", AttributeSchema::computed().typed(AttrType::String)),
            ("bucket_regional_domain_name", AttributeSchema::computed().typed(AttrType::String)),
            ("region", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

/// `data "aws_s3_bucket"`.
pub struct DataS3Bucket;

#[async_trait]
impl DataSourceType<AwsProvider> for DataS3Bucket {
    fn name(&self) -> &'static str {
        "aws_s3_bucket"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let bucket = attr(&config, "bucket").as_str().unwrap_or_default().to_string();
        match p.s3.head_bucket().bucket(&bucket).send().await {
            Ok(_) => {}
            Err(e) if not_found(&e) => {
                return ReadDataResponse::failed(Diagnostic::error("S3 bucket not found", format!("There is no S3 bucket named \"{bucket}\".")).into())
            }
            Err(e) => return ReadDataResponse::failed(aws_error(&format!("reading S3 bucket \"{bucket}\""), &e)),
        }
        let mut state = config;
        set(&mut state, "id", Value::string(&bucket));
        set(&mut state, "arn", Value::String(format!("arn:aws:s3:::{bucket}")));
        set(&mut state, "bucket_domain_name", Value::String(format!("{bucket}.s3.amazonaws.com")));
        set(&mut state, "bucket_regional_domain_name", Value::String(format!("{bucket}.s3.{}.amazonaws.com", p.region)));
        set(&mut state, "region", Value::string(&p.region));
        ReadDataResponse::found(state)
    }
}
