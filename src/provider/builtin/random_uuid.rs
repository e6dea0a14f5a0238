//! `random_uuid` (hashicorp/random 3.x): a random UUID chosen at create, in `result` and `id`,
//! kept until `keepers` changes; import id: the UUID. skyform generates a version 4 UUID (the
//! Go provider formats 16 random bytes without setting the version bits; both are 36
//! lowercase hex-and-dash characters).

use async_trait::async_trait;

use super::random_id::RandomProvider;
use crate::provider::helpers::{error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("random_uuid").implement(&["keepers", "result", "id"]).force_new(&["keepers"]).build()
}

fn fill(state: &mut Value, uuid: uuid::Uuid) {
    let s = uuid.hyphenated().to_string();
    set(state, "result", Value::String(s.clone()));
    set(state, "id", Value::String(s));
}

/// `random_uuid`.
pub struct RandomUuid;

#[async_trait]
impl LogicalType<RandomProvider> for RandomUuid {
    fn name(&self) -> &'static str {
        "random_uuid"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn create(&self, _c: &RandomProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        fill(&mut state, uuid::Uuid::new_v4());
        ApplyResponse::ok(Some(state))
    }

    async fn import(&self, _c: &RandomProvider, id: String, mut state: Value) -> ImportResponse {
        match uuid::Uuid::try_parse(&id) {
            Ok(u) if id.len() == 36 => {
                fill(&mut state, u);
                ImportResponse::found(state)
            }
            _ => ImportResponse::failed(error(
                "Invalid import id",
                format!("{id:?} is not a UUID (36 characters, such as 6f9619ff-8b86-d011-b42d-00c04fc964ff)."),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::helpers::attr;

    #[tokio::test]
    async fn creates_v4_and_imports_normalised() {
        let p = RandomProvider;
        let planned = Value::object([("keepers", Value::Null), ("result", Value::Unknown), ("id", Value::Unknown)]);
        let r = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "random_uuid".into(),
                prior_state: None,
                planned_state: Some(planned),
                config: Value::Null,
            })
            .await;
        let s = r.new_state.unwrap();
        let id = attr(&s, "id").as_str().unwrap();
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
        assert_eq!(attr(&s, "result"), attr(&s, "id"));
        let r = p.import(ImportRequest { type_name: "random_uuid".into(), id: "6F9619FF-8B86-D011-B42D-00C04FC964FF".into() }).await;
        assert_eq!(attr(r.state.as_ref().unwrap(), "result"), &Value::string("6f9619ff-8b86-d011-b42d-00c04fc964ff"));
        assert!(p.import(ImportRequest { type_name: "random_uuid".into(), id: "nope".into() }).await.diagnostics.has_errors());
    }
}
