//! The AWS pack for Terraform.
use super::Rule;

pub static RULES: &[Rule] = &[];
