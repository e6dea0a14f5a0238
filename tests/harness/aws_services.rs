//! Cases of the JSON-protocol services, against moto: KMS keys and aliases, SSM parameters,
//! Secrets Manager secrets and versions, CloudWatch log groups and SQS queues. Results are
//! checked with direct API calls (the library's signed JSON client, not the resource types).

use std::path::Path;

use serde_json::{json, Value as Json};
use skyform::plan::Action::{Create, DeleteThenCreate, Update};
use skyform::provider::aws::json_api::{JsonApi, Service, DYNAMODB, KMS, LOGS, SECRETS_MANAGER, SQS, SSM};
use skyform::state::State;

use super::{attr, run, Case, Import, Step};
use crate::common::{emulator, plan_code, rt, skyform, stdout, succeeds, unique};
use crate::test_aws::provider_block;

const MOTO: &str = "SKYFORM_MOTO_ENDPOINT";

#[test]
fn aws_kms_key() {
    run("aws_kms_key", MOTO, kms_key);
}

#[test]
fn aws_kms_alias() {
    run("aws_kms_alias", MOTO, kms_alias);
}

#[test]
fn aws_ssm_parameter() {
    run("aws_ssm_parameter", MOTO, ssm_parameter);
}

#[test]
fn aws_secretsmanager_secret() {
    run("aws_secretsmanager_secret", MOTO, secret);
}

#[test]
fn aws_secretsmanager_secret_version() {
    run("aws_secretsmanager_secret_version", MOTO, secret_version);
}

#[test]
fn aws_cloudwatch_log_group() {
    run("aws_cloudwatch_log_group", MOTO, log_group);
}

#[test]
fn aws_sqs_queue() {
    run("aws_sqs_queue", MOTO, sqs_queue);
}

#[test]
fn aws_dynamodb_table() {
    run("aws_dynamodb_table", MOTO, dynamodb_table);
}

/// The provider block with every JSON-protocol service at the emulator.
fn services_provider(endpoint: &str) -> String {
    let lines: String = ["kms", "ssm", "secretsmanager", "logs", "sqs", "dynamodb"].iter().map(|s| format!("    {s} = \"{endpoint}\"\n")).collect();
    provider_block(endpoint).replace("    s3 = ", &format!("{lines}    s3 = "))
}

/// One call to the emulator, outside skyform; the answer, or the error code.
pub(super) fn call(endpoint: &str, service: &Service, operation: &str, body: Json) -> Result<Json, String> {
    let api = JsonApi::for_endpoint(endpoint, "eu-west-1", "test", "test");
    rt().block_on(api.call(service, operation, body)).map_err(|e| e.code)
}

/// One call to the emulator that must succeed; the answer.
pub(super) fn ok(endpoint: &str, service: &Service, operation: &str, body: Json) -> Json {
    call(endpoint, service, operation, body.clone()).unwrap_or_else(|e| panic!("{operation} {body}: {e}"))
}

/// Runs skyform in `dir` with these arguments, which must succeed; what it printed.
fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = skyform(dir).args(args).output().unwrap();
    assert!(out.status.success(), "skyform {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    stdout(&out)
}

/// Writes `config` as `main.tf` in a new directory and applies it; the directory and what the
/// apply printed.
fn apply_config(config: String) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), config).unwrap();
    let applied = run_ok(dir.path(), &["apply", "-auto-approve", "-no-color"]);
    (dir, applied)
}

fn key_metadata(e: &str, id: &str) -> Option<Json> {
    let m = call(e, &KMS, "DescribeKey", json!({ "KeyId": id })).ok()?.get("KeyMetadata")?.clone();
    (m["KeyState"] != "PendingDeletion").then_some(m)
}

