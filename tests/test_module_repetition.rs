//! `count` and `for_each` on module calls, checked against Terraform 1.15 (`SKYFORM_TERRAFORM`)
//! with `terraform_data`: the same module instance addresses, actions, reasons and outputs
//! through create, key changes and a no-op plan; nested repeated modules; `depends_on` on a
//! module; module addresses in `state mv` and `-target`.

use std::path::Path;

use crate::common::{run_terraform, skyform, stderr, stdout, terraform};

const LEAF: &str = r#"
variable "label" {
  type = string
}
resource "terraform_data" "x" {
  input = var.label
}
output "id" {
  value = terraform_data.x.output
}
"#;

const APP: &str = r#"
variable "name" {
  type = string
}
variable "region" {
  type = string
}
resource "terraform_data" "d" {
  input = "${var.name}-${var.region}"
}
resource "terraform_data" "e" {
  input = terraform_data.d.output
}
module "inner" {
  source   = "../leaf"
  for_each = toset(["a", "b"])
  label    = "${var.name}-${each.key}"
}
output "label" {
  value = terraform_data.d.output
}
output "inner" {
  value = { for k, m in module.inner : k => m.id }
}
"#;

const ROOT: &str = r#"
variable "envs" {
  type    = map(string)
  default = { eu = "eu-west-1", us = "us-east-1" }
}
variable "n" {
  type    = number
  default = 2
}
module "app" {
  source   = "./modules/app"
  for_each = var.envs
  name     = each.key
  region   = each.value
}
module "counted" {
  source = "./modules/leaf"
  count  = var.n
  label  = "c${count.index}"
}
module "after" {
  source     = "./modules/leaf"
  depends_on = [module.app]
  label      = "after"
}
output "labels" {
  value = { for k, m in module.app : k => m.label }
}
output "counted" {
  value = module.counted[*].id
}
output "nested" {
  value = module.app["eu"].inner
}
"#;

fn write_config(dir: &Path) {
    std::fs::create_dir_all(dir.join("modules/app")).unwrap();
    std::fs::create_dir_all(dir.join("modules/leaf")).unwrap();
    std::fs::write(dir.join("main.tf"), ROOT).unwrap();
    std::fs::write(dir.join("modules/app/main.tf"), APP).unwrap();
    std::fs::write(dir.join("modules/leaf/main.tf"), LEAF).unwrap();
}

/// (address, module_address, actions, action_reason) of every planned change.
fn changes(show_json: &str) -> Vec<(String, serde_json::Value, serde_json::Value, serde_json::Value)> {
    let doc: serde_json::Value = serde_json::from_str(show_json).unwrap_or_else(|e| panic!("bad JSON ({e}): {show_json}"));
    doc["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["address"].as_str().unwrap().to_string(), c["module_address"].clone(), c["change"]["actions"].clone(), c["action_reason"].clone()))
        .collect()
}

fn outputs(json: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("bad output -json ({e}): {json}"));
    v.as_object().unwrap().iter().map(|(k, o)| (k.clone(), o["value"].clone())).collect()
}

fn ok(out: std::process::Output, what: &str) -> String {
    assert!(out.status.success(), "{what}: {}\n{}", stdout(&out), stderr(&out));
    stdout(&out)
}

