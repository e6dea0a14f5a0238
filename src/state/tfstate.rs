//! Terraform's state file format (version 4, `terraform.tfstate`, what `terraform state pull`
//! prints and `terraform state push` reads) to and from skyform's [`State`]: `state pull`,
//! `state push` and the migration of a Terraform working directory (`init -migrate-state`).
//!
//! What the two models do not share:
//!
//! * skyform keeps resource attributes as plain JSON-like values, without the difference
//!   between lists and tuples or maps and objects. Attributes of Terraform's `dynamic` type
//!   (`terraform_data`'s `input`, `output` and `triggers_replace`) are written with the type
//!   their value has as a literal: lists are tuples, maps are objects. Output types are inferred
//!   the same way, with sets kept (skyform's outputs remember them).
//! * Deposed objects, provider-private data and resource identities are not part of skyform's
//!   model: a Terraform state with a deposed object is refused (finish that replacement with
//!   Terraform first); private data and identities are dropped.
//! * A sensitive place is written as a path of `get_attr` steps for names and `index` steps
//!   for positions (skyform's paths do not tell an object attribute from a map key).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Map, Value as J};

use super::{OutputState, ResourceInstanceState, State};
use crate::addr::{InstanceKey, ModulePath, ResourceAddr, ResourceMode};
use crate::schema::{AttrType, NoSchemas, SchemaSource};
use crate::value::{AttrPath, PathStep, Value};

/// The `terraform_version` written into state files. Terraform 1.x reads state written by any
/// 1.x (it only refuses a newer state format version), and rewrites the field when it saves.
pub const TERRAFORM_VERSION: &str = "1.15.0";

/// The attributes of Terraform's `dynamic` type, which its state wraps as `{"value", "type"}`.
fn dynamic_attributes(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "terraform_data" => &["input", "output", "triggers_replace"],
        _ => &[],
    }
}

/// Terraform's JSON description of a value's type as it would be for a literal: tuples for
/// lists, objects for maps, sets as sets, `dynamic` for null.
pub fn type_of(v: &Value) -> J {
    match v.unmarked() {
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::List(items) => json!(["tuple", items.iter().map(type_of).collect::<Vec<_>>()]),
        Value::Set(items) => {
            let mut types = items.iter().map(type_of);
            let first = types.next().unwrap_or(json!("dynamic"));
            let elem = if types.all(|t| t == first) { first } else { json!("dynamic") };
            json!(["set", elem])
        }
        Value::Map(m) => json!(["object", m.iter().map(|(k, v)| (k.clone(), type_of(v))).collect::<Map<_, _>>()]),
        _ => json!("dynamic"),
    }
}

/// A value read with its Terraform type: sets become sets again, `dynamic` values unwrap their
/// `{"value", "type"}` form. Anything that does not fit the type is read as plain JSON.
pub fn typed_value(j: &J, ty: &J) -> Value {
    if j.is_null() {
        return Value::Null;
    }
    match ty {
        J::String(t) if t == "dynamic" => match j.as_object() {
            Some(o) if o.len() == 2 && o.contains_key("value") && o.contains_key("type") => typed_value(&o["value"], &o["type"]),
            _ => Value::from_json(j),
        },
        J::String(t) if t == "number" => match j {
            J::String(s) => s.parse::<f64>().map(Value::Number).unwrap_or_else(|_| Value::from_json(j)),
            _ => Value::from_json(j),
        },
        J::Array(parts) => match (parts.first().and_then(J::as_str), parts.get(1), j) {
            (Some("set"), Some(et), J::Array(items)) => Value::set(items.iter().map(|x| typed_value(x, et)).collect()),
            (Some("list"), Some(et), J::Array(items)) => Value::List(items.iter().map(|x| typed_value(x, et)).collect()),
            (Some("tuple"), Some(J::Array(ets)), J::Array(items)) => {
                Value::List(items.iter().enumerate().map(|(i, x)| typed_value(x, ets.get(i).unwrap_or(&J::Null))).collect())
            }
            (Some("map"), Some(et), J::Object(m)) => Value::Map(Arc::new(m.iter().map(|(k, x)| (k.clone(), typed_value(x, et))).collect())),
            (Some("object"), Some(J::Object(ats)), J::Object(m)) => {
                Value::Map(Arc::new(m.iter().map(|(k, x)| (k.clone(), typed_value(x, ats.get(k).unwrap_or(&J::Null)))).collect()))
            }
            _ => Value::from_json(j),
        },
        _ => Value::from_json(j),
    }
}

