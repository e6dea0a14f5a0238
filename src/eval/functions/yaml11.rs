//! `yamldecode` with Terraform's scalar rules, which are YAML 1.1's: an unquoted `yes`, `on`,
//! `y` is `true` (and `no`, `off`, `n` false), `012` is a decimal number, a date or
//! timestamp becomes an RFC 3339 string, and `<<` merges mappings. The YAML parser (serde_norway)
//! resolves YAML 1.2's core schema; unquoted strings it leaves alone are resolved again here. A
//! scalar is unquoted when the parser hands out a slice of the source that is not between quotes
//! and not preceded by a tag.

use std::collections::BTreeMap;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::value::{format_number, Value};

/// A decoded node; strings remember whether they were plain (unquoted, untagged).
enum Node {
    Null,
    Bool(bool),
    Num(f64),
    Str(String, bool),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Copy)]
struct Seed<'s> {
    src: &'s str,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Node;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
}

impl Seed<'_> {
    /// Whether `v`, a slice of the source, is a plain scalar there.
    fn is_plain(&self, v: &str) -> bool {
        let (base, at) = (self.src.as_ptr() as usize, v.as_ptr() as usize);
        if at < base || at + v.len() > base + self.src.len() {
            return false;
        }
        let start = at - base;
        let before = &self.src[..start];
        let after = &self.src[start + v.len()..];
        if let (Some(b), Some(a)) = (before.chars().last(), after.chars().next()) {
            if (b == '"' || b == '\'') && a == b {
                return false;
            }
        }
        // A tag (`!!str x`) right before the scalar.
        let word = before.trim_end_matches([' ', '\t']).rsplit([' ', '\t', '\n', '[', '{', ',', ':', '-']).next().unwrap_or("");
        !word.starts_with('!')
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Node;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Num(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Num(v as f64))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Num(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
        Ok(Node::Num(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        if v.is_nan() {
            return Err(E::custom("cannot decode NaN: it is not a valid number"));
        }
        Ok(Node::Num(v))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string(), self.is_plain(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string(), false))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
        let mut out = Vec::new();
        while let Some(x) = a.next_element_seed(self)? {
            out.push(x);
        }
        Ok(Node::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = a.next_key_seed(self)? {
            let v = a.next_value_seed(self)?;
            out.push((k, v));
        }
        Ok(Node::Map(out))
    }
}

/// A YAML 1.1 timestamp (`2001-12-14`, `2001-12-14t21:59:43.10-05:00`, `2001-12-14 21:59:43`)
/// as Terraform writes it: RFC 3339, whole seconds.
fn timestamp(s: &str) -> Option<String> {
    let re = regex::Regex::new(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$").ok()?;
    let c = re.captures(s)?;
    let n = |i: usize| c.get(i).map_or(Some(0), |m| m.as_str().parse::<u32>().ok());
    let date = chrono::NaiveDate::from_ymd_opt(n(1)? as i32, n(2)?, n(3)?)?;
    let time = chrono::NaiveTime::from_hms_opt(n(4)?, n(5)?, n(6)?)?;
    let zone = match c.get(7).map(|m| m.as_str()) {
        None | Some("Z") => "Z".to_string(),
        Some(z) => z.to_string(),
    };
    Some(format!("{}T{}{zone}", date.format("%Y-%m-%d"), time.format("%H:%M:%S")))
}

/// An unquoted scalar the YAML 1.2 resolver left as a string, resolved as YAML 1.1.
fn resolve_plain(s: &str) -> Value {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Value::Bool(false),
        _ => {}
    }
    if let Some(t) = timestamp(s) {
        return Value::String(t);
    }
    let number = regex::Regex::new(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$").is_ok_and(|re| re.is_match(s));
    match s.parse::<f64>() {
        Ok(n) if number => Value::Number(n),
        _ => Value::String(s.to_string()),
    }
}

fn to_value(n: Node) -> Result<Value, String> {
    Ok(match n {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Num(x) => Value::Number(x),
        Node::Str(s, true) => resolve_plain(&s),
        Node::Str(s, false) => Value::String(s),
        Node::Seq(items) => Value::List(items.into_iter().map(to_value).collect::<Result<_, _>>()?),
        Node::Map(pairs) => {
            // Entries apply in order: a `<<` merge sets its mapping's keys (over earlier ones),
            // a key given twice is an error.
            let mut out: BTreeMap<String, Value> = BTreeMap::new();
            let mut own = std::collections::BTreeSet::new();
            for (k, v) in pairs {
                if matches!(&k, Node::Str(s, true) if s == "<<") {
                    match to_value(v)? {
                        Value::Map(m) => out.extend(m.iter().map(|(a, b)| (a.clone(), b.clone()))),
                        _ => return Err("map merge requires map or sequence of maps as the value".into()),
                    }
                    continue;
                }
                let key = match to_value(k)? {
                    Value::String(s) => s,
                    Value::Number(x) => format_number(x),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => "null".to_string(),
                    _ => return Err("only scalar mapping keys are supported".into()),
                };
                if !own.insert(key.clone()) {
                    return Err(format!("duplicate key \"{key}\""));
                }
                out.insert(key, to_value(v)?);
            }
            Value::Map(out.into())
        }
    })
}

/// Decodes one YAML document with Terraform's (YAML 1.1) scalar rules.
pub(crate) fn decode(src: &str) -> Result<Value, String> {
    let de = serde_norway::Deserializer::from_str(src);
    to_value(Seed { src }.deserialize(de).map_err(|e| e.to_string())?)
}
