//! Evaluates one `hcl::Expression`: literals, collections, references and traversals (with
//! splats), function calls (with `try`, `can`, `templatefile` handled here), conditionals and
//! `for` expressions. Unknowns and sensitive marks propagate as in Terraform.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl::expr::{Conditional, ForExpr, FuncCall, ObjectKey, TraversalOperator};
use hcl::Expression;

use super::functions::{self, FuncError};
use super::ops::eval_operation;
use super::template::{eval_template_expr, eval_template_file};
use super::{EvalError, EvalResult, LocalScope, Scope};
use crate::value::{format_number, Value};

/// Evaluates an expression in a scope.
pub fn eval_expr(expr: &Expression, scope: &dyn Scope) -> EvalResult<Value> {
    match expr {
        Expression::Null => Ok(Value::Null),
        Expression::Bool(b) => Ok(Value::Bool(*b)),
        Expression::Number(n) => Ok(Value::Number(n.as_f64().unwrap_or(0.0))),
        Expression::String(s) => Ok(Value::String(s.clone())),
        Expression::Array(items) => items.iter().map(|e| eval_expr(e, scope)).collect::<EvalResult<Vec<_>>>().map(Value::List),
        Expression::Object(obj) => {
            let mut out = BTreeMap::new();
            let mut unknown = false;
            let mut marked = false;
            for (k, v) in obj.iter() {
                let key = match k {
                    ObjectKey::Identifier(id) => id.as_str().to_string(),
                    ObjectKey::Expression(e) => {
                        let (kv, m) = eval_expr(e, scope)?.unmark();
                        marked |= m;
                        match kv {
                            Value::String(s) => s,
                            Value::Number(n) => format_number(n),
                            Value::Bool(b) => b.to_string(),
                            Value::Unknown => {
                                unknown = true;
                                continue;
                            }
                            other => {
                                return Err(EvalError::new(
                                    "Incorrect key type",
                                    format!("Can't use this value as a key: string required, got {}.", other.type_name()),
                                ))
                            }
                        }
                    }
                    #[allow(unreachable_patterns)]
                    _ => return Err(EvalError::new("Incorrect key type", "Unsupported object key.")),
                };
                out.insert(key, eval_expr(v, scope)?);
            }
            Ok(if unknown { Value::Unknown } else { Value::Map(out.into()) }.mark_if(marked))
        }
        Expression::TemplateExpr(t) => eval_template_expr(t, scope),
        Expression::Variable(v) => Ok(scope.lookup(v.as_str(), &[])?.0),
        Expression::Traversal(t) => {
            let (base, consumed) = match &t.expr {
                Expression::Variable(v) => {
                    let attrs: Vec<&str> = t
                        .operators
                        .iter()
                        .map_while(|op| match op {
                            TraversalOperator::GetAttr(id) => Some(id.as_str()),
                            _ => None,
                        })
                        .collect();
                    scope.lookup(v.as_str(), &attrs)?
                }
                other => (eval_expr(other, scope)?, 0),
            };
            apply_operators(base, &t.operators[consumed.min(t.operators.len())..], scope)
        }
        Expression::FuncCall(f) => eval_call(f, scope),
        Expression::Parenthesis(e) => eval_expr(e, scope),
        Expression::Conditional(c) => eval_conditional(c, scope),
        Expression::Operation(op) => eval_operation(op, scope),
        Expression::ForExpr(f) => eval_for(f, scope),
        #[allow(unreachable_patterns)]
        _ => Err(EvalError::new("Unsupported expression", "This kind of expression is not supported.")),
    }
}

/// Applies traversal operators (attribute access, indexes, splats) to a value.
pub(crate) fn apply_operators(mut value: Value, ops: &[TraversalOperator], scope: &dyn Scope) -> EvalResult<Value> {
    for (i, op) in ops.iter().enumerate() {
        value = match op {
            TraversalOperator::GetAttr(id) => get_attr(value, id.as_str())?,
            TraversalOperator::Index(e) => {
                let key = eval_expr(e, scope)?;
                index(value, key)?
            }
            TraversalOperator::LegacyIndex(n) => index(value, Value::Number(*n as f64))?,
            TraversalOperator::AttrSplat | TraversalOperator::FullSplat => {
                let rest = &ops[i + 1..];
                let (inner, marked) = value.unmark();
                let out = match inner {
                    Value::Unknown => Value::Unknown,
                    Value::Null => Value::List(Vec::new()),
                    Value::List(items) | Value::Set(items) => {
                        Value::List(items.into_iter().map(|v| apply_operators(v, rest, scope)).collect::<EvalResult<Vec<_>>>()?)
                    }
                    other => Value::List(vec![apply_operators(other, rest, scope)?]),
                };
                return Ok(out.mark_if(marked));
            }
        };
    }
    Ok(value)
}

