//! A progress bar on stderr for long scans, shown only when stderr is a terminal.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Landings done / total, and the date in history reached (set by the caller as the message).
/// Hidden (and free) when stderr is not a terminal or the scan is short.
pub fn bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() || total < 200 {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} landings {pos}/{len} {msg} {wide_bar} {eta}")
    {
        pb.set_style(style);
    }
    pb
}
