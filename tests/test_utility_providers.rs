//! The `archive`, `external`, `http` and `tls` providers through the real binary: archives
//! byte-identical across runs (so a hash of one is stable), an external program's result, an
//! HTTP answer from a local server, and TLS keys and a self-signed certificate that other
//! tools read, with the private keys never printed.

use crate::common::{skyform, Fixture};
use crate::test_modules::Server;

fn run(f: &Fixture, args: &[&str]) -> (Option<i32>, String) {
    let out = skyform(f.path()).args(args).arg("-no-color").output().expect("run skyform");
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn output_json(f: &Fixture) -> serde_json::Value {
    let out = skyform(f.path()).args(["output", "-json"]).output().expect("run output");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn value(outputs: &serde_json::Value, name: &str) -> serde_json::Value {
    outputs[name]["value"].clone()
}

const ARCHIVE: &str = r#"
data "archive_file" "code" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  excludes    = ["**/*.log"]
  output_path = "${path.module}/build/code.zip"
}

resource "archive_file" "bundle" {
  type        = "zip"
  output_path = "${path.module}/build/bundle.zip"
  source {
    filename = "b.txt"
    content  = "bee"
  }
  source {
    filename = "a.txt"
    content  = "ay"
  }
}

resource "terraform_data" "function" {
  input = data.archive_file.code.output_base64sha256
}

output "hash" {
  value = data.archive_file.code.output_base64sha256
}

output "bundle_sha" {
  value = archive_file.bundle.output_sha
}
"#;

#[test]
fn archive_file_zips_are_identical_across_runs_and_plans_are_no_ops() {
    let f = Fixture::new(ARCHIVE);
    f.write("src/index.js", "exports.handler = async () => 'hi';\n");
    f.write("src/lib/util.js", "module.exports = 1;\n");
    f.write("src/debug.log", "noise");
    let (code, text) = run(&f, &["apply", "-auto-approve"]);
    assert_eq!(code, Some(0), "{text}");
    let zip = std::fs::read(f.path().join("build/code.zip")).unwrap();
    let bundle = std::fs::read(f.path().join("build/bundle.zip")).unwrap();
    let first = output_json(&f);
    let names: Vec<String> = {
        let z = zip::ZipArchive::new(std::io::Cursor::new(zip.clone())).unwrap();
        z.file_names().map(str::to_string).collect()
    };
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"index.js".to_string()) && names.contains(&"lib/util.js".to_string()), "{names:?}");

    // Later runs (with the sources touched) write the same bytes: nothing to change.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    f.write("src/index.js", "exports.handler = async () => 'hi';\n");
    let (code, text) = run(&f, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, Some(0), "a no-op plan: {text}");
    assert_eq!(std::fs::read(f.path().join("build/code.zip")).unwrap(), zip);
    let (code, text) = run(&f, &["apply", "-auto-approve"]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(std::fs::read(f.path().join("build/bundle.zip")).unwrap(), bundle);
    assert_eq!(output_json(&f), first);

    // A changed source changes the hash, and the function follows.
    f.write("src/index.js", "exports.handler = async () => 'bye';\n");
    let (code, text) = run(&f, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("terraform_data.function"), "{text}");
    // A changed source block replaces the resource.
    f.write("main.tf", &ARCHIVE.replace("\"bee\"", "\"buzz\""));
    let (_, text) = run(&f, &["plan"]);
    assert!(text.contains("archive_file.bundle must be replaced") || text.contains("-/+"), "{text}");
}

