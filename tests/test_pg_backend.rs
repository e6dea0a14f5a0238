//! The `pg` state backend against a real PostgreSQL server (started by `scripts/emulators`,
//! connection string in `SKYFORM_PG_CONN_STR`), through the library: `PgBackend` under a
//! `StateStore`. Each test uses a schema of its own, so they run in parallel.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use skyform::state::pg::{self, PgBackend};
use skyform::state::{HistoryEntry, OutputState, ResourceInstanceState, StateError, StateStore};
use skyform::value::{PathStep, Value};

use crate::common::{emulator, rt, unique};

fn conn() -> Option<String> {
    emulator("SKYFORM_PG_CONN_STR")
}

fn open(conn: &str, schema: &str, workspace: &str) -> StateStore {
    StateStore::new(Box::new(PgBackend::open(conn, schema, workspace).unwrap_or_else(|e| panic!("open {schema}/{workspace}: {e}"))))
}

fn instance(address: &str, key: Option<serde_json::Value>, attributes: Value) -> ResourceInstanceState {
    let base = address.split('[').next().unwrap();
    let (type_name, name) = base.split_once('.').unwrap();
    ResourceInstanceState {
        address: address.to_string(),
        module: String::new(),
        mode: "managed".into(),
        type_name: type_name.into(),
        name: name.into(),
        index_key: key,
        provider: "provider[\"registry.terraform.io/hashicorp/random\"]".into(),
        schema_version: 2,
        attributes,
        sensitive_paths: vec![],
        dependencies: vec![],
        created_at: String::new(),
        updated_at: String::new(),
        tainted: false,
    }
}

fn entry(command: &str, added: u64) -> HistoryEntry {
    HistoryEntry {
        started_at: "2026-01-01T00:00:00Z".into(),
        finished_at: "2026-01-01T00:00:01Z".into(),
        who: "tester".into(),
        host: "box".into(),
        command: command.into(),
        added,
        result: "ok".into(),
        ..Default::default()
    }
}

#[test]
fn pg_commits_and_loads_round_trip() {
    let Some(conn) = conn() else { return };
    let schema = unique("pg-roundtrip");
    let store = open(&conn, &schema, "default");
    let (lineage, serial) = store.lineage_serial().unwrap();
    assert!(uuid::Uuid::parse_str(&lineage).is_ok(), "lineage {lineage}");
    assert_eq!(serial, 0);
    assert!(store.load().unwrap().resources.is_empty());

    let mut a = instance(
        "random_password.db[0]",
        Some(serde_json::json!(0)),
        Value::object([("result", Value::string("hunter2")), ("length", Value::Number(16.0)), ("keepers", Value::object([("k", Value::string("v"))]))]),
    );
    a.sensitive_paths = vec![vec![PathStep::Key("result".into())]];
    a.dependencies = vec!["random_pet.name".into()];
    a.tainted = true;
    let b = instance(
        "random_pet.name[\"eu\"]",
        Some(serde_json::json!("eu")),
        Value::object([("id", Value::string("lucky-cat")), ("tags", Value::List(vec![Value::string("x")]))]),
    );
    store.commit_resource(None, &a).unwrap();
    store.commit_resource(None, &b).unwrap();
    let set = Value::set(vec![Value::string("b"), Value::string("a")]);
    let outputs = BTreeMap::from([
        ("names".to_string(), OutputState { value: Value::object([("inner", set.clone())]), sensitive: false }),
        ("secret".to_string(), OutputState { value: Value::string("s3cret"), sensitive: true }),
    ]);
    store.replace_outputs(&outputs).unwrap();
    // Unchanged outputs leave the serial alone.
    store.replace_outputs(&outputs).unwrap();

    let state = store.load().unwrap();
    assert_eq!(state.lineage, lineage);
    assert_eq!(state.serial, 3);
    assert_eq!(state.outputs, outputs);
    let got = &state.resources["random_password.db[0]"];
    assert_eq!(got.attributes, a.attributes);
    assert_eq!(got.sensitive_paths, a.sensitive_paths);
    assert_eq!(got.dependencies, a.dependencies);
    assert_eq!(got.index_key, Some(serde_json::json!(0)));
    assert!(got.tainted);
    assert_eq!((got.type_name.as_str(), got.name.as_str(), got.schema_version), ("random_password", "db", 2));
    assert!(!got.created_at.is_empty() && !got.updated_at.is_empty());
    assert_eq!(got.marked_attributes().to_json()["result"], serde_json::json!("hunter2"));
    let got_b = &state.resources["random_pet.name[\"eu\"]"];
    assert_eq!(got_b.index_key, Some(serde_json::json!("eu")));
    assert!(!got_b.tainted);

    // Another connection (another process, in effect) reads the same state.
    drop(store);
    let again = open(&conn, &schema, "default");
    assert_eq!(again.load().unwrap(), state);

    // Taint, untaint, state rm.
    again.set_tainted("random_pet.name[\"eu\"]", true).unwrap();
    assert!(again.load().unwrap().resources["random_pet.name[\"eu\"]"].tainted);
    again.set_tainted("random_password.db[0]", false).unwrap();
    assert!(!again.load().unwrap().resources["random_password.db[0]"].tainted);
    assert!(matches!(again.set_tainted("random_pet.nope", true), Err(StateError::NotFound(_))));
    again.remove_resource("random_pet.name[\"eu\"]").unwrap();
    assert!(matches!(again.remove_resource("random_pet.name[\"eu\"]"), Err(StateError::NotFound(_))));
    let state = again.load().unwrap();
    assert_eq!(state.resources.keys().collect::<Vec<_>>(), vec!["random_password.db[0]"]);
    assert_eq!(state.serial, 6);

    // state push: lineage and serial as given, everything replaced.
    let mut pushed = state.clone();
    pushed.lineage = "pushed-lineage".into();
    pushed.serial = 42;
    pushed.outputs.clear();
    again.replace_state(&pushed).unwrap();
    let state = again.load().unwrap();
    assert_eq!((state.lineage.as_str(), state.serial), ("pushed-lineage", 42));
    assert!(state.outputs.is_empty());
    assert_eq!(state.resources["random_password.db[0]"].created_at, pushed.resources["random_password.db[0]"].created_at);
}

