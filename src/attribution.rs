//! Attribution: the people behind each change, and reasons to doubt what commits claim.
//!
//! Takes the commits the scan examined (landings and the merged-side commits it attributed
//! changes to); gives a commit table that causes point into (author, committer, signature,
//! trailers, through the mailmap), and the anomalies: landing times that go backwards, author times
//! after committer times, identities the mailmap merged, and unsigned landings in a history where
//! most are signed. Parties and the responsibility matrix build on this table.

use crate::history::{CommitInfo, Person, SignatureKind};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Every commit a report can name, interned once, each kept as a few dozen bytes.
///
/// A scan keeps a record for every landing (anomalies, deploy logs and durations need them
/// all), so this table grows with history length. As `CommitInfo` values a record cost about
/// 600 bytes, and the table was the largest thing a 50,000-landing scan kept (30 MB, measured).
/// Records are encoded into one buffer instead: people interned (a history has few authors and
/// many commits), ids as bytes, lengths and offsets as LEB128, and a parent that has a record of
/// its own (every landing's first parent but the first's) as that record's index. A record is
/// decoded when a report names it; what is read for every landing (times, signature presence)
/// is kept beside it undecoded, and its times are not written twice. (Encoded records were 110
/// bytes on the 50,000-commit benchmark with u32 lengths, times and parents written out; 60 now.)
#[derive(Debug, Default)]
pub struct Commits {
    bytes: Vec<u8>,
    starts: Vec<usize>,
    stamps: Vec<Stamp>,
    people: Vec<(String, String)>,
    people_index: HashMap<(String, String), u32>,
    /// Table index by commit id: record numbers only, each record's id read from its bytes
    /// (the ids are in the records already; keyed by them again, the index was 1.9 MB at
    /// 50,000 landings, 0.3 MB like this). Ids are SHA-1 hashes, so their first 8 bytes are
    /// the hash.
    index: hashbrown::HashTable<u32>,
}

/// What is read of every record without decoding it.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    author: i64,
    committer: i64,
    mailmapped: bool,
    signed: bool,
}

/// The 20 bytes of a commit id given as text; `None` for anything that is not an id.
fn id_key(id: &str) -> Option<[u8; 20]> {
    let oid = git2::Oid::from_str(id).ok().filter(|_| id.len() == 40)?;
    Some(crate::objects::id_bytes(oid))
}

impl Commits {
    /// Room for `n` more records: a scan knows its landings up front.
    pub fn reserve(&mut self, n: usize) {
        self.starts.reserve(n);
        self.stamps.reserve(n);
        let (bytes, starts) = (&self.bytes, &self.starts);
        self.index
            .reserve(n, |&j| hash_of(&key_at(bytes, starts, j as usize)));
    }

    /// The record of the commit `key`, through the index.
    fn find(&self, key: &[u8; 20]) -> Option<usize> {
        self.index
            .find(hash_of(key), |&j| {
                &key_at(&self.bytes, &self.starts, j as usize) == key
            })
            .map(|&j| j as usize)
    }

    pub fn intern(&mut self, info: CommitInfo) -> usize {
        let key = id_key(&info.id);
        if let Some(i) = key.and_then(|k| self.find(&k)) {
            return i;
        }
        let i = self.starts.len();
        self.starts.push(self.bytes.len());
        self.stamps.push(Stamp {
            author: info.author.seconds,
            committer: info.committer.seconds,
            mailmapped: info.mailmapped,
            signed: info.signature.is_some(),
        });
        self.encode(key, info);
        // A table of four billion records is past any history; such a record is not indexed.
        if let (Some(k), Ok(j)) = (key, u32::try_from(i)) {
            let (bytes, starts) = (&self.bytes, &self.starts);
            self.index.insert_unique(hash_of(&k), j, |&j| {
                hash_of(&key_at(bytes, starts, j as usize))
            });
        }
        i
    }

