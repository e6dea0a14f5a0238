//! The `s3` backend: the state is Terraform's state file (format version 4) in an S3 object,
//! so Terraform and `terraform_remote_state` can read what skyform writes, with the lock as a
//! lock object written by a conditional put (`use_lockfile = true`, as Terraform 1.10+).
//!
//! Writes are batched: every commit first goes to a small journal object beside the state
//! (`KEY.skyform-journal`: the resource records and outputs changed since the state object was
//! last written, and the operations in flight), and the whole state object is rewritten only
//! every [`BATCH`] commits, every [`BATCH_INTERVAL`], and when the lock is released. Loading
//! applies the journal over the state object, so a crash between two state uploads loses
//! nothing: each commit is durable the moment its journal write returns. The audit history is
//! `KEY.skyform-history`. Workspaces other than `default` live at
//! `WORKSPACE_KEY_PREFIX/NAME/KEY`, as Terraform keeps them.
//!
//! The AWS SDK is asynchronous and the engine calls the store from its own runtime's threads,
//! so every request runs on a thread of this backend's own ([`Worker`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::ByteStream;

use super::store::{now, Backend, HistoryEntry, LockInfo, PendingOp, StateError, StateResult};
use super::{OutputState, ResourceInstanceState, State};
use crate::value::{AttrPath, Value};

/// The state object is rewritten after this many journalled commits...
const BATCH: usize = 50;
/// ...or when the oldest journalled commit is this old.
const BATCH_INTERVAL: Duration = Duration::from_secs(5);

/// The backend block's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct S3Settings {
    pub bucket: String,
    pub key: String,
    pub region: String,
    pub workspace_key_prefix: String,
    pub encrypt: bool,
    pub use_lockfile: bool,
    pub endpoint: Option<String>,
    pub use_path_style: bool,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub profile: Option<String>,
}

impl S3Settings {
    /// The object key of a workspace's state.
    pub fn state_key(&self, workspace: &str) -> String {
        if workspace == "default" {
            self.key.clone()
        } else {
            format!("{}/{workspace}/{}", self.workspace_key_prefix, self.key)
        }
    }

    pub fn describe(&self, workspace: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.state_key(workspace))
    }
}

type Job = Box<dyn FnOnce(&tokio::runtime::Runtime) + Send>;

/// A thread with a runtime of its own that runs the backend's requests.
struct Worker {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl Worker {
    fn new() -> std::io::Result<Worker> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new().name("skyform-s3-state".into()).spawn(move || {
            for job in inbox {
                job(&rt);
            }
        })?;
        Ok(Worker { jobs: Mutex::new(jobs) })
    }

    fn run<T: Send + 'static>(&self, fut: impl Future<Output = T> + Send + 'static) -> Option<T> {
        let (reply, answer) = mpsc::channel();
        let job: Job = Box::new(move |rt| {
            let _ = reply.send(rt.block_on(fut));
        });
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).send(job).ok()?;
        answer.recv().ok()
    }
}

/// A resource instance as the journal records it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Record {
    address: String,
    module: String,
    mode: String,
    type_name: String,
    name: String,
    index_key: Option<serde_json::Value>,
    provider: String,
    schema_version: u64,
    attributes: serde_json::Value,
    sensitive_paths: Vec<AttrPath>,
    dependencies: Vec<String>,
    created_at: String,
    updated_at: String,
    tainted: bool,
}

impl Record {
    fn of(r: &ResourceInstanceState) -> Record {
        Record {
            address: r.address.clone(),
            module: r.module.clone(),
            mode: r.mode.clone(),
            type_name: r.type_name.clone(),
            name: r.name.clone(),
            index_key: r.index_key.clone(),
            provider: r.provider.clone(),
            schema_version: r.schema_version,
            attributes: r.attributes.to_json(),
            sensitive_paths: r.sensitive_paths.clone(),
            dependencies: r.dependencies.clone(),
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
            tainted: r.tainted,
        }
    }

