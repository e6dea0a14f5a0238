//! Terraform's JSON representations: the plan (`show -json FILE`, format 1.2) and the state
//! (`show -json`, format 1.0), so that tools written for Terraform's JSON (policy checkers, cost
//! estimators, plan summarisers) read skyform's unchanged.
//!
//! One deliberate difference: Terraform writes sensitive values in clear next to their
//! `*_sensitive` masks; skyform omits them (object keys are left out, list elements become
//! `null`) and keeps the masks, so nothing sensitive ever reaches a JSON file or a CI log.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as J};

use crate::addr::ResourceMode;
use crate::config::{Config, Module};
use crate::eval::refs::references;
use crate::plan::{Action, Plan, ResourceChange};
use crate::state::State;
use crate::value::{PathStep, Value};

/// Terraform's JSON type description of a value (`"string"`, `["list","string"]`, ...).
pub fn type_json(v: &Value) -> serde_json::Value {
    use serde_json::json;
    match v.unmarked() {
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::List(items) => json!(["tuple", items.iter().map(type_json).collect::<Vec<_>>()]),
        Value::Set(items) => json!(["set", items.first().map(type_json).unwrap_or(json!("dynamic"))]),
        Value::Map(m) => json!(["object", m.iter().map(|(k, v)| (k.clone(), type_json(v))).collect::<serde_json::Map<_, _>>()]),
        _ => json!("dynamic"),
    }
}

/// The `terraform_version` we report: skyform's own.
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// A value as JSON with unknown and sensitive parts left out: object keys are dropped, list
/// elements become `null`. A wholly unknown or sensitive value is `null`.
pub fn known_json(v: &Value) -> J {
    match v {
        Value::Unknown | Value::Sensitive(_) => J::Null,
        Value::List(items) | Value::Set(items) => J::Array(items.iter().map(known_json).collect()),
        Value::Map(m) => {
            J::Object(m.iter().filter(|(_, x)| !matches!(x, Value::Unknown | Value::Sensitive(_))).map(|(k, x)| (k.clone(), known_json(x))).collect())
        }
        other => other.to_json(),
    }
}

/// Terraform's mask shape (`after_unknown`, `*_sensitive`): `true` where `hit` holds, objects
/// keep only the keys with something to report, lists keep a `false` per plain element.
fn mask(v: &Value, hit: &dyn Fn(&Value) -> bool) -> J {
    if hit(v) {
        return J::Bool(true);
    }
    match v {
        Value::Sensitive(inner) => mask(inner, hit),
        Value::List(items) | Value::Set(items) => J::Array(items.iter().map(|x| mask(x, hit)).collect()),
        Value::Map(m) => J::Object(
            m.iter()
                .filter_map(|(k, x)| {
                    let sub = mask(x, hit);
                    (sub != J::Bool(false)).then(|| (k.clone(), sub))
                })
                .collect(),
        ),
        _ => J::Bool(false),
    }
}

fn is_unknown(v: &Value) -> bool {
    matches!(v, Value::Unknown)
}

fn is_sensitive(v: &Value) -> bool {
    matches!(v, Value::Sensitive(_))
}

/// A resource's attribute mask: an object at the top even when nothing is marked.
fn object_mask(v: &Value, hit: &dyn Fn(&Value) -> bool) -> J {
    match mask(v, hit) {
        J::Bool(false) if !v.is_null() => J::Object(Map::new()),
        J::Bool(false) => J::Bool(false),
        other => other,
    }
}

/// `terraform.io/builtin/terraform` from `provider["terraform.io/builtin/terraform"].alias`.
fn provider_name(address: &str) -> String {
    address.split('"').nth(1).unwrap_or(address).to_string()
}

fn resource_header(rc: &ResourceChange) -> Map<String, J> {
    let mut m = Map::new();
    // A deposed object: its instance's address, and Terraform's `deposed` key.
    let (address, deposed) = crate::state::split_deposed(&rc.address);
    m.insert("address".into(), json!(address));
    if let Some(key) = deposed {
        m.insert("deposed".into(), json!(key));
    }
    if !rc.module.is_empty() {
        m.insert("module_address".into(), json!(rc.module));
    }
    m.insert("mode".into(), json!(rc.mode));
    m.insert("type".into(), json!(rc.type_name));
    m.insert("name".into(), json!(rc.name));
    if let Some(i) = &rc.index {
        m.insert("index".into(), i.clone());
    }
    m.insert("provider_name".into(), json!(provider_name(&rc.provider)));
    m
}

