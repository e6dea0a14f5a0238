//! `aws_route_table`: `vpc_id` (replaces), `route` (a set of routes, blocks or a list; each a
//! destination — `cidr_block`, `ipv6_cidr_block`, `destination_prefix_list_id` — and one
//! target), `propagating_vgws`, `tags`; computed `id`, `arn`, `owner_id`, `tags_all`.
//!
//! As in Terraform, unset route fields are `""`, the VPC's `local` route and routes propagated
//! from a virtual private gateway are not part of `route`, and routes change in place (delete
//! what went, create what came). Without `route` the table's routes are left alone (Terraform's
//! optional+computed `route`); clearing every route (`route = []`) is not told apart from that.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{Route, RouteOrigin, RouteTable};

use super::ec2::{arn, deleted, described, plan_common, set_tags, sync_tags, tag_map, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

/// The fields of a route, in schema order.
const FIELDS: [&str; 13] = [
    "carrier_gateway_id",
    "cidr_block",
    "core_network_arn",
    "destination_prefix_list_id",
    "egress_only_gateway_id",
    "gateway_id",
    "ipv6_cidr_block",
    "local_gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
];

pub fn schema() -> ResourceSchema {
    let route = BlockSchema::new(FIELDS.map(|f| (f, AttributeSchema::optional().typed(AttrType::String))));
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("vpc_id", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("propagating_vgws", AttributeSchema::optional_computed().typed(AttrType::SetOfString)),
            ("tags", AttributeSchema::optional().typed(AttrType::MapOfString)),
            ("tags_all", AttributeSchema::computed().typed(AttrType::MapOfString)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("arn", AttributeSchema::computed().typed(AttrType::String)),
            ("owner_id", AttributeSchema::computed().typed(AttrType::String)),
        ])
        .with_attribute_block("route", Nesting::Set, route),
    }
}

/// A route as its 13 fields, `""` where unset.
type R = [String; 13];

fn route_of(v: &Value) -> R {
    FIELDS.map(|f| attr(v, f).as_str().unwrap_or_default().to_string())
}

fn routes(v: &Value) -> BTreeSet<R> {
    match attr(v, "route") {
        Value::List(xs) | Value::Set(xs) => xs.iter().map(route_of).collect(),
        _ => BTreeSet::new(),
    }
}

fn routes_value(rs: &BTreeSet<R>) -> Value {
    Value::set(rs.iter().map(|r| Value::object(FIELDS.iter().zip(r).map(|(f, v)| (*f, Value::string(v))))).collect())
}

fn field<'a>(r: &'a R, name: &str) -> Option<&'a str> {
    FIELDS.iter().position(|f| *f == name).map(|i| r[i].as_str()).filter(|s| !s.is_empty())
}

/// AWS's route as Terraform's fields; `None` for the local and propagated routes.
fn from_route(r: &Route) -> Option<R> {
    let gateway = r.gateway_id().unwrap_or_default();
    if gateway == "local" || r.origin() == Some(&RouteOrigin::EnableVgwRoutePropagation) {
        return None;
    }
    let (gateway, endpoint) = if gateway.starts_with("vpce-") { ("", gateway) } else { (gateway, "") };
    let s = |x: Option<&str>| x.unwrap_or_default().to_string();
    Some([
        s(r.carrier_gateway_id()),
        s(r.destination_cidr_block()),
        s(r.core_network_arn()),
        s(r.destination_prefix_list_id()),
        s(r.egress_only_internet_gateway_id()),
        gateway.to_string(),
        s(r.destination_ipv6_cidr_block()),
        s(r.local_gateway_id()),
        s(r.nat_gateway_id()),
        s(r.network_interface_id()),
        s(r.transit_gateway_id()),
        endpoint.to_string(),
        s(r.vpc_peering_connection_id()),
    ])
}

async fn delete_route(p: &AwsProvider, id: &str, r: &R) -> Result<(), Diagnostics> {
    p.ec2_write
        .delete_route()
        .route_table_id(id)
        .set_destination_cidr_block(field(r, "cidr_block").map(str::to_string))
        .set_destination_ipv6_cidr_block(field(r, "ipv6_cidr_block").map(str::to_string))
        .set_destination_prefix_list_id(field(r, "destination_prefix_list_id").map(str::to_string))
        .send()
        .await
        .map_err(|e| aws_error(&format!("deleting a route of route table {id}"), &e))?;
    Ok(())
}

async fn create_route(p: &AwsProvider, id: &str, r: &R) -> Result<(), Diagnostics> {
    let f = |n: &str| field(r, n).map(str::to_string);
    p.ec2_write
        .create_route()
        .route_table_id(id)
        .set_destination_cidr_block(f("cidr_block"))
        .set_destination_ipv6_cidr_block(f("ipv6_cidr_block"))
        .set_destination_prefix_list_id(f("destination_prefix_list_id"))
        .set_carrier_gateway_id(f("carrier_gateway_id"))
        .set_core_network_arn(f("core_network_arn"))
        .set_egress_only_internet_gateway_id(f("egress_only_gateway_id"))
        .set_gateway_id(f("gateway_id"))
        .set_local_gateway_id(f("local_gateway_id"))
        .set_nat_gateway_id(f("nat_gateway_id"))
        .set_network_interface_id(f("network_interface_id"))
        .set_transit_gateway_id(f("transit_gateway_id"))
        .set_vpc_endpoint_id(f("vpc_endpoint_id"))
        .set_vpc_peering_connection_id(f("vpc_peering_connection_id"))
        .send()
        .await
        .map_err(|e| aws_error(&format!("creating a route in route table {id}"), &e))?;
    Ok(())
}

