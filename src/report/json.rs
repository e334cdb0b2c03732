//! The JSON report, `configtrail.report/1`, as DESIGN.md specifies it (a public contract: fields
//! are added, never renamed or dropped).
//!
//! Keys are written sorted, with no wall-clock time and no absolute path the user did not give,
//! so the same input gives byte-identical output; `digest` is the SHA-256 of the canonical
//! (compact, sorted) JSON of everything else in the report, so any edit to a report shows.

use super::person;
use crate::analysis::investigation::Investigation;
use crate::engine::scan::ScanResult;
use crate::engine::timeline::{Cause, Window};
use crate::graph::Role;
use petgraph::stable_graph::NodeIndex;
use serde_json::{json, Value as J};
use sha2::{Digest, Sha256};

pub const SCHEMA: &str = "configtrail.report/1";

pub fn tool() -> J {
    json!({"name": "configtrail", "version": env!("CARGO_PKG_VERSION")})
}

/// A cause or remediation in the shape DESIGN.md gives.
pub fn cause(r: &ScanResult, c: &Cause) -> J {
    let commit = &r.commits.info(c.blamed.commit);
    let landing = &r.commits.info(c.blamed.landing_commit);
    let merged_by = crate::evidence::attribution::merger(landing).map(person);
    let forge = crate::evidence::attribution::forge(&landing.committer);
    let ch = &c.blamed.change;
    json!({
        "commit": commit.id,
        "landing": landing.id,
        "author": person(&commit.author),
        "committer": person(&commit.committer),
        "merged_by": merged_by,
        "forge": forge,
        "signed": commit.signature.is_some(),
        "signature": commit.signature,
        "signing_key": commit.signing_key,
        "trailers": commit.trailers,
        "party": J::Null,
        "responsible_party": J::Null,
        "address": ch.address,
        "file": c.blamed.cited_location().file,
        "line": c.blamed.cited_location().line,
        "landing_file": ch.location.file,
        "landing_line": ch.location.line,
        "written_by_merge": c.blamed.by_merge,
        "written_on": c.blamed.written_on,
        "written_unreadable": c.blamed.written_unreadable,
        "pull_request": pull_request(r, c).map(|(n, head)| json!({
            "number": n,
            "ref": format!("refs/pull/{n}/head"),
            "head": head.to_string(),
        })),
        "setting": ch.path.to_string(),
        "before": ch.before.as_ref().map(|v| v.to_json()),
        "after": ch.after.as_ref().map(|v| v.to_json()),
        "but_for": c.but_for,
        "summary": c.summary,
        "message": commit.summary,
    })
}

/// The pull request through which a cause was found: its landing is a squash read through
/// `refs/pull/N/head` and the cause is one of that pull request's commits, not the squash.
pub fn pull_request(r: &ScanResult, c: &Cause) -> Option<(u64, git2::Oid)> {
    if c.blamed.commit == c.blamed.landing_commit || c.blamed.written_unreadable {
        return None;
    }
    r.pulled.get(&c.blamed.landing_commit).copied()
}

fn landing_ref(r: &ScanResult, li: usize) -> J {
    let c = r.landing_commit(li);
    json!({"landing": c.id, "landed_at": c.committer.at, "deployed_at": J::Null})
}

