//! Loading: reading a side's `.proto` files and the files they import, checking their syntax, and
//! parsing them into descriptors with protobuf-parse.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};

use protobuf::descriptor::FileDescriptorProto;

use super::positions::{MAX_NESTING, TokenKind, first_too_deep, scan, tokens};
use crate::contract::{self, ContractErrors, contract_files, io_reason};
use crate::source::boundary::Boundary;
use crate::source::diagnostic::{Code, Diagnostic, Location};

/// Files the protobuf parser provides itself when they are imported.
pub(super) const BUILT_IN: &[&str] = &[
    "google/protobuf/any.proto",
    "google/protobuf/api.proto",
    "google/protobuf/descriptor.proto",
    "google/protobuf/duration.proto",
    "google/protobuf/empty.proto",
    "google/protobuf/field_mask.proto",
    "google/protobuf/source_context.proto",
    "google/protobuf/struct.proto",
    "google/protobuf/timestamp.proto",
    "google/protobuf/type.proto",
    "google/protobuf/wrappers.proto",
    "rustproto.proto",
];

/// The `.proto` files of one side, read and checked for syntax, with the files they import.
pub(super) struct ProtoFiles {
    /// The include root: the directory, or a file's parent.
    pub(super) root: PathBuf,
    /// Import path (relative to the root, `/`-separated) → file.
    pub(super) files: BTreeMap<String, ProtoFile>,
    /// The import paths the contract consists of: a directory's files, or the one file.
    pub(super) inputs: Vec<String>,
}

pub(super) struct ProtoFile {
    pub(super) display: Arc<str>,
    pub(super) text: String,
}

