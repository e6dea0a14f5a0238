//! The value model shared by the evaluator, the planner, the state and the drivers.
//!
//! It is hcl-rs's `Value` plus the two things a planner needs and hcl-rs lacks: `Unknown`
//! ("known after apply") and a `Sensitive` mark that wraps any value and travels with it through
//! every operation. Owns: the `Value` enum, attribute paths, mark helpers and JSON conversion.
//! Does not own: type constraints and conversion (`eval::types`) or evaluation (`eval`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A configuration or state value.
///
/// `List` holds lists and tuples, `Map` holds maps and objects (keys sorted, as Terraform prints
/// them), `Set` holds sets (kept sorted and free of duplicates by [`Value::set`]).
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(Arc<BTreeMap<String, Value>>),
    /// A value that is not known until apply.
    Unknown,
    /// A value marked sensitive; the mark propagates to anything derived from it.
    Sensitive(Box<Value>),
}

/// One step of an attribute path inside a value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum PathStep {
    /// An object attribute or a map key.
    Key(String),
    /// A list, tuple or set element index.
    Index(u64),
}

/// A path to a nested value, e.g. `tags["Name"]` or `ingress[0].cidr_blocks`.
pub type AttrPath = Vec<PathStep>;

/// Renders a path the way Terraform writes it in messages: `tags["Name"]`, `ingress[0].port`.
pub fn path_to_string(path: &[PathStep]) -> String {
    let mut out = String::new();
    for (i, step) in path.iter().enumerate() {
        match step {
            PathStep::Key(k) if i == 0 => out.push_str(k),
            PathStep::Key(k) if is_identifier(k) => {
                out.push('.');
                out.push_str(k)
            }
            PathStep::Key(k) => out.push_str(&format!("[{k:?}]")),
            PathStep::Index(n) => out.push_str(&format!("[{n}]")),
        }
    }
    out
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Value {
    /// Builds a string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// Builds a set value: sorts and removes duplicates.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(compare_for_set);
        // Unknown elements may turn out different: each stays (as in cty), so a set of two
        // values known after apply still has two elements when they are known.
        items.dedup_by(|a, b| a == b && a.is_wholly_known());
        Value::Set(items)
    }

    /// Builds an object value from pairs.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(Arc::new(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect()))
    }

    /// Returns the Terraform type name of the value, for messages ("string", "number", ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "tuple",
            Value::Set(_) => "set",
            Value::Map(_) => "object",
            Value::Unknown => "unknown",
            Value::Sensitive(v) => v.type_name(),
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Sensitive(v) => v.is_null(),
            _ => false,
        }
    }

    /// True unless the value itself (not something nested in it) is unknown.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Sensitive(v) => v.is_known(),
            _ => true,
        }
    }

    /// True when no unknown appears anywhere in the value.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Sensitive(v) => v.is_wholly_known(),
            Value::List(items) | Value::Set(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// True when the value itself carries the sensitive mark.
    pub fn is_sensitive(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }

    /// True when the sensitive mark appears anywhere in the value.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(items) | Value::Set(items) => items.iter().any(Value::contains_sensitive),
            Value::Map(m) => m.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    /// The texts of the sensitive scalars in this value (strings, and numbers and bools as
    /// written), for keeping them out of messages ([`crate::diag::Diagnostic::redact`]).
    pub fn sensitive_texts(&self) -> Vec<String> {
        fn scalars(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::String(s) => out.push(s.clone()),
                Value::Number(_) | Value::Bool(_) => out.push(v.to_string()),
                Value::Sensitive(inner) => scalars(inner, out),
                Value::List(items) | Value::Set(items) => items.iter().for_each(|x| scalars(x, out)),
                Value::Map(m) => m.iter().for_each(|(k, x)| {
                    out.push(k.clone());
                    scalars(x, out)
                }),
                _ => {}
            }
        }
        fn walk(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Sensitive(inner) => scalars(inner, out),
                Value::List(items) | Value::Set(items) => items.iter().for_each(|x| walk(x, out)),
                Value::Map(m) => m.values().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out.retain(|t| !t.is_empty());
        out.sort_by_key(|t| std::cmp::Reverse(t.len()));
        out.dedup();
        out
    }

    /// Marks the value sensitive (idempotent).
    pub fn mark(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            other => Value::Sensitive(Box::new(other)),
        }
    }

    /// Marks the value sensitive when `sensitive` is true.
    pub fn mark_if(self, sensitive: bool) -> Value {
        if sensitive {
            self.mark()
        } else {
            self
        }
    }

    /// Removes a top-level mark: returns the inner value and whether it was marked.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(v) => (v.unmark().0, true),
            other => (other, false),
        }
    }

    /// Borrows the value under any top-level mark.
    pub fn unmarked(&self) -> &Value {
        match self {
            Value::Sensitive(v) => v.unmarked(),
            other => other,
        }
    }

    /// Removes every mark, returning the plain value and the paths that were marked.
    pub fn unmark_deep(self) -> (Value, Vec<AttrPath>) {
        // One scan decides; unmarked values (the common case) are returned as they are.
        if !self.contains_sensitive() {
            return (self, Vec::new());
        }
        let mut paths = Vec::new();
        let v = unmark_into(self, &mut Vec::new(), &mut paths);
        (v, paths)
    }

    /// Removes every mark without recording where they were.
    pub fn strip_marks(self) -> Value {
        self.unmark_deep().0
    }

    /// Re-applies marks at the given paths (the inverse of [`Value::unmark_deep`]).
    pub fn mark_paths(mut self, paths: &[AttrPath]) -> Value {
        for path in paths {
            self = mark_at(self, path);
        }
        self
    }

    /// Looks up a nested value by path, looking through marks.
    pub fn get_path(&self, path: &[PathStep]) -> Option<&Value> {
        let mut cur = self;
        for step in path {
            cur = match (cur.unmarked(), step) {
                (Value::Map(m), PathStep::Key(k)) => m.get(k)?,
                (Value::List(items) | Value::Set(items), PathStep::Index(i)) => items.get(*i as usize)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Returns the attribute of an object value (through a mark), or None.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self.unmarked() {
            Value::Map(m) => m.get(name),
            _ => None,
        }
    }

    /// Returns the string inside a (possibly marked) string value.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unmarked() {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unmarked() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Returns the number inside a (possibly marked) number value.
    pub fn as_f64(&self) -> Option<f64> {
        match self.unmarked() {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Returns the bool inside a (possibly marked) bool value.
    pub fn as_bool(&self) -> Option<bool> {
        match self.unmarked() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Converts to JSON. Unknowns become null; marks are dropped (callers that must not leak
    /// sensitive values redact first).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) | Value::Set(items) => serde_json::Value::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Value::Sensitive(v) => v.to_json(),
        }
    }

    /// Converts from JSON: arrays become lists, objects become maps.
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(m) => Value::Map(Arc::new(m.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())),
        }
    }

    /// The paths at which the value holds a set, innermost first. JSON keeps only a set's
    /// elements (as an array); [`Value::with_sets`] turns those arrays back into sets.
    pub fn set_paths(&self) -> Vec<AttrPath> {
        fn walk(v: &Value, path: &mut AttrPath, out: &mut Vec<AttrPath>) {
            match v {
                Value::Sensitive(inner) => walk(inner, path, out),
                Value::List(items) | Value::Set(items) => {
                    for (i, item) in items.iter().enumerate() {
                        path.push(PathStep::Index(i as u64));
                        walk(item, path, out);
                        path.pop();
                    }
                    if matches!(v, Value::Set(_)) {
                        out.push(path.clone());
                    }
                }
                Value::Map(m) => {
                    for (k, item) in m.iter() {
                        path.push(PathStep::Key(k.clone()));
                        walk(item, path, out);
                        path.pop();
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &mut Vec::new(), &mut out);
        out
    }

    /// Makes the lists at `paths` sets again (the inverse of [`Value::set_paths`] after a JSON
    /// round trip). Paths are applied innermost first, so outer indexes stay valid.
    pub fn with_sets(self, paths: &[AttrPath]) -> Value {
        fn at(v: Value, path: &[PathStep]) -> Value {
            let Some((first, rest)) = path.split_first() else {
                return match v {
                    Value::List(items) => Value::set(items),
                    other => other,
                };
            };
            match (v, first) {
                (Value::Map(mut m), PathStep::Key(k)) => {
                    if let Some(slot) = Arc::make_mut(&mut m).get_mut(k) {
                        *slot = at(std::mem::take(slot), rest);
                    }
                    Value::Map(m)
                }
                (Value::List(mut items), PathStep::Index(i)) => {
                    if let Some(slot) = items.get_mut(*i as usize) {
                        *slot = at(std::mem::take(slot), rest);
                    }
                    Value::List(items)
                }
                (other, _) => other,
            }
        }
        let mut paths: Vec<&AttrPath> = paths.iter().collect();
        paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
        paths.into_iter().fold(self, |v, p| at(v, p))
    }

    /// Returns, for each unknown in the value, `true` at its place (Terraform's `after_unknown`).
    pub fn unknown_mask(&self) -> serde_json::Value {
        match self {
            Value::Unknown => serde_json::Value::Bool(true),
            Value::Sensitive(v) => v.unknown_mask(),
            Value::List(items) | Value::Set(items) => serde_json::Value::Array(items.iter().map(Value::unknown_mask).collect()),
            Value::Map(m) => serde_json::Value::Object(
                m.iter().filter(|(_, v)| !matches!(v.unknown_mask(), serde_json::Value::Bool(false))).map(|(k, v)| (k.clone(), v.unknown_mask())).collect(),
            ),
            _ => serde_json::Value::Bool(false),
        }
    }
}

/// Formats a number as Terraform does: integers without a fraction, others in shortest form.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        serde_json::Value::Number((n as i64).into())
    } else {
        serde_json::Number::from_f64(n).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)
    }
}

fn unmark_into(v: Value, here: &mut AttrPath, paths: &mut Vec<AttrPath>) -> Value {
    match v {
        Value::Sensitive(inner) => {
            paths.push(here.clone());
            unmark_into(*inner, here, &mut Vec::new())
        }
        Value::List(items) => Value::List(unmark_items(items, here, paths)),
        Value::Set(items) => Value::Set(unmark_items(items, here, paths)),
        Value::Map(m) => Value::Map(Arc::new(
            Arc::unwrap_or_clone(m)
                .into_iter()
                .map(|(k, v)| {
                    here.push(PathStep::Key(k.clone()));
                    let v = unmark_into(v, here, paths);
                    here.pop();
                    (k, v)
                })
                .collect(),
        )),
        other => other,
    }
}

fn unmark_items(items: Vec<Value>, here: &mut AttrPath, paths: &mut Vec<AttrPath>) -> Vec<Value> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            here.push(PathStep::Index(i as u64));
            let v = unmark_into(v, here, paths);
            here.pop();
            v
        })
        .collect()
}

