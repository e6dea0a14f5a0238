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
    v.as_object().expect("an object").iter().map(|(k, o)| (k.clone(), (o["value"].clone(), o["sensitive"].as_bool().unwrap_or(false)))).collect()
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

/// The first error's summary and line in `validate` output: Terraform writes `Error: S` then
/// `on main.tf line N`, skyform `Error: S` then `[main.tf:N:C]`.
fn first_error(text: &str) -> Option<(String, usize)> {
    let summary = text.lines().find_map(|l| l.split_once("Error: ").map(|(_, s)| s.trim().to_string()))?;
    let line = text.lines().find_map(|l| {
        let rest = l.split_once("on main.tf line ").map(|(_, r)| r).or_else(|| l.split_once("[main.tf:").map(|(_, r)| r))?;
        rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
    })?;
    Some((summary, line))
}

#[test]
fn reserved_and_invalid_names_are_rejected_like_terraform() {
    let Some(tf) = tf_or_skip("reserved_and_invalid_names_are_rejected_like_terraform") else { return };
    let mut cases: Vec<String> = ["source", "version", "providers", "count", "for_each", "lifecycle", "depends_on", "locals", "provider", "1a", "a.b"]
        .iter()
        .map(|n| format!("variable \"{n}\" {{}}"))
        .collect();
    cases.extend(
        [
            "output \"1a\" {\n  value = 1\n}",
            "output \"a b\" {\n  value = 1\n}",
            "resource \"terraform_data\" \"1a\" {}",
            "resource \"terraform_data\" \"a b\" {}",
            "resource \"1x\" \"a\" {}",
            "data \"terraform_remote_state\" \"1d\" {\n  backend = \"local\"\n}",
            "module \"1m\" {\n  source = \"./m\"\n}",
        ]
        .map(String::from),
    );
    // Names that look special but are allowed.
    let allowed = ["variable \"a-b\" {}", "variable \"_x\" {}", "output \"count\" {\n  value = 1\n}", "locals {\n  count = 1\n}"];
    for case in &cases {
        let ours = tempfile::tempdir().unwrap();
        let theirs = tempfile::tempdir().unwrap();
        let config = format!("\n\n{case}\n");
        write(ours.path(), &config);
        write(theirs.path(), &config);
        let t = run_terraform(&tf, theirs.path(), &["validate", "-no-color"]);
        let s = skyform(ours.path()).arg("validate").output().unwrap();
        assert!(!t.status.success() && !s.status.success(), "{case}: both must reject it\n{}\n{}", stderr(&t), stderr(&s));
        let want = first_error(&stderr(&t)).unwrap_or_else(|| panic!("{case}: no error in {}", stderr(&t)));
        let got = first_error(&stderr(&s)).unwrap_or_else(|| panic!("{case}: no error in {}", stderr(&s)));
        assert_eq!(got, want, "{case}");
    }
    for case in allowed {
        let ours = tempfile::tempdir().unwrap();
        let theirs = tempfile::tempdir().unwrap();
        write(ours.path(), case);
        write(theirs.path(), case);
        let t = run_terraform(&tf, theirs.path(), &["validate", "-no-color"]);
        let s = skyform(ours.path()).arg("validate").output().unwrap();
        assert!(t.status.success() && s.status.success(), "{case}: both must accept it\n{}\n{}", stderr(&t), stderr(&s));
    }
}

/// Every key path of a JSON document (`/a/b[]/c`).
fn key_paths(v: &serde_json::Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{prefix}/{k}");
                out.insert(p.clone());
                key_paths(x, &p, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| key_paths(x, &format!("{prefix}[]"), out)),
        _ => {}
    }
}

/// Whether every `true` in Terraform's mask is `true` in ours.
fn covers(ours: &serde_json::Value, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match theirs {
        J::Bool(true) => ours == &J::Bool(true),
        J::Object(m) => ours == &J::Bool(true) || m.iter().all(|(k, v)| covers(ours.get(k).unwrap_or(&J::Bool(false)), v)),
        J::Array(a) => ours == &J::Bool(true) || a.iter().enumerate().all(|(i, v)| covers(ours.get(i).unwrap_or(&J::Bool(false)), v)),
        _ => true,
    }
}

