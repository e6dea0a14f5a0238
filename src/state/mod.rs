//! State: what skyform believes exists. The in-memory model ([`State`]) and its durable home,
//! the [`StateStore`] over a [`Backend`]: the local SQLite database ([`sqlite`]: schema
//! migrations from `state-schema/`, per-resource commits, the lock, the audit history and the
//! pending-operations journal) or a team backend.

pub mod backends;
pub mod document;
pub mod pg;
pub mod s3;
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
