//! AWS S3 bucket configuration cases, against moto: policy, public access block, server-side
//! encryption, ownership controls, lifecycle, CORS, website, ACL and logging. Each case has two
//! buckets (`a`, `b`): the configuration is created on `a`, changed in place, moved to `b`
//! (a replacement), changed outside skyform with the AWS SDK, imported by bucket name and
//! destroyed with the buckets. Results are checked with the SDK, not through skyform.

use std::path::Path;

use aws_sdk_s3::types::*;
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{rt, unique};
use crate::test_aws::{provider_block, sdk};

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";
/// moto's account owner (its canonical user id).
const OWNER: &str = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";

#[test]
fn aws_s3_bucket_policy() {
    run("aws_s3_bucket_policy", MOTO, policy);
}

#[test]
fn aws_s3_bucket_public_access_block() {
    run("aws_s3_bucket_public_access_block", MOTO, public_access_block);
}

#[test]
fn aws_s3_bucket_server_side_encryption_configuration() {
    run("aws_s3_bucket_server_side_encryption_configuration", MOTO, encryption);
}

#[test]
fn aws_s3_bucket_ownership_controls() {
    run("aws_s3_bucket_ownership_controls", MOTO, ownership);
}

#[test]
fn aws_s3_bucket_lifecycle_configuration() {
    run("aws_s3_bucket_lifecycle_configuration", MOTO, lifecycle);
}

#[test]
fn aws_s3_bucket_cors_configuration() {
    run("aws_s3_bucket_cors_configuration", MOTO, cors);
}

#[test]
fn aws_s3_bucket_website_configuration() {
    run("aws_s3_bucket_website_configuration", MOTO, website);
}

#[test]
fn aws_s3_bucket_acl() {
    run("aws_s3_bucket_acl", MOTO, acl_policy);
}

#[test]
fn aws_s3_bucket_acl_canned() {
    run("aws_s3_bucket_acl_canned", MOTO, acl_canned);
}

#[test]
fn aws_s3_bucket_logging() {
    run("aws_s3_bucket_logging", MOTO, logging);
}

/// Runs `f` with an S3 client on a fresh runtime.
fn s3<T>(endpoint: &str, f: impl AsyncFnOnce(aws_sdk_s3::Client) -> T) -> T {
    rt().block_on(async { f(sdk(endpoint).await).await })
}

/// The provider, buckets `a` and `b` (emptied on destroy) and `resource`.
fn config(endpoint: &str, a: &str, b: &str, resource: &str) -> String {
    let bucket = |n: &str, name: &str| format!("resource \"aws_s3_bucket\" \"{n}\" {{\n  bucket        = \"{name}\"\n  force_destroy = true\n}}\n");
    format!("{}\n{}\n{}\n{resource}", provider_block(endpoint), bucket("a", a), bucket("b", b))
}

/// The create step's changes: both buckets and the configuration.
fn with_buckets(address: &'static str) -> [(&'static str, skyform::plan::Action); 3] {
    [("aws_s3_bucket.a", Create), ("aws_s3_bucket.b", Create), (address, Create)]
}

/// Imports `address` by its `bucket`.
fn by_bucket(address: &'static str) -> Import {
    Import { address, id: Box::new(move |s, _| attr(s, address, "bucket")), differs: vec![], shows: vec![] }
}

/// The bucket (of `address` in state) that a probe looks at.
fn target(s: &State, address: &str) -> String {
    attr(s, address, "bucket")
}

const POLICY: &str = "aws_s3_bucket_policy.p";

