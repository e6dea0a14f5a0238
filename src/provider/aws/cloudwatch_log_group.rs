//! `aws_cloudwatch_log_group`: `name` (or a name generated from `name_prefix`, else from
//! `terraform-`), `log_group_class` (`STANDARD`), all replacing; `retention_in_days` (0:
//! never expire; one of CloudWatch's periods), `kms_key_id`, `skip_destroy` (false: with true,
//! destroy only forgets the group), `tags` in place; computed `arn` (without the `:*`), `id`
//! (the name), `tags_all`. Import by name. `deletion_protection_enabled` is not implemented.

use async_trait::async_trait;
use serde_json::json;

use super::ec2::{plan_common, set_tags};
use super::iam_common::{name_prefix_of, resource_name};
use super::json_api::{provider_defaults, read_back, tag_object, text as jtext, updated, LOGS, LOGS_TAGS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_cloudwatch_log_group")
        .implement(&["arn", "id", "kms_key_id", "log_group_class", "name", "name_prefix", "retention_in_days", "skip_destroy"])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["retention_in_days", "skip_destroy"])
        .force_new(&["log_group_class", "name", "name_prefix"])
        .build()
}

/// The periods CloudWatch Logs accepts.
const RETENTION: [u32; 23] = [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// `aws_cloudwatch_log_group`.
pub struct CloudwatchLogGroup;

fn check(config: &Value, planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(n) = attr(planned, "retention_in_days").as_f64() {
        if !RETENTION.iter().any(|r| *r as f64 == n) {
            let why = format!("expected retention_in_days to be one of {RETENTION:?}, got {n}");
            d.push(Diagnostic::error("Invalid value", why).for_attribute("retention_in_days"));
        }
    }
    if let Some(c) = attr(planned, "log_group_class").as_str().filter(|c| !["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"].contains(c)) {
        d.push(
            Diagnostic::error("Invalid value", format!("expected log_group_class to be one of STANDARD, INFREQUENT_ACCESS, DELIVERY, got {c}"))
                .for_attribute("log_group_class"),
        );
    }
    for (arg, max) in [("name", 512), ("name_prefix", 483)] {
        if let Some(v) = attr(config, arg).as_str() {
            if v.is_empty() || v.len() > max || !v.chars().all(|c| c.is_ascii_alphanumeric() || "_-/.#".contains(c)) {
                let why = format!("\"{arg}\" must be 1 to {max} characters from letters, digits and _-/.# (got {v:?}).");
                d.push(Diagnostic::error("Invalid value", why).for_attribute(arg));
            }
        }
    }
    d
}

/// The group's entry in `DescribeLogGroups` (listed by prefix: there is no call for one group).
async fn find(p: &AwsProvider, name: &str) -> Result<Option<serde_json::Value>, super::json_api::ApiError> {
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({ "logGroupNamePrefix": name });
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let page = p.json.call(&LOGS, "DescribeLogGroups", body).await?;
        let groups = page.get("logGroups").and_then(|g| g.as_array()).cloned().unwrap_or_default();
        if let Some(g) = groups.into_iter().find(|g| jtext(g, "logGroupName") == name) {
            return Ok(Some(g));
        }
        match page.get("nextToken").and_then(|t| t.as_str()) {
            Some(t) => token = Some(t.to_string()),
            None => return Ok(None),
        }
    }
}

/// The group's ARN without the `:*` DescribeLogGroups appends.
fn arn_of(group: &serde_json::Value) -> String {
    let arn = group.get("logGroupArn").and_then(|a| a.as_str()).map(str::to_string).unwrap_or_else(|| jtext(group, "arn"));
    arn.strip_suffix(":*").map(str::to_string).unwrap_or(arn)
}

