//! The configtrail binary: parses the command line and calls the library; nothing else.
use clap::Parser;
use configtrail::{cli, exit_codes};

fn main() {
    let args = cli::Cli::parse();
    let code = match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("configtrail: {e:#}");
            exit_codes::BAD_INPUT
        }
    };
    std::process::exit(code);
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
