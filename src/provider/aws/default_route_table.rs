//! `aws_default_route_table`: adopts a VPC's main route table (`default_route_table_id`, which
//! replaces) instead of creating one. `route` (a set of routes, blocks or a list; each a
//! destination — `cidr_block`, `ipv6_cidr_block`, `destination_prefix_list_id` — and one
//! target), `propagating_vgws`, `tags`; computed `id`, `vpc_id`, `arn`, `owner_id`,
//! `tags_all`. Import by VPC id (its main route table is adopted).
//!
//! As in Terraform: adopting disables every route propagation and deletes every route the
//! table has (but the VPC's `local` route, propagated routes and VPC endpoint routes) before
//! adding the configured ones, so no `route` means no routes; afterwards `route` left out keeps
//! the table's routes (optional+computed, for `aws_route`). Unset route fields are `""`. The
//! targets are those Terraform allows in a main table (no carrier or local gateways). Destroy
//! only forgets the table. Not implemented: `region`, `timeouts`.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{Filter, Route, RouteOrigin, RouteTable};

use super::ec2::{arn, found, plan_common, read_from, set_tags, string_set, sync_tags, tag_map, unset_blocks, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, imported, map_value, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The fields of a route, in schema order.
const FIELDS: [&str; 12] = [
    "cidr_block",
    "core_network_arn",
    "destination_prefix_list_id",
    "egress_only_gateway_id",
    "gateway_id",
    "instance_id",
    "ipv6_cidr_block",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
];

pub fn schema() -> ResourceSchema {
    resource("aws_default_route_table")
        .implement(&["default_route_table_id", "route", "propagating_vgws", "vpc_id", "id", "arn", "owner_id"])
        .tags()
        .computed_only(&["id"])
        .force_new(&["default_route_table_id"])
        .build()
}

/// A route as its fields, `""` where unset.
type R = [String; 12];

fn routes(v: &Value) -> BTreeSet<R> {
    match attr(v, "route") {
        Value::List(xs) | Value::Set(xs) => xs.iter().map(|r| FIELDS.map(|f| text(r, f))).collect(),
        _ => BTreeSet::new(),
    }
}

fn routes_value(rs: &BTreeSet<R>) -> Value {
    Value::set(rs.iter().map(|r| Value::object(FIELDS.iter().zip(r).map(|(f, v)| (*f, Value::string(v))))).collect())
}

fn field(r: &R, name: &str) -> Option<String> {
    FIELDS.iter().position(|f| *f == name).map(|i| r[i].clone()).filter(|s| !s.is_empty())
}

/// Whether a route of AWS's is left alone: the VPC's `local` route, routes propagated from a
/// virtual private gateway, and VPC endpoint routes.
fn unmanaged(r: &Route) -> bool {
    let gateway = r.gateway_id().unwrap_or_default();
    gateway == "local"
        || r.origin() == Some(&RouteOrigin::EnableVgwRoutePropagation)
        || (r.destination_prefix_list_id().is_some() && gateway.starts_with("vpce-"))
}

/// AWS's route as Terraform's fields; `None` for the routes left alone.
fn from_route(r: &Route) -> Option<R> {
    if unmanaged(r) {
        return None;
    }
    let gateway = r.gateway_id().unwrap_or_default();
    let (gateway, endpoint) = if gateway.starts_with("vpce-") { ("", gateway) } else { (gateway, "") };
    let s = |x: Option<&str>| x.unwrap_or_default().to_string();
    Some([
        s(r.destination_cidr_block()),
        s(r.core_network_arn()),
        s(r.destination_prefix_list_id()),
        s(r.egress_only_internet_gateway_id()),
        gateway.to_string(),
        s(r.instance_id()),
        s(r.destination_ipv6_cidr_block()),
        s(r.nat_gateway_id()),
        s(r.network_interface_id()),
        s(r.transit_gateway_id()),
        endpoint.to_string(),
        s(r.vpc_peering_connection_id()),
    ])
}

async fn delete_route(p: &AwsProvider, id: &str, cidr: Option<String>, ipv6: Option<String>, prefix_list: Option<String>) -> Result<(), Diagnostics> {
    let result = p
        .ec2_write
        .delete_route()
        .route_table_id(id)
        .set_destination_cidr_block(cidr)
        .set_destination_ipv6_cidr_block(ipv6)
        .set_destination_prefix_list_id(prefix_list)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if super::ec2::is_not_found(&e) => Ok(()),
        Err(e) => Err(aws_error(&format!("deleting a route of route table {id}"), &e)),
    }
}

