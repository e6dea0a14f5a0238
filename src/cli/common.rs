//! What the commands share: flags, loading the configuration and variables, opening and
//! locking the state, rendering diagnostics, the tokio runtime and the audit-log entry.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::config::model::BackendBlock;
use crate::config::vars::{collect_input_variables, VarArg};
use crate::config::{Config, Sources};
use crate::diag::Diagnostics;
use crate::engine::PlanOptions;
use crate::state::backends::{selected_workspace, BackendConfig, SavedBackend};
use crate::state::encryption::{Cipher, Encryption};
use crate::state::{HistoryEntry, LockInfo, StateStore};
use crate::value::Value;
use crate::view::{diagnostics::render_all, Colors};

/// A command failure: the text to print on stderr and the exit code.
#[derive(Debug)]
pub struct CliError {
    pub exit_code: i32,
    pub message: String,
    /// The same problems, structured (for `-json` output).
    pub diagnostics: Diagnostics,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if !self.message.ends_with('\n') {
            writeln!(f)?;
        }
        Ok(())
    }
}

pub type CliResult = Result<i32, CliError>;

impl CliError {
    pub fn new(message: impl Into<String>) -> CliError {
        CliError { exit_code: 1, message: message.into(), diagnostics: Diagnostics::new() }
    }

    /// Renders diagnostics (with source snippets) as an error.
    pub fn diags(d: &Diagnostics, sources: &Sources, colors: Colors) -> CliError {
        CliError { diagnostics: d.clone(), ..CliError::new(render_all(d, sources, colors.enabled)) }
    }

    pub fn plain(summary: &str, detail: impl fmt::Display) -> CliError {
        let detail = detail.to_string();
        let d = crate::diag::Diagnostic::error(summary, detail.clone());
        CliError { diagnostics: d.into(), ..CliError::new(format!("Error: {summary}\n\n{detail}\n")) }
    }
}

/// `-no-color`, plus the `NO_COLOR` environment variable.
#[derive(Args, Debug, Clone, Default)]
pub struct ColorFlag {
    /// Disable colour in the output.
    #[arg(long)]
    pub no_color: bool,
}

impl ColorFlag {
    pub fn colors(&self) -> Colors {
        let env_off = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Colors::new(!self.no_color && !env_off && std::io::IsTerminal::is_terminal(&std::io::stdout()))
    }
}

/// Where the state lives and how to lock it.
#[derive(Args, Debug, Clone)]
pub struct StateFlags {
    /// Path of a local state database, overriding the backend (legacy, as Terraform's -state).
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Hold the state lock while working.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub lock: bool,
    /// How long to wait for a held lock, e.g. 30s or 2m.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    pub lock_timeout: Duration,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| format!("invalid duration {s:?}: expected e.g. 30s, 5m, 1h"))?;
    match unit {
        "" | "s" => Ok(Duration::from_secs(n)),
        "ms" => Ok(Duration::from_millis(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!("invalid duration unit in {s:?}: use ms, s, m or h")),
    }
}

/// `-var` and `-var-file`, for the commands that take variables but do not plan (`console`,
/// `test`).
#[derive(Args, Debug, Clone)]
pub struct VarFlags {
    /// Set a root variable: NAME=VALUE. May be repeated.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Load variable values from a file. May be repeated.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<String>,
}

/// Flags shared by plan, apply and destroy.
#[derive(Args, Debug, Clone)]
pub struct PlanFlags {
    /// Set a root variable: NAME=VALUE. May be repeated.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Load variable values from a file. May be repeated.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<String>,
    /// Limit the operation to this resource and its dependencies. May be repeated.
    #[arg(long = "target", value_name = "ADDR")]
    pub targets: Vec<String>,
    /// Force replacement of this resource instance. May be repeated.
    #[arg(long = "replace", value_name = "ADDR")]
    pub replace: Vec<String>,
    /// Re-read every resource before planning.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub refresh: bool,
    /// How many operations run at once.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    /// Accepted for compatibility: skyform never prompts for variables.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub input: bool,
    #[command(flatten)]
    pub state: StateFlags,
    #[command(flatten)]
    pub color: ColorFlag,
}

impl PlanFlags {
    pub fn options(&self, destroy: bool) -> Result<PlanOptions, CliError> {
        for a in &self.targets {
            crate::addr::ObjectAddr::parse(a).map_err(|e| CliError::plain("Invalid target address", e))?;
        }
        for a in &self.replace {
            crate::addr::ResourceInstanceAddr::parse(a).map_err(|e| CliError::plain("Invalid resource address", e))?;
        }
        Ok(PlanOptions { destroy, refresh: self.refresh, targets: self.targets.clone(), replace: self.replace.clone(), parallelism: self.parallelism.max(1) })
    }
}

/// The loaded working directory.
pub struct Workspace {
    pub root_dir: PathBuf,
    pub config: Config,
    pub sources: Sources,
}

impl Workspace {
    /// Loads the working directory's configuration, installing missing remote modules.
    pub fn load(colors: Colors) -> Result<Workspace, CliError> {
        let root_dir = std::env::current_dir().map_err(|e| CliError::plain("Cannot read the working directory", e))?;
        Workspace::load_with(colors, &crate::modules::Installer::new(&root_dir, false))
    }

