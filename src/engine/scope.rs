//! The evaluation scope of one node: resolves `var.`, `local.`, `module.`, `data.`, resource
//! references, `count.index`, `each.key`/`each.value` and `path.*` against the values the walk
//! has produced so far.

use std::collections::BTreeMap;

use crate::addr::ModulePath;
use crate::engine::walk::Ctx;
use crate::eval::functions::FuncContext;
use crate::eval::{EvalError, Scope};
use crate::graph::NodeKind;
use crate::value::Value;

pub(crate) struct NodeScope<'c, 'a> {
    pub ctx: &'c Ctx<'a>,
    /// The module instance evaluated in (`module.app["eu"]`).
    pub module: ModulePath,
    pub count_index: Option<i64>,
    pub each: Option<(Value, Value)>,
    /// `self` in a postcondition: the instance's planned or new state.
    pub self_value: Option<Value>,
    pub func: FuncContext,
}

impl<'c, 'a> NodeScope<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>, module: &ModulePath) -> NodeScope<'c, 'a> {
        let dir = crate::graph::build::module_at(&ctx.config.root, module).map(|m| m.dir.clone()).unwrap_or_else(|| ctx.root_dir.to_path_buf());
        NodeScope { ctx, module: module.clone(), count_index: None, each: None, self_value: None, func: FuncContext { base_dir: dir } }
    }

    /// The value of node `kind` (of a configuration path) in module instance `at`.
    fn node_value_at(&self, kind: NodeKind, at: &ModulePath) -> Result<Value, EvalError> {
        let Some(idx) = self.ctx.graph.node(&kind) else {
            return Err(EvalError::new("Reference to undeclared object", format!("{} is not declared.", kind.address())));
        };
        // Validation walks and skipped nodes have no value yet: treat as unknown.
        Ok(self.ctx.value_at(idx, at).unwrap_or(Value::Unknown))
    }

    /// The value of a node of this scope's module, in this scope's module instance.
    fn node_value(&self, kind: NodeKind) -> Result<Value, EvalError> {
        self.node_value_at(kind, &self.module.clone())
    }

    /// `module.NAME`: the call's outputs as an object, or for a repeated call a list (`count`)
    /// or map (`for_each`) of them, one per instance.
    fn module_value(&self, call: &str) -> Result<Value, EvalError> {
        let child = self.module.without_keys().child(call);
        let module = crate::graph::build::module_at(&self.ctx.config.root, &child)
            .ok_or_else(|| EvalError::new("Reference to undeclared module", format!("No module call named \"{call}\" is declared.")))?;
        let object = |at: &ModulePath| -> Result<Value, EvalError> {
            let mut obj = BTreeMap::new();
            for o in module.outputs.keys() {
                obj.insert(o.clone(), self.node_value_at(NodeKind::Output { module: child.clone(), name: o.clone() }, at)?);
            }
            Ok(Value::Map(obj.into()))
        };
        let repeated = module_at_call(self, call).is_some_and(|c| c.count.is_some() || c.for_each.is_some());
        let expanded = self.ctx.modules.call(&self.module, call, |expansion, instances| {
            let values = instances.iter().map(|i| Ok((i.path.last_key().cloned(), object(&i.path)?))).collect::<Result<Vec<_>, EvalError>>()?;
            Ok::<_, EvalError>(expansion.aggregate(values))
        });
        match expanded {
            Some(v) if self.ctx.op != super::Op::Validate || !repeated => v,
            // Not expanded yet (validation, or a call that failed): unknown.
            _ if repeated => Ok(Value::Unknown),
            _ => object(&self.module.child(call)),
        }
    }
}

impl Scope for NodeScope<'_, '_> {
    fn lookup(&self, name: &str, attrs: &[&str]) -> Result<(Value, usize), EvalError> {
        let m = self.module.clone();
        let here = self.module.without_keys();
        match name {
            "var" | "local" => {
                let Some(n) = attrs.first() else {
                    return Err(EvalError::new("Invalid reference", format!("The \"{name}\" object cannot be accessed directly.")));
                };
                let kind = if name == "var" {
                    NodeKind::Variable { module: here, name: n.to_string() }
                } else {
                    NodeKind::Local { module: here, name: n.to_string() }
                };
                Ok((self.node_value(kind)?, 1))
            }
            "module" => {
                let Some(call) = attrs.first() else {
                    return Err(EvalError::new("Invalid reference", "The \"module\" object cannot be accessed directly."));
                };
                let repeated = module_at_call(self, call).is_some_and(|c| c.count.is_some() || c.for_each.is_some());
                if let (Some(out), false) = (attrs.get(1), repeated) {
                    let child = m.without_keys().child(call);
                    if self.ctx.graph.node(&NodeKind::Output { module: child.clone(), name: out.to_string() }).is_some() {
                        return Ok((self.node_value_at(NodeKind::Output { module: child, name: out.to_string() }, &m.child(call))?, 2));
                    }
                }
                Ok((self.module_value(call)?, 1))
            }
            "data" => {
                if attrs.len() < 2 {
                    return Err(EvalError::new("Invalid reference", "A data source reference needs a type and a name."));
                }
                let key = format!("data.{}.{}", attrs[0], attrs[1]);
                Ok((self.node_value(NodeKind::Resource { module: here, key })?, 2))
            }
            "count" => match self.count_index {
                Some(i) => Ok((Value::object([("index", Value::Number(i as f64))]), 0)),
                None => Err(EvalError::new(
                    "Reference to \"count\" in non-counted context",
                    "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.",
                )),
            },
            "each" => match &self.each {
                Some((k, v)) => Ok((Value::object([("key", k.clone()), ("value", v.clone())]), 0)),
                None => Err(EvalError::new(
                    "Reference to \"each\" in context without for_each",
                    "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.",
                )),
            },
            "path" => {
                let rel = |p: &std::path::Path| {
                    let r = p.strip_prefix(self.ctx.root_dir).unwrap_or(p).to_string_lossy().into_owned();
                    if r.is_empty() {
                        ".".to_string()
                    } else {
                        r
                    }
                };
                let cwd = std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
                Ok((Value::object([("module", Value::String(rel(&self.func.base_dir))), ("root", Value::String(".".into())), ("cwd", Value::String(cwd))]), 0))
            }
            "terraform" => Ok((Value::object([("workspace", Value::string(&self.ctx.config.workspace))]), 0)),
            "self" => match &self.self_value {
                Some(v) => Ok((v.clone(), 0)),
                None => Err(EvalError::new(
                    "Invalid \"self\" reference",
                    "The \"self\" object is only available in postconditions, provisioner and connection blocks.",
                )),
            },
            type_name => {
                let Some(n) = attrs.first() else {
                    return Err(EvalError::new(
                        "Invalid reference",
                        format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name (found \"{type_name}\")."),
                    ));
                };
                let key = format!("{type_name}.{n}");
                if self.ctx.graph.node(&NodeKind::Resource { module: here.clone(), key: key.clone() }).is_none() {
                    return Err(EvalError::new(
                        "Reference to undeclared resource",
                        format!("A managed resource \"{type_name}\" \"{n}\" has not been declared in the root module."),
                    ));
                }
                Ok((self.node_value(NodeKind::Resource { module: here, key })?, 1))
            }
        }
    }

    fn func_context(&self) -> &FuncContext {
        &self.func
    }
}

/// The call `name` in the scope's module.
fn module_at_call<'x>(scope: &NodeScope<'x, '_>, name: &str) -> Option<&'x crate::config::ModuleCall> {
    crate::graph::build::module_at(&scope.ctx.config.root, &scope.module).and_then(|m| m.module_calls.get(name))
}
