//! Shared matchers for rules: reading a setting with its provider default, three-valued truth for
//! settings that may be unknown, networks, port ranges, and the ingress entries of security groups.
//!
//! Every rule has to answer the same three questions for the settings it reads: is it written, is
//! it known, and what does it mean once the provider default is applied. Answering them here, once,
//! keeps the rules to their one decision each and makes the unknown handling uniform: a rule that
//! needs an unknown setting says so ([`Tri::Maybe`]) instead of guessing.

use crate::model::{Resource, SettingPath, Value};
use crate::rules::{Evidence, Finding, Scope, Verdict};
use ipnet::IpNet;
use std::net::IpAddr;

// ---------------------------------------------------------------------------------------------
// Three-valued truth
// ---------------------------------------------------------------------------------------------

/// Kleene's three-valued truth: `Maybe` is "depends on a value that is not known statically".
/// Ordered `No < Maybe < Yes`, so `and` is the minimum and `or` the maximum: a known `No` anywhere
/// in a conjunction settles it, which is how "tcp on port 80 from an unknown CIDR" passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tri {
    No,
    Maybe,
    Yes,
}

impl Tri {
    pub fn and(self, other: Tri) -> Tri {
        self.min(other)
    }

    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }

    /// `None` (unknown) is `Maybe`.
    pub fn from_opt(b: Option<bool>) -> Tri {
        b.map_or(Tri::Maybe, Tri::from_bool)
    }

    /// The disjunction of many; `No` for none.
    pub fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::No, Tri::or)
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;

    fn not(self) -> Tri {
        match self {
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
            Tri::Yes => Tri::No,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading settings
// ---------------------------------------------------------------------------------------------

/// What a setting says before any default is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read<T> {
    /// Not written, or written as `null`: the provider default applies.
    Absent,
    Known(T),
    /// Not resolvable statically (an unknown, a reference to another resource's attribute, or a
    /// value of the wrong type that Terraform would have to coerce at apply time).
    Unknown,
}

impl<T> Read<T> {
    /// The value with the default applied; `None` when unknown.
    pub fn or_default(self, default: T) -> Option<T> {
        match self {
            Read::Absent => Some(default),
            Read::Known(v) => Some(v),
            Read::Unknown => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Read::Unknown)
    }
}

/// A boolean setting (accepting `"true"`/`"false"` strings as Terraform does).
pub fn read_bool(v: Option<&Value>) -> Read<bool> {
    match v {
        None | Some(Value::Null) => Read::Absent,
        Some(v) => v.as_bool().map_or(Read::Unknown, Read::Known),
    }
}

/// A string setting; numbers are given as written (`protocol = 6` reads as `"6"`).
pub fn read_str(v: Option<&Value>) -> Read<String> {
    match v {
        None | Some(Value::Null) => Read::Absent,
        Some(Value::String(s)) => Read::Known(s.clone()),
        Some(Value::Number(n)) => Read::Known(n.clone()),
        Some(Value::Bool(b)) => Read::Known(b.to_string()),
        Some(_) => Read::Unknown,
    }
}

/// An integer setting (accepting numeric strings).
pub fn read_i64(v: Option<&Value>) -> Read<i64> {
    match v {
        None | Some(Value::Null) => Read::Absent,
        Some(v) => v.as_i64().map_or(Read::Unknown, Read::Known),
    }
}

/// A boolean setting with its provider default applied, as a [`Tri`] of "equals `bad`".
pub fn bool_is(v: Option<&Value>, default: bool, bad: bool) -> Tri {
    Tri::from_opt(read_bool(v).or_default(default).map(|b| b == bad))
}

/// Evidence on `res` at `path`.
pub fn ev(res: &Resource, path: SettingPath) -> Evidence {
    Evidence::new(&res.address, path)
}

/// A top-level attribute path.
pub fn attr_path(name: &str) -> SettingPath {
    SettingPath::root().key(name)
}

/// The one shape most single-setting rules share: the verdict for a [`Tri`] with the evidence for
/// each outcome. `Maybe` becomes undecided with `reason`.
pub fn verdict(
    t: Tri,
    evidence: Vec<Evidence>,
    summary: impl FnOnce() -> String,
    scope: Scope,
    reason: impl FnOnce() -> String,
) -> Verdict {
    match t {
        Tri::Yes => Verdict::Violation(Finding {
            evidence,
            summary: summary(),
            scope,
        }),
        Tri::Maybe => Verdict::Undecided {
            evidence,
            reason: reason(),
        },
        Tri::No => Verdict::Pass,
    }
}

/// The nested blocks `name` under `parent` (at `parent_path`) that are not known statically, by
/// path: the whole attribute when it is unknown (`ingress`), or each unknown element of the block
/// list (`ingress[1]`), which is how a `dynamic` block over an unknown collection arrives.
/// [`Resource::blocks`] yields only the known blocks; a rule that reads blocks must also ask this,
/// or an unknown block would pass silently.
pub fn unknown_blocks(parent: &Value, parent_path: &SettingPath, name: &str) -> Vec<SettingPath> {
    let base = parent_path.key(name);
    match parent.as_map().and_then(|m| m.get(name)) {
        Some(Value::Unknown(_) | Value::Ref(_)) => vec![base],
        Some(Value::List(l)) => l
            .iter()
            .enumerate()
            .filter(|(_, v)| matches!(v, Value::Unknown(_) | Value::Ref(_)))
            .map(|(i, _)| base.index(i))
            .collect(),
        _ => Vec::new(),
    }
}

/// [`unknown_blocks`] of a resource's top level.
pub fn unknown_blocks_of(res: &Resource, name: &str) -> Vec<SettingPath> {
    unknown_blocks(&res.body, &SettingPath::root(), name)
}

/// A short, readable rendering of a setting for summaries and reasons.
pub fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "absent".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The value at a nested setting path (`site_config[0].minimum_tls_version`), where an ancestor
/// that is not known statically (a `dynamic` block, a reference) is returned in place of the
/// setting: the setting is then unknown, not absent. A block written once as a map (`.tf.json`)
/// answers index 0. `None` when the setting, or a block on the way, is absent.
pub fn lookup<'a>(res: &'a Resource, path: &SettingPath) -> Option<&'a Value> {
    use crate::model::Segment;
    let mut cur = &res.body;
    for seg in &path.0 {
        cur = match (seg, cur) {
            (_, Value::Unknown(_) | Value::Ref(_)) => return Some(cur),
            (Segment::Key(k), Value::Map(m)) => m.get(k)?,
            (Segment::Index(i), Value::List(l)) => l.get(*i)?,
            (Segment::Index(0), Value::Map(_)) => cur,
            _ => return None,
        };
    }
    Some(cur)
}

/// The verdict of a rule about one boolean setting at `path` (dotted, as `SettingPath::parse`
/// reads it): violation when its value, with the provider `default` applied when it is absent, is
/// `bad`. The summary says whether the value was written or defaulted, because an investigator
/// has to know that nobody wrote it.
pub fn flag_at(res: &Resource, path: &str, default: bool, bad: bool, what: &str) -> Verdict {
    let p = SettingPath::parse(path);
    let v = lookup(res, &p);
    verdict(
        bool_is(v, default, bad),
        vec![ev(res, p.clone())],
        || match read_bool(v) {
            Read::Absent => format!("{what} ({p} absent, provider default {default})"),
            _ => format!("{what} ({p} = {bad})"),
        },
        Scope::default(),
        || format!("{p} is not known statically: {}", show(v)),
    )
}

