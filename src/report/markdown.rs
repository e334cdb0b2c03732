//! The Markdown report: what an expert attaches. Summary, method, inputs and digests, each
//! exposure with its causal chain and the diff excerpt of every change, the party table, blind
//! spots, anomalies and limitations. A view of the graph, like every other format; it names the
//! JSON report's digest so the two can be tied together.

use super::json::{self, duration_seconds, party_table};
use super::{human_duration, short};
use crate::analysis::investigation::{Investigation, LIMITATIONS};
use crate::graph::Role;
use petgraph::stable_graph::NodeIndex;
use std::fmt::Write;

/// Inline code that a backtick in repository text cannot end early.
pub fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let fence = if s.contains('`') { "`` " } else { "`" };
    let close = if s.contains('`') { " ``" } else { "`" };
    format!("{fence}{s}{close}")
}

/// Text from the repository inside Markdown prose: characters that would start markup escaped.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn change(
    out: &mut String,
    inv: &Investigation,
    n: NodeIndex,
    label: &str,
    shown: &mut std::collections::BTreeSet<(usize, String)>,
) {
    let r = &inv.scan;
    let Some(c) = inv.cause(n) else {
        return;
    };
    let commit = &r.commits.info(c.blamed.commit);
    let landing = &r.commits.info(c.blamed.landing_commit);
    let party = inv
        .party_label(n)
        .map(|p| format!(" — party: **{}**", text(p)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "- **{label}**: {} at {}{}",
        text(&c.summary),
        code(&format!(
            "{}:{}",
            c.blamed.cited_location().file,
            c.blamed.cited_location().line
        )),
        if c.but_for {
            " (but-for: reverting it alone ends the exposure)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "  - written by {} <{}> at {} in commit {} “{}”{}{party}",
        text(&commit.author.name),
        text(&commit.author.email),
        commit.author.at,
        code(&commit.id),
        text(&commit.summary),
        match commit.signature {
            Some(k) => format!(", signed ({})", format!("{k:?}").to_lowercase()),
            None => ", unsigned".into(),
        }
    );
    if let Some((n, head)) = super::json::pull_request(&inv.scan, c) {
        let _ = writeln!(
            out,
            "  - found in pull request #{n} (`refs/pull/{n}/head` at {}), squashed into {} by {} <{}> at {}",
            code(&head.to_string()),
            code(&landing.id),
            text(&landing.committer.name),
            text(&landing.committer.email),
            landing.committer.at
        );
    } else if landing.id != commit.id {
        let by = crate::evidence::attribution::merger(landing).unwrap_or(&landing.committer);
        let _ = writeln!(
            out,
            "  - landed through merge {} by {} <{}>{} at {}",
            code(&landing.id),
            text(&by.name),
            text(&by.email),
            crate::evidence::attribution::through(landing),
            landing.committer.at
        );
    } else if let (None, Some(forge)) = (
        crate::evidence::attribution::merger(landing),
        crate::evidence::attribution::forge(&landing.committer),
    ) {
        // A squash, rebase or web edit a forge committed: nobody is its merger, the forge is said.
        let _ = writeln!(
            out,
            "  - landed through {forge} at {} (not a merge: no merger)",
            landing.committer.at
        );
    }
    if let Some(row) = inv.graph.deployment_of_landing(c.blamed.landing) {
        if let Some(d) = inv.deploys.as_ref().and_then(|l| l.rows.get(row)) {
            let _ = writeln!(
                out,
                "  - first deployed to {} at {} (deployment of {})",
                text(&d.environment),
                d.at,
                code(short(&d.resolved))
            );
        }
    }
    // One excerpt per commit and file: several settings of one change share it.
    let first = shown.insert((c.blamed.commit, c.blamed.cited_location().file.clone()));
    if let Some(x) = inv.excerpts.get(&n).filter(|_| first) {
        let _ = writeln!(out, "\n  ```diff");
        for line in x.lines() {
            let _ = writeln!(out, "  {}", line.replace("```", "` ` `"));
        }
        let _ = writeln!(out, "  ```\n");
    }
}

pub fn scan_report(inv: &Investigation) -> String {
    let r = &inv.scan;
    let objects = r.objects();
    // The JSON report's digest, to tie this view to it.
    let json_digest = json::scan_digest(inv);
    let rules_digest = crate::rules::digest(r.rules);
    let mut out = String::new();
    let shown = inv.graph.exposures.len();
    let open = inv
        .windows
        .iter()
        .filter(|&&i| r.windows[i].closed.is_none())
        .count();
    let _ = writeln!(out, "# configtrail report: {}\n", text(&r.repository));
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "{shown} exposure window{} {}({open} still open at the {}), {} blind spot{}, {} anomal{}.\n",
        if shown == 1 { "" } else { "s" },
        if shown == r.windows.len() {
            String::new()
        } else {
            format!("shown of {} in the history ", r.windows.len())
        },
        if r.until.is_some() { "end of the period" } else { "tip" },
        r.blind_spots.len(),
        if r.blind_spots.len() == 1 { "" } else { "s" },
        r.anomalies.len(),
        if r.anomalies.len() == 1 { "y" } else { "ies" },
    );
    if let Some(at) = &inv.options.at {
        let _ = writeln!(
            out,
            "Windows shown are those open at the incident instant {}.\n",
            at.text
        );
    }
    let _ = writeln!(out, "## Method\n");
    let _ = writeln!(
        out,
        "configtrail read the first-parent history of {} ({} landings), parsed every infrastructure-as-code unit each landing changed, evaluated {} rules on it, and folded the verdicts into exposure windows: maximal runs of landings in which a rule's violation held. Each cause is the change that last gave an evidence setting its value (setting blame, not line blame); *but-for* means reverting that change alone, all else as it stood, stops the rule firing. The repository was opened read-only; nothing was checked out or written.\n",
        code(&r.reference),
        r.landings.len(),
        r.rules.len()
    );
    let _ = writeln!(out, "## Inputs\n");
    let _ = writeln!(out, "| input | value |\n| --- | --- |");
    let row = |out: &mut String, k: &str, v: String| {
        let _ = writeln!(out, "| {k} | {v} |");
    };
    row(
        &mut out,
        "tool",
        format!("configtrail {}", env!("CARGO_PKG_VERSION")),
    );
    row(&mut out, "repository", code(&r.repository));
    row(
        &mut out,
        "ref / head",
        format!("{} / {}", code(&r.reference), code(&r.head)),
    );
    row(&mut out, "landings", r.landings.len().to_string());
    row(
        &mut out,
        "rules",
        format!("{} ({})", r.rules.len(), code(&rules_digest)),
    );
    row(
        &mut out,
        "objects read",
        format!(
            "{} commits, {} blobs ({})",
            objects.commits,
            objects.blobs,
            code(&objects.digest)
        ),
    );
    if let Some(p) = &inv.parties {
        row(
            &mut out,
            "parties file",
            format!(
                "{} ({})",
                code(inv.options.parties.as_deref().unwrap_or("")),
                code(&p.digest)
            ),
        );
    }
    if let Some(d) = &inv.deploys {
        row(
            &mut out,
            "deploy log",
            format!(
                "{} ({}), environment {}, {} deployments",
                code(inv.options.deploys.as_deref().unwrap_or("")),
                code(&d.digest),
                code(&d.environment),
                d.rows.len()
            ),
        );
    }
    for (k, v) in [
        ("at", &inv.options.at),
        ("since", &inv.options.since),
        ("until", &inv.options.until),
    ] {
        if let Some(v) = v {
            row(&mut out, k, v.text.clone());
        }
    }
    if let Some(res) = &inv.options.resource {
        row(&mut out, "resource", code(res));
    }
    if let Some(m) = inv.options.min_severity {
        row(&mut out, "minimum severity", m.to_string());
    }
    row(&mut out, "JSON report digest", code(&json_digest));
    let _ = writeln!(out, "\nRe-run `configtrail scan --format json` with the same inputs, or `configtrail verify`, to reproduce the JSON report bit for bit.\n");

    let _ = writeln!(out, "## Exposures\n");
    if shown == 0 {
        let _ = writeln!(out, "None.\n");
    }
    for (k, &x) in inv.graph.exposures.iter().enumerate() {
        let Some(w) = inv.graph.window(x).and_then(|i| r.windows.get(i)) else {
            continue;
        };
        let meta = crate::rules::find(r.rules, w.rule).map(|x| &x.meta);
        let _ = writeln!(
            out,
            "### {}. {} — {} on {}\n",
            k + 1,
            meta.map(|m| m.severity.as_str().to_uppercase())
                .unwrap_or_default(),
            text(meta.map(|m| m.title).unwrap_or(w.rule)),
            code(&w.address)
        );
        let opened = r.landing_commit(w.opened);
        let _ = writeln!(
            out,
            "- rule: {} ({})",
            code(w.rule),
            meta.map(|m| m.standards.join(", ")).unwrap_or_default()
        );
        let _ = writeln!(out, "- resource: {} in {}", code(&w.address), code(&w.file));
        let _ = writeln!(out, "- exposure: {}", text(&w.finding.summary));
        if let Some(identity) = super::identity_note(w) {
            let _ = writeln!(out, "- identity: {}", text(&identity));
        }
        let _ = writeln!(
            out,
            "- opened: landing {} at {}",
            code(short(&opened.id)),
            opened.committer.at
        );
        match w.closed {
            Some(c) => {
                let closed = r.landing_commit(c);
                let _ = writeln!(
                    out,
                    "- closed: landing {} at {} — open {}",
                    code(short(&closed.id)),
                    closed.committer.at,
                    human_duration(duration_seconds(r, w))
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "- still open at the {} — open {} so far",
                    if r.until.is_some() {
                        "end of the period"
                    } else {
                        "tip"
                    },
                    human_duration(duration_seconds(r, w))
                );
            }
        }
        if let (Some(log), Some(span)) = (&inv.deploys, json::live_span(inv, x, w)) {
            let _ = writeln!(out, "- live in {}: {}", text(&log.environment), span);
        }
        if inv.parties.is_some() {
            let _ = writeln!(
                out,
                "- responsible under the contract: **{}**",
                text(
                    inv.graph
                        .responsible(x)
                        .unwrap_or("nobody (category not in the matrix)")
                )
            );
        }
        if w.library {
            let _ = writeln!(
                out,
                "- evaluated as a library module: nobody in the repository calls it, so it is \
                 evaluated alone with its variables' defaults"
            );
        }
        if let Some(why) = &w.superseded {
            let _ = writeln!(out, "- ended without a fix: {}", text(why));
        }
        if let Some(a) = inv.graph.window(x).and_then(|i| inv.acceptances.get(&i)) {
            let _ = writeln!(
                out,
                "- recorded risk acceptance (a suppression; the window is reported all the same): {}",
                text(&super::acceptance::describe(r, a))
            );
        }
        let _ = writeln!(out, "\n#### Causal chain\n");
        let mut shown = std::collections::BTreeSet::new();
        for (n, _, _) in inv.graph.changes(x, |r| r == Role::Cause) {
            change(&mut out, inv, n, "cause", &mut shown);
        }
        for (n, role, _) in inv.graph.changes(x, |r| matches!(r, Role::Widening(_))) {
            if let Role::Widening(i) = role {
                if let Some(wd) = w.widenings.get(i) {
                    change(
                        &mut out,
                        inv,
                        n,
                        &format!("widened {} → {}", text(&wd.before), text(&wd.after)),
                        &mut shown,
                    );
                }
            }
        }
        for (n, _, _) in inv.graph.changes(x, |r| r == Role::Remediation) {
            change(&mut out, inv, n, "remediation", &mut shown);
        }
        if let Some(m) = meta {
            let _ = writeln!(
                out,
                "\n*Why it matters:* {}\n\n*Remediation:* {}\n",
                text(m.rationale),
                text(m.remediation)
            );
        }
    }
    let rows = party_table(inv);
    if !rows.is_empty() {
        let _ = writeln!(out, "## Parties\n");
        let _ = writeln!(out, "Each window is counted for the party of its necessary (but-for) causes: the author's party, else the committer's.\n");
        let _ = writeln!(out, "| party | windows opened | exposure-days | live-days | inside responsibility | outside | unassigned |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for row in &rows {
            let cells = row.cells().map(|c| text(&c));
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        let unmatched = inv.graph.unmatched_people();
        if !unmatched.is_empty() {
            let _ = writeln!(
                out,
                "\nIdentities no party matches (listed, not guessed):\n"
            );
            for (name, email) in unmatched {
                let _ = writeln!(out, "- {} <{}>", text(name), text(email));
            }
        }
        out.push('\n');
    }
    if !r.blind_spots.is_empty() {
        let _ = writeln!(
            out,
            "## Blind spots\n\nNothing is claimed inside these spans.\n"
        );
        for b in &r.blind_spots {
            let what = if b.file.is_empty() {
                crate::formats::unit_display(&b.unit).to_string()
            } else {
                b.file.clone()
            };
            let _ = writeln!(
                out,
                "- {}: from {} to {}: {}",
                code(if b.unit.is_empty() && b.file.is_empty() {
                    "history"
                } else {
                    &what
                }),
                code(short(&r.landing_commit(b.from).id)),
                b.to.map(|t| code(short(&r.landing_commit(t).id)))
                    .unwrap_or_else(|| "the tip".into()),
                text(&b.reason)
            );
        }
        out.push('\n');
    }
    if !r.anomalies.is_empty() {
        let digest = inv.anomaly_digest();
        let _ = writeln!(out, "## Anomalies\n");
        for a in &digest.listed {
            let _ = writeln!(
                out,
                "- {} {}: {}",
                code(short(&a.commit)),
                a.kind,
                text(&a.detail)
            );
        }
        for (kind, count, examples) in &digest.summary {
            let ex: Vec<String> = examples.iter().map(|e| code(short(e))).collect();
            let _ = writeln!(
                out,
                "- {count} × {kind}, touching no cause or remediation (e.g. {})",
                ex.join(", ")
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Limitations\n");
    for l in LIMITATIONS {
        let _ = writeln!(out, "- {l}");
    }
    out
}
