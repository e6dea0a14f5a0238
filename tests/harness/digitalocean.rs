//! DigitalOcean Spaces cases, against moto's S3 as the S3-compatible endpoint
//! (`spaces_endpoint`): buckets and objects. Results are checked with the AWS S3 SDK.

use std::path::Path;

use aws_sdk_s3::types::{BucketCannedAcl, Permission};
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::aws::{bucket_exists, object_body, s3, versioning_status};
use super::{attr, run, Case, Import, Step};
use crate::common::unique;
use crate::test_digitalocean::provider_block;

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn digitalocean_spaces_bucket() {
    run("digitalocean_spaces_bucket", MOTO, bucket);
}

#[test]
fn digitalocean_spaces_bucket_object() {
    run("digitalocean_spaces_bucket_object", MOTO, object);
}

/// Whether everyone may read the bucket (its ACL grants AllUsers READ).
fn bucket_public(endpoint: &str, bucket: &str) -> bool {
    let acl = s3(endpoint, async |c| c.get_bucket_acl().bucket(bucket).send().await.unwrap());
    acl.grants().iter().any(|g| g.grantee().and_then(|e| e.uri()).is_some_and(|u| u.ends_with("AllUsers")) && g.permission() == Some(&Permission::Read))
}

/// The max age of the bucket's first CORS rule, if it has one.
fn cors_max_age(endpoint: &str, bucket: &str) -> Option<i32> {
    s3(endpoint, async |c| c.get_bucket_cors().bucket(bucket).send().await.ok()?.cors_rules().first()?.max_age_seconds())
}

fn lifecycle_rules(endpoint: &str, bucket: &str) -> usize {
    s3(endpoint, async |c| c.get_bucket_lifecycle_configuration().bucket(bucket).send().await.map(|o| o.rules().len()).unwrap_or(0))
}

fn bucket(endpoint: &str, _dir: &Path) -> Case {
    const B: &str = "digitalocean_spaces_bucket.b";
    let (first, renamed) = (unique("spaces"), unique("spaces-renamed"));
    let config = |name: &str, acl: &str, max_age: u32, lifecycle: bool| {
        let lifecycle =
            if lifecycle { "\n  lifecycle_rule {\n    prefix  = \"logs/\"\n    enabled = true\n    expiration {\n      days = 30\n    }\n  }\n" } else { "" };
        format!(
            r#"{}
resource "digitalocean_spaces_bucket" "b" {{
  name          = "{name}"
  region        = "fra1"
  acl           = "{acl}"
  force_destroy = true

  versioning {{
    enabled = true
  }}

  cors_rule {{
    allowed_methods = ["GET", "HEAD"]
    allowed_origins = ["https://example.com"]
    max_age_seconds = {max_age}
  }}
{lifecycle}}}

output "domain" {{
  value = digitalocean_spaces_bucket.b.bucket_domain_name
}}
"#,
            provider_block(endpoint)
        )
    };
    let name = |s: &State| attr(s, B, "name");
    let old = first.clone();
    Case {
        create: Step::new(config(&first, "private", 300, false), &[(B, Create)]).shows("\"do:space:skyform-spaces-").check(move |s, e| {
            let b = name(s);
            assert_eq!(versioning_status(e, &b).as_deref(), Some("Enabled"));
            assert_eq!((bucket_public(e, &b), cors_max_age(e, &b)), (false, Some(300)));
            assert_eq!(s.outputs.get("domain").and_then(|o| o.value.as_str()), Some(format!("{b}.fra1.digitaloceanspaces.com").as_str()));
        }),
        update: Step::new(config(&first, "public-read", 600, true), &[(B, Update)]).check(move |s, e| {
            let b = name(s);
            assert_eq!((bucket_public(e, &b), cors_max_age(e, &b), lifecycle_rules(e, &b)), (true, Some(600), 1));
        }),
        replace: Step::new(config(&renamed, "public-read", 600, true), &[(B, DeleteThenCreate)]).check(move |s, e| {
            assert!(bucket_exists(e, &name(s)) && !bucket_exists(e, &old), "the bucket must be replaced");
            assert_eq!(lifecycle_rules(e, &name(s)), 1);
        }),
        // The ACL and CORS rules changed outside skyform.
        drift: Some(
            Step::new(config(&renamed, "public-read", 600, true), &[(B, Update)])
                .outside(move |s, e| {
                    let b = name(s);
                    s3(e, async |c| {
                        c.put_bucket_acl().bucket(&b).acl(BucketCannedAcl::Private).send().await.unwrap();
                        c.delete_bucket_cors().bucket(&b).send().await.unwrap();
                    });
                })
                .shows("\"private\" -> \"public-read\"")
                .shows("+ cors_rule {")
                .check(move |s, e| assert_eq!((bucket_public(e, &name(s)), cors_max_age(e, &name(s))), (true, Some(600)))),
        ),
        import: Import {
            address: B,
            id: Box::new(|s, _| format!("fra1,{}", attr(s, B, "name"))),
            differs: vec!["force_destroy"],
            shows: vec!["false -> true".into()],
        },
        exists: Box::new(move |s, e| bucket_exists(e, &name(s))),
    }
}