    /// The table index of a commit id.
    pub fn get(&self, id: &str) -> Option<usize> {
        self.find(&id_key(id)?)
    }

    /// Committer time in seconds of record `i`, without decoding it.
    pub fn committer_seconds(&self, i: usize) -> i64 {
        self.stamps[i].committer
    }

    /// The commit id of record `i`, decoding nothing else.
    pub fn id(&self, i: usize) -> String {
        self.decoder(i).id()
    }

    fn decoder(&self, i: usize) -> Decoder<'_> {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.bytes.len());
        Decoder {
            b: &self.bytes[self.starts[i]..end],
        }
    }

    /// Record `i` as it was interned.
    pub fn info(&self, i: usize) -> CommitInfo {
        let mut r = self.decoder(i);
        let id = r.id();
        let stamp = self.stamps[i];
        let person = |r: &mut Decoder<'_>, seconds: i64| {
            let (name, email) = self.people.get(r.len()).cloned().unwrap_or_default();
            let offset_minutes = r.signed() as i32;
            Person {
                name,
                email,
                at: crate::history::rfc3339(seconds, offset_minutes),
                seconds,
                offset_minutes,
            }
        };
        let author = person(&mut r, stamp.author);
        let committer = person(&mut r, stamp.committer);
        let mailmapped = r.u8() == 1;
        let signature = match r.u8() {
            1 => Some(SignatureKind::Gpg),
            2 => Some(SignatureKind::Ssh),
            3 => Some(SignatureKind::X509),
            4 => Some(SignatureKind::Other),
            _ => None,
        };
        let signing_key = (r.u8() == 1).then(|| r.string());
        let mut trailers = BTreeMap::new();
        for _ in 0..r.len() {
            let key = r.string();
            let values = (0..r.len()).map(|_| r.string()).collect();
            trailers.insert(key, values);
        }
        let summary = r.string();
        let parents = (0..r.len())
            .filter_map(|_| match r.u8() {
                0 => git2::Oid::from_bytes(r.take(20)).ok(),
                // A parent that has a record of its own (a landing's first parent, always but
                // for the first): its index.
                _ => {
                    let j = r.len();
                    (j < i)
                        .then(|| self.decoder(j).id())
                        .and_then(|id| git2::Oid::from_str(&id).ok())
                }
            })
            .collect();
        CommitInfo {
            id,
            author,
            committer,
            mailmapped,
            signature,
            signing_key,
            trailers,
            summary,
            parents,
        }
    }

    fn encode(&mut self, key: Option<[u8; 20]>, info: CommitInfo) {
        match key {
            Some(k) => {
                self.bytes.push(0);
                self.bytes.extend_from_slice(&k);
            }
            None => {
                self.bytes.push(1);
                put_str(&mut self.bytes, &info.id);
            }
        }
        for p in [info.author, info.committer] {
            let who = (p.name, p.email);
            let n = match self.people_index.get(&who) {
                Some(&n) => n,
                None => {
                    let n = u32::try_from(self.people.len()).unwrap_or(u32::MAX);
                    self.people.push(who.clone());
                    self.people_index.insert(who, n);
                    n
                }
            };
            // The seconds are the stamp's (beside the record), not written twice.
            put_len(&mut self.bytes, n as usize);
            put_signed(&mut self.bytes, p.offset_minutes.into());
        }
        self.bytes.push(u8::from(info.mailmapped));
        self.bytes.push(match info.signature {
            None => 0,
            Some(SignatureKind::Gpg) => 1,
            Some(SignatureKind::Ssh) => 2,
            Some(SignatureKind::X509) => 3,
            Some(SignatureKind::Other) => 4,
        });
        match &info.signing_key {
            Some(k) => {
                self.bytes.push(1);
                put_str(&mut self.bytes, k);
            }
            None => self.bytes.push(0),
        }
        put_len(&mut self.bytes, info.trailers.len());
        for (k, values) in &info.trailers {
            put_str(&mut self.bytes, k);
            put_len(&mut self.bytes, values.len());
            for v in values {
                put_str(&mut self.bytes, v);
            }
        }
        put_str(&mut self.bytes, &info.summary);
        put_len(&mut self.bytes, info.parents.len());
        for p in &info.parents {
            match <[u8; 20]>::try_from(p.as_bytes())
                .ok()
                .and_then(|k| self.find(&k))
            {
                Some(j) => {
                    self.bytes.push(1);
                    put_len(&mut self.bytes, j);
                }
                None => {
                    self.bytes.push(0);
                    self.bytes.extend_from_slice(p.as_bytes());
                }
            }
        }
    }
}

