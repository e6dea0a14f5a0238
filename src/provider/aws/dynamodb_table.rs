//! `aws_dynamodb_table`: `name`, `hash_key`, `range_key` (all replacing), their `attribute`
//! blocks (`name`, `type` S/N/B: exactly the key attributes), `billing_mode` (`PROVISIONED`,
//! the provider's default, with `read_capacity` and `write_capacity`; or `PAY_PER_REQUEST`),
//! `stream_enabled`, `stream_view_type`, `table_class` (`STANDARD`),
//! `deletion_protection_enabled` (false), a `ttl` block (`attribute_name`, `enabled`) and
//! `tags`, in place; computed `arn`, `id` (the name), `stream_arn`, `stream_label`,
//! `tags_all`. Creates and updates wait until the table is active. Import by name. Secondary
//! indexes, replicas, point-in-time recovery, server-side encryption, on-demand and warm
//! throughput, imports and restores are not implemented (an error when set).

use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{json, Value as Json};

use super::ec2::{plan_common, set_tags};
use super::json_api::{provider_defaults, read_back, tag_list, tag_map, text as jtext, ApiError, DYNAMODB as DDB, DYNAMODB_TAGS};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_dynamodb_table")
        .implement(&[
            "arn",
            "attribute",
            "billing_mode",
            "deletion_protection_enabled",
            "hash_key",
            "id",
            "name",
            "range_key",
            "read_capacity",
            "stream_arn",
            "stream_enabled",
            "stream_label",
            "stream_view_type",
            "table_class",
            "ttl",
            "write_capacity",
        ])
        .tags()
        .computed_only(&["id"])
        .required(&["hash_key"])
        .defaulted(&["billing_mode", "deletion_protection_enabled", "stream_enabled", "table_class"])
        .force_new(&["name", "hash_key", "range_key"])
        .build()
}

/// `aws_dynamodb_table`.
pub struct DynamodbTable;

/// The objects of a block (a set or list of objects).
fn blocks(v: &Value) -> Vec<&Value> {
    match v {
        Value::Set(items) | Value::List(items) => items.iter().collect(),
        _ => Vec::new(),
    }
}

fn check(planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let billing = attr(planned, "billing_mode").as_str().unwrap_or("PROVISIONED");
    if !["PROVISIONED", "PAY_PER_REQUEST"].contains(&billing) {
        d.push(
            Diagnostic::error("Invalid value", format!("expected billing_mode to be one of PROVISIONED, PAY_PER_REQUEST, got {billing}"))
                .for_attribute("billing_mode"),
        );
    }
    if billing == "PROVISIONED" {
        for arg in ["read_capacity", "write_capacity"] {
            if attr(planned, arg).is_null() {
                d.push(Diagnostic::error("Missing required argument", format!("{arg} must be set when billing_mode is PROVISIONED")).for_attribute(arg));
            }
        }
    }
    if !attr(planned, "attribute").is_known() {
        return d;
    }
    let keys: Vec<&str> = ["hash_key", "range_key"].iter().filter_map(|k| attr(planned, k).as_str()).collect();
    let defined: Vec<(String, String)> = blocks(attr(planned, "attribute")).iter().map(|a| (text(a, "name"), text(a, "type"))).collect();
    for k in &keys {
        if !defined.iter().any(|(n, _)| n == k) {
            d.push(
                Diagnostic::error("Missing attribute definition", format!("all indexes must match a defined attribute: {k} has no attribute block"))
                    .for_attribute("attribute"),
            );
        }
    }
    for (n, t) in &defined {
        if !keys.contains(&n.as_str()) {
            let why = format!("all attributes must be indexed: unused attribute {n} (only the table's keys are implemented, not secondary indexes)");
            d.push(Diagnostic::error("Unused attribute", why).for_attribute("attribute"));
        }
        if !["S", "N", "B"].contains(&t.as_str()) {
            d.push(Diagnostic::error("Invalid value", format!("expected attribute type to be one of S, N, B, got {t}")).for_attribute("attribute"));
        }
    }
    d
}

