//! Crash safety on moto, through `scripts/crash-trials` (the one implementation of the trials;
//! run it by hand with `--trials 20` for the full acceptance): applies of EC2 instances and S3
//! objects killed with SIGKILL at random points, then recovered, leave live objects == objects in
//! config == objects in state; an apply whose state database another process holds past SQLite's
//! busy timeout waits and records everything.

use crate::common::emulator;

fn trials(args: &[&str]) {
    let Some(endpoint) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/crash-trials");
    let bin = assert_cmd::cargo::cargo_bin("skyform");
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(["--skyform", bin.to_str().unwrap()])
        .args(args)
        .env("SKYFORM_MOTO_ENDPOINT", endpoint)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("0 failed trial(s)"), "{text}");
    println!("{text}");
}

#[test]
fn killed_ec2_applies_leave_no_orphan_instance() {
    trials(&["--kinds", "ec2", "--trials", "3"]);
}

#[test]
fn killed_s3_applies_leave_every_object_in_state() {
    trials(&["--kinds", "s3", "--trials", "2", "--s3-count", "150"]);
}

#[test]
fn a_state_database_held_past_the_busy_timeout_is_waited_for() {
    trials(&["--kinds", "ec2", "--trials", "1", "--ec2-count", "10", "--busy", "7"]);
}
