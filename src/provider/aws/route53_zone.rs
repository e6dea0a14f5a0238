//! `aws_route53_zone`: a public or private Route 53 hosted zone. `name` replaces it (a
//! trailing dot or another letter case is no change); in place: `comment` ("Managed by
//! Terraform"), `force_destroy` (false; deletes every record but the apex NS and SOA before the
//! zone), `vpc` blocks (`vpc_id`, `vpc_region` defaulting to the provider's region; the first
//! one makes the zone private at create, later changes associate before they disassociate),
//! `tags`; computed `zone_id` (also the `id`, without `/hostedzone/`), `arn`, `name_servers`
//! (sorted), `primary_name_server`, `tags_all`. Import by zone id. `delegation_set_id` and
//! `enable_accelerated_recovery` are not implemented.
//!
//! Calls go through the REST-XML client ([`super::rest_xml`]); every change is waited for
//! until Route 53 reports it `INSYNC` ([`wait_insync`], shared with `aws_route53_record`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::json_api::{provider_defaults, read_back, tag_changes, updated, ApiError};
use super::query_api::Xml;
use super::rest_xml::{document, element, RestXml, ROUTE53};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The API version prefix of every Route 53 path.
pub(super) const V: &str = "/2013-04-01";

pub fn schema() -> ResourceSchema {
    resource("aws_route53_zone")
        .implement(&["arn", "comment", "force_destroy", "id", "name", "name_servers", "primary_name_server", "vpc", "zone_id"])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["comment", "force_destroy"])
        .force_new(&["name"])
        .build()
}

/// `aws_route53_zone`.
pub struct Route53Zone;

/// A zone id without its `/hostedzone/` prefix.
pub(super) fn clean_zone_id(id: &str) -> String {
    id.trim_start_matches("/hostedzone/").to_string()
}

/// A domain name without its trailing dot, in lower case (`\052` back to `*`).
pub(super) fn normalize_name(name: &str) -> String {
    name.trim_end_matches('.').replace("\\052", "*").to_lowercase()
}

/// Whether Route 53 does not know the zone (or the record's zone).
pub(super) fn gone(e: &ApiError) -> bool {
    matches!(e.code.as_str(), "NoSuchHostedZone" | "NoSuchResource" | "NoSuchChange") || e.status == 404
}

/// Waits until a change (`/change/ID` or `ID`) is `INSYNC`: at once on emulators, a minute
/// or so on AWS.
pub(super) async fn wait_insync(api: &RestXml, change: &Xml) -> Result<(), ApiError> {
    let Some(id) = change.find("ChangeInfo").and_then(|c| c.text_of("Id")) else { return Ok(()) };
    let id = id.trim_start_matches("/change/").to_string();
    let mut status = change.find("ChangeInfo").and_then(|c| c.text_of("Status")).unwrap_or_default();
    let started = Instant::now();
    while status != "INSYNC" {
        if started.elapsed() > Duration::from_secs(30 * 60) {
            return Err(ApiError { code: "Timeout".into(), message: format!("change {id} is still {status} after 30 minutes"), status: 0 });
        }
        tokio::time::sleep(Duration::from_secs(if started.elapsed() < Duration::from_secs(10) { 2 } else { 10 })).await;
        let x = api.call(&ROUTE53, "GET", &format!("{V}/change/{id}"), &[], None).await?;
        status = x.find("ChangeInfo").and_then(|c| c.text_of("Status")).unwrap_or_default();
    }
    Ok(())
}

/// The configured `vpc` blocks as (vpc_id, region), the region defaulting to the provider's.
fn vpcs(p: &AwsProvider, v: &Value) -> Vec<(String, String)> {
    let items = match v {
        Value::Set(items) | Value::List(items) => items.as_slice(),
        _ => &[],
    };
    items.iter().map(|b| (text(b, "vpc_id"), attr(b, "vpc_region").as_str().unwrap_or(&p.region).to_string())).collect()
}

fn vpc_xml((id, region): &(String, String)) -> String {
    format!("<VPC>{}{}</VPC>", element("VPCRegion", region), element("VPCId", id))
}

fn vpc_value((id, region): &(String, String)) -> Value {
    Value::object([("vpc_id", Value::string(id)), ("vpc_region", Value::string(region))])
}

/// The zone's tags.
async fn list_tags(api: &RestXml, id: &str) -> Result<BTreeMap<String, String>, ApiError> {
    let x = api.call(&ROUTE53, "GET", &format!("{V}/tags/hostedzone/{id}"), &[], None).await?;
    let tags = x.find("Tags").map(|t| t.all("Tag").map(|t| (t.text_of("Key").unwrap_or_default(), t.text_of("Value").unwrap_or_default())).collect());
    Ok(tags.unwrap_or_default())
}

