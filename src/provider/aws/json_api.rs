//! A small client for the AWS services that speak the JSON 1.0 / 1.1 protocol (KMS, SSM,
//! Secrets Manager, CloudWatch Logs, SQS, DynamoDB, ECS): one `POST /` per operation with
//! `X-Amz-Target: <prefix>.<Operation>` and a JSON body, signed with SigV4. It stands in for
//! their SDK crates, which would each add minutes to a release build for a handful of calls.
//!
//! Like the SDK clients in [`super::AwsFactory::connect`] it takes credentials and region from
//! the provider's `SdkConfig`, counts every attempt in the provider's [`super::RequestCounter`], and
//! retries throttling, 5xx answers and transport errors with exponential backoff and jitter;
//! endpoints resolve as the Terraform provider's do (all of it in [`super::signed`], which the
//! Query and REST-JSON clients share). Error bodies (`__type`, `message`) become
//! [`ApiError`]s, and those diagnostics. Entry point: [`JsonApi::call`].

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::signed::{header, Addressing, Call, Setup, Signed};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::kit::ResourceType;
use crate::provider::ApplyResponse;
use crate::value::Value;

/// One JSON-protocol service: how it is addressed, signed and configured.
#[derive(Debug)]
pub struct Service {
    /// Its name in the provider's `endpoints` block.
    pub key: &'static str,
    /// Another accepted name in the `endpoints` block (`cloudwatchlogs` for `logs`).
    pub alias: Option<&'static str>,
    /// The SigV4 signing name, which is also the host prefix of its regional endpoint.
    pub signing_name: &'static str,
    /// The `X-Amz-Target` prefix.
    pub target: &'static str,
    /// The JSON protocol version (`1.0` or `1.1`).
    pub json_version: &'static str,
    /// The suffix of its `AWS_ENDPOINT_URL_<SERVICE>` variable.
    pub env: &'static str,
}

pub const KMS: Service = Service { key: "kms", alias: None, signing_name: "kms", target: "TrentService", json_version: "1.1", env: "KMS" };
pub const SSM: Service = Service { key: "ssm", alias: None, signing_name: "ssm", target: "AmazonSSM", json_version: "1.1", env: "SSM" };
pub const SECRETS_MANAGER: Service =
    Service { key: "secretsmanager", alias: None, signing_name: "secretsmanager", target: "secretsmanager", json_version: "1.1", env: "SECRETS_MANAGER" };
pub const LOGS: Service =
    Service { key: "logs", alias: Some("cloudwatchlogs"), signing_name: "logs", target: "Logs_20140328", json_version: "1.1", env: "CLOUDWATCH_LOGS" };
pub const SQS: Service = Service { key: "sqs", alias: None, signing_name: "sqs", target: "AmazonSQS", json_version: "1.0", env: "SQS" };
pub const DYNAMODB: Service =
    Service { key: "dynamodb", alias: None, signing_name: "dynamodb", target: "DynamoDB_20120810", json_version: "1.0", env: "DYNAMODB" };

pub const ECS: Service =
    Service { key: "ecs", alias: None, signing_name: "ecs", target: "AmazonEC2ContainerServiceV20141113", json_version: "1.1", env: "ECS" };

/// Every service of this client.
pub const SERVICES: [&Service; 7] = [&KMS, &SSM, &SECRETS_MANAGER, &LOGS, &SQS, &DYNAMODB, &ECS];

/// A failed call: the service's error code (`__type` without its namespace) and message, or
/// a transport failure (empty code).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub status: u16,
}

impl ApiError {
    /// Whether the service answered with this error code.
    pub fn is(&self, code: &str) -> bool {
        self.code == code
    }

    /// Whether the object does not exist (each service's not-found code).
    pub fn not_found(&self) -> bool {
        matches!(
            self.code.as_str(),
            "ResourceNotFoundException"
                | "NotFoundException"
                | "ParameterNotFound"
                | "QueueDoesNotExist"
                | "AWS.SimpleQueueService.NonExistentQueue"
                | "ClusterNotFoundException"
        )
    }