/// A stable id: the rule, the resource's identity and the opening landing.
pub fn exposure_id(r: &ScanResult, w: &Window) -> String {
    let mut h = Sha256::new();
    for part in [
        w.rule,
        crate::rules::format_of(w.rule).as_str(),
        &w.unit_id,
        &w.address,
        &r.landing_commit(w.opened).id,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    crate::digest::hex(&h.finalize()[..8])
}

/// Seconds from the opening landing to the closing one (or to the tip), never negative.
pub fn duration_seconds(r: &ScanResult, w: &Window) -> i64 {
    let at = |li: usize| crate::analysis::investigation::landed(r, li);
    let end = match (w.closed, r.until) {
        (Some(c), _) => at(c),
        (None, Some(until)) => until,
        (None, None) => at(r.landings.len().saturating_sub(1)),
    };
    (end - at(w.opened)).max(0)
}

/// The `rule` object of reports.
pub fn rule(r: &ScanResult, id: &str) -> J {
    match crate::rules::find(r.rules, id).map(|rule| &rule.meta) {
        Some(m) => json!({
            "id": m.id, "title": m.title, "severity": m.severity, "category": m.category,
            "standards": m.standards,
        }),
        None => json!({"id": id}),
    }
}

/// The `resource` object of reports.
pub fn resource(w: &Window) -> J {
    json!({
        "format": crate::rules::format_of(w.rule),
        "unit": crate::formats::unit_display(&w.unit_path),
        "file": w.file,
        "address": w.address,
    })
}

/// A cause as the graph sees it: the scan's cause plus the party who made it and the party the
/// contract holds responsible.
fn cause_in(inv: &Investigation, node: NodeIndex, responsible: Option<&str>) -> J {
    let r = &inv.scan;
    let Some(c) = inv.cause(node) else {
        return J::Null;
    };
    let mut j = cause(r, c);
    if let J::Object(m) = &mut j {
        if inv.parties.is_some() {
            m.insert("party".into(), json!(inv.graph.party_of_change(node)));
            m.insert("responsible_party".into(), json!(responsible));
        }
    }
    j
}

fn deployment(inv: &Investigation, row: Option<usize>) -> J {
    let d = row.and_then(|i| inv.deploys.as_ref().and_then(|l| l.rows.get(i)));
    d.map_or(J::Null, |d| J::String(d.at.clone()))
}

/// Seconds a window was live: the sum of its live intervals, an interval still live at the end
/// of the log measured to the end of the analysis.
pub fn live_seconds(inv: &Investigation, x: NodeIndex) -> Option<i64> {
    let (log, live) = (inv.deploys.as_ref()?, inv.graph.live.get(&x)?);
    let end = analysis_end(&inv.scan);
    Some(
        live.intervals
            .iter()
            .map(|&(s, e)| {
                let to = e.map_or(end.max(log.rows[s].seconds), |e| log.rows[e].seconds);
                (to - log.rows[s].seconds).max(0)
            })
            .sum(),
    )
}

/// The end of the analysed period: `--until`, or the tip's landing time.
pub fn analysis_end(r: &ScanResult) -> i64 {
    r.until.unwrap_or_else(|| {
        crate::analysis::investigation::landed(r, r.landings.len().saturating_sub(1))
    })
}

/// What the deploy log says about a window's live time, in words and fields.
fn live(inv: &Investigation, x: NodeIndex, w: &Window) -> J {
    let (Some(log), Some(live)) = (inv.deploys.as_ref(), inv.graph.live.get(&x)) else {
        return J::Null;
    };
    let intervals: Vec<J> = live
        .intervals
        .iter()
        .map(|&(s, e)| {
            json!({
                "from": log.rows[s].at, "from_commit": log.rows[s].resolved,
                "to": e.map(|e| log.rows[e].at.clone()),
                "to_commit": e.map(|e| log.rows[e].resolved.clone()),
            })
        })
        .collect();
    let start = if live.intervals.is_empty() {
        "never-live"
    } else if live.start_unknown {
        "no-later-than"
    } else {
        "exact"
    };
    let end = match live.intervals.last() {
        None => "never-live",
        Some((_, Some(_))) => "exact",
        Some((_, None)) if w.closed.is_some() => "fix-not-deployed",
        Some((_, None)) => "still-live",
    };
    let mut notes = Vec::new();
    if live.intervals.is_empty() {
        notes.push(format!(
            "no deployment to {:?} in the log contains the opening landing without its fix: never live per the log",
            log.environment
        ));
    }
    if live.start_unknown {
        notes.push(format!(
            "the deploy log begins at {}, which already contains the opening landing: it may have been live earlier",
            log.rows[0].at
        ));
    }
    if end == "fix-not-deployed" {
        notes.push("the closing landing was not deployed by the end of the log: live to the end of the analysis at least".into());
    }
    if end == "still-live" {
        notes.push("still live at the end of the log; measured to the end of the analysis".into());
    }
    json!({
        "environment": log.environment,
        "intervals": intervals,
        "seconds": live_seconds(inv, x),
        "start": start,
        "end": end,
        "notes": notes,
    })
}

pub fn exposure(inv: &Investigation, x: NodeIndex) -> J {
    let r = &inv.scan;
    let Some(w) = inv.graph.window(x).and_then(|i| r.windows.get(i)) else {
        return J::Null;
    };
    let responsible = inv.graph.responsible(x);
    let causes = |want: fn(Role) -> bool| {
        inv.graph
            .changes(x, want)
            .into_iter()
            .map(|(n, _, _)| cause_in(inv, n, responsible))
            .collect::<Vec<_>>()
    };
    let live_info = inv.graph.live.get(&x);
    let opened_dep = live_info.and_then(|l| l.intervals.first().map(|&(s, _)| s));
    let closed_dep = live_info.and_then(|l| l.intervals.last().and_then(|&(_, e)| e));
    let mut opened = landing_ref(r, w.opened);
    opened["deployed_at"] = deployment(inv, opened_dep);
    let closed = w.closed.map(|c| {
        let mut j = landing_ref(r, c);
        j["deployed_at"] = deployment(inv, closed_dep);
        j
    });
    let mut files = w.files.clone();
    files.sort();
    let mut j = json!({
        "id": exposure_id(r, w),
        "rule": rule(r, w.rule),
        "resource": resource(w),
        "summary": w.finding.summary,
        "opened": opened,
        "closed": closed,
        "open_at_tip": w.closed.is_none(),
        "identity": w.identity(),
        "files": files,
        "carried_from": w.carried_from.as_ref().map(|o| json!({
            "unit": o.unit_path,
            "address": o.address,
        })),
        "duration_seconds": duration_seconds(r, w),
        "live_seconds": live_seconds(inv, x),
        "live": live(inv, x, w),
        "responsible_party": if inv.parties.is_some() { json!(responsible) } else { J::Null },
        "causes": causes(|r| r == Role::Cause),
        "widenings": w.widenings.iter().enumerate().map(|(k, wd)| json!({
            "landing": r.landing_commit(wd.landing).id,
            "landed_at": r.landing_commit(wd.landing).committer.at,
            "before": wd.before, "after": wd.after,
            "causes": inv.graph.changes(x, |r| matches!(r, Role::Widening(_)))
                .into_iter()
                .filter(|&(_, role, _)| role == Role::Widening(k))
                .map(|(n, _, _)| cause_in(inv, n, responsible))
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "remediation": causes(|r| r == Role::Remediation).into_iter().next(),
    });
    // Present only when they apply, so reports of histories without modules keep their shape.
    if w.library {
        j["evaluated_as"] = json!("library module");
    }
    if let Some(why) = &w.superseded {
        j["closed_because"] = json!(why);
    }
    // Present only for a suppressed window, so reports of histories without suppressions keep
    // their shape.
    if let Some(a) = inv.graph.window(x).and_then(|i| inv.acceptances.get(&i)) {
        j["suppression"] = super::acceptance::suppression_json(r, a);
    }
    if let Some(at) = &inv.options.at {
        j["at"] = json!({
            "time": at.text,
            "open": crate::analysis::investigation::open_at(r, w, at.seconds),
            // The graph holds the window's live intervals already.
            "live": inv.deploys.as_ref().zip(inv.graph.live.get(&x)).map(|(l, live)| live.covers(l, at.seconds)),
        });
    }
    j
}

pub fn blind_spots(r: &ScanResult) -> J {
    J::Array(
        r.blind_spots
            .iter()
            .map(|b| {
                json!({
                    // A blind spot of the history itself (a shallow clone) names no unit.
                    "unit": if b.unit.is_empty() && b.file.is_empty() { "" } else { crate::formats::unit_display(&b.unit) },
                    "file": b.file,
                    "from_landing": r.landing_commit(b.from).id,
                    "to_landing": b.to.map(|t| r.landing_commit(t).id.clone()),
                    "reason": b.reason,
                })
            })
            .collect(),
    )
}

/// The windows in report order: by opening landing, then rule, unit and address.
pub fn ordered(r: &ScanResult) -> Vec<&Window> {
    let mut ws: Vec<&Window> = r.windows.iter().map(|w| &**w).collect();
    ws.sort_by(|a, b| {
        (a.opened, a.rule, &a.unit_id, &a.address).cmp(&(b.opened, b.rule, &b.unit_id, &b.address))
    });
    ws
}

/// Per party: windows its people opened, their exposure time, and how many fell inside and
/// outside the party's contractual responsibility. The last row, `party: null`, is the windows
/// opened by people no party matches.
pub fn party_table(inv: &Investigation) -> Vec<PartyRow> {
    let Some(parties) = &inv.parties else {
        return Vec::new();
    };
    let mut names: Vec<Option<String>> = parties
        .parties
        .iter()
        .map(|p| Some(p.name.clone()))
        .collect();
    names.push(None);
    let mut rows: Vec<PartyRow> = names
        .into_iter()
        .map(|party| PartyRow {
            party,
            live_seconds: inv.deploys.as_ref().map(|_| 0),
            ..PartyRow::default()
        })
        .collect();
    for &x in &inv.graph.exposures {
        let Some(w) = inv.graph.window(x).and_then(|i| inv.scan.windows.get(i)) else {
            continue;
        };
        let causes = inv.graph.changes(x, |r| r == Role::Cause);
        let necessary: Vec<_> = causes
            .iter()
            .filter(|&&(n, _, _)| inv.cause(n).is_some_and(|c| c.but_for))
            .collect();
        let counted = if necessary.is_empty() {
            causes.iter().collect::<Vec<_>>()
        } else {
            necessary
        };
        let mut openers: Vec<Option<&str>> = counted
            .iter()
            .map(|&&(n, _, _)| inv.graph.party_of_change(n))
            .collect();
        openers.sort();
        openers.dedup();
        let responsible = inv.graph.responsible(x);
        for opener in openers {
            if let Some(row) = rows.iter_mut().find(|r| r.party.as_deref() == opener) {
                row.windows_opened += 1;
                row.exposure_seconds += duration_seconds(&inv.scan, w);
                if let Some(l) = live_seconds(inv, x) {
                    *row.live_seconds.get_or_insert(0) += l;
                }
                match (opener, responsible) {
                    (_, None) => row.unassigned += 1,
                    (Some(o), Some(resp)) if o == resp => row.inside += 1,
                    _ => row.outside += 1,
                }
            }
        }
    }
    rows
}

/// A window's live span in words, for every view: `no later than A → B, 40 days 6 hours` (the
/// environment is the view's to name); `None` without a deploy log.
pub fn live_span(inv: &Investigation, x: NodeIndex, w: &Window) -> Option<String> {
    let (log, live) = (inv.deploys.as_ref()?, inv.graph.live.get(&x)?);
    Some(match (live.intervals.first(), live.intervals.last()) {
        (Some(&(s, _)), Some(&(_, e))) => format!(
            "{}{} → {}, {}",
            if live.start_unknown {
                "no later than "
            } else {
                ""
            },
            log.rows[s].at,
            e.map(|e| log.rows[e].at.clone()).unwrap_or_else(|| {
                if w.closed.is_some() {
                    "fix not deployed by the end of the log".into()
                } else {
                    "still live".into()
                }
            }),
            super::human_duration(live_seconds(inv, x).unwrap_or(0))
        ),
        _ => "never live per the deploy log".into(),
    })
}

impl PartyRow {
    /// The row's cells as every table shows them: party, windows, exposure-days, live-days,
    /// inside, outside, unassigned.
    pub fn cells(&self) -> [String; 7] {
        let days = |s: i64| format!("{:.1}", s as f64 / 86_400.0);
        [
            self.party.clone().unwrap_or_else(|| "(no party)".into()),
            self.windows_opened.to_string(),
            days(self.exposure_seconds),
            self.live_seconds.map(days).unwrap_or_else(|| "-".into()),
            self.inside.to_string(),
            self.outside.to_string(),
            self.unassigned.to_string(),
        ]
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyRow {
    pub party: Option<String>,
    pub windows_opened: usize,
    pub exposure_seconds: i64,
    pub live_seconds: Option<i64>,
    /// Windows whose rule category the contract assigns to this party.
    pub inside: usize,
    /// Windows whose rule category the contract assigns to another party.
    pub outside: usize,
    /// Windows whose rule category the contract assigns to nobody.
    pub unassigned: usize,
}

pub fn scan_report(inv: &Investigation) -> J {
    let mut report = scan_report_frame(inv);
    report["exposures"] = J::Array(
        inv.graph
            .exposures
            .iter()
            .map(|&x| exposure(inv, x))
            .collect(),
    );
    seal(&mut report);
    report
}

/// Exposures per piece of work when a scan report is written: a piece is rendered on one of two
/// threads, written or hashed in order, and dropped, so memory holds a few pieces, never the
/// whole report (on a 50,000-landing history the held exposures were the peak of a scan,
/// measured).
const CHUNK: usize = 64;

/// `make(0..n)` handed to `take` in order, `make` running on two threads (the even pieces here,
/// the odd ones on a helper at most two pieces ahead). Exposures are independent of each other
/// and are most of a long history's report; the fold that built them was sequential, this part
/// need not be. A helper that fails leaves its pieces to be made here.
fn in_order<T: Send>(
    n: usize,
    make: &(dyn Fn(usize) -> T + Sync),
    take: &mut dyn FnMut(T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if n < 2 {
        return (0..n).try_for_each(|i| take(make(i)));
    }
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<T>(1);
        let helper = s.spawn(move || {
            for i in (1..n).step_by(2) {
                if tx.send(make(i)).is_err() {
                    break;
                }
            }
        });
        let mut result = Ok(());
        for i in 0..n {
            let piece = if i % 2 == 0 {
                make(i)
            } else {
                rx.recv().unwrap_or_else(|_| make(i))
            };
            if let Err(e) = take(piece) {
                result = Err(e);
                break;
            }
        }
        // Dropping the receiver stops a helper still sending (a closed pipe ends the writing).
        drop(rx);
        let _ = helper.join();
        result
    })
}

/// The exposures of piece `c` (`chunk` of them), each written by `write`, separated by `sep`.
fn piece(
    inv: &Investigation,
    chunk: usize,
    c: usize,
    sep: &[u8],
    write: &dyn Fn(&J, &mut Vec<u8>),
) -> Vec<u8> {
    let mut out = Vec::new();
    let all = &inv.graph.exposures;
    for (j, &x) in all
        .chunks(chunk)
        .nth(c)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if j > 0 {
            out.extend_from_slice(sep);
        }
        write(&exposure(inv, x), &mut out);
    }
    out
}

/// The report frame (everything but exposures, with the digest), its keys in output order with
/// `exposures` and `digest` among them, and the digest: the SHA-256 of the canonical (compact,
/// sorted) form, built exposure by exposure without holding them.
///
/// This relies on two facts of serde_json: its maps are ordered by key (no `preserve_order`),
/// and a string never contains a raw line break, so a nested value's pretty text is indented
/// by prefixing its lines.
fn frame_and_digest(
    inv: &Investigation,
    chunk: usize,
) -> (serde_json::Map<String, J>, Vec<String>, String) {
    let mut frame = scan_report_frame(inv);
    let mut map = match &mut frame {
        J::Object(map) => std::mem::take(map),
        _ => serde_json::Map::new(),
    };
    map.remove("exposures");
    let mut hasher = Sha256::new();
    let mut keys: Vec<String> = map.keys().cloned().collect();
    keys.push("exposures".into());
    keys.sort();
    hasher.update(b"{");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            hasher.update(b",");
        }
        hasher.update(serde_json::to_string(k).unwrap_or_default().as_bytes());
        hasher.update(b":");
        if k == "exposures" {
            hasher.update(b"[");
            let all = &inv.graph.exposures;
            let compact = |c: usize| {
                piece(inv, chunk, c, b",", &|e, out| {
                    let _ = serde_json::to_writer(out, e);
                })
            };
            let mut first = true;
            let _ = in_order(all.len().div_ceil(chunk), &compact, &mut |bytes| {
                if !std::mem::take(&mut first) {
                    hasher.update(b",");
                }
                hasher.update(&bytes);
                Ok(())
            });
            hasher.update(b"]");
        } else if let Some(v) = map.get(k) {
            hasher.update(serde_json::to_vec(v).unwrap_or_default());
        }
    }
    hasher.update(b"}");
    let digest = format!("sha256:{}", crate::digest::hex(&hasher.finalize()));
    map.insert("digest".into(), J::String(digest.clone()));
    keys.push("digest".into());
    keys.sort();
    (map, keys, digest)
}

/// The scan report's digest, as [`write_scan`] would write it, without writing the report.
pub fn scan_digest(inv: &Investigation) -> String {
    frame_and_digest(inv, CHUNK).2
}

/// Writes the scan report as [`render`] would write [`scan_report`], byte for byte, and returns
/// its digest. The digest comes before the exposures in the report, so the exposures are built
/// twice: once to hash, once to write (measured at about a tenth of a second on 2,600
/// exposures, against tens of megabytes held).
pub fn write_scan(inv: &Investigation, w: &mut dyn std::io::Write) -> std::io::Result<String> {
    write_scan_chunked(inv, w, CHUNK)
}

fn write_scan_chunked(
    inv: &Investigation,
    w: &mut dyn std::io::Write,
    chunk: usize,
) -> std::io::Result<String> {
    let (map, keys, digest) = frame_and_digest(inv, chunk);
    w.write_all(b"{\n")?;
    for (i, k) in keys.iter().enumerate() {
        let mut text = String::new();
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str("  ");
        text.push_str(&serde_json::to_string(k).unwrap_or_default());
        text.push_str(": ");
        if k == "exposures" {
            let all = &inv.graph.exposures;
            if all.is_empty() {
                text.push_str("[]");
                w.write_all(text.as_bytes())?;
                continue;
            }
            text.push_str("[\n");
            w.write_all(text.as_bytes())?;
            let pretty_chunk = |c: usize| {
                piece(inv, chunk, c, b",\n", &|e, out| {
                    let mut text = String::new();
                    indent_into(&mut text, &pretty(e), "    ", true);
                    out.extend_from_slice(text.as_bytes());
                })
            };
            let mut first = true;
            in_order(all.len().div_ceil(chunk), &pretty_chunk, &mut |text| {
                if !std::mem::take(&mut first) {
                    w.write_all(b",\n")?;
                }
                w.write_all(&text)
            })?;
            w.write_all(b"\n  ]")?;
        } else if let Some(v) = map.get(k) {
            indent_into(&mut text, &pretty(v), "  ", false);
            w.write_all(text.as_bytes())?;
        }
    }
    w.write_all(b"\n}\n")?;
    Ok(digest)
}

/// The scan report as one string, and its digest.
pub fn render_scan(inv: &Investigation) -> (String, String) {
    let mut out = Vec::new();
    let digest = write_scan(inv, &mut out).unwrap_or_default();
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (text, digest)
}

fn pretty(v: &J) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Appends `text`, every line but the first prefixed by `indent` (the first too when `first`).
fn indent_into(out: &mut String, text: &str, indent: &str, first: bool) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i > 0 || first {
            out.push_str(indent);
        }
        out.push_str(line);
    }
}