fn object(endpoint: &str, dir: &Path) -> Case {
    const A: &str = "digitalocean_spaces_bucket_object.f[\"a.txt\"]";
    const B: &str = "digitalocean_spaces_bucket_object.f[\"b.txt\"]";
    const INLINE: &str = "digitalocean_spaces_bucket_object.inline";
    let (bucket, dir) = (unique("spacesobj"), dir.display());
    let config = |prefix: &str, env: &str, content: &str, acl: &str| {
        format!(
            r#"{}
resource "digitalocean_spaces_bucket" "b" {{
  name          = "{bucket}"
  region        = "ams3"
  force_destroy = true
}}

resource "digitalocean_spaces_bucket_object" "f" {{
  for_each      = fileset("${{path.module}}/files", "*")
  region        = digitalocean_spaces_bucket.b.region
  bucket        = digitalocean_spaces_bucket.b.name
  key           = "{prefix}${{each.value}}"
  source        = "{dir}/files/${{each.value}}"
  content_type  = "text/plain"
  cache_control = "no-cache"
  metadata      = {{ env = "{env}" }}
}}

resource "digitalocean_spaces_bucket_object" "inline" {{
  region              = digitalocean_spaces_bucket.b.region
  bucket              = digitalocean_spaces_bucket.b.name
  key                 = "inline.json"
  content             = {content}
  acl                 = "{acl}"
  content_disposition = "attachment"
  content_language    = "en"
  website_redirect    = "/index.html"
}}
"#,
            provider_block(endpoint)
        )
    };
    let dev = r#"jsonencode({ env = "dev" })"#;
    // Object `a.txt` holds `want`, with the configured headers and metadata.
    let a_is = |want: &'static str, env: &'static str| {
        move |s: &State, e: &str| {
            let (bucket, key) = (attr(s, A, "bucket"), attr(s, A, "key"));
            assert_eq!(object_body(e, &bucket, &key).as_deref(), Some(want.as_bytes()));
            let head = s3(e, async |c| c.head_object().bucket(&bucket).key(&key).send().await.unwrap());
            let meta = head.metadata().and_then(|m| m.get("env")).map(String::as_str);
            assert_eq!((head.content_type(), head.cache_control(), meta), (Some("text/plain"), Some("no-cache"), Some(env)));
        }
    };
    let inline_is = |want: &'static str, public: bool| {
        move |s: &State, e: &str| {
            let bucket = attr(s, INLINE, "bucket");
            assert_eq!(object_body(e, &bucket, "inline.json").as_deref(), Some(want.as_bytes()));
            let head = s3(e, async |c| c.head_object().bucket(&bucket).key("inline.json").send().await.unwrap());
            assert_eq!(
                (head.content_disposition(), head.content_language(), head.website_redirect_location()),
                (Some("attachment"), Some("en"), Some("/index.html"))
            );
            let acl = s3(e, async |c| c.get_object_acl().bucket(&bucket).key("inline.json").send().await.unwrap());
            let everyone = acl.grants().iter().any(|g| g.grantee().and_then(|x| x.uri()).is_some_and(|u| u.ends_with("AllUsers")));
            assert_eq!(everyone, public, "public-read grants AllUsers READ");
        }
    };
    Case {
        create: Step::new(config("files/", "dev", dev, "private"), &[("digitalocean_spaces_bucket.b", Create), (A, Create), (B, Create), (INLINE, Create)])
            .file("files/a.txt", "alpha\n")
            .file("files/b.txt", "beta\n")
            .check(a_is("alpha\n", "dev"))
            .check(inline_is(r#"{"env":"dev"}"#, false)),
        // A local edit, new metadata, new inline content and a public ACL.
        update: Step::new(config("files/", "prod", "\"plain\"", "public-read"), &[(A, Update), (B, Update), (INLINE, Update)])
            .file("files/a.txt", "alpha 2\n")
            .check(a_is("alpha 2\n", "prod"))
            .check(inline_is("plain", true)),
        replace: Step::new(config("data/", "prod", "\"plain\"", "public-read"), &[(A, DeleteThenCreate), (B, DeleteThenCreate)])
            .check(a_is("alpha 2\n", "prod"))
            .check(|s, e| assert!(object_body(e, &attr(s, A, "bucket"), "files/a.txt").is_none(), "the old object must be gone")),
        // One object overwritten, one deleted and the inline one made private outside skyform.
        drift: Some(
            Step::new(config("data/", "prod", "\"plain\"", "public-read"), &[(A, Update), (B, Create), (INLINE, Update)])
                .outside(|s, e| {
                    let bucket = attr(s, A, "bucket");
                    let (a, b) = (attr(s, A, "key"), attr(s, B, "key"));
                    s3(e, async |c| {
                        c.put_object().bucket(&bucket).key(&a).body(b"edited elsewhere".to_vec().into()).send().await.unwrap();
                        c.delete_object().bucket(&bucket).key(&b).send().await.unwrap();
                        c.put_object_acl().bucket(&bucket).key("inline.json").acl(aws_sdk_s3::types::ObjectCannedAcl::Private).send().await.unwrap();
                    });
                })
                .shows("Plan: 1 to add, 2 to change, 0 to destroy.")
                .check(a_is("alpha 2\n", "prod"))
                .check(inline_is("plain", true)),
        ),
        // The object's `source` is what the state cannot know, as in Terraform.
        import: Import {
            address: A,
            id: Box::new(|s, _| format!("ams3,{},{}", attr(s, A, "bucket"), attr(s, A, "key"))),
            differs: vec!["source"],
            shows: vec!["+ source".into()],
        },
        exists: Box::new(|s, e| object_body(e, &attr(s, A, "bucket"), &attr(s, A, "key")).is_some()),
    }
}
