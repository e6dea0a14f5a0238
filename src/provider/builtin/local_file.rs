//! `local_file` (hashicorp/local 2.x): writes a file. Every argument forces replacement; the
//! file's SHA-1 is its id; a file edited or removed outside skyform reads as gone, so the next
//! plan re-creates it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use async_trait::async_trait;
use base64::Engine as _;
use sha2::Digest;

use crate::provider::helpers::{attr, defaults, error, set};
use crate::provider::kit::{table, SimpleFactory};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let f = |a: AttributeSchema| a.force_new();
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("filename", f(AttributeSchema::required().typed(AttrType::String))),
            ("content", f(AttributeSchema::optional().typed(AttrType::String))),
            ("content_base64", f(AttributeSchema::optional().typed(AttrType::String))),
            ("source", f(AttributeSchema::optional().typed(AttrType::String))),
            ("file_permission", f(AttributeSchema::optional_computed().typed(AttrType::String))),
            ("directory_permission", f(AttributeSchema::optional_computed().typed(AttrType::String))),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
            ("content_md5", AttributeSchema::computed().typed(AttrType::String)),
            ("content_sha1", AttributeSchema::computed().typed(AttrType::String)),
            ("content_sha256", AttributeSchema::computed().typed(AttrType::String)),
            ("content_sha512", AttributeSchema::computed().typed(AttrType::String)),
            ("content_base64sha256", AttributeSchema::computed().typed(AttrType::String)),
            ("content_base64sha512", AttributeSchema::computed().typed(AttrType::String)),
        ]),
    }
}

const HASHES: [&str; 7] = ["id", "content_md5", "content_sha1", "content_sha256", "content_sha512", "content_base64sha256", "content_base64sha512"];

/// The `local` provider's client: nothing to configure.
#[derive(Default)]
pub struct LocalProvider;

impl Dispatch for LocalProvider {
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<LocalProvider>> = std::sync::OnceLock::new();
        use super::{data_local_file::LocalFileData, data_local_sensitive_file::LocalSensitiveFileData, local_sensitive_file::LocalSensitiveFile};
        table(&TYPES, || Types::new(&[&LocalFile, &LocalSensitiveFile], &[&LocalFileData, &LocalSensitiveFileData]))
    }
}

/// The `local` provider's factory.
pub fn factory() -> SimpleFactory<LocalProvider> {
    SimpleFactory::new("local")
}

/// `local_file`.
pub struct LocalFile;

/// The bytes the file will hold, None when not yet known.
fn content_bytes(v: &Value) -> Result<Option<Vec<u8>>, String> {
    let set_count = ["content", "content_base64", "source"].iter().filter(|k| !attr(v, k).is_null()).count();
    if set_count != 1 {
        return Err("Exactly one of \"content\", \"content_base64\" or \"source\" must be set.".into());
    }
    if let Some(c) = v.get_attr("content").filter(|c| !c.is_null()) {
        return Ok(c.as_str().map(|s| s.as_bytes().to_vec()));
    }
    if let Some(c) = v.get_attr("content_base64").filter(|c| !c.is_null()) {
        return match c.as_str() {
            Some(s) => base64::engine::general_purpose::STANDARD.decode(s).map(Some).map_err(|e| format!("content_base64 is not valid base64: {e}")),
            None => Ok(None),
        };
    }
    match attr(v, "source").as_str() {
        Some(p) => std::fs::read(p).map(Some).map_err(|e| format!("cannot read source file {p}: {e}")),
        None => Ok(None),
    }
}

fn hashes(v: &mut Value, bytes: Option<&[u8]>) {
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let values: [Value; 7] = match bytes {
        None => std::array::from_fn(|_| Value::Unknown),
        Some(b) => [
            Value::String(hex::encode(sha1::Sha1::digest(b))),
            Value::String(hex::encode(md5::Md5::digest(b))),
            Value::String(hex::encode(sha1::Sha1::digest(b))),
            Value::String(hex::encode(sha2::Sha256::digest(b))),
            Value::String(hex::encode(sha2::Sha512::digest(b))),
            Value::String(b64(&sha2::Sha256::digest(b))),
            Value::String(b64(&sha2::Sha512::digest(b))),
        ],
    };
    for (k, x) in HASHES.iter().zip(values) {
        set(v, k, x);
    }
}

