//! Module sources as real configurations use them: a local module registry (our own small
//! server speaking the registry protocol, serving archives built from fixtures), version
//! constraints, submodules, git repositories at a tag, and zip archives over http. Nothing
//! leaves this machine: the registry hostname is pointed at the local server through the CLI
//! configuration's `host` block, as an air-gapped team would.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::common::skyform;

/// A canned answer: status, headers, body.
type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// A tiny HTTP server: path -> answer. Runs until the test process ends.
pub(crate) struct Server {
    port: u16,
    routes: Arc<Mutex<HashMap<String, Answer>>>,
}

impl Server {
    pub(crate) fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let routes: Arc<Mutex<HashMap<String, Answer>>> = Arc::default();
        let r = routes.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut stream = stream;
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&buf);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, headers, body) = r.lock().unwrap().get(&path).cloned().unwrap_or((404, vec![], b"not found".to_vec()));
                let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        Server { port, routes }
    }

    pub(crate) fn route(&self, path: &str, status: u16, headers: &[(&str, &str)], body: Vec<u8>) {
        let headers = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.routes.lock().unwrap().insert(path.to_string(), (status, headers, body));
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Writes a CLI configuration in `dir` that points registry.terraform.io's module service
    /// at this server (as an air-gapped team would); returns its path.
    pub(crate) fn cli_config(&self, dir: &Path) -> std::path::PathBuf {
        let path = dir.join("terraformrc");
        let text = format!("host \"registry.terraform.io\" {{\n  services = {{\n    \"modules.v1\" = \"{}\"\n  }}\n}}\n", self.url("/v1/modules/"));
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Serves a registry module `NS/NAME/PROVIDER` in `versions`, each a tar.gz of `files`
    /// (the module source of a version says `version = "V"` in an output).
    pub(crate) fn registry_module(&self, module: &str, versions: &[&str], files: &[(&str, &str)]) {
        let list: Vec<String> = versions.iter().map(|v| format!("{{\"version\":\"{v}\"}}")).collect();
        self.route(&format!("/v1/modules/{module}/versions"), 200, &[], format!("{{\"modules\":[{{\"versions\":[{}]}}]}}", list.join(",")).into_bytes());
        for v in versions {
            let archive = format!("/archives/{}-{v}.tar.gz", module.replace('/', "-"));
            self.route(&format!("/v1/modules/{module}/{v}/download"), 204, &[("X-Terraform-Get", &archive)], vec![]);
            let files: Vec<(String, String)> = files.iter().map(|(p, t)| (p.to_string(), t.replace("VERSION", v))).collect();
            self.route(&archive, 200, &[], tar_gz(&files));
        }
    }
}

fn tar_gz(files: &[(String, String)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default()));
    for (path, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, path, text.as_bytes()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, text) in files {
        z.start_file(*path, zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

pub(crate) fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

const BUCKET_MODULE: &str = r#"
variable "name" {
  type = string
}
resource "terraform_data" "bucket" {
  input = var.name
}
output "name" {
  value = terraform_data.bucket.output
}
output "version" {
  value = "VERSION"
}
"#;

const NOTIFY_SUBMODULE: &str = "variable \"topic\" {}\noutput \"topic\" {\n  value = \"notify-${var.topic}-VERSION\"\n}\n";

pub(crate) fn run(dir: &Path, cli_config: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = skyform(dir).env("TF_CLI_CONFIG_FILE", cli_config).args(args).output().unwrap();
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn registry_git_and_archive_modules_install_and_apply() {
    let server = Server::start();
    server.registry_module("acme/bucket/aws", &["1.0.0", "1.2.0", "2.0.0"], &[("main.tf", BUCKET_MODULE), ("modules/notify/main.tf", NOTIFY_SUBMODULE)]);
    server.route("/archives/labels.zip", 200, &[], zip_of(&[("labels/main.tf", "variable \"env\" {}\noutput \"id\" {\n  value = \"app-${var.env}\"\n}\n")]));
    let work = tempfile::tempdir().unwrap();
    let cli_config = server.cli_config(work.path());
    // A git repository with a tag, then a later commit the tag must not see.
    let repo = work.path().join("repo");
    std::fs::create_dir_all(repo.join("net")).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("net/main.tf"), "output \"cidr\" {\n  value = \"10.0.0.0/16\"\n}\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "v1"]);
    git(&repo, &["tag", "v1.0.0"]);
    std::fs::write(repo.join("net/main.tf"), "output \"cidr\" {\n  value = \"changed after the tag\"\n}\n").unwrap();
    git(&repo, &["commit", "-q", "-am", "later"]);

    let cfg = work.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    let main = format!(
        r#"
module "bucket" {{
  source  = "acme/bucket/aws"
  version = "~> 1.0"
  name    = "logs"
}}

module "notify" {{
  source  = "acme/bucket/aws//modules/notify"
  version = "1.0.0"
  topic   = module.bucket.name
}}

module "net" {{
  source = "git::file://{repo}//net?ref=v1.0.0"
}}

module "labels" {{
  source = "{zip}//labels"
  env    = "prod"
}}

output "all" {{
  value = [module.bucket.version, module.notify.topic, module.net.cidr, module.labels.id]
}}
"#,
        repo = repo.display(),
        zip = server.url("/archives/labels.zip"),
    );
    std::fs::write(cfg.join("main.tf"), main).unwrap();

    let (code, text) = run(&cfg, &cli_config, &["init", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Downloading acme/bucket/aws 1.2.0 for bucket..."), "the newest 1.x: {text}");
    assert!(text.contains("- notify in .terraform/modules/notify/modules/notify"), "{text}");
    let manifest = std::fs::read_to_string(cfg.join(".terraform/modules/modules.json")).unwrap();
    assert!(manifest.contains("\"Key\":\"bucket\"") && manifest.contains("\"Version\":\"1.2.0\""), "{manifest}");

    let (code, text) = run(&cfg, &cli_config, &["apply", "-auto-approve", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    let (_, out) = run(&cfg, &cli_config, &["output", "-json", "all"]);
    assert_eq!(out.trim(), r#"["1.2.0","notify-logs-1.0.0","10.0.0.0/16","app-prod"]"#);

    // A fresh copy of the configuration plans without init: what is missing is installed.
    let fresh = work.path().join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    std::fs::copy(cfg.join("main.tf"), fresh.join("main.tf")).unwrap();
    let (code, text) = run(&fresh, &cli_config, &["plan", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("module.bucket.terraform_data.bucket will be created"), "{text}");

    // A constraint nothing satisfies names the call and the source; so does a missing host.
    std::fs::write(fresh.join("main.tf"), "module \"bucket\" {\n  source  = \"acme/bucket/aws\"\n  version = \"~> 3.0\"\n  name    = \"x\"\n}\n").unwrap();
    let (code, text) = run(&fresh, &cli_config, &["init", "-no-color"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("Failed to install module") && text.contains("\"bucket\"") && text.contains("acme/bucket/aws") && text.contains("1.0.0, 1.2.0, 2.0.0"),
        "{text}"
    );
    assert!(text.contains("main.tf:2:"), "{text}");
    assert!(!text.contains("successfully initialized"), "{text}");

    // -upgrade moves to the newest allowed version.
    std::fs::write(cfg.join("main.tf"), "module \"bucket\" {\n  source  = \"acme/bucket/aws\"\n  version = \">= 1.0\"\n  name    = \"x\"\n}\n").unwrap();
    let (code, text) = run(&cfg, &cli_config, &["init", "-upgrade", "-no-color"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("acme/bucket/aws 2.0.0 for bucket"), "{text}");
}