/// The verdict of a rule about several settings of which any one is enough (encryption at rest
/// or in transit off): the violations of [`flag_at`] for each `(path, default, bad, what)`
/// joined, a violation winning over an unknown elsewhere.
pub fn any_flag(res: &Resource, flags: &[(&str, bool, bool, &str)]) -> Verdict {
    let mut evidence = Vec::new();
    let mut summaries = Vec::new();
    let mut undecided = None;
    for &(path, default, bad, what) in flags {
        match flag_at(res, path, default, bad, what) {
            Verdict::Violation(f) => {
                evidence.extend(f.evidence);
                summaries.push(f.summary);
            }
            u @ Verdict::Undecided { .. } => {
                undecided.get_or_insert(u);
            }
            Verdict::Pass => {}
        }
    }
    if !summaries.is_empty() {
        return Verdict::Violation(Finding {
            evidence,
            summary: summaries.join("; "),
            scope: Scope::default(),
        });
    }
    undecided.unwrap_or(Verdict::Pass)
}

/// The verdict of a rule about one string setting at `path`: violation when its value (with the
/// provider `default` applied when it is absent; `None` when nothing is decided by an absent
/// value) satisfies `bad`. Compared as written, trimmed.
pub fn string_at(
    res: &Resource,
    path: &str,
    default: Option<&str>,
    bad: impl Fn(&str) -> bool,
    what: &str,
) -> Verdict {
    let p = SettingPath::parse(path);
    let v = lookup(res, &p);
    let read = read_str(v);
    let absent = matches!(read, Read::Absent);
    let t = match read {
        Read::Absent => Tri::from_bool(default.is_some_and(&bad)),
        Read::Known(s) => Tri::from_bool(bad(s.trim())),
        Read::Unknown => Tri::Maybe,
    };
    verdict(
        t,
        vec![ev(res, p.clone())],
        || {
            if absent {
                format!(
                    "{what} ({p} absent, provider default {})",
                    default.unwrap_or("none")
                )
            } else {
                format!("{what} ({p} = {})", show(v))
            }
        },
        Scope::default(),
        || format!("{p} is not known statically: {}", show(v)),
    )
}

/// The verdict of a rule about a string list setting at `path` (a single string is read as a
/// one-element list): violation when an element satisfies `bad`, undecided when none does but an
/// element (or the list) is unknown. Evidence is the list setting; the summary names the elements.
pub fn list_any_at(res: &Resource, path: &str, bad: impl Fn(&str) -> bool, what: &str) -> Verdict {
    let p = SettingPath::parse(path);
    let v = lookup(res, &p);
    let (t, hits) = any_string(v, &bad);
    verdict(
        t,
        vec![ev(res, p.clone())],
        || format!("{what} ({p} includes {})", hits.join(", ")),
        Scope {
            principals: hits.clone(),
            ..Scope::default()
        },
        || format!("{p} is not known statically: {}", show(v)),
    )
}

/// Does an element of a string (list) setting satisfy `bad`? `Yes` with the elements that do;
/// `Maybe` when none does but an element (or the list) is not known statically.
pub fn any_string(v: Option<&Value>, bad: impl Fn(&str) -> bool) -> (Tri, Vec<String>) {
    let (hits, unknown) = strings_matching(v, bad);
    let t = if !hits.is_empty() {
        Tri::Yes
    } else {
        Tri::from_bool(unknown).and(Tri::Maybe)
    };
    (t, hits)
}

/// The elements of a string (list) setting that satisfy `bad`, sorted, and whether some element
/// is not known statically.
pub fn strings_matching(v: Option<&Value>, bad: impl Fn(&str) -> bool) -> (Vec<String>, bool) {
    let mut hits = Vec::new();
    let mut unknown = false;
    for item in v.map(Value::as_scalar_list).unwrap_or_default() {
        match item {
            Value::String(s) if bad(s.trim()) => hits.push(s.trim().to_string()),
            Value::String(_) | Value::Null | Value::Number(_) | Value::Bool(_) => {}
            _ => unknown = true,
        }
    }
    (dedup(hits), unknown)
}

/// Sorts and removes duplicates, keeping evidence and scopes deterministic.
pub fn dedup<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}

// ---------------------------------------------------------------------------------------------
// Networks
// ---------------------------------------------------------------------------------------------

/// A CIDR as written, trimmed; a bare address is taken as a host network. `None` for anything that
/// is not a CIDR (AWS rejects those, so they expose nothing).
pub fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    if let Ok(n) = s.parse::<IpNet>() {
        return Some(n);
    }
    s.parse::<IpAddr>().ok().map(IpNet::from)
}

/// True for a network that contains the whole IPv4 or IPv6 space (`0.0.0.0/0`, `::/0`).
pub fn is_world(n: &IpNet) -> bool {
    n.prefix_len() == 0
}

/// True for a string that is a CIDR containing the whole address space of its family.
pub fn is_world_str(s: &str) -> bool {
    parse_net(s).is_some_and(|n| is_world(&n))
}

/// The networks written in one CIDR setting (a list such as `cidr_blocks` or a single string such
/// as `cidr_ipv4`): the parseable ones, and whether any element is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The setting: `ingress[0].cidr_blocks`, `cidr_ipv4`. A list is one setting.
    pub path: SettingPath,
    pub nets: Vec<IpNet>,
    /// The setting, or one of its elements, is not known statically.
    pub unknown: bool,
}

impl Source {
    /// Reads the CIDR setting at `path` of `parent` (absent or null gives `None`).
    pub fn read(parent: &Value, path: SettingPath, name: &str) -> Option<Source> {
        let v = parent.as_map().and_then(|m| m.get(name))?;
        let path = path.key(name);
        let mut src = Source {
            path,
            nets: Vec::new(),
            unknown: false,
        };
        match v {
            Value::Null => return None,
            Value::List(items) => {
                for item in items {
                    src.add(item);
                }
            }
            other => src.add(other),
        }
        Some(src)
    }

    fn add(&mut self, v: &Value) {
        match v {
            Value::String(s) => self.nets.extend(parse_net(s)),
            Value::Null => {}
            Value::Unknown(_) | Value::Ref(_) => self.unknown = true,
            // A nested list (`[var.list]` resolved) or anything else: descend or give up.
            Value::List(items) => items.iter().for_each(|i| self.add(i)),
            _ => self.unknown = true,
        }
    }

    /// `Yes` when a known network is the whole space, `Maybe` when none is but some are unknown.
    pub fn world(&self) -> Tri {
        if self.nets.iter().any(is_world) {
            Tri::Yes
        } else if self.unknown {
            Tri::Maybe
        } else {
            Tri::No
        }
    }

    pub fn world_nets(&self) -> impl Iterator<Item = &IpNet> {
        self.nets.iter().filter(|n| is_world(n))
    }
}

// ---------------------------------------------------------------------------------------------
// Protocols and ports
// ---------------------------------------------------------------------------------------------

/// An IP protocol as security groups and network ACLs take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protocol {
    /// `-1` or `all`: every protocol on every port.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Another protocol name or number (GRE, ESP, …): it has no ports.
    Other(String),
    /// Not written. The attribute is required, so nothing can be decided from it: rules treat it
    /// as unknown (and the but-for test does not count writing it as a cause).
    Absent,
    Unknown,
}

