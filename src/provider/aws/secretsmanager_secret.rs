//! `aws_secretsmanager_secret`: `name` (or a name generated from `name_prefix`, else from
//! `terraform-`), both replacing; `description`, `kms_key_id`, `policy` (an equivalent policy
//! is no change), `recovery_window_in_days` (30; 0 deletes at once, else 7 to 30 days),
//! `force_overwrite_replica_secret` (false), `tags`, in place; computed `arn`, `id` (the ARN),
//! `tags_all`. A secret scheduled for deletion is gone. Import by ARN. Replicas (`replica`)
//! are not implemented.

use async_trait::async_trait;
use serde_json::json;

use super::ec2::{plan_common, set_tags};
use super::iam_common::{name_prefix_of, plan_policy, resource_name};
use super::iam_policy_json::{normalize, policy_to_set};
use super::json_api::{provider_defaults, read_back, tag_list, tag_map, text as jtext, updated, SECRETS_MANAGER as SM, SECRETS_MANAGER_TAGS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_secretsmanager_secret")
        .implement(&["arn", "description", "force_overwrite_replica_secret", "id", "kms_key_id", "name", "name_prefix", "policy", "recovery_window_in_days"])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["force_overwrite_replica_secret", "recovery_window_in_days"])
        .force_new(&["name", "name_prefix"])
        .build()
}

/// `aws_secretsmanager_secret`.
pub struct SecretsManagerSecret;

fn check(config: &Value, planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(n) = attr(planned, "recovery_window_in_days").as_f64() {
        if n != 0.0 && !(7.0..=30.0).contains(&n) {
            d.push(
                Diagnostic::error("Invalid value", format!("expected recovery_window_in_days to be 0 or in the range (7 - 30), got {n}"))
                    .for_attribute("recovery_window_in_days"),
            );
        }
    }
    for (arg, max) in [("name", 512), ("name_prefix", 512 - 26)] {
        if let Some(v) = attr(config, arg).as_str() {
            if v.is_empty() || v.len() > max || !v.chars().all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c)) {
                let why = format!("\"{arg}\" must be 1 to {max} characters from letters, digits and /_+=.@- (got {v:?}).");
                d.push(Diagnostic::error("Invalid value", why).for_attribute(arg));
            }
        }
    }
    d
}

