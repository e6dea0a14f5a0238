//! `aws_iam_policy` (a customer managed policy): `name`/`name_prefix`, `path` (`/`),
//! `description`, `policy`, `delay_after_policy_creation_in_ms`, `tags`; computed `arn`, `id`
//! (the ARN), `policy_id`, `attachment_count`, `tags_all`. A new name, prefix, path or
//! description replaces the policy; a new document is a new default version (the oldest
//! non-default version is deleted first when there are five, as the provider does); an
//! equivalent document is no change. Imported by ARN.

use async_trait::async_trait;

use super::ec2::{plan_common, set_tags};
use super::errors::aws_error;
use super::iam_common::{default, gone, name_prefix_of, plan_name, plan_policy, resource_name, tag_changes, tag_map, tags};
use super::iam_policy_json::{normalize, policy_to_set, url_decoded};
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_iam_policy")
        .implement(&[
            "arn",
            "attachment_count",
            "delay_after_policy_creation_in_ms",
            "description",
            "id",
            "name",
            "name_prefix",
            "path",
            "policy",
            "policy_id",
            "tags",
            "tags_all",
        ])
        .force_new(&["description", "name", "name_prefix", "path"])
        .build()
}

/// `aws_iam_policy`.
pub struct IamPolicy;

async fn versions(p: &AwsProvider, arn: &str) -> Result<Vec<aws_sdk_iam::types::PolicyVersion>, Diagnostics> {
    let out = p.iam.list_policy_versions().policy_arn(arn).into_paginator().items().send().try_collect().await;
    out.map_err(|e| aws_error(&format!("listing the versions of IAM policy {arn}"), &e))
}

async fn delete_version(p: &AwsProvider, arn: &str, v: &aws_sdk_iam::types::PolicyVersion) -> Result<(), Diagnostics> {
    let id = v.version_id().unwrap_or_default();
    p.iam_write
        .delete_policy_version()
        .policy_arn(arn)
        .version_id(id)
        .send()
        .await
        .map_err(|e| aws_error(&format!("deleting version {id} of IAM policy {arn}"), &e))?;
    Ok(())
}

/// `policyPruneVersions`: with five versions, deletes the oldest non-default one.
async fn prune(p: &AwsProvider, arn: &str) -> Result<(), Diagnostics> {
    let all = versions(p, arn).await?;
    if all.len() < 5 {
        return Ok(());
    }
    let oldest = all.iter().filter(|v| !v.is_default_version()).min_by_key(|v| v.create_date().map(|d| (d.secs(), d.subsec_nanos())));
    match oldest {
        Some(v) => delete_version(p, arn, v).await,
        None => Ok(()),
    }
}

