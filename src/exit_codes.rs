//! exit_codes
