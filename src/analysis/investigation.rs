//! Investigation: a scan put in the frame of an incident and a contract.
//!
//! Takes the repository, the ref and the investigator's options (the incident instant `--at`,
//! `--since`/`--until`, a resource, a minimum severity, the parties file and the deploy log);
//! gives an [`Investigation`]: the scan, the windows the report covers, the parties and
//! deployments, and the causal graph every report format reads.
//!
//! Filtering happens here and only here, after the full history has been read: a window's
//! causes and its earlier history do not depend on what the report shows, so `--resource` or
//! `--at` narrows the report without changing any claim in it.

use crate::engine::scan::{self, ScanResult, Walk};
use crate::engine::timeline::Window;
use crate::evidence::attribution::{Parties, PartiesError};
use crate::evidence::deploys::{self, DeployError, DeployLog};
use crate::graph::Graph;
use crate::history::{HistoryError, Repo};
use crate::rules::Severity;

/// An instant the user gave, and how the report writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instant {
    pub seconds: i64,
    /// RFC 3339 with the offset the user gave (a bare date is midnight UTC).
    pub text: String,
}

/// Parses `2024-03-01T12:00:00+01:00` or `2024-03-01` (midnight UTC).
pub fn parse_instant(s: &str) -> Result<Instant, String> {
    let s = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(Instant {
            seconds: d.timestamp(),
            text: d.to_rfc3339(),
        });
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            let utc = t.and_utc();
            return Ok(Instant {
                seconds: utc.timestamp(),
                text: utc.fixed_offset().to_rfc3339(),
            });
        }
    }
    Err(format!(
        "{s:?} is not a time: use RFC 3339 (2024-03-01T12:00:00Z, 2024-03-01T13:00:00+01:00) or a date (2024-03-01, midnight UTC)"
    ))
}

