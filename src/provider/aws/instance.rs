//! `aws_instance`: `ami`, `instance_type`, `subnet_id`, `vpc_security_group_ids`, `key_name`,
//! `user_data`, `tags`; computed `id`, `arn`, `private_ip`, `public_ip`, `instance_state`,
//! `tags_all`.
//!
//! Create waits until the instance is running (10 minutes, Terraform's default), delete until it
//! is terminated (20 minutes). A new AMI, subnet, key or user data replaces the instance; a new
//! instance type is applied in place by stopping, modifying and starting it; security groups and
//! tags change in place. `user_data` is kept in state as its SHA-1, as Terraform does.
//! Refresh in bulk: [`read_batch`] describes up to 1,000 instances per DescribeInstances call.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{AttributeValue, Filter, Instance, InstanceStateName, InstanceType, ResourceType, Tag, TagSpecification};
use base64::Engine as _;
use sha1::Digest;

use super::ec2::{arn, is_not_found, plan_common, set_tags, sync_tags, tag_map};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 1,
        block: BlockSchema::new([
            ("ami", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("instance_type", AttributeSchema::required().typed(AttrType::String)),
            ("subnet_id", AttributeSchema::optional_computed().force_new().typed(AttrType::String)),
            ("vpc_security_group_ids", AttributeSchema::optional_computed().typed(AttrType::SetOfString)),
            ("key_name", AttributeSchema::optional_computed().force_new().typed(AttrType::String)),
            ("user_data", AttributeSchema::optional().force_new().typed(AttrType::String)),
            ("tags", AttributeSchema::optional().typed(AttrType::MapOfString)),
            ("tags_all", AttributeSchema::computed().typed(AttrType::MapOfString)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("arn", AttributeSchema::computed().typed(AttrType::String)),
            ("private_ip", AttributeSchema::computed().typed(AttrType::String)),
            ("public_ip", AttributeSchema::computed().typed(AttrType::String)),
            ("instance_state", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

const CREATE_TIMEOUT: Duration = Duration::from_secs(600);
const DELETE_TIMEOUT: Duration = Duration::from_secs(1200);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(600);

fn user_data_hash(text: &str) -> String {
    hex::encode(sha1::Sha1::digest(text.as_bytes()))
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(xs) | Value::Set(xs) => xs.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// Polls until the instance reaches `want` (or is gone, when `want` is Terminated).
async fn wait_for(p: &AwsProvider, id: &str, want: InstanceStateName, timeout: Duration) -> Result<Option<Instance>, Diagnostics> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(200);
    loop {
        let found = match p.ec2.describe_instances().instance_ids(id).send().await {
            Ok(out) => out.reservations().iter().flat_map(|r| r.instances()).next().cloned(),
            Err(e) if is_not_found(&e) => None,
            Err(e) => return Err(aws_error(&format!("waiting for instance {id}"), &e)),
        };
        let state = found.as_ref().and_then(|i| i.state()).and_then(|s| s.name()).cloned();
        match (&found, state) {
            (None, _) if want == InstanceStateName::Terminated => return Ok(None),
            (Some(_), Some(s)) if s == want => return Ok(found),
            (Some(_), Some(InstanceStateName::Terminated)) if want != InstanceStateName::Terminated => {
                return Err(Diagnostic::error("Instance terminated", format!("Instance {id} terminated while waiting for it to be {}.", want.as_str())).into())
            }
            _ => {}
        }
        if start.elapsed() > timeout {
            return Err(Diagnostic::error(
                "Timeout waiting for instance",
                format!("Instance {id} did not become {} within {} minutes.", want.as_str(), timeout.as_secs() / 60),
            )
            .into());
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// The state of an instance from its description.
fn fill(p: &AwsProvider, mut state: Value, i: &Instance) -> Value {
    let id = i.instance_id().unwrap_or_default().to_string();
    let owner = "";
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "ami", i.image_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "instance_type", i.instance_type().map(|t| Value::string(t.as_str())).unwrap_or(Value::Null));
    set(&mut state, "subnet_id", i.subnet_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "key_name", i.key_name().map(Value::string).unwrap_or(Value::Null));
    let groups: Vec<Value> = i.security_groups().iter().filter_map(|g| g.group_id().map(Value::string)).collect();
    set(&mut state, "vpc_security_group_ids", Value::set(groups));
    // As in Terraform's provider: "" when the instance has no such address, so
    // "${aws_instance.web.public_ip}:8080" works for a private instance too.
    set(&mut state, "private_ip", Value::string(i.private_ip_address().unwrap_or_default()));
    set(&mut state, "public_ip", Value::string(i.public_ip_address().unwrap_or_default()));
    set(&mut state, "instance_state", i.state().and_then(|s| s.name()).map(|n| Value::string(n.as_str())).unwrap_or(Value::Null));
    set(&mut state, "arn", arn(p, owner, "instance", &id));
    let mut tags = tag_map(i.tags());
    tags.remove(TOKEN_TAG);
    set_tags(p, &mut state, &tags);
    state
}

/// `aws_instance`.
pub struct AwsInstance;

#[async_trait::async_trait]
impl crate::provider::kit::ResourceType<AwsProvider> for AwsInstance {
    fn name(&self) -> &'static str {
        "aws_instance"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, mut req: PlanRequest) -> PlanResponse {
        // State keeps the SHA-1 of user_data; compare like with like.
        if let Some(text) = attr(&req.proposed_new_state, "user_data").as_str().map(str::to_string) {
            set(&mut req.proposed_new_state, "user_data", Value::String(user_data_hash(&text)));
        }
        let mut resp = plan_common(p, req, &["subnet_id", "vpc_security_group_ids", "key_name"]);
        let unknown_id = !attr(&resp.planned_state, "id").is_known();
        if unknown_id {
            set(&mut resp.planned_state, "instance_state", Value::Unknown);
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        match describe(p, std::slice::from_ref(&id)).await {
            Ok(found) => ReadResponse { new_state: found.get(&id).map(|i| fill(p, prior, i)), diagnostics: Default::default() },
            Err(d) => ReadResponse { new_state: Some(prior), diagnostics: d },
        }
    }

    /// Refreshes many instances with DescribeInstances calls of up to 1,000 ids.
    async fn read_batch(&self, p: &AwsProvider, items: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)> {
        if items.is_empty() {
            return Vec::new();
        }
        let ids: Vec<String> = items.iter().filter_map(|(_, v)| attr(v, "id").as_str().map(str::to_string)).collect();
        match describe(p, &ids).await {
            Ok(found) => items
                .into_iter()
                .map(|(i, v)| {
                    let id = attr(&v, "id").as_str().unwrap_or_default().to_string();
                    (i, ReadResponse { new_state: found.get(&id).map(|inst| fill(p, v, inst)), diagnostics: Default::default() })
                })
                .collect(),
            Err(d) => items.into_iter().map(|(i, v)| (i, ReadResponse { new_state: Some(v), diagnostics: d.clone() })).collect(),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, config: &Value) -> ApplyResponse {
        create(p, planned, config, &Operation::default()).await
    }

    async fn create_tracked(&self, p: &AwsProvider, planned: Value, config: &Value, op: &Operation) -> ApplyResponse {
        create(p, planned, config, op).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        match update(p, &prior, &planned).await {
            Ok(()) => {
                let r = self.read(p, planned.clone()).await;
                ApplyResponse::read_back(r, planned)
            }
            Err(d) => ApplyResponse { new_state: Some(prior), diagnostics: d },
        }
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        match p.ec2_write.terminate_instances().instance_ids(&id).send().await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return ApplyResponse::default(),
            Err(e) => return ApplyResponse { new_state: Some(prior), diagnostics: aws_error(&format!("terminating instance {id}"), &e) },
        }
        match wait_for(p, &id, InstanceStateName::Terminated, DELETE_TIMEOUT).await {
            Ok(_) => ApplyResponse::default(),
            Err(d) => ApplyResponse { new_state: Some(prior), diagnostics: d },
        }
    }
}

/// The tag a launch carries until its instance id is in the journal: a retried create finds
/// the instance an interrupted attempt launched by it (EC2 also honours `ClientToken`, but
/// cannot be asked for it, and emulators ignore it). Removed once the id is recorded, and
/// never shown in `tags`/`tags_all`.
const TOKEN_TAG: &str = "skyform:create-token";

/// The live instance an interrupted attempt of this create launched, found by its token tag.
async fn launched_by(p: &AwsProvider, token: &str) -> Result<Option<Instance>, Diagnostics> {
    let filter = |name: &str, values: &[&str]| Filter::builder().name(name).set_values(Some(values.iter().map(|v| v.to_string()).collect())).build();
    let out = p
        .ec2
        .describe_instances()
        .filters(filter(&format!("tag:{TOKEN_TAG}"), &[token]))
        .filters(filter("instance-state-name", &["pending", "running"]))
        .send()
        .await
        .map_err(|e| aws_error("looking for an instance launched by an interrupted run", &e))?;
    Ok(out.reservations().iter().flat_map(|r| r.instances()).next().cloned())
}

/// Launches the instance (with the create's `ClientToken` and token tag, so a retried create
/// finds the instance an interrupted one launched), reports it as started, and waits until it
/// runs.
async fn create(p: &AwsProvider, planned: Value, config: &Value, op: &Operation) -> ApplyResponse {
    let ami = attr(&planned, "ami").as_str().unwrap_or_default().to_string();
    let mut tags: Vec<Tag> = match attr(&planned, "tags_all") {
        Value::Map(m) => m.iter().map(|(k, v)| Tag::builder().key(k).value(v.as_str().unwrap_or_default()).build()).collect(),
        _ => Vec::new(),
    };
    let earlier = match (&op.token, op.retry) {
        (Some(token), true) => match launched_by(p, token).await {
            Ok(found) => found.and_then(|i| i.instance_id().map(str::to_string)),
            Err(d) => return ApplyResponse::failed(None, d),
        },
        _ => None,
    };
    if let Some(token) = &op.token {
        tags.push(Tag::builder().key(TOKEN_TAG).value(token).build());
    }
    let id = match earlier {
        Some(id) => id,
        None => match launch(p, &ami, &planned, config, op, tags).await {
            Ok(id) => id,
            Err(d) => return ApplyResponse::failed(None, d),
        },
    };
    let mut state = planned.clone();
    set(&mut state, "id", Value::string(&id));
    op.started(&state).await;
    if op.token.is_some() {
        // The id is journalled (the engine records a started object before the next await
        // returns): the tag has done its work. Failing to remove it is harmless (it is hidden).
        let _ = p.ec2_write.delete_tags().resources(&id).tags(Tag::builder().key(TOKEN_TAG).build()).send().await;
    }
    match wait_for(p, &id, InstanceStateName::Running, CREATE_TIMEOUT).await {
        Ok(Some(i)) => {
            let mut s = fill(p, state, &i);
            set(&mut s, "user_data", attr(&planned, "user_data").clone());
            ApplyResponse { new_state: Some(s), diagnostics: Default::default() }
        }
        Ok(None) => ApplyResponse {
            new_state: Some(state),
            diagnostics: Diagnostic::error("Instance vanished", format!("Instance {id} disappeared while starting.")).into(),
        },
        Err(d) => ApplyResponse { new_state: Some(state), diagnostics: d },
    }
}

/// RunInstances for one instance; its id.
async fn launch(p: &AwsProvider, ami: &str, planned: &Value, config: &Value, op: &Operation, tags: Vec<Tag>) -> Result<String, Diagnostics> {
    let mut call = p
        .ec2_write
        .run_instances()
        .image_id(ami)
        .instance_type(InstanceType::from(attr(planned, "instance_type").as_str().unwrap_or_default()))
        .min_count(1)
        .max_count(1)
        .set_client_token(op.token.clone())
        .set_subnet_id(attr(planned, "subnet_id").as_str().map(str::to_string))
        .set_key_name(attr(planned, "key_name").as_str().map(str::to_string));
    let groups = strings(attr(planned, "vpc_security_group_ids"));
    if !groups.is_empty() {
        call = call.set_security_group_ids(Some(groups));
    }
    // The planned value is the hash; the text comes from the configuration.
    if let Some(text) = attr(config, "user_data").as_str() {
        call = call.user_data(base64::engine::general_purpose::STANDARD.encode(text));
    }
    if !tags.is_empty() {
        call = call.tag_specifications(TagSpecification::builder().resource_type(ResourceType::Instance).set_tags(Some(tags)).build());
    }
    let out = call.send().await.map_err(|e| aws_error(&format!("launching an instance of {ami}"), &e))?;
    match out.instances().first().and_then(|i| i.instance_id()) {
        Some(id) => Ok(id.to_string()),
        None => Err(Diagnostic::error("No instance launched", "RunInstances returned no instance.").into()),
    }
}

async fn update(p: &AwsProvider, prior: &Value, planned: &Value) -> Result<(), Diagnostics> {
    let id = attr(prior, "id").as_str().unwrap_or_default().to_string();
    if attr(prior, "instance_type") != attr(planned, "instance_type") {
        let t = attr(planned, "instance_type").as_str().unwrap_or_default().to_string();
        p.ec2.stop_instances().instance_ids(&id).send().await.map_err(|e| aws_error(&format!("stopping instance {id}"), &e))?;
        wait_for(p, &id, InstanceStateName::Stopped, UPDATE_TIMEOUT).await?;
        p.ec2
            .modify_instance_attribute()
            .instance_id(&id)
            .instance_type(AttributeValue::builder().value(&t).build())
            .send()
            .await
            .map_err(|e| aws_error(&format!("changing the type of instance {id} to {t}"), &e))?;
        p.ec2.start_instances().instance_ids(&id).send().await.map_err(|e| aws_error(&format!("starting instance {id}"), &e))?;
        wait_for(p, &id, InstanceStateName::Running, UPDATE_TIMEOUT).await?;
    }
    let groups = strings(attr(planned, "vpc_security_group_ids"));
    if attr(prior, "vpc_security_group_ids") != attr(planned, "vpc_security_group_ids") && !groups.is_empty() {
        p.ec2
            .modify_instance_attribute()
            .instance_id(&id)
            .set_groups(Some(groups))
            .send()
            .await
            .map_err(|e| aws_error(&format!("changing the security groups of instance {id}"), &e))?;
    }
    sync_tags(p, &id, attr(prior, "tags_all"), attr(planned, "tags_all")).await
}

/// Live (not terminated) instances by id, described 1,000 ids per call.
async fn describe(p: &AwsProvider, ids: &[String]) -> Result<HashMap<String, Instance>, Diagnostics> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(1000) {
        let mut token: Option<String> = None;
        loop {
            let page = match p.ec2.describe_instances().set_instance_ids(Some(chunk.to_vec())).set_next_token(token.clone()).send().await {
                Ok(pg) => pg,
                // One unknown id fails the whole call: fall back to describing them one by one.
                Err(e) if is_not_found(&e) && chunk.len() > 1 => {
                    for id in chunk {
                        out.extend(Box::pin(describe(p, std::slice::from_ref(id))).await?);
                    }
                    break;
                }
                Err(e) if is_not_found(&e) => break,
                Err(e) => return Err(aws_error("describing instances", &e)),
            };
            for i in page.reservations().iter().flat_map(|r| r.instances()) {
                let gone = i.state().and_then(|s| s.name()) == Some(&InstanceStateName::Terminated);
                if let (Some(id), false) = (i.instance_id(), gone) {
                    out.insert(id.to_string(), i.clone());
                }
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    Ok(out)
}
