//! Loads a module directory: finds and reads every `*.tf` file (names, UTF-8), parses each and
//! hands its blocks to [`super::decode`], and loads child modules recursively (local paths, and
//! registry/git sources through the installer). Also reads the root module's `backend` and
//! `encryption` blocks alone, for commands that touch only state.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::decode::{decode_file, decode_terraform};
use crate::config::model::*;
use crate::diag::{Diagnostic, Diagnostics};
use crate::modules::Installer;
use crate::syntax::{parse_file, Block};

/// The text of every loaded file, by the name diagnostics use, for rendering source snippets.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub files: BTreeMap<Arc<str>, Arc<str>>,
}

impl Sources {
    pub fn get(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(|s| &**s)
    }
}

/// Loads the configuration rooted at `dir`, installing any remote module that is not installed
/// yet. File names in diagnostics are relative to `dir`.
pub fn load_config(dir: &Path) -> Result<(Config, Sources), (Diagnostics, Sources)> {
    load_config_with(dir, &Installer::new(dir, false))
}

/// Loads the configuration with a given module installer (`init -upgrade` re-resolves).
pub fn load_config_with(dir: &Path, installer: &Installer) -> Result<(Config, Sources), (Diagnostics, Sources)> {
    load_config_for(dir, installer, false)
}

/// Loads the configuration; `generating`: import blocks may target resources no block declares
/// (`plan -generate-config-out` writes their configuration).
pub fn load_config_for(dir: &Path, installer: &Installer, generating: bool) -> Result<(Config, Sources), (Diagnostics, Sources)> {
    let mut sources = Sources::default();
    let mut diags = Diagnostics::new();
    let at = Loader { root: dir, installer };
    let root = load_module(&at, "", dir, &mut sources, &mut diags, 0);
    for imp in &root.imports {
        let Ok(addr) = crate::addr::ResourceInstanceAddr::parse(&imp.to) else { continue };
        let declared = super::model::module_at(&root, &addr.resource.module).is_some_and(|m| m.resources.contains_key(&addr.resource.local()));
        if !declared && !generating {
            diags.push(
                Diagnostic::error(
                    "Configuration for import target does not exist",
                    format!("The configuration for the given import target {} does not exist. Add a resource block for it, or let plan -generate-config-out=FILE write one.", imp.to),
                )
                .at(Some(&imp.range)),
            );
        }
    }
    // A module used by several calls is loaded once per call: report each problem once.
    let diags = diags.merge_repeated(|file| super::model::calls_loading(&root, file));
    if diags.has_errors() {
        return Err((diags, sources));
    }
    Ok((Config { root, workspace: "default".into() }, sources))
}

/// Reads only the root module's `backend` block (commands that open the state without
/// evaluating the configuration: `state`, `output`, `show`, `workspace`).
pub fn load_backend(dir: &Path) -> Result<Option<BackendBlock>, (Diagnostics, Sources)> {
    load_state_settings(dir).map(|(backend, _)| backend)
}

/// The root module's `backend` and `encryption` blocks, read without the rest of the
/// configuration (commands that only touch state).
pub fn load_state_settings(dir: &Path) -> Result<(Option<BackendBlock>, Option<Block>), (Diagnostics, Sources)> {
    let mut sources = Sources::default();
    let mut diags = Diagnostics::new();
    let mut module = Module::default();
    for (name, text) in module_files(dir, dir, &mut diags) {
        sources.files.insert(Arc::from(name.as_str()), Arc::from(text.as_str()));
        match parse_file(&name, &text) {
            Ok(body) => body.blocks.iter().filter(|b| b.kind == "terraform").for_each(|b| decode_terraform(&mut module, b, &mut diags)),
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        return Err((diags, sources));
    }
    Ok((module.backend, module.encryption))
}

/// The `.tf` files of a module directory, in name order, as (display name, text).
fn module_files(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "tf") && p.is_file()).collect(),
        Err(e) => {
            diags.push(Diagnostic::error("Failed to read module directory", format!("Could not read {}: {e}.", dir.display())));
            return Vec::new();
        }
    };
    files.sort();
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let name = display_name(root, &path);
        match std::fs::read(&path).map(String::from_utf8) {
            Ok(Ok(t)) => out.push((name, t)),
            Ok(Err(e)) => diags.push(invalid_utf8(&name, e.as_bytes(), e.utf8_error().valid_up_to())),
            Err(e) => diags.push(Diagnostic::error("Failed to read file", format!("Could not read {name}: {e}."))),
        }
    }
    out
}

/// A file that is not UTF-8, located at its first invalid byte (as Terraform reports it).
pub(crate) fn invalid_utf8(name: &str, bytes: &[u8], at: usize) -> Diagnostic {
    let before = &bytes[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    let range = crate::diag::SourceRange { file: Arc::from(name), line, col, start: at, end: at + 1 };
    Diagnostic::error(
        "Invalid character encoding",
        format!("{name} is not valid UTF-8 at line {line}, column {col} (byte {at}): all configuration files must be UTF-8 encoded. Check the encoding your editor saves with."),
    )
    .at(Some(&range))
}

fn display_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().into_owned()
}

/// What every module of one load shares: the root directory and the module installer.
pub(super) struct Loader<'a> {
    root: &'a Path,
    pub(super) installer: &'a Installer,
}

/// Loads the module in `dir`, called at `key` (`""` for the root, `"app.net"` for a nested call).
pub(super) fn load_module(at: &Loader<'_>, key: &str, dir: &Path, sources: &mut Sources, diags: &mut Diagnostics, depth: usize) -> Module {
    let root = at.root;
    let mut module = Module { dir: dir.to_path_buf(), ..Module::default() };
    for (name, text) in module_files(root, dir, diags) {
        sources.files.insert(Arc::from(name.as_str()), Arc::from(text.as_str()));
        match parse_file(&name, &text) {
            Ok(body) => decode_file(at, key, &mut module, body, sources, diags, depth),
            Err(d) => diags.push(d),
        }
    }
    if let Some(b) = module.backend.as_ref().filter(|_| !key.is_empty()) {
        diags.push(
            Diagnostic::warning(
                "Backend configuration ignored",
                "Any selected backend applies to the entire configuration, so only the root module's backend block is used; this one is ignored.",
            )
            .at(Some(&b.range)),
        );
    }
    if let Some(b) = module.encryption.as_ref().filter(|_| !key.is_empty()) {
        diags.push(
            Diagnostic::warning(
                "Encryption configuration ignored",
                "State and plan encryption applies to the entire configuration, so only the root module's encryption block is used; this one is ignored.",
            )
            .at(Some(&b.range)),
        );
    }
    module
}

pub use super::decode::traversal_text;