/// A sensitive path in Terraform's form. `map_attr`: the path's first step names an attribute
/// of map type, whose keys are `index` steps.
fn path_to_tf(path: &AttrPath, map_attr: bool) -> J {
    J::Array(
        path.iter()
            .enumerate()
            .map(|(n, step)| match step {
                PathStep::Key(k) if n == 1 && map_attr => json!({"type": "index", "value": {"value": k, "type": "string"}}),
                PathStep::Key(k) => json!({"type": "get_attr", "value": k}),
                PathStep::Index(i) => json!({"type": "index", "value": {"value": i, "type": "number"}}),
            })
            .collect(),
    )
}

fn path_from_tf(j: &J) -> Result<AttrPath, String> {
    let steps = j.as_array().ok_or("a sensitive attribute path is not a list")?;
    steps
        .iter()
        .map(|s| {
            let kind = s.get("type").and_then(J::as_str).unwrap_or_default();
            let raw = s.get("value").unwrap_or(&J::Null);
            // An index key is a typed value `{"value": 0, "type": "number"}`.
            let key = match raw {
                J::Object(o) if o.contains_key("value") => &o["value"],
                other => other,
            };
            match (kind, key) {
                ("get_attr", J::String(name)) => Ok(PathStep::Key(name.clone())),
                ("index", J::String(k)) => Ok(PathStep::Key(k.clone())),
                ("index", J::Number(n)) => n.as_u64().map(PathStep::Index).ok_or_else(|| format!("invalid index {n} in a sensitive attribute path")),
                _ => Err(format!("invalid sensitive attribute path step {s}")),
            }
        })
        .collect()
}

/// Terraform's state (format version 4) of a skyform state, without resource schemas: see
/// [`to_tfstate_with`].
pub fn to_tfstate(state: &State) -> J {
    to_tfstate_with(state, &NoSchemas)
}

/// Terraform's state (format version 4) of a skyform state. With the resource types' schemas
/// the sensitive places are written as Terraform records them: the keys of a map attribute are
/// `index` steps, and a read-only attribute is sensitive only when its schema says so
/// (Terraform does not carry a mark from the configuration through the provider to a computed
/// attribute, so `terraform_data`'s `output` is not sensitive when its `input` is; skyform is
/// more cautious and marks both).
pub fn to_tfstate_with(state: &State, schemas: &dyn SchemaSource) -> J {
    let outputs: Map<String, J> = state
        .outputs
        .iter()
        .map(|(name, o)| {
            let mut out = Map::new();
            out.insert("value".into(), o.value.to_json());
            out.insert("type".into(), type_of(&o.value));
            if o.sensitive {
                out.insert("sensitive".into(), J::Bool(true));
            }
            (name.clone(), J::Object(out))
        })
        .collect();

    // Group the instances by resource, in Terraform's order: module, mode, type, name.
    let mut groups: BTreeMap<(String, &str, &str, &str), Vec<&ResourceInstanceState>> = BTreeMap::new();
    for r in state.resources.values() {
        groups.entry((r.module.clone(), r.mode.as_str(), r.type_name.as_str(), r.name.as_str())).or_default().push(r);
    }
    let resources: Vec<J> = groups
        .into_iter()
        .map(|((module, mode, type_name, name), mut instances)| {
            instances.sort_by(|a, b| key_order(&a.index_key, &b.index_key));
            let mut res = Map::new();
            if !module.is_empty() {
                res.insert("module".into(), J::String(module));
            }
            res.insert("mode".into(), json!(mode));
            res.insert("type".into(), json!(type_name));
            res.insert("name".into(), json!(name));
            res.insert("provider".into(), json!(instances[0].provider));
            res.insert("instances".into(), J::Array(instances.iter().map(|r| instance_json(r, schemas)).collect()));
            J::Object(res)
        })
        .collect();

    let mut top = Map::new();
    top.insert("version".into(), json!(4));
    top.insert("terraform_version".into(), json!(TERRAFORM_VERSION));
    top.insert("serial".into(), json!(state.serial));
    top.insert("lineage".into(), json!(state.lineage));
    top.insert("outputs".into(), J::Object(outputs));
    top.insert("resources".into(), J::Array(resources));
    top.insert("check_results".into(), J::Null);
    J::Object(top)
}

