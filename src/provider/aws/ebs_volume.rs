//! `aws_ebs_volume`: an EBS volume. Replaced when these change: `availability_zone`,
//! `encrypted`, `kms_key_id`, `snapshot_id`, `multi_attach_enabled`, and `size` made smaller.
//! In place (`ModifyVolume`, then waited for until the modification is `optimizing` or
//! `completed`): `size` (grown), `type`, `iops`, `throughput`; `tags`. Kept in state and used
//! on delete: `final_snapshot` (false; a snapshot of the volume is taken before it is
//! deleted). AWS chooses `size` (from the snapshot), `type`, `iops`, `throughput`,
//! `encrypted` and `kms_key_id` when they are unset. Computed: `id` (the import id), `arn`,
//! `create_time`, `tags_all`.
//!
//! The create passes the engine's idempotency token as `ClientToken`, reports the volume as
//! soon as it has an id, and waits until it is `available` (5 minutes at most); the delete
//! waits until it is gone. Not implemented: `outpost_arn`, `volume_initialization_rate`,
//! `region`.

use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{ResourceType as Ec2ResourceType, Tag, TagSpecification, Volume, VolumeModificationState, VolumeState, VolumeType};

use super::ec2::{is_not_found, plan_common, set_tags, sync_tags, tag_map};
use super::errors::aws_error;
use super::json_api::updated;
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::{PathStep, Value};

