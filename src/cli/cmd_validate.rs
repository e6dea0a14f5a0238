//! `skyform validate`: checks references, types and schemas without state or provider calls.

use clap::Args;

use super::common::{runtime, warn_diags, CliError, CliResult, ColorFlag, Workspace};
use crate::engine::{Engine, NoHook};
use crate::provider::Registry;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub color: ColorFlag,
}

pub fn cmd_validate(a: ValidateArgs) -> CliResult {
    let colors = a.color.colors();
    let ws = Workspace::load(colors)?;
    let registry = Registry::builtin();
    let engine = Engine::new(&ws.config, &registry, &ws.root_dir, &NoHook);
    let diags = runtime()?.block_on(engine.validate());
    if diags.has_errors() {
        return Err(CliError::diags(&diags, &ws.sources, colors));
    }
    warn_diags(&diags, &ws.sources, colors);
    println!("{}", colors.green("Success! The configuration is valid."));
    Ok(0)
}
