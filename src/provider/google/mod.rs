//! `provider "google"`: Cloud Storage buckets and objects through `gcloud-storage` 1.x (the
//! JSON API, which local emulators speak; the official crate creates buckets over gRPC).
//!
//! Provider attributes (Terraform's names): `project` (or `GOOGLE_PROJECT`), `credentials` (a
//! key file's path or its JSON; else `GOOGLE_APPLICATION_CREDENTIALS` and the other
//! application-default credentials), `storage_custom_endpoint` (e.g.
//! `http://127.0.0.1:9023/storage/v1/` for an emulator), `region`, `zone`. With a custom
//! endpoint and no credentials configured, requests go unauthenticated (emulators).
//! Every call goes through [`retry`]: throttling (429), 408 and 5xx answers and connection
//! failures are retried with exponential backoff and jitter. Credentials never reach state or
//! plans.

pub mod storage_bucket;
pub mod storage_bucket_object;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use gcloud_storage::client::google_cloud_auth::credentials::CredentialsFile;
use gcloud_storage::client::{Client, ClientConfig};
use gcloud_storage::http::Error as GcsError;

use super::kit::table;
use super::{AttrType, AttributeSchema, BlockSchema, Dispatch, Provider, ProviderFactory, ProviderSchema, Types};
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::Value;

/// Google's public JSON API root.
const GOOGLE_API: &str = "https://storage.googleapis.com";

/// The google provider factory.
pub struct GoogleFactory {
    /// Built on first use: a configuration without this provider never pays for its schema.
    schema: std::sync::OnceLock<ProviderSchema>,
}

impl Default for GoogleFactory {
    fn default() -> Self {
        Self::new()
    }
}

impl GoogleFactory {
    pub fn new() -> GoogleFactory {
        GoogleFactory { schema: std::sync::OnceLock::new() }
    }

    /// The provider block, resource and data source schemas.
    fn provider_schema() -> ProviderSchema {
        let s = |t| AttributeSchema::optional().typed(t);
        let provider = BlockSchema::new([
            ("project", s(AttrType::String)),
            ("credentials", s(AttrType::String).sensitive()),
            ("access_token", s(AttrType::String).sensitive()),
            ("storage_custom_endpoint", s(AttrType::String)),
            ("region", s(AttrType::String)),
            ("zone", s(AttrType::String)),
        ]);
        let (resources, data_sources) = GoogleProvider::types().schemas();
        let provider = crate::schema::generated::provider_block_with("google", provider);
        ProviderSchema { provider, resources, data_sources }
    }

