//! `aws_s3_bucket_acl`: `bucket` (force-new) and either a canned `acl` or an
//! `access_control_policy { owner { id }, grant { grantee { type, id | uri | email_address },
//! permission } }`, changed in place. As in Terraform's provider: `id` is `bucket` or
//! `bucket,acl`; the canned ACL is remembered, not read (a canned ACL changed outside is not
//! seen), while `access_control_policy` is always read (computed when not configured, so it
//! follows the bucket without a diff); importing takes `bucket` or `bucket,acl`; destroying it
//! leaves the bucket's ACL as it is. `expected_bucket_owner` is not implemented.

use async_trait::async_trait;
use aws_sdk_s3::types::{AccessControlPolicy, BucketCannedAcl, Grant, Grantee, Owner, Permission, Type};

use super::s3_bucket_common::{self as common, blocks, bucket, first, invalid, opt_str, str_or_null};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, set};
use crate::provider::*;
use crate::value::Value;

const POLICY: &str = "access_control_policy";
const CANNED: [&str; 8] = [
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
];

fn acl_id(bucket: &str, acl: Option<&str>) -> String {
    acl.map(|a| format!("{bucket},{a}")).unwrap_or_else(|| bucket.to_string())
}

/// A grantee without its computed `display_name` (what identifies it).
fn grantee_key(g: &Value) -> Value {
    let g = first(attr(g, "grantee")).cloned().unwrap_or(Value::Null);
    Value::List(["type", "id", "uri", "email_address"].iter().map(|k| attr(&g, k).clone()).collect())
}

/// The configured policy with its computed display names from `prior` (unknown if new).
fn fill_policy(policy: &Value, prior: Option<&Value>) -> Value {
    let prior = prior.and_then(first);
    let mut out = policy.clone();
    if let Some(owner) = first(attr(policy, "owner")).filter(|o| attr(o, "display_name").is_null()) {
        let name = prior.and_then(|p| first(attr(p, "owner"))).map(|o| attr(o, "display_name").clone()).unwrap_or(Value::Unknown);
        let mut owner = owner.clone();
        set(&mut owner, "display_name", name);
        set(&mut out, "owner", Value::List(vec![owner]));
    }
    let grants = blocks(attr(policy, "grant")).iter().map(|g| {
        let Some(grantee) = first(attr(g, "grantee")) else { return g.clone() };
        let was = prior.map(|p| blocks(attr(p, "grant"))).unwrap_or_default().iter().find(|pg| grantee_key(pg) == grantee_key(g)).cloned();
        let name = was.as_ref().and_then(|pg| first(attr(pg, "grantee"))).map(|x| attr(x, "display_name").clone()).unwrap_or(Value::Unknown);
        let (mut g, mut grantee) = (g.clone(), grantee.clone());
        set(&mut grantee, "display_name", name);
        set(&mut g, "grantee", Value::List(vec![grantee]));
        g
    });
    set(&mut out, "grant", Value::set(grants.collect()));
    out
}

fn expand(policy: &Value) -> Result<AccessControlPolicy, Diagnostics> {
    let mut grants = Vec::new();
    for g in blocks(attr(policy, "grant")) {
        let grantee = match first(attr(g, "grantee")) {
            Some(x) => Some(
                Grantee::builder()
                    .r#type(Type::from(opt_str(x, "type").unwrap_or_default().as_str()))
                    .set_id(opt_str(x, "id"))
                    .set_uri(opt_str(x, "uri"))
                    .set_email_address(opt_str(x, "email_address"))
                    .build()
                    .map_err(|e| invalid("grantee", e))?,
            ),
            None => None,
        };
        grants.push(Grant::builder().set_grantee(grantee).set_permission(opt_str(g, "permission").map(|p| Permission::from(p.as_str()))).build());
    }
    let owner = first(attr(policy, "owner")).map(|o| Owner::builder().set_id(opt_str(o, "id")).build());
    Ok(AccessControlPolicy::builder().set_grants(Some(grants)).set_owner(owner).build())
}

