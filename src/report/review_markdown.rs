//! The review as a pull-request comment (GitHub-flavoured Markdown).
//!
//! Takes a [`ReviewResult`]; gives a compact comment a reviewer reads in a few seconds: first what
//! the change makes new or wider (severity, rule, resource, where in HEAD, who and in which
//! commit, before → after), then what it narrows or fixes, then what was accepted by a
//! suppression (with its reason: a recorded decision is shown, never hidden), and last, folded,
//! why each rule matters and how to fix it. Nothing here is computed: it is a view of the same
//! result as the JSON and the SARIF.

use crate::analysis::review::{Change, Finding, ReviewResult};
use crate::rules::Severity;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Table cells: a `|` or a newline would break the row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn code(s: &str) -> String {
    format!("`{}`", cell(&s.replace('`', "'")))
}

fn who(r: &ReviewResult, f: &Finding) -> String {
    let mut seen = BTreeSet::new();
    let mut parts = Vec::new();
    for c in &f.causes {
        let ci = &r.scan.commits.info(c.blamed.commit);
        if seen.insert(ci.id.clone()) {
            parts.push(format!(
                "{} in {}",
                cell(&ci.author.name),
                code(crate::report::short(&ci.id))
            ));
        }
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

fn what(f: &Finding, summary: &str) -> String {
    let moved = super::review::delta(f);
    match (&f.before, &f.after, moved.is_empty()) {
        _ if f.change == Change::Fixed => cell(&format!("no longer: {summary}")),
        (Some(_), Some(_), false) => cell(&moved.join("; ")),
        (Some(b), Some(a), true) => cell(&format!("{b} → {a}")),
        _ => cell(summary),
    }
}

fn row(r: &ReviewResult, f: &Finding) -> String {
    let w = &r.scan.windows[f.window];
    let sev = r.severity(f).map(|s| s.as_str()).unwrap_or("?");
    let sev = if r.severity(f).is_some_and(|s| s >= Severity::High) {
        format!("**{sev}**")
    } else {
        sev.to_string()
    };
    let place = f
        .location
        .as_ref()
        .map(|l| code(&format!("{}:{}", l.file, l.line)))
        .unwrap_or_else(|| code(&f.file));
    format!(
        "| {} | {sev} | {} | {} | {} | {place} | {} |",
        f.change.as_str(),
        code(w.rule),
        code(&w.address),
        what(f, &w.latest.summary),
        who(r, f)
    )
}

const HEADER: &str = "| change | severity | rule | resource | what | where (HEAD) | who |\n\
                      |---|---|---|---|---|---|---|";

pub fn markdown(r: &ReviewResult, fail_on: Severity) -> String {
    let s = &r.scan;
    let mut out = String::new();
    let active = |f: &&Finding| f.suppression.is_none();
    let risky: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| matches!(f.change, Change::Introduced | Change::Widened))
        .filter(active)
        .collect();
    let better: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| matches!(f.change, Change::Narrowed | Change::Fixed))
        .filter(active)
        .collect();
    let suppressed: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .collect();
    let verdict = if r.fails(fail_on) {
        format!("fails: something at or above {fail_on} is new or wider")
    } else {
        format!("passes: nothing at or above {fail_on} is new or wider")
    };
    let _ = writeln!(out, "### configtrail review: {verdict}\n");
    let _ = writeln!(
        out,
        "{} new or wider, {} narrowed or fixed, {} suppressed, in {} landing{} of `{}` (merge base `{}`).\n",
        risky.len(),
        better.len(),
        suppressed.len(),
        s.landings.len() - r.start,
        if s.landings.len() - r.start == 1 { "" } else { "s" },
        cell(&r.range),
        crate::report::short(&r.merge_base)
    );
    for (title, list) in [
        ("New or wider", &risky),
        ("Narrowed or fixed", &better),
        ("Suppressed (recorded decisions)", &suppressed),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "#### {title}\n\n{HEADER}");
        for f in list.iter() {
            let _ = writeln!(out, "{}", row(r, f));
        }
        out.push('\n');
        if title.starts_with("Suppressed") {
            for f in list.iter() {
                if let Some(sup) = &f.suppression {
                    let w = &s.windows[f.window];
                    let _ = writeln!(
                        out,
                        "- {} on {} {}",
                        code(w.rule),
                        code(&w.address),
                        cell(&super::review::suppression_line(sup))
                    );
                }
            }
            out.push('\n');
        }
    }
    for sup in &r.unmatched_suppressions {
        let _ = writeln!(
            out,
            "- unmatched suppression {} at {}: configtrail has no equivalent rule\n",
            code(&format!("{} {}", sup.tool.as_str(), sup.id)),
            code(&format!("{}:{}", sup.file, sup.line))
        );
    }
    // Why it matters and how to fix, once per rule of the new or wider findings.
    let rules: BTreeSet<&str> = risky.iter().map(|f| s.windows[f.window].rule).collect();
    if !rules.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Why it matters and how to fix</summary>\n"
        );
        for id in rules {
            if let Some(rule) = crate::rules::find(s.rules, id) {
                let m = &rule.meta;
                let _ = writeln!(
                    out,
                    "- **{}** ({}): {} **Fix:** {}",
                    cell(m.title),
                    code(m.id),
                    cell(m.rationale),
                    cell(m.remediation)
                );
            }
        }
        let _ = writeln!(out, "\n</details>");
    }
    if r.findings.is_empty() {
        let _ = writeln!(
            out,
            "Nothing in this range changes a security setting's exposure."
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(code("x`y|z"), "`x'y\\|z`");
    }
}
