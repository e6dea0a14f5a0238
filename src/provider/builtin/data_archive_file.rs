//! Data source `archive_file` (hashicorp/archive 2.x): the `archive_file` resource's archive
//! ([`archive`]) written on every read, at plan time when the configuration is known, so
//! `source_code_hash = data.archive_file.x.output_base64sha256` is known in the plan and stays
//! the same while the input does.

use async_trait::async_trait;

use super::archive_file::{archive, ArchiveProvider, ATTRIBUTES};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("archive_file").implement(&ATTRIBUTES).build()
}

/// Data source `archive_file`.
pub struct ArchiveFileData;

#[async_trait]
impl DataSourceType<ArchiveProvider> for ArchiveFileData {
    fn name(&self) -> &'static str {
        "archive_file"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, _c: &ArchiveProvider, config: Value) -> ReadDataResponse {
        let mut state = schema().block.normalize(config);
        match archive(&mut state) {
            Ok(()) => ReadDataResponse::found(state),
            Err(d) => ReadDataResponse::failed(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::helpers::attr;

    #[tokio::test]
    async fn reads_the_same_hash_twice() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("d.zip").to_string_lossy().into_owned();
        let cfg = Value::object([
            ("type", Value::string("zip")),
            ("source_content", Value::string("exports.handler = () => 1;\n")),
            ("source_content_filename", Value::string("index.js")),
            ("output_path", Value::string(&out)),
        ]);
        let read = || ArchiveProvider.read_data(ReadDataRequest { type_name: "archive_file".into(), config: cfg.clone() });
        let (a, b) = (read().await, read().await);
        assert!(!a.diagnostics.has_errors(), "{}", a.diagnostics);
        assert_eq!(attr(&a.state, "output_base64sha256"), attr(&b.state, "output_base64sha256"));
        assert!(attr(&a.state, "output_base64sha256").as_str().is_some_and(|s| s.len() == 44));
    }
}
