//! The provider's IAM policy document model (`policy_model.go`), for `data
//! "aws_iam_policy_document"`: documents decoded from JSON as Go's `encoding/json` and the
//! model's custom decoders do, merged by `Sid`, and encoded with the model's field order and
//! rules (one-element lists become strings, identifier lists sorted in reverse, principals of
//! one type joined, `{"*": "*"}` written as `"*"`).

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::iam_policy_json::GoJson;

/// Identifiers or condition values: one string, or a list.
#[derive(Clone, Debug, PartialEq)]
pub enum Strings {
    One(String),
    Many(Vec<String>),
}

impl Strings {
    /// `policyDecodeConfigStrings`: the one element as a string, else the list in reverse order.
    pub fn decoded(mut l: Vec<String>) -> Strings {
        if l.len() == 1 {
            return Strings::One(l.remove(0));
        }
        l.sort();
        l.reverse();
        Strings::Many(l)
    }

    fn json(&self) -> GoJson {
        match self {
            Strings::One(s) => GoJson::Str(s.clone()),
            Strings::Many(l) => GoJson::Arr(l.iter().map(|s| GoJson::Str(s.clone())).collect()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Principal {
    pub kind: String,
    pub ids: Strings,
}

#[derive(Clone, Debug)]
pub struct Condition {
    pub test: String,
    pub variable: String,
    pub values: Strings,
}

#[derive(Clone, Debug, Default)]
pub struct Statement {
    pub sid: String,
    pub effect: String,
    pub action: Option<GoJson>,
    pub not_action: Option<GoJson>,
    pub resource: Option<GoJson>,
    pub not_resource: Option<GoJson>,
    pub principals: Vec<Principal>,
    pub not_principals: Vec<Principal>,
    pub conditions: Vec<Condition>,
}

#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub version: String,
    pub id: String,
    pub statements: Vec<Statement>,
}

impl Doc {
    /// `Merge`: adopts the other's `Id`, upgrades the version, and adds its statements,
    /// replacing those with the same non-empty `Sid` in place.
    pub fn merge(&mut self, other: Doc) {
        if !other.id.is_empty() {
            self.id = other.id;
        }
        if other.version > self.version {
            self.version = other.version;
        }
        for s in other.statements {
            match self.statements.iter_mut().find(|x| !s.sid.is_empty() && x.sid == s.sid) {
                Some(x) => *x = s,
                None => self.statements.push(s),
            }
        }
    }

    pub fn json(&self) -> GoJson {
        let mut o = Vec::new();
        if !self.version.is_empty() {
            o.push(("Version".to_string(), GoJson::Str(self.version.clone())));
        }
        if !self.id.is_empty() {
            o.push(("Id".to_string(), GoJson::Str(self.id.clone())));
        }
        if !self.statements.is_empty() {
            o.push(("Statement".to_string(), GoJson::Arr(self.statements.iter().map(Statement::json).collect())));
        }
        GoJson::Obj(o)
    }

    /// Decodes a document as `json.Unmarshal` into the model does.
    pub fn parse(text: &str) -> Result<Doc, String> {
        let j: J = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let m = match j {
            J::Object(m) => m,
            J::Null => return Ok(Doc::default()),
            other => return Err(format!("json: cannot unmarshal {} into Go value of type iam.IAMPolicyDoc", kind(&other))),
        };
        let statements = match member(&m, "Statement") {
            None | Some(J::Null) => Vec::new(),
            Some(J::Array(items)) => items.iter().map(Statement::parse).collect::<Result<_, _>>()?,
            Some(other) => return Err(format!("json: cannot unmarshal {} into Go struct field IAMPolicyDoc.Statement", kind(other))),
        };
        Ok(Doc { version: text_member(&m, "Version")?, id: text_member(&m, "Id")?, statements })
    }
}

impl Statement {
    fn json(&self) -> GoJson {
        let mut o: Vec<(String, GoJson)> = Vec::new();
        let mut put = |k: &str, v: Option<GoJson>| {
            if let Some(v) = v {
                o.push((k.to_string(), v));
            }
        };
        put("Sid", (!self.sid.is_empty()).then(|| GoJson::Str(self.sid.clone())));
        put("Effect", (!self.effect.is_empty()).then(|| GoJson::Str(self.effect.clone())));
        put("Action", self.action.clone());
        put("NotAction", self.not_action.clone());
        put("Resource", self.resource.clone());
        put("NotResource", self.not_resource.clone());
        put("Principal", (!self.principals.is_empty()).then(|| principals_json(&self.principals)));
        put("NotPrincipal", (!self.not_principals.is_empty()).then(|| principals_json(&self.not_principals)));
        put("Condition", (!self.conditions.is_empty()).then(|| conditions_json(&self.conditions)));
        GoJson::Obj(o)
    }

    fn parse(j: &J) -> Result<Statement, String> {
        let J::Object(m) = j else { return Err(format!("json: cannot unmarshal {} into Go value of type iam.IAMPolicyStatement", kind(j))) };
        let any = |k| member(m, k).filter(|v| !v.is_null()).map(GoJson::from_json);
        Ok(Statement {
            sid: text_member(m, "Sid")?,
            effect: text_member(m, "Effect")?,
            action: any("Action"),
            not_action: any("NotAction"),
            resource: any("Resource"),
            not_resource: any("NotResource"),
            principals: member(m, "Principal").map(parse_principals).transpose()?.unwrap_or_default(),
            not_principals: member(m, "NotPrincipal").map(parse_principals).transpose()?.unwrap_or_default(),
            conditions: member(m, "Condition").map(parse_conditions).transpose()?.unwrap_or_default(),
        })
    }
}

/// `IAMPolicyStatementPrincipalSet.MarshalJSON`.
fn principals_json(ps: &[Principal]) -> GoJson {
    if let [p] = ps {
        let star = matches!(&p.ids, Strings::One(s) if s == "*") || matches!(&p.ids, Strings::Many(l) if l.len() == 1 && l[0] == "*");
        if p.kind == "*" && star {
            return GoJson::Str("*".into());
        }
    }
    let mut raw: BTreeMap<String, Strings> = BTreeMap::new();
    for p in ps {
        let entry = raw.remove(&p.kind);
        let next = match (&p.ids, entry) {
            (Strings::Many(ids), had) => {
                let mut all = match had {
                    None => Vec::new(),
                    Some(Strings::One(v)) => vec![v],
                    Some(Strings::Many(l)) => l,
                };
                let mut ids = ids.clone();
                ids.sort();
                ids.reverse();
                all.extend(ids);
                Strings::Many(all)
            }
            (Strings::One(id), None) => Strings::One(id.clone()),
            (Strings::One(id), Some(Strings::One(v))) => Strings::Many(vec![v, id.clone()]),
            (Strings::One(id), Some(Strings::Many(mut l))) => {
                l.push(id.clone());
                Strings::Many(l)
            }
        };
        raw.insert(p.kind.clone(), next);
    }
    GoJson::Obj(raw.into_iter().map(|(k, v)| (k, v.json())).collect())
}

/// `IAMPolicyStatementConditionSet.MarshalJSON`: values of one test and variable joined, a
/// single value written as a string.
fn conditions_json(cs: &[Condition]) -> GoJson {
    let mut raw: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for c in cs {
        let values = raw.entry(c.test.clone()).or_default().entry(c.variable.clone()).or_default();
        match &c.values {
            Strings::Many(l) => values.extend(l.iter().cloned()),
            Strings::One(s) => values.push(s.clone()),
        }
    }
    let flat = |mut l: Vec<String>| if l.len() == 1 { Strings::One(l.remove(0)) } else { Strings::Many(l) };
    GoJson::Obj(raw.into_iter().map(|(t, vars)| (t, GoJson::Obj(vars.into_iter().map(|(k, l)| (k, flat(l).json())).collect()))).collect())
}

/// `IAMPolicyStatementPrincipalSet.UnmarshalJSON`: any string is `"*"`; a map's lists are sorted.
fn parse_principals(j: &J) -> Result<Vec<Principal>, String> {
    match j {
        J::String(_) => Ok(vec![Principal { kind: "*".into(), ids: Strings::Many(vec!["*".into()]) }]),
        J::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                J::String(s) => Ok(Principal { kind: k.clone(), ids: Strings::One(s.clone()) }),
                J::Array(items) => {
                    let mut ids = items
                        .iter()
                        .enumerate()
                        .map(|(i, x)| {
                            x.as_str().map(str::to_string).ok_or_else(|| {
                                format!("Unsupported element type for IAMPolicyStatementPrincipalSet.Identifiers[{i}] (principal type {k:?}): must be string")
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    ids.sort();
                    Ok(Principal { kind: k.clone(), ids: Strings::Many(ids) })
                }
                other => Err(format!("Unsupported data type {} for IAMPolicyStatementPrincipalSet.Identifiers", kind(other))),
            })
            .collect(),
        other => Err(format!("Unsupported data type {} for IAMPolicyStatementPrincipalSet", kind(other))),
    }
}

/// `IAMPolicyStatementConditionSet.UnmarshalJSON`: strings and lists of strings kept, booleans
/// as strings, anything else dropped.
fn parse_conditions(j: &J) -> Result<Vec<Condition>, String> {
    let tests = match j {
        J::Null => return Ok(Vec::new()),
        J::Object(m) => m,
        other => return Err(format!("json: cannot unmarshal {} into Go value of type map[string]map[string]interface {{}}", kind(other))),
    };
    let mut out = Vec::new();
    for (test, vars) in tests {
        let vars = match vars {
            J::Null => continue,
            J::Object(v) => v,
            other => return Err(format!("json: cannot unmarshal {} into Go value of type map[string]interface {{}}", kind(other))),
        };
        for (variable, v) in vars {
            let values = match v {
                J::String(s) => Strings::Many(vec![s.clone()]),
                J::Bool(b) => Strings::One(b.to_string()),
                J::Array(items) => {
                    Strings::Many(items.iter().map(|x| x.as_str().map(str::to_string).ok_or("condition values must be strings")).collect::<Result<_, _>>()?)
                }
                _ => continue,
            };
            out.push(Condition { test: test.clone(), variable: variable.clone(), values });
        }
    }
    Ok(out)
}

fn member<'a>(m: &'a serde_json::Map<String, J>, name: &str) -> Option<&'a J> {
    m.get(name).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

fn text_member(m: &serde_json::Map<String, J>, name: &str) -> Result<String, String> {
    match member(m, name) {
        None | Some(J::Null) => Ok(String::new()),
        Some(J::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("json: cannot unmarshal {} into Go struct field .{name} of type string", kind(other))),
    }
}

fn kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "bool",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}
