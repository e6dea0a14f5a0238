//! Resource nodes: expand `count` / `for_each`, evaluate each instance's configuration, and
//! either plan it (diff against the refreshed prior state) or apply its planned change.

use std::collections::BTreeMap;
use std::sync::Arc;

use petgraph::graph::NodeIndex;

use super::conditions;
use super::expand::{expand, Expansion};
use super::instance::{apply_instance, plan_instance, InstanceCtx};
use super::scope::NodeScope;
use super::walk::Ctx;
use super::Op;
use crate::addr::{ModulePath, ResourceAddr, ResourceInstanceAddr, ResourceMode};
use crate::config::{Resource, RESOURCE_META};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::eval_body;
use crate::graph::NodeKind;
use crate::plan::{Action, ActionReason, ResourceChange};
use crate::provider::registry::TypeSupport;
use crate::value::Value;

pub(crate) async fn visit_resource(ctx: &Ctx<'_>, idx: NodeIndex, module: &ModulePath, key: &str) -> Result<(), Diagnostics> {
    let r = &ctx.module(module).resources[key];
    let schema = match ctx.registry.lookup(r.mode, &r.type_name) {
        TypeSupport::Implemented(s) => Some(s),
        TypeSupport::Known(s) => {
            let mut values = Vec::new();
            let mut diags = Diagnostics::new();
            for inst in ctx.modules.of(module) {
                ctx.visited.lock().unwrap_or_else(|e| e.into_inner()).insert(ResourceAddr::new(inst.path.clone(), r.mode, &r.type_name, &r.name).to_string());
                match visit_unimplemented(ctx, idx, &inst.path, r, s) {
                    Ok(v) => values.push((inst.path, v)),
                    Err(d) => diags.extend(d),
                }
            }
            diags.into_result()?;
            ctx.set_values(idx, values);
            return Ok(());
        }
        TypeSupport::Unknown => None,
    };
    let Some(schema) = schema else {
        let kind = if r.mode == ResourceMode::Data { "data source" } else { "resource type" };
        return Err(Diagnostic::error(
            format!("Invalid {kind}"),
            format!("The provider \"{}\" does not support {kind} \"{}\".", crate::provider::registry::provider_for_type(&r.type_name), r.type_name),
        )
        .at(Some(&r.range))
        .into());
    };
    let mut values = Vec::new();
    let mut diags = Diagnostics::new();
    for inst in ctx.modules.of(module) {
        let addr = ResourceAddr::new(inst.path.clone(), r.mode, &r.type_name, &r.name);
        ctx.visited.lock().unwrap_or_else(|e| e.into_inner()).insert(addr.to_string());
        match visit_resource_in(ctx, idx, &addr, r, schema).await {
            Ok(v) => values.push((inst.path, v)),
            Err(d) => diags.extend(d),
        }
    }
    diags.into_result()?;
    ctx.set_values(idx, values);
    Ok(())
}

