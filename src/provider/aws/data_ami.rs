//! `data "aws_ami"`: one AMI from DescribeImages by `owners`, `executable_users` and `filter`
//! blocks, then `name_regex` on the names found. Several matches are an error unless
//! `most_recent = true`, which takes the newest by creation date; `most_recent` without an
//! owner (`owners`, or an `owner-id` / `image-id` filter) is an error, a warning with
//! `allow_unsafe_filter = true`. `include_deprecated` (false) asks for deprecated images too.
//! Exposes the image's attributes (`image_id`, `name`, `owner_id`, `creation_date`,
//! `architecture`, `root_device_name`, `root_snapshot_id`, `block_device_mappings` with `ebs` as
//! a map of strings, `state_reason` with `UNSET` when absent, `tags`, ...); `id` is the image id.

use async_trait::async_trait;
use aws_sdk_ec2::types::Image;

use super::ec2_data::{custom_filters, opt, strings, tags_value};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, map_value, set};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

const COMPUTED: [&str; 33] = [
    "architecture",
    "arn",
    "block_device_mappings",
    "boot_mode",
    "creation_date",
    "deprecation_time",
    "description",
    "ena_support",
    "hypervisor",
    "image_id",
    "image_location",
    "image_owner_alias",
    "image_type",
    "imds_support",
    "kernel_id",
    "last_launched_time",
    "name",
    "owner_id",
    "platform",
    "platform_details",
    "product_codes",
    "public",
    "ramdisk_id",
    "root_device_name",
    "root_device_type",
    "root_snapshot_id",
    "sriov_net_support",
    "state",
    "state_reason",
    "tpm_support",
    "usage_operation",
    "virtualization_type",
    "id",
];

pub fn schema() -> ResourceSchema {
    data("aws_ami")
        .implement(&COMPUTED)
        .implement(&["allow_unsafe_filter", "executable_users", "filter", "include_deprecated", "most_recent", "name_regex", "owners", "tags", "uefi_data"])
        .computed_only(&["id"])
        .build()
}

/// `data "aws_ami"`.
pub struct DataAmi;

/// The provider's check that `most_recent` cannot pick a third party's newer image.
fn unsafe_most_recent(config: &Value, owners: &[String]) -> Option<Diagnostic> {
    let filtered = custom_filters(config).iter().any(|f| matches!(f.name(), Some("image-id" | "owner-id")));
    if attr(config, "most_recent").as_bool() != Some(true) || !owners.is_empty() || filtered {
        return None;
    }
    let (summary, detail) = (
        "Most Recent Image Not Filtered",
        "\"most_recent\" is set to \"true\" and results are not filtered by owner or image ID. With this configuration, a third party may introduce a new image which will be returned by this data source. Filter by owner or image ID to avoid this possibility.",
    );
    Some(if attr(config, "allow_unsafe_filter").as_bool() == Some(true) { Diagnostic::warning(summary, detail) } else { Diagnostic::error(summary, detail) })
}

/// The newest image by creation date (the first of equals, as the provider picks).
fn newest(images: Vec<Image>) -> Option<Image> {
    let date = |i: &Image| i.creation_date().and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok()).map(|d| d.timestamp_millis()).unwrap_or(i64::MIN);
    images.into_iter().fold(None, |best: Option<Image>, i| match best {
        Some(b) if date(&b) >= date(&i) => Some(b),
        _ => Some(i),
    })
}

