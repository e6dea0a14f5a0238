//! `aws_vpc`: `cidr_block`, `enable_dns_support`, `enable_dns_hostnames`, `tags`; computed
//! `id`, `arn`, `default_security_group_id`, `main_route_table_id`, `owner_id`, `tags_all`.
//! A new CIDR block replaces the VPC; DNS settings and tags change in place.

use std::collections::HashMap;

use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, Vpc, VpcAttributeName};

use super::ec2::{arn, deleted, described, plan_common, set_tags, sync_tags, tag_map, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, defaults, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_vpc")
        .version(1)
        .implement(&["cidr_block", "enable_dns_support", "enable_dns_hostnames", "id", "arn", "owner_id", "default_security_group_id", "main_route_table_id"])
        .tags()
        .required(&["cidr_block"])
        .computed_only(&["id"])
        .defaulted(&["enable_dns_support"])
        .force_new(&["cidr_block"])
        .build()
}

async fn set_dns(p: &AwsProvider, id: &str, name: &str, on: bool) -> Result<(), Diagnostics> {
    let v = AttributeBooleanValue::builder().value(on).build();
    let call = p.ec2.modify_vpc_attribute().vpc_id(id);
    let call = if name == "enable_dns_support" { call.enable_dns_support(v) } else { call.enable_dns_hostnames(v) };
    call.send().await.map_err(|e| aws_error(&format!("setting {name} on VPC {id}"), &e))?;
    Ok(())
}

/// `aws_vpc`.
pub struct AwsVpc;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsVpc {
    fn name(&self) -> &'static str {
        "aws_vpc"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut resp = plan_common(p, req, &[]);
        // AWS's defaults, known at plan time.
        defaults(&mut resp.planned_state, &[("enable_dns_support", Value::Bool(true)), ("enable_dns_hostnames", Value::Bool(false))]);
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let vpc = match described(&prior, p.ec2.describe_vpcs().vpc_ids(&id).send().await, |o| o.vpcs().first(), &format!("VPC {id}")) {
            Ok(x) => x,
            Err(r) => return r,
        };
        let ids = [id];
        let related = async { Ok::<_, Diagnostics>((default_groups(p, &ids).await?, main_route_tables(p, &ids).await?)) };
        match related.await {
            Ok((groups, tables)) => fill(p, prior, &vpc, &groups, &tables).await,
            Err(d) => ReadResponse { new_state: Some(prior), diagnostics: d },
        }
    }

    /// Refreshes many VPCs: one DescribeVpcs call per 1,000 ids, one call each for their default
    /// security groups and main route tables, and the two DNS attributes per VPC (concurrently).
    /// A failed describe (one id of the batch is gone) falls back to reading that batch one by one.
    async fn read_batch(&self, p: &AwsProvider, items: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)> {
        use futures::stream::{self, StreamExt};
        let mut out = Vec::new();
        for chunk in items.chunks(1000) {
            let ids: Vec<String> = chunk.iter().filter_map(|(_, v)| attr(v, "id").as_str().map(str::to_string)).collect();
            let described = p.ec2.describe_vpcs().set_vpc_ids(Some(ids.clone())).send().await;
            let related = async { Ok::<_, Diagnostics>((default_groups(p, &ids).await?, main_route_tables(p, &ids).await?)) };
            let (vpcs, (groups, tables)) = match (described, related.await) {
                (Ok(o), Ok(r)) => (o.vpcs().iter().filter_map(|v| Some((v.vpc_id()?.to_string(), v.clone()))).collect::<HashMap<String, Vpc>>(), r),
                _ => {
                    let one_by_one: Vec<(usize, ReadResponse)> =
                        stream::iter(chunk.iter().cloned()).map(|(i, v)| async move { (i, self.read(p, v).await) }).buffer_unordered(10).collect().await;
                    out.extend(one_by_one);
                    continue;
                }
            };
            let (vpcs, groups, tables) = (&vpcs, &groups, &tables);
            let filled: Vec<(usize, ReadResponse)> = stream::iter(chunk.iter().cloned())
                .map(|(i, v)| async move {
                    let found = attr(&v, "id").as_str().and_then(|id| vpcs.get(id));
                    match found {
                        Some(vpc) => (i, fill(p, v, vpc, groups, tables).await),
                        None => (i, ReadResponse { new_state: None, diagnostics: Default::default() }),
                    }
                })
                .buffer_unordered(10)
                .collect()
                .await;
            out.extend(filled);
        }
        out
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let cidr = attr(&planned, "cidr_block").as_str().unwrap_or_default().to_string();
        let out = match p.ec2_write.create_vpc().cidr_block(&cidr).send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse { new_state: None, diagnostics: aws_error(&format!("creating VPC {cidr}"), &e) },
        };
        let id = out.vpc().and_then(|v| v.vpc_id()).unwrap_or_default().to_string();
        // From here the VPC exists: on any later failure, return what is known so state keeps it.
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        let finish = async {
            for name in ["enable_dns_support", "enable_dns_hostnames"] {
                let want = attr(&planned, name) == &Value::Bool(true);
                let default = name == "enable_dns_support";
                if want != default {
                    set_dns(p, &id, name, want).await?;
                }
            }
            sync_tags(p, &id, &Value::Null, attr(&planned, "tags_all")).await?;
            Ok::<(), Diagnostics>(())
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
            for name in ["enable_dns_support", "enable_dns_hostnames"] {
                if attr(&prior, name) != attr(&planned, name) {
                    set_dns(p, &id, name, attr(&planned, name) == &Value::Bool(true)).await?;
                }
            }
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        };
        let result = update.await;
        updated(prior, planned, result)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = p.ec2_write.delete_vpc().vpc_id(&id).send().await;
        deleted(prior, result, &format!("VPC {id}"))
    }
}