    pub(super) fn retryable(&self) -> bool {
        self.status >= 500
            || self.status == 0
            || self.status == 429
            || matches!(
                self.code.as_str(),
                "Throttling"
                    | "ThrottlingException"
                    | "ThrottledException"
                    | "RequestThrottledException"
                    | "TooManyRequestsException"
                    | "ProvisionedThroughputExceededException"
                    | "RequestLimitExceeded"
                    | "RequestThrottled"
                    | "SlowDown"
                    | "PriorRequestNotComplete"
                    | "TransactionInProgressException"
            )
    }

    /// The error as a diagnostic: `what` says which call (`creating KMS key`).
    pub fn diagnostics(&self, what: &str) -> Diagnostics {
        let hint = match self.code.as_str() {
            "ParameterAlreadyExists" => "\n\nThe parameter exists already: import it with `skyform import`, or set overwrite = true.",
            "ResourceExistsException" | "ResourceAlreadyExistsException" | "AlreadyExistsException" | "QueueNameExists" => {
                "\n\nAn object of that name exists already: import it with `skyform import`, or choose another name."
            }
            "QueueDeletedRecently" => "\n\nSQS keeps a deleted queue's name for 60 seconds: wait, or choose another name.",
            "AccessDenied" | "AccessDeniedException" | "UnrecognizedClientException" | "InvalidSignatureException" | "IncompleteSignature" => {
                "\n\nCheck the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the provider block)."
            }
            _ => "",
        };
        let (summary, detail) = if self.code.is_empty() {
            ("request failed".to_string(), format!("Error {what}: {}{hint}", self.message))
        } else {
            (self.code.clone(), format!("Error {what}: {}: {}{hint}", self.code, self.message))
        };
        Diagnostic::error(format!("AWS API error ({summary})"), detail).into()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// The JSON-protocol client of a configured provider.
pub struct JsonApi {
    core: Signed,
}

impl Service {
    fn addressing(&self) -> Addressing {
        Addressing { key: self.key, alias: self.alias, env: self.env, signing_name: self.signing_name }
    }
}

impl JsonApi {
    /// The client for a provider.
    pub(super) fn new(setup: &Setup) -> JsonApi {
        JsonApi { core: Signed::new(setup, SERVICES.iter().map(|s| s.addressing())) }
    }

    /// A client with static credentials and every service at one endpoint (tests, tools).
    pub fn for_endpoint(endpoint: &str, region: &str, access_key: &str, secret_key: &str) -> JsonApi {
        JsonApi { core: Signed::for_endpoint(endpoint, region, (access_key, secret_key), "skyform-json-api", SERVICES.iter().map(|s| s.key)) }
    }

    /// A client for callers outside a provider (the `aws_kms` key provider of state
    /// encryption): credentials and region from the environment (`AWS_*`, the shared files),
    /// `endpoint` (when given) for every service, else the usual endpoint resolution.
    pub async fn from_environment(region: Option<&str>, endpoint: Option<&str>) -> JsonApi {
        let region = region
            .map(str::to_string)
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .unwrap_or_else(|| "us-east-1".into());
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest()).region(aws_config::Region::new(region.clone())).load().await;
        let configured = |_: &str| endpoint.map(str::to_string);
        let setup = Setup { sdk: &sdk, region: &region, configured: &configured, counter: Default::default(), attempts: (5, 10) };
        JsonApi::new(&setup)
    }

    /// The endpoint a service's calls go to.
    pub fn endpoint(&self, service: &Service) -> &str {
        self.core.endpoint(service.key)
    }

    /// Calls `operation` with the read/update retry budget; the answer's JSON body.
    pub async fn call(&self, service: &Service, operation: &str, body: Json) -> Result<Json, ApiError> {
        self.send(service, operation, &body, false).await
    }

    /// Calls `operation` with the raised retry budget of creates and deletes.
    pub async fn write(&self, service: &Service, operation: &str, body: Json) -> Result<Json, ApiError> {
        self.send(service, operation, &body, true).await
    }

    async fn send(&self, service: &Service, operation: &str, body: &Json, write: bool) -> Result<Json, ApiError> {
        let content_type = format!("application/x-amz-json-{}", service.json_version);
        let target = format!("{}.{operation}", service.target);
        let call = Call {
            signing_name: service.signing_name,
            method: "POST",
            url: self.endpoint(service).to_string(),
            headers: vec![("content-type".to_string(), content_type), ("x-amz-target".to_string(), target)],
            body: Some(serde_json::to_vec(body).unwrap_or_default()),
            write,
        };
        self.core
            .send(&call, |status, headers, bytes| {
                let json = json_of(bytes);
                if (200..300).contains(&status) {
                    return Ok(json);
                }
                Err(error_of(status, &json, bytes, header(headers, "x-amzn-errortype"), header(headers, "x-amzn-query-error")))
            })
            .await
    }
}

/// An answer's body as JSON: an empty object where it is empty, `null` where it is not JSON.
pub(super) fn json_of(bytes: &[u8]) -> Json {
    if bytes.is_empty() {
        Json::Object(Default::default())
    } else {
        serde_json::from_slice(bytes).unwrap_or(Json::Null)
    }
}

/// An error answer as an [`ApiError`]: the code from the body's `__type` (or `code`), else
/// the `x-amzn-ErrorType` header; SQS's legacy code from `x-amzn-query-error` when present.
fn error_of(status: u16, json: &Json, raw: &[u8], header_type: Option<&str>, query_error: Option<&str>) -> ApiError {
    let field = |k: &str| json.get(k).and_then(Json::as_str).map(str::to_string);
    let raw_code = field("__type").or_else(|| field("code")).or_else(|| header_type.map(str::to_string)).unwrap_or_default();
    let mut code = short_code(&raw_code);
    if let Some(q) = query_error.and_then(|q| q.split(';').next()).filter(|q| !q.is_empty()) {
        if code.is_empty() || q == "AWS.SimpleQueueService.NonExistentQueue" {
            code = q.to_string();
        }
    }
    let message = field("message").or_else(|| field("Message")).unwrap_or_else(|| String::from_utf8_lossy(raw).chars().take(500).collect());
    let message = if message.is_empty() { format!("HTTP {status}") } else { message };
    ApiError { code, message, status }
}

/// `com.amazonaws.kms#NotFoundException` -> `NotFoundException` (and drops a `:http...` suffix).
pub(super) fn short_code(t: &str) -> String {
    let t = t.rsplit('#').next().unwrap_or(t);
    t.split(':').next().unwrap_or(t).to_string()
}

/// A string field of an answer (empty when absent).
pub fn text(v: &Json, key: &str) -> String {
    v.get(key).and_then(Json::as_str).unwrap_or_default().to_string()
}

/// Sets the provider's defaults (`Default:` in its schema) for the arguments the
/// configuration leaves unset: unlike an optional+computed value, a default is planned even
/// when the object holds something else, so a change made outside shows as drift.
pub fn provider_defaults(planned: &mut Value, config: &Value, pairs: &[(&str, Value)]) {
    for (arg, v) in pairs {
        if config.get_attr(arg).is_none_or(Value::is_null) {
            crate::provider::helpers::set(planned, arg, v.clone());
        }
    }
}

/// `tags_all` as the JSON services' tag list (`[{"<key>": k, "<value>": v}]`; KMS uses
/// `TagKey`/`TagValue`, SSM and Secrets Manager `Key`/`Value`).
pub fn tag_list(tags_all: &Value, key: &str, value: &str) -> Json {
    let pairs = tags_all.as_map().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect::<Vec<_>>());
    Json::Array(pairs.unwrap_or_default().into_iter().map(|(k, v)| serde_json::json!({ key: k, value: v })).collect())
}

