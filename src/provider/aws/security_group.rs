//! `aws_security_group`: `name`, `name_prefix`, `description`, `vpc_id`, `ingress {}`,
//! `egress {}` (each: `from_port`, `to_port`, `protocol`, `cidr_blocks`, `description`), `tags`;
//! computed `id`, `arn`, `owner_id`, `tags_all`.
//!
//! As Terraform does, the allow-all egress rule AWS adds to a new group is removed, so the
//! group's rules are exactly the configured ones. Without `ingress` (or `egress`) blocks the
//! group's rules of that direction are left alone (Terraform's optional+computed blocks), so
//! standalone rule resources can manage them. Rules change in place (revoke what went,
//! authorize what came); a new name, description or VPC replaces the group.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{IpPermission, IpRange, SecurityGroup};

use super::ec2::{arn, deleted, described, plan_common, set_tags, sync_tags, tag_map, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, defaults, set};
use crate::provider::*;
use crate::value::Value;

fn rule_schema() -> BlockSchema {
    BlockSchema::new([
        ("from_port", AttributeSchema::required().typed(AttrType::Number)),
        ("to_port", AttributeSchema::required().typed(AttrType::Number)),
        ("protocol", AttributeSchema::required().typed(AttrType::String)),
        ("cidr_blocks", AttributeSchema::optional().typed(AttrType::ListOfString)),
        ("description", AttributeSchema::optional().typed(AttrType::String)),
    ])
}

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 1,
        block: BlockSchema::new([
            ("name", AttributeSchema::optional_computed().force_new().typed(AttrType::String)),
            ("name_prefix", AttributeSchema::optional().force_new().typed(AttrType::String)),
            ("description", AttributeSchema::optional_computed().force_new().typed(AttrType::String)),
            ("vpc_id", AttributeSchema::optional_computed().force_new().typed(AttrType::String)),
            ("revoke_rules_on_delete", AttributeSchema::optional_computed().typed(AttrType::Bool)),
            ("tags", AttributeSchema::optional().typed(AttrType::MapOfString)),
            ("tags_all", AttributeSchema::computed().typed(AttrType::MapOfString)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("arn", AttributeSchema::computed().typed(AttrType::String)),
            ("owner_id", AttributeSchema::computed().typed(AttrType::String)),
        ])
        .with_attribute_block("ingress", Nesting::Set, rule_schema())
        .with_attribute_block("egress", Nesting::Set, rule_schema()),
    }
}

/// One rule in a canonical form: protocol `-1` for "all", CIDR blocks sorted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rule {
    protocol: String,
    from: i64,
    to: i64,
    cidrs: Vec<String>,
    description: Option<String>,
}

impl Rule {
    fn from_value(v: &Value) -> Option<Rule> {
        let num = |n: &str| attr(v, n).as_f64().map(|x| x as i64);
        let mut protocol = attr(v, "protocol").as_str()?.to_lowercase();
        if protocol == "all" {
            protocol = "-1".into();
        }
        let mut cidrs: Vec<String> = match attr(v, "cidr_blocks") {
            Value::List(xs) | Value::Set(xs) => xs.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        };
        cidrs.sort();
        let (from, to) = if protocol == "-1" { (0, 0) } else { (num("from_port")?, num("to_port")?) };
        Some(Rule { protocol, from, to, cidrs, description: attr(v, "description").as_str().filter(|d| !d.is_empty()).map(str::to_string) })
    }

    fn to_value(&self) -> Value {
        Value::object([
            ("from_port", Value::Number(self.from as f64)),
            ("to_port", Value::Number(self.to as f64)),
            ("protocol", Value::string(&self.protocol)),
            ("cidr_blocks", Value::List(self.cidrs.iter().map(Value::string).collect())),
            ("description", self.description.as_deref().map(Value::string).unwrap_or(Value::Null)),
        ])
    }

    fn permission(&self) -> IpPermission {
        let ranges: Vec<IpRange> = self.cidrs.iter().map(|c| IpRange::builder().cidr_ip(c).set_description(self.description.clone()).build()).collect();
        let b = IpPermission::builder().ip_protocol(&self.protocol).set_ip_ranges(Some(ranges));
        if self.protocol == "-1" {
            b.build()
        } else {
            b.from_port(self.from as i32).to_port(self.to as i32).build()
        }
    }
}

