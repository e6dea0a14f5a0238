//! `aws_lambda_function` through the Lambda REST API: `function_name` and `package_type`
//! ("Zip", the only one implemented) replace; in place, sent with UpdateFunctionConfiguration:
//! `role`, `handler`, `runtime`, `description`, `memory_size` (128), `timeout` (3),
//! `environment { variables }`, `layers`; with UpdateFunctionCode: the code from `filename` (a
//! local zip, uploaded inline) or `s3_bucket`/`s3_key`/`s3_object_version`, sent again when any
//! of them, `source_code_hash`, `code_sha256` or `architectures` (["x86_64"]) changes;
//! `reserved_concurrent_executions` (-1: none), `publish` (false; publishes a version after a
//! change), `skip_destroy`, `tags`. Computed: `arn`, `invoke_arn`, `qualified_arn`,
//! `qualified_invoke_arn`, `response_streaming_invoke_arn`, `version` (the latest published, or
//! `$LATEST`), `last_modified`, `code_sha256`, `source_code_size`, `tags_all`; `id` is the
//! function name, which is also the import id. As in the provider, `source_code_hash` and
//! `filename` are kept as configured (an unset `source_code_hash` is stored empty). Not
//! implemented: container images, VPC, dead-letter, file-system, logging, tracing, SnapStart,
//! ephemeral storage, KMS and code-signing arguments.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine;
use serde_json::{json, Value as Json};

use super::ec2::{plan_common, set_tags};
use super::json_api::{provider_defaults, read_back, tag_changes, updated, ApiError};
use super::rest_api::{segment, Request, LAMBDA};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_lambda_function")
        .implement(&[
            "architectures",
            "arn",
            "code_sha256",
            "description",
            "environment",
            "filename",
            "function_name",
            "handler",
            "id",
            "invoke_arn",
            "last_modified",
            "layers",
            "memory_size",
            "package_type",
            "publish",
            "qualified_arn",
            "qualified_invoke_arn",
            "reserved_concurrent_executions",
            "response_streaming_invoke_arn",
            "role",
            "runtime",
            "s3_bucket",
            "s3_key",
            "s3_object_version",
            "signing_job_arn",
            "signing_profile_version_arn",
            "skip_destroy",
            "source_code_hash",
            "source_code_size",
            "timeout",
            "timeouts",
            "version",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["memory_size", "package_type", "publish", "reserved_concurrent_executions", "skip_destroy", "timeout"])
        .force_new(&["function_name", "package_type"])
        .build()
}

/// `aws_lambda_function`.
pub struct LambdaFunction;

/// The arguments UpdateFunctionConfiguration sends.
const CONFIG_ARGS: [&str; 8] = ["description", "handler", "memory_size", "role", "timeout", "layers", "runtime", "environment"];

/// The arguments whose change sends the code again (UpdateFunctionCode).
const CODE_ARGS: [&str; 7] = ["filename", "code_sha256", "source_code_hash", "s3_bucket", "s3_key", "s3_object_version", "architectures"];

fn path(name: &str) -> String {
    format!("/2015-03-31/functions/{}", segment(name))
}

fn concurrency_path(name: &str) -> String {
    format!("/2017-10-31/functions/{}/concurrency", segment(name))
}

fn tags_path(arn: &str) -> String {
    format!("/2017-03-31/tags/{}", segment(arn))
}

/// The partition of a region (`aws`, `aws-cn`, `aws-us-gov`).
pub(super) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// API Gateway's ARN for invoking a function (or a version or alias of it).
fn invoke_arn(region: &str, function_arn: &str) -> String {
    format!("arn:{}:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations", partition(region))
}

fn streaming_invoke_arn(region: &str, function_arn: &str) -> String {
    format!("arn:{}:apigateway:{region}:lambda:path/2021-11-15/functions/{function_arn}/response-streaming-invocations", partition(region))
}

fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::List(items) | Value::Set(items) => items.iter().collect(),
        _ => vec![],
    }
}