fn policy(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("policy-a"), unique("policy-b"));
    // A heredoc with its own layout and key order, and a one-element Action list.
    let resource = |on: &str, actions: &str| {
        format!(
            "resource \"aws_s3_bucket_policy\" \"p\" {{\n  bucket = aws_s3_bucket.{on}.id\n  policy = <<EOT\n{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{{\n    \"Sid\": \"Read\", \"Effect\": \"Allow\", \"Principal\": {{\"AWS\": \"*\"}},\n    \"Action\": [{actions}],\n    \"Resource\": \"${{aws_s3_bucket.{on}.arn}}/*\"\n  }}]\n}}\nEOT\n}}\n"
        )
    };
    let cfg = |on: &str, actions: &str| config(endpoint, &a, &b, &resource(on, actions));
    let policy_of = |e: &str, bucket: &str| s3(e, async |c| c.get_bucket_policy().bucket(bucket).send().await.ok()?.policy().map(str::to_string));
    let allows = move |action: &'static str| {
        move |s: &State, e: &str| assert!(policy_of(e, &target(s, POLICY)).is_some_and(|p| p.contains(action)), "the policy allows {action}")
    };
    Case {
        create: Step::new(cfg("a", "\"s3:GetObject\""), &with_buckets(POLICY)).check(allows("s3:GetObject")).check(|s, e| {
            // S3 may answer with its own layout: an equivalent policy is no change (the next
            // plan, run by the harness after this check, must be empty).
            let bucket = target(s, POLICY);
            let same = format!(
                "{{\"Statement\":{{\"Resource\":\"arn:aws:s3:::{bucket}/*\",\"Principal\":{{\"AWS\":[\"*\"]}},\"Action\":\"s3:GetObject\",\"Effect\":\"Allow\",\"Sid\":\"Read\"}},\"Version\":\"2012-10-17\"}}"
            );
            s3(e, async |c| c.put_bucket_policy().bucket(&bucket).policy(same).send().await.unwrap());
        }),
        update: Step::new(cfg("a", "\"s3:GetObject\", \"s3:GetObjectVersion\""), &[(POLICY, Update)]).check(allows("s3:GetObjectVersion")),
        replace: Step::new(cfg("b", "\"s3:GetObject\", \"s3:GetObjectVersion\""), &[(POLICY, DeleteThenCreate)])
            .check(move |s, e| assert!(policy_of(e, &a_name(s)).is_none(), "the old bucket's policy is deleted"))
            .check(allows("s3:GetObjectVersion")),
        drift: Some(
            Step::new(cfg("b", "\"s3:GetObject\", \"s3:GetObjectVersion\""), &[(POLICY, Update)])
                .outside(|s, e| {
                    let bucket = target(s, POLICY);
                    let other = format!("{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::{bucket}/*\"}}]}}");
                    s3(e, async |c| c.put_bucket_policy().bucket(&bucket).policy(other).send().await.unwrap());
                })
                .shows("s3:DeleteObject")
                .check(allows("s3:GetObjectVersion")),
        ),
        import: by_bucket(POLICY),
        exists: Box::new(move |s, e| policy_of(e, &target(s, POLICY)).is_some()),
    }
}

/// Bucket `a`'s name in state.
fn a_name(s: &State) -> String {
    attr(s, "aws_s3_bucket.a", "bucket")
}

const PAB: &str = "aws_s3_bucket_public_access_block.p";

fn public_access_block(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("pab-a"), unique("pab-b"));
    let cfg = |on: &str, restrict: bool| {
        let r = format!("resource \"aws_s3_bucket_public_access_block\" \"p\" {{\n  bucket                  = aws_s3_bucket.{on}.id\n  block_public_acls       = true\n  block_public_policy     = true\n  restrict_public_buckets = {restrict}\n}}\n");
        config(endpoint, &a, &b, &r)
    };
    let block_of = |e: &str, bucket: &str| {
        s3(e, async |c| {
            let out = c.get_public_access_block().bucket(bucket).send().await.ok()?;
            let p = out.public_access_block_configuration()?.clone();
            Some([p.block_public_acls(), p.block_public_policy(), p.ignore_public_acls(), p.restrict_public_buckets()].map(|x| x.unwrap_or(false)))
        })
    };
    let is = move |want: [bool; 4]| move |s: &State, e: &str| assert_eq!(block_of(e, &target(s, PAB)), Some(want), "the public access block");
    Case {
        create: Step::new(cfg("a", false), &with_buckets(PAB)).shows("+ ignore_public_acls      = false").check(is([true, true, false, false])),
        update: Step::new(cfg("a", true), &[(PAB, Update)]).check(is([true, true, false, true])),
        replace: Step::new(cfg("b", true), &[(PAB, DeleteThenCreate)])
            .check(move |s, e| assert_eq!(block_of(e, &a_name(s)), None, "the old bucket's block is deleted"))
            .check(is([true, true, false, true])),
        drift: Some(
            Step::new(cfg("b", true), &[(PAB, Update)])
                .outside(|s, e| {
                    let open = PublicAccessBlockConfiguration::builder().block_public_acls(false).build();
                    s3(e, async |c| c.put_public_access_block().bucket(target(s, PAB)).public_access_block_configuration(open).send().await.unwrap());
                })
                .shows("~ block_public_acls       = false -> true")
                .check(is([true, true, false, true])),
        ),
        import: by_bucket(PAB),
        exists: Box::new(move |s, e| block_of(e, &target(s, PAB)).is_some()),
    }
}

