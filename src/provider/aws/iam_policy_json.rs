//! IAM policy JSON as Terraform's AWS provider handles it, so documents and diffs match it byte
//! for byte: Go's `encoding/json` output ([`GoJson`]: keys in struct order or sorted, HTML
//! characters escaped, float64 numbers), `structure.NormalizeJsonString` ([`normalize`]), the
//! `awspolicyequivalence` comparison behind `SuppressEquivalentPolicyDiffs` ([`equivalent`]),
//! `verify.ValidIAMPolicyJSON` ([`invalid_policy`]) and IAM's URL-encoded documents
//! ([`url_decoded`]).

use serde_json::Value as J;

/// A JSON value with its object keys in output order (Go structs keep declaration order, maps
/// are sorted).
#[derive(Clone, Debug, PartialEq)]
pub enum GoJson {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<GoJson>),
    Obj(Vec<(String, GoJson)>),
}

impl GoJson {
    /// A decoded JSON value as Go re-encodes it (`interface{}`): maps sorted by key.
    pub fn from_json(j: &J) -> GoJson {
        match j {
            J::Null => GoJson::Null,
            J::Bool(b) => GoJson::Bool(*b),
            J::Number(n) => GoJson::Num(n.as_f64().unwrap_or(0.0)),
            J::String(s) => GoJson::Str(s.clone()),
            J::Array(a) => GoJson::Arr(a.iter().map(GoJson::from_json).collect()),
            J::Object(m) => {
                let mut pairs: Vec<(String, GoJson)> = m.iter().map(|(k, v)| (k.clone(), GoJson::from_json(v))).collect();
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
                GoJson::Obj(pairs)
            }
        }
    }

    /// `json.Marshal` (compact) or `json.MarshalIndent(v, "", "  ")`.
    pub fn encode(&self, indent: bool) -> String {
        let mut out = String::new();
        self.write(&mut out, indent, 0);
        out
    }

    fn write(&self, out: &mut String, indent: bool, depth: usize) {
        let newline = |out: &mut String, depth: usize| {
            if indent {
                out.push('\n');
                out.push_str(&"  ".repeat(depth));
            }
        };
        match self {
            GoJson::Null => out.push_str("null"),
            GoJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            GoJson::Num(n) => out.push_str(&go_float(*n)),
            GoJson::Str(s) => go_string(out, s),
            GoJson::Arr(items) if items.is_empty() => out.push_str("[]"),
            GoJson::Obj(pairs) if pairs.is_empty() => out.push_str("{}"),
            GoJson::Arr(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    x.write(out, indent, depth + 1);
                }
                newline(out, depth);
                out.push(']');
            }
            GoJson::Obj(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    go_string(out, k);
                    out.push_str(if indent { ": " } else { ":" });
                    v.write(out, indent, depth + 1);
                }
                newline(out, depth);
                out.push('}');
            }
        }
    }
}

/// A string as Go's encoder writes it (HTML-safe: `<`, `>`, `&`, U+2028 and U+2029 escaped).
fn go_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float64 as Go's encoder writes it (ES6 style: plain decimals, exponents outside 1e-6..1e21).
fn go_float(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        }
    } else {
        format!("{f}")
    }
}

/// `structure.NormalizeJsonString`: the document re-encoded compactly with sorted keys ("" stays "").
pub fn normalize(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Ok(String::new());
    }
    let j: J = serde_json::from_str(s).map_err(|e| e.to_string())?;
    Ok(GoJson::from_json(&j).encode(false))
}

/// `url.QueryUnescape`, as the provider decodes IAM's documents (`+` is a space).
pub fn url_decoded(s: &str) -> String {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus).decode_utf8_lossy().into_owned()
}