#[test]
fn show_json_has_terraforms_shape_and_actions() {
    let Some(tf) = tf_or_skip("show_json_has_terraforms_shape_and_actions") else { return };
    let config = |v: &str| {
        format!(
            r#"
variable "v" {{
  default = "{v}"
}}
variable "secret" {{
  default   = "s3cr3t-value"
  sensitive = true
}}
resource "terraform_data" "a" {{
  input = {{ x = var.v, s = var.secret }}
}}
resource "terraform_data" "b" {{
  count            = 2
  input            = terraform_data.a.output
  triggers_replace = [var.v]
}}
resource "terraform_data" "gone" {{
  input = "bye"
}}
output "o" {{
  value = terraform_data.a.id
}}
"#
        )
    };
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    for d in [ours.path(), theirs.path()] {
        write(d, &config("1"));
    }
    assert!(run_terraform(&tf, theirs.path(), &["apply", "-auto-approve"]).status.success());
    assert!(skyform(ours.path()).args(["apply", "-auto-approve"]).output().unwrap().status.success());
    let changed = config("2").replace("resource \"terraform_data\" \"gone\" {\n  input = \"bye\"\n}\n", "");
    for d in [ours.path(), theirs.path()] {
        write(d, &changed);
    }
    assert!(run_terraform(&tf, theirs.path(), &["plan", "-out=p.plan"]).status.success());
    assert!(skyform(ours.path()).args(["plan", "-out=p.plan"]).output().unwrap().status.success());
    let t: serde_json::Value = serde_json::from_str(&stdout(&run_terraform(&tf, theirs.path(), &["show", "-json", "p.plan"]))).unwrap();
    let out = skyform(ours.path()).args(["show", "-json", "p.plan"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let s: serde_json::Value = serde_json::from_str(&text).unwrap();

    // Same actions and reasons for the same addresses.
    let actions = |doc: &serde_json::Value| -> Vec<(String, serde_json::Value, serde_json::Value)> {
        doc["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["address"].as_str().unwrap().to_string(), c["change"]["actions"].clone(), c["action_reason"].clone()))
            .collect()
    };
    assert_eq!(actions(&s), actions(&t));
    for (i, c) in t["resource_changes"].as_array().unwrap().iter().enumerate() {
        let ours = &s["resource_changes"][i]["change"];
        for field in ["after_unknown", "replace_paths"] {
            assert_eq!(ours[field], c["change"][field], "{} {field}", c["address"]);
        }
        // skyform marks at least what Terraform marks (and also the copies of a secret that
        // terraform_data's `output` echoes back, which Terraform leaves unmarked).
        for field in ["before_sensitive", "after_sensitive"] {
            assert!(covers(&ours[field], &c["change"][field]), "{} {field}: ours {} theirs {}", c["address"], ours[field], c["change"][field]);
        }
    }
    assert_eq!(s["output_changes"]["o"]["actions"], t["output_changes"]["o"]["actions"]);

    // Every key Terraform writes, skyform writes too, except the places where Terraform prints a
    // sensitive value in clear (skyform leaves those out) and the few documented gaps.
    let (mut tk, mut sk) = (Default::default(), Default::default());
    key_paths(&t, "", &mut tk);
    key_paths(&s, "", &mut sk);
    let allowed = [
        "/variables/secret/value",
        "/configuration/root_module/variables/secret/default",
        "/resource_changes[]/change/before/input/s",
        "/resource_changes[]/change/after/input/s",
        "/prior_state/values/root_module/resources[]/values/input/s",
        "/prior_state/values/root_module/resources[]/values/output/s",
        "/planned_values/root_module/resources[]/values/input/s",
        "/resource_changes[]/change/before/output/s",
        // documented gaps: masks of unknown object attributes, dependencies, relevant_attributes
        "/planned_values/root_module/resources[]/sensitive_values/output",
        "/resource_changes[]/change/after_sensitive/output",
        "/prior_state/values/root_module/resources[]/depends_on",
        "/relevant_attributes[]/attribute",
        "/relevant_attributes[]/resource",
    ];
    let missing: Vec<&String> = tk.difference(&sk).filter(|k| !allowed.contains(&k.as_str())).collect();
    assert!(missing.is_empty(), "keys Terraform writes and skyform does not: {missing:?}");
    // Extra keys may only be extra sensitivity marks.
    let extra: Vec<&String> = sk.difference(&tk).filter(|k| !k.contains("sensitive")).collect();
    assert!(extra.is_empty(), "keys skyform writes and Terraform does not: {extra:?}");

    // Terraform prints the sensitive value; skyform never does.
    assert!(!text.contains("s3cr3t-value"), "sensitive value leaked into show -json");
    let state = stdout(&skyform(ours.path()).args(["show", "-json"]).output().unwrap());
    assert!(!state.contains("s3cr3t-value"), "sensitive value leaked into the state JSON");
    let st: serde_json::Value = serde_json::from_str(&state).unwrap();
    let ts: serde_json::Value = serde_json::from_str(&stdout(&run_terraform(&tf, theirs.path(), &["show", "-json"]))).unwrap();
    assert_eq!(st["format_version"], ts["format_version"]);
    let addrs = |d: &serde_json::Value| -> Vec<String> {
        d["values"]["root_module"]["resources"].as_array().unwrap().iter().map(|r| r["address"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(addrs(&st), addrs(&ts));
}

#[test]
fn import_blocks_plan_like_terraform() {
    let Some(tf) = tf_or_skip("import_blocks_plan_like_terraform") else { return };
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    let config = "import {\n  to = terraform_data.x\n  id = \"abc\"\n}\n\nresource \"terraform_data\" \"x\" {\n}\n\nimport {\n  to = terraform_data.y\n  id = \"def\"\n}\n\nresource \"terraform_data\" \"y\" {\n  input = \"set\"\n}\n";
    write(ours.path(), config);
    write(theirs.path(), config);
    for step in 0..2 {
        let t = run_terraform(&tf, theirs.path(), &["plan", "-no-color", "-out=tf.plan", "-detailed-exitcode"]);
        let s = skyform(ours.path()).args(["plan", "-out=sf.plan", "-detailed-exitcode"]).output().unwrap();
        assert_eq!(s.status.code(), t.status.code(), "step {step}: {}\n{}", stdout(&t), stderr(&s));
        assert_eq!(plan_summary(&stdout(&s)), plan_summary(&stdout(&t)), "step {step}:\n{}\n{}", stdout(&t), stdout(&s));
        if t.status.code() == Some(2) {
            assert!(run_terraform(&tf, theirs.path(), &["apply", "tf.plan"]).status.success());
            assert!(skyform(ours.path()).args(["apply", "sf.plan"]).output().unwrap().status.success());
        }
    }
}

/// The resource and output blocks of a plan's text (from the first resource header to the
/// `Plan:` line, and the output changes), with ids (random UUIDs) blanked.
fn plan_body(text: &str) -> String {
    let uuid = regex::Regex::new(r#""[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}""#).unwrap();
    let start = text.find("  # ").unwrap_or(0);
    let body: Vec<&str> = text[start..].lines().take_while(|l| !l.starts_with('─') && !l.starts_with("Note:")).collect();
    uuid.replace_all(body.join("\n").trim_end(), "\"ID\"").to_string()
}

#[test]
fn plan_text_of_nested_values_matches_terraform() {
    let Some(tf) = tf_or_skip("plan_text_of_nested_values_matches_terraform") else { return };
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    let steps = [
        r#"
resource "terraform_data" "x" {
  input = { tags = { a = "1" }, list = ["p", "q", "s", "t", "u"], n = 1, text = "one" }
}
output "o" {
  value = { a = "1", b = ["x"] }
}
"#,
        r#"
resource "terraform_data" "x" {
  input = { tags = { a = "2", "b.c" = "3" }, list = ["p", "r", "q", "s", "t", "v"], n = 2, text = "one" }
}
output "o" {
  value = { a = "1", b = ["x", "z"] }
}
output "s" {
  value = "new"
}
"#,
        r#"
resource "terraform_data" "x" {
  input = { tags = { a = "2", "b.c" = "3" }, list = ["p", "r", "q", "s", "t", "v"], n = 2, text = "one" }
}
output "o" {
  value = { a = "1", b = ["x", "z"] }
}
output "s" {
  value = "new"
}
resource "terraform_data" "policy" {
  input = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*", Sid = "" }] })
}
"#,
        r#"
resource "terraform_data" "x" {
  input = { tags = { a = "2", "b.c" = "3" }, list = ["p", "r", "q", "s", "t", "v"], n = 2, text = "one" }
}
output "o" {
  value = { a = "1", b = ["x", "z"] }
}
output "s" {
  value = "new"
}
"#,
    ];
    for (i, step) in steps.iter().enumerate() {
        write(ours.path(), step);
        write(theirs.path(), step);
        let out = skyform(ours.path()).args(["plan", "-no-color"]).output().unwrap();
        let ts = run_terraform(&tf, theirs.path(), &["plan", "-no-color", "-input=false"]);
        assert!(ts.status.success(), "terraform plan: {}", stderr(&ts));
        assert_eq!(plan_body(&stdout(&out)), plan_body(&stdout(&ts)).replace("Terraform", "skyform"), "step {}", i + 1);
        let out = skyform(ours.path()).args(["apply", "-auto-approve"]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let ts = run_terraform(&tf, theirs.path(), &["apply", "-auto-approve", "-input=false"]);
        assert!(ts.status.success(), "terraform apply: {}", stderr(&ts));
    }
}

/// Preconditions and postconditions fail (or pass, or wait for apply) where Terraform's do,
/// with the same summary and message, and a postcondition failing after a create keeps the
/// object in state.
#[test]
fn custom_conditions_match_terraform() {
    let Some(tf) = tf_or_skip("custom_conditions_match_terraform") else { return };
    let config = |n: i64| {
        format!(
            r#"
variable "n" {{
  default = {n}
}}
resource "terraform_data" "a" {{
  input = var.n
  lifecycle {{
    precondition {{
      condition     = var.n < 5
      error_message = "n must be below 5, got ${{var.n}}."
    }}
    postcondition {{
      condition     = self.output != 3
      error_message = "output must not be 3."
    }}
  }}
}}
output "o" {{
  value = terraform_data.a.output
  precondition {{
    condition     = var.n != 4
    error_message = "n must not be 4."
  }}
}}
"#
        )
    };
    for (n, summary, message) in [
        (7, "Resource precondition failed", "n must be below 5, got 7."),
        (4, "Module output value precondition failed", "n must not be 4."),
        (3, "Resource postcondition failed", "output must not be 3."),
        (1, "", ""),
    ] {
        let (ours, theirs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write(ours.path(), &config(n));
        write(theirs.path(), &config(n));
        let t = run_terraform(&tf, theirs.path(), &["apply", "-auto-approve", "-no-color"]);
        let s = skyform(ours.path()).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
        let (t_text, s_text) = (format!("{}{}", stdout(&t), stderr(&t)), format!("{}{}", stdout(&s), stderr(&s)));
        assert_eq!(t.status.code(), s.status.code(), "n={n}\nterraform:\n{t_text}\nskyform:\n{s_text}");
        if !summary.is_empty() {
            for text in [&t_text, &s_text] {
                assert!(text.contains(summary) && text.contains(message), "n={n}: {text}");
            }
        }
        let t_state = run_terraform(&tf, theirs.path(), &["state", "list"]);
        let s_state = skyform(ours.path()).args(["state", "list"]).output().unwrap();
        assert_eq!(stdout(&t_state), stdout(&s_state), "n={n}: the same objects in state");
    }
}

#[test]
fn import_for_each_and_generated_config_match_terraform() {
    let Some(tf) = tf_or_skip("import_for_each_and_generated_config_match_terraform") else { return };
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    let config = r#"
variable "ids" {
  default = { a = "id-a", b = "id-b" }
}
import {
  for_each = var.ids
  to       = terraform_data.x[each.key]
  id       = each.value
}
import {
  to = terraform_data.gen
  id = "gen-${var.ids["a"]}"
}
resource "terraform_data" "x" {
  for_each = var.ids
}
"#;
    write(ours.path(), config);
    write(theirs.path(), config);
    let t = run_terraform(&tf, theirs.path(), &["plan", "-no-color", "-generate-config-out=gen.tf", "-out=tf.plan"]);
    assert!(t.status.success(), "{}", stderr(&t));
    let s = skyform(ours.path()).args(["plan", "-generate-config-out=gen.tf", "-out=sf.plan"]).output().unwrap();
    assert!(s.status.success(), "{}", stderr(&s));
    assert!(stdout(&s).contains("skyform has generated configuration and written it to gen.tf"), "{}", stdout(&s));
    assert_eq!(plan_summary(&stdout(&s)), plan_summary(&stdout(&t)));
    let generated = |d: &Path| std::fs::read_to_string(d.join("gen.tf")).unwrap();
    assert_eq!(generated(ours.path()), generated(theirs.path()).replace("Terraform", "skyform"));
    // The file is only ever created, never overwritten.
    let again = skyform(ours.path()).args(["plan", "-generate-config-out=gen.tf"]).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("Target generated file already exists"), "{}", stderr(&again));
    // Applied, the next plans have nothing to do.
    assert!(run_terraform(&tf, theirs.path(), &["apply", "tf.plan"]).status.success());
    let applied = skyform(ours.path()).args(["apply", "sf.plan"]).output().unwrap();
    assert!(applied.status.success(), "{}", stderr(&applied));
    for dir in [ours.path(), theirs.path()] {
        let code = if dir == ours.path() {
            skyform(dir).args(["plan", "-detailed-exitcode"]).output().unwrap().status.code()
        } else {
            run_terraform(&tf, dir, &["plan", "-detailed-exitcode"]).status.code()
        };
        assert_eq!(code, Some(0));
    }
    let list = |out: std::process::Output| {
        let mut v: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(list(skyform(ours.path()).args(["state", "list"]).output().unwrap()), list(run_terraform(&tf, theirs.path(), &["state", "list"])));

    // A for_each element whose instance the configuration does not declare is an error.
    write(
        ours.path(),
        &config
            .replace("for_each = var.ids\n}", "for_each = { a = 1 }\n}")
            .replace("import {\n  to = terraform_data.gen", "import {\n  to = terraform_data.gen2"),
    );
    let out = skyform(ours.path()).args(["plan", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("Configuration for import target does not exist"), "{err}");
}

#[test]
fn console_matches_terraform() {
    let Some(tf) = tf_or_skip("console_matches_terraform") else { return };
    let config = r#"
variable "x" {
  default = "hello"
}
variable "s" {
  default   = "secret"
  sensitive = true
}
locals {
  m = { a = 1, b = [true, null], c = {} }
}
resource "terraform_data" "d" {
  input = { v = var.x, n = 2 }
}
"#;
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    write(ours.path(), config);
    write(theirs.path(), config);
    assert!(run_terraform(&tf, theirs.path(), &["apply", "-auto-approve"]).status.success());
    assert!(skyform(ours.path()).args(["apply", "-auto-approve"]).output().unwrap().status.success());
    let inputs = [
        "var.x",
        "local.m",
        "[1, 2]",
        "toset([\"b\", \"a\"])",
        "var.s",
        "terraform_data.d.output",
        "upper(var.x)\n{ for k, v in local.m : k => k }",
        "[]",
        "nope.x\n\"not reached\"",
        "1 +",
    ];
    for input in inputs {
        let run = |mut cmd: std::process::Command| {
            use std::io::Write;
            let mut child = cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
            child.stdin.take().unwrap().write_all(format!("{input}\n").as_bytes()).unwrap();
            child.wait_with_output().unwrap()
        };
        let mut t = std::process::Command::new(&tf);
        t.current_dir(theirs.path()).args(["console", "-no-color"]).env("CHECKPOINT_DISABLE", "1");
        let mut s = std::process::Command::new(assert_cmd::cargo::cargo_bin("skyform"));
        s.current_dir(ours.path()).args(["console", "-no-color"]);
        let (t, s) = (run(t), run(s));
        assert_eq!(s.status.code(), t.status.code(), "{input}: {}", stderr(&s));
        assert_eq!(stdout(&s), stdout(&t), "{input}");
    }
}

#[test]
fn check_blocks_warn_like_terraform() {
    let Some(tf) = tf_or_skip("check_blocks_warn_like_terraform") else { return };
    let config = r#"
variable "n" {
  default = 3
}
resource "terraform_data" "d" {
  input = var.n
}
check "small" {
  assert {
    condition     = var.n < 2
    error_message = "n is ${var.n}, too big"
  }
}
check "later" {
  assert {
    condition     = terraform_data.d.output == 5
    error_message = "output is not 5"
  }
  assert {
    condition     = terraform_data.d.output == 3
    error_message = "never shown"
  }
}
"#;
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    write(ours.path(), config);
    write(theirs.path(), config);
    let both = |o: &std::process::Output| format!("{}{}", stdout(o), stderr(o));
    // Summaries anywhere; messages as lines of their own (not in the quoted source).
    let count = |text: &str| {
        let summaries = ["Check block assertion failed", "Check block assertion known after apply"].map(|w| text.matches(w).count());
        let messages = ["n is 3, too big", "output is not 5", "never shown"].map(|w| text.lines().filter(|l| l.trim() == w).count());
        (summaries, messages)
    };
    for args in [&["plan", "-no-color"][..], &["apply", "-auto-approve", "-no-color"][..], &["plan", "-no-color"][..]] {
        let t = run_terraform(&tf, theirs.path(), args);
        let s = skyform(ours.path()).args(args).output().unwrap();
        assert_eq!(s.status.code(), t.status.code(), "{args:?}");
        assert_eq!(count(&both(&s)), count(&both(&t)), "{args:?}:\n{}\n---\n{}", both(&s), both(&t));
    }
}

/// The "Destroying..."/"Creating..." lines of an apply, in order, without ids and timings.
fn apply_order(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains(": Destroying...") || l.contains(": Creating..."))
        .map(|l| l.split(" [id=").next().unwrap_or(l).trim().to_string())
        .collect()
}

#[test]
fn replacements_destroy_dependents_first_like_terraform() {
    let Some(tf) = tf_or_skip("replacements_destroy_dependents_first_like_terraform") else { return };
    // A chain a <- b <- c, and d on a; then every one replaced, and (second round) c and d
    // removed from the configuration while a and b are replaced.
    let chain = r#"
resource "terraform_data" "a" { input = "a" }
resource "terraform_data" "b" { input = terraform_data.a.id }
resource "terraform_data" "c" { input = terraform_data.b.id }
"#;
    let full = format!("{chain}resource \"terraform_data\" \"d\" {{ input = terraform_data.a.id }}\n");
    let replace_all = ["-replace=terraform_data.a", "-replace=terraform_data.b", "-replace=terraform_data.c", "-replace=terraform_data.d"];
    let (ours, theirs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut orders = Vec::new();
    for (dir, is_tf) in [(theirs.path(), true), (ours.path(), false)] {
        let run = |args: &[&str]| -> String {
            let out = if is_tf { run_terraform(&tf, dir, args) } else { skyform(dir).args(args).output().unwrap() };
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            stdout(&out)
        };
        write(dir, &full);
        run(&["apply", "-auto-approve", "-no-color", "-parallelism=1"]);
        let mut args = vec!["apply", "-auto-approve", "-no-color", "-parallelism=1"];
        args.extend(replace_all);
        let first = apply_order(&run(&args));
        write(dir, chain.replace("resource \"terraform_data\" \"c\" { input = terraform_data.b.id }\n", "").as_str());
        let second = apply_order(&run(&["apply", "-auto-approve", "-no-color", "-parallelism=1", "-replace=terraform_data.a", "-replace=terraform_data.b"]));
        orders.push((first, second));
    }
    let (want, got) = (&orders[0], &orders[1]);
    // Terraform's order is one valid order; what must hold is that every destroy comes after
    // the destroys of the objects that depended on it, and before that object's own create.
    for (ours, theirs) in [(&got.0, &want.0), (&got.1, &want.1)] {
        let pos = |list: &Vec<String>, what: &str| list.iter().position(|l| l == what).unwrap_or_else(|| panic!("{what} missing from {list:?}"));
        let mut sorted_ours = ours.clone();
        sorted_ours.sort();
        let mut sorted_theirs = theirs.clone();
        sorted_theirs.sort();
        assert_eq!(sorted_ours, sorted_theirs, "the same operations: skyform {ours:?}, Terraform {theirs:?}");
        for list in [ours, theirs] {
            let has = |r: &str| list.iter().any(|l| l == &format!("terraform_data.{r}: Destroying..."));
            for (dependent, dependency) in [("b", "a"), ("c", "b"), ("d", "a")] {
                if has(dependent) && has(dependency) {
                    assert!(
                        pos(list, &format!("terraform_data.{dependent}: Destroying...")) < pos(list, &format!("terraform_data.{dependency}: Destroying...")),
                        "{dependent} is destroyed before {dependency}: {list:?}"
                    );
                }
            }
        }
    }
}

/// A data source that depends on a resource with changes pending, by reference or through
/// `depends_on`, is read during apply, with the same plan lines as Terraform's.
#[test]
fn data_sources_depending_on_pending_changes_are_read_during_apply_like_terraform() {
    let Some(tf) = tf_or_skip("data_sources_depending_on_pending_changes_are_read_during_apply_like_terraform") else { return };
    let main = r#"resource "terraform_data" "a" {
  input = "x"
}
data "terraform_remote_state" "s" {
  backend  = "local"
  config   = { path = "${path.module}/other.tfstate" }
  defaults = { v = terraform_data.a.input }
}
data "terraform_remote_state" "d" {
  backend    = "local"
  config     = { path = "${path.module}/other.tfstate" }
  depends_on = [terraform_data.a]
}
data "terraform_remote_state" "free" {
  backend = "local"
  config  = { path = "${path.module}/other.tfstate" }
}
"#;
    let other = r#"{"version":4,"terraform_version":"1.15.5","serial":1,"lineage":"x","outputs":{},"resources":[]}"#;
    let lines = |text: &str| -> Vec<String> { text.lines().filter(|l| l.trim_start().starts_with('#')).map(|l| l.trim().to_string()).collect() };
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    for d in [ours.path(), theirs.path()] {
        std::fs::write(d.join("main.tf"), main).unwrap();
        std::fs::write(d.join("other.tfstate"), other).unwrap();
    }
    let out = run_terraform(&tf, theirs.path(), &["init", "-no-color"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let want = lines(&stdout(&run_terraform(&tf, theirs.path(), &["plan", "-no-color"])));
    let got = lines(&stdout(&skyform(ours.path()).args(["plan", "-no-color"]).output().unwrap()));
    assert!(want.iter().any(|l| l.contains("depends on a resource or a module with changes pending")), "{want:?}");
    assert_eq!(got, want);
}
