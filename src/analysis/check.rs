//! Check: the rules on files as they are now, with no history.
//!
//! Takes a path: a directory (a work tree, or any directory that is not a repository) or one
//! file; gives the findings of every rule on the units found there, each with its evidence
//! settings at file:line and any suppression written on its resource, plus a blind spot for
//! every file that could not be read or parsed and every verdict that could not be decided.
//! For a pre-commit hook, an editor, or a directory that is not a repository.
//!
//! The walk is deterministic (entries sorted by name), never follows a symbolic link (a link
//! could point out of the tree, or loop), skips `.git` and `.terraform` (Terraform's downloaded
//! modules are not the user's code), and bounds what it reads: directory depth, the number of
//! entries visited, and each file's size. Anything refused becomes a blind spot naming the file,
//! never an error that stops the run and never silence.
//!
//! Format-generic: files are recognised by [`formats::is_iac_path`], grouped by
//! [`formats::unit_of`] and parsed by [`formats::parse_unit`], so a new reader plugs in there.
//! A single file is judged with the rest of its unit (a Terraform file's variables live in its
//! siblings), but only what is declared in that file is reported.

use crate::engine::suppress::{self, FileSuppressions, Suppression};
use crate::formats;
use crate::limits::Limits;
use crate::model::{Location, Unit, Value};
use crate::rules::{self, Rule, Severity, Verdict};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Directories below the root that are not descended.
const MAX_DEPTH: usize = 64;
/// Directory entries visited before the walk stops (with a blind spot saying so).
pub const MAX_ENTRIES: usize = 200_000;
/// Directories never descended: git's own, and Terraform's cache of downloaded modules.
const SKIPPED_DIRS: &[&str] = &[".git", ".terraform"];

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    #[error("{path}: cannot be read")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}: not a file any format reads (Terraform: .tf, .tf.json, *.tfvars)")]
    NotIac(String),
}

/// One evidence setting as it is now.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub address: String,
    pub setting: String,
    pub value: Option<Value>,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct CheckFinding {
    pub rule: &'static str,
    pub format: &'static str,
    /// Unit path relative to the root (`""` for the root itself).
    pub unit: String,
    pub address: String,
    /// Where the resource is declared.
    pub location: Location,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub suppression: Option<Suppression>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CheckBlindSpot {
    pub unit: String,
    pub file: String,
    pub reason: String,
}

pub struct CheckResult {
    /// The path as given (the first, when several were).
    pub path: String,
    /// Every path given, in order (a pre-commit hook passes the staged files).
    pub paths: Vec<String>,
    pub files: usize,
    pub units: usize,
    pub rules: &'static [Rule],
    pub findings: Vec<CheckFinding>,
    pub blind_spots: Vec<CheckBlindSpot>,
    pub unmatched_suppressions: Vec<Suppression>,
    /// The limits the files were read under (recorded in the report when raised).
    pub limits: Limits,
    /// How secrets were redacted (recorded when not the default).
    pub redaction: crate::redact::Options,
}

impl CheckResult {
    pub fn severity(&self, f: &CheckFinding) -> Option<Severity> {
        rules::find(self.rules, f.rule).map(|r| r.meta.severity)
    }

    /// A finding at or above `threshold` that no suppression accepts?
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings
            .iter()
            .any(|f| f.suppression.is_none() && self.severity(f).is_some_and(|s| s >= threshold))
    }
}

/// What the walk collected: unit → files (path relative to the root, path on disk), and what it
/// could not read. Contents are read a unit at a time when it is judged, so memory holds one
/// unit, not the tree.
#[derive(Default)]
struct Walk {
    /// Put before every relative path: the directory of a single file, as given.
    prefix: String,
    units: BTreeMap<String, Vec<(String, PathBuf)>>,
    blind: Vec<CheckBlindSpot>,
    entries: usize,
    /// The run's limits (the same a scan of the history reads under).
    limits: Limits,
}

