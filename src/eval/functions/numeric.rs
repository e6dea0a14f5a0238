//! Numeric and date functions: min, max, abs, ceil, floor, pow, log, signum, parseint,
//! timestamp, plantimestamp, formatdate, timeadd, timecmp.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};

use super::{arg_num, arg_str, invalid, FuncContext, FuncResult};
use crate::value::Value;

/// Terraform computes with 512-bit decimals, so `0.1 + 0.2` is `0.3`: a float result within two
/// ulps of a 15-significant-digit decimal is taken to be that decimal (as the operators do).
pub(crate) fn tidy(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 || x.fract() == 0.0 {
        return x;
    }
    let r: f64 = format!("{x:.14e}").parse().unwrap_or(x);
    if ((r - x) / x).abs() < 4.5e-16 {
        r
    } else {
        x
    }
}

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
/// A result that is not a number (a negative number to a fractional power, a negative logarithm)
/// is an error, as in Terraform.
fn real(n: f64) -> FuncResult {
    if n.is_nan() {
        return invalid("Invalid arguments: the result is not a real number.");
    }
    Ok(Value::Number(n))
}
pub fn pow(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    real(arg_num(&a[0], "num")?.powf(arg_num(&a[1], "power")?))
}
pub fn log(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    real(arg_num(&a[0], "num")?.ln() / arg_num(&a[1], "base")?.ln())
}
pub fn signum(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let n = super::string::arg_int(&a[0], "num")?;
    Ok(Value::Number(n.signum() as f64))
}
pub fn parseint(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let Value::String(s) = &a[0] else {
        return invalid(format!("Invalid value for \"number\" parameter: first argument must be a string, not {}.", a[0].type_name()));
    };
    let s = s.clone();
    let base = super::string::arg_int(&a[1], "base")?;
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
    let base = base as u32;
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

/// `plantimestamp()`: the time the run started (fixed for the whole process, so every call
/// during one plan sees the same value).
pub fn plantimestamp(_: Vec<Value>, _: &FuncContext) -> FuncResult {
    static START: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    Ok(Value::String(START.get_or_init(|| Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()).clone()))
}

/// A strict RFC 3339 timestamp, as Terraform reads it: `YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)`
/// with an upper-case `T` and `Z` and no leap seconds.
fn parse_ts(s: &str) -> Result<DateTime<FixedOffset>, super::FuncError> {
    let bad = || invalid(format!("Invalid value for \"timestamp\" parameter: not a valid RFC3339 timestamp: \"{s}\"."));
    let re = regex::Regex::new(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
        .map_err(|e| super::FuncError::Invalid(e.to_string()))?;
    let Some(c) = re.captures(s) else { return bad() };
    let num = |i: usize| c[i].parse::<u32>().unwrap_or(99);
    if num(2) > 12 || num(4) > 23 || num(5) > 59 || num(6) > 59 {
        return bad();
    }
    DateTime::parse_from_rfc3339(s).or_else(|_| bad())
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
                i = end + 1;
                continue;
            }
            // Inside a literal, '' is a quote.
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                        out.push('\'');
                        j += 2;
                    }
                    Some('\'') => break,
                    Some(c) => {
                        out.push(*c);
                        j += 1;
                    }
                    None => return invalid("Invalid value for \"format\" parameter: unterminated literal."),
                }
            }
            i = j + 1;
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
            ('Z', 5) => format!("{}{:02}:{:02}", if off < 0 { '-' } else { '+' }, off.abs() / 3600, off.abs() % 3600 / 60),
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

/// `timecmp(a, b)`: -1, 0 or 1 as `a` is before, at or after `b`.
pub fn timecmp(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let x = parse_ts(&arg_str(&a[0], "timestamp_a")?)?;
    let y = parse_ts(&arg_str(&a[1], "timestamp_b")?)?;
    Ok(Value::Number(match x.cmp(&y) {
        std::cmp::Ordering::Less => -1.0,
        std::cmp::Ordering::Equal => 0.0,
        std::cmp::Ordering::Greater => 1.0,
    }))
}

pub fn timeadd(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let t = parse_ts(&arg_str(&a[0], "timestamp")?)?;
    let d = arg_str(&a[1], "duration")?;
    // Go's time.ParseDuration: one optional sign for the whole duration, then number+unit pairs.
    let (neg, d) = match d.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, d.strip_prefix('+').unwrap_or(&d).to_string()),
    };
    let re = regex::Regex::new(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)").map_err(|e| super::FuncError::Invalid(e.to_string()))?;
    let mut total_ns: f64 = 0.0;
    let mut matched = 0;
    if d == "0" {
        matched = 1;
    }
    for c in re.captures_iter(&d) {
        if !c[1].contains(|ch: char| ch.is_ascii_digit()) {
            break;
        }
        let n: f64 = c[1].trim_end_matches('.').parse().unwrap_or(0.0);
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
    // chrono writes years past 9999 with a sign; Go does not.
    Ok(Value::String(s.strip_prefix('+').map(str::to_string).unwrap_or(s)))
}
