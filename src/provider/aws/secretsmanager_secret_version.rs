//! `aws_secretsmanager_secret_version`: `secret_id` (ARN or name), one of `secret_string` and
//! `secret_binary` (base64), all sensitive and replacing (a new value is a new version);
//! `version_stages` in place (moving `AWSCURRENT` here takes it from the version holding it);
//! computed `arn` (the secret's), `version_id`, `id` (`secret_id|version_id`). Deleting
//! removes the version's staging labels (AWS keeps `AWSCURRENT`, and versions without labels
//! are deprecated by AWS). Import by `secret_id|version_id`. The write-only
//! `secret_string_wo` is not implemented.

use async_trait::async_trait;
use serde_json::json;

use super::json_api::{read_back, text as jtext, updated, SECRETS_MANAGER as SM};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_secretsmanager_secret_version")
        .implement(&["arn", "id", "secret_binary", "secret_id", "secret_string", "version_id", "version_stages"])
        .computed_only(&["id"])
        .sensitive(&["secret_binary", "secret_string"])
        .force_new(&["secret_binary", "secret_id", "secret_string"])
        .build()
}

/// `aws_secretsmanager_secret_version`.
pub struct SecretsManagerSecretVersion;

fn stages(v: &Value) -> Vec<String> {
    match v {
        Value::Set(items) | Value::List(items) => items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn split_id(id: &str) -> Option<(&str, &str)> {
    id.split_once('|').filter(|(s, v)| !s.is_empty() && !v.is_empty())
}

fn check(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if !attr(config, "secret_string").is_null() && !attr(config, "secret_binary").is_null() {
        d.push(Diagnostic::error("Conflicting configuration arguments", "\"secret_string\": conflicts with secret_binary").for_attribute("secret_string"));
    }
    if let Some(b) = attr(config, "secret_binary").as_str() {
        use base64::Engine;
        if base64::engine::general_purpose::STANDARD.decode(b).is_err() {
            d.push(Diagnostic::error("Invalid value", "\"secret_binary\" must be base64-encoded.").for_attribute("secret_binary"));
        }
    }
    d
}

#[async_trait]
impl ResourceType<AwsProvider> for SecretsManagerSecretVersion {
    fn name(&self) -> &'static str {
        "aws_secretsmanager_secret_version"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if req.prior_state.is_none() && attr(&req.config, "version_stages").is_null() {
            set(&mut planned, "version_stages", Value::Unknown);
        }
        PlanResponse { planned_state: planned, requires_replace: vec![], diagnostics: check(&req.config) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        let Some((secret, version)) = split_id(&id) else {
            let why = format!("unexpected format of ID ({id}), expected SecretID|VersionID");
            return ReadResponse::failed(prior, Diagnostic::error("Invalid import id", why).into());
        };
        let out = match p.json.call(&SM, "GetSecretValue", json!({ "SecretId": secret, "VersionId": version })).await {
            Ok(o) => o,
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) if e.is("InvalidRequestException") && (e.message.contains("deleted") || e.message.contains("marked for deletion")) => {
                return ReadResponse::gone();
            }
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading Secrets Manager secret version {id}"))),
        };
        let mut s = prior.clone();
        set(&mut s, "secret_id", Value::string(secret));
        set(&mut s, "arn", Value::string(jtext(&out, "ARN")));
        set(&mut s, "version_id", Value::string(jtext(&out, "VersionId")));
        let opt = |k: &str| out.get(k).and_then(|v| v.as_str()).map(Value::string).unwrap_or(Value::Null);
        set(&mut s, "secret_string", opt("SecretString"));
        set(&mut s, "secret_binary", opt("SecretBinary"));
        let labels = out.get("VersionStages").and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(Value::string)).collect());
        set(&mut s, "version_stages", Value::set(labels.unwrap_or_default()));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let secret = text(&planned, "secret_id");
        let mut body = json!({ "SecretId": secret, "ClientRequestToken": uuid::Uuid::new_v4().to_string() });
        if let Some(b) = attr(&planned, "secret_binary").as_str() {
            body["SecretBinary"] = json!(b);
        } else if let Some(s) = attr(&planned, "secret_string").as_str() {
            body["SecretString"] = json!(s);
        }
        let labels = stages(attr(&planned, "version_stages"));
        if !labels.is_empty() {
            body["VersionStages"] = json!(labels);
        }
        let version = match p.json.write(&SM, "PutSecretValue", body).await {
            Ok(o) => jtext(&o, "VersionId"),
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("putting the value of Secrets Manager secret {secret}"))),
        };
        let mut state = planned;
        set(&mut state, "id", Value::String(format!("{secret}|{version}")));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let (secret, version) = split_id(&id).unwrap_or_default();
        let (had, want) = (stages(attr(&prior, "version_stages")), stages(attr(&planned, "version_stages")));
        let what = |stage: &str| format!("moving stage {stage} of Secrets Manager secret version {id}");
        let result: Result<(), Diagnostics> = async {
            let mut moved_current = false;
            for stage in want.iter().filter(|s| !had.contains(s)) {
                let mut body = json!({ "SecretId": secret, "VersionStage": stage, "MoveToVersionId": version });
                if stage == "AWSCURRENT" {
                    if let Some(current) = holder(p, secret, "AWSCURRENT").await.map_err(|e| e.diagnostics(&what(stage)))? {
                        body["RemoveFromVersionId"] = json!(current);
                    }
                    moved_current = true;
                }
                p.json.call(&SM, "UpdateSecretVersionStage", body).await.map_err(|e| e.diagnostics(&what(stage)))?;
            }
            for stage in had.iter().filter(|s| !want.contains(s)) {
                // AWSCURRENT can only move; AWSPREVIOUS moved by itself when AWSCURRENT came here.
                if stage == "AWSCURRENT" || (moved_current && stage == "AWSPREVIOUS") {
                    continue;
                }
                let body = json!({ "SecretId": secret, "VersionStage": stage, "RemoveFromVersionId": version });
                p.json.call(&SM, "UpdateSecretVersionStage", body).await.map_err(|e| e.diagnostics(&what(stage)))?;
            }
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let (secret, version) = split_id(&id).unwrap_or_default();
        for stage in stages(attr(&prior, "version_stages")).iter().filter(|s| *s != "AWSCURRENT") {
            let body = json!({ "SecretId": secret, "VersionStage": stage, "RemoveFromVersionId": version });
            match p.json.write(&SM, "UpdateSecretVersionStage", body).await {
                Ok(_) => {}
                Err(e) if e.not_found() || (e.is("InvalidRequestException") && e.message.contains("deleted")) => return ApplyResponse::ok(None),
                Err(e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting Secrets Manager secret version {id}"))),
            }
        }
        ApplyResponse::ok(None)
    }
}

/// The version holding a staging label.
async fn holder(p: &AwsProvider, secret: &str, stage: &str) -> Result<Option<String>, super::json_api::ApiError> {
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({ "SecretId": secret, "MaxResults": 100 });
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page = p.json.call(&SM, "ListSecretVersionIds", body).await?;
        for v in page.get("Versions").and_then(|v| v.as_array()).map(Vec::as_slice).unwrap_or_default() {
            let labels = v.get("VersionStages").and_then(|s| s.as_array()).map(Vec::as_slice).unwrap_or_default();
            if labels.iter().any(|l| l.as_str() == Some(stage)) {
                return Ok(Some(jtext(v, "VersionId")));
            }
        }
        match page.get("NextToken").and_then(|t| t.as_str()) {
            Some(t) => token = Some(t.to_string()),
            None => return Ok(None),
        }
    }
}
