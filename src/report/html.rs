//! The HTML report: one self-contained page (no script, no font or image fetched) for people who
//! will not read JSON: a timeline of the exposure windows drawn as SVG (a row per resource, bars
//! coloured by severity, the live intervals under them, markers for causes, remediations,
//! deployments and the incident instant), the causal graph drawn in columns, and the same text
//! as the Markdown report. Like every format it reads the investigation's graph.

use super::json::{self, analysis_end, duration_seconds, party_table};
use super::{human_duration, short};
use crate::analysis::investigation::{landed, Investigation, LIMITATIONS};
use crate::graph::{Node, Role};
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn colour(severity: &str) -> &'static str {
    match severity {
        "critical" => "#7f1d1d",
        "high" => "#dc2626",
        "medium" => "#d97706",
        _ => "#2563eb",
    }
}

fn date(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

const STYLE: &str = r#"
body{font-family:Georgia,'Times New Roman',serif;max-width:1180px;margin:2em auto;padding:0 1.5em;color:#1f2937;line-height:1.45}
h1{font-size:1.7em;border-bottom:3px solid #1f2937;padding-bottom:.3em}
h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #d1d5db;padding-bottom:.2em}
h3{font-size:1.1em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{border:1px solid #d1d5db;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f4f6}
code,pre{font-family:Menlo,Consolas,monospace;font-size:.85em}
pre{background:#f9fafb;border:1px solid #e5e7eb;padding:.6em;overflow-x:auto}
.sev{display:inline-block;color:#fff;border-radius:3px;padding:0 .45em;font:bold .75em sans-serif;vertical-align:middle}
.exposure{border-left:4px solid #9ca3af;padding-left:1em;margin:1.4em 0}
.meta{color:#4b5563;font-size:.92em}
.summary{font-size:1.08em;background:#f3f4f6;padding:.8em 1em;border-radius:4px}
svg text{font-family:Helvetica,Arial,sans-serif}
.del{color:#991b1b}.ins{color:#166534}
.note{color:#6b7280;font-size:.88em}
"#;

pub fn scan_report(inv: &Investigation) -> String {
    let r = &inv.scan;
    let objects = r.objects();
    // The JSON report's digest, to tie this view to it.
    let json_digest = json::scan_digest(inv);
    let rules_digest = crate::rules::digest(r.rules);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>configtrail report: {}</title><style>{STYLE}</style></head><body>\n",
        esc(&r.repository)
    );
    let _ = writeln!(out, "<h1>Exposure report: {}</h1>", esc(&r.repository));
    let shown = inv.graph.exposures.len();
    let open = inv
        .windows
        .iter()
        .filter(|&&i| r.windows[i].closed.is_none())
        .count();
    let _ = writeln!(
        out,
        "<p class=\"summary\"><b>{shown}</b> exposure window{}{} in {} landings of <code>{}</code>; <b>{open}</b> still open at the {}. {} blind spot{}, {} anomal{}.{}</p>",
        if shown == 1 { "" } else { "s" },
        if shown == r.windows.len() { String::new() } else { format!(" (of {} in the history)", r.windows.len()) },
        r.landings.len(),
        esc(&r.reference),
        if r.until.is_some() { "end of the period" } else { "tip" },
        r.blind_spots.len(),
        if r.blind_spots.len() == 1 { "" } else { "s" },
        r.anomalies.len(),
        if r.anomalies.len() == 1 { "y" } else { "ies" },
        inv.options.at.as_ref().map(|a| format!(" Shown: the windows open at the incident instant <b>{}</b>.", esc(&a.text))).unwrap_or_default(),
    );

    let _ = writeln!(out, "<h2>Timeline</h2>");
    timeline(&mut out, inv);

    let _ = writeln!(out, "<h2>Exposures</h2>");
    if shown == 0 {
        let _ = writeln!(out, "<p>None.</p>");
    }
    for (k, &x) in inv.graph.exposures.iter().enumerate() {
        exposure(&mut out, inv, k, x);
    }

    let _ = writeln!(out, "<h2>Causal graph</h2>");
    let _ = writeln!(out, "<p class=\"note\">Every claim above is a path in this graph: a change is written in a commit, which lands, is deployed and opens an exposure; a remediation closes it; commits lead to people, and people to the contractual party they act for.</p>");
    causal_graph(&mut out, inv);

    let rows = party_table(inv);
    if !rows.is_empty() {
        let _ = writeln!(out, "<h2>Parties</h2><p class=\"note\">Each window is counted for the party of its necessary (but-for) causes: the author's party, else the committer's.</p>");
        let _ = writeln!(out, "<table><tr><th>party</th><th>windows opened</th><th>exposure-days</th><th>live-days</th><th>inside responsibility</th><th>outside</th><th>unassigned</th></tr>");
        for row in &rows {
            let cells: Vec<String> = row
                .cells()
                .iter()
                .map(|c| format!("<td>{}</td>", esc(c)))
                .collect();
            let _ = writeln!(out, "<tr>{}</tr>", cells.concat());
        }
        let _ = writeln!(out, "</table>");
        let unmatched = inv.graph.unmatched_people();
        if !unmatched.is_empty() {
            let _ = writeln!(
                out,
                "<p>Identities no party matches (listed, not guessed): {}</p>",
                unmatched
                    .iter()
                    .map(|(n, e)| format!("{} &lt;{}&gt;", esc(n), esc(e)))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
    }

    if !r.blind_spots.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Blind spots</h2><p class=\"note\">Nothing is claimed inside these spans.</p><ul>"
        );
        for b in &r.blind_spots {
            let _ = writeln!(
                out,
                "<li><code>{}</code> from <code>{}</code> to {}: {}</li>",
                esc(if b.file.is_empty() {
                    if b.unit.is_empty() {
                        "history"
                    } else {
                        &b.unit
                    }
                } else {
                    &b.file
                }),
                short(&r.landing_commit(b.from).id),
                b.to.map(|t| format!("<code>{}</code>", short(&r.landing_commit(t).id)))
                    .unwrap_or_else(|| "the tip".into()),
                esc(&b.reason)
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    if !r.anomalies.is_empty() {
        let digest = inv.anomaly_digest();
        let _ = writeln!(out, "<h2>Anomalies</h2><ul>");
        for a in &digest.listed {
            let _ = writeln!(
                out,
                "<li><code>{}</code> {}: {}</li>",
                short(&a.commit),
                esc(&a.kind),
                esc(&a.detail)
            );
        }
        for (kind, count, examples) in &digest.summary {
            let ex: Vec<String> = examples
                .iter()
                .map(|e| format!("<code>{}</code>", short(e)))
                .collect();
            let _ = writeln!(
                out,
                "<li>{count} × {}, touching no cause or remediation (e.g. {})</li>",
                esc(kind),
                ex.join(", ")
            );
        }
        let _ = writeln!(out, "</ul>");
    }

    let _ = writeln!(out, "<h2>Method and inputs</h2>");
    let _ = writeln!(out, "<p>configtrail read the first-parent history of <code>{}</code>, parsed every infrastructure-as-code unit each landing changed, evaluated the rules on it and folded the verdicts into exposure windows. A cause is the change that last gave an evidence setting its value (setting blame, not line blame); <i>but-for</i> means reverting that change alone stops the rule firing. The repository was opened read-only.</p>", esc(&r.reference));
    let _ = writeln!(out, "<table>");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "<tr><th>{k}</th><td>{v}</td></tr>");
    };
    row("tool", format!("configtrail {}", env!("CARGO_PKG_VERSION")));
    row("repository", format!("<code>{}</code>", esc(&r.repository)));
    row(
        "ref / head",
        format!(
            "<code>{}</code> / <code>{}</code>",
            esc(&r.reference),
            esc(&r.head)
        ),
    );
    row(
        "rules",
        format!("{} (<code>{}</code>)", r.rules.len(), esc(&rules_digest)),
    );
    row(
        "objects read",
        format!(
            "{} commits, {} blobs (<code>{}</code>)",
            objects.commits, objects.blobs, objects.digest
        ),
    );
    if let Some(p) = &inv.parties {
        row(
            "parties file",
            format!(
                "<code>{}</code> (<code>{}</code>)",
                esc(inv.options.parties.as_deref().unwrap_or("")),
                p.digest
            ),
        );
    }
    if let Some(d) = &inv.deploys {
        row(
            "deploy log",
            format!(
                "<code>{}</code> (<code>{}</code>), environment {}, {} deployments",
                esc(inv.options.deploys.as_deref().unwrap_or("")),
                d.digest,
                esc(&d.environment),
                d.rows.len()
            ),
        );
    }
    row(
        "JSON report digest",
        format!("<code>{}</code>", esc(&json_digest)),
    );
    let _ = writeln!(out, "</table>");
    let _ = writeln!(out, "<h2>Limitations</h2><ul>");
    for l in LIMITATIONS {
        let _ = writeln!(out, "<li>{}</li>", esc(l));
    }
    let _ = writeln!(out, "</ul></body></html>");
    out
}

fn severity_of<'a>(inv: &'a Investigation, rule: &str) -> (&'a str, &'a str) {
    crate::rules::find(inv.scan.rules, rule)
        .map(|x| (x.meta.severity.as_str(), x.meta.title))
        .unwrap_or(("low", ""))
}

fn exposure(out: &mut String, inv: &Investigation, k: usize, x: NodeIndex) {
    let r = &inv.scan;
    let Some(w) = inv.graph.window(x).and_then(|i| r.windows.get(i)) else {
        return;
    };
    let (sev, title) = severity_of(inv, w.rule);
    let _ = writeln!(
        out,
        "<div class=\"exposure\" id=\"x{k}\" style=\"border-color:{}\"><h3>{}. <span class=\"sev\" style=\"background:{}\">{}</span> {} — <code>{}</code></h3>",
        colour(sev),
        k + 1,
        colour(sev),
        sev.to_uppercase(),
        esc(title),
        esc(&w.address)
    );
    let opened = r.landing_commit(w.opened);
    let _ = writeln!(
        out,
        "<p class=\"meta\">rule <code>{}</code> · <code>{}</code> · {}</p>",
        esc(w.rule),
        esc(&w.file),
        esc(&w.finding.summary)
    );
    let span = match w.closed {
        Some(c) => format!(
            "opened {} (landing <code>{}</code>), closed {} (landing <code>{}</code>): <b>{}</b>",
            esc(&opened.committer.at),
            short(&opened.id),
            esc(&r.landing_commit(c).committer.at),
            short(&r.landing_commit(c).id),
            human_duration(duration_seconds(r, w))
        ),
        None => format!(
            "opened {} (landing <code>{}</code>), <b>still open</b>: {} so far",
            esc(&opened.committer.at),
            short(&opened.id),
            human_duration(duration_seconds(r, w))
        ),
    };
    let _ = writeln!(out, "<p>{span}</p>");
    if let (Some(log), Some(span)) = (&inv.deploys, json::live_span(inv, x, w)) {
        let _ = writeln!(
            out,
            "<p>live in {}: <b>{}</b></p>",
            esc(&log.environment),
            esc(&span)
        );
    }
    if inv.parties.is_some() {
        let _ = writeln!(
            out,
            "<p>Responsible under the contract: <b>{}</b></p>",
            esc(inv
                .graph
                .responsible(x)
                .unwrap_or("nobody (category not in the matrix)"))
        );
    }
    if w.library {
        let _ = writeln!(
            out,
            "<p>Evaluated as a <b>library module</b>: nobody in the repository calls it, so it is \
             evaluated alone with its variables' defaults.</p>"
        );
    }
    if let Some(why) = &w.superseded {
        let _ = writeln!(out, "<p>Ended without a fix: {}</p>", esc(why));
    }
    if let Some(a) = inv.graph.window(x).and_then(|i| inv.acceptances.get(&i)) {
        let _ = writeln!(
            out,
            "<p>Recorded risk acceptance (a suppression; the window is reported all the same): {}</p>",
            esc(&super::acceptance::describe(r, a))
        );
    }
    let _ = writeln!(out, "<ol>");
    let mut items: Vec<(NodeIndex, String)> = Vec::new();
    for (n, role, _) in inv.graph.changes(x, |_| true) {
        let label = match role {
            Role::Cause => "cause".to_string(),
            Role::Widening(i) => w
                .widenings
                .get(i)
                .map(|wd| format!("widened {} → {}", wd.before, wd.after))
                .unwrap_or_default(),
            Role::Remediation => "remediation".into(),
        };
        items.push((n, label));
    }
    let mut shown: std::collections::BTreeSet<(usize, String)> = Default::default();
    for (n, label) in items {
        let Some(c) = inv.cause(n) else {
            continue;
        };
        let commit = &r.commits.info(c.blamed.commit);
        let landing = &r.commits.info(c.blamed.landing_commit);
        let party = inv
            .party_label(n)
            .map(|p| format!(" · party <b>{}</b>", esc(p)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<li><b>{}</b>: {} at <code>{}:{}</code>{}<br><span class=\"meta\">{} &lt;{}&gt; · {} · commit <code>{}</code> “{}”{}{}{party}</span>",
            esc(&label),
            esc(&c.summary),
            esc(&c.blamed.cited_location().file),
            c.blamed.cited_location().line,
            if c.but_for { " <i>(but-for)</i>" } else { "" },
            esc(&commit.author.name),
            esc(&commit.author.email),
            esc(&commit.author.at),
            short(&commit.id),
            esc(&commit.summary),
            if commit.signature.is_some() { " · signed" } else { " · unsigned" },
            if landing.id != commit.id { format!(" · merged in <code>{}</code> by {}{}", short(&landing.id), esc(crate::evidence::attribution::merger(landing).map_or(landing.committer.name.as_str(), |p| p.name.as_str())), crate::evidence::attribution::through(landing)) } else if let (None, Some(f)) = (crate::evidence::attribution::merger(landing), crate::evidence::attribution::forge(&landing.committer)) { format!(" · landed through {f} (not a merge: no merger)") } else { String::new() },
        );
        let first = shown.insert((c.blamed.commit, c.blamed.cited_location().file.clone()));
        if !first {
            let _ = writeln!(
                out,
                "<br><span class=\"note\">(same commit and file as the diff above)</span>"
            );
        }
        if let Some(x) = inv.excerpts.get(&n).filter(|_| first) {
            let _ = write!(out, "<pre>");
            for line in x.lines() {
                let class = match line.get(10..11) {
                    Some("-") => "del",
                    Some("+") => "ins",
                    _ => "",
                };
                let _ = writeln!(out, "<span class=\"{class}\">{}</span>", esc(line));
            }
            let _ = write!(out, "</pre>");
        }
        let _ = writeln!(out, "</li>");
    }
    let _ = writeln!(out, "</ol></div>");
}

/// The windows per resource across time.
fn timeline(out: &mut String, inv: &Investigation) {
    let r = &inv.scan;
    let windows: Vec<(NodeIndex, &crate::engine::timeline::Window)> = inv
        .graph
        .exposures
        .iter()
        .filter_map(|&x| Some((x, &**r.windows.get(inv.graph.window(x)?)?)))
        .collect();
    if windows.is_empty() {
        let _ = writeln!(out, "<p>No exposure window to draw.</p>");
        return;
    }
    let end = analysis_end(r);
    let mut t0 = windows
        .iter()
        .map(|(_, w)| landed(r, w.opened))
        .min()
        .unwrap_or(end);
    let mut t1 = end.max(
        windows
            .iter()
            .filter_map(|(_, w)| w.closed.map(|c| landed(r, c)))
            .max()
            .unwrap_or(end),
    );
    if let Some(log) = &inv.deploys {
        if let (Some(f), Some(l)) = (log.rows.first(), log.rows.last()) {
            t0 = t0.min(f.seconds);
            t1 = t1.max(l.seconds);
        }
    }
    if let Some(at) = &inv.options.at {
        t0 = t0.min(at.seconds);
        t1 = t1.max(at.seconds);
    }
    let pad = ((t1 - t0) / 40).max(3600);
    let (t0, t1) = (t0 - pad, t1 + pad);
    let mut rows: BTreeMap<(String, String), Vec<(NodeIndex, &crate::engine::timeline::Window)>> =
        BTreeMap::new();
    for &(x, w) in &windows {
        rows.entry((w.unit_path.clone(), w.address.clone()))
            .or_default()
            .push((x, w));
    }
    let (label_w, plot_w, row_h, top) = (250.0, 840.0, 46.0, 30.0);
    let height = top + row_h * rows.len() as f64 + 50.0;
    let xs = |t: i64| label_w + (t - t0) as f64 / (t1 - t0).max(1) as f64 * plot_w;
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"exposure timeline\">",
        label_w + plot_w + 50.0,
        label_w + plot_w + 50.0
    );
    // Axis: about six dated ticks.
    let axis_y = top + row_h * rows.len() as f64 + 8.0;
    let _ = writeln!(
        out,
        "<line x1=\"{label_w}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#6b7280\"/>",
        label_w + plot_w
    );
    for i in 0..=6 {
        let t = t0 + (t1 - t0) * i / 6;
        let x = xs(t);
        let _ = writeln!(out, "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{axis_y}\" stroke=\"#e5e7eb\"/><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#374151\">{}</text>", axis_y + 16.0, date(t));
    }
    if let Some(log) = &inv.deploys {
        for d in &log.rows {
            let x = xs(d.seconds);
            let _ = writeln!(out, "<path d=\"M{x:.1} {axis_y} l-4 9 h8 z\" fill=\"#2563eb\"><title>deployment of {} at {}</title></path>", short(&d.resolved), esc(&d.at));
        }
        let _ = writeln!(out, "<text x=\"{}\" y=\"{:.1}\" font-size=\"10\" fill=\"#2563eb\" text-anchor=\"end\">▲ deployments</text>", label_w + plot_w, axis_y + 32.0);
    }
    for (i, ((_, address), list)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let file = list.first().map(|(_, w)| w.file.as_str()).unwrap_or("");
        let _ = writeln!(out, "<text x=\"4\" y=\"{:.1}\" font-size=\"12\" font-weight=\"bold\">{}</text><text x=\"4\" y=\"{:.1}\" font-size=\"10\" fill=\"#6b7280\">{}</text>", y + 18.0, esc(&truncate(address, 34)), y + 31.0, esc(&truncate(file, 40)));
        for &(x, w) in list {
            let (sev, title) = severity_of(inv, w.rule);
            let a = xs(landed(r, w.opened));
            let b = xs(w.closed.map_or(end, |c| landed(r, c)));
            let _ = writeln!(
                out,
                "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" rx=\"3\" fill=\"{}\" fill-opacity=\"0.85\"><title>{} ({}): {} → {}</title></rect>",
                y + 6.0,
                (b - a).max(2.0),
                colour(sev),
                esc(title),
                esc(w.rule),
                esc(&r.landing_commit(w.opened).committer.at),
                w.closed.map(|c| esc(&r.landing_commit(c).committer.at)).unwrap_or_else(|| "still open".into())
            );
            if w.closed.is_none() {
                let _ = writeln!(
                    out,
                    "<path d=\"M{b:.1} {:.1} l8 8 l-8 8 z\" fill=\"{}\"/>",
                    y + 6.0,
                    colour(sev)
                );
            }
            if let (Some(log), Some(live)) = (&inv.deploys, inv.graph.live.get(&x)) {
                for &(s, e) in &live.intervals {
                    let la = xs(log.rows[s].seconds);
                    let lb = xs(e.map_or(end.max(log.rows[s].seconds), |e| log.rows[e].seconds));
                    let _ = writeln!(out, "<rect x=\"{la:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"5\" fill=\"#111827\"><title>live in {}</title></rect>", y + 25.0, (lb - la).max(2.0), esc(&log.environment));
                }
            }
            for (n, role, _) in inv.graph.changes(x, |_| true) {
                let Some(c) = inv.cause(n) else {
                    continue;
                };
                let cx = xs(landed(
                    r,
                    c.blamed.landing.min(r.landings.len().saturating_sub(1)),
                ));
                let tip = format!(
                    "{} — {} ({})",
                    esc(&c.summary),
                    esc(&r.commits.info(c.blamed.commit).author.name),
                    short(&r.commits.info(c.blamed.commit).id)
                );
                let _ = match role {
                    Role::Remediation => writeln!(out, "<circle cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"#16a34a\" stroke=\"#fff\"><title>remediation: {tip}</title></circle>", y + 14.0),
                    Role::Widening(_) => writeln!(out, "<path d=\"M{cx:.1} {:.1} l-6 9 h12 z\" fill=\"#f59e0b\" stroke=\"#fff\"><title>widening: {tip}</title></path>", y + 10.0),
                    Role::Cause => writeln!(out, "<path d=\"M{cx:.1} {:.1} l-6 -9 h12 z\" fill=\"#111827\" stroke=\"#fff\"><title>cause: {tip}</title></path>", y + 12.0),
                };
            }
        }
    }
    if let Some(at) = &inv.options.at {
        let x = xs(at.seconds);
        let _ = writeln!(out, "<line x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{axis_y}\" stroke=\"#b91c1c\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/><text x=\"{x:.1}\" y=\"{}\" font-size=\"11\" fill=\"#b91c1c\" text-anchor=\"middle\">incident {}</text>", top - 12.0, top - 16.0, esc(&at.text));
    }
    let _ = writeln!(out, "</svg>");
    let _ = writeln!(out, "<p class=\"note\">Bars: exposure windows between landings, coloured by severity (<span style=\"color:#7f1d1d\">■</span> critical <span style=\"color:#dc2626\">■</span> high <span style=\"color:#d97706\">■</span> medium <span style=\"color:#2563eb\">■</span> low); an arrow marks a window still open. ▼ cause, ▲ widening, ● remediation, at the landing that carried them{}.</p>", if inv.deploys.is_some() { "; the thin black bar under a window is when it was live per the deploy log" } else { "" });
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!(
            "{}…",
            s.chars().take(n.saturating_sub(1)).collect::<String>()
        )
    }
}

/// Most nodes drawn; a larger graph is left to `--format dot`.
const MAX_DRAWN: usize = 300;

/// The causal graph in columns: party, person, commit, change, landing, deployment, exposure.
fn causal_graph(out: &mut String, inv: &Investigation) {
    let g = &inv.graph.g;
    let count = g.node_count();
    if count == 0 {
        let _ = writeln!(out, "<p>Empty.</p>");
        return;
    }
    if count > MAX_DRAWN {
        let _ = writeln!(out, "<p>The graph has {count} nodes, too many to draw legibly here; <code>configtrail scan --format dot</code> writes all of it for Graphviz.</p>");
        return;
    }
    let column = |n: &Node| match n {
        Node::Party { .. } => 0,
        Node::Person { .. } => 1,
        Node::Commit { .. } => 2,
        Node::Change { .. } => 3,
        Node::Landing { .. } => 4,
        Node::Deployment { .. } => 5,
        Node::Exposure { .. } => 6,
    };
    let mut cols: Vec<Vec<NodeIndex>> = vec![Vec::new(); 7];
    for n in g.node_indices() {
        if let Some(w) = g.node_weight(n) {
            cols[column(w)].push(n);
        }
    }
    // Order each column by where its neighbours sit (a few barycentre passes), so edges cross
    // less; ties keep the graph's order, so the drawing is deterministic.
    for _ in 0..4 {
        for c in 0..cols.len() {
            let rank: BTreeMap<NodeIndex, f64> = cols
                .iter()
                .flat_map(|col| {
                    col.iter()
                        .enumerate()
                        .map(|(i, &n)| (n, i as f64 / col.len().max(1) as f64))
                })
                .collect();
            let mut keyed: Vec<(f64, usize, NodeIndex)> = cols[c]
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    let ys: Vec<f64> = g
                        .neighbors_undirected(n)
                        .filter_map(|m| rank.get(&m).copied())
                        .collect();
                    let y = if ys.is_empty() {
                        i as f64 / cols[c].len().max(1) as f64
                    } else {
                        ys.iter().sum::<f64>() / ys.len() as f64
                    };
                    (y, i, n)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            cols[c] = keyed.into_iter().map(|(_, _, n)| n).collect();
        }
    }
    let (box_w, box_h, gap_x, gap_y) = (150.0, 50.0, 24.0, 14.0);
    let tallest = cols.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let height = 40.0 + tallest * (box_h + gap_y);
    let width = 7.0 * (box_w + gap_x);
    let mut pos: BTreeMap<NodeIndex, (f64, f64)> = BTreeMap::new();
    for (c, nodes) in cols.iter().enumerate() {
        let offset = (tallest - nodes.len() as f64) * (box_h + gap_y) / 2.0;
        for (i, &n) in nodes.iter().enumerate() {
            pos.insert(
                n,
                (
                    c as f64 * (box_w + gap_x) + 4.0,
                    34.0 + offset + i as f64 * (box_h + gap_y),
                ),
            );
        }
    }
    let _ = writeln!(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"causal graph\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#6b7280\"/></marker></defs>");
    for (c, title) in [
        "party",
        "person",
        "commit",
        "change",
        "landing",
        "deployment",
        "exposure",
    ]
    .iter()
    .enumerate()
    {
        let _ = writeln!(out, "<text x=\"{:.1}\" y=\"18\" font-size=\"12\" font-weight=\"bold\" fill=\"#374151\" text-anchor=\"middle\">{title}</text>", c as f64 * (box_w + gap_x) + 4.0 + box_w / 2.0);
    }
    for e in g.edge_references() {
        let (Some(&(ax, ay)), Some(&(bx, by))) = (pos.get(&e.source()), pos.get(&e.target()))
        else {
            continue;
        };
        // Leave from the side facing the target, so edges read left to right or right to left.
        let (x1, x2) = if bx >= ax {
            (ax + box_w, bx)
        } else {
            (ax, bx + box_w)
        };
        let (y1, y2) = (ay + box_h / 2.0, by + box_h / 2.0);
        let mid = (x1 + x2) / 2.0;
        let dashed = if matches!(
            e.weight(),
            crate::graph::Edge::Caused { but_for: true } | crate::graph::Edge::Remediated
        ) {
            ""
        } else {
            " stroke-dasharray=\"3 2\""
        };
        let _ = writeln!(out, "<path d=\"M{x1:.1} {y1:.1} C{mid:.1} {y1:.1} {mid:.1} {y2:.1} {x2:.1} {y2:.1}\" fill=\"none\" stroke=\"#6b7280\" stroke-width=\"1.1\"{dashed} marker-end=\"url(#arrow)\"><title>{}</title></path>", esc(e.weight().label()));
    }
    for (n, &(x, y)) in &pos {
        let Some(w) = g.node_weight(*n) else { continue };
        let (label, kind) = super::dot::node_label(inv, w);
        let fill = match kind {
            "exposure" => "#fde2e2",
            "change" => "#fef3c7",
            "remediation" => "#dcfce7",
            "deployment" => "#dbeafe",
            "party" => "#e5e7eb",
            _ => "#ffffff",
        };
        let stroke = match w {
            Node::Exposure { window } => colour(severity_of(inv, inv.scan.windows[*window].rule).0),
            _ => "#9ca3af",
        };
        let _ = writeln!(out, "<g><title>{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{box_w}\" height=\"{box_h}\" rx=\"5\" fill=\"{fill}\" stroke=\"{stroke}\"/>", esc(&label));
        for (i, line) in label.lines().take(3).enumerate() {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{}\"{}>{}</text>",
                x + 5.0,
                y + 14.0 + i as f64 * 13.0,
                if i == 0 { 10.5 } else { 9.5 },
                if i == 0 {
                    " font-weight=\"bold\""
                } else {
                    " fill=\"#374151\""
                },
                esc(&truncate(line, 27))
            );
        }
        let _ = writeln!(out, "</g>");
    }
    let _ = writeln!(out, "</svg>");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn repository_text_cannot_inject_markup() {
        assert_eq!(
            esc("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
    }
}
