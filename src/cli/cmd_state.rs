//! `skyform state list|show|rm|mv|pull|push` and `skyform force-unlock`.

use clap::{Args, Subcommand};

use super::common::{command_line, record_history, CliError, CliResult, HistoryResult, LockGuard, StateFlags};
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
    /// Print the state in Terraform's state file format (version 4) to stdout.
    Pull(StatePullArgs),
    /// Replace the state with a Terraform state file (version 4); `-` reads stdin.
    Push(StatePushArgs),
}

#[derive(Args, Debug)]
pub struct StatePullArgs {
    #[command(flatten)]
    pub state: StateFlags,
}

#[derive(Args, Debug)]
pub struct StatePushArgs {
    /// The state file to push, or `-` for stdin.
    pub path: String,
    /// Push even when the lineage differs or the serial is lower than the current state's.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub state: StateFlags,
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
        StateCommand::Pull(a) => {
            let Some(store) = a.state.open_existing()? else {
                return Ok(0);
            };
            let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
            print!("{}", crate::state::tfstate::to_tfstate_string(&state, &crate::provider::Registry::builtin()));
            Ok(0)
        }
        StateCommand::Push(a) => cmd_state_push(a),
        StateCommand::List(a) => {
            let Some(store) = a.state.open_existing()? else {
                return Ok(0);
            };
            let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
            // Deposed objects are not instances: `state list` leaves them out, as Terraform's does.
            for addr in state.resources.keys().filter(|k| crate::state::split_deposed(k).1.is_none()) {
                if a.addresses.is_empty() || a.addresses.iter().any(|f| matches(addr, f)) {
                    println!("{addr}");
                }
            }
            Ok(0)
        }
        StateCommand::Show(a) => {
            let state = a.state.open()?.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
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
            let store = a.state.open()?;
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
            let store = a.state.open()?;
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

/// `state push`: as Terraform, a state of another lineage or an older serial is refused
/// unless `-force` (an empty current state may always be replaced). The pushed lineage and
/// serial are kept, except that a different state pushed at a serial not above the current one
/// gets the next serial, so a plan saved against the old state is refused.
fn cmd_state_push(a: StatePushArgs) -> CliResult {
    let text = if a.path == "-" {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut t).map_err(|e| CliError::plain("Failed to read the state from stdin", e))?;
        t
    } else {
        std::fs::read_to_string(&a.path).map_err(|e| CliError::plain("Failed to read the state file", format!("{}: {e}", a.path)))?
    };
    let mut pushed = crate::state::tfstate::parse_tfstate(&text).map_err(|e| CliError::plain("Failed to read the state file", e))?;
    let store = a.state.open()?;
    let _lock = LockGuard::acquire(&store, &a.state, "state push")?;
    let current = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
    let current_empty = current.is_empty();
    if !current_empty && !a.force {
        if pushed.lineage != current.lineage {
            return Err(CliError::plain(
                "Failed to write state",
                format!(
                    "cannot import state with lineage {:?} over unrelated state with lineage {:?}. Use -force to replace it anyway.",
                    pushed.lineage, current.lineage
                ),
            ));
        }
        if pushed.serial < current.serial {
            return Err(CliError::plain(
                "Failed to write state",
                format!("cannot import state with serial {} over newer state with serial {}. Use -force to replace it anyway.", pushed.serial, current.serial),
            ));
        }
    }
    // An unchanged object keeps the marks skyform gave it: a pulled state holds only the ones
    // Terraform would (skyform also marks what a provider derived from a sensitive input).
    for (k, r) in pushed.resources.iter_mut() {
        if let Some(old) = current.resources.get(k).filter(|o| o.attributes == r.attributes) {
            for p in &old.sensitive_paths {
                if !r.sensitive_paths.contains(p) {
                    r.sensitive_paths.push(p.clone());
                }
            }
        }
    }
    for r in pushed.resources.values_mut() {
        r.sensitive_paths.sort();
    }
    let same = |x: &crate::state::ResourceInstanceState, y: &crate::state::ResourceInstanceState| {
        let mut y_paths = y.sensitive_paths.clone();
        y_paths.sort();
        crate::state::ResourceInstanceState { created_at: String::new(), updated_at: String::new(), sensitive_paths: y_paths, ..y.clone() }
            == crate::state::ResourceInstanceState { created_at: String::new(), updated_at: String::new(), ..x.clone() }
    };
    let unchanged = pushed.outputs == current.outputs
        && pushed.resources.len() == current.resources.len()
        && pushed.resources.iter().all(|(k, r)| current.resources.get(k).is_some_and(|o| same(r, o)));
    if pushed.lineage == current.lineage && pushed.serial <= current.serial && !unchanged {
        pushed.serial = current.serial + 1;
    }
    // Instances already in the state keep their creation time, unchanged ones their update time.
    for (k, r) in pushed.resources.iter_mut() {
        if let Some(old) = current.resources.get(k) {
            r.created_at = old.created_at.clone();
            if same(r, old) {
                r.updated_at = old.updated_at.clone();
            }
        }
    }
    pushed.stamp_times();
    let started = chrono::Utc::now().to_rfc3339();
    store.replace_state(&pushed).map_err(|e| CliError::plain("Failed to write state", e))?;
    record_history(
        &store,
        &command_line(),
        &started,
        (0, 0, 0),
        HistoryResult::Success,
        &format!("state pushed from {} (lineage {}, serial {}, {} resource instances)", a.path, pushed.lineage, pushed.serial, pushed.resources.len()),
    );
    Ok(0)
}

/// `taint ADDR` / `untaint ADDR`: sets or clears the mark that makes the next plan replace the
/// object.
pub fn cmd_taint(a: StateAddrArgs, tainted: bool) -> CliResult {
    let verb = if tainted { "taint" } else { "untaint" };
    let store = a.state.open()?;
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
    let store = a.state.open()?;
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
