//! The provider kit: one trait per resource type ([`ResourceType`]) and per data source
//! ([`DataSourceType`]), and the generic dispatcher that turns a provider's registration list
//! into the engine-facing [`Provider`] interface.
//!
//! A provider is a configured client `C` (its SDK clients and settings) plus one static
//! [`Types<C>`] table listing its types, one line each. The same table produces the provider's
//! schema ([`Types::schemas`]) and dispatches every request ([`Dispatch`]), so the two cannot
//! disagree; schemas are built once per process when the table is first used. Drivers return
//! planned states and call results; the engine derives the action and `requires_replace`
//! (from `force_new`), and the dispatcher splits apply into create, update and delete.
//!
//! Not here: configuring the client from the `provider` block (each provider's factory), and
//! helpers for values (`provider::helpers`).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use futures::stream::{self, StreamExt};

use super::helpers::{blank, imported, set};
use super::registry::provider_for_type;
use super::{
    ApplyRequest, ApplyResponse, ImportRequest, ImportResponse, Operation, PlanRequest, PlanResponse, Provider, ReadDataRequest, ReadDataResponse, ReadRequest,
    ReadResponse, ResourceSchema,
};
use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::generated::{self, Kind};
use crate::value::Value;

/// One managed resource type of a provider whose configured client is `C`.
#[async_trait]
pub trait ResourceType<C: ?Sized>: Send + Sync {
    /// Terraform's type name (`aws_s3_bucket`).
    fn name(&self) -> &'static str;

    /// The attributes and blocks this driver implements, with their behaviour. Called once per
    /// process; the table keeps the result.
    fn schema(&self) -> ResourceSchema;

    /// Plans a create (no prior state) or an update, and checks the configuration beyond what
    /// the schema says (the engine checks the schema). The default plans the proposed new state,
    /// in which the dispatcher has already set every computed-only attribute unknown on create.
    fn plan(&self, _c: &C, req: PlanRequest) -> PlanResponse {
        PlanResponse::planned(req.proposed_new_state)
    }

    /// Re-reads an object; `new_state: None` when it is gone.
    async fn read(&self, c: &C, prior: Value) -> ReadResponse;

    /// Reads many objects of this type (`(request index, prior state)`), in any order. The
    /// default reads them one by one, 10 at a time; types with list or describe calls override it.
    async fn read_batch(&self, c: &C, items: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)>
    where
        C: Sync,
    {
        stream::iter(items).map(|(i, v)| async move { (i, self.read(c, v).await) }).buffer_unordered(10).collect().await
    }

    /// Creates the object. On failure after the object exists, returns what is known of it.
    async fn create(&self, c: &C, planned: Value, config: &Value) -> ApplyResponse;

    /// [`ResourceType::create`] with the engine's [`Operation`]: types whose create waits for
    /// the object override this, report the object as soon as it has an id and pass the
    /// idempotency token to the API. The default calls `create`.
    async fn create_tracked(&self, c: &C, planned: Value, config: &Value, _op: &Operation) -> ApplyResponse
    where
        C: Sync,
    {
        self.create(c, planned, config).await
    }

    /// Updates the object in place. The default fails: types whose every argument forces
    /// replacement never receive updates.
    async fn update(&self, _c: &C, prior: Value, _planned: Value, _config: &Value) -> ApplyResponse {
        ApplyResponse::failed(Some(prior), Diagnostic::error("Update not supported", format!("{} cannot be updated in place.", self.name())).into())
    }

    /// Deletes the object (already gone counts as deleted).
    async fn delete(&self, c: &C, prior: Value) -> ApplyResponse;

    /// Imports an object by its provider id. `blank` has every schema attribute null; the
    /// default sets `id` and reads it.
    async fn import(&self, c: &C, id: String, blank: Value) -> ImportResponse
    where
        C: Sync,
    {
        let mut state = blank;
        set(&mut state, "id", Value::string(&id));
        let name = self.name();
        imported(self.read(c, state).await, || format!("There is no {name} with id \"{id}\"."))
    }

    /// Upgrades a state written by an older schema version (the default keeps it as is).
    fn upgrade_state(&self, _version: u64, raw: Value) -> Result<Value, Diagnostics> {
        Ok(raw)
    }

