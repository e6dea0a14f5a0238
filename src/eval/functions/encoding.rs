//! Encoding functions: jsonencode/jsondecode, yamlencode/yamldecode, csvdecode, base64 (plain,
//! gzipped, and of text in another character encoding), urlencode.

use base64::Engine as _;

use super::{arg_str, invalid, FuncContext, FuncResult};
use crate::value::Value;

/// A number as Terraform writes it in JSON and YAML: positional notation, never an exponent.
pub(crate) fn json_number(n: f64) -> String {
    if n == 0.0 && n.is_sign_negative() {
        "-0".into()
    } else if n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// JSON as Terraform writes it: compact, keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped,
/// numbers never in exponent form.
pub(crate) fn to_json_string(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Null | Value::Unknown => out.push_str("null"),
            Value::Bool(b) => out.push_str(&b.to_string()),
            Value::Number(n) => out.push_str(&json_number(*n)),
            Value::String(s) => quote(s, out),
            Value::List(items) | Value::Set(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    quote(k, out);
                    out.push(':');
                    write(x, out);
                }
                out.push('}');
            }
            Value::Sensitive(inner) => write(inner, out),
        }
    }
    fn quote(s: &str, out: &mut String) {
        let q = serde_json::to_string(s).unwrap_or_default();
        for c in q.chars() {
            match c {
                '<' => out.push_str("\\u003c"),
                '>' => out.push_str("\\u003e"),
                '&' => out.push_str("\\u0026"),
                '\u{2028}' => out.push_str("\\u2028"),
                '\u{2029}' => out.push_str("\\u2029"),
                c => out.push(c),
            }
        }
    }
    let mut out = String::new();
    write(v, &mut out);
    out
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

/// libyaml's "printable" characters: other characters are escaped in double-quoted scalars and
/// rule out the literal block style.
fn yaml_printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD) && c != '\u{FEFF}'
}

/// YAML as Terraform's `yamlencode` writes it (go-yaml's emitter): block style, keys and strings
/// double-quoted, multi-line strings as literal blocks, long double-quoted strings folded at
/// spaces past column 80, plain scalars at the top ended with `...`.
struct YamlOut {
    out: String,
    col: usize,
}

impl YamlOut {
    fn put(&mut self, s: &str) {
        for c in s.chars() {
            self.out.push(c);
            self.col = if c == '\n' { 0 } else { self.col + 1 };
        }
    }

    /// Starts a new line at `indent` unless already at the start of one.
    fn line(&mut self, indent: usize) {
        if self.col != 0 {
            self.put("\n");
        }
        self.put(&" ".repeat(indent));
    }

