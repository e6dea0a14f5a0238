//! The command layer: clap definitions and dispatch only, one file per subcommand
//! (`cmd_<name>.rs`), each calling into the library. Terraform's single-dash spellings
//! (`-out=FILE`, `-auto-approve`, `-chdir=DIR`) are accepted by [`normalize_args`], and every
//! command accepts `-no-color` (a global flag).

mod cmd_apply;
mod cmd_console;
mod cmd_fmt;
mod cmd_graph;
mod cmd_history;
mod cmd_import;
mod cmd_init;
mod cmd_output;
mod cmd_plan;
mod cmd_show;
mod cmd_state;
mod cmd_test;
mod cmd_validate;
mod cmd_workspace;
mod common;
mod migrate;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use common::CliError;

#[derive(Parser, Debug)]
#[command(name = "skyform", version, about = "A Terraform-style declarative infrastructure planner.", disable_version_flag = true)]
pub struct Cli {
    /// Switch to a different working directory before executing the given subcommand.
    #[arg(long, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Print the version.
    #[arg(long)]
    pub version: bool,
    /// Disable colour in the output. Every command accepts it, as in Terraform; a command that
    /// colours its output declares its own `no_color`, which takes this value too.
    #[arg(long, global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Prepare the working directory: install modules, configure the backend.
    Init(cmd_init::InitArgs),
    /// Check whether the configuration is valid.
    Validate(cmd_validate::ValidateArgs),
    /// Reformat configuration files in the canonical style.
    Fmt(cmd_fmt::FmtArgs),
    /// Show changes required by the current configuration.
    Plan(cmd_plan::PlanArgs),
    /// Create or update infrastructure.
    Apply(cmd_apply::ApplyArgs),
    /// Destroy previously-created infrastructure.
    Destroy(cmd_apply::ApplyArgs),
    /// Show the current state or a saved plan.
    Show(cmd_show::ShowArgs),
    /// Show output values from the state.
    Output(cmd_output::OutputArgs),
    /// Advanced state management.
    #[command(subcommand)]
    State(cmd_state::StateCommand),
    /// Print the dependency graph in DOT format.
    Graph(cmd_graph::GraphArgs),
    /// Release a stuck lock on the state.
    ForceUnlock(cmd_state::ForceUnlockArgs),
    /// Evaluate expressions against the configuration and the state.
    Console(cmd_console::ConsoleArgs),
    /// Mark a resource instance as not fully functional: the next plan replaces it.
    Taint(cmd_state::StateAddrArgs),
    /// Remove the tainted mark from a resource instance.
    Untaint(cmd_state::StateAddrArgs),
    /// Associate an existing remote object with a resource address in the configuration.
    Import(cmd_import::ImportArgs),
    /// Show the state's audit log: who ran what, when, and how it ended.
    History(cmd_history::HistoryArgs),
    /// Run the `*.tftest.hcl` test files against the configuration.
    Test(cmd_test::TestArgs),
    /// Workspace management: several states for one configuration.
    #[command(subcommand)]
    Workspace(cmd_workspace::WorkspaceCommand),
    /// Show the current skyform version.
    Version,
}

/// Turns Terraform's single-dash long flags into clap's double-dash form.
pub fn normalize_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest_literal = false;
    for (i, a) in args.into_iter().enumerate() {
        if i == 0 || rest_literal {
            out.push(a);
            continue;
        }
        if a == "--" {
            rest_literal = true;
            out.push(a);
            continue;
        }
        let single = a.starts_with('-') && !a.starts_with("--") && a.len() > 2;
        let name_start = a.chars().nth(1).is_some_and(|c| c.is_ascii_alphabetic());
        if single && name_start {
            out.push(format!("-{a}"));
        } else {
            out.push(a);
        }
    }
    out
}

