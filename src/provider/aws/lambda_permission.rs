//! `aws_lambda_permission`: one statement of a function's resource policy (AddPermission),
//! every argument replacing: `function_name` (a name or ARN), `statement_id` (or one generated
//! from `statement_id_prefix`, else from `terraform-`), `action`, `principal`, `source_arn`,
//! `source_account`, `qualifier`, `event_source_token`, `principal_org_id`. Read back from the
//! function's policy (GetPolicy), finding the statement by its `Sid`; `id` is the statement id.
//! Import as `FUNCTION/STATEMENT` or `FUNCTION:QUALIFIER/STATEMENT`. Not implemented:
//! `function_url_auth_type`, `invoked_via_function_url`.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{json, Value as Json};

use super::iam_common::{name_prefix_of, unique_name};
use super::json_api::ApiError;
use super::lambda_function::partition;
use super::rest_api::{segment, Request, LAMBDA};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const ARGUMENTS: [&str; 10] = [
    "action",
    "event_source_token",
    "function_name",
    "principal",
    "principal_org_id",
    "qualifier",
    "source_account",
    "source_arn",
    "statement_id",
    "statement_id_prefix",
];

pub fn schema() -> ResourceSchema {
    let mut names = ARGUMENTS.to_vec();
    names.push("id");
    resource("aws_lambda_permission").implement(&names).computed_only(&["id"]).force_new(&ARGUMENTS).build()
}

/// `aws_lambda_permission`.
pub struct LambdaPermission;

fn policy_path(function: &str) -> String {
    format!("/2015-03-31/functions/{}/policy", segment(function))
}

fn with_qualifier(req: Request, state: &Value) -> Request {
    match attr(state, "qualifier").as_str().filter(|q| !q.is_empty()) {
        Some(q) => req.query("Qualifier", q),
        None => req,
    }
}

/// The parts of a function ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`) or
/// name (`NAME[:QUALIFIER]`): the name and the qualifier.
fn function_parts(s: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = s.split(':').collect();
    let rest: &[&str] = if s.starts_with("arn:") && parts.len() >= 7 { &parts[6..] } else { &parts[..] };
    (rest.first().map(|x| x.to_string()).unwrap_or_default(), rest.get(1).map(|x| x.to_string()))
}

fn check(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if !attr(config, "statement_id").is_null() && !attr(config, "statement_id_prefix").is_null() {
        d.push(Diagnostic::error("Conflicting configuration arguments", "\"statement_id\": conflicts with statement_id_prefix").for_attribute("statement_id"));
    }
    for arg in ["statement_id", "statement_id_prefix"] {
        if let Some(v) = attr(config, arg).as_str() {
            if v.is_empty() || v.len() > 100 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                d.push(Diagnostic::error("Invalid value", format!("invalid {arg}: {v:?} (letters, digits, - and _, up to 100)")).for_attribute(arg));
            }
        }
    }
    if let Some(a) = attr(config, "action").as_str() {
        if !(a.starts_with("lambda:") && a.len() > 7 || a == "*") {
            d.push(Diagnostic::error("Invalid value", format!("invalid action: {a:?} (lambda:<Operation> or *)")).for_attribute("action"));
        }
    }
    if let Some(a) = attr(config, "source_account").as_str() {
        if a.len() != 12 || !a.chars().all(|c| c.is_ascii_digit()) {
            d.push(Diagnostic::error("Invalid value", format!("invalid account ID: {a:?}")).for_attribute("source_account"));
        }
    }
    d
}

