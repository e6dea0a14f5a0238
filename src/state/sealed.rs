//! Encryption at rest for the relational backends (SQLite, pg): a [`Backend`] that seals every
//! value before the backend below stores it and opens it when read back. Sealed are resource
//! attributes, output values, the objects and prior values in the operations journal; they
//! are stored as a JSON string `"skyform-encrypted:{envelope}"` in the same columns, so the
//! schema does not change. Addresses, types, providers, dependencies, which attributes are
//! sensitive, the lock and the audit history stay readable (none holds a value).
//!
//! Key rotation and migration: a value opened by the fallback method (the old key, or
//! `unencrypted`) is re-sealed with the primary one the first time the state is loaded under a
//! lock taken to change it (apply, destroy, import, state commands), all in one step.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::Value as J;

use super::encryption::{Cipher, EncryptionError};
use super::store::{Backend, HistoryEntry, LockInfo, PendingOp, StateError, StateResult};
use super::{InstanceRecord, OutputState, ResourceInstanceState, State};
use crate::value::{AttrPath, Value};

const PREFIX: &str = "skyform-encrypted:";

/// Whether a value read without the cipher is a sealed one.
pub fn is_sealed_value(v: &Value) -> bool {
    matches!(v, Value::String(s) if s.starts_with(PREFIX))
}

/// A relational backend whose values are sealed by `cipher`.
pub struct SealedBackend {
    inner: Box<dyn Backend>,
    cipher: Arc<Cipher>,
    /// The operation this process holds the lock for.
    locked_for: Mutex<Option<String>>,
}

impl SealedBackend {
    pub fn new(inner: Box<dyn Backend>, cipher: Arc<Cipher>) -> SealedBackend {
        SealedBackend { inner, cipher, locked_for: Mutex::new(None) }
    }

    fn err(&self, e: EncryptionError) -> StateError {
        StateError::Remote { place: self.inner.describe(), detail: e.to_string() }
    }

    fn seal(&self, j: &J) -> StateResult<J> {
        if self.cipher.writes_plain() {
            return Ok(j.clone());
        }
        let bytes = self.cipher.seal(j.to_string().as_bytes()).map_err(|e| self.err(e))?;
        Ok(J::String(format!("{PREFIX}{}", String::from_utf8_lossy(&bytes))))
    }

    /// The value `j` stands for, and whether it was sealed by the primary method.
    fn open(&self, j: J) -> StateResult<(J, bool)> {
        match j {
            J::String(s) if s.starts_with(PREFIX) => {
                let opened = self.cipher.open(&s.as_bytes()[PREFIX.len()..]).map_err(|e| self.err(e))?;
                let value = serde_json::from_slice(&opened.data).map_err(|e| StateError::Corrupt {
                    path: self.inner.describe().into(),
                    detail: format!("an encrypted value is not JSON once decrypted ({e})"),
                })?;
                Ok((value, opened.current))
            }
            plain => Ok((plain, self.cipher.accept_plain().map_err(|e| self.err(e))?)),
        }
    }

    fn seal_instance(&self, r: &ResourceInstanceState) -> StateResult<ResourceInstanceState> {
        Ok(ResourceInstanceState { attributes: Value::from_json(&self.seal(&r.attributes.to_json())?), ..r.clone() })
    }

    fn open_instance(&self, r: &mut ResourceInstanceState) -> StateResult<bool> {
        let (j, current) = self.open(std::mem::take(&mut r.attributes).to_json())?;
        r.attributes = Value::from_json(&j);
        Ok(current)
    }

    fn seal_outputs(&self, outputs: &BTreeMap<String, OutputState>) -> StateResult<BTreeMap<String, OutputState>> {
        if self.cipher.writes_plain() {
            return Ok(outputs.clone());
        }
        let mut out = BTreeMap::new();
        for (name, o) in outputs {
            let payload = serde_json::json!({"value": o.value.to_json(), "sets": o.value.set_paths()});
            out.insert(name.clone(), OutputState { value: Value::from_json(&self.seal(&payload)?), sensitive: o.sensitive });
        }
        Ok(out)
    }

    fn open_output(&self, o: &mut OutputState) -> StateResult<bool> {
        let sealed = is_sealed_value(&o.value);
        let (j, current) = self.open(std::mem::take(&mut o.value).to_json())?;
        o.value = if sealed {
            let sets: Vec<AttrPath> = serde_json::from_value(j["sets"].clone()).unwrap_or_default();
            Value::from_json(&j["value"]).with_sets(&sets)
        } else {
            Value::from_json(&j)
        };
        Ok(current)
    }

