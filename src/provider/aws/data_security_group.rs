//! `data "aws_security_group"`: exactly one security group, by `id`, `name`, `vpc_id`, `tags`
//! and `filter` blocks; none or several matches are an error. Exposes `arn`, `description`,
//! `name`, `vpc_id` and `tags`.

use async_trait::async_trait;

use super::ec2::arn;
use super::ec2_data::{attribute_filters, custom_filters, opt, single, tag_filters, tags_value};
use super::errors::aws_error;
use super::AwsProvider;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("aws_security_group").implement(&["arn", "description", "filter", "id", "name", "tags", "vpc_id"]).build()
}

/// `data "aws_security_group"`.
pub struct DataSecurityGroup;

#[async_trait]
impl DataSourceType<AwsProvider> for DataSecurityGroup {
    fn name(&self) -> &'static str {
        "aws_security_group"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let arg = |name: &str| attr(&config, name).as_str().map(str::to_string);
        let mut filters = attribute_filters(&[("group-name", arg("name")), ("vpc-id", arg("vpc_id"))]);
        filters.extend(tag_filters(&config));
        filters.extend(custom_filters(&config));
        let call = p.ec2.describe_security_groups().set_group_ids(arg("id").map(|id| vec![id])).set_filters(Some(filters).filter(|f| !f.is_empty()));
        let out = match call.send().await {
            Ok(o) => o,
            Err(e) => return ReadDataResponse::failed(aws_error("reading EC2 Security Group", &e)),
        };
        let sg = match single(out.security_groups(), "EC2 Security Group") {
            Ok(s) => s,
            Err(d) => return ReadDataResponse::failed(d),
        };
        let id = sg.group_id().unwrap_or_default();
        let mut s = config;
        set(&mut s, "id", Value::string(id));
        set(&mut s, "arn", arn(p, sg.owner_id().unwrap_or_default(), "security-group", id));
        set(&mut s, "description", opt(sg.description()));
        set(&mut s, "name", opt(sg.group_name()));
        set(&mut s, "vpc_id", opt(sg.vpc_id()));
        set(&mut s, "tags", tags_value(sg.tags()));
        ReadDataResponse::found(s)
    }
}
