//! `aws_network_acl_rule`: one rule of a network ACL. `network_acl_id`, `rule_number`,
//! `egress` (default false), `protocol` (a name such as `tcp` or a number; `-1`/`all` for every
//! protocol), `rule_action`, `cidr_block` or `ipv6_cidr_block`, `from_port`, `to_port`,
//! `icmp_type`, `icmp_code`; every argument replaces the rule. Computed `id`, the provider's
//! `nacl-<hash>`. Import id `NETWORK_ACL_ID:RULE_NUMBER:PROTOCOL:EGRESS`
//! (`acl-1234:100:tcp:false`).
//!
//! As in Terraform, a protocol name and its number (`tcp` and `6`) and actions differing only
//! in case are the same rule, and creating a rule whose number is taken in that direction
//! fails rather than adopting it. Not implemented: `region`.

use super::ec2::{hashcode, is_not_found};
use super::errors::aws_error;
use super::network_acl::{bad_protocol, create_entry, find, protocol_number, Entry};
use super::AwsProvider;
use crate::provider::helpers::{attr, defaults, error, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const ARGUMENTS: [&str; 11] =
    ["network_acl_id", "rule_number", "egress", "protocol", "rule_action", "cidr_block", "ipv6_cidr_block", "from_port", "to_port", "icmp_type", "icmp_code"];

pub fn schema() -> ResourceSchema {
    resource("aws_network_acl_rule").implement(&ARGUMENTS).implement(&["id"]).computed_only(&["id"]).defaulted(&["egress"]).force_new(&ARGUMENTS).build()
}

fn num(v: &Value, name: &str) -> i32 {
    attr(v, name).as_f64().unwrap_or(0.0) as i32
}

/// The provider's id: a hash of the ACL, rule number, direction and protocol as configured.
fn rule_id(acl: &str, rule_no: i32, egress: bool, protocol: &str) -> String {
    format!("nacl-{}", hashcode(&format!("{acl}-{rule_no}-{egress}-{protocol}-")))
}

/// A number AWS returned, or null where the prior state had none and AWS says 0 (the field
/// was not set).
fn number_or_unset(prior: &Value, name: &str, remote: Option<i32>) -> Value {
    match remote {
        Some(0) | None if attr(prior, name).is_null() => Value::Null,
        Some(n) => Value::Number(n as f64),
        None => attr(prior, name).clone(),
    }
}

/// `aws_network_acl_rule`.
pub struct AwsNetworkAclRule;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsNetworkAclRule {
    fn name(&self) -> &'static str {
        "aws_network_acl_rule"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if let Some(p) = attr(&planned, "protocol").as_str() {
            if protocol_number(p).is_none() {
                return PlanResponse::failed(bad_protocol(p));
            }
        }
        let cidrs = [attr(&planned, "cidr_block"), attr(&planned, "ipv6_cidr_block")].iter().filter(|v| !v.is_null()).count();
        if cidrs != 1 && attr(&planned, "cidr_block").is_known() && attr(&planned, "ipv6_cidr_block").is_known() {
            return PlanResponse::failed(error("Invalid network ACL rule", "Exactly one of cidr_block and ipv6_cidr_block must be set."));
        }
        defaults(&mut planned, &[("egress", Value::Bool(false))]);
        PlanResponse::planned(planned)
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let acl_id = text(&prior, "network_acl_id");
        let (egress, rule_no) = (attr(&prior, "egress") == &Value::Bool(true), num(&prior, "rule_number"));
        let acl = match find(p, &acl_id).await {
            Ok(Some(acl)) => acl,
            Ok(None) => return ReadResponse::gone(),
            Err(d) => return ReadResponse::failed(prior, d),
        };
        let Some(e) = acl.entries().iter().find(|e| e.egress() == Some(egress) && e.rule_number() == Some(rule_no)) else {
            return ReadResponse::gone();
        };
        let mut state = prior.clone();
        let remote_protocol = e.protocol().and_then(protocol_number);
        let prior_protocol = attr(&prior, "protocol").as_str().and_then(protocol_number);
        if remote_protocol != prior_protocol {
            set(&mut state, "protocol", remote_protocol.map(|n| Value::String(n.to_string())).unwrap_or(Value::Null));
        }
        let action = e.rule_action().map(|a| a.as_str().to_string()).unwrap_or_default();
        if !text(&prior, "rule_action").eq_ignore_ascii_case(&action) {
            set(&mut state, "rule_action", Value::string(action.to_lowercase()));
        }
        set(&mut state, "cidr_block", e.cidr_block().map(Value::string).unwrap_or(Value::Null));
        set(&mut state, "ipv6_cidr_block", e.ipv6_cidr_block().map(Value::string).unwrap_or(Value::Null));
        set(&mut state, "from_port", number_or_unset(&prior, "from_port", e.port_range().and_then(|r| r.from())));
        set(&mut state, "to_port", number_or_unset(&prior, "to_port", e.port_range().and_then(|r| r.to())));
        set(&mut state, "icmp_type", number_or_unset(&prior, "icmp_type", e.icmp_type_code().and_then(|i| i.r#type())));
        set(&mut state, "icmp_code", number_or_unset(&prior, "icmp_code", e.icmp_type_code().and_then(|i| i.code())));
        ReadResponse::found(state)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let acl_id = text(&planned, "network_acl_id");
        let (egress, rule_no) = (attr(&planned, "egress") == &Value::Bool(true), num(&planned, "rule_number"));
        let protocol = text(&planned, "protocol");
        // CreateNetworkAclEntry accepts a rule identical to an existing one: refuse to adopt it.
        match find(p, &acl_id).await {
            Ok(Some(acl)) if acl.entries().iter().any(|e| e.egress() == Some(egress) && e.rule_number() == Some(rule_no)) => {
                let kind = if egress { "egress" } else { "ingress" };
                return ApplyResponse::failed(
                    None,
                    error("Network ACL rule already exists", format!("Network ACL {acl_id} already has {kind} rule number {rule_no}: import it instead.")),
                );
            }
            Err(d) => return ApplyResponse::failed(None, d),
            _ => {}
        }
        let number = protocol_number(&protocol).unwrap_or(-1);
        // AWS ignores the ports of an all-protocols rule.
        let (from, to) = if number == -1 { (0, 0) } else { (num(&planned, "from_port"), num(&planned, "to_port")) };
        let entry = Entry {
            rule_no,
            action: text(&planned, "rule_action").to_lowercase(),
            protocol: number,
            cidr_block: text(&planned, "cidr_block"),
            ipv6_cidr_block: text(&planned, "ipv6_cidr_block"),
            from_port: from,
            to_port: to,
            icmp_type: num(&planned, "icmp_type"),
            icmp_code: num(&planned, "icmp_code"),
        };
        if let Err(d) = create_entry(p, &acl_id, egress, &entry).await {
            return ApplyResponse::failed(None, d);
        }
        let mut state = planned;
        set(&mut state, "id", Value::String(rule_id(&acl_id, rule_no, egress, &protocol)));
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let acl_id = text(&prior, "network_acl_id");
        let (egress, rule_no) = (attr(&prior, "egress") == &Value::Bool(true), num(&prior, "rule_number"));
        match p.ec2_write.delete_network_acl_entry().network_acl_id(&acl_id).egress(egress).rule_number(rule_no).send().await {
            Ok(_) => ApplyResponse::ok(None),
            Err(e) if is_not_found(&e) => ApplyResponse::ok(None),
            Err(e) => ApplyResponse::failed(Some(prior), aws_error(&format!("deleting rule {rule_no} of network ACL {acl_id}"), &e)),
        }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let parts: Vec<&str> = id.split(':').collect();
        let parsed = match parts[..] {
            [acl, rule, protocol, egress] if !acl.is_empty() && !protocol.is_empty() => {
                rule.parse::<i32>().ok().zip(egress.parse::<bool>().ok()).map(|(r, e)| (acl, r, protocol, e))
            }
            _ => None,
        };
        let Some((acl, rule_no, protocol, egress)) = parsed else {
            return ImportResponse::failed(error(
                "Invalid import id",
                format!("Unexpected format of ID ({id}), expected NETWORK_ACL_ID:RULE_NUMBER:PROTOCOL:EGRESS (acl-1234:100:tcp:false)."),
            ));
        };
        let mut state = blank;
        set(&mut state, "id", Value::String(rule_id(acl, rule_no, egress, protocol)));
        set(&mut state, "network_acl_id", Value::string(acl));
        set(&mut state, "rule_number", Value::Number(rule_no as f64));
        set(&mut state, "egress", Value::Bool(egress));
        set(&mut state, "protocol", Value::string(protocol));
        imported(self.read(p, state).await, || format!("Network ACL {acl} has no rule matching \"{id}\"."))
    }
}
