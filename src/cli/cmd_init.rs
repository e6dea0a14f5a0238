//! `skyform init`: installs the configuration's remote modules (`-upgrade`: newest allowed
//! versions) into `.terraform/modules`, configures the backend (`-backend-config`, saved in
//! `.terraform/skyform-backend.json`; `-reconfigure`; `-migrate-state` copies every workspace
//! from the backend configured before) and opens the selected workspace's state. Drivers are
//! compiled in, so there are no providers to install, and plan and apply install missing
//! modules themselves.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use clap::Args;

use super::common::{CliError, CliResult, StateFlags};
use crate::config::model::BackendBlock;
use crate::state::backends::{BackendConfig, SavedBackend};
use crate::state::encryption::Cipher;
use crate::state::{LockInfo, StateStore};
use crate::value::Value;

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub state: StateFlags,
    /// Accepted for compatibility.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub input: bool,
    #[arg(long)]
    pub no_color: bool,
    /// Re-resolve every module to the newest version its constraint allows.
    #[arg(long)]
    pub upgrade: bool,
    /// A backend argument (KEY=VALUE) or a file of them, added to the backend block. May be
    /// repeated.
    #[arg(long = "backend-config", value_name = "KEY=VALUE|FILE")]
    pub backend_config: Vec<String>,
    /// Use the backend configuration as it is now, without copying state from the backend
    /// configured before.
    #[arg(long)]
    pub reconfigure: bool,
    /// Copy every workspace's state from the backend configured before to the new one.
    #[arg(long)]
    pub migrate_state: bool,
    /// With -migrate-state: copy even where the destination already holds a different state.
    #[arg(long)]
    pub force_copy: bool,
}

pub fn cmd_init(a: InitArgs) -> CliResult {
    let dir = std::env::current_dir().map_err(|e| super::common::CliError::plain("Cannot read the working directory", e))?;
    let has_tf = std::fs::read_dir(&dir).map(|rd| rd.filter_map(|e| e.ok()).any(|e| e.path().extension().is_some_and(|x| x == "tf"))).unwrap_or(false);
    if has_tf {
        println!("Initializing modules...");
        let installer = crate::modules::Installer::new(&dir, a.upgrade);
        let colors = crate::view::Colors::new(!a.no_color && std::io::IsTerminal::is_terminal(&std::io::stderr()));
        let loaded = super::common::Workspace::load_with(colors, &installer);
        for e in installer.installed.borrow().iter() {
            match &e.version {
                Some(v) => println!("Downloading {} {v} for {}...", e.source, e.key),
                None => println!("Downloading {} for {}...", e.source, e.key),
            }
            println!("- {} in {}", e.key, e.dir);
        }
        loaded?;
        println!();
    }
    let (block, encryption) = if has_tf {
        let colors = crate::view::Colors::new(false);
        crate::config::load::load_state_settings(&dir).map_err(|(d, sources)| CliError::diags(&d, &sources, colors))?
    } else {
        (None, None)
    };
    let cipher = super::common::encryption_of(encryption.as_ref())?.and_then(|e| e.state);
    let store = configure_backend(&dir, &a, block.as_ref(), cipher)?;
    println!("The state is in {}.", store.describe());
    // Coming from Terraform: copy its local terraform.tfstate into the (empty) skyform state.
    super::migrate::init_from_terraform(&dir, &store, &a.state, a.migrate_state, a.force_copy, a.input)?;
    let registry = crate::provider::Registry::builtin();
    let (names, out): (Vec<&str>, Vec<&str>) = registry.names().copied().partition(|n| crate::provider::registry::compiled_out(n).is_none());
    println!("Providers are built in: {}.", names.join(", "));
    if !out.is_empty() {
        println!("Left out of this build (their cargo features are off; known from their schemas only): {}.", out.join(", "));
    }
    println!();
    println!("skyform has been successfully initialized!");
    Ok(0)
}

/// Configures the backend the configuration (and `-backend-config`) asks for, copying state
/// from the one configured before when asked to, and opens the selected workspace.
fn configure_backend(dir: &Path, a: &InitArgs, block: Option<&BackendBlock>, cipher: Option<Arc<Cipher>>) -> Result<StateStore, CliError> {
    if a.reconfigure && a.migrate_state {
        return Err(CliError::plain("Invalid init options", "The -migrate-state and -reconfigure options are mutually exclusive."));
    }
    let extra = backend_config_args(&a.backend_config)?;
    let colors = crate::view::Colors::new(false);
    let new = BackendConfig::resolve(block, &extra).map_err(|d| CliError::diags(&d, &crate::config::Sources::default(), colors))?;
    println!("Initializing the backend...");
    let saved = SavedBackend::read(dir).map_err(|e| CliError::plain("Failed to read the saved backend configuration", e))?;
    let previous = match &saved {
        Some(s) => BackendConfig::from_saved(s).map_err(|d| CliError::diags(&d, &crate::config::Sources::default(), colors))?,
        None => BackendConfig::default(),
    };
    let now = SavedBackend::of(block, &extra);
    let changed = previous != new;
    if changed && !a.reconfigure {
        let has_state = previous
            .workspaces()
            .unwrap_or_default()
            .iter()
            .any(|w| previous.exists(w) && previous.open_with(w, cipher.clone()).and_then(|s| s.load()).is_ok_and(|st| !st.is_empty()));
        if has_state && !a.migrate_state {
            return Err(CliError::plain(
                "Backend configuration changed",
                format!(
                    "State exists in the {} backend configured before ({}), and the configuration now asks for the {} backend ({}). Run `skyform init -migrate-state` to copy every workspace's state to it, or `skyform init -reconfigure` to start using it without copying.",
                    previous.kind(),
                    previous.describe("default"),
                    new.kind(),
                    new.describe("default")
                ),
            ));
        }
        if has_state {
            migrate(&previous, &new, a.force_copy, &cipher)?;
        }
    }
    if saved.as_ref() != Some(&now) {
        if block.is_none() && extra.is_empty() {
            let _ = std::fs::remove_file(dir.join(".terraform/skyform-backend.json"));
        } else {
            now.write(dir).map_err(|e| CliError::plain("Failed to save the backend configuration", e))?;
        }
    }
    if block.is_some() {
        println!(
            "Successfully configured the backend \"{}\"! skyform will automatically use this backend unless the backend configuration changes.",
            new.kind()
        );
    }
    let workspace = crate::state::backends::selected_workspace(dir);
    new.open_with(&workspace, cipher).map_err(|e| CliError::plain("Failed to open the state", e))
}

