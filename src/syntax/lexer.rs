//! The token scanner: splits HCL native syntax into the same tokens as HCL's `hclsyntax` scanner,
//! so the layout rules of `hclwrite` (and so `terraform fmt`) can be applied token by token, and
//! so [`super::parse_file`] can see which newlines Terraform ignores. Whitespace between tokens is
//! dropped; everything else, including comments, template literals and heredoc lines, is kept
//! byte for byte ([`lex_ranges`] gives each token's place in the source).
//!
//! The scanner never fails: anything it does not recognise becomes a one-character
//! [`Kind::Invalid`] token, which the formatter leaves in place. `fmt` only formats input that
//! already parsed, so that happens only for constructs the formatter need not understand.

/// Token kinds, named after `hclsyntax`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    OHeredoc,
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    DoubleColon,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    TemplateInterp,
    TemplateControl,
    TemplateSeqEnd,
    QuotedLit,
    StringLit,
    NumberLit,
    Ident,
    Comment,
    Newline,
    Invalid,
}

/// One token: its kind, its exact text, and the spaces the formatter puts before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub text: String,
    pub spaces_before: usize,
}

impl Token {
    pub fn new(kind: Kind, text: impl Into<String>) -> Token {
        Token { kind, text: text.into(), spaces_before: 0 }
    }

    /// Whether the token ends a line: a newline, or a `#`/`//` comment (which owns its newline).
    pub fn is_newline(&self) -> bool {
        self.kind == Kind::Newline || (self.kind == Kind::Comment && self.text.ends_with('\n'))
    }

