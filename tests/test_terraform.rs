//! Terraform is the specification: the same configuration run through the real Terraform 1.15
//! (`SKYFORM_TERRAFORM`) and through skyform must give the same output values and the same plan
//! actions. Without Terraform on the machine these tests say so and pass vacuously; `scripts/test`
//! points them at `../shared/tools/terraform` when it exists, and CI fails if it was expected.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{copy_of, run_terraform, skyform, stderr, stdout, terraform};

fn tf_or_skip(test: &str) -> Option<std::path::PathBuf> {
    let tf = terraform();
    if tf.is_none() {
        assert!(std::env::var_os("SKYFORM_REQUIRE_TERRAFORM").is_none(), "SKYFORM_REQUIRE_TERRAFORM is set but SKYFORM_TERRAFORM is not usable");
        eprintln!("{test}: skipped, no Terraform (set SKYFORM_TERRAFORM)");
    }
    tf
}

/// `output -json` reduced to name -> (value, sensitive).
fn outputs(json: &str) -> BTreeMap<String, (serde_json::Value, bool)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("bad output -json ({e}): {json}"));
    v.as_object()
        .expect("an object")
        .iter()
        .map(|(k, o)| (k.clone(), (o["value"].clone(), o["sensitive"].as_bool().unwrap_or(false))))
        .collect()
}

