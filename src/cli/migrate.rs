//! Coming from Terraform: a working directory with Terraform's local state (`terraform.tfstate`)
//! and no skyform state yet. `skyform init -migrate-state` (or answering "yes" at `init`)
//! copies it into skyform's state, keeping its lineage and serial, and renames the file to
//! `terraform.tfstate.migrated-to-skyform` so it is not imported twice and a Terraform user sees
//! where it went (`terraform.tfstate.backup` is left alone). Until then `plan` and `apply`
//! refuse to run ([`check_unmigrated`]): planning against the empty skyform state would create
//! every resource a second time.

use std::path::{Path, PathBuf};

use super::common::{command_line, record_history, CliError, HistoryResult, LockGuard, StateFlags};
use crate::state::{State, StateStore};

/// Terraform's local state file.
pub const TERRAFORM_STATE: &str = "terraform.tfstate";
/// What the file is renamed to once copied.
pub const MIGRATED_STATE: &str = "terraform.tfstate.migrated-to-skyform";

/// Terraform's state in `dir`, when there is one with something in it (a state Terraform left
/// empty, after `terraform destroy`, is nothing to migrate).
fn terraform_state(dir: &Path) -> Result<Option<(PathBuf, State)>, CliError> {
    let path = dir.join(TERRAFORM_STATE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError::plain("Failed to read the Terraform state", format!("{}: {e}", path.display()))),
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    let state =
        crate::state::tfstate::parse_tfstate(&text).map_err(|e| CliError::plain("Failed to read the Terraform state", format!("{}: {e}", path.display())))?;
    Ok((!state.is_empty()).then_some((path, state)))
}

fn load(store: &StateStore) -> Result<State, CliError> {
    store.load().map_err(|e| CliError::plain("Failed to load the state", e))
}

/// Errors when `dir` holds a Terraform state that was not copied to skyform and skyform's state
/// is still empty: `plan` and `apply` would otherwise plan to create everything again.
pub fn check_unmigrated(dir: &Path, store: &StateStore) -> Result<(), CliError> {
    let Some((path, tf)) = terraform_state(dir)? else { return Ok(()) };
    if !load(store)?.is_fresh() {
        return Ok(());
    }
    Err(CliError::plain(
        "Terraform state not migrated",
        format!(
            "{} holds Terraform's state ({} resource instances, serial {}) and skyform's state in {} is empty: planning now would create every resource again. Run `skyform init -migrate-state` to copy the Terraform state to skyform first (the file is then renamed to {MIGRATED_STATE}), or move {TERRAFORM_STATE} away to start from an empty state.",
            path.display(),
            tf.resources.len(),
            tf.serial,
            store.describe()
        ),
    ))
}

/// Copies the Terraform state in `dir` into `store`, under the lock, keeping its lineage and
/// serial, then renames the file. `force`: even when skyform's state is not empty (it is
/// replaced). Returns how many resource instances were copied (None: no Terraform state).
pub fn migrate_terraform_state(dir: &Path, store: &StateStore, flags: &StateFlags, force: bool) -> Result<Option<usize>, CliError> {
    let Some((path, mut tf)) = terraform_state(dir)? else { return Ok(None) };
    let _lock = LockGuard::acquire(store, flags, "migrate")?;
    let existing = load(store)?;
    if !existing.is_fresh() && !force {
        return Err(CliError::plain(
            "Failed to migrate the Terraform state",
            format!(
                "skyform's state in {} is not empty (serial {}, {} resource instances), so {} was not copied over it. Use -force-copy to replace skyform's state with it, or move {TERRAFORM_STATE} away to keep skyform's.",
                store.describe(),
                existing.serial,
                existing.resources.len(),
                path.display()
            ),
        ));
    }
    let started = chrono::Utc::now().to_rfc3339();
    tf.stamp_times();
    store.replace_state(&tf).map_err(|e| CliError::plain("Failed to write the state", e))?;
    let renamed = dir.join(MIGRATED_STATE);
    std::fs::rename(&path, &renamed).map_err(|e| {
        CliError::plain(
            "Failed to rename the Terraform state",
            format!("The state was copied to skyform, but {} could not be renamed to {}: {e}. Rename or remove it by hand.", path.display(), renamed.display()),
        )
    })?;
    let n = tf.resources.len();
    record_history(store, &command_line(), &started, (0, 0, 0), HistoryResult::Success, &format!("{n} resource instances copied from {TERRAFORM_STATE}"));
    Ok(Some(n))
}

/// `skyform init`'s part: with a Terraform state to copy, copies it (`-migrate-state`), asks
/// (a terminal, `-input=true`) or fails telling how (no terminal or `-input=false`, as Terraform
/// does when it needs an answer it cannot ask for).
pub fn init_from_terraform(dir: &Path, store: &StateStore, flags: &StateFlags, migrate_state: bool, force_copy: bool, input: bool) -> Result<(), CliError> {
    let Some((path, tf)) = terraform_state(dir)? else { return Ok(()) };
    let existing = load(store)?;
    let replacing = migrate_state && force_copy;
    if !existing.is_fresh() && !replacing {
        if migrate_state {
            // Refused with the reason and the way out.
            migrate_terraform_state(dir, store, flags, false)?;
        }
        eprintln!(
            "Warning: {} holds a Terraform state, but skyform's state is not empty: it was not copied. Run `skyform init -migrate-state -force-copy` to replace skyform's state with it, or move {TERRAFORM_STATE} away.\n",
            path.display()
        );
        return Ok(());
    }
    let question = format!(
        "Found Terraform's state in {} ({} resource instances, serial {}).\n  Do you want to copy existing state to skyform?\n  Enter \"yes\" to copy it to {} ({} is then renamed to {MIGRATED_STATE}).",
        path.display(),
        tf.resources.len(),
        tf.serial,
        store.describe(),
        TERRAFORM_STATE
    );
    if !migrate_state {
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stdin());
        if !input || !terminal {
            return Err(CliError::plain(
                "Terraform state found: migration requires an answer",
                format!(
                    "{} holds Terraform's state ({} resource instances) and skyform's state is empty. skyform cannot ask whether to copy it without an interactive terminal{}. Run `skyform init -migrate-state` to copy it to skyform, or move {TERRAFORM_STATE} away to start from an empty state.",
                    path.display(),
                    tf.resources.len(),
                    if input { "" } else { " (-input=false)" }
                ),
            ));
        }
        use std::io::{BufRead, Write};
        print!("{question}\n\n  Enter a value: ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        println!();
        if line.trim() != "yes" {
            println!("The Terraform state was not copied. `skyform plan` and `apply` refuse to run while {TERRAFORM_STATE} is here and skyform's state is empty: run `skyform init -migrate-state` later, or move the file away to start from an empty state.\n");
            return Ok(());
        }
    }
    if let Some(n) = migrate_terraform_state(dir, store, flags, force_copy)? {
        println!(
            "Copied {n} resource instances (lineage {}, serial {}) from {} to {}; renamed the file to {MIGRATED_STATE}.\n",
            tf.lineage,
            tf.serial,
            path.display(),
            store.describe()
        );
    }
    Ok(())
}
