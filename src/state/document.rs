//! The document backends (`s3`, `azurerm`): the state is Terraform's state file (format
//! version 4) in one object of an object store, so Terraform and `terraform_remote_state` can
//! read what skyform writes. The store ([`ObjectStore`]) supplies get/put/delete and the lock
//! (S3: a lock object written by a conditional put; Azure: a lease on the state blob).
//!
//! Writes are batched: every commit first goes to a small journal object beside the state
//! (`KEY.skyform-journal`: the resource records and outputs changed since the state object was
//! last written, and the operations in flight), and the whole state object is rewritten only
//! every [`BATCH`] commits, every [`BATCH_INTERVAL`], and when the lock is released. Loading
//! applies the journal over the state object, so a crash between two state uploads loses
//! nothing: each commit is durable the moment its journal write returns. The audit history is
//! `KEY.skyform-history`.
//!
//! The cloud SDKs are asynchronous and the engine calls the store from its own runtime's
//! threads, so the stores run their requests on a thread of their own ([`Worker`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use super::encryption::Cipher;
use super::store::{now, Backend, HistoryEntry, LockInfo, PendingOp, StateError, StateResult};
use super::{InstanceRecord, OutputState, ResourceInstanceState, State};
use crate::value::{AttrPath, Value};

/// The state object is rewritten after this many journalled commits...
const BATCH: usize = 50;
/// ...or when the oldest journalled commit is this old.
const BATCH_INTERVAL: Duration = Duration::from_secs(5);

/// An object store holding state objects.
pub trait ObjectStore: Send + Sync {
    /// Where the object `key` is, for messages (`s3://bucket/key`).
    fn place(&self, key: &str) -> String;
    /// The object's bytes, or None when it does not exist.
    fn get(&self, key: &str) -> StateResult<Option<Vec<u8>>>;
    fn put(&self, key: &str, body: Vec<u8>) -> StateResult<()>;
    fn delete(&self, key: &str) -> StateResult<()>;
    /// Whether the store locks at all (S3 without `use_lockfile` does not).
    fn locks(&self) -> bool {
        true
    }
    /// Takes the lock of the state object `key`: the lock as held (the store may choose its
    /// ID: an Azure lease ID), or the holder's when someone holds it.
    fn lock(&self, key: &str, info: LockInfo) -> StateResult<Result<LockInfo, LockInfo>>;
    /// Who holds the lock of the state object `key`.
    fn read_lock(&self, key: &str) -> StateResult<Option<LockInfo>>;
    /// Removes the lock `id` of the state object `key` (released, taken over or forced).
    fn unlock(&self, key: &str, id: &str) -> StateResult<()>;
}

type Job = Box<dyn FnOnce(&tokio::runtime::Runtime) + Send>;

/// A thread with a runtime of its own that runs the backend's requests.
pub(crate) struct Worker {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl Worker {
    pub(crate) fn new(name: &str) -> std::io::Result<Worker> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new().name(name.into()).spawn(move || {
            for job in inbox {
                job(&rt);
            }
        })?;
        Ok(Worker { jobs: Mutex::new(jobs) })
    }

    pub(crate) fn run<T: Send + 'static>(&self, fut: impl Future<Output = T> + Send + 'static) -> Option<T> {
        let (reply, answer) = mpsc::channel();
        let job: Job = Box::new(move |rt| {
            let _ = reply.send(rt.block_on(fut));
        });
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).send(job).ok()?;
        answer.recv().ok()
    }
}

/// An output as the journal records it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct OutputRecord {
    value: serde_json::Value,
    set_paths: Vec<AttrPath>,
    sensitive: bool,
}

/// What is not yet in the state object.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct Journal {
    /// The state object's lineage and serial the changes apply to.
    lineage: String,
    base_serial: u64,
    /// The serial after the changes.
    serial: u64,
    /// Changed instances: the new record, or None when deleted.
    resources: BTreeMap<String, Option<InstanceRecord>>,
    outputs: Option<BTreeMap<String, OutputRecord>>,
    next_op: i64,
    operations: Vec<PendingOp>,
}

