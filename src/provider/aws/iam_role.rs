//! `aws_iam_role`: `name`/`name_prefix`, `path` (`/`), `assume_role_policy`, `description`,
//! `max_session_duration` (3600), `permissions_boundary`, `managed_policy_arns`,
//! `force_detach_policies` (false), `tags`; computed `arn`, `id` (the name), `unique_id`,
//! `create_date`, `tags_all`. A new name, prefix or path replaces the role; the rest changes in
//! place. An equivalent trust policy (reordered, reformatted) is no change and the state keeps
//! the configured string. Deleting removes the role from its instance profiles, detaches its
//! managed policies and deletes its inline ones first, as the provider does. `inline_policy` is
//! not implemented (use `aws_iam_role_policy`).

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::errors::aws_error;
use super::iam_common::{default, gone, name_prefix_of, opt, plan_name, plan_policy, resource_name, rfc3339, tag_changes, tag_map, tags};
use super::iam_policy_json::{normalize, policy_to_set, url_decoded};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, defaults, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_iam_role")
        .implement(&[
            "arn",
            "assume_role_policy",
            "create_date",
            "description",
            "force_detach_policies",
            "id",
            "managed_policy_arns",
            "max_session_duration",
            "name",
            "name_prefix",
            "path",
            "permissions_boundary",
            "tags",
            "tags_all",
            "unique_id",
        ])
        .force_new(&["name", "name_prefix", "path"])
        .build()
}

/// `aws_iam_role`.
pub struct IamRole;

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Set(items) | Value::List(items) => items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

async fn attached(p: &AwsProvider, role: &str) -> Result<Vec<String>, Diagnostics> {
    let pages = p.iam.list_attached_role_policies().role_name(role).into_paginator().items().send();
    let found: Vec<_> = pages.try_collect().await.map_err(|e| aws_error(&format!("listing the policies attached to IAM role {role}"), &e))?;
    Ok(found.iter().filter_map(|a| a.policy_arn().map(str::to_string)).collect())
}

async fn attach(p: &AwsProvider, role: &str, add: &[String], remove: &[String]) -> Result<(), Diagnostics> {
    for arn in remove {
        match p.iam_write.detach_role_policy().role_name(role).policy_arn(arn).send().await {
            Err(e) if !gone(&e) => return Err(aws_error(&format!("detaching policy {arn} from IAM role {role}"), &e)),
            _ => {}
        }
    }
    for arn in add {
        p.iam_write
            .attach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| aws_error(&format!("attaching policy {arn} to IAM role {role}"), &e))?;
    }
    Ok(())
}

fn check(planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(n) = attr(planned, "max_session_duration").as_f64() {
        if !(3600.0..=43200.0).contains(&n) {
            d.push(
                Diagnostic::error("Invalid value", format!("expected max_session_duration to be in the range (3600 - 43200), got {n}"))
                    .for_attribute("max_session_duration"),
            );
        }
    }
    if attr(planned, "description").as_str().is_some_and(|s| s.chars().count() > 1000) {
        d.push(Diagnostic::error("Invalid value", "expected length of description to be in the range (0 - 1000)").for_attribute("description"));
    }
    d
}

