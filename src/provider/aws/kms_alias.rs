//! `aws_kms_alias`: `name` (or a name generated from `name_prefix`, else from `alias/`), both
//! starting with `alias/` and replacing; `target_key_id` (a key id or ARN) in place; computed
//! `arn`, `target_key_arn`, `id` (the name). Import by alias name.

use async_trait::async_trait;
use serde_json::json;

use super::iam_common::{name_prefix_of, unique_name};
use super::json_api::{read_back, text as jtext, updated, KMS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_kms_alias")
        .implement(&["arn", "id", "name", "name_prefix", "target_key_arn", "target_key_id"])
        .computed_only(&["id"])
        .force_new(&["name", "name_prefix"])
        .build()
}

/// `aws_kms_alias`.
pub struct KmsAlias;

fn check(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    for arg in ["name", "name_prefix"] {
        if let Some(v) = attr(config, arg).as_str() {
            let rest = v.strip_prefix("alias/");
            let ok = rest.is_some_and(|r| !r.starts_with("aws/") && r.chars().all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c)));
            if !ok || v.len() > 256 {
                let why = format!("\"{arg}\" must begin with 'alias/', not with 'alias/aws/', and be letters, digits, /, _ and - (got {v:?}).");
                d.push(Diagnostic::error("Invalid value", why).for_attribute(arg));
            }
        }
    }
    d
}

/// The alias's entry in `ListAliases` (KMS has no call to describe one alias).
async fn find(p: &AwsProvider, name: &str) -> Result<Option<serde_json::Value>, super::json_api::ApiError> {
    let mut marker: Option<String> = None;
    loop {
        let mut body = json!({ "Limit": 100 });
        if let Some(m) = &marker {
            body["Marker"] = json!(m);
        }
        let page = p.json.call(&KMS, "ListAliases", body).await?;
        let aliases = page.get("Aliases").and_then(|a| a.as_array()).cloned().unwrap_or_default();
        if let Some(a) = aliases.into_iter().find(|a| jtext(a, "AliasName") == name) {
            return Ok(Some(a));
        }
        match page.get("NextMarker").and_then(|m| m.as_str()) {
            Some(m) if page.get("Truncated").and_then(|t| t.as_bool()).unwrap_or(false) => marker = Some(m.to_string()),
            _ => return Ok(None),
        }
    }
}

#[async_trait]
impl ResourceType<AwsProvider> for KmsAlias {
    fn name(&self) -> &'static str {
        "aws_kms_alias"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let d = check(&req.config);
        if req.prior_state.is_none() {
            match attr(&req.config, "name").as_str() {
                Some(n) => set(&mut planned, "id", Value::string(n)),
                None => {
                    set(&mut planned, "name", Value::Unknown);
                    set(&mut planned, "id", Value::Unknown);
                }
            }
            if attr(&req.config, "name_prefix").is_null() {
                set(&mut planned, "name_prefix", if attr(&req.config, "name").is_null() { Value::Unknown } else { Value::Null });
            }
        }
        if let Some(prior) = &req.prior_state {
            // The ARN of the key follows the key id: unknown when the id changes.
            if attr(prior, "target_key_id") != attr(&planned, "target_key_id") {
                set(&mut planned, "target_key_arn", Value::Unknown);
            }
        }
        PlanResponse { planned_state: planned, requires_replace: vec![], diagnostics: d }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let alias = match find(p, &name).await {
            Ok(Some(a)) => a,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading KMS alias {name}"))),
        };
        let target = jtext(&alias, "TargetKeyId");
        let key_arn = match p.json.call(&KMS, "DescribeKey", json!({ "KeyId": target })).await {
            Ok(o) => o.get("KeyMetadata").map(|m| jtext(m, "Arn")).unwrap_or_default(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading the target key of KMS alias {name}"))),
        };
        let mut s = prior;
        set(&mut s, "id", Value::string(&name));
        set(&mut s, "name", Value::string(&name));
        if attr(&s, "name_prefix").as_str().is_none() {
            set(&mut s, "name_prefix", name_prefix_of(&name));
        }
        set(&mut s, "arn", Value::string(jtext(&alias, "AliasArn")));
        set(&mut s, "target_key_arn", Value::string(&key_arn));
        // The configured form (id or ARN) is kept when it names the same key.
        let configured = text(&s, "target_key_id");
        if configured != target && configured != key_arn {
            set(&mut s, "target_key_id", Value::string(&target));
        }
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = match (attr(&planned, "name").as_str(), attr(&planned, "name_prefix").as_str()) {
            (Some(n), _) => n.to_string(),
            (None, Some(prefix)) => unique_name(prefix),
            (None, None) => unique_name("alias/"),
        };
        let body = json!({ "AliasName": name, "TargetKeyId": text(&planned, "target_key_id") });
        if let Err(e) = p.json.write(&KMS, "CreateAlias", body).await {
            return ApplyResponse::failed(None, e.diagnostics(&format!("creating KMS alias {name}")));
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        set(&mut state, "name", Value::string(&name));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let body = json!({ "AliasName": name, "TargetKeyId": text(&planned, "target_key_id") });
        let result = p.json.call(&KMS, "UpdateAlias", body).await.map(|_| ()).map_err(|e| e.diagnostics(&format!("updating KMS alias {name}")));
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "id");
        match p.json.write(&KMS, "DeleteAlias", json!({ "AliasName": name })).await {
            Err(e) if !e.not_found() => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting KMS alias {name}"))),
            _ => ApplyResponse::ok(None),
        }
    }
}
