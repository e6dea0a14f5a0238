//! `time_rotating` (hashicorp/time 0.13): a base time (`rfc3339`, else the UTC time at
//! create) and a rotation time (`rotation_rfc3339`, or the base plus one `rotation_*`
//! interval); the parts and `unix` are the rotation time's, `id` is the base. Once the rotation
//! time has passed, reading it reports it gone, so the next plan creates it again with a fresh
//! base; `rfc3339` and `triggers` replace it; a changed interval is an in-place update. Import
//! id `BASE,YEARS,MONTHS,DAYS,HOURS,MINUTES` or `BASE,ROTATION`.
//!
//! When several intervals are set only one applies, as in the provider: years, then
//! `rotation_rfc3339`, months, minutes, hours, days.

use async_trait::async_trait;

use super::time_offset::offset;
use super::time_static::{add_date, format, now, parse, set_parts, Time, TimeProvider};
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

const INTERVALS: [&str; 5] = ["rotation_years", "rotation_months", "rotation_days", "rotation_hours", "rotation_minutes"];
const COMPUTED: [&str; 8] = ["rotation_rfc3339", "year", "month", "day", "hour", "minute", "second", "unix"];

pub fn schema() -> ResourceSchema {
    let mut names = INTERVALS.to_vec();
    names.extend(["rotation_rfc3339", "rfc3339", "triggers", "year", "month", "day", "hour", "minute", "second", "unix", "id"]);
    resource("time_rotating").implement(&names).force_new(&["rfc3339", "triggers"]).build()
}

/// The rotation time: `rotation_years`, else a configured `rotation_rfc3339`, else the base
/// plus the other interval that applies.
fn rotation(base: &Time, state: &Value, configured: Option<&str>) -> Result<Time, Diagnostics> {
    let years = attr(state, "rotation_years").as_f64().unwrap_or(0.0) as i64;
    let t = match configured {
        Some(s) if years == 0 => Some(parse("rotation_rfc3339", s)?),
        _ if years != 0 => add_date(base, years, 0, 0),
        _ => offset(base, state, &["rotation_days", "rotation_hours", "rotation_minutes", "rotation_months", "", ""]),
    };
    t.ok_or_else(|| error("Invalid rotation", "The rotation time is out of range."))
}

/// Fills the computed attributes from the base (kept as written) and the configuration.
fn fill(state: &mut Value, base_text: String, config: &Value) -> Result<(), Diagnostics> {
    let base = parse("rfc3339", &base_text)?;
    let configured = attr(config, "rotation_rfc3339").as_str();
    let t = rotation(&base, state, configured)?;
    set_parts(state, &t);
    set(state, "rotation_rfc3339", Value::String(configured.map(str::to_string).unwrap_or_else(|| format(&t))));
    set(state, "rfc3339", Value::String(base_text.clone()));
    set(state, "id", Value::String(base_text));
    Ok(())
}

/// `time_rotating`.
pub struct TimeRotating;