    /// Loads it with a given module installer (`init -upgrade`).
    pub fn load_with(colors: Colors, installer: &crate::modules::Installer) -> Result<Workspace, CliError> {
        Workspace::load_for(colors, installer, false)
    }

    /// Loads it; `generating`: import targets may be undeclared (`-generate-config-out`).
    pub fn load_for(colors: Colors, installer: &crate::modules::Installer, generating: bool) -> Result<Workspace, CliError> {
        let root_dir = std::env::current_dir().map_err(|e| CliError::plain("Cannot read the working directory", e))?;
        let has_tf = std::fs::read_dir(&root_dir).map(|rd| rd.filter_map(|e| e.ok()).any(|e| e.path().extension().is_some_and(|x| x == "tf"))).unwrap_or(false);
        if !has_tf {
            return Err(CliError::plain(
                "No configuration files",
                format!("There are no .tf files in {}. Change to a directory with a configuration, or use -chdir=DIR.", root_dir.display()),
            ));
        }
        match crate::config::load_config_for(&root_dir, installer, generating) {
            Ok((mut config, sources)) => {
                config.workspace = selected_workspace(&root_dir);
                Ok(Workspace { root_dir, config, sources })
            }
            Err((d, sources)) => Err(CliError::diags(&d, &sources, colors)),
        }
    }

    /// Raw root variable values from the environment, `.tfvars` files and `-var`/`-var-file`.
    pub fn input_variables(&self, flags: &PlanFlags, colors: Colors) -> Result<BTreeMap<String, Value>, CliError> {
        self.input_values(&flags.vars, &flags.var_files, colors)
    }

    /// The root variables from `-var` values, `-var-file` files, `TF_VAR_` and tfvars files.
    pub fn input_values(&self, vars: &[String], var_files: &[String], colors: Colors) -> Result<BTreeMap<String, Value>, CliError> {
        let mut args: Vec<VarArg> = var_files.iter().cloned().map(VarArg::File).collect();
        args.extend(vars.iter().cloned().map(VarArg::Var));
        let env: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k.starts_with("TF_VAR_")).collect();
        match collect_input_variables(&self.config.root, &self.root_dir, &args, &env) {
            Ok((vars, warnings)) => {
                if !warnings.is_empty() {
                    eprint!("{}", render_all(&warnings, &self.sources, colors.enabled));
                }
                Ok(vars.into_iter().map(|(k, v)| (k, v.value)).collect())
            }
            Err(d) => Err(CliError::diags(&d, &self.sources, colors)),
        }
    }
}

impl StateFlags {
    /// The configured backend and the selected workspace: `-state` (a local database), else
    /// the root module's backend block with the values `init -backend-config` saved. A block
    /// that changed since `init` configured it is an error, as in Terraform: state must not
    /// quietly start coming from somewhere else.
    pub fn backend(&self) -> Result<(BackendConfig, String), CliError> {
        self.settings().map(|(config, workspace, _)| (config, workspace))
    }

