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
    ripple_with(args, repo_root(), &[("RIPPLE_TODAY", TODAY)])
}

/// Run ripple in `dir` with `env` added to the environment.
pub fn ripple_with(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_ripple"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
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

/// How long a run may take before it counts as a hang. Not a timing assertion: every run the
/// tests make takes well under a second; this only turns a hang (an exponential `$ref`
/// expansion, a symlink loop) into a failure instead of a stalled suite.
pub const HANG: std::time::Duration = std::time::Duration::from_secs(120);

/// [`ripple`], failing the test when the run takes longer than `limit` (and killing it), so that
/// a regression to a hang fails instead of stalling the suite, or when it panics.
pub fn ripple_within(limit: std::time::Duration, args: &[&str]) -> Run {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ripple"))
        .args(args)
        .env("RIPPLE_TODAY", TODAY)
        .current_dir(repo_root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ripple binary runs");
    // Drain the pipes on threads: a child blocked on a full pipe would look like a hang.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut s).ok();
        s
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("ripple {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let run = Run {
        code: status
            .code()
            .expect("ripple exited normally, not by a signal"),
        stdout: String::from_utf8(out.join().unwrap()).expect("stdout is UTF-8"),
        stderr: String::from_utf8(err.join().unwrap()).expect("stderr is UTF-8"),
    };
    // Whatever the answer, it is not a panic (exit 101 with a message and maybe a backtrace).
    assert!(
        run.code != 101
            && !run.stderr.contains("panicked")
            && !run.stderr.contains("stack backtrace"),
        "ripple {args:?} panicked:\n{}",
        run.stderr
    );
    run
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
