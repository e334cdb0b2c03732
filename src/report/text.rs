//! The text report: a timeline a person reads in a terminal. Per resource, each window with its
//! rule, how long it was open, who opened it (and through which merge), who widened and who closed
//! it; then what could not be read and what looks doubtful.

use super::human_duration;
use super::json::{duration_seconds, ordered};
use crate::history::CommitInfo;
use crate::scan::ScanResult;
use crate::timeline::Cause;
use std::fmt::Write;

fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

fn who(c: &CommitInfo) -> String {
    format!("{} <{}>", c.author.name, c.author.email)
}

/// A cause: who, in which commit, then what and where. `same_commit` skips the header when the
/// previous cause came from the same commit, so one commit's several settings read as one change.
fn cause_lines(out: &mut String, r: &ScanResult, label: &str, c: &Cause, same_commit: bool) {
    let commit = &r.commits.infos[c.blamed.commit];
    let landing = &r.commits.infos[c.blamed.landing_commit];
    let ch = &c.blamed.change;
    if !same_commit {
        let _ = writeln!(
            out,
            "    {label:<10} {} in {} \"{}\" ({})",
            who(commit),
            short(&commit.id),
            commit.summary,
            commit.author.at
        );
    }
    let _ = writeln!(
        out,
        "    {:<10} {}  at {}:{}{}",
        "",
        c.summary,
        ch.location.file,
        ch.location.line,
        if c.but_for { "  [but-for]" } else { "" }
    );
    if landing.parents.len() > 1 && !same_commit {
        let _ = writeln!(
            out,
            "    {:<10} merged by {} <{}> in {} ({})",
            "",
            landing.committer.name,
            landing.committer.email,
            short(&landing.id),
            landing.committer.at
        );
    }
}

pub fn scan_report(r: &ScanResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "configtrail: {} at {} ({}), {} landings, {} rules\n",
        r.repository,
        r.reference,
        short(&r.head),
        r.landings.len(),
        r.rules.len()
    );
    let windows = ordered(r);
    let mut by_resource: Vec<(&str, &str, &str)> = windows
        .iter()
        .map(|w| (w.unit_path.as_str(), w.address.as_str(), w.file.as_str()))
        .collect();
    by_resource.sort();
    by_resource.dedup();
    for (unit, address, file) in by_resource {
        let _ = writeln!(out, "{address}  ({file})");
        for w in windows
            .iter()
            .filter(|w| w.unit_path == unit && w.address == address)
        {
            let rule = crate::rules::find(r.rules, w.rule).map(|x| &x.meta);
            let (sev, title) = rule
                .map(|m| (m.severity.as_str().to_uppercase(), m.title))
                .unwrap_or_default();
            let _ = writeln!(out, "  {sev:<8} {}  {title}", w.rule);
            let opened = r.landing_commit(w.opened);
            let span = match w.closed {
                Some(c) => {
                    let closed = r.landing_commit(c);
                    format!(
                        "open {} ({}) -> closed {} ({}), {}",
                        opened.committer.at,
                        short(&opened.id),
                        closed.committer.at,
                        short(&closed.id),
                        human_duration(duration_seconds(r, w))
                    )
                }
                None => format!(
                    "open {} ({}) -> still open at the tip, {} so far",
                    opened.committer.at,
                    short(&opened.id),
                    human_duration(duration_seconds(r, w))
                ),
            };
            let _ = writeln!(out, "    {span}");
            let _ = writeln!(out, "    {:<10} {}", "exposure", w.finding.summary);
            let mut prev: Option<usize> = None;
            for c in &w.causes {
                let label = if prev.is_none() { "opened by" } else { "and" };
                cause_lines(&mut out, r, label, c, prev == Some(c.blamed.commit));
                prev = Some(c.blamed.commit);
            }
            for wd in &w.widenings {
                let _ = writeln!(out, "    {:<10} {} -> {}", "widened", wd.before, wd.after);
                let mut prev: Option<usize> = None;
                for c in &wd.causes {
                    cause_lines(&mut out, r, "by", c, prev == Some(c.blamed.commit));
                    prev = Some(c.blamed.commit);
                }
            }
            if let Some(c) = &w.remediation {
                cause_lines(&mut out, r, "closed by", c, false);
            }
            out.push('\n');
        }
    }
    if !r.blind_spots.is_empty() {
        let _ = writeln!(out, "Blind spots (nothing is claimed inside them)");
        for b in &r.blind_spots {
            let to =
                b.to.map(|t| format!("to {}", short(&r.landing_commit(t).id)))
                    .unwrap_or_else(|| "to the tip".into());
            let what = match (b.unit.as_str(), b.file.as_str()) {
                ("", "") => "history",
                (unit, "") => unit,
                (_, file) => file,
            };
            let _ = writeln!(
                out,
                "  {what}: from {} {to}: {}",
                short(&r.landing_commit(b.from).id),
                b.reason
            );
        }
        out.push('\n');
    }
    if !r.anomalies.is_empty() {
        let _ = writeln!(out, "Anomalies");
        for a in &r.anomalies {
            let _ = writeln!(out, "  {} {}: {}", short(&a.commit), a.kind, a.detail);
        }
        out.push('\n');
    }
    let open = r.windows.iter().filter(|w| w.closed.is_none()).count();
    let _ = writeln!(
        out,
        "{} exposure window{} ({open} open at the tip), {} blind spot{}, {} anomal{}.",
        r.windows.len(),
        if r.windows.len() == 1 { "" } else { "s" },
        r.blind_spots.len(),
        if r.blind_spots.len() == 1 { "" } else { "s" },
        r.anomalies.len(),
        if r.anomalies.len() == 1 { "y" } else { "ies" },
    );
    out
}