fn kms_key(endpoint: &str, _dir: &Path) -> Case {
    const K: &str = "aws_kms_key.k";
    let config = move |description: &str, rotation: bool, multi_region: bool| {
        format!(
            "{}\nresource \"aws_kms_key\" \"k\" {{\n  description             = \"{description}\"\n  deletion_window_in_days = 7\n  enable_key_rotation     = {rotation}\n  multi_region            = {multi_region}\n  tags = {{\n    env = \"dev\"\n  }}\n}}\n",
            services_provider(endpoint)
        )
    };
    let described = |want: &'static str| {
        move |s: &State, e: &str| {
            let m = key_metadata(e, &attr(s, K, "key_id")).expect("the key exists");
            assert_eq!((m["Description"].as_str(), m["Enabled"].as_bool()), (Some(want), Some(true)));
        }
    };
    Case {
        create: Step::new(config("v1", false, false), &[(K, Create)]).check(described("v1")).check(|s, e| {
            let tags = ok(e, &KMS, "ListResourceTags", json!({ "KeyId": attr(s, K, "key_id") }));
            assert!(tags["Tags"].as_array().unwrap().contains(&json!({"TagKey": "managed", "TagValue": "skyform"})), "{tags}");
            assert_eq!(attr(s, K, "key_usage"), "ENCRYPT_DECRYPT");
        }),
        update: Step::new(config("v2", true, false), &[(K, Update)]).check(described("v2")).check(|s, e| {
            let r = ok(e, &KMS, "GetKeyRotationStatus", json!({ "KeyId": attr(s, K, "key_id") }));
            assert_eq!(r["KeyRotationEnabled"], true);
        }),
        replace: Step::new(config("v2", true, true), &[(K, DeleteThenCreate)]).check(|s, e| {
            let m = key_metadata(e, &attr(s, K, "key_id")).expect("the new key exists");
            assert_eq!(m["MultiRegion"], true);
        }),
        // Disabled and described anew outside: both are set back.
        drift: Some(
            Step::new(config("v2", true, true), &[(K, Update)])
                .outside(|s, e| {
                    let id = attr(s, K, "key_id");
                    ok(e, &KMS, "UpdateKeyDescription", json!({ "KeyId": id, "Description": "changed" }));
                    ok(e, &KMS, "DisableKey", json!({ "KeyId": id }));
                })
                .shows("\"changed\" -> \"v2\"")
                .shows("is_enabled")
                .check(described("v2")),
        ),
        // As in Terraform, an import cannot know the deletion window (a destroy-time setting).
        import: Import { address: K, id: Box::new(|s, _| attr(s, K, "key_id")), differs: vec!["deletion_window_in_days"], shows: vec![] },
        exists: Box::new(|s, e| key_metadata(e, &attr(s, K, "key_id")).is_some()),
    }
}

fn alias_target(e: &str, name: &str) -> Option<String> {
    let all = ok(e, &KMS, "ListAliases", json!({ "Limit": 100 }));
    all["Aliases"].as_array()?.iter().find(|a| a["AliasName"] == name).and_then(|a| a["TargetKeyId"].as_str().map(str::to_string))
}

fn kms_alias(endpoint: &str, _dir: &Path) -> Case {
    const A: &str = "aws_kms_alias.a";
    let (name, renamed) = (format!("alias/{}", unique("alias")), format!("alias/{}", unique("alias2")));
    let config = move |name: &str, key: &str| {
        format!(
            "{}\nresource \"aws_kms_key\" \"one\" {{\n  description = \"one\"\n}}\n\nresource \"aws_kms_key\" \"two\" {{\n  description = \"two\"\n}}\n\nresource \"aws_kms_alias\" \"a\" {{\n  name          = \"{name}\"\n  target_key_id = aws_kms_key.{key}.key_id\n}}\n",
            services_provider(endpoint)
        )
    };
    let targets = |key: &'static str| {
        move |s: &State, e: &str| {
            let want = attr(s, &format!("aws_kms_key.{key}"), "key_id");
            assert_eq!(alias_target(e, &attr(s, A, "name")), Some(want.clone()));
            assert!(attr(s, A, "target_key_arn").ends_with(&want));
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, "one"), &[("aws_kms_key.one", Create), ("aws_kms_key.two", Create), (A, Create)]).check(targets("one")),
        update: Step::new(config(&name, "two"), &[(A, Update)]).check(targets("two")),
        replace: Step::new(config(&renamed, "two"), &[(A, DeleteThenCreate)]).check(targets("two")).check(move |_, e| {
            assert_eq!(alias_target(e, &old), None, "the old alias is deleted");
        }),
        drift: Some(
            Step::new(config(&renamed, "two"), &[(A, Update)])
                .outside(|s, e| {
                    ok(e, &KMS, "UpdateAlias", json!({ "AliasName": attr(s, A, "name"), "TargetKeyId": attr(s, "aws_kms_key.one", "key_id") }));
                })
                .check(targets("two")),
        ),
        import: Import { address: A, id: Box::new(|s, _| attr(s, A, "name")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| alias_target(e, &attr(s, A, "name")).is_some()),
    }
}

