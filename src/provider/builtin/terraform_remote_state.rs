//! Data source `terraform_remote_state` (the builtin `terraform` provider): the root outputs of
//! another configuration's state, read from any backend skyform supports (`local`, `pg`, `s3`;
//! a local `path` may name Terraform's own `terraform.tfstate`), with `defaults` for outputs
//! that are not there. Sensitive outputs stay sensitive. No state at all is an error, as in
//! Terraform; nothing is created or locked by reading.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::terraform_data::TerraformProvider;
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::state::backends::BackendConfig;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("backend", AttributeSchema::required().typed(AttrType::String)),
            ("config", AttributeSchema::optional()),
            ("defaults", AttributeSchema::optional()),
            ("outputs", AttributeSchema::computed()),
            ("workspace", AttributeSchema::optional().typed(AttrType::String)),
        ]),
    }
}

/// Data source `terraform_remote_state`.
pub struct RemoteStateData;

#[async_trait]
impl DataSourceType<TerraformProvider> for RemoteStateData {
    fn name(&self) -> &'static str {
        "terraform_remote_state"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, _c: &TerraformProvider, config: Value) -> ReadDataResponse {
        let mut state = config;
        let kind = attr(&state, "backend").as_str().unwrap_or_default().to_string();
        let workspace = attr(&state, "workspace").as_str().unwrap_or("default").to_string();
        let values: BTreeMap<String, Value> = match attr(&state, "config").unmarked() {
            Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.unmarked().clone())).collect(),
            Value::Null => BTreeMap::new(),
            other => {
                return ReadDataResponse::failed(error("Invalid config", format!("config must be an object of backend arguments, not {}.", other.type_name())))
            }
        };
        let backend = match BackendConfig::from_values(&kind, &values) {
            Ok(b) => b,
            Err(d) => {
                let detail: Vec<String> = d.iter().map(|d| d.detail.clone()).collect();
                return ReadDataResponse::failed(error("Invalid backend configuration", detail.join(" ")));
            }
        };
        // The backends block on their own threads or files; keep them off the async workers.
        let read = tokio::task::spawn_blocking({
            let workspace = workspace.clone();
            move || backend.read_outputs(&workspace).map(|o| (o, backend.describe(&workspace)))
        })
        .await;
        let (outputs, place) = match read {
            Ok(Ok((outputs, place))) => (outputs, place),
            Ok(Err(e)) => return ReadDataResponse::failed(error("Error loading state", e.to_string())),
            Err(e) => return ReadDataResponse::failed(error("Error loading state", e.to_string())),
        };
        let Some(outputs) = outputs else {
            return ReadDataResponse::failed(error(
                "Unable to find remote state",
                format!("No stored state was found for the given workspace in the given backend ({kind}: {place})."),
            ));
        };
        let mut merged: BTreeMap<String, Value> = match attr(&state, "defaults") {
            Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => BTreeMap::new(),
        };
        for (name, o) in outputs {
            merged.insert(name, if o.sensitive { Value::Sensitive(Box::new(o.value)) } else { o.value });
        }
        set(&mut state, "outputs", Value::object(merged));
        set(&mut state, "workspace", Value::String(workspace));
        ReadDataResponse::found(state)
    }
}
