//! `random_bytes` (hashicorp/random 3.x): `length` random bytes from a cryptographically
//! secure generator (`rand`'s thread generator, seeded by the operating system), chosen at
//! create and shown as `base64` (standard alphabet, padded) and `hex`, both sensitive as in the
//! provider; every argument forces replacement. The 3.9 schema has no `id`. Import id: the
//! standard base64 of the bytes.

use async_trait::async_trait;
use base64::Engine as _;
use rand::RngCore;

use super::random_id::RandomProvider;
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("random_bytes").implement(&["length", "keepers", "base64", "hex"]).force_new(&["length", "keepers"]).sensitive(&["base64", "hex"]).build()
}

fn fill(state: &mut Value, bytes: &[u8]) {
    set(state, "base64", Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)));
    set(state, "hex", Value::String(hex::encode(bytes)));
}

/// `random_bytes`.
pub struct RandomBytes;

#[async_trait]
impl LogicalType<RandomProvider> for RandomBytes {
    fn name(&self) -> &'static str {
        "random_bytes"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &RandomProvider, req: PlanRequest) -> PlanResponse {
        match attr(&req.proposed_new_state, "length").as_f64() {
            Some(n) if n < 1.0 || n.fract() != 0.0 => PlanResponse::failed(error("Invalid length", "length must be a whole number of at least 1.")),
            _ => PlanResponse::planned(req.proposed_new_state),
        }
    }

    async fn create(&self, _c: &RandomProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let mut bytes = vec![0u8; attr(&state, "length").as_f64().unwrap_or(1.0).max(1.0) as usize];
        rand::rng().fill_bytes(&mut bytes);
        fill(&mut state, &bytes);
        ApplyResponse::ok(Some(state))
    }

    async fn import(&self, _c: &RandomProvider, id: String, mut state: Value) -> ImportResponse {
        match base64::engine::general_purpose::STANDARD.decode(id.as_bytes()) {
            Ok(bytes) if !bytes.is_empty() => {
                set(&mut state, "length", Value::Number(bytes.len() as f64));
                fill(&mut state, &bytes);
                ImportResponse::found(state)
            }
            _ => ImportResponse::failed(error("Invalid import id", "The id must be the bytes in standard base64, as in the base64 attribute.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn creates_length_bytes_and_imports() {
        let p = RandomProvider;
        let planned = Value::object([("length", Value::Number(16.0)), ("keepers", Value::Null), ("base64", Value::Unknown), ("hex", Value::Unknown)]);
        let r = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "random_bytes".into(),
                prior_state: None,
                planned_state: Some(planned),
                config: Value::Null,
            })
            .await;
        let s = r.new_state.unwrap();
        assert_eq!(attr(&s, "hex").as_str().unwrap().len(), 32);
        assert_eq!(attr(&s, "base64").as_str().unwrap().len(), 24);
        assert!(schema().block.attributes["base64"].sensitive && schema().block.attributes["hex"].sensitive);
        let r = p.import(ImportRequest { type_name: "random_bytes".into(), id: "AQL/".into() }).await;
        let s = r.state.unwrap();
        assert_eq!((attr(&s, "hex"), attr(&s, "length")), (&Value::string("0102ff"), &Value::Number(3.0)));
    }
}
