//! A strict in-memory driver for engine tests (provider `test`): `test_thing` resources live in
//! a map the test can inspect and change behind the engine's back (drift), every call is
//! recorded, and protocol violations (unknowns at apply, force-new changes sent as updates,
//! prior state that does not match the "cloud") fail loudly so engine bugs surface.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::value::Value;

pub fn thing_schema() -> ResourceSchema {
    ResourceSchema {
        version: 1,
        block: BlockSchema::new([
            ("name", AttributeSchema::required()),
            ("value", AttributeSchema::optional()),
            ("tags", AttributeSchema::optional()),
            ("replace_me", AttributeSchema::optional().force_new()),
            ("secret", AttributeSchema::optional().sensitive()),
            ("fail_on", AttributeSchema::optional()),
            ("id", AttributeSchema::computed()),
            ("computed_value", AttributeSchema::computed()),
        ]),
    }
}

fn lookup_schema() -> ResourceSchema {
    ResourceSchema { version: 0, block: BlockSchema::new([("name", AttributeSchema::required()), ("value", AttributeSchema::computed())]) }
}

#[derive(Default)]
struct Cloud {
    objects: Mutex<BTreeMap<String, Value>>,
    calls: Mutex<Vec<String>>,
    next_id: AtomicU64,
}

/// What a test sees of the in-memory cloud.
#[derive(Clone)]
pub struct TestHandle(Arc<Cloud>);

