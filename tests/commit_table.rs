//! The commit table (`configtrail::evidence::attribution::Commits`) as a scan fills it: who and when kept
//! for every commit, the rest read again through `Recall` when a report names the commit. What
//! comes back must be what the scan read, and a commit that can no longer be read must say so
//! rather than come back empty or wrong.

mod common;

use common::Fixture;
use configtrail::evidence::attribution::Commits;
use configtrail::history::Repo;

const ANN: &str = "Ann <ann@example.com>";
const BOB: &str = "Bob <bob@example.com>";

/// A history with trailers, a long summary, a multi-line message and a merge.
fn history() -> (Fixture, Vec<String>) {
    let mut f = Fixture::new();
    let mut ids = Vec::new();
    f.write("main.tf", "# one\n");
    ids.push(f.commit(
        ANN,
        "Open the bastion\n\nBecause.\n\nSigned-off-by: Ann <ann@example.com>\nReviewed-by: Bob <bob@example.com>\nReviewed-by: Cy <cy@example.com>",
    ));
    f.git(&["checkout", "-q", "-b", "side"]);
    f.write("side.tf", "# side\n");
    ids.push(f.commit(BOB, &"a summary longer than most ".repeat(20)));
    f.git(&["checkout", "-q", "main"]);
    f.write("main.tf", "# two\n");
    ids.push(f.commit(ANN, "Second"));
    ids.push(f.merge(BOB, "side", None));
    (f, ids)
}

#[test]
fn a_named_commit_reads_back_what_the_scan_read() {
    let (f, ids) = history();
    let repo = Repo::open(&f.repo()).expect("open");
    let mut table = Commits::recalling(repo.recall());
    let mut read = Vec::new();
    for id in &ids {
        let c = repo.commit(id.parse().expect("id")).expect("commit");
        let info = repo.commit_info(&c);
        read.push((table.intern(info.clone()), info));
    }
    // Read back in another order than interned, twice (the second time from what was kept).
    for _ in 0..2 {
        for (i, info) in read.iter().rev() {
            assert_eq!(&table.info(*i), info);
        }
    }
    let (_, first) = &read[0];
    assert_eq!(first.summary, "Open the bastion");
    assert_eq!(first.trailers["Reviewed-by"].len(), 2);
    assert!(first.sum.is_some(), "the commit's bytes were hashed");
    assert_eq!(read[3].1.parents.len(), 2, "the merge has two parents");
    assert_eq!(table.sums().count(), ids.len());
}

#[test]
fn a_commit_that_cannot_be_read_again_says_so() {
    let (f, ids) = history();
    let repo = Repo::open(&f.repo()).expect("open");
    let mut table = Commits::recalling(repo.recall());
    let c = repo.commit(ids[2].parse().expect("id")).expect("commit");
    let info = repo.commit_info(&c);
    let i = table.intern(info.clone());
    drop(c);
    // The repository changes under the run: the commit's object goes (a fixture's objects are
    // loose files).
    let object = f
        .path()
        .join(".git/objects")
        .join(&ids[2][..2])
        .join(&ids[2][2..]);
    std::fs::remove_file(&object).expect("remove the object");
    let back = table.info(i);
    assert!(
        back.summary.contains("cannot be read again"),
        "{}",
        back.summary
    );
    // What the table keeps itself is still right.
    assert_eq!(
        (back.id, back.author, back.committer, back.sum),
        (info.id, info.author, info.committer, info.sum)
    );
}
