//! Which backend holds the state, and which workspace: the root module's `backend` block,
//! merged with the `init -backend-config` values that `init` saved in
//! `.terraform/skyform-backend.json`; the selected workspace (`TF_WORKSPACE`, else
//! `.terraform/environment`, as Terraform); and opening, listing and deleting workspaces on
//! the chosen backend. An unknown backend type or argument is an error naming it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::model::BackendBlock;
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::value::Value;

use super::encryption::Cipher;
use super::store::{StateError, StateResult, StateStore};

/// The default local state database, relative to the working directory.
pub const DEFAULT_LOCAL_PATH: &str = ".skyform/state.db";
/// Where `init` keeps the backend it configured.
const SAVED: &str = ".terraform/skyform-backend.json";
/// Where the selected workspace is kept (as Terraform does).
const ENVIRONMENT: &str = ".terraform/environment";

/// A configured backend.
#[derive(Clone, Debug, PartialEq)]
pub enum BackendConfig {
    /// SQLite files: `path` for the default workspace, `workspace_dir/NAME/state.db` for others.
    Local { path: PathBuf, workspace_dir: PathBuf },
    /// PostgreSQL: one schema, workspaces as keys.
    #[cfg(feature = "pg")]
    Pg { conn_str: String, schema_name: String },
    /// Terraform's state file in an S3 object (or an S3-compatible store).
    #[cfg(feature = "aws")]
    S3(super::s3::S3Settings),
    /// Terraform's state file in an Azure blob, locked with a blob lease.
    #[cfg(feature = "azure")]
    AzureRm(super::azurerm::AzureRmSettings),
}

/// The cargo feature a backend type is compiled in with, when this build was made without it.
fn missing_feature(kind: &str) -> Option<&'static str> {
    match kind {
        "pg" if !cfg!(feature = "pg") => Some("pg"),
        "s3" if !cfg!(feature = "aws") => Some("aws"),
        "azurerm" if !cfg!(feature = "azure") => Some("azure"),
        _ => None,
    }
}

impl Default for BackendConfig {
    fn default() -> Self {
        BackendConfig::Local { path: PathBuf::from(DEFAULT_LOCAL_PATH), workspace_dir: PathBuf::from(".skyform/workspaces") }
    }
}

/// The arguments each backend type takes.
fn known_arguments(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "local" => Some(&["path", "workspace_dir"]),
        "pg" => Some(&["conn_str", "schema_name"]),
        "s3" => Some(&[
            "bucket",
            "key",
            "region",
            "workspace_key_prefix",
            "encrypt",
            "use_lockfile",
            "endpoints",
            "endpoint",
            "use_path_style",
            "force_path_style",
            "access_key",
            "secret_key",
            "token",
            "profile",
            "skip_credentials_validation",
            "skip_region_validation",
            "skip_requesting_account_id",
            "skip_metadata_api_check",
            "skip_s3_checksum",
        ]),
        "azurerm" => Some(&[
            "storage_account_name",
            "container_name",
            "key",
            "access_key",
            "sas_token",
            "use_azuread_auth",
            "tenant_id",
            "client_id",
            "client_secret",
            "use_msi",
            "use_cli",
            "snapshot",
            "resource_group_name",
            "subscription_id",
            "environment",
            "blob_endpoint",
        ]),
        _ => None,
    }
}

