//! The `skyform` binary: parses arguments, runs the command, exits with its code.

fn main() {
    std::process::exit(skyform::cli::run(std::env::args().collect()));
}
