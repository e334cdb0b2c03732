//! The one shape every format produces and every later stage consumes.
//!
//! A format module (`formats::terraform`, `formats::kubernetes`, `formats::cloudformation`) turns the files of a
//! unit into [`Resource`]s: an address, a kind, and a tree of [`Value`]s whose every setting path
//! carries the [`Location`] where its value was written. Rules read the tree; setting blame compares
//! trees between landings path by path, which is why reformatting, reordering attributes or moving a
//! resource to another file of its unit changes nothing here.
//!
//! Values that cannot be resolved statically are [`Value::Unknown`], with the expression that could
//! not be resolved. Rules must treat an unknown as undecidable, never as safe or unsafe.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The IaC format a unit was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Terraform,
    Kubernetes,
    CloudFormation,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Terraform => "terraform",
            Format::Kubernetes => "kubernetes",
            Format::CloudFormation => "cloudformation",
        }
    }
}

/// A statically resolved value. Maps are ordered so that comparisons, hashes and output are
/// deterministic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Null,
    Bool(bool),
    /// Kept as written (canonicalised) so equality is exact and output is stable.
    Number(String),
    String(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// A reference to another resource's attribute in the same unit, e.g. `aws_s3_bucket.data.id`.
    /// Kept symbolic so rules can follow it to the resource.
    Ref(String),
    /// Could not be resolved statically; the string says what (the expression, or why).
    Unknown(String),
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean, also accepting the strings Terraform coerces (`"true"`, `"false"`).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// A number, also accepting numeric strings (Terraform coerces `"22"` to 22).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => n.parse().ok(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        let f = self.as_f64()?;
        (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// True when this value or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown(_) => true,
            Value::List(l) => l.iter().any(Value::contains_unknown),
            Value::Map(m) => m.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// A scalar or a list of scalars as a list: IAM and Terraform both accept `"x"` where `["x"]`
    /// is meant.
    pub fn as_scalar_list(&self) -> Vec<&Value> {
        match self {
            Value::List(l) => l.iter().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        }
    }

    /// The value at a relative setting path (`a.b[0].c`).
    pub fn get_path(&self, path: &SettingPath) -> Option<&Value> {
        let mut cur = self;
        for seg in &path.0 {
            cur = match (seg, cur) {
                (Segment::Key(k), Value::Map(m)) => m.get(k)?,
                (Segment::Index(i), Value::List(l)) => l.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Sets (or with `None`, removes) the value at `path`, creating maps on the way. Used by the
    /// but-for test to revert one setting. Returns false when the path cannot be reached.
    pub fn set_path(&mut self, path: &SettingPath, value: Option<Value>) -> bool {
        let Some((last, init)) = path.0.split_last() else {
            return false;
        };
        let mut cur = self;
        for seg in init {
            cur = match (seg, cur) {
                (Segment::Key(k), Value::Map(m)) => m
                    .entry(k.clone())
                    .or_insert_with(|| Value::Map(BTreeMap::new())),
                (Segment::Index(i), Value::List(l)) => match l.get_mut(*i) {
                    Some(v) => v,
                    None => return false,
                },
                _ => return false,
            };
        }
        match (last, cur, value) {
            (Segment::Key(k), Value::Map(m), Some(v)) => {
                m.insert(k.clone(), v);
                true
            }
            (Segment::Key(k), Value::Map(m), None) => {
                m.remove(k);
                true
            }
            (Segment::Index(i), Value::List(l), Some(v)) if *i < l.len() => {
                l[*i] = v;
                true
            }
            (Segment::Index(i), Value::List(l), None) if *i < l.len() => {
                l.remove(*i);
                true
            }
            _ => false,
        }
    }

    /// Every leaf setting under this value with its path. Maps and lists of maps (nested blocks,
    /// policy statements) are descended; a list of scalars is one setting, because a CIDR list is
    /// one decision, not several.
    pub fn leaves(&self) -> Vec<(SettingPath, &Value)> {
        let mut out = Vec::new();
        collect_leaves(self, &mut SettingPath::root(), &mut out);
        out
    }

    /// JSON for reports: unknowns and references become readable strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => n
                .parse::<i64>()
                .map(J::from)
                .ok()
                .or_else(|| {
                    n.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(J::Number)
                })
                .unwrap_or_else(|| J::String(n.clone())),
            Value::String(s) => J::String(s.clone()),
            Value::List(l) => J::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Value::Ref(r) => J::String(format!("${{{r}}}")),
            Value::Unknown(e) => J::String(format!("(unknown: {e})")),
        }
    }

    /// From parsed JSON (policy documents, `.tf.json`).
    pub fn from_json(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.to_string()),
            J::String(s) => Value::String(s.clone()),
            J::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            J::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

fn collect_leaves<'a>(
    v: &'a Value,
    path: &mut SettingPath,
    out: &mut Vec<(SettingPath, &'a Value)>,
) {
    match v {
        Value::Map(m) if !m.is_empty() => {
            for (k, child) in m {
                path.0.push(Segment::Key(k.clone()));
                collect_leaves(child, path, out);
                path.0.pop();
            }
        }
        Value::List(l) if !l.is_empty() && l.iter().all(|x| matches!(x, Value::Map(_))) => {
            for (i, child) in l.iter().enumerate() {
                path.0.push(Segment::Index(i));
                collect_leaves(child, path, out);
                path.0.pop();
            }
        }
        _ => out.push((path.clone(), v)),
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => write!(f, "{s:?}"),
            Value::Ref(r) => write!(f, "{r}"),
            Value::Unknown(e) => write!(f, "(unknown: {e})"),
            other => write!(f, "{}", other.to_json()),
        }
    }
}

/// One step of a setting path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path into a resource: `ingress[0].cidr_blocks`, `policy.Statement[1].Action`. Keys that are
/// not plain identifiers are quoted: `Condition.IpAddress["aws:SourceIp"]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SettingPath(pub Vec<Segment>);

impl SettingPath {
    pub fn root() -> SettingPath {
        SettingPath(Vec::new())
    }

    pub fn key(&self, k: &str) -> SettingPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(k.to_string()));
        p
    }

    pub fn index(&self, i: usize) -> SettingPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(i));
        p
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn starts_with(&self, prefix: &SettingPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// Parses the textual form produced by `Display`. Lenient: used for rule fixtures and CLI.
    pub fn parse(s: &str) -> SettingPath {
        let mut segs = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                rest = r;
                continue;
            }
            if let Some(r) = rest.strip_prefix("[\"") {
                if let Some(end) = r.find("\"]") {
                    segs.push(Segment::Key(r[..end].to_string()));
                    rest = &r[end + 2..];
                    continue;
                }
            }
            if let Some(r) = rest.strip_prefix('[') {
                if let Some(end) = r.find(']') {
                    if let Ok(i) = r[..end].parse() {
                        segs.push(Segment::Index(i));
                        rest = &r[end + 1..];
                        continue;
                    }
                }
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len()).max(1);
            segs.push(Segment::Key(rest[..end].to_string()));
            rest = &rest[end..];
        }
        SettingPath(segs)
    }
}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for SettingPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => write!(f, "[{k:?}]")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Where a value was written: the file (repository-relative) and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
}