const SSE: &str = "aws_s3_bucket_server_side_encryption_configuration.e";
const KEY: &str = "arn:aws:kms:eu-west-1:123456789012:key/0b5d0ef5-e1b3-4a7c-9a37-5d0d3e8c2f44";

fn encryption(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("sse-a"), unique("sse-b"));
    let cfg = |on: &str, kms: bool| {
        let by_default =
            if kms { format!("sse_algorithm     = \"aws:kms\"\n      kms_master_key_id = \"{KEY}\"") } else { "sse_algorithm = \"AES256\"".to_string() };
        let key = if kms { "\n    bucket_key_enabled = true" } else { "" };
        let r = format!("resource \"aws_s3_bucket_server_side_encryption_configuration\" \"e\" {{\n  bucket = aws_s3_bucket.{on}.id\n  rule {{\n    apply_server_side_encryption_by_default {{\n      {by_default}\n    }}{key}\n  }}\n}}\n");
        config(endpoint, &a, &b, &r)
    };
    let algorithm = |e: &str, bucket: &str| {
        s3(e, async |c| {
            let out = c.get_bucket_encryption().bucket(bucket).send().await.ok()?;
            let rule = out.server_side_encryption_configuration()?.rules().first()?.clone();
            Some(rule.apply_server_side_encryption_by_default()?.sse_algorithm().as_str().to_string())
        })
    };
    let is = move |want: &'static str| move |s: &State, e: &str| assert_eq!(algorithm(e, &target(s, SSE)).as_deref(), Some(want), "the default encryption");
    Case {
        create: Step::new(cfg("a", false), &with_buckets(SSE)).check(is("AES256")),
        update: Step::new(cfg("a", true), &[(SSE, Update)]).check(is("aws:kms")),
        replace: Step::new(cfg("b", true), &[(SSE, DeleteThenCreate)]).check(is("aws:kms")),
        drift: Some(
            Step::new(cfg("b", true), &[(SSE, Update)])
                .outside(|s, e| {
                    let d = ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::Aes256).build().unwrap();
                    let rule = ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(d).build();
                    let conf = ServerSideEncryptionConfiguration::builder().rules(rule).build().unwrap();
                    s3(e, async |c| c.put_bucket_encryption().bucket(target(s, SSE)).server_side_encryption_configuration(conf).send().await.unwrap());
                })
                .shows("- sse_algorithm = \"AES256\" -> null")
                .check(is("aws:kms")),
        ),
        import: by_bucket(SSE),
        exists: Box::new(move |s, e| algorithm(e, &target(s, SSE)).is_some()),
    }
}

const OWNERSHIP: &str = "aws_s3_bucket_ownership_controls.o";

fn ownership(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("own-a"), unique("own-b"));
    let cfg = |on: &str, o: &str| {
        let r = format!(
            "resource \"aws_s3_bucket_ownership_controls\" \"o\" {{\n  bucket = aws_s3_bucket.{on}.id\n  rule {{\n    object_ownership = \"{o}\"\n  }}\n}}\n"
        );
        config(endpoint, &a, &b, &r)
    };
    let ownership_of = |e: &str, bucket: &str| {
        s3(e, async |c| {
            let out = c.get_bucket_ownership_controls().bucket(bucket).send().await.ok()?;
            Some(out.ownership_controls()?.rules().first()?.object_ownership().as_str().to_string())
        })
    };
    let is = move |want: &'static str| move |s: &State, e: &str| assert_eq!(ownership_of(e, &target(s, OWNERSHIP)).as_deref(), Some(want));
    Case {
        create: Step::new(cfg("a", "BucketOwnerPreferred"), &with_buckets(OWNERSHIP)).check(is("BucketOwnerPreferred")),
        update: Step::new(cfg("a", "ObjectWriter"), &[(OWNERSHIP, Update)]).check(is("ObjectWriter")),
        replace: Step::new(cfg("b", "ObjectWriter"), &[(OWNERSHIP, DeleteThenCreate)])
            .check(move |s, e| assert_eq!(ownership_of(e, &a_name(s)), None, "the old bucket's controls are deleted"))
            .check(is("ObjectWriter")),
        drift: Some(
            Step::new(cfg("b", "ObjectWriter"), &[(OWNERSHIP, Update)])
                .outside(|s, e| {
                    let rule = OwnershipControlsRule::builder().object_ownership(ObjectOwnership::BucketOwnerEnforced).build().unwrap();
                    let controls = OwnershipControls::builder().rules(rule).build().unwrap();
                    s3(e, async |c| c.put_bucket_ownership_controls().bucket(target(s, OWNERSHIP)).ownership_controls(controls).send().await.unwrap());
                })
                .shows("\"BucketOwnerEnforced\" -> \"ObjectWriter\"")
                .check(is("ObjectWriter")),
        ),
        import: by_bucket(OWNERSHIP),
        exists: Box::new(move |s, e| ownership_of(e, &target(s, OWNERSHIP)).is_some()),
    }
}

