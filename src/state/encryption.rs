//! State and plan encryption at rest, configured as OpenTofu configures it: a
//! `terraform { encryption { ... } }` block in the root module and/or the `TF_ENCRYPTION`
//! environment variable (the same block body in HCL; its blocks replace the file's blocks of
//! the same type and name). This module owns decoding that configuration ([`Encryption::decode`])
//! and the [`Cipher`] that seals and opens bytes for one target (`state` or `plan`).
//!
//! - Key providers: `pbkdf2` (a passphrase; PBKDF2 with SHA-512 or SHA-256, a random salt kept in
//!   the envelope's metadata) and `aws_kms` (a data key from KMS `GenerateDataKey`, kept
//!   encrypted in the metadata and recovered with `Decrypt`).
//! - Methods: `aes_gcm` (AES-GCM with a 128- or 256-bit key, a random 96-bit nonce before the
//!   ciphertext) and `unencrypted` (for moving into and out of encryption).
//! - Targets: `state` and `plan`, each with `method`, `enforced` and a `fallback { method }`
//!   tried when the primary cannot open the data: key rotation (the old key as fallback) and
//!   migration (`unencrypted` as fallback reads plain state once; it is sealed on the next write).
//!
//! Sealed data is an envelope: `{"meta": {"key_provider.pbkdf2.NAME": base64(JSON)},
//! "encrypted_data": base64, "encryption_version": "v0"}`. Keys are derived once per process
//! and metadata: new data reuses the metadata (salt or data key) the state was last opened with,
//! so a state sealed row by row needs one derivation, not one per row.
//! Where the backends apply it: [`super::sealed`] (SQLite and pg rows) and
//! [`super::document`] (the s3 and azurerm state, journal and history objects).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::syntax::{Attribute, Block, Body};
use crate::value::Value;

/// The environment variable holding encryption configuration (as in OpenTofu).
pub const ENV: &str = "TF_ENCRYPTION";
const VERSION: &str = "v0";
const MIN_PASSPHRASE: usize = 16;
const MIN_ITERATIONS: u64 = 200_000;

/// Why sealed data could not be written or read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EncryptionError {
    #[error("The {what} is not encrypted, but the encryption configuration requires it ({method}). To encrypt an existing unencrypted {what}, add `fallback {{ method = method.unencrypted.NAME }}` (with `method \"unencrypted\" \"NAME\" {{}}`) to the {what} block for one run")]
    NotEncrypted { what: &'static str, method: String },
    #[error("The {what} is encrypted, and none of the configured methods ({tried}) could decrypt it: {detail}. Check the passphrase or key, or add the previous key as the fallback method")]
    Decrypt { what: &'static str, tried: String, detail: String },
    #[error("Failed to encrypt the {what}: {detail}")]
    Encrypt { what: &'static str, detail: String },
}

/// Decoded encryption configuration: the cipher of each target that has one.
#[derive(Clone)]
pub struct Encryption {
    pub state: Option<Arc<Cipher>>,
    pub plan: Option<Arc<Cipher>>,
}

impl Encryption {
    /// The root module's `encryption` block merged with `TF_ENCRYPTION` (None when neither is
    /// set). Every problem is reported at once, each where it is written.
    pub fn decode(block: Option<&Block>, env: Option<&str>) -> Result<Option<Encryption>, Diagnostics> {
        let mut diags = Diagnostics::new();
        let env_body = match env.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) if text.starts_with('{') => {
                diags.push(Diagnostic::error(
                    "Unsupported TF_ENCRYPTION format",
                    "TF_ENCRYPTION holds JSON; skyform reads the HCL form (the body of an encryption block, e.g. key_provider \"pbkdf2\" \"k\" { passphrase = \"...\" }).",
                ));
                return Err(diags);
            }
            Some(text) => match crate::syntax::parse_file(ENV, text) {
                Ok(body) => Some(body),
                Err(d) => {
                    diags.push(d);
                    return Err(diags);
                }
            },
            None => None,
        };
        if block.is_none() && env_body.is_none() {
            return Ok(None);
        }
        let body = merged(block.map(|b| &b.body), env_body.as_ref());
        let decoded = decode_body(&body, block.map(|b| &b.range), &mut diags);
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(decoded)
        }
    }

    /// [`Encryption::decode`] with `TF_ENCRYPTION` from the environment.
    pub fn from_env(block: Option<&Block>) -> Result<Option<Encryption>, Diagnostics> {
        Encryption::decode(block, std::env::var(ENV).ok().as_deref())
    }
}

