//! The causal graph as Graphviz DOT: the graph itself, node by node and edge by edge, so what
//! `dot -Tsvg` draws is exactly what every other format reports.

use super::short;
use crate::analysis::investigation::Investigation;
use crate::graph::{self, Node, Role};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use std::fmt::Write;

/// A DOT string literal: quotes, backslashes and line breaks escaped, control characters
/// dropped (commit messages and names come from the repository and may hold anything).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A node's label and Graphviz attributes, shared with the HTML drawing.
pub fn node_label(inv: &Investigation, n: &Node) -> (String, &'static str) {
    let r = &inv.scan;
    match n {
        Node::Exposure { window } => {
            let w = &r.windows[*window];
            let sev = crate::rules::find(r.rules, w.rule)
                .map(|x| x.meta.severity.as_str())
                .unwrap_or("");
            (
                format!(
                    "{} {}\n{}\n{}",
                    sev.to_uppercase(),
                    w.rule,
                    w.address,
                    w.file
                ),
                "exposure",
            )
        }
        Node::Change { role, .. } => {
            let c = graph::cause_of(r, n);
            let kind = match role {
                Role::Cause if c.is_some_and(|c| c.but_for) => "cause (but-for)",
                Role::Cause => "cause",
                Role::Widening(_) => "widening",
                Role::Remediation => "remediation",
            };
            let (setting, values, at) = c
                .map(|c| {
                    let ch = &c.blamed.change;
                    let v = |v: &Option<crate::model::Value>| {
                        v.as_ref().map_or("(absent)".to_string(), |v| v.to_string())
                    };
                    (
                        if ch.path.is_root() {
                            ch.address.clone()
                        } else {
                            ch.path.to_string()
                        },
                        format!("{} → {}", v(&ch.before), v(&ch.after)),
                        format!(
                            "{}:{}",
                            c.blamed.cited_location().file,
                            c.blamed.cited_location().line
                        ),
                    )
                })
                .unwrap_or_default();
            (
                format!("{kind}\n{setting}\n{values}\n{at}"),
                if *role == Role::Remediation {
                    "remediation"
                } else {
                    "change"
                },
            )
        }
        Node::Commit { commit } => {
            let c = &r.commits.info(*commit);
            (
                format!("commit {}\n{}\n{}", short(&c.id), c.summary, c.author.at),
                "commit",
            )
        }
        Node::Landing { landing } => {
            let c = r.landing_commit(*landing);
            (
                format!("landing {}\n{}", short(&c.id), c.committer.at),
                "landing",
            )
        }
        Node::Deployment { row } => {
            let d = inv.deploys.as_ref().and_then(|l| l.rows.get(*row));
            (
                d.map(|d| {
                    format!(
                        "deployment {}\n{}\n{}",
                        short(&d.resolved),
                        d.environment,
                        d.at
                    )
                })
                .unwrap_or_default(),
                "deployment",
            )
        }
        Node::Person { name, email } => (format!("{name}\n<{email}>"), "person"),
        Node::Party { name } => (format!("party: {name}"), "party"),
    }
}

fn style(kind: &str) -> &'static str {
    match kind {
        "exposure" => "shape=box, style=\"filled,bold\", fillcolor=\"#f8d7da\", color=\"#b02a37\"",
        "change" => "shape=note, style=filled, fillcolor=\"#fff3cd\"",
        "remediation" => "shape=note, style=filled, fillcolor=\"#d1e7dd\"",
        "commit" => "shape=ellipse",
        "landing" => "shape=box, style=rounded",
        "deployment" => "shape=cds, style=filled, fillcolor=\"#cfe2ff\"",
        "person" => "shape=oval, style=dashed",
        _ => "shape=doubleoctagon, style=filled, fillcolor=\"#e2e3e5\"",
    }
}

pub fn render(inv: &Investigation) -> String {
    let g = &inv.graph.g;
    let mut out = String::new();
    let _ = writeln!(out, "digraph configtrail {{");
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, fontname=\"Helvetica\", label={}, labelloc=t];",
        quote(&format!(
            "configtrail: {} at {} ({})",
            inv.scan.repository,
            inv.scan.reference,
            short(&inv.scan.head)
        ))
    );
    let _ = writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for n in g.node_indices() {
        if let Some(w) = g.node_weight(n) {
            let (label, kind) = node_label(inv, w);
            let _ = writeln!(
                out,
                "  n{} [label={}, {}];",
                n.index(),
                quote(&label),
                style(kind)
            );
        }
    }
    for e in g.edge_references() {
        let _ = writeln!(
            out,
            "  n{} -> n{} [label={}];",
            e.source().index(),
            e.target().index(),
            quote(e.weight().label())
        );
    }
    let _ = writeln!(out, "}}");
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn hostile_text_cannot_break_out_of_a_label() {
        assert_eq!(quote("a\"b\\c\nd\u{7}e"), "\"a\\\"b\\\\c\\nde\"");
    }
}
