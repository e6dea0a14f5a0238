//! Throttling and server errors are retried with backoff, the user's own errors are not:
//! each provider against a local HTTP server that answers with canned responses.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use skyform::provider::azure::AzureFactory;
use skyform::provider::google::GoogleFactory;
use skyform::provider::{ApplyRequest, PlanRequest, Provider, ReadRequest};
use skyform::value::Value;

use crate::common::rt;

/// Serves each request with the next `(status, body)` (the last one repeats), one request per
/// connection. Returns the base URL and the number of requests served.
fn canned(responses: Vec<(u16, &'static str)>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head and a Content-Length body.
            loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let i = count.fetch_add(1, Ordering::SeqCst);
            let (status, body) = responses[i.min(responses.len() - 1)];
            let reply = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
            let _ = s.write_all(reply.as_bytes());
        }
    });
    (base, served)
}

const BUCKET: &str = r#"{"name":"bkt1","location":"US","storageClass":"STANDARD","labels":{"env":"dev"}}"#;

#[test]
fn gcs_retries_server_errors_and_throttling_then_succeeds() {
    let (base, served) = canned(vec![(503, "{}"), (429, "{}"), (200, BUCKET)]);
    let config = Value::object([("project", Value::string("p")), ("storage_custom_endpoint", Value::string(format!("{base}/storage/v1/")))]);
    let rt = rt();
    let driver = rt.block_on(GoogleFactory::new().connect(&config)).unwrap();
    let prior = Value::object([("name", Value::string("bkt1"))]);
    let r = rt.block_on(driver.read(ReadRequest { type_name: "google_storage_bucket".into(), prior_state: prior }));
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let state = r.new_state.unwrap();
    assert_eq!(state.get_attr("labels").and_then(|l| l.get_attr("env")), Some(&Value::string("dev")));
    assert_eq!(served.load(Ordering::SeqCst), 3);
    assert_eq!(driver.requests(), 3);
}

