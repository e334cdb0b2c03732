//! IAM-style policy documents, normalised so that rules ask one question per statement.
//!
//! A policy reaches a resource in one of four shapes, and every rule about policies must read all
//! of them the same way:
//!
//! ```text
//! policy = jsonencode({ Statement = [...] })       → a Map        (paths: policy.Statement[0].Action)
//! policy = <<EOF {...} EOF  /  "{...}"             → a Map, or a String of JSON (tf.json)
//! policy = data.aws_iam_policy_document.x.json     → a Ref → the data source's `statement` blocks
//! policy = var.policy (no default)                 → Unknown
//! ```
//!
//! [`resolve`] turns any of them into a [`Document`]: a list of [`Statement`]s with effect, actions,
//! not-actions, resources, principals, whether a condition is present, and for each the
//! [`Evidence`] that names where it was written (on the policy's own resource, or on the data
//! source it reads). What could not be read is listed in [`Document::unknown`] so a rule can be
//! undecided about it rather than silent.
//!
//! A policy given as a string of JSON has no setting paths inside it (the string is one setting),
//! so its statements' evidence is the attribute itself (`policy`).

use crate::model::{blocks_of, Resource, SettingPath, Value};
use crate::rules::helpers::{read_str, unknown_blocks, unknown_blocks_of, Read, Tri};
use crate::rules::scope::wildcard_match;
use crate::rules::{Evidence, UnitView};

/// How deep references between policy documents are followed (source and override documents,
/// resources whose policy is another resource's attribute). Guards against cycles.
const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    /// Not a valid effect (or missing in JSON): AWS rejects the document, it grants nothing.
    Invalid,
    Unknown,
}

/// A list-valued element (`Action`, `Resource`, …): the known strings and whether any part is
/// unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Items {
    pub at: Evidence,
    pub known: Vec<String>,
    pub unknown: bool,
}

/// One principal: `*` (kind `*`), or a kind (`AWS`, `Service`, `Federated`, `CanonicalUser`) and an
/// identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: String,
    pub id: String,
    /// Where it was written: `policy.Statement[0].Principal.AWS`, or a data source's
    /// `statement[0].principals[1].type` and `.identifiers`.
    pub at: Vec<Evidence>,
}

impl Principal {
    /// Everyone: `"*"`, `{"AWS": "*"}`, or a data source's `type = "*"`.
    pub fn is_public(&self) -> bool {
        self.kind == "*" || (self.kind.eq_ignore_ascii_case("AWS") && self.id.trim() == "*")
    }