#[test]
fn pg_journal_rename_and_history() {
    let Some(conn) = conn() else { return };
    let schema = unique("pg-journal");
    let store = open(&conn, &schema, "default");
    let one = instance("random_pet.one", None, Value::object([("id", Value::string("one"))]));
    let two = instance("random_pet.two", None, Value::object([("id", Value::string("two"))]));

    let j1 = store.begin_operation("random_pet.one", "create", None).unwrap();
    let j2 = store.begin_operation("random_pet.two", "create", None).unwrap();
    let pending = store.pending_operations().unwrap();
    assert_eq!(
        pending.iter().map(|p| (p.id, p.address.as_str(), p.action.as_str())).collect::<Vec<_>>(),
        vec![(j1, "random_pet.one", "create"), (j2, "random_pet.two", "create")]
    );
    assert!(pending.iter().all(|p| p.pid == std::process::id() && !p.started_at.is_empty()));
    store.commit_resource(Some(j1), &one).unwrap();
    assert_eq!(store.pending_operations().unwrap().iter().map(|p| p.id).collect::<Vec<_>>(), vec![j2]);
    store.commit_resource(Some(j2), &two).unwrap();
    assert!(store.pending_operations().unwrap().is_empty());
    let j3 = store.begin_operation("random_pet.two", "update", Some(&serde_json::json!({"id": "two"}))).unwrap();
    store.clear_operation(j3).unwrap();
    assert!(store.pending_operations().unwrap().is_empty());
    let j4 = store.begin_operation("random_pet.two", "delete", Some(&serde_json::json!({"id": "two"}))).unwrap();
    store.delete_resource(Some(j4), "random_pet.two").unwrap();
    assert!(store.pending_operations().unwrap().is_empty());
    store.commit_resource(None, &two).unwrap();
    let serial = store.load().unwrap().serial;

    // A swap, all at once, plus a move into a counted instance.
    store.move_resources(&[("random_pet.one".into(), "random_pet.two".into()), ("random_pet.two".into(), "random_pet.one".into())]).unwrap();
    let state = store.load().unwrap();
    assert_eq!(state.resources["random_pet.one"].attributes, two.attributes);
    assert_eq!(state.resources["random_pet.two"].attributes, one.attributes);
    assert_eq!(state.serial, serial + 1);
    store.move_resource("random_pet.one", "random_pet.many[3]").unwrap();
    let state = store.load().unwrap();
    let moved = &state.resources["random_pet.many[3]"];
    assert_eq!((moved.name.as_str(), moved.index_key.clone()), ("many", Some(serde_json::json!(3))));
    assert!(!state.resources.contains_key("random_pet.one"));
    assert!(matches!(store.move_resource("random_pet.gone", "random_pet.x"), Err(StateError::NotFound(_))));
    assert!(matches!(store.move_resource("random_pet.two", "random_pet.many[3]"), Err(StateError::AlreadyExists(_))));

    for i in 0..3 {
        store.record_history(&entry(&format!("skyform apply #{i}"), i)).unwrap();
    }
    let h = store.history(2).unwrap();
    assert_eq!(h.iter().map(|e| e.command.as_str()).collect::<Vec<_>>(), vec!["skyform apply #2", "skyform apply #1"]);
    assert_eq!(h[0], entry("skyform apply #2", 2));
    assert_eq!(store.history(10).unwrap().len(), 3);
}

