//! `aws_lb_target_group`: an ELBv2 target group. Replaced when these change: `name` (else
//! one generated from `name_prefix`, else from `tf-`), `name_prefix`, `port`, `protocol`,
//! `protocol_version`, `target_type` ("instance"), `vpc_id`. In place: the `health_check`
//! block (`ModifyTargetGroup`; defaults `enabled` true, `healthy_threshold` 3, `interval` 30,
//! `port` "traffic-port", `protocol` "HTTP", `unhealthy_threshold` 3; `matcher`, `path` and
//! `timeout` chosen by AWS when unset; the whole block is read from AWS when not configured),
//! `deregistration_delay` ("300", `ModifyTargetGroupAttributes`), `tags`. Computed: `id` and
//! `arn` (the import id), `arn_suffix`, `load_balancer_arns`, `tags_all`.
//!
//! Not implemented: `stickiness`, `slow_start`, `proxy_protocol_v2`, `preserve_client_ip`,
//! `connection_termination`, `lambda_multi_value_headers_enabled`, the load balancing
//! algorithm, cross-zone, failover and target health state settings, `ip_address_type`,
//! `target_control_port` and `region`.

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::iam_common::name_prefix_of;
use super::json_api::{provider_defaults, read_back, updated, ApiError};
use super::lb::{arn_suffix, attribute_params, attributes, check_name, gone, list_tags, new_name, number, plan_name, sync_tags, tag_params, Fallback};
use super::query_api::{Params, Xml, ELBV2};
use super::s3_bucket_common::{block_at, defaulted};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let mut s = resource("aws_lb_target_group")
        .implement(&[
            "arn",
            "arn_suffix",
            "deregistration_delay",
            "health_check",
            "id",
            "load_balancer_arns",
            "name",
            "name_prefix",
            "port",
            "protocol",
            "protocol_version",
            "target_type",
            "vpc_id",
        ])
        .tags()
        .computed_only(&["id"])
        .defaulted(&["deregistration_delay", "target_type"])
        .force_new(&["name", "name_prefix", "port", "protocol", "protocol_version", "target_type", "vpc_id"])
        .build();
    defaulted(block_at(&mut s.block, &["health_check"]), &["enabled", "healthy_threshold", "interval", "port", "protocol", "unhealthy_threshold"]);
    s
}

/// `aws_lb_target_group`.
pub struct LbTargetGroup;

/// The health check arguments: (argument, `CreateTargetGroup`/`ModifyTargetGroup` parameter,
/// `TargetGroup` field, provider default).
const HEALTH: [(&str, &str, Option<Fallback>); 9] = [
    ("enabled", "HealthCheckEnabled", Some(Fallback::Bool(true))),
    ("healthy_threshold", "HealthyThresholdCount", Some(Fallback::Number(3.0))),
    ("interval", "HealthCheckIntervalSeconds", Some(Fallback::Number(30.0))),
    ("matcher", "Matcher.HttpCode", None),
    ("path", "HealthCheckPath", None),
    ("port", "HealthCheckPort", Some(Fallback::Text("traffic-port"))),
    ("protocol", "HealthCheckProtocol", Some(Fallback::Text("HTTP"))),
    ("timeout", "HealthCheckTimeoutSeconds", None),
    ("unhealthy_threshold", "UnhealthyThresholdCount", Some(Fallback::Number(3.0))),
];

/// The configured health check block (its first element), if any.
fn health_check(v: &Value) -> Option<&Value> {
    match attr(v, "health_check") {
        Value::List(items) => items.first(),
        _ => None,
    }
}

/// Plans the health check: defaults for the unset arguments that have one, the prior (or
/// unknown) value for those AWS chooses; the block read from AWS when not configured.
fn plan_health_check(planned: &mut Value, prior: Option<&Value>) {
    let prior_check = prior.and_then(health_check);
    let Some(mut check) = health_check(planned).cloned() else {
        set(planned, "health_check", prior.map(|p| attr(p, "health_check").clone()).unwrap_or(Value::Unknown));
        return;
    };
    for (arg, _, default) in HEALTH {
        if !attr(&check, arg).is_null() {
            continue;
        }
        let v = match default {
            Some(d) => d.value(),
            None => prior_check.map(|c| attr(c, arg).clone()).unwrap_or(Value::Unknown),
        };
        set(&mut check, arg, v);
    }
    set(planned, "health_check", Value::List(vec![check]));
}

/// The health check parameters of `CreateTargetGroup` and `ModifyTargetGroup`.
fn health_params(mut params: Params, planned: &Value) -> Params {
    let Some(check) = health_check(planned) else { return params };
    for (arg, param, _) in HEALTH {
        let v = match attr(check, arg) {
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => number(*n),
            Value::String(s) if !s.is_empty() => s.clone(),
            _ => continue,
        };
        params = params.add(param, v);
    }
    params
}

