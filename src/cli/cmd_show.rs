//! `skyform show [FILE]`: the state, or a saved plan, in human form.

use std::path::PathBuf;

use clap::Args;

use super::common::{open_store, CliError, CliResult, ColorFlag, StateFlags};
use crate::plan::file;
use crate::state::State;
use crate::view::plan_text::render_plan;
use crate::view::values::render;

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A saved plan file; without it, the state is shown.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub state: StateFlags,
    #[command(flatten)]
    pub color: ColorFlag,
}

pub fn cmd_show(a: ShowArgs) -> CliResult {
    let colors = a.color.colors();
    if let Some(path) = &a.file {
        let plan = file::read(path).map_err(|e| CliError::plain("Failed to load the saved plan", e))?;
        print!("{}", render_plan(&plan, colors));
        return Ok(0);
    }
    if !a.state.state.exists() {
        println!("No state.");
        return Ok(0);
    }
    let store = open_store(&a.state.state)?;
    let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
    print!("{}", render_state(&state));
    Ok(0)
}

/// The state in Terraform's `show` form.
pub fn render_state(state: &State) -> String {
    if state.resources.is_empty() && state.outputs.is_empty() {
        return "The state is empty.\n".into();
    }
    let mut out = String::new();
    for r in state.resources.values() {
        let kind = if r.mode == "data" { "data" } else { "resource" };
        out.push_str(&format!("# {}:\n{kind} \"{}\" \"{}\" {{\n", r.address, r.type_name, r.name));
        if let crate::value::Value::Map(m) = r.marked_attributes() {
            let shown: Vec<_> = m.iter().filter(|(_, v)| !v.is_null()).collect();
            let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in shown {
                out.push_str(&format!("    {k:width$} = {}\n", render(v, 4)));
            }
        }
        out.push_str("}\n\n");
    }
    if !state.outputs.is_empty() {
        out.push_str("\nOutputs:\n\n");
        for (name, o) in &state.outputs {
            let v = if o.sensitive { "(sensitive value)".to_string() } else { render(&o.value, 0) };
            out.push_str(&format!("{name} = {v}\n"));
        }
    }
    out
}
