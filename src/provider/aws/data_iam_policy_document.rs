//! `data "aws_iam_policy_document"`: an IAM policy document built locally, byte for byte as
//! the provider builds it: `source_policy_documents` merged in order (duplicate `Sid`s are an
//! error), then `version`, `policy_id` and the `statement` blocks, then
//! `override_policy_documents` (same `Sid` replaces). `json` is Go's indented encoding of the
//! model ([`super::iam_policy_doc`]), `minified_json` its compact one, `id` the CRC-32 of
//! `json`. `&{...}` becomes `${...}` in resources, principals and condition values; sets
//! (principals, conditions) are taken in the provider SDK's set order, which decides how
//! principals of one type and values of one condition are joined.

use async_trait::async_trait;

use super::iam_policy_doc::{Condition, Doc, Principal, Statement, Strings};
use super::iam_policy_json::GoJson;
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let all = [
        "id",
        "json",
        "minified_json",
        "override_json",
        "override_policy_documents",
        "policy_id",
        "source_json",
        "source_policy_documents",
        "statement",
        "version",
    ];
    data("aws_iam_policy_document").implement(&all).build()
}

/// `data "aws_iam_policy_document"`.
pub struct DataIamPolicyDocument;

#[async_trait]
impl DataSourceType<AwsProvider> for DataIamPolicyDocument {
    fn name(&self) -> &'static str {
        "aws_iam_policy_document"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, _p: &AwsProvider, config: Value) -> ReadDataResponse {
        match build(config) {
            Ok(state) => ReadDataResponse::found(state),
            Err(why) => ReadDataResponse::failed(Diagnostic::error("Invalid IAM policy document", why).into()),
        }
    }
}

/// The data source's state for a (known) configuration.
pub fn build(config: Value) -> Result<Value, String> {
    let mut state = config;
    for arg in ["source_json", "override_json"] {
        if let Some(s) = attr(&state, arg).as_str().filter(|s| !s.is_empty()) {
            return Err(format!("expected \"{arg}\" to be an empty string, got {s}"));
        }
    }
    let version = attr(&state, "version").as_str().unwrap_or("2012-10-17").to_string();
    if version != "2008-10-17" && version != "2012-10-17" {
        return Err(format!("expected version to be one of [\"2008-10-17\" \"2012-10-17\"], got {version}"));
    }
    let mut merged = Doc::default();
    let mut sids = std::collections::HashSet::new();
    for (i, text) in strings_of(attr(&state, "source_policy_documents")).iter().enumerate() {
        let doc = Doc::parse(text).map_err(|e| format!("writing IAM Policy Document: merging source document {i}: {e}"))?;
        for (n, s) in doc.statements.iter().enumerate().filter(|(_, s)| !s.sid.is_empty()) {
            if !sids.insert(s.sid.clone()) {
                return Err(format!("writing IAM Policy Document: merging source document {i}: duplicate Sid ({}) in source_policy_documents (statement {n}). Remove the Sid or ensure Sids are unique.", s.sid));
            }
        }
        merged.merge(doc);
    }
    let mut doc = Doc { version: version.clone(), id: attr(&state, "policy_id").as_str().unwrap_or_default().to_string(), statements: Vec::new() };
    let mut blocks = items(attr(&state, "statement"));
    let mut seen = std::collections::HashSet::new();
    for b in blocks.iter_mut() {
        let s = statement(b, &version)?;
        if !s.sid.is_empty() && !seen.insert(s.sid.clone()) {
            return Err(format!("writing IAM Policy Document: duplicate Sid ({}). Remove the Sid or ensure the Sid is unique.", s.sid));
        }
        set(b, "effect", Value::string(&s.effect));
        doc.statements.push(s);
    }
    merged.merge(doc);
    for (i, text) in strings_of(attr(&state, "override_policy_documents")).iter().enumerate() {
        merged.merge(Doc::parse(text).map_err(|e| format!("writing IAM Policy Document: merging override document {i}: {e}"))?);
    }
    let (json, minified) = (merged.json().encode(true), merged.json().encode(false));
    if !blocks.is_empty() {
        set(&mut state, "statement", Value::List(blocks));
    }
    set(&mut state, "version", Value::String(version));
    set(&mut state, "id", Value::String(crc32(json.as_bytes()).to_string()));
    set(&mut state, "json", Value::String(json));
    set(&mut state, "minified_json", Value::String(minified));
    Ok(state)
}

fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(x) | Value::Set(x) => x.clone(),
        _ => Vec::new(),
    }
}

/// The strings of a list or set (nulls skipped).
fn strings_of(v: &Value) -> Vec<String> {
    items(v).iter().filter_map(|x| x.as_str().map(str::to_string)).collect()
}

