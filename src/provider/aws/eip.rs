//! `aws_eip`: an Elastic IP address, `domain = "vpc"` (the default; replaces), `tags`;
//! computed `id` and `allocation_id` (the same), `public_ip`, `public_dns`, `private_ip`,
//! `private_dns`, `association_id`, `network_border_group`, `public_ipv4_pool`, `tags_all`.
//! Import by allocation id. Delete disassociates the address first.

use aws_sdk_ec2::types::{Address, DomainType, ResourceType as Ec2ResourceType, Tag, TagSpecification};

use super::ec2::{deleted, described, plan_common, set_tags, sync_tags, tag_map, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::provider::helpers::{attr, defaults, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const COMPUTED: [&str; 8] =
    ["allocation_id", "public_ip", "public_dns", "private_ip", "private_dns", "association_id", "network_border_group", "public_ipv4_pool"];

pub fn schema() -> ResourceSchema {
    resource("aws_eip")
        .implement(&["domain", "tags", "tags_all", "id"])
        .implement(&COMPUTED)
        .force_new(&["domain", "network_border_group", "public_ipv4_pool"])
        .build()
}

/// The DNS name AWS gives an address: `ec2-1-2-3-4.compute-1.amazonaws.com` in us-east-1,
/// `ec2-1-2-3-4.<region>.compute.amazonaws.com` elsewhere (`ip-...` and `.internal` for private).
fn dns(region: &str, ip: &str, public: bool) -> String {
    let dashed = ip.replace('.', "-");
    match (public, region) {
        (true, "us-east-1") => format!("ec2-{dashed}.compute-1.amazonaws.com"),
        (true, _) => format!("ec2-{dashed}.{region}.compute.amazonaws.com"),
        (false, "us-east-1") => format!("ip-{dashed}.ec2.internal"),
        (false, _) => format!("ip-{dashed}.{region}.compute.internal"),
    }
}

/// `aws_eip`.
pub struct AwsEip;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsEip {
    fn name(&self) -> &'static str {
        "aws_eip"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut resp = plan_common(p, req, &["id", "network_border_group", "public_ipv4_pool"]);
        defaults(&mut resp.planned_state, &[("domain", Value::string("vpc"))]);
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = p.ec2.describe_addresses().allocation_ids(&id).send().await;
        match described(&prior, result, |o| o.addresses().first(), &format!("Elastic IP {id}")) {
            Ok(a) => ReadResponse::found(fill(p, prior, &a)),
            Err(r) => r,
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let domain = attr(&planned, "domain").as_str().unwrap_or("vpc");
        let mut call = p.ec2_write.allocate_address().domain(DomainType::from(domain));
        if let Value::Map(m) = attr(&planned, "tags_all") {
            let tags = m.iter().map(|(k, v)| Tag::builder().key(k).value(v.as_str().unwrap_or_default()).build());
            if !m.is_empty() {
                call = call.tag_specifications(TagSpecification::builder().resource_type(Ec2ResourceType::ElasticIp).set_tags(Some(tags.collect())).build());
            }
        }
        let out = match call.send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error("allocating Elastic IP", &e)),
        };
        let mut state = planned;
        set(&mut state, "id", out.allocation_id().map(Value::string).unwrap_or(Value::Null));
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let result = sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await;
        updated(prior, planned, result)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        if let Some(assoc) = attr(&prior, "association_id").as_str().filter(|a| !a.is_empty()) {
            match p.ec2_write.disassociate_address().association_id(assoc).send().await {
                Err(e) if !super::ec2::is_not_found(&e) => {
                    return ApplyResponse::failed(Some(prior), aws_error(&format!("disassociating Elastic IP {id}"), &e));
                }
                _ => {}
            }
        }
        let result = p.ec2_write.release_address().allocation_id(&id).send().await;
        deleted(prior, result, &format!("Elastic IP {id}"))
    }
}

fn fill(p: &AwsProvider, mut state: Value, a: &Address) -> Value {
    let opt = |x: Option<&str>| x.filter(|s| !s.is_empty()).map(Value::string).unwrap_or(Value::Null);
    set(&mut state, "id", opt(a.allocation_id()));
    set(&mut state, "allocation_id", opt(a.allocation_id()));
    set(&mut state, "domain", opt(a.domain().map(|d| d.as_str())));
    set(&mut state, "public_ip", opt(a.public_ip()));
    set(&mut state, "public_dns", a.public_ip().map(|ip| Value::String(dns(&p.region, ip, true))).unwrap_or(Value::Null));
    set(&mut state, "private_ip", opt(a.private_ip_address()));
    set(&mut state, "private_dns", a.private_ip_address().map(|ip| Value::String(dns(&p.region, ip, false))).unwrap_or(Value::Null));
    set(&mut state, "association_id", opt(a.association_id()));
    set(&mut state, "network_border_group", a.network_border_group().map(Value::string).unwrap_or(Value::string(&p.region)));
    set(&mut state, "public_ipv4_pool", a.public_ipv4_pool().map(Value::string).unwrap_or(Value::string("amazon")));
    set_tags(p, &mut state, &tag_map(a.tags()));
    state
}
