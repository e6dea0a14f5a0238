//! Module installation: turns each module call's `source` (and `version`) into a directory.
//! Local paths resolve in place; registry, git and http(s) sources are fetched into
//! `.terraform/modules/<call key>` and recorded in `.terraform/modules/modules.json`, the layout
//! Terraform uses, so a directory initialised by either tool works with both. `init` installs
//! (`-upgrade` re-resolves every version); `plan` and `apply` install what is missing, so `init`
//! stays optional.
//!
//! Entry point: [`Installer::resolve`], called by the config loader for every module call.
//! Not here: parsing the configuration (`config`), or anything about providers (compiled in).

pub mod cli_config;
pub mod fetch;
mod s3;
pub mod source;
pub mod version;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use source::Source;

/// One entry of `modules.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ManifestEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Source")]
    pub source: String,
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Relative to the root module's directory.
    #[serde(rename = "Dir")]
    pub dir: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    #[serde(rename = "Modules")]
    modules: Vec<ManifestEntry>,
}

/// Resolves module sources for one configuration directory.
pub struct Installer {
    root: PathBuf,
    /// Re-resolve and re-fetch even what the manifest has (`init -upgrade`).
    upgrade: bool,
    manifest: RefCell<Manifest>,
    fetcher: RefCell<Option<fetch::Fetcher>>,
    /// Calls installed by this run, for `init`'s report.
    pub installed: RefCell<Vec<ManifestEntry>>,
}

impl Installer {
    pub fn new(root: &Path, upgrade: bool) -> Installer {
        let manifest =
            std::fs::read_to_string(root.join(".terraform/modules/modules.json")).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        Installer { root: root.to_path_buf(), upgrade, manifest: RefCell::new(manifest), fetcher: RefCell::new(None), installed: RefCell::new(Vec::new()) }
    }

    /// The directory of the module called at `key` (`"vpc"`, `"app.net"`) from a module in
    /// `parent_dir`. The error says what failed, for a diagnostic naming the call.
    pub fn resolve(&self, key: &str, raw: &str, version: Option<&str>, parent_dir: &Path) -> Result<PathBuf, String> {
        let source = Source::parse(raw)?;
        if let Source::Local(p) = &source {
            if version.is_some() {
                return Err("a local module source cannot have a version constraint".into());
            }
            return Ok(parent_dir.join(p));
        }
        if version.is_some() && !matches!(source, Source::Registry { .. }) {
            return Err("only module registry sources can have a version constraint".into());
        }
        if !self.upgrade {
            if let Some(dir) = self.cached(key, raw, version) {
                return Ok(dir);
            }
        }
        let dest_rel = format!(".terraform/modules/{key}");
        let dest = self.root.join(&dest_rel);
        if dest.exists() {
            std::fs::remove_dir_all(&dest).map_err(|e| format!("cannot clear {}: {e}", dest.display()))?;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let mut fetcher = self.fetcher.borrow_mut();
        if fetcher.is_none() {
            *fetcher = Some(fetch::Fetcher::new()?);
        }
        let f = fetcher.as_ref().ok_or("no fetcher")?;
        let (package, resolved_version) = match &source {
            Source::Registry { host, namespace, name, provider, .. } => {
                let (v, real) = f.resolve_registry(host, &format!("{namespace}/{name}/{provider}"), version)?;
                (Source::parse(&real)?, Some(v.to_string()))
            }
            other => (other.clone(), None),
        };
        f.fetch(&package, &dest)?;
        // The package's own `//sub` (from X-Terraform-Get), then the address's.
        let mut dir_rel = dest_rel.clone();
        let subdirs = if matches!(source, Source::Registry { .. }) { [package.subdir(), source.subdir()] } else { [package.subdir(), None] };
        for sub in subdirs.into_iter().flatten() {
            dir_rel = format!("{dir_rel}/{sub}");
        }
        if !self.root.join(&dir_rel).is_dir() {
            return Err(format!("the package has no directory \"{}\"", dir_rel.trim_start_matches(&dest_rel).trim_start_matches('/')));
        }
        let entry = ManifestEntry { key: key.to_string(), source: raw.to_string(), version: resolved_version, dir: dir_rel.clone() };
        self.record(entry.clone())?;
        self.installed.borrow_mut().push(entry);
        Ok(self.root.join(dir_rel))
    }

    /// The installed directory when the manifest has this call with the same source, a version
    /// the constraint still allows, and the directory is there.
    fn cached(&self, key: &str, raw: &str, version: Option<&str>) -> Option<PathBuf> {
        let m = self.manifest.borrow();
        let e = m.modules.iter().find(|e| e.key == key && e.source == raw)?;
        if let Some(c) = version {
            let allowed = version::Constraints::parse(c).ok()?;
            if !allowed.allows(&version::Version::parse(e.version.as_deref()?)?) {
                return None;
            }
        }
        let dir = self.root.join(&e.dir);
        dir.is_dir().then_some(dir)
    }

    fn record(&self, entry: ManifestEntry) -> Result<(), String> {
        let mut m = self.manifest.borrow_mut();
        m.modules.retain(|e| e.key != entry.key);
        m.modules.push(entry);
        if !m.modules.iter().any(|e| e.key.is_empty()) {
            m.modules.push(ManifestEntry { key: String::new(), source: String::new(), version: None, dir: ".".into() });
        }
        m.modules.sort_by(|a, b| a.key.cmp(&b.key));
        let path = self.root.join(".terraform/modules/modules.json");
        let text = serde_json::to_string(&*m).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}
