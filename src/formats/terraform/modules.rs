//! Module sources: a `module` block's `source` → the repository directory it instantiates.
//!
//! Takes the calling directory and the source as written; gives the called directory, or says
//! why there is none. Only a local path (`./…`, `../…`) names a directory of this repository;
//! registry, git and HTTP sources are other repositories, which the caller reports as gaps (see
//! [`crate::model::Unit::gaps`]) rather than evaluating what it cannot read.
//!
//! [`local_calls`] is the light read the snapshot stage needs before evaluation: which
//! directories to load with a unit so that its module calls can be instantiated.

use crate::limits::Limits;

/// The directory a local source names, relative to the repository root; `None` when the source
/// is not a local path; an error when it leaves the repository.
pub fn local_source(dir: &str, source: &str) -> Option<Result<String, String>> {
    if !(source.starts_with("./") || source.starts_with("../") || source == "." || source == "..") {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in source.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Some(Err("leaves the repository".into()));
                }
            }
            s => parts.push(s),
        }
    }
    Some(Ok(parts.join("/")))
}

/// The directories that the files of `dir` call as local modules, sorted and without
/// duplicates. Only files that mention `module` are parsed; a file that cannot be read is left
/// to the evaluation, which reports it.
pub fn local_calls(dir: &str, files: &[(String, Vec<u8>)], limits: &Limits) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for (path, bytes) in files {
        if !bytes.windows(6).any(|w| w == b"module") {
            continue;
        }
        let Ok(text) = super::check_text(bytes, limits) else {
            continue;
        };
        for source in super::module_sources(path, text) {
            if let Some(Ok(d)) = local_source(dir, &source) {
                out.insert(d);
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_resolve_against_the_caller() {
        let ok = |d: &str, s: &str| local_source(d, s).and_then(Result::ok);
        assert_eq!(
            ok("envs/prod", "../../modules/site").as_deref(),
            Some("modules/site")
        );
        assert_eq!(ok("", "./modules/site/").as_deref(), Some("modules/site"));
        assert_eq!(ok("examples/complete", "../../").as_deref(), Some(""));
        assert_eq!(ok("a", "./b/../c").as_deref(), Some("a/c"));
        assert!(matches!(local_source("", "../x"), Some(Err(_))));
        assert_eq!(
            local_source("", "terraform-aws-modules/s3-bucket/aws"),
            None
        );
        assert_eq!(local_source("", "git::https://example.com/m.git"), None);
    }
}
