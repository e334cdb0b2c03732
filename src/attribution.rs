//! Attribution: the people behind each change, and reasons to doubt what commits claim.
//!
//! Takes the commits the scan examined (landings and the merged-side commits it attributed
//! changes to); gives a commit table that causes point into (author, committer, signature,
//! trailers, through the mailmap), and the anomalies: landing times that go backwards, author times
//! after committer times, identities the mailmap merged, and unsigned landings in a history where
//! most are signed. Parties and the responsibility matrix build on this table.

use crate::history::CommitInfo;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Every commit a report can name, interned once.
#[derive(Debug, Default)]
pub struct Commits {
    pub infos: Vec<CommitInfo>,
    /// Table index by commit id, the id as its 20 bytes (a record per landing: a second copy of
    /// every id as text was measured at a tenth of the table).
    index: HashMap<[u8; 20], usize>,
}

/// The 20 bytes of a commit id given as text; `None` for anything that is not an id.
fn id_key(id: &str) -> Option<[u8; 20]> {
    let oid = git2::Oid::from_str(id).ok().filter(|_| id.len() == 40)?;
    oid.as_bytes().try_into().ok()
}

impl Commits {
    /// Room for `n` more records: a scan knows its landings up front, and growing the table by
    /// doubling copied it and left up to half of it unused.
    pub fn reserve(&mut self, n: usize) {
        self.infos.reserve(n);
        self.index.reserve(n);
    }

    pub fn intern(&mut self, info: CommitInfo) -> usize {
        let key = id_key(&info.id);
        if let Some(i) = key.and_then(|k| self.index.get(&k)) {
            return *i;
        }
        let i = self.infos.len();
        if let Some(k) = key {
            self.index.insert(k, i);
        }
        self.infos.push(info);
        i
    }