    /// `*`, `AWS:arn:aws:iam::123456789012:root`, `Service:ec2.amazonaws.com`.
    pub fn label(&self) -> String {
        if self.is_public() {
            "*".to_string()
        } else {
            format!("{}:{}", self.kind, self.id)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principals {
    pub at: Evidence,
    pub entries: Vec<Principal>,
    /// Unknown parts, by where they were written.
    pub unknown: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement itself: `policy.Statement[0]`, `statement[0]` of a data source.
    pub at: Evidence,
    pub sid: Option<String>,
    pub effect: Effect,
    /// `Effect`, or the data source's `effect` (absent there means Allow).
    pub effect_at: Evidence,
    pub actions: Option<Items>,
    pub not_actions: Option<Items>,
    pub resources: Option<Items>,
    pub not_resources: Option<Items>,
    pub principals: Option<Principals>,
    pub not_principals: Option<Principals>,
    /// `Yes`: a condition restricts the statement; `Maybe`: the condition is unknown.
    pub condition: Tri,
    pub condition_at: Evidence,
}

/// The statements of a policy, and what of it could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub statements: Vec<Statement>,
    pub unknown: Vec<(Evidence, String)>,
}

impl Document {
    fn unknown(at: Evidence, why: impl Into<String>) -> Document {
        Document {
            statements: Vec::new(),
            unknown: vec![(at, why.into())],
        }
    }

    /// Adds statements the way `aws_iam_policy_document` layers documents: a statement whose
    /// non-empty `sid` is already present replaces it; others are appended.
    fn layer(&mut self, other: Document) {
        for s in other.statements {
            let same = s.sid.as_deref().filter(|x| !x.is_empty()).and_then(|sid| {
                self.statements
                    .iter()
                    .position(|t| t.sid.as_deref() == Some(sid))
            });
            match same {
                Some(i) => self.statements[i] = s,
                None => self.statements.push(s),
            }
        }
        self.unknown.extend(other.unknown);
    }
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// Where the evidence of a JSON document goes: inside the attribute, or (for a string of JSON,
/// which is one setting) the attribute itself.
struct Ctx<'a> {
    address: &'a str,
    base: SettingPath,
    opaque: bool,
}

impl Ctx<'_> {
    fn at(&self, path: &SettingPath) -> Evidence {
        if self.opaque {
            Evidence::new(self.address, self.base.clone())
        } else {
            Evidence::new(self.address, path.clone())
        }
    }
}

/// Normalises a policy document given as JSON-shaped values (a `jsonencode` map, or parsed JSON),
/// written on `address` at `base` (`policy`, `inline_policy[0].policy`).
pub fn normalise(doc: &Value, address: &str, base: &SettingPath) -> Document {
    normalise_json(
        &Ctx {
            address,
            base: base.clone(),
            opaque: false,
        },
        doc,
    )
}

fn normalise_json(ctx: &Ctx<'_>, doc: &Value) -> Document {
    let base = ctx.base.clone();
    let Some(m) = doc.as_map() else {
        return Document::unknown(ctx.at(&base), not_a_document(doc));
    };
    let st_path = base.key("Statement");
    let mut out = Document::default();
    match m.get("Statement") {
        None | Some(Value::Null) => {}
        Some(Value::List(items)) => {
            for (i, s) in items.iter().enumerate() {
                json_statement(ctx, s, st_path.index(i), &mut out);
            }
        }
        Some(s @ Value::Map(_)) => json_statement(ctx, s, st_path, &mut out),
        Some(other) => out.unknown.push((ctx.at(&st_path), not_a_document(other))),
    }
    out
}

fn not_a_document(v: &Value) -> String {
    match v {
        Value::Unknown(e) => format!("not known statically: {e}"),
        Value::Ref(r) => format!("computed from {r}"),
        other => format!("not a policy document: {other}"),
    }
}

fn json_statement(ctx: &Ctx<'_>, s: &Value, path: SettingPath, out: &mut Document) {
    let Some(m) = s.as_map() else {
        out.unknown.push((ctx.at(&path), not_a_document(s)));
        return;
    };
    let effect_path = path.key("Effect");
    let effect = match m.get("Effect") {
        None | Some(Value::Null) => Effect::Invalid,
        Some(Value::String(e)) => parse_effect(e),
        Some(_) => Effect::Unknown,
    };
    let items = |k: &str| read_items(m.get(k), ctx.at(&path.key(k)));
    let condition_path = path.key("Condition");
    let condition = match m.get("Condition") {
        None | Some(Value::Null) => Tri::No,
        Some(Value::Map(c)) => {
            if c.is_empty() {
                Tri::No
            } else {
                Tri::Yes
            }
        }
        Some(_) => Tri::Maybe,
    };
    out.statements.push(Statement {
        at: ctx.at(&path),
        sid: m.get("Sid").and_then(Value::as_str).map(str::to_string),
        effect,
        effect_at: ctx.at(&effect_path),
        actions: items("Action"),
        not_actions: items("NotAction"),
        resources: items("Resource"),
        not_resources: items("NotResource"),
        principals: json_principals(ctx, m.get("Principal"), &path.key("Principal")),
        not_principals: json_principals(ctx, m.get("NotPrincipal"), &path.key("NotPrincipal")),
        condition,
        condition_at: ctx.at(&condition_path),
    });
}

fn parse_effect(e: &str) -> Effect {
    match e.trim() {
        x if x.eq_ignore_ascii_case("allow") => Effect::Allow,
        x if x.eq_ignore_ascii_case("deny") => Effect::Deny,
        _ => Effect::Invalid,
    }
}

/// `"x"` or `["x", …]`, possibly unknown in whole or in part. `None` when absent.
fn read_items(v: Option<&Value>, at: Evidence) -> Option<Items> {
    let v = v?;
    let mut items = Items {
        at,
        known: Vec::new(),
        unknown: false,
    };
    let mut add = |x: &Value| match x {
        Value::String(s) => items.known.push(s.clone()),
        Value::Null => {}
        _ => items.unknown = true,
    };
    match v {
        Value::Null => return None,
        Value::List(l) => l.iter().for_each(&mut add),
        other => add(other),
    }
    Some(items)
}

fn json_principals(ctx: &Ctx<'_>, v: Option<&Value>, path: &SettingPath) -> Option<Principals> {
    let v = v?;
    let mut p = Principals {
        at: ctx.at(path),
        entries: Vec::new(),
        unknown: Vec::new(),
    };
    match v {
        Value::Null => return None,
        Value::String(s) => p.entries.push(Principal {
            kind: if s.trim() == "*" {
                "*".into()
            } else {
                String::new()
            },
            id: s.clone(),
            at: vec![ctx.at(path)],
        }),
        Value::Map(m) => {
            for (kind, ids) in m {
                let kp = path.key(kind);
                for id in ids.as_scalar_list() {
                    match id {
                        Value::String(s) => p.entries.push(Principal {
                            kind: kind.clone(),
                            id: s.clone(),
                            at: vec![ctx.at(&kp)],
                        }),
                        Value::Null => {}
                        _ => p.unknown.push(ctx.at(&kp)),
                    }
                }
            }
        }
        _ => p.unknown.push(ctx.at(path)),
    }
    Some(p)
}

/// The statements of a `data.aws_iam_policy_document`: its source documents, then its own
/// `statement` blocks, then its override documents, layered by `sid` as the provider does.
pub fn data_document(view: &UnitView<'_>, res: &Resource, depth: usize) -> Document {
    let mut doc = Document::default();
    for name in ["source_policy_documents", "source_json"] {
        doc.layer(attached_documents(view, res, name, depth));
    }
    let mut own = Document::default();
    for path in unknown_blocks_of(res, "statement") {
        own.unknown.push((
            Evidence::new(&res.address, path),
            "statement blocks are not known statically".into(),
        ));
    }
    for (path, block) in res.blocks("statement") {
        own.statements
            .push(data_statement(&res.address, block, path));
    }
    doc.layer(own);
    for name in ["override_policy_documents", "override_json"] {
        doc.layer(attached_documents(view, res, name, depth));
    }
    doc
}

fn attached_documents(view: &UnitView<'_>, res: &Resource, name: &str, depth: usize) -> Document {
    let path = SettingPath::root().key(name);
    let mut doc = Document::default();
    match res.attr(name) {
        None | Some(Value::Null) => {}
        Some(Value::List(items)) => {
            for (i, v) in items.iter().enumerate() {
                doc.layer(resolve_at(view, res, Some(v), path.index(i), depth + 1));
            }
        }
        Some(v) => doc.layer(resolve_at(view, res, Some(v), path, depth + 1)),
    }
    doc
}

fn data_statement(address: &str, block: &Value, path: SettingPath) -> Statement {
    let get = |k: &str| block.as_map().and_then(|m| m.get(k));
    let at = |p: SettingPath| Evidence::new(address, p);
    let effect_path = path.key("effect");
    let effect = match read_str(get("effect")) {
        Read::Absent => Effect::Allow,
        Read::Known(e) => parse_effect(&e),
        Read::Unknown => Effect::Unknown,
    };
    let items = |k: &str| read_items(get(k), at(path.key(k)));
    // A known condition block restricts the statement; an unknown one (a dynamic block over an
    // unknown collection) may or may not exist.
    let condition = if !blocks_of(block, &path, "condition").is_empty() {
        Tri::Yes
    } else if !unknown_blocks(block, &path, "condition").is_empty() {
        Tri::Maybe
    } else {
        Tri::No
    };
    Statement {
        at: at(path.clone()),
        sid: get("sid").and_then(Value::as_str).map(str::to_string),
        effect,
        effect_at: at(effect_path),
        actions: items("actions"),
        not_actions: items("not_actions"),
        resources: items("resources"),
        not_resources: items("not_resources"),
        principals: data_principals(address, block, &path, "principals"),
        not_principals: data_principals(address, block, &path, "not_principals"),
        condition,
        condition_at: at(path.key("condition")),
    }
}

fn data_principals(
    address: &str,
    block: &Value,
    path: &SettingPath,
    name: &str,
) -> Option<Principals> {
    // Absent: no such element at all (distinct from an empty one).
    block.as_map().and_then(|m| m.get(name))?;
    let mut p = Principals {
        at: Evidence::new(address, path.key(name)),
        entries: Vec::new(),
        unknown: Vec::new(),
    };
    for up in unknown_blocks(block, path, name) {
        p.unknown.push(Evidence::new(address, up));
    }
    for (bp, b) in blocks_of(block, path, name) {
        let get = |k: &str| b.as_map().and_then(|m| m.get(k));
        let type_at = Evidence::new(address, bp.key("type"));
        let ids_at = Evidence::new(address, bp.key("identifiers"));
        let kind = match read_str(get("type")) {
            Read::Known(t) => t,
            _ => {
                p.unknown.push(type_at);
                continue;
            }
        };
        let ids = get("identifiers")
            .map(Value::as_scalar_list)
            .unwrap_or_default();
        for id in ids {
            match id {
                Value::String(s) => p.entries.push(Principal {
                    kind: if kind.trim() == "*" {
                        "*".into()
                    } else {
                        kind.clone()
                    },
                    id: s.clone(),
                    at: vec![type_at.clone(), ids_at.clone()],
                }),
                Value::Null => {}
                _ => p.unknown.push(ids_at.clone()),
            }
        }
    }
    Some(p)
}

/// The policy document at `path` of `res`, whatever its shape (see the module docs). Absent or
/// null gives an empty document.
pub fn resolve(view: &UnitView<'_>, res: &Resource, path: &SettingPath) -> Document {
    resolve_at(view, res, res.get(path), path.clone(), 0)
}

fn resolve_at(
    view: &UnitView<'_>,
    owner: &Resource,
    value: Option<&Value>,
    path: SettingPath,
    depth: usize,
) -> Document {
    let here = Evidence::new(&owner.address, path.clone());
    if depth > MAX_DEPTH {
        return Document::unknown(here, "policy documents refer to each other too deeply");
    }
    match value {
        None | Some(Value::Null) => Document::default(),
        Some(v @ Value::Map(_)) => normalise_json(
            &Ctx {
                address: &owner.address,
                base: path,
                opaque: false,
            },
            v,
        ),
        Some(Value::String(s)) if s.trim().is_empty() => Document::default(),
        Some(Value::String(s)) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(j) => normalise_json(
                &Ctx {
                    address: &owner.address,
                    base: path,
                    opaque: true,
                },
                &Value::from_json(&j),
            ),
            Err(e) => Document::unknown(here, format!("not a JSON policy document: {e}")),
        },
        Some(v @ Value::Ref(r)) => match view.follow(v) {
            Some((target, attr))
                if target.kind == "data.aws_iam_policy_document"
                    && (attr == "json" || attr == "minified_json") =>
            {
                data_document(view, target, depth + 1)
            }
            Some((target, attr)) if !attr.is_empty() => {
                let p = SettingPath::parse(&attr);
                match target.get(&p) {
                    Some(next) => resolve_at(view, target, Some(next), p, depth + 1),
                    None => Document::unknown(
                        here,
                        format!("{r} is computed by the provider, not written in the code"),
                    ),
                }
            }
            _ => Document::unknown(here, format!("{r} is not in this unit")),
        },
        Some(other) => Document::unknown(here, not_a_document(other)),
    }
}

