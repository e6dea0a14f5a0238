//! `provider "azurerm"`: Azure Blob Storage containers and blobs through the official
//! `azure_storage_blob` 1.x crate.
//!
//! Authorization, in the order Terraform's azurerm provider documents for storage: the account
//! key (`access_key` or `ARM_ACCESS_KEY`; requests are signed by [`shared_key::SharedKeyPolicy`]),
//! a SAS token (`sas_token` or `ARM_SAS_TOKEN`), then Microsoft Entra ID through
//! `azure_identity`: a client secret (`ARM_CLIENT_ID`, `ARM_CLIENT_SECRET`, `ARM_TENANT_ID`),
//! managed identity (`use_msi` or `ARM_USE_MSI`), else the Azure CLI's login. `blob_endpoint`
//! (skyform's own attribute) replaces `https://ACCOUNT.blob.core.windows.net`, e.g.
//! `http://127.0.0.1:10000/devstoreaccount1` for Azurite. Keys and tokens stay in the driver;
//! they are never written to state or plan files. Throttling (429) and 5xx answers are retried
//! by the SDK pipeline's exponential backoff with jitter (8 retries, 60 s at most).

pub mod shared_key;
pub mod storage_blob;
pub mod storage_container;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use azure_core::credentials::TokenCredential;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{ClientOptions, Context, Request, Transport, Url};
use azure_storage_blob::{BlobContainerClient, BlobContainerClientOptions};

use super::kit::table;
use super::{AttrType, AttributeSchema, BlockSchema, Dispatch, Nesting, Provider, ProviderFactory, ProviderSchema, Types};
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::Value;

/// The azurerm provider factory.
pub struct AzureFactory {
    /// Built on first use: a configuration without this provider never pays for its schema.
    schema: std::sync::OnceLock<ProviderSchema>,
}

impl Default for AzureFactory {
    fn default() -> Self {
        Self::new()
    }
}

impl AzureFactory {
    pub fn new() -> AzureFactory {
        AzureFactory { schema: std::sync::OnceLock::new() }
    }

    /// The provider block, resource and data source schemas.
    fn provider_schema() -> ProviderSchema {
        let s = |t| AttributeSchema::optional().typed(t);
        let provider = BlockSchema::new([
            ("access_key", s(AttrType::String).sensitive()),
            ("sas_token", s(AttrType::String).sensitive()),
            ("blob_endpoint", s(AttrType::String)),
            ("subscription_id", s(AttrType::String)),
            ("tenant_id", s(AttrType::String)),
            ("client_id", s(AttrType::String)),
            ("client_secret", s(AttrType::String).sensitive()),
            ("use_msi", s(AttrType::Bool)),
            ("use_cli", s(AttrType::Bool)),
            ("storage_use_azuread", s(AttrType::Bool)),
            ("skip_provider_registration", s(AttrType::Bool)),
            ("resource_provider_registrations", s(AttrType::String)),
        ])
        .with_block("features", Nesting::Single, BlockSchema::open());
        let (resources, data_sources) = AzureProvider::types().schemas();
        let provider = crate::schema::generated::provider_block_with("azurerm", provider);
        ProviderSchema { provider, resources, data_sources }
    }

