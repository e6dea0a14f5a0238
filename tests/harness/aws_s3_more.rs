//! More AWS S3 bucket configuration cases, against moto: notification, replication and Object
//! Lock, and the `aws_canonical_user_id` data source. Each
//! configuration is created on bucket `a`, changed in place, moved to bucket `b` (a
//! replacement), changed outside skyform with the AWS SDK, imported and destroyed with the
//! buckets. Results are checked with the SDK, not through skyform.

use std::path::Path;

use aws_sdk_s3::types::*;
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{emulator, rt, stdout, succeeds, unique};
use crate::test_aws::{provider_block, sdk};

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";
/// moto's account.
const ACCOUNT: &str = "123456789012";

#[test]
fn aws_s3_bucket_notification() {
    run("aws_s3_bucket_notification", MOTO, notification);
}

#[test]
fn aws_s3_bucket_replication_configuration() {
    run("aws_s3_bucket_replication_configuration", MOTO, replication);
}

#[test]
fn aws_s3_bucket_object_lock_configuration() {
    run("aws_s3_bucket_object_lock_configuration", MOTO, object_lock);
}

/// `data "aws_canonical_user_id"`: the account's canonical user id, as S3 reports the owner.
#[test]
fn aws_canonical_user_id() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "{}\ndata \"aws_canonical_user_id\" \"me\" {{}}\n\noutput \"id\" {{\n  value = data.aws_canonical_user_id.me.id\n}}\n\noutput \"named\" {{\n  value = data.aws_canonical_user_id.me.display_name != \"\"\n}}\n",
        provider_block(&endpoint)
    );
    std::fs::write(dir.path().join("main.tf"), config).unwrap();
    succeeds(dir.path(), &["apply", "-auto-approve"]);
    let owner = s3(&endpoint, async |c| c.list_buckets().send().await.unwrap().owner().and_then(|o| o.id()).map(str::to_string));
    assert_eq!(Some(stdout(&succeeds(dir.path(), &["output", "-raw", "id"]))), owner, "the owner S3 reports");
    assert_eq!(stdout(&succeeds(dir.path(), &["output", "-raw", "named"])), "true");
}

/// Runs `f` with an S3 client on a fresh runtime.
fn s3<T>(endpoint: &str, f: impl AsyncFnOnce(aws_sdk_s3::Client) -> T) -> T {
    rt().block_on(async { f(sdk(endpoint).await).await })
}

/// `provider`, the buckets named in `buckets` (emptied on destroy; those marked `true`
/// versioned, as replication and Object Lock need) and `resource`.
fn config(provider: &str, buckets: &[(&str, &str, bool)], resource: &str) -> String {
    let mut out = format!("{provider}\n");
    for (n, name, versioned) in buckets {
        out.push_str(&format!("resource \"aws_s3_bucket\" \"{n}\" {{\n  bucket        = \"{name}\"\n  force_destroy = true\n}}\n\n"));
        if *versioned {
            out.push_str(&format!("resource \"aws_s3_bucket_versioning\" \"{n}\" {{\n  bucket = aws_s3_bucket.{n}.id\n  versioning_configuration {{\n    status = \"Enabled\"\n  }}\n}}\n\n"));
        }
    }
    out + resource
}

/// The bucket (of `address` in state) that a probe looks at.
fn target(s: &State, address: &str) -> String {
    attr(s, address, "bucket")
}

/// Bucket `a`'s name in state.
fn a_name(s: &State) -> String {
    attr(s, "aws_s3_bucket.a", "bucket")
}

/// Imports `address` by its `bucket`.
fn by_bucket(address: &'static str) -> Import {
    Import { address, id: Box::new(move |s, _| target(s, address)), differs: vec![], shows: vec![] }
}

const NOTIFICATION: &str = "aws_s3_bucket_notification.n";
const LAMBDA: &str = "arn:aws:lambda:eu-west-1:123456789012:function:thumbnails";

