//! `google_storage_bucket`: `name`, `location`, `project`, `storage_class`, `force_destroy`,
//! `labels`, `versioning { enabled }`, `uniform_bucket_level_access`; computed `id` (the
//! name), `url` (`gs://NAME`), `self_link`. A new name, location or project replaces the
//! bucket; the storage class, labels, versioning and uniform access change in place (one PATCH).
//! `force_destroy` deletes every object (all generations) before deleting the bucket.

use std::collections::HashMap;

use async_trait::async_trait;

use gcloud_storage::http::buckets::delete::DeleteBucketRequest;
use gcloud_storage::http::buckets::insert::{BucketCreationConfig, InsertBucketParam, InsertBucketRequest};
use gcloud_storage::http::buckets::{iam_configuration::UniformBucketLevelAccess, IamConfiguration, Versioning};
use gcloud_storage::http::objects::delete::DeleteObjectRequest;
use gcloud_storage::http::objects::list::ListObjectsRequest;

use super::{gcs_error, not_found, GoogleProvider};
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, map_value, set, string_map, text};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let mut block = BlockSchema::new([
        ("name", AttributeSchema::required().force_new().typed(AttrType::String)),
        ("location", AttributeSchema::required().force_new().typed(AttrType::String)),
        ("project", AttributeSchema::optional_computed().force_new().typed(AttrType::String)),
        ("storage_class", AttributeSchema::optional_computed().typed(AttrType::String)),
        ("force_destroy", AttributeSchema::optional_computed().typed(AttrType::Bool)),
        ("labels", AttributeSchema::optional().typed(AttrType::MapOfString)),
        ("uniform_bucket_level_access", AttributeSchema::optional_computed().typed(AttrType::Bool)),
        ("id", AttributeSchema::computed().typed(AttrType::String)),
        ("url", AttributeSchema::computed().typed(AttrType::String)),
        ("self_link", AttributeSchema::computed().typed(AttrType::String)),
    ])
    .with_block("versioning", Nesting::List, BlockSchema::new([("enabled", AttributeSchema::required().typed(AttrType::Bool))]));
    if let Some(b) = block.blocks.get_mut("versioning") {
        b.max_items = Some(1);
    }
    ResourceSchema { version: 0, block }
}

/// Cloud Storage's bucket naming rules (the common ones; checked before any call).
pub fn name_problem(name: &str) -> Option<&'static str> {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.');
    if !(3..=222).contains(&name.len()) || (!name.contains('.') && name.len() > 63) {
        Some("must be 3 to 63 characters long (222 with dots)")
    } else if !name.chars().all(ok) {
        Some("may contain only lowercase letters, digits, dashes, underscores and dots")
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) || !name.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        Some("must begin and end with a letter or digit")
    } else if name.starts_with("goog") {
        Some("must not begin with \"goog\"")
    } else {
        None
    }
}

/// `versioning[0].enabled`, if configured.
fn versioning(v: &Value) -> Option<bool> {
    match attr(v, "versioning") {
        Value::List(items) => items.first().and_then(|b| b.get_attr("enabled")).and_then(|e| if let Value::Bool(b) = e { Some(*b) } else { None }),
        _ => None,
    }
}

fn versioning_value(enabled: bool) -> Value {
    Value::List(vec![Value::object([("enabled".to_string(), Value::Bool(enabled))])])
}

fn labels(v: &Value) -> Option<HashMap<String, String>> {
    match attr(v, "labels") {
        Value::Map(_) => Some(string_map(attr(v, "labels"))),
        _ => None,
    }
}

fn uniform(v: &Value) -> Option<IamConfiguration> {
    let Value::Bool(enabled) = *attr(v, "uniform_bucket_level_access") else { return None };
    Some(IamConfiguration { uniform_bucket_level_access: Some(UniformBucketLevelAccess { enabled, locked_time: None }), public_access_prevention: None })
}

/// Sends one PATCH with the planned in-place attributes that differ from `current`, and only
/// those (a label no longer configured is sent as null, which removes it).
async fn patch_if_changed(p: &GoogleProvider, current: &Value, planned: &Value) -> Result<(), Diagnostics> {
    use serde_json::{json, Map, Value as Json};
    let mut body = Map::new();
    let changed = |k: &str| attr(current, k) != attr(planned, k) && attr(planned, k).is_known();
    if changed("storage_class") {
        body.insert("storageClass".into(), json!(text(planned, "storage_class")));
    }
    if attr(current, "labels") != attr(planned, "labels") {
        let want = labels(planned).unwrap_or_default();
        let mut l: Map<String, Json> = want.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        for k in labels(current).unwrap_or_default().keys() {
            l.entry(k.clone()).or_insert(Json::Null);
        }
        body.insert("labels".into(), Json::Object(l));
    }
    if attr(current, "versioning") != attr(planned, "versioning") {
        let enabled = versioning(planned).unwrap_or(false);
        if enabled || versioning(current).unwrap_or(false) {
            body.insert("versioning".into(), json!({ "enabled": enabled }));
        }
    }
    if changed("uniform_bucket_level_access") {
        let enabled = matches!(attr(planned, "uniform_bucket_level_access"), Value::Bool(true));
        body.insert("iamConfiguration".into(), json!({ "uniformBucketLevelAccess": { "enabled": enabled } }));
    }
    if body.is_empty() {
        return Ok(());
    }
    let name = text(planned, "name");
    let (path, body) = (GoogleProvider::bucket_path(&name), Json::Object(body));
    super::retry(|| p.json(reqwest::Method::PATCH, &path, Some(&body))).await.map(|_| ()).map_err(|e| gcs_error(&format!("updating bucket \"{name}\""), &e))
}

