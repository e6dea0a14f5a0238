//! `aws_s3_bucket_policy`: `bucket` (force-new) and `policy` (a JSON IAM policy document). As in
//! Terraform's provider, state holds the policy normalised (compact, keys sorted, as Go's JSON
//! encoder writes it), and a policy with the same meaning (re-formatted, keys or statements
//! re-ordered, a one-element list for a single value) is no change: plan and refresh keep the
//! string already in state. The policy changes in place; destroying it deletes the policy.

use async_trait::async_trait;

use super::s3_bucket_common::{self as common, bucket};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

/// The document as Go's `json.Marshal` writes it: compact, object keys sorted, `<`, `>`, `&`
/// escaped.
pub fn normalize(doc: &str) -> Result<String, serde_json::Error> {
    let v: serde_json::Value = serde_json::from_str(doc)?;
    let out = serde_json::to_string(&sorted(v))?;
    Ok(out.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029"))
}

/// Objects rebuilt with their keys in order (whatever the map type keeps).
fn sorted(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut pairs: Vec<(String, serde_json::Value)> = m.into_iter().collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(pairs.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// A policy's meaning: lists are unordered sets, and a one-element list is its element.
fn canonical(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => sorted(serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, canonical(v))).collect())),
        serde_json::Value::Array(items) => {
            let mut items: Vec<serde_json::Value> = items.into_iter().map(canonical).collect();
            items.sort_by_key(|x| x.to_string());
            items.dedup();
            if items.len() == 1 {
                items.pop().unwrap_or_default()
            } else {
                serde_json::Value::Array(items)
            }
        }
        other => other,
    }
}

/// Whether two policy documents mean the same (false when either is not JSON).
pub fn equivalent(a: &str, b: &str) -> bool {
    match (serde_json::from_str(a), serde_json::from_str(b)) {
        (Ok(a), Ok(b)) => canonical(a) == canonical(b),
        _ => false,
    }
}

/// What state holds for `new` when it had `old`: `old` when equivalent, else `new` normalised.
fn to_set(old: Option<&str>, new: &str) -> String {
    match old {
        Some(o) if equivalent(o, new) => o.to_string(),
        _ => normalize(new).unwrap_or_else(|_| new.to_string()),
    }
}

/// `aws_s3_bucket_policy`.
pub struct S3BucketPolicy;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketPolicy {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_policy"
    }

    fn schema(&self) -> ResourceSchema {
        common::schema(self.name(), &["policy"])
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        if let Some(doc) = attr(&planned, "policy").as_str().map(str::to_string) {
            match normalize(&doc) {
                Err(e) => diags.push(Diagnostic::error("Invalid policy", format!("\"policy\" contains an invalid JSON: {e}")).for_attribute("policy")),
                Ok(_) => {
                    let old = req.prior_state.as_ref().and_then(|s| attr(s, "policy").as_str());
                    set(&mut planned, "policy", Value::String(to_set(old, &doc)));
                }
            }
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_bucket_policy().bucket(bucket(&prior)).send().await;
        common::read_from(prior, "policy", r, |mut state, out| {
            let remote = out.policy().unwrap_or_default().to_string();
            let policy = to_set(attr(&state, "policy").as_str(), &remote);
            set(&mut state, "policy", Value::String(policy));
            state
        })
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        self.put(p, None, planned).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        self.put(p, Some(prior), planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let r = p.s3_write.delete_bucket_policy().bucket(bucket(&prior)).send().await;
        common::after_delete(prior, "policy", r)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        common::import(self, p, id, blank).await
    }
}

impl S3BucketPolicy {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
        let doc = attr(&planned, "policy").as_str().unwrap_or_default().to_string();
        let r = p.s3_write.put_bucket_policy().bucket(bucket(&planned)).policy(doc).send().await;
        common::after_put(self, p, prior, planned, "policy", r).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_with_the_same_meaning_are_equivalent() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}"#;
        let b = "{\n  \"Statement\": {\"Resource\": \"arn:aws:s3:::b/*\", \"Action\": \"s3:GetObject\", \"Principal\": \"*\", \"Effect\": \"Allow\"},\n  \"Version\": \"2012-10-17\"\n}";
        assert!(equivalent(a, b));
        assert!(!equivalent(a, &a.replace("GetObject", "PutObject")));
        assert!(!equivalent(a, "not json"));
    }

    #[test]
    fn normalize_writes_what_go_writes() {
        assert_eq!(normalize("{ \"b\": [1, 2], \"a\": \"x<y&z\" }").unwrap(), r#"{"a":"x\u003cy\u0026z","b":[1,2]}"#);
        assert_eq!(to_set(Some(r#"{"a":1}"#), "{ \"a\": [1] }"), r#"{"a":1}"#);
        assert_eq!(to_set(Some(r#"{"a":1}"#), "{ \"a\": 2 }"), r#"{"a":2}"#);
    }
}
