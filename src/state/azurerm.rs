//! The `azurerm` backend: the document backend ([`super::document`]) on Azure Blob Storage, as
//! Terraform's azurerm backend keeps it. The state is the blob `KEY` in the container; other
//! workspaces are `KEY` + `env:` + NAME (`terraform.tfstateenv:dev`). The lock is an infinite
//! lease on the state blob (an empty blob is created first when there is none) whose ID is the
//! lock ID, with the lock info Base64-encoded in the blob's metadata `terraformlockid`; writes
//! to the leased blob carry the lease ID, and the metadata is carried over so the lock record
//! survives them.
//!
//! skyform's journal and history (see [`super::document`]) are the unleased blobs
//! `KEY.skyform/journal` and `KEY.skyform/history`: Terraform's workspace listing skips names
//! with a `/` after the `KEYenv:` prefix, so they never show up there as workspaces.
//!
//! Credentials and the endpoint go through the azurerm provider's client code: `access_key`
//! (`ARM_ACCESS_KEY`), else `sas_token` (`ARM_SAS_TOKEN`), else the account key of
//! `AZURE_STORAGE_CONNECTION_STRING`; `use_azuread_auth` signs in with Microsoft Entra ID
//! instead. The blob service is `https://ACCOUNT.blob.core.windows.net`, unless skyform's own
//! `blob_endpoint` argument or the connection string's `BlobEndpoint` says otherwise (Azurite).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_core::http::RequestContent;
use azure_storage_blob::models::{BlobClientAcquireLeaseOptions, BlobClientAcquireLeaseResultHeaders};
use azure_storage_blob::models::{
    BlobClientBreakLeaseOptions, BlobClientCreateSnapshotOptions, BlobClientDeleteOptions, BlobClientGetPropertiesResultHeaders, BlobClientSetMetadataOptions,
    BlobContainerClientListBlobsOptions, BlockBlobClientUploadOptions, DeleteSnapshotsOptionType, LeaseState,
};
use azure_storage_blob::BlobContainerClient;

use super::document::{lock_body, parse_lock, DocumentBackend, ObjectStore, Worker};
use super::store::{LockInfo, StateError, StateResult};
use crate::provider::azure::{error_code, AzureProvider, ConnectionString, StorageAuth};

/// The blob metadata key holding the lock info, as Terraform names it.
const LOCK_META: &str = "terraformlockid";
/// What separates the key from a workspace name in a workspace's blob name.
const ENV_PREFIX: &str = "env:";

/// The backend block's settings (credentials from the environment are read when connecting).
#[derive(Clone, Debug, PartialEq)]
pub struct AzureRmSettings {
    pub storage_account_name: String,
    pub container_name: String,
    pub key: String,
    pub access_key: Option<String>,
    pub sas_token: Option<String>,
    pub use_azuread_auth: bool,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub use_msi: bool,
    /// Snapshot the state blob before each write of it.
    pub snapshot: bool,
    /// skyform's extension: the blob service URL (Azurite, a private endpoint).
    pub blob_endpoint: Option<String>,
}

impl AzureRmSettings {
    /// The blob name of a workspace's state.
    pub fn state_key(&self, workspace: &str) -> String {
        if workspace == "default" {
            self.key.clone()
        } else {
            format!("{}{ENV_PREFIX}{workspace}", self.key)
        }
    }

    pub fn describe(&self, workspace: &str) -> String {
        format!("azurerm://{}/{}/{}", self.storage_account_name, self.container_name, self.state_key(workspace))
    }

