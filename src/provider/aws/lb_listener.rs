//! `aws_lb_listener`: a listener of an ELBv2 load balancer. Replaced when `load_balancer_arn`
//! changes. In place (`ModifyListener`): `port`, `protocol` (chosen by AWS when unset),
//! `ssl_policy` (likewise), `certificate_arn`, the `default_action` list, `tags`. Computed:
//! `id` and `arn` (the import id), `tags_all`.
//!
//! `default_action` implements `type`, `order` (chosen by AWS when unset),
//! `target_group_arn`, and the blocks `forward` (`target_group` with `weight` 1, `stickiness`
//! with `enabled` false), `fixed_response` (`status_code` chosen by AWS when unset) and
//! `redirect` (`host` "#{host}", `path` "/#{path}", `port` "#{port}", `protocol` "#{protocol}",
//! `query` "#{query}"). As in the provider, a forward action reads back `target_group_arn`
//! from AWS, and its `forward` block only where the configuration has one.
//!
//! Not implemented: the `authenticate_cognito`, `authenticate_oidc` and `jwt_validation`
//! actions, `mutual_authentication`, `alpn_policy`, `tcp_idle_timeout_seconds`, the
//! `routing_http_*` header settings and `region`.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::json_api::{read_back, updated, ApiError};
use super::lb::{gone, list_tags, number, sync_tags, tag_params};
use super::query_api::{Params, Xml, ELBV2};
use super::s3_bucket_common::{block_at, defaulted};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let mut s = resource("aws_lb_listener")
        .implement(&["arn", "certificate_arn", "default_action", "id", "load_balancer_arn", "port", "protocol", "ssl_policy"])
        .tags()
        .computed_only(&["id"])
        .force_new(&["load_balancer_arn"])
        .build();
    let action = block_at(&mut s.block, &["default_action"]);
    // Left to the merge with the published schema, which marks them unimplemented.
    for b in ["authenticate_cognito", "authenticate_oidc", "jwt_validation"] {
        action.blocks.remove(b);
    }
    defaulted(block_at(&mut s.block, &["default_action", "redirect"]), &["host", "path", "port", "protocol", "query"]);
    defaulted(block_at(&mut s.block, &["default_action", "forward", "target_group"]), &["weight"]);
    defaulted(block_at(&mut s.block, &["default_action", "forward", "stickiness"]), &["enabled"]);
    s
}

/// `aws_lb_listener`.
pub struct LbListener;

const REDIRECT_DEFAULTS: [(&str, &str); 5] =
    [("host", "#{host}"), ("path", "/#{path}"), ("port", "#{port}"), ("protocol", "#{protocol}"), ("query", "#{query}")];

/// The elements of a list or set block.
fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(items) | Value::Set(items) => items.clone(),
        _ => Vec::new(),
    }
}

/// The first element of a nested block.
fn first<'a>(v: &'a Value, block: &str) -> Option<&'a Value> {
    match attr(v, block) {
        Value::List(items) => items.first(),
        _ => None,
    }
}

/// Fills the defaults of one action's blocks; `order` from the prior action at the same place,
/// else unknown, where not configured.
fn plan_action(mut a: Value, prior: Option<&Value>) -> Value {
    if attr(&a, "order").is_null() {
        set(&mut a, "order", prior.map(|p| attr(p, "order").clone()).unwrap_or(Value::Unknown));
    }
    if let Some(mut r) = first(&a, "redirect").cloned() {
        for (k, d) in REDIRECT_DEFAULTS {
            if attr(&r, k).is_null() {
                set(&mut r, k, Value::string(d));
            }
        }
        set(&mut a, "redirect", Value::List(vec![r]));
    }
    if let Some(mut f) = first(&a, "fixed_response").cloned() {
        if attr(&f, "status_code").is_null() {
            let had = prior.and_then(|p| first(p, "fixed_response")).map(|p| attr(p, "status_code").clone()).unwrap_or(Value::Unknown);
            set(&mut f, "status_code", had);
        }
        set(&mut a, "fixed_response", Value::List(vec![f]));
    }
    if let Some(mut f) = first(&a, "forward").cloned() {
        let groups: Vec<Value> = items(attr(&f, "target_group"))
            .into_iter()
            .map(|mut g| {
                if attr(&g, "weight").is_null() {
                    set(&mut g, "weight", Value::Number(1.0));
                }
                g
            })
            .collect();
        set(&mut f, "target_group", Value::set(groups));
        if let Some(mut st) = first(&f, "stickiness").cloned() {
            if attr(&st, "enabled").is_null() {
                set(&mut st, "enabled", Value::Bool(false));
            }
            set(&mut f, "stickiness", Value::List(vec![st]));
        }
        set(&mut a, "forward", Value::List(vec![f]));
        // The provider reads a one-group forward back as `target_group_arn` too.
        if attr(&a, "target_group_arn").is_null() {
            let only = items(attr(first(&a, "forward").unwrap_or(&Value::Null), "target_group"));
            let arn = match only.as_slice() {
                [g] => attr(g, "arn").clone(),
                _ => prior.map(|p| attr(p, "target_group_arn").clone()).unwrap_or(Value::Null),
            };
            set(&mut a, "target_group_arn", arn);
        }
    }
    a
}

