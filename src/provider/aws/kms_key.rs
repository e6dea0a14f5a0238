//! `aws_kms_key`: `description`, `key_usage` (`ENCRYPT_DECRYPT`), `customer_master_key_spec`
//! (`SYMMETRIC_DEFAULT`), `policy` (AWS's default policy when unset), `is_enabled` (true),
//! `enable_key_rotation` (false), `rotation_period_in_days`, `multi_region`,
//! `deletion_window_in_days`, `bypass_policy_lockout_safety_check` (false), `tags`; computed
//! `arn`, `key_id`, `id` (the key id), `tags_all`. A new key usage, key spec or multi-Region
//! setting replaces the key; the rest changes in place. An equivalent policy is no change.
//! Deleting schedules the deletion (`deletion_window_in_days`, else AWS's 30 days); a key
//! pending deletion is gone. Import by key id. Custom key stores (`custom_key_store_id`,
//! `xks_key_id`) are not implemented.

use async_trait::async_trait;
use serde_json::json;

use super::ec2::{plan_common, set_tags};
use super::iam_common::plan_policy;
use super::iam_policy_json::{normalize, policy_to_set};
use super::json_api::{provider_defaults, read_back, tag_list, tag_map, text as jtext, updated, KMS, KMS_TAGS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, defaults, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_kms_key")
        .implement(&[
            "arn",
            "bypass_policy_lockout_safety_check",
            "customer_master_key_spec",
            "deletion_window_in_days",
            "description",
            "enable_key_rotation",
            "id",
            "is_enabled",
            "key_id",
            "key_usage",
            "multi_region",
            "policy",
            "rotation_period_in_days",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["bypass_policy_lockout_safety_check", "customer_master_key_spec", "enable_key_rotation", "is_enabled", "key_usage"])
        .force_new(&["customer_master_key_spec", "key_usage", "multi_region"])
        .build()
}

/// `aws_kms_key`.
pub struct KmsKey;

fn check(planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let in_range = |a: &str, lo: f64, hi: f64| attr(planned, a).as_f64().is_none_or(|n| (lo..=hi).contains(&n));
    if !in_range("deletion_window_in_days", 7.0, 30.0) {
        d.push(Diagnostic::error("Invalid value", "expected deletion_window_in_days to be in the range (7 - 30)").for_attribute("deletion_window_in_days"));
    }
    if !in_range("rotation_period_in_days", 90.0, 2560.0) {
        d.push(Diagnostic::error("Invalid value", "expected rotation_period_in_days to be in the range (90 - 2560)").for_attribute("rotation_period_in_days"));
    }
    let usages = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"];
    if let Some(u) = attr(planned, "key_usage").as_str().filter(|u| !usages.contains(u)) {
        d.push(Diagnostic::error("Invalid value", format!("expected key_usage to be one of {usages:?}, got {u}")).for_attribute("key_usage"));
    }
    if attr(planned, "description").as_str().is_some_and(|s| s.chars().count() > 8192) {
        d.push(Diagnostic::error("Invalid value", "expected length of description to be in the range (0 - 8192)").for_attribute("description"));
    }
    d
}

#[async_trait]
impl ResourceType<AwsProvider> for KmsKey {
    fn name(&self) -> &'static str {
        "aws_kms_key"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config) = (req.prior_state.clone(), req.config.clone());
        let mut resp = plan_common(p, req, &["description", "policy", "multi_region", "rotation_period_in_days"]);
        let planned = &mut resp.planned_state;
        provider_defaults(
            planned,
            &config,
            &[
                ("key_usage", Value::string("ENCRYPT_DECRYPT")),
                ("customer_master_key_spec", Value::string("SYMMETRIC_DEFAULT")),
                ("is_enabled", Value::Bool(true)),
                ("enable_key_rotation", Value::Bool(false)),
                ("bypass_policy_lockout_safety_check", Value::Bool(false)),
            ],
        );
        resp.diagnostics.extend(plan_policy(planned, prior.as_ref(), "policy", true));
        resp.diagnostics.extend(check(planned));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        let what = |x: &str| format!("reading the {x} of KMS key {id}");
        let meta = match p.json.call(&KMS, "DescribeKey", json!({ "KeyId": id })).await {
            Ok(o) => o.get("KeyMetadata").cloned().unwrap_or_default(),
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading KMS key {id}"))),
        };
        if jtext(&meta, "KeyState") == "PendingDeletion" || jtext(&meta, "KeyState") == "PendingReplicaDeletion" {
            return ReadResponse::gone();
        }
        let key_id = jtext(&meta, "KeyId");
        let calls = async {
            let policy =
                p.json.call(&KMS, "GetKeyPolicy", json!({ "KeyId": key_id, "PolicyName": "default" })).await.map_err(|e| e.diagnostics(&what("policy")))?;
            let rotation = p.json.call(&KMS, "GetKeyRotationStatus", json!({ "KeyId": key_id })).await.map_err(|e| e.diagnostics(&what("rotation")))?;
            let tags = p.json.call(&KMS, "ListResourceTags", json!({ "KeyId": key_id })).await.map_err(|e| e.diagnostics(&what("tags")))?;
            Ok::<_, Diagnostics>((policy, rotation, tags))
        };
        let (policy, rotation, tags) = match calls.await {
            Ok(x) => x,
            Err(d) => return ReadResponse::failed(prior, d),
        };
        let mut s = prior;
        set(&mut s, "id", Value::string(&key_id));
        set(&mut s, "key_id", Value::string(&key_id));
        set(&mut s, "arn", Value::string(jtext(&meta, "Arn")));
        set(&mut s, "description", Value::string(jtext(&meta, "Description")));
        set(&mut s, "key_usage", Value::string(jtext(&meta, "KeyUsage")));
        let spec = meta.get("KeySpec").or_else(|| meta.get("CustomerMasterKeySpec")).and_then(|v| v.as_str()).unwrap_or("SYMMETRIC_DEFAULT");
        set(&mut s, "customer_master_key_spec", Value::string(spec));
        set(&mut s, "is_enabled", Value::Bool(meta.get("Enabled").and_then(|v| v.as_bool()).unwrap_or(false)));
        set(&mut s, "multi_region", Value::Bool(meta.get("MultiRegion").and_then(|v| v.as_bool()).unwrap_or(false)));
        let doc = policy_to_set(attr(&s, "policy").as_str().unwrap_or_default(), &jtext(&policy, "Policy"));
        set(&mut s, "policy", Value::String(doc));
        set(&mut s, "enable_key_rotation", Value::Bool(rotation.get("KeyRotationEnabled").and_then(|v| v.as_bool()).unwrap_or(false)));
        if let Some(n) = rotation.get("RotationPeriodInDays").and_then(|v| v.as_f64()) {
            set(&mut s, "rotation_period_in_days", Value::Number(n));
        } else if !attr(&s, "rotation_period_in_days").is_known() {
            set(&mut s, "rotation_period_in_days", Value::Null);
        }
        defaults(&mut s, &[("bypass_policy_lockout_safety_check", Value::Bool(false))]);
        set_tags(p, &mut s, &tag_map(tags.get("Tags"), "TagKey", "TagValue"));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let mut body = json!({
            "KeyUsage": text(&planned, "key_usage"),
            "KeySpec": text(&planned, "customer_master_key_spec"),
            "BypassPolicyLockoutSafetyCheck": attr(&planned, "bypass_policy_lockout_safety_check").as_bool().unwrap_or(false),
            "MultiRegion": attr(&planned, "multi_region").as_bool().unwrap_or(false),
            "Description": text(&planned, "description"),
            "Tags": tag_list(attr(&planned, "tags_all"), "TagKey", "TagValue"),
        });
        if let Some(policy) = attr(&planned, "policy").as_str() {
            body["Policy"] = json!(normalize(policy).unwrap_or_else(|_| policy.to_string()));
        }
        let key_id = match p.json.write(&KMS, "CreateKey", body).await {
            Ok(o) => o.get("KeyMetadata").map(|m| jtext(m, "KeyId")).unwrap_or_default(),
            Err(e) => return ApplyResponse::failed(None, e.diagnostics("creating KMS key")),
        };
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&key_id));
        set(&mut state, "key_id", Value::string(&key_id));
        let none = Value::object([("enable_key_rotation", Value::Bool(false)), ("is_enabled", Value::Bool(true))]);
        if let Err(d) = settle(p, &key_id, &none, &planned).await {
            return ApplyResponse::failed(Some(state), d);
        }
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let what = |x: &str| format!("updating the {x} of KMS key {id}");
        let result: Result<(), Diagnostics> = async {
            if changed("description") {
                let body = json!({ "KeyId": id, "Description": text(&planned, "description") });
                p.json.call(&KMS, "UpdateKeyDescription", body).await.map_err(|e| e.diagnostics(&what("description")))?;
            }
            if changed("policy") {
                if let Some(policy) = attr(&planned, "policy").as_str() {
                    let bypass = attr(&planned, "bypass_policy_lockout_safety_check").as_bool().unwrap_or(false);
                    let doc = normalize(policy).unwrap_or_else(|_| policy.to_string());
                    let body = json!({ "KeyId": id, "PolicyName": "default", "Policy": doc, "BypassPolicyLockoutSafetyCheck": bypass });
                    p.json.call(&KMS, "PutKeyPolicy", body).await.map_err(|e| e.diagnostics(&what("policy")))?;
                }
            }
            settle(p, &id, &prior, &planned).await?;
            p.json.sync_tags(&KMS_TAGS, json!({ "KeyId": id }), &prior, &planned).await.map_err(|e| e.diagnostics(&what("tags")))?;
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let mut body = json!({ "KeyId": id });
        if let Some(days) = attr(&prior, "deletion_window_in_days").as_f64() {
            body["PendingWindowInDays"] = json!(days as i64);
        }
        match p.json.write(&KMS, "ScheduleKeyDeletion", body).await {
            Ok(_) => ApplyResponse::ok(None),
            Err(e) if e.not_found() => ApplyResponse::ok(None),
            // Already scheduled for deletion (KMSInvalidStateException): as good as deleted.
            Err(e) if e.is("KMSInvalidStateException") && e.message.contains("pending deletion") => ApplyResponse::ok(None),
            Err(e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting KMS key {id}"))),
        }
    }
}

