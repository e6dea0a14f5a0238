//! The `pg` backend: state in a PostgreSQL database, as Terraform's `pg` backend keeps it. One
//! schema per backend (`schema_name`, created on first use; default `terraform_remote_state`)
//! holds every workspace: each table of `state-schema/pg/` is keyed by workspace. Semantics
//! are the SQLite backend's ([`super::sqlite`]): per-resource commits that clear their journal
//! row and bump the serial in one transaction, the pending-operations journal, the history.
//!
//! The lock is a row in `locks` (who holds it, for messages and `force-unlock`) plus a
//! session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its own for as
//! long as the lock is held: when the holder dies, the server ends its session and releases
//! the advisory lock, and the next `try_lock` takes the lock over.
//!
//! The `postgres` client runs its own Tokio runtime and panics when called from inside one (the
//! engine calls the store from Tokio worker threads), so every connection lives on a thread
//! owned by the backend, which runs the requests sent to it one at a time.
//!
//! **Group commit.** The per-resource writes (journal entry, started object, resource commit,
//! delete, journal clear) are [`Write`]s: data, not closures. When several are queued at once
//! (parallel applies finishing together), the connection thread runs them all in one
//! transaction and answers each caller only after that transaction has committed, so every
//! caller still returns with its write durable, but one server flush serves many resources. If
//! anything in the group fails, the group is rolled back and each write is run again in a
//! transaction of its own, so each caller gets its own answer. The engine's commits come
//! through [`Backend::commit_resource_queued`], whose future lets the other applies of the walk
//! run (and queue their commits) while one waits.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls, Statement, Transaction};
use sha2::{Digest, Sha256};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::store::{now, object_json, parse_object, Backend, HistoryEntry, LockInfo, PendingOp, StateError, StateResult};
use super::{decode_output, output_row, OutputState, ResourceInstanceState, ResourceRow, State};

/// The migrations, in order; the schema version (in the `schema_version` table) is the number
/// applied.
const MIGRATIONS: &[&str] = &[include_str!("../../state-schema/pg/0001_initial.sql"), include_str!("../../state-schema/pg/0002_pending_object.sql")];

/// The schema used when the backend block names none (as Terraform's pg backend).
pub const DEFAULT_SCHEMA: &str = "terraform_remote_state";

/// The workspace every schema has, which cannot be deleted.
pub const DEFAULT_WORKSPACE: &str = "default";

/// A request to the connection thread.
enum Job {
    /// Runs alone, in whatever transactions it makes itself.
    Run(Box<dyn FnOnce(&mut Session) + Send>),
    /// A per-resource write, which may share a transaction with the writes queued beside it.
    Write(Write, Reply),
}

/// Where a write's answer goes: a thread waiting for it, or a future.
enum Reply {
    Wait(mpsc::Sender<StateResult<i64>>),
    Notify(tokio::sync::oneshot::Sender<StateResult<i64>>),
}

impl Reply {
    fn send(self, answer: StateResult<i64>) {
        match self {
            Reply::Wait(s) => drop(s.send(answer)),
            Reply::Notify(s) => drop(s.send(answer)),
        }
    }
}

/// One per-resource write: a single statement, so any number of them fit in one transaction.
enum Write {
    /// A journal entry; answers its id.
    Begin { address: String, action: String, prior: Option<String> },
    /// The object a create started, into its journal entry.
    Record { journal: i64, object: String },
    /// A resource row, its journal entry cleared, the serial bumped.
    Commit { journal: Option<i64>, row: Box<ResourceRow> },
    /// A resource row gone, its journal entry cleared, the serial bumped.
    Delete { journal: Option<i64>, address: String },
    /// A journal entry cleared.
    Clear { id: i64 },
}

/// At most this many writes share one transaction.
const GROUP_LIMIT: usize = 256;

impl Write {
    /// Runs the write on `c` (the connection, or a transaction on it); answers the new journal
    /// id for [`Write::Begin`], 0 otherwise.
    fn run(&self, c: &mut impl postgres::GenericClient, st: &Statements, ws: &str) -> Result<i64, postgres::Error> {
        match self {
            Write::Begin { address, action, prior } => Ok(c.query_one(&st.begin, &[&ws, address, action, &now(), &(std::process::id() as i64), prior])?.get(0)),
            Write::Record { journal, object } => {
                c.execute(&st.record, &[&ws, journal, object])?;
                Ok(0)
            }
            Write::Commit { journal, row } => {
                let ts = now();
                let ts = ts.as_str();
                let mut params = resource_params(&ws, row, &ts, &ts).to_vec();
                params.push(journal);
                c.execute(&st.commit, &params)?;
                Ok(0)
            }
            Write::Delete { journal, address } => {
                c.execute(&st.delete, &[&ws, address, journal])?;
                Ok(0)
            }
            Write::Clear { id } => {
                c.execute(&st.clear, &[&ws, id])?;
                Ok(0)
            }
        }
    }
}

/// The statements the writes use, prepared once per connection.
struct Statements {
    begin: Statement,
    record: Statement,
    commit: Statement,
    delete: Statement,
    clear: Statement,
}

/// One workspace's state in a PostgreSQL schema.
pub struct PgBackend {
    place: Place,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    worker: Mutex<Option<JoinHandle<()>>>,
    /// Transactions the per-resource writes have committed (a group counts once).
    write_transactions: Arc<AtomicU64>,
}

/// Which state, for queries and messages.
#[derive(Clone, Debug)]
struct Place {
    schema: String,
    workspace: String,
    /// `127.0.0.1:5432 (user u, database d)`.
    server: String,
}

impl Place {
    fn name(&self) -> String {
        format!("PostgreSQL state (schema \"{}\", workspace \"{}\")", self.schema, self.workspace)
    }

    fn err(&self, detail: impl Into<String>) -> StateError {
        StateError::Remote { place: self.name(), detail: detail.into() }
    }

    fn db(&self, e: postgres::Error) -> StateError {
        self.err(match e.as_db_error() {
            Some(_) => describe_error(&e),
            None => format!("{} (server {})", describe_error(&e), self.server),
        })
    }

    fn lock_key(&self) -> i64 {
        key("skyform state lock", &[&self.schema, &self.workspace])
    }
}

trait Ctx<T> {
    fn ctx(self, p: &Place) -> StateResult<T>;
}

impl<T> Ctx<T> for Result<T, postgres::Error> {
    fn ctx(self, p: &Place) -> StateResult<T> {
        self.map_err(|e| p.db(e))
    }
}

/// A PostgreSQL error as one line: the server's message, code, detail and hint, or the client's
/// error with its causes.
fn describe_error(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{} (SQLSTATE {})", db.message(), db.code().code());
        if let Some(d) = db.detail() {
            s.push_str(&format!("; {}", d.trim_end_matches('.')));
        }
        if let Some(h) = db.hint() {
            s.push_str(&format!("; hint: {}", h.trim_end_matches('.')));
        }
        return s;
    }
    // The client's errors keep their cause (refused, timed out, bad password) as the source.
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    s.trim_end_matches('.').to_string()
}