#[async_trait]
impl ResourceType<AwsProvider> for CloudwatchLogGroup {
    fn name(&self) -> &'static str {
        "aws_cloudwatch_log_group"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, creating) = (req.config.clone(), req.prior_state.is_none());
        let mut resp = plan_common(p, req, &["log_group_class"]);
        let planned = &mut resp.planned_state;
        provider_defaults(planned, &config, &[("retention_in_days", Value::Number(0.0)), ("skip_destroy", Value::Bool(false))]);
        if creating {
            match attr(&config, "name").as_str() {
                Some(n) => set(planned, "id", Value::string(n)),
                None => set(planned, "name", Value::Unknown),
            }
            if attr(&config, "name_prefix").is_null() {
                set(planned, "name_prefix", if attr(&config, "name").is_null() { Value::Unknown } else { Value::Null });
            }
        }
        resp.diagnostics.extend(check(&config, planned));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let group = match find(p, &name).await {
            Ok(Some(g)) => g,
            Ok(None) => return ReadResponse::gone(),
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading CloudWatch log group {name}"))),
        };
        let arn = arn_of(&group);
        let tags = match p.json.call(&LOGS, "ListTagsForResource", json!({ "resourceArn": arn })).await {
            Ok(o) => tag_object(o.get("tags")),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("listing the tags of CloudWatch log group {name}"))),
        };
        let mut s = prior;
        set(&mut s, "id", Value::string(&name));
        set(&mut s, "name", Value::string(&name));
        set(&mut s, "name_prefix", name_prefix_of(&name));
        set(&mut s, "arn", Value::string(&arn));
        set(&mut s, "retention_in_days", Value::Number(group.get("retentionInDays").and_then(|r| r.as_f64()).unwrap_or(0.0)));
        set(&mut s, "kms_key_id", group.get("kmsKeyId").and_then(|k| k.as_str()).map(Value::string).unwrap_or(Value::Null));
        set(&mut s, "log_group_class", Value::string(group.get("logGroupClass").and_then(|c| c.as_str()).unwrap_or("STANDARD")));
        if attr(&s, "skip_destroy").is_null() {
            set(&mut s, "skip_destroy", Value::Bool(false));
        }
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = resource_name(&planned);
        let tags: serde_json::Map<String, serde_json::Value> = attr(&planned, "tags_all")
            .as_map()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), json!(v.as_str().unwrap_or_default()))).collect())
            .unwrap_or_default();
        let mut body = json!({ "logGroupName": name });
        if !tags.is_empty() {
            body["tags"] = serde_json::Value::Object(tags);
        }
        for (arg, field) in [("kms_key_id", "kmsKeyId"), ("log_group_class", "logGroupClass")] {
            if let Some(v) = attr(&planned, arg).as_str() {
                body[field] = json!(v);
            }
        }
        if let Err(e) = p.json.write(&LOGS, "CreateLogGroup", body).await {
            return ApplyResponse::failed(None, e.diagnostics(&format!("creating CloudWatch log group {name}")));
        }
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&name));
        set(&mut state, "name", Value::string(&name));
        let days = attr(&planned, "retention_in_days").as_f64().unwrap_or(0.0);
        if days != 0.0 {
            let body = json!({ "logGroupName": name, "retentionInDays": days as i64 });
            if let Err(e) = p.json.call(&LOGS, "PutRetentionPolicy", body).await {
                return ApplyResponse::failed(Some(state), e.diagnostics(&format!("setting the retention of CloudWatch log group {name}")));
            }
        }
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let what = |x: &str| format!("updating the {x} of CloudWatch log group {name}");
        let result: Result<(), Diagnostics> = async {
            if changed("retention_in_days") {
                let days = attr(&planned, "retention_in_days").as_f64().unwrap_or(0.0);
                let r = if days == 0.0 {
                    p.json.call(&LOGS, "DeleteRetentionPolicy", json!({ "logGroupName": name })).await
                } else {
                    p.json.call(&LOGS, "PutRetentionPolicy", json!({ "logGroupName": name, "retentionInDays": days as i64 })).await
                };
                r.map_err(|e| e.diagnostics(&what("retention")))?;
            }
            if changed("kms_key_id") {
                let r = match attr(&planned, "kms_key_id").as_str() {
                    Some(k) => p.json.call(&LOGS, "AssociateKmsKey", json!({ "logGroupName": name, "kmsKeyId": k })).await,
                    None => p.json.call(&LOGS, "DisassociateKmsKey", json!({ "logGroupName": name })).await,
                };
                r.map_err(|e| e.diagnostics(&what("KMS key")))?;
            }
            let target = json!({ "resourceArn": text(&prior, "arn") });
            p.json.sync_tags(&LOGS_TAGS, target, &prior, &planned).await.map_err(|e| e.diagnostics(&what("tags")))?;
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        if attr(&prior, "skip_destroy").as_bool() == Some(true) {
            return ApplyResponse::ok(None);
        }
        let name = text(&prior, "id");
        match p.json.write(&LOGS, "DeleteLogGroup", json!({ "logGroupName": name })).await {
            Err(e) if !e.not_found() => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting CloudWatch log group {name}"))),
            _ => ApplyResponse::ok(None),
        }
    }
}