/// Equal values; numbers compare as floats to within one part in 10^15 (Terraform prints its
/// 512-bit results in full, e.g. `0.3333...335` with 150 digits).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            x == y || ((x - y) / x).abs() < 1e-15
        }
        (J::Array(x), J::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (J::Object(x), J::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

#[test]
fn expressions_and_functions_match_terraform() {
    let Some(tf) = tf_or_skip("expressions_and_functions_match_terraform") else { return };
    let ours = copy_of("tests/terraform");
    let theirs = copy_of("tests/terraform");

    let out = run_terraform(&tf, theirs.path(), &["apply", "-auto-approve", "-no-color"]);
    assert!(out.status.success(), "terraform apply: {}", stderr(&out));
    let want = outputs(&stdout(&run_terraform(&tf, theirs.path(), &["output", "-json"])));

    let out = skyform(ours.path()).args(["apply", "-auto-approve"]).output().unwrap();
    assert!(out.status.success(), "skyform apply: {}", stderr(&out));
    let got = outputs(&stdout(&skyform(ours.path()).args(["output", "-json"]).output().unwrap()));

    assert!(want.len() > 90, "Terraform produced only {} outputs", want.len());
    let mut mismatches = Vec::new();
    for (name, (value, sensitive)) in &want {
        match got.get(name) {
            None => mismatches.push(format!("{name}: missing from skyform's outputs")),
            Some((v, s)) if !same(v, value) || s != sensitive => {
                mismatches.push(format!("{name}:\n  terraform: {value} (sensitive={sensitive})\n  skyform:   {v} (sensitive={s})"))
            }
            Some(_) => {}
        }
    }
    for name in got.keys().filter(|k| !want.contains_key(*k)) {
        mismatches.push(format!("{name}: skyform has it, Terraform does not"));
    }
    assert!(mismatches.is_empty(), "{} of {} outputs differ:\n{}", mismatches.len(), want.len(), mismatches.join("\n"));
}

/// The resource headers (`# addr will be created`, `must be replaced`, ...) and the `Plan:` line.
fn plan_summary(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| (l.starts_with("# ") && (l.contains(" will be ") || l.contains(" must be "))) || l.starts_with("Plan:") || l.starts_with("No changes."))
        .map(|l| l.replace("Terraform", "skyform"))
        .collect();
    lines.sort();
    lines
}

fn write(dir: &Path, main_tf: &str) {
    std::fs::write(dir.join("main.tf"), main_tf).unwrap();
}

#[test]
fn plan_actions_match_terraform_through_a_lifecycle() {
    let Some(tf) = tf_or_skip("plan_actions_match_terraform_through_a_lifecycle") else { return };
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    let steps = [
        // 1: everything is new.
        r#"
variable "v" {
  default = "1"
}
resource "terraform_data" "a" {
  input = "one"
}
resource "terraform_data" "b" {
  input            = terraform_data.a.output
  triggers_replace = [var.v]
}
resource "terraform_data" "c" {
  count = 3
  input = "c${count.index}"
}
resource "terraform_data" "d" {
  for_each = toset(["x", "y"])
  input    = each.key
}
output "b" {
  value = terraform_data.b.output
}
"#,
        // 2: an update that flows into a dependent, a replacement trigger, a shrinking count,
        //    a removed for_each key, a new resource.
        r#"
variable "v" {
  default = "2"
}
resource "terraform_data" "a" {
  input = "two"
}
resource "terraform_data" "b" {
  input            = terraform_data.a.output
  triggers_replace = [var.v]
}
resource "terraform_data" "c" {
  count = 1
  input = "c${count.index}"
}
resource "terraform_data" "d" {
  for_each = toset(["x"])
  input    = each.key
}
resource "terraform_data" "e" {
  input = { list = [1, 2], name = "e" }
}
output "b" {
  value = terraform_data.b.output
}
"#,
        // 3: unchanged.
        "",
        // 4: replace_triggered_by, and everything else removed.
        r#"
variable "v" {
  default = "2"
}
resource "terraform_data" "a" {
  input = "three"
}
resource "terraform_data" "b" {
  input            = "fixed"
  triggers_replace = [var.v]
  lifecycle {
    replace_triggered_by = [terraform_data.a]
  }
}
"#,
    ];
    let mut config = String::new();
    for (i, step) in steps.iter().enumerate() {
        if !step.is_empty() {
            config = step.to_string();
        }
        write(ours.path(), &config);
        write(theirs.path(), &config);
        let t = run_terraform(&tf, theirs.path(), &["plan", "-no-color", "-out=tf.plan", "-detailed-exitcode"]);
        let s = skyform(ours.path()).args(["plan", "-out=sf.plan", "-detailed-exitcode"]).output().unwrap();
        assert_eq!(s.status.code(), t.status.code(), "step {}: exit codes differ\n{}\n{}", i + 1, stdout(&t), stderr(&s));
        assert_eq!(plan_summary(&stdout(&s)), plan_summary(&stdout(&t)), "step {}:\n--- terraform\n{}\n--- skyform\n{}", i + 1, stdout(&t), stdout(&s));
        let t = run_terraform(&tf, theirs.path(), &["apply", "-no-color", "tf.plan"]);
        assert!(t.status.success(), "terraform apply: {}", stderr(&t));
        let s = skyform(ours.path()).args(["apply", "sf.plan"]).output().unwrap();
        assert!(s.status.success(), "skyform apply: {}", stderr(&s));
    }
    // Destroy plans agree too.
    let t = run_terraform(&tf, theirs.path(), &["plan", "-destroy", "-no-color"]);
    let s = skyform(ours.path()).args(["plan", "-destroy"]).output().unwrap();
    assert_eq!(plan_summary(&stdout(&s)), plan_summary(&stdout(&t)), "destroy:\n{}\n{}", stdout(&t), stdout(&s));
}

#[test]
fn fmt_matches_terraform_fmt() {
    let Some(tf) = tf_or_skip("fmt_matches_terraform_fmt") else { return };
    let ours = copy_of("tests/terraform-fmt");
    let theirs = copy_of("tests/terraform-fmt");
    let t = run_terraform(&tf, theirs.path(), &["fmt"]);
    assert!(t.status.success(), "terraform fmt: {}", stderr(&t));
    // -check reports the file and exits 3 without touching it.
    let s = skyform(ours.path()).args(["fmt", "-check"]).output().unwrap();
    assert_eq!(s.status.code(), Some(3), "{}", stderr(&s));
    assert_eq!(stdout(&s).trim(), "messy.tf");
    let s = skyform(ours.path()).args(["fmt"]).output().unwrap();
    assert!(s.status.success(), "{}", stderr(&s));
    let want = std::fs::read_to_string(theirs.path().join("messy.tf")).unwrap();
    let got = std::fs::read_to_string(ours.path().join("messy.tf")).unwrap();
    let original = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/terraform-fmt/messy.tf")).unwrap();
    assert_ne!(want, original, "the input must need formatting");
    assert_eq!(got, want, "skyform fmt differs from terraform fmt");
}