/// An addressable thing in a unit, with its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// `aws_security_group.web`, `data.aws_iam_policy_document.admin`.
    pub address: String,
    /// `aws_security_group`, `data.aws_iam_policy_document`.
    pub kind: String,
    /// Where the resource is declared.
    pub location: Location,
    /// The settings, as a map.
    pub body: Value,
    /// The location of each setting path that was written; a path not listed takes the location of
    /// its longest listed prefix, and finally the resource's own location.
    pub locations: BTreeMap<SettingPath, Location>,
}

impl Resource {
    pub fn get(&self, path: &SettingPath) -> Option<&Value> {
        self.body.get_path(path)
    }

    /// The value of a top-level attribute.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        self.body.as_map()?.get(name)
    }

    /// Nested blocks of a type, with their paths; accepts a block written once as a map (as
    /// `.tf.json` may) as well as the indexed list HCL produces.
    pub fn blocks(&self, name: &str) -> Vec<(SettingPath, &Value)> {
        blocks_of(&self.body, &SettingPath::root(), name)
    }

    pub fn location_of(&self, path: &SettingPath) -> Location {
        let mut p = path.clone();
        loop {
            if let Some(l) = self.locations.get(&p) {
                return l.clone();
            }
            if p.0.pop().is_none() {
                return self.location.clone();
            }
        }
    }
}