/// What the investigator asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub at: Option<Instant>,
    pub since: Option<Instant>,
    pub until: Option<Instant>,
    /// A resource address; its `for_each`/`count` instances match too.
    pub resource: Option<String>,
    pub min_severity: Option<Severity>,
    /// Paths as the user gave them.
    pub parties: Option<String>,
    pub deploys: Option<String>,
    pub environment: Option<String>,
    /// The run's limits (recorded in the report when raised, so `verify` reads under the same).
    pub limits: crate::limits::Limits,
    /// `--root` and `--var-file` (recorded in the report when given).
    pub terraform: crate::formats::terraform::modules::RootOptions,
    /// `--show-secrets` and `--fingerprint-key` (recorded as used; the key never is).
    pub redaction: crate::redact::Options,
    /// Read the diff excerpt of every change the report names (Markdown and HTML show them),
    /// after the analysis and outside the object ledger: presentation, not evidence.
    pub excerpts: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum InvestigationError {
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Parties(#[from] PartiesError),
    #[error(transparent)]
    Deploys(#[from] DeployError),
    #[error("{file}: cannot be read: {reason}")]
    Read { file: String, reason: String },
    #[error("--since {since} is after --until {until}")]
    EmptyPeriod { since: String, until: String },
}

/// Everything a scan report is a view of.
pub struct Investigation {
    pub scan: ScanResult,
    pub options: Options,
    pub parties: Option<Parties>,
    pub deploys: Option<DeployLog>,
    /// The windows the report covers, as indices into `scan.windows`, in report order.
    pub windows: Vec<usize>,
    pub graph: Graph,
    /// Recorded risk acceptances: the suppression covering a window's finding at its end, by
    /// window index.
    pub acceptances: std::collections::BTreeMap<usize, crate::engine::acceptance::Acceptance>,
    /// Diff excerpts of the changes, by change node (filled for the formats that show them).
    pub excerpts: std::collections::BTreeMap<petgraph::stable_graph::NodeIndex, String>,
}

impl Investigation {
    /// The cause (or widening cause, or remediation) a change node of the graph stands for.
    pub fn cause(
        &self,
        node: petgraph::stable_graph::NodeIndex,
    ) -> Option<&crate::engine::timeline::Cause> {
        self.graph
            .g
            .node_weight(node)
            .and_then(|n| crate::graph::cause_of(&self.scan, n))
    }

    /// The party of a change as reports word it: `None` without a parties file, else the
    /// party's name or "no party matched".
    pub fn party_label(&self, node: petgraph::stable_graph::NodeIndex) -> Option<&str> {
        self.parties.as_ref()?;
        Some(
            self.graph
                .party_of_change(node)
                .unwrap_or("no party matched"),
        )
    }
}

/// How many anomalies of one kind are shown by id when they are summarised.
pub const ANOMALY_EXAMPLES: usize = 3;

/// The anomalies as a report shows them to people: those that touch a cause or remediation
/// (their commit is the cause's, the remediation's or their landing) one by one, the rest
/// counted by kind with the first few as examples. A long GitHub history has hundreds of direct
/// pushes among signed forge merges; listing them all buries the few that matter.
pub struct AnomalyDigest<'a> {
    pub listed: Vec<&'a crate::evidence::attribution::Anomaly>,
    /// (kind, count, example commit ids), by kind.
    pub summary: Vec<(&'a str, usize, Vec<&'a str>)>,
    /// The commits that causes and remediations name.
    pub relevant: std::collections::BTreeSet<String>,
}

impl Investigation {
    pub fn anomaly_digest(&self) -> AnomalyDigest<'_> {
        let r = &self.scan;
        let mut relevant = std::collections::BTreeSet::new();
        for w in &r.windows {
            for c in w.every_change() {
                relevant.insert(r.commits.id(c.blamed.commit));
                relevant.insert(r.commits.id(c.blamed.landing_commit));
            }
        }
        let mut listed = Vec::new();
        let mut by_kind: std::collections::BTreeMap<&str, (usize, Vec<&str>)> =
            std::collections::BTreeMap::new();
        for a in &r.anomalies {
            if relevant.contains(&a.commit) {
                listed.push(a);
            } else {
                let e = by_kind.entry(a.kind.as_str()).or_default();
                e.0 += 1;
                if e.1.len() < ANOMALY_EXAMPLES {
                    e.1.push(a.commit.as_str());
                }
            }
        }
        AnomalyDigest {
            listed,
            summary: by_kind.into_iter().map(|(k, (n, ex))| (k, n, ex)).collect(),
            relevant,
        }
    }
}

fn read(file: &str) -> Result<Vec<u8>, InvestigationError> {
    std::fs::read(file).map_err(|e| InvestigationError::Read {
        file: file.to_string(),
        reason: e.to_string(),
    })
}

/// Runs the scan and builds the investigation. `tip` replays a recorded head (`verify`).
pub fn investigate(
    repo: &mut Repo,
    reference: &str,
    tip: Option<git2::Oid>,
    options: Options,
) -> Result<Investigation, InvestigationError> {
    if let (Some(s), Some(u)) = (&options.since, &options.until) {
        if s.seconds > u.seconds {
            return Err(InvestigationError::EmptyPeriod {
                since: s.text.clone(),
                until: u.text.clone(),
            });
        }
    }
    // Read and check the user's files before the (possibly long) scan.
    let parties = match &options.parties {
        Some(f) => Some(Parties::parse(f, &read(f)?)?),
        None => None,
    };
    let deploy_input = match &options.deploys {
        Some(f) => {
            let bytes = read(f)?;
            let rows = deploys::parse(f, &bytes)?;
            let env = deploys::choose_environment(f, &rows, options.environment.as_deref())?;
            Some((f.clone(), bytes, rows, env))
        }
        None => None,
    };
    let walk = Walk {
        tip,
        until: options.until.as_ref().map(|u| u.seconds),
        watch: None,
        redaction: options.redaction.clone(),
    };
    repo.limits = options.limits;
    repo.terraform = options.terraform.clone();
    let mut scan = scan::scan_with(repo, reference, walk)?;
    // Suppressions are evidence in a scan (a recorded acceptance of the risk), found by walking
    // the history of the comment; the objects that walk reads are part of what was examined.
    let acceptances = crate::engine::acceptance::acceptances(repo, &scan);
    scan.ledger.merge(repo.take_ledger());
    let deploys = deploy_input.map(|(f, bytes, rows, env)| {
        let ids: Vec<String> = scan.landings.iter().map(|&i| scan.commits.id(i)).collect();
        deploys::resolve(repo, &f, &bytes, rows, &env, &ids)
    });
    let mut windows: Vec<usize> = (0..scan.windows.len())
        .filter(|&i| keep(&scan, &options, deploys.as_ref(), &scan.windows[i]))
        .collect();
    windows.sort_by(|&a, &b| {
        let (a, b) = (&scan.windows[a], &scan.windows[b]);
        (a.opened, a.rule, &a.unit_id, &a.address).cmp(&(b.opened, b.rule, &b.unit_id, &b.address))
    });
    let graph = Graph::build(&scan, &windows, parties.as_ref(), deploys.as_ref());
    let mut inv = Investigation {
        scan,
        options,
        parties,
        deploys,
        windows,
        graph,
        acceptances,
        excerpts: Default::default(),
    };
    // The last thing asked of the repository, here with the rest: no later stage reopens it.
    if inv.options.excerpts {
        add_excerpts(repo, &mut inv);
    }
    Ok(inv)
}

