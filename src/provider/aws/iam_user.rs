//! `aws_iam_user`: `name`, `path` (`/`), `permissions_boundary`, `force_destroy` (false),
//! `tags`; computed `arn`, `id` (the name), `unique_id`, `tags_all`. Name and path change in
//! place (UpdateUser), as in the provider. Deleting removes the user from its groups; with
//! `force_destroy` it first deletes the user's access keys, SSH keys, MFA devices, login
//! profile, signing certificates, service-specific credentials and policies.

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use aws_sdk_iam::error::ProvideErrorMetadata;

use super::errors::aws_error;
use super::iam_common::{default, found, gone, opt, tag_changes, tag_map, tags};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, defaults, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_iam_user").implement(&["arn", "force_destroy", "id", "name", "path", "permissions_boundary", "tags", "tags_all", "unique_id"]).build()
}

/// `aws_iam_user`.
pub struct IamUser;

#[async_trait]
impl ResourceType<AwsProvider> for IamUser {
    fn name(&self) -> &'static str {
        "aws_iam_user"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let creating = req.prior_state.is_none();
        let mut resp = plan_common(p, req, &[]);
        let planned = &mut resp.planned_state;
        default(planned, "path", Value::string("/"));
        default(planned, "force_destroy", Value::Bool(false));
        if creating {
            set(planned, "id", Value::Unknown);
        }
        if let Some(n) = attr(planned, "name").as_str() {
            if n.is_empty() || n.len() > 64 || !n.chars().all(|c| c.is_ascii_alphanumeric() || "=,.@-_+".contains(c)) {
                let why = format!("invalid IAM user name {n:?}: 1 to 64 characters from letters, digits and =,.@-_+");
                resp.diagnostics.push(Diagnostic::error("Invalid value", why).for_attribute("name"));
            }
        }
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let name = text(&prior, "id");
        let user = match found(p.iam.get_user().user_name(&name).send().await, || format!("reading IAM user {name}")) {
            Ok(Some(o)) => match o.user {
                Some(u) => u,
                None => return ReadResponse::gone(),
            },
            Ok(None) => return ReadResponse::gone(),
            Err(d) => return ReadResponse::failed(prior, d),
        };
        let mut s = prior;
        set(&mut s, "id", Value::string(user.user_name()));
        set(&mut s, "name", Value::string(user.user_name()));
        set(&mut s, "arn", Value::string(user.arn()));
        set(&mut s, "unique_id", Value::string(user.user_id()));
        set(&mut s, "path", Value::string(user.path()));
        let boundary = user.permissions_boundary().and_then(|b| b.permissions_boundary_arn());
        set(&mut s, "permissions_boundary", boundary.map(Value::string).unwrap_or(Value::Null));
        defaults(&mut s, &[("force_destroy", Value::Bool(false))]);
        set_tags(p, &mut s, &tag_map(user.tags()));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&planned, "name");
        let tag_list = tags(attr(&planned, "tags_all"));
        let call = p
            .iam_write
            .create_user()
            .user_name(&name)
            .path(text(&planned, "path"))
            .set_permissions_boundary(opt(&planned, "permissions_boundary"))
            .set_tags((!tag_list.is_empty()).then_some(tag_list));
        if let Err(e) = call.send().await {
            return ApplyResponse::failed(None, aws_error(&format!("creating IAM user {name}"), &e));
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let old = text(&prior, "id");
        let changed = |a: &str| attr(&prior, a) != attr(&planned, a);
        let iam = &p.iam_write;
        let mut name = old.clone();
        let result: Result<(), Diagnostics> = async {
            if changed("name") || changed("path") {
                let call = iam.update_user().user_name(&old).new_user_name(text(&planned, "name")).new_path(text(&planned, "path"));
                call.send().await.map_err(|e| aws_error(&format!("updating IAM user {old}"), &e))?;
                name = text(&planned, "name");
            }
            let what = format!("updating the permissions boundary of IAM user {name}");
            if changed("permissions_boundary") {
                match opt(&planned, "permissions_boundary") {
                    Some(arn) => iam
                        .put_user_permissions_boundary()
                        .user_name(&name)
                        .permissions_boundary(arn)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| aws_error(&what, &e))?,
                    None => iam.delete_user_permissions_boundary().user_name(&name).send().await.map(|_| ()).map_err(|e| aws_error(&what, &e))?,
                }
            }
            let (stale, new) = tag_changes(attr(&prior, "tags_all"), attr(&planned, "tags_all"));
            let what = format!("updating the tags of IAM user {name}");
            if !stale.is_empty() {
                iam.untag_user().user_name(&name).set_tag_keys(Some(stale)).send().await.map_err(|e| aws_error(&what, &e))?;
            }
            if !new.is_empty() {
                iam.tag_user().user_name(&name).set_tags(Some(new)).send().await.map_err(|e| aws_error(&what, &e))?;
            }
            Ok(())
        }
        .await;
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        if let Err(d) = result {
            let mut kept = prior;
            set(&mut kept, "id", Value::string(&name));
            return ApplyResponse::failed(Some(kept), d);
        }
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let force = attr(&prior, "force_destroy") == &Value::Bool(true);
        let result = async {
            remove_from_groups(p, &name).await?;
            if force {
                delete_credentials(p, &name).await?;
                delete_policies(p, &name).await?;
            }
            found(p.iam_write.delete_user().user_name(&name).send().await, || format!("deleting IAM user {name}")).map(|_| ())
        };
        match result.await {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }
}