#[async_trait]
impl ResourceType<AwsProvider> for IamRole {
    fn name(&self) -> &'static str {
        "aws_iam_role"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config, creating) = (req.prior_state.clone(), req.config.clone(), req.prior_state.is_none());
        let mut resp = plan_common(p, req, &["managed_policy_arns"]);
        let planned = &mut resp.planned_state;
        default(planned, "path", Value::string("/"));
        default(planned, "max_session_duration", Value::Number(3600.0));
        default(planned, "force_detach_policies", Value::Bool(false));
        resp.diagnostics.extend(plan_name(planned, &config, creating, 64));
        resp.diagnostics.extend(plan_policy(planned, prior.as_ref(), "assume_role_policy", false));
        resp.diagnostics.extend(check(planned));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let role = match p.iam.get_role().role_name(&name).send().await {
            Ok(o) => match o.role {
                Some(r) => r,
                None => return ReadResponse::gone(),
            },
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading IAM role {name}"), &e)),
        };
        let managed = match attached(p, &name).await {
            Ok(m) => m,
            Err(d) => return ReadResponse::failed(prior, d),
        };
        let mut s = prior;
        let trust = url_decoded(role.assume_role_policy_document().unwrap_or_default());
        let policy = policy_to_set(attr(&s, "assume_role_policy").as_str().unwrap_or_default(), &trust);
        set(&mut s, "assume_role_policy", Value::String(policy));
        set(&mut s, "id", Value::string(role.role_name()));
        set(&mut s, "name", Value::string(role.role_name()));
        set(&mut s, "name_prefix", name_prefix_of(role.role_name()));
        set(&mut s, "arn", Value::string(role.arn()));
        set(&mut s, "unique_id", Value::string(role.role_id()));
        set(&mut s, "path", Value::string(role.path()));
        set(&mut s, "create_date", rfc3339(Some(role.create_date())));
        set(&mut s, "description", role.description().filter(|d| !d.is_empty()).map(Value::string).unwrap_or(Value::Null));
        set(&mut s, "max_session_duration", role.max_session_duration().map(|n| Value::Number(n as f64)).unwrap_or(Value::Null));
        let boundary = role.permissions_boundary().and_then(|b| b.permissions_boundary_arn());
        set(&mut s, "permissions_boundary", boundary.map(Value::string).unwrap_or(Value::Null));
        set(&mut s, "managed_policy_arns", Value::set(managed.into_iter().map(Value::String).collect()));
        defaults(&mut s, &[("force_detach_policies", Value::Bool(false))]);
        set_tags(p, &mut s, &tag_map(role.tags()));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = resource_name(&planned);
        let policy = normalize(&text(&planned, "assume_role_policy")).unwrap_or_default();
        let tag_list = tags(attr(&planned, "tags_all"));
        let call = p
            .iam_write
            .create_role()
            .role_name(&name)
            .path(text(&planned, "path"))
            .assume_role_policy_document(policy)
            .set_description(opt(&planned, "description"))
            .set_max_session_duration(attr(&planned, "max_session_duration").as_f64().map(|n| n as i32))
            .set_permissions_boundary(opt(&planned, "permissions_boundary"))
            .set_tags((!tag_list.is_empty()).then_some(tag_list));
        if let Err(e) = call.send().await {
            return ApplyResponse::failed(None, aws_error(&format!("creating IAM role {name}"), &e));
        }
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&name));
        let add = if attr(&planned, "managed_policy_arns").is_known() { strings(attr(&planned, "managed_policy_arns")) } else { Vec::new() };
        if let Err(d) = attach(p, &name, &add, &[]).await {
            return ApplyResponse::failed(Some(state), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let iam = &p.iam_write;
        let what = |x: &str| format!("updating the {x} of IAM role {name}");
        let result: Result<(), Diagnostics> = async {
            if changed("assume_role_policy") {
                let doc = normalize(&text(&planned, "assume_role_policy")).unwrap_or_default();
                iam.update_assume_role_policy().role_name(&name).policy_document(doc).send().await.map_err(|e| aws_error(&what("trust policy"), &e))?;
            }
            if changed("description") {
                let d = text(&planned, "description");
                iam.update_role_description().role_name(&name).description(d).send().await.map_err(|e| aws_error(&what("description"), &e))?;
            }
            if changed("max_session_duration") {
                let n = attr(&planned, "max_session_duration").as_f64().unwrap_or(3600.0) as i32;
                iam.update_role().role_name(&name).max_session_duration(n).send().await.map_err(|e| aws_error(&what("max_session_duration"), &e))?;
            }
            if changed("permissions_boundary") {
                match opt(&planned, "permissions_boundary") {
                    Some(arn) => iam
                        .put_role_permissions_boundary()
                        .role_name(&name)
                        .permissions_boundary(arn)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| aws_error(&what("permissions boundary"), &e))?,
                    None => iam
                        .delete_role_permissions_boundary()
                        .role_name(&name)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| aws_error(&what("permissions boundary"), &e))?,
                }
            }
            if changed("managed_policy_arns") && attr(&planned, "managed_policy_arns").is_known() {
                let (had, want) = (strings(attr(&prior, "managed_policy_arns")), strings(attr(&planned, "managed_policy_arns")));
                let add: Vec<String> = want.iter().filter(|a| !had.contains(a)).cloned().collect();
                let remove: Vec<String> = had.iter().filter(|a| !want.contains(a)).cloned().collect();
                attach(p, &name, &add, &remove).await?;
            }
            let (stale, new) = tag_changes(attr(&prior, "tags_all"), attr(&planned, "tags_all"));
            if !stale.is_empty() {
                iam.untag_role().role_name(&name).set_tag_keys(Some(stale)).send().await.map_err(|e| aws_error(&what("tags"), &e))?;
            }
            if !new.is_empty() {
                iam.tag_role().role_name(&name).set_tags(Some(new)).send().await.map_err(|e| aws_error(&what("tags"), &e))?;
            }
            Ok(())
        }
        .await;
        if let Err(d) = result {
            return ApplyResponse::failed(Some(prior), d);
        }
        let r = self.read(p, planned.clone()).await;
        ApplyResponse::read_back(r, planned)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let force = attr(&prior, "force_detach_policies") == &Value::Bool(true);
        let managed = force || !strings(attr(&prior, "managed_policy_arns")).is_empty();
        match delete_role(p, &name, managed).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }
}

/// The provider's `DeleteRole`: out of its instance profiles, managed policies detached, inline
/// policies deleted, then the role.
async fn delete_role(p: &AwsProvider, name: &str, managed: bool) -> Result<(), Diagnostics> {
    let iam = &p.iam_write;
    let profiles: Vec<_> = match iam.list_instance_profiles_for_role().role_name(name).into_paginator().items().send().try_collect().await {
        Ok(x) => x,
        Err(e) if gone(&e) => return Ok(()),
        Err(e) => return Err(aws_error(&format!("listing the instance profiles of IAM role {name}"), &e)),
    };
    for ip in profiles {
        match iam.remove_role_from_instance_profile().role_name(name).instance_profile_name(ip.instance_profile_name()).send().await {
            Err(e) if !gone(&e) => return Err(aws_error(&format!("removing IAM role {name} from instance profile {}", ip.instance_profile_name()), &e)),
            _ => {}
        }
    }
    if managed {
        let arns = attached(p, name).await?;
        attach(p, name, &[], &arns).await?;
    }
    let inline: Vec<String> = iam
        .list_role_policies()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| aws_error(&format!("listing the inline policies of IAM role {name}"), &e))?;
    for policy in inline {
        match iam.delete_role_policy().role_name(name).policy_name(&policy).send().await {
            Err(e) if !gone(&e) => return Err(aws_error(&format!("deleting inline policy {policy} of IAM role {name}"), &e)),
            _ => {}
        }
    }
    match iam.delete_role().role_name(name).send().await {
        Err(e) if !gone(&e) => Err(aws_error(&format!("deleting IAM role {name}"), &e)),
        _ => Ok(()),
    }
}