    /// Builds the driver with its concrete type (tests read its request counter).
    pub fn connect(&self, config: &Value) -> Result<Arc<AzureProvider>, Diagnostics> {
        let text = |name: &str, env: &str| {
            config.get_attr(name).and_then(|v| v.as_str()).map(str::to_string).or_else(|| std::env::var(env).ok().filter(|s| !s.is_empty()))
        };
        let flag = |name: &str, env: &str| match config.get_attr(name) {
            Some(Value::Bool(b)) => *b,
            _ => std::env::var(env).is_ok_and(|v| v == "true" || v == "1"),
        };
        let conn = ConnectionString::from_env();
        let auth = if let Some(key) = text("access_key", "ARM_ACCESS_KEY").or_else(|| conn.account_key.clone()) {
            StorageAuth::AccountKey(key)
        } else if let Some(sas) = text("sas_token", "ARM_SAS_TOKEN") {
            StorageAuth::Sas(sas)
        } else {
            StorageAuth::EntraId {
                tenant: text("tenant_id", "ARM_TENANT_ID"),
                client: text("client_id", "ARM_CLIENT_ID"),
                secret: text("client_secret", "ARM_CLIENT_SECRET"),
                msi: flag("use_msi", "ARM_USE_MSI"),
            }
        };
        let endpoint = config.get_attr("blob_endpoint").and_then(|v| v.as_str()).map(str::to_string).or(conn.blob_endpoint);
        Ok(Arc::new(AzureProvider::new(auth, endpoint)?))
    }
}

/// How storage requests are authorized (chosen by the provider block or the azurerm state
/// backend, each from its own arguments).
pub(crate) enum StorageAuth {
    /// The storage account key (Base64).
    AccountKey(String),
    /// A SAS token (with or without the leading `?`).
    Sas(String),
    /// Microsoft Entra ID: a client secret when all three are set, else managed identity
    /// (`msi`), else the Azure CLI's login.
    EntraId { tenant: Option<String>, client: Option<String>, secret: Option<String>, msi: bool },
}

/// What skyform takes from an Azure Storage connection string (`AZURE_STORAGE_CONNECTION_STRING`,
/// as the Azure CLI and SDKs read it): the blob endpoint and the account key.
#[derive(Default, Debug, PartialEq)]
pub(crate) struct ConnectionString {
    /// `AccountName` (Azurite's for `UseDevelopmentStorage`).
    pub(crate) account_name: Option<String>,
    pub(crate) blob_endpoint: Option<String>,
    pub(crate) account_key: Option<String>,
}

impl ConnectionString {
    /// `AZURE_STORAGE_CONNECTION_STRING`, or nothing when it is unset.
    pub(crate) fn from_env() -> ConnectionString {
        std::env::var("AZURE_STORAGE_CONNECTION_STRING").ok().map(|s| ConnectionString::parse(&s)).unwrap_or_default()
    }

    /// Azurite's well-known development account.
    const DEV_KEY: &'static str = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    fn parse(s: &str) -> ConnectionString {
        let fields: std::collections::HashMap<String, String> =
            s.split(';').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
        if fields.get("usedevelopmentstorage").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return ConnectionString {
                account_name: Some("devstoreaccount1".into()),
                blob_endpoint: Some("http://127.0.0.1:10000/devstoreaccount1".into()),
                account_key: Some(Self::DEV_KEY.into()),
            };
        }
        let blob_endpoint = fields.get("blobendpoint").cloned().or_else(|| {
            let account = fields.get("accountname")?;
            let protocol = fields.get("defaultendpointsprotocol").map(String::as_str).unwrap_or("https");
            let suffix = fields.get("endpointsuffix").map(String::as_str).unwrap_or("core.windows.net");
            Some(format!("{protocol}://{account}.blob.{suffix}"))
        });
        ConnectionString { account_name: fields.get("accountname").cloned(), blob_endpoint, account_key: fields.get("accountkey").cloned() }
    }
}

fn entra_credential(tenant: Option<String>, client: Option<String>, secret: Option<String>, msi: bool) -> Result<Arc<dyn TokenCredential>, Diagnostics> {
    let failed = |what: &str, e: azure_core::Error| -> Diagnostics { Diagnostic::error("Azure authentication", format!("Cannot set up {what}: {e}.")).into() };
    if let (Some(tenant), Some(client), Some(secret)) = (tenant, client, secret) {
        return azure_identity::ClientSecretCredential::new(&tenant, client, secret.into(), None)
            .map(|c| c as Arc<dyn TokenCredential>)
            .map_err(|e| failed("the client secret credential (ARM_CLIENT_ID/ARM_CLIENT_SECRET/ARM_TENANT_ID)", e));
    }
    if msi {
        return azure_identity::ManagedIdentityCredential::new(None).map(|c| c as Arc<dyn TokenCredential>).map_err(|e| failed("managed identity", e));
    }
    azure_identity::AzureCliCredential::new(None).map(|c| c as Arc<dyn TokenCredential>).map_err(|e| failed("the Azure CLI credential", e))
}

