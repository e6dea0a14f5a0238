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

/// A list or set of strings as a sorted set (empty for null or unknown).
pub fn string_set(v: &Value) -> std::collections::BTreeSet<String> {
    match v {
        Value::List(xs) | Value::Set(xs) => xs.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => std::collections::BTreeSet::new(),
    }
}

/// A string attribute of an object inside a list of objects (a rule of a set of rules), where
/// nothing converted the value to the string the schema says: a number written for it
/// (`protocol = -1`) is its decimal text.
pub fn loose_text(v: &Value, name: &str) -> String {
    match attr(v, name) {
        Value::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64),
        Value::Number(n) => n.to_string(),
        other => other.as_str().unwrap_or_default().to_string(),
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

/// Terraform's `create.StringHashcode`: the CRC-32 (IEEE) of a string, from which the provider
/// builds the ids of objects AWS gives none (`nacl-<hash>`).
pub fn hashcode(s: &str) -> u32 {
    let mut crc = !0u32;
    for b in s.bytes() {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// The id of the region's default VPC.
pub async fn default_vpc_id(p: &AwsProvider) -> Result<String, Diagnostics> {
    let filter = aws_sdk_ec2::types::Filter::builder().name("is-default").values("true").build();
    let out = p.ec2.describe_vpcs().filters(filter).send().await.map_err(|e| aws_error("reading the default VPC", &e))?;
    let id = out.vpcs().first().and_then(|v| v.vpc_id()).map(str::to_string);
    id.ok_or_else(|| crate::provider::helpers::error("No default VPC", format!("Region {} has no default VPC.", p.region)))
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

/// The one object a Describe call by id found, `None` when it is gone, or the error.
pub fn found<O, T: Clone, E>(
    result: Result<O, aws_sdk_ec2::error::SdkError<E, aws_sdk_ec2::config::http::HttpResponse>>,
    first: impl FnOnce(&O) -> Option<&T>,
    what: &str,
) -> Result<Option<T>, Diagnostics>
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match described(&Value::Null, result, first, what) {
        Ok(x) => Ok(Some(x)),
        Err(r) if r.diagnostics.is_empty() => Ok(None),
        Err(r) => Err(r.diagnostics),
    }
}

/// The read response from a lookup ([`found`]): the object filled into the prior state, gone,
/// or the error with the prior state kept.
pub fn read_from<T>(prior: Value, lookup: Result<Option<T>, Diagnostics>, fill: impl FnOnce(Value, &T) -> Value) -> ReadResponse {
    match lookup {
        Ok(Some(x)) => ReadResponse::found(fill(prior, &x)),
        Ok(None) => ReadResponse::gone(),
        Err(d) => ReadResponse::failed(prior, d),
    }
}

/// Whether the configuration leaves out an optional+computed list of rules or routes
/// (Terraform's attributes as blocks): null, or no blocks.
pub fn unset_blocks(config: &Value, name: &str) -> bool {
    match attr(config, name) {
        Value::Null => true,
        Value::List(xs) | Value::Set(xs) => xs.is_empty(),
        _ => false,
    }
}

/// An in-place update that only changes tags (types whose other arguments replace them).
pub async fn update_tags(p: &AwsProvider, prior: Value, planned: Value) -> ApplyResponse {
    let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
    let result = sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await;
    updated(prior, planned, result)
}

/// A security group rule's protocol in AWS's form: `-1` for all, names for the numbered
/// protocols AWS names.
pub fn sg_protocol(p: &str) -> String {
    match p.to_lowercase().as_str() {
        "all" | "-1" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        other => other.into(),
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

/// The tag specification of a create call for `tags_all` (None when there are no tags).
pub fn tag_specification(kind: aws_sdk_ec2::types::ResourceType, tags_all: &Value) -> Option<Vec<aws_sdk_ec2::types::TagSpecification>> {
    let tags: Vec<Tag> = strings(tags_all).into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
    (!tags.is_empty()).then(|| vec![aws_sdk_ec2::types::TagSpecification::builder().resource_type(kind).set_tags(Some(tags)).build()])
}

/// The account id of the caller (for ARNs the EC2 API does not return).
pub async fn account_id(p: &AwsProvider) -> String {
    p.sts.get_caller_identity().send().await.ok().and_then(|o| o.account().map(str::to_string)).unwrap_or_default()
}