/// The file's blocks, each replaced by the environment's block of the same type and labels.
fn merged(file: Option<&Body>, env: Option<&Body>) -> Body {
    let mut body = file.cloned().unwrap_or_default();
    for b in env.map(|e| e.blocks.as_slice()).unwrap_or_default() {
        body.blocks.retain(|old| !(old.kind == b.kind && old.labels == b.labels));
        body.blocks.push(b.clone());
    }
    body.attributes.extend(env.map(|e| e.attributes.clone()).unwrap_or_default());
    body
}

/// One method as configured.
#[derive(Clone)]
enum Method {
    Unencrypted { addr: String },
    AesGcm { addr: String, keys: Arc<KeyProvider> },
}

impl Method {
    fn addr(&self) -> &str {
        match self {
            Method::Unencrypted { addr } | Method::AesGcm { addr, .. } => addr,
        }
    }
}

/// A key provider as configured.
enum KeyProvider {
    Pbkdf2 { addr: String, passphrase: String, key_length: usize, iterations: u32, salt_length: usize, sha512: bool },
    AwsKms { addr: String, key_id: String, key_spec: String, region: Option<String>, endpoint: Option<String> },
}

impl KeyProvider {
    fn addr(&self) -> &str {
        match self {
            KeyProvider::Pbkdf2 { addr, .. } | KeyProvider::AwsKms { addr, .. } => addr,
        }
    }

    /// A new key and the metadata that recovers it.
    fn new_key(&self) -> Result<(String, Vec<u8>), String> {
        match self {
            KeyProvider::Pbkdf2 { salt_length, key_length, iterations, sha512, .. } => {
                let mut salt = vec![0u8; *salt_length];
                SystemRandom::new().fill(&mut salt).map_err(|_| "no random numbers available".to_string())?;
                let meta = Pbkdf2Meta { salt: B64.encode(&salt), iterations: *iterations, hash_function: hash_name(*sha512).into(), key_length: *key_length };
                let key = self.recover(&serde_json::to_string(&meta).map_err(|e| e.to_string())?)?;
                Ok((serde_json::to_string(&meta).map_err(|e| e.to_string())?, key))
            }
            KeyProvider::AwsKms { key_id, key_spec, region, endpoint, .. } => {
                let (plain, blob) = super::encryption_kms::generate_data_key(key_id, key_spec, region.as_deref(), endpoint.as_deref())?;
                Ok((serde_json::to_string(&KmsMeta { ciphertext_blob: B64.encode(blob) }).map_err(|e| e.to_string())?, plain))
            }
        }
    }

    /// The key that `meta` (written by [`KeyProvider::new_key`]) stands for.
    fn recover(&self, meta: &str) -> Result<Vec<u8>, String> {
        match self {
            KeyProvider::Pbkdf2 { passphrase, .. } => {
                let m: Pbkdf2Meta = serde_json::from_str(meta).map_err(|e| format!("unreadable pbkdf2 metadata ({e})"))?;
                let salt = B64.decode(&m.salt).map_err(|e| format!("unreadable pbkdf2 salt ({e})"))?;
                let algorithm = match m.hash_function.as_str() {
                    "sha512" => ring::pbkdf2::PBKDF2_HMAC_SHA512,
                    "sha256" => ring::pbkdf2::PBKDF2_HMAC_SHA256,
                    other => return Err(format!("unknown pbkdf2 hash function {other:?}")),
                };
                let rounds = std::num::NonZeroU32::new(m.iterations).ok_or("pbkdf2 metadata with 0 iterations")?;
                let mut key = vec![0u8; m.key_length];
                ring::pbkdf2::derive(algorithm, rounds, &salt, passphrase.as_bytes(), &mut key);
                Ok(key)
            }
            KeyProvider::AwsKms { key_id, region, endpoint, .. } => {
                let m: KmsMeta = serde_json::from_str(meta).map_err(|e| format!("unreadable aws_kms metadata ({e})"))?;
                let blob = B64.decode(&m.ciphertext_blob).map_err(|e| format!("unreadable aws_kms data key ({e})"))?;
                super::encryption_kms::decrypt(key_id, &blob, region.as_deref(), endpoint.as_deref())
            }
        }
    }
}

