//! `aws_ssm_parameter`: `name` (replacing), `type` (`String`, `StringList`, `SecureString`),
//! exactly one of `value` (sensitive) and `insecure_value` (shown in plans; not with
//! `SecureString`), `description`, `tier` (`Standard`, `Advanced`, `Intelligent-Tiering`; from
//! Advanced down to Standard replaces), `key_id` (SecureString only), `allowed_pattern`,
//! `data_type` (`text`; replacing), `overwrite` (deprecated: lets a create take over an
//! existing parameter), `tags`; computed `arn`, `version`, `id` (the name), `tags_all`.
//! Everything but the name changes in place (a new version). Import by name. The write-only
//! `value_wo` is not implemented.

use async_trait::async_trait;
use serde_json::json;

use super::ec2::{plan_common, set_tags};
use super::json_api::{read_back, tag_list, tag_map, text as jtext, updated, SSM, SSM_TAGS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::{PathStep, Value};

pub fn schema() -> ResourceSchema {
    resource("aws_ssm_parameter")
        .implement(&[
            "allowed_pattern",
            "arn",
            "data_type",
            "description",
            "id",
            "insecure_value",
            "key_id",
            "name",
            "overwrite",
            "tier",
            "type",
            "value",
            "version",
        ])
        .tags()
        .computed_only(&["id"])
        .sensitive(&["value"])
        .force_new(&["name", "data_type"])
        .build()
}

/// `aws_ssm_parameter`.
pub struct SsmParameter;

fn check(config: &Value, planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let set_in = |a: &str| !attr(config, a).is_null();
    if set_in("value") == set_in("insecure_value") {
        d.push(Diagnostic::error("Invalid combination of arguments", "\"value\": one of `insecure_value,value` must be specified").for_attribute("value"));
    }
    let one_of = |a: &str, allowed: &[&str]| {
        attr(planned, a)
            .as_str()
            .filter(|v| !allowed.contains(v))
            .map(|v| Diagnostic::error("Invalid value", format!("expected {a} to be one of {allowed:?}, got {v}")).for_attribute(a))
    };
    if let Some(e) = one_of("type", &["String", "StringList", "SecureString"]) {
        d.push(e);
    }
    if let Some(e) = one_of("tier", &["Standard", "Advanced", "Intelligent-Tiering"]) {
        d.push(e);
    }
    if let Some(e) = one_of("data_type", &["aws:ec2:image", "aws:ssm:integration", "text"]) {
        d.push(e);
    }
    if attr(planned, "type").as_str() == Some("SecureString") && set_in("insecure_value") {
        d.push(Diagnostic::error("Invalid configuration", "cannot set type = SecureString and insecure_value: use value.").for_attribute("insecure_value"));
    }
    let name = attr(config, "name").as_str().unwrap_or("x");
    if name.is_empty() || name.len() > 2048 {
        d.push(Diagnostic::error("Invalid value", "expected length of name to be in the range (1 - 2048)").for_attribute("name"));
    }
    d
}

#[async_trait]
impl ResourceType<AwsProvider> for SsmParameter {
    fn name(&self) -> &'static str {
        "aws_ssm_parameter"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config) = (req.prior_state.clone(), req.config.clone());
        let mut resp = plan_common(p, req, &["tier", "data_type", "arn", "key_id"]);
        let planned = &mut resp.planned_state;
        resp.diagnostics.extend(check(&config, planned));
        if let Some(n) = attr(&config, "name").as_str() {
            if prior.is_none() {
                set(planned, "id", Value::string(n));
            }
        }
        // The value not configured is not kept: state holds the value in the argument the
        // configuration uses (switching between them is a change of both).
        let value_arg = if attr(&config, "value").is_null() { "insecure_value" } else { "value" };
        let other = if value_arg == "value" { "insecure_value" } else { "value" };
        let changed = prior.as_ref().is_none_or(|pr| attr(pr, value_arg) != attr(planned, value_arg));
        if changed {
            set(planned, other, Value::Null);
            set(planned, "version", Value::Unknown);
        }
        if let Some(pr) = &prior {
            let other_changed = ["type", "description", "tier", "key_id", "allowed_pattern", "data_type"].iter().any(|a| attr(pr, a) != attr(planned, a));
            if other_changed {
                set(planned, "version", Value::Unknown);
            }
            if attr(pr, "tier").as_str() == Some("Advanced") && attr(planned, "tier").as_str() == Some("Standard") {
                resp.requires_replace.push(vec![PathStep::Key("tier".into())]);
            }
        }
        // Intelligent-Tiering picks Standard or Advanced: once created, it is no change.
        if let (Some(pr), Some("Intelligent-Tiering")) = (&prior, attr(&config, "tier").as_str()) {
            let had = attr(pr, "tier").clone();
            if !had.is_null() {
                set(planned, "tier", had);
            }
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let param = match p.json.call(&SSM, "GetParameter", json!({ "Name": name, "WithDecryption": true })).await {
            Ok(o) => o.get("Parameter").cloned().unwrap_or_default(),
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading SSM parameter {name}"))),
        };
        let filter = json!({ "ParameterFilters": [{ "Key": "Name", "Option": "Equals", "Values": [name] }] });
        let detail = match p.json.call(&SSM, "DescribeParameters", filter).await {
            Ok(o) => match o.get("Parameters").and_then(|a| a.as_array()).and_then(|a| a.first()).cloned() {
                Some(d) => d,
                None => return ReadResponse::gone(),
            },
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("describing SSM parameter {name}"))),
        };
        let tags = match p.json.call(&SSM, "ListTagsForResource", json!({ "ResourceType": "Parameter", "ResourceId": name })).await {
            Ok(o) => tag_map(o.get("TagList"), "Key", "Value"),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("listing the tags of SSM parameter {name}"))),
        };
        let mut s = prior;
        let typ = jtext(&param, "Type");
        let value = Value::string(jtext(&param, "Value"));
        set(&mut s, "id", Value::string(jtext(&param, "Name")));
        set(&mut s, "name", Value::string(jtext(&param, "Name")));
        set(&mut s, "arn", Value::string(jtext(&param, "ARN")));
        set(&mut s, "type", Value::string(&typ));
        set(&mut s, "version", param.get("Version").and_then(|v| v.as_f64()).map(Value::Number).unwrap_or(Value::Null));
        if attr(&s, "insecure_value").as_str().is_some_and(|v| !v.is_empty()) && typ != "SecureString" {
            set(&mut s, "insecure_value", value);
            set(&mut s, "value", Value::Null);
        } else {
            set(&mut s, "value", value);
        }
        let opt = |k: &str| detail.get(k).and_then(|v| v.as_str()).filter(|v| !v.is_empty()).map(Value::string).unwrap_or(Value::Null);
        set(&mut s, "allowed_pattern", opt("AllowedPattern"));
        set(&mut s, "description", opt("Description"));
        set(&mut s, "data_type", opt("DataType"));
        set(&mut s, "key_id", opt("KeyId"));
        set(&mut s, "tier", opt("Tier"));
        if attr(&s, "data_type").is_null() {
            set(&mut s, "data_type", Value::string("text"));
        }
        if attr(&s, "tier").is_null() {
            set(&mut s, "tier", Value::string("Standard"));
        }
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, config: &Value) -> ApplyResponse {
        let name = text(&planned, "name");
        let overwrite = attr(config, "overwrite").as_bool().unwrap_or(false);
        let mut body = put_body(&planned, None, overwrite);
        let tags = tag_list(attr(&planned, "tags_all"), "Key", "Value");
        let tagged = tags.as_array().is_some_and(|t| !t.is_empty());
        // PutParameter takes tags only without Overwrite.
        if tagged && !overwrite {
            body["Tags"] = tags.clone();
        }
        if let Err(e) = put(p, body, true).await {
            return ApplyResponse::failed(None, e.diagnostics(&format!("creating SSM parameter {name}")));
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        if tagged && overwrite {
            let body = json!({ "ResourceType": "Parameter", "ResourceId": name, "Tags": tags });
            if let Err(e) = p.json.call(&SSM, "AddTagsToResource", body).await {
                return ApplyResponse::failed(Some(state), e.diagnostics(&format!("tagging SSM parameter {name}")));
            }
        }
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let unchanged = ["tags", "tags_all", "overwrite"];
        let keys: Vec<&String> = planned.as_map().map(|m| m.keys().collect()).unwrap_or_default();
        let changed = keys.iter().any(|k| !unchanged.contains(&k.as_str()) && attr(&prior, k) != attr(&planned, k) && attr(&planned, k).is_known());
        let result: Result<(), Diagnostics> = async {
            if changed {
                // An unset `overwrite` means true after creation (`shouldUpdateParameter`).
                let overwrite = attr(config, "overwrite").as_bool().unwrap_or(true);
                let mut body = put_body(&planned, Some(&prior), overwrite);
                if let Some(t) = attr(config, "tier").as_str() {
                    body["Tier"] = json!(t);
                }
                put(p, body, false).await.map_err(|e| e.diagnostics(&format!("updating SSM parameter {name}")))?;
            }
            let target = json!({ "ResourceType": "Parameter", "ResourceId": name });
            let what = format!("updating the tags of SSM parameter {name}");
            p.json.sync_tags(&SSM_TAGS, target, &prior, &planned).await.map_err(|e| e.diagnostics(&what))?;
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "id");
        match p.json.write(&SSM, "DeleteParameter", json!({ "Name": name })).await {
            Err(e) if !e.not_found() => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting SSM parameter {name}"))),
            _ => ApplyResponse::ok(None),
        }
    }
}

