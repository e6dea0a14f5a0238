//! The state store seen by the engine and the CLI: one [`StateStore`] over any [`Backend`]
//! (the local SQLite database, PostgreSQL, an object in S3), with the operations every backend
//! shares built once here: waiting for the lock, `state rm`, `state mv` of one instance, and
//! writing outputs only when they changed.

use futures::future::BoxFuture;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{OutputState, ResourceInstanceState, State};
use crate::log::{log, Level};

pub type StateResult<T> = Result<T, StateError>;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("State database error at {path}: {source}.")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("The state database at {path} is corrupt or not a skyform state database: {detail}.")]
    Corrupt { path: PathBuf, detail: String },
    #[error("The state database at {path} was written by a newer skyform (schema version {found}; this skyform supports up to {supported}). Upgrade skyform to use it.")]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },
    #[error("The state is locked by {who}@{host} (pid {pid}, operation {operation}) since {created}. Lock ID: {id}. Wait for it to finish, or run `skyform force-unlock {id}` if that process is gone.", who = .0.who, host = .0.host, pid = .0.pid, operation = .0.operation, created = .0.created, id = .0.id)]
    Locked(LockInfo),
    #[error("The state is locked by {who}@{host} (pid {pid}, operation {operation}) since {created}, but that process is no longer running on this host: the lock is stale. Nothing it committed is lost. Run `skyform force-unlock {id}` to clear the lock, then run the command again.", who = .0.who, host = .0.host, pid = .0.pid, operation = .0.operation, created = .0.created, id = .0.id)]
    StaleLock(LockInfo),
    #[error("The lock ID {given} does not match the current lock{}.", holder.as_ref().map(|h| format!(" (held as {})", h.id)).unwrap_or_else(|| " (the state is not locked)".into()))]
    LockIdMismatch { given: String, holder: Option<LockInfo> },
    #[error("No resource instance {0} is in the state.")]
    NotFound(String),
    #[error("A resource instance {0} is already in the state.")]
    AlreadyExists(String),
    #[error("Failed to create the state directory {path}: {source}.")]
    Io { path: PathBuf, source: std::io::Error },
    /// A remote backend (PostgreSQL, S3, Azure) failed; `place` names the state it holds.
    #[error("{place}: {detail}.")]
    Remote { place: String, detail: String },
}