    /// Whether the type makes objects outside the state (a [`LogicalType`] does not): only
    /// those can be orphaned by a crash, so only their operations are journalled.
    fn remote(&self) -> bool {
        true
    }
}

/// A resource that exists only in state (random values, timestamps, `null_resource`): reading
/// keeps the stored state, an update stores the planned state, a delete forgets it. Every
/// `LogicalType` is a [`ResourceType`].
#[async_trait]
pub trait LogicalType<C: ?Sized>: Send + Sync {
    /// Terraform's type name.
    fn name(&self) -> &'static str;
    /// The type's schema (called once per process).
    fn schema(&self) -> ResourceSchema;
    /// Plans a create or update (default: the proposed new state).
    fn plan(&self, _c: &C, req: PlanRequest) -> PlanResponse {
        PlanResponse::planned(req.proposed_new_state)
    }
    /// Chooses the values of a new object.
    async fn create(&self, c: &C, planned: Value, config: &Value) -> ApplyResponse;
    /// Stores an in-place change (default: the planned state as it is).
    async fn update(&self, _c: &C, _prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        ApplyResponse::ok(Some(planned))
    }
    /// Imports an object from its id (default: not importable, as for most such types).
    async fn import(&self, _c: &C, _id: String, _blank: Value) -> ImportResponse {
        ImportResponse::failed(Diagnostic::error("Import not supported", format!("{} cannot be imported.", self.name())).into())
    }
}

#[async_trait]
impl<C: Send + Sync + ?Sized, T: LogicalType<C>> ResourceType<C> for T {
    fn name(&self) -> &'static str {
        LogicalType::name(self)
    }
    fn schema(&self) -> ResourceSchema {
        LogicalType::schema(self)
    }
    fn plan(&self, c: &C, req: PlanRequest) -> PlanResponse {
        LogicalType::plan(self, c, req)
    }
    async fn read(&self, _c: &C, prior: Value) -> ReadResponse {
        ReadResponse::found(prior)
    }
    async fn create(&self, c: &C, planned: Value, config: &Value) -> ApplyResponse {
        LogicalType::create(self, c, planned, config).await
    }
    async fn update(&self, c: &C, prior: Value, planned: Value, config: &Value) -> ApplyResponse {
        LogicalType::update(self, c, prior, planned, config).await
    }
    async fn delete(&self, _c: &C, _prior: Value) -> ApplyResponse {
        ApplyResponse::ok(None)
    }
    async fn import(&self, c: &C, id: String, blank: Value) -> ImportResponse
    where
        C: Sync,
    {
        LogicalType::import(self, c, id, blank).await
    }
    fn remote(&self) -> bool {
        false
    }
}

/// One data source of a provider whose configured client is `C`.
#[async_trait]
pub trait DataSourceType<C: ?Sized>: Send + Sync {
    /// Terraform's type name (`aws_vpc`).
    fn name(&self) -> &'static str;
    /// Its schema (called once per process).
    fn schema(&self) -> ResourceSchema;
    /// Reads it from its (wholly known) configuration.
    async fn read(&self, c: &C, config: Value) -> ReadDataResponse;
}

/// A provider's registration list: every resource type and data source, with their schemas
/// built once.
pub struct Types<C: 'static> {
    resources: BTreeMap<&'static str, (&'static dyn ResourceType<C>, ResourceSchema)>,
    data: BTreeMap<&'static str, (&'static dyn DataSourceType<C>, ResourceSchema)>,
}

