//! `aws_iam_role_policy` (an inline policy of a role): `role`, `name`/`name_prefix`, `policy`;
//! `id` is `role:name` (also the import id). A new role, name or prefix replaces it; a new
//! document is put in place; an equivalent document is no change.

use async_trait::async_trait;

use super::errors::aws_error;
use super::iam_common::{gone, name_prefix_of, plan_name, plan_policy, resource_name};
use super::iam_policy_json::{normalize, policy_to_set, url_decoded};
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_iam_role_policy").implement(&["id", "name", "name_prefix", "policy", "role"]).force_new(&["name", "name_prefix", "role"]).build()
}

/// `aws_iam_role_policy`.
pub struct IamRolePolicy;

async fn put(p: &AwsProvider, role: &str, name: &str, planned: &Value) -> Result<(), crate::diag::Diagnostics> {
    let doc = normalize(&text(planned, "policy")).unwrap_or_default();
    let call = p.iam_write.put_role_policy().role_name(role).policy_name(name).policy_document(doc);
    call.send().await.map_err(|e| aws_error(&format!("putting IAM role policy {name} of role {role}"), &e))?;
    Ok(())
}

#[async_trait]
impl ResourceType<AwsProvider> for IamRolePolicy {
    fn name(&self) -> &'static str {
        "aws_iam_role_policy"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let creating = req.prior_state.is_none();
        let mut planned = req.proposed_new_state;
        let mut diagnostics = plan_name(&mut planned, &req.config, creating, 128);
        diagnostics.extend(plan_policy(&mut planned, req.prior_state.as_ref(), "policy", true));
        PlanResponse { planned_state: planned, requires_replace: Vec::new(), diagnostics }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        let Some((role, name)) = id.split_once(':') else {
            let why = format!("unexpected format of ID ({id:?}), expected <role-name>:<policy-name>");
            return ReadResponse::failed(prior, Diagnostic::error("Invalid ID", why).into());
        };
        let doc = match p.iam.get_role_policy().role_name(role).policy_name(name).send().await {
            Ok(o) => o.policy_document,
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading IAM role policy {id}"), &e)),
        };
        let mut s = prior.clone();
        let doc = policy_to_set(attr(&prior, "policy").as_str().unwrap_or_default(), &url_decoded(&doc));
        set(&mut s, "policy", Value::String(doc));
        set(&mut s, "role", Value::string(role));
        set(&mut s, "name", Value::string(name));
        set(&mut s, "name_prefix", name_prefix_of(name));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let (role, name) = (text(&planned, "role"), resource_name(&planned));
        if let Err(d) = put(p, &role, &name, &planned).await {
            return ApplyResponse::failed(None, d);
        }
        let mut state = planned;
        set(&mut state, "id", Value::String(format!("{role}:{name}")));
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        if let Err(d) = put(p, &text(&prior, "role"), &text(&prior, "name"), &planned).await {
            return ApplyResponse::failed(Some(prior), d);
        }
        let r = self.read(p, planned.clone()).await;
        ApplyResponse::read_back(r, planned)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let (role, name) = (text(&prior, "role"), text(&prior, "name"));
        match p.iam_write.delete_role_policy().role_name(&role).policy_name(&name).send().await {
            Err(e) if !gone(&e) => ApplyResponse::failed(Some(prior), aws_error(&format!("deleting IAM role policy {role}:{name}"), &e)),
            _ => ApplyResponse::ok(None),
        }
    }
}
