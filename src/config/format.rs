//! `fmt`: rewrites HCL source in the canonical style of `terraform fmt`, keeping comments, blank
//! lines and heredoc text.
//!
//! The work is token-based, as in Terraform (which formats with HCL's `hclwrite`): the source is
//! split into tokens ([`lexer`]), Terraform's few rewrites are applied (identifier block labels
//! become quoted strings, `"${expr}"` becomes `expr`, and in a `variable` block a bare
//! `list`/`map`/`set` type becomes `list(any)` etc. and a legacy quoted type loses its quotes),
//! and then only the spaces between tokens are recomputed ([`layout`]): two-space indentation per
//! open bracket, one space between most tokens, and `=` signs and trailing comments aligned across
//! consecutive lines. Like Terraform, blank lines are kept as they are and no final newline is
//! added.
//!
//! Before returning, the result is parsed again and compared with the input (modulo those
//! rewrites); a difference is reported as an error rather than returned.
//!
//! Entry points: [`format_source`] and [`format_file`]. Does not own file discovery or output
//! (`cli::cmd_fmt`).

mod layout;

use std::ops::Range;
use std::str::FromStr;

use hcl::template::{Directive, Element, Template};
use hcl::{BlockLabel, Body, Expression, ObjectKey, Structure, TemplateExpr, TraversalOperator};

use crate::diag::Diagnostic;
use crate::syntax::lexer::{self, Kind, Token};
use crate::syntax::parse_file;

/// Formats the text of one file. Syntax errors come back as a diagnostic with a location in
/// the file named `<input>`.
pub fn format_source(text: &str) -> Result<String, Diagnostic> {
    format_file("<input>", text)
}

/// Formats the text of one file; `name` is the file name diagnostics show.
pub fn format_file(name: &str, text: &str) -> Result<String, Diagnostic> {
    parse_file(name, text)?;
    let (toks, trailing) = lexer::lex(text);
    let mut toks = apply_rewrites(toks);
    layout::format_tokens(&mut toks);
    let out = layout::render(&toks, &trailing);
    check_same_meaning(name, text, &out)?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Terraform's rewrites (`internal/command/fmt.go`: formatBody, formatValueExpr, formatTypeExpr).

struct Edit {
    range: Range<usize>,
    with: Vec<Token>,
}

fn apply_rewrites(toks: Vec<Token>) -> Vec<Token> {
    let mut edits = Vec::new();
    let mut path = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        // A stray `}` at the top level cannot occur in parsed input; step over it regardless.
        i = walk_body(&toks, i, &mut path, &mut edits) + 1;
    }
    if edits.is_empty() {
        return toks;
    }
    edits.sort_by_key(|e| e.range.start);
    let mut out = Vec::with_capacity(toks.len());
    let mut next = 0;
    for e in edits {
        if e.range.start < next {
            continue;
        }
        out.extend_from_slice(&toks[next..e.range.start]);
        out.extend(e.with);
        next = e.range.end;
    }
    out.extend_from_slice(&toks[next..]);
    out
}

/// Walks the body starting at `i` and returns the index of its closing `}` (or the end).
fn walk_body(toks: &[Token], mut i: usize, path: &mut Vec<String>, edits: &mut Vec<Edit>) -> usize {
    loop {
        while i < toks.len() && matches!(toks[i].kind, Kind::Newline | Kind::Comment) {
            i += 1;
        }
        if i >= toks.len() || toks[i].kind == Kind::CBrace {
            return i;
        }
        if toks[i].kind != Kind::Ident {
            i += 1;
            continue;
        }
        let name = toks[i].text.clone();
        let mut j = i + 1;
        if toks.get(j).map(|t| t.kind) == Some(Kind::Equal) {
            let end = attribute_end(toks, j + 1);
            let (mut s, mut e) = (j + 1, end);
            while s < e && toks[s].kind == Kind::Comment {
                s += 1;
            }
            while e > s && toks[e - 1].kind == Kind::Comment {
                e -= 1;
            }
            let expr = &toks[s..e];
            let rewritten = if path.len() == 1 && path[0] == "variable" && name == "type" { type_expr(expr) } else { value_expr(expr) };
            if let Some(with) = rewritten {
                edits.push(Edit { range: s..e, with });
            }
            i = end;
            continue;
        }
        // A block: labels, then `{`.
        while j < toks.len() {
            match toks[j].kind {
                Kind::Ident => {
                    let quoted = vec![Token::new(Kind::OQuote, "\""), Token::new(Kind::QuotedLit, toks[j].text.clone()), Token::new(Kind::CQuote, "\"")];
                    edits.push(Edit { range: j..j + 1, with: quoted });
                    j += 1;
                }
                Kind::OQuote => {
                    j += 1;
                    while j < toks.len() && toks[j].kind != Kind::CQuote {
                        j += 1;
                    }
                    j += 1;
                }
                Kind::Comment if !toks[j].is_newline() => j += 1,
                _ => break,
            }
        }
        if toks.get(j).map(|t| t.kind) != Some(Kind::OBrace) {
            i = j.max(i + 1);
            continue;
        }
        path.push(name);
        let close = walk_body(toks, j + 1, path, edits);
        path.pop();
        i = close + 1;
    }
}

