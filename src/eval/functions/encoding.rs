//! Encoding functions: jsonencode/jsondecode, yamlencode/yamldecode, base64, urlencode.

use base64::Engine as _;

use super::{arg_str, invalid, FuncContext, FuncResult};
use crate::value::{format_number, Value};

/// JSON as Terraform writes it: compact, keys sorted, `<`, `>` and `&` escaped.
pub(crate) fn to_json_string(v: &Value) -> String {
    let s = serde_json::to_string(&v.to_json()).unwrap_or_default();
    s.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

pub fn jsonencode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(to_json_string(&a[0])))
}

pub fn jsondecode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "str")?;
    match serde_json::from_str::<serde_json::Value>(&s) {
        Ok(j) => Ok(Value::from_json(&j)),
        Err(e) => invalid(format!("Invalid value for \"str\" parameter: {e}.")),
    }
}

fn yaml_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) if s.contains('\n') => {
            let mut out = String::from("|");
            if !s.ends_with('\n') {
                out.push('-');
            }
            out
        }
        Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        _ => String::new(),
    }
}

fn yaml_emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Map(m) if !m.is_empty() => {
            for (k, x) in m.iter() {
                out.push_str(&format!("{pad}{}:", serde_json::Value::String(k.clone())));
                emit_child(x, indent, indent + 2, out);
            }
        }
        Value::List(items) | Value::Set(items) if !items.is_empty() => {
            for x in items {
                out.push_str(&format!("{pad}-"));
                match x {
                    Value::Map(m) if !m.is_empty() => {
                        let mut inner = String::new();
                        yaml_emit(x, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(inner.trim_start());
                    }
                    _ => emit_child(x, indent, indent + 2, out),
                }
            }
        }
        Value::Map(_) => out.push_str(&format!("{pad}{{}}\n")),
        Value::List(_) | Value::Set(_) => out.push_str(&format!("{pad}[]\n")),
        other => out.push_str(&format!("{pad}{}\n", yaml_scalar(other))),
    }
}

fn emit_child(x: &Value, parent_indent: usize, child_indent: usize, out: &mut String) {
    match x {
        Value::Map(m) if !m.is_empty() => {
            out.push('\n');
            yaml_emit(x, child_indent, out);
        }
        Value::List(items) | Value::Set(items) if !items.is_empty() => {
            out.push('\n');
            yaml_emit(x, parent_indent, out);
        }
        Value::Map(_) => out.push_str(" {}\n"),
        Value::List(_) | Value::Set(_) => out.push_str(" []\n"),
        Value::String(s) if s.contains('\n') => {
            out.push_str(&format!(" {}\n", yaml_scalar(x)));
            let pad = " ".repeat(child_indent);
            for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{pad}{line}\n"));
                }
            }
        }
        other => out.push_str(&format!(" {}\n", yaml_scalar(other))),
    }
}

pub fn yamlencode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut out = String::new();
    match &a[0] {
        Value::Map(m) if !m.is_empty() => yaml_emit(&a[0], 0, &mut out),
        Value::List(i) | Value::Set(i) if !i.is_empty() => yaml_emit(&a[0], 0, &mut out),
        other => {
            out.push_str(&yaml_scalar(other));
            if let Value::Map(_) = other {
                out = "{}".into();
            }
            if let Value::List(_) | Value::Set(_) = other {
                out = "[]".into();
            }
            out.push('\n');
        }
    }
    Ok(Value::String(out))
}

pub fn yamldecode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "src")?;
    match serde_norway::from_str::<serde_json::Value>(&s) {
        Ok(j) => Ok(Value::from_json(&j)),
        Err(e) => invalid(format!("Invalid value for \"src\" parameter: {e}.")),
    }
}

pub fn base64encode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(arg_str(&a[0], "str")?)))
}

pub fn base64decode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "str")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .or_else(|_| invalid("Invalid value for \"str\" parameter: failed to decode base64 data."))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .or_else(|_| invalid("Invalid value for \"str\" parameter: the result of decoding the provided string is not valid UTF-8."))
}

pub fn urlencode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "str")?;
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}
