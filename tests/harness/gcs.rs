//! Google Cloud Storage cases, against gcp-storage-emulator: buckets and objects. Results are
//! checked with plain HTTP calls to the JSON API.

use std::path::Path;

use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{http, unique};
use crate::test_gcs::{bucket_json, download, enc, provider_block, put};

const GCS: &str = "SKYFORM_GCS_ENDPOINT";

#[test]
fn google_storage_bucket() {
    run("google_storage_bucket", GCS, bucket);
}

#[test]
fn google_storage_bucket_object() {
    run("google_storage_bucket_object", GCS, object);
}

/// An object's metadata from the JSON API, `None` when it does not exist.
fn object_json(endpoint: &str, bucket: &str, name: &str) -> Option<serde_json::Value> {
    let (status, body) = http("GET", &format!("{endpoint}b/{bucket}/o/{}", enc(name)), &[], vec![]);
    (status == 200).then(|| serde_json::from_slice(&body).unwrap())
}

fn bucket(endpoint: &str, _dir: &Path) -> Case {
    const B: &str = "google_storage_bucket.b";
    let (first, renamed) = (unique("gcs"), unique("gcs-renamed"));
    let config = |name: &str, env: &str| {
        let labels = if env == "dev" { "{ env = \"dev\", team = \"a\" }" } else { "{ env = \"prod\" }" };
        format!(
            r#"{}
resource "google_storage_bucket" "b" {{
  name          = "{name}"
  location      = "us"
  force_destroy = true
  labels        = {labels}
  versioning {{
    enabled = true
  }}
}}

output "url" {{
  value = google_storage_bucket.b.url
}}
"#,
            provider_block(endpoint)
        )
    };
    let now = |s: &State, e: &str| bucket_json(e, &attr(s, B, "name"));
    let old = first.clone();
    Case {
        create: Step::new(config(&first, "dev"), &[(B, Create)]).check(move |s, e| {
            let b = now(s, e);
            assert_eq!((&b["labels"]["env"], &b["versioning"]["enabled"]), (&"dev".into(), &true.into()), "{b}");
            assert_eq!(s.outputs.get("url").and_then(|o| o.value.as_str()), Some(format!("gs://{}", attr(s, B, "name")).as_str()));
        }),
        update: Step::new(config(&first, "prod"), &[(B, Update)]).check(move |s, e| {
            let b = now(s, e);
            assert_eq!(b["labels"]["env"], "prod");
            // A removed label is sent as null, which removes it (the emulator keeps a null value).
            assert!(b["labels"].get("team").is_none_or(|v| v.is_null()), "{b}");
        }),
        replace: Step::new(config(&renamed, "prod"), &[(B, DeleteThenCreate)]).check(move |s, e| {
            assert_eq!(now(s, e)["name"], attr(s, B, "name"));
            assert_eq!(http("GET", &format!("{e}b/{old}"), &[], vec![]).0, 404, "the old bucket must be gone");
        }),
        // The storage class changed outside skyform; the object it also gets is deleted with
        // the bucket (force_destroy).
        drift: Some(
            Step::new(config(&renamed, "prod"), &[(B, Update)])
                .outside(|s, e| {
                    let b = attr(s, B, "name");
                    let patch = br#"{"storageClass":"NEARLINE"}"#.to_vec();
                    assert_eq!(http("PATCH", &format!("{e}b/{b}"), &[("content-type", "application/json")], patch).0, 200);
                    put(e, &b, "unmanaged.txt", "x");
                })
                .shows("\"NEARLINE\" -> \"STANDARD\"")
                .check(move |s, e| assert_eq!(now(s, e)["storageClass"], "STANDARD")),
        ),
        import: Import {
            address: B,
            id: Box::new(|s, _| attr(s, B, "name")),
            differs: vec!["force_destroy"],
            shows: vec!["~ force_destroy = false -> true".into()],
        },
        exists: Box::new(|s, e| http("GET", &format!("{e}b/{}", attr(s, B, "name")), &[], vec![]).0 == 200),
    }
}

