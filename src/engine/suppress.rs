//! Suppressions: comments in IaC files that record a decision to accept a rule's finding.
//!
//! Takes the text of a file and the line where a resource is declared; gives the suppressions
//! that apply to that resource: comments on the lines directly above its declaration or inside
//! its block. Four spellings are recognised, configtrail's own and the three that users of other
//! scanners already have in their code:
//!
//! ```text
//! # configtrail:ignore aws-sg-admin-port-public bastion, reviewed by security (SEC-123)
//! #checkov:skip=CKV_AWS_24:bastion host, reviewed
//! #trivy:ignore:AVD-AWS-0107 bastion host
//! #tfsec:ignore:aws-ec2-no-public-ingress-sgr
//! ```
//!
//! A foreign id is mapped to configtrail's rules through [`FOREIGN`], a small table of clear
//! equivalents; an id with no equivalent is kept as *unmatched* so reports can show it instead of
//! silently ignoring it. A suppression never hides a finding: `check` and `review` show it as
//! suppressed with its reason and leave it out of the exit code; `scan` keeps the window and adds
//! who recorded the decision and when (see `report::suppressions`).
//!
//! Only comments are read, never the parsed model: comments are not settings, and a suppression
//! must not change what a rule sees. The lexer below knows HCL's comment, string and heredoc
//! syntax well enough to find comments and the extent of top-level blocks; it is linear in the
//! text and cannot recurse, so no input can make it hang.

use serde::Serialize;
use std::collections::BTreeSet;

/// The markers of the four spellings, as [`parse_comment`] looks for them (case aside).
const MARKERS: [&[u8]; 4] = [
    b"configtrail:ignore",
    b"checkov:skip=",
    b"trivy:ignore:",
    b"tfsec:ignore:",
];

/// Whether `text` could hold a suppression: one of the markers appears in it, in any case.
/// Never false for a text in which suppressions are found (tested); cheap (a scan over the
/// colons), so a scan can note it for every file it reads.
pub fn may_have_suppressions(text: &[u8]) -> bool {
    memchr::memchr_iter(b':', text).any(|colon| {
        MARKERS.iter().any(|m| {
            let before = m.iter().position(|&b| b == b':').unwrap_or(0);
            colon
                .checked_sub(before)
                .and_then(|start| text.get(start..start + m.len()))
                .is_some_and(|w| w.eq_ignore_ascii_case(m))
        })
    })
}

/// Which spelling a suppression was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    Configtrail,
    Checkov,
    Trivy,
    Tfsec,
}

impl Tool {
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Configtrail => "configtrail",
            Tool::Checkov => "checkov",
            Tool::Trivy => "trivy",
            Tool::Tfsec => "tfsec",
        }
    }
}

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Suppression {
    pub tool: Tool,
    /// The id as written: `aws-sg-admin-port-public`, `CKV_AWS_24`, `AVD-AWS-0107`.
    pub id: String,
    /// configtrail rules it suppresses; empty when the id has no equivalent (unmatched).
    pub rules: Vec<&'static str>,
    /// The reason given, or empty.
    pub reason: String,
    pub file: String,
    pub line: u32,
}

impl Suppression {
    pub fn covers(&self, rule: &str) -> bool {
        self.rules.contains(&rule)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "tool": self.tool.as_str(),
            "id": self.id,
            "rules": self.rules,
            "reason": self.reason,
            "file": self.file,
            "line": self.line,
        })
    }
}