#[async_trait]
impl ResourceType<AwsProvider> for SecretsManagerSecret {
    fn name(&self) -> &'static str {
        "aws_secretsmanager_secret"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config, creating) = (req.prior_state.clone(), req.config.clone(), req.prior_state.is_none());
        let mut resp = plan_common(p, req, &["policy"]);
        let planned = &mut resp.planned_state;
        let pairs = [("recovery_window_in_days", Value::Number(30.0)), ("force_overwrite_replica_secret", Value::Bool(false))];
        provider_defaults(planned, &config, &pairs);
        if creating {
            if attr(&config, "name").is_null() {
                set(planned, "name", Value::Unknown);
            }
            if attr(&config, "name_prefix").is_null() {
                set(planned, "name_prefix", if attr(&config, "name").is_null() { Value::Unknown } else { Value::Null });
            }
        }
        resp.diagnostics.extend(check(&config, planned));
        resp.diagnostics.extend(plan_policy(planned, prior.as_ref(), "policy", true));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        let secret = match p.json.call(&SM, "DescribeSecret", json!({ "SecretId": id })).await {
            Ok(o) => o,
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading Secrets Manager secret {id}"))),
        };
        if secret.get("DeletedDate").is_some_and(|d| !d.is_null()) {
            return ReadResponse::gone();
        }
        let policy = match p.json.call(&SM, "GetResourcePolicy", json!({ "SecretId": id })).await {
            Ok(o) => jtext(&o, "ResourcePolicy"),
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading the policy of Secrets Manager secret {id}"))),
        };
        let mut s = prior;
        let name = jtext(&secret, "Name");
        set(&mut s, "id", Value::string(jtext(&secret, "ARN")));
        set(&mut s, "arn", Value::string(jtext(&secret, "ARN")));
        set(&mut s, "name", Value::string(&name));
        set(&mut s, "name_prefix", name_prefix_of(&name));
        let opt = |k: &str| secret.get(k).and_then(|v| v.as_str()).filter(|v| !v.is_empty()).map(Value::string).unwrap_or(Value::Null);
        set(&mut s, "description", opt("Description"));
        set(&mut s, "kms_key_id", opt("KmsKeyId"));
        let policy = if policy.is_empty() { Value::Null } else { Value::String(policy_to_set(attr(&s, "policy").as_str().unwrap_or_default(), &policy)) };
        set(&mut s, "policy", policy);
        for (k, v) in [("recovery_window_in_days", Value::Number(30.0)), ("force_overwrite_replica_secret", Value::Bool(false))] {
            if attr(&s, k).is_null() {
                set(&mut s, k, v);
            }
        }
        set_tags(p, &mut s, &tag_map(secret.get("Tags"), "Key", "Value"));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = resource_name(&planned);
        // The SDKs fill the idempotency token in; moto needs it to tell versions apart.
        let token = uuid::Uuid::new_v4().to_string();
        let mut body = json!({ "Name": name, "ClientRequestToken": token, "Tags": tag_list(attr(&planned, "tags_all"), "Key", "Value") });
        for (arg, field) in [("description", "Description"), ("kms_key_id", "KmsKeyId")] {
            if let Some(v) = attr(&planned, arg).as_str() {
                body[field] = json!(v);
            }
        }
        let arn = match p.json.write(&SM, "CreateSecret", body).await {
            Ok(o) => jtext(&o, "ARN"),
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating Secrets Manager secret {name}"))),
        };
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&arn));
        set(&mut state, "name", Value::string(&name));
        if let Some(policy) = attr(&planned, "policy").as_str() {
            if let Err(d) = put_policy(p, &arn, policy).await {
                return ApplyResponse::failed(Some(state), d);
            }
        }
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let what = |x: &str| format!("updating the {x} of Secrets Manager secret {id}");
        let result: Result<(), Diagnostics> = async {
            if changed("description") || changed("kms_key_id") {
                let token = uuid::Uuid::new_v4().to_string();
                let mut body = json!({ "SecretId": id, "ClientRequestToken": token, "Description": text(&planned, "description") });
                if let Some(k) = attr(&planned, "kms_key_id").as_str() {
                    body["KmsKeyId"] = json!(k);
                }
                p.json.call(&SM, "UpdateSecret", body).await.map_err(|e| e.diagnostics(&what("description")))?;
            }
            if changed("policy") {
                match attr(&planned, "policy").as_str() {
                    Some(policy) => put_policy(p, &id, policy).await?,
                    None => {
                        p.json.call(&SM, "DeleteResourcePolicy", json!({ "SecretId": id })).await.map_err(|e| e.diagnostics(&what("policy")))?;
                    }
                }
            }
            let target = json!({ "SecretId": id });
            p.json.sync_tags(&SECRETS_MANAGER_TAGS, target, &prior, &planned).await.map_err(|e| e.diagnostics(&what("tags")))?;
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let days = attr(&prior, "recovery_window_in_days").as_f64().unwrap_or(30.0);
        let body = if days == 0.0 {
            json!({ "SecretId": id, "ForceDeleteWithoutRecovery": true })
        } else {
            json!({ "SecretId": id, "RecoveryWindowInDays": days as i64 })
        };
        match p.json.write(&SM, "DeleteSecret", body).await {
            Err(e) if !e.not_found() => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting Secrets Manager secret {id}"))),
            _ => ApplyResponse::ok(None),
        }
    }
}

async fn put_policy(p: &AwsProvider, id: &str, policy: &str) -> Result<(), Diagnostics> {
    let doc = normalize(policy).unwrap_or_else(|_| policy.to_string());
    let body = json!({ "SecretId": id, "ResourcePolicy": doc });
    p.json.call(&SM, "PutResourcePolicy", body).await.map(|_| ()).map_err(|e| e.diagnostics(&format!("setting the policy of Secrets Manager secret {id}")))
}
