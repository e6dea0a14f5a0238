//! The source form of HCL bodies: attributes and blocks with their source ranges.
//!
//! hcl-rs's `hcl::Body` carries no spans, so a file is parsed with `hcl_edit` (which keeps byte
//! spans) and each attribute's expression is converted to `hcl::Expression` for evaluation,
//! alongside the range it came from. Owns: [`parse_file`], [`Body`], [`Attribute`], [`Block`],
//! and the token scanner ([`lexer`]) that `fmt` formats with.

pub(crate) mod lexer;

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
    let body = match hcl_edit::parser::parse_body(text) {
        Ok(body) => body,
        // hcl-edit rejects some line breaks Terraform ignores; parse again without them.
        Err(first) => match without_ignored_newlines(text) {
            Some(joined) => hcl_edit::parser::parse_body(&joined).map_err(|e| syntax_error(&index, text, &e))?,
            None => return Err(syntax_error(&index, text, &first)),
        },
    };
    Ok(convert_body(&body, &index))
}

/// The diagnostic for a parse error, located (and quoted) in the original `text`.
fn syntax_error(index: &LineIndex, text: &str, e: &hcl_edit::parser::Error) -> Diagnostic {
    let offset = e.location().offset().min(text.len());
    let range = index.range(offset..offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    Diagnostic::error("Invalid HCL syntax", format!("{}: {}", e.message(), text[line_start..line_end].trim_end())).at(Some(&range))
}

/// `text` with the line breaks inside `for` expressions blanked out, or `None` when it has none.
///
/// Terraform ignores newlines inside the brackets of a `for` expression (`{ for k in l : k =>
/// c ? k :` then the false value on the next line), but hcl-edit accepts a line break there only
/// inside a nested bracket or call. Each such newline, and a line comment that ends in one,
/// becomes spaces of the same length, so every byte offset (and every range) stays as it was.
/// Newlines inside an object constructor (`{ a = 1` ... `}`, where they separate items), a string
/// or a heredoc's text are kept, as Terraform keeps them.
pub(crate) fn without_ignored_newlines(text: &str) -> Option<String> {
    use lexer::Kind;
    let toks = lexer::lex_ranges(text);
    let mut bytes = text.as_bytes().to_vec();
    let mut changed = false;
    // For each open bracket (`{`, `[`, `(`, `${`, `%{`): whether it opens a `for` expression.
    let mut open: Vec<bool> = Vec::new();
    let is_ident = |i: usize, word: Option<&str>| toks.get(i).is_some_and(|(k, r)| *k == Kind::Ident && word.is_none_or(|w| &text[r.clone()] == w));
    for (i, (kind, range)) in toks.iter().enumerate() {
        match kind {
            Kind::OBrace | Kind::OBrack => {
                // `for IDENT [, IDENT] in`, after any line breaks and comments.
                let mut j = i + 1;
                while toks.get(j).is_some_and(|(k, _)| matches!(k, Kind::Newline | Kind::Comment)) {
                    j += 1;
                }
                let mut intro = is_ident(j, Some("for")) && is_ident(j + 1, None);
                if intro && toks.get(j + 2).is_some_and(|(k, _)| *k == Kind::Comma) {
                    intro = is_ident(j + 3, None) && is_ident(j + 4, Some("in"));
                } else {
                    intro = intro && is_ident(j + 2, Some("in"));
                }
                open.push(intro);
            }
            Kind::OParen | Kind::TemplateInterp | Kind::TemplateControl => open.push(false),
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => {
                open.pop();
            }
            Kind::Newline | Kind::Comment if open.last() == Some(&true) => {
                let slice = &mut bytes[range.clone()];
                let blank_all = *kind == Kind::Newline || slice.ends_with(b"\n");
                for b in slice.iter_mut().filter(|b| blank_all || matches!(b, b'\n' | b'\r')) {
                    *b = b' ';
                }
                changed = true;
            }
            _ => {}
        }
    }
    // Whole tokens (whole characters) or single ASCII bytes became ASCII spaces.
    changed.then(|| String::from_utf8(bytes).expect("still UTF-8"))
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

    fn expr_of(text: &str, name: &str) -> hcl::Expression {
        let body = parse_file("main.tf", text).unwrap_or_else(|d| panic!("{d}"));
        body.attribute(name).unwrap_or_else(|| panic!("no {name}")).expr.clone()
    }

    #[test]
    fn line_breaks_inside_for_expressions_are_ignored_as_in_terraform() {
        let cases = [
            ("m = { for k in l : k => c ? k :\n    \"z\" }\n", "m = { for k in l : k => c ? k : \"z\" }\n"),
            ("m = { for k in l : k => k ==\n    \"a\" }\n", "m = { for k in l : k => k == \"a\" }\n"),
            ("m = { for k, v in\n  l : k\n  => v # why\n  if v != \"\" }\n", "m = { for k, v in l : k => v if v != \"\" }\n"),
            ("m = [for k in l : k\n  if k ==\n  \"a\"]\n", "m = [for k in l : k if k == \"a\"]\n"),
            ("m = \"${ {for k in l : k => c ?\n k : 1}[\"a\"] }\"\n", "m = \"${ {for k in l : k => c ?  k : 1}[\"a\"] }\"\n"),
        ];
        for (multi, single) in cases {
            assert_eq!(expr_of(multi, "m"), expr_of(single, "m"), "{multi}");
        }
        // Offsets are kept: what follows is still located on its own line.
        let body = parse_file("main.tf", "m = { for k in l : k => c ? k :\n  \"z\" }\nn = 1\n").unwrap();
        assert_eq!(body.attribute("n").unwrap().range.line, 3);
    }

    #[test]
    fn line_breaks_keep_their_meaning_outside_for_expressions() {
        // Inside an object constructor (also one nested in a `for`) a newline ends an item.
        let err = parse_file("main.tf", "p = { a = c ?\n  1 : 2 }\n").unwrap_err();
        assert_eq!(err.range.unwrap().line, 1);
        let multi = expr_of("m = [for k in l : {\n  a = k\n  b = 1\n} if k ==\n \"a\"]\n", "m");
        assert_eq!(multi, expr_of("m = [for k in l : { a = k, b = 1 } if k == \"a\"]\n", "m"));
        // A heredoc's text keeps its lines; `{ for = 1 }`-like objects are not `for` expressions.
        let h = expr_of("m = [for k in l : <<-EOT\n    v ${k}\n    EOT\n  if k\n  != \"b\"]\n", "m");
        assert_eq!(h, expr_of("m = [for k in l : <<-EOT\n    v ${k}\n    EOT\n  if k != \"b\"]\n", "m"));
        assert!(parse_file("main.tf", "m = { for = 1\n  x = 2 ?\n 3 : 4 }\n").is_err());
    }
}
