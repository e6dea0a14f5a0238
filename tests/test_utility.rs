//! The utility providers through the engine (`random`, `null`, `time`, `local`): plan, apply,
//! a no-op re-plan, and a force-new change that replaces.

use skyform::plan::Action;
use skyform::value::{PathStep, Value};

use crate::common::{action, changes, Fixture};

/// An attribute of a resource in the stored state.
fn stored(f: &Fixture, address: &str, name: &str) -> Value {
    f.store.load().expect("load").resources[address].attributes.get_attr(name).cloned().unwrap_or(Value::Null)
}

fn applies_cleanly(f: &Fixture) {
    let res = f.apply();
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    let again = f.plan().unwrap_or_else(|d| panic!("re-plan failed: {d}"));
    assert!(!again.has_changes(), "{:?}", changes(&again));
}

const RANDOM: &str = r#"
resource "random_password" "p" {
  length  = 24
  special = false
}

resource "random_integer" "i" {
  min     = 1
  max     = 1000000
  seed    = "fixed"
  keepers = { k = "1" }
}

resource "random_integer" "same_seed" {
  min  = 1
  max  = 1000000
  seed = "fixed"
}

resource "random_uuid" "u" {}

resource "random_shuffle" "s" {
  input        = ["a", "b", "c", "d"]
  result_count = 2
}

resource "random_bytes" "b" {
  length = 8
}

output "pw_length" {
  value     = length(random_password.p.result)
  sensitive = true
}
"#;

#[test]
fn random_types_plan_apply_and_replace_on_keepers() {
    let f = Fixture::new(RANDOM);
    let plan = f.plan().unwrap();
    for a in ["random_password.p", "random_integer.i", "random_uuid.u", "random_shuffle.s", "random_bytes.b"] {
        assert_eq!(action(&plan, a), Action::Create, "{a}");
    }
    let after = &plan.change("random_password.p").unwrap().after;
    assert!(after.get_attr("result").unwrap().is_sensitive() && after.get_attr("bcrypt_hash").unwrap().is_sensitive());
    applies_cleanly(&f);
    let state = f.store.load().unwrap();
    let pw = &state.resources["random_password.p"];
    assert!(pw.sensitive_paths.contains(&vec![PathStep::Key("result".into())]), "{:?}", pw.sensitive_paths);
    assert_eq!(pw.attributes.get_attr("result").and_then(Value::as_str).map(str::len), Some(24));
    // Same seed, same range: same number; the id is the number as a string.
    let n = stored(&f, "random_integer.i", "result");
    assert_eq!(n, stored(&f, "random_integer.same_seed", "result"));
    assert_eq!(stored(&f, "random_integer.i", "id"), Value::String((n.as_f64().unwrap() as i64).to_string()));
    assert!(matches!(stored(&f, "random_shuffle.s", "result"), Value::List(items) if items.len() == 2));
    assert_eq!(stored(&f, "random_bytes.b", "hex").as_str().map(str::len), Some(16));

    f.write("main.tf", &RANDOM.replace("k = \"1\"", "k = \"2\""));
    let plan = f.plan().unwrap();
    assert_eq!(changes(&plan), vec![("random_integer.i".to_string(), Action::DeleteThenCreate)]);
    applies_cleanly(&f);
}

#[test]
fn null_resource_replaces_on_triggers_and_data_source_copies_inputs() {
    let main = |t: &str| {
        format!(
            "resource \"null_resource\" \"n\" {{\n  triggers = {{ v = \"{t}\" }}\n}}\n\
             data \"null_data_source\" \"d\" {{\n  inputs = {{ id = null_resource.n.id }}\n}}\n\
             output \"copied\" {{\n  value = data.null_data_source.d.outputs.id\n}}\n"
        )
    };
    let f = Fixture::new(&main("1"));
    assert_eq!(action(&f.plan().unwrap(), "null_resource.n"), Action::Create);
    applies_cleanly(&f);
    let id = stored(&f, "null_resource.n", "id");
    assert!(id.as_str().unwrap().parse::<i64>().is_ok(), "{id:?}");
    f.write("main.tf", &main("2"));
    let plan = f.plan().unwrap();
    assert_eq!(action(&plan, "null_resource.n"), Action::DeleteThenCreate);
    applies_cleanly(&f);
    assert_ne!(stored(&f, "null_resource.n", "id"), id);
}

const TIME: &str = r#"
resource "time_static" "s" {
  rfc3339 = "2024-05-01T10:00:00Z"
}

resource "time_static" "now" {}

resource "time_offset" "o" {
  base_rfc3339 = time_static.s.rfc3339
  offset_days  = 7
}

resource "time_sleep" "w" {
  create_duration = "20ms"
}

resource "time_rotating" "r" {
  rotation_days = 30
}
"#;

