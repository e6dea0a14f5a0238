//! `aws_security_group_rule`: one permission of a security group: `security_group_id`, `type`
//! (`ingress` or `egress`), `protocol`, `from_port`, `to_port` and sources (`cidr_blocks`,
//! `ipv6_cidr_blocks`, `prefix_list_ids`, `source_security_group_id` or `self`), all
//! replacing; `description` changes in place. Computed `id` (Terraform's `sgrule-<hash>`) and
//! `security_group_rule_id` (when the permission is one AWS rule).
//!
//! The import id is Terraform's `<group>_<type>_<protocol>_<from>_<to>_<source>[_<source>...]`.

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};

use super::ec2::is_not_found;
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, defaults, imported, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const REPLACING: [&str; 10] =
    ["security_group_id", "type", "protocol", "from_port", "to_port", "cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "source_security_group_id", "self"];

pub fn schema() -> ResourceSchema {
    resource("aws_security_group_rule").implement(&REPLACING).implement(&["description", "id", "security_group_rule_id"]).force_new(&REPLACING).build()
}

/// The CRC-32 (IEEE) of `s`: Terraform's `StringHashcode`.
fn crc32(s: &str) -> u32 {
    let mut crc = !0u32;
    for b in s.bytes() {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A protocol as AWS stores it: `-1` for all, names for the numbered protocols AWS names.
fn protocol(p: &str) -> String {
    match p.to_lowercase().as_str() {
        "all" | "-1" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        other => other.into(),
    }
}

fn list(v: &Value, n: &str) -> Vec<String> {
    match attr(v, n) {
        Value::List(xs) | Value::Set(xs) => xs.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn s(v: &Value, n: &str) -> Option<String> {
    attr(v, n).as_str().filter(|x| !x.is_empty()).map(str::to_string)
}

/// The rule's source group: `source_security_group_id`, or the group itself with `self`.
fn source_group(v: &Value) -> Option<String> {
    if attr(v, "self") == &Value::Bool(true) {
        s(v, "security_group_id")
    } else {
        s(v, "source_security_group_id")
    }
}

fn ports(v: &Value) -> (i32, i32) {
    let n = |k: &str| attr(v, k).as_f64().unwrap_or(0.0) as i32;
    (n("from_port"), n("to_port"))
}

/// Terraform's id: the hash of the group, ports, protocol, type and sorted sources.
fn rule_id(v: &Value) -> String {
    let (from, to) = ports(v);
    let mut buf = format!("{}-", s(v, "security_group_id").unwrap_or_default());
    if from > 0 {
        buf += &format!("{from}-");
    }
    if to > 0 {
        buf += &format!("{to}-");
    }
    buf += &format!("{}-{}-", protocol(&s(v, "protocol").unwrap_or_default()), s(v, "type").unwrap_or_default());
    for n in ["cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"] {
        let mut xs = list(v, n);
        xs.sort();
        for x in xs {
            buf += &format!("{x}-");
        }
    }
    if let Some(g) = source_group(v) {
        buf += &format!("{g}-");
    }
    format!("sgrule-{}", crc32(&buf))
}

fn permission(v: &Value) -> IpPermission {
    let (from, to) = ports(v);
    let d = s(v, "description");
    let b = IpPermission::builder()
        .ip_protocol(protocol(&s(v, "protocol").unwrap_or_default()))
        .from_port(from)
        .to_port(to)
        .set_ip_ranges(Some(list(v, "cidr_blocks").into_iter().map(|c| IpRange::builder().cidr_ip(c).set_description(d.clone()).build()).collect()))
        .set_ipv6_ranges(Some(list(v, "ipv6_cidr_blocks").into_iter().map(|c| Ipv6Range::builder().cidr_ipv6(c).set_description(d.clone()).build()).collect()))
        .set_prefix_list_ids(Some(
            list(v, "prefix_list_ids").into_iter().map(|c| PrefixListId::builder().prefix_list_id(c).set_description(d.clone()).build()).collect(),
        ));
    match source_group(v) {
        Some(g) => b.user_id_group_pairs(UserIdGroupPair::builder().group_id(g).set_description(d).build()).build(),
        None => b.build(),
    }
}

/// Whether AWS's permission `p` holds every source of the rule `v`; the rule's description.
fn holds(p: &IpPermission, v: &Value) -> Option<Option<String>> {
    let (from, to) = ports(v);
    let proto = protocol(&s(v, "protocol").unwrap_or_default());
    if p.ip_protocol() != Some(proto.as_str()) || (proto != "-1" && (p.from_port() != Some(from) || p.to_port() != Some(to))) {
        return None;
    }
    let mut desc = None;
    for c in list(v, "cidr_blocks") {
        desc = Some(p.ip_ranges().iter().find(|r| r.cidr_ip() == Some(c.as_str()))?.description().map(str::to_string));
    }
    for c in list(v, "ipv6_cidr_blocks") {
        desc = Some(p.ipv6_ranges().iter().find(|r| r.cidr_ipv6() == Some(c.as_str()))?.description().map(str::to_string));
    }
    for c in list(v, "prefix_list_ids") {
        desc = Some(p.prefix_list_ids().iter().find(|r| r.prefix_list_id() == Some(c.as_str()))?.description().map(str::to_string));
    }
    if let Some(g) = source_group(v) {
        desc = Some(p.user_id_group_pairs().iter().find(|r| r.group_id() == Some(g.as_str()))?.description().map(str::to_string));
    }
    desc
}

/// `aws_security_group_rule`.
pub struct AwsSecurityGroupRule;

impl AwsSecurityGroupRule {
    async fn set_description(&self, p: &AwsProvider, v: &Value) -> Result<(), Diagnostics> {
        let group = s(v, "security_group_id").unwrap_or_default();
        let what = format!("updating a rule description of security group {group}");
        if s(v, "type").as_deref() == Some("egress") {
            let r = p.ec2_write.update_security_group_rule_descriptions_egress().group_id(&group).ip_permissions(permission(v)).send().await;
            r.map_err(|e| aws_error(&what, &e))?;
        } else {
            let r = p.ec2_write.update_security_group_rule_descriptions_ingress().group_id(&group).ip_permissions(permission(v)).send().await;
            r.map_err(|e| aws_error(&what, &e))?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsSecurityGroupRule {
    fn name(&self) -> &'static str {
        "aws_security_group_rule"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if !matches!(s(&planned, "type").as_deref(), Some("ingress" | "egress") | None) {
            return PlanResponse::failed(Diagnostic::error("Invalid type", "type must be \"ingress\" or \"egress\".").into());
        }
        if req.prior_state.is_none() {
            set(&mut planned, "id", Value::Unknown);
            if attr(&req.config, "source_security_group_id").is_null() && attr(&req.config, "self") != &Value::Bool(true) {
                set(&mut planned, "source_security_group_id", Value::Null);
            }
        }
        defaults(&mut planned, &[("self", Value::Bool(false))]);
        PlanResponse::planned(planned)
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let group = s(&prior, "security_group_id").unwrap_or_default();
        let found = match p.ec2.describe_security_groups().group_ids(&group).send().await {
            Ok(o) => o.security_groups().first().cloned(),
            Err(e) if is_not_found(&e) => None,
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading security group {group}"), &e)),
        };
        let Some(g) = found else { return ReadResponse::gone() };
        let perms = if s(&prior, "type").as_deref() == Some("egress") { g.ip_permissions_egress() } else { g.ip_permissions() };
        match perms.iter().find_map(|perm| holds(perm, &prior)) {
            Some(desc) => {
                let mut state = prior;
                set(&mut state, "description", desc.map(Value::String).unwrap_or(Value::Null));
                let id = rule_id(&state);
                set(&mut state, "id", Value::String(id));
                ReadResponse::found(state)
            }
            None => ReadResponse::gone(),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let group = s(&planned, "security_group_id").unwrap_or_default();
        let what = format!("authorizing a rule of security group {group}");
        let rules = if s(&planned, "type").as_deref() == Some("egress") {
            p.ec2_write
                .authorize_security_group_egress()
                .group_id(&group)
                .ip_permissions(permission(&planned))
                .send()
                .await
                .map(|o| o.security_group_rules().to_vec())
                .map_err(|e| aws_error(&what, &e))
        } else {
            p.ec2_write
                .authorize_security_group_ingress()
                .group_id(&group)
                .ip_permissions(permission(&planned))
                .send()
                .await
                .map(|o| o.security_group_rules().to_vec())
                .map_err(|e| aws_error(&what, &e))
        };
        let rules = match rules {
            Ok(r) => r,
            Err(d) => return ApplyResponse::failed(None, d),
        };
        let mut state = planned;
        let id = rule_id(&state);
        set(&mut state, "id", Value::String(id));
        let one = (rules.len() == 1).then(|| rules[0].security_group_rule_id()).flatten();
        set(&mut state, "security_group_rule_id", one.map(Value::string).unwrap_or(Value::Null));
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        match self.set_description(p, &planned).await {
            Ok(()) => ApplyResponse::ok(Some(planned)),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let group = s(&prior, "security_group_id").unwrap_or_default();
        let what = format!("rule {} of security group {group}", s(&prior, "id").unwrap_or_default());
        if s(&prior, "type").as_deref() == Some("egress") {
            super::ec2::deleted(
                prior.clone(),
                p.ec2_write.revoke_security_group_egress().group_id(&group).ip_permissions(permission(&prior)).send().await,
                &what,
            )
        } else {
            super::ec2::deleted(
                prior.clone(),
                p.ec2_write.revoke_security_group_ingress().group_id(&group).ip_permissions(permission(&prior)).send().await,
                &what,
            )
        }
    }

    /// `sg-..._ingress_tcp_80_80_10.0.0.0/8[_...]`; a source is a CIDR block, a prefix list,
    /// a group id or `self`.
    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let parts: Vec<&str> = id.split('_').collect();
        let (Some(from), Some(to)) = (parts.get(3).and_then(|x| x.parse::<f64>().ok()), parts.get(4).and_then(|x| x.parse::<f64>().ok())) else {
            return ImportResponse::failed(
                Diagnostic::error("Invalid import id", format!("Expected GROUP_TYPE_PROTOCOL_FROM_TO_SOURCE, got \"{id}\".")).into(),
            );
        };
        let mut state = blank;
        set(&mut state, "security_group_id", Value::string(parts[0]));
        set(&mut state, "type", Value::string(parts[1]));
        set(&mut state, "protocol", Value::string(parts[2]));
        set(&mut state, "from_port", Value::Number(from));
        set(&mut state, "to_port", Value::Number(to));
        set(&mut state, "self", Value::Bool(false));
        let (mut v4, mut v6, mut pl) = (Vec::new(), Vec::new(), Vec::new());
        for src in &parts[5..] {
            match *src {
                "self" => set(&mut state, "self", Value::Bool(true)),
                x if x.starts_with("sg-") => set(&mut state, "source_security_group_id", Value::string(x)),
                x if x.starts_with("pl-") => pl.push(Value::string(x)),
                x if x.contains(':') => v6.push(Value::string(x)),
                x => v4.push(Value::string(x)),
            }
        }
        for (n, xs) in [("cidr_blocks", v4), ("ipv6_cidr_blocks", v6), ("prefix_list_ids", pl)] {
            if !xs.is_empty() {
                set(&mut state, n, Value::List(xs));
            }
        }
        imported(self.read(p, state).await, || format!("There is no security group rule {id}."))
    }
}
