//! Diagnostics: what went wrong, where, and how bad it is.
//!
//! Config and evaluation problems are collected as [`Diagnostic`]s (severity, summary, detail,
//! source range and/or resource address) rather than stopping at the first, as OpenTofu's
//! `tfdiags` does. Rendering with source snippets happens only at the CLI edge (`view::diagnostics`).

use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A place in a source file: file name as the user sees it, 1-based line and column, byte range.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceRange {
    pub file: Arc<str>,
    pub line: usize,
    pub col: usize,
    pub start: usize,
    pub end: usize,
}

impl fmt::Display for SourceRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub range: Option<SourceRange>,
    /// The resource (or other object) address the problem belongs to, when there is one.
    pub address: Option<String>,
    /// The resource argument the problem is about (a driver names it; the engine then points
    /// at that argument's line rather than the resource header).
    #[serde(default)]
    pub attribute: Option<String>,
}

/// What a message shows in place of a sensitive value.
pub const REDACTED: &str = "(sensitive value)";

impl Diagnostic {
    /// The diagnostic with each of `secrets` (as [`crate::value::Value::sensitive_texts`] lists
    /// them, longest first) replaced by `(sensitive value)` in its summary and detail: quoted
    /// occurrences always, bare ones when at least 3 characters long (shorter ones would
    /// match ordinary words).
    pub fn redact(mut self, secrets: &[String]) -> Diagnostic {
        if !secrets.is_empty() {
            self.summary = redact(&self.summary, secrets);
            self.detail = redact(&self.detail, secrets);
        }
        self
    }

    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, summary: summary.into(), detail: detail.into(), range: None, address: None, attribute: None }
    }

    /// Names the resource argument the problem is about.
    pub fn for_attribute(mut self, name: &str) -> Diagnostic {
        self.attribute = Some(name.to_string());
        self
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(summary, detail) }
    }

    /// Attaches a source range (keeps an existing one, which is more precise).
    pub fn at(mut self, range: Option<&SourceRange>) -> Diagnostic {
        if self.range.is_none() {
            self.range = range.cloned();
        }
        self
    }

    /// Attaches an address (keeps an existing one).
    pub fn with_address(mut self, address: impl fmt::Display) -> Diagnostic {
        if self.address.is_none() {
            self.address = Some(address.to_string());
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// One-paragraph plain form: `Error: summary` then location, address and detail.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        write!(f, "{sev}: {}", self.summary)?;
        if let Some(r) = &self.range {
            write!(f, "\n  on {r}")?;
        }
        if let Some(a) = &self.address {
            write!(f, "\n  with {a}")?;
        }
        if !self.detail.is_empty() {
            write!(f, "\n\n{}", self.detail)?;
        }
        Ok(())
    }
}

/// A collection of diagnostics; an error if any of them is an error.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d)
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0)
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
    /// Keeps one of each set of identical diagnostics: a module used by several module calls is
    /// loaded (and checked) once per call, so a problem in its files would otherwise be reported
    /// once per call. When a repeated one's file belongs to a module, `callers(file)` names the
    /// calls that use it (`module.a`, ...), and the kept diagnostic says so.
    pub fn merge_repeated(self, callers: impl Fn(&str) -> Vec<String>) -> Diagnostics {
        let mut out: Vec<(Diagnostic, usize)> = Vec::new();
        for d in self.0 {
            match out.iter_mut().find(|(kept, _)| *kept == d) {
                Some((_, n)) => *n += 1,
                None => out.push((d, 1)),
            }
        }
        Diagnostics(
            out.into_iter()
                .map(|(mut d, n)| {
                    let calls = match &d.range {
                        Some(r) if n > 1 => callers(&r.file),
                        _ => Vec::new(),
                    };
                    if calls.len() > 1 {
                        const SHOWN: usize = 5;
                        let mut list = calls.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
                        if calls.len() > SHOWN {
                            list.push_str(&format!(" and {} more", calls.len() - SHOWN));
                        }
                        let sep = if d.detail.is_empty() { "" } else { "\n\n" };
                        d.detail.push_str(&format!("{sep}(Shown once: this module is used by {} module calls, {list}.)", calls.len()));
                    }
                    d
                })
                .collect(),
        )
    }

    /// Ok(()) when there are no errors, otherwise the whole set as an error.
    pub fn into_result(self) -> Result<(), Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(())
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Maps byte offsets of one source text to 1-based line and column.
#[derive(Clone, Debug)]
pub struct LineIndex {
    file: Arc<str>,
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(file: impl Into<Arc<str>>, text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { file: file.into(), line_starts }
    }

    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    /// Returns the range for a byte span.
    pub fn range(&self, span: std::ops::Range<usize>) -> SourceRange {
        let line = self.line_starts.partition_point(|&s| s <= span.start);
        let col = span.start - self.line_starts[line - 1] + 1;
        SourceRange { file: self.file.clone(), line, col, start: span.start, end: span.end }
    }
}

/// The candidate closest to `name` by edit distance, when it is close enough to be a likely
/// typo (at most a third of the name's length, and at most 2 edits).
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 2);
    candidates.into_iter().map(|c| (edit_distance(name, c), c)).filter(|(d, _)| *d <= limit).min_by_key(|(d, _)| *d).map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diag + usize::from(ca != *cb));
            diag = above;
        }
    }
    row[b.len()]
}

/// `text` with each of `secrets` replaced by `(sensitive value)` (see [`Diagnostic::redact`]).
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        out = out.replace(&format!("{s:?}"), REDACTED).replace(&format!("\"{s}\""), REDACTED);
        if s.chars().count() >= 3 {
            out = out.replace(s.as_str(), REDACTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_diagnostics_are_kept_once_naming_the_module_calls() {
        let r = LineIndex::new("m/main.tf", "a = \n").range(4..4);
        let syntax = Diagnostic::error("Invalid HCL syntax", "bad").at(Some(&r));
        let other = Diagnostic::error("Invalid HCL syntax", "bad").at(Some(&LineIndex::new("main.tf", "").range(0..0)));
        let calls: Vec<String> = (1..=7).map(|i| format!("module.m{i}")).collect();
        let d = Diagnostics(vec![syntax.clone(), other.clone(), syntax.clone(), syntax.clone()]).merge_repeated(|f| {
            if f == "m/main.tf" {
                calls.clone()
            } else {
                Vec::new()
            }
        });
        assert_eq!(d.0.len(), 2);
        assert_eq!(d.0[1], other);
        assert_eq!(
            d.0[0].detail,
            "bad\n\n(Shown once: this module is used by 7 module calls, module.m1, module.m2, module.m3, module.m4, module.m5 and 2 more.)"
        );
        // A diagnostic that is not repeated is left as it is.
        assert_eq!(Diagnostics(vec![syntax.clone()]).merge_repeated(|_| calls.clone()).0, vec![syntax]);
    }

    #[test]
    fn line_index_maps_offsets() {
        let idx = LineIndex::new("main.tf", "a = 1\nbb = 2\n");
        let r = idx.range(6..8);
        assert_eq!((r.line, r.col), (2, 1));
        assert_eq!(r.to_string(), "main.tf:2:1");
        assert_eq!(idx.range(2..3).col, 3);
    }

    #[test]
    fn did_you_mean_finds_near_misses_only() {
        let names = ["aws", "azurerm", "google", "random", "null"];
        assert_eq!(super::did_you_mean("awz", names), Some("aws"));
        assert_eq!(super::did_you_mean("gogle", names), Some("google"));
        assert_eq!(super::did_you_mean("kubernetes", names), None);
    }
}
