//! Data source `http` (hashicorp/http 3.x): one `GET`, `HEAD` or `POST` to `url` with
//! `request_headers` and `request_body`, read at plan time like any data source. The answer's
//! `status_code`, `response_headers` (canonical names, repeated headers joined with ", "),
//! `response_body` (and its deprecated alias `body`) and `response_body_base64`; `id` is the
//! URL. As in the provider (go-retryablehttp): a connection error, a 429 or a 5xx other than
//! 501 is retried `retry.attempts` times with exponential backoff between `min_delay_ms` and
//! `max_delay_ms` (a `Retry-After` on 429 and 503 is honoured), and fails the read once the
//! attempts are spent; other statuses (404 included) are results. `request_timeout_ms` bounds
//! each attempt; `ca_cert_pem` replaces the trusted roots, `insecure` skips verification,
//! `client_cert_pem` with `client_key_pem` authenticates the client. Also the `http`
//! provider's client and registration list.

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;

use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, error, map_value, set, string_map};
use crate::provider::kit::{table, SimpleFactory};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

/// The `http` provider's client: nothing to configure.
#[derive(Default)]
pub struct HttpProvider;

impl Dispatch for HttpProvider {
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<HttpProvider>> = std::sync::OnceLock::new();
        table(&TYPES, || Types::new(&[], &[&Http]))
    }
}

/// The `http` provider's factory.
pub fn factory() -> SimpleFactory<HttpProvider> {
    SimpleFactory::new("http")
}

pub fn schema() -> ResourceSchema {
    data("http")
        .implement(&[
            "url",
            "method",
            "request_headers",
            "request_body",
            "request_timeout_ms",
            "retry",
            "insecure",
            "ca_cert_pem",
            "client_cert_pem",
            "client_key_pem",
            "response_body",
            "response_body_base64",
            "body",
            "response_headers",
            "status_code",
            "id",
        ])
        .build()
}

/// The checked configuration of one request.
struct Request {
    url: String,
    method: reqwest::Method,
    headers: Vec<(String, String)>,
    body: Option<String>,
    timeout: Option<Duration>,
    attempts: u64,
    min_delay: Duration,
    max_delay: Duration,
}

fn millis(v: &Value, name: &str, min: f64) -> Result<Option<u64>, String> {
    match attr(v, name).as_f64() {
        None => Ok(None),
        Some(n) if n.fract() != 0.0 || n < min => Err(format!("{name} must be a whole number of at least {min}, not {n}.")),
        Some(n) => Ok(Some(n as u64)),
    }
}

fn request(v: &Value) -> Result<Request, String> {
    let method = match attr(v, "method").as_str().unwrap_or("GET") {
        "GET" => reqwest::Method::GET,
        "POST" => reqwest::Method::POST,
        "HEAD" => reqwest::Method::HEAD,
        other => return Err(format!("method must be one of \"GET\", \"POST\" or \"HEAD\", not {other:?}.")),
    };
    if !attr(v, "ca_cert_pem").is_null() && !attr(v, "insecure").is_null() {
        return Err("ca_cert_pem cannot be set together with insecure.".into());
    }
    if attr(v, "client_cert_pem").is_null() != attr(v, "client_key_pem").is_null() {
        return Err("client_cert_pem and client_key_pem must be set together.".into());
    }
    let retry = attr(v, "retry");
    let attempts = millis(retry, "attempts", 0.0)?.unwrap_or(0);
    let min = millis(retry, "min_delay_ms", 0.0)?;
    let max = millis(retry, "max_delay_ms", 0.0)?;
    if let (Some(lo), Some(hi)) = (min, max) {
        if hi < lo {
            return Err(format!("retry.max_delay_ms ({hi}) must be at least retry.min_delay_ms ({lo})."));
        }
    }
    let mut headers: Vec<(String, String)> = string_map(attr(v, "request_headers")).into_iter().collect();
    headers.sort();
    Ok(Request {
        url: attr(v, "url").as_str().unwrap_or_default().to_string(),
        method,
        headers,
        body: attr(v, "request_body").as_str().map(str::to_string),
        timeout: millis(v, "request_timeout_ms", 1.0)?.map(Duration::from_millis),
        attempts,
        // go-retryablehttp's defaults where the block leaves them unset.
        min_delay: Duration::from_millis(min.unwrap_or(1000)),
        max_delay: Duration::from_millis(max.unwrap_or(30_000)),
    })
}

