//! Migration files and their order: which `.sql` files of a directory apply, and in what order
//! (Flyway, golang-migrate, dbmate, goose, Prisma and plain numbered files).

use std::path::{Path, PathBuf};

use crate::contract::{ContractErrors, contract_files};

/// The part a file plays in a migrations directory.
#[derive(Clone, Debug, PartialEq, Eq)]
enum MigrationStep {
    /// Applied in version order: Flyway `V1_1__x.sql`, golang-migrate `000001_x.up.sql`, plain
    /// `001_x.sql` or `20240101120000_x.sql`.
    Versioned(MigrationVersion),
    /// No version: applied after the versioned files, in natural order of their paths.
    Unversioned,
    /// Flyway `R__x.sql`: applied after everything else, by description, as Flyway does.
    Repeatable(String),
    /// Flyway `B5__x.sql`: the whole schema up to version 5, applied instead of `V1`..`V5` (the
    /// latest baseline wins).
    Baseline(MigrationVersion),
}

/// A version such as `1.2.10`: numeric parts compared as numbers, trailing zero parts ignored
/// (`1.0` is `1`), so that `V1_1` sorts after `V1` and `V10` after `V9`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct MigrationVersion(Vec<NaturalNumber>);

/// A decimal number of any length, without leading zeros, ordered by value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct NaturalNumber {
    digits: usize,
    text: String,
}

impl NaturalNumber {
    pub(super) fn parse(s: &str) -> Option<NaturalNumber> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let text = s.trim_start_matches('0').to_owned();
        Some(NaturalNumber {
            digits: text.len(),
            text,
        })
    }

    fn is_zero(&self) -> bool {
        self.digits == 0
    }
}

impl MigrationVersion {
    pub(super) fn parse(s: &str) -> Option<MigrationVersion> {
        let mut parts = s
            .split(['.', '_'])
            .map(NaturalNumber::parse)
            .collect::<Option<Vec<_>>>()?;
        while parts.len() > 1 && parts.last().is_some_and(NaturalNumber::is_zero) {
            parts.pop();
        }
        Some(MigrationVersion(parts))
    }
}

/// How a migration file named `name` is applied; `None` for files that are not applied (Flyway
/// undo scripts `U1__x.sql`, golang-migrate `.down.sql`).
fn migration_step(name: &str) -> Option<MigrationStep> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".down.sql") {
        return None;
    }
    let stem = name.get(..name.len().saturating_sub(4)).unwrap_or(name);
    let stem = stem.strip_suffix(".up").unwrap_or(stem);
    let mut chars = stem.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    let rest = chars.as_str();
    if let Some(prefix @ ('V' | 'U' | 'R' | 'B')) = first
        && let Some((version, description)) = rest.split_once("__")
    {
        match prefix {
            'R' if version.is_empty() => {
                return Some(MigrationStep::Repeatable(description.to_owned()));
            }
            'U' if MigrationVersion::parse(version).is_some() => return None,
            'V' | 'B' => {
                if let Some(v) = MigrationVersion::parse(version) {
                    return Some(if prefix == 'V' {
                        MigrationStep::Versioned(v)
                    } else {
                        MigrationStep::Baseline(v)
                    });
                }
            }
            _ => {}
        }
    }
    let digits: String = stem.chars().take_while(char::is_ascii_digit).collect();
    let after = stem[digits.len()..].chars().next();
    if !digits.is_empty()
        && matches!(after, None | Some('_' | '-' | '.'))
        && let Some(n) = NaturalNumber::parse(&digits)
    {
        return Some(MigrationStep::Versioned(MigrationVersion(vec![n])));
    }
    Some(MigrationStep::Unversioned)
}

/// A path split into text and numbers, so that `2_x.sql` sorts before `10_x.sql`.
fn natural_key(s: &str) -> Vec<(String, Option<NaturalNumber>)> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let text_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (text, tail) = rest.split_at(text_len);
        let digit_len = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (digits, tail) = tail.split_at(digit_len);
        out.push((text.to_owned(), NaturalNumber::parse(digits)));
        rest = tail;
    }
    out
}

/// The `.sql` files of a contract in the order they apply: the file itself, or a directory's
/// migrations, versioned first, then unversioned, then Flyway repeatables.
pub(super) fn migration_files(path: &Path) -> Result<Vec<PathBuf>, ContractErrors> {
    let files = contract_files(path)?;
    if files.len() == 1 && !path.is_dir() {
        return Ok(files);
    }
    // Sort key: group (versioned, unversioned, repeatable), version, repeatable description,
    // natural order of the relative path.
    type Key = (
        u8,
        Option<MigrationVersion>,
        String,
        Vec<(String, Option<NaturalNumber>)>,
    );
    let mut steps: Vec<(Key, PathBuf)> = Vec::new();
    let mut baselines: Vec<(MigrationVersion, PathBuf)> = Vec::new();
    for file in files {
        let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.to_ascii_lowercase().ends_with(".sql") {
            continue;
        }
        let relative = file
            .strip_prefix(path)
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        let natural = natural_key(&relative);
        let key = match migration_step(name) {
            None => continue,
            Some(MigrationStep::Versioned(v)) => (0, Some(v), String::new(), natural),
            Some(MigrationStep::Unversioned) => (1, None, String::new(), natural),
            Some(MigrationStep::Repeatable(d)) => (2, None, d, natural),
            Some(MigrationStep::Baseline(v)) => {
                baselines.push((v.clone(), file.clone()));
                (0, Some(v), String::new(), natural)
            }
        };
        steps.push((key, file));
    }
    // A baseline stands for every versioned migration up to its version, and for the older
    // baselines.
    if let Some((base, base_file)) = baselines.into_iter().max() {
        steps.retain(|((group, version, ..), file)| {
            *group != 0 || *file == base_file || version.as_ref().is_none_or(|v| *v > base)
        });
    }
    steps.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(steps.into_iter().map(|(_, file)| file).collect())
}

/// The part of a migration that applies it: dbmate (`-- migrate:down`) and goose
/// (`-- +goose Down`) keep the undo statements in the same file, after a marker.
pub(super) fn up_section(text: &str) -> &str {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let marker = line.trim().to_ascii_lowercase();
        let marker: String = marker.split_whitespace().collect::<Vec<_>>().join(" ");
        if marker == "-- migrate:down" || marker == "-- +goose down" {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}
