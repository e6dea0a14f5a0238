//! `null_resource` (hashicorp/null 3.x): does nothing; a change to `triggers` replaces it; `id`
//! is a random non-negative number chosen at create; no import, as in the provider. Also the
//! `null` provider's client and registration list (the data source is `null_data_source.rs`).

use async_trait::async_trait;
use rand::Rng;

use crate::provider::helpers::{error, set};
use crate::provider::kit::{table, SimpleFactory};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The `null` provider's client: nothing to configure.
#[derive(Default)]
pub struct NullProvider;

impl Dispatch for NullProvider {
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<NullProvider>> = std::sync::OnceLock::new();
        table(&TYPES, || Types::new(&[&NullResource], &[&super::null_data_source::NullDataSource]))
    }
}

/// The `null` provider's factory.
pub fn factory() -> SimpleFactory<NullProvider> {
    SimpleFactory::new("null")
}

/// A random non-negative 63-bit number as a string, as Go's `rand.Int()` gives.
pub fn random_number() -> String {
    rand::rng().random_range(0..=i64::MAX).to_string()
}

pub fn schema() -> ResourceSchema {
    resource("null_resource").implement(&["triggers", "id"]).force_new(&["triggers"]).build()
}

/// `null_resource`.
pub struct NullResource;

#[async_trait]
impl LogicalType<NullProvider> for NullResource {
    fn name(&self) -> &'static str {
        "null_resource"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn create(&self, _c: &NullProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        set(&mut state, "id", Value::String(random_number()));
        ApplyResponse::ok(Some(state))
    }

    async fn import(&self, _c: &NullProvider, _id: String, _blank: Value) -> ImportResponse {
        ImportResponse::failed(error("Import not supported", "null_resource cannot be imported, as in the null provider."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::helpers::attr;

    #[tokio::test]
    async fn creates_with_a_random_number_id_and_refuses_import() {
        let p = NullProvider;
        let planned = Value::object([("triggers", Value::Null), ("id", Value::Unknown)]);
        let s = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "null_resource".into(),
                prior_state: None,
                planned_state: Some(planned),
                config: Value::Null,
            })
            .await
            .new_state
            .unwrap();
        assert!(attr(&s, "id").as_str().unwrap().parse::<i64>().unwrap() >= 0);
        assert!(schema().block.attributes["triggers"].force_new);
        assert!(p.import(ImportRequest { type_name: "null_resource".into(), id: "1".into() }).await.diagnostics.has_errors());
    }
}