fn strings(v: &Value) -> Vec<String> {
    items(v).into_iter().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

/// The `environment` block's variables (empty when there is no block or no variables).
fn variables(v: &Value) -> serde_json::Map<String, Json> {
    let block = items(attr(v, "environment")).first().map(|b| attr(b, "variables").clone()).unwrap_or(Value::Null);
    block.as_map().map(|m| m.iter().map(|(k, v)| (k.clone(), json!(v.as_str().unwrap_or_default()))).collect()).unwrap_or_default()
}

fn check(config: &Value, planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let err = |arg: &str, msg: String| Diagnostic::error("Invalid value", msg).for_attribute(arg);
    if text(planned, "package_type") == "Zip" && (attr(planned, "handler").is_null() || attr(planned, "runtime").is_null()) {
        d.push(Diagnostic::error("Invalid configuration", "handler and runtime must be set when PackageType is Zip"));
    }
    let (file, bucket) = (!attr(config, "filename").is_null(), !attr(config, "s3_bucket").is_null());
    if file == bucket {
        d.push(Diagnostic::error("Invalid combination of arguments", "exactly one of `filename` or `s3_bucket` must be specified"));
    }
    if bucket == attr(config, "s3_key").is_null() {
        d.push(Diagnostic::error("Missing required argument", "`s3_bucket` and `s3_key` must be set together"));
    }
    if file && !attr(config, "s3_object_version").is_null() {
        d.push(Diagnostic::error("Conflicting configuration arguments", "`s3_object_version` conflicts with `filename`").for_attribute("s3_object_version"));
    }
    for (arg, lo, hi) in [("memory_size", 128.0, 10240.0), ("timeout", 1.0, 900.0)] {
        if let Some(n) = attr(planned, arg).as_f64().filter(|n| !(lo..=hi).contains(n)) {
            d.push(err(arg, format!("expected {arg} to be in the range ({lo} - {hi}), got {n}")));
        }
    }
    if let Some(n) = attr(planned, "reserved_concurrent_executions").as_f64().filter(|n| *n < -1.0) {
        d.push(err("reserved_concurrent_executions", format!("expected reserved_concurrent_executions to be at least (-1), got {n}")));
    }
    if let Some(name) = attr(config, "function_name").as_str() {
        let base = name.rsplit(':').next().unwrap_or(name);
        if base.is_empty() || base.len() > 64 || !base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            d.push(err("function_name", format!("invalid function name: {name}")));
        }
    }
    for a in strings(attr(planned, "architectures")) {
        if a != "x86_64" && a != "arm64" {
            d.push(err("architectures", format!("expected architectures to be one of [\"x86_64\" \"arm64\"], got {a}")));
        }
    }
    d
}

/// Whether `arg` differs between the prior state and the planned one.
fn changed(prior: &Value, planned: &Value, arg: &str) -> bool {
    attr(prior, arg) != attr(planned, arg)
}