fn get_attr(value: Value, name: &str) -> EvalResult<Value> {
    let (inner, marked) = value.unmark();
    let out = match inner {
        Value::Unknown => Value::Unknown,
        Value::Map(m) => match m.get(name).cloned() {
            Some(v) => v,
            None => {
                return Err(EvalError::new(
                    "Unsupported attribute",
                    format!("This object does not have an attribute named \"{name}\"."),
                ))
            }
        },
        Value::Null => {
            return Err(EvalError::new(
                "Attempt to get attribute from null value",
                "This value is null, so it does not have any attributes.",
            ))
        }
        Value::List(_) | Value::Set(_) => {
            return Err(EvalError::new(
                "Unsupported attribute",
                format!("Can't access attributes on a list of objects. Did you mean to access attribute \"{name}\" for a specific element of the list, or across all elements of the list?"),
            ))
        }
        other => {
            return Err(EvalError::new(
                "Unsupported attribute",
                format!("Can't access attributes on a primitive-typed value ({}).", other.type_name()),
            ))
        }
    };
    Ok(out.mark_if(marked))
}

/// Indexes a collection: `list[0]`, `map["key"]`.
pub(crate) fn index(value: Value, key: Value) -> EvalResult<Value> {
    let (key, key_marked) = key.unmark();
    let (inner, marked) = value.unmark();
    let marked = marked || key_marked;
    let invalid = || EvalError::new("Invalid index", "The given key does not identify an element in this collection value.");
    let out = match (inner, key) {
        (Value::Unknown, _) | (_, Value::Unknown) => Value::Unknown,
        (Value::Null, _) => return Err(EvalError::new("Attempt to index null value", "This value is null, so it does not have any indices.")),
        (_, Value::Null) => return Err(EvalError::new("Invalid index", "Can't use a null value as an indexing key.")),
        (Value::List(mut items), k) => {
            let n = match k {
                Value::Number(n) => n,
                Value::String(s) => s.parse::<f64>().map_err(|_| {
                    EvalError::new("Invalid index", "The given key does not identify an element in this collection value: a number is required.")
                })?,
                _ => return Err(EvalError::new("Invalid index", "The given key does not identify an element in this collection value: a number is required.")),
            };
            if n.fract() != 0.0 {
                return Err(EvalError::new("Invalid index", "The given key does not identify an element in this collection value: indexes must be whole numbers."));
            }
            if n < 0.0 || n as usize >= items.len() {
                return Err(invalid());
            }
            items.swap_remove(n as usize)
        }
        (Value::Set(_), _) => {
            return Err(EvalError::new(
                "Invalid index",
                "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.",
            ))
        }
        (Value::Map(m), k) => {
            let key = match k {
                Value::String(s) => s,
                Value::Number(n) => format_number(n),
                Value::Bool(b) => b.to_string(),
                _ => return Err(EvalError::new("Invalid index", "The given key does not identify an element in this collection value: string required.")),
            };
            m.get(&key).cloned().ok_or_else(invalid)?
        }
        (other, _) => {
            return Err(EvalError::new(
                "Invalid index",
                format!("This value does not have any indices (it is a {}).", other.type_name()),
            ))
        }
    };
    Ok(out.mark_if(marked))
}

fn eval_call(f: &FuncCall, scope: &dyn Scope) -> EvalResult<Value> {
    // Provider functions go by their full name (`provider::terraform::encode_expr`).
    let full = f.name.to_string();
    let name = if f.name.is_namespaced() { full.as_str() } else { f.name.name.as_str() };
    if f.name.is_namespaced() && !functions::exists(name) {
        return Err(EvalError::new(
            "Call to unknown function",
            format!("There is no function named \"{}\"; of provider-defined functions, skyform has only the built-in terraform provider's (provider::terraform::encode_tfvars, decode_tfvars, encode_expr).", f.name),
        ));
    }
    match name {
        "try" => return eval_try(&f.args, scope),
        "can" => {
            if f.args.len() != 1 {
                return Err(EvalError::new("Invalid function argument", "Function \"can\" expects exactly one argument."));
            }
            return Ok(match eval_expr(&f.args[0], scope) {
                Ok(v) if !v.is_wholly_known() => Value::Unknown,
                Ok(_) => Value::Bool(true),
                Err(_) => Value::Bool(false),
            });
        }
        _ => {}
    }
    let mut args = f.args.iter().map(|a| eval_expr(a, scope)).collect::<EvalResult<Vec<_>>>()?;
    if f.expand_final {
        let last = args.pop().unwrap_or(Value::Null);
        let (last, marked) = last.unmark();
        match last {
            Value::List(items) | Value::Set(items) => args.extend(items.into_iter().map(|v| v.mark_if(marked))),
            Value::Unknown => return Ok(Value::Unknown),
            other => {
                return Err(EvalError::new(
                    "Invalid expanding argument value",
                    format!("The expanding argument (indicated by ...) must be of a tuple, list, or set type, not {}.", other.type_name()),
                ))
            }
        }
    }
    if name == "templatefile" {
        return eval_template_file(args, scope);
    }
    // An error message never shows a sensitive argument.
    let secrets: Vec<String> = if args.iter().any(Value::contains_sensitive) { args.iter().flat_map(Value::sensitive_texts).collect() } else { Vec::new() };
    functions::call(name, args, scope.func_context()).map_err(|e| match e {
        FuncError::Unknown(n) => EvalError::new("Call to unknown function", format!("There is no function named \"{n}\".")),
        other => EvalError::new("Error in function call", crate::diag::redact(&format!("Call to function \"{name}\" failed: {other}"), &secrets)),
    })
}

