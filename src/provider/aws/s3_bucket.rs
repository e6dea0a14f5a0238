//! `aws_s3_bucket`: `bucket` (or `bucket_prefix`), `force_destroy`, `tags`; computed `id`,
//! `arn`, `bucket_domain_name`, `bucket_regional_domain_name`, `region`, `tags_all`.
//! A new name or prefix replaces the bucket; tags change in place; `force_destroy` empties the
//! bucket (every object version) before deleting it.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration, Delete, ObjectIdentifier, Tag, Tagging};

use super::errors::aws_error;
/// The S3 error tests, for the other drivers on this code path (`digitalocean`).
pub(crate) use super::errors::{code, not_found};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, set};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("bucket", AttributeSchema::optional_computed().force_new().typed(AttrType::String)),
            ("bucket_prefix", AttributeSchema::optional().force_new().typed(AttrType::String)),
            ("force_destroy", AttributeSchema::optional_computed().typed(AttrType::Bool)),
            ("tags", AttributeSchema::optional().typed(AttrType::MapOfString)),
            ("tags_all", AttributeSchema::computed().typed(AttrType::MapOfString)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("arn", AttributeSchema::computed().typed(AttrType::String)),
            ("bucket_domain_name", AttributeSchema::computed().typed(AttrType::String)),
            ("bucket_regional_domain_name", AttributeSchema::computed().typed(AttrType::String)),
            ("region", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

/// The attributes derived from the name.
fn with_name(p: &AwsProvider, mut v: Value, name: Option<&str>) -> Value {
    let derived = |f: &dyn Fn(&str) -> String| name.map(|n| Value::String(f(n))).unwrap_or(Value::Unknown);
    set(&mut v, "id", derived(&|n| n.to_string()));
    set(&mut v, "bucket", derived(&|n| n.to_string()));
    set(&mut v, "arn", derived(&|n| format!("arn:aws:s3:::{n}")));
    set(&mut v, "bucket_domain_name", derived(&|n| format!("{n}.s3.amazonaws.com")));
    set(&mut v, "bucket_regional_domain_name", derived(&|n| format!("{n}.s3.{}.amazonaws.com", p.region)));
    set(&mut v, "region", Value::string(&p.region));
    v
}

/// S3's bucket naming rules (checked before any call, as Terraform's provider does).
pub fn name_problem(name: &str) -> Option<&'static str> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    if !(3..=63).contains(&name.len()) {
        Some("must be 3 to 63 characters long")
    } else if !name.chars().all(ok_char) {
        Some("may contain only lowercase letters, digits, dots and hyphens")
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) || !name.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        Some("must begin and end with a letter or digit")
    } else if name.contains("..") {
        Some("must not contain two adjacent periods")
    } else if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        Some("must not be formatted as an IP address")
    } else {
        None
    }
}

/// A unique name from the prefix, as Terraform generates them.
fn generated_name(prefix: Option<&str>) -> String {
    let prefix = prefix.unwrap_or("terraform-");
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S%f").to_string();
    let mut name = format!("{prefix}{}", &stamp[..stamp.len().min(20)]);
    name.push_str(&format!("{:08x}", rand::random::<u32>()));
    name.truncate(63);
    name
}

fn tag_set(tags: &Value) -> Result<Vec<Tag>, Diagnostics> {
    let Value::Map(m) = tags else { return Ok(Vec::new()) };
    m.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v.as_str().unwrap_or_default())
                .build()
                .map_err(|e| -> Diagnostics { Diagnostic::error("Invalid tag", e.to_string()).into() })
        })
        .collect()
}

/// Makes the bucket's tags equal to `tags_all`.
pub(crate) async fn put_tags(p: &AwsProvider, bucket: &str, tags_all: &Value) -> Result<(), Diagnostics> {
    let tags = tag_set(tags_all)?;
    if tags.is_empty() {
        p.s3.delete_bucket_tagging().bucket(bucket).send().await.map_err(|e| aws_error(&format!("removing the tags of S3 bucket \"{bucket}\""), &e))?;
        return Ok(());
    }
    let tagging = Tagging::builder().set_tag_set(Some(tags)).build().map_err(|e| -> Diagnostics { Diagnostic::error("Invalid tags", e.to_string()).into() })?;
    p.s3.put_bucket_tagging().bucket(bucket).tagging(tagging).send().await.map_err(|e| aws_error(&format!("tagging S3 bucket \"{bucket}\""), &e))?;
    Ok(())
}