/// Terraform's instance order: no key first, then integer keys, then string keys.
fn key_order(a: &Option<J>, b: &Option<J>) -> std::cmp::Ordering {
    fn rank(k: &Option<J>) -> (u8, i64, String) {
        match k {
            None => (0, 0, String::new()),
            Some(J::Number(n)) => (1, n.as_i64().unwrap_or(0), String::new()),
            Some(J::String(s)) => (2, 0, s.clone()),
            Some(other) => (3, 0, other.to_string()),
        }
    }
    rank(a).cmp(&rank(b))
}

fn instance_json(r: &ResourceInstanceState, schemas: &dyn SchemaSource) -> J {
    let dynamic = dynamic_attributes(&r.type_name);
    let block = schemas.block(r.mode == "data", &r.type_name);
    let attr_schema = |path: &AttrPath| match (block, path.first()) {
        (Some(b), Some(PathStep::Key(k))) => b.attributes.get(k),
        _ => None,
    };
    let sensitive: Vec<J> = r
        .sensitive_paths
        .iter()
        .filter(|p| !attr_schema(p).is_some_and(|a| a.computed && !a.optional && !a.required && !a.sensitive))
        .map(|p| path_to_tf(p, attr_schema(p).is_some_and(|a| matches!(a.ty, AttrType::MapOfString | AttrType::MapOfNumber | AttrType::MapOfBool))))
        .collect();
    let attributes = match &r.attributes {
        Value::Map(m) => J::Object(
            m.iter()
                .map(|(k, v)| {
                    let j = if dynamic.contains(&k.as_str()) && !v.is_null() { json!({"value": v.to_json(), "type": type_of(v)}) } else { v.to_json() };
                    (k.clone(), j)
                })
                .collect(),
        ),
        other => other.to_json(),
    };
    let mut inst = Map::new();
    if let Some(k) = &r.index_key {
        inst.insert("index_key".into(), k.clone());
    }
    if r.tainted {
        inst.insert("status".into(), json!("tainted"));
    }
    if let (_, Some(key)) = super::split_deposed(&r.address) {
        inst.insert("deposed".into(), json!(key));
    }
    inst.insert("schema_version".into(), json!(r.schema_version));
    inst.insert("attributes".into(), attributes);
    inst.insert("sensitive_attributes".into(), J::Array(sensitive));
    if !r.dependencies.is_empty() {
        inst.insert("dependencies".into(), json!(r.dependencies));
    }
    J::Object(inst)
}

/// Terraform's state as `terraform state pull` prints it: two-space indentation, the fields in
/// Terraform's order, a final newline.
pub fn to_tfstate_string(state: &State, schemas: &dyn SchemaSource) -> String {
    let mut out = String::new();
    write_ordered(&mut out, &to_tfstate_with(state, schemas), 0, Shape::Top);
    out.push('\n');
    out
}

/// Which part of the file a JSON value is, for the order of its fields.
#[derive(Clone, Copy)]
enum Shape {
    Top,
    Outputs,
    Output,
    Resources,
    Resource,
    Instances,
    Instance,
    Plain,
}

impl Shape {
    fn order(self) -> &'static [&'static str] {
        match self {
            Shape::Top => &["version", "terraform_version", "serial", "lineage", "outputs", "resources", "check_results"],
            Shape::Output => &["value", "type", "sensitive"],
            Shape::Resource => &["module", "mode", "type", "name", "each", "provider", "instances"],
            Shape::Instance => &[
                "index_key",
                "status",
                "deposed",
                "schema_version",
                "attributes",
                "attributes_flat",
                "sensitive_attributes",
                "identity_schema_version",
                "identity",
                "private",
                "dependencies",
                "create_before_destroy",
            ],
            _ => &[],
        }
    }

    fn child(self, key: &str) -> Shape {
        match (self, key) {
            (Shape::Top, "outputs") => Shape::Outputs,
            (Shape::Top, "resources") => Shape::Resources,
            (Shape::Outputs, _) => Shape::Output,
            (Shape::Resources, _) => Shape::Resource,
            (Shape::Resource, "instances") => Shape::Instances,
            (Shape::Instances, _) => Shape::Instance,
            _ => Shape::Plain,
        }
    }
}

