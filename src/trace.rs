//! OpenTelemetry traces of a run, exported over OTLP/HTTP when the environment asks for them
//! as it does for Terraform: `OTEL_TRACES_EXPORTER=otlp`, or an `OTEL_EXPORTER_OTLP_ENDPOINT` /
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the latter used as it is, the former with
//! `/v1/traces`; default `http://localhost:4318`), `OTEL_EXPORTER_OTLP_HEADERS`
//! (`key=value,...`) and `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, or
//! `http/json`; `grpc` is not supported and says so). `OTEL_TRACES_EXPORTER=none` turns it off.
//!
//! This module owns the spans and their export: one root span per command (`skyform apply`),
//! a span per graph node visited ([`in_span`], parent: the root) and a span per provider call
//! ([`traced`] wraps a configured driver; parent: the node being visited, carried in a task
//! local). Spans carry names, addresses, types and outcomes, never attribute values. They are
//! kept in memory and sent when the command ends ([`finish`]), in batches.

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

use crate::provider::*;

/// Spans per export request.
const BATCH: usize = 512;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protocol {
    Protobuf,
    Json,
}

/// A finished span.
#[derive(Clone, Debug)]
struct SpanData {
    id: [u8; 8],
    parent: Option<[u8; 8]>,
    name: String,
    start: u64,
    end: u64,
    attributes: Vec<(&'static str, String)>,
    error: Option<String>,
}

struct Tracer {
    url: String,
    protocol: Protocol,
    headers: Vec<(String, String)>,
    trace_id: [u8; 16],
    root: [u8; 8],
    root_name: String,
    started: u64,
    spans: Mutex<Vec<SpanData>>,
}

static TRACER: OnceLock<Option<Tracer>> = OnceLock::new();

tokio::task_local! {
    static CURRENT: [u8; 8];
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

fn tracer() -> Option<&'static Tracer> {
    TRACER.get().and_then(Option::as_ref)
}

/// Whether spans are being recorded.
pub fn enabled() -> bool {
    tracer().is_some()
}

/// Where to export (URL), how, and the extra headers.
type Export = (String, Protocol, Vec<(String, String)>);

/// Where and how to export, from the environment: None when tracing is off; a warning for a
/// setting that cannot be honoured.
fn settings(env: &dyn Fn(&str) -> Option<String>) -> (Option<Export>, Option<String>) {
    let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let exporter = var("OTEL_TRACES_EXPORTER").map(|v| v.trim().to_ascii_lowercase());
    let traces_endpoint = var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    let endpoint = var("OTEL_EXPORTER_OTLP_ENDPOINT");
    match exporter.as_deref() {
        Some("none") => return (None, None),
        Some("otlp") => {}
        Some(other) => return (None, Some(format!("OTEL_TRACES_EXPORTER={other} is not supported (only \"otlp\"); no traces are exported."))),
        None if traces_endpoint.is_none() && endpoint.is_none() => return (None, None),
        None => {}
    }
    let url = match (traces_endpoint, endpoint) {
        (Some(t), _) => t,
        (None, Some(e)) => format!("{}/v1/traces", e.trim_end_matches('/')),
        (None, None) => "http://localhost:4318/v1/traces".into(),
    };
    let protocol = match var("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL").or_else(|| var("OTEL_EXPORTER_OTLP_PROTOCOL")).as_deref().map(str::trim) {
        None | Some("http/protobuf") => Protocol::Protobuf,
        Some("http/json") => Protocol::Json,
        Some(other) => {
            return (
                None,
                Some(format!(
                    "OTEL_EXPORTER_OTLP_PROTOCOL={other} is not supported; skyform exports traces over http/protobuf or http/json. No traces are exported."
                )),
            )
        }
    };
    let headers = var("OTEL_EXPORTER_OTLP_TRACES_HEADERS")
        .or_else(|| var("OTEL_EXPORTER_OTLP_HEADERS"))
        .map(|h| {
            h.split(',')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), percent_encoding::percent_decode_str(v.trim()).decode_utf8_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    (Some((url, protocol, headers)), None)
}

/// Starts tracing the command `name` when the environment asks for it (once per process).
/// Returns a warning to show, if any.
pub fn init_from_env(name: &str) -> Option<String> {
    let mut warning = None;
    TRACER.get_or_init(|| {
        let (wanted, warn) = settings(&|k| std::env::var(k).ok());
        warning = warn;
        let (url, protocol, headers) = wanted?;
        Some(Tracer {
            url,
            protocol,
            headers,
            trace_id: rand::random(),
            root: rand::random(),
            root_name: name.to_string(),
            started: now(),
            spans: Mutex::new(Vec::new()),
        })
    });
    warning
}

fn record(t: &Tracer, span: SpanData) {
    t.spans.lock().unwrap_or_else(|e| e.into_inner()).push(span);
}

/// Runs `fut` as the span `name` (a child of the current span, else of the root); calls it
/// makes through a [`traced`] driver become its children.
pub async fn in_span<F: Future>(name: impl FnOnce() -> String, attributes: impl FnOnce() -> Vec<(&'static str, String)>, fut: F) -> F::Output {
    let Some(t) = tracer() else { return fut.await };
    let id: [u8; 8] = rand::random();
    let parent = CURRENT.try_with(|p| *p).unwrap_or(t.root);
    let start = now();
    let out = CURRENT.scope(id, fut).await;
    record(t, SpanData { id, parent: Some(parent), name: name(), start, end: now(), attributes: attributes(), error: None });
    out
}

/// Records a finished child span of the current one.
fn child(name: String, start: u64, attributes: Vec<(&'static str, String)>, error: Option<String>) {
    let Some(t) = tracer() else { return };
    let parent = CURRENT.try_with(|p| *p).unwrap_or(t.root);
    record(t, SpanData { id: rand::random(), parent: Some(parent), name, start, end: now(), attributes, error });
}

/// The driver, with a span per call when tracing is on.
pub fn traced(provider: &str, driver: Arc<dyn Provider>) -> Arc<dyn Provider> {
    if enabled() {
        Arc::new(TracedProvider { name: provider.to_string(), inner: driver })
    } else {
        driver
    }
}

struct TracedProvider {
    name: String,
    inner: Arc<dyn Provider>,
}

impl TracedProvider {
    fn end(&self, call: &str, type_name: &str, start: u64, diags: &crate::diag::Diagnostics, extra: Option<(&'static str, String)>) {
        let mut attributes = vec![("skyform.provider", self.name.clone()), ("skyform.resource_type", type_name.to_string())];
        attributes.extend(extra);
        let error =
            diags.has_errors().then(|| diags.iter().find(|d| d.severity == crate::diag::Severity::Error).map(|d| d.summary.clone()).unwrap_or_default());
        child(format!("provider.{call} {type_name}"), start, attributes, error);
    }
}

#[async_trait]
impl Provider for TracedProvider {
    async fn read(&self, req: ReadRequest) -> ReadResponse {
        let (start, type_name) = (now(), req.type_name.clone());
        let r = self.inner.read(req).await;
        self.end("read", &type_name, start, &r.diagnostics, None);
        r
    }

    async fn read_batch(&self, reqs: Vec<ReadRequest>) -> Vec<ReadResponse> {
        let start = now();
        let types: std::collections::BTreeSet<String> = reqs.iter().map(|r| r.type_name.clone()).collect();
        let count = reqs.len();
        let r = self.inner.read_batch(reqs).await;
        let mut diags = crate::diag::Diagnostics::new();
        r.iter().for_each(|x| diags.extend(x.diagnostics.clone()));
        let types = types.into_iter().collect::<Vec<_>>().join(",");
        self.end("read_batch", &types, start, &diags, Some(("skyform.count", count.to_string())));
        r
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let (start, type_name) = (now(), req.type_name.clone());
        let r = self.inner.plan(req).await;
        self.end("plan", &type_name, start, &r.diagnostics, None);
        r
    }

    async fn apply(&self, req: ApplyRequest) -> ApplyResponse {
        let (start, type_name) = (now(), req.type_name.clone());
        let action = match (&req.prior_state, &req.planned_state) {
            (None, _) => "create",
            (_, None) => "delete",
            _ => "update",
        };
        let r = self.inner.apply(req).await;
        self.end("apply", &type_name, start, &r.diagnostics, Some(("skyform.action", action.to_string())));
        r
    }

    async fn import(&self, req: ImportRequest) -> ImportResponse {
        let (start, type_name) = (now(), req.type_name.clone());
        let r = self.inner.import(req).await;
        self.end("import", &type_name, start, &r.diagnostics, None);
        r
    }

    fn remote(&self, type_name: &str) -> bool {
        self.inner.remote(type_name)
    }

    async fn upgrade_state(&self, req: UpgradeStateRequest) -> UpgradeStateResponse {
        self.inner.upgrade_state(req).await
    }

    async fn read_data(&self, req: ReadDataRequest) -> ReadDataResponse {
        let (start, type_name) = (now(), req.type_name.clone());
        let r = self.inner.read_data(req).await;
        self.end("read_data", &type_name, start, &r.diagnostics, None);
        r
    }
}

/// Ends the root span (`error` when the command failed) and exports every span. Returns a
/// warning when the collector could not be reached.
pub fn finish(exit_code: i32) -> Option<String> {
    let t = tracer()?;
    let mut spans = std::mem::take(&mut *t.spans.lock().unwrap_or_else(|e| e.into_inner()));
    let error = (exit_code != 0 && exit_code != 2).then(|| format!("exit code {exit_code}"));
    spans.push(SpanData {
        id: t.root,
        parent: None,
        name: t.root_name.clone(),
        start: t.started,
        end: now(),
        attributes: vec![("skyform.exit_code", exit_code.to_string())],
        error,
    });
    let client = reqwest::blocking::Client::builder().timeout(std::time::Duration::from_secs(10)).build().ok()?;
    for batch in spans.chunks(BATCH) {
        let (body, content_type) = match t.protocol {
            Protocol::Json => (json(t, batch).to_string().into_bytes(), "application/json"),
            Protocol::Protobuf => (protobuf(t, batch), "application/x-protobuf"),
        };
        let mut req = client.post(&t.url).header("content-type", content_type).body(body);
        for (k, v) in &t.headers {
            req = req.header(k, v);
        }
        match req.send() {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => return Some(format!("The trace collector at {} answered {}; traces were not exported.", t.url, r.status())),
            Err(e) => return Some(format!("Cannot export traces to {}: {e}.", t.url)),
        }
    }
    None
}

// ---- OTLP encodings --------------------------------------------------------------------

const SERVICE: &str = "skyform";

fn json(t: &Tracer, spans: &[SpanData]) -> serde_json::Value {
    let kv = |k: &str, v: &str| serde_json::json!({"key": k, "value": {"stringValue": v}});
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|s| {
            let mut span = serde_json::json!({
                "traceId": hex::encode(t.trace_id),
                "spanId": hex::encode(s.id),
                "name": s.name,
                "kind": 1,
                "startTimeUnixNano": s.start.to_string(),
                "endTimeUnixNano": s.end.to_string(),
                "attributes": s.attributes.iter().map(|(k, v)| kv(k, v)).collect::<Vec<_>>(),
                "status": match &s.error { Some(m) => serde_json::json!({"code": 2, "message": m}), None => serde_json::json!({"code": 1}) },
            });
            if let Some(p) = s.parent {
                span["parentSpanId"] = hex::encode(p).into();
            }
            span
        })
        .collect();
    serde_json::json!({"resourceSpans": [{
        "resource": {"attributes": [kv("service.name", SERVICE), kv("service.version", env!("CARGO_PKG_VERSION"))]},
        "scopeSpans": [{"scope": {"name": SERVICE, "version": env!("CARGO_PKG_VERSION")}, "spans": spans}],
    }]})
}

/// Protocol buffers, the few messages OTLP traces need, written by hand.
mod pb {
    pub fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// A length-delimited field (bytes, string or message).
    pub fn bytes(out: &mut Vec<u8>, field: u32, data: &[u8]) {
        varint(out, u64::from(field << 3 | 2));
        varint(out, data.len() as u64);
        out.extend_from_slice(data);
    }

    pub fn fixed64(out: &mut Vec<u8>, field: u32, v: u64) {
        varint(out, u64::from(field << 3 | 1));
        out.extend_from_slice(&v.to_le_bytes());
    }

    pub fn uint(out: &mut Vec<u8>, field: u32, v: u64) {
        varint(out, u64::from(field << 3));
        varint(out, v);
    }

    /// `KeyValue { key = 1; AnyValue value = 2 { string_value = 1 } }`.
    pub fn key_value(out: &mut Vec<u8>, field: u32, key: &str, value: &str) {
        let mut any = Vec::new();
        bytes(&mut any, 1, value.as_bytes());
        let mut kv = Vec::new();
        bytes(&mut kv, 1, key.as_bytes());
        bytes(&mut kv, 2, &any);
        bytes(out, field, &kv);
    }
}

/// `ExportTraceServiceRequest { ResourceSpans resource_spans = 1 { Resource resource = 1;
/// ScopeSpans scope_spans = 2 { InstrumentationScope scope = 1; Span spans = 2 } } }`.
fn protobuf(t: &Tracer, spans: &[SpanData]) -> Vec<u8> {
    let mut scope_spans = Vec::new();
    let mut scope = Vec::new();
    pb::bytes(&mut scope, 1, SERVICE.as_bytes());
    pb::bytes(&mut scope, 2, env!("CARGO_PKG_VERSION").as_bytes());
    pb::bytes(&mut scope_spans, 1, &scope);
    for s in spans {
        let mut span = Vec::new();
        pb::bytes(&mut span, 1, &t.trace_id);
        pb::bytes(&mut span, 2, &s.id);
        if let Some(p) = s.parent {
            pb::bytes(&mut span, 4, &p);
        }
        pb::bytes(&mut span, 5, s.name.as_bytes());
        pb::uint(&mut span, 6, 1);
        pb::fixed64(&mut span, 7, s.start);
        pb::fixed64(&mut span, 8, s.end);
        for (k, v) in &s.attributes {
            pb::key_value(&mut span, 9, k, v);
        }
        let mut status = Vec::new();
        if let Some(m) = &s.error {
            pb::bytes(&mut status, 2, m.as_bytes());
        }
        pb::uint(&mut status, 3, if s.error.is_some() { 2 } else { 1 });
        pb::bytes(&mut span, 15, &status);
        pb::bytes(&mut scope_spans, 2, &span);
    }
    let mut resource = Vec::new();
    pb::key_value(&mut resource, 1, "service.name", SERVICE);
    pb::key_value(&mut resource, 1, "service.version", env!("CARGO_PKG_VERSION"));
    let mut resource_spans = Vec::new();
    pb::bytes(&mut resource_spans, 1, &resource);
    pb::bytes(&mut resource_spans, 2, &scope_spans);
    let mut out = Vec::new();
    pb::bytes(&mut out, 1, &resource_spans);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn settings_follow_the_otel_variables() {
        assert!(settings(&env(&[])).0.is_none());
        let (s, _) = settings(&env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/"), ("OTEL_EXPORTER_OTLP_HEADERS", "a=1,b=x%20y")]));
        assert_eq!(s, Some(("http://c:4318/v1/traces".into(), Protocol::Protobuf, vec![("a".into(), "1".into()), ("b".into(), "x y".into())])));
        let (s, _) = settings(&env(&[("OTEL_TRACES_EXPORTER", "otlp"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]));
        assert_eq!(s.map(|s| (s.0, s.1)), Some(("http://localhost:4318/v1/traces".into(), Protocol::Json)));
        let (s, w) = settings(&env(&[("OTEL_TRACES_EXPORTER", "otlp"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]));
        assert!(s.is_none() && w.unwrap().contains("grpc is not supported"));
        assert!(settings(&env(&[("OTEL_TRACES_EXPORTER", "none"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c")])).0.is_none());
    }

    #[test]
    fn protobuf_varints_and_fields() {
        let mut v = Vec::new();
        pb::varint(&mut v, 300);
        assert_eq!(v, [0xac, 0x02]);
        let mut f = Vec::new();
        pb::bytes(&mut f, 5, b"ab");
        assert_eq!(f, [0x2a, 2, b'a', b'b']);
    }
}
