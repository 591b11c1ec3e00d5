use std::path::Path;

use super::model::{FieldType, Scalar, wire_compatible};
use super::parse::syntax_error;
use super::positions::{TokenKind, parse_int, scan, tokens};
use super::{Protobuf, rules};
use crate::contract::{ContractErrors, Diff, Rule};
use crate::source::diagnostic::Code;

fn diff_paths(old: &Path, new: &Path) -> Result<Diff, ContractErrors> {
    let today = jiff::civil::date(2026, 11, 30);
    crate::contract::diff_as::<Protobuf>(old, new, &crate::contract::DiffOptions::new(today))
}

fn scalar(s: Scalar) -> FieldType {
    FieldType::Scalar(s)
}

#[test]
fn wire_compatibility_follows_the_language_guide() {
    use Scalar::*;
    let compatible = [
        (scalar(Int32), scalar(Int64)),
        (scalar(Int32), scalar(Uint64)),
        (scalar(Uint32), scalar(Bool)),
        (scalar(Int64), scalar(Bool)),
        (scalar(Sint32), scalar(Sint64)),
        (scalar(Fixed32), scalar(Sfixed32)),
        (scalar(Fixed64), scalar(Sfixed64)),
        (scalar(String), scalar(Bytes)),
        (FieldType::Enum("a.E".into()), scalar(Int32)),
        (FieldType::Enum("a.E".into()), FieldType::Enum("a.F".into())),
        (FieldType::Message("a.M".into()), scalar(Bytes)),
        (
            FieldType::Map(Box::new(scalar(String)), Box::new(scalar(Int32))),
            FieldType::Map(Box::new(scalar(String)), Box::new(scalar(Int64))),
        ),
    ];
    for (a, b) in &compatible {
        assert!(wire_compatible(a, b), "{a} -> {b}");
        assert!(wire_compatible(b, a), "{b} -> {a}");
    }
    let incompatible = [
        (scalar(Int32), scalar(String)),
        (scalar(Int32), scalar(Sint32)),
        (scalar(Int64), scalar(Fixed64)),
        (scalar(Fixed32), scalar(Float)),
        (scalar(Fixed32), scalar(Fixed64)),
        (scalar(Double), scalar(Float)),
        (FieldType::Enum("a.E".into()), scalar(Bool)),
        (FieldType::Enum("a.E".into()), scalar(Sint32)),
        (FieldType::Message("a.M".into()), scalar(String)),
        (
            FieldType::Message("a.M".into()),
            FieldType::Message("a.N".into()),
        ),
        (
            FieldType::Message("a.M".into()),
            FieldType::Group("a.M".into()),
        ),
        (
            FieldType::Map(Box::new(scalar(String)), Box::new(scalar(Int32))),
            FieldType::Map(Box::new(scalar(Int32)), Box::new(scalar(Int32))),
        ),
    ];
    for (a, b) in &incompatible {
        assert!(!wire_compatible(a, b), "{a} -> {b}");
        assert!(!wire_compatible(b, a), "{b} -> {a}");
    }
}

#[test]
fn tokens_skip_comments_and_count_characters() {
    let text = "// note: message Fake {}\nmessage Stock /* x { */ {\n  option (n) = \"café\"; }\n";
    let found = tokens(text);
    let texts: Vec<&str> = found.iter().map(|t| t.text).collect();
    assert_eq!(
        texts,
        [
            "message",
            "Stock",
            "{",
            "option",
            "(",
            "n",
            ")",
            "=",
            "\"café\"",
            ";",
            "}"
        ]
    );
    // Columns count characters, not bytes: `;` follows the 6-character string at 16.
    let semi = found.iter().find(|t| t.text == ";").unwrap();
    assert_eq!((semi.line, semi.column), (3, 22));
    let found = tokens("option (a) = \"x;\\\"y\"; .5e-3 0x1F google.protobuf.Any");
    let kinds: Vec<(TokenKind, &str)> = found.iter().map(|t| (t.kind, t.text)).collect();
    assert!(kinds.contains(&(TokenKind::StringLiteral, "\"x;\\\"y\"")));
    assert!(kinds.contains(&(TokenKind::Number, ".5e-3")));
    assert!(kinds.contains(&(TokenKind::Number, "0x1F")));
    assert!(kinds.contains(&(TokenKind::Word, "google.protobuf.Any")));
    // Unterminated literals and comments end the text without a panic.
    assert_eq!(tokens("'abc").len(), 1);
    assert!(tokens("/* never closed").is_empty());
}

