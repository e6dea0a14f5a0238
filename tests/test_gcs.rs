//! The google provider against a real emulator (gcp-storage-emulator, started by
//! `scripts/test`, JSON API endpoint in `SKYFORM_GCS_ENDPOINT`). Each test uses its own bucket
//! names, so they run in parallel. Results are checked with plain HTTP calls to the JSON API.

use std::sync::Arc;

use skyform::provider::google::{GoogleFactory, GoogleProvider};
use skyform::provider::{Provider, ReadRequest};
use skyform::value::Value;

use crate::common::{emulator, http, plan_code, skyform, stderr, stdout, succeeds, unique};

fn gcs() -> Option<String> {
    emulator("SKYFORM_GCS_ENDPOINT")
}

fn provider_block(endpoint: &str) -> String {
    format!("provider \"google\" {{\n  project                 = \"skyform-test\"\n  storage_custom_endpoint = \"{endpoint}\"\n}}\n")
}

/// `http://HOST:PORT` from `http://HOST:PORT/storage/v1/`.
fn root(endpoint: &str) -> String {
    endpoint.trim_end_matches('/').trim_end_matches("/storage/v1").to_string()
}

fn enc(name: &str) -> String {
    name.replace('/', "%2F").replace(' ', "%20")
}

fn download(endpoint: &str, bucket: &str, name: &str) -> (u16, Vec<u8>) {
    http("GET", &format!("{endpoint}b/{bucket}/o/{}?alt=media", enc(name)), &[], vec![])
}

fn put(endpoint: &str, bucket: &str, name: &str, body: &str) {
    let url = format!("{}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={}", root(endpoint), enc(name));
    let (status, text) = http("POST", &url, &[("content-type", "text/plain")], body.as_bytes().to_vec());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&text));
}