#[async_trait]
impl ResourceType<AwsProvider> for LambdaFunction {
    fn name(&self) -> &'static str {
        "aws_lambda_function"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config) = (req.prior_state.clone(), req.config.clone());
        let mut resp = plan_common(p, req, &["architectures", "code_sha256", "source_code_hash"]);
        let planned = &mut resp.planned_state;
        provider_defaults(
            planned,
            &config,
            &[
                ("memory_size", Value::Number(128.0)),
                ("timeout", Value::Number(3.0)),
                ("publish", Value::Bool(false)),
                ("package_type", Value::string("Zip")),
                ("reserved_concurrent_executions", Value::Number(-1.0)),
                ("skip_destroy", Value::Bool(false)),
            ],
        );
        // An environment block without variables is no environment (the provider's diff suppression).
        if variables(&config).is_empty() && prior.as_ref().is_none_or(|pr| items(attr(pr, "environment")).is_empty()) {
            set(planned, "environment", Value::List(vec![]));
        }
        resp.diagnostics.extend(check(&config, planned));
        if let Some(prior) = &prior {
            let code = CODE_ARGS.iter().any(|a| changed(prior, planned, a));
            let conf = CONFIG_ARGS.iter().any(|a| changed(prior, planned, a));
            if code {
                for a in ["code_sha256", "source_code_size"] {
                    if a == "source_code_size" || attr(&config, a).is_null() {
                        set(planned, a, Value::Unknown);
                    }
                }
            }
            if code || conf {
                set(planned, "last_modified", Value::Unknown);
            }
            let publish = attr(planned, "publish").as_bool() == Some(true);
            if publish && (code || conf || changed(prior, planned, "publish")) {
                for a in ["version", "qualified_arn", "qualified_invoke_arn"] {
                    set(planned, a, Value::Unknown);
                }
            }
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let out = match p.rest.call(&LAMBDA, Request::new("GET", path(&name))).await {
            Ok(o) => o,
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading Lambda Function ({name})"))),
        };
        let versions = match p.rest.call(&LAMBDA, Request::new("GET", format!("{}/versions", path(&name))).query("MaxItems", "10000")).await {
            Ok(o) => o,
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading Lambda Function ({name}) latest version"))),
        };
        let c = out.get("Configuration").cloned().unwrap_or_default();
        let s_or_null = |k: &str| c.get(k).and_then(Json::as_str).filter(|v| !v.is_empty()).map(Value::string).unwrap_or(Value::Null);
        let num = |k: &str| c.get(k).and_then(Json::as_f64).map(Value::Number).unwrap_or(Value::Null);
        let arn = c.get("FunctionArn").and_then(Json::as_str).unwrap_or_default().to_string();
        let mut s = prior;
        set(&mut s, "id", Value::string(&name));
        set(&mut s, "function_name", c.get("FunctionName").and_then(Json::as_str).map(Value::string).unwrap_or(Value::string(&name)));
        set(&mut s, "arn", Value::string(&arn));
        set(&mut s, "invoke_arn", Value::string(invoke_arn(&p.region, &arn)));
        set(&mut s, "response_streaming_invoke_arn", Value::string(streaming_invoke_arn(&p.region, &arn)));
        for (arg, key) in [
            ("code_sha256", "CodeSha256"),
            ("description", "Description"),
            ("handler", "Handler"),
            ("last_modified", "LastModified"),
            ("package_type", "PackageType"),
            ("role", "Role"),
            ("runtime", "Runtime"),
            ("signing_job_arn", "SigningJobArn"),
            ("signing_profile_version_arn", "SigningProfileVersionArn"),
        ] {
            set(&mut s, arg, s_or_null(key));
        }
        for (arg, key) in [("memory_size", "MemorySize"), ("timeout", "Timeout"), ("source_code_size", "CodeSize")] {
            set(&mut s, arg, num(key));
        }
        let list = |k: &str, f: &dyn Fn(&Json) -> Option<String>| -> Vec<Value> {
            c.get(k).and_then(Json::as_array).map(|a| a.iter().filter_map(f).map(Value::String).collect()).unwrap_or_default()
        };
        set(&mut s, "architectures", Value::List(list("Architectures", &|v| v.as_str().map(str::to_string))));
        let layers = list("Layers", &|v| v.get("Arn").and_then(Json::as_str).map(str::to_string));
        set(&mut s, "layers", if layers.is_empty() { Value::Null } else { Value::List(layers) });
        let environment = match c.get("Environment") {
            Some(e) if !e.is_null() => {
                let vars = e
                    .get("Variables")
                    .and_then(Json::as_object)
                    .map(|m| Value::object(m.iter().map(|(k, v)| (k.clone(), Value::string(v.as_str().unwrap_or_default())))));
                Value::List(vec![Value::object([("variables", vars.unwrap_or(Value::Null))])])
            }
            _ => Value::List(vec![]),
        };
        set(&mut s, "environment", environment);
        let reserved = out.get("Concurrency").and_then(|c| c.get("ReservedConcurrentExecutions")).and_then(Json::as_f64).unwrap_or(-1.0);
        set(&mut s, "reserved_concurrent_executions", Value::Number(reserved));
        let latest = versions.get("Versions").and_then(Json::as_array).and_then(|v| v.last()).cloned().unwrap_or_default();
        let qualified = latest.get("FunctionArn").and_then(Json::as_str).map(str::to_string).unwrap_or_else(|| format!("{arn}:$LATEST"));
        set(&mut s, "qualified_arn", Value::string(&qualified));
        set(&mut s, "qualified_invoke_arn", Value::string(invoke_arn(&p.region, &qualified)));
        set(&mut s, "version", Value::string(latest.get("Version").and_then(Json::as_str).unwrap_or("$LATEST")));
        for arg in ["publish", "skip_destroy"] {
            if attr(&s, arg).is_null() {
                set(&mut s, arg, Value::Bool(false));
            }
        }
        // Kept as configured, as the provider does: an unset one is stored empty.
        if !attr(&s, "source_code_hash").is_known() || attr(&s, "source_code_hash").is_null() {
            set(&mut s, "source_code_hash", Value::string(""));
        }
        let tags = super::json_api::tag_object(out.get("Tags"));
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&planned, "function_name");
        let what = format!("creating Lambda Function ({name})");
        let code = match code(&planned) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(None, d),
        };
        let mut body = json!({
            "FunctionName": name,
            "Role": text(&planned, "role"),
            "Description": text(&planned, "description"),
            "MemorySize": attr(&planned, "memory_size").as_f64().unwrap_or(128.0) as i64,
            "Timeout": attr(&planned, "timeout").as_f64().unwrap_or(3.0) as i64,
            "Publish": attr(&planned, "publish").as_bool() == Some(true),
            "PackageType": text(&planned, "package_type"),
            "Code": code,
        });
        if text(&planned, "package_type") == "Zip" {
            body["Handler"] = json!(text(&planned, "handler"));
            body["Runtime"] = json!(text(&planned, "runtime"));
        }
        let architectures = strings(attr(&planned, "architectures"));
        if !architectures.is_empty() {
            body["Architectures"] = json!(architectures);
        }
        let vars = variables(&planned);
        if !vars.is_empty() {
            body["Environment"] = json!({ "Variables": vars });
        }
        let layers = strings(attr(&planned, "layers"));
        if !layers.is_empty() {
            body["Layers"] = json!(layers);
        }
        let tags = super::json_api::tag_object(Some(&attr(&planned, "tags_all").to_json()));
        if !tags.is_empty() {
            body["Tags"] = json!(tags);
        }
        if let Err(e) = retry_function_op(p, Request::new("POST", "/2015-03-31/functions").body(body)).await {
            return ApplyResponse::failed(None, e.diagnostics(&what));
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        let result: Result<(), Diagnostics> = async {
            wait_for(p, &name, "State", &["Pending"]).await.map_err(|e| e.diagnostics(&format!("waiting for Lambda Function ({name}) create")))?;
            if let Some(n) = attr(&state, "reserved_concurrent_executions").as_f64().filter(|n| *n >= 0.0) {
                let req = Request::new("PUT", concurrency_path(&name)).body(json!({ "ReservedConcurrentExecutions": n as i64 }));
                p.rest.call(&LAMBDA, req).await.map_err(|e| e.diagnostics(&format!("setting Lambda Function ({name}) concurrency")))?;
            }
            Ok(())
        }
        .await;
        match result {
            Err(d) => {
                let mut r = read_back(self, p, state).await;
                r.diagnostics.extend(d);
                r
            }
            Ok(()) => read_back(self, p, state).await,
        }
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let what = |x: &str| format!("updating Lambda Function ({name}) {x}");
        let result: Result<(), Diagnostics> = async {
            let conf = CONFIG_ARGS.iter().any(|a| changed(&prior, &planned, a));
            if conf {
                let mut body = serde_json::Map::new();
                for (arg, key) in [("description", "Description"), ("handler", "Handler"), ("role", "Role"), ("runtime", "Runtime")] {
                    if changed(&prior, &planned, arg) {
                        body.insert(key.into(), json!(text(&planned, arg)));
                    }
                }
                for (arg, key) in [("memory_size", "MemorySize"), ("timeout", "Timeout")] {
                    if changed(&prior, &planned, arg) {
                        body.insert(key.into(), json!(attr(&planned, arg).as_f64().unwrap_or_default() as i64));
                    }
                }
                if changed(&prior, &planned, "layers") {
                    body.insert("Layers".into(), json!(strings(attr(&planned, "layers"))));
                }
                if changed(&prior, &planned, "environment") {
                    body.insert("Environment".into(), json!({ "Variables": variables(&planned) }));
                }
                let req = Request::new("PUT", format!("{}/configuration", path(&name))).body(Json::Object(body));
                retry_function_op(p, req).await.map_err(|e| e.diagnostics(&what("configuration")))?;
                wait_for(p, &name, "LastUpdateStatus", &["InProgress"]).await.map_err(|e| e.diagnostics(&what("configuration (waiting)")))?;
            }
            let code_changed = CODE_ARGS.iter().any(|a| changed(&prior, &planned, a));
            if code_changed {
                let mut body = code(&planned)?;
                if changed(&prior, &planned, "architectures") {
                    let architectures = strings(attr(&planned, "architectures"));
                    if !architectures.is_empty() {
                        body["Architectures"] = json!(architectures);
                    }
                }
                let req = Request::new("PUT", format!("{}/code", path(&name))).body(body);
                p.rest.call(&LAMBDA, req).await.map_err(|e| e.diagnostics(&what("code")))?;
                wait_for(p, &name, "LastUpdateStatus", &["InProgress"]).await.map_err(|e| e.diagnostics(&what("code (waiting)")))?;
            }
            if changed(&prior, &planned, "reserved_concurrent_executions") {
                let req = match attr(&planned, "reserved_concurrent_executions").as_f64().filter(|n| *n >= 0.0) {
                    Some(n) => Request::new("PUT", concurrency_path(&name)).body(json!({ "ReservedConcurrentExecutions": n as i64 })),
                    None => Request::new("DELETE", concurrency_path(&name)),
                };
                p.rest.call(&LAMBDA, req).await.map_err(|e| e.diagnostics(&what("concurrency")))?;
            }
            let publish = attr(&planned, "publish").as_bool() == Some(true);
            if publish && (conf || code_changed || changed(&prior, &planned, "publish")) {
                let req = Request::new("POST", format!("{}/versions", path(&name))).body(json!({}));
                p.rest.call(&LAMBDA, req).await.map_err(|e| e.diagnostics(&what("version publish")))?;
            }
            let arn = text(&prior, "arn");
            let (stale, new) = tag_changes(attr(&prior, "tags_all"), attr(&planned, "tags_all"));
            if !stale.is_empty() {
                let req = stale.iter().fold(Request::new("DELETE", tags_path(&arn)), |r, k| r.query("tagKeys", k.as_str()));
                p.rest.call(&LAMBDA, req).await.map_err(|e| e.diagnostics(&what("tags")))?;
            }
            if !new.is_empty() {
                let req = Request::new("POST", tags_path(&arn)).body(json!({ "Tags": new }));
                p.rest.call(&LAMBDA, req).await.map_err(|e| e.diagnostics(&what("tags")))?;
            }
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
        match p.rest.write(&LAMBDA, Request::new("DELETE", path(&name))).await {
            Err(e) if !e.not_found() => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting Lambda Function ({name})"))),
            _ => ApplyResponse::ok(None),
        }
    }
}