/// Foreign rule ids with a clear configtrail equivalent: the foreign check looks at the same
/// exposure on the same resource kind. Kept deliberately small; an id not listed is reported as
/// unmatched rather than guessed. (checkov `CKV_AWS_*`, trivy `AVD-AWS-*`, tfsec long ids.)
pub const FOREIGN: &[(&str, &[&str])] = &[
    ("AVD-AWS-0026", &["aws-ebs-unencrypted"]),
    ("AVD-AWS-0028", &["aws-ec2-imdsv1-allowed"]),
    ("AVD-AWS-0040", &["aws-eks-endpoint-public"]),
    ("AVD-AWS-0065", &["aws-kms-rotation-off"]),
    ("AVD-AWS-0092", &["aws-s3-acl-public"]),
    ("AVD-AWS-0105", &["aws-nacl-ingress-all-open"]),
    (
        "AVD-AWS-0107",
        &[
            "aws-sg-admin-port-public",
            "aws-sg-all-ports-public",
            "aws-sg-database-port-public",
        ],
    ),
    ("AVD-AWS-0180", &["aws-rds-public"]),
    ("CKV_AWS_16", &["aws-rds-storage-unencrypted"]),
    ("CKV_AWS_17", &["aws-rds-public"]),
    ("CKV_AWS_20", &["aws-s3-acl-public"]),
    ("CKV_AWS_24", &["aws-sg-admin-port-public"]),
    ("CKV_AWS_25", &["aws-sg-admin-port-public"]),
    ("CKV_AWS_3", &["aws-ebs-unencrypted"]),
    ("CKV_AWS_36", &["aws-cloudtrail-log-validation-off"]),
    ("CKV_AWS_39", &["aws-eks-endpoint-public"]),
    ("CKV_AWS_57", &["aws-s3-acl-public"]),
    ("CKV_AWS_67", &["aws-cloudtrail-single-region"]),
    ("CKV_AWS_7", &["aws-kms-rotation-off"]),
    ("CKV_AWS_79", &["aws-ec2-imdsv1-allowed"]),
    ("CKV_AWS_87", &["aws-redshift-public"]),
    ("aws-ebs-enable-volume-encryption", &["aws-ebs-unencrypted"]),
    (
        "aws-ec2-enforce-http-token-imds",
        &["aws-ec2-imdsv1-allowed"],
    ),
    (
        "aws-ec2-no-public-ingress-acl",
        &["aws-nacl-ingress-all-open"],
    ),
    (
        "aws-ec2-no-public-ingress-sgr",
        &[
            "aws-sg-admin-port-public",
            "aws-sg-all-ports-public",
            "aws-sg-database-port-public",
        ],
    ),
    (
        "aws-eks-no-public-cluster-access",
        &["aws-eks-endpoint-public"],
    ),
    ("aws-kms-auto-rotate-keys", &["aws-kms-rotation-off"]),
    ("aws-rds-no-public-db-access", &["aws-rds-public"]),
    ("aws-s3-no-public-access-with-acl", &["aws-s3-acl-public"]),
];

/// The configtrail rules a written id stands for.
fn rules_for(tool: Tool, id: &str, known: &BTreeSet<&'static str>) -> Vec<&'static str> {
    match tool {
        Tool::Configtrail => known.get(id).map(|r| vec![*r]).unwrap_or_default(),
        _ => FOREIGN
            .iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(id))
            .map(|(_, r)| r.to_vec())
            .unwrap_or_default(),
    }
}

/// The comments of an HCL file and the line extents of its top-level blocks.
#[derive(Debug, Default)]
pub struct Lexed {
    /// (line, text after the comment marker).
    pub comments: Vec<(u32, String)>,
    /// Lines that hold something other than comments and whitespace.
    pub code_lines: BTreeSet<u32>,
    /// (line of the opening brace, line of the closing brace) of each top-level block.
    pub blocks: Vec<(u32, u32)>,
}

/// Lexes HCL just enough for comments and block extents. Unterminated constructs end at the end
/// of the text; the result is then partial, never an error.
pub fn lex_hcl(text: &str) -> Lexed {
    let bytes = text.as_bytes();
    let mut out = Lexed::default();
    let (mut i, mut line) = (0usize, 1u32);
    let mut depth = 0usize;
    let mut open_line = 0u32;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'#' | b'/' if c == b'#' || bytes.get(i + 1) == Some(&b'/') => {
                let start = if c == b'#' { i + 1 } else { i + 2 };
                let end = text[start..].find('\n').map_or(bytes.len(), |n| start + n);
                out.comments
                    .push((line, text[start..end].trim().to_string()));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // Block comments are skipped (a suppression is a line comment), lines counted.
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                line += text[i..end].matches('\n').count() as u32;
                i = end;
            }
            b'"' => {
                out.code_lines.insert(line);
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'<' if text[i..].starts_with("<<") => {
                out.code_lines.insert(line);
                let rest = &text[i + 2..];
                let rest = rest.strip_prefix('-').unwrap_or(rest);
                let marker: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let Some(nl) = text[i..].find('\n') else {
                    break;
                };
                i += nl + 1;
                line += 1;
                if marker.is_empty() {
                    continue;
                }
                // The heredoc's body, up to the line that is only the marker.
                while i < bytes.len() {
                    let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    let done = text[i..end].trim() == marker;
                    out.code_lines.insert(line);
                    i = end;
                    if done {
                        break;
                    }
                    if i < bytes.len() {
                        i += 1;
                        line += 1;
                    }
                }
            }
            b'{' => {
                out.code_lines.insert(line);
                if depth == 0 {
                    open_line = line;
                }
                depth += 1;
                i += 1;
            }
            b'}' => {
                out.code_lines.insert(line);
                if depth == 1 {
                    out.blocks.push((open_line, line));
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                out.code_lines.insert(line);
                i += 1;
            }
        }
    }
    if depth > 0 {
        out.blocks.push((open_line, line));
    }
    out
}

