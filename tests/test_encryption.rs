//! State and plan encryption at rest (`terraform { encryption {} }` / `TF_ENCRYPTION`), run
//! through the real binary: the local SQLite state, a saved plan, key rotation with a fallback,
//! migration from and to unencrypted state, the s3 backend on moto and the aws_kms key provider
//! on moto. Each test checks the stored bytes for the secret, not only skyform's own view.

use std::path::Path;

use crate::common::{emulator, skyform, stderr, stdout, succeeds, unique};

const SECRET: &str = "hunter2-topsecret-value";

fn config(extra_terraform: &str) -> String {
    format!(
        r#"terraform {{
{extra_terraform}
  encryption {{
    method "aes_gcm" "main" {{
      keys = key_provider.pbkdf2.main
    }}
    method "unencrypted" "plain" {{}}
    state {{
      method = method.aes_gcm.main
    }}
    plan {{
      method = method.aes_gcm.main
    }}
  }}
}}

resource "terraform_data" "db" {{
  input = "{SECRET}"
}}

output "password" {{
  value = terraform_data.db.output
}}
"#
    )
}

fn passphrase(p: &str) -> String {
    format!("key_provider \"pbkdf2\" \"main\" {{\n  passphrase = \"{p}\"\n  iterations = 200000\n}}\n")
}

/// Runs skyform in `dir` with `TF_ENCRYPTION`.
fn run(dir: &Path, env: &str, args: &[&str]) -> std::process::Output {
    skyform(dir).env("TF_ENCRYPTION", env).args(args).output().expect("run skyform")
}