fn mark_at(v: Value, path: &[PathStep]) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return v.mark();
    };
    let (inner, marked) = v.unmark();
    let updated = match (inner, first) {
        (Value::Map(mut m), PathStep::Key(k)) => {
            if let Some(child) = Arc::make_mut(&mut m).remove(k) {
                Arc::make_mut(&mut m).insert(k.clone(), mark_at(child, rest));
            }
            Value::Map(m)
        }
        (Value::List(mut items), PathStep::Index(i)) => {
            if let Some(slot) = items.get_mut(*i as usize) {
                *slot = mark_at(std::mem::take(slot), rest);
            }
            Value::List(items)
        }
        (Value::Set(mut items), PathStep::Index(i)) => {
            if let Some(slot) = items.get_mut(*i as usize) {
                *slot = mark_at(std::mem::take(slot), rest);
            }
            Value::Set(items)
        }
        (other, _) => other,
    };
    updated.mark_if(marked)
}

/// A total order used to keep sets sorted: by kind, then by content.
pub fn compare_for_set(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::List(_) => 4,
            Value::Set(_) => 5,
            Value::Map(_) => 6,
            Value::Unknown => 7,
            Value::Sensitive(_) => 8,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Sensitive(x), Value::Sensitive(y)) => compare_for_set(x, y),
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            for (l, r) in x.iter().zip(y) {
                let o = compare_for_set(l, r);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Map(x), Value::Map(y)) => {
            for ((lk, lv), (rk, rv)) in x.iter().zip(y.iter()) {
                let o = lk.cmp(rk).then_with(|| compare_for_set(lv, rv));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

impl fmt::Display for Value {
    /// Renders the value in HCL syntax on one line (sensitive values hidden).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{}", format_number(*n)),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Value::List(items) | Value::Set(items) => {
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Map(m) => {
                write!(f, "{{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    if is_identifier(k) {
                        write!(f, "{k} = {v}")?;
                    } else {
                        write!(f, "{:?} = {v}", k)?;
                    }
                }
                write!(f, "}}")
            }
            Value::Unknown => write!(f, "(known after apply)"),
            Value::Sensitive(_) => write!(f, "(sensitive value)"),
        }
    }
}

