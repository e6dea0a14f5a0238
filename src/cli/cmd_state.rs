//! `skyform state list|show|rm|mv` and `skyform force-unlock`.

use clap::{Args, Subcommand};

use super::common::{command_line, open_store, record_history, CliError, CliResult, HistoryResult, LockGuard, StateFlags};
use crate::view::values::render;

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// List resource instances in the state.
    List(StateListArgs),
    /// Show one resource instance.
    Show(StateAddrArgs),
    /// Forget resource instances (the real objects are left alone).
    Rm(StateRmArgs),
    /// Move a resource instance to another address.
    Mv(StateMvArgs),
}

#[derive(Args, Debug)]
pub struct StateListArgs {
    /// Only addresses starting with these.
    pub addresses: Vec<String>,
    #[command(flatten)]
    pub state: StateFlags,
}

#[derive(Args, Debug)]
pub struct StateAddrArgs {
    pub address: String,
    #[command(flatten)]
    pub state: StateFlags,
}

#[derive(Args, Debug)]
pub struct StateRmArgs {
    #[arg(required = true)]
    pub addresses: Vec<String>,
    #[command(flatten)]
    pub state: StateFlags,
}

#[derive(Args, Debug)]
pub struct StateMvArgs {
    pub from: String,
    pub to: String,
    #[command(flatten)]
    pub state: StateFlags,
}

#[derive(Args, Debug)]
pub struct ForceUnlockArgs {
    /// The lock ID printed by the failed command.
    pub lock_id: String,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub state: StateFlags,
}

fn matches(addr: &str, filter: &str) -> bool {
    addr == filter || addr.starts_with(&format!("{filter}[")) || addr.starts_with(&format!("{filter}."))
}

pub fn cmd_state(c: StateCommand) -> CliResult {
    match c {
        StateCommand::List(a) => {
            if !a.state.state.exists() {
                return Ok(0);
            }
            let state = open_store(&a.state.state)?.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
            for addr in state.resources.keys() {
                if a.addresses.is_empty() || a.addresses.iter().any(|f| matches(addr, f)) {
                    println!("{addr}");
                }
            }
            Ok(0)
        }
        StateCommand::Show(a) => {
            let state = open_store(&a.state.state)?.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
            let Some(r) = state.resources.get(&a.address) else {
                return Err(CliError::plain("No instance found for the given address", format!("No resource instance {} is in the state.", a.address)));
            };
            println!("# {}:", r.address);
            let kind = if r.mode == "data" { "data" } else { "resource" };
            println!("{kind} \"{}\" \"{}\" {{", r.type_name, r.name);
            if let crate::value::Value::Map(m) = r.marked_attributes() {
                let shown: Vec<_> = m.iter().filter(|(_, v)| !v.is_null()).collect();
                let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
                for (k, v) in shown {
                    println!("    {k:width$} = {}", render(v, 4));
                }
            }
            println!("}}");
            Ok(0)
        }
        StateCommand::Rm(a) => {
            let store = open_store(&a.state.state)?;
            let _lock = LockGuard::acquire(&store, &a.state, "state rm")?;
            let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
            // Every address must match before anything is removed: no partial writes.
            let mut hits: Vec<&String> = Vec::new();
            for f in &a.addresses {
                let found: Vec<&String> = state.resources.keys().filter(|k| matches(k, f)).collect();
                if found.is_empty() {
                    return Err(CliError::plain(
                        "Invalid target address",
                        format!("No matching objects found for {f}. To view the available instances, use \"skyform state list\"."),
                    ));
                }
                hits.extend(found);
            }
            hits.sort();
            hits.dedup();
            let started = chrono::Utc::now().to_rfc3339();
            for h in &hits {
                store.remove_resource(h).map_err(|e| CliError::plain("Failed to write state", e))?;
                println!("Removed {h}");
            }
            println!("Successfully removed {} resource instance(s).", hits.len());
            record_history(&store, &command_line(), &started, (0, 0, 0), HistoryResult::Success, &format!("{} removed from state", hits.len()));
            Ok(0)
        }
        StateCommand::Mv(a) => {
            let store = open_store(&a.state.state)?;
            let _lock = LockGuard::acquire(&store, &a.state, "state mv")?;
            let from = crate::addr::ObjectAddr::parse(&a.from).map_err(|e| CliError::plain("Invalid source address", e))?;
            let to = crate::addr::ObjectAddr::parse(&a.to).map_err(|e| CliError::plain("Invalid target address", e))?;
            if matches!(from, crate::addr::ObjectAddr::Module(_)) != matches!(to, crate::addr::ObjectAddr::Module(_)) {
                return Err(CliError::plain("Invalid state move", format!("Cannot move {} to {}: both must be modules or both resources.", a.from, a.to)));
            }
            let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
            // A module or a resource named without a key moves every instance under it.
            let moves: Vec<(String, String)> = state
                .resources
                .keys()
                .filter_map(|k| {
                    let addr = crate::addr::ResourceInstanceAddr::parse(k).ok()?;
                    let new = from.relocate(&to, &addr)?;
                    Some((k.clone(), new.to_string()))
                })
                .collect();
            if moves.is_empty() {
                return Err(CliError::plain("Invalid source address", format!("Cannot move {}: does not match anything in the current state.", a.from)));
            }
            let started = chrono::Utc::now().to_rfc3339();
            store.move_resources(&moves).map_err(|e| CliError::plain("Failed to move", e))?;
            record_history(&store, &command_line(), &started, (0, 0, 0), HistoryResult::Success, &format!("moved {} to {}", a.from, a.to));
            for (f, t) in &moves {
                println!("Move \"{f}\" to \"{t}\"");
            }
            println!("Successfully moved {} object(s).", moves.len());
            Ok(0)
        }
    }
}