/// Arguments of Terraform's backends that skyform does not take yet, so the message can say
/// so rather than calling them unknown.
fn unsupported_note(kind: &str, arg: &str) -> Option<&'static str> {
    match (kind, arg) {
        ("pg", "skip_schema_creation" | "skip_table_creation" | "skip_index_creation") => {
            Some("skyform creates and migrates its own schema and tables (state-schema/pg); remove the argument")
        }
        ("s3", "dynamodb_table" | "dynamodb_endpoint") => Some("skyform locks S3 state with a lock object (use_lockfile = true), as Terraform 1.10+ does; DynamoDB locking is deprecated in Terraform and not supported"),
        ("s3", "kms_key_id" | "sse_customer_key" | "acl" | "assume_role" | "assume_role_with_web_identity" | "shared_credentials_files" | "shared_config_files" | "sts_endpoint" | "iam_endpoint") => {
            Some("not supported by skyform's s3 backend yet; remove it (credentials come from access_key/secret_key, profile or the AWS_* environment variables)")
        }
        ("azurerm", "metadata_host" | "endpoint" | "msi_endpoint") => {
            Some("skyform's azurerm backend talks to Azure's public cloud (https://ACCOUNT.blob.core.windows.net); for another blob endpoint (Azurite, Azure Stack, a sovereign cloud) set skyform's blob_endpoint argument or AZURE_STORAGE_CONNECTION_STRING")
        }
        (
            "azurerm",
            "use_oidc" | "oidc_request_url" | "oidc_request_token" | "oidc_token" | "oidc_token_file_path" | "ado_pipeline_service_connection_id" | "use_aks_workload_identity"
            | "client_certificate" | "client_certificate_path" | "client_certificate_password" | "client_id_file_path" | "client_secret_file_path" | "lookup_blob_endpoint"
            | "use_dns_zone_endpoint",
        ) => Some(
            "not supported by skyform's azurerm backend yet; remove it (credentials come from access_key, sas_token, or use_azuread_auth with a client secret, managed identity or the Azure CLI)",
        ),
        _ => None,
    }
}

/// The block's type and argument names: what can never work, whatever `-backend-config` adds.
pub fn check_names(block: &BackendBlock) -> Diagnostics {
    match BackendConfig::resolve(Some(block), &BTreeMap::new()) {
        Ok(_) => Diagnostics::new(),
        Err(d) => {
            let mut names = Diagnostics::new();
            for d in d.iter().filter(|d| d.summary.starts_with("Unsupported backend")) {
                names.push(d.clone());
            }
            names
        }
    }
}

impl BackendConfig {
    /// The backend a block (plus `-backend-config` values) describes. Errors name the argument
    /// and where it was written.
    pub fn resolve(block: Option<&BackendBlock>, extra: &BTreeMap<String, Value>) -> Result<BackendConfig, Diagnostics> {
        let mut diags = Diagnostics::new();
        let Some(block) = block else {
            if let Some(k) = extra.keys().next() {
                diags.push(Diagnostic::error(
                    "Backend configuration without a backend block",
                    format!("-backend-config sets \"{k}\", but the configuration has no backend block: add `terraform {{ backend \"TYPE\" {{}} }}` to say which backend it configures."),
                ));
                return Err(diags);
            }
            return Ok(BackendConfig::default());
        };
        let mut args: BTreeMap<&str, (&Value, Option<&SourceRange>)> = block.args.iter().map(|(k, (v, r))| (k.as_str(), (v, Some(r)))).collect();
        for (k, v) in extra {
            args.insert(k.as_str(), (v, None));
        }
        BackendConfig::from_args(&block.kind, &args, Some(&block.range))
    }

