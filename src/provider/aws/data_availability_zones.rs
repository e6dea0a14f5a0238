//! `data "aws_availability_zones"`: the zones of the provider's region, sorted by name, as
//! `names` and `zone_ids` (and their `group_names`). `state` (`available`, `information`,
//! `impaired`, `unavailable`) and `filter` blocks filter the DescribeAvailabilityZones call;
//! `all_availability_zones` includes Local and Wavelength Zones whatever their opt-in status;
//! `exclude_names` and `exclude_zone_ids` drop zones from the answer. `id` is the region.

use async_trait::async_trait;

use super::ec2_data::{attribute_filters, custom_filters, string_list, strings};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("aws_availability_zones")
        .implement(&["all_availability_zones", "exclude_names", "exclude_zone_ids", "filter", "group_names", "id", "names", "state", "zone_ids"])
        .computed_only(&["id"])
        .build()
}

/// The zone states the `state` argument accepts.
const STATES: [&str; 4] = ["available", "information", "impaired", "unavailable"];

/// `data "aws_availability_zones"`.
pub struct DataAvailabilityZones;

#[async_trait]
impl DataSourceType<AwsProvider> for DataAvailabilityZones {
    fn name(&self) -> &'static str {
        "aws_availability_zones"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let state = attr(&config, "state").as_str().map(str::to_string);
        if let Some(s) = state.as_deref().filter(|s| !STATES.contains(s)) {
            let why = format!("expected state to be one of {STATES:?}, got {s}");
            return ReadDataResponse::failed(Diagnostic::error("Invalid value", why).for_attribute("state").into());
        }
        let mut filters = attribute_filters(&[("state", state)]);
        filters.extend(custom_filters(&config));
        let mut call = p.ec2.describe_availability_zones().set_filters(Some(filters).filter(|f| !f.is_empty()));
        if let Some(true) = attr(&config, "all_availability_zones").as_bool() {
            call = call.all_availability_zones(true);
        }
        let out = match call.send().await {
            Ok(o) => o,
            Err(e) => return ReadDataResponse::failed(aws_error("fetching Availability Zones", &e)),
        };
        let mut zones: Vec<_> = out.availability_zones().to_vec();
        zones.sort_by(|a, b| a.zone_name().cmp(&b.zone_name()));
        let (skip_names, skip_ids) = (strings(attr(&config, "exclude_names")), strings(attr(&config, "exclude_zone_ids")));
        let (mut names, mut ids, mut groups) = (Vec::new(), Vec::new(), Vec::new());
        for z in &zones {
            let (name, id) = (z.zone_name().unwrap_or_default().to_string(), z.zone_id().unwrap_or_default().to_string());
            if skip_names.contains(&name) || skip_ids.contains(&id) {
                continue;
            }
            let group = Value::string(z.group_name().unwrap_or_default());
            if !groups.contains(&group) {
                groups.push(group);
            }
            names.push(name);
            ids.push(id);
        }
        let mut s = config;
        set(&mut s, "id", Value::string(&p.region));
        set(&mut s, "names", string_list(names));
        set(&mut s, "zone_ids", string_list(ids));
        set(&mut s, "group_names", Value::set(groups));
        ReadDataResponse::found(s)
    }
}
