//! Applies through `scripts/fault-proxy` in front of moto, which answers 20% of requests with
//! 503 SlowDown or 500 InternalError: every apply, re-plan and destroy completes, no object is
//! made twice, and the retries are visible in the log.

use std::io::BufRead;
use std::path::Path;

use crate::common::{emulator, skyform, stderr, stdout, unique};

/// The proxy, stopped when dropped.
struct Proxy {
    child: std::process::Child,
    url: String,
    stats: tempfile::NamedTempFile,
}

impl Proxy {
    fn start(target: &str, rate: f64) -> Proxy {
        let stats = tempfile::NamedTempFile::new().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fault-proxy");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .args(["--target", target, "--rate", &rate.to_string(), "--seed", "7", "--stats"])
            .arg(stats.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the fault proxy");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("PORT ").unwrap_or_else(|| panic!("fault proxy said {line:?}")).to_string();
        Proxy { child, url: format!("http://127.0.0.1:{port}"), stats }
    }

    /// (requests, faults) so far.
    fn counts(&self) -> (u64, u64) {
        let text = std::fs::read_to_string(self.stats.path()).unwrap_or_default();
        let n: Vec<u64> = text.split_whitespace().filter_map(|w| w.parse().ok()).collect();
        (n.first().copied().unwrap_or(0), n.get(1).copied().unwrap_or(0))
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn applies_through_injected_throttling_and_server_errors_complete_without_duplicates() {
    let Some(moto) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let proxy = Proxy::start(&moto, 0.2);
    let bucket = unique("faults");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        format!(
            "{}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"{bucket}\"\n  force_destroy = true\n}}\nresource \"aws_s3_object\" \"o\" {{\n  count = 30\n  bucket = aws_s3_bucket.b.id\n  key = \"obj-${{count.index}}\"\n  content = \"object ${{count.index}}\"\n}}\nresource \"aws_sqs_queue\" \"q\" {{\n  count = 3\n  name = \"{bucket}-${{count.index}}\"\n}}\n",
            crate::test_aws::provider_block(&proxy.url).replace("    s3 = ", &format!("    sqs = \"{}\"\n    s3 = ", proxy.url))
        ),
    )
    .unwrap();
    let log = d.join("skyform.log");
    let run = |args: &[&str]| skyform(d).args(args).env("TF_LOG", "WARN").env("TF_LOG_PATH", &log).output().unwrap();
    let out = run(&["apply", "-auto-approve", "-no-color"]);
    assert!(out.status.success(), "apply: {}{}", stdout(&out), stderr(&out));
    let out = run(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(out.status.code(), Some(0), "re-plan: {}{}", stdout(&out), stderr(&out));
    // Straight to moto: exactly the 30 objects and 3 queues, none twice.
    let (status, body) = crate::common::http("GET", &format!("{moto}/{bucket}?list-type=2"), &[], Vec::new());
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8_lossy(&body).matches("<Key>").count(), 30);
    let (requests, faults) = proxy.counts();
    assert!(faults >= requests / 10 && faults > 5, "only {faults} faults in {requests} requests");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(text.to_lowercase().contains("retr"), "no retry in the log:\n{text}");
    let out = run(&["destroy", "-auto-approve", "-no-color"]);
    assert!(out.status.success(), "destroy: {}{}", stdout(&out), stderr(&out));
    let (status, _) = crate::common::http("HEAD", &format!("{moto}/{bucket}"), &[], Vec::new());
    assert_eq!(status, 404, "the bucket survived the destroy");
}