    /// A backend from plain values (`terraform_remote_state`'s `backend` and `config`).
    pub fn from_values(kind: &str, values: &BTreeMap<String, Value>) -> Result<BackendConfig, Diagnostics> {
        let args = values.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.as_str(), (v, None))).collect();
        BackendConfig::from_args(kind, &args, None)
    }

    /// A workspace's root outputs, without creating anything: None when no state is stored
    /// there. A local `path` may also name a Terraform state file (JSON), as
    /// `terraform_remote_state` readers coming from Terraform point it at one.
    pub fn read_outputs(&self, workspace: &str) -> StateResult<Option<BTreeMap<String, super::OutputState>>> {
        let state = match self {
            BackendConfig::Local { .. } => {
                let path = self.local_path(workspace);
                let Ok(head) = std::fs::read(&path) else { return Ok(None) };
                if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
                    let text = String::from_utf8_lossy(&head);
                    super::tfstate::parse_tfstate(&text).map_err(|detail| StateError::Corrupt { path: path.clone(), detail })?
                } else {
                    self.open(workspace)?.load()?
                }
            }
            #[allow(unreachable_patterns)]
            _ => self.open(workspace)?.load()?,
        };
        if state.is_fresh() {
            return Ok(None);
        }
        if state.outputs.values().any(|o| super::sealed::is_sealed_value(&o.value)) {
            return Err(StateError::Remote {
                place: self.describe(workspace),
                detail: "the state is encrypted, and terraform_remote_state reads only unencrypted states".into(),
            });
        }
        Ok(Some(state.outputs))
    }

    /// The backend `init` saved (no locations: it was checked when saved).
    pub fn from_saved(saved: &SavedBackend) -> Result<BackendConfig, Diagnostics> {
        if saved.kind == "local" && saved.config.is_empty() && saved.backend_config.is_empty() {
            return Ok(BackendConfig::default());
        }
        let values: Vec<(String, Value)> = saved.config.iter().chain(&saved.backend_config).map(|(k, v)| (k.clone(), Value::from_json(v))).collect();
        let args = values.iter().map(|(k, v)| (k.as_str(), (v, None))).collect();
        BackendConfig::from_args(&saved.kind, &args, None)
    }

    fn from_args(kind: &str, args: &BTreeMap<&str, (&Value, Option<&SourceRange>)>, block_range: Option<&SourceRange>) -> Result<BackendConfig, Diagnostics> {
        let mut diags = Diagnostics::new();

        let Some(known) = known_arguments(kind) else {
            let detail = match kind {
                "gcs" | "consul" | "cos" | "http" | "kubernetes" | "oss" | "remote" => format!(
                    "skyform does not support the \"{kind}\" backend yet; it supports \"local\", \"pg\" (PostgreSQL), \"s3\" and \"azurerm\". It is not ignored: state kept elsewhere than the team expects would plan to create everything again."
                ),
                _ => format!("There is no backend type named \"{kind}\". skyform supports \"local\", \"pg\", \"s3\" and \"azurerm\"."),
            };
            diags.push(Diagnostic::error("Unsupported backend type", detail).at(block_range));
            return Err(diags);
        };
        if let Some(feature) = missing_feature(kind) {
            diags.push(
                Diagnostic::error(
                    "Backend not compiled in",
                    format!("This skyform was built without the \"{feature}\" cargo feature, which the \"{kind}\" backend needs (it is on by default: rebuild without --no-default-features, or with --features {feature})."),
                )
                .at(block_range),
            );
            return Err(diags);
        }
        for (name, (_, range)) in args {
            if known.contains(name) {
                continue;
            }
            let detail = match unsupported_note(kind, name) {
                Some(note) => format!("The \"{kind}\" backend argument \"{name}\" is not supported by skyform: {note}."),
                None => format!("An argument named \"{name}\" is not expected in a \"{kind}\" backend. Expected: {}.", known.join(", ")),
            };
            let what = if range.is_some() { "" } else { " (from -backend-config)" };
            diags.push(Diagnostic::error(format!("Unsupported backend argument{what}"), detail).at(range.or(block_range)));
        }
        let string = |name: &str, diags: &mut Diagnostics| -> Option<String> {
            match args.get(name) {
                None | Some((Value::Null, _)) => None,
                Some((Value::String(s), _)) => Some(s.clone()),
                Some((v, range)) => {
                    diags.push(Diagnostic::error("Invalid backend argument", format!("\"{name}\" must be a string, not {}.", v.type_name())).at(*range));
                    None
                }
            }
        };
        #[cfg_attr(not(any(feature = "aws", feature = "azure")), allow(unused_variables))]
        let flag = |name: &str, diags: &mut Diagnostics| match args.get(name) {
            None | Some((Value::Null, _)) => false,
            Some((Value::Bool(b), _)) => *b,
            Some((Value::String(s), _)) if s == "true" || s == "false" => s == "true",
            Some((v, range)) => {
                diags.push(
                    Diagnostic::error("Invalid backend argument", format!("\"{name}\" must be a bool, not {}.", v.type_name())).at(range.or(block_range)),
                );
                false
            }
        };
        #[cfg_attr(not(any(feature = "aws", feature = "azure")), allow(unused_variables))]
        let required = |name: &str, env: &[&str], diags: &mut Diagnostics| {
            let v = string(name, diags).or_else(|| env.iter().find_map(|e| std::env::var(e).ok().filter(|s| !s.is_empty())));
            if v.is_none() {
                diags.push(
                    Diagnostic::error(
                        "Missing backend argument",
                        format!("The {kind} backend needs \"{name}\": set it in the backend block or with `skyform init -backend-config={name}=...`."),
                    )
                    .at(block_range),
                );
            }
            v.unwrap_or_default()
        };
        let config = match kind {
            "local" => {
                let path = string("path", &mut diags).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_LOCAL_PATH));
                let workspace_dir = string("workspace_dir", &mut diags).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".skyform/workspaces"));
                BackendConfig::Local { path, workspace_dir }
            }
            #[cfg(feature = "aws")]
            "s3" => {
                let bucket = required("bucket", &[], &mut diags);
                let key = required("key", &[], &mut diags);
                let region = required("region", &["AWS_REGION", "AWS_DEFAULT_REGION"], &mut diags);
                let workspace_key_prefix = string("workspace_key_prefix", &mut diags).unwrap_or_else(|| "env:".into());
                for (name, v) in [("key", &key), ("workspace_key_prefix", &workspace_key_prefix)] {
                    if v.starts_with('/') || v.ends_with('/') {
                        let range = args.get(name).and_then(|a| a.1).or(block_range);
                        diags.push(Diagnostic::error("Invalid backend argument", format!("\"{name}\" must not start or end with '/'.")).at(range));
                    }
                }
                let endpoint = match args.get("endpoints") {
                    Some((Value::Map(m), _)) => m.get("s3").and_then(|v| v.as_str()).map(str::to_string),
                    _ => None,
                }
                .or_else(|| string("endpoint", &mut diags))
                .or_else(|| std::env::var("AWS_ENDPOINT_URL_S3").ok().filter(|s| !s.is_empty()));
                let use_path_style = flag("use_path_style", &mut diags) || flag("force_path_style", &mut diags);
                let settings = super::s3::S3Settings {
                    bucket,
                    key,
                    region,
                    workspace_key_prefix,
                    encrypt: flag("encrypt", &mut diags),
                    use_lockfile: flag("use_lockfile", &mut diags),
                    endpoint,
                    use_path_style,
                    access_key: string("access_key", &mut diags),
                    secret_key: string("secret_key", &mut diags),
                    token: string("token", &mut diags),
                    profile: string("profile", &mut diags),
                };
                BackendConfig::S3(settings)
            }
            #[cfg(feature = "azure")]
            "azurerm" => {
                let storage_account_name = required("storage_account_name", &[], &mut diags);
                let container_name = required("container_name", &[], &mut diags);
                let key = required("key", &[], &mut diags);
                // Terraform looks the account key up through Azure Resource Manager with these
                // when no credential is given; skyform does not, and otherwise they change
                // nothing (checked when connecting). Azure's public cloud is the only environment.
                for name in ["resource_group_name", "subscription_id"] {
                    string(name, &mut diags);
                }
                if let Some(env) = string("environment", &mut diags).or_else(|| std::env::var("ARM_ENVIRONMENT").ok().filter(|s| !s.is_empty())) {
                    if !env.eq_ignore_ascii_case("public") {
                        let range = args.get("environment").and_then(|a| a.1).or(block_range);
                        diags.push(
                            Diagnostic::error(
                                "Unsupported backend argument",
                                format!("The azurerm backend's environment \"{env}\" is not supported by skyform: it talks to Azure's public cloud; for another cloud's blob endpoint set skyform's blob_endpoint argument instead."),
                            )
                            .at(range),
                        );
                    }
                }
                let settings = super::azurerm::AzureRmSettings {
                    storage_account_name,
                    container_name,
                    key,
                    access_key: string("access_key", &mut diags),
                    sas_token: string("sas_token", &mut diags),
                    use_azuread_auth: flag("use_azuread_auth", &mut diags),
                    tenant_id: string("tenant_id", &mut diags),
                    client_id: string("client_id", &mut diags),
                    client_secret: string("client_secret", &mut diags),
                    use_msi: flag("use_msi", &mut diags),
                    snapshot: flag("snapshot", &mut diags),
                    blob_endpoint: string("blob_endpoint", &mut diags),
                };
                flag("use_cli", &mut diags);
                if let Some(problem) = crate::provider::azure::container_name_problem(&settings.container_name).filter(|_| !settings.container_name.is_empty())
                {
                    let range = args.get("container_name").and_then(|a| a.1).or(block_range);
                    diags.push(Diagnostic::error("Invalid backend argument", format!("\"container_name\" {problem}.")).at(range));
                }
                BackendConfig::AzureRm(settings)
            }
            #[cfg(feature = "pg")]
            "pg" => {
                // As Terraform's pg backend: the arguments, else PG_CONN_STR / PG_SCHEMA_NAME;
                // an empty connection string means the libpq PG* variables.
                let conn_str = string("conn_str", &mut diags).or_else(|| std::env::var("PG_CONN_STR").ok()).unwrap_or_default();
                let schema_name = string("schema_name", &mut diags)
                    .or_else(|| std::env::var("PG_SCHEMA_NAME").ok().filter(|s| !s.is_empty()))
                    .unwrap_or_else(|| "terraform_remote_state".into());
                BackendConfig::Pg { conn_str, schema_name }
            }
            // Unknown kinds and those compiled out were refused above.
            _ => unreachable!("backend type {kind} passed the checks"),
        };
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(config)
        }
    }

    /// The backend's type name, as in the block.
    pub fn kind(&self) -> &'static str {
        match self {
            BackendConfig::Local { .. } => "local",
            #[cfg(feature = "pg")]
            BackendConfig::Pg { .. } => "pg",
            #[cfg(feature = "aws")]
            BackendConfig::S3(_) => "s3",
            #[cfg(feature = "azure")]
            BackendConfig::AzureRm(_) => "azurerm",
        }
    }

    /// Whether a workspace's state exists yet (the local files are created on first write;
    /// remote backends are always opened).
    pub fn exists(&self, workspace: &str) -> bool {
        match self {
            BackendConfig::Local { .. } => self.local_path(workspace).exists(),
            #[allow(unreachable_patterns)]
            _ => true,
        }
    }

    fn local_path(&self, workspace: &str) -> PathBuf {
        match self {
            BackendConfig::Local { path, .. } if workspace == "default" => path.clone(),
            BackendConfig::Local { workspace_dir, .. } => workspace_dir.join(workspace).join("state.db"),
            #[allow(unreachable_patterns)]
            _ => PathBuf::new(),
        }
    }

    /// Opens (creating on first use) one workspace's state.
    pub fn open(&self, workspace: &str) -> StateResult<StateStore> {
        self.open_with(workspace, None)
    }

    /// The same, with the state encrypted at rest by `cipher` (see [`super::encryption`]).
    pub fn open_with(&self, workspace: &str, cipher: Option<Arc<Cipher>>) -> StateResult<StateStore> {
        let relational = |backend: Box<dyn super::Backend>| match &cipher {
            Some(c) => StateStore::new(Box::new(super::sealed::SealedBackend::new(backend, c.clone()))),
            None => StateStore::new(backend),
        };
        match self {
            BackendConfig::Local { .. } => Ok(relational(Box::new(super::sqlite::SqliteBackend::open(&self.local_path(workspace))?))),
            #[cfg(feature = "pg")]
            BackendConfig::Pg { conn_str, schema_name } => Ok(relational(Box::new(super::pg::PgBackend::open(conn_str, schema_name, workspace)?))),
            #[cfg(feature = "aws")]
            BackendConfig::S3(settings) => {
                if !settings.use_lockfile {
                    eprintln!(
                        "Warning: The s3 backend at {} has no state locking: set use_lockfile = true, or two runs can write the state at once.",
                        settings.describe(workspace)
                    );
                }
                Ok(StateStore::new(Box::new(super::s3::open(settings, workspace, cipher)?)))
            }
            #[cfg(feature = "azure")]
            BackendConfig::AzureRm(settings) => Ok(StateStore::new(Box::new(super::azurerm::open(settings, workspace, cipher)?))),
        }
    }

    /// The workspaces that exist, sorted, always with "default".
    pub fn workspaces(&self) -> StateResult<Vec<String>> {
        let mut names = match self {
            BackendConfig::Local { workspace_dir, .. } => match std::fs::read_dir(workspace_dir) {
                Ok(rd) => {
                    rd.filter_map(|e| e.ok()).filter(|e| e.path().join("state.db").exists()).map(|e| e.file_name().to_string_lossy().into_owned()).collect()
                }
                Err(_) => Vec::new(),
            },
            #[cfg(feature = "pg")]
            BackendConfig::Pg { conn_str, schema_name } => super::pg::workspaces(conn_str, schema_name)?,
            #[cfg(feature = "aws")]
            BackendConfig::S3(settings) => super::s3::workspaces(settings)?,
            #[cfg(feature = "azure")]
            BackendConfig::AzureRm(settings) => super::azurerm::workspaces(settings)?,
        };
        names.push("default".into());
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Deletes a workspace's state (never "default").
    pub fn delete_workspace(&self, workspace: &str) -> StateResult<()> {
        match self {
            BackendConfig::Local { .. } => {
                let path = self.local_path(workspace);
                let dir = path.parent().unwrap_or(Path::new("."));
                std::fs::remove_dir_all(dir).map_err(|source| StateError::Io { path: dir.to_path_buf(), source })
            }
            #[cfg(feature = "pg")]
            BackendConfig::Pg { conn_str, schema_name } => super::pg::delete_workspace(conn_str, schema_name, workspace),
            #[cfg(feature = "aws")]
            BackendConfig::S3(settings) => super::s3::delete_workspace(settings, workspace),
            #[cfg(feature = "azure")]
            BackendConfig::AzureRm(settings) => super::azurerm::delete_workspace(settings, workspace),
        }
    }

    /// Where a workspace's state lives, for messages.
    pub fn describe(&self, workspace: &str) -> String {
        match self {
            BackendConfig::Local { .. } => self.local_path(workspace).display().to_string(),
            #[cfg(feature = "pg")]
            BackendConfig::Pg { schema_name, .. } => format!("PostgreSQL schema \"{schema_name}\", workspace \"{workspace}\""),
            #[cfg(feature = "aws")]
            BackendConfig::S3(settings) => settings.describe(workspace),
            #[cfg(feature = "azure")]
            BackendConfig::AzureRm(settings) => settings.describe(workspace),
        }
    }
}