/// A `planned_values`/`prior_state` resource entry.
fn resource_values(rc: &ResourceChange, v: &Value) -> J {
    let mut m = resource_header(rc);
    m.insert("schema_version".into(), json!(0));
    m.insert("values".into(), known_json(v));
    m.insert("sensitive_values".into(), object_mask(v, &is_sensitive));
    J::Object(m)
}

/// Resources grouped into Terraform's module tree: `{resources, child_modules}`.
fn module_tree(entries: Vec<(String, J)>) -> J {
    let mut by_module: BTreeMap<String, Vec<J>> = BTreeMap::new();
    for (module, r) in entries {
        by_module.entry(module).or_default().push(r);
    }
    fn build(path: &str, by_module: &BTreeMap<String, Vec<J>>) -> Map<String, J> {
        let mut m = Map::new();
        if !path.is_empty() {
            m.insert("address".into(), json!(path));
        }
        if let Some(rs) = by_module.get(path) {
            m.insert("resources".into(), J::Array(rs.clone()));
        }
        // Direct children: module paths one `module.x` step longer.
        let depth = if path.is_empty() { 0 } else { path.matches("module.").count() };
        let children: Vec<J> = by_module
            .keys()
            .filter(|k| !k.is_empty() && k.matches("module.").count() == depth + 1 && (path.is_empty() || k.starts_with(&format!("{path}."))))
            .map(|k| J::Object(build(k, by_module)))
            .collect();
        if !children.is_empty() {
            m.insert("child_modules".into(), J::Array(children));
        }
        m
    }
    // Intermediate modules with no resources of their own still need a node.
    let mut all = by_module.clone();
    for k in by_module.keys() {
        let mut p = k.as_str();
        while let Some(i) = p.rfind(".module.") {
            p = &p[..i];
            all.entry(p.to_string()).or_default();
        }
    }
    J::Object(build("", &all))
}

fn outputs_json(outputs: impl Iterator<Item = (String, Value, bool)>) -> J {
    let mut m = Map::new();
    for (name, v, sensitive) in outputs {
        let mut o = Map::new();
        o.insert("sensitive".into(), json!(sensitive));
        if !sensitive && v.is_wholly_known() {
            o.insert("value".into(), known_json(&v));
            o.insert("type".into(), type_json(&v));
        }
        m.insert(name, J::Object(o));
    }
    J::Object(m)
}

/// The JSON plan representation.
pub fn plan_json(plan: &Plan, config: Option<&Config>) -> J {
    let mut doc = Map::new();
    doc.insert("format_version".into(), json!("1.2"));
    doc.insert("terraform_version".into(), json!(version()));

    let sensitive_vars: Vec<&str> = config.map(|c| c.root.variables.iter().filter(|(_, v)| v.sensitive).map(|(k, _)| k.as_str()).collect()).unwrap_or_default();
    let vars: Map<String, J> = plan
        .variables
        .iter()
        .map(|(k, v)| {
            let hidden = sensitive_vars.contains(&k.as_str()) || v.contains_sensitive();
            (k.clone(), if hidden { json!({}) } else { json!({ "value": known_json(v) }) })
        })
        .collect();
    doc.insert("variables".into(), J::Object(vars));

    // planned_values: what each instance will look like afterwards (deleted ones are absent).
    let planned: Vec<(String, J)> =
        plan.changes.iter().filter(|c| c.action != Action::Delete).map(|c| (c.module.clone(), resource_values(c, &c.after))).collect();
    let planned_outputs = outputs_json(plan.outputs.iter().filter(|o| o.action != Action::Delete).map(|o| (o.name.clone(), o.after.clone(), o.sensitive)));
    doc.insert("planned_values".into(), json!({ "outputs": planned_outputs, "root_module": module_tree(planned) }));

    // Data sources read during plan appear in prior_state, not as changes (as in Terraform).
    let changes: Vec<J> = plan.changes.iter().filter(|c| !(c.mode == "data" && c.action == Action::NoOp)).map(resource_change).collect();
    doc.insert("resource_changes".into(), J::Array(changes));

    let mut outs = Map::new();
    for o in &plan.outputs {
        let s = o.sensitive;
        let mut m = Map::new();
        m.insert("actions".into(), json!(o.action.json_actions()));
        m.insert("before".into(), if s { J::Null } else { known_json(&o.before) });
        m.insert("after".into(), if s { J::Null } else { known_json(&o.after) });
        m.insert("after_unknown".into(), mask(&o.after, &is_unknown));
        m.insert("before_sensitive".into(), if s { json!(true) } else { mask(&o.before, &is_sensitive) });
        m.insert("after_sensitive".into(), if s { json!(true) } else { mask(&o.after, &is_sensitive) });
        outs.insert(o.name.clone(), J::Object(m));
    }
    doc.insert("output_changes".into(), J::Object(outs));

    // prior_state: the refreshed state the plan was made from.
    let prior: Vec<(String, J)> = plan.changes.iter().filter(|c| !c.before.is_null()).map(|c| (c.module.clone(), resource_values(c, &c.before))).collect();
    let prior_outputs = outputs_json(plan.outputs.iter().filter(|o| !o.before.is_null()).map(|o| (o.name.clone(), o.before.clone(), o.sensitive)));
    doc.insert(
        "prior_state".into(),
        json!({
            "format_version": "1.0",
            "terraform_version": version(),
            "values": { "outputs": prior_outputs, "root_module": module_tree(prior) },
        }),
    );
    if let Some(cfg) = config {
        doc.insert("configuration".into(), configuration(cfg));
    }
    doc.insert("relevant_attributes".into(), json!([]));
    doc.insert("timestamp".into(), json!(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()));
    doc.insert("applyable".into(), json!(plan.has_changes()));
    doc.insert("complete".into(), json!(plan.targets.is_empty()));
    doc.insert("errored".into(), json!(false));
    J::Object(doc)
}