/// `verify.ValidIAMPolicyJSON`: why a policy argument is not a JSON policy object.
pub fn invalid_policy(name: &str, s: &str) -> Option<String> {
    let why = match s.chars().next() {
        None => return Some(format!("\"{name}\" is an empty string, which is not a valid JSON value")),
        Some('{') => match serde_json::from_str::<J>(s) {
            Ok(_) => return None,
            Err(e) => e.to_string(),
        },
        Some(' ' | '\t' | '\r' | '\n') => "leading space characters are not allowed".into(),
        Some('"') => "contains a JSON-encoded string, not a JSON-encoded object".into(),
        Some('[') => "contains a JSON array, not a JSON object".into(),
        Some(_) => "not a JSON object".into(),
    };
    Some(format!("\"{name}\" contains an invalid JSON policy: {why}"))
}

/// `verify.SuppressEquivalentPolicyDiffs`: no diff between two policies AWS treats as the same
/// (statements in any order, a one-element list and its string, whitespace, an account id and
/// its root ARN as principal).
pub fn equivalent(old: &str, new: &str) -> bool {
    let (o, n) = (old.trim(), new.trim());
    if matches!(o, "" | "{}") && matches!(n, "" | "{}") {
        return true;
    }
    policies_are_equivalent(o, n).unwrap_or(false)
}

/// `verify.PolicyToSet`: the prior value when the new one is equivalent, else the new one
/// normalized.
pub fn policy_to_set(prior: &str, new: &str) -> String {
    if !prior.is_empty() && policies_are_equivalent(prior, new).unwrap_or(false) {
        return prior.to_string();
    }
    normalize(new).unwrap_or_else(|_| new.to_string())
}

/// A JSON object's member, matched as Go's decoders do (exact name first, then any case).
fn member<'a>(m: &'a serde_json::Map<String, J>, name: &str) -> Option<&'a J> {
    m.get(name).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

struct Doc {
    version: String,
    id: String,
    statement: J,
}

fn intermediate(s: &str) -> Result<Doc, ()> {
    let mut s = s.trim();
    if s.starts_with('[') {
        s = s.strip_suffix(']').unwrap_or(s);
        s = s.strip_prefix('[').unwrap_or(s);
        if s.trim().is_empty() {
            s = "{}";
        }
    }
    let text = |v: Option<&J>| match v {
        None | Some(J::Null) => Ok(String::new()),
        Some(J::String(s)) => Ok(s.clone()),
        Some(_) => Err(()),
    };
    match serde_json::from_str::<J>(s).map_err(|_| ())? {
        J::Object(m) => {
            Ok(Doc { version: text(member(&m, "Version"))?, id: text(member(&m, "Id"))?, statement: member(&m, "Statement").cloned().unwrap_or(J::Null) })
        }
        J::Null => Ok(Doc { version: String::new(), id: String::new(), statement: J::Null }),
        _ => Err(()),
    }
}

/// `awspolicy.PoliciesAreEquivalent`; `Err` when either is not a policy.
fn policies_are_equivalent(a: &str, b: &str) -> Result<bool, ()> {
    let (a, b) = (intermediate(a)?, intermediate(b)?);
    if a.version == b.version && a.id == b.id && a.statement == b.statement {
        return Ok(true);
    }
    let (sa, sb) = (statements(&a.statement)?, statements(&b.statement)?);
    if a.version != b.version || a.id != b.id || sa.len() != sb.len() {
        return Ok(false);
    }
    Ok(sa.iter().all(|x| sb.iter().any(|y| x.equals(y))) && sb.iter().all(|y| sa.iter().any(|x| y.equals(x))))
}

/// A statement's `Condition`: (test, [(variable, values)]).
type Conditions = Vec<(String, Vec<(String, J)>)>;

#[derive(Default)]
struct Statement {
    sid: String,
    effect: String,
    action: J,
    not_action: J,
    resource: J,
    not_resource: J,
    principal: J,
    not_principal: J,
    condition: Option<Conditions>,
}

fn statements(j: &J) -> Result<Vec<Statement>, ()> {
    match j {
        J::Array(items) => items.iter().map(statement).collect(),
        J::Object(_) => Ok(vec![statement(j)?]),
        _ => Err(()),
    }
}

