//! `aws_autoscaling_group`: an EC2 Auto Scaling group launched from a launch template.
//! Replaced when `name` (else one generated from `name_prefix`, else from `terraform-`) or
//! `name_prefix` changes. In place (`UpdateAutoScalingGroup`): `min_size`, `max_size`,
//! `desired_capacity` (chosen by AWS when unset), `vpc_zone_identifier`, `availability_zones`,
//! the `launch_template` block (`id` or `name`, `version`), `health_check_type` (AWS chooses
//! "EC2"), `health_check_grace_period` (300), `default_cooldown`, `termination_policies`,
//! `max_instance_lifetime`, `capacity_rebalance`, `protect_from_scale_in` (false);
//! `target_group_arns` (attach/detach calls); the `tag` blocks (`CreateOrUpdateTags`,
//! `DeleteTags`). Kept in state and used by creates and deletes: `wait_for_capacity_timeout`
//! ("10m"; "0" skips the wait for `min_size` (or `desired_capacity`) instances `InService`
//! after a create), `force_delete` (else the group is scaled to zero and drained first).
//! Computed: `id` (the name, also the import id), `arn`. Tags are the `tag` blocks (the type
//! has no `tags` map, as in the provider).
//!
//! Auto Scaling speaks the Query protocol ([`super::query_api`], service [`AUTOSCALING`]).
//! moto 5 ignores `TerminationPolicies`, `DefaultCooldown` and `MaxInstanceLifetime` in
//! `UpdateAutoScalingGroup`, so the lifecycle case changes sizes, grace period and tags.
//!
//! Not implemented: launch configurations, `mixed_instances_policy`, `load_balancers`
//! (classic), `traffic_source`, warm pools, instance refresh and maintenance policies,
//! lifecycle hooks, `enabled_metrics`, `suspended_processes`, `placement_group`,
//! `service_linked_role_arn`, ELB capacity waits, `context`, `region`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::iam_common::{name_prefix_of, resource_name};
use super::json_api::{provider_defaults, updated, ApiError};
use super::query_api::{Params, Xml, AUTOSCALING};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_autoscaling_group")
        .implement(&[
            "arn",
            "availability_zones",
            "capacity_rebalance",
            "default_cooldown",
            "desired_capacity",
            "force_delete",
            "health_check_grace_period",
            "health_check_type",
            "id",
            "launch_template",
            "max_instance_lifetime",
            "max_size",
            "min_size",
            "name",
            "name_prefix",
            "protect_from_scale_in",
            "tag",
            "target_group_arns",
            "termination_policies",
            "vpc_zone_identifier",
            "wait_for_capacity_timeout",
        ])
        .computed_only(&["id"])
        .defaulted(&["force_delete", "health_check_grace_period", "protect_from_scale_in", "wait_for_capacity_timeout"])
        .force_new(&["name", "name_prefix"])
        .build()
}

/// `aws_autoscaling_group`.
pub struct AutoscalingGroup;

