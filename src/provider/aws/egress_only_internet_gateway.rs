//! `aws_egress_only_internet_gateway`: `vpc_id` (replaces), `tags`; computed `id`,
//! `tags_all`. Import by gateway id. Not implemented: `region`.

use aws_sdk_ec2::types::EgressOnlyInternetGateway;

use super::ec2::{deleted, described, plan_common, set_tags, sync_tags, tag_map, update_tags};
use super::errors::aws_error;
use super::AwsProvider;
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_egress_only_internet_gateway").implement(&["vpc_id", "id"]).tags().computed_only(&["id"]).force_new(&["vpc_id"]).build()
}

fn fill(p: &AwsProvider, mut state: Value, g: &EgressOnlyInternetGateway) -> Value {
    set(&mut state, "id", g.egress_only_internet_gateway_id().map(Value::string).unwrap_or(Value::Null));
    let vpc = g.attachments().iter().find_map(|a| a.vpc_id());
    set(&mut state, "vpc_id", vpc.map(Value::string).unwrap_or(Value::Null));
    set_tags(p, &mut state, &tag_map(g.tags()));
    state
}

/// `aws_egress_only_internet_gateway`.
pub struct AwsEgressOnlyInternetGateway;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsEgressOnlyInternetGateway {
    fn name(&self) -> &'static str {
        "aws_egress_only_internet_gateway"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        plan_common(p, req, &[])
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        let result = p.ec2.describe_egress_only_internet_gateways().egress_only_internet_gateway_ids(&id).send().await;
        match described(&prior, result, |o| o.egress_only_internet_gateways().first(), &format!("egress-only internet gateway {id}")) {
            Ok(g) => ReadResponse::found(fill(p, prior, &g)),
            Err(r) => r,
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let vpc = text(&planned, "vpc_id");
        let out = match p.ec2_write.create_egress_only_internet_gateway().vpc_id(&vpc).send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error(&format!("creating egress-only internet gateway in {vpc}"), &e)),
        };
        let id = out.egress_only_internet_gateway().and_then(|g| g.egress_only_internet_gateway_id()).unwrap_or_default().to_string();
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        if let Err(d) = sync_tags(p, &id, &Value::Null, attr(&planned, "tags_all")).await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        update_tags(p, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let result = p.ec2_write.delete_egress_only_internet_gateway().egress_only_internet_gateway_id(&id).send().await;
        deleted(prior, result, &format!("egress-only internet gateway {id}"))
    }
}
