//! `aws_cloudwatch_log_metric_filter`: a metric filter of a log group. `name` and
//! `log_group_name` replace; `pattern` (stored trimmed of surrounding spaces, up to 1,024
//! characters), `apply_on_transformed_logs` and the one `metric_transformation` (`name`,
//! `namespace`, `value`, `default_value` as a string, `dimensions`, `unit` defaulting to `None`)
//! update in place through PutMetricFilter. `id` is the filter's name. Import by
//! `log_group_name:name`. A delete is confirmed with a describe (and repeated while the filter
//! is still listed).

use async_trait::async_trait;
use serde_json::{json, Value as Json};

use super::json_api::{read_back, text as jtext, updated, ApiError, LOGS};
use super::s3_bucket_common::{block_at, defaulted};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, set, string_map, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let mut s = resource("aws_cloudwatch_log_metric_filter")
        .implement(&["apply_on_transformed_logs", "id", "log_group_name", "metric_transformation", "name", "pattern"])
        .computed_only(&["id"])
        .force_new(&["log_group_name", "name"])
        .build();
    defaulted(block_at(&mut s.block, &["metric_transformation"]), &["unit"]);
    s
}

/// CloudWatch's units (`StandardUnit`), shared with the metric alarm.
pub(super) const UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// `aws_cloudwatch_log_metric_filter`.
pub struct CloudwatchLogMetricFilter;