/// Deletes every object generation in a bucket.
async fn empty(p: &GoogleProvider, bucket: &str) -> Result<(), Diagnostics> {
    let mut token = None;
    loop {
        let req = ListObjectsRequest { bucket: bucket.to_string(), versions: Some(true), page_token: token.clone(), ..Default::default() };
        let page = super::retry(|| p.client.list_objects(&req)).await.map_err(|e| gcs_error(&format!("listing bucket \"{bucket}\""), &e))?;
        for o in page.items.unwrap_or_default() {
            let req = DeleteObjectRequest {
                bucket: bucket.to_string(),
                object: o.name.clone(),
                generation: Some(o.generation).filter(|g| *g != 0),
                ..Default::default()
            };
            match super::retry(|| p.client.delete_object(&req)).await {
                Ok(()) => {}
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(gcs_error(&format!("deleting object \"{}\" from bucket \"{bucket}\"", o.name), &e)),
            }
        }
        match page.next_page_token {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(()),
        }
    }
}

/// The state from a bucket resource of the JSON API.
fn with_remote(p: &GoogleProvider, mut state: Value, b: &serde_json::Value) -> Value {
    let upper = |k: &str| Value::String(b[k].as_str().unwrap_or_default().to_ascii_uppercase());
    let name = b["name"].as_str().unwrap_or_default().to_string();
    let prior_versioning = versioning(&state);
    set(&mut state, "location", upper("location"));
    set(&mut state, "storage_class", upper("storageClass"));
    // A label patched to null is gone (the emulator keeps it as a null value).
    let labels: Vec<(String, String)> =
        b["labels"].as_object().map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()).unwrap_or_default();
    if !labels.is_empty() || !attr(&state, "labels").is_null() {
        set(&mut state, "labels", map_value(labels));
    }
    let enabled = b["versioning"]["enabled"].as_bool().unwrap_or(false);
    let v = if enabled || prior_versioning.is_some() { versioning_value(enabled) } else { Value::List(Vec::new()) };
    set(&mut state, "versioning", v);
    let uniform = b["iamConfiguration"]["uniformBucketLevelAccess"]["enabled"].as_bool().unwrap_or(false);
    set(&mut state, "uniform_bucket_level_access", Value::Bool(uniform));
    set(&mut state, "id", Value::String(name.clone()));
    set(&mut state, "url", Value::String(format!("gs://{name}")));
    set(&mut state, "self_link", Value::String(p.bucket_link(&name)));
    if attr(&state, "force_destroy").is_null() {
        set(&mut state, "force_destroy", Value::Bool(false));
    }
    state
}

/// `google_storage_bucket`.
pub struct StorageBucket;

#[async_trait]
impl ResourceType<GoogleProvider> for StorageBucket {
    fn name(&self) -> &'static str {
        "google_storage_bucket"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    /// Checks the name; upper-cases the location and storage class as Cloud Storage reports
    /// them; fills Terraform's defaults and the provider's project; `id`, `url` and
    /// `self_link` are known from the name.
    fn plan(&self, p: &GoogleProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diagnostics = Diagnostics::new();
        if let Some(name) = attr(&req.config, "name").as_str() {
            if let Some(why) = name_problem(name) {
                diagnostics.extend(Diagnostics::from(
                    Diagnostic::error("Invalid bucket name", format!("\"{name}\" is not a valid Cloud Storage bucket name: it {why}.")).for_attribute("name"),
                ));
            }
        }
        // Cloud Storage reports locations and storage classes in upper case.
        for k in ["location", "storage_class"] {
            if let Some(s) = attr(&planned, k).as_str() {
                let upper = s.to_ascii_uppercase();
                set(&mut planned, k, Value::String(upper));
            }
        }
        // Terraform's defaults apply whenever the argument is not set (removing it from the
        // configuration goes back to the default, it does not keep the last value).
        if attr(&req.config, "storage_class").is_null() {
            set(&mut planned, "storage_class", Value::string("STANDARD"));
        }
        if attr(&req.config, "force_destroy").is_null() {
            set(&mut planned, "force_destroy", Value::Bool(false));
        }
        // Uniform access is optional and computed: unset, it is whatever the bucket has (an
        // organization policy may enforce it).
        if req.prior_state.is_none() && attr(&planned, "uniform_bucket_level_access").is_null() {
            set(&mut planned, "uniform_bucket_level_access", Value::Unknown);
        }
        if attr(&planned, "project").is_null() {
            match &p.project {
                Some(project) => set(&mut planned, "project", Value::string(project)),
                None => diagnostics.extend(Diagnostics::from(Diagnostic::error(
                    "Missing project",
                    "Set `project` in the provider \"google\" block or on the bucket, or the GOOGLE_PROJECT environment variable.",
                ))),
            }
        }
        let derived = |f: &dyn Fn(&str) -> String| attr(&planned, "name").as_str().map(|n| Value::String(f(n))).unwrap_or(Value::Unknown);
        let (id, url, link) = (derived(&|n| n.to_string()), derived(&|n| format!("gs://{n}")), derived(&|n| p.bucket_link(n)));
        set(&mut planned, "id", id);
        set(&mut planned, "url", url);
        set(&mut planned, "self_link", link);
        PlanResponse { diagnostics, ..PlanResponse::planned(planned) }
    }

