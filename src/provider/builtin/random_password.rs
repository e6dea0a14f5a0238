//! `random_password` (hashicorp/random 3.x): `random_string`'s generator and defaults with the
//! result sensitive, plus `bcrypt_hash` (sensitive): a real bcrypt hash, cost 10 and the `$2a$`
//! prefix as Go's `bcrypt.DefaultCost` writes it, of the first 72 bytes of the result (as the
//! provider truncates). `id` is `none`; the deprecated `number` mirrors `numeric`; every
//! argument forces replacement. Import id: the password itself.

use async_trait::async_trait;

use super::random_id::RandomProvider;
use super::random_string::{generate, RandomString};
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const ARGS: [&str; 12] =
    ["length", "special", "upper", "lower", "numeric", "number", "min_special", "min_upper", "min_lower", "min_numeric", "override_special", "keepers"];

/// Optional arguments with a provider default, applied whenever the configuration omits them.
const DEFAULTED: [&str; 8] = ["special", "upper", "lower", "numeric", "min_special", "min_upper", "min_lower", "min_numeric"];

pub fn schema() -> ResourceSchema {
    let mut names = ARGS.to_vec();
    names.extend(["result", "bcrypt_hash", "id"]);
    resource("random_password").implement(&names).force_new(&ARGS).sensitive(&["result", "bcrypt_hash"]).version(3).build()
}

/// The bcrypt hash the provider stores for a password.
fn bcrypt_hash(password: &str) -> Result<String, String> {
    let bytes = &password.as_bytes()[..password.len().min(72)];
    bcrypt::hash_with_result(bytes, 10).map(|h| h.format_for_version(bcrypt::Version::TwoA)).map_err(|e| e.to_string())
}

/// `random_password`.
pub struct RandomPassword;

#[async_trait]
impl LogicalType<RandomProvider> for RandomPassword {
    fn name(&self) -> &'static str {
        "random_password"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    /// `random_string`'s plan, with the provider's defaults for every flag and minimum left
    /// out of the configuration (not the prior value), and `number` and `numeric` kept equal.
    fn plan(&self, c: &RandomProvider, mut req: PlanRequest) -> PlanResponse {
        let (number, numeric) = (attr(&req.config, "number").clone(), attr(&req.config, "numeric").clone());
        if !number.is_null() && !numeric.is_null() && number.is_known() && numeric.is_known() && number != numeric {
            return PlanResponse::failed(error("Conflicting arguments", "number (deprecated) and numeric must be equal when both are set."));
        }
        for name in DEFAULTED {
            if attr(&req.config, name).is_null() {
                set(&mut req.proposed_new_state, name, Value::Null);
            }
        }
        set(&mut req.proposed_new_state, "numeric", if numeric.is_null() { number } else { numeric });
        let mut r = LogicalType::plan(&RandomString, c, req);
        let numeric = attr(&r.planned_state, "numeric").clone();
        set(&mut r.planned_state, "number", numeric);
        r
    }

    async fn create(&self, _c: &RandomProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let password = generate(&state);
        match bcrypt_hash(&password) {
            Ok(h) => set(&mut state, "bcrypt_hash", Value::String(h)),
            Err(e) => return ApplyResponse::failed(None, error("Hash generation error", e)),
        }
        set(&mut state, "result", Value::String(password));
        set(&mut state, "id", Value::string("none"));
        ApplyResponse::ok(Some(state))
    }

    /// As the provider: every class enabled, no minimums, the length of the given password.
    async fn import(&self, _c: &RandomProvider, password: String, mut state: Value) -> ImportResponse {
        let hash = match bcrypt_hash(&password) {
            Ok(h) => h,
            Err(e) => return ImportResponse::failed(error("Hash generation error", e)),
        };
        set(&mut state, "length", Value::Number(password.len() as f64));
        for flag in ["special", "upper", "lower", "numeric", "number"] {
            set(&mut state, flag, Value::Bool(true));
        }
        for m in ["min_special", "min_upper", "min_lower", "min_numeric"] {
            set(&mut state, m, Value::Number(0.0));
        }
        set(&mut state, "bcrypt_hash", Value::String(hash));
        set(&mut state, "result", Value::String(password));
        set(&mut state, "id", Value::string("none"));
        ImportResponse::found(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plans_like_random_string_and_hashes_the_result() {
        let p = RandomProvider;
        let mut cfg = crate::provider::helpers::blank(&schema().block);
        set(&mut cfg, "length", Value::Number(20.0));
        set(&mut cfg, "number", Value::Bool(false));
        let plan = p.plan(PlanRequest { type_name: "random_password".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        let planned = plan.planned_state;
        assert_eq!((attr(&planned, "numeric"), attr(&planned, "special")), (&Value::Bool(false), &Value::Bool(true)));
        assert_eq!(attr(&planned, "bcrypt_hash"), &Value::Unknown);
        let s = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "random_password".into(),
                prior_state: None,
                planned_state: Some(planned),
                config: cfg,
            })
            .await
            .new_state
            .unwrap();
        let result = attr(&s, "result").as_str().unwrap();
        assert!(result.len() == 20 && !result.chars().any(|c| c.is_ascii_digit()), "{result}");
        let hash = attr(&s, "bcrypt_hash").as_str().unwrap();
        assert!(hash.starts_with("$2a$10$") && bcrypt::verify(result, hash).unwrap(), "{hash}");
        assert!(schema().block.attributes["result"].sensitive && schema().block.attributes["bcrypt_hash"].sensitive);
    }

    #[tokio::test]
    async fn omitted_flags_take_the_default_not_the_prior_value() {
        let mut prior = crate::provider::helpers::blank(&schema().block);
        set(&mut prior, "length", Value::Number(8.0));
        set(&mut prior, "special", Value::Bool(false));
        let mut cfg = crate::provider::helpers::blank(&schema().block);
        set(&mut cfg, "length", Value::Number(8.0));
        let req = PlanRequest { type_name: "random_password".into(), prior_state: Some(prior.clone()), proposed_new_state: prior, config: cfg };
        let r = RandomProvider.plan(req).await;
        assert_eq!((attr(&r.planned_state, "special"), attr(&r.planned_state, "number")), (&Value::Bool(true), &Value::Bool(true)));
    }

    #[test]
    fn long_passwords_hash_their_first_72_bytes() {
        let long = "a".repeat(100);
        let hash = bcrypt_hash(&long).unwrap();
        assert!(bcrypt::verify(&long[..72], &hash).unwrap());
    }
}
