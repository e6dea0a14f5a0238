//! Unary and binary operators with Terraform's conversions, unknowns and marks.

use hcl::expr::{BinaryOperator, Operation, UnaryOperator};

use super::expr::eval_expr;
use super::{EvalError, EvalResult, Scope};
use crate::value::Value;

fn to_number(v: &Value, side: &str) -> EvalResult<f64> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::String(s) => s.trim().parse::<f64>().map_err(|_| operand_error(side, "a number is required")),
        _ => Err(operand_error(side, "a number is required")),
    }
}

fn to_bool(v: &Value, side: &str) -> EvalResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
        _ => Err(operand_error(side, "a bool is required")),
    }
}

fn operand_error(side: &str, what: &str) -> EvalError {
    EvalError::new("Invalid operand", format!("Unsuitable value for {side} operand: {what}."))
}

pub(crate) fn eval_operation(op: &Operation, scope: &dyn Scope) -> EvalResult<Value> {
    match op {
        Operation::Unary(u) => {
            let (v, marked) = eval_expr(&u.expr, scope)?.unmark();
            if !v.is_known() {
                return Ok(Value::Unknown.mark_if(marked));
            }
            let out = match u.operator {
                UnaryOperator::Neg => Value::Number(-to_number(&v, "unary")?),
                UnaryOperator::Not => Value::Bool(!to_bool(&v, "unary")?),
            };
            Ok(out.mark_if(marked))
        }
        Operation::Binary(b) => {
            let (l, lm) = eval_expr(&b.lhs_expr, scope)?.unmark();
            // Logical operators short-circuit on a known deciding left operand.
            match (b.operator, &l) {
                (BinaryOperator::And, Value::Bool(false)) => return Ok(Value::Bool(false).mark_if(lm)),
                (BinaryOperator::Or, Value::Bool(true)) => return Ok(Value::Bool(true).mark_if(lm)),
                _ => {}
            }
            let (r, rm) = eval_expr(&b.rhs_expr, scope)?.unmark();
            Ok(binary(b.operator, l, r)?.mark_if(lm || rm))
        }
    }
}

fn binary(op: BinaryOperator, l: Value, r: Value) -> EvalResult<Value> {
    use BinaryOperator::*;
    match op {
        Eq | NotEq => {
            if !l.is_wholly_known() || !r.is_wholly_known() {
                return Ok(Value::Unknown);
            }
            let (l, r) = (l.strip_marks(), r.strip_marks());
            let eq = l == r;
            Ok(Value::Bool(if op == Eq { eq } else { !eq }))
        }
        And | Or => {
            if !l.is_known() || !r.is_known() {
                // `unknown || true` is still true; `unknown && false` is still false.
                return Ok(match (op, r.as_bool()) {
                    (Or, Some(true)) => Value::Bool(true),
                    (And, Some(false)) => Value::Bool(false),
                    _ => Value::Unknown,
                });
            }
            let (a, b) = (to_bool(&l, "left")?, to_bool(&r, "right")?);
            Ok(Value::Bool(if op == And { a && b } else { a || b }))
        }
        _ => {
            if !l.is_known() || !r.is_known() {
                return Ok(Value::Unknown);
            }
            let (a, b) = (to_number(&l, "left")?, to_number(&r, "right")?);
            Ok(match op {
                Plus => Value::Number(tidy(a + b)),
                Minus => Value::Number(tidy(a - b)),
                Mul => Value::Number(tidy(a * b)),
                Div => {
                    if b == 0.0 {
                        return Err(EvalError::new("Operation failed", "Error during operation: can't divide by zero."));
                    }
                    Value::Number(tidy(a / b))
                }
                Mod => {
                    if b == 0.0 {
                        return Err(EvalError::new("Operation failed", "Error during operation: can't use modulo by zero."));
                    }
                    Value::Number(a % b)
                }
                Less => Value::Bool(a < b),
                LessEq => Value::Bool(a <= b),
                Greater => Value::Bool(a > b),
                GreaterEq => Value::Bool(a >= b),
                _ => return Err(EvalError::new("Unsupported operator", "This operator is not supported.")),
            })
        }
    }
}

/// Terraform computes with 512-bit decimals, so `0.1 + 0.2` is `0.3`; binary floats give
/// `0.30000000000000004`. A result within two ulps of a 15-significant-digit decimal is taken to
/// be that decimal.
fn tidy(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 || x.fract() == 0.0 {
        return x;
    }
    let r: f64 = format!("{x:.14e}").parse().unwrap_or(x);
    if ((r - x) / x).abs() < 4.5e-16 {
        r
    } else {
        x
    }
}