/// Whether `resource` names this address: itself, or one of its `for_each`/`count` instances.
/// Every stage that narrows to one resource (the fold's `--resource`, the investigation's filter,
/// a resource's history) asks this one question the same way.
pub fn matches_resource(address: &str, resource: &str) -> bool {
    address == resource
        || address
            .strip_prefix(resource)
            .is_some_and(|rest| rest.starts_with('['))
}

#[cfg(test)]
impl Resource {
    /// A resource built by hand for unit tests, declared at `main.tf:1`.
    pub fn for_test(address: &str, kind: &str, body: Value) -> Resource {
        Resource {
            address: address.to_string(),
            kind: kind.to_string(),
            location: Location {
                file: "main.tf".into(),
                line: 1,
            },
            body,
            locations: BTreeMap::new(),
        }
    }
}

/// The nested blocks `name` inside `parent` (at `parent_path`).
pub fn blocks_of<'a>(
    parent: &'a Value,
    parent_path: &SettingPath,
    name: &str,
) -> Vec<(SettingPath, &'a Value)> {
    let base = parent_path.key(name);
    match parent.as_map().and_then(|m| m.get(name)) {
        Some(Value::List(l)) => l
            .iter()
            .enumerate()
            .filter(|(_, v)| matches!(v, Value::Map(_)))
            .map(|(i, v)| (base.index(i), v))
            .collect(),
        Some(v @ Value::Map(_)) => vec![(base, v)],
        _ => Vec::new(),
    }
}

/// Splits a Terraform reference into the resource address it names and the attribute it reads:
/// `module.env["prod"].aws_s3_bucket.b.id` → (`module.env["prod"].aws_s3_bucket.b`, `id`),
/// `data.aws_iam_policy_document.x.json` → (`data.aws_iam_policy_document.x`, `json`). Instance
/// keys may hold dots (`module.env["eu.prod"]`), so the text is scanned, not split.
pub fn split_reference(r: &str) -> Option<(&str, &str)> {
    let b = r.as_bytes();
    let ident = |mut i: usize| {
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
            i += 1;
        }
        (i > start).then_some(i)
    };
    let index = |mut i: usize| -> Option<usize> {
        if b.get(i) != Some(&b'[') {
            return Some(i);
        }
        let mut quoted = false;
        while i < b.len() {
            match b[i] {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b']' if !quoted => return Some(i + 1),
                _ => {}
            }
            i += 1;
        }
        None
    };
    let dot = |i: usize| (b.get(i) == Some(&b'.')).then_some(i + 1);
    let mut i = 0;
    while r[i..].starts_with("module.") {
        i = dot(index(ident(i + 7)?)?)?;
    }
    if r[i..].starts_with("data.") {
        i += 5;
    }
    let end = index(ident(dot(ident(i)?)?)?)?;
    let rest = match b.get(end) {
        None => "",
        Some(b'.') => &r[end + 1..],
        Some(_) => return None,
    };
    Some((&r[..end], rest))
}

/// A problem that kept (part of) a unit from being read: becomes a blind spot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub file: String,
    pub reason: String,
}

