//! Numeric and date functions: min, max, abs, ceil, floor, pow, log, signum, parseint,
//! timestamp, formatdate, timeadd.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};

use super::{arg_num, arg_str, invalid, FuncContext, FuncResult};
use crate::value::Value;

fn nums(a: &[Value]) -> Result<Vec<f64>, super::FuncError> {
    a.iter().map(|v| arg_num(v, "numbers")).collect()
}

pub fn min(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Number(nums(&a)?.into_iter().fold(f64::INFINITY, f64::min)))
}
pub fn max(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Number(nums(&a)?.into_iter().fold(f64::NEG_INFINITY, f64::max)))
}
pub fn abs(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Number(arg_num(&a[0], "num")?.abs()))
}
pub fn ceil(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Number(arg_num(&a[0], "num")?.ceil()))
}
pub fn floor(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Number(arg_num(&a[0], "num")?.floor()))
}
pub fn pow(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Number(arg_num(&a[0], "num")?.powf(arg_num(&a[1], "power")?)))
}
pub fn log(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::Number(arg_num(&a[0], "num")?.ln() / arg_num(&a[1], "base")?.ln()))
}
pub fn signum(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let n = arg_num(&a[0], "num")?;
    Ok(Value::Number(if n > 0.0 {
        1.0
    } else if n < 0.0 {
        -1.0
    } else {
        0.0
    }))
}
pub fn parseint(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let s = arg_str(&a[0], "number")?;
    let base = arg_num(&a[1], "base")? as u32;
    if !(2..=62).contains(&base) {
        return invalid("Invalid value for \"base\" parameter: base must be a whole number between 2 and 62 inclusive.");
    }
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if digits.is_empty() {
        return invalid(format!("Invalid value for \"number\" parameter: cannot parse \"{s}\" as a base {base} integer."));
    }
    let mut n: f64 = 0.0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + if base <= 36 { 10 } else { 36 },
            _ => base,
        };
        if d >= base {
            return invalid(format!("Invalid value for \"number\" parameter: cannot parse \"{s}\" as a base {base} integer."));
        }
        n = n * base as f64 + d as f64;
    }
    Ok(Value::Number(if neg { -n } else { n }))
}

pub fn timestamp(_: Vec<Value>, _: &FuncContext) -> FuncResult {
    Ok(Value::String(Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

fn parse_ts(s: &str) -> Result<DateTime<FixedOffset>, super::FuncError> {
    DateTime::parse_from_rfc3339(s).or_else(|_| invalid(format!("Invalid value for \"timestamp\" parameter: not a valid RFC3339 timestamp: \"{s}\".")))
}

const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// Terraform's `formatdate` spec: YYYY YY MMMM MMM MM M DD D EEEE EEE hh h HH H AA aa mm m ss s ZZZZZ ZZZZ ZZZ Z, 'literal'.
pub fn formatdate(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let spec = arg_str(&a[0], "format")?;
    let t = parse_ts(&arg_str(&a[1], "time")?)?;
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let end = chars[i + 1..].iter().position(|x| *x == '\'').map(|p| p + i + 1);
            let Some(end) = end else { return invalid("Invalid value for \"format\" parameter: unterminated literal.") };
            if end == i + 1 {
                out.push('\'');
            } else {
                out.extend(&chars[i + 1..end]);
            }
            i = end + 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        let off = t.offset().local_minus_utc();
        let h12 = if t.hour() % 12 == 0 { 12 } else { t.hour() % 12 };
        let piece = match (c, n) {
            ('Y', 4) => format!("{:04}", t.year()),
            ('Y', 2) => format!("{:02}", t.year() % 100),
            ('M', 4) => MONTHS[t.month0() as usize].to_string(),
            ('M', 3) => MONTHS[t.month0() as usize][..3].to_string(),
            ('M', 2) => format!("{:02}", t.month()),
            ('M', 1) => t.month().to_string(),
            ('D', 2) => format!("{:02}", t.day()),
            ('D', 1) => t.day().to_string(),
            ('E', 4) => DAYS[t.weekday().num_days_from_monday() as usize].to_string(),
            ('E', 3) => DAYS[t.weekday().num_days_from_monday() as usize][..3].to_string(),
            ('h', 2) => format!("{:02}", t.hour()),
            ('h', 1) => t.hour().to_string(),
            ('H', 2) => format!("{h12:02}"),
            ('H', 1) => h12.to_string(),
            ('A', 2) => if t.hour() < 12 { "AM" } else { "PM" }.to_string(),
            ('a', 2) => if t.hour() < 12 { "am" } else { "pm" }.to_string(),
            ('m', 2) => format!("{:02}", t.minute()),
            ('m', 1) => t.minute().to_string(),
            ('s', 2) => format!("{:02}", t.second()),
            ('s', 1) => t.second().to_string(),
            ('Z', 5) => {
                if off == 0 {
                    "Z".into()
                } else {
                    format!("{}{:02}:{:02}", if off < 0 { '-' } else { '+' }, off.abs() / 3600, off.abs() % 3600 / 60)
                }
            }
            ('Z', 4) => format!("{}{:02}{:02}", if off < 0 { '-' } else { '+' }, off.abs() / 3600, off.abs() % 3600 / 60),
            ('Z', 3) => {
                if off == 0 {
                    "UTC".into()
                } else {
                    format!("{}{:02}{:02}", if off < 0 { '-' } else { '+' }, off.abs() / 3600, off.abs() % 3600 / 60)
                }
            }
            ('Z', 1) => {
                if off == 0 {
                    "Z".into()
                } else {
                    format!("{}{:02}:{:02}", if off < 0 { '-' } else { '+' }, off.abs() / 3600, off.abs() % 3600 / 60)
                }
            }
            _ => return invalid(format!("Invalid value for \"format\" parameter: invalid date format verb \"{}\".", c.to_string().repeat(n))),
        };
        out.push_str(&piece);
        i += n;
    }
    Ok(Value::String(out))
}

pub fn timeadd(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let t = parse_ts(&arg_str(&a[0], "timestamp")?)?;
    let d = arg_str(&a[1], "duration")?;
    // Go's time.ParseDuration: one optional sign for the whole duration, then number+unit pairs.
    let (neg, d) = match d.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, d.strip_prefix('+').unwrap_or(&d).to_string()),
    };
    let re = regex::Regex::new(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)").map_err(|e| super::FuncError::Invalid(e.to_string()))?;
    let mut total_ns: f64 = 0.0;
    let mut matched = 0;
    for c in re.captures_iter(&d) {
        let n: f64 = c[1].parse().unwrap_or(0.0);
        matched += c[0].len();
        total_ns += n * match &c[2] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            _ => 3600e9,
        };
    }
    if matched != d.len() || d.is_empty() {
        return invalid(format!("Invalid value for \"duration\" parameter: time: invalid duration \"{d}\"."));
    }
    if neg {
        total_ns = -total_ns;
    }
    let t2 = t + chrono::Duration::nanoseconds(total_ns as i64);
    let s = if t2.offset().local_minus_utc() == 0 { t2.format("%Y-%m-%dT%H:%M:%SZ").to_string() } else { t2.to_rfc3339() };
    Ok(Value::String(s))
}
