//! Fake drivers for `skyform test`: `mock_provider` blocks replace a whole provider, and
//! `override_resource` / `override_data` blocks replace the driver of chosen instances. A fake
//! never calls the real provider: a plan keeps the configuration and leaves computed attributes
//! unknown, an apply or a data source read fills them from the given values, else makes them up
//! as Terraform's mocks do (strings of 8 random characters, zero, false, empty collections).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use rand::Rng;

use super::file::{MockProvider, Override};
use crate::addr::ResourceInstanceAddr;
use crate::diag::Diagnostics;
use crate::provider::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, Provider, ProviderFactory, ReadDataRequest, ReadDataResponse, ReadRequest, ReadResponse, Registry,
};
use crate::schema::{AttrType, BlockSchema, ProviderSchema};
use crate::value::Value;

/// The values a fake gives one type's computed attributes.
#[derive(Clone, Debug, Default)]
struct Defaults {
    resources: BTreeMap<String, Value>,
    data: BTreeMap<String, Value>,
}

/// A driver that fakes every type of the provider whose schema it has.
struct Fake {
    real: Arc<dyn ProviderFactory>,
    defaults: Defaults,
}

impl Fake {
    fn schema(&self) -> &ProviderSchema {
        self.real.schema()
    }
}

/// A made-up value of a type, as Terraform's mocks make them.
fn made_up(ty: AttrType) -> Value {
    match ty {
        AttrType::String => {
            let mut rng = rand::rng();
            Value::String((0..8).map(|_| rng.sample(rand::distr::Alphanumeric) as char).collect::<String>().to_lowercase())
        }
        AttrType::Number => Value::Number(0.0),
        AttrType::Bool => Value::Bool(false),
        AttrType::ListOfString | AttrType::ListOfNumber | AttrType::ListOfObject => Value::List(Default::default()),
        AttrType::SetOfString | AttrType::SetOfNumber | AttrType::SetOfObject => Value::Set(Default::default()),
        AttrType::MapOfString | AttrType::MapOfNumber | AttrType::MapOfBool => Value::Map(Default::default()),
        AttrType::Any => Value::Null,
    }
}

/// `value` with every computed attribute that is unknown (or, for `fill_null`, null) taken
/// from `defaults`, else made up.
fn fill(schema: &BlockSchema, value: Value, defaults: Option<&Value>, fill_null: bool) -> Value {
    let Value::Map(mut m) = value else { return value };
    let map = Arc::make_mut(&mut m);
    for (name, a) in &schema.attributes {
        let current = map.get(name).cloned().unwrap_or(Value::Null);
        let open = matches!(current, Value::Unknown) || (fill_null && a.computed && current.is_null());
        if !open {
            continue;
        }
        let v = defaults.and_then(|d| d.get_attr(name)).cloned().unwrap_or_else(|| made_up(a.ty));
        map.insert(name.clone(), v);
    }
    Value::Map(m)
}

#[async_trait]
impl Provider for Fake {
    fn remote(&self, _type_name: &str) -> bool {
        false
    }

    async fn read(&self, req: ReadRequest) -> ReadResponse {
        ReadResponse { new_state: Some(req.prior_state), diagnostics: Diagnostics::new() }
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if let (None, Some(s), Value::Map(m)) = (&req.prior_state, self.schema().resources.get(&req.type_name), &mut planned) {
            let map = Arc::make_mut(m);
            for (name, _) in s.block.attributes.iter().filter(|(_, a)| a.computed) {
                if map.get(name).is_none_or(Value::is_null) {
                    map.insert(name.clone(), Value::Unknown);
                }
            }
        }
        PlanResponse { planned_state: planned, requires_replace: Vec::new(), diagnostics: Diagnostics::new() }
    }

    async fn apply(&self, req: ApplyRequest) -> ApplyResponse {
        let new_state = match (req.planned_state, self.schema().resources.get(&req.type_name)) {
            (None, _) => None,
            (Some(p), Some(s)) => Some(fill(&s.block, p, self.defaults.resources.get(&req.type_name), false)),
            (Some(p), None) => Some(p),
        };
        ApplyResponse { new_state, diagnostics: Diagnostics::new() }
    }

    async fn read_data(&self, req: ReadDataRequest) -> ReadDataResponse {
        let state = match self.schema().data_sources.get(&req.type_name) {
            Some(s) => fill(&s.block, req.config, self.defaults.data.get(&req.type_name), true),
            None => req.config,
        };
        ReadDataResponse { state, diagnostics: Diagnostics::new() }
    }
}

/// A `mock_provider`: the real provider's schema, a fake driver.
struct MockFactory {
    real: Arc<dyn ProviderFactory>,
    defaults: Defaults,
}

#[async_trait]
impl ProviderFactory for MockFactory {
    fn name(&self) -> &'static str {
        self.real.name()
    }
    fn schema(&self) -> &ProviderSchema {
        self.real.schema()
    }
    async fn configure(&self, _config: Value) -> Result<Arc<dyn Provider>, Diagnostics> {
        Ok(Arc::new(Fake { real: self.real.clone(), defaults: self.defaults.clone() }))
    }
}

/// The registry a test file runs with: the built-in providers, with its mocked ones replaced.
/// Returns the names of mocked providers skyform does not know.
pub fn registry_with_mocks(mocks: &[MockProvider]) -> (Registry, Vec<&MockProvider>) {
    let mut registry = Registry::builtin();
    let mut unknown = Vec::new();
    for m in mocks {
        let Some(real) = registry.get(&m.name).cloned() else {
            unknown.push(m);
            continue;
        };
        let defaults = Defaults { resources: m.resources.iter().cloned().collect(), data: m.data.iter().cloned().collect() };
        registry.register(Arc::new(MockFactory { real, defaults }));
    }
    (registry, unknown)
}

/// The instances a run's overrides (and its file's, and its mock providers') replace.
pub struct Overrides {
    entries: Vec<(Override, Arc<dyn ProviderFactory>)>,
    /// The test file's `provider` blocks, by key.
    providers: BTreeMap<String, crate::config::ProviderConfig>,
}

impl Overrides {
    /// The overrides in force for one run: the run's first, then the file's, then those of its
    /// mock providers (the first match wins). Targets of unknown providers are left out.
    pub fn new<'o>(registry: &Registry, overrides: impl IntoIterator<Item = &'o Override>, providers: &[crate::config::ProviderConfig]) -> Overrides {
        let entries = overrides
            .into_iter()
            .filter_map(|o| {
                let type_name = o.target.trim_start_matches("data.").split('.').next().unwrap_or_default();
                let factory = registry.get(crate::provider::registry::provider_for_type(type_name))?;
                Some((o.clone(), factory.clone()))
            })
            .collect();
        Overrides { entries, providers: providers.iter().map(|p| (p.key(), p.clone())).collect() }
    }
}

impl crate::engine::Substitutes for Overrides {
    fn substitute(&self, address: &ResourceInstanceAddr, type_name: &str) -> Option<Arc<dyn Provider>> {
        let instance = address.to_string();
        let resource = address.resource.to_string();
        let (o, real) = self.entries.iter().find(|(o, _)| o.target == instance || o.target == resource)?;
        let mut defaults = Defaults::default();
        let slot = if address.resource.mode == crate::addr::ResourceMode::Data { &mut defaults.data } else { &mut defaults.resources };
        slot.insert(type_name.to_string(), o.values.clone());
        Some(Arc::new(Fake { real: real.clone(), defaults }))
    }

    fn provider_config(&self, key: &str) -> Option<&crate::config::ProviderConfig> {
        self.providers.get(key)
    }
}
