//! Exit codes, as documented in the README and DESIGN.md.

/// The run finished and found nothing at or above the failing threshold.
pub const CLEAN: i32 = 0;
/// The run finished and found something at or above the failing threshold.
pub const FINDINGS: i32 = 1;
/// Bad input or usage: the message names the input and what is wrong.
pub const BAD_INPUT: i32 = 2;
