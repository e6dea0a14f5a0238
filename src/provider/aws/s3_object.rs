//! `aws_s3_object`: `bucket`, `key`, one of `content` / `content_base64` / `source`,
//! `content_type`, `cache_control`, `metadata`, `tags`, `etag`, `source_hash`; computed `id`
//! (the key), `version_id`, `tags_all`.
//!
//! The body's MD5 (S3's ETag for a single-part upload) is compared with the object's ETag, so an
//! object edited outside skyform reads back with another ETag and plans an update; a body that
//! differs plans `etag` as known after apply, as Terraform does (its MD5 is never shown before
//! the upload, which matters for sensitive content). A new bucket or key
//! replaces the object; anything else uploads it again in place (tags alone are re-tagged).
//!
//! Refresh in bulk: [`S3Object`]'s `read_batch` lists each bucket once (ListObjectsV2, 1,000
//! keys a page) and reads an object individually only when its listed ETag differs from the one
//! in state.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder;
use aws_sdk_s3::primitives::ByteStream;
use base64::Engine as _;
use md5::Digest;

use super::errors::{aws_error, not_found};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::batch::{self, Listed};
use crate::provider::helpers::{attr, imported, set, text};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let s = |t| AttributeSchema::optional().typed(t);
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("bucket", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("key", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("content", s(AttrType::String)),
            ("content_base64", s(AttrType::String)),
            ("source", s(AttrType::String)),
            ("source_hash", s(AttrType::String)),
            ("content_type", AttributeSchema::optional_computed().typed(AttrType::String)),
            ("cache_control", s(AttrType::String)),
            ("metadata", s(AttrType::MapOfString)),
            ("tags", s(AttrType::MapOfString)),
            ("tags_all", AttributeSchema::computed().typed(AttrType::MapOfString)),
            ("etag", AttributeSchema::optional_computed().typed(AttrType::String)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("version_id", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

/// The body to upload: `Ok(None)` while any of its sources is unknown.
pub(crate) fn body(v: &Value) -> Result<Option<Vec<u8>>, Diagnostics> {
    let (content, b64, source) = (attr(v, "content"), attr(v, "content_base64"), attr(v, "source"));
    if !content.is_known() || !b64.is_known() || !source.is_known() {
        return Ok(None);
    }
    let set_count = [content, b64, source].iter().filter(|x| !x.is_null()).count();
    if set_count > 1 {
        return Err(Diagnostic::error("Conflicting arguments", "Only one of content, content_base64 and source can be set.").into());
    }
    if let Some(s) = content.as_str() {
        return Ok(Some(s.as_bytes().to_vec()));
    }
    if let Some(s) = b64.as_str() {
        return base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(Some)
            .map_err(|e| Diagnostic::error("Invalid content_base64", format!("content_base64 is not valid Base64: {e}.")).into());
    }
    if let Some(path) = source.as_str() {
        return std::fs::read(path)
            .map(Some)
            .map_err(|e| Diagnostic::error("Cannot read source", format!("Error reading source file \"{path}\": {e}.")).for_attribute("source").into());
    }
    Ok(Some(Vec::new()))
}

/// Plans `etag` when the configuration leaves it unset: known only when the body is what the
/// object already holds; otherwise known after apply, as in Terraform (the MD5 of new content,
/// possibly sensitive, is not shown). A body that cannot be read is an error.
pub(crate) fn plan_etag(planned: &mut Value, prior: Option<&Value>, config: &Value, diagnostics: &mut Diagnostics) {
    if !attr(config, "etag").is_null() {
        return;
    }
    let prior_etag = prior.map(|p| attr(p, "etag").clone()).unwrap_or(Value::Null);
    let etag = match body(planned) {
        Ok(Some(b)) => Some(Value::String(hex::encode(md5::Md5::digest(&b)))).filter(|e| *e == prior_etag).unwrap_or(Value::Unknown),
        Ok(None) => Value::Unknown,
        Err(d) => {
            diagnostics.extend(d);
            Value::Unknown
        }
    };
    set(planned, "etag", etag);
}

/// Attributes whose change means uploading the object again.
const UPLOAD: &[&str] = &["content", "content_base64", "source", "source_hash", "content_type", "cache_control", "metadata", "etag"];

fn tagging_query(tags_all: &Value) -> Option<String> {
    let Value::Map(m) = tags_all else { return None };
    if m.is_empty() {
        return None;
    }
    let enc = |s: &str| url_encode(s);
    Some(m.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v.as_str().unwrap_or_default()))).collect::<Vec<_>>().join("&"))
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

async fn upload(p: &AwsProvider, planned: Value) -> Result<Value, Diagnostics> {
    let tagging = tagging_query(attr(&planned, "tags_all"));
    upload_with(p, planned, |put| put.set_tagging(tagging)).await
}

/// Uploads the body of `planned` with its `content_type`, `cache_control` and `metadata`, and
/// what `more` adds to the request (the settings of the calling type); returns `planned` with
/// the object's `etag`, `version_id` and the content type S3 gives an object sent without one.
pub(crate) async fn upload_with(
    p: &AwsProvider,
    mut planned: Value,
    more: impl FnOnce(PutObjectFluentBuilder) -> PutObjectFluentBuilder,
) -> Result<Value, Diagnostics> {
    let bucket = attr(&planned, "bucket").as_str().unwrap_or_default().to_string();
    let key = attr(&planned, "key").as_str().unwrap_or_default().to_string();
    let bytes = body(&planned)?.unwrap_or_default();
    let metadata: Option<HashMap<String, String>> = match attr(&planned, "metadata") {
        Value::Map(m) => Some(m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()),
        _ => None,
    };
    let content_type = attr(&planned, "content_type").as_str().map(str::to_string);
    let put = p
        .s3_write
        .put_object()
        .bucket(&bucket)
        .key(&key)
        .body(ByteStream::from(bytes))
        .set_content_type(content_type.clone())
        .set_cache_control(attr(&planned, "cache_control").as_str().map(str::to_string))
        .set_metadata(metadata);
    let out = more(put).send().await.map_err(|e| aws_error(&format!("uploading S3 object \"{key}\" to bucket \"{bucket}\""), &e))?;
    set(&mut planned, "etag", out.e_tag().map(|e| Value::string(e.trim_matches('"'))).unwrap_or(Value::Null));
    set(&mut planned, "version_id", out.version_id().filter(|v| *v != "null").map(Value::string).unwrap_or(Value::Null));
    if content_type.is_none() {
        set(&mut planned, "content_type", Value::string("binary/octet-stream"));
    }
    Ok(planned)
}

async fn retag(p: &AwsProvider, planned: &Value) -> Result<(), Diagnostics> {
    let bucket = attr(planned, "bucket").as_str().unwrap_or_default().to_string();
    let key = attr(planned, "key").as_str().unwrap_or_default().to_string();
    let tags: Vec<aws_sdk_s3::types::Tag> = match attr(planned, "tags_all") {
        Value::Map(m) => m.iter().filter_map(|(k, v)| aws_sdk_s3::types::Tag::builder().key(k).value(v.as_str().unwrap_or_default()).build().ok()).collect(),
        _ => Vec::new(),
    };
    let what = format!("tagging S3 object \"{key}\" in bucket \"{bucket}\"");
    if tags.is_empty() {
        p.s3.delete_object_tagging().bucket(&bucket).key(&key).send().await.map_err(|e| aws_error(&what, &e))?;
    } else {
        let tagging = aws_sdk_s3::types::Tagging::builder()
            .set_tag_set(Some(tags))
            .build()
            .map_err(|e| -> Diagnostics { Diagnostic::error("Invalid tags", e.to_string()).into() })?;
        p.s3.put_object_tagging().bucket(&bucket).key(&key).tagging(tagging).send().await.map_err(|e| aws_error(&what, &e))?;
    }
    Ok(())
}

/// Every key of a bucket starting with `prefix`, with its ETag. A bucket that is gone has no
/// objects.
pub(crate) async fn list_etags(p: &AwsProvider, bucket: &str, prefix: &str) -> Result<HashMap<String, String>, Diagnostics> {
    let mut out = HashMap::new();
    let mut token: Option<String> = None;
    loop {
        let page = match p
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix((!prefix.is_empty()).then(|| prefix.to_string()))
            .set_continuation_token(token.clone())
            .send()
            .await
        {
            Ok(page) => page,
            Err(e) if not_found(&e) => return Ok(HashMap::new()),
            Err(e) => return Err(aws_error(&format!("listing S3 bucket \"{bucket}\""), &e)),
        };
        for o in page.contents() {
            if let (Some(k), Some(e)) = (o.key(), o.e_tag()) {
                out.insert(k.to_string(), e.trim_matches('"').to_string());
            }
        }
        match page.next_continuation_token() {
            Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

/// `aws_s3_object`.
pub struct S3Object;

#[async_trait]
impl ResourceType<AwsProvider> for S3Object {
    fn name(&self) -> &'static str {
        "aws_s3_object"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let key = attr(&planned, "key").clone();
        set(&mut planned, "id", key);
        let tags_all = p.tags_all(attr(&planned, "tags"));
        set(&mut planned, "tags_all", tags_all);
        let mut diagnostics = Diagnostics::new();
        plan_etag(&mut planned, req.prior_state.as_ref(), &req.config, &mut diagnostics);
        match &req.prior_state {
            // `version_id` (computed-only) is already unknown on create.
            None => {
                if attr(&planned, "content_type").is_null() {
                    set(&mut planned, "content_type", Value::Unknown);
                }
            }
            // A new bucket or key replaces the object: the engine then plans a create.
            Some(prior) => {
                if UPLOAD.iter().any(|a| attr(prior, a) != attr(&planned, a)) {
                    set(&mut planned, "version_id", Value::Unknown);
                }
            }
        }
        PlanResponse { diagnostics, ..PlanResponse::planned(planned) }
    }

    /// Reads one object (HeadObject and GetObjectTagging).
    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let bucket = attr(&prior, "bucket").as_str().unwrap_or_default().to_string();
        let key = attr(&prior, "key").as_str().unwrap_or_default().to_string();
        let head = match p.s3.head_object().bucket(&bucket).key(&key).send().await {
            Ok(h) => h,
            Err(e) if not_found(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading S3 object \"{key}\" in bucket \"{bucket}\""), &e)),
        };
        let mut state = prior;
        set(&mut state, "etag", head.e_tag().map(|e| Value::string(e.trim_matches('"'))).unwrap_or(Value::Null));
        set(&mut state, "content_type", head.content_type().map(Value::string).unwrap_or(Value::Null));
        set(&mut state, "cache_control", head.cache_control().map(Value::string).unwrap_or(Value::Null));
        set(&mut state, "version_id", head.version_id().filter(|v| *v != "null").map(Value::string).unwrap_or(Value::Null));
        let meta: BTreeMap<String, Value> = head.metadata().map(|m| m.iter().map(|(k, v)| (k.clone(), Value::string(v))).collect()).unwrap_or_default();
        if !meta.is_empty() || !attr(&state, "metadata").is_null() {
            set(&mut state, "metadata", Value::Map(Arc::new(meta)));
        }
        match p.s3.get_object_tagging().bucket(&bucket).key(&key).send().await {
            Ok(t) => {
                let tags: BTreeMap<String, String> = t.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect();
                let own = p.own_tags(&tags, attr(&state, "tags"));
                set(&mut state, "tags", own);
                set(&mut state, "tags_all", Value::Map(Arc::new(tags.iter().map(|(k, v)| (k.clone(), Value::string(v))).collect())));
            }
            Err(e) => return ReadResponse::failed(state, aws_error(&format!("reading the tags of S3 object \"{key}\""), &e)),
        }
        ReadResponse::found(state)
    }

    /// Refreshes many objects: one ListObjectsV2 pass per bucket, then individual reads only
    /// for objects whose ETag changed.
    async fn read_batch(&self, p: &AwsProvider, objects: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)> {
        batch::by_listing(
            objects,
            |v| text(v, "bucket"),
            "key",
            |v| self.read(p, v),
            |bucket, prefix| async move { list_etags(p, &bucket, &prefix).await },
            |v, etag: String| if attr(&v, "etag").as_str() == Some(etag.as_str()) { Listed::State(v) } else { Listed::ReadAlone(v) },
        )
        .await
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        match upload(p, planned).await {
            Ok(v) => ApplyResponse::ok(Some(v)),
            Err(d) => ApplyResponse::failed(None, d),
        }
    }

    /// Uploads the object again when its body or upload settings changed; re-tags it otherwise.
    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let reupload = UPLOAD.iter().any(|a| attr(&prior, a) != attr(&planned, a)) || !attr(&planned, "version_id").is_known();
        let result = if reupload { upload(p, planned).await } else { retag(p, &planned).await.map(|()| planned) };
        match result {
            Ok(v) => ApplyResponse::ok(Some(v)),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let bucket = attr(&prior, "bucket").as_str().unwrap_or_default().to_string();
        let key = attr(&prior, "key").as_str().unwrap_or_default().to_string();
        match p.s3_write.delete_object().bucket(&bucket).key(&key).send().await {
            Ok(_) => ApplyResponse::ok(None),
            Err(e) if not_found(&e) => ApplyResponse::ok(None),
            Err(e) => ApplyResponse::failed(Some(prior), aws_error(&format!("deleting S3 object \"{key}\" from bucket \"{bucket}\""), &e)),
        }
    }

    /// Imports `BUCKET/KEY` (Terraform's import id for objects).
    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let Some((bucket, key)) = id.split_once('/') else {
            return ImportResponse::failed(Diagnostic::error("Invalid import id", format!("Expected BUCKET/KEY, got \"{id}\".")).into());
        };
        let mut state = blank;
        set(&mut state, "bucket", Value::string(bucket));
        set(&mut state, "key", Value::string(key));
        set(&mut state, "id", Value::string(key));
        imported(self.read(p, state).await, || format!("There is no S3 object \"{key}\" in bucket \"{bucket}\"."))
    }
}