/// `DefaultActions.member.N...` for the planned actions.
fn action_params(mut params: Params, planned: &Value) -> Params {
    for (i, a) in items(attr(planned, "default_action")).iter().enumerate() {
        let pre = format!("DefaultActions.member.{}", i + 1);
        let mut put = |k: &str, v: String| params = std::mem::take(&mut params).add(&format!("{pre}.{k}"), v);
        put("Type", text(a, "type"));
        if let Some(n) = attr(a, "order").as_f64() {
            put("Order", number(n));
        }
        let forward = first(a, "forward");
        if let (Some(arn), None) = (attr(a, "target_group_arn").as_str(), forward) {
            put("TargetGroupArn", arn.to_string());
        }
        if let Some(f) = forward {
            for (j, g) in items(attr(f, "target_group")).iter().enumerate() {
                put(&format!("ForwardConfig.TargetGroups.member.{}.TargetGroupArn", j + 1), text(g, "arn"));
                if let Some(w) = attr(g, "weight").as_f64() {
                    put(&format!("ForwardConfig.TargetGroups.member.{}.Weight", j + 1), number(w));
                }
            }
            if let Some(st) = first(f, "stickiness") {
                put("ForwardConfig.TargetGroupStickinessConfig.Enabled", (attr(st, "enabled").as_bool() == Some(true)).to_string());
                if let Some(d) = attr(st, "duration").as_f64() {
                    put("ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", number(d));
                }
            }
        }
        if let Some(r) = first(a, "fixed_response") {
            for (k, param) in [("content_type", "ContentType"), ("message_body", "MessageBody"), ("status_code", "StatusCode")] {
                if let Some(v) = attr(r, k).as_str() {
                    put(&format!("FixedResponseConfig.{param}"), v.to_string());
                }
            }
        }
        if let Some(r) = first(a, "redirect") {
            for (k, param) in
                [("host", "Host"), ("path", "Path"), ("port", "Port"), ("protocol", "Protocol"), ("query", "Query"), ("status_code", "StatusCode")]
            {
                if let Some(v) = attr(r, k).as_str() {
                    put(&format!("RedirectConfig.{param}"), v.to_string());
                }
            }
        }
    }
    params
}

