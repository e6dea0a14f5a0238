//! `aws_vpc_dhcp_options`: `domain_name`, `domain_name_servers`, `ntp_servers`,
//! `netbios_name_servers`, `netbios_node_type`, `ipv6_address_preferred_lease_time` (each
//! replaces the set: DHCP options cannot be changed), `tags`; computed `id`, `arn`, `owner_id`,
//! `tags_all`. Destroy first gives every VPC using the set the default options, as Terraform
//! does. Import by options id. Not implemented: `region`.

use aws_sdk_ec2::types::{DhcpOptions, Filter, NewDhcpConfiguration};

use super::ec2::{arn, deleted, described, plan_common, set_tags, sync_tags, tag_map, update_tags};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The options as (argument, DHCP key, a list).
const OPTIONS: [(&str, &str, bool); 6] = [
    ("domain_name", "domain-name", false),
    ("domain_name_servers", "domain-name-servers", true),
    ("ntp_servers", "ntp-servers", true),
    ("netbios_name_servers", "netbios-name-servers", true),
    ("netbios_node_type", "netbios-node-type", false),
    ("ipv6_address_preferred_lease_time", "ipv6-address-preferred-lease-time", false),
];

pub fn schema() -> ResourceSchema {
    let args = OPTIONS.map(|(a, _, _)| a);
    resource("aws_vpc_dhcp_options").implement(&args).implement(&["id", "arn", "owner_id"]).tags().computed_only(&["id"]).force_new(&args).build()
}

fn values(v: &Value) -> Vec<String> {
    match v {
        Value::List(xs) | Value::Set(xs) => xs.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        Value::String(s) => vec![s.clone()],
        _ => vec![],
    }
}

fn fill(p: &AwsProvider, mut state: Value, o: &DhcpOptions) -> Value {
    let id = o.dhcp_options_id().unwrap_or_default().to_string();
    let owner = o.owner_id().unwrap_or_default().to_string();
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "dhcp-options", &id));
    for (arg, key, list) in OPTIONS {
        let found: Vec<Value> = o
            .dhcp_configurations()
            .iter()
            .filter(|c| c.key() == Some(key))
            .flat_map(|c| c.values().iter().filter_map(|v| v.value().map(Value::string)))
            .collect();
        let v = match (list, found.first()) {
            (_, None) => Value::Null,
            (true, Some(_)) => Value::List(found.clone()),
            (false, Some(first)) => first.clone(),
        };
        set(&mut state, arg, v);
    }
    set_tags(p, &mut state, &tag_map(o.tags()));
    state
}

/// Gives every VPC using options `id` the default options.
async fn release(p: &AwsProvider, id: &str) -> Result<(), Diagnostics> {
    let filter = Filter::builder().name("dhcp-options-id").values(id).build();
    let out = p.ec2.describe_vpcs().filters(filter).send().await.map_err(|e| aws_error(&format!("reading the VPCs using DHCP options {id}"), &e))?;
    for vpc in out.vpcs().iter().filter_map(|v| v.vpc_id()) {
        let r = p.ec2_write.associate_dhcp_options().dhcp_options_id("default").vpc_id(vpc).send().await;
        r.map_err(|e| aws_error(&format!("giving VPC {vpc} the default DHCP options"), &e))?;
    }
    Ok(())
}

/// `aws_vpc_dhcp_options`.
pub struct AwsVpcDhcpOptions;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsVpcDhcpOptions {
    fn name(&self) -> &'static str {
        "aws_vpc_dhcp_options"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        plan_common(p, req, &[])
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        let result = p.ec2.describe_dhcp_options().dhcp_options_ids(&id).send().await;
        match described(&prior, result, |o| o.dhcp_options().first(), &format!("DHCP options {id}")) {
            Ok(o) => ReadResponse::found(fill(p, prior, &o)),
            Err(r) => r,
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let configs: Vec<NewDhcpConfiguration> = OPTIONS
            .iter()
            .map(|(arg, key, _)| (key, values(attr(&planned, arg))))
            .filter(|(_, vs)| !vs.is_empty())
            .map(|(key, vs)| NewDhcpConfiguration::builder().key(*key).set_values(Some(vs)).build())
            .collect();
        let out = match p.ec2_write.create_dhcp_options().set_dhcp_configurations(Some(configs)).send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error("creating DHCP options", &e)),
        };
        let id = out.dhcp_options().and_then(|o| o.dhcp_options_id()).unwrap_or_default().to_string();
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
        if let Err(d) = release(p, &id).await {
            return ApplyResponse::failed(Some(prior), d);
        }
        let result = p.ec2_write.delete_dhcp_options().dhcp_options_id(&id).send().await;
        deleted(prior, result, &format!("DHCP options {id}"))
    }
}

/// The options of a VPC (`default` for none), for `aws_vpc_dhcp_options_association`.
pub async fn options_of(p: &AwsProvider, vpc: &str) -> Result<Option<String>, Diagnostics> {
    match p.ec2.describe_vpcs().vpc_ids(vpc).send().await {
        Ok(o) => Ok(o.vpcs().first().map(|v| v.dhcp_options_id().filter(|d| !d.is_empty()).unwrap_or("default").to_string())),
        Err(e) if super::ec2::is_not_found(&e) => Ok(None),
        Err(e) => Err(aws_error(&format!("reading VPC {vpc}"), &e)),
    }
}
