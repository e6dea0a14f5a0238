//! `random_shuffle` (hashicorp/random 3.x): a random permutation of `input`, chosen at create
//! and kept until an argument (all of them force replacement) changes. `result_count` (unset
//! or 0: the length of `input`) takes that many items from successive permutations, so items
//! repeat only when more are asked for than `input` has; `id` is `-`; no import, as in the
//! provider. A `seed` repeats the same permutation run after run, but with skyform's own
//! sequence ([`Seeded`]), not the one Go's `math/rand` gives the Go provider.

use async_trait::async_trait;

use super::random_id::RandomProvider;
use super::random_integer::Seeded;
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("random_shuffle")
        .implement(&["input", "result_count", "seed", "keepers", "result", "id"])
        .force_new(&["input", "result_count", "seed", "keepers"])
        .build()
}

/// `count` items (0: all of them) from successive permutations of `input`.
fn shuffle(input: &[Value], count: usize, seed: Option<&str>) -> Vec<Value> {
    let count = if count == 0 { input.len() } else { count };
    let mut rng = Seeded::new(seed);
    let mut out = Vec::with_capacity(count);
    while !input.is_empty() && out.len() < count {
        for i in rng.perm(input.len()) {
            if out.len() == count {
                break;
            }
            out.push(input[i].clone());
        }
    }
    out
}

/// `random_shuffle`.
pub struct RandomShuffle;

#[async_trait]
impl LogicalType<RandomProvider> for RandomShuffle {
    fn name(&self) -> &'static str {
        "random_shuffle"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &RandomProvider, req: PlanRequest) -> PlanResponse {
        match attr(&req.proposed_new_state, "result_count").as_f64() {
            Some(n) if n < 0.0 || n.fract() != 0.0 => PlanResponse::failed(error("Invalid result_count", "result_count must be a whole number, 0 or more.")),
            _ => PlanResponse::planned(req.proposed_new_state),
        }
    }

    async fn create(&self, _c: &RandomProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let input = match attr(&state, "input") {
            Value::List(items) | Value::Set(items) => items.clone(),
            _ => Vec::new(),
        };
        let count = attr(&state, "result_count").as_f64().unwrap_or(0.0).max(0.0) as usize;
        let result = shuffle(&input, count, attr(&state, "seed").as_str());
        set(&mut state, "result", Value::List(result));
        set(&mut state, "id", Value::string("-"));
        ApplyResponse::ok(Some(state))
    }

    async fn import(&self, _c: &RandomProvider, _id: String, _blank: Value) -> ImportResponse {
        ImportResponse::failed(error("Import not supported", "random_shuffle cannot be imported, as in the random provider."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<Value> {
        (0..n).map(|i| Value::String(i.to_string())).collect()
    }

    #[test]
    fn permutes_repeats_in_batches_and_honours_seeds() {
        let mut one = shuffle(&items(5), 0, None);
        assert_eq!(one.len(), 5);
        one.sort_by_key(|v| v.as_str().unwrap().to_string());
        assert_eq!(one, items(5));
        let seven = shuffle(&items(3), 7, None);
        assert_eq!(seven.len(), 7);
        // Each of the first two batches of three is a whole permutation.
        for batch in seven.chunks(3).take(2) {
            let mut b = batch.to_vec();
            b.sort_by_key(|v| v.as_str().unwrap().to_string());
            assert_eq!(b, items(3));
        }
        assert_eq!(shuffle(&items(20), 2, Some("k")), shuffle(&items(20), 2, Some("k")));
        assert!(shuffle(&[], 4, None).is_empty());
    }
}