/// A stable 64-bit advisory-lock key for `parts` (SHA-256, so every skyform build and host
/// derives the same key).
fn key(purpose: &str, parts: &[&str]) -> i64 {
    let mut h = Sha256::new();
    h.update(purpose.as_bytes());
    for p in parts {
        h.update([0u8]);
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    i64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

/// `name` as a quoted SQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The connection settings: `conn_str` (a `postgres://` URL or libpq `key=value` string), with
/// what it leaves out taken from the `PG*` environment variables and libpq's defaults, and the
/// TLS connector they call for.
fn config(conn_str: &str) -> Result<Settings, String> {
    let mut s = config_with(conn_str, |name| std::env::var(name).ok())?;
    s.tls = s.connector()?;
    Ok(s)
}

fn config_with(conn_str: &str, env: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    let (rest, mode, root_cert) = take_tls_params(conn_str)?;
    let mut c: Config = if rest.trim().is_empty() {
        Config::new()
    } else {
        rest.parse().map_err(|e: postgres::Error| format!("the connection string is invalid: {}", describe_error(&e)))?
    };
    if c.get_ports().is_empty() {
        if let Some(ports) = env("PGPORT") {
            for p in ports.split(',') {
                c.port(p.trim().parse().map_err(|_| format!("PGPORT is not a port number: {ports}"))?);
            }
        }
    }
    if c.get_hosts().is_empty() {
        match env("PGHOST") {
            Some(hosts) => {
                for h in hosts.split(',') {
                    c.host(h.trim());
                }
            }
            None => {
                // libpq's default: the server's Unix socket when there is one, else localhost.
                let port = c.get_ports().first().copied().unwrap_or(5432);
                match ["/var/run/postgresql", "/tmp"].into_iter().find(|d| std::path::Path::new(&format!("{d}/.s.PGSQL.{port}")).exists()) {
                    Some(dir) => c.host_path(dir),
                    None => c.host("localhost"),
                };
            }
        }
    }
    if c.get_user().is_none() {
        c.user(&env("PGUSER").unwrap_or_else(super::store::who));
    }
    if c.get_password().is_none() {
        if let Some(p) = env("PGPASSWORD") {
            c.password(p);
        }
    }
    if c.get_dbname().is_none() {
        if let Some(d) = env("PGDATABASE") {
            c.dbname(&d);
        }
    }
    // libpq's default is `prefer`; an sslmode in the string wins over PGSSLMODE.
    let mode = match (mode, env("PGSSLMODE")) {
        (Some(m), _) => TlsMode::parse(&m)?,
        (None, Some(m)) => TlsMode::parse(&m).map_err(|e| format!("PGSSLMODE: {e}"))?,
        (None, None) => TlsMode::Prefer,
    };
    let root_cert = root_cert.filter(|r| !r.is_empty()).or_else(|| env("PGSSLROOTCERT")).or_else(|| {
        // libpq's default root certificate file, when there is one.
        let path = format!("{}/.postgresql/root.crt", env("HOME")?);
        std::path::Path::new(&path).is_file().then_some(path)
    });
    // The server does no TLS on Unix sockets, and libpq does not ask for it there.
    let unix_only = c.get_hosts().iter().all(|h| matches!(h, Host::Unix(_)));
    c.ssl_mode(if unix_only { SslMode::Disable } else { mode.client_mode() });
    if c.get_connect_timeout().is_none() {
        let secs = env("PGCONNECT_TIMEOUT").and_then(|s| s.parse::<u64>().ok()).filter(|s| *s > 0).unwrap_or(30);
        c.connect_timeout(Duration::from_secs(secs));
    }
    if c.get_application_name().is_none() {
        c.application_name(&env("PGAPPNAME").unwrap_or_else(|| "skyform".into()));
    }
    Ok(Settings { pg: c, mode, root_cert, tls: None })
}

/// libpq's `sslmode`, of which `postgres::Config` knows only `disable`, `prefer` and `require`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum TlsMode {
    Disable,
    /// Taken as `prefer`: TLS when the server offers it (so a server that insists on TLS is
    /// still reached).
    Allow,
    #[default]
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    fn parse(s: &str) -> Result<TlsMode, String> {
        Ok(match s {
            "disable" => TlsMode::Disable,
            "allow" => TlsMode::Allow,
            "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            _ => return Err(format!("sslmode {s:?} is not one of disable, allow, prefer, require, verify-ca, verify-full")),
        })
    }

    fn name(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Allow => "allow",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }

    /// What the client is told: whether TLS is attempted, and whether it is required.
    fn client_mode(self) -> SslMode {
        match self {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Allow | TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
        }
    }
}

/// The connection settings: the client's, and how TLS is done.
struct Settings {
    pg: Config,
    mode: TlsMode,
    /// The CA certificates the server's certificate is checked against: `sslrootcert` (or
    /// `PGSSLROOTCERT`, or libpq's `~/.postgresql/root.crt` when it exists): a PEM file, or
    /// `system` for the system's store. None: the system's store under `verify-*`, no check
    /// otherwise.
    root_cert: Option<String>,
    /// The TLS connector; none under `disable`, or when every host is a Unix socket (the server
    /// never does TLS there, and libpq does not ask).
    tls: Option<MakeRustlsConnect>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("pg", &self.pg).field("mode", &self.mode).field("root_cert", &self.root_cert).finish_non_exhaustive()
    }
}

impl std::ops::Deref for Settings {
    type Target = Config;

    fn deref(&self) -> &Config {
        &self.pg
    }
}

impl Settings {
    /// What the server's certificate is checked against, for messages.
    fn roots(&self) -> String {
        match self.root_cert.as_deref() {
            Some("system") => "the system's trusted CA certificates".into(),
            Some(path) => format!("the CA certificates in {path}"),
            None if matches!(self.mode, TlsMode::VerifyCa | TlsMode::VerifyFull) => "the system's trusted CA certificates".into(),
            None => "nothing".into(),
        }
    }

    /// The TLS connector for these settings, the CA certificates loaded.
    fn connector(&self) -> Result<Option<MakeRustlsConnect>, String> {
        if self.pg.get_ssl_mode() == SslMode::Disable {
            return Ok(None);
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let roots = match self.root_cert.as_deref() {
            Some("system") => Some(system_roots()?),
            Some(path) => Some(file_roots(path)?),
            None if matches!(self.mode, TlsMode::VerifyCa | TlsMode::VerifyFull) => Some(system_roots()?),
            None => None,
        };
        let verifier =
            CertCheck { roots: roots.map(Arc::new), check_name: self.mode == TlsMode::VerifyFull, algorithms: provider.signature_verification_algorithms };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS cannot be set up: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(Some(MakeRustlsConnect::new(config)))
    }
}

/// The CA certificates of the PEM file `path` (`sslrootcert`).
fn file_roots(path: &str) -> Result<rustls::RootCertStore, String> {
    use rustls::pki_types::pem::PemObject;
    let bad = |e: &dyn std::fmt::Display| format!("the root certificate file {path} (sslrootcert) cannot be read: {e}");
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_file_iter(path).map_err(|e| bad(&e))? {
        roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
    }
    if roots.is_empty() {
        return Err(bad(&"it holds no PEM certificate"));
    }
    Ok(roots)
}

/// The system's trusted CA certificates.
fn system_roots() -> Result<rustls::RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        let why: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
        let why = if why.is_empty() { String::new() } else { format!(" ({})", why.join("; ")) };
        return Err(format!(
            "no trusted CA certificate was found in the system's store to check the server's certificate against{why}: name the CA certificate with sslrootcert=PATH (or PGSSLROOTCERT)"
        ));
    }
    Ok(roots)
}

