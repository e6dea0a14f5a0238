//! `aws_db_subnet_group`: an RDS DB subnet group. `name` (or one generated from `name_prefix`,
//! else from `terraform-`; lower case) replaces it; in place: `description` ("Managed by
//! Terraform"), `subnet_ids`, `tags`; computed `arn`, `vpc_id`, `supported_network_types`,
//! `tags_all`, and the `id` (the name, also the import id).
//!
//! Also the RDS helpers `aws_db_instance` shares: the not-found codes ([`gone`]), tags by ARN
//! ([`list_tags`], [`sync_tags`], [`tag_params`]). RDS speaks the Query protocol
//! ([`super::query_api`], service [`RDS`]).
//!
//! moto 5.2.5 drops a group from its table on `ModifyDBSubnetGroup`, so the lifecycle case
//! changes tags in place and leaves `description`/`subnet_ids` updates to AWS.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::iam_common::{name_prefix_of, resource_name};
use super::json_api::{provider_defaults, read_back, tag_changes, updated, ApiError};
use super::query_api::{Params, Xml, RDS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_db_subnet_group")
        .implement(&["arn", "description", "id", "name", "name_prefix", "subnet_ids", "supported_network_types", "vpc_id"])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["description"])
        .force_new(&["name", "name_prefix"])
        .build()
}

/// `aws_db_subnet_group`.
pub struct DbSubnetGroup;

/// Whether RDS says the object does not exist.
pub(super) fn gone(e: &ApiError) -> bool {
    matches!(e.code.as_str(), "DBSubnetGroupNotFoundFault" | "DBInstanceNotFound" | "DBInstanceNotFoundFault" | "DBSubnetGroupNotFound")
}

/// The tags of an RDS object by ARN (without `aws:` ones).
pub(super) async fn list_tags(p: &AwsProvider, arn: &str) -> Result<BTreeMap<String, String>, ApiError> {
    let x = p.query.call(&RDS, "ListTagsForResource", Params::new().add("ResourceName", arn)).await?;
    let tags = x
        .find("TagList")
        .map(|l| l.all("Tag").map(|t| (t.text_of("Key").unwrap_or_default(), t.text_of("Value").unwrap_or_default())).collect::<BTreeMap<_, _>>());
    Ok(tags.unwrap_or_default().into_iter().filter(|(k, _)| !k.starts_with("aws:")).collect())
}

/// `Tags.Tag.N.Key` / `Tags.Tag.N.Value` for the tags in `tags_all`.
pub(super) fn tag_params(mut params: Params, tags_all: &Value) -> Params {
    if let Some(m) = tags_all.as_map() {
        for (i, (k, v)) in m.iter().enumerate() {
            params = params.add(&format!("Tags.Tag.{}.Key", i + 1), k).add(&format!("Tags.Tag.{}.Value", i + 1), v.as_str().unwrap_or_default());
        }
    }
    params
}