#[test]
fn pg_workspaces_are_isolated_listed_and_deleted() {
    let Some(conn) = conn() else { return };
    let schema = unique("pg-workspaces");
    // A schema that does not exist yet has the default workspace only.
    assert_eq!(pg::workspaces(&conn, &schema).unwrap(), vec!["default"]);
    let default = open(&conn, &schema, "default");
    let dev = open(&conn, &schema, "dev");
    default.commit_resource(None, &instance("random_pet.a", None, Value::object([("id", Value::string("in-default"))]))).unwrap();
    dev.commit_resource(None, &instance("random_pet.a", None, Value::object([("id", Value::string("in-dev"))]))).unwrap();
    dev.commit_resource(None, &instance("random_pet.b", None, Value::object([("id", Value::string("only-dev"))]))).unwrap();
    dev.record_history(&entry("skyform apply", 2)).unwrap();
    let (d, v) = (default.load().unwrap(), dev.load().unwrap());
    assert_ne!(d.lineage, v.lineage);
    assert_eq!((d.serial, v.serial), (1, 2));
    assert_eq!(d.resources["random_pet.a"].attributes, Value::object([("id", Value::string("in-default"))]));
    assert_eq!(v.resources["random_pet.a"].attributes, Value::object([("id", Value::string("in-dev"))]));
    assert!(!d.resources.contains_key("random_pet.b"));
    assert!(default.history(10).unwrap().is_empty());
    // Locks are per workspace too.
    let lock = default.acquire_lock("OperationTypeApply", Duration::ZERO).unwrap();
    let dev_lock = dev.acquire_lock("OperationTypeApply", Duration::ZERO).unwrap();
    dev.release_lock(&dev_lock.id).unwrap();

    let _staging = open(&conn, &schema, "staging");
    assert_eq!(pg::workspaces(&conn, &schema).unwrap(), vec!["default", "dev", "staging"]);
    drop(dev);
    pg::delete_workspace(&conn, &schema, "dev").unwrap();
    assert_eq!(pg::workspaces(&conn, &schema).unwrap(), vec!["default", "staging"]);
    // The default workspace is untouched, and cannot be deleted.
    assert_eq!(default.load().unwrap(), d);
    let e = pg::delete_workspace(&conn, &schema, "default").unwrap_err().to_string();
    assert!(e.contains("default workspace cannot be deleted"), "{e}");
    // Deleting a workspace without state is no error; a new dev starts afresh.
    pg::delete_workspace(&conn, &schema, "dev").unwrap();
    let dev = open(&conn, &schema, "dev");
    let fresh = dev.load().unwrap();
    assert!(fresh.resources.is_empty() && fresh.serial == 0 && fresh.lineage != v.lineage);
    assert!(dev.history(10).unwrap().is_empty());
    // A workspace in use (its lock held) is not deleted.
    let held = dev.acquire_lock("OperationTypeApply", Duration::ZERO).unwrap();
    let e = pg::delete_workspace(&conn, &schema, "dev").unwrap_err().to_string();
    assert!(e.contains("locked") && e.contains(&held.id), "{e}");
    dev.release_lock(&held.id).unwrap();
    default.release_lock(&lock.id).unwrap();
}

