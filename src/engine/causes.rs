//! Causes: setting blame and the but-for test.
//!
//! Takes the snapshots of a unit before and after a landing; gives the setting changes between
//! them (resource address, setting path, before, after, where it was written) and keeps, for every
//! setting, the change that last gave it its value. That is setting blame: it compares resolved
//! values, not lines, so a reformat, reordered attributes or a resource moved to another file of
//! its unit is not a change, and the cause stays with whoever wrote the value.
//!
//! The but-for test re-evaluates the rule on the unit as it was when the window opened with one
//! setting put back to its value before the change: if the rule then passes, the change was
//! necessary for the exposure. An undecided result is not a pass, so it is not a but-for cause.

use crate::model::{Location, Resource, SettingPath, Unit, Value};
use crate::rules::{Rule, UnitView, Verdict};
use std::collections::BTreeMap;

/// One setting that differs between two snapshots of a unit. The root path stands for the
/// resource itself: created (`before` is `None`) or removed (`after` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingChange {
    pub address: String,
    pub path: SettingPath,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// Where the new value is written (for a removal, where the old one was).
    pub location: Location,
}

/// The settings that differ between two versions of a unit's resources, in address/path order.
pub fn diff(
    old: &BTreeMap<String, Resource>,
    new: &BTreeMap<String, Resource>,
) -> Vec<SettingChange> {
    let mut out = Vec::new();
    let addresses: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for addr in addresses {
        let (o, n) = (old.get(addr), new.get(addr));
        if let (Some(o), Some(n)) = (o, n) {
            if o.body == n.body {
                continue;
            }
        }
        let leaves = |r: Option<&Resource>| -> BTreeMap<SettingPath, Value> {
            r.map(|r| {
                r.body
                    .leaves()
                    .into_iter()
                    .map(|(p, v)| (p, v.clone()))
                    .collect()
            })
            .unwrap_or_default()
        };
        let (ol, nl) = (leaves(o), leaves(n));
        match (o, n) {
            (None, Some(n)) => out.push(SettingChange {
                address: addr.clone(),
                path: SettingPath::root(),
                before: None,
                after: Some(Value::Bool(true)),
                location: n.location.clone(),
            }),
            (Some(o), None) => out.push(SettingChange {
                address: addr.clone(),
                path: SettingPath::root(),
                before: Some(Value::Bool(true)),
                after: None,
                location: o.location.clone(),
            }),
            _ => {}
        }
        let paths: std::collections::BTreeSet<&SettingPath> = ol.keys().chain(nl.keys()).collect();
        for p in paths {
            let (b, a) = (ol.get(p), nl.get(p));
            if b == a || p.is_root() {
                continue;
            }
            let location = match (n, a) {
                (Some(n), Some(_)) => n.location_of(p),
                _ => o.map(|o| o.location_of(p)).unwrap_or_else(|| Location {
                    file: String::new(),
                    line: 0,
                }),
            };
            out.push(SettingChange {
                address: addr.clone(),
                path: p.clone(),
                before: b.cloned(),
                after: a.cloned(),
                location,
            });
        }
    }
    out
}

/// The change that last gave a setting its value, with who made it (indices into the scan's
/// commit table and landing list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blamed {
    pub change: SettingChange,
    /// Index of the authoring commit in the commit table.
    pub commit: usize,
    /// Index of the landing through which it reached the ref (in the scan's landing list).
    pub landing: usize,
    /// Commit-table index of that landing. Usually the landing list's entry; for a change made
    /// before a review's range (found by walking back), a landing the scan did not step through.
    pub landing_commit: usize,
    /// Where the value is written in the tree of `commit`, when that is not where the landing has
    /// it (`change.location`): a change made on a merged side, before later commits moved lines.
    /// A cited `file:line` must be true of the commit it is cited with.
    pub cited_at: Option<Location>,
    /// `commit` is a merge that wrote the value itself: it is in none of the merge's parents (a
    /// conflict resolution or an "evil merge"). A merge is never the author otherwise.
    pub by_merge: bool,
    /// The address the value was written on, when that is not `change.address`: an object
    /// renamed since (a Terraform resource renamed without a `moved` block, a Kubernetes object
    /// whose namespace, kind or name was edited) keeps the values it did not change, and their
    /// writers with them.
    pub written_on: Option<String>,
    /// The value was written while its file could not be parsed, so `commit` was found by the
    /// line's text (whitespace ignored) through the unreadable versions, not by its value (see
    /// [`crate::engine::textblame`]); the window opened where the file became readable.
    pub written_unreadable: bool,
}

