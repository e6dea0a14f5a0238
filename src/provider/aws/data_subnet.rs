//! `data "aws_subnet"`: exactly one subnet, by `id`, `availability_zone`,
//! `availability_zone_id`, `cidr_block`, `default_for_az` (only `true` filters, as in the
//! provider), `ipv6_cidr_block`, `state`, `vpc_id`, `tags` and `filter` blocks. None or several
//! matches are an error. Exposes the subnet's attributes (`arn`, `available_ip_address_count`,
//! `map_public_ip_on_launch`, `owner_id`, the IPv6 association, DNS name options, ...).

use async_trait::async_trait;

use super::ec2_data::{attribute_filters, custom_filters, opt, single, tag_filters, tags_value};
use super::errors::aws_error;
use super::AwsProvider;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("aws_subnet")
        .implement(&[
            "arn",
            "assign_ipv6_address_on_creation",
            "availability_zone",
            "availability_zone_id",
            "available_ip_address_count",
            "cidr_block",
            "customer_owned_ipv4_pool",
            "default_for_az",
            "enable_dns64",
            "enable_lni_at_device_index",
            "enable_resource_name_dns_a_record_on_launch",
            "enable_resource_name_dns_aaaa_record_on_launch",
            "filter",
            "id",
            "ipv6_cidr_block",
            "ipv6_cidr_block_association_id",
            "ipv6_native",
            "map_customer_owned_ip_on_launch",
            "map_public_ip_on_launch",
            "outpost_arn",
            "owner_id",
            "private_dns_hostname_type_on_launch",
            "state",
            "tags",
            "vpc_id",
        ])
        .build()
}

/// `data "aws_subnet"`.
pub struct DataSubnet;

#[async_trait]
impl DataSourceType<AwsProvider> for DataSubnet {
    fn name(&self) -> &'static str {
        "aws_subnet"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let arg = |name: &str| attr(&config, name).as_str().map(str::to_string);
        let default_for_az = (attr(&config, "default_for_az").as_bool() == Some(true)).then(|| "true".to_string());
        let mut filters = attribute_filters(&[
            ("availabilityZone", arg("availability_zone")),
            ("availabilityZoneId", arg("availability_zone_id")),
            ("defaultForAz", default_for_az),
            ("state", arg("state")),
            ("vpc-id", arg("vpc_id")),
            ("cidrBlock", arg("cidr_block")),
            ("ipv6-cidr-block-association.ipv6-cidr-block", arg("ipv6_cidr_block")),
        ]);
        filters.extend(tag_filters(&config));
        filters.extend(custom_filters(&config));
        let call = p.ec2.describe_subnets().set_subnet_ids(arg("id").map(|id| vec![id])).set_filters(Some(filters).filter(|f| !f.is_empty()));
        let out = match call.send().await {
            Ok(o) => o,
            Err(e) => return ReadDataResponse::failed(aws_error("reading EC2 Subnet", &e)),
        };
        let subnet = match single(out.subnets(), "EC2 Subnet") {
            Ok(s) => s,
            Err(d) => return ReadDataResponse::failed(d),
        };
        let b = |v: Option<bool>| v.map(Value::Bool).unwrap_or(Value::Null);
        let mut s = config;
        set(&mut s, "id", opt(subnet.subnet_id()));
        set(&mut s, "arn", opt(subnet.subnet_arn()));
        set(&mut s, "assign_ipv6_address_on_creation", b(subnet.assign_ipv6_address_on_creation()));
        set(&mut s, "availability_zone", opt(subnet.availability_zone()));
        set(&mut s, "availability_zone_id", opt(subnet.availability_zone_id()));
        set(&mut s, "available_ip_address_count", subnet.available_ip_address_count().map(|n| Value::Number(n as f64)).unwrap_or(Value::Null));
        set(&mut s, "cidr_block", opt(subnet.cidr_block()));
        set(&mut s, "customer_owned_ipv4_pool", opt(subnet.customer_owned_ipv4_pool()));
        set(&mut s, "default_for_az", b(subnet.default_for_az()));
        set(&mut s, "enable_dns64", b(subnet.enable_dns64()));
        set(&mut s, "enable_lni_at_device_index", subnet.enable_lni_at_device_index().map(|n| Value::Number(n as f64)).unwrap_or(Value::Null));
        set(&mut s, "ipv6_native", b(subnet.ipv6_native()));
        let associated = subnet
            .ipv6_cidr_block_association_set()
            .iter()
            .find(|a| a.ipv6_cidr_block_state().and_then(|st| st.state()).is_some_and(|st| st.as_str() == "associated"));
        set(&mut s, "ipv6_cidr_block_association_id", opt(associated.and_then(|a| a.association_id())));
        set(&mut s, "ipv6_cidr_block", opt(associated.and_then(|a| a.ipv6_cidr_block())));
        set(&mut s, "map_customer_owned_ip_on_launch", b(subnet.map_customer_owned_ip_on_launch()));
        set(&mut s, "map_public_ip_on_launch", b(subnet.map_public_ip_on_launch()));
        set(&mut s, "outpost_arn", opt(subnet.outpost_arn()));
        set(&mut s, "owner_id", opt(subnet.owner_id()));
        set(&mut s, "state", opt(subnet.state().map(|st| st.as_str())));
        let dns = subnet.private_dns_name_options_on_launch();
        set(&mut s, "enable_resource_name_dns_a_record_on_launch", b(dns.and_then(|d| d.enable_resource_name_dns_a_record())));
        set(&mut s, "enable_resource_name_dns_aaaa_record_on_launch", b(dns.and_then(|d| d.enable_resource_name_dns_aaaa_record())));
        set(&mut s, "private_dns_hostname_type_on_launch", opt(dns.and_then(|d| d.hostname_type()).map(|h| h.as_str())));
        set(&mut s, "vpc_id", opt(subnet.vpc_id()));
        set(&mut s, "tags", tags_value(subnet.tags()));
        ReadDataResponse::found(s)
    }
}
