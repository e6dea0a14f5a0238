//! `azurerm_storage_container`: `name`, `storage_account_name`, `container_access_type`
//! (`private`, `blob` or `container`), `metadata`; computed `id` (the container's URL),
//! `has_immutability_policy`, `has_legal_hold`. A new name or account replaces the container;
//! the access type and metadata change in place.

use async_trait::async_trait;
use azure_storage_blob::models::{
    BlobContainerClientCreateOptions, BlobContainerClientGetPropertiesResultHeaders, BlobContainerClientSetAccessPolicyOptions, PublicAccessType,
    SignedIdentifiers,
};

use super::{azure_error, container_name_problem, not_found, AzureProvider};
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, map_value, set, string_map, text};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("name", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("storage_account_name", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("container_access_type", AttributeSchema::optional_computed().typed(AttrType::String)),
            ("metadata", AttributeSchema::optional_computed().typed(AttrType::MapOfString)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("has_immutability_policy", AttributeSchema::computed().typed(AttrType::Bool)),
            ("has_legal_hold", AttributeSchema::computed().typed(AttrType::Bool)),
        ]),
    }
}

fn access_type(v: &Value) -> Result<Option<PublicAccessType>, Diagnostics> {
    match attr(v, "container_access_type").as_str().unwrap_or("private") {
        "private" => Ok(None),
        "blob" => Ok(Some(PublicAccessType::Blob)),
        "container" => Ok(Some(PublicAccessType::Container)),
        other => Err(Diagnostic::error(
            "Invalid container_access_type",
            format!("container_access_type must be \"private\", \"blob\" or \"container\", not \"{other}\"."),
        )
        .for_attribute("container_access_type")
        .into()),
    }
}

async fn set_access(p: &AzureProvider, planned: &Value) -> Result<(), Diagnostics> {
    let (account, name) = (text(planned, "storage_account_name"), text(planned, "name"));
    let client = p.container(&account, &name)?;
    let body = SignedIdentifiers { items: None }.try_into().map_err(|e| azure_error("encoding the access policy", &e))?;
    let options = BlobContainerClientSetAccessPolicyOptions { access: access_type(planned)?, ..Default::default() };
    client.set_access_policy(body, Some(options)).await.map_err(|e| azure_error(&format!("setting the access type of container \"{name}\""), &e))?;
    Ok(())
}

/// After a create or update: the state read back (the computed flags), or the planned state
/// with the read's error when that fails.
async fn finish(p: &AzureProvider, planned: Value) -> ApplyResponse {
    let r = StorageContainer.read(p, planned.clone()).await;
    match r.new_state {
        Some(s) if r.diagnostics.is_empty() => ApplyResponse::ok(Some(s)),
        _ => {
            let mut state = planned;
            for k in ["has_immutability_policy", "has_legal_hold"] {
                if !attr(&state, k).is_known() {
                    set(&mut state, k, Value::Bool(false));
                }
            }
            ApplyResponse::failed(Some(state), r.diagnostics)
        }
    }
}

/// `azurerm_storage_container`.
pub struct StorageContainer;

#[async_trait]
impl ResourceType<AzureProvider> for StorageContainer {
    fn name(&self) -> &'static str {
        "azurerm_storage_container"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    /// Checks the name, access type and metadata keys; defaults `container_access_type` and
    /// `metadata`; the id (the container's URL) is known from the name and account.
    fn plan(&self, p: &AzureProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let mut diagnostics = Diagnostics::new();
        if let Some(d) = super::metadata_problem(attr(&req.config, "metadata")) {
            diagnostics.extend(d);
        }
        if let Some(name) = attr(&req.config, "name").as_str() {
            if let Some(why) = container_name_problem(name) {
                diagnostics.extend(Diagnostics::from(
                    Diagnostic::error("Invalid container name", format!("\"{name}\" is not a valid container name: it {why}.")).for_attribute("name"),
                ));
            }
        }
        if let Err(d) = access_type(&planned) {
            diagnostics.extend(d);
        }
        // Terraform's default applies whenever the argument is not set.
        if attr(&req.config, "container_access_type").is_null() {
            set(&mut planned, "container_access_type", Value::string("private"));
        }
        if attr(&planned, "metadata").is_null() {
            set(&mut planned, "metadata", map_value([]));
        }
        let id = match (attr(&planned, "storage_account_name").as_str(), attr(&planned, "name").as_str()) {
            (Some(a), Some(n)) => Value::String(format!("{}/{n}", p.account_url(a))),
            _ => Value::Unknown,
        };
        set(&mut planned, "id", id);
        PlanResponse { diagnostics, ..PlanResponse::planned(planned) }
    }

