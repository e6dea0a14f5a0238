//! `data "aws_ssm_parameter"`: one parameter by `name`, decrypted unless `with_decryption =
//! false`; exposes `arn`, `type`, `version`, `value` (sensitive) and `insecure_value` (the value
//! again, except for a SecureString), and `id` (the name).

use async_trait::async_trait;
use serde_json::json;

use super::json_api::{text as jtext, SSM};
use super::AwsProvider;
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("aws_ssm_parameter").implement(&["arn", "id", "insecure_value", "name", "type", "value", "version", "with_decryption"]).sensitive(&["value"]).build()
}

/// `data "aws_ssm_parameter"`.
pub struct DataSsmParameter;

#[async_trait]
impl DataSourceType<AwsProvider> for DataSsmParameter {
    fn name(&self) -> &'static str {
        "aws_ssm_parameter"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let name = text(&config, "name");
        let decrypt = attr(&config, "with_decryption").as_bool().unwrap_or(true);
        let param = match p.json.call(&SSM, "GetParameter", json!({ "Name": name, "WithDecryption": decrypt })).await {
            Ok(o) => o.get("Parameter").cloned().unwrap_or_default(),
            Err(e) => return ReadDataResponse::failed(e.diagnostics(&format!("reading SSM parameter {name}"))),
        };
        let mut s = config;
        let typ = jtext(&param, "Type");
        let value = jtext(&param, "Value");
        set(&mut s, "id", Value::string(jtext(&param, "Name")));
        set(&mut s, "arn", Value::string(jtext(&param, "ARN")));
        set(&mut s, "type", Value::string(&typ));
        set(&mut s, "with_decryption", Value::Bool(decrypt));
        set(&mut s, "version", param.get("Version").and_then(|v| v.as_f64()).map(Value::Number).unwrap_or(Value::Null));
        set(&mut s, "insecure_value", if typ == "SecureString" { Value::Null } else { Value::string(&value) });
        set(&mut s, "value", Value::string(value));
        ReadDataResponse::found(s)
    }
}
