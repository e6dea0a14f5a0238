//! Planning: refresh every managed instance, diff the configuration against the state through
//! the drivers, and assemble the [`Plan`] (changes sorted by address, output changes, the root
//! variables, the state lineage and serial, the configuration hash).

use super::*;

impl Engine<'_> {
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
