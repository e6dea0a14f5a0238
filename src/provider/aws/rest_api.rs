//! A small client for the AWS services that speak REST-JSON (Lambda): one request per operation
//! with its own method and path (`GET /2015-03-31/functions/{name}`), an optional query and an
//! optional JSON body, signed with SigV4. It stands in for the services' SDK crates, as
//! [`super::json_api`] does for the JSON-protocol services, and behaves as that client does:
//! credentials and region from the provider's `SdkConfig`, every attempt counted, throttling,
//! 5xx answers and transport errors retried with exponential backoff and jitter, endpoints
//! from `endpoints { <service> }`, then `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`,
//! then the regional endpoint. Error answers (the `x-amzn-ErrorType` header, or the body's
//! `Type`/`__type`, and `Message`) become [`ApiError`]s. Entry point: [`RestApi::call`].

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_s3::config::{Credentials, ProvideCredentials, SharedCredentialsProvider};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value as Json;

use super::json_api::ApiError;
use super::RequestCounter;

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
    http: reqwest::Client,
    credentials: Option<SharedCredentialsProvider>,
    cached: tokio::sync::Mutex<Option<Credentials>>,
    region: String,
    endpoints: BTreeMap<&'static str, String>,
    counter: Arc<RequestCounter>,
    /// Attempts (first try included) of reads and updates, and of creates and deletes.
    attempts: (u32, u32),
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
    /// The client for a provider: `configured` holds the `endpoints` block's URLs by name.
    pub(super) fn new(
        sdk: &aws_config::SdkConfig,
        region: &str,
        configured: impl Fn(&str) -> Option<String>,
        counter: Arc<RequestCounter>,
        attempts: (u32, u32),
    ) -> RestApi {
        let global = sdk.endpoint_url().map(str::to_string);
        let endpoints = SERVICES
            .iter()
            .map(|s| {
                let url = configured(s.key)
                    .or_else(|| std::env::var(format!("AWS_ENDPOINT_URL_{}", s.env)).ok().filter(|u| !u.is_empty()))
                    .or_else(|| global.clone())
                    .unwrap_or_else(|| regional(s, region));
                (s.key, url)
            })
            .collect();
        RestApi {
            http: super::json_api::client(),
            credentials: sdk.credentials_provider(),
            cached: tokio::sync::Mutex::new(None),
            region: region.to_string(),
            endpoints,
            counter,
            attempts,
        }
    }

    /// A client with static credentials and every service at one endpoint (tests, tools).
    pub fn for_endpoint(endpoint: &str, region: &str, access_key: &str, secret_key: &str) -> RestApi {
        let creds = Credentials::new(access_key, secret_key, None, None, "skyform-rest-api");
        RestApi {
            http: super::json_api::client(),
            credentials: Some(SharedCredentialsProvider::new(creds)),
            cached: tokio::sync::Mutex::new(None),
            region: region.to_string(),
            endpoints: SERVICES.iter().map(|s| (s.key, endpoint.to_string())).collect(),
            counter: Arc::new(RequestCounter::default()),
            attempts: (3, 3),
        }
    }

    /// The endpoint a service's calls go to.
    pub fn endpoint(&self, service: &RestService) -> &str {
        self.endpoints.get(service.key).map(String::as_str).unwrap_or_default()
    }

    /// Sends `req` with the read/update retry budget; the answer's JSON body.
    pub async fn call(&self, service: &RestService, req: Request) -> Result<Json, ApiError> {
        self.send(service, &req, self.attempts.0).await
    }

    /// Sends `req` with the raised retry budget of creates and deletes.
    pub async fn write(&self, service: &RestService, req: Request) -> Result<Json, ApiError> {
        self.send(service, &req, self.attempts.1).await
    }

    async fn send(&self, service: &RestService, req: &Request, attempts: u32) -> Result<Json, ApiError> {
        let payload = req.body.as_ref().map(|b| serde_json::to_vec(b).unwrap_or_default()).unwrap_or_default();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(service, req, &payload).await {
                Err(e) if e.retryable() && attempt < attempts => {
                    let cap = (1u64 << attempt.min(5)).min(20) as f64;
                    tokio::time::sleep(Duration::from_secs_f64(rand::random::<f64>() * cap)).await;
                }
                r => return r,
            }
        }
    }

    async fn attempt(&self, service: &RestService, req: &Request, payload: &[u8]) -> Result<Json, ApiError> {
        let mut url = format!("{}{}", self.endpoint(service).trim_end_matches('/'), req.path);
        if !req.query.is_empty() {
            let q: Vec<String> = req.query.iter().map(|(k, v)| format!("{}={}", segment(k), segment(v))).collect();
            url = format!("{url}?{}", q.join("&"));
        }
        let mut headers = vec![];
        if req.body.is_some() {
            headers.push(("content-type".to_string(), "application/json".to_string()));
        }
        if let Some(creds) = self.credentials().await? {
            headers.extend(sign(&creds, &self.region, service.signing_name, req.method, &url, &headers, payload)?);
        }
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut r = self.http.request(method, &url);
        if req.body.is_some() {
            r = r.body(payload.to_vec());
        }
        for (k, v) in &headers {
            r = r.header(k.as_str(), v.as_str());
        }
        self.counter.total.fetch_add(1, Ordering::Relaxed);
        let resp = r.send().await.map_err(|e| ApiError { code: String::new(), message: format!("{url}: {e}"), status: 0 })?;
        let status = resp.status().as_u16();
        let header_type = resp.headers().get("x-amzn-errortype").and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = resp.bytes().await.map_err(|e| ApiError { code: String::new(), message: format!("{url}: {e}"), status: 0 })?;
        let json: Json = if bytes.is_empty() { Json::Object(Default::default()) } else { serde_json::from_slice(&bytes).unwrap_or(Json::Null) };
        if (200..300).contains(&status) {
            return Ok(json);
        }
        Err(error_of(status, &json, &bytes, header_type.as_deref()))
    }

    /// The credentials to sign with, cached until five minutes before they expire.
    async fn credentials(&self) -> Result<Option<Credentials>, ApiError> {
        let Some(provider) = &self.credentials else { return Ok(None) };
        let mut cached = self.cached.lock().await;
        let fresh = |c: &Credentials| c.expiry().is_none_or(|t| t > SystemTime::now() + Duration::from_secs(300));
        if let Some(c) = cached.as_ref().filter(|c| fresh(c)) {
            return Ok(Some(c.clone()));
        }
        let c = provider.provide_credentials().await.map_err(|e| ApiError {
            code: "CredentialsError".into(),
            message: format!("no AWS credentials: {e}"),
            status: 400,
        })?;
        *cached = Some(c.clone());
        Ok(Some(c))
    }
}

