//! One resource instance: plan it (proposed new state, provider plan, action choice,
//! `ignore_changes`, `replace_triggered_by`, `prevent_destroy`) or apply its planned change
//! (re-plan with now-known values, check it matches the saved plan, call the driver, commit the
//! result to state at once, with the pending-operations journal around the call).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use petgraph::graph::NodeIndex;

use super::scope::NodeScope;
use super::walk::Ctx;
use crate::addr::{InstanceKey, ResourceInstanceAddr, ResourceMode};
use crate::config::{IgnoreChanges, Resource};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::eval_expr;
use crate::log::{log, Level};
use crate::plan::{Action, ActionReason, ResourceChange};
use crate::provider::{ApplyRequest, ApplyResponse, Operation, PlanRequest, PlanResponse, Provider, ReadDataRequest};
use crate::schema::{BlockSchema, ResourceSchema};
use crate::state::ResourceInstanceState;
use crate::value::{AttrPath, PathStep, Value};

pub(crate) struct InstanceCtx<'i, 'a> {
    pub ctx: &'i Ctx<'a>,
    pub resource: &'a Resource,
    pub schema: &'a ResourceSchema,
    pub addr: &'i ResourceInstanceAddr,
    pub node: NodeIndex,
    pub scope: &'i NodeScope<'i, 'a>,
}

impl InstanceCtx<'_, '_> {
    fn provider(&self) -> Result<std::sync::Arc<dyn Provider>, Diagnostics> {
        self.ctx
            .driver_for(&self.resource.provider, &self.addr.to_string(), &self.resource.type_name)
            .ok_or_else(|| Diagnostic::error("Provider not configured", format!("The provider \"{}\" was not configured.", self.resource.provider)).into())
    }

    fn fail(&self, diags: Diagnostics) -> Result<Value, Diagnostics> {
        Err(Diagnostics(diags.0.into_iter().map(|d| self.locate(d)).collect()))
    }

    /// Reports a driver's warnings (a call that succeeded may still warn).
    fn warn(&self, diags: &Diagnostics) {
        let warnings: Vec<Diagnostic> = diags.iter().filter(|d| !d.is_error()).cloned().map(|d| self.locate(d)).collect();
        if !warnings.is_empty() {
            self.ctx.errors(Diagnostics(warnings));
        }
    }

    /// A driver's diagnostic with this instance's address, at the line of the argument it names
    /// (else at the resource block).
    fn locate(&self, d: Diagnostic) -> Diagnostic {
        let arg = d.attribute.as_deref().and_then(|a| self.resource.body.attribute(a)).map(|a| a.expr_range.clone());
        d.with_address(self.addr).at(arg.as_ref()).at(Some(&self.resource.range))
    }
}

/// Terraform's "proposed new state": config values, with prior values kept for computed
/// attributes the config leaves null.
pub(crate) fn proposed_new(schema: &BlockSchema, prior: Option<&Value>, config: &Value) -> Value {
    let Value::Map(cfg) = config else { return config.clone() };
    let mut out = BTreeMap::clone(cfg);
    for (name, a) in &schema.attributes {
        let c = cfg.get(name).cloned().unwrap_or(Value::Null);
        let v = if c.is_null() && a.computed { prior.and_then(|p| p.get_attr(name)).cloned().unwrap_or(Value::Null) } else { c };
        out.insert(name.clone(), v);
    }
    Value::Map(out.into())
}

fn string_leaves(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !s.is_empty() => out.push(s.clone()),
        Value::Sensitive(inner) => string_leaves(inner, out),
        Value::List(items) | Value::Set(items) => items.iter().for_each(|x| string_leaves(x, out)),
        Value::Map(m) => m.values().for_each(|x| string_leaves(x, out)),
        _ => {}
    }
}

/// Marks every string equal to one of `secrets`.
fn taint(v: Value, secrets: &[String]) -> Value {
    match v {
        Value::String(ref s) if secrets.contains(s) => v.mark(),
        Value::List(items) => Value::List(items.into_iter().map(|x| taint(x, secrets)).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(|x| taint(x, secrets)).collect()),
        Value::Map(m) => Value::Map(Arc::new(Arc::unwrap_or_clone(m).into_iter().map(|(k, x)| (k, taint(x, secrets))).collect())),
        other => other,
    }
}

/// Replaces ignored attributes of the config with the prior values.
fn apply_ignore(config: Value, prior: &Value, ignore: &IgnoreChanges, schema: &BlockSchema) -> Value {
    match ignore {
        IgnoreChanges::None => config,
        IgnoreChanges::All => {
            let Value::Map(mut m) = config else { return config };
            for name in schema.attributes.keys() {
                if let Some(p) = prior.get_attr(name) {
                    Arc::make_mut(&mut m).insert(name.clone(), p.clone());
                }
            }
            Value::Map(m)
        }
        IgnoreChanges::Paths(paths) => paths.iter().fold(config, |c, p| set_path(c, p, prior.get_path(p).cloned())),
    }
}

