//! The provider driver interface: one trait every driver implements, its request and response
//! types, the kit that builds it from one trait per resource type ([`kit`]), and the registry
//! of compiled-in providers. Schemas live in [`crate::schema`].
//!
//! A scaled-down OpenTofu `providers.Interface`. A [`ProviderFactory`] knows the schema and
//! builds a configured [`Provider`] from the `provider` block (no driver is usable
//! unconfigured). Drivers never choose the plan action: the engine derives it from the planned
//! state, `requires_replace` and `lifecycle`. Diagnostics travel in responses, so a failed apply
//! still returns the last known state.

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "azure")]
pub mod azure;
pub mod batch;
pub mod builtin;
#[cfg(feature = "aws")]
pub mod digitalocean;
#[cfg(feature = "google")]
pub mod google;
pub mod helpers;
pub mod kit;
pub mod registry;

use std::sync::Arc;

use async_trait::async_trait;

pub use crate::schema::{AttrType, AttributeSchema, BlockSchema, NestedBlock, Nesting, ProviderSchema, ResourceSchema};
pub use kit::{DataSourceType, Dispatch, LogicalType, ResourceType, Types};
pub use registry::Registry;

use crate::diag::Diagnostics;
use crate::value::{AttrPath, Value};

/// Builds configured drivers for one provider (`terraform`, `local`, `random`, `aws`, ...).
#[async_trait]
pub trait ProviderFactory: Send + Sync {
    /// The provider's local name, the prefix of its resource types (`aws` for `aws_s3_bucket`).
    fn name(&self) -> &'static str;
    /// Schemas of the provider block, resource types and data sources.
    fn schema(&self) -> &ProviderSchema;
    /// Configures a driver from the evaluated `provider` block (an empty object when absent).
    async fn configure(&self, config: Value) -> Result<Arc<dyn Provider>, Diagnostics>;
}

