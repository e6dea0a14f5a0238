//! `aws_default_security_group`: adopts a VPC's default security group (`vpc_id`, which
//! replaces; without it, the default VPC's) instead of creating one. `ingress` and `egress`
//! (sets of rules, blocks or a list; each `protocol`, `from_port`, `to_port`, `cidr_blocks`,
//! `ipv6_cidr_blocks`, `prefix_list_ids`, `security_groups`, `self`, `description`), `tags`,
//! `revoke_rules_on_delete` (accepted, unused, as in Terraform); computed `id`, `name`,
//! `name_prefix`, `description`, `arn`, `owner_id`, `tags_all`. Import by group id.
//!
//! As in Terraform: adopting revokes every rule the group has (AWS's allow-all egress and
//! allow-from-itself ingress included) and authorizes the configured ones, so no blocks means
//! no rules; afterwards a direction left out of the configuration keeps the group's rules
//! (optional+computed, for standalone rule resources). Rules are kept in Terraform's form: the
//! protocol `-1` for all (`tcp`, `udp`, `icmp`, `icmpv6` for 6, 17, 1, 58), ports 0 for `-1`,
//! lists sorted, `""` and `false` for an unset description and `self`; one rule per
//! protocol, port range and description. Destroy only forgets the group. Not implemented:
//! `region`.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{Filter, IpPermission, IpRange, Ipv6Range, PrefixListId, SecurityGroup, UserIdGroupPair};

use super::ec2::{arn, found, loose_text, plan_common, read_from, set_tags, sg_protocol, string_set, sync_tags, tag_map, unset_blocks, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, defaults, error, map_value, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_default_security_group")
        .version(1)
        .implement(&["vpc_id", "ingress", "egress", "revoke_rules_on_delete", "id", "arn", "name", "name_prefix", "description", "owner_id"])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["revoke_rules_on_delete"])
        .force_new(&["vpc_id"])
        .build()
}

/// One rule in Terraform's stored form.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Rule {
    protocol: String,
    from: i32,
    to: i32,
    cidrs: BTreeSet<String>,
    ipv6: BTreeSet<String>,
    prefix_lists: BTreeSet<String>,
    groups: BTreeSet<String>,
    own: bool,
    description: String,
}

impl Rule {
    fn from_value(v: &Value) -> Rule {
        let protocol = sg_protocol(&loose_text(v, "protocol"));
        let num = |n: &str| attr(v, n).as_f64().unwrap_or(0.0) as i32;
        let (from, to) = if protocol == "-1" { (0, 0) } else { (num("from_port"), num("to_port")) };
        Rule {
            protocol,
            from,
            to,
            cidrs: string_set(attr(v, "cidr_blocks")),
            ipv6: string_set(attr(v, "ipv6_cidr_blocks")),
            prefix_lists: string_set(attr(v, "prefix_list_ids")),
            groups: string_set(attr(v, "security_groups")),
            own: attr(v, "self") == &Value::Bool(true),
            description: text(v, "description"),
        }
    }

    fn to_value(&self) -> Value {
        let list = |xs: &BTreeSet<String>| Value::List(xs.iter().map(Value::string).collect());
        Value::object([
            ("cidr_blocks", list(&self.cidrs)),
            ("description", Value::string(&self.description)),
            ("from_port", Value::Number(self.from as f64)),
            ("ipv6_cidr_blocks", list(&self.ipv6)),
            ("prefix_list_ids", list(&self.prefix_lists)),
            ("protocol", Value::string(&self.protocol)),
            ("security_groups", Value::set(self.groups.iter().map(Value::string).collect())),
            ("self", Value::Bool(self.own)),
            ("to_port", Value::Number(self.to as f64)),
        ])
    }

    /// The permission that grants this rule in group `id`.
    fn permission(&self, id: &str) -> IpPermission {
        let d = (!self.description.is_empty()).then(|| self.description.clone());
        let ranges = self.cidrs.iter().map(|c| IpRange::builder().cidr_ip(c).set_description(d.clone()).build()).collect();
        let ipv6 = self.ipv6.iter().map(|c| Ipv6Range::builder().cidr_ipv6(c).set_description(d.clone()).build()).collect();
        let lists = self.prefix_lists.iter().map(|l| PrefixListId::builder().prefix_list_id(l).set_description(d.clone()).build()).collect();
        let own = self.own.then(|| id.to_string());
        let pairs = self.groups.iter().cloned().chain(own).map(|g| UserIdGroupPair::builder().group_id(g).set_description(d.clone()).build()).collect();
        let b = IpPermission::builder()
            .ip_protocol(&self.protocol)
            .set_ip_ranges(Some(ranges))
            .set_ipv6_ranges(Some(ipv6))
            .set_prefix_list_ids(Some(lists))
            .set_user_id_group_pairs(Some(pairs));
        if self.protocol == "-1" {
            b.build()
        } else {
            b.from_port(self.from).to_port(self.to).build()
        }
    }
}

