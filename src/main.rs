//! The `ripple` binary: everything happens in the library.

fn main() -> std::process::ExitCode {
    ripple::cli::run(std::env::args_os())
}