impl Blamed {
    /// Where the value is written in the cited commit.
    pub fn cited_location(&self) -> &Location {
        self.cited_at.as_ref().unwrap_or(&self.change.location)
    }
}

/// Setting blame for the current state of every unit: `(unit identity, address, path) → change`.
#[derive(Debug, Default)]
pub struct BlameStore {
    /// Shared with the causes that name them: the causes of many windows name the same change,
    /// and a copy of its values each was most of what a long history's findings held.
    by_setting: BTreeMap<(String, String, SettingPath), std::sync::Arc<Blamed>>,
}

impl BlameStore {
    pub fn record(&mut self, unit: &str, b: std::sync::Arc<Blamed>) {
        let key = (
            unit.to_string(),
            b.change.address.clone(),
            b.change.path.clone(),
        );
        if b.change.path.is_root() && b.change.after.is_none() {
            // A removed resource: forget its settings, keep the removal.
            let addr = b.change.address.clone();
            self.by_setting
                .retain(|(u, a, _), _| !(u == unit && *a == addr));
        }
        self.by_setting.insert(key, b);
    }

    /// Gives the blame of every setting of `address` in unit `from` to `to_address` in unit `to`
    /// (an object copied or moved to another file, or renamed by a `moved` block): its values keep
    /// their writers. `keep` leaves `from`'s (a copy); otherwise they move.
    pub fn carry(
        &mut self,
        (from, address): (&str, &str),
        (to, to_address): (&str, &str),
        keep: bool,
    ) {
        let lo = (from.to_string(), address.to_string(), SettingPath::root());
        let keys: Vec<(String, String, SettingPath)> = self
            .by_setting
            .range(lo..)
            .take_while(|((u, a, _), _)| u == from && a == address)
            .map(|(k, _)| k.clone())
            .collect();
        // What `to` knew of the address is replaced, not mixed.
        let stale: Vec<(String, String, SettingPath)> = self
            .by_setting
            .range((to.to_string(), to_address.to_string(), SettingPath::root())..)
            .take_while(|((u, a, _), _)| u == to && a == to_address)
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            self.by_setting.remove(&k);
        }
        for k in keys {
            let b = if keep {
                self.by_setting.get(&k).cloned()
            } else {
                self.by_setting.remove(&k)
            };
            if let Some(b) = b {
                self.by_setting
                    .insert((to.to_string(), to_address.to_string(), k.2), b);
            }
        }
    }

    /// The change that last set `path` on `address`: the path itself, else the nearest enclosing
    /// setting that changed (a block added whole), else the resource's creation.
    pub fn lookup(
        &self,
        unit: &str,
        address: &str,
        path: &SettingPath,
    ) -> Option<&std::sync::Arc<Blamed>> {
        let mut p = path.clone();
        loop {
            if let Some(b) =
                self.by_setting
                    .get(&(unit.to_string(), address.to_string(), p.clone()))
            {
                return Some(b);
            }
            p.0.pop()?;
        }
    }
}

/// Does `unit` already hold the value `change` gives (its resource present with that value at
/// that path; for the root path, the resource present or absent as the change leaves it)? Used to
/// tell a value a merge took from one of its parents from one it wrote itself.
pub fn holds(unit: &Unit, change: &SettingChange) -> bool {
    let res = unit.resources.get(&change.address);
    if change.path.is_root() {
        return res.is_some() == change.after.is_some();
    }
    res.and_then(|r| r.get(&change.path)) == change.after.as_ref()
}

