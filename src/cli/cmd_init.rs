//! `skyform init`: installs the configuration's remote modules (`-upgrade`: newest allowed
//! versions) into `.terraform/modules` and creates the state database. Drivers are compiled in,
//! so there are no providers to install, and plan and apply install missing modules themselves.

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
    /// Re-resolve every module to the newest version its constraint allows.
    #[arg(long)]
    pub upgrade: bool,
}

pub fn cmd_init(a: InitArgs) -> CliResult {
    let dir = std::env::current_dir().map_err(|e| super::common::CliError::plain("Cannot read the working directory", e))?;
    let has_tf = std::fs::read_dir(&dir).map(|rd| rd.filter_map(|e| e.ok()).any(|e| e.path().extension().is_some_and(|x| x == "tf"))).unwrap_or(false);
    if has_tf {
        println!("Initializing modules...");
        let installer = crate::modules::Installer::new(&dir, a.upgrade);
        let colors = crate::view::Colors::new(!a.no_color && std::io::IsTerminal::is_terminal(&std::io::stderr()));
        let loaded = super::common::Workspace::load_with(colors, &installer);
        for e in installer.installed.borrow().iter() {
            match &e.version {
                Some(v) => println!("Downloading {} {v} for {}...", e.source, e.key),
                None => println!("Downloading {} for {}...", e.source, e.key),
            }
            println!("- {} in {}", e.key, e.dir);
        }
        loaded?;
        println!();
    }
    let store = open_store(&a.state.state)?;
    println!("Initializing the state database at {}...", store.path().display());
    let registry = crate::provider::Registry::builtin();
    let names: Vec<&str> = registry.names().copied().collect();
    println!("Providers are built in: {}.\n", names.join(", "));
    println!("skyform has been successfully initialized!");
    Ok(0)
}
