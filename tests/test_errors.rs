//! Bad input: every case gets a clear message naming file:line:col or the address, a non-zero
//! exit, no panic, and an unchanged state.

use std::path::Path;

use crate::common::{skyform, stderr};

fn dir_with(main_tf: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("main.tf"), main_tf).unwrap();
    d
}

/// Runs plan and returns stderr, asserting exit code 1 and no panic.
fn plan_fails(d: &Path, extra: &[&str]) -> String {
    let out = skyform(d).arg("plan").args(extra).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn hcl_syntax_error() {
    let d = dir_with("resource \"terraform_data\" \"x\" {\n  input = \n}\n");
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("main.tf:2:") || err.contains("main.tf:3:"), "{err}");
}

#[test]
fn unknown_reference() {
    let d = dir_with("resource \"terraform_data\" \"x\" {\n  input = var.nope\n}\n");
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("Reference to undeclared input variable") && err.contains("main.tf:2:11"), "{err}");
}

#[test]
fn wrong_argument_type() {
    let d = dir_with("resource \"random_id\" \"x\" {\n  byte_length = \"many\"\n}\n");
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("main.tf:2:"), "{err}");
}

#[test]
fn unknown_function() {
    let d = dir_with("output \"o\" {\n  value = nosuchfn(1)\n}\n");
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("nosuchfn") && err.contains("main.tf:2:11"), "{err}");
}

#[test]
fn undeclared_variable_on_command_line() {
    let d = dir_with("output \"o\" {\n  value = 1\n}\n");
    let err = plan_fails(d.path(), &["-var=zzz=1"]);
    assert!(err.contains("Value for undeclared variable") && err.contains("zzz"), "{err}");
}

#[test]
fn missing_required_variable() {
    let d = dir_with("variable \"need\" {\n  type = string\n}\noutput \"o\" {\n  value = var.need\n}\n");
    let err = plan_fails(d.path(), &["-input=false"]);
    assert!(err.contains("No value for required variable") && err.contains("main.tf:1:1"), "{err}");
}

#[test]
fn failed_validation() {
    let d = dir_with(
        "variable \"n\" {\n  type = number\n  default = 5\n  validation {\n    condition = var.n > 10\n    error_message = \"n must exceed ten.\"\n  }\n}\n",
    );
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("n must exceed ten.") && err.contains("main.tf:1:1"), "{err}");
}

#[test]
fn cycle_names_every_node() {
    let d = dir_with("locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n");
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("Cycle"), "{err}");
    for n in ["local.a (main.tf:2)", "local.b (main.tf:3)", "local.c (main.tf:4)"] {
        assert!(err.contains(n), "{n} missing: {err}");
    }
}

#[test]
fn duplicate_resource_address() {
    let d = dir_with("resource \"terraform_data\" \"x\" {}\nresource \"terraform_data\" \"x\" {}\n");
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("Duplicate resource") && err.contains("main.tf:2:1"), "{err}");
}

#[test]
fn count_and_for_each_together() {
    let d = dir_with("resource \"terraform_data\" \"x\" {\n  count = 1\n  for_each = toset([\"a\"])\n}\n");
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("\"count\" and \"for_each\"") && err.contains("main.tf:3:3"), "{err}");
}

#[test]
fn unknown_resource_type() {
    let d = dir_with("resource \"terraform_dat\" \"x\" {}\n");
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("terraform_dat") && err.contains("main.tf:1:1"), "{err}");
}

#[test]
fn corrupt_state_database() {
    let d = dir_with("resource \"terraform_data\" \"x\" {}\n");
    std::fs::create_dir_all(d.path().join(".skyform")).unwrap();
    let garbage = b"this is not a database, just text that is long enough to look like a header".repeat(20);
    std::fs::write(d.path().join(".skyform/state.db"), &garbage).unwrap();
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("state.db"), "{err}");
    assert_eq!(std::fs::read(d.path().join(".skyform/state.db")).unwrap(), garbage);
}