/// Copies every workspace from one backend to another, each under both backends' locks.
fn migrate(from: &BackendConfig, to: &BackendConfig, force: bool, cipher: &Option<Arc<Cipher>>) -> Result<(), CliError> {
    let fail = |e: crate::state::StateError| CliError::plain("Failed to migrate the state", e);
    for w in from.workspaces().map_err(fail)? {
        // A workspace both backends keep in the same place (local backends that differ only in
        // `path` share the workspace directory) needs no copy.
        if !from.exists(&w) || from.describe(&w) == to.describe(&w) {
            continue;
        }
        let source = from.open_with(&w, cipher.clone()).map_err(fail)?;
        let src_lock = source.acquire_lock("migrate", std::time::Duration::ZERO).map_err(fail)?;
        let result = (|| {
            let state = source.load().map_err(fail)?;
            if state.is_empty() {
                return Ok(());
            }
            let dest = to.open_with(&w, cipher.clone()).map_err(fail)?;
            let lock: LockInfo = dest.acquire_lock("migrate", std::time::Duration::ZERO).map_err(fail)?;
            let r = (|| {
                let existing = dest.load().map_err(fail)?;
                if !existing.is_empty() && existing.lineage != state.lineage && !force {
                    return Err(CliError::plain(
                        "Failed to migrate the state",
                        format!(
                            "Workspace \"{w}\" already has a different state in {} (lineage {}, {} resources). Use -force-copy to overwrite it with the state from {}.",
                            to.describe(&w),
                            existing.lineage,
                            existing.resources.len(),
                            from.describe(&w)
                        ),
                    ));
                }
                dest.replace_state(&state).map_err(fail)?;
                // The audit history comes along, oldest first, after what the destination had
                // (entries it has already, from an earlier migration, are not repeated).
                let had: std::collections::HashSet<(String, String, String)> =
                    dest.history(usize::MAX).map_err(fail)?.into_iter().map(|e| (e.started_at, e.finished_at, e.command)).collect();
                for entry in source.history(usize::MAX).map_err(fail)?.into_iter().rev() {
                    if !had.contains(&(entry.started_at.clone(), entry.finished_at.clone(), entry.command.clone())) {
                        dest.record_history(&entry).map_err(fail)?;
                    }
                }
                println!(
                    "Copied workspace \"{w}\" ({} resources, serial {}) from {} to {}.",
                    state.resources.len(),
                    state.serial,
                    from.describe(&w),
                    to.describe(&w)
                );
                Ok(())
            })();
            let _ = dest.release_lock(&lock.id);
            r
        })();
        let _ = source.release_lock(&src_lock.id);
        result?;
    }
    Ok(())
}

/// `-backend-config` values: `KEY=VALUE` pairs (`true`/`false` are booleans, everything else
/// a string) and files of `key = value` lines in HCL.
fn backend_config_args(args: &[String]) -> Result<BTreeMap<String, Value>, CliError> {
    let mut out = BTreeMap::new();
    for arg in args {
        if let Some((k, v)) = arg.split_once('=').filter(|(k, _)| !k.is_empty() && !k.contains('/') && !k.contains('.')) {
            let value = match v {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(v.to_string()),
            };
            out.insert(k.trim().to_string(), value);
            continue;
        }
        let text = std::fs::read_to_string(arg)
            .map_err(|e| CliError::plain("Failed to read the backend configuration file", format!("-backend-config={arg}: {e}")))?;
        let body = crate::syntax::parse_file(arg, &text).map_err(|d| CliError::plain("Invalid backend configuration file", d.to_string()))?;
        for attr in &body.attributes {
            let v = crate::eval::eval_literal(&attr.expr)
                .map_err(|e| CliError::plain("Invalid backend configuration file", format!("{}: {}: {}", attr.range, e.summary, e.detail)))?;
            out.insert(attr.name.clone(), v);
        }
        if let Some(b) = body.blocks.first() {
            return Err(CliError::plain(
                "Invalid backend configuration file",
                format!("{}: only arguments (key = value) may be set in a backend configuration file, not a \"{}\" block.", b.range, b.kind),
            ));
        }
    }
    Ok(out)
}