fn rel(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    r.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

impl Walk {
    fn rel(&self, root: &Path, p: &Path) -> String {
        let r = rel(root, p);
        if self.prefix.is_empty() {
            r
        } else {
            format!("{}/{r}", self.prefix)
        }
    }

    fn blind(&mut self, file: &str, reason: String) {
        self.blind.push(CheckBlindSpot {
            unit: formats::unit_of(file).to_string(),
            file: file.to_string(),
            reason,
        });
    }

    /// Reads one file if it is IaC: never a link, never over the size limit.
    fn file(&mut self, root: &Path, path: &Path, meta: &std::fs::Metadata) {
        let name = self.rel(root, path);
        if !formats::is_iac_path(&name) {
            return;
        }
        if meta.file_type().is_symlink() {
            self.blind(
                &name,
                "symbolic link: not followed (it may point out of the tree)".into(),
            );
            return;
        }
        if !meta.is_file() {
            // A FIFO or device named like IaC: opening it could block forever.
            self.blind(&name, "not a regular file: not read".into());
            return;
        }
        if meta.len() > self.limits.max_file_bytes as u64 {
            let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
            self.blind(&name, self.limits.file_too_large(size));
            return;
        }
        self.units
            .entry(formats::unit_of(&name).to_string())
            .or_default()
            .push((name, path.to_path_buf()));
    }

    /// Reads a unit's files: never over the size limit (checked again at read time, since a
    /// file may grow after the walk saw it); a file that cannot be read is a blind spot.
    fn read(
        files: &[(String, PathBuf)],
        blind: &mut Vec<CheckBlindSpot>,
        limits: &Limits,
    ) -> Vec<(String, Vec<u8>)> {
        let limit = limits.max_file_bytes as u64;
        let mut out = Vec::new();
        for (name, path) in files {
            match read_bounded(path, limit) {
                Ok(bytes) => out.push((name.clone(), bytes)),
                Err(e) => blind.push(CheckBlindSpot {
                    unit: formats::unit_of(name).to_string(),
                    file: name.clone(),
                    reason: format!("cannot be read: {e}"),
                }),
            }
        }
        out
    }

    fn dir(&mut self, root: &Path, dir: &Path, depth: usize) {
        if self.entries > MAX_ENTRIES {
            return; // stopped: not even listed
        }
        let name = self.rel(root, dir);
        if depth > MAX_DEPTH {
            self.blind(
                &format!("{name}/"),
                format!("deeper than {MAX_DEPTH} directories: not descended"),
            );
            return;
        }
        let mut entries: Vec<(PathBuf, std::fs::Metadata)> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let p = e.path();
                    // symlink_metadata: a link is seen as a link, never as its target.
                    std::fs::symlink_metadata(&p).ok().map(|m| (p, m))
                })
                .collect(),
            Err(e) => {
                self.blind(
                    &format!("{name}/"),
                    format!("directory cannot be read: {e}"),
                );
                return;
            }
        };
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (p, meta) in entries {
            self.entries += 1;
            if self.entries > MAX_ENTRIES {
                if self.entries == MAX_ENTRIES + 1 {
                    self.blind(
                        &self.rel(root, &p),
                        format!("more than {MAX_ENTRIES} entries: the walk stopped here"),
                    );
                }
                return;
            }
            if meta.is_dir() {
                let skip = p
                    .file_name()
                    .is_some_and(|n| SKIPPED_DIRS.iter().any(|s| n == *s));
                if !skip {
                    self.dir(root, &p, depth + 1);
                }
            } else {
                self.file(root, &p, &meta);
            }
        }
    }
}

/// Reads at most `limit` bytes (a file may grow between the size check and the read).
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "over the {limit} byte limit"
        )));
    }
    Ok(out)
}

/// Runs the rules on `path` as it is now, reading under `limits`.
pub fn check(
    path: &str,
    rules: &'static [Rule],
    limits: &Limits,
) -> Result<CheckResult, CheckError> {
    check_with(
        path,
        rules,
        limits,
        &Default::default(),
        &Default::default(),
    )
}