/// Plans or applies the instances of resource `addr` in one module instance; returns the
/// resource's value there (an object, or a list or map of them under `count` / `for_each`).
async fn visit_resource_in(
    ctx: &Ctx<'_>,
    idx: NodeIndex,
    addr: &ResourceAddr,
    r: &Resource,
    schema: &crate::schema::ResourceSchema,
) -> Result<Value, Diagnostics> {
    let module = &addr.module;
    let excluded = ctx.included.as_ref().is_some_and(|s| !s.contains(&idx));
    if ctx.opts.destroy || excluded {
        // A data source a destroy does not read (nor keeps in state) is unknown, not null:
        // expressions over it (`slice(data.x.names, 0, 2)`) still evaluate.
        if r.mode == ResourceMode::Data && !ctx.state_by_resource.contains_key(&addr.to_string()) {
            return Ok(Value::Unknown);
        }
        return Ok(value_from_state(ctx, &addr.to_string(), r));
    }
    let scope = NodeScope::new(ctx, module);
    let expansion = if ctx.op == Op::Validate { Expansion::Single } else { expand(r.count.as_ref(), r.for_each.as_ref(), &scope)? };
    let targeted = instance_targets(ctx, addr);
    let instances = expansion.instances();
    let keys: std::collections::HashSet<String> = instances.iter().map(|(key, _, _)| addr.instance(key.clone()).to_string()).collect();
    // The instances of one resource run side by side, `-parallelism` at a time (the context's
    // operation slots bound the whole walk), in key order for their results. An interrupt is
    // checked before each one starts: in-flight ones finish and are committed, no new one
    // starts; a configuration error stops the rest (it would be the same for each).
    let stop = std::sync::atomic::AtomicBool::new(false);
    let one = |(key, count_index, each): crate::engine::expand::InstanceSpec| {
        let (stop, targeted) = (&stop, &targeted);
        async move {
            let inst = addr.instance(key.clone());
            // An instance `-target` leaves out keeps its stored object (unknown without one);
            // so does one an interrupt or an earlier error keeps from starting.
            if !targeted(&inst) || stop.load(std::sync::atomic::Ordering::SeqCst) || (ctx.op == Op::Apply && ctx.interrupted()) {
                let stored = ctx.state.resources.get(&inst.to_string()).map(|s| s.marked_attributes());
                return (key, Ok(stored.unwrap_or(Value::Unknown)));
            }
            let mut scope = NodeScope::new(ctx, module);
            scope.count_index = count_index.or(if ctx.op == Op::Validate && r.count.is_some() { Some(0) } else { None });
            scope.each = each.or(if ctx.op == Op::Validate && r.for_each.is_some() { Some((Value::Unknown, Value::Unknown)) } else { None });
            let config = match eval_body(&r.body, &schema.block, &scope, RESOURCE_META) {
                Ok(c) => c,
                Err(d) => {
                    stop.store(true, std::sync::atomic::Ordering::SeqCst);
                    return (key, Err(with_address(d, &inst)));
                }
            };
            if ctx.op != Op::Validate {
                if let Err(d) = conditions::check(&r.lifecycle.preconditions, &scope, conditions::Kind::ResourcePrecondition) {
                    return (key, Err(with_address(d, &inst)));
                }
            }
            let _slot = ctx.slots.acquire().await;
            let ictx = InstanceCtx { ctx, resource: r, schema, addr: &inst, node: idx, scope: &scope };
            let result = match ctx.op {
                // Validation knows no provider results: what the provider computes is unknown.
                Op::Validate => Ok(unknown_computed(&schema.block, config)),
                Op::Plan => plan_instance(&ictx, config).await,
                Op::Apply => apply_instance(&ictx, config).await,
            };
            // Postconditions see the planned (or, at apply, the new) object as `self`.
            let result = match result {
                Ok(v) if ctx.op != Op::Validate && !r.lifecycle.postconditions.is_empty() => {
                    scope.self_value = Some(v.clone());
                    conditions::check(&r.lifecycle.postconditions, &scope, conditions::Kind::ResourcePostcondition).map(|()| v)
                }
                other => other,
            };
            (key, result.map_err(|d| with_address(d, &inst)))
        }
    };
    let width = ctx.opts.parallelism.max(1);
    let outcomes: Vec<_> = futures::StreamExt::collect(futures::StreamExt::buffered(futures::stream::iter(instances.into_iter().map(one)), width)).await;
    let mut values = Vec::with_capacity(outcomes.len());
    let mut diags = Diagnostics::new();
    for (key, outcome) in outcomes {
        match outcome {
            Ok(v) => values.push((key, v)),
            Err(d) => diags.extend(d),
        }
    }
    if ctx.op == Op::Plan {
        plan_orphan_instances(ctx, addr, r, &expansion, &keys, &targeted)?;
    }
    diags.into_result()?;
    Ok(if ctx.op == Op::Validate && (r.count.is_some() || r.for_each.is_some()) { Value::Unknown } else { expansion.aggregate(values) })
}