const LIFECYCLE: &str = "aws_s3_bucket_lifecycle_configuration.l";

fn lifecycle(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("lc-a"), unique("lc-b"));
    let logs = "  rule {\n    id     = \"logs\"\n    status = \"Enabled\"\n    filter {\n      prefix = \"logs/\"\n    }\n    expiration {\n      days = 90\n    }\n    transition {\n      days          = 30\n      storage_class = \"GLACIER\"\n    }\n  }\n";
    let more = "  rule {\n    id     = \"tmp\"\n    status = \"Disabled\"\n    filter {\n      and {\n        prefix = \"tmp/\"\n        tags   = { kind = \"scratch\" }\n      }\n    }\n    expiration {\n      date = \"2030-01-01T00:00:00Z\"\n    }\n    noncurrent_version_expiration {\n      noncurrent_days = 5\n    }\n    abort_incomplete_multipart_upload {\n      days_after_initiation = 3\n    }\n  }\n\n  rule {\n    id     = \"markers\"\n    status = \"Enabled\"\n    filter {}\n    expiration {\n      expired_object_delete_marker = true\n    }\n  }\n";
    let cfg = move |on: &str, both: bool| {
        let rules = if both { format!("{logs}\n{more}") } else { logs.to_string() };
        config(endpoint, &a, &b, &format!("resource \"aws_s3_bucket_lifecycle_configuration\" \"l\" {{\n  bucket = aws_s3_bucket.{on}.id\n\n{rules}}}\n"))
    };
    let rule_ids = |e: &str, bucket: &str| {
        s3(e, async |c| {
            let out = c.get_bucket_lifecycle_configuration().bucket(bucket).send().await.ok()?;
            Some(out.rules().iter().map(|r| r.id().unwrap_or_default().to_string()).collect::<Vec<_>>())
        })
    };
    let ids_are = move |want: &'static [&'static str]| {
        move |s: &State, e: &str| assert_eq!(rule_ids(e, &target(s, LIFECYCLE)), Some(want.iter().map(|x| x.to_string()).collect()), "the lifecycle rules")
    };
    Case {
        create: Step::new(cfg("a", false), &with_buckets(LIFECYCLE)).shows("+ expired_object_delete_marker = false").check(ids_are(&["logs"])),
        update: Step::new(cfg("a", true), &[(LIFECYCLE, Update)]).check(ids_are(&["logs", "tmp", "markers"])),
        replace: Step::new(cfg("b", true), &[(LIFECYCLE, DeleteThenCreate)])
            .check(move |s, e| assert_eq!(rule_ids(e, &a_name(s)), None, "the old bucket's rules are deleted"))
            .check(ids_are(&["logs", "tmp", "markers"])),
        drift: Some(
            Step::new(cfg("b", true), &[(LIFECYCLE, Update)])
                .outside(|s, e| {
                    let rule = LifecycleRule::builder()
                        .id("logs")
                        .status(ExpirationStatus::Enabled)
                        .filter(LifecycleRuleFilter::builder().prefix("logs/").build())
                        .expiration(LifecycleExpiration::builder().days(7).build())
                        .build()
                        .unwrap();
                    let conf = BucketLifecycleConfiguration::builder().rules(rule).build().unwrap();
                    s3(e, async |c| c.put_bucket_lifecycle_configuration().bucket(target(s, LIFECYCLE)).lifecycle_configuration(conf).send().await.unwrap());
                })
                .shows("7 -> 90")
                .check(ids_are(&["logs", "tmp", "markers"])),
        ),
        import: by_bucket(LIFECYCLE),
        exists: Box::new(move |s, e| rule_ids(e, &target(s, LIFECYCLE)).is_some()),
    }
}