    fn double_quoted(&mut self, s: &str, indent: usize, breaks: bool) {
        self.put("\"");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !yaml_printable(c) || matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' | '"' | '\\') {
                let esc = match c {
                    '\0' => "0".to_string(),
                    '\u{7}' => "a".into(),
                    '\u{8}' => "b".into(),
                    '\t' => "t".into(),
                    '\n' => "n".into(),
                    '\u{b}' => "v".into(),
                    '\u{c}' => "f".into(),
                    '\r' => "r".into(),
                    '\u{1b}' => "e".into(),
                    '"' => "\"".into(),
                    '\\' => "\\".into(),
                    '\u{85}' => "N".into(),
                    '\u{a0}' => "_".into(),
                    '\u{2028}' => "L".into(),
                    '\u{2029}' => "P".into(),
                    c if (c as u32) <= 0xFF => format!("x{:02X}", c as u32),
                    c if (c as u32) <= 0xFFFF => format!("u{:04X}", c as u32),
                    c => format!("U{:08X}", c as u32),
                };
                self.put(&format!("\\{esc}"));
                spaces = false;
            } else if c == ' ' {
                if breaks && !spaces && self.col > 80 && i != 0 && i != chars.len() - 1 {
                    self.put("\n");
                    self.put(&" ".repeat(indent));
                    if chars.get(i + 1) == Some(&' ') {
                        self.put("\\");
                    }
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                let mut b = [0; 4];
                self.put(c.encode_utf8(&mut b));
                spaces = false;
            }
        }
        self.put("\"");
    }

    /// A string as a literal block when libyaml allows one, else double-quoted.
    fn string(&mut self, s: &str, indent: usize) {
        let chars: Vec<char> = s.chars().collect();
        let space_break = chars.windows(2).any(|w| w[0] == ' ' && w[1] == '\n');
        let block = s.contains('\n') && !s.ends_with(' ') && !space_break && chars.iter().all(|c| yaml_printable(*c));
        if !block {
            return self.double_quoted(s, indent, true);
        }
        let mut header = String::from("|");
        if s.starts_with([' ', '\n']) {
            header.push('2');
        }
        let n = chars.len();
        if chars[n - 1] != '\n' {
            header.push('-');
        } else if n == 1 || chars[n - 2] == '\n' {
            header.push('+');
        }
        self.put(&header);
        self.put("\n");
        let mut at_break = true;
        for c in chars {
            if c == '\n' {
                self.put("\n");
                at_break = true;
            } else {
                if at_break {
                    self.put(&" ".repeat(indent));
                }
                let mut b = [0; 4];
                self.put(c.encode_utf8(&mut b));
                at_break = false;
            }
        }
    }

    fn scalar(&mut self, v: &Value, indent: usize) {
        match v {
            Value::String(s) => self.string(s, indent),
            Value::Number(n) => self.put(&json_number(*n)),
            Value::Bool(b) => self.put(&b.to_string()),
            _ => self.put("null"),
        }
    }

    /// The value of a mapping entry, after `"key":`.
    fn after_key(&mut self, v: &Value, map_indent: usize) {
        match v {
            Value::Map(m) if !m.is_empty() => self.mapping(m, map_indent + 2, false),
            // Sequences under a key are not indented.
            Value::List(i) | Value::Set(i) if !i.is_empty() => self.sequence(i, map_indent, false),
            Value::Map(_) => self.put(" {}"),
            Value::List(_) | Value::Set(_) => self.put(" []"),
            other => {
                self.put(" ");
                self.scalar(other, map_indent + 2);
            }
        }
    }

    fn mapping(&mut self, m: &std::collections::BTreeMap<String, Value>, indent: usize, inline_first: bool) {
        for (i, (k, v)) in m.iter().enumerate() {
            if !(i == 0 && inline_first) {
                self.line(indent);
            }
            self.double_quoted(k, indent, false);
            self.put(":");
            self.after_key(v, indent);
        }
    }

    fn sequence(&mut self, items: &[Value], indent: usize, inline_first: bool) {
        for (i, x) in items.iter().enumerate() {
            if !(i == 0 && inline_first) {
                self.line(indent);
            }
            self.put("-");
            match x {
                Value::Map(m) if !m.is_empty() => {
                    self.put(" ");
                    self.mapping(m, indent + 2, true);
                }
                Value::List(i) | Value::Set(i) if !i.is_empty() => {
                    self.put(" ");
                    self.sequence(i, indent + 2, true);
                }
                Value::Map(_) => self.put(" {}"),
                Value::List(_) | Value::Set(_) => self.put(" []"),
                other => {
                    self.put(" ");
                    self.scalar(other, indent + 2);
                }
            }
        }
    }
}

pub fn yamlencode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let mut y = YamlOut { out: String::new(), col: 0 };
    match &a[0] {
        Value::Map(m) if !m.is_empty() => y.mapping(m, 0, true),
        Value::List(i) | Value::Set(i) if !i.is_empty() => y.sequence(i, 0, true),
        Value::Map(_) => y.put("{}"),
        Value::List(_) | Value::Set(_) => y.put("[]"),
        Value::String(s) => y.string(s, 2),
        // A plain scalar alone is an open-ended document: libyaml closes it with `...`.
        other => {
            y.scalar(other, 2);
            y.put("\n...");
        }
    }
    if y.col != 0 {
        y.put("\n");
    }
    Ok(Value::String(y.out))
}

pub fn yamldecode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "src")?;
    if s.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return invalid("Invalid value for \"src\" parameter: the string does not contain a YAML document.");
    }
    super::yaml11::decode(&s).or_else(|e| invalid(format!("Invalid value for \"src\" parameter: {e}.")))
}

pub fn base64encode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(arg_str(&a[0], "str")?)))
}

pub fn base64decode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "str")?;
    // Go's decoder skips line breaks.
    let s: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
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

/// `base64gzip`: gzip (no name, no time, OS "unknown") then base64.
pub fn base64gzip(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    use std::io::Write as _;
    let s = arg_str(&a[0], "str")?;
    let mut gz = flate2::GzBuilder::new().operating_system(255).write(Vec::new(), flate2::Compression::default());
    let done = gz.write_all(s.as_bytes()).and_then(|_| gz.finish());
    match done {
        Ok(bytes) => Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))),
        Err(e) => invalid(format!("Invalid value for \"str\" parameter: failed to compress: {e}.")),
    }
}

/// The text encodings `textencodebase64` / `textdecodebase64` support, by IANA name or alias.
#[derive(Clone, Copy, PartialEq)]
enum TextEncoding {
    Utf8,
    Utf16,
    Utf16Be,
    Utf16Le,
    Latin1,
    Latin9,
    Ascii,
    Windows1252,
}

