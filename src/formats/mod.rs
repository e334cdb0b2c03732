//! Formats: the text of a unit's files → [`crate::model::Unit`].
//!
//! One module per IaC format. Each is a pure function of file contents, so its results can be
//! cached by blob id and it can be tested with tiny inline strings. [`parse_unit`] is the one
//! entry point the pipeline (and `check`) calls: it picks the reader from the unit's files, so no
//! stage after this one knows which format it is looking at.
//!
//! Units differ by format: a Terraform unit is a directory (its `.tf`, `.tf.json` and tfvars
//! files), while a Kubernetes manifest or a CloudFormation template is a unit on its own (a YAML
//! or JSON file). Which of the two a YAML or JSON file is can only be told from its content
//! (`apiVersion`/`kind`, or `AWSTemplateFormatVersion`/`Resources`), so every such file is a
//! candidate unit and [`manifest::parse`] decides, skipping silently what is neither (CI files,
//! Helm values, `package.json`).

pub mod cloudformation;
pub mod kubernetes;
pub mod manifest;
pub mod terraform;
pub mod tree;

use crate::limits::Limits;
use crate::model::Unit;

/// Is this repository path a file the Terraform reader takes?
pub fn is_terraform_file(path: &str) -> bool {
    // Every tfvars file: Terraform loads terraform.tfvars and *.auto.tfvars by itself, and any
    // other when named with --var-file, so a change to any of them may change a root. What
    // `terraform init` downloaded into `.terraform/` is read only through a root (see
    // `belongs_to`).
    is_terraform_name(path) && !path.split('/').any(|d| d == ".terraform")
}

/// Well-known YAML and JSON files of other tools: often large and changed on every dependency
/// bump, never a manifest or a template, so the history stage does not even diff them.
const FOREIGN_FILES: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "composer.json",
    "tsconfig.json",
    "jsconfig.json",
    "renovate.json",
    ".eslintrc.json",
    ".prettierrc.json",
    ".pre-commit-config.yaml",
    "mkdocs.yml",
];

/// Directories of vendored third-party code.
const FOREIGN_DIRS: &[&str] = &["node_modules", ".terraform"];

/// Is this a YAML or JSON file that may be a Kubernetes manifest or a CloudFormation template
/// (a unit of its own)? `.tf.json` and tfvars JSON belong to Terraform.
pub fn is_manifest_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    !is_terraform_file(path)
        && !FOREIGN_FILES.contains(&name)
        && !path.split('/').any(|d| FOREIGN_DIRS.contains(&d))
        && (name.ends_with(".yaml")
            || name.ends_with(".yml")
            || name.ends_with(".json")
            || name.ends_with(".template"))
}

/// Is this a path any format reads (the history stage diffs only these)?
pub fn is_iac_path(path: &str) -> bool {
    is_terraform_file(path) || is_manifest_file(path)
}

/// The unit a file belongs to: for Terraform, its directory (`""` for the repository root); for a
/// manifest or template, the file itself.
pub fn unit_of(path: &str) -> &str {
    if is_manifest_file(path) {
        return path;
    }
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    }
}

/// Does this file belong to `unit` (as [`unit_of`] assigns it)? A module vendored by
/// `terraform init` under `.terraform/modules/` is never a unit of its own, but its directory is
/// read when a root's `modules.json` names it.
pub fn belongs_to(path: &str, unit: &str) -> bool {
    let vendored = is_vendored(unit) && is_terraform_name(path);
    (is_iac_path(path) || vendored) && unit_of(path) == unit
}

/// Is this path inside what `terraform init` downloaded (`.terraform/`)?
pub fn is_vendored(path: &str) -> bool {
    path.split('/').any(|d| d == ".terraform")
}

/// Does the history stage diff this path: every IaC path, and the Terraform files of modules
/// vendored under `.terraform/modules/` (read only through the roots that vendored them)?
pub fn is_read_path(path: &str) -> bool {
    is_iac_path(path) || (is_vendored(path) && is_terraform_name(path))
}

fn is_terraform_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".tf")
        || name.ends_with(".tf.json")
        || name.ends_with(".tfvars")
        || name.ends_with(".tfvars.json")
}

/// Where `terraform init` records the modules it downloaded for the root `dir`.
pub fn modules_manifest(dir: &str) -> String {
    if dir.is_empty() {
        ".terraform/modules/modules.json".into()
    } else {
        format!("{dir}/.terraform/modules/modules.json")
    }
}

/// Parses the files of one unit under the default limits.
pub fn parse_unit(unit: &str, files: &[(String, Vec<u8>)]) -> Unit {
    parse_unit_with(unit, files, &Limits::default())
}

/// Parses the files of one unit, whatever its format: a manifest unit (one YAML or JSON file) is
/// read as Kubernetes or CloudFormation by its content, anything else as a Terraform directory.
/// A file past one of the run's `limits` is a problem naming the limit, never an error.
pub fn parse_unit_with(unit: &str, files: &[(String, Vec<u8>)], limits: &Limits) -> Unit {
    parse_root(unit, files, limits, &[])
}

/// [`parse_unit_with`] for a Terraform root given `--var-file` paths (which `files` holds).
pub fn parse_root(
    unit: &str,
    files: &[(String, Vec<u8>)],
    limits: &Limits,
    var_files: &[String],
) -> Unit {
    match files {
        [(path, bytes)] if path == unit && is_manifest_file(path) => {
            manifest::parse_with(path, bytes, limits)
        }
        _ => terraform::parse_root(unit, files, limits, var_files),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_by_format() {
        assert_eq!(unit_of("net/main.tf"), "net");
        assert_eq!(unit_of("net/main.tf.json"), "net");
        assert_eq!(unit_of("k8s/app.yaml"), "k8s/app.yaml");
        assert_eq!(unit_of("cfn/stack.json"), "cfn/stack.json");
        assert_eq!(unit_of("main.tf"), "");
        assert!(!is_manifest_file("net/main.tf.json"));
        assert!(!is_manifest_file("terraform.tfvars.json"));
        assert!(is_manifest_file("a/b.yml") && is_manifest_file("t.template"));
        assert!(!is_manifest_file("web/package-lock.json"));
        assert!(!is_manifest_file("web/node_modules/x/deploy.yaml"));
        assert!(belongs_to("k8s/app.yaml", "k8s/app.yaml"));
        assert!(!belongs_to("k8s/app.yaml", "k8s"));
        assert!(belongs_to("k8s/main.tf", "k8s"));
    }
}