/// A bucket's notification targets as (kind, id, events), sorted; None without the bucket.
fn targets(e: &str, bucket: &str) -> Option<Vec<(String, String, Vec<String>)>> {
    let out = s3(e, async |c| c.get_bucket_notification_configuration().bucket(bucket).send().await.ok())?;
    let events = |ev: &[Event]| ev.iter().map(|x| x.as_str().to_string()).collect::<Vec<_>>();
    let mut all: Vec<(String, String, Vec<String>)> = Vec::new();
    all.extend(out.queue_configurations().iter().map(|q| ("queue".into(), q.id().unwrap_or_default().into(), events(q.events()))));
    all.extend(out.topic_configurations().iter().map(|t| ("topic".into(), t.id().unwrap_or_default().into(), events(t.events()))));
    all.extend(out.lambda_function_configurations().iter().map(|l| ("lambda".into(), l.id().unwrap_or_default().into(), events(l.events()))));
    all.sort();
    Some(all)
}

fn notification(endpoint: &str, _dir: &Path) -> Case {
    let (a, b, queue, topic) = (unique("note-a"), unique("note-b"), unique("note-q"), unique("note-t"));
    let lines: String = ["sns", "sqs"].iter().map(|s| format!("    {s} = \"{endpoint}\"\n")).collect();
    let provider = provider_block(endpoint).replace("    s3 = ", &format!("{lines}    s3 = "));
    let cfg = move |on: &str, lambda: bool| {
        let lambda = if lambda {
            format!("\n\n  lambda_function {{\n    lambda_function_arn = \"{LAMBDA}\"\n    events              = [\"s3:ObjectCreated:Put\"]\n    filter_suffix       = \".jpg\"\n  }}")
        } else {
            String::new()
        };
        let r = format!(
            "resource \"aws_sqs_queue\" \"q\" {{\n  name = \"{queue}\"\n}}\n\nresource \"aws_sns_topic\" \"t\" {{\n  name = \"{topic}\"\n}}\n\nresource \"aws_s3_bucket_notification\" \"n\" {{\n  bucket = aws_s3_bucket.{on}.id\n\n  queue {{\n    queue_arn     = aws_sqs_queue.q.arn\n    events        = [\"s3:ObjectCreated:*\"]\n    filter_prefix = \"uploads/\"\n  }}\n\n  topic {{\n    id        = \"removals\"\n    topic_arn = aws_sns_topic.t.arn\n    events    = [\"s3:ObjectRemoved:*\"]\n  }}{lambda}\n}}\n"
        );
        config(&provider, &[("a", &a, false), ("b", &b, false)], &r)
    };
    let kinds_are = move |want: &'static [&'static str]| {
        move |s: &State, e: &str| {
            let got = targets(e, &target(s, NOTIFICATION)).expect("a notification configuration");
            assert_eq!(got.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(), want, "the notification targets: {got:?}");
            assert!(got.iter().any(|t| t.0 == "queue" && t.1.starts_with("tf-s3-queue-")), "the queue's generated id: {got:?}");
            assert!(got.iter().any(|t| t.0 == "topic" && t.1 == "removals" && t.2 == ["s3:ObjectRemoved:*"]), "the topic: {got:?}");
        }
    };
    let created = [("aws_s3_bucket.a", Create), ("aws_s3_bucket.b", Create), ("aws_sqs_queue.q", Create), ("aws_sns_topic.t", Create), (NOTIFICATION, Create)];
    Case {
        create: Step::new(cfg("a", false), &created).shows("+ eventbridge = false").check(kinds_are(&["queue", "topic"])),
        update: Step::new(cfg("a", true), &[(NOTIFICATION, Update)]).check(kinds_are(&["lambda", "queue", "topic"])).check(|s, _| {
            assert!(attr(s, NOTIFICATION, "id") == target(s, NOTIFICATION), "the id is the bucket name");
        }),
        replace: Step::new(cfg("b", true), &[(NOTIFICATION, DeleteThenCreate)])
            // moto answers an empty configuration with a root element the SDK refuses (None).
            .check(move |s, e| assert!(targets(e, &a_name(s)).is_none_or(|t| t.is_empty()), "the old bucket's notifications are removed"))
            .check(kinds_are(&["lambda", "queue", "topic"])),
        drift: Some(
            Step::new(cfg("b", true), &[(NOTIFICATION, Update)])
                .outside(|s, e| {
                    let only = LambdaFunctionConfiguration::builder().id("other").lambda_function_arn(LAMBDA).events(Event::S3ObjectCreated).build().unwrap();
                    let c = NotificationConfiguration::builder().lambda_function_configurations(only).build();
                    s3(e, async |c3| {
                        c3.put_bucket_notification_configuration().bucket(target(s, NOTIFICATION)).notification_configuration(c).send().await.unwrap()
                    });
                })
                .shows("+ queue {")
                .check(kinds_are(&["lambda", "queue", "topic"])),
        ),
        import: by_bucket(NOTIFICATION),
        exists: Box::new(move |s, e| targets(e, &target(s, NOTIFICATION)).is_some_and(|t| !t.is_empty())),
    }
}

