//! Scan: the fold over the landings of a ref.
//!
//! Takes an opened repository and a tip; the history stage walks its landings and reads them
//! ahead on its reader threads (`history::readers`), and the fold takes them oldest first and, per
//! landing, does snapshots → rules → timeline → causes → attribution for the units that landing
//! touched; gives a [`ScanResult`]: windows with their causes, widenings and remediations, blind
//! spots, anomalies, and the commit table they point into.
//!
//! State held between landings is the current resources and verdicts of each unit, the setting
//! blame of the current values, and the open windows: it grows with the size of the repository's
//! IaC, not with the length of its history.

use crate::engine::causes::{self, BlameStore, Blamed, SettingChange};
use crate::engine::snapshots::Snapshots;
use crate::engine::textblame;
use crate::engine::timeline::{
    self, BlindSpot, Cause, Held, Key, Origin, Transition, Widening, Window,
};
use crate::evidence::attribution::{self, Anomaly, Commits};
use crate::formats;
use crate::history::chain::BeforeSeed;
use crate::history::{objects, HistoryError, Repo};
use crate::model::{Location, SettingPath, Unit, Value};
use crate::rules::{self, Finding, Rule};
use git2::{Commit, Oid};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Everything a report is made from.
pub struct ScanResult {
    pub repository: String,
    pub reference: String,
    pub head: String,
    /// Commit-table index of each landing, oldest first.
    pub landings: Vec<usize>,
    pub commits: Commits,
    /// Boxed: a window is 704 bytes, and a growing list of them held up to twice their room
    /// (2.9 MB for 1.8 at 2,620 windows, heaptrack at the peak).
    #[allow(clippy::vec_box)]
    pub windows: Vec<Box<Window>>,
    pub blind_spots: Vec<BlindSpot>,
    pub anomalies: Vec<Anomaly>,
    pub rules: &'static [Rule],
    /// `--until` in seconds: the analysis ended there, and open windows are measured to it.
    pub until: Option<i64>,
    /// The commits and IaC blobs read.
    pub ledger: crate::history::Ledger,
    /// Every setting change of the watched resource: (unit identity, unit path, change).
    pub watched: Vec<(String, String, Blamed)>,
    /// Where the watched address is at the tip, one (unit, address, file) per object holding it:
    /// more than one when the address names several objects (several roots or targets, copies).
    pub watched_at_tip: Vec<(String, String, String)>,
    /// Unit directories where some file read had a suppression comment's marker: the only
    /// places a risk acceptance can be (see `acceptance`).
    pub suppression_units: BTreeSet<String>,
    /// The secrets the history holds, already redacted from everything above; kept to redact
    /// what is read for presentation later (diff excerpts).
    pub redactor: crate::redact::Redactor,
    /// Terraform directories at the tip as they were evaluated: each root (or library module)
    /// with the module directories it instantiates. Empty when no directory calls a module and
    /// none was evaluated as a library module (every directory is then a root of its own).
    pub terraform_roots: Vec<TerraformRoot>,
    /// Squash landings read through the pull request they landed (commit table index →
    /// number, head): a cause on such a landing whose commit is not the landing was found on
    /// `refs/pull/N/head`, which a plain clone does not have.
    pub pulled: BTreeMap<usize, (u64, Oid)>,
    /// How many pull-request heads (`refs/pull/N/head`) the repository keeps.
    pub pull_heads: usize,
}

/// A Terraform directory evaluated as a unit at the tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerraformRoot {
    pub dir: String,
    /// A root, or a library module (see [`crate::model::Unit::deploys`]).
    pub library: bool,
    /// The module directories evaluated into it.
    pub instantiates: Vec<String>,
}

impl ScanResult {
    /// What the analysis read, certified: the ledger's blobs and the commit table's commits.
    pub fn objects(&self) -> crate::history::Certificate {
        self.ledger.certificate(self.commits.sums())
    }

    /// The commit record of landing `landing` (decoded: see [`Commits`]).
    pub fn landing_commit(&self, landing: usize) -> crate::history::CommitInfo {
        self.commits.info(self.landings[landing])
    }
}

struct UnitState {
    id: String,
    unit: Arc<Unit>,
    held: BTreeMap<Key, Held>,
}

/// One write on a merged side: the commit that gave a setting its value, and where that commit
/// has it.
#[derive(Debug, Clone)]
struct SideWrite {
    dir: String,
    commit: usize,
    after: Option<Value>,
    at: Location,
    by_merge: bool,
    /// The address the commit wrote the value on, when the object was renamed on the side since.
    written_on: Option<String>,
}

/// Who a change is credited to (see [`Side::attribute`]).
struct Credit {
    commit: usize,
    /// Where that commit has the value, when not where the landing has it.
    cited_at: Option<Location>,
    /// A merge wrote the value itself.
    by_merge: bool,
    /// The address the value was written on, when the object was renamed since.
    written_on: Option<String>,
    /// The landing (index, commit-table index) through which the credited commit reached the
    /// ref, when it is not the landing being folded (a value kept from an object renamed here).
    landed: Option<(usize, usize)>,
}

/// What a merge landing's merged side tells the fold: who wrote each setting there, oldest write
/// first, by (address, path) so that an object moved between units on the side keeps its writer;
/// and, for every parent after the first, the units the merge changed relative to it, to tell a
/// value the merge took from a parent from one it wrote itself.
#[derive(Default)]
struct Side {
    writes: HashMap<(String, SettingPath), Vec<SideWrite>>,
    /// Per parent after the first: unit dir → that unit as the parent had it (only units the
    /// merge changed relative to that parent; any other unit it took from the parent whole).
    others: Vec<BTreeMap<String, Arc<Unit>>>,
    /// Where an object went on the side: (unit it arrived in, address; an empty address for a
    /// whole unit renamed) → the unit it left. A write is looked for where the object was.
    came_from: HashMap<(String, String), String>,
    /// (unit, address) pairs of side writes whose unit still holds that address at the merge:
    /// those writes are that unit's own object's, never another unit's.
    live: std::collections::HashSet<(String, String)>,
    /// Address → the units with a write to an object of that address on the side: where a copy
    /// made on the side may come from.
    dirs_of: HashMap<String, BTreeSet<String>>,
    /// The `came_from` entries that are copies found on the side (see `Side::copy_source`), not
    /// moves: an object created again where a copy once arrived is looked at as a copy again.
    copies: std::collections::HashSet<(String, String)>,
}

impl Side {
    /// The latest side write to `path` of `address` in unit `dir`.
    fn latest_in(&self, dir: &str, address: &str, path: &SettingPath) -> Option<&SideWrite> {
        self.writes
            .get(&(address.to_string(), path.clone()))?
            .iter()
            .rev()
            .find(|w| w.dir == dir)
    }

    /// The unit a Kubernetes object that a side commit created in `dir` was copied from: another
    /// unit whose object of the same identity, as the side last wrote it, had two thirds of its
    /// settings and at least [`MIN_SIDE_COPIED`] of them value for value (kubernetes/examples
    /// b3300b86 copied Pod/mysql from mysql-wordpress-pd/ into mysql-cinder-pd/, keeping its
    /// environment). Stricter than a copy on a landing, which is looked for in files the commit
    /// changed: on a side every unit of the identity is a candidate, and small unrelated objects
    /// of one name (two `Service/guestbook`) share half their settings.
    ///
    /// The source must have held the object before this commit (at least [`MIN_SIDE_COPIED`]
    /// of the shared values written by earlier side commits): two files one commit created with
    /// one object are two writes by that commit, each cited where it is. But a commit that
    /// edits an object and copies the edited version into a new file (kubernetes/examples
    /// 407a6061 tidied guestbook's `ReplicationController/frontend` and copied it into
    /// `all-in-one/`) made a copy: its edits count as shared, and are credited to it in both.
    ///
    /// `edited` gives, for a unit this commit changed that held the object before, the object
    /// as this commit left it there (its edits are not among the side's writes yet while the
    /// commit's units are read in turn).
    fn copy_source(
        &self,
        dir: &str,
        r: &crate::model::Resource,
        commit: usize,
        edited: &dyn Fn(&str) -> Option<Arc<Unit>>,
    ) -> Option<String> {
        let others = self.dirs_of.get(&r.address)?;
        // A name held in more folders than this is too common to say which one a new object
        // came from, and comparing with all of them would grow with the square of the history
        // (a generated repository with one name in thousands of files).
        if others.len() > MAX_SIDE_SOURCES {
            return None;
        }
        let leaves = r.body.leaves();
        let mut best: Option<(usize, &String)> = None;
        for d in others.iter().filter(|d| d.as_str() != dir) {
            let (mut shared, mut earlier) = (0, 0);
            if let Some(now) = edited(d) {
                // Held before this commit, which edited it: compared as the commit left it.
                if let Some(o) = now.resources.get(&r.address) {
                    let theirs: HashMap<SettingPath, &Value> =
                        o.body.leaves().into_iter().collect();
                    shared = leaves
                        .iter()
                        .filter(|(p, v)| theirs.get(p).is_some_and(|t| *t == *v))
                        .count();
                    earlier = shared;
                }
            } else {
                for (p, v) in &leaves {
                    if let Some(w) = self
                        .latest_in(d, &r.address, p)
                        .filter(|w| w.after.as_ref() == Some(*v))
                    {
                        shared += 1;
                        earlier += usize::from(w.commit != commit);
                    }
                }
            }
            if earlier >= MIN_SIDE_COPIED
                && shared * 3 >= leaves.len() * 2
                && best.is_none_or(|(n, _)| shared > n)
            {
                best = Some((shared, d));
            }
        }
        best.map(|(_, d)| d.clone())
    }

    /// The side commit that wrote `ch`'s value: in the same unit if there is one, else wherever
    /// the object was when it was written; the latest such write.
    fn writer(&self, dir: &str, ch: &SettingChange) -> Option<&SideWrite> {
        if self.writes.is_empty() {
            // Not a merge (or nothing written on its side): no key to build.
            return None;
        }
        let ws = self.writes.get(&(ch.address.clone(), ch.path.clone()))?;
        let same = |w: &&SideWrite| w.after == ch.after;
        // In this unit, else in the units the object came from on the side: never in another
        // unit that only happens to hold an object of the same identity (kubernetes/examples has
        // two unrelated `Service/guestbook`, both `LoadBalancer`).
        let mut at = dir.to_string();
        for _ in 0..64 {
            if let Some(w) = ws.iter().rev().filter(same).find(|w| w.dir == at) {
                return Some(w);
            }
            match self
                .came_from
                .get(&(at.clone(), ch.address.clone()))
                .or_else(|| self.came_from.get(&(at.clone(), String::new())))
            {
                Some(prev) => at = prev.clone(),
                None => break,
            }
        }
        // Moved in a way the side's own views did not pair (a rename of hundreds of files): a
        // write in a unit that no longer holds the object at the merge.
        ws.iter()
            .rev()
            .filter(same)
            .find(|w| !self.live.contains(&(w.dir.clone(), ch.address.clone())))
    }

    /// The side commit that wrote `ch`'s value in unit `dir` or where the object was before it
    /// came there (through `came_from`), and nowhere else: while the side is still being read,
    /// which units hold an object at the merge is not known, so no other unit's write may
    /// stand for it.
    fn traced(&self, dir: &str, ch: &SettingChange) -> Option<&SideWrite> {
        let ws = self.writes.get(&(ch.address.clone(), ch.path.clone()))?;
        let mut at = dir.to_string();
        for _ in 0..64 {
            if let Some(w) = ws.iter().rev().find(|w| w.after == ch.after && w.dir == at) {
                return Some(w);
            }
            at = self
                .came_from
                .get(&(at.clone(), ch.address.clone()))
                .or_else(|| self.came_from.get(&(at.clone(), String::new())))?
                .clone();
        }
        None
    }

    /// Who a change at the merge landing `landing` is credited to: the side commit that wrote it,
    /// else `earlier` (the writer the value had on an object this landing renamed), else the
    /// landing.
    fn attribute(
        &self,
        dir: &str,
        ch: &SettingChange,
        landing: usize,
        earlier: Option<&Blamed>,
    ) -> Credit {
        match (self.writer(dir, ch), earlier) {
            (Some(w), _) => Credit {
                commit: w.commit,
                cited_at: (w.at != ch.location).then(|| w.at.clone()),
                by_merge: w.by_merge,
                written_on: w.written_on.clone(),
                landed: None,
            },
            (None, Some(old)) => Credit {
                commit: old.commit,
                cited_at: Some(old.cited_location().clone()),
                by_merge: old.by_merge,
                // A copy keeps its address; a renamed object says what it was.
                written_on: old
                    .written_on
                    .clone()
                    .or_else(|| Some(old.change.address.clone()))
                    .filter(|a| *a != ch.address),
                landed: Some((old.landing, old.landing_commit)),
            },
            (None, None) => Credit {
                commit: landing,
                cited_at: None,
                by_merge: self.merge_wrote(dir, ch),
                written_on: None,
                landed: None,
            },
        }
    }

    /// Gives the side writes of each object renamed by a side commit (`from` → `to`) to its new
    /// address too, marked with the address they were written on.
    ///
    /// `moved` gives, for a renamed object that also changed units, (new address → the unit it
    /// left, the unit it arrived in): its writes are then held in the new unit, where the object
    /// is, so that a later copy of it finds them there (kubernetes/examples 63a42e3b turned
    /// `v1beta3/mysql.yaml`'s ReplicationController into `mysql.yaml`'s Pod, and b3300b86 copied
    /// that Pod). Each write still cites where it was written. The renaming commit's own
    /// removal of the old address is not carried: the object lives on under the new one.
    fn alias(
        &mut self,
        renames: &[(String, String)],
        moved: &HashMap<String, (String, String)>,
        commit: usize,
    ) {
        if renames.is_empty() {
            return;
        }
        // Each new address, with the pod frames when a workload was converted to another kind
        // (its pod's values are then held under another path).
        let to_of: HashMap<&str, (&str, Frames)> = renames
            .iter()
            .map(|(a, b)| (a.as_str(), (b.as_str(), reframing(kind_of(a), kind_of(b)))))
            .collect();
        let carried: Vec<((String, SettingPath), Vec<SideWrite>)> = self
            .writes
            .iter()
            .filter_map(|((a, p), ws)| {
                let (b, frames) = to_of.get(a.as_str())?;
                let p = match frames {
                    Some((w, n)) => reframe(p, w, n),
                    None => p.clone(),
                };
                let ws: Vec<SideWrite> = ws
                    .iter()
                    .filter(|w| !(w.commit == commit && w.after.is_none()))
                    .map(|w| SideWrite {
                        written_on: Some(w.written_on.clone().unwrap_or_else(|| a.clone())),
                        dir: match moved.get(*b) {
                            Some((from, to)) if *from == w.dir => to.clone(),
                            _ => w.dir.clone(),
                        },
                        ..w.clone()
                    })
                    .collect();
                (!ws.is_empty()).then(|| ((b.to_string(), p), ws))
            })
            .collect();
        for (k, mut ws) in carried {
            self.dirs_of
                .entry(k.0.clone())
                .or_default()
                .extend(ws.iter().map(|w| w.dir.clone()));
            let e = self.writes.entry(k).or_default();
            // Older than anything the renaming commit wrote on the new address.
            ws.append(e);
            *e = ws;
        }
    }

    /// Did the merge landing write `ch` itself: its value in none of the other parents?
    fn merge_wrote(&self, dir: &str, ch: &SettingChange) -> bool {
        !self.others.is_empty() && self.others.iter().all(|o| wrote_against(o, dir, ch))
    }
}

/// [`Engine::through_roots`] over the fold's call graph, the directories called, and its units.
fn roots_of(
    graph: &BTreeMap<String, Vec<String>>,
    called: &BTreeSet<String>,
    units: &BTreeMap<String, UnitState>,
    dirs: BTreeSet<String>,
) -> BTreeSet<String> {
    if graph.is_empty() && !dirs.iter().any(|d| formats::is_vendored(d)) {
        return dirs;
    }
    let mut out = BTreeSet::new();
    for d in dirs {
        if !called.contains(&d) && !formats::is_vendored(&d) {
            out.insert(d);
            continue;
        }
        out.extend(
            units
                .iter()
                .filter(|(_, st)| st.unit.reads.contains(&d))
                .map(|(r, _)| r.clone()),
        );
    }
    out
}

/// Side commits at least this many are read on two threads (see [`Engine::read_side`]).
const PARALLEL_SIDE_MIN: usize = 64;

/// Consecutive side commits a thread claims at a time.
const SIDE_CHUNK: usize = 16;

/// One commit of a merged side read against its parents: what the fold needs of it to credit
/// the values it wrote (see [`Engine::side_attribution`]).
struct SideRead {
    oid: Oid,
    /// Against the first parent, as [`parents_view`] compares.
    view: BTreeMap<String, (Arc<Unit>, Arc<Unit>)>,
    renames: Vec<(String, String)>,
    moves: Vec<((String, String), String)>,
    /// For a merge on the side, per other parent: the units of `view` it changed relative to
    /// that parent, as the parent had them, and the moves it made relative to it (read only
    /// when `view` is not empty).
    others: Vec<BTreeMap<String, Arc<Unit>>>,
    other_moves: Vec<((String, String), String)>,
}

/// Reads side commit `oid` against its parents; `None` when it or its tree cannot be read.
///
/// Against each other parent only the units of `view` are ever asked about, and one the merge
/// did not change relative to that parent has no entry (the merge took it whole): most side
/// merges (a pull request merged into its base) change nothing of `view` relative to the branch
/// they merge, so the parents' units are compared by their trees first and parsed only when one
/// of `view`'s differs. A side merge that moved what it took from another parent
/// (kubernetes/examples: a merge of the Kubernetes history renaming its 370 files into
/// `staging/`) says where each object was on that parent's line, where its writers are: those
/// moves join the side's, or the writer of an object so moved is not found by where it was and
/// another unit's object of the same identity is credited instead.
fn read_side_commit(
    repo: &Repo,
    snapshots: &mut Snapshots,
    roots: &dyn Fn(BTreeSet<String>) -> BTreeSet<String>,
    oid: Oid,
    wanted: &dyn Fn(&str) -> bool,
) -> Option<SideRead> {
    let c = repo.commit(oid).ok()?;
    let tree = repo.commit_tree(&c).ok()?;
    let parents: Vec<Option<Arc<crate::history::objects::Tree>>> = c
        .parent_ids()
        .map(|p| repo.tree_of(p).and_then(|t| repo.find_tree(t)))
        .collect();
    let first = parents.first().cloned().flatten();
    let (view, renames, moves) =
        parents_view(repo, snapshots, roots, first.as_deref(), &tree, wanted);
    let mut read = SideRead {
        oid,
        view,
        renames,
        moves,
        others: Vec::new(),
        other_moves: Vec::new(),
    };
    if read.view.is_empty() {
        return Some(read);
    }
    for p in parents.iter().skip(1) {
        let (dirs, _) = changed_units(repo, roots, p.as_deref(), &tree);
        if !dirs.iter().any(|d| read.view.contains_key(d)) {
            read.others.push(BTreeMap::new());
            continue;
        }
        let (theirs, _, moves) = parents_view(repo, snapshots, roots, p.as_deref(), &tree, wanted);
        read.other_moves.extend(moves);
        read.others
            .push(theirs.into_iter().map(|(d, (old, _))| (d, old)).collect());
    }
    Some(read)
}