/// The index of the newline (or a one-line block's `}`) that ends an attribute's value.
fn attribute_end(toks: &[Token], start: usize) -> usize {
    let mut depth = 0;
    let mut k = start;
    while k < toks.len() {
        let t = &toks[k];
        if depth <= 0 && (t.is_newline() || t.kind == Kind::CBrace) {
            break;
        }
        depth += t.bracket_change();
        k += 1;
    }
    k
}

/// `"${expr}"` becomes `expr` (in parentheses when it spans lines).
fn value_expr(e: &[Token]) -> Option<Vec<Token>> {
    let n = e.len();
    if n < 5 || e[0].kind != Kind::OQuote || e[1].kind != Kind::TemplateInterp || e[n - 2].kind != Kind::TemplateSeqEnd || e[n - 1].kind != Kind::CQuote {
        return None;
    }
    let inside = &e[2..n - 2];
    let mut quotes = 0;
    for t in inside {
        match t.kind {
            Kind::OQuote => quotes += 1,
            Kind::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            Kind::TemplateInterp | Kind::TemplateSeqEnd | Kind::QuotedLit => return None,
            _ => {}
        }
    }
    let start = inside.iter().position(|t| t.kind != Kind::Newline)?;
    let end = inside.iter().rposition(|t| t.kind != Kind::Newline).map_or(start, |p| p + 1);
    let trimmed = &inside[start..end];
    let multi_line = trimmed.iter().any(|t| t.kind == Kind::Newline);
    let parenthesised = trimmed.first().is_some_and(|t| t.kind == Kind::OParen) && trimmed.last().is_some_and(|t| t.kind == Kind::CParen);
    let mut out = Vec::with_capacity(trimmed.len() + 2);
    if multi_line && !parenthesised {
        out.push(Token::new(Kind::OParen, "("));
        out.extend_from_slice(trimmed);
        out.push(Token::new(Kind::CParen, ")"));
    } else {
        out.extend_from_slice(trimmed);
    }
    Some(out)
}

