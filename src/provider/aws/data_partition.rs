//! `data "aws_partition"`: the provider region's partition (`partition`, also `id`),
//! `dns_suffix` and `reverse_dns_prefix`, computed locally as the provider does from the SDK's
//! partition data. The partition and region tables here also serve `data "aws_region"`.

use async_trait::async_trait;

use super::AwsProvider;
use crate::provider::helpers::set;
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

/// A partition: id, DNS suffix, reverse DNS prefix, region-name pattern (prefixes), regions.
pub struct Partition {
    pub id: &'static str,
    pub dns_suffix: &'static str,
    pub reverse_dns_prefix: &'static str,
    prefixes: &'static [&'static str],
    pub regions: &'static [(&'static str, &'static str)],
}

pub static PARTITIONS: [Partition; 8] = [
    Partition {
        id: "aws",
        dns_suffix: "amazonaws.com",
        reverse_dns_prefix: "com.amazonaws",
        prefixes: &["us-", "eu-", "ap-", "sa-", "ca-", "me-", "af-", "il-", "mx-"],
        regions: &[
            ("af-south-1", "Africa (Cape Town)"),
            ("ap-east-1", "Asia Pacific (Hong Kong)"),
            ("ap-east-2", "Asia Pacific (Taipei)"),
            ("ap-northeast-1", "Asia Pacific (Tokyo)"),
            ("ap-northeast-2", "Asia Pacific (Seoul)"),
            ("ap-northeast-3", "Asia Pacific (Osaka)"),
            ("ap-south-1", "Asia Pacific (Mumbai)"),
            ("ap-south-2", "Asia Pacific (Hyderabad)"),
            ("ap-southeast-1", "Asia Pacific (Singapore)"),
            ("ap-southeast-2", "Asia Pacific (Sydney)"),
            ("ap-southeast-3", "Asia Pacific (Jakarta)"),
            ("ap-southeast-4", "Asia Pacific (Melbourne)"),
            ("ap-southeast-5", "Asia Pacific (Malaysia)"),
            ("ap-southeast-6", "Asia Pacific (New Zealand)"),
            ("ap-southeast-7", "Asia Pacific (Thailand)"),
            ("ca-central-1", "Canada (Central)"),
            ("ca-west-1", "Canada West (Calgary)"),
            ("eu-central-1", "Europe (Frankfurt)"),
            ("eu-central-2", "Europe (Zurich)"),
            ("eu-north-1", "Europe (Stockholm)"),
            ("eu-south-1", "Europe (Milan)"),
            ("eu-south-2", "Europe (Spain)"),
            ("eu-west-1", "Europe (Ireland)"),
            ("eu-west-2", "Europe (London)"),
            ("eu-west-3", "Europe (Paris)"),
            ("il-central-1", "Israel (Tel Aviv)"),
            ("me-central-1", "Middle East (UAE)"),
            ("me-south-1", "Middle East (Bahrain)"),
            ("mx-central-1", "Mexico (Central)"),
            ("sa-east-1", "South America (Sao Paulo)"),
            ("us-east-1", "US East (N. Virginia)"),
            ("us-east-2", "US East (Ohio)"),
            ("us-west-1", "US West (N. California)"),
            ("us-west-2", "US West (Oregon)"),
        ],
    },
    Partition {
        id: "aws-cn",
        dns_suffix: "amazonaws.com.cn",
        reverse_dns_prefix: "cn.com.amazonaws",
        prefixes: &["cn-"],
        regions: &[("cn-north-1", "China (Beijing)"), ("cn-northwest-1", "China (Ningxia)")],
    },
    Partition {
        id: "aws-us-gov",
        dns_suffix: "amazonaws.com",
        reverse_dns_prefix: "com.amazonaws",
        prefixes: &["us-gov-"],
        regions: &[("us-gov-east-1", "AWS GovCloud (US-East)"), ("us-gov-west-1", "AWS GovCloud (US-West)")],
    },
    Partition {
        id: "aws-iso",
        dns_suffix: "c2s.ic.gov",
        reverse_dns_prefix: "gov.ic.c2s",
        prefixes: &["us-iso-"],
        regions: &[("us-iso-east-1", "US ISO East"), ("us-iso-west-1", "US ISO WEST")],
    },
    Partition {
        id: "aws-iso-b",
        dns_suffix: "sc2s.sgov.gov",
        reverse_dns_prefix: "gov.sgov.sc2s",
        prefixes: &["us-isob-"],
        regions: &[("us-isob-east-1", "US ISOB East (Ohio)")],
    },
    Partition {
        id: "aws-iso-e",
        dns_suffix: "cloud.adc-e.uk",
        reverse_dns_prefix: "uk.adc-e.cloud",
        prefixes: &["eu-isoe-"],
        regions: &[("eu-isoe-west-1", "EU ISOE West")],
    },
    Partition {
        id: "aws-iso-f",
        dns_suffix: "csp.hci.ic.gov",
        reverse_dns_prefix: "gov.ic.hci.csp",
        prefixes: &["us-isof-"],
        regions: &[("us-isof-east-1", "US ISOF EAST"), ("us-isof-south-1", "US ISOF SOUTH")],
    },
    Partition {
        id: "aws-eusc",
        dns_suffix: "amazonaws.eu",
        reverse_dns_prefix: "eu.amazonaws",
        prefixes: &["eusc-"],
        regions: &[("eusc-de-east-1", "EU (Germany)")],
    },
];

/// The partition of a region: the one listing it, else the one whose name pattern it fits
/// (the most specific prefix), else `aws`.
pub fn partition_of(region: &str) -> &'static Partition {
    if let Some(p) = PARTITIONS.iter().find(|p| p.regions.iter().any(|(r, _)| *r == region)) {
        return p;
    }
    let fits = |p: &&Partition| p.prefixes.iter().filter(|x| region.starts_with(**x)).map(|x| x.len()).max();
    PARTITIONS.iter().filter_map(|p| fits(&p).map(|n| (n, p))).max_by_key(|(n, _)| *n).map(|(_, p)| p).unwrap_or(&PARTITIONS[0])
}

pub fn schema() -> ResourceSchema {
    data("aws_partition").implement(&["dns_suffix", "id", "partition", "reverse_dns_prefix"]).build()
}

/// `data "aws_partition"`.
pub struct DataPartition;

#[async_trait]
impl DataSourceType<AwsProvider> for DataPartition {
    fn name(&self) -> &'static str {
        "aws_partition"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let part = partition_of(&p.region);
        let mut s = config;
        for (k, v) in [("id", part.id), ("partition", part.id), ("dns_suffix", part.dns_suffix), ("reverse_dns_prefix", part.reverse_dns_prefix)] {
            set(&mut s, k, Value::string(v));
        }
        ReadDataResponse::found(s)
    }
}

#[cfg(test)]
mod tests {
    use super::partition_of;

    #[test]
    fn regions_map_to_their_partition() {
        assert_eq!(partition_of("eu-west-1").id, "aws");
        assert_eq!(partition_of("cn-north-1").dns_suffix, "amazonaws.com.cn");
        assert_eq!(partition_of("us-gov-west-1").id, "aws-us-gov");
        assert_eq!(partition_of("us-isob-east-1").reverse_dns_prefix, "gov.sgov.sc2s");
        assert_eq!(partition_of("us-gov-future-9").id, "aws-us-gov");
        assert_eq!(partition_of("us-future-9").id, "aws");
    }
}