/// What `init` saved: the block it configured (to notice later changes) and the
/// `-backend-config` values given to it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SavedBackend {
    #[serde(rename = "type")]
    pub kind: String,
    /// The block's arguments as JSON.
    pub config: BTreeMap<String, serde_json::Value>,
    /// `-backend-config` values.
    pub backend_config: BTreeMap<String, serde_json::Value>,
}

impl SavedBackend {
    /// What a block looks like when saved ("local" with nothing for no block).
    pub fn of(block: Option<&BackendBlock>, extra: &BTreeMap<String, Value>) -> SavedBackend {
        SavedBackend {
            kind: block.map(|b| b.kind.clone()).unwrap_or_else(|| "local".into()),
            config: block.map(|b| b.args.iter().map(|(k, (v, _))| (k.clone(), v.to_json())).collect()).unwrap_or_default(),
            backend_config: extra.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
        }
    }

    /// Whether the configuration's block is the one `init` configured.
    pub fn same_block(&self, block: Option<&BackendBlock>) -> bool {
        let now = SavedBackend::of(block, &BTreeMap::new());
        now.kind == self.kind && now.config == self.config
    }

    pub fn extra(&self) -> BTreeMap<String, Value> {
        self.backend_config.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()
    }

    pub fn read(dir: &Path) -> StateResult<Option<SavedBackend>> {
        let path = dir.join(SAVED);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| StateError::Corrupt { path, detail: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StateError::Io { path, source }),
        }
    }

    /// Saves it, readable only by its owner (`-backend-config` may hold credentials).
    pub fn write(&self, dir: &Path) -> StateResult<()> {
        let path = dir.join(SAVED);
        write_private(&path, serde_json::to_string_pretty(self).unwrap_or_default().as_bytes())
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> StateResult<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io = |source| StateError::Io { path: path.to_path_buf(), source };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp).map_err(io)?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// The selected workspace: `TF_WORKSPACE`, else `.terraform/environment`, else "default".
pub fn selected_workspace(dir: &Path) -> String {
    if let Ok(w) = std::env::var("TF_WORKSPACE") {
        if !w.is_empty() {
            return w;
        }
    }
    std::fs::read_to_string(dir.join(ENVIRONMENT)).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).unwrap_or_else(|| "default".into())
}

/// Selects a workspace for later commands in `dir`.
pub fn select_workspace(dir: &Path, name: &str) -> StateResult<()> {
    if name == "default" {
        let path = dir.join(ENVIRONMENT);
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StateError::Io { path, source: e }),
            _ => Ok(()),
        };
    }
    write_private(&dir.join(ENVIRONMENT), name.as_bytes())
}

/// Terraform's rule for workspace names: usable in a URL path segment and a file name.
pub fn valid_workspace_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 90 && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) && name != "." && name != ".."
}