    /// Reads the bucket (one GET).
    async fn read(&self, p: &GoogleProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "name");
        let path = GoogleProvider::bucket_path(&name);
        match super::retry(|| p.json(reqwest::Method::GET, &path, None)).await {
            Ok(b) => ReadResponse::found(with_remote(p, prior, &b)),
            Err(e) if not_found(&e) => ReadResponse::gone(),
            Err(e) => ReadResponse::failed(prior, gcs_error(&format!("reading bucket \"{name}\""), &e)),
        }
    }

    async fn create(&self, p: &GoogleProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&planned, "name");
        let insert = InsertBucketRequest {
            name: name.clone(),
            param: InsertBucketParam { project: text(&planned, "project"), ..Default::default() },
            bucket: BucketCreationConfig {
                location: text(&planned, "location"),
                storage_class: Some(text(&planned, "storage_class")),
                labels: labels(&planned),
                versioning: versioning(&planned).map(|enabled| Versioning { enabled }),
                iam_configuration: uniform(&planned),
                ..Default::default()
            },
        };
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let inserted = super::retry(|| {
            attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            p.client.insert_bucket(&insert)
        })
        .await
        .map(|b| serde_json::to_value(&b).unwrap_or_default());
        let inserted = match inserted {
            // A retried insert whose first attempt did succeed (the answer was lost) meets
            // its own bucket: the bucket is ours.
            Err(e) if super::status(&e) == Some(409) && attempts.into_inner() > 1 => {
                let path = GoogleProvider::bucket_path(&name);
                p.json(reqwest::Method::GET, &path, None).await.map_err(|_| e)
            }
            other => other,
        };
        match inserted {
            // A service that ignored part of the insert (emulators do) gets it as a PATCH.
            Ok(b) => {
                let remote = with_remote(p, planned.clone(), &b);
                match patch_if_changed(p, &remote, &planned).await {
                    Ok(()) => {
                        let mut state = planned;
                        if !attr(&state, "uniform_bucket_level_access").is_known() {
                            set(&mut state, "uniform_bucket_level_access", attr(&remote, "uniform_bucket_level_access").clone());
                        }
                        ApplyResponse::ok(Some(state))
                    }
                    Err(d) => ApplyResponse::failed(Some(remote), d),
                }
            }
            Err(e) => ApplyResponse::failed(None, gcs_error(&format!("creating bucket \"{name}\""), &e)),
        }
    }

    /// One PATCH with the changed storage class, labels, versioning and uniform access.
    async fn update(&self, p: &GoogleProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        match patch_if_changed(p, &prior, &planned).await {
            Ok(()) => ApplyResponse::ok(Some(planned)),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    /// Deletes the bucket, after every object generation in it when `force_destroy` is set.
    async fn delete(&self, p: &GoogleProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "name");
        if matches!(attr(&prior, "force_destroy"), Value::Bool(true)) {
            if let Err(d) = empty(p, &name).await {
                return ApplyResponse::failed(Some(prior), d);
            }
        }
        let req = DeleteBucketRequest { bucket: name.clone(), ..Default::default() };
        match super::retry(|| p.client.delete_bucket(&req)).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(e) if not_found(&e) => ApplyResponse::ok(None),
            Err(e) => {
                let mut d = gcs_error(&format!("deleting bucket \"{name}\""), &e);
                if super::status(&e) == Some(409) {
                    d = Diagnostic::error(
                        "Bucket not empty",
                        format!("Bucket \"{name}\" still holds objects. Set force_destroy = true (and apply) to delete them with the bucket."),
                    )
                    .into();
                }
                ApplyResponse::failed(Some(prior), d)
            }
        }
    }

    /// Imports a bucket by name (or `PROJECT/NAME`, as Terraform accepts).
    async fn import(&self, p: &GoogleProvider, id: String, mut state: Value) -> ImportResponse {
        let (project, name) = match id.split_once('/') {
            Some((project, name)) => (Some(project.to_string()), name.to_string()),
            None => (p.project.clone(), id.clone()),
        };
        set(&mut state, "name", Value::string(&name));
        set(&mut state, "project", project.map(Value::String).unwrap_or(Value::Null));
        imported(self.read(p, state).await, || format!("There is no Cloud Storage bucket \"{name}\"."))
    }
}
