//! Terraform: a module directory's `.tf`, `.tf.json` and tfvars files → resources.
use crate::model::Unit;

/// Parses the files of one unit (paths repository-relative, contents raw bytes).
pub fn parse_unit(_unit: &str, _files: &[(String, Vec<u8>)]) -> Unit {
    Unit::default()
}
