//! Data source `local_sensitive_file` (hashicorp/local 2.x): the `local_file` data source
//! ([`read_file`]) with `content` and `content_base64` sensitive.

use async_trait::async_trait;

use super::data_local_file::{read_file, ATTRIBUTES};
use super::local_file::LocalProvider;
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    data("local_sensitive_file").implement(&ATTRIBUTES).sensitive(&["content", "content_base64"]).build()
}

/// Data source `local_sensitive_file`.
pub struct LocalSensitiveFileData;

#[async_trait]
impl DataSourceType<LocalProvider> for LocalSensitiveFileData {
    fn name(&self) -> &'static str {
        "local_sensitive_file"
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

    #[test]
    fn content_is_sensitive() {
        let s = schema();
        assert!(s.block.attributes["content"].sensitive && s.block.attributes["content_base64"].sensitive);
        assert!(!s.block.attributes["id"].sensitive);
    }
}
