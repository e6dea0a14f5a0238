//! `moved` and `removed` blocks, checked against Terraform 1.15 (`SKYFORM_TERRAFORM`) with
//! `terraform_data`: a refactoring (rename, count -> for_each, into a module, a module rename,
//! an implied count move, a forgotten resource) plans no create and no destroy, with the same
//! addresses, previous addresses, actions and reasons as Terraform's plan JSON; apply moves the
//! state; the errors Terraform gives for bad statements.

use std::path::Path;

use crate::common::{run_terraform, skyform, stderr, stdout, terraform};

const LEAF: &str = r#"
variable "label" {
  type = string
}
resource "terraform_data" "x" {
  input = var.label
}
"#;

const BEFORE: &str = r#"
resource "terraform_data" "old" {
  input = "a"
}
resource "terraform_data" "list" {
  count = 2
  input = "l${count.index}"
}
resource "terraform_data" "solo" {
  input = "s"
}
resource "terraform_data" "gone" {
  input = "g"
}
resource "terraform_data" "single" {
  input = "one"
}
module "m" {
  source = "./modules/leaf"
  label  = "m"
}
"#;

const AFTER: &str = r#"
resource "terraform_data" "new" {
  input = "a"
}
moved {
  from = terraform_data.old
  to   = terraform_data.new
}
resource "terraform_data" "list" {
  for_each = { x = "l0", y = "l1" }
  input    = each.value
}
moved {
  from = terraform_data.list[0]
  to   = terraform_data.list["x"]
}
moved {
  from = terraform_data.list[1]
  to   = terraform_data.list["y"]
}
module "box" {
  source = "./modules/leaf"
  label  = "s"
}
moved {
  from = terraform_data.solo
  to   = module.box.terraform_data.x
}
removed {
  from = terraform_data.gone
  lifecycle {
    destroy = false
  }
}
resource "terraform_data" "single" {
  count = 1
  input = "one"
}
module "renamed" {
  source = "./modules/leaf"
  label  = "m"
}
moved {
  from = module.m
  to   = module.renamed
}
"#;

fn write(dir: &Path, main: &str) {
    std::fs::create_dir_all(dir.join("modules/leaf")).unwrap();
    std::fs::write(dir.join("modules/leaf/main.tf"), LEAF).unwrap();
    std::fs::write(dir.join("main.tf"), main).unwrap();
}

type Change = (String, serde_json::Value, serde_json::Value, serde_json::Value);

