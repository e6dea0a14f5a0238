//! `local_sensitive_file` (hashicorp/local 2.x): `local_file` with `content` and
//! `content_base64` sensitive and both permissions defaulting to `"0700"` (the provider's
//! default for this type); every argument forces replacement, a file edited or removed outside
//! skyform reads as gone. Planning, writing, drift and deletion are `local_file`'s; no import,
//! as in the provider.

use async_trait::async_trait;

use super::local_file::{LocalFile, LocalProvider};
use crate::provider::helpers::{defaults, error};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const ARGS: [&str; 6] = ["filename", "content", "content_base64", "source", "file_permission", "directory_permission"];
const HASHES: [&str; 7] = ["id", "content_md5", "content_sha1", "content_sha256", "content_sha512", "content_base64sha256", "content_base64sha512"];

pub fn schema() -> ResourceSchema {
    let names: Vec<&str> = ARGS.iter().chain(HASHES.iter()).copied().collect();
    resource("local_sensitive_file").implement(&names).force_new(&ARGS).sensitive(&["content", "content_base64"]).build()
}

/// `local_sensitive_file`.
pub struct LocalSensitiveFile;

#[async_trait]
impl ResourceType<LocalProvider> for LocalSensitiveFile {
    fn name(&self) -> &'static str {
        "local_sensitive_file"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, c: &LocalProvider, mut req: PlanRequest) -> PlanResponse {
        defaults(&mut req.proposed_new_state, &[("file_permission", Value::string("0700")), ("directory_permission", Value::string("0700"))]);
        LocalFile.plan(c, req)
    }

    async fn read(&self, c: &LocalProvider, prior: Value) -> ReadResponse {
        LocalFile.read(c, prior).await
    }

    async fn create(&self, c: &LocalProvider, planned: Value, config: &Value) -> ApplyResponse {
        LocalFile.create(c, planned, config).await
    }

    async fn delete(&self, c: &LocalProvider, prior: Value) -> ApplyResponse {
        LocalFile.delete(c, prior).await
    }

    async fn import(&self, _c: &LocalProvider, _id: String, _blank: Value) -> ImportResponse {
        ImportResponse::failed(error("Import not supported", "local_sensitive_file cannot be imported, as in the local provider."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::helpers::{attr, set};
    use std::os::unix::fs::PermissionsExt;

    #[tokio::test]
    async fn writes_with_0700_and_hides_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.txt").to_string_lossy().into_owned();
        let mut cfg = crate::provider::helpers::blank(&schema().block);
        set(&mut cfg, "filename", Value::string(&path));
        set(&mut cfg, "content", Value::string("hi"));
        let p = LocalProvider;
        let plan =
            p.plan(PlanRequest { type_name: "local_sensitive_file".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg.clone() }).await;
        assert_eq!(attr(&plan.planned_state, "file_permission"), &Value::string("0700"));
        let r = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "local_sensitive_file".into(),
                prior_state: None,
                planned_state: Some(plan.planned_state),
                config: cfg,
            })
            .await;
        assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o700);
        assert!(schema().block.attributes["content"].sensitive && schema().block.attributes["content_base64"].sensitive);
        assert!(!schema().block.attributes.contains_key("sensitive_content"));
    }
}
