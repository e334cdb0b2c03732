//! Shared matchers for rules.