async fn create_bucket(p: &AwsProvider, planned: Value) -> Result<Value, (Option<Value>, Diagnostics)> {
    let name = match attr(&planned, "bucket").as_str() {
        Some(n) => n.to_string(),
        None => generated_name(attr(&planned, "bucket_prefix").as_str()),
    };
    let mut call = p.s3_write.create_bucket().bucket(&name);
    if p.region != "us-east-1" {
        let cfg = CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::from(p.region.as_str())).build();
        call = call.create_bucket_configuration(cfg);
    }
    call.send().await.map_err(|e| (None, aws_error(&format!("creating S3 bucket \"{name}\""), &e)))?;
    let state = with_name(p, planned, Some(&name));
    // The bucket exists from here on: failures below still return it, so state records it.
    if attr(&state, "tags_all").as_map().is_some_and(|m| !m.is_empty()) {
        put_tags(p, &name, attr(&state, "tags_all")).await.map_err(|d| (Some(state.clone()), d))?;
    }
    Ok(state)
}

/// Deletes every object version and delete marker (for `force_destroy`).
pub(crate) async fn empty_bucket(p: &AwsProvider, bucket: &str) -> Result<(), Diagnostics> {
    let mut key_marker: Option<String> = None;
    let mut version_marker: Option<String> = None;
    loop {
        let page =
            p.s3.list_object_versions()
                .bucket(bucket)
                .set_key_marker(key_marker.clone())
                .set_version_id_marker(version_marker.clone())
                .send()
                .await
                .map_err(|e| aws_error(&format!("listing the objects of S3 bucket \"{bucket}\""), &e))?;
        let mut ids = Vec::new();
        for v in page.versions() {
            ids.push(ObjectIdentifier::builder().key(v.key().unwrap_or_default()).set_version_id(v.version_id().map(str::to_string)).build());
        }
        for m in page.delete_markers() {
            ids.push(ObjectIdentifier::builder().key(m.key().unwrap_or_default()).set_version_id(m.version_id().map(str::to_string)).build());
        }
        let ids: Vec<ObjectIdentifier> = ids.into_iter().filter_map(Result::ok).collect();
        if !ids.is_empty() {
            let delete = Delete::builder()
                .set_objects(Some(ids))
                .build()
                .map_err(|e| -> Diagnostics { Diagnostic::error("Invalid delete request", e.to_string()).into() })?;
            p.s3_write.delete_objects().bucket(bucket).delete(delete).send().await.map_err(|e| aws_error(&format!("emptying S3 bucket \"{bucket}\""), &e))?;
        }
        if page.is_truncated() != Some(true) {
            return Ok(());
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
    }
}

async fn delete_bucket(p: &AwsProvider, prior: &Value) -> Result<(), Diagnostics> {
    let bucket = attr(prior, "bucket").as_str().unwrap_or_default().to_string();
    if attr(prior, "force_destroy") == &Value::Bool(true) {
        empty_bucket(p, &bucket).await?;
    }
    match p.s3_write.delete_bucket().bucket(&bucket).send().await {
        Ok(_) => Ok(()),
        Err(e) if not_found(&e) => Ok(()),
        Err(e) if code(&e).as_deref() == Some("BucketNotEmpty") => Err(Diagnostic::error(
            "S3 bucket not empty",
            format!("Error deleting S3 bucket \"{bucket}\": it still holds objects. Delete them first, or set `force_destroy = true` (and apply) to let skyform empty it."),
        )
        .into()),
        Err(e) => Err(aws_error(&format!("deleting S3 bucket \"{bucket}\""), &e)),
    }
}

/// The bucket's tags, or None when the bucket is gone.
pub(crate) async fn remote_tags(p: &AwsProvider, bucket: &str) -> Result<BTreeMap<String, String>, Diagnostics> {
    match p.s3.get_bucket_tagging().bucket(bucket).send().await {
        Ok(out) => Ok(out.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()),
        Err(e) if code(&e).as_deref() == Some("NoSuchTagSet") => Ok(BTreeMap::new()),
        Err(e) => Err(aws_error(&format!("reading the tags of S3 bucket \"{bucket}\""), &e)),
    }
}

/// `aws_s3_bucket`.
pub struct S3Bucket;

#[async_trait]
impl ResourceType<AwsProvider> for S3Bucket {
    fn name(&self) -> &'static str {
        "aws_s3_bucket"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        if let Some(name) = attr(&req.config, "bucket").as_str() {
            if let Some(why) = name_problem(name) {
                return PlanResponse::failed(
                    Diagnostic::error("Invalid bucket name", format!("\"{name}\" is not a valid S3 bucket name: it {why} (InvalidBucketName)."))
                        .for_attribute("bucket")
                        .into(),
                );
            }
        }
        let mut planned = req.proposed_new_state;
        // Terraform's default applies whenever the argument is not set.
        if attr(&req.config, "force_destroy").is_null() {
            set(&mut planned, "force_destroy", Value::Bool(false));
        }
        let tags_all = p.tags_all(attr(&planned, "tags"));
        set(&mut planned, "tags_all", tags_all);
        let configured_name = attr(&req.config, "bucket").clone();
        match &req.prior_state {
            None => {
                let name = configured_name.as_str().map(str::to_string);
                planned = with_name(p, planned, name.as_deref());
            }
            Some(prior) => {
                // A name the config leaves out keeps the generated one, unless the prefix
                // changed (a new name or prefix replaces the bucket: the engine plans a create).
                if configured_name.is_null() && attr(&req.config, "bucket_prefix") == attr(prior, "bucket_prefix") {
                    set(&mut planned, "bucket", attr(prior, "bucket").clone());
                }
            }
        }
        PlanResponse::planned(planned)
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let bucket = attr(&prior, "bucket").as_str().unwrap_or_default().to_string();
        match p.s3.head_bucket().bucket(&bucket).send().await {
            Ok(_) => {}
            Err(e) if not_found(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading S3 bucket \"{bucket}\""), &e)),
        }
        match remote_tags(p, &bucket).await {
            Ok(tags) => {
                let mut state = prior;
                let own = p.own_tags(&tags, attr(&state, "tags"));
                set(&mut state, "tags", own);
                set(&mut state, "tags_all", Value::Map(std::sync::Arc::new(tags.iter().map(|(k, v)| (k.clone(), Value::string(v))).collect())));
                ReadResponse::found(state)
            }
            Err(d) => ReadResponse::failed(prior, d),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        match create_bucket(p, planned).await {
            Ok(v) => ApplyResponse::ok(Some(v)),
            Err((state, d)) => ApplyResponse::failed(state, d),
        }
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let bucket = attr(&prior, "bucket").as_str().unwrap_or_default().to_string();
        if attr(&prior, "tags_all") != attr(&planned, "tags_all") {
            if let Err(d) = put_tags(p, &bucket, attr(&planned, "tags_all")).await {
                return ApplyResponse::failed(Some(prior), d);
            }
        }
        ApplyResponse::ok(Some(planned))
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        match delete_bucket(p, &prior).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let mut state = with_name(p, blank, Some(&id));
        set(&mut state, "force_destroy", Value::Bool(false));
        imported(self.read(p, state).await, || format!("There is no S3 bucket named \"{id}\"."))
    }
}

#[cfg(test)]
mod tests {
    use super::name_problem;

    #[test]
    fn bucket_names_follow_s3_rules() {
        assert_eq!(name_problem("my-site.example"), None);
        assert!(name_problem("ab").is_some());
        assert!(name_problem("Not_A_Valid_Name").is_some());
        assert!(name_problem("-leading").is_some());
        assert!(name_problem("a..b").is_some());
        assert!(name_problem("192.168.1.1").is_some());
    }
}
