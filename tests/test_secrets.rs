//! Secrets never leave through a message: each path by which a sensitive value used to reach
//! an error, the plan, `show`, `state show`, `show -json` or the Markdown review is driven
//! through the CLI with the value in `TF_VAR_pw` (or `-var`), and the value must appear nowhere
//! in stdout or stderr, while the expected diagnostic still does.

use std::path::Path;

use crate::common::{emulator, skyform, stderr, stdout, unique};

const SECRET: &str = "Hunter-2-secret";

fn write(d: &Path, body: &str) {
    std::fs::write(d.join("main.tf"), format!("variable \"pw\" {{\n  sensitive = true\n}}\n{body}")).unwrap();
}

/// Runs skyform with the secret in `TF_VAR_pw`; the combined output, checked for the secret.
fn run(d: &Path, args: &[&str]) -> (bool, String) {
    let out = skyform(d).env("TF_VAR_pw", SECRET).args(args).arg("-no-color").output().unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!text.contains(SECRET), "skyform {}: the secret leaked:\n{text}", args.join(" "));
    (out.status.success(), text)
}

fn fails_with(d: &Path, args: &[&str], expected: &str) {
    let (ok, text) = run(d, args);
    assert!(!ok && text.contains(expected), "skyform {}: expected a failure naming {expected:?}:\n{text}", args.join(" "));
}

#[test]
fn conversion_errors_do_not_echo_a_sensitive_variable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), "variable \"pw\" {\n  sensitive = true\n  type = number\n}\n").unwrap();
    // From the environment, -var and a tfvars file.
    fails_with(d, &["plan"], "(sensitive value) is not a number");
    let out = skyform(d).args(["plan", "-no-color", &format!("-var=pw={SECRET}")]).output().unwrap();
    assert!(!out.status.success() && !stderr(&out).contains(SECRET) && stderr(&out).contains("not suitable for var.pw"), "{}", stderr(&out));
    std::fs::write(d.join("t.tfvars"), format!("pw = \"{SECRET}\"\n")).unwrap();
    let out = skyform(d).args(["plan", "-no-color", "-var-file=t.tfvars"]).output().unwrap();
    assert!(!out.status.success() && !stderr(&out).contains(SECRET) && stderr(&out).contains("not suitable for var.pw"), "{}", stderr(&out));
}

#[test]
fn function_errors_do_not_echo_sensitive_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "output \"n\" {\n  value     = tonumber(var.pw)\n  sensitive = true\n}\n");
    fails_with(d, &["plan"], "Call to function \"tonumber\" failed");
    write(d, "output \"f\" {\n  value     = file(var.pw)\n  sensitive = true\n}\n");
    fails_with(d, &["plan"], "no file exists at (sensitive value)");
}

#[test]
fn a_validation_message_built_from_a_sensitive_value_is_withheld() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        "variable \"pw\" {\n  sensitive = true\n  validation {\n    condition     = length(var.pw) > 40\n    error_message = \"too short: ${var.pw}\"\n  }\n}\n",
    )
    .unwrap();
    fails_with(d, &["plan"], "refers to sensitive values");
}

#[test]
fn sensitive_map_keys_mark_the_whole_object() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "resource \"terraform_data\" \"d\" {\n  triggers_replace = { for k in [var.pw] : k => 1 }\n}\n");
    let (ok, text) = run(d, &["apply", "-auto-approve"]);
    assert!(ok && text.contains("triggers_replace = (sensitive value)"), "{text}");
    for args in [&["show"][..], &["show", "-json"], &["state", "show", "terraform_data.d"], &["state", "pull"]] {
        let out = skyform(d).args(args).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        // `state pull` is Terraform's state file: it holds the value, as Terraform's does.
        assert_eq!(stdout(&out).contains(SECRET), args == ["state", "pull"], "skyform {}:\n{}", args.join(" "), stdout(&out));
    }
}