/// How the server's certificate is checked: against `roots` when set (the chain only, or the
/// chain and the host name), not at all otherwise (libpq's `require` and `prefer` without a
/// root certificate). The handshake's signatures are always checked.
#[derive(Debug)]
struct CertCheck {
    roots: Option<Arc<rustls::RootCertStore>>,
    check_name: bool,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl rustls::client::danger::ServerCertVerifier for CertCheck {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = rustls::server::ParsedCertificate::try_from(end_entity)?;
            rustls::client::verify_server_cert_signed_by_trust_anchor(&cert, roots, intermediates, now, self.algorithms.all)?;
            if self.check_name {
                rustls::client::verify_server_name(&cert, server_name)?;
            }
        }
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `conn_str` without its `sslmode` and `sslrootcert` (which `postgres::Config` does not know,
/// or knows in part), and their values.
fn take_tls_params(conn_str: &str) -> Result<(String, Option<String>, Option<String>), String> {
    let (mut mode, mut root) = (None, None);
    let mut take = |key: &str, value: String| match key {
        "sslmode" => {
            mode = Some(value);
            true
        }
        "sslrootcert" => {
            root = Some(value);
            true
        }
        _ => false,
    };
    let rest = if conn_str.starts_with("postgres://") || conn_str.starts_with("postgresql://") {
        match conn_str.split_once('?') {
            None => conn_str.to_string(),
            Some((base, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|part| {
                        let (k, v) = part.split_once('=').unwrap_or((part, ""));
                        !take(&percent_decode(k), percent_decode(v))
                    })
                    .collect();
                if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
        }
    } else {
        let mut kept = Vec::new();
        for (k, v) in key_values(conn_str)? {
            if !take(&k, v.clone()) {
                kept.push(format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")));
            }
        }
        kept.join(" ")
    };
    Ok((rest, mode, root))
}

/// `%XX` escapes decoded (as the client decodes URL parts).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The pairs of a libpq `key=value` string (values quoted with `'`, `\` escaping).
fn key_values(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut it = s.chars().peekable();
    loop {
        while it.next_if(|c| c.is_whitespace()).is_some() {}
        if it.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(c) = it.next_if(|c| !c.is_whitespace() && *c != '=') {
            key.push(c);
        }
        while it.next_if(|c| c.is_whitespace()).is_some() {}
        if it.next() != Some('=') {
            return Err(format!("the connection string is invalid: {key:?} is not followed by '='"));
        }
        while it.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if it.next_if_eq(&'\'').is_some() {
            loop {
                match it.next() {
                    None => return Err(format!("the connection string is invalid: the quoted value of {key} is not terminated")),
                    Some('\'') => break,
                    Some('\\') => value.extend(it.next()),
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = it.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(it.next());
                } else {
                    value.push(c);
                }
            }
        }
        out.push((key, value));
    }
}

/// `127.0.0.1:5432 (user u, database d)`, for messages.
fn server_name(c: &Config) -> String {
    let ports = c.get_ports();
    let hosts: Vec<String> = c
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match h {
                Host::Tcp(name) if name.contains(':') => format!("[{name}]:{port}"),
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(dir) => format!("{}/.s.PGSQL.{port}", dir.display()),
            }
        })
        .collect();
    let user = c.get_user().unwrap_or("?");
    format!("{} (user {user}, database {})", hosts.join(","), c.get_dbname().unwrap_or(user))
}

/// A new connection whose search path is `place`'s schema.
fn connect(c: &Settings, place: &Place) -> StateResult<Client> {
    let connected = match &c.tls {
        Some(tls) => c.pg.connect(tls.clone()),
        None => c.pg.connect(NoTls),
    };
    let mut client = connected.map_err(|e| {
        let mut s = format!("could not connect to the PostgreSQL server at {}: {}", place.server, describe_error(&e));
        let mode = c.mode.name();
        if s.contains("not valid for name") {
            s.push_str(&format!(
                " (sslmode={mode} checks that the server's certificate names the host connected to: connect with a name it lists, or use sslmode=verify-ca)"
            ));
        } else if s.contains("invalid peer certificate") {
            s.push_str(&format!(
                " (sslmode={mode}: the server's certificate was checked against {}; name the CA certificate that signed it with sslrootcert=PATH, or use sslmode=require to encrypt without checking it)",
                c.roots()
            ));
        } else if s.contains("server does not support TLS") {
            s.push_str(&format!(" (sslmode={mode} requires TLS: use sslmode=prefer or disable to connect without it)"));
        }
        place.err(s)
    })?;
    client.batch_execute(&format!("SET search_path TO {}", quote_ident(&place.schema))).ctx(place)?;
    Ok(client)
}

/// Runs `f` on a thread of its own: the `postgres` client must not run inside a Tokio runtime.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
}

/// The schema to use: `schema_name`, or the default when empty.
fn schema_or_default(schema_name: &str) -> &str {
    if schema_name.is_empty() {
        DEFAULT_SCHEMA
    } else {
        schema_name
    }
}

fn check_schema_name(schema: &str) -> Result<(), String> {
    if schema.contains('\0') || schema.len() > 63 {
        return Err(format!("the schema name {schema:?} is not valid (at most 63 bytes, without NUL)"));
    }
    Ok(())
}

/// What the connection thread owns.
struct Session {
    config: Settings,
    place: Place,
    /// The connection for everything but the lock; reconnected when lost.
    client: Option<Client>,
    /// Statements prepared on `client` (one round trip each per call instead of two).
    prepared: std::collections::HashMap<&'static str, Statement>,
    /// While this backend holds the lock: the connection holding the advisory lock.
    lock: Option<HeldLock>,
    /// See [`PgBackend::write_transactions`].
    write_transactions: Arc<AtomicU64>,
}

struct HeldLock {
    client: Client,
    info: LockInfo,
    /// The server process of `client` (excluded when looking for a live holder).
    server_pid: i32,
}

/// A server session holding an advisory lock.
struct HolderSession {
    server_pid: i32,
    user: String,
    client: String,
    application: String,
}

impl Session {
    fn main(&mut self) -> StateResult<(&mut Client, &Place)> {
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.client = None;
            self.prepared.clear();
            self.client = Some(connect(&self.config, &self.place)?);
        }
        Ok((self.client.as_mut().expect("connected"), &self.place))
    }

    /// The connection with `sql` prepared on it (once per connection).
    fn with_prepared(&mut self, sql: &'static str) -> StateResult<(&mut Client, Statement, &Place)> {
        self.main()?;
        let (client, place) = (self.client.as_mut().expect("connected"), &self.place);
        let stmt = match self.prepared.get(sql) {
            Some(s) => s.clone(),
            None => {
                let s = client.prepare(sql).ctx(place)?;
                self.prepared.insert(sql, s.clone());
                s
            }
        };
        Ok((client, stmt, place))
    }

    /// The connection with the writes' statements prepared on it.
    fn statements(&mut self) -> StateResult<(&mut Client, Statements, &Place)> {
        let begin = self.with_prepared(BEGIN_OPERATION)?.1;
        let record = self.with_prepared(RECORD_OBJECT)?.1;
        let commit = self.with_prepared(COMMIT_RESOURCE.as_str())?.1;
        let delete = self.with_prepared(DELETE_RESOURCE)?.1;
        let (client, clear, place) = self.with_prepared(CLEAR_OPERATION)?;
        Ok((client, Statements { begin, record, commit, delete, clear }, place))
    }

