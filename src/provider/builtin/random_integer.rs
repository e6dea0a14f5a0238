//! `random_integer` (hashicorp/random 3.x): a random whole number in `min..=max`, chosen at
//! create and kept until an argument (all of them force replacement) changes; `id` is the
//! result as a string; import id `RESULT,MIN,MAX[,SEED]`. Also the seeded generator that
//! `random_shuffle` shares ([`Seeded`]).
//!
//! With a `seed`, the same seed gives the same result, run after run. The sequence is
//! skyform's own (SplitMix64 seeded from the seed's SHA-256), not Go's `math/rand` seeded from
//! a CRC-64, so a seeded result differs from the one the Go provider picks for the same seed.

use async_trait::async_trait;
use rand::Rng;
use sha2::Digest;

use super::random_id::RandomProvider;
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("random_integer").implement(&["min", "max", "seed", "keepers", "result", "id"]).force_new(&["min", "max", "seed", "keepers"]).build()
}

/// A small deterministic generator (SplitMix64): seeded from a `seed` string it repeats
/// exactly; without one it starts from the thread's random generator.
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: Option<&str>) -> Seeded {
        match seed {
            Some(s) => {
                let d = sha2::Sha256::digest(s.as_bytes());
                Seeded(u64::from_le_bytes(d[..8].try_into().unwrap_or_default()))
            }
            None => Seeded(rand::rng().random()),
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` up to 2^64).
    pub fn below(&mut self, n: u128) -> u128 {
        (self.next_u64() as u128 * n) >> 64
    }

    /// A random permutation of `0..n`.
    pub fn perm(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            p.swap(i, self.below(i as u128 + 1) as usize);
        }
        p
    }
}

/// The result for `min..=max` and an optional seed.
fn pick(min: i64, max: i64, seed: Option<&str>) -> i64 {
    let span = (max as i128 - min as i128 + 1) as u128;
    (min as i128 + Seeded::new(seed).below(span) as i128) as i64
}

fn whole(v: &Value, name: &str) -> Option<i64> {
    attr(v, name).as_f64().filter(|n| n.fract() == 0.0).map(|n| n as i64)
}

/// `random_integer`.
pub struct RandomInteger;

#[async_trait]
impl LogicalType<RandomProvider> for RandomInteger {
    fn name(&self) -> &'static str {
        "random_integer"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &RandomProvider, req: PlanRequest) -> PlanResponse {
        let p = &req.proposed_new_state;
        for name in ["min", "max"] {
            if attr(p, name).as_f64().is_some_and(|n| n.fract() != 0.0) {
                return PlanResponse::failed(error("Invalid random_integer", format!("{name} must be a whole number.")));
            }
        }
        if let (Some(min), Some(max)) = (whole(p, "min"), whole(p, "max")) {
            if max < min {
                return PlanResponse::failed(error(
                    "Invalid random_integer",
                    "The minimum (min) value needs to be smaller than or equal to maximum (max) value.",
                ));
            }
        }
        PlanResponse::planned(req.proposed_new_state)
    }

    async fn create(&self, _c: &RandomProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let (min, max) = (whole(&state, "min").unwrap_or(0), whole(&state, "max").unwrap_or(0));
        if max < min {
            return ApplyResponse::failed(None, error("Invalid random_integer", "min must not be greater than max."));
        }
        let n = pick(min, max, attr(&state, "seed").as_str());
        set(&mut state, "result", Value::Number(n as f64));
        set(&mut state, "id", Value::String(n.to_string()));
        ApplyResponse::ok(Some(state))
    }

    async fn import(&self, _c: &RandomProvider, id: String, mut state: Value) -> ImportResponse {
        let parts: Vec<&str> = id.split(',').collect();
        let nums: Vec<Option<i64>> = parts.iter().take(3).map(|p| p.parse().ok()).collect();
        match (parts.len(), nums.as_slice()) {
            (3 | 4, [Some(result), Some(min), Some(max)]) => {
                set(&mut state, "result", Value::Number(*result as f64));
                set(&mut state, "id", Value::String(result.to_string()));
                set(&mut state, "min", Value::Number(*min as f64));
                set(&mut state, "max", Value::Number(*max as f64));
                if let Some(seed) = parts.get(3) {
                    set(&mut state, "seed", Value::string(*seed));
                }
                ImportResponse::found(state)
            }
            _ => ImportResponse::failed(error("Invalid import id", "Expecting {result},{min},{max} or {result},{min},{max},{seed}, with whole numbers.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_stay_in_range_and_seeds_repeat() {
        for _ in 0..200 {
            let n = pick(-3, 3, None);
            assert!((-3..=3).contains(&n), "{n}");
        }
        assert_eq!(pick(7, 7, None), 7);
        assert_eq!(pick(1, 1_000_000, Some("s")), pick(1, 1_000_000, Some("s")));
        assert_eq!(pick(i64::MIN, i64::MAX, Some("x")), pick(i64::MIN, i64::MAX, Some("x")));
        assert_eq!(Seeded::new(Some("a")).perm(10), Seeded::new(Some("a")).perm(10));
        let mut p = Seeded::new(None).perm(50);
        p.sort();
        assert_eq!(p, (0..50).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn plans_rejects_inverted_range_and_imports() {
        let p = RandomProvider;
        let cfg = Value::object([("min", Value::Number(5.0)), ("max", Value::Number(1.0))]);
        let r = p.plan(PlanRequest { type_name: "random_integer".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg }).await;
        assert!(r.diagnostics.has_errors());
        let r = p.import(ImportRequest { type_name: "random_integer".into(), id: "15,1,20,abc".into() }).await;
        let s = r.state.unwrap();
        assert_eq!((attr(&s, "result"), attr(&s, "id"), attr(&s, "seed")), (&Value::Number(15.0), &Value::string("15"), &Value::string("abc")));
        assert!(p.import(ImportRequest { type_name: "random_integer".into(), id: "x,1".into() }).await.diagnostics.has_errors());
    }
}