/// Everything of the scan report but its exposures and digest.
fn scan_report_frame(inv: &Investigation) -> J {
    let r = &inv.scan;
    let digest = inv.anomaly_digest();
    let o = &inv.options;
    let t =
        |i: &Option<crate::analysis::investigation::Instant>| i.as_ref().map(|i| i.text.clone());
    let parties = inv.parties.as_ref().map(|p| {
        json!({
            "parties": p.parties.iter().map(|party| json!({
                "name": party.name, "display": party.display, "match": party.patterns,
            })).collect::<Vec<_>>(),
            "responsibility": p.responsibility,
            "table": party_table(inv).iter().map(|row| json!({
                "party": row.party, "windows_opened": row.windows_opened,
                "exposure_seconds": row.exposure_seconds, "live_seconds": row.live_seconds,
                "inside_responsibility": row.inside, "outside_responsibility": row.outside,
                "unassigned": row.unassigned,
            })).collect::<Vec<_>>(),
            "unmatched_identities": inv.graph.unmatched_people().iter().map(|(n, e)| json!({"name": n, "email": e})).collect::<Vec<_>>(),
        })
    });
    let deployments = inv.deploys.as_ref().map(|l| {
        json!({
            "environment": l.environment,
            "count": l.rows.len(),
            "first": l.rows.first().map(|d| d.at.clone()),
            "last": l.rows.last().map(|d| d.at.clone()),
            "ignored": l.ignored,
            "notes": l.rows.iter().filter_map(|d| d.note.as_ref().map(|n| format!("line {}: {n}", d.line))).collect::<Vec<_>>(),
        })
    });
    let objects = r.objects();
    let mut report = json!({
        "schema": SCHEMA,
        "tool": tool(),
        "inputs": {
            "repository": r.repository,
            "ref": r.reference,
            "head": r.head,
            "landings": r.landings.len(),
            "pull_request_heads": r.pull_heads,
            "last_landing": r.landings.last().map(|&i| r.commits.id(i)),
            "rules": {"count": r.rules.len(), "digest": crate::rules::digest(r.rules)},
            "parties": inv.parties.as_ref().map(|p| p.digest.clone()),
            "deploys": inv.deploys.as_ref().map(|d| d.digest.clone()),
            "objects": {
                "commits": objects.commits,
                "blobs": objects.blobs,
                "digest": objects.digest,
            },
            "options": {
                "at": t(&o.at), "since": t(&o.since), "until": t(&o.until),
                "resource": o.resource, "min_severity": o.min_severity,
                "parties_file": o.parties, "deploys_file": o.deploys,
                "environment": inv.deploys.as_ref().map(|d| d.environment.clone()),
            },
        },
        "exposures": [],
        "windows_total": r.windows.len(),
        "blind_spots": blind_spots(r),
        "anomalies": r.anomalies.iter().map(|a| {
            let mut j = json!(a);
            if let J::Object(m) = &mut j {
                m.insert("relevant".into(), json!(digest.relevant.contains(&a.commit)));
            }
            j
        }).collect::<Vec<_>>(),
        "anomaly_summary": digest.summary.iter().map(|(kind, count, examples)| json!({
            "kind": kind, "count": count, "examples": examples,
        })).collect::<Vec<_>>(),
        "parties": parties,
        "deployments": deployments,
        "limitations": crate::analysis::investigation::LIMITATIONS,
    });
    // Raised limits are an input like any other (verify reads under the same); the defaults are
    // not written, so a report made with them keeps its shape.
    if let Some(limits) = inv.options.limits.recorded() {
        report["inputs"]["options"]["limits"] = limits;
    }
    // Given only when given, so reports made without them keep their shape.
    let tf = &inv.options.terraform;
    if !tf.roots.is_empty() {
        report["inputs"]["options"]["roots"] = json!(tf.roots);
    }
    if !tf.var_files.is_empty() {
        report["inputs"]["options"]["var_files"] = json!(tf.var_files);
    }
    // That secrets are shown, or fingerprinted under a key: recorded, the key never.
    if inv.options.redaction.show {
        report["inputs"]["options"]["show_secrets"] = json!(true);
    }
    if inv.options.redaction.key.is_some() {
        report["inputs"]["options"]["fingerprint_key"] = json!(true);
    }
    // Present when modules are in play: which Terraform directories were evaluated as roots
    // (or library modules) at the tip, and what each instantiates.
    if !r.terraform_roots.is_empty() {
        report["terraform_roots"] = J::Array(
            r.terraform_roots
                .iter()
                .map(|t| {
                    json!({
                        "dir": crate::formats::unit_display(&t.dir),
                        "evaluated_as": if t.library { "library module" } else { "root" },
                        "instantiates": t.instantiates,
                    })
                })
                .collect(),
        );
    }
    report
}