    /// Runs the writes, in order, in one transaction, and answers each once it has committed.
    /// When any fails, the transaction is rolled back and each runs again on its own, so each
    /// caller gets its own answer.
    fn write_group(&mut self, group: Vec<(Write, Reply)>) {
        let committed = self.write_transactions.clone();
        let (c, st, p) = match self.statements() {
            Ok(s) => s,
            Err(e) => {
                let (place, detail) = match &e {
                    StateError::Remote { place, detail } => (place.clone(), detail.clone()),
                    other => (String::new(), other.to_string()),
                };
                for (_, reply) in group {
                    reply.send(Err(StateError::Remote { place: place.clone(), detail: detail.clone() }));
                }
                return;
            }
        };
        let ws = p.workspace.as_str();
        if group.len() > 1 {
            let together = (|| {
                let mut tx = c.transaction()?;
                let mut answers = Vec::with_capacity(group.len());
                for (w, _) in &group {
                    answers.push(w.run(&mut tx, &st, ws)?);
                }
                tx.commit()?;
                Ok::<_, postgres::Error>(answers)
            })();
            if let Ok(answers) = together {
                committed.fetch_add(1, Ordering::Relaxed);
                for ((_, reply), id) in group.into_iter().zip(answers) {
                    reply.send(Ok(id));
                }
                return;
            }
        }
        for (w, reply) in group {
            let answer = w.run(c, &st, ws).ctx(p);
            if answer.is_ok() {
                committed.fetch_add(1, Ordering::Relaxed);
            }
            reply.send(answer);
        }
    }

    /// Creates the schema and tables when missing, migrates them, and creates this workspace's
    /// state (a fresh lineage, serial 0) when it has none, all in one transaction.
    fn migrate(&mut self) -> StateResult<()> {
        let (c, p) = self.main()?;
        let schema = quote_ident(&p.schema);
        let mut tx = c.transaction().ctx(p)?;
        // One runner at a time per schema (CREATE ... IF NOT EXISTS races otherwise).
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&key("skyform state migrate", &[&p.schema])]).ctx(p)?;
        let exists: bool = tx.query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", &[&p.schema]).ctx(p)?.get(0);
        if !exists {
            tx.batch_execute(&format!("CREATE SCHEMA {schema}")).ctx(p)?;
        }
        tx.batch_execute(&format!(
            "SET LOCAL search_path TO {schema};
             CREATE TABLE IF NOT EXISTS {schema}.schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL, updated TEXT NOT NULL)"
        ))
        .ctx(p)?;
        let version: i64 = tx.query_opt("SELECT version FROM schema_version WHERE id = 1", &[]).ctx(p)?.map(|r| r.get(0)).unwrap_or(0);
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StateError::NewerSchema { path: PathBuf::from(format!("{} on {}", p.name(), p.server)), found: version, supported });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(sql).map_err(|e| p.err(format!("schema migration {} failed: {}", i + 1, describe_error(&e))))?;
        }
        if version < supported {
            tx.execute(
                "INSERT INTO schema_version (id, version, updated) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated = excluded.updated",
                &[&supported, &now()],
            )
            .ctx(p)?;
        }
        tx.execute(
            "INSERT INTO meta (workspace, lineage, serial, created) VALUES ($1, $2, 0, $3) ON CONFLICT (workspace) DO NOTHING",
            &[&p.workspace, &uuid::Uuid::new_v4().to_string(), &now()],
        )
        .ctx(p)?;
        tx.commit().ctx(p)
    }

    /// The server session holding this workspace's advisory lock, other than this backend's own.
    fn holder_session(&mut self) -> StateResult<Option<HolderSession>> {
        let own = self.lock.as_ref().map(|l| l.server_pid).unwrap_or(0);
        let (c, p) = self.main()?;
        let k = p.lock_key() as u64;
        let (hi, lo) = ((k >> 32) as i64, (k & 0xffff_ffff) as i64);
        let row = c
            .query_opt(
                "SELECT l.pid, coalesce(a.usename::text, ''), coalesce(host(a.client_addr), 'local socket'), coalesce(a.application_name, '')
                 FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.pid <> $3
                 LIMIT 1",
                &[&hi, &lo, &own],
            )
            .ctx(p)?;
        Ok(row.map(|r| HolderSession { server_pid: r.get(0), user: r.get(1), client: r.get(2), application: r.get(3) }))
    }

    fn read_lock(&mut self) -> StateResult<Option<LockInfo>> {
        let (c, p) = self.main()?;
        let row = c.query_opt("SELECT lock_id, operation, who, host, pid, created FROM locks WHERE workspace = $1", &[&p.workspace]).ctx(p)?;
        Ok(row.map(|r| LockInfo { id: r.get(0), operation: r.get(1), who: r.get(2), host: r.get(3), pid: r.get::<_, i64>(4) as u32, created: r.get(5) }))
    }

    fn try_lock(&mut self, operation: &str) -> StateResult<Result<LockInfo, LockInfo>> {
        if let Some(held) = &self.lock {
            // Held by this backend already: not taken twice (as the SQLite backend).
            return Ok(Err(held.info.clone()));
        }
        let p = self.place.clone();
        let mut lc = connect(&self.config, &p)?;
        // The holder takes the advisory lock, then writes its row: a row missing while the
        // advisory lock is taken is about to appear, so look again for a moment.
        let mut attempts = 0;
        loop {
            let got: bool = lc.query_one("SELECT pg_try_advisory_lock($1)", &[&p.lock_key()]).ctx(&p)?.get(0);
            if got {
                break;
            }
            if let Some(holder) = self.read_lock()? {
                return Ok(Err(holder));
            }
            attempts += 1;
            if attempts == 40 {
                // A session that is not skyform's holds the key, or one that stopped between
                // the two steps: name the session.
                let s = self.holder_session()?;
                return Ok(Err(LockInfo {
                    id: "unknown".into(),
                    operation: match &s {
                        Some(s) => format!("unknown: PostgreSQL server process {} holds the lock but wrote no lock row", s.server_pid),
                        None => "unknown: the holder wrote no lock row".into(),
                    },
                    who: s.as_ref().map(|s| format!("PostgreSQL user {}", s.user)).unwrap_or_else(|| "unknown".into()),
                    host: s.as_ref().map(|s| s.client.clone()).unwrap_or_else(|| "unknown".into()),
                    pid: 0,
                    created: now(),
                }));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        // The advisory lock is ours: a row left behind is a dead holder's, taken over (the
        // server ended its session lock), and said so.
        if let Some(old) = self.read_lock()? {
            eprintln!(
                "Note: The state lock of {}@{} (pid {}, operation {}, since {}) was released by PostgreSQL when that session ended; skyform takes it now. What that run committed is kept.",
                old.who, old.host, old.pid, old.operation, old.created
            );
        }
        let info = LockInfo::new(operation);
        lc.execute(
            "INSERT INTO locks (workspace, lock_id, operation, who, host, pid, created) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (workspace) DO UPDATE SET lock_id = excluded.lock_id, operation = excluded.operation, who = excluded.who,
               host = excluded.host, pid = excluded.pid, created = excluded.created",
            &[&p.workspace, &info.id, &info.operation, &info.who, &info.host, &(info.pid as i64), &info.created],
        )
        .ctx(&p)?;
        let server_pid: i32 = lc.query_one("SELECT pg_backend_pid()", &[]).ctx(&p)?.get(0);
        self.lock = Some(HeldLock { client: lc, info: info.clone(), server_pid });
        Ok(Ok(info))
    }

    /// Drops the advisory lock if this backend holds the lock `id`.
    fn drop_own_lock(&mut self, id: &str) {
        if self.lock.as_ref().is_some_and(|l| l.info.id == id) {
            let mut held = self.lock.take().expect("held");
            // Closing the session releases it anyway; unlock first so it is free at once.
            let _ = held.client.execute("SELECT pg_advisory_unlock($1)", &[&self.place.lock_key()]);
            let _ = held.client.close();
        }
    }

    fn release_lock(&mut self, id: &str) -> StateResult<()> {
        let (c, p) = self.main()?;
        let deleted = c.execute("DELETE FROM locks WHERE workspace = $1 AND lock_id = $2", &[&p.workspace, &id]).ctx(p);
        self.drop_own_lock(id);
        deleted.map(|_| ())
    }

    fn current_lock(&mut self) -> StateResult<Option<(LockInfo, bool)>> {
        let Some(info) = self.read_lock()? else { return Ok(None) };
        let alive = self.holder_session()?.is_some();
        Ok(Some((info, alive)))
    }

    fn force_unlock(&mut self, id: &str) -> StateResult<()> {
        match self.read_lock()? {
            Some(h) if h.id == id => {
                if self.lock.as_ref().is_some_and(|l| l.info.id == id) {
                    return self.release_lock(id);
                }
                if let Some(s) = self.holder_session()? {
                    // Another session's advisory lock cannot be released from here: removing the
                    // row would only hide who holds it.
                    return Err(self.place.err(format!(
                        "lock {id} is still held by a live session: {}@{} (pid {}, {} since {}), connected to PostgreSQL as user {} from {} (server process {}{}). \
                         The lock is released when that session ends: stop that process, or have an administrator run SELECT pg_terminate_backend({})",
                        h.who,
                        h.host,
                        h.pid,
                        h.operation,
                        h.created,
                        s.user,
                        s.client,
                        s.server_pid,
                        if s.application.is_empty() { String::new() } else { format!(", application {}", s.application) },
                        s.server_pid
                    )));
                }
                let (c, p) = self.main()?;
                c.execute("DELETE FROM locks WHERE workspace = $1 AND lock_id = $2", &[&p.workspace, &id]).ctx(p)?;
                Ok(())
            }
            holder => Err(StateError::LockIdMismatch { given: id.to_string(), holder }),
        }
    }
}

/// Inserts or updates one resource row; `created` is kept when the row exists.
const UPSERT_RESOURCE: &str = "INSERT INTO resources (workspace, address, module, mode, type, name, index_key, provider, schema_version, attributes, sensitive_paths, dependencies, created_at, updated_at, tainted)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (workspace, address) DO UPDATE SET module = excluded.module, mode = excluded.mode, type = excluded.type, name = excluded.name,
       index_key = excluded.index_key, provider = excluded.provider, schema_version = excluded.schema_version,
       attributes = excluded.attributes, sensitive_paths = excluded.sensitive_paths, dependencies = excluded.dependencies,
       updated_at = excluded.updated_at, tainted = excluded.tainted";

/// `commit_resource` in one statement: $16 is the journal entry to clear (or null).
static COMMIT_RESOURCE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH up AS ({UPSERT_RESOURCE} RETURNING 1),
              done AS (DELETE FROM pending_operations WHERE workspace = $1 AND id = $16)
         UPDATE meta SET serial = serial + 1 WHERE workspace = $1"
    )
});