const CORS: &str = "aws_s3_bucket_cors_configuration.c";

fn cors(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("cors-a"), unique("cors-b"));
    let cfg = |on: &str, methods: &str, max_age: bool| {
        let age = if max_age { "\n    max_age_seconds = 3000" } else { "" };
        let r = format!(
            "resource \"aws_s3_bucket_cors_configuration\" \"c\" {{\n  bucket = aws_s3_bucket.{on}.id\n\n  cors_rule {{\n    allowed_headers = [\"*\"]\n    allowed_methods = [{methods}]\n    allowed_origins = [\"https://example.com\"]\n    expose_headers  = [\"ETag\"]{age}\n  }}\n\n  cors_rule {{\n    allowed_methods = [\"GET\"]\n    allowed_origins = [\"*\"]\n  }}\n}}\n"
        );
        config(endpoint, &a, &b, &r)
    };
    let rules = |e: &str, bucket: &str| s3(e, async |c| Some(c.get_bucket_cors().bucket(bucket).send().await.ok()?.cors_rules().to_vec()));
    let methods_are = move |want: &'static [&'static str]| {
        move |s: &State, e: &str| {
            let all = rules(e, &target(s, CORS)).expect("a CORS configuration");
            let first = all.iter().find(|r| r.allowed_origins() == ["https://example.com"]).expect("the example.com rule");
            let mut got = first.allowed_methods().to_vec();
            got.sort();
            assert_eq!((got, all.len()), (want.iter().map(|x| x.to_string()).collect(), 2), "the CORS rules");
        }
    };
    Case {
        create: Step::new(cfg("a", "\"PUT\"", false), &with_buckets(CORS)).check(methods_are(&["PUT"])),
        update: Step::new(cfg("a", "\"PUT\", \"POST\"", true), &[(CORS, Update)]).check(methods_are(&["POST", "PUT"])),
        replace: Step::new(cfg("b", "\"PUT\", \"POST\"", true), &[(CORS, DeleteThenCreate)])
            .check(move |s, e| assert!(rules(e, &a_name(s)).is_none(), "the old bucket's CORS rules are deleted"))
            .check(methods_are(&["POST", "PUT"])),
        drift: Some(
            Step::new(cfg("b", "\"PUT\", \"POST\"", true), &[(CORS, Update)])
                .outside(|s, e| {
                    let rule = CorsRule::builder().allowed_methods("DELETE").allowed_origins("*").build().unwrap();
                    let conf = CorsConfiguration::builder().cors_rules(rule).build().unwrap();
                    s3(e, async |c| c.put_bucket_cors().bucket(target(s, CORS)).cors_configuration(conf).send().await.unwrap());
                })
                .shows("\"DELETE\"")
                .check(methods_are(&["POST", "PUT"])),
        ),
        import: by_bucket(CORS),
        exists: Box::new(move |s, e| rules(e, &target(s, CORS)).is_some()),
    }
}

const WEBSITE: &str = "aws_s3_bucket_website_configuration.w";

fn website(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("web-a"), unique("web-b"));
    let cfg = |on: &str, error_page: bool| {
        let error = if error_page { "\n\n  error_document {\n    key = \"404.html\"\n  }" } else { "" };
        let r = format!("resource \"aws_s3_bucket_website_configuration\" \"w\" {{\n  bucket = aws_s3_bucket.{on}.id\n\n  index_document {{\n    suffix = \"index.html\"\n  }}{error}\n}}\n");
        config(endpoint, &a, &b, &r)
    };
    let site = |e: &str, bucket: &str| {
        s3(e, async |c| {
            let out = c.get_bucket_website().bucket(bucket).send().await.ok()?;
            Some((out.index_document().map(|d| d.suffix().to_string()), out.error_document().map(|d| d.key().to_string())))
        })
    };
    let is = move |error: Option<&'static str>| {
        move |s: &State, e: &str| {
            let bucket = target(s, WEBSITE);
            assert_eq!(site(e, &bucket), Some((Some("index.html".into()), error.map(str::to_string))), "the website configuration");
            assert_eq!(attr(s, WEBSITE, "website_endpoint"), format!("{bucket}.s3-website-eu-west-1.amazonaws.com"));
        }
    };
    Case {
        create: Step::new(cfg("a", false), &with_buckets(WEBSITE)).shows("+ website_endpoint = (known after apply)").check(is(None)),
        update: Step::new(cfg("a", true), &[(WEBSITE, Update)]).check(is(Some("404.html"))),
        replace: Step::new(cfg("b", true), &[(WEBSITE, DeleteThenCreate)])
            .check(move |s, e| assert_eq!(site(e, &a_name(s)), None, "the old bucket's website is deleted"))
            .check(is(Some("404.html"))),
        drift: Some(
            Step::new(cfg("b", true), &[(WEBSITE, Update)])
                .outside(|s, e| {
                    let w = WebsiteConfiguration::builder().index_document(IndexDocument::builder().suffix("home.html").build().unwrap()).build();
                    s3(e, async |c| c.put_bucket_website().bucket(target(s, WEBSITE)).website_configuration(w).send().await.unwrap());
                })
                .shows("\"home.html\" -> \"index.html\"")
                .check(is(Some("404.html"))),
        ),
        import: by_bucket(WEBSITE),
        exists: Box::new(move |s, e| site(e, &target(s, WEBSITE)).is_some()),
    }
}

