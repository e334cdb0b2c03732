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
