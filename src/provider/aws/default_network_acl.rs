//! `aws_default_network_acl`: adopts a VPC's default network ACL (`default_network_acl_id`,
//! which replaces) instead of creating one. `ingress` and `egress` blocks (as in
//! `aws_network_acl`), `subnet_ids`, `tags`; computed `id`, `vpc_id`, `arn`, `owner_id`,
//! `tags_all`. Import by ACL id.
//!
//! As in Terraform: adopting removes every rule the ACL has that the configuration does not
//! list (AWS's allow-all rules included; the deny-all rules 32767 and 32768 stay), so no blocks
//! means no rules; `subnet_ids` is not computed, so a subnet left on the default ACL but not
//! listed is a change on every plan (a subnet cannot leave the default ACL except to another
//! ACL); destroy only forgets the ACL (it keeps its rules and subnets). Not implemented:
//! `region`.

use super::ec2::{plan_common, updated};
use super::network_acl::{self, find, plan_rules, remote_entries, sync, sync_entries};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, error, imported, map_value, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_default_network_acl")
        .implement(&["default_network_acl_id", "ingress", "egress", "subnet_ids", "vpc_id", "id", "arn", "owner_id"])
        .tags()
        .computed_only(&["id"])
        .force_new(&["default_network_acl_id"])
        .build()
}

/// Reads the ACL, with `default_network_acl_id` (its id); no subnets is null `subnet_ids`
/// where the configuration left it unset (the argument is not computed).
async fn read(p: &AwsProvider, prior: Value) -> ReadResponse {
    let unset = attr(&prior, "subnet_ids").is_null();
    let mut r = network_acl::read(p, prior).await;
    if let Some(s) = r.new_state.as_mut() {
        let id = attr(s, "id").clone();
        set(s, "default_network_acl_id", id);
        if unset && matches!(attr(s, "subnet_ids"), Value::Set(xs) | Value::List(xs) if xs.is_empty()) {
            set(s, "subnet_ids", Value::Null);
        }
    }
    r
}

/// `aws_default_network_acl`.
pub struct AwsDefaultNetworkAcl;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsDefaultNetworkAcl {
    fn name(&self) -> &'static str {
        "aws_default_network_acl"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &[]);
        if prior.is_none() {
            let id = attr(&resp.planned_state, "default_network_acl_id").clone();
            set(&mut resp.planned_state, "id", id);
        }
        match plan_rules(&mut resp.planned_state, &config, prior.as_ref(), false) {
            Ok(()) => resp,
            Err(d) => PlanResponse::failed(d),
        }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        read(p, prior).await
    }

    /// Adopts the ACL: its rules become the configured ones, the listed subnets move to it,
    /// and its tags become the configured ones.
    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&planned, "default_network_acl_id");
        let acl = match find(p, &id).await {
            Ok(Some(acl)) if acl.is_default() == Some(true) => acl,
            Ok(Some(_)) => {
                return ApplyResponse::failed(
                    None,
                    error("Not a default network ACL", format!("{id} is not a VPC's default network ACL: use the aws_network_acl resource instead.")),
                )
            }
            Ok(None) => return ApplyResponse::failed(None, error("Network ACL not found", format!("There is no network ACL with id \"{id}\"."))),
            Err(d) => return ApplyResponse::failed(None, d),
        };
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "vpc_id", acl.vpc_id().map(Value::string).unwrap_or(Value::Null));
        let (ingress, egress) = remote_entries(&acl);
        let adopt = async {
            // The rules it has now (AWS's allow-all rules) go; the configured ones come.
            sync_entries(p, &id, false, &ingress, &network_acl::entries(&planned, "ingress")?).await?;
            sync_entries(p, &id, true, &egress, &network_acl::entries(&planned, "egress")?).await?;
            let mut had = planned.clone();
            for block in ["ingress", "egress"] {
                let same = attr(&planned, block).clone();
                set(&mut had, block, same);
            }
            let subnets = acl.associations().iter().filter_map(|a| a.subnet_id().map(Value::string)).collect();
            set(&mut had, "subnet_ids", Value::set(subnets));
            set(&mut had, "tags_all", map_value(super::ec2::tag_map(acl.tags())));
            sync(p, &id, &had, &planned, false).await
        };
        if let Err(d) = adopt.await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let result = sync(p, &id, &prior, &planned, false).await;
        updated(prior, planned, result)
    }

    /// Forgets the ACL: a VPC's default ACL cannot be deleted.
    async fn delete(&self, _p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let warning: Diagnostics =
            Diagnostic::warning("Default network ACL not deleted", format!("EC2 Default Network ACL ({id}) not deleted, removing from state.")).into();
        ApplyResponse { new_state: None, diagnostics: warning }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let mut state = blank;
        set(&mut state, "id", Value::string(&id));
        imported(read(p, state).await, || format!("There is no network ACL with id \"{id}\"."))
    }
}