const REPLICATION: &str = "aws_s3_bucket_replication_configuration.r";

/// A bucket's replication rules as (status, destination storage class); None without one.
fn rules(e: &str, bucket: &str) -> Option<Vec<(String, String)>> {
    let out = s3(e, async |c| c.get_bucket_replication().bucket(bucket).send().await.ok())?;
    let rules = out.replication_configuration()?.rules().iter().map(|r| {
        let class = r.destination().and_then(|d| d.storage_class()).map(|c| c.as_str().to_string()).unwrap_or_default();
        (r.status().as_str().to_string(), class)
    });
    Some(rules.collect())
}

fn replication(endpoint: &str, _dir: &Path) -> Case {
    let (a, b, dest) = (unique("repl-a"), unique("repl-b"), unique("repl-dest"));
    let provider = provider_block(endpoint);
    let cfg = move |on: &str, status: &str, class: &str| {
        let r = format!(
            "resource \"aws_s3_bucket_replication_configuration\" \"r\" {{\n  bucket = aws_s3_bucket.{on}.id\n  role   = \"arn:aws:iam::{ACCOUNT}:role/replication\"\n\n  rule {{\n    status = \"{status}\"\n\n    filter {{}}\n\n    delete_marker_replication {{\n      status = \"Disabled\"\n    }}\n\n    destination {{\n      bucket        = aws_s3_bucket.dest.arn\n      storage_class = \"{class}\"\n    }}\n  }}\n\n  depends_on = [aws_s3_bucket_versioning.a, aws_s3_bucket_versioning.b]\n}}\n"
        );
        config(&provider, &[("a", &a, true), ("b", &b, true), ("dest", &dest, false)], &r)
    };
    let is = move |status: &'static str, class: &'static str| {
        move |s: &State, e: &str| assert_eq!(rules(e, &target(s, REPLICATION)), Some(vec![(status.to_string(), class.to_string())]), "the replication rules")
    };
    let created = [
        ("aws_s3_bucket.a", Create),
        ("aws_s3_bucket.b", Create),
        ("aws_s3_bucket.dest", Create),
        ("aws_s3_bucket_versioning.a", Create),
        ("aws_s3_bucket_versioning.b", Create),
        (REPLICATION, Create),
    ];
    Case {
        create: Step::new(cfg("a", "Enabled", "STANDARD"), &created)
            .shows("+ priority = 0")
            .shows("+ id       = (known after apply)")
            .check(is("Enabled", "STANDARD")),
        update: Step::new(cfg("a", "Disabled", "STANDARD_IA"), &[(REPLICATION, Update)]).check(is("Disabled", "STANDARD_IA")),
        replace: Step::new(cfg("b", "Disabled", "STANDARD_IA"), &[(REPLICATION, DeleteThenCreate)])
            .check(move |s, e| assert_eq!(rules(e, &a_name(s)), None, "the old bucket's replication is deleted"))
            .check(is("Disabled", "STANDARD_IA")),
        drift: Some(
            Step::new(cfg("b", "Disabled", "STANDARD_IA"), &[(REPLICATION, Update)])
                .outside(move |s, e| {
                    let dest =
                        Destination::builder().bucket(format!("arn:aws:s3:::{}", attr(s, "aws_s3_bucket.dest", "bucket"))).storage_class(StorageClass::Glacier);
                    let rule = ReplicationRule::builder()
                        .id("outside")
                        .priority(0)
                        .status(ReplicationRuleStatus::Enabled)
                        .filter(ReplicationRuleFilter::builder().prefix("").build())
                        .delete_marker_replication(DeleteMarkerReplication::builder().status(DeleteMarkerReplicationStatus::Disabled).build())
                        .destination(dest.build().unwrap())
                        .build()
                        .unwrap();
                    let conf = ReplicationConfiguration::builder().role(format!("arn:aws:iam::{ACCOUNT}:role/replication")).rules(rule).build().unwrap();
                    s3(e, async |c| c.put_bucket_replication().bucket(target(s, REPLICATION)).replication_configuration(conf).send().await.unwrap());
                })
                .shows("\"GLACIER\" -> \"STANDARD_IA\"")
                .check(is("Disabled", "STANDARD_IA")),
        ),
        import: by_bucket(REPLICATION),
        exists: Box::new(move |s, e| rules(e, &target(s, REPLICATION)).is_some()),
    }
}