async fn remove_from_groups(p: &AwsProvider, user: &str) -> Result<(), Diagnostics> {
    let iam = &p.iam_write;
    let groups = found(iam.list_groups_for_user().user_name(user).into_paginator().items().send().try_collect().await, || {
        format!("listing the groups of IAM user {user}")
    })?;
    for g in groups.unwrap_or_default() {
        found(iam.remove_user_from_group().user_name(user).group_name(g.group_name()).send().await, || {
            format!("removing IAM user {user} from group {}", g.group_name())
        })?;
    }
    Ok(())
}

/// Access keys, SSH keys, MFA devices, login profile, signing certificates, service credentials.
async fn delete_credentials(p: &AwsProvider, user: &str) -> Result<(), Diagnostics> {
    let iam = &p.iam_write;
    let what = |x: &str| format!("deleting the {x} of IAM user {user}");
    let keys = found(iam.list_access_keys().user_name(user).into_paginator().items().send().try_collect().await, || what("access keys"))?;
    for k in keys.unwrap_or_default() {
        found(iam.delete_access_key().user_name(user).set_access_key_id(k.access_key_id().map(str::to_string)).send().await, || what("access keys"))?;
    }
    let ssh = found(iam.list_ssh_public_keys().user_name(user).into_paginator().items().send().try_collect().await, || what("SSH keys"))?;
    for k in ssh.unwrap_or_default() {
        found(iam.delete_ssh_public_key().user_name(user).ssh_public_key_id(k.ssh_public_key_id()).send().await, || what("SSH keys"))?;
    }
    let mfa = found(iam.list_mfa_devices().user_name(user).into_paginator().items().send().try_collect().await, || what("MFA devices"))?;
    for d in mfa.unwrap_or_default() {
        found(iam.deactivate_mfa_device().user_name(user).serial_number(d.serial_number()).send().await, || what("MFA devices"))?;
        if d.serial_number().starts_with("arn:") {
            found(iam.delete_virtual_mfa_device().serial_number(d.serial_number()).send().await, || what("MFA devices"))?;
        }
    }
    found(iam.delete_login_profile().user_name(user).send().await, || what("login profile"))?;
    let certs = found(iam.list_signing_certificates().user_name(user).into_paginator().items().send().try_collect().await, || what("signing certificates"))?;
    for c in certs.unwrap_or_default() {
        found(iam.delete_signing_certificate().user_name(user).certificate_id(c.certificate_id()).send().await, || what("signing certificates"))?;
    }
    // An answer with no error code and a 5xx status is an emulator without this call (moto 5.2
    // answers 500, retried once only): there are no such credentials to delete.
    let once = aws_sdk_iam::config::Builder::default().retry_config(aws_sdk_iam::config::retry::RetryConfig::standard().with_max_attempts(2));
    let listed = match iam.list_service_specific_credentials().user_name(user).customize().config_override(once).send().await {
        Err(e) if e.as_service_error().and_then(|s| s.code()).is_none() && e.raw_response().is_some_and(|r| r.status().is_server_error()) => Ok(None),
        other => found(other, || what("service-specific credentials")),
    };
    for c in listed?.map(|o| o.service_specific_credentials.unwrap_or_default()).unwrap_or_default() {
        let id = c.service_specific_credential_id();
        found(iam.delete_service_specific_credential().user_name(user).service_specific_credential_id(id).send().await, || {
            what("service-specific credentials")
        })?;
    }
    Ok(())
}

/// Inline policies deleted, managed policies detached.
async fn delete_policies(p: &AwsProvider, user: &str) -> Result<(), Diagnostics> {
    let iam = &p.iam_write;
    let what = || format!("deleting the policies of IAM user {user}");
    let inline = found(iam.list_user_policies().user_name(user).into_paginator().items().send().try_collect().await, what)?;
    for name in inline.unwrap_or_default() {
        found(iam.delete_user_policy().user_name(user).policy_name(&name).send().await, what)?;
    }
    let attached = found(iam.list_attached_user_policies().user_name(user).into_paginator().items().send().try_collect().await, what)?;
    for a in attached.unwrap_or_default() {
        match iam.detach_user_policy().user_name(user).set_policy_arn(a.policy_arn().map(str::to_string)).send().await {
            Err(e) if !gone(&e) => return Err(aws_error(&what(), &e)),
            _ => {}
        }
    }
    Ok(())
}