fn rules(v: &Value, block: &str) -> BTreeSet<Rule> {
    match attr(v, block) {
        Value::List(xs) | Value::Set(xs) => xs.iter().map(Rule::from_value).collect(),
        _ => BTreeSet::new(),
    }
}

fn rules_value(rs: &BTreeSet<Rule>) -> Value {
    Value::set(rs.iter().map(Rule::to_value).collect())
}

/// The rule of one description in `rules`, started from `blank`.
fn entry<'a>(rules: &'a mut std::collections::BTreeMap<String, Rule>, blank: &Rule, description: Option<&str>) -> &'a mut Rule {
    rules.entry(description.unwrap_or_default().to_string()).or_insert_with(|| blank.clone())
}

/// AWS's permissions of group `id` as rules: one per permission and description.
fn rules_of(id: &str, perms: &[IpPermission]) -> BTreeSet<Rule> {
    let mut out = BTreeSet::new();
    for p in perms {
        // An empty protocol (moto's spelling of all) is `-1`.
        let protocol = sg_protocol(p.ip_protocol().filter(|x| !x.is_empty()).unwrap_or("-1"));
        let (from, to) = if protocol == "-1" { (0, 0) } else { (p.from_port().unwrap_or(0), p.to_port().unwrap_or(0)) };
        let mut by_desc: std::collections::BTreeMap<String, Rule> = Default::default();
        let blank = Rule { protocol: protocol.clone(), from, to, ..Rule::default() };
        for r in p.ip_ranges() {
            entry(&mut by_desc, &blank, r.description()).cidrs.insert(r.cidr_ip().unwrap_or_default().to_string());
        }
        for r in p.ipv6_ranges() {
            entry(&mut by_desc, &blank, r.description()).ipv6.insert(r.cidr_ipv6().unwrap_or_default().to_string());
        }
        for l in p.prefix_list_ids() {
            entry(&mut by_desc, &blank, l.description()).prefix_lists.insert(l.prefix_list_id().unwrap_or_default().to_string());
        }
        for g in p.user_id_group_pairs() {
            let group = g.group_id().unwrap_or_default();
            let r = entry(&mut by_desc, &blank, g.description());
            if group == id {
                r.own = true;
            } else {
                r.groups.insert(group.to_string());
            }
        }
        out.extend(by_desc.into_iter().map(|(description, r)| Rule { description, ..r }));
    }
    out
}

/// Revokes the rules `gone` and authorizes the rules `new` of one direction.
async fn change_rules(p: &AwsProvider, id: &str, block: &str, gone: Vec<IpPermission>, new: Vec<IpPermission>) -> Result<(), Diagnostics> {
    let what = |verb: &str| format!("{verb} {block} rules of security group {id}");
    let c = &p.ec2_write;
    match (block, gone.is_empty()) {
        (_, true) => {}
        ("ingress", _) => c
            .revoke_security_group_ingress()
            .group_id(id)
            .set_ip_permissions(Some(gone))
            .send()
            .await
            .map(drop)
            .map_err(|e| aws_error(&what("revoking"), &e))?,
        _ => {
            c.revoke_security_group_egress().group_id(id).set_ip_permissions(Some(gone)).send().await.map(drop).map_err(|e| aws_error(&what("revoking"), &e))?
        }
    }
    match (block, new.is_empty()) {
        (_, true) => {}
        ("ingress", _) => c
            .authorize_security_group_ingress()
            .group_id(id)
            .set_ip_permissions(Some(new))
            .send()
            .await
            .map(drop)
            .map_err(|e| aws_error(&what("authorizing"), &e))?,
        _ => c
            .authorize_security_group_egress()
            .group_id(id)
            .set_ip_permissions(Some(new))
            .send()
            .await
            .map(drop)
            .map_err(|e| aws_error(&what("authorizing"), &e))?,
    }
    Ok(())
}

