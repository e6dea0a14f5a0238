//! `random_string` (hashicorp/random 3.x): a random string of `length` characters from the
//! enabled classes, honouring the `min_*` counts; chosen at create, kept until a force-new
//! argument (all of them) changes.

use rand::seq::SliceRandom;
use rand::Rng;

use async_trait::async_trait;

use super::random_id::RandomProvider;
use crate::provider::helpers::{attr, defaults, error, set};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let f = |a: AttributeSchema| a.force_new();
    ResourceSchema {
        version: 2,
        block: BlockSchema::new([
            ("length", f(AttributeSchema::required().typed(AttrType::Number))),
            ("special", f(AttributeSchema::optional_computed().typed(AttrType::Bool))),
            ("upper", f(AttributeSchema::optional_computed().typed(AttrType::Bool))),
            ("lower", f(AttributeSchema::optional_computed().typed(AttrType::Bool))),
            ("numeric", f(AttributeSchema::optional_computed().typed(AttrType::Bool))),
            ("min_special", f(AttributeSchema::optional_computed().typed(AttrType::Number))),
            ("min_upper", f(AttributeSchema::optional_computed().typed(AttrType::Number))),
            ("min_lower", f(AttributeSchema::optional_computed().typed(AttrType::Number))),
            ("min_numeric", f(AttributeSchema::optional_computed().typed(AttrType::Number))),
            ("override_special", f(AttributeSchema::optional().typed(AttrType::String))),
            ("keepers", f(AttributeSchema::optional().typed(AttrType::MapOfString))),
            ("result", AttributeSchema::computed().typed(AttrType::String)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

const DEFAULT_SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

fn num(v: &Value, name: &str) -> usize {
    attr(v, name).as_f64().unwrap_or(0.0).max(0.0) as usize
}

fn plan(req: PlanRequest) -> PlanResponse {
    let mut planned = req.proposed_new_state;
    let t = Value::Bool(true);
    let z = Value::Number(0.0);
    defaults(
        &mut planned,
        &[
            ("special", t.clone()),
            ("upper", t.clone()),
            ("lower", t.clone()),
            ("numeric", t),
            ("min_special", z.clone()),
            ("min_upper", z.clone()),
            ("min_lower", z.clone()),
            ("min_numeric", z),
        ],
    );
    if let Some(len) = attr(&planned, "length").as_f64() {
        let mins: usize = ["min_special", "min_upper", "min_lower", "min_numeric"].iter().map(|k| num(&planned, k)).sum();
        if len < 1.0 || (len as usize) < mins {
            return PlanResponse::failed(error(
                "Invalid length",
                format!("length ({len}) must be at least 1 and at least the sum of the min_* values ({mins})."),
            ));
        }
    }
    PlanResponse::planned(planned)
}

/// Generates the string for a configuration.
pub fn generate(v: &Value) -> String {
    let special = attr(v, "override_special").as_str().unwrap_or(DEFAULT_SPECIAL).to_string();
    let classes: [(&str, &str, String); 4] = [
        ("lower", "min_lower", "abcdefghijklmnopqrstuvwxyz".into()),
        ("upper", "min_upper", "ABCDEFGHIJKLMNOPQRSTUVWXYZ".into()),
        ("numeric", "min_numeric", "0123456789".into()),
        ("special", "min_special", special),
    ];
    let mut rng = rand::rng();
    let mut out: Vec<char> = Vec::new();
    let mut all: Vec<char> = Vec::new();
    for (flag, min, chars) in &classes {
        let chars: Vec<char> = chars.chars().collect();
        if attr(v, flag).as_bool() != Some(false) && !chars.is_empty() {
            all.extend(&chars);
            for _ in 0..num(v, min) {
                out.push(chars[rng.random_range(0..chars.len())]);
            }
        }
    }
    let len = num(v, "length");
    while out.len() < len && !all.is_empty() {
        out.push(all[rng.random_range(0..all.len())]);
    }
    out.shuffle(&mut rng);
    out.into_iter().collect()
}

/// `random_string`.
pub struct RandomString;

#[async_trait]
impl LogicalType<RandomProvider> for RandomString {
    fn name(&self) -> &'static str {
        "random_string"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &RandomProvider, req: PlanRequest) -> PlanResponse {
        plan(req)
    }

    async fn create(&self, _c: &RandomProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let s = generate(&state);
        set(&mut state, "result", Value::String(s.clone()));
        set(&mut state, "id", Value::String(s));
        ApplyResponse::ok(Some(state))
    }

    async fn import(&self, _c: &RandomProvider, s: String, mut state: Value) -> ImportResponse {
        let has = |f: fn(&char) -> bool| Value::Bool(s.chars().any(|c| f(&c)));
        set(&mut state, "length", Value::Number(s.chars().count() as f64));
        set(&mut state, "lower", has(char::is_ascii_lowercase));
        set(&mut state, "upper", has(char::is_ascii_uppercase));
        set(&mut state, "numeric", has(char::is_ascii_digit));
        set(&mut state, "special", has(|c| !c.is_ascii_alphanumeric()));
        for m in ["min_special", "min_upper", "min_lower", "min_numeric"] {
            set(&mut state, m, Value::Number(0.0));
        }
        set(&mut state, "result", Value::String(s.clone()));
        set(&mut state, "id", Value::String(s));
        ImportResponse::found(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honours_classes_and_minimums() {
        let v = Value::object([
            ("length", Value::Number(12.0)),
            ("special", Value::Bool(false)),
            ("upper", Value::Bool(false)),
            ("min_numeric", Value::Number(5.0)),
        ]);
        for _ in 0..50 {
            let s = generate(&v);
            assert_eq!(s.len(), 12);
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{s}");
            assert!(s.chars().filter(char::is_ascii_digit).count() >= 5, "{s}");
        }
    }

    #[test]
    fn length_below_minimums_is_an_error() {
        let mut v = Value::Map(std::sync::Arc::new(schema().block.attributes.keys().map(|k| (k.clone(), Value::Null)).collect()));
        set(&mut v, "length", Value::Number(2.0));
        set(&mut v, "min_upper", Value::Number(3.0));
        let r = plan(PlanRequest { type_name: "random_string".into(), prior_state: None, proposed_new_state: v, config: Value::Null });
        assert!(r.diagnostics.has_errors());
    }
}
