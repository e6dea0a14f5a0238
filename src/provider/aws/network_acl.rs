//! `aws_network_acl`: `vpc_id` (replaces), `ingress` and `egress` (sets of rules, blocks or a
//! list; each `rule_no`, `action`, `protocol`, `from_port`, `to_port`, `cidr_block` or
//! `ipv6_cidr_block`, `icmp_type`, `icmp_code`), `subnet_ids`, `tags`; computed `id`, `arn`,
//! `owner_id`, `tags_all`. Import by ACL id (a VPC's default ACL is refused: that is
//! `aws_default_network_acl`).
//!
//! As in Terraform, rules are kept as AWS returns them: the protocol as its number (`"6"` for
//! `"tcp"`), the action in lower case, unset fields `""` or 0; the deny-all rules AWS adds to
//! every ACL (numbers 32767 and 32768) are not part of the sets. Without `ingress` (or
//! `egress`) the ACL's rules of that direction are left alone (Terraform's optional+computed
//! blocks), so `aws_network_acl_rule` can manage them. Rules change in place (delete what went,
//! create what came); a subnet taken out of `subnet_ids` goes back to the VPC's default ACL, and
//! destroy moves every subnet there first. The rule and association helpers here are shared
//! with `aws_default_network_acl` and `aws_network_acl_rule`.
//!
//! Protocol names: `all`, `tcp`, `udp`, `icmp`, `ipv6-icmp` and the other common IANA names
//! (see [`PROTOCOLS`]), or any number from -1 to 255. Not implemented: `region`.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{Filter, IcmpTypeCode, NetworkAcl, NetworkAclEntry, PortRange, RuleAction};

use super::ec2::{arn, found, loose_text, plan_common, read_from, set_tags, string_set, sync_tags, tag_map, unset_blocks, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_network_acl")
        .implement(&["vpc_id", "ingress", "egress", "subnet_ids", "id", "arn", "owner_id"])
        .tags()
        .computed_only(&["id"])
        .force_new(&["vpc_id"])
        .build()
}

/// The rule numbers of the deny-all rules AWS puts in every ACL (IPv4, IPv6).
const DEFAULT_RULES: [i32; 2] = [32767, 32768];

/// The protocol names Terraform accepts besides numbers, with their IANA numbers (the common
/// ones; any number is accepted too).
pub const PROTOCOLS: [(&str, i32); 32] = [
    ("all", -1),
    ("hopopt", 0),
    ("icmp", 1),
    ("igmp", 2),
    ("ggp", 3),
    ("ipv4", 4),
    ("st", 5),
    ("tcp", 6),
    ("cbt", 7),
    ("egp", 8),
    ("igp", 9),
    ("udp", 17),
    ("rdp", 27),
    ("dccp", 33),
    ("ipv6", 41),
    ("ipv6-route", 43),
    ("ipv6-frag", 44),
    ("rsvp", 46),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("ipv6-icmp", 58),
    ("ipv6-nonxt", 59),
    ("ipv6-opts", 60),
    ("eigrp", 88),
    ("ospfigp", 89),
    ("ipip", 94),
    ("pim", 103),
    ("vrrp", 112),
    ("l2tp", 115),
    ("sctp", 132),
    ("udplite", 136),
];

/// A protocol name or number as the number AWS uses (`tcp` -> 6, `all` -> -1).
pub fn protocol_number(p: &str) -> Option<i32> {
    match p.parse::<i32>() {
        Ok(n) => (-1..=255).contains(&n).then_some(n),
        Err(_) => PROTOCOLS.iter().find(|(name, _)| *name == p).map(|(_, n)| *n),
    }
}

/// The error for a protocol that is neither a known name nor a number.
pub fn bad_protocol(p: &str) -> Diagnostics {
    error("Unsupported network ACL protocol", format!("\"{p}\" is not a protocol name or number network ACLs accept (tcp, udp, icmp, all, or -1 to 255)."))
}

/// One rule of an ACL, as Terraform stores it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub rule_no: i32,
    pub action: String,
    pub protocol: i32,
    pub cidr_block: String,
    pub ipv6_cidr_block: String,
    pub from_port: i32,
    pub to_port: i32,
    pub icmp_type: i32,
    pub icmp_code: i32,
}

