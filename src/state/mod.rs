//! State: what skyform believes exists. The in-memory model ([`State`]) and its durable home,
//! the [`StateStore`] over a [`Backend`]: the local SQLite database ([`sqlite`]: schema
//! migrations from `state-schema/`, per-resource commits, the lock, the audit history and the
//! pending-operations journal) or a team backend.

#[cfg(feature = "azure")]
pub mod azurerm;
pub mod backends;
#[cfg(any(feature = "aws", feature = "azure"))]
pub mod document;
pub mod encryption;
mod encryption_kms;
#[cfg(feature = "pg")]
pub mod pg;
#[cfg(feature = "aws")]
pub mod s3;
pub mod sealed;
pub mod sqlite;
pub mod store;
pub mod tfstate;

use std::collections::BTreeMap;

use crate::value::{AttrPath, Value};

pub use store::{Backend, HistoryEntry, LockInfo, PendingOp, StateError, StateResult, StateStore};

/// One resource instance as recorded in state.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceInstanceState {
    /// The full instance address, e.g. `module.web.aws_instance.app[0]`.
    pub address: String,
    /// The module path part of the address (`module.web`), empty for the root module.
    pub module: String,
    /// `managed` or `data`.
    pub mode: String,
    pub type_name: String,
    pub name: String,
    /// The instance key as JSON (`0`, `"a"`), or None without count/for_each.
    pub index_key: Option<serde_json::Value>,
    /// Provider configuration address, e.g. `provider["registry.terraform.io/hashicorp/aws"].west`.
    pub provider: String,
    pub schema_version: u64,
    /// The attributes without marks; sensitive places are listed in `sensitive_paths`.
    pub attributes: Value,
    pub sensitive_paths: Vec<AttrPath>,
    /// Addresses of the resources this one depended on when last applied.
    pub dependencies: Vec<String>,
    /// RFC 3339 times; the store fills them in when it commits.
    pub created_at: String,
    pub updated_at: String,
    /// A create-time provisioner failed (or `taint` marked it): the next plan replaces it.
    pub tainted: bool,
}

impl ResourceInstanceState {
    /// The attributes with the sensitive marks re-applied.
    pub fn marked_attributes(&self) -> Value {
        self.attributes.clone().mark_paths(&self.sensitive_paths)
    }
}

/// The state key of a deposed object: the old object of a create-before-destroy replacement,
/// kept in state until it is deleted, under its instance address followed by Terraform's
/// `(deposed object KEY)`. It is stored like any instance (a row, or an instance with `deposed`
/// in a Terraform state file), so every backend keeps it without a schema of its own.
pub fn deposed_address(instance: &str, key: &str) -> String {
    format!("{instance}{DEPOSED}{key})")
}

const DEPOSED: &str = " (deposed object ";

/// A state key split into its instance address and, for a deposed object, its deposed key.
pub fn split_deposed(key: &str) -> (&str, Option<&str>) {
    match key.split_once(DEPOSED) {
        Some((instance, rest)) => (instance, Some(rest.trim_end_matches(')'))),
        None => (key, None),
    }
}

/// A new deposed key: eight hex digits, as Terraform makes them.
pub fn new_deposed_key() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// The instance address of a state key (a deposed object's too), parsed.
pub(crate) fn parse_key(key: &str) -> Result<crate::addr::ResourceInstanceAddr, crate::addr::AddrError> {
    crate::addr::ResourceInstanceAddr::parse(split_deposed(key).0)
}

/// A resource instance as the relational backends (SQLite, PostgreSQL) store it: the key,
/// attributes, sensitive paths and dependencies as JSON text.
pub(crate) struct ResourceRow {
    pub address: String,
    pub module: String,
    pub mode: String,
    pub type_name: String,
    pub name: String,
    pub index_key: Option<String>,
    pub provider: String,
    pub schema_version: i64,
    pub attributes: String,
    pub sensitive_paths: String,
    pub dependencies: String,
    pub created_at: String,
    pub updated_at: String,
    pub tainted: bool,
}

impl ResourceRow {
    pub fn of(r: &ResourceInstanceState) -> ResourceRow {
        ResourceRow {
            address: r.address.clone(),
            module: r.module.clone(),
            mode: r.mode.clone(),
            type_name: r.type_name.clone(),
            name: r.name.clone(),
            index_key: r.index_key.as_ref().map(|k| k.to_string()),
            provider: r.provider.clone(),
            schema_version: r.schema_version as i64,
            attributes: r.attributes.to_json().to_string(),
            sensitive_paths: serde_json::to_string(&r.sensitive_paths).unwrap_or_else(|_| "[]".into()),
            dependencies: serde_json::to_string(&r.dependencies).unwrap_or_else(|_| "[]".into()),
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
            tainted: r.tainted,
        }
    }

