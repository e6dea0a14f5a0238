//! `aws_vpc`: `cidr_block`, `enable_dns_support`, `enable_dns_hostnames`, `tags`; computed
//! `id`, `arn`, `default_security_group_id`, `main_route_table_id`, `owner_id`, `tags_all`.
//! A new CIDR block replaces the VPC; DNS settings and tags change in place.

use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, VpcAttributeName};

use super::ec2::{arn, deleted, described, imported, plan_common, set_tags, skeleton, sync_tags, tag_map, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::builtin::{attr, set};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 1,
        block: BlockSchema::new([
            ("cidr_block", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("enable_dns_support", AttributeSchema::optional_computed().typed(AttrType::Bool)),
            ("enable_dns_hostnames", AttributeSchema::optional_computed().typed(AttrType::Bool)),
            ("tags", AttributeSchema::optional().typed(AttrType::MapOfString)),
            ("tags_all", AttributeSchema::computed().typed(AttrType::MapOfString)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("arn", AttributeSchema::computed().typed(AttrType::String)),
            ("owner_id", AttributeSchema::computed().typed(AttrType::String)),
            ("default_security_group_id", AttributeSchema::computed().typed(AttrType::String)),
            ("main_route_table_id", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

pub fn plan(p: &AwsProvider, req: PlanRequest) -> PlanResponse {
    let mut resp = plan_common(p, req, &schema().block, &["id", "arn", "owner_id", "default_security_group_id", "main_route_table_id"]);
    // AWS's defaults, known at plan time.
    for (name, default) in [("enable_dns_support", true), ("enable_dns_hostnames", false)] {
        if attr(&resp.planned_state, name).is_null() {
            set(&mut resp.planned_state, name, Value::Bool(default));
        }
    }
    resp
}

async fn set_dns(p: &AwsProvider, id: &str, name: &str, on: bool) -> Result<(), Diagnostics> {
    let v = AttributeBooleanValue::builder().value(on).build();
    let call = p.ec2.modify_vpc_attribute().vpc_id(id);
    let call = if name == "enable_dns_support" { call.enable_dns_support(v) } else { call.enable_dns_hostnames(v) };
    call.send().await.map_err(|e| aws_error(&format!("setting {name} on VPC {id}"), &e))?;
    Ok(())
}

pub async fn apply(p: &AwsProvider, req: ApplyRequest) -> ApplyResponse {
    match (req.prior_state, req.planned_state) {
        (None, Some(planned)) => {
            let cidr = attr(&planned, "cidr_block").as_str().unwrap_or_default().to_string();
            let out = match p.ec2.create_vpc().cidr_block(&cidr).send().await {
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
            let r = read(p, state.clone()).await;
            ApplyResponse { new_state: r.new_state.or(Some(state)), diagnostics: r.diagnostics }
        }
        (Some(prior), Some(planned)) => {
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
        (Some(prior), None) => {
            let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
            let result = p.ec2.delete_vpc().vpc_id(&id).send().await;
            deleted(prior, result, &format!("VPC {id}"))
        }
        (None, None) => ApplyResponse::default(),
    }
}

async fn dns(p: &AwsProvider, id: &str, name: VpcAttributeName) -> Result<Option<bool>, Diagnostics> {
    let out = p.ec2.describe_vpc_attribute().vpc_id(id).attribute(name.clone()).send().await.map_err(|e| aws_error(&format!("reading VPC {id}"), &e))?;
    Ok(match name {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support().and_then(|v| v.value()),
        _ => out.enable_dns_hostnames().and_then(|v| v.value()),
    })
}

pub async fn read(p: &AwsProvider, prior: Value) -> ReadResponse {
    let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
    let vpc = match described(&prior, p.ec2.describe_vpcs().vpc_ids(&id).send().await, |o| o.vpcs().first(), &format!("VPC {id}")) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut state = prior;
    let owner = vpc.owner_id().unwrap_or_default().to_string();
    set(&mut state, "cidr_block", vpc.cidr_block().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "vpc", &id));
    set_tags(p, &mut state, &tag_map(vpc.tags()));
    let rest = async {
        let support = dns(p, &id, VpcAttributeName::EnableDnsSupport).await?;
        let hostnames = dns(p, &id, VpcAttributeName::EnableDnsHostnames).await?;
        let vpc_filter = Filter::builder().name("vpc-id").values(&id).build();
        let sgs = p
            .ec2
            .describe_security_groups()
            .filters(vpc_filter.clone())
            .filters(Filter::builder().name("group-name").values("default").build())
            .send()
            .await
            .map_err(|e| aws_error(&format!("reading the default security group of VPC {id}"), &e))?;
        let rts = p
            .ec2
            .describe_route_tables()
            .filters(vpc_filter)
            .filters(Filter::builder().name("association.main").values("true").build())
            .send()
            .await
            .map_err(|e| aws_error(&format!("reading the main route table of VPC {id}"), &e))?;
        Ok::<_, Diagnostics>((
            support,
            hostnames,
            sgs.security_groups().first().and_then(|g| g.group_id()).map(str::to_string),
            rts.route_tables().first().and_then(|t| t.route_table_id()).map(str::to_string),
        ))
    };
    match rest.await {
        Ok((support, hostnames, sg, rt)) => {
            set(&mut state, "enable_dns_support", Value::Bool(support.unwrap_or(true)));
            set(&mut state, "enable_dns_hostnames", Value::Bool(hostnames.unwrap_or(false)));
            set(&mut state, "default_security_group_id", sg.map(Value::String).unwrap_or(Value::Null));
            set(&mut state, "main_route_table_id", rt.map(Value::String).unwrap_or(Value::Null));
            ReadResponse { new_state: Some(state), diagnostics: Default::default() }
        }
        Err(d) => ReadResponse { new_state: Some(state), diagnostics: d },
    }
}

pub async fn import(p: &AwsProvider, id: String) -> ImportResponse {
    imported(read(p, skeleton(&schema().block, &id)).await, "VPC", &id)
}
