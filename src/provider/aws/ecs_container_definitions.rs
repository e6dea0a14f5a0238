//! `container_definitions` of `aws_ecs_task_definition` as the provider treats them, so a
//! definition written in any key order, with defaults spelled out or left out, plans no diff
//! against what ECS answers:
//!
//! * [`normalized`] is what state holds (the provider's state function): the containers'
//!   known fields only (keys matched case-insensitively, as Go's JSON decoder does), nulls and
//!   zero `cpu` dropped, all-empty entries of the object arrays dropped, `environment` and
//!   `secrets` sorted by name, keys sorted, no whitespace;
//! * [`equivalent`] is the provider's diff suppression: both sides reduced further (containers
//!   sorted by name, `essential` true unless false, health check defaults 30/3/5, port mappings'
//!   `tcp` protocol and zero host port dropped, and on `awsvpc` the host port equal to the
//!   container port, empty arrays dropped) and compared.

use serde_json::{Map, Value as Json};

/// The fields of an ECS `ContainerDefinition`: others are dropped, as the provider's decoding
/// into the SDK's type drops them.
const FIELDS: [&str; 42] = [
    "command",
    "cpu",
    "credentialSpecs",
    "dependsOn",
    "disableNetworking",
    "dnsSearchDomains",
    "dnsServers",
    "dockerLabels",
    "dockerSecurityOptions",
    "entryPoint",
    "environment",
    "environmentFiles",
    "essential",
    "extraHosts",
    "firelensConfiguration",
    "healthCheck",
    "hostname",
    "image",
    "interactive",
    "links",
    "linuxParameters",
    "logConfiguration",
    "memory",
    "memoryReservation",
    "mountPoints",
    "name",
    "portMappings",
    "privileged",
    "pseudoTerminal",
    "readonlyRootFilesystem",
    "repositoryCredentials",
    "resourceRequirements",
    "restartPolicy",
    "secrets",
    "startTimeout",
    "stopTimeout",
    "systemControls",
    "ulimits",
    "user",
    "versionConsistency",
    "volumesFrom",
    "workingDirectory",
];

/// The arrays of objects whose all-empty entries are dropped.
const OBJECT_ARRAYS: [&str; 11] = [
    "dependsOn",
    "environment",
    "environmentFiles",
    "extraHosts",
    "mountPoints",
    "portMappings",
    "resourceRequirements",
    "secrets",
    "systemControls",
    "ulimits",
    "volumesFrom",
];

/// Nulls dropped and integral numbers written as integers, at every depth; keys sorted.
fn clean(v: &Json) -> Json {
    match v {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().filter(|k| !m[*k].is_null()).collect();
            keys.sort();
            Json::Object(keys.into_iter().map(|k| (k.clone(), clean(&m[k]))).collect())
        }
        Json::Array(items) => Json::Array(items.iter().map(clean).collect()),
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Json::from(f as i64),
            _ => v.clone(),
        },
        _ => v.clone(),
    }
}

fn is_empty_object(v: &Json) -> bool {
    v.as_object().is_some_and(|m| m.is_empty())
}

/// One container decoded as the provider decodes it: known fields only, compacted.
fn decode(container: &Map<String, Json>) -> Map<String, Json> {
    let mut out = Map::new();
    for (k, v) in container {
        let Some(field) = FIELDS.iter().find(|f| f.eq_ignore_ascii_case(k)) else { continue };
        out.insert(field.to_string(), clean(v));
    }
    // `cpu` and `versionConsistency` are plain values in the SDK's type: zero is unset.
    let zero = |k: &str, v: &Json| v.is_null() || (k == "cpu" && v.as_i64() == Some(0)) || (k == "versionConsistency" && v.as_str() == Some(""));
    out.retain(|k, v| !zero(k, v));
    for k in OBJECT_ARRAYS {
        if let Some(Json::Array(items)) = out.get_mut(k) {
            items.retain(|i| !is_empty_object(i));
        }
    }
    out
}

fn sort_by_name(items: &mut [Json]) {
    items.sort_by(|a, b| a.get("name").and_then(Json::as_str).cmp(&b.get("name").and_then(Json::as_str)));
}

/// The decoded containers of a definitions document, or why it is not valid.
fn containers(text: &str) -> Result<Vec<Map<String, Json>>, String> {
    let doc: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let Json::Array(items) = doc else { return Err("expected a JSON array of container definitions".into()) };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Json::Object(m) = item else { return Err(format!("invalid container definition supplied at index ({i})")) };
        let c = decode(m);
        if c.is_empty() {
            return Err(format!("invalid container definition supplied at index ({i})"));
        }
        if let Some(v) = c.get("versionConsistency").and_then(Json::as_str).filter(|v| !["enabled", "disabled"].contains(v)) {
            return Err(format!("invalid version consistency value ({v}) for container definition supplied at index ({i})"));
        }
        out.push(c);
    }
    Ok(out)
}

