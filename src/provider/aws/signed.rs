//! The part the three small AWS API clients ([`super::json_api`], [`super::query_api`],
//! [`super::rest_api`]) share: endpoint resolution (`endpoints { <service> }`, then
//! `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL` or the shared config's
//! `endpoint_url`, then the regional AWS endpoint), credentials from the provider's
//! `SdkConfig` (cached until five minutes before they expire), SigV4 signing, counting every
//! attempt in the provider's [`RequestCounter`], and retrying throttling, 5xx answers and
//! transport errors with exponential backoff and full jitter. The protocol clients build a
//! [`Call`] and read its answer; entry point: [`Signed::send`].

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_s3::config::{Credentials, ProvideCredentials, SharedCredentialsProvider};
use reqwest::header::HeaderMap;

use super::json_api::ApiError;
use super::RequestCounter;
use crate::log::{log, Level};

/// How a service is addressed: its names in the `endpoints` block, the suffix of its
/// `AWS_ENDPOINT_URL_<SERVICE>` variable, and its SigV4 signing name (also the host prefix
/// of its regional endpoint).
#[derive(Debug, Clone, Copy)]
pub(super) struct Addressing {
    pub key: &'static str,
    pub alias: Option<&'static str>,
    pub env: &'static str,
    pub signing_name: &'static str,
}

/// One request to sign and send: the answer is read by the caller of [`Signed::send`].
#[derive(Debug, Clone)]
pub(super) struct Call<'a> {
    pub signing_name: &'a str,
    pub method: &'a str,
    pub url: String,
    /// The headers to sign and send (the signature's are added).
    pub headers: Vec<(String, String)>,
    /// The body, if any (signed as empty where there is none).
    pub body: Option<Vec<u8>>,
    /// Whether the call takes the raised retry budget of creates and deletes.
    pub write: bool,
}

/// What a provider's API clients are made from: its SDK config (credentials, `AWS_ENDPOINT_URL`),
/// region, `endpoints` block URLs by name, request counter, and the attempts (first try
/// included) of reads and updates and of creates and deletes.
pub(super) struct Setup<'a> {
    pub sdk: &'a aws_config::SdkConfig,
    pub region: &'a str,
    pub configured: &'a dyn Fn(&str) -> Option<String>,
    pub counter: Arc<RequestCounter>,
    pub attempts: (u32, u32),
}

/// The signing, retrying, counting HTTP core of a configured provider's API clients.
pub(super) struct Signed {
    http: reqwest::Client,
    credentials: Option<SharedCredentialsProvider>,
    cached: tokio::sync::Mutex<Option<Credentials>>,
    region: String,
    endpoints: BTreeMap<&'static str, String>,
    counter: Arc<RequestCounter>,
    /// Attempts (first try included) of reads and updates, and of creates and deletes.
    attempts: (u32, u32),
}

impl Signed {
    /// The core for a provider's `services`.
    pub(super) fn new(setup: &Setup, services: impl IntoIterator<Item = Addressing>) -> Signed {
        let Setup { sdk, region, configured, .. } = *setup;
        let global = sdk.endpoint_url().map(str::to_string);
        let endpoints = services
            .into_iter()
            .map(|s| {
                let url = configured(s.key)
                    .or_else(|| s.alias.and_then(configured))
                    .or_else(|| std::env::var(format!("AWS_ENDPOINT_URL_{}", s.env)).ok().filter(|u| !u.is_empty()))
                    .or_else(|| global.clone())
                    .unwrap_or_else(|| regional(s.signing_name, region));
                (s.key, url)
            })
            .collect();
        Signed {
            http: client(),
            credentials: sdk.credentials_provider(),
            cached: tokio::sync::Mutex::new(None),
            region: region.to_string(),
            endpoints,
            counter: setup.counter.clone(),
            attempts: setup.attempts,
        }
    }

    /// A core with static credentials (named `source`) and every service of `keys` at one
    /// endpoint (tests, tools).
    pub(super) fn for_endpoint(
        endpoint: &str,
        region: &str,
        (access_key, secret_key): (&str, &str),
        source: &'static str,
        keys: impl IntoIterator<Item = &'static str>,
    ) -> Signed {
        let creds = Credentials::new(access_key, secret_key, None, None, source);
        Signed {
            http: client(),
            credentials: Some(SharedCredentialsProvider::new(creds)),
            cached: tokio::sync::Mutex::new(None),
            region: region.to_string(),
            endpoints: keys.into_iter().map(|k| (k, endpoint.to_string())).collect(),
            counter: Arc::new(RequestCounter::default()),
            attempts: (3, 3),
        }
    }

