//! The text report: a timeline a person reads in a terminal. Per resource, each window with its
//! rule, how long it was open, who opened it (and through which merge), who widened and who closed
//! it; then what could not be read and what looks doubtful.

use super::json::duration_seconds;
use super::{human_duration, short};
use crate::analysis::investigation::Investigation;
use crate::engine::scan::ScanResult;
use crate::engine::timeline::Window;
use crate::graph::{self, Role};
use crate::history::CommitInfo;
use petgraph::stable_graph::NodeIndex;
use std::fmt::Write;

fn who(c: &CommitInfo) -> String {
    format!("{} <{}>", c.author.name, c.author.email)
}

/// A cause: who, in which commit, then what and where. `same_commit` skips the header when the
/// previous cause came from the same commit, so one commit's several settings read as one change.
fn cause_lines(
    out: &mut String,
    inv: &Investigation,
    label: &str,
    node: NodeIndex,
    same_commit: bool,
) {
    let r = &inv.scan;
    let Some(c) = inv.cause(node) else {
        return;
    };
    let commit = &r.commits.info(c.blamed.commit);
    let landing = &r.commits.info(c.blamed.landing_commit);
    let ch = &c.blamed.change;
    let party = match (&inv.parties, inv.graph.party_of_change(node)) {
        (None, _) => String::new(),
        (Some(_), Some(p)) => format!(" [{p}]"),
        (Some(_), None) => " [no party matched]".into(),
    };
    if !same_commit {
        let _ = writeln!(
            out,
            "    {label:<10} {}{party} in {} \"{}\" ({})",
            who(commit),
            short(&commit.id),
            commit.summary,
            commit.author.at
        );
    }
    let _ = writeln!(
        out,
        "    {:<10} {}  at {}:{}{}{}",
        "",
        c.summary,
        c.blamed.cited_location().file,
        c.blamed.cited_location().line,
        match &c.blamed.cited_at {
            Some(_) => format!(
                " (at the landing {}:{})",
                ch.location.file, ch.location.line
            ),
            None => String::new(),
        },
        if c.but_for { "  [but-for]" } else { "" }
    );
    if let Some(old) = &c.blamed.written_on {
        let _ = writeln!(
            out,
            "    {:<10} written on {old}, which a later commit renamed or copied to {}",
            "", ch.address
        );
    }
    if c.blamed.by_merge {
        let _ = writeln!(
            out,
            "    {:<10} written in the merge itself: the value is in none of its parents",
            ""
        );
    }
    if c.blamed.written_unreadable {
        let _ = writeln!(
            out,
            "    {:<10} written while the file could not be parsed: found by the line's text \
             (whitespace ignored), not by its value",
            ""
        );
    }
    let forge = crate::evidence::attribution::through(landing);
    match crate::evidence::attribution::merger(landing) {
        Some(m) if !same_commit => {
            let _ = writeln!(
                out,
                "    {:<10} merged by {} <{}>{forge} in {} ({})",
                "",
                m.name,
                m.email,
                short(&landing.id),
                landing.committer.at
            );
        }
        // A squash, rebase or web edit a forge committed: the forge is said, and nobody is named as its
        // merger (the author above is who the change is attributed to).
        None if !same_commit && !forge.is_empty() => {
            let _ = writeln!(
                out,
                "    {:<10} landed{forge} in {} ({}): not a merge, no merger",
                "",
                short(&landing.id),
                landing.committer.at
            );
        }
        _ => {}
    }
    if let Some((n, head)) = super::json::pull_request(r, c) {
        let _ = writeln!(
            out,
            "    {:<10} found in pull request #{n} (refs/pull/{n}/head at {}), squashed into {}: \
             the commit is not in the history of the ref, only in the forge's",
            "",
            short(&head.to_string()),
            short(&landing.id)
        );
    }
}

