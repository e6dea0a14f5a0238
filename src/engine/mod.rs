//! The engine: turns configuration + state into a [`Plan`] (refresh, then diff through the
//! drivers) and applies a plan (walk in dependency order, call drivers, commit each result to
//! state the moment it returns). It reports through a [`Hook`] and never prints.
//!
//! Entry points: [`Engine::validate`], [`Engine::plan`] (`plan.rs`), [`Engine::apply`]
//! (`apply.rs`), [`Engine::import`] (`import.rs`). This file holds the engine's construction,
//! the walk context every operation starts from, the graph and the `-target` rules.

mod apply;
pub(crate) mod checks;
pub(crate) mod conditions;
pub mod console;
mod destroy;
pub(crate) mod expand;
pub mod generate;
pub mod hook;
mod import;
pub mod instance;
mod plan;
pub mod providers;
pub(crate) mod provision;
pub(crate) mod refactor;
pub mod resource;
pub mod scope;
pub mod walk;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use petgraph::graph::{DiGraph, NodeIndex};

pub use hook::{Hook, NoHook};
pub use walk::ApplyCounts;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{build_graph, walk::walk, Graph, NodeKind};
use crate::plan::{Action, ActionReason, OutputChange, Plan};
use crate::provider::Registry;
use crate::state::{OutputState, State, StateStore};
use crate::value::Value;
use walk::{state_resource_addr, Ctx};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Validate,
    Plan,
    Apply,
}

#[derive(Clone, Debug)]
pub struct PlanOptions {
    pub destroy: bool,
    pub refresh: bool,
    /// `-target` resource addresses (instance keys are ignored: the whole resource is targeted).
    pub targets: Vec<String>,
    /// `-replace` instance addresses.
    pub replace: Vec<String>,
    pub parallelism: usize,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { destroy: false, refresh: true, targets: Vec::new(), replace: Vec::new(), parallelism: 10 }
    }
}

/// What an apply did.
#[derive(Debug, Default)]
pub struct ApplyResult {
    pub counts: ApplyCounts,
    /// Root outputs after the apply: value and whether it is sensitive.
    pub outputs: BTreeMap<String, (Value, bool)>,
    pub diagnostics: Diagnostics,
    /// True when Ctrl-C stopped the apply early.
    pub interrupted: bool,
}

pub struct Engine<'a> {
    pub config: &'a Config,
    pub registry: &'a Registry,
    /// The root module directory (`path.root`).
    pub root_dir: &'a Path,
    pub hook: &'a dyn Hook,
    /// Set (by a Ctrl-C handler) to stop scheduling new work.
    pub cancel: Arc<AtomicBool>,
    /// Instances whose driver is replaced by a fake (`skyform test`'s overrides).
    pub substitutes: Option<&'a dyn Substitutes>,
}

/// Instances whose driver `skyform test` replaces (`override_resource`, `override_data`): the
/// engine asks before each refresh, plan, apply or read of an instance, and calls the
/// substitute instead of the configured provider when there is one.
pub trait Substitutes: Send + Sync {
    /// The driver for instance `address` (a data source's address starts with `data.`).
    fn substitute(&self, address: &crate::addr::ResourceInstanceAddr, type_name: &str) -> Option<Arc<dyn crate::provider::Provider>>;

    /// A provider configuration (by key: `aws`, `aws.west`) to use instead of the root module's
    /// (a test file's `provider` blocks).
    fn provider_config(&self, _key: &str) -> Option<&crate::config::ProviderConfig> {
        None
    }
}