/// Takes an RDS object's tags from `had` to `want` (`tags_all` values).
pub(super) async fn sync_tags(p: &AwsProvider, arn: &str, had: &Value, want: &Value) -> Result<(), ApiError> {
    let (stale, new) = tag_changes(had, want);
    if !stale.is_empty() {
        p.query.call(&RDS, "RemoveTagsFromResource", Params::new().add("ResourceName", arn).list("TagKeys", &stale)).await?;
    }
    if !new.is_empty() {
        let tags = Value::Map(std::sync::Arc::new(new.into_iter().map(|(k, v)| (k, Value::String(v))).collect()));
        p.query.call(&RDS, "AddTagsToResource", tag_params(Params::new().add("ResourceName", arn), &tags)).await?;
    }
    Ok(())
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Set(items) | Value::List(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// `SubnetIds.SubnetIdentifier.N`.
fn subnet_params(mut params: Params, planned: &Value) -> Params {
    for (i, s) in strings(attr(planned, "subnet_ids")).iter().enumerate() {
        params = params.add(&format!("SubnetIds.SubnetIdentifier.{}", i + 1), s);
    }
    params
}

fn check(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let valid = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || " .-_".contains(c));
    if let Some(n) = attr(config, "name").as_str() {
        if !valid(n) {
            d.push(
                Diagnostic::error("Invalid value", "only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed in \"name\"")
                    .for_attribute("name"),
            );
        }
        if n.len() > 255 {
            d.push(Diagnostic::error("Invalid value", "\"name\" cannot be longer than 255 characters").for_attribute("name"));
        }
        if n == "default" {
            d.push(Diagnostic::error("Invalid value", "\"name\" is not allowed as \"default\"").for_attribute("name"));
        }
    }
    if let Some(n) = attr(config, "name_prefix").as_str() {
        if !valid(n) {
            d.push(
                Diagnostic::error(
                    "Invalid value",
                    "only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed in \"name_prefix\"",
                )
                .for_attribute("name_prefix"),
            );
        }
        if n.len() > 229 {
            d.push(Diagnostic::error("Invalid value", "\"name_prefix\" cannot be longer than 229 characters").for_attribute("name_prefix"));
        }
    }
    if !attr(config, "name").is_null() && !attr(config, "name_prefix").is_null() {
        d.push(Diagnostic::error("Conflicting configuration arguments", "\"name\": conflicts with name_prefix").for_attribute("name"));
    }
    d
}

/// The group's `DescribeDBSubnetGroups` entry.
async fn find(p: &AwsProvider, name: &str) -> Result<Option<Xml>, ApiError> {
    match p.query.call(&RDS, "DescribeDBSubnetGroups", Params::new().add("DBSubnetGroupName", name)).await {
        Ok(x) => Ok(x.find("DBSubnetGroups").and_then(|g| g.all("DBSubnetGroup").find(|g| g.text_of("DBSubnetGroupName").as_deref() == Some(name)).cloned())),
        Err(e) if gone(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl ResourceType<AwsProvider> for DbSubnetGroup {
    fn name(&self) -> &'static str {
        "aws_db_subnet_group"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, creating) = (req.config.clone(), req.prior_state.is_none());
        let mut resp = plan_common(p, req, &[]);
        let planned = &mut resp.planned_state;
        provider_defaults(planned, &config, &[("description", Value::string("Managed by Terraform"))]);
        if creating {
            if attr(&config, "name").is_null() {
                set(planned, "name", Value::Unknown);
            }
            if attr(&config, "name_prefix").is_null() {
                set(planned, "name_prefix", if attr(&config, "name").is_null() { Value::Unknown } else { Value::Null });
            }
        }
        resp.diagnostics.extend(check(&config));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let g = match find(p, &name).await {
            Ok(Some(g)) => g,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading RDS DB subnet group {name}"))),
        };
        let arn = g.text_of("DBSubnetGroupArn").unwrap_or_default();
        let tags = match list_tags(p, &arn).await {
            Ok(t) => t,
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("listing the tags of RDS DB subnet group {name}"))),
        };
        let mut s = prior;
        set(&mut s, "id", Value::string(&name));
        set(&mut s, "name", Value::string(&name));
        set(&mut s, "name_prefix", name_prefix_of(&name));
        set(&mut s, "arn", Value::string(&arn));
        set(&mut s, "description", Value::string(g.text_of("DBSubnetGroupDescription").unwrap_or_default()));
        set(&mut s, "vpc_id", Value::string(g.text_of("VpcId").unwrap_or_default()));
        let subnets: Vec<Value> =
            g.find("Subnets").map(|l| l.all("Subnet").filter_map(|s| s.text_of("SubnetIdentifier")).map(Value::String).collect()).unwrap_or_default();
        set(&mut s, "subnet_ids", Value::set(subnets));
        let types: Vec<Value> = g.members("SupportedNetworkTypes").into_iter().map(|m| Value::string(&m.text)).collect();
        set(&mut s, "supported_network_types", Value::set(types));
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = resource_name(&planned);
        let params = Params::new().add("DBSubnetGroupName", &name).add("DBSubnetGroupDescription", text(&planned, "description"));
        let params = tag_params(subnet_params(params, &planned), attr(&planned, "tags_all"));
        if let Err(e) = p.query.write(&RDS, "CreateDBSubnetGroup", params).await {
            return ApplyResponse::failed(None, e.diagnostics(&format!("creating RDS DB subnet group {name}")));
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        set(&mut state, "name", Value::string(&name));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let result: Result<(), Diagnostics> = async {
            if attr(&prior, "description") != attr(&planned, "description") || attr(&prior, "subnet_ids") != attr(&planned, "subnet_ids") {
                let params = Params::new().add("DBSubnetGroupName", &name).add("DBSubnetGroupDescription", text(&planned, "description"));
                p.query
                    .call(&RDS, "ModifyDBSubnetGroup", subnet_params(params, &planned))
                    .await
                    .map_err(|e| e.diagnostics(&format!("updating RDS DB subnet group {name}")))?;
            }
            sync_tags(p, &text(&prior, "arn"), attr(&prior, "tags_all"), attr(&planned, "tags_all"))
                .await
                .map_err(|e| e.diagnostics(&format!("updating the tags of RDS DB subnet group {name}")))
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "id");
        match p.query.write(&RDS, "DeleteDBSubnetGroup", Params::new().add("DBSubnetGroupName", &name)).await {
            Err(e) if !gone(&e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting RDS DB subnet group {name}"))),
            _ => ApplyResponse::ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_lists_encoded() {
        assert!(check(&Value::object([("name", Value::string("Main"))])).has_errors(), "upper case is refused");
        assert!(check(&Value::object([("name", Value::string("default"))])).has_errors());
        assert!(!check(&Value::object([("name", Value::string("main db_1.a"))])).has_errors());
        let planned = Value::object([("subnet_ids", Value::set(vec![Value::string("subnet-1"), Value::string("subnet-2")]))]);
        let p = tag_params(subnet_params(Params::new(), &planned), &Value::object([("env", Value::string("dev"))]));
        let keys: Vec<&str> = p.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["SubnetIds.SubnetIdentifier.1", "SubnetIds.SubnetIdentifier.2", "Tags.Tag.1.Key", "Tags.Tag.1.Value"]);
    }
}
