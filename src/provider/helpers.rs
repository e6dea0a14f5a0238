//! Small helpers the drivers share: reading and setting attributes of object values, blank
//! states for import, string maps, common prefixes, and error constructors. No provider logic.

use std::sync::Arc;

use super::BlockSchema;
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::Value;

/// A state with every attribute of the schema null (the start of an import).
pub fn blank(schema: &BlockSchema) -> Value {
    Value::object(schema.attributes.keys().map(|k| (k.clone(), Value::Null)))
}

/// The import response from reading the object to import: its state, the read's error, or
/// "does not exist" with `missing()` as the detail.
pub fn imported(r: super::ReadResponse, missing: impl FnOnce() -> String) -> super::ImportResponse {
    match r.new_state {
        Some(s) if r.diagnostics.is_empty() => super::ImportResponse { state: Some(s), diagnostics: Default::default() },
        Some(_) => super::ImportResponse { state: None, diagnostics: r.diagnostics },
        None => super::ImportResponse { state: None, diagnostics: Diagnostic::error("Cannot import non-existent remote object", missing()).into() },
    }
}

/// A map of strings as a HashMap (empty for null or unknown).
pub fn string_map(v: &Value) -> std::collections::HashMap<String, String> {
    match v {
        Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect(),
        _ => std::collections::HashMap::new(),
    }
}

/// A map value from string pairs.
pub fn map_value(m: impl IntoIterator<Item = (String, String)>) -> Value {
    Value::Map(Arc::new(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect::<std::collections::BTreeMap<_, _>>()))
}

/// The longest prefix all names share: a bulk refresh lists only under it, so a few managed
/// objects in a large bucket do not cost a listing of the whole bucket.
pub fn common_prefix<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut it = names.into_iter();
    let Some(first) = it.next() else { return String::new() };
    let mut len = first.len();
    for n in it {
        len = first.bytes().zip(n.bytes()).take(len).take_while(|(a, b)| a == b).count();
    }
    while !first.is_char_boundary(len) {
        len -= 1;
    }
    first[..len].to_string()
}

/// A string attribute of an object value (empty when absent or not a string).
pub fn text(v: &Value, name: &str) -> String {
    attr(v, name).as_str().unwrap_or_default().to_string()
}

/// An attribute of an object value (Null when absent).
pub fn attr<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get_attr(name).unwrap_or(&Value::Null)
}

/// Sets an attribute on an object value.
pub fn set(v: &mut Value, name: &str, x: Value) {
    if let Value::Map(m) = v {
        Arc::make_mut(m).insert(name.to_string(), x);
    }
}

/// Fills optional+computed attributes left null with their defaults.
pub fn defaults(v: &mut Value, pairs: &[(&str, Value)]) {
    for (name, d) in pairs {
        if attr(v, name).is_null() {
            set(v, name, d.clone());
        }
    }
}

pub fn error(summary: &str, detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error(summary, detail).into()
}

#[cfg(test)]
mod tests {
    use super::common_prefix;

    #[test]
    fn common_prefix_is_the_longest_shared_start() {
        assert_eq!(common_prefix(["site/a.html", "site/b.css", "site/img/c.png"]), "site/");
        assert_eq!(common_prefix(["a", "b"]), "");
        assert_eq!(common_prefix(["only/one.txt"]), "only/one.txt");
        assert_eq!(common_prefix(Vec::<&str>::new()), "");
        // Never splits a multi-byte character.
        assert_eq!(common_prefix(["dé1", "dè2"]), "d");
    }
}
