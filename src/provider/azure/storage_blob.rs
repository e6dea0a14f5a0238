//! `azurerm_storage_blob`: `name`, `storage_account_name`, `storage_container_name`,
//! `type` (`Block`), one of `source` / `source_content`, `content_type`, `content_md5`,
//! `cache_control`, `metadata`, `access_tier`; computed `id` and `url` (the blob's URL).
//!
//! The planned `content_md5` (hex, as `filemd5()` gives it) is the MD5 of the body, sent with
//! the upload so the service stores it; a blob edited outside skyform reads back with another
//! MD5 and plans an update. A new name, account, container or type replaces the blob. New
//! bytes upload the blob again in place (Terraform's azurerm provider replaces the blob
//! instead; the result is the same object); otherwise the content type and cache control
//! (Set Blob Properties), metadata (Set Blob Metadata) and access tier (Set Blob Tier) change
//! in place without an upload, as in Terraform.
//!
//! Refresh in bulk: [`StorageBlob`]'s `read_batch` lists each container once (List Blobs with
//! metadata, 5,000 a page) and takes every managed blob's properties from the listing.

use std::collections::HashMap;

use async_trait::async_trait;
use azure_core::http::RequestContent;
use azure_storage_blob::models::{
    AccessTier, BlobClientDeleteOptions, BlobClientGetPropertiesResultHeaders, BlobClientSetPropertiesOptions, BlobContainerClientListBlobsOptions,
    BlockBlobClientUploadOptions, DeleteSnapshotsOptionType, ListBlobsIncludeItem,
};
use md5::Digest;