    /// The instance, or what in the row is not what skyform wrote.
    pub fn decode(self) -> Result<ResourceInstanceState, String> {
        let address = self.address;
        let attributes = crate::value::parse_json(&self.attributes).map_err(|e| format!("attributes of {address}: {e}"))?;
        let sensitive_paths: Vec<AttrPath> = serde_json::from_str(&self.sensitive_paths).map_err(|e| format!("sensitive paths of {address}: {e}"))?;
        let dependencies: Vec<String> = serde_json::from_str(&self.dependencies).map_err(|e| format!("dependencies of {address}: {e}"))?;
        let index_key = self.index_key.map(|k| serde_json::from_str(&k)).transpose().map_err(|e| format!("index key of {address}: {e}"))?;
        Ok(ResourceInstanceState {
            address,
            module: self.module,
            mode: self.mode,
            type_name: self.type_name,
            name: self.name,
            index_key,
            provider: self.provider,
            schema_version: self.schema_version as u64,
            attributes,
            sensitive_paths,
            dependencies,
            created_at: self.created_at,
            updated_at: self.updated_at,
            tainted: self.tainted,
        })
    }
}

/// A resource instance as JSON: how the document backends' journal and every backend's
/// `pending_operations` record it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InstanceRecord {
    address: String,
    module: String,
    mode: String,
    type_name: String,
    name: String,
    index_key: Option<serde_json::Value>,
    provider: String,
    schema_version: u64,
    attributes: serde_json::Value,
    sensitive_paths: Vec<AttrPath>,
    dependencies: Vec<String>,
    created_at: String,
    updated_at: String,
    tainted: bool,
}

impl InstanceRecord {
    pub fn of(r: &ResourceInstanceState) -> InstanceRecord {
        InstanceRecord {
            address: r.address.clone(),
            module: r.module.clone(),
            mode: r.mode.clone(),
            type_name: r.type_name.clone(),
            name: r.name.clone(),
            index_key: r.index_key.clone(),
            provider: r.provider.clone(),
            schema_version: r.schema_version,
            attributes: r.attributes.to_json(),
            sensitive_paths: r.sensitive_paths.clone(),
            dependencies: r.dependencies.clone(),
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
            tainted: r.tainted,
        }
    }

    pub fn state(self) -> ResourceInstanceState {
        ResourceInstanceState {
            attributes: Value::from_json(&self.attributes),
            address: self.address,
            module: self.module,
            mode: self.mode,
            type_name: self.type_name,
            name: self.name,
            index_key: self.index_key,
            provider: self.provider,
            schema_version: self.schema_version,
            sensitive_paths: self.sensitive_paths,
            dependencies: self.dependencies,
            created_at: self.created_at,
            updated_at: self.updated_at,
            tainted: self.tainted,
        }
    }
}

/// An output as the relational backends store it: (value JSON, set paths JSON).
pub(crate) fn output_row(o: &OutputState) -> (String, String) {
    (o.value.to_json().to_string(), serde_json::to_string(&o.value.set_paths()).unwrap_or_else(|_| "[]".into()))
}

/// An output read back from its row.
pub(crate) fn decode_output(name: &str, value: &str, set_paths: &str, sensitive: bool) -> Result<OutputState, String> {
    let v: serde_json::Value = serde_json::from_str(value).map_err(|e| format!("output {name}: {e}"))?;
    let set_paths: Vec<AttrPath> = serde_json::from_str(set_paths).map_err(|e| format!("output {name}: {e}"))?;
    Ok(OutputState { value: Value::from_json(&v).with_sets(&set_paths), sensitive })
}

/// A root module output as recorded in state.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputState {
    pub value: Value,
    pub sensitive: bool,
}

/// The whole state at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// A UUID fixed when the state is created; a saved plan must match it.
    pub lineage: String,
    /// Incremented on every committed change.
    pub serial: u64,
    /// Keyed by full instance address.
    pub resources: BTreeMap<String, ResourceInstanceState>,
    pub outputs: BTreeMap<String, OutputState>,
}

impl State {
    /// Nothing tracked: no resource instance and no output.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.outputs.is_empty()
    }

    /// Empty and never written: what a workspace nobody has used looks like.
    pub fn is_fresh(&self) -> bool {
        self.is_empty() && self.serial == 0
    }

    /// Fills in the creation and update times a Terraform state file does not carry.
    pub fn stamp_times(&mut self) {
        let now = store::now();
        for r in self.resources.values_mut() {
            if r.created_at.is_empty() {
                r.created_at = now.clone();
            }
            if r.updated_at.is_empty() {
                r.updated_at = now.clone();
            }
        }
    }
}