impl<'a> Engine<'a> {
    /// An engine over a loaded configuration, with no Ctrl-C flag and no substitutes.
    pub fn new(config: &'a Config, registry: &'a Registry, root_dir: &'a Path, hook: &'a dyn Hook) -> Engine<'a> {
        Engine { config, registry, root_dir, hook, cancel: Arc::default(), substitutes: None }
    }

    /// Stops scheduling new work once `cancel` is set.
    pub fn with_cancel(mut self, cancel: Arc<AtomicBool>) -> Engine<'a> {
        self.cancel = cancel;
        self
    }

    /// Replaces the driver of the instances `substitutes` names.
    pub fn with_substitutes(mut self, substitutes: &'a dyn Substitutes) -> Engine<'a> {
        self.substitutes = Some(substitutes);
        self
    }

    #[allow(clippy::too_many_arguments)]
    fn context<'c>(
        &'c self,
        graph: &'c Graph,
        op: Op,
        opts: &'c PlanOptions,
        state: &'c State,
        inputs: &'c BTreeMap<String, Value>,
        plan: Option<&'c Plan>,
        store: Option<&'c StateStore>,
    ) -> Result<Ctx<'c>, Diagnostics> {
        let mut state_by_resource: HashMap<String, Vec<_>> = HashMap::new();
        // Deposed objects are not instances of their resource: they are only ever destroyed.
        for r in state.resources.values().filter(|r| crate::state::split_deposed(&r.address).1.is_none()) {
            state_by_resource.entry(state_resource_addr(r)).or_default().push(r);
        }
        let providers = graph
            .dag
            .node_indices()
            .filter_map(|i| match &graph.dag[i].kind {
                NodeKind::Provider { key } => Some((key.clone(), OnceLock::new())),
                _ => None,
            })
            .collect();
        Ok(Ctx {
            config: self.config,
            graph,
            registry: self.registry,
            root_dir: self.root_dir,
            op,
            opts,
            state,
            inputs,
            plan,
            store,
            hook: self.hook,
            values: (0..graph.dag.node_count()).map(|_| OnceLock::new()).collect(),
            modules: Default::default(),
            visited: Mutex::new(HashSet::new()),
            providers,
            refreshed: Mutex::new(HashMap::new()),
            changes: Mutex::new(Vec::new()),
            pending: Mutex::new(HashSet::new()),
            diags: Mutex::new(Diagnostics::new()),
            included: included_nodes(graph, &opts.targets)?,
            state_by_resource,
            counts: Mutex::new(ApplyCounts::default()),
            cancel: AtomicBool::new(false),
            unimplemented: Mutex::new(Default::default()),
            configure_providers: true,
            destroys: plan.map(|p| destroy::Destroys::new(p, state)).unwrap_or_default(),
            slots: tokio::sync::Semaphore::new(opts.parallelism.max(1)),
            interrupt: self.cancel.clone(),
            retries: Mutex::new(HashMap::new()),
            substitutes: self.substitutes,
            state_only: false,
        })
    }

    fn graph(&self, state: &State) -> Result<Graph, Diagnostics> {
        let mut keys: Vec<String> = state.resources.values().map(|r| providers::provider_key(&r.provider)).collect();
        keys.sort();
        keys.dedup();
        let graph = build_graph(self.config, &keys)?;
        self.check_attribute_uses(&graph)?;
        Ok(graph)
    }

    /// A reference to an attribute that is in the provider's schema but that skyform's driver
    /// does not implement would read null where Terraform has a value: an error at the
    /// reference, once per place, instead of a silently wrong value.
    fn check_attribute_uses(&self, graph: &Graph) -> Result<(), Diagnostics> {
        use crate::provider::registry::TypeSupport;
        let mut diags = Diagnostics::new();
        let mut seen = HashSet::new();
        for u in &graph.attribute_uses {
            let mode = if u.data { crate::addr::ResourceMode::Data } else { crate::addr::ResourceMode::Managed };
            let TypeSupport::Implemented(schema) = self.registry.lookup(mode, &u.type_name) else { continue };
            let unsupported = schema.block.attributes.get(&u.attribute).is_some_and(|a| a.unsupported)
                || schema.block.blocks.get(&u.attribute).is_some_and(|b| b.unsupported);
            if unsupported && seen.insert((u.type_name.clone(), u.attribute.clone(), u.range.to_string())) {
                let kind = if u.data { "data source" } else { "resource type" };
                diags.push(
                    Diagnostic::error(
                        "Attribute not implemented",
                        format!(
                            "\"{}\" is in the {kind} {}'s schema, but skyform does not implement it yet, so it would have no value here. Use another attribute, or compute the value in the configuration.",
                            u.attribute, u.type_name
                        ),
                    )
                    .at(Some(&u.range)),
                );
            }
        }
        diags.into_result()
    }

    async fn run<'c>(&self, ctx: &'c Ctx<'c>, graph: &'c Graph, parallelism: usize) {
        let cancel = &ctx.cancel;
        let outer = self.cancel.clone();
        walk(&graph.dag, parallelism, false, cancel, |idx| {
            if outer.load(Ordering::SeqCst) {
                cancel.store(true, Ordering::SeqCst);
            }
            let op = ctx.op;
            crate::trace::in_span(
                move || format!("{} {}", format!("{op:?}").to_lowercase(), graph.dag[idx].kind.address()),
                move || vec![("skyform.node", graph.dag[idx].kind.address())],
                ctx.visit(idx),
            )
        })
        .await;
    }

    /// Checks the configuration without state or provider calls: references, types, schemas.
    pub async fn validate(&self) -> Diagnostics {
        let state = State::default();
        let graph = match self.graph(&state) {
            Ok(g) => g,
            Err(d) => return d,
        };
        let refactoring = refactor::validate(self.config).err().unwrap_or_default();
        let opts = PlanOptions::default();
        let inputs = BTreeMap::new();
        let ctx = match self.context(&graph, Op::Validate, &opts, &state, &inputs, None, None) {
            Ok(c) => c,
            Err(d) => return d,
        };
        self.run(&ctx, &graph, 1).await;
        let mut diags = refactoring;
        diags.extend(ctx.take_diags());
        diags
    }
}