#[async_trait]
impl ResourceType<TimeProvider> for TimeRotating {
    fn name(&self) -> &'static str {
        "time_rotating"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &TimeProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if INTERVALS.iter().all(|k| attr(&planned, k).is_null()) && attr(&req.config, "rotation_rfc3339").is_null() {
            return PlanResponse::failed(error("Missing rotation", format!("At least one of {} or rotation_rfc3339 must be set.", INTERVALS.join(", "))));
        }
        if INTERVALS.iter().any(|k| attr(&planned, k).as_f64().is_some_and(|n| n < 1.0 || n.fract() != 0.0)) {
            return PlanResponse::failed(error("Invalid rotation", "rotation_* intervals must be whole numbers of at least 1."));
        }
        let known = INTERVALS.iter().all(|k| attr(&planned, k).is_known()) && attr(&req.config, "rotation_rfc3339").is_known();
        match attr(&planned, "rfc3339").clone() {
            Value::String(s) if known => {
                if let Err(d) = fill(&mut planned, s, &req.config) {
                    return PlanResponse::failed(d);
                }
            }
            Value::Null => set(&mut planned, "rfc3339", Value::Unknown),
            _ => {}
        }
        if !known || !attr(&planned, "rfc3339").is_known() {
            for k in COMPUTED.into_iter().chain(["id"]).filter(|k| *k != "rotation_rfc3339" || attr(&req.config, k).is_null()) {
                set(&mut planned, k, Value::Unknown);
            }
        }
        PlanResponse::planned(planned)
    }

    /// Gone once the rotation time has passed.
    async fn read(&self, _c: &TimeProvider, prior: Value) -> ReadResponse {
        match attr(&prior, "rotation_rfc3339").as_str().map(|s| parse("rotation_rfc3339", s)) {
            Some(Ok(t)) if now() > t => ReadResponse::gone(),
            Some(Err(d)) => ReadResponse::failed(prior, d),
            _ => ReadResponse::found(prior),
        }
    }

    async fn create(&self, _c: &TimeProvider, mut state: Value, config: &Value) -> ApplyResponse {
        let base = attr(&state, "rfc3339").as_str().map(str::to_string).unwrap_or_else(|| format(&now()));
        match fill(&mut state, base, config) {
            Ok(()) => ApplyResponse::ok(Some(state)),
            Err(d) => ApplyResponse::failed(None, d),
        }
    }

    async fn update(&self, _c: &TimeProvider, prior: Value, mut state: Value, config: &Value) -> ApplyResponse {
        let base = attr(&prior, "rfc3339").as_str().unwrap_or_default().to_string();
        match fill(&mut state, base, config) {
            Ok(()) => ApplyResponse::ok(Some(state)),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn delete(&self, _c: &TimeProvider, _prior: Value) -> ApplyResponse {
        ApplyResponse::ok(None)
    }

    async fn import(&self, _c: &TimeProvider, id: String, mut state: Value) -> ImportResponse {
        let parts: Vec<&str> = id.split(',').collect();
        let bad =
            || ImportResponse::failed(error("Invalid import id", "Expected BASE,YEARS,MONTHS,DAYS,HOURS,MINUTES (at least one interval) or BASE,ROTATION."));
        let config = match parts.as_slice() {
            [base, rotation] if !base.is_empty() && !rotation.is_empty() => Value::object([("rotation_rfc3339", Value::string(*rotation))]),
            [base, intervals @ ..] if intervals.len() == 5 && !base.is_empty() && intervals.iter().any(|p| !p.is_empty()) => {
                for (name, p) in INTERVALS.iter().zip(intervals) {
                    match p.parse::<i64>() {
                        Ok(n) => set(&mut state, name, Value::Number(n as f64)),
                        Err(_) if p.is_empty() => {}
                        Err(_) => return bad(),
                    }
                }
                Value::Null
            }
            _ => return bad(),
        };
        match fill(&mut state, parts[0].to_string(), &config) {
            Ok(()) => ImportResponse::found(state),
            Err(d) => ImportResponse::failed(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rotation_is_planned_from_the_base_and_expires() {
        let p = TimeProvider;
        let mut c = crate::provider::helpers::blank(&schema().block);
        set(&mut c, "rfc3339", Value::string("2020-01-31T00:00:00Z"));
        set(&mut c, "rotation_months", Value::Number(1.0));
        let r = p.plan(PlanRequest { type_name: "time_rotating".into(), prior_state: None, proposed_new_state: c.clone(), config: c.clone() }).await;
        let s = r.planned_state;
        assert_eq!((attr(&s, "rotation_rfc3339"), attr(&s, "month")), (&Value::string("2020-03-02T00:00:00Z"), &Value::Number(3.0)));
        // Long past: reading reports it gone, so the next plan creates it again.
        assert!(p.read(ReadRequest { type_name: "time_rotating".into(), prior_state: s }).await.new_state.is_none());
        let mut fresh = c.clone();
        set(&mut fresh, "rfc3339", Value::Null);
        let r = p.plan(PlanRequest { type_name: "time_rotating".into(), prior_state: None, proposed_new_state: fresh.clone(), config: fresh.clone() }).await;
        let s = p
            .apply(ApplyRequest {
                operation: Default::default(),
                type_name: "time_rotating".into(),
                prior_state: None,
                planned_state: Some(r.planned_state),
                config: fresh,
            })
            .await
            .new_state
            .unwrap();
        assert!(p.read(ReadRequest { type_name: "time_rotating".into(), prior_state: s }).await.new_state.is_some());
    }

    #[tokio::test]
    async fn imports_both_forms() {
        let p = TimeProvider;
        let r = p.import(ImportRequest { type_name: "time_rotating".into(), id: "2020-02-12T06:36:13Z,0,0,30,0,0".into() }).await;
        assert_eq!(attr(r.state.as_ref().unwrap(), "rotation_rfc3339"), &Value::string("2020-03-13T06:36:13Z"));
        let r = p.import(ImportRequest { type_name: "time_rotating".into(), id: "2020-02-12T06:36:13Z,2020-02-13T06:36:13Z".into() }).await;
        assert_eq!(attr(r.state.as_ref().unwrap(), "day"), &Value::Number(13.0));
        assert!(p.import(ImportRequest { type_name: "time_rotating".into(), id: "2020-02-12T06:36:13Z,,,,,".into() }).await.diagnostics.has_errors());
    }
}
