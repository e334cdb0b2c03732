//! The tree is the pipeline: every path into the crate that a file of `src/` names goes to its own
//! stage or to one below it (the order of `src/lib.rs`), and no files of `src/` reach each other
//! in a circle. Read from the source text, so an arrow that runs back up fails here, naming the
//! file, the line and the stage it reached.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its rank: a module may name modules of its own rank only
/// within itself (or, at rank 0, the other utilities beside the stages), and any of a lower rank.
/// `formats` is below `history`: the history stage asks the formats which paths are theirs (what
/// to read), while the formats never read git.
const RANKS: &[(&str, u32)] = &[
    ("model", 0),
    ("digest", 0),
    ("limits", 0),
    ("progress", 0),
    ("exit_codes", 0),
    ("formats", 1),
    ("history", 2),
    ("rules", 3),
    ("redact", 4),
    ("evidence", 5),
    ("engine", 6),
    ("graph", 7),
    ("analysis", 8),
    ("report", 9),
    ("cli", 10),
    ("fuzzing", 11),
    ("lib", 12),
    ("main", 12),
];

fn rank(stage: &str) -> Option<u32> {
    RANKS.iter().find(|(s, _)| *s == stage).map(|(_, r)| *r)
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: `src/engine/scan.rs` → `engine::scan`, `src/engine/mod.rs` →
/// `engine`, `src/lib.rs` → `lib`.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).expect("under src/");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.len() > 1 && parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its unit tests (the `#[cfg(test)] mod tests`
/// at the end): what the module itself depends on. What is inside a string literal on one line
/// is blanked, so neither a `//` nor a path written in a message counts.
fn code_lines(text: &str) -> Vec<(usize, String)> {
    let end = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..end]
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut out = String::with_capacity(line.len());
            let (mut in_string, mut escaped) = (false, false);
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                if in_string {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => in_string = false,
                        _ => {}
                    }
                    out.push(if in_string { ' ' } else { c });
                } else if c == '/' && chars.peek() == Some(&'/') {
                    break;
                } else {
                    in_string = c == '"';
                    out.push(c);
                }
            }
            (i + 1, out)
        })
        .collect()
}

