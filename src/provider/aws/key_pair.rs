//! `aws_key_pair`: imports a public key: `key_name` (or a name generated from
//! `key_name_prefix`), `public_key`, all replacing; `tags` in place; computed `id` (the key
//! name), `fingerprint`, `key_pair_id`, `key_type`, `tags_all`. Import by key name; the
//! public key is read back (a key differing only in its comment or spacing is the same key).

use aws_sdk_ec2::types::{KeyPairInfo, ResourceType as Ec2ResourceType, Tag, TagSpecification};

use super::ec2::{described, plan_common, set_tags, sync_tags, tag_map, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_key_pair")
        .implement(&["key_name", "key_name_prefix", "public_key", "tags", "tags_all", "id", "fingerprint", "key_pair_id", "key_type"])
        .force_new(&["key_name", "key_name_prefix", "public_key"])
        .build()
}

/// A public key without its comment: type and key material.
fn key_material(k: &str) -> String {
    k.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

/// `aws_key_pair`.
pub struct AwsKeyPair;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsKeyPair {
    fn name(&self) -> &'static str {
        "aws_key_pair"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut resp = plan_common(p, req, &["id", "key_name"]);
        let planned = &mut resp.planned_state;
        if let Some(name) = attr(planned, "key_name").as_str().map(str::to_string) {
            set(planned, "id", Value::String(name));
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = p.ec2.describe_key_pairs().key_names(&id).include_public_key(true).send().await;
        match described(&prior, result, |o| o.key_pairs().first(), &format!("key pair {id}")) {
            Ok(k) => ReadResponse::found(fill(p, prior, &k)),
            Err(r) => r,
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = match attr(&planned, "key_name").as_str() {
            Some(n) => n.to_string(),
            None => format!("{}{}", attr(&planned, "key_name_prefix").as_str().unwrap_or("terraform-"), chrono::Utc::now().format("%Y%m%d%H%M%S%f")),
        };
        let key = attr(&planned, "public_key").as_str().unwrap_or_default().to_string();
        let tags: Vec<Tag> = match attr(&planned, "tags_all") {
            Value::Map(m) => m.iter().map(|(k, v)| Tag::builder().key(k).value(v.as_str().unwrap_or_default()).build()).collect(),
            _ => Vec::new(),
        };
        let spec = (!tags.is_empty()).then(|| vec![TagSpecification::builder().resource_type(Ec2ResourceType::KeyPair).set_tags(Some(tags)).build()]);
        let call = p
            .ec2_write
            .import_key_pair()
            .key_name(&name)
            .public_key_material(aws_sdk_ec2::primitives::Blob::new(key.into_bytes()))
            .set_tag_specifications(spec);
        if let Err(e) = call.send().await {
            return ApplyResponse::failed(None, aws_error(&format!("importing key pair {name}"), &e));
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        set(&mut state, "key_name", Value::string(&name));
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = attr(&prior, "key_pair_id").as_str().unwrap_or_default().to_string();
        let result = sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await;
        updated(prior, planned, result)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = p.ec2_write.delete_key_pair().key_name(&id).send().await;
        super::ec2::deleted(prior, result, &format!("key pair {id}"))
    }
}

fn fill(p: &AwsProvider, mut state: Value, k: &KeyPairInfo) -> Value {
    let opt = |x: Option<&str>| x.filter(|s| !s.is_empty()).map(Value::string).unwrap_or(Value::Null);
    let name = k.key_name().unwrap_or_default().to_string();
    let pair_id = k.key_pair_id().unwrap_or_default().to_string();
    set(&mut state, "id", Value::string(&name));
    set(&mut state, "key_name", Value::string(&name));
    set(&mut state, "key_pair_id", Value::string(&pair_id));
    set(&mut state, "fingerprint", opt(k.key_fingerprint()));
    set(&mut state, "key_type", opt(k.key_type().map(|t| t.as_str())));
    if let Some(remote) = k.public_key().filter(|s| !s.is_empty()) {
        if attr(&state, "public_key").as_str().map(key_material) != Some(key_material(remote)) {
            set(&mut state, "public_key", Value::string(remote.trim_end()));
        }
    }
    set_tags(p, &mut state, &tag_map(k.tags()));
    state
}
