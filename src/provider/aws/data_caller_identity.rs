//! `data "aws_caller_identity"`: STS GetCallerIdentity's `account_id` (also `id`), `arn` and
//! `user_id` for the provider's credentials.

use async_trait::async_trait;

use super::errors::aws_error;
use super::AwsProvider;
use crate::provider::helpers::set;
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("aws_caller_identity").implement(&["account_id", "arn", "id", "user_id"]).build()
}

/// `data "aws_caller_identity"`.
pub struct DataCallerIdentity;

#[async_trait]
impl DataSourceType<AwsProvider> for DataCallerIdentity {
    fn name(&self) -> &'static str {
        "aws_caller_identity"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let out = match p.sts.get_caller_identity().send().await {
            Ok(o) => o,
            Err(e) => return ReadDataResponse::failed(aws_error("getting the caller identity", &e)),
        };
        let text = |v: Option<&str>| v.map(Value::string).unwrap_or(Value::Null);
        let mut s = config;
        set(&mut s, "id", text(out.account()));
        set(&mut s, "account_id", text(out.account()));
        set(&mut s, "arn", text(out.arn()));
        set(&mut s, "user_id", text(out.user_id()));
        ReadDataResponse::found(s)
    }
}
