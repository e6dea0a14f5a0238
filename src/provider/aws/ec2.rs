//! What the EC2 resource files share: tags (EC2 tags every object the same way), the
//! not-found codes, the state skeleton of an import, and the plan steps common to all of them.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_ec2::types::Tag;

use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

/// EC2's tag list as a map.
pub fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))).collect()
}

/// Sets `tags` and `tags_all` in a state from the tags found on the object.
pub fn set_tags(p: &AwsProvider, state: &mut Value, remote: &BTreeMap<String, String>) {
    let own = p.own_tags(remote, attr(state, "tags"));
    set(state, "tags", own);
    set(state, "tags_all", Value::Map(Arc::new(remote.iter().map(|(k, v)| (k.clone(), Value::string(v))).collect())));
}

fn strings(v: &Value) -> BTreeMap<String, String> {
    match v {
        Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect(),
        _ => BTreeMap::new(),
    }
}

/// Makes the tags of `id` equal to `want` (`tags_all`), given what it had.
pub async fn sync_tags(p: &AwsProvider, id: &str, had: &Value, want: &Value) -> Result<(), Diagnostics> {
    let (had, want) = (strings(had), strings(want));
    let stale: Vec<Tag> = had.keys().filter(|k| !want.contains_key(*k)).map(|k| Tag::builder().key(k).build()).collect();
    if !stale.is_empty() {
        p.ec2.delete_tags().resources(id).set_tags(Some(stale)).send().await.map_err(|e| aws_error(&format!("removing tags from {id}"), &e))?;
    }
    let new: Vec<Tag> = want.iter().filter(|(k, v)| had.get(*k) != Some(v)).map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
    if !new.is_empty() {
        p.ec2.create_tags().resources(id).set_tags(Some(new)).send().await.map_err(|e| aws_error(&format!("tagging {id}"), &e))?;
    }
    Ok(())
}

/// EC2's "does not exist" error codes (`InvalidVpcID.NotFound`, `InvalidInstanceID.NotFound`, ...).
pub fn is_not_found<E: aws_sdk_ec2::error::ProvideErrorMetadata>(e: &aws_sdk_ec2::error::SdkError<E, aws_sdk_ec2::config::http::HttpResponse>) -> bool {
    e.as_service_error().and_then(|s| s.code()).is_some_and(|c| c.ends_with(".NotFound") || c.ends_with(".Malformed"))
}

/// The plan steps every EC2 resource shares: `tags_all` from the default tags, and, for a new
/// object, unknown values for the optional+computed attributes AWS chooses when the config
/// leaves them unset (computed-only ones are already unknown: the kit sets them).
pub fn plan_common(p: &AwsProvider, req: PlanRequest, chosen_by_aws: &[&str]) -> PlanResponse {
    let mut planned = req.proposed_new_state;
    let tags_all = p.tags_all(attr(&planned, "tags"));
    set(&mut planned, "tags_all", tags_all);
    if req.prior_state.is_none() {
        for a in chosen_by_aws {
            if attr(&req.config, a).is_null() {
                set(&mut planned, a, Value::Unknown);
            }
        }
    }
    PlanResponse::planned(planned)
}

/// The ARN of an EC2 object.
pub fn arn(p: &AwsProvider, owner: &str, kind: &str, id: &str) -> Value {
    Value::String(format!("arn:aws:ec2:{}:{owner}:{kind}/{id}", p.region))
}

/// The response to a delete call: gone (also when it was already gone), or still there.
pub fn deleted<T, E>(prior: Value, result: Result<T, aws_sdk_ec2::error::SdkError<E, aws_sdk_ec2::config::http::HttpResponse>>, what: &str) -> ApplyResponse
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(_) => ApplyResponse::default(),
        Err(e) if is_not_found(&e) => ApplyResponse::default(),
        Err(e) => ApplyResponse { new_state: Some(prior), diagnostics: aws_error(&format!("deleting {what}"), &e) },
    }
}

/// The response to an in-place update: the planned state, or the prior one if it failed.
pub fn updated(prior: Value, planned: Value, result: Result<(), Diagnostics>) -> ApplyResponse {
    match result {
        Ok(()) => ApplyResponse { new_state: Some(planned), diagnostics: Default::default() },
        Err(d) => ApplyResponse { new_state: Some(prior), diagnostics: d },
    }
}

/// The one object a Describe call by id found; otherwise the read response to return (gone,
/// or the error with the prior state kept).
pub fn described<O, T: Clone, E>(
    prior: &Value,
    result: Result<O, aws_sdk_ec2::error::SdkError<E, aws_sdk_ec2::config::http::HttpResponse>>,
    first: impl FnOnce(&O) -> Option<&T>,
    what: &str,
) -> Result<T, ReadResponse>
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let gone = || ReadResponse { new_state: None, diagnostics: Default::default() };
    match result {
        Ok(out) => first(&out).cloned().ok_or_else(gone),
        Err(e) if is_not_found(&e) => Err(gone()),
        Err(e) => Err(ReadResponse { new_state: Some(prior.clone()), diagnostics: aws_error(&format!("reading {what}"), &e) }),
    }
}

/// Refreshes many objects of one type with Describe calls of up to 1,000 ids. `describe`
/// returns what one call found (`None` when the call failed: when one id of a batch is gone
/// the whole call fails), and that batch is then read one by one with `read_one`.
pub async fn read_batch<T, D, R>(
    items: Vec<(usize, Value)>,
    describe: impl Fn(Vec<String>) -> D,
    id_of: impl Fn(&T) -> Option<&str>,
    fill: impl Fn(Value, &T) -> Value,
    read_one: impl Fn(Value) -> R,
) -> Vec<(usize, ReadResponse)>
where
    D: std::future::Future<Output = Option<Vec<T>>>,
    R: std::future::Future<Output = ReadResponse>,
{
    let mut out = Vec::new();
    for chunk in items.chunks(1000) {
        let ids: Vec<String> = chunk.iter().filter_map(|(_, v)| attr(v, "id").as_str().map(str::to_string)).collect();
        match describe(ids).await {
            Some(found) => {
                let by_id: std::collections::HashMap<&str, &T> = found.iter().filter_map(|x| Some((id_of(x)?, x))).collect();
                for (i, v) in chunk {
                    let got = attr(v, "id").as_str().and_then(|id| by_id.get(id)).map(|x| fill(v.clone(), x));
                    out.push((*i, ReadResponse { new_state: got, diagnostics: Default::default() }));
                }
            }
            None => {
                for (i, v) in chunk {
                    out.push((*i, read_one(v.clone()).await));
                }
            }
        }
    }
    out
}