/// The `Code` of a create (`ZipFile` from `filename`, else the S3 object), which is also the
/// body of UpdateFunctionCode.
fn code(planned: &Value) -> Result<Json, Diagnostics> {
    if let Some(file) = attr(planned, "filename").as_str() {
        let bytes = std::fs::read(file).map_err(|e| -> Diagnostics {
            Diagnostic::error("Cannot read the function's code", format!("reading ZIP file ({file}): {e}")).for_attribute("filename").into()
        })?;
        return Ok(json!({ "ZipFile": base64::engine::general_purpose::STANDARD.encode(bytes) }));
    }
    let mut code = json!({ "S3Bucket": text(planned, "s3_bucket"), "S3Key": text(planned, "s3_key") });
    if let Some(v) = attr(planned, "s3_object_version").as_str() {
        code["S3ObjectVersion"] = json!(v);
    }
    Ok(code)
}

/// CreateFunction or UpdateFunctionConfiguration, retried for up to two minutes while IAM has
/// not propagated the role yet or another update is in progress (as the provider does).
async fn retry_function_op(p: &AwsProvider, req: Request) -> Result<Json, ApiError> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match p.rest.write(&LAMBDA, req.clone()).await {
            Err(e) if retry_later(&e) && Instant::now() < deadline => tokio::time::sleep(Duration::from_secs(5)).await,
            r => return r,
        }
    }
}

