//! `count` and `for_each`: how a resource or a module call expands into instances, and the
//! module instances of one walk (filled by the module call nodes, read by every node inside a
//! module: a node is visited once and evaluated once per instance of its module).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use super::scope::NodeScope;
use crate::addr::{InstanceKey, ModulePath};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::eval_expr;
use crate::syntax::Attribute;
use crate::value::Value;

/// How a resource or module call expands into instances.
pub(crate) enum Expansion {
    Single,
    Count(i64),
    ForEach(BTreeMap<String, Value>),
}

/// One instance of an expansion: its key, `count.index` and `each.key`/`each.value`.
pub(crate) type InstanceSpec = (Option<InstanceKey>, Option<i64>, Option<(Value, Value)>);

impl Expansion {
    pub fn instances(&self) -> Vec<InstanceSpec> {
        match self {
            Expansion::Single => vec![(None, None, None)],
            Expansion::Count(n) => (0..*n).map(|i| (Some(InstanceKey::Int(i)), Some(i), None)).collect(),
            Expansion::ForEach(m) => m.iter().map(|(k, v)| (Some(InstanceKey::Str(k.clone())), None, Some((Value::String(k.clone()), v.clone())))).collect(),
        }
    }

    pub fn aggregate(&self, values: Vec<(Option<InstanceKey>, Value)>) -> Value {
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

/// Evaluates `count` or `for_each`.
pub(crate) fn expand(count: Option<&Attribute>, for_each: Option<&Attribute>, scope: &NodeScope<'_, '_>) -> Result<Expansion, Diagnostics> {
    if let Some(a) = count {
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
    if let Some(a) = for_each {
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

/// One instance of a module: its path (`module.app["eu"]`) and the `count.index` or
/// `each.key`/`each.value` its call's arguments are evaluated with.
#[derive(Clone, Debug)]
pub(crate) struct ModuleInstance {
    pub path: ModulePath,
    pub count_index: Option<i64>,
    pub each: Option<(Value, Value)>,
}

impl ModuleInstance {
    pub fn root() -> ModuleInstance {
        ModuleInstance { path: ModulePath::root(), count_index: None, each: None }
    }
}

/// The instances of one module call made from one instance of its parent module.
pub(crate) struct CallInstances {
    pub parent: ModulePath,
    pub expansion: Expansion,
    pub instances: Vec<ModuleInstance>,
}

/// Every module's instances, by configuration path; the root module is implied.
#[derive(Default)]
pub(crate) struct ModuleInstances {
    by_module: Mutex<HashMap<ModulePath, Arc<Vec<CallInstances>>>>,
}

impl ModuleInstances {
    /// Records the instances of the module at configuration path `module` (once, by its call node).
    pub fn set(&self, module: ModulePath, calls: Vec<CallInstances>) {
        self.by_module.lock().unwrap_or_else(|e| e.into_inner()).insert(module, Arc::new(calls));
    }

    fn calls(&self, module: &ModulePath) -> Option<Arc<Vec<CallInstances>>> {
        self.by_module.lock().unwrap_or_else(|e| e.into_inner()).get(module).cloned()
    }

    /// The instances of the module at configuration path `module` (none when its call node has
    /// not run: a failed or skipped call).
    pub fn of(&self, module: &ModulePath) -> Vec<ModuleInstance> {
        if module.is_root() {
            return vec![ModuleInstance::root()];
        }
        self.calls(module).map(|c| c.iter().flat_map(|x| x.instances.iter().cloned()).collect()).unwrap_or_default()
    }

    /// How the call `name` made from module instance `parent` expanded, and its instances.
    pub fn call<R>(&self, parent: &ModulePath, name: &str, f: impl FnOnce(&Expansion, &[ModuleInstance]) -> R) -> Option<R> {
        let calls = self.calls(&parent.without_keys().child(name))?;
        let c = calls.iter().find(|c| &c.parent == parent)?;
        Some(f(&c.expansion, &c.instances))
    }
}
