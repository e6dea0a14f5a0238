//! `aws_lb`: an Elastic Load Balancing v2 load balancer (application, network or gateway).
//! Replaced when these change: `name` (else one generated from `name_prefix`, else from
//! `tf-lb-`), `name_prefix`, `internal`, `load_balancer_type` ("application"). In place:
//! `security_groups` (`SetSecurityGroups`), `subnets` (`SetSubnets`), `ip_address_type`
//! (`SetIpAddressType`), `tags`, and the load balancer attributes (`ModifyLoadBalancerAttributes`,
//! with the provider's defaults; [`ATTRIBUTES`]): `enable_deletion_protection` (false), for
//! application load balancers `idle_timeout` (60), `enable_http2` (true),
//! `drop_invalid_header_fields`, `preserve_host_header`,
//! `enable_tls_version_and_cipher_suite_headers`, `enable_waf_fail_open`,
//! `enable_xff_client_port` (false), `xff_header_processing_mode` ("append"),
//! `desync_mitigation_mode` ("defensive"), `client_keep_alive` (3600), for network and gateway
//! ones `enable_cross_zone_load_balancing` (false), `enable_zonal_shift` (false; application
//! and network) and `dns_record_client_routing_policy` ("any_availability_zone"; network).
//! Where an attribute does not apply to the type it is kept as configured and not sent. Computed: `id` and `arn` (the import id),
//! `arn_suffix`, `dns_name`, `zone_id`, `vpc_id`, `tags_all`. The create reports the load
//! balancer as soon as it has an ARN and then waits until it is `active` (10 minutes at most);
//! the delete waits until it is gone.
//!
//! Also the ELBv2 helpers the target group and listener share: the not-found codes
//! ([`gone`]), tags by ARN ([`list_tags`], [`sync_tags`], [`tag_params`]), attribute lists
//! ([`attributes`], [`attribute_params`]). ELBv2 speaks the Query protocol
//! ([`super::query_api`], service [`ELBV2`]).
//!
//! Not implemented: `subnet_mapping`, access, connection and health check logs,
//! `customer_owned_ipv4_pool`, `ipam_pools`, capacity reservations,
//! `enforce_security_group_inbound_rules_on_private_link_traffic`,
//! `secondary_ips_auto_assigned_per_subnet`, `region`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::iam_common::{name_prefix_of, unique_name};
use super::json_api::{provider_defaults, read_back, tag_changes, updated, ApiError};
use super::query_api::{Params, Xml, ELBV2};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_lb")
        .implement(&[
            "arn",
            "arn_suffix",
            "client_keep_alive",
            "desync_mitigation_mode",
            "dns_name",
            "dns_record_client_routing_policy",
            "drop_invalid_header_fields",
            "enable_cross_zone_load_balancing",
            "enable_deletion_protection",
            "enable_http2",
            "enable_tls_version_and_cipher_suite_headers",
            "enable_waf_fail_open",
            "enable_xff_client_port",
            "enable_zonal_shift",
            "id",
            "idle_timeout",
            "internal",
            "ip_address_type",
            "load_balancer_type",
            "name",
            "name_prefix",
            "preserve_host_header",
            "security_groups",
            "subnets",
            "vpc_id",
            "xff_header_processing_mode",
            "zone_id",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&ATTRIBUTES.map(|a| a.0))
        .defaulted(&["load_balancer_type"])
        .force_new(&["internal", "load_balancer_type", "name", "name_prefix"])
        .build()
}

/// `aws_lb`.
pub struct Lb;

/// Whether ELBv2 says the object does not exist.
pub(super) fn gone(e: &ApiError) -> bool {
    matches!(e.code.as_str(), "LoadBalancerNotFound" | "TargetGroupNotFound" | "ListenerNotFound")
}

