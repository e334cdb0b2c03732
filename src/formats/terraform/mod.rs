//! Terraform: the files of a root and of the modules it calls → the unit's resources with
//! located settings.
//!
//! Takes the `.tf`, `.tf.json` and tfvars files of a root directory, and those of every module
//! directory it calls (the snapshot stage gathers them, see [`modules::local_calls`]), as bytes;
//! gives a [`Unit`]: resources and the data sources rules need, under Terraform's module
//! addresses (`module.env["prod"].aws_security_group.web`), every setting with the file and line
//! where its value was written, a [`Problem`] for each file that could not be read, and a gap for
//! each module call that was not evaluated (a source outside the repository, a cycle, nesting
//! past [`MAX_MODULE_DEPTH`]). A module is evaluated per instance of its call, with the caller's
//! arguments as its variables; only the root reads tfvars files. Evaluating the whole root at once
//! is what Terraform does, and the only way a caller's argument can be the cause of a setting
//! written in another directory.
//!
//! Values are resolved statically, as far as that is sound: variable defaults, overridden by
//! `terraform.tfvars` and then `*.auto.tfvars` in lexical order (Terraform's precedence), locals,
//! `jsonencode` of literal values, heredoc and string JSON (IAM policies are usually written so),
//! conditionals with a known condition, `dynamic` blocks over a known collection, and the common
//! pure functions. A reference to another resource stays a [`Value::Ref`] so rules can follow it.
//! Anything else is [`Value::Unknown`] carrying the expression, never a guess.
//!
//! Locations follow the value, not the attribute: `cidr_blocks = [var.admin_cidr]` is located at
//! the variable's default (or the tfvars line that overrides it), because that is where a change
//! to the value is made, and setting blame must point there.

use crate::limits::Limits;
use crate::model::{Location, Problem, Resource, SettingPath, Unit, Value};
use hcl::edit as hcl_edit;
use hcl_edit::expr::{
    BinaryOperator, Expression, FuncCall, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span;
use std::collections::BTreeMap;
use std::rc::Rc;

pub mod modules;

/// The most module calls deep an evaluation goes (root → module → module …); past it, a call
/// is a gap (a blind spot), not a recursion without end.
pub const MAX_MODULE_DEPTH: usize = 16;
/// What one module instance costs of a unit's [`MAX_EVAL_STEPS`].
const MODULE_INSTANCE_STEPS: usize = 20;

// File size and bracket nesting are run limits ([`Limits`]): the size because a hostile
// repository may hold a huge file named `.tf`, the nesting because the parsers recurse.
/// Evaluation depth (locals referring to locals, nested expressions).
const MAX_EVAL_DEPTH: usize = 64;
/// Largest collection `dynamic`/`for` expansion will produce.
const MAX_EXPANSION: usize = 10_000;
/// The most one value may weigh (nodes, plus string bytes / 16). Values built from other values
/// can grow exponentially (`a = [local.b, local.b]`, `b = [local.c, local.c]`, …): the HCL
/// counterpart of a YAML alias bomb. Past this, the value is unknown, and says why.
pub const MAX_VALUE_WEIGHT: usize = 200_000;
/// The most all the settings of one unit may weigh together.
pub const MAX_UNIT_WEIGHT: usize = 10 * MAX_VALUE_WEIGHT;
/// Expression evaluations per unit: bounds the time of nested `for` expressions.
pub const MAX_EVAL_STEPS: usize = 2_000_000;

/// Weight of a value, counted up to `cap` (so the count itself is bounded).
fn weight(v: &Value, cap: usize) -> usize {
    let mut total = 0usize;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += 1;
        match v {
            Value::String(s) | Value::Ref(s) | Value::Unknown(s) | Value::Number(s) => {
                total += s.len() / 16
            }
            Value::List(l) => stack.extend(l.iter()),
            Value::Map(m) => {
                total += m.keys().map(|k| k.len() / 16).sum::<usize>();
                stack.extend(m.values());
            }
            Value::Null | Value::Bool(_) => {}
        }
        if total > cap {
            return total;
        }
    }
    total
}

/// Accumulates the weight of a value being built from parts; refuses past the limit.
#[derive(Default)]
struct Budget {
    used: usize,
}

impl Budget {
    /// Adds `v`; false once the total is over [`MAX_VALUE_WEIGHT`].
    fn take(&mut self, v: &Value) -> bool {
        let left = MAX_VALUE_WEIGHT.saturating_sub(self.used);
        self.used += weight(v, left);
        self.used <= MAX_VALUE_WEIGHT
    }
}

fn too_large(text: &str) -> Value {
    Value::Unknown(format!(
        "{text} (value larger than the limit of {MAX_VALUE_WEIGHT} units)"
    ))
}

/// Parses the files of one unit (paths repository-relative, contents raw bytes) under the
/// default limits.
pub fn parse_unit(unit: &str, files: &[(String, Vec<u8>)]) -> Unit {
    parse_root(unit, files, &Limits::default(), &[])
}

/// Parses a root: the files of its directory, of the modules it calls, and the `--var-file`
/// files (applied after its own tfvars, in the order given).
pub fn parse_root(
    unit: &str,
    files: &[(String, Vec<u8>)],
    limits: &Limits,
    var_files: &[String],
) -> Unit {
    let mut problems = Vec::new();
    let mut sources: Vec<(&str, &str)> = Vec::new();
    for (path, bytes) in files {
        match check_text(bytes, limits) {
            Ok(text) => sources.push((path.as_str(), text)),
            Err(reason) => problems.push(Problem {
                file: path.clone(),
                reason,
            }),
        }
    }
    sources.sort_by(|a, b| a.0.cmp(b.0));

    let mut parsed: Vec<Parsed<'_>> = Vec::new();
    for (path, text) in &sources {
        match parse_file(path, text) {
            Ok(p) => parsed.push(p),
            Err(reason) => problems.push(Problem {
                file: path.to_string(),
                reason,
            }),
        }
    }

    // Files are grouped by directory: the unit's own directory is the root of the evaluation,
    // and any other directory given is a module it may instantiate (see `modules`).
    // The root's record of vendored modules is not configuration: it maps module keys to
    // directories.
    let manifest = crate::formats::modules_manifest(unit);
    let vendored = files
        .iter()
        .find(|(p, _)| *p == manifest)
        .map(|(_, b)| modules::vendored(unit, b))
        .unwrap_or_default();
    parsed.retain(|p| p.path() != manifest);
    let mut by_dir: BTreeMap<String, Vec<&Parsed<'_>>> = BTreeMap::new();
    let mut explicit: Vec<&Parsed<'_>> = Vec::new();
    for p in &parsed {
        if var_files.iter().any(|v| v == p.path()) {
            explicit.push(p);
        } else {
            by_dir
                .entry(dir_of(p.path()).to_string())
                .or_default()
                .push(p);
        }
    }
    explicit.sort_by_key(|p| var_files.iter().position(|v| v == p.path()));
    let mut program = Program {
        dirs: BTreeMap::new(),
        vendored,
    };
    for (dir, files) in by_dir {
        let decls = Decls::collect(files, &mut problems);
        program.dirs.insert(dir, decls);
    }
    if !explicit.is_empty() {
        let root = program.dirs.entry(unit.to_string()).or_default();
        for p in explicit {
            root.collect_tfvars(p);
        }
    }
    // A caller that names the unit otherwise than by its directory (tests, fuzzing) gives one
    // directory's files: that directory is the root.
    let unit = match program.dirs.keys().next() {
        Some(only) if program.dirs.len() == 1 && !program.dirs.contains_key(unit) => only.clone(),
        _ => unit.to_string(),
    };
    let unit = unit.as_str();
    let empty = Decls::default();
    let root = program.dirs.get(unit).unwrap_or(&empty);
    let mut ev = Evaluator::new(&program, root, unit);
    let resources_list = ev.run();
    let mut resources = BTreeMap::new();
    for res in resources_list {
        resources.insert(res.address.clone(), res);
    }
    let calls = root
        .modules
        .iter()
        .filter_map(
            |m| match modules::local_source(unit, m.source.as_deref()?) {
                Some(Ok(d)) => Some(d),
                _ => None,
            },
        )
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    problems.sort();
    let mut gaps = std::mem::take(&mut ev.gaps);
    gaps.sort();
    gaps.dedup();
    let (mut moved, mut removed, mut imports) = (
        root.moved.clone(),
        root.removed.clone(),
        root.imports.clone(),
    );
    moved.append(&mut ev.moved);
    removed.append(&mut ev.removed);
    imports.append(&mut ev.imports);
    Unit {
        resources,
        problems,
        moved,
        removed,
        imports,
        gaps,
        calls,
        reads: program
            .dirs
            .keys()
            .filter(|d| d.as_str() != unit)
            .cloned()
            .collect(),
        // Without variables, how it is called changes nothing: evaluated alone, it is exact.
        deploys: root.deploys || !root.modules.is_empty() || root.vars.is_empty(),
    }
}

/// The literal `source` of every `module` block in one file (nothing when it does not parse:
/// the evaluation reports that).
pub(crate) fn module_sources(path: &str, text: &str) -> Vec<String> {
    let Ok(parsed) = parse_file(path, text) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let decls = Decls::collect(vec![&parsed], &mut problems);
    decls.modules.into_iter().filter_map(|m| m.source).collect()
}

/// `override.tf`, `*_override.tf`, and their `.tf.json` forms.
fn is_override_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"));
    stem.is_some_and(|s| s == "override" || s.ends_with("_override"))
}

/// The directory of a repository path (`""` for a file at the top).
pub(crate) fn dir_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    }
}

/// Refuses what must not reach a parser: oversized files, invalid UTF-8, runaway nesting.
pub(crate) fn check_text<'a>(bytes: &'a [u8], limits: &Limits) -> Result<&'a str, String> {
    if bytes.len() > limits.max_file_bytes {
        return Err(limits.file_too_large(bytes.len()));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("not valid UTF-8 (at byte {}): not read", e.valid_up_to()))?;
    if !nesting_within(text, limits.max_depth) {
        return Err(limits.too_deep());
    }
    Ok(text)
}

/// Whether brackets nest no deeper than `max`. Counts brackets inside strings and comments too:
/// conservative (a string of 200 `[` is refused), but it needs no parser, which is the point.
fn nesting_within(text: &str, max: usize) -> bool {
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > max {
                    return false;
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

enum Parsed<'a> {
    Hcl {
        path: &'a str,
        text: &'a str,
        newlines: Vec<usize>,
        body: std::sync::Arc<Body>,
        tfvars: bool,
    },
    Json {
        path: &'a str,
        text: &'a str,
        newlines: Vec<usize>,
        value: jsonc_parser::ast::Value<'a>,
        tfvars: bool,
    },
}

/// The offsets of a text's newlines, for turning a byte offset into a line by binary search:
/// counting from the start for every setting made a file of N resources cost N² (a generated
/// file of 2,000 security groups spent most of its scan there).
fn newlines(text: &str) -> Vec<usize> {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i)
        .collect()
}

impl Parsed<'_> {
    fn path(&self) -> &str {
        match self {
            Parsed::Hcl { path, .. } | Parsed::Json { path, .. } => path,
        }
    }
}

fn parse_file<'a>(path: &'a str, text: &'a str) -> Result<Parsed<'a>, String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let tfvars = name.ends_with(".tfvars") || name.ends_with(".tfvars.json");
    if name.ends_with(".json") {
        let value = parse_json(text)?;
        Ok(Parsed::Json {
            path,
            text,
            newlines: newlines(text),
            value,
            tfvars,
        })
    } else {
        let body = parse_hcl(text)?;
        Ok(Parsed::Hcl {
            path,
            text,
            newlines: newlines(text),
            body,
            tfvars,
        })
    }
}

/// How much file text (bytes) each thread keeps the parsed HCL of. A history shows every file
/// of a directory again at every version of it, and a module's files again for every module
/// call found: without the cache a commit that changes one file of twenty parses twenty, and
/// each twice (once to find module calls). A parsed body is tens of times its text: at this
/// bound the scans of the real histories in the README grew by 7 to 28 MB and ran 1.1 to 1.7
/// times faster (2 MB gave little more speed for up to 90 MB more).
const HCL_CACHE_TEXT_BYTES: usize = 512 << 10;

#[derive(Default)]
struct HclCache {
    bodies: std::collections::HashMap<Box<str>, std::sync::Arc<Body>>,
    text_bytes: usize,
}

thread_local! {
    /// Parsed HCL by the exact text it was parsed from (the key is the text itself, so a hit is
    /// the same parse, never a collision). Cleared whole when full.
    static HCL_CACHE: std::cell::RefCell<HclCache> = std::cell::RefCell::new(HclCache::default());
}

/// Parses HCL text, or gives the parse of the same text made before on this thread.
fn parse_hcl(text: &str) -> Result<std::sync::Arc<Body>, String> {
    if let Some(b) = HCL_CACHE.with(|c| c.borrow().bodies.get(text).cloned()) {
        return Ok(b);
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        // One line for reports: where, and what the parser expected.
        format!(
            "HCL syntax error at line {}, column {}: {}",
            e.location().line(),
            e.location().column(),
            e.message().split_whitespace().collect::<Vec<_>>().join(" ")
        )
    })?;
    let body = std::sync::Arc::new(body);
    if text.len() <= HCL_CACHE_TEXT_BYTES / 4 {
        HCL_CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.text_bytes + text.len() > HCL_CACHE_TEXT_BYTES {
                c.bodies.clear();
                c.text_bytes = 0;
            }
            c.text_bytes += text.len();
            c.bodies.insert(text.into(), std::sync::Arc::clone(&body));
        });
    }
    Ok(body)
}

pub(crate) fn parse_json(text: &str) -> Result<jsonc_parser::ast::Value<'_>, String> {
    let opts = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let res = jsonc_parser::parse_to_ast(text, &Default::default(), &opts)
        .map_err(|e| format!("invalid JSON: {e}"))?;
    res.value.ok_or_else(|| "empty JSON document".to_string())
}

/// 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let n = text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

/// Where an expression came from: its file's text, for turning spans into lines.
#[derive(Clone, Copy)]
struct Src<'a> {
    path: &'a str,
    text: &'a str,
    /// The offsets of the file's newlines ([`newlines`]).
    newlines: &'a [usize],
}

impl<'a> Src<'a> {
    fn loc(&self, offset: Option<usize>, fallback: u32) -> Location {
        Location {
            file: self.path.to_string(),
            line: offset.map(|o| self.line(o)).unwrap_or(fallback),
        }
    }

    /// The 1-based line of a byte offset.
    fn line(&self, offset: usize) -> u32 {
        let before = self.newlines.partition_point(|&n| n < offset);
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    }
}

enum Expr<'a> {
    Hcl(&'a Expression),
    Json(&'a jsonc_parser::ast::Value<'a>),
    /// A variable declared without a default: unknown unless a tfvars file sets it.
    NoDefault,
}

struct Decl<'a> {
    src: Src<'a>,
    expr: Expr<'a>,
    loc: Location,
}

