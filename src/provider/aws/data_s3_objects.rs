//! `data "aws_s3_objects"`: the keys (and, with a `delimiter`, the common prefixes) of a
//! bucket's objects, listed page by page until `max_keys` (default 1,000) keys, as Terraform's
//! provider lists them; `id` is the bucket. Not implemented yet: `encoding_type`, `fetch_owner`
//! (`owners`), `request_payer` (`request_charged`).

use async_trait::async_trait;

use super::errors::aws_error;
use super::AwsProvider;
use crate::provider::helpers::{attr, set};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    let s = |a: AttributeSchema| a.typed(AttrType::String);
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("bucket", s(AttributeSchema::required())),
            ("prefix", s(AttributeSchema::optional())),
            ("delimiter", s(AttributeSchema::optional())),
            ("start_after", s(AttributeSchema::optional())),
            ("max_keys", AttributeSchema::optional().typed(AttrType::Number)),
            ("id", s(AttributeSchema::computed())),
            ("keys", AttributeSchema::computed().typed(AttrType::ListOfString)),
            ("common_prefixes", AttributeSchema::computed().typed(AttrType::ListOfString)),
        ]),
    }
}

/// The provider's page size: `max_keys` up to this many is also the page size.
const PAGE: i64 = 1000;

/// `data "aws_s3_objects"`.
pub struct DataS3Objects;

#[async_trait]
impl DataSourceType<AwsProvider> for DataS3Objects {
    fn name(&self) -> &'static str {
        "aws_s3_objects"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, p: &AwsProvider, config: Value) -> ReadDataResponse {
        let bucket = attr(&config, "bucket").as_str().unwrap_or_default().to_string();
        let text = |name: &str| attr(&config, name).as_str().filter(|s| !s.is_empty()).map(str::to_string);
        let max_keys = attr(&config, "max_keys").as_f64().map_or(PAGE, |n| n as i64);
        let mut keys = Vec::new();
        let mut prefixes = Vec::new();
        let mut token: Option<String> = None;
        'pages: loop {
            let mut req =
                p.s3.list_objects_v2()
                    .bucket(&bucket)
                    .set_prefix(text("prefix"))
                    .set_delimiter(text("delimiter"))
                    .set_start_after(text("start_after"))
                    .set_continuation_token(token.take());
            if max_keys <= PAGE {
                req = req.max_keys(max_keys as i32);
            }
            let page = match req.send().await {
                Ok(page) => page,
                Err(e) => return ReadDataResponse::failed(aws_error(&format!("listing S3 Bucket ({bucket}) Objects"), &e)),
            };
            prefixes.extend(page.common_prefixes().iter().filter_map(|c| c.prefix()).map(Value::string));
            for o in page.contents() {
                if keys.len() as i64 >= max_keys {
                    break 'pages;
                }
                keys.push(Value::string(o.key().unwrap_or_default()));
            }
            match page.next_continuation_token() {
                Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
                _ => break,
            }
        }
        let mut state = config;
        set(&mut state, "id", Value::string(&bucket));
        set(&mut state, "keys", Value::List(keys));
        set(&mut state, "common_prefixes", Value::List(prefixes));
        ReadDataResponse::found(state)
    }
}
