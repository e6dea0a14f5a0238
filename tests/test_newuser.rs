//! What a new user runs into first, checked through the real binary: each test is one problem
//! found by using skyform as a newcomer would, compared with what Terraform does.

use std::path::Path;

use crate::common::{skyform, stderr, stdout, succeeds};

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn run(d: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = skyform(d).args(args).output().expect("run skyform");
    (out.status.code(), format!("{}{}", stdout(&out), stderr(&out)))
}

/// Terraform ignores line breaks inside a `for` expression's brackets, so a conditional or a
/// comparison may continue on the next line.
#[test]
fn line_breaks_inside_for_expressions_are_accepted() {
    let dir = dir_with(&[(
        "main.tf",
        r#"locals {
  l = ["a", "b"]
  c = true
  m = { for k in local.l : k => local.c ? k :
    "z" }
  n = { for k in local.l : k => k ==
    "a" }
}
output "m" { value = local.m }
output "n" { value = local.n }
"#,
    )]);
    let out = succeeds(dir.path(), &["plan", "-no-color"]);
    let text = stdout(&out);
    assert!(text.contains("+ a = \"a\""), "{text}");
    assert!(text.contains("+ a = true") && text.contains("+ b = false"), "{text}");
    // `fmt` reads it too (and indents the continuation lines as `terraform fmt` does).
    succeeds(dir.path(), &["fmt"]);
    assert!(std::fs::read_to_string(dir.path().join("main.tf")).unwrap().contains("local.c ? k :\n  \"z\" }"));
}

/// A variable without `type` takes a `-var` or `TF_VAR_` value as the raw string; `number` and
/// `bool` convert the string; other types (and `any`) read it as an HCL expression.
#[test]
fn variables_without_a_type_take_command_line_values_as_strings() {
    let dir = dir_with(&[(
        "main.tf",
        r#"variable "x" {}
variable "region" {}
variable "n" {
  type    = number
  default = 0
}
variable "a" {
  type    = any
  default = null
}
output "x_is_the_string_42" { value = var.x == "42" }
output "region" { value = var.region }
output "n_is_the_number_42" { value = var.n == 42 }
"#,
    )]);
    let d = dir.path();
    let out = succeeds(d, &["plan", "-no-color", "-var", "x=42", "-var", "region=us-east-1", "-var", "n=42"]);
    let text = stdout(&out);
    assert!(text.contains("x_is_the_string_42 = true"), "{text}");
    assert!(text.contains("region             = \"us-east-1\""), "{text}");
    assert!(text.contains("n_is_the_number_42 = true"), "{text}");
    let out = skyform(d).args(["plan", "-no-color", "-var", "region=eu-west-1"]).env("TF_VAR_x", "42").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("x_is_the_string_42 = true"), "{}", stdout(&out));
    // `any` parses the value as HCL, where `us-east-1` is a reference: an error, as in Terraform.
    let (code, text) = run(d, &["plan", "-no-color", "-var", "x=1", "-var", "region=r", "-var", "a=us-east-1"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Variables may not be used here"), "{text}");
}

/// A `set(string)` output is stored as a set, so the plan after an apply has nothing to do.
#[test]
fn set_outputs_do_not_change_on_every_plan() {
    let dir = dir_with(&[("main.tf", "output \"s\" { value = toset([\"b\", \"a\"]) }\noutput \"m\" { value = { x = toset([1]) } }\n")]);
    let d = dir.path();
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    let (code, text) = run(d, &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("No changes."), "{text}");
}

/// During destroy a child module's outputs are still evaluated from state, so another module's
/// input validation (and locals) see the real value, not null.
#[test]
fn destroy_evaluates_module_outputs_that_feed_validated_inputs() {
    let dir = dir_with(&[
        ("main.tf", "module \"a\" { source = \"./a\" }\nmodule \"b\" {\n  source = \"./b\"\n  name   = module.a.name\n}\n"),
        ("a/main.tf", "resource \"terraform_data\" \"x\" { input = \"hello\" }\noutput \"name\" { value = terraform_data.x.output }\n"),
        (
            "b/main.tf",
            r#"variable "name" {
  type = string
  validation {
    condition     = length(var.name) > 2
    error_message = "Too short."
  }
}
locals { loud = upper(var.name) }
resource "terraform_data" "y" { input = local.loud }
"#,
        ),
    ]);
    let d = dir.path();
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    let out = succeeds(d, &["destroy", "-auto-approve", "-no-color"]);
    assert!(stdout(&out).contains("Destroy complete! Resources: 2 destroyed."), "{}", stdout(&out));
    let out = succeeds(d, &["state", "list"]);
    assert_eq!(stdout(&out), "");
}

