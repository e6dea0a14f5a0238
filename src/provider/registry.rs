//! The registry of compiled-in providers: maps a provider's local name to its factory.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{ProviderFactory, ResourceSchema};

#[derive(Clone, Default)]
pub struct Registry {
    factories: BTreeMap<&'static str, Arc<dyn ProviderFactory>>,
}

impl Registry {
    /// An empty registry (tests add their own drivers).
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// Every compiled-in provider.
    pub fn builtin() -> Registry {
        let mut r = Registry::empty();
        for f in super::builtin::factories() {
            r.register(f);
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

    /// The schema of a managed resource type, if any provider has it.
    pub fn resource_schema(&self, type_name: &str) -> Option<&ResourceSchema> {
        self.get(provider_for_type(type_name))?.schema().resources.get(type_name)
    }

    /// The schema of a data source type, if any provider has it.
    pub fn data_schema(&self, type_name: &str) -> Option<&ResourceSchema> {
        self.get(provider_for_type(type_name))?.schema().data_sources.get(type_name)
    }
}

/// Terraform's implied provider of a resource type: the prefix before the first underscore.
pub fn provider_for_type(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}