/// Whether a resource (`module.app["eu"].aws_s3_bucket.b`) is under `-target`: targets name
/// whole resources, in any instance of their module.
fn targeted(targets: &[String], resource_addr: &str) -> bool {
    if targets.is_empty() {
        return true;
    }
    let Ok(addr) = crate::addr::ResourceInstanceAddr::parse(resource_addr) else { return false };
    let have = &addr.resource.module;
    targets.iter().filter_map(|t| crate::addr::ObjectAddr::parse(t).ok()).any(|t| match t {
        crate::addr::ObjectAddr::Resource(t) => {
            t.resource.module.0.len() == have.0.len() && t.resource.module.leads(have, true) && t.resource.local() == addr.resource.local()
        }
        crate::addr::ObjectAddr::Module(m) => m.leads(have, true),
    })
}

fn find_resource<'c>(config: &'c Config, addr: &str) -> Option<&'c crate::config::Resource> {
    let parsed = crate::state::parse_key(addr).ok()?;
    let m = crate::graph::build::module_at(&config.root, &parsed.resource.module)?;
    m.resources.get(&parsed.resource.local())
}

/// The resource nodes `-target` includes: the targets and everything they depend on.
fn included_nodes(graph: &Graph, targets: &[String]) -> Result<Option<HashSet<NodeIndex>>, Diagnostics> {
    if targets.is_empty() {
        return Ok(None);
    }
    let mut set = HashSet::new();
    let mut stack = Vec::new();
    for t in targets {
        match crate::addr::ObjectAddr::parse(t).map_err(|e| Diagnostics::from(Diagnostic::error("Invalid target address", e.to_string())))? {
            crate::addr::ObjectAddr::Resource(parsed) => {
                let kind = NodeKind::Resource { module: parsed.resource.module.without_keys(), key: parsed.resource.local() };
                stack.extend(graph.node(&kind));
            }
            // A module: every resource in it and in the modules it calls.
            crate::addr::ObjectAddr::Module(m) => {
                let prefix = m.without_keys();
                stack.extend(graph.index.iter().filter_map(|(k, i)| match k {
                    NodeKind::Resource { module, .. } if module.0.len() >= prefix.0.len() && module.prefix(prefix.0.len()) == prefix => Some(*i),
                    _ => None,
                }));
            }
        }
    }
    while let Some(i) = stack.pop() {
        if set.insert(i) {
            stack.extend(graph.dag.neighbors_directed(i, petgraph::Direction::Incoming));
        }
    }
    Ok(Some(set))
}
