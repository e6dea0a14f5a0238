//! Resource nodes: expand `count` / `for_each`, evaluate each instance's configuration, and
//! either plan it (diff against the refreshed prior state) or apply its planned change.

use std::collections::BTreeMap;
use std::sync::Arc;

use petgraph::graph::NodeIndex;

use super::conditions;
use super::instance::{apply_instance, plan_instance, InstanceCtx};
use super::scope::NodeScope;
use super::walk::Ctx;
use super::Op;
use crate::addr::{InstanceKey, ModulePath, ResourceAddr, ResourceMode};
use crate::config::{Resource, RESOURCE_META};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{eval_body, eval_expr};
use crate::graph::NodeKind;
use crate::plan::{Action, ActionReason, ResourceChange};
use crate::provider::registry::TypeSupport;
use crate::value::Value;

/// How a resource expands into instances.
pub(crate) enum Expansion {
    Single,
    Count(i64),
    ForEach(BTreeMap<String, Value>),
}

/// One instance of an expansion: its key, `count.index` and `each.key`/`each.value`.
type InstanceSpec = (Option<InstanceKey>, Option<i64>, Option<(Value, Value)>);

impl Expansion {
    fn instances(&self) -> Vec<InstanceSpec> {
        match self {
            Expansion::Single => vec![(None, None, None)],
            Expansion::Count(n) => (0..*n).map(|i| (Some(InstanceKey::Int(i)), Some(i), None)).collect(),
            Expansion::ForEach(m) => m.iter().map(|(k, v)| (Some(InstanceKey::Str(k.clone())), None, Some((Value::String(k.clone()), v.clone())))).collect(),
        }
    }

    fn aggregate(&self, values: Vec<(Option<InstanceKey>, Value)>) -> Value {
        match self {
            Expansion::Single => values.into_iter().next().map(|x| x.1).unwrap_or(Value::Null),
            Expansion::Count(_) => Value::List(values.into_iter().map(|x| x.1).collect()),
            Expansion::ForEach(_) => Value::Map(
                values
                    .into_iter()
                    .filter_map(|(k, v)| match k {
                        Some(InstanceKey::Str(s)) => Some((s, v)),
                        _ => None,
                    })
                    .collect::<BTreeMap<_, _>>()
                    .into(),
            ),
        }
    }
}

