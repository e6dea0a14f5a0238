//! `skyform apply [PLANFILE]` and `skyform destroy`: plan (or read a saved plan, refusing a
//! stale one), ask for confirmation unless `-auto-approve`, then apply with progress.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Args;

use super::cmd_plan::make_plan;
use super::common::{command_line, plan_cipher, record_history, runtime, CliError, CliResult, HistoryResult, LockGuard, PlanFlags, Workspace};
use crate::engine::Engine;
use crate::plan::{file, Plan};
use crate::provider::Registry;
use crate::state::StateStore;
use crate::view::diagnostics::render_all;
use crate::view::plan_text::render_plan;
use crate::view::progress::ProgressHook;
use crate::view::values::render;

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// A plan saved by `plan -out=FILE`, applied exactly as planned.
    #[arg(value_name = "PLANFILE")]
    pub plan_file: Option<PathBuf>,
    /// Skip the interactive approval.
    #[arg(long)]
    pub auto_approve: bool,
    /// Plan to destroy every resource (apply only; same as the destroy command).
    #[arg(long)]
    pub destroy: bool,
    #[command(flatten)]
    pub flags: PlanFlags,
}

/// Refuses a saved plan whose state moved on or whose configuration changed.
fn check_saved_plan(plan: &Plan, store: &StateStore, ws: &Workspace) -> Result<(), CliError> {
    let (lineage, serial) = store.lineage_serial().map_err(|e| CliError::plain("Failed to read the state", e))?;
    file::check_fresh(plan, &lineage, serial, &ws.sources).map_err(|e| CliError::plain(e.summary(), e))
}

fn confirm(destroy: bool) -> Result<bool, CliError> {
    let (q, what) = if destroy {
        ("Do you really want to destroy all resources?", "skyform will destroy all your managed infrastructure, as shown above.\n  There is no undo.")
    } else {
        ("Do you want to perform these actions?", "skyform will perform the actions described above.")
    };
    print!("\n{q}\n  {what}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| CliError::plain("Failed to read the answer", e))?;
    Ok(line.trim() == "yes")
}

pub fn cmd_apply(a: ApplyArgs, destroy_cmd: bool) -> CliResult {
    let destroy = destroy_cmd || a.destroy;
    let colors = a.flags.color.colors();
    let ws = Workspace::load(colors)?;
    let store = a.flags.state.open_for(&ws)?;
    let _lock = LockGuard::acquire(&store, &a.flags.state, if destroy { "destroy" } else { "apply" })?;
    let started = chrono::Utc::now().to_rfc3339();
    let plan = match &a.plan_file {
        Some(path) => {
            if destroy_cmd {
                return Err(CliError::plain(
                    "Invalid arguments",
                    "The destroy command does not take a plan file; use `plan -destroy -out=FILE` and apply that.",
                ));
            }
            let plan = file::read(path, plan_cipher(&ws)?.as_deref()).map_err(|e| CliError::plain("Failed to load the saved plan", e))?;
            check_saved_plan(&plan, &store, &ws)?;
            plan
        }
        None => {
            let plan = make_plan(&ws, &a.flags, &store, destroy, colors)?;
            print!("{}", render_plan(&plan, &Registry::builtin(), colors));
            if plan.has_changes() && !a.auto_approve {
                if !std::io::stdin().is_terminal() && !a.flags.input {
                    return Err(CliError::plain("No approval", "Apply needs approval: run it interactively, or pass -auto-approve."));
                }
                if !confirm(destroy)? {
                    return Err(CliError::new(if destroy { "\nDestroy cancelled.\n" } else { "\nApply cancelled.\n" }));
                }
            }
            plan
        }
    };
    // A copy of the state as it was, before anything changes it (the local database keeps one,
    // `state.db.backup`, replaced by each apply that changes something).
    if plan.has_changes() {
        store.backup().map_err(|e| CliError::plain("Failed to back up the state before applying", e))?;
    }
    super::common::start_history(&store, &command_line(), &started);
    let registry = Registry::builtin();
    let hook = ProgressHook::new(std::io::stdout().is_terminal(), colors.enabled);
    let cancel = Arc::new(AtomicBool::new(false));
    let engine = Engine::new(&ws.config, &registry, &ws.root_dir, &hook).with_cancel(cancel.clone());
    let rt = runtime()?;
    let flag = cancel.clone();
    rt.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            flag.store(true, Ordering::SeqCst);
            eprintln!("\nInterrupt received. Gracefully shutting down: in-flight operations finish, no new ones start...");
        }
    });
    println!();
    let result = rt.block_on(engine.apply(&plan, &store, a.flags.parallelism.max(1)));
    hook.finish();
    let c = result.counts;
    let ok = !result.diagnostics.has_errors() && !result.interrupted;
    let summary = format!("{} added, {} changed, {} destroyed", c.added, c.changed, c.destroyed);
    let outcome = if result.interrupted {
        HistoryResult::Interrupted
    } else if ok {
        HistoryResult::Success
    } else {
        HistoryResult::Error
    };
    let detail = match result.diagnostics.0.iter().find(|d| d.severity == crate::diag::Severity::Error) {
        Some(d) => format!("{summary}; {}", d.summary),
        None => summary.clone(),
    };
    record_history(&store, &command_line(), &started, (c.added, c.changed, c.destroyed), outcome, &detail);
    if !result.diagnostics.is_empty() {
        eprint!("{}", render_all(&result.diagnostics, &ws.sources, colors.enabled));
    }
    if result.interrupted {
        return Err(CliError::plain(
            "Apply interrupted",
            format!("Stopped early after Ctrl-C: {summary}. Everything that finished is recorded in the state; run apply again to converge."),
        ));
    }
    if !ok {
        return Ok(1);
    }
    if destroy {
        println!("{}", colors.bold(&colors.green(&format!("Destroy complete! Resources: {} destroyed.", c.destroyed))));
    } else {
        println!("{}", colors.bold(&colors.green(&format!("Apply complete! Resources: {summary}."))));
    }
    if !result.outputs.is_empty() {
        println!("\n{}\n", colors.green("Outputs:"));
        for (name, (v, sensitive)) in &result.outputs {
            let shown = if *sensitive { "<sensitive>".to_string() } else { render(v, 0) };
            println!("{name} = {shown}");
        }
    }
    Ok(0)
}
