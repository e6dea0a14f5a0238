//! Role assumption in `provider "aws"`, as Terraform's provider does it: first
//! `assume_role_with_web_identity {}` (STS AssumeRoleWithWebIdentity with an OIDC token, whose
//! credentials replace the base ones), then each `assume_role {}` block in order (STS AssumeRole,
//! each with the credentials the one before gave). The temporary credentials sign every later
//! call. Owns the two blocks' schemas; the factory in `mod.rs` calls [`with_web_identity`] and
//! [`assume_roles`] while it builds the clients.
//!
//! `assume_role_with_web_identity` takes `role_arn`, `session_name`, `web_identity_token` or
//! `web_identity_token_file`, `duration`, `policy` and `policy_arns`; unset, `role_arn`,
//! `session_name` and the token file come from `AWS_ROLE_ARN`, `AWS_ROLE_SESSION_NAME` and
//! `AWS_WEB_IDENTITY_TOKEN_FILE`. `assume_role` takes `role_arn`, `session_name`,
//! `external_id`, `duration`, `policy`, `policy_arns`, `source_identity`, `tags` (session tags)
//! and `transitive_tag_keys`.

use aws_config::SdkConfig;
use aws_sdk_sts::types::{PolicyDescriptorType, Tag};

use super::errors::aws_error;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::string_map;
use crate::provider::{AttrType, AttributeSchema, BlockSchema};
use crate::value::Value;

/// The arguments both blocks share.
fn shared() -> Vec<(&'static str, AttributeSchema)> {
    let s = |t| AttributeSchema::optional().typed(t);
    vec![
        ("role_arn", s(AttrType::String)),
        ("session_name", s(AttrType::String)),
        ("duration", s(AttrType::String)),
        ("policy", s(AttrType::String)),
        ("policy_arns", s(AttrType::SetOfString)),
    ]
}

/// `assume_role {}`'s implemented arguments.
pub(super) fn assume_role_schema() -> BlockSchema {
    let s = |t| AttributeSchema::optional().typed(t);
    let mut a = shared();
    a.extend([
        ("external_id", s(AttrType::String)),
        ("source_identity", s(AttrType::String)),
        ("tags", s(AttrType::MapOfString)),
        ("transitive_tag_keys", s(AttrType::SetOfString)),
    ]);
    BlockSchema::new(a)
}

/// `assume_role_with_web_identity {}`'s arguments.
pub(super) fn web_identity_schema() -> BlockSchema {
    let mut a = shared();
    a.push(("web_identity_token", AttributeSchema::optional().typed(AttrType::String).sensitive()));
    a.push(("web_identity_token_file", AttributeSchema::optional().typed(AttrType::String)));
    BlockSchema::new(a)
}

/// A non-empty string argument of a block.
fn text(b: &Value, name: &str) -> Option<String> {
    b.get_attr(name).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// A non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.is_empty())
}

/// `duration` in seconds ("1h", "15m", ...).
fn duration(b: &Value, block: &str) -> Result<Option<i32>, Diagnostics> {
    let Some(d) = text(b, "duration") else { return Ok(None) };
    match crate::provider::builtin::time_sleep::parse_duration(&d) {
        Ok(x) => Ok(Some(x.as_secs() as i32)),
        Err(_) => Err(Diagnostic::error(format!("Invalid {block} duration"), format!("\"{d}\" is not a duration such as \"1h\" or \"15m\".")).into()),
    }
}