const ACL: &str = "aws_s3_bucket_acl.x";

/// A bucket's grants as (grantee id or URI, permission), sorted; None without the bucket.
fn grants(e: &str, bucket: &str) -> Option<Vec<(String, String)>> {
    let out = s3(e, async |c| c.get_bucket_acl().bucket(bucket).send().await.ok())?;
    let mut g: Vec<(String, String)> = out
        .grants()
        .iter()
        .map(|g| {
            let who = g.grantee().and_then(|x| x.id().or(x.uri())).unwrap_or_default().to_string();
            (who, g.permission().map(|p| p.as_str().to_string()).unwrap_or_default())
        })
        .collect();
    g.sort();
    Some(g)
}

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";

fn acl_policy(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("acl-a"), unique("acl-b"));
    let cfg = |on: &str, public: bool| {
        let read = if public {
            format!(
                "\n\n    grant {{\n      grantee {{\n        type = \"Group\"\n        uri  = \"{ALL_USERS}\"\n      }}\n      permission = \"READ\"\n    }}"
            )
        } else {
            String::new()
        };
        let r = format!(
            "resource \"aws_s3_bucket_acl\" \"x\" {{\n  bucket = aws_s3_bucket.{on}.id\n\n  access_control_policy {{\n    owner {{\n      id = \"{OWNER}\"\n    }}\n\n    grant {{\n      grantee {{\n        type = \"CanonicalUser\"\n        id   = \"{OWNER}\"\n      }}\n      permission = \"FULL_CONTROL\"\n    }}{read}\n  }}\n}}\n"
        );
        config(endpoint, &a, &b, &r)
    };
    let public_is = move |public: bool| {
        move |s: &State, e: &str| {
            let mut want = vec![(OWNER.to_string(), "FULL_CONTROL".to_string())];
            if public {
                want.push((ALL_USERS.to_string(), "READ".to_string()));
            }
            want.sort();
            assert_eq!(grants(e, &target(s, ACL)), Some(want), "the bucket's grants");
        }
    };
    Case {
        create: Step::new(cfg("a", false), &with_buckets(ACL)).check(public_is(false)),
        update: Step::new(cfg("a", true), &[(ACL, Update)]).check(public_is(true)),
        replace: Step::new(cfg("b", true), &[(ACL, DeleteThenCreate)]).check(public_is(true)),
        // The grants reset outside skyform (a canned ACL put with the SDK).
        drift: Some(
            Step::new(cfg("b", true), &[(ACL, Update)])
                .outside(|s, e| {
                    s3(e, async |c| c.put_bucket_acl().bucket(target(s, ACL)).acl(BucketCannedAcl::Private).send().await.unwrap());
                })
                .shows(ALL_USERS)
                .check(public_is(true)),
        ),
        import: by_bucket(ACL),
        // Destroying the ACL leaves it on the bucket (as Terraform does): the buckets go.
        exists: Box::new(move |s, e| grants(e, &target(s, ACL)).is_some()),
    }
}

