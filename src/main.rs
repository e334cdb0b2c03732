//! The configtrail binary: sets up the allocator, parses the command line and calls the
//! library; nothing else.
use clap::Parser;
use configtrail::{cli, exit_codes};

fn main() {
    prompt_purge();
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
///
/// Run as a constructor ahead of mimalloc's own (prioritised `.init_array` entries run before
/// unprioritised ones) rather than from `main`: the Rust runtime allocates before `main`, and
/// that first allocation reserved mimalloc's arena with a huge page the kernel zeroed whole (8%
/// of the CPU samples of a terragoat scan, profiled; its wall time moved by a few percent).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array.00100"]
static NO_HUGE_PAGES: extern "C" fn() = {
    extern "C" fn no_huge_pages() {
        // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory of
        // ours; if the kernel refuses, nothing changes.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
    no_huge_pages
};

/// mimalloc's number for its `purge_delay` option in the mimalloc.h it is built from (v2 and
/// v3 alike); the crate does not name it. A test checks that this number reads back the
/// option's documented default.
const MI_OPTION_PURGE_DELAY: i32 = 15;

/// Memory freed goes back to the system after 10 ms (mimalloc v2's delay) instead of the second
/// mimalloc v3 waits: a scan frees as it goes (parsed units, blocks of landings), and the long
/// delay kept 5 to 10 MB more resident (5,000 commits: 58 against 53 MB; 50,000: 98 against 94
/// MB). Purging at once saved no more and made `review`, whose threads hand memory to each
/// other, a tenth of a second slower (alternating runs of each setting).
fn prompt_purge() {
    // SAFETY: mi_option_set stores an integer in mimalloc's option table; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_mimalloc_reads() {
        // SAFETY: reading an option is a plain lookup in mimalloc's table.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        // purge_delay's default: 1,000 ms in mimalloc v3, 10 ms in v2 (the test process does not
        // run prompt_purge, but a MIMALLOC_PURGE_DELAY in the environment would show here).
        let from_env = std::env::var("MIMALLOC_PURGE_DELAY").ok();
        assert!(
            delay == 1000 || delay == 10 || from_env.is_some(),
            "option {} reads {delay}",
            super::MI_OPTION_PURGE_DELAY
        );
    }
}
