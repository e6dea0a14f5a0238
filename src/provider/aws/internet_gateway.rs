//! `aws_internet_gateway`: `vpc_id` (optional: the gateway is attached to it, and detached
//! from the old VPC and attached to the new one in place when it changes), `tags`; computed
//! `id`, `arn`, `owner_id`, `tags_all`. Import by gateway id.

use aws_sdk_ec2::types::InternetGateway;

use super::ec2::{arn, deleted, described, is_not_found, plan_common, set_tags, sync_tags, tag_map, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_internet_gateway").implement(&["vpc_id", "tags", "tags_all", "id", "arn", "owner_id"]).build()
}

async fn attach(p: &AwsProvider, id: &str, vpc: &str) -> Result<(), Diagnostics> {
    p.ec2_write
        .attach_internet_gateway()
        .internet_gateway_id(id)
        .vpc_id(vpc)
        .send()
        .await
        .map_err(|e| aws_error(&format!("attaching internet gateway {id} to {vpc}"), &e))?;
    Ok(())
}

async fn detach(p: &AwsProvider, id: &str, vpc: &str) -> Result<(), Diagnostics> {
    match p.ec2_write.detach_internet_gateway().internet_gateway_id(id).vpc_id(vpc).send().await {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) || e.as_service_error().and_then(|s| aws_sdk_ec2::error::ProvideErrorMetadata::code(s)) == Some("Gateway.NotAttached") => {
            Ok(())
        }
        Err(e) => Err(aws_error(&format!("detaching internet gateway {id} from {vpc}"), &e)),
    }
}

/// `aws_internet_gateway`.
pub struct AwsInternetGateway;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsInternetGateway {
    fn name(&self) -> &'static str {
        "aws_internet_gateway"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        plan_common(p, req, &["id"])
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = p.ec2.describe_internet_gateways().internet_gateway_ids(&id).send().await;
        match described(&prior, result, |o| o.internet_gateways().first(), &format!("internet gateway {id}")) {
            Ok(g) => ReadResponse::found(fill(p, prior, &g)),
            Err(r) => r,
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let out = match p.ec2_write.create_internet_gateway().send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error("creating internet gateway", &e)),
        };
        let id = out.internet_gateway().and_then(|g| g.internet_gateway_id()).unwrap_or_default().to_string();
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        let finish = async {
            sync_tags(p, &id, &Value::Null, attr(&planned, "tags_all")).await?;
            if let Some(vpc) = attr(&planned, "vpc_id").as_str() {
                attach(p, &id, vpc).await?;
            }
            Ok::<(), Diagnostics>(())
        };
        if let Err(d) = finish.await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let update = async {
            let (old, new) = (attr(&prior, "vpc_id").as_str(), attr(&planned, "vpc_id").as_str());
            if old != new {
                if let Some(old) = old {
                    detach(p, &id, old).await?;
                }
                if let Some(new) = new {
                    attach(p, &id, new).await?;
                }
            }
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        };
        let result = update.await;
        updated(prior, planned, result)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        if let Some(vpc) = attr(&prior, "vpc_id").as_str() {
            if let Err(d) = detach(p, &id, vpc).await {
                return ApplyResponse::failed(Some(prior), d);
            }
        }
        let result = p.ec2_write.delete_internet_gateway().internet_gateway_id(&id).send().await;
        deleted(prior, result, &format!("internet gateway {id}"))
    }
}

fn fill(p: &AwsProvider, mut state: Value, g: &InternetGateway) -> Value {
    let id = g.internet_gateway_id().unwrap_or_default().to_string();
    let owner = g.owner_id().unwrap_or_default().to_string();
    let vpc = g.attachments().iter().find_map(|a| a.vpc_id());
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "vpc_id", vpc.map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "internet-gateway", &id));
    set_tags(p, &mut state, &tag_map(g.tags()));
    state
}