impl StateError {
    /// Whether another connection holds the SQLite database (a write may succeed later).
    pub fn is_busy(&self) -> bool {
        matches!(self, StateError::Sqlite { source: rusqlite::Error::SqliteFailure(e, _), .. }
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LockInfo {
    pub id: String,
    pub operation: String,
    pub who: String,
    pub host: String,
    pub pid: u32,
    pub created: String,
}

impl LockInfo {
    /// A fresh lock for this process.
    pub fn new(operation: &str) -> LockInfo {
        LockInfo { id: uuid::Uuid::new_v4().to_string(), operation: operation.to_string(), who: who(), host: host(), pid: std::process::id(), created: now() }
    }

    /// Whether the holder is a process of this host that no longer runs (its lock can be taken
    /// over). A holder on another host is never presumed gone.
    pub fn holder_gone(&self) -> bool {
        // pid 0: a lock written by Terraform, which records no pid; never presumed gone.
        self.host == host() && self.pid != 0 && self.pid != std::process::id() && !pid_alive(self.pid)
    }

    /// Whether the holder is another process of this host that still runs.
    pub fn alive_here(&self) -> bool {
        self.host == host() && self.pid != std::process::id() && pid_alive(self.pid)
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PendingOp {
    pub id: i64,
    pub address: String,
    pub action: String,
    pub started_at: String,
    pub pid: u32,
    /// For a create: the object as far as the provider had made it when the run stopped (the
    /// provider reports it as soon as the object has an id), tainted; the next run adopts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<super::InstanceRecord>,
}

/// How the relational backends store [`PendingOp::object`]: its JSON text.
pub(crate) fn object_json(object: &ResourceInstanceState) -> String {
    serde_json::to_string(&super::InstanceRecord::of(object)).unwrap_or_default()
}

/// [`PendingOp::object`] back from its text (None when absent; unreadable text, which skyform
/// never writes, counts as absent: the entry is then reported as an interrupted create).
pub(crate) fn parse_object(text: Option<String>) -> Option<super::InstanceRecord> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct HistoryEntry {
    pub started_at: String,
    pub finished_at: String,
    pub who: String,
    pub host: String,
    pub command: String,
    pub added: u64,
    pub changed: u64,
    pub destroyed: u64,
    pub result: String,
    pub detail: String,
}

/// The result of a history entry recorded when a long command starts; one killed before it
/// ends keeps it.
pub const UNFINISHED: &str = "unfinished";

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The user taking a lock: `USER`, `LOGNAME`, else the OS user database.
pub fn who() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(u) = std::env::var(var) {
            if !u.is_empty() {
                return u;
            }
        }
    }
    // SAFETY: getpwuid returns a pointer into static storage or null; the name is copied at once.
    unsafe {
        let pw = libc::getpwuid(libc::getuid());
        if !pw.is_null() && !(*pw).pw_name.is_null() {
            return std::ffi::CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned();
        }
        format!("uid {}", libc::getuid())
    }
}

pub(crate) fn host() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether a row's address is the instance address its module, type, name and key make.
fn address_matches(address: &str, r: &super::ResourceInstanceState) -> bool {
    let Ok(parsed) = super::parse_key(address) else { return false };
    let key = parsed.key.as_ref().map(|k| match k {
        crate::addr::InstanceKey::Int(n) => serde_json::json!(n),
        crate::addr::InstanceKey::Str(s) => serde_json::json!(s),
    });
    parsed.resource.type_name == r.type_name && parsed.resource.name == r.name && parsed.resource.module.to_string() == r.module && key == r.index_key
}

/// Where one workspace's state lives. Every method is one durable step: when it returns `Ok`
/// the change survives a crash of this process.
pub trait Backend: Send + Sync {
    /// Where the state lives, for messages (`.skyform/state.db`, `s3://bucket/key`).
    fn describe(&self) -> String;
    fn lineage_serial(&self) -> StateResult<(String, u64)>;
    /// Loads everything.
    fn load(&self) -> StateResult<State>;
    /// Takes the lock if it is free; `Err(holder)` when someone holds it (also a holder that is
    /// gone: the user clears a stale lock with `force-unlock`; only PostgreSQL, whose server
    /// ends a dead holder's session lock, takes it over).
    fn try_lock(&self, operation: &str) -> StateResult<Result<LockInfo, LockInfo>>;
    fn release_lock(&self, id: &str) -> StateResult<()>;
    /// The lock as it stands, and whether its holder is known to be alive.
    fn current_lock(&self) -> StateResult<Option<(LockInfo, bool)>>;
    fn force_unlock(&self, id: &str) -> StateResult<()>;
    /// Journals an operation about to start (its id is passed to the commit that ends it).
    fn begin_operation(&self, address: &str, action: &str, prior: Option<&serde_json::Value>) -> StateResult<i64>;
    fn clear_operation(&self, id: i64) -> StateResult<()>;
    fn pending_operations(&self) -> StateResult<Vec<PendingOp>>;
    /// Records in a create's journal entry the object the provider has started (see
    /// [`PendingOp::object`]).
    fn record_object(&self, journal: i64, object: &ResourceInstanceState) -> StateResult<()>;
    /// Upserts one resource instance, clears its journal entry and bumps the serial, atomically.
    fn commit_resource(&self, journal: Option<i64>, res: &ResourceInstanceState) -> StateResult<()>;
    /// [`Backend::commit_resource`], answered through a future that resolves once the commit
    /// is durable, so the caller can go on with other work meanwhile (the engine's other
    /// applies, whose commits a server backend then groups into one transaction). The
    /// default commits before returning.
    fn commit_resource_queued(&self, journal: Option<i64>, res: &ResourceInstanceState) -> BoxFuture<'static, StateResult<()>> {
        Box::pin(std::future::ready(self.commit_resource(journal, res)))
    }
    /// Removes one resource instance, clears its journal entry and bumps the serial, atomically.
    fn delete_resource(&self, journal: Option<i64>, address: &str) -> StateResult<()>;
    /// Replaces the outputs and bumps the serial.
    fn write_outputs(&self, outputs: &BTreeMap<String, OutputState>) -> StateResult<()>;
    /// Renames instances, all at once (the caller has checked sources and destinations).
    fn rename_resources(&self, moves: &[(String, String)]) -> StateResult<()>;
    fn set_tainted(&self, address: &str, tainted: bool) -> StateResult<()>;
    /// Replaces the whole state (`state push`, migration), keeping the given lineage and serial.
    fn replace_state(&self, state: &State) -> StateResult<()>;
    /// Appends an entry, or completes the one this run started: an entry with the same start,
    /// holder and command whose result is still [`UNFINISHED`].
    fn record_history(&self, e: &HistoryEntry) -> StateResult<()>;
    /// The newest `limit` entries, newest first.
    fn history(&self, limit: usize) -> StateResult<Vec<HistoryEntry>>;
    /// Writes out anything held back (remote backends batch their uploads).
    fn flush(&self) -> StateResult<()> {
        Ok(())
    }
    /// Leaves no copy of deleted or replaced values in the storage (after state encryption
    /// re-sealed every value: SQLite's free pages and write-ahead log would keep the old text).
    fn scrub(&self) -> StateResult<()> {
        Ok(())
    }
    /// Keeps a copy of the state as it is, before a command changes it; where it went, if
    /// the backend keeps one (the local database's `.backup` file; servers keep their own).
    fn backup(&self) -> StateResult<Option<String>> {
        Ok(None)
    }
}

/// The state store: a backend, with the shared operations on top.
pub struct StateStore {
    backend: Box<dyn Backend>,
}

impl StateStore {
    /// The local SQLite database at `path`, created on first use.
    pub fn open(path: &Path) -> StateResult<StateStore> {
        Ok(StateStore::new(Box::new(super::sqlite::SqliteBackend::open(path)?)))
    }

    pub fn new(backend: Box<dyn Backend>) -> StateStore {
        StateStore { backend }
    }

    /// The newest schema version this build knows.
    pub fn schema_version() -> i64 {
        super::sqlite::SqliteBackend::schema_version()
    }

    pub fn describe(&self) -> String {
        self.backend.describe()
    }

    pub fn lineage_serial(&self) -> StateResult<(String, u64)> {
        self.backend.lineage_serial()
    }

    /// Loads everything; a row whose address is not a resource instance address (or does not
    /// match its own type, name and key) is refused, never planned as something to destroy.
    pub fn load(&self) -> StateResult<State> {
        let state = self.backend.load()?;
        // Values a configured cipher would have opened: this state was written encrypted.
        if state.resources.values().any(|r| super::sealed::is_sealed_value(&r.attributes))
            || state.outputs.values().any(|o| super::sealed::is_sealed_value(&o.value))
        {
            return Err(StateError::Remote {
                place: self.backend.describe(),
                detail: "the state is encrypted, and no state encryption is configured: add the terraform { encryption { ... } } block (or TF_ENCRYPTION) it was written with".into(),
            });
        }
        let bad: Vec<&str> = state.resources.iter().filter(|(k, r)| !address_matches(k, r)).map(|(k, _)| k.as_str()).collect();
        if !bad.is_empty() {
            return Err(StateError::Corrupt {
                path: PathBuf::from(self.backend.describe()),
                detail: format!(
                    "{} resource row(s) have an address that is not a resource instance address matching their type, name and key ({}); skyform will not plan with them, since it would plan to destroy what they track. Restore a backup of the state, or correct those rows",
                    bad.len(),
                    bad.iter().take(5).map(|a| format!("{a:?}")).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        Ok(state)
    }

    /// Takes the lock, failing at once (or after `timeout`) when another live process holds it.
    pub fn acquire_lock(&self, operation: &str, timeout: Duration) -> StateResult<LockInfo> {
        let start = Instant::now();
        let mut gone: Option<LockInfo> = None;
        loop {
            match self.backend.try_lock(operation)? {
                Ok(info) => {
                    log(Level::Info, "state", || format!("lock {} taken for {operation} on {}", info.id, self.backend.describe()));
                    return Ok(info);
                }
                // A holder known to be gone (seen twice, so that one exiting this very moment
                // has released its lock) is reported at once: waiting would not help, and
                // taking the lock over without a word would hide that a run was cut short.
                Err(holder) if holder.holder_gone() && gone.as_ref() == Some(&holder) => return Err(StateError::StaleLock(holder)),
                Err(holder) if holder.holder_gone() => {
                    gone = Some(holder);
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(holder) if start.elapsed() >= timeout => {
                    log(Level::Warn, "state", || {
                        format!(
                            "lock held by {}@{} (pid {}, {}) since {}: {}",
                            holder.who, holder.host, holder.pid, holder.operation, holder.created, holder.id
                        )
                    });
                    return Err(StateError::Locked(holder));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    pub fn release_lock(&self, id: &str) -> StateResult<()> {
        self.backend.flush()?;
        log(Level::Info, "state", || format!("lock {id} released"));
        self.backend.release_lock(id)
    }

    pub fn current_lock(&self) -> StateResult<Option<(LockInfo, bool)>> {
        self.backend.current_lock()
    }

    pub fn force_unlock(&self, id: &str) -> StateResult<()> {
        log(Level::Warn, "state", || format!("lock {id} forcibly removed"));
        self.backend.force_unlock(id)
    }

    pub fn begin_operation(&self, address: &str, action: &str, prior: Option<&serde_json::Value>) -> StateResult<i64> {
        self.backend.begin_operation(address, action, prior)
    }

    pub fn clear_operation(&self, id: i64) -> StateResult<()> {
        self.backend.clear_operation(id)
    }

    pub fn pending_operations(&self) -> StateResult<Vec<PendingOp>> {
        self.backend.pending_operations()
    }

    pub fn record_object(&self, journal: i64, object: &ResourceInstanceState) -> StateResult<()> {
        log(Level::Debug, "state", || format!("journal {journal}: {} started", object.address));
        self.backend.record_object(journal, object)
    }

    pub fn commit_resource(&self, journal: Option<i64>, res: &ResourceInstanceState) -> StateResult<()> {
        log(Level::Trace, "state", || format!("commit {}{}", res.address, if res.tainted { " (tainted)" } else { "" }));
        self.backend.commit_resource(journal, res)
    }

    /// See [`Backend::commit_resource_queued`]: done when the commit is durable.
    pub async fn commit_resource_queued(&self, journal: Option<i64>, res: &ResourceInstanceState) -> StateResult<()> {
        log(Level::Trace, "state", || format!("commit {}{}", res.address, if res.tainted { " (tainted)" } else { "" }));
        self.backend.commit_resource_queued(journal, res).await
    }

    pub fn delete_resource(&self, journal: Option<i64>, address: &str) -> StateResult<()> {
        log(Level::Trace, "state", || format!("remove {address}"));
        self.backend.delete_resource(journal, address)
    }

    /// Replaces the outputs; bumps the serial only if something changed.
    pub fn replace_outputs(&self, outputs: &BTreeMap<String, OutputState>) -> StateResult<()> {
        if self.backend.load()?.outputs == *outputs {
            return Ok(());
        }
        self.backend.write_outputs(outputs)
    }

    /// `state mv`: renames an instance, keeping its attributes.
    pub fn move_resource(&self, from: &str, to: &str) -> StateResult<()> {
        self.move_resources(&[(from.to_string(), to.to_string())])
    }

    /// Moves an instance's object aside as a deposed object (`deposed`: its state key), in one
    /// step, before a create-before-destroy replacement creates the new one; or back.
    pub fn depose(&self, from: &str, to: &str) -> StateResult<()> {
        self.backend.rename_resources(&[(from.to_string(), to.to_string())])
    }

    /// Renames instances (`state mv`, `moved` blocks), all at once: every source must exist
    /// and no destination may, else nothing is written.
    pub fn move_resources(&self, moves: &[(String, String)]) -> StateResult<()> {
        if moves.is_empty() {
            return Ok(());
        }
        let state = self.backend.load()?;
        let sources: std::collections::HashSet<&str> = moves.iter().map(|m| m.0.as_str()).collect();
        for (from, to) in moves {
            super::parse_key(to).map_err(|e| StateError::NotFound(e.to_string()))?;
            if !state.resources.contains_key(from) {
                return Err(StateError::NotFound(from.to_string()));
            }
            if state.resources.contains_key(to) && !sources.contains(to.as_str()) {
                return Err(StateError::AlreadyExists(to.to_string()));
            }
        }
        self.backend.rename_resources(moves)
    }

    /// `taint` / `untaint`: marks an instance to be replaced by the next plan, or clears it.
    pub fn set_tainted(&self, address: &str, tainted: bool) -> StateResult<()> {
        self.backend.set_tainted(address, tainted)
    }

    /// `state rm`: forgets an instance.
    pub fn remove_resource(&self, address: &str) -> StateResult<()> {
        if !self.backend.load()?.resources.contains_key(address) {
            return Err(StateError::NotFound(address.to_string()));
        }
        self.backend.delete_resource(None, address)
    }

    /// `state push` and migration: the whole state replaced, lineage and serial as given.
    pub fn replace_state(&self, state: &State) -> StateResult<()> {
        self.backend.replace_state(state)?;
        self.backend.flush()
    }

    pub fn record_history(&self, e: &HistoryEntry) -> StateResult<()> {
        self.backend.record_history(e)
    }

    pub fn history(&self, limit: usize) -> StateResult<Vec<HistoryEntry>> {
        self.backend.history(limit)
    }

    pub fn flush(&self) -> StateResult<()> {
        self.backend.flush()
    }

    pub fn backup(&self) -> StateResult<Option<String>> {
        self.backend.backup()
    }
}

impl Drop for StateStore {
    fn drop(&mut self) {
        if let Err(e) = self.backend.flush() {
            eprintln!("Error: Failed to write the state to {}: {e}", self.backend.describe());
        }
    }
}
