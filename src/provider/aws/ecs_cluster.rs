//! `aws_ecs_cluster`: `name` (replaces), `setting` blocks (`containerInsights`: `enabled`,
//! `disabled` or `enhanced`; optional and computed as in the provider: left out, the cluster's
//! settings are kept) and `tags`, in place through UpdateCluster and TagResource /
//! UntagResource; computed `arn`, and `id` (the ARN). Import by name. A cluster whose status is
//! `INACTIVE` is gone. `configuration` and `service_connect_defaults` are not implemented.

use async_trait::async_trait;
use serde_json::{json, Value as Json};

use super::ec2::{plan_common, set_tags};
use super::json_api::{read_back, tag_list, tag_map, text as jtext, updated, ApiError, ECS, ECS_TAGS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_ecs_cluster").implement(&["arn", "id", "name", "setting"]).tags().computed_only(&["id"]).force_new(&["name"]).build()
}

/// `aws_ecs_cluster`.
pub struct EcsCluster;

/// The `setting` blocks of a state.
fn settings(v: &Value) -> Vec<Value> {
    match attr(v, "setting") {
        Value::List(items) | Value::Set(items) => items.clone(),
        _ => Vec::new(),
    }
}

/// The settings as the API takes them.
fn settings_json(v: &Value) -> Json {
    Json::Array(settings(v).iter().map(|s| json!({ "name": text(s, "name"), "value": text(s, "value") })).collect())
}

fn check(planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(n) = attr(planned, "name").as_str() {
        if n.is_empty() || n.len() > 255 || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            let why = format!("\"name\" must be 1 to 255 letters, digits, hyphens and underscores (got {n:?}).");
            d.push(Diagnostic::error("Invalid value", why).for_attribute("name"));
        }
    }
    for s in settings(planned) {
        if let Some(n) = attr(&s, "name").as_str().filter(|n| *n != "containerInsights") {
            d.push(Diagnostic::error("Invalid value", format!("expected setting name to be containerInsights, got {n}")).for_attribute("setting"));
        }
    }
    d
}

/// The cluster, unless it is missing or `INACTIVE`.
async fn describe(p: &AwsProvider, id: &str) -> Result<Option<Json>, ApiError> {
    let body = json!({ "clusters": [id], "include": ["TAGS", "CONFIGURATIONS", "SETTINGS"] });
    let out = match p.json.call(&ECS, "DescribeClusters", body).await {
        Err(e) if e.not_found() => return Ok(None),
        r => r?,
    };
    let cluster = out.get("clusters").and_then(Json::as_array).and_then(|c| c.first()).cloned();
    Ok(cluster.filter(|c| jtext(c, "status") != "INACTIVE"))
}

#[async_trait]
impl ResourceType<AwsProvider> for EcsCluster {
    fn name(&self) -> &'static str {
        "aws_ecs_cluster"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &[]);
        // Optional and computed: without `setting` blocks the cluster keeps the ones it has.
        if let Some(prior) = &prior {
            if settings(&config).is_empty() {
                set(&mut resp.planned_state, "setting", attr(prior, "setting").clone());
            }
        }
        resp.diagnostics.extend(check(&resp.planned_state));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        let c = match describe(p, &id).await {
            Ok(Some(c)) => c,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading ECS Cluster ({id})"))),
        };
        let mut s = prior;
        set(&mut s, "id", Value::string(jtext(&c, "clusterArn")));
        set(&mut s, "arn", Value::string(jtext(&c, "clusterArn")));
        set(&mut s, "name", Value::string(jtext(&c, "clusterName")));
        let remote = c.get("settings").and_then(Json::as_array).cloned().unwrap_or_default();
        let blocks = remote.iter().map(|x| Value::object([("name", Value::string(jtext(x, "name"))), ("value", Value::string(jtext(x, "value")))]));
        set(&mut s, "setting", Value::set(blocks.collect()));
        set_tags(p, &mut s, &tag_map(c.get("tags"), "key", "value"));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&planned, "name");
        let mut body = json!({ "clusterName": name });
        let tags = tag_list(attr(&planned, "tags_all"), "key", "value");
        if tags.as_array().is_some_and(|t| !t.is_empty()) {
            body["tags"] = tags;
        }
        if !settings(&planned).is_empty() {
            body["settings"] = settings_json(&planned);
        }
        let out = match p.json.write(&ECS, "CreateCluster", body).await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating ECS Cluster ({name})"))),
        };
        let mut state = planned;
        let arn = out.get("cluster").map(|c| jtext(c, "clusterArn")).unwrap_or_default();
        set(&mut state, "id", Value::string(&arn));
        set(&mut state, "arn", Value::string(&arn));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let what = format!("updating ECS Cluster ({id})");
        let result: Result<(), ApiError> = async {
            if attr(&prior, "setting") != attr(&planned, "setting") && !settings(&planned).is_empty() {
                p.json.call(&ECS, "UpdateCluster", json!({ "cluster": id, "settings": settings_json(&planned) })).await?;
            }
            p.json.sync_tags(&ECS_TAGS, json!({ "resourceArn": id }), &prior, &planned).await
        }
        .await;
        updated(self, p, result.map_err(|e| e.diagnostics(&what)), prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        match p.json.write(&ECS, "DeleteCluster", json!({ "cluster": id })).await {
            Err(e) if !e.not_found() => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting ECS Cluster ({id})"))),
            _ => ApplyResponse::ok(None),
        }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let mut state = blank;
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "name", Value::string(&id));
        imported(self.read(p, state).await, || format!("There is no ECS cluster named \"{id}\"."))
    }
}