#[test]
fn external_program_result_and_its_errors() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new("");
    f.write("greet.sh", "#!/bin/sh\nset -e\nin=$(cat)\ncase \"$in\" in\n  *'\"name\":\"fail\"'*) echo \"no such user\" >&2; exit 2;;\nesac\nprintf '{\"greeting\": \"hello\", \"cwd\": \"%s\"}' \"$(basename \"$(pwd)\")\"\n");
    std::fs::set_permissions(f.path().join("greet.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(f.path().join("work")).unwrap();
    let main = |name: &str| {
        format!(
            "data \"external\" \"e\" {{\n  program     = [\"${{path.module}}/greet.sh\"]\n  working_dir = \"${{path.module}}/work\"\n  query       = {{ name = \"{name}\" }}\n}}\n\n\
             output \"greeting\" {{\n  value = data.external.e.result.greeting\n}}\n\noutput \"cwd\" {{\n  value = data.external.e.result.cwd\n}}\n"
        )
    };
    f.write("main.tf", &main("ann"));
    let (code, text) = run(&f, &["apply", "-auto-approve"]);
    assert_eq!(code, Some(0), "{text}");
    let out = output_json(&f);
    assert_eq!((value(&out, "greeting"), value(&out, "cwd")), (serde_json::json!("hello"), serde_json::json!("work")));
    f.write("main.tf", &main("fail"));
    let (code, text) = run(&f, &["plan"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("External Program Execution Failed") && text.contains("no such user"), "{text}");
}

#[test]
fn http_data_source_reads_a_local_server() {
    let server = Server::start();
    server.route("/config.json", 200, &[("Content-Type", "application/json")], br#"{"size":"small"}"#.to_vec());
    let f = Fixture::new(&format!(
        "data \"http\" \"cfg\" {{\n  url = \"{}\"\n  request_headers = {{ Accept = \"application/json\" }}\n}}\n\n\
         data \"http\" \"missing\" {{\n  url = \"{}\"\n}}\n\n\
         output \"size\" {{\n  value = jsondecode(data.http.cfg.response_body).size\n}}\n\n\
         output \"type\" {{\n  value = data.http.cfg.response_headers[\"Content-Type\"]\n}}\n\n\
         output \"missing\" {{\n  value = data.http.missing.status_code\n}}\n",
        server.url("/config.json"),
        server.url("/nope"),
    ));
    let (code, text) = run(&f, &["apply", "-auto-approve"]);
    assert_eq!(code, Some(0), "{text}");
    let out = output_json(&f);
    assert_eq!(value(&out, "size"), serde_json::json!("small"));
    assert_eq!(value(&out, "type"), serde_json::json!("application/json"));
    assert_eq!(value(&out, "missing"), serde_json::json!(404));
}

const TLS: &str = r#"
resource "tls_private_key" "rsa" {
  algorithm = "RSA"
}

resource "tls_private_key" "ec" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_private_key" "ed" {
  algorithm = "ED25519"
}

locals {
  keys = {
    "rsa.pem"     = tls_private_key.rsa.private_key_pem
    "ec.pem"      = tls_private_key.ec.private_key_pem
    "ed.pem"      = tls_private_key.ed.private_key_pem_pkcs8
    "ed_openssh"  = tls_private_key.ed.private_key_openssh
    "rsa_openssh" = tls_private_key.rsa.private_key_openssh
  }
}

resource "local_sensitive_file" "keys" {
  for_each = toset(["rsa.pem", "ec.pem", "ed.pem", "ed_openssh", "rsa_openssh"])
  filename = "${path.module}/keys/${each.key}"
  content  = local.keys[each.key]
}

resource "tls_self_signed_cert" "ca" {
  private_key_pem       = tls_private_key.ec.private_key_pem
  is_ca_certificate     = true
  validity_period_hours = 24
  allowed_uses          = ["cert_signing", "crl_signing", "digital_signature"]
  dns_names             = ["ca.example.com"]
  subject {
    common_name  = "Test CA"
    organization = "skyform"
  }
}

resource "tls_cert_request" "app" {
  private_key_pem = tls_private_key.rsa.private_key_pem
  dns_names       = ["app.example.com"]
  subject {
    common_name = "app"
  }
}

resource "tls_locally_signed_cert" "app" {
  cert_request_pem      = tls_cert_request.app.cert_request_pem
  ca_private_key_pem    = tls_private_key.ec.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = 12
  allowed_uses          = ["digital_signature", "key_encipherment", "server_auth"]
}

resource "local_file" "app" {
  filename = "${path.module}/keys/app.crt"
  content  = tls_locally_signed_cert.app.cert_pem
}

resource "local_file" "ca" {
  filename = "${path.module}/keys/ca.crt"
  content  = tls_self_signed_cert.ca.cert_pem
}

resource "terraform_data" "uses_key" {
  input = { key = tls_private_key.ed.private_key_pem, version = "1" }
}

output "ed_public" {
  value = tls_private_key.ed.public_key_openssh
}

data "tls_public_key" "rsa" {
  private_key_openssh = tls_private_key.rsa.private_key_openssh
}

output "derived_matches" {
  value = data.tls_public_key.rsa.public_key_pem == tls_private_key.rsa.public_key_pem
}
"#;

#[test]
fn tls_private_keys_parse_and_stay_hidden() {
    let f = Fixture::new(TLS);
    let (code, text) = run(&f, &["apply", "-auto-approve"]);
    assert_eq!(code, Some(0), "{text}");
    let key = |name: &str| std::fs::read_to_string(f.path().join("keys").join(name)).unwrap();
    let secret_lines: Vec<String> = ["rsa.pem", "ec.pem", "ed.pem", "ed_openssh"].iter().map(|n| key(n).lines().nth(1).unwrap().to_string()).collect();
    assert!(key("rsa.pem").starts_with("-----BEGIN RSA PRIVATE KEY-----\n") && key("ec.pem").starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    for secret in &secret_lines {
        assert!(!text.contains(secret.as_str()), "a private key in the apply output: {text}");
    }
    // Other tools read the keys.
    let path = |n: &str| f.path().join("keys").join(n);
    for n in ["rsa.pem", "ec.pem", "ed.pem"] {
        match std::process::Command::new("openssl").args(["pkey", "-noout", "-in"]).arg(path(n)).output() {
            Ok(o) => assert!(o.status.success(), "openssl cannot read {n}: {}", String::from_utf8_lossy(&o.stderr)),
            Err(_) => eprintln!("openssl not installed: {n} not checked"),
        }
    }
    for n in ["ed_openssh", "rsa_openssh"] {
        std::fs::set_permissions(path(n), std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        match std::process::Command::new("ssh-keygen").args(["-y", "-f"]).arg(path(n)).output() {
            Ok(o) => {
                assert!(o.status.success(), "ssh-keygen cannot read {n}: {}", String::from_utf8_lossy(&o.stderr));
                if n == "ed_openssh" {
                    let public = value(&output_json(&f), "ed_public");
                    assert_eq!(public.as_str().unwrap().trim(), String::from_utf8_lossy(&o.stdout).trim());
                }
            }
            Err(_) => eprintln!("ssh-keygen not installed: {n} not checked"),
        }
    }
    assert_eq!(value(&output_json(&f), "derived_matches"), serde_json::json!(true));
    // The self-signed CA verifies against itself, and the certificate it signed against it.
    for leaf in ["ca.crt", "app.crt"] {
        if let Ok(o) = std::process::Command::new("openssl").args(["verify", "-CAfile"]).arg(path("ca.crt")).arg(path(leaf)).output() {
            assert!(o.status.success(), "{leaf}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        }
    }
    // A plan that shows the key's users keeps the key hidden.
    let (code, text) = run(&f, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, Some(0), "{text}");
    f.write("main.tf", &TLS.replace("version = \"1\"", "version = \"2\""));
    let (code, text) = run(&f, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("terraform_data.uses_key") && text.contains("sensitive"), "{text}");
    for secret in &secret_lines {
        assert!(!text.contains(secret.as_str()), "a private key in the plan: {text}");
    }
    let (code, text) = run(&f, &["state", "show", "tls_private_key.ed"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains(secret_lines[2].as_str()) && !text.contains(secret_lines[3].as_str()), "{text}");
}
