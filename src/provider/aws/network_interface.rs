//! `aws_network_interface`: an elastic network interface. `subnet_id` and `interface_type`
//! (replace), `description`, `private_ips` / `private_ips_count` (secondary addresses), `private_ip`
//! (the primary address), `security_groups`, `source_dest_check` (default true),
//! `ipv6_addresses` / `ipv6_address_count`, one `attachment { instance, device_index,
//! network_card_index }`, `tags`; computed `id`, `arn`, `mac_address`, `owner_id`,
//! `private_dns_name`, `outpost_arn`, `tags_all`. Import by ENI id; refresh reads many
//! interfaces with one DescribeNetworkInterfaces call.
//!
//! As in Terraform: `private_ips` is a set (the primary address is kept while it stays in
//! the set; a new set without it replaces the interface), `private_ips_count` counts the
//! secondary addresses (changing it alone assigns or unassigns addresses, making
//! `private_ips` unknown), and the same holds for `ipv6_addresses` / `ipv6_address_count`;
//! `security_groups` and `attachment` are optional+computed (left out, the interface keeps
//! what it has); a changed attachment detaches and attaches again, and destroy detaches
//! before it deletes. Unlike Terraform, the address of a new interface given by `private_ips`
//! that becomes its primary is the lowest in the set (Terraform's set order), and a changed
//! `private_ip` replaces the interface (Terraform accepts it and never applies it).
//! `private_ips` and `private_ips_count` set together must agree (one more address than the
//! count). Not implemented (errors when set): `private_ip_list`, `private_ip_list_enabled`,
//! `ipv6_address_list`, `ipv6_address_list_enabled`, `ipv4_prefixes`, `ipv4_prefix_count`,
//! `ipv6_prefixes`, `ipv6_prefix_count`, `enable_primary_ipv6`, `ena_srd_specification`,
//! `region`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, InstanceIpv6Address, NetworkInterface, NetworkInterfaceCreationType, PrivateIpAddressSpecification, ResourceType as Ec2Type,
};

use super::ec2::{arn, deleted, found, plan_common, read_from, set_tags, string_set, sync_tags, tag_map, tag_specification, unset_blocks, updated};
use super::errors::aws_error;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, defaults, error, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::{PathStep, Value};

pub fn schema() -> ResourceSchema {
    resource("aws_network_interface")
        .implement(&[
            "subnet_id",
            "description",
            "private_ip",
            "private_ips",
            "private_ips_count",
            "security_groups",
            "source_dest_check",
            "interface_type",
            "ipv6_addresses",
            "ipv6_address_count",
            "attachment",
            "id",
            "arn",
            "mac_address",
            "owner_id",
            "private_dns_name",
            "outpost_arn",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["source_dest_check"])
        .force_new(&["subnet_id", "interface_type", "private_ip"])
        .build()
}

fn strings(xs: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::set(xs.into_iter().map(|x| Value::String(x.into())).collect())
}

fn number(v: &Value) -> Option<i32> {
    v.as_f64().map(|n| n as i32)
}

/// The attachment block of an attached interface.
fn attachment_value(a: &aws_sdk_ec2::types::NetworkInterfaceAttachment) -> Value {
    Value::object([
        ("attachment_id", a.attachment_id().map(Value::string).unwrap_or(Value::Null)),
        ("device_index", Value::Number(f64::from(a.device_index().unwrap_or(0)))),
        ("instance", a.instance_id().map(Value::string).unwrap_or(Value::Null)),
        ("network_card_index", Value::Number(f64::from(a.network_card_index().unwrap_or(0)))),
    ])
}

fn fill(p: &AwsProvider, mut state: Value, n: &NetworkInterface) -> Value {
    let id = n.network_interface_id().unwrap_or_default().to_string();
    let owner = n.owner_id().unwrap_or_default().to_string();
    let s = |x: Option<&str>| x.map(Value::string).unwrap_or(Value::Null);
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "arn", arn(p, &owner, "network-interface", &id));
    set(&mut state, "owner_id", Value::string(&owner));
    set(&mut state, "subnet_id", s(n.subnet_id()));
    // An interface without a description reads as null, as Terraform's (an unset optional).
    set(&mut state, "description", s(n.description().filter(|d| !d.is_empty())));
    set(&mut state, "interface_type", s(n.interface_type().map(|t| t.as_str())));
    set(&mut state, "mac_address", s(n.mac_address()));
    set(&mut state, "outpost_arn", Value::string(n.outpost_arn().unwrap_or_default()));
    set(&mut state, "private_dns_name", Value::string(n.private_dns_name().unwrap_or_default()));
    set(&mut state, "private_ip", s(n.private_ip_address()));
    let ips: Vec<&str> = n.private_ip_addresses().iter().filter_map(|a| a.private_ip_address()).collect();
    set(&mut state, "private_ips_count", Value::Number(ips.len().saturating_sub(1) as f64));
    set(&mut state, "private_ips", strings(ips));
    let ipv6: Vec<&str> = n.ipv6_addresses().iter().filter_map(|a| a.ipv6_address()).collect();
    set(&mut state, "ipv6_address_count", Value::Number(ipv6.len() as f64));
    set(&mut state, "ipv6_addresses", strings(ipv6));
    set(&mut state, "security_groups", strings(n.groups().iter().filter_map(|g| g.group_id())));
    set(&mut state, "source_dest_check", Value::Bool(n.source_dest_check().unwrap_or(true)));
    let attached = n.attachment().filter(|a| a.instance_id().is_some()).map(attachment_value);
    set(&mut state, "attachment", Value::set(attached.into_iter().collect()));
    set_tags(p, &mut state, &tag_map(n.tag_set()));
    state
}