fn eval_try(args: &[Expression], scope: &dyn Scope) -> EvalResult<Value> {
    if args.is_empty() {
        return Err(EvalError::new("Invalid function argument", "At least one argument is required."));
    }
    for a in args {
        if let Ok(v) = eval_expr(a, scope) {
            return Ok(if v.is_wholly_known() { v } else { Value::Unknown });
        }
    }
    Err(EvalError::new("Error in function call", "Call to function \"try\" failed: no expression succeeded."))
}

fn eval_conditional(c: &Conditional, scope: &dyn Scope) -> EvalResult<Value> {
    let (cond, marked) = eval_expr(&c.cond_expr, scope)?.unmark();
    let b = match cond {
        Value::Unknown => return Ok(Value::Unknown.mark_if(marked)),
        Value::Bool(b) => b,
        Value::String(s) if s == "true" || s == "false" => s == "true",
        Value::Null => return Err(EvalError::new("Invalid condition result", "The condition value is null. Conditions must either be true or false.")),
        other => return Err(EvalError::new("Incorrect condition type", format!("The condition expression must be of type bool, not {}.", other.type_name()))),
    };
    let v = eval_expr(if b { &c.true_expr } else { &c.false_expr }, scope)?;
    Ok(v.mark_if(marked))
}

/// A collection's `(key, value)` pairs and whether the collection was sensitive.
type Items = (Vec<(Value, Value)>, bool);

/// The (key, value) pairs a `for` expression or directive iterates over.
pub(crate) fn iteration_items(collection: Value) -> EvalResult<Option<Items>> {
    let (coll, marked) = collection.unmark();
    let items = match coll {
        Value::Unknown => return Ok(None),
        Value::Null => return Err(EvalError::new("Iteration over null value", "A null value cannot be used as the collection in a 'for' expression.")),
        Value::List(items) => items.into_iter().enumerate().map(|(i, v)| (Value::Number(i as f64), v)).collect(),
        Value::Set(items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
        Value::Map(m) => Arc::unwrap_or_clone(m).into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
        other => {
            return Err(EvalError::new(
                "Iteration over non-iterable value",
                format!("A value of type {} cannot be used as the collection in a 'for' expression.", other.type_name()),
            ))
        }
    };
    Ok(Some((items, marked)))
}

fn eval_for(f: &ForExpr, scope: &dyn Scope) -> EvalResult<Value> {
    let Some((items, mut marked)) = iteration_items(eval_expr(&f.collection_expr, scope)?)? else {
        return Ok(Value::Unknown);
    };
    let mut list = Vec::new();
    let mut map: BTreeMap<String, Value> = BTreeMap::new();
    let mut unknown = false;
    for (k, v) in items {
        let mut names = vec![(f.value_var.as_str().to_string(), v)];
        if let Some(kv) = &f.key_var {
            names.push((kv.as_str().to_string(), k));
        }
        let local = LocalScope { parent: scope, names };
        if let Some(cond) = &f.cond_expr {
            match eval_expr(cond, &local)?.unmark().0 {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                Value::Unknown => {
                    unknown = true;
                    continue;
                }
                other => {
                    return Err(EvalError::new(
                        "Invalid 'for' condition",
                        format!("The 'if' clause value is invalid: bool required, not {}.", other.type_name()),
                    ))
                }
            }
        }
        let value = eval_expr(&f.value_expr, &local)?;
        match &f.key_expr {
            None => list.push(value),
            Some(ke) => {
                // A sensitive key makes the whole object sensitive, as in Terraform.
                let (key, key_marked) = eval_expr(ke, &local)?.unmark();
                marked |= key_marked;
                let key = match key {
                    Value::String(s) => s,
                    Value::Number(n) => format_number(n),
                    Value::Bool(b) => b.to_string(),
                    Value::Unknown => {
                        unknown = true;
                        continue;
                    }
                    other => {
                        return Err(EvalError::new(
                            "Invalid object key",
                            format!("Key expression in 'for' expression must be a string, not {}.", other.type_name()),
                        ))
                    }
                };
                if f.grouping {
                    if let Value::List(items) = map.entry(key).or_insert_with(|| Value::List(Vec::new())) {
                        items.push(value)
                    }
                } else {
                    match map.entry(key) {
                        std::collections::btree_map::Entry::Occupied(e) => {
                            return Err(EvalError::new(
                                "Duplicate object key",
                                format!(
                                    "Two different items produced the key {} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.",
                                    if key_marked { crate::diag::REDACTED.to_string() } else { format!("\"{}\"", e.key()) }
                                ),
                            ))
                        }
                        std::collections::btree_map::Entry::Vacant(e) => {
                            e.insert(value);
                        }
                    }
                }
            }
        }
    }
    if unknown {
        return Ok(Value::Unknown.mark_if(marked));
    }
    let out = if f.key_expr.is_some() { Value::Map(map.into()) } else { Value::List(list) };
    Ok(out.mark_if(marked))
}
