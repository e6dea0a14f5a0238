//! Module version constraints as Terraform resolves them (`= 1.2.0`, `!= 1.3.0`, `> 1`, `>= 1.2`,
//! `< 2`, `<= 2.1`, `~> 1.2`, comma-separated, all must hold), and choosing the newest version
//! that satisfies them. A pre-release is chosen only when a constraint names it exactly.

use std::cmp::Ordering;
use std::fmt;

/// A semantic version; missing minor/patch parts read as 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub parts: [u64; 3],
    /// Pre-release identifiers (`beta.1`), empty for a release.
    pub pre: String,
    /// How many numeric parts were written (`~>` keeps all but the last fixed).
    written: usize,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let s = s.split_once('+').map_or(s, |(v, _)| v);
        let (nums, pre) = s.split_once('-').map_or((s, ""), |(n, p)| (n, p));
        let mut parts = [0u64; 3];
        let mut written = 0;
        for (i, p) in nums.split('.').enumerate() {
            if i >= 3 {
                return None;
            }
            parts[i] = p.parse().ok()?;
            written = i + 1;
        }
        Some(Version { parts, pre: pre.to_string(), written })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.parts.cmp(&other.parts).then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_pre(&self.pre, &other.pre),
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Semver pre-release precedence: numeric identifiers numerically, others lexically.
fn compare_pre(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.split('.'), b.split('.'));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    _ => p.cmp(q),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.parts[0], self.parts[1], self.parts[2])?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Pessimistic,
}

/// A parsed constraint string.
#[derive(Clone, Debug)]
pub struct Constraints(Vec<(Op, Version)>);

impl Constraints {
    /// Parses `">= 1.2, < 2.0"`; an empty string allows every release.
    pub fn parse(s: &str) -> Result<Constraints, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (op, rest) = [("~>", Op::Pessimistic), (">=", Op::Ge), ("<=", Op::Le), ("!=", Op::Ne), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Eq)]
                .iter()
                .find_map(|(t, op)| part.strip_prefix(t).map(|r| (*op, r)))
                .unwrap_or((Op::Eq, part));
            let v = Version::parse(rest).ok_or_else(|| format!("invalid version constraint \"{part}\""))?;
            out.push((op, v));
        }
        Ok(Constraints(out))
    }

    /// Whether `v` satisfies every constraint.
    pub fn allows(&self, v: &Version) -> bool {
        if !v.pre.is_empty() && !self.0.iter().any(|(op, c)| *op == Op::Eq && c == v) {
            return false;
        }
        self.0.iter().all(|(op, c)| match op {
            Op::Eq => v == c,
            Op::Ne => v != c,
            Op::Gt => v > c,
            Op::Ge => v >= c,
            Op::Lt => v < c,
            Op::Le => v <= c,
            Op::Pessimistic => {
                // `~> 1.2` allows 1.2 and later 1.x; `~> 1.2.3` allows later 1.2.x.
                let fixed = c.written.saturating_sub(1).max(1);
                v >= c && v.parts[..fixed] == c.parts[..fixed]
            }
        })
    }

    /// The newest of `available` that satisfies the constraints.
    pub fn newest<'a>(&self, available: impl IntoIterator<Item = &'a str>) -> Option<Version> {
        available.into_iter().filter_map(Version::parse).filter(|v| self.allows(v)).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(constraint: &str, versions: &[&str]) -> Option<String> {
        Constraints::parse(constraint).unwrap().newest(versions.iter().copied()).map(|v| v.to_string())
    }

    #[test]
    fn resolves_as_terraform_does() {
        let all = ["4.9.0", "5.0.0", "5.1.2", "5.8.1", "6.0.0-beta1", "6.0.0", "6.1.0"];
        assert_eq!(pick("~> 5.0", &all).as_deref(), Some("5.8.1"));
        assert_eq!(pick("~> 5.1.0", &all).as_deref(), Some("5.1.2"));
        assert_eq!(pick(">= 5.0, < 6.0", &all).as_deref(), Some("5.8.1"));
        assert_eq!(pick("", &all).as_deref(), Some("6.1.0"));
        assert_eq!(pick("5.0.0", &all).as_deref(), Some("5.0.0"));
        assert_eq!(pick("!= 6.1.0", &all).as_deref(), Some("6.0.0"));
        assert_eq!(pick("~> 6", &all).as_deref(), Some("6.1.0"));
        // A pre-release only when named exactly.
        assert_eq!(pick("< 6.0.0, > 5.8.1", &all), None);
        assert_eq!(pick("= 6.0.0-beta1", &all).as_deref(), Some("6.0.0-beta1"));
        assert_eq!(pick("~> 7.0", &all), None);
        assert!(Constraints::parse(">= banana").is_err());
    }
}
