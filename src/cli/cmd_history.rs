//! `skyform history`: the state's audit log, newest first: who ran which command when, what it
//! changed and how it ended (`-json` for tools). Variable values never appear: the command line
//! is recorded with them redacted.

use clap::Args;

use super::common::{CliError, CliResult, StateFlags};

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// How many entries to show, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print the entries as a JSON array.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub state: StateFlags,
}

pub fn cmd_history(a: HistoryArgs) -> CliResult {
    let Some(store) = a.state.open_existing()? else {
        if a.json {
            println!("[]");
        }
        return Ok(0);
    };
    let entries = store.history(a.limit).map_err(|e| CliError::plain("Failed to read the history", e))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&entries).unwrap_or_else(|_| "[]".into()));
        return Ok(0);
    }
    for e in &entries {
        let counts = format!("+{} ~{} -{}", e.added, e.changed, e.destroyed);
        let detail = if e.detail.is_empty() { String::new() } else { format!(": {}", e.detail) };
        println!("{}  {}@{}  {:<11} {counts:<12} skyform {}{detail}", e.started_at, e.who, e.host, e.result, e.command);
    }
    Ok(0)
}
