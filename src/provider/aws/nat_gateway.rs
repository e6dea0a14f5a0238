//! `aws_nat_gateway`: `subnet_id`, `allocation_id`, `connectivity_type` (`"public"` by default),
//! `private_ip`, all replacing; `tags` in place; computed `id`, `association_id`,
//! `network_interface_id`, `public_ip`, `vpc_id`, `tags_all`. Import by gateway id.
//!
//! As Terraform does, create waits until the gateway is `available` (10 minutes) and delete
//! until it is `deleted` (30 minutes); a gateway found `deleted` is gone.

use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{ConnectivityType, NatGateway, NatGatewayState};

use super::ec2::{deleted, is_not_found, plan_common, set_tags, sync_tags, tag_map, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, defaults, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

pub fn schema() -> ResourceSchema {
    resource("aws_nat_gateway")
        .implement(&["subnet_id", "allocation_id", "connectivity_type", "private_ip", "tags", "tags_all", "id"])
        .implement(&["association_id", "network_interface_id", "public_ip", "vpc_id"])
        .force_new(&["subnet_id", "allocation_id", "connectivity_type", "private_ip"])
        .build()
}

/// The gateway, or `None` when it does not exist or is `deleted`.
async fn find(p: &AwsProvider, id: &str) -> Result<Option<NatGateway>, Diagnostics> {
    match p.ec2.describe_nat_gateways().nat_gateway_ids(id).send().await {
        Ok(o) => Ok(o.nat_gateways().first().filter(|g| g.state() != Some(&NatGatewayState::Deleted)).cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(aws_error(&format!("reading NAT gateway {id}"), &e)),
    }
}

/// Polls until the gateway is `available` (`want = true`) or gone (`want = false`).
async fn wait(p: &AwsProvider, id: &str, available: bool, timeout: Duration) -> Result<(), Diagnostics> {
    let (start, mut delay) = (Instant::now(), Duration::from_millis(200));
    loop {
        let g = find(p, id).await?;
        let state = g.as_ref().and_then(|g| g.state()).cloned();
        match (available, &g, state) {
            (false, None, _) | (true, Some(_), Some(NatGatewayState::Available)) => return Ok(()),
            (true, Some(g), Some(NatGatewayState::Failed)) => {
                let why = g.failure_message().unwrap_or("no reason given");
                return Err(Diagnostic::error("NAT gateway failed", format!("NAT gateway {id} failed: {why}.")).into());
            }
            _ => {}
        }
        if start.elapsed() > timeout {
            let want = if available { "available" } else { "deleted" };
            return Err(Diagnostic::error(
                "Timeout waiting for NAT gateway",
                format!("NAT gateway {id} did not become {want} within {} minutes.", timeout.as_secs() / 60),
            )
            .into());
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// `aws_nat_gateway`.
pub struct AwsNatGateway;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsNatGateway {
    fn name(&self) -> &'static str {
        "aws_nat_gateway"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut resp = plan_common(p, req, &["id", "private_ip", "vpc_id"]);
        defaults(&mut resp.planned_state, &[("connectivity_type", Value::string("public"))]);
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        match find(p, &id).await {
            Ok(Some(g)) => ReadResponse::found(fill(p, prior, &g)),
            Ok(None) => ReadResponse::gone(),
            Err(d) => ReadResponse::failed(prior, d),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, config: &Value) -> ApplyResponse {
        self.create_tracked(p, planned, config, &Operation::default()).await
    }

    /// Creates the gateway with the create's `ClientToken`, reports it as started, then tags
    /// it and waits until it is available.
    async fn create_tracked(&self, p: &AwsProvider, planned: Value, _config: &Value, op: &Operation) -> ApplyResponse {
        let s = |n: &str| attr(&planned, n).as_str().filter(|x| !x.is_empty()).map(str::to_string);
        let call = p
            .ec2_write
            .create_nat_gateway()
            .set_subnet_id(s("subnet_id"))
            .set_allocation_id(s("allocation_id"))
            .set_private_ip_address(s("private_ip"))
            .connectivity_type(ConnectivityType::from(s("connectivity_type").unwrap_or("public".into()).as_str()))
            .set_client_token(op.token.clone());
        let out = match call.send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error("creating NAT gateway", &e)),
        };
        let id = out.nat_gateway().and_then(|g| g.nat_gateway_id()).unwrap_or_default().to_string();
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        op.started(&state).await;
        let finish = async {
            sync_tags(p, &id, &Value::Null, attr(&planned, "tags_all")).await?;
            wait(p, &id, true, CREATE_TIMEOUT).await
        };
        if let Err(d) = finish.await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await;
        updated(prior, planned, result)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = p.ec2_write.delete_nat_gateway().nat_gateway_id(&id).send().await;
        let r = deleted(prior.clone(), result, &format!("NAT gateway {id}"));
        if r.new_state.is_some() {
            return r;
        }
        match wait(p, &id, false, DELETE_TIMEOUT).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }
}

fn fill(p: &AwsProvider, mut state: Value, g: &NatGateway) -> Value {
    let opt = |x: Option<&str>| x.filter(|s| !s.is_empty()).map(Value::string).unwrap_or(Value::Null);
    // The primary address: the first one, as the provider takes it.
    let primary = g.nat_gateway_addresses().iter().find(|a| a.is_primary() == Some(true)).or(g.nat_gateway_addresses().first());
    set(&mut state, "id", opt(g.nat_gateway_id()));
    set(&mut state, "subnet_id", opt(g.subnet_id()));
    set(&mut state, "vpc_id", opt(g.vpc_id()));
    set(&mut state, "connectivity_type", opt(g.connectivity_type().map(|c| c.as_str())));
    set(&mut state, "allocation_id", opt(primary.and_then(|a| a.allocation_id())));
    set(&mut state, "association_id", opt(primary.and_then(|a| a.association_id())));
    set(&mut state, "network_interface_id", opt(primary.and_then(|a| a.network_interface_id())));
    set(&mut state, "private_ip", opt(primary.and_then(|a| a.private_ip())));
    set(&mut state, "public_ip", opt(primary.and_then(|a| a.public_ip())));
    set_tags(p, &mut state, &tag_map(g.tags()));
    state
}
