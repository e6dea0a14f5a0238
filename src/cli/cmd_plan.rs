//! `skyform plan`: refresh, diff and show the changes; `-out=FILE` saves them for apply.

use std::path::PathBuf;

use clap::Args;

use super::common::{plan_cipher, report_pending, runtime, CliError, CliResult, LockGuard, PlanFlags, Workspace};
use crate::engine::Engine;
use crate::plan::{file, Plan};
use crate::provider::Registry;
use crate::state::StateStore;
use crate::view::json_ui;
use crate::view::markdown::{render_markdown, MAX_COMMENT};
use crate::view::plan_text::render_plan;
use crate::view::progress::ProgressHook;
use crate::view::Colors;

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// Write the plan to this file, to apply it later exactly as planned.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Plan to destroy every resource in the state.
    #[arg(long)]
    pub destroy: bool,
    /// Exit 0 when there are no changes, 1 on error, 2 when there are changes.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Machine-readable output: one JSON object per line, in Terraform's `-json` UI format.
    #[arg(long)]
    pub json: bool,
    /// Print the plan as a Markdown pull-request comment instead of text.
    #[arg(long)]
    pub markdown: bool,
    /// Write configuration for `import` targets no resource block declares to this new file.
    #[arg(long, value_name = "FILE")]
    pub generate_config_out: Option<PathBuf>,
    #[command(flatten)]
    pub flags: PlanFlags,
}

/// `plan -json`: the same plan as JSON lines; problems become `diagnostic` lines on stdout.
fn cmd_plan_json(a: &PlanArgs) -> CliResult {
    println!("{}", json_ui::version_line());
    let colors = Colors::new(false);
    let mut sources = crate::config::Sources::default();
    let result = (|| {
        let ws = Workspace::load(colors)?;
        sources = ws.sources.clone();
        let store = a.flags.state.open_for(&ws)?;
        let _lock = LockGuard::acquire(&store, &a.flags.state, "plan")?;
        let plan = make_plan_with(&ws, &a.flags, &store, a.destroy, colors, true)?;
        if let Some(out) = &a.out {
            file::write(out, &plan, plan_cipher(&ws)?.as_deref()).map_err(|e| CliError::plain("Failed to write plan file", e))?;
        }
        Ok::<Plan, CliError>(plan)
    })();
    match result {
        Ok(plan) => {
            for l in json_ui::plan_lines(&plan) {
                println!("{l}");
            }
            Ok(if a.detailed_exitcode && plan.has_changes() { 2 } else { 0 })
        }
        Err(e) => {
            for d in &e.diagnostics.0 {
                println!("{}", json_ui::diagnostic_line(d, &sources));
            }
            Ok(e.exit_code.max(1))
        }
    }
}

/// Loads inputs and state and runs the engine's plan (the caller holds the lock), for an
/// apply: check blocks are reported once, after the apply, as Terraform does.
pub(super) fn make_plan(ws: &Workspace, flags: &PlanFlags, store: &StateStore, destroy: bool, colors: Colors) -> Result<Plan, CliError> {
    make_plan_inner(ws, flags, store, destroy, colors, false, true)
}

/// [`make_plan`]; `quiet` leaves out the "Refreshing state..." lines (for `-json`, `-markdown`).
pub(super) fn make_plan_with(ws: &Workspace, flags: &PlanFlags, store: &StateStore, destroy: bool, colors: Colors, quiet: bool) -> Result<Plan, CliError> {
    make_plan_inner(ws, flags, store, destroy, colors, quiet, false)
}

fn make_plan_inner(
    ws: &Workspace,
    flags: &PlanFlags,
    store: &StateStore,
    destroy: bool,
    colors: Colors,
    quiet: bool,
    applying: bool,
) -> Result<Plan, CliError> {
    let inputs = ws.input_variables(flags, colors)?;
    let opts = flags.options(destroy)?;
    report_pending(store);
    let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
    let registry = Registry::builtin();
    let lines = ProgressHook::new(false, false);
    let hook: &dyn crate::engine::Hook = if quiet { &crate::engine::NoHook } else { &lines };
    let engine = Engine::new(&ws.config, &registry, &ws.root_dir, hook);
    let mut plan = runtime()?.block_on(engine.plan(&state, &inputs, &opts)).map_err(|d| CliError::diags(&d, &ws.sources, colors))?;
    plan.config_hash = file::config_hash(&ws.sources);
    let mut shown = plan.warnings.clone();
    if applying {
        shown.0.retain(|d| !d.summary.starts_with("Check block"));
    }
    if !shown.is_empty() {
        eprint!("{}", crate::view::diagnostics::render_all(&shown, &ws.sources, colors.enabled));
    }
    Ok(plan)
}

