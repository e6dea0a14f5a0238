//! `data "aws_region"`: a region chosen by `region`, `name` (deprecated) or its EC2 `endpoint`,
//! else the provider's; exposes `region`, `name` and `id` (its name), `endpoint` (the EC2 host)
//! and `description` ("Europe (Ireland)"), from the partition tables as the provider does (no
//! API call). An unknown region is an error.

use async_trait::async_trait;

use super::data_partition::PARTITIONS;
use super::AwsProvider;
use crate::diag::Diagnostic;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("aws_region").implement(&["description", "endpoint", "id", "name", "region"]).build()
}

/// (name, description, EC2 endpoint) of every known region.
fn regions() -> impl Iterator<Item = (&'static str, &'static str, String)> {
    PARTITIONS.iter().flat_map(|p| p.regions.iter().map(move |(r, d)| (*r, *d, format!("ec2.{r}.{}", p.dns_suffix))))
}

/// `data "aws_region"`.
pub struct DataRegion;

#[async_trait]
impl DataSourceType<AwsProvider> for DataRegion {
    fn name(&self) -> &'static str {
        "aws_region"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let fail = |summary: &str, detail: String| ReadDataResponse::failed(Diagnostic::error(summary, detail).into());
        let mut chosen: Option<(&str, &str, String)> = None;
        for arg in ["endpoint", "name", "region"] {
            let Some(want) = attr(&config, arg).as_str() else { continue };
            let hit = regions().find(|(r, _, e)| if arg == "endpoint" { e == want.trim_start_matches("https://") } else { *r == want });
            match (hit, &chosen) {
                (None, _) => return fail("Region not found", format!("region not found for {arg}: {want}")),
                (Some(h), Some(c)) if h.0 != c.0 => {
                    return fail("Multiple regions matched", "use additional constraints to reduce matches to a single region".into())
                }
                (Some(h), _) => chosen = Some(h),
            }
        }
        let Some((name, description, endpoint)) = chosen.or_else(|| regions().find(|(r, _, _)| *r == p.region)) else {
            return fail("Region not found", format!("region not found for name: {}", p.region));
        };
        let mut s = config;
        for (k, v) in [("id", name), ("name", name), ("region", name), ("description", description), ("endpoint", endpoint.as_str())] {
            set(&mut s, k, Value::string(v));
        }
        ReadDataResponse::found(s)
    }
}
