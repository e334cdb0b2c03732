//! Resource history: blame for the settings of one resource, over the whole history.
//!
//! Takes a repository, a ref and a resource address; gives every change to that resource's
//! settings (when it landed, through which commit, by whom, before → after, file:line), each
//! marked with the rules whose evidence it touches and the windows it opened, widened or closed.
//! It is the same scan as `scan` with the resource watched, so its claims and the scan's cannot
//! differ. Every setting is listed, not only the ones a rule fires on: a reviewer deciding what
//! is security-relevant should see what was left out. The result is written by
//! [`crate::report::history`] (text, and the `configtrail.history/1` JSON).

use crate::engine::scan::{scan_with, ScanResult, Walk};
use crate::history::{HistoryError, Repo};

/// Scans `reference` watching `address`.
pub fn history(
    repo: &mut Repo,
    reference: &str,
    address: &str,
    redaction: crate::redact::Options,
) -> Result<ScanResult, HistoryError> {
    let r = scan_with(
        repo,
        reference,
        Walk {
            watch: Some(address.to_string()),
            redaction,
            ..Walk::default()
        },
    )?;
    if r.watched.is_empty() {
        // Files that could not be read may hold it: say so, naming the first, rather than
        // claim it was never there.
        // Only what could not be read may hide it: an undecided verdict read its resource.
        let unreadable: Vec<&crate::engine::timeline::BlindSpot> = r
            .blind_spots
            .iter()
            .filter(|b| !crate::engine::timeline::undecided_reason(&b.reason))
            .collect();
        let unread = match unreadable.first() {
            Some(b) => format!(
                "; {} part{} of the history could not be read and may hold it (first: {} at {}: {})",
                unreadable.len(),
                if unreadable.len() == 1 { "" } else { "s" },
                match (b.file.as_str(), b.unit.as_str()) {
                    ("", "") => "the history",
                    ("", unit) => crate::formats::unit_display(unit),
                    (file, _) => file,
                },
                r.landing_commit(b.from).id,
                b.reason
            ),
            None => String::new(),
        };
        return Err(HistoryError::Git {
            repo: repo.given.clone(),
            reason: format!(
                "no resource {address} in the history of {reference} (give its address as in the code, e.g. aws_security_group.web){unread}"
            ),
        });
    }
    Ok(r)
}
