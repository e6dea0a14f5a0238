//! Data source `null_data_source` (hashicorp/null 3.x, deprecated there): `outputs` copies
//! `inputs`, `random` is a fresh random number on every read, `has_computed_default` is
//! `"default"` unless set, `id` is `static`.

use async_trait::async_trait;

use super::null_resource::{random_number, NullProvider};
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("null_data_source").implement(&["inputs", "outputs", "random", "has_computed_default", "id"]).build()
}

/// `null_data_source`.
pub struct NullDataSource;

#[async_trait]
impl DataSourceType<NullProvider> for NullDataSource {
    fn name(&self) -> &'static str {
        "null_data_source"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, _c: &NullProvider, config: Value) -> ReadDataResponse {
        let mut state = schema().block.normalize(config);
        let inputs = attr(&state, "inputs").clone();
        set(&mut state, "outputs", inputs);
        set(&mut state, "random", Value::String(random_number()));
        if attr(&state, "has_computed_default").is_null() {
            set(&mut state, "has_computed_default", Value::string("default"));
        }
        set(&mut state, "id", Value::string("static"));
        ReadDataResponse::found(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn copies_inputs_and_fills_defaults() {
        let inputs = Value::object([("a", Value::string("b"))]);
        let r = NullProvider.read_data(ReadDataRequest { type_name: "null_data_source".into(), config: Value::object([("inputs", inputs.clone())]) }).await;
        let s = r.state;
        assert_eq!(attr(&s, "outputs"), &inputs);
        assert_eq!((attr(&s, "has_computed_default"), attr(&s, "id")), (&Value::string("default"), &Value::string("static")));
        assert!(attr(&s, "random").as_str().unwrap().parse::<u64>().is_ok());
    }
}
