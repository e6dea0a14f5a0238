//! `skyform test`: runs the `*.tftest.hcl` files of the root module and of `-test-directory`
//! (default `tests`) and prints each file's runs as Terraform does (`run "name"... pass`),
//! with their diagnostics on stderr; exit 1 when anything failed.

use std::collections::BTreeMap;

use std::io::Write;

use clap::Args;

use super::common::{runtime, CliError, CliResult, ColorFlag, VarFlags, Workspace};
use crate::config::Sources;
use crate::diag::{Diagnostic, Diagnostics};
use crate::testing::{find_files, summary, Event, Status, TestRunner};
use crate::view::diagnostics::render_all;

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Run only this test file (a path relative to the root module). May be repeated.
    #[arg(long = "filter", value_name = "FILE")]
    pub filter: Vec<String>,
    /// The directory of test files, relative to the root module.
    #[arg(long = "test-directory", value_name = "DIR", default_value = "tests")]
    pub test_directory: String,
    #[command(flatten)]
    pub vars: VarFlags,
    /// Print the plan (`command = plan`) or the resulting state (`apply`) of each run.
    #[arg(long)]
    pub verbose: bool,
    /// Machine-readable output (not supported yet: an error).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub color: ColorFlag,
}

/// Prints a run's or file's diagnostics, as Terraform does: warnings on stdout, errors on
/// stderr (after flushing the status lines before them).
fn show(diagnostics: &Diagnostics, sources: &Sources, color: bool) {
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = diagnostics.iter().cloned().partition(Diagnostic::is_error);
    if !warnings.is_empty() {
        print!("{}", render_all(&Diagnostics(warnings), sources, color));
    }
    if !errors.is_empty() {
        let _ = std::io::stdout().flush();
        eprint!("{}", render_all(&Diagnostics(errors), sources, color));
    }
}

pub fn cmd_test(a: TestArgs) -> CliResult {
    let colors = a.color.colors();
    if a.json {
        return Err(CliError::plain("Option not supported yet", "skyform test does not implement -json yet."));
    }
    let ws = Workspace::load(colors)?;
    let inputs = ws.input_values(&a.vars.vars, &a.vars.var_files, colors)?;
    let files = find_files(&ws.root_dir, &a.test_directory, &a.filter).map_err(|e| CliError::plain("Failed to list the test files", e))?;
    let mut runner = TestRunner { config: &ws.config, root_dir: &ws.root_dir, inputs, sources: ws.sources.clone(), verbose: a.verbose.then_some(colors) };
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failed = false;
    let word = |s: Status| match s {
        Status::Pass => colors.green(s.word()),
        Status::Fail => colors.red(s.word()),
        Status::Skip => s.word().to_string(),
    };
    let rt = runtime()?;
    for name in &files {
        let mut report = |e: Event<'_>| match e {
            Event::FileStart(f) => println!("{f}... in progress"),
            Event::Run { name, status, diagnostics, sources, verbose } => {
                *counts.entry(status.word()).or_default() += 1;
                println!("  run \"{name}\"... {}", word(status));
                if let Some(text) = verbose {
                    println!("\n{text}");
                }
                show(&diagnostics, sources, colors.enabled);
            }
            Event::TearDown(f) => println!("{f}... tearing down"),
            Event::FileEnd { name, status, diagnostics, sources } => {
                failed |= status == Status::Fail;
                show(&diagnostics, sources, colors.enabled);
                println!("{name}... {}", word(status));
            }
        };
        rt.block_on(runner.run_file(name, &mut report));
    }
    let line = summary(&counts);
    if failed || counts.get("fail").is_some_and(|n| *n > 0) {
        println!("\n{} {line}", colors.red("Failure!"));
        return Ok(1);
    }
    println!("\n{} {line}", colors.green("Success!"));
    Ok(0)
}
