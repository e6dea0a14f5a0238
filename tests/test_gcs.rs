//! The google provider against a real emulator (gcp-storage-emulator, started by
//! `scripts/test`, JSON API endpoint in `SKYFORM_GCS_ENDPOINT`). Each test uses its own bucket
//! names, so they run in parallel. Results are checked with plain HTTP calls to the JSON API.
//! Each type's lifecycle is in `harness/gcs.rs`.

use std::sync::Arc;

use skyform::provider::google::{GoogleFactory, GoogleProvider};
use skyform::provider::{Provider, ReadRequest};
use skyform::value::Value;

use crate::common::{emulator, http, plan_code, skyform, stderr, stdout, succeeds, unique};

fn gcs() -> Option<String> {
    emulator("SKYFORM_GCS_ENDPOINT")
}

pub(crate) fn provider_block(endpoint: &str) -> String {
    format!("provider \"google\" {{\n  project                 = \"skyform-test\"\n  storage_custom_endpoint = \"{endpoint}\"\n}}\n")
}

/// `http://HOST:PORT` from `http://HOST:PORT/storage/v1/`.
fn root(endpoint: &str) -> String {
    endpoint.trim_end_matches('/').trim_end_matches("/storage/v1").to_string()
}

pub(crate) fn enc(name: &str) -> String {
    name.replace('/', "%2F").replace(' ', "%20")
}

pub(crate) fn download(endpoint: &str, bucket: &str, name: &str) -> (u16, Vec<u8>) {
    http("GET", &format!("{endpoint}b/{bucket}/o/{}?alt=media", enc(name)), &[], vec![])
}

pub(crate) fn put(endpoint: &str, bucket: &str, name: &str, body: &str) {
    let url = format!("{}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={}", root(endpoint), enc(name));
    let (status, text) = http("POST", &url, &[("content-type", "text/plain")], body.as_bytes().to_vec());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&text));
}

pub(crate) fn bucket_json(endpoint: &str, bucket: &str) -> serde_json::Value {
    let (status, body) = http("GET", &format!("{endpoint}b/{bucket}"), &[], vec![]);
    assert_eq!(status, 200);
    serde_json::from_slice(&body).unwrap()
}

/// `state rm` and `import` through the CLI, with a `for_each` address (the lifecycle of each
/// type, import included, is in `harness/gcs.rs`).
#[test]
fn cli_state_rm_and_import_round_trip() {
    let Some(endpoint) = gcs() else { return };
    let bucket = unique("gcscli");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("files")).unwrap();
    std::fs::write(d.join("files/a.txt"), "alpha\n").unwrap();
    std::fs::write(
        d.join("main.tf"),
        format!(
            r#"{}
resource "google_storage_bucket" "b" {{
  name     = "{bucket}"
  location = "us"
}}

resource "google_storage_bucket_object" "f" {{
  for_each = fileset("${{path.module}}/files", "*")
  name     = "files/${{each.value}}"
  bucket   = google_storage_bucket.b.name
  source   = "${{path.module}}/files/${{each.value}}"
}}
"#,
            provider_block(&endpoint)
        ),
    )
    .unwrap();
    succeeds(d, &["apply", "-auto-approve"]);
    let out = succeeds(d, &["state", "rm", "google_storage_bucket_object.f[\"a.txt\"]"]);
    assert!(stdout(&out).contains("Successfully removed 1 resource instance(s)."), "{}", stdout(&out));
    assert_eq!(stdout(&succeeds(d, &["state", "list"])), "google_storage_bucket.b\n");
    let out = succeeds(d, &["import", "google_storage_bucket_object.f[\"a.txt\"]", &format!("{bucket}/files/a.txt")]);
    assert!(stdout(&out).contains("Import successful!"), "{}", stdout(&out));
    // Only what the state cannot know (the source) is left to change, as in Terraform.
    let (code, text) = plan_code(d);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("+ source") && !text.contains("known after apply") && text.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{text}");
    succeeds(d, &["apply", "-auto-approve"]);
    assert_eq!(plan_code(d).0, Some(0), "{}", plan_code(d).1);
    let out = succeeds(d, &["destroy", "-auto-approve"]);
    assert!(stdout(&out).contains("Destroy complete! Resources: 2 destroyed."), "{}", stdout(&out));
    assert_eq!(http("GET", &format!("{endpoint}b/{bucket}"), &[], vec![]).0, 404);
}