/// `&{` becomes `${` (not allowed in version 2008-10-17).
fn vars(l: Vec<String>, version: &str) -> Result<Vec<String>, String> {
    l.into_iter()
        .map(|s| {
            if version == "2008-10-17" && s.contains("&{") {
                return Err(format!("found &{{ sequence in ({s}), which is not supported in document version 2008-10-17"));
            }
            Ok(s.replace("&{", "${"))
        })
        .collect()
}

fn strings_json(s: Strings) -> GoJson {
    match s {
        Strings::One(x) => GoJson::Str(x),
        Strings::Many(l) => GoJson::Arr(l.into_iter().map(GoJson::Str).collect()),
    }
}

fn statement(b: &Value, version: &str) -> Result<Statement, String> {
    let effect = attr(b, "effect").as_str().unwrap_or("Allow").to_string();
    if effect != "Allow" && effect != "Deny" {
        return Err(format!("expected statement effect to be one of [\"Allow\" \"Deny\"], got {effect}"));
    }
    let sid = attr(b, "sid").as_str().unwrap_or_default().to_string();
    if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("statement sid {sid:?} must only include alphanumeric characters"));
    }
    let list = |name: &str, replace: bool| -> Result<Option<GoJson>, String> {
        let l = strings_of(attr(b, name));
        if l.is_empty() {
            return Ok(None);
        }
        // Sorted before `&{` is replaced, as the provider does (principals are sorted again after).
        let l = match Strings::decoded(l) {
            Strings::Many(l) if replace => Strings::Many(vars(l, version).map_err(|e| format!("reading {name}: {e}"))?),
            Strings::One(x) if replace => Strings::One(vars(vec![x], version).map_err(|e| format!("reading {name}: {e}"))?.remove(0)),
            other => other,
        };
        Ok(Some(strings_json(l)))
    };
    Ok(Statement {
        sid,
        effect,
        action: list("actions", false)?,
        not_action: list("not_actions", false)?,
        resource: list("resources", true)?,
        not_resource: list("not_resources", true)?,
        principals: principals(attr(b, "principals"), version).map_err(|e| format!("reading principals: {e}"))?,
        not_principals: principals(attr(b, "not_principals"), version).map_err(|e| format!("reading not_principals: {e}"))?,
        conditions: conditions(attr(b, "condition"), version).map_err(|e| format!("reading condition: {e}"))?,
    })
}

fn principals(v: &Value, version: &str) -> Result<Vec<Principal>, String> {
    let blocks: Vec<(String, Vec<String>)> = items(v)
        .iter()
        .map(|p| (attr(p, "type").as_str().unwrap_or_default().to_string(), sdk_set_order(strings_of(attr(p, "identifiers")), |s| format!("{s};"))))
        .collect();
    let ordered = sdk_set_order(blocks, |(kind, ids)| format!("identifiers:{{{}}};type:{kind};", ids.iter().map(|i| format!("{i};")).collect::<String>()));
    ordered.into_iter().map(|(kind, ids)| Ok(Principal { kind, ids: Strings::decoded(vars(ids, version)?) })).collect()
}

fn conditions(v: &Value, version: &str) -> Result<Vec<Condition>, String> {
    let blocks: Vec<(String, String, Vec<String>)> = items(v)
        .iter()
        .map(|c| {
            (
                attr(c, "test").as_str().unwrap_or_default().to_string(),
                attr(c, "variable").as_str().unwrap_or_default().to_string(),
                strings_of(attr(c, "values")),
            )
        })
        .collect();
    let ordered =
        sdk_set_order(blocks, |(t, var, vals)| format!("test:{t};values:({});variable:{var};", vals.iter().map(|x| format!("{x};")).collect::<String>()));
    ordered
        .into_iter()
        .map(|(test, variable, values)| {
            let mut values = vars(values, version).map_err(|e| format!("reading values: {e}"))?;
            let values = if values.len() == 1 { Strings::One(values.remove(0)) } else { Strings::Many(values) };
            Ok(Condition { test, variable, values })
        })
        .collect()
}

/// The order `schema.Set.List()` gives: by the decimal text of each element's hash code (the
/// CRC-32 of its hash serialization), duplicates dropped.
fn sdk_set_order<T>(items: Vec<T>, serialize: impl Fn(&T) -> String) -> Vec<T> {
    let mut keyed: Vec<(String, T)> = items.into_iter().map(|x| (crc32(serialize(&x).as_bytes()).to_string(), x)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    keyed.into_iter().map(|(_, x)| x).collect()
}

/// CRC-32 (IEEE), as Go's `crc32.ChecksumIEEE`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
    }
    !c
}

#[cfg(test)]
#[path = "iam_policy_document_tests.rs"]
mod tests;
