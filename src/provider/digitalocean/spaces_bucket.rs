//! `digitalocean_spaces_bucket`: `name` and `region` (default `nyc3`; both force-new), `acl`
//! (`private`, the default, or `public-read`), `force_destroy`, `versioning { enabled }`,
//! `cors_rule` and `lifecycle_rule` blocks; computed `id` (the name), `urn` (`do:space:NAME`),
//! `endpoint` (`REGION.digitaloceanspaces.com`) and `bucket_domain_name` (`NAME.` that). The
//! ACL, versioning, CORS and lifecycle rules change in place and are read back (drift shows);
//! `force_destroy` empties the bucket (every object version) before deleting it. Imported by
//! `REGION,NAME`, as in Terraform.
//!
//! The S3 calls are the AWS driver's ([`crate::provider::aws`]): its bucket emptying, versioning
//! and CORS rule conversions, on the region's Spaces client.

use async_trait::async_trait;
use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketCannedAcl, BucketLifecycleConfiguration, BucketVersioningStatus, CorsConfiguration, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, NoncurrentVersionExpiration,
};

use super::{acl_problem, canned_acl, spaces_error, DigitalOceanProvider, DEFAULT_REGION};
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::aws::s3_bucket::{code, empty_bucket, name_problem, not_found};
use crate::provider::aws::{aws_error, s3_bucket_cors_configuration as cors, s3_bucket_versioning, AwsProvider};
use crate::provider::helpers::{attr, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const TYPE: &str = "digitalocean_spaces_bucket";

/// The arguments of a `cors_rule` block (the AWS conversion also knows `expose_headers`, `id`).
const CORS_ARGS: &[&str] = &["allowed_headers", "allowed_methods", "allowed_origins", "max_age_seconds"];

/// The objects of a nested block value (list or set).
fn blocks(v: &Value) -> &[Value] {
    match v {
        Value::List(items) | Value::Set(items) => items,
        _ => &[],
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> Diagnostics {
    Diagnostic::error("Invalid configuration", format!("{what}: {e}")).into()
}

/// The attributes derived from the name and region (unknown while either is). `endpoint` and
/// `bucket_domain_name` are DigitalOcean's host names whatever `spaces_endpoint` says, as
/// Terraform's provider computes them.
fn with_name(mut v: Value) -> Value {
    let (name, region) = (attr(&v, "name").as_str().map(str::to_string), attr(&v, "region").as_str().map(str::to_string));
    let host = region.map(|r| format!("{}.digitaloceanspaces.com", r.to_lowercase()));
    let derived = |x: Option<String>| x.map(Value::String).unwrap_or(Value::Unknown);
    set(&mut v, "id", derived(name.clone()));
    set(&mut v, "urn", derived(name.as_ref().map(|n| format!("do:space:{n}"))));
    set(&mut v, "endpoint", derived(host.clone()));
    set(&mut v, "bucket_domain_name", derived(name.zip(host).map(|(n, h)| format!("{n}.{h}"))));
    v
}

fn versioning_enabled(v: &Value) -> bool {
    blocks(attr(v, "versioning")).first().is_some_and(|b| attr(b, "enabled").as_bool() == Some(true))
}

/// A `cors_rule` block from the rule S3 returns.
fn flatten_cors(r: &aws_sdk_s3::types::CorsRule) -> Value {
    let all = cors::flatten(r);
    Value::object(CORS_ARGS.iter().map(|n| (*n, attr(&all, n).clone())))
}

/// A lifecycle rule as S3 takes it (`id` generated when unset, as Terraform's provider does).
fn expand_rule(r: &Value) -> Result<LifecycleRule, Diagnostics> {
    let id = attr(r, "id").as_str().filter(|s| !s.is_empty()).map(str::to_string).unwrap_or_else(|| format!("tf-s3-lifecycle-{:016x}", rand::random::<u64>()));
    let status = if attr(r, "enabled").as_bool() == Some(true) { ExpirationStatus::Enabled } else { ExpirationStatus::Disabled };
    let mut rule = LifecycleRule::builder().id(id).status(status).filter(LifecycleRuleFilter::builder().prefix(text(r, "prefix")).build());
    if let Some(days) = attr(r, "abort_incomplete_multipart_upload_days").as_f64().filter(|d| *d > 0.0) {
        rule = rule.abort_incomplete_multipart_upload(AbortIncompleteMultipartUpload::builder().days_after_initiation(days as i32).build());
    }
    if let Some(e) = blocks(attr(r, "expiration")).first() {
        let mut x = LifecycleExpiration::builder();
        if let Some(d) = attr(e, "date").as_str().filter(|d| !d.is_empty()) {
            let date = DateTime::from_str(&format!("{d}T00:00:00Z"), DateTimeFormat::DateTime).map_err(|_| -> Diagnostics {
                Diagnostic::error("Invalid lifecycle_rule", format!("expiration date \"{d}\" is not a YYYY-MM-DD date.")).into()
            })?;
            x = x.date(date);
        }
        if let Some(days) = attr(e, "days").as_f64().filter(|d| *d > 0.0) {
            x = x.days(days as i32);
        }
        if let Some(m) = attr(e, "expired_object_delete_marker").as_bool().filter(|m| *m) {
            x = x.expired_object_delete_marker(m);
        }
        rule = rule.expiration(x.build());
    }
    if let Some(days) = blocks(attr(r, "noncurrent_version_expiration")).first().and_then(|n| attr(n, "days").as_f64()) {
        rule = rule.noncurrent_version_expiration(NoncurrentVersionExpiration::builder().noncurrent_days(days as i32).build());
    }
    rule.build().map_err(|e| invalid("lifecycle_rule", e))
}

/// A `lifecycle_rule` block from the rule S3 returns (unset values null, as configured).
fn flatten_rule(r: &LifecycleRule) -> Value {
    let prefix = r.filter().and_then(|f| f.prefix()).filter(|p| !p.is_empty());
    let num = |n: Option<i32>| n.map(|n| Value::Number(n.into())).unwrap_or(Value::Null);
    let expiration = r.expiration().map(|e| {
        Value::object([
            ("date", e.date().and_then(|d| d.fmt(DateTimeFormat::DateTime).ok()).map(|d| Value::string(&d[..10.min(d.len())])).unwrap_or(Value::Null)),
            ("days", num(e.days().filter(|d| *d > 0))),
            ("expired_object_delete_marker", e.expired_object_delete_marker().map(Value::Bool).unwrap_or(Value::Null)),
        ])
    });
    let noncurrent = r.noncurrent_version_expiration().map(|n| Value::object([("days", num(n.noncurrent_days()))]));
    Value::object([
        ("id", r.id().map(Value::string).unwrap_or(Value::Null)),
        ("prefix", prefix.map(Value::string).unwrap_or(Value::Null)),
        ("enabled", Value::Bool(r.status() == &ExpirationStatus::Enabled)),
        ("abort_incomplete_multipart_upload_days", num(r.abort_incomplete_multipart_upload().and_then(|a| a.days_after_initiation()))),
        ("expiration", Value::set(expiration.into_iter().collect())),
        ("noncurrent_version_expiration", Value::set(noncurrent.into_iter().collect())),
    ])
}

/// Plans `lifecycle_rule` ids: a configured one, else the one already in place at the same
/// position, else known after apply.
fn plan_rule_ids(planned: &mut Value, prior: Option<&Value>) {
    let prior_rules: Vec<Value> = prior.map(|p| blocks(attr(p, "lifecycle_rule")).to_vec()).unwrap_or_default();
    let rules: Vec<Value> = blocks(attr(planned, "lifecycle_rule"))
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            if attr(&r, "id").as_str().is_none_or(str::is_empty) {
                set(&mut r, "id", prior_rules.get(i).map(|p| attr(p, "id").clone()).filter(|v| !v.is_null()).unwrap_or(Value::Unknown));
            }
            r
        })
        .collect();
    if !rules.is_empty() {
        set(planned, "lifecycle_rule", Value::List(rules));
    }
}

/// Sets the CORS rules (deleting the configuration when there are none).
async fn put_cors(p: &AwsProvider, name: &str, v: &Value) -> Result<(), Diagnostics> {
    let rules = blocks(attr(v, "cors_rule"));
    if rules.is_empty() {
        return match p.s3_write.delete_bucket_cors().bucket(name).send().await {
            Ok(_) => Ok(()),
            Err(e) if not_found(&e) => Ok(()),
            Err(e) => Err(aws_error(&format!("deleting the CORS rules of S3 bucket \"{name}\""), &e)),
        };
    }
    let rules = rules.iter().map(cors::rule).collect::<Result<Vec<_>, _>>()?;
    let config = CorsConfiguration::builder().set_cors_rules(Some(rules)).build().map_err(|e| invalid("cors_rule", e))?;
    p.s3_write
        .put_bucket_cors()
        .bucket(name)
        .cors_configuration(config)
        .send()
        .await
        .map_err(|e| aws_error(&format!("setting the CORS rules of S3 bucket \"{name}\""), &e))?;
    Ok(())
}

/// Sets the lifecycle rules (deleting the configuration when there are none).
async fn put_lifecycle(p: &AwsProvider, name: &str, v: &Value) -> Result<(), Diagnostics> {
    let rules = blocks(attr(v, "lifecycle_rule"));
    if rules.is_empty() {
        return match p.s3_write.delete_bucket_lifecycle().bucket(name).send().await {
            Ok(_) => Ok(()),
            Err(e) if not_found(&e) => Ok(()),
            Err(e) => Err(aws_error(&format!("deleting the lifecycle rules of S3 bucket \"{name}\""), &e)),
        };
    }
    let rules = rules.iter().map(expand_rule).collect::<Result<Vec<_>, _>>()?;
    let config = BucketLifecycleConfiguration::builder().set_rules(Some(rules)).build().map_err(|e| invalid("lifecycle_rule", e))?;
    p.s3_write
        .put_bucket_lifecycle_configuration()
        .bucket(name)
        .lifecycle_configuration(config)
        .send()
        .await
        .map_err(|e| aws_error(&format!("setting the lifecycle rules of S3 bucket \"{name}\""), &e))?;
    Ok(())
}

/// Makes the bucket's ACL, versioning, CORS and lifecycle rules those of `planned` where they
/// differ from `prior` (everything configured, on a create).
async fn configure(p: &AwsProvider, prior: Option<&Value>, planned: &Value) -> Result<(), Diagnostics> {
    let name = text(planned, "name");
    let changed = |a: &str| prior.is_none_or(|x| attr(x, a) != attr(planned, a));
    if prior.is_some() && changed("acl") {
        let acl = BucketCannedAcl::from(text(planned, "acl").as_str());
        p.s3_write.put_bucket_acl().bucket(&name).acl(acl).send().await.map_err(|e| aws_error(&format!("setting the ACL of S3 bucket \"{name}\""), &e))?;
    }
    let was_enabled = prior.is_some_and(versioning_enabled);
    if versioning_enabled(planned) != was_enabled {
        let status = if versioning_enabled(planned) { BucketVersioningStatus::Enabled } else { BucketVersioningStatus::Suspended };
        s3_bucket_versioning::put_status(p, &name, status.as_str()).await?;
    }
    if changed("cors_rule") && (prior.is_some() || !blocks(attr(planned, "cors_rule")).is_empty()) {
        put_cors(p, &name, planned).await?;
    }
    if changed("lifecycle_rule") && (prior.is_some() || !blocks(attr(planned, "lifecycle_rule")).is_empty()) {
        put_lifecycle(p, &name, planned).await?;
    }
    Ok(())
}

/// Reads the bucket's settings into `state`; `None` when the bucket is gone.
async fn read_bucket(p: &AwsProvider, mut state: Value) -> Result<Option<Value>, Diagnostics> {
    let name = text(&state, "name");
    let what = |x: &str| format!("reading the {x} of S3 bucket \"{name}\"");
    match p.s3.head_bucket().bucket(&name).send().await {
        Ok(_) => {}
        Err(e) if not_found(&e) => return Ok(None),
        Err(e) => return Err(aws_error(&format!("reading S3 bucket \"{name}\""), &e)),
    }
    let acl = p.s3.get_bucket_acl().bucket(&name).send().await.map_err(|e| aws_error(&what("ACL"), &e))?;
    set(&mut state, "acl", Value::string(canned_acl(acl.grants())));
    let status = s3_bucket_versioning::get_status(p, &name).await.map_err(|e| aws_error(&what("versioning"), &e))?;
    let block = |enabled: bool| Value::List(vec![Value::object([("enabled", Value::Bool(enabled))])]);
    let versioning = match status.as_deref() {
        Some("Enabled") => block(true),
        // Suspended or never enabled: `versioning { enabled = false }` and no block alike.
        _ if !blocks(attr(&state, "versioning")).is_empty() => block(false),
        _ => Value::List(Vec::new()),
    };
    set(&mut state, "versioning", versioning);
    let rules = match p.s3.get_bucket_cors().bucket(&name).send().await {
        Ok(out) => out.cors_rules().iter().map(flatten_cors).collect(),
        Err(e) if code(&e).as_deref() == Some("NoSuchCORSConfiguration") || not_found(&e) => Vec::new(),
        Err(e) => return Err(aws_error(&what("CORS rules"), &e)),
    };
    set(&mut state, "cors_rule", Value::List(rules));
    let rules = match p.s3.get_bucket_lifecycle_configuration().bucket(&name).send().await {
        Ok(out) => out.rules().iter().map(flatten_rule).collect(),
        Err(e) if code(&e).as_deref() == Some("NoSuchLifecycleConfiguration") || not_found(&e) => Vec::new(),
        Err(e) => return Err(aws_error(&what("lifecycle rules"), &e)),
    };
    set(&mut state, "lifecycle_rule", Value::List(rules));
    Ok(Some(state))
}

async fn delete_bucket(p: &AwsProvider, prior: &Value) -> Result<(), Diagnostics> {
    let name = text(prior, "name");
    if attr(prior, "force_destroy").as_bool() == Some(true) {
        empty_bucket(p, &name).await?;
    }
    match p.s3_write.delete_bucket().bucket(&name).send().await {
        Ok(_) => Ok(()),
        Err(e) if not_found(&e) => Ok(()),
        Err(e) if code(&e).as_deref() == Some("BucketNotEmpty") => Err(Diagnostic::error(
            "Spaces bucket not empty",
            format!("Error deleting Spaces bucket \"{name}\": it still holds objects. Delete them first, or set `force_destroy = true` (and apply) to let skyform empty it."),
        )
        .into()),
        Err(e) => Err(aws_error(&format!("deleting S3 bucket \"{name}\""), &e)),
    }
}

/// `digitalocean_spaces_bucket`.
pub struct SpacesBucket;

#[async_trait]
impl ResourceType<DigitalOceanProvider> for SpacesBucket {
    fn name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> ResourceSchema {
        resource(TYPE)
            .implement(&["name", "region", "acl", "force_destroy", "versioning", "cors_rule", "lifecycle_rule", "id", "urn", "endpoint", "bucket_domain_name"])
            .computed_only(&["id"])
            .defaulted(&["region", "acl", "force_destroy"])
            .force_new(&["name", "region"])
            .build()
    }

    fn plan(&self, _c: &DigitalOceanProvider, req: PlanRequest) -> PlanResponse {
        let mut diags = Diagnostics::new();
        if let Some(name) = attr(&req.config, "name").as_str() {
            if let Some(why) = name_problem(name) {
                diags.push(Diagnostic::error("Invalid bucket name", format!("\"{name}\" is not a valid Spaces bucket name: it {why}.")).for_attribute("name"));
            }
        }
        if let Some(d) = acl_problem(&req.config) {
            diags.push(d);
        }
        let mut planned = req.proposed_new_state;
        // Terraform's defaults apply whenever the argument is not set.
        for (name, default) in [("region", Value::string(DEFAULT_REGION)), ("acl", Value::string("private")), ("force_destroy", Value::Bool(false))] {
            if attr(&req.config, name).is_null() {
                set(&mut planned, name, default);
            }
        }
        let versioning: Vec<Value> = blocks(attr(&planned, "versioning"))
            .iter()
            .map(|b| {
                let mut b = b.clone();
                if attr(&b, "enabled").is_null() {
                    set(&mut b, "enabled", Value::Bool(false));
                }
                b
            })
            .collect();
        if !versioning.is_empty() {
            set(&mut planned, "versioning", Value::List(versioning));
        }
        plan_rule_ids(&mut planned, req.prior_state.as_ref());
        let planned = with_name(planned);
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, c: &DigitalOceanProvider, prior: Value) -> ReadResponse {
        let p = match c.spaces(&text(&prior, "region")).await {
            Ok(p) => p,
            Err(d) => return ReadResponse::failed(prior, d),
        };
        match read_bucket(&p, prior.clone()).await {
            Ok(Some(state)) => ReadResponse::found(with_name(state)),
            Ok(None) => ReadResponse::gone(),
            Err(d) => ReadResponse::failed(prior, spaces_error(d)),
        }
    }

    async fn create(&self, c: &DigitalOceanProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let p = match c.spaces(&text(&planned, "region")).await {
            Ok(p) => p,
            Err(d) => return ApplyResponse::failed(None, d),
        };
        let name = text(&planned, "name");
        let acl = BucketCannedAcl::from(text(&planned, "acl").as_str());
        if let Err(e) = p.s3_write.create_bucket().bucket(&name).acl(acl).send().await {
            return ApplyResponse::failed(None, spaces_error(aws_error(&format!("creating S3 bucket \"{name}\""), &e)));
        }
        // The bucket exists from here on: a failure below still records it.
        if let Err(d) = configure(&p, None, &planned).await {
            return ApplyResponse::failed(Some(planned), spaces_error(d));
        }
        let read = self.read(c, planned.clone()).await;
        ApplyResponse::read_back(read, planned)
    }

    async fn update(&self, c: &DigitalOceanProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let p = match c.spaces(&text(&planned, "region")).await {
            Ok(p) => p,
            Err(d) => return ApplyResponse::failed(Some(prior), d),
        };
        if let Err(d) = configure(&p, Some(&prior), &planned).await {
            return ApplyResponse::failed(Some(prior), spaces_error(d));
        }
        let read = self.read(c, planned.clone()).await;
        ApplyResponse::read_back(read, planned)
    }

    async fn delete(&self, c: &DigitalOceanProvider, prior: Value) -> ApplyResponse {
        let p = match c.spaces(&text(&prior, "region")).await {
            Ok(p) => p,
            Err(d) => return ApplyResponse::failed(Some(prior), d),
        };
        match delete_bucket(&p, &prior).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), spaces_error(d)),
        }
    }

    /// Imports `REGION,NAME` (Terraform's import id).
    async fn import(&self, c: &DigitalOceanProvider, id: String, blank: Value) -> ImportResponse {
        let Some((region, name)) = id.split_once(',').filter(|(r, n)| !r.is_empty() && !n.is_empty()) else {
            return ImportResponse::failed(Diagnostic::error("Invalid import id", format!("Expected REGION,NAME (e.g. nyc3,my-bucket), got \"{id}\".")).into());
        };
        let mut state = blank;
        set(&mut state, "name", Value::string(name));
        set(&mut state, "region", Value::string(region));
        set(&mut state, "force_destroy", Value::Bool(false));
        let state = with_name(state);
        imported(self.read(c, state).await, || format!("There is no Spaces bucket \"{name}\" in region {region}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_rules_round_trip() {
        let rule = Value::object([
            ("id", Value::string("logs")),
            ("prefix", Value::string("logs/")),
            ("enabled", Value::Bool(true)),
            ("abort_incomplete_multipart_upload_days", Value::Number(7.0)),
            (
                "expiration",
                Value::set(vec![Value::object([("date", Value::Null), ("days", Value::Number(30.0)), ("expired_object_delete_marker", Value::Null)])]),
            ),
            ("noncurrent_version_expiration", Value::set(vec![Value::object([("days", Value::Number(5.0))])])),
        ]);
        assert_eq!(flatten_rule(&expand_rule(&rule).unwrap()), rule);
        let dated = Value::object([("date", Value::string("2030-01-02")), ("days", Value::Null), ("expired_object_delete_marker", Value::Null)]);
        let mut r = rule.clone();
        set(&mut r, "expiration", Value::set(vec![dated.clone()]));
        assert_eq!(attr(&flatten_rule(&expand_rule(&r).unwrap()), "expiration"), &Value::set(vec![dated]));
    }
}