/// windows-1252's 0x80..=0x9F (0 where undefined).
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];
/// ISO-8859-15's differences from ISO-8859-1.
const LATIN9: [(u8, char); 8] = [(0xA4, '€'), (0xA6, 'Š'), (0xA8, 'š'), (0xB4, 'Ž'), (0xB8, 'ž'), (0xBC, 'Œ'), (0xBD, 'œ'), (0xBE, 'Ÿ')];

fn text_encoding(name: &str) -> Result<(TextEncoding, &'static str), super::FuncError> {
    use TextEncoding::*;
    Ok(match name.to_ascii_lowercase().as_str() {
        "utf-8" | "csutf8" => (Utf8, "UTF-8"),
        "utf-16" | "csutf16" => (Utf16, "UTF-16"),
        "utf-16be" | "csutf16be" => (Utf16Be, "UTF-16BE"),
        "utf-16le" | "csutf16le" => (Utf16Le, "UTF-16LE"),
        "iso-8859-1" | "iso_8859-1:1987" | "iso-ir-100" | "iso_8859-1" | "latin1" | "l1" | "ibm819" | "cp819" | "csisolatin1" => (Latin1, "ISO_8859-1:1987"),
        "iso-8859-15" | "iso_8859-15" | "latin-9" | "csiso885915" => (Latin9, "ISO-8859-15"),
        "us-ascii" | "iso-ir-6" | "ansi_x3.4-1968" | "ansi_x3.4-1986" | "iso_646.irv:1991" | "iso646-us" | "us" | "ibm367" | "cp367" | "csascii" => {
            (Ascii, "US-ASCII")
        }
        "windows-1252" | "cswindows1252" => (Windows1252, "windows-1252"),
        _ => {
            return invalid(format!(
                "Invalid value for \"encoding\" parameter: \"{name}\" is not a supported IANA encoding name or alias in this Terraform version."
            ))
        }
    })
}

fn encode_text(s: &str, enc: TextEncoding) -> Option<Vec<u8>> {
    use TextEncoding::*;
    let utf16 = |be: bool| s.encode_utf16().flat_map(move |u| if be { u.to_be_bytes() } else { u.to_le_bytes() }).collect::<Vec<u8>>();
    match enc {
        Utf8 => Some(s.as_bytes().to_vec()),
        Utf16 => Some([vec![0xFE, 0xFF], utf16(true)].concat()),
        Utf16Be => Some(utf16(true)),
        Utf16Le => Some(utf16(false)),
        Latin1 => s.chars().map(|c| u8::try_from(c as u32).ok()).collect(),
        Ascii => s.chars().map(|c| if c.is_ascii() { Some(c as u8) } else { None }).collect(),
        Latin9 => s
            .chars()
            .map(|c| match LATIN9.iter().find(|(_, x)| *x == c) {
                Some((b, _)) => Some(*b),
                None if LATIN9.iter().any(|(b, _)| *b as u32 == c as u32) => None,
                None => u8::try_from(c as u32).ok(),
            })
            .collect(),
        Windows1252 => s
            .chars()
            .map(|c| match CP1252_HIGH.iter().position(|x| *x != 0 && *x as u32 == c as u32) {
                Some(i) => Some(0x80 + i as u8),
                None if (0x80..0xA0).contains(&(c as u32)) => None,
                None => u8::try_from(c as u32).ok(),
            })
            .collect(),
    }
}

fn decode_text(b: &[u8], enc: TextEncoding) -> Option<String> {
    use TextEncoding::*;
    let utf16 = |b: &[u8], be: bool| -> Option<String> {
        if !b.len().is_multiple_of(2) {
            return None;
        }
        let units = b.chunks(2).map(|p| if be { u16::from_be_bytes([p[0], p[1]]) } else { u16::from_le_bytes([p[0], p[1]]) });
        char::decode_utf16(units).collect::<Result<String, _>>().ok()
    };
    match enc {
        Utf8 => String::from_utf8(b.to_vec()).ok(),
        Utf16 => match b {
            [0xFE, 0xFF, rest @ ..] => utf16(rest, true),
            [0xFF, 0xFE, rest @ ..] => utf16(rest, false),
            _ => utf16(b, true),
        },
        Utf16Be => utf16(b, true),
        Utf16Le => utf16(b, false),
        Latin1 => Some(b.iter().map(|x| *x as char).collect()),
        Ascii => b.iter().map(|x| if x.is_ascii() { Some(*x as char) } else { None }).collect(),
        Latin9 => Some(b.iter().map(|x| LATIN9.iter().find(|(k, _)| k == x).map(|(_, c)| *c).unwrap_or(*x as char)).collect()),
        Windows1252 => b
            .iter()
            .map(|x| match x {
                0x80..=0x9F => char::from_u32(CP1252_HIGH[(x - 0x80) as usize] as u32).filter(|c| *c != '\0'),
                _ => Some(*x as char),
            })
            .collect(),
    }
}