/// [`check`] with `--root` and `--var-file` (paths relative to the directory checked).
pub fn check_with(
    path: &str,
    rules: &'static [Rule],
    limits: &Limits,
    terraform: &formats::terraform::modules::RootOptions,
    redaction: &crate::redact::Options,
) -> Result<CheckResult, CheckError> {
    let roots = &terraform.roots;
    let given = Path::new(path);
    // The path the user gave is followed if it is a link (their choice); nothing below it is.
    let meta = std::fs::metadata(given).map_err(|source| CheckError::Unreadable {
        path: path.to_string(),
        source,
    })?;
    let mut walk = Walk {
        limits: *limits,
        ..Walk::default()
    };
    // For a single file: the root is its directory, the whole unit is read, and only what the
    // file declares is reported.
    let only: Option<String> = if meta.is_dir() {
        walk.dir(given, given, 0);
        None
    } else {
        let base = match given.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // Paths are reported as the user wrote them: `net/main.tf` stays `net/main.tf`, so a
        // hook given repository-relative names reports repository-relative paths.
        walk.prefix = match given.parent() {
            Some(p) => p
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect::<PathBuf>()
                .to_string_lossy()
                .into_owned(),
            None => String::new(),
        };
        let name = walk.rel(base, given);
        if !formats::is_iac_path(&name) {
            return Err(CheckError::NotIac(path.to_string()));
        }
        // The file's siblings: the rest of its unit, not descending.
        let mut siblings: Vec<(PathBuf, std::fs::Metadata)> = std::fs::read_dir(base)
            .map_err(|source| CheckError::Unreadable {
                path: base.display().to_string(),
                source,
            })?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let p = e.path();
                std::fs::symlink_metadata(&p).ok().map(|m| (p, m))
            })
            .filter(|(_, m)| !m.is_dir())
            .collect();
        siblings.sort_by(|a, b| a.0.cmp(&b.0));
        for (p, m) in siblings {
            walk.file(base, &p, &m);
        }
        Some(name)
    };
    let known = suppress::known_ids(rules);
    let files = walk.units.values().map(Vec::len).sum();
    let units = walk.units.len();
    let mut findings = Vec::new();
    let mut blind = std::mem::take(&mut walk.blind);
    let mut unmatched = BTreeSet::new();
    // Terraform as it is deployed: a directory another one calls as a module is evaluated
    // through its callers (the roots), with their arguments, not alone.
    let mut read: BTreeMap<&str, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    for (dir, paths) in &walk.units {
        read.insert(dir.as_str(), Walk::read(paths, &mut blind, &walk.limits));
    }
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (dir, files) in &read {
        if formats::is_manifest_file(dir) {
            continue;
        }
        let calls = formats::terraform::modules::local_calls(dir, files, &walk.limits);
        if !calls.is_empty() {
            graph.insert(dir.to_string(), calls);
        }
    }
    let called = formats::terraform::modules::called(&graph, roots);
    for (dir, own) in &read {
        let dir: &str = dir;
        if called.contains(dir) {
            continue;
        }
        let mut files = own.clone();
        let mut seen: BTreeSet<&str> = BTreeSet::from([dir]);
        let mut queue: Vec<&str> = graph
            .get(dir)
            .map(|c| c.iter().map(String::as_str).collect())
            .unwrap_or_default();
        while let Some(d) = queue.pop() {
            if !seen.insert(d) {
                continue;
            }
            if let Some(f) = read.get(d) {
                files.extend(f.iter().cloned());
            }
            if let Some(next) = graph.get(d) {
                queue.extend(next.iter().map(String::as_str));
            }
        }
        // Variable files named on the command line apply to every root.
        for v in &terraform.var_files {
            if let Some(f) = read
                .get(formats::unit_of(v))
                .and_then(|fs| fs.iter().find(|(p, _)| p == v))
            {
                if !files.iter().any(|(p, _)| p == v) {
                    files.push(f.clone());
                }
            }
        }
        let dir = &dir.to_string();
        let unit = formats::parse_root(dir, &files, &walk.limits, &terraform.var_files);
        let sups: BTreeMap<&str, FileSuppressions> = files
            .iter()
            .map(|(f, bytes)| {
                (
                    f.as_str(),
                    FileSuppressions::new(f, &String::from_utf8_lossy(bytes), known.clone()),
                )
            })
            .collect();
        for p in unit.problems.iter().chain(&unit.gaps) {
            blind.push(CheckBlindSpot {
                unit: dir.clone(),
                file: p.file.clone(),
                reason: p.reason.clone(),
            });
        }
        judge(
            rules,
            dir,
            &unit,
            &sups,
            &mut findings,
            &mut blind,
            &mut unmatched,
        );
    }
    if let Some(only) = &only {
        findings.retain(|f: &CheckFinding| &f.location.file == only);
        blind.retain(|b| &b.file == only || b.file.is_empty());
        unmatched.retain(|s: &Suppression| &s.file == only);
    }
    findings.sort_by(|a, b| (&a.unit, &a.address, a.rule).cmp(&(&b.unit, &b.address, b.rule)));
    redact_check(&mut findings, &mut blind, redaction);
    blind.sort();
    blind.dedup();
    Ok(CheckResult {
        path: path.to_string(),
        paths: vec![path.to_string()],
        files,
        units,
        rules,
        limits: *limits,
        redaction: redaction.clone(),
        findings,
        blind_spots: blind,
        unmatched_suppressions: unmatched.into_iter().collect(),
    })
}