struct Inner {
    state: State,
    journal: Journal,
    /// When the oldest change not in the state object was journalled.
    dirty_since: Option<Instant>,
}

/// One workspace's state in an object store.
pub struct DocumentBackend {
    store: Box<dyn ObjectStore>,
    /// The state object's key.
    key: String,
    /// Seals the state, journal and history objects (state encryption), when configured.
    cipher: Option<Arc<Cipher>>,
    inner: Mutex<Inner>,
}

/// Terraform's lock file body (S3's `KEY.tflock`, Azure's lease metadata), with skyform's
/// holder details (pid) in `Info`.
pub(crate) fn lock_body(info: &LockInfo, path: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "ID": info.id,
        "Operation": info.operation,
        "Info": serde_json::to_string(info).unwrap_or_default(),
        "Who": format!("{}@{}", info.who, info.host),
        "Version": env!("CARGO_PKG_VERSION"),
        "Created": info.created,
        "Path": path,
    }))
    .unwrap_or_default()
}

/// The holder described by a lock file body; one written by Terraform has `Who` as
/// user@host and no pid.
pub(crate) fn parse_lock(bytes: &[u8]) -> LockInfo {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    if let Some(info) = v["Info"].as_str().and_then(|i| serde_json::from_str::<LockInfo>(i).ok()) {
        return info;
    }
    let who = v["Who"].as_str().unwrap_or("unknown");
    let (user, host) = who.split_once('@').unwrap_or((who, ""));
    LockInfo {
        id: v["ID"].as_str().unwrap_or_default().to_string(),
        operation: v["Operation"].as_str().unwrap_or_default().to_string(),
        who: user.to_string(),
        host: host.to_string(),
        pid: 0,
        created: v["Created"].as_str().unwrap_or_default().to_string(),
    }
}

impl DocumentBackend {
    /// The state object `key`, not read yet.
    pub fn new(store: Box<dyn ObjectStore>, key: String, cipher: Option<Arc<Cipher>>) -> DocumentBackend {
        DocumentBackend { store, key, cipher, inner: Mutex::new(Inner { state: State::default(), journal: Journal::default(), dirty_since: None }) }
    }

    /// Opens the state object `key` (nothing is written until something changes).
    pub fn open(store: Box<dyn ObjectStore>, key: String, cipher: Option<Arc<Cipher>>) -> StateResult<DocumentBackend> {
        let backend = DocumentBackend::new(store, key, cipher);
        let (state, journal) = backend.fetch()?;
        *backend.lock_inner() = Inner { state, journal, dirty_since: None };
        Ok(backend)
    }

    fn err(&self, detail: impl std::fmt::Display) -> StateError {
        StateError::Remote { place: self.store.place(&self.key), detail: detail.to_string() }
    }

    fn lock_inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An object's bytes, opened when sealed (an encrypted object without encryption
    /// configured is an error naming it, not a parse error).
    fn get(&self, key: &str) -> StateResult<Option<Vec<u8>>> {
        let Some(bytes) = self.store.get(key)? else { return Ok(None) };
        match &self.cipher {
            Some(c) => c.open(&bytes).map(|o| Some(o.data)).map_err(|e| self.err(format!("{}: {e}", self.store.place(key)))),
            None if super::encryption::is_sealed(&bytes) => Err(self.err(format!(
                "{} is encrypted, and no encryption is configured: add the terraform {{ encryption {{ ... }} }} block (or TF_ENCRYPTION) it was written with",
                self.store.place(key)
            ))),
            None => Ok(Some(bytes)),
        }
    }

    fn put(&self, key: &str, body: Vec<u8>) -> StateResult<()> {
        let body = match &self.cipher {
            Some(c) => c.seal(&body).map_err(|e| self.err(e))?,
            None => body,
        };
        self.store.put(key, body)
    }

    fn delete(&self, key: &str) -> StateResult<()> {
        self.store.delete(key)
    }

    fn journal_key(&self) -> String {
        format!("{}.skyform-journal", self.key)
    }

    fn history_key(&self) -> String {
        format!("{}.skyform-history", self.key)
    }

