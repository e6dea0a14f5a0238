//! Backends and workspaces through the CLI: `terraform.workspace` and the `workspace`
//! commands on the local backend, `init -backend-config` / `-reconfigure` / `-migrate-state`,
//! a changed backend block refused until `init`, unknown backends and arguments as errors
//! with their location; and the same on PostgreSQL (`backend "pg"`, a real server started by
//! `scripts/test`): migration local -> pg -> local keeping lineage and serial, two applies
//! racing for the lock, and a killed apply whose lock the server releases.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{emulator, plan_code, skyform, stderr, stdout, succeeds, unique};

pub(crate) const DATA: &str = r#"
resource "terraform_data" "a" {
  input = "a-${terraform.workspace}"
}
resource "terraform_data" "b" {
  input = terraform_data.a.output
}
output "a" { value = terraform_data.a.output }
"#;

pub(crate) fn dir_with(main_tf: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("main.tf"), main_tf).unwrap();
    d
}

pub(crate) fn output(d: &Path, name: &str) -> String {
    stdout(&succeeds(d, &["output", "-raw", name]))
}

pub(crate) fn lineage_serial(d: &Path) -> (String, u64) {
    let v: serde_json::Value = serde_json::from_slice(&succeeds(d, &["state", "pull"]).stdout).unwrap();
    (v["lineage"].as_str().unwrap().to_string(), v["serial"].as_u64().unwrap())
}

