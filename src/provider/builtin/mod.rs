//! The built-in providers, compiled in so the embedded default works offline: `terraform`
//! (`terraform_data`), `local` (`local_file`), `random` (`random_id`, `random_string`), plus the
//! strict in-memory `test` driver for engine tests (not registered by default).
//! One file per resource type; this module holds the factories and shared helpers.

pub mod local_file;
pub mod random_id;
pub mod random_string;
pub mod terraform_data;
pub mod testing;

use std::sync::Arc;

use async_trait::async_trait;

use super::{BlockSchema, Provider, ProviderFactory, ProviderSchema, ResourceSchema};
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::{AttrPath, PathStep, Value};

/// Every built-in provider factory except the test driver.
pub fn factories() -> Vec<Arc<dyn ProviderFactory>> {
    vec![
        Arc::new(SimpleFactory::new("terraform", [("terraform_data", terraform_data::schema())], || Arc::new(terraform_data::TerraformProvider))),
        Arc::new(SimpleFactory::new("local", [("local_file", local_file::schema())], || Arc::new(local_file::LocalProvider))),
        Arc::new(super::aws::AwsFactory::new()),
        Arc::new(SimpleFactory::new(
            "random",
            [("random_id", random_id::schema()), ("random_string", random_string::schema())],
            || Arc::new(random_id::RandomProvider),
        )),
    ]
}

/// A factory for a provider with no configuration of its own.
pub struct SimpleFactory {
    name: &'static str,
    schema: ProviderSchema,
    make: fn() -> Arc<dyn Provider>,
}

impl SimpleFactory {
    pub fn new<const N: usize>(name: &'static str, resources: [(&str, ResourceSchema); N], make: fn() -> Arc<dyn Provider>) -> SimpleFactory {
        SimpleFactory {
            name,
            schema: ProviderSchema {
                provider: BlockSchema::default(),
                resources: resources.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                data_sources: Default::default(),
            },
            make,
        }
    }
}

#[async_trait]
impl ProviderFactory for SimpleFactory {
    fn name(&self) -> &'static str {
        self.name
    }
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }
    async fn configure(&self, _config: Value) -> Result<Arc<dyn Provider>, Diagnostics> {
        Ok((self.make)())
    }
}

/// An attribute of an object value (Null when absent).
pub(crate) fn attr<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get_attr(name).unwrap_or(&Value::Null)
}

/// Sets an attribute on an object value.
pub(crate) fn set(v: &mut Value, name: &str, x: Value) {
    if let Value::Map(m) = v {
        Arc::make_mut(m).insert(name.to_string(), x);
    }
}

/// The force-new attributes whose planned value differs from the prior one.
pub(crate) fn replace_paths(schema: &BlockSchema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
    schema
        .attributes
        .iter()
        .filter(|(name, a)| a.force_new && attr(prior, name) != attr(planned, name))
        .map(|(name, _)| vec![PathStep::Key(name.clone())])
        .collect()
}

/// Fills optional+computed attributes left null with their defaults.
pub(crate) fn defaults(v: &mut Value, pairs: &[(&str, Value)]) {
    for (name, d) in pairs {
        if attr(v, name).is_null() {
            set(v, name, d.clone());
        }
    }
}

pub(crate) fn error(summary: &str, detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error(summary, detail).into()
}