fn parameter(e: &str, name: &str) -> Option<Json> {
    call(e, &SSM, "GetParameter", json!({ "Name": name, "WithDecryption": true })).ok().map(|o| o["Parameter"].clone())
}

fn ssm_parameter(endpoint: &str, _dir: &Path) -> Case {
    const P: &str = "aws_ssm_parameter.p";
    let (name, renamed) = (format!("/skyform/{}", unique("param")), format!("/skyform/{}", unique("param2")));
    let config = move |name: &str, value: &str, description: &str| {
        format!(
            "{}\nresource \"aws_ssm_parameter\" \"p\" {{\n  name        = \"{name}\"\n  type        = \"SecureString\"\n  value       = \"{value}\"\n  description = \"{description}\"\n  tags = {{\n    env = \"dev\"\n  }}\n}}\n",
            services_provider(endpoint)
        )
    };
    let holds = |value: &'static str, version: u64| {
        move |s: &State, e: &str| {
            let p = parameter(e, &attr(s, P, "name")).expect("the parameter exists");
            assert_eq!((p["Value"].as_str(), p["Type"].as_str(), p["Version"].as_u64()), (Some(value), Some("SecureString"), Some(version)));
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, "s3cr3t-one", "v1"), &[(P, Create)]).hides("s3cr3t").check(holds("s3cr3t-one", 1)),
        update: Step::new(config(&name, "s3cr3t-two", "v2"), &[(P, Update)])
            .hides("s3cr3t")
            .shows("(sensitive value)")
            .shows("\"v1\" -> \"v2\"")
            .check(holds("s3cr3t-two", 2))
            .check(|s, e| {
                let filter = json!({ "ParameterFilters": [{ "Key": "Name", "Option": "Equals", "Values": [attr(s, P, "name")] }] });
                assert_eq!(ok(e, &SSM, "DescribeParameters", filter)["Parameters"][0]["Description"], "v2");
            }),
        replace: Step::new(config(&renamed, "s3cr3t-two", "v2"), &[(P, DeleteThenCreate)]).hides("s3cr3t").check(holds("s3cr3t-two", 1)).check(move |_, e| {
            assert!(parameter(e, &old).is_none(), "the old parameter is deleted");
        }),
        // The value overwritten outside: the plan sets it back without showing either value.
        drift: Some(
            Step::new(config(&renamed, "s3cr3t-two", "v2"), &[(P, Update)])
                .outside(|s, e| {
                    let body = json!({ "Name": attr(s, P, "name"), "Type": "SecureString", "Value": "outside-value", "Overwrite": true });
                    ok(e, &SSM, "PutParameter", body);
                })
                .hides("s3cr3t")
                .hides("outside-value")
                .check(holds("s3cr3t-two", 3)),
        ),
        import: Import { address: P, id: Box::new(|s, _| attr(s, P, "name")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| parameter(e, &attr(s, P, "name")).is_some()),
    }
}

/// A parameter made outside skyform, read with `data "aws_ssm_parameter"` (value sensitive).
#[test]
fn data_aws_ssm_parameter_reads_a_parameter() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let name = format!("/skyform/{}", unique("data"));
    ok(&endpoint, &SSM, "PutParameter", json!({ "Name": name, "Type": "SecureString", "Value": "data-s3cr3t" }));
    let config = format!(
        "{}\ndata \"aws_ssm_parameter\" \"p\" {{\n  name = \"{name}\"\n}}\n\noutput \"value\" {{\n  value     = data.aws_ssm_parameter.p.value\n  sensitive = true\n}}\n\noutput \"type\" {{\n  value = data.aws_ssm_parameter.p.type\n}}\n",
        services_provider(&endpoint)
    );
    let (dir, applied) = apply_config(config);
    assert!(!applied.contains("data-s3cr3t") && applied.contains("type = \"SecureString\""), "{applied}");
    assert_eq!(run_ok(dir.path(), &["output", "-raw", "value"]), "data-s3cr3t");
    ok(&endpoint, &SSM, "DeleteParameter", json!({ "Name": name }));
}

