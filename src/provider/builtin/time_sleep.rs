//! `time_sleep` (hashicorp/time 0.13): waits `create_duration` when created and
//! `destroy_duration` when destroyed (a change to either alone is an in-place update, with no
//! wait); a change to `triggers` replaces it. `id` is the UTC time the create wait ended.
//! Import id: `CREATE,DESTROY[,KEY=VALUE...]`.
//!
//! Durations use Go's `time.ParseDuration` syntax (`30s`, `1.5m`, `1m30s`, `500ms`). The Go
//! provider's validator is stricter: one number and unit only (`1m30s` is rejected there).

use async_trait::async_trait;

use super::time_static::{format, now, TimeProvider};
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, map_value, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("time_sleep").implement(&["create_duration", "destroy_duration", "triggers", "id"]).force_new(&["triggers"]).build()
}

/// Go's `time.ParseDuration`, for durations that are not negative.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("{s:?} is not a duration such as \"30s\", \"1.5m\" or \"1m30s\" (units: ns, us, ms, s, m, h)");
    let mut rest = s.strip_prefix('+').unwrap_or(s);
    if rest.starts_with('-') {
        return Err(format!("{s:?} is negative"));
    }
    if rest == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut nanos: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let (int, after) = rest.split_at(int_len);
        let (frac, after) = match after.strip_prefix('.') {
            Some(a) => a.split_at(a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len())),
            None => ("", after),
        };
        let unit_len = after.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(bad()),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        let whole: u128 = if int.is_empty() { 0 } else { int.parse().map_err(|_| bad())? };
        let frac = &frac[..frac.len().min(18)];
        let part = if frac.is_empty() { 0 } else { frac.parse::<u128>().map_err(|_| bad())? * scale / 10u128.pow(frac.len() as u32) };
        nanos = whole.checked_mul(scale).and_then(|n| n.checked_add(part)).and_then(|n| nanos.checked_add(n)).ok_or_else(bad)?;
        rest = after;
    }
    u64::try_from(nanos).map(std::time::Duration::from_nanos).map_err(|_| bad())
}

/// Sleeps for the duration in attribute `name` (nothing when it is null).
async fn wait(state: &Value, name: &str) -> Result<(), Diagnostics> {
    if let Some(s) = attr(state, name).as_str() {
        let d = parse_duration(s).map_err(|e| error("Invalid duration", format!("{name}: {e}.")))?;
        tokio::time::sleep(d).await;
    }
    Ok(())
}

/// `time_sleep`.
pub struct TimeSleep;

#[async_trait]
impl ResourceType<TimeProvider> for TimeSleep {
    fn name(&self) -> &'static str {
        "time_sleep"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &TimeProvider, req: PlanRequest) -> PlanResponse {
        let p = &req.proposed_new_state;
        if attr(p, "create_duration").is_null() && attr(p, "destroy_duration").is_null() {
            return PlanResponse::failed(error("Missing duration", "At least one of create_duration and destroy_duration must be set."));
        }
        for name in ["create_duration", "destroy_duration"] {
            if let Some(Err(e)) = attr(p, name).as_str().map(parse_duration) {
                return PlanResponse::failed(error("Invalid duration", format!("{name}: {e}.")));
            }
        }
        PlanResponse::planned(req.proposed_new_state)
    }

    async fn read(&self, _c: &TimeProvider, prior: Value) -> ReadResponse {
        ReadResponse::found(prior)
    }

    async fn create(&self, _c: &TimeProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        if let Err(d) = wait(&state, "create_duration").await {
            return ApplyResponse::failed(None, d);
        }
        set(&mut state, "id", Value::String(format(&now())));
        ApplyResponse::ok(Some(state))
    }

    async fn update(&self, _c: &TimeProvider, _prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        ApplyResponse::ok(Some(planned))
    }

    async fn delete(&self, _c: &TimeProvider, prior: Value) -> ApplyResponse {
        match wait(&prior, "destroy_duration").await {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn import(&self, _c: &TimeProvider, id: String, mut state: Value) -> ImportResponse {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() < 2 || (parts[0].is_empty() && parts[1].is_empty()) {
            return ImportResponse::failed(error("Invalid import id", "Expected CREATE_DURATION,DESTROY_DURATION[,KEY=VALUE...] with at least one duration."));
        }
        for (name, d) in [("create_duration", parts[0]), ("destroy_duration", parts[1])] {
            if d.is_empty() {
                continue;
            }
            if let Err(e) = parse_duration(d) {
                return ImportResponse::failed(error("Invalid import id", format!("{name}: {e}.")));
            }
            set(&mut state, name, Value::string(d));
        }
        let mut triggers = Vec::new();
        for t in &parts[2..] {
            match t.split_once('=') {
                Some((k, v)) if !v.contains('=') => triggers.push((k.to_string(), v.to_string())),
                _ => return ImportResponse::failed(error("Invalid import id", format!("Trigger entries must be KEY=VALUE, not {t:?}."))),
            }
        }
        if !triggers.is_empty() {
            set(&mut state, "triggers", map_value(triggers));
        }
        set(&mut state, "id", Value::String(format(&now())));
        ImportResponse::found(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration(".5s"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        for bad in ["", "30", "s", "1d", "-1s", "1.2.3s", "."] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn sleeps_on_create_and_destroy_and_imports() {
        let p = TimeProvider;
        let planned = Value::object([
            ("create_duration", Value::string("60ms")),
            ("destroy_duration", Value::string("40ms")),
            ("triggers", Value::Null),
            ("id", Value::Unknown),
        ]);
        let start = std::time::Instant::now();
        let s = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "time_sleep".into(),
                prior_state: None,
                planned_state: Some(planned),
                config: Value::Null,
            })
            .await
            .new_state
            .unwrap();
        assert!(start.elapsed() >= Duration::from_millis(60));
        assert!(attr(&s, "id").as_str().unwrap().ends_with('Z'));
        let start = std::time::Instant::now();
        let r = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "time_sleep".into(),
                prior_state: Some(s),
                planned_state: None,
                config: Value::Null,
            })
            .await;
        assert!(r.new_state.is_none() && start.elapsed() >= Duration::from_millis(40));
        let r = p.import(ImportRequest { type_name: "time_sleep".into(), id: ",30s,k=v".into() }).await;
        let s = r.state.unwrap();
        assert_eq!((attr(&s, "create_duration"), attr(&s, "destroy_duration")), (&Value::Null, &Value::string("30s")));
        assert_eq!(attr(&s, "triggers"), &map_value([("k".to_string(), "v".to_string())]));
        assert!(p.import(ImportRequest { type_name: "time_sleep".into(), id: ",".into() }).await.diagnostics.has_errors());
    }
}