fn statement(j: &J) -> Result<Statement, ()> {
    let J::Object(m) = j else { return Err(()) };
    let text = |name| match member(m, name) {
        None | Some(J::Null) => Ok(String::new()),
        Some(J::String(s)) => Ok(s.clone()),
        Some(_) => Err(()),
    };
    let any = |name| member(m, name).cloned().unwrap_or(J::Null);
    let condition = match member(m, "Condition") {
        None | Some(J::Null) => None,
        Some(J::Object(c)) => Some(
            c.iter()
                .map(|(test, vars)| match vars {
                    J::Object(v) => Ok((test.clone(), v.iter().map(|(k, x)| (k.clone(), x.clone())).collect())),
                    J::Null => Ok((test.clone(), Vec::new())),
                    _ => Err(()),
                })
                .collect::<Result<_, ()>>()?,
        ),
        Some(_) => return Err(()),
    };
    Ok(Statement {
        sid: text("Sid")?,
        effect: text("Effect")?,
        action: any("Action"),
        not_action: any("NotAction"),
        resource: any("Resource"),
        not_resource: any("NotResource"),
        principal: any("Principal"),
        not_principal: any("NotPrincipal"),
        condition,
    })
}

/// `newStringSet`: the strings of a string, bool, number or list of those (`None` otherwise).
fn string_set(j: &J) -> Option<Vec<String>> {
    let one = |x: &J| match x {
        J::String(s) => Some(s.clone()),
        J::Bool(b) => Some(b.to_string()),
        J::Number(n) => Some(format!("{}", n.as_f64().unwrap_or(0.0))),
        _ => None,
    };
    match j {
        J::Null => Some(Vec::new()),
        J::Array(items) => items.iter().map(one).collect(),
        x => one(x).map(|s| vec![s]),
    }
}

/// `stringSlicesEqualIgnoreOrder` over two `newStringSet`s.
fn same_multiset(a: &J, b: &J) -> bool {
    match (string_set(a), string_set(b)) {
        (Some(mut x), Some(mut y)) => {
            x.sort();
            y.sort();
            x == y
        }
        (None, None) => true,
        _ => false,
    }
}

/// `stringSet.equals`: same length and the same members.
fn same_set(a: &Option<Vec<String>>, b: &Option<Vec<String>>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.len() == y.len() && x.iter().all(|s| y.contains(s)) && y.iter().all(|s| x.contains(s)),
        _ => false,
    }
}

impl Statement {
    fn equals(&self, o: &Statement) -> bool {
        self.sid == o.sid
            && self.effect.to_lowercase() == o.effect.to_lowercase()
            && same_multiset(&self.action, &o.action)
            && same_multiset(&self.not_action, &o.not_action)
            && same_multiset(&self.resource, &o.resource)
            && same_multiset(&self.not_resource, &o.not_resource)
            && conditions_equal(&self.condition, &o.condition)
            && principals_equal(&self.principal, &o.principal)
            && principals_equal(&self.not_principal, &o.not_principal)
    }
}

fn conditions_equal(a: &Option<Conditions>, b: &Option<Conditions>) -> bool {
    let (Some(a), Some(b)) = (a, b) else { return a.is_none() && b.is_none() };
    let covers = |x: &Conditions, y: &Conditions| {
        x.iter().all(|(test, vars)| {
            y.iter().find(|(t, _)| t == test).is_some_and(|(_, theirs)| {
                vars.iter().all(|(k, v)| theirs.iter().find(|(tk, _)| tk == k).is_some_and(|(_, tv)| same_set(&string_set(v), &string_set(tv))))
            })
        })
    };
    a.len() == b.len() && covers(a, b) && covers(b, a)
}

fn principals_equal(a: &J, b: &J) -> bool {
    if a.is_null() && b.is_null() {
        return true;
    }
    string_principals_equal(a, b) || map_principals_equal(a, b)
}

fn map_principals_equal(a: &J, b: &J) -> bool {
    let normalized = |j: &J| -> Vec<(String, Vec<String>)> {
        match j {
            J::Object(m) => m.iter().filter_map(|(k, v)| Some((k.clone(), string_set(v).filter(|s| !s.is_empty())?))).collect(),
            _ => Vec::new(),
        }
    };
    let (x, y) = (normalized(a), normalized(b));
    let covers = |x: &Vec<(String, Vec<String>)>, y: &Vec<(String, Vec<String>)>| {
        x.iter().all(|(k, ours)| {
            y.iter()
                .find(|(tk, _)| tk == k)
                .is_some_and(|(_, theirs)| ours.len() == theirs.len() && ours.iter().all(|p| theirs.iter().any(|t| principal_strings_equal(p, t))))
        })
    };
    covers(&x, &y) && covers(&y, &x)
}