/// `taint ADDR` / `untaint ADDR`: sets or clears the mark that makes the next plan replace the
/// object.
pub fn cmd_taint(a: StateAddrArgs, tainted: bool) -> CliResult {
    let verb = if tainted { "taint" } else { "untaint" };
    let store = open_store(&a.state.state)?;
    let _lock = LockGuard::acquire(&store, &a.state, verb)?;
    let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
    match state.resources.get(&a.address) {
        None => {
            return Err(CliError::plain(
                "No such resource instance",
                format!("There is no resource instance in the state with the address {}. If the resource configuration has just been added, you must run \"skyform apply\" once to create the corresponding instance(s) before they can be tainted.", a.address),
            ))
        }
        Some(r) if r.mode == "data" => return Err(CliError::plain("Invalid address", format!("{} is a data source: only managed resources can be tainted.", a.address))),
        Some(r) if !tainted && !r.tainted => {
            return Err(CliError::plain("Resource instance not tainted", format!("Resource instance {} is not currently tainted, and so it cannot be untainted.", a.address)))
        }
        Some(_) => {}
    }
    let started = chrono::Utc::now().to_rfc3339();
    store.set_tainted(&a.address, tainted).map_err(|e| CliError::plain("Failed to write state", e))?;
    record_history(&store, &command_line(), &started, (0, 0, 0), HistoryResult::Success, &format!("{verb} {}", a.address));
    if tainted {
        println!("Resource instance {} has been marked as tainted.", a.address);
    } else {
        println!("Resource instance {} has been successfully untainted.", a.address);
    }
    Ok(0)
}

pub fn cmd_force_unlock(a: ForceUnlockArgs) -> CliResult {
    let store = open_store(&a.state.state)?;
    let started = chrono::Utc::now().to_rfc3339();
    if let Some((h, true)) = store.current_lock().map_err(|e| CliError::plain("Failed to read the lock", e))? {
        if h.id == a.lock_id {
            return Err(CliError::plain(
                "Lock is held by a running process",
                format!(
                    "Lock {} is held by {}@{} (pid {}, {} since {}), which is still running on this host: unlocking would let a second command write the same state. Wait for it to finish, or stop it first.",
                    h.id, h.who, h.host, h.pid, h.operation, h.created
                ),
            ));
        }
    }
    if !a.force {
        use std::io::{BufRead, Write};
        print!("Do you really want to force-unlock?\n  skyform will remove the lock on the state.\n  This will allow local skyform commands to modify this state, even though it\n  may still be in use. Only 'yes' will be accepted to confirm.\n\n  Enter a value: ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if line.trim() != "yes" {
            return Err(CliError::new("\nforce-unlock cancelled.\n"));
        }
        println!();
    }
    store.force_unlock(&a.lock_id).map_err(|e| CliError::plain("Failed to unlock state", e))?;
    record_history(&store, &command_line(), &started, (0, 0, 0), HistoryResult::Success, &format!("lock {} released", a.lock_id));
    println!("skyform state has been successfully unlocked!\n\nThe state has been unlocked, and skyform commands should now be able to obtain a new lock on the remote state.");
    Ok(0)
}
