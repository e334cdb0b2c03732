//! Deployments: when a landing actually went live.
//!
//! Takes a deploy log (`--deploys`, CSV `commit,deployed_at,environment`, DESIGN.md) and the
//! landings of a scan; gives each deployment the landing whose state it put live, and for a
//! window of landings the intervals of time in which its violation was live. A landing that was
//! never deployed itself goes live with the first later deployment that contains it; a rollback
//! (a deployment of an older landing) ends a window's live interval like a fix would.
//!
//! The log is the other side's record as much as the repository is, so nothing is guessed: a
//! row naming a commit the repository does not have is listed and ignored, and a window whose
//! start or end the log does not cover says which bound is known.

use crate::history::{seconds_of, Repo};
use git2::Oid;
use std::collections::{BTreeSet, HashMap};

/// One row of the log, for the chosen environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// 1-based line in the file (the header is line 1).
    pub line: usize,
    /// The commit as written in the log.
    pub commit: String,
    /// The full id it resolves to.
    pub resolved: String,
    /// As written (RFC 3339 with its offset).
    pub at: String,
    pub seconds: i64,
    pub environment: String,
    /// The landing whose state this deployment put live.
    pub landing: usize,
    /// Set when the deployed commit is not itself a landing of the ref.
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DeployLog {
    /// Deployments of the chosen environment, in time order (then line order).
    pub rows: Vec<Deployment>,
    pub environment: String,
    /// `sha256:<hex>` of the file's bytes.
    pub digest: String,
    /// Rows that could not be used, each naming its line and why.
    pub ignored: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
}

/// A row as read, before it is tied to the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub commit: String,
    pub at: String,
    pub seconds: i64,
    pub environment: String,
}

/// Parses the CSV. Columns are found by header name; `environment` may be absent (then every row
/// is environment `""`).
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<Row>, DeployError> {
    let invalid = |reason: String| DeployError::Invalid {
        file: file.to_string(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| invalid(format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(c_commit), Some(c_at)) = (col("commit"), col("deployed_at")) else {
        return Err(invalid(
            "the header must name the columns commit and deployed_at (and optionally environment)"
                .into(),
        ));
    };
    let c_env = col("environment");
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| invalid(format!("line {line}: {e}")))?;
        let commit = record.get(c_commit).unwrap_or("").to_string();
        let at = record.get(c_at).unwrap_or("").to_string();
        if commit.is_empty() || !commit.chars().all(|c| c.is_ascii_hexdigit()) || commit.len() < 4 {
            return Err(invalid(format!(
                "line {line}: {commit:?} is not a commit id (4 to 40 hex digits)"
            )));
        }
        let seconds = seconds_of(&at).ok_or_else(|| {
            invalid(format!(
                "line {line}: deployed_at {at:?} is not an RFC 3339 time (2024-03-01T12:00:00Z)"
            ))
        })?;
        let environment = c_env.and_then(|c| record.get(c)).unwrap_or("").to_string();
        rows.push(Row {
            line,
            commit,
            at,
            seconds,
            environment,
        });
    }
    Ok(rows)
}