pub fn schema() -> ResourceSchema {
    resource("aws_ebs_volume")
        .implement(&[
            "arn",
            "availability_zone",
            "create_time",
            "encrypted",
            "final_snapshot",
            "id",
            "iops",
            "kms_key_id",
            "multi_attach_enabled",
            "size",
            "snapshot_id",
            "throughput",
            "type",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["final_snapshot"])
        .force_new(&["availability_zone", "encrypted", "kms_key_id", "multi_attach_enabled", "snapshot_id"])
        .build()
}

/// `aws_ebs_volume`.
pub struct EbsVolume;

/// The volume, or `None` when it does not exist or is `deleted`.
pub(super) async fn find(p: &AwsProvider, id: &str) -> Result<Option<Volume>, Diagnostics> {
    match p.ec2.describe_volumes().volume_ids(id).send().await {
        Ok(o) => Ok(o.volumes().iter().find(|v| v.volume_id() == Some(id) && v.state() != Some(&VolumeState::Deleted)).cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(aws_error(&format!("reading EBS volume {id}"), &e)),
    }
}

/// Polls until `done` says the volume is ready (`Ok(true)`), or fails.
async fn wait(p: &AwsProvider, id: &str, what: &str, timeout: Duration, done: impl Fn(Option<&Volume>) -> Result<bool, String>) -> Result<(), Diagnostics> {
    let (start, mut delay) = (Instant::now(), Duration::from_millis(200));
    loop {
        let v = find(p, id).await?;
        match done(v.as_ref()) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(why) => return Err(Diagnostic::error("EBS volume failed", format!("EBS volume {id}: {why}")).into()),
        }
        if start.elapsed() > timeout {
            return Err(Diagnostic::error(
                "Timeout waiting for EBS volume",
                format!("EBS volume {id} did not become {what} within {} minutes.", timeout.as_secs() / 60),
            )
            .into());
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// Waits until the volume is `available` (or `in-use`).
pub(super) async fn wait_available(p: &AwsProvider, id: &str) -> Result<(), Diagnostics> {
    wait(p, id, "available", Duration::from_secs(5 * 60), |v| match v.and_then(|v| v.state()) {
        Some(VolumeState::Available | VolumeState::InUse) => Ok(true),
        Some(VolumeState::Error) => Err("the volume is in state error".into()),
        _ => Ok(false),
    })
    .await
}

/// Waits until the volume's last modification is `optimizing` or `completed`.
async fn wait_modified(p: &AwsProvider, id: &str) -> Result<(), Diagnostics> {
    let start = Instant::now();
    loop {
        let out = p
            .ec2
            .describe_volumes_modifications()
            .volume_ids(id)
            .send()
            .await
            .map_err(|e| aws_error(&format!("reading the modifications of EBS volume {id}"), &e))?;
        match out.volumes_modifications().last().and_then(|m| m.modification_state()) {
            None | Some(VolumeModificationState::Optimizing | VolumeModificationState::Completed) => return Ok(()),
            Some(VolumeModificationState::Failed) => {
                return Err(Diagnostic::error("EBS volume modification failed", format!("modifying EBS volume {id} failed")).into())
            }
            _ => {}
        }
        if start.elapsed() > Duration::from_secs(5 * 60) {
            return Err(Diagnostic::error("Timeout waiting for EBS volume", format!("EBS volume {id} was still being modified after 5 minutes.")).into());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

fn fill(p: &AwsProvider, mut s: Value, v: &Volume, account: &str) -> Value {
    let opt = |x: Option<&str>| x.filter(|s| !s.is_empty()).map(Value::string).unwrap_or(Value::Null);
    let num = |x: Option<i32>| x.map(|n| Value::Number(n as f64)).unwrap_or(Value::Null);
    let id = v.volume_id().unwrap_or_default();
    set(&mut s, "id", Value::string(id));
    set(&mut s, "arn", Value::String(format!("arn:aws:ec2:{}:{account}:volume/{id}", p.region)));
    set(&mut s, "availability_zone", opt(v.availability_zone()));
    set(&mut s, "encrypted", Value::Bool(v.encrypted() == Some(true)));
    set(&mut s, "kms_key_id", opt(v.kms_key_id()));
    set(&mut s, "size", num(v.size()));
    set(&mut s, "snapshot_id", opt(v.snapshot_id()));
    set(&mut s, "type", opt(v.volume_type().map(|t| t.as_str())));
    set(&mut s, "iops", num(v.iops()));
    set(&mut s, "throughput", num(v.throughput()));
    // Not set and false is no difference (the provider's schema has no default for it).
    let multi = v.multi_attach_enabled() == Some(true);
    if multi || !attr(&s, "multi_attach_enabled").is_null() {
        set(&mut s, "multi_attach_enabled", Value::Bool(multi));
    }
    set(&mut s, "create_time", v.create_time().map(|t| Value::String(t.to_string())).unwrap_or(Value::Null));
    if attr(&s, "final_snapshot").is_null() {
        set(&mut s, "final_snapshot", Value::Bool(false));
    }
    set_tags(p, &mut s, &tag_map(v.tags()));
    s
}

fn number(v: &Value, arg: &str) -> Option<i32> {
    attr(v, arg).as_f64().map(|n| n as i32)
}

fn check(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if attr(config, "size").is_null() && attr(config, "snapshot_id").is_null() {
        d.push(Diagnostic::error("Missing required argument", "\"size\": one of `size,snapshot_id` must be specified").for_attribute("size"));
    }
    let kind = attr(config, "type").as_str().unwrap_or_default();
    if !attr(config, "iops").is_null() && !["io1", "io2", "gp3", ""].contains(&kind) {
        d.push(Diagnostic::error("Invalid value", format!("\"iops\": iops attribute not supported for type {kind}")).for_attribute("iops"));
    }
    if !attr(config, "throughput").is_null() && kind != "gp3" {
        d.push(Diagnostic::error("Invalid value", format!("\"throughput\": throughput attribute not supported for type {kind}")).for_attribute("throughput"));
    }
    d
}

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for EbsVolume {
    fn name(&self) -> &'static str {
        "aws_ebs_volume"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &["encrypted", "iops", "kms_key_id", "size", "snapshot_id", "throughput", "type"]);
        super::json_api::provider_defaults(&mut resp.planned_state, &config, &[("final_snapshot", Value::Bool(false))]);
        if let Some(prior) = &prior {
            // A smaller volume is a new volume (the provider's ForceNewIfChange).
            if let (Some(old), Some(new)) = (attr(prior, "size").as_f64(), attr(&resp.planned_state, "size").as_f64()) {
                if new < old {
                    resp.requires_replace.push(vec![PathStep::Key("size".into())]);
                }
            }
            // A new type has AWS choose iops and throughput again unless they are configured.
            if attr(prior, "type") != attr(&resp.planned_state, "type") {
                for a in ["iops", "throughput"] {
                    if attr(&config, a).is_null() {
                        set(&mut resp.planned_state, a, Value::Unknown);
                    }
                }
            }
        }
        resp.diagnostics.extend(check(&config));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = text(&prior, "id");
        match find(p, &id).await {
            Ok(Some(v)) => {
                let known = attr(&prior, "arn").as_str().and_then(|a| a.split(':').nth(4)).filter(|a| !a.is_empty()).map(str::to_string);
                let account = match known {
                    Some(a) => a,
                    None => super::ec2::account_id(p).await,
                };
                ReadResponse::found(fill(p, prior, &v, &account))
            }
            Ok(None) => ReadResponse::gone(),
            Err(d) => ReadResponse::failed(prior, d),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, config: &Value) -> ApplyResponse {
        self.create_tracked(p, planned, config, &Operation::default()).await
    }

    /// Creates the volume with the create's `ClientToken`, reports it as started, then waits
    /// until it is available.
    async fn create_tracked(&self, p: &AwsProvider, planned: Value, _config: &Value, op: &Operation) -> ApplyResponse {
        let s = |n: &str| attr(&planned, n).as_str().filter(|x| !x.is_empty()).map(str::to_string);
        if s("availability_zone").is_none() {
            let d = Diagnostic::error("Missing required argument", "\"availability_zone\": the availability zone of the volume is null")
                .for_attribute("availability_zone");
            return ApplyResponse::failed(None, d.into());
        }
        let mut call = p
            .ec2_write
            .create_volume()
            .set_availability_zone(s("availability_zone"))
            .set_size(number(&planned, "size"))
            .set_snapshot_id(s("snapshot_id"))
            .set_kms_key_id(s("kms_key_id"))
            .set_iops(number(&planned, "iops"))
            .set_throughput(number(&planned, "throughput"))
            .set_encrypted(attr(&planned, "encrypted").as_bool())
            .set_multi_attach_enabled(attr(&planned, "multi_attach_enabled").as_bool())
            .set_volume_type(s("type").map(|t| VolumeType::from(t.as_str())))
            .set_client_token(op.token.clone());
        if let Value::Map(m) = attr(&planned, "tags_all") {
            if !m.is_empty() {
                let tags = m.iter().map(|(k, v)| Tag::builder().key(k).value(v.as_str().unwrap_or_default()).build()).collect();
                call = call.tag_specifications(TagSpecification::builder().resource_type(Ec2ResourceType::Volume).set_tags(Some(tags)).build());
            }
        }
        let out = match call.send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error("creating EBS volume", &e)),
        };
        let Some(id) = out.volume_id().map(str::to_string) else {
            return ApplyResponse::failed(None, Diagnostic::error("No volume created", "CreateVolume returned no volume id.").into());
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&id));
        op.started(&state).await;
        if let Err(d) = wait_available(p, &id).await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a) && attr(&planned, a).is_known();
        let result: Result<(), Diagnostics> = async {
            if ["size", "type", "iops", "throughput"].iter().any(|a| changed(a)) {
                let mut call = p.ec2.modify_volume().volume_id(&id);
                if changed("size") {
                    call = call.set_size(number(&planned, "size"));
                }
                if changed("type") {
                    call = call.set_volume_type(attr(&planned, "type").as_str().map(VolumeType::from));
                }
                if changed("iops") {
                    call = call.set_iops(number(&planned, "iops"));
                }
                if changed("throughput") {
                    call = call.set_throughput(number(&planned, "throughput"));
                }
                call.send().await.map_err(|e| aws_error(&format!("modifying EBS volume {id}"), &e))?;
                wait_modified(p, &id).await?;
            }
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    /// Takes the final snapshot when asked, deletes the volume and waits until it is gone.
    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        if attr(&prior, "final_snapshot").as_bool() == Some(true) {
            let mut call = p.ec2_write.create_snapshot().volume_id(&id);
            if let Value::Map(m) = attr(&prior, "tags_all") {
                if !m.is_empty() {
                    let tags = m.iter().map(|(k, v)| Tag::builder().key(k).value(v.as_str().unwrap_or_default()).build()).collect();
                    call = call.tag_specifications(TagSpecification::builder().resource_type(Ec2ResourceType::Snapshot).set_tags(Some(tags)).build());
                }
            }
            if let Err(e) = call.send().await {
                return ApplyResponse::failed(Some(prior), aws_error(&format!("creating the final snapshot of EBS volume {id}"), &e));
            }
        }
        match p.ec2_write.delete_volume().volume_id(&id).send().await {
            Err(e) if is_not_found(&e) => return ApplyResponse::ok(None),
            Err(e) => return ApplyResponse::failed(Some(prior), aws_error(&format!("deleting EBS volume {id}"), &e)),
            Ok(_) => {}
        }
        match wait(p, &id, "deleted", Duration::from_secs(5 * 60), |v| Ok(v.is_none())).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_or_snapshot_is_required() {
        assert!(check(&Value::object([("availability_zone", Value::string("eu-west-1a"))])).has_errors());
        assert!(!check(&Value::object([("size", Value::Number(8.0)), ("type", Value::string("gp3")), ("throughput", Value::Number(125.0))])).has_errors());
        assert!(check(&Value::object([("size", Value::Number(8.0)), ("type", Value::string("gp2")), ("throughput", Value::Number(125.0))])).has_errors());
    }
}
