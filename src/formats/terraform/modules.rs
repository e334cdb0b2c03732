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
use std::collections::{BTreeMap, BTreeSet};

/// How a run is told to deploy Terraform, beyond what the repository says: directories that are
/// roots though another directory calls them (`--root`), and variable files applied to every
/// root after its own tfvars (`--var-file`, repository paths, in the order given, as Terraform
/// applies `-var-file`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootOptions {
    pub roots: Vec<String>,
    pub var_files: Vec<String>,
}

impl RootOptions {
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty() && self.var_files.is_empty()
    }
}

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

/// The modules `terraform init` vendored for the root `dir`, from its
/// `.terraform/modules/modules.json`: module key (`vpc`, `vpc.subnets` for a call inside it) →
/// repository directory. Nothing when the manifest cannot be read.
pub fn vendored(dir: &str, bytes: &[u8]) -> BTreeMap<String, String> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        #[serde(rename = "Modules", default)]
        modules: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(rename = "Key", default)]
        key: String,
        #[serde(rename = "Dir", default)]
        dir: String,
    }
    let Ok(m) = serde_json::from_slice::<Manifest>(bytes) else {
        return BTreeMap::new();
    };
    m.modules
        .into_iter()
        .filter(|e| !e.key.is_empty())
        .filter_map(|e| {
            let rel = if e.dir.starts_with("./") || e.dir.starts_with("../") {
                e.dir
            } else {
                format!("./{}", e.dir)
            };
            Some((e.key, local_source(dir, &rel)?.ok()?))
        })
        .collect()
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

/// The directories called as modules by a directory that is evaluated: everything reachable,
/// by one call or more, from a directory nobody calls. `graph` holds each calling directory's
/// local calls. A cycle of calls that no such directory reaches is left out, so each of its
/// members is evaluated on its own (and reports the cycle).
pub fn called(graph: &BTreeMap<String, Vec<String>>, roots: &[String]) -> BTreeSet<String> {
    let callee: BTreeSet<&str> = graph
        .iter()
        .flat_map(|(c, ds)| ds.iter().filter(move |d| *d != c).map(String::as_str))
        .collect();
    let mut out: BTreeSet<String> = BTreeSet::new();
    let mut stack: Vec<&str> = graph
        .iter()
        .filter(|(d, _)| !callee.contains(d.as_str()))
        .flat_map(|(d, ds)| ds.iter().filter(move |c| *c != d))
        .map(String::as_str)
        .collect();
    // A directory named a root is evaluated as one, and what it calls is called.
    stack.extend(
        roots
            .iter()
            .filter_map(|r| graph.get(r))
            .flatten()
            .map(String::as_str),
    );
    while let Some(d) = stack.pop() {
        if out.insert(d.to_string()) {
            if let Some(next) = graph.get(d) {
                stack.extend(next.iter().map(String::as_str));
            }
        }
    }
    for r in roots {
        out.remove(r);
    }
    out
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

    #[test]
    fn roots_call_modules_and_an_unreached_cycle_is_left_to_its_members() {
        let g = |edges: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> {
            edges
                .iter()
                .map(|(a, bs)| (a.to_string(), bs.iter().map(|b| b.to_string()).collect()))
                .collect()
        };
        let c = called(
            &g(&[
                ("envs/prod", &["modules/app"]),
                ("modules/app", &["modules/net"]),
            ]),
            &[],
        );
        assert_eq!(
            c,
            BTreeSet::from(["modules/app".into(), "modules/net".into()])
        );
        // A calls B calls A, and nobody calls either: both are evaluated (each reports the cycle).
        assert!(called(&g(&[("a", &["b"]), ("b", &["a"])]), &[]).is_empty());
        // `--root modules/app`: evaluated as a root as well as through envs/prod.
        let c = called(
            &g(&[
                ("envs/prod", &["modules/app"]),
                ("modules/app", &["modules/net"]),
            ]),
            &["modules/app".to_string()],
        );
        assert_eq!(c, BTreeSet::from(["modules/net".into()]));
        // A directory calling itself is still a root.
        assert!(called(&g(&[("a", &["a"])]), &[]).is_empty());
    }
}