/// Every module path a line names through `crate::` or `super::`, resolved from `module`.
fn named(line: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (start, _) in line
        .match_indices("crate::")
        .chain(line.match_indices("super::"))
    {
        let before = line[..start].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &line[start..];
        let mut path: Vec<String> = if rest.starts_with("crate::") {
            Vec::new()
        } else {
            // `super` of `engine/scan.rs` is `engine`; of `engine/mod.rs`, the crate.
            let mut m = module.to_vec();
            m.pop();
            m
        };
        let tail = rest.split_once("::").map(|(_, t)| t).unwrap_or_default();
        for seg in tail.split("::") {
            let ident: String = seg
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if ident.is_empty() || ident == "super" {
                break;
            }
            path.push(ident.clone());
            if ident.len() != seg.len() {
                break;
            }
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
    out
}

/// Module → the modules it names, each with the first place it does.
type Edges<'a> = BTreeMap<&'a Vec<String>, BTreeMap<&'a Vec<String>, (&'a str, usize)>>;

struct Arrow {
    from: Vec<String>,
    to: Vec<String>,
    file: String,
    line: usize,
}

fn arrows() -> (BTreeSet<Vec<String>>, Vec<Arrow>) {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
    let resolve = |p: &[String]| -> Option<Vec<String>> {
        (1..=p.len())
            .rev()
            .map(|n| p[..n].to_vec())
            .find(|m| modules.contains(m))
    };
    let mut out = Vec::new();
    for f in &files {
        let module = module_of(f);
        let text = std::fs::read_to_string(f).expect("a source file is UTF-8");
        for (line, code) in code_lines(&text) {
            for p in named(&code, &module) {
                let Some(to) = resolve(&p) else { continue };
                out.push(Arrow {
                    from: module.clone(),
                    to,
                    file: f
                        .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
                        .unwrap_or(f)
                        .display()
                        .to_string(),
                    line,
                });
            }
        }
    }
    (modules, out)
}

#[test]
fn every_arrow_goes_to_its_own_stage_or_one_below() {
    let (modules, arrows) = arrows();
    let mut wrong = Vec::new();
    for m in &modules {
        if rank(&m[0]).is_none() {
            wrong.push(format!(
                "src/{}: a top-level module with no place in the pipeline order (add it to RANKS \
                 in tests/layout.rs and to the list in src/lib.rs)",
                m[0]
            ));
        }
    }
    for a in &arrows {
        let (from, to) = (&a.from[0], &a.to[0]);
        if from == to {
            continue;
        }
        let (Some(rf), Some(rt)) = (rank(from), rank(to)) else {
            continue;
        };
        if rt > rf || (rt == rf && rf != 0) {
            wrong.push(format!(
                "{}:{}: {} (rank {rf}) names {} (rank {rt}): an arrow back up the pipeline",
                a.file,
                a.line,
                a.from.join("::"),
                a.to.join("::")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_files_reach_each_other_in_a_circle() {
    let (modules, arrows) = arrows();
    // A module folder's `mod.rs` and its files are one module tree: arrows between a file and
    // the folder that holds it are declarations and re-exports, not dependencies.
    let mut edges: Edges = BTreeMap::new();
    for a in &arrows {
        let related = a.from.starts_with(&a.to) || a.to.starts_with(&a.from);
        if !related {
            edges
                .entry(&a.from)
                .or_default()
                .entry(&a.to)
                .or_insert((a.file.as_str(), a.line));
        }
    }
    // Depth-first search for a back edge; the first circle found is printed whole.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark: BTreeMap<&Vec<String>, Mark> = modules.iter().map(|m| (m, Mark::New)).collect();
    let mut circles = Vec::new();
    fn visit<'a>(
        m: &'a Vec<String>,
        edges: &Edges<'a>,
        mark: &mut BTreeMap<&'a Vec<String>, Mark>,
        stack: &mut Vec<&'a Vec<String>>,
        circles: &mut Vec<String>,
    ) {
        mark.insert(m, Mark::Open);
        stack.push(m);
        for (to, (file, line)) in edges.get(m).into_iter().flatten() {
            match mark.get(*to).copied().unwrap_or(Mark::Done) {
                Mark::New => visit(to, edges, mark, stack, circles),
                Mark::Open => {
                    let from = stack.iter().position(|s| s == to).unwrap_or(0);
                    let names: Vec<String> = stack[from..].iter().map(|s| s.join("::")).collect();
                    circles.push(format!(
                        "{} -> {} (closed at {file}:{line})",
                        names.join(" -> "),
                        to.join("::")
                    ));
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        mark.insert(m, Mark::Done);
    }
    for m in &modules {
        if mark.get(m) == Some(&Mark::New) {
            visit(m, &edges, &mut mark, &mut Vec::new(), &mut circles);
        }
    }
    assert!(
        circles.is_empty(),
        "circles between files:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_layout_check_sees_an_arrow_back_up_and_a_circle() {
    // The reader itself: a `crate::` path in code is seen, one in a comment or a string is not.
    let m = vec!["engine".to_string(), "scan".to_string()];
    let lines = code_lines("use crate::report::json; // crate::cli\nlet s = \"// crate::cli\";\n");
    let found: Vec<Vec<String>> = lines.iter().flat_map(|(_, l)| named(l, &m)).collect();
    assert_eq!(
        found,
        vec![vec!["report".to_string(), "json".to_string()]],
        "{lines:?}"
    );
    assert!(
        rank("report") > rank("engine"),
        "report is above the engine"
    );
    // `super::` from a file resolves to its folder's module, from a `mod.rs` to the crate.
    assert_eq!(
        named(
            "super::json::person",
            &["report".into(), "acceptance".into()]
        ),
        vec![vec![
            "report".to_string(),
            "json".to_string(),
            "person".to_string()
        ]]
    );
    // And the tree as it is has every top-level module ranked.
    let (modules, arrows) = arrows();
    assert!(
        modules.len() > 50 && arrows.len() > 200,
        "the source was read"
    );
}