/// Runs the CLI with the process arguments; returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let cli = match Cli::try_parse_from(normalize_args(args)) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    if let Some(dir) = &cli.chdir {
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!("Error: Invalid -chdir option: cannot change to {}: {e}.", dir.display());
            return 1;
        }
    }
    if let Some(warning) = crate::log::init_from_env() {
        eprintln!("Warning: {warning}");
    }
    if cli.version {
        return cmd_version();
    }
    let Some(command) = cli.command else {
        let _ = <Cli as clap::CommandFactory>::command().print_help();
        return 0;
    };
    // The command and flag names only: values (`-var`) may be secret.
    crate::log::log(crate::log::Level::Info, "cli", || {
        let names: Vec<String> =
            std::env::args().skip(1).map(|a| if a.starts_with('-') { a.split('=').next().unwrap_or_default().to_string() } else { a }).collect();
        format!("skyform {} {}", env!("CARGO_PKG_VERSION"), names.join(" "))
    });
    let name = std::env::args().skip(1).find(|a| !a.starts_with('-')).unwrap_or_default();
    if let Some(warning) = crate::trace::init_from_env(&format!("skyform {name}")) {
        eprintln!("Warning: {warning}");
    }
    let code = run_command(command);
    if let Some(warning) = crate::trace::finish(code) {
        eprintln!("Warning: {warning}");
    }
    code
}

fn run_command(command: Command) -> i32 {
    let result = match command {
        Command::Init(a) => cmd_init::cmd_init(a),
        Command::Validate(a) => cmd_validate::cmd_validate(a),
        Command::Fmt(a) => cmd_fmt::cmd_fmt(a),
        Command::Plan(a) => cmd_plan::cmd_plan(a),
        Command::Apply(a) => cmd_apply::cmd_apply(a, false),
        Command::Destroy(a) => cmd_apply::cmd_apply(a, true),
        Command::Show(a) => cmd_show::cmd_show(a),
        Command::Output(a) => cmd_output::cmd_output(a),
        Command::State(c) => cmd_state::cmd_state(c),
        Command::Graph(a) => cmd_graph::cmd_graph(a),
        Command::Import(a) => cmd_import::cmd_import(a),
        Command::Workspace(c) => cmd_workspace::cmd_workspace(c),
        Command::Test(a) => cmd_test::cmd_test(a),
        Command::History(a) => cmd_history::cmd_history(a),
        Command::ForceUnlock(a) => cmd_state::cmd_force_unlock(a),
        Command::Console(a) => cmd_console::cmd_console(a),
        Command::Taint(a) => cmd_state::cmd_taint(a, true),
        Command::Untaint(a) => cmd_state::cmd_taint(a, false),
        Command::Version => return cmd_version(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprint!("{e}");
            e.exit_code
        }
    }
}

fn cmd_version() -> i32 {
    println!("skyform v{}", env!("CARGO_PKG_VERSION"));
    println!("on {}_{}", std::env::consts::OS, std::env::consts::ARCH);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_accepts_no_color() {
        fn check(cmd: &clap::Command, path: &str) {
            for sc in cmd.get_subcommands().filter(|sc| sc.get_name() != "help") {
                let path = format!("{path} {}", sc.get_name());
                assert!(sc.get_arguments().any(|a| a.get_id() == "no_color"), "{path} does not accept -no-color");
                check(sc, &path);
            }
        }
        let mut cmd = <Cli as clap::CommandFactory>::command();
        cmd.build();
        check(&cmd, "skyform");
        let parse = |args: &[&str]| Cli::try_parse_from(normalize_args(args.iter().map(|s| s.to_string()))).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert!(matches!(parse(&["skyform", "state", "show", "-no-color", "a.b"]).command, Some(Command::State(_))));
        // Before the command name it reaches the command's own flag too.
        let Some(Command::Plan(p)) = parse(&["skyform", "-no-color", "plan"]).command else { panic!("not plan") };
        assert!(p.flags.color.no_color);
        let Some(Command::Plan(p)) = parse(&["skyform", "plan", "-no-color"]).command else { panic!("not plan") };
        assert!(p.flags.color.no_color);
    }

    #[test]
    fn single_dash_flags_become_long() {
        let v = normalize_args(["skyform", "-chdir=x", "apply", "-auto-approve", "-var", "a=-1", "-", "-1"].map(String::from));
        assert_eq!(v, ["skyform", "--chdir=x", "apply", "--auto-approve", "--var", "a=-1", "-", "-1"]);
    }
}