impl Entry {
    fn from_value(v: &Value) -> Result<Entry, Diagnostics> {
        let num = |n: &str| attr(v, n).as_f64().unwrap_or(0.0) as i32;
        let p = loose_text(v, "protocol");
        Ok(Entry {
            rule_no: num("rule_no"),
            action: text(v, "action").to_lowercase(),
            protocol: protocol_number(&p).ok_or_else(|| bad_protocol(&p))?,
            cidr_block: text(v, "cidr_block"),
            ipv6_cidr_block: text(v, "ipv6_cidr_block"),
            from_port: num("from_port"),
            to_port: num("to_port"),
            icmp_type: num("icmp_type"),
            icmp_code: num("icmp_code"),
        })
    }

    fn to_value(&self) -> Value {
        let n = |x: i32| Value::Number(x as f64);
        Value::object([
            ("action", Value::string(&self.action)),
            ("cidr_block", Value::string(&self.cidr_block)),
            ("from_port", n(self.from_port)),
            ("icmp_code", n(self.icmp_code)),
            ("icmp_type", n(self.icmp_type)),
            ("ipv6_cidr_block", Value::string(&self.ipv6_cidr_block)),
            ("protocol", Value::String(self.protocol.to_string())),
            ("rule_no", n(self.rule_no)),
            ("to_port", n(self.to_port)),
        ])
    }