fn client(v: &Value, timeout: Option<Duration>) -> Result<reqwest::Client, Diagnostics> {
    let mut b = reqwest::Client::builder();
    if let Some(t) = timeout {
        b = b.timeout(t);
    }
    if attr(v, "insecure").as_bool() == Some(true) {
        b = b.danger_accept_invalid_certs(true);
    }
    if let Some(pem) = attr(v, "ca_cert_pem").as_str() {
        let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).ok().filter(|c| !c.is_empty()).ok_or_else(|| {
            error("Error configuring TLS client", "Error tls: Can't add the CA certificate to certificate pool. Only PEM encoded certificates are supported.")
        })?;
        b = b.tls_certs_only(certs);
    }
    if let (Some(cert), Some(key)) = (attr(v, "client_cert_pem").as_str(), attr(v, "client_key_pem").as_str()) {
        let id = reqwest::Identity::from_pem(format!("{cert}\n{key}").as_bytes())
            .map_err(|e| error("Error configuring TLS client", format!("Error tls: Can't load the client certificate and key: {e}.")))?;
        b = b.identity(id);
    }
    b.build().map_err(|e| error("Error configuring http transport", format!("Error http: Can't configure http transport: {e}.")))
}

/// Go's canonical header name: `content-type` -> `Content-Type`.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Go's `time.Duration` text for whole milliseconds (`500ms`, `2s`, `1.5s`).
fn go_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{}s", (ms as f64) / 1000.0)
    }
}

