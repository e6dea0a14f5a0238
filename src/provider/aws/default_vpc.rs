//! `aws_default_vpc`: adopts the region's default VPC instead of creating one (or creates it
//! with CreateDefaultVpc when the region has none). `enable_dns_support` and
//! `enable_dns_hostnames` (both default true), `enable_network_address_usage_metrics`,
//! `force_destroy` (default false), `tags`; computed `id`, `arn`, `cidr_block`,
//! `instance_tenancy`, `dhcp_options_id`, `default_security_group_id`,
//! `default_network_acl_id`, `default_route_table_id`, `main_route_table_id`,
//! `ipv6_association_id`, `owner_id`, `existing_default_vpc`, `tags_all`. Import by VPC id.
//!
//! As in Terraform: adopting sets the DNS attributes and tags to the configured ones (the
//! VPC's own tags that are not configured go); `existing_default_vpc` says whether the VPC was
//! there before (null after an import); no argument replaces it; destroy only forgets it
//! unless `force_destroy` is true, when it deletes the VPC (which fails while it still has
//! subnets, such as its default ones). Not implemented (errors when set):
//! `assign_generated_ipv6_cidr_block`, `ipv6_cidr_block`, `ipv6_cidr_block_network_border_group`,
//! `ipv6_ipam_pool_id`, `ipv6_netmask_length`, `region`.

use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, Vpc, VpcAttributeName};

use super::ec2::{arn, deleted, found, plan_common, set_tags, sync_tags, tag_map};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, defaults, imported, map_value, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_default_vpc")
        .version(1)
        .implement(&[
            "enable_dns_support",
            "enable_dns_hostnames",
            "enable_network_address_usage_metrics",
            "force_destroy",
            "existing_default_vpc",
            "id",
            "arn",
            "cidr_block",
            "instance_tenancy",
            "dhcp_options_id",
            "default_security_group_id",
            "default_network_acl_id",
            "default_route_table_id",
            "main_route_table_id",
            "ipv6_association_id",
            "owner_id",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["enable_dns_support", "enable_dns_hostnames", "force_destroy"])
        .build()
}

/// The three boolean attributes, in the order Terraform sets them.
const FLAGS: [(&str, VpcAttributeName); 3] = [
    ("enable_dns_support", VpcAttributeName::EnableDnsSupport),
    ("enable_dns_hostnames", VpcAttributeName::EnableDnsHostnames),
    ("enable_network_address_usage_metrics", VpcAttributeName::EnableNetworkAddressUsageMetrics),
];

async fn flag(p: &AwsProvider, id: &str, name: &VpcAttributeName) -> Result<bool, Diagnostics> {
    let out = p.ec2.describe_vpc_attribute().vpc_id(id).attribute(name.clone()).send().await;
    let out = out.map_err(|e| aws_error(&format!("reading attribute {} of VPC {id}", name.as_str()), &e))?;
    let v = match name {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support(),
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
        _ => out.enable_network_address_usage_metrics(),
    };
    Ok(v.and_then(|v| v.value()).unwrap_or(false))
}

async fn set_flag(p: &AwsProvider, id: &str, name: &VpcAttributeName, on: bool) -> Result<(), Diagnostics> {
    let v = AttributeBooleanValue::builder().value(on).build();
    let call = p.ec2.modify_vpc_attribute().vpc_id(id);
    let call = match name {
        VpcAttributeName::EnableDnsSupport => call.enable_dns_support(v),
        VpcAttributeName::EnableDnsHostnames => call.enable_dns_hostnames(v),
        _ => call.enable_network_address_usage_metrics(v),
    };
    call.send().await.map_err(|e| aws_error(&format!("setting {} on VPC {id}", name.as_str()), &e))?;
    Ok(())
}

/// Sets each flag whose planned value differs from what the VPC has (`had`).
async fn sync_flags(p: &AwsProvider, id: &str, had: &Value, planned: &Value) -> Result<(), Diagnostics> {
    for (name, api) in &FLAGS {
        if let Some(want) = attr(planned, name).as_bool() {
            if attr(had, name).as_bool() != Some(want) {
                set_flag(p, id, api, want).await?;
            }
        }
    }
    Ok(())
}

/// The id of one object of VPC `id` that a describe call with `filters` finds.
async fn related(p: &AwsProvider, id: &str, what: &str) -> Result<Value, Diagnostics> {
    let vpc = Filter::builder().name("vpc-id").values(id).build();
    let reading = format!("reading the {what} of VPC {id}");
    let found = match what {
        "default security group" => {
            let f = Filter::builder().name("group-name").values("default").build();
            let out = p.ec2.describe_security_groups().filters(vpc).filters(f).send().await.map_err(|e| aws_error(&reading, &e))?;
            out.security_groups().first().and_then(|g| g.group_id()).map(str::to_string)
        }
        "main route table" => {
            let f = Filter::builder().name("association.main").values("true").build();
            let out = p.ec2.describe_route_tables().filters(vpc).filters(f).send().await.map_err(|e| aws_error(&reading, &e))?;
            out.route_tables().first().and_then(|t| t.route_table_id()).map(str::to_string)
        }
        _ => {
            let f = Filter::builder().name("default").values("true").build();
            let out = p.ec2.describe_network_acls().filters(vpc).filters(f).send().await.map_err(|e| aws_error(&reading, &e))?;
            out.network_acls().first().and_then(|a| a.network_acl_id()).map(str::to_string)
        }
    };
    Ok(found.map(Value::String).unwrap_or(Value::Null))
}