/// `delete_resource` in one statement: $3 is the journal entry to clear (or null).
const DELETE_RESOURCE: &str = "WITH gone AS (DELETE FROM resources WHERE workspace = $1 AND address = $2),
     done AS (DELETE FROM pending_operations WHERE workspace = $1 AND id = $3)
     UPDATE meta SET serial = serial + 1 WHERE workspace = $1";

const BEGIN_OPERATION: &str =
    "INSERT INTO pending_operations (workspace, address, action, started_at, pid, prior) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

const RECORD_OBJECT: &str = "UPDATE pending_operations SET object = $3 WHERE workspace = $1 AND id = $2";

const CLEAR_OPERATION: &str = "DELETE FROM pending_operations WHERE workspace = $1 AND id = $2";

/// The parameters of [`UPSERT_RESOURCE`] ($1 to $15), in its column order.
fn resource_params<'a>(ws: &'a &'a str, row: &'a ResourceRow, created: &'a &'a str, updated: &'a &'a str) -> [&'a (dyn postgres::types::ToSql + Sync); 15] {
    [
        ws,
        &row.address,
        &row.module,
        &row.mode,
        &row.type_name,
        &row.name,
        &row.index_key,
        &row.provider,
        &row.schema_version,
        &row.attributes,
        &row.sensitive_paths,
        &row.dependencies,
        created,
        updated,
        &row.tainted,
    ]
}

fn upsert_resource(
    tx: &mut Transaction<'_>,
    stmt: &Statement,
    ws: &str,
    res: &ResourceInstanceState,
    created: &str,
    updated: &str,
) -> Result<(), postgres::Error> {
    let row = ResourceRow::of(res);
    tx.execute(stmt, &resource_params(&ws, &row, &created, &updated))?;
    Ok(())
}

/// Replaces every output row of the workspace.
fn insert_outputs(tx: &mut Transaction<'_>, ws: &str, outputs: &BTreeMap<String, OutputState>) -> Result<(), postgres::Error> {
    tx.execute("DELETE FROM outputs WHERE workspace = $1", &[&ws])?;
    if outputs.is_empty() {
        return Ok(());
    }
    let stmt = tx.prepare("INSERT INTO outputs (workspace, name, value, sensitive, set_paths) VALUES ($1, $2, $3, $4, $5)")?;
    for (name, o) in outputs {
        let (value, set_paths) = output_row(o);
        tx.execute(&stmt, &[&ws, name, &value, &o.sensitive, &set_paths])?;
    }
    Ok(())
}

/// Clears the journal row (if any) and bumps the serial, inside the caller's transaction.
fn finish(tx: &mut Transaction<'_>, ws: &str, journal: Option<i64>) -> Result<(), postgres::Error> {
    if let Some(id) = journal {
        tx.execute("DELETE FROM pending_operations WHERE workspace = $1 AND id = $2", &[&ws, &id])?;
    }
    tx.execute("UPDATE meta SET serial = serial + 1 WHERE workspace = $1", &[&ws])?;
    Ok(())
}

/// The workspaces with state in the schema (`schema_name`, or the default when empty), always
/// including `default`, sorted.
pub fn workspaces(conn_str: &str, schema_name: &str) -> StateResult<Vec<String>> {
    let schema_name = schema_or_default(schema_name);
    let mut place = Place { schema: schema_name.to_string(), workspace: "*".into(), server: String::new() };
    check_schema_name(schema_name).map_err(|e| place.err(e))?;
    let config = config(conn_str).map_err(|e| place.err(e))?;
    place.server = server_name(&config);
    off_runtime(|| {
        let mut c = connect(&config, &place)?;
        let meta = format!("{}.meta", quote_ident(schema_name));
        let exists: bool = c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&meta]).ctx(&place)?.get(0);
        let mut names = vec![DEFAULT_WORKSPACE.to_string()];
        if exists {
            for r in c.query(&format!("SELECT workspace FROM {meta}"), &[]).ctx(&place)? {
                names.push(r.get(0));
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    })
}

/// Deletes a workspace's state (every row of it). `default` cannot be deleted, nor a
/// workspace whose lock is held; a workspace without state is no error.
pub fn delete_workspace(conn_str: &str, schema_name: &str, name: &str) -> StateResult<()> {
    let schema_name = schema_or_default(schema_name);
    let mut place = Place { schema: schema_name.to_string(), workspace: name.to_string(), server: String::new() };
    check_schema_name(schema_name).map_err(|e| place.err(e))?;
    if name == DEFAULT_WORKSPACE {
        return Err(place.err("the default workspace cannot be deleted"));
    }
    let config = config(conn_str).map_err(|e| place.err(e))?;
    place.server = server_name(&config);
    off_runtime(|| {
        let mut c = connect(&config, &place)?;
        let p = &place;
        let meta = format!("{}.meta", quote_ident(schema_name));
        let exists: bool = c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&meta]).ctx(p)?.get(0);
        if !exists {
            return Ok(());
        }
        let mut tx = c.transaction().ctx(p)?;
        let free: bool = tx.query_one("SELECT pg_try_advisory_xact_lock($1)", &[&p.lock_key()]).ctx(p)?.get(0);
        if !free {
            let holder = tx.query_opt("SELECT lock_id, operation, who, host, pid FROM locks WHERE workspace = $1", &[&name]).ctx(p)?;
            let who = holder
                .map(|r| {
                    format!(
                        " by {}@{} (pid {}, operation {}, lock ID {})",
                        r.get::<_, String>(2),
                        r.get::<_, String>(3),
                        r.get::<_, i64>(4),
                        r.get::<_, String>(1),
                        r.get::<_, String>(0)
                    )
                })
                .unwrap_or_default();
            return Err(p.err(format!("the workspace is locked{who}: it cannot be deleted while in use")));
        }
        for table in ["resources", "outputs", "pending_operations", "history", "locks", "meta"] {
            tx.execute(&format!("DELETE FROM {table} WHERE workspace = $1"), &[&name]).ctx(p)?;
        }
        tx.commit().ctx(p)
    })
}