    /// `AZURE_STORAGE_CONNECTION_STRING` when it is for this storage account (one set for
    /// another account, say for an application, is not used).
    fn connection_string(&self) -> ConnectionString {
        let conn = ConnectionString::from_env();
        if conn.account_name.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(&self.storage_account_name)) {
            conn
        } else {
            ConnectionString::default()
        }
    }

    /// How requests are authorized: the block, then the ARM_* variables, then the connection
    /// string's account key.
    fn auth(&self) -> Result<StorageAuth, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|s| !s.is_empty());
        let azuread = self.use_azuread_auth || env("ARM_USE_AZUREAD").is_some_and(|v| v == "true" || v == "1");
        if azuread {
            return Ok(StorageAuth::EntraId {
                tenant: self.tenant_id.clone().or_else(|| env("ARM_TENANT_ID")),
                client: self.client_id.clone().or_else(|| env("ARM_CLIENT_ID")),
                secret: self.client_secret.clone().or_else(|| env("ARM_CLIENT_SECRET")),
                msi: self.use_msi || env("ARM_USE_MSI").is_some_and(|v| v == "true" || v == "1"),
            });
        }
        if let Some(key) = self.access_key.clone().or_else(|| env("ARM_ACCESS_KEY")) {
            return Ok(StorageAuth::AccountKey(key));
        }
        if let Some(sas) = self.sas_token.clone().or_else(|| env("ARM_SAS_TOKEN")) {
            return Ok(StorageAuth::Sas(sas));
        }
        if let Some(key) = self.connection_string().account_key {
            return Ok(StorageAuth::AccountKey(key));
        }
        Err("no storage credentials: set access_key (or ARM_ACCESS_KEY), sas_token (or ARM_SAS_TOKEN), or use_azuread_auth = true (Microsoft Entra ID, \
             with tenant_id/client_id/client_secret, ARM_USE_MSI or an Azure CLI login). skyform does not look the account key up through Azure Resource \
             Manager (resource_group_name) as Terraform does without them"
            .into())
    }

    /// A client for the container.
    fn container(&self) -> Result<BlobContainerClient, String> {
        let endpoint = self.blob_endpoint.clone().or_else(|| self.connection_string().blob_endpoint);
        // The provider's diagnostics, as one sentence each.
        let text = |d: crate::diag::Diagnostics| d.iter().map(|d| d.detail.trim_end_matches('.').to_string()).collect::<Vec<_>>().join("; ");
        let provider = AzureProvider::new(self.auth()?, endpoint).map_err(text)?;
        provider.container(&self.storage_account_name, &self.container_name).map_err(text)
    }
}

/// A failed call: what to say, and whether it is about the container rather than one blob.
struct Failed {
    detail: String,
    container: bool,
}

/// A failed call, for messages: the service's code and status, with what to do about the
/// usual ones.
fn detail(settings: &AzureRmSettings, what: &str, e: &azure_core::Error) -> Failed {
    let code = error_code(e).unwrap_or_default();
    let status = e.http_status().map(|s| format!("HTTP {}", u16::from(s)));
    let hint = match code {
        "ContainerNotFound" => format!(
            ": the container \"{}\" does not exist in storage account \"{}\"; create it first (the backend does not create it, as in Terraform)",
            settings.container_name, settings.storage_account_name
        ),
        "AuthenticationFailed" | "AuthorizationFailure" | "AuthorizationPermissionMismatch" => {
            ": check the credentials (access_key / ARM_ACCESS_KEY, sas_token / ARM_SAS_TOKEN, or an Entra ID login with the Storage Blob Data Contributor role)"
                .into()
        }
        "LeaseIdMissing" | "LeaseIdMismatchWithBlobOperation" | "LeaseLost" => {
            ": the state blob is leased by another run's state lock (or the lease was broken); it can be written only under that lock".into()
        }
        "" => {
            // Sign-in and transport failures say what happened in their sources.
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            format!(": {text}")
        }
        _ => String::new(),
    };
    let about: Vec<String> = [Some(code.to_string()).filter(|c| !c.is_empty()), status].into_iter().flatten().collect();
    let about = if about.is_empty() { String::new() } else { format!(" ({})", about.join(", ")) };
    Failed { detail: format!("{what} failed{about}{hint}"), container: code == "ContainerNotFound" }
}

fn is_code(e: &azure_core::Error, codes: &[&str]) -> bool {
    error_code(e).is_some_and(|c| codes.contains(&c))
}

/// Whether the blob (not the container) is missing.
fn blob_missing(e: &azure_core::Error) -> bool {
    e.http_status().is_some_and(|s| u16::from(s) == 404) && !is_code(e, &["ContainerNotFound"])
}

/// The lease this process holds on a state blob.
#[derive(Clone)]
struct Held {
    lease_id: String,
    /// The blob's metadata while locked (the lock record), carried over by every write.
    metadata: HashMap<String, String>,
}

/// The Azure side of the document backend.
pub struct AzureStore {
    settings: AzureRmSettings,
    container: Arc<BlobContainerClient>,
    worker: Worker,
    held: Mutex<HashMap<String, Held>>,
}

impl AzureStore {
    pub fn new(settings: &AzureRmSettings) -> StateResult<AzureStore> {
        let place = format!("azurerm://{}/{}", settings.storage_account_name, settings.container_name);
        let err = |detail: String| StateError::Remote { place: place.clone(), detail };
        let container = settings.container().map_err(err)?;
        let worker = Worker::new("skyform-azurerm-state").map_err(|e| err(format!("could not start its request thread: {e}")))?;
        Ok(AzureStore { settings: settings.clone(), container: Arc::new(container), worker, held: Mutex::new(HashMap::new()) })
    }

