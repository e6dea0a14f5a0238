//! `aws_s3_bucket_versioning`: `bucket`, `versioning_configuration { status }` (`Enabled`,
//! `Suspended` or `Disabled`); computed `id` (the bucket). A new bucket replaces it; the status
//! changes in place; destroying it suspends versioning (a bucket cannot return to "never
//! versioned"), as Terraform does.

use async_trait::async_trait;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::get_bucket_versioning::GetBucketVersioningError;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};

use super::errors::{aws_error, not_found};
use super::AwsProvider;
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::helpers::{attr, imported, set};
use crate::provider::*;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    ResourceSchema {
        version: 0,
        block: BlockSchema::new([
            ("bucket", AttributeSchema::required().force_new().typed(AttrType::String)),
            ("expected_bucket_owner", AttributeSchema::optional().force_new().typed(AttrType::String)),
            ("id", AttributeSchema::computed().typed(AttrType::String)),
        ])
        // A list of at most one block, as in Terraform (`versioning_configuration[0].status`).
        .with_block("versioning_configuration", Nesting::List, BlockSchema::new([("status", AttributeSchema::required().typed(AttrType::String))])),
    }
}

/// The one `versioning_configuration` block (a list of one; an object in states written before
/// it was a list).
fn configuration(v: &Value) -> &Value {
    match attr(v, "versioning_configuration") {
        Value::List(l) => l.first().unwrap_or(&Value::Null),
        other => other,
    }
}

fn status_of(v: &Value) -> Option<String> {
    configuration(v).get_attr("status").and_then(|s| s.as_str()).map(str::to_string)
}

pub(crate) async fn put_status(p: &AwsProvider, bucket: &str, status: &str) -> Result<(), Diagnostics> {
    let s = if status == "Enabled" { BucketVersioningStatus::Enabled } else { BucketVersioningStatus::Suspended };
    let cfg = VersioningConfiguration::builder().status(s).build();
    p.s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(cfg)
        .send()
        .await
        .map_err(|e| aws_error(&format!("setting versioning of S3 bucket \"{bucket}\""), &e))?;
    Ok(())
}

/// The bucket's versioning status (`Enabled`, `Suspended`; `None` if never versioned).
pub(crate) async fn get_status(p: &AwsProvider, bucket: &str) -> Result<Option<String>, SdkError<GetBucketVersioningError, HttpResponse>> {
    match p.s3.get_bucket_versioning().bucket(bucket).send().await {
        Ok(out) => Ok(out.status().map(|s| s.as_str().to_string())),
        // moto answers with a <GetBucketVersioningResponse> root the SDK refuses; the status
        // inside is right, so read it from the raw 200 response.
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 200) => {
            let body = e.raw_response().and_then(|r| r.body().bytes()).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            Ok(body.split_once("<Status>").and_then(|(_, rest)| rest.split_once("</Status>")).map(|(s, _)| s.to_string()))
        }
        Err(e) => Err(e),
    }
}

/// Sets the planned status: on create (`prior` None) and on update.
async fn put_planned(p: &AwsProvider, prior: Option<Value>, planned: Value) -> ApplyResponse {
    let bucket = attr(&planned, "bucket").as_str().unwrap_or_default().to_string();
    let status = status_of(&planned).unwrap_or_default();
    // "Disabled" on a bucket that was never versioned is a no-op (the API cannot set it).
    let needs_call = !(status == "Disabled" && prior.as_ref().is_none_or(|p| status_of(p).as_deref() != Some("Enabled")));
    if needs_call {
        if let Err(d) = put_status(p, &bucket, &status).await {
            return ApplyResponse::failed(prior, d);
        }
    }
    ApplyResponse::ok(Some(planned))
}

/// `aws_s3_bucket_versioning`.
pub struct S3BucketVersioning;

#[async_trait]
impl ResourceType<AwsProvider> for S3BucketVersioning {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_versioning"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let bucket = attr(&planned, "bucket").clone();
        set(&mut planned, "id", bucket);
        let mut diagnostics = Diagnostics::new();
        match status_of(&planned).as_deref() {
            Some("Enabled" | "Suspended" | "Disabled") => {}
            Some(other) => diagnostics.push(Diagnostic::error(
                "Invalid versioning status",
                format!("versioning_configuration.status must be \"Enabled\", \"Suspended\" or \"Disabled\", not \"{other}\"."),
            )),
            None if attr(&planned, "versioning_configuration").is_known() => {
                diagnostics.push(Diagnostic::error("Missing versioning_configuration", "A versioning_configuration block with a status is required."))
            }
            None => {}
        }
        PlanResponse { diagnostics, ..PlanResponse::planned(planned) }
    }

    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        let bucket = attr(&prior, "bucket").as_str().unwrap_or_default().to_string();
        match get_status(p, &bucket).await {
            Ok(status) => {
                let status = status.unwrap_or_else(|| "Disabled".into());
                let mut state = prior;
                // A never-versioned bucket reads as "Disabled"; keep "Disabled" as configured.
                let mut block = match configuration(&state) {
                    Value::Map(m) => Value::Map(m.clone()),
                    _ => Value::object([("mfa_delete", Value::Null)]),
                };
                set(&mut block, "status", Value::String(status));
                set(&mut state, "versioning_configuration", Value::List(vec![block]));
                ReadResponse::found(state)
            }
            Err(e) if not_found(&e) => ReadResponse::gone(),
            Err(e) => ReadResponse::failed(prior, aws_error(&format!("reading versioning of S3 bucket \"{bucket}\""), &e)),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        put_planned(p, None, planned).await
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        put_planned(p, Some(prior), planned).await
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        let bucket = attr(&prior, "bucket").as_str().unwrap_or_default().to_string();
        if status_of(&prior).as_deref() == Some("Enabled") {
            if let Err(d) = put_status(p, &bucket, "Suspended").await {
                return ApplyResponse::failed(Some(prior), d);
            }
        }
        ApplyResponse::ok(None)
    }

    async fn import(&self, p: &AwsProvider, id: String, blank: Value) -> ImportResponse {
        let mut state = blank;
        set(&mut state, "bucket", Value::string(&id));
        set(&mut state, "id", Value::string(&id));
        imported(self.read(p, state).await, || format!("There is no S3 bucket named \"{id}\"."))
    }
}