/// Without `endpoints { sqs }`, SQS is found at `AWS_ENDPOINT_URL_SQS`, else `AWS_ENDPOINT_URL`.
#[test]
fn json_service_endpoints_from_the_environment() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let dir = tempfile::tempdir().unwrap();
    let name = unique("envq");
    std::fs::write(dir.path().join("main.tf"), format!("{}\nresource \"aws_sqs_queue\" \"q\" {{\n  name = \"{name}\"\n}}\n", provider_block(&endpoint)))
        .unwrap();
    let run = |args: &[&str], var: &str| {
        let out = skyform(dir.path()).env(var, &endpoint).args(args).output().unwrap();
        assert!(out.status.success(), "skyform {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let exists = || call(&endpoint, &SQS, "GetQueueUrl", json!({ "QueueName": name })).is_ok();
    run(&["apply", "-auto-approve", "-no-color"], "AWS_ENDPOINT_URL_SQS");
    assert!(exists(), "the queue is created through AWS_ENDPOINT_URL_SQS");
    run(&["destroy", "-auto-approve", "-no-color"], "AWS_ENDPOINT_URL");
    assert!(!exists(), "the queue is deleted through AWS_ENDPOINT_URL");
}

/// A secret's current value, read with `data "aws_secretsmanager_secret_version"` (sensitive).
#[test]
fn data_aws_secretsmanager_secret_version_reads_the_current_value() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let name = unique("datasecret");
    let token = uuid::Uuid::new_v4().to_string();
    ok(&endpoint, &SECRETS_MANAGER, "CreateSecret", json!({ "Name": name, "SecretString": "data-pw-1", "ClientRequestToken": token }));
    let config = format!(
        "{}\ndata \"aws_secretsmanager_secret_version\" \"v\" {{\n  secret_id = \"{name}\"\n}}\n\noutput \"value\" {{\n  value     = data.aws_secretsmanager_secret_version.v.secret_string\n  sensitive = true\n}}\n\noutput \"stages\" {{\n  value = data.aws_secretsmanager_secret_version.v.version_stages\n}}\n",
        services_provider(&endpoint)
    );
    let (dir, applied) = apply_config(config);
    assert!(!applied.contains("data-pw-1") && applied.contains("AWSCURRENT"), "{applied}");
    assert_eq!(run_ok(dir.path(), &["output", "-raw", "value"]), "data-pw-1");
    ok(&endpoint, &SECRETS_MANAGER, "DeleteSecret", json!({ "SecretId": name, "ForceDeleteWithoutRecovery": true }));
}

/// `insecure_value` (not secret) is shown in plans and read back into itself, not `value`;
/// with `SecureString` it is refused at plan.
#[test]
fn ssm_parameter_insecure_value_is_shown_in_plans() {
    let Some(endpoint) = emulator(MOTO) else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = format!("/skyform/{}", unique("plain"));
    let write = |typ: &str, value: &str| {
        let config = format!(
            "{}\nresource \"aws_ssm_parameter\" \"p\" {{\n  name           = \"{name}\"\n  type           = \"{typ}\"\n  insecure_value = \"{value}\"\n}}\n",
            services_provider(&endpoint)
        );
        std::fs::write(d.join("main.tf"), config).unwrap();
    };
    write("String", "plain-one");
    let (code, text) = plan_code(d);
    assert!(code == Some(2) && text.contains("insecure_value = \"plain-one\""), "{text}");
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    assert_eq!(parameter(&endpoint, &name).expect("created")["Value"], "plain-one");
    assert_eq!(plan_code(d).0, Some(0), "no changes after the apply");
    write("String", "plain-two");
    let (code, text) = plan_code(d);
    assert!(code == Some(2) && text.contains("\"plain-one\" -> \"plain-two\""), "{text}");
    succeeds(d, &["apply", "-auto-approve", "-no-color"]);
    assert_eq!(parameter(&endpoint, &name).expect("updated")["Value"], "plain-two");
    write("SecureString", "plain-two");
    let (code, text) = plan_code(d);
    assert!(code == Some(1) && text.contains("cannot set type = SecureString and insecure_value"), "{text}");
    write("String", "plain-two");
    succeeds(d, &["destroy", "-auto-approve", "-no-color"]);
    assert!(parameter(&endpoint, &name).is_none());
}

fn secret_described(e: &str, id: &str) -> Option<Json> {
    call(e, &SECRETS_MANAGER, "DescribeSecret", json!({ "SecretId": id })).ok().filter(|s| s.get("DeletedDate").is_none_or(Json::is_null))
}