#[test]
fn state_and_plan_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "resource \"terraform_data\" \"d\" {\n  input = var.pw\n}\n");
    let (ok, _) = run(d, &["plan", "-out=p.tfplan"]);
    assert!(ok);
    let (ok, _) = run(d, &["apply", "-auto-approve"]);
    assert!(ok);
    for f in ["p.tfplan", ".skyform/state.db"] {
        let mode = std::fs::metadata(d.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
}

fn aws(endpoint: &str, body: &str) -> String {
    format!(
        "variable \"pw\" {{\n  sensitive = true\n}}\nprovider \"aws\" {{\n  region = \"eu-west-1\"\n  access_key = \"test\"\n  secret_key = \"test\"\n  skip_credentials_validation = true\n  s3_use_path_style = true\n  endpoints {{\n    s3 = \"{endpoint}\"\n  }}\n}}\n{body}"
    )
}

#[test]
fn driver_validation_errors_do_not_echo_a_sensitive_argument() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), aws(&endpoint, "resource \"aws_s3_bucket\" \"b\" {\n  bucket = var.pw\n}\n")).unwrap();
    fails_with(d, &["plan"], "(sensitive value) is not a valid S3 bucket name");
}

#[test]
fn the_hash_of_sensitive_object_content_is_unknown_until_apply() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bucket = unique("secret-etag");
    let body = format!(
        "resource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"{bucket}\"\n  force_destroy = true\n}}\nresource \"aws_s3_object\" \"o\" {{\n  bucket  = aws_s3_bucket.b.id\n  key     = \"k\"\n  content = var.pw\n}}\n"
    );
    std::fs::write(d.join("main.tf"), aws(&endpoint, &body)).unwrap();
    let md5 = {
        use md5::Digest;
        hex::encode(md5::Md5::digest(SECRET.as_bytes()))
    };
    let (ok, text) = run(d, &["plan", "-out=p.tfplan"]);
    assert!(ok && text.contains("etag") && !text.contains(&md5), "{text}");
    for args in [&["show", "-json", "p.tfplan"][..], &["show", "-markdown", "p.tfplan"]] {
        let (ok, text) = run(d, args);
        assert!(ok && !text.contains(&md5), "skyform {}:\n{text}", args.join(" "));
    }
    let (ok, text) = run(d, &["apply", "p.tfplan"]);
    assert!(ok, "{text}");
    // Converged: the same content plans nothing.
    let out = skyform(d).env("TF_VAR_pw", SECRET).args(["plan", "-detailed-exitcode", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let (ok, text) = run(d, &["destroy", "-auto-approve"]);
    assert!(ok, "{text}");
}

/// `TF_LOG`/`TF_LOG_PATH`: the log has the command, every provider operation, each API request
/// and the lock events, in Terraform's line format or as JSON lines, and never the secret (here
/// an SNS topic's display name on moto; the bucket's calls go through the AWS SDK).
#[test]
fn the_log_has_every_call_and_no_secret() {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let topic = unique("logged");
    let body = format!(
        "resource \"aws_sns_topic\" \"t\" {{\n  name         = \"{topic}\"\n  display_name = var.pw\n}}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"{topic}\"\n}}\n"
    );
    std::fs::write(d.join("main.tf"), aws(&endpoint, &body).replace("    s3 = ", &format!("    sns = \"{endpoint}\"\n    s3 = "))).unwrap();
    let log = d.join("skyform.log");
    let out =
        skyform(d).env("TF_VAR_pw", SECRET).env("TF_LOG", "debug").env("TF_LOG_PATH", &log).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(SECRET), "{text}");
    for expected in [
        "[INFO] cli: skyform ",
        "[INFO] state: lock ",
        "[INFO] apply: aws_sns_topic.t: create started",
        "[INFO] apply: aws_sns_topic.t: create done in ",
        "[DEBUG] aws: POST ",
        "(sns) -> ok in ",
        "(sdk) -> 200",
        "[INFO] state: lock ",
    ] {
        assert!(text.contains(expected), "no {expected:?} in the log:\n{text}");
    }
    assert!(text.lines().all(|l| l.len() > 24 && l.as_bytes()[4] == b'-' && l.contains(" [")), "{text}");
    // JSON lines, at every level.
    let json = d.join("skyform.json.log");
    let out =
        skyform(d).env("TF_VAR_pw", SECRET).env("TF_LOG", "JSON").env("TF_LOG_PATH", &json).args(["destroy", "-auto-approve", "-no-color"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(!text.contains(SECRET), "{text}");
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(lines.iter().any(|l| l["@module"] == "skyform.apply" && l["@message"].as_str().unwrap().contains("delete done")), "{text}");
    assert!(lines.iter().all(|l| l["@timestamp"].is_string() && l["@level"].is_string()), "{text}");
    // Without TF_LOG nothing is written.
    let quiet = d.join("quiet.log");
    skyform(d).env("TF_LOG_PATH", &quiet).args(["plan", "-no-color"]).env("TF_VAR_pw", SECRET).output().unwrap();
    assert!(!quiet.exists());
}