#[async_trait]
impl ResourceType<AwsProvider> for IamPolicy {
    fn name(&self) -> &'static str {
        "aws_iam_policy"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (prior, config, creating) = (req.prior_state.clone(), req.config.clone(), req.prior_state.is_none());
        let mut resp = plan_common(p, req, &[]);
        let planned = &mut resp.planned_state;
        default(planned, "path", Value::string("/"));
        resp.diagnostics.extend(plan_name(planned, &config, creating, 128));
        resp.diagnostics.extend(plan_policy(planned, prior.as_ref(), "policy", true));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let arn = text(&prior, "id");
        let policy = match p.iam.get_policy().policy_arn(&arn).send().await {
            Ok(o) => match o.policy {
                Some(x) => x,
                None => return ReadResponse::gone(),
            },
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading IAM policy {arn}"), &e)),
        };
        let version = policy.default_version_id().unwrap_or_default();
        let doc = match p.iam.get_policy_version().policy_arn(&arn).version_id(version).send().await {
            Ok(o) => o.policy_version.and_then(|v| v.document).unwrap_or_default(),
            Err(e) if gone(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, aws_error(&format!("reading the document of IAM policy {arn}"), &e)),
        };
        let mut s = prior;
        let name = policy.policy_name().unwrap_or_default();
        let doc = policy_to_set(attr(&s, "policy").as_str().unwrap_or_default(), &url_decoded(&doc));
        set(&mut s, "policy", Value::String(doc));
        set(&mut s, "arn", policy.arn().map(Value::string).unwrap_or(Value::Null));
        set(&mut s, "id", policy.arn().map(Value::string).unwrap_or(Value::Null));
        set(&mut s, "name", Value::string(name));
        set(&mut s, "name_prefix", name_prefix_of(name));
        set(&mut s, "path", policy.path().map(Value::string).unwrap_or(Value::Null));
        set(&mut s, "description", policy.description().filter(|d| !d.is_empty()).map(Value::string).unwrap_or(Value::Null));
        set(&mut s, "policy_id", policy.policy_id().map(Value::string).unwrap_or(Value::Null));
        set(&mut s, "attachment_count", Value::Number(policy.attachment_count().unwrap_or(0) as f64));
        set_tags(p, &mut s, &tag_map(policy.tags()));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = resource_name(&planned);
        let doc = normalize(&text(&planned, "policy")).unwrap_or_default();
        let tag_list = tags(attr(&planned, "tags_all"));
        let call = p
            .iam_write
            .create_policy()
            .policy_name(&name)
            .path(text(&planned, "path"))
            .description(text(&planned, "description"))
            .policy_document(doc)
            .set_tags((!tag_list.is_empty()).then_some(tag_list));
        let arn = match call.send().await {
            Ok(o) => o.policy.and_then(|x| x.arn).unwrap_or_default(),
            Err(e) => return ApplyResponse::failed(None, aws_error(&format!("creating IAM policy {name}"), &e)),
        };
        let mut state = planned;
        set(&mut state, "id", Value::string(&arn));
        let r = self.read(p, state.clone()).await;
        ApplyResponse::read_back(r, state)
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        let iam = &p.iam_write;
        let result: Result<(), Diagnostics> = async {
            if attr(&prior, "policy") != attr(&planned, "policy") {
                prune(p, &arn).await?;
                let doc = normalize(&text(&planned, "policy")).unwrap_or_default();
                let delay = attr(&planned, "delay_after_policy_creation_in_ms").as_f64().filter(|ms| *ms > 0.0);
                let what = format!("creating a version of IAM policy {arn}");
                let out = iam.create_policy_version().policy_arn(&arn).policy_document(doc).set_as_default(delay.is_none()).send().await;
                let version = out.map_err(|e| aws_error(&what, &e))?.policy_version.and_then(|v| v.version_id).unwrap_or_default();
                if let Some(ms) = delay {
                    tokio::time::sleep(std::time::Duration::from_millis(ms as u64)).await;
                    let what = format!("setting the default version of IAM policy {arn}");
                    iam.set_default_policy_version().policy_arn(&arn).version_id(version).send().await.map_err(|e| aws_error(&what, &e))?;
                }
            }
            let (stale, new) = tag_changes(attr(&prior, "tags_all"), attr(&planned, "tags_all"));
            let what = format!("updating the tags of IAM policy {arn}");
            if !stale.is_empty() {
                iam.untag_policy().policy_arn(&arn).set_tag_keys(Some(stale)).send().await.map_err(|e| aws_error(&what, &e))?;
            }
            if !new.is_empty() {
                iam.tag_policy().policy_arn(&arn).set_tags(Some(new)).send().await.map_err(|e| aws_error(&what, &e))?;
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

    /// Deletes the non-default versions, then the policy.
    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let arn = text(&prior, "id");
        let result: Result<(), Diagnostics> = async {
            let all = match p.iam.list_policy_versions().policy_arn(&arn).into_paginator().items().send().try_collect().await {
                Ok(v) => v,
                Err(e) if gone(&e) => return Ok(()),
                Err(e) => return Err(aws_error(&format!("listing the versions of IAM policy {arn}"), &e)),
            };
            for v in all.iter().filter(|v| !v.is_default_version()) {
                delete_version(p, &arn, v).await?;
            }
            match p.iam_write.delete_policy().policy_arn(&arn).send().await {
                Err(e) if !gone(&e) => Err(aws_error(&format!("deleting IAM policy {arn}"), &e)),
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