fn write_ordered(out: &mut String, v: &J, depth: usize, shape: Shape) {
    let pad = |n: usize| "  ".repeat(n);
    match v {
        J::Object(m) if !m.is_empty() => {
            let order = shape.order();
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by_key(|k| (order.iter().position(|o| o == k).unwrap_or(order.len()), k.as_str()));
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&J::String(k.to_string()).to_string());
                out.push_str(": ");
                write_ordered(out, &m[k.as_str()], depth + 1, shape.child(k));
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        J::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                write_ordered(out, item, depth + 1, shape.child(""));
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Reads Terraform's state (format version 4) into skyform's model. Instance addresses are
/// built as skyform builds them (`module.m["a"].aws_s3_bucket.b[0]`); the creation times are
/// left empty for the caller to fill in.
pub fn from_tfstate(json: &J) -> Result<State, String> {
    let top = json.as_object().ok_or("the state is not a JSON object")?;
    match top.get("version").and_then(J::as_u64) {
        Some(4) => {}
        Some(n) => {
            return Err(format!(
                "The state is in Terraform's state format version {n}; only version 4 (Terraform 0.12 and later) is supported. Upgrade it with Terraform first (for example with `terraform apply -refresh-only` using Terraform 0.12 or later)."
            ))
        }
        None => return Err("The state has no format \"version\": it is not a Terraform state file.".into()),
    }
    let lineage = top.get("lineage").and_then(J::as_str).filter(|l| !l.is_empty()).ok_or("The state has no \"lineage\".")?.to_string();
    let serial = top.get("serial").and_then(J::as_u64).ok_or("The state has no valid \"serial\".")?;

    let mut outputs = BTreeMap::new();
    if let Some(outs) = top.get("outputs").and_then(J::as_object) {
        for (name, o) in outs {
            let value = typed_value(o.get("value").unwrap_or(&J::Null), o.get("type").unwrap_or(&json!("dynamic")));
            let sensitive = o.get("sensitive").and_then(J::as_bool).unwrap_or(false);
            outputs.insert(name.clone(), OutputState { value, sensitive });
        }
    }

    let mut resources = BTreeMap::new();
    for r in top.get("resources").and_then(J::as_array).map(Vec::as_slice).unwrap_or_default() {
        let field = |k: &str| r.get(k).and_then(J::as_str).unwrap_or_default();
        let (mode_text, type_name, name, provider) = (field("mode"), field("type"), field("name"), field("provider"));
        if type_name.is_empty() || name.is_empty() {
            return Err(format!("A resource in the state has no type or name: {r}"));
        }
        let mode = match mode_text {
            "managed" => ResourceMode::Managed,
            "data" => ResourceMode::Data,
            other => return Err(format!("Resource {type_name}.{name} has an unknown mode {other:?}.")),
        };
        let module = ModulePath::parse(field("module")).map_err(|e| format!("Resource {type_name}.{name}: {e}"))?;
        let resource = ResourceAddr::new(module, mode, type_name, name);
        let dynamic = dynamic_attributes(type_name);
        for inst in r.get("instances").and_then(J::as_array).map(Vec::as_slice).unwrap_or_default() {
            let index_key = inst.get("index_key").filter(|k| !k.is_null()).cloned();
            let key = match &index_key {
                None => None,
                Some(J::Number(n)) => Some(InstanceKey::Int(n.as_i64().ok_or_else(|| format!("{resource}: invalid instance key {n}"))?)),
                Some(J::String(s)) => Some(InstanceKey::Str(s.clone())),
                Some(other) => return Err(format!("{resource}: invalid instance key {other}")),
            };
            let addr = resource.instance(key);
            // A deposed object (the old object of an unfinished create-before-destroy
            // replacement) is kept under its own state key.
            let deposed = inst.get("deposed").and_then(J::as_str);
            let attributes = match inst.get("attributes") {
                Some(J::Object(m)) => Value::Map(Arc::new(
                    m.iter()
                        .map(|(k, v)| {
                            let v = match v.as_object() {
                                Some(o) if dynamic.contains(&k.as_str()) && o.contains_key("value") => Value::from_json(&o["value"]),
                                _ => Value::from_json(v),
                            };
                            (k.clone(), v)
                        })
                        .collect(),
                )),
                Some(J::Null) | None if inst.get("attributes_flat").is_some() => {
                    return Err(format!("{addr} is stored in the legacy flat attribute form: refresh the state with Terraform 0.12 or later first."))
                }
                Some(other) => Value::from_json(other),
                None => Value::Null,
            };
            let sensitive_paths = inst
                .get("sensitive_attributes")
                .and_then(J::as_array)
                .map(|paths| paths.iter().map(path_from_tf).collect::<Result<Vec<_>, _>>())
                .transpose()
                .map_err(|e| format!("{addr}: {e}"))?
                .unwrap_or_default();
            let dependencies =
                inst.get("dependencies").and_then(J::as_array).map(|d| d.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
            let address = match deposed {
                Some(key) => super::deposed_address(&addr.to_string(), key),
                None => addr.to_string(),
            };
            let entry = ResourceInstanceState {
                address: address.clone(),
                module: resource.module.to_string(),
                mode: mode_text.to_string(),
                type_name: type_name.to_string(),
                name: name.to_string(),
                index_key,
                provider: provider.to_string(),
                schema_version: inst.get("schema_version").and_then(J::as_u64).unwrap_or(0),
                attributes,
                sensitive_paths,
                dependencies,
                created_at: String::new(),
                updated_at: String::new(),
                tainted: inst.get("status").and_then(J::as_str) == Some("tainted"),
            };
            if resources.insert(address.clone(), entry).is_some() {
                return Err(format!("{address} appears twice in the state."));
            }
        }
    }
    Ok(State { lineage, serial, resources, outputs })
}

/// Parses the text of a Terraform state file.
pub fn parse_tfstate(text: &str) -> Result<State, String> {
    let json: J = serde_json::from_str(text).map_err(|e| format!("The state is not valid JSON: {e}."))?;
    from_tfstate(&json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(address: &str, module: &str, type_name: &str, name: &str, key: Option<J>, attributes: Value) -> ResourceInstanceState {
        ResourceInstanceState {
            address: address.into(),
            module: module.into(),
            mode: "managed".into(),
            type_name: type_name.into(),
            name: name.into(),
            index_key: key,
            provider: "provider[\"terraform.io/builtin/terraform\"]".into(),
            schema_version: 0,
            attributes,
            sensitive_paths: vec![],
            dependencies: vec![],
            created_at: String::new(),
            updated_at: String::new(),
            tainted: false,
        }
    }

    fn data(id: &str, input: Value) -> Value {
        Value::object([("id", Value::string(id)), ("input", input.clone()), ("output", input), ("triggers_replace", Value::Null)])
    }

    fn sample() -> State {
        let mut resources = BTreeMap::new();
        let mut a = instance("terraform_data.a", "", "terraform_data", "a", None, data("1", Value::string("x")));
        a.sensitive_paths = vec![vec![PathStep::Key("input".into())]];
        let mut b0 = instance(
            "terraform_data.b[0]",
            "",
            "terraform_data",
            "b",
            Some(json!(0)),
            data("2", Value::object([("l", Value::List(vec![Value::string("a")])), ("n", Value::Number(0.0))])),
        );
        b0.dependencies = vec!["terraform_data.a".into()];
        b0.tainted = true;
        let c = instance("module.m[\"k\"].terraform_data.c[\"x\"]", "module.m[\"k\"]", "terraform_data", "c", Some(json!("x")), data("3", Value::Number(1.5)));
        let mut file = instance(
            "module.m[\"k\"].local_file.f",
            "module.m[\"k\"]",
            "local_file",
            "f",
            None,
            Value::object([("content", Value::string("hi")), ("list", Value::List(vec![Value::Number(1.0), Value::Number(2.0)]))]),
        );
        file.provider = "provider[\"registry.terraform.io/hashicorp/local\"]".into();
        file.sensitive_paths = vec![vec![PathStep::Key("list".into()), PathStep::Index(1)]];
        for r in [a, b0, c, file] {
            resources.insert(r.address.clone(), r);
        }
        let outputs = BTreeMap::from([
            ("set".to_string(), OutputState { value: Value::set(vec![Value::string("b"), Value::string("a")]), sensitive: false }),
            ("num".to_string(), OutputState { value: Value::Number(42.0), sensitive: true }),
            (
                "obj".to_string(),
                OutputState {
                    value: Value::object([("s", Value::set(vec![Value::Number(1.0)])), ("t", Value::List(vec![Value::Bool(true)]))]),
                    sensitive: false,
                },
            ),
        ]);
        State { lineage: "6610a341-08e8-b23d-121d-e85dd9c2a691".into(), serial: 7, resources, outputs }
    }

    #[test]
    fn states_round_trip() {
        let s = sample();
        let back = from_tfstate(&to_tfstate(&s)).unwrap();
        assert_eq!(back, s);
        let text = to_tfstate_string(&s, &NoSchemas);
        assert_eq!(parse_tfstate(&text).unwrap(), s);
        assert!(text.starts_with("{\n  \"version\": 4,\n  \"terraform_version\": \"1.15.0\",\n  \"serial\": 7,\n  \"lineage\": "), "{text}");
        assert!(text.ends_with("  \"check_results\": null\n}\n"), "{text}");
    }

    #[test]
    fn written_like_terraform() {
        let j = to_tfstate(&sample());
        let resources = j["resources"].as_array().unwrap();
        // Root module first, then module.m["k"]; within a module, by mode, type and name.
        let names: Vec<String> = resources
            .iter()
            .map(|r| format!("{}{}.{}", r["module"].as_str().unwrap_or(""), r["type"].as_str().unwrap(), r["name"].as_str().unwrap()))
            .collect();
        assert_eq!(names, ["terraform_data.a", "terraform_data.b", "module.m[\"k\"]local_file.f", "module.m[\"k\"]terraform_data.c"]);
        let a = &resources[0];
        assert_eq!(a["provider"], json!("provider[\"terraform.io/builtin/terraform\"]"));
        assert!(a.get("module").is_none());
        let inst = &a["instances"][0];
        assert_eq!(inst["attributes"]["input"], json!({"value": "x", "type": "string"}));
        assert_eq!(inst["attributes"]["triggers_replace"], J::Null);
        assert_eq!(inst["sensitive_attributes"], json!([[{"type": "get_attr", "value": "input"}]]));
        assert!(inst.get("index_key").is_none() && inst.get("status").is_none() && inst.get("dependencies").is_none());
        let b = &resources[1]["instances"][0];
        assert_eq!(b["index_key"], json!(0));
        assert_eq!(b["status"], json!("tainted"));
        assert_eq!(b["dependencies"], json!(["terraform_data.a"]));
        assert_eq!(b["attributes"]["input"]["type"], json!(["object", {"l": ["tuple", ["string"]], "n": "number"}]));
        let f = &resources[2]["instances"][0];
        assert_eq!(f["attributes"]["list"], json!([1, 2]));
        assert_eq!(f["sensitive_attributes"], json!([[{"type": "get_attr", "value": "list"}, {"type": "index", "value": {"value": 1, "type": "number"}}]]));
        assert_eq!(j["outputs"]["set"], json!({"value": ["a", "b"], "type": ["set", "string"]}));
        assert_eq!(j["outputs"]["num"], json!({"value": 42, "type": "number", "sensitive": true}));
        assert_eq!(j["outputs"]["obj"]["type"], json!(["object", {"s": ["set", "number"], "t": ["tuple", ["bool"]]}]));
        assert_eq!(j["check_results"], J::Null);
    }

    #[test]
    fn schemas_shape_the_sensitive_places() {
        use crate::schema::{AttributeSchema, BlockSchema};
        struct One(BlockSchema);
        impl SchemaSource for One {
            fn block(&self, data: bool, type_name: &str) -> Option<&BlockSchema> {
                (!data && type_name == "terraform_data").then_some(&self.0)
            }
        }
        let schemas = One(BlockSchema::new([
            ("id", AttributeSchema::computed()),
            ("input", AttributeSchema::optional()),
            ("output", AttributeSchema::computed()),
            ("tags", AttributeSchema::optional().typed(AttrType::MapOfString)),
            ("secret", AttributeSchema::computed().sensitive()),
        ]));
        let mut s = sample();
        let a = s.resources.get_mut("terraform_data.a").unwrap();
        a.sensitive_paths = [vec!["input"], vec!["output"], vec!["tags", "k"], vec!["secret"]]
            .iter()
            .map(|p| p.iter().map(|k| PathStep::Key(k.to_string())).collect())
            .collect();
        let j = to_tfstate_with(&s, &schemas);
        assert_eq!(
            j["resources"][0]["instances"][0]["sensitive_attributes"],
            json!([
                [{"type": "get_attr", "value": "input"}],
                [{"type": "get_attr", "value": "tags"}, {"type": "index", "value": {"value": "k", "type": "string"}}],
                [{"type": "get_attr", "value": "secret"}]
            ])
        );
        let back = from_tfstate(&j).unwrap();
        assert_eq!(back.resources["terraform_data.a"].sensitive_paths.len(), 3);
    }

    /// A state written by Terraform 1.15 (`terraform_data` with count, for_each, a module, a
    /// sensitive input and outputs of several types).
    const TERRAFORM_STATE: &str = r#"{
  "version": 4, "terraform_version": "1.15.5", "serial": 7, "lineage": "6610a341-08e8-b23d-121d-e85dd9c2a691",
  "outputs": {
    "map": {"value": {"a": "1", "b": "2"}, "type": ["map", "string"]},
    "sens": {"value": "x", "type": "string", "sensitive": true},
    "set": {"value": ["a", "b"], "type": ["set", "string"]},
    "dyn": {"value": {"a": {"value": ["q"], "type": ["set", "string"]}}, "type": ["object", {"a": "dynamic"}]}
  },
  "resources": [
    {"mode": "managed", "type": "terraform_data", "name": "a", "provider": "provider[\"terraform.io/builtin/terraform\"]",
     "instances": [{"schema_version": 0,
       "attributes": {"id": "a02f", "input": {"value": "x", "type": "string"}, "output": {"value": "x", "type": "string"}, "triggers_replace": null},
       "sensitive_attributes": [[{"type": "get_attr", "value": "input"}]], "identity_schema_version": 0}]},
    {"mode": "managed", "type": "terraform_data", "name": "b", "each": "list", "provider": "provider[\"terraform.io/builtin/terraform\"]",
     "instances": [{"index_key": 1, "schema_version": 0,
       "attributes": {"id": "ff39", "input": {"value": {"s": ["q"], "m": {"k": "v"}}, "type": ["object", {"s": ["set", "string"], "m": ["map", "string"]}]}, "output": null, "triggers_replace": null},
       "sensitive_attributes": [], "dependencies": ["terraform_data.a"], "status": "tainted"}]},
    {"module": "module.m[\"x\"]", "mode": "data", "type": "local_file", "name": "f", "provider": "provider[\"registry.terraform.io/hashicorp/local\"]",
     "instances": [{"schema_version": 0, "attributes": {"content": "hi", "tags": {"k": "v"}},
       "sensitive_attributes": [[{"type": "get_attr", "value": "tags"}, {"type": "index", "value": {"value": "k", "type": "string"}}]]}]}
  ],
  "check_results": null
}"#;

    #[test]
    fn reads_terraforms_state() {
        let s = parse_tfstate(TERRAFORM_STATE).unwrap();
        assert_eq!((s.lineage.as_str(), s.serial), ("6610a341-08e8-b23d-121d-e85dd9c2a691", 7));
        let keys: Vec<&str> = s.resources.keys().map(String::as_str).collect();
        assert_eq!(keys, ["module.m[\"x\"].data.local_file.f", "terraform_data.a", "terraform_data.b[1]"]);
        let a = &s.resources["terraform_data.a"];
        assert_eq!(a.attributes.get_attr("input"), Some(&Value::string("x")));
        assert_eq!(a.sensitive_paths, vec![vec![PathStep::Key("input".into())]]);
        assert_eq!((a.index_key.clone(), a.module.as_str(), a.mode.as_str()), (None, "", "managed"));
        let b = &s.resources["terraform_data.b[1]"];
        assert!(b.tainted);
        assert_eq!(b.index_key, Some(json!(1)));
        assert_eq!(b.dependencies, ["terraform_data.a"]);
        // Attributes are plain JSON values, as the state database keeps them.
        assert_eq!(
            b.attributes.get_attr("input"),
            Some(&Value::object([("m", Value::object([("k", Value::string("v"))])), ("s", Value::List(vec![Value::string("q")]))]))
        );
        let f = &s.resources["module.m[\"x\"].data.local_file.f"];
        assert_eq!((f.module.as_str(), f.mode.as_str(), f.name.as_str()), ("module.m[\"x\"]", "data", "f"));
        assert_eq!(f.provider, "provider[\"registry.terraform.io/hashicorp/local\"]");
        assert_eq!(f.sensitive_paths, vec![vec![PathStep::Key("tags".into()), PathStep::Key("k".into())]]);
        // Outputs keep their sets.
        assert_eq!(s.outputs["set"].value, Value::set(vec![Value::string("a"), Value::string("b")]));
        assert_eq!(s.outputs["map"].value, Value::object([("a", Value::string("1")), ("b", Value::string("2"))]));
        assert!(s.outputs["sens"].sensitive && !s.outputs["set"].sensitive);
        assert_eq!(s.outputs["dyn"].value, Value::object([("a", Value::set(vec![Value::string("q")]))]));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let err = parse_tfstate(r#"{"version": 3, "serial": 1, "lineage": "x"}"#).unwrap_err();
        assert!(err.contains("version 3") && err.contains("only version 4"), "{err}");
        assert!(parse_tfstate("{}").unwrap_err().contains("no format \"version\""));
        assert!(parse_tfstate("nope").unwrap_err().contains("not valid JSON"));
        assert!(parse_tfstate(r#"{"version": 4, "serial": 1}"#).unwrap_err().contains("lineage"));
        let deposed = r#"{"version": 4, "serial": 1, "lineage": "l", "resources": [{"mode": "managed", "type": "terraform_data", "name": "a", "provider": "p",
            "instances": [{"schema_version": 0, "attributes": {}}, {"deposed": "00000001", "schema_version": 0, "attributes": {}}]}]}"#;
        // A deposed object is kept under its own key, and written back with its `deposed` key.
        let state = parse_tfstate(deposed).unwrap();
        let keys: Vec<&String> = state.resources.keys().collect();
        assert_eq!(keys, ["terraform_data.a", "terraform_data.a (deposed object 00000001)"]);
        let back = to_tfstate(&state);
        assert_eq!(back["resources"][0]["instances"][1]["deposed"], "00000001");
        assert!(back["resources"][0]["instances"][0].get("deposed").is_none());
        let empty = parse_tfstate(r#"{"version": 4, "serial": 0, "lineage": "l", "outputs": {}, "resources": [], "check_results": null}"#).unwrap();
        assert!(empty.resources.is_empty() && empty.outputs.is_empty());
    }

    #[test]
    fn types_of_values() {
        assert_eq!(type_of(&Value::Null), json!("dynamic"));
        assert_eq!(type_of(&Value::set(vec![])), json!(["set", "dynamic"]));
        assert_eq!(type_of(&Value::set(vec![Value::string("a"), Value::Number(1.0)])), json!(["set", "dynamic"]));
        assert_eq!(type_of(&Value::List(vec![Value::string("a").mark()])), json!(["tuple", ["string"]]));
        let v = Value::object([("l", Value::List(vec![Value::set(vec![Value::Bool(true)])]))]);
        assert_eq!(typed_value(&v.to_json(), &type_of(&v)), v);
        assert_eq!(typed_value(&json!("1.5"), &json!("number")), Value::Number(1.5));
        assert_eq!(typed_value(&json!({"a": [1]}), &json!(["map", ["list", "number"]])), Value::object([("a", Value::List(vec![Value::Number(1.0)]))]));
    }
}
