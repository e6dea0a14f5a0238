//! `digitalocean_spaces_bucket_object`: `region`, `bucket`, `key` (all force-new), one of
//! `content` / `content_base64` / `source`, `acl` (`private`, the default, or `public-read`),
//! `cache_control`, `content_disposition`, `content_encoding`, `content_language`,
//! `content_type`, `metadata` (lower-case keys), `website_redirect`, `etag`, `force_destroy`;
//! computed `id` (the key) and `version_id`.
//!
//! As for `aws_s3_object` (whose body and listing code this uses): the body's MD5 is compared
//! with the object's ETag, so content changed outside skyform plans an update, and a new body
//! plans `etag` as known after apply. A changed ACL alone is set with PutObjectAcl; any other
//! change uploads the object again, except a body source changed to the same bytes (`content`
//! moved to `source`, `source` set after an import), which uploads nothing. Deleting an object of a versioned bucket deletes every
//! version of its key, as Terraform's provider does. Refresh in bulk lists each bucket once.
//! Imported by `REGION,BUCKET,KEY` (Terraform's provider cannot import objects).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_s3::types::{Delete, ObjectCannedAcl, ObjectIdentifier};
use md5::Digest;

use super::{acl_problem, canned_acl, spaces_error, DigitalOceanProvider};
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::aws::s3_bucket::not_found;
use crate::provider::aws::s3_object::{body, list_etags, plan_etag, upload_with};
use crate::provider::aws::{aws_error, AwsProvider};
use crate::provider::batch::{self, Listed};
use crate::provider::helpers::{attr, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const TYPE: &str = "digitalocean_spaces_bucket_object";

/// Where the body comes from.
const BODY: &[&str] = &["content", "content_base64", "source"];

/// Settings whose change means uploading the object again (`etag` stands for the body: it is
/// planned unknown when the body is new).
const UPLOAD: &[&str] =
    &["cache_control", "content_disposition", "content_encoding", "content_language", "content_type", "metadata", "website_redirect", "etag"];

fn opt(v: &Value, name: &str) -> Option<String> {
    attr(v, name).as_str().map(str::to_string)
}

fn str_or_null(s: Option<&str>) -> Value {
    s.map(Value::string).unwrap_or(Value::Null)
}

/// The MD5 of the body of `v`, when it can be known (hex, as S3 reports single-part ETags).
fn body_md5(v: &Value) -> Option<String> {
    body(v).ok().flatten().map(|b| hex::encode(md5::Md5::digest(&b)))
}

/// Whether `planned` needs an upload over `prior`: a changed setting, or a changed body source
/// whose bytes differ from the object's (the same bytes moved from `content` to `source`, or a
/// `source` set after an import, upload nothing).
fn needs_upload(prior: &Value, planned: &Value) -> bool {
    let changed = |names: &[&str]| names.iter().any(|a| attr(prior, a) != attr(planned, a));
    changed(UPLOAD) || (changed(BODY) && body_md5(planned).is_none_or(|m| attr(prior, "etag").as_str() != Some(m.as_str())))
}

/// Uploads the object with every setting of `planned` (the AWS driver's upload, with Spaces'
/// ACL and headers); returns it with the ETag and version.
async fn upload(p: &AwsProvider, planned: Value) -> Result<Value, Diagnostics> {
    let acl = ObjectCannedAcl::from(text(&planned, "acl").as_str());
    let (disposition, encoding) = (opt(&planned, "content_disposition"), opt(&planned, "content_encoding"));
    let (language, redirect) = (opt(&planned, "content_language"), opt(&planned, "website_redirect"));
    upload_with(p, planned, |put| {
        put.acl(acl).set_content_disposition(disposition).set_content_encoding(encoding).set_content_language(language).set_website_redirect_location(redirect)
    })
    .await
}

/// Deletes every version and delete marker of one key (a versioned bucket's object).
async fn delete_versions(p: &AwsProvider, bucket: &str, key: &str, force: bool) -> Result<(), Diagnostics> {
    let what = format!("deleting S3 object \"{key}\" from bucket \"{bucket}\"");
    let (mut key_marker, mut version_marker): (Option<String>, Option<String>) = (None, None);
    loop {
        let page = match p.s3.list_object_versions().bucket(bucket).prefix(key).set_key_marker(key_marker).set_version_id_marker(version_marker).send().await {
            Ok(page) => page,
            Err(e) if not_found(&e) => return Ok(()),
            Err(e) => return Err(aws_error(&what, &e)),
        };
        let versions = page.versions().iter().map(|v| (v.key(), v.version_id()));
        let markers = page.delete_markers().iter().map(|m| (m.key(), m.version_id()));
        let ids: Vec<ObjectIdentifier> = versions
            .chain(markers)
            .filter(|(k, _)| *k == Some(key))
            .filter_map(|(_, v)| ObjectIdentifier::builder().key(key).set_version_id(v.map(str::to_string)).build().ok())
            .collect();
        if !ids.is_empty() {
            let delete = Delete::builder()
                .set_objects(Some(ids))
                .build()
                .map_err(|e| -> Diagnostics { Diagnostic::error("Invalid delete request", e.to_string()).into() })?;
            p.s3_write.delete_objects().bucket(bucket).delete(delete).bypass_governance_retention(force).send().await.map_err(|e| aws_error(&what, &e))?;
        }
        if page.is_truncated() != Some(true) {
            return Ok(());
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
    }
}

/// Reads one object (HeadObject and GetObjectAcl) into `state`; `None` when it is gone.
async fn read_object(p: &AwsProvider, mut state: Value) -> Result<Option<Value>, Diagnostics> {
    let (bucket, key) = (text(&state, "bucket"), text(&state, "key"));
    let what = format!("reading S3 object \"{key}\" in bucket \"{bucket}\"");
    let head = match p.s3.head_object().bucket(&bucket).key(&key).send().await {
        Ok(h) => h,
        Err(e) if not_found(&e) => return Ok(None),
        Err(e) => return Err(aws_error(&what, &e)),
    };
    set(&mut state, "etag", str_or_null(head.e_tag().map(|e| e.trim_matches('"'))));
    set(&mut state, "version_id", str_or_null(head.version_id().filter(|v| *v != "null")));
    set(&mut state, "content_type", str_or_null(head.content_type()));
    set(&mut state, "cache_control", str_or_null(head.cache_control()));
    set(&mut state, "content_disposition", str_or_null(head.content_disposition()));
    set(&mut state, "content_encoding", str_or_null(head.content_encoding()));
    set(&mut state, "content_language", str_or_null(head.content_language()));
    set(&mut state, "website_redirect", str_or_null(head.website_redirect_location()));
    let meta: BTreeMap<String, Value> = head.metadata().map(|m| m.iter().map(|(k, v)| (k.clone(), Value::string(v))).collect()).unwrap_or_default();
    if !meta.is_empty() || !attr(&state, "metadata").is_null() {
        set(&mut state, "metadata", Value::Map(Arc::new(meta)));
    }
    let acl = p.s3.get_object_acl().bucket(&bucket).key(&key).send().await.map_err(|e| aws_error(&format!("reading the ACL of S3 object \"{key}\""), &e))?;
    set(&mut state, "acl", Value::string(canned_acl(acl.grants())));
    Ok(Some(state))
}

/// `digitalocean_spaces_bucket_object`.
pub struct SpacesBucketObject;

impl SpacesBucketObject {
    /// The client of the object's region.
    async fn client(c: &DigitalOceanProvider, v: &Value) -> Result<Arc<AwsProvider>, Diagnostics> {
        c.spaces(&text(v, "region")).await
    }
}

#[async_trait]
impl ResourceType<DigitalOceanProvider> for SpacesBucketObject {
    fn name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> ResourceSchema {
        resource(TYPE)
            .implement(&[
                "region",
                "bucket",
                "key",
                "content",
                "content_base64",
                "source",
                "acl",
                "cache_control",
                "content_disposition",
                "content_encoding",
                "content_language",
                "content_type",
                "metadata",
                "website_redirect",
                "etag",
                "force_destroy",
                "id",
                "version_id",
            ])
            .computed_only(&["id"])
            .defaulted(&["acl", "force_destroy"])
            .force_new(&["region", "bucket", "key"])
            .build()
    }

    fn plan(&self, _c: &DigitalOceanProvider, req: PlanRequest) -> PlanResponse {
        let mut diagnostics = Diagnostics::new();
        if let Some(d) = acl_problem(&req.config) {
            diagnostics.push(d);
        }
        if let Some(m) = attr(&req.config, "metadata").as_map() {
            for k in m.keys().filter(|k| k.chars().any(|c| c.is_uppercase())) {
                diagnostics.push(
                    Diagnostic::error("Invalid metadata", format!("Metadata key \"{k}\" must be lower case (Spaces stores metadata keys in lower case)."))
                        .for_attribute("metadata"),
                );
            }
        }
        let mut planned = req.proposed_new_state;
        for (name, default) in [("acl", Value::string("private")), ("force_destroy", Value::Bool(false))] {
            if attr(&req.config, name).is_null() {
                set(&mut planned, name, default);
            }
        }
        let key = attr(&planned, "key").clone();
        set(&mut planned, "id", key);
        plan_etag(&mut planned, req.prior_state.as_ref(), &req.config, &mut diagnostics);
        match &req.prior_state {
            None if attr(&planned, "content_type").is_null() => set(&mut planned, "content_type", Value::Unknown),
            None => {}
            Some(prior) if needs_upload(prior, &planned) => set(&mut planned, "version_id", Value::Unknown),
            Some(_) => {}
        }
        PlanResponse { diagnostics, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, c: &DigitalOceanProvider, prior: Value) -> ReadResponse {
        let p = match Self::client(c, &prior).await {
            Ok(p) => p,
            Err(d) => return ReadResponse::failed(prior, d),
        };
        match read_object(&p, prior.clone()).await {
            Ok(Some(state)) => ReadResponse::found(state),
            Ok(None) => ReadResponse::gone(),
            Err(d) => ReadResponse::failed(prior, spaces_error(d)),
        }
    }

    /// Refreshes many objects: one listing per bucket, then individual reads only for objects
    /// whose ETag changed.
    async fn read_batch(&self, c: &DigitalOceanProvider, objects: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)> {
        batch::by_listing(
            objects,
            |v| (text(v, "region"), text(v, "bucket")),
            "key",
            |v| self.read(c, v),
            |(region, bucket), prefix| async move {
                let p = c.spaces(&region).await?;
                list_etags(&p, &bucket, &prefix).await.map_err(spaces_error)
            },
            |v, etag: String| if attr(&v, "etag").as_str() == Some(etag.as_str()) { Listed::State(v) } else { Listed::ReadAlone(v) },
        )
        .await
    }

    async fn create(&self, c: &DigitalOceanProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let result = match Self::client(c, &planned).await {
            Ok(p) => upload(&p, planned).await.map_err(spaces_error),
            Err(d) => Err(d),
        };
        match result {
            Ok(v) => ApplyResponse::ok(Some(v)),
            Err(d) => ApplyResponse::failed(None, d),
        }
    }

    /// Uploads the object again when its body or upload settings changed; sets its ACL alone
    /// when only that changed.
    async fn update(&self, c: &DigitalOceanProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let p = match Self::client(c, &planned).await {
            Ok(p) => p,
            Err(d) => return ApplyResponse::failed(Some(prior), d),
        };
        let reupload = needs_upload(&prior, &planned) || !attr(&planned, "version_id").is_known();
        let result = if reupload {
            upload(&p, planned).await
        } else if attr(&prior, "acl") != attr(&planned, "acl") {
            let (bucket, key) = (text(&planned, "bucket"), text(&planned, "key"));
            let acl = ObjectCannedAcl::from(text(&planned, "acl").as_str());
            match p.s3_write.put_object_acl().bucket(&bucket).key(&key).acl(acl).send().await {
                Ok(_) => Ok(planned),
                Err(e) => Err(aws_error(&format!("setting the ACL of S3 object \"{key}\" in bucket \"{bucket}\""), &e)),
            }
        } else {
            Ok(planned)
        };
        match result {
            Ok(v) => ApplyResponse::ok(Some(v)),
            Err(d) => ApplyResponse::failed(Some(prior), spaces_error(d)),
        }
    }

    async fn delete(&self, c: &DigitalOceanProvider, prior: Value) -> ApplyResponse {
        let p = match Self::client(c, &prior).await {
            Ok(p) => p,
            Err(d) => return ApplyResponse::failed(Some(prior), d),
        };
        let (bucket, key) = (text(&prior, "bucket"), text(&prior, "key"));
        let force = attr(&prior, "force_destroy").as_bool() == Some(true);
        let result = if attr(&prior, "version_id").is_null() {
            match p.s3_write.delete_object().bucket(&bucket).key(&key).send().await {
                Ok(_) => Ok(()),
                Err(e) if not_found(&e) => Ok(()),
                Err(e) => Err(aws_error(&format!("deleting S3 object \"{key}\" from bucket \"{bucket}\""), &e)),
            }
        } else {
            delete_versions(&p, &bucket, &key, force).await
        };
        match result {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), spaces_error(d)),
        }
    }

    /// Imports `REGION,BUCKET,KEY` (the key may hold commas).
    async fn import(&self, c: &DigitalOceanProvider, id: String, blank: Value) -> ImportResponse {
        let parts: Vec<&str> = id.splitn(3, ',').collect();
        let [region, bucket, key] = parts[..] else {
            return ImportResponse::failed(
                Diagnostic::error("Invalid import id", format!("Expected REGION,BUCKET,KEY (e.g. nyc3,my-bucket,index.html), got \"{id}\".")).into(),
            );
        };
        let mut state = blank;
        for (name, v) in [("region", region), ("bucket", bucket), ("key", key), ("id", key)] {
            set(&mut state, name, Value::string(v));
        }
        set(&mut state, "force_destroy", Value::Bool(false));
        imported(self.read(c, state).await, || format!("There is no Spaces object \"{key}\" in bucket \"{bucket}\" ({region})."))
    }
}