/// A tag list of an answer as a map, without the `aws:` tags AWS manages.
pub fn tag_map(list: Option<&Json>, key: &str, value: &str) -> BTreeMap<String, String> {
    let items = list.and_then(Json::as_array).map(Vec::as_slice).unwrap_or_default();
    items.iter().map(|t| (text(t, key), text(t, value))).filter(|(k, _)| !k.is_empty() && !k.starts_with("aws:")).collect()
}

/// A tag map (`{"k": "v"}`, as Logs and SQS answer) without the `aws:` tags.
pub fn tag_object(v: Option<&Json>) -> BTreeMap<String, String> {
    let m = v.and_then(Json::as_object);
    m.map(|m| m.iter().filter(|(k, _)| !k.starts_with("aws:")).map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

/// The tag keys to remove and the tags to set to go from `had` to `want` (`tags_all`).
pub fn tag_changes(had: &Value, want: &Value) -> (Vec<String>, BTreeMap<String, String>) {
    let text = |v: &Value| -> BTreeMap<String, String> {
        v.as_map().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()).unwrap_or_default()
    };
    let (had, want) = (text(had), text(want));
    let stale = had.keys().filter(|k| !want.contains_key(*k)).cloned().collect();
    let new = want.into_iter().filter(|(k, v)| had.get(k) != Some(v)).collect();
    (stale, new)
}

/// How a service takes tag changes: the operations that remove and add tags, the fields of
/// their bodies holding the keys to remove and the tags to add, and the shape of an added tag.
#[derive(Debug)]
pub struct Tagging {
    /// The service the calls go to.
    pub service: &'static Service,
    /// The operation removing tags (`UntagResource`).
    pub untag: &'static str,
    /// The operation adding or changing tags (`TagResource`).
    pub tag: &'static str,
    /// The field holding the keys to remove (`TagKeys`).
    pub keys: &'static str,
    /// The field holding the tags to add (`Tags`).
    pub tags: &'static str,
    /// The names of a tag's key and value in a tag list (`TagKey`/`TagValue`); `None` where
    /// the tags go as a map (`{"k": "v"}`, Logs and SQS).
    pub pair: Option<(&'static str, &'static str)>,
}

// Each service's tag calls (the object they name is the caller's `target`).
pub const KMS_TAGS: Tagging =
    Tagging { service: &KMS, untag: "UntagResource", tag: "TagResource", keys: "TagKeys", tags: "Tags", pair: Some(("TagKey", "TagValue")) };
pub const SSM_TAGS: Tagging =
    Tagging { service: &SSM, untag: "RemoveTagsFromResource", tag: "AddTagsToResource", keys: "TagKeys", tags: "Tags", pair: Some(("Key", "Value")) };
pub const SECRETS_MANAGER_TAGS: Tagging =
    Tagging { service: &SECRETS_MANAGER, untag: "UntagResource", tag: "TagResource", keys: "TagKeys", tags: "Tags", pair: Some(("Key", "Value")) };
pub const LOGS_TAGS: Tagging = Tagging { service: &LOGS, untag: "UntagResource", tag: "TagResource", keys: "tagKeys", tags: "tags", pair: None };
pub const SQS_TAGS: Tagging = Tagging { service: &SQS, untag: "UntagQueue", tag: "TagQueue", keys: "TagKeys", tags: "Tags", pair: None };
pub const DYNAMODB_TAGS: Tagging =
    Tagging { service: &DYNAMODB, untag: "UntagResource", tag: "TagResource", keys: "TagKeys", tags: "Tags", pair: Some(("Key", "Value")) };
pub const ECS_TAGS: Tagging =
    Tagging { service: &ECS, untag: "UntagResource", tag: "TagResource", keys: "tagKeys", tags: "tags", pair: Some(("key", "value")) };

impl Tagging {
    /// The bodies of the calls taking `prior`'s `tags_all` to `planned`'s: the untag call's
    /// (the keys dropped) and the tag call's (the tags new or changed), each `None` where it
    /// has nothing to do. `target` holds the fields naming the object (`{"KeyId": id}`).
    fn bodies(&self, target: Json, prior: &Value, planned: &Value) -> (Option<Json>, Option<Json>) {
        use crate::provider::helpers::attr;
        let (stale, new) = tag_changes(attr(prior, "tags_all"), attr(planned, "tags_all"));
        let untag = (!stale.is_empty()).then(|| {
            let mut body = target.clone();
            body[self.keys] = serde_json::json!(stale);
            body
        });
        let tag = (!new.is_empty()).then(|| {
            let tags = match self.pair {
                Some((key, value)) => Json::Array(new.iter().map(|(k, v)| serde_json::json!({ key: k, value: v })).collect()),
                None => serde_json::json!(new),
            };
            let mut body = target;
            body[self.tags] = tags;
            body
        });
        (untag, tag)
    }
}

impl JsonApi {
    /// Takes an object's tags from `prior`'s `tags_all` to `planned`'s: one call removing the
    /// keys dropped, then one adding the tags new or changed (no call where nothing changes).
    /// `target` holds the body fields naming the object (`{"KeyId": id}`).
    pub async fn sync_tags(&self, tagging: &Tagging, target: Json, prior: &Value, planned: &Value) -> Result<(), ApiError> {
        let (untag, tag) = tagging.bodies(target, prior, planned);
        if let Some(body) = untag {
            self.call(tagging.service, tagging.untag, body).await?;
        }
        if let Some(body) = tag {
            self.call(tagging.service, tagging.tag, body).await?;
        }
        Ok(())
    }
}

/// The end of a create or update: the object read back, or `state` as it stands when the read
/// finds nothing, with the read's diagnostics.
pub async fn read_back<R: ResourceType<AwsProvider>>(rt: &R, p: &AwsProvider, state: Value) -> ApplyResponse {
    let r = rt.read(p, state.clone()).await;
    ApplyResponse::read_back(r, state)
}

/// The end of an update: where `result` failed, the prior state with its diagnostics; else
/// the object read back (see [`read_back`]) from `planned`.
pub async fn updated<R: ResourceType<AwsProvider>>(rt: &R, p: &AwsProvider, result: Result<(), Diagnostics>, prior: Value, planned: Value) -> ApplyResponse {
    match result {
        Err(d) => ApplyResponse::failed(Some(prior), d),
        Ok(()) => read_back(rt, p, planned).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_lose_their_namespace() {
        let e = error_of(400, &serde_json::json!({"__type": "com.amazonaws.kms#NotFoundException", "message": "gone"}), b"", None, None);
        assert_eq!((e.code.as_str(), e.message.as_str()), ("NotFoundException", "gone"));
        assert!(e.not_found() && !e.retryable());
        let q = error_of(
            400,
            &serde_json::json!({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "x"}),
            b"",
            None,
            Some("AWS.SimpleQueueService.NonExistentQueue;Sender"),
        );
        assert!(q.not_found());
        let t = error_of(400, &serde_json::json!({"__type": "ThrottlingException:http://internal"}), b"", None, None);
        assert_eq!(t.code, "ThrottlingException");
        assert!(t.retryable());
        assert!(error_of(503, &Json::Null, b"busy", None, None).retryable());
    }

    #[test]
    fn tag_calls_take_each_service_shape() {
        let tags = |pairs: &[(&str, &str)]| Value::object([("tags_all", Value::object(pairs.iter().map(|(k, v)| (*k, Value::string(*v)))))]);
        let (prior, planned) = (tags(&[("a", "1"), ("b", "2"), ("c", "3")]), tags(&[("b", "2"), ("c", "4"), ("d", "5")]));
        let (untag, tag) = KMS_TAGS.bodies(serde_json::json!({ "KeyId": "k" }), &prior, &planned);
        assert_eq!(untag, Some(serde_json::json!({ "KeyId": "k", "TagKeys": ["a"] })));
        let want = serde_json::json!({ "KeyId": "k", "Tags": [{ "TagKey": "c", "TagValue": "4" }, { "TagKey": "d", "TagValue": "5" }] });
        assert_eq!(tag, Some(want));
        let (untag, tag) = LOGS_TAGS.bodies(serde_json::json!({ "resourceArn": "arn" }), &prior, &planned);
        assert_eq!(untag, Some(serde_json::json!({ "resourceArn": "arn", "tagKeys": ["a"] })));
        assert_eq!(tag, Some(serde_json::json!({ "resourceArn": "arn", "tags": { "c": "4", "d": "5" } })));
        assert_eq!(SQS_TAGS.bodies(serde_json::json!({ "QueueUrl": "u" }), &planned, &planned), (None, None));
    }
}