/// Most lines an excerpt shows: the hunk around the changed line, not the whole file.
const EXCERPT_LINES: usize = 24;

/// Reads, for every change in the graph, the diff of its file in its commit against the commit's
/// first parent, and keeps the hunk around the changed line, numbered. Read after the analysis
/// and kept out of the object ledger: it presents evidence, it is not part of it.
fn add_excerpts(repo: &Repo, inv: &mut Investigation) {
    let mut out = std::collections::BTreeMap::new();
    for n in inv.graph.g.node_indices() {
        let Some(c) = inv.cause(n) else {
            continue;
        };
        let Ok(oid) = git2::Oid::from_str(&inv.scan.commits.info(c.blamed.commit).id) else {
            continue;
        };
        let at = c.blamed.cited_location();
        let file = &at.file;
        let new = repo.file_at(oid, file, false).unwrap_or_default();
        let old = repo.file_at(oid, file, true).unwrap_or_default();
        if let Some(x) = excerpt(&old, &new, at.line) {
            // Lines around the change are the file's, secrets included: never shown.
            out.insert(n, inv.scan.redactor.redact_text(&x));
        }
    }
    inv.excerpts = out;
}

/// The hunk of a line diff that contains (or is nearest to) new line `line`, as text with old
/// and new line numbers.
pub fn excerpt(old: &[u8], new: &[u8], line: u32) -> Option<String> {
    use std::fmt::Write;
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
    let groups = diff.grouped_ops(3);
    let line = line.max(1) as usize - 1;
    let distance = |g: &Vec<similar::DiffOp>| {
        let (s, e) = (
            g.first().map_or(0, |o| o.new_range().start),
            g.last().map_or(0, |o| o.new_range().end),
        );
        if line < s {
            s - line
        } else if line >= e {
            line + 1 - e
        } else {
            0
        }
    };
    let group = groups.iter().min_by_key(|g| distance(g))?;
    let changes: Vec<_> = group.iter().flat_map(|op| diff.iter_changes(op)).collect();
    // A long hunk (a new file, say) is cut to the lines around the one that matters.
    let at = changes
        .iter()
        .position(|c| c.new_index() == Some(line))
        .unwrap_or(0);
    let start = at
        .saturating_sub(EXCERPT_LINES / 2)
        .min(changes.len().saturating_sub(EXCERPT_LINES));
    let end = (start + EXCERPT_LINES).min(changes.len());
    let mut text = String::new();
    if start > 0 {
        let _ = writeln!(text, "          …");
    }
    {
        for change in &changes[start..end] {
            let (sign, o, n) = match change.tag() {
                similar::ChangeTag::Equal => (' ', change.old_index(), change.new_index()),
                similar::ChangeTag::Delete => ('-', change.old_index(), None),
                similar::ChangeTag::Insert => ('+', None, change.new_index()),
            };
            let num = |i: Option<usize>| {
                i.map(|i| format!("{:>4}", i + 1))
                    .unwrap_or_else(|| "    ".into())
            };
            let _ = write!(text, "{} {} {sign} {}", num(o), num(n), change.value());
            if change.missing_newline() {
                text.push('\n');
            }
        }
    }
    if end < changes.len() {
        let _ = writeln!(text, "          …");
    }
    Some(text)
}