fn secret(endpoint: &str, _dir: &Path) -> Case {
    const S: &str = "aws_secretsmanager_secret.s";
    let (name, renamed) = (unique("secret"), unique("secret2"));
    let config = move |name: &str, description: &str| {
        format!(
            "{}\nresource \"aws_secretsmanager_secret\" \"s\" {{\n  name                    = \"{name}\"\n  description             = \"{description}\"\n  recovery_window_in_days = 0\n  tags = {{\n    env = \"dev\"\n  }}\n}}\n",
            services_provider(endpoint)
        )
    };
    let described = |want: &'static str| {
        move |s: &State, e: &str| {
            let d = secret_described(e, &attr(s, S, "arn")).expect("the secret exists");
            assert_eq!(d["Description"].as_str(), Some(want));
            assert!(d["Tags"].as_array().unwrap().contains(&json!({"Key": "env", "Value": "dev"})), "{d}");
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, "v1"), &[(S, Create)]).check(described("v1")),
        update: Step::new(config(&name, "v2"), &[(S, Update)]).check(described("v2")),
        replace: Step::new(config(&renamed, "v2"), &[(S, DeleteThenCreate)]).check(described("v2")).check(move |_, e| {
            assert!(secret_described(e, &old).is_none(), "the old secret is deleted");
        }),
        drift: Some(
            Step::new(config(&renamed, "v2"), &[(S, Update)])
                .outside(|s, e| {
                    let token = uuid::Uuid::new_v4().to_string();
                    ok(e, &SECRETS_MANAGER, "UpdateSecret", json!({ "SecretId": attr(s, S, "arn"), "Description": "changed", "ClientRequestToken": token }));
                })
                .shows("\"changed\" -> \"v2\"")
                .check(described("v2")),
        ),
        // As in Terraform, an import cannot know the recovery window (a destroy-time setting).
        import: Import { address: S, id: Box::new(|s, _| attr(s, S, "arn")), differs: vec!["recovery_window_in_days"], shows: vec![] },
        exists: Box::new(|s, e| secret_described(e, &attr(s, S, "arn")).is_some()),
    }
}

fn secret_value(e: &str, secret: &str, version: &str) -> Option<Json> {
    call(e, &SECRETS_MANAGER, "GetSecretValue", json!({ "SecretId": secret, "VersionId": version })).ok()
}