    fn sealed_state(&self, state: &State) -> StateResult<State> {
        let mut resources = BTreeMap::new();
        for (k, r) in &state.resources {
            resources.insert(k.clone(), self.seal_instance(r)?);
        }
        Ok(State { lineage: state.lineage.clone(), serial: state.serial, resources, outputs: self.seal_outputs(&state.outputs)? })
    }

    fn locked_for(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.locked_for.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Backend for SealedBackend {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn lineage_serial(&self) -> StateResult<(String, u64)> {
        self.inner.lineage_serial()
    }

    fn load(&self) -> StateResult<State> {
        let mut state = self.inner.load()?;
        let mut stale = false;
        for r in state.resources.values_mut() {
            stale |= !self.open_instance(r)?;
        }
        for o in state.outputs.values_mut() {
            stale |= !self.open_output(o)?;
        }
        let changing = self.locked_for().as_deref().is_some_and(|op| op != "plan");
        if stale && changing {
            self.inner.replace_state(&self.sealed_state(&state)?)?;
            self.inner.scrub()?;
        }
        Ok(state)
    }

    fn try_lock(&self, operation: &str) -> StateResult<Result<LockInfo, LockInfo>> {
        let r = self.inner.try_lock(operation)?;
        if r.is_ok() {
            *self.locked_for() = Some(operation.to_string());
        }
        Ok(r)
    }

    fn release_lock(&self, id: &str) -> StateResult<()> {
        self.inner.release_lock(id)?;
        *self.locked_for() = None;
        Ok(())
    }

    fn current_lock(&self) -> StateResult<Option<(LockInfo, bool)>> {
        self.inner.current_lock()
    }

    fn force_unlock(&self, id: &str) -> StateResult<()> {
        self.inner.force_unlock(id)
    }

    fn begin_operation(&self, address: &str, action: &str, prior: Option<&J>) -> StateResult<i64> {
        let prior = prior.map(|p| self.seal(p)).transpose()?;
        self.inner.begin_operation(address, action, prior.as_ref())
    }

    fn clear_operation(&self, id: i64) -> StateResult<()> {
        self.inner.clear_operation(id)
    }

    fn pending_operations(&self) -> StateResult<Vec<PendingOp>> {
        let mut ops = self.inner.pending_operations()?;
        for op in &mut ops {
            if let Some(record) = op.object.take() {
                let mut object = record.state();
                self.open_instance(&mut object)?;
                op.object = Some(InstanceRecord::of(&object));
            }
        }
        Ok(ops)
    }

    fn record_object(&self, journal: i64, object: &ResourceInstanceState) -> StateResult<()> {
        self.inner.record_object(journal, &self.seal_instance(object)?)
    }

    fn commit_resource(&self, journal: Option<i64>, res: &ResourceInstanceState) -> StateResult<()> {
        self.inner.commit_resource(journal, &self.seal_instance(res)?)
    }

    fn commit_resource_queued(&self, journal: Option<i64>, res: &ResourceInstanceState) -> futures::future::BoxFuture<'static, StateResult<()>> {
        match self.seal_instance(res) {
            Ok(sealed) => self.inner.commit_resource_queued(journal, &sealed),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        }
    }

    fn delete_resource(&self, journal: Option<i64>, address: &str) -> StateResult<()> {
        self.inner.delete_resource(journal, address)
    }

    fn write_outputs(&self, outputs: &BTreeMap<String, OutputState>) -> StateResult<()> {
        self.inner.write_outputs(&self.seal_outputs(outputs)?)
    }

    fn rename_resources(&self, moves: &[(String, String)]) -> StateResult<()> {
        self.inner.rename_resources(moves)
    }

    fn set_tainted(&self, address: &str, tainted: bool) -> StateResult<()> {
        self.inner.set_tainted(address, tainted)
    }

    fn replace_state(&self, state: &State) -> StateResult<()> {
        self.inner.replace_state(&self.sealed_state(state)?)
    }

    fn record_history(&self, e: &HistoryEntry) -> StateResult<()> {
        self.inner.record_history(e)
    }

    fn history(&self, limit: usize) -> StateResult<Vec<HistoryEntry>> {
        self.inner.history(limit)
    }

    fn flush(&self) -> StateResult<()> {
        self.inner.flush()
    }

    fn scrub(&self) -> StateResult<()> {
        self.inner.scrub()
    }

    fn backup(&self) -> StateResult<Option<String>> {
        self.inner.backup()
    }
}