/// The generated file and each generated target's address and resource block.
type Generated = (PathBuf, Vec<(String, String)>);

/// `-generate-config-out=FILE`: writes configuration for the undeclared import targets to the
/// new file FILE (None when there are none: no file is written).
fn generate_config(path: &std::path::Path, flags: &PlanFlags, store: &StateStore, colors: Colors) -> Result<Option<Generated>, CliError> {
    if path.exists() {
        return Err(CliError::plain(
            "Target generated file already exists",
            "skyform can only write generated config into a new file. Either choose a different target location or move all existing configuration out of the target file, delete it and try again.",
        ));
    }
    let root_dir = std::env::current_dir().map_err(|e| CliError::plain("Cannot read the working directory", e))?;
    let ws = Workspace::load_for(colors, &crate::modules::Installer::new(&root_dir, false), true)?;
    let inputs = ws.input_variables(flags, colors)?;
    let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
    let registry = Registry::builtin();
    let engine = Engine::new(&ws.config, &registry, &ws.root_dir, &crate::engine::NoHook);
    let (text, blocks) = runtime()?.block_on(engine.generate_config(&state, &inputs)).map_err(|d| CliError::diags(&d, &ws.sources, colors))?;
    if text.is_empty() {
        return Ok(None);
    }
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        std::fs::OpenOptions::new().write(true).create_new(true).open(path)?.write_all(text.as_bytes())
    };
    write().map_err(|e| CliError::plain("Failed to write the generated configuration", e))?;
    Ok(Some((path.to_path_buf(), blocks)))
}

pub fn cmd_plan(a: PlanArgs) -> CliResult {
    if a.json && a.markdown {
        return Err(CliError::plain("Invalid arguments", "-json and -markdown cannot be used together."));
    }
    if a.json {
        return cmd_plan_json(&a);
    }
    let colors = a.flags.color.colors();
    let store = a.flags.state.open()?;
    let dir = std::env::current_dir().map_err(|e| CliError::plain("Cannot read the working directory", e))?;
    super::migrate::check_unmigrated(&dir, &store)?;
    let _lock = LockGuard::acquire(&store, &a.flags.state, "plan")?;
    let generated = match &a.generate_config_out {
        Some(path) => generate_config(path, &a.flags, &store, colors)?,
        None => None,
    };
    let ws = Workspace::load(colors)?;
    let mut plan = make_plan_with(&ws, &a.flags, &store, a.destroy, colors, a.markdown)?;
    for (address, block) in generated.iter().flat_map(|g| &g.1) {
        if let Some(c) = plan.changes.iter_mut().find(|c| &c.address == address) {
            c.generated_config = Some(block.clone());
        }
    }
    if a.markdown {
        print!("{}", render_markdown(&plan, &Registry::builtin(), MAX_COMMENT));
    } else {
        print!("{}", render_plan(&plan, &Registry::builtin(), colors));
    }
    if let Some(out) = &a.out {
        file::write(out, &plan, plan_cipher(&ws)?.as_deref()).map_err(|e| CliError::plain("Failed to write plan file", e))?;
        println!("\nSaved the plan to: {0}\n\nTo perform exactly these actions, run the following command to apply:\n    skyform apply \"{0}\"", out.display());
    }
    if let Some((path, _)) = generated {
        println!(
            "\nskyform has generated configuration and written it to {}. Please review the configuration and edit it as necessary before adding it to version control.",
            path.display()
        );
    }
    let code = if a.detailed_exitcode && plan.has_changes() { 2 } else { 0 };
    // The process exits next: freeing a large plan and configuration node by node is wasted work.
    std::mem::forget(plan);
    std::mem::forget(ws);
    Ok(code)
}
