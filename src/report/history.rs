//! `history ADDRESS`: one resource's setting changes, as text and as `configtrail.history/1` JSON.
//!
//! Takes the scan [`crate::analysis::resource_history::history`] ran with the resource watched;
//! gives each change with the rules whose evidence it touches and the windows it opened, widened
//! or closed, and says when one address names several objects.

use super::json::{exposure_id, rule, seal, tool};
use super::person;
use crate::engine::scan::ScanResult;
use serde_json::{json, Value as J};

pub const SCHEMA: &str = "configtrail.history/1";

/// One entry per setting change, in landing order.
struct Entry<'a> {
    unit_path: &'a str,
    unit_id: &'a str,
    b: &'a crate::engine::causes::Blamed,
    rules: Vec<&'static str>,
    opened: Vec<String>,
    widened: Vec<String>,
    closed: Vec<String>,
}

fn entries(r: &ScanResult) -> Vec<Entry<'_>> {
    r.watched
        .iter()
        .map(|(unit_id, unit_path, b)| {
            let ch = &b.change;
            let mine = |w: &&crate::engine::timeline::Window| {
                w.unit_id == *unit_id && w.address == ch.address
            };
            let windows = || r.windows.iter().map(|w| &**w);
            let touches = |p: &crate::model::SettingPath| {
                ch.path.is_root() || p.starts_with(&ch.path) || ch.path.starts_with(p)
            };
            let mut rules: Vec<&'static str> = windows()
                .filter(mine)
                .filter(|w| {
                    w.finding
                        .evidence
                        .iter()
                        .any(|e| e.address == ch.address && touches(&e.path))
                        || w.causes.iter().chain(w.remediation.iter()).any(|c| {
                            c.blamed.landing == b.landing && c.blamed.change.path == ch.path
                        })
                })
                .map(|w| w.rule)
                .collect();
            rules.sort();
            rules.dedup();
            // A window is listed on the changes that are its evidence, not on every change of
            // the landing that opened it.
            let ids = |f: &dyn Fn(&crate::engine::timeline::Window) -> bool| {
                windows()
                    .filter(mine)
                    .filter(|w| f(w) && rules.contains(&w.rule))
                    .map(|w| format!("{} ({})", exposure_id(r, w), w.rule))
                    .collect::<Vec<_>>()
            };
            let opened = ids(&|w| w.opened == b.landing);
            let widened = ids(&|w| w.widenings.iter().any(|x| x.landing == b.landing));
            let closed = ids(&|w| w.closed == Some(b.landing));
            Entry {
                unit_path,
                unit_id,
                b,
                rules,
                opened,
                widened,
                closed,
            }
        })
        .collect()
}

pub fn json(r: &ScanResult, address: &str) -> J {
    let changes: Vec<J> = entries(r)
        .iter()
        .map(|e| {
            let commit = &r.commits.info(e.b.commit);
            let landing = &r.commits.info(e.b.landing_commit);
            let ch = &e.b.change;
            json!({
                "landing": landing.id,
                "landed_at": landing.committer.at,
                "commit": commit.id,
                "author": person(&commit.author),
                "committer": person(&commit.committer),
                "merged_by": crate::evidence::attribution::merger(landing).map(person),
                "forge": crate::evidence::attribution::forge(&landing.committer),
                "signed": commit.signature.is_some(),
                "message": commit.summary,
                "unit": crate::formats::unit_display(e.unit_path),
                "unit_id": crate::formats::unit_display(e.unit_id),
                "address": ch.address,
                "setting": ch.path.to_string(),
                "before": ch.before.as_ref().map(|v| v.to_json()),
                "after": ch.after.as_ref().map(|v| v.to_json()),
                "file": ch.location.file,
                "line": ch.location.line,
                "summary": crate::engine::scan::describe(ch),
                "rules": e.rules,
                "opened": e.opened,
                "widened": e.widened,
                "closed": e.closed,
            })
        })
        .collect();
    let windows: Vec<J> = r
        .windows
        .iter()
        .filter(|w| crate::model::matches_resource(&w.address, address))
        .map(|w| {
            json!({
                "id": exposure_id(r, w), "rule": rule(r, w.rule), "address": w.address,
                "opened": r.landing_commit(w.opened).id,
                "closed": w.closed.map(|c| r.landing_commit(c).id.clone()),
                "duration_seconds": crate::report::json::duration_seconds(r, w),
            })
        })
        .collect();
    let mut j = json!({
        "schema": SCHEMA,
        "tool": tool(),
        "inputs": {
            "repository": r.repository, "ref": r.reference, "head": r.head,
            "landings": r.landings.len(), "address": address,
            "rules": {"count": r.rules.len(), "digest": crate::rules::digest(r.rules)},
        },
        "changes": changes,
        "windows": windows,
        // One entry per object the address names at the tip: more than one is said, never merged.
        "objects_at_tip": r.watched_at_tip.iter().map(|(unit, addr, file)| json!({
            "unit": crate::formats::unit_display(unit), "address": addr, "file": file,
        })).collect::<Vec<_>>(),
        // What could not be read: a change inside a blind spot is not listed above.
        "blind_spots": crate::report::json::blind_spots(r),
        "limitations": crate::analysis::investigation::LIMITATIONS,
    });
    seal(&mut j);
    j
}

