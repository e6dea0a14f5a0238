//! `google_storage_bucket_object`: `name`, `bucket`, one of `content` (sensitive, as in
//! Terraform) / `source`, `content_type`, `cache_control`, `metadata`; computed `id`
//! (`BUCKET-NAME`), `md5hash`, `crc32c`, `self_link`, `media_link`.
//!
//! The planned `md5hash` is the Base64 MD5 of the body (Cloud Storage's `md5Hash`), so an
//! object overwritten outside skyform reads back with another hash and plans an update. A new
//! name or bucket replaces the object; any other change uploads it again in place, one
//! multipart upload with its metadata (Terraform's google provider replaces it instead; the
//! result is the same object).
//!
//! Refresh in bulk: [`StorageBucketObject`]'s `read_batch` lists each bucket once (1,000
//! objects a page, every field included) and takes every managed object's state from the
//! listing.

use std::collections::HashMap;

use async_trait::async_trait;
use base64::Engine as _;
use gcloud_storage::http::objects::delete::DeleteObjectRequest;
use gcloud_storage::http::objects::get::GetObjectRequest;
use gcloud_storage::http::objects::list::ListObjectsRequest;
use gcloud_storage::http::objects::upload::{UploadObjectRequest, UploadType};
use gcloud_storage::http::objects::Object;
use md5::Digest;

