//! String functions: format, formatlist, join, split, case, replace, regex, substr, trims, indent.

use super::{arg_list, arg_num, arg_str, invalid, FuncContext, FuncResult};
use crate::value::{format_number, Value};

fn s1(args: &[Value]) -> Result<String, super::FuncError> {
    arg_str(&args[0], "str")
}

pub fn lower(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(s1(&a)?.to_lowercase()))
}
pub fn upper(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(s1(&a)?.to_uppercase()))
}
pub fn title(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = s1(&a)?;
    let mut out = String::with_capacity(s.len());
    let mut prev_letter = false;
    for c in s.chars() {
        if !prev_letter && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphanumeric() || c == '\'';
    }
    Ok(Value::String(out))
}
pub fn strrev(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(s1(&a)?.chars().rev().collect()))
}
pub fn trimspace(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(s1(&a)?.trim().to_string()))
}
pub fn chomp(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(s1(&a)?.trim_end_matches(['\n', '\r']).to_string()))
}
pub fn trim(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (s, cut) = (s1(&a)?, arg_str(&a[1], "cutset")?);
    Ok(Value::String(s.trim_matches(|c| cut.contains(c)).to_string()))
}
pub fn trimprefix(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (s, p) = (s1(&a)?, arg_str(&a[1], "prefix")?);
    Ok(Value::String(s.strip_prefix(p.as_str()).unwrap_or(&s).to_string()))
}
pub fn trimsuffix(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (s, p) = (s1(&a)?, arg_str(&a[1], "suffix")?);
    Ok(Value::String(s.strip_suffix(p.as_str()).unwrap_or(&s).to_string()))
}
pub fn startswith(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Bool(s1(&a)?.starts_with(&arg_str(&a[1], "prefix")?)))
}
pub fn endswith(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Bool(s1(&a)?.ends_with(&arg_str(&a[1], "suffix")?)))
}
pub fn strcontains(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Bool(s1(&a)?.contains(&arg_str(&a[1], "substr")?)))
}
pub fn indent(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let n = arg_num(&a[0], "spaces")? as usize;
    let s = arg_str(&a[1], "str")?;
    let pad = " ".repeat(n);
    let mut out = String::new();
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    Ok(Value::String(out))
}