/// Provider defaults of the optional arguments that have one.
fn defaults() -> [(&'static str, Value); 4] {
    [
        ("force_delete", Value::Bool(false)),
        ("health_check_grace_period", Value::Number(300.0)),
        ("protect_from_scale_in", Value::Bool(false)),
        ("wait_for_capacity_timeout", Value::string("10m")),
    ]
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Set(items) | Value::List(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(items) | Value::Set(items) => items.clone(),
        _ => Vec::new(),
    }
}

fn number(n: f64) -> String {
    format!("{}", n as i64)
}

/// The `tag` blocks as (key, (value, propagate_at_launch)).
fn tag_blocks(v: &Value) -> BTreeMap<String, (String, bool)> {
    items(attr(v, "tag")).iter().map(|t| (text(t, "key"), (text(t, "value"), attr(t, "propagate_at_launch").as_bool() == Some(true)))).collect()
}

/// `Tags.member.N.*` for tags of the group `name`.
fn tag_params(mut params: Params, name: &str, tags: &BTreeMap<String, (String, bool)>) -> Params {
    for (i, (k, (v, propagate))) in tags.iter().enumerate() {
        let pre = format!("Tags.member.{}", i + 1);
        params = params
            .add(&format!("{pre}.ResourceId"), name)
            .add(&format!("{pre}.ResourceType"), "auto-scaling-group")
            .add(&format!("{pre}.Key"), k)
            .add(&format!("{pre}.Value"), v)
            .add(&format!("{pre}.PropagateAtLaunch"), propagate.to_string());
    }
    params
}

/// The parameters `CreateAutoScalingGroup` and `UpdateAutoScalingGroup` share.
fn group_params(mut params: Params, planned: &Value) -> Params {
    for (arg, param) in [
        ("min_size", "MinSize"),
        ("max_size", "MaxSize"),
        ("desired_capacity", "DesiredCapacity"),
        ("health_check_grace_period", "HealthCheckGracePeriod"),
        ("default_cooldown", "DefaultCooldown"),
        ("max_instance_lifetime", "MaxInstanceLifetime"),
    ] {
        if let Some(n) = attr(planned, arg).as_f64() {
            params = params.add(param, number(n));
        }
    }
    if let Some(t) = attr(planned, "health_check_type").as_str() {
        params = params.add("HealthCheckType", t);
    }
    let subnets = strings(attr(planned, "vpc_zone_identifier"));
    if !subnets.is_empty() {
        params = params.add("VPCZoneIdentifier", subnets.join(","));
    }
    let zones = strings(attr(planned, "availability_zones"));
    if !zones.is_empty() {
        params = params.list("AvailabilityZones", zones);
    }
    let policies = strings(attr(planned, "termination_policies"));
    if !policies.is_empty() {
        params = params.list("TerminationPolicies", policies);
    }
    if let Some(b) = attr(planned, "capacity_rebalance").as_bool() {
        params = params.add("CapacityRebalance", b.to_string());
    }
    if let Some(b) = attr(planned, "protect_from_scale_in").as_bool() {
        params = params.add("NewInstancesProtectedFromScaleIn", b.to_string());
    }
    if let Some(lt) = items(attr(planned, "launch_template")).first() {
        if let Some(id) = attr(lt, "id").as_str().filter(|s| !s.is_empty()) {
            params = params.add("LaunchTemplate.LaunchTemplateId", id);
        } else if let Some(name) = attr(lt, "name").as_str().filter(|s| !s.is_empty()) {
            params = params.add("LaunchTemplate.LaunchTemplateName", name);
        }
        if let Some(v) = attr(lt, "version").as_str().filter(|s| !s.is_empty()) {
            params = params.add("LaunchTemplate.Version", v);
        }
    }
    params
}

/// The group's `DescribeAutoScalingGroups` entry.
async fn find(p: &AwsProvider, name: &str) -> Result<Option<Xml>, ApiError> {
    let x = p.query.call(&AUTOSCALING, "DescribeAutoScalingGroups", Params::new().list("AutoScalingGroupNames", [name])).await?;
    Ok(x.find("AutoScalingGroups").and_then(|l| l.all("member").find(|g| g.text_of("AutoScalingGroupName").as_deref() == Some(name)).cloned()))
}

/// `wait_for_capacity_timeout` as a duration (`"10m"`, `"90s"`, `"1h"`; `"0"` is none).
fn timeout(v: &Value) -> Option<Duration> {
    let s = v.as_str().unwrap_or("10m");
    let (n, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len()));
    let n: f64 = n.parse().ok()?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    (secs > 0.0).then(|| Duration::from_secs_f64(secs))
}

/// The instances of the group that are `InService` and `Healthy`, and all of them.
fn instances(g: &Xml) -> (usize, usize) {
    let all = g.members("Instances");
    let ready =
        all.iter().filter(|i| i.text_of("LifecycleState").as_deref() == Some("InService") && i.text_of("HealthStatus").as_deref() == Some("Healthy")).count();
    (ready, all.len())
}