/// One action of a `Listener` element as state holds it; `configured` is the action at the
/// same place in the prior state (whether it has a `forward` block).
fn action_of(x: &Xml, configured: Option<&Value>) -> Value {
    let get = |x: &Xml, k: &str| x.text_of(k).filter(|v| !v.is_empty()).map(Value::String).unwrap_or(Value::Null);
    let kind = x.text_of("Type").unwrap_or_default();
    let mut a = BTreeMap::new();
    a.insert("type".to_string(), Value::string(&kind));
    a.insert("order".to_string(), x.text_of("Order").and_then(|o| o.parse::<f64>().ok()).map(Value::Number).unwrap_or(Value::Null));
    let forward = x.child("ForwardConfig");
    let groups: Vec<(String, f64)> = forward
        .map(|f| {
            f.members("TargetGroups")
                .into_iter()
                .map(|g| (g.text_of("TargetGroupArn").unwrap_or_default(), g.text_of("Weight").and_then(|w| w.parse().ok()).unwrap_or(1.0)))
                .collect()
        })
        .unwrap_or_default();
    let tg = x.text_of("TargetGroupArn").filter(|t| !t.is_empty()).or_else(|| if groups.len() == 1 { Some(groups[0].0.clone()) } else { None });
    a.insert("target_group_arn".to_string(), if kind == "forward" { tg.map(Value::String).unwrap_or(Value::Null) } else { Value::Null });
    let wants_forward = configured.and_then(|c| first(c, "forward")).is_some();
    let mut forward_block = Value::List(vec![]);
    if kind == "forward" && wants_forward {
        let set_groups: Vec<Value> = groups.iter().map(|(arn, w)| Value::object([("arn", Value::string(arn)), ("weight", Value::Number(*w))])).collect();
        let mut f = vec![("target_group", Value::set(set_groups))];
        let configured_stickiness = configured.and_then(|c| first(c, "forward")).and_then(|f| first(f, "stickiness")).is_some();
        let st = forward.and_then(|f| f.child("TargetGroupStickinessConfig"));
        let enabled = st.and_then(|s| s.text_of("Enabled")).as_deref() == Some("true");
        if configured_stickiness || enabled {
            let duration = st.and_then(|s| s.text_of("DurationSeconds")).and_then(|d| d.parse::<f64>().ok()).map(Value::Number).unwrap_or(Value::Null);
            f.push(("stickiness", Value::List(vec![Value::object([("enabled", Value::Bool(enabled)), ("duration", duration)])])));
        } else {
            f.push(("stickiness", Value::List(vec![])));
        }
        forward_block = Value::List(vec![Value::object(f)]);
    }
    a.insert("forward".to_string(), forward_block);
    let fixed = x.child("FixedResponseConfig").filter(|_| kind == "fixed-response").map(|r| {
        Value::List(vec![Value::object([
            ("content_type", get(r, "ContentType")),
            ("message_body", get(r, "MessageBody")),
            ("status_code", get(r, "StatusCode")),
        ])])
    });
    a.insert("fixed_response".to_string(), fixed.unwrap_or(Value::List(vec![])));
    let redirect = x.child("RedirectConfig").filter(|_| kind == "redirect").map(|r| {
        Value::List(vec![Value::object([
            ("host", get(r, "Host")),
            ("path", get(r, "Path")),
            ("port", get(r, "Port")),
            ("protocol", get(r, "Protocol")),
            ("query", get(r, "Query")),
            ("status_code", get(r, "StatusCode")),
        ])])
    });
    a.insert("redirect".to_string(), redirect.unwrap_or(Value::List(vec![])));
    Value::Map(std::sync::Arc::new(a))
}

fn check(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    for a in items(attr(config, "default_action")) {
        let kind = attr(&a, "type").as_str().unwrap_or_default().to_string();
        let has = |b: &str| first(&a, b).is_some();
        let needs = match kind.as_str() {
            "forward" if attr(&a, "target_group_arn").is_null() && !has("forward") => Some("a forward action needs target_group_arn or a forward block"),
            "redirect" if !has("redirect") => Some("a redirect action needs a redirect block"),
            "fixed-response" if !has("fixed_response") => Some("a fixed-response action needs a fixed_response block"),
            "forward" | "redirect" | "fixed-response" => None,
            "authenticate-cognito" | "authenticate-oidc" | "jwt-validation" => Some("skyform does not implement this action type yet"),
            _ => Some("expected type to be one of forward, redirect, fixed-response, authenticate-cognito, authenticate-oidc, jwt-validation"),
        };
        if let Some(why) = needs {
            d.push(Diagnostic::error("Invalid default_action", format!("{why} (type {kind:?})")).for_attribute("default_action"));
        }
    }
    d
}