    /// Deletes the workspace's objects (state, journal, history).
    pub fn delete_all(&self) -> StateResult<()> {
        for key in [self.journal_key(), self.history_key(), self.key.clone()] {
            self.delete(&key)?;
        }
        Ok(())
    }

    /// The state object with the journal applied (a new lineage when there is none yet).
    fn fetch(&self) -> StateResult<(State, Journal)> {
        let journal: Journal = match self.get(&self.journal_key())? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| self.err(format!("the journal object {} is unreadable: {e}", self.journal_key())))?,
            None => Journal::default(),
        };
        let mut state = match self.get(&self.key)? {
            Some(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| self.err("the state object is not UTF-8 text"))?;
                let mut st = super::tfstate::parse_tfstate(&text).map_err(|e| self.err(format!("the state object is not a Terraform state: {e}")))?;
                st.stamp_times();
                st
            }
            // No state object yet: the journal of a run that stopped before its first upload
            // says which lineage this state has.
            None if !journal.lineage.is_empty() => State { lineage: journal.lineage.clone(), serial: journal.base_serial, ..State::default() },
            None => State { lineage: uuid::Uuid::new_v4().to_string(), ..State::default() },
        };
        // A journal for the state object as it is: apply it. One older than the object (the
        // object was written after it, then the journal could not be cleared) is spent.
        if journal.lineage == state.lineage && journal.base_serial == state.serial {
            apply_journal(&mut state, &journal);
            Ok((state, journal))
        } else {
            Ok((state, Journal { operations: journal.operations, next_op: journal.next_op, ..Journal::default() }))
        }
    }

    fn write_journal(&self, journal: &Journal) -> StateResult<()> {
        let body = serde_json::to_vec(journal).map_err(|e| self.err(e))?;
        self.put(&self.journal_key(), body)
    }

    /// Writes the journal (the durable step of every change), then the state object when the
    /// batch is full or old enough.
    fn persist(&self, inner: &mut Inner) -> StateResult<()> {
        inner.journal.serial = inner.state.serial;
        self.write_journal(&inner.journal)?;
        let since = *inner.dirty_since.get_or_insert_with(Instant::now);
        if inner.journal.resources.len() >= BATCH || since.elapsed() >= BATCH_INTERVAL {
            self.upload(inner)?;
        }
        Ok(())
    }

    /// Writes the whole state object, then empties the journal of what it now holds.
    fn upload(&self, inner: &mut Inner) -> StateResult<()> {
        let registry = crate::provider::Registry::builtin();
        let text = super::tfstate::to_tfstate_string(&inner.state, &registry);
        self.put(&self.key, text.into_bytes())?;
        inner.journal = Journal {
            lineage: inner.state.lineage.clone(),
            base_serial: inner.state.serial,
            serial: inner.state.serial,
            next_op: inner.journal.next_op,
            operations: std::mem::take(&mut inner.journal.operations),
            ..Journal::default()
        };
        inner.dirty_since = None;
        if inner.journal.operations.is_empty() {
            self.delete(&self.journal_key())
        } else {
            self.write_journal(&inner.journal)
        }
    }

    /// One change: applied in memory, journalled, the serial bumped.
    fn change(&self, journal_op: Option<i64>, f: impl FnOnce(&mut State, &mut Journal) -> StateResult<()>) -> StateResult<()> {
        let mut inner = self.lock_inner();
        let before = (inner.state.clone(), inner.journal.clone());
        if inner.journal.resources.is_empty() && inner.journal.outputs.is_none() {
            inner.journal.lineage = inner.state.lineage.clone();
            inner.journal.base_serial = inner.state.serial;
        }
        let Inner { state, journal, .. } = &mut *inner;
        f(state, journal)?;
        if let Some(id) = journal_op {
            journal.operations.retain(|o| o.id != id);
        }
        state.serial += 1;
        let result = self.persist(&mut inner);
        if result.is_err() {
            (inner.state, inner.journal) = before;
        }
        result
    }
}