    pub fn get(&self, id: &str) -> Option<usize> {
        self.index.get(&id_key(id)?).copied()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Anomaly {
    pub commit: String,
    pub kind: String,
    pub detail: String,
}

/// Anomalies of the examined history. `landings` are commit-table indices in landing order;
/// `others` are the other commits examined (merged sides).
pub fn anomalies(commits: &Commits, landings: &[usize], others: &[usize]) -> Vec<Anomaly> {
    let mut out = Vec::new();
    for pair in landings.windows(2) {
        let (prev, cur) = (&commits.infos[pair[0]], &commits.infos[pair[1]]);
        if cur.committer.seconds < prev.committer.seconds {
            out.push(Anomaly {
                commit: cur.id.clone(),
                kind: "landing-time-backwards".into(),
                detail: format!(
                    "committed at {}, earlier than the previous landing {} at {}",
                    cur.committer.at, prev.id, prev.committer.at
                ),
            });
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for &i in landings.iter().chain(others) {
        if !seen.insert(i) {
            continue;
        }
        let c = &commits.infos[i];
        if c.author.seconds > c.committer.seconds {
            out.push(Anomaly {
                commit: c.id.clone(),
                kind: "authored-after-committed".into(),
                detail: format!(
                    "author time {} is after committer time {}",
                    c.author.at, c.committer.at
                ),
            });
        }
        if c.mailmapped {
            out.push(Anomaly {
                commit: c.id.clone(),
                kind: "mailmap-identity".into(),
                detail: format!(
                    "identity rewritten by .mailmap to {} <{}>",
                    c.author.name, c.author.email
                ),
            });
        }
    }
    let signed = landings
        .iter()
        .filter(|&&i| commits.infos[i].signature.is_some())
        .count();
    if landings.len() >= 4 && signed * 2 > landings.len() {
        for &i in landings {
            let c = &commits.infos[i];
            if c.signature.is_none() {
                out.push(Anomaly {
                    commit: c.id.clone(),
                    kind: "unsigned-among-signed".into(),
                    detail: format!(
                        "unsigned landing where {signed} of {} landings are signed",
                        landings.len()
                    ),
                });
            }
        }
    }
    out
}

/// A parties file (`--parties`, YAML, DESIGN.md): who the contractual parties are, how their
/// people are recognised, and the contract's responsibility matrix.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PartiesFile {
    parties: Vec<PartySpec>,
    #[serde(default)]
    responsibility: BTreeMap<String, String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PartySpec {
    name: String,
    #[serde(default)]
    display: Option<String>,
    #[serde(rename = "match", default)]
    patterns: Vec<String>,
}

/// A contractual party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub display: Option<String>,
    /// The patterns as written, for the report.
    pub patterns: Vec<String>,
}

/// The parties and the responsibility matrix, ready to match identities.
#[derive(Debug)]
pub struct Parties {
    pub parties: Vec<Party>,
    /// Rule category (`network`, `identity`, …) → party name.
    pub responsibility: BTreeMap<String, String>,
    /// Per party (same order): its email globs (case-insensitive) and exact author names.
    matchers: Vec<(globset::GlobSet, Vec<String>)>,
    /// `sha256:<hex>` of the file's bytes.
    pub digest: String,
}

/// Why a parties file cannot be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum PartiesError {
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
}

const CATEGORIES: [&str; 7] = [
    "network",
    "identity",
    "storage",
    "encryption",
    "logging",
    "compute",
    "secrets",
];

impl Parties {
    /// Parses a parties file. `file` names it in errors.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Parties, PartiesError> {
        let invalid = |reason: String| PartiesError::Invalid {
            file: file.to_string(),
            reason,
        };
        let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8: {e}")))?;
        let spec: PartiesFile = serde_saphyr::from_str(text)
            .map_err(|e| invalid(format!("not a parties file: {e}")))?;
        let mut parties = Vec::new();
        let mut matchers = Vec::new();
        for p in &spec.parties {
            if p.name.trim().is_empty() {
                return Err(invalid("a party has an empty name".into()));
            }
            if parties.iter().any(|q: &Party| q.name == p.name) {
                return Err(invalid(format!("party {:?} is defined twice", p.name)));
            }
            let mut globs = globset::GlobSetBuilder::new();
            let mut names = Vec::new();
            for pat in &p.patterns {
                if let Some(name) = pat.strip_prefix("name:") {
                    names.push(name.trim().to_string());
                } else {
                    let glob = globset::GlobBuilder::new(pat.trim())
                        .case_insensitive(true)
                        .literal_separator(false)
                        .build()
                        .map_err(|e| {
                            invalid(format!("party {:?}: bad pattern {pat:?}: {e}", p.name))
                        })?;
                    globs.add(glob);
                }
            }
            let globs = globs
                .build()
                .map_err(|e| invalid(format!("party {:?}: {e}", p.name)))?;
            matchers.push((globs, names));
            parties.push(Party {
                name: p.name.clone(),
                display: p.display.clone(),
                patterns: p.patterns.clone(),
            });
        }
        for (category, party) in &spec.responsibility {
            if !CATEGORIES.contains(&category.as_str()) {
                return Err(invalid(format!(
                    "responsibility: unknown category {category:?} (known: {})",
                    CATEGORIES.join(", ")
                )));
            }
            if !parties.iter().any(|p| &p.name == party) {
                return Err(invalid(format!(
                    "responsibility: {category} is assigned to {party:?}, which is not a party"
                )));
            }
        }
        Ok(Parties {
            parties,
            responsibility: spec.responsibility,
            matchers,
            digest: crate::rules::sha256_tag(bytes),
        })
    }

    /// The party an identity belongs to: the first party (in file order) whose email glob or
    /// exact name matches. `None` is unmatched: reported as such, never guessed.
    pub fn of(&self, name: &str, email: &str) -> Option<&str> {
        self.parties
            .iter()
            .zip(&self.matchers)
            .find(|(_, (globs, names))| globs.is_match(email) || names.iter().any(|n| n == name))
            .map(|(p, _)| p.name.as_str())
    }

    /// The party of a change: its author's, else its committer's.
    pub fn of_commit(&self, c: &CommitInfo) -> Option<&str> {
        self.of(&c.author.name, &c.author.email)
            .or_else(|| self.of(&c.committer.name, &c.committer.email))
    }

    /// The party the contract makes responsible for a rule category.
    pub fn responsible_for(&self, category: &str) -> Option<&str> {
        self.responsibility.get(category).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
parties:
  - name: provider
    display: Example Managed Cloud Ltd
    match: ["*@msp.example", "name:Deploy Bot"]
  - name: client
    match: ["*@client.example"]
responsibility:
  network: provider
  identity: client
"#;

    #[test]
    fn identities_match_by_email_glob_or_exact_name() {
        let p = Parties::parse("p.yaml", FILE.as_bytes()).expect("valid");
        assert_eq!(p.of("Ann", "ann@MSP.example"), Some("provider"));
        assert_eq!(p.of("Deploy Bot", "bot@ci.example"), Some("provider"));
        assert_eq!(p.of("Deploy Bot Two", "bot@ci.example"), None);
        assert_eq!(p.of("Cid", "cid@client.example"), Some("client"));
        assert_eq!(p.of("Eve", "eve@client.example.evil"), None);
        assert_eq!(p.responsible_for("network"), Some("provider"));
        assert_eq!(p.responsible_for("storage"), None);
        assert!(p.digest.starts_with("sha256:"));
    }

    #[test]
    fn a_bad_file_names_itself_and_the_problem() {
        let bad = |text: &str| {
            Parties::parse("contract.yaml", text.as_bytes())
                .expect_err("invalid")
                .to_string()
        };
        assert!(bad("parties: [").starts_with("contract.yaml: "));
        let e = bad("parties: [{name: a}]\nresponsibility: {netwrk: a}");
        assert!(e.contains("unknown category \"netwrk\""), "{e}");
        let e = bad("parties: [{name: a}]\nresponsibility: {network: b}");
        assert!(e.contains("not a party"), "{e}");
        let e = bad("parties: [{name: a}, {name: a}]");
        assert!(e.contains("defined twice"), "{e}");
    }
}
