//! `aws_iam_role_policy_attachment`: attaches the managed policy `policy_arn` to `role`; both
//! force replacement. As in the provider, `id` is a unique id from the role name
//! (`<role>-<timestamp><counter>`) after a create and `<role>-<policy_arn>` after an import,
//! whose id is `<role>/<policy_arn>`.

use async_trait::async_trait;

use super::errors::aws_error;
use super::iam_common::{gone, unique_name};
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_iam_role_policy_attachment").implement(&["id", "policy_arn", "role"]).force_new(&["policy_arn", "role"]).build()
}

/// `aws_iam_role_policy_attachment`.
pub struct IamRolePolicyAttachment;

#[async_trait]
impl ResourceType<AwsProvider> for IamRolePolicyAttachment {
    fn name(&self) -> &'static str {
        "aws_iam_role_policy_attachment"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if req.prior_state.is_none() {
            set(&mut planned, "id", Value::Unknown);
        }
        PlanResponse::planned(planned)
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let (role, arn) = (text(&prior, "role"), text(&prior, "policy_arn"));
        let pages = p.iam.list_attached_role_policies().role_name(&role).into_paginator().items().send();
        match pages.try_collect().await {
            Ok(found) if found.iter().any(|a| a.policy_arn() == Some(arn.as_str())) => ReadResponse::found(prior),
            Ok(_) => ReadResponse::gone(),
            Err(e) if gone(&e) => ReadResponse::gone(),
            Err(e) => ReadResponse::failed(prior, aws_error(&format!("reading IAM role policy attachment {role}:{arn}"), &e)),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let (role, arn) = (text(&planned, "role"), text(&planned, "policy_arn"));
        if let Err(e) = p.iam_write.attach_role_policy().role_name(&role).policy_arn(&arn).send().await {
            return ApplyResponse::failed(None, aws_error(&format!("attaching policy {arn} to IAM role {role}"), &e));
        }
        let mut state = planned;
        set(&mut state, "id", Value::String(unique_name(&format!("{role}-"))));
        ApplyResponse::ok(Some(state))
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let (role, arn) = (text(&prior, "role"), text(&prior, "policy_arn"));
        match p.iam_write.detach_role_policy().role_name(&role).policy_arn(&arn).send().await {
            Err(e) if !gone(&e) => ApplyResponse::failed(Some(prior), aws_error(&format!("removing policy {arn} from IAM role {role}"), &e)),
            _ => ApplyResponse::ok(None),
        }
    }

    /// `<role>/<policy_arn>`.
    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let Some((role, arn)) = id.split_once('/').filter(|(r, a)| !r.is_empty() && !a.is_empty()) else {
            let why = format!("unexpected format of ID ({id:?}), expected <role-name>/<policy_arn>");
            return ImportResponse::failed(Diagnostic::error("Invalid import ID", why).into());
        };
        let mut state = blank;
        set(&mut state, "role", Value::string(role));
        set(&mut state, "policy_arn", Value::string(arn));
        set(&mut state, "id", Value::String(format!("{role}-{arn}")));
        crate::provider::helpers::imported(self.read(p, state).await, || format!("Policy {arn} is not attached to IAM role {role}."))
    }
}
