//! `skyform test`: the same test files run through real Terraform 1.15 (`SKYFORM_TERRAFORM`)
//! and skyform give the same run results line for line and the same errors; the examples' own
//! `tests/` pass; mocks and overrides fake values without a cloud; and test blocks skyform does
//! not implement are errors at their line, never skipped.

use std::path::Path;

use crate::common::{copy_of, example, run_terraform, skyform, stderr, stdout, terraform};

/// The lines that say how each file and run ended, and the summary.
fn status_lines(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| {
            l.ends_with("... pass") || l.ends_with("... fail") || l.ends_with("... skip") || l.ends_with("... in progress") || l.ends_with("... tearing down")
        })
        .chain(out.lines().filter(|l| l.starts_with("Success!") || l.starts_with("Failure!")))
        .map(str::to_string)
        .collect()
}

/// The summaries of the errors a run printed (`Error: Test assertion failed`), sorted.
fn error_summaries(err: &str) -> Vec<String> {
    let mut v: Vec<String> = err.lines().filter_map(|l| l.trim_start_matches(['×', ' ']).strip_prefix("Error: ")).map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn test_command_matches_terraform() {
    let ours = copy_of("tests/tftest/basic");
    let out = skyform(ours.path()).args(["test", "-no-color"]).output().unwrap();
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}{err}");
    // What the fixture exercises, checked even where Terraform is not installed.
    for line in [
        "  run \"from_earlier_runs\"... pass",
        "  run \"wrong_assertion\"... fail",
        "  run \"bad_name_expected\"... pass",
        "  run \"postcondition_expected\"... pass",
        "  run \"output_failure_while_planning_an_apply\"... fail",
        "  run \"missing_expected_failure\"... fail",
        "  run \"a_failing_check_fails_the_run\"... fail",
        "Failure! 8 passed, 5 failed, 4 skipped.",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}{err}");
    }
    assert!(text.contains("Warning: Expected failure while planning"), "{text}");
    // Every file tears down what it applied: the scratch states are gone.
    let Some(tf) = terraform() else {
        assert!(std::env::var_os("SKYFORM_REQUIRE_TERRAFORM").is_none(), "SKYFORM_REQUIRE_TERRAFORM is set but SKYFORM_TERRAFORM is not usable");
        eprintln!("test_command_matches_terraform: Terraform comparison skipped (set SKYFORM_TERRAFORM)");
        return;
    };
    let theirs = copy_of("tests/tftest/basic");
    let init = run_terraform(&tf, theirs.path(), &["init", "-no-color"]);
    assert!(init.status.success(), "terraform init: {}", stderr(&init));
    let want = run_terraform(&tf, theirs.path(), &["test", "-no-color"]);
    assert_eq!(out.status.code(), want.status.code(), "exit codes differ");
    assert_eq!(status_lines(&text), status_lines(&stdout(&want)), "run results differ from Terraform's:\n{}", stdout(&want));
    assert_eq!(error_summaries(&err), error_summaries(&stderr(&want)), "errors differ from Terraform's:\n{}", stderr(&want));
}

#[test]
fn examples_own_tests_pass() {
    for name in ["quickstart", "aws-serverless", "aws-network", "aws-web-server", "aws-static-site"] {
        let dir = example(name);
        let out = skyform(dir.path()).args(["test", "-no-color", "-verbose"]).output().unwrap();
        assert!(out.status.success(), "{name}: {}{}", stdout(&out), stderr(&out));
        // -verbose: the plan of each plan run, the state after each apply run.
        assert!(stdout(&out).contains("Plan: ") && stdout(&out).contains("resource \""), "{name}: {}", stdout(&out));
        assert!(stdout(&out).contains("Success!"), "{}", stdout(&out));
        assert!(!stdout(&out).contains("... skip"), "{}", stdout(&out));
        // The teardown destroyed what the runs made.
        if name == "quickstart" {
            let left: Vec<_> = std::fs::read_dir(dir.path().join("out")).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
            assert!(left.is_empty(), "files left after the tests: {left:?}");
        }
        assert!(!dir.path().join(".skyform").exists(), "{name}: skyform test touched the working directory's state");
    }
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

#[test]
fn mocks_and_overrides_fake_values_without_a_cloud() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "main.tf",
                r#"
variable "bucket" { type = string }
resource "aws_s3_bucket" "b" { bucket = var.bucket }
resource "aws_s3_bucket" "other" { bucket = "${var.bucket}-2" }
data "aws_caller_identity" "me" {}
output "arn" { value = aws_s3_bucket.b.arn }
output "other_arn" { value = aws_s3_bucket.other.arn }
output "account" { value = data.aws_caller_identity.me.account_id }
"#,
            ),
            (
                "tests/fake.tftest.hcl",
                r#"
mock_provider "aws" {
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mocked" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}
variables { bucket = "bkt" }
run "plan_leaves_computed_values_unknown" {
  command = plan
  assert {
    condition     = aws_s3_bucket.b.bucket == "bkt"
    error_message = "configuration values are kept"
  }
  assert {
    condition     = output.account == "123456789012"
    error_message = "data sources are read at plan"
  }
}
run "apply_fills_them" {
  override_resource {
    target = aws_s3_bucket.other
    values = { arn = "arn:aws:s3:::pinned" }
  }
  assert {
    condition     = output.arn == "arn:aws:s3:::mocked" && output.other_arn == "arn:aws:s3:::pinned"
    error_message = "got ${output.arn} and ${output.other_arn}"
  }
  assert {
    condition     = length(aws_s3_bucket.b.id) == 8 && aws_s3_bucket.b.force_destroy == false
    error_message = "made-up values: id ${aws_s3_bucket.b.id}"
  }
}
"#,
            ),
        ],
    );
    let out = skyform(dir.path()).args(["test", "-no-color"]).env("AWS_ENDPOINT_URL", "http://127.0.0.1:9").output().unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("Success! 2 passed, 0 failed."), "{}", stdout(&out));
}