fn hash_name(sha512: bool) -> &'static str {
    if sha512 {
        "sha512"
    } else {
        "sha256"
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Pbkdf2Meta {
    salt: String,
    iterations: u32,
    hash_function: String,
    key_length: usize,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KmsMeta {
    ciphertext_blob: String,
}

/// Sealed data as stored.
#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope {
    meta: BTreeMap<String, String>,
    encrypted_data: String,
    encryption_version: String,
}

/// Seals and opens one target's data (`state` or `plan`).
pub struct Cipher {
    what: &'static str,
    primary: Method,
    fallback: Option<Method>,
    keys: Mutex<Keys>,
}

#[derive(Default)]
struct Keys {
    /// Keys already derived or decrypted: (key provider address, metadata) -> key.
    known: HashMap<(String, String), Vec<u8>>,
    /// The metadata and key new data is sealed with.
    current: Option<(String, Vec<u8>)>,
}

/// What [`Cipher::open`] found.
pub struct Opened {
    pub data: Vec<u8>,
    /// Opened by the primary method: nothing to re-seal.
    pub current: bool,
}

impl Cipher {
    /// Whether new data is written in the clear (the primary method is `unencrypted`).
    pub fn writes_plain(&self) -> bool {
        matches!(self.primary, Method::Unencrypted { .. })
    }

    /// Whether plain (never sealed) data may be read: `Ok(true)` when the primary method is
    /// `unencrypted`, `Ok(false)` when only the fallback is (it is to be sealed), else the error.
    pub fn accept_plain(&self) -> Result<bool, EncryptionError> {
        match (&self.primary, &self.fallback) {
            (Method::Unencrypted { .. }, _) => Ok(true),
            (_, Some(Method::Unencrypted { .. })) => Ok(false),
            (primary, _) => Err(EncryptionError::NotEncrypted { what: self.what, method: primary.addr().to_string() }),
        }
    }

    /// Seals `plain` with the primary method (unchanged when it is `unencrypted`).
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        let Method::AesGcm { keys, .. } = &self.primary else { return Ok(plain.to_vec()) };
        let fail = |detail: String| EncryptionError::Encrypt { what: self.what, detail };
        let (meta, key) = self.current_key(keys).map_err(fail)?;
        let mut nonce = [0u8; aead::NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| fail("no random numbers available".into()))?;
        let mut data = plain.to_vec();
        aes_key(&key)
            .map_err(fail)?
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .map_err(|_| fail("AES-GCM sealing failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        let env = Envelope {
            meta: BTreeMap::from([(keys.addr().to_string(), B64.encode(meta))]),
            encrypted_data: B64.encode(out),
            encryption_version: VERSION.into(),
        };
        serde_json::to_vec(&env).map_err(|e| fail(e.to_string()))
    }

    /// Opens data written by [`Cipher::seal`] (or plain data, where a method allows it).
    pub fn open(&self, data: &[u8]) -> Result<Opened, EncryptionError> {
        let Some(env) = envelope(data) else {
            return self.accept_plain().map(|current| Opened { data: data.to_vec(), current });
        };
        let mut tried = Vec::new();
        let mut detail = String::from("the data was sealed with another key provider");
        for (method, current) in [(Some(&self.primary), true), (self.fallback.as_ref(), false)] {
            let Some(Method::AesGcm { addr, keys }) = method else { continue };
            tried.push(addr.clone());
            let Some(meta) = metadata(&env, keys.addr()) else { continue };
            match self.key_for(keys, &meta).and_then(|key| decrypt(&key, &env.encrypted_data)) {
                Ok(data) => {
                    if current {
                        self.adopt(keys, meta);
                    }
                    return Ok(Opened { data, current });
                }
                Err(e) => detail = e,
            }
        }
        if tried.is_empty() {
            tried.push(self.primary.addr().to_string());
            detail = "no aes_gcm method is configured".into();
        }
        Err(EncryptionError::Decrypt { what: self.what, tried: tried.join(", "), detail })
    }

    /// The key for `meta`, derived once.
    fn key_for(&self, keys: &KeyProvider, meta: &str) -> Result<Vec<u8>, String> {
        let id = (keys.addr().to_string(), meta.to_string());
        if let Some(k) = self.lock().known.get(&id) {
            return Ok(k.clone());
        }
        let key = keys.recover(meta)?;
        self.lock().known.insert(id, key.clone());
        Ok(key)
    }

    /// New data reuses the metadata the data was opened with by the primary method.
    fn adopt(&self, keys: &KeyProvider, meta: String) {
        let mut k = self.lock();
        if k.current.is_none() {
            if let Some(key) = k.known.get(&(keys.addr().to_string(), meta.clone())).cloned() {
                k.current = Some((meta, key));
            }
        }
    }

    fn current_key(&self, keys: &KeyProvider) -> Result<(String, Vec<u8>), String> {
        if let Some(c) = &self.lock().current {
            return Ok(c.clone());
        }
        let (meta, key) = keys.new_key()?;
        let mut k = self.lock();
        k.known.insert((keys.addr().to_string(), meta.clone()), key.clone());
        Ok(k.current.get_or_insert((meta, key)).clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Keys> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The metadata a key provider left in an envelope: under its own address, or, when the
/// provider was renamed since (`key_provider.pbkdf2.main` kept as `...old` for a rotation), the
/// one entry of the same provider type.
fn metadata(env: &Envelope, addr: &str) -> Option<String> {
    let kind = addr.rsplit_once('.').map(|(k, _)| format!("{k}."))?;
    let text = match env.meta.get(addr) {
        Some(m) => m,
        None if env.meta.len() == 1 => env.meta.iter().find(|(k, _)| k.starts_with(&kind))?.1,
        None => return None,
    };
    B64.decode(text).ok().map(|m| String::from_utf8_lossy(&m).into_owned())
}

/// The envelope, when `data` is one.
fn envelope(data: &[u8]) -> Option<Envelope> {
    let start = data.iter().position(|b| !b.is_ascii_whitespace())?;
    if data[start] != b'{' || !data.windows(16).any(|w| w == b"\"encrypted_data\"") {
        return None;
    }
    serde_json::from_slice::<Envelope>(data).ok().filter(|e| e.encryption_version == VERSION)
}

/// Whether `data` is sealed (an envelope), whatever the configuration.
pub fn is_sealed(data: &[u8]) -> bool {
    envelope(data).is_some()
}

fn aes_key(key: &[u8]) -> Result<LessSafeKey, String> {
    let algorithm = match key.len() {
        16 => &aead::AES_128_GCM,
        32 => &aead::AES_256_GCM,
        n => return Err(format!("an AES-GCM key must be 16 or 32 bytes long, not {n}")),
    };
    Ok(LessSafeKey::new(UnboundKey::new(algorithm, key).map_err(|_| "invalid AES key".to_string())?))
}

fn decrypt(key: &[u8], data: &str) -> Result<Vec<u8>, String> {
    let bytes = B64.decode(data).map_err(|e| format!("unreadable encrypted data ({e})"))?;
    if bytes.len() < aead::NONCE_LEN + aes_key(key)?.algorithm().tag_len() {
        return Err("the encrypted data is truncated".into());
    }
    let (nonce, sealed) = bytes.split_at(aead::NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| "bad nonce".to_string())?;
    let mut buf = sealed.to_vec();
    let plain = aes_key(key)?.open_in_place(nonce, Aad::empty(), &mut buf).map_err(|_| "the key does not match (authentication failed)".to_string())?;
    Ok(plain.to_vec())
}

// ---- decoding -------------------------------------------------------------------------

/// The block body's argument values, each a constant.
struct Args<'a> {
    block: &'a Block,
    values: BTreeMap<&'a str, (Value, &'a Attribute)>,
}

impl<'a> Args<'a> {
    fn of(block: &'a Block, allowed: &[&str], diags: &mut Diagnostics) -> Args<'a> {
        let mut values = BTreeMap::new();
        for a in &block.body.attributes {
            if !allowed.contains(&a.name.as_str()) {
                diags.push(unsupported_argument(block, &a.name, &a.range));
                continue;
            }
            match crate::eval::eval_literal(&a.expr) {
                Ok(v) => {
                    values.insert(a.name.as_str(), (v, a));
                }
                Err(_) => diags.push(
                    Diagnostic::error(
                        "Unsupported encryption argument value",
                        format!(
                            "The {} argument of {} must be a constant: skyform reads the encryption configuration before variables are known. Put secrets in the TF_ENCRYPTION environment variable instead.",
                            a.name,
                            block_name(block)
                        ),
                    )
                    .at(Some(&a.expr_range)),
                ),
            }
        }
        for b in &block.body.blocks {
            diags.push(
                Diagnostic::error("Unsupported block type", format!("Blocks of type \"{}\" are not expected in {}.", b.kind, block_name(block)))
                    .at(Some(&b.range)),
            );
        }
        Args { block, values }
    }

    fn string(&self, name: &str, diags: &mut Diagnostics) -> Option<String> {
        match self.values.get(name) {
            Some((Value::String(s), _)) => Some(s.clone()),
            Some((Value::Null, _)) | None => None,
            Some((_, a)) => {
                diags.push(
                    Diagnostic::error("Invalid value", format!("The {name} argument of {} must be a string.", block_name(self.block))).at(Some(&a.expr_range)),
                );
                None
            }
        }
    }

    fn required(&self, name: &str, diags: &mut Diagnostics) -> Option<String> {
        let v = self.string(name, diags);
        if v.is_none() && !self.values.contains_key(name) {
            diags.push(
                Diagnostic::error("Missing required argument", format!("The argument \"{name}\" is required in {}.", block_name(self.block)))
                    .at(Some(&self.block.range)),
            );
        }
        v
    }

    fn number(&self, name: &str, default: u64, diags: &mut Diagnostics) -> u64 {
        match self.values.get(name) {
            Some((Value::Number(n), a)) => match *n {
                v if v >= 0.0 && v.fract() == 0.0 && v <= u64::MAX as f64 => v as u64,
                _ => {
                    diags.push(Diagnostic::error("Invalid value", format!("The {name} argument must be a whole positive number.")).at(Some(&a.expr_range)));
                    default
                }
            },
            Some((Value::Null, _)) | None => default,
            Some((_, a)) => {
                diags.push(Diagnostic::error("Invalid value", format!("The {name} argument must be a number.")).at(Some(&a.expr_range)));
                default
            }
        }
    }

    fn range(&self, name: &str) -> &SourceRange {
        self.values.get(name).map(|(_, a)| &a.expr_range).unwrap_or(&self.block.range)
    }
}

fn block_name(b: &Block) -> String {
    if b.labels.is_empty() {
        format!("the {} block", b.kind)
    } else {
        format!("{} \"{}\"", b.kind, b.labels.join("\" \""))
    }
}

fn unsupported_argument(block: &Block, name: &str, range: &SourceRange) -> Diagnostic {
    Diagnostic::error("Unsupported argument", format!("An argument named \"{name}\" is not expected in {}.", block_name(block))).at(Some(range))
}

/// A `method = method.TYPE.NAME` / `keys = key_provider.TYPE.NAME` reference's text.
fn reference(block: &Block, name: &str, prefix: &str, diags: &mut Diagnostics) -> Option<(String, SourceRange)> {
    let Some(a) = block.body.attribute(name) else {
        diags.push(
            Diagnostic::error("Missing required argument", format!("The argument \"{name}\" is required in {}.", block_name(block))).at(Some(&block.range)),
        );
        return None;
    };
    match crate::config::load::traversal_text(&a.expr) {
        Some(t) if t.starts_with(&format!("{prefix}.")) && t.split('.').count() == 3 => Some((t, a.expr_range.clone())),
        _ => {
            diags.push(
                Diagnostic::error("Invalid reference", format!("The {name} argument must refer to a {prefix} block, like {prefix}.TYPE.NAME."))
                    .at(Some(&a.expr_range)),
            );
            None
        }
    }
}

fn decode_key_provider(b: &Block, diags: &mut Diagnostics) -> Option<KeyProvider> {
    let [kind, name] = b.labels.as_slice() else {
        diags.push(Diagnostic::error("Invalid key_provider block", "A key_provider block needs two labels: its type and its name.").at(Some(&b.range)));
        return None;
    };
    let addr = format!("key_provider.{kind}.{name}");
    match kind.as_str() {
        "pbkdf2" => {
            let args = Args::of(b, &["passphrase", "key_length", "iterations", "salt_length", "hash_function"], diags);
            let passphrase = args.required("passphrase", diags)?;
            if passphrase.chars().count() < MIN_PASSPHRASE {
                diags.push(
                    Diagnostic::error("Passphrase too short", format!("The passphrase of {addr} must be at least {MIN_PASSPHRASE} characters long."))
                        .at(Some(args.range("passphrase"))),
                );
            }
            let key_length = args.number("key_length", 32, diags) as usize;
            if key_length != 16 && key_length != 32 {
                diags.push(
                    Diagnostic::error("Unsupported key length", format!("key_length must be 16 or 32 (bytes, for AES-128 or AES-256), not {key_length}."))
                        .at(Some(args.range("key_length"))),
                );
            }
            let iterations = args.number("iterations", 600_000, diags);
            if iterations < MIN_ITERATIONS || iterations > u64::from(u32::MAX) {
                diags.push(
                    Diagnostic::error(
                        "Too few iterations",
                        format!("iterations must be at least {MIN_ITERATIONS} (OWASP's advice for PBKDF2), not {iterations}."),
                    )
                    .at(Some(args.range("iterations"))),
                );
            }
            let salt_length = args.number("salt_length", 32, diags) as usize;
            if salt_length == 0 {
                diags.push(Diagnostic::error("Invalid salt length", "salt_length must be at least 1.").at(Some(args.range("salt_length"))));
            }
            let sha512 = match args.string("hash_function", diags).as_deref() {
                None | Some("sha512") => true,
                Some("sha256") => false,
                Some(other) => {
                    diags.push(
                        Diagnostic::error("Invalid hash function", format!("hash_function must be \"sha256\" or \"sha512\", not {other:?}."))
                            .at(Some(args.range("hash_function"))),
                    );
                    true
                }
            };
            Some(KeyProvider::Pbkdf2 { addr, passphrase, key_length, iterations: iterations.min(u64::from(u32::MAX)) as u32, salt_length, sha512 })
        }
        "aws_kms" => {
            let args = Args::of(b, &["kms_key_id", "key_spec", "region", "endpoint"], diags);
            let key_id = args.required("kms_key_id", diags)?;
            let key_spec = args.required("key_spec", diags)?;
            if key_spec != "AES_256" && key_spec != "AES_128" {
                diags.push(
                    Diagnostic::error("Invalid key_spec", format!("key_spec must be \"AES_256\" or \"AES_128\", not {key_spec:?}."))
                        .at(Some(args.range("key_spec"))),
                );
            }
            Some(KeyProvider::AwsKms { addr, key_id, key_spec, region: args.string("region", diags), endpoint: args.string("endpoint", diags) })
        }
        other => {
            diags.push(
                Diagnostic::error("Unsupported key provider", format!("skyform supports the pbkdf2 and aws_kms key providers, not \"{other}\"."))
                    .at(Some(&b.range)),
            );
            None
        }
    }
}

/// A `state` or `plan` block: its method, fallback method and `enforced`.
struct Target {
    method: (String, SourceRange),
    fallback: Option<(String, SourceRange)>,
    enforced: bool,
}

fn decode_target(b: &Block, diags: &mut Diagnostics) -> Option<Target> {
    let mut enforced = false;
    for a in &b.body.attributes {
        match a.name.as_str() {
            "method" => {}
            "enforced" => match crate::eval::eval_literal(&a.expr) {
                Ok(Value::Bool(v)) => enforced = v,
                _ => diags.push(Diagnostic::error("Invalid value", "enforced must be true or false.").at(Some(&a.expr_range))),
            },
            other => diags.push(unsupported_argument(b, other, &a.range)),
        }
    }
    let mut fallback = None;
    for f in &b.body.blocks {
        if f.kind != "fallback" {
            diags.push(
                Diagnostic::error("Unsupported block type", format!("Blocks of type \"{}\" are not expected in {}.", f.kind, block_name(b))).at(Some(&f.range)),
            );
            continue;
        }
        for a in f.body.attributes.iter().filter(|a| a.name != "method") {
            diags.push(unsupported_argument(f, &a.name, &a.range));
        }
        for nested in &f.body.blocks {
            diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    "skyform supports one fallback method per target (a fallback block inside a fallback block is not supported).",
                )
                .at(Some(&nested.range)),
            );
        }
        fallback = reference(f, "method", "method", diags);
    }
    Some(Target { method: reference(b, "method", "method", diags)?, fallback, enforced })
}

fn decode_body(body: &Body, at: Option<&SourceRange>, diags: &mut Diagnostics) -> Option<Encryption> {
    for a in &body.attributes {
        diags.push(
            Diagnostic::error("Unsupported argument", format!("An argument named \"{}\" is not expected in the encryption block.", a.name)).at(Some(&a.range)),
        );
    }
    let mut providers: HashMap<String, Arc<KeyProvider>> = HashMap::new();
    let mut method_blocks = Vec::new();
    let mut targets: BTreeMap<&str, Target> = BTreeMap::new();
    for b in &body.blocks {
        match b.kind.as_str() {
            "key_provider" => {
                if let Some(k) = decode_key_provider(b, diags) {
                    providers.insert(k.addr().to_string(), Arc::new(k));
                }
            }
            "method" => method_blocks.push(b),
            "state" | "plan" => {
                if let Some(t) = decode_target(b, diags) {
                    targets.insert(if b.kind == "state" { "state" } else { "plan" }, t);
                }
            }
            "remote_state_data_sources" => diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    "skyform does not support encryption for terraform_remote_state data sources (remote_state_data_sources); it reads only unencrypted states.",
                )
                .at(Some(&b.range)),
            ),
            other => diags.push(Diagnostic::error("Unsupported block type", format!("Blocks of type \"{other}\" are not expected in the encryption block.")).at(Some(&b.range))),
        }
    }
    let mut methods: HashMap<String, Method> = HashMap::new();
    for b in method_blocks {
        let [kind, name] = b.labels.as_slice() else {
            diags.push(Diagnostic::error("Invalid method block", "A method block needs two labels: its type and its name.").at(Some(&b.range)));
            continue;
        };
        let addr = format!("method.{kind}.{name}");
        match kind.as_str() {
            "unencrypted" => {
                Args::of(b, &[], diags);
                methods.insert(addr.clone(), Method::Unencrypted { addr });
            }
            "aes_gcm" => {
                for a in b.body.attributes.iter().filter(|a| a.name != "keys") {
                    diags.push(unsupported_argument(b, &a.name, &a.range));
                }
                let Some((keys, range)) = reference(b, "keys", "key_provider", diags) else { continue };
                match providers.get(&keys) {
                    Some(k) => {
                        methods.insert(addr.clone(), Method::AesGcm { addr, keys: k.clone() });
                    }
                    None => diags.push(Diagnostic::error("Reference to undeclared key provider", format!("No {keys} block is declared.")).at(Some(&range))),
                }
            }
            other => diags.push(
                Diagnostic::error("Unsupported encryption method", format!("skyform supports the aes_gcm and unencrypted methods, not \"{other}\"."))
                    .at(Some(&b.range)),
            ),
        }
    }
    let mut cipher = |what: &'static str| -> Option<Arc<Cipher>> {
        let t = targets.get(what)?;
        let find = |(addr, range): &(String, SourceRange), diags: &mut Diagnostics| {
            let m = methods.get(addr).cloned();
            if m.is_none() {
                diags.push(Diagnostic::error("Reference to undeclared encryption method", format!("No {addr} block is declared.")).at(Some(range)));
            }
            m
        };
        let primary = find(&t.method, diags)?;
        let fallback = t.fallback.as_ref().and_then(|f| find(f, diags));
        if t.enforced && matches!(primary, Method::Unencrypted { .. }) {
            diags.push(
                Diagnostic::error("Unencrypted method enforced", format!("The {what} block is enforced, so its method cannot be an unencrypted one."))
                    .at(Some(&t.method.1)),
            );
        }
        Some(Arc::new(Cipher { what, primary, fallback, keys: Mutex::new(Keys::default()) }))
    };
    let (state, plan) = (cipher("state"), cipher("plan"));
    if state.is_none() && plan.is_none() && !diags.has_errors() {
        diags.push(
            Diagnostic::warning(
                "Encryption configured for nothing",
                "The encryption configuration has no state or plan block, so nothing is encrypted. Add state { method = method.aes_gcm.NAME }.",
            )
            .at(at),
        );
    }
    Some(Encryption { state, plan })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<Option<Encryption>, Diagnostics> {
        let body = crate::syntax::parse_file("main.tf", text).unwrap();
        let block = body.blocks.into_iter().next();
        Encryption::decode(block.as_ref(), None)
    }

    const PASS: &str = r#"encryption {
  key_provider "pbkdf2" "k" {
    passphrase = "correct horse battery staple"
    iterations = 200000
  }
  method "aes_gcm" "m" {
    keys = key_provider.pbkdf2.k
  }
  method "unencrypted" "plain" {}
  state {
    method = method.aes_gcm.m
  }
}"#;

    #[test]
    fn seals_and_opens_with_one_derivation() {
        let enc = config(PASS).unwrap().unwrap();
        let c = enc.state.unwrap();
        let a = c.seal(b"{\"secret\":1}").unwrap();
        let b = c.seal(b"{\"secret\":1}").unwrap();
        assert_ne!(a, b, "every seal has its own nonce");
        assert!(!String::from_utf8_lossy(&a).contains("secret"));
        assert_eq!(c.open(&a).unwrap().data, b"{\"secret\":1}");
        assert_eq!(c.lock().known.len(), 1, "one key derivation for every seal and open");
        assert!(matches!(c.open(b"{\"version\":4}"), Err(EncryptionError::NotEncrypted { .. })));
        assert!(enc.plan.is_none());
    }

    #[test]
    fn rotation_and_wrong_keys() {
        let old = config(PASS).unwrap().unwrap().state.unwrap();
        let sealed = old.seal(b"data").unwrap();
        let other = PASS.replace("correct horse battery staple", "another long passphrase!");
        let wrong = config(&other).unwrap().unwrap().state.unwrap();
        let e = wrong.open(&sealed).err().unwrap().to_string();
        assert!(e.contains("none of the configured methods (method.aes_gcm.m)"), "{e}");
        assert!(!e.contains("another long passphrase"));
        let rotated = other
            .replace("method \"unencrypted\" \"plain\" {}", "method \"aes_gcm\" \"old\" {\n keys = key_provider.pbkdf2.old\n }")
            .replace("state {", "key_provider \"pbkdf2\" \"old\" {\n passphrase = \"correct horse battery staple\"\n iterations = 200000\n }\n state {\n fallback {\n method = method.aes_gcm.old\n }");
        let rotated = config(&rotated).unwrap().unwrap().state.unwrap();
        let opened = rotated.open(&sealed).unwrap();
        assert_eq!((opened.data.as_slice(), opened.current), (&b"data"[..], false));
        let migrate = PASS.replace("state {", "state {\n fallback {\n method = method.unencrypted.plain\n }");
        let migrate = config(&migrate).unwrap().unwrap().state.unwrap();
        assert!(!migrate.open(b"{}").unwrap().current);
    }

    #[test]
    fn configuration_errors_are_located_and_complete() {
        let bad = r#"encryption {
  key_provider "pbkdf2" "k" {
    passphrase = "short"
    iterations = 1000
    chain = key_provider.pbkdf2.x
  }
  key_provider "gcp_kms" "g" {}
  method "aes_gcm" "m" {
    keys = key_provider.pbkdf2.nope
  }
  method "unencrypted" "u" {}
  state {
    method = method.unencrypted.u
    enforced = true
  }
  plan {
    method = method.aes_gcm.missing
  }
  remote_state_data_sources {}
}"#;
        let d = config(bad).err().unwrap();
        let text: Vec<String> = d.iter().map(|d| format!("{} @{}", d.summary, d.range.as_ref().map(|r| r.line).unwrap_or(0))).collect();
        for want in [
            "Passphrase too short @3",
            "Too few iterations @4",
            "Unsupported argument @5",
            "Unsupported key provider @7",
            "Reference to undeclared key provider @9",
            "Unencrypted method enforced @13",
            "Reference to undeclared encryption method @17",
            "Unsupported block type @19",
        ] {
            assert!(text.iter().any(|t| t == want), "missing {want:?} in {text:?}");
        }
        let all: String = d.iter().map(|d| format!("{} {}", d.summary, d.detail)).collect();
        assert!(!all.contains("\"short\""), "no passphrase in diagnostics: {all}");
    }

    #[test]
    fn environment_blocks_replace_the_files() {
        let body = crate::syntax::parse_file("main.tf", PASS).unwrap();
        let env = "key_provider \"pbkdf2\" \"k\" {\n passphrase = \"from the environment!\"\n iterations = 200000\n}\n";
        let from_env = Encryption::decode(body.blocks.first(), Some(env)).unwrap().unwrap().state.unwrap();
        let from_file = config(PASS).unwrap().unwrap().state.unwrap();
        assert!(from_file.open(&from_env.seal(b"x").unwrap()).is_err(), "the environment's passphrase replaced the file's");
    }
}