/// A set or list of strings argument; None when unset or empty.
fn strings(b: &Value, name: &str) -> Option<Vec<String>> {
    let items: Vec<String> = match b.get_attr(name) {
        Some(Value::List(items) | Value::Set(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    (!items.is_empty()).then_some(items)
}

fn policy_arns(b: &Value) -> Option<Vec<PolicyDescriptorType>> {
    strings(b, "policy_arns").map(|arns| arns.into_iter().map(|a| PolicyDescriptorType::builder().arn(a).build()).collect())
}

/// `tags` as STS session tags, in key order.
fn session_tags(b: &Value) -> Result<Option<Vec<Tag>>, Diagnostics> {
    let tags: std::collections::BTreeMap<String, String> = b.get_attr("tags").map(string_map).unwrap_or_default().into_iter().collect();
    let tags: Result<Vec<Tag>, Diagnostics> = tags
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(|e| Diagnostic::error("Invalid assume_role tags", e.to_string()).into()))
        .collect();
    Ok(Some(tags?).filter(|t| !t.is_empty()))
}

/// An STS client with the current credentials, at `endpoints { sts }` when set.
fn sts(sdk: &SdkConfig, endpoint: &Option<String>) -> aws_sdk_sts::Client {
    let mut conf = aws_sdk_sts::config::Builder::from(sdk);
    if let Some(url) = endpoint {
        conf = conf.endpoint_url(url);
    }
    aws_sdk_sts::Client::from_conf(conf.build())
}

/// `sdk` signing with the temporary credentials STS returned for `role`.
fn signed_with(sdk: SdkConfig, c: Option<&aws_sdk_sts::types::Credentials>, role: &str, source: &'static str) -> Result<SdkConfig, Diagnostics> {
    let Some(c) = c else {
        return Err(Diagnostic::error("Cannot assume IAM role", format!("STS returned no credentials for {role}.")).into());
    };
    let creds = aws_sdk_s3::config::Credentials::new(c.access_key_id(), c.secret_access_key(), Some(c.session_token().to_string()), None, source);
    Ok(sdk.into_builder().credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(creds)).build())
}

/// `assume_role_with_web_identity {}`: STS AssumeRoleWithWebIdentity with the token (or the
/// token file's content), its credentials replacing the base ones. Without the block, `sdk`
/// as it is (the SDK's default chain reads the same environment variables).
pub(super) async fn with_web_identity(sdk: SdkConfig, config: &Value, sts_endpoint: Option<String>) -> Result<SdkConfig, Diagnostics> {
    let Some(Value::List(blocks)) = config.get_attr("assume_role_with_web_identity") else { return Ok(sdk) };
    let Some(b) = blocks.first() else { return Ok(sdk) };
    const BLOCK: &str = "assume_role_with_web_identity";
    let missing = |what: &str| -> Diagnostics { Diagnostic::error(format!("Incomplete {BLOCK}"), format!("{BLOCK} needs {what}.")).into() };
    let role = text(b, "role_arn").or_else(|| env("AWS_ROLE_ARN")).ok_or_else(|| missing("role_arn (or the AWS_ROLE_ARN environment variable)"))?;
    let token = match text(b, "web_identity_token") {
        Some(t) => t,
        None => {
            let file = text(b, "web_identity_token_file")
                .or_else(|| env("AWS_WEB_IDENTITY_TOKEN_FILE"))
                .ok_or_else(|| missing("web_identity_token or web_identity_token_file (or the AWS_WEB_IDENTITY_TOKEN_FILE environment variable)"))?;
            let t = std::fs::read_to_string(&file)
                .map_err(|e| -> Diagnostics { Diagnostic::error("Cannot read the web identity token", format!("Reading \"{file}\": {e}.")).into() })?;
            t.trim().to_string()
        }
    };
    let out = sts(&sdk, &sts_endpoint)
        .assume_role_with_web_identity()
        .role_arn(&role)
        .role_session_name(text(b, "session_name").or_else(|| env("AWS_ROLE_SESSION_NAME")).unwrap_or_else(|| "skyform".into()))
        .web_identity_token(token)
        .set_policy(text(b, "policy"))
        .set_policy_arns(policy_arns(b))
        .set_duration_seconds(duration(b, BLOCK)?)
        .send()
        .await
        .map_err(|e| aws_error(&format!("assuming IAM role {role} with a web identity"), &e))?;
    signed_with(sdk, out.credentials(), &role, "skyform-assume-role-with-web-identity")
}

/// `assume_role` blocks, in order, each assumed with the credentials the one before gave. A
/// block without `role_arn` is skipped.
pub(super) async fn assume_roles(mut sdk: SdkConfig, config: &Value, sts_endpoint: Option<String>) -> Result<SdkConfig, Diagnostics> {
    let Some(Value::List(blocks)) = config.get_attr("assume_role") else { return Ok(sdk) };
    for b in blocks.iter() {
        let Some(role) = text(b, "role_arn") else { continue };
        let out = sts(&sdk, &sts_endpoint)
            .assume_role()
            .role_arn(&role)
            .role_session_name(text(b, "session_name").unwrap_or_else(|| "skyform".into()))
            .set_external_id(text(b, "external_id"))
            .set_policy(text(b, "policy"))
            .set_policy_arns(policy_arns(b))
            .set_source_identity(text(b, "source_identity"))
            .set_tags(session_tags(b)?)
            .set_transitive_tag_keys(strings(b, "transitive_tag_keys"))
            .set_duration_seconds(duration(b, "assume_role")?)
            .send()
            .await
            .map_err(|e| aws_error(&format!("assuming IAM role {role}"), &e))?;
        sdk = signed_with(sdk, out.credentials(), &role, "skyform-assume-role")?;
    }
    Ok(sdk)
}