// ---------------------------------------------------------------------------------------------
// Questions rules ask
// ---------------------------------------------------------------------------------------------

impl Items {
    /// `Yes` when a known item satisfies `f`, `Maybe` when none does but some are unknown.
    pub fn any(&self, f: impl Fn(&str) -> bool) -> Tri {
        if self.known.iter().any(|s| f(s)) {
            Tri::Yes
        } else if self.unknown {
            Tri::Maybe
        } else {
            Tri::No
        }
    }
}

/// `*`, or `*:*`: every action of every service.
pub fn is_all_actions(a: &str) -> bool {
    matches!(a.trim(), "*" | "*:*")
}

impl Statement {
    pub fn allows(&self) -> Tri {
        match self.effect {
            Effect::Allow => Tri::Yes,
            Effect::Unknown => Tri::Maybe,
            Effect::Deny | Effect::Invalid => Tri::No,
        }
    }

    /// Does the statement name everyone as principal? `NotPrincipal` with Allow grants to everyone
    /// not listed, which is everyone for this purpose. Evidence: the public principals' settings.
    pub fn public_principal(&self) -> (Tri, Vec<Evidence>) {
        if let Some(np) = &self.not_principals {
            if self.effect != Effect::Deny {
                return (Tri::Yes, vec![np.at.clone()]);
            }
        }
        let Some(p) = &self.principals else {
            return (Tri::No, Vec::new());
        };
        let public: Vec<Evidence> = p
            .entries
            .iter()
            .filter(|x| x.is_public())
            .flat_map(|x| x.at.iter().cloned())
            .collect();
        if !public.is_empty() {
            (Tri::Yes, public)
        } else if !p.unknown.is_empty() {
            (Tri::Maybe, p.unknown.clone())
        } else {
            (Tri::No, Vec::new())
        }
    }