impl ProtoFiles {
    /// Read the files of `path` and the files they import; imports may lead only where
    /// `boundary` allows.
    pub(super) fn read(path: &Path, boundary: &Boundary) -> Result<ProtoFiles, ContractErrors> {
        let listed = contract_files(path)?;
        let is_dir = path.is_dir();
        let root = if is_dir {
            path.to_path_buf()
        } else {
            match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        // A single file is imported by its name (`old.proto` has no `./` to strip from it).
        let inputs: Vec<(String, PathBuf)> = if is_dir {
            listed
                .into_iter()
                .filter(|f| f.extension().is_some_and(|e| e == "proto"))
                .filter_map(|f| Some((import_path(&root, &f)?, f)))
                .collect()
        } else {
            listed
                .into_iter()
                .filter_map(|f| Some((f.file_name()?.to_str()?.to_owned(), f)))
                .collect()
        };
        if inputs.is_empty() {
            return Err(Diagnostic::error(
                Code::UnknownFormat,
                Location::new(contract::display(path), 0, 0),
                "no .proto files",
            )
            .into());
        }
        let mut sources = ProtoFiles {
            root,
            files: BTreeMap::new(),
            inputs: inputs.iter().map(|(rel, _)| rel.clone()).collect(),
        };
        let mut errors = Vec::new();
        let mut imports: BTreeMap<String, Vec<(String, Location)>> = BTreeMap::new();
        let mut queue = inputs;
        queue.reverse();
        let mut seen = BTreeSet::new();
        while let Some((rel, file)) = queue.pop() {
            if !seen.insert(rel.clone()) {
                continue;
            }
            let display = contract::display(&file);
            let text = match crate::source::file::read_text(&file, Default::default()) {
                Ok(text) => text,
                Err(e) => {
                    errors.push(e.to_diagnostic(display));
                    continue;
                }
            };
            // The parser recurses once per nesting level: refuse what would overflow its stack.
            if let Some((line, column)) = first_too_deep(&text) {
                errors.push(Diagnostic::error(
                    Code::Syntax,
                    Location::new(display, line, column),
                    format!(
                        "nested more than {MAX_NESTING} levels deep (messages, or brackets in option values): not read"
                    ),
                ));
                continue;
            }
            if let Err(e) = protobuf_parse::pure::parse_dependencies(&text) {
                errors.push(syntax_error(
                    &display,
                    &text,
                    e.line,
                    e.col,
                    &e.error.to_string(),
                ));
                continue;
            }
            let positions = scan(&text, "", display.clone());
            // The parser panics on a name declared twice in one file: say where instead.
            for duplicate in &positions.duplicates {
                errors.push(
                    Diagnostic::error(
                        Code::DuplicateId,
                        duplicate.again.clone(),
                        format!("`{}` is already defined", duplicate.name),
                    )
                    .with_related(duplicate.first.clone(), "first defined here"),
                );
            }
            if !positions.duplicates.is_empty() {
                continue;
            }
            let file_imports = positions.imports;
            for (import, at) in &file_imports {
                let on_disk = sources.root.join(import);
                // An import is a path written inside a file the run does not trust.
                if let Err(refused) = boundary.check(&on_disk) {
                    errors.push(Diagnostic::error(
                        Code::Io,
                        at.clone(),
                        format!("import `{import}`: {refused}"),
                    ));
                    continue;
                }
                if on_disk.is_file() {
                    queue.push((import.clone(), on_disk));
                } else if !BUILT_IN.contains(&import.as_str()) {
                    errors.push(Diagnostic::error(
                        Code::DanglingReference,
                        at.clone(),
                        format!(
                            "import `{import}` not found: imports resolve from {}",
                            contract::display(&sources.root)
                        ),
                    ));
                }
            }
            imports.insert(rel.clone(), file_imports);
            sources.files.insert(rel, ProtoFile { display, text });
        }
        // The parser recurses through imports without a guard: a cycle would overflow its stack.
        if errors.is_empty()
            && let Some(cycle) = import_cycle(&imports)
        {
            errors.push(cycle);
        }
        if errors.is_empty() {
            Ok(sources)
        } else {
            Err(ContractErrors { errors })
        }
    }

    /// Parse and type-check the inputs into descriptors (inputs and the files they import).
    pub(super) fn parse(&self) -> Result<Vec<FileDescriptorProto>, ContractErrors> {
        let root = std::path::absolute(&self.root).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                Location::new(contract::display(&self.root), 0, 0),
                format!("cannot resolve the directory: {}", io_reason(&e)),
            )
        })?;
        // protobuf-parse reads the files itself and rejects a byte-order mark. When a file has
        // one, the parser reads copies of the texts as read here (BOM removed), laid out the
        // same way under a temporary root, so that import paths and messages are unchanged.
        let staged = self.stage_if_marked(&root)?;
        let root = staged.as_ref().map_or(root, |dir| dir.path().to_path_buf());
        let mut parser = protobuf_parse::Parser::new();
        parser.pure().include(&root);
        for rel in &self.inputs {
            parser.input(root.join(rel));
        }
        // The parser is documented as having no stable API and unwraps in places (duplicate
        // names are caught before it runs, but others may remain); a panic in it must become a
        // diagnostic, not end the run or print a backtrace.
        match quietly(|| parser.parse_and_typecheck()) {
            Ok(Ok(parsed)) => Ok(parsed.file_descriptors),
            Ok(Err(e)) => Err(self.semantic_error(&root, &e).into()),
            Err(_) => {
                let (at, files) = match self.inputs.as_slice() {
                    [one] => (
                        self.files
                            .get(one)
                            .map_or_else(|| contract::display(&self.root), |f| f.display.clone()),
                        "this file",
                    ),
                    _ => (contract::display(&self.root), "these files"),
                };
                Err(Diagnostic::error(
                    Code::Syntax,
                    Location::new(at, 0, 0),
                    format!("the protobuf parser failed on {files} (an internal error of protobuf-parse)"),
                )
                .into())
            }
        }
    }

    /// A temporary copy of every file's text under the same import paths, when any file on disk
    /// starts with a UTF-8 byte-order mark; `None` (read in place) otherwise.
    fn stage_if_marked(&self, root: &Path) -> Result<Option<tempfile::TempDir>, ContractErrors> {
        let marked = self.files.keys().any(|rel| {
            let mut head = [0u8; 3];
            std::fs::File::open(root.join(rel))
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
                .is_ok_and(|()| head == [0xEF, 0xBB, 0xBF])
        });
        if !marked {
            return Ok(None);
        }
        let failed = |e: std::io::Error| -> ContractErrors {
            Diagnostic::error(
                Code::Io,
                Location::new(contract::display(&self.root), 0, 0),
                format!("cannot stage the files for the parser: {}", io_reason(&e)),
            )
            .into()
        };
        let dir = tempfile::tempdir().map_err(failed)?;
        for (rel, file) in &self.files {
            let path = dir.path().join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(failed)?;
            }
            std::fs::write(&path, &file.text).map_err(failed)?;
        }
        Ok(Some(dir))
    }

    /// A type-checking error (a type that is defined nowhere, a bad option), placed at the
    /// first mention of the name it is about.
    pub(super) fn semantic_error(&self, root: &Path, e: &anyhow::Error) -> Diagnostic {
        let reason = e.root_cause().to_string();
        let file = e.chain().find_map(|c| {
            let s = c.to_string();
            let path = s.strip_prefix("error in `")?.split_once('`')?.0.to_owned();
            Some(path)
        });
        let source = file.as_deref().and_then(|f| {
            let rel = import_path(root, Path::new(f))?;
            self.files.get(&rel)
        });
        let Some(source) = source else {
            return Diagnostic::error(
                Code::Syntax,
                Location::new(contract::display(&self.root), 0, 0),
                lower_first(&reason),
            );
        };
        let name = reason.split('`').nth(1).unwrap_or("");
        let at = tokens(&source.text)
            .into_iter()
            .find(|t| t.kind == TokenKind::Word && !name.is_empty() && t.text == name)
            .map_or(Location::new(source.display.clone(), 0, 0), |t| {
                Location::new(source.display.clone(), t.line, t.column)
            });
        if let Some(rest) = reason.strip_prefix("object is not found by path ") {
            let scope = rest
                .split('`')
                .nth(3)
                .map(|s| s.trim_start_matches('.'))
                .unwrap_or("");
            return Diagnostic::error(
                Code::DanglingReference,
                at,
                format!(
                    "type `{name}` is not defined (looked up from `{scope}`) in this file or its imports"
                ),
            );
        }
        Diagnostic::error(Code::Syntax, at, lower_first(&reason))
    }
}

