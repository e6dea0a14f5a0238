//! A small client for the AWS services that speak REST-JSON (Lambda): one request per operation
//! with its own method and path (`GET /2015-03-31/functions/{name}`), an optional query and an
//! optional JSON body, signed with SigV4. It stands in for the services' SDK crates, as
//! [`super::json_api`] does for the JSON-protocol services, and shares that client's core
//! ([`super::signed`]): credentials and region from the provider's `SdkConfig`, every attempt counted, throttling,
//! 5xx answers and transport errors retried with exponential backoff and jitter, endpoints
//! from `endpoints { <service> }`, then `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`,
//! then the regional endpoint. Error answers (the `x-amzn-ErrorType` header, or the body's
//! `Type`/`__type`, and `Message`) become [`ApiError`]s. Entry point: [`RestApi::call`].

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value as Json;

use super::json_api::{json_of, short_code, ApiError};
use super::signed::{header, Addressing, Call, Setup, Signed};

/// One REST-JSON service: how it is addressed and signed.
#[derive(Debug)]
pub struct RestService {
    /// Its name in the provider's `endpoints` block.
    pub key: &'static str,
    /// The SigV4 signing name, which is also the host prefix of its regional endpoint.
    pub signing_name: &'static str,
    /// The suffix of its `AWS_ENDPOINT_URL_<SERVICE>` variable.
    pub env: &'static str,
}

pub const LAMBDA: RestService = RestService { key: "lambda", signing_name: "lambda", env: "LAMBDA" };

/// Every service of this client.
pub const SERVICES: [&RestService; 1] = [&LAMBDA];

/// The characters a path segment keeps unencoded (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// One path segment, percent-encoded (a function ARN in a tags path).
pub fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// The REST-JSON client of a configured provider.
pub struct RestApi {
    core: Signed,
}

/// One request: method, path (already encoded), query pairs and JSON body.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Json>,
}

impl Request {
    pub fn new(method: &'static str, path: impl Into<String>) -> Request {
        Request { method, path: path.into(), query: vec![], body: None }
    }
    pub fn query(mut self, k: &str, v: impl Into<String>) -> Request {
        self.query.push((k.to_string(), v.into()));
        self
    }
    pub fn body(mut self, body: Json) -> Request {
        self.body = Some(body);
        self
    }
}

impl RestApi {
    /// The client for a provider.
    pub(super) fn new(setup: &Setup) -> RestApi {
        let services = SERVICES.iter().map(|s| Addressing { key: s.key, alias: None, env: s.env, signing_name: s.signing_name });
        RestApi { core: Signed::new(setup, services) }
    }

    /// A client with static credentials and every service at one endpoint (tests, tools).
    pub fn for_endpoint(endpoint: &str, region: &str, access_key: &str, secret_key: &str) -> RestApi {
        RestApi { core: Signed::for_endpoint(endpoint, region, (access_key, secret_key), "skyform-rest-api", SERVICES.iter().map(|s| s.key)) }
    }

    /// The endpoint a service's calls go to.
    pub fn endpoint(&self, service: &RestService) -> &str {
        self.core.endpoint(service.key)
    }

    /// Sends `req` with the read/update retry budget; the answer's JSON body.
    pub async fn call(&self, service: &RestService, req: Request) -> Result<Json, ApiError> {
        self.send(service, &req, false).await
    }

    /// Sends `req` with the raised retry budget of creates and deletes.
    pub async fn write(&self, service: &RestService, req: Request) -> Result<Json, ApiError> {
        self.send(service, &req, true).await
    }

    async fn send(&self, service: &RestService, req: &Request, write: bool) -> Result<Json, ApiError> {
        let mut url = format!("{}{}", self.endpoint(service).trim_end_matches('/'), req.path);
        if !req.query.is_empty() {
            let q: Vec<String> = req.query.iter().map(|(k, v)| format!("{}={}", segment(k), segment(v))).collect();
            url = format!("{url}?{}", q.join("&"));
        }
        let mut headers = vec![];
        if req.body.is_some() {
            headers.push(("content-type".to_string(), "application/json".to_string()));
        }
        let body = req.body.as_ref().map(|b| serde_json::to_vec(b).unwrap_or_default());
        let call = Call { signing_name: service.signing_name, method: req.method, url, headers, body, write };
        self.core
            .send(&call, |status, headers, bytes| {
                let json = json_of(bytes);
                if (200..300).contains(&status) {
                    return Ok(json);
                }
                Err(error_of(status, &json, bytes, header(headers, "x-amzn-errortype")))
            })
            .await
    }
}

/// An error answer: the code from `x-amzn-ErrorType` (else the body's `Type`/`__type`/`code`),
/// the message from the body's `Message`/`message`.
fn error_of(status: u16, json: &Json, raw: &[u8], header_type: Option<&str>) -> ApiError {
    let field = |k: &str| json.get(k).and_then(Json::as_str).map(str::to_string);
    let raw_code = header_type.map(str::to_string).or_else(|| field("__type")).or_else(|| field("code")).or_else(|| field("Type")).unwrap_or_default();
    let code = short_code(&raw_code);
    let message = field("Message").or_else(|| field("message")).unwrap_or_else(|| String::from_utf8_lossy(raw).chars().take(500).collect());
    let message = if message.is_empty() { format!("HTTP {status}") } else { message };
    ApiError { code, message, status }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_take_the_header_code() {
        let e = error_of(404, &serde_json::json!({"Type": "User", "Message": "Function not found"}), b"", Some("ResourceNotFoundException:http://x"));
        assert_eq!((e.code.as_str(), e.message.as_str()), ("ResourceNotFoundException", "Function not found"));
        assert!(e.not_found() && !e.retryable());
        assert!(error_of(429, &Json::Null, b"", Some("TooManyRequestsException")).retryable());
    }

    #[test]
    fn segments_and_endpoints() {
        assert_eq!(segment("arn:aws:lambda:eu-west-1:1:function:f"), "arn%3Aaws%3Alambda%3Aeu-west-1%3A1%3Afunction%3Af");
        assert_eq!(segment("$LATEST"), "%24LATEST");
        assert_eq!(super::super::signed::regional(LAMBDA.signing_name, "eu-west-1"), "https://lambda.eu-west-1.amazonaws.com");
    }
}