    /// Allow, to everyone, with no condition. Evidence: the effect and the principal settings.
    pub fn grants_public(&self) -> (Tri, Vec<Evidence>) {
        let (public, mut at) = self.public_principal();
        let t = self.allows().and(public).and(!self.condition);
        at.insert(0, self.effect_at.clone());
        (t, at)
    }

    /// Does the statement cover at least one of `actions` (through `Action`, or through a
    /// `NotAction` that excludes none of them)?
    pub fn covers_action(&self, actions: &[&str]) -> Tri {
        let hit = |pat: &str| actions.iter().any(|a| wildcard_match(pat.trim(), a));
        match (&self.actions, &self.not_actions) {
            (Some(a), _) => a.any(hit),
            (None, Some(na)) => {
                // Some wanted action survives the exclusion unless every one is excluded.
                let all_excluded = actions
                    .iter()
                    .all(|a| na.known.iter().any(|p| wildcard_match(p.trim(), a)));
                if all_excluded {
                    Tri::No
                } else if na.unknown {
                    Tri::Maybe
                } else {
                    Tri::Yes
                }
            }
            (None, None) => Tri::No,
        }
    }

    /// Full administrator: Allow `Action` `*` (or `*:*`) on `Resource` `*`. Evidence: effect,
    /// action and resource settings.
    pub fn grants_admin(&self) -> (Tri, Vec<Evidence>) {
        let action = self
            .actions
            .as_ref()
            .map_or(Tri::No, |a| a.any(is_all_actions));
        let resource = self
            .resources
            .as_ref()
            .map_or(Tri::No, |r| r.any(|x| x.trim() == "*"));
        let t = self.allows().and(action).and(resource);
        let mut at = vec![self.effect_at.clone()];
        at.extend(self.actions.iter().map(|a| a.at.clone()));
        at.extend(self.resources.iter().map(|r| r.at.clone()));
        (t, at)
    }