impl Protocol {
    pub fn read(v: Option<&Value>) -> Protocol {
        match read_str(v) {
            Read::Absent => Protocol::Absent,
            Read::Unknown => Protocol::Unknown,
            Read::Known(s) => Protocol::parse(&s),
        }
    }

    pub fn parse(s: &str) -> Protocol {
        match s.trim().to_ascii_lowercase().as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" => Protocol::Icmp,
            "icmpv6" | "58" => Protocol::Icmpv6,
            other => Protocol::Other(other.to_string()),
        }
    }

    /// Protocols whose port range is meaningful.
    pub fn has_ports(&self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    pub fn label(&self) -> &str {
        match self {
            Protocol::All => "all",
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Icmpv6 => "icmpv6",
            Protocol::Other(s) => s,
            Protocol::Absent => "(no protocol)",
            Protocol::Unknown => "(unknown protocol)",
        }
    }
}

/// The inclusive port range an entry opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    Range(u16, u16),
    /// A port setting is not known statically.
    Unknown,
    /// The protocol has no ports (ICMP, GRE, …) or is itself not known.
    NotApplicable,
}

pub const ALL_PORTS: (u16, u16) = (0, 65535);

impl Ports {
    /// The port range for `protocol` from the `from_port`/`to_port` settings.
    ///
    /// Protocol `-1` opens every port whatever the settings say (AWS ignores them). For TCP and UDP:
    /// a swapped range is read as the range it spans; `-1` on either side means "all ports" (the
    /// EC2 API's convention); a side that is absent takes the other side's value, and when both
    /// are absent the range is taken as all ports. AWS rejects TCP/UDP without both ports, so the
    /// last two only matter for configurations that would fail to apply; they are read the
    /// permissive way rather than silently passed.
    pub fn read(protocol: &Protocol, from: Option<&Value>, to: Option<&Value>) -> Ports {
        match protocol {
            Protocol::All => return Ports::Range(ALL_PORTS.0, ALL_PORTS.1),
            Protocol::Tcp | Protocol::Udp => {}
            _ => return Ports::NotApplicable,
        }
        let (f, t) = (read_i64(from), read_i64(to));
        let (f, t) = match (f, t) {
            (Read::Unknown, _) | (_, Read::Unknown) => return Ports::Unknown,
            (Read::Absent, Read::Absent) => return Ports::Range(ALL_PORTS.0, ALL_PORTS.1),
            (Read::Known(f), Read::Absent) => (f, f),
            (Read::Absent, Read::Known(t)) => (t, t),
            (Read::Known(f), Read::Known(t)) => (f, t),
        };
        if f == -1 || t == -1 {
            return Ports::Range(ALL_PORTS.0, ALL_PORTS.1);
        }
        let clamp = |p: i64| p.clamp(0, 65535) as u16;
        let (a, b) = (clamp(f), clamp(t));
        Ports::Range(a.min(b), a.max(b))
    }

    pub fn contains(&self, port: u16) -> Tri {
        match self {
            Ports::Range(lo, hi) => Tri::from_bool(*lo <= port && port <= *hi),
            Ports::Unknown => Tri::Maybe,
            Ports::NotApplicable => Tri::No,
        }
    }

    pub fn overlaps(&self, lo: u16, hi: u16) -> Tri {
        match self {
            Ports::Range(a, b) => Tri::from_bool(*a <= hi && lo <= *b),
            Ports::Unknown => Tri::Maybe,
            Ports::NotApplicable => Tri::No,
        }
    }

    /// `22`, `0-65535`.
    pub fn label(&self) -> String {
        match self {
            Ports::Range(lo, hi) if lo == hi => lo.to_string(),
            Ports::Range(lo, hi) => format!("{lo}-{hi}"),
            Ports::Unknown => "(unknown ports)".to_string(),
            Ports::NotApplicable => "(no ports)".to_string(),
        }
    }
}