enum BodyRef<'a> {
    Hcl(&'a Body),
    Json(&'a jsonc_parser::ast::Object<'a>),
}

struct ResourceDecl<'a> {
    src: Src<'a>,
    address: String,
    kind: String,
    /// Bodies of the same block in override files, in the order Terraform merges them.
    overrides: Vec<(Src<'a>, BodyRef<'a>)>,
    loc: Location,
    body: BodyRef<'a>,
}

/// Everything declared in the unit, before evaluation.
#[derive(Default)]
struct Decls<'a> {
    vars: BTreeMap<String, Decl<'a>>,
    /// tfvars assignments, later files override earlier ones (sorted: terraform.tfvars first).
    tfvars: BTreeMap<String, Decl<'a>>,
    locals: BTreeMap<String, Decl<'a>>,
    resources: Vec<ResourceDecl<'a>>,
    /// `moved` blocks: (from, to) addresses as written.
    moved: Vec<(String, String)>,
    removed: Vec<crate::model::Removed>,
    imports: Vec<String>,
    /// `module` blocks, in file order.
    modules: Vec<ModuleDecl<'a>>,
    /// `output` blocks: the expression of each `value`.
    outputs: BTreeMap<String, Decl<'a>>,
    /// A `provider` block, a backend or a tfvars file: the directory is deployed as it is.
    deploys: bool,
    /// Variables declared a second time (name, where).
    duplicate_vars: Vec<(String, Location)>,
}

/// A `module` block: its name, its `source` and `version` when literal, and its body (the
/// arguments, `count` and `for_each`).
struct ModuleDecl<'a> {
    src: Src<'a>,
    name: String,
    source: Option<String>,
    version: Option<String>,
    loc: Location,
    body: BodyRef<'a>,
}

/// Arguments of a `module` block that are about Terraform, not inputs of the module.
const MODULE_META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "depends_on",
    "providers",
];