fn apply_journal(state: &mut State, journal: &Journal) {
    for (addr, rec) in &journal.resources {
        match rec {
            Some(r) => {
                state.resources.insert(addr.clone(), r.clone().state());
            }
            None => {
                state.resources.remove(addr);
            }
        }
    }
    if let Some(outputs) = &journal.outputs {
        state.outputs = outputs
            .iter()
            .map(|(k, o)| (k.clone(), OutputState { value: Value::from_json(&o.value).with_sets(&o.set_paths), sensitive: o.sensitive }))
            .collect();
    }
    state.serial = journal.serial;
}

impl Backend for DocumentBackend {
    fn describe(&self) -> String {
        self.store.place(&self.key)
    }

    fn lineage_serial(&self) -> StateResult<(String, u64)> {
        let inner = self.lock_inner();
        Ok((inner.state.lineage.clone(), inner.state.serial))
    }

    fn load(&self) -> StateResult<State> {
        Ok(self.lock_inner().state.clone())
    }

    fn try_lock(&self, operation: &str) -> StateResult<Result<LockInfo, LockInfo>> {
        if !self.store.locks() {
            return Ok(Ok(LockInfo::new(operation)));
        }
        let info = match self.store.lock(&self.key, LockInfo::new(operation))? {
            Ok(info) => info,
            Err(holder) => return Ok(Err(holder)),
        };
        // Someone may have written between our open and the lock: read afresh.
        let (state, journal) = self.fetch()?;
        *self.lock_inner() = Inner { state, journal, dirty_since: None };
        Ok(Ok(info))
    }

    fn release_lock(&self, id: &str) -> StateResult<()> {
        if !self.store.locks() {
            return Ok(());
        }
        match self.store.read_lock(&self.key)? {
            Some(h) if h.id == id => self.store.unlock(&self.key, id),
            _ => Ok(()),
        }
    }

    fn current_lock(&self) -> StateResult<Option<(LockInfo, bool)>> {
        Ok(self.store.read_lock(&self.key)?.map(|h| {
            let alive = h.alive_here();
            (h, alive)
        }))
    }

    fn force_unlock(&self, id: &str) -> StateResult<()> {
        match self.store.read_lock(&self.key)? {
            Some(h) if h.id == id => self.store.unlock(&self.key, id),
            holder => Err(StateError::LockIdMismatch { given: id.to_string(), holder }),
        }
    }

    fn begin_operation(&self, address: &str, action: &str, _prior: Option<&serde_json::Value>) -> StateResult<i64> {
        let mut inner = self.lock_inner();
        inner.journal.next_op += 1;
        let id = inner.journal.next_op;
        inner.journal.operations.push(PendingOp {
            id,
            address: address.to_string(),
            action: action.to_string(),
            started_at: now(),
            pid: std::process::id(),
            object: None,
        });
        self.write_journal(&inner.journal)?;
        Ok(id)
    }

    fn clear_operation(&self, id: i64) -> StateResult<()> {
        let mut inner = self.lock_inner();
        inner.journal.operations.retain(|o| o.id != id);
        self.write_journal(&inner.journal)
    }

    fn pending_operations(&self) -> StateResult<Vec<PendingOp>> {
        Ok(self.lock_inner().journal.operations.clone())
    }

    fn record_object(&self, journal: i64, object: &ResourceInstanceState) -> StateResult<()> {
        let mut inner = self.lock_inner();
        let Some(op) = inner.journal.operations.iter_mut().find(|o| o.id == journal) else { return Ok(()) };
        op.object = Some(InstanceRecord::of(object));
        self.write_journal(&inner.journal)
    }

    fn commit_resource(&self, journal: Option<i64>, res: &ResourceInstanceState) -> StateResult<()> {
        self.change(journal, |state, j| {
            let ts = now();
            let mut r = res.clone();
            r.created_at = state.resources.get(&res.address).map(|old| old.created_at.clone()).unwrap_or_else(|| ts.clone());
            r.updated_at = ts;
            j.resources.insert(r.address.clone(), Some(InstanceRecord::of(&r)));
            state.resources.insert(r.address.clone(), r);
            Ok(())
        })
    }