const SAMPLE: &str = r#"syntax = "proto3";

package inventory.v1;

import "google/protobuf/timestamp.proto";

// A warehouse's stock of one item.
message StockLevel {
  option (custom) = { a: 1 };
  string sku = 1;
  repeated .google.protobuf.Timestamp counted_at = 2 [deprecated = true];
  map<string, int64> by_bin = 3;
  oneof source {
    string scanner_id = 4;
    Manual manual = 5;
  }
  message Manual {
    string operator = 1;
  }
  reserved 6, 8 to 10;
  reserved "legacy_qty";
  optional group Legacy = 11 {
    int32 level = 1;
  }
  enum TokenKind {
    KIND_UNSPECIFIED = 0;
    KIND_BULK = 1 [deprecated = true];
    reserved 2 to max;
  }
}

service InventoryService {
  rpc GetStock(GetStockRequest) returns (StockLevel);
  rpc WatchStock(GetStockRequest) returns (stream StockLevel) {
    option deprecated = true;
  }
}
"#;

#[test]
fn scan_finds_every_declaration() {
    let p = scan(SAMPLE, "inventory.v1", "inv.proto".into());
    let line = |key: &str| {
        let at = p
            .declarations
            .get(key)
            .unwrap_or_else(|| panic!("{key} not found"));
        (at.line, at.column)
    };
    assert_eq!(p.package.as_ref().map(|l| l.line), Some(3));
    assert_eq!(p.imports.len(), 1);
    assert_eq!(p.imports[0].0, "google/protobuf/timestamp.proto");
    assert_eq!((p.imports[0].1.line, p.imports[0].1.column), (5, 8));
    assert_eq!(line("inventory.v1.StockLevel"), (8, 1));
    assert_eq!(line("inventory.v1.StockLevel.sku"), (10, 3));
    assert_eq!(line("inventory.v1.StockLevel.counted_at"), (11, 3));
    assert_eq!(line("inventory.v1.StockLevel.by_bin"), (12, 3));
    assert_eq!(line("inventory.v1.StockLevel.scanner_id"), (14, 5));
    assert_eq!(line("inventory.v1.StockLevel.manual"), (15, 5));
    assert_eq!(line("inventory.v1.StockLevel.Manual"), (17, 3));
    assert_eq!(line("inventory.v1.StockLevel.Manual.operator"), (18, 5));
    assert_eq!(line("inventory.v1.StockLevel.legacy"), (22, 3));
    assert_eq!(line("inventory.v1.StockLevel.Legacy.level"), (23, 5));
    assert_eq!(line("inventory.v1.StockLevel.TokenKind"), (25, 3));
    assert_eq!(line("inventory.v1.StockLevel.TokenKind.KIND_BULK"), (27, 5));
    assert_eq!(line("inventory.v1.InventoryService"), (32, 1));
    assert_eq!(line("inventory.v1.InventoryService/GetStock"), (33, 3));
    assert_eq!(line("inventory.v1.InventoryService/WatchStock"), (34, 3));
    assert!(
        !p.declarations
            .contains_key("inventory.v1.StockLevel.source")
    );
    assert!(
        !p.declarations
            .contains_key("inventory.v1.StockLevel.TokenKind.reserved")
    );
    let reserved = &p.reserved["inventory.v1.StockLevel"];
    assert_eq!(reserved[0].ranges, [(6, 6), (8, 10)]);
    assert_eq!(reserved[0].at.line, 20);
    assert!(reserved[1].ranges.is_empty());
    let kind = &p.reserved["inventory.v1.StockLevel.TokenKind"];
    assert_eq!(kind[0].ranges, [(2, i64::MAX)]);
}

#[test]
fn integers_in_all_bases() {
    assert_eq!(parse_int("42"), Some(42));
    assert_eq!(parse_int("0"), Some(0));
    assert_eq!(parse_int("0x1f"), Some(31));
    assert_eq!(parse_int("017"), Some(15));
    assert_eq!(parse_int("1.5"), None);
}

