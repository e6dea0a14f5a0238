//! The built-in `terraform` provider's functions, called as `provider::terraform::NAME(...)`:
//! `encode_tfvars`, `decode_tfvars` and `encode_expr`. Values are written the way Terraform's
//! hclwrite writes them: lists on one line, objects one attribute per line, `=` signs of
//! consecutive one-line attributes aligned.

use hcl::expr::{Expression, ObjectKey, Operation};

use super::{arg_str, invalid, FuncContext, FuncResult};
use crate::value::Value;

/// HCL's identifier rule: a letter or underscore, then letters, digits, underscores and dashes.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// A quoted HCL string literal (`${` and `%{` doubled so they stay literal).
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.get(i + 1) == Some(&'{') {
                    out.push(c);
                }
            }
            c if c.is_control() => out.push_str(&if (c as u32) <= 0xFFFF { format!("\\u{:04x}", c as u32) } else { format!("\\U{:08x}", c as u32) }),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The unformatted HCL expression for a value: objects spread over lines, no indentation yet.
fn expr_text(v: &Value) -> String {
    match v {
        Value::Null | Value::Unknown => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => super::encoding::json_number(*n),
        Value::String(s) => quote(s),
        Value::List(items) | Value::Set(items) => format!("[{}]", items.iter().map(expr_text).collect::<Vec<_>>().join(", ")),
        Value::Map(m) if m.is_empty() => "{}".into(),
        Value::Map(m) => {
            let mut out = String::from("{\n");
            for (k, x) in m.iter() {
                let key = if is_identifier(k) { k.clone() } else { quote(k) };
                out.push_str(&format!("{key} = {}\n", expr_text(x)));
            }
            out.push('}');
            out
        }
        Value::Sensitive(inner) => expr_text(inner),
    }
}

/// Bracket depth change over a line, ignoring brackets inside string literals.
fn bracket_change(line: &str) -> i32 {
    let (mut n, mut in_str, mut esc) = (0, false, false);
    for c in line.chars() {
        match (in_str, c) {
            (true, _) if esc => esc = false,
            (true, '\\') => esc = true,
            (true, '"') => in_str = false,
            (false, '"') => in_str = true,
            (false, '{' | '[' | '(') => n += 1,
            (false, '}' | ']' | ')') => n -= 1,
            _ => {}
        }
    }
    n
}

/// Where a line's `=` starts its assignment: only when the rest of the line is a whole
/// expression (a line opening a multi-line value is not aligned).
fn assign_at(line: &str) -> Option<usize> {
    let mut in_str = false;
    let mut esc = false;
    for (i, c) in line.char_indices() {
        match (in_str, c) {
            (true, _) if esc => esc = false,
            (true, '\\') => esc = true,
            (true, '"') => in_str = false,
            (false, '"') => in_str = true,
            (false, '=') if i > 0 => return (bracket_change(&line[i..]) == 0).then_some(i),
            _ => {}
        }
    }
    None
}

/// hclwrite's formatting: two spaces per open bracket level (several opened on one line count
/// once), and `=` aligned across runs of consecutive one-line assignments.
fn format_hcl(text: &str) -> String {
    let mut lines: Vec<(usize, String, Option<String>)> = Vec::new();
    let mut indents: Vec<i32> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.trim_start();
        let net = bracket_change(line);
        let indent = if net > 0 {
            let here = indents.len();
            indents.push(net);
            here
        } else {
            let mut closed = -net;
            while closed > 0 {
                let Some(top) = indents.last_mut() else { break };
                if closed >= *top {
                    closed -= *top;
                    indents.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
            indents.len()
        };
        match assign_at(line) {
            Some(i) => lines.push((indent, line[..i].trim_end().to_string(), Some(line[i..].to_string()))),
            None => lines.push((indent, line.to_string(), None)),
        }
    }
    // Align each run of assignment lines.
    let mut i = 0;
    while i < lines.len() {
        if lines[i].2.is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].2.is_some() {
            i += 1;
        }
        let width = lines[start..i].iter().map(|l| l.1.chars().count()).max().unwrap_or(0);
        for l in &mut lines[start..i] {
            let pad = width - l.1.chars().count();
            l.1.push_str(&" ".repeat(pad + 1));
        }
    }
    lines
        .into_iter()
        .map(
            |(indent, lead, assign)| {
                if lead.is_empty() && assign.is_none() {
                    String::new()
                } else {
                    format!("{}{lead}{}", "  ".repeat(indent), assign.unwrap_or_default())
                }
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
}

/// `encode_tfvars(object)`: the object as the contents of a `.tfvars` file.
pub fn encode_tfvars(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let Value::Map(m) = &a[0] else {
        return invalid(
            "Invalid value for \"value\" parameter: invalid value to encode: must be an object whose attribute names will become the encoded variable names.",
        );
    };
    let mut text = String::new();
    for (k, v) in m.iter() {
        if !is_identifier(k) {
            return invalid(format!("Invalid value for \"value\" parameter: invalid variable name \"{k}\": must be a valid identifier, per Terraform's rules for input variable declarations."));
        }
        text.push_str(&format!("{k} = {}\n", expr_text(v)));
    }
    Ok(Value::String(format_hcl(&text)))
}

/// `encode_expr(value)`: the value as an HCL expression.
pub fn encode_expr(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(format_hcl(&expr_text(&a[0]))))
}

/// Whether an expression calls a function (not allowed in `.tfvars` content).
fn calls_function(e: &Expression) -> bool {
    match e {
        Expression::FuncCall(_) => true,
        Expression::Array(items) => items.iter().any(calls_function),
        Expression::Object(o) => o.iter().any(|(k, v)| matches!(k, ObjectKey::Expression(k) if calls_function(k)) || calls_function(v)),
        Expression::Parenthesis(inner) => calls_function(inner),
        Expression::Conditional(c) => calls_function(&c.cond_expr) || calls_function(&c.true_expr) || calls_function(&c.false_expr),
        Expression::Operation(op) => match op.as_ref() {
            Operation::Unary(u) => calls_function(&u.expr),
            Operation::Binary(b) => calls_function(&b.lhs_expr) || calls_function(&b.rhs_expr),
        },
        Expression::ForExpr(f) => calls_function(&f.collection_expr) || calls_function(&f.value_expr),
        Expression::Traversal(t) => calls_function(&t.expr),
        _ => false,
    }
}

/// `decode_tfvars(string)`: `.tfvars` content as an object; values must be constants.
pub fn decode_tfvars(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let src = arg_str(&a[0], "src")?;
    let body: hcl::Body = hcl::parse(&src).or_else(|e| invalid(format!("Invalid value for \"src\" parameter: invalid tfvars syntax: {e}.")))?;
    let mut out = std::collections::BTreeMap::new();
    for attr in body.attributes() {
        if calls_function(attr.expr()) {
            return invalid(format!(
                "Invalid value for \"src\" parameter: invalid expression for variable \"{}\": functions may not be called here.",
                attr.key()
            ));
        }
        let v = crate::eval::eval_literal(attr.expr())
            .or_else(|e| invalid(format!("Invalid value for \"src\" parameter: invalid expression for variable \"{}\": {}.", attr.key(), e.detail)))?;
        out.insert(attr.key().to_string(), v);
    }
    if body.blocks().next().is_some() {
        return invalid("Invalid value for \"src\" parameter: invalid tfvars syntax: blocks are not allowed.");
    }
    Ok(Value::Map(out.into()))
}
