//! Running the binary from the repository root, so that paths in messages are as a user sees them.

use std::path::Path;
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Assert the exit code, showing the output when it is not the expected one.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The day tests run on, for rules that compare dates (sunsets, windows).
pub const TODAY: &str = "2026-11-22";

pub fn ripple(args: &[&str]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_ripple"))
        .args(args)
        .env("RIPPLE_TODAY", TODAY)
        .current_dir(repo_root())
        .output()
        .expect("the ripple binary runs");
    Run {
        code: output
            .status
            .code()
            .expect("ripple exited normally, not by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Lines of `text` that are diagnostics (`file:line:col: severity[code]: ...`).
pub fn diagnostics(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains(": error[") || l.contains(": warning["))
        .collect()
}

/// A scratch directory laid out as a repository (it holds `.git`), so that the references its
/// files make are judged against it as the root.
pub fn scratch_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
    dir
}

/// Write `text` to `path`, creating its directory; the path as a string for arguments.
pub fn write(path: &Path, text: impl AsRef<[u8]>) -> String {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
    path.to_str().expect("a UTF-8 path").to_owned()
}

/// `ripple` with `args`, and how long it took.
pub fn timed(args: &[&str]) -> (Run, std::time::Duration) {
    let start = std::time::Instant::now();
    let run = ripple(args);
    (run, start.elapsed())
}
