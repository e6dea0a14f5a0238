//! What the IAM resource files share: generated names (`name`/`name_prefix`, as the provider's
//! `create.Name`), IAM tags, the "no such entity" check, dates, and the plan steps for policy
//! arguments (validation, and no diff between equivalent documents).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::types::Tag;

use super::iam_policy_json::{equivalent, invalid_policy};
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set};
use crate::value::Value;

/// Whether IAM answered `NoSuchEntity` (or a 404).
pub fn gone<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    e.as_service_error().and_then(|s| s.code()) == Some("NoSuchEntity") || e.raw_response().is_some_and(|r| r.status().as_u16() == 404)
}

/// A call's result, with "no such entity" as `None` and any other error as a diagnostic.
pub fn found<T, E>(r: Result<T, SdkError<E, HttpResponse>>, what: impl FnOnce() -> String) -> Result<Option<T>, Diagnostics>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match r {
        Ok(x) => Ok(Some(x)),
        Err(e) if gone(&e) => Ok(None),
        Err(e) => Err(super::errors::aws_error(&what(), &e)),
    }
}

/// `id.PrefixedUniqueId`: the prefix, a UTC timestamp to 1/10,000 s and a process counter.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = chrono::Utc::now();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
    format!("{prefix}{}{:04}{n:08x}", now.format("%Y%m%d%H%M%S"), now.timestamp_subsec_micros() / 100)
}

/// `create.Name`: the name, else a unique name from the prefix, else from `terraform-`.
pub fn resource_name(state: &Value) -> String {
    match (attr(state, "name").as_str(), attr(state, "name_prefix").as_str()) {
        (Some(n), _) if !n.is_empty() => n.to_string(),
        (_, Some(p)) if !p.is_empty() => unique_name(p),
        _ => unique_name("terraform-"),
    }
}

/// `create.NamePrefixFromName`: the prefix of a generated name (null for any other name).
pub fn name_prefix_of(name: &str) -> Value {
    let n = name.len();
    if n > 26 && name[n - 26..].bytes().all(|c| c.is_ascii_hexdigit()) {
        Value::string(&name[..n - 26])
    } else {
        Value::Null
    }
}

/// Plans `id`, `name` and `name_prefix` of a new object (unknown when IAM or the prefix chooses them)
/// and checks their length and characters (`validResourceName`).
pub fn plan_name(planned: &mut Value, config: &Value, creating: bool, max: usize) -> Diagnostics {
    let mut d = Diagnostics::new();
    for (arg, limit) in [("name", max), ("name_prefix", max - 26)] {
        if let Some(v) = attr(config, arg).as_str() {
            let ok_chars = v.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
            if v.is_empty() || v.len() > limit || !ok_chars {
                let why = format!("\"{arg}\" must be 1 to {limit} characters from letters, digits and _+=,.@- (got {v:?}).");
                d.push(Diagnostic::error("Invalid value", why).for_attribute(arg));
            }
        }
    }
    if creating {
        set(planned, "id", Value::Unknown);
        if attr(config, "name").is_null() {
            set(planned, "name", Value::Unknown);
        }
        if attr(config, "name_prefix").is_null() {
            set(planned, "name_prefix", Value::Unknown);
        }
    }
    d
}

/// Checks a policy argument (`verify.ValidIAMPolicyJSON`, or any JSON for a trust policy) and,
/// on update, keeps the prior document when the new one is equivalent (no diff, as
/// `SuppressEquivalentPolicyDiffs`; the state keeps the string it had).
pub fn plan_policy(planned: &mut Value, prior: Option<&Value>, arg: &str, object_only: bool) -> Diagnostics {
    let Some(new) = attr(planned, arg).as_str().map(str::to_string) else { return Diagnostics::new() };
    let problem = if object_only {
        invalid_policy(arg, &new)
    } else {
        serde_json::from_str::<serde_json::Value>(&new).err().map(|e| format!("\"{arg}\" contains an invalid JSON: {e}"))
    };
    if let Some(why) = problem {
        return Diagnostic::error("Invalid policy document", why).for_attribute(arg).into();
    }
    if let Some(old) = prior.and_then(|p| attr(p, arg).as_str()) {
        if old != new && equivalent(old, &new) {
            set(planned, arg, Value::string(old));
        }
    }
    Diagnostics::new()
}

/// Sets a default for an argument left unset (the provider schema's `Default`).
pub fn default(planned: &mut Value, arg: &str, v: Value) {
    if attr(planned, arg).is_null() {
        set(planned, arg, v);
    }
}

/// A date as the provider writes it (`time.RFC3339`, whole seconds, UTC).
pub fn rfc3339(t: Option<&aws_sdk_iam::primitives::DateTime>) -> Value {
    match t.and_then(|t| chrono::DateTime::from_timestamp(t.secs(), 0)) {
        Some(t) => Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        None => Value::Null,
    }
}

/// IAM's tags as a map, without the `aws:` tags AWS manages (`IgnoreAWS`).
pub fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter().filter(|t| !t.key().starts_with("aws:")).map(|t| (t.key().to_string(), t.value().to_string())).collect()
}

/// `tags_all` as IAM tags.
pub fn tags(tags_all: &Value) -> Vec<Tag> {
    let Value::Map(m) = tags_all else { return Vec::new() };
    m.iter().filter_map(|(k, v)| Tag::builder().key(k).value(v.as_str().unwrap_or_default()).build().ok()).collect()
}

/// The tag keys to remove and the tags to set to go from `had` to `want` (`tags_all`).
pub fn tag_changes(had: &Value, want: &Value) -> (Vec<String>, Vec<Tag>) {
    let text = |v: &Value| -> BTreeMap<String, String> {
        v.as_map().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()).unwrap_or_default()
    };
    let (had, want) = (text(had), text(want));
    let stale = had.keys().filter(|k| !want.contains_key(*k)).cloned().collect();
    let new = want.iter().filter(|(k, v)| had.get(*k) != Some(v)).filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok()).collect();
    (stale, new)
}

/// A string argument as `Option<String>` (null and "" are unset).
pub fn opt(v: &Value, arg: &str) -> Option<String> {
    attr(v, arg).as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_round_trip_to_their_prefix() {
        let name = unique_name("app-");
        assert_eq!(name.len(), 4 + 26, "{name}");
        assert_eq!(name_prefix_of(&name), Value::string("app-"));
        assert_eq!(name_prefix_of("my-role"), Value::Null);
        assert_ne!(unique_name("x"), unique_name("x"));
    }

    #[test]
    fn equivalent_policies_keep_the_prior_string() {
        let prior = Value::object([("policy", Value::string("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:*\"]}]}"))]);
        let mut planned = Value::object([("policy", Value::string("{\"Statement\":[{\"Action\":\"s3:*\",\"Effect\":\"Allow\"}]}"))]);
        assert!(plan_policy(&mut planned, Some(&prior), "policy", true).is_empty());
        assert_eq!(attr(&planned, "policy"), attr(&prior, "policy"));
        let mut bad = Value::object([("policy", Value::string("[1]"))]);
        assert!(plan_policy(&mut bad, None, "policy", true).has_errors());
    }
}
