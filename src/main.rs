//! The `skyform` binary: parses arguments, runs the command, exits with its code.

/// mimalloc: plans allocate and free many small values; it is markedly faster than glibc's
/// allocator at that (see scripts/bench).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(skyform::cli::run(std::env::args().collect()));
}