/// Polls the group until `done` says it is ready.
async fn wait(p: &AwsProvider, name: &str, limit: Duration, what: &str, done: impl Fn(Option<&Xml>) -> bool) -> Result<(), Diagnostics> {
    let start = Instant::now();
    loop {
        let g = find(p, name).await.map_err(|e| e.diagnostics(&format!("reading Auto Scaling group {name}")))?;
        if done(g.as_ref()) {
            return Ok(());
        }
        if start.elapsed() > limit {
            return Err(Diagnostic::error("Timeout waiting for Auto Scaling group", format!("Auto Scaling group {name}: {what} within {limit:?}.")).into());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

fn check(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if items(attr(config, "launch_template")).is_empty() && attr(config, "launch_template").is_known() {
        d.push(
            Diagnostic::error(
                "Missing required argument",
                "one of `launch_template` must be specified (skyform does not implement launch_configuration or mixed_instances_policy yet)",
            )
            .for_attribute("launch_template"),
        );
    }
    if !attr(config, "name").is_null() && !attr(config, "name_prefix").is_null() {
        d.push(Diagnostic::error("Conflicting configuration arguments", "\"name\": conflicts with name_prefix").for_attribute("name"));
    }
    if let (Some(min), Some(max)) = (attr(config, "min_size").as_f64(), attr(config, "max_size").as_f64()) {
        if min > max {
            d.push(Diagnostic::error("Invalid value", format!("\"min_size\" ({min}) must not be greater than \"max_size\" ({max})")).for_attribute("min_size"));
        }
    }
    if let Some(s) = attr(config, "wait_for_capacity_timeout").as_str() {
        if s != "0" && timeout(&Value::string(s)).is_none() {
            d.push(
                Diagnostic::error("Invalid value", format!("\"wait_for_capacity_timeout\": not a duration: {s:?}")).for_attribute("wait_for_capacity_timeout"),
            );
        }
    }
    d
}

#[async_trait]
impl ResourceType<AwsProvider> for AutoscalingGroup {
    fn name(&self) -> &'static str {
        "aws_autoscaling_group"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, prior) = (req.config.clone(), req.prior_state.clone());
        let mut planned = req.proposed_new_state;
        provider_defaults(&mut planned, &config, &defaults());
        if prior.is_none() {
            for a in ["availability_zones", "default_cooldown", "desired_capacity", "health_check_type", "target_group_arns", "vpc_zone_identifier"] {
                if attr(&config, a).is_null() {
                    set(&mut planned, a, Value::Unknown);
                }
            }
            if attr(&config, "name").is_null() {
                set(&mut planned, "name", Value::Unknown);
            }
            if attr(&config, "name_prefix").is_null() {
                set(&mut planned, "name_prefix", if attr(&config, "name").is_null() { Value::Unknown } else { Value::Null });
            }
        }
        // `version` and the id/name of the template AWS fills in when not configured.
        let lts: Vec<Value> = items(attr(&planned, "launch_template"))
            .into_iter()
            .map(|mut lt| {
                let had = prior.as_ref().and_then(|p| items(attr(p, "launch_template")).first().cloned());
                for a in ["id", "name", "version"] {
                    if attr(&lt, a).is_null() {
                        set(&mut lt, a, had.as_ref().map(|h| attr(h, a).clone()).filter(|_| a == "version" || prior.is_some()).unwrap_or(Value::Unknown));
                    }
                }
                lt
            })
            .collect();
        if !lts.is_empty() {
            set(&mut planned, "launch_template", Value::List(lts));
        }
        let mut resp = PlanResponse::planned(planned);
        resp.diagnostics.extend(check(&config));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let g = match find(p, &name).await {
            Ok(Some(g)) => g,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading Auto Scaling group {name}"))),
        };
        let get = |k: &str| g.text_of(k).filter(|v| !v.is_empty());
        let num = |k: &str| get(k).and_then(|v| v.parse::<f64>().ok()).map(Value::Number).unwrap_or(Value::Null);
        let list = |k: &str| g.members(k).into_iter().map(|m| Value::string(&m.text)).collect::<Vec<_>>();
        let mut s = prior;
        set(&mut s, "id", Value::string(&name));
        set(&mut s, "name", Value::string(&name));
        set(&mut s, "name_prefix", name_prefix_of(&name));
        set(&mut s, "arn", get("AutoScalingGroupARN").map(Value::String).unwrap_or(Value::Null));
        for (arg, field) in [
            ("min_size", "MinSize"),
            ("max_size", "MaxSize"),
            ("desired_capacity", "DesiredCapacity"),
            ("health_check_grace_period", "HealthCheckGracePeriod"),
            ("default_cooldown", "DefaultCooldown"),
        ] {
            set(&mut s, arg, num(field));
        }
        if attr(&s, "max_instance_lifetime").is_known() && !(attr(&s, "max_instance_lifetime").is_null() && get("MaxInstanceLifetime").is_none_or(|v| v == "0"))
        {
            set(&mut s, "max_instance_lifetime", num("MaxInstanceLifetime"));
        }
        set(&mut s, "health_check_type", get("HealthCheckType").map(Value::String).unwrap_or(Value::Null));
        set(&mut s, "availability_zones", Value::set(list("AvailabilityZones")));
        let subnets: Vec<Value> = get("VPCZoneIdentifier").map(|v| v.split(',').filter(|s| !s.is_empty()).map(Value::string).collect()).unwrap_or_default();
        set(&mut s, "vpc_zone_identifier", Value::set(subnets));
        set(&mut s, "target_group_arns", Value::set(list("TargetGroupARNs")));
        let policies = list("TerminationPolicies");
        // AWS answers `["Default"]` for a group created without policies.
        let unset = attr(&s, "termination_policies").is_null() && (policies.is_empty() || (policies.len() == 1 && policies[0].as_str() == Some("Default")));
        set(&mut s, "termination_policies", if unset { Value::Null } else { Value::List(policies) });
        let flag = |k: &str| Value::Bool(get(k).as_deref() == Some("true"));
        if get("CapacityRebalance").as_deref() == Some("true") || !attr(&s, "capacity_rebalance").is_null() {
            set(&mut s, "capacity_rebalance", flag("CapacityRebalance"));
        }
        set(&mut s, "protect_from_scale_in", flag("NewInstancesProtectedFromScaleIn"));
        let lt = g.child("LaunchTemplate").map(|lt| {
            let f = |k: &str| lt.text_of(k).filter(|v| !v.is_empty()).map(Value::String).unwrap_or(Value::Null);
            Value::object([("id", f("LaunchTemplateId")), ("name", f("LaunchTemplateName")), ("version", f("Version"))])
        });
        set(&mut s, "launch_template", Value::List(lt.into_iter().collect()));
        let tags: Vec<Value> = g
            .members("Tags")
            .into_iter()
            .filter(|t| !t.text_of("Key").unwrap_or_default().starts_with("aws:"))
            .map(|t| {
                Value::object([
                    ("key", Value::string(t.text_of("Key").unwrap_or_default())),
                    ("value", Value::string(t.text_of("Value").unwrap_or_default())),
                    ("propagate_at_launch", Value::Bool(t.text_of("PropagateAtLaunch").as_deref() == Some("true"))),
                ])
            })
            .collect();
        set(&mut s, "tag", Value::set(tags));
        for (arg, v) in defaults() {
            if attr(&s, arg).is_null() {
                set(&mut s, arg, v);
            }
        }
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = resource_name(&planned);
        let params = group_params(Params::new().add("AutoScalingGroupName", &name), &planned);
        let params = tag_params(params, &name, &tag_blocks(&planned));
        let mut params = params;
        let groups = strings(attr(&planned, "target_group_arns"));
        if !groups.is_empty() {
            params = params.list("TargetGroupARNs", groups);
        }
        if let Err(e) = p.query.write(&AUTOSCALING, "CreateAutoScalingGroup", params).await {
            return ApplyResponse::failed(None, e.diagnostics(&format!("creating Auto Scaling group {name}")));
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        set(&mut state, "name", Value::string(&name));
        if let Some(limit) = timeout(attr(&state, "wait_for_capacity_timeout")) {
            let want = attr(&state, "desired_capacity").as_f64().or(attr(&state, "min_size").as_f64()).unwrap_or(0.0) as usize;
            let waited = wait(p, &name, limit, &format!("{want} instances did not become InService"), |g| g.is_some_and(|g| instances(g).0 >= want)).await;
            if let Err(d) = waited {
                return ApplyResponse::failed(Some(state), d);
            }
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let what = format!("updating Auto Scaling group {name}");
        let result: Result<(), Diagnostics> = async {
            let group_args = [
                "min_size",
                "max_size",
                "desired_capacity",
                "health_check_grace_period",
                "health_check_type",
                "default_cooldown",
                "max_instance_lifetime",
                "vpc_zone_identifier",
                "availability_zones",
                "termination_policies",
                "capacity_rebalance",
                "protect_from_scale_in",
                "launch_template",
            ];
            if group_args.iter().any(|a| changed(a)) {
                let params = group_params(Params::new().add("AutoScalingGroupName", &name), &planned);
                p.query.call(&AUTOSCALING, "UpdateAutoScalingGroup", params).await.map_err(|e| e.diagnostics(&what))?;
            }
            if changed("target_group_arns") {
                let (had, want) = (strings(attr(&prior, "target_group_arns")), strings(attr(&planned, "target_group_arns")));
                let gone: Vec<&String> = had.iter().filter(|a| !want.contains(a)).collect();
                let new: Vec<&String> = want.iter().filter(|a| !had.contains(a)).collect();
                if !gone.is_empty() {
                    let params = Params::new().add("AutoScalingGroupName", &name).list("TargetGroupARNs", gone);
                    p.query.call(&AUTOSCALING, "DetachLoadBalancerTargetGroups", params).await.map_err(|e| e.diagnostics(&what))?;
                }
                if !new.is_empty() {
                    let params = Params::new().add("AutoScalingGroupName", &name).list("TargetGroupARNs", new);
                    p.query.call(&AUTOSCALING, "AttachLoadBalancerTargetGroups", params).await.map_err(|e| e.diagnostics(&what))?;
                }
            }
            let (had, want) = (tag_blocks(&prior), tag_blocks(&planned));
            let stale: BTreeMap<String, (String, bool)> = had.iter().filter(|(k, _)| !want.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
            if !stale.is_empty() {
                p.query.call(&AUTOSCALING, "DeleteTags", tag_params(Params::new(), &name, &stale)).await.map_err(|e| e.diagnostics(&what))?;
            }
            let new: BTreeMap<String, (String, bool)> = want.iter().filter(|(k, v)| had.get(*k) != Some(v)).map(|(k, v)| (k.clone(), v.clone())).collect();
            if !new.is_empty() {
                p.query.call(&AUTOSCALING, "CreateOrUpdateTags", tag_params(Params::new(), &name, &new)).await.map_err(|e| e.diagnostics(&what))?;
            }
            Ok(())
        }
        .await;
        updated(self, p, result, prior, planned).await
    }

    /// Unless `force_delete`, scales the group to zero and waits for its instances to go; then
    /// deletes it and waits until it is gone.
    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let force = attr(&prior, "force_delete").as_bool() == Some(true);
        let result: Result<(), Diagnostics> = async {
            if !force {
                let params = Params::new().add("AutoScalingGroupName", &name).add("MinSize", "0").add("MaxSize", "0").add("DesiredCapacity", "0");
                match p.query.call(&AUTOSCALING, "UpdateAutoScalingGroup", params).await {
                    Err(e) if e.code == "ValidationError" && e.message.contains("not found") => return Ok(()),
                    Err(e) => return Err(e.diagnostics(&format!("draining Auto Scaling group {name}"))),
                    Ok(_) => {}
                }
                wait(p, &name, Duration::from_secs(10 * 60), "its instances were not terminated", |g| g.is_none_or(|g| instances(g).1 == 0)).await?;
            }
            let params = Params::new().add("AutoScalingGroupName", &name).add("ForceDelete", force.to_string());
            match p.query.write(&AUTOSCALING, "DeleteAutoScalingGroup", params).await {
                Err(e) if e.code == "ValidationError" && e.message.contains("not found") => return Ok(()),
                Err(e) => return Err(e.diagnostics(&format!("deleting Auto Scaling group {name}"))),
                Ok(_) => {}
            }
            wait(p, &name, Duration::from_secs(10 * 60), "it was not deleted", |g| g.is_none()).await
        }
        .await;
        match result {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_timeouts() {
        assert_eq!(timeout(&Value::string("10m")), Some(Duration::from_secs(600)));
        assert_eq!(timeout(&Value::string("0")), None);
        let planned = Value::object([
            ("min_size", Value::Number(1.0)),
            ("vpc_zone_identifier", Value::set(vec![Value::string("subnet-a"), Value::string("subnet-b")])),
            ("launch_template", Value::List(vec![Value::object([("id", Value::string("lt-1")), ("version", Value::string("$Latest"))])])),
        ]);
        let p = group_params(Params::new(), &planned);
        assert!(p.0.contains(&("VPCZoneIdentifier".to_string(), "subnet-a,subnet-b".to_string())));
        assert!(p.0.contains(&("LaunchTemplate.LaunchTemplateId".to_string(), "lt-1".to_string())));
        let tags: BTreeMap<String, (String, bool)> = [("env".to_string(), ("dev".to_string(), true))].into();
        assert_eq!(tag_params(Params::new(), "g", &tags).0.len(), 5);
        assert!(check(&Value::object([("min_size", Value::Number(3.0)), ("max_size", Value::Number(1.0))])).has_errors());
    }
}
