//! `time_static` (hashicorp/time 0.13): a timestamp saved at create (the current UTC time, or
//! `rfc3339` when set; changing either `rfc3339` or `triggers` replaces it), with its parts
//! (`year` ... `second`, `unix`) and `id` equal to `rfc3339`. Import id: an RFC 3339 time.
//! Also the `time` provider's client, its registration list and the time helpers the other
//! `time_*` types share (parsing, formatting, Go's `AddDate`).

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, SecondsFormat, Timelike, Utc};

use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, set};
use crate::provider::kit::{table, SimpleFactory};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

/// The `time` provider's client: nothing to configure.
#[derive(Default)]
pub struct TimeProvider;

impl Dispatch for TimeProvider {
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<TimeProvider>> = std::sync::OnceLock::new();
        use super::{time_offset::TimeOffset, time_rotating::TimeRotating, time_sleep::TimeSleep};
        table(&TYPES, || Types::new(&[&TimeStatic, &TimeSleep, &TimeOffset, &TimeRotating], &[]))
    }
}

/// The `time` provider's factory.
pub fn factory() -> SimpleFactory<TimeProvider> {
    SimpleFactory::new("time")
}

pub type Time = DateTime<FixedOffset>;

/// Parses an RFC 3339 time; the error names the attribute.
pub fn parse(name: &str, s: &str) -> Result<Time, Diagnostics> {
    DateTime::parse_from_rfc3339(s)
        .map_err(|e| error("Invalid timestamp", format!("{name} ({s:?}) is not an RFC 3339 time such as 2020-02-12T06:36:13Z: {e}.")))
}

/// Formats as Go's `time.RFC3339` does (whole seconds; `Z` for UTC).
pub fn format(t: &Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The current time in UTC.
pub fn now() -> Time {
    Utc::now().fixed_offset()
}

/// Go's `Time.AddDate`: out-of-range months and days roll over (January 31 plus one month is
/// March 3 or 2), where chrono's month arithmetic would clamp.
pub fn add_date(t: &Time, years: i64, months: i64, days: i64) -> Option<Time> {
    let total = t.year() as i64 * 12 + t.month0() as i64 + years * 12 + months;
    let first = NaiveDate::from_ymd_opt(i32::try_from(total.div_euclid(12)).ok()?, total.rem_euclid(12) as u32 + 1, 1)?;
    let date = first.checked_add_signed(Duration::try_days(t.day() as i64 - 1 + days)?)?;
    date.and_time(t.time()).and_local_timezone(*t.offset()).single()
}

/// Sets `year` ... `second` and `unix` from a time (in its own offset, as Go reports them).
pub fn set_parts(state: &mut Value, t: &Time) {
    let parts = [("year", t.year() as i64), ("month", t.month() as i64), ("day", t.day() as i64), ("hour", t.hour() as i64), ("minute", t.minute() as i64)];
    for (name, n) in parts.into_iter().chain([("second", t.second() as i64), ("unix", t.timestamp())]) {
        set(state, name, Value::Number(n as f64));
    }
}

pub fn schema() -> ResourceSchema {
    resource("time_static")
        .implement(&["triggers", "rfc3339", "year", "month", "day", "hour", "minute", "second", "unix", "id"])
        .force_new(&["triggers", "rfc3339"])
        .build()
}

/// `time_static`.
pub struct TimeStatic;

#[async_trait]
impl LogicalType<TimeProvider> for TimeStatic {
    fn name(&self) -> &'static str {
        "time_static"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    /// On create, a configured `rfc3339` gives every attribute now; else they wait for apply.
    fn plan(&self, _c: &TimeProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        if req.prior_state.is_none() {
            match attr(&planned, "rfc3339").clone() {
                Value::String(s) => match parse("rfc3339", &s) {
                    Ok(t) => {
                        set_parts(&mut planned, &t);
                        set(&mut planned, "id", Value::String(s));
                    }
                    Err(d) => return PlanResponse::failed(d),
                },
                Value::Null => set(&mut planned, "rfc3339", Value::Unknown),
                _ => {}
            }
        }
        PlanResponse::planned(planned)
    }

    async fn create(&self, _c: &TimeProvider, mut state: Value, _config: &Value) -> ApplyResponse {
        let (t, text) = match attr(&state, "rfc3339").as_str() {
            Some(s) => match parse("rfc3339", s) {
                Ok(t) => (t, s.to_string()),
                Err(d) => return ApplyResponse::failed(None, d),
            },
            None => {
                let t = now();
                (t, format(&t))
            }
        };
        set_parts(&mut state, &t);
        set(&mut state, "rfc3339", Value::String(text.clone()));
        set(&mut state, "id", Value::String(text));
        ApplyResponse::ok(Some(state))
    }

    async fn import(&self, _c: &TimeProvider, id: String, mut state: Value) -> ImportResponse {
        match parse("The import id", &id) {
            Ok(t) => {
                set_parts(&mut state, &t);
                set(&mut state, "rfc3339", Value::String(format(&t)));
                set(&mut state, "id", Value::String(format(&t)));
                ImportResponse::found(state)
            }
            Err(d) => ImportResponse::failed(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_date_rolls_over_like_go() {
        let t = parse("t", "2021-01-31T10:00:00Z").unwrap();
        assert_eq!(format(&add_date(&t, 0, 1, 0).unwrap()), "2021-03-03T10:00:00Z");
        assert_eq!(format(&add_date(&t, 1, -13, 1).unwrap()), "2021-01-01T10:00:00Z");
        let leap = parse("t", "2020-02-29T00:00:00+02:00").unwrap();
        assert_eq!(format(&add_date(&leap, 1, 0, 0).unwrap()), "2021-03-01T00:00:00+02:00");
    }

    #[tokio::test]
    async fn configured_time_is_known_at_plan() {
        let p = TimeProvider;
        let mut cfg = crate::provider::helpers::blank(&schema().block);
        set(&mut cfg, "rfc3339", Value::string("2020-02-12T06:36:13Z"));
        let r = p.plan(PlanRequest { type_name: "time_static".into(), prior_state: None, proposed_new_state: cfg.clone(), config: cfg }).await;
        let s = r.planned_state;
        assert_eq!((attr(&s, "year"), attr(&s, "second"), attr(&s, "unix")), (&Value::Number(2020.0), &Value::Number(13.0), &Value::Number(1581489373.0)));
        assert_eq!(attr(&s, "id"), &Value::string("2020-02-12T06:36:13Z"));
        let blank = crate::provider::helpers::blank(&schema().block);
        let r = p.plan(PlanRequest { type_name: "time_static".into(), prior_state: None, proposed_new_state: blank.clone(), config: blank }).await;
        assert_eq!((attr(&r.planned_state, "rfc3339"), attr(&r.planned_state, "year")), (&Value::Unknown, &Value::Unknown));
    }
}