/// One `resource_changes[]` entry.
pub fn resource_change(rc: &ResourceChange) -> J {
    let mut m = resource_header(rc);
    if let Some(prev) = &rc.previous_address {
        m.insert("previous_address".into(), json!(prev));
    }
    let generated = rc.generated_config.clone();
    let mut ch = Map::new();
    ch.insert("actions".into(), json!(rc.action.json_actions()));
    ch.insert("before".into(), known_json(&rc.before));
    ch.insert("after".into(), known_json(&rc.after));
    // Terraform writes an object here even when there is no "after" (a delete).
    let after_unknown = match object_mask(&rc.after, &is_unknown) {
        J::Bool(false) => J::Object(Map::new()),
        m => m,
    };
    ch.insert("after_unknown".into(), after_unknown);
    ch.insert("before_sensitive".into(), object_mask(&rc.before, &is_sensitive));
    ch.insert("after_sensitive".into(), object_mask(&rc.after, &is_sensitive));
    if rc.action.is_replace() {
        let paths: Vec<J> = rc
            .requires_replace
            .iter()
            .map(|p| {
                J::Array(
                    p.iter()
                        .map(|s| match s {
                            PathStep::Key(k) => json!(k),
                            PathStep::Index(i) => json!(i),
                        })
                        .collect(),
                )
            })
            .collect();
        ch.insert("replace_paths".into(), J::Array(paths));
    }
    if let Some(id) = &rc.importing {
        ch.insert("importing".into(), json!({ "id": id }));
    }
    if let Some(g) = generated {
        ch.insert("generated_config".into(), json!(g));
    }
    m.insert("change".into(), J::Object(ch));
    if let Some(reason) = rc.reason.as_ref().and_then(|r| r.json()) {
        m.insert("action_reason".into(), json!(reason));
    }
    J::Object(m)
}

/// The `configuration` block: providers, resources with the references of each argument,
/// outputs, variables and module calls, as far as skyform tracks them.
fn configuration(cfg: &Config) -> J {
    let mut providers = Map::new();
    collect_providers(&cfg.root, "", &mut providers);
    json!({ "provider_config": providers, "root_module": module_config(&cfg.root) })
}

fn collect_providers(module: &Module, prefix: &str, out: &mut Map<String, J>) {
    for r in module.resources.values() {
        let name = r.type_name.split('_').next().unwrap_or(&r.type_name).to_string();
        let key = if prefix.is_empty() { name.clone() } else { format!("{prefix}:{name}") };
        out.entry(key).or_insert_with(|| json!({ "name": name, "full_name": crate::engine::providers::provider_source(&name) }));
    }
    for (call, c) in &module.module_calls {
        let p = if prefix.is_empty() { format!("module.{call}") } else { format!("{prefix}.module.{call}") };
        collect_providers(&c.module, &p, out);
    }
}

fn expression_refs(expr: &hcl::Expression) -> J {
    let mut refs: Vec<String> = Vec::new();
    // Terraform lists each traversal and then the object it belongs to:
    // `terraform_data.a.output`, `terraform_data.a`.
    for r in references(expr) {
        let mut parts = vec![r.root.clone()];
        parts.extend(r.attrs.iter().cloned());
        let object_len = match r.root.as_str() {
            "var" | "local" | "count" | "each" | "path" | "terraform" | "self" => parts.len().min(2),
            "module" | "data" => parts.len().min(3),
            _ => parts.len().min(2),
        };
        let object_len = if r.root == "module" { parts.len().min(2) } else { object_len };
        for n in [parts.len(), object_len] {
            let s = parts[..n].join(".");
            if !refs.contains(&s) {
                refs.push(s);
            }
        }
    }
    if refs.is_empty() {
        match crate::eval::eval_literal(expr) {
            Ok(v) if !v.contains_sensitive() => json!({ "constant_value": v.to_json() }),
            _ => json!({}),
        }
    } else {
        json!({ "references": refs })
    }
}

