//! `data "aws_vpc"`: finds exactly one VPC by `id`, `cidr_block`, `default` and/or `tags`, and
//! exposes `id`, `arn`, `cidr_block`, `owner_id`, `main_route_table_id`-less basics and `tags`.

use aws_sdk_ec2::types::Filter;

use super::ec2::{arn, tag_map};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("id", AttributeSchema::optional_computed().typed(AttrType::String)),
            ("cidr_block", AttributeSchema::optional_computed().typed(AttrType::String)),
            ("default", AttributeSchema::optional_computed().typed(AttrType::Bool)),
            ("tags", AttributeSchema::optional_computed().typed(AttrType::MapOfString)),
            ("arn", AttributeSchema::computed().typed(AttrType::String)),
            ("owner_id", AttributeSchema::computed().typed(AttrType::String)),
            ("state", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

/// `data "aws_vpc"`.
pub struct DataVpc;

#[async_trait::async_trait]
impl DataSourceType<AwsProvider> for DataVpc {
    fn name(&self) -> &'static str {
        "aws_vpc"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        read(p, config).await
    }
}

pub async fn read(p: &AwsProvider, config: Value) -> ReadDataResponse {
    let mut call = p.ec2.describe_vpcs();
    if let Some(id) = attr(&config, "id").as_str() {
        call = call.vpc_ids(id);
    }
    if let Some(c) = attr(&config, "cidr_block").as_str() {
        call = call.filters(Filter::builder().name("cidr").values(c).build());
    }
    if let Value::Bool(d) = attr(&config, "default") {
        call = call.filters(Filter::builder().name("is-default").values(d.to_string()).build());
    }
    if let Value::Map(tags) = attr(&config, "tags") {
        for (k, v) in tags.iter() {
            call = call.filters(Filter::builder().name(format!("tag:{k}")).values(v.as_str().unwrap_or_default()).build());
        }
    }
    let out = match call.send().await {
        Ok(o) => o,
        Err(e) => return ReadDataResponse::failed(aws_error("reading VPCs", &e)),
    };
    let vpcs = out.vpcs();
    let vpc = match vpcs {
        [one] => one,
        [] => {
            return ReadDataResponse {
                state: Value::Null,
                diagnostics: Diagnostic::error("no matching VPC found", "No VPC matches the given arguments.").into(),
            }
        }
        many => {
            return ReadDataResponse {
                state: Value::Null,
                diagnostics: Diagnostic::error(
                    "multiple VPCs matched",
                    format!("{} VPCs match; use additional constraints to reduce matches to a single VPC.", many.len()),
                )
                .into(),
            }
        }
    };
    let id = vpc.vpc_id().unwrap_or_default().to_string();
    let owner = vpc.owner_id().unwrap_or_default().to_string();
    let mut state = config;
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "cidr_block", vpc.cidr_block().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "default", Value::Bool(vpc.is_default().unwrap_or(false)));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "vpc", &id));
    set(&mut state, "state", vpc.state().map(|s| Value::string(s.as_str())).unwrap_or(Value::Null));
    set(&mut state, "tags", Value::Map(std::sync::Arc::new(tag_map(vpc.tags()).into_iter().map(|(k, v)| (k, Value::String(v))).collect())));
    ReadDataResponse::found(state)
}
