//! Data source `external` (hashicorp/external 2.x): runs `program` (its first element found on
//! `PATH` unless it has a slash; no shell) in `working_dir`, writes `query` as a JSON object on
//! its standard input, and reads a JSON object of strings from its standard output into
//! `result`; `id` is `-`. Empty elements of `program` are dropped, as in the provider. A
//! program that exits non-zero fails the read with its standard error; output that is not an
//! object of strings fails it too. Also the `external` provider's client and registration list.

use std::io::Write as _;
use std::process::{Command, Stdio};

use async_trait::async_trait;

use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, map_value, set, string_map};
use crate::provider::kit::{table, SimpleFactory};
use crate::provider::*;
use crate::schema::builder::data;
use crate::value::Value;

/// The `external` provider's client: nothing to configure.
#[derive(Default)]
pub struct ExternalProvider;

impl Dispatch for ExternalProvider {
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<ExternalProvider>> = std::sync::OnceLock::new();
        table(&TYPES, || Types::new(&[], &[&External]))
    }
}

/// The `external` provider's factory.
pub fn factory() -> SimpleFactory<ExternalProvider> {
    SimpleFactory::new("external")
}

pub fn schema() -> ResourceSchema {
    data("external").implement(&["program", "working_dir", "query", "result", "id"]).build()
}

const LOOKUP_HELP: &str = "The data source received an unexpected error while attempting to find the program.\n\n\
The program must be accessible according to the platform where skyform is running.\n\n\
If the expected program should be automatically found, ensure that the program is in a directory listed in the '$PATH' environment variable.\n\n\
If the expected program is relative to the configuration, include the interpolated value of 'path.module' before the program name so that it works from any module: \"${path.module}/my-program\"\n\n\
The program must also be executable: the file must have the executable bit set.\n";

const RESULT_HELP: &str = "The data source received unexpected results after executing the program.\n\n\
Program output must be a JSON encoded map of string keys and string values.\n";

/// Runs the program: its standard output, or the diagnostic the provider reports.
fn run(program: &[String], working_dir: Option<&str>, query: &[u8]) -> Result<Vec<u8>, Diagnostics> {
    // A relative path with a slash is found from skyform's directory (as Go's exec.LookPath
    // does), not from working_dir.
    let exe = if program[0].contains('/') {
        let p = std::path::Path::new(&program[0]);
        if p.is_relative() {
            std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
        } else {
            p.to_path_buf()
        }
    } else {
        std::path::PathBuf::from(&program[0])
    };
    let mut cmd = Command::new(&exe);
    cmd.args(&program[1..]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(dir) = working_dir.filter(|d| !d.is_empty()) {
        cmd.current_dir(dir);
    }
    let shown = exe.display().to_string();
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            error("External Program Lookup Failed", format!("{LOOKUP_HELP}\nPlatform: {}\nProgram: {}\nError: {e}", std::env::consts::OS, program[0]))
        }
        _ => error(
            "External Program Execution Failed",
            format!("The data source received an unexpected error while attempting to execute the program.\n\nProgram: {shown}\nError: {e}"),
        ),
    })?;
    // Written from another thread, so a program that answers before reading all its input
    // cannot block on a full pipe.
    let mut stdin = child.stdin.take();
    let query = query.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&query);
        }
    });
    let out = child.wait_with_output();
    let _ = writer.join();
    let out = out.map_err(|e| {
        error(
            "External Program Execution Failed",
            format!("The data source received an unexpected error while attempting to execute the program.\n\nProgram: {shown}\nError: {e}"),
        )
    })?;
    if !out.status.success() {
        let state = match out.status.code() {
            Some(c) => format!("exit status {c}"),
            None => "terminated by a signal".to_string(),
        };
        let detail = if out.stderr.is_empty() {
            format!("The data source received an unexpected error while attempting to execute the program.\n\nThe program was executed, however it returned no additional error messaging.\n\nProgram: {shown}\nState: {state}")
        } else {
            format!(
                "The data source received an unexpected error while attempting to execute the program.\n\nProgram: {shown}\nError Message: {}\nState: {state}",
                String::from_utf8_lossy(&out.stderr)
            )
        };
        return Err(error("External Program Execution Failed", detail));
    }
    Ok(out.stdout)
}

/// The program's output as a map of strings (JSON null reads as "", as Go decodes it).
fn parse_result(stdout: &[u8]) -> Result<Vec<(String, String)>, String> {
    let j: serde_json::Value = serde_json::from_slice(stdout).map_err(|e| e.to_string())?;
    let serde_json::Value::Object(m) = j else { return Err(format!("cannot unmarshal {} into a map of strings", json_kind(&j))) };
    m.into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k, s)),
            serde_json::Value::Null => Ok((k, String::new())),
            other => Err(format!("cannot unmarshal {} into the string value of \"{k}\"", json_kind(&other))),
        })
        .collect()
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Data source `external`.
pub struct External;

