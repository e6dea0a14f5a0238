//! `aws_ecs_task_definition`: one revision of a task definition family, registered with
//! `family`, `container_definitions` (a JSON document, stored and compared as the provider does:
//! [`super::ecs_container_definitions`]), `cpu`, `memory`, `network_mode` (AWS's choice when
//! unset), `execution_role_arn`, `task_role_arn`, `ipc_mode`, `pid_mode`,
//! `requires_compatibilities` and `runtime_platform`; every one of them replaces (a new
//! revision). `tags` update in place; `skip_destroy` (false: with true, destroy leaves the
//! revision registered) and `track_latest` (false: with true, refresh reads the family's latest
//! active revision) are skyform's own. Computed `arn`, `arn_without_revision`, `revision`, and
//! `id` (the family). A deregistered (`INACTIVE`) revision is gone. Import by the revision's ARN.
//! Not implemented: `volume`, `placement_constraints`, `proxy_configuration`,
//! `ephemeral_storage`, `enable_fault_injection`.

use async_trait::async_trait;
use serde_json::{json, Value as Json};

use super::ec2::{plan_common, set_tags};
use super::ecs_container_definitions::{equivalent, normalized, request};
use super::json_api::{provider_defaults, read_back, tag_list, tag_map, text as jtext, updated, ApiError, ECS, ECS_TAGS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::{PathStep, Value};

/// The arguments that register a new revision when they change.
const REPLACING: [&str; 10] = [
    "container_definitions",
    "cpu",
    "execution_role_arn",
    "family",
    "ipc_mode",
    "memory",
    "network_mode",
    "pid_mode",
    "requires_compatibilities",
    "task_role_arn",
];

pub fn schema() -> ResourceSchema {
    resource("aws_ecs_task_definition")
        .implement(&REPLACING)
        .implement(&["arn", "arn_without_revision", "id", "revision", "runtime_platform", "skip_destroy", "track_latest"])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["skip_destroy", "track_latest"])
        .force_new(&REPLACING)
        .build()
}

/// `aws_ecs_task_definition`.
pub struct EcsTaskDefinition;

fn one_of(d: &mut Diagnostics, arg: &str, v: Option<&str>, allowed: &[&str]) {
    if let Some(v) = v.filter(|v| !allowed.contains(v)) {
        d.push(Diagnostic::error("Invalid value", format!("expected {arg} to be one of {allowed:?}, got {v}")).for_attribute(arg));
    }
}