/// The containers as the request sends them (decoded and compacted).
pub fn request(text: &str) -> Result<Json, String> {
    Ok(Json::Array(containers(text)?.into_iter().map(Json::Object).collect()))
}

/// The definitions as state holds them.
pub fn normalized(text: &str) -> Result<String, String> {
    let mut list = containers(text)?;
    for c in &mut list {
        for k in ["environment", "secrets"] {
            if let Some(Json::Array(items)) = c.get_mut(k) {
                sort_by_name(items);
            }
        }
    }
    Ok(clean(&Json::Array(list.into_iter().map(Json::Object).collect())).to_string())
}

/// The definitions reduced for comparison.
fn reduced(text: &str, awsvpc: bool) -> Result<Json, String> {
    let mut list = containers(text)?;
    for c in &mut list {
        for k in ["environment", "secrets"] {
            if let Some(Json::Array(items)) = c.get_mut(k) {
                sort_by_name(items);
            }
        }
        c.entry("essential").or_insert(Json::Bool(true));
        if let Some(Json::Object(hc)) = c.get_mut("healthCheck") {
            for (k, d) in [("interval", 30), ("retries", 3), ("timeout", 5)] {
                hc.entry(k).or_insert(Json::from(d));
            }
        }
        if let Some(Json::Array(ports)) = c.get_mut("portMappings") {
            for pm in ports.iter_mut().filter_map(Json::as_object_mut) {
                if matches!(pm.get("protocol").and_then(Json::as_str), Some("tcp" | "")) {
                    pm.remove("protocol");
                }
                if pm.get("hostPort").and_then(Json::as_i64) == Some(0) {
                    pm.remove("hostPort");
                }
                if awsvpc && !pm.contains_key("hostPort") {
                    if let Some(p) = pm.get("containerPort").cloned() {
                        pm.insert("hostPort".into(), p);
                    }
                }
            }
        }
        c.retain(|_, v| !matches!(v, Json::Array(a) if a.is_empty()));
    }
    let mut items: Vec<Json> = list.into_iter().map(Json::Object).collect();
    sort_by_name(&mut items);
    Ok(clean(&Json::Array(items)))
}

/// Whether two definitions documents are the same to ECS (`awsvpc`: the task's network mode).
pub fn equivalent(a: &str, b: &str, awsvpc: bool) -> bool {
    matches!((reduced(a, awsvpc), reduced(b, awsvpc)), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_form_sorts_keys_and_environment_and_drops_unknowns() {
        let got = normalized(
            r#"[{"name":"web","Image":"nginx","cpu":0,"foo":1,"memory":128.0,"environment":[{"name":"B","value":"2"},{"name":"A","value":"1"},{}]}]"#,
        )
        .unwrap();
        assert_eq!(got, r#"[{"environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"nginx","memory":128,"name":"web"}]"#);
        assert!(normalized("[{}]").unwrap_err().contains("index (0)"));
        assert!(normalized(r#"{"name":"x"}"#).is_err());
    }

    #[test]
    fn what_ecs_adds_is_equivalent() {
        let mine = r#"[{"name":"web","image":"nginx","memory":128,"portMappings":[{"containerPort":80}]}]"#;
        let ecs = r#"[{"name":"web","image":"nginx","cpu":0,"memory":128,"portMappings":[{"containerPort":80,"hostPort":80,"protocol":"tcp"}],"essential":true,"environment":[],"mountPoints":[],"volumesFrom":[]}]"#;
        assert!(equivalent(mine, ecs, true));
        assert!(!equivalent(mine, ecs, false), "outside awsvpc a host port is a choice");
        let bridge = r#"[{"name":"web","image":"nginx","cpu":0,"memory":128,"portMappings":[{"containerPort":80,"protocol":"tcp"}],"essential":true}]"#;
        assert!(equivalent(mine, bridge, false));
        assert!(!equivalent(mine, &mine.replace("nginx", "httpd"), false));
        let two = r#"[{"name":"b","image":"x","memory":1},{"name":"a","image":"y","memory":1,"essential":false}]"#;
        let swapped = r#"[{"name":"a","image":"y","memory":1,"essential":false},{"name":"b","image":"x","memory":1,"essential":true}]"#;
        assert!(equivalent(two, swapped, false));
    }
}
