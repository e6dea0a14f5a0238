//! Renders diagnostics for the terminal with miette: summary, `file:line:col` and the source
//! snippet with the range underlined, the resource address, then the detail text.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};

use crate::config::Sources;
use crate::diag::{Diagnostic, Diagnostics, Severity};

/// The longest source line shown as a snippet.
const MAX_SNIPPET_LINE: usize = 1000;

/// The length of the line holding byte `at`.
fn line_len_at(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    end - start
}

/// Renders every diagnostic, errors and warnings alike.
pub fn render_all(diags: &Diagnostics, sources: &Sources, color: bool) -> String {
    diags.iter().map(|d| render(d, sources, color)).collect::<Vec<_>>().join("\n")
}

/// Renders one diagnostic.
pub fn render(d: &Diagnostic, sources: &Sources, color: bool) -> String {
    let (sev, label) = match d.severity {
        Severity::Error => (miette::Severity::Error, "Error"),
        Severity::Warning => (miette::Severity::Warning, "Warning"),
    };
    let mut out = String::new();
    // A source line too long to show (minified or generated files) is named, not drawn: the
    // snippet renderer cannot lay out columns past its limits.
    let snippet = d.range.as_ref().and_then(|r| Some((r, sources.get(&r.file)?))).filter(|(r, text)| line_len_at(text, r.start) <= MAX_SNIPPET_LINE);
    match snippet {
        Some((r, text)) => {
            let len = if r.end > r.start { r.end - r.start } else { 1 };
            let start = r.start.min(text.len());
            let len = len.min(text.len().saturating_sub(start)).max(usize::from(start < text.len()));
            let diag = MietteDiagnostic::new(format!("{label}: {}", d.summary))
                .with_severity(sev)
                .with_labels(vec![LabeledSpan::at(start..start + len, format!("{r}"))]);
            let report = Report::new(diag).with_source_code(NamedSource::new(&r.file, text.to_string()));
            let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
            let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1).with_width(100);
            if handler.render_report(&mut out, report.as_ref()).is_err() {
                out = format!("{label}: {}\n  on {r}\n", d.summary);
            }
        }
        None => {
            out.push_str(&format!("{label}: {}\n", d.summary));
            if let Some(r) = &d.range {
                out.push_str(&format!("  on {r}\n"));
            }
        }
    }
    if let Some(a) = &d.address {
        out.push_str(&format!("  with {a}\n"));
    }
    if !d.detail.is_empty() {
        out.push('\n');
        out.push_str(&d.detail);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceRange;

    #[test]
    fn a_range_far_along_a_long_line_renders_without_a_snippet() {
        let line = format!("x = \"{}\"\n", "a".repeat(100_000));
        let mut sources = Sources::default();
        sources.files.insert("big.tf".into(), line.as_str().into());
        let range = SourceRange { file: "big.tf".into(), line: 1, col: 70_000, start: 70_000, end: 70_001 };
        let d = Diagnostic::error("Bad", "detail").at(Some(&range));
        let out = render(&d, &sources, false);
        assert!(out.contains("Error: Bad") && out.contains("on big.tf:1:70000"), "{out}");
    }
}