fn retry_later(e: &ApiError) -> bool {
    e.is("ResourceConflictException")
        || (e.is("InvalidParameterValueException")
            && ["The role defined for the function cannot be assumed by Lambda", "The provided execution role does not have permissions"]
                .iter()
                .any(|m| e.message.contains(m)))
}

/// Waits (up to ten minutes) while the function's `field` (`State`, `LastUpdateStatus`) is one
/// of `pending`; a `Failed` status is an error.
async fn wait_for(p: &AwsProvider, name: &str, field: &str, pending: &[&str]) -> Result<(), ApiError> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let out = p.rest.call(&LAMBDA, Request::new("GET", path(name))).await?;
        let c = out.get("Configuration").cloned().unwrap_or_default();
        let status = c.get(field).and_then(Json::as_str).unwrap_or_default().to_string();
        if status == "Failed" {
            let reason = c.get(format!("{field}Reason").as_str()).and_then(Json::as_str).unwrap_or_default().to_string();
            return Err(ApiError { code: format!("{field}Failed"), message: reason, status: 400 });
        }
        if !pending.contains(&status.as_str()) || Instant::now() > deadline {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoke_arns_follow_the_partition() {
        let arn = "arn:aws:lambda:eu-west-1:123456789012:function:f";
        assert_eq!(invoke_arn("eu-west-1", arn), format!("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{arn}/invocations"));
        assert!(invoke_arn("cn-north-1", arn).starts_with("arn:aws-cn:apigateway:cn-north-1:"));
        assert_eq!(tags_path(arn), "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Af");
    }

    #[test]
    fn configuration_is_checked_at_plan() {
        let config = Value::object([("function_name", Value::string("f")), ("filename", Value::string("f.zip"))]);
        let planned = Value::object([("package_type", Value::string("Zip")), ("memory_size", Value::Number(128.0))]);
        assert!(check(&config, &planned).has_errors(), "handler and runtime are required for Zip");
        let planned = Value::object([
            ("package_type", Value::string("Zip")),
            ("handler", Value::string("index.handler")),
            ("runtime", Value::string("python3.12")),
            ("memory_size", Value::Number(128.0)),
            ("timeout", Value::Number(3.0)),
        ]);
        assert!(!check(&config, &planned).has_errors());
        let both = Value::object([("function_name", Value::string("f")), ("filename", Value::string("f.zip")), ("s3_bucket", Value::string("b"))]);
        assert!(check(&both, &planned).has_errors(), "filename and s3_bucket exclude each other");
        let big = Value::object([
            ("package_type", Value::string("Zip")),
            ("handler", Value::string("h")),
            ("runtime", Value::string("r")),
            ("timeout", Value::Number(901.0)),
        ]);
        assert!(check(&config, &big).has_errors());
    }

    #[test]
    fn environment_variables_come_from_the_block() {
        let v = Value::object([("environment", Value::List(vec![Value::object([("variables", Value::object([("A", Value::string("1"))]))])]))]);
        assert_eq!(Json::Object(variables(&v)), json!({ "A": "1" }));
        assert!(variables(&Value::object([("environment", Value::List(vec![]))])).is_empty());
    }
}