/// What `rule` reads of `unit` when it judges `primary`: a change to a resource outside it
/// cannot change the verdict, so the but-for test need not try it.
pub fn reads_of(rule: &Rule, unit: &Unit, primary: &str) -> crate::rules::Reads {
    let reads = std::cell::RefCell::new(crate::rules::Reads::default());
    let view = UnitView::recording(unit, &reads);
    if let Some(r) = view.get(primary) {
        let _ = (rule.check)(r, &view);
    }
    reads.into_inner()
}

/// The but-for test: does the rule stop firing on `primary` when `change` alone is undone on
/// `unit`? `expect_violation` flips the question for remediations (does undoing the fix make it
/// fire again?). `previous` is the unit before the change, needed to undo a removal (a deleted
/// public access block is put back as it was).
pub fn but_for(
    rule: &Rule,
    unit: &Unit,
    previous: Option<&Unit>,
    primary: &str,
    change: &SettingChange,
    expect_violation: bool,
) -> bool {
    // The one resource the revert touches, as it leaves it (`None`: removed); the rest of the
    // unit is read where it is, through a patched view, not copied.
    let reverted: Option<Resource> = if change.path.is_root() {
        match (&change.before, &change.after) {
            (None, _) => None,
            (Some(_), None) => match previous.and_then(|p| p.resources.get(&change.address)) {
                Some(old) => Some(old.clone()),
                None => return false,
            },
            (Some(_), Some(_)) => return false,
        }
    } else {
        let Some(res) = unit.resources.get(&change.address) else {
            return false;
        };
        let mut res = res.clone();
        if !res.body.set_path(&change.path, change.before.clone()) && change.before.is_some() {
            return false;
        }
        Some(res)
    };
    let view = UnitView::patched(unit, &change.address, reverted.as_ref());
    let verdict = match view.get(primary) {
        Some(r) => (rule.check)(r, &view),
        None => Verdict::Pass,
    };
    if expect_violation {
        matches!(verdict, Verdict::Violation(_))
    } else {
        verdict == Verdict::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::terraform::parse_unit;

    fn unit(src: &str, file: &str) -> Unit {
        parse_unit("u", &[(file.to_string(), src.as_bytes().to_vec())])
    }

    #[test]
    fn reformatting_and_moving_to_another_file_is_no_change() {
        let a = unit(
            "resource \"aws_kms_key\" \"k\" {\n  description = \"x\"\n  enable_key_rotation = false\n}\n",
            "u/main.tf",
        );
        let b = unit(
            "# moved\nresource \"aws_kms_key\" \"k\" {\n    enable_key_rotation = false\n\n    description   =   \"x\"\n}\n",
            "u/keys.tf",
        );
        assert!(diff(&a.resources, &b.resources).is_empty());
    }

    #[test]
    fn a_value_change_is_one_setting_change_located_at_the_new_value() {
        let a = unit(
            "resource \"aws_kms_key\" \"k\" {\n  enable_key_rotation = true\n}\n",
            "u/main.tf",
        );
        let b = unit(
            "resource \"aws_kms_key\" \"k\" {\n\n  enable_key_rotation = false\n}\n",
            "u/main.tf",
        );
        let d = diff(&a.resources, &b.resources);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path.to_string(), "enable_key_rotation");
        assert_eq!(d[0].before, Some(Value::Bool(true)));
        assert_eq!(d[0].after, Some(Value::Bool(false)));
        assert_eq!(d[0].location.line, 3);
    }

    #[test]
    fn blame_lookup_falls_back_to_the_enclosing_change() {
        let mut s = BlameStore::default();
        let created = SettingChange {
            address: "aws_instance.a".into(),
            path: SettingPath::root(),
            before: None,
            after: Some(Value::Bool(true)),
            location: Location {
                file: "u/main.tf".into(),
                line: 1,
            },
        };
        s.record(
            "u",
            std::sync::Arc::new(Blamed {
                change: created.clone(),
                commit: 0,
                landing: 0,
                landing_commit: 0,
                cited_at: None,
                by_merge: false,
                written_on: None,
                written_unreadable: false,
            }),
        );
        let got = s
            .lookup(
                "u",
                "aws_instance.a",
                &SettingPath::parse("metadata_options"),
            )
            .expect("falls back to creation");
        assert_eq!(got.change, created);
    }
}