impl PgBackend {
    /// Connects (`conn_str` as in Terraform's pg backend: a `postgres://` URL or a libpq
    /// `key=value` string; empty: the `PG*` environment variables), creates the schema and its
    /// tables when missing or migrates them, and creates the workspace's state (a fresh
    /// lineage, serial 0) when it has none. An empty `schema_name` is [`DEFAULT_SCHEMA`].
    pub fn open(conn_str: &str, schema_name: &str, workspace: &str) -> StateResult<PgBackend> {
        let schema_name = schema_or_default(schema_name);
        let mut place = Place { schema: schema_name.to_string(), workspace: workspace.to_string(), server: String::new() };
        check_schema_name(schema_name).map_err(|e| place.err(e))?;
        if workspace.is_empty() {
            return Err(place.err("the workspace name is empty"));
        }
        let config = config(conn_str).map_err(|e| place.err(e))?;
        place.server = server_name(&config);
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready_tx, ready) = mpsc::channel();
        let session_place = place.clone();
        let write_transactions = Arc::new(AtomicU64::new(0));
        let counter = write_transactions.clone();
        let worker = std::thread::Builder::new()
            .name(format!("pg-state-{workspace}"))
            .spawn(move || {
                let mut session = Session { config, place: session_place, client: None, prepared: Default::default(), lock: None, write_transactions: counter };
                let started = session.migrate();
                let ok = started.is_ok();
                let _ = ready_tx.send(started);
                if !ok {
                    return;
                }
                let mut next = None;
                while let Some(job) = next.take().or_else(|| inbox.recv().ok()) {
                    match job {
                        Job::Run(job) => {
                            // A panic in one request fails that request (its reply is dropped), not the backend.
                            let s = &mut session;
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(s)));
                        }
                        Job::Write(write, reply) => {
                            // Everything queued behind it that is a write joins its group; the
                            // first other request waits for the group.
                            let mut group = vec![(write, reply)];
                            while group.len() < GROUP_LIMIT {
                                match inbox.try_recv() {
                                    Ok(Job::Write(w, r)) => group.push((w, r)),
                                    Ok(other) => {
                                        next = Some(other);
                                        break;
                                    }
                                    Err(_) => break,
                                }
                            }
                            let s = &mut session;
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.write_group(group)));
                        }
                    }
                }
            })
            .map_err(|e| place.err(format!("could not start the connection thread: {e}")))?;
        let started = ready.recv().unwrap_or_else(|_| Err(place.err("the connection thread stopped while connecting")));
        if let Err(e) = started {
            let _ = worker.join();
            return Err(e);
        }
        Ok(PgBackend { place, jobs: Mutex::new(Some(jobs)), worker: Mutex::new(Some(worker)), write_transactions })
    }

    /// See [`workspaces`].
    pub fn workspaces(conn_str: &str, schema_name: &str) -> StateResult<Vec<String>> {
        workspaces(conn_str, schema_name)
    }

    /// See [`delete_workspace`].
    pub fn delete_workspace(conn_str: &str, schema_name: &str, name: &str) -> StateResult<()> {
        delete_workspace(conn_str, schema_name, name)
    }

    /// The newest schema version this build knows.
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// Runs `f` on the connection thread and waits for its answer.
    fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Session) -> StateResult<T> + Send + 'static) -> StateResult<T> {
        let (reply, answer) = mpsc::channel();
        let job = Job::Run(Box::new(move |s| {
            let _ = reply.send(f(s));
        }));
        self.send(job, answer)
    }

    /// Queues a per-resource write and waits until the transaction holding it has committed.
    fn write(&self, write: Write) -> StateResult<i64> {
        let (reply, answer) = mpsc::channel();
        self.send(Job::Write(write, Reply::Wait(reply)), answer)
    }

    /// Sends a job to the connection thread and waits for its answer.
    fn send<T>(&self, job: Job, answer: mpsc::Receiver<StateResult<T>>) -> StateResult<T> {
        if !self.queue(job) {
            return Err(self.place.err("the connection thread has stopped"));
        }
        answer.recv().unwrap_or_else(|_| Err(self.lost()))
    }

    /// Hands a job to the connection thread; false when it has stopped.
    fn queue(&self, job: Job) -> bool {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|j| j.send(job).is_ok())
    }

    /// The error for a request whose answer never came.
    fn lost(&self) -> StateError {
        self.place.err("the request failed inside skyform (its connection thread panicked)")
    }

    /// How many transactions the per-resource writes have committed so far (writes that were
    /// queued together share one). For tests.
    #[doc(hidden)]
    pub fn write_transactions(&self) -> u64 {
        self.write_transactions.load(Ordering::Relaxed)
    }

    /// Keeps the connection thread busy for `d` without waiting for it, so that the requests
    /// sent meanwhile queue up behind it. For tests.
    #[doc(hidden)]
    pub fn hold(&self, d: Duration) {
        if let Some(j) = self.jobs.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = j.send(Job::Run(Box::new(move |_| std::thread::sleep(d))));
        }
    }

    /// Like a crash of the holder: closes the connections without releasing the lock (its row
    /// stays; the server releases the advisory lock with the session). For tests.
    #[doc(hidden)]
    pub fn abandon(self) {
        let _ = self.run(|s| {
            if let Some(held) = s.lock.take() {
                let _ = held.client.close();
            }
            Ok(())
        });
    }
}

impl Drop for PgBackend {
    fn drop(&mut self) {
        // Closing the channel ends the thread, which closes the connections (releasing an
        // advisory lock still held, as a crash would; the lock row then is taken over).
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(worker) = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = worker.join();
        }
    }
}

impl Backend for PgBackend {
    fn describe(&self) -> String {
        format!("PostgreSQL schema \"{}\" (workspace \"{}\") at {}", self.place.schema, self.place.workspace, self.place.server)
    }

    fn lineage_serial(&self) -> StateResult<(String, u64)> {
        self.run(|s| {
            let (c, p) = s.main()?;
            let r = c.query_one("SELECT lineage, serial FROM meta WHERE workspace = $1", &[&p.workspace]).ctx(p)?;
            Ok((r.get(0), r.get::<_, i64>(1) as u64))
        })
    }

