//! Collection functions: length, concat, merge, lookup, keys/values, element, index, contains,
//! distinct, flatten, slice, sort, reverse, range, zipmap, coalesce*, compact, set operations,
//! one, alltrue/anytrue, sum, chunklist, transpose.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::string::{arg_int, graphemes};
use super::typeconv::unify;
use super::{arg_list, arg_num, arg_str, invalid, FuncContext, FuncResult};
use crate::value::Value;

pub fn length(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Number(match &a[0] {
        Value::List(i) | Value::Set(i) => i.len(),
        Value::Map(m) => m.len(),
        Value::String(s) => graphemes(s).len(),
        other => return invalid(format!("Invalid value for \"value\" parameter: collection or string required, got {}.", other.type_name())),
    } as f64))
}

pub fn concat(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    if a.is_empty() {
        return invalid("Invalid arguments: at least one argument is required.");
    }
    let mut out = Vec::new();
    for l in a {
        match l {
            Value::List(items) => out.extend(items),
            other => return invalid(format!("Invalid value for \"seqs\" parameter: all arguments must be lists or tuples; got {}.", other.type_name())),
        }
    }
    Ok(Value::List(out))
}

pub fn merge(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut out = BTreeMap::new();
    for m in a {
        match m {
            Value::Map(m) => out.extend(Arc::unwrap_or_clone(m)),
            Value::Null => {}
            other => return invalid(format!("Invalid value for \"maps\" parameter: map or object required, got {}.", other.type_name())),
        }
    }
    Ok(Value::Map(out.into()))
}

pub fn lookup(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let key = arg_str(&a[1], "key")?;
    match &a[0] {
        Value::Map(m) => match (m.get(&key), a.get(2)) {
            (Some(v), _) => Ok(v.clone()),
            (None, Some(d)) => Ok(d.clone()),
            (None, None) => invalid(format!("Invalid value for \"inputMap\" parameter: the given object has no attribute \"{key}\".")),
        },
        other => invalid(format!("Invalid value for \"inputMap\" parameter: map or object required, got {}.", other.type_name())),
    }
}

pub fn keys(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    match &a[0] {
        Value::Map(m) => Ok(Value::List(m.keys().map(|k| Value::String(k.clone())).collect())),
        other => invalid(format!("Invalid value for \"inputMap\" parameter: map or object required, got {}.", other.type_name())),
    }
}

pub fn values(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    match a.into_iter().next() {
        Some(Value::Map(m)) => Ok(Value::List(Arc::unwrap_or_clone(m).into_values().collect())),
        Some(other) => invalid(format!("Invalid value for \"mapping\" parameter: map or object required, got {}.", other.type_name())),
        None => invalid("Missing argument."),
    }
}

/// A list or tuple argument (a set has no order to index by).
fn arg_seq(v: Value, what: &str) -> Result<Vec<Value>, super::FuncError> {
    match v {
        Value::List(items) => Ok(items),
        other => invalid(format!("Invalid value for \"{what}\" parameter: list or tuple required, got {}.", other.type_name())),
    }
}

pub fn element(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut it = a.into_iter();
    let list = arg_seq(it.next().unwrap_or_default(), "list")?;
    let idx = arg_int(&it.next().unwrap_or_default(), "index")?;
    if list.is_empty() {
        return invalid("Invalid value for \"list\" parameter: cannot use element function with an empty list.");
    }
    // A negative index counts from the end, wrapping like a positive one.
    Ok(list[idx.rem_euclid(list.len() as i64) as usize].clone())
}

pub fn index(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut it = a.into_iter();
    let list = arg_seq(it.next().unwrap_or_default(), "list")?;
    let v = it.next().unwrap_or_default();
    match list.iter().position(|x| *x == v) {
        Some(i) => Ok(Value::Number(i as f64)),
        None => invalid("Invalid value for \"value\" parameter: item not found."),
    }
}

pub fn contains(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut it = a.into_iter();
    let list = arg_list(it.next().unwrap_or_default(), "list")?;
    let v = it.next().unwrap_or_default();
    Ok(Value::Bool(list.contains(&v)))
}