#[test]
fn newer_schema_state_database() {
    let d = dir_with("resource \"terraform_data\" \"x\" {}\n");
    let db = d.path().join(".skyform/state.db");
    drop(skyform::state::StateStore::open(&db).unwrap());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "user_version", 9999).unwrap();
    drop(conn);
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("newer"), "{err}");
}

#[test]
fn held_lock_names_the_holder() {
    let d = dir_with("resource \"terraform_data\" \"x\" {}\n");
    let store = skyform::state::StateStore::open(&d.path().join(".skyform/state.db")).unwrap();
    let info = store.acquire_lock("apply", std::time::Duration::ZERO).unwrap();
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains(&info.id) && err.contains(&format!("pid {}", info.pid)), "{err}");
    let start = std::time::Instant::now();
    let err = plan_fails(d.path(), &["-lock-timeout=1s"]);
    assert!(start.elapsed() >= std::time::Duration::from_millis(900), "did not wait");
    assert!(err.contains(&info.id));
    store.release_lock(&info.id).unwrap();
    assert!(skyform(d.path()).arg("plan").output().unwrap().status.success());
}

#[test]
fn stale_saved_plan_is_refused() {
    let d = dir_with("resource \"terraform_data\" \"x\" {\n  input = 1\n}\n");
    assert!(skyform(d.path()).args(["plan", "-out=a.tfplan"]).output().unwrap().status.success());
    assert!(skyform(d.path()).args(["apply", "-auto-approve"]).output().unwrap().status.success());
    let out = skyform(d.path()).args(["apply", "a.tfplan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("stale"), "{}", stderr(&out));
}

#[test]
fn no_configuration_files() {
    let d = tempfile::tempdir().unwrap();
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("No configuration files"), "{err}");
}

#[test]
fn import_block_for_undeclared_resource() {
    let d = dir_with("import {\n  to = terraform_data.missing\n  id = \"x\"\n}\n");
    let err = plan_fails(d.path(), &[]);
    assert!(err.contains("Configuration for import target does not exist") && err.contains("main.tf:1:"), "{err}");
}

#[test]
fn invalid_utf8_is_located_at_its_first_bad_byte() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("main.tf"), b"resource \"terraform_data\" \"b\" {\n  input = \"\xc3\xa9\xff\xfe\"\n}\n").unwrap();
    let err = plan_fails(d.path(), &[]);
    // Column 13: the first bad byte follows `  input = "` and the two-byte "é".
    assert!(err.contains("Invalid character encoding") && err.contains("main.tf:2:13"), "{err}");
}

/// An attribute in the provider's schema that skyform's driver does not implement would read
/// null: referring to it is an error at each reference (`validate` and `plan`), while
/// implemented attributes of the same resource are fine.
#[test]
fn references_to_unimplemented_attributes_are_errors() {
    let d = dir_with(
        "provider \"aws\" {\n  region = \"eu-west-1\"\n  access_key = \"t\"\n  secret_key = \"t\"\n  skip_credentials_validation = true\n}\nresource \"aws_instance\" \"web\" {\n  count         = 1\n  ami           = \"ami-1\"\n  instance_type = \"t3.micro\"\n}\noutput \"zone\" {\n  value = aws_instance.web[0].availability_zone\n}\noutput \"zones\" {\n  value = aws_instance.web[*].availability_zone\n}\noutput \"id\" {\n  value = aws_instance.web[0].id\n}\n",
    );
    let err = plan_fails(d.path(), &[]);
    assert_eq!(err.matches("Attribute not implemented").count(), 2, "{err}");
    assert!(err.contains("main.tf:13:11") && err.contains("main.tf:16:11") && err.contains("\"availability_zone\""), "{err}");
    let out = skyform(d.path()).args(["validate", "-no-color"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("Attribute not implemented"), "{}", stderr(&out));
}