    /// The backend, the selected workspace and the state's cipher (the root module's
    /// `encryption` block with `TF_ENCRYPTION`), for commands that read no other configuration.
    pub fn settings(&self) -> Result<(BackendConfig, String, Option<Arc<Cipher>>), CliError> {
        let dir = std::env::current_dir().map_err(|e| CliError::plain("Cannot read the working directory", e))?;
        let colors = Colors::new(std::io::IsTerminal::is_terminal(&std::io::stderr()));
        let (block, encryption) = crate::config::load::load_state_settings(&dir).map_err(|(d, sources)| CliError::diags(&d, &sources, colors))?;
        let block = if self.state.is_some() { None } else { block };
        let (config, workspace) = self.backend_of(&dir, block.as_ref())?;
        Ok((config, workspace, encryption_of(encryption.as_ref())?.and_then(|e| e.state)))
    }

    /// The same, for a configuration already loaded.
    pub fn backend_of(&self, dir: &Path, block: Option<&BackendBlock>) -> Result<(BackendConfig, String), CliError> {
        let workspace = selected_workspace(dir);
        if let Some(path) = &self.state {
            return Ok((BackendConfig::Local { path: path.clone(), workspace_dir: PathBuf::from(".skyform/workspaces") }, workspace));
        }
        let colors = Colors::new(std::io::IsTerminal::is_terminal(&std::io::stderr()));
        let saved = SavedBackend::read(dir).map_err(|e| CliError::plain("Failed to read the saved backend configuration", e))?;
        let extra = match &saved {
            Some(saved) if !saved.same_block(block) => {
                let now = block.map(|b| format!("the \"{}\" backend", b.kind)).unwrap_or_else(|| "local state (no backend block)".into());
                return Err(CliError::plain(
                    "Backend initialization required, please run \"skyform init\"",
                    format!(
                        "The backend configuration changed since `skyform init` configured the \"{}\" backend; the configuration now asks for {now}. Run `skyform init -migrate-state` to copy the state to the new backend, or `skyform init -reconfigure` to use it without copying.",
                        saved.kind
                    ),
                ));
            }
            Some(saved) => saved.extra(),
            None => BTreeMap::new(),
        };
        let config = BackendConfig::resolve(block, &extra).map_err(|d| CliError::diags(&d, &Sources::default(), colors))?;
        // A backend block added without `init` while local state exists: using the new backend
        // as it is would plan to create everything again (as Terraform, init decides).
        if saved.is_none() && config != BackendConfig::default() {
            let local = BackendConfig::default();
            let has_state = local.exists("default") && local.open("default").and_then(|s| s.load()).is_ok_and(|st| !st.is_empty());
            if has_state {
                return Err(CliError::plain(
                    "Backend initialization required, please run \"skyform init\"",
                    format!(
                        "The configuration now keeps state in the \"{}\" backend ({}), and local state exists in {}. Run `skyform init -migrate-state` to copy it there, or `skyform init -reconfigure` to start with the new backend's state as it is.",
                        config.kind(),
                        config.describe(&workspace),
                        local.describe("default")
                    ),
                ));
            }
        }
        Ok((config, workspace))
    }

    /// Opens the workspace's state; a selected workspace that does not exist is an error (as
    /// in Terraform), not a new empty one made by a typo in `TF_WORKSPACE`.
    fn open_workspace(config: &BackendConfig, workspace: &str, cipher: Option<Arc<Cipher>>) -> Result<StateStore, CliError> {
        if workspace != "default" && !config.workspaces().map_err(|e| CliError::plain("Failed to list the workspaces", e))?.iter().any(|w| w == workspace) {
            return Err(CliError::plain(
                &format!("Currently selected workspace \"{workspace}\" does not exist"),
                "Create it with `skyform workspace new`, or select another with `skyform workspace select` (or fix TF_WORKSPACE).",
            ));
        }
        config.open_with(workspace, cipher).map_err(|e| CliError::plain("Failed to open the state", e))
    }

    /// Opens the selected workspace's state for a loaded configuration (plan, apply, import).
    /// A Terraform state not yet copied to skyform stops them (see `migrate`).
    pub fn open_for(&self, ws: &Workspace) -> Result<StateStore, CliError> {
        let (config, workspace) = self.backend_of(&ws.root_dir, ws.config.root.backend.as_ref())?;
        let cipher = encryption_of(ws.config.root.encryption.as_ref())?.and_then(|e| e.state);
        let store = Self::open_workspace(&config, &workspace, cipher)?;
        super::migrate::check_unmigrated(&ws.root_dir, &store)?;
        Ok(store)
    }

