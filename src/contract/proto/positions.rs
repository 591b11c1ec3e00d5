//! Positions: a lexer and a lenient scanner of declarations. The parser keeps no source
//! positions, so this finds where each element is declared.

use std::collections::HashMap;
use std::sync::Arc;

use super::from_descriptors::qualify;
use crate::source::diagnostic::Location;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// An identifier, possibly dotted (`google.protobuf.Timestamp`).
    Word,
    Number,
    /// A string literal, with its quotes.
    StringLiteral,
    Punctuation,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Token<'t> {
    pub(super) kind: TokenKind,
    pub(super) text: &'t str,
    /// 1-based; the column counts characters.
    pub(super) line: u32,
    pub(super) column: u32,
}

/// A position in a text, counting lines and characters.
pub(super) struct Cursor<'t> {
    pub(super) text: &'t str,
    pub(super) chars: Vec<(usize, char)>,
    pub(super) i: usize,
    pub(super) line: u32,
    pub(super) column: u32,
}

impl Cursor<'_> {
    pub(super) fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).map(|&(_, c)| c)
    }

    pub(super) fn offset(&self) -> usize {
        self.chars.get(self.i).map_or(self.text.len(), |&(o, _)| o)
    }

    pub(super) fn bump(&mut self) {
        if let Some(&(_, c)) = self.chars.get(self.i) {
            self.i += 1;
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
    }
}

/// The tokens of a `.proto` text, without comments. Never fails: an unterminated string or
/// comment runs to the end of its line or of the text.
pub(super) fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut cur = Cursor {
        text,
        chars: text.char_indices().collect(),
        i: 0,
        line: 1,
        column: 1,
    };
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    while let Some(c) = cur.peek(0) {
        if c.is_whitespace() {
            cur.bump();
            continue;
        }
        if c == '/' && cur.peek(1) == Some('/') {
            while cur.peek(0).is_some_and(|c| c != '\n') {
                cur.bump();
            }
            continue;
        }
        if c == '/' && cur.peek(1) == Some('*') {
            cur.bump();
            cur.bump();
            while cur.peek(0).is_some() && !(cur.peek(0) == Some('*') && cur.peek(1) == Some('/')) {
                cur.bump();
            }
            cur.bump();
            cur.bump();
            continue;
        }
        let (start, line, column) = (cur.offset(), cur.line, cur.column);
        cur.bump();
        let kind = if c.is_ascii_alphabetic() || c == '_' {
            loop {
                match cur.peek(0) {
                    Some(c) if ident(c) => cur.bump(),
                    Some('.')
                        if cur
                            .peek(1)
                            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_') =>
                    {
                        cur.bump()
                    }
                    _ => break,
                }
            }
            TokenKind::Word
        } else if c.is_ascii_digit()
            || (c == '.' && cur.peek(0).is_some_and(|d| d.is_ascii_digit()))
        {
            while let Some(c) = cur.peek(0)
                && (ident(c) || c == '.')
            {
                cur.bump();
                if matches!(c, 'e' | 'E') && matches!(cur.peek(0), Some('+' | '-')) {
                    cur.bump();
                }
            }
            TokenKind::Number
        } else if c == '"' || c == '\'' {
            loop {
                match cur.peek(0) {
                    None | Some('\n') => break,
                    Some('\\') => {
                        cur.bump();
                        if cur.peek(0) != Some('\n') {
                            cur.bump();
                        }
                    }
                    Some(q) => {
                        cur.bump();
                        if q == c {
                            break;
                        }
                    }
                }
            }
            TokenKind::StringLiteral
        } else {
            TokenKind::Punctuation
        };
        out.push(Token {
            kind,
            text: &text[start..cur.offset()],
            line,
            column,
        });
    }
    out
}

/// A string literal's content (escapes are left as written).
pub(super) fn unquote(s: &str) -> &str {
    let s = s.strip_prefix(['"', '\'']).unwrap_or(s);
    s.strip_suffix(['"', '\'']).unwrap_or(s)
}