    fn state(self) -> ResourceInstanceState {
        ResourceInstanceState {
            attributes: Value::from_json(&self.attributes),
            address: self.address,
            module: self.module,
            mode: self.mode,
            type_name: self.type_name,
            name: self.name,
            index_key: self.index_key,
            provider: self.provider,
            schema_version: self.schema_version,
            sensitive_paths: self.sensitive_paths,
            dependencies: self.dependencies,
            created_at: self.created_at,
            updated_at: self.updated_at,
            tainted: self.tainted,
        }
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
    resources: BTreeMap<String, Option<Record>>,
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

pub struct S3Backend {
    settings: S3Settings,
    workspace: String,
    key: String,
    client: aws_sdk_s3::Client,
    worker: Worker,
    inner: Mutex<Inner>,
}

/// An S3 client for the settings (credentials: the block, else the usual AWS chain).
async fn client(settings: S3Settings) -> aws_sdk_s3::Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).region(aws_config::Region::new(settings.region.clone()));
    if let (Some(ak), Some(sk)) = (&settings.access_key, &settings.secret_key) {
        loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(ak, sk, settings.token.clone(), None, "skyform-backend-block"));
    } else if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    let sdk = loader.load().await;
    let mut s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(settings.use_path_style);
    if let Some(url) = &settings.endpoint {
        s3 = s3.endpoint_url(url);
    }
    aws_sdk_s3::Client::from_conf(s3.build())
}

/// The object's bytes, or None when it does not exist.
async fn get(client: aws_sdk_s3::Client, bucket: String, key: String) -> Result<Option<Vec<u8>>, String> {
    match client.get_object().bucket(&bucket).key(&key).send().await {
        Ok(out) => out.body.collect().await.map(|b| Some(b.into_bytes().to_vec())).map_err(|e| e.to_string()),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
        Err(e) => Err(sdk_error(&e)),
    }
}

fn sdk_error<E: std::error::Error + aws_sdk_s3::error::ProvideErrorMetadata + 'static>(e: &aws_sdk_s3::error::SdkError<E>) -> String {
    use aws_sdk_s3::error::ProvideErrorMetadata;
    match e {
        aws_sdk_s3::error::SdkError::ServiceError(s) => {
            let meta = s.raw().status().as_u16();
            let code = e.code().unwrap_or("error");
            let msg = e.message().unwrap_or("");
            format!("{code} (HTTP {meta}) {msg}").trim().to_string()
        }
        other => {
            let mut text = other.to_string();
            let mut src = std::error::Error::source(other);
            while let Some(s) = src {
                text = format!("{text}: {s}");
                src = s.source();
            }
            text
        }
    }
}

impl S3Backend {
    pub fn open(settings: &S3Settings, workspace: &str) -> StateResult<S3Backend> {
        let place = settings.describe(workspace);
        let worker = Worker::new().map_err(|e| StateError::Remote { place: place.clone(), detail: format!("could not start its request thread: {e}") })?;
        let client =
            worker.run(client(settings.clone())).ok_or_else(|| StateError::Remote { place: place.clone(), detail: "the request thread stopped".into() })?;
        let backend = S3Backend {
            settings: settings.clone(),
            workspace: workspace.to_string(),
            key: settings.state_key(workspace),
            client,
            worker,
            inner: Mutex::new(Inner { state: State::default(), journal: Journal::default(), dirty_since: None }),
        };
        let (state, journal) = backend.fetch()?;
        *backend.lock_inner() = Inner { state, journal, dirty_since: None };
        Ok(backend)
    }

    fn err(&self, detail: impl std::fmt::Display) -> StateError {
        StateError::Remote { place: self.settings.describe(&self.workspace), detail: detail.to_string() }
    }

