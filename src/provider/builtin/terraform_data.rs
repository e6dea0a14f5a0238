//! `terraform_data` with Terraform's exact semantics: `output` mirrors `input` (unknown in the
//! plan whenever `input` is new or changed), `triggers_replace` forces replacement, `id` is a
//! UUID chosen at create.

use async_trait::async_trait;

use crate::provider::helpers::{attr, set};
use crate::provider::kit::{table, SimpleFactory};
use crate::provider::*;
use crate::value::{PathStep, Value};

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("input", AttributeSchema::optional()),
            ("output", AttributeSchema::computed()),
            ("triggers_replace", AttributeSchema::optional()),
        ]),
    }
}

/// The `terraform` provider's client: nothing to configure.
#[derive(Default)]
pub struct TerraformProvider;

impl Dispatch for TerraformProvider {
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<TerraformProvider>> = std::sync::OnceLock::new();
        table(&TYPES, || Types::new(&[&TerraformData], &[&super::terraform_remote_state::RemoteStateData]))
    }
}

/// The `terraform` provider's factory.
pub fn factory() -> SimpleFactory<TerraformProvider> {
    SimpleFactory::new("terraform")
}

/// `terraform_data`.
pub struct TerraformData;

#[async_trait]
impl LogicalType<TerraformProvider> for TerraformData {
    fn name(&self) -> &'static str {
        "terraform_data"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &TerraformProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let input = attr(&planned, "input").clone();
        let unknown_output = if input.is_null() { Value::Null } else { Value::Unknown };
        let mut requires_replace = Vec::new();
        match &req.prior_state {
            None => {
                set(&mut planned, "id", Value::Unknown);
                set(&mut planned, "output", unknown_output);
            }
            Some(prior) if attr(prior, "triggers_replace") != attr(&planned, "triggers_replace") => {
                requires_replace.push(vec![PathStep::Key("triggers_replace".into())]);
                set(&mut planned, "id", Value::Unknown);
                set(&mut planned, "output", unknown_output);
            }
            Some(prior) if *attr(prior, "input") != input => set(&mut planned, "output", unknown_output),
            Some(_) => {}
        }
        PlanResponse { planned_state: planned, requires_replace, diagnostics: Default::default() }
    }

    async fn create(&self, c: &TerraformProvider, planned: Value, config: &Value) -> ApplyResponse {
        LogicalType::update(self, c, Value::Null, planned, config).await
    }

    async fn update(&self, _c: &TerraformProvider, _prior: Value, mut state: Value, _config: &Value) -> ApplyResponse {
        if !attr(&state, "id").is_known() {
            set(&mut state, "id", Value::String(uuid::Uuid::new_v4().to_string()));
        }
        let input = attr(&state, "input").clone();
        set(&mut state, "output", input);
        ApplyResponse::ok(Some(state))
    }

    /// Any id imports, as in Terraform: the object has only its id.
    async fn import(&self, _c: &TerraformProvider, id: String, mut blank: Value) -> ImportResponse {
        set(&mut blank, "id", Value::String(id));
        ImportResponse::found(blank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(input: Value, trig: Value) -> Value {
        Value::object([("id", Value::Null), ("input", input), ("output", Value::Null), ("triggers_replace", trig)])
    }

    #[tokio::test]
    async fn create_update_replace() {
        let p = TerraformProvider;
        let plan = p
            .plan(PlanRequest {
                type_name: "terraform_data".into(),
                prior_state: None,
                proposed_new_state: obj(Value::string("a"), Value::Null),
                config: Value::Null,
            })
            .await;
        assert_eq!(attr(&plan.planned_state, "output"), &Value::Unknown);
        let applied = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "terraform_data".into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: Value::Null,
            })
            .await;
        let state = applied.new_state.unwrap();
        assert_eq!(attr(&state, "output"), &Value::string("a"));
        assert!(attr(&state, "id").as_str().is_some());
        // Same input: no change.
        let mut proposed = state.clone();
        let same = p
            .plan(PlanRequest {
                type_name: "terraform_data".into(),
                prior_state: Some(state.clone()),
                proposed_new_state: proposed.clone(),
                config: Value::Null,
            })
            .await;
        assert_eq!(same.planned_state, state);
        // Input changes: output unknown, no replacement.
        set(&mut proposed, "input", Value::string("b"));
        let upd = p
            .plan(PlanRequest {
                type_name: "terraform_data".into(),
                prior_state: Some(state.clone()),
                proposed_new_state: proposed.clone(),
                config: Value::Null,
            })
            .await;
        assert_eq!(attr(&upd.planned_state, "output"), &Value::Unknown);
        assert!(upd.requires_replace.is_empty());
        // Trigger changes: replacement.
        set(&mut proposed, "triggers_replace", Value::string("t"));
        let rep = p.plan(PlanRequest { type_name: "terraform_data".into(), prior_state: Some(state), proposed_new_state: proposed, config: Value::Null }).await;
        assert_eq!(rep.requires_replace.len(), 1);
    }
}