impl<C: Send + Sync + 'static> Types<C> {
    /// Builds the table from the registration lists (one entry per type). Each type's schema
    /// is its driver's laid over the provider's published one ([`generated::merge`]), so every
    /// argument of the provider's schema is accepted, and rejected when set if not implemented.
    pub fn new(resources: &[&'static dyn ResourceType<C>], data: &[&'static dyn DataSourceType<C>]) -> Types<C> {
        Types {
            resources: resources.iter().map(|t| (t.name(), (*t, complete(Kind::Resource, t.name(), t.schema())))).collect(),
            data: data.iter().map(|t| (t.name(), (*t, complete(Kind::Data, t.name(), t.schema())))).collect(),
        }
    }

    /// The schemas of every resource type and data source, as the provider schema lists them.
    pub fn schemas(&self) -> (BTreeMap<String, ResourceSchema>, BTreeMap<String, ResourceSchema>) {
        (
            self.resources.iter().map(|(k, (_, s))| (k.to_string(), s.clone())).collect(),
            self.data.iter().map(|(k, (_, s))| (k.to_string(), s.clone())).collect(),
        )
    }

    /// The schema of one managed resource type.
    pub fn schema(&self, type_name: &str) -> Option<&ResourceSchema> {
        self.resources.get(type_name).map(|(_, s)| s)
    }

    fn resource(&self, type_name: &str) -> Result<(&'static dyn ResourceType<C>, &ResourceSchema), Diagnostics> {
        self.resources.get(type_name).map(|(t, s)| (*t, s)).ok_or_else(|| unsupported("resource type", type_name))
    }
}

/// A driver's schema completed with the rest of the provider's published schema for the type.
fn complete(kind: Kind, type_name: &str, own: ResourceSchema) -> ResourceSchema {
    match generated::schema(provider_for_type(type_name), kind, type_name) {
        Some(g) => ResourceSchema { version: own.version, block: generated::merge(&g.block, own.block) },
        None => own,
    }
}

fn unsupported(kind: &str, type_name: &str) -> Diagnostics {
    Diagnostic::error("Resource type not implemented yet", format!("skyform does not implement the {kind} \"{type_name}\" yet.")).into()
}

/// A configured client whose types are listed in a static table: it is a [`Provider`].
pub trait Dispatch: Send + Sync + Sized + 'static {
    /// The client's registration list.
    fn types() -> &'static Types<Self>;
}

/// Builds a provider's table on first use and keeps it for the process.
pub fn table<C: Send + Sync + 'static>(cell: &'static OnceLock<Types<C>>, build: impl FnOnce() -> Types<C>) -> &'static Types<C> {
    cell.get_or_init(build)
}

/// A driver's state shaped by the complete schema ([`crate::schema::BlockSchema::normalize`]).
fn conform(block: &crate::schema::BlockSchema, v: Value) -> Value {
    block.normalize(v)
}

fn conform_read(schema: &ResourceSchema, mut r: ReadResponse) -> ReadResponse {
    r.new_state = r.new_state.map(|v| conform(&schema.block, v));
    r
}

fn conform_apply(schema: &ResourceSchema, mut r: ApplyResponse) -> ApplyResponse {
    r.new_state = r.new_state.map(|v| conform(&schema.block, v));
    r
}

/// Sets every computed-only attribute of a create's planned state unknown where it is null.
fn unknown_computed_on_create(schema: &ResourceSchema, planned: &mut Value) {
    for (name, a) in &schema.block.attributes {
        if a.computed && !a.optional && planned.get_attr(name).is_none_or(Value::is_null) {
            set(planned, name, Value::Unknown);
        }
    }
}

#[async_trait]
impl<C: Dispatch> Provider for C {
    fn remote(&self, type_name: &str) -> bool {
        C::types().resource(type_name).map_or(true, |(t, _)| t.remote())
    }

    async fn read(&self, req: ReadRequest) -> ReadResponse {
        match C::types().resource(&req.type_name) {
            Ok((t, schema)) => conform_read(schema, t.read(self, req.prior_state).await),
            Err(d) => ReadResponse { new_state: Some(req.prior_state), diagnostics: d },
        }
    }

