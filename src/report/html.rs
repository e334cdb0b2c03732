//! The HTML report (placeholder until drawn).
use crate::investigation::Investigation;
pub fn scan_report(inv: &Investigation) -> String {
    super::markdown::scan_report(inv)
}
