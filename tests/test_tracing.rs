//! OpenTelemetry traces (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_EXPORTER=otlp`) sent to
//! a local OTLP/HTTP receiver that this test runs: the spans' tree (command, graph node,
//! provider call), both encodings, and no attribute value in any span.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::common::{skyform, stderr, stdout};

/// One received export request: (path, content type, body).
type Request = (String, String, Vec<u8>);

/// A minimal OTLP/HTTP receiver: answers 200 to every POST and keeps what it got.
fn receiver() -> (String, Arc<Mutex<Vec<Request>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let keep = keep.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut stream = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or_default().to_string();
                    let (mut length, mut content_type) = (0, String::new());
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                            break;
                        }
                        let (k, v) = h.split_once(':').unwrap_or_default();
                        match k.to_ascii_lowercase().as_str() {
                            "content-length" => length = v.trim().parse().unwrap_or(0),
                            "content-type" => content_type = v.trim().to_string(),
                            _ => {}
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    keep.lock().unwrap().push((path, content_type, body));
                    stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").unwrap();
                }
            });
        }
    });
    (url, got)
}

const CONFIG: &str = r#"
resource "terraform_data" "a" {
  input = "value-never-in-a-span"
}

resource "terraform_data" "b" {
  input = terraform_data.a.output
}
"#;

#[test]
fn apply_spans_form_one_tree_over_otlp_json() {
    let (url, got) = receiver();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), CONFIG).unwrap();
    let out = skyform(dir.path())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &url)
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
        .env("OTEL_EXPORTER_OTLP_HEADERS", "x-team=infra")
        .args(["apply", "-auto-approve"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(!stderr(&out).contains("Warning"), "{}", stderr(&out));
    let requests = got.lock().unwrap().clone();
    assert!(!requests.is_empty(), "no export request arrived");
    let mut spans = Vec::new();
    for (path, content_type, body) in &requests {
        assert_eq!((path.as_str(), content_type.as_str()), ("/v1/traces", "application/json"));
        assert!(!String::from_utf8_lossy(body).contains("value-never-in-a-span"), "a value reached a span");
        let doc: serde_json::Value = serde_json::from_slice(body).unwrap();
        let rs = &doc["resourceSpans"][0];
        assert_eq!(rs["resource"]["attributes"][0]["value"]["stringValue"], "skyform");
        spans.extend(rs["scopeSpans"][0]["spans"].as_array().unwrap().iter().cloned());
    }
    let by_name = |name: &str| spans.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("no span {name:?} in {spans:#?}")).clone();
    let root = by_name("skyform apply");
    assert!(root.get("parentSpanId").is_none());
    let trace = root["traceId"].as_str().unwrap();
    assert_eq!(trace.len(), 32);
    assert!(spans.iter().all(|s| s["traceId"] == trace), "one trace");
    let node = by_name("apply terraform_data.a");
    assert_eq!(node["parentSpanId"], root["spanId"]);
    let calls: Vec<&serde_json::Value> = spans.iter().filter(|s| s["name"] == "provider.apply terraform_data" && s["parentSpanId"] == node["spanId"]).collect();
    assert_eq!(calls.len(), 1, "one provider call under the node: {spans:#?}");
    let attrs = calls[0]["attributes"].as_array().unwrap();
    assert!(attrs.iter().any(|a| a["key"] == "skyform.action" && a["value"]["stringValue"] == "create"), "{attrs:?}");
    assert!(by_name("plan terraform_data.b")["startTimeUnixNano"].as_str().unwrap().parse::<u64>().unwrap() > 0);
    assert_eq!(root["status"]["code"], 1);
}

#[test]
fn protobuf_is_the_default_encoding_and_a_missing_collector_only_warns() {
    let (url, got) = receiver();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), CONFIG).unwrap();
    let out = skyform(dir.path())
        .env("OTEL_TRACES_EXPORTER", "otlp")
        .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", format!("{url}/custom"))
        .args(["plan"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let requests = got.lock().unwrap().clone();
    let (path, content_type, body) = &requests[0];
    assert_eq!((path.as_str(), content_type.as_str()), ("/custom", "application/x-protobuf"));
    let contains = |s: &str| body.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(contains("skyform plan") && contains("plan terraform_data.a") && contains("provider.plan terraform_data"));

    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let out = skyform(dir.path()).env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{closed}")).args(["plan"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Warning: Cannot export traces to"), "{}", stderr(&out));
    let grpc = skyform(dir.path()).env("OTEL_TRACES_EXPORTER", "otlp").env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc").args(["plan"]).output().unwrap();
    assert!(stderr(&grpc).contains("OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported"), "{}", stderr(&grpc));
}