use super::{gcs_error, not_found, GoogleProvider};
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::batch::{self, Listed};
use crate::provider::helpers::{attr, imported, map_value, set, string_map, text};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let s = |t| AttributeSchema::optional().typed(t);
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("name", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("bucket", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("content", s(AttrType::String).sensitive()),
            ("source", s(AttrType::String)),
            ("content_type", AttributeSchema::optional_computed().typed(AttrType::String)),
            ("cache_control", s(AttrType::String)),
            ("metadata", s(AttrType::MapOfString)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("md5hash", AttributeSchema::computed().typed(AttrType::String)),
            ("crc32c", AttributeSchema::computed().typed(AttrType::String)),
            ("self_link", AttributeSchema::computed().typed(AttrType::String)),
            ("media_link", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

/// The body to upload: `Ok(None)` while any of its sources is unknown.
fn body(v: &Value) -> Result<Option<Vec<u8>>, Diagnostics> {
    let (content, source) = (attr(v, "content").unmarked(), attr(v, "source"));
    if !content.is_known() || !source.is_known() {
        return Ok(None);
    }
    match (content.as_str(), source.as_str()) {
        (Some(_), Some(_)) => Err(Diagnostic::error("Conflicting arguments", "Only one of content and source can be set.").for_attribute("source").into()),
        (None, None) => Err(Diagnostic::error("Missing argument", "One of content or source must be set.").into()),
        (Some(c), None) => Ok(Some(c.as_bytes().to_vec())),
        (None, Some(path)) => std::fs::read(path)
            .map(Some)
            .map_err(|e| Diagnostic::error("Cannot read source", format!("Error reading source file \"{path}\": {e}.")).for_attribute("source").into()),
    }
}

fn md5_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(bytes))
}

/// Attributes whose change means uploading the object again (`md5hash` stands for the body,
/// so moving the same bytes from `content` to `source` uploads nothing).
const UPLOAD: &[&str] = &["content_type", "cache_control", "metadata", "md5hash"];

fn with_remote(mut state: Value, o: Object) -> Value {
    set(&mut state, "md5hash", o.md5_hash.map(Value::String).unwrap_or(Value::Null));
    set(&mut state, "crc32c", o.crc32c.map(Value::String).unwrap_or(Value::Null));
    set(&mut state, "content_type", o.content_type.map(Value::String).unwrap_or(Value::Null));
    set(&mut state, "cache_control", o.cache_control.map(Value::String).unwrap_or(Value::Null));
    let meta = o.metadata.unwrap_or_default();
    if !meta.is_empty() || !attr(&state, "metadata").is_null() {
        set(&mut state, "metadata", map_value(meta));
    }
    set(&mut state, "self_link", Value::String(o.self_link));
    set(&mut state, "media_link", Value::String(o.media_link));
    set(&mut state, "id", Value::String(format!("{}-{}", o.bucket, o.name)));
    state
}

async fn upload(p: &GoogleProvider, planned: Value) -> Result<Value, Diagnostics> {
    let (bucket, name) = (text(&planned, "bucket"), text(&planned, "name"));
    let bytes = body(&planned)?.unwrap_or_default();
    let meta = Object {
        name: name.clone(),
        content_type: attr(&planned, "content_type").as_str().map(str::to_string),
        cache_control: attr(&planned, "cache_control").as_str().map(str::to_string),
        metadata: match attr(&planned, "metadata") {
            Value::Map(_) => Some(string_map(attr(&planned, "metadata"))),
            _ => None,
        },
        ..Default::default()
    };
    let req = UploadObjectRequest { bucket: bucket.clone(), ..Default::default() };
    let kind = UploadType::Multipart(Box::new(meta));
    let o = super::retry(|| p.client.upload_object(&req, bytes.clone(), &kind))
        .await
        .map_err(|e| gcs_error(&format!("uploading object \"{name}\" to bucket \"{bucket}\""), &e))?;
    Ok(with_remote(planned, o))
}

/// Every object of a bucket whose name starts with `prefix`, by name. A bucket that is gone
/// has no objects.
async fn list(p: &GoogleProvider, bucket: &str, prefix: &str) -> Result<HashMap<String, Object>, Diagnostics> {
    let mut out = HashMap::new();
    let mut token = None;
    loop {
        let prefix = (!prefix.is_empty()).then(|| prefix.to_string());
        let req = ListObjectsRequest { bucket: bucket.to_string(), prefix, page_token: token.clone(), max_results: Some(1000), ..Default::default() };
        let page = match super::retry(|| p.client.list_objects(&req)).await {
            Ok(page) => page,
            Err(e) if not_found(&e) => return Ok(HashMap::new()),
            Err(e) => return Err(gcs_error(&format!("listing bucket \"{bucket}\""), &e)),
        };
        for o in page.items.unwrap_or_default() {
            out.insert(o.name.clone(), o);
        }
        match page.next_page_token {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(out),
        }
    }
}

/// `google_storage_bucket_object`.
pub struct StorageBucketObject;

#[async_trait]
impl ResourceType<GoogleProvider> for StorageBucketObject {
    fn name(&self) -> &'static str {
        "google_storage_bucket_object"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    /// Plans the body's MD5 and the id; an upload (a create, a replacement, or a changed body,
    /// content type, cache control or metadata) makes the hashes and links unknown.
    fn plan(&self, _p: &GoogleProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diagnostics = Diagnostics::new();
        let md5 = match body(&planned) {
            Ok(Some(b)) => Value::String(md5_base64(&b)),
            Ok(None) => Value::Unknown,
            Err(d) => {
                diagnostics.extend(d);
                Value::Unknown
            }
        };
        set(&mut planned, "md5hash", md5);
        let id = match (attr(&planned, "bucket").as_str(), attr(&planned, "name").as_str()) {
            (Some(b), Some(n)) => Value::String(format!("{b}-{n}")),
            _ => Value::Unknown,
        };
        set(&mut planned, "id", id);
        // A new name or bucket replaces the object (the engine derives that from the schema;
        // here it only decides which computed values stay known).
        let replaced = req
            .prior_state
            .as_ref()
            .is_some_and(|prior| GoogleProvider::types().schema(self.name()).is_some_and(|s| !s.block.force_new_changes(prior, &planned).is_empty()));
        let reupload = match &req.prior_state {
            None => true,
            Some(prior) => replaced || UPLOAD.iter().any(|a| attr(prior, a) != attr(&planned, a)),
        };
        if reupload {
            for k in ["crc32c", "media_link"] {
                set(&mut planned, k, Value::Unknown);
            }
            if req.prior_state.is_none() || replaced {
                set(&mut planned, "self_link", Value::Unknown);
            }
            if attr(&req.config, "content_type").is_null() {
                set(&mut planned, "content_type", Value::Unknown);
            }
        }
        PlanResponse { diagnostics, ..PlanResponse::planned(planned) }
    }

    /// Reads one object's metadata (one GET).
    async fn read(&self, p: &GoogleProvider, prior: Value) -> ReadResponse {
        let (bucket, name) = (text(&prior, "bucket"), text(&prior, "name"));
        let req = GetObjectRequest { bucket: bucket.clone(), object: name.clone(), ..Default::default() };
        match super::retry(|| p.client.get_object(&req)).await {
            Ok(o) => ReadResponse::found(with_remote(prior, o)),
            Err(e) if not_found(&e) => ReadResponse::gone(),
            Err(e) => ReadResponse::failed(prior, gcs_error(&format!("reading object \"{name}\" in bucket \"{bucket}\""), &e)),
        }
    }

    /// Refreshes many objects: one listing per bucket (every field included), every object's
    /// state taken from it.
    async fn read_batch(&self, p: &GoogleProvider, objects: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)> {
        batch::by_listing(
            objects,
            |v| text(v, "bucket"),
            "name",
            |v| self.read(p, v),
            |bucket, prefix| async move { list(p, &bucket, &prefix).await },
            |v, o| Listed::State(with_remote(v, o)),
        )
        .await
    }

    async fn create(&self, p: &GoogleProvider, planned: Value, _config: &Value) -> ApplyResponse {
        match upload(p, planned).await {
            Ok(v) => ApplyResponse::ok(Some(v)),
            Err(d) => ApplyResponse::failed(None, d),
        }
    }

    /// Uploads the object again when its body or upload metadata changed; otherwise nothing
    /// to send.
    async fn update(&self, p: &GoogleProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let reupload = UPLOAD.iter().any(|a| attr(&prior, a) != attr(&planned, a)) || !attr(&planned, "crc32c").is_known();
        if !reupload {
            return ApplyResponse::ok(Some(planned));
        }
        match upload(p, planned).await {
            Ok(v) => ApplyResponse::ok(Some(v)),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn delete(&self, p: &GoogleProvider, prior: Value) -> ApplyResponse {
        let (bucket, name) = (text(&prior, "bucket"), text(&prior, "name"));
        let req = DeleteObjectRequest { bucket: bucket.clone(), object: name.clone(), ..Default::default() };
        match super::retry(|| p.client.delete_object(&req)).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(e) if not_found(&e) => ApplyResponse::ok(None),
            Err(e) => ApplyResponse::failed(Some(prior), gcs_error(&format!("deleting object \"{name}\" from bucket \"{bucket}\""), &e)),
        }
    }

    /// Imports `BUCKET/NAME`.
    async fn import(&self, p: &GoogleProvider, id: String, mut state: Value) -> ImportResponse {
        let Some((bucket, name)) = id.split_once('/') else {
            return ImportResponse::failed(Diagnostic::error("Invalid import id", format!("Expected BUCKET/NAME, got \"{id}\".")).into());
        };
        set(&mut state, "bucket", Value::string(bucket));
        set(&mut state, "name", Value::string(name));
        imported(self.read(p, state).await, || format!("There is no object \"{name}\" in Cloud Storage bucket \"{bucket}\"."))
    }
}