/// The units that differ between `parent` and `tree` (those `wanted`), each as (the parent's
/// version, the tree's), compared as identity goes: a unit the commit renamed is compared with
/// its old path, and an object that moved into it from another unit the commit changed (a
/// manifest folded into another, a resource moved to another directory) with the object as it
/// was there, so only real edits are changes. An object renamed by the commit (see
/// [`rename_pairs`]) is compared with the object it was; those renames are returned, (old
/// address, new address), so that what was written on the old address is known on the new.
#[allow(clippy::type_complexity)]
fn parents_view(
    repo: &Repo,
    snapshots: &mut Snapshots,
    roots: &dyn Fn(BTreeSet<String>) -> BTreeSet<String>,
    parent: Option<&crate::history::objects::Tree>,
    tree: &crate::history::objects::Tree,
    wanted: &dyn Fn(&str) -> bool,
) -> (
    BTreeMap<String, (Arc<Unit>, Arc<Unit>)>,
    Vec<(String, String)>,
    Vec<((String, String), String)>,
) {
    let (dirs, renamed_from) = changed_units(repo, roots, parent, tree);
    let mut view: BTreeMap<String, (Arc<Unit>, Arc<Unit>)> = BTreeMap::new();
    for dir in &dirs {
        let new = snapshots.unit_at(repo, tree, dir);
        let mut old = match parent {
            Some(t) => snapshots.unit_at(repo, t, dir),
            None => Arc::new(Unit::default()),
        };
        if old.resources.is_empty() {
            if let (Some(src), Some(t)) = (renamed_from.get(dir), parent) {
                old = snapshots.unit_at(repo, t, src);
            }
        }
        view.insert(dir.clone(), (old, new));
    }
    // Objects that left one changed unit, as they were, for the units they arrived in.
    // Several units can lose an object of one identity in one commit (two unrelated
    // `Service/guestbook` moved by one reorganisation): each address keeps every candidate.
    let mut pool: BTreeMap<&str, Vec<(&str, &crate::model::Resource)>> = BTreeMap::new();
    for (dir, (old, new)) in &view {
        for (addr, r) in &old.resources {
            if !new.resources.contains_key(addr) {
                pool.entry(addr.as_str())
                    .or_default()
                    .push((dir.as_str(), r));
            }
        }
    }
    let mut arrived: BTreeMap<String, Vec<crate::model::Resource>> = BTreeMap::new();
    let mut came: Vec<((String, String), String)> = Vec::new();
    let mut strangers: Vec<(&str, &crate::model::Resource)> = Vec::new();
    for (dir, (old, new)) in &view {
        for (addr, res) in &new.resources {
            if old.resources.contains_key(addr) {
                continue;
            }
            // Of the departures of this identity, the one it is (identical first, then the
            // one whose path it keeps most of), if it is alike enough to be it at all.
            let pick = pool.get(addr.as_str()).and_then(|cands| {
                cands
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, r))| alike_enough(r, res))
                    .max_by_key(|(_, (d, r))| {
                        (
                            r.body == res.body,
                            common_suffix(d, dir),
                            std::cmp::Reverse(*d),
                        )
                    })
                    .map(|(i, _)| i)
            });
            match pick {
                Some(i) => {
                    let Some(cands) = pool.get_mut(addr.as_str()) else {
                        continue;
                    };
                    let (from, r) = cands.remove(i);
                    if from != dir.as_str() {
                        came.push(((dir.clone(), addr.clone()), from.to_string()));
                    }
                    arrived.entry(dir.clone()).or_default().push(r.clone());
                }
                None => strangers.push((dir.as_str(), res)),
            }
        }
    }
    // Arrivals no departure explains by address: renamed objects, compared with what they
    // were under their old address.
    let unclaimed: Vec<(&str, &crate::model::Resource)> =
        pool.values().flatten().copied().collect();
    let mut renames = Vec::new();
    let mut moves: Vec<((String, String), String)> = renamed_from
        .iter()
        .map(|(n, o)| ((n.clone(), String::new()), o.clone()))
        .collect();
    for (i, j) in rename_pairs(&unclaimed, &strangers) {
        let ((from, was), (dir, now)) = (unclaimed[i], strangers[j]);
        let mut r = reframed(was, &now.kind).unwrap_or_else(|| was.clone());
        r.address = now.address.clone();
        renames.push((was.address.clone(), now.address.clone()));
        if from != dir {
            moves.push(((dir.to_string(), now.address.clone()), from.to_string()));
        }
        arrived.entry(dir.to_string()).or_default().push(r);
    }
    moves.extend(came);
    for (dir, rs) in arrived {
        if let Some((old, _)) = view.get_mut(&dir) {
            let mut u = (**old).clone();
            for r in rs {
                u.resources.insert(r.address.clone(), r);
            }
            *old = Arc::new(u);
        }
    }
    view.retain(|d, _| wanted(d));
    (view, renames, moves)
}

/// The units that differ between `parent` and `tree` as [`parents_view`] compares
/// them (the roots that call a changed module included), with the old path of each unit a
/// rename moved: from the trees alone, nothing parsed.
fn changed_units(
    repo: &Repo,
    roots: &dyn Fn(BTreeSet<String>) -> BTreeSet<String>,
    parent: Option<&crate::history::objects::Tree>,
    tree: &crate::history::objects::Tree,
) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let changes = repo.changes(parent, Some(tree));
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    let mut renamed_from: BTreeMap<String, String> = BTreeMap::new();
    for f in &changes.files {
        let od = f.old_path.as_deref().map(formats::unit_of);
        let nd = f.new_path.as_deref().map(formats::unit_of);
        if let (Some(o), Some(n)) = (od, nd) {
            if o != n {
                renamed_from
                    .entry(n.to_string())
                    .or_insert_with(|| o.to_string());
            }
        }
        dirs.extend(od.into_iter().chain(nd).map(str::to_string));
    }
    (roots(dirs), renamed_from)
}

/// The pull request a squash names at the end of its summary, as GitHub writes it ("Fix the
/// policy (#123)").
fn pull_number(summary: &str) -> Option<u64> {
    let s = summary.trim_end().strip_suffix(')')?;
    let (_, n) = s.rsplit_once("(#")?;
    if n.is_empty() || n.len() > 12 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// What names one person across the identities a forge's history gives them: the email, the
/// name (case and spaces ignored), and the account name of a GitHub noreply address
/// (`8052337+kenthua@users.noreply.github.com`) or the local part of any other, which a
/// person's name often is (`kenthua <kenthua@google.com>`). Two identities sharing one are
/// taken for one person. Taking two people for one only keeps a squash credited as one commit,
/// as without pull-request refs; taking one person for two would read a pull request of one
/// author's commits to name the same author again, at many times the cost.
fn person_tokens(name: &str, email: &str) -> BTreeSet<String> {
    let email = email.trim().to_lowercase();
    let name: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut out = BTreeSet::new();
    if let Some((local, domain)) = email.split_once('@') {
        let login = match domain {
            "users.noreply.github.com" => local.rsplit_once('+').map_or(local, |(_, l)| l),
            _ => local,
        };
        if !login.is_empty() {
            out.insert(format!("login:{login}"));
        }
    }
    if !email.is_empty() {
        out.insert(format!("email:{email}"));
    }
    if !name.is_empty() {
        out.insert(format!("login:{name}"));
    }
    out
}

/// Commits a pull request's own history may have for its squash to be read through it: past
/// that, its head's history is not a branch of this one.
const PULL_COMMITS_MAX: usize = 2_000;

/// A Kubernetes object: its identity is (group, kind, namespace, name), whichever file holds it.
fn is_object(dir: &str, addr: &str) -> bool {
    formats::is_manifest_file(dir) && addr.contains('/')
}

/// The key of `Engine::copy_pairs`: the address and the two unit ids, the smaller first, so
/// either copy finds the pair.
fn copy_pair(address: &str, a: &str, b: &str) -> (String, String, String) {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    (address.to_string(), a.to_string(), b.to_string())
}

/// A Kubernetes object's name, the last part of its address (`Deployment/shop/api` → `api`).
fn object_name(addr: &str) -> &str {
    addr.rsplit('/').next().unwrap_or(addr)
}

/// How many trailing path components two paths share.
fn common_suffix(a: &str, b: &str) -> usize {
    a.rsplit('/')
        .zip(b.rsplit('/'))
        .take_while(|(x, y)| x == y)
        .count()
}

/// Is an object at `addr` in unit `dir` the same object wherever it moves? Kubernetes objects
/// between manifests, Terraform resources between directories; a CloudFormation logical id
/// belongs to its template.
fn carries(dir: &str, addr: &str) -> bool {
    is_object(dir, addr) || !formats::is_manifest_file(dir)
}

/// Is the Terraform unit `new` a copy of `old` by what they hold? Sharing half the addresses is
/// enough for resources written in the directory; module instances need nine in ten identical,
/// because two roots calling one module share every address by construction (terraform-aws-vpc's
/// examples all instantiate `module.vpc.aws_vpc.this`), while a root copied whole
/// (kubernetes-engine-samples d3ed6538 copied every sample into a category folder) is identical.
fn copies_of(new: &Unit, old: &Unit, renames: &Renames) -> bool {
    let was = |a: &str| old.resources.get(renamed_address(a, renames).as_ref());
    let shared = new.resources.keys().filter(|a| was(a).is_some()).count();
    if shared == 0 || shared * 2 < new.resources.len().min(old.resources.len()) {
        return false;
    }
    if !new.resources.keys().any(|a| a.starts_with("module.")) {
        return true;
    }
    let identical = new
        .resources
        .iter()
        .filter(|(a, r)| was(a).is_some_and(|o| o.body == r.body))
        .count();
    identical * 10 >= new.resources.len().max(old.resources.len()) * 9
}

/// Of the settings the Terraform unit `new`'s own files write (in `dir`: its module calls'
/// arguments, its own resources), how many `old` holds the same, and how many there are. A
/// root copied and then edited (kubernetes-engine-samples a45a93d4 made the Kafka sample's roots
/// from the Postgres sample's, module calls renamed, names and ranges changed, a service account
/// turned on) keeps most of what it writes, where two roots that only call one module write
/// their own arguments: for roots with module calls this is the evidence of a copy, and of
/// several originals the one that holds most of it is the one copied.
fn root_written(new: &Unit, dir: &str, old: &Unit, renames: &Renames) -> (usize, usize) {
    let (mut same, mut written) = (0, 0);
    for (a, r) in &new.resources {
        let olds = old
            .resources
            .get(renamed_address(a, renames).as_ref())
            .map(settings)
            .unwrap_or_default();
        for (p, v) in r.body.leaves() {
            if formats::terraform::dir_of(&r.location_of(&p).file) == dir {
                written += 1;
                same += usize::from(olds.get(&p) == Some(&v));
            }
        }
    }
    (same, written)
}

/// Settings a root's own files must write before an edited copy of it is recognised by them
/// (see [`root_written`]): below that, two small roots share their few arguments by chance.
const MIN_ROOT_WRITTEN: usize = 8;

/// The most landings walked back through a file's unreadable versions (see `text_origins`).
const MAX_TEXT_WALK: usize = 1024;

/// The most unreadable files looked at as the original of one created unreadable: each costs a
/// tree lookup, and a history can hold thousands of files nobody can parse (Helm templates).
const MAX_COPY_SOURCES: usize = 64;

/// Per line of a file (0-based), the landing and place its text was first written, when it was
/// written while the file could not be read.
type TextOrigins = Vec<Option<(usize, Location)>>;

/// Module calls of a Terraform root renamed in a copy: the copy's call name → the original's.
type Renames = BTreeMap<String, String>;

/// The module call an address is under (`module.db1.google_sql_database_instance.main` →
/// `db1`), or `None` for the root's own resources.
fn call_name(addr: &str) -> Option<&str> {
    let rest = addr.strip_prefix("module.")?;
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// `addr` of a copy as the original addressed it (see [`call_renames`]).
fn renamed_address<'a>(addr: &'a str, renames: &Renames) -> std::borrow::Cow<'a, str> {
    match call_name(addr).and_then(|n| Some((n, renames.get(n)?))) {
        Some((n, old)) => format!("module.{old}{}", &addr["module.".len() + n.len()..]).into(),
        None => addr.into(),
    }
}

/// The module calls a root renamed from `old` when it was copied from it (`ours`: the copy's
/// calls): a call only the copy has, paired with one only `old` has that instantiated the same resources (addresses
/// under the call), best pairs first (most addresses in common, then most settings), each
/// once. A root copied for another sample renames its calls (`gke-db1-autopilot` →
/// `gke_kafka_central`) and keeps what they instantiate.
fn call_renames(ours: &Calls<'_>, old: &Unit) -> Renames {
    let theirs = calls_of(old);
    let only_ours: Vec<_> = ours
        .iter()
        .filter(|(n, _)| !theirs.contains_key(*n))
        .collect();
    let only_theirs: Vec<_> = theirs
        .iter()
        .filter(|(n, _)| !ours.contains_key(*n))
        .collect();
    if only_ours.is_empty() || only_ours.len() * only_theirs.len() > MAX_CALL_PAIRS {
        return Renames::new();
    }
    let mut scored = Vec::new();
    for (i, (_, a)) in only_ours.iter().enumerate() {
        for (j, (_, b)) in only_theirs.iter().enumerate() {
            let shared: Vec<_> = a.iter().filter_map(|(s, r)| Some((r, b.get(s)?))).collect();
            // Half of the smaller: a copy may turn on what the original left off (a service
            // account, its bindings), which adds instances under the same call.
            if shared.len() * 2 < a.len().min(b.len()) {
                continue;
            }
            let same: usize = shared
                .iter()
                .map(|(x, y)| in_common(&settings(x), &settings(y)).0)
                .sum();
            scored.push((std::cmp::Reverse((shared.len(), same)), i, j));
        }
    }
    scored.sort();
    let (mut used_ours, mut used_theirs) = (BTreeSet::new(), BTreeSet::new());
    let mut out = Renames::new();
    for (_, i, j) in scored {
        if !used_ours.contains(&i) && !used_theirs.contains(&j) {
            used_ours.insert(i);
            used_theirs.insert(j);
            out.insert(only_ours[i].0.to_string(), only_theirs[j].0.to_string());
        }
    }
    out
}

/// A root's module calls: call name → what it instantiates, by address under the call.
type Calls<'a> = BTreeMap<&'a str, BTreeMap<&'a str, &'a crate::model::Resource>>;

fn calls_of(u: &Unit) -> Calls<'_> {
    let mut out = Calls::new();
    for (a, r) in &u.resources {
        if let Some(n) = call_name(a) {
            out.entry(n)
                .or_default()
                .insert(&a["module.".len() + n.len()..], r);
        }
    }
    out
}

/// Most pairs of renamed module calls weighed for one copy: a root with hundreds of calls is
/// generated, not copied by hand.
const MAX_CALL_PAIRS: usize = 64 * 64;

/// Objects that left and objects that arrived in one commit, paired where the arrival is the
/// departure under another identity: a Terraform resource renamed without a `moved` block, a
/// Kubernetes object whose namespace was dropped, whose kind was converted (PetSet to
/// StatefulSet; a Pod to a controller that runs its container from a template, compared by the
/// pods they run, see [`reframing`]) or whose name was changed. Terraform and the cluster see a new object, so its
/// windows are its own; but the values it kept were written by whoever wrote them on the old
/// object, as line blame would say, so they keep their writers (see `Engine::inherited`).
///
/// A pair must be the same kind of thing (a Terraform resource type, a CloudFormation type in
/// the same template; for Kubernetes, the same kind or the same name) and share at least half of
/// the larger one's settings, value for value. Best pairs are taken first, each object once;
/// the comparison is bounded so that a commit deleting and adding thousands of objects stays
/// linear in practice.
fn rename_pairs(
    leaving: &[(&str, &crate::model::Resource)],
    arriving: &[(&str, &crate::model::Resource)],
) -> Vec<(usize, usize)> {
    pair_objects(leaving, arriving, None)
}

/// [`rename_pairs`], or with `copies` (the units the commit changed) the pairs of an object still
/// held (`leaving` then holds objects that stay) and one that arrived as its copy with edits. A
/// copy under its original's name may come from anywhere; one under a new name only from a file
/// the same commit changed, as `git blame -C` looks (small objects such as Services share half
/// their settings with unrelated ones), and then half its settings in common are enough
/// (kubernetes/examples e4cc298 made DaemonSet/newrelic-infra-agent from DaemonSet/newrelic-agent,
/// rewriting half its lines and keeping `hostIPC` and `hostNetwork`).
fn pair_objects(
    leaving: &[(&str, &crate::model::Resource)],
    arriving: &[(&str, &crate::model::Resource)],
    copies: Option<&BTreeSet<&str>>,
) -> Vec<(usize, usize)> {
    const MAX_COMPARISONS: usize = 20_000;
    if leaving.is_empty() || arriving.is_empty() {
        return Vec::new();
    }
    let name = object_name;
    let alike = |(da, a): (&str, &crate::model::Resource),
                 (db, b): (&str, &crate::model::Resource)| {
        let (ka, kb) = (is_object(da, &a.address), is_object(db, &b.address));
        match (ka, kb) {
            (true, true) => a.kind == b.kind || name(&a.address) == name(&b.address),
            (false, false) => {
                a.kind == b.kind
                    && (formats::is_manifest_file(da) == formats::is_manifest_file(db))
                    && (!formats::is_manifest_file(da) || da == db)
            }
            _ => false,
        }
    };
    // A Terraform or CloudFormation type with exactly one resource leaving and one arriving in a
    // unit is a rename even when it changed more than it kept (terragoat f9d1b83 renamed a cluster
    // and, with it, the name and the references to its renamed subnets): one value in common is
    // enough there.
    let mut alone: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
    for (d, r) in leaving.iter().filter(|(d, r)| !is_object(d, &r.address)) {
        alone.entry((d, r.kind.as_str())).or_default().0 += 1;
    }
    for (d, r) in arriving.iter().filter(|(d, r)| !is_object(d, &r.address)) {
        alone.entry((d, r.kind.as_str())).or_default().1 += 1;
    }
    let mut cache: HashMap<usize, BTreeMap<SettingPath, &Value>> = HashMap::new();
    // The same settings with container, volume and env names left out, for copies (see
    // [`copied`]); made only when the paths alone do not decide.
    let mut unnamed_cache: HashMap<usize, Shape> = HashMap::new();
    let mut scored: Vec<(usize, usize, usize)> = Vec::new();
    let mut budget = MAX_COMPARISONS;
    for (j, b) in arriving.iter().enumerate() {
        let lb = settings(b.1);
        let mut unnamed_b: Option<Shape> = None;
        for (i, a) in leaving.iter().enumerate() {
            if !alike(*a, *b) {
                continue;
            }
            if budget == 0 {
                break;
            }
            budget -= 1;
            // A workload converted to another kind is compared by the pods they run, in the new
            // kind's frame: a controller's replicas, selector and template labels have no place
            // in a Pod. Only for renames: a copy is looked for under its own kind, and another
            // kind under the same name would outscore its original (kubernetes/examples'
            // `Pod/mysql` copies).
            let converted = reframing(&a.1.kind, &b.1.kind)
                .filter(|_| copies.is_none())
                .map(|(w, n)| converted_share(a.1, &lb, (&w, &n)));
            let la = cache.entry(i).or_insert_with(|| settings(a.1));
            let (shared, most) = converted.unwrap_or_else(|| in_common(la, &lb));
            let enough = if is_object(a.0, &a.1.address) {
                // A new name is a new object unless it kept two thirds (kubernetes/examples
                // ca846d7f rewrote Service/wpfrontend as Service/wordpress: not a rename).
                let same_name = name(&a.1.address) == name(&b.1.address);
                match copies {
                    _ if same_name => shared * 2 >= most,
                    Some(touched) if touched.contains(a.0) => {
                        shared * 2 >= most || {
                            let sa = unnamed_cache.entry(i).or_insert_with(|| shape(a.1));
                            copied(sa, unnamed_b.get_or_insert_with(|| shape(b.1)))
                                || copied_renamed(sa, b.1, name(&a.1.address))
                        }
                    }
                    // A copy from afar is named after its original (`existing-mysql` →
                    // `existing-mysql-a`), and nine in ten of the larger one's settings cannot be
                    // shared by a smaller one under nine tenths of its size: no shapes made for
                    // the rest.
                    Some(_) if !named_after(name(&a.1.address), name(&b.1.address)) => false,
                    Some(_) if la.len().min(lb.len()) * 10 < most * 9 => false,
                    Some(_) => {
                        let sa = unnamed_cache.entry(i).or_insert_with(|| shape(a.1));
                        let sb = unnamed_b.get_or_insert_with(|| shape(b.1));
                        copied_from_afar(sa, (b.1, sb), name(&a.1.address))
                    }
                    None => shared * 3 >= most * 2,
                }
            } else {
                shared * 2 >= most
                    || (a.0 == b.0 && alone.get(&(a.0, a.1.kind.as_str())) == Some(&(1, 1)))
            };
            if shared > 0 && enough {
                scored.push((shared, i, j));
            }
        }
    }
    scored.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut used_a, mut used_b) = (BTreeSet::new(), BTreeSet::new());
    let mut out = Vec::new();
    for (_, i, j) in scored {
        if !used_a.contains(&i) && !used_b.contains(&j) {
            used_a.insert(i);
            used_b.insert(j);
            out.push((i, j));
        }
    }
    out.sort_unstable();
    out
}

/// A resource's leaf settings with the names of containers, volumes and env vars left out of
/// their paths (see [`formats::kubernetes::unnamed`]), counted: two containers may now share a
/// path.
type Shape<'r> = BTreeMap<(SettingPath, &'r Value), usize>;

