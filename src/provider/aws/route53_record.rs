//! `aws_route53_record`: one resource record set of a hosted zone. `zone_id` and `name` (short,
//! or fully qualified; a trailing dot and letter case do not matter) replace it; in place:
//! `type` and `set_identifier` (the old set is deleted and the new one created in one change
//! batch), `ttl`, `records` (TXT and SPF values without their quotes, as Terraform writes
//! them), an `alias` block (`name`, `zone_id`, `evaluate_target_health`), `health_check_id`,
//! the routing policies `weighted_routing_policy`, `failover_routing_policy`,
//! `latency_routing_policy`, `geolocation_routing_policy` and
//! `multivalue_answer_routing_policy` (each needs `set_identifier`), and `allow_overwrite`
//! (false: a create fails on an existing set instead of overwriting it); computed `fqdn` and the
//! `id` (`ZONEID_name_TYPE`, `_SETIDENTIFIER` appended when set), which is also the import id.
//! `cidr_routing_policy` and `geoproximity_routing_policy` are not implemented.

use async_trait::async_trait;

use super::json_api::{provider_defaults, read_back, ApiError};
use super::query_api::Xml;
use super::rest_xml::{document, element, to_xml, ROUTE53};
use super::route53_zone::{clean_zone_id, gone, normalize_name, wait_insync, V};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_route53_record")
        .implement(&[
            "alias",
            "allow_overwrite",
            "failover_routing_policy",
            "fqdn",
            "geolocation_routing_policy",
            "health_check_id",
            "id",
            "latency_routing_policy",
            "multivalue_answer_routing_policy",
            "name",
            "records",
            "set_identifier",
            "ttl",
            "type",
            "weighted_routing_policy",
            "zone_id",
        ])
        .computed_only(&["id"])
        .defaulted(&["allow_overwrite"])
        .force_new(&["name", "zone_id"])
        .build()
}

/// `aws_route53_record`.
pub struct Route53Record;

/// The record types Route 53 knows (`RRType`).
const TYPES: [&str; 17] = ["SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS", "TLSA", "SSHFP", "SVCB", "HTTPS"];

/// The routing policy blocks (each needs `set_identifier`, at most one is set).
const POLICIES: [&str; 5] =
    ["weighted_routing_policy", "failover_routing_policy", "latency_routing_policy", "geolocation_routing_policy", "multivalue_answer_routing_policy"];

/// The provider's id: `ZONEID_name_TYPE` and `_SETIDENTIFIER` when there is one.
fn record_id(zone: &str, name: &str, kind: &str, set_id: Option<&str>) -> String {
    let mut parts = vec![zone.to_string(), name.to_lowercase(), kind.to_string()];
    if let Some(s) = set_id.filter(|s| !s.is_empty()) {
        parts.push(s.to_string());
    }
    parts.join("_")
}

/// An import id split into (zone, name, type, set identifier): the type is the first part
/// after the zone that names a record type, so names may hold underscores.
fn parse_id(id: &str) -> Option<(String, String, String, Option<String>)> {
    let parts: Vec<&str> = id.split('_').collect();
    if parts.len() < 3 || parts[0].is_empty() {
        return None;
    }
    let at = (1..parts.len()).find(|i| TYPES.contains(&parts[*i]))?;
    let name = parts[1..at].join("_").trim_end_matches('.').to_string();
    let set_id = Some(parts[at + 1..].join("_")).filter(|s| !s.is_empty());
    Some((parts[0].to_string(), name, parts[at].to_string(), set_id))
}

/// The record's fully qualified name (no trailing dot): `name` with the zone's name appended
/// unless it already ends with it.
fn expand_name(name: &str, zone: &str) -> String {
    let n = normalize_name(name);
    let zone = normalize_name(zone);
    if n.ends_with(&zone) {
        n
    } else if name.is_empty() {
        zone
    } else {
        format!("{n}.{zone}")
    }
}

/// The first object of a single-item block list.
fn block(v: &Value, name: &str) -> Option<Value> {
    match attr(v, name) {
        Value::List(items) | Value::Set(items) => items.first().cloned(),
        _ => None,
    }
}

