//! `skyform init`: creates the state database. Drivers are compiled in, so there is nothing to
//! install; plan and apply work without it.

use clap::Args;

use super::common::{open_store, CliResult, StateFlags};

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub state: StateFlags,
    /// Accepted for compatibility.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub input: bool,
    #[arg(long)]
    pub no_color: bool,
}

pub fn cmd_init(a: InitArgs) -> CliResult {
    let store = open_store(&a.state.state)?;
    println!("Initializing the state database at {}...", store.path().display());
    let registry = crate::provider::Registry::builtin();
    let names: Vec<&str> = registry.names().copied().collect();
    println!("Providers are built in: {}.\n", names.join(", "));
    println!("skyform has been successfully initialized!");
    Ok(0)
}