fn secret_version(endpoint: &str, _dir: &Path) -> Case {
    const V: &str = "aws_secretsmanager_secret_version.v";
    let name = unique("secretv");
    let config = move |value: &str, stages: &str| {
        format!(
            "{}\nresource \"aws_secretsmanager_secret\" \"s\" {{\n  name                    = \"{name}\"\n  recovery_window_in_days = 0\n}}\n\nresource \"aws_secretsmanager_secret_version\" \"v\" {{\n  secret_id      = aws_secretsmanager_secret.s.id\n  secret_string  = jsonencode({{ password = \"{value}\" }})\n  version_stages = [{stages}]\n}}\n",
            services_provider(endpoint)
        )
    };
    let holds = |value: &'static str, stages: &'static [&'static str]| {
        move |s: &State, e: &str| {
            let v = secret_value(e, &attr(s, V, "arn"), &attr(s, V, "version_id")).expect("the version exists");
            assert_eq!(v["SecretString"].as_str(), Some(format!("{{\"password\":\"{value}\"}}").as_str()));
            let mut got: Vec<&str> = v["VersionStages"].as_array().unwrap().iter().filter_map(Json::as_str).collect();
            got.sort();
            assert_eq!(got, stages);
        }
    };
    Case {
        create: Step::new(config("pw-one", "\"AWSCURRENT\""), &[("aws_secretsmanager_secret.s", Create), (V, Create)])
            .hides("pw-one")
            .check(holds("pw-one", &["AWSCURRENT"])),
        update: Step::new(config("pw-one", "\"AWSCURRENT\", \"blue\""), &[(V, Update)]).hides("pw-one").check(holds("pw-one", &["AWSCURRENT", "blue"])),
        replace: Step::new(config("pw-two", "\"AWSCURRENT\", \"blue\""), &[(V, DeleteThenCreate)])
            .hides("pw-one")
            .hides("pw-two")
            .check(holds("pw-two", &["AWSCURRENT", "blue"])),
        // A new value put outside takes AWSCURRENT: the plan moves it back.
        drift: Some(
            Step::new(config("pw-two", "\"AWSCURRENT\", \"blue\""), &[(V, Update)])
                .outside(|s, e| {
                    ok(e, &SECRETS_MANAGER, "PutSecretValue", json!({ "SecretId": attr(s, V, "arn"), "SecretString": "outside" }));
                })
                .hides("pw-two")
                .check(holds("pw-two", &["AWSCURRENT", "blue"])),
        ),
        import: Import { address: V, id: Box::new(|s, _| attr(s, V, "id")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| secret_value(e, &attr(s, V, "arn"), &attr(s, V, "version_id")).is_some()),
    }
}

fn group(e: &str, name: &str) -> Option<Json> {
    let all = ok(e, &LOGS, "DescribeLogGroups", json!({ "logGroupNamePrefix": name }));
    all["logGroups"].as_array()?.iter().find(|g| g["logGroupName"] == name).cloned()
}

fn log_group(endpoint: &str, _dir: &Path) -> Case {
    const G: &str = "aws_cloudwatch_log_group.g";
    let (name, renamed) = (format!("/skyform/{}", unique("logs")), format!("/skyform/{}", unique("logs2")));
    let config = move |name: &str, days: u32| {
        format!(
            "{}\nresource \"aws_cloudwatch_log_group\" \"g\" {{\n  name              = \"{name}\"\n  retention_in_days = {days}\n  tags = {{\n    env = \"dev\"\n  }}\n}}\n",
            services_provider(endpoint)
        )
    };
    let retains = |days: u64| {
        move |s: &State, e: &str| {
            let g = group(e, &attr(s, G, "name")).expect("the group exists");
            assert_eq!(g["retentionInDays"].as_u64(), Some(days));
            let tags = ok(e, &LOGS, "ListTagsForResource", json!({ "resourceArn": attr(s, G, "arn") }));
            assert_eq!(tags["tags"], json!({"env": "dev", "managed": "skyform"}));
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, 7), &[(G, Create)]).check(retains(7)),
        update: Step::new(config(&name, 14), &[(G, Update)]).check(retains(14)),
        replace: Step::new(config(&renamed, 14), &[(G, DeleteThenCreate)]).check(retains(14)).check(move |_, e| {
            assert!(group(e, &old).is_none(), "the old group is deleted");
        }),
        drift: Some(
            Step::new(config(&renamed, 14), &[(G, Update)])
                .outside(|s, e| {
                    ok(e, &LOGS, "PutRetentionPolicy", json!({ "logGroupName": attr(s, G, "name"), "retentionInDays": 30 }));
                })
                .shows("30 -> 14")
                .check(retains(14)),
        ),
        import: Import { address: G, id: Box::new(|s, _| attr(s, G, "name")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| group(e, &attr(s, G, "name")).is_some()),
    }
}

fn queue_attributes(e: &str, url: &str) -> Option<Json> {
    call(e, &SQS, "GetQueueAttributes", json!({ "QueueUrl": url, "AttributeNames": ["All"] })).ok().map(|o| o["Attributes"].clone())
}

fn sqs_queue(endpoint: &str, _dir: &Path) -> Case {
    const Q: &str = "aws_sqs_queue.q";
    let (name, renamed) = (unique("queue"), unique("queue2"));
    let config = move |name: &str, visibility: u32| {
        format!(
            "{}\nresource \"aws_sqs_queue\" \"q\" {{\n  name                       = \"{name}\"\n  visibility_timeout_seconds = {visibility}\n  tags = {{\n    env = \"dev\"\n  }}\n}}\n",
            services_provider(endpoint)
        )
    };
    let visible = |seconds: &'static str| {
        move |s: &State, e: &str| {
            let a = queue_attributes(e, &attr(s, Q, "url")).expect("the queue exists");
            assert_eq!((a["VisibilityTimeout"].as_str(), a["MessageRetentionPeriod"].as_str()), (Some(seconds), Some("345600")));
            assert_eq!(attr(s, Q, "id"), attr(s, Q, "url"));
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, 30), &[(Q, Create)]).check(visible("30")).check(|s, e| {
            let tags = ok(e, &SQS, "ListQueueTags", json!({ "QueueUrl": attr(s, Q, "url") }));
            assert_eq!(tags["Tags"], json!({"env": "dev", "managed": "skyform"}));
        }),
        update: Step::new(config(&name, 60), &[(Q, Update)]).check(visible("60")),
        replace: Step::new(config(&renamed, 60), &[(Q, DeleteThenCreate)]).check(visible("60")).check(move |_, e| {
            assert!(call(e, &SQS, "GetQueueUrl", json!({ "QueueName": old })).is_err(), "the old queue is deleted");
        }),
        drift: Some(
            Step::new(config(&renamed, 60), &[(Q, Update)])
                .outside(|s, e| {
                    ok(e, &SQS, "SetQueueAttributes", json!({ "QueueUrl": attr(s, Q, "url"), "Attributes": { "VisibilityTimeout": "99" } }));
                })
                .shows("99 -> 60")
                .check(visible("60")),
        ),
        import: Import { address: Q, id: Box::new(|s, _| attr(s, Q, "url")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| queue_attributes(e, &attr(s, Q, "url")).is_some()),
    }
}