/// The `DescribeListeners` entry of the listener `arn`.
async fn find(p: &AwsProvider, arn: &str) -> Result<Option<Xml>, ApiError> {
    match p.query.call(&ELBV2, "DescribeListeners", Params::new().list("ListenerArns", [arn])).await {
        Ok(x) => Ok(x.find("Listeners").and_then(|l| l.all("member").find(|m| m.text_of("ListenerArn").as_deref() == Some(arn)).cloned())),
        Err(e) if gone(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The parameters `CreateListener` and `ModifyListener` share.
fn listener_params(mut params: Params, planned: &Value) -> Params {
    if let Some(n) = attr(planned, "port").as_f64() {
        params = params.add("Port", number(n));
    }
    for (arg, param) in [("protocol", "Protocol"), ("ssl_policy", "SslPolicy"), ("certificate_arn", "Certificates.member.1.CertificateArn")] {
        if let Some(v) = attr(planned, arg).as_str() {
            params = params.add(param, v);
        }
    }
    action_params(params, planned)
}

#[async_trait]
impl ResourceType<AwsProvider> for LbListener {
    fn name(&self) -> &'static str {
        "aws_lb_listener"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut resp = plan_common(p, req, &["protocol", "ssl_policy"]);
        let planned = &mut resp.planned_state;
        let prior_actions = prior.as_ref().map(|p| items(attr(p, "default_action"))).unwrap_or_default();
        let actions: Vec<Value> = items(attr(planned, "default_action")).into_iter().enumerate().map(|(i, a)| plan_action(a, prior_actions.get(i))).collect();
        set(planned, "default_action", Value::List(actions));
        resp.diagnostics.extend(check(&config));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let arn = text(&prior, "id");
        let l = match find(p, &arn).await {
            Ok(Some(l)) => l,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading ELBv2 listener {arn}"))),
        };
        let tags = match list_tags(p, &arn).await {
            Ok(t) => t,
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("listing the tags of ELBv2 listener {arn}"))),
        };
        let get = |k: &str| l.text_of(k).filter(|v| !v.is_empty()).map(Value::String).unwrap_or(Value::Null);
        let prior_actions = items(attr(&prior, "default_action"));
        let mut actions: Vec<(f64, Value)> = l
            .members("DefaultActions")
            .into_iter()
            .enumerate()
            .map(|(i, x)| {
                let a = action_of(x, prior_actions.get(i));
                (attr(&a, "order").as_f64().unwrap_or(i as f64), a)
            })
            .collect();
        actions.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut s = prior;
        set(&mut s, "id", Value::string(&arn));
        set(&mut s, "arn", Value::string(&arn));
        set(&mut s, "load_balancer_arn", get("LoadBalancerArn"));
        set(&mut s, "port", l.text_of("Port").and_then(|n| n.parse::<f64>().ok()).map(Value::Number).unwrap_or(Value::Null));
        set(&mut s, "protocol", get("Protocol"));
        set(&mut s, "ssl_policy", get("SslPolicy"));
        let certificate = l.members("Certificates").first().and_then(|c| c.text_of("CertificateArn")).filter(|c| !c.is_empty());
        set(&mut s, "certificate_arn", certificate.map(Value::String).unwrap_or(Value::Null));
        set(&mut s, "default_action", Value::List(actions.into_iter().map(|(_, a)| a).collect()));
        set_tags(p, &mut s, &tags);
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let lb = text(&planned, "load_balancer_arn");
        let params = listener_params(Params::new().add("LoadBalancerArn", &lb), &planned);
        let created = match p.query.write(&ELBV2, "CreateListener", tag_params(params, attr(&planned, "tags_all"))).await {
            Ok(x) => x,
            Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("creating ELBv2 listener of {lb}"))),
        };
        let Some(arn) = created.find("ListenerArn").map(|a| a.text.clone()) else {
            return ApplyResponse::failed(None, Diagnostic::error("Invalid response", format!("creating ELBv2 listener of {lb}: no ARN in the answer")).into());
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&arn));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let result: Result<(), Diagnostics> = async {
            if ["port", "protocol", "ssl_policy", "certificate_arn", "default_action"].iter().any(|a| changed(a)) {
                let params = listener_params(Params::new().add("ListenerArn", &arn), &planned);
                p.query.call(&ELBV2, "ModifyListener", params).await.map_err(|e| e.diagnostics(&format!("updating ELBv2 listener {arn}")))?;
            }
            sync_tags(p, &arn, attr(&prior, "tags_all"), attr(&planned, "tags_all"))
                .await
                .map_err(|e| e.diagnostics(&format!("updating the tags of ELBv2 listener {arn}")))
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        match p.query.write(&ELBV2, "DeleteListener", Params::new().add("ListenerArn", &arn)).await {
            Err(e) if !gone(&e) => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("deleting ELBv2 listener {arn}"))),
            _ => ApplyResponse::ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_get_defaults_and_parameters() {
        let redirect = Value::List(vec![Value::object([("status_code", Value::string("HTTP_301")), ("protocol", Value::string("HTTPS"))])]);
        let a = plan_action(Value::object([("type", Value::string("redirect")), ("redirect", redirect)]), None);
        let r = first(&a, "redirect").unwrap();
        assert_eq!((text(r, "host"), text(r, "protocol"), text(r, "path")), ("#{host}".into(), "HTTPS".into(), "/#{path}".into()));
        assert_eq!(attr(&a, "order"), &Value::Unknown);
        let planned = Value::object([(
            "default_action",
            Value::List(vec![Value::object([("type", Value::string("forward")), ("target_group_arn", Value::string("tg"))])]),
        )]);
        let keys: Vec<String> = action_params(Params::new(), &planned).0.into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["DefaultActions.member.1.Type", "DefaultActions.member.1.TargetGroupArn"]);
        let bad = Value::object([("default_action", Value::List(vec![Value::object([("type", Value::string("redirect"))])]))]);
        assert!(check(&bad).has_errors());
    }
}