fn shape(r: &crate::model::Resource) -> Shape<'_> {
    let mut m = BTreeMap::new();
    for (p, v) in r.body.leaves() {
        *m.entry((formats::kubernetes::unnamed(&p), v)).or_insert(0) += 1;
    }
    m
}

/// Is an object of another name, from a file the same commit changed, a copy with edits of one
/// there, where by path they share under half of the larger one's settings? Counted with the
/// names of containers, volumes and env vars left out of the paths, half and at least
/// [`MIN_COPIED`] must be the same: a copy that renamed its container (kubernetes-engine-samples
/// aebcc290 made Deployment/myapp from Deployment/wordpress, its container `web` now `app`)
/// moved every setting of that container to another path, and the values it kept (the proxy
/// container, the volumes) are still the original's writers'.
fn copied(a: &Shape, b: &Shape) -> bool {
    let (shared, most) = shape_share(a, b);
    shared >= MIN_COPIED && shared * 2 >= most
}

/// How many settings two shapes share, counted, and how many the larger one has.
fn shape_share(a: &Shape, b: &Shape) -> (usize, usize) {
    let count = |m: &Shape| m.values().sum::<usize>();
    let shared: usize = b
        .iter()
        .map(|(k, n)| (*n).min(a.get(k).copied().unwrap_or(0)))
        .sum();
    (shared, count(a).max(count(b)))
}

/// Is `b`, an object of another name from a file the same commit changed, a copy of the one
/// whose shape is `a`, named `a_name`, that carried its new name into its values? A copy under a
/// new name usually renames everything named after the object (labels, selectors, its container,
/// the service account and config map it reads): kubernetes-engine-samples f0f63c71 made
/// Deployment/whereami-grpc from Deployment/whereami so, sharing 19 of 41 settings as written and
/// 29 with `whereami-grpc` read as `whereami`. Read so, two thirds and at least [`MIN_COPIED`]
/// must be the same, stricter than [`copied`]: the renaming makes unrelated objects of one
/// pattern alike too (their names in the same places).
fn copied_renamed(a: &Shape, b: &crate::model::Resource, a_name: &str) -> bool {
    renamed_share(a, b, a_name)
        .is_some_and(|(shared, most)| shared >= MIN_COPIED && shared * 3 >= most * 2)
}

/// Is `b`, an object of another name arriving in a commit that did not change the file of the
/// object whose shape is `a`, a copy of it? As `git blame -C -C -C` looks at every file, but
/// stricter: nine in ten of the larger one's settings and at least [`MIN_COPIED_FAR`] the same,
/// with `b`'s name read as `a_name` (kubernetes-engine-samples a1c9e85c made
/// Deployment/existing-mysql-a from the untouched Deployment/existing-mysql of another sample,
/// changing names only, and kept its literal passwords). Objects of one template that were
/// each written with their own values stay apart.
fn copied_from_afar(a: &Shape, (b, sb): (&crate::model::Resource, &Shape), a_name: &str) -> bool {
    let plain = shape_share(a, sb);
    let (shared, most) = match renamed_share(a, b, a_name) {
        Some(r) if r.0 > plain.0 => r,
        _ => plain,
    };
    shared >= MIN_COPIED_FAR && shared * 10 >= most * 9
}

/// Is one of two object names the other with something added (`whereami` and `whereami-grpc`)?
/// Names under four characters are too common to say.
fn named_after(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 4 && short != long && long.contains(short)
}

/// The fewest settings a copy from a file its commit did not change must share (see
/// [`copied_from_afar`]).
const MIN_COPIED_FAR: usize = 16;

/// How many settings `b` shares with the shape `a` when `b`'s own name in its values is read as
/// `a_name`, and how many the larger one has; `None` when the name is nowhere in `b`'s values.
fn renamed_share(a: &Shape, b: &crate::model::Resource, a_name: &str) -> Option<(usize, usize)> {
    let b_name = object_name(&b.address);
    if b_name.len() < 3 || b_name == a_name {
        return None;
    }
    let mut renamed: BTreeMap<(SettingPath, Value), usize> = BTreeMap::new();
    let mut any = false;
    for (p, v) in b.body.leaves() {
        let v = match renamed_value(v, b_name, a_name) {
            Some(r) => {
                any = true;
                r
            }
            None => v.clone(),
        };
        *renamed
            .entry((formats::kubernetes::unnamed(&p), v))
            .or_insert(0) += 1;
    }
    if !any {
        return None;
    }
    let shared: usize = renamed
        .iter()
        .map(|((p, v), n)| (*n).min(a.get(&(p.clone(), v)).copied().unwrap_or(0)))
        .sum();
    let most = a.values().sum::<usize>().max(renamed.values().sum());
    Some((shared, most))
}

/// `v` with `from` read as `to` in its strings, if it holds `from` at all.
fn renamed_value(v: &Value, from: &str, to: &str) -> Option<Value> {
    match v {
        Value::String(s) if s.contains(from) => Some(Value::String(s.replace(from, to))),
        Value::List(items) => {
            let mut changed = false;
            let out = items
                .iter()
                .map(|i| match renamed_value(i, from, to) {
                    Some(r) => {
                        changed = true;
                        r
                    }
                    None => i.clone(),
                })
                .collect();
            changed.then_some(Value::List(out))
        }
        _ => None,
    }
}

/// The fewest settings a copy made on a merged side must share with its source (see
/// `Side::copy_source`).
const MIN_SIDE_COPIED: usize = 5;

/// The most folders holding one identity on a merged side among which a copy's source is looked
/// for (see `Side::copy_source`).
const MAX_SIDE_SOURCES: usize = 32;

/// The fewest settings a copy with renamed containers must share with its original (see
/// [`copied`]): small objects share half their settings with unrelated ones.
const MIN_COPIED: usize = 8;

/// Do two resources under one identity in two places look like one object that moved: at least
/// half of the larger one's settings the same, value for value? Two files can define the same
/// Kubernetes identity with nothing else in common (kubernetes/examples has two
/// `Service/guestbook`, in unrelated examples): one leaving while the other arrives is not a
/// move, and the values of the one that arrived are its own file's.
fn alike_enough(a: &crate::model::Resource, b: &crate::model::Resource) -> bool {
    if a.body == b.body {
        return true;
    }
    let (shared, most) = in_common(&settings(a), &settings(b));
    shared * 2 >= most
}

/// A resource's leaf settings by path, borrowed.
fn settings(r: &crate::model::Resource) -> BTreeMap<SettingPath, &Value> {
    r.body.leaves().into_iter().collect()
}

/// How many settings two resources share value for value, and how many the larger one has: the
/// measure every identity pairing here goes by.
fn in_common(
    a: &BTreeMap<SettingPath, &Value>,
    b: &BTreeMap<SettingPath, &Value>,
) -> (usize, usize) {
    let shared = b.iter().filter(|(p, v)| a.get(*p) == Some(*v)).count();
    (shared, a.len().max(b.len()))
}

/// The kind part of a Kubernetes address (`Deployment` of `Deployment/shop/api`).
fn kind_of(address: &str) -> &str {
    address.split('/').next().unwrap_or_default()
}

/// Where a Kubernetes workload kind keeps the pod it runs: a Pod's is its `spec`, a controller's
/// its template's.
fn pod_frame(kind: &str) -> Option<SettingPath> {
    let segments: &[&str] = match kind {
        "Pod" => &["spec"],
        "ReplicationController"
        | "ReplicaSet"
        | "Deployment"
        | "DaemonSet"
        | "StatefulSet"
        | "PetSet"
        | "Job" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    };
    Some(segments.iter().fold(SettingPath::root(), |p, s| p.key(s)))
}

/// The pod frames `(was, now)` of a workload converted to another kind, if they differ.
type Frames = Option<(SettingPath, SettingPath)>;

/// The pod frames `(was, now)` of an object converted from one workload kind to another that
/// keeps its pod elsewhere: kubernetes/examples f30c03dd wrapped `Pod/nfs-server`'s container
/// into a ReplicationController's template, so every value it kept has another path. `None` when
/// the frames are the same (a ReplicationController turned into a Deployment) or either kind
/// runs no pod.
fn reframing(was_kind: &str, now_kind: &str) -> Frames {
    let (w, n) = (pod_frame(was_kind)?, pod_frame(now_kind)?);
    (w != n).then_some((w, n))
}

/// How many settings of the pod a workload of another kind runs (`was`, its pod at `from`) the
/// arriving `now` (settings `lb`, its pod at `to`) runs too, and how many the larger pod has.
fn converted_share(
    was: &crate::model::Resource,
    lb: &BTreeMap<SettingPath, &Value>,
    (from, to): (&SettingPath, &SettingPath),
) -> (usize, usize) {
    let la: BTreeMap<SettingPath, &Value> = was
        .body
        .leaves()
        .into_iter()
        .filter(|(p, _)| p.starts_with(from))
        .map(|(p, v)| (reframe(&p, from, to), v))
        .collect();
    let lb: BTreeMap<SettingPath, &Value> = lb
        .iter()
        .filter(|(p, _)| p.starts_with(to))
        .map(|(p, v)| (p.clone(), *v))
        .collect();
    in_common(&la, &lb)
}

/// `p` with its prefix `from` replaced by `to` (unchanged when it is not under `from`).
fn reframe(p: &SettingPath, from: &SettingPath, to: &SettingPath) -> SettingPath {
    if p.starts_with(from) {
        let mut out = to.clone();
        out.0.extend(p.0[from.0.len()..].iter().cloned());
        out
    } else {
        p.clone()
    }
}

/// `was` as an object of `now_kind` would hold it: its pod spec moved to where that kind keeps
/// it, with the lines it was written on. `None` when no conversion moves it.
fn reframed(was: &crate::model::Resource, now_kind: &str) -> Option<crate::model::Resource> {
    let (from, to) = reframing(&was.kind, now_kind)?;
    let pod = was.get(&from)?.clone();
    let mut r = was.clone();
    r.body.set_path(&from, None);
    r.body.set_path(&to, Some(pod));
    r.locations = was
        .locations
        .iter()
        .map(|(p, l)| (reframe(p, &from, &to), l.clone()))
        .collect();
    Some(r)
}

/// What an object renamed or copied with edits in this landing owes the object it came from.
struct Inherited {
    /// The unit and the address it came from.
    from: Origin,
    /// The blame each value it kept had there.
    kept: BTreeMap<SettingPath, Arc<Blamed>>,
}

impl Inherited {
    /// What `now` owes `was`, held in unit `uid` at `unit_path`: the blame there of every value
    /// `now` kept (and of `was` itself, for the new object's creation).
    fn from(
        blame: &BlameStore,
        (uid, unit_path): (&str, &str),
        was: &crate::model::Resource,
        now: &crate::model::Resource,
    ) -> Inherited {
        Inherited {
            from: Origin {
                unit_id: uid.to_string(),
                unit_path: unit_path.to_string(),
                address: was.address.clone(),
            },
            kept: kept_blame(blame, uid, was, now),
        }
    }
}

/// The blame, in unit `uid`, of every value `now` kept from `was` (and of `was` itself, for the
/// new object's creation): what an object renamed or copied with edits owes its old writers.
fn kept_blame(
    blame: &BlameStore,
    uid: &str,
    was: &crate::model::Resource,
    now: &crate::model::Resource,
) -> BTreeMap<SettingPath, Arc<Blamed>> {
    let mut kept = BTreeMap::new();
    let root = SettingPath::root();
    if let Some(b) = blame.lookup(uid, &was.address, &root) {
        kept.insert(root, Arc::clone(b));
    }
    // A workload converted to another kind kept its pod's values under another path.
    let frames = reframing(&was.kind, &now.kind);
    for (p, v) in now.body.leaves() {
        let q = match &frames {
            Some((w, n)) => reframe(&p, n, w),
            None => p.clone(),
        };
        if was.get(&q) == Some(v) {
            if let Some(b) = blame.lookup(uid, &was.address, &q) {
                kept.insert(p, Arc::clone(b));
            }
        }
    }
    kept
}

/// Against one parent's changed units: the value of `ch` (in `dir`) is not the parent's. A unit
/// the merge did not change relative to the parent is the parent's whole, value included.
fn wrote_against(old: &BTreeMap<String, Arc<Unit>>, dir: &str, ch: &SettingChange) -> bool {
    match old.get(dir) {
        None => false,
        Some(u) => !causes::holds(u, ch),
    }
}

pub struct Engine<'r> {
    /// The secrets seen in any setting (see [`crate::redact`]), redacted from the result.
    secrets: crate::redact::Redactor,
    /// Terraform directories evaluated as units, as each was last folded: a root or a library
    /// module, and what it instantiates (kept for roots with no resource, such as a wrapper
    /// whose `for_each` is empty).
    tf_roots: BTreeMap<String, TerraformRoot>,
    /// Terraform directories → the local module directories each calls (those that call any):
    /// which directories are roots, evaluated as units, and which are evaluated only through
    /// their callers.
    graph: BTreeMap<String, Vec<String>>,
    /// The directories `graph` makes callees (evaluated only through their callers), worked out
    /// again only when `graph` changes: every landing of a history with module calls asks.
    callees: Arc<BTreeSet<String>>,
    repo: &'r Repo,
    rules: &'static [Rule],
    snapshots: Snapshots,
    commits: Commits,
    landings: Vec<usize>,
    units: BTreeMap<String, UnitState>,
    /// Identities of live units that a rename carried away from the path they are named by. A
    /// unit that then appears at that path is another unit and needs another identity: sharing
    /// it would let the newcomer (even the empty one a rename leaves at the old path, when the
    /// new path sorts first, `ai/` → `AI/`) move the windows and blind spots of the renamed unit.
    displaced: BTreeSet<String>,
    blame: BlameStore,
    #[allow(clippy::vec_box)] // See `ScanResult::windows`.
    windows: Vec<Box<Window>>,
    open: BTreeMap<(String, &'static str, String), usize>,
    blind: Vec<BlindSpot>,
    open_blind: BTreeMap<(String, String, String), usize>,
    side_examined: Vec<usize>,
    /// Set while evaluating the starting snapshot of a review: windows found then are baseline.
    seeding: bool,
    /// The starting commit of a review (landing 0): settings blamed on it were written earlier,
    /// and are traced back on demand.
    seed: Option<Oid>,
    /// Those traces, by (unit, address, path): each is done once.
    traced: HashMap<(String, String, SettingPath), Option<Blamed>>,
    /// The history before the seed, walked once and shared by every trace.
    before_seed: BeforeSeed,
    watch: Option<String>,
    watched: Vec<(String, String, Blamed)>,
    /// Problems of the whole history (no unit, no landing of their own), such as a `.mailmap`
    /// that could not be applied: blind spots from the first landing to the tip.
    history_blind: Vec<String>,
    /// Windows held by more than one copy of their object (window → how many open keys name
    /// it). Only copies are here; almost every window has one holder and no entry.
    holders: HashMap<usize, usize>,
    /// This landing's changes of finding on windows with several holders, to tell copies that
    /// changed together from copies that disagree.
    copy_events: BTreeMap<usize, Vec<Finding>>,
    /// Windows of Kubernetes objects opened in this landing, to tell at its end whether a copy
    /// of the object in another file has a window of the same rule open (see `settle_twins`).
    opened_objects: Vec<usize>,
    /// Copies with edits under one identity, as (address, unit id, unit id), the smaller unit
    /// id first: an object copied into another file with changes, both copies kept.
    copy_pairs: BTreeSet<(String, String, String)>,
    /// Kubernetes object address → the manifest units holding it now: where a copy comes from.
    objects: HashMap<String, BTreeSet<String>>,
    /// For this landing only: objects it renamed (see [`rename_pairs`]), by (unit dir, new
    /// address), with the blame each value they kept had on the old object.
    inherited: HashMap<(String, String), Inherited>,
    /// Terraform resources removed from the configuration with `destroy = false`, by (unit
    /// identity, address), with the blind spot that says so: Terraform forgot them and left them
    /// in the cloud as they were, so they are held as last written until the code names them
    /// again.
    forgotten: BTreeMap<(String, String), usize>,
    /// Heads of the pull requests the repository keeps (`refs/pull/N/head`), by number.
    pulls: BTreeMap<u64, Oid>,
    /// Squash landings read through their pull request (see [`Engine::pull_head`]): commit
    /// table index → (number, head).
    pulled: BTreeMap<usize, (u64, Oid)>,
}

/// The setting changes of one landing in one unit, indexed by the address and the kind of what
/// they change, so that what each opening or closing window asks of them costs what concerns
/// it, not the whole landing (one commit can open thousands of windows in one file).
struct Landed<'a> {
    all: &'a [Arc<Blamed>],
    /// Positions in `all`, ascending.
    by_address: BTreeMap<&'a str, Vec<usize>>,
    by_kind: BTreeMap<&'a str, Vec<usize>>,
    /// Changes to an address neither unit holds (nothing can have read it by kind).
    kindless: Vec<usize>,
}

impl<'a> Landed<'a> {
    fn new(all: &'a [Arc<Blamed>], now: &'a Unit, before: &'a Unit) -> Landed<'a> {
        let mut l = Landed {
            all,
            by_address: BTreeMap::new(),
            by_kind: BTreeMap::new(),
            kindless: Vec::new(),
        };
        for (i, b) in all.iter().enumerate() {
            let address = b.change.address.as_str();
            l.by_address.entry(address).or_default().push(i);
            match now
                .resources
                .get(address)
                .or_else(|| before.resources.get(address))
            {
                Some(r) => l.by_kind.entry(r.kind.as_str()).or_default().push(i),
                None => l.kindless.push(i),
            }
        }
        l
    }

    /// The changes to `address`, in landing order.
    fn at<'s>(&'s self, address: &str) -> impl Iterator<Item = &'a Arc<Blamed>> + 's {
        self.by_address
            .get(address)
            .into_iter()
            .flatten()
            .map(|&i| &self.all[i])
    }

    /// The changes a check that read `reads` while judging `primary` may depend on, in landing
    /// order: to `primary`, to an address it looked up, to a resource of a kind it listed.
    fn read_by(&self, reads: &rules::Reads, primary: &str) -> Vec<&'a Arc<Blamed>> {
        if reads.all {
            return self.all.iter().collect();
        }
        let mut picked: Vec<usize> = self.kindless.clone();
        for a in std::iter::once(primary).chain(reads.addresses.iter().map(String::as_str)) {
            picked.extend(self.by_address.get(a).into_iter().flatten());
        }
        for k in &reads.kinds {
            picked.extend(self.by_kind.get(k.as_str()).into_iter().flatten());
        }
        picked.sort_unstable();
        picked.dedup();
        picked.into_iter().map(|i| &self.all[i]).collect()
    }
}

/// Where a scan walks: the tip (default: what `reference` resolves to) and where it stops.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// Record every setting change of this resource address (and its instances): `history`.
    pub watch: Option<String>,
    /// Scan from this commit while naming it `reference` (`verify` replays a recorded head).
    pub tip: Option<Oid>,
    /// Stop before the first landing committed after this time (seconds since the epoch).
    pub until: Option<i64>,
    /// How secrets seen in settings are kept out of the result (see [`crate::redact`]).
    pub redaction: crate::redact::Options,
}

/// Scans the history of `reference`.
pub fn scan(repo: &mut Repo, reference: &str) -> Result<ScanResult, HistoryError> {
    scan_with(repo, reference, Walk::default())
}