    /// The endpoint of the service named `key` in the `endpoints` block.
    pub(super) fn endpoint(&self, key: &str) -> &str {
        self.endpoints.get(key).map(String::as_str).unwrap_or_default()
    }

    /// Sends `call`, retrying as its budget allows; `answer` reads an answer (status,
    /// headers, body) into the result or the [`ApiError`] that decides whether to retry.
    pub(super) async fn send<T>(&self, call: &Call<'_>, answer: impl Fn(u16, &HeaderMap, &[u8]) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let attempts = if call.write { self.attempts.1 } else { self.attempts.0 };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = std::time::Instant::now();
            let result = self.attempt(call, &answer).await;
            log(Level::Debug, "aws", || {
                let outcome = match &result {
                    Ok(_) => "ok".to_string(),
                    Err(e) if e.status > 0 => format!("{} {}", e.status, e.code),
                    Err(e) => format!("failed: {}", e.message),
                };
                format!("{} {} ({}) -> {outcome} in {} ms", call.method, call.url, call.signing_name, started.elapsed().as_millis())
            });
            match result {
                Err(e) if e.retryable() && attempt < attempts => {
                    // The SDK's standard mode: full jitter over 2^attempt seconds, capped at 20.
                    let cap = (1u64 << attempt.min(5)).min(20) as f64;
                    let delay = Duration::from_secs_f64(rand::random::<f64>() * cap);
                    let why = if e.code.is_empty() { format!("HTTP {}", e.status) } else { e.code.clone() };
                    let line = format!("{}: retrying after {why}, attempt {}/{attempts} in {:.1} s", call.signing_name, attempt + 1, delay.as_secs_f64());
                    log(Level::Warn, "aws", || line.clone());
                    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                        eprintln!("{line}");
                    }
                    tokio::time::sleep(delay).await;
                }
                r => return r,
            }
        }
    }

    async fn attempt<T>(&self, call: &Call<'_>, answer: &impl Fn(u16, &HeaderMap, &[u8]) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let payload = call.body.as_deref().unwrap_or_default();
        let mut headers = call.headers.clone();
        if let Some(creds) = self.credentials().await? {
            headers.extend(sign(&creds, &self.region, call.signing_name, call.method, &call.url, &call.headers, payload)?);
        }
        let method = reqwest::Method::from_bytes(call.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut req = self.http.request(method, &call.url);
        if let Some(body) = &call.body {
            req = req.body(body.clone());
        }
        for (k, v) in &headers {
            req = req.header(k.as_str(), v.as_str());
        }
        self.counter.total.fetch_add(1, Ordering::Relaxed);
        let transport = |e: reqwest::Error| ApiError { code: String::new(), message: format!("{}: {e}", call.url), status: 0 };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.map_err(transport)?;
        answer(status, &headers, &bytes)
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

fn client() -> reqwest::Client {
    reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).timeout(Duration::from_secs(120)).build().unwrap_or_default()
}

/// The regional endpoint of a service by its signing name (`https://kms.eu-west-1.amazonaws.com`).
pub(super) fn regional(signing_name: &str, region: &str) -> String {
    let suffix = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
    format!("https://{signing_name}.{region}.{suffix}")
}

/// The value of a response header, if it is text.
pub(super) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The SigV4 headers (`authorization`, `x-amz-date`, `x-amz-security-token`) of a request.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_endpoints() {
        assert_eq!(regional("logs", "eu-west-1"), "https://logs.eu-west-1.amazonaws.com");
        assert_eq!(regional("sqs", "cn-north-1"), "https://sqs.cn-north-1.amazonaws.com.cn");
    }

    #[test]
    fn signing_adds_the_authorization_header() {
        let creds = Credentials::new("AKID", "SECRET", Some("TOKEN".into()), None, "test");
        let headers = vec![("content-type".to_string(), "application/x-amz-json-1.1".to_string())];
        let signed = sign(&creds, "eu-west-1", "kms", "POST", "https://kms.eu-west-1.amazonaws.com/", &headers, b"{}").unwrap();
        let auth = signed.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.as_str()).unwrap_or_default();
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKID/") && auth.contains("/eu-west-1/kms/aws4_request"), "{auth}");
        assert!(signed.iter().any(|(k, v)| k == "x-amz-security-token" && v == "TOKEN"));
    }

    #[test]
    fn signing_names_the_method() {
        let creds = Credentials::new("AKID", "SECRET", None, None, "test");
        let signed = sign(&creds, "eu-west-1", "lambda", "DELETE", "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/f", &[], b"").unwrap();
        let auth = signed.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.as_str()).unwrap_or_default();
        assert!(auth.contains("/eu-west-1/lambda/aws4_request"), "{auth}");
    }
}