async fn find(p: &AwsProvider, id: &str) -> Result<Option<NetworkInterface>, Diagnostics> {
    let result = p.ec2.describe_network_interfaces().network_interface_ids(id).send().await;
    found(result, |o| o.network_interfaces().first(), &format!("network interface {id}"))
}

/// The one configured attachment (instance, device index, network card index), if any.
fn attachment_of(v: &Value) -> Option<(String, i32, Option<i32>, String)> {
    let a = match attr(v, "attachment") {
        Value::Set(xs) | Value::List(xs) => xs.first()?.clone(),
        _ => return None,
    };
    Some((text(&a, "instance"), number(attr(&a, "device_index")).unwrap_or(0), number(attr(&a, "network_card_index")), text(&a, "attachment_id")))
}

/// Plans the attachment: left out, the interface keeps the one it has; a configured one keeps
/// its prior id (and network card) when it names the same instance and device.
fn plan_attachment(planned: &mut Value, config: &Value, prior: Option<&Value>) {
    if unset_blocks(config, "attachment") {
        let kept = prior.map(|p| attr(p, "attachment").clone()).unwrap_or(Value::set(vec![]));
        set(planned, "attachment", kept);
        return;
    }
    let (Value::Set(xs) | Value::List(xs)) = attr(config, "attachment") else { return };
    let had = prior.and_then(attachment_of);
    let blocks = xs
        .iter()
        .map(|b| {
            let same = had.as_ref().filter(|(i, d, n, _)| {
                attr(b, "instance").as_str() == Some(i.as_str())
                    && number(attr(b, "device_index")) == Some(*d)
                    && (attr(b, "network_card_index").is_null() || number(attr(b, "network_card_index")) == *n)
            });
            let mut b = b.clone();
            match same {
                Some((_, _, n, id)) => {
                    set(&mut b, "attachment_id", Value::string(id));
                    set(&mut b, "network_card_index", n.map(|n| Value::Number(f64::from(n))).unwrap_or(Value::Null));
                }
                None => {
                    set(&mut b, "attachment_id", Value::Unknown);
                    if attr(&b, "network_card_index").is_null() {
                        set(&mut b, "network_card_index", Value::Unknown);
                    }
                }
            }
            b
        })
        .collect();
    set(planned, "attachment", Value::set(blocks));
}

/// Plans a set of addresses and its count (`private_ips` and `private_ips_count`, whose count
/// leaves out the primary address, or the IPv6 pair): a configured set gives the count; a
/// count changed alone makes the set unknown. Returns whether the set and the count disagree.
fn plan_addresses(planned: &mut Value, config: &Value, prior: Option<&Value>, set_name: &str, count_name: &str, primary: usize) -> bool {
    let (cfg_set, cfg_count) = (attr(config, set_name), attr(config, count_name));
    if !cfg_set.is_null() && cfg_set.is_wholly_known() {
        let n = string_set(cfg_set).len().saturating_sub(primary);
        if !cfg_count.is_null() && number(cfg_count) != Some(n as i32) {
            return true;
        }
        set(planned, count_name, Value::Number(n as f64));
    } else if cfg_set.is_null() && !cfg_count.is_null() {
        let changed = prior.is_some_and(|p| attr(p, count_name) != cfg_count);
        if changed || !cfg_count.is_known() {
            set(planned, set_name, Value::Unknown);
        }
    }
    false
}

