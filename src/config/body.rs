//! The source form of HCL bodies: attributes and blocks with their source ranges.
//!
//! hcl-rs's `hcl::Body` carries no spans, so a file is parsed with `hcl_edit` (which keeps byte
//! spans) and each attribute's expression is converted to `hcl::Expression` for evaluation,
//! alongside the range it came from. Owns: [`parse_file`], [`Body`], [`Attribute`], [`Block`].

use std::sync::Arc;

use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::Span;

use crate::diag::{Diagnostic, LineIndex, SourceRange};

/// An attribute `name = expr`.
#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub expr: hcl::Expression,
    /// The whole attribute (name through value).
    pub range: SourceRange,
    /// The value expression alone.
    pub expr_range: SourceRange,
}

/// A block `kind "label" ... { body }`.
#[derive(Clone, Debug)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    /// The block header (kind and labels), where Terraform points for block-level problems.
    pub range: SourceRange,
}

/// A body: attributes and blocks in source order.
#[derive(Clone, Debug, Default)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

impl Body {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

/// Parses the text of one file. `file` is the name diagnostics show.
pub fn parse_file(file: &str, text: &str) -> Result<Body, Diagnostic> {
    let index = LineIndex::new(Arc::<str>::from(file), text);
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let loc = e.location();
        let range = SourceRange { file: index.file().clone(), line: loc.line(), col: loc.column(), start: loc.offset(), end: loc.offset() };
        Diagnostic::error("Invalid HCL syntax", format!("{}: {}", e.message(), e.line().trim_end())).at(Some(&range))
    })?;
    Ok(convert_body(&body, &index))
}

fn span_range(index: &LineIndex, span: Option<std::ops::Range<usize>>) -> SourceRange {
    index.range(span.unwrap_or(0..0))
}

fn convert_body(body: &hcl_edit::structure::Body, index: &LineIndex) -> Body {
    let mut out = Body::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => out.attributes.push(Attribute {
                name: a.key.as_str().to_string(),
                expr: hcl::Expression::from(a.value.clone()),
                range: span_range(index, a.span()),
                expr_range: span_range(index, a.value.span()),
            }),
            Structure::Block(b) => {
                let header_end = b.labels.last().and_then(|l| l.span()).or_else(|| b.ident.span());
                let start = b.span().map(|s| s.start).unwrap_or(0);
                let end = header_end.map(|s| s.end).unwrap_or(start);
                out.blocks.push(Block {
                    kind: b.ident.as_str().to_string(),
                    labels: b
                        .labels
                        .iter()
                        .map(|l| match l {
                            BlockLabel::Ident(i) => i.as_str().to_string(),
                            BlockLabel::String(s) => s.as_str().to_string(),
                        })
                        .collect(),
                    body: convert_body(&b.body, index),
                    range: index.range(start..end),
                })
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_ranges() {
        let body = parse_file("main.tf", "locals {\n  a = 1 + 2\n}\n\nresource \"x\" \"y\" {}\n").unwrap();
        let locals = &body.blocks[0];
        assert_eq!(locals.kind, "locals");
        let a = &locals.body.attributes[0];
        assert_eq!((a.range.line, a.range.col), (2, 3));
        assert_eq!((a.expr_range.line, a.expr_range.col), (2, 7));
        let r = &body.blocks[1];
        assert_eq!(r.labels, vec!["x", "y"]);
        assert_eq!(r.range.line, 5);
    }

    #[test]
    fn syntax_error_has_location() {
        let err = parse_file("bad.tf", "resource \"x\" \"y\" {\n  a = \n}\n").unwrap_err();
        let r = err.range.unwrap();
        assert_eq!(&*r.file, "bad.tf");
        assert!(r.line >= 2, "{r}");
    }
}
