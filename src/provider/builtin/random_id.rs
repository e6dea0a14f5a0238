//! `random_id` (hashicorp/random 3.x): random bytes chosen at create, shown as base64 (URL and
//! standard), hex and decimal; `prefix` is prepended to hex and dec. Also the `random`
//! provider's driver, which dispatches the other `random_*` types to their own files.

use async_trait::async_trait;
use base64::Engine as _;
use rand::RngCore;

use crate::provider::helpers::{attr, error, set};
use crate::provider::kit::{table, SimpleFactory};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let f = |a: AttributeSchema| a.force_new();
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("byte_length", f(AttributeSchema::required().typed(AttrType::Number))),
            ("prefix", f(AttributeSchema::optional().typed(AttrType::String))),
            ("keepers", f(AttributeSchema::optional().typed(AttrType::MapOfString))),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("b64_url", AttributeSchema::computed().typed(AttrType::String)),
            ("b64_std", AttributeSchema::computed().typed(AttrType::String)),
            ("hex", AttributeSchema::computed().typed(AttrType::String)),
            ("dec", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

/// Big-endian bytes as a decimal string.
fn decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0];
    for &b in bytes {
        let mut carry = b as u32;
        for d in digits.iter_mut() {
            let x = *d as u32 * 256 + carry;
            *d = (x % 10) as u8;
            carry = x / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    digits.iter().rev().map(|d| (b'0' + d) as char).collect()
}

/// Fills the computed attributes from the bytes.
fn fill(state: &mut Value, bytes: &[u8]) {
    let prefix = attr(state, "prefix").as_str().unwrap_or("").to_string();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    set(state, "id", Value::String(url.clone()));
    set(state, "b64_url", Value::String(url));
    set(state, "b64_std", Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)));
    set(state, "hex", Value::String(format!("{prefix}{}", hex::encode(bytes))));
    set(state, "dec", Value::String(format!("{prefix}{}", decimal(bytes))));
}

/// The `random` provider's client: nothing to configure.
#[derive(Default)]
pub struct RandomProvider;

impl Dispatch for RandomProvider {
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<RandomProvider>> = std::sync::OnceLock::new();
        use super::{random_bytes::RandomBytes, random_integer::RandomInteger, random_password::RandomPassword, random_pet::RandomPet};
        use super::{random_shuffle::RandomShuffle, random_string::RandomString, random_uuid::RandomUuid};
        table(&TYPES, || Types::new(&[&RandomId, &RandomPet, &RandomString, &RandomPassword, &RandomInteger, &RandomUuid, &RandomShuffle, &RandomBytes], &[]))
    }
}

/// The `random` provider's factory.
pub fn factory() -> SimpleFactory<RandomProvider> {
    SimpleFactory::new("random")
}

/// `random_id`.
pub struct RandomId;

#[async_trait]
impl LogicalType<RandomProvider> for RandomId {
    fn name(&self) -> &'static str {
        "random_id"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &RandomProvider, req: PlanRequest) -> PlanResponse {
        match attr(&req.proposed_new_state, "byte_length").as_f64() {
            Some(n) if n >= 1.0 && n.fract() == 0.0 => PlanResponse::planned(req.proposed_new_state),
            Some(_) => PlanResponse::failed(error("Invalid byte_length", "byte_length must be a whole number of at least 1.")),
            None => PlanResponse::planned(req.proposed_new_state),
        }
    }

    async fn create(&self, _c: &RandomProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let n = attr(&state, "byte_length").as_f64().unwrap_or(8.0) as usize;
        let mut bytes = vec![0u8; n];
        rand::rng().fill_bytes(&mut bytes);
        fill(&mut state, &bytes);
        ApplyResponse::ok(Some(state))
    }

    async fn import(&self, _c: &RandomProvider, id: String, mut state: Value) -> ImportResponse {
        let bytes = match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id.as_bytes()) {
            Ok(b) => b,
            Err(e) => return ImportResponse::failed(error("Invalid import id", format!("The id must be the b64_url value of the random_id: {e}."))),
        };
        set(&mut state, "byte_length", Value::Number(bytes.len() as f64));
        fill(&mut state, &bytes);
        ImportResponse::found(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_hashicorp_random() {
        let mut v = Value::object([("prefix", Value::string("p-"))]);
        fill(&mut v, &[0x01, 0x02, 0xff]);
        assert_eq!(attr(&v, "b64_url"), &Value::string("AQL_"));
        assert_eq!(attr(&v, "b64_std"), &Value::string("AQL/"));
        assert_eq!(attr(&v, "hex"), &Value::string("p-0102ff"));
        assert_eq!(attr(&v, "dec"), &Value::string("p-66303"));
    }

    #[tokio::test]
    async fn import_round_trips() {
        let r = RandomProvider.import(ImportRequest { type_name: "random_id".into(), id: "AQL_".into() }).await;
        assert_eq!(attr(r.state.as_ref().unwrap(), "hex"), &Value::string("0102ff"));
    }
}
