//! Formats: the text of a unit's files → [`crate::model::Unit`].
//!
//! One module per IaC format. Each is a pure function of file contents, so its results can be
//! cached by blob id and it can be tested with tiny inline strings.

pub mod terraform;

/// Is this repository path a file the Terraform reader takes?
pub fn is_terraform_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".tf")
        || name.ends_with(".tf.json")
        || name == "terraform.tfvars"
        || name == "terraform.tfvars.json"
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json")
}

/// Is this a path any format reads (the history stage diffs only these)?
pub fn is_iac_path(path: &str) -> bool {
    is_terraform_file(path)
}

/// The unit a file belongs to: for Terraform, its directory (`""` for the repository root).
pub fn unit_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    }
}

/// A unit path as reports show it: the repository root is `.`, not an empty string.
pub fn unit_display(path: &str) -> &str {
    if path.is_empty() {
        "."
    } else {
        path
    }
}

/// The format a file is read as, if any. (One arm per format: a new reader adds its arm here and
/// in [`parse_unit`], and `check` and the history stage pick it up.)
pub fn format_of(path: &str) -> Option<crate::model::Format> {
    is_terraform_file(path).then_some(crate::model::Format::Terraform)
}

/// Parses the files of one unit with the reader of its format. Every file of a unit has the same
/// format (a unit is a Terraform directory, one YAML file, one template).
pub fn parse_unit(unit: &str, files: &[(String, Vec<u8>)]) -> crate::model::Unit {
    match files.first().and_then(|(p, _)| format_of(p)) {
        Some(crate::model::Format::Terraform) | None => terraform::parse_unit(unit, files),
    }
}
