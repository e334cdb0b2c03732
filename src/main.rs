//! The configtrail binary: parses the command line and calls the library; nothing else.
use clap::Parser;
use configtrail::{cli, exit_codes};

fn main() {
    no_huge_pages();
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

/// Transparent huge pages off for this process. mimalloc asks the kernel for them (and on a
/// system set to `always` every large mapping gets them): a 2 MiB page is resident as a whole
/// however little of it is used, which made the resident memory of a scan a third larger
/// (85 MB against 57 MB on 5,000 commits, measured) at no measured gain in time.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory of ours;
    // if the kernel refuses, nothing changes.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