/// The id a record starts with, as 20 bytes (zeros for a record whose id is not a git id: those
/// are never indexed, and no git id is all zeros in practice: hashing to it is a preimage).
fn key_at(bytes: &[u8], starts: &[usize], i: usize) -> [u8; 20] {
    let at = starts.get(i).copied().unwrap_or(usize::MAX);
    match bytes.get(at..at.saturating_add(21)) {
        Some([0, id @ ..]) => id.try_into().unwrap_or([0; 20]),
        _ => [0; 20],
    }
}

/// An id's hash in the index: its first 8 bytes (ids are SHA-1 hashes already).
fn hash_of(key: &[u8; 20]) -> u64 {
    u64::from_le_bytes([
        key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
    ])
}

/// Lengths and indices as LEB128 (seven bits a byte): most are under 128, one byte.
fn put_len(out: &mut Vec<u8>, n: usize) {
    let mut n = n as u64;
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A signed number, zigzagged (small magnitudes of either sign stay short) then as a length.
fn put_signed(out: &mut Vec<u8>, v: i64) {
    put_len(out, ((v << 1) ^ (v >> 63)) as u64 as usize);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// Reads back what [`Commits::encode`] wrote. The bytes are the table's own, so a short read
/// (which would be a bug here) gives empty values rather than a panic.
struct Decoder<'a> {
    b: &'a [u8],
}

impl<'a> Decoder<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.b.split_at(n.min(self.b.len()));
        self.b = rest;
        head
    }
    fn array<const N: usize>(&mut self) -> [u8; N] {
        self.take(N).try_into().unwrap_or([0; N])
    }
    fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }
    /// What [`put_len`] wrote (at most ten bytes are read).
    fn len(&mut self) -> usize {
        let mut n = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.u8();
            n |= ((b & 0x7f) as u64).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                break;
            }
        }
        n as usize
    }
    fn signed(&mut self) -> i64 {
        let z = self.len() as u64;
        ((z >> 1) as i64) ^ -((z & 1) as i64)
    }
    fn string(&mut self) -> String {
        let n = self.len();
        String::from_utf8_lossy(self.take(n)).into_owned()
    }
    fn id(&mut self) -> String {
        match self.u8() {
            0 => git2::Oid::from_bytes(self.take(20))
                .map(|o| o.to_string())
                .unwrap_or_default(),
            _ => self.string(),
        }
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
    // Times and flags are read undecoded; a record is decoded only when it is an anomaly.
    let stamp = |i: usize| commits.stamps[i];
    let mut out = Vec::new();
    for pair in landings.windows(2) {
        if stamp(pair[1]).committer < stamp(pair[0]).committer {
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
        let s = stamp(i);
        if s.author <= s.committer && !s.mailmapped {
            continue;
        }
        let c = commits.info(i);
        if s.author > s.committer {
            out.push(Anomaly {
                commit: c.id.clone(),
                kind: "authored-after-committed".into(),
                detail: format!(
                    "author time {} is after committer time {}",
                    c.author.at, c.committer.at
                ),
            });
        }
        if s.mailmapped {
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
    let signed = landings.iter().filter(|&&i| stamp(i).signed).count();
    if landings.len() >= 4 && signed * 2 > landings.len() {
        for &i in landings {
            if !stamp(i).signed {
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
        }
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
