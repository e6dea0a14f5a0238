//! Built-in functions with Terraform's names and results, one file per family. [`call`] checks
//! arity, short-circuits unknown arguments to an unknown result (except for functions that only
//! look at a collection's shape), strips sensitive marks before the call and marks the result
//! when any argument was marked. `try`, `can` and `templatefile` live in the evaluator; the
//! functions on marks themselves (`sensitive`, `nonsensitive`, `issensitive`, `ephemeralasnull`)
//! are handled in [`call`].

mod collection;
mod encoding;
mod filesystem;
mod hash;
mod ip;
mod numeric;
mod provider;
mod string;
mod templating;
mod typeconv;
mod yaml11;

use std::path::PathBuf;

use crate::value::Value;

/// What functions need from their surroundings.
pub struct FuncContext {
    /// The module directory (`path.module`): relative file paths resolve against it.
    pub base_dir: PathBuf,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum FuncError {
    #[error("There is no function named \"{0}\".")]
    Unknown(String),
    #[error("{0}")]
    Invalid(String),
}

pub type FuncResult = Result<Value, FuncError>;
type Func = fn(Vec<Value>, &FuncContext) -> FuncResult;

/// A function's entry: implementation, arity bounds, and whether it accepts unknowns inside
/// collections (it only looks at their shape).
struct Entry {
    f: Func,
    min: usize,
    max: usize,
    shape_only: bool,
}

const VAR: usize = usize::MAX;

fn entry(name: &str) -> Option<Entry> {
    let e = |f: Func, min: usize, max: usize| Some(Entry { f, min, max, shape_only: false });
    let shape = |f: Func, min: usize, max: usize| Some(Entry { f, min, max, shape_only: true });
    match name {
        // string
        "format" => e(string::format, 1, VAR),
        "formatlist" => e(string::formatlist, 1, VAR),
        "join" => e(string::join, 2, VAR),
        "split" => e(string::split, 2, 2),
        "lower" => e(string::lower, 1, 1),
        "upper" => e(string::upper, 1, 1),
        "title" => e(string::title, 1, 1),
        "replace" => e(string::replace, 3, 3),
        "regex" => e(string::regex, 2, 2),
        "regexall" => e(string::regexall, 2, 2),
        "substr" => e(string::substr, 3, 3),
        "trim" => e(string::trim, 2, 2),
        "trimspace" => e(string::trimspace, 1, 1),
        "trimprefix" => e(string::trimprefix, 2, 2),
        "trimsuffix" => e(string::trimsuffix, 2, 2),
        "chomp" => e(string::chomp, 1, 1),
        "indent" => e(string::indent, 2, 2),
        "startswith" => e(string::startswith, 2, 2),
        "endswith" => e(string::endswith, 2, 2),
        "strcontains" => e(string::strcontains, 2, 2),
        "strrev" => e(string::strrev, 1, 1),
        "templatestring" => e(templating::templatestring, 2, 2),
        // collection
        "length" => shape(collection::length, 1, 1),
        "concat" => shape(collection::concat, 0, VAR),
        "merge" => shape(collection::merge, 0, VAR),
        "lookup" => e(collection::lookup, 2, 3),
        "keys" => shape(collection::keys, 1, 1),
        "values" => shape(collection::values, 1, 1),
        "element" => shape(collection::element, 2, 2),
        "index" => e(collection::index, 2, 2),
        "contains" => e(collection::contains, 2, 2),
        "distinct" => e(collection::distinct, 1, 1),
        "flatten" => e(collection::flatten, 1, 1),
        "slice" => shape(collection::slice, 3, 3),
        "sort" => e(collection::sort, 1, 1),
        "reverse" => shape(collection::reverse, 1, 1),
        "range" => e(collection::range, 1, 3),
        "zipmap" => shape(collection::zipmap, 2, 2),
        "coalesce" => e(collection::coalesce, 1, VAR),
        "coalescelist" => e(collection::coalescelist, 1, VAR),
        "compact" => e(collection::compact, 1, 1),
        "setunion" => e(collection::setunion, 1, VAR),
        "setintersection" => e(collection::setintersection, 1, VAR),
        "setsubtract" => e(collection::setsubtract, 2, 2),
        "setproduct" => e(collection::setproduct, 1, VAR),
        "one" => e(collection::one, 1, 1),
        "alltrue" => e(collection::alltrue, 1, 1),
        "anytrue" => e(collection::anytrue, 1, 1),
        "sum" => e(collection::sum, 1, 1),
        "chunklist" => e(collection::chunklist, 2, 2),
        "transpose" => e(collection::transpose, 1, 1),
        // type conversion
        "tostring" => e(typeconv::tostring, 1, 1),
        "tonumber" => e(typeconv::tonumber, 1, 1),
        "tobool" => e(typeconv::tobool, 1, 1),
        "tolist" => shape(typeconv::tolist, 1, 1),
        "toset" => e(typeconv::toset, 1, 1),
        "tomap" => shape(typeconv::tomap, 1, 1),
        // encoding
        "jsonencode" => e(encoding::jsonencode, 1, 1),
        "jsondecode" => e(encoding::jsondecode, 1, 1),
        "yamlencode" => e(encoding::yamlencode, 1, 1),
        "yamldecode" => e(encoding::yamldecode, 1, 1),
        "base64encode" => e(encoding::base64encode, 1, 1),
        "base64decode" => e(encoding::base64decode, 1, 1),
        "base64gzip" => e(encoding::base64gzip, 1, 1),
        "textencodebase64" => e(encoding::textencodebase64, 2, 2),
        "textdecodebase64" => e(encoding::textdecodebase64, 2, 2),
        "csvdecode" => e(encoding::csvdecode, 1, 1),
        "urlencode" => e(encoding::urlencode, 1, 1),
        // hash
        "md5" => e(hash::md5, 1, 1),
        "sha1" => e(hash::sha1, 1, 1),
        "sha256" => e(hash::sha256, 1, 1),
        "sha512" => e(hash::sha512, 1, 1),
        "base64sha256" => e(hash::base64sha256, 1, 1),
        "base64sha512" => e(hash::base64sha512, 1, 1),
        "uuid" => e(hash::uuid, 0, 0),
        "uuidv5" => e(hash::uuidv5, 2, 2),
        "bcrypt" => e(hash::bcrypt, 1, 2),
        "rsadecrypt" => e(hash::rsadecrypt, 2, 2),
        // numeric
        "min" => e(numeric::min, 1, VAR),
        "max" => e(numeric::max, 1, VAR),
        "abs" => e(numeric::abs, 1, 1),
        "ceil" => e(numeric::ceil, 1, 1),
        "floor" => e(numeric::floor, 1, 1),
        "pow" => e(numeric::pow, 2, 2),
        "log" => e(numeric::log, 2, 2),
        "signum" => e(numeric::signum, 1, 1),
        "parseint" => e(numeric::parseint, 2, 2),
        // filesystem
        "file" => e(filesystem::file, 1, 1),
        "fileexists" => e(filesystem::fileexists, 1, 1),
        "fileset" => e(filesystem::fileset, 2, 2),
        "abspath" => e(filesystem::abspath, 1, 1),
        "basename" => e(filesystem::basename, 1, 1),
        "dirname" => e(filesystem::dirname, 1, 1),
        "pathexpand" => e(filesystem::pathexpand, 1, 1),
        // date
        "timestamp" => e(numeric::timestamp, 0, 0),
        "formatdate" => e(numeric::formatdate, 2, 2),
        "timeadd" => e(numeric::timeadd, 2, 2),
        "timecmp" => e(numeric::timecmp, 2, 2),
        "plantimestamp" => e(numeric::plantimestamp, 0, 0),
        // ip
        "cidrsubnet" => e(ip::cidrsubnet, 3, 3),
        "cidrhost" => e(ip::cidrhost, 2, 2),
        "cidrnetmask" => e(ip::cidrnetmask, 1, 1),
        "cidrsubnets" => e(ip::cidrsubnets, 1, VAR),
        "matchkeys" => e(collection::matchkeys, 3, 3),
        "filebase64" => e(filesystem::filebase64, 1, 1),
        "filemd5" => e(filesystem::filemd5, 1, 1),
        "filesha1" => e(filesystem::filesha1, 1, 1),
        "filesha256" => e(filesystem::filesha256, 1, 1),
        "filesha512" => e(filesystem::filesha512, 1, 1),
        "filebase64sha256" => e(filesystem::filebase64sha256, 1, 1),
        "filebase64sha512" => e(filesystem::filebase64sha512, 1, 1),
        // the built-in `terraform` provider's functions
        "provider::terraform::encode_tfvars" => e(provider::encode_tfvars, 1, 1),
        "provider::terraform::decode_tfvars" => e(provider::decode_tfvars, 1, 1),
        "provider::terraform::encode_expr" => e(provider::encode_expr, 1, 1),
        _ => None,
    }
}

/// Whether a function of that name exists (evaluator-handled ones included).
pub fn exists(name: &str) -> bool {
    matches!(name, "try" | "can" | "templatefile" | "sensitive" | "nonsensitive" | "issensitive" | "ephemeralasnull") || entry(name).is_some()
}

/// Calls a built-in function.
pub fn call(name: &str, mut args: Vec<Value>, ctx: &FuncContext) -> FuncResult {
    // The functions that work on the sensitive mark itself.
    if matches!(name, "sensitive" | "nonsensitive" | "issensitive" | "ephemeralasnull") {
        if args.len() != 1 {
            return invalid(format!("Function \"{name}\" expects 1 argument(s), got {}.", args.len()));
        }
        let v = args.remove(0);
        return Ok(match name {
            "sensitive" => v.mark_if(true),
            "nonsensitive" => v.strip_marks(),
            // skyform has no ephemeral values, so there is nothing to null out.
            "ephemeralasnull" => v,
            // Only a mark on the value itself counts, not one on something inside it.
            _ if v.is_sensitive() => Value::Bool(true),
            _ if !v.is_known() => Value::Unknown,
            _ => Value::Bool(false),
        });
    }
    let Some(e) = entry(name) else { return Err(FuncError::Unknown(name.to_string())) };
    if args.len() < e.min || args.len() > e.max {
        let want = match (e.min, e.max) {
            (a, b) if a == b => format!("{a}"),
            (a, VAR) => format!("at least {a}"),
            (a, b) => format!("{a} to {b}"),
        };
        return Err(FuncError::Invalid(format!("Function \"{name}\" expects {want} argument(s), got {}.", args.len())));
    }
    let marked = args.iter().any(Value::contains_sensitive);
    let unknown = if e.shape_only { args.iter().any(|a| !a.is_known()) } else { args.iter().any(|a| !a.is_wholly_known()) };
    if unknown {
        return Ok(Value::Unknown.mark_if(marked));
    }
    let plain: Vec<Value> = args.into_iter().map(Value::strip_marks).collect();
    Ok((e.f)(plain, ctx)?.mark_if(marked))
}

/// Shorthand for an argument error.
pub(crate) fn invalid<T>(msg: impl Into<String>) -> Result<T, FuncError> {
    Err(FuncError::Invalid(msg.into()))
}

pub(crate) fn arg_str(v: &Value, what: &str) -> Result<String, FuncError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(crate::value::format_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        other => invalid(format!("Invalid value for \"{what}\" parameter: string required, got {}.", other.type_name())),
    }
}

pub(crate) fn arg_num(v: &Value, what: &str) -> Result<f64, FuncError> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::String(s) => s.trim().parse().or_else(|_| invalid(format!("Invalid value for \"{what}\" parameter: a number is required."))),
        other => invalid(format!("Invalid value for \"{what}\" parameter: number required, got {}.", other.type_name())),
    }
}

pub(crate) fn arg_list(v: Value, what: &str) -> Result<Vec<Value>, FuncError> {
    match v {
        Value::List(items) | Value::Set(items) => Ok(items),
        other => invalid(format!("Invalid value for \"{what}\" parameter: list of any single type required, got {}.", other.type_name())),
    }
}

#[cfg(test)]
mod tests;