/// The landing time of landing `li`, in seconds: its committer time, read without decoding the
/// commit record.
pub fn landed(r: &ScanResult, li: usize) -> i64 {
    r.commits.committer_seconds(r.landings[li])
}

/// Whether the window was open (committed to the ref) at `t`.
pub fn open_at(r: &ScanResult, w: &Window, t: i64) -> bool {
    landed(r, w.opened) <= t && w.closed.is_none_or(|c| landed(r, c) > t)
}

/// Whether the window's violation was live (deployed) at `t`, per the deploy log.
pub fn live_at(log: &DeployLog, w: &Window, t: i64) -> bool {
    deploys::live(log, w.opened, w.closed).covers(log, t)
}

fn keep(r: &ScanResult, o: &Options, log: Option<&DeployLog>, w: &Window) -> bool {
    if let Some(min) = o.min_severity {
        let sev = crate::rules::find(r.rules, w.rule).map(|x| x.meta.severity);
        if sev.is_none_or(|s| s < min) {
            return false;
        }
    }
    if let Some(res) = &o.resource {
        if !crate::model::matches_resource(&w.address, res) {
            return false;
        }
    }
    if let Some(since) = &o.since {
        // Drop only windows that were over before the period began.
        if w.closed.is_some_and(|c| landed(r, c) <= since.seconds) {
            return false;
        }
    }
    if let Some(at) = &o.at {
        let live = log.is_some_and(|l| live_at(l, w, at.seconds));
        if !open_at(r, w, at.seconds) && !live {
            return false;
        }
    }
    true
}

/// What configtrail cannot see, stated in every report.
pub const LIMITATIONS: &[&str] = &[
    "Only what was committed to the analysed ref is examined. Changes made outside the repository (in a cloud console, by CLI, by another pipeline) and drift between the code and the running infrastructure are invisible to this report.",
    "A landing is not an apply: without a deploy log this report cannot say whether, when or by whom a change was applied, or whether the apply failed. Windows are then measured between landings.",
    OUTSIDE_THE_UNIT,
    "Identities are what commits claim: author and committer names, emails and times can be set freely by whoever made the commit. Signatures are recorded as present or absent and by key id; they are not cryptographically verified.",
    RULES_COVER,
];

const OUTSIDE_THE_UNIT: &str = "Terraform is evaluated as Terraform deploys it: each root (a directory no other directory of the repository calls) with every local module it instantiates, to 16 calls deep: the callers' arguments, else the modules' defaults, count and for_each on calls, outputs, override files, and the root's terraform.tfvars and *.auto.tfvars (and --var-file). A module from outside the repository (registry, git, HTTP) is not evaluated unless a copy is vendored in the repository: each such call is a blind spot naming its source and version. A directory nobody calls, with variables and nothing that says how it is deployed (no provider block, backend, tfvars or module call), is evaluated alone with its variables' defaults and reported as a library module. Values known only at apply time (variables set by -var or the environment, remote state, data sources read from the cloud, attributes computed by the provider, provider defaults that changed) are undecided blind spots, never assumed safe.";
const RULES_COVER: &str =
    "Rules cover the settings listed in the rule catalogue; a setting no rule examines is not assessed.";

/// What a `check` report cannot say: it reads files as they are, with no history.
pub const CHECK_LIMITATIONS: &[&str] = &[
    "Only the files under the given paths are read, as they are now: there is no history, so nothing is said about who wrote a setting, when, or whether it was ever applied.",
    OUTSIDE_THE_UNIT,
    RULES_COVER,
];
