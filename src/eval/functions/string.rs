//! String functions: format, formatlist, join, split, case, replace, regex, substr, trims, indent.
//!
//! Like Terraform, lengths, offsets, reversal and `format` widths count grapheme clusters (what a
//! reader sees as one character: `"e\u0301"` and `"👍🏽"` are one each), and the case functions map
//! one character to one character (Go's simple case mapping: `upper("ß")` stays `"ß"`).

use std::sync::LazyLock;

use super::{arg_list, arg_num, arg_str, invalid, FuncContext, FuncResult};
use crate::value::{format_number, Value};

fn s1(args: &[Value]) -> Result<String, super::FuncError> {
    arg_str(&args[0], "str")
}

/// Unicode's extended grapheme clusters (UAX #29), written as a regular expression over the
/// Grapheme_Cluster_Break property tables the regex crate carries.
static GRAPHEME: LazyLock<regex::Regex> = LazyLock::new(|| {
    let hangul = r"\p{gcb=L}*(?:\p{gcb=V}+|\p{gcb=LV}\p{gcb=V}*|\p{gcb=LVT})\p{gcb=T}*|\p{gcb=L}+|\p{gcb=T}+";
    let pict = r"\p{Extended_Pictographic}(?:\p{gcb=Extend}*\p{gcb=ZWJ}\p{Extended_Pictographic})*";
    let core = format!(r"(?:{hangul}|\p{{gcb=RI}}\p{{gcb=RI}}|{pict}|[^\p{{gcb=Control}}\r\n])");
    let pattern = format!(r"(?s)\r\n|[\p{{gcb=Control}}\r\n]|\p{{gcb=Prepend}}*{core}[\p{{gcb=Extend}}\p{{gcb=ZWJ}}\p{{gcb=SpacingMark}}]*|.");
    regex::Regex::new(&pattern).expect("grapheme pattern")
});

/// The grapheme clusters of a string, in order.
pub(crate) fn graphemes(s: &str) -> Vec<&str> {
    GRAPHEME.find_iter(s).map(|m| m.as_str()).collect()
}

/// Go's `unicode.ToUpper`: the simple (one-to-one) uppercase mapping.
fn simple_upper(c: char) -> char {
    let mut m = c.to_uppercase();
    match (m.next(), m.next()) {
        (Some(u), None) => u,
        // Greek letters with ypogegrammeni map to their titlecase forms; everything else whose
        // full mapping is several characters (ß, ŉ, ligatures) has no simple mapping.
        _ => match c as u32 {
            0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => char::from_u32(c as u32 + 8).unwrap_or(c),
            0x1FB3 => '\u{1FBC}',
            0x1FC3 => '\u{1FCC}',
            0x1FF3 => '\u{1FFC}',
            _ => c,
        },
    }
}

/// Go's `unicode.ToLower`.
fn simple_lower(c: char) -> char {
    let mut m = c.to_lowercase();
    match (m.next(), m.next()) {
        (Some(l), None) => l,
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

/// Go's `unicode.ToTitle`: the uppercase mapping except for the digraphs with a titlecase form
/// and the Georgian letters, which have none.
fn simple_title(c: char) -> char {
    match c as u32 {
        0x1C4..=0x1C6 => '\u{1C5}',
        0x1C7..=0x1C9 => '\u{1C8}',
        0x1CA..=0x1CC => '\u{1CB}',
        0x1F1..=0x1F3 => '\u{1F2}',
        0x10D0..=0x10FA | 0x10FD..=0x10FF => c,
        _ => simple_upper(c),
    }
}

pub fn lower(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(s1(&a)?.chars().map(simple_lower).collect()))
}
pub fn upper(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(s1(&a)?.chars().map(simple_upper).collect()))
}
/// Capitalises the first letter of each word; a word starts after a space or an ASCII character
/// other than a letter, digit or underscore (so `o'neil` becomes `O'Neil`, `mc_donald` `Mc_donald`).
pub fn title(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphabetic() || c.is_numeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut prev = ' ';
    Ok(Value::String(
        s1(&a)?
            .chars()
            .map(|c| {
                let out = if is_separator(prev) { simple_title(c) } else { c };
                prev = c;
                out
            })
            .collect(),
    ))
}
pub fn strrev(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(graphemes(&s1(&a)?).into_iter().rev().collect()))
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
    let n = arg_int(&a[0], "spaces")?;
    if n < 0 {
        return invalid("Invalid value for \"spaces\" parameter: must not be negative.");
    }
    let s = arg_str(&a[1], "str")?;
    let pad = " ".repeat(n as usize);
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

