//! `templatestring(template, vars)`: renders a string held in a value (not a literal) as a
//! template with only `vars` in scope, like `templatefile` does for a file.

use std::collections::BTreeMap;

use super::{arg_str, invalid, FuncContext, FuncError, FuncResult};
use crate::eval::{EvalError, Scope};
use crate::value::Value;

/// A scope holding only the template's variables.
struct VarsScope<'a> {
    vars: BTreeMap<String, Value>,
    ctx: &'a FuncContext,
}

impl Scope for VarsScope<'_> {
    fn lookup(&self, name: &str, _attrs: &[&str]) -> Result<(Value, usize), EvalError> {
        self.vars.get(name).cloned().map(|v| (v, 0)).ok_or_else(|| {
            EvalError::new(
                "Invalid function argument",
                format!("Invalid value for \"vars\" parameter: vars map does not contain key \"{name}\", referenced in the template."),
            )
        })
    }
    fn func_context(&self) -> &FuncContext {
        self.ctx
    }
}

pub fn templatestring(a: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    let text = arg_str(&a[0], "template")?;
    let vars = match &a[1] {
        Value::Map(m) => (**m).clone(),
        other => return invalid(format!("Invalid value for \"vars\" parameter: map or object required, got {}.", other.type_name())),
    };
    let template: hcl::Template = text.parse().map_err(|e: hcl::Error| FuncError::Invalid(format!("Invalid value for \"template\" parameter: {e}.")))?;
    let scope = VarsScope { vars, ctx };
    crate::eval::template::eval_template(&template, &scope).map_err(|e| FuncError::Invalid(e.detail))
}