fn rules(v: &Value, block: &str) -> BTreeSet<Rule> {
    match attr(v, block) {
        Value::List(xs) | Value::Set(xs) => xs.iter().filter_map(Rule::from_value).collect(),
        _ => BTreeSet::new(),
    }
}

/// AWS's permissions as rules, one per (protocol, ports, description).
fn rules_of(perms: &[IpPermission]) -> BTreeSet<Rule> {
    let mut out = BTreeSet::new();
    for p in perms {
        let protocol = p.ip_protocol().unwrap_or("-1").to_string();
        let (from, to) = if protocol == "-1" { (0, 0) } else { (p.from_port().unwrap_or(0) as i64, p.to_port().unwrap_or(0) as i64) };
        let mut by_desc: std::collections::BTreeMap<Option<String>, Vec<String>> = Default::default();
        for r in p.ip_ranges() {
            by_desc.entry(r.description().map(str::to_string)).or_default().push(r.cidr_ip().unwrap_or_default().to_string());
        }
        for (description, mut cidrs) in by_desc {
            cidrs.sort();
            out.insert(Rule { protocol: protocol.clone(), from, to, cidrs, description });
        }
    }
    out
}

fn rules_value(rs: &BTreeSet<Rule>) -> Value {
    Value::set(rs.iter().map(Rule::to_value).collect())
}

async fn sync_rules(p: &AwsProvider, id: &str, block: &str, had: &BTreeSet<Rule>, want: &BTreeSet<Rule>) -> Result<(), Diagnostics> {
    let gone: Vec<IpPermission> = had.difference(want).map(Rule::permission).collect();
    let new: Vec<IpPermission> = want.difference(had).map(Rule::permission).collect();
    let what = |verb: &str| format!("{verb} {block} rules of security group {id}");
    if !gone.is_empty() {
        if block == "ingress" {
            p.ec2.revoke_security_group_ingress().group_id(id).set_ip_permissions(Some(gone)).send().await.map_err(|e| aws_error(&what("revoking"), &e))?;
        } else {
            p.ec2.revoke_security_group_egress().group_id(id).set_ip_permissions(Some(gone)).send().await.map_err(|e| aws_error(&what("revoking"), &e))?;
        }
    }
    if !new.is_empty() {
        if block == "ingress" {
            p.ec2
                .authorize_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(Some(new))
                .send()
                .await
                .map_err(|e| aws_error(&what("authorizing"), &e))?;
        } else {
            p.ec2.authorize_security_group_egress().group_id(id).set_ip_permissions(Some(new)).send().await.map_err(|e| aws_error(&what("authorizing"), &e))?;
        }
    }
    Ok(())
}

fn generated_name(prefix: Option<&str>) -> String {
    format!("{}{}", prefix.unwrap_or("terraform-"), chrono::Utc::now().format("%Y%m%d%H%M%S%f"))
}