/// A whole-number argument (Terraform rejects fractions where it needs an integer).
pub(crate) fn arg_int(v: &Value, what: &str) -> Result<i64, super::FuncError> {
    let n = arg_num(v, what)?;
    if n.fract() != 0.0 || !n.is_finite() {
        return invalid(format!("Invalid value for \"{what}\" parameter: value must be a whole number, between -9223372036854775808 and 9223372036854775807."));
    }
    Ok(n as i64)
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

/// Compiles a pattern with RE2's (Go's) meaning: `\d`, `\w`, `\s` and `\b` are ASCII-only there,
/// Unicode-aware in the regex crate, so they are rewritten to explicit ASCII classes.
fn compile(pattern: &str) -> Result<regex::Regex, super::FuncError> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('s') => out.push_str("[\\t\\n\\f\\r ]"),
            Some('S') => out.push_str("[^\\t\\n\\f\\r ]"),
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    let re = regex::Regex::new(&out).or_else(|e| invalid(format!("Invalid value for \"pattern\" parameter: invalid regular expression: {e}.")))?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.iter().any(Option::is_some) && names.iter().any(Option::is_none) {
        return invalid("Invalid value for \"pattern\" parameter: invalid regular expression: capture groups must be either all named or all unnamed.");
    }
    Ok(re)
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

/// `substr`: offset and length count grapheme clusters; a negative offset counts from the end
/// (clamped to the start), an offset past the end gives `""`, a negative length takes the rest.
pub fn substr(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "str")?;
    let g = graphemes(&s);
    let mut off = arg_int(&a[1], "offset")?;
    let len = arg_int(&a[2], "length")?;
    let n = g.len() as i64;
    if off < 0 {
        off = (off + n).max(0);
    }
    if off >= n {
        return Ok(Value::string(""));
    }
    let end = if len < 0 { n } else { off.saturating_add(len).min(n) };
    Ok(Value::String(g[off as usize..end as usize].concat()))
}

/// A format verb's flags, width and precision.
#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

impl Spec {
    /// The sign a number is written with: `-` when negative, else `+` or a space as the flags
    /// ask, else nothing.
    fn sign(&self, negative: bool) -> &'static str {
        if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        }
    }

    /// Pads `body` (whose visible length is `len`) to the width: spaces on the left, or on the
    /// right with `-`, or zeros after the sign with `0` when `zeros` allows it.
    fn pad(&self, sign: &str, body: &str, len: usize, zeros: bool) -> String {
        let total = sign.chars().count() + len;
        let n = self.width.unwrap_or(0).saturating_sub(total);
        if self.minus {
            format!("{sign}{body}{}", " ".repeat(n))
        } else if self.zero && zeros {
            format!("{sign}{}{body}", "0".repeat(n))
        } else {
            format!("{}{sign}{body}", " ".repeat(n))
        }
    }
}

fn verb_err<T>(verb: char, what: String) -> Result<T, super::FuncError> {
    invalid(format!("Invalid value for \"args\" parameter: unsupported value for \"%{verb}\": {what}."))
}

/// A value as a string for `%s`/`%q` (numbers and bools convert, as in Terraform).
fn fmt_string_arg(verb: char, v: &Value) -> Result<String, super::FuncError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(format_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        other => verb_err(verb, format!("string required, got {}", other.type_name())),
    }
}

fn fmt_number_arg(verb: char, v: &Value) -> Result<f64, super::FuncError> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::String(s) => s.trim().parse::<f64>().or_else(|_| verb_err(verb, "a number is required".into())),
        other => verb_err(verb, format!("number required, got {}", other.type_name())),
    }
}

/// The digits of a whole number's magnitude in `base`, exactly (beyond 2^64 too).
pub(crate) fn int_digits(n: f64, base: u32) -> String {
    let n = n.abs();
    if n < 1.8e19 {
        let mut v = n as u64;
        let mut out = Vec::new();
        loop {
            out.push(std::char::from_digit((v % base as u64) as u32, base).unwrap_or('0'));
            v /= base as u64;
            if v == 0 {
                break;
            }
        }
        return out.into_iter().rev().collect();
    }
    // mantissa * 2^exp as little-endian 32-bit limbs, then repeated division by the base.
    let bits = n.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let mant = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let shift = exp.max(0) as usize;
    let mut limbs = vec![0u32; shift / 32 + 3];
    let wide = (mant as u128) << (shift % 32);
    for i in 0..3 {
        limbs[shift / 32 + i] = (wide >> (32 * i)) as u32;
    }
    let mut out = Vec::new();
    while limbs.iter().any(|l| *l != 0) {
        let mut rem = 0u64;
        for l in limbs.iter_mut().rev() {
            let cur = (rem << 32) | *l as u64;
            *l = (cur / base as u64) as u32;
            rem = cur % base as u64;
        }
        out.push(std::char::from_digit(rem as u32, base).unwrap_or('0'));
    }
    out.into_iter().rev().collect()
}