    fn load(&self) -> StateResult<State> {
        self.run(|s| {
            let (c, p) = s.main()?;
            let corrupt = |detail: String| p.err(format!("the stored state is corrupt: {detail}"));
            // One snapshot: a concurrent commit lands wholly before or after.
            let mut tx = c.build_transaction().isolation_level(postgres::IsolationLevel::RepeatableRead).read_only(true).start().ctx(p)?;
            let meta = tx.query_one("SELECT lineage, serial FROM meta WHERE workspace = $1", &[&p.workspace]).ctx(p)?;
            let (lineage, serial): (String, u64) = (meta.get(0), meta.get::<_, i64>(1) as u64);
            let rows = tx
                .query(
                    "SELECT address, module, mode, type, name, index_key, provider, schema_version, attributes, sensitive_paths, dependencies, created_at, updated_at, tainted
                     FROM resources WHERE workspace = $1 ORDER BY address",
                    &[&p.workspace],
                )
                .ctx(p)?;
            let mut resources = BTreeMap::new();
            for r in rows {
                let row = ResourceRow {
                    address: r.get(0),
                    module: r.get(1),
                    mode: r.get(2),
                    type_name: r.get(3),
                    name: r.get(4),
                    index_key: r.get(5),
                    provider: r.get(6),
                    schema_version: r.get(7),
                    attributes: r.get(8),
                    sensitive_paths: r.get(9),
                    dependencies: r.get(10),
                    created_at: r.get(11),
                    updated_at: r.get(12),
                    tainted: r.get(13),
                };
                let res = row.decode().map_err(corrupt)?;
                resources.insert(res.address.clone(), res);
            }
            let mut outputs = BTreeMap::new();
            for r in tx.query("SELECT name, value, sensitive, set_paths FROM outputs WHERE workspace = $1", &[&p.workspace]).ctx(p)? {
                let name: String = r.get(0);
                let output = decode_output(&name, r.get(1), r.get(3), r.get(2)).map_err(corrupt)?;
                outputs.insert(name, output);
            }
            tx.commit().ctx(p)?;
            Ok(State { lineage, serial, resources, outputs })
        })
    }

    fn try_lock(&self, operation: &str) -> StateResult<Result<LockInfo, LockInfo>> {
        let operation = operation.to_string();
        self.run(move |s| s.try_lock(&operation))
    }

    fn release_lock(&self, id: &str) -> StateResult<()> {
        let id = id.to_string();
        self.run(move |s| s.release_lock(&id))
    }

    /// The lock as it stands, and whether its holder's session is still connected (another
    /// session holds the advisory lock).
    fn current_lock(&self) -> StateResult<Option<(LockInfo, bool)>> {
        self.run(|s| s.current_lock())
    }

    fn force_unlock(&self, id: &str) -> StateResult<()> {
        let id = id.to_string();
        self.run(move |s| s.force_unlock(&id))
    }

    fn begin_operation(&self, address: &str, action: &str, prior: Option<&serde_json::Value>) -> StateResult<i64> {
        self.write(Write::Begin { address: address.to_string(), action: action.to_string(), prior: prior.map(|p| p.to_string()) })
    }

    fn clear_operation(&self, id: i64) -> StateResult<()> {
        self.write(Write::Clear { id }).map(drop)
    }

    fn pending_operations(&self) -> StateResult<Vec<PendingOp>> {
        self.run(|s| {
            let (c, p) = s.main()?;
            let rows = c
                .query("SELECT id, address, action, started_at, pid, object FROM pending_operations WHERE workspace = $1 ORDER BY id", &[&p.workspace])
                .ctx(p)?;
            Ok(rows
                .iter()
                .map(|r| PendingOp {
                    id: r.get(0),
                    address: r.get(1),
                    action: r.get(2),
                    started_at: r.get(3),
                    pid: r.get::<_, i64>(4) as u32,
                    object: parse_object(r.get(5)),
                })
                .collect())
        })
    }

    fn record_object(&self, journal: i64, object: &ResourceInstanceState) -> StateResult<()> {
        self.write(Write::Record { journal, object: object_json(object) }).map(drop)
    }

    /// One statement (the row, the journal entry cleared, the serial bumped), in a transaction
    /// it may share with the writes queued beside it (see the module's doc).
    fn commit_resource(&self, journal: Option<i64>, res: &ResourceInstanceState) -> StateResult<()> {
        self.write(Write::Commit { journal, row: Box::new(ResourceRow::of(res)) }).map(drop)
    }

