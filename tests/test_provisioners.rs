//! `local-exec` provisioners, `taint` and `untaint`, checked against Terraform 1.15
//! (`SKYFORM_TERRAFORM`) with `terraform_data`: the same provisioner output lines, a failing
//! create-time provisioner taints its object (and the next plan replaces it, with the same
//! reason in the plan JSON), `on_failure = continue`, destroy-time provisioners with `self`,
//! `count.index` and `each`; remote provisioners and connection blocks are refused.

use std::path::Path;

use crate::common::{run_terraform, skyform, stderr, stdout, terraform};

const CONFIG: &str = r#"
variable "greeting" {
  default = "hello"
}
resource "terraform_data" "ok" {
  input = var.greeting
  provisioner "local-exec" {
    command     = "echo created $NAME ${self.input}; echo second line"
    environment = { NAME = "n1" }
  }
  provisioner "local-exec" {
    when    = destroy
    command = "echo bye ${self.output}"
  }
}
resource "terraform_data" "bad" {
  provisioner "local-exec" {
    command = "echo failing; exit 3"
  }
}
resource "terraform_data" "soft" {
  provisioner "local-exec" {
    command    = "exit 4"
    on_failure = continue
  }
}
resource "terraform_data" "each" {
  for_each = { a = "apple", b = "banana" }
  input    = each.value
  provisioner "local-exec" {
    command     = "echo ${each.key}=${each.value} > out-${each.key}.txt"
    interpreter = ["/bin/bash", "-c"]
  }
}
resource "terraform_data" "counted" {
  count = 2
  provisioner "local-exec" {
    command     = "pwd > ../where-${count.index}.txt"
    working_dir = "sub"
  }
}
"#;

fn setup(dir: &Path) {
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("main.tf"), CONFIG).unwrap();
}

/// The provisioner lines of an apply's output, sorted (resources run in parallel).
fn provisioner_lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().filter(|l| l.contains("(local-exec):") || l.contains("Provisioning with")).map(str::to_string).collect();
    v.sort();
    v
}

/// Addresses of tainted objects in `show -json`.
fn tainted(show_json: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(show_json).unwrap_or_else(|e| panic!("{e}: {show_json}"));
    let mut v: Vec<String> = doc["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["tainted"] == serde_json::json!(true))
        .map(|r| r["address"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn actions(show_json: &str) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    let doc: serde_json::Value = serde_json::from_str(show_json).unwrap();
    doc["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["address"].as_str().unwrap().to_string(), c["change"]["actions"].clone(), c["action_reason"].clone()))
        .collect()
}

#[test]
fn local_exec_provisioners_and_taint_match_terraform() {
    let ours = tempfile::tempdir().unwrap();
    setup(ours.path());
    let s = |args: &[&str]| skyform(ours.path()).args(args).output().unwrap();
    let applied = s(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(applied.status.code(), Some(1), "{}", stdout(&applied));
    let out = stdout(&applied);
    assert!(out.contains("terraform_data.ok (local-exec): created n1 hello\nterraform_data.ok (local-exec): second line\n"), "{out}");
    let err = stderr(&applied);
    assert!(err.contains("local-exec provisioner error") && err.contains("exit status 3. Output: failing") && err.contains("main.tf:17:"), "{err}");
    assert_eq!(std::fs::read_to_string(ours.path().join("out-b.txt")).unwrap(), "b=banana\n");
    let sub = std::fs::read_to_string(ours.path().join("where-1.txt")).unwrap();
    assert!(sub.trim_end().ends_with("/sub"), "{sub}");
    assert_eq!(tainted(&stdout(&s(&["show", "-json"]))), vec!["terraform_data.bad".to_string()]);
    let plan = stdout(&s(&["plan", "-no-color", "-out=p.plan"]));
    assert!(plan.contains("# terraform_data.bad is tainted, so must be replaced"), "{plan}");
    let mine = actions(&stdout(&s(&["show", "-json", "p.plan"])));

    // taint / untaint.
    assert_eq!(stdout(&s(&["taint", "terraform_data.soft"])).trim(), "Resource instance terraform_data.soft has been marked as tainted.");
    assert!(stdout(&s(&["plan", "-no-color"])).contains("# terraform_data.soft is tainted, so must be replaced"));
    assert_eq!(stdout(&s(&["untaint", "terraform_data.soft"])).trim(), "Resource instance terraform_data.soft has been successfully untainted.");
    let again = s(&["untaint", "terraform_data.soft"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("is not currently tainted"), "{}", stderr(&again));

    // Destroy runs the destroy-time provisioner with self.
    let destroyed = s(&["destroy", "-auto-approve", "-no-color"]);
    assert!(destroyed.status.success(), "{}", stderr(&destroyed));
    assert!(stdout(&destroyed).contains("terraform_data.ok (local-exec): bye hello"), "{}", stdout(&destroyed));

    let Some(tf) = terraform() else {
        assert!(std::env::var_os("SKYFORM_REQUIRE_TERRAFORM").is_none(), "SKYFORM_REQUIRE_TERRAFORM is set but SKYFORM_TERRAFORM is not usable");
        eprintln!("provisioners: Terraform comparison skipped (set SKYFORM_TERRAFORM)");
        return;
    };
    let theirs = tempfile::tempdir().unwrap();
    setup(theirs.path());
    let t = |args: &[&str]| run_terraform(&tf, theirs.path(), args);
    let tf_applied = t(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(tf_applied.status.code(), Some(1));
    assert_eq!(provisioner_lines(&out), provisioner_lines(&stdout(&tf_applied)));
    assert_eq!(tainted(&stdout(&t(&["show", "-json"]))), vec!["terraform_data.bad".to_string()]);
    assert!(t(&["plan", "-out=p.plan"]).status.success());
    assert_eq!(mine, actions(&stdout(&t(&["show", "-json", "p.plan"]))));
    let tf_destroyed = t(&["destroy", "-auto-approve", "-no-color"]);
    assert!(stdout(&tf_destroyed).contains("terraform_data.ok (local-exec): bye hello"));
}

#[test]
fn remote_provisioners_and_bad_local_exec_blocks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = r#"
resource "terraform_data" "a" {
  provisioner "file" {
    source      = "a"
    destination = "/tmp/a"
  }
  connection {
    host = "example.com"
  }
}
resource "terraform_data" "b" {
  provisioner "local-exec" {
    commnd = "echo typo"
    when   = later
  }
}
"#;
    std::fs::write(dir.path().join("main.tf"), config).unwrap();
    let out = skyform(dir.path()).args(["validate", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for (what, at) in [
        ("runs only \"local-exec\" provisioners", "main.tf:3:"),
        ("\"connection\" blocks are not supported yet", "main.tf:7:"),
        ("An argument named \"commnd\"", "main.tf:13:"),
        ("Invalid when keyword", "main.tf:14:"),
        ("The argument \"command\" is required", "main.tf:12:"),
    ] {
        assert!(err.contains(what) && err.contains(at), "{what} at {at}:\n{err}");
    }
}
