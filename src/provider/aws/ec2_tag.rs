//! `aws_ec2_tag`: one tag of an EC2 object managed on its own. `resource_id` and `key`
//! (each replaces), `value` (changes in place); computed `id`, `<resource id>,<key>`, which is
//! also the import id. Not implemented: `region`.

use aws_sdk_ec2::types::{Filter, Tag};

use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_ec2_tag").implement(&["resource_id", "key", "value", "id"]).computed_only(&["id"]).force_new(&["resource_id", "key"]).build()
}

async fn put(p: &AwsProvider, state: &Value) -> Result<(), Diagnostics> {
    let (id, key) = (text(state, "resource_id"), text(state, "key"));
    let tag = Tag::builder().key(&key).value(text(state, "value")).build();
    p.ec2_write.create_tags().resources(&id).tags(tag).send().await.map_err(|e| aws_error(&format!("tagging {id} with {key}"), &e))?;
    Ok(())
}

/// `aws_ec2_tag`.
pub struct AwsEc2Tag;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsEc2Tag {
    fn name(&self) -> &'static str {
        "aws_ec2_tag"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let id = match (attr(&planned, "resource_id").as_str(), attr(&planned, "key").as_str()) {
            (Some(r), Some(k)) => Value::String(format!("{r},{k}")),
            _ => Value::Unknown,
        };
        set(&mut planned, "id", id);
        PlanResponse::planned(planned)
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let (id, key) = (text(&prior, "resource_id"), text(&prior, "key"));
        let filters = vec![Filter::builder().name("resource-id").values(&id).build(), Filter::builder().name("key").values(&key).build()];
        match p.ec2.describe_tags().set_filters(Some(filters)).send().await {
            Ok(o) => match o.tags().iter().find(|t| t.key() == Some(key.as_str())) {
                Some(t) => {
                    let mut state = prior;
                    set(&mut state, "value", Value::string(t.value().unwrap_or_default()));
                    ReadResponse::found(state)
                }
                None => ReadResponse::gone(),
            },
            Err(e) => ReadResponse::failed(prior, aws_error(&format!("reading tag {key} of {id}"), &e)),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        match put(p, &planned).await {
            Ok(()) => ApplyResponse::ok(Some(planned)),
            Err(d) => ApplyResponse::failed(None, d),
        }
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        match put(p, &planned).await {
            Ok(()) => ApplyResponse::ok(Some(planned)),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let (id, key) = (text(&prior, "resource_id"), text(&prior, "key"));
        let tag = Tag::builder().key(&key).value(text(&prior, "value")).build();
        match p.ec2_write.delete_tags().resources(&id).tags(tag).send().await {
            Ok(_) => ApplyResponse::ok(None),
            Err(e) if super::ec2::is_not_found(&e) => ApplyResponse::ok(None),
            Err(e) => ApplyResponse::failed(Some(prior), aws_error(&format!("removing tag {key} from {id}"), &e)),
        }
    }

    /// Imports `<resource id>,<key>`.
    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let Some((resource_id, key)) = id.split_once(',').filter(|(r, k)| !r.is_empty() && !k.is_empty()) else {
            return ImportResponse::failed(error("Invalid import id", format!("Unexpected format of ID ({id}), expected RESOURCE_ID,KEY.")));
        };
        let mut state = blank;
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "resource_id", Value::string(resource_id));
        set(&mut state, "key", Value::string(key));
        imported(self.read(p, state).await, || format!("{resource_id} has no tag \"{key}\"."))
    }
}
