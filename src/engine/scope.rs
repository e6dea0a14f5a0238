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

    fn node_value(&self, kind: NodeKind) -> Result<Value, EvalError> {
        let Some(idx) = self.ctx.graph.node(&kind) else {
            return Err(EvalError::new("Reference to undeclared object", format!("{} is not declared.", kind.address())));
        };
        match self.ctx.values[idx.index()].get() {
            Some(v) => Ok(v.clone()),
            // Validation walks and skipped nodes have no value yet: treat as unknown.
            None => Ok(Value::Unknown),
        }
    }
}

impl Scope for NodeScope<'_, '_> {
    fn lookup(&self, name: &str, attrs: &[&str]) -> Result<(Value, usize), EvalError> {
        let m = self.module.clone();
        match name {
            "var" | "local" => {
                let Some(n) = attrs.first() else {
                    return Err(EvalError::new("Invalid reference", format!("The \"{name}\" object cannot be accessed directly.")));
                };
                let kind =
                    if name == "var" { NodeKind::Variable { module: m, name: n.to_string() } } else { NodeKind::Local { module: m, name: n.to_string() } };
                Ok((self.node_value(kind)?, 1))
            }
            "module" => {
                let Some(call) = attrs.first() else {
                    return Err(EvalError::new("Invalid reference", "The \"module\" object cannot be accessed directly."));
                };
                let child = m.child(call);
                if let Some(out) = attrs.get(1) {
                    if self.ctx.graph.node(&NodeKind::Output { module: child.clone(), name: out.to_string() }).is_some() {
                        return Ok((self.node_value(NodeKind::Output { module: child, name: out.to_string() })?, 2));
                    }
                }
                let module = crate::graph::build::module_at(&self.ctx.config.root, &child)
                    .ok_or_else(|| EvalError::new("Reference to undeclared module", format!("No module call named \"{call}\" is declared.")))?;
                let mut obj = BTreeMap::new();
                for o in module.outputs.keys() {
                    obj.insert(o.clone(), self.node_value(NodeKind::Output { module: child.clone(), name: o.clone() })?);
                }
                Ok((Value::Map(obj.into()), 1))
            }
            "data" => {
                if attrs.len() < 2 {
                    return Err(EvalError::new("Invalid reference", "A data source reference needs a type and a name."));
                }
                let key = format!("data.{}.{}", attrs[0], attrs[1]);
                Ok((self.node_value(NodeKind::Resource { module: m, key })?, 2))
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
            "terraform" => Ok((Value::object([("workspace", Value::string("default"))]), 0)),
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
                if self.ctx.graph.node(&NodeKind::Resource { module: m.clone(), key: key.clone() }).is_none() {
                    return Err(EvalError::new(
                        "Reference to undeclared resource",
                        format!("A managed resource \"{type_name}\" \"{n}\" has not been declared in the root module."),
                    ));
                }
                Ok((self.node_value(NodeKind::Resource { module: m, key })?, 1))
            }
        }
    }

    fn func_context(&self) -> &FuncContext {
        &self.func
    }
}