    /// Every unknown part of the statement, for an undecided verdict.
    pub fn unknown_evidence(&self) -> Vec<Evidence> {
        let mut out = Vec::new();
        if self.effect == Effect::Unknown {
            out.push(self.effect_at.clone());
        }
        for items in [
            &self.actions,
            &self.not_actions,
            &self.resources,
            &self.not_resources,
        ]
        .into_iter()
        .flatten()
        {
            if items.unknown {
                out.push(items.at.clone());
            }
        }
        for p in [&self.principals, &self.not_principals]
            .into_iter()
            .flatten()
        {
            out.extend(p.unknown.iter().cloned());
        }
        if self.condition == Tri::Maybe {
            out.push(self.condition_at.clone());
        }
        out
    }

    /// The known actions, lower-cased, for a scope (`["*"]` for a NotAction statement, which
    /// allows everything not listed).
    pub fn scope_actions(&self) -> Vec<String> {
        match (&self.actions, &self.not_actions) {
            (Some(a), _) => a
                .known
                .iter()
                .map(|s| s.trim().to_ascii_lowercase())
                .collect(),
            (None, Some(_)) => vec!["*".to_string()],
            (None, None) => Vec::new(),
        }
    }

    /// The known principals as labels (`*` for everyone).
    pub fn scope_principals(&self) -> Vec<String> {
        if self.not_principals.is_some() && self.effect != Effect::Deny {
            return vec!["*".to_string()];
        }
        self.principals
            .iter()
            .flat_map(|p| p.entries.iter().map(Principal::label))
            .collect()
    }

    /// `aws_iam_policy.x policy.Statement[0]`, `data.aws_iam_policy_document.x statement[0]`,
    /// with the sid if any.
    pub fn label(&self) -> String {
        let mut s = format!("{} {}", self.at.address, self.at.path);
        if let Some(sid) = self.sid.as_deref().filter(|x| !x.is_empty()) {
            s.push_str(&format!(" ({sid})"));
        }
        s
    }

    /// `s3:GetObject, s3:ListBucket`, or `everything except iam:*`.
    pub fn actions_label(&self) -> String {
        match (&self.actions, &self.not_actions) {
            (Some(a), _) if !a.known.is_empty() => a.known.join(", "),
            (Some(_), _) => "(unknown actions)".to_string(),
            (None, Some(na)) => format!("everything except {}", na.known.join(", ")),
            (None, None) => "no action".to_string(),
        }
    }
}

/// The outcome of asking one question of every statement of some documents.
#[derive(Debug, Default)]
pub struct Judgement<'a> {
    /// Statements that certainly answer yes, with their evidence.
    pub hits: Vec<(&'a Statement, Vec<Evidence>)>,
    /// Evidence of what might make the answer yes.
    pub maybe: Vec<Evidence>,
    pub reasons: Vec<String>,
}