/// Takes the zone's tags from `had` to `want` (`tags_all` values).
async fn sync_tags(api: &RestXml, id: &str, had: &Value, want: &Value) -> Result<(), ApiError> {
    let (stale, new) = tag_changes(had, want);
    if stale.is_empty() && new.is_empty() {
        return Ok(());
    }
    let add: String = new.iter().map(|(k, v)| format!("<Tag>{}{}</Tag>", element("Key", k), element("Value", v))).collect();
    let remove: String = stale.iter().map(|k| element("Key", k)).collect();
    let mut inner = String::new();
    if !add.is_empty() {
        inner.push_str(&format!("<AddTags>{add}</AddTags>"));
    }
    if !remove.is_empty() {
        inner.push_str(&format!("<RemoveTagKeys>{remove}</RemoveTagKeys>"));
    }
    api.call(&ROUTE53, "POST", &format!("{V}/tags/hostedzone/{id}"), &[], Some(document("ChangeTagsForResourceRequest", &inner))).await.map(|_| ())
}

/// Every record set of a zone, all pages.
pub(super) async fn list_record_sets(api: &RestXml, zone: &str) -> Result<Vec<Xml>, ApiError> {
    let mut out = Vec::new();
    let mut next: Option<(String, String, Option<String>)> = None;
    loop {
        let mut q: Vec<(&str, String)> = vec![];
        if let Some((name, kind, ident)) = &next {
            q.push(("name", name.clone()));
            q.push(("type", kind.clone()));
            if let Some(i) = ident {
                q.push(("identifier", i.clone()));
            }
        }
        let x = api.call(&ROUTE53, "GET", &format!("{V}/hostedzone/{zone}/rrset"), &q, None).await?;
        out.extend(x.find("ResourceRecordSets").map(|s| s.all("ResourceRecordSet").cloned().collect::<Vec<_>>()).unwrap_or_default());
        if x.text_of("IsTruncated").as_deref() != Some("true") {
            return Ok(out);
        }
        next = Some((x.text_of("NextRecordName").unwrap_or_default(), x.text_of("NextRecordType").unwrap_or_default(), x.text_of("NextRecordIdentifier")));
    }
}

/// `force_destroy`: deletes every record set but the apex NS and SOA.
async fn delete_records(api: &RestXml, zone: &str, zone_name: &str) -> Result<(), ApiError> {
    let sets = list_record_sets(api, zone).await?;
    let apex = normalize_name(zone_name);
    let doomed: Vec<&Xml> = sets
        .iter()
        .filter(|s| !(normalize_name(&s.text_of("Name").unwrap_or_default()) == apex && matches!(s.text_of("Type").as_deref(), Some("NS" | "SOA"))))
        .collect();
    for chunk in doomed.chunks(100) {
        let changes: String = chunk.iter().map(|s| format!("<Change><Action>DELETE</Action>{}</Change>", super::rest_xml::to_xml(s))).collect();
        let body = document(
            "ChangeResourceRecordSetsRequest",
            &format!("<ChangeBatch><Comment>Deleted by Terraform</Comment><Changes>{changes}</Changes></ChangeBatch>"),
        );
        let x = api.write(&ROUTE53, "POST", &format!("{V}/hostedzone/{zone}/rrset/"), &[], Some(body)).await?;
        wait_insync(api, &x).await?;
    }
    Ok(())
}

