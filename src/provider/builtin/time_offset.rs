//! `time_offset` (hashicorp/time 0.13): a timestamp offset from a base (`base_rfc3339`, else
//! the UTC time at create), with the offset time's `rfc3339`, parts and `unix`; `id` is the
//! base. `triggers` replaces it; a change to an offset or to the base is an in-place update
//! whose new values the plan already shows. Import id `BASE,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS`.
//!
//! As in the provider, only one `offset_*` argument applies when several are set: years, then
//! seconds, months, minutes, hours, days (the provider's precedence). When every offset is 0
//! the result is the base (the Go provider returns Go's zero time, year 1, there).

use async_trait::async_trait;

use super::time_static::{add_date, format, now, parse, set_parts, Time, TimeProvider};
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, set};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The offsets in the order the provider applies them (a later non-zero one wins).
const OFFSETS: [&str; 6] = ["offset_days", "offset_hours", "offset_minutes", "offset_months", "offset_seconds", "offset_years"];

pub fn schema() -> ResourceSchema {
    let mut names = OFFSETS.to_vec();
    names.extend(["base_rfc3339", "triggers", "rfc3339", "year", "month", "day", "hour", "minute", "second", "unix", "id"]);
    resource("time_offset").implement(&names).force_new(&["triggers"]).build()
}

/// `base` moved by the one offset that applies.
pub fn offset(base: &Time, state: &Value, names: &[&str; 6]) -> Option<Time> {
    let mut out = *base;
    for (i, name) in names.iter().enumerate() {
        let n = attr(state, name).as_f64().unwrap_or(0.0) as i64;
        if n == 0 {
            continue;
        }
        out = match i {
            0 => add_date(base, 0, 0, n)?,
            1 => *base + chrono::Duration::try_hours(n)?,
            2 => *base + chrono::Duration::try_minutes(n)?,
            3 => add_date(base, 0, n, 0)?,
            4 => *base + chrono::Duration::try_seconds(n)?,
            _ => add_date(base, n, 0, 0)?,
        };
    }
    Some(out)
}

/// Fills every computed attribute from the base (kept as written when configured).
fn fill(state: &mut Value, base_text: String) -> Result<(), Diagnostics> {
    let base = parse("base_rfc3339", &base_text)?;
    let t = offset(&base, state, &OFFSETS).ok_or_else(|| error("Invalid offset", "The offset time is out of range."))?;
    set_parts(state, &t);
    set(state, "rfc3339", Value::String(format(&t)));
    set(state, "base_rfc3339", Value::String(base_text.clone()));
    set(state, "id", Value::String(base_text));
    Ok(())
}

/// `time_offset`.
pub struct TimeOffset;