/// A configured driver. Every method takes one request struct and returns one response struct.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Re-reads a resource. `new_state: None` means it is gone.
    async fn read(&self, req: ReadRequest) -> ReadResponse;

    /// Reads many resources at once. Drivers whose API can list in bulk override this; the
    /// default reads one by one. Responses are in request order.
    async fn read_batch(&self, reqs: Vec<ReadRequest>) -> Vec<ReadResponse> {
        let mut out = Vec::with_capacity(reqs.len());
        for r in reqs {
            out.push(self.read(r).await);
        }
        out
    }

    /// Plans a create (no prior state) or an update; returns the planned state with unknowns
    /// for values only known after apply, and the paths whose change forces replacement.
    async fn plan(&self, req: PlanRequest) -> PlanResponse;

    /// Creates (no prior state), updates, or deletes (no planned state) a resource.
    async fn apply(&self, req: ApplyRequest) -> ApplyResponse;

    /// Imports an existing object by its provider id.
    async fn import(&self, req: ImportRequest) -> ImportResponse {
        ImportResponse {
            state: None,
            diagnostics: crate::diag::Diagnostic::error("Import not supported", format!("The resource type {} does not support import.", req.type_name)).into(),
        }
    }

    /// Whether objects of this type exist outside the state (see
    /// [`kit::ResourceType::remote`]); the default says they do.
    fn remote(&self, _type_name: &str) -> bool {
        true
    }

    /// Upgrades a state written by an older schema version of its type to the current one
    /// (the default keeps it as it is).
    async fn upgrade_state(&self, req: UpgradeStateRequest) -> UpgradeStateResponse {
        UpgradeStateResponse { state: req.raw, diagnostics: Diagnostics::new() }
    }

    /// Reads a data source.
    async fn read_data(&self, req: ReadDataRequest) -> ReadDataResponse {
        ReadDataResponse {
            state: Value::Null,
            diagnostics: crate::diag::Diagnostic::error("Data source not supported", format!("This provider has no data source {}.", req.type_name)).into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct UpgradeStateRequest {
    pub type_name: String,
    /// The schema version the state was written with.
    pub version: u64,
    pub raw: Value,
}

#[derive(Clone, Debug, Default)]
pub struct UpgradeStateResponse {
    pub state: Value,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ReadRequest {
    pub type_name: String,
    pub prior_state: Value,
}

#[derive(Clone, Debug, Default)]
pub struct ReadResponse {
    /// The current state; `None` when the object no longer exists.
    pub new_state: Option<Value>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct PlanRequest {
    pub type_name: String,
    /// The refreshed prior state; `None` for a create.
    pub prior_state: Option<Value>,
    /// Config merged with prior computed values (Terraform's "proposed new state").
    pub proposed_new_state: Value,
    /// The configuration as written (null for unset attributes).
    pub config: Value,
}

#[derive(Clone, Debug, Default)]
pub struct PlanResponse {
    pub planned_state: Value,
    /// Attribute paths whose change forces replacement.
    pub requires_replace: Vec<AttrPath>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ApplyRequest {
    pub type_name: String,
    /// `None` for a create.
    pub prior_state: Option<Value>,
    /// `None` for a delete.
    pub planned_state: Option<Value>,
    pub config: Value,
    /// For a create: its idempotency token and where to report the object once it has an id.
    pub operation: Operation,
}

/// What the engine gives a create to make it crash-safe. A create that waits for its object
/// (an instance to run, a gateway to become available) reports the object with [`Operation::started`]
/// as soon as the API has returned its id, before waiting: the engine records it in the journal,
/// so a run killed during the wait leaves it to be adopted, not orphaned. APIs that accept an
/// idempotency token (EC2 `ClientToken`) get [`Operation::token`], the same for every attempt at
/// one create, so a retried create finds the object an interrupted attempt made.
#[derive(Clone, Debug, Default)]
pub struct Operation {
    /// At most 64 ASCII characters; `None` outside the engine (tests, imports).
    pub token: Option<String>,
    /// Receives the started object (the planned state with `id` and what the API returned)
    /// and a sender to answer once it is recorded.
    pub progress: Option<tokio::sync::mpsc::UnboundedSender<(Value, tokio::sync::oneshot::Sender<()>)>>,
    /// An earlier attempt under this token was interrupted before its answer was recorded:
    /// the object it made may exist (types that can look it up by token do so first).
    pub retry: bool,
}

impl Operation {
    /// Reports the object the create has started (see [`Operation`]), and returns once it is
    /// recorded.
    pub async fn started(&self, object: &Value) {
        if let Some(p) = &self.progress {
            let (done, recorded) = tokio::sync::oneshot::channel();
            if p.send((object.clone(), done)).is_ok() {
                let _ = recorded.await;
            }
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ApplyResponse {
    /// The state after the operation (`None` once deleted). On failure: the last known state.
    pub new_state: Option<Value>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub type_name: String,
    pub id: String,
}

#[derive(Clone, Debug, Default)]
pub struct ImportResponse {
    pub state: Option<Value>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ReadDataRequest {
    pub type_name: String,
    pub config: Value,
}

#[derive(Clone, Debug, Default)]
pub struct ReadDataResponse {
    pub state: Value,
    pub diagnostics: Diagnostics,
}

impl ReadResponse {
    /// The object as read.
    pub fn found(state: Value) -> ReadResponse {
        ReadResponse { new_state: Some(state), diagnostics: Diagnostics::new() }
    }
    /// The object no longer exists.
    pub fn gone() -> ReadResponse {
        ReadResponse::default()
    }
    /// The read failed: the prior state is kept, with the error.
    pub fn failed(prior: Value, diagnostics: Diagnostics) -> ReadResponse {
        ReadResponse { new_state: Some(prior), diagnostics }
    }
}

impl PlanResponse {
    /// A plan with no driver-specific replacement paths and no diagnostics.
    pub fn planned(state: Value) -> PlanResponse {
        PlanResponse { planned_state: state, requires_replace: Vec::new(), diagnostics: Diagnostics::new() }
    }
    /// A plan that failed.
    pub fn failed(diagnostics: Diagnostics) -> PlanResponse {
        PlanResponse { diagnostics, ..PlanResponse::default() }
    }
}

impl ApplyResponse {
    /// The call succeeded with this state (`None` once deleted).
    pub fn ok(state: Option<Value>) -> ApplyResponse {
        ApplyResponse { new_state: state, diagnostics: Diagnostics::new() }
    }
    /// The call failed; `state` is the last known state of the object.
    pub fn failed(state: Option<Value>, diagnostics: Diagnostics) -> ApplyResponse {
        ApplyResponse { new_state: state, diagnostics }
    }
    /// The object as a read after the call found it, or `written` (what the call wrote) when
    /// the read found nothing; the read's diagnostics either way.
    pub fn read_back(read: ReadResponse, written: Value) -> ApplyResponse {
        ApplyResponse { new_state: read.new_state.or(Some(written)), diagnostics: read.diagnostics }
    }
}

impl ImportResponse {
    /// The imported object's state.
    pub fn found(state: Value) -> ImportResponse {
        ImportResponse { state: Some(state), diagnostics: Diagnostics::new() }
    }
    /// The import failed.
    pub fn failed(diagnostics: Diagnostics) -> ImportResponse {
        ImportResponse { state: None, diagnostics }
    }
}

impl ReadDataResponse {
    /// The data source's state.
    pub fn found(state: Value) -> ReadDataResponse {
        ReadDataResponse { state, diagnostics: Diagnostics::new() }
    }
    /// The read failed.
    pub fn failed(diagnostics: Diagnostics) -> ReadDataResponse {
        ReadDataResponse { state: Value::Null, diagnostics }
    }
}
