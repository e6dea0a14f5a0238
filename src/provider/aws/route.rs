//! `aws_route`: one route of a route table: `route_table_id` and one destination
//! (`destination_cidr_block`, `destination_ipv6_cidr_block` or `destination_prefix_list_id`),
//! all replacing, and one target (`gateway_id`, `nat_gateway_id`, ...), changed in place with
//! ReplaceRoute; computed `instance_id`, `instance_owner_id`, `origin`, `state`.
//!
//! The id is Terraform's: `r-<table id><CRC-32 of the destination>`; the import id is
//! `<table id>_<destination>`.

use aws_sdk_ec2::types::Route;

use super::ec2::is_not_found;
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{attr, imported, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const DESTINATIONS: [&str; 3] = ["destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"];
const TARGETS: [&str; 10] = [
    "carrier_gateway_id",
    "core_network_arn",
    "egress_only_gateway_id",
    "gateway_id",
    "local_gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
];

pub fn schema() -> ResourceSchema {
    resource("aws_route")
        .implement(&["route_table_id", "id", "instance_id", "instance_owner_id", "origin", "state"])
        .implement(&DESTINATIONS)
        .implement(&TARGETS)
        .force_new(&["route_table_id"])
        .force_new(&DESTINATIONS)
        .build()
}

/// The CRC-32 (IEEE) of `s`, as Terraform's `StringHashcode` computes it for route ids.
fn crc32(s: &str) -> u32 {
    let mut crc = !0u32;
    for b in s.bytes() {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn destination(v: &Value) -> Option<String> {
    DESTINATIONS.iter().find_map(|d| attr(v, d).as_str().filter(|s| !s.is_empty()).map(str::to_string))
}

fn route_id(table: &str, dest: &str) -> String {
    format!("r-{table}{}", crc32(dest))
}

fn matches(r: &Route, dest: &str) -> bool {
    [r.destination_cidr_block(), r.destination_ipv6_cidr_block(), r.destination_prefix_list_id()].contains(&Some(dest))
}

/// The configured target of a route, as the arguments of CreateRoute and ReplaceRoute take it.
macro_rules! targets {
    ($call:expr, $v:expr) => {{
        let f = |n: &str| attr($v, n).as_str().filter(|s| !s.is_empty()).map(str::to_string);
        $call
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
            .set_destination_cidr_block(f("destination_cidr_block"))
            .set_destination_ipv6_cidr_block(f("destination_ipv6_cidr_block"))
            .set_destination_prefix_list_id(f("destination_prefix_list_id"))
    }};
}

/// `aws_route`.
pub struct AwsRoute;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsRoute {
    fn name(&self) -> &'static str {
        "aws_route"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if DESTINATIONS.iter().all(|d| attr(&req.config, d).is_null()) {
            return PlanResponse::failed(
                Diagnostic::error(
                    "Missing route destination",
                    "One of destination_cidr_block, destination_ipv6_cidr_block or destination_prefix_list_id must be set.",
                )
                .into(),
            );
        }
        if req.prior_state.is_none() {
            set(&mut planned, "id", Value::Unknown);
            if attr(&req.config, "network_interface_id").is_null() {
                set(&mut planned, "network_interface_id", Value::Unknown);
            }
        }
        PlanResponse::planned(planned)
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let table = attr(&prior, "route_table_id").as_str().unwrap_or_default().to_string();
        let Some(dest) = destination(&prior) else { return ReadResponse::gone() };
        let route = match p.ec2.describe_route_tables().route_table_ids(&table).send().await {
            Ok(o) => o.route_tables().iter().flat_map(|t| t.routes()).find(|r| matches(r, &dest)).cloned(),
            Err(e) if is_not_found(&e) => None,
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading route {dest} of {table}"), &e)),
        };
        match route {
            Some(r) => ReadResponse::found(fill(prior, &table, &dest, &r)),
            None => ReadResponse::gone(),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let table = attr(&planned, "route_table_id").as_str().unwrap_or_default().to_string();
        let dest = destination(&planned).unwrap_or_default();
        if let Err(e) = targets!(p.ec2_write.create_route().route_table_id(&table), &planned).send().await {
            return ApplyResponse::failed(None, aws_error(&format!("creating route {dest} in {table}"), &e));
        }
        let mut state = planned;
        set(&mut state, "id", Value::String(route_id(&table, &dest)));
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let table = attr(&prior, "route_table_id").as_str().unwrap_or_default().to_string();
        if let Err(e) = targets!(p.ec2_write.replace_route().route_table_id(&table), &planned).send().await {
            return ApplyResponse::failed(Some(prior), aws_error(&format!("replacing route in {table}"), &e));
        }
        let r = self.read(p, planned.clone()).await;
        ApplyResponse::read_back(r, planned)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let table = attr(&prior, "route_table_id").as_str().unwrap_or_default().to_string();
        let f = |n: &str| attr(&prior, n).as_str().filter(|s| !s.is_empty()).map(str::to_string);
        let result = p
            .ec2_write
            .delete_route()
            .route_table_id(&table)
            .set_destination_cidr_block(f("destination_cidr_block"))
            .set_destination_ipv6_cidr_block(f("destination_ipv6_cidr_block"))
            .set_destination_prefix_list_id(f("destination_prefix_list_id"))
            .send()
            .await;
        super::ec2::deleted(prior.clone(), result, &format!("route {} of {table}", destination(&prior).unwrap_or_default()))
    }

    /// `rtb-..._0.0.0.0/0`, `rtb-..._::/0` or `rtb-..._pl-...`.
    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let Some((table, dest)) = id.split_once('_') else {
            return ImportResponse::failed(Diagnostic::error("Invalid import id", format!("Expected ROUTETABLEID_DESTINATION, got \"{id}\".")).into());
        };
        let field = if dest.starts_with("pl-") {
            "destination_prefix_list_id"
        } else if dest.contains(':') {
            "destination_ipv6_cidr_block"
        } else {
            "destination_cidr_block"
        };
        let mut state = blank;
        set(&mut state, "route_table_id", Value::string(table));
        set(&mut state, field, Value::string(dest));
        set(&mut state, "id", Value::String(route_id(table, dest)));
        imported(self.read(p, state).await, || format!("There is no route {dest} in route table {table}."))
    }
}

fn fill(mut state: Value, table: &str, dest: &str, r: &Route) -> Value {
    let gateway = r.gateway_id().filter(|g| !g.starts_with("vpce-"));
    let endpoint = r.gateway_id().filter(|g| g.starts_with("vpce-"));
    let found = [
        ("carrier_gateway_id", r.carrier_gateway_id()),
        ("core_network_arn", r.core_network_arn()),
        ("egress_only_gateway_id", r.egress_only_internet_gateway_id()),
        ("gateway_id", gateway),
        ("local_gateway_id", r.local_gateway_id()),
        ("nat_gateway_id", r.nat_gateway_id()),
        ("network_interface_id", r.network_interface_id()),
        ("transit_gateway_id", r.transit_gateway_id()),
        ("vpc_endpoint_id", endpoint),
        ("vpc_peering_connection_id", r.vpc_peering_connection_id()),
        ("instance_id", r.instance_id()),
        ("instance_owner_id", r.instance_owner_id()),
        ("origin", r.origin().map(|o| o.as_str())),
        ("state", r.state().map(|s| s.as_str())),
    ];
    for (name, v) in found {
        set(&mut state, name, v.filter(|s| !s.is_empty()).map(Value::string).unwrap_or(Value::Null));
    }
    set(&mut state, "id", Value::String(route_id(table, dest)));
    state
}

#[cfg(test)]
mod tests {
    #[test]
    fn route_ids_are_terraforms() {
        assert_eq!(super::route_id("rtb-1", "0.0.0.0/0"), "r-rtb-11080289494");
    }
}
