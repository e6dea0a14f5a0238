//! `random_pet` (hashicorp/random 3.x): a random pet name (`length` words: adverbs, then an
//! adjective, then a name, joined by `separator`, after an optional `prefix`), chosen at create
//! and kept until an argument (all of them force replacement) changes. The word lists are
//! skyform's own; the shape of the name follows the provider's.

use async_trait::async_trait;
use rand::seq::IndexedRandom;

use super::random_id::RandomProvider;
use crate::provider::helpers::{attr, defaults, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const ADVERBS: &[&str] = &[
    "amazingly",
    "barely",
    "boldly",
    "briefly",
    "calmly",
    "carefully",
    "cheerfully",
    "closely",
    "deeply",
    "eagerly",
    "easily",
    "evenly",
    "fairly",
    "firmly",
    "freely",
    "gently",
    "gladly",
    "greatly",
    "happily",
    "highly",
    "honestly",
    "jointly",
    "kindly",
    "largely",
    "lightly",
    "loudly",
    "mainly",
    "merely",
    "mostly",
    "neatly",
    "nicely",
    "openly",
    "partly",
    "plainly",
    "politely",
    "quickly",
    "quietly",
    "rapidly",
    "rarely",
    "readily",
    "really",
    "safely",
    "sharply",
    "simply",
    "slowly",
    "smoothly",
    "softly",
    "solely",
    "steadily",
    "strongly",
    "surely",
    "swiftly",
    "truly",
    "usually",
    "vastly",
    "warmly",
    "wholly",
    "widely",
    "wildly",
    "wisely",
];

const ADJECTIVES: &[&str] = &[
    "able", "active", "adapted", "amused", "apt", "awake", "bold", "brave", "bright", "busy", "calm", "capable", "careful", "charming", "clean", "clever",
    "cool", "cosmic", "crisp", "curious", "daring", "dear", "direct", "eager", "easy", "epic", "exact", "fair", "famous", "fancy", "fast", "fine", "firm",
    "fit", "fluent", "fond", "free", "fresh", "friendly", "funny", "gentle", "giving", "glad", "golden", "good", "grand", "great", "happy", "hardy", "helpful",
    "honest", "humble", "ideal", "immune", "joint", "jolly", "just", "keen", "kind", "large", "lasting", "lively", "loved", "loyal", "lucky", "magical",
    "main", "mature", "merry", "mighty", "modest", "moral", "natural", "neat", "new", "nice", "noble", "open", "patient", "perfect", "pet", "polite",
    "precious", "prompt", "proud", "quick", "quiet", "rapid", "rare", "ready", "regular", "rich", "robust", "safe", "secure", "sharp", "smart", "smooth",
    "solid", "steady", "sturdy", "sunny", "super", "sure", "sweet", "swift", "tender", "tidy", "top", "true", "trusty", "up", "valid", "vast", "vital", "warm",
    "welcome", "wise", "witty", "worthy",
];

const NAMES: &[&str] = &[
    "alpaca", "ant", "badger", "bat", "bear", "beaver", "bee", "bison", "boar", "bobcat", "buck", "buffalo", "bunny", "calf", "camel", "cat", "cheetah",
    "chick", "cobra", "colt", "condor", "cougar", "cow", "coyote", "crab", "crane", "cricket", "crow", "deer", "dingo", "dodo", "dog", "dolphin", "dove",
    "duck", "eagle", "eel", "elk", "emu", "falcon", "ferret", "finch", "fish", "flamingo", "fly", "fox", "frog", "gazelle", "gecko", "gibbon", "giraffe",
    "gnu", "goat", "goose", "gopher", "gorilla", "grouse", "gull", "hamster", "hare", "hawk", "hen", "heron", "hippo", "hog", "horse", "hound", "husky",
    "ibex", "iguana", "impala", "jackal", "jaguar", "jay", "kid", "kite", "kitten", "koala", "lamb", "lark", "lemur", "leopard", "lion", "lizard", "llama",
    "lobster", "lynx", "macaw", "magpie", "mako", "marmot", "marten", "meerkat", "mink", "mole", "mongoose", "moose", "moth", "mouse", "mule", "newt",
    "ocelot", "octopus", "orca", "oriole", "osprey", "otter", "owl", "ox", "panda", "panther", "parrot", "pelican", "penguin", "pig", "pigeon", "pony",
    "poodle", "puffin", "puma", "quail", "rabbit", "raven", "ray", "robin", "salmon", "seal", "shark", "sheep", "skunk", "sloth", "snail", "snake", "sparrow",
    "spider", "squid", "stag", "starling", "stork", "swan", "tapir", "tiger", "toad", "trout", "turkey", "turtle", "viper", "vole", "walrus", "wasp", "weasel",
    "whale", "wolf", "wombat", "wren", "yak", "zebra",
];

pub fn schema() -> ResourceSchema {
    resource("random_pet").implement(&["keepers", "length", "prefix", "separator", "id"]).force_new(&["keepers", "length", "prefix", "separator"]).build()
}

/// A pet name of `length` words joined by `separator`.
fn generate(length: usize, separator: &str) -> String {
    let mut rng = rand::rng();
    let pick = |list: &[&'static str], rng: &mut rand::rngs::ThreadRng| *list.choose(rng).unwrap_or(&"pet");
    let mut words: Vec<&str> = Vec::with_capacity(length);
    for _ in 2..length.max(2) {
        words.push(pick(ADVERBS, &mut rng));
    }
    if length >= 2 {
        words.push(pick(ADJECTIVES, &mut rng));
    }
    words.push(pick(NAMES, &mut rng));
    words.join(separator)
}

/// `random_pet`.
pub struct RandomPet;

#[async_trait]
impl LogicalType<RandomProvider> for RandomPet {
    fn name(&self) -> &'static str {
        "random_pet"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &RandomProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        defaults(&mut planned, &[("length", Value::Number(2.0)), ("separator", Value::string("-"))]);
        match attr(&planned, "length").as_f64() {
            Some(n) if n < 1.0 || n.fract() != 0.0 => PlanResponse::failed(error("Invalid length", "length must be a whole number of at least 1.")),
            _ => PlanResponse::planned(planned),
        }
    }

    async fn create(&self, _c: &RandomProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let length = attr(&state, "length").as_f64().unwrap_or(2.0) as usize;
        let separator = attr(&state, "separator").as_str().unwrap_or("-").to_string();
        let pet = generate(length, &separator);
        let id = match attr(&state, "prefix").as_str() {
            Some(prefix) => format!("{prefix}{separator}{pet}"),
            None => pet,
        };
        set(&mut state, "id", Value::String(id));
        ApplyResponse::ok(Some(state))
    }

    async fn import(&self, _c: &RandomProvider, _id: String, _blank: Value) -> ImportResponse {
        ImportResponse::failed(error("Import not supported", "random_pet cannot be imported, as in the random provider."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_the_providers_shape() {
        assert_eq!(generate(1, "-").split('-').count(), 1);
        let two = generate(2, "-");
        let (adj, name) = two.split_once('-').unwrap();
        assert!(ADJECTIVES.contains(&adj) && NAMES.contains(&name), "{two}");
        let four = generate(4, "_");
        let words: Vec<&str> = four.split('_').collect();
        assert_eq!(words.len(), 4);
        assert!(ADVERBS.contains(&words[0]) && ADVERBS.contains(&words[1]) && ADJECTIVES.contains(&words[2]) && NAMES.contains(&words[3]), "{four}");
    }

    #[tokio::test]
    async fn plans_defaults_and_creates_with_the_prefix() {
        let p = RandomProvider;
        let mut cfg = crate::provider::helpers::blank(&schema().block);
        set(&mut cfg, "prefix", Value::string("app"));
        let plan = p.plan(PlanRequest { type_name: "random_pet".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        assert_eq!((attr(&plan.planned_state, "length"), attr(&plan.planned_state, "id")), (&Value::Number(2.0), &Value::Unknown));
        let state = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "random_pet".into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: cfg,
            })
            .await;
        let id = attr(state.new_state.as_ref().unwrap(), "id").as_str().unwrap().to_string();
        assert!(id.starts_with("app-") && id.split('-').count() == 3, "{id}");
    }
}
