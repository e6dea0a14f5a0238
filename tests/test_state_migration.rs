//! Moving between Terraform and skyform: `init -migrate-state` takes over a Terraform working
//! directory's `terraform.tfstate`, `state pull` writes a state Terraform plans against with no
//! changes, and `state push` guards lineage and serial as Terraform does. The Terraform halves
//! need the real Terraform (`SKYFORM_TERRAFORM`); without it they say so and pass vacuously.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{run_terraform, skyform, stderr, stdout, succeeds, terraform};

fn tf_or_skip(test: &str) -> Option<std::path::PathBuf> {
    let tf = terraform();
    if tf.is_none() {
        assert!(std::env::var_os("SKYFORM_REQUIRE_TERRAFORM").is_none(), "SKYFORM_REQUIRE_TERRAFORM is set but SKYFORM_TERRAFORM is not usable");
        eprintln!("{test}: skipped, no Terraform (set SKYFORM_TERRAFORM)");
    }
    tf
}

/// count, for_each, a module, a sensitive input, a dependency, and outputs of several types.
const CONFIG: &str = r#"
resource "terraform_data" "secret" {
  input = sensitive("s3cr3t")
}
resource "terraform_data" "counted" {
  count            = 2
  input            = { n = count.index, tags = ["a", "b"] }
  triggers_replace = [terraform_data.secret.id]
}
resource "terraform_data" "each" {
  for_each = toset(["x", "y"])
  input    = "value-${each.key}"
}
module "child" {
  source = "./child"
  name   = "kid"
}
output "set" {
  value = toset(["b", "a", terraform_data.each["x"].output])
}
output "number" {
  value = 42
}
output "object" {
  value = { a = 1, b = ["x"], id = terraform_data.counted[1].id }
}
output "secret" {
  value     = terraform_data.secret.output
  sensitive = true
}
output "child" {
  value = module.child.out
}
"#;

const CHILD: &str = r#"
variable "name" {
  type = string
}
resource "terraform_data" "inner" {
  input = var.name
}
output "out" {
  value = terraform_data.inner.output
}
"#;

/// Terraform writes `tomap(...)` as a map; skyform's values do not tell a map from an object,
/// so this output is only compared by value.
const MAP_OUTPUT: &str = r#"
output "map" {
  value = tomap({ a = "1", b = terraform_data.each["y"].output })
}
"#;

fn write_config(dir: &Path, extra: &str) {
    std::fs::write(dir.join("main.tf"), format!("{CONFIG}{extra}")).unwrap();
    std::fs::create_dir_all(dir.join("child")).unwrap();
    std::fs::write(dir.join("child/main.tf"), CHILD).unwrap();
}

/// `output -json` as name -> (value, sensitive, type).
fn outputs(json: &str) -> BTreeMap<String, (serde_json::Value, bool, serde_json::Value)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("bad output -json ({e}): {json}"));
    v.as_object()
        .expect("an object")
        .iter()
        .map(|(k, o)| (k.clone(), (o["value"].clone(), o["sensitive"].as_bool().unwrap_or(false), o["type"].clone())))
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().filter(|l| !l.is_empty()).map(String::from).collect();
    v.sort();
    v
}

fn tf_ok(tf: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    let out = run_terraform(tf, dir, args);
    assert!(out.status.success(), "terraform {}: {}{}", args.join(" "), stdout(&out), stderr(&out));
    out
}