#[test]
fn gcs_does_not_retry_the_users_errors() {
    let (base, served) = canned(vec![(403, r#"{"error":{"code":403,"message":"no access"}}"#)]);
    let config = Value::object([("project", Value::string("p")), ("storage_custom_endpoint", Value::string(format!("{base}/storage/v1/")))]);
    let rt = rt();
    let driver = rt.block_on(GoogleFactory::new().connect(&config)).unwrap();
    let prior = Value::object([("name", Value::string("bkt1"))]);
    let r = rt.block_on(driver.read(ReadRequest { type_name: "google_storage_bucket".into(), prior_state: prior }));
    let text = format!("{:?}", r.diagnostics);
    assert!(text.contains("403") && text.contains("no access") && text.contains("credentials"), "{text}");
    assert_eq!(served.load(Ordering::SeqCst), 1);
}

#[test]
fn azure_retries_server_errors_then_succeeds() {
    let (base, served) = canned(vec![(500, ""), (503, ""), (200, "")]);
    let key = crate::test_azure::KEY;
    let config = Value::object([("access_key", Value::string(key)), ("blob_endpoint", Value::string(format!("{base}/devstoreaccount1")))]);
    let driver = AzureFactory::new().connect(&config).unwrap();
    let prior = Value::object([("name", Value::string("c1")), ("storage_account_name", Value::string("devstoreaccount1"))]);
    let r = rt().block_on(driver.read(ReadRequest { type_name: "azurerm_storage_container".into(), prior_state: prior }));
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.new_state.unwrap().get_attr("container_access_type"), Some(&Value::string("private")));
    assert_eq!(served.load(Ordering::SeqCst), 3);
    assert_eq!(driver.requests(), 3);
}

#[test]
fn azure_does_not_retry_a_missing_container() {
    let (base, served) = canned(vec![(404, "")]);
    let key = crate::test_azure::KEY;
    let config = Value::object([("access_key", Value::string(key)), ("blob_endpoint", Value::string(format!("{base}/devstoreaccount1")))]);
    let driver = AzureFactory::new().connect(&config).unwrap();
    let prior = Value::object([("name", Value::string("c1")), ("storage_account_name", Value::string("devstoreaccount1"))]);
    let r = rt().block_on(driver.read(ReadRequest { type_name: "azurerm_storage_container".into(), prior_state: prior }));
    assert!(r.new_state.is_none() && r.diagnostics.is_empty(), "a 404 reads as gone: {:?}", r.diagnostics);
    assert_eq!(served.load(Ordering::SeqCst), 1);
}

#[test]
fn gcs_bucket_insert_retried_after_a_lost_answer_adopts_its_own_bucket() {
    // The first insert fails with 503 (as if its answer was lost after the bucket was made),
    // the retry meets the bucket (409), and a read finds it: created, not an error.
    let (base, served) = canned(vec![(503, "{}"), (409, r#"{"error":{"code":409,"message":"You already own this bucket."}}"#), (200, BUCKET)]);
    let config = Value::object([("project", Value::string("p")), ("storage_custom_endpoint", Value::string(format!("{base}/storage/v1/")))]);
    let rt = rt();
    let driver = rt.block_on(GoogleFactory::new().connect(&config)).unwrap();
    let cfg = Value::object([
        ("name", Value::string("bkt1")),
        ("location", Value::string("US")),
        ("labels", Value::object([("env", Value::string("dev"))])),
        ("versioning", Value::List(vec![])),
    ]);
    let plan = rt.block_on(driver.plan(PlanRequest {
        type_name: "google_storage_bucket".into(),
        prior_state: None,
        proposed_new_state: cfg.clone(),
        config: cfg.clone(),
    }));
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let r = rt.block_on(driver.apply(ApplyRequest {
        operation: Default::default(),
        type_name: "google_storage_bucket".into(),
        prior_state: None,
        planned_state: Some(plan.planned_state),
        config: cfg,
    }));
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.new_state.unwrap().get_attr("uniform_bucket_level_access"), Some(&Value::Bool(false)));
    assert_eq!(served.load(Ordering::SeqCst), 3);
}

/// The provider block of an AWS provider whose SQS endpoint is `base`.
fn aws_sqs_at(base: &str) -> Value {
    Value::object([
        ("region", Value::string("eu-west-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        ("skip_credentials_validation", Value::Bool(true)),
        ("endpoints", Value::object([("sqs", Value::string(base))])),
    ])
}

fn read_queue(base: &str) -> (skyform::provider::ReadResponse, u64) {
    let rt = rt();
    let driver = rt.block_on(skyform::provider::aws::AwsFactory::new().connect(&aws_sqs_at(base))).unwrap();
    let prior = Value::object([("id", Value::string(format!("{base}/123456789012/q")))]);
    let r = rt.block_on(driver.read(ReadRequest { type_name: "aws_sqs_queue".into(), prior_state: prior }));
    (r, driver.requests())
}

#[test]
fn aws_json_services_retry_throttling_and_server_errors_then_succeed() {
    let attributes = r#"{"Attributes":{"QueueArn":"arn:aws:sqs:eu-west-1:123456789012:q","VisibilityTimeout":"45"},"Tags":{}}"#;
    let (base, served) = canned(vec![(400, r#"{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}"#), (500, ""), (200, attributes)]);
    let (r, requests) = read_queue(&base);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.new_state.unwrap().get_attr("visibility_timeout_seconds"), Some(&Value::Number(45.0)));
    // GetQueueAttributes three times, then ListQueueTags.
    assert_eq!(served.load(Ordering::SeqCst), 4);
    assert_eq!(requests, 4);
}

#[test]
fn aws_json_services_do_not_retry_the_users_errors() {
    let (base, served) = canned(vec![(400, r#"{"__type":"com.amazonaws.sqs#InvalidAddress","message":"The address is not valid"}"#)]);
    let (r, _) = read_queue(&base);
    let text = r.diagnostics.to_string();
    assert!(text.contains("InvalidAddress") && text.contains("The address is not valid"), "{text}");
    assert_eq!(served.load(Ordering::SeqCst), 1);
    // A missing queue is gone, not an error.
    let (base, _) = canned(vec![(400, r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#)]);
    let (r, _) = read_queue(&base);
    assert!(r.new_state.is_none() && r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

/// A server error without a body (an S3 endpoint answering 503 with nothing) reads as its
/// status, not as the SDK's debug dump of the response.
#[test]
fn aws_sdk_errors_without_details_name_the_status() {
    let (base, served) = canned(vec![(503, "")]);
    let config = Value::object([
        ("region", Value::string("eu-west-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        ("skip_credentials_validation", Value::Bool(true)),
        ("s3_use_path_style", Value::Bool(true)),
        ("max_retries", Value::Number(0.0)),
        ("endpoints", Value::object([("s3", Value::string(&base))])),
    ]);
    let rt = rt();
    let driver = rt.block_on(skyform::provider::aws::AwsFactory::new().connect(&config)).unwrap();
    let prior = Value::object([("id", Value::string("b")), ("bucket", Value::string("b"))]);
    let r = rt.block_on(driver.read(ReadRequest { type_name: "aws_s3_bucket".into(), prior_state: prior }));
    let text = r.diagnostics.to_string();
    assert!(text.contains("HTTP 503 without error details"), "{text}");
    assert!(!text.contains("ResponseError") && !text.contains("raw:") && !text.contains("SdkBody"), "{text}");
    assert!(served.load(Ordering::SeqCst) >= 1);
}