    /// Builds the driver with its concrete type (tests read its request counter).
    pub async fn connect(&self, config: &Value) -> Result<Arc<GoogleProvider>, Diagnostics> {
        let text = |name: &str| config.get_attr(name).and_then(|v| v.as_str()).map(str::to_string).filter(|s| !s.is_empty());
        let env = |name: &str| std::env::var(name).ok().filter(|s| !s.is_empty());
        let fail = |title: &str, detail: String| -> Diagnostics { Diagnostic::error(title, detail).into() };
        if text("access_token").is_some() {
            return Err(fail("Unsupported argument", "access_token is not supported yet: use credentials or application-default credentials.".into()));
        }
        // The provider's environment variable, then the one Google's client libraries honour
        // for emulators (a host:port or a URL).
        let custom = text("storage_custom_endpoint")
            .or_else(|| env("GOOGLE_STORAGE_CUSTOM_ENDPOINT"))
            .or_else(|| env("STORAGE_EMULATOR_HOST").map(|h| if h.contains("://") { h } else { format!("http://{h}") }));
        let api_root = match &custom {
            Some(e) => {
                let root = e.trim_end_matches('/').trim_end_matches("/storage/v1").trim_end_matches('/').to_string();
                if !root.starts_with("http://") && !root.starts_with("https://") {
                    return Err(fail(
                        "Invalid storage_custom_endpoint",
                        format!("storage_custom_endpoint \"{e}\" is not an http(s) URL (for an emulator: http://127.0.0.1:9023/storage/v1/)."),
                    ));
                }
                root
            }
            None => GOOGLE_API.to_string(),
        };
        let counter = Arc::new(AtomicU64::new(0));
        let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new()).with(CountingMiddleware(counter.clone())).build();
        let base = ClientConfig { http: Some(http), storage_endpoint: api_root.clone(), ..Default::default() };
        let credentials = text("credentials").or_else(|| env("GOOGLE_CREDENTIALS"));
        let auth_error =
            |e: gcloud_storage::client::google_cloud_auth::error::Error| fail("Google authentication", format!("Cannot load Google credentials: {e}."));
        let client_config = if let Some(c) = credentials {
            let file = if c.trim_start().starts_with('{') { CredentialsFile::new_from_str(&c).await } else { CredentialsFile::new_from_file(c.clone()).await }
                .map_err(auth_error)?;
            base.with_credentials(file).await.map_err(auth_error)?
        } else if custom.is_some() && env("GOOGLE_APPLICATION_CREDENTIALS").is_none() {
            base.anonymous()
        } else {
            base.with_auth().await.map_err(auth_error)?
        };
        let project = text("project").or_else(|| env("GOOGLE_PROJECT")).or_else(|| env("GOOGLE_CLOUD_PROJECT")).or_else(|| client_config.project_id.clone());
        let token = client_config.token_source_provider.as_ref().map(|p| p.token_source());
        let http = client_config.http.clone().unwrap_or_else(|| reqwest_middleware::ClientBuilder::new(reqwest::Client::new()).build());
        Ok(Arc::new(GoogleProvider { client: Client::new(client_config), project, api_root, counter, http, token }))
    }
}

#[async_trait]
impl ProviderFactory for GoogleFactory {
    fn name(&self) -> &'static str {
        "google"
    }
    fn schema(&self) -> &ProviderSchema {
        self.schema.get_or_init(Self::provider_schema)
    }
    async fn configure(&self, config: Value) -> Result<Arc<dyn Provider>, Diagnostics> {
        Ok(self.connect(&config).await?)
    }
}

/// Calls the API, retrying transient failures (429, 408, 5xx, connection errors and timeouts)
/// up to 5 times with exponential backoff and jitter. `call` builds the request afresh each
/// time (a multipart upload body cannot be replayed by an HTTP middleware).
pub(crate) async fn retry<T, Fut>(call: impl FnMut() -> Fut) -> Result<T, GcsError>
where
    Fut: std::future::Future<Output = Result<T, GcsError>>,
{
    use backon::Retryable;
    call.retry(backon::ExponentialBuilder::default().with_jitter().with_max_times(5)).when(transient).await
}

fn transient(e: &GcsError) -> bool {
    match e {
        GcsError::HttpClient(h) if h.is_connect() || h.is_timeout() => true,
        _ => matches!(status(e), Some(408 | 429 | 500..=599)),
    }
}

/// Counts HTTP attempts (retries included).
struct CountingMiddleware(Arc<AtomicU64>);

#[async_trait]
impl reqwest_middleware::Middleware for CountingMiddleware {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        self.0.fetch_add(1, Ordering::Relaxed);
        next.run(req, extensions).await
    }
}

/// A configured google driver.
pub struct GoogleProvider {
    pub(crate) client: Client,
    /// The default project for new buckets.
    pub(crate) project: Option<String>,
    /// The JSON API root (`https://storage.googleapis.com` or the custom endpoint's).
    api_root: String,
    counter: Arc<AtomicU64>,
    /// The same HTTP client and token source, for the calls made without the crate.
    http: reqwest_middleware::ClientWithMiddleware,
    token: Option<Arc<dyn token_source::TokenSource>>,
}

