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
    /// `Yes`: a condition narrows who can call (see [`Condition::narrows_caller`]); `No`: no
    /// condition, or none that narrows; `Maybe`: a condition is unknown, or its key is one whose
    /// effect on the caller configtrail does not know.
    pub condition: Tri,
    pub condition_at: Evidence,
    /// The conditions as written (ANDed).
    pub conditions: Vec<Condition>,
}

/// One condition of a statement: an operator, a key and the values compared with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    /// The operator, the key or a value is not known statically.
    pub unknown: bool,
    pub at: Evidence,
}

/// How an operator relates the key to its values, for deciding what a condition restricts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Polarity {
    /// The request must match one of the values (`StringEquals`, `ArnLike`, `IpAddress`).
    Matches,
    /// The request must match none of them (`StringNotEquals`, `NotIpAddress`).
    Excludes,
    /// Anything else: `…IfExists` (a request without the key passes), `ForAllValues:` (true when
    /// the key is absent), `Null`, `Bool`, numeric and date comparisons.
    Other,
}

fn polarity(operator: &str) -> Polarity {
    let op = operator.trim();
    if op.starts_with("ForAllValues:") || op.ends_with("IfExists") {
        return Polarity::Other;
    }
    let op = op.strip_prefix("ForAnyValue:").unwrap_or(op);
    match op.to_ascii_lowercase().as_str() {
        "stringequals"
        | "stringequalsignorecase"
        | "stringlike"
        | "arnequals"
        | "arnlike"
        | "ipaddress" => Polarity::Matches,
        "stringnotequals"
        | "stringnotequalsignorecase"
        | "stringnotlike"
        | "arnnotequals"
        | "arnnotlike"
        | "notipaddress" => Polarity::Excludes,
        _ => Polarity::Other,
    }
}

/// Keys that name the caller, its network or its organisation: matching specific values limits
/// who can make the request. `aws:SourceArn`/`aws:SourceAccount` narrow too: a caller that is not
/// the named AWS service acting for that resource does not carry them.
const CALLER_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:userid",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceip",
    "aws:vpcsourceip",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "kms:calleraccount",
    "sts:externalid",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
    "s3:accesspointnetworkorigin",
];

/// Keys that describe the request, not who makes it: anyone can send a request over TLS, with MFA
/// on their own account, at any time, with any user agent, referer or tag on their own
/// principal. (`aws:username` repeats across accounts; `aws:Referer` is set by the caller.)
const REQUEST_KEYS: &[&str] = &[
    "aws:securetransport",
    "aws:currenttime",
    "aws:epochtime",
    "aws:referer",
    "aws:useragent",
    "aws:requestedregion",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:tokenissuetime",
    "aws:principaltype",
    "aws:username",
    "aws:viaawsservice",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:tagkeys",
    "kms:viaservice",
];

/// Key prefixes of the same kind: tags and S3 request properties.
const REQUEST_KEY_PREFIXES: &[&str] = &[
    "aws:principaltag/",
    "aws:requesttag/",
    "aws:resourcetag/",
    "s3:",
    "kms:encryptioncontext",
];

/// A value that matches every caller for its key: `*`, `o-*`, `arn:aws:iam::*:root`,
/// `0.0.0.0/0`, or an OIDC subject such as `repo:*` (any repository of the identity provider).
fn matches_everyone(key: &str, value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.chars().all(|c| c == '*' || c == '?') {
        return true;
    }
    match key {
        "aws:sourceip" | "aws:vpcsourceip" => {
            v.parse::<ipnet::IpNet>().is_ok_and(|n| n.prefix_len() == 0)
        }
        "aws:principalarn" | "aws:sourcearn" | "s3:dataaccesspointarn" => {
            let fields: Vec<&str> = v.splitn(6, ':').collect();
            // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; a star in the partition, service or
            // account (or an ARN cut short by one) reaches every account.
            fields.len() < 6 || [1, 2, 4].iter().any(|&i| fields[i].contains('*'))
        }
        _ if oidc_key(key) => v.find('*').is_some_and(|i| {
            let head = &v[..i];
            head.is_empty() || (head.ends_with(':') && !head.contains('/'))
        }),
        _ => v.contains('*'),
    }
}