fn perm(v: &Value, name: &str) -> Result<u32, String> {
    let s = attr(v, name).as_str().unwrap_or("0777");
    u32::from_str_radix(s, 8).map_err(|_| format!("{name} must be an octal string such as \"0644\", not {s:?}"))
}

#[async_trait]
impl ResourceType<LocalProvider> for LocalFile {
    fn name(&self) -> &'static str {
        "local_file"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, _c: &LocalProvider, state: Value) -> ReadResponse {
        let Some(path) = attr(&state, "filename").as_str() else { return ReadResponse { new_state: None, diagnostics: Default::default() } };
        let gone = match std::fs::read(path) {
            Ok(bytes) => attr(&state, "id").as_str() != Some(hex::encode(sha1::Sha1::digest(&bytes)).as_str()),
            Err(_) => true,
        };
        ReadResponse { new_state: (!gone).then_some(state), diagnostics: Default::default() }
    }

    fn plan(&self, _c: &LocalProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        defaults(&mut planned, &[("file_permission", Value::string("0777")), ("directory_permission", Value::string("0777"))]);
        let bytes = match content_bytes(&planned) {
            Ok(b) => b,
            Err(e) => return PlanResponse { diagnostics: error("Invalid local_file configuration", e), ..Default::default() },
        };
        for p in ["file_permission", "directory_permission"] {
            if let Err(e) = perm(&planned, p) {
                return PlanResponse { diagnostics: error("Invalid local_file configuration", e), ..Default::default() };
            }
        }
        hashes(&mut planned, bytes.as_deref());
        PlanResponse::planned(planned)
    }

    async fn delete(&self, _c: &LocalProvider, prior: Value) -> ApplyResponse {
        if let Some(path) = attr(&prior, "filename").as_str() {
            if let Err(e) = std::fs::remove_file(path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    return ApplyResponse::failed(Some(prior.clone()), error("Failed to delete file", format!("Could not delete {path}: {e}.")));
                }
            }
        }
        ApplyResponse::ok(None)
    }

    async fn create(&self, _c: &LocalProvider, mut planned: Value, _config: &Value) -> ApplyResponse {
        let fail = |d: String, prior: Option<Value>| ApplyResponse::failed(prior, error("Failed to write file", d));
        let bytes = match content_bytes(&planned) {
            Ok(Some(b)) => b,
            Ok(None) => return fail("The file content is still unknown at apply time.".into(), None),
            Err(e) => return fail(e, None),
        };
        let path = attr(&planned, "filename").as_str().unwrap_or_default().to_string();
        let (fperm, dperm) = (perm(&planned, "file_permission").unwrap_or(0o777), perm(&planned, "directory_permission").unwrap_or(0o777));
        if let Some(dir) = Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return fail(format!("Could not create directory {}: {e}.", dir.display()), None);
            }
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(dperm));
        }
        if let Err(e) = std::fs::write(&path, &bytes) {
            return fail(format!("Could not write {path}: {e}."), None);
        }
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(fperm));
        hashes(&mut planned, Some(&bytes));
        ApplyResponse::ok(Some(planned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_detects_drift_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/f.txt").to_string_lossy().into_owned();
        let mut cfg: Value = Value::Map(std::sync::Arc::new(schema().block.attributes.keys().map(|k| (k.clone(), Value::Null)).collect()));
        set(&mut cfg, "filename", Value::string(&path));
        set(&mut cfg, "content", Value::string("hi"));
        let p = LocalProvider;
        let plan = p.plan(PlanRequest { type_name: "local_file".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        assert!(!plan.diagnostics.has_errors());
        assert_eq!(attr(&plan.planned_state, "id").as_str(), Some("c22b5f9178342609428d6f51b2c5af4c0bde6a42"));
        let state = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "local_file".into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: cfg,
            })
            .await
            .new_state
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hi");
        assert!(p.read(ReadRequest { type_name: "local_file".into(), prior_state: state.clone() }).await.new_state.is_some());
        std::fs::write(&path, "edited").unwrap();
        assert!(p.read(ReadRequest { type_name: "local_file".into(), prior_state: state.clone() }).await.new_state.is_none());
        p.apply(ApplyRequest {
            operation: Default::default(),
            type_name: "local_file".into(),
            prior_state: Some(state),
            planned_state: None,
            config: Value::Null,
        })
        .await;
        assert!(!Path::new(&path).exists());
    }
}