/// The tags of an ELBv2 object by ARN (without `aws:` ones).
pub(super) async fn list_tags(p: &AwsProvider, arn: &str) -> Result<BTreeMap<String, String>, ApiError> {
    let x = p.query.call(&ELBV2, "DescribeTags", Params::new().list("ResourceArns", [arn])).await?;
    let d = x.find("TagDescriptions").map(|l| l.all("member").cloned().collect::<Vec<_>>()).unwrap_or_default();
    let tags = d.first().map(|d| d.pairs("Tags", ("Key", "Value"))).unwrap_or_default();
    Ok(tags.into_iter().filter(|(k, _)| !k.starts_with("aws:")).collect())
}

/// `Tags.member.N.Key` / `Tags.member.N.Value` for the tags in `tags_all`.
pub(super) fn tag_params(params: Params, tags_all: &Value) -> Params {
    let tags: BTreeMap<String, String> =
        tags_all.as_map().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()).unwrap_or_default();
    if tags.is_empty() {
        params
    } else {
        params.pairs("Tags", ("Key", "Value"), &tags)
    }
}

/// Takes an ELBv2 object's tags from `had` to `want` (`tags_all` values).
pub(super) async fn sync_tags(p: &AwsProvider, arn: &str, had: &Value, want: &Value) -> Result<(), ApiError> {
    let (stale, new) = tag_changes(had, want);
    if !stale.is_empty() {
        p.query.call(&ELBV2, "RemoveTags", Params::new().list("ResourceArns", [arn]).list("TagKeys", &stale)).await?;
    }
    if !new.is_empty() {
        p.query.call(&ELBV2, "AddTags", Params::new().list("ResourceArns", [arn]).pairs("Tags", ("Key", "Value"), &new)).await?;
    }
    Ok(())
}

/// The `Attributes` list of a `Describe...Attributes` answer as a map.
pub(super) fn attributes(x: &Xml) -> BTreeMap<String, String> {
    x.find("Attributes")
        .map(|a| a.all("member").map(|m| (m.text_of("Key").unwrap_or_default(), m.text_of("Value").unwrap_or_default())).collect())
        .unwrap_or_default()
}

/// `Attributes.member.N.Key` / `Attributes.member.N.Value`.
pub(super) fn attribute_params(params: Params, attrs: &[(&str, String)]) -> Params {
    let map: BTreeMap<String, String> = attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    params.pairs("Attributes", ("Key", "Value"), &map)
}

/// The strings of a set or list value.
pub(super) fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Set(items) | Value::List(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// A whole number as ELBv2 takes it.
pub(super) fn number(n: f64) -> String {
    format!("{}", n as i64)
}

/// The part of an ELBv2 ARN after its resource kind (`app/name/id`, `targetgroup/name/id`).
pub(super) fn arn_suffix(arn: &str, kind: &str) -> String {
    arn.split_once(&format!(":{kind}/")).map(|(_, s)| s.to_string()).unwrap_or_default()
}

/// Checks a name or prefix as the provider's validators do (`validName`, `validNamePrefix`).
pub(super) fn check_name(config: &Value, max: usize, d: &mut Diagnostics) {
    for (arg, limit) in [("name", max), ("name_prefix", 6)] {
        let Some(n) = attr(config, arg).as_str() else { continue };
        let why = if !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            Some("only alphanumeric characters and hyphens allowed")
        } else if n.len() > limit {
            Some(if arg == "name" { "cannot be longer than 32 characters" } else { "cannot be longer than 6 characters" })
        } else if n.starts_with('-') {
            Some("cannot begin with a hyphen")
        } else if arg == "name" && n.ends_with('-') {
            Some("cannot end with a hyphen")
        } else if n.starts_with("internal-") {
            Some("cannot begin with \"internal-\"")
        } else {
            None
        };
        if let Some(why) = why {
            d.push(Diagnostic::error("Invalid value", format!("\"{arg}\": {why}: {n:?}")).for_attribute(arg));
        }
    }
    if !attr(config, "name").is_null() && !attr(config, "name_prefix").is_null() {
        d.push(Diagnostic::error("Conflicting configuration arguments", "\"name\": conflicts with name_prefix").for_attribute("name"));
    }
}