/// Decimal digits and exponent of `x`: `x = 0.d1d2d3... * 10^exp`; `sig` significant digits, or
/// the shortest that round-trips when `None`. Trailing zeros are dropped.
fn decimal(x: f64, sig: Option<usize>) -> (String, i32) {
    if x == 0.0 {
        return (String::new(), 0);
    }
    // The shortest digits that read back as `x` are the decimal the number was written as;
    // asking for more digits than that pads it with zeros, as Terraform's exact decimals do.
    let shortest = format!("{:e}", x.abs());
    let shortest_len = shortest.split_once('e').map_or(0, |(m, _)| m.chars().filter(char::is_ascii_digit).count());
    let s = match sig {
        Some(p) if p < shortest_len => format!("{:.*e}", p.max(1) - 1, x.abs()),
        _ => shortest,
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0').to_string();
    (digits, exp.parse::<i32>().unwrap_or(0) + 1)
}

fn fmt_e(digits: &str, exp: i32, prec: usize, upper: bool) -> String {
    let mut d: Vec<char> = digits.chars().collect();
    if d.is_empty() {
        d.push('0');
    }
    let mut out = String::new();
    out.push(d[0]);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(*d.get(i).unwrap_or(&'0'));
        }
    }
    let e = if digits.is_empty() { 0 } else { exp - 1 };
    out.push(if upper { 'E' } else { 'e' });
    out.push(if e < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", e.abs()));
    out
}

fn fmt_f(digits: &str, exp: i32, prec: usize) -> String {
    let d: Vec<char> = digits.chars().collect();
    let digit = |i: i32| if i >= 0 { *d.get(i as usize).unwrap_or(&'0') } else { '0' };
    let mut out = String::new();
    if exp > 0 {
        (0..exp).for_each(|i| out.push(digit(i)));
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        (0..prec as i32).for_each(|i| out.push(digit(exp + i)));
    }
    out
}

/// Go's `%e`/`%f`/`%g` for a number (Terraform formats its numbers with Go's big.Float rules).
fn fmt_float(verb: char, x: f64, spec: &Spec) -> String {
    let body = match verb {
        'e' | 'E' => {
            let p = spec.prec.unwrap_or(6);
            let (d, e) = decimal(x, Some(p + 1));
            fmt_e(&d, e, p, verb == 'E')
        }
        'f' => {
            let p = spec.prec.unwrap_or(6);
            let (d, e) = decimal(x, None);
            if d.len() as i32 <= e + p as i32 {
                fmt_f(&d, e, p)
            } else {
                format!("{:.*}", p, x.abs())
            }
        }
        _ => {
            let (d, e, eprec) = match spec.prec {
                None => {
                    let (d, e) = decimal(x, None);
                    (d, e, 6)
                }
                Some(p) => {
                    let p = p.max(1);
                    let (d, e) = decimal(x, Some(p));
                    let eprec = if p > d.len() && d.len() as i32 >= e { d.len() } else { p };
                    (d, e, eprec)
                }
            };
            let exp = if d.is_empty() { 0 } else { e - 1 };
            if exp < -4 || exp >= eprec as i32 {
                fmt_e(&d, e, d.len().max(1) - 1, verb == 'G')
            } else {
                fmt_f(&d, e, (d.len() as i32 - e).max(0) as usize)
            }
        }
    };
    let sign = spec.sign(x.is_sign_negative());
    let len = body.len();
    spec.pad(sign, &body, len, true)
}

/// Go's big.Int formatting for `%d`, `%b`, `%o`, `%x`, `%X`.
fn fmt_int(verb: char, x: f64, spec: &Spec) -> String {
    let base = match verb {
        'b' => 2,
        'o' => 8,
        'x' | 'X' => 16,
        _ => 10,
    };
    let mut digits = int_digits(x, base);
    if verb == 'X' {
        digits = digits.to_uppercase();
    }
    let sign = spec.sign(x < 0.0);
    let prefix = match (spec.sharp, verb) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    let mut zeros = 0;
    if let Some(p) = spec.prec {
        if digits == "0" && p == 0 {
            // Go prints nothing at all, not even padding, for zero with precision 0.
            return String::new();
        }
        zeros = p.saturating_sub(digits.len());
    }
    let len = sign.len() + prefix.len() + zeros + digits.len();
    let (mut left, mut right) = (0, 0);
    if let Some(w) = spec.width.filter(|w| *w > len) {
        if spec.minus {
            right = w - len;
        } else if spec.zero && spec.prec.is_none() {
            zeros = w - len;
        } else {
            left = w - len;
        }
    }
    format!("{}{sign}{prefix}{}{digits}{}", " ".repeat(left), "0".repeat(zeros), " ".repeat(right))
}