fn table(e: &str, name: &str) -> Option<Json> {
    call(e, &DYNAMODB, "DescribeTable", json!({ "TableName": name })).ok().map(|o| o["Table"].clone())
}

fn ttl_enabled(e: &str, name: &str) -> bool {
    ok(e, &DYNAMODB, "DescribeTimeToLive", json!({ "TableName": name }))["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
}

fn dynamodb_table(endpoint: &str, _dir: &Path) -> Case {
    const T: &str = "aws_dynamodb_table.t";
    let (name, renamed) = (unique("table"), unique("table2"));
    // Provisioned (the provider's default billing mode), then on demand with a TTL, then a
    // new range key (replacing).
    let config = move |name: &str, on_demand: bool, range: bool| {
        let billing = if on_demand {
            "  billing_mode = \"PAY_PER_REQUEST\"\n  ttl {\n    attribute_name = \"expires\"\n    enabled        = true\n  }\n"
        } else {
            "  read_capacity  = 1\n  write_capacity = 1\n"
        };
        let range = if range { "  range_key = \"sk\"\n  attribute {\n    name = \"sk\"\n    type = \"N\"\n  }\n" } else { "" };
        format!(
            "{}\nresource \"aws_dynamodb_table\" \"t\" {{\n  name     = \"{name}\"\n  hash_key = \"pk\"\n  attribute {{\n    name = \"pk\"\n    type = \"S\"\n  }}\n{range}{billing}  tags = {{\n    env = \"dev\"\n  }}\n}}\n",
            services_provider(endpoint)
        )
    };
    let billed = |mode: &'static str| {
        move |s: &State, e: &str| {
            let t = table(e, &attr(s, T, "name")).expect("the table exists");
            let got = t["BillingModeSummary"]["BillingMode"].as_str().unwrap_or("PROVISIONED");
            assert_eq!(got, mode, "{t}");
            let tags = ok(e, &DYNAMODB, "ListTagsOfResource", json!({ "ResourceArn": attr(s, T, "arn") }));
            assert!(tags["Tags"].as_array().unwrap().contains(&json!({"Key": "env", "Value": "dev"})), "{tags}");
        }
    };
    let old = name.clone();
    Case {
        create: Step::new(config(&name, false, false), &[(T, Create)]).shows("\"PROVISIONED\"").check(billed("PROVISIONED")),
        update: Step::new(config(&name, true, false), &[(T, Update)])
            .check(billed("PAY_PER_REQUEST"))
            .check(|s, e| assert!(ttl_enabled(e, &attr(s, T, "name")))),
        replace: Step::new(config(&renamed, true, true), &[(T, DeleteThenCreate)]).check(billed("PAY_PER_REQUEST")).check(move |s, e| {
            let t = table(e, &attr(s, T, "name")).expect("the new table exists");
            assert_eq!(t["KeySchema"].as_array().map(Vec::len), Some(2));
            assert!(ttl_enabled(e, &attr(s, T, "name")));
            assert!(table(e, &old).is_none(), "the old table is deleted");
        }),
        // TTL turned off outside: the plan turns it on again.
        drift: Some(
            Step::new(config(&renamed, true, true), &[(T, Update)])
                .outside(|s, e| {
                    let spec = json!({ "AttributeName": "expires", "Enabled": false });
                    ok(e, &DYNAMODB, "UpdateTimeToLive", json!({ "TableName": attr(s, T, "name"), "TimeToLiveSpecification": spec }));
                })
                .check(|s, e| assert!(ttl_enabled(e, &attr(s, T, "name")))),
        ),
        import: Import { address: T, id: Box::new(|s, _| attr(s, T, "name")), differs: vec![], shows: vec![] },
        exists: Box::new(|s, e| table(e, &attr(s, T, "name")).is_some()),
    }
}