#[test]
fn test_blocks_not_implemented_are_errors_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("main.tf", "resource \"terraform_data\" \"a\" {}\n"),
            (
                "tests/a.tftest.hcl",
                "mock_provider \"aws\" {\n  alias = \"fake\"\n}\nrun \"x\" {\n  state_key = \"k\"\n  bogus {}\n}\noverride_module {\n  target = module.m\n}\n",
            ),
        ],
    );
    let out = skyform(dir.path()).args(["test", "-no-color"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}{err}", stdout(&out));
    for (what, at) in [
        ("\"alias\" argument in a mock_provider block yet", "tests/a.tftest.hcl:2:3"),
        ("\"state_key\" argument in a run block yet", "tests/a.tftest.hcl:5:3"),
        ("Blocks of type \"bogus\" are not expected in a run block", "tests/a.tftest.hcl:6:3"),
        ("\"override_module\" block in a test file yet", "tests/a.tftest.hcl:8:1"),
    ] {
        assert!(err.contains(what), "missing {what:?} in:\n{err}");
        assert!(err.contains(at), "missing location {at} in:\n{err}");
    }
    assert!(stdout(&out).contains("tests/a.tftest.hcl... fail"), "{}", stdout(&out));
    let out = skyform(dir.path()).args(["test", "-json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("does not implement -json yet"), "{}", stderr(&out));
}

/// A test file's `provider` blocks configure the providers for its runs (here: pointing AWS at
/// moto), in place of the configuration's own; and the runs' objects are destroyed at the end.
#[test]
fn provider_blocks_in_test_files_configure_real_runs() {
    let Some(endpoint) = crate::common::emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let bucket = crate::common::unique("tftest");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "main.tf",
                "variable \"bucket\" { type = string }\nprovider \"aws\" {\n  region = \"eu-west-1\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = var.bucket\n}\noutput \"arn\" { value = aws_s3_bucket.b.arn }\n",
            ),
            (
                "tests/moto.tftest.hcl",
                &format!(
                    "{}\nvariables {{\n  bucket = \"{bucket}\"\n}}\nrun \"creates_the_bucket\" {{\n  assert {{\n    condition     = output.arn == \"arn:aws:s3:::{bucket}\"\n    error_message = \"arn ${{output.arn}}\"\n  }}\n}}\n",
                    crate::test_aws::provider_block(&endpoint)
                ),
            ),
        ],
    );
    let out = skyform(dir.path()).args(["test", "-no-color"]).output().unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    // The teardown deleted the bucket on moto.
    let (status, _) = crate::common::http("HEAD", &format!("{endpoint}/{bucket}"), &[], Vec::new());
    assert_eq!(status, 404, "the bucket is still there after the test");
}

/// A run module's problems point at its own files, under their path from the root module: its
/// `main.tf` is not confused with the root module's.
#[test]
fn run_module_diagnostics_point_at_the_module_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("main.tf", "resource \"terraform_data\" \"root\" {\n  input = \"root\"\n}\n"),
            (
                "setup/main.tf",
                "resource \"terraform_data\" \"s\" {\n  lifecycle {\n    precondition {\n      condition     = 1 == 2\n      error_message = \"setup refuses\"\n    }\n  }\n}\n",
            ),
            ("tests/a.tftest.hcl", "run \"setup\" {\n  module {\n    source = \"./setup\"\n  }\n}\n"),
        ],
    );
    let out = skyform(dir.path()).args(["test", "-no-color"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}{err}", stdout(&out));
    assert!(err.contains("setup refuses") && err.contains("setup/main.tf:4:"), "{err}");
    assert!(err.contains("condition     = 1 == 2"), "the module's own text is shown: {err}");
}
