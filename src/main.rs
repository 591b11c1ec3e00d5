//! The `ripple` binary: everything happens in the library.

/// Loading a large organisation makes millions of small allocations (ids, evidence, `uses`);
/// mimalloc serves them several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ripple::cli::run(std::env::args_os())
}