/// `22/tcp`, `0-65535/udp`, `all ports and protocols`.
pub fn port_label(protocol: &Protocol, ports: &Ports) -> String {
    match protocol {
        Protocol::All => "all ports and protocols".to_string(),
        p if p.has_ports() => format!("{}/{}", ports.label(), p.label()),
        p => p.label().to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Security group ingress
// ---------------------------------------------------------------------------------------------

/// One ingress permission, normalised from whichever of the three Terraform shapes wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingress {
    /// `ingress[0]` in an `aws_security_group`, the root for a standalone rule resource.
    pub block: SettingPath,
    /// The CIDR settings (`cidr_blocks` and `ipv6_cidr_blocks`, or `cidr_ipv4` and `cidr_ipv6`).
    /// Sources that are not CIDRs (other groups, prefix lists) are not world-reachable.
    pub sources: Vec<Source>,
    pub protocol: Protocol,
    pub ports: Ports,
    pub protocol_path: SettingPath,
    pub from_path: SettingPath,
    pub to_path: SettingPath,
    /// Is this really ingress? `No` never appears (egress entries are not produced); `Maybe` for an
    /// `aws_security_group_rule` whose `type` is unknown.
    pub is_ingress: Tri,
    /// The setting that decides the direction, when there is one (`type`, `direction`).
    pub direction_path: Option<SettingPath>,
    /// The setting that decides allow or deny, when the format has one (Azure's `access`).
    pub access_path: Option<SettingPath>,
}

/// The ingress permissions of a security-group-like resource, in file order.
///
/// - `aws_security_group`, `aws_default_security_group`: the inline `ingress` blocks (`egress` is
///   irrelevant). A wholly unknown `ingress` (a `dynamic` block over an unknown collection) gives
///   one entry in which everything is unknown.
/// - `aws_security_group_rule`: one entry when `type = "ingress"` (or unknown).
/// - `aws_vpc_security_group_ingress_rule`: one entry.
pub fn ingress_entries(res: &Resource) -> Vec<Ingress> {
    let root = SettingPath::root();
    match res.kind.as_str() {
        "aws_security_group" | "aws_default_security_group" => {
            inline_entries(res, "ingress", |block, path| {
                classic_entry(block, path, "protocol", Tri::Yes, None)
            })
        }
        "aws_security_group_rule" => {
            let type_path = root.key("type");
            let is_ingress = match read_str(res.attr("type")) {
                Read::Known(t) => Tri::from_bool(t.trim().eq_ignore_ascii_case("ingress")),
                Read::Unknown => Tri::Maybe,
                Read::Absent => Tri::No,
            };
            if is_ingress == Tri::No {
                return Vec::new();
            }
            vec![classic_entry(
                &res.body,
                root,
                "protocol",
                is_ingress,
                Some(type_path),
            )]
        }
        "aws_vpc_security_group_ingress_rule" => {
            let body = &res.body;
            let sources = ["cidr_ipv4", "cidr_ipv6"]
                .iter()
                .filter_map(|n| Source::read(body, root.clone(), n))
                .collect();
            let protocol = Protocol::read(res.attr("ip_protocol"));
            let ports = Ports::read(&protocol, res.attr("from_port"), res.attr("to_port"));
            vec![Ingress {
                sources,
                protocol,
                ports,
                protocol_path: root.key("ip_protocol"),
                from_path: root.key("from_port"),
                to_path: root.key("to_port"),
                is_ingress: Tri::Yes,
                direction_path: None,
                access_path: None,
                block: root,
            }]
        }
        // CloudFormation: the same permission under its own names, so the security group rules
        // judge both formats with one decision.
        "AWS::EC2::SecurityGroup" => inline_entries(res, "SecurityGroupIngress", |block, path| {
            keyed_entry(block, path, &CFN_KEYS, Tri::Yes, None)
        }),
        "AWS::EC2::SecurityGroupIngress" => {
            vec![keyed_entry(&res.body, root, &CFN_KEYS, Tri::Yes, None)]
        }
        // Azure network security groups: inline `security_rule` blocks or standalone rules.
        "azurerm_network_security_group" => res
            .blocks("security_rule")
            .into_iter()
            .flat_map(|(path, block)| nsg_entries(block, path))
            .chain(
                unknown_blocks_of(res, "security_rule")
                    .into_iter()
                    .map(unknown_entry),
            )
            .collect(),
        "azurerm_network_security_rule" => nsg_entries(&res.body, root),
        "google_compute_firewall" => gcp_firewall_entries(res),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Azure network security rules and Google Cloud firewall rules
// ---------------------------------------------------------------------------------------------

/// Is an address prefix as Azure and Google take it the whole internet? A CIDR of the whole space,
/// or one of Azure's tags for it: `*`, `Any`, `Internet` (the service tag for every public
/// address). Other service tags (`VirtualNetwork`, `AzureLoadBalancer`) are not.
pub fn is_internet_prefix(s: &str) -> bool {
    let t = s.trim();
    t == "*"
        || t.eq_ignore_ascii_case("any")
        || t.eq_ignore_ascii_case("internet")
        || is_world_str(t)
}

/// A port specification as NSG rules (`"22"`, `"20-25"`, `"*"`) and Google firewall rules
/// (`"22"`, `"1000-2000"`) write it: the inclusive range, `None` when it is not one (the API
/// rejects those, so they open nothing).
pub fn parse_port_spec(s: &str) -> Option<(u16, u16)> {
    let t = s.trim();
    if t == "*" {
        return Some(ALL_PORTS);
    }
    let (a, b) = t.split_once('-').unwrap_or((t, t));
    let (a, b) = (a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?);
    Some((a.min(b), a.max(b)))
}

/// The networks the internet stands for (`0.0.0.0/0` and `::/0`), for the scope of a violation
/// whose source is a tag (`Internet`) or a default rather than a CIDR.
pub fn internet_nets() -> Vec<IpNet> {
    ["0.0.0.0/0", "::/0"]
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// The source settings of one NSG or firewall entry read as prefixes: a world tag or CIDR counts
/// as both address families, so that `Internet` and `0.0.0.0/0` have the same scope.
fn prefix_source(parent: &Value, path: &SettingPath, name: &str) -> Option<Source> {
    prefix_source_as(parent, path, name, true)
}

/// [`prefix_source`]; with `tags` false the setting holds CIDRs only (Google firewall
/// `source_ranges`), so `0.0.0.0/0` is the IPv4 internet and nothing more, and a summary says
/// what was written.
fn prefix_source_as(parent: &Value, path: &SettingPath, name: &str, tags: bool) -> Option<Source> {
    let v = parent.as_map().and_then(|m| m.get(name))?;
    let mut src = Source {
        path: path.key(name),
        nets: Vec::new(),
        unknown: false,
    };
    match v {
        Value::Null => return None,
        other => {
            for item in other.as_scalar_list() {
                match item {
                    Value::String(s) if tags && is_internet_prefix(s) => {
                        src.nets.extend(internet_nets())
                    }
                    Value::String(s) => src.nets.extend(parse_net(s)),
                    Value::Null => {}
                    _ => src.unknown = true,
                }
            }
        }
    }
    Some(src)
}

/// The port ranges of a list-or-string port setting: `(ranges, unknown)`.
fn port_specs(v: Option<&Value>) -> (Vec<(u16, u16)>, bool) {
    let mut out = Vec::new();
    let mut unknown = false;
    for item in v.map(Value::as_scalar_list).unwrap_or_default() {
        match item {
            Value::String(s) | Value::Number(s) => out.extend(parse_port_spec(s)),
            Value::Null => {}
            _ => unknown = true,
        }
    }
    (out, unknown)
}

/// One `security_rule` block or `azurerm_network_security_rule`: an entry per (protocol, port
/// range). Protocol `*` is read as TCP and UDP on the rule's ports (unlike an AWS `-1`, an NSG rule
/// keeps its port ranges whatever the protocol), so "all protocols on 22" is SSH exposure and not
/// every port. Outbound and Deny rules open nothing; unknown direction or access is `Maybe`.
fn nsg_entries(block: &Value, path: SettingPath) -> Vec<Ingress> {
    let get = |k: &str| block.as_map().and_then(|m| m.get(k));
    let word_is = |k: &str, want: &str| match read_str(get(k)) {
        Read::Known(s) => Tri::from_bool(s.trim().eq_ignore_ascii_case(want)),
        Read::Absent => Tri::No,
        Read::Unknown => Tri::Maybe,
    };
    let is_ingress = word_is("direction", "inbound").and(word_is("access", "allow"));
    if is_ingress == Tri::No {
        return Vec::new();
    }
    let sources: Vec<Source> = ["source_address_prefix", "source_address_prefixes"]
        .iter()
        .filter_map(|n| prefix_source(block, &path, n))
        .collect();
    let protocols = match read_str(get("protocol")) {
        Read::Known(p) if matches!(p.trim(), "*") || p.trim().eq_ignore_ascii_case("any") => {
            vec![Protocol::Tcp, Protocol::Udp]
        }
        Read::Known(p) => vec![Protocol::parse(&p)],
        Read::Absent => vec![Protocol::Absent],
        Read::Unknown => vec![Protocol::Unknown],
    };
    let (single, list) = ("destination_port_range", "destination_port_ranges");
    let (mut ranges, mut unknown) = port_specs(get(single));
    let (more, more_unknown) = port_specs(get(list));
    ranges.extend(more);
    unknown |= more_unknown;
    let port_path = if get(list).is_some() && get(single).is_none() {
        path.key(list)
    } else {
        path.key(single)
    };
    let mut ports: Vec<Ports> = ranges.iter().map(|&(a, b)| Ports::Range(a, b)).collect();
    if unknown || ports.is_empty() {
        ports.push(Ports::Unknown);
    }
    let mut out = Vec::new();
    for protocol in &protocols {
        for p in &ports {
            out.push(Ingress {
                sources: sources.clone(),
                protocol: protocol.clone(),
                ports: if protocol.has_ports() || *p == Ports::Unknown {
                    *p
                } else {
                    Ports::NotApplicable
                },
                protocol_path: path.key("protocol"),
                from_path: port_path.clone(),
                to_path: port_path.clone(),
                is_ingress,
                direction_path: Some(path.key("direction")),
                access_path: Some(path.key("access")),
                block: path.clone(),
            });
        }
    }
    out
}

/// The allow entries of a `google_compute_firewall`: one per (allow block, port range).
///
/// Defaults that matter (Google provider 5.x and 6.x, from the Compute API): `direction` absent is
/// INGRESS; an ingress rule with neither `source_ranges` nor `source_tags` nor
/// `source_service_accounts` applies to every source, 0.0.0.0/0 (the provider's issue 6789); an
/// `allow` block without `ports` opens every port of its protocol. `disabled = true` rules open
/// nothing; `deny` blocks are not exposure.
fn gcp_firewall_entries(res: &Resource) -> Vec<Ingress> {
    let root = SettingPath::root();
    let direction = match read_str(res.attr("direction")) {
        Read::Absent => Tri::Yes,
        Read::Known(d) => Tri::from_bool(d.trim().eq_ignore_ascii_case("ingress")),
        Read::Unknown => Tri::Maybe,
    };
    let enabled = match read_bool(res.attr("disabled")) {
        Read::Absent => Tri::Yes,
        Read::Known(d) => Tri::from_bool(!d),
        Read::Unknown => Tri::Maybe,
    };
    let is_ingress = direction.and(enabled);
    if is_ingress == Tri::No {
        return Vec::new();
    }
    // An empty list is no source ranges, as Google reads it.
    let written = prefix_source_as(&res.body, &root, "source_ranges", false)
        .filter(|_| !matches!(res.attr("source_ranges"), Some(Value::List(l)) if l.is_empty()));
    let mut source = written.unwrap_or_else(|| {
        // No source ranges: every source, unless tags or service accounts select the sources.
        let narrowed = ["source_tags", "source_service_accounts"]
            .iter()
            .map(|k| match res.attr(k) {
                None | Some(Value::Null) => Tri::No,
                Some(Value::List(l)) if l.is_empty() => Tri::No,
                Some(Value::List(_)) => Tri::Yes,
                Some(_) => Tri::Maybe,
            })
            .fold(Tri::No, Tri::or);
        // Google's default source for an ingress rule is 0.0.0.0/0, the IPv4 internet.
        Source {
            path: root.key("source_ranges"),
            nets: if narrowed == Tri::No {
                internet_nets()
                    .into_iter()
                    .filter(|n| n.addr().is_ipv4())
                    .collect()
            } else {
                Vec::new()
            },
            unknown: narrowed == Tri::Maybe,
        }
    });
    source.nets = dedup(source.nets);
    let mut out = Vec::new();
    for (path, block) in res.blocks("allow") {
        let get = |k: &str| block.as_map().and_then(|m| m.get(k));
        let protocol = Protocol::read(get("protocol"));
        let (ranges, unknown) = port_specs(get("ports"));
        let ports: Vec<Ports> = if !protocol.has_ports() {
            vec![Ports::read(&protocol, None, None)]
        } else if unknown {
            vec![Ports::Unknown]
        } else if get("ports").is_none() || ranges.is_empty() {
            vec![Ports::Range(ALL_PORTS.0, ALL_PORTS.1)]
        } else {
            ranges.iter().map(|&(a, b)| Ports::Range(a, b)).collect()
        };
        for p in ports {
            out.push(Ingress {
                sources: vec![source.clone()],
                protocol: protocol.clone(),
                ports: p,
                protocol_path: path.key("protocol"),
                from_path: path.key("ports"),
                to_path: path.key("ports"),
                is_ingress,
                direction_path: Some(root.key("direction")),
                access_path: None,
                block: path.clone(),
            });
        }
    }
    out.extend(unknown_blocks_of(res, "allow").into_iter().map(|b| {
        let mut e = unknown_entry(b);
        e.is_ingress = is_ingress;
        e
    }));
    out
}

/// The entries written inline in a group (`ingress` blocks, `SecurityGroupIngress` items), then
/// one entry in which everything is unknown for each block that is not known statically (a
/// `dynamic` block over an unknown collection, an `!If` in place of an item).
fn inline_entries(
    res: &Resource,
    name: &str,
    entry: impl Fn(&Value, SettingPath) -> Ingress,
) -> Vec<Ingress> {
    res.blocks(name)
        .into_iter()
        .map(|(path, block)| entry(block, path))
        .chain(unknown_blocks_of(res, name).into_iter().map(unknown_entry))
        .collect()
}

/// An entry none of whose settings is known.
fn unknown_entry(block: SettingPath) -> Ingress {
    Ingress {
        sources: vec![Source {
            path: block.clone(),
            nets: Vec::new(),
            unknown: true,
        }],
        protocol: Protocol::Unknown,
        ports: Ports::Unknown,
        protocol_path: block.clone(),
        from_path: block.clone(),
        to_path: block.clone(),
        is_ingress: Tri::Yes,
        direction_path: None,
        access_path: None,
        block,
    }
}

/// The names one format gives the settings of an ingress permission.
struct EntryKeys {
    cidrs: [&'static str; 2],
    protocol: &'static str,
    from: &'static str,
    to: &'static str,
}

const CFN_KEYS: EntryKeys = EntryKeys {
    cidrs: ["CidrIp", "CidrIpv6"],
    protocol: "IpProtocol",
    from: "FromPort",
    to: "ToPort",
};

/// An entry in the classic shape (`cidr_blocks`, `ipv6_cidr_blocks`, `from_port`, `to_port`,
/// `protocol`), shared by inline blocks and `aws_security_group_rule`.
fn classic_entry(
    block: &Value,
    path: SettingPath,
    protocol_key: &'static str,
    is_ingress: Tri,
    direction_path: Option<SettingPath>,
) -> Ingress {
    let keys = EntryKeys {
        cidrs: ["cidr_blocks", "ipv6_cidr_blocks"],
        protocol: protocol_key,
        from: "from_port",
        to: "to_port",
    };
    keyed_entry(block, path, &keys, is_ingress, direction_path)
}

/// An entry read with one format's names.
fn keyed_entry(
    block: &Value,
    path: SettingPath,
    keys: &EntryKeys,
    is_ingress: Tri,
    direction_path: Option<SettingPath>,
) -> Ingress {
    let get = |k: &str| block.as_map().and_then(|m| m.get(k));
    let protocol_key = keys.protocol;
    let sources = keys
        .cidrs
        .iter()
        .filter_map(|n| Source::read(block, path.clone(), n))
        .collect();
    let protocol = Protocol::read(get(protocol_key));
    let ports = Ports::read(&protocol, get(keys.from), get(keys.to));
    Ingress {
        sources,
        protocol,
        ports,
        protocol_path: path.key(protocol_key),
        from_path: path.key(keys.from),
        to_path: path.key(keys.to),
        is_ingress,
        direction_path,
        access_path: None,
        block: path,
    }
}

impl Ingress {
    /// Is the entry open to the whole internet?
    pub fn from_world(&self) -> Tri {
        Tri::any(self.sources.iter().map(Source::world))
    }

    /// The settings that make this entry what it is, for a violation: the world CIDR settings, the
    /// protocol, the port settings when the protocol has ports, and the direction.
    pub fn evidence(&self, res: &Resource) -> Vec<Evidence> {
        let mut out: Vec<Evidence> = self
            .sources
            .iter()
            .filter(|s| s.world() == Tri::Yes)
            .map(|s| ev(res, s.path.clone()))
            .collect();
        if self.protocol != Protocol::All {
            out.push(ev(res, self.from_path.clone()));
            out.push(ev(res, self.to_path.clone()));
        }
        out.push(ev(res, self.protocol_path.clone()));
        out.extend(self.direction_path.iter().map(|p| ev(res, p.clone())));
        out.extend(self.access_path.iter().map(|p| ev(res, p.clone())));
        out
    }

    /// The settings of this entry that are unknown, for an undecided verdict.
    pub fn unknown_evidence(&self, res: &Resource) -> Vec<Evidence> {
        let mut out: Vec<Evidence> = self
            .sources
            .iter()
            .filter(|s| s.unknown)
            .map(|s| ev(res, s.path.clone()))
            .collect();
        if matches!(self.protocol, Protocol::Unknown | Protocol::Absent) {
            out.push(ev(res, self.protocol_path.clone()));
        }
        if self.ports == Ports::Unknown {
            out.push(ev(res, self.from_path.clone()));
            out.push(ev(res, self.to_path.clone()));
        }
        if self.is_ingress == Tri::Maybe {
            out.extend(self.direction_path.iter().map(|p| ev(res, p.clone())));
            out.extend(self.access_path.iter().map(|p| ev(res, p.clone())));
        }
        out
    }

    /// The world networks this entry admits.
    pub fn world_nets(&self) -> Vec<IpNet> {
        self.sources
            .iter()
            .flat_map(Source::world_nets)
            .copied()
            .collect()
    }

    /// The port range as a scope dimension (`None` when not a range).
    pub fn port_range(&self) -> Option<(u16, u16)> {
        match self.ports {
            Ports::Range(lo, hi) => Some((lo, hi)),
            _ => None,
        }
    }
}

/// Judges a security-group-like resource for "ingress from the world on what `wanted` matches".
///
/// `wanted` decides on the protocol and ports alone. Each entry is `is_ingress ∧ from_world ∧
/// wanted`; the resource violates when any entry does (a violation wins over unknowns elsewhere),
/// is undecided when none does but some might, and passes otherwise.
pub fn judge_world_ingress(res: &Resource, wanted: impl Fn(&Protocol, &Ports) -> Tri) -> Verdict {
    let mut evidence = Vec::new();
    let mut summaries = Vec::new();
    let mut scope = Scope::default();
    let mut maybe_evidence = Vec::new();
    let mut maybe_blocks = Vec::new();
    for e in ingress_entries(res) {
        let t = e
            .is_ingress
            .and(e.from_world())
            .and(wanted(&e.protocol, &e.ports));
        match t {
            Tri::Yes => {
                evidence.extend(e.evidence(res));
                let nets = e.world_nets();
                let nets_label = dedup(nets.iter().map(ToString::to_string).collect::<Vec<_>>());
                summaries.push(format!(
                    "ingress on {} from {}",
                    port_label(&e.protocol, &e.ports),
                    nets_label.join(", ")
                ));
                scope.networks.extend(nets);
                scope.ports.extend(e.port_range());
            }
            Tri::Maybe => {
                maybe_evidence.extend(e.unknown_evidence(res));
                maybe_blocks.push(if e.block.is_root() {
                    res.address.clone()
                } else {
                    e.block.to_string()
                });
            }
            Tri::No => {}
        }
    }
    if !summaries.is_empty() {
        scope.networks = dedup(scope.networks);
        scope.ports = dedup(scope.ports);
        return Verdict::Violation(Finding {
            evidence: dedup(evidence),
            summary: dedup(summaries).join("; "),
            scope,
        });
    }
    if !maybe_blocks.is_empty() {
        return Verdict::Undecided {
            evidence: dedup(maybe_evidence),
            reason: format!(
                "{}: a source CIDR, protocol or port is not known statically",
                maybe_blocks.join(", ")
            ),
        };
    }
    Verdict::Pass
}

/// The `wanted` of rules about TCP services: TCP (or all protocols) on a range overlapping one of
/// `ranges`.
pub fn tcp_on_any(protocol: &Protocol, ports: &Ports, ranges: &[(u16, u16)]) -> Tri {
    let proto = match protocol {
        Protocol::All | Protocol::Tcp => Tri::Yes,
        Protocol::Unknown | Protocol::Absent => Tri::Maybe,
        _ => Tri::No,
    };
    let port = match protocol {
        // An unknown protocol might be `-1`: every port.
        Protocol::Unknown | Protocol::Absent => Tri::Maybe,
        _ => Tri::any(ranges.iter().map(|&(lo, hi)| ports.overlaps(lo, hi))),
    };
    proto.and(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }
    fn n(x: i64) -> Value {
        Value::Number(x.to_string())
    }
    fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }
    fn map(items: Vec<(&str, Value)>) -> Value {
        Value::Map(items.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
    fn resource(kind: &str, body: Value) -> Resource {
        Resource::for_test(&format!("{kind}.t"), kind, body)
    }

    #[test]
    fn world_nets() {
        assert!(is_world_str("0.0.0.0/0"));
        assert!(is_world_str("::/0"));
        assert!(is_world_str(" 0.0.0.0/0 "));
        assert!(is_world_str("0.0.0.0/0 "));
        // Host bits set but still a /0: contains everything.
        assert!(is_world_str("10.0.0.0/0"));
        assert!(!is_world_str("10.0.0.0/8"));
        assert!(!is_world_str("0.0.0.0/1"));
        assert!(!is_world_str("2001:db8::/32"));
        // Not CIDRs: neither world nor a panic.
        for bad in [
            "",
            "0.0.0.0/33",
            "::/129",
            "anywhere",
            "0.0.0.0/-1",
            "1.2.3/0",
            "/0",
            "*",
        ] {
            assert!(!is_world_str(bad), "{bad:?}");
        }
        assert_eq!(
            parse_net("10.1.2.3"),
            Some("10.1.2.3/32".parse().expect("cidr"))
        );
    }

    #[test]
    fn source_reads_lists_scalars_and_unknowns() {
        let block = map(vec![
            (
                "cidr_blocks",
                list(vec![s("10.0.0.0/8"), Value::Unknown("var.x".into())]),
            ),
            ("ipv6_cidr_blocks", list(vec![s("::/0")])),
            ("cidr_ipv4", s("0.0.0.0/0")),
            ("nothing", Value::Null),
        ]);
        let root = SettingPath::root();
        let a = Source::read(&block, root.clone(), "cidr_blocks").expect("present");
        assert_eq!(a.path.to_string(), "cidr_blocks");
        assert!(a.unknown);
        assert_eq!(a.world(), Tri::Maybe);
        let b = Source::read(&block, root.clone(), "ipv6_cidr_blocks").expect("present");
        assert_eq!(b.world(), Tri::Yes);
        let c = Source::read(&block, root.clone(), "cidr_ipv4").expect("present");
        assert_eq!(c.world(), Tri::Yes);
        assert!(Source::read(&block, root.clone(), "nothing").is_none());
        assert!(Source::read(&block, root, "missing").is_none());
    }

    #[test]
    fn protocols() {
        assert_eq!(Protocol::parse("-1"), Protocol::All);
        assert_eq!(Protocol::parse("ALL"), Protocol::All);
        assert_eq!(Protocol::parse("6"), Protocol::Tcp);
        assert_eq!(Protocol::parse(" TCP "), Protocol::Tcp);
        assert_eq!(Protocol::parse("17"), Protocol::Udp);
        assert_eq!(Protocol::parse("47"), Protocol::Other("47".into()));
        assert_eq!(Protocol::read(Some(&n(-1))), Protocol::All);
        assert_eq!(Protocol::read(Some(&n(6))), Protocol::Tcp);
        assert_eq!(Protocol::read(None), Protocol::Absent);
        assert_eq!(
            Protocol::read(Some(&Value::Unknown("var.p".into()))),
            Protocol::Unknown
        );
    }

    #[test]
    fn port_ranges() {
        let tcp = Protocol::Tcp;
        assert_eq!(
            Ports::read(&tcp, Some(&n(22)), Some(&n(22))),
            Ports::Range(22, 22)
        );
        // Swapped.
        assert_eq!(
            Ports::read(&tcp, Some(&n(3389)), Some(&n(22))),
            Ports::Range(22, 3389)
        );
        // Numeric strings.
        assert_eq!(
            Ports::read(&tcp, Some(&s("80")), Some(&s("443"))),
            Ports::Range(80, 443)
        );
        // One side absent: the other side.
        assert_eq!(Ports::read(&tcp, Some(&n(22)), None), Ports::Range(22, 22));
        assert_eq!(
            Ports::read(&tcp, None, Some(&n(5432))),
            Ports::Range(5432, 5432)
        );
        // Both absent, or -1: all ports.
        assert_eq!(Ports::read(&tcp, None, None), Ports::Range(0, 65535));
        assert_eq!(
            Ports::read(&tcp, Some(&n(-1)), Some(&n(-1))),
            Ports::Range(0, 65535)
        );
        // Protocol -1: all ports whatever from/to say.
        assert_eq!(
            Ports::read(&Protocol::All, Some(&n(22)), Some(&n(22))),
            Ports::Range(0, 65535)
        );
        assert_eq!(
            Ports::read(&Protocol::All, None, None),
            Ports::Range(0, 65535)
        );
        // Out of range is clamped, never a panic.
        assert_eq!(
            Ports::read(&tcp, Some(&n(-5)), Some(&n(70000))),
            Ports::Range(0, 65535)
        );
        // Unknown.
        assert_eq!(
            Ports::read(&tcp, Some(&Value::Unknown("var.p".into())), Some(&n(22))),
            Ports::Unknown
        );
        // ICMP has no ports.
        assert_eq!(
            Ports::read(&Protocol::Icmp, Some(&n(8)), Some(&n(0))),
            Ports::NotApplicable
        );
        assert_eq!(Ports::Range(0, 1024).contains(22), Tri::Yes);
        assert_eq!(Ports::Range(80, 80).contains(22), Tri::No);
        assert_eq!(Ports::Unknown.contains(22), Tri::Maybe);
        assert_eq!(Ports::Range(6000, 7000).overlaps(7000, 7001), Tri::Yes);
    }

    #[test]
    fn tri_logic() {
        assert_eq!(Tri::Yes.and(Tri::Maybe), Tri::Maybe);
        assert_eq!(Tri::No.and(Tri::Maybe), Tri::No);
        assert_eq!(Tri::Yes.or(Tri::Maybe), Tri::Yes);
        assert_eq!(Tri::any([Tri::No, Tri::Maybe]), Tri::Maybe);
        assert_eq!(Tri::any([]), Tri::No);
        assert_eq!(!Tri::Maybe, Tri::Maybe);
        assert_eq!(!Tri::Yes, Tri::No);
    }

    fn admin(p: &Protocol, ports: &Ports) -> Tri {
        tcp_on_any(p, ports, &[(22, 22), (3389, 3389)])
    }

    #[test]
    fn inline_ingress_violation_names_its_settings() {
        let sg = resource(
            "aws_security_group",
            map(vec![
                (
                    "ingress",
                    list(vec![
                        map(vec![
                            ("from_port", n(443)),
                            ("to_port", n(443)),
                            ("protocol", s("tcp")),
                            ("cidr_blocks", list(vec![s("0.0.0.0/0")])),
                        ]),
                        map(vec![
                            ("from_port", n(22)),
                            ("to_port", n(22)),
                            ("protocol", s("tcp")),
                            ("cidr_blocks", list(vec![s("10.0.0.0/8")])),
                            ("ipv6_cidr_blocks", list(vec![s("::/0")])),
                        ]),
                    ]),
                ),
                (
                    "egress",
                    list(vec![map(vec![
                        ("from_port", n(0)),
                        ("to_port", n(0)),
                        ("protocol", s("-1")),
                        ("cidr_blocks", list(vec![s("0.0.0.0/0")])),
                    ])]),
                ),
            ]),
        );
        let Verdict::Violation(f) = judge_world_ingress(&sg, admin) else {
            panic!("expected a violation");
        };
        let paths: Vec<String> = f.evidence.iter().map(|e| e.path.to_string()).collect();
        assert_eq!(
            paths,
            vec![
                "ingress[1].from_port",
                "ingress[1].ipv6_cidr_blocks",
                "ingress[1].protocol",
                "ingress[1].to_port"
            ]
        );
        assert_eq!(f.summary, "ingress on 22/tcp from ::/0");
        assert_eq!(f.scope.ports, vec![(22, 22)]);
        assert_eq!(
            f.scope.networks,
            vec!["::/0".parse::<IpNet>().expect("cidr")]
        );
    }

    #[test]
    fn unknown_cidr_is_undecided_unless_the_port_settles_it() {
        let mk = |port: i64| {
            resource(
                "aws_security_group_rule",
                map(vec![
                    ("type", s("ingress")),
                    ("from_port", n(port)),
                    ("to_port", n(port)),
                    ("protocol", s("tcp")),
                    ("cidr_blocks", list(vec![Value::Unknown("var.x".into())])),
                ]),
            )
        };
        match judge_world_ingress(&mk(22), admin) {
            Verdict::Undecided { evidence, .. } => {
                assert_eq!(
                    evidence,
                    vec![Evidence::new(
                        "aws_security_group_rule.t",
                        SettingPath::parse("cidr_blocks")
                    )]
                );
            }
            other => panic!("expected undecided, got {other:?}"),
        }
        assert_eq!(judge_world_ingress(&mk(80), admin), Verdict::Pass);
    }

    #[test]
    fn egress_rule_and_vpc_rule_with_all_protocols() {
        let egress = resource(
            "aws_security_group_rule",
            map(vec![
                ("type", s("egress")),
                ("protocol", s("-1")),
                ("cidr_blocks", list(vec![s("0.0.0.0/0")])),
            ]),
        );
        assert_eq!(judge_world_ingress(&egress, admin), Verdict::Pass);
        let vpc = resource(
            "aws_vpc_security_group_ingress_rule",
            map(vec![
                ("ip_protocol", s("-1")),
                ("cidr_ipv4", s("0.0.0.0/0")),
            ]),
        );
        let Verdict::Violation(f) = judge_world_ingress(&vpc, admin) else {
            panic!("expected a violation");
        };
        let paths: Vec<String> = f.evidence.iter().map(|e| e.path.to_string()).collect();
        assert_eq!(paths, vec!["cidr_ipv4", "ip_protocol"]);
        assert_eq!(f.scope.ports, vec![(0, 65535)]);
        assert_eq!(
            f.summary,
            "ingress on all ports and protocols from 0.0.0.0/0"
        );
    }

    #[test]
    fn dynamic_ingress_element_is_undecided_but_a_known_violation_wins() {
        let unknown = Value::Unknown("dynamic over var.rules".into());
        let sg = resource(
            "aws_security_group",
            map(vec![("ingress", list(vec![unknown.clone()]))]),
        );
        match judge_world_ingress(&sg, admin) {
            Verdict::Undecided { evidence, .. } => {
                assert_eq!(evidence[0].path.to_string(), "ingress[0]");
            }
            other => panic!("expected undecided, got {other:?}"),
        }
        let open = map(vec![
            ("from_port", n(22)),
            ("to_port", n(22)),
            ("protocol", s("tcp")),
            ("cidr_blocks", list(vec![s("0.0.0.0/0")])),
        ]);
        let sg = resource(
            "aws_security_group",
            map(vec![("ingress", list(vec![unknown, open]))]),
        );
        assert!(matches!(
            judge_world_ingress(&sg, admin),
            Verdict::Violation(_)
        ));
    }

    #[test]
    fn dynamic_ingress_is_undecided() {
        let sg = resource(
            "aws_security_group",
            map(vec![("ingress", Value::Unknown("dynamic".into()))]),
        );
        assert!(matches!(
            judge_world_ingress(&sg, admin),
            Verdict::Undecided { .. }
        ));
    }

    #[test]
    fn port_specs_and_internet_prefixes() {
        assert_eq!(parse_port_spec("22"), Some((22, 22)));
        assert_eq!(parse_port_spec(" 20-25 "), Some((20, 25)));
        assert_eq!(parse_port_spec("25-20"), Some((20, 25)));
        assert_eq!(parse_port_spec("*"), Some(ALL_PORTS));
        assert_eq!(parse_port_spec("ssh"), None);
        assert_eq!(parse_port_spec("70000"), None);
        for world in ["*", "Internet", "internet", "Any", "0.0.0.0/0", "::/0"] {
            assert!(is_internet_prefix(world), "{world}");
        }
        for not in [
            "VirtualNetwork",
            "AzureLoadBalancer",
            "10.0.0.0/8",
            "0.0.0.0",
        ] {
            assert!(!is_internet_prefix(not), "{not}");
        }
    }

    fn nsg_rule(protocol: &str, ports: Value, source: &str) -> Resource {
        resource(
            "azurerm_network_security_rule",
            map(vec![
                ("direction", s("Inbound")),
                ("access", s("Allow")),
                ("protocol", s(protocol)),
                ("destination_port_range", ports),
                ("source_address_prefix", s(source)),
            ]),
        )
    }

    #[test]
    fn nsg_any_protocol_keeps_its_ports() {
        // `*` on 443 is not SSH and not every port: unlike AWS `-1`, the ports still apply.
        let r = nsg_rule("*", s("443"), "Internet");
        assert_eq!(judge_world_ingress(&r, admin), Verdict::Pass);
        let r = nsg_rule("*", s("20-25"), "Internet");
        let Verdict::Violation(f) = judge_world_ingress(&r, admin) else {
            panic!("ssh inside 20-25 from Internet")
        };
        assert!(f.summary.contains("20-25/tcp"), "{}", f.summary);
        assert!(f
            .evidence
            .iter()
            .any(|e| e.path.to_string() == "source_address_prefix"));
    }

    #[test]
    fn nsg_widening_from_one_port_to_every_port_is_ordered_by_scope() {
        let scope = |r: &Resource| match judge_world_ingress(r, admin) {
            Verdict::Violation(f) => f.scope,
            v => panic!("expected a violation, got {v:?}"),
        };
        let narrow = scope(&nsg_rule("Tcp", s("22"), "Internet"));
        let wide = scope(&nsg_rule("Tcp", s("*"), "*"));
        assert_eq!(wide.compare(&narrow), Some(std::cmp::Ordering::Greater));
        // Half the space is not the whole space: the ingress rules judge prefix length 0 only.
        let office = resource(
            "azurerm_network_security_rule",
            map(vec![
                ("direction", s("Inbound")),
                ("access", s("Allow")),
                ("protocol", s("Tcp")),
                ("destination_port_range", s("22")),
                ("source_address_prefix", s("0.0.0.0/1")),
            ]),
        );
        assert_eq!(judge_world_ingress(&office, admin), Verdict::Pass);
    }

    #[test]
    fn nsg_unknown_access_is_undecided_and_outbound_is_nothing() {
        let mut r = nsg_rule("Tcp", s("22"), "*");
        if let Value::Map(m) = &mut r.body {
            m.insert("access".into(), Value::Unknown("var.access".into()));
        }
        assert!(matches!(
            judge_world_ingress(&r, admin),
            Verdict::Undecided { .. }
        ));
        if let Value::Map(m) = &mut r.body {
            m.insert("direction".into(), s("Outbound"));
        }
        assert_eq!(judge_world_ingress(&r, admin), Verdict::Pass);
    }

    #[test]
    fn a_gcp_firewall_summary_says_the_ranges_written() {
        let allow = list(vec![map(vec![
            ("protocol", s("tcp")),
            ("ports", list(vec![s("22")])),
        ])]);
        for body in [
            map(vec![
                ("allow", allow.clone()),
                ("source_ranges", list(vec![s("0.0.0.0/0")])),
            ]),
            map(vec![("allow", allow.clone())]),
        ] {
            let fw = resource("google_compute_firewall", body);
            match judge_world_ingress(&fw, admin) {
                Verdict::Violation(f) => {
                    assert!(f.summary.contains("0.0.0.0/0"), "{}", f.summary);
                    assert!(!f.summary.contains("::/0"), "{}", f.summary);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn gcp_firewall_without_sources_is_the_world_unless_tags_select() {
        let allow = list(vec![map(vec![
            ("protocol", s("tcp")),
            ("ports", list(vec![s("22")])),
        ])]);
        let fw = resource(
            "google_compute_firewall",
            map(vec![("allow", allow.clone())]),
        );
        assert!(matches!(
            judge_world_ingress(&fw, admin),
            Verdict::Violation(_)
        ));
        let empty = resource(
            "google_compute_firewall",
            map(vec![
                ("allow", allow.clone()),
                ("source_ranges", list(vec![])),
            ]),
        );
        assert!(matches!(
            judge_world_ingress(&empty, admin),
            Verdict::Violation(_)
        ));
        let tagged = resource(
            "google_compute_firewall",
            map(vec![
                ("allow", allow.clone()),
                ("source_tags", list(vec![s("bastion")])),
            ]),
        );
        assert_eq!(judge_world_ingress(&tagged, admin), Verdict::Pass);
        let unknown_tags = resource(
            "google_compute_firewall",
            map(vec![
                ("allow", allow),
                ("source_tags", Value::Unknown("var.tags".into())),
            ]),
        );
        assert!(matches!(
            judge_world_ingress(&unknown_tags, admin),
            Verdict::Undecided { .. }
        ));
    }

    #[test]
    fn lookup_returns_an_unknown_ancestor_not_absence() {
        let r = resource(
            "x",
            map(vec![
                ("site_config", Value::Unknown("dynamic".into())),
                ("once", map(vec![("a", s("1"))])),
            ]),
        );
        let unknown = lookup(
            &r,
            &SettingPath::parse("site_config[0].minimum_tls_version"),
        );
        assert!(unknown.is_some_and(Value::is_unknown));
        assert_eq!(lookup(&r, &SettingPath::parse("missing[0].x")), None);
        // A block written once as a map answers index 0 (`.tf.json`).
        assert_eq!(lookup(&r, &SettingPath::parse("once[0].a")), Some(&s("1")));
        assert!(matches!(
            flag_at(&r, "site_config[0].enabled", true, false, "x"),
            Verdict::Undecided { .. }
        ));
    }
}
