//! `aws_vpc_security_group_ingress_rule` (and, through [`Rule`], the egress rule): one rule of a
//! security group: `security_group_id` (replaces), `ip_protocol`, `from_port`, `to_port`, one
//! of `cidr_ipv4`, `cidr_ipv6`, `prefix_list_id`, `referenced_security_group_id`,
//! `description`, `tags`; computed `id` and `security_group_rule_id` (the same `sgr-` id),
//! `arn`, `tags_all`. Changes other than the group are made in place (ModifySecurityGroupRules).
//! Import by rule id.
//!
//! As in Terraform, `ip_protocol` `"all"` and `"-1"` are the same, protocol numbers name the
//! protocol (`"6"` is `"tcp"`), and an all-protocols rule has no ports.

use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType as Ec2ResourceType, SecurityGroupRule, SecurityGroupRuleRequest, SecurityGroupRuleUpdate,
    TagSpecification, UserIdGroupPair,
};

use super::ec2::{arn, deleted, described, plan_common, set_tags, sync_tags, tag_map};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const ARGS: [&str; 9] =
    ["security_group_id", "ip_protocol", "from_port", "to_port", "cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id", "description"];

/// The schema of either direction's rule.
pub fn schema_of(type_name: &str) -> ResourceSchema {
    resource(type_name).implement(&ARGS).implement(&["tags", "tags_all", "id", "arn", "security_group_rule_id"]).force_new(&["security_group_id"]).build()
}

/// A protocol in AWS's form: `-1` for all, names for the numbered protocols AWS names.
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

fn s(v: &Value, n: &str) -> Option<String> {
    attr(v, n).as_str().filter(|x| !x.is_empty()).map(str::to_string)
}

fn port(v: &Value, n: &str) -> Option<i32> {
    attr(v, n).as_f64().map(|x| x as i32)
}

/// The rule's ports: none for all protocols.
fn ports(v: &Value) -> (Option<i32>, Option<i32>) {
    if s(v, "ip_protocol").map(|p| protocol(&p)).as_deref() == Some("-1") {
        (None, None)
    } else {
        (port(v, "from_port"), port(v, "to_port"))
    }
}

fn permission(v: &Value) -> IpPermission {
    let (from, to) = ports(v);
    let desc = s(v, "description");
    let mut b = IpPermission::builder().ip_protocol(protocol(&s(v, "ip_protocol").unwrap_or_default())).set_from_port(from).set_to_port(to);
    if let Some(c) = s(v, "cidr_ipv4") {
        b = b.ip_ranges(IpRange::builder().cidr_ip(c).set_description(desc.clone()).build());
    }
    if let Some(c) = s(v, "cidr_ipv6") {
        b = b.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(c).set_description(desc.clone()).build());
    }
    if let Some(pl) = s(v, "prefix_list_id") {
        b = b.prefix_list_ids(PrefixListId::builder().prefix_list_id(pl).set_description(desc.clone()).build());
    }
    if let Some(g) = s(v, "referenced_security_group_id") {
        b = b.user_id_group_pairs(UserIdGroupPair::builder().group_id(g).set_description(desc).build());
    }
    b.build()
}

/// The shared driver of the ingress and egress rule types.
pub struct Rule {
    pub type_name: &'static str,
    pub egress: bool,
}

/// `aws_vpc_security_group_ingress_rule`.
pub const INGRESS: Rule = Rule { type_name: "aws_vpc_security_group_ingress_rule", egress: false };

impl Rule {
    async fn authorize(&self, p: &AwsProvider, planned: &Value) -> Result<String, Diagnostics> {
        let group = s(planned, "security_group_id").unwrap_or_default();
        let tags: Vec<aws_sdk_ec2::types::Tag> = match attr(planned, "tags_all") {
            Value::Map(m) => m.iter().map(|(k, v)| aws_sdk_ec2::types::Tag::builder().key(k).value(v.as_str().unwrap_or_default()).build()).collect(),
            _ => Vec::new(),
        };
        let spec = (!tags.is_empty()).then(|| vec![TagSpecification::builder().resource_type(Ec2ResourceType::SecurityGroupRule).set_tags(Some(tags)).build()]);
        let what = format!("authorizing a rule of security group {group}");
        let rules = if self.egress {
            let r =
                p.ec2_write.authorize_security_group_egress().group_id(&group).ip_permissions(permission(planned)).set_tag_specifications(spec).send().await;
            r.map_err(|e| aws_error(&what, &e))?.security_group_rules().to_vec()
        } else {
            let r =
                p.ec2_write.authorize_security_group_ingress().group_id(&group).ip_permissions(permission(planned)).set_tag_specifications(spec).send().await;
            r.map_err(|e| aws_error(&what, &e))?.security_group_rules().to_vec()
        };
        Ok(rules.first().and_then(|r| r.security_group_rule_id()).unwrap_or_default().to_string())
    }

