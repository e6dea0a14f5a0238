//! The local backend, a SQLite database: opens (creating on first use) and migrates the database from the
//! embedded `state-schema/` files, loads the whole [`State`], commits one resource at a time
//! (journal row cleared and serial bumped in the same transaction), holds the cross-process
//! lock, and keeps the audit history.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::store::{now, object_json, parse_object, Backend, HistoryEntry, LockInfo, PendingOp, StateError, StateResult};
use super::{decode_output, output_row, OutputState, ResourceInstanceState, ResourceRow, State};

/// The migrations, in order; the schema version is the number of migrations applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../state-schema/0001_initial.sql"),
    include_str!("../../state-schema/0002_output_sets.sql"),
    include_str!("../../state-schema/0003_tainted.sql"),
    include_str!("../../state-schema/0004_pending_object.sql"),
];

pub struct SqliteBackend {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl SqliteBackend {
    /// The newest schema version this build knows.
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// Opens the database at `path`, creating it (and its directory) on first use, and
    /// migrates it to the current schema.
    pub fn open(path: &Path) -> StateResult<SqliteBackend> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            // State holds secrets: only its owner may read it.
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|source| StateError::Io { path: dir.to_path_buf(), source })?;
        }
        // A new database is built beside its final name and linked into place only once it is
        // complete (schema, lineage, WAL mode), so a second process starting at the same
        // moment sees either no file or a whole database, never a half-made one.
        if !path.exists() {
            Self::create(path)?;
        }
        let sq = |source| StateError::Sqlite { path: path.to_path_buf(), source };
        let corrupt = |e: rusqlite::Error| StateError::Corrupt { path: path.to_path_buf(), detail: e.to_string() };
        // SQLite reads an empty file as an empty database: a truncated state would plan to
        // re-create everything. Refuse it instead.
        if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            return Err(StateError::Corrupt {
                path: path.to_path_buf(),
                detail: "the file is empty (0 bytes), so it cannot be the state it was: restore it from a backup or from the copy your team keeps, or delete it to start from an empty state (every resource would then be planned for creation)".into(),
            });
        }
        let conn = Connection::open(path).map_err(sq)?;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        conn.busy_timeout(Duration::from_secs(5)).map_err(sq)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(corrupt)?;
        if version > Self::schema_version() {
            return Err(StateError::NewerSchema { path: path.to_path_buf(), found: version, supported: Self::schema_version() });
        }
        // WAL is a property of the file, set when it was made; switching needs an exclusive
        // lock, so it is only done for a database made some other way.
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(corrupt)?;
        if !mode.eq_ignore_ascii_case("wal") {
            conn.pragma_update(None, "journal_mode", "WAL").map_err(sq)?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(sq)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sq)?;
        let store = SqliteBackend { path: path.to_path_buf(), conn: Mutex::new(conn) };
        store.migrate(version)?;
        Ok(store)
    }

    /// Makes a new, complete database at `path` (unless another process just did).
    fn create(path: &Path) -> StateResult<()> {
        use std::os::unix::fs::PermissionsExt;
        let tmp = path.with_file_name(format!(".{}.{}.new", path.file_name().and_then(|n| n.to_str()).unwrap_or("state.db"), uuid::Uuid::new_v4().simple()));
        let sq = |source| StateError::Sqlite { path: path.to_path_buf(), source };
        let made = (|| {
            let conn = Connection::open(&tmp).map_err(sq)?;
            let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600));
            conn.pragma_update(None, "journal_mode", "WAL").map_err(sq)?;
            let store = SqliteBackend { path: tmp.clone(), conn: Mutex::new(conn) };
            store.migrate(0)?;
            // Fold the WAL into the file before it is linked under its real name.
            let checkpoint = store.conn().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(sq);
            checkpoint
        })();
        // Linking fails if the name exists: then another process won, and its database is used.
        let result = made.and_then(|()| match std::fs::hard_link(&tmp, path) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(StateError::Io { path: path.to_path_buf(), source: e }),
            _ => Ok(()),
        });
        for leftover in [tmp.clone(), PathBuf::from(format!("{}-wal", tmp.display())), PathBuf::from(format!("{}-shm", tmp.display()))] {
            let _ = std::fs::remove_file(leftover);
        }
        result
    }

    fn migrate(&self, from: i64) -> StateResult<()> {
        if from == Self::schema_version() {
            return Ok(());
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        // Re-read under the write lock: another process may have migrated meanwhile.
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(|e| StateError::Corrupt { path: self.path.clone(), detail: format!("migration {} failed: {e}", i + 1) })?;
        }
        if version == 0 {
            tx.execute("INSERT INTO meta (id, lineage, serial, created) VALUES (1, ?1, 0, ?2)", params![uuid::Uuid::new_v4().to_string(), now()])
                .map_err(|e| self.err(e))?;
        }
        tx.pragma_update(None, "user_version", Self::schema_version()).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn err(&self, source: rusqlite::Error) -> StateError {
        StateError::Sqlite { path: self.path.clone(), source }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Backend for SqliteBackend {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn lineage_serial(&self) -> StateResult<(String, u64)> {
        let conn = self.conn();
        conn.query_row("SELECT lineage, serial FROM meta WHERE id = 1", [], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))).map_err(|e| self.err(e))
    }

    /// Loads everything.
    fn load(&self) -> StateResult<State> {
        let (lineage, serial) = self.lineage_serial()?;
        let conn = self.conn();
        let corrupt = |detail: String| StateError::Corrupt { path: self.path.clone(), detail };
        let mut stmt = conn
            .prepare_cached("SELECT address, module, mode, type, name, index_key, provider, schema_version, attributes, sensitive_paths, dependencies, created_at, updated_at, tainted FROM resources ORDER BY address")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ResourceRow {
                    address: r.get(0)?,
                    module: r.get(1)?,
                    mode: r.get(2)?,
                    type_name: r.get(3)?,
                    name: r.get(4)?,
                    index_key: r.get(5)?,
                    provider: r.get(6)?,
                    schema_version: r.get(7)?,
                    attributes: r.get(8)?,
                    sensitive_paths: r.get(9)?,
                    dependencies: r.get(10)?,
                    created_at: r.get(11)?,
                    updated_at: r.get(12)?,
                    tainted: r.get(13)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let mut resources = BTreeMap::new();
        for row in rows {
            let res = row.map_err(|e| self.err(e))?.decode().map_err(corrupt)?;
            resources.insert(res.address.clone(), res);
        }
        drop(stmt);
        let mut outputs = BTreeMap::new();
        let mut stmt = conn.prepare_cached("SELECT name, value, sensitive, set_paths FROM outputs").map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, String>(3)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (name, value, sensitive, set_paths) = row.map_err(|e| self.err(e))?;
            let output = decode_output(&name, &value, &set_paths, sensitive).map_err(corrupt)?;
            outputs.insert(name, output);
        }
        Ok(State { lineage, serial, resources, outputs })
    }

    fn try_lock(&self, operation: &str) -> StateResult<Result<LockInfo, LockInfo>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        let holder = read_lock(&tx).map_err(|e| self.err(e))?;
        if let Some(h) = holder {
            return Ok(Err(h));
        }
        let info = LockInfo::new(operation);
        tx.execute(
            "INSERT OR REPLACE INTO lock (id, lock_id, operation, who, host, pid, created) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![info.id, info.operation, info.who, info.host, info.pid, info.created],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Ok(info))
    }

    fn release_lock(&self, id: &str) -> StateResult<()> {
        self.conn().execute("DELETE FROM lock WHERE lock_id = ?1", params![id]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The lock as it stands, and whether its holder is a live process on this host.
    fn current_lock(&self) -> StateResult<Option<(LockInfo, bool)>> {
        let conn = self.conn();
        let holder = read_lock(&conn).map_err(|e| self.err(e))?;
        Ok(holder.map(|h| {
            let alive = h.alive_here();
            (h, alive)
        }))
    }

    fn force_unlock(&self, id: &str) -> StateResult<()> {
        let conn = self.conn();
        let holder = read_lock(&conn).map_err(|e| self.err(e))?;
        match holder {
            Some(h) if h.id == id => {
                conn.execute("DELETE FROM lock WHERE lock_id = ?1", params![id]).map_err(|e| self.err(e))?;
                Ok(())
            }
            holder => Err(StateError::LockIdMismatch { given: id.to_string(), holder }),
        }
    }

    fn begin_operation(&self, address: &str, action: &str, prior: Option<&serde_json::Value>) -> StateResult<i64> {
        let conn = self.conn();
        conn.prepare_cached("INSERT INTO pending_operations (address, action, started_at, pid, prior) VALUES (?1, ?2, ?3, ?4, ?5)")
            .and_then(|mut s| s.execute(params![address, action, now(), std::process::id(), prior.map(|p| p.to_string())]))
            .map_err(|e| self.err(e))?;
        Ok(conn.last_insert_rowid())
    }

    fn clear_operation(&self, id: i64) -> StateResult<()> {
        self.conn().execute("DELETE FROM pending_operations WHERE id = ?1", params![id]).map_err(|e| self.err(e))?;
        Ok(())
    }

    fn pending_operations(&self) -> StateResult<Vec<PendingOp>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT id, address, action, started_at, pid, object FROM pending_operations ORDER BY id").map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let object: Option<String> = r.get(5)?;
                Ok(PendingOp { id: r.get(0)?, address: r.get(1)?, action: r.get(2)?, started_at: r.get(3)?, pid: r.get(4)?, object: parse_object(object) })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn record_object(&self, journal: i64, object: &ResourceInstanceState) -> StateResult<()> {
        self.conn().execute("UPDATE pending_operations SET object = ?2 WHERE id = ?1", params![journal, object_json(object)]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Upserts one resource instance, clears its journal row and bumps the serial, atomically.
    fn commit_resource(&self, journal: Option<i64>, res: &ResourceInstanceState) -> StateResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        let ts = now();
        upsert_resource(&tx, res, &ts, &ts).map_err(|e| self.err(e))?;
        finish(&tx, journal).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Removes one resource instance, clears its journal row and bumps the serial, atomically.
    fn delete_resource(&self, journal: Option<i64>, address: &str) -> StateResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        tx.execute("DELETE FROM resources WHERE address = ?1", params![address]).map_err(|e| self.err(e))?;
        finish(&tx, journal).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    fn write_outputs(&self, outputs: &BTreeMap<String, OutputState>) -> StateResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        insert_outputs(&tx, outputs).map_err(|e| self.err(e))?;
        finish(&tx, None).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    fn rename_resources(&self, moves: &[(String, String)]) -> StateResult<()> {
        let mut parsed = Vec::with_capacity(moves.len());
        for (from, to) in moves {
            let addr = super::parse_key(to).map_err(|e| StateError::NotFound(e.to_string()))?;
            parsed.push((from, to, addr));
        }
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        // Through temporary addresses, so that swaps and chains cannot collide.
        for (i, (from, _, _)) in parsed.iter().enumerate() {
            tx.execute("UPDATE resources SET address = ?1 WHERE address = ?2", params![format!("\u{1}move{i}"), from]).map_err(|e| self.err(e))?;
        }
        for (i, (_, to, addr)) in parsed.iter().enumerate() {
            let key = addr.key.as_ref().map(|k| match k {
                crate::addr::InstanceKey::Int(n) => serde_json::json!(n).to_string(),
                crate::addr::InstanceKey::Str(s) => serde_json::json!(s).to_string(),
            });
            tx.execute(
                "UPDATE resources SET address = ?1, module = ?2, type = ?3, name = ?4, index_key = ?5, updated_at = ?6 WHERE address = ?7",
                params![to, addr.resource.module.to_string(), addr.resource.type_name, addr.resource.name, key, now(), format!("\u{1}move{i}")],
            )
            .map_err(|e| self.err(e))?;
        }
        finish(&tx, None).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// `taint` / `untaint`: marks an instance to be replaced by the next plan, or clears it.
    fn set_tainted(&self, address: &str, tainted: bool) -> StateResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        let n = tx.execute("UPDATE resources SET tainted = ?1 WHERE address = ?2 AND mode = 'managed'", params![tainted, address]).map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StateError::NotFound(address.to_string()));
        }
        finish(&tx, None).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    fn record_history(&self, e: &HistoryEntry) -> StateResult<()> {
        let conn = self.conn();
        let completed = conn
            .execute(
                "UPDATE history SET finished_at = ?2, added = ?6, changed = ?7, destroyed = ?8, result = ?9, detail = ?10
                 WHERE started_at = ?1 AND who = ?3 AND host = ?4 AND command = ?5 AND result = 'unfinished'",
                params![e.started_at, e.finished_at, e.who, e.host, e.command, e.added as i64, e.changed as i64, e.destroyed as i64, e.result, e.detail],
            )
            .map_err(|e| self.err(e))?;
        if completed > 0 {
            return Ok(());
        }
        conn.execute(
                "INSERT INTO history (started_at, finished_at, who, host, command, added, changed, destroyed, result, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![e.started_at, e.finished_at, e.who, e.host, e.command, e.added as i64, e.changed as i64, e.destroyed as i64, e.result, e.detail],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    fn history(&self, limit: usize) -> StateResult<Vec<HistoryEntry>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT started_at, finished_at, who, host, command, added, changed, destroyed, result, detail FROM history ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![limit as i64], |r| {
                Ok(HistoryEntry {
                    started_at: r.get(0)?,
                    finished_at: r.get(1)?,
                    who: r.get(2)?,
                    host: r.get(3)?,
                    command: r.get(4)?,
                    added: r.get::<_, i64>(5)? as u64,
                    changed: r.get::<_, i64>(6)? as u64,
                    destroyed: r.get::<_, i64>(7)? as u64,
                    result: r.get(8)?,
                    detail: r.get(9)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Rebuilds the database file and empties the write-ahead log.
    fn scrub(&self) -> StateResult<()> {
        let conn = self.conn();
        conn.execute_batch("VACUUM").map_err(|e| self.err(e))?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(|e| self.err(e))
    }

    /// `PATH.backup`: a consistent copy (`VACUUM INTO`, so the WAL is included), written beside
    /// and renamed into place, replacing the previous one.
    fn backup(&self) -> StateResult<Option<String>> {
        let target = PathBuf::from(format!("{}.backup", self.path.display()));
        let tmp = PathBuf::from(format!("{}.backup.new", self.path.display()));
        let _ = std::fs::remove_file(&tmp);
        self.conn().execute("VACUUM INTO ?1", params![tmp.to_string_lossy()]).map_err(|e| self.err(e))?;
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600));
        std::fs::rename(&tmp, &target).map_err(|source| StateError::Io { path: target.clone(), source })?;
        Ok(Some(target.display().to_string()))
    }

    fn replace_state(&self, state: &State) -> StateResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        tx.execute_batch("DELETE FROM resources; DELETE FROM pending_operations;").map_err(|e| self.err(e))?;
        tx.execute("UPDATE meta SET lineage = ?1, serial = ?2 WHERE id = 1", params![state.lineage, state.serial as i64]).map_err(|e| self.err(e))?;
        for res in state.resources.values() {
            upsert_resource(&tx, res, &res.created_at, &res.updated_at).map_err(|e| self.err(e))?;
        }
        insert_outputs(&tx, &state.outputs).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }
}

/// Inserts or updates one resource row; `created` is kept when the row exists.
fn upsert_resource(tx: &rusqlite::Transaction<'_>, res: &ResourceInstanceState, created: &str, updated: &str) -> rusqlite::Result<()> {
    let row = ResourceRow::of(res);
    tx.prepare_cached(
        "INSERT INTO resources (address, module, mode, type, name, index_key, provider, schema_version, attributes, sensitive_paths, dependencies, created_at, updated_at, tainted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT(address) DO UPDATE SET module = excluded.module, mode = excluded.mode, type = excluded.type, name = excluded.name,
           index_key = excluded.index_key, provider = excluded.provider, schema_version = excluded.schema_version,
           attributes = excluded.attributes, sensitive_paths = excluded.sensitive_paths, dependencies = excluded.dependencies,
           updated_at = excluded.updated_at, tainted = excluded.tainted",
    )?
    .execute(params![
            row.address,
            row.module,
            row.mode,
            row.type_name,
            row.name,
            row.index_key,
            row.provider,
            row.schema_version,
            row.attributes,
            row.sensitive_paths,
            row.dependencies,
            created,
            updated,
            row.tainted
    ])?;
    Ok(())
}

/// Replaces every output row.
fn insert_outputs(tx: &rusqlite::Transaction<'_>, outputs: &BTreeMap<String, OutputState>) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM outputs", [])?;
    for (name, o) in outputs {
        let (value, set_paths) = output_row(o);
        tx.execute("INSERT INTO outputs (name, value, sensitive, set_paths) VALUES (?1, ?2, ?3, ?4)", params![name, value, o.sensitive, set_paths])?;
    }
    Ok(())
}

fn read_lock(conn: &Connection) -> rusqlite::Result<Option<LockInfo>> {
    conn.query_row("SELECT lock_id, operation, who, host, pid, created FROM lock WHERE id = 1", [], |r| {
        Ok(LockInfo { id: r.get(0)?, operation: r.get(1)?, who: r.get(2)?, host: r.get(3)?, pid: r.get(4)?, created: r.get(5)? })
    })
    .optional()
}

/// Clears the journal row (if any) and bumps the serial, inside the caller's transaction.
fn finish(tx: &rusqlite::Transaction<'_>, journal: Option<i64>) -> rusqlite::Result<()> {
    if let Some(id) = journal {
        tx.prepare_cached("DELETE FROM pending_operations WHERE id = ?1")?.execute(params![id])?;
    }
    tx.prepare_cached("UPDATE meta SET serial = serial + 1 WHERE id = 1")?.execute([])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::store::who;
    use crate::state::StateStore;
    use crate::value::Value;

    #[test]
    fn state_is_private_and_an_empty_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".skyform/state.db");
        StateStore::open(&path).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        let e = StateStore::open(&empty).err().expect("a 0-byte database must be refused").to_string();
        assert!(e.contains("empty (0 bytes)") && e.contains("restore it"), "{e}");
        assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0, "nothing is written to it");
    }

    #[test]
    fn processes_starting_together_on_a_new_directory_share_one_whole_database() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(".skyform/state.db");
            let lineages: Vec<String> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..6).map(|_| s.spawn(|| SqliteBackend::open(&path).map(|b| b.lineage_serial().unwrap().0))).collect();
                handles.into_iter().map(|h| h.join().unwrap().expect("every opener succeeds")).collect()
            });
            assert!(lineages.iter().all(|l| *l == lineages[0]), "one database: {lineages:?}");
            let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
            assert!(names.iter().all(|n| !n.ends_with(".new")), "no half-made file is left: {names:?}");
        }
    }

    #[test]
    fn a_row_whose_address_does_not_parse_is_refused_not_planned_away() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("state.db")).unwrap();
        let mut res = crate::state::ResourceInstanceState {
            address: "terraform_data.a[0]".into(),
            module: String::new(),
            mode: "managed".into(),
            type_name: "terraform_data".into(),
            name: "a".into(),
            index_key: Some(serde_json::json!(0)),
            provider: "provider[\"terraform.io/builtin/terraform\"]".into(),
            schema_version: 0,
            attributes: Value::object([("id", Value::string("x"))]),
            sensitive_paths: vec![],
            dependencies: vec![],
            created_at: String::new(),
            updated_at: String::new(),
            tainted: false,
        };
        store.commit_resource(None, &res).unwrap();
        assert_eq!(store.load().unwrap().resources.len(), 1);
        res.address = "terraform_data.a!!".into();
        store.commit_resource(None, &res).unwrap();
        let e = store.load().expect_err("refused").to_string();
        assert!(e.contains("\"terraform_data.a!!\"") && e.contains("would plan to destroy"), "{e}");
    }

    #[test]
    fn the_lock_holder_has_a_name_without_user() {
        assert!(!who().is_empty() && who() != "unknown");
    }

    #[test]
    fn set_outputs_read_back_as_sets_and_version_1_databases_migrate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        {
            // A database written before `outputs.set_paths` existed.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute("INSERT INTO meta (id, lineage, serial, created) VALUES (1, 'l', 1, 'now')", []).unwrap();
            conn.execute("INSERT INTO outputs (name, value, sensitive) VALUES ('old', '[\"a\"]', 0)", []).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = StateStore::open(&path).unwrap();
        let state = store.load().unwrap();
        assert_eq!(state.outputs["old"].value, Value::List(vec![Value::string("a")]));

        let set = Value::set(vec![Value::string("b"), Value::string("a")]);
        let outputs = BTreeMap::from([("s".to_string(), OutputState { value: Value::object([("inner", set.clone())]), sensitive: false })]);
        store.replace_outputs(&outputs).unwrap();
        let serial = store.load().unwrap().serial;
        assert_eq!(store.load().unwrap().outputs, outputs);
        // Unchanged outputs leave the serial alone.
        store.replace_outputs(&outputs).unwrap();
        assert_eq!(store.load().unwrap().serial, serial);
    }
}