#[test]
fn pg_lock_race_has_one_winner() {
    let Some(conn) = conn() else { return };
    let schema = unique("pg-race");
    let stores: Vec<Arc<StateStore>> = (0..4).map(|_| Arc::new(open(&conn, &schema, "default"))).collect();
    let barrier = Arc::new(Barrier::new(stores.len()));
    let results: Vec<_> = stores
        .iter()
        .map(|s| {
            let (s, barrier) = (s.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                s.acquire_lock("OperationTypeApply", Duration::ZERO).map_err(Box::new)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let winners: Vec<_> = results.iter().enumerate().filter_map(|(i, r)| r.as_ref().ok().map(|info| (i, info.clone()))).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let (wi, info) = winners[0].clone();
    for r in &results {
        match r.as_ref().map_err(|e| &**e) {
            Ok(_) => {}
            Err(StateError::Locked(holder)) => assert_eq!(holder, &info),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    let e = StateError::Locked(info.clone()).to_string();
    assert!(e.contains(&info.who) && e.contains(&info.host) && e.contains("OperationTypeApply") && e.contains(&info.id), "{e}");
    let loser = &stores[(wi + 1) % stores.len()];

    // The holder is alive (its session is connected): force-unlock refuses, naming it.
    let (current, alive) = loser.current_lock().unwrap().expect("locked");
    assert_eq!(current, info);
    assert!(alive);
    match loser.force_unlock("not-the-id") {
        Err(StateError::LockIdMismatch { holder: Some(h), .. }) => assert_eq!(h.id, info.id),
        other => panic!("expected a lock id mismatch, got {other:?}"),
    }
    let e = loser.force_unlock(&info.id).unwrap_err().to_string();
    assert!(e.contains("still held by a live session") && e.contains(&info.who) && e.contains("pg_terminate_backend"), "{e}");
    assert_eq!(loser.current_lock().unwrap().map(|l| l.0), Some(info.clone()));
    // The winner holds it once, not twice.
    assert!(matches!(stores[wi].acquire_lock("OperationTypePlan", Duration::ZERO), Err(StateError::Locked(_))));

    // Released, it is free for the next one (which waits for it).
    let waiter = {
        let loser = loser.clone();
        std::thread::spawn(move || loser.acquire_lock("OperationTypePlan", Duration::from_secs(20)).map_err(Box::new))
    };
    std::thread::sleep(Duration::from_millis(300));
    stores[wi].release_lock(&info.id).unwrap();
    let next = waiter.join().unwrap().expect("the waiter gets the lock once it is released");
    assert_ne!(next.id, info.id);
    assert_eq!(next.operation, "OperationTypePlan");
    loser.release_lock(&next.id).unwrap();
    assert_eq!(stores[wi].current_lock().unwrap(), None);
}

#[test]
fn pg_lock_of_a_dead_holder_is_taken_over() {
    let Some(conn) = conn() else { return };
    let schema = unique("pg-dead");
    let other = open(&conn, &schema, "default");

    let crashed = PgBackend::open(&conn, &schema, "default").unwrap();
    let info = skyform::state::Backend::try_lock(&crashed, "OperationTypeApply").unwrap().expect("free");
    crashed.abandon();
    // The row stays; the server has released the advisory lock with the session.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (current, alive) = other.current_lock().unwrap().expect("the row stays");
        assert_eq!(current, info);
        if !alive {
            break;
        }
        assert!(Instant::now() < deadline, "the dead holder's session is still seen alive");
        std::thread::sleep(Duration::from_millis(100));
    }
    let taken = other.acquire_lock("OperationTypePlan", Duration::from_secs(10)).unwrap();
    assert_ne!(taken.id, info.id);
    assert_eq!(other.current_lock().unwrap(), Some((taken.clone(), false)));
    other.release_lock(&taken.id).unwrap();
    assert_eq!(other.current_lock().unwrap(), None);

    // force-unlock clears a dead holder's lock.
    let crashed = PgBackend::open(&conn, &schema, "default").unwrap();
    let info = skyform::state::Backend::try_lock(&crashed, "OperationTypeApply").unwrap().expect("free");
    drop(crashed); // a dropped backend closes its connections without releasing, as a crash
    let deadline = Instant::now() + Duration::from_secs(10);
    while other.current_lock().unwrap().is_some_and(|(_, alive)| alive) {
        assert!(Instant::now() < deadline, "the dead holder's session is still seen alive");
        std::thread::sleep(Duration::from_millis(100));
    }
    other.force_unlock(&info.id).unwrap();
    assert_eq!(other.current_lock().unwrap(), None);
}

#[test]
fn pg_store_works_from_inside_a_tokio_runtime() {
    let Some(conn) = conn() else { return };
    let schema = unique("pg-tokio");
    let rt = rt();
    // Opened, used and dropped on Tokio worker threads, as the engine does.
    let serial = rt
        .block_on(async move {
            tokio::spawn(async move {
                let store = open(&conn, &schema, "default");
                store.commit_resource(None, &instance("random_pet.a", None, Value::object([("id", Value::string("x"))]))).unwrap();
                store.lineage_serial().unwrap().1
            })
            .await
        })
        .unwrap();
    assert_eq!(serial, 1);
}

#[test]
fn pg_unreachable_server_is_named() {
    // No server needed: nothing listens on port 1.
    let e = PgBackend::open("postgres://postgres@127.0.0.1:1/postgres?sslmode=disable", "s", "default").err().expect("refused").to_string();
    assert!(e.contains("127.0.0.1:1") && e.contains("schema \"s\"") && e.to_lowercase().contains("refused"), "{e}");
}

#[test]
fn pg_schema_is_created_once_by_racing_openers_and_a_newer_one_is_refused() {
    let Some(conn) = conn() else { return };
    let schema = unique("pg-migrate");
    let barrier = Arc::new(Barrier::new(4));
    let opened: Vec<_> = (0..4)
        .map(|i| {
            let (conn, schema, barrier) = (conn.clone(), schema.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                PgBackend::open(&conn, &schema, if i % 2 == 0 { "default" } else { "dev" }).map(|_| ()).map_err(|e| e.to_string())
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert!(opened.iter().all(|r| r.is_ok()), "{opened:?}");
    assert_eq!(pg::workspaces(&conn, &schema).unwrap(), vec!["default", "dev"]);
    // Opening again keeps the lineage.
    let lineage = open(&conn, &schema, "default").lineage_serial().unwrap().0;
    assert_eq!(open(&conn, &schema, "default").lineage_serial().unwrap().0, lineage);

    let mut client = postgres::Client::connect(&conn, postgres::NoTls).unwrap();
    let version: i64 = client.query_one(&format!("SELECT version FROM \"{schema}\".schema_version"), &[]).unwrap().get(0);
    assert_eq!(version, PgBackend::schema_version());
    client.execute(&format!("UPDATE \"{schema}\".schema_version SET version = 99"), &[]).unwrap();
    match PgBackend::open(&conn, &schema, "default") {
        Err(StateError::NewerSchema { found: 99, .. }) => {}
        Err(e) => panic!("expected a newer-schema refusal, got {e}"),
        Ok(_) => panic!("expected a newer-schema refusal"),
    }
}

/// The emulator's server with `params` instead of the connection string's own (`host`, when
/// given, replaces 127.0.0.1 in the URL, the server still reached at 127.0.0.1 through
/// `hostaddr`), and the CA certificate of its TLS certificate (`SKYFORM_PG_CA`).
fn tls_server() -> Option<(String, String)> {
    let conn = conn()?;
    let ca = emulator("SKYFORM_PG_CA")?;
    Some((conn.split('?').next().unwrap().to_string(), ca))
}

fn with_host(base: &str, host: &str, params: &str) -> String {
    format!("{}?hostaddr=127.0.0.1&{params}", base.replacen("@127.0.0.1:", &format!("@{host}:"), 1))
}

fn open_err(conn: &str) -> String {
    match PgBackend::open(conn, &unique("pg-tls"), "default") {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{conn}: expected a refusal"),
    }
}

#[test]
fn pg_tls_require_and_prefer_encrypt_the_connection() {
    let Some((base, _)) = tls_server() else { return };
    let mut client = postgres::Client::connect(&format!("{base}?sslmode=disable"), postgres::NoTls).unwrap();
    // `prefer` (the default) takes TLS when the server offers it; `require` insists on it.
    for mode in ["require", "prefer", ""] {
        let app = unique("tls");
        let params = if mode.is_empty() { format!("application_name={app}") } else { format!("sslmode={mode}&application_name={app}") };
        let store = open(&format!("{base}?{params}"), &unique("pg-tls"), "default");
        assert_eq!(store.lineage_serial().unwrap().1, 0);
        let ssl: Vec<bool> = client
            .query("SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1", &[&app])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(!ssl.is_empty() && ssl.iter().all(|s| *s), "sslmode={mode}: the server's sessions of {app}: {ssl:?}");
    }
    // The client's own session, for contrast.
    let plain: bool = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0);
    assert!(!plain);
}

#[test]
fn pg_tls_verify_full_checks_the_chain_and_the_host_name() {
    let Some((base, ca)) = tls_server() else { return };
    // The certificate names localhost and 127.0.0.1, signed by the emulator's CA.
    open(&format!("{base}?sslmode=verify-full&sslrootcert={ca}"), &unique("pg-tls"), "default");
    open(&with_host(&base, "localhost", &format!("sslmode=verify-full&sslrootcert={ca}")), &unique("pg-tls"), "default");
    let port = base.rsplit(':').next().unwrap().split('/').next().unwrap();
    open(&format!("host=127.0.0.1 port={port} user=postgres sslmode=verify-ca sslrootcert='{ca}'"), &unique("pg-tls"), "default");

    // Without the CA, the chain is checked against the system's CAs, which do not know it.
    let e = open_err(&format!("{base}?sslmode=verify-full"));
    assert!(e.contains("certificate") && e.contains("sslrootcert"), "{e}");
    // A CA file that is not there is named.
    let e = open_err(&format!("{base}?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem"));
    assert!(e.contains("/nonexistent/ca.pem"), "{e}");

    // A host name the certificate does not list: refused under verify-full, fine under verify-ca.
    let wrong = with_host(&base, "db.example", &format!("sslmode=verify-full&sslrootcert={ca}"));
    let e = open_err(&wrong);
    assert!(e.contains("not valid for name \"db.example\"") && e.contains("verify-ca"), "{e}");
    open(&wrong.replace("verify-full", "verify-ca"), &unique("pg-tls"), "default");
    // require checks nothing (libpq's require without a root certificate).
    open(&with_host(&base, "db.example", "sslmode=require"), &unique("pg-tls"), "default");
}

/// Writes queued while the connection is busy share one transaction, each caller returning
/// only once it has committed (through the queued commit the engine uses, and from threads
/// waiting on the plain one); a write that fails in a group gets its own error while the
/// others still land.
#[test]
fn pg_queued_writes_are_committed_together_and_a_failing_one_fails_alone() {
    use skyform::state::Backend;
    let Some(conn) = conn() else { return };
    let schema = unique("pg-group");
    let backend = Arc::new(PgBackend::open(&conn, &schema, "default").unwrap());
    let row = |a: &str| instance(a, None, Value::object([("id", Value::string(a))]));

    // As the engine's walk does: every commit queued from one task, then awaited together.
    backend.hold(Duration::from_millis(400));
    let queued: Vec<_> = (0..16).map(|i| backend.commit_resource_queued(None, &row(&format!("random_pet.p{i}")))).collect();
    let results = rt().block_on(futures::future::join_all(queued));
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(backend.write_transactions(), 1, "16 commits queued behind a busy connection share one transaction");
    assert_eq!(backend.lineage_serial().unwrap().1, 16, "each commit still bumps the serial");

    // From threads waiting on the plain commit. A NUL byte is refused by PostgreSQL: that
    // write fails, the group is rolled back, and its other writes are committed one by one.
    backend.hold(Duration::from_millis(400));
    let mut addresses: Vec<String> = (0..8).map(|i| format!("random_pet.q{i}")).collect();
    addresses.push("random_pet.bad\0".into());
    let threads: Vec<_> = addresses
        .into_iter()
        .map(|a| {
            let (b, r) = (backend.clone(), row(&a));
            std::thread::spawn(move || b.commit_resource(None, &r).map_err(|e| e.to_string()))
        })
        .collect();
    let results: Vec<Result<(), String>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1, "{results:?}");
    assert!(results[8].is_err());
    assert_eq!(backend.write_transactions(), 1 + 8, "the failed group committed nothing; its good writes, one each");
    let state = backend.load().unwrap();
    assert_eq!(state.resources.len(), 24);
    assert!(state.resources.keys().all(|a| !a.contains('\0')));
    assert_eq!(backend.lineage_serial().unwrap().1, 24);
}