#[async_trait]
impl ResourceType<AwsProvider> for DynamodbTable {
    fn name(&self) -> &'static str {
        "aws_dynamodb_table"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config) = (req.prior_state.clone(), req.config.clone());
        let mut resp = plan_common(p, req, &["stream_view_type"]);
        let planned = &mut resp.planned_state;
        let pairs = [
            ("billing_mode", Value::string("PROVISIONED")),
            ("deletion_protection_enabled", Value::Bool(false)),
            ("stream_enabled", Value::Bool(false)),
            ("table_class", Value::string("STANDARD")),
        ];
        provider_defaults(planned, &config, &pairs);
        if let Some(n) = attr(&config, "name").as_str() {
            set(planned, "id", Value::string(n));
        }
        if attr(planned, "billing_mode").as_str() == Some("PAY_PER_REQUEST") {
            for arg in ["read_capacity", "write_capacity"] {
                if attr(&config, arg).is_null() {
                    set(planned, arg, Value::Number(0.0));
                }
            }
        }
        match &prior {
            // A stream turned on or off gets a new ARN and label.
            Some(pr) if attr(pr, "stream_enabled") != attr(planned, "stream_enabled") => {
                set(planned, "stream_arn", Value::Unknown);
                set(planned, "stream_label", Value::Unknown);
                if attr(&config, "stream_view_type").is_null() {
                    set(planned, "stream_view_type", Value::Unknown);
                }
            }
            _ => {}
        }
        // No ttl block is no opinion on TTL (SuppressMissingOptionalConfigurationBlock).
        if blocks(attr(&config, "ttl")).is_empty() {
            let kept = prior.as_ref().map(|pr| attr(pr, "ttl").clone()).unwrap_or(Value::List(vec![]));
            set(planned, "ttl", kept);
        }
        resp.diagnostics.extend(check(planned));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let table = match describe(p, &name).await {
            Ok(Some(t)) => t,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading DynamoDB table {name}"))),
        };
        let arn = jtext(&table, "TableArn");
        let extra = async {
            let ttl = p.json.call(&DDB, "DescribeTimeToLive", json!({ "TableName": name })).await?;
            let tags = p.json.call(&DDB, "ListTagsOfResource", json!({ "ResourceArn": arn })).await?;
            Ok::<_, ApiError>((ttl, tags))
        };
        let (ttl, tags) = match extra.await {
            Ok(x) => x,
            Err(e) if e.not_found() => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading the TTL and tags of DynamoDB table {name}"))),
        };
        let mut s = prior;
        fill(&mut s, &table);
        let ttl = ttl.get("TimeToLiveDescription").cloned().unwrap_or_default();
        let ttl_block = if jtext(&ttl, "TimeToLiveStatus") == "ENABLED" {
            Value::List(vec![Value::object([("attribute_name", Value::string(jtext(&ttl, "AttributeName"))), ("enabled", Value::Bool(true))])])
        } else {
            // Disabled: AWS does not return the attribute name; a configured block is kept.
            match blocks(attr(&s, "ttl")).first() {
                Some(b) => Value::List(vec![Value::object([("attribute_name", attr(b, "attribute_name").clone()), ("enabled", Value::Bool(false))])]),
                None => Value::List(vec![]),
            }
        };
        set(&mut s, "ttl", ttl_block);
        set_tags(p, &mut s, &tag_map(tags.get("Tags"), "Key", "Value"));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&planned, "name");
        let mut keys = vec![json!({ "AttributeName": text(&planned, "hash_key"), "KeyType": "HASH" })];
        if let Some(r) = attr(&planned, "range_key").as_str() {
            keys.push(json!({ "AttributeName": r, "KeyType": "RANGE" }));
        }
        let defs: Vec<Json> =
            blocks(attr(&planned, "attribute")).iter().map(|a| json!({ "AttributeName": text(a, "name"), "AttributeType": text(a, "type") })).collect();
        let billing = text(&planned, "billing_mode");
        let mut body = json!({
            "TableName": name,
            "KeySchema": keys,
            "AttributeDefinitions": defs,
            "BillingMode": billing,
            "TableClass": text(&planned, "table_class"),
            "DeletionProtectionEnabled": attr(&planned, "deletion_protection_enabled").as_bool().unwrap_or(false),
        });
        if billing == "PROVISIONED" {
            body["ProvisionedThroughput"] = throughput(&planned);
        }
        if attr(&planned, "stream_enabled").as_bool() == Some(true) {
            body["StreamSpecification"] = json!({ "StreamEnabled": true, "StreamViewType": text(&planned, "stream_view_type") });
        }
        let tags = tag_list(attr(&planned, "tags_all"), "Key", "Value");
        if tags.as_array().is_some_and(|t| !t.is_empty()) {
            body["Tags"] = tags;
        }
        if let Err(e) = p.json.write(&DDB, "CreateTable", body).await {
            return ApplyResponse::failed(None, e.diagnostics(&format!("creating DynamoDB table {name}")));
        }
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&name));
        let result = async {
            wait_active(p, &name).await?;
            if let Some(b) = blocks(attr(&planned, "ttl")).first().filter(|b| attr(b, "enabled").as_bool() == Some(true)) {
                set_ttl(p, &name, b).await?;
            }
            Ok::<_, Diagnostics>(())
        };
        if let Err(d) = result.await {
            return ApplyResponse::failed(Some(state), d);
        }
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let what = |x: &str| format!("updating the {x} of DynamoDB table {name}");
        let result: Result<(), Diagnostics> = async {
            if changed("billing_mode") || changed("read_capacity") || changed("write_capacity") {
                let billing = text(&planned, "billing_mode");
                let mut body = json!({ "TableName": name, "BillingMode": billing });
                if billing == "PROVISIONED" {
                    body["ProvisionedThroughput"] = throughput(&planned);
                }
                update_table(p, &name, body, &what("capacity")).await?;
            }
            if changed("stream_enabled") || (changed("stream_view_type") && attr(&planned, "stream_view_type").is_known()) {
                let on = attr(&planned, "stream_enabled").as_bool() == Some(true);
                let mut spec = json!({ "StreamEnabled": on });
                if on {
                    spec["StreamViewType"] = json!(text(&planned, "stream_view_type"));
                }
                update_table(p, &name, json!({ "TableName": name, "StreamSpecification": spec }), &what("stream")).await?;
            }
            if changed("table_class") {
                update_table(p, &name, json!({ "TableName": name, "TableClass": text(&planned, "table_class") }), &what("table class")).await?;
            }
            if changed("deletion_protection_enabled") {
                let on = attr(&planned, "deletion_protection_enabled").as_bool().unwrap_or(false);
                update_table(p, &name, json!({ "TableName": name, "DeletionProtectionEnabled": on }), &what("deletion protection")).await?;
            }
            if changed("ttl") {
                match blocks(attr(&planned, "ttl")).first() {
                    Some(b) => set_ttl(p, &name, b).await?,
                    None => {
                        if let Some(b) = blocks(attr(&prior, "ttl")).first().filter(|b| attr(b, "enabled").as_bool() == Some(true)) {
                            let off = Value::object([("attribute_name", attr(b, "attribute_name").clone()), ("enabled", Value::Bool(false))]);
                            set_ttl(p, &name, &off).await?;
                        }
                    }
                }
            }
            let target = json!({ "ResourceArn": text(&prior, "arn") });
            p.json.sync_tags(&DYNAMODB_TAGS, target, &prior, &planned).await.map_err(|e| e.diagnostics(&what("tags")))?;
            Ok(())
        }
        .await;
        if let Err(d) = result {
            let r = self.read(p, prior.clone()).await;
            return ApplyResponse::failed(r.new_state.or(Some(prior)), d);
        }
        read_back(self, p, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "id");
        match p.json.write(&DDB, "DeleteTable", json!({ "TableName": name })).await {
            Ok(_) => {}
            Err(e) if e.not_found() => return ApplyResponse::ok(None),
            Err(e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting DynamoDB table {name}"))),
        }
        // Deleting takes a while on AWS: wait until the table is gone, as the provider does.
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            match describe(p, &name).await {
                Ok(None) => return ApplyResponse::ok(None),
                Ok(Some(_)) if Instant::now() < deadline => tokio::time::sleep(Duration::from_secs(5)).await,
                Ok(Some(_)) => {
                    let why = format!("DynamoDB table {name} is still being deleted after 10 minutes.");
                    return ApplyResponse::failed(Some(prior), Diagnostic::error("Timed out deleting DynamoDB table", why).into());
                }
                Err(e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&format!("waiting for DynamoDB table {name} to be deleted"))),
            }
        }
    }
}