/// The URL with any password hidden, as Go's `URL.Redacted` shows it.
fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("xxxxx"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// go-retryablehttp's retry policy: connection errors (not certificate ones), 429, and 5xx
/// other than 501.
fn retryable_status(s: u16) -> bool {
    s == 429 || (s >= 500 && s != 501) || s == 0
}

/// The wait before the next attempt (`attempt` counts from 0): `Retry-After` for 429 and 503,
/// else `min * 2^attempt`, at most `max`.
fn backoff(r: &Request, attempt: u32, resp: Option<&reqwest::Response>) -> Duration {
    if let Some(resp) = resp.filter(|x| matches!(x.status().as_u16(), 429 | 503)) {
        if let Some(secs) = resp.headers().get("retry-after").and_then(|h| h.to_str().ok()).and_then(|s| s.trim().parse::<u64>().ok()) {
            return Duration::from_secs(secs);
        }
    }
    let wait = r.min_delay.saturating_mul(2u32.saturating_pow(attempt));
    wait.min(r.max_delay)
}

async fn fetch(v: &Value, r: &Request) -> Result<reqwest::Response, Diagnostics> {
    let c = client(v, r.timeout)?;
    let shown = redacted(&r.url);
    let mut attempt: u32 = 0;
    loop {
        let mut req = c.request(r.method.clone(), &r.url);
        for (k, val) in &r.headers {
            req = req.header(k, val);
        }
        if let Some(b) = &r.body {
            req = req.body(b.clone());
        }
        let result = req.send().await;
        let retry = match &result {
            Ok(resp) => retryable_status(resp.status().as_u16()),
            Err(e) => !e.is_builder() && !format!("{e:?}").contains("InvalidCertificate"),
        };
        if !retry {
            return result.map_err(|e| error("Error making request", format!("Error making request: {e}")));
        }
        if u64::from(attempt) >= r.attempts {
            let n = attempt + 1;
            return Err(match result {
                Err(e) if e.is_timeout() => match r.timeout {
                    Some(t) => error(
                        "Error making request",
                        format!("request exceeded the specified timeout: {}, err: {} {shown} giving up after {n} attempt(s): {e}", go_duration(t), r.method),
                    ),
                    None => error("Error making request", format!("timeout error: {} {shown} giving up after {n} attempt(s): {e}", r.method)),
                },
                Err(e) => error("Error making request", format!("Error making request: {} {shown} giving up after {n} attempt(s): {e}", r.method)),
                Ok(_) => error("Error making request", format!("Error making request: {} {shown} giving up after {n} attempt(s)", r.method)),
            });
        }
        tokio::time::sleep(backoff(r, attempt, result.as_ref().ok())).await;
        attempt += 1;
    }
}

/// Data source `http`.
pub struct Http;

#[async_trait]
impl DataSourceType<HttpProvider> for Http {
    fn name(&self) -> &'static str {
        "http"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, _c: &HttpProvider, config: Value) -> ReadDataResponse {
        let mut state = schema().block.normalize(config);
        let r = match request(&state) {
            Ok(r) => r,
            Err(e) => return ReadDataResponse::failed(error("Invalid http configuration", e)),
        };
        let resp = match fetch(&state, &r).await {
            Ok(x) => x,
            Err(d) => return ReadDataResponse::failed(d),
        };
        let status = resp.status().as_u16();
        let mut headers: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
        for (k, v) in resp.headers() {
            headers.entry(canonical(k.as_str())).or_default().push(String::from_utf8_lossy(v.as_bytes()).into_owned());
        }
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return ReadDataResponse::failed(error("Error reading response body", format!("Error reading response body: {e}"))),
        };
        let mut diagnostics = Diagnostics::new();
        if std::str::from_utf8(&bytes).is_err() {
            diagnostics.push(Diagnostic::warning(
                "Response body is not recognized as UTF-8",
                "skyform may not properly handle the response_body if the contents are binary.",
            ));
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        set(&mut state, "status_code", Value::Number(f64::from(status)));
        set(&mut state, "response_headers", map_value(headers.into_iter().map(|(k, v)| (k, v.join(", ")))));
        set(&mut state, "response_body", Value::String(text.clone()));
        set(&mut state, "body", Value::String(text));
        set(&mut state, "response_body_base64", Value::String(base64::engine::general_purpose::STANDARD.encode(&bytes)));
        set(&mut state, "id", Value::String(r.url));
        ReadDataResponse { state, diagnostics }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A server that answers `fail_first` requests with 503 and then echoes the request line,
    /// a header and the body, with a repeated response header.
    fn serve(fail_first: usize) -> (String, Arc<AtomicUsize>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(AtomicUsize::new(0));
        let count = seen.clone();
        std::thread::spawn(move || {
            for mut s in listener.incoming().flatten() {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = s.read(&mut chunk).unwrap_or(0);
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text
                            .lines()
                            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len || n == 0 {
                            break;
                        }
                    }
                    if n == 0 {
                        break;
                    }
                }
                let text = String::from_utf8_lossy(&buf).to_string();
                let n = count.fetch_add(1, Ordering::SeqCst);
                let (status, body) = if n < fail_first {
                    ("503 Unavailable", "busy".to_string())
                } else {
                    let first = text.lines().next().unwrap_or_default().to_string();
                    let token = text.lines().find_map(|l| l.strip_prefix("x-token: ").or_else(|| l.strip_prefix("X-Token: "))).unwrap_or("-").to_string();
                    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
                    ("200 OK", format!("{first}|{token}|{body}"))
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nX-Multi: a\r\nX-Multi: b\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes());
                let _ = s.write_all(body.as_bytes());
            }
        });
        (url, seen)
    }

    async fn read(cfg: Value) -> ReadDataResponse {
        HttpProvider.read_data(ReadDataRequest { type_name: "http".into(), config: cfg }).await
    }

    #[tokio::test]
    async fn posts_with_headers_and_reads_the_response() {
        let (url, _) = serve(0);
        let r = read(Value::object([
            ("url", Value::string(format!("{url}/search"))),
            ("method", Value::string("POST")),
            ("request_headers", Value::object([("X-Token", Value::string("t1"))])),
            ("request_body", Value::string("q=1")),
        ]))
        .await;
        assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
        assert_eq!(attr(&r.state, "response_body"), &Value::string("POST /search HTTP/1.1|t1|q=1"));
        assert_eq!(attr(&r.state, "body"), attr(&r.state, "response_body"));
        assert_eq!(attr(&r.state, "status_code"), &Value::Number(200.0));
        let headers = attr(&r.state, "response_headers");
        assert_eq!((attr(headers, "X-Multi"), attr(headers, "Content-Type")), (&Value::string("a, b"), &Value::string("text/plain")));
        assert_eq!(attr(&r.state, "id"), &Value::string(format!("{url}/search")));
        let b64 = attr(&r.state, "response_body_base64").as_str().unwrap();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).unwrap(), b"POST /search HTTP/1.1|t1|q=1");
    }

    #[tokio::test]
    async fn retries_server_errors_then_gives_up_as_the_provider_does() {
        let (url, seen) = serve(2);
        let retry = |n: f64| Value::object([("attempts", Value::Number(n)), ("min_delay_ms", Value::Number(5.0)), ("max_delay_ms", Value::Number(10.0))]);
        let r = read(Value::object([("url", Value::string(&url)), ("retry", retry(1.0))])).await;
        let text = r.diagnostics.to_string();
        assert!(text.contains("giving up after 2 attempt(s)"), "{text}");
        assert_eq!(seen.load(Ordering::SeqCst), 2);
        let r = read(Value::object([("url", Value::string(&url)), ("retry", retry(3.0))])).await;
        assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
        assert_eq!(seen.load(Ordering::SeqCst), 3);
        assert!(read(Value::object([("url", Value::string(&url)), ("method", Value::string("PUT"))])).await.diagnostics.has_errors());
        let refused = read(Value::object([("url", Value::string("http://127.0.0.1:1/")), ("request_timeout_ms", Value::Number(500.0))])).await;
        assert!(refused.diagnostics.to_string().contains("Error making request"), "{}", refused.diagnostics);
        assert_eq!((canonical("content-type"), canonical("x-amz-request-id")), ("Content-Type".into(), "X-Amz-Request-Id".into()));
        assert_eq!((go_duration(Duration::from_millis(500)), go_duration(Duration::from_millis(1500))), ("500ms".into(), "1.5s".into()));
    }
}