/// `aws_security_group`.
pub struct AwsSecurityGroup;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsSecurityGroup {
    fn name(&self) -> &'static str {
        "aws_security_group"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &[]);
        let planned = &mut resp.planned_state;
        // No rule blocks leave the group's rules alone (they may be standalone rule resources),
        // as Terraform's optional+computed `ingress` and `egress` do.
        for block in ["ingress", "egress"] {
            if matches!(attr(&config, block), Value::Null) || matches!(attr(&config, block), Value::List(xs) | Value::Set(xs) if xs.is_empty()) {
                set(planned, block, prior.as_ref().map(|p| attr(p, block).clone()).unwrap_or(Value::Unknown));
            }
        }
        defaults(planned, &[("description", Value::string("Managed by Terraform")), ("revoke_rules_on_delete", Value::Bool(false))]);
        // Rules in canonical form, so a reordered or re-spelled rule is not a change.
        for block in ["ingress", "egress"] {
            if attr(planned, block).is_wholly_known() {
                let canonical = rules_value(&rules(planned, block));
                set(planned, block, canonical);
            }
        }
        // A generated name (from name_prefix or the default) is only known after apply.
        defaults(planned, &[("name", Value::Unknown)]);
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        match read_group(p, &id).await {
            Ok(Some(g)) => ReadResponse { new_state: Some(fill(p, prior, &g)), diagnostics: Default::default() },
            Ok(None) => ReadResponse { new_state: None, diagnostics: Default::default() },
            Err(d) => ReadResponse { new_state: Some(prior), diagnostics: d },
        }
    }

    /// Refreshes many security groups with DescribeSecurityGroups calls of up to 1,000 ids.
    async fn read_batch(&self, p: &AwsProvider, items: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)> {
        super::ec2::read_batch(
            items,
            move |ids| async move { p.ec2.describe_security_groups().set_group_ids(Some(ids)).send().await.ok().map(|o| o.security_groups().to_vec()) },
            |s: &SecurityGroup| s.group_id(),
            |v, s| fill(p, v, s),
            move |v| self.read(p, v),
        )
        .await
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let mut planned = planned;
        let name = attr(&planned, "name").as_str().map(str::to_string).unwrap_or_else(|| generated_name(attr(&planned, "name_prefix").as_str()));
        let out = match p
            .ec2_write
            .create_security_group()
            .group_name(&name)
            .description(attr(&planned, "description").as_str().unwrap_or("Managed by Terraform"))
            .set_vpc_id(attr(&planned, "vpc_id").as_str().map(str::to_string))
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) => return ApplyResponse { new_state: None, diagnostics: aws_error(&format!("creating security group \"{name}\""), &e) },
        };
        let id = out.group_id().unwrap_or_default().to_string();
        set(&mut planned, "id", Value::string(&id));
        set(&mut planned, "name", Value::string(&name));
        let finish = async {
            // What AWS put there (the allow-all egress rule) goes; the configured rules come.
            let current = read_group(p, &id).await?;
            let (ingress, egress) = current.map(|g| (rules_of(g.ip_permissions()), rules_of(g.ip_permissions_egress()))).unwrap_or_default();
            sync_rules(p, &id, "ingress", &ingress, &rules(&planned, "ingress")).await?;
            sync_rules(p, &id, "egress", &egress, &rules(&planned, "egress")).await?;
            sync_tags(p, &id, &Value::Null, attr(&planned, "tags_all")).await
        };
        if let Err(d) = finish.await {
            return ApplyResponse { new_state: Some(planned), diagnostics: d };
        }
        let r = self.read(p, planned.clone()).await;
        ApplyResponse::read_back(r, planned)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let update = async {
            for block in ["ingress", "egress"] {
                sync_rules(p, &id, block, &rules(&prior, block), &rules(&planned, block)).await?;
            }
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        };
        let result = update.await;
        updated(prior, planned, result)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        if attr(&prior, "revoke_rules_on_delete") == &Value::Bool(true) {
            for block in ["ingress", "egress"] {
                if let Err(d) = sync_rules(p, &id, block, &rules(&prior, block), &BTreeSet::new()).await {
                    return ApplyResponse { new_state: Some(prior), diagnostics: d };
                }
            }
        }
        let result = p.ec2_write.delete_security_group().group_id(&id).send().await;
        deleted(prior, result, &format!("security group {id}"))
    }
}

async fn read_group(p: &AwsProvider, id: &str) -> Result<Option<SecurityGroup>, Diagnostics> {
    match described(&Value::Null, p.ec2.describe_security_groups().group_ids(id).send().await, |o| o.security_groups().first(), &format!("security group {id}"))
    {
        Ok(g) => Ok(Some(g)),
        Err(r) if r.diagnostics.is_empty() => Ok(None),
        Err(r) => Err(r.diagnostics),
    }
}

fn fill(p: &AwsProvider, mut state: Value, g: &SecurityGroup) -> Value {
    let id = g.group_id().unwrap_or_default().to_string();
    let owner = g.owner_id().unwrap_or_default().to_string();
    set(&mut state, "name", g.group_name().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "description", g.description().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "vpc_id", g.vpc_id().map(Value::string).unwrap_or(Value::Null));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "arn", arn(p, &owner, "security-group", &id));
    set(&mut state, "ingress", rules_value(&rules_of(g.ip_permissions())));
    set(&mut state, "egress", rules_value(&rules_of(g.ip_permissions_egress())));
    defaults(&mut state, &[("revoke_rules_on_delete", Value::Bool(false))]);
    set_tags(p, &mut state, &tag_map(g.tags()));
    state
}
