//! What the S3 bucket configuration types (`aws_s3_bucket_policy`, `_acl`, `_cors_configuration`,
//! ...) share: each manages one configuration of one bucket named by `bucket` (force-new), is
//! imported by the bucket name, has a computed `id` (the bucket name) and a `region` that
//! defaults to the provider's (force-new; another region is refused, the provider has one
//! client). Creates and updates read the configuration back, as Terraform's provider does.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use super::errors::{aws_error, not_found};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The published schema of `type_name` with `bucket`, `id`, `region` and `names` implemented.
pub(crate) fn schema(type_name: &str, names: &[&str]) -> ResourceSchema {
    let all: Vec<&str> = ["bucket", "id", "region"].iter().chain(names).copied().collect();
    resource(type_name).implement(&all).computed_only(&["id"]).force_new(&["bucket", "region"]).build()
}

/// The nested block at `path` of a schema (for adjusting what the published schema says).
pub(crate) fn block_at<'a>(s: &'a mut BlockSchema, path: &[&str]) -> &'a mut BlockSchema {
    path.iter().fold(s, |b, name| &mut b.blocks.get_mut(*name).unwrap_or_else(|| panic!("no block {name}")).block)
}

/// Makes optional arguments with a provider default optional and computed (the plan sets them).
pub(crate) fn defaulted(b: &mut BlockSchema, names: &[&str]) {
    for n in names {
        if let Some(a) = b.attributes.get_mut(*n) {
            a.computed = true;
        }
    }
}

pub(crate) fn bucket(v: &Value) -> String {
    text(v, "bucket")
}

/// Plans `region` (the provider's unless configured; another one is an error).
pub(crate) fn plan_region(p: &AwsProvider, planned: &mut Value, diags: &mut Diagnostics) {
    match attr(planned, "region").as_str() {
        Some(r) if r != p.region => diags.push(
            Diagnostic::error(
                "Unsupported region",
                format!("skyform manages S3 bucket configurations in the provider's region (\"{}\") only, not \"{r}\": use a provider block (alias) for that region.", p.region),
            )
            .for_attribute("region"),
        ),
        Some(_) => {}
        None if attr(planned, "region").is_known() => set(planned, "region", Value::string(&p.region)),
        None => {}
    }
}

/// A diagnostic for a value that cannot be sent (a failed SDK builder).
pub(crate) fn invalid(what: &str, e: impl std::fmt::Display) -> Diagnostics {
    Diagnostic::error("Invalid configuration", format!("{what}: {e}")).into()
}

/// A read from a get call: the state `fill` makes of the answer, gone when the bucket or its
/// configuration is not found, or the error.
pub(crate) fn read_from<O, E>(prior: Value, what: &str, r: Result<O, SdkError<E, HttpResponse>>, fill: impl FnOnce(Value, O) -> Value) -> ReadResponse
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match r {
        Ok(out) => {
            let mut state = fill(prior, out);
            if attr(&state, "id").is_null() {
                let id = owned_id(&state);
                set(&mut state, "id", Value::String(id));
            }
            ReadResponse::found(state)
        }
        Err(e) if not_found(&e) => ReadResponse::gone(),
        Err(e) => {
            let d = aws_error(&format!("reading the {what} of S3 bucket \"{}\"", bucket(&prior)), &e);
            ReadResponse::failed(prior, d)
        }
    }
}

/// After a put call: the configuration read back into `planned` (with `id`), or the error, with
/// `prior` as the object's state when the call failed (None on a create).
pub(crate) async fn after_put<T, O, E>(
    t: &T,
    p: &AwsProvider,
    prior: Option<Value>,
    mut planned: Value,
    what: &str,
    r: Result<O, SdkError<E, HttpResponse>>,
) -> ApplyResponse
where
    T: ResourceType<AwsProvider> + ?Sized,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let b = bucket(&planned);
    if let Err(e) = r {
        return ApplyResponse::failed(prior, aws_error(&format!("putting the {what} of S3 bucket \"{b}\""), &e));
    }
    if !attr(&planned, "id").is_known() {
        let id = owned_id(&planned);
        set(&mut planned, "id", Value::String(id));
    }
    let read = t.read(p, planned.clone()).await;
    match read.new_state {
        Some(s) if !read.diagnostics.has_errors() => ApplyResponse::ok(Some(s)),
        Some(_) => ApplyResponse::failed(Some(planned), read.diagnostics),
        None => ApplyResponse::failed(
            Some(planned),
            Diagnostic::error("Configuration not found after put", format!("The {what} of S3 bucket \"{b}\" was set but could not be read back.")).into(),
        ),
    }
}

