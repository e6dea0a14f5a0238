//! The engine: turns configuration + state into a [`Plan`] (refresh, then diff through the
//! drivers) and applies a plan (walk in dependency order, call drivers, commit each result to
//! state the moment it returns). It reports through a [`Hook`] and never prints.
//!
//! Entry points: [`Engine::validate`], [`Engine::plan`], [`Engine::apply`].

pub(crate) mod checks;
pub(crate) mod conditions;
pub mod console;
mod destroy;
pub(crate) mod expand;
pub mod generate;
pub mod hook;
pub mod instance;
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

    /// Refreshes and diffs: returns the plan (changes sorted by address).
    pub async fn plan(&self, stored: &State, inputs: &BTreeMap<String, Value>, opts: &PlanOptions) -> Result<Plan, Diagnostics> {
        Ok(self.plan_probed(stored, inputs, opts, |_| ()).await?.0)
    }

    /// [`Engine::plan`], then `probe` called with the root module's scope holding the planned
    /// values (`skyform test`'s assertions on a `command = plan` run).
    pub async fn plan_probed<R>(
        &self,
        stored: &State,
        inputs: &BTreeMap<String, Value>,
        opts: &PlanOptions,
        probe: impl FnOnce(&console::Probe<'_>) -> R,
    ) -> Result<(Plan, R), Diagnostics> {
        refactor::validate(self.config)?;
        // `moved` blocks apply to a copy of the state; the plan records where each object was.
        let mut moved_state = None;
        let mut moves = refactor::Moves::default();
        let mut warnings = Diagnostics::new();
        if !opts.destroy && (crate::config::any_module(&self.config.root, &|m| !m.moved.is_empty()) || refactor::implied_moves_possible(self.config, stored)) {
            let mut copy = stored.clone();
            (moves, warnings) = refactor::apply_moves(self.config, &mut copy);
            moved_state = Some(copy);
        }
        let state = moved_state.as_ref().unwrap_or(stored);
        let graph = self.graph(state)?;
        let ctx = self.context(&graph, Op::Plan, opts, state, inputs, None, None)?;
        ctx.errors(warnings);
        self.run(&ctx, &graph, opts.parallelism).await;
        let mut diags = ctx.take_diags();
        if diags.has_errors() {
            return Err(diags);
        }
        if !opts.destroy {
            diags.extend(checks::run(&ctx, false).await);
            if diags.has_errors() {
                return Err(diags);
            }
        }
        let mut changes = std::mem::take(&mut *ctx.changes.lock().unwrap_or_else(|e| e.into_inner()));
        // Every import target must be an instance the configuration declares (or one already in
        // state, for which the block does nothing).
        if !opts.destroy && opts.targets.is_empty() {
            let mut missing = Diagnostics::new();
            let importing: HashSet<&str> = changes.iter().filter(|c| c.importing.is_some()).map(|c| c.address.as_str()).collect();
            for b in &self.config.root.imports {
                match instance::import_targets(&ctx, b) {
                    Ok(targets) => {
                        for t in targets.iter().filter(|t| !importing.contains(t.as_str()) && !state.resources.contains_key(t.as_str())) {
                            missing.push(
                                Diagnostic::error(
                                    "Configuration for import target does not exist",
                                    format!("The configuration for the given import target {t} does not exist. All target instances must have an associated configuration to be imported."),
                                )
                                .at(Some(&b.range)),
                            );
                        }
                    }
                    Err(d) => missing.extend(d),
                }
            }
            missing.into_result()?;
        }
        if self.cancel.load(Ordering::SeqCst) || ctx.cancel.load(Ordering::SeqCst) {
            return Err(Diagnostic::error("Operation cancelled", "The plan was interrupted before it finished; nothing was planned.").into());
        }
        // Instances of resources no longer in the configuration (or in a module instance no
        // longer in it), or everything for destroy.
        let planned: HashSet<String> = changes.iter().map(|c| c.address.clone()).collect();
        let visited = std::mem::take(&mut *ctx.visited.lock().unwrap_or_else(|e| e.into_inner()));
        for (addr, insts) in &ctx.state_by_resource {
            if visited.contains(addr) && !opts.destroy {
                continue;
            }
            let config = find_resource(self.config, addr);
            for s in insts {
                if planned.contains(&s.address) || s.mode == "data" || !targeted(&opts.targets, addr) {
                    continue;
                }
                // A type skyform cannot destroy (one it does not implement, from a state
                // migrated from Terraform) is kept, not planned for a delete that would fail.
                if !matches!(self.registry.lookup(crate::addr::ResourceMode::Managed, &s.type_name), crate::provider::registry::TypeSupport::Implemented(_)) {
                    ctx.unimplemented.lock().unwrap_or_else(|e| e.into_inner()).keep(&s.type_name, &s.address);
                    continue;
                }
                if opts.destroy && config.is_some_and(|r| r.lifecycle.prevent_destroy) {
                    return Err(instance::prevent_destroy_error(&s.address, config.expect("checked")));
                }
                // In the configuration, but not in any instance of its module: that module
                // instance is gone.
                let reason = if config.is_some() { ActionReason::DeleteBecauseNoModule } else { ActionReason::DeleteBecauseNoResourceConfig };
                let mut c = resource::delete_change(&ctx, s, reason.clone());
                c.reason = (!opts.destroy).then_some(reason);
                if matches!(ctx.refreshed.lock().unwrap_or_else(|e| e.into_inner()).get(&s.address), Some(None)) {
                    c.action = Action::Forget;
                    c.reason = Some(ActionReason::ForgetBecauseDeletedOutside);
                }
                if !opts.destroy && config.is_none() && refactor::forgotten(self.config, &s.address) {
                    c.action = Action::Forget;
                }
                changes.push(c);
            }
        }
        // Deposed objects, left by a create-before-destroy replacement whose delete failed
        // (or was interrupted), are destroyed, by plan and destroy alike.
        for s in state.resources.values() {
            let (_, Some(_)) = crate::state::split_deposed(&s.address) else { continue };
            if planned.contains(&s.address) || !targeted(&opts.targets, &state_resource_addr(s)) {
                continue;
            }
            let mut c = resource::delete_change(&ctx, s, ActionReason::DeleteBecauseNoResourceConfig);
            c.reason = None;
            if matches!(ctx.refreshed.lock().unwrap_or_else(|e| e.into_inner()).get(&s.address), Some(None)) {
                c.action = Action::Forget;
                c.reason = Some(ActionReason::ForgetBecauseDeletedOutside);
            }
            changes.push(c);
        }
        // Objects kept, not managed, found among those no longer configured.
        diags.extend(std::mem::take(&mut *ctx.unimplemented.lock().unwrap_or_else(|e| e.into_inner())).diagnostics());
        for c in &mut changes {
            c.previous_address = moves.previous.get(&c.address).cloned();
        }
        // Terraform's order: by module instance (shallower first), resource, then instance key
        // (numbers before strings).
        // A deposed object goes right after its instance.
        changes.sort_by_cached_key(|c| match crate::state::parse_key(&c.address) {
            Ok(a) => (a.resource.module.0.len(), a.resource.module.clone(), a.resource.local(), a.key, c.address.clone()),
            Err(_) => (0, Default::default(), c.address.clone(), None, String::new()),
        });
        let outputs = output_changes(&ctx, state, opts.destroy);
        let plan = Plan {
            changes,
            outputs,
            variables: root_variables(&ctx),
            destroy: opts.destroy,
            lineage: stored.lineage.clone(),
            serial: stored.serial,
            config_hash: String::new(),
            targets: opts.targets.clone(),
            refreshed: opts.refresh,
            warnings: diags,
            index: Default::default(),
        };
        let probed = console::Probe::of(&ctx, probe);
        Ok((plan, probed))
    }

    /// Applies a plan against the store: creates/updates/replacements in dependency order,
    /// then deletes in reverse dependency order, then the outputs.
    pub async fn apply(&self, plan: &Plan, store: &StateStore, parallelism: usize) -> ApplyResult {
        self.apply_probed(plan, store, parallelism, |_| ()).await.0
    }

    /// [`Engine::apply`], then `probe` called with the root module's scope holding the values
    /// after the apply (`skyform test`'s assertions on a `command = apply` run); no probe when
    /// the apply could not start.
    pub async fn apply_probed<R>(
        &self,
        plan: &Plan,
        store: &StateStore,
        parallelism: usize,
        probe: impl FnOnce(&console::Probe<'_>) -> R,
    ) -> (ApplyResult, Option<R>) {
        let mut result = ApplyResult::default();
        // Objects `moved` blocks moved: their rows are renamed first, in one transaction.
        let moves: Vec<(String, String)> = plan.changes.iter().filter_map(|c| Some((c.previous_address.clone()?, c.address.clone()))).collect();
        if !moves.is_empty() {
            if let Err(e) = store.move_resources(&moves) {
                result.diagnostics.push(Diagnostic::error("Failed to move objects in state", e.to_string()));
                return (result, None);
            }
        }
        let state = match store.load() {
            Ok(s) => s,
            Err(e) => {
                result.diagnostics.push(Diagnostic::error("Failed to load state", e.to_string()));
                return (result, None);
            }
        };
        let graph = match self.graph(&state) {
            Ok(g) => g,
            Err(d) => {
                result.diagnostics = d;
                return (result, None);
            }
        };
        let opts = PlanOptions { destroy: plan.destroy, refresh: false, targets: plan.targets.clone(), replace: Vec::new(), parallelism };
        let ctx = match self.context(&graph, Op::Apply, &opts, &state, &plan.variables, Some(plan), Some(store)) {
            Ok(c) => c,
            Err(d) => {
                result.diagnostics = d;
                return (result, None);
            }
        };
        // Creates an interrupted run left unanswered are retried under their journal entries.
        let unanswered: HashMap<String, i64> = store
            .pending_operations()
            .unwrap_or_default()
            .into_iter()
            .filter(|o| o.action == "create" && o.object.is_none())
            .map(|o| (o.address, o.id))
            .collect();
        *ctx.retries.lock().unwrap_or_else(|e| e.into_inner()) = unanswered;
        let ops = plan.changes.iter().filter(|c| !matches!(c.action, Action::NoOp | Action::Read)).count();
        self.hook.apply_total(ops);
        self.run(&ctx, &graph, parallelism).await;
        if !ctx.cancel.load(Ordering::SeqCst) && !self.cancel.load(Ordering::SeqCst) {
            self.apply_deletes(&ctx, plan, &state, parallelism).await;
            for c in plan.changes.iter().filter(|c| c.action == Action::Forget) {
                if let Err(e) = store.delete_resource(None, &c.address) {
                    ctx.error(Diagnostic::error("Failed to write state", e.to_string()).with_address(&c.address));
                }
            }
            if !plan.destroy && !ctx.diags.lock().unwrap_or_else(|e| e.into_inner()).has_errors() {
                ctx.errors(checks::run(&ctx, true).await);
            }
        }
        result.interrupted = ctx.cancel.load(Ordering::SeqCst) || self.cancel.load(Ordering::SeqCst);
        // A whole, successful apply did not need the unanswered creates it did not retry: their
        // instances are no longer in the configuration, or already in state.
        if !result.interrupted && plan.targets.is_empty() && !ctx.diags.lock().unwrap_or_else(|e| e.into_inner()).has_errors() {
            for (_, id) in std::mem::take(&mut *ctx.retries.lock().unwrap_or_else(|e| e.into_inner())) {
                if let Err(e) = store.clear_operation(id) {
                    ctx.error(Diagnostic::error("Failed to write state", e.to_string()));
                }
            }
        }
        let mut outputs = BTreeMap::new();
        if !plan.destroy {
            for (name, (v, sensitive)) in ctx.root_outputs() {
                match v {
                    Some(v) => {
                        outputs.insert(name, (v, sensitive));
                    }
                    // Left out by -target: the stored value stays.
                    None => {
                        if let Some(o) = state.outputs.get(&name) {
                            outputs.insert(name, (o.value.clone().mark_if(o.sensitive), o.sensitive));
                        }
                    }
                }
            }
        }
        let stored: BTreeMap<String, OutputState> = outputs
            .iter()
            .filter(|(_, (v, _))| v.is_wholly_known() && !v.is_null())
            .map(|(k, (v, s))| (k.clone(), OutputState { value: v.clone().strip_marks(), sensitive: *s }))
            .collect();
        if let Err(e) = store.replace_outputs(&stored) {
            ctx.error(Diagnostic::error("Failed to write state", e.to_string()));
        }
        result.counts = *ctx.counts.lock().unwrap_or_else(|e| e.into_inner());
        result.outputs = outputs;
        result.diagnostics = ctx.take_diags();
        let probed = console::Probe::of(&ctx, probe);
        (result, Some(probed))
    }

    /// Runs the plan's pure deletes, dependents first (by the dependencies recorded in state).
    async fn apply_deletes(&self, ctx: &Ctx<'_>, plan: &Plan, state: &State, parallelism: usize) {
        let deletes: Vec<_> = plan.changes.iter().filter(|c| c.action == Action::Delete).collect();
        if deletes.is_empty() {
            return;
        }
        let mut g: DiGraph<usize, ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..deletes.len()).map(|i| g.add_node(i)).collect();
        let mut by_resource: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in deletes.iter().enumerate() {
            if let Some(s) = state.resources.get(&c.address) {
                by_resource.entry(state_resource_addr(s)).or_default().push(i);
            }
        }
        for (i, c) in deletes.iter().enumerate() {
            let Some(s) = state.resources.get(&c.address) else { continue };
            for dep in &s.dependencies {
                for j in by_resource.get(dep).into_iter().flatten() {
                    if *j != i {
                        g.update_edge(nodes[*j], nodes[i], ());
                    }
                }
            }
        }
        let cancel = AtomicBool::new(false);
        walk(&g, parallelism, true, &cancel, |idx| {
            let c = deletes[g[idx]];
            async move { ctx.destroys.destroy(ctx, &c.address).await }
        })
        .await;
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

fn root_variables(ctx: &Ctx<'_>) -> BTreeMap<String, Value> {
    ctx.config
        .root
        .variables
        .keys()
        .filter_map(|name| {
            let idx = ctx.graph.node(&NodeKind::Variable { module: crate::addr::ModulePath::root(), name: name.clone() })?;
            Some((name.clone(), ctx.value_at(idx, &crate::addr::ModulePath::root())?.strip_marks()))
        })
        .collect()
}

fn output_changes(ctx: &Ctx<'_>, state: &State, destroy: bool) -> Vec<OutputChange> {
    let mut out = Vec::new();
    for (name, (value, sensitive)) in ctx.root_outputs() {
        let before = state.outputs.get(&name);
        let before_v = before.map(|o| o.value.clone().mark_if(o.sensitive)).unwrap_or(Value::Null);
        if destroy {
            if before.is_some() {
                out.push(OutputChange { name, action: Action::Delete, before: before_v, after: Value::Null, sensitive });
            }
            continue;
        }
        // An output left out by -target keeps its value: no change to show.
        if value.is_none() && ctx.included.is_some() {
            continue;
        }
        let after = value.unwrap_or(Value::Unknown);
        let action = match before {
            None => Action::Create,
            Some(o) if o.value == after.clone().strip_marks() && after.is_wholly_known() => Action::NoOp,
            Some(_) => Action::Update,
        };
        out.push(OutputChange { name, action, before: before_v, after, sensitive });
    }
    for (name, o) in &state.outputs {
        if !ctx.config.root.outputs.contains_key(name) {
            out.push(OutputChange {
                name: name.clone(),
                action: Action::Delete,
                before: o.value.clone().mark_if(o.sensitive),
                after: Value::Null,
                sensitive: o.sensitive,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

impl Engine<'_> {
    /// `skyform import ADDR ID`: configures the resource's provider (evaluating its block as a
    /// plan would), asks the driver to read the object `id`, and returns the state entry to
    /// commit. The address must be declared in the configuration and not yet in state.
    pub async fn import(
        &self,
        state: &State,
        inputs: &BTreeMap<String, Value>,
        address: &str,
        id: &str,
    ) -> Result<crate::state::ResourceInstanceState, Diagnostics> {
        use crate::addr::{ResourceInstanceAddr, ResourceMode};
        let err = |summary: &str, detail: String| -> Diagnostics { Diagnostic::error(summary, detail).into() };
        let addr = ResourceInstanceAddr::parse(address).map_err(|e| err("Invalid address", e.to_string()))?;
        if addr.resource.mode == ResourceMode::Data {
            return Err(err("Invalid import address", "Data sources cannot be imported: they are read on every plan.".into()));
        }
        let module = crate::graph::build::module_at(&self.config.root, &addr.resource.module)
            .ok_or_else(|| err("Configuration for import target does not exist", format!("The module of {address} is not in the configuration.")))?;
        let r = module.resources.get(&addr.resource.local()).ok_or_else(|| {
            err(
                "Configuration for import target does not exist",
                format!("The configuration does not declare {}. Add a resource block for it before importing.", addr.resource),
            )
        })?;
        let key_ok = matches!(
            (&addr.key, r.count.is_some(), r.for_each.is_some()),
            (None, false, false) | (Some(crate::addr::InstanceKey::Int(_)), true, _) | (Some(crate::addr::InstanceKey::Str(_)), _, true)
        );
        if !key_ok {
            return Err(err("Invalid instance key", format!("{address} does not match how {} is declared (count, for_each, or neither).", addr.resource)));
        }
        if state.resources.contains_key(&addr.to_string()) {
            return Err(err(
                "Resource already managed by skyform",
                format!("skyform is already managing a remote object for {address}. To import to this address you must first remove the existing object from the state (`skyform state rm {address}`)."),
            ));
        }
        let graph = self.graph(state)?;
        let opts = PlanOptions { refresh: false, targets: vec![addr.resource.to_string()], ..PlanOptions::default() };
        let ctx = self.context(&graph, Op::Plan, &opts, state, inputs, None, None)?;
        self.run(&ctx, &graph, opts.parallelism).await;
        let diags = ctx.take_diags();
        if diags.has_errors() {
            return Err(diags);
        }
        let driver = ctx
            .providers
            .get(&r.provider)
            .and_then(|slot| slot.get())
            .cloned()
            .ok_or_else(|| err("Provider not configured", format!("The provider {} for {address} could not be configured.", r.provider)))?;
        let attributes = instance::read_import(driver.as_ref(), &r.type_name, id, &addr.to_string(), None).await?;
        let schema = self
            .registry
            .resource_schema(&r.type_name)
            .ok_or_else(|| err("Unknown resource type", format!("No provider has the resource type {}.", r.type_name)))?;
        let node = graph.node(&NodeKind::Resource { module: addr.resource.module.without_keys(), key: addr.resource.local() });
        let deps = node.map(|idx| resource::resource_dependencies(&ctx, idx, &addr.resource.module)).unwrap_or_default();
        Ok(instance::state_entry(&addr, &r.provider, schema, attributes, &[], deps))
    }
}
