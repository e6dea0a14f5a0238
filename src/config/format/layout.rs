//! The whitespace rules of `terraform fmt`, which are those of HCL's `hclwrite` formatter: split
//! the tokens into lines of up to three cells (lead, `= value`, trailing comment), indent by open
//! brackets, space tokens by pairwise rules, then align the `=` cells and the comment cells of
//! consecutive lines. Only the spaces before tokens change.

use crate::syntax::lexer::{Kind, Token};

use std::ops::Range;

/// One line of tokens: `lead`, then optionally `assign` (from the `=` on) and `comment`.
#[derive(Clone, Debug, Default)]
struct Line {
    lead: Range<usize>,
    assign: Option<Range<usize>>,
    comment: Option<Range<usize>>,
}

/// Sets `spaces_before` on every token, as `hclwrite` does.
pub(crate) fn format_tokens(toks: &mut [Token]) {
    let lines = lines_for_format(toks);
    format_indent(toks, &lines);
    format_spaces(toks, &lines);
    format_cells(toks, &lines);
}

/// Renders the tokens with their spaces.
pub(crate) fn render(toks: &[Token], trailing: &str) -> String {
    let mut out = String::new();
    for t in toks {
        out.extend(std::iter::repeat_n(' ', t.spaces_before));
        out.push_str(&t.text);
    }
    out.push_str(trailing);
    out
}

fn lines_for_format(toks: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.is_newline() {
            lines.push(Line { lead: start..i + 1, ..Line::default() });
            start = i + 1;
        }
    }
    if start < toks.len() {
        lines.push(Line { lead: start..toks.len(), ..Line::default() });
    }
    for line in &mut lines {
        let lead = line.lead.clone();
        if lead.len() > 1 && toks[lead.end - 1].kind == Kind::Comment {
            line.comment = Some(lead.end - 1..lead.end);
            line.lead = lead.start..lead.end - 1;
        }
        let lead = line.lead.clone();
        if let Some(eq) = lead.clone().skip(1).find(|&i| toks[i].kind == Kind::Equal) {
            let net: i32 = toks[eq..lead.end].iter().map(Token::bracket_change).sum();
            if net == 0 {
                line.assign = Some(eq..lead.end);
                line.lead = lead.start..eq;
            }
        }
    }
    lines
}

fn format_indent(toks: &mut [Token], lines: &[Line]) {
    let mut indents: Vec<i32> = Vec::new();
    for line in lines {
        if line.lead.is_empty() {
            continue;
        }
        let first = line.lead.start;
        if toks[first].kind == Kind::Newline {
            toks[first].spaces_before = 0;
            continue;
        }
        let mut net = 0;
        for t in &toks[line.lead.clone()] {
            net += t.bracket_change();
            if t.kind == Kind::OHeredoc {
                break;
            }
        }
        if let Some(assign) = &line.assign {
            net += toks[assign.clone()].iter().map(Token::bracket_change).sum::<i32>();
        }
        if net > 0 {
            toks[first].spaces_before = 2 * indents.len();
            indents.push(net);
            continue;
        }
        let mut closed = -net;
        while closed > 0 {
            let Some(top) = indents.last_mut() else { break };
            if closed > *top {
                closed -= *top;
                indents.pop();
            } else if closed < *top {
                *top -= closed;
                closed = 0;
            } else {
                indents.pop();
                closed = 0;
            }
        }
        toks[first].spaces_before = 2 * indents.len();
    }
}

fn format_spaces(toks: &mut [Token], lines: &[Line]) {
    for line in lines {
        space_cell(toks, line.lead.clone());
        if let Some(assign) = &line.assign {
            toks[assign.start].spaces_before = 1;
            space_cell(toks, assign.clone());
        }
    }
}

fn space_cell(toks: &mut [Token], cell: Range<usize>) {
    for i in cell.clone() {
        if i + 1 >= cell.end {
            continue;
        }
        let before = if i > cell.start { Some(toks[i - 1].kind) } else { None };
        let space = space_after(&toks[i], before, &toks[i + 1]);
        toks[i + 1].spaces_before = usize::from(space);
    }
}

fn columns(toks: &[Token], cell: &Option<Range<usize>>) -> usize {
    cell.as_ref().map_or(0, |r| toks[r.clone()].iter().map(|t| t.spaces_before + t.text.chars().count()).sum())
}

fn format_cells(toks: &mut [Token], lines: &[Line]) {
    // `=` cells of consecutive lines line up one column after the longest lead.
    let sentinel = Line::default();
    let mut chain: Vec<&Line> = Vec::new();
    for line in lines.iter().chain(std::iter::once(&sentinel)) {
        if line.assign.is_some() {
            chain.push(line);
            continue;
        }
        let max = chain.iter().map(|l| columns(toks, &Some(l.lead.clone()))).max().unwrap_or(0);
        for l in chain.drain(..) {
            let cols = columns(toks, &Some(l.lead.clone()));
            if let Some(assign) = &l.assign {
                toks[assign.start].spaces_before = max - cols + 1;
            }
        }
    }
    // Then trailing comments, after the longest lead-plus-value.
    for line in lines.iter().chain(std::iter::once(&sentinel)) {
        if line.comment.is_some() {
            chain.push(line);
            continue;
        }
        let width = |l: &Line| columns(toks, &Some(l.lead.clone())) + columns(toks, &l.assign);
        let max = chain.iter().map(|l| width(l)).max().unwrap_or(0);
        let widths: Vec<usize> = chain.iter().map(|l| width(l)).collect();
        for (l, w) in chain.drain(..).zip(widths) {
            if let Some(c) = &l.comment {
                toks[c.start].spaces_before = max - w + 1;
            }
        }
    }
}

/// Whether `subject` gets a space after it, given the tokens around it (hclwrite's
/// `spaceAfterToken`).
fn space_after(subject: &Token, before: Option<Kind>, after: &Token) -> bool {
    use Kind::*;
    let (s, a) = (subject.kind, after.kind);
    if a == Newline {
        return false;
    }
    if s == Ident && a == OParen {
        return false;
    }
    if (s == Ident && a == DoubleColon) || (s == DoubleColon && a == Ident) {
        return false;
    }
    if s == Dot || a == Dot {
        return false;
    }
    if a == Comma || a == Ellipsis {
        return false;
    }
    if s == Comma {
        return true;
    }
    if matches!(s, QuotedLit | StringLit | OQuote | OHeredoc) || matches!(a, QuotedLit | StringLit | CQuote | CHeredoc) {
        return false;
    }
    if s == Ident && subject.text == "in" && before == Some(Ident) {
        return true;
    }
    if a == OBrack && (s == Ident || s == NumberLit || subject.bracket_change() < 0) {
        return false;
    }
    if s == Bang {
        return false;
    }
    if s == Minus {
        return match before {
            None => false,
            Some(
                OParen | OBrace | OBrack | Equal | Colon | Comma | Question | Plus | Star | Slash | Percent | Minus | EqualOp | NotEqual | GreaterThan
                | GreaterThanEq | LessThan | LessThanEq | And | Or | Bang,
            ) => false,
            Some(_) => true,
        };
    }
    if s == OBrace || a == CBrace {
        return !(s == OBrace && a == CBrace);
    }
    if matches!(s, TemplateInterp | TemplateControl) && a == OBrace {
        return true;
    }
    if s == CBrace && a == TemplateSeqEnd {
        return true;
    }
    if s == TemplateSeqEnd && matches!(a, TemplateInterp | TemplateControl) {
        return false;
    }
    if subject.bracket_change() > 0 {
        return false;
    }
    if after.bracket_change() < 0 {
        return false;
    }
    true
}