#[test]
fn object_refresh_lists_the_bucket_once() {
    let Some(endpoint) = gcs() else { return };
    let bucket = unique("gcsbulk");
    let (status, _) =
        http("POST", &format!("{endpoint}b?project=skyform-test"), &[("content-type", "application/json")], format!("{{\"name\":\"{bucket}\"}}").into_bytes());
    assert_eq!(status, 200);
    let n = 60;
    let mut prior = Vec::new();
    for i in 0..n {
        let name = format!("obj/{i:03}.txt");
        let url = format!("{}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={}", root(&endpoint), enc(&name));
        let (_, body) = http("POST", &url, &[("content-type", "text/plain")], format!("object {i}").into_bytes());
        let o: serde_json::Value = serde_json::from_slice(&body).unwrap();
        prior.push(Value::object([
            ("name", Value::string(&name)),
            ("bucket", Value::string(&bucket)),
            ("content", Value::string(format!("object {i}"))),
            ("content_type", Value::string("text/plain")),
            ("md5hash", Value::string(o["md5Hash"].as_str().unwrap())),
        ]));
    }
    put(&endpoint, &bucket, "obj/007.txt", "changed");
    assert_eq!(http("DELETE", &format!("{endpoint}b/{bucket}/o/{}", enc("obj/009.txt")), &[], vec![]).0, 200);

    let rt = crate::common::rt();
    let config = Value::object([("project", Value::string("skyform-test")), ("storage_custom_endpoint", Value::string(&endpoint))]);
    let driver: Arc<GoogleProvider> = rt.block_on(GoogleFactory::new().connect(&config)).unwrap();
    let reqs: Vec<ReadRequest> = prior.iter().map(|p| ReadRequest { type_name: "google_storage_bucket_object".into(), prior_state: p.clone() }).collect();
    let before = driver.requests();
    let responses = rt.block_on(driver.read_batch(reqs));
    let sent = driver.requests() - before;

    assert_eq!(responses.len(), n);
    assert!(responses.iter().all(|r| r.diagnostics.is_empty()));
    assert!(responses[9].new_state.is_none(), "the deleted object must read as gone");
    assert_ne!(responses[7].new_state.as_ref().unwrap().get_attr("md5hash"), prior[7].get_attr("md5hash"));
    assert_eq!(responses[0].new_state.as_ref().unwrap().get_attr("md5hash"), prior[0].get_attr("md5hash"));
    // 60 objects = one list call; Terraform reads each object (60+ requests).
    assert_eq!(sent, 1, "refresh of {n} objects sent {sent} requests");

    // Objects of a bucket that is gone read as gone, not as errors.
    let elsewhere = unique("gone");
    let reqs: Vec<ReadRequest> = prior
        .iter()
        .map(|p| {
            let mut v = p.clone();
            if let Value::Map(m) = &mut v {
                std::sync::Arc::make_mut(m).insert("bucket".into(), Value::string(&elsewhere));
            }
            ReadRequest { type_name: "google_storage_bucket_object".into(), prior_state: v }
        })
        .collect();
    let responses = rt.block_on(driver.read_batch(reqs));
    assert!(responses.iter().all(|r| r.new_state.is_none() && r.diagnostics.is_empty()));
}

#[test]
fn gcs_errors_name_the_resource() {
    let Some(endpoint) = gcs() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // An invalid bucket name is caught at plan.
    let bad = format!("{}\nresource \"google_storage_bucket\" \"bad\" {{\n  name     = \"Bad_Name\"\n  location = \"US\"\n}}\n", provider_block(&endpoint));
    std::fs::write(d.join("main.tf"), &bad).unwrap();
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("Invalid bucket name") && err.contains("main.tf:") && err.contains("google_storage_bucket.bad"), "{err}");

    // A name that is taken: the service's 409, with the address and what to do.
    let taken = unique("taken");
    assert_eq!(
        http("POST", &format!("{endpoint}b?project=x"), &[("content-type", "application/json")], format!("{{\"name\":\"{taken}\"}}").into_bytes()).0,
        200
    );
    let cfg = format!("{}\nresource \"google_storage_bucket\" \"t\" {{\n  name     = \"{taken}\"\n  location = \"US\"\n}}\n", provider_block(&endpoint));
    std::fs::write(d.join("main.tf"), &cfg).unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("HTTP 409") && err.contains("google_storage_bucket.t") && err.contains("skyform import"), "{err}");

    // An object in a bucket that does not exist.
    let cfg = format!(
        "{}\nresource \"google_storage_bucket_object\" \"o\" {{\n  name    = \"o.txt\"\n  bucket  = \"{}\"\n  content = \"x\"\n}}\n",
        provider_block(&endpoint),
        unique("nothere")
    );
    std::fs::write(d.join("main.tf"), &cfg).unwrap();
    let out = skyform(d).args(["apply", "-auto-approve", "-no-color"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("HTTP 404") && err.contains("google_storage_bucket_object.o"), "{err}");
    assert_eq!(stdout(&succeeds(d, &["state", "list"])), "");
}