pub fn distinct(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut out: Vec<Value> = Vec::new();
    for v in unify(arg_list(a.into_iter().next().unwrap_or_default(), "list")?)? {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(Value::List(out))
}

fn flatten_into(v: Vec<Value>, out: &mut Vec<Value>) {
    for x in v {
        match x {
            Value::List(inner) | Value::Set(inner) => flatten_into(inner, out),
            other => out.push(other),
        }
    }
}

pub fn flatten(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut out = Vec::new();
    flatten_into(arg_list(a.into_iter().next().unwrap_or_default(), "list")?, &mut out);
    Ok(Value::List(out))
}

pub fn slice(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut it = a.into_iter();
    let list = arg_seq(it.next().unwrap_or_default(), "list")?;
    let start = arg_int(&it.next().unwrap_or_default(), "start_index")? as f64;
    let end = arg_int(&it.next().unwrap_or_default(), "end_index")? as f64;
    if start < 0.0 || end as usize > list.len() {
        return invalid("Invalid value for \"end_index\" parameter: end index must not be greater than the length of the list.");
    }
    if start > end {
        return invalid("Invalid value for \"start_index\" parameter: start index must not be greater than end index.");
    }
    Ok(Value::List(list[start as usize..end as usize].to_vec()))
}

pub fn sort(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let list = arg_list(a.into_iter().next().unwrap_or_default(), "list")?;
    let mut strs = list.iter().map(|v| arg_str(v, "list")).collect::<Result<Vec<_>, _>>()?;
    strs.sort();
    Ok(Value::List(strs.into_iter().map(Value::String).collect()))
}

pub fn reverse(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut list = arg_list(a.into_iter().next().unwrap_or_default(), "list")?;
    list.reverse();
    Ok(Value::List(list))
}

pub fn range(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let n: Vec<f64> = a.iter().map(|v| arg_num(v, "params")).collect::<Result<_, _>>()?;
    let (start, end, step) = match n.as_slice() {
        [e] => (0.0, *e, if *e >= 0.0 { 1.0 } else { -1.0 }),
        [s, e] => (*s, *e, if e >= s { 1.0 } else { -1.0 }),
        [s, e, st] => (*s, *e, *st),
        _ => return invalid("Invalid arguments."),
    };
    if step == 0.0 {
        return invalid("Invalid value for \"step\" parameter: step must not be zero.");
    }
    if (step > 0.0 && start > end) || (step < 0.0 && start < end) {
        return invalid("Invalid value for \"step\" parameter: step must be positive for an increasing range and negative for a decreasing one.");
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
        out.push(Value::Number(x));
        // start + i * step, tidied, so 0.1 steps land on 0.3 and 1 as Terraform's decimals do.
        x = super::numeric::tidy(start + out.len() as f64 * step);
        if out.len() > 1024 {
            return invalid(
                "Invalid arguments: more than 1024 values were generated; either decrease the difference between start and end or use a smaller step.",
            );
        }
    }
    Ok(Value::List(out))
}

pub fn zipmap(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut it = a.into_iter();
    let keys = arg_list(it.next().unwrap_or_default(), "keys")?;
    let vals = arg_list(it.next().unwrap_or_default(), "values")?;
    if keys.len() != vals.len() {
        return invalid("Invalid value for \"values\" parameter: number of keys and values must match.");
    }
    let mut out = BTreeMap::new();
    for (k, v) in keys.iter().zip(vals) {
        out.insert(arg_str(k, "keys")?, v);
    }
    Ok(Value::Map(out.into()))
}

pub fn coalesce(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    for v in unify(a)? {
        match &v {
            Value::Null => continue,
            Value::String(s) if s.is_empty() => continue,
            _ => return Ok(v),
        }
    }
    invalid("Invalid arguments: no non-null, non-empty-string arguments.")
}

pub fn coalescelist(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    for v in a {
        if let Value::List(items) | Value::Set(items) = &v {
            if !items.is_empty() {
                return Ok(v);
            }
        }
    }
    invalid("Invalid arguments: no non-empty list arguments.")
}

pub fn compact(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let list = arg_list(a.into_iter().next().unwrap_or_default(), "list")?;
    let strings = list.into_iter().filter(|v| !v.is_null()).map(|v| arg_str(&v, "list").map(Value::String)).collect::<Result<Vec<_>, _>>()?;
    Ok(Value::List(strings.into_iter().filter(|v| v.as_str() != Some("")).collect()))
}

/// The arguments' elements, unified to one element type across all of them.
fn sets(a: Vec<Value>) -> Result<Vec<Vec<Value>>, super::FuncError> {
    let lists: Vec<Vec<Value>> = a.into_iter().map(|v| arg_list(v, "sets")).collect::<Result<_, _>>()?;
    let lens: Vec<usize> = lists.iter().map(Vec::len).collect();
    let mut all = unify(lists.into_iter().flatten().collect())?.into_iter();
    Ok(lens.into_iter().map(|n| all.by_ref().take(n).collect()).collect())
}

pub fn setunion(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::set(sets(a)?.into_iter().flatten().collect()))
}