/// The subject, audience or app id of a web identity provider (`token.actions.githubusercontent.com:sub`,
/// `accounts.google.com:aud`, `oidc.eks.….amazonaws.com/id/…:sub`).
fn oidc_key(key: &str) -> bool {
    !key.starts_with("aws:")
        && [":sub", ":aud", ":oaud", ":app_id", ":amr", ":id"]
            .iter()
            .any(|s| key.ends_with(s))
}

impl Condition {
    /// Does the key limit who can call when compared with these values? `Maybe` when the values
    /// or the key's meaning are not known.
    fn key_restricts(&self) -> Tri {
        let key = self.key.trim().to_ascii_lowercase();
        let caller = CALLER_KEYS.contains(&key.as_str()) || oidc_key(&key);
        if !caller {
            let request = REQUEST_KEYS.contains(&key.as_str())
                || REQUEST_KEY_PREFIXES.iter().any(|p| key.starts_with(p));
            return if request { Tri::No } else { Tri::Maybe };
        }
        if self.unknown {
            Tri::Maybe
        } else if self.values.is_empty() || self.values.iter().any(|v| matches_everyone(&key, v)) {
            Tri::No
        } else {
            Tri::Yes
        }
    }

    /// In an Allow: does the condition narrow who can call? Only a matching operator on a key
    /// that names the caller, with values that do not match everyone.
    pub fn narrows_caller(&self) -> Tri {
        if self.unknown && (self.key.is_empty() || self.operator.is_empty()) {
            return Tri::Maybe;
        }
        match polarity(&self.operator) {
            Polarity::Matches => self.key_restricts(),
            Polarity::Excludes | Polarity::Other => Tri::No,
        }
    }

    /// In a Deny: does the condition spare only a narrow set of callers (`StringNotEquals
    /// aws:SourceVpce vpce-…`: everyone but the endpoint's callers is denied)?
    fn spares_only_narrow(&self) -> Tri {
        match polarity(&self.operator) {
            Polarity::Excludes => self.key_restricts(),
            Polarity::Matches | Polarity::Other => Tri::No,
        }
    }

    /// `StringEquals aws:SourceVpce`.
    pub fn label(&self) -> String {
        format!("{} {}", self.operator.trim(), self.key.trim())
    }
}

/// The statement's condition verdict from its parsed conditions (ANDed: one that narrows is
/// enough) and whether the Condition element itself was unreadable.
fn condition_truth(conditions: &[Condition], unreadable: bool) -> Tri {
    let each = conditions.iter().map(Condition::narrows_caller);
    let t = each.fold(Tri::No, Tri::or);
    if t == Tri::No && unreadable {
        Tri::Maybe
    } else {
        t
    }
}