/// Scans the history of `reference` as `walk` says.
pub fn scan_with(repo: &mut Repo, reference: &str, walk: Walk) -> Result<ScanResult, HistoryError> {
    let tip = match walk.tip {
        Some(t) => t,
        None => repo.resolve(reference)?,
    };
    let mailmap_problem = repo.load_mailmap(tip);
    let (mut landings, truncation) = repo.landings(tip, None);
    if let Some(until) = walk.until {
        // The analysis ends at --until: landings are taken oldest first up to the first one
        // committed after it (a later landing dated earlier is an anomaly, not a reason to go on).
        let keep = landings
            .iter()
            .position(|&oid| {
                repo.commit(oid)
                    .map_or(true, |c| c.committer().when().seconds() > until)
            })
            .unwrap_or(landings.len());
        let first = landings.first().map(|&oid| {
            let at = repo
                .commit(oid)
                .map(|c| {
                    let w = c.committer().when();
                    crate::history::rfc3339(w.seconds(), w.offset_minutes())
                })
                .unwrap_or_default();
            format!(" (the first, {oid}, was committed at {at})")
        });
        landings.truncate(keep);
        if landings.is_empty() {
            return Err(HistoryError::Git {
                repo: repo.given.clone(),
                reason: format!(
                    "no landing of {reference} was committed before --until{}",
                    first.unwrap_or_default()
                ),
            });
        }
    }
    if landings.is_empty() {
        return Err(HistoryError::Git {
            repo: repo.given.clone(),
            reason: format!(
                "the tip {tip} of {reference} cannot be read{}",
                truncation
                    .map(|t| format!(": {}", t.reason))
                    .unwrap_or_default()
            ),
        });
    }
    let mut engine = Engine::new(repo, rules::registry(), walk.redaction.clone());
    engine.watch = walk.watch.clone();
    if let Some(p) = mailmap_problem {
        engine.history_blind_spot(p);
    }
    // A record per landing, and some for merged sides' commits.
    engine.commits.reserve(landings.len() + landings.len() / 8);
    engine.landings.reserve_exact(landings.len());
    if let Some(t) = truncation {
        engine.blind.push(BlindSpot {
            from: 0,
            unit: String::new(),
            file: String::new(),
            to: Some(0),
            reason: format!(
                "history before landing {} cannot be read: {}; settings present at that landing are \
                 attributed to it but may be older",
                t.oldest, t.reason
            ),
        });
    }
    let progress = crate::progress::bar(landings.len() as u64);
    // Reading runs on reader threads ahead of the fold (see `history::readers`); each reader
    // keeps its own snapshots, whose suppression marks are the scan's too.
    let setup = |r: &mut Repo| {
        // The same mailmap as the main handle's, which reports any problem.
        let _ = r.load_mailmap(tip);
    };
    let hint = ReadsHint::default();
    let rules = engine.rules;
    let read =
        |r: &Repo, snapshots: &mut Snapshots, oid: Oid| prepare(r, snapshots, &hint, rules, oid);
    let mut folded = 0usize;
    let ahead =
        crate::history::readers::read_ahead(repo, landings, &setup, &read, &mut |prepared| {
            engine.apply(prepared);
            progress.inc(1);
            folded += 1;
            if folded.is_multiple_of(64) && !progress.is_hidden() {
                progress.set_message(engine.reached());
            }
        });
    // Sequentially: short histories, or whatever the readers could not do.
    for oid in ahead.rest {
        engine.step(oid);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let mut result = engine.finish(reference, tip);
    for snapshots in ahead.readers {
        result.suppression_units.extend(snapshots.marked);
    }
    result.until = walk.until;
    Ok(result)
}

impl<'r> Engine<'r> {
    /// Notes a problem of the whole history, reported as a blind spot from the first landing on.
    pub fn history_blind_spot(&mut self, reason: String) {
        self.history_blind.push(reason);
    }

    pub fn new(repo: &'r Repo, rules: &'static [Rule], redaction: crate::redact::Options) -> Self {
        Engine {
            secrets: crate::redact::Redactor::with(redaction),
            tf_roots: BTreeMap::new(),
            graph: BTreeMap::new(),
            callees: Arc::new(BTreeSet::new()),
            repo,
            rules,
            snapshots: Snapshots::default(),
            commits: Commits::recalling(repo.recall()),
            landings: Vec::new(),
            units: BTreeMap::new(),
            displaced: BTreeSet::new(),
            blame: BlameStore::default(),
            windows: Vec::new(),
            open: BTreeMap::new(),
            blind: Vec::new(),
            open_blind: BTreeMap::new(),
            side_examined: Vec::new(),
            seeding: false,
            seed: None,
            traced: HashMap::new(),
            before_seed: BeforeSeed::default(),
            watch: None,
            watched: Vec::new(),
            history_blind: Vec::new(),
            holders: HashMap::new(),
            copy_events: BTreeMap::new(),
            opened_objects: Vec::new(),
            copy_pairs: BTreeSet::new(),
            objects: HashMap::new(),
            inherited: HashMap::new(),
            forgotten: BTreeMap::new(),
            pulls: repo.pull_request_heads(),
            pulled: BTreeMap::new(),
        }
    }

    /// Starts from the full snapshot at `oid` (a review's base): every violation already there
    /// is baseline, and its causes are attributed to that commit.
    pub fn seed(&mut self, oid: Oid) {
        let Ok(commit) = self.repo.commit(oid) else {
            return;
        };
        let info = self.repo.commit_info(&commit);
        let ci = self.commits.intern(info);
        let li = self.landings.len();
        self.landings.push(ci);
        let Ok(tree) = self.repo.commit_tree(&commit) else {
            return;
        };
        self.seed = Some(oid);
        self.seeding = true;
        let all: Vec<(String, Arc<Unit>)> = self
            .repo
            .all_units(&tree)
            .into_iter()
            .map(|d| {
                let u = self.snapshots.unit_at(self.repo, &tree, &d);
                (d, u)
            })
            .collect();
        let all: Vec<(String, Arc<Unit>)> = all
            .into_iter()
            .filter(|(d, _)| !formats::is_vendored(d))
            .collect();
        for (dir, unit) in
            self.through_modules(all, &BTreeSet::new(), Some(&tree), li, &mut HashMap::new())
        {
            if !unit.problems.is_empty() {
                // Unreadable at the start: a scan would be holding the last readable state
                // through this blind spot, so start from that state too.
                if let Some(prior) = self.last_readable(&dir) {
                    self.apply_unit(&dir, prior, li, ci, &Side::default(), None);
                }
            }
            self.apply_unit(&dir, unit, li, ci, &Side::default(), None);
        }
        self.link_seed_copies();
        self.seeding = false;
    }

    /// At a review's starting snapshot, identical copies of one Kubernetes object in several files
    /// are one object, as a scan that saw the copy made would have them: their windows become
    /// one, so removing a copy inside the range fixes nothing while another still holds it.
    fn link_seed_copies(&mut self) {
        let mut absorbed: BTreeSet<usize> = BTreeSet::new();
        let mut addrs: Vec<(String, Vec<String>)> = self
            .objects
            .iter()
            .filter(|(_, ds)| ds.len() > 1)
            .map(|(a, ds)| (a.clone(), ds.iter().cloned().collect()))
            .collect();
        // Terraform directories copied whole (see `terraform_copy_sources`): an address held by
        // several units, identical in units that share at least half of their addresses.
        let mut tf: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (d, st) in self
            .units
            .iter()
            .filter(|(d, _)| !formats::is_manifest_file(d))
        {
            for a in st.unit.resources.keys() {
                tf.entry(a.as_str()).or_default().push(d.as_str());
            }
        }
        addrs.extend(
            tf.into_iter()
                .filter(|(_, ds)| ds.len() > 1)
                .map(|(a, ds)| (a.to_string(), ds.into_iter().map(str::to_string).collect())),
        );
        addrs.sort();
        let copies = |this: &Self, a: &str, b: &str| -> bool {
            if formats::is_manifest_file(a) {
                return true;
            }
            let (Some(ua), Some(ub)) = (this.units.get(a), this.units.get(b)) else {
                return false;
            };
            copies_of(&ua.unit, &ub.unit, &Renames::new())
        };
        for (addr, dirs) in addrs {
            let mut groups: Vec<(String, String, String, crate::model::Value)> = Vec::new();
            for d in dirs {
                let Some(st) = self.units.get(&d) else {
                    continue;
                };
                let Some(res) = st.unit.resources.get(&addr) else {
                    continue;
                };
                let (id, file) = (st.id.clone(), res.location.file.clone());
                let first = groups
                    .iter()
                    .find(|(pd, _, _, body)| *body == res.body && copies(self, pd, &d))
                    .cloned();
                let Some((_, primary, _, _)) = first else {
                    groups.push((d.clone(), id, file, res.body.clone()));
                    continue;
                };
                let keys: Vec<(String, &'static str, String)> = self
                    .open
                    .keys()
                    .filter(|(u, _, a)| *u == id && *a == addr)
                    .cloned()
                    .collect();
                for key in keys {
                    let Some(&w1) = self.open.get(&(primary.clone(), key.1, addr.clone())) else {
                        continue;
                    };
                    if let Some(w2) = self.open.insert(key, w1) {
                        absorbed.insert(w2);
                    }
                    *self.holders.entry(w1).or_insert(1) += 1;
                    self.windows[w1].copied = true;
                    self.windows[w1].held_in(&file);
                }
            }
        }
        if absorbed.is_empty() {
            return;
        }
        // Only the seed's windows exist yet: renumber them without the absorbed ones.
        let mut renumber = vec![usize::MAX; self.windows.len()];
        let old = std::mem::take(&mut self.windows);
        for (i, w) in old.into_iter().enumerate() {
            if !absorbed.contains(&i) {
                renumber[i] = self.windows.len();
                self.windows.push(w);
            }
        }
        for w in self.open.values_mut() {
            *w = renumber[*w];
        }
        self.holders = std::mem::take(&mut self.holders)
            .into_iter()
            .map(|(w, n)| (renumber[w], n))
            .collect();
    }

    /// The unit at the most recent landing before the review's seed where it could be read in
    /// full.
    ///
    /// Looked for only where the unit changed, on the chain before the seed that the review's
    /// traces share (see [`BeforeSeed`]): walking every landing back, two commit reads each, for
    /// every unit with a file it cannot read (a Helm template, a registry module call) was most of
    /// a review of kubernetes-engine-samples, whose 160 such units walk back to their creation.
    fn last_readable(&mut self, dir: &str) -> Option<Arc<Unit>> {
        let repo = self.repo;
        let mut k = 0;
        while let Some(i) = self.before_seed.change(repo, self.seed, dir, k) {
            k += 1;
            // The unit as it was before the landing `i` changed it; past the oldest landing read
            // there is nothing readable.
            let (_, tree) = self.before_seed.entry(i + 1)?;
            let tree = repo.find_tree(tree)?;
            let unit = self.snapshots.unit_at(repo, &tree, dir);
            if unit.problems.is_empty() {
                return Some(unit);
            }
        }
        None
    }

    /// Processes one landing.
    pub fn step(&mut self, oid: Oid) {
        let prepared = prepare(
            self.repo,
            &mut self.snapshots,
            &ReadsHint::default(),
            self.rules,
            oid,
        );
        self.apply(prepared);
    }

    /// Folds a landing whose reading was done by [`prepare`] (here or on the reader thread).
    pub fn apply(&mut self, prepared: Prepared) {
        let Prepared {
            oid,
            info,
            changes,
            mut units,
            mut dependants,
            mut verdicts,
        } = prepared;
        let li = self.landings.len();
        // The reader has read the commit and its tree; they are read here again only when the
        // fold needs them (a merge's side, a unit that may have vanished): reading every commit
        // twice was a third of the fold's time (profiled).
        let info = match info {
            Ok(info) => info,
            Err(reason) => {
                // Unreachable in practice (the walk read it), but never a panic.
                self.blind.push(BlindSpot {
                    from: li.saturating_sub(1),
                    unit: String::new(),
                    file: String::new(),
                    to: None,
                    reason,
                });
                return;
            }
        };
        let is_merge = info.parents.len() > 1;
        // Only asked when pull-request heads were read (`--pull-refs`).
        let squash = if is_merge || self.pulls.is_empty() {
            None
        } else {
            pull_number(&info.summary)
        };
        let ci = self.commits.intern(info);
        self.landings.push(ci);
        let changes = match changes {
            Ok(changes) => changes,
            Err(reason) => {
                self.blind.push(BlindSpot {
                    from: li,
                    unit: String::new(),
                    file: String::new(),
                    to: Some(li),
                    reason,
                });
                return;
            }
        };
        // A subtree that cannot be read hides whatever units are under it: a blind spot for this
        // landing, and those units keep their state (their windows neither open nor close).
        for (path, reason) in &changes.unreadable {
            self.blind.push(BlindSpot {
                from: li,
                unit: path.clone(),
                file: String::new(),
                to: Some(li),
                reason: reason.clone(),
            });
        }
        let hidden = |dir: &str| changes.hides(dir);
        if changes.files.is_empty() {
            return;
        }
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let mut moves: BTreeSet<(String, String)> = BTreeSet::new();
        // Only a directory that lost a file can have vanished.
        let mut lost_files: BTreeSet<String> = BTreeSet::new();
        for c in &changes.files {
            let od = c.old_path.as_deref().map(formats::unit_of);
            let nd = c.new_path.as_deref().map(formats::unit_of);
            touched.extend(od.iter().chain(nd.iter()).map(|d| d.to_string()));
            if let Some(o) = od.filter(|o| nd != Some(*o)) {
                lost_files.insert(o.to_string());
            }
            if let (Some(a), Some(b)) = (od, nd) {
                if a != b {
                    moves.insert((a.to_string(), b.to_string()));
                }
            }
        }
        // A module vendored under `.terraform/` is never a unit: only the roots reading it are.
        let vendored: BTreeSet<String> = touched
            .iter()
            .filter(|d| formats::is_vendored(d))
            .cloned()
            .collect();
        touched.retain(|d| !formats::is_vendored(d));
        // A module directory's change reaches the roots that instantiate it, and a change of who
        // calls whom changes which directories are roots: both are evaluated in this tree.
        let modules_move = touched.iter().any(|d| {
            units.get(d).is_some_and(|u| {
                !u.calls.is_empty() || self.graph.contains_key(d) || !u.reads.is_empty()
            })
        }) || self.units.iter().any(|(d, st)| {
            !touched.contains(d)
                && st
                    .unit
                    .reads
                    .iter()
                    .any(|r| touched.contains(r) || vendored.contains(r))
        });
        let var_touched = self.var_file_in(|d| touched.contains(d));
        // A squash of a pull request whose head the repository keeps, read as a merge of it.
        let pull = squash.and_then(|n| self.pull_head(oid, n, &changes.files));
        if let (Some(n), Some(head)) = (squash, pull) {
            self.pulled.insert(ci, (n, head));
        }
        let needs_git = is_merge
            || pull.is_some()
            || modules_move
            || var_touched
            || !lost_files.is_empty()
            || touched.iter().any(|d| !hidden(d) && !units.contains_key(d));
        let commit = if needs_git {
            self.repo.commit(oid).ok()
        } else {
            None
        };
        let tree = commit.as_ref().and_then(|c| self.repo.commit_tree(c).ok());
        // A unit directory renamed: its state follows it, so windows continue under the new path.
        let vanished = |this: &Self, dir: &str| {
            lost_files.contains(dir)
                && this.units.contains_key(dir)
                && tree
                    .as_ref()
                    .and_then(|t| this.repo.unit_entries(t, dir).ok())
                    .is_some_and(|e| e.is_empty())
        };
        for (from, to) in moves {
            if vanished(self, &from) && !self.units.contains_key(&to) {
                if let Some(state) = self.units.remove(&from) {
                    self.relocate(&from, state, to);
                }
            }
        }
        // A move git did not pair (files renamed and rewritten in the same commit) is recognised
        // by what Terraform itself goes by: most of the vanished unit's resource addresses
        // reappear in a unit that appeared in the same landing.
        let gone: Vec<String> = touched
            .iter()
            .filter(|d| vanished(self, d))
            .cloned()
            .collect();
        let mut appeared: Vec<String> = touched
            .iter()
            .filter(|d| !self.units.contains_key(*d) && !hidden(d))
            .cloned()
            .collect();
        for from in gone {
            let old: BTreeSet<&String> = match self.units.get(&from) {
                Some(st) if !st.unit.resources.is_empty() => st.unit.resources.keys().collect(),
                _ => continue,
            };
            let mut best: Option<(usize, usize)> = None;
            for (i, to) in appeared.iter().enumerate() {
                let unit = match (units.get(to), &tree) {
                    (Some(u), _) => Arc::clone(u),
                    (None, Some(t)) => self.snapshots.unit_at(self.repo, t, to),
                    (None, None) => continue,
                };
                let shared = unit.resources.keys().filter(|a| old.contains(a)).count();
                if shared * 2 >= old.len() && best.is_none_or(|(_, b)| shared > b) {
                    best = Some((i, shared));
                }
            }
            if let Some((i, _)) = best {
                let to = appeared.remove(i);
                if let Some(state) = self.units.remove(&from) {
                    self.relocate(&from, state, to);
                }
            }
        }
        let side = match &commit {
            Some(c) if is_merge || pull.is_some() => {
                let roots = self.through_roots(touched.clone());
                let wanted: BTreeSet<String> = touched.union(&roots).cloned().collect();
                self.side_attribution(c, &wanted, pull)
            }
            _ => Side::default(),
        };
        let mut news: Vec<(String, Arc<Unit>)> = Vec::new();
        for dir in touched.iter().filter(|d| !hidden(d)) {
            let unit = match (units.remove(dir), &tree) {
                (Some(u), _) => u,
                (None, Some(t)) => self.snapshots.unit_at(self.repo, t, dir),
                // Neither prepared nor readable here: held as it was, like any unreadable unit.
                (None, None) => Arc::new(Unit {
                    resources: Default::default(),
                    problems: vec![crate::model::Problem {
                        file: dir.to_string(),
                        reason: format!("tree of {oid} cannot be read"),
                    }],
                    moved: Vec::new(),
                    removed: Vec::new(),
                    imports: Vec::new(),
                    ..Default::default()
                }),
            };
            news.push((dir.clone(), unit));
        }
        let news = self.through_modules(news, &vendored, tree.as_deref(), li, &mut dependants);
        self.carry_objects(&news, li);
        for (dir, unit) in news {
            let judged = verdicts
                .remove(&dir)
                .filter(|(u, _)| Arc::ptr_eq(u, &unit))
                .map(|(_, v)| v);
            self.apply_unit(&dir, unit, li, ci, &side, judged);
        }
        self.inherited.clear();
        self.settle_copies();
        self.settle_twins();
    }

    /// Is a `--var-file` in a directory `touched` says the landing changed? (Every root reads
    /// those files, so all of them are evaluated again.)
    fn var_file_in(&self, touched: impl Fn(&str) -> bool) -> bool {
        self.repo
            .terraform
            .var_files
            .iter()
            .any(|v| touched(formats::unit_of(v)))
    }

    fn called(&self) -> Arc<BTreeSet<String>> {
        Arc::clone(&self.callees)
    }

    /// The head of pull request `number`, when squash `oid` is to be read as a merge of it.
    ///
    /// A forge's squash records one parent: the commits of the pull request, and who wrote
    /// them, are only on its `refs/pull/N/head`. The squash is read through them when that head
    /// holds every IaC file the squash changed exactly as the squash has it (so the squash
    /// itself wrote nothing of them: no base moved under it, no conflict resolved), and when
    /// some of those commits are not its author's: an import or a shared branch, where the
    /// squash's author did not write everything it landed (kubernetes/examples e4cc298a, an
    /// import of 73 commits of the Kubernetes repository by 20 people). A squash whose commits
    /// are all its author's is credited as one commit: it names the same person, and every
    /// clone holds it.
    fn pull_head(
        &self,
        oid: Oid,
        number: u64,
        files: &[crate::history::FileChange],
    ) -> Option<Oid> {
        let head = *self.pulls.get(&number)?;
        if head == oid || files.is_empty() {
            return None;
        }
        let squash = self.repo.commit(oid).ok()?;
        let base = squash.parent_id(0).ok()?;
        let (tree, theirs) = (
            self.repo.commit_tree(&squash).ok()?,
            self.repo.find_tree(self.repo.tree_of(head)?)?,
        );
        // The blob at `p` in `tree`, if any.
        let entry = |tree: Option<&crate::history::objects::Tree>, p: &str| {
            tree.and_then(|t| self.repo.entry_at(t, p).ok().flatten())
                .map(|e| e.id())
        };
        let same = files.iter().all(|f| match &f.new_path {
            Some(p) => {
                let ours = entry(Some(&tree), p);
                ours.is_some() && ours == entry(Some(&theirs), p)
            }
            None => f
                .old_path
                .as_deref()
                .is_some_and(|p| matches!(self.repo.entry_at(&theirs, p), Ok(None))),
        });
        if !same {
            return None;
        }
        let a = squash.author();
        let author = person_tokens(
            &String::from_utf8_lossy(a.name_bytes()),
            &String::from_utf8_lossy(a.email_bytes()),
        );
        // A commit of another person that changed one of the files the squash landed: reading
        // the pull request can then name someone else (not a review fix to a README).
        let paths: Vec<&str> = files
            .iter()
            .filter_map(|f| f.new_path.as_deref().or(f.old_path.as_deref()))
            .collect();
        let commits = self.repo.authors_between(base, head, PULL_COMMITS_MAX)?;
        let foreign = commits.iter().any(|c| {
            if !person_tokens(&c.name, &c.email).is_disjoint(&author) {
                return false;
            }
            let tree = self.repo.find_tree(c.tree);
            let parent = c
                .parent
                .and_then(|p| self.repo.tree_of(p))
                .and_then(|t| self.repo.find_tree(t));
            paths
                .iter()
                .any(|p| entry(tree.as_deref(), p) != entry(parent.as_deref(), p))
        });
        foreign.then_some(head)
    }

    /// Directories as the fold evaluates them: a module directory stands for the roots that
    /// instantiate it (as the fold knows them now: a merged side's commits are compared in the
    /// roots the history has at the merge), any other directory for itself.
    fn through_roots(&self, dirs: BTreeSet<String>) -> BTreeSet<String> {
        roots_of(&self.graph, &self.callees, &self.units, dirs)
    }

    /// Terraform as Terraform deploys it: from the units a landing touched, the ones to fold.
    /// A directory called as a module is not a unit of its own (its resources are its callers'
    /// instances); a root that instantiates a touched directory is evaluated again, though none
    /// of its own files changed; a directory that stops being called becomes a unit again, and
    /// one that starts being called stops being one (see [`Engine::absorb`]).
    fn through_modules(
        &mut self,
        news: Vec<(String, Arc<Unit>)>,
        vendored: &BTreeSet<String>,
        tree: Option<&crate::history::objects::Tree>,
        li: usize,
        prefetched: &mut HashMap<String, Arc<Unit>>,
    ) -> Vec<(String, Arc<Unit>)> {
        let tf = |d: &str| !formats::is_manifest_file(d);
        // A `--var-file` changed: every root reads it.
        let var_touched = self.var_file_in(|d| news.iter().any(|(n, _)| n == d));
        if !news
            .iter()
            .any(|(d, u)| tf(d) && (!u.calls.is_empty() || self.graph.contains_key(d)))
            && self.graph.is_empty()
            && !var_touched
            && vendored.is_empty()
        {
            return news;
        }
        let before = self.called();
        // Who calls whom rarely changes: the roots are worked out again only when it does.
        let mut moved = false;
        for (d, u) in news.iter().filter(|(d, _)| tf(d)) {
            if u.calls.is_empty() {
                moved |= self.graph.remove(d).is_some();
            } else if self.graph.get(d) != Some(&u.calls) {
                self.graph.insert(d.clone(), u.calls.clone());
                moved = true;
            }
        }
        if moved {
            self.callees = Arc::new(formats::terraform::modules::called(
                &self.graph,
                &self.repo.terraform.roots,
            ));
        }
        let after = self.called();
        let mut touched: BTreeSet<String> = news.iter().map(|(d, _)| d.clone()).collect();
        touched.extend(vendored.iter().cloned());
        let mut out = Vec::new();
        for (d, u) in news {
            if !tf(&d) || !after.contains(&d) {
                out.push((d, u));
            }
        }
        let absorbed: Vec<String> = after
            .iter()
            .filter(|d| self.units.contains_key(*d))
            .cloned()
            .collect();
        for d in absorbed {
            self.absorb(&d, li);
        }
        let mut again: BTreeSet<String> = self
            .units
            .iter()
            // The cheap test first: most units read no module (every landing asks of each).
            .filter(|(d, st)| {
                (var_touched || st.unit.reads.iter().any(|r| touched.contains(r)))
                    && tf(d)
                    && !touched.contains(*d)
                    && !after.contains(*d)
            })
            .map(|(d, _)| d.clone())
            .collect();
        again.extend(
            before
                .difference(&after)
                .filter(|d| !touched.contains(*d) && !self.units.contains_key(*d))
                .cloned(),
        );
        if let Some(t) = tree {
            for d in again {
                let u = match prefetched.remove(&d) {
                    Some(u) => u,
                    None => self.snapshots.unit_at(self.repo, t, &d),
                };
                out.push((d, u));
            }
        }
        out
    }

    /// A unit that has become a module called by another directory: its own windows end here,
    /// said so (the exposure did not end; from here on it is judged as its callers instantiate
    /// it), and its state is dropped.
    fn absorb(&mut self, dir: &str, li: usize) {
        self.tf_roots.remove(dir);
        let Some(state) = self.units.remove(dir) else {
            return;
        };
        let callers: Vec<&str> = self
            .graph
            .iter()
            .filter(|(c, ds)| *c != dir && ds.iter().any(|d| d == dir))
            .map(|(c, _)| formats::unit_display(c))
            .collect();
        let reason = format!(
            "{} is called as a module by {} from here on: it is judged as its callers \
             instantiate it, no longer alone with its variables' defaults",
            formats::unit_display(dir),
            callers.join(", ")
        );
        let keys: Vec<(String, &'static str, String)> = self
            .open
            .keys()
            .filter(|(u, _, _)| *u == state.id)
            .cloned()
            .collect();
        for k in keys {
            if let Some(w) = self.open.remove(&k) {
                let win = &mut self.windows[w];
                win.closed = Some(li);
                win.superseded = Some(reason.clone());
            }
        }
        let blind: Vec<(String, String, String)> = self
            .open_blind
            .keys()
            .filter(|(u, _, _)| *u == state.id)
            .cloned()
            .collect();
        for k in blind {
            if let Some(b) = self.open_blind.remove(&k) {
                self.blind[b].to = Some(li);
            }
        }
        self.displaced.remove(&state.id);
    }

    /// Identity, not files: before a landing's units are folded, an object that left one unit
    /// and appeared in another (a manifest folded into another file or split out of one, a
    /// Terraform resource moved to another directory) is moved with its verdicts, its windows
    /// and its blame, so only its real edits are changes; a Kubernetes object that appeared in a
    /// new file while another file still holds it unchanged is a copy of it, and its windows are
    /// shared between the copies.
    fn carry_objects(&mut self, news: &[(String, Arc<Unit>)], li: usize) {
        // Renamed in place by a `moved` block: the same object under its new address.
        for (dir, new) in news {
            for (from, to) in &new.moved {
                let renamed = self.units.get(dir).is_some_and(|st| {
                    st.unit.resources.contains_key(from) && !st.unit.resources.contains_key(to)
                }) && new.resources.contains_key(to)
                    && !new.resources.contains_key(from);
                if renamed {
                    self.transfer((dir, from), (dir, to), false, li);
                }
            }
        }
        let mut leaving: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (dir, new) in news {
            // A unit with a file that cannot be read holds what it cannot see: nothing leaves.
            if !new.problems.is_empty() {
                continue;
            }
            let Some(st) = self.units.get(dir) else {
                continue;
            };
            for addr in st.unit.resources.keys() {
                if !new.resources.contains_key(addr)
                    && carries(dir, addr)
                    && !self.stays_in_cloud(&st.id, new, addr)
                {
                    leaving.entry(addr.clone()).or_default().push(dir.clone());
                }
            }
        }
        let tf_sources = self.terraform_copy_sources(news);
        let mut edited_copies: Vec<(String, String, String, String)> = Vec::new();
        for (dir, new) in news {
            for (addr, res) in &new.resources {
                if !carries(dir, addr)
                    || self
                        .units
                        .get(dir)
                        .is_some_and(|st| st.unit.resources.contains_key(addr))
                {
                    continue;
                }
                let manifest = formats::is_manifest_file(dir);
                let units = &self.units;
                let from = leaving.get_mut(addr).and_then(|v| {
                    let i = v.iter().position(|d| {
                        formats::is_manifest_file(d) == manifest
                            && units
                                .get(d)
                                .and_then(|st| st.unit.resources.get(addr))
                                .is_some_and(|was| alike_enough(was, res))
                    })?;
                    Some(v.remove(i))
                });
                if let Some(from) = from {
                    self.transfer((&from, addr), (dir, addr), false, li);
                    continue;
                }
                if let Some((src, renames)) = tf_sources.get(dir) {
                    // A Terraform directory copied while the original stays: an identical
                    // resource is a copy (one window between them), an edited one keeps the
                    // writers of the values it did not change. Under a renamed module call,
                    // the original is at its own address.
                    let was = renamed_address(addr, renames).into_owned();
                    let same = self
                        .units
                        .get(src)
                        .and_then(|st| st.unit.resources.get(&was))
                        .map(|r| r.body == res.body);
                    match same {
                        Some(true) => self.transfer((src, &was), (dir, addr), true, li),
                        Some(false) => {
                            edited_copies.push((src.clone(), was, dir.clone(), addr.clone()));
                        }
                        None => {}
                    }
                    continue;
                }
                if !is_object(dir, addr) {
                    continue;
                }
                // Of several identical holders, the one whose path the copy keeps most of (a
                // folder copied whole keeps its file names): each copy joins its own original.
                let source = self.objects.get(addr).and_then(|ds| {
                    ds.iter()
                        .filter(|d| {
                            *d != dir
                                && self
                                    .units
                                    .get(*d)
                                    .and_then(|st| st.unit.resources.get(addr))
                                    .is_some_and(|r| r.body == res.body)
                        })
                        .max_by_key(|d| (common_suffix(d, dir), std::cmp::Reverse(*d)))
                        .cloned()
                });
                if let Some(src) = source {
                    self.transfer((&src, addr), (dir, addr), true, li);
                }
            }
        }
        for (src, src_addr, dir, addr) in edited_copies {
            let new = news
                .iter()
                .find(|(d, _)| *d == dir)
                .map(|(_, u)| Arc::clone(u));
            let (Some(st), Some(new)) = (self.units.get(&src), new) else {
                continue;
            };
            let (Some(was), Some(now)) =
                (st.unit.resources.get(&src_addr), new.resources.get(&addr))
            else {
                continue;
            };
            let inherited = Inherited::from(&self.blame, (&st.id, &src), was, now);
            self.inherited.insert((dir, addr), inherited);
        }
        self.inherit_renamed(news);
    }

    /// For each Terraform unit that first appears in this landing: the unit it was copied from,
    /// if any. That is a unit that already held, and still holds, at least half of the new
    /// unit's resource addresses; of several, the one holding most, then the one whose path the
    /// copy keeps most of (a folder copied into a new tree keeps its own name). Directories
    /// copied whole are how samples and environments are made; the copy's values were written
    /// where they were copied from.
    fn terraform_copy_sources(
        &self,
        news: &[(String, Arc<Unit>)],
    ) -> BTreeMap<String, (String, Renames)> {
        let mut out = BTreeMap::new();
        let changed: BTreeMap<&str, &Arc<Unit>> =
            news.iter().map(|(d, u)| (d.as_str(), u)).collect();
        for (dir, new) in news {
            if formats::is_manifest_file(dir)
                || self.units.contains_key(dir)
                || new.resources.is_empty()
                || !new.problems.is_empty()
            {
                continue;
            }
            // Made once per new root, not per candidate original.
            let ours = calls_of(new);
            let best = self
                .units
                .iter()
                .filter(|(d, _)| !formats::is_manifest_file(d) && *d != dir)
                .filter_map(|(d, st)| {
                    // Held before the landing and still after it.
                    let after = changed.get(d.as_str()).map(|u| &u.resources);
                    let renames = if ours.is_empty() {
                        Renames::new()
                    } else {
                        call_renames(&ours, &st.unit)
                    };
                    let shared = new
                        .resources
                        .keys()
                        .map(|a| renamed_address(a, &renames))
                        .filter(|a| {
                            st.unit.resources.contains_key(a.as_ref())
                                && after.is_none_or(|r| r.contains_key(a.as_ref()))
                        })
                        .count();
                    if shared == 0 {
                        return None;
                    }
                    let copied =
                        shared * 2 >= new.resources.len() && copies_of(new, &st.unit, &renames);
                    // With module calls, what the root writes decides (see `root_written`).
                    let (same, written) = if !ours.is_empty() {
                        root_written(new, dir, &st.unit, &renames)
                    } else {
                        (0, 0)
                    };
                    (copied || (written >= MIN_ROOT_WRITTEN && same * 3 >= written * 2))
                        .then_some(((same, shared), d, renames))
                })
                .max_by_key(|(weight, d, _)| {
                    (*weight, common_suffix(d, dir), std::cmp::Reverse(*d))
                });
            if let Some((_, src, renames)) = best {
                out.insert(dir.clone(), (src.clone(), renames));
            }
        }
        out
    }

    /// Objects that left and objects that arrived in this landing and are one object renamed
    /// (see [`rename_pairs`]): the values the new one kept are credited to their old writers.
    fn inherit_renamed(&mut self, news: &[(String, Arc<Unit>)]) {
        let mut leaving: Vec<(&str, &crate::model::Resource)> = Vec::new();
        let mut arriving: Vec<(&str, &crate::model::Resource)> = Vec::new();
        for (dir, new) in news {
            if new.problems.is_empty() {
                if let Some(st) = self.units.get(dir) {
                    leaving.extend(
                        st.unit
                            .resources
                            .iter()
                            .filter(|(a, _)| {
                                !new.resources.contains_key(*a)
                                    && !self.stays_in_cloud(&st.id, new, a)
                            })
                            .map(|(_, r)| (dir.as_str(), r)),
                    );
                }
            }
        }
        // Most landings only edit: nothing left, so only a manifest can have gained a copy.
        let any_leaving = !leaving.is_empty();
        for (dir, new) in news {
            if !any_leaving && !formats::is_manifest_file(dir) {
                continue;
            }
            let old = self.units.get(dir);
            arriving.extend(
                new.resources
                    .iter()
                    .filter(|(a, _)| old.is_none_or(|st| !st.unit.resources.contains_key(*a)))
                    .map(|(_, r)| (dir.as_str(), r)),
            );
        }
        if arriving.is_empty() {
            return;
        }
        let renames = if any_leaving {
            rename_pairs(&leaving, &arriving)
        } else {
            Vec::new()
        };
        // Kubernetes objects copied with edits while the original stays (kubernetes/examples
        // e4cc298 made the newrelic-infra DaemonSet from the newrelic one, kubernetes-engine-samples
        // aebcc290 a Deployment from another under a new name): the values the copy kept were
        // written where it was copied from, as `git blame -C -C` says. The copy is a new object
        // with its own window; an identical copy was already joined to its original.
        let paired: BTreeSet<usize> = renames.iter().map(|(_, j)| *j).collect();
        let rest: Vec<(&str, &crate::model::Resource)> = arriving
            .iter()
            .enumerate()
            .filter(|(j, (d, r))| {
                !paired.contains(j)
                    && is_object(d, &r.address)
                    && !self
                        .inherited
                        .contains_key(&(d.to_string(), r.address.clone()))
            })
            .map(|(_, x)| *x)
            .collect();
        let copies = if rest.is_empty() {
            Vec::new()
        } else {
            let kinds: BTreeSet<&str> = rest.iter().map(|(_, r)| kind_of(&r.address)).collect();
            let names: BTreeSet<&str> = rest.iter().map(|(_, r)| object_name(&r.address)).collect();
            let after: BTreeMap<&str, &Arc<Unit>> =
                news.iter().map(|(d, u)| (d.as_str(), u)).collect();
            // Only what `pair_objects` can accept: the same name anywhere, or the same kind in a
            // file this commit changed.
            let mut held: Vec<(&str, &crate::model::Resource)> = self
                .objects
                .iter()
                .filter(|(a, _)| kinds.contains(kind_of(a)) || names.contains(object_name(a)))
                .flat_map(|(a, ds)| ds.iter().map(move |d| (d, a)))
                // The same name anywhere, the same kind in a file this commit changed, or (a
                // copy from afar, see `copied_from_afar`) a name the new one is named after.
                .filter(|(d, a)| {
                    names.contains(object_name(a))
                        || after.contains_key(d.as_str())
                        || names.iter().any(|n| named_after(n, object_name(a)))
                })
                .filter(|(d, a)| {
                    after
                        .get(d.as_str())
                        .is_none_or(|u| u.resources.contains_key(*a))
                })
                .filter_map(|(d, a)| Some((d.as_str(), self.units.get(d)?.unit.resources.get(a)?)))
                .collect();
            // `objects` is a hash map: the pairing must not depend on its order.
            held.sort_by(|x, y| (x.0, &x.1.address).cmp(&(y.0, &y.1.address)));
            let touched: BTreeSet<&str> = news.iter().map(|(d, _)| d.as_str()).collect();
            pair_objects(&held, &rest, Some(&touched))
                .into_iter()
                .map(|(i, j)| (held[i], rest[j]))
                .collect()
        };
        let mut found = Vec::new();
        let pairs = renames
            .iter()
            .map(|(i, j)| (leaving[*i], arriving[*j]))
            .chain(copies);
        for ((da, a), (db, b)) in pairs {
            let Some(uid) = self.units.get(da).map(|st| st.id.as_str()) else {
                continue;
            };
            let key = (db.to_string(), b.address.clone());
            if self.inherited.contains_key(&key) {
                // A copy of an object still held: that is where it came from.
                continue;
            }
            found.push((key, Inherited::from(&self.blame, (uid, da), a, b)));
        }
        self.inherited.extend(found);
    }

    /// Moves (or, with `keep`, copies) one object's state from `(unit, address)` to another: its
    /// resource, verdicts, open windows, undecided spans and setting blame.
    fn transfer(
        &mut self,
        (from, addr): (&str, &str),
        (to, new_addr): (&str, &str),
        keep: bool,
        li: usize,
    ) {
        let Some(mut src) = self.units.remove(from) else {
            return;
        };
        let Some(mut res) = src.unit.resources.get(addr).cloned() else {
            self.units.insert(from.to_string(), src);
            return;
        };
        res.address = new_addr.to_string();
        let held: Vec<(Key, Held)> = src
            .held
            .iter()
            .filter(|((_, a), _)| a == addr)
            .map(|(k, h)| (k.clone(), h.clone()))
            .collect();
        if !keep {
            Arc::make_mut(&mut src.unit).resources.remove(addr);
            for (k, _) in &held {
                src.held.remove(k);
            }
            if let Some(ds) = self.objects.get_mut(addr) {
                ds.remove(from);
            }
        }
        let from_id = src.id.clone();
        self.units.insert(from.to_string(), src);
        let mut dst = match self.units.remove(to) {
            Some(st) => st,
            None => self.fresh_state(to, li),
        };
        Arc::make_mut(&mut dst.unit)
            .resources
            .insert(new_addr.to_string(), res);
        dst.held.extend(
            held.iter()
                .map(|((rule, _), h)| ((*rule, new_addr.to_string()), h.clone())),
        );
        let to_id = dst.id.clone();
        self.units.insert(to.to_string(), dst);
        if is_object(to, new_addr) {
            self.objects
                .entry(new_addr.to_string())
                .or_default()
                .insert(to.to_string());
        }
        self.blame.carry((&from_id, addr), (&to_id, new_addr), keep);
        for ((rule, _), _) in &held {
            let k_from = (from_id.clone(), *rule, addr.to_string());
            let k_to = (to_id.clone(), *rule, new_addr.to_string());
            if let Some(&w) = self.open.get(&k_from) {
                if keep {
                    *self.holders.entry(w).or_insert(1) += 1;
                    self.windows[w].copied = true;
                } else {
                    self.open.remove(&k_from);
                }
                self.windows[w].address = new_addr.to_string();
                self.open.insert(k_to, w);
            }
            if !keep {
                let span = format!("{rule} {addr}");
                if let Some(b) = self
                    .open_blind
                    .remove(&(from_id.clone(), span, String::new()))
                {
                    self.open_blind.insert(
                        (to_id.clone(), format!("{rule} {new_addr}"), String::new()),
                        b,
                    );
                }
            }
        }
    }

    /// Records a window just opened, with the file it opened in.
    fn push_window(&mut self, mut w: Box<Window>) {
        let file = w.file.clone();
        w.held_in(&file);
        self.windows.push(w);
    }

    /// A window that lost one of its copies is shown where a remaining copy is.
    fn follow_survivor(&mut self, w: usize) {
        let Some((uid, _, addr)) = self
            .open
            .iter()
            .find(|(_, &v)| v == w)
            .map(|(k, _)| k.clone())
        else {
            return;
        };
        let found = self
            .units
            .iter()
            .find(|(_, st)| st.id == uid)
            .map(|(d, st)| {
                (
                    d.clone(),
                    st.unit
                        .resources
                        .get(&addr)
                        .map(|r| r.location.file.clone()),
                )
            });
        if let Some((dir, file)) = found {
            let win = &mut self.windows[w];
            win.unit_path = dir;
            if let Some(f) = file {
                win.file = f;
            }
        }
    }

    /// After a landing: copies of one object that did not change alike now disagree.
    fn settle_copies(&mut self) {
        for (w, found) in std::mem::take(&mut self.copy_events) {
            let n = self.holders.get(&w).copied().unwrap_or(1);
            if found.len() < n || found.windows(2).any(|p| p[0] != p[1]) {
                self.windows[w].ambiguous = true;
            }
        }
    }

    /// After a landing: a window opened on a Kubernetes object while a copy of it with edits,
    /// under the same identity (kind, namespace, name) in another file, has its own window of
    /// the same rule open. The copies disagree (microservices-demo's
    /// release/kubernetes-manifests.yaml, the per-service files rendered into one with other
    /// image tags): each keeps its own window, opened and closed by its own file, and both say
    /// that which of them is the object is ambiguous. Two unrelated files that only share a name
    /// (kubernetes-engine-samples defines `Deployment/helloweb` in many samples) are not copies
    /// and are not marked. Looked at when the landing is folded, so that an object moved between
    /// two files in it is not taken for two.
    fn settle_twins(&mut self) {
        for w in std::mem::take(&mut self.opened_objects) {
            let (rule, unit_id, address) = {
                let win = &self.windows[w];
                if let Some(from) = &win.carried_from {
                    if from.address == win.address && from.unit_id != win.unit_id {
                        self.copy_pairs.insert(copy_pair(
                            &win.address,
                            &from.unit_id,
                            &win.unit_id,
                        ));
                    }
                }
                (win.rule, win.unit_id.clone(), win.address.clone())
            };
            let Some(dirs) = self.objects.get(&address) else {
                continue;
            };
            let paired = |other: &str| {
                self.copy_pairs
                    .contains(&copy_pair(&address, other, &unit_id))
            };
            let twins: Vec<usize> = dirs
                .iter()
                .filter_map(|d| self.units.get(d))
                .filter(|st| st.id != unit_id && paired(&st.id))
                .filter_map(|st| self.open.get(&(st.id.clone(), rule, address.clone())))
                .copied()
                .filter(|&o| o != w)
                .collect();
            if !twins.is_empty() {
                self.windows[w].ambiguous = true;
                for o in twins {
                    self.windows[o].ambiguous = true;
                }
            }
        }
    }

    /// The state of a unit first seen at landing `li`.
    fn fresh_state(&self, dir: &str, li: usize) -> UnitState {
        UnitState {
            // First seen here, but a renamed unit still goes by this path: the landing tells the
            // two apart (deterministically).
            id: if self.displaced.contains(dir) {
                format!("{dir}@{li}")
            } else {
                dir.to_string()
            },
            unit: Arc::new(Unit::default()),
            held: BTreeMap::new(),
        }
    }

    /// The handle, the parse cache and the roots each directory stands for (see
    /// [`Engine::through_roots`]), borrowed at once: reading a merged side needs all three.
    fn reading(
        &mut self,
    ) -> (
        &'r Repo,
        &mut Snapshots,
        impl Fn(BTreeSet<String>) -> BTreeSet<String> + '_,
    ) {
        let Engine {
            repo,
            snapshots,
            graph,
            callees,
            units,
            ..
        } = self;
        (*repo, snapshots, move |d| {
            roots_of(graph, callees, units, d)
        })
    }

    /// The side commits `oids` read against their parents (see [`read_side_commit`]), in order.
    /// A long side is read on two threads, the second half with a handle and a parse cache of its
    /// own: reading a merged history's commits was most of a scan of one (kubernetes/examples
    /// merges 1,665 commits of the Kubernetes repository: 58% of its CPU, on the fold's thread).
    /// Only where which roots a directory stands for needs nothing the fold holds, that is where
    /// no module is called anywhere; otherwise here.
    fn read_side(&mut self, oids: &[Oid], wanted: &(dyn Fn(&str) -> bool + Sync)) -> Vec<SideRead> {
        let plain = self.graph.is_empty() && self.units.values().all(|st| st.unit.reads.is_empty());
        if !plain || oids.len() < PARALLEL_SIDE_MIN {
            let (repo, snapshots, roots) = self.reading();
            return oids
                .iter()
                .filter_map(|&o| read_side_commit(repo, snapshots, &roots, o, wanted))
                .collect();
        }
        // What `roots_of` gives with no module called: every directory but a vendored one.
        let roots = |d: BTreeSet<String>| -> BTreeSet<String> {
            d.into_iter().filter(|x| !formats::is_vendored(x)).collect()
        };
        // Both threads claim runs of consecutive commits from a shared counter (a commit's parent
        // is most often the one before it, whose tree is then in the same cache): halves of
        // the side were unequal work, one thread doing three quarters.
        let chunks: Vec<&[Oid]> = oids.chunks(SIDE_CHUNK).collect();
        let read_chunk = |r: &Repo, s: &mut Snapshots, chunk: &[Oid]| -> Vec<SideRead> {
            chunk
                .iter()
                .filter_map(|&o| read_side_commit(r, s, &roots, o, wanted))
                .collect()
        };
        let next = std::sync::atomic::AtomicUsize::new(0);
        let claim = || next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let reopener = self.repo.reopener();
        let (repo, snapshots) = (self.repo, &mut self.snapshots);
        let mut done: Vec<(usize, Vec<SideRead>)> = Vec::new();
        let theirs = std::thread::scope(|s| {
            let spawned = std::thread::Builder::new()
                .name("side".into())
                .spawn_scoped(s, || {
                    let r = reopener.open().ok()?;
                    let mut own = Snapshots::default();
                    let mut got = Vec::new();
                    loop {
                        let i = claim();
                        let Some(chunk) = chunks.get(i) else { break };
                        got.push((i, read_chunk(&r, &mut own, chunk)));
                    }
                    Some((got, own.marked))
                });
            loop {
                let i = claim();
                let Some(chunk) = chunks.get(i) else { break };
                done.push((i, read_chunk(repo, snapshots, chunk)));
            }
            spawned.ok().and_then(|h| h.join().ok().flatten())
        });
        if let Some((got, marked)) = theirs {
            done.extend(got);
            self.snapshots.marked.extend(marked);
        }
        // A chunk the other thread claimed and did not give back (it could not open a handle,
        // or it failed): read here.
        let read_already: BTreeSet<usize> = done.iter().map(|(i, _)| *i).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            if !read_already.contains(&i) {
                done.push((i, read_chunk(repo, &mut self.snapshots, chunk)));
            }
        }
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().flat_map(|(_, r)| r).collect()
    }

    /// For a merge: which commit of the merged side wrote each setting of the touched units.
    ///
    /// The side's commits are read oldest first, each against its own parents, so a value is
    /// credited to the commit that wrote it through any depth of merges: a merge on the side
    /// (a branch merged into the branch) is credited only with what is in none of its parents.
    /// Each side commit is compared identity-aware (see [`Engine::parents_view`]), so renaming,
    /// consolidating or splitting files on the side credits nobody with values it only moved.
    ///
    /// `pull` is the head of the pull request a squash landed (see [`Engine::pull_head`]), read
    /// as the squash's second parent: a squash and a merge of one pull request credit the same
    /// commits.
    fn side_attribution(
        &mut self,
        merge: &Commit<'_>,
        touched: &BTreeSet<String>,
        pull: Option<Oid>,
    ) -> Side {
        let mut side = Side::default();
        let Ok(merge_tree) = self.repo.commit_tree(merge) else {
            return side;
        };
        // Relative to each other parent, the merge may have moved what it took from there (a
        // history merged in under another folder: every file renamed relative to that parent):
        // those moves lead from where the landing has an object to where the side wrote it.
        for p in merge.parent_ids().skip(1).chain(pull) {
            let parent = self.repo.tree_of(p).and_then(|t| self.repo.find_tree(t));
            let (repo, snapshots, roots) = self.reading();
            let (view, _, moves) = parents_view(
                repo,
                snapshots,
                &roots,
                parent.as_deref(),
                &merge_tree,
                &|_| true,
            );
            side.came_from.extend(moves);
            side.others
                .push(view.into_iter().map(|(d, (old, _))| (d, old)).collect());
        }
        // Manifests are units of one file, and objects move between them: every one a side
        // commit changed is read, not just those the landing touched.
        let wanted = |d: &str| touched.contains(d) || formats::is_manifest_file(d);
        let side_commits = self.repo.side_commits(merge, pull.as_slice());
        for read in self.read_side(&side_commits, &wanted) {
            // Where each object this commit renamed went, if it changed units (most commits
            // rename nothing: nothing to look through then).
            let renamed: BTreeSet<&str> = read.renames.iter().map(|(_, b)| b.as_str()).collect();
            let moves_of_renamed: HashMap<String, (String, String)> = if renamed.is_empty() {
                HashMap::new()
            } else {
                read.moves
                    .iter()
                    .filter(|((_, addr), _)| renamed.contains(addr.as_str()))
                    .map(|((dir, addr), from)| (addr.clone(), (from.clone(), dir.clone())))
                    .collect()
            };
            side.came_from.extend(read.moves);
            if read.view.is_empty() {
                continue;
            }
            side.came_from.extend(read.other_moves);
            let Ok(c) = self.repo.commit(read.oid) else {
                continue;
            };
            let others = read.others;
            let idx = self.commits.intern(self.repo.commit_info(&c));
            self.side_examined.push(idx);
            for (dir, (old, new)) in &read.view {
                // Objects this commit created here as copies of another unit's: what they kept
                // is written where they came from, found there through `came_from`.
                let copied_from: BTreeMap<String, String> = new
                    .resources
                    .iter()
                    .filter(|(a, _)| !old.resources.contains_key(*a) && is_object(dir, a))
                    // Moved here (its file renamed, or the object moved from another file): a
                    // move, followed through `came_from` already, not a copy.
                    .filter(|(a, _)| {
                        let key = (dir.clone(), a.to_string());
                        (!side.came_from.contains_key(&key) || side.copies.contains(&key))
                            && !side.came_from.contains_key(&(dir.clone(), String::new()))
                    })
                    .filter_map(|(a, r)| {
                        // A unit this commit changed, as it left it (an object edited and
                        // copied at once).
                        let edited = |d: &str| {
                            read.view
                                .get(d)
                                .filter(|(o, _)| o.resources.contains_key(a))
                                .map(|(_, n)| Arc::clone(n))
                        };
                        Some((a.clone(), side.copy_source(dir, r, idx, &edited)?))
                    })
                    .collect();
                for ch in causes::diff(&old.resources, &new.resources) {
                    // A merge on the side took this value from another parent: its writer is
                    // that parent's, already recorded (or older than the side).
                    let from_other =
                        !others.is_empty() && others.iter().any(|o| !wrote_against(o, dir, &ch));
                    if from_other {
                        continue;
                    }
                    // Kept from the source, as written there or where the source had it from
                    // (an original renamed from `.json` to `.yaml` earlier on the side).
                    let kept = copied_from.get(&ch.address).is_some_and(|src| {
                        side.latest_in(src, &ch.address, &ch.path)
                            .is_some_and(|w| w.after == ch.after)
                            || side.traced(src, &ch).is_some()
                    });
                    if kept {
                        continue;
                    }
                    side.dirs_of
                        .entry(ch.address.clone())
                        .or_default()
                        .insert(dir.clone());
                    side.writes
                        .entry((ch.address.clone(), ch.path.clone()))
                        .or_default()
                        .push(SideWrite {
                            dir: dir.clone(),
                            commit: idx,
                            after: ch.after,
                            at: ch.location,
                            by_merge: !others.is_empty(),
                            written_on: None,
                        });
                }
                for (address, src) in copied_from {
                    let key = (dir.clone(), address);
                    if !side.came_from.contains_key(&key) {
                        side.copies.insert(key.clone());
                        side.came_from.insert(key, src);
                    }
                }
            }
            side.alias(&read.renames, &moves_of_renamed, idx);
        }
        let mut live = std::collections::HashSet::new();
        let pairs: BTreeSet<(String, String)> = side
            .writes
            .iter()
            .flat_map(|((a, _), ws)| ws.iter().map(move |w| (w.dir.clone(), a.clone())))
            .collect();
        for (dir, addr) in pairs {
            if self
                .snapshots
                .unit_at(self.repo, &merge_tree, &dir)
                .resources
                .contains_key(&addr)
            {
                live.insert((dir, addr));
            }
        }
        side.live = live;
        side
    }

    /// Moves a unit's state to the path a rename gave it, keeping its identity.
    fn relocate(&mut self, from: &str, state: UnitState, to: String) {
        // Its objects are held under the new path from here on: a copy this landing made of one
        // of them is looked for where the object now is (kubernetes-engine-samples aebcc290
        // renamed a manifest and copied its Deployment in one commit).
        if formats::is_manifest_file(&to) {
            for addr in state.unit.resources.keys() {
                if let Some(ds) = self.objects.get_mut(addr) {
                    if ds.remove(from) {
                        ds.insert(to.clone());
                    }
                }
            }
        }
        if state.id == to {
            self.displaced.remove(&state.id);
        } else {
            self.displaced.insert(state.id.clone());
        }
        self.units.insert(to, state);
    }

    fn apply_unit(
        &mut self,
        dir: &str,
        parsed: Arc<Unit>,
        li: usize,
        ci: usize,
        side: &Side,
        judged: Option<Verdicts>,
    ) {
        let state = match self.units.remove(dir) {
            Some(st) => st,
            None => self.fresh_state(dir, li),
        };
        let unit_id = state.id.clone();
        // Files readable again: who wrote their lines while nobody could parse them.
        let texts: BTreeMap<String, TextOrigins> = self
            .readable_again(&unit_id, &parsed)
            .into_iter()
            .map(|(file, from)| {
                let origins = self.text_origins(&file, from, li);
                (file, origins)
            })
            .collect();
        self.update_file_blind_spots(&unit_id, dir, &parsed, li);

        // Resources last seen in a file that cannot be read now are held as they were: blindness
        // must neither close nor open a window.
        let unreadable: BTreeSet<&str> = parsed.problems.iter().map(|p| p.file.as_str()).collect();
        // A problem naming the unit directory itself means none of it could be listed.
        let whole_unit = unreadable.contains(dir);
        let forget = self.forget(&unit_id, dir, &state.unit, &parsed, li);
        // Fully readable (the usual case): the cached snapshot is shared, not copied.
        let eff: Arc<Unit> = if unreadable.is_empty() && forget.is_empty() {
            Arc::clone(&parsed)
        } else {
            let mut held: Unit = (*parsed).clone();
            for (addr, r) in &state.unit.resources {
                if (whole_unit
                    || unreadable.contains(r.location.file.as_str())
                    || forget.contains(addr))
                    && !held.resources.contains_key(addr)
                {
                    held.resources.insert(addr.clone(), r.clone());
                }
            }
            Arc::new(held)
        };
        self.note_imports(dir, &state.unit, &eff, li);

        let mut landed_here: Vec<Arc<Blamed>> = Vec::new();
        for ch in causes::diff(&state.unit.resources, &eff.resources) {
            // A value an object this landing renamed already had: written by its old writer.
            let earlier = if ch.before.is_none() && !self.inherited.is_empty() {
                self.inherited
                    .get(&(dir.to_string(), ch.address.clone()))
                    .and_then(|i| i.kept.get(&ch.path))
            } else {
                None
            };
            let mut credit = side.attribute(dir, &ch, ci, earlier.map(|b| &**b));
            // Credited to this landing, in a file it made readable: the line's text may be older.
            let traced = (credit.commit == ci && credit.landed.is_none() && !credit.by_merge)
                .then(|| {
                    let line = usize::try_from(ch.location.line.checked_sub(1)?).ok()?;
                    texts.get(&ch.location.file)?.get(line)?.clone()
                })
                .flatten();
            let written_unreadable = traced.is_some();
            if let Some((k, at)) = traced {
                credit.commit = self.landings[k];
                credit.landed = Some((k, self.landings[k]));
                credit.cited_at = Some(at);
            }
            let (landing, landing_commit) = credit.landed.unwrap_or((li, ci));
            let b = Arc::new(Blamed {
                change: ch,
                commit: credit.commit,
                landing,
                landing_commit,
                cited_at: credit.cited_at,
                by_merge: credit.by_merge,
                written_on: credit.written_on,
                written_unreadable,
            });
            landed_here.push(Arc::clone(&b));
            if self
                .watch
                .as_deref()
                .is_some_and(|w| crate::model::matches_resource(&b.change.address, w))
            {
                self.watched
                    .push((unit_id.clone(), dir.to_string(), (*b).clone()));
            }
            // Every value the history ever held passes here once: its secrets are known before
            // anything is reported.
            for v in [&b.change.before, &b.change.after].into_iter().flatten() {
                self.secrets
                    .note_setting(&b.change.address, &b.change.path, v, false);
            }
            self.blame.record(&unit_id, b);
        }

        let landed = Landed::new(&landed_here, &eff, &state.unit);
        let verdicts = match judged {
            Some(v) if Arc::ptr_eq(&eff, &parsed) => v,
            _ => rules::evaluate_unit(self.rules, &eff),
        };
        let (transitions, held) = timeline::transitions(&state.held, &verdicts, li);
        for ((rule_id, address), t) in transitions {
            let Some(rule) = rules::find(self.rules, rule_id) else {
                continue;
            };
            let wkey = (unit_id.clone(), rule_id, address.clone());
            match t {
                // A review's starting snapshot: what holds there is baseline, and its causes are
                // not the range's business (and would cost a history walk each).
                Transition::Open(f) if self.seeding => {
                    let f = Arc::new(f);
                    self.open.insert(wkey, self.windows.len());
                    self.push_window(Box::new(Window {
                        rule: rule_id,
                        unit_id: unit_id.clone(),
                        unit_path: dir.to_string(),
                        file: eff
                            .resources
                            .get(&address)
                            .map(|r| r.location.file.clone())
                            .unwrap_or_default(),
                        address,
                        opened: li,
                        closed: None,
                        latest: Arc::clone(&f),
                        finding: f,
                        causes: Vec::new(),
                        widenings: Vec::new(),
                        other_moves: Vec::new(),
                        remediation: None,
                        baseline: true,
                        files: Vec::new(),
                        copied: false,
                        ambiguous: false,
                        carried_from: None,
                        library: !eff.deploys && !formats::is_manifest_file(dir),
                        superseded: None,
                    }));
                }
                Transition::Open(f) => {
                    let mut causes = self.causes_of(rule, &eff, dir, &unit_id, &address, &f);
                    // What changed here and was necessary, even if it is not evidence: the
                    // removal of a compensating control (a public access block deleted), a
                    // related resource's setting the rule does not name. Only changes to what
                    // the check read are tried: with one commit opening N windows in a unit,
                    // trying every change for every window was N² checks.
                    let reads = causes::reads_of(rule, &eff, &address);
                    for b in landed.read_by(&reads, &address) {
                        let known = causes.iter().any(|c| {
                            c.blamed.change.address == b.change.address
                                && (c.blamed.change.path.starts_with(&b.change.path)
                                    || b.change.path.starts_with(&c.blamed.change.path))
                        });
                        if !known
                            && causes::but_for(
                                rule,
                                &eff,
                                Some(&state.unit),
                                &address,
                                &b.change,
                                false,
                            )
                        {
                            causes.push(Cause {
                                summary: describe(&b.change),
                                blamed: Arc::clone(b),
                                but_for: true,
                            });
                        }
                    }
                    sort_causes(&mut causes);
                    let file = eff
                        .resources
                        .get(&address)
                        .map(|r| r.location.file.clone())
                        .unwrap_or_default();
                    // Renamed or copied with edits here: the object it came from.
                    let carried_from = self
                        .inherited
                        .get(&(dir.to_string(), address.clone()))
                        .map(|i| i.from.clone());
                    let f = Arc::new(f);
                    if is_object(dir, &address) {
                        self.opened_objects.push(self.windows.len());
                    }
                    self.open.insert(wkey, self.windows.len());
                    self.push_window(Box::new(Window {
                        rule: rule_id,
                        unit_id: unit_id.clone(),
                        unit_path: dir.to_string(),
                        address,
                        file,
                        opened: li,
                        closed: None,
                        latest: Arc::clone(&f),
                        finding: f,
                        causes,
                        widenings: Vec::new(),
                        other_moves: Vec::new(),
                        remediation: None,
                        baseline: self.seeding,
                        files: Vec::new(),
                        copied: false,
                        ambiguous: false,
                        carried_from,
                        library: !eff.deploys && !formats::is_manifest_file(dir),
                        superseded: None,
                    }));
                }
                Transition::Continue { before, after } => {
                    let order = after.scope.compare(&before.scope);
                    let widened = order == Some(std::cmp::Ordering::Greater);
                    // Narrower, or incomparable (wider somewhere, narrower elsewhere).
                    let narrowed = order != Some(std::cmp::Ordering::Equal) && !widened;
                    let causes = if widened || narrowed {
                        self.causes_of(rule, &eff, dir, &unit_id, &address, &after)
                            .into_iter()
                            .filter(|c| c.blamed.landing == li)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    if let Some(&w) = self.open.get(&wkey) {
                        if self.holders.contains_key(&w) {
                            self.copy_events.entry(w).or_default().push(after.clone());
                        }
                        let win = &mut self.windows[w];
                        let change = Widening {
                            landing: li,
                            before: before.summary.clone(),
                            after: after.summary.clone(),
                            causes,
                            before_scope: before.scope.clone(),
                            after_scope: after.scope.clone(),
                        };
                        if widened {
                            win.widenings.push(change);
                        } else if narrowed {
                            win.other_moves.push(change);
                        }
                        win.latest = Arc::new(after);
                    }
                }
                Transition::Close(f) => {
                    if let Some(w) = self.open.remove(&wkey) {
                        if let Some(n) = self.holders.get_mut(&w) {
                            if *n > 1 {
                                // Another copy still holds the object: nothing is closed. A copy
                                // fixed while another is not is a disagreement between copies.
                                *n -= 1;
                                if eff.resources.contains_key(&address) {
                                    self.windows[w].ambiguous = true;
                                }
                                if *n == 1 {
                                    self.holders.remove(&w);
                                }
                                self.follow_survivor(w);
                                continue;
                            }
                        }
                        let remediation =
                            self.remediation_of(rule, &eff, &unit_id, &address, &f, &landed);
                        let win = &mut self.windows[w];
                        win.closed = Some(li);
                        win.remediation = remediation;
                        // Fixed where it now is (its unit moved with the fix): shown there. Gone:
                        // shown in the unit that last held it, not in the file git paired with
                        // its deleted one (kubernetes-engine-samples 02373a66 deleted
                        // `metrics-proxy.yaml` and added `metrics-cm.yaml`, a ConfigMap, which
                        // git reads as a rename).
                        if eff.resources.contains_key(&address) {
                            win.unit_path = dir.to_string();
                        }
                    }
                }
                Transition::UndecidedStart { reason } => {
                    let file = eff
                        .resources
                        .get(&address)
                        .map(|r| r.location.file.clone())
                        .unwrap_or_default();
                    let key = (
                        unit_id.clone(),
                        format!("{rule_id} {address}"),
                        String::new(),
                    );
                    self.open_blind.insert(key, self.blind.len());
                    self.blind.push(BlindSpot {
                        from: li,
                        unit: dir.to_string(),
                        file,
                        to: None,
                        reason: format!("{rule_id} cannot be decided for {address}: {reason}"),
                    });
                }
                Transition::UndecidedEnd { .. } => {
                    let key = (
                        unit_id.clone(),
                        format!("{rule_id} {address}"),
                        String::new(),
                    );
                    if let Some(b) = self.open_blind.remove(&key) {
                        self.blind[b].to = Some(li);
                    }
                }
            }
        }
        // Windows still open follow the unit's and the resource's current location.
        for ((u, _, addr), &w) in &self.open {
            if *u == unit_id {
                let shared = self.holders.contains_key(&w);
                let win = &mut self.windows[w];
                if let Some(r) = eff.resources.get(addr) {
                    win.held_in(&r.location.file);
                    // A copied object is shown where it was first seen while that copy lives.
                    if !shared {
                        win.unit_path = dir.to_string();
                        win.file = r.location.file.clone();
                    }
                } else if !shared {
                    win.unit_path = dir.to_string();
                }
            }
        }
        if formats::is_manifest_file(dir) {
            for addr in state.unit.resources.keys() {
                if !eff.resources.contains_key(addr) {
                    if let Some(ds) = self.objects.get_mut(addr) {
                        ds.remove(dir);
                    }
                }
            }
            // Most folds change no object's holders: look before allocating.
            for addr in eff.resources.keys().filter(|a| is_object(dir, a)) {
                match self.objects.get_mut(addr) {
                    Some(ds) if ds.contains(dir) => {}
                    Some(ds) => {
                        ds.insert(dir.to_string());
                    }
                    None => {
                        self.objects
                            .insert(addr.clone(), BTreeSet::from([dir.to_string()]));
                    }
                }
            }
        }
        if !formats::is_manifest_file(dir) {
            if eff.resources.is_empty() && eff.calls.is_empty() && eff.problems.is_empty() {
                self.tf_roots.remove(dir);
            } else {
                self.tf_roots.insert(
                    dir.to_string(),
                    TerraformRoot {
                        dir: dir.to_string(),
                        library: !eff.deploys,
                        instantiates: eff.reads.clone(),
                    },
                );
            }
        }
        let gone = eff.resources.is_empty() && eff.problems.is_empty() && held.is_empty();
        if gone {
            self.displaced.remove(&unit_id);
        } else {
            self.units.insert(
                dir.to_string(),
                UnitState {
                    id: unit_id,
                    unit: eff,
                    held,
                },
            );
        }
    }

    /// Did `addr` leave unit `uid`'s configuration only to be forgotten by Terraform (see
    /// [`Engine::forget`])? Then it did not go anywhere: no move, rename or copy starts from it.
    fn stays_in_cloud(&self, uid: &str, new: &Unit, addr: &str) -> bool {
        new.removed.iter().any(|b| !b.destroy && b.address == addr)
            || self
                .forgotten
                .contains_key(&(uid.to_string(), addr.to_string()))
    }

    /// The resources of a unit that left its configuration only to be forgotten (a `removed`
    /// block with `destroy = false`, now or at an earlier landing): held as they were, because
    /// the cloud still has them as they were. Opens the blind spot that says so for each newly
    /// forgotten one, and closes it for one the configuration names again.
    fn forget(
        &mut self,
        unit_id: &str,
        dir: &str,
        old: &Unit,
        parsed: &Unit,
        li: usize,
    ) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if parsed.removed.is_empty() && self.forgotten.is_empty() {
            return out;
        }
        let back: Vec<(String, String)> = self
            .forgotten
            .range((unit_id.to_string(), String::new())..)
            .take_while(|((u, _), _)| u == unit_id)
            .filter(|((_, a), _)| parsed.resources.contains_key(a))
            .map(|(k, _)| k.clone())
            .collect();
        for k in back {
            if let Some(b) = self.forgotten.remove(&k) {
                self.blind[b].to = Some(li);
            }
        }
        for (addr, r) in &old.resources {
            if parsed.resources.contains_key(addr) {
                continue;
            }
            let key = (unit_id.to_string(), addr.clone());
            if self.forgotten.contains_key(&key) {
                out.insert(addr.clone());
                continue;
            }
            let Some(block) = parsed
                .removed
                .iter()
                .find(|b| !b.destroy && b.address == *addr)
            else {
                continue;
            };
            self.forgotten.insert(key, self.blind.len());
            self.blind.push(BlindSpot {
                from: li,
                unit: dir.to_string(),
                file: r.location.file.clone(),
                to: None,
                reason: format!(
                    "{addr} was removed from the configuration with `destroy = false` ({}:{}): \
                     Terraform forgets it and leaves it in the cloud as it was, so it is held as \
                     last written and its windows stay open; what became of it is not in the history",
                    block.location.file, block.location.line
                ),
            });
            out.insert(addr.clone());
        }
        out
    }

    /// A blind spot for each resource that first appears here through an `import` block: it
    /// existed in the cloud before, with settings the history does not show, so a window that
    /// opens here may have been open before.
    fn note_imports(&mut self, dir: &str, old: &Unit, now: &Unit, li: usize) {
        for addr in &now.imports {
            let Some(r) = now.resources.get(addr) else {
                continue;
            };
            if old.resources.contains_key(addr) {
                continue;
            }
            self.blind.push(BlindSpot {
                from: li,
                unit: dir.to_string(),
                file: r.location.file.clone(),
                to: Some(li),
                reason: format!(
                    "{addr} is imported here (an `import` block): it existed in the cloud before \
                     this landing, with settings the history does not show; an exposure that \
                     opens here may have begun earlier"
                ),
            });
        }
    }

    /// The files of unit `unit_id` that could not be read until now and can be, with the landing
    /// their blind spot opened.
    fn readable_again(&self, unit_id: &str, parsed: &Unit) -> Vec<(String, usize)> {
        if self.open_blind.is_empty() {
            return Vec::new();
        }
        let start = (unit_id.to_string(), String::new(), String::new());
        self.open_blind
            .range(start..)
            .take_while(|((u, _, _), _)| u == unit_id)
            .filter(|((_, file, kind), _)| {
                kind == "file"
                    && !file.is_empty()
                    && !parsed.problems.iter().any(|p| &p.file == file)
            })
            .map(|((_, file, _), &b)| (file.clone(), self.blind[b].from))
            .collect()
    }

    /// For each line `file` has at landing `li`, where its text was first written while the file
    /// could not be read (from landing `from`, its blind spot's opening, on): the landing and the
    /// line in that landing's tree. An exact copy of another unreadable file is followed into the
    /// original (kubernetes-engine-samples d3ed6538 copied invalid manifests into a new folder).
    /// Empty when the versions cannot all be read within the bounds: the lines then stay with
    /// this landing, as setting blame has them. A line first written by a merge landing is not
    /// traced, because which side wrote it is not known by text.
    fn text_origins(&self, file: &str, from: usize, li: usize) -> TextOrigins {
        let tree_at = |k: usize| -> Option<Arc<objects::Tree>> {
            let id = Oid::from_str(&self.commits.id(*self.landings.get(k)?)).ok()?;
            self.repo.commit_tree(&self.repo.commit(id).ok()?).ok()
        };
        let blob_in = |tree: Option<&objects::Tree>, path: &str| -> Option<(Oid, i32)> {
            let e = self.repo.entry_at(tree?, path).ok()??;
            matches!(e.mode, objects::MODE_BLOB | objects::MODE_EXEC).then(|| (e.id(), e.mode))
        };
        let Some(now) = blob_in(tree_at(li).as_deref(), file) else {
            return Vec::new();
        };
        // (landing that wrote it, path, blob and mode), newest first; `cur` is being walked back.
        let mut versions: Vec<(usize, String, (Oid, i32))> = Vec::new();
        let mut cur: Option<(usize, String, (Oid, i32))> = None;
        let (mut path, mut floor, mut k) = (file.to_string(), from, li);
        let mut complete = false;
        for _ in 0..MAX_TEXT_WALK {
            if k == 0 {
                complete = true;
                break;
            }
            k -= 1;
            let tree = tree_at(k);
            // Before the blind spot opened the file was readable (its lines are setting blame's)
            // or absent (then it may have been copied from a file unreadable there).
            let blob = blob_in(tree.as_deref(), &path);
            if k < floor && blob.is_some() {
                complete = true;
                break;
            }
            match (blob, cur.take()) {
                (Some(b), Some((_, p, c))) if b.0 == c.0 => cur = Some((k, p, c)),
                (Some(b), Some(v)) => {
                    versions.push(v);
                    cur = Some((k, path.clone(), b));
                }
                (Some(b), None) => cur = Some((k, path.clone(), b)),
                (None, Some(v)) => {
                    // Created at the landing after `k`: an exact copy of a file unreadable then?
                    // Files of the same name first: a copy into another folder keeps it.
                    let name = |f: &str| f.rsplit('/').next().map(str::to_string);
                    let mut candidates: Vec<&BlindSpot> = self
                        .blind
                        .iter()
                        .filter(|s| {
                            s.file != path
                                && !s.file.is_empty()
                                && s.from <= k
                                && s.to.is_none_or(|t| t > k)
                        })
                        .collect();
                    candidates.sort_by_key(|s| name(&s.file) != name(&path));
                    let source = candidates
                        .into_iter()
                        .take(MAX_COPY_SOURCES)
                        .find(|s| blob_in(tree.as_deref(), &s.file).is_some_and(|b| b.0 == v.2 .0));
                    match source {
                        Some(s) => {
                            (path, floor) = (s.file.clone(), s.from);
                            cur = Some((k, path.clone(), v.2));
                        }
                        None => {
                            cur = Some(v);
                            complete = true;
                            break;
                        }
                    }
                }
                (None, None) => break,
            }
            if versions.len() >= textblame::MAX_VERSIONS {
                break;
            }
        }
        versions.extend(cur);
        if !complete || versions.is_empty() {
            return Vec::new();
        }
        versions.reverse();
        let read = |p: &str, (id, mode): (Oid, i32)| {
            let files = self.repo.read_entries(&[(p.to_string(), id, mode)]);
            files.files.into_iter().next().map(|(_, bytes)| bytes)
        };
        let Some(now) = read(file, now) else {
            return Vec::new();
        };
        let mut texts = Vec::with_capacity(versions.len());
        for (_, p, b) in &versions {
            match read(p, *b) {
                Some(bytes) => texts.push(bytes),
                None => return Vec::new(),
            }
        }
        let texts: Vec<&[u8]> = texts.iter().map(Vec::as_slice).collect();
        let by_merge: Vec<bool> = versions
            .iter()
            .map(|(k, _, _)| self.commits.info(self.landings[*k]).parents.len() > 1)
            .collect();
        textblame::origins(&texts, &now)
            .into_iter()
            .map(|o| {
                let o = o?;
                let (k, p, _) = &versions[o.version];
                (!by_merge[o.version]).then(|| {
                    (
                        *k,
                        Location {
                            file: p.clone(),
                            line: o.line,
                        },
                    )
                })
            })
            .collect()
    }

    /// Opens a blind spot for each file that cannot be read now, closes those readable again.
    fn update_file_blind_spots(&mut self, unit_id: &str, dir: &str, parsed: &Unit, li: usize) {
        // Keyed by (file, kind): one per unreadable file ("file"), one per gap in evaluation
        // ("gap " and its reason: a file can call several modules that are not evaluated).
        let mut now: BTreeMap<(&str, String), &str> = BTreeMap::new();
        for p in &parsed.problems {
            now.entry((p.file.as_str(), "file".to_string()))
                .or_insert(p.reason.as_str());
        }
        for g in &parsed.gaps {
            now.insert(
                (g.file.as_str(), format!("gap {}", g.reason)),
                g.reason.as_str(),
            );
        }
        let open_here: Vec<(String, String, String)> = self
            .open_blind
            .keys()
            .filter(|(u, f, r)| u == unit_id && !r.is_empty() && !f.is_empty())
            .cloned()
            .collect();
        for key in open_here {
            if !now.contains_key(&(key.1.as_str(), key.2.clone())) {
                if let Some(b) = self.open_blind.remove(&key) {
                    self.blind[b].to = Some(li);
                }
            }
        }
        for ((file, kind), reason) in now {
            let key = (unit_id.to_string(), file.to_string(), kind);
            if !self.open_blind.contains_key(&key) {
                self.open_blind.insert(key, self.blind.len());
                self.blind.push(BlindSpot {
                    from: li,
                    unit: dir.to_string(),
                    file: file.to_string(),
                    to: None,
                    reason: reason.to_string(),
                });
            }
        }
    }

    /// Setting blame for every evidence setting of a finding, with the but-for test.
    fn causes_of(
        &mut self,
        rule: &Rule,
        unit: &Unit,
        dir: &str,
        unit_id: &str,
        primary: &str,
        f: &Finding,
    ) -> Vec<Cause> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for ev in &f.evidence {
            let Some(mut b) = self.blame.lookup(unit_id, &ev.address, &ev.path).cloned() else {
                continue;
            };
            if self.seed.is_some() && b.landing == 0 {
                // Written before the review's range: find who actually wrote it.
                let key = (
                    unit_id.to_string(),
                    b.change.address.clone(),
                    b.change.path.clone(),
                );
                let traced = match self.traced.get(&key) {
                    Some(t) => t.clone(),
                    None => {
                        let t = self.trace_before_seed(dir, &b.change.address, &b.change.path);
                        self.traced.insert(key, t.clone());
                        t
                    }
                };
                if let Some(t) = traced {
                    b = Arc::new(t);
                }
            }
            if !seen.insert((b.change.address.clone(), b.change.path.clone())) {
                continue;
            }
            let but_for = causes::but_for(rule, unit, None, primary, &b.change, false);
            out.push(Cause {
                summary: describe(&b.change),
                blamed: b,
                but_for,
            });
        }
        sort_causes(&mut out);
        // Kept for the window's life: without the room pushing leaves (causes are 200 bytes).
        out.shrink_to_fit();
        out
    }

    /// Who gave a setting its value before a review's range: the landing before the seed where the
    /// value became what it is at the seed (for a merge, the merged-side commit that wrote it).
    fn trace_before_seed(
        &mut self,
        dir: &str,
        address: &str,
        path: &SettingPath,
    ) -> Option<Blamed> {
        let repo = self.repo;
        let value_in = |unit: &Unit| -> Option<Value> {
            let r = unit.resources.get(address)?;
            if path.is_root() {
                Some(Value::Bool(true))
            } else {
                r.get(path).cloned()
            }
        };
        let unit_at = |this: &mut Self, i: usize| -> Arc<Unit> {
            match this
                .before_seed
                .entry(i)
                .and_then(|(_, t)| repo.find_tree(t))
            {
                Some(tree) => this.snapshots.unit_at(repo, &tree, dir),
                None => Arc::new(Unit::default()),
            }
        };
        self.before_seed.start(repo, self.seed);
        let target = value_in(&unit_at(self, 0));
        let mut k = 0;
        loop {
            // Nothing more known and the walk at the root: give up.
            let i = self.before_seed.change(repo, self.seed, dir, k)?;
            k += 1;
            let before = value_in(&unit_at(self, i + 1));
            if before == target {
                continue;
            }
            let chain_i = self.before_seed.entry(i)?;
            // The value became `target` at landing `chain[i]`.
            let landing_commit = repo.commit(chain_i.0).ok()?;
            let landing = self.commits.intern(repo.commit_info(&landing_commit));
            let location = unit_at(self, i)
                .resources
                .get(address)
                .map(|r| r.location_of(path))
                .unwrap_or(crate::model::Location {
                    file: String::new(),
                    line: 0,
                });
            let change = SettingChange {
                address: address.to_string(),
                path: path.clone(),
                before,
                after: target,
                location,
            };
            let credit = if landing_commit.parent_count() > 1 {
                let touched: BTreeSet<String> = [dir.to_string()].into_iter().collect();
                let side = self.side_attribution(&landing_commit, &touched, None);
                side.attribute(dir, &change, landing, None)
            } else {
                Credit {
                    commit: landing,
                    cited_at: None,
                    by_merge: false,
                    written_on: None,
                    landed: None,
                }
            };
            return Some(Blamed {
                change,
                commit: credit.commit,
                landing: 0,
                landing_commit: landing,
                cited_at: credit.cited_at,
                by_merge: credit.by_merge,
                written_on: credit.written_on,
                written_unreadable: false,
            });
        }
    }

    /// The change that closed a window: the resource removed, else a change to its evidence at
    /// this landing, else another change of the unit at this landing (a compensating control).
    fn remediation_of(
        &self,
        rule: &Rule,
        unit: &Unit,
        unit_id: &str,
        primary: &str,
        f: &Finding,
        landed: &Landed<'_>,
    ) -> Option<Cause> {
        let root = SettingPath::root();
        let pick = landed
            .at(primary)
            .find(|b| b.change.path == root && b.change.after.is_none())
            .or_else(|| {
                f.evidence.iter().find_map(|ev| {
                    landed.at(&ev.address).find(|b| {
                        b.change.path.starts_with(&ev.path) || ev.path.starts_with(&b.change.path)
                    })
                })
            })
            .or_else(|| landed.at(primary).next())
            .or_else(|| landed.all.first())
            .or_else(|| self.blame.lookup(unit_id, primary, &root))?;
        let but_for = if pick.change.path.is_root() && pick.change.after.is_none() {
            true
        } else {
            causes::but_for(rule, unit, None, primary, &pick.change, true)
        };
        Some(Cause {
            summary: describe(&pick.change),
            blamed: Arc::clone(pick),
            but_for,
        })
    }

    /// Every unit as the last landing stepped left it, by directory (what HEAD holds, for a
    /// review that places its findings at file:line in HEAD). Shared, not copied.
    pub fn current_units(&self) -> BTreeMap<String, Arc<Unit>> {
        self.units
            .iter()
            .map(|(d, s)| (d.clone(), Arc::clone(&s.unit)))
            .collect()
    }

    /// Where each unit is as the last landing stepped left it: identity → directory (a review
    /// writes a finding under the path HEAD has, whatever renames came after its window).
    pub fn current_unit_paths(&self) -> BTreeMap<String, String> {
        self.units
            .iter()
            .map(|(d, s)| (s.id.clone(), d.clone()))
            .collect()
    }

    /// The date of the last landing folded (for the progress bar).
    pub fn reached(&self) -> String {
        self.landings
            .last()
            .map(|&i| {
                let at = &self.commits.info(i).committer.at;
                at.get(..10).unwrap_or(at).to_string()
            })
            .unwrap_or_default()
    }

    pub fn finish(mut self, reference: &str, tip: Oid) -> ScanResult {
        let others = std::mem::take(&mut self.side_examined);
        let anomalies = {
            let mut a = attribution::anomalies(&self.commits, &self.landings, &others);
            a.sort_by_key(|x| (self.commits.get(&x.commit), x.kind.clone()));
            a
        };
        let mut blind = self.blind;
        if !self.landings.is_empty() {
            blind.extend(self.history_blind.into_iter().map(|reason| BlindSpot {
                from: 0,
                unit: String::new(),
                file: String::new(),
                to: None,
                reason,
            }));
        }
        blind.sort();
        let mut watched_at_tip = Vec::new();
        if let Some(w) = self.watch.as_deref() {
            for (dir, st) in &self.units {
                for (addr, res) in &st.unit.resources {
                    if crate::model::matches_resource(addr, w) {
                        watched_at_tip.push((dir.clone(), addr.clone(), res.location.file.clone()));
                    }
                }
            }
        }
        let called = formats::terraform::modules::called(&self.graph, &self.repo.terraform.roots);
        let mut terraform_roots: Vec<TerraformRoot> = std::mem::take(&mut self.tf_roots)
            .into_values()
            .filter(|t| {
                !called.contains(&t.dir)
                    && (self.units.contains_key(&t.dir) || self.graph.contains_key(&t.dir))
            })
            .collect();
        if terraform_roots
            .iter()
            .all(|r| !r.library && r.instantiates.is_empty())
        {
            terraform_roots.clear();
        }
        let redactor = redact_result(
            std::mem::take(&mut self.secrets),
            &mut self.windows,
            &mut blind,
            &mut self.watched,
        );
        ScanResult {
            redactor,
            terraform_roots,
            repository: self.repo.given.clone(),
            reference: reference.to_string(),
            head: tip.to_string(),
            landings: self.landings,
            commits: self.commits,
            windows: self.windows,
            blind_spots: blind,
            anomalies,
            rules: self.rules,
            until: None,
            ledger: self.repo.take_ledger(),
            watched: self.watched,
            watched_at_tip,
            suppression_units: self.snapshots.marked,
            pull_heads: self.pulls.len(),
            pulled: self.pulled,
        }
    }
}

/// A landing as read from the repository, before the fold: its commit, the IaC files it changed,
/// and the parsed units it touched. Reading is most of a scan's cost and depends on nothing the
/// fold holds, so a scan prepares landings on a reader thread ahead of the fold.
pub struct Prepared {
    oid: Oid,
    info: Result<crate::history::CommitInfo, String>,
    changes: Result<crate::history::Changes, String>,
    units: HashMap<String, Arc<Unit>>,
    /// Roots that read a directory this landing changed (by the fold's last [`ReadsHint`]),
    /// evaluated at this landing's tree: the fold takes them instead of evaluating them itself.
    dependants: HashMap<String, Arc<Unit>>,
    /// The rules' verdicts on each readable unit above, by directory, judged by the reader: the
    /// fold uses them when it folds that very unit (most landings), and judges it itself
    /// otherwise.
    verdicts: HashMap<String, (Arc<Unit>, Verdicts)>,
}

/// A unit's verdicts, by (rule, address).
type Verdicts = BTreeMap<(&'static str, String), rules::Verdict>;

/// The roots whose evaluation reads other directories (the modules they instantiate), as the
/// readers have seen them: root → the directories it reads, from the last evaluation of it any
/// reader made. With it a reader evaluates ahead, on its own thread, the roots its landing's
/// changes reach, which was a third of the fold's time on a history of module changes
/// (profiled: a change to a shared module evaluates every root that instantiates it again).
/// Readers see landings out of order and ahead of the fold, so the hint may be stale; that costs
/// only work (a root evaluated for nothing, or one the fold evaluates itself), never a different
/// result: what a reader gives is the unit at that landing's tree, exactly as the fold would
/// read it there.
#[derive(Default, Clone)]
pub struct ReadsHint(Arc<std::sync::RwLock<Arc<RootReads>>>);

/// Root → the directories its evaluation read.
type RootReads = BTreeMap<String, Vec<String>>;

impl ReadsHint {
    fn get(&self) -> Arc<RootReads> {
        Arc::clone(
            &self
                .0
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Records what the evaluation of `dir` read (nothing: `dir` reads no other directory).
    fn note(&self, dir: &str, unit: &Unit) {
        let known = self.get();
        if known
            .get(dir)
            .map_or(unit.reads.is_empty(), |r| *r == unit.reads)
        {
            return;
        }
        let mut w = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut map = (**w).clone();
        if unit.reads.is_empty() {
            map.remove(dir);
        } else {
            map.insert(dir.to_string(), unit.reads.clone());
        }
        *w = Arc::new(map);
    }
}

/// Reads one landing: commit, tree compare against the first parent, and every unit the
/// compare touched (those under an unreadable subtree excepted); with them the roots `hint`
/// says read a touched directory, and the `rules`' verdicts on every readable unit read.
pub fn prepare(
    repo: &Repo,
    snapshots: &mut Snapshots,
    hint: &ReadsHint,
    rules: &'static [Rule],
    oid: Oid,
) -> Prepared {
    let mut out = Prepared {
        oid,
        info: Err(String::new()),
        changes: Err(String::new()),
        units: HashMap::new(),
        dependants: HashMap::new(),
        verdicts: HashMap::new(),
    };
    let commit = match repo.commit(oid) {
        Ok(c) => c,
        Err(e) => {
            out.info = Err(format!("commit {oid} cannot be read: {}", e.message()));
            return out;
        }
    };
    out.info = Ok(repo.commit_info(&commit));
    let tree = match repo.commit_tree(&commit) {
        Ok(t) => t,
        Err(e) => {
            out.changes = Err(format!("tree of {oid} cannot be read: {e}"));
            return out;
        }
    };
    // Within a reader's block the parent is the landing prepared just before: its tree is
    // known, so the parent commit is not read again.
    let parent_tree = match (commit.parent_id(0), snapshots.previous) {
        (Ok(p), Some((prev, prev_tree))) if p == prev => repo.find_tree(prev_tree),
        _ => repo.first_parent_tree(&commit),
    };
    snapshots.previous = Some((oid, commit.tree_id()));
    let changes = repo.changes(parent_tree.as_deref(), Some(&tree));
    let hidden = |dir: &str| changes.hides(dir);
    // The unit directories the compare touched, vendored modules included (roots read them).
    let changed: BTreeSet<&str> = changes
        .files
        .iter()
        .flat_map(|c| [c.old_path.as_deref(), c.new_path.as_deref()])
        .flatten()
        .map(formats::unit_of)
        .collect();
    let dirs: BTreeSet<&str> = changed
        .iter()
        .copied()
        .filter(|d| !hidden(d) && !formats::is_vendored(d))
        .collect();
    let roots = hint.get();
    if !roots.is_empty() {
        for (root, reads) in roots.iter() {
            if !changed.contains(root.as_str())
                && !hidden(root)
                && reads.iter().any(|r| changed.contains(r.as_str()))
            {
                let unit = snapshots.unit_at(repo, &tree, root);
                hint.note(root, &unit);
                out.dependants.insert(root.clone(), unit);
            }
        }
    }
    for dir in dirs {
        let unit = snapshots.unit_at(repo, &tree, dir);
        hint.note(dir, &unit);
        out.units.insert(dir.to_string(), unit);
    }
    // A unit with a file it could not read is folded with what that file held before, not as
    // read here: judged by the fold.
    for (dir, u) in out.units.iter().chain(out.dependants.iter()) {
        if u.problems.is_empty() {
            let verdicts = rules::evaluate_unit(rules, u);
            out.verdicts.insert(dir.clone(), (Arc::clone(u), verdicts));
        }
    }
    out.changes = Ok(changes);
    out
}

/// Redacts the secrets of a finished scan from everything it reports: the values of causes,
/// widenings and remediations (all of them, for a rule about written secrets), summaries,
/// blind spots and the watched resource's changes.
fn redact_result(
    mut secrets: crate::redact::Redactor,
    windows: &mut [Box<Window>],
    blind: &mut [BlindSpot],
    watched: &mut [(String, String, Blamed)],
) -> crate::redact::Redactor {
    for w in windows.iter() {
        if !crate::redact::is_secret_rule(w.rule) {
            continue;
        }
        for c in w.every_change() {
            let ch = &c.blamed.change;
            for v in [&ch.before, &ch.after].into_iter().flatten() {
                secrets.note_setting(&ch.address, &ch.path, v, true);
            }
        }
    }
    let change = |secrets: &crate::redact::Redactor, ch: &mut SettingChange| {
        ch.before = ch.before.as_ref().map(|v| secrets.redact_value(v));
        ch.after = ch.after.as_ref().map(|v| secrets.redact_value(v));
    };
    let cause = |secrets: &crate::redact::Redactor, c: &mut Cause| {
        let b = Arc::make_mut(&mut c.blamed);
        change(secrets, &mut b.change);
        c.summary = secrets.redact_str(&c.summary);
    };
    for w in windows.iter_mut() {
        for c in w.causes.iter_mut() {
            cause(&secrets, c);
        }
        for wd in w.widenings.iter_mut().chain(w.other_moves.iter_mut()) {
            wd.before = secrets.redact_str(&wd.before);
            wd.after = secrets.redact_str(&wd.after);
            for c in wd.causes.iter_mut() {
                cause(&secrets, c);
            }
        }
        if let Some(c) = w.remediation.as_mut() {
            cause(&secrets, c);
        }
        for f in [&mut w.finding, &mut w.latest] {
            let s = secrets.redact_str(&f.summary);
            if s != f.summary {
                Arc::make_mut(f).summary = s;
            }
        }
    }
    for b in blind.iter_mut() {
        b.reason = secrets.redact_str(&b.reason);
    }
    for (_, _, b) in watched.iter_mut() {
        change(&secrets, &mut b.change);
    }
    secrets
}

/// Causes in reading order: necessary ones first, then the most recent, then by setting.
fn sort_causes(causes: &mut [Cause]) {
    causes.sort_by(|a, b| {
        let key = |c: &Cause| {
            (
                !c.but_for,
                std::cmp::Reverse(c.blamed.landing),
                c.blamed.change.address.clone(),
                c.blamed.change.path.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// One line for a setting change.
pub fn describe(ch: &SettingChange) -> String {
    match (&ch.before, &ch.after, ch.path.is_root()) {
        (None, Some(_), true) => format!("{} created", ch.address),
        (Some(_), None, true) => format!("{} removed", ch.address),
        (None, Some(a), _) => format!("{}.{} set to {a}", ch.address, ch.path),
        (Some(b), None, _) => format!("{}.{} removed (was {b})", ch.address, ch.path),
        (Some(b), Some(a), _) => format!("{}.{} changed from {b} to {a}", ch.address, ch.path),
        (None, None, _) => format!("{}.{}", ch.address, ch.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(address: &str, kind: &str, settings: &[(&str, &str)]) -> crate::model::Resource {
        crate::model::Resource {
            address: address.into(),
            kind: kind.into(),
            location: Location {
                file: "f".into(),
                line: 1,
            },
            body: Value::Map(
                settings
                    .iter()
                    .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                    .collect(),
            ),
            locations: BTreeMap::new(),
        }
    }

    #[test]
    fn a_rename_is_the_same_kind_of_thing_sharing_half_its_values() {
        let old = res(
            "aws_s3_bucket.a",
            "aws_s3_bucket",
            &[("bucket", "b"), ("acl", "public-read")],
        );
        let renamed = res(
            "aws_s3_bucket.b",
            "aws_s3_bucket",
            &[("bucket", "b"), ("acl", "public-read")],
        );
        let edited = res(
            "aws_s3_bucket.c",
            "aws_s3_bucket",
            &[("bucket", "b"), ("acl", "private")],
        );
        let other = res(
            "aws_s3_bucket.d",
            "aws_s3_bucket",
            &[("bucket", "x"), ("acl", "private")],
        );
        let other_type = res(
            "aws_sqs_queue.a",
            "aws_sqs_queue",
            &[("bucket", "b"), ("acl", "public-read")],
        );
        let l = [("tf", &old)];
        // The best match wins; half the settings is enough; nothing shared is not a rename.
        assert_eq!(
            rename_pairs(&l, &[("tf", &edited), ("tf", &renamed)]),
            vec![(0, 1)]
        );
        assert_eq!(rename_pairs(&l, &[("tf", &edited)]), vec![(0, 0)]);
        assert!(rename_pairs(&l, &[("tf", &other)]).is_empty());
        assert!(rename_pairs(&l, &[("tf", &other_type)]).is_empty());
        // Each object once.
        let two = [("tf", &old), ("tf", &edited)];
        assert_eq!(rename_pairs(&two, &[("tf", &renamed)]), vec![(0, 0)]);
    }

    /// The one object of a manifest's text.
    fn object(text: &str) -> crate::model::Resource {
        let d = crate::formats::tree::parse_yaml(text);
        let u = formats::kubernetes::read("k8s/app.yaml", &d.docs);
        u.resources.into_values().next().expect("one object")
    }

    const POD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
    - name: web
      image: web:2
      ports: [{containerPort: 80}]
      securityContext:
        privileged: true
"#;

    #[test]
    fn a_pod_converted_to_a_controller_is_compared_by_the_pod_it_runs() {
        let pod = object(POD);
        // The same container in a Deployment's template, with what only a controller has and a
        // pod setting added: the pods share four of five settings.
        let deploy = object(
            r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: web:2
          ports: [{containerPort: 80}]
          securityContext:
            privileged: true
"#,
        );
        // Another workload of the same name running something else.
        let other = object(
            r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: proxy
          image: proxy:1
"#,
        );
        let l = [("k8s/web-pod.yaml", &pod)];
        assert_eq!(
            rename_pairs(&l, &[("k8s/web-deployment.yaml", &deploy)]),
            vec![(0, 0)]
        );
        assert!(rename_pairs(&l, &[("k8s/web-deployment.yaml", &other)]).is_empty());
        // As a Deployment would hold it: the pod under the template, lines kept.
        let r = reframed(&pod, "Deployment").expect("a Pod reframes into a Deployment");
        let p = SettingPath::root()
            .key("spec")
            .key("template")
            .key("spec")
            .key("containers")
            .key("web")
            .key("securityContext")
            .key("privileged");
        assert_eq!(r.get(&p), Some(&Value::Bool(true)));
        assert_eq!(r.locations.get(&p).map(|l| l.line), Some(12));
        // Kinds that keep their pod in the same place, or run none, are not reframed.
        assert!(reframing("ReplicationController", "Deployment").is_none());
        assert!(reframing("Pod", "Service").is_none());
        assert!(reframed(&pod, "Pod").is_none());
    }

    #[test]
    fn a_kubernetes_rename_keeps_the_kind_or_the_name() {
        let d = |a: &str, k: &str| res(a, k, &[("image", "api:1"), ("replicas", "2")]);
        let (was, dir) = (d("Deployment/shop/api", "Deployment"), "k/app.yaml");
        let l = [(dir, &was)];
        let ns_dropped = d("Deployment/api", "Deployment");
        let kind_changed = d("StatefulSet/shop/api", "StatefulSet");
        let unrelated = d("StatefulSet/shop/db", "StatefulSet");
        assert_eq!(rename_pairs(&l, &[(dir, &ns_dropped)]), vec![(0, 0)]);
        assert_eq!(
            rename_pairs(&l, &[("other.yaml", &kind_changed)]),
            vec![(0, 0)]
        );
        assert!(rename_pairs(&l, &[(dir, &unrelated)]).is_empty());
        // A Kubernetes object never pairs with a Terraform resource.
        assert!(rename_pairs(&l, &[("tf", &ns_dropped)]).is_empty());
    }

    #[test]
    fn a_copy_on_a_side_comes_from_a_folder_that_wrote_two_thirds_of_it_before() {
        let settings: Vec<(String, String)> =
            (0..6).map(|i| (format!("k{i}"), format!("v{i}"))).collect();
        let pairs: Vec<(&str, &str)> = settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let copy = res("Pod/mysql", "Pod", &pairs);
        let wrote = |side: &mut Side, dir: &str, commit: usize| {
            side.dirs_of
                .entry("Pod/mysql".into())
                .or_default()
                .insert(dir.to_string());
            for (k, v) in &settings {
                side.writes
                    .entry(("Pod/mysql".into(), SettingPath::parse(k)))
                    .or_default()
                    .push(SideWrite {
                        dir: dir.to_string(),
                        commit,
                        after: Some(Value::String(v.clone())),
                        at: Location {
                            file: dir.to_string(),
                            line: 1,
                        },
                        by_merge: false,
                        written_on: None,
                    });
            }
        };
        let mut side = Side::default();
        wrote(&mut side, "wordpress/mysql.yaml", 1);
        assert_eq!(
            side.copy_source("cinder/mysql.yaml", &copy, 2, &|_| None)
                .as_deref(),
            Some("wordpress/mysql.yaml")
        );
        // Written by the same commit: two writes, not a copy.
        assert_eq!(
            side.copy_source("cinder/mysql.yaml", &copy, 1, &|_| None),
            None
        );
        // A name in more folders than the bound: too common to say, and never compared.
        for i in 0..MAX_SIDE_SOURCES {
            wrote(&mut side, &format!("gen/{i}.yaml"), 1);
        }
        assert_eq!(
            side.copy_source("cinder/mysql.yaml", &copy, 2, &|_| None),
            None
        );
    }

    #[test]
    fn a_copy_from_afar_is_named_after_its_original() {
        assert!(named_after("existing-mysql", "existing-mysql-a"));
        assert!(named_after("whereami-grpc", "whereami"));
        // Too short to say, the same name, or unrelated names.
        assert!(!named_after("db", "db-a"));
        assert!(!named_after("mysql", "mysql"));
        assert!(!named_after("frontend", "backend"));
    }

    #[test]
    fn a_copy_that_carried_its_new_name_into_its_values_is_read_with_the_old_name() {
        let of = |name: &str, own: &[(&str, &str)]| {
            let mut s: Vec<(String, String)> = [
                ("app", name.to_string()),
                ("container", name.to_string()),
                ("account", format!("{name}-ksa")),
                ("config", format!("{name}-configmap")),
                ("version", "v1".to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            s.extend(own.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            let s: Vec<(&str, &str)> = s.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            res(&format!("Deployment/{name}"), "Deployment", &s)
        };
        let own = [
            ("image", "whereami:1"),
            ("env.a", "POD_IP"),
            ("env.b", "BACKEND"),
            ("env.c", "METADATA"),
            ("port", "8080"),
            ("probe", "/healthz"),
        ];
        let original = of("whereami", &own);
        let mut edited = own;
        edited[4].1 = "9090";
        edited[5].1 = "grpc";
        let copy = of("whereami-grpc", &edited);
        let theirs = [
            ("image", "payments:2"),
            ("env.a", "LEDGER"),
            ("env.b", "CURRENCY"),
            ("env.c", "REGION"),
            ("port", "7070"),
            ("probe", "/ready"),
        ];
        let same_pattern = of("payments", &theirs);
        let a = shape(&original);
        // As written the copy shares its version and four values of its own, 5 of 11: not a
        // copy by `copied`.
        assert!(!copied(&a, &shape(&copy)));
        // With `whereami-grpc` read as `whereami`, 9 of 11.
        assert!(copied_renamed(&a, &copy, "whereami"));
        // An object of the same pattern shares its name's places and its version, 5 of 11.
        assert!(!copied_renamed(&a, &same_pattern, "whereami"));
        // A name that is nowhere in the values leaves nothing to read otherwise.
        assert!(!copied_renamed(&a, &of("x", &own), "whereami"));
    }
}