    /// The blob holding the object `key`: the journal and history go below `KEY.skyform/`.
    fn blob_name(key: &str) -> String {
        for (suffix, name) in [(".skyform-journal", "journal"), (".skyform-history", "history")] {
            if let Some(state) = key.strip_suffix(suffix) {
                return format!("{state}.skyform/{name}");
            }
        }
        key.to_string()
    }

    fn err(&self, key: &str, detail: impl std::fmt::Display) -> StateError {
        StateError::Remote { place: self.place(key), detail: detail.to_string() }
    }

    fn run<T: Send + 'static>(&self, key: &str, fut: impl Future<Output = Result<T, Failed>> + Send + 'static) -> StateResult<T> {
        self.worker.run(fut).ok_or_else(|| self.err(key, "the request thread stopped"))?.map_err(|f| {
            // A missing container is about the backend, not the blob that was being read.
            let place =
                if f.container { format!("azurerm://{}/{}", self.settings.storage_account_name, self.settings.container_name) } else { self.place(key) };
            StateError::Remote { place, detail: f.detail }
        })
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Acquires an infinite lease proposing `id`: Ok(Some(lease id)), Ok(None) when someone
    /// else holds one; creates the empty blob first when there is none.
    fn acquire(&self, key: &str, id: &str) -> StateResult<Option<String>> {
        let (blob, settings, id) = (self.container.blob_client(key), self.settings.clone(), id.to_string());
        self.run(key, async move {
            loop {
                let options = BlobClientAcquireLeaseOptions { proposed_lease_id: Some(id.clone()), ..Default::default() };
                match blob.acquire_lease(-1, Some(options)).await {
                    Ok(r) => return Ok(Some(r.lease_id().ok().flatten().unwrap_or(id))),
                    Err(e) if is_code(&e, &["LeaseAlreadyPresent", "LeaseIsBreakingAndCannotBeAcquired"]) => return Ok(None),
                    Err(e) if blob_missing(&e) => {
                        // As Terraform: an empty blob to hold the lease (it reads as no state).
                        let options = BlockBlobClientUploadOptions { if_none_match: Some("*".into()), ..Default::default() };
                        match blob.upload(RequestContent::from(Vec::<u8>::new()), Some(options)).await {
                            Ok(_) => {}
                            Err(e) if e.http_status().is_some_and(|s| matches!(u16::from(s), 409 | 412)) => {}
                            Err(e) => return Err(detail(&settings, "creating the state blob to lease", &e)),
                        }
                    }
                    Err(e) => return Err(detail(&settings, "acquiring the lease on the state blob", &e)),
                }
            }
        })
    }

    /// Releases the lease `id` after clearing the lock record; a lease no longer there is fine.
    fn release(&self, key: &str, id: &str) -> StateResult<()> {
        let (blob, settings, id) = (self.container.blob_client(key), self.settings.clone(), id.to_string());
        self.run(key, async move {
            let options = BlobClientSetMetadataOptions { lease_id: Some(id.clone()), ..Default::default() };
            match blob.set_metadata(&HashMap::new(), Some(options)).await {
                Ok(_) => {}
                Err(e) if blob_missing(&e) || is_code(&e, &["LeaseNotPresentWithBlobOperation", "LeaseLost"]) => {}
                Err(e) => return Err(detail(&settings, "clearing the lock record", &e)),
            }
            match blob.release_lease(id, None).await {
                Ok(_) => Ok(()),
                Err(e) if blob_missing(&e) || is_code(&e, &["LeaseNotPresentWithLeaseOperation"]) => Ok(()),
                Err(e) => Err(detail(&settings, "releasing the lease on the state blob", &e)),
            }
        })
    }

    /// Ends whatever lease the blob has at once (deleting a workspace).
    fn break_lease(&self, key: &str) -> StateResult<()> {
        let (blob, settings) = (self.container.blob_client(key), self.settings.clone());
        self.run(key, async move {
            match blob.break_lease(Some(BlobClientBreakLeaseOptions { break_period: Some(0), ..Default::default() })).await {
                Ok(_) => Ok(()),
                Err(e) if blob_missing(&e) || is_code(&e, &["LeaseNotPresentWithLeaseOperation"]) => Ok(()),
                Err(e) => Err(detail(&settings, "breaking the lease on the state blob", &e)),
            }
        })
    }
}

