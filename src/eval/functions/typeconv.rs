//! Type conversion functions: tostring, tonumber, tobool, tolist, toset, tomap.

use super::{invalid, FuncContext, FuncResult};
use crate::eval::types::{convert, Type};
use crate::value::Value;

fn conv(v: Value, ty: Type) -> FuncResult {
    convert(v, &ty).or_else(|e| invalid(format!("Invalid value for \"v\" parameter: cannot convert to {}: {e}.", ty.name())))
}

pub fn tostring(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    conv(a.into_iter().next().unwrap_or_default(), Type::String)
}
pub fn tonumber(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    conv(a.into_iter().next().unwrap_or_default(), Type::Number)
}
pub fn tobool(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    conv(a.into_iter().next().unwrap_or_default(), Type::Bool)
}

/// The single element type a list/set conversion unifies to (string if mixed primitives).
fn unify(items: &[Value]) -> Type {
    let kinds: std::collections::BTreeSet<&str> = items.iter().filter(|v| !v.is_null() && v.is_known()).map(|v| v.type_name()).collect();
    match kinds.into_iter().collect::<Vec<_>>().as_slice() {
        ["number"] => Type::Number,
        ["bool"] => Type::Bool,
        [] => Type::Any,
        k if k.iter().all(|t| matches!(*t, "string" | "number" | "bool")) => Type::String,
        _ => Type::Any,
    }
}

pub fn tolist(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    match a.into_iter().next().unwrap_or_default() {
        Value::List(items) | Value::Set(items) => {
            let t = unify(&items);
            conv(Value::List(items), Type::List(Box::new(t)))
        }
        other => invalid(format!("Invalid value for \"v\" parameter: cannot convert {} to list.", other.type_name())),
    }
}

pub fn toset(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    match a.into_iter().next().unwrap_or_default() {
        Value::List(items) | Value::Set(items) => {
            let t = unify(&items);
            conv(Value::List(items), Type::Set(Box::new(t)))
        }
        other => invalid(format!("Invalid value for \"v\" parameter: cannot convert {} to set.", other.type_name())),
    }
}

pub fn tomap(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    match a.into_iter().next().unwrap_or_default() {
        Value::Map(m) => {
            let items: Vec<Value> = m.values().cloned().collect();
            let t = unify(&items);
            conv(Value::Map(m), Type::Map(Box::new(t)))
        }
        other => invalid(format!("Invalid value for \"v\" parameter: cannot convert {} to map.", other.type_name())),
    }
}