    fn delete_resource(&self, journal: Option<i64>, address: &str) -> StateResult<()> {
        self.change(journal, |state, j| {
            state.resources.remove(address);
            j.resources.insert(address.to_string(), None);
            Ok(())
        })
    }

    fn write_outputs(&self, outputs: &BTreeMap<String, OutputState>) -> StateResult<()> {
        self.change(None, |state, j| {
            state.outputs = outputs.clone();
            j.outputs = Some(
                outputs
                    .iter()
                    .map(|(k, o)| (k.clone(), OutputRecord { value: o.value.to_json(), set_paths: o.value.set_paths(), sensitive: o.sensitive }))
                    .collect(),
            );
            Ok(())
        })
    }

    fn rename_resources(&self, moves: &[(String, String)]) -> StateResult<()> {
        self.change(None, |state, j| {
            if let Some((_, to)) = moves.iter().find(|(_, to)| state.resources.contains_key(to) && !moves.iter().any(|(from, _)| from == to)) {
                return Err(StateError::AlreadyExists(to.clone()));
            }
            let mut taken = Vec::with_capacity(moves.len());
            for (from, to) in moves {
                let r = state.resources.remove(from).ok_or_else(|| StateError::NotFound(from.clone()))?;
                j.resources.insert(from.clone(), None);
                taken.push((to, r));
            }
            for (to, mut r) in taken {
                let addr = super::parse_key(to).map_err(|e| StateError::NotFound(e.to_string()))?;
                r.address = to.clone();
                r.module = addr.resource.module.to_string();
                r.type_name = addr.resource.type_name.clone();
                r.name = addr.resource.name.clone();
                r.index_key = addr.key.as_ref().map(|k| match k {
                    crate::addr::InstanceKey::Int(n) => serde_json::json!(n),
                    crate::addr::InstanceKey::Str(s) => serde_json::json!(s),
                });
                r.updated_at = now();
                j.resources.insert(to.clone(), Some(InstanceRecord::of(&r)));
                state.resources.insert(to.clone(), r);
            }
            Ok(())
        })
    }

    fn set_tainted(&self, address: &str, tainted: bool) -> StateResult<()> {
        self.change(None, |state, j| {
            let r = state.resources.get_mut(address).filter(|r| r.mode == "managed").ok_or_else(|| StateError::NotFound(address.to_string()))?;
            r.tainted = tainted;
            j.resources.insert(address.to_string(), Some(InstanceRecord::of(r)));
            Ok(())
        })
    }

    fn replace_state(&self, state: &State) -> StateResult<()> {
        let mut inner = self.lock_inner();
        inner.state = state.clone();
        inner.journal.resources.clear();
        inner.journal.outputs = None;
        self.upload(&mut inner)
    }

    fn record_history(&self, e: &HistoryEntry) -> StateResult<()> {
        let mut entries: Vec<HistoryEntry> = match self.get(&self.history_key())? {
            Some(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            None => Vec::new(),
        };
        let started = entries.iter().rposition(|x| {
            x.result == super::store::UNFINISHED && x.started_at == e.started_at && x.who == e.who && x.host == e.host && x.command == e.command
        });
        match started {
            Some(i) => entries[i] = e.clone(),
            None => entries.push(e.clone()),
        }
        let body = serde_json::to_vec(&entries).map_err(|e| self.err(e))?;
        self.put(&self.history_key(), body)
    }

    fn history(&self, limit: usize) -> StateResult<Vec<HistoryEntry>> {
        let entries: Vec<HistoryEntry> = match self.get(&self.history_key())? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| self.err(format!("the history object is unreadable: {e}")))?,
            None => Vec::new(),
        };
        Ok(entries.into_iter().rev().take(limit).collect())
    }

    fn flush(&self) -> StateResult<()> {
        let mut inner = self.lock_inner();
        // Only this process's own changes: a journal left by a run that crashed is applied on
        // reading but written out by the next run that changes the state (under the lock), not
        // by a reading command that holds no lock.
        if inner.dirty_since.is_none() {
            return Ok(());
        }
        self.upload(&mut inner)
    }
}
