//! `data "aws_s3_object"`: an object's metadata (HeadObject) and, for a human-readable content
//! type (`text/*`, JSON, XML, YAML, shell scripts, ... as the provider lists them), its `body`.
//! `id` is `BUCKET/KEY` (`@VERSION` when `version_id` is set), `etag` without its quotes,
//! `last_modified` in RFC 1123 form and `storage_class` `STANDARD` when S3 leaves it out, as
//! Terraform's provider sets them. Not implemented yet: `range`, `checksum_mode`, the checksum,
//! object-lock, KMS and expiration attributes (errors where set or used).

use async_trait::async_trait;

use super::errors::{aws_error, not_found};
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{attr, map_value, set};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let s = |a: AttributeSchema| a.typed(AttrType::String);
    let computed = [
        "id",
        "arn",
        "body",
        "cache_control",
        "content_disposition",
        "content_encoding",
        "content_language",
        "content_type",
        "etag",
        "expires",
        "last_modified",
        "server_side_encryption",
        "storage_class",
        "website_redirect_location",
    ];
    let mut block = BlockSchema::new([
        ("bucket", s(AttributeSchema::required())),
        ("key", s(AttributeSchema::required())),
        ("version_id", s(AttributeSchema::optional_computed())),
        ("content_length", AttributeSchema::computed().typed(AttrType::Number)),
        ("metadata", AttributeSchema::computed().typed(AttrType::MapOfString)),
    ]);
    for name in computed {
        block.attributes.insert(name.to_string(), s(AttributeSchema::computed()));
    }
    ResourceSchema { version: 0, block }
}

/// Whether the provider downloads the body of an object of this content type.
fn readable(content_type: &str) -> bool {
    const EXACT: &[&str] = &[
        "application/atom+xml",
        "application/json",
        "application/ld+json",
        "application/x-csh",
        "application/x-httpd-php",
        "application/x-sh",
        "application/xhtml+xml",
        "application/xml",
        "application/x-sql",
        "application/yaml",
    ];
    EXACT.contains(&content_type) || content_type.strip_prefix("text/").is_some_and(|rest| !rest.is_empty())
}

fn text(v: Option<&str>) -> Value {
    v.map_or(Value::Null, Value::string)
}

/// `data "aws_s3_object"`.
pub struct DataS3Object;

#[async_trait]
impl DataSourceType<AwsProvider> for DataS3Object {
    fn name(&self) -> &'static str {
        "aws_s3_object"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let bucket = attr(&config, "bucket").as_str().unwrap_or_default().to_string();
        let key = attr(&config, "key").as_str().unwrap_or_default().to_string();
        let version = attr(&config, "version_id").as_str().map(str::to_string);
        let what = format!("reading S3 Bucket ({bucket}) Object ({key})");
        let head = match p.s3.head_object().bucket(&bucket).key(&key).set_version_id(version.clone()).send().await {
            Ok(h) => h,
            Err(e) if not_found(&e) => {
                return ReadDataResponse::failed(
                    Diagnostic::error("S3 object not found", format!("There is no object \"{key}\" in the S3 bucket \"{bucket}\".")).into(),
                )
            }
            Err(e) => return ReadDataResponse::failed(aws_error(&what, &e)),
        };
        if head.delete_marker() == Some(true) {
            return ReadDataResponse::failed(Diagnostic::error("S3 object deleted", format!("S3 Bucket ({bucket}) Object ({key}) has been deleted.")).into());
        }
        let mut state = config;
        let id = match &version {
            Some(v) => format!("{bucket}/{key}@{v}"),
            None => format!("{bucket}/{key}"),
        };
        set(&mut state, "id", Value::String(id));
        set(&mut state, "arn", Value::String(format!("arn:{}:s3:::{bucket}/{key}", super::data_partition::partition_of(&p.region).id)));
        set(&mut state, "cache_control", text(head.cache_control()));
        set(&mut state, "content_disposition", text(head.content_disposition()));
        set(&mut state, "content_encoding", text(head.content_encoding()));
        set(&mut state, "content_language", text(head.content_language()));
        set(&mut state, "content_length", head.content_length().map_or(Value::Null, |n| Value::Number(n as f64)));
        set(&mut state, "content_type", text(head.content_type()));
        set(&mut state, "etag", text(head.e_tag().map(|e| e.trim_matches('"'))));
        set(&mut state, "expires", text(head.expires_string()));
        let modified = head.last_modified().and_then(|t| chrono::DateTime::from_timestamp(t.secs(), 0));
        set(&mut state, "last_modified", modified.map_or(Value::Null, |t| Value::String(t.format("%a, %d %b %Y %H:%M:%S UTC").to_string())));
        let metadata = head.metadata().map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>()).unwrap_or_default();
        set(&mut state, "metadata", map_value(metadata));
        set(&mut state, "server_side_encryption", text(head.server_side_encryption().map(|s| s.as_str())));
        set(&mut state, "storage_class", Value::string(head.storage_class().map_or("STANDARD", |s| s.as_str())));
        set(&mut state, "version_id", text(head.version_id()));
        set(&mut state, "website_redirect_location", text(head.website_redirect_location()));
        let mut body = Value::Null;
        if head.content_type().is_some_and(readable) {
            let got = p.s3.get_object().bucket(&bucket).key(&key).set_version_id(head.version_id().map(str::to_string)).send().await;
            let bytes = match got {
                Ok(o) => o.body.collect().await.map(|b| b.into_bytes()),
                Err(e) => return ReadDataResponse::failed(aws_error(&format!("downloading S3 Bucket ({bucket}) Object ({key})"), &e)),
            };
            match bytes {
                Ok(b) => body = Value::String(String::from_utf8_lossy(&b).into_owned()),
                Err(e) => {
                    return ReadDataResponse::failed(
                        Diagnostic::error("S3 download failed", format!("downloading S3 Bucket ({bucket}) Object ({key}): {e}")).into(),
                    )
                }
            }
        }
        set(&mut state, "body", body);
        ReadDataResponse::found(state)
    }
}
