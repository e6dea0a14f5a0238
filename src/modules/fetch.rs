//! Fetching module packages into a directory: the module registry protocol (service discovery,
//! the versions list, the download redirect in `X-Terraform-Get`), git repositories (through
//! the `git` command, as Terraform does), http(s) archives (zip, tar.gz) and, through
//! [`super::s3`], archives in S3.

use std::path::Path;
use std::process::Command;

use super::cli_config::CliConfig;
use super::source::Source;
use super::version::{Constraints, Version};

/// The HTTP side of fetching: discovery, registry calls and downloads.
pub struct Fetcher {
    http: reqwest::blocking::Client,
    cli: CliConfig,
}

impl Fetcher {
    pub fn new() -> Result<Fetcher, String> {
        let http = reqwest::blocking::Client::builder()
            .user_agent(concat!("skyform/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Fetcher { http, cli: CliConfig::load()? })
    }

    fn get(&self, host: Option<&str>, url: &str) -> Result<reqwest::blocking::Response, String> {
        let mut req = self.http.get(url);
        if let Some(token) = host.and_then(|h| self.cli.tokens.get(h)) {
            req = req.bearer_auth(token);
        }
        req.send().map_err(|e| format!("GET {url}: {e}"))
    }

    /// The base URL of a host's `modules.v1` service: the CLI configuration's override, else
    /// `https://HOST/.well-known/terraform.json`.
    fn modules_service(&self, host: &str) -> Result<String, String> {
        if let Some(url) = self.cli.services.get(host).and_then(|s| s.get("modules.v1")) {
            return Ok(url.clone());
        }
        let discovery = format!("https://{host}/.well-known/terraform.json");
        let resp = self.get(Some(host), &discovery)?;
        if !resp.status().is_success() {
            return Err(format!("service discovery at {discovery} answered {}", resp.status()));
        }
        let doc: serde_json::Value = resp.json().map_err(|e| format!("{discovery}: {e}"))?;
        let base =
            doc.get("modules.v1").and_then(|v| v.as_str()).ok_or_else(|| format!("{host} does not offer a module registry (no modules.v1 in {discovery})"))?;
        join_url(&discovery, base)
    }

    /// Resolves a registry address to (the newest version allowed, the package's real source).
    pub fn resolve_registry(&self, host: &str, path: &str, constraint: Option<&str>) -> Result<(Version, String), String> {
        let base = self.modules_service(host)?;
        let versions_url = join_url(&base, &format!("{path}/versions"))?;
        let resp = self.get(Some(host), &versions_url)?;
        if resp.status().as_u16() == 404 {
            return Err(format!("module {host}/{path} does not exist in the registry"));
        }
        if !resp.status().is_success() {
            return Err(format!("{versions_url} answered {}", resp.status()));
        }
        let doc: serde_json::Value = resp.json().map_err(|e| format!("{versions_url}: {e}"))?;
        let available: Vec<String> = doc["modules"]
            .as_array()
            .and_then(|m| m.first())
            .and_then(|m| m["versions"].as_array())
            .map(|vs| vs.iter().filter_map(|v| v["version"].as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let constraints = Constraints::parse(constraint.unwrap_or(""))?;
        let version = constraints
            .newest(available.iter().map(String::as_str))
            .ok_or_else(|| format!("no available version of {host}/{path} matches \"{}\" (available: {})", constraint.unwrap_or(""), available.join(", ")))?;
        let download_url = join_url(&base, &format!("{path}/{version}/download"))?;
        let resp = self.get(Some(host), &download_url)?;
        let real = resp
            .headers()
            .get("x-terraform-get")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| format!("{download_url} answered {} without an X-Terraform-Get header", resp.status()))?;
        // A relative location is relative to the download URL.
        let real = if real.starts_with("./") || real.starts_with('/') || real.starts_with("../") { join_url(&download_url, &real)? } else { real };
        Ok((version, real))
    }

    /// Fetches a (non-registry) source's package into `dest` (which must not exist).
    pub fn fetch(&self, source: &Source, dest: &Path) -> Result<(), String> {
        match source {
            Source::Git { url, reference, .. } => git_clone(url, reference.as_deref(), dest),
            Source::Http { url, .. } => self.fetch_http(url, dest),
            Source::S3 { url, .. } => {
                let (kind, bytes) = super::s3::download(url)?;
                unpack(kind, &bytes, dest)
            }
            Source::Registry { .. } | Source::Local(_) => Err("internal: not a package source".into()),
        }
    }

    fn fetch_http(&self, url: &str, dest: &Path) -> Result<(), String> {
        let (plain, forced) = match url.split_once("archive=") {
            Some((_, kind)) => (url.replace(&format!("archive={kind}"), "").trim_end_matches(['?', '&']).to_string(), Some(kind.to_string())),
            None => (url.to_string(), None),
        };
        let path = plain.split('?').next().unwrap_or(&plain).to_ascii_lowercase();
        let kind =
            forced.or_else(|| [".zip", ".tar.gz", ".tgz"].iter().find(|e| path.ends_with(*e)).map(|e| e.trim_start_matches('.').replace("tgz", "tar.gz")));
        let resp = self.get(None, &plain)?;
        if !resp.status().is_success() {
            return Err(format!("GET {plain} answered {}", resp.status()));
        }
        let Some(kind) = kind else {
            // Not an archive: the page names the real source, as for a registry download.
            let next = resp.headers().get("x-terraform-get").and_then(|v| v.to_str().ok()).map(str::to_string);
            return match next {
                Some(n) => self.fetch(&Source::parse(&join_url(&plain, &n).unwrap_or(n))?, dest),
                None => Err(format!("{plain} is neither an archive (.zip, .tar.gz) nor a page with an X-Terraform-Get header")),
            };
        };
        let bytes = resp.bytes().map_err(|e| format!("GET {plain}: {e}"))?;
        unpack(&kind, &bytes, dest)
    }
}

/// Joins a possibly relative URL to a base, as a browser would.
fn join_url(base: &str, rel: &str) -> Result<String, String> {
    let b = reqwest::Url::parse(base).map_err(|e| format!("invalid URL {base}: {e}"))?;
    b.join(rel).map(|u| u.to_string()).map_err(|e| format!("invalid URL {rel}: {e}"))
}

fn git_clone(url: &str, reference: Option<&str>, dest: &Path) -> Result<(), String> {
    let run = |args: &[&str], dir: Option<&Path>| -> Result<(), String> {
        let mut cmd = Command::new("git");
        cmd.args(["-c", "advice.detachedHead=false"]).args(args).env("GIT_TERMINAL_PROMPT", "0");
        if let Some(d) = dir {
            cmd.current_dir(d);
        }
        let out = cmd.output().map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
        }
    };
    let dest_s = dest.to_string_lossy();
    run(&["clone", "--quiet", url, &dest_s], None)?;
    if let Some(r) = reference {
        run(&["checkout", "--quiet", r], Some(dest)).map_err(|e| format!("{e} (ref \"{r}\" of {url})"))?;
    }
    Ok(())
}

/// Unpacks a zip or tar.gz archive into `dest`, refusing entries that would leave it.
fn unpack(kind: &str, bytes: &[u8], dest: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dest).map_err(|e| e.to_string())?;
    match kind {
        "zip" => {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not a zip archive: {e}"))?;
            zip.extract(dest).map_err(|e| format!("cannot unpack the zip archive: {e}"))
        }
        "tar.gz" | "tgz" => {
            let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
            for entry in tar.entries().map_err(|e| format!("not a tar.gz archive: {e}"))? {
                let mut entry = entry.map_err(|e| format!("bad tar entry: {e}"))?;
                // `unpack_in` skips entries with `..` or absolute paths.
                entry.unpack_in(dest).map_err(|e| format!("cannot unpack the tar.gz archive: {e}"))?;
            }
            Ok(())
        }
        other => Err(format!("unsupported archive type \"{other}\"")),
    }
}