/// The resources of one unit at one point in history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unit {
    pub resources: BTreeMap<String, Resource>,
    /// Files that could not be read; when not empty the unit's resources may be incomplete.
    pub problems: Vec<Problem>,
    /// Terraform `moved { from = A, to = B }` blocks: the resource A is now addressed B, the same
    /// object (its windows and blame follow it).
    pub moved: Vec<(String, String)>,
    /// Terraform `removed { from = A }` blocks: A leaves the configuration. With
    /// `lifecycle { destroy = false }` (`destroy` false here) Terraform forgets the object and
    /// leaves it in the cloud as it was, so its exposure does not end.
    pub removed: Vec<Removed>,
    /// Terraform `import { to = A }` blocks: A existed in the cloud before this configuration
    /// named it, with settings the history does not show.
    pub imports: Vec<String>,
    /// Parts of the configuration that were not evaluated though every file was read (a module
    /// from outside the repository, a cycle of module calls, nesting past the bound): blind
    /// spots, but they hold nothing, since what was read is complete as far as it goes.
    pub gaps: Vec<Problem>,
    /// Terraform: the directories this unit's own directory calls as local modules (resolved,
    /// repository-relative), for telling roots from the modules they instantiate.
    pub calls: Vec<String>,
    /// Terraform: every other directory whose files were evaluated into this unit (the modules
    /// it instantiates, to any depth), so a change there re-evaluates this unit.
    pub reads: Vec<String>,
    /// Terraform: the unit's own directory says how it is deployed (a `provider` block, a
    /// backend, a tfvars file or a module call), or has no variables (so how it is called
    /// changes nothing). An uncalled directory with variables and none of these is reported as
    /// a library module, evaluated alone with its variables' defaults.
    pub deploys: bool,
}

/// One `removed` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub address: String,
    /// Does Terraform destroy the object (the default), or only forget it?
    pub destroy: bool,
    pub location: Location,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display_and_parse_round_trip() {
        for s in [
            "ingress[0].cidr_blocks",
            "policy.Statement[1].Action",
            "policy.Statement[0].Condition.IpAddress[\"aws:SourceIp\"]",
            "acl",
        ] {
            assert_eq!(SettingPath::parse(s).to_string(), s);
        }
    }

    #[test]
    fn leaves_descend_blocks_but_not_scalar_lists() {
        let mut ingress = BTreeMap::new();
        ingress.insert(
            "cidr_blocks".to_string(),
            Value::List(vec![Value::str("0.0.0.0/0")]),
        );
        ingress.insert("from_port".to_string(), Value::Number("22".into()));
        let mut body = BTreeMap::new();
        body.insert(
            "ingress".to_string(),
            Value::List(vec![Value::Map(ingress)]),
        );
        let v = Value::Map(body);
        let paths: Vec<String> = v.leaves().iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(
            paths,
            vec!["ingress[0].cidr_blocks", "ingress[0].from_port"]
        );
    }

    #[test]
    fn references_split_at_the_resource_address() {
        for (r, a, rest) in [
            ("aws_s3_bucket.b.id", "aws_s3_bucket.b", "id"),
            ("aws_s3_bucket.b", "aws_s3_bucket.b", ""),
            (
                "data.aws_iam_policy_document.x.json",
                "data.aws_iam_policy_document.x",
                "json",
            ),
            (
                "module.env[\"eu.prod\"].module.net.aws_security_group.web.id",
                "module.env[\"eu.prod\"].module.net.aws_security_group.web",
                "id",
            ),
            (
                "module.site[0].aws_s3_bucket.this.arn",
                "module.site[0].aws_s3_bucket.this",
                "arn",
            ),
        ] {
            assert_eq!(split_reference(r), Some((a, rest)), "{r}");
        }
        assert_eq!(split_reference("module.x"), None);
        assert_eq!(split_reference("var"), None);
    }

    #[test]
    fn set_path_reverts_and_removes() {
        let mut v = Value::Map(BTreeMap::new());
        let p = SettingPath::parse("a.b");
        assert!(v.set_path(&p, Some(Value::Bool(true))));
        assert_eq!(v.get_path(&p), Some(&Value::Bool(true)));
        assert!(v.set_path(&p, None));
        assert_eq!(v.get_path(&p), None);
    }
}