/// Adds `digest` over the canonical form of the rest.
pub fn seal(report: &mut J) {
    let d = super::canonical_digest(report);
    if let J::Object(m) = report {
        m.insert("digest".into(), J::String(d));
    }
}

/// Pretty JSON with a trailing newline.
pub fn render(v: &J) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_taken_in_order_whichever_thread_made_them() {
        for n in [0, 1, 2, 3, 7, 64] {
            let mut got = Vec::new();
            let made = in_order(n, &|i| i * 10, &mut |x| {
                got.push(x);
                Ok(())
            });
            assert!(made.is_ok());
            assert_eq!(got, (0..n).map(|i| i * 10).collect::<Vec<_>>(), "n = {n}");
        }
    }

    #[test]
    fn a_failed_write_stops_the_pieces() {
        let mut taken = 0;
        let made = in_order(1_000, &|i| i, &mut |_| {
            taken += 1;
            if taken == 5 {
                Err(std::io::ErrorKind::BrokenPipe.into())
            } else {
                Ok(())
            }
        });
        assert_eq!(
            made.map_err(|e| e.kind()),
            Err(std::io::ErrorKind::BrokenPipe)
        );
        assert_eq!(taken, 5);
    }

    /// A report written a piece at a time, in pieces of any size, is the report built whole.
    #[test]
    fn a_report_written_in_pieces_is_the_report_built_whole() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample-repos/azure-storage-nsg.git"
        );
        let mut repo = crate::history::Repo::open(path).expect("opens");
        let inv = crate::analysis::investigation::investigate(
            &mut repo,
            "HEAD",
            None,
            Default::default(),
        )
        .expect("scans");
        assert!(inv.graph.exposures.len() >= 3);
        let whole = scan_report(&inv);
        for chunk in [1, 2, CHUNK] {
            let mut out = Vec::new();
            let digest = write_scan_chunked(&inv, &mut out, chunk).expect("writes");
            assert_eq!(out, render(&whole).into_bytes(), "chunk {chunk}");
            assert_eq!(whole["digest"], digest.as_str());
        }
        assert_eq!(
            scan_digest(&inv),
            whole["digest"].as_str().unwrap_or_default()
        );
    }
}