    /// Groups the requests by type, reads each group through its type's bulk read, and puts
    /// the responses back in request order.
    async fn read_batch(&self, reqs: Vec<ReadRequest>) -> Vec<ReadResponse> {
        let n = reqs.len();
        let mut groups: BTreeMap<String, Vec<(usize, Value)>> = BTreeMap::new();
        for (i, r) in reqs.into_iter().enumerate() {
            groups.entry(r.type_name).or_default().push((i, r.prior_state));
        }
        let mut out: Vec<Option<ReadResponse>> = (0..n).map(|_| None).collect();
        for (type_name, items) in groups {
            let parts: Vec<(usize, ReadResponse)> = match C::types().resource(&type_name) {
                Ok((t, schema)) => t.read_batch(self, items).await.into_iter().map(|(i, r)| (i, conform_read(schema, r))).collect(),
                Err(d) => items.into_iter().map(|(i, v)| (i, ReadResponse { new_state: Some(v), diagnostics: d.clone() })).collect(),
            };
            for (i, r) in parts {
                out[i] = Some(r);
            }
        }
        out.into_iter().map(Option::unwrap_or_default).collect()
    }

    async fn plan(&self, mut req: PlanRequest) -> PlanResponse {
        match C::types().resource(&req.type_name) {
            Ok((t, schema)) => {
                if req.prior_state.is_none() {
                    unknown_computed_on_create(schema, &mut req.proposed_new_state);
                }
                t.plan(self, req)
            }
            Err(d) => PlanResponse { planned_state: req.proposed_new_state, requires_replace: vec![], diagnostics: d },
        }
    }

    async fn apply(&self, req: ApplyRequest) -> ApplyResponse {
        let (t, schema) = match C::types().resource(&req.type_name) {
            Ok(x) => x,
            Err(d) => return ApplyResponse::failed(req.prior_state, d),
        };
        let resp = match (req.prior_state, req.planned_state) {
            (None, Some(planned)) => t.create_tracked(self, planned, &req.config, &req.operation).await,
            (Some(prior), Some(planned)) => t.update(self, prior, planned, &req.config).await,
            (Some(prior), None) => t.delete(self, prior).await,
            (None, None) => ApplyResponse::default(),
        };
        conform_apply(schema, resp)
    }

    async fn import(&self, req: ImportRequest) -> ImportResponse {
        match C::types().resource(&req.type_name) {
            Ok((t, schema)) => {
                let mut r = t.import(self, req.id, blank(&schema.block)).await;
                r.state = r.state.map(|v| conform(&schema.block, v));
                r
            }
            Err(d) => ImportResponse { state: None, diagnostics: d },
        }
    }

    async fn upgrade_state(&self, req: super::UpgradeStateRequest) -> super::UpgradeStateResponse {
        match C::types().resource(&req.type_name) {
            Ok((t, schema)) => match t.upgrade_state(req.version, req.raw.clone()) {
                Ok(v) => super::UpgradeStateResponse { state: conform(&schema.block, v), diagnostics: Diagnostics::new() },
                Err(d) => super::UpgradeStateResponse { state: req.raw, diagnostics: d },
            },
            Err(d) => super::UpgradeStateResponse { state: req.raw, diagnostics: d },
        }
    }

    async fn read_data(&self, req: ReadDataRequest) -> ReadDataResponse {
        match C::types().data.get(req.type_name.as_str()) {
            Some((t, _)) => t.read(self, req.config).await,
            None => ReadDataResponse { state: Value::Null, diagnostics: unsupported("data source", &req.type_name) },
        }
    }
}

/// A provider with no configuration of its own (`terraform`, `random`, `local`): its factory
/// builds the client with `Default`.
pub struct SimpleFactory<C> {
    name: &'static str,
    schema: OnceLock<super::ProviderSchema>,
    _client: std::marker::PhantomData<fn() -> C>,
}

impl<C: Dispatch + Default> SimpleFactory<C> {
    pub fn new(name: &'static str) -> SimpleFactory<C> {
        SimpleFactory { name, schema: OnceLock::new(), _client: std::marker::PhantomData }
    }
}

#[async_trait]
impl<C: Dispatch + Default> super::ProviderFactory for SimpleFactory<C> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn schema(&self) -> &super::ProviderSchema {
        self.schema.get_or_init(|| {
            let (resources, data_sources) = C::types().schemas();
            let provider = generated::provider_block_with(self.name, Default::default());
            super::ProviderSchema { provider, resources, data_sources }
        })
    }
    async fn configure(&self, _config: Value) -> Result<Arc<dyn Provider>, Diagnostics> {
        Ok(Arc::new(C::default()))
    }
}