/// The suppressions written in one comment (a comment may hold several).
pub fn parse_comment(
    comment: &str,
    file: &str,
    line: u32,
    known: &BTreeSet<&'static str>,
) -> Vec<Suppression> {
    let mut out = Vec::new();
    let markers = [
        ("configtrail:ignore", Tool::Configtrail),
        ("checkov:skip=", Tool::Checkov),
        ("trivy:ignore:", Tool::Trivy),
        ("tfsec:ignore:", Tool::Tfsec),
    ];
    // Each marker occurrence, in order, up to the next marker.
    let lower = comment.to_ascii_lowercase();
    let mut found: Vec<(usize, &str, Tool)> = Vec::new();
    for (m, tool) in markers {
        let mut from = 0;
        while let Some(p) = lower[from..].find(m) {
            found.push((from + p, m, tool));
            from += p + m.len();
        }
    }
    found.sort();
    for (k, &(pos, m, tool)) in found.iter().enumerate() {
        let end = found.get(k + 1).map_or(comment.len(), |f| f.0);
        let body = comment[pos + m.len()..end].trim_start_matches([' ', '\t', '=', ':']);
        let (id, reason) = match tool {
            // checkov:skip=ID:reason
            Tool::Checkov => body.split_once(':').unwrap_or((body, "")),
            // configtrail:ignore ID reason; trivy:ignore:ID reason; tfsec:ignore:ID reason.
            // trivy and tfsec allow `:exp:DATE` and `[params]` after the id: kept in the id's
            // tail, not the reason.
            _ => body.split_once(char::is_whitespace).unwrap_or((body, "")),
        };
        let id = match tool {
            Tool::Trivy | Tool::Tfsec => id.split([':', '[']).next().unwrap_or(id),
            _ => id,
        }
        .trim();
        if id.is_empty() {
            continue;
        }
        out.push(Suppression {
            tool,
            id: id.to_string(),
            rules: rules_for(tool, id, known),
            reason: reason.trim().to_string(),
            file: file.to_string(),
            line,
        });
    }
    out
}

/// The ids of the rules a suppression can name.
pub fn known_ids(rules: &[crate::rules::Rule]) -> BTreeSet<&'static str> {
    rules.iter().map(|r| r.meta.id).collect()
}

/// The suppressions of a file, ready to be asked about resources.
#[derive(Debug, Default)]
pub struct FileSuppressions {
    file: String,
    lexed: Lexed,
    known: BTreeSet<&'static str>,
}

impl FileSuppressions {
    pub fn new(file: &str, text: &str, known: BTreeSet<&'static str>) -> FileSuppressions {
        // JSON (`.tf.json`) has no comments; lexing it as HCL would find none either, but skip
        // the work.
        let lexed = if file.ends_with(".json") {
            Lexed::default()
        } else {
            lex_hcl(text)
        };
        FileSuppressions {
            file: file.to_string(),
            lexed,
            known,
        }
    }

    /// The suppressions that apply to the resource declared at `decl_line`: comments on the
    /// comment-only lines directly above it, and comments inside its block.
    pub fn for_resource(&self, decl_line: u32) -> Vec<Suppression> {
        let lx = &self.lexed;
        let end = lx
            .blocks
            .iter()
            .find(|(open, _)| *open >= decl_line)
            .map_or(decl_line, |(_, close)| *close);
        let mut lines = BTreeSet::new();
        let mut l = decl_line;
        while l > 1 {
            l -= 1;
            let comment_only =
                !lx.code_lines.contains(&l) && lx.comments.iter().any(|(cl, _)| *cl == l);
            if !comment_only {
                break;
            }
            lines.insert(l);
        }
        let mut out = Vec::new();
        for (cl, text) in &lx.comments {
            if lines.contains(cl) || (decl_line..=end).contains(cl) {
                out.extend(parse_comment(text, &self.file, *cl, &self.known));
            }
        }
        out
    }
}

