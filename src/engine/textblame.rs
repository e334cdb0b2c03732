//! Text blame through the versions of a file that could not be read.
//!
//! Takes the versions a file had while it could not be parsed (invalid YAML or HCL), oldest
//! first, and the first version that parses; gives, for each line of that version, the oldest of
//! those versions its text has been in without a break (whitespace ignored, as `git blame -w`
//! compares), and its line there.
//!
//! Why: setting blame compares values, and a version that does not parse has none, so every value
//! of a file first readable at some landing would be credited to that landing. On
//! kubernetes-engine-samples, fcf69e7f re-indented two manifests that had been invalid YAML since
//! the commit that wrote them (and that a restructuring had copied while they were invalid): the
//! re-indenter was named for rules it never wrote. Following the line's text is the best evidence
//! there is for who wrote a value nobody could parse; the report says that it was found that way.
//!
//! Bounded: files longer than [`MAX_LINES`] and chains longer than [`MAX_VERSIONS`] are not
//! followed (each diff is quadratic at worst), and their lines keep the landing that made them
//! readable.

use similar::{capture_diff_slices, Algorithm, DiffOp};

/// The longest file whose lines are followed through its unreadable versions.
pub const MAX_LINES: usize = 2_000;

/// The most unreadable versions of one file looked at.
pub const MAX_VERSIONS: usize = 32;

/// Where a line of the readable version was first written: the index of the unreadable version
/// (oldest first) and the line there (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub version: usize,
    pub line: u32,
}

/// For each line of `now` (0-based), where its text was first written among `versions`, or
/// `None` when it is not in the last of them (written by the version that parses) or the file is
/// too long to follow.
pub fn origins(versions: &[&[u8]], now: &[u8]) -> Vec<Option<Origin>> {
    let mut newer = normalized(now);
    let mut out = vec![None; newer.len()];
    if versions.is_empty()
        || versions.len() > MAX_VERSIONS
        || newer.len() > MAX_LINES
        || versions.iter().any(|v| lines(v).count() > MAX_LINES)
    {
        return out;
    }
    // Per line of `now`, its line in the version being looked at, while it is still there.
    let mut track: Vec<Option<usize>> = (0..newer.len()).map(Some).collect();
    for (j, version) in versions.iter().enumerate().rev() {
        let older = normalized(version);
        let back = equal_lines(&older, &newer);
        let mut alive = false;
        for (i, t) in track.iter_mut().enumerate() {
            let Some(p) = *t else { continue };
            *t = back.get(p).copied().flatten();
            if let Some(q) = *t {
                alive = true;
                out[i] = Some(Origin {
                    version: j,
                    line: u32::try_from(q + 1).unwrap_or(u32::MAX),
                });
            }
        }
        if !alive {
            break;
        }
        newer = older;
    }
    out
}

/// The file's lines with every whitespace byte taken out: re-indenting, re-spacing or changing
/// line endings is not writing. Bytes, not text: an unreadable version may not be UTF-8.
fn normalized(bytes: &[u8]) -> Vec<Vec<u8>> {
    lines(bytes)
        .map(|l| {
            l.iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect()
        })
        .collect()
}

/// The lines of a file, without the empty one after a final newline.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|b| *b == b'\n')
        .take(if bytes.is_empty() { 0 } else { usize::MAX })
}

/// For each line of `newer`, the line of `older` it is kept from, by a line diff.
fn equal_lines(older: &[Vec<u8>], newer: &[Vec<u8>]) -> Vec<Option<usize>> {
    let mut back = vec![None; newer.len()];
    for op in capture_diff_slices(Algorithm::Myers, older, newer) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for k in 0..len {
                if let Some(slot) = back.get_mut(new_index + k) {
                    *slot = Some(old_index + k);
                }
            }
        }
    }
    back
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(version: usize, line: u32) -> Option<Origin> {
        Some(Origin { version, line })
    }

    #[test]
    fn re_indented_lines_go_back_to_the_version_that_wrote_them() {
        let v0 = b"a: 1\n  b:\nc: 2\n";
        let v1 = b"a: 1\n  b:\nc: 2\nd: 3\n";
        let now = b"a: 1\nb:\n  c: 2\n  d: 3\ne: 4\n";
        let o = origins(&[v0, v1], now);
        assert_eq!(o, vec![at(0, 1), at(0, 2), at(0, 3), at(1, 4), None]);
    }

    #[test]
    fn a_line_removed_and_written_again_is_the_later_writers() {
        let v0 = b"x: 1\ny: 2\n";
        let v1 = b"x: 1\n";
        let v2 = b"x: 1\ny: 2\n";
        let o = origins(&[v0, v1, v2], b"x: 1\ny: 2\n");
        assert_eq!(o[..2], [at(0, 1), at(2, 2)]);
    }

    #[test]
    fn a_line_changed_by_the_readable_version_is_not_traced() {
        let o = origins(&[b"k: v\nprivileged: false\n"], b"k: v\nprivileged: true\n");
        assert_eq!(o[..2], [at(0, 1), None]);
    }

    #[test]
    fn too_long_or_no_versions_traces_nothing() {
        assert!(origins(&[], b"a\nb\n").iter().all(Option::is_none));
        let long = "x\n".repeat(MAX_LINES + 1);
        assert!(origins(&[long.as_bytes()], long.as_bytes())
            .iter()
            .all(Option::is_none));
        let many: Vec<&[u8]> = vec![b"a\n"; MAX_VERSIONS + 1];
        assert!(origins(&many, b"a\n").iter().all(Option::is_none));
    }

    #[test]
    fn invalid_utf8_is_compared_as_bytes() {
        let o = origins(&[b"\xff\xfe: 1\n"], b"  \xff\xfe: 1\n");
        assert_eq!(o[0], at(0, 1));
    }
}