#[async_trait]
impl ResourceType<AwsProvider> for Route53Zone {
    fn name(&self) -> &'static str {
        "aws_route53_zone"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let config = req.config.clone();
        let prior = req.prior_state.clone();
        let mut resp = plan_common(p, req, &[]);
        let planned = &mut resp.planned_state;
        provider_defaults(planned, &config, &[("comment", Value::string("Managed by Terraform")), ("force_destroy", Value::Bool(false))]);
        // A name that differs only by a trailing dot or letter case is the same zone.
        if let (Some(old), Some(new)) = (prior.as_ref().and_then(|p| attr(p, "name").as_str()), attr(planned, "name").as_str()) {
            if old != new && normalize_name(old) == normalize_name(new) {
                let old = Value::string(old);
                set(planned, "name", old);
            }
        }
        // `vpc_region` defaults to the provider's region.
        if let Value::Set(items) = attr(planned, "vpc").clone() {
            let filled: Vec<Value> = items
                .into_iter()
                .map(|mut b| {
                    if attr(&b, "vpc_region").is_null() {
                        set(&mut b, "vpc_region", Value::string(&p.region));
                    }
                    b
                })
                .collect();
            set(planned, "vpc", Value::set(filled));
        }
        if let Some(c) = attr(planned, "comment").as_str().filter(|c| c.len() > 256) {
            resp.diagnostics.push(
                Diagnostic::error("Invalid value", format!("expected length of comment to be in the range (0 - 256), got {}", c.len()))
                    .for_attribute("comment"),
            );
        }
        if let Some(n) = attr(planned, "name").as_str().map(str::len).filter(|n| !(1..=1024).contains(n)) {
            resp.diagnostics
                .push(Diagnostic::error("Invalid value", format!("expected length of name to be in the range (1 - 1024), got {n}")).for_attribute("name"));
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let id = clean_zone_id(&text(&prior, "id"));
        let x = match p.route53.call(&ROUTE53, "GET", &format!("{V}/hostedzone/{id}"), &[], None).await {
            Ok(x) => x,
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading Route 53 hosted zone {id}"))),
        };
        let Some(zone) = x.child("HostedZone") else { return ReadResponse::gone() };
        let name = zone.text_of("Name").unwrap_or_default();
        let private = zone.child("Config").and_then(|c| c.text_of("PrivateZone")).as_deref() == Some("true");
        let mut servers: Vec<String> = x
            .find("DelegationSet")
            .map(|d| d.find("NameServers").map(|n| n.all("NameServer").map(|s| s.text.clone()).collect()).unwrap_or_default())
            .unwrap_or_default();
        if servers.is_empty() || private {
            // A private zone has no delegation set: its apex NS record lists the servers.
            match list_record_sets(&p.route53, &id).await {
                Ok(sets) => {
                    let apex = normalize_name(&name);
                    if let Some(ns) =
                        sets.iter().find(|s| normalize_name(&s.text_of("Name").unwrap_or_default()) == apex && s.text_of("Type").as_deref() == Some("NS"))
                    {
                        servers = ns.find("ResourceRecords").map(|r| r.all("ResourceRecord").filter_map(|r| r.text_of("Value")).collect()).unwrap_or_default();
                    }
                }
                Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("listing the records of Route 53 hosted zone {id}"))),
            }
        }
        let tags = match list_tags(&p.route53, &id).await {
            Ok(t) => t,
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("listing the tags of Route 53 hosted zone {id}"))),
        };
        let tags: BTreeMap<String, String> = tags.into_iter().filter(|(k, _)| !k.starts_with("aws:")).collect();
        let mut s = prior;
        let trimmed = name.trim_end_matches('.').replace("\\052", "*");
        let keep = attr(&s, "name").as_str().filter(|old| normalize_name(old) == normalize_name(&trimmed)).map(str::to_string);
        set(&mut s, "name", Value::string(keep.unwrap_or(trimmed)));
        set(&mut s, "id", Value::string(&id));
        set(&mut s, "zone_id", Value::string(&id));
        set(&mut s, "arn", Value::String(format!("arn:aws:route53:::hostedzone/{id}")));
        set(&mut s, "comment", Value::string(zone.child("Config").and_then(|c| c.text_of("Comment")).unwrap_or_default()));
        set(&mut s, "primary_name_server", servers.first().map(Value::string).unwrap_or(Value::Null));
        let mut sorted = servers.clone();
        sorted.sort();
        set(&mut s, "name_servers", Value::List(sorted.into_iter().map(Value::String).collect()));
        let found: Vec<(String, String)> = x
            .find("VPCs")
            .map(|v| v.all("VPC").map(|v| (v.text_of("VPCId").unwrap_or_default(), v.text_of("VPCRegion").unwrap_or_default())).collect())
            .unwrap_or_default();
        set(&mut s, "vpc", if found.is_empty() { Value::Set(vec![]) } else { Value::set(found.iter().map(vpc_value).collect()) });
        if attr(&s, "force_destroy").is_null() {
            set(&mut s, "force_destroy", Value::Bool(false));
        }
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&planned, "name");
        let vpcs = vpcs(p, attr(&planned, "vpc"));
        let reference = super::iam_common::unique_name("terraform-");
        // Elements in the order of Route 53's schema; moto also wants `PrivateZone` set for
        // the VPC to count (AWS takes the VPC alone).
        let mut inner = element("Name", &name);
        if let Some(first) = vpcs.first() {
            inner.push_str(&vpc_xml(first));
        }
        inner.push_str(&element("CallerReference", &reference));
        let private = if vpcs.is_empty() { "" } else { "<PrivateZone>true</PrivateZone>" };
        inner.push_str(&format!("<HostedZoneConfig>{}{private}</HostedZoneConfig>", element("Comment", &text(&planned, "comment"))));
        let x = match p.route53.write(&ROUTE53, "POST", &format!("{V}/hostedzone"), &[], Some(document("CreateHostedZoneRequest", &inner))).await {
            Ok(x) => x,
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating Route 53 hosted zone {name}"))),
        };
        let id = clean_zone_id(&x.find("HostedZone").and_then(|z| z.text_of("Id")).unwrap_or_default());
        let mut state = planned;
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "zone_id", Value::string(&id));
        let result: Result<(), Diagnostics> = async {
            wait_insync(&p.route53, &x).await.map_err(|e| e.diagnostics(&format!("waiting for Route 53 hosted zone {id}")))?;
            sync_tags(&p.route53, &id, &Value::Null, attr(&state, "tags_all"))
                .await
                .map_err(|e| e.diagnostics(&format!("tagging Route 53 hosted zone {id}")))?;
            for vpc in vpcs.iter().skip(1) {
                associate(&p.route53, &id, vpc, true).await?;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => read_back(self, p, state).await,
            Err(d) => ApplyResponse::failed(Some(state), d),
        }
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let result: Result<(), Diagnostics> = async {
            if attr(&prior, "comment") != attr(&planned, "comment") {
                let body = document("UpdateHostedZoneCommentRequest", &element("Comment", &text(&planned, "comment")));
                p.route53
                    .call(&ROUTE53, "POST", &format!("{V}/hostedzone/{id}"), &[], Some(body))
                    .await
                    .map_err(|e| e.diagnostics(&format!("updating the comment of Route 53 hosted zone {id}")))?;
            }
            sync_tags(&p.route53, &id, attr(&prior, "tags_all"), attr(&planned, "tags_all"))
                .await
                .map_err(|e| e.diagnostics(&format!("updating the tags of Route 53 hosted zone {id}")))?;
            let (old, new) = (vpcs(p, attr(&prior, "vpc")), vpcs(p, attr(&planned, "vpc")));
            // A private zone keeps at least one VPC: associate first, then disassociate.
            for vpc in new.iter().filter(|v| !old.contains(v)) {
                associate(&p.route53, &id, vpc, true).await?;
            }
            for vpc in old.iter().filter(|v| !new.contains(v)) {
                associate(&p.route53, &id, vpc, false).await?;
            }
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        if attr(&prior, "force_destroy").as_bool() == Some(true) {
            match delete_records(&p.route53, &id, &text(&prior, "name")).await {
                Err(e) if !gone(&e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting the records of Route 53 hosted zone {id}"))),
                _ => {}
            }
        }
        match p.route53.write(&ROUTE53, "DELETE", &format!("{V}/hostedzone/{id}"), &[], None).await {
            Err(e) if !gone(&e) => {
                let hint = if e.code == "HostedZoneNotEmpty" { "; set force_destroy = true to delete its records with it" } else { "" };
                ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting Route 53 hosted zone {id}{hint}")))
            }
            _ => ApplyResponse::ok(None),
        }
    }
}

/// Associates a VPC with the zone (or disassociates it), waiting for the change.
async fn associate(api: &RestXml, id: &str, vpc: &(String, String), on: bool) -> Result<(), Diagnostics> {
    let (op, root) = if on { ("associatevpc", "AssociateVPCWithHostedZoneRequest") } else { ("disassociatevpc", "DisassociateVPCFromHostedZoneRequest") };
    let what = format!("{} VPC {} {} Route 53 hosted zone {id}", if on { "associating" } else { "disassociating" }, vpc.0, if on { "with" } else { "from" });
    let x =
        api.write(&ROUTE53, "POST", &format!("{V}/hostedzone/{id}/{op}"), &[], Some(document(root, &vpc_xml(vpc)))).await.map_err(|e| e.diagnostics(&what))?;
    wait_insync(api, &x).await.map_err(|e| e.diagnostics(&what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_are_normalized() {
        assert_eq!(clean_zone_id("/hostedzone/Z123"), "Z123");
        assert_eq!(normalize_name("Example.COM."), "example.com");
        assert_eq!(normalize_name("\\052.example.com."), "*.example.com");
        assert_eq!(vpc_xml(&("vpc-1".into(), "eu-west-1".into())), "<VPC><VPCRegion>eu-west-1</VPCRegion><VPCId>vpc-1</VPCId></VPC>");
    }
}