fn bucket_json(endpoint: &str, bucket: &str) -> serde_json::Value {
    let (status, body) = http("GET", &format!("{endpoint}b/{bucket}"), &[], vec![]);
    assert_eq!(status, 200);
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn bucket_and_objects_apply_drift_update_import_destroy() {
    let Some(endpoint) = gcs() else { return };
    let bucket = unique("gcs");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("files")).unwrap();
    std::fs::write(d.join("files/a.txt"), "alpha\n").unwrap();
    std::fs::write(d.join("files/b.txt"), "beta\n").unwrap();
    let config = |env: &str| {
        let labels = if env == "dev" { "{ env = \"dev\", team = \"a\" }" } else { "{ env = \"prod\" }" };
        format!(
            r#"{}
resource "google_storage_bucket" "b" {{
  name          = "{bucket}"
  location      = "us"
  force_destroy = true
  labels        = {labels}
  versioning {{
    enabled = true
  }}
}}

resource "google_storage_bucket_object" "f" {{
  for_each      = fileset("${{path.module}}/files", "*")
  name          = "files/${{each.value}}"
  bucket        = google_storage_bucket.b.name
  source        = "${{path.module}}/files/${{each.value}}"
  content_type  = "text/plain"
  cache_control = "no-cache"
  metadata      = {{ env = "{env}" }}
}}

resource "google_storage_bucket_object" "inline" {{
  name    = "inline.json"
  bucket  = google_storage_bucket.b.name
  content = jsonencode({{ env = "{env}" }})
}}

output "url" {{
  value = google_storage_bucket.b.url
}}
"#,
            provider_block(&endpoint)
        )
    };
    std::fs::write(d.join("main.tf"), config("dev")).unwrap();
    let out = succeeds(d, &["apply", "-auto-approve"]);
    assert!(stdout(&out).contains("Apply complete! Resources: 4 added"), "{}", stdout(&out));
    assert_eq!(plan_code(d).0, Some(0), "{}", plan_code(d).1);
    assert_eq!(stdout(&succeeds(d, &["output", "-raw", "url"])), format!("gs://{bucket}"));

    // Really there, as configured.
    let b = bucket_json(&endpoint, &bucket);
    assert_eq!(b["labels"]["env"], "dev", "{b}");
    assert_eq!(b["versioning"]["enabled"], true, "{b}");
    assert_eq!(download(&endpoint, &bucket, "files/a.txt"), (200, b"alpha\n".to_vec()));
    assert_eq!(download(&endpoint, &bucket, "inline.json").1, br#"{"env":"dev"}"#.to_vec());
    let (_, meta) = http("GET", &format!("{endpoint}b/{bucket}/o/{}", enc("files/a.txt")), &[], vec![]);
    let meta: serde_json::Value = serde_json::from_slice(&meta).unwrap();
    assert_eq!(
        (meta["contentType"].as_str(), meta["cacheControl"].as_str(), meta["metadata"]["env"].as_str()),
        (Some("text/plain"), Some("no-cache"), Some("dev"))
    );

    // The sensitive content never shows in the plan.
    std::fs::write(d.join("main.tf"), config("dev").replace("jsonencode({ env = \"dev\" })", "\"s3cr3t-value\"")).unwrap();
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    assert!(stdout(&out).contains("(sensitive value)") && !stdout(&out).contains("s3cr3t-value"), "{}", stdout(&out));
    std::fs::write(d.join("main.tf"), config("dev")).unwrap();

    // Drift: one object overwritten and one deleted outside skyform, and the bucket's storage
    // class changed.
    put(&endpoint, &bucket, "files/a.txt", "edited elsewhere");
    assert_eq!(http("DELETE", &format!("{endpoint}b/{bucket}/o/{}", enc("files/b.txt")), &[], vec![]).0, 200);
    let patch = br#"{"storageClass":"NEARLINE"}"#.to_vec();
    assert_eq!(http("PATCH", &format!("{endpoint}b/{bucket}"), &[("content-type", "application/json")], patch).0, 200);
    let out = skyform(d).args(["plan", "-no-color"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("# google_storage_bucket_object.f[\"a.txt\"] will be updated in-place"), "{text}");
    assert!(text.contains("# google_storage_bucket_object.f[\"b.txt\"] will be created"), "{text}");
    assert!(text.contains("# google_storage_bucket.b will be updated in-place") && text.contains("\"NEARLINE\" -> \"STANDARD\""), "{text}");
    assert!(text.contains("Plan: 1 to add, 2 to change, 0 to destroy."), "{text}");

    // A local edit and a label change: converge, then nothing left to do.
    std::fs::write(d.join("files/a.txt"), "alpha 2\n").unwrap();
    std::fs::write(d.join("main.tf"), config("prod")).unwrap();
    succeeds(d, &["apply", "-auto-approve"]);
    assert_eq!(plan_code(d).0, Some(0), "{}", plan_code(d).1);
    assert_eq!(download(&endpoint, &bucket, "files/a.txt"), (200, b"alpha 2\n".to_vec()));
    let b = bucket_json(&endpoint, &bucket);
    assert_eq!(b["labels"]["env"], "prod");
    // A removed label is sent as null, which removes it (the emulator keeps a null value).
    assert!(b["labels"].get("team").is_none_or(|v| v.is_null()), "{b}");

    // Import: forget the bucket and an object, import them by id; the plan is clean except
    // for what the state cannot know (the object's source), as in Terraform.
    succeeds(d, &["state", "rm", "google_storage_bucket.b"]);
    succeeds(d, &["import", "google_storage_bucket.b", &bucket]);
    succeeds(d, &["state", "rm", "google_storage_bucket_object.f[\"a.txt\"]"]);
    succeeds(d, &["import", "google_storage_bucket_object.f[\"a.txt\"]", &format!("{bucket}/files/a.txt")]);
    let (code, text) = plan_code(d);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("~ force_destroy = false -> true") && text.contains("+ source") && !text.contains("known after apply"), "{text}");
    assert!(text.contains("Plan: 0 to add, 2 to change, 0 to destroy."), "{text}");
    succeeds(d, &["apply", "-auto-approve"]);
    assert_eq!(plan_code(d).0, Some(0), "{}", plan_code(d).1);

    // Destroy with force_destroy: an object skyform does not manage goes with the bucket.
    put(&endpoint, &bucket, "unmanaged.txt", "x");
    let out = succeeds(d, &["destroy", "-auto-approve"]);
    assert!(stdout(&out).contains("Destroy complete! Resources: 4 destroyed."), "{}", stdout(&out));
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