pub fn scan_report(inv: &Investigation) -> String {
    let r = &inv.scan;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "configtrail: {} at {} ({}), {} landings, {} rules",
        r.repository,
        r.reference,
        short(&r.head),
        r.landings.len(),
        r.rules.len()
    );
    let o = &inv.options;
    let mut filters = Vec::new();
    if let Some(at) = &o.at {
        filters.push(format!("open at {}", at.text));
    }
    if let Some(s) = &o.since {
        filters.push(format!("since {}", s.text));
    }
    if let Some(u) = &o.until {
        filters.push(format!("history until {}", u.text));
    }
    if let Some(res) = &o.resource {
        filters.push(format!("resource {res}"));
    }
    if let Some(m) = o.min_severity {
        filters.push(format!("severity {m} and above"));
    }
    if let Some(log) = &inv.deploys {
        filters.push(format!(
            "deployments to {:?}: {} from the log",
            log.environment,
            log.rows.len()
        ));
    }
    if !filters.is_empty() {
        let _ = writeln!(out, "showing: {}", filters.join("; "));
    }
    out.push('\n');
    let windows: Vec<(NodeIndex, &Window)> = inv
        .graph
        .exposures
        .iter()
        .filter_map(|&x| Some((x, &**r.windows.get(inv.graph.window(x)?)?)))
        .collect();
    let mut by_resource: Vec<(&str, &str, &str)> = windows
        .iter()
        .map(|(_, w)| (w.unit_path.as_str(), w.address.as_str(), w.file.as_str()))
        .collect();
    by_resource.sort();
    by_resource.dedup();
    for (unit, address, file) in by_resource {
        // A module's resource is written in the module's directory but deployed by its root:
        // the header names both.
        if address.starts_with("module.") && crate::formats::unit_of(file) != unit {
            let _ = writeln!(
                out,
                "{address}  ({file}, in root {})",
                crate::formats::unit_display(unit)
            );
        } else {
            let _ = writeln!(out, "{address}  ({file})");
        }
        for &(x, w) in windows
            .iter()
            .filter(|(_, w)| w.unit_path == unit && w.address == address)
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
                    "open {} ({}) -> still open at the {}, {} so far",
                    opened.committer.at,
                    short(&opened.id),
                    if r.until.is_some() {
                        "end of the period"
                    } else {
                        "tip"
                    },
                    human_duration(duration_seconds(r, w))
                ),
            };
            let _ = writeln!(out, "    {span}");
            if let Some(span) = super::json::live_span(inv, x, w) {
                let _ = writeln!(out, "    live {span}");
            }
            if let Some(resp) = inv.graph.responsible(x) {
                let _ = writeln!(
                    out,
                    "    {:<10} {resp} (by the contract's matrix)",
                    "responsible"
                );
            }
            let _ = writeln!(out, "    {:<10} {}", "exposure", w.finding.summary);
            if let Some(identity) = super::identity_note(w) {
                let _ = writeln!(out, "    {:<10} {identity}", "identity");
            }
            if w.library {
                let _ = writeln!(
                    out,
                    "    {:<10} as a library module: nobody in the repository calls it, so it is \
                     evaluated alone with its variables' defaults",
                    "evaluated"
                );
            }
            if let Some(a) = inv.graph.window(x).and_then(|i| inv.acceptances.get(&i)) {
                let _ = writeln!(
                    out,
                    "    {:<10} {}",
                    "accepted",
                    super::acceptance::describe(r, a)
                );
            }
            let mut prev: Option<usize> = None;
            for (n, _, _) in inv.graph.changes(x, |r| r == Role::Cause) {
                let label = if prev.is_none() { "opened by" } else { "and" };
                let commit = commit_of(inv, n);
                cause_lines(&mut out, inv, label, n, prev.is_some() && prev == commit);
                prev = commit;
            }
            for (k, wd) in w.widenings.iter().enumerate() {
                let _ = writeln!(out, "    {:<10} {} -> {}", "widened", wd.before, wd.after);
                let mut prev: Option<usize> = None;
                for (n, _, _) in inv.graph.changes(x, |r| matches!(r, Role::Widening(_))) {
                    if inv.graph.g.node_weight(n).is_some_and(|nw| matches!(nw, graph::Node::Change { role, .. } if *role == Role::Widening(k))) {
                        let commit = commit_of(inv, n);
                        cause_lines(&mut out, inv, "by", n, prev.is_some() && prev == commit);
                        prev = commit;
                    }
                }
            }
            for (n, _, _) in inv.graph.changes(x, |r| r == Role::Remediation) {
                cause_lines(&mut out, inv, "closed by", n, false);
            }
            if let Some(why) = &w.superseded {
                let _ = writeln!(out, "    {:<10} {why}", "ended");
            }
            out.push('\n');
        }
    }
    if !r.terraform_roots.is_empty() {
        let _ = writeln!(
            out,
            "Terraform roots at the tip (each evaluated with the modules it calls)"
        );
        for t in &r.terraform_roots {
            let role = if t.library { "library module" } else { "root" };
            let calls = if t.instantiates.is_empty() {
                String::new()
            } else {
                let ds: Vec<&str> = t
                    .instantiates
                    .iter()
                    .map(|d| crate::formats::unit_display(d))
                    .collect();
                format!(": instantiates {}", ds.join(", "))
            };
            let _ = writeln!(
                out,
                "  {} ({role}){calls}",
                crate::formats::unit_display(&t.dir)
            );
        }
        out.push('\n');
    }
    blind_spot_lines(&mut out, r);
    if !r.anomalies.is_empty() {
        let digest = inv.anomaly_digest();
        let _ = writeln!(out, "Anomalies");
        for a in &digest.listed {
            let _ = writeln!(out, "  {} {}: {}", short(&a.commit), a.kind, a.detail);
        }
        for (kind, count, examples) in &digest.summary {
            let ex: Vec<&str> = examples.iter().map(|e| short(e)).collect();
            let _ = writeln!(
                out,
                "  {count} {kind} touching no cause or remediation (e.g. {})",
                ex.join(", ")
            );
        }
        out.push('\n');
    }
    party_section(&mut out, inv);
    let _ = writeln!(out, "Limitations");
    for l in crate::analysis::investigation::LIMITATIONS {
        let _ = writeln!(out, "  - {l}");
    }
    out.push('\n');
    let shown = windows.len();
    let open = windows.iter().filter(|(_, w)| w.closed.is_none()).count();
    let _ = writeln!(
        out,
        "{shown} exposure window{}{} ({open} open at the {}), {} blind spot{}, {} anomal{}.",
        if shown == 1 { "" } else { "s" },
        if shown == r.windows.len() {
            String::new()
        } else {
            format!(" shown of {}", r.windows.len())
        },
        if r.until.is_some() {
            "end of the period"
        } else {
            "tip"
        },
        r.blind_spots.len(),
        if r.blind_spots.len() == 1 { "" } else { "s" },
        r.anomalies.len(),
        if r.anomalies.len() == 1 { "y" } else { "ies" },
    );
    out
}

