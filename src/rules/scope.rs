//! How much a violation exposes, as a partial order: the basis of "widened" and "narrowed".
//!
//! A scope has independent dimensions (networks, ports, actions, principals). One scope covers
//! another when, in every dimension, each element of the other is contained in some element of
//! this one: 0.0.0.0/0 covers 10.0.0.0/8, 0-65535 covers 22-22, `s3:*` covers `s3:GetObject`, `*`
//! covers every principal. A change is a widening when the new scope covers the old and not the
//! other way round. Scopes that cannot be compared (one wider here, narrower there) are neither.

use ipnet::IpNet;
use std::cmp::Ordering;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub networks: Vec<IpNet>,
    /// Inclusive port ranges.
    pub ports: Vec<(u16, u16)>,
    /// IAM actions, lower-cased, `*` wildcards allowed.
    pub actions: Vec<String>,
    /// Principals (`*`, account ids, ARNs, service names).
    pub principals: Vec<String>,
}

impl Scope {
    /// `Some(Greater)` when `self` is strictly wider than `other`, `Some(Less)` when strictly
    /// narrower, `Some(Equal)` when each covers the other, `None` when incomparable.
    pub fn compare(&self, other: &Scope) -> Option<Ordering> {
        let ge = self.covers(other);
        let le = other.covers(self);
        match (ge, le) {
            (true, true) => Some(Ordering::Equal),
            (true, false) => Some(Ordering::Greater),
            (false, true) => Some(Ordering::Less),
            (false, false) => None,
        }
    }

    pub fn covers(&self, other: &Scope) -> bool {
        all_covered(&other.networks, |n| {
            self.networks.iter().any(|m| m.contains(n))
        }) && all_covered(&other.ports, |&(lo, hi)| {
            self.ports.iter().any(|&(a, b)| a <= lo && hi <= b)
        }) && all_covered(&other.actions, |a| {
            self.actions.iter().any(|p| wildcard_match(p, a))
        }) && all_covered(&other.principals, |p| {
            self.principals
                .iter()
                .any(|q| q == "*" || wildcard_match(q, p))
        })
    }
}

fn all_covered<T>(items: &[T], f: impl Fn(&T) -> bool) -> bool {
    items.iter().all(f)
}

/// IAM-style wildcard match, case-insensitive: `*` any run, `?` one character. A pattern also
/// covers a narrower pattern (`s3:*` covers `s3:Get*`) because a literal `*` in the candidate is
/// matched by the pattern's `*`.
pub fn wildcard_match(pattern: &str, candidate: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let c: Vec<char> = candidate.to_ascii_lowercase().chars().collect();
    // Iterative matcher with backtracking on the last star: linear in practice, no recursion on
    // hostile input.
    let (mut pi, mut ci) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ci < c.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] == c[ci] && p[pi] != '*')) {
            pi += 1;
            ci += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ci));
            pi += 1;
        } else if let Some((sp, sc)) = star {
            pi = sp + 1;
            ci = sc + 1;
            star = Some((sp, sc + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn nets(s: &[&str]) -> Vec<IpNet> {
        s.iter().map(|x| x.parse().expect("test cidr")).collect()
    }

    #[test]
    fn world_is_wider_than_private() {
        let wide = Scope {
            networks: nets(&["0.0.0.0/0"]),
            ports: vec![(22, 22)],
            ..Default::default()
        };
        let narrow = Scope {
            networks: nets(&["10.0.0.0/8"]),
            ports: vec![(22, 22)],
            ..Default::default()
        };
        assert_eq!(wide.compare(&narrow), Some(Ordering::Greater));
        assert_eq!(narrow.compare(&wide), Some(Ordering::Less));
    }

    #[test]
    fn actions_wildcards_order() {
        let a = |x: &[&str]| Scope {
            actions: x.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        assert_eq!(
            a(&["s3:*"]).compare(&a(&["s3:GetObject"])),
            Some(Ordering::Greater)
        );
        assert_eq!(a(&["*"]).compare(&a(&["s3:*"])), Some(Ordering::Greater));
        assert_eq!(a(&["s3:*"]).compare(&a(&["ec2:*"])), None);
    }

    #[test]
    fn wildcard_basics() {
        assert!(wildcard_match("s3:Get*", "s3:GetObject"));
        assert!(!wildcard_match("s3:Get*", "s3:PutObject"));
        assert!(wildcard_match("*", "anything"));
        assert!(wildcard_match("iam:*", "IAM:PassRole"));
    }

    proptest! {
        /// CIDR containment law: a network covers every subnet carved out of it.
        #[test]
        fn supernet_covers_subnet(addr in any::<u32>(), len in 0u8..=32, extra in 0u8..=32) {
            let sup = IpNet::V4(ipnet::Ipv4Net::new(addr.into(), len).expect("len <= 32").trunc());
            let sub_len = len.saturating_add(extra).min(32);
            let sub = IpNet::V4(ipnet::Ipv4Net::new(addr.into(), sub_len).expect("len <= 32").trunc());
            let a = Scope { networks: vec![sup], ..Default::default() };
            let b = Scope { networks: vec![sub], ..Default::default() };
            prop_assert!(a.covers(&b));
            if sub_len > len { prop_assert_eq!(a.compare(&b), Some(Ordering::Greater)); }
        }

        /// Port-range law: a range covers exactly the ranges inside it.
        #[test]
        fn port_range_containment(a in any::<u16>(), b in any::<u16>(), c in any::<u16>(), d in any::<u16>()) {
            let (lo1, hi1) = (a.min(b), a.max(b));
            let (lo2, hi2) = (c.min(d), c.max(d));
            let x = Scope { ports: vec![(lo1, hi1)], ..Default::default() };
            let y = Scope { ports: vec![(lo2, hi2)], ..Default::default() };
            prop_assert_eq!(x.covers(&y), lo1 <= lo2 && hi2 <= hi1);
        }

        /// Covering is reflexive and transitive (a preorder), so "widened" is well defined.
        #[test]
        fn covers_is_a_preorder(p in 0u8..=32, q in 0u8..=32, r in 0u8..=32, addr in any::<u32>()) {
            let mk = |l: u8| Scope { networks: vec![IpNet::V4(ipnet::Ipv4Net::new(addr.into(), l).expect("len").trunc())], ..Default::default() };
            let (a, b, c) = (mk(p), mk(q), mk(r));
            prop_assert!(a.covers(&a));
            if a.covers(&b) && b.covers(&c) { prop_assert!(a.covers(&c)); }
        }
    }
}