use super::{azure_error, not_found, AzureProvider};
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::batch::{self, Listed};
use crate::provider::helpers::{attr, imported, map_value, set, string_map, text};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let s = |t| AttributeSchema::optional().typed(t);
    let key = || AttributeSchema::required().force_new().typed(AttrType::String);
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("name", key()),
            ("storage_account_name", key()),
            ("storage_container_name", key()),
            ("type", key()),
            ("source", s(AttrType::String)),
            ("source_content", s(AttrType::String)),
            ("content_type", AttributeSchema::optional_computed().typed(AttrType::String)),
            ("content_md5", AttributeSchema::optional_computed().typed(AttrType::String)),
            ("cache_control", s(AttrType::String)),
            ("metadata", AttributeSchema::optional_computed().typed(AttrType::MapOfString)),
            ("access_tier", AttributeSchema::optional_computed().typed(AttrType::String)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("url", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

/// The body to upload: `Ok(None)` while any of its sources is unknown.
fn body(v: &Value) -> Result<Option<Vec<u8>>, Diagnostics> {
    let (content, source) = (attr(v, "source_content"), attr(v, "source"));
    if !content.is_known() || !source.is_known() {
        return Ok(None);
    }
    if !content.is_null() && !source.is_null() {
        return Err(Diagnostic::error("Conflicting arguments", "Only one of source and source_content can be set.").for_attribute("source").into());
    }
    if let Some(path) = source.as_str() {
        return std::fs::read(path)
            .map(Some)
            .map_err(|e| Diagnostic::error("Cannot read source", format!("Error reading source file \"{path}\": {e}.")).for_attribute("source").into());
    }
    Ok(Some(content.as_str().unwrap_or_default().as_bytes().to_vec()))
}

/// The blob's URL under its account's blob endpoint (the name's path segments encoded).
fn blob_url(p: &AzureProvider, v: &Value) -> Value {
    match (attr(v, "storage_account_name").as_str(), attr(v, "storage_container_name").as_str(), attr(v, "name").as_str()) {
        (Some(a), Some(c), Some(n)) => {
            let encoded: Vec<String> = n.split('/').map(|s| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()).collect();
            Value::String(format!("{}/{c}/{}", p.account_url(a), encoded.join("/")))
        }
        _ => Value::Unknown,
    }
}

/// What a URL path segment must encode.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');

async fn upload(p: &AzureProvider, planned: &Value) -> Result<(), Diagnostics> {
    let (account, container, name) = (text(planned, "storage_account_name"), text(planned, "storage_container_name"), text(planned, "name"));
    let bytes = body(planned)?.unwrap_or_default();
    let md5 = match attr(planned, "content_md5").as_str() {
        Some(h) => hex::decode(h)
            .map_err(|_| -> Diagnostics { Diagnostic::error("Invalid content_md5", format!("content_md5 \"{h}\" is not a hex MD5 digest.")).into() })?,
        None => md5::Md5::digest(&bytes).to_vec(),
    };
    let options = BlockBlobClientUploadOptions {
        blob_content_type: attr(planned, "content_type").as_str().map(str::to_string),
        blob_content_md5: Some(md5),
        blob_cache_control: attr(planned, "cache_control").as_str().map(str::to_string),
        metadata: Some(string_map(attr(planned, "metadata"))),
        tier: attr(planned, "access_tier").as_str().map(|t| t.parse::<AccessTier>().unwrap_or(AccessTier::Hot)),
        ..Default::default()
    };
    let client = p.container(&account, &container)?.blob_client(&name);
    client
        .upload(RequestContent::from(bytes), Some(options))
        .await
        .map_err(|e| azure_error(&format!("uploading blob \"{name}\" to container \"{container}\""), &e))?;
    Ok(())
}

/// Set Blob Properties: the content type and cache control (and the recorded MD5, since the
/// call resets every HTTP property it is not given).
async fn set_headers(p: &AzureProvider, planned: &Value) -> Result<(), Diagnostics> {
    let (container, name) = (text(planned, "storage_container_name"), text(planned, "name"));
    let client = p.container(&text(planned, "storage_account_name"), &container)?.blob_client(&name);
    let options = BlobClientSetPropertiesOptions {
        blob_content_type: attr(planned, "content_type").as_str().map(str::to_string),
        blob_cache_control: attr(planned, "cache_control").as_str().map(str::to_string),
        blob_content_md5: attr(planned, "content_md5").as_str().and_then(|h| hex::decode(h).ok()),
        ..Default::default()
    };
    client.set_properties(Some(options)).await.map_err(|e| azure_error(&format!("setting the properties of blob \"{name}\""), &e))?;
    Ok(())
}

/// Set Blob Metadata: replaces the blob's metadata.
async fn set_metadata(p: &AzureProvider, planned: &Value) -> Result<(), Diagnostics> {
    let (container, name) = (text(planned, "storage_container_name"), text(planned, "name"));
    let client = p.container(&text(planned, "storage_account_name"), &container)?.blob_client(&name);
    client
        .set_metadata(&string_map(attr(planned, "metadata")), None)
        .await
        .map_err(|e| azure_error(&format!("setting the metadata of blob \"{name}\""), &e))?;
    Ok(())
}

async fn set_tier(p: &AzureProvider, planned: &Value) -> Result<(), Diagnostics> {
    let (container, name) = (text(planned, "storage_container_name"), text(planned, "name"));
    let client = p.container(&text(planned, "storage_account_name"), &container)?.blob_client(&name);
    let tier = text(planned, "access_tier").parse::<AccessTier>().unwrap_or(AccessTier::Hot);
    client.set_tier(tier, None).await.map_err(|e| azure_error(&format!("setting the access tier of blob \"{name}\""), &e))?;
    Ok(())
}

/// What a read learns about a blob, from Get Blob Properties or a List Blobs entry.
struct Remote {
    content_type: Option<String>,
    content_md5: Option<Vec<u8>>,
    cache_control: Option<String>,
    metadata: HashMap<String, String>,
    access_tier: Option<String>,
}

fn with_remote(mut state: Value, r: Remote) -> Value {
    set(&mut state, "content_type", r.content_type.map(Value::String).unwrap_or(Value::Null));
    // A blob stored without an MD5 (a multi-block upload elsewhere) keeps the recorded one.
    if let Some(md5) = r.content_md5 {
        set(&mut state, "content_md5", Value::String(hex::encode(md5)));
    }
    set(&mut state, "cache_control", r.cache_control.map(Value::String).unwrap_or(Value::Null));
    set(&mut state, "metadata", map_value(r.metadata));
    if let Some(t) = r.access_tier {
        set(&mut state, "access_tier", Value::String(t));
    }
    state
}

/// Every blob of a container whose name starts with `prefix`, with its properties and
/// metadata. A container that is gone has no blobs.
async fn list(p: &AzureProvider, account: &str, container: &str, prefix: &str) -> Result<HashMap<String, Remote>, Diagnostics> {
    use futures::TryStreamExt;
    let client = p.container(account, container)?;
    let what = || format!("listing container \"{container}\"");
    let options = BlobContainerClientListBlobsOptions {
        include: Some(vec![ListBlobsIncludeItem::Metadata]),
        prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        ..Default::default()
    };
    let mut pages = client.list_blobs(Some(options)).map_err(|e| azure_error(&what(), &e))?.into_pages();
    let mut out = HashMap::new();
    loop {
        let page = match pages.try_next().await {
            Ok(Some(page)) => page,
            Ok(None) => break,
            Err(e) if not_found(&e) => return Ok(HashMap::new()),
            Err(e) => return Err(azure_error(&what(), &e)),
        };
        let page = page.into_model().map_err(|e| azure_error(&what(), &e))?;
        for item in page.blob_items {
            let (Some(name), Some(props)) = (item.name, item.properties) else { continue };
            let remote = Remote {
                content_type: props.content_type,
                content_md5: props.content_md5,
                cache_control: props.cache_control,
                metadata: item.metadata.and_then(|m| m.values).unwrap_or_default(),
                access_tier: props.access_tier.map(|t| t.as_ref().to_string()),
            };
            out.insert(name, remote);
        }
    }
    Ok(out)
}

/// A create (`prior` None) or an update: one upload when the bytes are new, else the changed
/// properties in place; then the account's default tier when none was planned.
async fn write(p: &AzureProvider, prior: Option<Value>, mut planned: Value) -> ApplyResponse {
    let changed = |a: &str| prior.as_ref().is_none_or(|pr| attr(pr, a) != attr(&planned, a));
    let result = async {
        if changed("content_md5") {
            // A new blob or new bytes: one upload with every property.
            upload(p, &planned).await?;
        } else {
            // As Terraform's azurerm provider: properties, metadata and tier in place.
            if changed("content_type") || changed("cache_control") {
                set_headers(p, &planned).await?;
            }
            if changed("metadata") {
                set_metadata(p, &planned).await?;
            }
            if changed("access_tier") {
                set_tier(p, &planned).await?;
            }
        }
        Ok::<(), Diagnostics>(())
    }
    .await;
    if let Err(d) = result {
        return ApplyResponse::failed(prior, d);
    }
    let mut diagnostics = Diagnostics::new();
    if !attr(&planned, "access_tier").is_known() {
        // The account's default tier, known once the blob exists.
        let r = StorageBlob.read(p, planned.clone()).await;
        let tier = r.new_state.as_ref().map(|s| attr(s, "access_tier").clone()).filter(|t| t.is_known()).unwrap_or(Value::Null);
        set(&mut planned, "access_tier", tier);
        diagnostics = r.diagnostics;
    }
    ApplyResponse { new_state: Some(planned), diagnostics }
}

/// `azurerm_storage_blob`.
pub struct StorageBlob;

#[async_trait]
impl ResourceType<AzureProvider> for StorageBlob {
    fn name(&self) -> &'static str {
        "azurerm_storage_blob"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    /// Checks the type, tier, metadata keys and a configured `content_md5`; plans the body's
    /// MD5, the URL and the defaults (`content_type`, `metadata`; the tier is the account's
    /// default, unknown until created).
    fn plan(&self, p: &AzureProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diagnostics = Diagnostics::new();
        if let Some(d) = super::metadata_problem(attr(&req.config, "metadata")) {
            diagnostics.extend(d);
        }
        if let Some(t) = attr(&planned, "type").as_str() {
            if t != "Block" {
                diagnostics.extend(Diagnostics::from(
                    Diagnostic::error(
                        "Unsupported blob type",
                        format!("type = \"{t}\": skyform creates Block blobs only (Append and Page blobs are not supported yet)."),
                    )
                    .for_attribute("type"),
                ));
            }
        }
        if let Some(tier) = attr(&planned, "access_tier").as_str() {
            if !["Hot", "Cool", "Cold", "Archive"].contains(&tier) {
                diagnostics.extend(Diagnostics::from(
                    Diagnostic::error("Invalid access_tier", format!("access_tier must be \"Hot\", \"Cool\", \"Cold\" or \"Archive\", not \"{tier}\"."))
                        .for_attribute("access_tier"),
                ));
            }
        }
        // Terraform's default applies whenever the argument is not set.
        if attr(&req.config, "content_type").is_null() {
            set(&mut planned, "content_type", Value::string("application/octet-stream"));
        }
        if attr(&planned, "metadata").is_null() {
            set(&mut planned, "metadata", map_value([]));
        }
        if let (Some(want), Ok(Some(b))) = (attr(&req.config, "content_md5").as_str(), body(&planned)) {
            let got = hex::encode(md5::Md5::digest(&b));
            if !want.eq_ignore_ascii_case(&got) {
                diagnostics.extend(Diagnostics::from(
                    Diagnostic::error("content_md5 does not match", format!("content_md5 is \"{want}\", but the content's MD5 is \"{got}\"."))
                        .for_attribute("content_md5"),
                ));
            }
        }
        if attr(&req.config, "content_md5").is_null() {
            let md5 = match body(&planned) {
                Ok(Some(b)) => Value::String(hex::encode(md5::Md5::digest(&b))),
                Ok(None) => Value::Unknown,
                Err(d) => {
                    diagnostics.extend(d);
                    Value::Unknown
                }
            };
            set(&mut planned, "content_md5", md5);
        }
        let url = blob_url(p, &planned);
        set(&mut planned, "url", url.clone());
        set(&mut planned, "id", url);
        if req.prior_state.is_none() && attr(&planned, "access_tier").is_null() {
            set(&mut planned, "access_tier", Value::Unknown);
        }
        PlanResponse { diagnostics, ..PlanResponse::planned(planned) }
    }

    /// Reads one blob (Get Blob Properties).
    async fn read(&self, p: &AzureProvider, prior: Value) -> ReadResponse {
        let (container, name) = (text(&prior, "storage_container_name"), text(&prior, "name"));
        let client = match p.container(&text(&prior, "storage_account_name"), &container) {
            Ok(c) => c.blob_client(&name),
            Err(d) => return ReadResponse::failed(prior, d),
        };
        let props = match client.get_properties(None).await {
            Ok(r) => r,
            Err(e) if not_found(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, azure_error(&format!("reading blob \"{name}\" in container \"{container}\""), &e)),
        };
        let remote = Remote {
            content_type: props.content_type().ok().flatten(),
            content_md5: props.content_md5().ok().flatten(),
            cache_control: props.cache_control().ok().flatten(),
            metadata: props.metadata().unwrap_or_default(),
            access_tier: props.access_tier().ok().flatten(),
        };
        let mut state = with_remote(prior, remote);
        let url = blob_url(p, &state);
        set(&mut state, "url", url.clone());
        set(&mut state, "id", url);
        ReadResponse::found(state)
    }

    /// Refreshes many blobs: one List Blobs pass per container, every blob's state taken from
    /// the listing.
    async fn read_batch(&self, p: &AzureProvider, blobs: Vec<(usize, Value)>) -> Vec<(usize, ReadResponse)> {
        batch::by_listing(
            blobs,
            |v| (text(v, "storage_account_name"), text(v, "storage_container_name")),
            "name",
            |v| self.read(p, v),
            |(account, container), prefix| async move { list(p, &account, &container, &prefix).await },
            |v, remote| Listed::State(with_remote(v, remote)),
        )
        .await
    }

    async fn create(&self, p: &AzureProvider, planned: Value, _config: &Value) -> ApplyResponse {
        write(p, None, planned).await
    }

    async fn update(&self, p: &AzureProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        write(p, Some(prior), planned).await
    }

    async fn delete(&self, p: &AzureProvider, prior: Value) -> ApplyResponse {
        let (container, name) = (text(&prior, "storage_container_name"), text(&prior, "name"));
        let deleted = match p.container(&text(&prior, "storage_account_name"), &container) {
            Ok(c) => c
                .blob_client(&name)
                .delete(Some(BlobClientDeleteOptions { delete_snapshots: Some(DeleteSnapshotsOptionType::Include), ..Default::default() }))
                .await
                .map(|_| ())
                .or_else(|e| if not_found(&e) { Ok(()) } else { Err(azure_error(&format!("deleting blob \"{name}\" from container \"{container}\""), &e)) }),
            Err(d) => Err(d),
        };
        match deleted {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    /// Imports a blob by its URL (`https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME`), the
    /// id Terraform's azurerm provider uses.
    async fn import(&self, p: &AzureProvider, id: String, mut state: Value) -> ImportResponse {
        let Some((account, container, Some(name))) = p.parse_url(&id) else {
            return ImportResponse::failed(
                Diagnostic::error(
                    "Invalid import id",
                    format!("Expected a blob URL such as https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB, got \"{id}\"."),
                )
                .into(),
            );
        };
        set(&mut state, "name", Value::string(&name));
        set(&mut state, "storage_account_name", Value::string(&account));
        set(&mut state, "storage_container_name", Value::string(&container));
        set(&mut state, "type", Value::string("Block"));
        imported(self.read(p, state).await, || format!("There is no blob \"{name}\" in container \"{container}\" of storage account \"{account}\"."))
    }
}
