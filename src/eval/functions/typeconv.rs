//! Type conversion functions: tostring, tonumber, tobool, tolist, toset, tomap.

use std::collections::BTreeMap;

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

pub fn tolist(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    match a.into_iter().next().unwrap_or_default() {
        Value::List(items) | Value::Set(items) => Ok(Value::List(unify(items)?)),
        other => invalid(format!("Invalid value for \"v\" parameter: cannot convert {} to list.", other.type_name())),
    }
}

pub fn toset(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    match a.into_iter().next().unwrap_or_default() {
        Value::List(items) | Value::Set(items) => Ok(Value::set(unify(items)?)),
        other => invalid(format!("Invalid value for \"v\" parameter: cannot convert {} to set.", other.type_name())),
    }
}

pub fn tomap(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    match a.into_iter().next().unwrap_or_default() {
        Value::Map(m) => {
            let (keys, vals): (Vec<String>, Vec<Value>) = std::sync::Arc::unwrap_or_clone(m).into_iter().unzip();
            Ok(Value::Map(keys.into_iter().zip(unify(vals)?).collect::<BTreeMap<_, _>>().into()))
        }
        other => invalid(format!("Invalid value for \"v\" parameter: cannot convert {} to map.", other.type_name())),
    }
}

/// Converts values to one common type, as Terraform does when a tuple becomes a list or set, or
/// when arguments must share a type: mixed primitives become strings, objects with the same
/// attributes unify attribute by attribute, objects with different ones become maps of one
/// element type, and nested lists unify their elements. Nulls and unknowns are left alone.
pub(crate) fn unify(items: Vec<Value>) -> Result<Vec<Value>, super::FuncError> {
    let kinds: std::collections::BTreeSet<&str> = items.iter().filter(|v| !v.is_null() && v.is_known()).map(|v| v.unmarked().type_name()).collect();
    let prim = |k: &&str| matches!(*k, "string" | "number" | "bool");
    if kinds.len() <= 1 && !kinds.contains("object") && !kinds.contains("tuple") && !kinds.contains("set") {
        return Ok(items);
    }
    if kinds.iter().all(prim) {
        return items.into_iter().map(|v| conv(v, Type::String)).collect();
    }
    let mismatch = || invalid(format!("Invalid value: all elements must have the same type (found {}).", kinds.iter().cloned().collect::<Vec<_>>().join(", ")));
    if kinds.len() > 1 {
        return mismatch();
    }
    match kinds.iter().next().copied() {
        Some("object") => {
            let shapes: std::collections::BTreeSet<Vec<String>> =
                items.iter().filter_map(|v| v.unmarked().as_map()).map(|m| m.keys().cloned().collect()).collect();
            let maps: Vec<Option<BTreeMap<String, Value>>> = items.iter().map(|v| v.unmarked().as_map().cloned()).collect();
            let mut out: Vec<Value> = items.clone();
            if shapes.len() == 1 {
                // Same attributes: each attribute unifies across the elements.
                for key in shapes.into_iter().next().unwrap_or_default() {
                    let column: Vec<Value> = maps.iter().flatten().map(|m| m.get(&key).cloned().unwrap_or_default()).collect();
                    let mut column = unify(column)?.into_iter();
                    for (slot, m) in out.iter_mut().zip(&maps) {
                        if m.is_some() {
                            set_attr(slot, &key, column.next().unwrap_or_default());
                        }
                    }
                }
            } else {
                // Different attributes: a map type whose element type fits every value.
                let all: Vec<Value> = maps.iter().flatten().flat_map(|m| m.values().cloned()).collect();
                let mut all = unify(all)?.into_iter();
                for (slot, m) in out.iter_mut().zip(&maps) {
                    if let Some(m) = m {
                        for key in m.keys() {
                            set_attr(slot, key, all.next().unwrap_or_default());
                        }
                    }
                }
            }
            Ok(out)
        }
        Some("tuple") | Some("set") => {
            let lens: Vec<Option<usize>> = items
                .iter()
                .map(|v| match v.unmarked() {
                    Value::List(i) | Value::Set(i) => Some(i.len()),
                    _ => None,
                })
                .collect();
            let all: Vec<Value> = items
                .iter()
                .flat_map(|v| match v.unmarked() {
                    Value::List(i) | Value::Set(i) => i.clone(),
                    _ => Vec::new(),
                })
                .collect();
            let mut all = unify(all)?.into_iter();
            Ok(items
                .into_iter()
                .zip(lens)
                .map(|(v, n)| match (v, n) {
                    (Value::List(_), Some(n)) => Value::List(all.by_ref().take(n).collect()),
                    (Value::Set(_), Some(n)) => Value::set(all.by_ref().take(n).collect()),
                    (other, _) => other,
                })
                .collect())
        }
        _ => mismatch(),
    }
}

fn set_attr(slot: &mut Value, key: &str, v: Value) {
    if let Value::Map(m) = slot {
        std::sync::Arc::make_mut(m).insert(key.to_string(), v);
    }
}