fn string_principals_equal(a: &J, b: &J) -> bool {
    matches!((a, b), (J::String(x), J::String(y)) if principal_strings_equal(x, y))
}

/// Equal, or an account id and that account's `root` ARN.
fn principal_strings_equal(a: &str, b: &str) -> bool {
    let account = |s: &str| s.len() == 12 && s.bytes().all(|c| c.is_ascii_digit());
    let root_of = |id: &str, arn: &str| {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        parts.len() == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[4] == id && parts[5] == "root"
    };
    a == b || (account(a) && root_of(a, b)) || (account(b) && root_of(b, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_encoding_escapes_html_and_sorts_maps() {
        assert_eq!(normalize(r#"{"b": "x&<y>", "a": [1, 2.5, 1e21, 0.0000001]}"#).unwrap(), r#"{"a":[1,2.5,1e+21,1e-7],"b":"x\u0026\u003cy\u003e"}"#);
        let j = GoJson::Obj(vec![("Z".into(), GoJson::Arr(vec![])), ("A".into(), GoJson::Arr(vec![GoJson::Str("\u{1}".into())]))]);
        assert_eq!(j.encode(true), "{\n  \"Z\": [],\n  \"A\": [\n    \"\\u0001\"\n  ]\n}");
    }

    #[test]
    fn equivalence_follows_awspolicyequivalence() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole"],"Principal":{"Service":"ec2.amazonaws.com"}}]}"#;
        let b = "{\n \"Statement\": {\"Principal\": {\"Service\": [\"ec2.amazonaws.com\"]}, \"Action\": \"sts:AssumeRole\", \"Effect\": \"allow\"},\n \"Version\": \"2012-10-17\"}";
        assert!(equivalent(a, b));
        assert!(!equivalent(a, &a.replace("ec2", "lambda")));
        assert!(!equivalent(a, &a.replace("2012-10-17", "2008-10-17")));
        let acct = |p: &str| format!(r#"{{"Statement":[{{"Effect":"Allow","Action":"*","Principal":{{"AWS":"{p}"}}}}]}}"#);
        assert!(equivalent(&acct("123456789012"), &acct("arn:aws:iam::123456789012:root")));
        assert!(!equivalent(&acct("123456789012"), &acct("arn:aws:iam::123456789012:user/x")));
        let cond = |v: &str| format!(r#"{{"Statement":[{{"Effect":"Deny","Action":"*","Condition":{{"Bool":{{"aws:SecureTransport":{v}}}}}}}]}}"#);
        assert!(equivalent(&cond("false"), &cond("\"false\"")));
        assert!(equivalent(&cond("[\"a\",\"b\"]"), &cond("[\"b\",\"a\"]")));
        assert!(equivalent("", " {} ") && !equivalent("{}", "not json"));
    }

    #[test]
    fn validation_and_decoding() {
        assert_eq!(invalid_policy("policy", " {}").unwrap(), "\"policy\" contains an invalid JSON policy: leading space characters are not allowed");
        assert!(invalid_policy("policy", "{\"Version\":\"2012-10-17\"}").is_none());
        assert!(invalid_policy("policy", "[]").unwrap().contains("JSON array"));
        assert_eq!(url_decoded("%7B%22a%22%3A%22x%2By+z%22%7D"), "{\"a\":\"x+y z\"}");
        assert_eq!(policy_to_set("{ \"Statement\": [] }", "{\"Statement\":[]}"), "{ \"Statement\": [] }");
        assert_eq!(policy_to_set("{}", "{\"Statement\": [{\"Effect\": \"Allow\"}]}"), "{\"Statement\":[{\"Effect\":\"Allow\"}]}");
    }
}
