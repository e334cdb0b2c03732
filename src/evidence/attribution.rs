//! Attribution: the people behind each change, and reasons to doubt what commits claim.
//!
//! Takes the commits the scan examined (landings and the merged-side commits it attributed
//! changes to); gives a commit table that causes point into (author, committer, signature,
//! trailers, through the mailmap), and the anomalies: landing times that go backwards, author times
//! after committer times, identities the mailmap merged, and unsigned landings in a history where
//! most are signed. Parties and the responsibility matrix build on this table.

use crate::history::objects::{IdTable, Keyed};
use crate::history::{CommitDetails, CommitInfo, Person, Recall, SignatureKind};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Every commit a report can name, interned once, each kept as a fixed record of who and when.
///
/// A scan keeps a record for every landing (anomalies, deploy logs and durations need them
/// all), so this table grows with history length. As `CommitInfo` values a record cost about
/// 600 bytes, and the table was the largest thing a 50,000-landing scan kept (30 MB, measured);
/// encoded into one buffer, about 100 bytes with its index (4.9 MB). What only a report shows
/// (summary, trailers, signing key, parents) is now not kept for every landing but read again,
/// through [`Recall`], for the commits a report names, and kept from then on: a record is its
/// id, the SHA-256 of its bytes (the certificate's, see `history::Ledger::certificate`), people
/// (interned: a history has few authors and many commits), times and flags, 80 bytes, and the
/// index adds about 5. Its size no longer depends on what a commit's message holds, which a
/// hostile history chooses. A table without a `Recall` (built by hand) keeps every record's
/// details instead.
#[derive(Debug, Default)]
pub struct Commits {
    /// Found by commit id (records whose id is not a git id are not indexed).
    records: IdTable<Record>,
    people: Vec<Who>,
    people_index: HashMap<Who, u32>,
    /// Ids that are not git ids (a hand-built table's), as given; such records are not indexed.
    text_ids: BTreeMap<u32, String>,
    /// Details by record: every record's without `recall`, else those read again so far.
    details: std::sync::Mutex<HashMap<u32, Arc<CommitDetails>>>,
    recall: Option<Recall>,
}

/// What is kept of every commit (80 bytes).
#[derive(Debug, Clone, Copy)]
struct Record {
    id: [u8; 20],
    /// The SHA-256 of the commit's bytes (if `summed`), for the certificate of what was read:
    /// here rather than in the ledger, which would keep the id a second time.
    sum: [u8; 32],
    summed: bool,
    author: i64,
    committer: i64,
    /// Into `people`.
    author_who: u32,
    committer_who: u32,
    mailmapped: bool,
    signature: Option<SignatureKind>,
}

/// A name, an email and the offset a person's times are written in: interned together, as a
/// person mostly writes from one time zone.
type Who = (String, String, i32);

impl Keyed for Record {
    fn key(&self) -> &[u8; 20] {
        &self.id
    }
}

/// The 20 bytes of a commit id given as text; `None` for anything that is not an id.
fn id_key(id: &str) -> Option<[u8; 20]> {
    let oid = git2::Oid::from_str(id).ok().filter(|_| id.len() == 40)?;
    Some(crate::history::objects::id_bytes(oid))
}

impl Commits {
    /// A table that keeps who and when of each commit and reads the rest again through `recall`
    /// when a report asks for it.
    pub fn recalling(recall: Recall) -> Commits {
        Commits {
            recall: Some(recall),
            ..Default::default()
        }
    }

    /// Room in the index for `n` more records: a scan knows its landings up front.
    pub fn reserve(&mut self, n: usize) {
        self.records.reserve(n);
    }

    fn record(&self, i: usize) -> &Record {
        self.records.get(i)
    }

    fn who(&mut self, p: Person) -> u32 {
        let who = (p.name, p.email, p.offset_minutes);
        match self.people_index.get(&who) {
            Some(&n) => n,
            None => {
                let n = u32::try_from(self.people.len()).unwrap_or(u32::MAX);
                self.people.push(who.clone());
                self.people_index.insert(who, n);
                n
            }
        }
    }