fn flatten(out: &aws_sdk_s3::operation::get_bucket_acl::GetBucketAclOutput) -> Value {
    let grants = out.grants().iter().map(|g| {
        let grantee = g.grantee().map(|x| {
            Value::object([
                ("type", Value::string(x.r#type().as_str())),
                ("display_name", str_or_null(x.display_name())),
                ("email_address", str_or_null(x.email_address())),
                ("id", str_or_null(x.id())),
                ("uri", str_or_null(x.uri())),
            ])
        });
        let permission = g.permission().map(|p| Value::string(p.as_str())).unwrap_or(Value::Null);
        Value::object([("grantee", Value::List(grantee.into_iter().collect())), ("permission", permission)])
    });
    let owner = out.owner().map(|o| Value::object([("display_name", str_or_null(o.display_name())), ("id", str_or_null(o.id()))]));
    Value::List(vec![Value::object([("grant", Value::set(grants.collect())), ("owner", Value::List(owner.into_iter().collect()))])])
}

/// `aws_s3_bucket_acl`.
pub struct S3BucketAcl;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketAcl {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_acl"
    }

    fn schema(&self) -> ResourceSchema {
        common::schema(self.name(), &["acl", POLICY])
    }

    fn plan(&self, p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diags = Diagnostics::new();
        common::plan_region(p, &mut planned, &mut diags);
        let acl = attr(&req.config, "acl").clone();
        let configured = blocks(attr(&req.config, POLICY)).len();
        if acl.is_null() == (configured == 0) && acl.is_known() && attr(&req.config, POLICY).is_wholly_known() {
            diags.push(Diagnostic::error("Invalid combination of arguments", "Exactly one of \"acl\" or \"access_control_policy\" must be set."));
        }
        if let Some(a) = acl.as_str().filter(|a| !CANNED.contains(a)) {
            diags.push(Diagnostic::error("Invalid acl", format!("\"{a}\" is not a canned ACL: one of {}.", CANNED.join(", "))).for_attribute("acl"));
        }
        let prior = req.prior_state.as_ref();
        let prior_policy = prior.map(|s| attr(s, POLICY).clone());
        let policy = if configured > 0 {
            Value::List(blocks(attr(&req.config, POLICY)).iter().map(|x| fill_policy(x, prior_policy.as_ref())).collect())
        } else if prior.is_none_or(|s| attr(s, "acl") != &acl) {
            // A new canned ACL: the grants it makes are read after the apply.
            Value::Unknown
        } else {
            prior_policy.unwrap_or(Value::List(vec![]))
        };
        set(&mut planned, POLICY, policy);
        if prior.is_some() {
            let id =
                if attr(&planned, "bucket").is_known() && acl.is_known() { Value::String(acl_id(&bucket(&planned), acl.as_str())) } else { Value::Unknown };
            set(&mut planned, "id", id);
        }
        PlanResponse { diagnostics: diags, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let r = p.s3.get_bucket_acl().bucket(bucket(&prior)).send().await;
        common::read_from(prior, "ACL", r, |mut state, out| {
            set(&mut state, POLICY, flatten(&out));
            state
        })
    }

    async fn create(&self, p: &AwsProvider, planned: Value, config: &Value) -> ApplyResponse {
        self.put(p, None, planned, config).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, config: &Value) -> ApplyResponse {
        self.put(p, Some(prior), planned, config).await
    }

    async fn delete(&self, _p: &AwsProvider, _prior: Value) -> ApplyResponse {
        ApplyResponse::ok(None)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let (name, acl) = match id.split_once(',') {
            Some((_, rest)) if rest.contains(',') || rest.chars().all(|c| c.is_ascii_digit()) => {
                let detail = format!("Import id \"{id}\": skyform takes BUCKET or BUCKET,ACL (expected_bucket_owner is not implemented).");
                return ImportResponse::failed(Diagnostic::error("Unsupported import id", detail).into());
            }
            Some((b, a)) => (b.to_string(), Some(a.to_string())),
            None => (id.clone(), None),
        };
        let mut state = blank;
        set(&mut state, "bucket", Value::string(&name));
        set(&mut state, "id", Value::string(&id));
        set(&mut state, "region", Value::string(&p.region));
        set(&mut state, "acl", acl.map(Value::String).unwrap_or(Value::Null));
        imported(self.read(p, state).await, || format!("There is no S3 bucket named \"{name}\"."))
    }
}

impl S3BucketAcl {
    async fn put(&self, p: &AwsProvider, prior: Option<Value>, mut planned: Value, config: &Value) -> ApplyResponse {
        let b = bucket(&planned);
        let mut call = p.s3_write.put_bucket_acl().bucket(&b);
        if let Some(acl) = attr(&planned, "acl").as_str() {
            call = call.acl(BucketCannedAcl::from(acl));
        }
        if let Some(policy) = first(attr(config, POLICY)) {
            match expand(policy) {
                Ok(x) => call = call.access_control_policy(x),
                Err(d) => return ApplyResponse::failed(prior, d),
            }
        }
        let id = acl_id(&b, attr(&planned, "acl").as_str());
        set(&mut planned, "id", Value::String(id));
        common::after_put(self, p, prior, planned, "ACL", call.send().await).await
    }
}