impl<'a> Judgement<'a> {
    pub fn of(docs: &'a [Document], test: impl Fn(&Statement) -> (Tri, Vec<Evidence>)) -> Self {
        let mut j = Judgement::default();
        for d in docs {
            for (at, why) in &d.unknown {
                j.maybe.push(at.clone());
                j.reasons.push(format!("{} {}: {why}", at.address, at.path));
            }
            for s in &d.statements {
                match test(s) {
                    (Tri::Yes, at) => j.hits.push((s, at)),
                    (Tri::Maybe, _) => {
                        let unknown = s.unknown_evidence();
                        j.maybe.extend(if unknown.is_empty() {
                            vec![s.at.clone()]
                        } else {
                            unknown
                        });
                        j.reasons
                            .push(format!("{}: a part is not known statically", s.label()));
                    }
                    (Tri::No, _) => {}
                }
            }
        }
        j
    }

    pub fn outcome(&self) -> Tri {
        if !self.hits.is_empty() {
            Tri::Yes
        } else if !self.maybe.is_empty() {
            Tri::Maybe
        } else {
            Tri::No
        }
    }

    /// All hit evidence, sorted.
    pub fn evidence(&self) -> Vec<Evidence> {
        crate::rules::helpers::dedup(
            self.hits
                .iter()
                .flat_map(|(_, e)| e.iter().cloned())
                .collect(),
        )
    }

    pub fn scope_actions(&self) -> Vec<String> {
        crate::rules::helpers::dedup(
            self.hits
                .iter()
                .flat_map(|(s, _)| s.scope_actions())
                .collect(),
        )
    }

    pub fn scope_principals(&self) -> Vec<String> {
        crate::rules::helpers::dedup(
            self.hits
                .iter()
                .flat_map(|(s, _)| s.scope_principals())
                .collect(),
        )
    }

