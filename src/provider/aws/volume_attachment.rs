//! `aws_volume_attachment`: an EBS volume attached to an EC2 instance. `device_name`,
//! `instance_id` and `volume_id` replace it; `force_detach` and `skip_destroy` are kept in
//! state and used on delete (a detach with `Force`; no detach at all). The `id` is the
//! provider's `vai-<crc32 of "device-instance-volume-">`; the import id is
//! `DEVICE_NAME:VOLUME_ID:INSTANCE_ID`.
//!
//! The create attaches the volume (unless it is already attached there, as the provider
//! checks), reports the attachment, and waits until it is `attached` (5 minutes at most); the
//! delete detaches and waits until the volume is no longer attached to the instance. Not
//! implemented: `stop_instance_before_detaching`, `region`.

use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{Volume, VolumeAttachmentState};

use super::ebs_volume::find;
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_volume_attachment")
        .implement(&["device_name", "force_detach", "id", "instance_id", "skip_destroy", "volume_id"])
        .computed_only(&["id"])
        .force_new(&["device_name", "instance_id", "volume_id"])
        .build()
}

/// `aws_volume_attachment`.
pub struct VolumeAttachment;

/// CRC-32 (IEEE), as Go's `crc32.ChecksumIEEE`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// The provider's attachment id (`volumeAttachmentID`).
fn attachment_id(device: &str, volume: &str, instance: &str) -> String {
    format!("vai-{}", crc32(format!("{device}-{instance}-{volume}-").as_bytes()))
}

/// The state of the volume's attachment to `instance` at `device`, if there is one.
fn attachment_state(v: &Volume, device: &str, instance: &str) -> Option<VolumeAttachmentState> {
    v.attachments()
        .iter()
        .find(|a| a.instance_id() == Some(instance) && a.device() == Some(device))
        .map(|a| a.state().cloned().unwrap_or(VolumeAttachmentState::Attached))
}

/// Polls until the attachment is `attached` (`attached = true`) or gone.
async fn wait(p: &AwsProvider, device: &str, volume: &str, instance: &str, attached: bool) -> Result<(), Diagnostics> {
    let (start, mut delay) = (Instant::now(), Duration::from_millis(200));
    loop {
        let state = find(p, volume).await?.and_then(|v| attachment_state(&v, device, instance));
        match (attached, state) {
            (true, Some(VolumeAttachmentState::Attached)) | (false, None | Some(VolumeAttachmentState::Detached)) => return Ok(()),
            _ => {}
        }
        if start.elapsed() > Duration::from_secs(5 * 60) {
            let want = if attached { "attached" } else { "detached" };
            return Err(Diagnostic::error(
                "Timeout waiting for volume attachment",
                format!("EBS volume {volume} did not become {want} to {instance} ({device}) within 5 minutes."),
            )
            .into());
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

fn parts(v: &Value) -> (String, String, String) {
    (text(v, "device_name"), text(v, "volume_id"), text(v, "instance_id"))
}

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for VolumeAttachment {
    fn name(&self) -> &'static str {
        "aws_volume_attachment"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let (device, volume, instance) = parts(&planned);
        let known = ["device_name", "volume_id", "instance_id"].iter().all(|a| attr(&planned, a).is_known());
        set(&mut planned, "id", if known { Value::String(attachment_id(&device, &volume, &instance)) } else { Value::Unknown });
        PlanResponse::planned(planned)
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let (device, volume, instance) = parts(&prior);
        match find(p, &volume).await {
            Ok(Some(v)) => match attachment_state(&v, &device, &instance) {
                Some(VolumeAttachmentState::Attached | VolumeAttachmentState::Attaching | VolumeAttachmentState::Busy) => {
                    let mut s = prior;
                    set(&mut s, "id", Value::String(attachment_id(&device, &volume, &instance)));
                    ReadResponse::found(s)
                }
                _ => ReadResponse::gone(),
            },
            Ok(None) => ReadResponse::gone(),
            Err(d) => ReadResponse::failed(prior, d),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, config: &Value) -> ApplyResponse {
        self.create_tracked(p, planned, config, &Operation::default()).await
    }

    /// Attaches the volume (unless it already is), reports the attachment, and waits until it
    /// is attached.
    async fn create_tracked(&self, p: &AwsProvider, planned: Value, _config: &Value, op: &Operation) -> ApplyResponse {
        let (device, volume, instance) = parts(&planned);
        let there = match find(p, &volume).await {
            Ok(v) => v.and_then(|v| attachment_state(&v, &device, &instance)),
            Err(d) => return ApplyResponse::failed(None, d),
        };
        if !matches!(there, Some(VolumeAttachmentState::Attached | VolumeAttachmentState::Attaching)) {
            let call = p.ec2_write.attach_volume().device(&device).instance_id(&instance).volume_id(&volume);
            if let Err(e) = call.send().await {
                return ApplyResponse::failed(None, aws_error(&format!("attaching EBS volume {volume} to EC2 instance {instance}"), &e));
            }
        }
        let mut state = planned;
        set(&mut state, "id", Value::String(attachment_id(&device, &volume, &instance)));
        op.started(&state).await;
        match wait(p, &device, &volume, &instance, true).await {
            Ok(()) => ApplyResponse::ok(Some(state)),
            Err(d) => ApplyResponse::failed(Some(state), d),
        }
    }

    /// Only state-only arguments (`force_detach`, `skip_destroy`) change in place.
    async fn update(&self, _p: &AwsProvider, _prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        ApplyResponse::ok(Some(planned))
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        if attr(&prior, "skip_destroy").as_bool() == Some(true) {
            return ApplyResponse::ok(None);
        }
        let (device, volume, instance) = parts(&prior);
        let force = attr(&prior, "force_detach").as_bool() == Some(true);
        let call = p.ec2_write.detach_volume().device(&device).instance_id(&instance).volume_id(&volume).force(force);
        match call.send().await {
            Err(e)
                if super::ec2::is_not_found(&e)
                    || e.as_service_error().and_then(|s| aws_sdk_ec2::error::ProvideErrorMetadata::code(s)) == Some("IncorrectState") =>
            {
                return ApplyResponse::ok(None);
            }
            Err(e) => return ApplyResponse::failed(Some(prior), aws_error(&format!("detaching EBS volume {volume} from EC2 instance {instance}"), &e)),
            Ok(_) => {}
        }
        match wait(p, &device, &volume, &instance, false).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    /// Imports `DEVICE_NAME:VOLUME_ID:INSTANCE_ID`.
    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let parts: Vec<&str> = id.split(':').collect();
        let [device, volume, instance] = parts.as_slice() else {
            return ImportResponse::failed(
                Diagnostic::error("Invalid import id", format!("unexpected format of ID ({id:?}), expected DEVICE_NAME:VOLUME_ID:INSTANCE_ID")).into(),
            );
        };
        let mut state = blank;
        set(&mut state, "device_name", Value::string(*device));
        set(&mut state, "volume_id", Value::string(*volume));
        set(&mut state, "instance_id", Value::string(*instance));
        crate::provider::helpers::imported(self.read(p, state).await, || {
            format!("There is no attachment of EBS volume {volume} to EC2 instance {instance} at {device}.")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_providers() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(attachment_id("/dev/sdh", "vol-1", "i-1"), format!("vai-{}", crc32(b"/dev/sdh-i-1-vol-1-")));
    }
}