    /// +1 for an opening bracket (including `${` and `%{`), -1 for a closing one.
    pub fn bracket_change(&self) -> i32 {
        match self.kind {
            Kind::OBrace | Kind::OBrack | Kind::OParen | Kind::TemplateControl | Kind::TemplateInterp => 1,
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }
}

enum Mode {
    /// Expression syntax; `interp` when inside `${ }` / `%{ }`, with the open-brace count.
    Main {
        interp: bool,
        braces: usize,
    },
    Quoted,
    Heredoc {
        marker: String,
        line_start: bool,
    },
}

/// Splits `src` into tokens. The whitespace after the last token is returned separately.
pub(crate) fn lex(src: &str) -> (Vec<Token>, String) {
    let mut lx = Lexer::new(src);
    let mut last_end = 0;
    while lx.pos < src.len() {
        let before = lx.out.len();
        lx.step();
        if lx.out.len() > before {
            last_end = lx.pos;
        }
    }
    (lx.out, src[last_end..].to_string())
}

/// The tokens of `src` with the byte range each came from.
pub(crate) fn lex_ranges(src: &str) -> Vec<(Kind, std::ops::Range<usize>)> {
    let mut lx = Lexer::new(src);
    while lx.pos < src.len() {
        lx.step();
    }
    lx.out.iter().zip(&lx.starts).map(|(t, &start)| (t.kind, start..start + t.text.len())).collect()
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
    /// Where each token of `out` starts.
    starts: Vec<usize>,
    modes: Vec<Mode>,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Lexer<'a> {
        Lexer { src, pos: 0, out: Vec::new(), starts: Vec::new(), modes: vec![Mode::Main { interp: false, braces: 0 }] }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn emit(&mut self, kind: Kind, len: usize) {
        let text = &self.src[self.pos..self.pos + len];
        self.out.push(Token::new(kind, text));
        self.starts.push(self.pos);
        self.pos += len;
    }

    fn step(&mut self) {
        match self.modes.last() {
            Some(Mode::Quoted) => self.step_quoted(),
            Some(Mode::Heredoc { .. }) => self.step_heredoc(),
            _ => self.step_main(),
        }
    }

    /// Length of a newline at the start of `s` (`\n` or `\r\n`), if any.
    fn newline_len(s: &str) -> Option<usize> {
        if s.starts_with('\n') {
            Some(1)
        } else if s.starts_with("\r\n") {
            Some(2)
        } else {
            None
        }
    }

    fn step_main(&mut self) {
        let rest = self.rest();
        let Some(c) = rest.chars().next() else { return };
        if c == ' ' || c == '\t' || (c == '\r' && !rest.starts_with("\r\n")) || c == '\u{feff}' {
            self.pos += c.len_utf8();
            return;
        }
        if let Some(n) = Self::newline_len(rest) {
            return self.emit(Kind::Newline, n);
        }
        if c == '#' || rest.starts_with("//") {
            let len = rest.find('\n').map_or(rest.len(), |i| i + 1);
            return self.emit(Kind::Comment, len);
        }
        if let Some(body) = rest.strip_prefix("/*") {
            let len = body.find("*/").map_or(rest.len(), |i| i + 4);
            return self.emit(Kind::Comment, len);
        }
        if c.is_ascii_digit() {
            return self.emit(Kind::NumberLit, number_len(rest));
        }
        if is_ident_start(c) {
            let len = rest.char_indices().find(|&(_, ch)| !is_ident_continue(ch)).map_or(rest.len(), |(i, _)| i);
            return self.emit(Kind::Ident, len);
        }
        if c == '"' {
            self.emit(Kind::OQuote, 1);
            self.modes.push(Mode::Quoted);
            return;
        }
        if let Some((len, marker)) = heredoc_intro(rest) {
            self.emit(Kind::OHeredoc, len);
            self.modes.push(Mode::Heredoc { marker, line_start: true });
            return;
        }
        if c == '{' {
            if let Some(Mode::Main { braces, .. }) = self.modes.last_mut() {
                *braces += 1;
            }
            return self.emit(Kind::OBrace, 1);
        }
        if c == '}' || rest.starts_with("~}") {
            let len = if c == '}' { 1 } else { 2 };
            let closes_interp = matches!(self.modes.last(), Some(Mode::Main { interp: true, braces: 0 }));
            if closes_interp {
                self.modes.pop();
                return self.emit(Kind::TemplateSeqEnd, len);
            }
            if c == '}' {
                if let Some(Mode::Main { braces, .. }) = self.modes.last_mut() {
                    *braces = braces.saturating_sub(1);
                }
                return self.emit(Kind::CBrace, 1);
            }
        }
        const OPS: &[(&str, Kind)] = &[
            ("...", Kind::Ellipsis),
            ("==", Kind::EqualOp),
            ("!=", Kind::NotEqual),
            ("<=", Kind::LessThanEq),
            (">=", Kind::GreaterThanEq),
            ("&&", Kind::And),
            ("||", Kind::Or),
            ("=>", Kind::FatArrow),
            ("::", Kind::DoubleColon),
            ("[", Kind::OBrack),
            ("]", Kind::CBrack),
            ("(", Kind::OParen),
            (")", Kind::CParen),
            ("*", Kind::Star),
            ("/", Kind::Slash),
            ("+", Kind::Plus),
            ("-", Kind::Minus),
            ("%", Kind::Percent),
            ("=", Kind::Equal),
            ("<", Kind::LessThan),
            (">", Kind::GreaterThan),
            ("!", Kind::Bang),
            (".", Kind::Dot),
            (",", Kind::Comma),
            ("?", Kind::Question),
            (":", Kind::Colon),
        ];
        for (op, kind) in OPS {
            if rest.starts_with(op) {
                return self.emit(*kind, op.len());
            }
        }
        self.emit(Kind::Invalid, c.len_utf8());
    }

    /// `${`, `${~`, `%{` or `%{~` at the start of `rest`.
    fn template_open(rest: &str) -> Option<(Kind, usize)> {
        let kind = if rest.starts_with("${") {
            Kind::TemplateInterp
        } else if rest.starts_with("%{") {
            Kind::TemplateControl
        } else {
            return None;
        };
        Some((kind, if rest[2..].starts_with('~') { 3 } else { 2 }))
    }

    fn open_template(&mut self, kind: Kind, len: usize) {
        self.emit(kind, len);
        self.modes.push(Mode::Main { interp: true, braces: 0 });
    }

    fn step_quoted(&mut self) {
        let rest = self.rest();
        if rest.starts_with('"') {
            self.modes.pop();
            return self.emit(Kind::CQuote, 1);
        }
        if let Some((kind, len)) = Self::template_open(rest) {
            return self.open_template(kind, len);
        }
        if rest.starts_with('\n') || rest.starts_with("\r\n") {
            // Not valid HCL; give up on the string and carry on in expression mode.
            self.modes.pop();
            return;
        }
        let mut i = 0;
        let bytes = rest.as_bytes();
        while i < bytes.len() {
            let r = &rest[i..];
            if r.starts_with("$${") || r.starts_with("%%{") {
                i += 3;
            } else if r.starts_with('"') || r.starts_with('\n') || r.starts_with("\r\n") || Self::template_open(r).is_some() {
                break;
            } else if let Some(after) = r.strip_prefix('\\') {
                i += 1 + after.chars().next().map_or(0, char::len_utf8);
            } else {
                i += r.chars().next().map_or(1, char::len_utf8);
            }
        }
        self.emit(Kind::QuotedLit, i.min(rest.len()));
    }

    fn step_heredoc(&mut self) {
        let rest = self.rest();
        let (marker, line_start) = match self.modes.last() {
            Some(Mode::Heredoc { marker, line_start }) => (marker.clone(), *line_start),
            _ => return,
        };
        if line_start {
            let line_len = rest.find('\n').unwrap_or(rest.len());
            let line = rest[..line_len].strip_suffix('\r').unwrap_or(&rest[..line_len]);
            if line.trim() == marker {
                let marker_len = line.len();
                self.modes.pop();
                self.emit(Kind::CHeredoc, marker_len);
                if let Some(n) = Self::newline_len(self.rest()) {
                    self.emit(Kind::Newline, n);
                }
                return;
            }
        }
        if let Some((kind, len)) = Self::template_open(rest) {
            self.set_line_start(false);
            return self.open_template(kind, len);
        }
        let mut i = 0;
        let mut at_eol = false;
        while i < rest.len() {
            let r = &rest[i..];
            if r.starts_with("$${") || r.starts_with("%%{") {
                i += 3;
            } else if Self::template_open(r).is_some() {
                break;
            } else if r.starts_with('\n') {
                i += 1;
                at_eol = true;
                break;
            } else {
                i += r.chars().next().map_or(1, char::len_utf8);
            }
        }
        self.set_line_start(at_eol);
        self.emit(Kind::StringLit, i.min(rest.len()));
    }

    fn set_line_start(&mut self, value: bool) {
        if let Some(Mode::Heredoc { line_start, .. }) = self.modes.last_mut() {
            *line_start = value;
        }
    }
}

/// `digits ("." digits)? ([eE] [+-]? digits)?`
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = digits(0);
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1 + digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            i = j + digits(j);
        }
    }
    i
}

