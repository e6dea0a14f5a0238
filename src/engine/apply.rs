//! Applying a plan: creates, updates and replacements in dependency order, then deletes in
//! reverse dependency order, then the outputs; every result committed to the store the moment
//! its driver returns.

use super::*;

impl Engine<'_> {
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