impl<'a> Decls<'a> {
    fn collect(parsed: Vec<&'a Parsed<'a>>, problems: &mut Vec<Problem>) -> Decls<'a> {
        let mut d = Decls::default();
        // terraform.tfvars before *.auto.tfvars (which go in lexical order): Terraform's precedence.
        let mut tfvars_files: Vec<&Parsed<'a>> = parsed
            .iter()
            .copied()
            .filter(|p| {
                matches!(
                    p,
                    Parsed::Hcl { tfvars: true, .. } | Parsed::Json { tfvars: true, .. }
                )
            })
            .collect();
        // Terraform loads these by itself; any other tfvars file only when named (--var-file).
        tfvars_files.retain(|p| {
            let name = p.path().rsplit('/').next().unwrap_or_default();
            name == "terraform.tfvars"
                || name == "terraform.tfvars.json"
                || name.ends_with(".auto.tfvars")
                || name.ends_with(".auto.tfvars.json")
        });
        tfvars_files.sort_by_key(|p| {
            let path = match p {
                Parsed::Hcl { path, .. } | Parsed::Json { path, .. } => *path,
            };
            let name = path.rsplit('/').next().unwrap_or(path);
            (!name.starts_with("terraform.tfvars"), name.to_string())
        });
        d.deploys = !tfvars_files.is_empty();
        for p in tfvars_files {
            d.collect_tfvars(p);
        }
        // Override files (`override.tf`, `*_override.tf` and their JSON forms) are merged into
        // the blocks of the others after all of them are read, in lexical order: Terraform's rule.
        let (overrides, plain): (Vec<&Parsed<'a>>, Vec<&Parsed<'a>>) =
            parsed.into_iter().partition(|p| is_override_file(p.path()));
        for p in plain {
            d.collect_file(p, problems);
        }
        for p in overrides {
            let mut o = Decls::default();
            o.collect_file(p, problems);
            d.merge_override(o, p.path(), problems);
        }
        d.find_duplicates(problems);
        d
    }

    fn collect_file(&mut self, p: &'a Parsed<'a>, problems: &mut Vec<Problem>) {
        match p {
            Parsed::Hcl {
                path,
                text,
                newlines,
                body,
                tfvars: false,
            } => self.collect_hcl(
                Src {
                    path,
                    text,
                    newlines,
                },
                body,
            ),
            Parsed::Json {
                path,
                text,
                newlines,
                value,
                tfvars: false,
            } => self.collect_json(
                Src {
                    path,
                    text,
                    newlines,
                },
                value,
                problems,
            ),
            _ => {}
        }
    }

    /// Merges the blocks of one override file: a variable's default, a local and an output
    /// replace the original; a resource's arguments and nested block types replace the
    /// original's of the same name, the rest staying. A block that overrides nothing is refused
    /// by Terraform, so it is a problem (the file's resources are held as they were).
    fn merge_override(&mut self, o: Decls<'a>, path: &str, problems: &mut Vec<Problem>) {
        for (name, v) in o.vars {
            if matches!(v.expr, Expr::NoDefault) {
                continue;
            }
            self.vars.insert(name, v);
        }
        self.locals.extend(o.locals);
        self.outputs.extend(o.outputs);
        self.deploys |= o.deploys;
        for r in o.resources {
            match self.resources.iter_mut().find(|x| x.address == r.address) {
                Some(x) => x.overrides.push((r.src, r.body)),
                None => problems.push(Problem {
                    file: path.to_string(),
                    reason: format!(
                        "override file has {} (line {}), which no other file declares: \
                         Terraform rejects the configuration",
                        r.address, r.loc.line
                    ),
                }),
            }
        }
        for m in o.modules {
            problems.push(Problem {
                file: path.to_string(),
                reason: format!(
                    "override of module \"{}\" (line {}) is not evaluated: the module calls of \
                     this directory may differ from what Terraform applies",
                    m.name, m.loc.line
                ),
            });
        }
    }

    /// Two blocks of one resource, variable or module: Terraform rejects the configuration, so
    /// nothing of it is applied; a problem on the file of the second (which holds its resources
    /// as they were), never last-one-wins.
    fn find_duplicates(&mut self, problems: &mut Vec<Problem>) {
        let mut seen: BTreeMap<&str, &Location> = BTreeMap::new();
        let mut dups = Vec::new();
        for r in &self.resources {
            if let Some(first) = seen.insert(&r.address, &r.loc) {
                dups.push(Problem {
                    file: r.loc.file.clone(),
                    reason: format!(
                        "{} is declared twice ({}:{} and line {}): Terraform rejects the \
                         configuration, so this directory is held as it last was",
                        r.address, first.file, first.line, r.loc.line
                    ),
                });
            }
        }
        let mut names: BTreeMap<&str, &Location> = BTreeMap::new();
        for m in &self.modules {
            if let Some(first) = names.insert(&m.name, &m.loc) {
                dups.push(Problem {
                    file: m.loc.file.clone(),
                    reason: format!(
                        "module \"{}\" is declared twice ({}:{} and line {}): Terraform \
                         rejects the configuration, so this directory is held as it last was",
                        m.name, first.file, first.line, m.loc.line
                    ),
                });
            }
        }
        problems.extend(dups);
        for (name, loc) in std::mem::take(&mut self.duplicate_vars) {
            problems.push(Problem {
                file: loc.file.clone(),
                reason: format!(
                    "variable \"{name}\" is declared twice (line {}): Terraform rejects the \
                     configuration, so this directory is held as it last was",
                    loc.line
                ),
            });
        }
    }

    fn collect_tfvars(&mut self, p: &'a Parsed<'a>) {
        match p {
            Parsed::Hcl {
                path,
                text,
                newlines,
                body,
                ..
            } => {
                let src = Src {
                    path,
                    text,
                    newlines,
                };
                for attr in body.attributes() {
                    self.tfvars.insert(
                        attr.key.as_str().to_string(),
                        Decl {
                            src,
                            expr: Expr::Hcl(&attr.value),
                            loc: src.loc(attr.span().map(|s| s.start), 1),
                        },
                    );
                }
            }
            Parsed::Json {
                path,
                text,
                newlines,
                value,
                ..
            } => {
                let src = Src {
                    path,
                    text,
                    newlines,
                };
                if let jsonc_parser::ast::Value::Object(o) = value {
                    for prop in &o.properties {
                        self.tfvars.insert(
                            prop.name.as_str().to_string(),
                            Decl {
                                src,
                                expr: Expr::Json(&prop.value),
                                loc: src.loc(Some(prop.range.start), 1),
                            },
                        );
                    }
                }
            }
        }
    }

    fn collect_hcl(&mut self, src: Src<'a>, body: &'a Body) {
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
            let loc = src.loc(block.span().map(|s| s.start), 1);
            match (block.ident.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    if self.vars.contains_key(*name) {
                        self.duplicate_vars.push((name.to_string(), loc.clone()));
                    }
                    if let Some(attr) = block.body.get_attribute("default") {
                        self.vars.insert(
                            name.to_string(),
                            Decl {
                                src,
                                expr: Expr::Hcl(&attr.value),
                                loc: src.loc(attr.span().map(|s| s.start), loc.line),
                            },
                        );
                    } else {
                        self.vars.entry(name.to_string()).or_insert(Decl {
                            src,
                            expr: Expr::NoDefault,
                            loc,
                        });
                    }
                }
                ("locals", []) => {
                    for attr in block.body.attributes() {
                        self.locals.insert(
                            attr.key.as_str().to_string(),
                            Decl {
                                src,
                                expr: Expr::Hcl(&attr.value),
                                loc: src.loc(attr.span().map(|s| s.start), loc.line),
                            },
                        );
                    }
                }
                ("resource", [kind, name]) => self.resources.push(ResourceDecl {
                    src,
                    address: format!("{kind}.{name}"),
                    kind: kind.to_string(),
                    loc,
                    body: BodyRef::Hcl(&block.body),
                    overrides: Vec::new(),
                }),
                ("module", [name]) => {
                    let literal = |key: &str| match block.body.get_attribute(key).map(|a| &a.value)
                    {
                        Some(Expression::String(s)) => Some(s.value().to_string()),
                        Some(Expression::StringTemplate(t)) => {
                            template_literal(t).map(|s| s.to_string())
                        }
                        _ => None,
                    };
                    self.modules.push(ModuleDecl {
                        src,
                        name: name.to_string(),
                        source: literal("source"),
                        version: literal("version"),
                        loc,
                        body: BodyRef::Hcl(&block.body),
                    });
                }
                ("output", [name]) => {
                    if let Some(attr) = block.body.get_attribute("value") {
                        self.outputs.insert(
                            name.to_string(),
                            Decl {
                                src,
                                expr: Expr::Hcl(&attr.value),
                                loc: src.loc(attr.span().map(|s| s.start), loc.line),
                            },
                        );
                    }
                }
                ("provider", [name]) => {
                    self.deploys = true;
                    // Addressed as Terraform does, `provider.aws` or `provider.aws.ALIAS`, so
                    // credentials written in it are findings like any other.
                    let alias = match block.body.get_attribute("alias").map(|a| &a.value) {
                        Some(Expression::String(s)) => Some(s.value().to_string()),
                        _ => None,
                    };
                    self.resources.push(ResourceDecl {
                        src,
                        address: match alias {
                            Some(a) => format!("provider.{name}.{a}"),
                            None => format!("provider.{name}"),
                        },
                        kind: format!("provider.{name}"),
                        loc,
                        body: BodyRef::Hcl(&block.body),
                        overrides: Vec::new(),
                    });
                }
                ("terraform", [])
                    if block
                        .body
                        .blocks()
                        .any(|b| matches!(b.ident.as_str(), "backend" | "cloud")) =>
                {
                    self.deploys = true;
                }
                (kind @ ("moved" | "removed" | "import"), []) => {
                    let addr = |key: &str| {
                        let span = block.body.get_attribute(key)?.value.span()?;
                        address_text(src.text.get(span)?)
                    };
                    match kind {
                        "moved" => {
                            if let (Some(from), Some(to)) = (addr("from"), addr("to")) {
                                self.moved.push((from, to));
                            }
                        }
                        "removed" => {
                            // `lifecycle { destroy = false }`: forgotten, not destroyed. Anything
                            // but a literal false is Terraform's default, destroy.
                            let forget = block
                                .body
                                .blocks()
                                .filter(|b| b.ident.as_str() == "lifecycle")
                                .filter_map(|b| b.body.get_attribute("destroy"))
                                .any(|a| matches!(&a.value, Expression::Bool(b) if !*b.value()));
                            if let Some(address) = addr("from") {
                                self.removed.push(crate::model::Removed {
                                    address,
                                    destroy: !forget,
                                    location: loc.clone(),
                                });
                            }
                        }
                        _ => {
                            if let Some(to) = addr("to") {
                                self.imports.push(to);
                            }
                        }
                    }
                }
                ("data", [kind, name]) => self.resources.push(ResourceDecl {
                    src,
                    address: format!("data.{kind}.{name}"),
                    kind: format!("data.{kind}"),
                    loc,
                    body: BodyRef::Hcl(&block.body),
                    overrides: Vec::new(),
                }),
                _ => {}
            }
        }
    }

    /// `moved`, `removed` and `import` blocks in JSON syntax: an object, or a list of objects,
    /// per block, with the addresses as strings.
    fn collect_json_blocks(
        &mut self,
        kind: &str,
        src: Src<'a>,
        value: &'a jsonc_parser::ast::Value<'a>,
    ) {
        use jsonc_parser::ast::Value as J;
        let blocks: Vec<&jsonc_parser::ast::Object<'a>> = match value {
            J::Object(o) => vec![o],
            J::Array(a) => a
                .elements
                .iter()
                .filter_map(|e| match e {
                    J::Object(o) => Some(o),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for b in blocks {
            let field = |key: &str| {
                b.properties
                    .iter()
                    .find(|p| p.name.as_str() == key)
                    .map(|p| &p.value)
            };
            let addr = |key: &str| match field(key) {
                Some(J::StringLit(s)) => address_text(s.value.as_ref()),
                _ => None,
            };
            match kind {
                "moved" => {
                    if let (Some(from), Some(to)) = (addr("from"), addr("to")) {
                        self.moved.push((from, to));
                    }
                }
                "removed" => {
                    let destroy_false = |l: &jsonc_parser::ast::Object<'_>| {
                        l.properties.iter().any(|p| {
                            p.name.as_str() == "destroy"
                                && matches!(&p.value, J::BooleanLit(v) if !v.value)
                        })
                    };
                    let forget = match field("lifecycle") {
                        Some(J::Object(l)) => destroy_false(l),
                        Some(J::Array(a)) => a.elements.iter().any(|e| match e {
                            J::Object(l) => destroy_false(l),
                            _ => false,
                        }),
                        _ => false,
                    };
                    if let Some(address) = addr("from") {
                        self.removed.push(crate::model::Removed {
                            address,
                            destroy: !forget,
                            location: src.loc(Some(b.range.start), 1),
                        });
                    }
                }
                _ => {
                    if let Some(to) = addr("to") {
                        self.imports.push(to);
                    }
                }
            }
        }
    }

    fn collect_json(
        &mut self,
        src: Src<'a>,
        value: &'a jsonc_parser::ast::Value<'a>,
        problems: &mut Vec<Problem>,
    ) {
        use jsonc_parser::ast::Value as J;
        let J::Object(root) = value else {
            problems.push(Problem {
                file: src.path.to_string(),
                reason: "a .tf.json file must hold a JSON object".into(),
            });
            return;
        };
        for top in &root.properties {
            if let kind @ ("moved" | "removed" | "import") = top.name.as_str() {
                self.collect_json_blocks(kind, src, &top.value);
                continue;
            }
            let J::Object(section) = &top.value else {
                continue;
            };
            match top.name.as_str() {
                "variable" => {
                    for v in &section.properties {
                        let default = match &v.value {
                            J::Object(o) => {
                                o.properties.iter().find(|p| p.name.as_str() == "default")
                            }
                            _ => None,
                        };
                        self.vars.insert(
                            v.name.as_str().to_string(),
                            match default {
                                Some(p) => Decl {
                                    src,
                                    expr: Expr::Json(&p.value),
                                    loc: src.loc(Some(p.range.start), 1),
                                },
                                None => Decl {
                                    src,
                                    expr: Expr::NoDefault,
                                    loc: src.loc(Some(v.range.start), 1),
                                },
                            },
                        );
                    }
                }
                "locals" => {
                    for l in &section.properties {
                        self.locals.insert(
                            l.name.as_str().to_string(),
                            Decl {
                                src,
                                expr: Expr::Json(&l.value),
                                loc: src.loc(Some(l.range.start), 1),
                            },
                        );
                    }
                }
                "module" => {
                    for m in &section.properties {
                        let J::Object(body) = &m.value else { continue };
                        let literal = |key: &str| {
                            body.properties
                                .iter()
                                .find(|p| p.name.as_str() == key)
                                .and_then(|p| match &p.value {
                                    J::StringLit(s) => Some(s.value.to_string()),
                                    _ => None,
                                })
                        };
                        self.modules.push(ModuleDecl {
                            src,
                            name: m.name.as_str().to_string(),
                            source: literal("source"),
                            version: literal("version"),
                            loc: src.loc(Some(m.range.start), 1),
                            body: BodyRef::Json(body),
                        });
                    }
                }
                "output" => {
                    for o in &section.properties {
                        let J::Object(body) = &o.value else { continue };
                        if let Some(v) = body.properties.iter().find(|p| p.name.as_str() == "value")
                        {
                            self.outputs.insert(
                                o.name.as_str().to_string(),
                                Decl {
                                    src,
                                    expr: Expr::Json(&v.value),
                                    loc: src.loc(Some(v.range.start), 1),
                                },
                            );
                        }
                    }
                }
                "provider" => self.deploys = true,
                "terraform"
                    if section
                        .properties
                        .iter()
                        .any(|p| matches!(p.name.as_str(), "backend" | "cloud")) =>
                {
                    self.deploys = true;
                }
                kind_section @ ("resource" | "data") => {
                    for kind in &section.properties {
                        let J::Object(by_name) = &kind.value else {
                            continue;
                        };
                        for named in &by_name.properties {
                            // `"name": {...}` or `"name": [{...}]` are both accepted by Terraform.
                            let obj = match &named.value {
                                J::Object(o) => Some(o),
                                J::Array(a) => a.elements.iter().find_map(|e| match e {
                                    J::Object(o) => Some(o),
                                    _ => None,
                                }),
                                _ => None,
                            };
                            let Some(obj) = obj else { continue };
                            let (address, kind_name) = if kind_section == "data" {
                                (
                                    format!("data.{}.{}", kind.name.as_str(), named.name.as_str()),
                                    format!("data.{}", kind.name.as_str()),
                                )
                            } else {
                                (
                                    format!("{}.{}", kind.name.as_str(), named.name.as_str()),
                                    kind.name.as_str().to_string(),
                                )
                            };
                            self.resources.push(ResourceDecl {
                                src,
                                address,
                                kind: kind_name,
                                loc: src.loc(Some(named.range.start), 1),
                                body: BodyRef::Json(obj),
                                overrides: Vec::new(),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// An address as written in a `moved`, `removed` or `import` block (a resource or module path),
/// or `None` for anything else.
fn address_text(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.[]\"".contains(c)))
    .then(|| text.to_string())
}

/// Meta-arguments and blocks that are about Terraform, not about the resource's configuration.
const META: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
];

/// A value with the location it originates from when that is not the expression itself (a
/// variable's default, a tfvars line, a local).
type Located = (Value, Option<Location>);

/// Where the parts of a bound value (a `dynamic` iterator, `each`) were written, by path inside
/// it: `value.enable_private_endpoint` at the module call's argument that set it, not at the
/// `content` line that reads it (kubernetes-engine-samples' private-cluster module passes its
/// variables through `for_each = [{ … = var.x }]`). Empty where nothing is known.
type Origins = Rc<BTreeMap<SettingPath, Location>>;

/// The origin of `path` inside a bound value: its longest located prefix.
fn origin_in(origins: &Origins, path: &SettingPath) -> Option<Location> {
    (0..=path.0.len())
        .rev()
        .find_map(|n| origins.get(&SettingPath(path.0[..n].to_vec())).cloned())
}

/// The origins of one element of a collection (at `at` in `all`, the collection's own
/// origins), re-rooted under `under` as its iterator binds it (`value`); the collection's own
/// origin, when it came whole from a variable, covers the element too.
fn element_origins(
    all: &BTreeMap<SettingPath, Location>,
    at: &SettingPath,
    under: &str,
) -> Origins {
    let mut out = BTreeMap::new();
    if let Some(whole) = all.get(&SettingPath::root()) {
        out.insert(SettingPath::root(), whole.clone());
    }
    for (p, loc) in all.range(at.clone()..) {
        if !p.starts_with(at) {
            break;
        }
        let mut q = SettingPath::root().key(under);
        q.0.extend(p.0[at.0.len()..].iter().cloned());
        out.insert(q, loc.clone());
    }
    Rc::new(out)
}

/// The declarations of every directory given, by directory: the root and the modules it may
/// call.
struct Program<'a> {
    dirs: BTreeMap<String, Decls<'a>>,
    /// Modules from outside the repository that `terraform init` vendored into the root: module
    /// key → directory.
    vendored: BTreeMap<String, String>,
}

/// What a module call gave its caller: each instance's key and outputs, or why it was not
/// evaluated.
enum Outcome {
    Instances {
        /// `count` gives a list, `for_each` a map, neither one object.
        shape: Shape,
        items: Vec<(Value, BTreeMap<String, Located>)>,
    },
    NotEvaluated(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    One,
    Count,
    ForEach,
}

/// One instance of a block with `count` or `for_each`: its address, its key, and the binding
/// (`count` or `each`) its body sees.
type Instance = (String, Value, Option<(&'static str, Value)>);

struct Evaluator<'d, 'a> {
    program: &'d Program<'a>,
    decls: &'d Decls<'a>,
    /// The directory being evaluated, and the module path its addresses carry
    /// (`module.env["prod"].module.net.`; empty at the root).
    dir: String,
    prefix: String,
    /// The module key Terraform gives this instance's call path (`vpc`, `vpc.subnets`; empty at
    /// the root), by which vendored modules are found.
    key: String,
    /// A module's variables as its caller set them; `None` at the root, where tfvars apply.
    inputs: Option<BTreeMap<String, Located>>,
    /// The directories of the calls that led here, outermost first: a cycle is refused.
    stack: Vec<String>,
    /// Module calls of this directory evaluated so far; `None` while one is being evaluated.
    modules: BTreeMap<String, Option<Rc<Outcome>>>,
    /// Resources of the modules this directory instantiated, with their module addresses.
    children: Vec<Resource>,
    /// What was not evaluated, and why (see [`Unit::gaps`]).
    gaps: Vec<Problem>,
    /// `moved`, `removed` and `import` blocks of instantiated modules, with module addresses.
    moved: Vec<(String, String)>,
    removed: Vec<crate::model::Removed>,
    imports: Vec<String>,
    local_cache: BTreeMap<String, Located>,
    local_stack: Vec<String>,
    /// Bindings of `for` expressions and `dynamic` iterators, innermost last.
    scopes: Vec<BTreeMap<String, (Value, Origins)>>,
    depth: usize,
    /// Weight of the settings produced so far (bounded by [`MAX_UNIT_WEIGHT`]).
    produced: usize,
    /// Expressions evaluated so far (bounded by [`MAX_EVAL_STEPS`]).
    steps: usize,
}

impl<'d, 'a> Evaluator<'d, 'a> {
    fn new(program: &'d Program<'a>, decls: &'d Decls<'a>, dir: &str) -> Self {
        Evaluator {
            program,
            decls,
            dir: dir.to_string(),
            prefix: String::new(),
            key: String::new(),
            inputs: None,
            stack: vec![dir.to_string()],
            modules: BTreeMap::new(),
            children: Vec::new(),
            gaps: Vec::new(),
            moved: Vec::new(),
            removed: Vec::new(),
            imports: Vec::new(),
            local_cache: BTreeMap::new(),
            local_stack: Vec::new(),
            scopes: Vec::new(),
            depth: 0,
            produced: 0,
            steps: 0,
        }
    }

    /// Evaluates the directory: its resources, then every module call not yet instantiated
    /// (a reference to a module's output instantiates it earlier), then the resources of those
    /// modules, with their module addresses.
    fn run(&mut self) -> Vec<Resource> {
        let decls = self.decls;
        let mut out = Vec::new();
        for r in &decls.resources {
            out.extend(self.resource(r));
        }
        for m in &decls.modules {
            self.module_outcome(&m.name);
        }
        out.append(&mut self.children);
        out
    }

    /// The instances of a block with `count` or `for_each`. `for_each` over a known collection
    /// gives one instance per key (`base["key"]`, with `each.key` and `each.value` bound),
    /// `count = N` with N ≥ 2 one per index (`base[0]`, with `count.index`), as Terraform
    /// addresses them; `count = 0` or an empty `for_each` none. Anything else is one instance at
    /// the plain address (an unknown collection leaves `each.*` unknown, never guessed).
    fn expand(&mut self, src: Src<'a>, body: &BodyRef<'a>, base: &str) -> (Shape, Vec<Instance>) {
        let meta = |this: &mut Self, key: &str| -> Option<Value> {
            match body {
                BodyRef::Hcl(body) => body.get_attribute(key).map(|a| this.eval(src, &a.value).0),
                BodyRef::Json(o) => o
                    .properties
                    .iter()
                    .find(|p| p.name.as_str() == key)
                    .map(|p| this.eval_json(src, &p.value).0),
            }
        };
        let each = |k: Value, v: Value| {
            let mut each = BTreeMap::new();
            each.insert("key".to_string(), k);
            each.insert("value".to_string(), v);
            Some(("each", Value::Map(each)))
        };
        let one = || vec![(base.to_string(), Value::Null, None)];
        match (meta(self, "for_each"), meta(self, "count")) {
            (Some(fe), _) if is_empty_instances(&fe) => (Shape::ForEach, Vec::new()),
            (Some(Value::Map(m)), _) => (
                Shape::ForEach,
                m.into_iter()
                    .take(MAX_EXPANSION)
                    .map(|(k, v)| {
                        let addr = format!("{base}[{k:?}]");
                        let key = Value::String(k);
                        (addr, key.clone(), each(key, v))
                    })
                    .collect(),
            ),
            (Some(Value::List(l)), _) if l.iter().all(|v| v.as_str().is_some()) => (
                Shape::ForEach,
                l.into_iter()
                    .take(MAX_EXPANSION)
                    .map(|v| {
                        let k = v.as_str().unwrap_or_default().to_string();
                        (format!("{base}[{k:?}]"), v.clone(), each(v.clone(), v))
                    })
                    .collect(),
            ),
            (Some(_), _) => (Shape::One, one()),
            (None, Some(c)) if is_empty_instances(&c) => (Shape::Count, Vec::new()),
            (None, Some(c)) => {
                let count = |i: i64| {
                    let mut count = BTreeMap::new();
                    count.insert("index".to_string(), number(i as f64));
                    Some(("count", Value::Map(count)))
                };
                match c.as_i64() {
                    Some(n) if n >= 2 => (
                        Shape::Count,
                        (0..n.min(MAX_EXPANSION as i64))
                            .map(|i| (format!("{base}[{i}]"), number(i as f64), count(i)))
                            .collect(),
                    ),
                    Some(1) => (
                        Shape::Count,
                        vec![(base.to_string(), number(0.0), count(0))],
                    ),
                    _ => (Shape::One, one()),
                }
            }
            (None, None) => (Shape::One, one()),
        }
    }

    /// The instances of a resource block (see [`Self::expand`]).
    fn resource(&mut self, r: &ResourceDecl<'a>) -> Vec<Resource> {
        let (_, instances) = self.expand(r.src, &r.body, &r.address);
        let mut out = Vec::new();
        for (address, _, binding) in instances {
            self.with_binding(binding, |this| out.push(this.instance(r, address)));
        }
        out
    }

    fn with_binding<T>(
        &mut self,
        binding: Option<(&'static str, Value)>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        match binding {
            Some((name, v)) => {
                let mut scope = BTreeMap::new();
                scope.insert(name.to_string(), (v, Origins::default()));
                self.scopes.push(scope);
                let r = f(self);
                self.scopes.pop();
                r
            }
            None => f(self),
        }
    }

    /// The outcome of the module call `name` of this directory, evaluating it on first use.
    /// `None` when there is no such call, or while it is being evaluated (its arguments refer
    /// to its own outputs, directly or through another call).
    fn module_outcome(&mut self, name: &str) -> Option<Rc<Outcome>> {
        if let Some(known) = self.modules.get(name) {
            return known.clone();
        }
        let decls = self.decls;
        let m = decls.modules.iter().find(|m| m.name == name)?;
        self.modules.insert(name.to_string(), None);
        let outcome = Rc::new(self.instantiate(m));
        self.modules
            .insert(name.to_string(), Some(Rc::clone(&outcome)));
        Some(outcome)
    }

    fn gap(&mut self, m: &ModuleDecl<'a>, reason: String) -> Outcome {
        self.gaps.push(Problem {
            file: m.src.path.to_string(),
            // No line in the reason: a blind spot lasts while the call does, wherever it moves.
            reason: format!("module \"{}\": {reason}", m.name),
        });
        Outcome::NotEvaluated(reason)
    }

    /// Instantiates a module call: each instance evaluates the module's directory with the
    /// caller's arguments as its variables, under the instance's module address.
    fn instantiate(&mut self, m: &ModuleDecl<'a>) -> Outcome {
        let Some(source) = m.source.as_deref() else {
            return self.gap(
                m,
                "its `source` is not a literal string, so which module it calls is unknown; \
                 its resources are not evaluated"
                    .into(),
            );
        };
        let module_key = if self.key.is_empty() {
            m.name.clone()
        } else {
            format!("{}.{}", self.key, m.name)
        };
        let vendored = self.program.vendored.get(&module_key).cloned();
        let target = match (modules::local_source(&self.dir, source), vendored) {
            (Some(Ok(d)), _) => d,
            (Some(Err(why)), _) => return self.gap(m, format!("source \"{source}\" {why}")),
            (None, Some(d)) => d,
            (None, None) => {
                let version = m
                    .version
                    .as_deref()
                    .map(|v| format!(", version \"{v}\""))
                    .unwrap_or_default();
                return self.gap(
                    m,
                    format!(
                        "source \"{source}\"{version} is outside the repository and not \
                         vendored in it: its resources are not evaluated, and every setting \
                         that depends on its outputs is undecided"
                    ),
                );
            }
        };
        let program = self.program;
        let Some(child) = program.dirs.get(&target) else {
            return self.gap(
                m,
                format!(
                    "source \"{source}\" names {}, which holds no Terraform files here",
                    crate::formats::unit_display(&target)
                ),
            );
        };
        if let Some(i) = self.stack.iter().position(|d| *d == target) {
            let mut chain: Vec<&str> = self.stack[i..]
                .iter()
                .map(|d| crate::formats::unit_display(d))
                .collect();
            chain.push(crate::formats::unit_display(&target));
            return self.gap(
                m,
                format!(
                    "module calls form a cycle ({}); Terraform refuses it, and it is not evaluated",
                    chain.join(" → ")
                ),
            );
        }
        if self.stack.len() > MAX_MODULE_DEPTH {
            return self.gap(
                m,
                format!(
                    "nested more than {MAX_MODULE_DEPTH} module calls deep: not evaluated further"
                ),
            );
        }
        let base = format!("{}module.{}", self.prefix, m.name);
        let (shape, instances) = self.expand(m.src, &m.body, &base);
        let mut items = Vec::new();
        for (address, key, binding) in instances {
            // Every instance costs steps (as many as a small module's evaluation), so calls
            // multiplied by count through nesting (a thousand of a thousand of …) stop at the
            // unit's budget, at most a hundred thousand instances, instead of running on.
            self.steps += MODULE_INSTANCE_STEPS;
            if self.steps > MAX_EVAL_STEPS {
                self.gap(
                    m,
                    format!(
                        "evaluation stopped after {MAX_EVAL_STEPS} steps: the instances from \
                         {address} on are not evaluated"
                    ),
                );
                break;
            }
            let inputs = self.with_binding(binding, |this| this.call_inputs(m));
            let mut ev = Evaluator::new(program, child, &target);
            ev.prefix = format!("{address}.");
            ev.key = module_key.clone();
            ev.inputs = Some(inputs);
            ev.stack = self.stack.clone();
            ev.stack.push(target.clone());
            ev.steps = self.steps;
            ev.produced = self.produced;
            let resources = ev.run();
            let outputs: BTreeMap<String, Located> = child
                .outputs
                .iter()
                .map(|(name, d)| {
                    let (v, o) = ev.eval_decl(d);
                    (name.clone(), (v, Some(o.unwrap_or_else(|| d.loc.clone()))))
                })
                .collect();
            self.steps = ev.steps;
            self.produced = ev.produced;
            self.children.extend(resources);
            self.gaps.append(&mut ev.gaps);
            let p = &ev.prefix;
            self.moved.extend(
                child
                    .moved
                    .iter()
                    .map(|(a, b)| (format!("{p}{a}"), format!("{p}{b}")))
                    .chain(ev.moved.drain(..)),
            );
            self.removed.extend(
                child
                    .removed
                    .iter()
                    .map(|r| crate::model::Removed {
                        address: format!("{p}{}", r.address),
                        ..r.clone()
                    })
                    .chain(ev.removed.drain(..)),
            );
            self.imports.extend(
                child
                    .imports
                    .iter()
                    .map(|a| format!("{p}{a}"))
                    .chain(ev.imports.drain(..)),
            );
            items.push((key, outputs));
        }
        Outcome::Instances { shape, items }
    }

    /// The arguments of a module call, evaluated in the caller, each located where its value
    /// was written (the argument's line, or the variable, local or tfvars line that gave it).
    fn call_inputs(&mut self, m: &ModuleDecl<'a>) -> BTreeMap<String, Located> {
        let mut inputs = BTreeMap::new();
        match &m.body {
            BodyRef::Hcl(body) => {
                for a in body.attributes() {
                    let name = a.key.as_str();
                    if MODULE_META.contains(&name) {
                        continue;
                    }
                    let (v, o) = self.eval(m.src, &a.value);
                    let at = o.unwrap_or_else(|| m.src.loc(a.span().map(|s| s.start), m.loc.line));
                    inputs.insert(name.to_string(), (v, Some(at)));
                }
            }
            BodyRef::Json(o) => {
                for p in &o.properties {
                    let name = p.name.as_str();
                    if MODULE_META.contains(&name) {
                        continue;
                    }
                    let (v, origin) = self.eval_json(m.src, &p.value);
                    let at = origin.unwrap_or_else(|| m.src.loc(Some(p.range.start), m.loc.line));
                    inputs.insert(name.to_string(), (v, Some(at)));
                }
            }
        }
        inputs
    }

    /// `module.NAME…`: an output of a module call (`module.net.vpc_id`, `module.env["prod"].id`),
    /// located where the module's output got its value. Gives the value, its origin, and how
    /// many traversal operators after `NAME` were consumed.
    fn module_ref(
        &mut self,
        src: Src<'a>,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        text: &str,
    ) -> (Value, Option<Location>, usize) {
        let unknown = |why: &str| (Value::Unknown(format!("{text} ({why})")), None, ops.len());
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        let Some(name) = attr(0) else {
            return unknown("not a module output");
        };
        let Some(outcome) = self.module_outcome(&name) else {
            return unknown("no such module call here, or its arguments depend on itself");
        };
        let (shape, items) = match &*outcome {
            Outcome::NotEvaluated(why) => return unknown(why),
            Outcome::Instances { shape, items } => (*shape, items),
        };
        let as_object = |outs: &BTreeMap<String, Located>| {
            Value::Map(
                outs.iter()
                    .map(|(k, (v, _))| (k.clone(), v.clone()))
                    .collect(),
            )
        };
        let (outs, next) = match shape {
            Shape::One => match items.first() {
                Some((_, o)) => (o, 1),
                None => return unknown("module has no instance"),
            },
            _ => {
                let key = match ops.get(1).map(|o| o.value()) {
                    Some(TraversalOperator::Index(ix)) => self.eval(src, ix).0,
                    Some(TraversalOperator::LegacyIndex(i)) => number(*i.value() as f64),
                    _ => {
                        // The whole collection of instances.
                        let v = if shape == Shape::Count {
                            Value::List(items.iter().map(|(_, o)| as_object(o)).collect())
                        } else {
                            Value::Map(
                                items
                                    .iter()
                                    .map(|(k, o)| {
                                        (k.as_str().unwrap_or("").to_string(), as_object(o))
                                    })
                                    .collect(),
                            )
                        };
                        return (v, None, 1);
                    }
                };
                let found = items.iter().find(|(k, _)| match (k, &key) {
                    (Value::String(a), Value::String(b)) => a == b,
                    (a, b) => a.as_i64().is_some() && a.as_i64() == b.as_i64(),
                });
                match found {
                    Some((_, o)) => (o, 2),
                    None => return unknown("no such module instance"),
                }
            }
        };
        match attr(next) {
            Some(out) => match outs.get(&out) {
                Some((v, o)) => (v.clone(), o.clone(), next + 1),
                None => unknown("the module has no such output"),
            },
            None => (as_object(outs), None, next),
        }
    }

    fn instance(&mut self, r: &ResourceDecl<'a>, address: String) -> Resource {
        let mut locations = BTreeMap::new();
        let body = match &r.body {
            BodyRef::Hcl(body) => self.body(r.src, body, &SettingPath::root(), &mut locations),
            BodyRef::Json(o) => {
                let mut m = BTreeMap::new();
                for p in &o.properties {
                    let name = p.name.as_str();
                    if META.contains(&name) {
                        continue;
                    }
                    let path = SettingPath::root().key(name);
                    let v = self.json_located(r.src, &p.value, &path, &mut locations);
                    locations
                        .entry(path)
                        .or_insert_with(|| r.src.loc(Some(p.range.start), r.loc.line));
                    m.insert(name.to_string(), v);
                }
                Value::Map(m)
            }
        };
        let mut body = body;
        for (src, ob) in &r.overrides {
            let mut olocs = BTreeMap::new();
            let over = match ob {
                BodyRef::Hcl(b) => self.body(*src, b, &SettingPath::root(), &mut olocs),
                BodyRef::Json(o) => {
                    let mut m = BTreeMap::new();
                    for p in &o.properties {
                        let name = p.name.as_str();
                        if META.contains(&name) {
                            continue;
                        }
                        let path = SettingPath::root().key(name);
                        let v = self.json_located(*src, &p.value, &path, &mut olocs);
                        olocs
                            .entry(path)
                            .or_insert_with(|| src.loc(Some(p.range.start), 1));
                        m.insert(name.to_string(), v);
                    }
                    Value::Map(m)
                }
            };
            if let (Value::Map(base), Value::Map(over)) = (&mut body, over) {
                for (k, v) in over {
                    let p = SettingPath::root().key(&k);
                    locations.retain(|lp: &SettingPath, _| !lp.starts_with(&p));
                    base.insert(k, v);
                }
                locations.extend(olocs);
            }
        }
        Resource {
            address: format!("{}{address}", self.prefix),
            kind: r.kind.clone(),
            location: r.loc.clone(),
            body,
            locations,
        }
    }

    /// A block body: attributes by name, nested blocks as indexed lists by type.
    fn body(
        &mut self,
        src: Src<'a>,
        body: &Body,
        path: &SettingPath,
        locs: &mut BTreeMap<SettingPath, Location>,
    ) -> Value {
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let name = a.key.as_str();
                    if path.is_root() && META.contains(&name) {
                        continue;
                    }
                    let p = path.key(name);
                    let line = src.loc(a.span().map(|s| s.start), 1);
                    locs.insert(p.clone(), line);
                    let mut v = self.located(src, &a.value, &p, locs);
                    self.produced += weight(&v, MAX_UNIT_WEIGHT);
                    if self.produced > MAX_UNIT_WEIGHT {
                        v = Value::Unknown(format!(
                            "{name}: the unit's settings exceed the limit of {MAX_UNIT_WEIGHT} units"
                        ));
                    }
                    map.insert(name.to_string(), v);
                }
                Structure::Block(b) => {
                    let ident = b.ident.as_str();
                    if path.is_root() && META.contains(&ident) {
                        continue;
                    }
                    if ident == "dynamic" {
                        if let Some(label) = b.labels.first() {
                            self.dynamic(src, label.as_str(), &b.body, path, &mut map, locs);
                        }
                        continue;
                    }
                    let entry = map
                        .entry(ident.to_string())
                        .or_insert_with(|| Value::List(Vec::new()));
                    if let Value::List(list) = entry {
                        let p = path.key(ident).index(list.len());
                        locs.insert(p.clone(), src.loc(b.span().map(|s| s.start), 1));
                        let v = self.body(src, &b.body, &p, locs);
                        if let Value::List(list) =
                            map.get_mut(ident).expect("entry inserted just above")
                        {
                            list.push(v);
                        }
                    }
                }
            }
        }
        Value::Map(map)
    }

    /// `dynamic "ingress" { for_each = …  iterator = it  content { … } }`: expanded when the
    /// collection is known; otherwise one unknown element, so rules see that blocks may exist.
    fn dynamic(
        &mut self,
        src: Src<'a>,
        name: &str,
        body: &Body,
        path: &SettingPath,
        map: &mut BTreeMap<String, Value>,
        locs: &mut BTreeMap<SettingPath, Location>,
    ) {
        let iterator = body
            .get_attribute("iterator")
            .and_then(|a| traversal_name(&a.value))
            .unwrap_or_else(|| name.to_string());
        let content = body.get_blocks("content").next();
        let mut origins = BTreeMap::new();
        let collection = body
            .get_attribute("for_each")
            .map(|a| self.located(src, &a.value, &SettingPath::root(), &mut origins))
            .unwrap_or(Value::Unknown("dynamic block without for_each".into()));
        let list = map
            .entry(name.to_string())
            .or_insert_with(|| Value::List(Vec::new()));
        let Value::List(list) = list else { return };
        let (Some(content), Some(items)) = (content, iterate(&collection)) else {
            list.push(Value::Unknown(format!(
                "dynamic \"{name}\" blocks over {collection}"
            )));
            return;
        };
        let mut produced = Vec::new();
        for (k, v) in items.into_iter().take(MAX_EXPANSION) {
            let at = match &k {
                Value::String(s) => SettingPath::root().key(s),
                _ => SettingPath::root().index(
                    k.as_i64()
                        .and_then(|i| usize::try_from(i).ok())
                        .unwrap_or_default(),
                ),
            };
            let mut iter_obj = BTreeMap::new();
            iter_obj.insert("key".to_string(), k);
            iter_obj.insert("value".to_string(), v);
            let mut scope = BTreeMap::new();
            scope.insert(
                iterator.clone(),
                (
                    Value::Map(iter_obj),
                    element_origins(&origins, &at, "value"),
                ),
            );
            self.scopes.push(scope);
            let p = path.key(name).index(list.len() + produced.len());
            locs.insert(p.clone(), src.loc(content.span().map(|s| s.start), 1));
            let v = self.body(src, &content.body, &p, locs);
            self.scopes.pop();
            produced.push(v);
        }
        list.extend(produced);
        // Over an empty collection, no block at all: an empty list would read as a block that
        // is there (an empty `master_authorized_networks_config` means something else).
        if list.is_empty() {
            map.remove(name);
        }
    }

    /// Evaluates an expression and records where the parts of its value were written: object keys
    /// of literal objects (as in `jsonencode({...})`), and the origin of values that come from
    /// variables and locals.
    fn located(
        &mut self,
        src: Src<'a>,
        e: &Expression,
        path: &SettingPath,
        locs: &mut BTreeMap<SettingPath, Location>,
    ) -> Value {
        let (v, origin) = self.eval(src, e);
        if let Some(o) = origin {
            locs.insert(path.clone(), o);
        }
        if self.depth < MAX_EVAL_DEPTH {
            self.depth += 1;
            self.locate_parts(src, e, &v, path, locs);
            self.depth -= 1;
        }
        v
    }

    fn locate_parts(
        &mut self,
        src: Src<'a>,
        e: &Expression,
        v: &Value,
        path: &SettingPath,
        locs: &mut BTreeMap<SettingPath, Location>,
    ) {
        match e {
            Expression::Parenthesis(p) => self.locate_parts(src, p.inner(), v, path, locs),
            // The branch taken, as `eval` takes it (`var.enabled ? [{ … }] : []`).
            Expression::Conditional(c) => match self.eval(src, &c.cond_expr).0.as_bool() {
                Some(true) => self.locate_parts(src, &c.true_expr, v, path, locs),
                Some(false) => self.locate_parts(src, &c.false_expr, v, path, locs),
                None => {}
            },
            Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode" => {
                if let Some(arg) = f.args.iter().next() {
                    self.located(src, arg, path, locs);
                }
            }
            Expression::Object(o) => {
                for (k, ov) in o.iter() {
                    let Some(key) = self.object_key(src, k) else {
                        continue;
                    };
                    let p = path.key(&key);
                    locs.insert(p.clone(), src.loc(k.span().map(|s| s.start), 1));
                    self.located(src, ov.expr(), &p, locs);
                }
            }
            Expression::Array(a) => {
                for (i, el) in a.iter().enumerate() {
                    match v.as_list().and_then(|l| l.get(i)) {
                        Some(Value::Map(_)) => {
                            let p = path.index(i);
                            locs.insert(p.clone(), src.loc(el.span().map(|s| s.start), 1));
                            self.located(src, el, &p, locs);
                        }
                        _ => {
                            // A scalar list is one setting: it is located where a variable in it
                            // is defined, since that is where its value is changed.
                            if let (_, Some(o)) = self.eval(src, el) {
                                locs.insert(path.clone(), o);
                            }
                        }
                    }
                }
            }
            Expression::HeredocTemplate(h) => {
                if let (Some(span), Value::Map(_)) = (h.span(), v) {
                    if let Some(text) = template_literal(&h.template) {
                        let base = src.line(span.start);
                        if let Ok(ast) = parse_json(&text) {
                            locate_json(src.path, &text, &ast, base, path, locs);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn object_key(&mut self, src: Src<'a>, k: &ObjectKey) -> Option<String> {
        match k {
            ObjectKey::Ident(i) => Some(i.as_str().to_string()),
            ObjectKey::Expression(e) => match self.eval(src, e).0 {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n),
                Value::Bool(b) => Some(b.to_string()),
                // `(var.x) = …` with an unknown key: the object loses that key; say so in a key.
                other => Some(format!("(unknown key: {other})")),
            },
        }
    }

    fn eval(&mut self, src: Src<'a>, e: &Expression) -> Located {
        if self.depth >= MAX_EVAL_DEPTH {
            return (Value::Unknown("expression nested too deeply".into()), None);
        }
        self.steps += 1;
        if self.steps > MAX_EVAL_STEPS {
            return (
                Value::Unknown(format!(
                    "{} (evaluation stopped after {MAX_EVAL_STEPS} steps)",
                    source_text(src, e)
                )),
                None,
            );
        }
        self.depth += 1;
        let (v, o) = self.eval_inner(src, e);
        self.depth -= 1;
        // Functions (concat, flatten, merge, string templates) can also multiply their inputs.
        if weight(&v, MAX_VALUE_WEIGHT) > MAX_VALUE_WEIGHT {
            return (too_large(&source_text(src, e)), o);
        }
        (v, o)
    }

    fn eval_inner(&mut self, src: Src<'a>, e: &Expression) -> Located {
        let plain = |v: Value| (v, None);
        match e {
            Expression::Null(_) => plain(Value::Null),
            Expression::Bool(b) => plain(Value::Bool(*b.value())),
            Expression::Number(n) => plain(Value::Number(n.value().to_string())),
            Expression::String(s) => plain(maybe_json(s.value())),
            Expression::Array(a) => {
                let mut origin = None;
                let mut items = Vec::new();
                let mut budget = Budget::default();
                for el in a.iter() {
                    let (v, o) = self.eval(src, el);
                    if !budget.take(&v) {
                        return plain(too_large(&source_text(src, e)));
                    }
                    origin = origin.or(o);
                    items.push(v);
                }
                (Value::List(items), origin)
            }
            Expression::Object(o) => {
                let mut m = BTreeMap::new();
                let mut budget = Budget::default();
                for (k, v) in o.iter() {
                    if let Some(key) = self.object_key(src, k) {
                        let v = self.eval(src, v.expr()).0;
                        if !budget.take(&v) {
                            return plain(too_large(&source_text(src, e)));
                        }
                        m.insert(key, v);
                    }
                }
                plain(Value::Map(m))
            }
            Expression::StringTemplate(t) => {
                let (v, o) = self.template(src, t, &source_text(src, e));
                (maybe_json_value(v), o)
            }
            Expression::HeredocTemplate(h) => {
                let (v, o) = self.template(src, &h.template, &source_text(src, e));
                (maybe_json_value(v), o)
            }
            Expression::Parenthesis(p) => self.eval(src, p.inner()),
            Expression::Variable(v) => self.variable(v.as_str(), &source_text(src, e)),
            Expression::Traversal(t) => self.traversal(src, &t.expr, &t.operators, e),
            Expression::Conditional(c) => {
                let (cond, _) = self.eval(src, &c.cond_expr);
                match cond.as_bool() {
                    Some(true) => self.eval(src, &c.true_expr),
                    Some(false) => self.eval(src, &c.false_expr),
                    None => plain(Value::Unknown(source_text(src, e))),
                }
            }
            Expression::FuncCall(f) => self.call(src, f, e),
            Expression::UnaryOp(u) => {
                let (v, o) = self.eval(src, &u.expr);
                let r = match (u.operator.value(), &v) {
                    (UnaryOperator::Not, _) => v.as_bool().map(|b| Value::Bool(!b)),
                    (UnaryOperator::Neg, _) => v.as_f64().map(|n| number(-n)),
                };
                (r.unwrap_or_else(|| Value::Unknown(source_text(src, e))), o)
            }
            Expression::BinaryOp(b) => {
                let (l, lo) = self.eval(src, &b.lhs_expr);
                let (r, ro) = self.eval(src, &b.rhs_expr);
                let v = binary(*b.operator.value(), &l, &r)
                    .unwrap_or_else(|| Value::Unknown(source_text(src, e)));
                (v, lo.or(ro))
            }
            Expression::ForExpr(f) => {
                let (coll, origin) = self.eval(src, &f.intro.collection_expr);
                let Some(items) = iterate(&coll) else {
                    return plain(Value::Unknown(source_text(src, e)));
                };
                let kv = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
                let vv = f.intro.value_var.as_str().to_string();
                let mut list = Vec::new();
                let mut map = BTreeMap::new();
                let mut budget = Budget::default();
                for (k, v) in items.into_iter().take(MAX_EXPANSION) {
                    let mut scope = BTreeMap::new();
                    if let Some(kv) = &kv {
                        scope.insert(kv.clone(), (k, Origins::default()));
                    }
                    scope.insert(vv.clone(), (v, Origins::default()));
                    self.scopes.push(scope);
                    let keep = match &f.cond {
                        Some(c) => self.eval(src, &c.expr).0.as_bool(),
                        None => Some(true),
                    };
                    let item = match keep {
                        Some(true) => {
                            let val = self.eval(src, &f.value_expr).0;
                            match &f.key_expr {
                                Some(ke) => match self.eval(src, ke).0 {
                                    Value::String(s) => Some((Some(s), val)),
                                    _ => None,
                                },
                                None => Some((None, val)),
                            }
                        }
                        Some(false) => Some((None, Value::Null)).filter(|_| false),
                        None => Some((None, Value::Unknown(source_text(src, e)))),
                    };
                    self.scopes.pop();
                    if let Some((_, v)) = &item {
                        if !budget.take(v) {
                            return plain(too_large(&source_text(src, e)));
                        }
                    }
                    match item {
                        Some((Some(k), v)) => {
                            map.insert(k, v);
                        }
                        Some((None, v)) => list.push(v),
                        None => {}
                    }
                }
                if f.key_expr.is_some() {
                    (Value::Map(map), origin)
                } else {
                    (Value::List(list), origin)
                }
            }
        }
    }

    fn variable(&mut self, name: &str, text: &str) -> Located {
        for scope in self.scopes.iter().rev() {
            if let Some((v, origins)) = scope.get(name) {
                return (v.clone(), origin_in(origins, &SettingPath::root()));
            }
        }
        (Value::Unknown(text.to_string()), None)
    }

    fn traversal(
        &mut self,
        src: Src<'a>,
        root: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        whole: &Expression,
    ) -> Located {
        let text = source_text(src, whole);
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        // A bound value's origins, and the path inside it the operators walk (see `Origins`).
        let mut bound: Option<(Origins, SettingPath)> = None;
        let (mut cur, origin, consumed) = match root {
            Expression::Variable(v) => match v.as_str() {
                "var" => match attr(0) {
                    Some(name) => {
                        let (val, o) = self.var(&name);
                        (val, o, 1)
                    }
                    None => return (Value::Unknown(text), None),
                },
                "local" => match attr(0) {
                    Some(name) => {
                        let (val, o) = self.local(&name);
                        (val, o, 1)
                    }
                    None => return (Value::Unknown(text), None),
                },
                "data" => {
                    // data.KIND.NAME.ATTR…: a reference, kept symbolic for rules to follow.
                    let path = self.ref_path(src, v.as_str(), ops);
                    return (Value::Ref(format!("{}{path}", self.prefix)), None);
                }
                "module" => {
                    let (val, o, used) = self.module_ref(src, ops, &text);
                    (val, o, used)
                }
                other if self.scopes.iter().any(|s| s.contains_key(other)) => {
                    let scoped = self.scopes.iter().rev().find_map(|s| s.get(other));
                    match scoped {
                        Some((v, origins)) => {
                            bound = Some((Rc::clone(origins), SettingPath::root()));
                            (v.clone(), None, 0)
                        }
                        None => (Value::Null, None, 0),
                    }
                }
                "each" | "count" | "path" | "terraform" | "self" => {
                    return (Value::Unknown(text), None)
                }
                other => {
                    if other.contains('_') || other.starts_with("aws") {
                        // KIND.NAME.ATTR: a resource reference.
                        let path = self.ref_path(src, other, ops);
                        return (Value::Ref(format!("{}{path}", self.prefix)), None);
                    } else {
                        return (Value::Unknown(text), None);
                    }
                }
            },
            other => {
                let (v, o) = self.eval(src, other);
                (v, o, 0)
            }
        };
        let origin = |bound: &Option<(Origins, SettingPath)>| match bound {
            Some((origins, path)) => origin_in(origins, path).or_else(|| origin.clone()),
            None => origin.clone(),
        };
        for op in &ops[consumed..] {
            cur = match (op.value(), &cur) {
                (_, Value::Unknown(_)) => return (Value::Unknown(text), origin(&bound)),
                (TraversalOperator::GetAttr(a), Value::Map(m)) => {
                    if let Some((_, p)) = &mut bound {
                        *p = p.key(a.as_str());
                    }
                    m.get(a.as_str()).cloned().unwrap_or(Value::Null)
                }
                (TraversalOperator::Index(ix), _) => {
                    let (k, _) = self.eval(src, ix);
                    if let Some((_, p)) = &mut bound {
                        *p = match &k {
                            Value::String(s) => p.key(s),
                            _ => match k.as_i64().and_then(|i| usize::try_from(i).ok()) {
                                Some(i) => p.index(i),
                                None => p.clone(),
                            },
                        };
                    }
                    index(&cur, &k).unwrap_or_else(|| Value::Unknown(text.clone()))
                }
                (TraversalOperator::LegacyIndex(i), Value::List(l)) => {
                    let i = usize::try_from(*i.value()).ok();
                    if let (Some((_, p)), Some(i)) = (&mut bound, i) {
                        *p = p.index(i);
                    }
                    i.and_then(|i| l.get(i).cloned())
                        .unwrap_or_else(|| Value::Unknown(text.clone()))
                }
                (
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_),
                    Value::List(_),
                ) => {
                    // `list[*].attr`: kept simple; the common cases in modules are references.
                    return (Value::Unknown(text), origin(&bound));
                }
                _ => return (Value::Unknown(text), origin(&bound)),
            };
        }
        (cur, origin(&bound))
    }

    /// A reference as Terraform addresses it: `aws_s3_bucket.b.id`, and with an instance key
    /// when the index is known (`data.aws_iam_policy_document.sns["sns1"].json`), so rules
    /// follow it to the instance; it stops at the first operator it cannot write.
    fn ref_path(
        &mut self,
        src: Src<'a>,
        root: &str,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> String {
        let mut s = root.to_string();
        for op in ops {
            match op.value() {
                TraversalOperator::GetAttr(a) => {
                    s.push('.');
                    s.push_str(a.as_str());
                }
                TraversalOperator::Index(ix) => match self.eval(src, ix).0 {
                    Value::String(k) => s.push_str(&format!("[{k:?}]")),
                    v @ Value::Number(_) => match v.as_i64() {
                        Some(n) => s.push_str(&format!("[{n}]")),
                        None => break,
                    },
                    _ => break,
                },
                TraversalOperator::LegacyIndex(i) => s.push_str(&format!("[{}]", i.value())),
                _ => break,
            }
        }
        s
    }

    fn var(&mut self, name: &str) -> Located {
        let decls = self.decls;
        if let Some(inputs) = &self.inputs {
            // A module's variable: the caller's argument, else its default (tfvars files are
            // the root's alone).
            if let Some(v) = inputs.get(name) {
                return v.clone();
            }
            return match decls.vars.get(name) {
                Some(d) if matches!(d.expr, Expr::NoDefault) => (
                    Value::Unknown(format!("var.{name} (no default, not set by the caller)")),
                    Some(d.loc.clone()),
                ),
                Some(d) => {
                    let saved = std::mem::take(&mut self.scopes);
                    let (v, _) = self.eval_decl(d);
                    self.scopes = saved;
                    (v, Some(d.loc.clone()))
                }
                None => (Value::Unknown(format!("var.{name} (not declared)")), None),
            };
        }
        let decl = decls.tfvars.get(name).or_else(|| decls.vars.get(name));
        match decl {
            Some(d) => match d.expr {
                Expr::NoDefault => (
                    Value::Unknown(format!("var.{name} (no default, not set in tfvars)")),
                    Some(d.loc.clone()),
                ),
                _ => {
                    // Variables cannot refer to other variables; evaluate without scopes.
                    let saved = std::mem::take(&mut self.scopes);
                    let (v, _) = self.eval_decl(d);
                    self.scopes = saved;
                    (v, Some(d.loc.clone()))
                }
            },
            None => (Value::Unknown(format!("var.{name} (not declared)")), None),
        }
    }

    fn local(&mut self, name: &str) -> Located {
        if let Some(v) = self.local_cache.get(name) {
            return v.clone();
        }
        if self.local_stack.iter().any(|n| n == name) {
            return (Value::Unknown(format!("local.{name} (cycle)")), None);
        }
        let decls = self.decls;
        let Some(d) = decls.locals.get(name) else {
            return (Value::Unknown(format!("local.{name} (not declared)")), None);
        };
        self.local_stack.push(name.to_string());
        let saved = std::mem::take(&mut self.scopes);
        let (v, origin) = self.eval_decl(d);
        self.scopes = saved;
        self.local_stack.pop();
        // A local that only forwards a variable is located where the variable is.
        let r = (v, Some(origin.unwrap_or_else(|| d.loc.clone())));
        self.local_cache.insert(name.to_string(), r.clone());
        r
    }

    fn eval_decl(&mut self, d: &Decl<'a>) -> Located {
        match d.expr {
            Expr::Hcl(e) => self.eval(d.src, e),
            Expr::Json(j) => self.eval_json(d.src, j),
            Expr::NoDefault => (Value::Unknown("no default".into()), None),
        }
    }

    /// A `.tf.json` value: literal JSON, where strings may hold `${…}` template expressions.
    fn eval_json(&mut self, src: Src<'a>, j: &jsonc_parser::ast::Value<'_>) -> Located {
        let mut sink = BTreeMap::new();
        let v = self.json_located(src, j, &SettingPath::root(), &mut sink);
        (v, sink.remove(&SettingPath::root()))
    }

    fn json_located(
        &mut self,
        src: Src<'a>,
        j: &jsonc_parser::ast::Value<'_>,
        path: &SettingPath,
        locs: &mut BTreeMap<SettingPath, Location>,
    ) -> Value {
        use jsonc_parser::ast::Value as J;
        if self.depth >= MAX_EVAL_DEPTH {
            return Value::Unknown("JSON nested too deeply".into());
        }
        self.depth += 1;
        let v = match j {
            J::NullKeyword(_) => Value::Null,
            J::BooleanLit(b) => Value::Bool(b.value),
            J::NumberLit(n) => Value::Number(n.value.to_string()),
            J::StringLit(s) if s.value.contains("${") => {
                match hcl_edit::parser::parse_template(&s.value) {
                    Ok(t) => {
                        let (v, o) = self.template(src, &t, &s.value);
                        if let Some(o) = o {
                            locs.insert(path.clone(), o);
                        }
                        maybe_json_value(v)
                    }
                    Err(_) => Value::Unknown(s.value.to_string()),
                }
            }
            J::StringLit(s) => maybe_json(&s.value),
            J::Array(a) => Value::List(
                a.elements
                    .iter()
                    .enumerate()
                    .map(|(i, el)| {
                        let p = path.index(i);
                        if matches!(el, J::Object(_)) {
                            locs.insert(p.clone(), src.loc(Some(el_start(el)), 1));
                        }
                        self.json_located(src, el, &p, locs)
                    })
                    .collect(),
            ),
            J::Object(o) => {
                let mut m = BTreeMap::new();
                for p in &o.properties {
                    let cp = path.key(p.name.as_str());
                    locs.insert(cp.clone(), src.loc(Some(p.range.start), 1));
                    let v = self.json_located(src, &p.value, &cp, locs);
                    m.insert(p.name.as_str().to_string(), v);
                }
                Value::Map(m)
            }
        };
        self.depth -= 1;
        v
    }

    /// A string template: known when every interpolation is known and there are no directives.
    fn template(&mut self, src: Src<'a>, t: &Template, text: &str) -> Located {
        // `"${expr}"` alone is the expression's value, not its string form (HCL semantics).
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            return self.eval(src, &i.expr);
        }
        let mut out = String::new();
        let mut origin = None;
        // Interpolations not known statically, by position: a JSON document written as a
        // template (a heredoc policy naming `${aws_s3_bucket.b.arn}`) is still read, with only
        // the strings that hold them unknown.
        let mut holes: Vec<String> = Vec::new();
        for el in t.iter() {
            match el {
                Element::Literal(l) => out.push_str(l.value()),
                Element::Interpolation(i) => {
                    let (v, o) = self.eval(src, &i.expr);
                    origin = origin.or(o);
                    match v {
                        Value::String(s) => out.push_str(&s),
                        Value::Number(n) => out.push_str(&n),
                        Value::Bool(b) => out.push_str(&b.to_string()),
                        _ => {
                            out.push_str(&format!("{HOLE_OPEN}{}{HOLE_CLOSE}", holes.len()));
                            holes.push(
                                i.expr
                                    .span()
                                    .and_then(|r| src.text.get(r))
                                    .unwrap_or("…")
                                    .trim()
                                    .to_string(),
                            );
                        }
                    }
                    if out.len() / 16 > MAX_VALUE_WEIGHT {
                        return (too_large(text), origin);
                    }
                }
                Element::Directive(_) => return (Value::Unknown(text.to_string()), origin),
            }
        }
        if holes.is_empty() {
            return (Value::String(out), origin);
        }
        (
            json_with_holes(&out, &holes).unwrap_or_else(|| Value::Unknown(text.to_string())),
            origin,
        )
    }

    fn call(&mut self, src: Src<'a>, f: &FuncCall, whole: &Expression) -> Located {
        let name = f.name.name.as_str();
        let text = source_text(src, whole);
        if !f.name.namespace.is_empty() || f.args.expand_final() {
            return (Value::Unknown(text), None);
        }
        let mut origin = None;
        let mut args = Vec::new();
        let mut budget = Budget::default();
        for a in f.args.iter() {
            let (v, o) = self.eval(src, a);
            if !budget.take(&v) {
                return (too_large(&text), origin);
            }
            origin = origin.or(o);
            args.push(v);
        }
        // Functions are pure over known values; any unknown argument makes the result unknown,
        // except for the few whose meaning survives it (try/coalesce choose among known values).
        let v = if name != "try" && args.iter().any(Value::is_unknown) {
            None
        } else {
            builtin(name, &args)
        };
        (v.unwrap_or(Value::Unknown(text)), origin)
    }
}

/// Terraform's pure functions over known values; `None` when not supported or not applicable.
fn builtin(name: &str, args: &[Value]) -> Option<Value> {
    {
        match (name, args) {
            ("jsonencode", [v]) => Some(v.clone()),
            ("jsondecode", [Value::String(s)]) => serde_json::from_str::<serde_json::Value>(s)
                .ok()
                .map(|j| Value::from_json(&j)),
            ("jsondecode", [v @ Value::Map(_)]) => Some(v.clone()),
            ("tostring", [v @ Value::String(_)]) => Some(v.clone()),
            ("tostring", [Value::Number(n)]) => Some(Value::String(n.clone())),
            ("tostring", [Value::Bool(b)]) => Some(Value::String(b.to_string())),
            ("tonumber", [v]) => v.as_f64().map(number),
            ("tobool", [v]) => v.as_bool().map(Value::Bool),
            ("toset" | "tolist" | "distinct", [Value::List(l)]) => {
                let mut out: Vec<Value> = Vec::new();
                for x in l {
                    if !out.contains(x) {
                        out.push(x.clone());
                    }
                }
                if name == "toset" {
                    out.sort();
                }
                Some(Value::List(out))
            }
            ("tomap", [v @ Value::Map(_)]) => Some(v.clone()),
            ("concat", lists) => {
                let mut out = Vec::new();
                for l in lists {
                    out.extend(l.as_list()?.iter().cloned());
                }
                Some(Value::List(out))
            }
            ("merge", maps) => {
                let mut out = BTreeMap::new();
                for m in maps {
                    match m {
                        Value::Map(m) => out.extend(m.clone()),
                        Value::Null => {}
                        _ => return None,
                    }
                }
                Some(Value::Map(out))
            }
            ("flatten", [Value::List(l)]) => {
                let mut out = Vec::new();
                flatten_into(l, &mut out, 0);
                Some(Value::List(out))
            }
            ("compact", [Value::List(l)]) => Some(Value::List(
                l.iter()
                    .filter(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
                    .cloned()
                    .collect(),
            )),
            ("lower", [Value::String(s)]) => Some(Value::String(s.to_lowercase())),
            ("upper", [Value::String(s)]) => Some(Value::String(s.to_uppercase())),
            ("length", [Value::List(l)]) => Some(number(l.len() as f64)),
            ("length", [Value::Map(m)]) => Some(number(m.len() as f64)),
            ("length", [Value::String(s)]) => Some(number(s.chars().count() as f64)),
            ("lookup", [Value::Map(m), Value::String(k), rest @ ..]) if rest.len() <= 1 => {
                m.get(k).cloned().or_else(|| rest.first().cloned())
            }
            ("element", [Value::List(l), i]) if !l.is_empty() => {
                let i = usize::try_from(i.as_i64()?).ok()?;
                l.get(i % l.len()).cloned()
            }
            ("coalesce", vals) => vals
                .iter()
                .find(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
                .cloned(),
            ("try", vals) => vals.iter().find(|v| !v.contains_unknown()).cloned(),
            ("join", [Value::String(sep), Value::List(l)]) => {
                let parts: Option<Vec<String>> = l
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.clone()),
                        _ => None,
                    })
                    .collect();
                parts.map(|p| Value::String(p.join(sep)))
            }
            ("split", [Value::String(sep), Value::String(s)]) if !sep.is_empty() => {
                Some(Value::List(s.split(sep.as_str()).map(Value::str).collect()))
            }
            ("contains", [Value::List(l), v]) => Some(Value::Bool(l.contains(v))),
            ("range", bounds) if !bounds.is_empty() && bounds.len() <= 3 => {
                let n: Option<Vec<i64>> = bounds.iter().map(Value::as_i64).collect();
                let (start, end, step) = match n?.as_slice() {
                    [end] => (0, *end, 1),
                    [start, end] => (*start, *end, if end >= start { 1 } else { -1 }),
                    [start, end, step] => (*start, *end, *step),
                    _ => return None,
                };
                if step == 0 {
                    return None;
                }
                let mut out = Vec::new();
                let mut i = start;
                while (step > 0 && i < end) || (step < 0 && i > end) {
                    if out.len() >= MAX_EXPANSION {
                        return None; // Terraform itself caps range at 1024 elements
                    }
                    out.push(number(i as f64));
                    i = i.checked_add(step)?;
                }
                Some(Value::List(out))
            }
            ("keys", [Value::Map(m)]) => Some(Value::List(m.keys().map(Value::str).collect())),
            ("values", [Value::Map(m)]) => Some(Value::List(m.values().cloned().collect())),
            _ => None,
        }
    }
}

fn flatten_into(l: &[Value], out: &mut Vec<Value>, depth: usize) {
    for v in l {
        match v {
            Value::List(inner) if depth < MAX_EVAL_DEPTH => flatten_into(inner, out, depth + 1),
            other => out.push(other.clone()),
        }
    }
}

fn el_start(v: &jsonc_parser::ast::Value<'_>) -> usize {
    use jsonc_parser::ast::Value as J;
    match v {
        J::Object(o) => o.range.start,
        J::Array(a) => a.range.start,
        J::StringLit(s) => s.range.start,
        J::NumberLit(n) => n.range.start,
        J::BooleanLit(b) => b.range.start,
        J::NullKeyword(n) => n.range.start,
    }
}

/// Records the lines of the keys of a JSON document embedded at line `base` (a heredoc policy).
fn locate_json(
    file: &str,
    text: &str,
    v: &jsonc_parser::ast::Value<'_>,
    base: u32,
    path: &SettingPath,
    locs: &mut BTreeMap<SettingPath, Location>,
) {
    use jsonc_parser::ast::Value as J;
    // The heredoc's first content line is the line after `<<EOT`.
    let at = |off: usize| Location {
        file: file.to_string(),
        line: base + line_at(text, off),
    };
    match v {
        J::Object(o) => {
            for p in &o.properties {
                let cp = path.key(p.name.as_str());
                locs.insert(cp.clone(), at(p.range.start));
                locate_json(file, text, &p.value, base, &cp, locs);
            }
        }
        J::Array(a) => {
            for (i, el) in a.elements.iter().enumerate() {
                if matches!(el, J::Object(_)) {
                    let cp = path.index(i);
                    locs.insert(cp.clone(), at(el_start(el)));
                    locate_json(file, text, el, base, &cp, locs);
                }
            }
        }
        _ => {}
    }
}

fn template_literal(t: &Template) -> Option<String> {
    let mut s = String::new();
    for el in t.iter() {
        match el {
            Element::Literal(l) => s.push_str(l.value()),
            _ => return None,
        }
    }
    Some(s)
}

fn source_text(src: Src<'_>, e: &Expression) -> String {
    let raw = e
        .span()
        .and_then(|r| src.text.get(r))
        .unwrap_or("expression")
        .trim();
    // Keep unknowns short and on one line in reports.
    let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 120 {
        let cut: String = one_line.chars().take(117).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

fn traversal_name(e: &Expression) -> Option<String> {
    match e {
        Expression::Variable(v) => Some(v.as_str().to_string()),
        _ => None,
    }
}

fn is_empty_instances(v: &Value) -> bool {
    match v {
        Value::Number(_) | Value::String(_) => v.as_f64() == Some(0.0),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

fn iterate(v: &Value) -> Option<Vec<(Value, Value)>> {
    match v {
        Value::List(l) => Some(
            l.iter()
                .enumerate()
                .map(|(i, v)| (number(i as f64), v.clone()))
                .collect(),
        ),
        Value::Map(m) => Some(
            m.iter()
                .map(|(k, v)| (Value::String(k.clone()), v.clone()))
                .collect(),
        ),
        _ => None,
    }
}

fn index(v: &Value, k: &Value) -> Option<Value> {
    match (v, k) {
        (Value::List(l), k) => l.get(usize::try_from(k.as_i64()?).ok()?).cloned(),
        (Value::Map(m), Value::String(s)) => m.get(s).cloned(),
        _ => None,
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::Number(format!("{}", n as i64))
    } else {
        Value::Number(format!("{n}"))
    }
}

fn binary(op: BinaryOperator, l: &Value, r: &Value) -> Option<Value> {
    use BinaryOperator as B;
    if l.contains_unknown() || r.contains_unknown() {
        return None;
    }
    Some(match op {
        B::Eq => Value::Bool(l == r || (l.as_f64().is_some() && l.as_f64() == r.as_f64())),
        B::NotEq => Value::Bool(!(l == r || (l.as_f64().is_some() && l.as_f64() == r.as_f64()))),
        B::And => Value::Bool(l.as_bool()? && r.as_bool()?),
        B::Or => Value::Bool(l.as_bool()? || r.as_bool()?),
        B::Less => Value::Bool(l.as_f64()? < r.as_f64()?),
        B::LessEq => Value::Bool(l.as_f64()? <= r.as_f64()?),
        B::Greater => Value::Bool(l.as_f64()? > r.as_f64()?),
        B::GreaterEq => Value::Bool(l.as_f64()? >= r.as_f64()?),
        B::Plus => number(l.as_f64()? + r.as_f64()?),
        B::Minus => number(l.as_f64()? - r.as_f64()?),
        B::Mul => number(l.as_f64()? * r.as_f64()?),
        B::Div => {
            let d = r.as_f64()?;
            if d == 0.0 {
                return None;
            }
            number(l.as_f64()? / d)
        }
        B::Mod => {
            let d = r.as_i64()?;
            if d == 0 {
                return None;
            }
            number((l.as_i64()? % d) as f64)
        }
    })
}

/// A string whose content is a JSON object or array is taken as that document (policies written
/// as heredocs or escaped strings); any other string stays a string.
/// Text that is read as a JSON document when it parses: an object, or a list of objects.
fn json_shaped(t: &str) -> bool {
    (t.starts_with('{') && t.ends_with('}')) || (t.starts_with("[{") && t.ends_with(']'))
}

fn maybe_json(s: &str) -> Value {
    let t = s.trim();
    if json_shaped(t) {
        if let Ok(ast) = parse_json(t) {
            return json_ast_value(&ast);
        }
    }
    Value::String(s.to_string())
}

/// The markers of an interpolation not known statically inside a template's text: characters of
/// Unicode's private use area, which neither HCL literals in practice nor JSON syntax use.
const HOLE_OPEN: char = '\u{F8F0}';
const HOLE_CLOSE: char = '\u{F8F1}';

/// A template's text with holes, read as JSON when it is a JSON document whose holes all sit
/// inside string values: each such string is unknown (written with its `${…}`), the rest known.
/// `None` when the text is not JSON that way (a hole as a key, or where a value belongs).
fn json_with_holes(text: &str, holes: &[String]) -> Option<Value> {
    let t = text.trim();
    if !json_shaped(t) {
        return None;
    }
    let ast = parse_json(t).ok()?;
    fn fill(s: &str, holes: &[String]) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(HOLE_OPEN) {
            out.push_str(&rest[..i]);
            let after = &rest[i + HOLE_OPEN.len_utf8()..];
            let Some(j) = after.find(HOLE_CLOSE) else {
                break;
            };
            let n: usize = after[..j].parse().unwrap_or(usize::MAX);
            out.push_str(&format!(
                "${{{}}}",
                holes.get(n).map_or("…", String::as_str)
            ));
            rest = &after[j + HOLE_CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        out
    }
    fn walk(v: &jsonc_parser::ast::Value<'_>, holes: &[String]) -> Option<Value> {
        use jsonc_parser::ast::Value as J;
        Some(match v {
            J::StringLit(s) if s.value.contains(HOLE_OPEN) => {
                Value::Unknown(format!("\"{}\"", fill(&s.value, holes)))
            }
            J::Array(a) => Value::List(
                a.elements
                    .iter()
                    .map(|e| walk(e, holes))
                    .collect::<Option<Vec<_>>>()?,
            ),
            J::Object(o) => {
                let mut m = BTreeMap::new();
                for p in &o.properties {
                    let key = p.name.as_str();
                    if key.contains(HOLE_OPEN) {
                        return None;
                    }
                    m.insert(key.to_string(), walk(&p.value, holes)?);
                }
                Value::Map(m)
            }
            other => json_ast_value(other),
        })
    }
    walk(&ast, holes)
}

fn maybe_json_value(v: Value) -> Value {
    match v {
        Value::String(s) => maybe_json(&s),
        other => other,
    }
}

fn json_ast_value(v: &jsonc_parser::ast::Value<'_>) -> Value {
    use jsonc_parser::ast::Value as J;
    match v {
        J::NullKeyword(_) => Value::Null,
        J::BooleanLit(b) => Value::Bool(b.value),
        J::NumberLit(n) => Value::Number(n.value.to_string()),
        J::StringLit(s) => Value::String(s.value.to_string()),
        J::Array(a) => Value::List(a.elements.iter().map(json_ast_value).collect()),
        J::Object(o) => Value::Map(
            o.properties
                .iter()
                .map(|p| (p.name.as_str().to_string(), json_ast_value(&p.value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_template_with_unknown_interpolations_keeps_what_is_known() {
        let u = unit(&[(
            "m/main.tf",
            "variable \"who\" {}\nresource \"aws_iam_policy\" \"p\" {\n  policy = <<EOT\n{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::${var.who}/*\"}]}\nEOT\n  name = \"n-${var.who}\"\n  description = <<EOT\n{\"a\": ${var.who}}\nEOT\n}\n",
        )]);
        let r = &u.resources["aws_iam_policy.p"];
        let st = r
            .get(&SettingPath::parse("policy.Statement[0]"))
            .expect("the statement is read");
        assert_eq!(
            st.get_path(&SettingPath::parse("Action")),
            Some(&Value::String("s3:GetObject".into()))
        );
        assert_eq!(
            st.get_path(&SettingPath::parse("Resource")),
            Some(&Value::Unknown("\"arn:aws:s3:::${var.who}/*\"".into()))
        );
        // Not JSON, or a hole where a value belongs: unknown as a whole, as before.
        assert!(matches!(r.attr("name"), Some(Value::Unknown(_))));
        assert!(matches!(r.attr("description"), Some(Value::Unknown(_))));
    }

    fn unit(files: &[(&str, &str)]) -> Unit {
        let files: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect();
        parse_unit("m", &files)
    }

    fn evaluate(root: &str, files: &[(&str, &str)]) -> Unit {
        let files: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect();
        parse_unit(root, &files)
    }

    const SITE: &str = "variable \"acl\" {\n  default = \"private\"\n}\n\
        resource \"aws_s3_bucket\" \"this\" {\n  bucket = \"site\"\n}\n\
        resource \"aws_s3_bucket_acl\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n  acl    = var.acl\n}\n\
        output \"bucket\" {\n  value = aws_s3_bucket.this.id\n}\n";

    #[test]
    fn a_module_call_takes_the_callers_argument_located_at_the_caller() {
        let u = evaluate(
            "live",
            &[
                (
                    "live/main.tf",
                    "module \"site\" {\n  source = \"../modules/site\"\n  acl    = \"public-read\"\n}\n",
                ),
                ("modules/site/main.tf", SITE),
            ],
        );
        let acl = &u.resources["module.site.aws_s3_bucket_acl.this"];
        assert_eq!(acl.attr("acl"), Some(&Value::str("public-read")));
        assert_eq!(
            acl.location_of(&SettingPath::parse("acl")),
            Location {
                file: "live/main.tf".into(),
                line: 3
            }
        );
        // References inside the module carry its address, so rules can follow them.
        assert_eq!(
            acl.attr("bucket"),
            Some(&Value::Ref("module.site.aws_s3_bucket.this.id".into()))
        );
        assert_eq!(acl.location.file, "modules/site/main.tf");
        assert_eq!(u.calls, vec!["modules/site".to_string()]);
        assert_eq!(u.reads, vec!["modules/site".to_string()]);
        assert!(u.deploys && u.gaps.is_empty());
    }

    #[test]
    fn a_dynamic_iterator_is_located_where_its_element_was_written() {
        // The private-cluster shape: the module passes its variables through a one-element
        // `for_each` built under a condition; `content` reads them back from the iterator.
        let module = "variable \"private\" {\n  default = true\n}\nvariable \"endpoint\" {\n  default = true\n}\n\
resource \"google_container_cluster\" \"primary\" {\n  dynamic \"private_cluster_config\" {\n    for_each = var.private ? [{\n      endpoint = var.endpoint\n      nodes    = true\n    }] : []\n    content {\n      enable_private_endpoint = private_cluster_config.value.endpoint\n      enable_private_nodes    = private_cluster_config.value.nodes\n      other                   = private_cluster_config.value\n    }\n  }\n}\n";
        let u = evaluate(
            "live",
            &[
                (
                    "live/main.tf",
                    "module \"gke\" {\n  source   = \"../modules/gke\"\n  endpoint = false\n}\n",
                ),
                ("modules/gke/main.tf", module),
            ],
        );
        let c = &u.resources["module.gke.google_container_cluster.primary"];
        let at = |p: &str| c.location_of(&SettingPath::parse(p));
        assert_eq!(
            c.get(&SettingPath::parse(
                "private_cluster_config[0].enable_private_endpoint"
            )),
            Some(&Value::Bool(false))
        );
        // The caller's literal, not the `content` line that reads it.
        assert_eq!(
            at("private_cluster_config[0].enable_private_endpoint"),
            Location {
                file: "live/main.tf".into(),
                line: 3
            }
        );
        // A literal inside the collection is where the collection writes it.
        assert_eq!(
            at("private_cluster_config[0].enable_private_nodes"),
            Location {
                file: "modules/gke/main.tf".into(),
                line: 11
            }
        );
        // The element as a whole: where the element starts.
        assert_eq!(
            at("private_cluster_config[0].other"),
            Location {
                file: "modules/gke/main.tf".into(),
                line: 9
            }
        );
    }

    #[test]
    fn without_an_argument_the_default_holds_and_is_located_there() {
        let u = evaluate(
            "",
            &[
                (
                    "main.tf",
                    "module \"site\" {\n  source = \"./modules/site\"\n}\n",
                ),
                ("modules/site/main.tf", SITE),
            ],
        );
        let acl = &u.resources["module.site.aws_s3_bucket_acl.this"];
        assert_eq!(acl.attr("acl"), Some(&Value::str("private")));
        assert_eq!(
            acl.location_of(&SettingPath::parse("acl")).file,
            "modules/site/main.tf"
        );
    }

    #[test]
    fn for_each_calls_nesting_and_outputs() {
        let net = "variable \"cidr\" {}\n\
            resource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }\n}\n\
            output \"sg\" {\n  value = aws_security_group.web.id\n}\n";
        let env = "variable \"cidr\" {}\n\
            module \"net\" {\n  source = \"../net\"\n  cidr   = var.cidr\n}\n\
            output \"sg\" {\n  value = module.net.sg\n}\n";
        let root = "locals {\n  envs = {\n    prod = \"0.0.0.0/0\"\n    dev  = \"10.0.0.0/8\"\n  }\n}\n\
            module \"env\" {\n  source   = \"./modules/env\"\n  for_each = local.envs\n  cidr     = each.value\n}\n\
            resource \"aws_instance\" \"bastion\" {\n  vpc_security_group_ids = [module.env[\"prod\"].sg]\n}\n";
        let u = evaluate(
            "",
            &[
                ("main.tf", root),
                ("modules/env/main.tf", env),
                ("modules/net/main.tf", net),
            ],
        );
        let prod = &u.resources["module.env[\"prod\"].module.net.aws_security_group.web"];
        let dev = &u.resources["module.env[\"dev\"].module.net.aws_security_group.web"];
        let cidr = SettingPath::parse("ingress[0].cidr_blocks");
        assert_eq!(
            prod.get(&cidr),
            Some(&Value::List(vec![Value::str("0.0.0.0/0")]))
        );
        assert_eq!(
            dev.get(&cidr),
            Some(&Value::List(vec![Value::str("10.0.0.0/8")]))
        );
        // Located at the caller's argument that gave the instance its value.
        assert_eq!(
            prod.location_of(&cidr),
            Location {
                file: "main.tf".into(),
                line: 10
            }
        );
        let bastion = &u.resources["aws_instance.bastion"];
        assert_eq!(
            bastion.attr("vpc_security_group_ids"),
            Some(&Value::List(vec![Value::Ref(
                "module.env[\"prod\"].module.net.aws_security_group.web.id".into()
            )]))
        );
        assert_eq!(
            u.reads,
            vec!["modules/env".to_string(), "modules/net".to_string()]
        );
    }

    #[test]
    fn sources_outside_the_repository_cycles_and_missing_dirs_are_gaps() {
        let u = evaluate(
            "",
            &[
                (
                    "main.tf",
                    "module \"s3\" {\n  source  = \"terraform-aws-modules/s3-bucket/aws\"\n  version = \"4.1.0\"\n}\n\
                     module \"gone\" {\n  source = \"./nowhere\"\n}\n\
                     module \"a\" {\n  source = \"./a\"\n}\n\
                     resource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = module.s3.s3_bucket_id\n}\n",
                ),
                ("a/main.tf", "module \"b\" {\n  source = \"../b\"\n}\n"),
                ("b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n"),
            ],
        );
        let reasons: Vec<&str> = u.gaps.iter().map(|g| g.reason.as_str()).collect();
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("terraform-aws-modules/s3-bucket/aws")
                    && r.contains("4.1.0")
                    && r.contains("undecided")),
            "{reasons:?}"
        );
        assert!(reasons.iter().any(|r| r.contains("nowhere")), "{reasons:?}");
        assert!(
            reasons.iter().any(|r| r.contains("cycle (a → b → a)")),
            "{reasons:?}"
        );
        assert!(u.problems.is_empty());
        // A setting computed from the missing module's output is unknown, never assumed.
        assert!(u.resources["aws_s3_bucket_policy.p"]
            .attr("bucket")
            .is_some_and(Value::is_unknown));
    }

    #[test]
    fn override_files_merge_and_duplicates_are_refused() {
        let u = evaluate(
            "",
            &[
                (
                    "main.tf",
                    "resource \"aws_s3_bucket_acl\" \"a\" {\n  bucket = \"b\"\n  acl    = \"private\"\n}\n",
                ),
                (
                    "z_override.tf",
                    "resource \"aws_s3_bucket_acl\" \"a\" {\n  acl = \"public-read\"\n}\n",
                ),
            ],
        );
        let acl = &u.resources["aws_s3_bucket_acl.a"];
        assert_eq!(acl.attr("acl"), Some(&Value::str("public-read")));
        assert_eq!(acl.attr("bucket"), Some(&Value::str("b")));
        assert_eq!(
            acl.location_of(&SettingPath::parse("acl")),
            Location {
                file: "z_override.tf".into(),
                line: 2
            }
        );
        assert!(u.problems.is_empty(), "{:?}", u.problems);

        let d = evaluate(
            "",
            &[
                ("a.tf", "resource \"aws_s3_bucket\" \"x\" {\n}\n"),
                (
                    "b.tf",
                    "resource \"aws_s3_bucket\" \"x\" {\n}\nvariable \"v\" {}\nvariable \"v\" {}\n",
                ),
                (
                    "override.tf",
                    "resource \"aws_s3_bucket\" \"nothing\" {\n}\n",
                ),
            ],
        );
        let files: Vec<(&str, bool)> = d
            .problems
            .iter()
            .map(|p| (p.file.as_str(), p.reason.contains("Terraform rejects")))
            .collect();
        assert_eq!(
            files,
            vec![("b.tf", true), ("b.tf", true), ("override.tf", true)]
        );
    }

    #[test]
    fn a_registry_module_vendored_by_terraform_init_is_evaluated_from_its_copy() {
        let u = evaluate(
            "live",
            &[
                (
                    "live/main.tf",
                    "module \"site\" {\n  source  = \"example/site/aws\"\n  version = \"1.0.0\"\n  acl     = \"public-read\"\n}\n",
                ),
                (
                    "live/.terraform/modules/modules.json",
                    r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"site","Source":"registry.terraform.io/example/site/aws","Version":"1.0.0","Dir":".terraform/modules/site"}]}"#,
                ),
                ("live/.terraform/modules/site/main.tf", SITE),
            ],
        );
        let acl = &u.resources["module.site.aws_s3_bucket_acl.this"];
        assert_eq!(acl.attr("acl"), Some(&Value::str("public-read")));
        assert_eq!(acl.location.file, "live/.terraform/modules/site/main.tf");
        assert!(u.gaps.is_empty(), "{:?}", u.gaps);
        assert!(u.problems.is_empty(), "{:?}", u.problems);
    }

    #[test]
    fn module_calls_multiplied_through_nesting_stop_at_the_budget() {
        // Ten levels of a thousand instances each: 10^30 instances if nothing stopped it.
        let mut files = vec![(
            "main.tf".to_string(),
            "module \"m\" {\n  source = \"./l1\"\n  count  = 1000\n}\n".to_string(),
        )];
        for i in 1..=10 {
            let body = if i < 10 {
                format!(
                    "module \"m\" {{\n  source = \"../l{}\"\n  count  = 1000\n}}\n",
                    i + 1
                )
            } else {
                "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n".to_string()
            };
            files.push((format!("l{i}/main.tf"), body));
        }
        let files: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .map(|(p, c)| (p, c.into_bytes()))
            .collect();
        let t = std::time::Instant::now();
        let u = parse_unit("", &files);
        assert!(t.elapsed().as_secs() < 60);
        assert!(
            u.gaps
                .iter()
                .any(|g| g.reason.contains("evaluation stopped")),
            "{:?}",
            u.gaps
        );
    }

    #[test]
    fn a_library_module_alone_does_not_claim_to_be_deployed() {
        let u = evaluate("modules/site", &[("modules/site/main.tf", SITE)]);
        assert!(!u.deploys);
        assert!(u.resources.contains_key("aws_s3_bucket_acl.this"));
    }

    #[test]
    fn moved_removed_and_import_blocks_are_read_in_both_syntaxes() {
        let u = unit(&[(
            "m.tf",
            "moved {\n  from = aws_s3_bucket.a\n  to   = aws_s3_bucket.b\n}\n\
             removed {\n  from = aws_security_group.web\n  lifecycle {\n    destroy = false\n  }\n}\n\
             removed {\n  from = aws_instance.old\n}\n\
             import {\n  to = aws_s3_bucket.legacy\n  id = \"legacy\"\n}\n",
        )]);
        assert_eq!(
            u.moved,
            vec![("aws_s3_bucket.a".into(), "aws_s3_bucket.b".into())]
        );
        let removed: Vec<(&str, bool, u32)> = u
            .removed
            .iter()
            .map(|r| (r.address.as_str(), r.destroy, r.location.line))
            .collect();
        assert_eq!(
            removed,
            vec![
                ("aws_security_group.web", false, 5),
                ("aws_instance.old", true, 11)
            ]
        );
        assert_eq!(u.imports, vec!["aws_s3_bucket.legacy".to_string()]);

        let j = unit(&[(
            "m.tf.json",
            r#"{"moved": [{"from": "aws_s3_bucket.a", "to": "aws_s3_bucket.b"}],
                "removed": {"from": "aws_security_group.web", "lifecycle": [{"destroy": false}]},
                "import": [{"to": "aws_s3_bucket.legacy", "id": "legacy"}]}"#,
        )]);
        assert_eq!(j.moved, u.moved);
        assert_eq!(j.removed.len(), 1);
        assert!(!j.removed[0].destroy);
        assert_eq!(j.imports, u.imports);
        // Not an address: ignored, not guessed.
        let bad = unit(&[("m.tf", "import {\n  to = \"${var.x}\"\n  id = \"x\"\n}\n")]);
        assert!(bad.imports.is_empty());
    }

    /// A string built by evaluation is parsed as JSON when it looks like a document (a policy
    /// assembled from locals). Doubling a local builds one nested 10,240 deep from a file whose
    /// own nesting is 10, which the file's depth check cannot see. What keeps jsonc-parser (which
    /// recurses) from overflowing the stack is its own fixed limit of 512 levels; this guards it
    /// across upgrades, since nothing of ours would catch its removal.
    #[test]
    fn json_built_by_evaluation_cannot_overflow_the_stack() {
        let mut src = String::from("locals {\n  a0 = \"[[[[[[[[[[\"\n");
        for i in 1..=10 {
            src.push_str(&format!(
                "  a{i} = \"${{local.a{p}}}${{local.a{p}}}\"\n",
                p = i - 1
            ));
        }
        src.push_str(
            "}\nresource \"aws_iam_policy\" \"p\" {\n  policy = \"{\\\"x\\\": ${local.a10}}\"\n}\n",
        );
        let u = unit(&[("m/main.tf", &src)]);
        assert!(
            u.resources.contains_key("aws_iam_policy.p"),
            "{:?}",
            u.problems
        );
        let deep = format!("{{\"x\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_json(&deep).is_err_and(|e| e.contains("nesting depth")));
    }

    fn get<'u>(u: &'u Unit, addr: &str, path: &str) -> &'u Value {
        u.resources
            .get(addr)
            .unwrap_or_else(|| panic!("no {addr} in {:?}", u.resources.keys()))
            .get(&SettingPath::parse(path))
            .unwrap_or_else(|| panic!("no {path} in {addr}"))
    }

    #[test]
    fn nested_blocks_are_indexed_lists_with_lines() {
        let u = unit(&[(
            "m/main.tf",
            r#"resource "aws_security_group" "web" {
  name = "web"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
        )]);
        assert_eq!(
            get(&u, "aws_security_group.web", "ingress[0].cidr_blocks"),
            &Value::List(vec![Value::str("0.0.0.0/0")])
        );
        assert_eq!(
            get(&u, "aws_security_group.web", "ingress[0].from_port").as_i64(),
            Some(22)
        );
        let r = &u.resources["aws_security_group.web"];
        assert_eq!(
            r.location_of(&SettingPath::parse("ingress[0].cidr_blocks"))
                .line,
            8
        );
        assert_eq!(r.location.line, 1);
    }

    #[test]
    fn variables_tfvars_and_locals_resolve_and_locate_at_their_origin() {
        let main = r#"locals {
  cidrs = [var.admin_cidr]
}
resource "aws_security_group" "a" {
  ingress {
    cidr_blocks = [var.admin_cidr]
  }
  egress {
    cidr_blocks = local.cidrs
  }
}
"#;
        let vars = "variable \"admin_cidr\" {\n  default = \"10.0.0.0/8\"\n}\n";
        let u = unit(&[("m/main.tf", main), ("m/variables.tf", vars)]);
        assert_eq!(
            get(&u, "aws_security_group.a", "ingress[0].cidr_blocks"),
            &Value::List(vec![Value::str("10.0.0.0/8")])
        );
        let r = &u.resources["aws_security_group.a"];
        let loc = r.location_of(&SettingPath::parse("ingress[0].cidr_blocks"));
        assert_eq!((loc.file.as_str(), loc.line), ("m/variables.tf", 2));

        let u = unit(&[
            ("m/main.tf", main),
            ("m/variables.tf", vars),
            ("m/terraform.tfvars", "admin_cidr = \"0.0.0.0/0\"\n"),
        ]);
        assert_eq!(
            get(&u, "aws_security_group.a", "egress[0].cidr_blocks"),
            &Value::List(vec![Value::str("0.0.0.0/0")])
        );
        let r = &u.resources["aws_security_group.a"];
        let loc = r.location_of(&SettingPath::parse("ingress[0].cidr_blocks"));
        assert_eq!((loc.file.as_str(), loc.line), ("m/terraform.tfvars", 1));
    }

    #[test]
    fn variable_without_default_is_unknown_never_a_guess() {
        let u = unit(&[(
            "m/main.tf",
            "variable \"c\" {}\nresource \"aws_security_group\" \"a\" {\n  ingress {\n    cidr_blocks = [var.c]\n  }\n}\n",
        )]);
        let v = get(&u, "aws_security_group.a", "ingress[0].cidr_blocks");
        assert!(v.contains_unknown(), "{v:?}");
    }

    #[test]
    fn jsonencode_and_heredoc_policies_become_documents() {
        let u = unit(&[(
            "m/iam.tf",
            r#"resource "aws_iam_policy" "a" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}
resource "aws_iam_policy" "b" {
  policy = <<EOF
{
  "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
  ]
}
EOF
}
"#,
        )]);
        assert_eq!(
            get(&u, "aws_iam_policy.a", "policy.Statement[0].Action"),
            &Value::str("*")
        );
        let a = &u.resources["aws_iam_policy.a"];
        assert_eq!(
            a.location_of(&SettingPath::parse("policy.Statement[0].Action"))
                .line,
            6
        );
        assert_eq!(
            get(&u, "aws_iam_policy.b", "policy.Statement[0].Action"),
            &Value::str("s3:*")
        );
        let b = &u.resources["aws_iam_policy.b"];
        assert_eq!(
            b.location_of(&SettingPath::parse("policy.Statement[0].Action"))
                .line,
            15
        );
    }

    #[test]
    fn references_stay_symbolic_and_data_sources_are_resources() {
        let u = unit(&[(
            "m/main.tf",
            r#"data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}
resource "aws_s3_bucket_acl" "x" {
  bucket = aws_s3_bucket.b.id
  acl    = "public-read"
}
"#,
        )]);
        assert_eq!(
            get(&u, "aws_iam_policy.p", "policy"),
            &Value::Ref("data.aws_iam_policy_document.d.json".into())
        );
        assert_eq!(
            get(&u, "aws_s3_bucket_acl.x", "bucket"),
            &Value::Ref("aws_s3_bucket.b.id".into())
        );
        assert_eq!(
            u.resources["data.aws_iam_policy_document.d"].kind,
            "data.aws_iam_policy_document"
        );
    }

    #[test]
    fn dynamic_blocks_expand_over_known_collections() {
        let u = unit(&[(
            "m/main.tf",
            r#"variable "ports" { default = [22, 443] }
resource "aws_security_group" "a" {
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
"#,
        )]);
        assert_eq!(
            get(&u, "aws_security_group.a", "ingress[1].from_port").as_i64(),
            Some(443)
        );
        // Over an empty collection there is no block, not an empty list of them.
        let e = unit(&[(
            "m/main.tf",
            "resource \"google_container_cluster\" \"k\" {\n  dynamic \"master_authorized_networks_config\" {\n    for_each = []\n    content {}\n  }\n}\n",
        )]);
        assert_eq!(
            e.resources["google_container_cluster.k"].attr("master_authorized_networks_config"),
            None
        );
    }

    #[test]
    fn count_zero_removes_the_resource_and_conditionals_resolve() {
        let u = unit(&[(
            "m/main.tf",
            r#"variable "on" { default = false }
resource "aws_db_instance" "gone" {
  count = var.on ? 1 : 0
}
resource "aws_db_instance" "here" {
  publicly_accessible = var.on ? false : true
}
"#,
        )]);
        assert!(!u.resources.contains_key("aws_db_instance.gone"));
        assert_eq!(
            get(&u, "aws_db_instance.here", "publicly_accessible"),
            &Value::Bool(true)
        );
    }

    #[test]
    fn tf_json_resources_and_interpolations() {
        let u = unit(&[(
            "m/main.tf.json",
            r#"{
  "variable": {"open": {"default": "0.0.0.0/0"}},
  "resource": {
    "aws_security_group": {
      "j": {
        "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["${var.open}"]}]
      }
    }
  }
}"#,
        )]);
        assert_eq!(
            get(&u, "aws_security_group.j", "ingress[0].cidr_blocks"),
            &Value::List(vec![Value::str("0.0.0.0/0")])
        );
        let r = &u.resources["aws_security_group.j"];
        assert_eq!(r.location_of(&SettingPath::parse("ingress[0]")).line, 6);
    }

    #[test]
    fn for_each_and_count_expand_into_addressed_instances() {
        let u = unit(&[(
            "m/main.tf",
            r#"variable "cidrs" { default = ["10.0.0.0/8", "0.0.0.0/0"] }
resource "aws_security_group_rule" "ssh" {
  for_each    = toset(var.cidrs)
  type        = "ingress"
  cidr_blocks = [each.value]
}
resource "aws_db_instance" "db" {
  count      = 2
  identifier = "db-${count.index}"
}
resource "aws_kms_key" "unknown" {
  for_each    = var.not_declared
  description = each.key
}
"#,
        )]);
        let addrs: Vec<&str> = u.resources.keys().map(String::as_str).collect();
        assert_eq!(
            addrs,
            vec![
                "aws_db_instance.db[0]",
                "aws_db_instance.db[1]",
                "aws_kms_key.unknown",
                "aws_security_group_rule.ssh[\"0.0.0.0/0\"]",
                "aws_security_group_rule.ssh[\"10.0.0.0/8\"]",
            ]
        );
        assert_eq!(
            get(
                &u,
                "aws_security_group_rule.ssh[\"0.0.0.0/0\"]",
                "cidr_blocks"
            ),
            &Value::List(vec![Value::str("0.0.0.0/0")])
        );
        assert_eq!(
            get(&u, "aws_db_instance.db[1]", "identifier"),
            &Value::str("db-1")
        );
        assert!(get(&u, "aws_kms_key.unknown", "description").is_unknown());
    }

    #[test]
    fn exponential_locals_are_bounded_and_unknown() {
        // Each local doubles the previous one: 2^40 elements if nothing stopped it.
        let mut src = String::from("locals {\n  l0 = [\"0.0.0.0/0\", \"::/0\"]\n");
        for i in 1..=40 {
            src.push_str(&format!("  l{i} = [local.l{p}, local.l{p}]\n", p = i - 1));
        }
        src.push_str("}\nresource \"aws_security_group\" \"a\" {\n  ingress {\n    cidr_blocks = flatten(local.l40)\n  }\n}\n");
        let started = std::time::Instant::now();
        let u = unit(&[("m/main.tf", &src)]);
        let v = get(&u, "aws_security_group.a", "ingress[0].cidr_blocks");
        // Never a guess: what was cut off is unknown, and says why; and the value stays bounded.
        assert!(v.contains_unknown(), "value is not marked unknown");
        assert!(weight(v, MAX_VALUE_WEIGHT) <= MAX_VALUE_WEIGHT);
        assert!(format!("{v:?}").contains("larger than the limit"));
        // Generous: the point is that it finishes at all (it would not, unbounded).
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn nested_for_expressions_stop_after_the_step_budget() {
        let src = "locals {\n  big = [for i in range(3000) : [for j in range(3000) : j if false]]\n}\nresource \"aws_kms_key\" \"k\" {\n  description = local.big\n}\n";
        let u = unit(&[("m/main.tf", src)]);
        let d = get(&u, "aws_kms_key.k", "description");
        // Past the budget the rest of the unit is unknown, and says so: a blind spot, not a guess.
        assert!(d.contains_unknown(), "{d:?}");
        let small = "resource \"aws_kms_key\" \"k\" {\n  n = length(range(3, 10, 2))\n}\n";
        let u = unit(&[("m/main.tf", small)]);
        assert_eq!(get(&u, "aws_kms_key.k", "n").as_i64(), Some(4));
    }

    #[test]
    fn unreadable_files_are_problems_not_panics() {
        let files = vec![
            ("m/bad.tf".to_string(), b"resource \"x\" \"y\" {".to_vec()),
            ("m/bin.tf".to_string(), vec![0xff, 0xfe, 0x00]),
            ("m/deep.tf".to_string(), "[".repeat(100_000).into_bytes()),
            (
                "m/ok.tf".to_string(),
                b"resource \"aws_kms_key\" \"k\" {}\n".to_vec(),
            ),
        ];
        let u = parse_unit("m", &files);
        let bad: Vec<&str> = u.problems.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(bad, vec!["m/bad.tf", "m/bin.tf", "m/deep.tf"]);
        assert!(u.resources.contains_key("aws_kms_key.k"));
    }
}