/// The statement of a function policy with this `Sid`; `None` when the policy or the statement
/// is gone.
async fn statement(p: &AwsProvider, state: &Value, sid: &str) -> Result<Option<Json>, ApiError> {
    let function = text(state, "function_name");
    let policy = match p.rest.call(&LAMBDA, with_qualifier(Request::new("GET", policy_path(&function)), state)).await {
        Ok(o) => o,
        Err(e) if e.not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let doc: Json = policy.get("Policy").and_then(Json::as_str).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
    let statements = match doc.get("Statement") {
        Some(Json::Array(a)) => a.clone(),
        Some(one @ Json::Object(_)) => vec![one.clone()],
        _ => vec![],
    };
    Ok(statements.into_iter().find(|s| s.get("Sid").and_then(Json::as_str) == Some(sid)))
}

#[async_trait]
impl ResourceType<AwsProvider> for LambdaPermission {
    fn name(&self) -> &'static str {
        "aws_lambda_permission"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let (config, creating) = (req.config.clone(), req.prior_state.is_none());
        let mut planned = req.proposed_new_state;
        if creating {
            if attr(&config, "statement_id").is_null() {
                set(&mut planned, "statement_id", Value::Unknown);
            }
            if attr(&config, "statement_id_prefix").is_null() {
                set(&mut planned, "statement_id_prefix", if attr(&config, "statement_id").is_null() { Value::Unknown } else { Value::Null });
            }
        }
        let mut resp = PlanResponse::planned(planned);
        resp.diagnostics.extend(check(&config));
        resp
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let sid = text(&prior, "id");
        let function = text(&prior, "function_name");
        let st = match statement(p, &prior, &sid).await {
            Ok(Some(s)) => s,
            Ok(None) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, e.diagnostics(&format!("reading Lambda Permission ({function}/{sid})"))),
        };
        let mut s = prior;
        let resource = st.get("Resource").and_then(Json::as_str).unwrap_or_default().to_string();
        let (name, qualifier) = function_parts(&resource);
        set(&mut s, "qualifier", qualifier.as_deref().map(Value::string).unwrap_or(Value::Null));
        let arn_prefix = format!("arn:{}:lambda:", partition(&p.region));
        let function_name = if function.starts_with(&arn_prefix) {
            match &qualifier {
                Some(q) => resource.strip_suffix(&format!(":{q}")).unwrap_or(&resource).to_string(),
                None => resource.clone(),
            }
        } else {
            name
        };
        set(&mut s, "function_name", Value::string(function_name));
        set(&mut s, "action", st.get("Action").and_then(Json::as_str).map(Value::string).unwrap_or(Value::Null));
        let principal = match st.get("Principal") {
            Some(Json::Object(m)) => m.get("AWS").or_else(|| m.get("Service")).and_then(Json::as_str).map(Value::string),
            Some(Json::String(x)) => Some(Value::string(x)),
            _ => None,
        };
        set(&mut s, "principal", principal.unwrap_or(Value::Null));
        let condition = st.get("Condition").cloned().unwrap_or_default();
        let cond = |group: &Json, key: &str| group.get(key).and_then(Json::as_str).map(Value::string).unwrap_or(Value::Null);
        if let Some(eq) = condition.get("StringEquals") {
            set(&mut s, "event_source_token", cond(eq, "lambda:EventSourceToken"));
            set(&mut s, "principal_org_id", cond(eq, "aws:PrincipalOrgID"));
            set(&mut s, "source_account", cond(eq, "AWS:SourceAccount"));
        }
        if let Some(like) = condition.get("ArnLike") {
            set(&mut s, "source_arn", cond(like, "AWS:SourceArn"));
        }
        set(&mut s, "statement_id", Value::string(&sid));
        set(&mut s, "statement_id_prefix", name_prefix_of(&sid));
        ReadResponse::found(s)
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let function = text(&planned, "function_name");
        let sid = match (attr(&planned, "statement_id").as_str(), attr(&planned, "statement_id_prefix").as_str()) {
            (Some(s), _) => s.to_string(),
            (None, Some(prefix)) => unique_name(prefix),
            (None, None) => unique_name("terraform-"),
        };
        let mut body = json!({ "Action": text(&planned, "action"), "Principal": text(&planned, "principal"), "StatementId": sid });
        for (arg, key) in [
            ("event_source_token", "EventSourceToken"),
            ("principal_org_id", "PrincipalOrgID"),
            ("source_account", "SourceAccount"),
            ("source_arn", "SourceArn"),
        ] {
            if let Some(v) = attr(&planned, arg).as_str() {
                body[key] = json!(v);
            }
        }
        let req = with_qualifier(Request::new("POST", policy_path(&function)).body(body), &planned);
        // Retried while the function (just created) or a concurrent policy change settles.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match p.rest.write(&LAMBDA, req.clone()).await {
                Ok(_) => break,
                Err(e) if (e.is("ResourceConflictException") || e.not_found()) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                }
                Err(e) => return ApplyResponse::failed(None, e.diagnostics(&format!("adding Lambda Permission ({function}/{sid})"))),
            }
        }
        let mut state = planned;
        set(&mut state, "id", Value::string(&sid));
        set(&mut state, "statement_id", Value::string(&sid));
        super::json_api::read_back(self, p, state).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let (function, sid) = (text(&prior, "function_name"), text(&prior, "id"));
        let req = with_qualifier(Request::new("DELETE", format!("{}/{}", policy_path(&function), segment(&sid))), &prior);
        match p.rest.write(&LAMBDA, req).await {
            Err(e) if !e.not_found() => ApplyResponse::failed(Some(prior), e.diagnostics(&format!("removing Lambda Permission ({function}/{sid})"))),
            _ => ApplyResponse::ok(None),
        }
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let Some((function, sid)) = id.split_once('/').filter(|(f, s)| !f.is_empty() && !s.is_empty() && !s.contains('/')) else {
            let why = format!("Unexpected format of ID ({id:?}), expected FUNCTION_NAME/STATEMENT_ID or FUNCTION_NAME:QUALIFIER/STATEMENT_ID");
            return ImportResponse::failed(Diagnostic::error("Invalid import id", why).into());
        };
        let mut state = blank;
        let (name, qualifier) = match function.split_once(':').filter(|_| !function.starts_with("arn:")) {
            Some((n, q)) => (n.to_string(), Some(q.to_string())),
            None => (function.to_string(), None),
        };
        set(&mut state, "function_name", Value::string(name));
        set(&mut state, "qualifier", qualifier.map(Value::string).unwrap_or(Value::Null));
        set(&mut state, "id", Value::string(sid));
        set(&mut state, "statement_id", Value::string(sid));
        imported(self.read(p, state).await, || format!("There is no Lambda permission \"{sid}\" on function \"{function}\"."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_and_qualifiers_come_from_the_resource_arn() {
        let arn = "arn:aws:lambda:eu-west-1:123456789012:function:f";
        assert_eq!(function_parts(arn), ("f".to_string(), None));
        assert_eq!(function_parts(&format!("{arn}:live")), ("f".to_string(), Some("live".to_string())));
        assert_eq!(function_parts("f:3"), ("f".to_string(), Some("3".to_string())));
    }

    #[test]
    fn arguments_are_checked_at_plan() {
        let both = Value::object([("statement_id", Value::string("a")), ("statement_id_prefix", Value::string("b"))]);
        assert!(check(&both).has_errors());
        assert!(check(&Value::object([("action", Value::string("InvokeFunction"))])).has_errors());
        assert!(!check(&Value::object([("action", Value::string("lambda:InvokeFunction")), ("source_account", Value::string("123456789012"))])).has_errors());
        assert!(check(&Value::object([("source_account", Value::string("12"))])).has_errors());
    }
}
