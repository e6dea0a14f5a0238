//! Values in HCL syntax over several lines, as Terraform shows them in plans and `output`.

use crate::value::{format_number, Value};

/// Renders a value; nested collections are indented by `indent` spaces per level.
pub fn render(v: &Value, indent: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) => render_string(s, indent),
        Value::Unknown => "(known after apply)".into(),
        Value::Sensitive(_) => "(sensitive value)".into(),
        Value::List(items) | Value::Set(items) => {
            if items.is_empty() {
                return "[]".into();
            }
            let pad = " ".repeat(indent + 4);
            let mut s = String::from("[\n");
            for it in items {
                s.push_str(&format!("{pad}{},\n", render(it, indent + 4)));
            }
            s.push_str(&format!("{}]", " ".repeat(indent)));
            s
        }
        Value::Map(m) => {
            if m.is_empty() {
                return "{}".into();
            }
            let pad = " ".repeat(indent + 4);
            let width = m.keys().map(|k| key(k).len()).max().unwrap_or(0);
            let mut s = String::from("{\n");
            for (k, v) in m.iter() {
                s.push_str(&format!("{pad}{:width$} = {}\n", key(k), render(v, indent + 4)));
            }
            s.push_str(&format!("{}}}", " ".repeat(indent)));
            s
        }
    }
}

/// Renders a value being created or destroyed, as Terraform does inside a plan: every map entry
/// and list element carries `sign` (`+` or `-`, coloured by the caller), entries sit two columns
/// right of `indent` and the closing bracket at `indent`. `map_keys`: the keys are a map's
/// (always quoted) rather than an object's attribute names (bare when they are identifiers).
pub fn render_signed(v: &Value, indent: usize, sign: &str, map_keys: bool) -> String {
    let pad = " ".repeat(indent + 2);
    match v {
        Value::List(items) | Value::Set(items) if !items.is_empty() => {
            let mut s = String::from("[\n");
            for it in items {
                s.push_str(&format!("{pad}{sign} {},\n", render_signed(it, indent + 4, sign, map_keys)));
            }
            s.push_str(&format!("{}]", " ".repeat(indent)));
            s
        }
        Value::Map(m) if !m.is_empty() => {
            let name = |k: &str| if map_keys { key(k) } else { attr_key(k) };
            let width = m.keys().map(|k| name(k).len()).max().unwrap_or(0);
            let mut s = String::from("{\n");
            for (k, v) in m.iter() {
                s.push_str(&format!("{pad}{sign} {:width$} = {}\n", name(k), render_signed(v, indent + 4, sign, map_keys)));
            }
            s.push_str(&format!("{}}}", " ".repeat(indent)));
            s
        }
        _ => render(v, indent),
    }
}

/// An object attribute name as Terraform prints it: bare when it is an identifier, quoted
/// otherwise.
pub fn attr_key(k: &str) -> String {
    let mut chars = k.chars();
    let ident = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident {
        k.to_string()
    } else {
        key(k)
    }
}

/// Renders a string: quoted on one line, or as a heredoc when it has several lines.
pub fn render_string(s: &str, indent: usize) -> String {
    if s.contains('\n') && s.len() > 1 {
        let pad = " ".repeat(indent + 4);
        let mut out = String::from("<<-EOT\n");
        for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("{pad}{line}\n"));
            }
        }
        out.push_str(&format!("{}EOT", " ".repeat(indent + 4)));
        return out;
    }
    serde_json::Value::String(s.to_string()).to_string()
}

/// A map key as Terraform prints it in a plan: always quoted.
pub fn key(k: &str) -> String {
    serde_json::Value::String(k.to_string()).to_string()
}

/// A value as `console` prints it (Terraform's console format): two-space indents, quoted
/// keys, a trailing comma after each list element, sets as `toset([...])`.
pub fn console(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent + 2);
    let close = " ".repeat(indent);
    match v {
        Value::List(items) | Value::Set(items) => {
            let (open, end) = if matches!(v, Value::Set(_)) { ("toset([", "])") } else { ("[", "]") };
            if items.is_empty() {
                return format!("{open}{end}");
            }
            let body: String = items.iter().map(|i| format!("{pad}{},\n", console(i, indent + 2))).collect();
            format!("{open}\n{body}{close}{end}")
        }
        Value::Map(m) => {
            if m.is_empty() {
                return "{}".into();
            }
            let body: String = m.iter().map(|(k, x)| format!("{pad}{} = {}\n", key(k), console(x, indent + 2))).collect();
            format!("{{\n{body}{close}}}")
        }
        Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        other => render(other, indent),
    }
}