/// `aws_network_interface`.
pub struct AwsNetworkInterface;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsNetworkInterface {
    fn name(&self) -> &'static str {
        "aws_network_interface"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let aws_chosen = ["private_ip", "private_ips", "private_ips_count", "security_groups", "interface_type", "ipv6_addresses", "ipv6_address_count"];
        let mut resp = plan_common(p, req, &aws_chosen);
        let planned = &mut resp.planned_state;
        defaults(planned, &[("source_dest_check", Value::Bool(true))]);
        plan_attachment(planned, &config, prior.as_ref());
        let mut bad = Vec::new();
        if plan_addresses(planned, &config, prior.as_ref(), "private_ips", "private_ips_count", 1) {
            bad.push("private_ips_count must be one less than the number of private_ips when both are set.");
        }
        if plan_addresses(planned, &config, prior.as_ref(), "ipv6_addresses", "ipv6_address_count", 0) {
            bad.push("ipv6_address_count must be the number of ipv6_addresses when both are set.");
        }
        if !bad.is_empty() {
            return PlanResponse::failed(error("Conflicting address arguments", bad.join(" ")));
        }
        if let Some(prior) = &prior {
            // A new set of private addresses without the primary one replaces the interface.
            let ips = attr(planned, "private_ips");
            let primary = attr(prior, "private_ip").as_str().unwrap_or_default().to_string();
            if ips.is_wholly_known() && !ips.is_null() && ips != attr(prior, "private_ips") && !string_set(ips).contains(&primary) {
                resp.requires_replace.push(vec![PathStep::Key("private_ips".into())]);
            }
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let lookup = find(p, &text(&prior, "id")).await;
        read_from(prior, lookup, |v, n| fill(p, v, n))
    }

    /// Refreshes many interfaces with one DescribeNetworkInterfaces call per 200 ids. The ids
    /// go in a `network-interface-id` filter (200 values at most), which, unlike a list of ids,
    /// does not fail the whole call when one interface is gone: it is just not found.
    async fn read_batch(&self, p: &AwsProvider, items: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)> {
        super::ec2::read_batch(
            items,
            move |ids| async move {
                let mut found = Vec::new();
                for chunk in ids.chunks(200) {
                    let f = Filter::builder().name("network-interface-id").set_values(Some(chunk.to_vec())).build();
                    let pages = p.ec2.describe_network_interfaces().filters(f).into_paginator().send().collect::<Vec<_>>().await;
                    for page in pages {
                        found.extend(page.ok()?.network_interfaces().iter().cloned());
                    }
                }
                Some(found)
            },
            |n: &NetworkInterface| n.network_interface_id(),
            |v, n| fill(p, v, n),
            move |v| self.read(p, v),
        )
        .await
    }