async fn create_route(p: &AwsProvider, id: &str, r: &R) -> Result<(), Diagnostics> {
    let f = |n: &str| field(r, n);
    p.ec2_write
        .create_route()
        .route_table_id(id)
        .set_destination_cidr_block(f("cidr_block"))
        .set_destination_ipv6_cidr_block(f("ipv6_cidr_block"))
        .set_destination_prefix_list_id(f("destination_prefix_list_id"))
        .set_core_network_arn(f("core_network_arn"))
        .set_egress_only_internet_gateway_id(f("egress_only_gateway_id"))
        .set_gateway_id(f("gateway_id"))
        .set_instance_id(f("instance_id"))
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

/// Makes the table's propagating gateways, routes and tags the planned ones, given what it had.
async fn sync(p: &AwsProvider, id: &str, had: &Value, want: &Value) -> Result<(), Diagnostics> {
    let (old_vgws, new_vgws) = (string_set(attr(had, "propagating_vgws")), string_set(attr(want, "propagating_vgws")));
    for g in old_vgws.difference(&new_vgws) {
        let r = p.ec2_write.disable_vgw_route_propagation().route_table_id(id).gateway_id(g).send().await;
        r.map_err(|e| aws_error(&format!("disabling propagation from {g} in route table {id}"), &e))?;
    }
    for g in new_vgws.difference(&old_vgws) {
        let r = p.ec2_write.enable_vgw_route_propagation().route_table_id(id).gateway_id(g).send().await;
        r.map_err(|e| aws_error(&format!("enabling propagation from {g} in route table {id}"), &e))?;
    }
    let (old, new) = (routes(had), routes(want));
    for r in old.difference(&new) {
        delete_route(p, id, field(r, "cidr_block"), field(r, "ipv6_cidr_block"), field(r, "destination_prefix_list_id")).await?;
    }
    for r in new.difference(&old) {
        create_route(p, id, r).await?;
    }
    sync_tags(p, id, attr(had, "tags_all"), attr(want, "tags_all")).await
}

async fn find(p: &AwsProvider, id: &str) -> Result<Option<RouteTable>, Diagnostics> {
    let result = p.ec2.describe_route_tables().route_table_ids(id).send().await;
    found(result, |o| o.route_tables().first(), &format!("route table {id}"))
}

fn fill(p: &AwsProvider, mut state: Value, t: &RouteTable) -> Value {
    let id = t.route_table_id().unwrap_or_default().to_string();
    let owner = t.owner_id().unwrap_or_default().to_string();
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "default_route_table_id", Value::string(&id));
    set(&mut state, "vpc_id", t.vpc_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "route-table", &id));
    set(&mut state, "route", routes_value(&t.routes().iter().filter_map(from_route).collect()));
    // `propagating_vgws` is not computed: none stays null where the configuration has none.
    let vgws: Vec<Value> = t.propagating_vgws().iter().filter_map(|g| g.gateway_id().map(Value::string)).collect();
    if !(vgws.is_empty() && attr(&state, "propagating_vgws").is_null()) {
        set(&mut state, "propagating_vgws", Value::set(vgws));
    }
    set_tags(p, &mut state, &tag_map(t.tags()));
    state
}

/// `aws_default_route_table`.
pub struct AwsDefaultRouteTable;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsDefaultRouteTable {
    fn name(&self) -> &'static str {
        "aws_default_route_table"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &[]);
        let planned = &mut resp.planned_state;
        if prior.is_none() {
            let id = attr(planned, "default_route_table_id").clone();
            set(planned, "id", id);
        }
        // Adopting with no routes leaves none; later, no `route` leaves the table's alone.
        if unset_blocks(&config, "route") {
            set(planned, "route", prior.as_ref().map(|p| attr(p, "route").clone()).unwrap_or(Value::set(vec![])));
        }
        if let Value::List(xs) | Value::Set(xs) = attr(planned, "route") {
            let filled = |r: &Value| Value::object(FIELDS.map(|f| (f, Some(attr(r, f)).filter(|v| !v.is_null()).cloned().unwrap_or(Value::string("")))));
            let canonical = Value::set(xs.iter().map(filled).collect());
            set(planned, "route", canonical);
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let lookup = find(p, &text(&prior, "id")).await;
        read_from(prior, lookup, |v, t| fill(p, v, t))
    }

    /// Adopts the table: its propagations and routes are removed, the configured ones added,
    /// and its tags become the configured ones.
    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&planned, "default_route_table_id");
        let table = match find(p, &id).await {
            Ok(Some(t)) => t,
            Ok(None) => return ApplyResponse::failed(None, error("Route table not found", format!("There is no route table with id \"{id}\"."))),
            Err(d) => return ApplyResponse::failed(None, d),
        };
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        let adopt = async {
            for r in table.routes().iter().filter(|r| !unmanaged(r)) {
                let s = |x: Option<&str>| x.map(str::to_string);
                delete_route(p, &id, s(r.destination_cidr_block()), s(r.destination_ipv6_cidr_block()), s(r.destination_prefix_list_id())).await?;
            }
            let vgws = table.propagating_vgws().iter().filter_map(|g| g.gateway_id().map(Value::string)).collect();
            let had = Value::object([("propagating_vgws", Value::set(vgws)), ("tags_all", map_value(tag_map(table.tags())))]);
            sync(p, &id, &had, &planned).await
        };
        if let Err(d) = adopt.await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let result = sync(p, &id, &prior, &planned).await;
        updated(prior, planned, result)
    }

    /// Forgets the table: a VPC's main route table cannot be deleted.
    async fn delete(&self, _p: &AwsProvider, _prior: Value) -> ApplyResponse {
        ApplyResponse::ok(None)
    }

    /// Imports the main route table of the VPC whose id is given.
    async fn import(&self, p: &AwsProvider, vpc: String, blank: Value) -> ImportResponse {
        let filters = vec![Filter::builder().name("vpc-id").values(&vpc).build(), Filter::builder().name("association.main").values("true").build()];
        let table = match p.ec2.describe_route_tables().set_filters(Some(filters)).send().await {
            Ok(o) => o.route_tables().first().and_then(|t| t.route_table_id()).map(str::to_string),
            Err(e) => return ImportResponse::failed(aws_error(&format!("reading the main route table of {vpc}"), &e)),
        };
        let Some(id) = table else {
            return ImportResponse::failed(error("Cannot import non-existent remote object", format!("VPC \"{vpc}\" has no main route table.")));
        };
        let mut state = blank;
        set(&mut state, "id", Value::string(&id));
        imported(self.read(p, state).await, || format!("There is no route table with id \"{id}\"."))
    }
}