/// The table's description (`None` when it does not exist).
async fn describe(p: &AwsProvider, name: &str) -> Result<Option<Json>, ApiError> {
    match p.json.call(&DDB, "DescribeTable", json!({ "TableName": name })).await {
        Ok(o) => Ok(o.get("Table").cloned()),
        Err(e) if e.not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// UpdateTable, then waits until the table is active again.
async fn update_table(p: &AwsProvider, name: &str, body: Json, what: &str) -> Result<(), Diagnostics> {
    p.json.call(&DDB, "UpdateTable", body).await.map_err(|e| e.diagnostics(what))?;
    wait_active(p, name).await
}

/// Waits (up to 10 minutes) until the table is `ACTIVE`.
async fn wait_active(p: &AwsProvider, name: &str) -> Result<(), Diagnostics> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let t = describe(p, name).await.map_err(|e| e.diagnostics(&format!("waiting for DynamoDB table {name}")))?;
        let status = t.as_ref().map(|t| jtext(t, "TableStatus")).unwrap_or_default();
        if status == "ACTIVE" {
            return Ok(());
        }
        if Instant::now() > deadline {
            let why = format!("DynamoDB table {name} is {status} after 10 minutes.");
            return Err(Diagnostic::error("Timed out waiting for DynamoDB table", why).into());
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

fn throughput(planned: &Value) -> Json {
    let n = |a: &str| attr(planned, a).as_f64().unwrap_or(1.0) as i64;
    json!({ "ReadCapacityUnits": n("read_capacity"), "WriteCapacityUnits": n("write_capacity") })
}

async fn set_ttl(p: &AwsProvider, name: &str, block: &Value) -> Result<(), Diagnostics> {
    let spec = json!({ "AttributeName": text(block, "attribute_name"), "Enabled": attr(block, "enabled").as_bool().unwrap_or(false) });
    let body = json!({ "TableName": name, "TimeToLiveSpecification": spec });
    p.json.call(&DDB, "UpdateTimeToLive", body).await.map(|_| ()).map_err(|e| e.diagnostics(&format!("updating the TTL of DynamoDB table {name}")))
}

/// Sets the attributes DescribeTable answers.
fn fill(s: &mut Value, t: &Json) {
    let name = jtext(t, "TableName");
    set(s, "id", Value::string(&name));
    set(s, "name", Value::string(&name));
    set(s, "arn", Value::string(jtext(t, "TableArn")));
    let keys = t.get("KeySchema").and_then(Json::as_array).cloned().unwrap_or_default();
    let key = |kind: &str| keys.iter().find(|k| k["KeyType"] == kind).map(|k| Value::string(jtext(k, "AttributeName"))).unwrap_or(Value::Null);
    set(s, "hash_key", key("HASH"));
    set(s, "range_key", key("RANGE"));
    let defs = t.get("AttributeDefinitions").and_then(Json::as_array).cloned().unwrap_or_default();
    let defs = defs.iter().map(|d| Value::object([("name", Value::string(jtext(d, "AttributeName"))), ("type", Value::string(jtext(d, "AttributeType")))]));
    set(s, "attribute", Value::set(defs.collect()));
    let billing = t.get("BillingModeSummary").map(|b| jtext(b, "BillingMode")).filter(|b| !b.is_empty()).unwrap_or_else(|| "PROVISIONED".into());
    set(s, "billing_mode", Value::string(&billing));
    // On-demand tables report no provisioned capacity (moto keeps the old numbers).
    let on_demand = billing == "PAY_PER_REQUEST";
    let units = |k: &str| if on_demand { 0.0 } else { t.get("ProvisionedThroughput").and_then(|pt| pt.get(k)).and_then(Json::as_f64).unwrap_or(0.0) };
    set(s, "read_capacity", Value::Number(units("ReadCapacityUnits")));
    set(s, "write_capacity", Value::Number(units("WriteCapacityUnits")));
    let stream = t.get("StreamSpecification").filter(|s| s["StreamEnabled"] == true);
    set(s, "stream_enabled", Value::Bool(stream.is_some()));
    set(s, "stream_view_type", stream.map(|st| Value::string(jtext(st, "StreamViewType"))).unwrap_or(Value::Null));
    let opt = |k: &str| t.get(k).and_then(Json::as_str).filter(|v| !v.is_empty()).map(Value::string).unwrap_or(Value::Null);
    set(s, "stream_arn", if stream.is_some() { opt("LatestStreamArn") } else { Value::Null });
    set(s, "stream_label", if stream.is_some() { opt("LatestStreamLabel") } else { Value::Null });
    let class = t.get("TableClassSummary").map(|c| jtext(c, "TableClass")).filter(|c| !c.is_empty()).unwrap_or_else(|| "STANDARD".into());
    set(s, "table_class", Value::string(class));
    set(s, "deletion_protection_enabled", Value::Bool(t.get("DeletionProtectionEnabled").and_then(Json::as_bool).unwrap_or(false)));
}