async fn dns(p: &AwsProvider, id: &str, name: VpcAttributeName) -> Result<Option<bool>, Diagnostics> {
    let out = p.ec2.describe_vpc_attribute().vpc_id(id).attribute(name.clone()).send().await.map_err(|e| aws_error(&format!("reading VPC {id}"), &e))?;
    Ok(match name {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support().and_then(|v| v.value()),
        _ => out.enable_dns_hostnames().and_then(|v| v.value()),
    })
}

/// Each VPC's default security group, from one call for many VPCs.
async fn default_groups(p: &AwsProvider, ids: &[String]) -> Result<HashMap<String, String>, Diagnostics> {
    let out = p
        .ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").set_values(Some(ids.to_vec())).build())
        .filters(Filter::builder().name("group-name").values("default").build())
        .send()
        .await
        .map_err(|e| aws_error(&format!("reading the default security groups of {}", ids.join(", ")), &e))?;
    Ok(out.security_groups().iter().filter_map(|g| Some((g.vpc_id()?.to_string(), g.group_id()?.to_string()))).collect())
}

/// Each VPC's main route table, from one call for many VPCs.
async fn main_route_tables(p: &AwsProvider, ids: &[String]) -> Result<HashMap<String, String>, Diagnostics> {
    let out = p
        .ec2
        .describe_route_tables()
        .filters(Filter::builder().name("vpc-id").set_values(Some(ids.to_vec())).build())
        .filters(Filter::builder().name("association.main").values("true").build())
        .send()
        .await
        .map_err(|e| aws_error(&format!("reading the main route tables of {}", ids.join(", ")), &e))?;
    Ok(out.route_tables().iter().filter_map(|t| Some((t.vpc_id()?.to_string(), t.route_table_id()?.to_string()))).collect())
}

/// The state of one described VPC, with its DNS attributes (two calls: EC2 has no bulk read
/// for them) and the default group and main route table found for it.
async fn fill(p: &AwsProvider, mut state: Value, vpc: &Vpc, groups: &HashMap<String, String>, tables: &HashMap<String, String>) -> ReadResponse {
    let id = vpc.vpc_id().unwrap_or_default().to_string();
    let owner = vpc.owner_id().unwrap_or_default().to_string();
    set(&mut state, "cidr_block", vpc.cidr_block().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "vpc", &id));
    set_tags(p, &mut state, &tag_map(vpc.tags()));
    set(&mut state, "default_security_group_id", groups.get(&id).map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "main_route_table_id", tables.get(&id).map(Value::string).unwrap_or(Value::Null));
    let flags =
        async { Ok::<_, Diagnostics>((dns(p, &id, VpcAttributeName::EnableDnsSupport).await?, dns(p, &id, VpcAttributeName::EnableDnsHostnames).await?)) };
    match flags.await {
        Ok((support, hostnames)) => {
            set(&mut state, "enable_dns_support", Value::Bool(support.unwrap_or(true)));
            set(&mut state, "enable_dns_hostnames", Value::Bool(hostnames.unwrap_or(false)));
            ReadResponse { new_state: Some(state), diagnostics: Default::default() }
        }
        Err(d) => ReadResponse { new_state: Some(state), diagnostics: d },
    }
}