pub fn text(r: &ScanResult, address: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "configtrail history of {address}: {} at {} ({} landings)\n",
        r.repository,
        r.reference,
        r.landings.len()
    );
    let mut last_landing = None;
    for e in entries(r) {
        let commit = &r.commits.info(e.b.commit);
        let landing = &r.commits.info(e.b.landing_commit);
        if last_landing != Some(e.b.landing) {
            let _ = writeln!(
                out,
                "{}  {} <{}>  {}  \"{}\"{}",
                landing.committer.at,
                commit.author.name,
                commit.author.email,
                crate::report::short(&commit.id),
                commit.summary,
                {
                    let forge = crate::evidence::attribution::forge(&landing.committer);
                    let through = crate::evidence::attribution::through(landing);
                    if landing.id != commit.id {
                        format!(
                            " (merged in {} by {}{through})",
                            crate::report::short(&landing.id),
                            crate::evidence::attribution::merger(landing)
                                .unwrap_or(&landing.committer)
                                .name
                        )
                    } else if forge.is_some()
                        && crate::evidence::attribution::merger(landing).is_none()
                    {
                        format!(" (landed{through})")
                    } else {
                        String::new()
                    }
                }
            );
            last_landing = Some(e.b.landing);
        }
        let ch = &e.b.change;
        let _ = writeln!(
            out,
            "    {}  at {}:{}{}",
            crate::engine::scan::describe(ch),
            ch.location.file,
            ch.location.line,
            if e.rules.is_empty() {
                String::new()
            } else {
                format!("  [{}]", e.rules.join(", "))
            }
        );
        for (what, list) in [
            ("opened", &e.opened),
            ("widened", &e.widened),
            ("closed", &e.closed),
        ] {
            for id in list {
                let _ = writeln!(out, "      {what} window {id}");
            }
        }
    }
    out.push_str(&several_objects(r, address));
    if !r.blind_spots.is_empty() {
        out.push('\n');
        crate::report::text::blind_spot_lines(&mut out, r);
    }
    out
}

/// When one address names several objects at the tip (separate roots or deployment targets, or
/// copies of one manifest), or its windows were held by copies: said in so many words, so the
/// changes above are not read as the history of one object.
fn several_objects(r: &ScanResult, address: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if r.watched_at_tip.len() > 1 {
        let _ = writeln!(
            out,
            "\nnote: {address} names {} objects at the tip:",
            r.watched_at_tip.len()
        );
        for (unit, addr, file) in &r.watched_at_tip {
            let _ = writeln!(
                out,
                "  {addr} in {} ({file})",
                crate::formats::unit_display(unit)
            );
        }
    }
    for w in r
        .windows
        .iter()
        .filter(|w| w.identity() != "single")
        .filter(|w| crate::model::matches_resource(&w.address, address))
    {
        let _ = writeln!(
            out,
            "\nnote: window {} ({}) was held by copies in {} files ({}){}",
            exposure_id(r, w),
            w.rule,
            w.files.len(),
            w.files.join(", "),
            if w.identity() == "ambiguous" {
                "; the copies disagreed, so which of them is the object is ambiguous"
            } else {
                ""
            }
        );
    }
    out
}