/// A module used by several calls is loaded once per call; its problems are reported once,
/// naming the calls.
#[test]
fn a_problem_in_a_module_used_by_several_calls_is_reported_once() {
    let calls: String = (1..=4).map(|i| format!("module \"c{i}\" {{ source = \"./m\" }}\n")).collect();
    let dir = dir_with(&[("main.tf", &calls), ("m/main.tf", "resource \"terraform_data\" \"x\" {\n  input = \n}\n")]);
    let (code, text) = run(dir.path(), &["validate", "-no-color"]);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(text.matches("Invalid HCL syntax").count(), 1, "{text}");
    assert!(text.contains("this module is used by 4 module calls, module.c1, module.c2, module.c3, module.c4."), "{text}");

    // The same for a problem found when checking references.
    std::fs::write(dir.path().join("m/main.tf"), "resource \"terraform_data\" \"x\" { input = var.nope }\n").unwrap();
    let (code, text) = run(dir.path(), &["validate", "-no-color"]);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(text.matches("Reference to undeclared input variable").count(), 1, "{text}");
}

/// `-no-color` is accepted by every command, before or after its arguments.
#[test]
fn every_command_accepts_no_color() {
    let dir = dir_with(&[("main.tf", "resource \"terraform_data\" \"d\" { input = \"x\" }\n")]);
    let d = dir.path();
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    let out = succeeds(d, &["state", "show", "-no-color", "terraform_data.d"]);
    assert!(stdout(&out).contains("resource \"terraform_data\" \"d\""), "{}", stdout(&out));
    for args in [&["state", "list", "-no-color"][..], &["state", "show", "terraform_data.d", "-no-color"], &["version", "-no-color"], &["-no-color", "output"]]
    {
        succeeds(d, args);
    }
    let (code, text) = run(d, &["state", "mv", "-no-color", "terraform_data.d", "terraform_data.e"]);
    assert_eq!(code, Some(0), "{text}");
}

/// `init` fails, naming the module call and its source, when a module cannot be installed.
#[test]
fn init_fails_when_a_module_cannot_be_installed() {
    let dir = dir_with(&[("main.tf", "module \"net\" { source = \"./missing\" }\n")]);
    let (code, text) = run(dir.path(), &["init", "-no-color"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Module \"net\" (source \"./missing\")"), "{text}");
    assert!(!text.contains("successfully initialized"), "{text}");
}

/// `destroy` refreshes first, as Terraform's does: an object already deleted outside skyform is
/// dropped from state instead of being deleted again; `-refresh=false` plans the delete anyway.
#[test]
fn destroy_refreshes_first_and_forgets_objects_already_gone() {
    let dir = dir_with(&[(
        "main.tf",
        "resource \"local_file\" \"a\" {\n  filename = \"${path.module}/a.txt\"\n  content = \"a\"\n}\nresource \"local_file\" \"b\" {\n  filename = \"${path.module}/b.txt\"\n  content = \"b\"\n}\n",
    )]);
    let d = dir.path();
    succeeds(d, &["apply", "-auto-approve"]);
    std::fs::remove_file(d.join("a.txt")).unwrap();
    let (_, text) = run(d, &["plan", "-destroy", "-refresh=false", "-no-color"]);
    assert!(text.contains("Plan: 0 to add, 0 to change, 2 to destroy."), "{text}");
    let (code, text) = run(d, &["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("# local_file.a has been deleted outside skyform: it is removed from the state"), "{text}");
    assert!(text.contains("Plan: 0 to add, 0 to change, 1 to destroy."), "{text}");
    assert!(!text.contains("local_file.a: Destroying"), "{text}");
    let (_, list) = run(d, &["state", "list"]);
    assert!(list.trim().is_empty(), "left in state: {list}");
}

/// `required_version` is enforced as Terraform enforces it, against the Terraform language
/// version skyform implements (1.15): a constraint that excludes it, or one that does not
/// parse, is an error at its line.
#[test]
fn required_version_is_enforced() {
    for (constraint, error) in
        [("~> 1.5.0", Some("Unsupported Terraform Core version")), ("bogus", Some("Invalid version constraint")), (">= 1.2, < 2.0", None)]
    {
        let dir = dir_with(&[("main.tf", &format!("terraform {{\n  required_version = \"{constraint}\"\n}}\n"))]);
        let (code, text) = run(dir.path(), &["validate", "-no-color"]);
        match error {
            Some(e) => {
                assert_eq!(code, Some(1), "{constraint}: {text}");
                assert!(text.contains(e) && text.contains("main.tf:2:22"), "{constraint}: {text}");
            }
            None => assert_eq!(code, Some(0), "{constraint}: {text}"),
        }
    }
    // Experiments exist only in Terraform's alpha releases: an error, not ignored.
    let dir = dir_with(&[("main.tf", "terraform {\n  experiments = []\n}\n")]);
    let (code, text) = run(dir.path(), &["validate", "-no-color"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Module uses experimental features") && text.contains("main.tf:2:3"), "{text}");
}