impl GoogleProvider {
    /// HTTP requests sent so far (every attempt).
    pub fn requests(&self) -> u64 {
        self.counter.load(Ordering::Relaxed)
    }

    /// One JSON API call made without the crate: `path` under `/storage/v1/`. Used for bucket
    /// reads and patches: the crate's patch request serializes every field it knows, as null
    /// when unset, and a null clears that setting (lifecycle rules, CORS, encryption... that
    /// skyform does not manage would be lost); and its bucket model cannot hold a null label,
    /// which is how a PATCH removes one.
    pub(crate) async fn json(&self, method: reqwest::Method, path: &str, body: Option<&serde_json::Value>) -> Result<serde_json::Value, GcsError> {
        let mut req = self.http.request(method, format!("{}/storage/v1/{path}", self.api_root));
        if let Some(b) = body {
            req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(b.to_string());
        }
        if let Some(ts) = &self.token {
            req = req.header(reqwest::header::AUTHORIZATION, ts.token().await.map_err(GcsError::TokenSource)?);
        }
        let resp = req.send().await.map_err(|e| match e {
            reqwest_middleware::Error::Reqwest(e) => GcsError::HttpClient(e),
            reqwest_middleware::Error::Middleware(e) => GcsError::HttpMiddleware(e),
        })?;
        let code = resp.status().as_u16();
        let text = resp.text().await.map_err(GcsError::HttpClient)?;
        if (200..300).contains(&code) {
            return Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null));
        }
        let message = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v["error"]["message"].as_str().map(str::to_string)).unwrap_or(text);
        Err(GcsError::Response(gcloud_storage::http::error::ErrorResponse { code, errors: Vec::new(), message }))
    }

    /// The JSON API path of a bucket (valid bucket names need no escaping).
    pub(crate) fn bucket_path(bucket: &str) -> String {
        format!("b/{bucket}")
    }

    /// A bucket's `self_link`, as Terraform's provider records it.
    pub(crate) fn bucket_link(&self, bucket: &str) -> String {
        let root = if self.api_root == GOOGLE_API { "https://www.googleapis.com" } else { &self.api_root };
        format!("{root}/storage/v1/b/{bucket}")
    }
}

/// The HTTP status of a failed call, if the service answered.
pub(crate) fn status(e: &GcsError) -> Option<u16> {
    match e {
        GcsError::Response(r) => Some(r.code),
        GcsError::HttpClient(e) => e.status().map(|s| s.as_u16()),
        _ => None,
    }
}

/// Whether the call failed because the bucket or object does not exist.
pub(crate) fn not_found(e: &GcsError) -> bool {
    status(e) == Some(404)
}

/// A failed call as a diagnostic: `what` says which call (`creating bucket "x"`).
pub(crate) fn gcs_error(what: &str, e: &GcsError) -> Diagnostics {
    let code = status(e);
    let hint = match code {
        Some(409) => "\n\nThe name is taken (bucket names are global across all projects): choose another name, or import the bucket with `skyform import` if it is yours.",
        Some(404) => "\n\nThe bucket does not exist (or is in a project these credentials cannot see).",
        Some(401) | Some(403) => "\n\nCheck the credentials (credentials in the provider block, GOOGLE_APPLICATION_CREDENTIALS, or `gcloud auth application-default login`).",
        _ => "",
    };
    let title = match code {
        Some(c) => format!("Google Cloud Storage error (HTTP {c})"),
        None => "Google Cloud Storage error".to_string(),
    };
    Diagnostic::error(title, format!("Error {what}: {e}{hint}")).into()
}

impl Dispatch for GoogleProvider {
    /// The google registration list: one line per resource type.
    fn types() -> &'static Types<Self> {
        static TYPES: OnceLock<Types<GoogleProvider>> = OnceLock::new();
        table(&TYPES, || Types::new(&[&storage_bucket::StorageBucket, &storage_bucket_object::StorageBucketObject], &[]))
    }
}