/// A resource of a type skyform knows from its provider's schema but does not implement: every
/// instance's arguments are checked against that schema, and an instance to plan is recorded
/// (reported once per type when the walk ends) with its value unknown, so resources that use it
/// are still checked. One that expands to no instances (`count = 0`, an empty `for_each`), as
/// modules switch optional parts off, plans like any other: nothing to do. Returns the
/// resource's value in module instance `module`.
fn visit_unimplemented(ctx: &Ctx<'_>, idx: NodeIndex, module: &ModulePath, r: &Resource, schema: &crate::schema::ResourceSchema) -> Result<Value, Diagnostics> {
    let excluded = ctx.included.as_ref().is_some_and(|s| !s.contains(&idx));
    if ctx.opts.destroy || excluded {
        return Ok(Value::Null);
    }
    let scope = NodeScope::new(ctx, module);
    let expansion = if ctx.op == Op::Validate { Expansion::Single } else { expand(r.count.as_ref(), r.for_each.as_ref(), &scope)? };
    let guarded = ctx.op == Op::Validate && (r.count.is_some() || r.for_each.is_some());
    let mut diags = Diagnostics::new();
    let mut values = Vec::new();
    let addr = ResourceAddr::new(module.clone(), r.mode, &r.type_name, &r.name);
    for (key, count_index, each) in expansion.instances() {
        let mut scope = NodeScope::new(ctx, module);
        scope.count_index = count_index.or(if guarded && r.count.is_some() { Some(0) } else { None });
        scope.each = each.or(if guarded && r.for_each.is_some() { Some((Value::Unknown, Value::Unknown)) } else { None });
        let inst = addr.instance(key.clone());
        // An object already in state (a state migrated from Terraform) is kept as it is and
        // not managed: no change is planned for it, and the plan says so.
        if let (Op::Plan | Op::Apply, Some(stored)) = (ctx.op, ctx.state.resources.get(&inst.to_string())) {
            values.push((key, stored.marked_attributes()));
            ctx.unimplemented.lock().unwrap_or_else(|e| e.into_inner()).keep(&r.type_name, &inst.to_string());
            continue;
        }
        match eval_body(&r.body, &schema.block, &scope, RESOURCE_META) {
            Ok(config) => values.push((key, unknown_computed(&schema.block, config))),
            Err(d) => diags.extend(with_address(d, &inst)),
        }
        ctx.unimplemented.lock().unwrap_or_else(|e| e.into_inner()).record(r, &inst.to_string(), guarded);
    }
    diags.into_result()?;
    Ok(if guarded { Value::Unknown } else { expansion.aggregate(values) })
}

/// The config with every computed attribute it leaves null set to unknown.
fn unknown_computed(schema: &crate::schema::BlockSchema, config: Value) -> Value {
    let Value::Map(mut m) = config else { return config };
    for (name, a) in &schema.attributes {
        if a.computed && m.get(name).is_none_or(Value::is_null) {
            Arc::make_mut(&mut m).insert(name.clone(), Value::Unknown);
        }
    }
    Value::Map(m)
}

fn with_address(d: Diagnostics, addr: &impl std::fmt::Display) -> Diagnostics {
    Diagnostics(d.0.into_iter().map(|x| x.with_address(addr)).collect())
}

/// The value of a resource taken from state (destroy plans, resources outside `-target`).
fn value_from_state(ctx: &Ctx<'_>, addr: &str, r: &Resource) -> Value {
    let insts = ctx.state_by_resource.get(addr).cloned().unwrap_or_default();
    if r.count.is_some() {
        let mut v: Vec<_> = insts.iter().map(|s| (s.index_key.as_ref().and_then(|k| k.as_i64()).unwrap_or(0), s.marked_attributes())).collect();
        v.sort_by_key(|x| x.0);
        Value::List(v.into_iter().map(|x| x.1).collect())
    } else if r.for_each.is_some() {
        Value::Map(insts.iter().filter_map(|s| Some((s.index_key.as_ref()?.as_str()?.to_string(), s.marked_attributes()))).collect::<BTreeMap<_, _>>().into())
    } else {
        insts.first().map(|s| s.marked_attributes()).unwrap_or(Value::Null)
    }
}

/// Which instances of resource `addr` (in one module instance) `-target` includes: all of them
/// unless the resource is itself targeted (not only needed by a target) and every target that
/// names it has instance keys (`module.app["eu"]`, `aws_s3_bucket.b[0]`).
fn instance_targets(ctx: &Ctx<'_>, addr: &ResourceAddr) -> Box<dyn Fn(&ResourceInstanceAddr) -> bool + Send + Sync> {
    use crate::addr::ObjectAddr;
    let direct: Vec<ObjectAddr> = ctx
        .opts
        .targets
        .iter()
        .filter_map(|t| ObjectAddr::parse(t).ok())
        .filter(|t| match t {
            ObjectAddr::Resource(t) => {
                t.resource.local() == addr.local() && t.resource.module.0.len() == addr.module.0.len() && t.resource.module.leads(&addr.module, false)
            }
            ObjectAddr::Module(m) => m.leads(&addr.module, false),
        })
        .collect();
    if direct.is_empty() {
        return Box::new(|_| true);
    }
    Box::new(move |inst: &ResourceInstanceAddr| {
        direct.iter().any(|t| match t {
            ObjectAddr::Resource(t) => t.resource.module.leads(&inst.resource.module, true) && (t.key.is_none() || t.key == inst.key),
            ObjectAddr::Module(m) => m.leads(&inst.resource.module, true),
        })
    })
}