    /// AWS's entry as `(egress, rule)`; `None` for the deny-all rules AWS adds.
    pub fn from_aws(e: &NetworkAclEntry) -> Option<(bool, Entry)> {
        let rule_no = e.rule_number()?;
        if DEFAULT_RULES.contains(&rule_no) {
            return None;
        }
        let entry = Entry {
            rule_no,
            action: e.rule_action().map(|a| a.as_str().to_lowercase()).unwrap_or_default(),
            protocol: protocol_number(e.protocol()?)?,
            cidr_block: e.cidr_block().unwrap_or_default().to_string(),
            ipv6_cidr_block: e.ipv6_cidr_block().unwrap_or_default().to_string(),
            from_port: e.port_range().and_then(|r| r.from()).unwrap_or(0),
            to_port: e.port_range().and_then(|r| r.to()).unwrap_or(0),
            icmp_type: e.icmp_type_code().and_then(|i| i.r#type()).unwrap_or(0),
            icmp_code: e.icmp_type_code().and_then(|i| i.code()).unwrap_or(0),
        };
        Some((e.egress().unwrap_or(false), entry))
    }
}

/// The rules of one direction (`ingress` or `egress`) of a state or configuration.
pub fn entries(v: &Value, block: &str) -> Result<BTreeSet<Entry>, Diagnostics> {
    match attr(v, block) {
        Value::List(xs) | Value::Set(xs) => xs.iter().map(Entry::from_value).collect(),
        _ => Ok(BTreeSet::new()),
    }
}

fn entries_value(es: &BTreeSet<Entry>) -> Value {
    Value::set(es.iter().map(Entry::to_value).collect())
}

/// Plans `ingress` and `egress` in Terraform's stored form. With `computed` (`aws_network_acl`),
/// a direction the configuration leaves out keeps the ACL's rules (unknown on create).
pub fn plan_rules(planned: &mut Value, config: &Value, prior: Option<&Value>, computed: bool) -> Result<(), Diagnostics> {
    for block in ["ingress", "egress"] {
        if computed && unset_blocks(config, block) {
            set(planned, block, prior.map(|p| attr(p, block).clone()).unwrap_or(Value::Unknown));
        } else if attr(planned, block).is_wholly_known() {
            let canonical = entries_value(&entries(planned, block)?);
            set(planned, block, canonical);
        }
    }
    Ok(())
}

/// Creates one rule in an ACL.
pub async fn create_entry(p: &AwsProvider, id: &str, egress: bool, e: &Entry) -> Result<(), Diagnostics> {
    if e.protocol == -1 && (e.from_port != 0 || e.to_port != 0) {
        return Err(error(
            "Invalid network ACL rule",
            format!("to_port ({}) and from_port ({}) must both be 0 to use the 'all' \"-1\" protocol.", e.to_port, e.from_port),
        ));
    }
    let icmp = matches!(e.protocol, 1 | 58).then(|| IcmpTypeCode::builder().code(e.icmp_code).r#type(e.icmp_type).build());
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    p.ec2_write
        .create_network_acl_entry()
        .network_acl_id(id)
        .egress(egress)
        .rule_number(e.rule_no)
        .protocol(e.protocol.to_string())
        .rule_action(RuleAction::from(e.action.as_str()))
        .set_cidr_block(non_empty(&e.cidr_block))
        .set_ipv6_cidr_block(non_empty(&e.ipv6_cidr_block))
        .port_range(PortRange::builder().from(e.from_port).to(e.to_port).build())
        .set_icmp_type_code(icmp)
        .send()
        .await
        .map_err(|e2| aws_error(&format!("creating rule {} of network ACL {id}", e.rule_no), &e2))?;
    Ok(())
}

/// Deletes one rule of an ACL.
pub async fn delete_entry(p: &AwsProvider, id: &str, egress: bool, rule_no: i32) -> Result<(), Diagnostics> {
    p.ec2_write
        .delete_network_acl_entry()
        .network_acl_id(id)
        .egress(egress)
        .rule_number(rule_no)
        .send()
        .await
        .map_err(|e| aws_error(&format!("deleting rule {rule_no} of network ACL {id}"), &e))?;
    Ok(())
}

/// Makes the rules of one direction of ACL `id` the wanted ones, given what it had.
pub async fn sync_entries(p: &AwsProvider, id: &str, egress: bool, had: &BTreeSet<Entry>, want: &BTreeSet<Entry>) -> Result<(), Diagnostics> {
    for e in had.difference(want) {
        delete_entry(p, id, egress, e.rule_no).await?;
    }
    for e in want.difference(had) {
        create_entry(p, id, egress, e).await?;
    }
    Ok(())
}

/// Describes one ACL: `Ok(None)` when it is gone.
pub async fn find(p: &AwsProvider, id: &str) -> Result<Option<NetworkAcl>, Diagnostics> {
    let result = p.ec2.describe_network_acls().network_acl_ids(id).send().await;
    found(result, |o| o.network_acls().first(), &format!("network ACL {id}"))
}

/// The rules of a described ACL, `(ingress, egress)`.
pub fn remote_entries(acl: &NetworkAcl) -> (BTreeSet<Entry>, BTreeSet<Entry>) {
    let (mut ingress, mut egress) = (BTreeSet::new(), BTreeSet::new());
    for (is_egress, e) in acl.entries().iter().filter_map(Entry::from_aws) {
        if is_egress {
            egress.insert(e);
        } else {
            ingress.insert(e);
        }
    }
    (ingress, egress)
}

/// Moves a subnet to ACL `id` (every subnet is associated with exactly one ACL).
pub async fn associate(p: &AwsProvider, id: &str, subnet: &str) -> Result<(), Diagnostics> {
    let what = format!("associating subnet {subnet} with network ACL {id}");
    let filter = Filter::builder().name("association.subnet-id").values(subnet).build();
    let out = p.ec2.describe_network_acls().filters(filter).send().await.map_err(|e| aws_error(&what, &e))?;
    let current = out.network_acls().iter().flat_map(|a| a.associations()).find(|a| a.subnet_id() == Some(subnet)).and_then(|a| a.network_acl_association_id());
    let Some(association) = current else {
        return Err(error("Subnet has no network ACL", format!("Subnet {subnet} has no network ACL association to replace.")));
    };
    p.ec2_write.replace_network_acl_association().association_id(association).network_acl_id(id).send().await.map_err(|e| aws_error(&what, &e))?;
    Ok(())
}

/// Moves subnets back to their VPC's default ACL.
async fn release(p: &AwsProvider, vpc: &str, subnets: &BTreeSet<String>) -> Result<(), Diagnostics> {
    if subnets.is_empty() {
        return Ok(());
    }
    let filters = [Filter::builder().name("vpc-id").values(vpc).build(), Filter::builder().name("default").values("true").build()];
    let out = p.ec2.describe_network_acls().set_filters(Some(filters.to_vec())).send().await;
    let out = out.map_err(|e| aws_error(&format!("reading the default network ACL of {vpc}"), &e))?;
    let Some(default) = out.network_acls().first().and_then(|a| a.network_acl_id()) else {
        return Err(error("No default network ACL", format!("VPC {vpc} has no default network ACL to move its subnets to.")));
    };
    for s in subnets {
        associate(p, default, s).await?;
    }
    Ok(())
}

/// Makes ACL `id`'s rules, subnets and tags the wanted ones, given what it had. `release`:
/// subnets no longer wanted go back to the VPC's default ACL (the default ACL itself cannot
/// give a subnet away).
pub async fn sync(p: &AwsProvider, id: &str, had: &Value, want: &Value, release_subnets: bool) -> Result<(), Diagnostics> {
    for (block, egress) in [("ingress", false), ("egress", true)] {
        sync_entries(p, id, egress, &entries(had, block)?, &entries(want, block)?).await?;
    }
    let (old, new) = (string_set(attr(had, "subnet_ids")), string_set(attr(want, "subnet_ids")));
    if release_subnets {
        release(p, &text(want, "vpc_id"), &old.difference(&new).cloned().collect()).await?;
    }
    for s in new.difference(&old) {
        associate(p, id, s).await?;
    }
    sync_tags(p, id, attr(had, "tags_all"), attr(want, "tags_all")).await
}

/// The state of a described ACL.
pub fn fill(p: &AwsProvider, mut state: Value, acl: &NetworkAcl) -> Value {
    let id = acl.network_acl_id().unwrap_or_default().to_string();
    let owner = acl.owner_id().unwrap_or_default().to_string();
    let (ingress, egress) = remote_entries(acl);
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "vpc_id", acl.vpc_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "network-acl", &id));
    set(&mut state, "ingress", entries_value(&ingress));
    set(&mut state, "egress", entries_value(&egress));
    let subnets = acl.associations().iter().filter_map(|a| a.subnet_id().map(Value::string)).collect();
    set(&mut state, "subnet_ids", Value::set(subnets));
    set_tags(p, &mut state, &tag_map(acl.tags()));
    state
}

