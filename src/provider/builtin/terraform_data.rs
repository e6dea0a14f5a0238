//! `terraform_data` with Terraform's exact semantics: `output` mirrors `input` (unknown in the
//! plan whenever `input` is new or changed), `triggers_replace` forces replacement, `id` is a
//! UUID chosen at create.

use async_trait::async_trait;

use super::{attr, replace_paths, set};
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

pub struct TerraformProvider;

#[async_trait]
impl Provider for TerraformProvider {
    async fn read(&self, req: ReadRequest) -> ReadResponse {
        ReadResponse { new_state: Some(req.prior_state), diagnostics: Default::default() }
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
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
                requires_replace = replace_paths(&schema().block, prior, &planned);
                if requires_replace.is_empty() {
                    requires_replace.push(vec![PathStep::Key("triggers_replace".into())]);
                }
                set(&mut planned, "id", Value::Unknown);
                set(&mut planned, "output", unknown_output);
            }
            Some(prior) if *attr(prior, "input") != input => set(&mut planned, "output", unknown_output),
            Some(_) => {}
        }
        PlanResponse { planned_state: planned, requires_replace, diagnostics: Default::default() }
    }

    async fn apply(&self, req: ApplyRequest) -> ApplyResponse {
        let Some(mut state) = req.planned_state else {
            return ApplyResponse::default();
        };
        if !attr(&state, "id").is_known() {
            set(&mut state, "id", Value::String(uuid::Uuid::new_v4().to_string()));
        }
        let input = attr(&state, "input").clone();
        set(&mut state, "output", input);
        ApplyResponse { new_state: Some(state), diagnostics: Default::default() }
    }

    async fn import(&self, req: ImportRequest) -> ImportResponse {
        let state = Value::object([("id", Value::String(req.id)), ("input", Value::Null), ("output", Value::Null), ("triggers_replace", Value::Null)]);
        ImportResponse { state: Some(state), diagnostics: Default::default() }
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
        let plan = p.plan(PlanRequest { type_name: "terraform_data".into(), prior_state: None, proposed_new_state: obj(Value::string("a"), Value::Null), config: Value::Null }).await;
        assert_eq!(attr(&plan.planned_state, "output"), &Value::Unknown);
        let applied = p.apply(ApplyRequest { type_name: "terraform_data".into(), prior_state: None, planned_state: Some(plan.planned_state), config: Value::Null }).await;
        let state = applied.new_state.unwrap();
        assert_eq!(attr(&state, "output"), &Value::string("a"));
        assert!(attr(&state, "id").as_str().is_some());
        // Same input: no change.
        let mut proposed = state.clone();
        let same = p.plan(PlanRequest { type_name: "terraform_data".into(), prior_state: Some(state.clone()), proposed_new_state: proposed.clone(), config: Value::Null }).await;
        assert_eq!(same.planned_state, state);
        // Input changes: output unknown, no replacement.
        set(&mut proposed, "input", Value::string("b"));
        let upd = p.plan(PlanRequest { type_name: "terraform_data".into(), prior_state: Some(state.clone()), proposed_new_state: proposed.clone(), config: Value::Null }).await;
        assert_eq!(attr(&upd.planned_state, "output"), &Value::Unknown);
        assert!(upd.requires_replace.is_empty());
        // Trigger changes: replacement.
        set(&mut proposed, "triggers_replace", Value::string("t"));
        let rep = p.plan(PlanRequest { type_name: "terraform_data".into(), prior_state: Some(state), proposed_new_state: proposed, config: Value::Null }).await;
        assert_eq!(rep.requires_replace.len(), 1);
    }
}