    /// Opens (creating on first use) the selected workspace's state.
    pub fn open(&self) -> Result<StateStore, CliError> {
        let (config, workspace, cipher) = self.settings()?;
        Self::open_workspace(&config, &workspace, cipher)
    }

    /// Opens the state if it exists (reading commands do not create an empty one).
    pub fn open_existing(&self) -> Result<Option<StateStore>, CliError> {
        let (config, workspace, cipher) = self.settings()?;
        if !config.exists(&workspace) {
            return Ok(None);
        }
        Self::open_workspace(&config, &workspace, cipher).map(Some)
    }
}

/// The encryption the root module's `encryption` block and `TF_ENCRYPTION` configure.
pub fn encryption_of(block: Option<&crate::syntax::Block>) -> Result<Option<Encryption>, CliError> {
    let colors = Colors::new(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    Encryption::from_env(block).map_err(|d| CliError::diags(&d, &Sources::default(), colors))
}

/// The plan files' cipher for a loaded configuration.
pub fn plan_cipher(ws: &Workspace) -> Result<Option<Arc<Cipher>>, CliError> {
    Ok(encryption_of(ws.config.root.encryption.as_ref())?.and_then(|e| e.plan))
}

/// The plan files' cipher of the configuration in the working directory (`show PLANFILE`,
/// which needs no other configuration).
pub fn plan_cipher_here() -> Result<Option<Arc<Cipher>>, CliError> {
    let dir = std::env::current_dir().map_err(|e| CliError::plain("Cannot read the working directory", e))?;
    let colors = Colors::new(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let (_, block) = crate::config::load::load_state_settings(&dir).map_err(|(d, sources)| CliError::diags(&d, &sources, colors))?;
    Ok(encryption_of(block.as_ref())?.and_then(|e| e.plan))
}

/// Holds the state lock until dropped.
pub struct LockGuard<'s> {
    store: &'s StateStore,
    info: Option<LockInfo>,
}

impl<'s> LockGuard<'s> {
    pub fn acquire(store: &'s StateStore, flags: &StateFlags, operation: &str) -> Result<LockGuard<'s>, CliError> {
        if !flags.lock {
            return Ok(LockGuard { store, info: None });
        }
        let info = store.acquire_lock(operation, flags.lock_timeout).map_err(|e| CliError::plain("Error acquiring the state lock", e))?;
        Ok(LockGuard { store, info: Some(info) })
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        if let Some(info) = self.info.take() {
            if let Err(e) = self.store.release_lock(&info.id) {
                eprintln!("Error: Failed to release the state lock {}: {e}", info.id);
            }
        }
    }
}

/// A multi-threaded tokio runtime for the engine. More workers than cores: state commits are
/// short blocking SQLite writes, and they must not hold up the HTTP work of other resources.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().map_err(|e| CliError::plain("Failed to start the async runtime", e))
}

/// Resolves what an earlier, interrupted run left in the journal, saying what it did (see
/// `state-schema/README.md`): a create whose object the provider had started is adopted into
/// the state, tainted; a create that never heard back is kept, to be retried with the same
/// idempotency token; an interrupted update or delete is reported and cleared (the refresh
/// shows where the object stands).
pub fn report_pending(store: &StateStore) {
    let Ok(ops) = store.pending_operations() else { return };
    if ops.is_empty() {
        return;
    }
    let in_state: HashSet<String> = store.load().map(|s| s.resources.into_keys().collect()).unwrap_or_default();
    for op in ops {
        let run = format!("A previous run (pid {}, started {}) was interrupted", op.pid, op.started_at);
        let address = op.address.clone();
        match (op.action.as_str(), op.object) {
            ("create", Some(record)) => {
                let entry = record.state();
                let object = format!("{} id \"{}\"", entry.type_name, entry.attributes.get_attr("id").and_then(Value::as_str).unwrap_or("unknown"));
                if in_state.contains(&address) {
                    // A create-before-destroy replacement: the old object is still in state.
                    eprintln!("Warning: {run} while creating a replacement for {address}: the new object ({object}) exists but is not tracked, because the state still holds the object it was to replace. Delete it, or import it at another address.");
                    let _ = store.clear_operation(op.id);
                    continue;
                }
                match store.commit_resource(Some(op.id), &entry) {
                    Ok(()) => eprintln!(
                        "Warning: {run} while creating {address}. The object it had started ({object}) is now in the state, tainted, so this plan replaces it (`skyform untaint {address}` keeps it instead)."
                    ),
                    Err(e) => eprintln!("Warning: {run} while creating {address}; the object it had started ({object}) could not be put in the state: {e}"),
                }
            }
            ("create", None) => eprintln!(
                "Warning: {run} while creating {address}, before the provider answered. Its create is retried under the same idempotency token, so EC2 instances resolve to the object the first attempt made, if any; for other types, if that object exists, import it."
            ),
            (action, _) => {
                eprintln!("Warning: {run} while {} {address}. The refresh shows where that object stands.", if action == "update" { "updating" } else { "deleting" });
                let _ = store.clear_operation(op.id);
            }
        }
    }
}

/// How a command that changed state ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryResult {
    Success,
    Error,
    Interrupted,
}