fn set_path(v: Value, path: &[PathStep], new: Option<Value>) -> Value {
    let Some((first, rest)) = path.split_first() else { return new.unwrap_or(Value::Null) };
    match (v, first) {
        (Value::Map(mut m), PathStep::Key(k)) => {
            let m_mut = Arc::make_mut(&mut m);
            let child = m_mut.remove(k).unwrap_or(Value::Null);
            let updated = set_path(child, rest, new);
            if !(rest.is_empty() && updated.is_null() && !m_mut.is_empty() && path.len() > 1) {
                m_mut.insert(k.clone(), updated);
            }
            Value::Map(m)
        }
        (Value::List(mut items), PathStep::Index(i)) if (*i as usize) < items.len() => {
            let child = std::mem::take(&mut items[*i as usize]);
            items[*i as usize] = set_path(child, rest, new);
            Value::List(items)
        }
        (other, _) => other,
    }
}

/// Marks the schema's sensitive attributes and the places the config marked, and any other
/// place where a provider echoes a sensitive string back (`terraform_data.output` repeats its
/// `input`): Terraform loses the mark there and prints the secret; skyform keeps it.
fn mark(value: Value, marks: &[AttrPath], schema: &BlockSchema) -> Value {
    let mut v = value.mark_paths(marks);
    if !marks.is_empty() {
        let mut secrets = Vec::new();
        for p in marks {
            if let Some(x) = v.get_path(p) {
                string_leaves(x, &mut secrets);
            }
        }
        if !secrets.is_empty() {
            v = taint(v, &secrets);
        }
    }
    if let Value::Map(m) = &mut v {
        let m = Arc::make_mut(m);
        for (name, a) in &schema.attributes {
            if a.sensitive {
                if let Some(x) = m.remove(name) {
                    m.insert(name.clone(), if x.is_null() { x } else { x.mark() });
                }
            }
        }
    }
    v
}