#[test]
fn syntax_errors_say_what_was_expected_and_found() {
    let text = "syntax = \"proto3\";\nmessage StockLevel {\n  string sku = 1\n}\n";
    let err = protobuf_parse::pure::parse_dependencies(text).unwrap_err();
    let d = syntax_error(
        &"a.proto".into(),
        text,
        err.line,
        err.col,
        &err.error.to_string(),
    );
    assert_eq!(d.code, Code::Syntax);
    assert_eq!((d.location.line, d.location.column), (4, 1));
    assert_eq!(d.message, "expected `;` in field, found `}`");
    let text = "syntax = \"proto3\";\nmessage StockLevel {\n  int32 = 1;\n}\n";
    let err = protobuf_parse::pure::parse_dependencies(text).unwrap_err();
    let d = syntax_error(
        &"a.proto".into(),
        text,
        err.line,
        err.col,
        &err.error.to_string(),
    );
    assert_eq!(
        d.to_string(),
        "a.proto:3:9: error[syntax]: expected identifier, found `=`"
    );
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn rules(diff: &Diff) -> Vec<(&'static Rule, &str)> {
    diff.changes
        .iter()
        .map(|c| (c.rule, c.element.as_str()))
        .collect()
}

#[test]
fn swapped_field_numbers_are_two_number_changes() {
    let dir = tempfile::tempdir().unwrap();
    let head = "syntax = \"proto3\";\npackage inv.v1;\n";
    write(
        dir.path(),
        &[
            (
                "old.proto",
                &format!("{head}message Item {{ string sku = 1; int32 qty = 2; }}\n"),
            ),
            (
                "new.proto",
                &format!("{head}message Item {{ string sku = 2; int32 qty = 1; }}\n"),
            ),
        ],
    );
    let diff = diff_paths(&dir.path().join("old.proto"), &dir.path().join("new.proto")).unwrap();
    assert_eq!(
        rules(&diff),
        [
            (rules::FIELD_NUMBER_CHANGED, "inv.v1.Item.qty"),
            (rules::FIELD_NUMBER_CHANGED, "inv.v1.Item.sku"),
        ]
    );
}

#[test]
fn a_number_taken_by_a_moved_field_is_reused() {
    let dir = tempfile::tempdir().unwrap();
    let head = "syntax = \"proto3\";\npackage inv.v1;\n";
    write(
        dir.path(),
        &[
            (
                "old.proto",
                &format!("{head}message Item {{ string sku = 1; int32 qty = 2; }}\n"),
            ),
            (
                "new.proto",
                &format!("{head}message Item {{ int32 qty = 1; string note = 2; }}\n"),
            ),
        ],
    );
    let diff = diff_paths(&dir.path().join("old.proto"), &dir.path().join("new.proto")).unwrap();
    assert_eq!(
        rules(&diff),
        [
            (rules::FIELD_NUMBER_REUSED, "inv.v1.Item.note"),
            (rules::FIELD_NUMBER_CHANGED, "inv.v1.Item.qty"),
            (rules::FIELD_NUMBER_REUSED, "inv.v1.Item.sku"),
        ]
    );
}

#[test]
fn changes_inside_nested_messages_name_the_rpcs_they_reach() {
    let dir = tempfile::tempdir().unwrap();
    let text = |ty: &str| {
        format!(
            "syntax = \"proto3\";\npackage inv.v1;\n\
             message Line {{ {ty} qty = 1; }}\n\
             message Order {{ repeated Line lines = 1; }}\n\
             message PlaceRequest {{ Order order = 1; }}\n\
             message PlaceResponse {{}}\n\
             message Audit {{ Line line = 1; }}\n\
             service Orders {{ rpc Place(PlaceRequest) returns (PlaceResponse); }}\n"
        )
    };
    write(
        dir.path(),
        &[
            ("old.proto", &text("int32")),
            ("new.proto", &text("double")),
        ],
    );
    let diff = diff_paths(&dir.path().join("old.proto"), &dir.path().join("new.proto")).unwrap();
    assert_eq!(
        rules(&diff),
        [(rules::FIELD_TYPE_CHANGED, "inv.v1.Line.qty")]
    );
    let change = &diff.changes[0];
    assert!(
        change
            .message
            .ends_with("; reaches rpc inv.v1.Orders/Place"),
        "{}",
        change.message
    );
    assert_eq!(
        change.old.as_ref().map(|l| (l.line, l.column)),
        Some((3, 16))
    );
}

#[test]
fn enum_aliases_are_not_renames() {
    let dir = tempfile::tempdir().unwrap();
    let head = "syntax = \"proto3\";\npackage inv.v1;\n";
    write(
        dir.path(),
        &[
            (
                "old.proto",
                &format!(
                    "{head}enum State {{ option allow_alias = true; STATE_UNSPECIFIED = 0; STATE_OK = 1; STATE_FINE = 1; }}\n"
                ),
            ),
            (
                "new.proto",
                &format!(
                    "{head}enum State {{ option allow_alias = true; STATE_UNSPECIFIED = 0; STATE_OK = 1; STATE_GOOD = 1; }}\n"
                ),
            ),
        ],
    );
    let diff = diff_paths(&dir.path().join("old.proto"), &dir.path().join("new.proto")).unwrap();
    assert_eq!(
        rules(&diff),
        [
            (
                rules::ENUM_VALUE_REMOVED_WITHOUT_RESERVE,
                "inv.v1.State.STATE_FINE"
            ),
            (rules::ENUM_VALUE_ADDED, "inv.v1.State.STATE_GOOD"),
        ]
    );
}

#[test]
fn errors_are_diagnostics_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "cycle/a.proto",
                "syntax = \"proto3\";\nimport \"b.proto\";\n",
            ),
            (
                "cycle/b.proto",
                "syntax = \"proto3\";\nimport \"a.proto\";\n",
            ),
            (
                "missing/a.proto",
                "syntax = \"proto3\";\nimport \"nowhere.proto\";\n",
            ),
            (
                "undefined/a.proto",
                "syntax = \"proto3\";\nmessage A {\n  Missing m = 1;\n}\n",
            ),
            (
                "dup/a.proto",
                "syntax = \"proto3\";\npackage p;\nmessage A {}\n",
            ),
            (
                "dup/b.proto",
                "syntax = \"proto3\";\npackage p;\n\nenum A { A_X = 0; }\n",
            ),
            (
                "sibling/a.proto",
                "syntax = \"proto3\";\nimport \"b.proto\";\n",
            ),
            (
                "sibling/b.proto",
                "syntax = \"proto3\";\nmessage B { int32 x = 1 }\n",
            ),
            ("ok/a.proto", "syntax = \"proto3\";\nmessage A {}\n"),
        ],
    );
    let ok = dir.path().join("ok");
    let error = |case: &str| {
        let e = diff_paths(&dir.path().join(case), &ok).unwrap_err();
        assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
        e.errors.into_iter().next().unwrap()
    };
    let d = error("cycle");
    assert_eq!(d.code, Code::InvalidValue);
    assert!(
        d.message
            .starts_with("import cycle: a.proto -> b.proto -> a.proto"),
        "{}",
        d.message
    );
    let d = error("missing");
    assert_eq!(
        (d.code, d.location.line, d.location.column),
        (Code::DanglingReference, 2, 8)
    );
    let d = error("undefined");
    assert_eq!(
        (d.code, d.location.line, d.location.column),
        (Code::DanglingReference, 3, 3)
    );
    assert!(d.message.contains("`Missing`"), "{}", d.message);
    let d = error("dup");
    assert_eq!((d.code, d.location.line), (Code::DuplicateId, 4));
    assert_eq!(d.related[0].location.line, 3);
    // A broken file both listed and imported is reported once.
    let d = error("sibling");
    assert_eq!(
        (d.code, d.location.line, d.location.column),
        (Code::Syntax, 2, 25)
    );
}

#[test]
fn a_panic_run_quietly_is_returned_not_raised() {
    let result = super::parse::quietly(|| -> u32 { panic!("inside a dependency") });
    assert!(result.is_err());
    assert_eq!(super::parse::quietly(|| 7).ok(), Some(7));
}