/// Appends a command to the audit log.
/// Records that a long command (apply, destroy) has started: a run killed before it ends
/// leaves this entry, [`crate::state::store::UNFINISHED`]; [`record_history`] completes it.
pub fn start_history(store: &StateStore, command: &str, started: &str) {
    let entry = HistoryEntry {
        started_at: started.to_string(),
        who: crate::state::store::who(),
        host: gethostname::gethostname().to_string_lossy().into_owned(),
        command: command.to_string(),
        result: crate::state::store::UNFINISHED.into(),
        detail: "the run did not finish: it was killed or crashed".into(),
        ..HistoryEntry::default()
    };
    if let Err(e) = store.record_history(&entry) {
        eprintln!("Warning: Failed to record the command in the state history: {e}");
    }
}

pub fn record_history(store: &StateStore, command: &str, started: &str, counts: (usize, usize, usize), result: HistoryResult, detail: &str) {
    let entry = HistoryEntry {
        started_at: started.to_string(),
        finished_at: chrono::Utc::now().to_rfc3339(),
        who: crate::state::store::who(),
        host: gethostname::gethostname().to_string_lossy().into_owned(),
        command: command.to_string(),
        added: counts.0 as u64,
        changed: counts.1 as u64,
        destroyed: counts.2 as u64,
        result: match result {
            HistoryResult::Success => "success",
            HistoryResult::Error => "error",
            HistoryResult::Interrupted => "interrupted",
        }
        .into(),
        detail: detail.to_string(),
    };
    if let Err(e) = store.record_history(&entry) {
        eprintln!("Warning: Failed to record the command in the state history: {e}");
    }
}

/// The command line as typed, for the audit log, with variable values left out (they may be
/// secrets): `-var=db_password=hunter2` is recorded as `-var=db_password=...`.
pub fn command_line() -> String {
    redact_vars(std::env::args().skip(1))
}

fn redact_vars(args: impl IntoIterator<Item = String>) -> String {
    let mut out = Vec::new();
    let mut next_is_var = false;
    for a in args {
        let a = if next_is_var {
            next_is_var = false;
            redact_assignment(&a)
        } else if let Some(v) = a.strip_prefix("-var=").or_else(|| a.strip_prefix("--var=")) {
            format!("{}={}", &a[..a.len() - v.len() - 1], redact_assignment(v))
        } else {
            next_is_var = a == "-var" || a == "--var";
            a
        };
        out.push(a);
    }
    out.join(" ")
}

fn redact_assignment(a: &str) -> String {
    match a.split_once('=') {
        Some((name, _)) => format!("{name}=..."),
        None => a.to_string(),
    }
}

pub fn warn_diags(d: &Diagnostics, sources: &Sources, colors: Colors) {
    if !d.is_empty() {
        eprint!("{}", render_all(d, sources, colors.enabled));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn variable_values_are_not_recorded() {
        let args = ["apply", "-var=pw=secret", "-var", "x=1=2", "-auto-approve", "--var=k=v"].map(String::from);
        assert_eq!(super::redact_vars(args), "apply -var=pw=... -var x=... -auto-approve --var=k=...");
    }
}