/// True when every known value in the saved plan equals the new plan's value.
fn consistent(saved: &Value, new: &Value) -> bool {
    match (saved, new) {
        (Value::Unknown, _) => true,
        (Value::Map(a), Value::Map(b)) => a.iter().all(|(k, v)| consistent(v, b.get(k).unwrap_or(&Value::Null))),
        (Value::List(a), Value::List(b)) | (Value::Set(a), Value::Set(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| consistent(x, y)),
        (a, b) => a == b,
    }
}

pub(crate) fn prevent_destroy_error(address: &str, r: &Resource) -> Diagnostics {
    Diagnostic::error(
        "Instance cannot be destroyed",
        format!("Resource {address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."),
    )
    .with_address(address)
    .at(Some(&r.range))
    .into()
}

fn index_json(key: &Option<InstanceKey>) -> Option<serde_json::Value> {
    match key {
        Some(InstanceKey::Int(i)) => Some(serde_json::json!(i)),
        Some(InstanceKey::Str(s)) => Some(serde_json::json!(s)),
        None => None,
    }
}

fn change(i: &InstanceCtx<'_, '_>, action: Action, reason: Option<ActionReason>, before: Value, after: Value, rr: Vec<AttrPath>) -> ResourceChange {
    let a = &i.addr.resource;
    ResourceChange {
        address: i.addr.to_string(),
        module: a.module.to_string(),
        mode: if a.mode == ResourceMode::Data { "data".into() } else { "managed".into() },
        type_name: a.type_name.clone(),
        name: a.name.clone(),
        index: index_json(&i.addr.key),
        provider: super::providers::provider_address(&i.resource.provider),
        action,
        reason,
        before,
        after,
        requires_replace: rr,
        importing: None,
        previous_address: None,
        generated_config: None,
    }
}

/// Whether `replace_triggered_by` fires: a referenced resource is planned for update or
/// replacement, or a referenced attribute's value changes.
fn replace_triggered(i: &InstanceCtx<'_, '_>) -> Result<bool, Diagnostics> {
    for t in &i.resource.lifecycle.replace_triggered_by {
        let Some(text) = crate::config::load::traversal_text(&t.expr) else { continue };
        let refs = crate::eval::references(&t.expr);
        let Some(r) = refs.first() else { continue };
        let resource_prefix = match i.addr.resource.module.is_root() {
            true => format!("{}.{}", r.root, r.attrs.first().cloned().unwrap_or_default()),
            false => format!("{}.{}.{}", i.addr.resource.module, r.root, r.attrs.first().cloned().unwrap_or_default()),
        };
        let attr_path = text.splitn(3, '.').nth(2).map(|s| s.to_string());
        let changes = i.ctx.changes.lock().unwrap_or_else(|e| e.into_inner());
        for c in changes.iter().filter(|c| c.address == resource_prefix || c.address.starts_with(&format!("{resource_prefix}["))) {
            let fired = match &attr_path {
                None => matches!(c.action, Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete),
                Some(p) => {
                    let name = p.split(['.', '[']).next().unwrap_or(p);
                    let before = c.before.get_attr(name).cloned().unwrap_or(Value::Null);
                    let after = c.after.get_attr(name).cloned().unwrap_or(Value::Null);
                    c.action != Action::NoOp && (!after.is_wholly_known() || before.strip_marks() != after.strip_marks())
                }
            };
            if fired {
                return Ok(true);
            }
        }
        drop(changes);
        // Evaluate once so a bad reference is reported.
        eval_expr(&t.expr, i.scope).map_err(|e| Diagnostic::error(e.summary, e.detail).at(Some(&t.expr_range)))?;
    }
    Ok(false)
}

/// The prior state for planning: refreshed if refreshed, else as stored (plain, and its marks).
fn prior_of(i: &InstanceCtx<'_, '_>) -> (Option<Value>, Vec<AttrPath>, bool) {
    let addr = i.addr.to_string();
    let Some(stored) = i.ctx.state.resources.get(&addr) else { return (None, Vec::new(), false) };
    let refreshed = i.ctx.refreshed.lock().unwrap_or_else(|e| e.into_inner()).get(&addr).cloned();
    match refreshed {
        Some(None) => (None, Vec::new(), true),
        Some(Some(v)) => (Some(v), stored.sensitive_paths.clone(), false),
        // Not refreshed: the stored state, with the schema's sets and absent attributes back.
        None => (Some(i.schema.block.normalize(stored.attributes.clone())), stored.sensitive_paths.clone(), false),
    }
}

pub(crate) async fn plan_instance(i: &InstanceCtx<'_, '_>, config: Value) -> Result<Value, Diagnostics> {
    let r = i.resource;
    let provider = i.provider()?;
    let (mut cfg, cfg_marks) = config.unmark_deep();
    if r.mode == ResourceMode::Data {
        // Read at apply when the configuration is not known yet, or when a resource it depends
        // on (through `depends_on` or a reference) has changes pending, as in Terraform.
        let deferred = if !cfg.is_wholly_known() {
            Some(ActionReason::ReadBecauseConfigUnknown)
        } else {
            let deps = super::resource::resource_dependencies(i.ctx, i.node, &i.addr.resource.module);
            let pending = i.ctx.pending.lock().unwrap_or_else(|e| e.into_inner());
            deps.iter().any(|d| pending.contains(d)).then_some(ActionReason::ReadBecauseDependencyPending)
        };
        if let Some(reason) = deferred {
            let after = Value::Unknown;
            i.ctx.changes.lock().unwrap_or_else(|e| e.into_inner()).push(change(i, Action::Read, Some(reason), Value::Null, after.clone(), Vec::new()));
            return Ok(after);
        }
        let resp = provider.read_data(ReadDataRequest { type_name: r.type_name.clone(), config: cfg }).await;
        if resp.diagnostics.has_errors() {
            return i.fail(resp.diagnostics);
        }
        i.warn(&resp.diagnostics);
        let value = mark(resp.state, &cfg_marks, &i.schema.block);
        // Recorded in the plan, so apply uses exactly what was read (and reviewed) here.
        i.ctx.changes.lock().unwrap_or_else(|e| e.into_inner()).push(change(i, Action::NoOp, None, value.clone(), value.clone(), Vec::new()));
        return Ok(value);
    }
    let (mut prior, prior_marks, deleted_outside) = prior_of(i);
    let importing = if prior.is_none() { import_for(i, &provider).await? } else { None };
    if let Some((_, state)) = &importing {
        prior = Some(state.clone());
    }
    if let Some(p) = &prior {
        cfg = apply_ignore(cfg, p, &r.lifecycle.ignore_changes, &i.schema.block);
    }
    let type_name = r.type_name.clone();
    let resp = provider
        .plan(PlanRequest {
            type_name: type_name.clone(),
            prior_state: prior.clone(),
            proposed_new_state: proposed_new(&i.schema.block, prior.as_ref(), &cfg),
            config: cfg.clone(),
        })
        .await;
    // A driver's message never shows a sensitive argument.
    let resp = PlanResponse { diagnostics: redacted(resp.diagnostics, &cfg, &cfg_marks), ..resp };
    if resp.diagnostics.has_errors() {
        return i.fail(resp.diagnostics);
    }
    i.warn(&resp.diagnostics);
    let mut planned = resp.planned_state;
    let mut requires_replace = Vec::new();
    let (action, reason) = match &prior {
        None => (Action::Create, deleted_outside.then_some(ActionReason::CreateBecauseDeletedOutside)),
        Some(p) => {
            let tainted = i.ctx.state.resources.get(&i.addr.to_string()).is_some_and(|s| s.tainted);
            let requested = !tainted && i.ctx.opts.replace.iter().any(|a| *a == i.addr.to_string());
            let triggered = !tainted && !requested && replace_triggered(i)?;
            // The engine, not the driver, turns the schema's force-new attributes into
            // replacement paths; drivers add paths only for changes the schema cannot express.
            let mut forcing = resp.requires_replace.clone();
            for path in i.schema.block.force_new_changes(p, &planned) {
                if !forcing.contains(&path) {
                    forcing.push(path);
                }
            }
            let forced = !forcing.is_empty() && planned != *p;
            if tainted || requested || triggered || forced {
                let create = provider
                    .plan(PlanRequest { type_name, prior_state: None, proposed_new_state: proposed_new(&i.schema.block, None, &cfg), config: cfg.clone() })
                    .await;
                if create.diagnostics.has_errors() {
                    return i.fail(create.diagnostics);
                }
                planned = create.planned_state;
                requires_replace = forcing;
                let action = if r.lifecycle.create_before_destroy { Action::CreateThenDelete } else { Action::DeleteThenCreate };
                let reason = if tainted {
                    ActionReason::ReplaceBecauseTainted
                } else if requested {
                    ActionReason::ReplaceByRequest
                } else if triggered {
                    ActionReason::ReplaceByTriggers
                } else {
                    ActionReason::ReplaceBecauseCannotUpdate
                };
                (action, Some(reason))
            } else if planned == *p {
                (Action::NoOp, None)
            } else {
                (Action::Update, None)
            }
        }
    };
    if action.is_replace() && r.lifecycle.prevent_destroy {
        return Err(prevent_destroy_error(&i.addr.to_string(), r));
    }
    let before = prior.map(|p| mark(p.mark_paths(&prior_marks), &[], &i.schema.block)).unwrap_or(Value::Null);
    let after = mark(planned, &cfg_marks, &i.schema.block);
    let mut c = change(i, action, reason, before, after.clone(), requires_replace);
    c.importing = importing.map(|(id, _)| id);
    if action != Action::NoOp {
        i.ctx.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(i.addr.resource.to_string());
    }
    i.ctx.changes.lock().unwrap_or_else(|e| e.into_inner()).push(c);
    Ok(after)
}

/// The object an `import {}` block adopts at this (new) instance: its id and its state, read
/// through the driver during plan, as Terraform does.
async fn import_for(i: &InstanceCtx<'_, '_>, provider: &std::sync::Arc<dyn crate::provider::Provider>) -> Result<Option<(String, Value)>, Diagnostics> {
    let addr = i.addr.to_string();
    if i.ctx.opts.destroy {
        return Ok(None);
    }
    let Some((block, each)) = import_block_for(i.ctx, i.addr)? else { return Ok(None) };
    let at = |d: Diagnostic| -> Diagnostics { d.at(Some(&block.id.expr_range)).with_address(&addr).into() };
    let mut scope = super::scope::NodeScope::new(i.ctx, &crate::addr::ModulePath::root());
    scope.each = each;
    let id = crate::eval::eval_expr(&block.id.expr, &scope).map_err(|e| at(Diagnostic::error(e.summary, e.detail)))?;
    let id = match id.unmarked() {
        Value::String(s) => s.clone(),
        Value::Unknown => return Err(at(Diagnostic::error("Invalid import id argument", "The import ID cannot be unknown: it must be known at plan time."))),
        other => return Err(at(Diagnostic::error("Invalid import id argument", format!("The import ID must be a string, not {}.", other.type_name())))),
    };
    let state = read_import(provider.as_ref(), &i.resource.type_name, &id, &addr, Some(&block.id.expr_range)).await?;
    Ok(Some((id, state)))
}

/// `each.key` / `each.value` of one `for_each` element.
type Each = Option<(Value, Value)>;

/// The `import` block that targets instance `addr`, with the `each` it was expanded with (an
/// import block with `for_each` targets one instance per element: its `to` is evaluated for
/// each).
fn import_block_for<'c>(ctx: &'c super::walk::Ctx<'_>, addr: &ResourceInstanceAddr) -> Result<Option<(&'c crate::config::ImportBlock, Each)>, Diagnostics> {
    let text = addr.to_string();
    let resource = format!("{}", crate::addr::ResourceAddr { module: addr.resource.module.without_keys(), ..addr.resource.clone() });
    for b in &ctx.config.root.imports {
        match &b.for_each {
            None if b.to == text => return Ok(Some((b, None))),
            Some(fe) if b.to == resource => {
                let root = crate::addr::ModulePath::root();
                let scope = super::scope::NodeScope::new(ctx, &root);
                let expansion = super::expand::expand(None, Some(fe), &scope)?;
                for (_, _, each) in expansion.instances() {
                    let mut scope = super::scope::NodeScope::new(ctx, &root);
                    scope.each = each.clone();
                    if import_address(&b.to_expr, &scope).map_err(|d| Diagnostics::from(d.at(Some(&b.range))))? == text {
                        return Ok(Some((b, each)));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

/// Every instance address an import block targets (one per `for_each` element).
pub(crate) fn import_targets(ctx: &super::walk::Ctx<'_>, b: &crate::config::ImportBlock) -> Result<Vec<String>, Diagnostics> {
    let Some(fe) = &b.for_each else { return Ok(vec![b.to.clone()]) };
    let root = crate::addr::ModulePath::root();
    let expansion = super::expand::expand(None, Some(fe), &super::scope::NodeScope::new(ctx, &root))?;
    let mut out = Vec::new();
    for (_, _, each) in expansion.instances() {
        let mut scope = super::scope::NodeScope::new(ctx, &root);
        scope.each = each;
        out.push(import_address(&b.to_expr, &scope).map_err(|d| Diagnostics::from(d.at(Some(&b.range))))?);
    }
    Ok(out)
}

/// An import block's `to` with its index expressions evaluated: `aws_s3_bucket.b[each.key]`
/// -> `aws_s3_bucket.b["logs"]`.
fn import_address(expr: &hcl::Expression, scope: &super::scope::NodeScope<'_, '_>) -> Result<String, Diagnostic> {
    use hcl::expr::TraversalOperator;
    let bad = || Diagnostic::error("Invalid import address", "The \"to\" argument must be a resource instance address, like aws_s3_bucket.b[each.key].");
    let hcl::Expression::Traversal(t) = expr else { return Err(bad()) };
    let hcl::Expression::Variable(v) = &t.expr else { return Err(bad()) };
    let mut s = v.as_str().to_string();
    for op in &t.operators {
        match op {
            TraversalOperator::GetAttr(id) => {
                s.push('.');
                s.push_str(id.as_str());
            }
            TraversalOperator::Index(e) => match crate::eval::eval_expr(e, scope).map_err(|e| Diagnostic::error(e.summary, e.detail))?.unmarked() {
                Value::String(k) => s.push_str(&format!("[{}]", serde_json::Value::String(k.clone()))),
                Value::Number(n) if n.fract() == 0.0 => s.push_str(&format!("[{}]", *n as i64)),
                other => {
                    return Err(Diagnostic::error(
                        "Invalid import address",
                        format!("An instance key must be a string or a whole number, not {}.", other.type_name()),
                    ))
                }
            },
            TraversalOperator::LegacyIndex(n) => s.push_str(&format!("[{n}]")),
            _ => return Err(bad()),
        }
    }
    Ok(s)
}

pub(crate) async fn apply_instance(i: &InstanceCtx<'_, '_>, config: Value) -> Result<Value, Diagnostics> {
    let addr = i.addr.to_string();
    let r = i.resource;
    let stored = i.ctx.state.resources.get(&addr);
    let Some(c) = i.ctx.plan.and_then(|p| p.change(&addr)) else {
        return Ok(stored.map(|s| s.marked_attributes()).unwrap_or(Value::Null));
    };
    let provider = i.provider()?;
    let (mut cfg, cfg_marks) = config.unmark_deep();
    if c.importing.is_some() {
        // The imported object is recorded first, then any planned update applies to it.
        let (plain, marks) = c.before.clone().unmark_deep();
        commit(i, None, plain, &marks)?;
        if c.action == Action::NoOp {
            return Ok(c.before.clone());
        }
    }
    match c.action {
        Action::NoOp => {
            let before_plain = c.before.clone().strip_marks();
            // A refreshed object, or one whose dependencies changed (an import records none):
            // commit it, so destroy knows the order.
            let deps_changed = stored.is_some_and(|s| s.dependencies != super::resource::resource_dependencies(i.ctx, i.node, &i.addr.resource.module));
            if stored.is_some_and(|s| s.attributes != before_plain) || deps_changed {
                commit(i, None, before_plain, &c.before.clone().unmark_deep().1)?;
            }
            return Ok(c.before.clone());
        }
        Action::Read => {
            let resp = provider.read_data(ReadDataRequest { type_name: r.type_name.clone(), config: cfg }).await;
            if resp.diagnostics.has_errors() {
                return i.fail(resp.diagnostics);
            }
            return Ok(mark(resp.state, &cfg_marks, &i.schema.block));
        }
        Action::Delete => return Ok(Value::Null),
        _ => {}
    }
    if r.mode == ResourceMode::Data {
        return Ok(c.after.clone());
    }
    let prior = (!c.before.is_null()).then(|| c.before.clone().strip_marks());
    if let Some(p) = &prior {
        cfg = apply_ignore(cfg, p, &r.lifecycle.ignore_changes, &i.schema.block);
    }
    let plan_prior = if c.action == Action::Update { prior.clone() } else { None };
    let resp = provider
        .plan(PlanRequest {
            type_name: r.type_name.clone(),
            prior_state: plan_prior.clone(),
            proposed_new_state: proposed_new(&i.schema.block, plan_prior.as_ref(), &cfg),
            config: cfg.clone(),
        })
        .await;
    if resp.diagnostics.has_errors() {
        return i.fail(resp.diagnostics);
    }
    let planned = resp.planned_state;
    if !consistent(&c.after.clone().strip_marks(), &planned) {
        return i.fail(
            Diagnostic::error(
                "Provider produced inconsistent final plan",
                format!("When expanding the plan for {addr} to include new values learned so far during apply, the planned values no longer match the saved plan. This is a bug in the provider or in skyform; run plan again."),
            )
            .into(),
        );
    }
    let new = match c.action {
        Action::Create => operate(i, Action::Create, None, Some(planned), cfg, &cfg_marks).await?,
        Action::Update => operate(i, Action::Update, prior, Some(planned), cfg, &cfg_marks).await?,
        Action::DeleteThenCreate => {
            // The old object goes first, after its dependents that go too (possibly already
            // destroyed by a dependency's replacement: see `destroy`).
            if !i.ctx.destroys.destroy(i.ctx, &addr).await {
                return i.fail(
                    Diagnostic::error(
                        "Replacement not created",
                        format!("{addr} was not created again because its old object could not be destroyed (see the error above)."),
                    )
                    .into(),
                );
            }
            operate(i, Action::Create, None, Some(planned), cfg, &cfg_marks).await?
        }
        Action::CreateThenDelete => {
            // The old object becomes a deposed object first, in one state step: whatever fails
            // or crashes from here on, it stays in state until it is deleted.
            let store = i.ctx.store.ok_or_else(|| Diagnostics::from(Diagnostic::error("No state store", "Apply needs a state store.")))?;
            let deposed = i.ctx.state.resources.contains_key(&addr).then(|| crate::state::deposed_address(&addr, &crate::state::new_deposed_key()));
            if let Some(d) = &deposed {
                store.depose(&addr, d).map_err(state_err)?;
            }
            let new = match operate(i, Action::Create, None, Some(planned), cfg.clone(), &cfg_marks).await {
                Ok(new) => new,
                Err(e) => {
                    // No new object: the old one is current again (a create that failed with an
                    // object keeps it, tainted, and the old one stays deposed, as in Terraform).
                    if let Some(d) = &deposed {
                        let _ = store.depose(d, &addr);
                    }
                    return Err(e);
                }
            };
            delete_deposed(i, prior, deposed.as_deref()).await?;
            new
        }
        _ => None,
    };
    Ok(new.map(|v| mark(v, &cfg_marks, &i.schema.block)).unwrap_or(Value::Null))
}

/// Calls the driver for one create, update or delete, with the journal around it, and commits
/// whatever state comes back, even on failure.
async fn operate(
    i: &InstanceCtx<'_, '_>,
    action: Action,
    prior: Option<Value>,
    planned: Option<Value>,
    config: Value,
    marks: &[AttrPath],
) -> Result<Option<Value>, Diagnostics> {
    let addr = i.addr.to_string();
    let store = i.ctx.store.ok_or_else(|| Diagnostics::from(Diagnostic::error("No state store", "Apply needs a state store.")))?;
    let id = prior.as_ref().and_then(|p| p.get_attr("id")).and_then(Value::as_str).map(str::to_string);
    i.ctx.hook.pre_apply(&addr, action, id.as_deref());
    let start = Instant::now();
    if let (Action::Delete, Some(p)) = (action, &prior) {
        // Destroy-time provisioners run first; a failure keeps the object.
        if let Err(d) = super::provision::run(i.ctx, i.resource, i.addr, &p.clone().mark_paths(marks), true, None).await {
            i.ctx.hook.post_apply(&addr, action, id.as_deref(), start.elapsed(), Some("provisioner failed"));
            return Err(d);
        }
    }
    let verb = match action {
        Action::Create => "create",
        Action::Update => "update",
        _ => "delete",
    };
    // A create an interrupted run started but never heard back from is retried under its
    // journal entry, so with the same idempotency token.
    let retried = if action == Action::Create { i.ctx.retries.lock().unwrap_or_else(|e| e.into_inner()).remove(&addr) } else { None };
    let provider = i.provider()?;
    // Only objects outside the state can be orphaned: a type that lives in state alone
    // (`terraform_data`, `random_*`) is not journalled.
    let journal = match retried {
        Some(id) => Some(id),
        None if provider.remote(&i.resource.type_name) => {
            Some(patiently(&addr, || store.begin_operation(&addr, verb, prior.as_ref().map(Value::to_json).as_ref())).map_err(state_err)?)
        }
        None => None,
    };
    // Only a journalled create reports a started object; otherwise the sender goes at once,
    // so the recording loop below ends immediately.
    let (progress, mut started) = tokio::sync::mpsc::unbounded_channel();
    let operation = match (action, journal) {
        (Action::Create, Some(journal)) => {
            Operation { token: Some(idempotency_token(&i.ctx.state.lineage, journal)), progress: Some(progress), retry: retried.is_some() }
        }
        _ => {
            drop(progress);
            Operation::default()
        }
    };
    let secret_config = if marks.is_empty() { Value::Null } else { config.clone() };
    let call = provider.apply(ApplyRequest { operation, type_name: i.resource.type_name.clone(), prior_state: prior.clone(), planned_state: planned, config });
    // The object a create reports before it waits goes into the journal at once.
    let record = async {
        while let Some((object, done)) = started.recv().await {
            let object: Value = object;
            let mut entry = entry_of(i, object.strip_marks(), marks);
            entry.tainted = true;
            if let Err(e) = journal.map_or(Ok(()), |j| store.record_object(j, &entry)) {
                i.warn(
                    &Diagnostic::warning(
                        "Started object not journalled",
                        format!("{addr}: the object the provider started could not be recorded in the journal: {e}"),
                    )
                    .into(),
                );
            }
            let _ = done.send(());
        }
    };
    log(Level::Info, "apply", || format!("{addr}: {verb} started"));
    let (resp, ()) = futures::join!(call, record);
    log(if resp.diagnostics.has_errors() { Level::Error } else { Level::Info }, "apply", || {
        let id = resp.new_state.as_ref().and_then(|v| v.get_attr("id")).and_then(Value::as_str).unwrap_or("-").to_string();
        let how = if resp.diagnostics.has_errors() { "failed" } else { "done" };
        format!("{addr}: {verb} {how} in {} ms (id {id})", start.elapsed().as_millis())
    });
    let resp = ApplyResponse { diagnostics: redacted(resp.diagnostics, &secret_config, marks), ..resp };
    let failed = resp.diagnostics.has_errors();
    if !failed {
        i.warn(&resp.diagnostics);
    }
    let new = resp.new_state.map(Value::strip_marks);
    let result = match (&new, action) {
        (None, Action::Delete) if !failed => store.delete_resource(journal, &addr).map_err(state_err),
        // A create that failed with an object (its wait timed out, say) leaves it tainted, as in Terraform.
        (Some(v), _) if !(failed && action == Action::Delete) => commit_made(i, journal, v, marks, failed && action == Action::Create).await,
        _ => journal.map_or(Ok(()), |j| store.clear_operation(j)).map_err(state_err),
    };
    // Create-time provisioners run before the create is reported complete; a failure taints
    // the new object, as in Terraform.
    let mut provisioning = Ok(());
    if let (Action::Create, Some(v), false, true) = (action, &new, failed, result.is_ok()) {
        provisioning = super::provision::run(i.ctx, i.resource, i.addr, &mark(v.clone(), marks, &i.schema.block), false, i.scope.each.clone()).await;
        if provisioning.is_err() {
            let deps = super::resource::resource_dependencies(i.ctx, i.node, &i.addr.resource.module);
            let mut entry = state_entry(i.addr, &i.resource.provider, i.schema, v.clone(), marks, deps);
            entry.tainted = true;
            store.commit_resource(None, &entry).map_err(state_err)?;
        }
    }
    let new_id = new.as_ref().and_then(|v| v.get_attr("id")).and_then(Value::as_str).map(str::to_string).or(id);
    let err_text = failed.then(|| resp.diagnostics.iter().map(|d| d.summary.clone()).collect::<Vec<_>>().join("; "));
    let err_text = err_text.or_else(|| provisioning.is_err().then(|| "provisioner failed: the object is tainted".to_string()));
    i.ctx.hook.post_apply(&addr, action, new_id.as_deref(), start.elapsed(), err_text.as_deref());
    result?;
    provisioning?;
    if failed {
        return Err(Diagnostics(resp.diagnostics.0.into_iter().map(|d| i.locate(d)).collect()));
    }
    let mut counts = i.ctx.counts.lock().unwrap_or_else(|e| e.into_inner());
    match action {
        Action::Create => counts.added += 1,
        Action::Update => counts.changed += 1,
        _ => counts.destroyed += 1,
    }
    Ok(new)
}

/// Deletes the old object of a create-before-destroy replacement, kept in state as the
/// deposed object `deposed` until it is gone (through the one delete path, `delete_object`).
/// A failure leaves it there: the next plan destroys it.
async fn delete_deposed(i: &InstanceCtx<'_, '_>, prior: Option<Value>, deposed: Option<&str>) -> Result<(), Diagnostics> {
    let (Some(address), Some(stored)) = (deposed, i.ctx.state.resources.get(&i.addr.to_string())) else { return Ok(()) };
    let row = ResourceInstanceState { address: address.to_string(), ..stored.clone() };
    let mut change = super::resource::delete_change(i.ctx, &row, ActionReason::DeleteBecauseNoResourceConfig);
    if let Some(before) = prior {
        change.before = before.mark_paths(&stored.sensitive_paths);
    }
    super::destroy::delete_object(i.ctx, &change).await.map_err(|d| {
        let note = format!("The replaced object is kept in state as {address}: the next plan destroys it.");
        Diagnostics(d.0.into_iter().map(|d| Diagnostic { detail: format!("{}\n\n{note}", d.detail), ..d }).collect())
    })
}

fn state_err(e: crate::state::StateError) -> Diagnostics {
    Diagnostic::error("Failed to write state", e.to_string()).into()
}

fn commit(i: &InstanceCtx<'_, '_>, journal: Option<i64>, attributes: Value, marks: &[AttrPath]) -> Result<(), Diagnostics> {
    let Some(store) = i.ctx.store else { return Ok(()) };
    store.commit_resource(journal, &entry_of(i, attributes, marks)).map_err(state_err)
}

/// This instance's state row for `attributes`, with the dependencies it has now.
fn entry_of(i: &InstanceCtx<'_, '_>, attributes: Value, marks: &[AttrPath]) -> ResourceInstanceState {
    let deps = super::resource::resource_dependencies(i.ctx, i.node, &i.addr.resource.module);
    state_entry(i.addr, &i.resource.provider, i.schema, attributes, marks, deps)
}

/// A driver's diagnostics with the sensitive values of `config` (at `marks`) redacted.
fn redacted(diags: Diagnostics, config: &Value, marks: &[AttrPath]) -> Diagnostics {
    if marks.is_empty() {
        return diags;
    }
    let secrets = config.clone().mark_paths(marks).sensitive_texts();
    Diagnostics(diags.0.into_iter().map(|d| d.redact(&secrets)).collect())
}

/// How long a commit after a provider call waits for a state database another process holds,
/// beyond SQLite's own busy timeout: the object exists, so giving up would orphan it.
const BUSY_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

/// Commits the object a provider call made or changed. A database held by another process
/// is waited for (saying so once); if the write still fails, the object is recorded in the
/// journal entry if possible, and the error names the object, so it can be found again.
async fn commit_made(i: &InstanceCtx<'_, '_>, journal: Option<i64>, attributes: &Value, marks: &[AttrPath], tainted: bool) -> Result<(), Diagnostics> {
    let Some(store) = i.ctx.store else { return Ok(()) };
    let entry = ResourceInstanceState { tainted, ..entry_of(i, attributes.clone(), marks) };
    // Queued, so the walk's other applies go on while this one waits (see
    // `Backend::commit_resource_queued`); a SQLite database another process holds is waited for.
    let result = match store.commit_resource_queued(journal, &entry).await {
        Err(e) if e.is_busy() => patiently(&entry.address, || store.commit_resource(journal, &entry)),
        other => other,
    };
    let Err(e) = result else { return Ok(()) };
    let id = attributes.get_attr("id").and_then(Value::as_str).unwrap_or("unknown");
    let kept = journal.is_some_and(|j| store.record_object(j, &entry).is_ok());
    let next = if kept {
        "It is kept in the journal: the next plan or apply adopts it."
    } else {
        "It could not be recorded in the journal either: once the state is writable, bring it back with `skyform import`."
    };
    Err(Diagnostic::error(
        "Failed to write state",
        format!(
            "{} was applied, but the result could not be saved in the state: {e}. The object exists: {} with id \"{id}\". {next}",
            entry.address, entry.type_name
        ),
    )
    .into())
}

/// Runs a state write, waiting (up to [`BUSY_PATIENCE`], saying so once) while another
/// process holds the SQLite database.
fn patiently<T>(address: &str, mut write: impl FnMut() -> crate::state::StateResult<T>) -> crate::state::StateResult<T> {
    let deadline = Instant::now() + BUSY_PATIENCE;
    let mut said = false;
    loop {
        match write() {
            Err(e) if e.is_busy() && Instant::now() < deadline => {
                if !said {
                    eprintln!("{address}: the state database is held by another process; waiting up to {} s to write to it.", BUSY_PATIENCE.as_secs());
                    said = true;
                }
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            other => return other,
        }
    }
}

/// The idempotency token of one create: the same for every attempt under one journal entry,
/// and distinct across states (their lineages) and entries; 64 ASCII characters at most.
pub(crate) fn idempotency_token(lineage: &str, journal: i64) -> String {
    let t = format!("sf-{lineage}-{journal}");
    t.chars().take(64).collect()
}

/// The state row of an instance: the attributes as the provider returned them, and the
/// sensitive paths (the config's marks plus the schema's sensitive attributes).
pub(crate) fn state_entry(
    addr: &ResourceInstanceAddr,
    provider_key: &str,
    schema: &ResourceSchema,
    attributes: Value,
    marks: &[AttrPath],
    dependencies: Vec<String>,
) -> ResourceInstanceState {
    let (_, sensitive_paths) = mark(attributes.clone(), marks, &schema.block).unmark_deep();
    let a = &addr.resource;
    ResourceInstanceState {
        address: addr.to_string(),
        module: a.module.to_string(),
        mode: if a.mode == ResourceMode::Data { "data".into() } else { "managed".into() },
        type_name: a.type_name.clone(),
        name: a.name.clone(),
        index_key: index_json(&addr.key),
        provider: super::providers::provider_address(provider_key),
        schema_version: schema.version,
        attributes,
        sensitive_paths,
        dependencies,
        created_at: String::new(),
        updated_at: String::new(),
        tainted: false,
    }
}

/// Reads the existing object `id` for an import (`skyform import` and `import {}` blocks);
/// `at` is where an "it does not exist" error points.
pub(crate) async fn read_import(
    provider: &dyn crate::provider::Provider,
    type_name: &str,
    id: &str,
    addr: &str,
    at: Option<&crate::diag::SourceRange>,
) -> Result<Value, Diagnostics> {
    let resp = provider.import(crate::provider::ImportRequest { type_name: type_name.to_string(), id: id.to_string() }).await;
    if resp.diagnostics.has_errors() {
        return Err(Diagnostics(resp.diagnostics.0.into_iter().map(|d| d.with_address(addr)).collect()));
    }
    resp.state.ok_or_else(|| {
        Diagnostic::error("Cannot import non-existent remote object", format!("The provider found no object with id \"{id}\" for {addr}."))
            .at(at)
            .with_address(addr)
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::AttributeSchema;

    #[test]
    fn proposed_keeps_prior_computed_values() {
        let schema = BlockSchema::new([("name", AttributeSchema::required()), ("id", AttributeSchema::computed())]);
        let prior = Value::object([("name", Value::string("a")), ("id", Value::string("x"))]);
        let config = Value::object([("name", Value::string("b")), ("id", Value::Null)]);
        let p = proposed_new(&schema, Some(&prior), &config);
        assert_eq!(p, Value::object([("name", Value::string("b")), ("id", Value::string("x"))]));
    }

    #[test]
    fn consistency_allows_unknowns_to_resolve() {
        let saved = Value::object([("id", Value::Unknown), ("name", Value::string("a"))]);
        let ok = Value::object([("id", Value::string("1")), ("name", Value::string("a"))]);
        let bad = Value::object([("id", Value::string("1")), ("name", Value::string("b"))]);
        assert!(consistent(&saved, &ok));
        assert!(!consistent(&saved, &bad));
    }

    #[test]
    fn ignore_changes_keeps_prior_values() {
        let schema = BlockSchema::new([("tags", AttributeSchema::optional())]);
        let prior = Value::object([("tags", Value::object([("a", Value::string("1"))]))]);
        let config = Value::object([("tags", Value::object([("a", Value::string("2"))]))]);
        let ignored = apply_ignore(config.clone(), &prior, &IgnoreChanges::Paths(vec![vec![PathStep::Key("tags".into())]]), &schema);
        assert_eq!(ignored, prior);
        assert_eq!(apply_ignore(config.clone(), &prior, &IgnoreChanges::All, &schema), prior);
        assert_eq!(apply_ignore(config.clone(), &prior, &IgnoreChanges::None, &schema), config);
    }
}