/// The environment to measure: the one asked for, else the only one in the log, else
/// `production` or `prod` when present. Anything else is ambiguous and an error.
pub fn choose_environment(
    file: &str,
    rows: &[Row],
    asked: Option<&str>,
) -> Result<String, DeployError> {
    let envs: BTreeSet<&str> = rows.iter().map(|r| r.environment.as_str()).collect();
    let invalid = |reason: String| DeployError::Invalid {
        file: file.to_string(),
        reason,
    };
    if let Some(a) = asked {
        if !envs.contains(a) {
            return Err(invalid(format!(
                "no deployment to environment {a:?} (the log has: {})",
                envs.iter().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        return Ok(a.to_string());
    }
    match envs.len() {
        0 => Ok(String::new()),
        1 => Ok(envs
            .iter()
            .next()
            .map(|e| e.to_string())
            .unwrap_or_default()),
        _ => ["production", "prod"]
            .into_iter()
            .find(|p| envs.contains(p))
            .map(str::to_string)
            .ok_or_else(|| {
                invalid(format!(
                    "the log has several environments ({}); choose one with --environment",
                    envs.iter().cloned().collect::<Vec<_>>().join(", ")
                ))
            }),
    }
}

/// Ties the rows of one environment to the landings of a scan. `landing_ids` are the landings'
/// commit ids, oldest first.
pub fn resolve(
    repo: &Repo,
    file: &str,
    bytes: &[u8],
    rows: Vec<Row>,
    environment: &str,
    landing_ids: &[String],
) -> DeployLog {
    let index: HashMap<&str, usize> = landing_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let tip = landing_ids.last().and_then(|t| Oid::from_str(t).ok());
    let mut out = Vec::new();
    let mut ignored = Vec::new();
    for row in rows.into_iter().filter(|r| r.environment == environment) {
        let Ok(oid) = repo.resolve(&row.commit) else {
            ignored.push(format!(
                "{file} line {}: commit {} is not in the repository; the row is ignored",
                row.line, row.commit
            ));
            continue;
        };
        let id = oid.to_string();
        let (landing, note) = match index.get(id.as_str()) {
            Some(&i) => (Some(i), None),
            None => {
                // Not a landing: deployed from a branch, say. Its state includes the newest
                // landing it contains, which is its merge base with the tip when that is a
                // landing; a later merge of the same branch is a separate landing.
                let base = tip.and_then(|t| repo.merge_base(oid, t).ok());
                let l = base.and_then(|b| index.get(b.to_string().as_str()).copied());
                (
                    l,
                    Some(format!(
                        "deployed commit {id} is not a landing of the ref; its state is taken as \
                         that of the landing it contains ({})",
                        base.map(|b| b.to_string()).unwrap_or_else(|| "none".into())
                    )),
                )
            }
        };
        match landing {
            Some(landing) => out.push(Deployment {
                line: row.line,
                commit: row.commit,
                resolved: id,
                at: row.at,
                seconds: row.seconds,
                environment: row.environment,
                landing,
                note,
            }),
            None => ignored.push(format!(
                "{file} line {}: commit {} contains no landing of the ref; the row is ignored",
                row.line, row.commit
            )),
        }
    }
    out.sort_by_key(|d| (d.seconds, d.line));
    DeployLog {
        rows: out,
        environment: environment.to_string(),
        digest: crate::digest::sha256_tag(bytes),
        ignored,
    }
}

/// When a window's violation was live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    /// (deployment that made it live, deployment that ended it) as indices into the log's rows;
    /// `None` = still live at the end of the log.
    pub intervals: Vec<(usize, Option<usize>)>,
    /// The opening landing landed before the log's first deployment, which then made it live:
    /// it may have gone live earlier than the log can show.
    pub start_unknown: bool,
}

impl Live {
    /// Whether the window was live at `t` (seconds).
    pub fn covers(&self, log: &DeployLog, t: i64) -> bool {
        self.intervals
            .iter()
            .any(|&(s, e)| log.rows[s].seconds <= t && e.is_none_or(|e| log.rows[e].seconds > t))
    }
}

/// The live intervals of a window opened at landing `opened` and closed at `closed` (`None`:
/// open at the end of the analysis).
pub fn live(log: &DeployLog, opened: usize, closed: Option<usize>) -> Live {
    let violating = |d: usize| d >= opened && closed.is_none_or(|c| d < c);
    let mut intervals = Vec::new();
    let mut current: Option<usize> = None;
    for (i, d) in log.rows.iter().enumerate() {
        match (current, violating(d.landing)) {
            (None, true) => current = Some(i),
            (Some(s), false) => {
                intervals.push((s, Some(i)));
                current = None;
            }
            _ => {}
        }
    }
    if let Some(s) = current {
        intervals.push((s, None));
    }
    // Live from the log's very first deployment: the log cannot say whether an earlier,
    // unlogged deployment already put it live.
    let start_unknown = intervals.first().is_some_and(|&(s, _)| s == 0);
    Live {
        intervals,
        start_unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(rows: &[(i64, usize)]) -> DeployLog {
        DeployLog {
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, &(seconds, landing))| Deployment {
                    line: i + 2,
                    commit: String::new(),
                    resolved: String::new(),
                    at: String::new(),
                    seconds,
                    environment: String::new(),
                    landing,
                    note: None,
                })
                .collect(),
            environment: String::new(),
            digest: String::new(),
            ignored: vec![],
        }
    }

    #[test]
    fn a_window_is_live_from_the_first_deployment_containing_it_to_the_one_containing_its_fix() {
        // Landings 0..6; the window holds at landings 2, 3, 4 (closed at 5).
        let l = log(&[(100, 1), (200, 3), (300, 4), (400, 6)]);
        let v = live(&l, 2, Some(5));
        assert_eq!(v.intervals, vec![(1, Some(3))]);
        assert!(!v.start_unknown);
        // A fix landed but never deployed: live to the end of the log.
        let v = live(&l, 2, Some(7));
        assert_eq!(v.intervals, vec![(1, None)]);
    }

    #[test]
    fn a_rollback_ends_and_a_redeploy_restarts_the_live_interval() {
        let l = log(&[(100, 3), (200, 1), (300, 4)]);
        let v = live(&l, 2, None);
        assert_eq!(v.intervals, vec![(0, Some(1)), (2, None)]);
    }

    #[test]
    fn never_deployed_and_start_before_the_log() {
        // Opened at 2, closed at 3, but deployments jump from 1 to 4: never live.
        let l = log(&[(100, 1), (200, 4)]);
        assert!(live(&l, 2, Some(3)).intervals.is_empty());
        // Opened at 0, and the log's first deployment is of landing 2: start unknown.
        let l = log(&[(100, 2), (200, 5)]);
        let v = live(&l, 0, Some(4));
        assert_eq!(v.intervals, vec![(0, Some(1))]);
        assert!(v.start_unknown);
    }

    #[test]
    fn the_csv_is_read_by_header_and_bad_rows_name_their_line() {
        let rows = parse(
            "d.csv",
            b"environment,commit,deployed_at\nprod,abcdef1,2024-03-01T12:00:00+01:00\n",
        )
        .expect("valid");
        assert_eq!(rows[0].commit, "abcdef1");
        assert_eq!(rows[0].seconds, 1_709_290_800);
        let e = parse("d.csv", b"commit,deployed_at\nabcdef1,yesterday\n")
            .expect_err("bad time")
            .to_string();
        assert!(e.contains("d.csv: line 2"), "{e}");
        let e = parse("d.csv", b"sha,when\n")
            .expect_err("bad header")
            .to_string();
        assert!(e.contains("commit and deployed_at"), "{e}");
        let two = parse(
            "d.csv",
            b"commit,deployed_at,environment\nabcd,2024-01-01T00:00:00Z,staging\nabcd,2024-01-01T00:00:00Z,production\n",
        )
        .expect("valid");
        assert_eq!(
            choose_environment("d.csv", &two, None).expect("prod"),
            "production"
        );
        assert!(choose_environment("d.csv", &two[..1], Some("qa")).is_err());
    }
}
