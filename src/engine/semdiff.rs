//! The semantic diff of permissiveness, as people and reports read it.
//!
//! Takes two [`Scope`]s (how much a violation exposed before and after a change, computed by the
//! rules on the partial order of `rules::scope`); gives the kind of change (introduced, widened,
//! narrowed, fixed, or an incomparable shift) and, per dimension that differs, the values before
//! and after: `networks 10.0.0.0/8 → 0.0.0.0/0`. The order itself lives with the rules; this module
//! only classifies and renders, so every report says the same thing about the same change.

use crate::rules::Scope;
use serde_json::{json, Value as J};
use std::cmp::Ordering;

/// How the exposure moved between two states. `None` on a side means the rule did not fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    Introduced,
    Widened,
    Narrowed,
    Fixed,
    /// Wider in one dimension and narrower in another.
    Shifted,
    Unchanged,
}

pub fn classify(before: Option<&Scope>, after: Option<&Scope>) -> Movement {
    match (before, after) {
        (None, Some(_)) => Movement::Introduced,
        (Some(_), None) => Movement::Fixed,
        (None, None) => Movement::Unchanged,
        (Some(b), Some(a)) => match a.compare(b) {
            Some(Ordering::Greater) => Movement::Widened,
            Some(Ordering::Less) => Movement::Narrowed,
            Some(Ordering::Equal) => Movement::Unchanged,
            None => Movement::Shifted,
        },
    }
}

fn ports(p: &[(u16, u16)]) -> Vec<String> {
    p.iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        })
        .collect()
}

fn dims(s: &Scope) -> [(&'static str, Vec<String>); 4] {
    [
        (
            "networks",
            s.networks.iter().map(|n| n.to_string()).collect(),
        ),
        ("ports", ports(&s.ports)),
        ("actions", s.actions.clone()),
        ("principals", s.principals.clone()),
    ]
}

/// A scope as JSON: the four dimensions, each a list of strings (empty when the rule has no such
/// dimension).
pub fn scope_json(s: &Scope) -> J {
    let d = dims(s);
    json!({
        "networks": d[0].1, "ports": d[1].1, "actions": d[2].1, "principals": d[3].1,
    })
}

/// The dimensions that differ, as `name before → after` lines. An empty side is written `none`.
pub fn delta(before: &Scope, after: &Scope) -> Vec<String> {
    let show = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    dims(before)
        .into_iter()
        .zip(dims(after))
        .filter(|((_, b), (_, a))| a != b)
        .map(|((name, b), (_, a))| format!("{name} {} → {}", show(&b), show(&a)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(cidrs: &[&str], p: (u16, u16)) -> Scope {
        Scope {
            networks: cidrs.iter().map(|c| c.parse().expect("cidr")).collect(),
            ports: vec![p],
            ..Default::default()
        }
    }

    #[test]
    fn classifies_each_direction() {
        let private = net(&["10.0.0.0/8"], (22, 22));
        let world = net(&["0.0.0.0/0"], (22, 22));
        let world_all = net(&["0.0.0.0/0"], (0, 65535));
        let private_all = net(&["10.0.0.0/8"], (0, 65535));
        assert_eq!(classify(None, Some(&world)), Movement::Introduced);
        assert_eq!(classify(Some(&world), None), Movement::Fixed);
        assert_eq!(classify(Some(&private), Some(&world)), Movement::Widened);
        assert_eq!(classify(Some(&world_all), Some(&world)), Movement::Narrowed);
        assert_eq!(classify(Some(&world), Some(&world)), Movement::Unchanged);
        assert_eq!(
            classify(Some(&world), Some(&private_all)),
            Movement::Shifted
        );
    }

    #[test]
    fn delta_names_only_what_changed() {
        let d = delta(
            &net(&["10.0.0.0/8"], (22, 22)),
            &net(&["0.0.0.0/0"], (22, 22)),
        );
        assert_eq!(d, vec!["networks 10.0.0.0/8 → 0.0.0.0/0"]);
        let actions = |a: &[&str]| Scope {
            actions: a.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        assert_eq!(
            delta(&actions(&["s3:GetObject"]), &actions(&["s3:*"])),
            vec!["actions s3:GetObject → s3:*"]
        );
        assert_eq!(
            scope_json(&net(&["0.0.0.0/0"], (0, 65535)))["ports"],
            json!(["0-65535"])
        );
    }
}