/// Plans deletes for instances in state whose key the expansion no longer has.
fn plan_orphan_instances(
    ctx: &Ctx<'_>,
    addr: &ResourceAddr,
    r: &Resource,
    exp: &Expansion,
    keys: &std::collections::HashSet<String>,
    targeted: &dyn Fn(&ResourceInstanceAddr) -> bool,
) -> Result<(), Diagnostics> {
    if r.mode == ResourceMode::Data {
        return Ok(());
    }
    let Some(insts) = ctx.state_by_resource.get(&addr.to_string()) else { return Ok(()) };
    for s in insts {
        if keys.contains(&s.address) || !ResourceInstanceAddr::parse(&s.address).is_ok_and(|a| targeted(&a)) {
            continue;
        }
        let reason = match (exp, &s.index_key) {
            (Expansion::Count(_), Some(serde_json::Value::Number(_))) => ActionReason::DeleteBecauseCountIndex,
            (Expansion::ForEach(_), Some(serde_json::Value::String(_))) => ActionReason::DeleteBecauseEachKey,
            _ => ActionReason::DeleteBecauseWrongRepetition,
        };
        if r.lifecycle.prevent_destroy {
            return Err(super::instance::prevent_destroy_error(&s.address, r));
        }
        ctx.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(addr.to_string());
        ctx.changes.lock().unwrap_or_else(|e| e.into_inner()).push(delete_change(ctx, s, reason));
    }
    Ok(())
}

/// A Delete change for a state instance (refreshed prior when available).
pub(crate) fn delete_change(ctx: &Ctx<'_>, s: &crate::state::ResourceInstanceState, reason: ActionReason) -> ResourceChange {
    let refreshed = ctx.refreshed.lock().unwrap_or_else(|e| e.into_inner()).get(&s.address).cloned();
    let before = match refreshed {
        Some(Some(v)) => v.mark_paths(&s.sensitive_paths),
        _ => s.marked_attributes(),
    };
    ResourceChange {
        address: s.address.clone(),
        module: s.module.clone(),
        mode: s.mode.clone(),
        type_name: s.type_name.clone(),
        name: s.name.clone(),
        index: s.index_key.clone(),
        provider: s.provider.clone(),
        action: Action::Delete,
        reason: Some(reason),
        before,
        after: Value::Null,
        requires_replace: Vec::new(),
        importing: None,
        previous_address: None,
        generated_config: None,
    }
}

/// The resource addresses a resource node depends on, through variables, locals, outputs and
/// module calls, as seen from module instance `at`: a resource in the same module instance (or
/// an enclosing one) by its address there, one in another module by all its instances.
pub(crate) fn resource_dependencies(ctx: &Ctx<'_>, idx: NodeIndex, at: &ModulePath) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<NodeIndex> = ctx.graph.dag.neighbors_directed(idx, petgraph::Direction::Incoming).collect();
    while let Some(i) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        match &ctx.graph.dag[i].kind {
            NodeKind::Resource { module, key } => {
                for inst in instances_seen_from(ctx, module, at) {
                    out.insert(if inst.is_root() { key.clone() } else { format!("{inst}.{key}") });
                }
            }
            NodeKind::Provider { .. } => {}
            _ => stack.extend(ctx.graph.dag.neighbors_directed(i, petgraph::Direction::Incoming)),
        }
    }
    out.into_iter().collect()
}

/// The instances of the module at configuration path `module` that module instance `at` can
/// mean: those sharing `at`'s keys on the calls both paths go through.
fn instances_seen_from(ctx: &Ctx<'_>, module: &ModulePath, at: &ModulePath) -> Vec<ModulePath> {
    let common = module.0.iter().zip(&at.0).take_while(|(a, b)| a.name == b.name).count();
    if module.0.len() == common {
        return vec![at.prefix(common)];
    }
    let shared = at.prefix(common);
    ctx.modules.of(module).into_iter().map(|i| i.path).filter(|p| p.prefix(common) == shared).collect()
}
