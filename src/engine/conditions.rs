//! Custom conditions: `precondition` and `postcondition` blocks of resources and data sources,
//! and `precondition` blocks of outputs, checked as Terraform checks them. A condition whose
//! value is not known yet (during plan) is checked again at apply; a false one fails the
//! object with its `error_message`, at the condition's line.

use super::scope::NodeScope;
use crate::config::Condition;
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::eval_expr;
use crate::value::Value;

/// What is being checked, for the error's summary ("Resource precondition failed").
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    ResourcePrecondition,
    ResourcePostcondition,
    OutputPrecondition,
}

impl Kind {
    fn summary(self) -> &'static str {
        match self {
            Kind::ResourcePrecondition => "Resource precondition failed",
            Kind::ResourcePostcondition => "Resource postcondition failed",
            Kind::OutputPrecondition => "Module output value precondition failed",
        }
    }
}

/// Checks every condition; all failures are reported together.
pub(crate) fn check(conds: &[Condition], scope: &NodeScope<'_, '_>, kind: Kind) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    for c in conds {
        let at = Some(&c.condition.expr_range);
        let value = match eval_expr(&c.condition.expr, scope) {
            Ok(v) => v,
            Err(e) => {
                diags.push(Diagnostic::error(e.summary, e.detail).at(at));
                continue;
            }
        };
        match value.unmarked() {
            Value::Bool(true) | Value::Unknown => {}
            Value::Bool(false) => diags.push(Diagnostic::error(kind.summary(), message(c, scope)).at(at)),
            Value::Null => diags.push(Diagnostic::error("Invalid condition result", "Condition expression must return either true or false, not null.").at(at)),
            other => diags.push(
                Diagnostic::error("Invalid condition result", format!("Invalid condition result value: a bool is required, not {}.", other.type_name())).at(at),
            ),
        }
    }
    diags.into_result()
}

/// The condition's error message; a message derived from sensitive values is withheld, as in
/// Terraform.
fn message(c: &Condition, scope: &NodeScope<'_, '_>) -> String {
    match eval_expr(&c.error_message.expr, scope) {
        Ok(v) if v.contains_sensitive() => "The error message included a sensitive value, so it will not be displayed.".into(),
        Ok(Value::String(s)) => s,
        Ok(Value::Unknown) => "The error message is not known yet.".into(),
        Ok(other) => format!("{other}"),
        Err(e) => format!("The error message could not be evaluated: {}", e.detail),
    }
}