#[async_trait]
impl DataSourceType<AwsProvider> for DataAmi {
    fn name(&self) -> &'static str {
        "aws_ami"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let owners = strings(attr(&config, "owners"));
        let mut diagnostics = Diagnostics::new();
        if let Some(d) = unsafe_most_recent(&config, &owners) {
            let fatal = d.is_error();
            diagnostics.push(d);
            if fatal {
                return ReadDataResponse::failed(diagnostics);
            }
        }
        let regex = match attr(&config, "name_regex").as_str().map(regex::Regex::new) {
            Some(Err(e)) => return ReadDataResponse::failed(Diagnostic::error("Invalid value", format!("name_regex: {e}")).for_attribute("name_regex").into()),
            Some(Ok(r)) => Some(r),
            None => None,
        };
        let filters = custom_filters(&config);
        let users = strings(attr(&config, "executable_users"));
        let call = p
            .ec2
            .describe_images()
            .include_deprecated(attr(&config, "include_deprecated").as_bool().unwrap_or(false))
            .set_filters(Some(filters).filter(|f| !f.is_empty()))
            .set_owners(Some(owners).filter(|o| !o.is_empty()))
            .set_executable_users(Some(users).filter(|u| !u.is_empty()));
        let images = match call.send().await {
            Ok(o) => o.images.unwrap_or_default(),
            Err(e) => return ReadDataResponse::failed(aws_error("reading EC2 AMIs", &e)),
        };
        let images: Vec<Image> = match &regex {
            Some(r) => images.into_iter().filter(|i| i.name().is_some_and(|n| !n.is_empty() && r.is_match(n))).collect(),
            None => images,
        };
        let fail = |detail: &str| ReadDataResponse::failed(Diagnostic::error("Error reading EC2 AMIs", detail).into());
        if images.is_empty() {
            return fail("Your query returned no results. Please change your search criteria and try again.");
        }
        if images.len() > 1 && attr(&config, "most_recent").as_bool() != Some(true) {
            return fail("Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true.");
        }
        let Some(image) = newest(images) else { return fail("Your query returned no results.") };
        let mut s = fill(p, config, &image);
        if attr(&s, "include_deprecated").is_null() {
            set(&mut s, "include_deprecated", Value::Bool(false));
        }
        if attr(&s, "most_recent").is_null() {
            set(&mut s, "most_recent", Value::Bool(false));
        }
        ReadDataResponse { state: s, diagnostics }
    }
}