/// After a delete call: gone (also when the bucket or configuration already was), or the error.
pub(crate) fn after_delete<O, E>(prior: Value, what: &str, r: Result<O, SdkError<E, HttpResponse>>) -> ApplyResponse
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match r {
        Ok(_) => ApplyResponse::ok(None),
        Err(e) if not_found(&e) => ApplyResponse::ok(None),
        Err(e) => {
            let d = aws_error(&format!("deleting the {what} of S3 bucket \"{}\"", bucket(&prior)), &e);
            ApplyResponse::failed(Some(prior), d)
        }
    }
}

/// Imports by bucket name: `bucket`, `id` and `region` set, then read.
pub(crate) async fn import<T: ResourceType<AwsProvider> + ?Sized>(t: &T, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
    let mut state = blank;
    set(&mut state, "bucket", Value::string(&id));
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "region", Value::string(&p.region));
    let name = t.name();
    imported(t.read(p, state).await, || format!("There is no {name} for an S3 bucket named \"{id}\"."))
}

/// A list of strings from a value (empty for null).
pub(crate) fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) | Value::Set(items) => items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// A string list value; null when empty (as the provider flattens absent lists).
pub(crate) fn string_list(items: &[String]) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::List(items.iter().map(Value::string).collect())
    }
}

/// The objects of a nested block value (list or set).
pub(crate) fn blocks(v: &Value) -> &[Value] {
    match v {
        Value::List(items) | Value::Set(items) => items,
        _ => &[],
    }
}

/// The first object of a nested block value, if any.
pub(crate) fn first(v: &Value) -> Option<&Value> {
    blocks(v).first()
}

/// An optional string argument.
pub(crate) fn opt_str(v: &Value, name: &str) -> Option<String> {
    attr(v, name).as_str().map(str::to_string)
}

/// An optional number argument as i32 / i64.
pub(crate) fn opt_i32(v: &Value, name: &str) -> Option<i32> {
    attr(v, name).as_f64().map(|n| n as i32)
}

pub(crate) fn opt_i64(v: &Value, name: &str) -> Option<i64> {
    attr(v, name).as_f64().map(|n| n as i64)
}

pub(crate) fn str_or_null(s: Option<&str>) -> Value {
    s.map(Value::string).unwrap_or(Value::Null)
}

pub(crate) fn num_or_null<N: Into<f64>>(n: Option<N>) -> Value {
    n.map(|n| Value::Number(n.into())).unwrap_or(Value::Null)
}

/// The published schema with `expected_bucket_owner` (force-new) implemented too, for the types
/// whose id is `bucket` or `bucket,expected_bucket_owner`.
pub(crate) fn owned_schema(type_name: &str, names: &[&str]) -> ResourceSchema {
    let all: Vec<&str> = ["expected_bucket_owner"].iter().chain(names).copied().collect();
    let mut s = schema(type_name, &all);
    if let Some(a) = s.block.attributes.get_mut("expected_bucket_owner") {
        a.force_new = true;
    }
    s
}

/// Terraform's id of a bucket configuration: the bucket name, then `,expected_bucket_owner`
/// when that is set.
pub(crate) fn owned_id(v: &Value) -> String {
    match opt_str(v, "expected_bucket_owner").filter(|o| !o.is_empty()) {
        Some(owner) => format!("{},{owner}", bucket(v)),
        None => bucket(v),
    }
}

/// Imports by `bucket` or `bucket,expected_bucket_owner`, then reads.
pub(crate) async fn import_owned<T: ResourceType<AwsProvider> + ?Sized>(t: &T, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
    let mut state = blank;
    let (name, owner) = id.split_once(',').map_or((id.as_str(), None), |(b, o)| (b, Some(o)));
    set(&mut state, "bucket", Value::string(name));
    set(&mut state, "expected_bucket_owner", str_or_null(owner));
    set(&mut state, "id", Value::string(&id));
    set(&mut state, "region", Value::string(&p.region));
    let type_name = t.name();
    imported(t.read(p, state).await, || format!("There is no {type_name} for an S3 bucket with id \"{id}\"."))
}

/// A number S3 answers with 0 for unset, as null (Terraform's SDK treats 0 as unset).
pub(crate) fn positive_or_null<N: Into<f64>>(n: Option<N>) -> Value {
    num_or_null(n.map(Into::into).filter(|n| *n > 0.0))
}

/// Fills the computed attribute `name` of each object of the nested block `block` that the
/// configuration leaves null: from the prior state's object at the same index (as Terraform
/// proposes list blocks), else unknown until apply.
pub(crate) fn keep_computed(planned: &mut Value, prior: Option<&Value>, block: &str, name: &str) {
    let before = prior.map(|p| blocks(attr(p, block)).to_vec()).unwrap_or_default();
    let items: Vec<Value> = blocks(attr(planned, block))
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let mut x = x.clone();
            if attr(&x, name).is_null() {
                let kept = before.get(i).map(|b| attr(b, name).clone()).filter(|v| !v.is_null());
                set(&mut x, name, kept.unwrap_or(Value::Unknown));
            }
            x
        })
        .collect();
    if !items.is_empty() {
        set(planned, block, Value::List(items));
    }
}