    /// Reads the container's properties (one Get Container Properties call).
    async fn read(&self, p: &AzureProvider, prior: Value) -> ReadResponse {
        let (account, name) = (text(&prior, "storage_account_name"), text(&prior, "name"));
        let client = match p.container(&account, &name) {
            Ok(c) => c,
            Err(d) => return ReadResponse::failed(prior, d),
        };
        let props = match client.get_properties(None).await {
            Ok(r) => r,
            Err(e) if not_found(&e) => return ReadResponse::gone(),
            Err(e) => return ReadResponse::failed(prior, azure_error(&format!("reading container \"{name}\""), &e)),
        };
        let mut state = prior;
        let access = match props.access().ok().flatten() {
            Some(PublicAccessType::Blob) => "blob",
            Some(PublicAccessType::Container) => "container",
            _ => "private",
        };
        set(&mut state, "container_access_type", Value::string(access));
        set(&mut state, "metadata", map_value(props.metadata().unwrap_or_default()));
        set(&mut state, "has_immutability_policy", Value::Bool(props.has_immutability_policy().ok().flatten().unwrap_or(false)));
        set(&mut state, "has_legal_hold", Value::Bool(props.has_legal_hold().ok().flatten().unwrap_or(false)));
        set(&mut state, "id", Value::String(format!("{}/{name}", p.account_url(&account))));
        ReadResponse::found(state)
    }

    async fn create(&self, p: &AzureProvider, planned: Value, _config: &Value) -> ApplyResponse {
        let (account, name) = (text(&planned, "storage_account_name"), text(&planned, "name"));
        let created = async {
            let client = p.container(&account, &name)?;
            let options = BlobContainerClientCreateOptions {
                access: access_type(&planned)?,
                metadata: Some(string_map(attr(&planned, "metadata"))),
                ..Default::default()
            };
            client.create(Some(options)).await.map_err(|e| azure_error(&format!("creating container \"{name}\" in storage account \"{account}\""), &e))?;
            Ok::<(), Diagnostics>(())
        }
        .await;
        match created {
            Ok(()) => finish(p, planned).await,
            Err(d) => ApplyResponse::failed(None, d),
        }
    }

    /// The access type (Set Container ACL) and metadata (Set Container Metadata), each only
    /// when it changed.
    async fn update(&self, p: &AzureProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        let updated = async {
            if attr(&prior, "container_access_type") != attr(&planned, "container_access_type") {
                set_access(p, &planned).await?;
            }
            if attr(&prior, "metadata") != attr(&planned, "metadata") {
                let name = text(&planned, "name");
                let client = p.container(&text(&planned, "storage_account_name"), &name)?;
                client
                    .set_metadata(&string_map(attr(&planned, "metadata")), None)
                    .await
                    .map_err(|e| azure_error(&format!("setting the metadata of container \"{name}\""), &e))?;
            }
            Ok::<(), Diagnostics>(())
        }
        .await;
        match updated {
            Ok(()) => finish(p, planned).await,
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn delete(&self, p: &AzureProvider, prior: Value) -> ApplyResponse {
        let (account, name) = (text(&prior, "storage_account_name"), text(&prior, "name"));
        let deleted = match p.container(&account, &name) {
            Ok(client) => client.delete(None).await.map(|_| ()).or_else(|e| {
                if not_found(&e) {
                    Ok(())
                } else {
                    Err(azure_error(&format!("deleting container \"{name}\""), &e))
                }
            }),
            Err(d) => Err(d),
        };
        match deleted {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    /// Imports a container by its URL (`https://ACCOUNT.blob.core.windows.net/NAME`, or under
    /// `blob_endpoint`), the id Terraform's azurerm provider uses.
    async fn import(&self, p: &AzureProvider, id: String, mut state: Value) -> ImportResponse {
        let Some((account, name, None)) = p.parse_url(&id) else {
            return ImportResponse::failed(
                Diagnostic::error(
                    "Invalid import id",
                    format!("Expected a container URL such as https://ACCOUNT.blob.core.windows.net/CONTAINER, got \"{id}\"."),
                )
                .into(),
            );
        };
        set(&mut state, "name", Value::string(&name));
        set(&mut state, "storage_account_name", Value::string(&account));
        imported(self.read(p, state).await, || format!("There is no container \"{name}\" in storage account \"{account}\"."))
    }
}