/// The `PutParameter` body for the planned state (`prior` on update: only changed optional
/// fields are sent, as the provider does).
fn put_body(planned: &Value, prior: Option<&Value>, overwrite: bool) -> serde_json::Value {
    let value = match attr(planned, "insecure_value").as_str() {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => text(planned, "value"),
    };
    let typ = text(planned, "type");
    let mut body = json!({
        "Name": text(planned, "name"),
        "Type": typ,
        "Value": value,
        "Overwrite": overwrite,
        "AllowedPattern": text(planned, "allowed_pattern"),
    });
    let changed = |a: &str| prior.is_none_or(|pr| attr(pr, a) != attr(planned, a));
    for (arg, field) in [("data_type", "DataType"), ("description", "Description"), ("tier", "Tier")] {
        if let Some(v) = attr(planned, arg).as_str().filter(|v| !v.is_empty() || prior.is_some()) {
            if changed(arg) || arg == "tier" {
                body[field] = json!(v);
            }
        } else if arg == "description" && prior.is_some() && changed(arg) {
            body[field] = json!("");
        }
    }
    if typ == "SecureString" && changed("key_id") {
        if let Some(k) = attr(planned, "key_id").as_str() {
            body["KeyId"] = json!(k);
        }
    }
    body
}

/// PutParameter, again without the tier when the region does not offer it (as the provider).
async fn put(p: &AwsProvider, body: serde_json::Value, create: bool) -> Result<(), super::json_api::ApiError> {
    let call = |b: serde_json::Value| async move {
        if create {
            p.json.write(&SSM, "PutParameter", b).await
        } else {
            p.json.call(&SSM, "PutParameter", b).await
        }
    };
    match call(body.clone()).await {
        Err(e) if e.is("ValidationException") && e.message.contains("Tier is not supported") => {
            let mut b = body;
            if let Some(o) = b.as_object_mut() {
                o.remove("Tier");
            }
            call(b).await.map(|_| ())
        }
        r => r.map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_value_and_no_insecure_secure_string() {
        let both = Value::object([("value", Value::string("a")), ("insecure_value", Value::string("a")), ("type", Value::string("String"))]);
        assert!(check(&both, &both).has_errors());
        let neither = Value::object([("name", Value::string("/p")), ("type", Value::string("String"))]);
        assert!(check(&neither, &neither).has_errors());
        let secure = Value::object([("name", Value::string("/p")), ("insecure_value", Value::string("a")), ("type", Value::string("SecureString"))]);
        assert!(check(&secure, &secure).has_errors());
        let ok = Value::object([("name", Value::string("/p")), ("value", Value::string("a")), ("type", Value::string("SecureString"))]);
        assert!(!check(&ok, &ok).has_errors());
    }

    #[test]
    fn put_body_sends_the_insecure_value_and_only_changed_optionals() {
        let planned = Value::object([
            ("name", Value::string("/p")),
            ("type", Value::string("String")),
            ("insecure_value", Value::string("shown")),
            ("description", Value::Null),
            ("tier", Value::string("Standard")),
        ]);
        let prior = Value::object([("description", Value::string("old")), ("tier", Value::string("Standard"))]);
        let body = put_body(&planned, Some(&prior), true);
        assert_eq!((body["Value"].as_str(), body["Overwrite"].as_bool()), (Some("shown"), Some(true)));
        assert_eq!(body["Description"], json!(""), "a removed description is cleared");
        assert_eq!(body["Tier"], json!("Standard"));
        assert!(body.get("KeyId").is_none() && body.get("DataType").is_none(), "{body}");
    }
}
