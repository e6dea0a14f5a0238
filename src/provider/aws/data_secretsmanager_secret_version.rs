//! `data "aws_secretsmanager_secret_version"`: a secret's value by `secret_id` (ARN or name)
//! and `version_id`, else `version_stage` (`AWSCURRENT`); exposes `secret_string` and
//! `secret_binary` (sensitive), `arn`, `created_date`, `version_stages` and `id`
//! (`secret_id|version_id`).

use async_trait::async_trait;
use serde_json::json;

use super::json_api::{text as jtext, SECRETS_MANAGER as SM};
use super::AwsProvider;
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("aws_secretsmanager_secret_version")
        .implement(&["arn", "created_date", "id", "secret_binary", "secret_id", "secret_string", "version_id", "version_stage", "version_stages"])
        .sensitive(&["secret_binary", "secret_string"])
        .build()
}

/// `data "aws_secretsmanager_secret_version"`.
pub struct DataSecretsManagerSecretVersion;

#[async_trait]
impl DataSourceType<AwsProvider> for DataSecretsManagerSecretVersion {
    fn name(&self) -> &'static str {
        "aws_secretsmanager_secret_version"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let secret = text(&config, "secret_id");
        let mut body = json!({ "SecretId": secret });
        let stage = attr(&config, "version_stage").as_str().map(str::to_string);
        match (attr(&config, "version_id").as_str(), &stage) {
            (Some(v), _) => body["VersionId"] = json!(v),
            (None, Some(st)) => body["VersionStage"] = json!(st),
            (None, None) => body["VersionStage"] = json!("AWSCURRENT"),
        }
        let out = match p.json.call(&SM, "GetSecretValue", body).await {
            Ok(o) => o,
            Err(e) => return ReadDataResponse::failed(e.diagnostics(&format!("reading Secrets Manager secret version {secret}"))),
        };
        let mut s = config;
        let version = jtext(&out, "VersionId");
        let opt = |k: &str| out.get(k).and_then(|v| v.as_str()).map(Value::string).unwrap_or(Value::Null);
        set(&mut s, "id", Value::String(format!("{secret}|{version}")));
        set(&mut s, "arn", Value::string(jtext(&out, "ARN")));
        set(&mut s, "version_id", Value::string(&version));
        set(&mut s, "secret_string", opt("SecretString"));
        set(&mut s, "secret_binary", opt("SecretBinary"));
        let created = out.get("CreatedDate").and_then(|v| v.as_f64()).and_then(|t| chrono::DateTime::from_timestamp(t as i64, 0));
        set(&mut s, "created_date", created.map(|t| Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())).unwrap_or(Value::Null));
        let labels = out.get("VersionStages").and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(Value::string)).collect());
        set(&mut s, "version_stages", Value::set(labels.unwrap_or_default()));
        ReadDataResponse::found(s)
    }
}