/// Reads an ACL into a state (shared by both ACL types).
pub async fn read(p: &AwsProvider, prior: Value) -> ReadResponse {
    let lookup = find(p, &text(&prior, "id")).await;
    read_from(prior, lookup, |v, acl| fill(p, v, acl))
}

/// `aws_network_acl`.
pub struct AwsNetworkAcl;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsNetworkAcl {
    fn name(&self) -> &'static str {
        "aws_network_acl"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &["subnet_ids"]);
        match plan_rules(&mut resp.planned_state, &config, prior.as_ref(), true) {
            Ok(()) => resp,
            Err(d) => PlanResponse::failed(d),
        }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        read(p, prior).await
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let vpc = text(&planned, "vpc_id");
        let out = match p.ec2_write.create_network_acl().vpc_id(&vpc).send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error(&format!("creating network ACL in {vpc}"), &e)),
        };
        let id = out.network_acl().and_then(|a| a.network_acl_id()).unwrap_or_default().to_string();
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        if let Err(d) = sync(p, &id, &Value::Null, &planned, true).await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let result = sync(p, &id, &prior, &planned, true).await;
        updated(prior, planned, result)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let subnets = match find(p, &id).await {
            Ok(Some(acl)) => acl.associations().iter().filter_map(|a| a.subnet_id().map(str::to_string)).collect(),
            Ok(None) => return ApplyResponse::ok(None),
            Err(d) => return ApplyResponse::failed(Some(prior), d),
        };
        if let Err(d) = release(p, &text(&prior, "vpc_id"), &subnets).await {
            return ApplyResponse::failed(Some(prior), d);
        }
        let result = p.ec2_write.delete_network_acl().network_acl_id(&id).send().await;
        super::ec2::deleted(prior, result, &format!("network ACL {id}"))
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        if let Ok(Some(acl)) = find(p, &id).await {
            if acl.is_default() == Some(true) {
                return ImportResponse::failed(error(
                    "Cannot import a default network ACL",
                    format!("{id} is a VPC's default network ACL: use the aws_default_network_acl resource instead."),
                ));
            }
        }
        let mut state = blank;
        set(&mut state, "id", Value::string(&id));
        imported(read(p, state).await, || format!("There is no network ACL with id \"{id}\"."))
    }
}