/// The state of the image found.
fn fill(p: &AwsProvider, mut s: Value, i: &Image) -> Value {
    let id = i.image_id().unwrap_or_default().to_string();
    let enum_text = |v: Option<&str>| Value::string(v.unwrap_or_default());
    set(&mut s, "id", Value::string(&id));
    set(&mut s, "image_id", Value::string(&id));
    set(&mut s, "arn", Value::String(format!("arn:aws:ec2:{}::image/{id}", p.region)));
    set(&mut s, "architecture", enum_text(i.architecture().map(|a| a.as_str())));
    set(&mut s, "boot_mode", enum_text(i.boot_mode().map(|a| a.as_str())));
    set(&mut s, "creation_date", opt(i.creation_date()));
    set(&mut s, "deprecation_time", opt(i.deprecation_time()));
    set(&mut s, "description", opt(i.description()));
    set(&mut s, "ena_support", i.ena_support().map(Value::Bool).unwrap_or(Value::Null));
    set(&mut s, "hypervisor", enum_text(i.hypervisor().map(|a| a.as_str())));
    set(&mut s, "image_location", opt(i.image_location()));
    set(&mut s, "image_owner_alias", opt(i.image_owner_alias()));
    set(&mut s, "image_type", enum_text(i.image_type().map(|a| a.as_str())));
    set(&mut s, "imds_support", enum_text(i.imds_support().map(|a| a.as_str())));
    set(&mut s, "kernel_id", opt(i.kernel_id()));
    set(&mut s, "last_launched_time", opt(i.last_launched_time()));
    set(&mut s, "name", opt(i.name()));
    set(&mut s, "owner_id", opt(i.owner_id()));
    set(&mut s, "platform", enum_text(i.platform().map(|a| a.as_str())));
    set(&mut s, "platform_details", opt(i.platform_details()));
    set(&mut s, "public", i.public().map(Value::Bool).unwrap_or(Value::Null));
    set(&mut s, "ramdisk_id", opt(i.ramdisk_id()));
    set(&mut s, "root_device_name", opt(i.root_device_name()));
    set(&mut s, "root_device_type", enum_text(i.root_device_type().map(|a| a.as_str())));
    set(&mut s, "sriov_net_support", opt(i.sriov_net_support()));
    set(&mut s, "state", enum_text(i.state().map(|a| a.as_str())));
    set(&mut s, "tpm_support", enum_text(i.tpm_support().map(|a| a.as_str())));
    set(&mut s, "usage_operation", opt(i.usage_operation()));
    set(&mut s, "virtualization_type", enum_text(i.virtualization_type().map(|a| a.as_str())));
    let reason = i.state_reason();
    let code = reason.map(|r| r.code().unwrap_or_default()).unwrap_or("UNSET");
    let message = reason.map(|r| r.message().unwrap_or_default()).unwrap_or("UNSET");
    set(&mut s, "state_reason", map_value([("code".to_string(), code.to_string()), ("message".to_string(), message.to_string())]));
    let root = i.root_device_name();
    let root_snapshot = i
        .block_device_mappings()
        .iter()
        .find(|m| root.is_some() && m.device_name() == root)
        .and_then(|m| m.ebs().and_then(|e| e.snapshot_id()))
        .unwrap_or_default();
    set(&mut s, "root_snapshot_id", Value::string(root_snapshot));
    let mappings = i
        .block_device_mappings()
        .iter()
        .map(|m| {
            let ebs = m.ebs().map(|e| {
                let n = |v: Option<i32>| v.unwrap_or(0).to_string();
                let b = |v: Option<bool>| v.unwrap_or(false).to_string();
                map_value([
                    ("delete_on_termination".to_string(), b(e.delete_on_termination())),
                    ("encrypted".to_string(), b(e.encrypted())),
                    ("iops".to_string(), n(e.iops())),
                    ("snapshot_id".to_string(), e.snapshot_id().unwrap_or_default().to_string()),
                    ("throughput".to_string(), n(e.throughput())),
                    ("volume_size".to_string(), n(e.volume_size())),
                    ("volume_type".to_string(), e.volume_type().map(|t| t.as_str()).unwrap_or_default().to_string()),
                ])
            });
            Value::object([
                ("device_name", Value::string(m.device_name().unwrap_or_default())),
                ("ebs", ebs.unwrap_or(Value::Null)),
                ("no_device", opt(m.no_device())),
                ("virtual_name", Value::string(m.virtual_name().unwrap_or_default())),
            ])
        })
        .collect();
    set(&mut s, "block_device_mappings", Value::set(mappings));
    let codes = i
        .product_codes()
        .iter()
        .map(|c| {
            Value::object([
                ("product_code_id", Value::string(c.product_code_id().unwrap_or_default())),
                ("product_code_type", Value::string(c.product_code_type().map(|t| t.as_str()).unwrap_or_default())),
            ])
        })
        .collect();
    set(&mut s, "product_codes", Value::set(codes));
    set(&mut s, "tags", tags_value(i.tags()));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_recent_without_an_owner_is_refused_unless_allowed() {
        let config = |pairs: Vec<(&str, Value)>| Value::object(pairs);
        let mr = ("most_recent", Value::Bool(true));
        assert!(unsafe_most_recent(&config(vec![mr.clone()]), &[]).is_some_and(|d| d.is_error()));
        assert!(unsafe_most_recent(&config(vec![mr.clone(), ("allow_unsafe_filter", Value::Bool(true))]), &[]).is_some_and(|d| !d.is_error()));
        assert!(unsafe_most_recent(&config(vec![mr.clone()]), &["amazon".to_string()]).is_none());
        let by_owner = Value::set(vec![Value::object([("name", Value::string("owner-id")), ("values", Value::set(vec![Value::string("1")]))])]);
        assert!(unsafe_most_recent(&config(vec![mr, ("filter", by_owner)]), &[]).is_none());
    }

    #[test]
    fn newest_keeps_the_first_of_equals() {
        let img = |id: &str, d: &str| Image::builder().image_id(id).creation_date(d).build();
        let got = newest(vec![img("a", "2020-01-01T00:00:00.000Z"), img("b", "2024-01-01T00:00:00.000Z"), img("c", "2024-01-01T00:00:00.000Z")]);
        assert_eq!(got.and_then(|i| i.image_id.clone()).as_deref(), Some("b"));
    }
}
