//! The operator's log, switched on as Terraform's is: `TF_LOG` (`TRACE`, `DEBUG`, `INFO`,
//! `WARN`, `ERROR`, or `JSON` for every level as JSON lines; `OFF` or unset: nothing) and
//! `TF_LOG_PATH` (append to that file instead of stderr).
//!
//! This module owns the logger and its line format; the events come from where they happen:
//! every API request and retry of the cloud clients (method, URL, service, status, time, never a
//! body), every provider operation of an apply, state locks and commits. Messages carry
//! addresses, ids and names, never attribute values, so secrets cannot reach the log.
//!
//! ```text
//! 2026-12-03T10:12:01.482Z [DEBUG] aws: POST http://127.0.0.1:5000/ (sns) -> 200 in 4 ms
//! ```

use std::io::Write;
use std::sync::{Mutex, OnceLock};

/// How much to log, least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

struct Logger {
    level: Level,
    json: bool,
    out: Mutex<Box<dyn Write + Send>>,
}

static LOGGER: OnceLock<Option<Logger>> = OnceLock::new();

/// What `TF_LOG` asks for: `(level, json)`, `None` for no log, and a warning for a value that
/// is not a level (which, as in Terraform, logs everything).
fn parse(value: &str) -> (Option<(Level, bool)>, Option<String>) {
    match value.trim().to_ascii_uppercase().as_str() {
        "" | "OFF" => (None, None),
        "TRACE" => (Some((Level::Trace, false)), None),
        "DEBUG" => (Some((Level::Debug, false)), None),
        "INFO" => (Some((Level::Info, false)), None),
        "WARN" => (Some((Level::Warn, false)), None),
        "ERROR" => (Some((Level::Error, false)), None),
        "JSON" => (Some((Level::Trace, true)), None),
        _ => (
            Some((Level::Trace, false)),
            Some(format!("Invalid log level: \"{value}\". Defaulting to level: TRACE. Valid levels are: [TRACE DEBUG INFO WARN ERROR OFF JSON]")),
        ),
    }
}

/// Sets the logger up from `TF_LOG` and `TF_LOG_PATH` (once per process; later calls do
/// nothing). Returns a warning to show the user, if any.
pub fn init_from_env() -> Option<String> {
    let mut warning = None;
    LOGGER.get_or_init(|| {
        let (wanted, warn) = parse(&std::env::var("TF_LOG").unwrap_or_default());
        warning = warn;
        let (level, json) = wanted?;
        let out: Box<dyn Write + Send> = match std::env::var("TF_LOG_PATH").ok().filter(|p| !p.is_empty()) {
            Some(path) => match std::fs::OpenOptions::new().create(true).append(true).open(&path) {
                Ok(f) => Box::new(f),
                Err(e) => {
                    warning = Some(format!("Cannot open TF_LOG_PATH {path}: {e}; logging to stderr."));
                    Box::new(std::io::stderr())
                }
            },
            None => Box::new(std::io::stderr()),
        };
        Some(Logger { level, json, out: Mutex::new(out) })
    });
    warning
}

/// Whether events at `level` are logged.
pub fn enabled(level: Level) -> bool {
    LOGGER.get().and_then(Option::as_ref).is_some_and(|l| level >= l.level)
}

/// Logs one event of `module` (`aws`, `state`, `apply`, ...); the message is only built when
/// `level` is logged.
pub fn log(level: Level, module: &str, message: impl FnOnce() -> String) {
    let Some(logger) = LOGGER.get().and_then(Option::as_ref) else { return };
    if level < logger.level {
        return;
    }
    let time = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let line = if logger.json {
        serde_json::json!({
            "@level": level.name().to_ascii_lowercase(),
            "@message": message(),
            "@module": format!("skyform.{module}"),
            "@timestamp": time.to_string(),
        })
        .to_string()
    } else {
        format!("{time} [{}] {module}: {}", level.name(), message())
    };
    let mut out = logger.out.lock().unwrap_or_else(|e| e.into_inner());
    let _ = writeln!(out, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_as_terraform_names_them() {
        assert_eq!(parse("debug").0, Some((Level::Debug, false)));
        assert_eq!(parse("JSON").0, Some((Level::Trace, true)));
        assert_eq!(parse("off"), (None, None));
        let (level, warning) = parse("loud");
        assert_eq!(level, Some((Level::Trace, false)));
        assert!(warning.unwrap().contains("Defaulting to level: TRACE"));
    }
}