/// The regional endpoint of a service (`https://lambda.eu-west-1.amazonaws.com`).
fn regional(s: &RestService, region: &str) -> String {
    let suffix = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
    format!("https://{}.{region}.{suffix}", s.signing_name)
}

/// The SigV4 headers of a request with any method.
fn sign(
    creds: &Credentials,
    region: &str,
    name: &str,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    payload: &[u8],
) -> Result<Vec<(String, String)>, ApiError> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let failed = |e: String| ApiError { code: "SigningError".into(), message: e, status: 400 };
    let identity = creds.clone().into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(name)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| failed(e.to_string()))?
        .into();
    let request = SignableRequest::new(method, url, headers.iter().map(|(k, v)| (k.as_str(), v.as_str())), SignableBody::Bytes(payload))
        .map_err(|e| failed(e.to_string()))?;
    let (instructions, _) = sign(request, &params).map_err(|e| failed(e.to_string()))?.into_parts();
    Ok(instructions.headers().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

/// An error answer: the code from `x-amzn-ErrorType` (else the body's `Type`/`__type`/`code`),
/// the message from the body's `Message`/`message`.
fn error_of(status: u16, json: &Json, raw: &[u8], header_type: Option<&str>) -> ApiError {
    let field = |k: &str| json.get(k).and_then(Json::as_str).map(str::to_string);
    let raw_code = header_type.map(str::to_string).or_else(|| field("__type")).or_else(|| field("code")).or_else(|| field("Type")).unwrap_or_default();
    let code = raw_code.rsplit('#').next().unwrap_or_default().split(':').next().unwrap_or_default().to_string();
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
        assert_eq!(regional(&LAMBDA, "eu-west-1"), "https://lambda.eu-west-1.amazonaws.com");
    }

    #[test]
    fn signing_names_the_method() {
        let creds = Credentials::new("AKID", "SECRET", None, None, "test");
        let signed = sign(&creds, "eu-west-1", "lambda", "DELETE", "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/f", &[], b"").unwrap();
        let auth = signed.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.as_str()).unwrap_or_default();
        assert!(auth.contains("/eu-west-1/lambda/aws4_request"), "{auth}");
    }
}
