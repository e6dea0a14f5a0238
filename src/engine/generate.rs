//! `plan -generate-config-out=FILE`: configuration for the targets of `import` blocks that no
//! resource block declares. Each object is read through its provider (configured as a plan
//! would, without planning any resource) and written as a resource block with every argument
//! of its type's schema, as Terraform writes it: the object's values, `null` where it has none,
//! and `null # sensitive` for sensitive ones.

use std::collections::{BTreeMap, HashSet};

use super::{instance, Engine, Op, PlanOptions};
use crate::config::ImportBlock;
use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::{BlockSchema, Nesting};
use crate::state::State;
use crate::value::Value;

/// The root module's import blocks whose target no resource block declares.
pub fn undeclared_imports(config: &crate::config::Config) -> Vec<&ImportBlock> {
    config
        .root
        .imports
        .iter()
        .filter(|b| {
            let Ok(addr) = crate::addr::ResourceInstanceAddr::parse(&b.to) else { return false };
            !crate::config::module_at(&config.root, &addr.resource.module).is_some_and(|m| m.resources.contains_key(&addr.resource.local()))
        })
        .collect()
}

impl Engine<'_> {
    /// The generated configuration for the undeclared import targets: the file's text (empty
    /// when there are none) and each target's address and resource block.
    pub async fn generate_config(&self, state: &State, inputs: &BTreeMap<String, Value>) -> Result<(String, Vec<(String, String)>), Diagnostics> {
        let targets = undeclared_imports(self.config);
        if targets.is_empty() {
            return Ok((String::new(), Vec::new()));
        }
        let mut diags = Diagnostics::new();
        let mut wanted = Vec::new();
        for b in &targets {
            let addr =
                crate::addr::ResourceInstanceAddr::parse(&b.to).map_err(|e| Diagnostics::from(Diagnostic::error("Invalid import address", e.to_string())))?;
            if b.for_each.is_some() || !addr.resource.module.is_root() || addr.key.is_some() {
                diags.push(
                    Diagnostic::error(
                        "Cannot generate configuration",
                        format!("Configuration can be generated only for a single resource in the root module, without for_each or an instance key; declare {} yourself.", b.to),
                    )
                    .at(Some(&b.range)),
                );
                continue;
            }
            wanted.push((*b, addr));
        }
        diags.into_result()?;
        let mut keys: Vec<String> = state.resources.values().map(|r| super::providers::provider_key(&r.provider)).collect();
        keys.extend(wanted.iter().map(|(_, a)| crate::provider::registry::provider_for_type(&a.resource.type_name).to_string()));
        keys.sort();
        keys.dedup();
        let graph = crate::graph::build_graph(self.config, &keys)?;
        let opts = PlanOptions { refresh: false, ..PlanOptions::default() };
        let mut ctx = self.context(&graph, Op::Plan, &opts, state, inputs, None, None)?;
        // Providers only: every resource keeps its stored value.
        ctx.included = Some(HashSet::new());
        self.run(&ctx, &graph, opts.parallelism).await;
        ctx.take_diags().into_result()?;
        let mut out = String::from("# __generated__ by skyform\n# Please review these resources and move them into your main configuration files.\n");
        let mut blocks = Vec::new();
        for (b, addr) in wanted {
            let type_name = &addr.resource.type_name;
            let key = crate::provider::registry::provider_for_type(type_name);
            let provider = ctx.providers.get(key).and_then(|s| s.get()).cloned().ok_or_else(|| {
                Diagnostics::from(
                    Diagnostic::error("Provider not configured", format!("The provider for {} could not be configured.", b.to)).at(Some(&b.range)),
                )
            })?;
            let scope = super::scope::NodeScope::new(&ctx, &crate::addr::ModulePath::root());
            let id = match crate::eval::eval_expr(&b.id.expr, &scope).map_err(|e| Diagnostic::error(e.summary, e.detail).at(Some(&b.id.expr_range)))?.unmarked()
            {
                Value::String(s) => s.clone(),
                other => {
                    return Err(Diagnostic::error("Invalid import id argument", format!("The import ID must be a known string, not {}.", other.type_name()))
                        .at(Some(&b.id.expr_range))
                        .into())
                }
            };
            let object = instance::read_import(provider.as_ref(), type_name, &id, &b.to, Some(&b.id.expr_range)).await?;
            let schema = self.registry.resource_schema(type_name).ok_or_else(|| {
                Diagnostics::from(
                    Diagnostic::error("Unsupported resource type", format!("skyform cannot generate configuration for {type_name}: it does not implement it."))
                        .at(Some(&b.range)),
                )
            })?;
            let block = format!("resource \"{type_name}\" \"{}\" {{\n{}}}\n", addr.resource.name, body(&schema.block, &object, 2));
            let block = crate::config::format::format_source(&block).map_err(Diagnostics::from)?;
            out.push_str(&format!("\n# __generated__ by skyform from {}\n{block}", serde_json::Value::String(id)));
            blocks.push((b.to.clone(), block));
        }
        Ok((out, blocks))
    }
}

/// A block's arguments (sorted, `id` left out) and then its nested blocks.
fn body(schema: &BlockSchema, v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (name, a) in &schema.attributes {
        if name == "id" || !(a.required || a.optional) {
            continue;
        }
        let value = v.get_attr(name).cloned().unwrap_or(Value::Null);
        let text = if a.sensitive && !value.is_null() { "null # sensitive".to_string() } else { crate::view::values::render(&value, indent) };
        out.push_str(&format!("{pad}{} = {text}\n", crate::view::values::attr_key(name)));
    }
    for (name, nb) in &schema.blocks {
        let elements = match (nb.nesting, v.get_attr(name)) {
            (_, None | Some(Value::Null)) => Vec::new(),
            (Nesting::Single, Some(x)) => vec![x.clone()],
            (_, Some(Value::List(items) | Value::Set(items))) => items.clone(),
            (_, Some(x)) => vec![x.clone()],
        };
        for e in elements {
            out.push_str(&format!("{pad}{name} {{\n{}{pad}}}\n", body(&nb.block, &e, indent + 2)));
        }
    }
    out
}
