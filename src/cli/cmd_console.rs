//! `skyform console`: evaluates expressions against the configuration and the state, as
//! Terraform's console does. From a terminal it prompts (`> `) and prints each result; from a
//! pipe it evaluates every line, stops at the first error (exit 1) and prints the last result.
//! Nothing is refreshed and no provider is configured.

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;

use super::common::{runtime, CliError, CliResult, ColorFlag, StateFlags, VarFlags, Workspace};
use crate::diag::Diagnostics;
use crate::engine::{Engine, NoHook};
use crate::provider::Registry;
use crate::value::Value;

#[derive(Args, Debug)]
pub struct ConsoleArgs {
    #[command(flatten)]
    pub vars: VarFlags,
    #[command(flatten)]
    pub state: StateFlags,
    #[command(flatten)]
    pub color: ColorFlag,
}

/// Parses one console line as an expression.
fn parse(line: &str) -> Result<hcl::Expression, Diagnostics> {
    let body = crate::syntax::parse_file("<console-input>", &format!("__console__ = {line}\n"))?;
    Ok(body.attribute("__console__").map(|a| a.expr.clone()).unwrap_or(hcl::Expression::Null))
}

pub fn cmd_console(a: ConsoleArgs) -> CliResult {
    let colors = a.color.colors();
    let ws = Workspace::load(colors)?;
    let inputs = ws.input_values(&a.vars.vars, &a.vars.var_files, colors)?;
    let state = match a.state.open_existing()? {
        Some(store) => store.load().map_err(|e| CliError::plain("Failed to load the state", e))?,
        None => Default::default(),
    };
    let registry = Registry::builtin();
    let engine = Engine::new(&ws.config, &registry, &ws.root_dir, &NoHook);
    let interactive = std::io::stdin().is_terminal();
    let mut failure: Option<Diagnostics> = None;
    let mut last: Option<Value> = None;
    runtime()?
        .block_on(engine.console(&state, &inputs, |eval| {
            let stdin = std::io::stdin();
            let mut lines = stdin.lock().lines();
            loop {
                if interactive {
                    print!("> ");
                    let _ = std::io::stdout().flush();
                }
                let Some(Ok(line)) = lines.next() else { break };
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                if interactive && (line == "exit" || line == "quit") {
                    break;
                }
                match parse(line).and_then(|e| eval(&e)) {
                    Ok(v) if interactive => println!("{}", crate::view::values::console(&v, 0)),
                    Ok(v) => last = Some(v),
                    Err(d) if interactive => eprint!("{}", crate::view::diagnostics::render_all(&d, &ws.sources, colors.enabled)),
                    Err(d) => {
                        failure = Some(d);
                        break;
                    }
                }
            }
        }))
        .map_err(|d| CliError::diags(&d, &ws.sources, colors))?;
    if let Some(d) = failure {
        return Err(CliError::diags(&d, &ws.sources, colors));
    }
    if let Some(v) = last {
        println!("{}", crate::view::values::console(&v, 0));
    }
    Ok(0)
}