/// (address, previous_address, actions, action_reason) of every planned change.
fn changes(show_json: &str) -> Vec<Change> {
    let doc: serde_json::Value = serde_json::from_str(show_json).unwrap_or_else(|e| panic!("bad JSON ({e}): {show_json}"));
    doc["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["address"].as_str().unwrap().to_string(), c["previous_address"].clone(), c["change"]["actions"].clone(), c["action_reason"].clone()))
        .collect()
}

fn ok(out: std::process::Output, what: &str) -> String {
    assert!(out.status.success(), "{what}: {}\n{}", stdout(&out), stderr(&out));
    stdout(&out)
}

fn sorted(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn a_refactoring_with_moved_blocks_plans_no_create_or_destroy_like_terraform() {
    let ours = tempfile::tempdir().unwrap();
    write(ours.path(), BEFORE);
    let s = |args: &[&str]| skyform(ours.path()).args(args).output().unwrap();
    ok(s(&["apply", "-auto-approve"]), "apply");
    let ids_before = ok(s(&["show", "-json"]), "show");
    write(ours.path(), AFTER);
    ok(s(&["plan", "-out=p.plan"]), "plan");
    let mine = changes(&ok(s(&["show", "-json", "p.plan"]), "show plan"));
    for (address, _, actions, _) in &mine {
        let a = actions.to_string();
        assert!(!a.contains("create") && !a.contains("delete"), "{address} plans {a}: {mine:?}");
    }
    let moved: Vec<(&str, &str)> = mine.iter().filter_map(|c| Some((c.0.as_str(), c.1.as_str()?))).collect();
    for pair in [
        ("terraform_data.new", "terraform_data.old"),
        ("terraform_data.list[\"x\"]", "terraform_data.list[0]"),
        ("module.box.terraform_data.x", "terraform_data.solo"),
        ("module.renamed.terraform_data.x", "module.m.terraform_data.x"),
        ("terraform_data.single[0]", "terraform_data.single"),
    ] {
        assert!(moved.contains(&pair), "{pair:?} not in {moved:?}");
    }
    assert!(mine.iter().any(|c| c.0 == "terraform_data.gone" && c.2 == serde_json::json!(["forget"])), "{mine:?}");
    // The pull-request comment lists the moves and the forgotten object too.
    let md = ok(s(&["show", "-markdown", "p.plan"]), "show -markdown");
    assert!(md.contains("| `terraform_data.new` | move | moved from `terraform_data.old` |"), "{md}");
    assert!(md.contains("`terraform_data.gone` | forget"), "{md}");
    let text = ok(s(&["plan", "-no-color"]), "plan text");
    assert!(text.contains("  # terraform_data.old has moved to terraform_data.new\n"), "{text}");
    assert!(text.contains("# terraform_data.gone will no longer be managed by skyform, but will not be destroyed"), "{text}");

    // Apply moves the rows; the objects keep their ids; the next plan has nothing to do.
    let applied = ok(s(&["apply", "-auto-approve", "p.plan"]), "apply plan");
    assert!(applied.contains("0 added, 0 changed, 0 destroyed"), "{applied}");
    let list = ok(s(&["state", "list"]), "state list");
    assert_eq!(
        sorted(&list),
        sorted("module.box.terraform_data.x\nmodule.renamed.terraform_data.x\nterraform_data.list[\"x\"]\nterraform_data.list[\"y\"]\nterraform_data.new\nterraform_data.single[0]\n")
    );
    let ids_after = ok(s(&["show", "-json"]), "show");
    let ids = |doc: &str| -> Vec<String> {
        let mut v: Vec<String> = doc.match_indices("\"id\":\"").map(|(i, _)| doc[i + 6..i + 42].to_string()).collect();
        v.sort();
        v
    };
    let (before, after) = (ids(&ids_before), ids(&ids_after));
    assert!(after.iter().all(|id| before.contains(id)) && after.len() == before.len() - 1, "{before:?} -> {after:?}");
    let again = s(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}{}", stdout(&again), stderr(&again));

    let Some(tf) = terraform() else {
        assert!(std::env::var_os("SKYFORM_REQUIRE_TERRAFORM").is_none(), "SKYFORM_REQUIRE_TERRAFORM is set but SKYFORM_TERRAFORM is not usable");
        eprintln!("refactoring: Terraform comparison skipped (set SKYFORM_TERRAFORM)");
        return;
    };
    let theirs = tempfile::tempdir().unwrap();
    write(theirs.path(), BEFORE);
    let t = |args: &[&str]| run_terraform(&tf, theirs.path(), args);
    ok(t(&["init", "-input=false"]), "terraform init");
    ok(t(&["apply", "-auto-approve", "-input=false"]), "terraform apply");
    write(theirs.path(), AFTER);
    ok(t(&["init", "-input=false"]), "terraform init 2");
    ok(t(&["plan", "-out=p.plan", "-input=false"]), "terraform plan");
    assert_eq!(mine, changes(&ok(t(&["show", "-json", "p.plan"]), "terraform show")));
    ok(t(&["apply", "-auto-approve", "-input=false", "p.plan"]), "terraform apply plan");
    assert_eq!(sorted(&list), sorted(&ok(t(&["state", "list"]), "terraform state list")));
}

#[test]
fn bad_moved_blocks_are_errors_like_terraforms() {
    let dir = tempfile::tempdir().unwrap();
    let config = r#"
resource "terraform_data" "b" {
  input = "y"
}
resource "terraform_data" "a" {
  input = "y"
}
moved {
  from = terraform_data.a
  to   = terraform_data.b
}
moved {
  from = terraform_data.x
  to   = terraform_data.y
}
moved {
  from = terraform_data.y
  to   = terraform_data.x
}
moved {
  from = terraform_data.p
  to   = terraform_data.q
}
moved {
  from = terraform_data.p
  to   = terraform_data.r
}
removed {
  from = terraform_data.b
}
"#;
    write(dir.path(), config);
    for cmd in ["validate", "plan"] {
        let out = skyform(dir.path()).args([cmd, "-no-color"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let err = stderr(&out);
        for needle in [
            "Moved object still exists",
            "that resource is still declared at main.tf:5,1",
            "Ambiguous move statements",
            "Cyclic dependency in move statements",
            "terraform_data.x[*] \u{2192} terraform_data.y[*]",
            "Removed resource still exists",
        ] {
            assert!(err.contains(needle), "{cmd}: {needle:?} missing from:\n{err}");
        }
    }
    // Found while reading the configuration, as Terraform does.
    write(dir.path(), "moved {\n  from = module.m\n  to   = terraform_data.q\n}\n");
    let out = skyform(dir.path()).args(["plan", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("Invalid \"moved\" addresses") && err.contains("main.tf:1:1"), "{err}");
}

/// A move whose destination already has an object is not made, and says so.
#[test]
fn a_move_onto_an_existing_object_warns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "resource \"terraform_data\" \"a\" {\n}\nresource \"terraform_data\" \"b\" {\n}\n");
    ok(skyform(d).args(["apply", "-auto-approve"]).output().unwrap(), "apply");
    write(d, "resource \"terraform_data\" \"b\" {\n}\nmoved {\n  from = terraform_data.a\n  to   = terraform_data.b\n}\n");
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("Moved object not moved") && err.contains("terraform_data.a (already at terraform_data.b)") && err.contains("main.tf:3:"), "{err}");
    assert!(stdout(&out).contains("# terraform_data.a will be destroyed"), "{}", stdout(&out));
}