    fn fill(&self, p: &AwsProvider, mut state: Value, r: &SecurityGroupRule) -> Value {
        let opt = |x: Option<&str>| x.filter(|s| !s.is_empty()).map(Value::string).unwrap_or(Value::Null);
        let id = r.security_group_rule_id().unwrap_or_default().to_string();
        let proto = r.ip_protocol().unwrap_or("-1").to_string();
        // The configured spelling of the same protocol is kept.
        if s(&state, "ip_protocol").map(|p| protocol(&p)) != Some(proto.clone()) {
            set(&mut state, "ip_protocol", Value::string(&proto));
        }
        let all = proto == "-1";
        let num = |x: Option<i32>| x.filter(|_| !all).map(|n| Value::Number(n as f64)).unwrap_or(Value::Null);
        set(&mut state, "from_port", num(r.from_port()));
        set(&mut state, "to_port", num(r.to_port()));
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "security_group_rule_id", Value::string(&id));
        set(&mut state, "security_group_id", opt(r.group_id()));
        set(&mut state, "cidr_ipv4", opt(r.cidr_ipv4()));
        set(&mut state, "cidr_ipv6", opt(r.cidr_ipv6()));
        set(&mut state, "prefix_list_id", opt(r.prefix_list_id()));
        set(&mut state, "referenced_security_group_id", opt(r.referenced_group_info().and_then(|g| g.group_id())));
        set(&mut state, "description", opt(r.description()));
        set(&mut state, "arn", arn(p, r.group_owner_id().unwrap_or_default(), "security-group-rule", &id));
        set_tags(p, &mut state, &tag_map(r.tags()));
        state
    }
}

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for Rule {
    fn name(&self) -> &'static str {
        self.type_name
    }

    fn schema(&self) -> ResourceSchema {
        schema_of(self.type_name)
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        plan_common(p, req, &[])
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = s(&prior, "id").unwrap_or_default();
        let result = p.ec2.describe_security_group_rules().security_group_rule_ids(&id).send().await;
        match described(&prior, result, |o| o.security_group_rules().iter().find(|r| r.is_egress() == Some(self.egress)), &format!("security group rule {id}"))
        {
            Ok(r) => ReadResponse::found(self.fill(p, prior, &r)),
            Err(r) => r,
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let id = match self.authorize(p, &planned).await {
            Ok(id) => id,
            Err(d) => return ApplyResponse::failed(None, d),
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&id));
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let (id, group) = (s(&prior, "id").unwrap_or_default(), s(&prior, "security_group_id").unwrap_or_default());
        let result = async {
            if ARGS.iter().any(|a| attr(&prior, a) != attr(&planned, a)) {
                let (from, to) = ports(&planned);
                let req = SecurityGroupRuleRequest::builder()
                    .ip_protocol(protocol(&s(&planned, "ip_protocol").unwrap_or_default()))
                    .set_from_port(from.or(Some(-1)))
                    .set_to_port(to.or(Some(-1)))
                    .set_cidr_ipv4(s(&planned, "cidr_ipv4"))
                    .set_cidr_ipv6(s(&planned, "cidr_ipv6"))
                    .set_prefix_list_id(s(&planned, "prefix_list_id"))
                    .set_referenced_group_id(s(&planned, "referenced_security_group_id"))
                    .set_description(s(&planned, "description"))
                    .build();
                let update = SecurityGroupRuleUpdate::builder().security_group_rule_id(&id).security_group_rule(req).build();
                let r = p.ec2_write.modify_security_group_rules().group_id(&group).security_group_rules(update).send().await;
                r.map_err(|e| aws_error(&format!("modifying security group rule {id}"), &e))?;
            }
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        };
        if let Err(d) = result.await {
            return ApplyResponse::failed(Some(prior), d);
        }
        let r = self.read(p, planned.clone()).await;
        ApplyResponse::read_back(r, planned)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let (id, group) = (s(&prior, "id").unwrap_or_default(), s(&prior, "security_group_id").unwrap_or_default());
        let what = format!("security group rule {id}");
        if self.egress {
            deleted(prior, p.ec2_write.revoke_security_group_egress().group_id(&group).security_group_rule_ids(&id).send().await, &what)
        } else {
            deleted(prior, p.ec2_write.revoke_security_group_ingress().group_id(&group).security_group_rule_ids(&id).send().await, &what)
        }
    }
}