/// The suppression of `rule` among `sups`, if any (the first written).
pub fn find<'a>(sups: &'a [Suppression], rule: &str) -> Option<&'a Suppression> {
    sups.iter().find(|s| s.covers(rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> BTreeSet<&'static str> {
        known_ids(crate::rules::registry())
    }

    #[test]
    fn the_marker_check_never_misses_a_suppression() {
        let comments = [
            "# configtrail:ignore aws-sg-admin-port-public bastion",
            "#checkov:skip=CKV_AWS_24:bastion host",
            "#trivy:ignore:AVD-AWS-0107 bastion",
            "#tfsec:ignore:aws-ec2-no-public-ingress-sgr",
            "# CHECKOV:SKIP=CKV_AWS_24",
            "// TfSec:Ignore:aws-ec2-no-public-ingress-sgr:exp:2025-01-01",
            "/* trivy:ignore:AVD-AWS-0107 */",
            "# Configtrail:Ignore aws-sg-admin-port-public",
        ];
        for c in comments {
            assert!(
                !parse_comment(c, "main.tf", 1, &known()).is_empty(),
                "the example itself must be a suppression: {c}"
            );
            assert!(may_have_suppressions(c.as_bytes()), "{c}");
            let in_file = format!("resource \"x\" \"y\" {{\n  {c}\n}}\n");
            assert!(may_have_suppressions(in_file.as_bytes()), "{c}");
        }
        for plain in [
            "",
            ":",
            "resource \"aws_s3_bucket\" \"b\" { bucket = \"ignore:me\" }",
            "# checkov is not run here: skip it",
            "trivy:ignor",
            "tfsec:",
        ] {
            assert!(!may_have_suppressions(plain.as_bytes()), "{plain}");
        }
    }

    const TF: &str = r#"
# configtrail:ignore aws-sg-admin-port-public bastion host, SEC-12
resource "aws_security_group" "bastion" {
  ingress {
    description = "ssh # not a comment { nor a brace"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_s3_bucket" "b" {
  #checkov:skip=CKV_AWS_20:public website
  policy = <<EOF
# tfsec:ignore:aws-s3-no-public-access-with-acl inside a heredoc is text, not a comment
}
EOF
}

#trivy:ignore:AVD-AWS-0107:exp:2030-01-01 legacy
#tfsec:ignore:aws-unknown-thing
resource "aws_security_group" "legacy" {
}

resource "aws_security_group" "plain" {
}
"#;

    #[test]
    fn each_spelling_attaches_to_its_resource() {
        let fs = FileSuppressions::new("main.tf", TF, known());
        let b = fs.for_resource(3);
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!(b[0].tool, Tool::Configtrail);
        assert_eq!(b[0].rules, vec!["aws-sg-admin-port-public"]);
        assert_eq!(b[0].reason, "bastion host, SEC-12");
        assert_eq!(b[0].line, 2);

        let s3 = fs.for_resource(10);
        assert_eq!(s3.len(), 1, "heredoc text is not a comment: {s3:?}");
        assert_eq!(s3[0].tool, Tool::Checkov);
        assert_eq!(s3[0].id, "CKV_AWS_20");
        assert_eq!(s3[0].rules, vec!["aws-s3-acl-public"]);
        assert_eq!(s3[0].reason, "public website");

        let legacy = fs.for_resource(20);
        assert_eq!(legacy.len(), 2, "{legacy:?}");
        assert_eq!(legacy[0].tool, Tool::Trivy);
        assert_eq!(legacy[0].id, "AVD-AWS-0107");
        assert!(legacy[0].covers("aws-sg-all-ports-public"));
        assert_eq!(legacy[0].reason, "legacy");
        assert_eq!(legacy[1].tool, Tool::Tfsec);
        assert!(legacy[1].rules.is_empty(), "unmatched is kept, not guessed");

        assert!(fs.for_resource(23).is_empty(), "a blank line separates");
    }

    #[test]
    fn unknown_own_ids_are_unmatched_and_empty_ids_are_ignored() {
        let k = known();
        let s = parse_comment("configtrail:ignore aws-no-such-rule why", "f", 1, &k);
        assert_eq!(s.len(), 1);
        assert!(s[0].rules.is_empty());
        assert!(parse_comment("configtrail:ignore", "f", 1, &k).is_empty());
        assert!(parse_comment("just a comment", "f", 1, &k).is_empty());
    }

    #[test]
    fn two_markers_in_one_comment() {
        let s = parse_comment(
            "tfsec:ignore:aws-rds-no-public-db-access trivy:ignore:AVD-AWS-0180",
            "f",
            1,
            &known(),
        );
        assert_eq!(s.len(), 2);
        assert!(s.iter().all(|x| x.covers("aws-rds-public")));
    }

    #[test]
    fn every_mapped_rule_exists() {
        let k = known();
        for (foreign, ours) in FOREIGN {
            for r in *ours {
                assert!(k.contains(r), "{foreign} maps to unknown rule {r}");
            }
        }
    }

    #[test]
    fn unterminated_input_is_partial_not_a_hang() {
        for t in [
            "resource \"a\" \"b\" {",
            "\"unterminated",
            "<<EOF\nno end",
            "/* open",
            "{{{{",
        ] {
            let l = lex_hcl(t);
            assert!(l.blocks.len() <= 1, "{t}: {l:?}");
        }
    }
}