/// Key rotation and the enabled state, from `had` to `want`: disabling comes last and
/// enabling first, since rotation cannot change on a disabled key.
async fn settle(p: &AwsProvider, id: &str, had: &Value, want: &Value) -> Result<(), Diagnostics> {
    let flag = |v: &Value, a: &str| attr(v, a).as_bool();
    let what = |x: &str| format!("updating the {x} of KMS key {id}");
    let enabled = flag(want, "is_enabled").unwrap_or(true);
    if enabled && flag(had, "is_enabled") == Some(false) {
        p.json.call(&KMS, "EnableKey", json!({ "KeyId": id })).await.map_err(|e| e.diagnostics(&what("enabled state")))?;
    }
    let rotate = flag(want, "enable_key_rotation").unwrap_or(false);
    let period = attr(want, "rotation_period_in_days").as_f64();
    let period_changed = period.is_some() && attr(had, "rotation_period_in_days").as_f64() != period;
    if rotate && (flag(had, "enable_key_rotation") != Some(true) || period_changed) {
        let mut body = json!({ "KeyId": id });
        if let Some(n) = period {
            body["RotationPeriodInDays"] = json!(n as i64);
        }
        p.json.call(&KMS, "EnableKeyRotation", body).await.map_err(|e| e.diagnostics(&what("key rotation")))?;
    } else if !rotate && flag(had, "enable_key_rotation") == Some(true) {
        p.json.call(&KMS, "DisableKeyRotation", json!({ "KeyId": id })).await.map_err(|e| e.diagnostics(&what("key rotation")))?;
    }
    if !enabled && flag(had, "is_enabled") != Some(false) {
        p.json.call(&KMS, "DisableKey", json!({ "KeyId": id })).await.map_err(|e| e.diagnostics(&what("enabled state")))?;
    }
    Ok(())
}