impl ObjectStore for AzureStore {
    fn place(&self, key: &str) -> String {
        format!("azurerm://{}/{}/{}", self.settings.storage_account_name, self.settings.container_name, Self::blob_name(key))
    }

    /// The blob's bytes; an empty blob (created to hold a lease) is no state yet.
    fn get(&self, key: &str) -> StateResult<Option<Vec<u8>>> {
        let (blob, settings) = (self.container.blob_client(&Self::blob_name(key)), self.settings.clone());
        let bytes = self.run(key, async move {
            let what = "reading the blob";
            match blob.download(None).await {
                Ok(r) => r.body.collect().await.map(|b| Some(b.to_vec())).map_err(|e| detail(&settings, what, &e)),
                Err(e) if blob_missing(&e) => Ok(None),
                Err(e) => Err(detail(&settings, what, &e)),
            }
        })?;
        Ok(bytes.filter(|b| !b.is_empty()))
    }

    fn put(&self, key: &str, body: Vec<u8>) -> StateResult<()> {
        let held = self.held().get(key).cloned();
        let snapshot = self.settings.snapshot && Self::blob_name(key) == key;
        let (blob, settings) = (self.container.blob_client(&Self::blob_name(key)), self.settings.clone());
        self.run(key, async move {
            let lease_id = held.as_ref().map(|h| h.lease_id.clone());
            if snapshot {
                let options = BlobClientCreateSnapshotOptions { lease_id: lease_id.clone(), ..Default::default() };
                match blob.create_snapshot(Some(options)).await {
                    Ok(_) => {}
                    Err(e) if blob_missing(&e) => {}
                    Err(e) => return Err(detail(&settings, "snapshotting the state blob", &e)),
                }
            }
            let options = BlockBlobClientUploadOptions {
                blob_content_type: Some("application/json".into()),
                lease_id,
                metadata: held.map(|h| h.metadata),
                ..Default::default()
            };
            blob.upload(RequestContent::from(body), Some(options)).await.map(|_| ()).map_err(|e| detail(&settings, "writing the blob", &e))
        })
    }

    fn delete(&self, key: &str) -> StateResult<()> {
        let lease_id = self.held().get(key).map(|h| h.lease_id.clone());
        let is_state = Self::blob_name(key) == key;
        let (blob, settings) = (self.container.blob_client(&Self::blob_name(key)), self.settings.clone());
        self.run(key, async move {
            let options = BlobClientDeleteOptions { lease_id, delete_snapshots: is_state.then_some(DeleteSnapshotsOptionType::Include), ..Default::default() };
            match blob.delete(Some(options)).await {
                Ok(_) => Ok(()),
                Err(e) if blob_missing(&e) => Ok(()),
                Err(e) => Err(detail(&settings, "deleting the blob", &e)),
            }
        })
    }