    pub fn reason(&self) -> String {
        self.reasons.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Unit;

    fn s(x: &str) -> Value {
        Value::str(x)
    }
    fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }
    fn map(items: Vec<(&str, Value)>) -> Value {
        Value::Map(items.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
    fn doc(statement: Value) -> Value {
        map(vec![("Version", s("2012-10-17")), ("Statement", statement)])
    }
    fn norm(v: &Value) -> Document {
        normalise(v, "aws_iam_policy.p", &SettingPath::parse("policy"))
    }
    fn paths(ev: &[Evidence]) -> Vec<String> {
        ev.iter().map(|e| e.path.to_string()).collect()
    }

    #[test]
    fn statement_as_map_or_list() {
        let st = map(vec![
            ("Effect", s("Allow")),
            ("Action", s("*")),
            ("Resource", s("*")),
        ]);
        let single = norm(&doc(st.clone()));
        assert_eq!(single.statements.len(), 1);
        let (t, at) = single.statements[0].grants_admin();
        assert_eq!(t, Tri::Yes);
        assert_eq!(
            paths(&at),
            vec![
                "policy.Statement.Effect",
                "policy.Statement.Action",
                "policy.Statement.Resource"
            ]
        );
        let listed = norm(&doc(list(vec![
            map(vec![
                ("Effect", s("Deny")),
                ("Action", s("*")),
                ("Resource", s("*")),
            ]),
            st,
        ])));
        assert_eq!(listed.statements.len(), 2);
        assert_eq!(listed.statements[0].grants_admin().0, Tri::No);
        let (t, at) = listed.statements[1].grants_admin();
        assert_eq!(t, Tri::Yes);
        assert_eq!(paths(&at)[1], "policy.Statement[1].Action");
    }

    #[test]
    fn action_string_list_and_not_action() {
        let d = norm(&doc(list(vec![
            map(vec![
                ("Effect", s("Allow")),
                ("Action", list(vec![s("s3:GetObject"), s("*:*")])),
                ("Resource", list(vec![s("*")])),
            ]),
            map(vec![
                ("Effect", s("Allow")),
                ("NotAction", s("iam:*")),
                ("Resource", s("*")),
            ]),
            map(vec![
                ("Effect", s("Allow")),
                ("Action", s("s3:*")),
                ("Resource", s("*")),
            ]),
        ])));
        assert_eq!(d.statements[0].grants_admin().0, Tri::Yes);
        assert_eq!(
            d.statements[0].actions.as_ref().map(|a| a.known.clone()),
            Some(vec!["s3:GetObject".to_string(), "*:*".to_string()])
        );
        // NotAction is not an admin grant by this definition, but covers sts:AssumeRole.
        assert_eq!(d.statements[1].grants_admin().0, Tri::No);
        assert!(d.statements[1].not_actions.is_some());
        assert_eq!(d.statements[1].covers_action(&["sts:AssumeRole"]), Tri::Yes);
        assert_eq!(d.statements[1].covers_action(&["iam:PassRole"]), Tri::No);
        assert_eq!(d.statements[2].grants_admin().0, Tri::No);
    }

    #[test]
    fn principals_star_aws_star_and_arns() {
        let with = |p: Value| {
            norm(&doc(map(vec![
                ("Effect", s("Allow")),
                ("Principal", p),
                ("Action", s("sqs:SendMessage")),
            ])))
        };
        let star = with(s("*"));
        let (t, at) = star.statements[0].grants_public();
        assert_eq!(t, Tri::Yes);
        assert_eq!(
            paths(&at),
            vec!["policy.Statement.Effect", "policy.Statement.Principal"]
        );

        let aws_star = with(map(vec![("AWS", s("*"))]));
        let (t, at) = aws_star.statements[0].grants_public();
        assert_eq!(t, Tri::Yes);
        assert_eq!(
            paths(&at),
            vec!["policy.Statement.Effect", "policy.Statement.Principal.AWS"]
        );

        let arns = with(map(vec![(
            "AWS",
            list(vec![
                s("arn:aws:iam::123456789012:root"),
                s("arn:aws:iam::210987654321:role/x"),
            ]),
        )]));
        assert_eq!(arns.statements[0].grants_public().0, Tri::No);
        assert_eq!(
            arns.statements[0].scope_principals(),
            vec![
                "AWS:arn:aws:iam::123456789012:root".to_string(),
                "AWS:arn:aws:iam::210987654321:role/x".to_string()
            ]
        );

        let service = with(map(vec![("Service", s("sns.amazonaws.com"))]));
        assert_eq!(service.statements[0].grants_public().0, Tri::No);

        let unknown = with(map(vec![(
            "AWS",
            list(vec![Value::Unknown("var.who".into())]),
        )]));
        assert_eq!(unknown.statements[0].grants_public().0, Tri::Maybe);
    }

    #[test]
    fn condition_present_absent_unknown() {
        let with = |c: Option<Value>| {
            let mut st = vec![
                ("Effect", s("Allow")),
                ("Principal", s("*")),
                ("Action", s("s3:GetObject")),
            ];
            if let Some(c) = c {
                st.push(("Condition", c));
            }
            norm(&doc(map(st)))
        };
        assert_eq!(with(None).statements[0].grants_public().0, Tri::Yes);
        let cond = map(vec![(
            "StringEquals",
            map(vec![("aws:SourceVpce", s("vpce-1a2b3c4d"))]),
        )]);
        assert_eq!(with(Some(cond)).statements[0].condition, Tri::Yes);
        assert_eq!(
            with(Some(map(vec![]))).statements[0].grants_public().0,
            Tri::Yes
        );
        let unknown = with(Some(Value::Unknown("var.c".into())));
        assert_eq!(unknown.statements[0].grants_public().0, Tri::Maybe);
        assert_eq!(
            paths(&unknown.statements[0].unknown_evidence()),
            vec!["policy.Statement.Condition"]
        );
    }

    #[test]
    fn not_principal_with_allow_is_public() {
        let d = norm(&doc(map(vec![
            ("Effect", s("Allow")),
            (
                "NotPrincipal",
                map(vec![("AWS", s("arn:aws:iam::123456789012:root"))]),
            ),
            ("Action", s("s3:*")),
        ])));
        assert_eq!(d.statements[0].grants_public().0, Tri::Yes);
    }

    #[test]
    fn unknown_pieces_and_bad_shapes_do_not_panic() {
        let d = norm(&Value::Unknown("var.policy".into()));
        assert!(d.statements.is_empty());
        assert_eq!(d.unknown.len(), 1);
        let d = norm(&doc(Value::Unknown("local.statements".into())));
        assert_eq!(d.unknown.len(), 1);
        assert_eq!(d.unknown[0].0.path.to_string(), "policy.Statement");
        let d = norm(&doc(list(vec![s("nonsense"), Value::Number("3".into())])));
        assert_eq!(d.unknown.len(), 2);
        let d = norm(&doc(map(vec![
            ("Effect", s("Allow")),
            ("Action", list(vec![Value::Unknown("var.a".into())])),
            ("Resource", s("*")),
        ])));
        assert_eq!(d.statements[0].grants_admin().0, Tri::Maybe);
        // Effect missing: invalid, grants nothing.
        let d = norm(&doc(map(vec![("Action", s("*")), ("Resource", s("*"))])));
        assert_eq!(d.statements[0].grants_admin().0, Tri::No);
    }

    fn resource(address: &str, kind: &str, body: Value) -> Resource {
        Resource::for_test(address, kind, body)
    }

    fn unit(resources: Vec<Resource>) -> Unit {
        Unit {
            resources: resources
                .into_iter()
                .map(|r| (r.address.clone(), r))
                .collect(),
            problems: Vec::new(),
            moved: Vec::new(),
            removed: Vec::new(),
            imports: Vec::new(),
            ..Default::default()
        }
    }

    #[test]
    fn string_json_and_data_source_references() {
        let json = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        let data = resource(
            "data.aws_iam_policy_document.admin",
            "data.aws_iam_policy_document",
            map(vec![(
                "statement",
                list(vec![map(vec![
                    ("actions", list(vec![s("*")])),
                    ("resources", list(vec![s("*")])),
                    (
                        "principals",
                        list(vec![map(vec![
                            ("type", s("AWS")),
                            ("identifiers", list(vec![s("*")])),
                        ])]),
                    ),
                ])]),
            )]),
        );
        let from_string = resource(
            "aws_iam_policy.s",
            "aws_iam_policy",
            map(vec![("policy", s(json))]),
        );
        let from_ref = resource(
            "aws_iam_policy.r",
            "aws_iam_policy",
            map(vec![(
                "policy",
                Value::Ref("data.aws_iam_policy_document.admin.json".into()),
            )]),
        );
        let dangling = resource(
            "aws_iam_policy.d",
            "aws_iam_policy",
            map(vec![(
                "policy",
                Value::Ref("data.aws_iam_policy_document.gone.json".into()),
            )]),
        );
        let u = unit(vec![data, from_string, from_ref, dangling]);
        let view = UnitView::new(&u);
        let p = SettingPath::parse("policy");

        let d = resolve(&view, &u.resources["aws_iam_policy.s"], &p);
        let (t, at) = d.statements[0].grants_admin();
        assert_eq!(t, Tri::Yes);
        // A string of JSON is one setting.
        assert!(at.iter().all(|e| e.path.to_string() == "policy"));

        let d = resolve(&view, &u.resources["aws_iam_policy.r"], &p);
        let (t, at) = d.statements[0].grants_admin();
        assert_eq!(t, Tri::Yes);
        assert_eq!(at[0].address, "data.aws_iam_policy_document.admin");
        assert_eq!(
            paths(&at),
            vec![
                "statement[0].effect",
                "statement[0].actions",
                "statement[0].resources"
            ]
        );
        let (t, at) = d.statements[0].grants_public();
        assert_eq!(t, Tri::Yes);
        assert_eq!(
            paths(&at),
            vec![
                "statement[0].effect",
                "statement[0].principals[0].type",
                "statement[0].principals[0].identifiers"
            ]
        );

        let d = resolve(&view, &u.resources["aws_iam_policy.d"], &p);
        assert!(d.statements.is_empty());
        assert_eq!(d.unknown.len(), 1);
    }

    #[test]
    fn override_documents_replace_by_sid() {
        let base = resource(
            "data.aws_iam_policy_document.base",
            "data.aws_iam_policy_document",
            map(vec![(
                "statement",
                list(vec![map(vec![
                    ("sid", s("Open")),
                    ("actions", list(vec![s("*")])),
                    ("resources", list(vec![s("*")])),
                ])]),
            )]),
        );
        let narrowed = resource(
            "data.aws_iam_policy_document.narrow",
            "data.aws_iam_policy_document",
            map(vec![
                (
                    "source_policy_documents",
                    list(vec![Value::Ref(
                        "data.aws_iam_policy_document.base.json".into(),
                    )]),
                ),
                (
                    "statement",
                    list(vec![map(vec![
                        ("sid", s("Open")),
                        ("actions", list(vec![s("s3:GetObject")])),
                        ("resources", list(vec![s("*")])),
                    ])]),
                ),
            ]),
        );
        let u = unit(vec![base, narrowed]);
        let view = UnitView::new(&u);
        let d = data_document(
            &view,
            &u.resources["data.aws_iam_policy_document.narrow"],
            0,
        );
        assert_eq!(d.statements.len(), 1);
        assert_eq!(d.statements[0].grants_admin().0, Tri::No);
    }

    #[test]
    fn self_reference_terminates() {
        let looping = resource(
            "data.aws_iam_policy_document.loop",
            "data.aws_iam_policy_document",
            map(vec![(
                "source_policy_documents",
                list(vec![Value::Ref(
                    "data.aws_iam_policy_document.loop.json".into(),
                )]),
            )]),
        );
        let u = unit(vec![looping]);
        let view = UnitView::new(&u);
        let d = data_document(&view, &u.resources["data.aws_iam_policy_document.loop"], 0);
        assert!(!d.unknown.is_empty());
    }
}