/// `textencodebase64(string, encoding)`: the string in another character encoding, base64.
pub fn textencodebase64(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "string")?;
    let (enc, name) = text_encoding(&arg_str(&a[1], "encoding")?)?;
    match encode_text(&s, enc) {
        Some(b) => Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(b))),
        None => invalid(format!("Invalid value for \"string\" parameter: the given string contains characters that cannot be represented in {name}.")),
    }
}

/// `textdecodebase64(source, encoding)`: base64 text in another character encoding, as a string.
pub fn textdecodebase64(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "source")?;
    let (enc, name) = text_encoding(&arg_str(&a[1], "encoding")?)?;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(s.as_bytes()) else {
        return invalid("Invalid value for \"source\" parameter: the given value is has an invalid base64 symbol.");
    };
    match decode_text(&bytes, enc) {
        Some(t) => Ok(Value::String(t)),
        None => invalid(format!("Invalid value for \"source\" parameter: the given string contains symbols that are not defined for {name}.")),
    }
}

/// One CSV record (Go's encoding/csv rules: `"` quoting with `""` escapes, a bare quote in an
/// unquoted field is an error, CRLF reads as LF, blank lines are skipped). Returns the fields and
/// how many characters were consumed, or None at the end.
fn csv_record(s: &[char], line: usize) -> Result<Option<(Vec<String>, usize)>, String> {
    let mut i = 0;
    while i < s.len() && (s[i] == '\n' || (s[i] == '\r' && s.get(i + 1) == Some(&'\n'))) {
        i += if s[i] == '\r' { 2 } else { 1 };
    }
    if i >= s.len() {
        return Ok(None);
    }
    let at_end = |i: usize| i >= s.len() || s[i] == '\n' || (s[i] == '\r' && s.get(i + 1) == Some(&'\n'));
    let mut fields = Vec::new();
    loop {
        let mut field = String::new();
        if s.get(i) == Some(&'"') {
            i += 1;
            loop {
                match s.get(i) {
                    Some('"') if s.get(i + 1) == Some(&'"') => {
                        field.push('"');
                        i += 2;
                    }
                    Some('"') if at_end(i + 1) || s.get(i + 1) == Some(&',') => {
                        i += 1;
                        break;
                    }
                    Some('\r') if s.get(i + 1) == Some(&'\n') => i += 1,
                    Some(&c) if c != '"' => {
                        field.push(c);
                        i += 1;
                    }
                    _ => return Err(format!("parse error on line {line}: extraneous or missing \" in quoted-field")),
                }
            }
        } else {
            while !at_end(i) && s[i] != ',' {
                if s[i] == '"' {
                    return Err(format!("parse error on line {line}: bare \" in non-quoted-field"));
                }
                field.push(s[i]);
                i += 1;
            }
        }
        fields.push(field);
        if s.get(i) == Some(&',') {
            i += 1;
            continue;
        }
        if s.get(i) == Some(&'\r') {
            i += 1;
        }
        return Ok(Some((fields, (i + 1).min(s.len()))));
    }
}

/// `csvdecode`: the first row names the columns; each further row becomes an object of strings.
pub fn csvdecode(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s: Vec<char> = arg_str(&a[0], "str")?.chars().collect();
    let err = |e: String| invalid::<Value>(format!("Invalid value for \"str\" parameter: {e}."));
    let (header, mut pos) = match csv_record(&s, 1) {
        Ok(Some(r)) => r,
        Ok(None) => return invalid("Invalid value for \"str\" parameter: missing header line."),
        Err(e) => return err(e),
    };
    let mut seen = std::collections::BTreeSet::new();
    for h in &header {
        if !seen.insert(h) {
            return invalid(format!("Invalid value for \"str\" parameter: duplicate column name \"{h}\"."));
        }
    }
    let mut rows = Vec::new();
    let mut line = 2;
    loop {
        let (fields, used) = match csv_record(&s[pos..], line) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => return err(e),
        };
        if fields.len() != header.len() {
            return invalid(format!("Invalid value for \"str\" parameter: record on line {line}: wrong number of fields."));
        }
        rows.push(Value::object(header.iter().cloned().zip(fields.into_iter().map(Value::String))));
        pos += used;
        line += 1;
    }
    Ok(Value::List(rows))
}