async fn find(p: &AwsProvider, id: &str) -> Result<Option<Vpc>, Diagnostics> {
    found(p.ec2.describe_vpcs().vpc_ids(id).send().await, |o| o.vpcs().first(), &format!("VPC {id}"))
}

/// The state of the described VPC: its attributes, flags and related objects.
async fn fill(p: &AwsProvider, mut state: Value, vpc: &Vpc) -> Result<Value, Diagnostics> {
    let id = vpc.vpc_id().unwrap_or_default().to_string();
    let owner = vpc.owner_id().unwrap_or_default().to_string();
    let s = |x: Option<&str>| x.map(Value::string).unwrap_or(Value::Null);
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "arn", arn(p, &owner, "vpc", &id));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "cidr_block", s(vpc.cidr_block()));
    set(&mut state, "instance_tenancy", s(vpc.instance_tenancy().map(|t| t.as_str())));
    set(&mut state, "dhcp_options_id", s(vpc.dhcp_options_id()));
    let ipv6 =
        vpc.ipv6_cidr_block_association_set().iter().find(|a| a.ipv6_cidr_block_state().and_then(|s| s.state()).is_some_and(|s| s.as_str() == "associated"));
    set(&mut state, "ipv6_association_id", Value::string(ipv6.and_then(|a| a.association_id()).unwrap_or_default()));
    set_tags(p, &mut state, &tag_map(vpc.tags()));
    let group = related(p, &id, "default security group").await?;
    let table = related(p, &id, "main route table").await?;
    set(&mut state, "default_security_group_id", group);
    set(&mut state, "default_route_table_id", table.clone());
    set(&mut state, "main_route_table_id", table);
    let acl = related(p, &id, "default network ACL").await?;
    set(&mut state, "default_network_acl_id", acl);
    for (name, api) in &FLAGS {
        let on = flag(p, &id, api).await?;
        set(&mut state, name, Value::Bool(on));
    }
    defaults(&mut state, &[("force_destroy", Value::Bool(false))]);
    Ok(state)
}

async fn read(p: &AwsProvider, prior: Value) -> ReadResponse {
    let id = text(&prior, "id");
    match find(p, &id).await {
        Ok(Some(vpc)) => match fill(p, prior.clone(), &vpc).await {
            Ok(s) => ReadResponse::found(s),
            Err(d) => ReadResponse::failed(prior, d),
        },
        Ok(None) => ReadResponse::gone(),
        Err(d) => ReadResponse::failed(prior, d),
    }
}

/// `aws_default_vpc`.
pub struct AwsDefaultVpc;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsDefaultVpc {
    fn name(&self) -> &'static str {
        "aws_default_vpc"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut resp = plan_common(p, req, &["enable_network_address_usage_metrics"]);
        defaults(
            &mut resp.planned_state,
            &[("enable_dns_support", Value::Bool(true)), ("enable_dns_hostnames", Value::Bool(true)), ("force_destroy", Value::Bool(false))],
        );
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        read(p, prior).await
    }

    /// Adopts the region's default VPC, or creates one, then sets its flags and tags.
    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let filter = Filter::builder().name("is-default").values("true").build();
        let existing = match p.ec2.describe_vpcs().filters(filter).send().await {
            Ok(o) => o.vpcs().first().cloned(),
            Err(e) => return ApplyResponse::failed(None, aws_error("reading the default VPC", &e)),
        };
        let mut had = Value::object([("tags_all", Value::Null)]);
        let (id, existed) = match existing {
            Some(vpc) => {
                let id = vpc.vpc_id().unwrap_or_default().to_string();
                set(&mut had, "tags_all", map_value(tag_map(vpc.tags())));
                for (name, api) in &FLAGS {
                    match flag(p, &id, api).await {
                        Ok(on) => set(&mut had, name, Value::Bool(on)),
                        Err(d) => return ApplyResponse::failed(None, d),
                    }
                }
                (id, true)
            }
            None => match p.ec2_write.create_default_vpc().send().await {
                Ok(o) => {
                    for (name, on) in [("enable_dns_support", true), ("enable_dns_hostnames", true), ("enable_network_address_usage_metrics", false)] {
                        set(&mut had, name, Value::Bool(on));
                    }
                    (o.vpc().and_then(|v| v.vpc_id()).unwrap_or_default().to_string(), false)
                }
                Err(e) => return ApplyResponse::failed(None, aws_error("creating the default VPC", &e)),
            },
        };
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "existing_default_vpc", Value::Bool(existed));
        let adopt = async {
            sync_flags(p, &id, &had, &planned).await?;
            sync_tags(p, &id, attr(&had, "tags_all"), attr(&planned, "tags_all")).await
        };
        if let Err(d) = adopt.await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let update = async {
            sync_flags(p, &id, &prior, &planned).await?;
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        };
        match update.await {
            Ok(()) => {
                let r = read(p, planned.clone()).await;
                ApplyResponse::read_back(r, planned)
            }
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    /// Deletes the VPC with `force_destroy`; otherwise only forgets it.
    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        if attr(&prior, "force_destroy") == &Value::Bool(true) {
            let result = p.ec2_write.delete_vpc().vpc_id(&id).send().await;
            return deleted(prior, result, &format!("default VPC {id}"));
        }
        let warning: Diagnostics = Diagnostic::warning("Default VPC not deleted", format!("EC2 Default VPC ({id}) not deleted, removing from state.")).into();
        ApplyResponse { new_state: None, diagnostics: warning }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let mut state = blank;
        set(&mut state, "id", Value::string(&id));
        imported(read(p, state).await, || format!("There is no VPC with id \"{id}\"."))
    }
}
