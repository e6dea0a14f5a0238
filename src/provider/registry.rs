//! The registry of compiled-in providers: maps a provider's local name to its factory, and
//! tells, for any resource type or data source, whether skyform implements it, knows it from
//! the provider's published schema only, or does not know it at all.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::{Provider, ProviderFactory, ProviderSchema, ResourceSchema};
use crate::addr::ResourceMode;
use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::generated::{self, Kind};
use crate::value::Value;

#[derive(Clone, Default)]
pub struct Registry {
    factories: BTreeMap<&'static str, Arc<dyn ProviderFactory>>,
}

/// What skyform knows of a resource type or data source.
pub enum TypeSupport<'a> {
    /// A driver implements it; its schema (the provider's, with the driver's behaviour).
    Implemented(&'a ResourceSchema),
    /// In the provider's published schema, not implemented yet: arguments can be checked, but
    /// no instance can be planned.
    Known(&'static ResourceSchema),
    /// No provider skyform knows has it.
    Unknown,
}

impl Registry {
    /// An empty registry (tests add their own drivers).
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// Every compiled-in provider (the strict test driver is registered by tests only), and a
    /// schema-only entry for every other provider whose published schema skyform carries.
    pub fn builtin() -> Registry {
        use super::builtin::{archive_file, external, http, local_file, null_resource, random_id, terraform_data, time_static, tls_private_key};
        let mut r = Registry::empty();
        let all: Vec<Arc<dyn ProviderFactory>> = vec![
            Arc::new(terraform_data::factory()),
            Arc::new(archive_file::factory()),
            Arc::new(external::factory()),
            Arc::new(http::factory()),
            Arc::new(tls_private_key::factory()),
            Arc::new(local_file::factory()),
            Arc::new(random_id::factory()),
            Arc::new(null_resource::factory()),
            Arc::new(time_static::factory()),
            #[cfg(feature = "aws")]
            Arc::new(super::aws::AwsFactory::new()),
            #[cfg(feature = "azure")]
            Arc::new(super::azure::AzureFactory::new()),
            #[cfg(feature = "google")]
            Arc::new(super::google::GoogleFactory::new()),
            #[cfg(feature = "aws")]
            Arc::new(super::digitalocean::DigitalOceanFactory::new()),
        ];
        for f in all {
            r.register(f);
        }
        for name in generated::providers() {
            if r.get(name).is_none() {
                r.register(Arc::new(SchemaOnly::new(name)));
            }
        }
        r
    }

    pub fn register(&mut self, factory: Arc<dyn ProviderFactory>) {
        self.factories.insert(factory.name(), factory);
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn ProviderFactory>> {
        self.factories.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &&'static str> {
        self.factories.keys()
    }

    /// The schema of a managed resource type a driver implements.
    pub fn resource_schema(&self, type_name: &str) -> Option<&ResourceSchema> {
        self.get(provider_for_type(type_name))?.schema().resources.get(type_name)
    }

    /// The schema of a data source a driver implements.
    pub fn data_schema(&self, type_name: &str) -> Option<&ResourceSchema> {
        self.get(provider_for_type(type_name))?.schema().data_sources.get(type_name)
    }

    /// Whether a type is implemented, known from its provider's schema, or unknown.
    pub fn lookup(&self, mode: ResourceMode, type_name: &str) -> TypeSupport<'_> {
        let (own, kind) = match mode {
            ResourceMode::Managed => (self.resource_schema(type_name), Kind::Resource),
            ResourceMode::Data => (self.data_schema(type_name), Kind::Data),
        };
        if let Some(s) = own {
            return TypeSupport::Implemented(s);
        }
        match generated::schema(provider_for_type(type_name), kind, type_name) {
            Some(s) => TypeSupport::Known(s),
            None => TypeSupport::Unknown,
        }
    }
}

impl crate::schema::SchemaSource for Registry {
    fn block(&self, data: bool, type_name: &str) -> Option<&crate::schema::BlockSchema> {
        let s = if data { self.data_schema(type_name) } else { self.resource_schema(type_name) };
        s.map(|s| &s.block)
    }
}

pub use crate::schema::provider_for_type;

/// The cargo feature a provider's driver is compiled in with, when this build was made
/// without it (its types are then known from the schema only).
pub fn compiled_out(provider: &str) -> Option<&'static str> {
    match provider {
        "aws" | "digitalocean" if !cfg!(feature = "aws") => Some("aws"),
        "azurerm" if !cfg!(feature = "azure") => Some("azure"),
        "google" if !cfg!(feature = "google") => Some("google"),
        _ => None,
    }
}

/// A provider skyform knows only from its published schema (a provider newly added to
/// `src/schema/generated` starts here): its `provider` block is checked against that schema,
/// and it implements no type yet.
struct SchemaOnly {
    name: &'static str,
    schema: std::sync::OnceLock<ProviderSchema>,
}

impl SchemaOnly {
    fn new(name: &'static str) -> SchemaOnly {
        SchemaOnly { name, schema: std::sync::OnceLock::new() }
    }
}

#[async_trait]
impl ProviderFactory for SchemaOnly {
    fn name(&self) -> &'static str {
        self.name
    }
    fn schema(&self) -> &ProviderSchema {
        self.schema.get_or_init(|| ProviderSchema {
            provider: generated::provider_block(self.name).unwrap_or_default(),
            resources: BTreeMap::new(),
            data_sources: BTreeMap::new(),
        })
    }
    async fn configure(&self, _config: Value) -> Result<Arc<dyn Provider>, Diagnostics> {
        Ok(Arc::new(NoTypes(self.name)))
    }
}

/// The driver of a schema-only provider: every call says the type is not implemented (the
/// engine does not send any: it stops at planning such a type).
struct NoTypes(&'static str);

impl NoTypes {
    fn error(&self, type_name: &str) -> Diagnostics {
        Diagnostic::error("Resource type not implemented yet", format!("skyform does not implement {type_name} of the {} provider yet.", self.0)).into()
    }
}

#[async_trait]
impl Provider for NoTypes {
    async fn read(&self, req: super::ReadRequest) -> super::ReadResponse {
        super::ReadResponse::failed(req.prior_state, self.error(&req.type_name))
    }
    async fn plan(&self, req: super::PlanRequest) -> super::PlanResponse {
        super::PlanResponse::failed(self.error(&req.type_name))
    }
    async fn apply(&self, req: super::ApplyRequest) -> super::ApplyResponse {
        super::ApplyResponse::failed(req.prior_state, self.error(&req.type_name))
    }
}