/// A string padded to the width, counting grapheme clusters.
fn fmt_padded_string(s: &str, spec: &Spec) -> String {
    let len = graphemes(s).len();
    spec.pad("", s, len, true)
}

/// Renders one value for a format verb, as Terraform does.
fn fmt_one(verb: char, spec: &Spec, v: &Value) -> Result<String, super::FuncError> {
    if verb != 'v' && v.is_null() {
        return verb_err(verb, "null value cannot be formatted".into());
    }
    Ok(match verb {
        'v' if spec.sharp => super::encoding::to_json_string(v),
        'v' => match v {
            Value::String(s) => fmt_padded_string(s, spec),
            Value::Bool(b) => fmt_padded_string(&b.to_string(), spec),
            Value::Number(n) => fmt_float('g', *n, &Spec { prec: None, ..*spec }),
            other => fmt_padded_string(&super::encoding::to_json_string(other), spec),
        },
        's' | 'q' => {
            let mut s = fmt_string_arg(verb, v)?;
            if let Some(p) = spec.prec.filter(|p| *p > 0) {
                s = graphemes(&s).into_iter().take(p).collect();
            }
            if verb == 'q' {
                s = super::encoding::to_json_string(&Value::String(s));
            }
            fmt_padded_string(&s, spec)
        }
        't' => match v {
            Value::Bool(b) => b.to_string(),
            Value::String(s) if s == "true" || s == "false" => s.clone(),
            other => return verb_err(verb, format!("bool required, got {}", other.type_name())),
        },
        'd' | 'b' | 'o' | 'x' | 'X' => {
            let n = fmt_number_arg(verb, v)?;
            if n.fract() != 0.0 || !n.is_finite() {
                return verb_err(verb, "an integer is required".into());
            }
            fmt_int(verb, n, spec)
        }
        'e' | 'E' | 'f' | 'g' | 'G' => fmt_float(verb, fmt_number_arg(verb, v)?, spec),
        other => return invalid(format!("Invalid value for \"format\" parameter: unsupported format verb %{other}.")),
    })
}

/// Terraform's `format`: Go-style verbs with flags, width, precision and `%[n]` indexes.
pub fn format_str(spec: &str, args: &[Value]) -> Result<String, super::FuncError> {
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut next_arg = 0;
    let mut used = 0;
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
        let mut sp = Spec::default();
        while let Some(&f) = chars.get(i).filter(|f| "+-# 0".contains(**f)) {
            match f {
                '+' => sp.plus = true,
                '-' => sp.minus = true,
                '#' => sp.sharp = true,
                ' ' => sp.space = true,
                _ => sp.zero = true,
            }
            i += 1;
        }
        if sp.minus {
            sp.zero = false;
        }
        if chars.get(i) == Some(&'[') {
            let close = chars[i..].iter().position(|c| *c == ']').map(|p| p + i);
            let Some(close) = close else { return invalid("Invalid value for \"format\" parameter: unterminated argument index.") };
            let n: String = chars[i + 1..close].iter().collect();
            let n = n.parse::<usize>().ok().filter(|n| *n > 0);
            let Some(n) = n else { return invalid("Invalid value for \"format\" parameter: invalid argument index.") };
            next_arg = n - 1;
            i = close + 1;
        }
        let mut width = String::new();
        while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
            width.push(d);
            i += 1;
        }
        sp.width = width.parse().ok();
        if chars.get(i) == Some(&'.') {
            i += 1;
            let mut p = String::new();
            while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
                p.push(d);
                i += 1;
            }
            sp.prec = Some(p.parse().unwrap_or(0));
        }
        let Some(&verb) = chars.get(i) else { return invalid("Invalid value for \"format\" parameter: unterminated format verb.") };
        i += 1;
        let Some(v) = args.get(next_arg) else {
            return invalid(format!("Invalid value for \"args\" parameter: not enough arguments for \"%{verb}\" at {}.", i - 1));
        };
        next_arg += 1;
        used = used.max(next_arg);
        out.push_str(&fmt_one(verb, &sp, v)?);
    }
    if used < args.len() {
        return invalid(format!("Invalid value for \"args\" parameter: too many arguments; only {used} used by format string."));
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