/// `<<MARKER\n` or `<<-MARKER\n`: the length including the newline, and the marker.
fn heredoc_intro(s: &str) -> Option<(usize, String)> {
    let after = s.strip_prefix("<<")?;
    let after_dash = after.strip_prefix('-').unwrap_or(after);
    let start = s.len() - after_dash.len();
    let first = after_dash.chars().next()?;
    if !is_ident_start(first) {
        return None;
    }
    let ident_len = after_dash.char_indices().find(|&(_, c)| !is_ident_continue(c)).map_or(after_dash.len(), |(i, _)| i);
    let tail = &after_dash[ident_len..];
    let nl = if tail.starts_with('\n') {
        1
    } else if tail.starts_with("\r\n") {
        2
    } else {
        return None;
    };
    Some((start + ident_len + nl, after_dash[..ident_len].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        lex(src).0.into_iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn lexes_templates_and_heredocs() {
        let toks = kinds("a = \"x ${ b.c } $${y}\"\n");
        let got: Vec<Kind> = toks.iter().map(|t| t.0).collect();
        use Kind::*;
        assert_eq!(got, vec![Ident, Equal, OQuote, QuotedLit, TemplateInterp, Ident, Dot, Ident, TemplateSeqEnd, QuotedLit, CQuote, Newline]);
        assert_eq!(toks[9].1, " $${y}");

        let toks = kinds("h = <<-EOT\n  a ${x}\n  EOT\nb = 1");
        let got: Vec<Kind> = toks.iter().map(|t| t.0).collect();
        assert_eq!(got, vec![Ident, Equal, OHeredoc, StringLit, TemplateInterp, Ident, TemplateSeqEnd, StringLit, CHeredoc, Newline, Ident, Equal, NumberLit]);
        assert_eq!(toks[8].1, "  EOT");
    }

    #[test]
    fn comments_own_their_newline_and_trailing_space_is_kept() {
        let (toks, trailing) = lex("# c\r\n/* a\n b */ x   ");
        assert_eq!(toks[0].text, "# c\r\n");
        assert!(toks[0].is_newline());
        assert_eq!(toks[1].text, "/* a\n b */");
        assert!(!toks[1].is_newline());
        assert_eq!(trailing, "   ");
    }

    #[test]
    fn braces_inside_interpolation_do_not_end_it() {
        let toks = kinds("\"${ {a=1} ~}\"");
        let got: Vec<Kind> = toks.iter().map(|t| t.0).collect();
        use Kind::*;
        assert_eq!(got, vec![OQuote, TemplateInterp, OBrace, Ident, Equal, NumberLit, CBrace, TemplateSeqEnd, CQuote]);
    }
}