    async fn create(&self, p: &AwsProvider, planned: Value, config: &Value) -> ApplyResponse {
        let subnet = text(&planned, "subnet_id");
        let mut call = p.ec2_write.create_network_interface().subnet_id(&subnet);
        if let Some(d) = attr(&planned, "description").as_str() {
            call = call.description(d);
        }
        if let Some(t) = attr(config, "interface_type").as_str() {
            call = call.interface_type(NetworkInterfaceCreationType::from(t));
        }
        let ips = string_set(attr(config, "private_ips"));
        if !ips.is_empty() {
            // The lowest address is the primary one, unless `private_ip` names it.
            let primary = attr(config, "private_ip").as_str().map(str::to_string).unwrap_or_else(|| ips.iter().next().cloned().unwrap_or_default());
            let specs = std::iter::once(primary.clone())
                .chain(ips.iter().filter(|ip| **ip != primary).cloned())
                .map(|ip| PrivateIpAddressSpecification::builder().primary(ip == primary).private_ip_address(ip).build())
                .collect();
            call = call.set_private_ip_addresses(Some(specs));
        } else {
            if let Some(ip) = attr(config, "private_ip").as_str() {
                call = call.private_ip_address(ip);
            }
            if let Some(n) = number(attr(config, "private_ips_count")).filter(|n| *n > 0) {
                call = call.secondary_private_ip_address_count(n);
            }
        }
        let groups = string_set(attr(config, "security_groups"));
        if !groups.is_empty() {
            call = call.set_groups(Some(groups.into_iter().collect()));
        }
        let ipv6 = string_set(attr(config, "ipv6_addresses"));
        if !ipv6.is_empty() {
            call = call.set_ipv6_addresses(Some(ipv6.iter().map(|a| InstanceIpv6Address::builder().ipv6_address(a).build()).collect()));
        } else if let Some(n) = number(attr(config, "ipv6_address_count")) {
            call = call.ipv6_address_count(n);
        }
        let out = match call.set_tag_specifications(tag_specification(Ec2Type::NetworkInterface, attr(&planned, "tags_all"))).send().await {
            Ok(o) => o,
            Err(e) => return ApplyResponse::failed(None, aws_error(&format!("creating network interface in {subnet}"), &e)),
        };
        let id = out.network_interface().and_then(|n| n.network_interface_id()).unwrap_or_default().to_string();
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "attachment", Value::set(vec![]));
        let finish = async {
            if attr(&planned, "source_dest_check") == &Value::Bool(false) {
                set_source_dest_check(p, &id, false).await?;
            }
            if let Some(want) = attachment_of(&planned) {
                attach(p, &id, &want).await?;
            }
            Ok::<(), Diagnostics>(())
        };
        if let Err(d) = finish.await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let update = async {
            let (had, want) = (attachment_of(&prior), attachment_of(&planned));
            let same = |a: &(String, i32, Option<i32>, String), b: &(String, i32, Option<i32>, String)| a.0 == b.0 && a.1 == b.1 && b.3 == a.3;
            let changed = match (&had, &want) {
                (Some(a), Some(b)) => !same(a, b),
                (None, None) => false,
                _ => true,
            };
            if changed {
                if let Some(a) = &had {
                    detach(p, &id, &a.3).await?;
                }
                if let Some(b) = &want {
                    attach(p, &id, b).await?;
                }
            }
            sync_addresses(p, &id, &prior, &planned).await?;
            if attr(&prior, "description") != attr(&planned, "description") {
                let d = attr(&planned, "description").as_str().unwrap_or_default();
                let v = aws_sdk_ec2::types::AttributeValue::builder().value(d).build();
                let r = p.ec2.modify_network_interface_attribute().network_interface_id(&id).description(v).send().await;
                r.map_err(|e| aws_error(&format!("setting the description of network interface {id}"), &e))?;
            }
            if attr(&prior, "source_dest_check") != attr(&planned, "source_dest_check") {
                set_source_dest_check(p, &id, attr(&planned, "source_dest_check") != &Value::Bool(false)).await?;
            }
            let groups = attr(&planned, "security_groups");
            if groups.is_wholly_known() && !groups.is_null() && string_set(groups) != string_set(attr(&prior, "security_groups")) {
                let r = p
                    .ec2
                    .modify_network_interface_attribute()
                    .network_interface_id(&id)
                    .set_groups(Some(string_set(groups).into_iter().collect()))
                    .send()
                    .await;
                r.map_err(|e| aws_error(&format!("setting the security groups of network interface {id}"), &e))?;
            }
            sync_tags(p, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all")).await
        };
        if let Err(d) = update.await {
            return updated(prior, planned, Err(d));
        }
        let r = self.read(p, planned.clone()).await;
        ApplyResponse::read_back(r, planned)
    }

    /// Detaches the interface (when attached) and deletes it.
    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let current = match find(p, &id).await {
            Ok(None) => return ApplyResponse::default(),
            Ok(Some(n)) => n,
            Err(d) => return ApplyResponse::failed(Some(prior), d),
        };
        if let Some(a) = current.attachment().and_then(|a| a.attachment_id()) {
            if let Err(d) = detach(p, &id, a).await {
                return ApplyResponse::failed(Some(prior), d);
            }
        }
        let result = p.ec2_write.delete_network_interface().network_interface_id(&id).send().await;
        deleted(prior, result, &format!("network interface {id}"))
    }
}

async fn set_source_dest_check(p: &AwsProvider, id: &str, on: bool) -> Result<(), Diagnostics> {
    let v = AttributeBooleanValue::builder().value(on).build();
    let r = p.ec2.modify_network_interface_attribute().network_interface_id(id).source_dest_check(v).send().await;
    r.map(drop).map_err(|e| aws_error(&format!("setting source_dest_check of network interface {id}"), &e))
}

/// Attaches the interface and waits until it is attached.
async fn attach(p: &AwsProvider, id: &str, (instance, device, card, _): &(String, i32, Option<i32>, String)) -> Result<(), Diagnostics> {
    let r =
        p.ec2_write.attach_network_interface().network_interface_id(id).instance_id(instance).device_index(*device).set_network_card_index(*card).send().await;
    r.map_err(|e| aws_error(&format!("attaching network interface {id} to {instance}"), &e))?;
    wait_status(p, id, "in-use").await
}

/// Detaches the interface and waits until it is available.
async fn detach(p: &AwsProvider, id: &str, attachment: &str) -> Result<(), Diagnostics> {
    let r = p.ec2_write.detach_network_interface().attachment_id(attachment).send().await;
    match r {
        Ok(_) => {}
        Err(e) if super::ec2::is_not_found(&e) => return Ok(()),
        Err(e) => return Err(aws_error(&format!("detaching network interface {id}"), &e)),
    }
    wait_status(p, id, "available").await
}