/// A protobuf integer literal: decimal, `0x` hex or `0` octal.
pub(super) fn parse_int(s: &str) -> Option<i64> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        i64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

/// Where the declarations of one file are.
#[derive(Default)]
pub(super) struct Positions {
    /// `pkg.Message`, `pkg.Message.field`, `pkg.Enum`, `pkg.Enum.VALUE`, `pkg.Service`,
    /// `pkg.Service/Rpc` → the first token of the declaration (an enum value's name).
    pub(super) declarations: HashMap<String, Location>,
    /// Message or enum → its `reserved` statements.
    pub(super) reserved: HashMap<String, Vec<ReservedStatement>>,
    pub(super) package: Option<Location>,
    /// Import paths, at their string literal.
    pub(super) imports: Vec<(String, Location)>,
    /// Names declared twice in one scope (two messages `W`, an enum value and a message of one
    /// name, two rpcs of one service), in file order.
    pub(super) duplicates: Vec<Duplicate>,
}

/// A name declared a second time in the scope that already has it.
#[derive(Clone, Debug)]
pub(super) struct Duplicate {
    /// The name, qualified by the file's package and enclosing messages.
    pub(super) name: String,
    pub(super) first: Location,
    pub(super) again: Location,
}

/// How deeply brackets may nest in a `.proto` file: messages inside messages, and the braces,
/// brackets and parentheses of option values, counted together.
///
/// protobuf-parse recurses once per level without a bound (a debug build overflowed its 8 MiB
/// main-thread stack at 1,000 nested messages; 200 still parsed), and so would our own walks, so
/// a file deeper than this is refused before anything parses it. Real files stay under ten
/// levels; protoc refuses deep nesting too ("Reached maximum recursion limit for nested
/// messages"; 3.21 is reported to stop at 32 nested messages).
pub(super) const MAX_NESTING: usize = 100;

/// The first opening bracket (`{`, `[`, `(`) that is [`MAX_NESTING`] levels deep or more, as a
/// line and column; brackets in strings and comments do not count.
pub(super) fn first_too_deep(text: &str) -> Option<(u32, u32)> {
    let mut depth = 0usize;
    for token in tokens(text) {
        match token.text {
            "{" | "[" | "(" => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((token.line, token.column));
                }
            }
            "}" | "]" | ")" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// One `reserved` statement: the numbers it reserves (inclusive ranges).
#[derive(Clone, Debug)]
pub(super) struct ReservedStatement {
    pub(super) ranges: Vec<(i64, i64)>,
    pub(super) at: Location,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    File,
    Message,
    Oneof,
    Enum,
    Service,
}

/// Find where each declaration of a file is. `package` prefixes the names; the text is assumed
/// to have parsed, and anything not understood is skipped.
pub(super) fn scan(text: &str, package: &str, file: Arc<str>) -> Positions {
    let mut scanner = Scanner {
        tokens: tokens(text),
        i: 0,
        file,
        positions: Positions::default(),
        symbols: HashMap::new(),
    };
    scanner.block(Scope::File, package, 0);
    scanner.positions
}

pub(super) struct Scanner<'t> {
    pub(super) tokens: Vec<Token<'t>>,
    pub(super) i: usize,
    pub(super) file: Arc<str>,
    pub(super) positions: Positions,
    /// Every name declared in a scope, keyed by scope and name as protobuf resolves them: an
    /// enum's values belong to the scope the enum is in, an rpc to its service.
    symbols: HashMap<String, Location>,
}