fn strings(v: &Value) -> BTreeSet<String> {
    match v {
        Value::List(xs) | Value::Set(xs) => xs.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => BTreeSet::new(),
    }
}

/// Makes the table's routes and propagating gateways the planned ones, given what it had.
async fn sync(p: &AwsProvider, id: &str, had: &Value, want: &Value) -> Result<(), Diagnostics> {
    let (old_vgws, new_vgws) = (strings(attr(had, "propagating_vgws")), strings(attr(want, "propagating_vgws")));
    for g in old_vgws.difference(&new_vgws) {
        let r = p.ec2_write.disable_vgw_route_propagation().route_table_id(id).gateway_id(g).send().await;
        r.map_err(|e| aws_error(&format!("disabling propagation from {g} in route table {id}"), &e))?;
    }
    if attr(want, "propagating_vgws").is_wholly_known() {
        for g in new_vgws.difference(&old_vgws) {
            let r = p.ec2_write.enable_vgw_route_propagation().route_table_id(id).gateway_id(g).send().await;
            r.map_err(|e| aws_error(&format!("enabling propagation from {g} in route table {id}"), &e))?;
        }
    }
    let (old, new) = (routes(had), routes(want));
    for r in old.difference(&new) {
        delete_route(p, id, r).await?;
    }
    for r in new.difference(&old) {
        create_route(p, id, r).await?;
    }
    sync_tags(p, id, attr(had, "tags_all"), attr(want, "tags_all")).await
}

/// `aws_route_table`.
pub struct AwsRouteTable;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsRouteTable {
    fn name(&self) -> &'static str {
        "aws_route_table"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &["propagating_vgws"]);
        let planned = &mut resp.planned_state;
        // No `route` keeps the table's routes (they may be `aws_route`s), as Terraform's
        // optional+computed `route` does; blocks cannot tell that apart from `route = []`.
        if matches!(attr(&config, "route"), Value::Null) || matches!(attr(&config, "route"), Value::List(xs) | Value::Set(xs) if xs.is_empty()) {
            let kept = prior.as_ref().map(|p| attr(p, "route").clone()).unwrap_or(Value::Unknown);
            set(planned, "route", kept);
        }
        // Unset fields are "" (also in routes whose target is known only after apply).
        if let Value::List(xs) | Value::Set(xs) = attr(planned, "route") {
            let filled = |r: &Value| Value::object(FIELDS.map(|f| (f, Some(attr(r, f)).filter(|v| !v.is_null()).cloned().unwrap_or(Value::string("")))));
            let canonical = Value::set(xs.iter().map(filled).collect());
            set(planned, "route", canonical);
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = p.ec2.describe_route_tables().route_table_ids(&id).send().await;
        match described(&prior, result, |o| o.route_tables().first(), &format!("route table {id}")) {
            Ok(t) => ReadResponse::found(fill(p, prior, &t)),
            Err(r) => r,
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let vpc = attr(&planned, "vpc_id").as_str().unwrap_or_default().to_string();
        let out = match p.ec2_write.create_route_table().vpc_id(&vpc).send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error(&format!("creating route table in {vpc}"), &e)),
        };
        let id = out.route_table().and_then(|t| t.route_table_id()).unwrap_or_default().to_string();
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        if let Err(d) = sync(p, &id, &Value::Null, &planned).await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = sync(p, &id, &prior, &planned).await;
        updated(prior, planned, result)
    }

    /// Disassociates the table from its subnets and gateways, then deletes it.
    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        if let Ok(out) = p.ec2.describe_route_tables().route_table_ids(&id).send().await {
            for a in out.route_tables().iter().flat_map(|t| t.associations()).filter(|a| a.main() != Some(true)) {
                if let Some(assoc) = a.route_table_association_id() {
                    if let Err(e) = p.ec2_write.disassociate_route_table().association_id(assoc).send().await {
                        return ApplyResponse::failed(Some(prior), aws_error(&format!("disassociating route table {id}"), &e));
                    }
                }
            }
        }
        let result = p.ec2_write.delete_route_table().route_table_id(&id).send().await;
        deleted(prior, result, &format!("route table {id}"))
    }
}

fn fill(p: &AwsProvider, mut state: Value, t: &RouteTable) -> Value {
    let id = t.route_table_id().unwrap_or_default().to_string();
    let owner = t.owner_id().unwrap_or_default().to_string();
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "vpc_id", t.vpc_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "route-table", &id));
    set(&mut state, "route", routes_value(&t.routes().iter().filter_map(from_route).collect()));
    let vgws = t.propagating_vgws().iter().filter_map(|g| g.gateway_id().map(Value::string)).collect();
    set(&mut state, "propagating_vgws", Value::set(vgws));
    set_tags(p, &mut state, &tag_map(t.tags()));
    state
}