pub(crate) async fn visit_resource(ctx: &Ctx<'_>, idx: NodeIndex, module: &ModulePath, key: &str) -> Result<(), Diagnostics> {
    let r = &ctx.module(module).resources[key];
    let addr = ResourceAddr::new(module.clone(), r.mode, &r.type_name, &r.name);
    let schema = match ctx.registry.lookup(r.mode, &r.type_name) {
        TypeSupport::Implemented(s) => s,
        TypeSupport::Known(s) => return visit_unimplemented(ctx, idx, module, r, s),
        TypeSupport::Unknown => {
            let kind = if r.mode == ResourceMode::Data { "data source" } else { "resource type" };
            return Err(Diagnostic::error(
                format!("Invalid {kind}"),
                format!("The provider \"{}\" does not support {kind} \"{}\".", crate::provider::registry::provider_for_type(&r.type_name), r.type_name),
            )
            .at(Some(&r.range))
            .into());
        }
    };
    let excluded = ctx.included.as_ref().is_some_and(|s| !s.contains(&idx));
    if ctx.opts.destroy || excluded {
        let v = value_from_state(ctx, &addr.to_string(), r);
        let _ = ctx.values[idx.index()].set(v);
        return Ok(());
    }
    let scope = NodeScope::new(ctx, module);
    let expansion = if ctx.op == Op::Validate { Expansion::Single } else { expand(r, &scope)? };
    let mut values = Vec::new();
    let mut diags = Diagnostics::new();
    let mut keys = std::collections::HashSet::new();
    for (key, count_index, each) in expansion.instances() {
        let mut scope = NodeScope::new(ctx, module);
        scope.count_index = count_index.or(if ctx.op == Op::Validate && r.count.is_some() { Some(0) } else { None });
        scope.each = each.or(if ctx.op == Op::Validate && r.for_each.is_some() { Some((Value::Unknown, Value::Unknown)) } else { None });
        let inst = addr.instance(key.clone());
        keys.insert(inst.to_string());
        let config = match eval_body(&r.body, &schema.block, &scope, RESOURCE_META) {
            Ok(c) => c,
            Err(d) => {
                diags.extend(with_address(d, &inst));
                break;
            }
        };
        if ctx.op != Op::Validate {
            if let Err(d) = conditions::check(&r.lifecycle.preconditions, &scope, conditions::Kind::ResourcePrecondition) {
                diags.extend(with_address(d, &inst));
                continue;
            }
        }
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
        match result {
            Ok(v) => values.push((key, v)),
            Err(d) => diags.extend(with_address(d, &inst)),
        }
    }
    if ctx.op == Op::Plan {
        plan_orphan_instances(ctx, &addr, r, &expansion, &keys)?;
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let value = if ctx.op == Op::Validate && (r.count.is_some() || r.for_each.is_some()) { Value::Unknown } else { expansion.aggregate(values) };
    let _ = ctx.values[idx.index()].set(value);
    Ok(())
}

/// A resource of a type skyform knows from its provider's schema but does not implement: every
/// instance's arguments are checked against that schema, and an instance to plan is recorded
/// (reported once per type when the walk ends) with its value unknown, so resources that use it
/// are still checked. One that expands to no instances (`count = 0`, an empty `for_each`), as
/// modules switch optional parts off, plans like any other: nothing to do.
fn visit_unimplemented(ctx: &Ctx<'_>, idx: NodeIndex, module: &ModulePath, r: &Resource, schema: &crate::schema::ResourceSchema) -> Result<(), Diagnostics> {
    let excluded = ctx.included.as_ref().is_some_and(|s| !s.contains(&idx));
    if ctx.opts.destroy || excluded {
        let _ = ctx.values[idx.index()].set(Value::Null);
        return Ok(());
    }
    let scope = NodeScope::new(ctx, module);
    let expansion = if ctx.op == Op::Validate { Expansion::Single } else { expand(r, &scope)? };
    let guarded = ctx.op == Op::Validate && (r.count.is_some() || r.for_each.is_some());
    let mut diags = Diagnostics::new();
    let mut values = Vec::new();
    let addr = ResourceAddr::new(module.clone(), r.mode, &r.type_name, &r.name);
    for (key, count_index, each) in expansion.instances() {
        let mut scope = NodeScope::new(ctx, module);
        scope.count_index = count_index.or(if guarded && r.count.is_some() { Some(0) } else { None });
        scope.each = each.or(if guarded && r.for_each.is_some() { Some((Value::Unknown, Value::Unknown)) } else { None });
        let inst = addr.instance(key.clone());
        match eval_body(&r.body, &schema.block, &scope, RESOURCE_META) {
            Ok(config) => values.push((key, unknown_computed(&schema.block, config))),
            Err(d) => diags.extend(with_address(d, &inst)),
        }
        ctx.unimplemented.lock().unwrap_or_else(|e| e.into_inner()).record(r, &inst.to_string(), guarded);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let value = if guarded { Value::Unknown } else { expansion.aggregate(values) };
    let _ = ctx.values[idx.index()].set(value);
    Ok(())
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

/// Evaluates `count` or `for_each`.
fn expand(r: &Resource, scope: &NodeScope<'_, '_>) -> Result<Expansion, Diagnostics> {
    if let Some(a) = &r.count {
        let v = eval_expr(&a.expr, scope).map_err(|e| Diagnostic::error(e.summary, e.detail).at(Some(&a.expr_range)))?;
        let bad = |detail: &str| -> Diagnostics { Diagnostic::error("Invalid count argument", detail).at(Some(&a.expr_range)).into() };
        if v.contains_sensitive() {
            return Err(bad("Sensitive values, or values derived from sensitive values, cannot be used as count arguments."));
        }
        return match v {
            Value::Unknown => Err(bad("The \"count\" value depends on resource attributes that cannot be determined until apply, so skyform cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.")),
            Value::Number(n) if n.fract() == 0.0 && n >= 0.0 => Ok(Expansion::Count(n as i64)),
            Value::Number(n) if n < 0.0 => Err(bad("The given \"count\" argument value is unsuitable: must be greater than or equal to zero.")),
            Value::Number(_) => Err(bad("The given \"count\" argument value is unsuitable: a whole number is required.")),
            Value::Null => Err(bad("The given \"count\" argument value is null. An integer is required.")),
            Value::String(s) if s.parse::<i64>().is_ok_and(|n| n >= 0) => Ok(Expansion::Count(s.parse().unwrap_or(0))),
            other => Err(bad(&format!("The given \"count\" argument value is unsuitable: number required, got {}.", other.type_name()))),
        };
    }
    if let Some(a) = &r.for_each {
        let v = eval_expr(&a.expr, scope).map_err(|e| Diagnostic::error(e.summary, e.detail).at(Some(&a.expr_range)))?;
        let bad = |detail: String| -> Diagnostics { Diagnostic::error("Invalid for_each argument", detail).at(Some(&a.expr_range)).into() };
        if v.contains_sensitive() {
            return Err(bad("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into()));
        }
        let unknown_keys = "The \"for_each\" map includes keys or set values derived from resource attributes that cannot be determined until apply, and so skyform cannot determine the full set of keys that will identify the instances of this resource. When working with unknown values in for_each, it's better to define the map keys statically in your configuration and place apply-time results only in the map values. Alternatively, you could use the -target planning option to first apply only the resources that the for_each value depends on, and then apply a second time to fully converge.";
        return match v {
            Value::Unknown => Err(bad(unknown_keys.into())),
            Value::Map(m) => Ok(Expansion::ForEach(Arc::unwrap_or_clone(m))),
            Value::Set(items) => {
                let mut m = BTreeMap::new();
                for it in items {
                    match it {
                        Value::String(s) => {
                            m.insert(s.clone(), Value::String(s));
                        }
                        Value::Unknown => return Err(bad(unknown_keys.into())),
                        Value::Null => return Err(bad("The given \"for_each\" argument value is unsuitable: \"for_each\" sets must not contain null values.".into())),
                        other => return Err(bad(format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", other.type_name()))),
                    }
                }
                Ok(Expansion::ForEach(m))
            }
            Value::Null => Err(bad("The given \"for_each\" argument value is null. A map, or set of strings is allowed.".into())),
            other => Err(bad(format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", other.type_name()))),
        };
    }
    Ok(Expansion::Single)
}

/// Plans deletes for instances in state whose key the expansion no longer has.
fn plan_orphan_instances(
    ctx: &Ctx<'_>,
    addr: &ResourceAddr,
    r: &Resource,
    exp: &Expansion,
    keys: &std::collections::HashSet<String>,
) -> Result<(), Diagnostics> {
    if r.mode == ResourceMode::Data {
        return Ok(());
    }
    let Some(insts) = ctx.state_by_resource.get(&addr.to_string()) else { return Ok(()) };
    for s in insts {
        if keys.contains(&s.address) {
            continue;
        }
        let reason = match exp {
            Expansion::Count(_) => ActionReason::DeleteBecauseCountIndex,
            Expansion::ForEach(_) => ActionReason::DeleteBecauseEachKey,
            Expansion::Single => ActionReason::DeleteBecauseNoResourceConfig,
        };
        if r.lifecycle.prevent_destroy {
            return Err(super::instance::prevent_destroy_error(&s.address, r));
        }
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
    }
}

/// The resource addresses a resource node depends on, through variables, locals and outputs.
pub(crate) fn resource_dependencies(ctx: &Ctx<'_>, idx: NodeIndex) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<NodeIndex> = ctx.graph.dag.neighbors_directed(idx, petgraph::Direction::Incoming).collect();
    while let Some(i) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        match &ctx.graph.dag[i].kind {
            NodeKind::Resource { .. } => {
                out.insert(ctx.graph.dag[i].kind.address());
            }
            NodeKind::Provider { .. } => {}
            _ => stack.extend(ctx.graph.dag.neighbors_directed(i, petgraph::Direction::Incoming)),
        }
    }
    out.into_iter().collect()
}