fn check(planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(f) = attr(planned, "family").as_str() {
        if f.is_empty() || f.len() > 255 || !f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            d.push(
                Diagnostic::error("Invalid value", format!("\"family\" must be 1 to 255 letters, digits, hyphens and underscores (got {f:?})."))
                    .for_attribute("family"),
            );
        }
    }
    one_of(&mut d, "network_mode", attr(planned, "network_mode").as_str(), &["bridge", "host", "awsvpc", "none"]);
    one_of(&mut d, "ipc_mode", attr(planned, "ipc_mode").as_str(), &["host", "task", "none"]);
    one_of(&mut d, "pid_mode", attr(planned, "pid_mode").as_str(), &["host", "task"]);
    if let Value::Set(items) | Value::List(items) = attr(planned, "requires_compatibilities") {
        for i in items {
            one_of(&mut d, "requires_compatibilities", i.as_str(), &["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]);
        }
    }
    d
}

/// The one `runtime_platform` block, if any.
fn platform(v: &Value) -> Option<Value> {
    match attr(v, "runtime_platform") {
        Value::List(items) | Value::Set(items) => items.first().cloned(),
        _ => None,
    }
}

fn awsvpc(v: &Value) -> bool {
    attr(v, "network_mode").as_str() == Some("awsvpc")
}

/// Whether an error says the revision does not exist.
fn missing(e: &ApiError) -> bool {
    e.not_found() || (e.is("ClientException") && e.message.contains("Unable to describe task definition"))
}

/// The string arguments sent and read back as they are: (argument, request and answer field).
const STRING_FIELDS: [(&str, &str); 7] = [
    ("cpu", "cpu"),
    ("memory", "memory"),
    ("network_mode", "networkMode"),
    ("execution_role_arn", "executionRoleArn"),
    ("task_role_arn", "taskRoleArn"),
    ("ipc_mode", "ipcMode"),
    ("pid_mode", "pidMode"),
];

/// The RegisterTaskDefinition request of a planned state.
fn register_body(planned: &Value, containers: Json) -> Json {
    let mut body = json!({ "family": text(planned, "family"), "containerDefinitions": containers });
    for (arg, field) in STRING_FIELDS {
        if let Some(v) = attr(planned, arg).as_str().filter(|v| !v.is_empty()) {
            body[field] = json!(v);
        }
    }
    if let Value::Set(items) | Value::List(items) = attr(planned, "requires_compatibilities") {
        if !items.is_empty() {
            body["requiresCompatibilities"] = Json::Array(items.iter().filter_map(|i| i.as_str().map(|s| json!(s))).collect());
        }
    }
    if let Some(p) = platform(planned) {
        let mut rp = json!({});
        for (arg, field) in [("cpu_architecture", "cpuArchitecture"), ("operating_system_family", "operatingSystemFamily")] {
            if let Some(v) = attr(&p, arg).as_str() {
                rp[field] = json!(v);
            }
        }
        body["runtimePlatform"] = rp;
    }
    let tags = tag_list(attr(planned, "tags_all"), "key", "value");
    if tags.as_array().is_some_and(|t| !t.is_empty()) {
        body["tags"] = tags;
    }
    body
}

/// A state from DescribeTaskDefinition's answer.
fn fill(p: &AwsProvider, mut s: Value, td: &Json, tags: Option<&Json>) -> Value {
    let arn = jtext(td, "taskDefinitionArn");
    let family = jtext(td, "family");
    let opt = |k: &str| td.get(k).and_then(Json::as_str).filter(|v| !v.is_empty()).map(Value::string).unwrap_or(Value::Null);
    set(&mut s, "id", Value::string(&family));
    set(&mut s, "family", Value::string(&family));
    set(&mut s, "arn_without_revision", Value::string(arn.rsplit_once(':').map(|(a, _)| a).unwrap_or(&arn)));
    set(&mut s, "arn", Value::string(&arn));
    set(&mut s, "revision", td.get("revision").and_then(Json::as_f64).map(Value::Number).unwrap_or(Value::Null));
    for (arg, field) in STRING_FIELDS {
        set(&mut s, arg, opt(field));
    }
    let compat: Vec<Value> =
        td.get("requiresCompatibilities").and_then(Json::as_array).map(|a| a.iter().filter_map(Json::as_str).map(Value::string).collect()).unwrap_or_default();
    set(&mut s, "requires_compatibilities", if compat.is_empty() { Value::Null } else { Value::set(compat) });
    let rp = td.get("runtimePlatform").filter(|r| r.as_object().is_some_and(|m| !m.is_empty()));
    let blocks = rp.map(|r| {
        let f = |k: &str| r.get(k).and_then(Json::as_str).map(Value::string).unwrap_or(Value::Null);
        vec![Value::object([("cpu_architecture", f("cpuArchitecture")), ("operating_system_family", f("operatingSystemFamily"))])]
    });
    set(&mut s, "runtime_platform", Value::List(blocks.unwrap_or_default()));
    let remote = td.get("containerDefinitions").cloned().unwrap_or(Json::Array(vec![])).to_string();
    let prior = attr(&s, "container_definitions").as_str().map(str::to_string);
    let keep = prior.filter(|old| equivalent(old, &remote, awsvpc(&s)));
    set(&mut s, "container_definitions", Value::String(keep.unwrap_or_else(|| normalized(&remote).unwrap_or(remote))));
    set_tags(p, &mut s, &tag_map(tags, "key", "value"));
    for arg in ["skip_destroy", "track_latest"] {
        if attr(&s, arg).is_null() {
            set(&mut s, arg, Value::Bool(false));
        }
    }
    s
}

#[async_trait]
impl ResourceType<AwsProvider> for EcsTaskDefinition {
    fn name(&self) -> &'static str {
        "aws_ecs_task_definition"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &["network_mode"]);
        let planned = &mut resp.planned_state;
        provider_defaults(planned, &config, &[("skip_destroy", Value::Bool(false)), ("track_latest", Value::Bool(false))]);
        if let Some(doc) = attr(&config, "container_definitions").as_str() {
            match normalized(doc) {
                Ok(n) => {
                    let old = prior.as_ref().and_then(|p| attr(p, "container_definitions").as_str().map(str::to_string));
                    let same = old.filter(|old| equivalent(old, doc, awsvpc(planned)));
                    set(planned, "container_definitions", Value::String(same.unwrap_or(n)));
                }
                Err(e) => resp.diagnostics.push(
                    Diagnostic::error("Invalid value", format!("ECS Task Definition container_definitions is invalid: {e}"))
                        .for_attribute("container_definitions"),
                ),
            }
        }
        if let Some(prior) = &prior {
            if platform(prior) != platform(planned) {
                resp.requires_replace.push(vec![PathStep::Key("runtime_platform".into())]);
            }
        }
        resp.diagnostics.extend(check(&resp.planned_state));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let target =
            if attr(&prior, "track_latest").as_bool() == Some(true) || attr(&prior, "arn").is_null() { text(&prior, "id") } else { text(&prior, "arn") };
        let out = match p.json.call(&ECS, "DescribeTaskDefinition", json!({ "taskDefinition": target, "include": ["TAGS"] })).await {
            Ok(o) => o,
            Err(e) if missing(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading ECS Task Definition ({target})"))),
        };
        let td = out.get("taskDefinition").cloned().unwrap_or_default();
        if jtext(&td, "status") == "INACTIVE" {
            return ReadResponse::gone();
        }
        ReadResponse::found(fill(p, prior, &td, out.get("tags")))
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let family = text(&planned, "family");
        let what = format!("creating ECS Task Definition ({family})");
        let containers = match request(&text(&planned, "container_definitions")) {
            Ok(c) => c,
            Err(e) => return ApplyResponse::failed(None, Diagnostic::error("Invalid value", format!("Error {what}: {e}")).into()),
        };
        let out = match p.json.write(&ECS, "RegisterTaskDefinition", register_body(&planned, containers)).await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&what)),
        };
        let td = out.get("taskDefinition").cloned().unwrap_or_default();
        let mut state = planned;
        set(&mut state, "id", Value::string(&family));
        set(&mut state, "arn", Value::string(jtext(&td, "taskDefinitionArn")));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let arn = text(&prior, "arn");
        let result = p.json.sync_tags(&ECS_TAGS, json!({ "resourceArn": arn }), &prior, &planned).await;
        updated(self, p, result.map_err(|e| e.diagnostics(&format!("updating ECS Task Definition ({arn}) tags"))), prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        if attr(&prior, "skip_destroy").as_bool() == Some(true) {
            return ApplyResponse::ok(None);
        }
        let arn = text(&prior, "arn");
        match p.json.write(&ECS, "DeregisterTaskDefinition", json!({ "taskDefinition": arn })).await {
            Err(e) if !missing(&e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting ECS Task Definition ({arn})"))),
            _ => ApplyResponse::ok(None),
        }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let family = id.split(':').nth(5).and_then(|r| r.strip_prefix("task-definition/")).filter(|_| id.starts_with("arn:") && id.split(':').count() == 7);
        let Some(family) = family else {
            let why = format!("Expected ID in format of arn:PARTITION:ecs:REGION:ACCOUNTID:task-definition/FAMILY:REVISION and provided: {id}");
            return ImportResponse::failed(Diagnostic::error("Invalid import id", why).into());
        };
        let mut state = blank;
        set(&mut state, "id", Value::string(family));
        set(&mut state, "arn", Value::string(&id));
        imported(self.read(p, state).await, || format!("There is no active ECS task definition {id}."))
    }
}
