//! `data "aws_subnets"`: the ids of every subnet matching the `filter` blocks and `tags`
//! (all subnets without either), in DescribeSubnets order, all pages. No match is an empty
//! list, not an error. `id` is the region.

use async_trait::async_trait;

use super::ec2_data::{custom_filters, string_list, tag_filters};
use super::errors::aws_error;
use super::AwsProvider;
use crate::provider::helpers::set;
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("aws_subnets").implement(&["filter", "id", "ids", "tags"]).computed_only(&["id"]).build()
}

/// `data "aws_subnets"`.
pub struct DataSubnets;

#[async_trait]
impl DataSourceType<AwsProvider> for DataSubnets {
    fn name(&self) -> &'static str {
        "aws_subnets"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let mut filters = tag_filters(&config);
        filters.extend(custom_filters(&config));
        let filters = Some(filters).filter(|f| !f.is_empty());
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = match p.ec2.describe_subnets().set_filters(filters.clone()).set_next_token(token.take()).send().await {
                Ok(o) => o,
                Err(e) => return ReadDataResponse::failed(aws_error("reading EC2 Subnets", &e)),
            };
            ids.extend(out.subnets().iter().filter_map(|s| s.subnet_id().map(str::to_string)));
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        let mut s = config;
        set(&mut s, "id", Value::string(&p.region));
        set(&mut s, "ids", string_list(ids));
        ReadDataResponse::found(s)
    }
}
