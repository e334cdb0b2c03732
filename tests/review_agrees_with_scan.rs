//! `review` evaluates only the range (and traces older causes on demand); `scan` reads the whole
//! history. For every range of every sample repository, what review says the range introduced
//! and fixed must be what the scan of HEAD says about the same landings, compared BASE against
//! HEAD (the net rule of the README's "Pre-merge review"). This is the guard on the fast path.

mod common;

use common::bin;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

fn git(repo: &str, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "safe.directory=*", "-C", repo])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn json(args: &[&str]) -> Value {
    let out = bin().args(args).output().expect("runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{args:?}: {}", String::from_utf8_lossy(&out.stderr)))
}

type Key = (String, String, String); // rule, unit, address

fn key(e: &Value) -> Key {
    (
        e["rule"]["id"].as_str().unwrap_or_default().to_string(),
        e["resource"]["unit"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        e["resource"]["address"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// What the scan of `head` says `base..head` introduced and fixed, by the net rule: BASE against
/// HEAD. A (rule, resource) held at HEAD and not at BASE was introduced (by the range, if a cause
/// is a commit of the range); one held at BASE and not at HEAD was fixed. A window opened and
/// closed inside the range, a fix that a revert undid, a violation closed and reopened: none of
/// these is either (a scan shows them all as windows of their own).
fn from_scan(repo: &str, base: &str, head: &str) -> (BTreeSet<Key>, BTreeSet<Key>) {
    let range: BTreeSet<String> = git(repo, &["rev-list", &format!("{base}..{head}")])
        .lines()
        .map(str::to_string)
        .collect();
    let landings: BTreeSet<String> = git(
        repo,
        &["rev-list", "--first-parent", &format!("{base}..{head}")],
    )
    .lines()
    .map(str::to_string)
    .collect();
    let scan = json(&["scan", repo, "--ref", head, "--format", "json"]);
    let exposures = scan["exposures"].as_array().expect("exposures");
    let in_range = |l: &Value| l.as_str().is_some_and(|s| landings.contains(s));
    let open_at_tip = |e: &Value| e["open_at_tip"] == true;
    // Held at BASE: opened before the range, and not closed before it.
    let held_at_base = |e: &Value| {
        !in_range(&e["opened"]["landing"]) && (open_at_tip(e) || in_range(&e["closed"]["landing"]))
    };
    // An object renamed inside the range is the old object going on (the README's "Renamed
    // objects"): its exposure continues the one of the address it came from, when that one
    // closed where it opened. Each exposure's chain is named by the first address of the chain.
    let carried = |e: &Value| -> Option<Key> {
        let from = &e["carried_from"];
        let k = (
            e["rule"]["id"].as_str()?.to_string(),
            from["unit"].as_str()?.to_string(),
            from["address"].as_str()?.to_string(),
        );
        let opened = &e["opened"]["landing"];
        (in_range(opened)
            && exposures
                .iter()
                .any(|o| key(o) == k && o["closed"]["landing"] == *opened))
        .then_some(k)
    };
    let chain = |e: &Value| -> Key {
        let mut k = key(e);
        let mut at = e;
        for _ in 0..exposures.len() {
            let Some(from) = carried(at) else { break };
            let Some(o) = exposures.iter().find(|o| key(o) == from) else {
                break;
            };
            (k, at) = (from, o);
        }
        k
    };
    // What review names a chain by: the address HEAD's side of it last had.
    let last_key = |c: &Key| -> Key {
        exposures
            .iter()
            .filter(|o| chain(o) == *c)
            .max_by_key(|o| {
                o["opened"]["landed_at"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .map(key)
            .unwrap_or_else(|| c.clone())
    };
    let mut introduced = BTreeSet::new();
    let mut fixed = BTreeSet::new();
    for e in exposures {
        let c = chain(e);
        let at_base = exposures.iter().any(|o| chain(o) == c && held_at_base(o));
        let at_head = exposures.iter().any(|o| chain(o) == c && open_at_tip(o));
        let by_range = e["causes"]
            .as_array()
            .expect("causes")
            .iter()
            .any(|c| c["commit"].as_str().is_some_and(|s| range.contains(s)));
        // A copy with edits is a new resource, whoever wrote its values.
        let copied = !e["carried_from"].is_null();
        if open_at_tip(e) && !at_base && in_range(&e["opened"]["landing"]) && (by_range || copied) {
            introduced.insert(key(e));
        }
        if held_at_base(e) && !at_head {
            fixed.insert(last_key(&c));
        }
    }
    (introduced, fixed)
}

fn from_review(repo: &str, base: &str, head: &str) -> (BTreeSet<Key>, BTreeSet<Key>) {
    let r = json(&[
        "review",
        &format!("{base}..{head}"),
        repo,
        "--format",
        "json",
    ]);
    let mut introduced = BTreeSet::new();
    let mut fixed = BTreeSet::new();
    for f in r["findings"].as_array().expect("findings") {
        match f["change"].as_str() {
            Some("introduced") => {
                introduced.insert(key(f));
            }
            Some("fixed") => {
                fixed.insert(key(f));
            }
            _ => {}
        }
    }
    (introduced, fixed)
}

#[test]
fn review_agrees_with_scan_on_every_range_of_every_sample() {
    let mut checked = 0;
    let mut differ = Vec::new();
    let mut repos: Vec<_> = std::fs::read_dir("sample-repos")
        .expect("sample-repos")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "git"))
        .collect();
    repos.sort();
    for repo in repos {
        let repo = repo.display().to_string();
        let chain: Vec<String> = git(&repo, &["rev-list", "--first-parent", "main"])
            .lines()
            .map(str::to_string)
            .collect();
        for i in 0..chain.len() {
            for j in i + 1..chain.len() {
                let (head, base) = (&chain[i], &chain[j]);
                let expected = from_scan(&repo, base, head);
                let got = from_review(&repo, base, head);
                checked += 1;
                if expected != got {
                    differ.push(format!(
                        "{repo} {base:.10}..{head:.10}: scan says {expected:?}, review says {got:?}"
                    ));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} ranges");
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