fn ok(dir: &Path, env: &str, args: &[&str]) -> String {
    let out = run(dir, env, args);
    assert!(out.status.success(), "skyform {}: {}{}", args.join(" "), stdout(&out), stderr(&out));
    stdout(&out)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Every file under `dir` (the state database, its backup, plan files), read raw.
fn any_file_contains(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_none_or(|x| x != "tf") && contains(&std::fs::read(&p).unwrap_or_default(), needle) {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

#[test]
fn local_state_and_plan_files_are_encrypted_and_readable_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), config("")).unwrap();
    let key = passphrase("a long enough passphrase one");
    ok(dir.path(), &key, &["apply", "-auto-approve"]);
    assert_eq!(any_file_contains(dir.path(), SECRET), Vec::<String>::new(), "the secret is stored in the clear");
    assert_eq!(ok(dir.path(), &key, &["output", "-raw", "password"]), SECRET);
    let plan = run(dir.path(), &key, &["plan", "-detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "an encrypted state plans with no changes: {}", stdout(&plan));
    assert!(ok(dir.path(), &key, &["state", "pull"]).contains(SECRET), "state pull shows the decrypted state");

    // A saved plan is sealed too, and applies with the key.
    std::fs::write(dir.path().join("main.tf"), config("").replace(SECRET, "hunter2-second-value")).unwrap();
    ok(dir.path(), &key, &["plan", "-out=next.tfplan"]);
    assert!(!contains(&std::fs::read(dir.path().join("next.tfplan")).unwrap(), "hunter2-second-value"));
    ok(dir.path(), &key, &["apply", "next.tfplan"]);
    assert_eq!(ok(dir.path(), &key, &["output", "-raw", "password"]), "hunter2-second-value");
    assert!(any_file_contains(dir.path(), "hunter2-second-value").is_empty());

    // Without the key, or with another one: a clear error naming the problem, nothing written.
    let wrong = run(dir.path(), &passphrase("a different passphrase two"), &["plan"]);
    let text = format!("{}{}", stdout(&wrong), stderr(&wrong));
    assert_eq!(wrong.status.code(), Some(1), "{text}");
    assert!(text.contains("none of the configured methods (method.aes_gcm.main) could decrypt it"), "{text}");
    assert!(!text.contains("a different passphrase two"), "the passphrase is never printed");
    std::fs::write(dir.path().join("main.tf"), "resource \"terraform_data\" \"db\" {\n  input = \"x\"\n}\n").unwrap();
    let bare = skyform(dir.path()).args(["plan"]).output().unwrap();
    let text = format!("{}{}", stdout(&bare), stderr(&bare));
    assert_eq!(bare.status.code(), Some(1), "{text}");
    assert!(text.contains("the state is encrypted, and no state encryption is configured"), "{text}");
}

#[test]
fn keys_rotate_through_a_fallback_and_plain_state_migrates_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    // Unencrypted first.
    std::fs::write(
        dir.path().join("main.tf"),
        format!("resource \"terraform_data\" \"db\" {{\n  input = \"{SECRET}\"\n}}\n\noutput \"password\" {{\n  value = terraform_data.db.output\n}}\n"),
    )
    .unwrap();
    succeeds(dir.path(), &["apply", "-auto-approve"]);
    assert!(!any_file_contains(dir.path(), SECRET).is_empty());

    // Encrypting plain state needs the unencrypted fallback once, as in OpenTofu.
    std::fs::write(dir.path().join("main.tf"), config("")).unwrap();
    let old = passphrase("the first long passphrase");
    let refused = run(dir.path(), &old, &["plan"]);
    assert!(stderr(&refused).contains("The state is not encrypted"), "{}", stderr(&refused));
    let migrate = format!("{old}state {{\n  method = method.aes_gcm.main\n  fallback {{\n    method = method.unencrypted.plain\n  }}\n}}\n");
    ok(dir.path(), &migrate, &["apply", "-auto-approve"]);
    assert_eq!(any_file_contains(dir.path(), SECRET), Vec::<String>::new(), "no plain copy is left (free pages, WAL, backup)");
    assert_eq!(ok(dir.path(), &old, &["output", "-raw", "password"]), SECRET);

    // Rotation: the new key, the old one as fallback; the apply re-seals everything.
    let rotate = format!(
        "{}key_provider \"pbkdf2\" \"old\" {{\n  passphrase = \"the first long passphrase\"\n  iterations = 200000\n}}\nmethod \"aes_gcm\" \"old\" {{\n  keys = key_provider.pbkdf2.old\n}}\nstate {{\n  method = method.aes_gcm.main\n  fallback {{\n    method = method.aes_gcm.old\n  }}\n}}\n",
        passphrase("the second long passphrase")
    );
    ok(dir.path(), &rotate, &["apply", "-auto-approve"]);
    let new = passphrase("the second long passphrase");
    assert_eq!(ok(dir.path(), &new, &["output", "-raw", "password"]), SECRET, "after the rotation the new key alone reads the state");
    assert!(!run(dir.path(), &old, &["output", "-raw", "password"]).status.success(), "the old key no longer reads it");

    // And back out: unencrypted as the method, the key as fallback.
    let out = format!("{new}state {{\n  method = method.unencrypted.plain\n  fallback {{\n    method = method.aes_gcm.main\n  }}\n}}\nplan {{\n  method = method.unencrypted.plain\n}}\n");
    ok(dir.path(), &out, &["apply", "-auto-approve"]);
    std::fs::write(dir.path().join("main.tf"), format!("resource \"terraform_data\" \"db\" {{\n  input = \"{SECRET}\"\n}}\n")).unwrap();
    let (code, text) = crate::common::plan_code(dir.path());
    assert_eq!(code, Some(2), "plain state again, readable without a key: {text}");
}

#[test]
fn encryption_configuration_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  encryption {\n    key_provider \"pbkdf2\" \"k\" {\n      passphrase = \"short\"\n    }\n    method \"aes_gcm\" \"m\" {\n      keys = key_provider.pbkdf2.k\n    }\n    state {\n      method = method.aes_gcm.nope\n    }\n  }\n}\n",
    )
    .unwrap();
    let out = skyform(dir.path()).args(["validate"]).output().unwrap();
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Passphrase too short") && text.contains("main.tf:4:"), "{text}");
    assert!(text.contains("Reference to undeclared encryption method") && text.contains("main.tf:10:"), "{text}");
}