/// Parses JSON text straight into a [`Value`], without an intermediate `serde_json::Value`
/// (the state loader's hot path). Same result as `Value::from_json(&serde_json::from_str(..)?)`.
pub fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    let v = JsonSeed.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

struct JsonSeed;

impl<'de> serde::de::DeserializeSeed<'de> for JsonSeed {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(JsonSeed)? {
            items.push(v);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(JsonSeed)?;
            out.insert(k, v);
        }
        Ok(Value::Map(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sets_keep_each_unknown_element() {
        let s = super::Value::set(vec![super::Value::Unknown, super::Value::string("a"), super::Value::Unknown, super::Value::string("a")]);
        assert_eq!(s, super::Value::Set(vec![super::Value::string("a"), super::Value::Unknown, super::Value::Unknown]));
    }

    use super::*;

    #[test]
    fn sets_survive_a_json_round_trip_with_their_paths() {
        let inner = Value::set(vec![Value::string("b"), Value::string("a")]);
        let v = Value::object([
            ("s", inner.clone()),
            ("l", Value::List(vec![Value::string("z"), Value::set(vec![inner.clone(), Value::set(vec![Value::string("c")])])])),
            ("n", Value::Number(1.0)),
        ]);
        let paths = v.set_paths();
        let back = Value::from_json(&v.to_json());
        assert_ne!(back, v, "JSON alone turns sets into lists");
        assert_eq!(back.with_sets(&paths), v);
        assert_eq!(Value::from_json(&inner.to_json()).with_sets(&inner.set_paths()), inner);
        assert!(Value::List(vec![Value::Null]).set_paths().is_empty());
    }

    #[test]
    fn parse_json_matches_from_json() {
        let text = r#"{"a": [1, 2.5, "x", null, true, {"b": {}}], "c": -3, "d": 18446744073709551615}"#;
        let via_serde = Value::from_json(&serde_json::from_str(text).unwrap());
        assert_eq!(parse_json(text).unwrap(), via_serde);
        assert!(parse_json("{\"a\": 1} x").is_err());
        assert!(parse_json("{").is_err());
    }

    #[test]
    fn marks_round_trip_through_paths() {
        let v = Value::object([("a", Value::string("x").mark()), ("b", Value::List(vec![Value::Number(1.0), Value::Number(2.0).mark()]))]);
        let (plain, paths) = v.clone().unmark_deep();
        assert!(!plain.contains_sensitive());
        assert_eq!(paths.len(), 2);
        assert_eq!(plain.mark_paths(&paths), v);
    }

    #[test]
    fn sets_are_sorted_and_unique() {
        let s = Value::set(vec![Value::string("b"), Value::string("a"), Value::string("b")]);
        assert_eq!(s, Value::Set(vec![Value::string("a"), Value::string("b")]));
    }

    #[test]
    fn numbers_format_like_terraform() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(Value::Number(-2.0).to_json(), serde_json::json!(-2));
    }

    #[test]
    fn paths_render_like_terraform() {
        let p = vec![PathStep::Key("tags".into()), PathStep::Key("Name Tag".into()), PathStep::Index(0)];
        assert_eq!(path_to_string(&p), "tags[\"Name Tag\"][0]");
    }

    #[test]
    fn unknown_mask_marks_only_unknowns() {
        let v = Value::object([("id", Value::Unknown), ("name", Value::string("x"))]);
        assert_eq!(v.unknown_mask(), serde_json::json!({"id": true}));
    }
}