/// Waits (up to ten minutes) for the interface's status.
async fn wait_status(p: &AwsProvider, id: &str, status: &str) -> Result<(), Diagnostics> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let f = Filter::builder().name("network-interface-id").values(id).build();
        let out = p.ec2.describe_network_interfaces().filters(f).send().await.map_err(|e| aws_error(&format!("reading network interface {id}"), &e))?;
        let now = out.network_interfaces().first().and_then(|n| n.status()).map(|s| s.as_str().to_string());
        if now.as_deref() == Some(status) || now.is_none() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(error("Timed out", format!("Network interface {id} did not become {status} in 10 minutes.")));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Assigns and unassigns private and IPv6 addresses to match the plan.
async fn sync_addresses(p: &AwsProvider, id: &str, prior: &Value, planned: &Value) -> Result<(), Diagnostics> {
    let what = |verb: &str, kind: &str| format!("{verb} {kind} addresses of network interface {id}");
    let (old, new) = (attr(prior, "private_ips"), attr(planned, "private_ips"));
    if new.is_wholly_known() && !new.is_null() && old != new {
        let (old, new) = (string_set(old), string_set(new));
        let gone: Vec<String> = old.difference(&new).cloned().collect();
        let added: Vec<String> = new.difference(&old).cloned().collect();
        if !gone.is_empty() {
            let r = p.ec2.unassign_private_ip_addresses().network_interface_id(id).set_private_ip_addresses(Some(gone)).send().await;
            r.map_err(|e| aws_error(&what("unassigning", "private"), &e))?;
        }
        if !added.is_empty() {
            let r = p.ec2.assign_private_ip_addresses().network_interface_id(id).set_private_ip_addresses(Some(added)).send().await;
            r.map_err(|e| aws_error(&what("assigning", "private"), &e))?;
        }
    } else if !new.is_known() {
        // The count changed alone: assign more, or unassign secondary addresses.
        let diff = number(attr(planned, "private_ips_count")).unwrap_or(0) - number(attr(prior, "private_ips_count")).unwrap_or(0);
        if diff > 0 {
            let r = p.ec2.assign_private_ip_addresses().network_interface_id(id).secondary_private_ip_address_count(diff).send().await;
            r.map_err(|e| aws_error(&what("assigning", "private"), &e))?;
        } else if diff < 0 {
            let primary = text(prior, "private_ip");
            let gone: Vec<String> = string_set(old).into_iter().filter(|ip| *ip != primary).take((-diff) as usize).collect();
            let r = p.ec2.unassign_private_ip_addresses().network_interface_id(id).set_private_ip_addresses(Some(gone)).send().await;
            r.map_err(|e| aws_error(&what("unassigning", "private"), &e))?;
        }
    }
    let (old, new) = (attr(prior, "ipv6_addresses"), attr(planned, "ipv6_addresses"));
    if new.is_wholly_known() && !new.is_null() && old != new {
        let (old, new): (BTreeSet<String>, BTreeSet<String>) = (string_set(old), string_set(new));
        let gone: Vec<String> = old.difference(&new).cloned().collect();
        let added: Vec<String> = new.difference(&old).cloned().collect();
        if !gone.is_empty() {
            let r = p.ec2.unassign_ipv6_addresses().network_interface_id(id).set_ipv6_addresses(Some(gone)).send().await;
            r.map_err(|e| aws_error(&what("unassigning", "IPv6"), &e))?;
        }
        if !added.is_empty() {
            let r = p.ec2.assign_ipv6_addresses().network_interface_id(id).set_ipv6_addresses(Some(added)).send().await;
            r.map_err(|e| aws_error(&what("assigning", "IPv6"), &e))?;
        }
    } else if !new.is_known() {
        let diff = number(attr(planned, "ipv6_address_count")).unwrap_or(0) - number(attr(prior, "ipv6_address_count")).unwrap_or(0);
        if diff > 0 {
            let r = p.ec2.assign_ipv6_addresses().network_interface_id(id).ipv6_address_count(diff).send().await;
            r.map_err(|e| aws_error(&what("assigning", "IPv6"), &e))?;
        } else if diff < 0 {
            let gone: Vec<String> = string_set(old).into_iter().take((-diff) as usize).collect();
            let r = p.ec2.unassign_ipv6_addresses().network_interface_id(id).set_ipv6_addresses(Some(gone)).send().await;
            r.map_err(|e| aws_error(&what("unassigning", "IPv6"), &e))?;
        }
    }
    Ok(())
}
