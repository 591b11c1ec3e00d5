//! Find the line and column of a value in JSON text by its path.
//!
//! Fragments are deserialised with serde for speed, which keeps no positions. When a fact in a
//! fragment turns out to be wrong (a dangling reference, a conflict), this walks the text once more
//! to point at it. It only skips over values, so it is linear in the text and allocates nothing.
//! It keeps no stack either: nesting is a counter, so no depth of brackets can overflow it, and
//! it needs no depth limit (a fragment nested deeper than serde_json's 128 levels is refused
//! before positions are ever looked for).

/// One step of a path: an object key or an array index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// 1-based (line, column) of the value at `path`, or of the deepest value on the path that
/// exists. `None` if the text is not JSON enough to follow the path at all.
pub fn locate(text: &str, path: &[Segment<'_>]) -> Option<(u32, u32)> {
    let bytes = text.as_bytes();
    let mut cursor = Cursor { bytes, at: 0 };
    cursor.space();
    let found = walk(&mut cursor, path);
    Some(line_column(text, found))
}

/// Positions in one JSON text prepared for many look-ups: a fragment with 100,000 invalid items
/// has as many errors to place, and a walk from the start of the text for each would be
/// quadratic. The index records the line and column of a point every [`Index::STRIDE`] bytes and
/// where each element of some top-level arrays starts; a look-up then walks one element and at
/// most one stride.
#[derive(Debug, Default)]
pub struct Index {
    /// (byte offset, line, column) at character boundaries, every `STRIDE` bytes or so.
    checkpoints: Vec<(usize, u32, u32)>,
    /// For each indexed top-level key, the byte offset of each element of its array.
    arrays: Vec<(&'static str, Vec<usize>)>,
}

impl Index {
    /// Bytes between two recorded line/column points.
    pub const STRIDE: usize = 4096;

    /// Index `text`, with the elements of the arrays under the top-level keys `arrays`.
    pub fn new(text: &str, arrays: &[&'static str]) -> Index {
        let mut checkpoints = vec![(0, 1, 1)];
        let (mut line, mut column) = (1u32, 1u32);
        let mut next = Self::STRIDE;
        for (offset, c) in text.char_indices() {
            if offset >= next {
                checkpoints.push((offset, line, column));
                next = offset + Self::STRIDE;
            }
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        let arrays = arrays
            .iter()
            .map(|&key| (key, element_offsets(text, key)))
            .collect();
        Index {
            checkpoints,
            arrays,
        }
    }

    /// As [`locate`], on the text this index was made from.
    pub fn locate(&self, text: &str, path: &[Segment<'_>]) -> Option<(u32, u32)> {
        if let [Segment::Key(key), Segment::Index(i), rest @ ..] = path
            && let Some((_, offsets)) = self.arrays.iter().find(|(k, _)| k == key)
            && let Some(&start) = offsets.get(*i)
        {
            let mut cursor = Cursor {
                bytes: text.as_bytes(),
                at: start,
            };
            return Some(self.line_column(text, walk(&mut cursor, rest)));
        }
        let mut cursor = Cursor {
            bytes: text.as_bytes(),
            at: 0,
        };
        cursor.space();
        Some(self.line_column(text, walk(&mut cursor, path)))
    }

    fn line_column(&self, text: &str, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let at = self.checkpoints.partition_point(|&(o, _, _)| o <= offset) - 1;
        let (start, mut line, mut column) = self.checkpoints[at];
        for c in text[start..offset].chars() {
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        (line, column)
    }
}

/// Byte offsets of the elements of the array under the top-level `key`; empty when there is
/// none.
fn element_offsets(text: &str, key: &str) -> Vec<usize> {
    let mut cursor = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut offsets = Vec::new();
    if cursor.enter_key(key).is_none() || cursor.eat(b'[').is_none() {
        return offsets;
    }
    loop {
        cursor.space();
        match cursor.peek() {
            None | Some(b']') => return offsets,
            Some(_) => offsets.push(cursor.at),
        }
        if cursor.skip_value().is_none() {
            return offsets;
        }
        if cursor.eat(b',').is_none() {
            return offsets;
        }
    }
}

/// Follow `path` from the value at the cursor; the offset of the deepest value reached.
fn walk(cursor: &mut Cursor<'_>, path: &[Segment<'_>]) -> usize {
    let mut found = cursor.at;
    for segment in path {
        let step = match *segment {
            Segment::Key(key) => cursor.enter_key(key),
            Segment::Index(index) => cursor.enter_index(index),
        };
        if step.is_none() {
            break;
        }
        found = cursor.at;
    }
    found
}

fn line_column(text: &str, offset: usize) -> (u32, u32) {
    // The cursor moves by bytes and may stop inside a character (after a backslash followed by
    // a multi-byte character, in text that is not valid JSON): count up to the character's start.
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u32, column as u32)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Move into the object member `key`, leaving the cursor at its value.
    fn enter_key(&mut self, key: &str) -> Option<()> {
        let start = self.at;
        self.eat(b'{')?;
        loop {
            self.space();
            if self.peek()? == b'}' {
                self.at = start;
                return None;
            }
            let name_start = self.at + 1;
            self.skip_string()?;
            let name = &self.bytes[name_start..self.at - 1];
            self.eat(b':')?;
            self.space();
            if name == key.as_bytes() {
                return Some(());
            }
            self.skip_value()?;
            self.space();
            if self.peek()? == b',' {
                self.at += 1;
            }
        }
    }

    /// Move into array element `index`, leaving the cursor at it.
    fn enter_index(&mut self, index: usize) -> Option<()> {
        let start = self.at;
        self.eat(b'[')?;
        for _ in 0..index {
            self.space();
            if self.peek()? == b']' {
                self.at = start;
                return None;
            }
            self.skip_value()?;
            self.eat(b',').or_else(|| {
                self.at = start;
                None
            })?;
        }
        self.space();
        Some(())
    }

    fn skip_string(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        self.at += 1;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                _ => self.at += 1,
            }
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        self.space();
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{
  "nodes": [
    {"id": "a", "note": "x\"}]", "n": [1, {"k": 2}]},
    {"id": "b",
     "owner": "t"}
  ],
  "edges": []
}"#;

    #[test]
    fn finds_nested_values() {
        use Segment::*;
        assert_eq!(locate(TEXT, &[Key("nodes")]), Some((2, 12)));
        assert_eq!(locate(TEXT, &[Key("nodes"), Index(1)]), Some((4, 5)));
        assert_eq!(
            locate(TEXT, &[Key("nodes"), Index(1), Key("owner")]),
            Some((5, 15))
        );
        assert_eq!(locate(TEXT, &[Key("edges")]), Some((7, 12)));
    }

    #[test]
    fn deep_nesting_and_split_characters_are_harmless() {
        use Segment::*;
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(locate(&deep, &[Key("b")]), Some((1, 1)));
        assert_eq!(locate(&deep, &[Key("a"), Index(1)]), Some((1, 7)));
        // A backslash before a multi-byte character: the cursor lands inside it.
        let text = "{\"k\\é\": 1, \"x\": 2}";
        assert!(locate(text, &[Key("x")]).is_some());
        assert_eq!(line_column("aé", 2), (1, 2));
    }

    #[test]
    fn the_index_agrees_with_a_walk_from_the_start() {
        use Segment::*;
        let index = super::Index::new(TEXT, &["nodes", "edges"]);
        for path in [
            &[Key("nodes")][..],
            &[Key("nodes"), Index(0)],
            &[Key("nodes"), Index(1), Key("owner")],
            &[Key("nodes"), Index(1), Key("tier")],
            &[Key("nodes"), Index(9)],
            &[Key("edges")],
            &[Key("edges"), Index(0)],
        ] {
            assert_eq!(index.locate(TEXT, path), locate(TEXT, path), "{path:?}");
        }
        // Long texts, past several checkpoints, with multi-byte characters.
        let mut text = String::from("{\"nodes\": [\n");
        for i in 0..5000 {
            text.push_str(&format!("{{\"id\": \"é{i}\", \"tier\": {i}}},\n"));
        }
        text.push_str("{}]}");
        let index = super::Index::new(&text, &["nodes"]);
        for i in [0, 1, 777, 4096, 4999, 5000] {
            let path = [Key("nodes"), Index(i), Key("tier")];
            assert_eq!(index.locate(&text, &path), locate(&text, &path), "{i}");
        }
    }

    #[test]
    fn stops_at_the_deepest_existing_value() {
        use Segment::*;
        assert_eq!(
            locate(TEXT, &[Key("nodes"), Index(1), Key("tier")]),
            Some((4, 5))
        );
        assert_eq!(locate(TEXT, &[Key("nodes"), Index(9)]), Some((2, 12)));
    }
}