pub fn setintersection(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut s = sets(a)?.into_iter();
    let first = s.next().unwrap_or_default();
    let rest: Vec<Vec<Value>> = s.collect();
    Ok(Value::set(first.into_iter().filter(|v| rest.iter().all(|r| r.contains(v))).collect()))
}

pub fn setsubtract(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut s = sets(a)?.into_iter();
    let (x, y) = (s.next().unwrap_or_default(), s.next().unwrap_or_default());
    Ok(Value::set(x.into_iter().filter(|v| !y.contains(v)).collect()))
}

pub fn setproduct(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    if a.len() < 2 {
        return invalid("Invalid arguments: at least two arguments are required.");
    }
    let lists: Vec<Vec<Value>> = a.into_iter().map(|v| arg_list(v, "sets")).collect::<Result<_, _>>()?;
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for l in &lists {
        out = out.into_iter().flat_map(|prefix| l.iter().map(move |v| [prefix.clone(), vec![v.clone()]].concat())).collect();
    }
    Ok(Value::List(out.into_iter().map(Value::List).collect()))
}

pub fn one(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let list = arg_list(a.into_iter().next().unwrap_or_default(), "list")?;
    match list.len() {
        0 => Ok(Value::Null),
        1 => Ok(list.into_iter().next().unwrap_or_default()),
        _ => invalid("Invalid value for \"list\" parameter: must be a list, set, or tuple value with either zero or one elements."),
    }
}

/// The elements as bools; a null element counts as false.
fn bools(a: Vec<Value>) -> Result<Vec<bool>, super::FuncError> {
    arg_list(a.into_iter().next().unwrap_or_default(), "list")?
        .into_iter()
        .map(|v| match v {
            Value::Bool(b) => Ok(b),
            Value::Null => Ok(false),
            Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
            _ => invalid("Invalid value for \"list\" parameter: element must be a bool."),
        })
        .collect()
}

pub fn alltrue(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Bool(bools(a)?.into_iter().all(|b| b)))
}

pub fn anytrue(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Bool(bools(a)?.into_iter().any(|b| b)))
}

pub fn sum(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let list = arg_list(a.into_iter().next().unwrap_or_default(), "list")?;
    if list.is_empty() {
        return invalid("Invalid value for \"list\" parameter: cannot sum an empty list.");
    }
    let mut s = 0.0;
    for v in &list {
        s = super::numeric::tidy(s + arg_num(v, "list")?);
    }
    Ok(Value::Number(s))
}

pub fn chunklist(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut it = a.into_iter();
    let list = arg_list(it.next().unwrap_or_default(), "list")?;
    let size = arg_int(&it.next().unwrap_or_default(), "size")? as f64;
    if size < 0.0 {
        return invalid("Invalid value for \"size\" parameter: the size argument must be positive.");
    }
    if size == 0.0 {
        return Ok(Value::List(vec![Value::List(list)]));
    }
    Ok(Value::List(list.chunks(size as usize).map(|c| Value::List(c.to_vec())).collect()))
}

pub fn transpose(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let Value::Map(m) = a.into_iter().next().unwrap_or_default() else {
        return invalid("Invalid value for \"values\" parameter: map of lists required.");
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in m.iter() {
        for x in arg_list(v.clone(), "values")? {
            out.entry(arg_str(&x, "values")?).or_default().push(k.clone());
        }
    }
    Ok(Value::Map(out.into_iter().map(|(k, v)| (k, Value::List(v.into_iter().map(Value::String).collect()))).collect::<BTreeMap<_, _>>().into()))
}

pub fn matchkeys(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut it = a.into_iter();
    let values = arg_list(it.next().unwrap_or(Value::Null), "values")?;
    let keys = arg_list(it.next().unwrap_or(Value::Null), "keys")?;
    let search = arg_list(it.next().unwrap_or(Value::Null), "searchset")?;
    // Keys and search set are compared as one type.
    let nkeys = keys.len();
    let mut both = unify(keys.into_iter().chain(search).collect())?;
    let search = both.split_off(nkeys);
    let keys = both;
    if values.len() != keys.len() {
        return invalid("Invalid value for \"values\" parameter: length of keys and values should be equal.");
    }
    Ok(Value::List(values.into_iter().zip(keys).filter(|(_, k)| search.contains(k)).map(|(v, _)| v).collect()))
}
