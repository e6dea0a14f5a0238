//! `aws_iam_instance_profile`: `name`/`name_prefix`, `path` (`/`), `role`, `tags`; computed
//! `arn`, `id` (the name), `unique_id`, `create_date`, `tags_all`. A new name, prefix or path
//! replaces the profile; a new role is swapped in place (the old one removed, the new one
//! added). As in the provider, a profile whose role no longer exists has the role removed and
//! the read fails once, so the next plan adds the role again.

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::errors::aws_error;
use super::iam_common::{default, gone, name_prefix_of, opt, plan_name, resource_name, rfc3339, tag_changes, tag_map, tags};
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_iam_instance_profile")
        .implement(&["arn", "create_date", "id", "name", "name_prefix", "path", "role", "tags", "tags_all", "unique_id"])
        .force_new(&["name", "name_prefix", "path"])
        .build()
}

/// `aws_iam_instance_profile`.
pub struct IamInstanceProfile;

async fn add_role(p: &AwsProvider, profile: &str, role: &str) -> Result<(), Diagnostics> {
    let call = p.iam_write.add_role_to_instance_profile().instance_profile_name(profile).role_name(role);
    call.send().await.map_err(|e| aws_error(&format!("adding IAM role {role} to instance profile {profile}"), &e))?;
    Ok(())
}

async fn remove_role(p: &AwsProvider, profile: &str, role: &str) -> Result<(), Diagnostics> {
    match p.iam_write.remove_role_from_instance_profile().instance_profile_name(profile).role_name(role).send().await {
        Err(e) if !gone(&e) => Err(aws_error(&format!("removing IAM role {role} from instance profile {profile}"), &e)),
        _ => Ok(()),
    }
}

#[async_trait]
impl ResourceType<AwsProvider> for IamInstanceProfile {
    fn name(&self) -> &'static str {
        "aws_iam_instance_profile"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, creating) = (req.config.clone(), req.prior_state.is_none());
        let mut resp = plan_common(p, req, &[]);
        default(&mut resp.planned_state, "path", Value::string("/"));
        resp.diagnostics.extend(plan_name(&mut resp.planned_state, &config, creating, 128));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let ip = match p.iam.get_instance_profile().instance_profile_name(&name).send().await {
            Ok(o) => match o.instance_profile {
                Some(x) => x,
                None => return ReadResponse::gone(),
            },
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading IAM instance profile {name}"), &e)),
        };
        let role = ip.roles().first().map(|r| r.role_name().to_string());
        if let Some(role) = &role {
            if let Err(e) = p.iam.get_role().role_name(role).send().await {
                let mut d = aws_error(&format!("reading IAM role {role} attached to IAM instance profile {name}"), &e);
                if gone(&e) {
                    if let Err(more) = remove_role(p, &name, role).await {
                        d.extend(more);
                    }
                }
                return ReadResponse::failed(prior, d);
            }
        }
        let mut s = prior;
        set(&mut s, "id", Value::string(ip.instance_profile_name()));
        set(&mut s, "name", Value::string(ip.instance_profile_name()));
        set(&mut s, "name_prefix", name_prefix_of(ip.instance_profile_name()));
        set(&mut s, "arn", Value::string(ip.arn()));
        set(&mut s, "unique_id", Value::string(ip.instance_profile_id()));
        set(&mut s, "path", Value::string(ip.path()));
        set(&mut s, "create_date", rfc3339(Some(ip.create_date())));
        set(&mut s, "role", role.map(Value::String).unwrap_or(Value::Null));
        set_tags(p, &mut s, &tag_map(ip.tags()));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = resource_name(&planned);
        let tag_list = tags(attr(&planned, "tags_all"));
        let call = p
            .iam_write
            .create_instance_profile()
            .instance_profile_name(&name)
            .path(text(&planned, "path"))
            .set_tags((!tag_list.is_empty()).then_some(tag_list));
        if let Err(e) = call.send().await {
            return ApplyResponse::failed(None, aws_error(&format!("creating IAM instance profile {name}"), &e));
        }
        let mut state = planned.clone();
        set(&mut state, "id", Value::string(&name));
        if let Some(role) = opt(&planned, "role") {
            if let Err(d) = add_role(p, &name, &role).await {
                set(&mut state, "role", Value::Null);
                return ApplyResponse::failed(Some(state), d);
            }
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let result: Result<(), Diagnostics> = async {
            if attr(&prior, "role") != attr(&planned, "role") {
                if let Some(old) = opt(&prior, "role") {
                    remove_role(p, &name, &old).await?;
                }
                if let Some(new) = opt(&planned, "role") {
                    add_role(p, &name, &new).await?;
                }
            }
            let (stale, new) = tag_changes(attr(&prior, "tags_all"), attr(&planned, "tags_all"));
            let what = format!("updating the tags of IAM instance profile {name}");
            if !stale.is_empty() {
                p.iam_write.untag_instance_profile().instance_profile_name(&name).set_tag_keys(Some(stale)).send().await.map_err(|e| aws_error(&what, &e))?;
            }
            if !new.is_empty() {
                p.iam_write.tag_instance_profile().instance_profile_name(&name).set_tags(Some(new)).send().await.map_err(|e| aws_error(&what, &e))?;
            }
            Ok(())
        }
        .await;
        if let Err(d) = result {
            let r = self.read(p, prior.clone()).await;
            return ApplyResponse::failed(r.new_state.or(Some(prior)), d);
        }
        let r = self.read(p, planned.clone()).await;
        ApplyResponse::read_back(r, planned)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let result: Result<(), Diagnostics> = async {
            if let Some(role) = opt(&prior, "role") {
                remove_role(p, &name, &role).await?;
            }
            match p.iam_write.delete_instance_profile().instance_profile_name(&name).send().await {
                Err(e) if !gone(&e) => Err(aws_error(&format!("deleting IAM instance profile {name}"), &e)),
                _ => Ok(()),
            }
        }
        .await;
        match result {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }
}