#[async_trait]
impl DataSourceType<ExternalProvider> for External {
    fn name(&self) -> &'static str {
        "external"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    async fn read(&self, _c: &ExternalProvider, config: Value) -> ReadDataResponse {
        let mut state = schema().block.normalize(config);
        let program: Vec<String> = match attr(&state, "program").unmarked() {
            Value::List(items) => items.iter().filter_map(|x| x.as_str()).filter(|s| !s.is_empty()).map(str::to_string).collect(),
            _ => Vec::new(),
        };
        if program.is_empty() {
            return ReadDataResponse::failed(error(
                "External Program Missing",
                "The data source was configured without a program to execute. Verify the configuration contains at least one non-empty value.",
            ));
        }
        let query: std::collections::BTreeMap<String, String> = string_map(attr(&state, "query")).into_iter().collect();
        let query_json = serde_json::to_vec(&query).unwrap_or_else(|_| b"{}".to_vec());
        let working_dir = attr(&state, "working_dir").as_str().map(str::to_string);
        let ran = tokio::task::spawn_blocking(move || run(&program, working_dir.as_deref(), &query_json)).await;
        let stdout = match ran {
            Ok(Ok(out)) => out,
            Ok(Err(d)) => return ReadDataResponse::failed(d),
            Err(e) => return ReadDataResponse::failed(error("External Program Execution Failed", e.to_string())),
        };
        match parse_result(&stdout) {
            Ok(pairs) => {
                set(&mut state, "result", map_value(pairs));
                set(&mut state, "id", Value::string("-"));
                ReadDataResponse::found(state)
            }
            Err(e) => ReadDataResponse::failed(error(
                "Unexpected External Program Results",
                format!("{RESULT_HELP}\nProgram: {}\nResult Error: {e}", text_program(attr(&state, "program"))),
            )),
        }
    }
}

fn text_program(v: &Value) -> String {
    match v.unmarked() {
        Value::List(items) => items.first().and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(dir: &std::path::Path, body: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join("prog.sh");
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p.to_string_lossy().into_owned()
    }

    async fn read(program: Vec<&str>, query: Value, dir: Option<&str>) -> ReadDataResponse {
        let cfg = Value::object([
            ("program", Value::List(program.into_iter().map(Value::string).collect())),
            ("query", query),
            ("working_dir", dir.map(Value::string).unwrap_or(Value::Null)),
        ]);
        ExternalProvider.read_data(ReadDataRequest { type_name: "external".into(), config: cfg }).await
    }

    #[tokio::test]
    async fn passes_the_query_and_reads_the_result() {
        let dir = tempfile::tempdir().unwrap();
        let prog = script(dir.path(), r#"printf '{"got": "%s", "dir": "%s", "n": null}' "$(base64 -w0)" "$(pwd)""#);
        let r = read(vec![&prog, ""], Value::object([("b", Value::string("2")), ("a", Value::string("1"))]), Some(dir.path().to_str().unwrap())).await;
        assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
        let result = attr(&r.state, "result");
        let got = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, attr(result, "got").as_str().unwrap()).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), r#"{"a":"1","b":"2"}"#);
        assert_eq!(attr(result, "dir").as_str().map(|d| std::fs::canonicalize(d).unwrap()), Some(std::fs::canonicalize(dir.path()).unwrap()));
        assert_eq!((attr(result, "n"), attr(&r.state, "id")), (&Value::string(""), &Value::string("-")));
    }

    #[tokio::test]
    async fn reports_stderr_bad_output_and_missing_programs() {
        let dir = tempfile::tempdir().unwrap();
        let prog = script(dir.path(), "echo 'bucket not found' >&2; exit 3");
        let r = read(vec![&prog], Value::Null, None).await;
        let text = r.diagnostics.to_string();
        assert!(text.contains("External Program Execution Failed") && text.contains("bucket not found") && text.contains("exit status 3"), "{text}");
        let prog = script(dir.path(), "echo '{\"n\": 1}'");
        let text = read(vec![&prog], Value::Null, None).await.diagnostics.to_string();
        assert!(text.contains("Unexpected External Program Results") && text.contains("number"), "{text}");
        let text = read(vec!["no-such-program-skyform"], Value::Null, None).await.diagnostics.to_string();
        assert!(text.contains("External Program Lookup Failed"), "{text}");
        let text = read(vec![""], Value::Null, None).await.diagnostics.to_string();
        assert!(text.contains("External Program Missing"), "{text}");
    }
}