fn number(v: &Value, name: &str) -> Option<i64> {
    attr(v, name).as_f64().map(|n| n as i64)
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Set(items) | Value::List(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// `<ResourceRecordSet>` for a record's state, its name expanded in `zone_name`, elements in
/// the order of Route 53's schema.
fn record_set_xml(r: &Value, zone_name: &str) -> String {
    let kind = text(r, "type");
    let mut x = element("Name", &expand_name(&text(r, "name"), zone_name));
    x.push_str(&element("Type", &kind));
    if let Some(s) = attr(r, "set_identifier").as_str().filter(|s| !s.is_empty()) {
        x.push_str(&element("SetIdentifier", s));
    }
    if let Some(w) = block(r, "weighted_routing_policy").and_then(|b| number(&b, "weight")) {
        x.push_str(&element("Weight", &w.to_string()));
    }
    if let Some(region) = block(r, "latency_routing_policy").map(|b| text(&b, "region")) {
        x.push_str(&element("Region", &region));
    }
    if let Some(g) = block(r, "geolocation_routing_policy") {
        let parts: String = [("continent", "ContinentCode"), ("country", "CountryCode"), ("subdivision", "SubdivisionCode")]
            .iter()
            .filter_map(|(arg, tag)| attr(&g, arg).as_str().filter(|v| !v.is_empty()).map(|v| element(tag, v)))
            .collect();
        x.push_str(&format!("<GeoLocation>{parts}</GeoLocation>"));
    }
    if let Some(f) = block(r, "failover_routing_policy").map(|b| text(&b, "type")) {
        x.push_str(&element("Failover", &f));
    }
    if attr(r, "multivalue_answer_routing_policy").as_bool() == Some(true) {
        x.push_str(&element("MultiValueAnswer", "true"));
    }
    let records = strings(attr(r, "records"));
    if !records.is_empty() {
        if let Some(ttl) = number(r, "ttl") {
            x.push_str(&element("TTL", &ttl.to_string()));
        }
        let quoted = matches!(kind.as_str(), "TXT" | "SPF");
        let values: String = records
            .iter()
            .map(|v| format!("<ResourceRecord>{}</ResourceRecord>", element("Value", &if quoted { format!("\"{v}\"") } else { v.clone() })))
            .collect();
        x.push_str(&format!("<ResourceRecords>{values}</ResourceRecords>"));
    }
    if let Some(a) = block(r, "alias") {
        x.push_str(&format!(
            "<AliasTarget>{}{}{}</AliasTarget>",
            element("HostedZoneId", &text(&a, "zone_id")),
            element("DNSName", &text(&a, "name")),
            element("EvaluateTargetHealth", &(attr(&a, "evaluate_target_health").as_bool() == Some(true)).to_string())
        ));
    }
    if let Some(h) = attr(r, "health_check_id").as_str().filter(|h| !h.is_empty()) {
        x.push_str(&element("HealthCheckId", h));
    }
    format!("<ResourceRecordSet>{x}</ResourceRecordSet>")
}

/// A TXT or SPF value without the quotes around it.
fn unquote(s: &str) -> String {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

/// The name of the zone `zone` (from `GetHostedZone`).
async fn zone_name(p: &AwsProvider, zone: &str) -> Result<String, ApiError> {
    let x = p.route53.call(&ROUTE53, "GET", &format!("{V}/hostedzone/{zone}"), &[], None).await?;
    Ok(x.find("HostedZone").and_then(|z| z.text_of("Name")).unwrap_or_default())
}

/// The record set of `r` (zone, name, type, set identifier) and its fully qualified name;
/// None when it (or its zone) does not exist.
async fn find(p: &AwsProvider, r: &Value) -> Result<Option<(Xml, String)>, ApiError> {
    let zone = clean_zone_id(&text(r, "zone_id"));
    let zname = match zone_name(p, &zone).await {
        Ok(n) => n,
        Err(e) if gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let fqdn = expand_name(&text(r, "name"), &zname);
    let kind = text(r, "type").to_uppercase();
    let set_id = text(r, "set_identifier");
    let q = [("name", format!("{fqdn}.")), ("type", kind.clone()), ("maxitems", (if set_id.is_empty() { "1" } else { "100" }).to_string())];
    let x = match p.route53.call(&ROUTE53, "GET", &format!("{V}/hostedzone/{zone}/rrset"), &q, None).await {
        Ok(x) => x,
        Err(e) if gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let sets = x.find("ResourceRecordSets").map(|s| s.all("ResourceRecordSet").cloned().collect::<Vec<_>>()).unwrap_or_default();
    let found = sets.into_iter().find(|s| {
        normalize_name(&s.text_of("Name").unwrap_or_default()) == fqdn
            && s.text_of("Type").unwrap_or_default().to_uppercase() == kind
            && s.text_of("SetIdentifier").unwrap_or_default() == set_id
    });
    Ok(found.map(|f| (f, fqdn)))
}

fn check(config: &Value, planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let given = |a: &str| match attr(planned, a) {
        Value::Null => false,
        Value::List(v) | Value::Set(v) => !v.is_empty(),
        Value::Bool(b) => *b,
        _ => true,
    };
    if let Some(t) = attr(planned, "type").as_str().filter(|t| !TYPES.contains(t)) {
        d.push(Diagnostic::error("Invalid value", format!("expected type to be one of {TYPES:?}, got {t}")).for_attribute("type"));
    }
    let has_records = !attr(config, "records").is_null() || given("records");
    if has_records == given("alias") {
        d.push(Diagnostic::error("Invalid combination of arguments", "\"alias\": only one of `alias,records` can be specified, and one must be"));
    }
    if given("alias") && given("ttl") {
        d.push(Diagnostic::error("Conflicting configuration arguments", "\"ttl\": conflicts with alias").for_attribute("ttl"));
    }
    let policies: Vec<&str> = POLICIES.iter().copied().filter(|p| given(p)).collect();
    if policies.len() > 1 {
        d.push(Diagnostic::error("Conflicting configuration arguments", format!("only one routing policy can be set, got {}", policies.join(", "))));
    }
    if let Some(p) = policies.first().filter(|_| attr(planned, "set_identifier").as_str().is_none_or(str::is_empty)) {
        d.push(Diagnostic::error("Missing required argument", format!("\"{p}\": all of `{p},set_identifier` must be specified")).for_attribute(p));
    }
    d
}

#[async_trait]
impl ResourceType<AwsProvider> for Route53Record {
    fn name(&self) -> &'static str {
        "aws_route53_record"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = PlanResponse::planned(req.proposed_new_state);
        let planned = &mut resp.planned_state;
        provider_defaults(planned, &config, &[("allow_overwrite", Value::Bool(false))]);
        // A name that differs only by a trailing dot or letter case is the same record.
        if let (Some(old), Some(new)) = (prior.as_ref().and_then(|p| attr(p, "name").as_str()), attr(planned, "name").as_str()) {
            if old != new && normalize_name(old) == normalize_name(new) {
                let old = Value::string(old);
                set(planned, "name", old);
            }
        }
        let known = |a: &str| attr(planned, a).is_known();
        let id = if ["zone_id", "name", "type", "set_identifier"].iter().all(|a| known(a)) {
            let set_id = attr(planned, "set_identifier").as_str().map(str::to_string);
            Value::String(record_id(&text(planned, "zone_id"), text(planned, "name").trim_end_matches('.'), &text(planned, "type"), set_id.as_deref()))
        } else {
            Value::Unknown
        };
        set(planned, "id", id);
        resp.diagnostics.extend(check(&config, planned));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let (rec, fqdn) = match find(p, &prior).await {
            Ok(Some(x)) => x,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => {
                let what = format!("reading Route 53 record {}", text(&prior, "id"));
                return ReadResponse::failed(prior, e.diagnostics(&what));
            }
        };
        let mut s = prior;
        let kind = rec.text_of("Type").unwrap_or_default();
        let quoted = matches!(kind.as_str(), "TXT" | "SPF");
        set(&mut s, "fqdn", Value::string(&fqdn));
        set(&mut s, "type", Value::string(&kind));
        let values: Vec<Value> = rec
            .find("ResourceRecords")
            .map(|r| r.all("ResourceRecord").filter_map(|r| r.text_of("Value")).map(|v| Value::String(if quoted { unquote(&v) } else { v })).collect())
            .unwrap_or_default();
        set(&mut s, "records", if values.is_empty() { Value::Null } else { Value::set(values) });
        set(&mut s, "ttl", rec.text_of("TTL").and_then(|t| t.parse::<f64>().ok()).map(Value::Number).unwrap_or(Value::Null));
        set(&mut s, "set_identifier", rec.text_of("SetIdentifier").map(Value::String).unwrap_or(Value::Null));
        set(&mut s, "health_check_id", rec.text_of("HealthCheckId").filter(|h| !h.is_empty()).map(Value::String).unwrap_or(Value::Null));
        let alias = rec.child("AliasTarget").map(|a| {
            let dns = normalize_name(&a.text_of("DNSName").unwrap_or_default());
            let configured = block(&s, "alias").and_then(|b| attr(&b, "name").as_str().map(str::to_string)).filter(|c| normalize_name(c) == dns);
            Value::object([
                ("name", Value::String(configured.unwrap_or(dns))),
                ("zone_id", Value::string(a.text_of("HostedZoneId").unwrap_or_default())),
                ("evaluate_target_health", Value::Bool(a.text_of("EvaluateTargetHealth").as_deref() == Some("true"))),
            ])
        });
        set(&mut s, "alias", Value::List(alias.into_iter().collect()));
        let one = |v: Option<Value>| Value::List(v.into_iter().collect());
        set(
            &mut s,
            "weighted_routing_policy",
            one(rec.text_of("Weight").and_then(|w| w.parse::<f64>().ok()).map(|w| Value::object([("weight", Value::Number(w))]))),
        );
        set(&mut s, "failover_routing_policy", one(rec.text_of("Failover").map(|f| Value::object([("type", Value::String(f))]))));
        set(&mut s, "latency_routing_policy", one(rec.text_of("Region").map(|r| Value::object([("region", Value::String(r))]))));
        let geo = rec.child("GeoLocation").map(|g| {
            let part = |tag: &str| g.text_of(tag).map(Value::String).unwrap_or(Value::Null);
            Value::object([("continent", part("ContinentCode")), ("country", part("CountryCode")), ("subdivision", part("SubdivisionCode"))])
        });
        set(&mut s, "geolocation_routing_policy", one(geo));
        let multi = match rec.text_of("MultiValueAnswer").as_deref() {
            Some("true") => Value::Bool(true),
            Some(_) => Value::Bool(false),
            None => Value::Null,
        };
        set(&mut s, "multivalue_answer_routing_policy", multi);
        if attr(&s, "allow_overwrite").is_null() {
            set(&mut s, "allow_overwrite", Value::Bool(false));
        }
        let zone = clean_zone_id(&text(&s, "zone_id"));
        let set_id = attr(&s, "set_identifier").as_str().map(str::to_string);
        let id = record_id(&zone, text(&s, "name").trim_end_matches('.'), &kind, set_id.as_deref());
        set(&mut s, "id", Value::String(id));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let action = if attr(&planned, "allow_overwrite").as_bool() == Some(true) { "UPSERT" } else { "CREATE" };
        let id = text(&planned, "id");
        match change(p, &planned, None, action).await {
            Ok(()) => read_back(self, p, planned).await,
            Err(e) => ApplyResponse::failed(None, e.diagnostics(&format!("creating Route 53 record {id}"))),
        }
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let same_set = attr(&prior, "type") == attr(&planned, "type") && attr(&prior, "set_identifier") == attr(&planned, "set_identifier");
        let result = if same_set {
            change(p, &planned, None, "UPSERT").await
        } else {
            let action = if attr(&planned, "allow_overwrite").as_bool() == Some(true) { "UPSERT" } else { "CREATE" };
            change(p, &planned, Some(&prior), action).await
        };
        match result {
            Ok(()) => read_back(self, p, planned).await,
            Err(e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("updating Route 53 record {}", text(&planned, "id")))),
        }
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let id = text(&prior, "id");
        let rec = match find(p, &prior).await {
            Ok(Some((rec, _))) => rec,
            Ok(None) => return ApplyResponse::ok(None),
            Err(e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&format!("reading Route 53 record {id}"))),
        };
        let zone = clean_zone_id(&text(&prior, "zone_id"));
        let body = batch("Deleted by Terraform", &format!("<Change><Action>DELETE</Action>{}</Change>", to_xml(&rec)));
        let sent = p.route53.write(&ROUTE53, "POST", &format!("{V}/hostedzone/{zone}/rrset/"), &[], Some(body)).await;
        let done = match sent {
            Ok(x) => wait_insync(&p.route53, &x).await,
            // Already changed by someone else: gone as far as this resource is concerned.
            Err(e) if e.code == "InvalidChangeBatch" || gone(&e) => Ok(()),
            Err(e) => Err(e),
        };
        match done {
            Ok(()) => ApplyResponse::ok(None),
            Err(e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting Route 53 record {id}"))),
        }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let Some((zone, name, kind, set_id)) = parse_id(&id) else {
            return ImportResponse::failed(
                Diagnostic::error(
                    "Invalid import id",
                    format!("unexpected format of ID ({id:?}), expected ZONEID_RECORDNAME_TYPE_SET-IDENTIFIER (e.g. Z4KAPRWWNC7JR_dev.example.com_NS_dev), where SET-IDENTIFIER is optional"),
                )
                .into(),
            );
        };
        let mut state = blank;
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "zone_id", Value::string(zone));
        set(&mut state, "name", Value::string(name));
        set(&mut state, "type", Value::string(kind));
        set(&mut state, "set_identifier", set_id.map(Value::String).unwrap_or(Value::Null));
        crate::provider::helpers::imported(self.read(p, state).await, || format!("There is no Route 53 record with id \"{id}\"."))
    }
}

/// `<ChangeResourceRecordSetsRequest>` with one batch of changes.
fn batch(comment: &str, changes: &str) -> String {
    document("ChangeResourceRecordSetsRequest", &format!("<ChangeBatch>{}<Changes>{changes}</Changes></ChangeBatch>", element("Comment", comment)))
}

/// Sends `action` for `planned`'s record set (after deleting `old`'s in the same batch when
/// given) and waits until the change is in sync.
async fn change(p: &AwsProvider, planned: &Value, old: Option<&Value>, action: &str) -> Result<(), ApiError> {
    let zone = clean_zone_id(&text(planned, "zone_id"));
    let zname = zone_name(p, &zone).await?;
    let mut changes = String::new();
    if let Some(old) = old {
        changes.push_str(&format!("<Change><Action>DELETE</Action>{}</Change>", record_set_xml(old, &zname)));
    }
    changes.push_str(&format!("<Change>{}{}</Change>", element("Action", action), record_set_xml(planned, &zname)));
    let x = p.route53.write(&ROUTE53, "POST", &format!("{V}/hostedzone/{zone}/rrset/"), &[], Some(batch("Managed by Terraform", &changes))).await?;
    wait_insync(&p.route53, &x).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        assert_eq!(record_id("Z1", "WWW", "A", None), "Z1_www_A");
        assert_eq!(record_id("Z1", "www", "A", Some("blue")), "Z1_www_A_blue");
        assert_eq!(parse_id("Z1_www_A_blue"), Some(("Z1".into(), "www".into(), "A".into(), Some("blue".into()))));
        assert_eq!(parse_id("Z1__dmarc.example.com._TXT"), Some(("Z1".into(), "_dmarc.example.com".into(), "TXT".into(), None)));
        assert_eq!(parse_id("Z1_www"), None);
    }

    #[test]
    fn names_expand_in_their_zone() {
        assert_eq!(expand_name("www", "example.com."), "www.example.com");
        assert_eq!(expand_name("WWW.example.com.", "example.com."), "www.example.com");
        assert_eq!(expand_name("", "example.com."), "example.com");
    }

    #[test]
    fn record_sets_follow_the_schema_order() {
        let r = Value::object([
            ("name", Value::string("txt")),
            ("type", Value::string("TXT")),
            ("ttl", Value::Number(300.0)),
            ("records", Value::set(vec![Value::string("v=spf1 -all")])),
            ("set_identifier", Value::string("a")),
            ("weighted_routing_policy", Value::List(vec![Value::object([("weight", Value::Number(10.0))])])),
        ]);
        assert_eq!(
            record_set_xml(&r, "example.com."),
            "<ResourceRecordSet><Name>txt.example.com</Name><Type>TXT</Type><SetIdentifier>a</SetIdentifier><Weight>10</Weight><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>&quot;v=spf1 -all&quot;</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>"
        );
        assert_eq!(unquote("\"a b\""), "a b");
        let c = Value::object([("records", Value::set(vec![Value::string("1.2.3.4")]))]);
        assert!(!check(&c, &Value::object([("type", Value::string("A")), ("records", Value::set(vec![Value::string("1.2.3.4")]))])).has_errors());
        assert!(check(&Value::Null, &Value::object([("type", Value::string("A"))])).has_errors(), "records or alias");
        let weighted = Value::object([
            ("type", Value::string("A")),
            ("records", Value::set(vec![Value::string("1.2.3.4")])),
            ("weighted_routing_policy", Value::List(vec![Value::object([("weight", Value::Number(1.0))])])),
        ]);
        assert!(check(&c, &weighted).has_errors(), "a routing policy needs set_identifier");
    }
}
