//! The `skyform` binary: parses arguments, runs the command, exits with its code.

/// mimalloc: plans allocate and free many small values; it is markedly faster than glibc's
/// allocator at that (see scripts/bench).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Like other Unix tools (and Terraform): `skyform state list | head` ends quietly when the
    // reader goes away, instead of failing on a write to a closed pipe.
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(skyform::cli::run(std::env::args().collect()));
}