/// Evaluates one unit; a violation becomes a finding (with its suppression, if written), an
/// undecided verdict a blind spot.
fn judge(
    rules: &'static [Rule],
    dir: &str,
    unit: &Unit,
    sups: &BTreeMap<&str, FileSuppressions>,
    findings: &mut Vec<CheckFinding>,
    blind: &mut Vec<CheckBlindSpot>,
    unmatched: &mut BTreeSet<Suppression>,
) {
    for ((rule, address), verdict) in rules::evaluate_unit(rules, unit) {
        let Some(res) = unit.resources.get(&address) else {
            continue;
        };
        match verdict {
            Verdict::Violation(f) => {
                let written = sups
                    .get(res.location.file.as_str())
                    .map(|s| s.for_resource(res.location.line))
                    .unwrap_or_default();
                unmatched.extend(written.iter().filter(|s| s.rules.is_empty()).cloned());
                let evidence = f
                    .evidence
                    .iter()
                    .map(|e| {
                        let owner = unit.resources.get(&e.address);
                        Evidence {
                            address: e.address.clone(),
                            setting: e.path.to_string(),
                            value: owner.and_then(|r| r.get(&e.path)).cloned(),
                            location: owner
                                .map(|r| r.location_of(&e.path))
                                .unwrap_or_else(|| res.location.clone()),
                        }
                    })
                    .collect();
                findings.push(CheckFinding {
                    rule,
                    format: crate::rules::format_of(rule).as_str(),
                    unit: dir.to_string(),
                    address,
                    location: res.location.clone(),
                    summary: f.summary,
                    evidence,
                    suppression: suppress::find(&written, rule).cloned(),
                });
            }
            Verdict::Undecided { reason, .. } => blind.push(CheckBlindSpot {
                unit: dir.to_string(),
                file: res.location.file.clone(),
                reason: format!("{rule} cannot be decided for {address}: {reason}"),
            }),
            Verdict::Pass => {}
        }
    }
}

/// Runs the rules on several paths (files or directories) and merges the results: what two paths
/// share (a file given twice, a file inside a directory also given) is reported once.
/// Redacts the secrets the findings quote (see [`crate::redact`]): values of sensitive
/// settings, of the evidence of rules about written secrets, and credential shapes anywhere.
fn redact_check(
    findings: &mut [CheckFinding],
    blind: &mut [CheckBlindSpot],
    options: &crate::redact::Options,
) {
    let mut secrets = crate::redact::Redactor::with(options.clone());
    for f in findings.iter() {
        let secret = crate::redact::is_secret_rule(f.rule);
        for e in &f.evidence {
            if let Some(v) = &e.value {
                let path = crate::model::SettingPath::parse(&e.setting);
                secrets.note_setting(&e.address, &path, v, secret);
            }
        }
    }
    for f in findings.iter_mut() {
        f.summary = secrets.redact_str(&f.summary);
        for e in f.evidence.iter_mut() {
            e.value = e.value.as_ref().map(|v| secrets.redact_value(v));
        }
    }
    for b in blind.iter_mut() {
        b.reason = secrets.redact_str(&b.reason);
    }
}

pub fn check_all(
    paths: &[String],
    rules: &'static [Rule],
    limits: &Limits,
    terraform: &formats::terraform::modules::RootOptions,
    redaction: &crate::redact::Options,
) -> Result<CheckResult, CheckError> {
    let mut merged: Option<CheckResult> = None;
    for p in paths {
        let r = check_with(p, rules, limits, terraform, redaction)?;
        merged = Some(match merged {
            None => r,
            Some(mut m) => {
                m.paths.push(p.clone());
                m.files += r.files;
                m.units += r.units;
                m.findings.extend(r.findings);
                m.blind_spots.extend(r.blind_spots);
                m.unmatched_suppressions.extend(r.unmatched_suppressions);
                m
            }
        });
    }
    let mut m = match merged {
        Some(m) => m,
        None => check(".", rules, limits)?,
    };
    let key = |f: &CheckFinding| {
        (
            f.unit.clone(),
            f.address.clone(),
            f.rule,
            f.location.clone(),
        )
    };
    m.findings.sort_by_key(key);
    m.findings.dedup_by(|a, b| key(a) == key(b));
    m.blind_spots.sort();
    m.blind_spots.dedup();
    m.unmatched_suppressions.sort();
    m.unmatched_suppressions.dedup();
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_slashes_and_the_prefix() {
        let root = Path::new("/r");
        assert_eq!(rel(root, Path::new("/r/a/b.tf")), "a/b.tf");
        let w = Walk {
            prefix: "net".into(),
            ..Walk::default()
        };
        assert_eq!(w.rel(root, Path::new("/r/main.tf")), "net/main.tf");
    }

    #[test]
    fn reads_are_bounded_even_if_the_file_grew() {
        let f = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(f.path(), b"0123456789").expect("write");
        assert_eq!(read_bounded(f.path(), 10).expect("fits").len(), 10);
        assert!(read_bounded(f.path(), 9).is_err());
    }

    #[test]
    fn a_walk_skips_git_and_terraform_caches_and_never_follows_links() {
        let d = tempfile::tempdir().expect("dir");
        for p in [
            "a/main.tf",
            ".git/x.tf",
            ".terraform/m/main.tf",
            "b/c/d.tf.json",
        ] {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, "{}").expect("write");
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.path(), d.path().join("a/loop")).expect("link");
        let mut w = Walk::default();
        w.dir(d.path(), d.path(), 0);
        let units: Vec<&String> = w.units.keys().collect();
        assert_eq!(units, vec!["a", "b/c"]);
        assert!(
            w.blind.is_empty(),
            "a link to a directory is not IaC: {:?}",
            w.blind
        );
    }
}