    fn lock_inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, key: &str) -> StateResult<Option<Vec<u8>>> {
        self.worker
            .run(get(self.client.clone(), self.settings.bucket.clone(), key.to_string()))
            .ok_or_else(|| self.err("the request thread stopped"))?
            .map_err(|e| self.err(e))
    }

    fn put(&self, key: &str, body: Vec<u8>) -> StateResult<()> {
        self.put_object(key, body, false).map(|_| ())
    }

    /// Writes the object; with `only_if_absent`, only if there is none (false: there was).
    fn put_object(&self, key: &str, body: Vec<u8>, only_if_absent: bool) -> StateResult<bool> {
        let (client, bucket, key, encrypt) = (self.client.clone(), self.settings.bucket.clone(), key.to_string(), self.settings.encrypt);
        let fut = async move {
            let mut req = client.put_object().bucket(bucket).key(key).body(ByteStream::from(body)).content_type("application/json");
            if encrypt {
                req = req.server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::Aes256);
            }
            if only_if_absent {
                req = req.if_none_match("*");
            }
            match req.send().await {
                Ok(_) => Ok(true),
                Err(e) if only_if_absent && e.raw_response().is_some_and(|r| r.status().as_u16() == 412 || r.status().as_u16() == 409) => Ok(false),
                Err(e) => Err(sdk_error(&e)),
            }
        };
        self.worker.run(fut).ok_or_else(|| self.err("the request thread stopped"))?.map_err(|e| self.err(e))
    }

    fn delete(&self, key: &str) -> StateResult<()> {
        let (client, bucket, key) = (self.client.clone(), self.settings.bucket.clone(), key.to_string());
        let fut = async move { client.delete_object().bucket(bucket).key(key).send().await.map(|_| ()).map_err(|e| sdk_error(&e)) };
        self.worker.run(fut).ok_or_else(|| self.err("the request thread stopped"))?.map_err(|e| self.err(e))
    }

    fn journal_key(&self) -> String {
        format!("{}.skyform-journal", self.key)
    }

    fn lock_key(&self) -> String {
        format!("{}.tflock", self.key)
    }

    fn history_key(&self) -> String {
        format!("{}.skyform-history", self.key)
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
                let ts = now();
                for r in st.resources.values_mut().filter(|r| r.created_at.is_empty()) {
                    (r.created_at, r.updated_at) = (ts.clone(), ts.clone());
                }
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

    /// Writes the journal (the durable step of every change), then the state object when the
    /// batch is full or old enough.
    fn persist(&self, inner: &mut Inner) -> StateResult<()> {
        inner.journal.serial = inner.state.serial;
        let body = serde_json::to_vec(&inner.journal).map_err(|e| self.err(e))?;
        self.put(&self.journal_key(), body)?;
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
            let body = serde_json::to_vec(&inner.journal).map_err(|e| self.err(e))?;
            self.put(&self.journal_key(), body)
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

    fn lock_body(info: &LockInfo, path: &str) -> Vec<u8> {
        // Terraform's lock file fields, with skyform's holder details in `Info`.
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

    fn read_lock(&self) -> StateResult<Option<LockInfo>> {
        let Some(bytes) = self.get(&self.lock_key())? else { return Ok(None) };
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if let Some(info) = v["Info"].as_str().and_then(|i| serde_json::from_str::<LockInfo>(i).ok()) {
            return Ok(Some(info));
        }
        // A lock written by Terraform: `Who` is user@host, no pid.
        let who = v["Who"].as_str().unwrap_or("unknown");
        let (user, host) = who.split_once('@').unwrap_or((who, ""));
        Ok(Some(LockInfo {
            id: v["ID"].as_str().unwrap_or_default().to_string(),
            operation: v["Operation"].as_str().unwrap_or_default().to_string(),
            who: user.to_string(),
            host: host.to_string(),
            pid: 0,
            created: v["Created"].as_str().unwrap_or_default().to_string(),
        }))
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

impl Backend for S3Backend {
    fn describe(&self) -> String {
        self.settings.describe(&self.workspace)
    }

    fn lineage_serial(&self) -> StateResult<(String, u64)> {
        let inner = self.lock_inner();
        Ok((inner.state.lineage.clone(), inner.state.serial))
    }

    fn load(&self) -> StateResult<State> {
        Ok(self.lock_inner().state.clone())
    }

    fn try_lock(&self, operation: &str) -> StateResult<Result<LockInfo, LockInfo>> {
        if !self.settings.use_lockfile {
            return Ok(Ok(LockInfo::new(operation)));
        }
        let info = LockInfo::new(operation);
        let path = format!("{}/{}", self.settings.bucket, self.key);
        loop {
            if self.put_object(&self.lock_key(), Self::lock_body(&info, &path), true)? {
                // Someone may have written between our open and the lock: read afresh.
                let (state, journal) = self.fetch()?;
                *self.lock_inner() = Inner { state, journal, dirty_since: None };
                return Ok(Ok(info));
            }
            match self.read_lock()? {
                Some(holder) if holder.holder_gone() => {
                    eprintln!(
                        "Warning: Took over the state lock {} of {}@{} (pid {}, operation {}, since {}): that process is gone.",
                        holder.id, holder.who, holder.host, holder.pid, holder.operation, holder.created
                    );
                    self.delete(&self.lock_key())?;
                }
                Some(holder) => return Ok(Err(holder)),
                // Released meanwhile: try again.
                None => {}
            }
        }
    }

    fn release_lock(&self, id: &str) -> StateResult<()> {
        if !self.settings.use_lockfile {
            return Ok(());
        }
        match self.read_lock()? {
            Some(h) if h.id == id => self.delete(&self.lock_key()),
            _ => Ok(()),
        }
    }

    fn current_lock(&self) -> StateResult<Option<(LockInfo, bool)>> {
        Ok(self.read_lock()?.map(|h| {
            let alive = h.alive_here();
            (h, alive)
        }))
    }

    fn force_unlock(&self, id: &str) -> StateResult<()> {
        match self.read_lock()? {
            Some(h) if h.id == id => self.delete(&self.lock_key()),
            holder => Err(StateError::LockIdMismatch { given: id.to_string(), holder }),
        }
    }

    fn begin_operation(&self, address: &str, action: &str, _prior: Option<&serde_json::Value>) -> StateResult<i64> {
        let mut inner = self.lock_inner();
        inner.journal.next_op += 1;
        let id = inner.journal.next_op;
        inner.journal.operations.push(PendingOp { id, address: address.to_string(), action: action.to_string(), started_at: now(), pid: std::process::id() });
        let body = serde_json::to_vec(&inner.journal).map_err(|e| self.err(e))?;
        self.put(&self.journal_key(), body)?;
        Ok(id)
    }

    fn clear_operation(&self, id: i64) -> StateResult<()> {
        let mut inner = self.lock_inner();
        inner.journal.operations.retain(|o| o.id != id);
        let body = serde_json::to_vec(&inner.journal).map_err(|e| self.err(e))?;
        self.put(&self.journal_key(), body)
    }

    fn pending_operations(&self) -> StateResult<Vec<PendingOp>> {
        Ok(self.lock_inner().journal.operations.clone())
    }

    fn commit_resource(&self, journal: Option<i64>, res: &ResourceInstanceState) -> StateResult<()> {
        self.change(journal, |state, j| {
            let ts = now();
            let mut r = res.clone();
            r.created_at = state.resources.get(&res.address).map(|old| old.created_at.clone()).unwrap_or_else(|| ts.clone());
            r.updated_at = ts;
            j.resources.insert(r.address.clone(), Some(Record::of(&r)));
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
            let mut taken = Vec::with_capacity(moves.len());
            for (from, to) in moves {
                let r = state.resources.remove(from).ok_or_else(|| StateError::NotFound(from.clone()))?;
                j.resources.insert(from.clone(), None);
                taken.push((to, r));
            }
            for (to, mut r) in taken {
                let addr = crate::addr::ResourceInstanceAddr::parse(to).map_err(|e| StateError::NotFound(e.to_string()))?;
                r.address = to.clone();
                r.module = addr.resource.module.to_string();
                r.type_name = addr.resource.type_name.clone();
                r.name = addr.resource.name.clone();
                r.index_key = addr.key.as_ref().map(|k| match k {
                    crate::addr::InstanceKey::Int(n) => serde_json::json!(n),
                    crate::addr::InstanceKey::Str(s) => serde_json::json!(s),
                });
                r.updated_at = now();
                j.resources.insert(to.clone(), Some(Record::of(&r)));
                state.resources.insert(to.clone(), r);
            }
            Ok(())
        })
    }

    fn set_tainted(&self, address: &str, tainted: bool) -> StateResult<()> {
        self.change(None, |state, j| {
            let r = state.resources.get_mut(address).filter(|r| r.mode == "managed").ok_or_else(|| StateError::NotFound(address.to_string()))?;
            r.tainted = tainted;
            j.resources.insert(address.to_string(), Some(Record::of(r)));
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
        entries.push(e.clone());
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
        if inner.journal.resources.is_empty() && inner.journal.outputs.is_none() {
            return Ok(());
        }
        self.upload(&mut inner)
    }
}

/// The workspaces with a state object: "default" and every `PREFIX/NAME/KEY`.
pub fn workspaces(settings: &S3Settings) -> StateResult<Vec<String>> {
    let place = settings.describe("default");
    let err = |detail: String| StateError::Remote { place: place.clone(), detail };
    let worker = Worker::new().map_err(|e| err(e.to_string()))?;
    let s = settings.clone();
    let fut = async move {
        let client = client(s.clone()).await;
        let prefix = format!("{}/", s.workspace_key_prefix);
        let mut names = Vec::new();
        let mut pages = client.list_objects_v2().bucket(&s.bucket).prefix(&prefix).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error(&e))?;
            for o in page.contents() {
                let Some(rest) = o.key().and_then(|k| k.strip_prefix(&prefix)) else { continue };
                if let Some((name, key)) = rest.split_once('/') {
                    if key == s.key {
                        names.push(name.to_string());
                    }
                }
            }
        }
        Ok::<_, String>(names)
    };
    worker.run(fut).ok_or_else(|| err("the request thread stopped".into()))?.map_err(err)
}

/// Deletes a workspace's objects (state, journal, history).
pub fn delete_workspace(settings: &S3Settings, workspace: &str) -> StateResult<()> {
    let backend = S3Backend::open(settings, workspace)?;
    for key in [backend.journal_key(), backend.history_key(), backend.lock_key(), backend.key.clone()] {
        backend.delete(&key)?;
    }
    Ok(())
}