fn acl_canned(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("canned-a"), unique("canned-b"));
    let cfg = |on: &str, acl: &str| {
        config(endpoint, &a, &b, &format!("resource \"aws_s3_bucket_acl\" \"x\" {{\n  bucket = aws_s3_bucket.{on}.id\n  acl    = \"{acl}\"\n}}\n"))
    };
    let public_is = move |public: bool| {
        move |s: &State, e: &str| {
            let g = grants(e, &target(s, ACL)).expect("the bucket's grants");
            assert_eq!(g.iter().any(|(who, p)| who == ALL_USERS && p == "READ"), public, "a public-read grant: {g:?}");
            assert_eq!(attr(s, ACL, "id"), if public { format!("{},public-read", target(s, ACL)) } else { format!("{},private", target(s, ACL)) });
        }
    };
    Case {
        create: Step::new(cfg("a", "private"), &with_buckets(ACL)).shows("+ access_control_policy = (known after apply)").check(public_is(false)),
        update: Step::new(cfg("a", "public-read"), &[(ACL, Update)]).check(public_is(true)),
        replace: Step::new(cfg("b", "public-read"), &[(ACL, DeleteThenCreate)]).check(public_is(true)),
        // A canned ACL is not read back (as in Terraform): no drift step.
        drift: None,
        import: Import { address: ACL, id: Box::new(|s, _| format!("{},public-read", target(s, ACL))), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| grants(e, &target(s, ACL)).is_some()),
    }
}

const LOGGING: &str = "aws_s3_bucket_logging.l";

fn logging(endpoint: &str, _dir: &Path) -> Case {
    let (a, b, logs) = (unique("log-a"), unique("log-b"), unique("logs"));
    let cfg = move |on: &str, prefix: &str| {
        let r = format!(
            "resource \"aws_s3_bucket\" \"logs\" {{\n  bucket        = \"{logs}\"\n  force_destroy = true\n}}\n\n# S3's log delivery may write to it.\nresource \"aws_s3_bucket_acl\" \"logs\" {{\n  bucket = aws_s3_bucket.logs.id\n  acl    = \"log-delivery-write\"\n}}\n\nresource \"aws_s3_bucket_logging\" \"l\" {{\n  bucket        = aws_s3_bucket.{on}.id\n  target_bucket = aws_s3_bucket.logs.id\n  target_prefix = \"{prefix}\"\n\n  depends_on = [aws_s3_bucket_acl.logs]\n}}\n"
        );
        config(endpoint, &a, &b, &r)
    };
    let logging_of = |e: &str, bucket: &str| {
        s3(e, async |c| {
            let out = c.get_bucket_logging().bucket(bucket).send().await.ok()?;
            out.logging_enabled().map(|l| (l.target_bucket().to_string(), l.target_prefix().to_string()))
        })
    };
    let prefix_is = move |want: &'static str| {
        move |s: &State, e: &str| {
            let (bucket, logs) = (target(s, LOGGING), attr(s, "aws_s3_bucket.logs", "bucket"));
            assert_eq!(logging_of(e, &bucket), Some((logs, want.to_string())), "the bucket's logging");
        }
    };
    let created =
        [("aws_s3_bucket.a", Create), ("aws_s3_bucket.b", Create), ("aws_s3_bucket.logs", Create), ("aws_s3_bucket_acl.logs", Create), (LOGGING, Create)];
    Case {
        create: Step::new(cfg("a", "access/"), &created).check(prefix_is("access/")),
        update: Step::new(cfg("a", "logs/a/"), &[(LOGGING, Update)]).check(prefix_is("logs/a/")),
        replace: Step::new(cfg("b", "logs/a/"), &[(LOGGING, DeleteThenCreate)])
            .check(move |s, e| assert_eq!(logging_of(e, &a_name(s)), None, "logging is off on the old bucket"))
            .check(prefix_is("logs/a/")),
        drift: Some(
            Step::new(cfg("b", "logs/a/"), &[(LOGGING, Update)])
                .outside(|s, e| {
                    let enabled = LoggingEnabled::builder().target_bucket(attr(s, "aws_s3_bucket.logs", "bucket")).target_prefix("hacked/").build().unwrap();
                    let status = BucketLoggingStatus::builder().logging_enabled(enabled).build();
                    s3(e, async |c| c.put_bucket_logging().bucket(target(s, LOGGING)).bucket_logging_status(status).send().await.unwrap());
                })
                .shows("~ target_prefix = \"hacked/\" -> \"logs/a/\"")
                .check(prefix_is("logs/a/")),
        ),
        import: by_bucket(LOGGING),
        exists: Box::new(move |s, e| logging_of(e, &target(s, LOGGING)).is_some()),
    }
}
