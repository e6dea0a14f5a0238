//! `skyform workspace new|select|list|show|delete`: several states for one configuration, on
//! whichever backend is configured, selected for later commands in `.terraform/environment`
//! (or by `TF_WORKSPACE`), as Terraform does.

use clap::{Args, Subcommand};

use super::common::{CliError, CliResult, StateFlags};
use crate::state::backends::{select_workspace, selected_workspace, valid_workspace_name, BackendConfig};
use crate::state::encryption::Cipher;
use std::sync::Arc;

#[derive(Subcommand, Debug)]
pub enum WorkspaceCommand {
    /// Create a new workspace and select it.
    New(WorkspaceNameArgs),
    /// Select a workspace.
    Select(SelectArgs),
    /// List the workspaces; the selected one is marked with *.
    List(WorkspaceArgs),
    /// Show the name of the selected workspace.
    Show(WorkspaceArgs),
    /// Delete a workspace.
    Delete(DeleteArgs),
}

#[derive(Args, Debug)]
pub struct WorkspaceArgs {
    #[command(flatten)]
    pub state: StateFlags,
}

#[derive(Args, Debug)]
pub struct WorkspaceNameArgs {
    pub name: String,
    #[command(flatten)]
    pub state: StateFlags,
}

#[derive(Args, Debug)]
pub struct SelectArgs {
    pub name: String,
    /// Create the workspace if it does not exist.
    #[arg(long)]
    pub or_create: bool,
    #[command(flatten)]
    pub state: StateFlags,
}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    pub name: String,
    /// Delete even when the workspace's state still tracks resources (they are not destroyed).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub state: StateFlags,
}

fn dir() -> Result<std::path::PathBuf, CliError> {
    std::env::current_dir().map_err(|e| CliError::plain("Cannot read the working directory", e))
}

fn exists(config: &BackendConfig, name: &str) -> Result<bool, CliError> {
    Ok(config.workspaces().map_err(|e| CliError::plain("Failed to list the workspaces", e))?.iter().any(|w| w == name))
}

fn check_name(name: &str) -> Result<(), CliError> {
    if valid_workspace_name(name) {
        return Ok(());
    }
    Err(CliError::plain(
        "Invalid workspace name",
        format!("The workspace name {name:?} is not allowed. The name must contain only URL safe characters (letters, digits, '-', '_' and '.'), and no path separators."),
    ))
}

fn not_overridden() -> Result<(), CliError> {
    match std::env::var("TF_WORKSPACE") {
        Ok(w) if !w.is_empty() => Err(CliError::plain(
            "Workspace overridden",
            format!("The selected workspace is currently overridden using the TF_WORKSPACE environment variable (\"{w}\"). To select a new workspace, either update this environment variable or unset it and then run this command again."),
        )),
        _ => Ok(()),
    }
}

fn create(config: &BackendConfig, name: &str, cipher: Option<Arc<Cipher>>) -> Result<(), CliError> {
    // Written at once (an empty state), so that the workspace exists for other checkouts.
    let fail = |e| CliError::plain("Failed to create the workspace", e);
    let store = config.open_with(name, cipher).map_err(fail)?;
    store.replace_state(&store.load().map_err(fail)?).map_err(fail)
}

pub fn cmd_workspace(c: WorkspaceCommand) -> CliResult {
    let dir = dir()?;
    match c {
        WorkspaceCommand::New(a) => {
            not_overridden()?;
            check_name(&a.name)?;
            let (config, _, cipher) = a.state.settings()?;
            if exists(&config, &a.name)? {
                return Err(CliError::plain("Workspace already exists", format!("Workspace \"{}\" already exists.", a.name)));
            }
            create(&config, &a.name, cipher.clone())?;
            select_workspace(&dir, &a.name).map_err(|e| CliError::plain("Failed to select the workspace", e))?;
            println!("Created and switched to workspace \"{}\"!\n", a.name);
            println!("You're now on a new, empty workspace. Workspaces isolate their state,\nso if you run \"skyform plan\" skyform will not see any existing state\nfor this configuration.");
            Ok(0)
        }
        WorkspaceCommand::Select(a) => {
            not_overridden()?;
            check_name(&a.name)?;
            let (config, _, cipher) = a.state.settings()?;
            if !exists(&config, &a.name)? {
                if !a.or_create {
                    return Err(CliError::plain(
                        "Workspace doesn't exist",
                        format!("Workspace \"{}\" doesn't exist.\n\nYou can create this workspace with the \"new\" subcommand\nor include the \"-or-create\" flag with the \"select\" subcommand.", a.name),
                    ));
                }
                create(&config, &a.name, cipher.clone())?;
            }
            select_workspace(&dir, &a.name).map_err(|e| CliError::plain("Failed to select the workspace", e))?;
            println!("Switched to workspace \"{}\".", a.name);
            Ok(0)
        }
        WorkspaceCommand::List(a) => {
            let (config, current) = a.state.backend()?;
            for w in config.workspaces().map_err(|e| CliError::plain("Failed to list the workspaces", e))? {
                println!("{} {w}", if w == current { "*" } else { " " });
            }
            println!();
            Ok(0)
        }
        WorkspaceCommand::Show(_) => {
            println!("{}", selected_workspace(&dir));
            Ok(0)
        }
        WorkspaceCommand::Delete(a) => {
            let (config, current, cipher) = a.state.settings()?;
            if a.name == current {
                return Err(CliError::plain(
                    "Workspace is active",
                    format!("Workspace \"{}\" is your active workspace.\n\nYou cannot delete the currently active workspace. Please switch\nto another workspace and try again.", a.name),
                ));
            }
            if a.name == "default" {
                return Err(CliError::plain("Cannot delete the default workspace", "The \"default\" workspace always exists and cannot be deleted."));
            }
            if !exists(&config, &a.name)? {
                return Err(CliError::plain("Workspace doesn't exist", format!("Workspace \"{}\" doesn't exist.", a.name)));
            }
            let store = config.open_with(&a.name, cipher).map_err(|e| CliError::plain("Failed to open the workspace", e))?;
            let lock = store.acquire_lock("workspace delete", a.state.lock_timeout).map_err(|e| CliError::plain("Error acquiring the state lock", e))?;
            let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
            if !state.resources.is_empty() && !a.force {
                let _ = store.release_lock(&lock.id);
                let list: Vec<String> = state.resources.keys().map(|k| format!("  - {k}")).collect();
                return Err(CliError::plain(
                    "Workspace is not empty",
                    format!(
                        "Workspace \"{}\" is currently tracking the following resource instances:\n{}\n\nDeleting this workspace would cause skyform to lose track of any associated remote objects, which would then require you to delete them manually outside of skyform. You should destroy these objects with skyform before deleting the workspace.\n\nIf you want to delete this workspace anyway, and have skyform forget about these managed objects, use the -force option to disable this safety check.",
                        a.name,
                        list.join("\n")
                    ),
                ));
            }
            drop(store);
            config.delete_workspace(&a.name).map_err(|e| CliError::plain("Failed to delete the workspace", e))?;
            println!("Deleted workspace \"{}\"!", a.name);
            Ok(0)
        }
    }
}