/// The values of a condition: strings, numbers and booleans as written (`"false"`), anything
/// else unknown.
fn condition_values(v: Option<&Value>) -> (Vec<String>, bool) {
    let mut known = Vec::new();
    let mut unknown = false;
    let mut add = |x: &Value| match x {
        Value::String(s) => known.push(s.clone()),
        Value::Bool(b) => known.push(b.to_string()),
        Value::Number(n) => known.push(n.to_string()),
        Value::Null => {}
        _ => unknown = true,
    };
    match v {
        None => {}
        Some(Value::List(l)) => l.iter().for_each(&mut add),
        Some(other) => add(other),
    }
    (known, unknown)
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
    let mut conditions = Vec::new();
    let mut unreadable = false;
    match m.get("Condition") {
        None | Some(Value::Null) => {}
        Some(Value::Map(ops)) => {
            for (op, keys) in ops {
                let op_path = condition_path.key(op);
                match keys {
                    Value::Map(keys) => {
                        for (key, values) in keys {
                            let (values, unknown) = condition_values(Some(values));
                            conditions.push(Condition {
                                operator: op.clone(),
                                key: key.clone(),
                                values,
                                unknown,
                                at: ctx.at(&op_path.key(key)),
                            });
                        }
                    }
                    _ => conditions.push(Condition {
                        operator: op.clone(),
                        key: String::new(),
                        values: Vec::new(),
                        unknown: true,
                        at: ctx.at(&op_path),
                    }),
                }
            }
        }
        Some(_) => unreadable = true,
    }
    let condition = condition_truth(&conditions, unreadable);
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
        conditions,
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

/// An identifier not known statically that is certainly a named principal, never `*`: a
/// resource's or data source's ARN or id (`aws_iam_role.app.arn`,
/// `data.aws_caller_identity.current.account_id`), or a template that starts as an ARN
/// (`"arn:aws:iam::${var.account}:root"`, `format("arn:%s:iam::%s:root", …)`; AWS allows no
/// wildcard inside a principal ARN, so whatever fills it in, it names one principal). Gives
/// the label it is known by. Under a `Service`, `Federated` or `CanonicalUser` kind any
/// identifier is named: only `*` and `AWS: "*"` are everyone.
fn named_principal(kind: &str, id: &Value) -> Option<String> {
    let kind = kind.trim();
    if !kind.is_empty() && kind != "*" && !kind.eq_ignore_ascii_case("AWS") {
        return Some(match id {
            Value::Ref(r) => format!("${{{r}}}"),
            Value::Unknown(text) => text.trim().trim_matches('"').to_string(),
            other => other.to_string(),
        });
    }
    match id {
        Value::Ref(r) => {
            let (_, attr) = crate::model::split_reference(r)?;
            let attr = attr.to_ascii_lowercase();
            (attr.ends_with("arn") || attr.ends_with("id")).then(|| format!("${{{r}}}"))
        }
        Value::Unknown(text) => {
            // `"arn:…${…}…"`, or `format("arn:%s:iam::%s:root", …)`.
            let t = text.trim();
            let t = t
                .strip_prefix("format(")
                .map_or(t, str::trim_start)
                .trim_start_matches('"');
            (t.starts_with("arn:") && !t.starts_with("arn:*"))
                .then(|| text.trim().trim_matches('"').to_string())
        }
        _ => None,
    }
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
                        other => match named_principal(kind, other) {
                            Some(label) => p.entries.push(Principal {
                                kind: kind.clone(),
                                id: label,
                                at: vec![ctx.at(&kp)],
                            }),
                            None => p.unknown.push(ctx.at(&kp)),
                        },
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
    // Each `condition { test, variable, values }` block is one condition; an unknown block (a
    // dynamic block over an unknown collection) may or may not exist.
    let conditions: Vec<Condition> = blocks_of(block, &path, "condition")
        .into_iter()
        .map(|(p, c)| {
            let get = |k: &str| c.as_map().and_then(|m| m.get(k));
            let (operator, key) = (read_str(get("test")), read_str(get("variable")));
            let (values, unknown_values) = condition_values(get("values"));
            let known = |r: &Read<String>| match r {
                Read::Known(s) => s.clone(),
                _ => String::new(),
            };
            Condition {
                unknown: unknown_values
                    || !matches!(operator, Read::Known(_))
                    || !matches!(key, Read::Known(_)),
                operator: known(&operator),
                key: known(&key),
                values,
                at: at(p),
            }
        })
        .collect();
    let condition = condition_truth(
        &conditions,
        !unknown_blocks(block, &path, "condition").is_empty(),
    );
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
        conditions,
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
                other => match named_principal(&kind, other) {
                    Some(label) if kind.trim() != "*" => p.entries.push(Principal {
                        kind: kind.clone(),
                        id: label,
                        at: vec![type_at.clone(), ids_at.clone()],
                    }),
                    _ => p.unknown.push(ids_at.clone()),
                },
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

    /// How the statement's conditions read in a summary: `without a condition`, or `with a
    /// condition that does not narrow who can call (Bool aws:SecureTransport)`.
    pub fn condition_label(&self) -> String {
        if self.conditions.is_empty() {
            return "without a condition".to_string();
        }
        let keys: Vec<String> = self.conditions.iter().map(Condition::label).collect();
        format!(
            "with no condition that narrows who can call ({})",
            keys.join(", ")
        )
    }

    /// Does this Deny take away what `allow` grants? Fully, when it has no condition and covers
    /// the Allow's actions, resources and principals; for an Allow to everyone, also when its
    /// only conditions spare a narrow set of callers (`Deny * unless aws:SourceVpce = vpce-…`),
    /// which leaves the Allow to those callers alone. A Deny with unknown or negated parts
    /// (`NotAction`, `NotResource`, `NotPrincipal`) is not weighed: the Allow stands.
    fn cancels(&self, allow: &Statement) -> bool {
        if self.effect != Effect::Deny
            || self.not_actions.is_some()
            || self.not_resources.is_some()
            || self.not_principals.is_some()
            || std::ptr::eq(self, allow)
        {
            return false;
        }
        let covers = |deny: &Option<Items>, allowed: &Option<Items>| -> bool {
            let Some(d) = deny.as_ref().filter(|d| !d.unknown) else {
                return false;
            };
            if d.known.iter().any(|p| p.trim() == "*") {
                return true;
            }
            allowed.as_ref().is_some_and(|a| {
                !a.unknown
                    && !a.known.is_empty()
                    && a.known
                        .iter()
                        .all(|x| d.known.iter().any(|p| wildcard_match(p.trim(), x.trim())))
            })
        };
        let actions = covers(&self.actions, &allow.actions)
            || (allow.actions.is_none()
                && self
                    .actions
                    .as_ref()
                    .is_some_and(|d| !d.unknown && d.known.iter().any(|p| is_all_actions(p))));
        if !actions || !covers(&self.resources, &allow.resources) {
            return false;
        }
        // An identity policy's Deny covers the identity; a resource policy's must name everyone
        // (or exactly the Allow's principals).
        let principals = match (&allow.principals, &self.principals) {
            (None, None) => allow.not_principals.is_none(),
            (_, Some(_)) if self.public_principal().0 == Tri::Yes => true,
            (Some(a), Some(d)) => {
                a.unknown.is_empty()
                    && d.unknown.is_empty()
                    && a.entries
                        .iter()
                        .all(|x| d.entries.iter().any(|y| y.kind == x.kind && y.id == x.id))
            }
            _ => false,
        };
        if !principals {
            return false;
        }
        if self.conditions.is_empty() && self.condition == Tri::No {
            return true;
        }
        allow.public_principal().0 == Tri::Yes
            && !self.conditions.is_empty()
            && self
                .conditions
                .iter()
                .all(|c| c.spares_only_narrow() == Tri::Yes)
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
    /// Asks `test` of every statement of `docs`, read together as AWS reads the policies of one
    /// resource or identity: an Allow that a Deny among them takes away (see
    /// [`Statement::cancels`]) is no hit.
    pub fn of(docs: &'a [Document], test: impl Fn(&Statement) -> (Tri, Vec<Evidence>)) -> Self {
        let mut j = Judgement::default();
        let denies: Vec<&Statement> = docs
            .iter()
            .flat_map(|d| d.statements.iter())
            .filter(|s| s.effect == Effect::Deny)
            .collect();
        let cancelled = |s: &Statement| denies.iter().any(|d| d.cancels(s));
        for d in docs {
            for (at, why) in &d.unknown {
                j.maybe.push(at.clone());
                j.reasons.push(format!("{} {}: {why}", at.address, at.path));
            }
            for s in &d.statements {
                match test(s) {
                    (Tri::Yes, _) if cancelled(s) => {}
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