/// Makes the rules of one direction the wanted ones, given what the group had.
async fn sync_rules(p: &AwsProvider, id: &str, block: &str, had: &BTreeSet<Rule>, want: &BTreeSet<Rule>) -> Result<(), Diagnostics> {
    let gone = had.difference(want).map(|r| r.permission(id)).collect();
    let new = want.difference(had).map(|r| r.permission(id)).collect();
    change_rules(p, id, block, gone, new).await
}

async fn find(p: &AwsProvider, id: &str) -> Result<Option<SecurityGroup>, Diagnostics> {
    found(p.ec2.describe_security_groups().group_ids(id).send().await, |o| o.security_groups().first(), &format!("security group {id}"))
}

/// The default security group of VPC `vpc`, or of the region's default VPC.
async fn default_group(p: &AwsProvider, vpc: Option<&str>) -> Result<SecurityGroup, Diagnostics> {
    let vpc = match vpc {
        Some(v) => v.to_string(),
        None => super::ec2::default_vpc_id(p).await?,
    };
    let filters = vec![Filter::builder().name("group-name").values("default").build(), Filter::builder().name("vpc-id").values(&vpc).build()];
    let out = p.ec2.describe_security_groups().set_filters(Some(filters)).send().await;
    let out = out.map_err(|e| aws_error(&format!("reading the default security group of {vpc}"), &e))?;
    out.security_groups().first().cloned().ok_or_else(|| error("Default security group not found", format!("VPC {vpc} has no default security group.")))
}

fn fill(p: &AwsProvider, mut state: Value, g: &SecurityGroup) -> Value {
    let id = g.group_id().unwrap_or_default().to_string();
    let owner = g.owner_id().unwrap_or_default().to_string();
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "name", g.group_name().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "name_prefix", Value::string(""));
    set(&mut state, "description", g.description().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "vpc_id", g.vpc_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "security-group", &id));
    set(&mut state, "ingress", rules_value(&rules_of(&id, g.ip_permissions())));
    set(&mut state, "egress", rules_value(&rules_of(&id, g.ip_permissions_egress())));
    defaults(&mut state, &[("revoke_rules_on_delete", Value::Bool(false))]);
    set_tags(p, &mut state, &tag_map(g.tags()));
    state
}

/// `aws_default_security_group`.
pub struct AwsDefaultSecurityGroup;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsDefaultSecurityGroup {
    fn name(&self) -> &'static str {
        "aws_default_security_group"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &["vpc_id"]);
        let planned = &mut resp.planned_state;
        defaults(planned, &[("revoke_rules_on_delete", Value::Bool(false))]);
        for block in ["ingress", "egress"] {
            // Adopting with no rules of a direction leaves none; later, no rules leave the
            // group's alone (optional+computed).
            if unset_blocks(&config, block) {
                let kept = prior.as_ref().map(|p| attr(p, block).clone()).unwrap_or(Value::set(vec![]));
                set(planned, block, kept);
            } else if attr(planned, block).is_wholly_known() {
                let canonical = rules_value(&rules(planned, block));
                set(planned, block, canonical);
            }
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let lookup = find(p, &text(&prior, "id")).await;
        read_from(prior, lookup, |v, g| fill(p, v, g))
    }

    /// Adopts the group: its tags become the configured ones, every rule it has is revoked
    /// and the configured ones are authorized.
    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let group = match default_group(p, attr(&planned, "vpc_id").as_str()).await {
            Ok(g) => g,
            Err(d) => return ApplyResponse::failed(None, d),
        };
        let id = group.group_id().unwrap_or_default().to_string();
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        let adopt = async {
            sync_tags(p, &id, &map_value(tag_map(group.tags())), attr(&planned, "tags_all")).await?;
            change_rules(p, &id, "ingress", group.ip_permissions().to_vec(), vec![]).await?;
            change_rules(p, &id, "egress", group.ip_permissions_egress().to_vec(), vec![]).await?;
            for block in ["ingress", "egress"] {
                sync_rules(p, &id, block, &BTreeSet::new(), &rules(&planned, block)).await?;
            }
            Ok::<(), Diagnostics>(())
        };
        if let Err(d) = adopt.await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let update = async {
            for block in ["ingress", "egress"] {
                sync_rules(p, &id, block, &rules(&prior, block), &rules(&planned, block)).await?;
            }
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        };
        let result = update.await;
        updated(prior, planned, result)
    }

    /// Forgets the group: a VPC's default security group cannot be deleted.
    async fn delete(&self, _p: &AwsProvider, _prior: Value) -> ApplyResponse {
        ApplyResponse::ok(None)
    }
}
