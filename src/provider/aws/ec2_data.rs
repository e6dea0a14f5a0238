//! What the EC2 data sources share: `filter` blocks, `tags` and single arguments as Describe
//! call filters (empty ones left out, as the provider does), string lists in and out, and the
//! one-match rule of the singular data sources with the provider's messages.

use std::sync::Arc;

use aws_sdk_ec2::types::{Filter, Tag};

use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::attr;
use crate::value::Value;

/// The strings of a list or set value (empty for null).
pub fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) | Value::Set(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// A list value of strings.
pub fn string_list(items: impl IntoIterator<Item = String>) -> Value {
    Value::List(items.into_iter().map(Value::String).collect())
}

/// The `filter { name, values }` blocks of a configuration.
pub fn custom_filters(config: &Value) -> Vec<Filter> {
    let blocks = match attr(config, "filter") {
        Value::List(b) | Value::Set(b) => b.clone(),
        _ => Vec::new(),
    };
    blocks.iter().filter_map(|b| Some(Filter::builder().name(attr(b, "name").as_str()?).set_values(Some(strings(attr(b, "values")))).build())).collect()
}

/// `tags = { k = v }` as `tag:k` filters.
pub fn tag_filters(config: &Value) -> Vec<Filter> {
    let Value::Map(tags) = attr(config, "tags") else { return Vec::new() };
    tags.iter().map(|(k, v)| Filter::builder().name(format!("tag:{k}")).values(v.as_str().unwrap_or_default()).build()).collect()
}

/// Filters from single values (`vpc-id`, ...), leaving out the empty ones.
pub fn attribute_filters(pairs: &[(&str, Option<String>)]) -> Vec<Filter> {
    pairs.iter().filter_map(|(name, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| Filter::builder().name(*name).values(v).build())).collect()
}

/// EC2 tags as the data sources' `tags`, without the `aws:` ones AWS manages.
pub fn tags_value(tags: &[Tag]) -> Value {
    Value::Map(Arc::new(
        tags.iter()
            .filter_map(|t| Some((t.key()?.to_string(), Value::string(t.value().unwrap_or_default()))))
            .filter(|(k, _)| !k.starts_with("aws:"))
            .collect(),
    ))
}

/// The one object a singular data source found (`what`: "EC2 Subnet"); none or several is
/// the provider's error.
pub fn single<'a, T>(found: &'a [T], what: &str) -> Result<&'a T, Diagnostics> {
    match found {
        [one] => Ok(one),
        [] => Err(Diagnostic::error(format!("no matching {what} found"), format!("No {what} matches the given arguments.")).into()),
        many => Err(Diagnostic::error(
            format!("multiple {what}s matched; use additional constraints to reduce matches to a single {what}"),
            format!("{} {what}s match the given arguments.", many.len()),
        )
        .into()),
    }
}

/// An optional string as a value.
pub fn opt(s: Option<&str>) -> Value {
    s.map(Value::string).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_from_blocks_tags_and_arguments() {
        let config = Value::object([
            ("filter", Value::set(vec![Value::object([("name", Value::string("state")), ("values", Value::set(vec![Value::string("available")]))])])),
            ("tags", Value::object([("Tier", Value::string("private"))])),
        ]);
        let f = custom_filters(&config);
        assert_eq!((f[0].name(), f[0].values()), (Some("state"), &["available".to_string()][..]));
        assert_eq!(tag_filters(&config)[0].name(), Some("tag:Tier"));
        let a = attribute_filters(&[("vpc-id", Some("vpc-1".into())), ("state", Some(String::new())), ("cidr", None)]);
        assert_eq!(a.len(), 1);
        assert!(single::<u8>(&[], "EC2 Subnet").is_err() && single(&[1, 2], "EC2 Subnet").is_err() && single(&[1], "x").is_ok());
    }
}