    pub fn intern(&mut self, info: CommitInfo) -> usize {
        let key = id_key(&info.id);
        if let Some(i) = key.and_then(|k| self.records.find(&k)) {
            return i;
        }
        let record = Record {
            id: key.unwrap_or([0; 20]),
            sum: info.sum.unwrap_or_default(),
            summed: info.sum.is_some() && key.is_some(),
            author: info.author.seconds,
            committer: info.committer.seconds,
            author_who: self.who(info.author),
            committer_who: self.who(info.committer),
            mailmapped: info.mailmapped,
            signature: info.signature,
        };
        let i = self.records.push(record, key.is_some());
        // A table of four billion records is past any history; past that, records are not
        // indexed and their details are not kept.
        if let Ok(j) = u32::try_from(i) {
            if key.is_none() {
                self.text_ids.insert(j, info.id);
            }
            if self.recall.is_none() || key.is_none() {
                let details = CommitDetails {
                    signing_key: info.signing_key,
                    trailers: info.trailers,
                    summary: info.summary,
                    parents: info.parents,
                };
                self.kept().insert(j, Arc::new(details));
            }
        }
        i
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Arc<CommitDetails>>> {
        self.details
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The table index of a commit id.
    pub fn get(&self, id: &str) -> Option<usize> {
        self.records.find(&id_key(id)?)
    }

    /// Committer time in seconds of record `i`.
    pub fn committer_seconds(&self, i: usize) -> i64 {
        self.record(i).committer
    }

    /// The commit id of record `i`.
    pub fn id(&self, i: usize) -> String {
        match u32::try_from(i).ok().and_then(|j| self.text_ids.get(&j)) {
            Some(text) => text.clone(),
            None => git2::Oid::from_bytes(&self.record(i).id)
                .map(|o| o.to_string())
                .unwrap_or_default(),
        }
    }

    /// The details of record `i`: kept, or read again and kept from then on. A commit that
    /// cannot be read again (the repository changed under the run) says so in its summary.
    fn details(&self, i: usize) -> Arc<CommitDetails> {
        let Ok(j) = u32::try_from(i) else {
            return Arc::default();
        };
        if let Some(d) = self.kept().get(&j) {
            return Arc::clone(d);
        }
        let r = self.record(i);
        let read = match (&self.recall, git2::Oid::from_bytes(&r.id)) {
            (Some(recall), Ok(id)) => recall.details(id, r.summed),
            _ => Err("its details were not kept".to_string()),
        };
        let details = Arc::new(read.unwrap_or_else(|reason| CommitDetails {
            summary: format!("({reason})"),
            ..Default::default()
        }));
        self.kept().insert(j, Arc::clone(&details));
        details
    }

    /// Record `i` as it was interned.
    pub fn info(&self, i: usize) -> CommitInfo {
        let r = *self.record(i);
        let person = |who: u32, seconds: i64| {
            let (name, email, offset_minutes) =
                self.people.get(who as usize).cloned().unwrap_or_default();
            Person {
                name,
                email,
                at: crate::history::rfc3339(seconds, offset_minutes),
                seconds,
                offset_minutes,
            }
        };
        let details = self.details(i);
        CommitInfo {
            id: self.id(i),
            author: person(r.author_who, r.author),
            committer: person(r.committer_who, r.committer),
            mailmapped: r.mailmapped,
            signature: r.signature,
            signing_key: details.signing_key.clone(),
            trailers: details.trailers.clone(),
            summary: details.summary.clone(),
            parents: details.parents.clone(),
            sum: r.summed.then_some(r.sum),
        }
    }

    /// The commits whose bytes were read and hashed, as (id, SHA-256).
    pub fn sums(&self) -> impl Iterator<Item = (&[u8; 20], &[u8; 32])> {
        self.records
            .iter()
            .filter(|r| r.summed)
            .map(|r| (&r.id, &r.sum))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Anomaly {
    pub commit: String,
    pub kind: String,
    pub detail: String,
}

/// The forge whose web interface made a commit, recognised from its committer: a pull request
/// merged or squashed on GitHub is committed by `GitHub <noreply@github.com>`, not by the person
/// who pressed merge. Only the forges' own service identities count: a person named "GitHub"
/// with an address of their own is a person.
pub fn forge(committer: &Person) -> Option<&'static str> {
    forge_identity(&committer.name, &committer.email)
}

/// [`forge`] for a bare identity (the causal graph keeps people as name and email).
pub fn forge_identity(name: &str, email: &str) -> Option<&'static str> {
    let email = email.to_ascii_lowercase();
    let service = email.starts_with("noreply@");
    match (name, email.as_str()) {
        (_, "noreply@github.com") => Some("GitHub"),
        ("GitHub" | "GitHub Enterprise", _) if service => Some("GitHub"),
        (_, "noreply@gitlab.com") => Some("GitLab"),
        ("GitLab", _) if service => Some("GitLab"),
        (_, "noreply@codeberg.org") => Some("Forgejo"),
        ("Forgejo", _) if service => Some("Forgejo"),
        ("Gitea", _) if service => Some("Gitea"),
        ("Bitbucket", _) if service => Some("Bitbucket"),
        _ => None,
    }
}

/// " through GitHub" when a forge committed the landing, else nothing: the one phrase every
/// report appends to who merged or landed a change.
pub fn through(landing: &CommitInfo) -> String {
    forge(&landing.committer)
        .map(|f| format!(" through {f}"))
        .unwrap_or_default()
}

/// Who merged a landing: for a merge commit, its committer, or its author when a forge committed
/// it (the person who pressed merge). `None` for a landing that is not a merge: a squash or a
/// rebase landed by a forge names no merger, and `forge` says which forge landed it.
pub fn merger(landing: &CommitInfo) -> Option<&Person> {
    if landing.parents.len() < 2 {
        return None;
    }
    Some(match forge(&landing.committer) {
        Some(_) => &landing.author,
        None => &landing.committer,
    })
}

/// Anomalies of the examined history. `landings` are commit-table indices in landing order;
/// `others` are the other commits examined (merged sides).
pub fn anomalies(commits: &Commits, landings: &[usize], others: &[usize]) -> Vec<Anomaly> {
    // Times and flags are read from the records; a commit's details only when it is an anomaly.
    let stamp = |i: usize| {
        let r = commits.record(i);
        (r.author, r.committer, r.mailmapped, r.signature.is_some())
    };
    let mut out = Vec::new();
    for pair in landings.windows(2) {
        if stamp(pair[1]).1 < stamp(pair[0]).1 {
            let (prev, cur) = (commits.info(pair[0]), commits.info(pair[1]));
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
        let (author, committer, mailmapped, _) = stamp(i);
        if author <= committer && !mailmapped {
            continue;
        }
        let c = commits.info(i);
        if author > committer {
            out.push(Anomaly {
                commit: c.id.clone(),
                kind: "authored-after-committed".into(),
                detail: format!(
                    "author time {} is after committer time {}",
                    c.author.at, c.committer.at
                ),
            });
        }
        if mailmapped {
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
    let signed = landings.iter().filter(|&&i| stamp(i).3).count();
    if landings.len() >= 4 && signed * 2 > landings.len() {
        for &i in landings {
            if !stamp(i).3 {
                out.push(Anomaly {
                    commit: commits.info(i).id,
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
            digest: crate::digest::sha256_tag(bytes),
        })
    }

    /// The party an identity belongs to: the first party (in file order) whose email glob or
    /// exact name matches. `None` is unmatched: reported as such, never guessed. A forge's service
    /// identity ([`forge_identity`]) is nobody's party, whatever the file says: it only carried
    /// out what a person pressed, and a glob such as `*@github.com` must not turn every squash
    /// GitHub committed into that party's change.
    pub fn of(&self, name: &str, email: &str) -> Option<&str> {
        if forge_identity(name, email).is_some() {
            return None;
        }
        self.parties
            .iter()
            .zip(&self.matchers)
            .find(|(_, (globs, names))| globs.is_match(email) || names.iter().any(|n| n == name))
            .map(|(p, _)| p.name.as_str())
    }

    /// The party of a change: its author's, else its committer's.
    pub fn of_commit(&self, c: &CommitInfo) -> Option<&str> {
        // A forge committer is nobody's party (see `of`), so a squash a forge committed falls
        // to its author's party or none, never to the forge's.
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

    fn person(name: &str, seconds: i64, offset_minutes: i32) -> Person {
        Person {
            name: name.into(),
            email: format!("{}@example.com", name.to_lowercase()),
            at: crate::history::rfc3339(seconds, offset_minutes),
            seconds,
            offset_minutes,
        }
    }

    fn info(id: &str, author: Person, committer: Person) -> CommitInfo {
        CommitInfo {
            id: id.into(),
            author,
            committer,
            mailmapped: false,
            signature: None,
            signing_key: None,
            trailers: BTreeMap::new(),
            summary: String::new(),
            parents: Vec::new(),
            sum: None,
        }
    }

    fn who(name: &str, email: &str) -> Person {
        Person {
            email: email.into(),
            ..person(name, 0, 0)
        }
    }

    #[test]
    fn forges_are_their_service_identities_only() {
        assert_eq!(forge(&who("GitHub", "noreply@github.com")), Some("GitHub"));
        assert_eq!(
            forge(&who("Web Flow", "NoReply@GitHub.com")),
            Some("GitHub")
        );
        assert_eq!(
            forge(&who("GitHub Enterprise", "noreply@github.example.com")),
            Some("GitHub")
        );
        assert_eq!(
            forge(&who("GitLab", "noreply@gitlab.example")),
            Some("GitLab")
        );
        assert_eq!(forge(&who("Gitea", "noreply@git.example")), Some("Gitea"));
        // People, whatever they are called.
        assert_eq!(forge(&who("GitHub", "octocat@example.com")), None);
        assert_eq!(forge(&who("Dave", "dave@users.noreply.github.com")), None);
        assert_eq!(forge(&who("Dave", "dave@client.example")), None);
    }

    #[test]
    fn the_merger_of_a_forge_merge_is_its_author() {
        let parent = git2::Oid::from_bytes(&[1; 20]).expect("20 bytes");
        let mut merge = info(
            "m",
            who("Dave", "dave@client.example"),
            who("GitHub", "noreply@github.com"),
        );
        merge.parents = vec![parent, parent];
        assert_eq!(
            merger(&merge).map(|p| p.email.as_str()),
            Some("dave@client.example")
        );
        let mut local = merge.clone();
        local.committer = who("Erin", "erin@client.example");
        assert_eq!(
            merger(&local).map(|p| p.email.as_str()),
            Some("erin@client.example")
        );
        // A squash landed by the forge names no merger, and no party through the forge.
        let mut squash = merge.clone();
        squash.parents = vec![parent];
        assert!(merger(&squash).is_none());
        let parties = Parties::parse(
            "parties.yaml",
            b"parties:\n  - name: provider\n    match: [\"noreply@github.com\"]\n",
        )
        .expect("parties");
        squash.author = who("Zed", "zed@elsewhere.example");
        assert_eq!(parties.of_commit(&squash), None);
        // Named by name or by glob, a forge is still nobody's party; a person the same file
        // names, and a person called GitHub with an address of their own, are matched.
        let parties = Parties::parse(
            "parties.yaml",
            b"parties:\n  - name: provider\n    match: [\"name:GitHub\", \"*@github.com\", \"*@msp.example\"]\n",
        )
        .expect("parties");
        assert_eq!(parties.of("GitHub", "noreply@github.com"), None);
        assert_eq!(parties.of("GitHub", "github@msp.example"), Some("provider"));
        assert_eq!(parties.of("Octo Cat", "octo@github.com"), Some("provider"));
        squash.author = who("Bob", "bob@msp.example");
        assert_eq!(parties.of_commit(&squash), Some("provider"), "the author's");
    }

    #[test]
    fn a_record_reads_back_as_it_was_interned() {
        let mut full = info(
            "0123456789abcdef0123456789abcdef01234567",
            person("Ann", 1_700_000_000, 120),
            person("Bob", 1_700_000_500, -330),
        );
        full.mailmapped = true;
        full.signature = Some(SignatureKind::Ssh);
        full.signing_key = Some("SHA256:abc".into());
        full.trailers.insert(
            "Co-authored-by".into(),
            vec!["Cid <cid@example.com>".into(), "Dee <d@example.com>".into()],
        );
        full.trailers
            .insert("Reviewed-by".into(), vec!["Eve".into()]);
        full.summary = "Open port 22 — für alle".into();
        full.parents = vec![
            git2::Oid::from_str("1111111111111111111111111111111111111111").expect("id"),
            git2::Oid::from_str("2222222222222222222222222222222222222222").expect("id"),
        ];
        // An absurd time is kept as the text it was written as; an id that is not one, as text.
        let odd = info(
            "not-an-id",
            person("Ann", i64::MAX, i32::MAX),
            person("Ann", i64::MIN, 0),
        );
        let mut t = Commits::default();
        let (a, b) = (t.intern(full.clone()), t.intern(odd.clone()));
        assert_eq!(t.intern(full.clone()), a, "interned once");
        assert_eq!((t.info(a), t.info(b)), (full.clone(), odd));
        assert_eq!(t.id(a), full.id);
        assert_eq!(t.committer_seconds(a), 1_700_000_500);
        assert_eq!(t.get(&full.id), Some(a));
        assert_eq!((a, b), (0, 1), "two records");

        // A parent with a record of its own is written as its index; negative offsets and a
        // summary past 127 bytes (a two-byte length) come back as they went in.
        let mut child = info(&"3".repeat(40), person("Bo", 5, -840), person("Bo", 6, 840));
        child.parents = vec![
            git2::Oid::from_str(&full.id).expect("id"),
            git2::Oid::from_str(&"4".repeat(40)).expect("id"),
        ];
        child.summary = "x".repeat(300);
        let c = t.intern(child.clone());
        assert_eq!(t.info(c), child);
        assert_eq!(t.info(a), full, "earlier records unchanged");

        // Ids that share the 8 bytes the index hashes are still told apart, across the index
        // growing past its first allocation.
        let twins: Vec<usize> = (0..200u32)
            .map(|n| {
                let id = format!("{}{n:024x}", "ab".repeat(8));
                t.intern(info(&id, person("Cy", 1, 0), person("Cy", 2, 0)))
            })
            .collect();
        for (n, &i) in twins.iter().enumerate() {
            let id = format!("{}{n:024x}", "ab".repeat(8));
            assert_eq!(t.get(&id), Some(i));
            assert_eq!(t.id(i), id);
        }
        assert_eq!(t.get(&full.id), Some(a));
    }

    #[test]
    fn anomalies_read_from_the_compact_table_name_the_commits() {
        let id = |n: u8| format!("{n:040x}");
        let mut t = Commits::default();
        let landings: Vec<usize> = [
            info(&id(1), person("A", 100, 0), person("A", 200, 0)),
            // Landed before the one before it, and authored after it was committed.
            info(&id(2), person("A", 300, 0), person("A", 150, 0)),
        ]
        .into_iter()
        .map(|c| t.intern(c))
        .collect();
        let kinds: Vec<(String, String)> = anomalies(&t, &landings, &[])
            .into_iter()
            .map(|a| (a.commit, a.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (id(2), "landing-time-backwards".to_string()),
                (id(2), "authored-after-committed".to_string()),
            ]
        );
    }

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
