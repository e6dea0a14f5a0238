//! `check` blocks, evaluated after a plan's or an apply's walk in every instance of the module
//! that declares them: scoped data sources are read first (through the configured providers),
//! then each `assert`. As in Terraform a failure is a warning, never an error: "Check block
//! assertion failed" with the error message, or at plan time "known after apply" when the
//! condition depends on values not known yet. A reference to something undeclared is an error.

use std::collections::BTreeMap;

use super::scope::NodeScope;
use super::walk::Ctx;
use crate::config::{Check, Module, RESOURCE_META};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{eval_body, eval_expr, EvalError, Scope};
use crate::provider::registry::TypeSupport;
use crate::provider::ReadDataRequest;
use crate::value::Value;

/// A scope where `data.TYPE.NAME` of the check's own data sources resolves to what was read.
struct CheckScope<'s, 'c, 'a> {
    inner: NodeScope<'c, 'a>,
    data: &'s BTreeMap<String, Value>,
}

impl Scope for CheckScope<'_, '_, '_> {
    fn lookup(&self, name: &str, attrs: &[&str]) -> Result<(Value, usize), EvalError> {
        if name == "data" && attrs.len() >= 2 {
            if let Some(v) = self.data.get(&format!("{}.{}", attrs[0], attrs[1])) {
                return Ok((v.clone(), 2));
            }
        }
        self.inner.lookup(name, attrs)
    }
    fn func_context(&self) -> &crate::eval::functions::FuncContext {
        self.inner.func_context()
    }
}

/// Every check block of the configuration with its module's configuration path.
fn all_checks<'c>(m: &'c Module, path: &crate::addr::ModulePath, out: &mut Vec<(crate::addr::ModulePath, &'c Check)>) {
    out.extend(m.checks.iter().map(|c| (path.clone(), c)));
    for (name, call) in &m.module_calls {
        all_checks(&call.module, &path.child(name), out);
    }
}

/// Runs every check; `applied`: after an apply (a condition still unknown is then not
/// reported as pending).
pub(crate) async fn run(ctx: &Ctx<'_>, applied: bool) -> Diagnostics {
    let mut checks = Vec::new();
    all_checks(&ctx.config.root, &crate::addr::ModulePath::root(), &mut checks);
    let mut out = Diagnostics::new();
    for (module, check) in checks {
        for inst in ctx.modules.of(&module) {
            out.extend(run_one(ctx, &inst.path, check, applied).await);
        }
    }
    out
}

async fn run_one(ctx: &Ctx<'_>, module: &crate::addr::ModulePath, check: &Check, applied: bool) -> Diagnostics {
    let mut out = Diagnostics::new();
    let prefix = if module.is_root() { String::new() } else { format!("{module}.") };
    let mut data = BTreeMap::new();
    for (key, r) in &check.data {
        let address = format!("{prefix}check.{}.data.{key}", check.name);
        let value = match read(ctx, module, r).await {
            Ok(v) => v,
            Err(d) => {
                // Terraform reports a failing scoped data source as a warning too.
                for x in d.0 {
                    out.push(Diagnostic::warning(x.summary, x.detail).at(x.range.as_ref()).at(Some(&r.range)).with_address(&address));
                }
                Value::Unknown
            }
        };
        data.insert(key.clone(), value);
    }
    let scope = CheckScope { inner: NodeScope::new(ctx, module), data: &data };
    for a in &check.asserts {
        let at = Some(&a.condition.expr_range);
        match eval_expr(&a.condition.expr, &scope) {
            Err(e) => out.push(Diagnostic::error(e.summary, e.detail).at(at)),
            Ok(v) => match v.unmarked() {
                Value::Bool(true) => {}
                Value::Unknown if applied => {}
                Value::Unknown => out.push(
                    Diagnostic::warning(
                        "Check block assertion known after apply",
                        "The condition could not be evaluated at this time, a result will be known when this plan is applied.",
                    )
                    .at(at),
                ),
                Value::Bool(false) => {
                    let message = eval_expr(&a.error_message.expr, &scope)
                        .ok()
                        .and_then(|m| if m.contains_sensitive() { None } else { m.as_str().map(str::to_string) })
                        .unwrap_or_else(|| "The check assertion failed.".into());
                    out.push(
                        Diagnostic::warning(
                            "Check block assertion failed",
                            format!(
                                "{message}\n\n(check \"{}\" in {})",
                                check.name,
                                if module.is_root() { "the root module".to_string() } else { module.to_string() }
                            ),
                        )
                        .at(at),
                    );
                }
                other => {
                    out.push(Diagnostic::error("Invalid condition result", format!("The condition must return a bool, not {}.", other.type_name())).at(at))
                }
            },
        }
    }
    out
}

/// Reads one scoped data source (unknown while its arguments are).
async fn read(ctx: &Ctx<'_>, module: &crate::addr::ModulePath, r: &crate::config::Resource) -> Result<Value, Diagnostics> {
    let schema = match ctx.registry.lookup(r.mode, &r.type_name) {
        TypeSupport::Implemented(s) => s,
        _ => return Err(Diagnostic::error("Data source not implemented yet", format!("skyform cannot read the data source \"{}\" yet.", r.type_name)).into()),
    };
    let config = eval_body(&r.body, &schema.block, &NodeScope::new(ctx, module), RESOURCE_META)?;
    if !config.is_wholly_known() {
        return Ok(Value::Unknown);
    }
    let Some(provider) = ctx.providers.get(&r.provider).and_then(|s| s.get()).cloned() else {
        return Ok(Value::Unknown);
    };
    let resp = provider.read_data(ReadDataRequest { type_name: r.type_name.clone(), config: config.strip_marks() }).await;
    if resp.diagnostics.has_errors() {
        return Err(resp.diagnostics);
    }
    Ok(resp.state)
}
