//! `aws_route_table_association`: associates a route table with a subnet (`subnet_id`) or a
//! gateway (`gateway_id`), both replacing; a new `route_table_id` moves the association in
//! place (ReplaceRouteTableAssociation, which gives it a new id). The id is the association's
//! (`rtbassoc-...`); the import id is `<subnet or gateway id>/<route table id>`.

use aws_sdk_ec2::types::{Filter, RouteTableAssociation};

use super::ec2::{deleted, is_not_found};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_route_table_association").implement(&["subnet_id", "gateway_id", "route_table_id", "id"]).force_new(&["subnet_id", "gateway_id"]).build()
}

fn s(v: &Value, name: &str) -> Option<String> {
    attr(v, name).as_str().filter(|x| !x.is_empty()).map(str::to_string)
}

/// The associations of the route tables matching `filter` (`name`, `value`).
async fn associations(p: &AwsProvider, name: &str, value: &str) -> Result<Vec<RouteTableAssociation>, Diagnostics> {
    let filter = Filter::builder().name(name).values(value).build();
    match p.ec2.describe_route_tables().filters(filter).send().await {
        Ok(o) => Ok(o.route_tables().iter().flat_map(|t| t.associations()).cloned().collect()),
        Err(e) if is_not_found(&e) => Ok(Vec::new()),
        Err(e) => Err(aws_error(&format!("reading route table association {value}"), &e)),
    }
}

fn fill(mut state: Value, a: &RouteTableAssociation) -> Value {
    set(&mut state, "id", a.route_table_association_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "route_table_id", a.route_table_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "subnet_id", a.subnet_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "gateway_id", a.gateway_id().map(Value::string).unwrap_or(Value::Null));
    state
}

/// `aws_route_table_association`.
pub struct AwsRouteTableAssociation;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsRouteTableAssociation {
    fn name(&self) -> &'static str {
        "aws_route_table_association"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let set_count = ["subnet_id", "gateway_id"].iter().filter(|n| !attr(&req.config, n).is_null()).count();
        if set_count != 1 {
            return PlanResponse::failed(Diagnostic::error("Invalid combination of arguments", "Exactly one of subnet_id or gateway_id must be set.").into());
        }
        let mut planned = req.proposed_new_state;
        if req.prior_state.is_none() {
            set(&mut planned, "id", Value::Unknown);
        } else if req.prior_state.as_ref().map(|p| attr(p, "route_table_id")) != Some(attr(&planned, "route_table_id")) {
            // Moving to another table replaces the association's id.
            set(&mut planned, "id", Value::Unknown);
        }
        PlanResponse::planned(planned)
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = s(&prior, "id").unwrap_or_default();
        match associations(p, "association.route-table-association-id", &id).await {
            Ok(found) => match found.iter().find(|a| a.route_table_association_id() == Some(id.as_str())) {
                Some(a) => ReadResponse::found(fill(prior, a)),
                None => ReadResponse::gone(),
            },
            Err(d) => ReadResponse::failed(prior, d),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let table = s(&planned, "route_table_id").unwrap_or_default();
        let call = p.ec2_write.associate_route_table().route_table_id(&table).set_subnet_id(s(&planned, "subnet_id")).set_gateway_id(s(&planned, "gateway_id"));
        match call.send().await {
            Ok(o) => {
                let mut state = planned;
                set(&mut state, "id", o.association_id().map(Value::string).unwrap_or(Value::Null));
                ApplyResponse::ok(Some(state))
            }
            Err(e) => ApplyResponse::failed(None, aws_error(&format!("associating route table {table}"), &e)),
        }
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let (id, table) = (s(&prior, "id").unwrap_or_default(), s(&planned, "route_table_id").unwrap_or_default());
        match p.ec2_write.replace_route_table_association().association_id(&id).route_table_id(&table).send().await {
            Ok(o) => {
                let mut state = planned;
                set(&mut state, "id", o.new_association_id().map(Value::string).unwrap_or(Value::string(&id)));
                ApplyResponse::ok(Some(state))
            }
            Err(e) => ApplyResponse::failed(Some(prior), aws_error(&format!("moving route table association {id} to {table}"), &e)),
        }
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = s(&prior, "id").unwrap_or_default();
        let result = p.ec2_write.disassociate_route_table().association_id(&id).send().await;
        deleted(prior, result, &format!("route table association {id}"))
    }

    /// `subnet-.../rtb-...` or `igw-.../rtb-...`.
    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let Some((target, table)) = id.split_once('/') else {
            return ImportResponse::failed(
                Diagnostic::error("Invalid import id", format!("Expected SUBNET_OR_GATEWAY_ID/ROUTE_TABLE_ID, got \"{id}\".")).into(),
            );
        };
        let found = match associations(p, "route-table-id", table).await {
            Ok(f) => f,
            Err(d) => return ImportResponse::failed(d),
        };
        let a = found.iter().find(|a| a.route_table_id() == Some(table) && (a.subnet_id() == Some(target) || a.gateway_id() == Some(target)));
        let r = match a {
            Some(a) => ReadResponse::found(fill(blank, a)),
            None => ReadResponse::gone(),
        };
        imported(r, || format!("Route table {table} is not associated with {target}."))
    }
}