fn module_config(module: &Module) -> J {
    let mut m = Map::new();
    let outputs: Map<String, J> = module
        .outputs
        .iter()
        .map(|(k, o)| {
            let mut e = Map::new();
            e.insert("expression".into(), expression_refs(&o.value.expr));
            if o.sensitive {
                e.insert("sensitive".into(), json!(true));
            }
            if !o.description.is_empty() {
                e.insert("description".into(), json!(o.description));
            }
            (k.clone(), J::Object(e))
        })
        .collect();
    if !outputs.is_empty() {
        m.insert("outputs".into(), J::Object(outputs));
    }
    let resources: Vec<J> = module
        .resources
        .values()
        .map(|r| {
            let mut e = Map::new();
            e.insert("address".into(), json!(r.local_addr()));
            e.insert("mode".into(), json!(if r.mode == ResourceMode::Data { "data" } else { "managed" }));
            e.insert("type".into(), json!(r.type_name));
            e.insert("name".into(), json!(r.name));
            e.insert("provider_config_key".into(), json!(r.provider));
            let exprs: Map<String, J> = r
                .body
                .attributes
                .iter()
                .filter(|a| !crate::config::RESOURCE_META.contains(&a.name.as_str()))
                .map(|a| (a.name.clone(), expression_refs(&a.expr)))
                .collect();
            e.insert("expressions".into(), J::Object(exprs));
            e.insert("schema_version".into(), json!(0));
            if let Some(c) = &r.count {
                e.insert("count_expression".into(), expression_refs(&c.expr));
            }
            if let Some(f) = &r.for_each {
                e.insert("for_each_expression".into(), expression_refs(&f.expr));
            }
            J::Object(e)
        })
        .collect();
    if !resources.is_empty() {
        m.insert("resources".into(), J::Array(resources));
    }
    let calls: Map<String, J> =
        module.module_calls.iter().map(|(name, c)| (name.clone(), json!({ "source": c.source, "module": module_config(&c.module) }))).collect();
    if !calls.is_empty() {
        m.insert("module_calls".into(), J::Object(calls));
    }
    let vars: Map<String, J> = module
        .variables
        .iter()
        .map(|(k, v)| {
            let mut e = Map::new();
            if let Some(d) = &v.default {
                if !v.sensitive {
                    e.insert("default".into(), d.to_json());
                }
            }
            if !v.description.is_empty() {
                e.insert("description".into(), json!(v.description));
            }
            if v.sensitive {
                e.insert("sensitive".into(), json!(true));
            }
            (k.clone(), J::Object(e))
        })
        .collect();
    if !vars.is_empty() {
        m.insert("variables".into(), J::Object(vars));
    }
    J::Object(m)
}

/// The JSON state representation (`show -json` without a plan file).
pub fn state_json(state: &State) -> J {
    let entries: Vec<(String, J)> = state
        .resources
        .values()
        .map(|r| {
            let mut m = Map::new();
            m.insert("address".into(), json!(r.address));
            m.insert("mode".into(), json!(r.mode));
            m.insert("type".into(), json!(r.type_name));
            m.insert("name".into(), json!(r.name));
            if let Some(i) = &r.index_key {
                m.insert("index".into(), i.clone());
            }
            m.insert("provider_name".into(), json!(provider_name(&r.provider)));
            m.insert("schema_version".into(), json!(r.schema_version));
            let v = r.marked_attributes();
            m.insert("values".into(), known_json(&v));
            m.insert("sensitive_values".into(), object_mask(&v, &is_sensitive));
            if !r.dependencies.is_empty() {
                m.insert("depends_on".into(), json!(r.dependencies));
            }
            if r.tainted {
                m.insert("tainted".into(), json!(true));
            }
            (r.module.clone(), J::Object(m))
        })
        .collect();
    let outputs = outputs_json(state.outputs.iter().map(|(k, o)| (k.clone(), o.value.clone(), o.sensitive)));
    json!({
        "format_version": "1.0",
        "terraform_version": version(),
        "values": { "outputs": outputs, "root_module": module_tree(entries) },
    })
}