/// The health check block of a `TargetGroup` element.
fn health_of(g: &Xml) -> Value {
    let get = |k: &str| g.text_of(k).filter(|v| !v.is_empty());
    let num = |k: &str| get(k).and_then(|v| v.parse::<f64>().ok()).map(Value::Number).unwrap_or(Value::Null);
    let string = |k: &str| get(k).map(Value::String).unwrap_or(Value::Null);
    let matcher = g.child("Matcher").and_then(|m| m.text_of("HttpCode").or_else(|| m.text_of("GrpcCode"))).map(Value::String).unwrap_or(Value::Null);
    Value::List(vec![Value::object([
        ("enabled", Value::Bool(get("HealthCheckEnabled").as_deref() != Some("false"))),
        ("healthy_threshold", num("HealthyThresholdCount")),
        ("interval", num("HealthCheckIntervalSeconds")),
        ("matcher", matcher),
        ("path", string("HealthCheckPath")),
        ("port", string("HealthCheckPort")),
        ("protocol", string("HealthCheckProtocol")),
        ("timeout", num("HealthCheckTimeoutSeconds")),
        ("unhealthy_threshold", num("UnhealthyThresholdCount")),
    ])])
}

fn check(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    check_name(config, 32, &mut d);
    if let Some(s) = attr(config, "deregistration_delay").as_str() {
        if !s.parse::<i64>().is_ok_and(|n| (0..=3600).contains(&n)) {
            d.push(
                Diagnostic::error("Invalid value", format!("\"deregistration_delay\": expected a whole number of seconds from 0 to 3600, got {s:?}"))
                    .for_attribute("deregistration_delay"),
            );
        }
    }
    let lambda = attr(config, "target_type").as_str() == Some("lambda");
    if !lambda {
        for arg in ["port", "protocol", "vpc_id"] {
            if attr(config, arg).is_null() {
                d.push(Diagnostic::error("Invalid target group", format!("\"{arg}\" must be set when target_type is not \"lambda\"")).for_attribute(arg));
            }
        }
    }
    d
}

