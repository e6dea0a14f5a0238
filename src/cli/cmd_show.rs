//! `skyform show [FILE]`: the state, or a saved plan, in human form, in Terraform's JSON
//! (`-json`), or as a pull-request comment (`-markdown`, plans only).

use std::path::PathBuf;

use clap::Args;

use super::common::{plan_cipher_here, CliError, CliResult, ColorFlag, StateFlags, Workspace};
use crate::plan::file;
use crate::view::markdown::{render_markdown, MAX_COMMENT};
use crate::view::plan_json::{plan_json, state_json};
use crate::view::plan_text::render_plan;
use crate::view::state_text::render_state;

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A saved plan file; without it, the state is shown.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub state: StateFlags,
    #[command(flatten)]
    pub color: ColorFlag,
    /// Terraform's JSON representation of the plan or the state.
    #[arg(long)]
    pub json: bool,
    /// A Markdown comment body for a pull request (plan files only).
    #[arg(long)]
    pub markdown: bool,
}

pub fn cmd_show(a: ShowArgs) -> CliResult {
    let colors = a.color.colors();
    if a.json && a.markdown {
        return Err(CliError::plain("Invalid arguments", "-json and -markdown cannot be used together."));
    }
    if let Some(path) = &a.file {
        let plan = file::read(path, plan_cipher_here()?.as_deref()).map_err(|e| CliError::plain("Failed to load the saved plan", e))?;
        if a.json {
            // The configuration section is included when the plan's configuration is here.
            let ws = Workspace::load(colors).ok();
            println!("{}", plan_json(&plan, ws.as_ref().map(|w| &w.config)));
        } else if a.markdown {
            print!("{}", render_markdown(&plan, &crate::provider::Registry::builtin(), MAX_COMMENT));
        } else {
            print!("{}", render_plan(&plan, &crate::provider::Registry::builtin(), colors));
        }
        return Ok(0);
    }
    if a.markdown {
        return Err(CliError::plain("Invalid arguments", "-markdown renders a saved plan: skyform show -markdown FILE."));
    }
    let Some(store) = a.state.open_existing()? else {
        if a.json {
            println!("{}", serde_json::json!({ "format_version": "1.0" }));
        } else {
            println!("No state.");
        }
        return Ok(0);
    };
    let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
    if a.json {
        println!("{}", state_json(&state));
    } else {
        print!("{}", render_state(&state));
    }
    Ok(0)
}