#[async_trait]
impl ProviderFactory for AzureFactory {
    fn name(&self) -> &'static str {
        "azurerm"
    }
    fn schema(&self) -> &ProviderSchema {
        self.schema.get_or_init(Self::provider_schema)
    }
    async fn configure(&self, config: Value) -> Result<Arc<dyn Provider>, Diagnostics> {
        Ok(self.connect(&config)?)
    }
}

enum Auth {
    SharedKey(String),
    Sas(Arc<shared_key::SasPolicy>),
    EntraId(Arc<dyn TokenCredential>),
}

/// A configured azurerm driver.
pub struct AzureProvider {
    auth: Auth,
    /// `blob_endpoint`, without a trailing slash.
    endpoint: Option<String>,
    /// One HTTP client for every request.
    transport: Transport,
    counter: Arc<AtomicU64>,
}

/// Counts HTTP attempts (retries included).
#[derive(Debug)]
struct CountingPolicy(Arc<AtomicU64>);

#[async_trait]
impl Policy for CountingPolicy {
    async fn send(&self, ctx: &Context, request: &mut Request, next: &[Arc<dyn Policy>]) -> PolicyResult {
        self.0.fetch_add(1, Ordering::Relaxed);
        next[0].send(ctx, request, &next[1..]).await
    }
}

impl AzureProvider {
    /// A driver authorized by `auth`, on `endpoint` (a blob service URL; None: Azure's public
    /// `https://ACCOUNT.blob.core.windows.net`).
    pub(crate) fn new(auth: StorageAuth, endpoint: Option<String>) -> Result<AzureProvider, Diagnostics> {
        let auth = match auth {
            StorageAuth::AccountKey(key) => {
                use base64::Engine as _;
                if base64::engine::general_purpose::STANDARD.decode(key.trim()).is_err() {
                    return Err(Diagnostic::error(
                        "Invalid access_key",
                        "The storage account key (access_key or ARM_ACCESS_KEY) is not Base64: copy it from the storage account's access keys.",
                    )
                    .into());
                }
                Auth::SharedKey(key.trim().to_string())
            }
            StorageAuth::Sas(sas) => Auth::Sas(Arc::new(shared_key::SasPolicy::new(&sas))),
            StorageAuth::EntraId { tenant, client, secret, msi } => Auth::EntraId(entra_credential(tenant, client, secret, msi)?),
        };
        let endpoint = endpoint.map(|e| e.trim_end_matches('/').to_string());
        if let Some(e) = &endpoint {
            if Url::parse(e).is_err() {
                return Err(Diagnostic::error(
                    "Invalid blob_endpoint",
                    format!("blob_endpoint \"{e}\" is not a URL (for Azurite: http://127.0.0.1:10000/devstoreaccount1)."),
                )
                .into());
            }
        }
        let counter = Arc::new(AtomicU64::new(0));
        let transport = Transport::new(azure_core::http::new_http_client(None));
        Ok(AzureProvider { auth, endpoint, transport, counter })
    }

    /// HTTP requests sent so far (every attempt).
    pub fn requests(&self) -> u64 {
        self.counter.load(Ordering::Relaxed)
    }

    /// The blob service URL of a storage account: `blob_endpoint`, or Azure's public one.
    pub(crate) fn account_url(&self, account: &str) -> String {
        match &self.endpoint {
            Some(e) => e.clone(),
            None => format!("https://{account}.blob.core.windows.net"),
        }
    }