impl TestHandle {
    pub fn objects(&self) -> BTreeMap<String, Value> {
        self.0.objects.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    /// Changes an attribute outside the engine (drift).
    pub fn set_attr(&self, id: &str, name: &str, v: Value) {
        if let Some(o) = self.0.objects.lock().unwrap_or_else(|e| e.into_inner()).get_mut(id) {
            set(o, name, v);
        }
    }
    /// Deletes an object outside the engine.
    pub fn remove(&self, id: &str) {
        self.0.objects.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
    pub fn calls(&self) -> Vec<String> {
        self.0.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

pub struct TestFactory {
    cloud: Arc<Cloud>,
    schema: ProviderSchema,
}

impl TestFactory {
    pub fn new() -> (TestFactory, TestHandle) {
        let cloud = Arc::new(Cloud::default());
        let schema = ProviderSchema {
            provider: BlockSchema::default(),
            resources: [("test_thing".to_string(), thing_schema())].into_iter().collect(),
            data_sources: [("test_lookup".to_string(), lookup_schema())].into_iter().collect(),
        };
        (TestFactory { cloud: cloud.clone(), schema }, TestHandle(cloud))
    }
}

#[async_trait]
impl ProviderFactory for TestFactory {
    fn name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }
    async fn configure(&self, _config: Value) -> Result<Arc<dyn Provider>, Diagnostics> {
        Ok(Arc::new(TestDriver { cloud: self.cloud.clone() }))
    }
}

struct TestDriver {
    cloud: Arc<Cloud>,
}

impl TestDriver {
    fn record(&self, s: String) {
        self.cloud.calls.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }
    fn objects(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Value>> {
        self.cloud.objects.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn violation(&self, what: String) -> Diagnostics {
        error("Test driver protocol violation", what)
    }
    fn read_one(&self, prior: &Value) -> Option<Value> {
        let id = attr(prior, "id").as_str()?;
        self.objects().get(id).cloned()
    }
}

fn name_of(v: &Value) -> String {
    attr(v, "name").as_str().unwrap_or("?").to_string()
}

#[async_trait]
impl Provider for TestDriver {
    async fn read(&self, req: ReadRequest) -> ReadResponse {
        self.record(format!("read {} {}", req.type_name, attr(&req.prior_state, "id").as_str().unwrap_or("?")));
        ReadResponse { new_state: self.read_one(&req.prior_state), diagnostics: Default::default() }
    }

    async fn read_batch(&self, reqs: Vec<ReadRequest>) -> Vec<ReadResponse> {
        self.record(format!("read_batch {}", reqs.len()));
        reqs.iter().map(|r| ReadResponse { new_state: self.read_one(&r.prior_state), diagnostics: Default::default() }).collect()
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        self.record(format!("plan {}", req.type_name));
        // Replacement is the engine's call, from the schema's force-new attributes.
        let mut planned = req.proposed_new_state;
        if req.prior_state.is_none() {
            set(&mut planned, "id", Value::Unknown);
            set(&mut planned, "computed_value", Value::Unknown);
        }
        PlanResponse::planned(planned)
    }

    async fn apply(&self, req: ApplyRequest) -> ApplyResponse {
        let kind = match (&req.prior_state, &req.planned_state) {
            (None, Some(_)) => "create",
            (Some(_), Some(_)) => "update",
            _ => "delete",
        };
        let subject = req.planned_state.as_ref().or(req.prior_state.as_ref()).map(name_of).unwrap_or_default();
        self.record(format!("apply {kind} {} {subject}", req.type_name));
        // Strict checks: the prior state must be what the cloud holds.
        if let Some(prior) = &req.prior_state {
            let id = attr(prior, "id").as_str().unwrap_or_default().to_string();
            match self.objects().get(&id) {
                Some(held) if held == prior => {}
                Some(held) => {
                    return ApplyResponse {
                        new_state: Some(held.clone()),
                        diagnostics: self.violation(format!("prior state for {id} does not match the object: {prior} vs {held}")),
                    }
                }
                None if kind == "delete" => return ApplyResponse::default(),
                None => return ApplyResponse { new_state: None, diagnostics: self.violation(format!("object {id} does not exist")) },
            }
        }
        let fail_on = req.planned_state.as_ref().or(req.prior_state.as_ref()).and_then(|v| attr(v, "fail_on").as_str().map(str::to_string));
        if fail_on.as_deref() == Some(kind) {
            return ApplyResponse {
                new_state: req.prior_state,
                diagnostics: error("Simulated failure", format!("The test driver was asked to fail on {kind} of \"{subject}\".")),
            };
        }
        let Some(mut planned) = req.planned_state else {
            if let Some(prior) = &req.prior_state {
                let id = attr(prior, "id").as_str().unwrap_or_default().to_string();
                self.objects().remove(&id);
            }
            return ApplyResponse::default();
        };
        if let Some(prior) = &req.prior_state {
            let forced = thing_schema().block.force_new_changes(prior, &planned);
            if !forced.is_empty() {
                return ApplyResponse {
                    new_state: Some(prior.clone()),
                    diagnostics: self.violation(format!("update changes force-new attribute(s) {forced:?}")),
                };
            }
        }
        if let Value::Map(m) = &planned {
            for (k, v) in m.iter() {
                if !v.is_wholly_known() && k != "id" && k != "computed_value" {
                    return ApplyResponse { new_state: req.prior_state, diagnostics: self.violation(format!("attribute {k} is still unknown at apply")) };
                }
            }
        }
        if kind == "create" {
            let n = self.cloud.next_id.fetch_add(1, Ordering::SeqCst);
            let id = format!("{}-{n}", name_of(&planned));
            if self.objects().contains_key(&id) {
                return ApplyResponse { new_state: None, diagnostics: self.violation(format!("object {id} exists already")) };
            }
            set(&mut planned, "id", Value::String(id));
            let cv = format!("computed-{}", name_of(&planned));
            set(&mut planned, "computed_value", Value::String(cv));
        }
        let id = attr(&planned, "id").as_str().unwrap_or_default().to_string();
        self.objects().insert(id, planned.clone());
        ApplyResponse { new_state: Some(planned), diagnostics: Default::default() }
    }

    async fn import(&self, req: ImportRequest) -> ImportResponse {
        match self.objects().get(&req.id) {
            Some(o) => ImportResponse { state: Some(o.clone()), diagnostics: Default::default() },
            None => ImportResponse { state: None, diagnostics: error("Cannot import non-existent remote object", format!("No object with id {}.", req.id)) },
        }
    }

    /// Version 0 of `test_thing` called `value` `legacy_value`.
    async fn upgrade_state(&self, req: UpgradeStateRequest) -> UpgradeStateResponse {
        self.record(format!("upgrade {} from {}", req.type_name, req.version));
        let mut state = req.raw;
        if req.version == 0 {
            if let Value::Map(m) = &mut state {
                let m = Arc::make_mut(m);
                if let Some(v) = m.remove("legacy_value") {
                    m.insert("value".into(), v);
                }
            }
        }
        UpgradeStateResponse { state, diagnostics: Diagnostics::new() }
    }

    async fn read_data(&self, req: ReadDataRequest) -> ReadDataResponse {
        self.record(format!("read_data {}", req.type_name));
        let mut v = req.config;
        let name = name_of(&v);
        set(&mut v, "value", Value::String(format!("looked-up-{name}")));
        ReadDataResponse { state: v, diagnostics: Default::default() }
    }
}
