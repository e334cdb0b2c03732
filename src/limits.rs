//! Limits: how much of one file a run will read, set once per run and applied by every command.
//!
//! A repository under investigation may belong to the other side of a dispute. A file crafted to
//! be huge, nested without end, or an alias bomb must not crash, hang or exhaust the machine, and
//! must not be skipped silently either: past a limit the file is not read and the report says so,
//! as a blind spot that names the limit and the option that raises it. A run that crossed a limit
//! can be repeated with it raised; nothing is lost but time.
//!
//! The value is built once by the command line and held by the history reader
//! ([`crate::history::Repo`]), which applies the size limit before loading a blob and hands the
//! rest to [`crate::formats::parse_unit_with`] through the snapshot layer, so `scan`, `review`,
//! `history` and `verify` read files under the same limits without each passing them along. A
//! command that reads files from disk rather than from git (a future `check`) takes the same
//! value and calls the same parse function.
//!
//! Nesting is the one limit with a ceiling: the parsers (hcl-edit, jsonc-parser) and everything
//! that walks a parsed tree recurse, so a raised depth costs stack, and jsonc-parser refuses
//! nesting past 512 levels on its own. [`MAX_DEPTH_CEILING`] sits under that, and the main
//! thread's stack holds every reader at it with room to spare (tested on a debug build, whose
//! frames are the largest); the option refuses anything above it rather than risk a stack
//! overflow, which would abort the process without a report.
//!
//! The parsers' own fixed limits stay under ours whatever the option says: hcl-edit refuses HCL
//! nested past 64 levels, jsonc-parser JSON past 512, saphyr-parser YAML flow collections past
//! 255. Each of those is a blind spot quoting the parser.

use serde::Serialize;

/// The most `--max-depth` may be raised to (see the module documentation).
pub const MAX_DEPTH_CEILING: usize = 500;

/// The limits of one run. `Default` gives the documented defaults (README, "Limits").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest IaC file read, in bytes (`--max-file-bytes`). Checked against the object header
    /// before the blob is loaded, so a 64 MB blob named `main.tf` costs nothing.
    pub max_file_bytes: usize,
    /// Deepest nesting of brackets (HCL, JSON) or collections (YAML) (`--max-depth`), at most
    /// [`MAX_DEPTH_CEILING`].
    pub max_depth: usize,
    /// Most nodes one YAML or JSON file may produce, anchors and aliases expanded
    /// (`--max-yaml-nodes`): the bound on an alias bomb.
    pub max_yaml_nodes: usize,
    /// Whether squash landings are read through the pull-request heads the repository keeps
    /// (`refs/pull/N/head`, `--pull-refs`): off by default, so a report rests on the ref's own
    /// history unless asked.
    pub pull_refs: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 * 1024 * 1024,
            max_depth: 128,
            max_yaml_nodes: 500_000,
            pull_refs: false,
        }
    }
}

impl Limits {
    /// The reason for a file over the size limit, naming the option that raises it.
    pub fn file_too_large(&self, size: usize) -> String {
        format!(
            "file is {size} bytes, over the limit of {} bytes (raise with --max-file-bytes)",
            self.max_file_bytes
        )
    }

    /// The reason for nesting over the depth limit, naming the option that raises it.
    pub fn too_deep(&self) -> String {
        format!(
            "nested deeper than the limit of {} levels: not read (raise with --max-depth)",
            self.max_depth
        )
    }

    /// The reason for a file that expands to too many nodes (an alias bomb, or a huge file).
    pub fn too_many_nodes(&self) -> String {
        format!(
            "more than the limit of {} nodes (anchors and aliases expanded): not read (raise with \
             --max-yaml-nodes)",
            self.max_yaml_nodes
        )
    }

    /// The limits that differ from the defaults, as a report records them (`None` when all are
    /// the defaults, so reports made with the defaults do not change shape).
    pub fn recorded(&self) -> Option<serde_json::Value> {
        (*self != Limits::default()).then(|| serde_json::json!(self))
    }

    /// Reads limits back from a report's `inputs.options.limits` (absent: the defaults).
    pub fn from_recorded(v: &serde_json::Value) -> Result<Limits, String> {
        let d = Limits::default();
        if v.is_null() {
            return Ok(d);
        }
        let field = |k: &str, default: usize| -> Result<usize, String> {
            match &v[k] {
                serde_json::Value::Null => Ok(default),
                x => x
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| format!("limits.{k} is not a count: {x}")),
            }
        };
        let l = Limits {
            max_file_bytes: field("max_file_bytes", d.max_file_bytes)?,
            max_depth: field("max_depth", d.max_depth)?,
            max_yaml_nodes: field("max_yaml_nodes", d.max_yaml_nodes)?,
            pull_refs: match &v["pull_refs"] {
                serde_json::Value::Null => d.pull_refs,
                serde_json::Value::Bool(b) => *b,
                x => return Err(format!("limits.pull_refs is not true or false: {x}")),
            },
        };
        if l.max_depth > MAX_DEPTH_CEILING {
            return Err(format!(
                "limits.max_depth {} is above the ceiling of {MAX_DEPTH_CEILING}",
                l.max_depth
            ));
        }
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_not_recorded_and_raised_limits_round_trip() {
        assert_eq!(Limits::default().recorded(), None);
        let raised = Limits {
            max_file_bytes: 1 << 30,
            ..Limits::default()
        };
        let v = raised.recorded().expect("recorded");
        assert_eq!(Limits::from_recorded(&v), Ok(raised));
        assert_eq!(
            Limits::from_recorded(&serde_json::Value::Null),
            Ok(Limits::default())
        );
        assert!(Limits::from_recorded(&serde_json::json!({"max_depth": 1_000_000})).is_err());
        assert!(Limits::from_recorded(&serde_json::json!({"max_depth": "deep"})).is_err());
    }

    #[test]
    fn each_reason_names_its_option() {
        let l = Limits::default();
        assert!(l.file_too_large(9).contains("--max-file-bytes"));
        assert!(l.too_deep().contains("--max-depth"));
        assert!(l.too_many_nodes().contains("--max-yaml-nodes"));
    }
}
