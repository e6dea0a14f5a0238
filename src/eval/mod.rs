//! Expression evaluation over [`Value`] with unknowns and sensitive marks: the planner's own
//! evaluator, since hcl-rs's knows neither. Owns: the [`Scope`] trait the engine implements,
//! [`eval_expr`], body decoding against a schema ([`eval_body`], `dynamic` blocks included) and
//! reference extraction for the graph ([`references`], [`body_references`]), and literal values
//! ([`eval_literal`]: defaults, `.tfvars`, `-var`).
//! Built-in functions live in [`functions`], type constraints in [`types`].

mod body;
mod expr;
mod ops;
pub mod refs;
mod template;

pub mod functions;
pub mod types;

pub use body::{body_references, eval_body, eval_body_dynamic};
pub use expr::eval_expr;
pub use refs::{references, Reference};

use crate::value::Value;
use functions::FuncContext;

/// What a reference root resolves to. Implemented by the engine.
pub trait Scope: Sync {
    /// Resolves reference root `name` followed by the traversal's leading attribute names
    /// `attrs`. Returns the value and how many of `attrs` it consumed; the evaluator applies the
    /// remaining traversal operators itself.
    fn lookup(&self, name: &str, attrs: &[&str]) -> Result<(Value, usize), EvalError>;
    fn func_context(&self) -> &functions::FuncContext;
}

/// An evaluation failure, worded as Terraform words it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{summary}: {detail}")]
pub struct EvalError {
    pub summary: String,
    pub detail: String,
}

impl EvalError {
    pub fn new(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        EvalError { summary: summary.into(), detail: detail.into() }
    }
}

pub type EvalResult<T> = Result<T, EvalError>;

struct LiteralScope {
    ctx: FuncContext,
}

impl Scope for LiteralScope {
    fn lookup(&self, name: &str, _attrs: &[&str]) -> Result<(Value, usize), EvalError> {
        Err(EvalError::new("Variables not allowed", format!("Variables may not be used here (found a reference to \"{name}\").")))
    }
    fn func_context(&self) -> &FuncContext {
        &self.ctx
    }
}

/// Evaluates an expression that may not refer to anything (defaults, `.tfvars`, lifecycle).
pub fn eval_literal(expr: &hcl::Expression) -> Result<Value, EvalError> {
    let scope = LiteralScope { ctx: FuncContext { base_dir: ".".into() } };
    eval_expr(expr, &scope)
}

/// A scope that adds local names (for-expression and template-for variables, dynamic block
/// iterators) on top of another scope.
pub(crate) struct LocalScope<'a> {
    pub parent: &'a dyn Scope,
    pub names: Vec<(String, Value)>,
}

impl Scope for LocalScope<'_> {
    fn lookup(&self, name: &str, attrs: &[&str]) -> Result<(Value, usize), EvalError> {
        match self.names.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok((v.clone(), 0)),
            None => self.parent.lookup(name, attrs),
        }
    }
    fn func_context(&self) -> &functions::FuncContext {
        self.parent.func_context()
    }
}
