//! `skyform import ADDR ID`: brings an existing remote object under management at a resource
//! address declared in the configuration, as Terraform's `import` does. The provider block is
//! evaluated with the usual variables (`-var`, `-var-file`, ...); the state lock is held.

use clap::Args;

use super::common::{command_line, record_history, runtime, CliError, CliResult, HistoryResult, LockGuard, PlanFlags, Workspace};
use crate::engine::{Engine, NoHook};
use crate::provider::Registry;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The resource instance address to import to, e.g. `aws_s3_bucket.site`.
    pub address: String,
    /// The provider's id of the existing object (a bucket name, `BUCKET/KEY`, ...).
    pub id: String,
    #[command(flatten)]
    pub flags: PlanFlags,
}

pub fn cmd_import(a: ImportArgs) -> CliResult {
    let colors = a.flags.color.colors();
    let ws = Workspace::load(colors)?;
    let inputs = ws.input_variables(&a.flags, colors)?;
    let store = a.flags.state.open_for(&ws)?;
    let _lock = LockGuard::acquire(&store, &a.flags.state, "import")?;
    let state = store.load().map_err(|e| CliError::plain("Failed to load the state", e))?;
    let registry = Registry::builtin();
    let engine = Engine::new(&ws.config, &registry, &ws.root_dir, &NoHook);
    let started = chrono::Utc::now().to_rfc3339();
    let entry = runtime()?.block_on(engine.import(&state, &inputs, &a.address, &a.id)).map_err(|d| CliError::diags(&d, &ws.sources, colors))?;
    store.commit_resource(None, &entry).map_err(|e| CliError::plain("Failed to write state", e))?;
    record_history(&store, &command_line(), &started, (0, 0, 0), HistoryResult::Success, &format!("imported {} (id {})", a.address, a.id));
    println!("{}: Importing from ID \"{}\"...", a.address, a.id);
    println!("{}: Import prepared!", a.address);
    println!("{}: Refreshing state... [id={}]", a.address, a.id);
    println!(
        "\n{}\n\nThe resources that were imported are shown above. These resources are now in\nyour skyform state and will henceforth be managed by skyform.",
        colors.green("Import successful!")
    );
    Ok(0)
}
