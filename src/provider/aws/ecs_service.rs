//! `aws_ecs_service`: `name` and `cluster` (replace), `task_definition`, `desired_count`
//! (default 0), `launch_type` and `scheduling_strategy` (`REPLICA` default; both replace),
//! `deployment_maximum_percent` (200) / `deployment_minimum_healthy_percent` (100),
//! `network_configuration { subnets, security_groups, assign_public_ip }`, `load_balancer`
//! blocks, `propagate_tags`, `enable_ecs_managed_tags`, `enable_execute_command`, `force_delete`
//! and `tags`; `id` and `arn` are the service ARN, `cluster` is kept as written when it names
//! the service's cluster (by name or ARN), as is `task_definition` (family, family:revision or
//! ARN). Updates go through UpdateService; a delete scales a replica service to 0 first
//! unless `force_delete`, then waits until the service is no longer active. Import by
//! `CLUSTER/NAME`. Not implemented yet: `wait_for_steady_state`, `capacity_provider_strategy`,
//! placement, service connect and registries, alarms, circuit breakers, volumes.

use async_trait::async_trait;
use serde_json::{json, Value as Json};

use super::ec2::{plan_common, set_tags};
use super::json_api::{read_back, tag_list, tag_map, text as jtext, updated, ApiError, ECS, ECS_TAGS};
use super::AwsProvider;
use crate::provider::helpers::{attr, defaults, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The arguments UpdateService changes in place.
const UPDATABLE: &[&str] = &[
    "task_definition",
    "desired_count",
    "deployment_maximum_percent",
    "deployment_minimum_healthy_percent",
    "network_configuration",
    "load_balancer",
    "propagate_tags",
    "enable_ecs_managed_tags",
    "enable_execute_command",
];

pub fn schema() -> ResourceSchema {
    let implemented = [&["arn", "id", "name", "cluster", "launch_type", "scheduling_strategy", "force_delete"][..], UPDATABLE].concat();
    resource("aws_ecs_service")
        .implement(&implemented)
        .tags()
        .computed_only(&["id", "arn"])
        .force_new(&["name", "cluster", "launch_type", "scheduling_strategy"])
        .build()
}

/// The service's settings as CreateService and UpdateService both take them.
fn settings_json(v: &Value) -> Json {
    let mut body = json!({
        "desiredCount": attr(v, "desired_count").as_f64().unwrap_or(0.0) as i64,
        "deploymentConfiguration": deployment_json(v),
        "loadBalancers": load_balancers_json(v),
        "enableECSManagedTags": matches!(attr(v, "enable_ecs_managed_tags"), Value::Bool(true)),
        "enableExecuteCommand": matches!(attr(v, "enable_execute_command"), Value::Bool(true)),
    });
    for (k, api) in [("task_definition", "taskDefinition"), ("propagate_tags", "propagateTags")] {
        if let Some(s) = attr(v, k).as_str() {
            body[api] = json!(s);
        }
    }
    if let Some(n) = network_json(v) {
        body["networkConfiguration"] = n;
    }
    body
}

/// `aws_ecs_service`.
pub struct EcsService;

/// The one `network_configuration` block as the API takes it.
fn network_json(v: &Value) -> Option<Json> {
    let n = match attr(v, "network_configuration") {
        Value::List(l) => l.first()?.clone(),
        _ => return None,
    };
    let list = |name: &str| match attr(&n, name) {
        Value::List(l) | Value::Set(l) => l.iter().filter_map(Value::as_str).map(|s| json!(s)).collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let public = if matches!(attr(&n, "assign_public_ip"), Value::Bool(true)) { "ENABLED" } else { "DISABLED" };
    Some(json!({ "awsvpcConfiguration": { "subnets": list("subnets"), "securityGroups": list("security_groups"), "assignPublicIp": public } }))
}

fn load_balancers_json(v: &Value) -> Json {
    let blocks = match attr(v, "load_balancer") {
        Value::List(l) | Value::Set(l) => l.clone(),
        _ => Vec::new(),
    };
    Json::Array(
        blocks
            .iter()
            .map(|b| {
                let mut lb = json!({ "containerName": text(b, "container_name") });
                if let Some(port) = attr(b, "container_port").as_f64() {
                    lb["containerPort"] = json!(port as i64);
                }
                for (k, api) in [("target_group_arn", "targetGroupArn"), ("elb_name", "loadBalancerName")] {
                    if let Some(s) = attr(b, k).as_str() {
                        lb[api] = json!(s);
                    }
                }
                lb
            })
            .collect(),
    )
}

fn deployment_json(v: &Value) -> Json {
    let n = |k: &str, d: f64| attr(v, k).as_f64().unwrap_or(d) as i64;
    json!({ "maximumPercent": n("deployment_maximum_percent", 200.0), "minimumHealthyPercent": n("deployment_minimum_healthy_percent", 100.0) })
}

/// Whether `written` (a name or ARN, as configured) names the same object as `arn`.
fn same(written: &str, arn: &str) -> bool {
    written == arn || arn.ends_with(&format!("/{written}")) || arn.rsplit('/').next().is_some_and(|last| last.split(':').next() == Some(written))
}

/// The service, unless it is missing or no longer active.
async fn describe(p: &AwsProvider, cluster: &str, id: &str) -> Result<Option<Json>, ApiError> {
    let body = json!({ "cluster": cluster, "services": [id], "include": ["TAGS"] });
    let out = match p.json.call(&ECS, "DescribeServices", body).await {
        Err(e) if e.not_found() => return Ok(None),
        r => r?,
    };
    let service = out.get("services").and_then(Json::as_array).and_then(|s| s.first()).cloned();
    Ok(service.filter(|s| jtext(s, "status") == "ACTIVE"))
}

#[async_trait]
impl ResourceType<AwsProvider> for EcsService {
    fn name(&self) -> &'static str {
        "aws_ecs_service"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let prior = req.prior_state.clone();
        let mut resp = plan_common(p, req, &[]);
        // A cluster or task definition written by name where state has the ARN (or the other
        // way round) is the same object: no change, as the provider's format-keeping read does.
        if let Some(prior) = &prior {
            for k in ["cluster", "task_definition"] {
                if let (Some(now), Some(was)) = (attr(&resp.planned_state, k).as_str(), attr(prior, k).as_str()) {
                    if now != was && (same(now, was) || same(was, now)) {
                        let was = attr(prior, k).clone();
                        set(&mut resp.planned_state, k, was);
                    }
                }
            }
        }
        defaults(
            &mut resp.planned_state,
            &[
                ("desired_count", Value::Number(0.0)),
                ("scheduling_strategy", Value::string("REPLICA")),
                ("deployment_maximum_percent", Value::Number(200.0)),
                ("deployment_minimum_healthy_percent", Value::Number(100.0)),
                ("enable_ecs_managed_tags", Value::Bool(false)),
                ("enable_execute_command", Value::Bool(false)),
            ],
        );
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let (id, cluster) = (text(&prior, "id"), text(&prior, "cluster"));
        let s = match describe(p, &cluster, &id).await {
            Ok(Some(s)) => s,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading ECS Service ({id})"))),
        };
        let mut state = prior;
        set(&mut state, "id", Value::string(jtext(&s, "serviceArn")));
        set(&mut state, "arn", Value::string(jtext(&s, "serviceArn")));
        set(&mut state, "name", Value::string(jtext(&s, "serviceName")));
        let keep =
            |state: &Value, k: &str, remote: &str| attr(state, k).as_str().filter(|w| same(w, remote)).map_or_else(|| Value::string(remote), Value::string);
        let cluster_arn = jtext(&s, "clusterArn");
        let cluster = keep(&state, "cluster", &cluster_arn);
        set(&mut state, "cluster", cluster);
        let task = jtext(&s, "taskDefinition");
        let task = keep(&state, "task_definition", &task);
        set(&mut state, "task_definition", task);
        if let Some(n) = s.get("desiredCount").and_then(Json::as_f64) {
            set(&mut state, "desired_count", Value::Number(n));
        }
        set(&mut state, "launch_type", Value::string(jtext(&s, "launchType")));
        for (k, api) in [("enable_ecs_managed_tags", "enableECSManagedTags"), ("enable_execute_command", "enableExecuteCommand")] {
            // Kept as it was where the API leaves the flag out (moto does).
            let flag = s.get(api).and_then(Json::as_bool).or_else(|| attr(&state, k).as_bool()).unwrap_or(false);
            set(&mut state, k, Value::Bool(flag));
        }
        set(&mut state, "scheduling_strategy", Value::string(jtext(&s, "schedulingStrategy")));
        if let Some(c) = s.get("deploymentConfiguration") {
            for (k, api) in [("deployment_maximum_percent", "maximumPercent"), ("deployment_minimum_healthy_percent", "minimumHealthyPercent")] {
                if let Some(n) = c.get(api).and_then(Json::as_f64) {
                    set(&mut state, k, Value::Number(n));
                }
            }
        }
        set_tags(p, &mut state, &tag_map(s.get("tags"), "key", "value"));
        ReadResponse::found(state)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&planned, "name");
        let mut body = settings_json(&planned);
        body["serviceName"] = json!(name);
        body["schedulingStrategy"] = json!(text(&planned, "scheduling_strategy"));
        for (k, api) in [("cluster", "cluster"), ("launch_type", "launchType")] {
            if let Some(s) = attr(&planned, k).as_str() {
                body[api] = json!(s);
            }
        }
        let tags = tag_list(attr(&planned, "tags_all"), "key", "value");
        if tags.as_array().is_some_and(|t| !t.is_empty()) {
            body["tags"] = tags;
        }
        let out = match p.json.write(&ECS, "CreateService", body).await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating ECS Service ({name})"))),
        };
        let service = out.get("service").cloned().unwrap_or_default();
        let mut state = planned;
        set(&mut state, "id", Value::string(jtext(&service, "serviceArn")));
        set(&mut state, "arn", Value::string(jtext(&service, "serviceArn")));
        if !attr(&state, "cluster").is_known() || attr(&state, "cluster").is_null() {
            set(&mut state, "cluster", Value::string(jtext(&service, "clusterArn")));
        }
        if !attr(&state, "launch_type").is_known() {
            set(&mut state, "launch_type", Value::string(jtext(&service, "launchType")));
        }
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let (id, cluster) = (text(&prior, "id"), text(&prior, "cluster"));
        let what = format!("updating ECS Service ({id})");
        let changed = |k: &str| attr(&prior, k) != attr(&planned, k);
        let result: Result<(), ApiError> = async {
            if UPDATABLE.iter().any(|k| changed(k)) {
                let mut body = settings_json(&planned);
                body["cluster"] = json!(cluster);
                body["service"] = json!(id);
                p.json.call(&ECS, "UpdateService", body).await?;
            }
            p.json.sync_tags(&ECS_TAGS, json!({ "resourceArn": id }), &prior, &planned).await
        }
        .await;
        updated(self, p, result.map_err(|e| e.diagnostics(&what)), prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let (id, cluster) = (text(&prior, "id"), text(&prior, "cluster"));
        let what = format!("deleting ECS Service ({id})");
        let force = matches!(attr(&prior, "force_delete"), Value::Bool(true));
        let result: Result<(), ApiError> = async {
            // A replica service must be scaled to 0 before it can be deleted (unless forced).
            if !force && text(&prior, "scheduling_strategy") != "DAEMON" && attr(&prior, "desired_count").as_f64().unwrap_or(0.0) > 0.0 {
                match p.json.call(&ECS, "UpdateService", json!({ "cluster": cluster, "service": id, "desiredCount": 0 })).await {
                    Err(e) if e.not_found() => return Ok(()),
                    r => r?,
                };
            }
            match p.json.write(&ECS, "DeleteService", json!({ "cluster": cluster, "service": id, "force": force })).await {
                Err(e) if e.not_found() => return Ok(()),
                r => r?,
            };
            // Deleted services stay DRAINING for a while before they are INACTIVE.
            for _ in 0..120 {
                if describe(p, &cluster, &id).await?.is_none_or(|s| jtext(&s, "status") != "ACTIVE") {
                    return Ok(());
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => ApplyResponse::ok(None),
            Err(e) => ApplyResponse::failed(Some(prior), e.diagnostics(&what)),
        }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let Some((cluster, name)) = id.split_once('/') else {
            return ImportResponse {
                state: None,
                diagnostics: crate::diag::Diagnostic::error("Invalid import ID", format!("Expected CLUSTER/SERVICE_NAME, got \"{id}\".")).into(),
            };
        };
        let mut state = blank;
        set(&mut state, "id", Value::string(name));
        set(&mut state, "cluster", Value::string(cluster));
        set(&mut state, "name", Value::string(name));
        imported(self.read(p, state).await, || format!("There is no ECS service \"{name}\" in cluster \"{cluster}\"."))
    }
}