#[test]
fn s3_backend_objects_are_sealed_and_aws_kms_keys_work() {
    let Some(moto) = emulator("SKYFORM_MOTO_ENDPOINT") else { return };
    let bucket = unique("enc");
    let rt = crate::common::rt();
    let s3 = rt.block_on(crate::test_aws::sdk(&moto));
    crate::test_aws::create_bucket(&rt, &s3, &bucket);
    let api = skyform::provider::aws::json_api::JsonApi::for_endpoint(&moto, "us-east-1", "test", "test");
    let key = rt.block_on(api.call(&skyform::provider::aws::json_api::KMS, "CreateKey", serde_json::json!({}))).expect("CreateKey");
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();

    let dir = tempfile::tempdir().unwrap();
    let backend = format!(
        "  backend \"s3\" {{\n    bucket = \"{bucket}\"\n    key = \"app/terraform.tfstate\"\n    region = \"eu-west-1\"\n    use_path_style = true\n    use_lockfile = true\n    access_key = \"test\"\n    secret_key = \"test\"\n    skip_credentials_validation = true\n    skip_requesting_account_id = true\n    endpoints = {{ s3 = \"{moto}\" }}\n  }}"
    );
    std::fs::write(dir.path().join("main.tf"), config(&backend)).unwrap();
    let kms = format!("key_provider \"aws_kms\" \"main\" {{\n  kms_key_id = \"{key_id}\"\n  key_spec = \"AES_256\"\n  region = \"us-east-1\"\n  endpoint = \"{moto}\"\n}}\nmethod \"aes_gcm\" \"main\" {{\n  keys = key_provider.aws_kms.main\n}}\n");
    let env = |args: &[&str]| {
        skyform(dir.path())
            .env("TF_ENCRYPTION", &kms)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .args(args)
            .output()
            .expect("run skyform")
    };
    let init = env(&["init"]);
    assert!(init.status.success(), "{}{}", stdout(&init), stderr(&init));
    let apply = env(&["apply", "-auto-approve"]);
    assert!(apply.status.success(), "{}{}", stdout(&apply), stderr(&apply));
    for object in ["app/terraform.tfstate", "app/terraform.tfstate.skyform-history"] {
        let body =
            rt.block_on(async { s3.get_object().bucket(&bucket).key(object).send().await.expect(object).body.collect().await.unwrap().into_bytes().to_vec() });
        assert!(!contains(&body, SECRET) && contains(&body, "\"encrypted_data\"") && contains(&body, "key_provider.aws_kms.main"), "{object} is sealed");
    }
    let output = env(&["output", "-raw", "password"]);
    assert_eq!(stdout(&output), SECRET, "{}", stderr(&output));
    let plan = env(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}{}", stdout(&plan), stderr(&plan));
    let bare =
        skyform(dir.path()).env("AWS_ACCESS_KEY_ID", "test").env("AWS_SECRET_ACCESS_KEY", "test").env("TF_ENCRYPTION", "").args(["plan"]).output().unwrap();
    assert!(stderr(&bare).contains("Reference to undeclared key provider"), "{}", stderr(&bare));
}

#[test]
fn pg_backend_rows_are_sealed() {
    let Some(conn) = emulator("SKYFORM_PG_CONN_STR") else { return };
    let schema = unique("enc").replace('-', "_");
    let dir = tempfile::tempdir().unwrap();
    let backend = format!("  backend \"pg\" {{\n    conn_str = \"{conn}\"\n    schema_name = \"{schema}\"\n  }}");
    std::fs::write(dir.path().join("main.tf"), config(&backend)).unwrap();
    let key = passphrase("a long enough pg passphrase");
    ok(dir.path(), &key, &["init"]);
    ok(dir.path(), &key, &["apply", "-auto-approve"]);
    let mut client = postgres::Client::connect(&conn, postgres::NoTls).unwrap();
    let mut stored = String::new();
    for table in ["resources", "outputs"] {
        for row in client.query(&format!("SELECT row_to_json(t)::text FROM {schema}.{table} t"), &[]).unwrap() {
            stored.push_str(row.get::<_, &str>(0));
        }
    }
    assert!(stored.contains("skyform-encrypted:") && !stored.contains(SECRET), "{stored}");
    assert_eq!(ok(dir.path(), &key, &["output", "-raw", "password"]), SECRET);
    let plan = run(dir.path(), &key, &["plan", "-detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}{}", stdout(&plan), stderr(&plan));
    ok(dir.path(), &key, &["destroy", "-auto-approve"]);
}