    fn lock(&self, key: &str, mut info: LockInfo) -> StateResult<Result<LockInfo, LockInfo>> {
        let mut waits = 0;
        let lease_id = loop {
            if let Some(lease_id) = self.acquire(key, &info.id)? {
                break lease_id;
            }
            match self.read_lock(key)? {
                // Leased, the holder's record not written yet: wait for it a little.
                Some(holder) if holder.id.is_empty() && waits < 20 => {
                    waits += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Some(holder) => return Ok(Err(holder)),
                // Released between the refused lease and the read: try again.
                None => {}
            }
        };
        use base64::Engine as _;
        info.id = lease_id.clone();
        let path = format!("{}/{key}", self.settings.container_name);
        let record = base64::engine::general_purpose::STANDARD.encode(lock_body(&info, &path));
        let metadata: HashMap<String, String> = [(LOCK_META.to_string(), record)].into();
        let (blob, settings, meta, id) = (self.container.blob_client(key), self.settings.clone(), metadata.clone(), lease_id.clone());
        let written = self.run(key, async move {
            let options = BlobClientSetMetadataOptions { lease_id: Some(id), ..Default::default() };
            blob.set_metadata(&meta, Some(options)).await.map(|_| ()).map_err(|e| detail(&settings, "writing the lock record", &e))
        });
        if let Err(e) = written {
            let _ = self.release(key, &lease_id);
            return Err(e);
        }
        self.held().insert(key.to_string(), Held { lease_id, metadata });
        Ok(Ok(info))
    }

    /// The holder, when the state blob is leased: the lock record in its metadata.
    fn read_lock(&self, key: &str) -> StateResult<Option<LockInfo>> {
        let (blob, settings) = (self.container.blob_client(key), self.settings.clone());
        self.run(key, async move {
            let props = match blob.get_properties(None).await {
                Ok(p) => p,
                Err(e) if blob_missing(&e) => return Ok(None),
                Err(e) => return Err(detail(&settings, "reading the state blob's lease", &e)),
            };
            if !matches!(props.lease_state(), Ok(Some(LeaseState::Leased | LeaseState::Breaking))) {
                return Ok(None);
            }
            use base64::Engine as _;
            let metadata = props.metadata().unwrap_or_default();
            let record = metadata.iter().find(|(k, _)| k.eq_ignore_ascii_case(LOCK_META)).map(|(_, v)| v.as_str()).unwrap_or_default();
            let body = base64::engine::general_purpose::STANDARD.decode(record.trim()).unwrap_or_default();
            Ok(Some(parse_lock(&body)))
        })
    }

    /// Releases the lease `id`: lease IDs are the lock IDs, so this also takes over a stale
    /// holder's lock (force-unlock) without breaking a lease someone took since.
    fn unlock(&self, key: &str, id: &str) -> StateResult<()> {
        self.release(key, id)?;
        self.held().remove(key);
        Ok(())
    }
}

/// Opens a workspace's state.
pub fn open(settings: &AzureRmSettings, workspace: &str, cipher: Option<std::sync::Arc<super::encryption::Cipher>>) -> StateResult<DocumentBackend> {
    DocumentBackend::open(Box::new(AzureStore::new(settings)?), settings.state_key(workspace), cipher)
}

/// The workspaces with a state blob: every `KEYenv:NAME` (names with a `/` are not
/// workspaces, as in Terraform).
pub fn workspaces(settings: &AzureRmSettings) -> StateResult<Vec<String>> {
    let store = AzureStore::new(settings)?;
    let container = store.container.clone();
    let (prefix, s) = (format!("{}{ENV_PREFIX}", settings.key), settings.clone());
    store.run(&settings.key, async move {
        use futures::TryStreamExt;
        let what = "listing the workspaces' blobs";
        let options = BlobContainerClientListBlobsOptions { prefix: Some(prefix.clone()), ..Default::default() };
        let mut pages = container.list_blobs(Some(options)).map_err(|e| detail(&s, what, &e))?.into_pages();
        let mut names = Vec::new();
        while let Some(page) = pages.try_next().await.map_err(|e| detail(&s, what, &e))? {
            let page = page.into_model().map_err(|e| detail(&s, what, &e))?;
            for item in page.blob_items {
                if let Some(name) = item.name.as_deref().and_then(|n| n.strip_prefix(&prefix)).filter(|n| !n.is_empty() && !n.contains('/')) {
                    names.push(name.to_string());
                }
            }
        }
        Ok(names)
    })
}

/// Deletes a workspace's blobs (state, snapshots, journal, history), ending any lease on it.
pub fn delete_workspace(settings: &AzureRmSettings, workspace: &str) -> StateResult<()> {
    let store = AzureStore::new(settings)?;
    let key = settings.state_key(workspace);
    store.break_lease(&key)?;
    DocumentBackend::new(Box::new(store), key, None).delete_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> AzureRmSettings {
        let mut values = std::collections::BTreeMap::new();
        for (k, v) in [("storage_account_name", "acct"), ("container_name", "tfstate"), ("key", "prod.tfstate"), ("snapshot", "true")] {
            values.insert(k.to_string(), crate::value::Value::string(v));
        }
        match super::super::backends::BackendConfig::from_values("azurerm", &values) {
            Ok(super::super::backends::BackendConfig::AzureRm(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn workspaces_are_terraforms_blob_names() {
        let s = settings();
        assert!(s.snapshot && !s.use_azuread_auth);
        assert_eq!(s.state_key("default"), "prod.tfstate");
        assert_eq!(s.state_key("dev"), "prod.tfstateenv:dev");
        assert_eq!(s.describe("dev"), "azurerm://acct/tfstate/prod.tfstateenv:dev");
    }

    #[test]
    fn side_blobs_live_below_the_key_so_terraform_lists_no_extra_workspaces() {
        assert_eq!(AzureStore::blob_name("terraform.tfstateenv:dev.skyform-journal"), "terraform.tfstateenv:dev.skyform/journal");
        assert_eq!(AzureStore::blob_name("a/b.tfstate.skyform-history"), "a/b.tfstate.skyform/history");
        assert_eq!(AzureStore::blob_name("terraform.tfstate"), "terraform.tfstate");
    }
}
