//! Data source `local_file` (hashicorp/local 2.x): reads `filename` into `content` (UTF-8, with
//! invalid sequences replaced by U+FFFD as the provider does), `content_base64` and the
//! content's hashes; `id` is the SHA-1 in hex. A missing or unreadable file is an error. The
//! sensitive variant (`data_local_sensitive_file.rs`) shares [`read_file`].

use async_trait::async_trait;
use base64::Engine as _;
use sha2::Digest;

use super::local_file::LocalProvider;
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub const ATTRIBUTES: [&str; 10] = [
    "filename",
    "content",
    "content_base64",
    "content_md5",
    "content_sha1",
    "content_sha256",
    "content_sha512",
    "content_base64sha256",
    "content_base64sha512",
    "id",
];

pub fn schema() -> ResourceSchema {
    data("local_file").implement(&ATTRIBUTES).build()
}

/// The data source's state for a configuration with `filename`.
pub fn read_file(config: Value) -> ReadDataResponse {
    let mut state = config;
    let Some(path) = attr(&state, "filename").as_str().map(str::to_string) else {
        return ReadDataResponse::failed(error("Invalid filename", "filename must be set."));
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => return ReadDataResponse::failed(error("Failed to read file", format!("The file at {path} cannot be read: {e}."))),
    };
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let sha1 = hex::encode(sha1::Sha1::digest(&bytes));
    let values = [
        ("content", String::from_utf8_lossy(&bytes).into_owned()),
        ("content_base64", b64(&bytes)),
        ("content_md5", hex::encode(md5::Md5::digest(&bytes))),
        ("content_sha1", sha1.clone()),
        ("content_sha256", hex::encode(sha2::Sha256::digest(&bytes))),
        ("content_sha512", hex::encode(sha2::Sha512::digest(&bytes))),
        ("content_base64sha256", b64(&sha2::Sha256::digest(&bytes))),
        ("content_base64sha512", b64(&sha2::Sha512::digest(&bytes))),
        ("id", sha1),
    ];
    for (k, v) in values {
        set(&mut state, k, Value::String(v));
    }
    ReadDataResponse::found(state)
}

/// Data source `local_file`.
pub struct LocalFileData;

#[async_trait]
impl DataSourceType<LocalProvider> for LocalFileData {
    fn name(&self) -> &'static str {
        "local_file"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, _c: &LocalProvider, config: Value) -> ReadDataResponse {
        read_file(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_content_and_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, b"hi\xff").unwrap();
        let cfg = Value::object([("filename", Value::string(path.to_string_lossy()))]);
        let r = LocalProvider.read_data(ReadDataRequest { type_name: "local_file".into(), config: cfg }).await;
        assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
        assert_eq!(attr(&r.state, "content"), &Value::string("hi\u{fffd}"));
        assert_eq!(attr(&r.state, "content_base64"), &Value::string("aGn/"));
        assert_eq!(attr(&r.state, "id"), attr(&r.state, "content_sha1"));
        let missing = Value::object([("filename", Value::string(dir.path().join("nope").to_string_lossy()))]);
        assert!(LocalProvider.read_data(ReadDataRequest { type_name: "local_file".into(), config: missing }).await.diagnostics.has_errors());
    }
}