/// The `DescribeTargetGroups` entry of the target group `arn`.
async fn find(p: &AwsProvider, arn: &str) -> Result<Option<Xml>, ApiError> {
    match p.query.call(&ELBV2, "DescribeTargetGroups", Params::new().list("TargetGroupArns", [arn])).await {
        Ok(x) => Ok(x.find("TargetGroups").and_then(|l| l.all("member").find(|m| m.text_of("TargetGroupArn").as_deref() == Some(arn)).cloned())),
        Err(e) if gone(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl ResourceType<AwsProvider> for LbTargetGroup {
    fn name(&self) -> &'static str {
        "aws_lb_target_group"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &["protocol_version"]);
        let planned = &mut resp.planned_state;
        provider_defaults(planned, &config, &[("target_type", Value::string("instance"))]);
        if attr(planned, "target_type").as_str() != Some("lambda") {
            provider_defaults(planned, &config, &[("deregistration_delay", Value::string("300"))]);
        }
        if prior.is_none() {
            plan_name(planned, &config);
        }
        plan_health_check(planned, prior.as_ref());
        resp.diagnostics.extend(check(&config));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let arn = text(&prior, "id");
        let g = match find(p, &arn).await {
            Ok(Some(g)) => g,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading ELBv2 target group {arn}"))),
        };
        let (attrs, tags) =
            match (p.query.call(&ELBV2, "DescribeTargetGroupAttributes", Params::new().add("TargetGroupArn", &arn)).await, list_tags(p, &arn).await) {
                (Ok(a), Ok(t)) => (attributes(&a), t),
                (Err(e), _) | (_, Err(e)) if gone(&e) => return ReadResponse::gone(),
                (Err(e), _) | (_, Err(e)) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading ELBv2 target group {arn}"))),
            };
        let get = |k: &str| g.text_of(k).filter(|v| !v.is_empty());
        let string = |k: &str| get(k).map(Value::String).unwrap_or(Value::Null);
        let name = get("TargetGroupName").unwrap_or_default();
        let mut s = prior;
        set(&mut s, "id", Value::string(&arn));
        set(&mut s, "arn", Value::string(&arn));
        set(&mut s, "arn_suffix", Value::string(format!("targetgroup/{}", arn_suffix(&arn, "targetgroup"))));
        set(&mut s, "name", Value::string(&name));
        set(&mut s, "name_prefix", name_prefix_of(&name));
        set(&mut s, "port", get("Port").and_then(|v| v.parse::<f64>().ok()).map(Value::Number).unwrap_or(Value::Null));
        set(&mut s, "protocol", string("Protocol"));
        set(&mut s, "protocol_version", string("ProtocolVersion"));
        set(&mut s, "vpc_id", string("VpcId"));
        set(&mut s, "target_type", string("TargetType"));
        set(&mut s, "health_check", health_of(&g));
        let lbs: Vec<Value> = g.members("LoadBalancerArns").into_iter().map(|m| Value::string(&m.text)).collect();
        set(&mut s, "load_balancer_arns", Value::set(lbs));
        if let Some(delay) = attrs.get("deregistration_delay.timeout_seconds") {
            set(&mut s, "deregistration_delay", Value::string(delay));
        }
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = new_name(&planned, "tf-");
        let mut params = Params::new().add("Name", &name).add("TargetType", text(&planned, "target_type"));
        if let Some(n) = attr(&planned, "port").as_f64() {
            params = params.add("Port", number(n));
        }
        for (arg, param) in [("protocol", "Protocol"), ("protocol_version", "ProtocolVersion"), ("vpc_id", "VpcId")] {
            if let Some(v) = attr(&planned, arg).as_str() {
                params = params.add(param, v);
            }
        }
        let params = tag_params(health_params(params, &planned), attr(&planned, "tags_all"));
        let created = match p.query.write(&ELBV2, "CreateTargetGroup", params).await {
            Ok(x) => x,
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating ELBv2 target group {name}"))),
        };
        let Some(arn) = created.find("TargetGroupArn").map(|a| a.text.clone()) else {
            return ApplyResponse::failed(
                None,
                Diagnostic::error("Invalid response", format!("creating ELBv2 target group {name}: no ARN in the answer")).into(),
            );
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&arn));
        set(&mut state, "name", Value::string(&name));
        if let Some(delay) = attr(&state, "deregistration_delay").as_str() {
            let params = attribute_params(Params::new().add("TargetGroupArn", &arn), &[("deregistration_delay.timeout_seconds", delay.to_string())]);
            if let Err(e) = p.query.call(&ELBV2, "ModifyTargetGroupAttributes", params).await {
                return ApplyResponse::failed(Some(state), e.diagnostics(&format!("setting the attributes of ELBv2 target group {name}")));
            }
        }
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let what = format!("updating ELBv2 target group {arn}");
        let result: Result<(), Diagnostics> = async {
            if changed("health_check") && health_check(&planned).is_some() {
                let params = health_params(Params::new().add("TargetGroupArn", &arn), &planned);
                p.query.call(&ELBV2, "ModifyTargetGroup", params).await.map_err(|e| e.diagnostics(&what))?;
            }
            if let Some(delay) = attr(&planned, "deregistration_delay").as_str().filter(|_| changed("deregistration_delay")) {
                let params = attribute_params(Params::new().add("TargetGroupArn", &arn), &[("deregistration_delay.timeout_seconds", delay.to_string())]);
                p.query.call(&ELBV2, "ModifyTargetGroupAttributes", params).await.map_err(|e| e.diagnostics(&what))?;
            }
            sync_tags(p, &arn, attr(&prior, "tags_all"), attr(&planned, "tags_all"))
                .await
                .map_err(|e| e.diagnostics(&format!("updating the tags of ELBv2 target group {arn}")))
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    /// Deletes the group, retrying for 2 minutes while a listener being deleted still uses it.
    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        let started = std::time::Instant::now();
        loop {
            match p.query.write(&ELBV2, "DeleteTargetGroup", Params::new().add("TargetGroupArn", &arn)).await {
                Ok(_) => return ApplyResponse::ok(None),
                Err(e) if gone(&e) => return ApplyResponse::ok(None),
                Err(e) if e.code == "ResourceInUse" && started.elapsed() < std::time::Duration::from_secs(120) => {
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                }
                Err(e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting ELBv2 target group {arn}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_checks_get_defaults_and_parameters() {
        let configured = Value::object([("path", Value::string("/health")), ("matcher", Value::Null)]);
        let mut planned = Value::object([("health_check", Value::List(vec![configured]))]);
        plan_health_check(&mut planned, None);
        let hc = health_check(&planned).unwrap().clone();
        assert_eq!(attr(&hc, "interval"), &Value::Number(30.0));
        assert_eq!(attr(&hc, "matcher"), &Value::Unknown);
        let p = health_params(Params::new(), &Value::object([("health_check", Value::List(vec![Value::object([("path", Value::string("/h"))])]))]));
        assert_eq!(p.0, vec![("HealthCheckPath".to_string(), "/h".to_string())]);
        let mut unset = Value::object([("name", Value::string("x"))]);
        plan_health_check(&mut unset, None);
        assert_eq!(attr(&unset, "health_check"), &Value::Unknown);
        assert!(check(&Value::object([("deregistration_delay", Value::string("4000")), ("target_type", Value::string("lambda"))])).has_errors());
    }
}