    /// A client for one container of one storage account, authorized as configured.
    pub(crate) fn container(&self, account: &str, container: &str) -> Result<BlobContainerClient, Diagnostics> {
        let mut url = Url::parse(&self.account_url(account))
            .map_err(|e| -> Diagnostics { Diagnostic::error("Invalid storage URL", format!("{}: {e}", self.account_url(account))).into() })?;
        url.path_segments_mut()
            .map_err(|()| -> Diagnostics { Diagnostic::error("Invalid storage URL", self.account_url(account)).into() })?
            .pop_if_empty()
            .push(container);
        let mut per_try: Vec<Arc<dyn Policy>> = vec![Arc::new(CountingPolicy(self.counter.clone()))];
        let mut credential = None;
        match &self.auth {
            Auth::SharedKey(key) => per_try.push(Arc::new(shared_key::SharedKeyPolicy::new(account, key.clone()))),
            Auth::Sas(p) => per_try.push(p.clone()),
            Auth::EntraId(c) => {
                if url.scheme() != "https" {
                    return Err(Diagnostic::error(
                        "No storage credentials",
                        format!(
                            "Neither access_key (ARM_ACCESS_KEY) nor sas_token (ARM_SAS_TOKEN) is set, so skyform signs in with Microsoft Entra ID, which needs an https endpoint; {} is not. For Azurite, set access_key to its account key.",
                            self.account_url(account)
                        ),
                    )
                    .into());
                }
                credential = Some(c.clone())
            }
        }
        let options = BlobContainerClientOptions {
            client_options: ClientOptions { per_try_policies: per_try, transport: Some(self.transport.clone()), ..Default::default() },
            ..Default::default()
        };
        BlobContainerClient::new(url, credential, Some(options)).map_err(|e| azure_error(&format!("connecting to container \"{container}\""), &e))
    }

    /// Splits a container or blob URL (an import id) into account, container and blob name.
    pub(crate) fn parse_url(&self, id: &str) -> Option<(String, String, Option<String>)> {
        let url = Url::parse(id).ok()?;
        let mut segments: Vec<String> = url.path_segments()?.map(percent_decode).collect();
        let host = url.host_str()?;
        let account = match host.split_once(".blob.") {
            Some((account, _)) => account.to_string(),
            None if segments.is_empty() => return None,
            None => segments.remove(0),
        };
        if segments.is_empty() || segments[0].is_empty() {
            return None;
        }
        let container = segments.remove(0);
        let blob = if segments.is_empty() { None } else { Some(segments.join("/")) };
        Some((account, container, blob))
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The storage error code of a failed call (`ContainerNotFound`, ...), if the service sent one.
pub(crate) fn error_code(e: &azure_core::Error) -> Option<&str> {
    match e.kind() {
        azure_core::error::ErrorKind::HttpResponse { error_code, .. } => error_code.as_deref(),
        _ => None,
    }
}

/// Whether the call failed because the container or blob does not exist.
pub(crate) fn not_found(e: &azure_core::Error) -> bool {
    e.http_status().is_some_and(|s| u16::from(s) == 404)
}

/// A failed call as a diagnostic: `what` says which call (`creating container "x"`).
pub(crate) fn azure_error(what: &str, e: &azure_core::Error) -> Diagnostics {
    let code = error_code(e).unwrap_or("").to_string();
    let status = e.http_status().map(|s| format!(" (HTTP {})", u16::from(s))).unwrap_or_default();
    let hint = match code.as_str() {
        "ContainerAlreadyExists" => "\n\nThe container already exists: import it with `skyform import` instead of creating it, or choose another name.",
        "ContainerNotFound" => "\n\nThe container does not exist: create it first (an azurerm_storage_container resource) or fix storage_container_name.",
        "InvalidResourceName" => "\n\nContainer names are 3-63 characters of lowercase letters, digits and single hyphens, starting with a letter or digit.",
        "AuthenticationFailed" | "AuthorizationFailure" | "AuthorizationPermissionMismatch" => {
            "\n\nCheck the credentials: access_key (ARM_ACCESS_KEY), sas_token (ARM_SAS_TOKEN), or an Entra ID login with a Storage Blob Data role."
        }
        "Md5Mismatch" => "\n\ncontent_md5 does not match the content being uploaded.",
        // Azurite older than the service version skyform speaks rejects the x-ms-version header.
        "InvalidHeaderValue" => {
            "\n\nThe storage service rejected a request header, most likely x-ms-version: the endpoint does not speak the Blob service version skyform uses. For Azurite, upgrade to 3.37 or later, or start it with --skipApiVersionCheck."
        }
        _ => "",
    };
    let message = match e.kind() {
        azure_core::error::ErrorKind::HttpResponse { .. } => String::new(),
        _ => format!(": {e}"),
    };
    let title = if code.is_empty() { "Azure API error".to_string() } else { format!("Azure API error ({code})") };
    Diagnostic::error(title, format!("Error {what}{status}{}{message}{hint}", if code.is_empty() { String::new() } else { format!(": {code}") })).into()
}

/// Storage names: `what` (container) must be 3-63 lowercase letters, digits and single hyphens.
pub(crate) fn container_name_problem(name: &str) -> Option<&'static str> {
    // The root container and the static website container, as the azurerm provider allows.
    if name == "$root" || name == "$web" {
        None
    } else if !(3..=63).contains(&name.len()) {
        Some("must be 3 to 63 characters long")
    } else if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        Some("may contain only lowercase letters, digits and hyphens")
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("must begin and end with a letter or digit")
    } else if name.contains("--") {
        Some("must not contain two consecutive hyphens")
    } else {
        None
    }
}