fn commit_of(inv: &Investigation, n: NodeIndex) -> Option<usize> {
    inv.cause(n).map(|c| c.blamed.commit)
}

/// The table per party, and the people no party matched.
fn party_section(out: &mut String, inv: &Investigation) {
    let rows = super::json::party_table(inv);
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Parties (windows counted for the party of their necessary causes)"
    );
    let _ = writeln!(
        out,
        "  {:<16} {:>7} {:>14} {:>14} {:>7} {:>8} {:>10}",
        "party", "windows", "exposure-days", "live-days", "inside", "outside", "unassigned"
    );
    for row in &rows {
        let [party, windows, exposure, live, inside, outside, unassigned] = row.cells();
        let _ = writeln!(
            out,
            "  {party:<16} {windows:>7} {exposure:>14} {live:>14} {inside:>7} {outside:>8} {unassigned:>10}"
        );
    }
    let unmatched = inv.graph.unmatched_people();
    if !unmatched.is_empty() {
        let _ = writeln!(out, "  identities no party matches (not guessed):");
        for (name, email) in unmatched {
            let _ = writeln!(out, "    {name} <{email}>");
        }
    }
    out.push('\n');
}

/// The blind spots of a scan as a text section (nothing when there are none): shared by the scan
/// and history reports, so neither can leave out what could not be read.
pub fn blind_spot_lines(out: &mut String, r: &ScanResult) {
    if r.blind_spots.is_empty() {
        return;
    }
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