#[async_trait]
impl LogicalType<TimeProvider> for TimeOffset {
    fn name(&self) -> &'static str {
        "time_offset"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _c: &TimeProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if OFFSETS.iter().all(|k| attr(&planned, k).is_null()) {
            return PlanResponse::failed(error("Missing offset", format!("At least one of {} must be set.", OFFSETS.join(", "))));
        }
        if OFFSETS.iter().any(|k| attr(&planned, k).as_f64().is_some_and(|n| n.fract() != 0.0)) {
            return PlanResponse::failed(error("Invalid offset", "Offsets must be whole numbers."));
        }
        let known = OFFSETS.iter().all(|k| attr(&planned, k).is_known());
        match attr(&planned, "base_rfc3339").clone() {
            Value::String(s) if known => {
                if let Err(d) = fill(&mut planned, s) {
                    return PlanResponse::failed(d);
                }
            }
            Value::Null => set(&mut planned, "base_rfc3339", Value::Unknown),
            _ => {}
        }
        if !known || !attr(&planned, "base_rfc3339").is_known() {
            for k in ["rfc3339", "year", "month", "day", "hour", "minute", "second", "unix", "id"] {
                set(&mut planned, k, Value::Unknown);
            }
        }
        PlanResponse::planned(planned)
    }

    async fn create(&self, _c: &TimeProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let base = attr(&state, "base_rfc3339").as_str().map(str::to_string).unwrap_or_else(|| format(&now()));
        match fill(&mut state, base) {
            Ok(()) => ApplyResponse::ok(Some(state)),
            Err(d) => ApplyResponse::failed(None, d),
        }
    }

    async fn update(&self, _c: &TimeProvider, prior: Value, mut state: Value, _config: &Value) -> ApplyResponse {
        let base = attr(&state, "base_rfc3339").as_str().or(attr(&prior, "base_rfc3339").as_str()).unwrap_or_default().to_string();
        match fill(&mut state, base) {
            Ok(()) => ApplyResponse::ok(Some(state)),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn import(&self, _c: &TimeProvider, id: String, mut state: Value) -> ImportResponse {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 7 || parts[0].is_empty() || parts[1..].iter().all(|p| p.is_empty()) {
            return ImportResponse::failed(error("Invalid import id", "Expected BASE,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS with at least one offset."));
        }
        let names = ["offset_years", "offset_months", "offset_days", "offset_hours", "offset_minutes", "offset_seconds"];
        for (name, p) in names.iter().zip(&parts[1..]) {
            match p.parse::<i64>() {
                Ok(n) => set(&mut state, name, Value::Number(n as f64)),
                Err(_) if p.is_empty() => {}
                Err(_) => return ImportResponse::failed(error("Invalid import id", format!("{name} ({p:?}) is not a whole number."))),
            }
        }
        match fill(&mut state, parts[0].to_string()) {
            Ok(()) => ImportResponse::found(state),
            Err(d) => ImportResponse::failed(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(base: Option<&str>, pairs: &[(&str, f64)]) -> Value {
        let mut v = crate::provider::helpers::blank(&schema().block);
        set(&mut v, "base_rfc3339", base.map(Value::string).unwrap_or(Value::Null));
        for (k, n) in pairs {
            set(&mut v, k, Value::Number(*n));
        }
        v
    }

    #[tokio::test]
    async fn offsets_are_known_at_plan_with_a_base() {
        let p = TimeProvider;
        let c = cfg(Some("2020-02-12T06:36:13Z"), &[("offset_days", 7.0)]);
        let r = p.plan(PlanRequest { type_name: "time_offset".into(), prior_state: None, proposed_new_state: c.clone(), config: c }).await;
        assert_eq!(attr(&r.planned_state, "rfc3339"), &Value::string("2020-02-19T06:36:13Z"));
        assert_eq!(attr(&r.planned_state, "id"), &Value::string("2020-02-12T06:36:13Z"));
        // Years win over days, as in the provider.
        let c = cfg(Some("2020-02-12T06:36:13Z"), &[("offset_days", 7.0), ("offset_years", 1.0)]);
        let r = p.plan(PlanRequest { type_name: "time_offset".into(), prior_state: None, proposed_new_state: c.clone(), config: c }).await;
        assert_eq!(attr(&r.planned_state, "year"), &Value::Number(2021.0));
        let c = cfg(None, &[("offset_hours", 1.0)]);
        let r = p.plan(PlanRequest { type_name: "time_offset".into(), prior_state: None, proposed_new_state: c.clone(), config: c }).await;
        assert_eq!((attr(&r.planned_state, "base_rfc3339"), attr(&r.planned_state, "rfc3339")), (&Value::Unknown, &Value::Unknown));
        let c = cfg(None, &[]);
        assert!(p
            .plan(PlanRequest { type_name: "time_offset".into(), prior_state: None, proposed_new_state: c.clone(), config: c })
            .await
            .diagnostics
            .has_errors());
    }

    #[tokio::test]
    async fn imports_base_and_offsets() {
        let r = TimeProvider.import(ImportRequest { type_name: "time_offset".into(), id: "2020-02-12T06:36:13Z,,,,,30,".into() }).await;
        let s = r.state.unwrap();
        assert_eq!((attr(&s, "offset_minutes"), attr(&s, "rfc3339")), (&Value::Number(30.0), &Value::string("2020-02-12T07:06:13Z")));
    }
}