/// The one `metric_transformation` block.
fn transformation(v: &Value) -> Value {
    match attr(v, "metric_transformation") {
        Value::List(items) | Value::Set(items) => items.first().cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

fn check(planned: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let mut invalid = |arg: &str, why: String| d.push(Diagnostic::error("Invalid value", why).for_attribute(arg));
    if let Some(n) = attr(planned, "name").as_str() {
        if n.is_empty() || n.len() > 512 || n.contains([':', '*']) {
            invalid("name", format!("\"name\" must be 1 to 512 characters without ':' or '*' (got {n:?})."));
        }
    }
    if let Some(p) = attr(planned, "pattern").as_str().filter(|p| p.chars().count() > 1024) {
        invalid("pattern", format!("\"pattern\" must be at most 1024 characters (got {}).", p.chars().count()));
    }
    let t = transformation(planned);
    for arg in ["name", "namespace"] {
        if let Some(n) = attr(&t, arg).as_str() {
            if n.is_empty() || n.len() > 255 || n.contains([':', '*', '$']) {
                invalid("metric_transformation", format!("\"{arg}\" must be 1 to 255 characters without ':', '*' or '$' (got {n:?})."));
            }
        }
    }
    if let Some(u) = attr(&t, "unit").as_str().filter(|u| !UNITS.contains(u)) {
        invalid("metric_transformation", format!("expected unit to be one of {UNITS:?}, got {u}"));
    }
    if let Some(v) = attr(&t, "default_value").as_str().filter(|v| !v.is_empty() && v.parse::<f64>().is_err()) {
        invalid("metric_transformation", format!("default_value: cannot parse {v:?} as a number"));
    }
    if let Some(v) = attr(&t, "value").as_str().filter(|v| v.len() > 100) {
        invalid("metric_transformation", format!("\"value\" must be at most 100 characters (got {}).", v.len()));
    }
    d
}

/// The filter as the service lists it (the last entry of that name: a put replaces it).
async fn find(p: &AwsProvider, group: &str, name: &str) -> Result<Option<Json>, ApiError> {
    let mut token: Option<String> = None;
    let mut found = None;
    loop {
        let mut body = json!({ "logGroupName": group, "filterNamePrefix": name });
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let page = match p.json.call(&LOGS, "DescribeMetricFilters", body).await {
            Err(e) if e.not_found() => return Ok(None),
            r => r?,
        };
        let filters = page.get("metricFilters").and_then(Json::as_array).cloned().unwrap_or_default();
        if let Some(f) = filters.into_iter().rev().find(|f| jtext(f, "filterName") == name) {
            found = Some(f);
        }
        match page.get("nextToken").and_then(Json::as_str) {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(found),
        }
    }
}

/// The PutMetricFilter request of a planned state.
fn put_body(planned: &Value) -> Json {
    let t = transformation(planned);
    let mut m = json!({
        "metricName": text(&t, "name"),
        "metricNamespace": text(&t, "namespace"),
        "metricValue": text(&t, "value"),
        "unit": attr(&t, "unit").as_str().unwrap_or("None"),
    });
    if let Some(v) = attr(&t, "default_value").as_str().and_then(|v| v.parse::<f64>().ok()) {
        m["defaultValue"] = json!(v);
    }
    let dims = string_map(attr(&t, "dimensions"));
    if !dims.is_empty() {
        m["dimensions"] = json!(dims);
    }
    let mut body = json!({
        "filterName": text(planned, "name"),
        "logGroupName": text(planned, "log_group_name"),
        "filterPattern": text(planned, "pattern").trim(),
        "metricTransformations": [m],
    });
    if let Some(true) = attr(planned, "apply_on_transformed_logs").as_bool() {
        body["applyOnTransformedLogs"] = json!(true);
    }
    body
}

/// A state from the service's description of the filter.
fn fill(mut s: Value, f: &Json) -> Value {
    let name = jtext(f, "filterName");
    set(&mut s, "id", Value::string(&name));
    set(&mut s, "name", Value::string(&name));
    set(&mut s, "log_group_name", Value::string(jtext(f, "logGroupName")));
    set(&mut s, "pattern", Value::string(jtext(f, "filterPattern")));
    set(&mut s, "apply_on_transformed_logs", Value::Bool(f.get("applyOnTransformedLogs").and_then(Json::as_bool).unwrap_or(false)));
    let items = f.get("metricTransformations").and_then(Json::as_array).cloned().unwrap_or_default();
    let blocks = items
        .iter()
        .map(|m| {
            let dims = m.get("dimensions").and_then(Json::as_object).filter(|d| !d.is_empty());
            Value::object([
                ("name", Value::string(jtext(m, "metricName"))),
                ("namespace", Value::string(jtext(m, "metricNamespace"))),
                ("value", Value::string(jtext(m, "metricValue"))),
                ("unit", Value::string(m.get("unit").and_then(Json::as_str).unwrap_or("None"))),
                ("default_value", m.get("defaultValue").and_then(Json::as_f64).map(|v| Value::String(v.to_string())).unwrap_or(Value::Null)),
                ("dimensions", dims.map(|d| Value::from_json(&Json::Object(d.clone()))).unwrap_or(Value::Null)),
            ])
        })
        .collect();
    set(&mut s, "metric_transformation", Value::List(blocks));
    s
}

#[async_trait]
impl ResourceType<AwsProvider> for CloudwatchLogMetricFilter {
    fn name(&self) -> &'static str {
        "aws_cloudwatch_log_metric_filter"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if let Some(p) = attr(&planned, "pattern").as_str().map(|p| p.trim().to_string()) {
            set(&mut planned, "pattern", Value::String(p));
        }
        if let Value::List(items) = attr(&planned, "metric_transformation").clone() {
            let items = items
                .into_iter()
                .map(|mut t| {
                    if attr(&t, "unit").is_null() {
                        set(&mut t, "unit", Value::string("None"));
                    }
                    t
                })
                .collect();
            set(&mut planned, "metric_transformation", Value::List(items));
        }
        if attr(&req.config, "apply_on_transformed_logs").is_null() {
            let prior = req.prior_state.as_ref().map(|p| attr(p, "apply_on_transformed_logs").clone());
            set(&mut planned, "apply_on_transformed_logs", prior.unwrap_or(Value::Unknown));
        }
        let diagnostics = check(&planned);
        PlanResponse { diagnostics, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let (group, name) = (text(&prior, "log_group_name"), text(&prior, "id"));
        match find(p, &group, &name).await {
            Ok(Some(f)) => ReadResponse::found(fill(prior, &f)),
            Ok(None) => ReadResponse::gone(),
            Err(e) => ReadResponse::failed(prior, e.diagnostics(&format!("reading CloudWatch Logs Metric Filter ({name})"))),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&planned, "name");
        if let Err(e) = p.json.write(&LOGS, "PutMetricFilter", put_body(&planned)).await {
            return ApplyResponse::failed(None, e.diagnostics(&format!("putting CloudWatch Logs Metric Filter ({name})")));
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&name));
        read_back(self, p, state).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let name = text(&prior, "id");
        let result = p.json.call(&LOGS, "PutMetricFilter", put_body(&planned)).await;
        let result = result.map(|_| ()).map_err(|e| e.diagnostics(&format!("putting CloudWatch Logs Metric Filter ({name})")));
        updated(self, p, result, prior, planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let (group, name) = (text(&prior, "log_group_name"), text(&prior, "id"));
        let what = format!("deleting CloudWatch Logs Metric Filter ({name})");
        for _ in 0..5 {
            match p.json.write(&LOGS, "DeleteMetricFilter", json!({ "logGroupName": group, "filterName": name })).await {
                Err(e) if e.not_found() => return ApplyResponse::ok(None),
                Err(e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&what)),
                Ok(_) => {}
            }
            match find(p, &group, &name).await {
                Ok(None) => return ApplyResponse::ok(None),
                Ok(Some(_)) => {}
                Err(e) => return ApplyResponse::failed(Some(prior), e.diagnostics(&what)),
            }
        }
        ApplyResponse::failed(
            Some(prior),
            Diagnostic::error("Metric filter still present", format!("Error {what}: it is still listed after 5 deletes.")).into(),
        )
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let Some((group, name)) = id.split_once(':').filter(|(g, n)| !g.is_empty() && !n.is_empty() && !n.contains(':')) else {
            let why = format!("unexpected format for ID ({id}), expected log-group-name:filter-name");
            return ImportResponse::failed(Diagnostic::error("Invalid import id", why).into());
        };
        let mut state = blank;
        set(&mut state, "id", Value::string(name));
        set(&mut state, "log_group_name", Value::string(group));
        imported(self.read(p, state).await, || format!("There is no metric filter \"{name}\" in log group \"{group}\"."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_put_request_trims_the_pattern_and_parses_the_default() {
        let planned = Value::object([
            ("name", Value::string("errors")),
            ("log_group_name", Value::string("/app")),
            ("pattern", Value::string("  ERROR  ")),
            (
                "metric_transformation",
                Value::List(vec![Value::object([
                    ("name", Value::string("Errors")),
                    ("namespace", Value::string("App")),
                    ("value", Value::string("1")),
                    ("default_value", Value::string("0")),
                    ("unit", Value::string("Count")),
                ])]),
            ),
        ]);
        let body = put_body(&planned);
        assert_eq!(body["filterPattern"], "ERROR");
        assert_eq!(body["metricTransformations"][0]["defaultValue"], 0.0);
        assert!(body.get("applyOnTransformedLogs").is_none());
        assert!(check(&planned).is_empty());
        let state = fill(Value::object([("x", Value::Null)]), &body);
        assert_eq!(transformation(&state).get_attr("default_value").and_then(|v| v.as_str()), Some("0"));
    }
}