const OBJECT_LOCK: &str = "aws_s3_bucket_object_lock_configuration.l";

/// A bucket's default retention as (mode, days, years); None without one.
fn retention(e: &str, bucket: &str) -> Option<(String, i32, i32)> {
    let out = s3(e, async |c| c.get_object_lock_configuration().bucket(bucket).send().await.ok())?;
    let d = out.object_lock_configuration()?.rule()?.default_retention()?.clone();
    Some((d.mode()?.as_str().to_string(), d.days().unwrap_or(0), d.years().unwrap_or(0)))
}

fn object_lock(endpoint: &str, _dir: &Path) -> Case {
    let (a, b) = (unique("lock-a"), unique("lock-b"));
    let provider = provider_block(endpoint);
    let cfg = move |on: &str, period: &str| {
        let r = format!(
            "resource \"aws_s3_bucket_object_lock_configuration\" \"l\" {{\n  bucket                = aws_s3_bucket.{on}.id\n  expected_bucket_owner = \"{ACCOUNT}\"\n\n  rule {{\n    default_retention {{\n      mode = \"GOVERNANCE\"\n      {period}\n    }}\n  }}\n\n  depends_on = [aws_s3_bucket_versioning.a, aws_s3_bucket_versioning.b]\n}}\n"
        );
        config(&provider, &[("a", &a, true), ("b", &b, true)], &r)
    };
    let is = move |days: i32, years: i32| {
        move |s: &State, e: &str| {
            assert_eq!(retention(e, &target(s, OBJECT_LOCK)), Some(("GOVERNANCE".to_string(), days, years)), "the default retention");
            assert_eq!(attr(s, OBJECT_LOCK, "id"), format!("{},{ACCOUNT}", target(s, OBJECT_LOCK)), "the id names the expected owner");
        }
    };
    let created = [
        ("aws_s3_bucket.a", Create),
        ("aws_s3_bucket.b", Create),
        ("aws_s3_bucket_versioning.a", Create),
        ("aws_s3_bucket_versioning.b", Create),
        (OBJECT_LOCK, Create),
    ];
    Case {
        create: Step::new(cfg("a", "days = 1"), &created).shows("+ object_lock_enabled   = \"Enabled\"").check(is(1, 0)),
        update: Step::new(cfg("a", "years = 1"), &[(OBJECT_LOCK, Update)]).check(is(0, 1)),
        replace: Step::new(cfg("b", "years = 1"), &[(OBJECT_LOCK, DeleteThenCreate)])
            .check(move |s, e| assert_eq!(retention(e, &a_name(s)), None, "the old bucket's default retention is removed"))
            .check(is(0, 1)),
        drift: Some(
            Step::new(cfg("b", "years = 1"), &[(OBJECT_LOCK, Update)])
                .outside(|s, e| {
                    let d = DefaultRetention::builder().mode(ObjectLockRetentionMode::Compliance).days(3).build();
                    let c = ObjectLockConfiguration::builder()
                        .object_lock_enabled(ObjectLockEnabled::Enabled)
                        .rule(ObjectLockRule::builder().default_retention(d).build())
                        .build();
                    s3(e, async |c3| c3.put_object_lock_configuration().bucket(target(s, OBJECT_LOCK)).object_lock_configuration(c).send().await.unwrap());
                })
                .shows("\"COMPLIANCE\" -> \"GOVERNANCE\"")
                .check(is(0, 1)),
        ),
        import: Import { address: OBJECT_LOCK, id: Box::new(|s, _| format!("{},{ACCOUNT}", target(s, OBJECT_LOCK))), differs: vec![], shows: vec![] },
        exists: Box::new(move |s, e| retention(e, &target(s, OBJECT_LOCK)).is_some()),
    }
}