impl Scanner<'_> {
    pub(super) fn text(&self, i: usize) -> Option<&str> {
        self.tokens.get(i).map(|t| t.text)
    }

    pub(super) fn word(&self, i: usize) -> Option<&str> {
        self.tokens
            .get(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text)
    }

    pub(super) fn location(&self, t: &Token<'_>) -> Location {
        Location::new(self.file.clone(), t.line, t.column)
    }

    pub(super) fn record(&mut self, key: String, t: &Token<'_>) {
        let at = self.location(t);
        self.positions.declarations.entry(key).or_insert(at);
    }

    /// A name declared in a scope (`symbol` is the scope and the name); a second declaration
    /// of it is a duplicate.
    fn declare(&mut self, symbol: String, t: &Token<'_>) {
        let again = self.location(t);
        match self.symbols.get(&symbol) {
            Some(first) => self.positions.duplicates.push(Duplicate {
                name: symbol,
                first: first.clone(),
                again,
            }),
            None => {
                self.symbols.insert(symbol, again);
            }
        }
    }

    /// The statements of a block, up to and including its `}`.
    pub(super) fn block(&mut self, scope: Scope, path: &str, depth: usize) {
        while let Some(t) = self.tokens.get(self.i).copied() {
            let keyword = if t.kind == TokenKind::Word {
                t.text
            } else {
                ""
            };
            let opens_block = self.word(self.i + 1).is_some() && self.text(self.i + 2) == Some("{");
            match keyword {
                _ if t.text == "}" => {
                    self.i += 1;
                    if scope != Scope::File {
                        return;
                    }
                }
                _ if t.text == ";" => self.i += 1,
                "message" | "enum"
                    if opens_block && matches!(scope, Scope::File | Scope::Message) =>
                {
                    let name = qualify(path, self.text(self.i + 1).unwrap_or(""));
                    self.record(name.clone(), &t);
                    self.declare(name.clone(), &t);
                    self.i += 3;
                    let inner = if keyword == "message" {
                        Scope::Message
                    } else {
                        Scope::Enum
                    };
                    self.nested(inner, &name, depth);
                }
                "service" if opens_block && scope == Scope::File => {
                    let name = qualify(path, self.text(self.i + 1).unwrap_or(""));
                    self.record(name.clone(), &t);
                    self.declare(name.clone(), &t);
                    self.i += 3;
                    self.nested(Scope::Service, &name, depth);
                }
                "oneof" if opens_block && scope == Scope::Message => {
                    self.i += 3;
                    self.nested(Scope::Oneof, path, depth);
                }
                "package" if scope == Scope::File => {
                    self.positions.package = Some(self.location(&t));
                    self.skip_statement();
                }
                "import" if scope == Scope::File => {
                    let mut j = self.i + 1;
                    while let Some(tok) = self.tokens.get(j)
                        && tok.kind == TokenKind::Word
                    {
                        j += 1; // `public`, `weak`
                    }
                    if let Some(tok) = self
                        .tokens
                        .get(j)
                        .filter(|t| t.kind == TokenKind::StringLiteral)
                    {
                        let at = self.location(tok);
                        self.positions
                            .imports
                            .push((unquote(tok.text).to_owned(), at));
                    }
                    self.skip_statement();
                }
                "reserved" if matches!(scope, Scope::Message | Scope::Enum) => {
                    self.reserved(path, &t);
                }
                "rpc" if scope == Scope::Service => {
                    if let Some(name) = self.word(self.i + 1) {
                        let key = format!("{path}/{name}");
                        self.record(key.clone(), &t);
                        self.declare(key, &t);
                    }
                    self.skip_statement();
                }
                "option" | "syntax" | "edition" | "extensions" | "extend" | "import"
                | "package" | "reserved" => self.skip_statement(),
                _ if scope == Scope::Enum && t.kind == TokenKind::Word => {
                    self.record(qualify(path, t.text), &t);
                    // Enum values are siblings of their enum (C++ scoping rules).
                    let scope_of_enum = path.rsplit_once('.').map_or("", |(outer, _)| outer);
                    self.declare(qualify(scope_of_enum, t.text), &t);
                    self.skip_statement();
                }
                _ if matches!(scope, Scope::Message | Scope::Oneof)
                    && t.kind == TokenKind::Word =>
                {
                    self.field(path, depth);
                }
                _ => self.skip_statement(),
            }
        }
    }

    pub(super) fn nested(&mut self, scope: Scope, path: &str, depth: usize) {
        // Files nested deeper are refused before scanning (`first_too_deep`); skip rather than
        // recurse without bound all the same.
        if depth > MAX_NESTING {
            self.i -= 1;
            self.skip_statement();
        } else {
            self.block(scope, path, depth + 1);
        }
    }

    /// A field: `[label] type name = number [options];`, `map<K, V> name = number;` or a
    /// proto2 `group`.
    pub(super) fn field(&mut self, path: &str, depth: usize) {
        let start = self.tokens[self.i];
        let mut j = self.i;
        if matches!(self.text(j), Some("optional" | "repeated" | "required")) {
            j += 1;
        }
        if self.text(j) == Some("group")
            && let Some(name) = self.word(j + 1).map(str::to_owned)
        {
            // The field is the group's name in lower case; the message keeps the name.
            self.record(qualify(path, &name.to_lowercase()), &start);
            let child = qualify(path, &name);
            self.record(child.clone(), &start);
            self.declare(child.clone(), &start);
            let mut k = j + 2;
            while self.text(k).is_some_and(|t| !matches!(t, "{" | ";" | "}")) {
                k += 1;
            }
            if self.text(k) == Some("{") {
                self.i = k + 1;
                self.nested(Scope::Message, &child, depth);
            } else {
                self.skip_statement();
            }
            return;
        }
        if self.text(j) == Some("map") && self.text(j + 1) == Some("<") {
            while self.text(j).is_some_and(|t| !matches!(t, ">" | ";")) {
                j += 1;
            }
            j += 1;
        } else {
            if self.text(j) == Some(".") {
                j += 1;
            }
            j += 1;
        }
        if let Some(name) = self.word(j).map(str::to_owned)
            && self.text(j + 1) == Some("=")
        {
            self.record(qualify(path, &name), &start);
        }
        self.skip_statement();
    }

    /// `reserved 2, 5 to 7, 20 to max;` (names, `reserved "sku";`, come from the descriptor).
    pub(super) fn reserved(&mut self, path: &str, start: &Token<'_>) {
        let mut ranges = Vec::new();
        let (mut pending, mut to, mut negative) = (None::<i64>, false, false);
        self.i += 1;
        while let Some(t) = self.tokens.get(self.i).copied()
            && !matches!(t.text, ";" | "}")
        {
            match (t.kind, t.text) {
                (TokenKind::Number, _) => {
                    if let Some(n) = parse_int(t.text) {
                        let n = if negative { -n } else { n };
                        if to {
                            if let Some(lo) = pending.take() {
                                ranges.push((lo, n));
                            }
                        } else if let Some(lo) = pending.replace(n) {
                            ranges.push((lo, lo));
                        }
                    }
                    to = false;
                    negative = false;
                }
                (TokenKind::Word, "to") => to = true,
                (TokenKind::Word, "max") => {
                    if let Some(lo) = pending.take() {
                        ranges.push((lo, i64::MAX));
                    }
                    to = false;
                }
                (TokenKind::Punctuation, "-") => negative = true,
                _ => {}
            }
            self.i += 1;
        }
        if let Some(lo) = pending {
            ranges.push((lo, lo));
        }
        if self.text(self.i) == Some(";") {
            self.i += 1;
        }
        let at = self.location(start);
        self.positions
            .reserved
            .entry(path.to_owned())
            .or_default()
            .push(ReservedStatement { ranges, at });
    }

    /// Skip to the end of a statement: a `;` or a `{ ... }` block at this level. Stops before
    /// a `}` that closes the enclosing block.
    pub(super) fn skip_statement(&mut self) {
        let start = self.i;
        let mut depth = 0usize;
        while let Some(t) = self.tokens.get(self.i) {
            match t.text {
                "{" | "[" | "(" => depth += 1,
                "}" | "]" | ")" => {
                    if depth == 0 {
                        if self.i == start {
                            self.i += 1;
                        }
                        return;
                    }
                    depth -= 1;
                    if depth == 0 && t.text == "}" {
                        self.i += 1;
                        return;
                    }
                }
                ";" if depth == 0 => {
                    self.i += 1;
                    return;
                }
                _ => {}
            }
            self.i += 1;
        }
    }
}