fn object(endpoint: &str, dir: &Path) -> Case {
    const A: &str = "google_storage_bucket_object.f[\"a.txt\"]";
    const B: &str = "google_storage_bucket_object.f[\"b.txt\"]";
    const INLINE: &str = "google_storage_bucket_object.inline";
    let (bucket, dir) = (unique("gcsobj"), dir.display());
    let config = |prefix: &str, env: &str, content: &str| {
        format!(
            r#"{}
resource "google_storage_bucket" "b" {{
  name          = "{bucket}"
  location      = "us"
  force_destroy = true
}}

resource "google_storage_bucket_object" "f" {{
  for_each      = fileset("${{path.module}}/files", "*")
  name          = "{prefix}${{each.value}}"
  bucket        = google_storage_bucket.b.name
  source        = "{dir}/files/${{each.value}}"
  content_type  = "text/plain"
  cache_control = "no-cache"
  metadata      = {{ env = "{env}" }}
}}

resource "google_storage_bucket_object" "inline" {{
  name    = "inline.json"
  bucket  = google_storage_bucket.b.name
  content = {content}
}}
"#,
            provider_block(endpoint)
        )
    };
    let dev = r#"jsonencode({ env = "dev" })"#;
    // Object `a.txt` holds `want`, with the configured metadata.
    let a_is = |want: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let (bucket, name) = (attr(s, A, "bucket"), attr(s, A, "name"));
            assert_eq!(download(e, &bucket, &name), (200, want.as_bytes().to_vec()));
            let meta = object_json(e, &bucket, &name).expect("the object exists");
            assert_eq!(
                (meta["contentType"].as_str(), meta["cacheControl"].as_str(), meta["metadata"]["env"].as_str()),
                (Some("text/plain"), Some("no-cache"), Some(env))
            );
        }
    };
    let inline_is = |want: &'static str| move |s: &State, e: &str| assert_eq!(download(e, &attr(s, INLINE, "bucket"), "inline.json").1, want.as_bytes());
    Case {
        create: Step::new(config("files/", "dev", dev), &[("google_storage_bucket.b", Create), (A, Create), (B, Create), (INLINE, Create)])
            .file("files/a.txt", "alpha\n")
            .file("files/b.txt", "beta\n")
            .check(a_is("alpha\n", "dev"))
            .check(inline_is(r#"{"env":"dev"}"#)),
        // A local edit, new metadata, and sensitive content that never shows in the plan.
        update: Step::new(config("files/", "prod", "\"s3cr3t-value\""), &[(A, Update), (B, Update), (INLINE, Update)])
            .file("files/a.txt", "alpha 2\n")
            .shows("(sensitive value)")
            .hides("s3cr3t-value")
            .check(a_is("alpha 2\n", "prod"))
            .check(inline_is("s3cr3t-value")),
        replace: Step::new(config("data/", "prod", "\"s3cr3t-value\""), &[(A, DeleteThenCreate), (B, DeleteThenCreate)])
            .check(a_is("alpha 2\n", "prod"))
            .check(|s, e| {
                assert!(object_json(e, &attr(s, A, "bucket"), "files/a.txt").is_none(), "the old object must be gone");
            }),
        // One object overwritten and one deleted outside skyform.
        drift: Some(
            Step::new(config("data/", "prod", "\"s3cr3t-value\""), &[(A, Update), (B, Create)])
                .outside(|s, e| {
                    let bucket = attr(s, A, "bucket");
                    put(e, &bucket, &attr(s, A, "name"), "edited elsewhere");
                    assert_eq!(http("DELETE", &format!("{e}b/{bucket}/o/{}", enc(&attr(s, B, "name"))), &[], vec![]).0, 200);
                })
                .shows("Plan: 1 to add, 1 to change, 0 to destroy.")
                .check(a_is("alpha 2\n", "prod")),
        ),
        // The object's `source` is what the state cannot know, as in Terraform.
        import: Import {
            address: A,
            id: Box::new(|s, _| format!("{}/{}", attr(s, A, "bucket"), attr(s, A, "name"))),
            differs: vec!["source"],
            shows: vec!["+ source".into()],
        },
        exists: Box::new(|s, e| object_json(e, &attr(s, A, "bucket"), &attr(s, A, "name")).is_some()),
    }
}