/// Plans `name` and `name_prefix` of a new object: unknown where generated.
pub(super) fn plan_name(planned: &mut Value, config: &Value) {
    if attr(config, "name").is_null() {
        set(planned, "name", Value::Unknown);
    }
    if attr(config, "name_prefix").is_null() {
        set(planned, "name_prefix", if attr(config, "name").is_null() { Value::Unknown } else { Value::Null });
    }
}

/// The name to create an object with: `name`, else generated from `name_prefix` or `default`.
pub(super) fn new_name(planned: &Value, default: &str) -> String {
    match (attr(planned, "name").as_str(), attr(planned, "name_prefix").as_str()) {
        (Some(n), _) => n.to_string(),
        (None, Some(prefix)) => unique_name(prefix),
        (None, None) => unique_name(default),
    }
}

/// A provider default of a load balancer or target group attribute.
#[derive(Clone, Copy)]
pub(super) enum Fallback {
    Bool(bool),
    Number(f64),
    Text(&'static str),
}

impl Fallback {
    pub(super) fn value(self) -> Value {
        match self {
            Fallback::Bool(b) => Value::Bool(b),
            Fallback::Number(n) => Value::Number(n),
            Fallback::Text(t) => Value::string(t),
        }
    }

    /// The attribute's value as ELBv2 answers it, in the argument's type.
    fn parse(self, raw: &str) -> Value {
        match self {
            Fallback::Bool(_) => Value::Bool(raw == "true"),
            Fallback::Number(_) => raw.parse::<f64>().map(Value::Number).unwrap_or(Value::Null),
            Fallback::Text(_) => Value::string(raw),
        }
    }
}

const APP: &[&str] = &["application"];

/// The arguments kept as load balancer attributes: (argument, attribute key, provider default,
/// the load balancer types it applies to). Elsewhere the argument is kept as configured and
/// not sent, as the provider suppresses its diff.
const ATTRIBUTES: [(&str, &str, Fallback, &[&str]); 14] = [
    ("enable_deletion_protection", "deletion_protection.enabled", Fallback::Bool(false), &["application", "network", "gateway"]),
    ("idle_timeout", "idle_timeout.timeout_seconds", Fallback::Number(60.0), APP),
    ("enable_http2", "routing.http2.enabled", Fallback::Bool(true), APP),
    ("drop_invalid_header_fields", "routing.http.drop_invalid_header_fields.enabled", Fallback::Bool(false), APP),
    ("preserve_host_header", "routing.http.preserve_host_header.enabled", Fallback::Bool(false), APP),
    ("enable_tls_version_and_cipher_suite_headers", "routing.http.x_amzn_tls_version_and_cipher_suite.enabled", Fallback::Bool(false), APP),
    ("enable_waf_fail_open", "waf.fail_open.enabled", Fallback::Bool(false), APP),
    ("enable_xff_client_port", "routing.http.xff_client_port.enabled", Fallback::Bool(false), APP),
    ("xff_header_processing_mode", "routing.http.xff_header_processing.mode", Fallback::Text("append"), APP),
    ("desync_mitigation_mode", "routing.http.desync_mitigation_mode", Fallback::Text("defensive"), APP),
    ("client_keep_alive", "client_keep_alive.seconds", Fallback::Number(3600.0), APP),
    ("enable_cross_zone_load_balancing", "load_balancing.cross_zone.enabled", Fallback::Bool(false), &["network", "gateway"]),
    ("enable_zonal_shift", "zonal_shift.config.enabled", Fallback::Bool(false), &["application", "network"]),
    ("dns_record_client_routing_policy", "dns_record.client_routing_policy", Fallback::Text("any_availability_zone"), &["network"]),
];

/// The load balancer type of a state (the provider's default where unset).
fn lb_type(v: &Value) -> &str {
    attr(v, "load_balancer_type").as_str().unwrap_or("application")
}

/// The attributes that apply to the load balancer's type.
fn applicable(v: &Value) -> impl Iterator<Item = &'static (&'static str, &'static str, Fallback, &'static [&'static str])> + '_ {
    ATTRIBUTES.iter().filter(move |a| a.3.contains(&lb_type(v)))
}

/// The load balancer attributes to send: on create (`prior` none) deletion protection, the
/// idle timeout, HTTP/2 and every other one that is not its default; on update the changed ones.
fn lb_attributes(planned: &Value, prior: Option<&Value>) -> Vec<(&'static str, String)> {
    let always = ["enable_deletion_protection", "idle_timeout", "enable_http2"];
    applicable(planned)
        .filter(|(arg, _, default, _)| match prior {
            None => always.contains(arg) || attr(planned, arg) != &default.value(),
            Some(prior) => attr(prior, arg) != attr(planned, arg),
        })
        .filter_map(|(arg, key, _, _)| {
            let v = match attr(planned, arg) {
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => number(*n),
                Value::String(s) => s.clone(),
                _ => return None,
            };
            Some((*key, v))
        })
        .collect()
}

/// The `DescribeLoadBalancers` entry of the load balancer `arn`.
async fn find(p: &AwsProvider, arn: &str) -> Result<Option<Xml>, ApiError> {
    match p.query.call(&ELBV2, "DescribeLoadBalancers", Params::new().list("LoadBalancerArns", [arn])).await {
        Ok(x) => Ok(x.find("LoadBalancers").and_then(|l| l.all("member").find(|m| m.text_of("LoadBalancerArn").as_deref() == Some(arn)).cloned())),
        Err(e) if gone(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Waits until the load balancer is `active` (10 minutes at most).
async fn wait_active(p: &AwsProvider, arn: &str) -> Result<(), ApiError> {
    let started = Instant::now();
    loop {
        let lb = find(p, arn).await?;
        let state = lb.as_ref().and_then(|l| l.child("State")).and_then(|s| s.text_of("Code")).unwrap_or_default();
        match state.as_str() {
            "active" => return Ok(()),
            "failed" | "active_impaired" => {
                return Err(ApiError { code: "InvalidState".into(), message: format!("load balancer {arn} is {state}"), status: 0 })
            }
            _ => {}
        }
        if started.elapsed() > Duration::from_secs(10 * 60) {
            return Err(ApiError { code: "Timeout".into(), message: format!("load balancer {arn} is still {state:?} after 10 minutes"), status: 0 });
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

#[async_trait]
impl ResourceType<AwsProvider> for Lb {
    fn name(&self) -> &'static str {
        "aws_lb"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let creating = prior.is_none();
        let mut resp = plan_common(p, req, &["internal", "ip_address_type", "security_groups", "subnets"]);
        let planned = &mut resp.planned_state;
        provider_defaults(planned, &config, &[("load_balancer_type", Value::string("application")), ("enable_deletion_protection", Value::Bool(false))]);
        let defaults: Vec<(&str, Value)> = applicable(planned).map(|(arg, _, default, _)| (*arg, default.value())).collect();
        provider_defaults(planned, &config, &defaults);
        // An attribute that does not apply to the type shows no diff (the provider suppresses it).
        if let Some(prior) = &prior {
            let kind = lb_type(planned).to_string();
            for (arg, ..) in ATTRIBUTES.iter().filter(|a| !a.3.contains(&kind.as_str())) {
                set(planned, arg, attr(prior, arg).clone());
            }
        }
        if creating {
            plan_name(planned, &config);
        }
        check_name(&config, 32, &mut resp.diagnostics);
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let arn = text(&prior, "id");
        let lb = match find(p, &arn).await {
            Ok(Some(l)) => l,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading ELBv2 load balancer {arn}"))),
        };
        let (attrs, tags) =
            match (p.query.call(&ELBV2, "DescribeLoadBalancerAttributes", Params::new().add("LoadBalancerArn", &arn)).await, list_tags(p, &arn).await) {
                (Ok(a), Ok(t)) => (attributes(&a), t),
                (Err(e), _) | (_, Err(e)) if gone(&e) => return ReadResponse::gone(),
                (Err(e), _) | (_, Err(e)) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading ELBv2 load balancer {arn}"))),
            };
        let get = |k: &str| lb.text_of(k).filter(|v| !v.is_empty()).map(Value::String).unwrap_or(Value::Null);
        let name = lb.text_of("LoadBalancerName").unwrap_or_default();
        let kind = lb.text_of("Type").unwrap_or_else(|| "application".into());
        let mut s = prior;
        set(&mut s, "id", Value::string(&arn));
        set(&mut s, "arn", Value::string(&arn));
        set(&mut s, "arn_suffix", Value::string(arn_suffix(&arn, "loadbalancer")));
        set(&mut s, "name", Value::string(&name));
        set(&mut s, "name_prefix", name_prefix_of(&name));
        set(&mut s, "dns_name", get("DNSName"));
        set(&mut s, "zone_id", get("CanonicalHostedZoneId"));
        set(&mut s, "vpc_id", get("VpcId"));
        set(&mut s, "ip_address_type", get("IpAddressType"));
        set(&mut s, "load_balancer_type", Value::string(&kind));
        set(&mut s, "internal", Value::Bool(lb.text_of("Scheme").as_deref() == Some("internal")));
        let subnets: Vec<Value> =
            lb.child("AvailabilityZones").map(|l| l.all("member").filter_map(|z| z.text_of("SubnetId")).map(Value::String).collect()).unwrap_or_default();
        set(&mut s, "subnets", Value::set(subnets));
        let groups: Vec<Value> = lb.members("SecurityGroups").into_iter().map(|g| Value::string(&g.text)).collect();
        set(&mut s, "security_groups", Value::set(groups));
        for (arg, key, default, _) in applicable(&s).copied().collect::<Vec<_>>() {
            let v = attrs.get(key).map(|raw| default.parse(raw)).filter(|v| !v.is_null()).unwrap_or_else(|| default.value());
            set(&mut s, arg, v);
        }
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, config: &Value) -> ApplyResponse {
        self.create_tracked(p, planned, config, &Operation::default()).await
    }

    /// Creates the load balancer, reports it as started (its ARN is journalled before the wait
    /// for `active`), waits, then sets its attributes.
    async fn create_tracked(&self, p: &AwsProvider, planned: Value, _config: &Value, op: &Operation) -> ApplyResponse {
        let name = new_name(&planned, "tf-lb-");
        let scheme = if attr(&planned, "internal").as_bool() == Some(true) { "internal" } else { "internet-facing" };
        let mut params = Params::new().add("Name", &name).add("Type", text(&planned, "load_balancer_type")).add("Scheme", scheme);
        params = params.list("Subnets", strings(attr(&planned, "subnets")));
        let groups = strings(attr(&planned, "security_groups"));
        if !groups.is_empty() {
            params = params.list("SecurityGroups", groups);
        }
        if let Some(t) = attr(&planned, "ip_address_type").as_str() {
            params = params.add("IpAddressType", t);
        }
        let params = tag_params(params, attr(&planned, "tags_all"));
        let created = match p.query.write(&ELBV2, "CreateLoadBalancer", params).await {
            Ok(x) => x,
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating ELBv2 load balancer {name}"))),
        };
        let Some(arn) = created.find("LoadBalancerArn").map(|a| a.text.clone()) else {
            return ApplyResponse::failed(
                None,
                Diagnostic::error("Invalid response", format!("creating ELBv2 load balancer {name}: no ARN in the answer")).into(),
            );
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&arn));
        set(&mut state, "name", Value::string(&name));
        op.started(&state).await;
        let result: Result<(), Diagnostics> = async {
            wait_active(p, &arn).await.map_err(|e| e.diagnostics(&format!("waiting for ELBv2 load balancer {name} to be active")))?;
            let params = attribute_params(Params::new().add("LoadBalancerArn", &arn), &lb_attributes(&state, None));
            p.query
                .call(&ELBV2, "ModifyLoadBalancerAttributes", params)
                .await
                .map_err(|e| e.diagnostics(&format!("setting the attributes of ELBv2 load balancer {name}")))?;
            Ok(())
        }
        .await;
        match result {
            Ok(()) => read_back(self, p, state).await,
            Err(d) => ApplyResponse::failed(Some(state), d),
        }
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let what = format!("updating ELBv2 load balancer {arn}");
        let result: Result<(), Diagnostics> = async {
            if changed("security_groups") {
                let params = Params::new().add("LoadBalancerArn", &arn).list("SecurityGroups", strings(attr(&planned, "security_groups")));
                p.query.call(&ELBV2, "SetSecurityGroups", params).await.map_err(|e| e.diagnostics(&what))?;
            }
            if changed("subnets") {
                let params = Params::new().add("LoadBalancerArn", &arn).list("Subnets", strings(attr(&planned, "subnets")));
                p.query.call(&ELBV2, "SetSubnets", params).await.map_err(|e| e.diagnostics(&what))?;
            }
            if let Some(t) = attr(&planned, "ip_address_type").as_str().filter(|_| changed("ip_address_type")) {
                p.query
                    .call(&ELBV2, "SetIpAddressType", Params::new().add("LoadBalancerArn", &arn).add("IpAddressType", t))
                    .await
                    .map_err(|e| e.diagnostics(&what))?;
            }
            let attributes = lb_attributes(&planned, Some(&prior));
            if !attributes.is_empty() {
                let params = attribute_params(Params::new().add("LoadBalancerArn", &arn), &attributes);
                p.query.call(&ELBV2, "ModifyLoadBalancerAttributes", params).await.map_err(|e| e.diagnostics(&what))?;
            }
            sync_tags(p, &arn, attr(&prior, "tags_all"), attr(&planned, "tags_all"))
                .await
                .map_err(|e| e.diagnostics(&format!("updating the tags of ELBv2 load balancer {arn}")))
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        match p.query.write(&ELBV2, "DeleteLoadBalancer", Params::new().add("LoadBalancerArn", &arn)).await {
            Err(e) if gone(&e) => return ApplyResponse::ok(None),
            Err(e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting ELBv2 load balancer {arn}"))),
            Ok(_) => {}
        }
        let started = Instant::now();
        loop {
            match find(p, &arn).await {
                Ok(None) => return ApplyResponse::ok(None),
                Err(e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&format!("waiting for ELBv2 load balancer {arn} to be deleted"))),
                Ok(Some(_)) if started.elapsed() > Duration::from_secs(10 * 60) => {
                    let d = Diagnostic::error("Timeout", format!("ELBv2 load balancer {arn} still exists 10 minutes after its deletion"));
                    return ApplyResponse::failed(Some(prior), d.into());
                }
                Ok(Some(_)) => tokio::time::sleep(Duration::from_secs(5)).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_suffixes_and_attributes() {
        let mut d = Diagnostics::new();
        check_name(&Value::object([("name", Value::string("internal-web"))]), 32, &mut d);
        check_name(&Value::object([("name_prefix", Value::string("toolong"))]), 32, &mut d);
        assert_eq!(d.iter().count(), 2);
        assert_eq!(arn_suffix("arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/abc", "loadbalancer"), "app/web/abc");
        let planned = Value::object([
            ("load_balancer_type", Value::string("network")),
            ("idle_timeout", Value::Number(60.0)),
            ("enable_deletion_protection", Value::Bool(false)),
        ]);
        assert_eq!(lb_attributes(&planned, None), vec![("deletion_protection.enabled", "false".to_string())]);
        let alb = Value::object([("drop_invalid_header_fields", Value::Bool(true)), ("idle_timeout", Value::Number(30.0))]);
        let keys: Vec<&str> = lb_attributes(&alb, None).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["idle_timeout.timeout_seconds", "routing.http.drop_invalid_header_fields.enabled"]);
        let p = attribute_params(Params::new(), &[("idle_timeout.timeout_seconds", "30".into())]);
        assert_eq!(p.0[0], ("Attributes.member.1.Key".to_string(), "idle_timeout.timeout_seconds".to_string()));
    }
}
