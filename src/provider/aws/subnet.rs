//! `aws_subnet`: `vpc_id`, `cidr_block`, `availability_zone`, `map_public_ip_on_launch`,
//! `tags`; computed `id`, `arn`, `owner_id`, `tags_all`. A new VPC, CIDR block or zone replaces
//! the subnet; the public-IP setting and tags change in place.

use aws_sdk_ec2::types::AttributeBooleanValue;

use super::ec2::{arn, deleted, described, plan_common, set_tags, sync_tags, tag_map, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, defaults, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_subnet")
        .version(1)
        .implement(&["vpc_id", "cidr_block", "availability_zone", "map_public_ip_on_launch", "id", "arn", "owner_id"])
        .tags()
        .required(&["cidr_block"])
        .computed_only(&["id"])
        .defaulted(&["map_public_ip_on_launch"])
        .force_new(&["vpc_id", "cidr_block", "availability_zone"])
        .build()
}

async fn set_public_ip(p: &AwsProvider, id: &str, on: bool) -> Result<(), Diagnostics> {
    p.ec2
        .modify_subnet_attribute()
        .subnet_id(id)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(on).build())
        .send()
        .await
        .map_err(|e| aws_error(&format!("setting map_public_ip_on_launch on subnet {id}"), &e))?;
    Ok(())
}

/// `aws_subnet`.
pub struct AwsSubnet;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsSubnet {
    fn name(&self) -> &'static str {
        "aws_subnet"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut resp = plan_common(p, req, &["availability_zone"]);
        defaults(&mut resp.planned_state, &[("map_public_ip_on_launch", Value::Bool(false))]);
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let subnet = match described(&prior, p.ec2.describe_subnets().subnet_ids(&id).send().await, |o| o.subnets().first(), &format!("subnet {id}")) {
            Ok(x) => x,
            Err(r) => return r,
        };
        ReadResponse { new_state: Some(fill(p, prior, &subnet)), diagnostics: Default::default() }
    }

    /// Refreshes many subnets with DescribeSubnets calls of up to 1,000 ids.
    async fn read_batch(&self, p: &AwsProvider, items: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)> {
        super::ec2::read_batch(
            items,
            move |ids| async move { p.ec2.describe_subnets().set_subnet_ids(Some(ids)).send().await.ok().map(|o| o.subnets().to_vec()) },
            |s: &aws_sdk_ec2::types::Subnet| s.subnet_id(),
            |v, s| fill(p, v, s),
            move |v| self.read(p, v),
        )
        .await
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let vpc = attr(&planned, "vpc_id").as_str().unwrap_or_default().to_string();
        let cidr = attr(&planned, "cidr_block").as_str().unwrap_or_default().to_string();
        let out = match p
            .ec2_write
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(&cidr)
            .set_availability_zone(attr(&planned, "availability_zone").as_str().map(str::to_string))
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) => return ApplyResponse { new_state: None, diagnostics: aws_error(&format!("creating subnet {cidr} in {vpc}"), &e) },
        };
        let id = out.subnet().and_then(|s| s.subnet_id()).unwrap_or_default().to_string();
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        let finish = async {
            if attr(&planned, "map_public_ip_on_launch") == &Value::Bool(true) {
                set_public_ip(p, &id, true).await?;
            }
            sync_tags(p, &id, &Value::Null, attr(&planned, "tags_all")).await
        };
        if let Err(d) = finish.await {
            return ApplyResponse { new_state: Some(state), diagnostics: d };
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let update = async {
            if attr(&prior, "map_public_ip_on_launch") != attr(&planned, "map_public_ip_on_launch") {
                set_public_ip(p, &id, attr(&planned, "map_public_ip_on_launch") == &Value::Bool(true)).await?;
            }
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        };
        let result = update.await;
        updated(prior, planned, result)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = p.ec2_write.delete_subnet().subnet_id(&id).send().await;
        deleted(prior, result, &format!("subnet {id}"))
    }
}

fn fill(p: &AwsProvider, mut state: Value, subnet: &aws_sdk_ec2::types::Subnet) -> Value {
    let id = subnet.subnet_id().unwrap_or_default().to_string();
    let owner = subnet.owner_id().unwrap_or_default().to_string();
    set(&mut state, "vpc_id", subnet.vpc_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "cidr_block", subnet.cidr_block().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "availability_zone", subnet.availability_zone().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "map_public_ip_on_launch", Value::Bool(subnet.map_public_ip_on_launch().unwrap_or(false)));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", subnet.subnet_arn().map(Value::string).unwrap_or_else(|| arn(p, &owner, "subnet", &id)));
    set_tags(p, &mut state, &tag_map(subnet.tags()));
    state
}