/// Metadata keys must be C# identifiers in lower case (azurerm's rule): the service treats
/// keys case-insensitively and returns them lower-cased, so anything else would never match
/// its configuration again.
pub(crate) fn metadata_problem(v: &Value) -> Option<Diagnostics> {
    let Value::Map(m) = v else { return None };
    let bad: Vec<&String> = m
        .keys()
        .filter(|k| {
            let mut chars = k.chars();
            !(chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_') && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        })
        .collect();
    (!bad.is_empty()).then(|| {
        Diagnostic::error(
            "Invalid metadata key",
            format!(
                "Metadata keys may contain only lowercase letters, digits and underscores, and must not start with a digit: {}.",
                bad.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")
            ),
        )
        .for_attribute("metadata")
        .into()
    })
}

impl Dispatch for AzureProvider {
    /// The azurerm registration list: one line per resource type.
    fn types() -> &'static Types<Self> {
        static TYPES: OnceLock<Types<AzureProvider>> = OnceLock::new();
        table(&TYPES, || Types::new(&[&storage_container::StorageContainer, &storage_blob::StorageBlob], &[]))
    }
}

#[cfg(test)]
mod tests {
    use super::container_name_problem;

    #[test]
    fn connection_strings_give_endpoint_and_key() {
        let c = super::ConnectionString::parse("DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/dev;");
        assert_eq!((c.blob_endpoint.as_deref(), c.account_key.as_deref()), (Some("http://127.0.0.1:10000/dev"), Some("a2V5")));
        let c = super::ConnectionString::parse("AccountName=acct;AccountKey=k;EndpointSuffix=core.windows.net");
        assert_eq!(c.blob_endpoint.as_deref(), Some("https://acct.blob.core.windows.net"));
        let c = super::ConnectionString::parse("UseDevelopmentStorage=true");
        assert_eq!(c.blob_endpoint.as_deref(), Some("http://127.0.0.1:10000/devstoreaccount1"));
    }

    #[test]
    fn container_names_follow_azurerm() {
        for ok in ["abc", "my-container-1", "$web", "$root"] {
            assert_eq!(container_name_problem(ok), None, "{ok}");
        }
        for bad in ["ab", "Upper", "-lead", "trail-", "two--hyphens", "$logs"] {
            assert!(container_name_problem(bad).is_some(), "{bad}");
        }
    }
}