#[test]
fn time_types_plan_apply_update_and_replace() {
    let f = Fixture::new(TIME);
    let plan = f.plan().unwrap();
    let s = &plan.change("time_static.s").unwrap().after;
    assert_eq!((s.get_attr("year"), s.get_attr("unix")), (Some(&Value::Number(2024.0)), Some(&Value::Number(1714557600.0))));
    applies_cleanly(&f);
    assert_eq!(stored(&f, "time_offset.o", "rfc3339"), Value::string("2024-05-08T10:00:00Z"));
    assert!(stored(&f, "time_static.now", "rfc3339").as_str().is_some_and(|t| t.ends_with('Z')));
    // A new offset is an in-place update whose result the plan already knows.
    f.write("main.tf", &TIME.replace("offset_days  = 7", "offset_days  = 1").replace("\"20ms\"", "\"30ms\""));
    let plan = f.plan().unwrap();
    let mut updated = changes(&plan);
    updated.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(updated, vec![("time_offset.o".to_string(), Action::Update), ("time_sleep.w".to_string(), Action::Update)]);
    assert_eq!(plan.change("time_offset.o").unwrap().after.get_attr("rfc3339"), Some(&Value::string("2024-05-02T10:00:00Z")));
    applies_cleanly(&f);
    // A new rfc3339 replaces time_static; time_offset's base follows as an update.
    f.write("main.tf", &TIME.replace("2024-05-01", "2025-05-01"));
    let plan = f.plan().unwrap();
    assert_eq!(action(&plan, "time_static.s"), Action::DeleteThenCreate);
    applies_cleanly(&f);
    assert_eq!(stored(&f, "time_offset.o", "rfc3339"), Value::string("2025-05-08T10:00:00Z"));
}

#[test]
fn time_rotating_is_created_again_once_the_rotation_time_has_passed() {
    let f = Fixture::new("resource \"time_rotating\" \"r\" {\n  rfc3339          = \"2020-01-01T00:00:00Z\"\n  rotation_minutes = 5\n}\n");
    let res = f.apply();
    assert!(!res.diagnostics.has_errors(), "{}", res.diagnostics);
    assert_eq!(stored(&f, "time_rotating.r", "rotation_rfc3339"), Value::string("2020-01-01T00:05:00Z"));
    // Long past: the refresh finds it gone and the plan creates it again.
    assert_eq!(action(&f.plan().unwrap(), "time_rotating.r"), Action::Create);
}

#[test]
fn local_sensitive_file_and_file_data_sources() {
    let f = Fixture::new("");
    let dir = f.path().to_string_lossy().into_owned();
    f.write("input.txt", "from disk");
    let main = |content: &str| {
        format!(
            "resource \"local_sensitive_file\" \"s\" {{\n  filename = \"{dir}/out/secret.txt\"\n  content  = \"{content}\"\n}}\n\
             data \"local_file\" \"in\" {{\n  filename = \"{dir}/input.txt\"\n}}\n\
             data \"local_sensitive_file\" \"in\" {{\n  filename = \"{dir}/input.txt\"\n}}\n\
             output \"plain\" {{\n  value = data.local_file.in.content\n}}\n"
        )
    };
    f.write("main.tf", &main("one"));
    let plan = f.plan().unwrap();
    assert_eq!(action(&plan, "local_sensitive_file.s"), Action::Create);
    assert!(plan.change("local_sensitive_file.s").unwrap().after.get_attr("content").unwrap().is_sensitive());
    let data = &plan.change("data.local_sensitive_file.in").unwrap().after;
    assert!(data.get_attr("content").unwrap().is_sensitive());
    assert_eq!(plan.change("data.local_file.in").unwrap().after.get_attr("content"), Some(&Value::string("from disk")));
    applies_cleanly(&f);
    assert_eq!(std::fs::read_to_string(f.path().join("out/secret.txt")).unwrap(), "one");
    assert_eq!(stored(&f, "local_sensitive_file.s", "file_permission"), Value::string("0700"));
    f.write("main.tf", &main("two"));
    assert_eq!(action(&f.plan().unwrap(), "local_sensitive_file.s"), Action::DeleteThenCreate);
    applies_cleanly(&f);
    assert_eq!(std::fs::read_to_string(f.path().join("out/secret.txt")).unwrap(), "two");
}

/// A check block's own data source is read before its assertions; a failing read warns (as in
/// Terraform), it does not stop the plan.
#[test]
fn check_blocks_read_their_own_data_sources() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("health.txt"), "degraded\n").unwrap();
    let config = r#"
check "health" {
  data "local_file" "status" {
    filename = "${path.module}/health.txt"
  }
  assert {
    condition     = trimspace(data.local_file.status.content) == "ok"
    error_message = "status is ${trimspace(data.local_file.status.content)}"
  }
}
check "missing" {
  data "local_file" "gone" {
    filename = "${path.module}/nope.txt"
  }
  assert {
    condition     = data.local_file.gone.content != ""
    error_message = "unreachable"
  }
}
"#;
    std::fs::write(d.join("main.tf"), config).unwrap();
    let out = crate::common::skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    let err = crate::common::stderr(&out);
    assert!(err.contains("Check block assertion failed") && err.contains("status is degraded"), "{err}");
    assert!(err.contains("check.missing.data.local_file.gone"), "{err}");
    std::fs::write(d.join("health.txt"), "ok\n").unwrap();
    let out = crate::common::skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert!(!crate::common::stderr(&out).contains("status is"), "{}", crate::common::stderr(&out));
}