pub fn join(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let sep = arg_str(&a[0], "separator")?;
    let mut parts = Vec::new();
    for l in a.into_iter().skip(1) {
        for v in arg_list(l, "lists")? {
            if v.is_null() {
                return invalid("Invalid value for \"lists\" parameter: element is null; cannot concatenate null values.");
            }
            parts.push(arg_str(&v, "lists")?);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

pub fn split(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let sep = arg_str(&a[0], "separator")?;
    let s = arg_str(&a[1], "str")?;
    if sep.is_empty() {
        return Ok(Value::List(s.chars().map(|c| Value::String(c.to_string())).collect()));
    }
    Ok(Value::List(s.split(sep.as_str()).map(Value::string).collect()))
}

fn compile(pattern: &str) -> Result<regex::Regex, super::FuncError> {
    regex::Regex::new(pattern).or_else(|e| invalid(format!("Invalid value for \"pattern\" parameter: invalid regular expression: {e}.")))
}

pub fn replace(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (s, sub, rep) = (arg_str(&a[0], "str")?, arg_str(&a[1], "substr")?, arg_str(&a[2], "replace")?);
    if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
        let re = compile(&sub[1..sub.len() - 1])?;
        // Terraform uses $1 / ${name} like Go's regexp.
        return Ok(Value::String(re.replace_all(&s, rep.as_str()).into_owned()));
    }
    Ok(Value::String(s.replace(&sub, &rep)))
}

fn captures(re: &regex::Regex, caps: &regex::Captures) -> Value {
    let names: Vec<Option<&str>> = re.capture_names().collect();
    let has_names = names.iter().skip(1).any(|n| n.is_some());
    if names.len() == 1 {
        return Value::string(caps.get(0).map(|m| m.as_str()).unwrap_or(""));
    }
    if has_names {
        return Value::Map(
            names
                .iter()
                .enumerate()
                .skip(1)
                .filter_map(|(i, n)| Some(((*n)?.to_string(), caps.get(i).map(|m| Value::string(m.as_str())).unwrap_or(Value::Null))))
                .collect::<std::collections::BTreeMap<_, _>>()
                .into(),
        );
    }
    Value::List((1..names.len()).map(|i| caps.get(i).map(|m| Value::string(m.as_str())).unwrap_or(Value::Null)).collect())
}

pub fn regex(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (p, s) = (arg_str(&a[0], "pattern")?, arg_str(&a[1], "string")?);
    let re = compile(&p)?;
    match re.captures(&s) {
        Some(c) => Ok(captures(&re, &c)),
        None => invalid("Invalid value for \"string\" parameter: pattern did not match any part of the given string."),
    }
}

pub fn regexall(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (p, s) = (arg_str(&a[0], "pattern")?, arg_str(&a[1], "string")?);
    let re = compile(&p)?;
    Ok(Value::List(re.captures_iter(&s).map(|c| captures(&re, &c)).collect()))
}

pub fn substr(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s: Vec<char> = arg_str(&a[0], "str")?.chars().collect();
    let mut off = arg_num(&a[1], "offset")? as i64;
    let len = arg_num(&a[2], "length")? as i64;
    let n = s.len() as i64;
    if off < 0 {
        off += n;
    }
    if off < 0 || off > n {
        return invalid("Invalid value for \"offset\" parameter: offset must be within the string.");
    }
    let end = if len < 0 { n } else { (off + len).min(n) };
    Ok(Value::String(s[off as usize..end.max(off) as usize].iter().collect()))
}

/// Renders one value for a format verb.
fn fmt_one(verb: char, flags: &str, width: Option<usize>, prec: Option<usize>, v: &Value) -> Result<String, super::FuncError> {
    let body = match verb {
        'v' => match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => b.to_string(),
            other if flags.contains('#') => super::encoding::to_json_string(other),
            other => super::encoding::to_json_string(other),
        },
        's' => arg_str(v, "args").map_err(|_| {
            super::FuncError::Invalid(format!("Invalid value for \"args\" parameter: unsupported value for \"%s\": string required, got {}.", v.type_name()))
        })?,
        'q' => serde_json::Value::String(arg_str(v, "args")?).to_string(),
        'd' => {
            let n = arg_num(v, "args")?;
            if n.fract() != 0.0 {
                return invalid(format!("Invalid value for \"args\" parameter: unsupported value for \"%d\": {} is not a whole number.", format_number(n)));
            }
            let s = format!("{}", n as i64);
            if flags.contains('+') && n >= 0.0 {
                format!("+{s}")
            } else {
                s
            }
        }
        'f' | 'F' => format!("{:.*}", prec.unwrap_or(6), arg_num(v, "args")?),
        'e' => go_exponent(&format!("{:.*e}", prec.unwrap_or(6), arg_num(v, "args")?)),
        'g' => format_number(arg_num(v, "args")?),
        't' => match v {
            Value::Bool(b) => b.to_string(),
            _ => return invalid("Invalid value for \"args\" parameter: unsupported value for \"%t\": bool required."),
        },
        'x' => match v {
            Value::String(s) => hex::encode(s),
            _ => format!("{:x}", arg_num(v, "args")? as i64),
        },
        'X' => match v {
            Value::String(s) => hex::encode_upper(s),
            _ => format!("{:X}", arg_num(v, "args")? as i64),
        },
        'o' => format!("{:o}", arg_num(v, "args")? as i64),
        'b' => format!("{:b}", arg_num(v, "args")? as i64),
        other => return invalid(format!("Invalid value for \"format\" parameter: unsupported format verb %{other}.")),
    };
    let body = match (verb, prec) {
        ('s' | 'v', Some(p)) => body.chars().take(p).collect(),
        _ => body,
    };
    Ok(match width {
        Some(w) if body.chars().count() < w => {
            let pad = w - body.chars().count();
            if flags.contains('-') {
                format!("{body}{}", " ".repeat(pad))
            } else if flags.contains('0') && verb != 's' {
                let (sign, digits) = if let Some(d) = body.strip_prefix('-') { ("-", d) } else { ("", body.as_str()) };
                format!("{sign}{}{digits}", "0".repeat(pad))
            } else {
                format!("{}{body}", " ".repeat(pad))
            }
        }
        _ => body,
    })
}

/// Terraform's `format`: Go-style verbs with flags, width, precision and `%[n]` indexes.
pub fn format_str(spec: &str, args: &[Value]) -> Result<String, super::FuncError> {
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut next_arg = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        if chars.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.get(i).filter(|f| "+-# 0".contains(**f)) {
            flags.push(f);
            i += 1;
        }
        if chars.get(i) == Some(&'[') {
            let close = chars[i..].iter().position(|c| *c == ']').map(|p| p + i);
            let Some(close) = close else { return invalid("Invalid value for \"format\" parameter: unterminated argument index.") };
            let n: String = chars[i + 1..close].iter().collect();
            next_arg = n
                .parse::<usize>()
                .map_err(|_| super::FuncError::Invalid("Invalid value for \"format\" parameter: invalid argument index.".into()))?
                .saturating_sub(1);
            i = close + 1;
        }
        let mut width = String::new();
        while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
            width.push(d);
            i += 1;
        }
        let mut prec = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            let mut p = String::new();
            while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
                p.push(d);
                i += 1;
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        let Some(&verb) = chars.get(i) else { return invalid("Invalid value for \"format\" parameter: unterminated format verb.") };
        i += 1;
        let Some(v) = args.get(next_arg) else {
            return invalid(format!("Invalid value for \"args\" parameter: not enough arguments for \"%{verb}\" at {}.", i - 1));
        };
        next_arg += 1;
        out.push_str(&fmt_one(verb, &flags, width.parse().ok(), prec, v)?);
    }
    if next_arg < args.len() && !spec.contains("%[") {
        return invalid(format!("Invalid value for \"args\" parameter: too many arguments; only {next_arg} used by format string."));
    }
    Ok(out)
}

pub fn format(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let spec = arg_str(&a[0], "format")?;
    Ok(Value::String(format_str(&spec, &a[1..])?))
}

pub fn formatlist(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let spec = arg_str(&a[0], "format")?;
    let rest = &a[1..];
    let mut n: Option<usize> = None;
    for v in rest {
        if let Value::List(items) | Value::Set(items) = v {
            match n {
                Some(m) if m != items.len() => return invalid("Invalid value for \"args\" parameter: all list arguments must have the same length."),
                _ => n = Some(items.len()),
            }
        }
    }
    let n = n.unwrap_or(1);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let row: Vec<Value> = rest
            .iter()
            .map(|v| match v {
                Value::List(items) | Value::Set(items) => items[i].clone(),
                other => other.clone(),
            })
            .collect();
        out.push(Value::String(format_str(&spec, &row)?));
    }
    Ok(Value::List(out))
}

/// Rust's `1.5e3` as Go prints it: `1.5e+03` (sign always, at least two exponent digits).
fn go_exponent(s: &str) -> String {
    let Some((mant, exp)) = s.split_once('e') else { return s.to_string() };
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mant}e{sign}{digits:0>2}")
}