#[test]
fn init_migrate_state_takes_over_a_terraform_directory() {
    let Some(tf) = tf_or_skip("init_migrate_state_takes_over_a_terraform_directory") else { return };
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write_config(dir, MAP_OUTPUT);
    tf_ok(&tf, dir, &["init", "-input=false", "-no-color"]);
    tf_ok(&tf, dir, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    // A second apply so that Terraform keeps a backup, which the migration must leave alone.
    std::fs::write(dir.join("main.tf"), format!("{CONFIG}{MAP_OUTPUT}\noutput \"extra\" {{\n  value = \"e\"\n}}\n")).unwrap();
    tf_ok(&tf, dir, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    let backup = std::fs::read(dir.join("terraform.tfstate.backup")).expect("Terraform wrote a backup");
    let tf_state: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("terraform.tfstate")).unwrap()).unwrap();
    let tf_list = lines(&stdout(&tf_ok(&tf, dir, &["state", "list"])));
    let tf_outputs = outputs(&stdout(&tf_ok(&tf, dir, &["output", "-json"])));
    assert_eq!(tf_list.len(), 6, "{tf_list:?}");

    let out = succeeds(dir, &["init", "-migrate-state", "-no-color"]);
    assert!(stdout(&out).contains("Copied 6 resource instances"), "{}", stdout(&out));
    assert!(!dir.join("terraform.tfstate").exists(), "terraform.tfstate was not renamed");
    assert!(dir.join("terraform.tfstate.migrated-to-skyform").exists());
    assert_eq!(std::fs::read(dir.join("terraform.tfstate.backup")).unwrap(), backup, "the backup was touched");

    // The same instances, lineage and serial.
    assert_eq!(lines(&stdout(&succeeds(dir, &["state", "list"]))), tf_list);
    let pulled: serde_json::Value = serde_json::from_str(&stdout(&succeeds(dir, &["state", "pull"]))).unwrap();
    assert_eq!(pulled["lineage"], tf_state["lineage"]);
    assert_eq!(pulled["serial"], tf_state["serial"]);

    // Nothing to do: skyform sees exactly what Terraform created.
    let out = skyform(dir).args(["plan", "-detailed-exitcode", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "skyform plan after migration:\n{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("No changes."), "{}", stdout(&out));

    // The same outputs (values and sensitivity; types where skyform's values carry them).
    let ours = outputs(&stdout(&succeeds(dir, &["output", "-json"])));
    assert_eq!(ours.keys().collect::<Vec<_>>(), tf_outputs.keys().collect::<Vec<_>>());
    for (name, (value, sensitive, ty)) in &tf_outputs {
        let (v, s, t) = &ours[name];
        assert_eq!((v, s), (value, sensitive), "output {name}");
        if name != "map" {
            assert_eq!(t, ty, "type of output {name}");
        }
    }

    // Running init again is harmless: there is nothing left to migrate.
    let out = succeeds(dir, &["init", "-migrate-state", "-no-color"]);
    assert!(!stdout(&out).contains("Copied"), "{}", stdout(&out));
}

#[test]
fn state_pull_gives_terraform_a_state_it_plans_no_changes_against() {
    let Some(tf) = tf_or_skip("state_pull_gives_terraform_a_state_it_plans_no_changes_against") else { return };
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write_config(dir, "");
    succeeds(dir, &["apply", "-auto-approve", "-no-color"]);
    let ours_list = lines(&stdout(&succeeds(dir, &["state", "list"])));
    let ours_outputs = outputs(&stdout(&succeeds(dir, &["output", "-json"])));
    let pulled = stdout(&succeeds(dir, &["state", "pull"]));
    assert!(pulled.starts_with("{\n  \"version\": 4,\n  \"terraform_version\": "), "{pulled}");
    std::fs::write(dir.join("terraform.tfstate"), &pulled).unwrap();

    tf_ok(&tf, dir, &["init", "-input=false", "-no-color"]);
    let out = run_terraform(&tf, dir, &["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(out.status.code(), Some(0), "terraform plan on skyform's state:\n{}{}", stdout(&out), stderr(&out));
    assert_eq!(lines(&stdout(&tf_ok(&tf, dir, &["state", "list"]))), ours_list);
    // Terraform reads the outputs back with their types.
    assert_eq!(outputs(&stdout(&tf_ok(&tf, dir, &["output", "-json"]))), ours_outputs);
    // And it can carry on from there.
    tf_ok(&tf, dir, &["apply", "-auto-approve", "-input=false", "-no-color"]);
}

/// A skyform directory with the configuration applied; returns its pulled state.
fn applied(dir: &Path) -> serde_json::Value {
    write_config(dir, "");
    succeeds(dir, &["apply", "-auto-approve", "-no-color"]);
    serde_json::from_str(&stdout(&succeeds(dir, &["state", "pull"]))).unwrap()
}

fn push(dir: &Path, state: &serde_json::Value, extra: &[&str]) -> std::process::Output {
    std::fs::write(dir.join("pushed.tfstate"), serde_json::to_string_pretty(state).unwrap()).unwrap();
    let mut args = vec!["state", "push", "-no-color"];
    args.extend_from_slice(extra);
    args.push("pushed.tfstate");
    skyform(dir).args(&args).output().unwrap()
}

#[test]
fn state_push_guards_lineage_and_serial() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let state = applied(dir);
    let serial = state["serial"].as_u64().unwrap();
    assert!(serial > 0);

    // The same state again: accepted, nothing changes.
    let out = push(dir, &state, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again: serde_json::Value = serde_json::from_str(&stdout(&succeeds(dir, &["state", "pull"]))).unwrap();
    assert_eq!(again, state);

    // An older serial is refused, and accepted with -force.
    let mut older = state.clone();
    older["serial"] = serde_json::json!(serial - 1);
    older["outputs"]["number"]["value"] = serde_json::json!(41);
    let out = push(dir, &older, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&format!("cannot import state with serial {} over newer state with serial {serial}", serial - 1)), "{}", stderr(&out));
    assert!(stderr(&out).contains("-force"), "{}", stderr(&out));
    let out = push(dir, &older, &["-force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let now: serde_json::Value = serde_json::from_str(&stdout(&succeeds(dir, &["state", "pull"]))).unwrap();
    assert_eq!(now["outputs"]["number"]["value"], 41);
    // A different state never takes a serial a saved plan may already have seen.
    assert_eq!(now["serial"], serial + 1);

    // Another lineage is refused, and accepted with -force (from stdin here).
    let mut other = state.clone();
    other["lineage"] = serde_json::json!("00000000-0000-0000-0000-000000000000");
    other["serial"] = serde_json::json!(serial + 10);
    let out = push(dir, &other, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot import state with lineage \"00000000-0000-0000-0000-000000000000\" over unrelated state with lineage"),
        "{}",
        stderr(&out)
    );
    let out = skyform(dir).args(["state", "push", "-force", "-"]).write_stdin(serde_json::to_string(&other).unwrap()).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let now: serde_json::Value = serde_json::from_str(&stdout(&succeeds(dir, &["state", "pull"]))).unwrap();
    assert_eq!((&now["lineage"], &now["serial"]), (&other["lineage"], &other["serial"]));

    // Not a version 4 state: refused whatever the flags.
    let mut old = state.clone();
    old["version"] = serde_json::json!(3);
    let out = push(dir, &old, &["-force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("version 3"), "{}", stderr(&out));

    // An empty state takes any push: a new directory with the same configuration then has
    // nothing to do.
    let e = tempfile::tempdir().unwrap();
    write_config(e.path(), "");
    let out = push(e.path(), &state, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = skyform(e.path()).args(["plan", "-detailed-exitcode", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(lines(&stdout(&succeeds(e.path(), &["state", "list"]))), lines(&stdout(&succeeds(dir, &["state", "list"]))));
}

#[test]
fn init_without_migrate_state_and_no_terminal_fails_with_the_hint() {
    // A Terraform-format state, written by skyform in another directory.
    let src = tempfile::tempdir().unwrap();
    let state = applied(src.path());
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write_config(dir, "");
    std::fs::write(dir.join("terraform.tfstate"), serde_json::to_string_pretty(&state).unwrap()).unwrap();

    for args in [&["init", "-no-color"][..], &["init", "-input=false", "-no-color"][..]] {
        let out = skyform(dir).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}{}", stdout(&out), stderr(&out));
        assert!(stderr(&out).contains("skyform init -migrate-state"), "{args:?}: {}", stderr(&out));
        assert!(dir.join("terraform.tfstate").exists(), "the Terraform state must stay where it is");
    }
    assert!(stdout(&skyform(dir).args(["state", "list"]).output().unwrap()).is_empty(), "nothing was copied");
    // plan and apply do not quietly plan to create everything again.
    for args in [&["plan", "-no-color"][..], &["apply", "-auto-approve", "-no-color"][..]] {
        let out = skyform(dir).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}{}", stdout(&out), stderr(&out));
        assert!(stderr(&out).contains("Terraform state not migrated") && stderr(&out).contains("skyform init -migrate-state"), "{args:?}: {}", stderr(&out));
    }
    assert!(stdout(&skyform(dir).args(["state", "list"]).output().unwrap()).is_empty(), "apply created nothing");

    // With the flag it goes through.
    let out = succeeds(dir, &["init", "-migrate-state", "-no-color"]);
    assert!(stdout(&out).contains("Copied 6 resource instances"), "{}", stdout(&out));
    let pulled: serde_json::Value = serde_json::from_str(&stdout(&succeeds(dir, &["state", "pull"]))).unwrap();
    assert_eq!((&pulled["lineage"], &pulled["serial"]), (&state["lineage"], &state["serial"]));
    let out = skyform(dir).args(["plan", "-detailed-exitcode", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

/// A Terraform state with an object of a type skyform does not implement (here written by
/// hand: the offline Terraform only has `terraform_data`): after migration the plan shows no
/// changes and lists it as kept, not managed; removed from the configuration, it is still kept,
/// never planned for a delete skyform could not do.
#[test]
fn unsupported_types_from_terraform_are_kept_not_managed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let provider = r#"
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
}
resource "terraform_data" "t" {
  input = "x"
}
"#;
    let glue = "resource \"aws_glue_catalog_database\" \"db\" {\n  name = \"analytics\"\n}\n";
    std::fs::write(d.join("main.tf"), format!("{provider}{glue}")).unwrap();
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.15.0", "serial": 3, "lineage": "5f1c9a4e-1b7e-4c55-9a55-000000000001", "outputs": {},
        "resources": [
            {"mode": "managed", "type": "aws_glue_catalog_database", "name": "db", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 0, "attributes": {"id": "123456789012:analytics", "name": "analytics", "arn": "arn:aws:glue:eu-west-1:123456789012:database/analytics"}, "sensitive_attributes": []}]},
            {"mode": "managed", "type": "terraform_data", "name": "t", "provider": "provider[\"terraform.io/builtin/terraform\"]",
             "instances": [{"schema_version": 0, "attributes": {"id": "e0b7c0de-0000-4000-8000-000000000001", "input": {"value": "x", "type": "string"}, "output": {"value": "x", "type": "string"}, "triggers_replace": null}, "sensitive_attributes": []}]}
        ],
        "check_results": null
    });
    std::fs::write(d.join("terraform.tfstate"), serde_json::to_string_pretty(&state).unwrap()).unwrap();
    succeeds(d, &["init", "-migrate-state"]);
    let plan = |d: &Path| {
        let out = skyform(d).args(["plan", "-detailed-exitcode"]).output().unwrap();
        (out.status.code(), format!("{}{}", stdout(&out), stderr(&out)))
    };
    let (code, text) = plan(d);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Resources kept, not managed") && text.contains("aws_glue_catalog_database.db (aws_glue_catalog_database)"), "{text}");
    // Gone from the configuration: still kept, and apply leaves it in state.
    std::fs::write(d.join("main.tf"), provider).unwrap();
    let (code, text) = plan(d);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Resources kept, not managed"), "{text}");
    succeeds(d, &["apply", "-auto-approve"]);
    let listed = stdout(&succeeds(d, &["state", "list"]));
    assert!(listed.contains("aws_glue_catalog_database.db"), "{listed}");
    // A new object of such a type is still an error: it cannot be created.
    std::fs::write(d.join("main.tf"), format!("{provider}{}", glue.replace("\"db\"", "\"other\""))).unwrap();
    let (code, text) = plan(d);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("not implemented yet"), "{text}");
}