#[test]
fn workspaces_isolate_state_and_name_terraform_workspace() {
    let d = dir_with(DATA);
    let p = d.path();
    succeeds(p, &["apply", "-auto-approve"]);
    assert_eq!(output(p, "a"), "a-default");
    let out = succeeds(p, &["workspace", "new", "dev"]);
    assert!(stdout(&out).contains("Created and switched to workspace \"dev\"!"), "{}", stdout(&out));
    assert_eq!(stdout(&succeeds(p, &["workspace", "show"])).trim(), "dev");
    assert_eq!(stdout(&succeeds(p, &["workspace", "list"])), "  default\n* dev\n\n");
    // A new workspace starts empty: everything is planned again, with its own name.
    let (code, text) = plan_code(p);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("\"a-dev\""), "{text}");
    succeeds(p, &["apply", "-auto-approve"]);
    assert_eq!(output(p, "a"), "a-dev");
    // TF_WORKSPACE overrides the selection, as in Terraform; one that does not exist is an
    // error, not a new empty workspace.
    let out = skyform(p).args(["output", "-raw", "a"]).env("TF_WORKSPACE", "default").output().unwrap();
    assert_eq!(stdout(&out), "a-default");
    let out = skyform(p).args(["plan"]).env("TF_WORKSPACE", "dve").output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("Currently selected workspace \"dve\" does not exist"), "{}", stderr(&out));
    assert!(!p.join(".skyform/workspaces/dve").exists());
    succeeds(p, &["workspace", "select", "default"]);
    assert_eq!(output(p, "a"), "a-default");
    assert_eq!(plan_code(p).0, Some(0));

    // Deleting: not the active one, not one that still tracks resources without -force.
    let out = skyform(p).args(["workspace", "delete", "default"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("is your active workspace"), "{}", stderr(&out));
    let out = skyform(p).args(["workspace", "delete", "dev"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("terraform_data.a") && stderr(&out).contains("-force"), "{}", stderr(&out));
    succeeds(p, &["workspace", "delete", "-force", "dev"]);
    assert_eq!(stdout(&succeeds(p, &["workspace", "list"])), "* default\n\n");
    let out = skyform(p).args(["workspace", "select", "dev"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("Workspace \"dev\" doesn't exist"), "{}", stderr(&out));
    succeeds(p, &["workspace", "select", "-or-create", "qa"]);
    assert_eq!(stdout(&succeeds(p, &["workspace", "show"])).trim(), "qa");
    let out = skyform(p).args(["workspace", "new", "a/b"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("not allowed"), "{}", stderr(&out));
}

#[test]
fn init_configures_the_local_backend_and_migrates_on_request() {
    let d = dir_with(&format!("{DATA}\nterraform {{\n  backend \"local\" {{}}\n}}\n"));
    let p = d.path();
    succeeds(p, &["apply", "-auto-approve"]);
    let before = lineage_serial(p);
    // Pointing the backend elsewhere while state exists needs a decision.
    let out = skyform(p).args(["init", "-backend-config=path=team.db"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("-migrate-state") && stderr(&out).contains("-reconfigure"), "{}", stderr(&out));
    assert!(!p.join("team.db").exists(), "nothing is written before the user decides");
    let out = succeeds(p, &["init", "-migrate-state", "-backend-config=path=team.db"]);
    assert!(stdout(&out).contains("Copied workspace \"default\" (2 resources"), "{}", stdout(&out));
    assert!(p.join("team.db").exists());
    assert_eq!(lineage_serial(p), before, "lineage and serial survive the copy");
    assert_eq!(plan_code(p).0, Some(0));

    // A changed block is refused until init says what to do with the state.
    std::fs::write(p.join("main.tf"), format!("{DATA}\nterraform {{\n  backend \"local\" {{\n    path = \"other.db\"\n  }}\n}}\n")).unwrap();
    let (code, text) = plan_code(p);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Backend initialization required") && text.contains("skyform init -migrate-state"), "{text}");
    succeeds(p, &["init", "-reconfigure"]);
    // -reconfigure does not copy: the new place is empty.
    assert_eq!(plan_code(p).0, Some(2));
}

#[test]
fn unknown_backends_and_arguments_are_errors_with_their_place() {
    let d = dir_with("terraform {\n  backend \"local\" {\n    bogus = 1\n  }\n}\n");
    let out = skyform(d.path()).args(["plan"]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("main.tf:3:5") && stderr(&out).contains("\"bogus\""), "{}", stderr(&out));
    let d = dir_with("terraform {\n  backend \"etcd\" {}\n}\n");
    let out = skyform(d.path()).args(["state", "list"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("no backend type named \"etcd\"") && stderr(&out).contains("main.tf:2:3"), "{}", stderr(&out));
    let d = dir_with("terraform {\n  backend \"local\" {}\n  backend \"pg\" {}\n}\n");
    let out = skyform(d.path()).args(["plan"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("Duplicate backend configuration"), "{}", stderr(&out));
    let d = dir_with(DATA);
    let out = skyform(d.path()).args(["init", "-backend-config=path=x.db"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("no backend block"), "{}", stderr(&out));
}

/// A configuration on the pg backend in a schema of its own.
fn pg_dir(conn: &str, schema: &str, body: &str) -> tempfile::TempDir {
    dir_with(&format!("{body}\nterraform {{\n  backend \"pg\" {{\n    conn_str    = \"{conn}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n"))
}

#[test]
fn pg_backend_holds_state_and_workspaces_and_migrates_both_ways() {
    let Some(conn) = emulator("SKYFORM_PG_CONN_STR") else { return };
    let schema = unique("pg").replace('-', "_");
    // Start local, then move to PostgreSQL with init -migrate-state.
    let d = dir_with(DATA);
    let p = d.path();
    succeeds(p, &["apply", "-auto-approve"]);
    let local = lineage_serial(p);
    std::fs::write(
        p.join("main.tf"),
        format!("{DATA}\nterraform {{\n  backend \"pg\" {{\n    conn_str    = \"{conn}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n"),
    )
    .unwrap();
    // Not before init: the new backend is empty, and planning there would create everything.
    let (code, text) = plan_code(p);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Backend initialization required") && text.contains("-migrate-state"), "{text}");
    let out = succeeds(p, &["init", "-migrate-state"]);
    assert!(stdout(&out).contains("Copied workspace \"default\""), "{}", stdout(&out));
    assert_eq!(lineage_serial(p), local);
    assert_eq!(plan_code(p).0, Some(0));
    // The audit history came along.
    let pg = skyform::state::StateStore::new(Box::new(skyform::state::pg::PgBackend::open(&conn, &schema, "default").unwrap()));
    let history = pg.history(10).unwrap();
    assert!(history.iter().any(|e| e.command.starts_with("apply") && e.added == 2), "{history:?}");
    drop(pg);
    // A second checkout (another CI runner) sees the same state without any local file.
    let other = pg_dir(&conn, &schema, DATA);
    assert_eq!(plan_code(other.path()).0, Some(0), "the state is shared");
    assert_eq!(output(other.path(), "a"), "a-default");
    // Workspaces are keys in the same schema.
    succeeds(p, &["workspace", "new", "staging"]);
    succeeds(p, &["apply", "-auto-approve"]);
    assert_eq!(output(p, "a"), "a-staging");
    assert_eq!(stdout(&succeeds(other.path(), &["workspace", "list"])), "* default\n  staging\n\n");
    succeeds(p, &["workspace", "select", "default"]);
    // And back to local: every workspace is copied.
    std::fs::write(p.join("main.tf"), DATA).unwrap();
    let out = succeeds(p, &["init", "-migrate-state"]);
    assert!(stdout(&out).contains("Copied workspace \"staging\""), "{}", stdout(&out));
    assert_eq!(lineage_serial(p), local);
    assert_eq!(plan_code(p).0, Some(0));
    succeeds(p, &["workspace", "select", "staging"]);
    assert_eq!(output(p, "a"), "a-staging");
}

/// A resource whose create takes `secs` seconds (a local-exec provisioner sleeping).
pub(crate) fn slow(secs: u32) -> String {
    format!(
        r#"
resource "terraform_data" "fast" {{
  input = 1
}}
resource "terraform_data" "slow" {{
  input = terraform_data.fast.output
  provisioner "local-exec" {{
    command = "sleep {secs}"
  }}
}}
"#
    )
}

fn wait_for_lock(p: &Path, holder: &mut std::process::Child) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Some(status) = holder.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut holder.stderr.take().unwrap(), &mut err).unwrap();
            panic!("the apply ended ({status}) before it was seen holding the lock: {err}");
        }
        let out = skyform(p).args(["plan", "-lock-timeout=0s"]).output().unwrap();
        if stderr(&out).contains("locked") {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the first apply never took the lock");
}

/// Two applies race on one workspace: exactly one runs, the other fails at once naming the
/// holder, or waits with -lock-timeout and then runs. Then an apply is killed (-9) in the
/// middle: what it committed before is kept; with `server_releases` (PostgreSQL ends the dead
/// session's lock) the next apply runs and says so, otherwise it explains the stale lock with
/// the exact force-unlock command, which clears it.
pub(crate) fn lock_race_and_kill(p: &Path, server_releases: bool) {
    let bin = assert_cmd::cargo::cargo_bin("skyform");
    let mut first = std::process::Command::new(&bin)
        .current_dir(p)
        .args(["apply", "-auto-approve", "-lock-timeout=30s"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_lock(p, &mut first);
    let start = Instant::now();
    let out = skyform(p).args(["apply", "-auto-approve"]).output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("operation apply") && err.contains(&format!("pid {}", first.id())), "{err}");
    let out = skyform(p).args(["apply", "-auto-approve", "-lock-timeout=60s"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(first.wait().unwrap().success());

    let mut victim = std::process::Command::new(&bin)
        .current_dir(p)
        .args(["apply", "-auto-approve", "-lock-timeout=30s", "-replace=terraform_data.slow"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The slow one is destroyed and created again (its new object committed at once, as in
    // Terraform), and its provisioner is still running when the kill comes.
    {
        use std::io::BufRead;
        let reader = std::io::BufReader::new(victim.stdout.take().unwrap());
        let creating = reader.lines().map_while(Result::ok).any(|l| l.starts_with("terraform_data.slow: Creating..."));
        assert!(creating, "the apply never got to the slow create");
    }
    std::thread::sleep(Duration::from_millis(300));
    victim.kill().unwrap();
    victim.wait().unwrap();
    let out = skyform(p).args(["state", "list"]).output().unwrap();
    assert_eq!(stdout(&out), "terraform_data.fast\nterraform_data.slow\n", "{}", stderr(&out));
    let out = skyform(p).args(["apply", "-auto-approve"]).output().unwrap();
    if server_releases {
        assert!(out.status.success(), "the killed holder's lock is gone: {}", stderr(&out));
        assert!(stderr(&out).contains("released by PostgreSQL when that session ended"), "{}", stderr(&out));
    } else {
        let err = stderr(&out);
        assert!(!out.status.success() && err.contains("the lock is stale") && err.contains(&format!("pid {}", victim.id())), "{err}");
        let id = err.split("skyform force-unlock ").nth(1).and_then(|s| s.split('`').next()).expect("the command to clear it").to_string();
        succeeds(p, &["force-unlock", "-force", &id]);
        succeeds(p, &["apply", "-auto-approve"]);
    }
    assert_eq!(plan_code(p).0, Some(0));
}

#[test]
fn local_lock_one_apply_at_a_time_and_a_killed_holder_is_reported_stale() {
    let d = dir_with(&slow(3));
    lock_race_and_kill(d.path(), false);
}

#[test]
fn pg_lock_one_apply_at_a_time_and_a_killed_holder_is_released() {
    let Some(conn) = emulator("SKYFORM_PG_CONN_STR") else { return };
    let schema = unique("pglock").replace('-', "_");
    let d = pg_dir(&conn, &schema, &slow(3));
    lock_race_and_kill(d.path(), true);
}

/// A fresh bucket on moto, and the backend block that keeps state in it.
fn s3_backend(endpoint: &str, key: &str) -> String {
    let bucket = unique("state");
    let rt = crate::common::rt();
    let s3 = rt.block_on(crate::test_aws::sdk(endpoint));
    crate::test_aws::create_bucket(&rt, &s3, &bucket);
    format!(
        r#"
terraform {{
  backend "s3" {{
    bucket                      = "{bucket}"
    key                         = "{key}"
    region                      = "eu-west-1"
    use_lockfile                = true
    encrypt                     = true
    use_path_style              = true
    endpoints                   = {{ s3 = "{endpoint}" }}
    access_key                  = "test"
    secret_key                  = "test"
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_s3_checksum            = true
  }}
}}
"#
    )
}

#[test]
fn s3_lock_one_apply_at_a_time_and_a_killed_holder_is_taken_over() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let d = dir_with(&format!("{}{}", slow(3), s3_backend(&endpoint, "race/terraform.tfstate")));
    lock_race_and_kill(d.path(), false);
}

#[test]
fn s3_state_is_terraforms_state_file_with_workspaces() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let backend = s3_backend(&endpoint, "app/terraform.tfstate");
    let d = dir_with(&format!("{DATA}{backend}"));
    let p = d.path();
    succeeds(p, &["apply", "-auto-approve"]);
    succeeds(p, &["workspace", "new", "dev"]);
    succeeds(p, &["apply", "-auto-approve"]);
    assert_eq!(stdout(&succeeds(p, &["workspace", "list"])), "  default\n* dev\n\n");
    // Another checkout sees both workspaces, with nothing on its disk.
    let other = dir_with(&format!("{DATA}{backend}"));
    assert_eq!(plan_code(other.path()).0, Some(0));
    assert_eq!(output(other.path(), "a"), "a-default");
    let out = skyform(other.path()).args(["output", "-raw", "a"]).env("TF_WORKSPACE", "dev").output().unwrap();
    assert_eq!(stdout(&out), "a-dev");
    // Terraform reads the same objects (its s3 backend is built in): no changes in either
    // workspace, and its writes read back in skyform.
    let Some(tf) = crate::common::terraform() else { return };
    let t = dir_with(&format!("{DATA}{backend}"));
    let run = |args: &[&str]| crate::common::run_terraform(&tf, t.path(), args);
    let out = run(&["init", "-input=false"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let out = crate::common::run_terraform(&tf, t.path(), &["workspace", "list"]);
    assert!(stdout(&out).contains("dev"), "{}", stdout(&out));
    let out = std::process::Command::new(&tf)
        .current_dir(t.path())
        .args(["apply", "-auto-approve", "-input=false", "-replace=terraform_data.a"])
        .env("TF_WORKSPACE", "dev")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = skyform(p).args(["plan", "-detailed-exitcode"]).env("TF_WORKSPACE", "dev").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn migrations_local_pg_s3_azurerm_local_keep_everything() {
    let Some(conn) = emulator("SKYFORM_PG_CONN_STR") else { return };
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let Some(blob) = emulator("SKYFORM_AZURITE_BLOB_ENDPOINT") else { return };
    let schema = unique("mig").replace('-', "_");
    let d = dir_with(DATA);
    let p = d.path();
    succeeds(p, &["apply", "-auto-approve"]);
    succeeds(p, &["workspace", "new", "blue"]);
    succeeds(p, &["apply", "-auto-approve"]);
    succeeds(p, &["workspace", "select", "default"]);
    let start = lineage_serial(p);
    let pg = format!("terraform {{\n  backend \"pg\" {{\n    conn_str    = \"{conn}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n");
    let s3 = s3_backend(&endpoint, "mig/terraform.tfstate");
    let (container, _client) = crate::test_azurerm_backend::container(&blob);
    let azurerm = crate::test_azurerm_backend::backend(&blob, &container, "mig/terraform.tfstate");
    for backend in [pg.as_str(), s3.as_str(), azurerm.as_str(), ""] {
        migrate_to(p, backend, &start);
    }
}

/// Moves the state of `p` (workspaces `default` and `blue`, `DATA` applied in each) to
/// `backend` with `init -migrate-state`, and checks nothing changed on the way.
pub(crate) fn migrate_to(p: &Path, backend: &str, start: &(String, u64)) {
    std::fs::write(p.join("main.tf"), format!("{DATA}{backend}")).unwrap();
    let out = succeeds(p, &["init", "-migrate-state"]);
    assert!(stdout(&out).contains("Copied workspace \"blue\""), "{}", stdout(&out));
    assert_eq!(&lineage_serial(p), start, "after moving to {backend}");
    assert_eq!(plan_code(p).0, Some(0), "after moving to {backend}");
    assert_eq!(output(p, "a"), "a-default");
    let out = skyform(p).args(["output", "-raw", "a"]).env("TF_WORKSPACE", "blue").output().unwrap();
    assert_eq!(stdout(&out), "a-blue");
}

pub(crate) const PRODUCER: &str = r#"
output "name" { value = "net-${terraform.workspace}" }
output "ids" { value = [1, 2] }
output "secret" {
  value     = "hunter2"
  sensitive = true
}
"#;

/// A consumer of another configuration's outputs through `terraform_remote_state`.
pub(crate) fn consumer(backend: &str, config: &str) -> String {
    format!(
        r#"
data "terraform_remote_state" "net" {{
  backend = "{backend}"
  config  = {config}
  defaults = {{ region = "eu" }}
}}
output "name" {{ value = data.terraform_remote_state.net.outputs.name }}
output "ids" {{ value = data.terraform_remote_state.net.outputs.ids }}
output "region" {{ value = data.terraform_remote_state.net.outputs.region }}
output "secret" {{
  value     = data.terraform_remote_state.net.outputs.secret
  sensitive = true
}}
"#
    )
}

pub(crate) fn check_consumer(d: &Path, name: &str) {
    let out = succeeds(d, &["apply", "-auto-approve"]);
    assert!(!stdout(&out).contains("hunter2"), "a sensitive output stays hidden: {}", stdout(&out));
    assert_eq!(output(d, "name"), name);
    assert_eq!(output(d, "region"), "eu", "defaults fill what the state lacks");
    assert_eq!(output(d, "secret"), "hunter2");
    let v: serde_json::Value = serde_json::from_slice(&succeeds(d, &["output", "-json", "ids"]).stdout).unwrap();
    assert_eq!(v, serde_json::json!([1, 2]));
}

#[test]
fn remote_state_reads_local_databases_and_terraform_state_files() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (root.path().join("net"), root.path().join("app"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("main.tf"), PRODUCER).unwrap();
    succeeds(&a, &["apply", "-auto-approve"]);
    std::fs::write(b.join("main.tf"), consumer("local", r#"{ path = "../net/.skyform/state.db" }"#)).unwrap();
    check_consumer(&b, "net-default");
    // A Terraform state file at `path` (a team that still runs Terraform for that part).
    let pulled = succeeds(&a, &["state", "pull"]).stdout;
    std::fs::write(a.join("terraform.tfstate"), pulled).unwrap();
    std::fs::write(b.join("main.tf"), consumer("local", r#"{ path = "../net/terraform.tfstate" }"#)).unwrap();
    check_consumer(&b, "net-default");
    // Nothing stored there is an error naming the data source.
    std::fs::write(b.join("main.tf"), consumer("local", r#"{ path = "../nowhere.db" }"#)).unwrap();
    let out = skyform(&b).args(["plan"]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Unable to find remote state") && stderr(&out).contains("data.terraform_remote_state.net"), "{}", stderr(&out));
    assert!(!b.join("../nowhere.db").exists(), "reading creates nothing");
    std::fs::write(b.join("main.tf"), consumer("local", r#"{ paht = "x" }"#)).unwrap();
    let out = skyform(&b).args(["plan"]).output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("\"paht\""), "{}", stderr(&out));
}

#[test]
fn remote_state_reads_s3_and_pg_workspaces() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let Some(conn) = emulator("SKYFORM_PG_CONN_STR") else { return };
    let backend = s3_backend(&endpoint, "net/terraform.tfstate");
    let a = dir_with(&format!("{PRODUCER}{backend}"));
    succeeds(a.path(), &["apply", "-auto-approve"]);
    succeeds(a.path(), &["workspace", "new", "prod"]);
    succeeds(a.path(), &["apply", "-auto-approve"]);
    let bucket = backend.split("bucket                      = \"").nth(1).and_then(|s| s.split('"').next()).unwrap();
    let config = format!(
        r#"{{
    bucket         = "{bucket}"
    key            = "net/terraform.tfstate"
    region         = "eu-west-1"
    use_path_style = true
    endpoints      = {{ s3 = "{endpoint}" }}
    access_key     = "test"
    secret_key     = "test"
  }}
  workspace = "prod""#
    );
    let b = dir_with(&consumer("s3", &config));
    check_consumer(b.path(), "net-prod");

    let schema = unique("rs").replace('-', "_");
    let p = pg_dir(&conn, &schema, PRODUCER);
    succeeds(p.path(), &["apply", "-auto-approve"]);
    let c = dir_with(&consumer("pg", &format!(r#"{{ conn_str = "{conn}", schema_name = "{schema}" }}"#)));
    check_consumer(c.path(), "net-default");
}