/// In a `variable` block: `list` becomes `list(any)`, `"string"` becomes `string`, etc.
fn type_expr(e: &[Token]) -> Option<Vec<Token>> {
    let call =
        |name: &str, arg: &str| vec![Token::new(Kind::Ident, name), Token::new(Kind::OParen, "("), Token::new(Kind::Ident, arg), Token::new(Kind::CParen, ")")];
    match e {
        [kw] if kw.kind == Kind::Ident && matches!(kw.text.as_str(), "list" | "map" | "set") => Some(call(&kw.text, "any")),
        [o, lit, c] if o.kind == Kind::OQuote && lit.kind == Kind::QuotedLit && c.kind == Kind::CQuote => match lit.text.as_str() {
            "string" => Some(vec![Token::new(Kind::Ident, "string")]),
            "list" | "map" => Some(call(&lit.text, "string")),
            _ => None,
        },
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The safety check: the formatted text must mean the same as the input.

fn check_same_meaning(name: &str, before: &str, after: &str) -> Result<(), Diagnostic> {
    let refuse = |detail: String| {
        Diagnostic::error(
            "Formatting would change the configuration",
            format!("skyform fmt did not rewrite {name}: {detail} This is a bug in skyform; please report it."),
        )
    };
    // As `parse_file` does, a second try without the line breaks Terraform ignores.
    let parse = |text: &str| hcl::parse(text).or_else(|e| crate::syntax::without_ignored_newlines(text).map_or(Err(e), |t| hcl::parse(&t)));
    let mut old = parse(before).map_err(|e| refuse(format!("the input could not be re-read ({e}).")))?;
    let mut new = parse(after).map_err(|e| refuse(format!("the formatted text does not parse ({e}).")))?;
    canon_body(&mut old, &mut Vec::new());
    canon_body(&mut new, &mut Vec::new());
    if old == new {
        Ok(())
    } else {
        Err(refuse("the formatted text parses to a different configuration.".into()))
    }
}

/// Puts a body into a form in which Terraform's rewrites and spacing inside templates are
/// invisible, so that equal forms mean equal configurations.
fn canon_body(body: &mut Body, path: &mut Vec<String>) {
    for s in body.0.iter_mut() {
        match s {
            Structure::Attribute(attr) => {
                let expr = std::mem::replace(&mut attr.expr, Expression::Null);
                let expr = if path.len() == 1 && path[0] == "variable" && attr.key.as_str() == "type" { canon_type(expr) } else { unwrap_interpolation(expr) };
                let mut expr = match expr {
                    Expression::Parenthesis(inner) => *inner,
                    other => other,
                };
                canon_expr(&mut expr);
                attr.expr = expr;
            }
            Structure::Block(block) => {
                for label in block.labels.iter_mut() {
                    if let BlockLabel::Identifier(id) = label {
                        *label = BlockLabel::String(id.to_string());
                    }
                }
                path.push(block.identifier.to_string());
                canon_body(&mut block.body, path);
                path.pop();
            }
        }
    }
}

fn canon_type(expr: Expression) -> Expression {
    let replacement = match &expr {
        Expression::Variable(v) if matches!(v.as_str(), "list" | "map" | "set") => format!("{}(any)", v.as_str()),
        Expression::String(s) if s == "string" => "string".into(),
        Expression::String(s) if s == "list" || s == "map" => format!("{s}(string)"),
        _ => return expr,
    };
    Expression::from_str(&replacement).unwrap_or(expr)
}

fn unwrap_interpolation(expr: Expression) -> Expression {
    if let Expression::TemplateExpr(t) = &expr {
        if let (TemplateExpr::QuotedString(_), Ok(template)) = (&**t, Template::from_expr(t)) {
            if let [Element::Interpolation(interp)] = template.elements() {
                return interp.expr.clone();
            }
        }
    }
    expr
}

fn canon_expr(expr: &mut Expression) {
    match expr {
        Expression::Array(items) => items.iter_mut().for_each(canon_expr),
        Expression::Object(obj) => {
            let entries = std::mem::take(obj);
            for (mut k, mut v) in entries {
                if let ObjectKey::Expression(e) = &mut k {
                    canon_expr(e);
                }
                canon_expr(&mut v);
                obj.insert(k, v);
            }
        }
        Expression::TemplateExpr(t) => {
            let Ok(mut template) = Template::from_expr(t) else { return };
            canon_template(&mut template);
            let key = match &**t {
                TemplateExpr::QuotedString(_) => format!("\u{0}quoted:{template:?}"),
                TemplateExpr::Heredoc(h) => format!("\u{0}heredoc:{}:{:?}:{template:?}", h.delimiter, h.strip),
            };
            *expr = Expression::String(key);
        }
        Expression::Traversal(t) => {
            canon_expr(&mut t.expr);
            for op in t.operators.iter_mut() {
                if let TraversalOperator::Index(e) = op {
                    canon_expr(e);
                }
            }
        }
        Expression::FuncCall(f) => f.args.iter_mut().for_each(canon_expr),
        Expression::Parenthesis(e) => canon_expr(e),
        Expression::Conditional(c) => {
            canon_expr(&mut c.cond_expr);
            canon_expr(&mut c.true_expr);
            canon_expr(&mut c.false_expr);
        }
        Expression::Operation(op) => match &mut **op {
            hcl::Operation::Unary(u) => canon_expr(&mut u.expr),
            hcl::Operation::Binary(b) => {
                canon_expr(&mut b.lhs_expr);
                canon_expr(&mut b.rhs_expr);
            }
        },
        Expression::ForExpr(f) => {
            canon_expr(&mut f.collection_expr);
            if let Some(k) = &mut f.key_expr {
                canon_expr(k);
            }
            canon_expr(&mut f.value_expr);
            if let Some(c) = &mut f.cond_expr {
                canon_expr(c);
            }
        }
        _ => {}
    }
}

fn canon_template(template: &mut Template) {
    for el in template.elements_mut() {
        match el {
            Element::Literal(_) => {}
            Element::Interpolation(i) => canon_expr(&mut i.expr),
            Element::Directive(d) => match &mut **d {
                Directive::If(d) => {
                    canon_expr(&mut d.cond_expr);
                    canon_template(&mut d.true_template);
                    if let Some(f) = &mut d.false_template {
                        canon_template(f);
                    }
                }
                Directive::For(d) => {
                    canon_expr(&mut d.collection_expr);
                    canon_template(&mut d.template);
                }
            },
        }
    }
}
