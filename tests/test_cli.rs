//! The real binary over examples/quickstart: the README's main job, a converged second plan,
//! an edited variable, saved plans, outputs, state commands, destroy.

use crate::common::{example, skyform, stderr, stdout};

#[test]
fn quickstart_apply_converges_updates_and_destroys() {
    let dir = example("quickstart");
    let d = dir.path();
    let out = skyform(d).args(["apply", "-auto-approve"]).output().unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed."), "{text}");
    assert!(text.contains("local_file.page[\"index\"]: Creation complete"), "{text}");
    assert!(d.join("out/index.html").is_file());
    assert!(std::fs::read_to_string(d.join("out/env-dev.txt")).unwrap().contains("ENVIRONMENT=DEV"));

    // A second plan reports no changes (exit 0 with -detailed-exitcode).
    let out = skyform(d).args(["plan", "-detailed-exitcode"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("No changes."));

    // Editing a variable: the release replacement is triggered.
    let out = skyform(d).args(["plan", "-detailed-exitcode", "-var=release=v2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("terraform_data.release must be replaced"), "{text}");
    assert!(text.contains("# forces replacement"), "{text}");
    assert!(text.contains("Plan: 1 to add, 0 to change, 1 to destroy."), "{text}");

    // Outputs.
    let out = skyform(d).args(["output", "-json", "env_files"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().map(|a| a.len()), Some(2));
    let out = skyform(d).args(["output", "-raw", "suffix"]).output().unwrap();
    assert_eq!(stdout(&out).len(), 8);

    // State commands.
    let out = skyform(d).args(["state", "list"]).output().unwrap();
    let list = stdout(&out);
    assert!(list.lines().any(|l| l == "random_id.suffix"), "{list}");
    assert_eq!(list.lines().count(), 6);

    // Destroy empties the state and removes the files.
    let out = skyform(d).args(["destroy", "-auto-approve"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Destroy complete! Resources: 6 destroyed."));
    let out = skyform(d).args(["state", "list"]).output().unwrap();
    assert_eq!(stdout(&out), "");
    assert!(!d.join("out/index.html").exists());
}

#[test]
fn saved_plan_applies_exactly_and_goes_stale() {
    let dir = example("quickstart");
    let d = dir.path();
    let out = skyform(d).args(["plan", "-out=first.tfplan"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = skyform(d).args(["plan", "-out=second.tfplan"]).output().unwrap();
    assert!(out.status.success());
    let out = skyform(d).args(["show", "first.tfplan"]).output().unwrap();
    assert!(stdout(&out).contains("Plan: 6 to add"));
    let out = skyform(d).args(["apply", "first.tfplan"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // The second plan was made against the old state: refused, state untouched.
    let before = skyform(d).args(["state", "list"]).output().unwrap();
    let out = skyform(d).args(["apply", "second.tfplan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Saved plan is stale"), "{}", stderr(&out));
    let after = skyform(d).args(["state", "list"]).output().unwrap();
    assert_eq!(before.stdout, after.stdout);
}

#[test]
fn saved_plan_is_refused_after_config_change() {
    let dir = example("quickstart");
    let d = dir.path();
    assert!(skyform(d).args(["plan", "-out=p.tfplan"]).output().unwrap().status.success());
    let main = d.join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, text.replace("\"v1\"", "\"v9\"")).unwrap();
    let out = skyform(d).args(["apply", "p.tfplan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("does not match the configuration"), "{}", stderr(&out));
}

#[test]
fn terraform_style_flags_and_chdir_work() {
    let dir = example("quickstart");
    let parent = dir.path().parent().unwrap();
    let name = dir.path().file_name().unwrap().to_string_lossy().into_owned();
    let out = skyform(parent)
        .args([format!("-chdir={name}").as_str(), "plan", "-no-color", "-refresh=false", "-parallelism=2", "-input=false", "-lock-timeout=1s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = skyform(parent).args(["--chdir", &name, "validate"]).output().unwrap();
    assert!(stdout(&out).contains("Success!"), "{}", stderr(&out));
    let out = skyform(dir.path()).args(["graph"]).output().unwrap();
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph {"));
    assert!(dot.contains("\"[root] local_file.env\" -> \"[root] random_id.suffix\""), "{dot}");
    let out = skyform(dir.path()).args(["version"]).output().unwrap();
    assert!(stdout(&out).starts_with("skyform v"));
}

#[test]
fn history_records_each_apply() {
    let dir = example("quickstart");
    let d = dir.path();
    assert!(skyform(d).args(["apply", "-auto-approve"]).output().unwrap().status.success());
    let store = skyform::state::StateStore::open(&d.join(".skyform/state.db")).unwrap();
    let h = store.history(10).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].added, h[0].result.as_str()), (6, "success"));
    assert!(h[0].command.contains("apply"));
    drop(store);
    // The same through `skyform history`, in text and JSON.
    assert!(skyform(d).args(["apply", "-auto-approve", "-var=release=v9"]).output().unwrap().status.success());
    let text = stdout(&skyform(d).args(["history"]).output().unwrap());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("success") && lines[0].contains("skyform apply -auto-approve -var=release=...") && lines[1].contains("+6 ~0 -0"), "{text}");
    assert!(!text.contains("v9"), "variable values are redacted: {text}");
    // The second apply kept a copy of the state from before it: the first apply's.
    let backup = skyform::state::StateStore::open(&d.join(".skyform/state.db.backup")).unwrap();
    assert_eq!(backup.history(10).unwrap().len(), 1);
    assert_eq!(backup.load().unwrap().resources.len(), 6);
    let json: serde_json::Value = serde_json::from_slice(&skyform(d).args(["history", "-json", "-limit=1"]).output().unwrap().stdout).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(1));
    assert_eq!(json[0]["result"], "success");
}

#[test]
fn closed_pipe_ends_quietly() {
    // Enough output (about 1 MB) that the writer is still writing when `head` exits.
    let dir = tempfile::tempdir().unwrap();
    let config: String = (0..5000).map(|i| format!("resource \"terraform_data\" \"r{i}\" {{\n  input = {i}\n}}\n")).collect();
    std::fs::write(dir.path().join("main.tf"), config).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("skyform");
    let out = std::process::Command::new("sh").arg("-c").arg(format!("'{}' plan -no-color | head -1", bin.display())).current_dir(dir.path()).output().unwrap();
    assert_eq!(stdout(&out), "\n");
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn killed_apply_loses_nothing_and_the_next_apply_converges() {
    let dir = tempfile::tempdir().unwrap();
    let config: String = (0..3000)
        .map(|i| {
            let parent = if i % 10 == 0 { "null".to_string() } else { format!("terraform_data.r{}.id", i - 1) };
            format!("resource \"terraform_data\" \"r{i}\" {{\n  input = {{ parent = {parent}, n = {i} }}\n}}\n")
        })
        .collect();
    std::fs::write(dir.path().join("main.tf"), config).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("skyform");
    let mut child = std::process::Command::new(&bin)
        .args(["apply", "-auto-approve", "-no-color"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL: no cleanup runs) once some resources have been created.
    let mut seen = String::new();
    {
        use std::io::BufRead;
        let reader = std::io::BufReader::new(child.stdout.take().unwrap());
        for line in reader.lines() {
            let line = line.unwrap();
            if line.contains("Creation complete") {
                seen = line;
                break;
            }
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!seen.is_empty(), "apply never reported a created resource");

    // What was committed is intact and readable.
    let list = skyform(dir.path()).args(["state", "list"]).output().unwrap();
    assert!(list.status.success(), "{}", stderr(&list));
    let kept = stdout(&list).lines().count();
    assert!((1..3000).contains(&kept), "{kept} resources in state after the kill");
    let created = seen.split(':').next().unwrap().to_string();
    assert!(stdout(&list).lines().any(|l| l == created), "{created} was reported created but is not in state");

    // The killed run is in the audit log as unfinished.
    let history = stdout(&skyform(dir.path()).args(["history"]).output().unwrap());
    assert!(history.lines().next().is_some_and(|l| l.contains("unfinished") && l.contains("killed or crashed")), "{history}");

    // The lock left by the dead process is reported stale, with the command that clears it.
    let out = skyform(dir.path()).args(["apply", "-auto-approve"]).output().unwrap();
    let err = stderr(&out);
    assert!(!out.status.success() && err.contains("the lock is stale"), "{err}");
    let id = err.split("skyform force-unlock ").nth(1).and_then(|s| s.split('`').next()).unwrap().to_string();
    assert!(skyform(dir.path()).args(["force-unlock", "-force", &id]).output().unwrap().status.success());

    // The next apply creates only what is missing, and then nothing is left to do.
    let out = skyform(dir.path()).args(["apply", "-auto-approve"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(&format!("Plan: {} to add, 0 to change, 0 to destroy.", 3000 - kept)), "{}", &text[text.len().saturating_sub(500)..]);
    let out = skyform(dir.path()).args(["plan", "-detailed-exitcode"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn review_outputs_from_the_cli() {
    let dir = example("quickstart");
    let d = dir.path();
    assert!(skyform(d).args(["apply", "-auto-approve"]).output().unwrap().status.success());
    let out = skyform(d).args(["plan", "-var=release=v2", "-out=p.tfplan", "-detailed-exitcode"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    let md = stdout(&skyform(d).args(["show", "-markdown", "p.tfplan"]).output().unwrap());
    assert!(md.contains("**Plan: 1 to add, 0 to change, 1 to destroy.**"), "{md}");
    assert!(md.contains("`terraform_data.release`") && md.contains("`triggers_replace` forces replacement"), "{md}");

    let json: serde_json::Value = serde_json::from_str(&stdout(&skyform(d).args(["show", "-json", "p.tfplan"]).output().unwrap())).unwrap();
    assert_eq!(json["format_version"], "1.2");
    let replaced: Vec<&serde_json::Value> =
        json["resource_changes"].as_array().unwrap().iter().filter(|c| c["change"]["actions"] == serde_json::json!(["delete", "create"])).collect();
    assert_eq!(replaced.len(), 1);
    assert_eq!(replaced[0]["address"], "terraform_data.release");
    assert_eq!(replaced[0]["change"]["replace_paths"], serde_json::json!([["triggers_replace"]]));

    let lines = stdout(&skyform(d).args(["plan", "-json", "-var=release=v2"]).output().unwrap());
    let kinds: Vec<String> = lines.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["type"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds.first().map(String::as_str), Some("version"));
    assert!(kinds.contains(&"planned_change".to_string()) && kinds.contains(&"change_summary".to_string()), "{kinds:?}");

    // Errors are diagnostic lines with the location.
    std::fs::write(d.join("bad.tf"), "output \"x\" {\n  value = nosuch(1)\n}\n").unwrap();
    let out = skyform(d).args(["plan", "-json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diag =
        stdout(&out).lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()).find(|v| v["type"] == "diagnostic").expect("a diagnostic line");
    assert_eq!(diag["diagnostic"]["range"]["filename"], "bad.tf");
    assert_eq!(diag["diagnostic"]["range"]["start"]["line"], 2);
}

#[test]
fn force_unlock_refuses_a_live_holder_and_asks_first() {
    let dir = example("quickstart");
    let d = dir.path();
    let store = skyform::state::StateStore::open(&d.join(".skyform/state.db")).unwrap();
    // Held by this (live) test process.
    let live = store.acquire_lock("apply", std::time::Duration::ZERO).unwrap();
    let out = skyform(d).args(["force-unlock", "-force", &live.id]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("still running on this host"), "{}", stderr(&out));
    // The holder is gone (a pid no process has): asked first, then released on "yes".
    let conn = rusqlite::Connection::open(d.join(".skyform/state.db")).unwrap();
    conn.execute("UPDATE lock SET pid = 4194303", []).unwrap();
    let out = skyform(d).args(["force-unlock", &live.id]).write_stdin("no\n").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("Do you really want to force-unlock?"), "{}", stdout(&out));
    assert!(store.current_lock().unwrap().is_some(), "still locked after no");
    let out = skyform(d).args(["force-unlock", &live.id]).write_stdin("yes\n").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(store.current_lock().unwrap().is_none());
}

/// Instances of one resource run side by side, `-parallelism` at a time: each instance's
/// provisioner waits until `barrier` instances have started, which only works when that many
/// run at once (no timing involved).
fn barrier_config(count: usize, barrier: usize) -> String {
    format!(
        r#"
resource "terraform_data" "w" {{
  count = {count}
  input = count.index
  provisioner "local-exec" {{
    command = "touch started-${{count.index}}; for i in $(seq 1 40); do [ $(ls started-* | wc -l) -ge {barrier} ] && exit 0; sleep 0.1; done; exit 1"
  }}
}}
"#
    )
}

#[test]
fn instances_of_one_resource_run_in_parallel_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), barrier_config(4, 4)).unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-parallelism=4"]).output().unwrap();
    assert!(out.status.success(), "all four ran at once: {}{}", stdout(&out), stderr(&out));
    // Three that wait for each other cannot all finish two at a time.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), barrier_config(3, 3)).unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-parallelism=2"]).output().unwrap();
    assert!(!out.status.success(), "-parallelism=2 let three run at once: {}", stdout(&out));
}

#[test]
fn interrupt_lets_in_flight_instances_finish_and_starts_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        r#"
resource "terraform_data" "slow" {
  count = 6
  input = count.index
  provisioner "local-exec" {
    command = "sleep 2"
  }
}
"#,
    )
    .unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("skyform"))
        .current_dir(d)
        .args(["apply", "-auto-approve", "-parallelism=2"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::BufRead;
        let reader = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut creating = 0;
        for line in reader.lines().map_while(Result::ok) {
            if line.contains(": Creating...") {
                creating += 1;
                if creating == 2 {
                    // SAFETY: signals a child process this test started and still owns.
                    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
                }
            }
        }
        assert_eq!(creating, 2, "no instance starts after the interrupt");
    }
    let status = child.wait().unwrap();
    assert!(!status.success());
    let listed = stdout(&skyform(d).args(["state", "list"]).output().unwrap());
    assert_eq!(listed.lines().count(), 2, "the two in flight finished and were committed: {listed}");
}

/// A destroy does not read data sources; expressions over them (a local slicing a list it
/// returns) are unknown, not an error on a null value.
#[test]
fn destroy_evaluates_expressions_over_data_sources() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("zones.txt"), "a\nb\nc\n").unwrap();
    std::fs::write(
        d.join("main.tf"),
        "data \"local_file\" \"zones\" {\n  filename = \"${path.module}/zones.txt\"\n}\nlocals {\n  zones = slice(split(\"\\n\", data.local_file.zones.content), 0, 2)\n}\nresource \"terraform_data\" \"z\" {\n  count = 2\n  input = local.zones[count.index]\n}\n",
    )
    .unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = skyform(d).args(["destroy", "-auto-approve", "-no-color"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Resources: 2 destroyed."), "{}", stdout(&out));
}
