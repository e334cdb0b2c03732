//! Attribution: the people behind each change, and reasons to doubt what commits claim.
//!
//! Takes the commits the scan examined (landings and the merged-side commits it attributed
//! changes to); gives a commit table that causes point into (author, committer, signature,
//! trailers, through the mailmap), and the anomalies: landing times that go backwards, author times
//! after committer times, identities the mailmap merged, and unsigned landings in a history where
//! most are signed. Parties and the responsibility matrix build on this table.

use crate::history::CommitInfo;
use serde::Serialize;
use std::collections::HashMap;

/// Every commit a report can name, interned once.
#[derive(Debug, Default)]
pub struct Commits {
    pub infos: Vec<CommitInfo>,
    index: HashMap<String, usize>,
}

impl Commits {
    pub fn intern(&mut self, info: CommitInfo) -> usize {
        if let Some(&i) = self.index.get(&info.id) {
            return i;
        }
        let i = self.infos.len();
        self.index.insert(info.id.clone(), i);
        self.infos.push(info);
        i
    }

    pub fn get(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
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