/// The import path of `file` under `root`: relative, `/`-separated.
pub(super) fn import_path(root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root).ok()?;
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Run `f`, which may panic inside a dependency, without printing that panic: the caller turns
/// it into a diagnostic.
///
/// The panic hook is process-wide, so it is not swapped for the call (another thread's panic
/// in that window would go unreported, and two threads could restore each other's hooks).
/// Instead a hook is installed once that stays silent only on a thread inside `quietly` and
/// hands every other panic to the hook it replaced.
pub(super) fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    thread_local! {
        static QUIET: Cell<bool> = const { Cell::new(false) };
    }
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was_quiet = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was_quiet));
    result
}

/// How long a chain of imports may be (a imports b imports c ...). protobuf-parse follows
/// imports by recursion, and so does the cycle check; real modules stay under a dozen.
pub(super) const MAX_IMPORT_DEPTH: usize = 100;

/// The first import cycle among the files, reported at the import that closes it, or the first
/// import chain longer than [`MAX_IMPORT_DEPTH`] files, reported at the import that exceeds it.
pub(super) fn import_cycle(
    imports: &BTreeMap<String, Vec<(String, Location)>>,
) -> Option<Diagnostic> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        /// Visited: the length of the longest import chain from the file, the file included.
        Done(usize),
    }
    /// Recursion is bounded: a call is made only while the chain on `stack` is shorter than
    /// the limit.
    fn visit<'a>(
        file: &'a str,
        imports: &'a BTreeMap<String, Vec<(String, Location)>>,
        marks: &mut HashMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
    ) -> Result<usize, Diagnostic> {
        marks.insert(file, Mark::Visiting);
        stack.push(file);
        let mut longest = 1;
        for (import, at) in imports.get(file).into_iter().flatten() {
            let below = match marks.get(import.as_str()) {
                Some(Mark::Visiting) => {
                    let start = stack.iter().position(|f| *f == import).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[start..].to_vec();
                    cycle.push(import);
                    return Err(Diagnostic::error(
                        Code::InvalidValue,
                        at.clone(),
                        format!("import cycle: {}", cycle.join(" -> ")),
                    ));
                }
                Some(Mark::Done(length)) => *length,
                None if imports.contains_key(import) && stack.len() < MAX_IMPORT_DEPTH => {
                    visit(import, imports, marks, stack)?
                }
                None if imports.contains_key(import) => MAX_IMPORT_DEPTH,
                None => 0,
            };
            longest = longest.max(below + 1);
            if stack.len() - 1 + longest > MAX_IMPORT_DEPTH {
                return Err(Diagnostic::error(
                    Code::InvalidValue,
                    at.clone(),
                    format!(
                        "imports nest more than {MAX_IMPORT_DEPTH} files deep (through `{import}`): not read"
                    ),
                ));
            }
        }
        stack.pop();
        marks.insert(file, Mark::Done(longest));
        Ok(longest)
    }
    let mut marks = HashMap::new();
    for file in imports.keys() {
        if !marks.contains_key(file.as_str())
            && let Err(d) = visit(file, imports, &mut marks, &mut Vec::new())
        {
            return Some(d);
        }
    }
    None
}

/// A syntax error from the parser, said as what was expected and what was found.
pub(super) fn syntax_error(
    file: &Arc<str>,
    text: &str,
    line: u32,
    column: u32,
    reason: &str,
) -> Diagnostic {
    let found = tokens(text)
        .into_iter()
        .find(|t| (t.line, t.column) >= (line, column))
        .map_or("end of file".to_owned(), |t| format!("`{}`", t.text));
    let message = if let Some((what, ch)) = reason
        .strip_prefix("While parsing ")
        .and_then(|r| r.split_once(", expecting char "))
    {
        format!("expected {ch} in {what}, found {found}")
    } else {
        match reason {
            "incorrect input" | "Incorrect input" => format!("unexpected {found}"),
            "Unexpected end of input" | "Unexpected EOF" => {
                "unexpected end of file: a block, statement or string is not closed".to_owned()
            }
            "unknown syntax" => "unknown syntax: expected \"proto2\" or \"proto3\"".to_owned(),
            "label not allowed" => format!(
                "label {found} not allowed here (proto3 has no `required`; oneof members take no label)"
            ),
            _ => format!(
                "{}, found {found}",
                lower_first(reason).replacen("expecting", "expected", 1)
            ),
        }
    };
    Diagnostic::error(
        Code::Syntax,
        Location::new(file.clone(), line, column),
        message,
    )
}

pub(super) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