#[test]
fn module_count_and_for_each_match_terraform() {
    let tf = terraform();
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    write_config(ours.path());
    write_config(theirs.path());
    let s = |args: &[&str]| skyform(ours.path()).args(args).output().unwrap();

    // Create: every module instance, nested ones included.
    ok(s(&["apply", "-auto-approve"]), "skyform apply");
    let list = ok(s(&["state", "list"]), "state list");
    for addr in [
        "module.app[\"eu\"].terraform_data.d",
        "module.app[\"us\"].module.inner[\"b\"].terraform_data.x",
        "module.counted[1].terraform_data.x",
        "module.after.terraform_data.x",
    ] {
        assert!(list.lines().any(|l| l == addr), "{addr} not in state:\n{list}");
    }
    assert_eq!(list.lines().count(), 2 * 4 + 2 + 1, "{list}");
    let ours_out = outputs(&ok(s(&["output", "-json"]), "output"));
    assert_eq!(ours_out["labels"], serde_json::json!({"eu": "eu-eu-west-1", "us": "us-us-east-1"}));
    assert_eq!(ours_out["counted"], serde_json::json!(["c0", "c1"]));
    assert_eq!(ours_out["nested"], serde_json::json!({"a": "eu-a", "b": "eu-b"}));
    // No changes on a second plan.
    let again = s(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}{}", stdout(&again), stderr(&again));

    // A key removed, one added, a count shrunk: instances of removed module instances are
    // destroyed "because module.app["us"] is not in configuration".
    let vars = "envs = { eu = \"eu-west-1\", ap = \"ap-south-1\" }\nn = 1\n";
    std::fs::write(ours.path().join("terraform.tfvars"), vars).unwrap();
    ok(s(&["plan", "-out=p.plan"]), "skyform plan");
    let text = ok(s(&["plan", "-no-color"]), "skyform plan text");
    assert!(text.contains("# module.app[\"us\"].terraform_data.d will be destroyed\n  # (because module.app[\"us\"] is not in configuration)"), "{text}");
    let mine = changes(&ok(s(&["show", "-json", "p.plan"]), "skyform show"));
    assert!(mine.iter().any(|c| c.0 == "module.counted[1].terraform_data.x" && c.3 == "delete_because_no_module"), "{mine:?}");
    assert!(
        mine.iter().any(|c| c.0 == "module.app[\"ap\"].module.inner[\"a\"].terraform_data.x" && c.1 == "module.app[\"ap\"].module.inner[\"a\"]"),
        "{mine:?}"
    );

    let Some(tf) = tf else {
        assert!(std::env::var_os("SKYFORM_REQUIRE_TERRAFORM").is_none(), "SKYFORM_REQUIRE_TERRAFORM is set but SKYFORM_TERRAFORM is not usable");
        eprintln!("module_count_and_for_each_match_terraform: Terraform comparison skipped (set SKYFORM_TERRAFORM)");
        return;
    };
    let t = |args: &[&str]| run_terraform(&tf, theirs.path(), args);
    ok(t(&["init", "-input=false"]), "terraform init");
    ok(t(&["apply", "-auto-approve", "-input=false"]), "terraform apply");
    assert_eq!(ours_out, outputs(&ok(t(&["output", "-json"]), "terraform output")));
    std::fs::write(theirs.path().join("terraform.tfvars"), vars).unwrap();
    ok(t(&["plan", "-out=p.plan", "-input=false"]), "terraform plan");
    let theirs_changes = changes(&ok(t(&["show", "-json", "p.plan"]), "terraform show"));
    assert_eq!(mine, theirs_changes);

    // Apply both: the same outputs, the same state addresses.
    ok(s(&["apply", "-auto-approve"]), "skyform apply 2");
    ok(t(&["apply", "-auto-approve", "-input=false"]), "terraform apply 2");
    assert_eq!(outputs(&ok(s(&["output", "-json"]), "output")), outputs(&ok(t(&["output", "-json"]), "terraform output")));
    let sorted = |text: String| {
        let mut v: Vec<String> = text.lines().map(str::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(sorted(ok(s(&["state", "list"]), "state list")), sorted(ok(t(&["state", "list"]), "terraform state list")));
}

#[test]
fn module_repetition_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path());
    let both = ROOT.replace("  count  = var.n\n", "  count  = var.n\n  for_each = {}\n");
    std::fs::write(dir.path().join("main.tf"), both).unwrap();
    let out = skyform(dir.path()).args(["plan", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Invalid combination of \"count\" and \"for_each\""), "{}", stderr(&out));

    let unknown = ROOT.replace("for_each = var.envs", "for_each = { for k, v in var.envs : k => v if terraform_data.t.output != \"\" }")
        + "resource \"terraform_data\" \"t\" {\n  input = \"x\"\n}\n";
    std::fs::write(dir.path().join("main.tf"), unknown).unwrap();
    let out = skyform(dir.path()).args(["plan", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("Invalid for_each argument") && err.contains("main.tf:12:"), "{err}");
}

#[test]
fn module_instances_in_state_mv_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_config(d);
    let s = |args: &[&str]| skyform(d).args(args).output().unwrap();
    ok(s(&["apply", "-auto-approve"]), "apply");

    // -target on a resource in a repeated module plans that resource (in each instance) and
    // what it needs, nothing else.
    let out = ok(s(&["plan", "-no-color", "-replace=module.app[\"eu\"].terraform_data.d", "-target=module.app[\"eu\"].terraform_data.d"]), "plan -target");
    assert!(out.contains("# module.app[\"eu\"].terraform_data.d will be replaced, as requested"), "{out}");
    assert!(!out.contains("# module.counted") && out.contains("Plan: 1 to add, 0 to change, 1 to destroy."), "{out}");

    // A module instance as the target: only its resources (and what they need).
    let out = ok(
        s(&["plan", "-no-color", "-replace=module.counted[1].terraform_data.x", "-replace=module.counted[0].terraform_data.x", "-target=module.counted[1]"]),
        "plan -target module",
    );
    assert!(out.contains("# module.counted[1].terraform_data.x will be replaced, as requested"), "{out}");
    assert!(!out.contains("# module.counted[0]") && out.contains("Plan: 1 to add, 0 to change, 1 to destroy."), "{out}");
    let out = ok(s(&["plan", "-no-color", "-replace=module.app[\"us\"].module.inner[\"a\"].terraform_data.x", "-target=module.app"]), "plan -target call");
    assert!(out.contains("# module.app[\"us\"].module.inner[\"a\"].terraform_data.x will be replaced"), "{out}");
    let bad = s(&["plan", "-target=module."]);
    assert_eq!(bad.status.code(), Some(1));

    // state mv of a whole module instance moves every resource under it.
    let moved = ok(s(&["state", "mv", "module.app[\"us\"]", "module.app[\"ca\"]"]), "state mv module");
    assert!(moved.contains("Successfully moved 4 object(s)."), "{moved}");
    let list = ok(s(&["state", "list"]), "state list");
    assert!(list.contains("module.app[\"ca\"].module.inner[\"a\"].terraform_data.x"), "{list}");
    assert!(!list.contains("module.app[\"us\"]"), "{list}");
    // And back, with a resource address: all its instances.
    ok(s(&["state", "mv", "module.app[\"ca\"]", "module.app[\"us\"]"]), "state mv back");
    let again = s(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}{}", stdout(&again), stderr(&again));
    let out = s(&["state", "mv", "module.nope", "module.other"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("module.nope"), "{}", stderr(&out));
}