    fn commit_resource_queued(&self, journal: Option<i64>, res: &ResourceInstanceState) -> futures::future::BoxFuture<'static, StateResult<()>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let queued = self.queue(Job::Write(Write::Commit { journal, row: Box::new(ResourceRow::of(res)) }, Reply::Notify(reply)));
        let (stopped, lost) = (self.place.err("the connection thread has stopped"), self.lost());
        Box::pin(async move {
            if !queued {
                return Err(stopped);
            }
            answer.await.unwrap_or(Err(lost)).map(drop)
        })
    }

    fn delete_resource(&self, journal: Option<i64>, address: &str) -> StateResult<()> {
        self.write(Write::Delete { journal, address: address.to_string() }).map(drop)
    }

    fn write_outputs(&self, outputs: &BTreeMap<String, OutputState>) -> StateResult<()> {
        let outputs = outputs.clone();
        self.run(move |s| {
            let (c, p) = s.main()?;
            let mut tx = c.transaction().ctx(p)?;
            insert_outputs(&mut tx, &p.workspace, &outputs).ctx(p)?;
            finish(&mut tx, &p.workspace, None).ctx(p)?;
            tx.commit().ctx(p)
        })
    }

    fn rename_resources(&self, moves: &[(String, String)]) -> StateResult<()> {
        let mut parsed = Vec::with_capacity(moves.len());
        for (from, to) in moves {
            let addr = super::parse_key(to).map_err(|e| StateError::NotFound(e.to_string()))?;
            let key = addr.key.as_ref().map(|k| match k {
                crate::addr::InstanceKey::Int(n) => serde_json::json!(n).to_string(),
                crate::addr::InstanceKey::Str(s) => serde_json::json!(s).to_string(),
            });
            parsed.push((from.clone(), to.clone(), addr.resource.module.to_string(), addr.resource.type_name.clone(), addr.resource.name.clone(), key));
        }
        self.run(move |s| {
            let (c, p) = s.main()?;
            let ws = &p.workspace;
            let mut tx = c.transaction().ctx(p)?;
            // Through temporary addresses, so that swaps and chains cannot collide.
            for (i, (from, ..)) in parsed.iter().enumerate() {
                tx.execute("UPDATE resources SET address = $1 WHERE workspace = $2 AND address = $3", &[&format!("\u{1}move{i}"), ws, from]).ctx(p)?;
            }
            let ts = now();
            for (i, (_, to, module, type_name, name, key)) in parsed.iter().enumerate() {
                tx.execute(
                    "UPDATE resources SET address = $1, module = $2, type = $3, name = $4, index_key = $5, updated_at = $6 WHERE workspace = $7 AND address = $8",
                    &[to, module, type_name, name, key, &ts, ws, &format!("\u{1}move{i}")],
                )
                .ctx(p)?;
            }
            finish(&mut tx, ws, None).ctx(p)?;
            tx.commit().ctx(p)
        })
    }

    fn set_tainted(&self, address: &str, tainted: bool) -> StateResult<()> {
        let address = address.to_string();
        self.run(move |s| {
            let (c, p) = s.main()?;
            let mut tx = c.transaction().ctx(p)?;
            let n = tx
                .execute("UPDATE resources SET tainted = $1 WHERE workspace = $2 AND address = $3 AND mode = 'managed'", &[&tainted, &p.workspace, &address])
                .ctx(p)?;
            if n == 0 {
                return Err(StateError::NotFound(address));
            }
            finish(&mut tx, &p.workspace, None).ctx(p)?;
            tx.commit().ctx(p)
        })
    }

    fn replace_state(&self, state: &State) -> StateResult<()> {
        let state = state.clone();
        self.run(move |s| {
            let (c, p) = s.main()?;
            let ws = &p.workspace;
            let mut tx = c.transaction().ctx(p)?;
            tx.execute("DELETE FROM resources WHERE workspace = $1", &[ws]).ctx(p)?;
            tx.execute("DELETE FROM pending_operations WHERE workspace = $1", &[ws]).ctx(p)?;
            tx.execute(
                "INSERT INTO meta (workspace, lineage, serial, created) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (workspace) DO UPDATE SET lineage = excluded.lineage, serial = excluded.serial",
                &[ws, &state.lineage, &(state.serial as i64), &now()],
            )
            .ctx(p)?;
            let stmt = tx.prepare(UPSERT_RESOURCE).ctx(p)?;
            for res in state.resources.values() {
                upsert_resource(&mut tx, &stmt, ws, res, &res.created_at, &res.updated_at).ctx(p)?;
            }
            insert_outputs(&mut tx, ws, &state.outputs).ctx(p)?;
            tx.commit().ctx(p)
        })
    }

    fn record_history(&self, e: &HistoryEntry) -> StateResult<()> {
        let e = e.clone();
        self.run(move |s| {
            let (c, p) = s.main()?;
            let counts = (e.added as i64, e.changed as i64, e.destroyed as i64);
            let params: [&(dyn postgres::types::ToSql + Sync); 11] =
                [&p.workspace, &e.started_at, &e.finished_at, &e.who, &e.host, &e.command, &counts.0, &counts.1, &counts.2, &e.result, &e.detail];
            let completed = c
                .execute(
                    "UPDATE history SET finished_at = $3, added = $7, changed = $8, destroyed = $9, result = $10, detail = $11
                     WHERE workspace = $1 AND started_at = $2 AND who = $4 AND host = $5 AND command = $6 AND result = 'unfinished'",
                    &params,
                )
                .ctx(p)?;
            if completed == 0 {
                c.execute(
                    "INSERT INTO history (workspace, started_at, finished_at, who, host, command, added, changed, destroyed, result, detail)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    &params,
                )
                .ctx(p)?;
            }
            Ok(())
        })
    }

    fn history(&self, limit: usize) -> StateResult<Vec<HistoryEntry>> {
        let limit = limit.min(i64::MAX as usize) as i64;
        self.run(move |s| {
            let (c, p) = s.main()?;
            let rows = c
                .query(
                    "SELECT started_at, finished_at, who, host, command, added, changed, destroyed, result, detail FROM history WHERE workspace = $1 ORDER BY id DESC LIMIT $2",
                    &[&p.workspace, &limit],
                )
                .ctx(p)?;
            Ok(rows
                .iter()
                .map(|r| HistoryEntry {
                    started_at: r.get(0),
                    finished_at: r.get(1),
                    who: r.get(2),
                    host: r.get(3),
                    command: r.get(4),
                    added: r.get::<_, i64>(5) as u64,
                    changed: r.get::<_, i64>(6) as u64,
                    destroyed: r.get::<_, i64>(7) as u64,
                    result: r.get(8),
                    detail: r.get(9),
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_take_what_they_lack_from_the_environment() {
        let c = config("postgres://alice:pw@db.example:6543/states?sslmode=disable").unwrap();
        assert_eq!(server_name(&c), "db.example:6543 (user alice, database states)");
        assert_eq!(c.get_ssl_mode(), SslMode::Disable);
        assert_eq!(c.get_application_name(), Some("skyform"));
        let c = config("host=10.0.0.1 port=5433 user=bob dbname=x sslmode=disable").unwrap();
        assert_eq!(server_name(&c), "10.0.0.1:5433 (user bob, database x)");
        let e = config_with("postgres://h/db?sslmode=strict", |_| None).unwrap_err();
        assert!(e.contains("verify-full"), "{e}");
    }

    #[test]
    fn sslmode_and_sslrootcert_are_read_as_libpq_reads_them() {
        let none = |_: &str| None;
        let c = config_with("postgres://h/db?sslmode=verify-full&sslrootcert=%2Fca%20dir%2Froot.pem&application_name=x", none).unwrap();
        assert_eq!((c.mode, c.root_cert.as_deref(), c.get_ssl_mode()), (TlsMode::VerifyFull, Some("/ca dir/root.pem"), SslMode::Require));
        assert_eq!(c.get_application_name(), Some("x"));
        let c = config_with("host=h sslrootcert='/a b/it\\'s.pem' sslmode = verify-ca dbname=d", none).unwrap();
        assert_eq!((c.mode, c.root_cert.as_deref()), (TlsMode::VerifyCa, Some("/a b/it's.pem")));
        assert_eq!(c.get_dbname(), Some("d"));
        // libpq's default is prefer; PGSSLMODE and PGSSLROOTCERT fill in what the string lacks.
        let c = config_with("postgres://h/db", none).unwrap();
        assert_eq!((c.mode, c.get_ssl_mode(), c.root_cert.as_deref()), (TlsMode::Prefer, SslMode::Prefer, None));
        let vars = BTreeMap::from([("PGSSLMODE", "require"), ("PGSSLROOTCERT", "/ca.pem")]);
        let c = config_with("postgres://h/db", |n| vars.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!((c.mode, c.root_cert.as_deref()), (TlsMode::Require, Some("/ca.pem")));
        let c = config_with("postgres://h/db?sslmode=allow", |n| vars.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!((c.mode, c.get_ssl_mode()), (TlsMode::Allow, SslMode::Prefer));
        let e = config_with("", |n| (n == "PGSSLMODE").then(|| "on".to_string())).unwrap_err();
        assert!(e.starts_with("PGSSLMODE"), "{e}");
        // No TLS over a Unix socket, whatever the mode.
        let c = config_with("host=/var/run/postgresql sslmode=require", none).unwrap();
        assert_eq!(c.get_ssl_mode(), SslMode::Disable);
        let e = config_with("host='unterminated", none).unwrap_err();
        assert!(e.contains("not terminated"), "{e}");
    }

    #[test]
    fn an_empty_connection_string_is_built_from_the_pg_variables() {
        let vars = BTreeMap::from([
            ("PGHOST", "db1,db2"),
            ("PGPORT", "6000"),
            ("PGUSER", "carol"),
            ("PGPASSWORD", "secret"),
            ("PGDATABASE", "tf"),
            ("PGSSLMODE", "disable"),
            ("PGCONNECT_TIMEOUT", "5"),
        ]);
        let c = config_with("", |n| vars.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!(server_name(&c), "db1:6000,db2:6000 (user carol, database tf)");
        assert_eq!(c.get_password(), Some(&b"secret"[..]));
        assert_eq!(c.get_ssl_mode(), SslMode::Disable);
        assert_eq!(c.get_connect_timeout(), Some(&Duration::from_secs(5)));
        // What the string names wins; the rest still comes from the variables.
        let c = config_with("postgres://dave@h:7000/x?sslmode=prefer", |n| vars.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!(server_name(&c), "h:7000 (user dave, database x)");
        assert_eq!(c.get_password(), Some(&b"secret"[..]));
        assert_eq!(c.get_ssl_mode(), SslMode::Prefer);
        let e = config_with("", |n| (n == "PGPORT").then(|| "http".to_string())).unwrap_err();
        assert!(e.contains("PGPORT"), "{e}");
    }

    #[test]
    fn lock_keys_are_stable_and_distinct() {
        assert_eq!(key("skyform state lock", &["s", "default"]), key("skyform state lock", &["s", "default"]));
        assert_ne!(key("skyform state lock", &["s", "default"]), key("skyform state lock", &["s", "dev"]));
        assert_ne!(key("skyform state lock", &["ab", "c"]), key("skyform state lock", &["a", "bc"]));
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
