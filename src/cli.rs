//! The command line: arguments → a command run → an exit code.
//!
//! Takes the raw arguments (clap derive); runs scan or review through the library; writes the
//! chosen format to stdout or `--output`. Errors here carry context for people (`anyhow`); the
//! binary maps them to exit code 2.

use crate::analysis::investigation::{investigate, parse_instant, Instant, Investigation, Options};
use crate::exit_codes;
use crate::history::Repo;
use crate::report;
use crate::rules::Severity;
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;

#[derive(Debug, Parser)]
#[command(
    name = "configtrail",
    version,
    about = "Which security settings of an IaC repository became permissive, through which commits, for how long, and who is responsible.",
    after_help = "Exit codes: 0 done, nothing at or above the threshold (suppressed findings never count); 1 findings at or above it; 2 bad input or usage."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// A report an expert can attach (scan), or a pull-request comment (review).
    Markdown,
    /// One self-contained page with the timeline and the causal graph drawn (scan).
    Html,
    /// The causal graph as Graphviz (scan).
    Dot,
    /// SARIF 2.1.0 for code scanning (review, check).
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct Output {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every exposure window in the history of a ref, with causes, remediations and blind spots.
    Scan {
        /// A work tree or bare repository.
        #[arg(default_value = ".")]
        repo: String,
        /// The branch under investigation: the history of what was deployed.
        #[arg(long = "ref", default_value = "HEAD", value_name = "REF")]
        reference: String,
        /// Exit 1 when a window at or above this severity is open at the tip (default: never).
        #[arg(long, value_enum, value_name = "SEVERITY")]
        fail_on: Option<Severity>,
        #[command(flatten)]
        investigation: InvestigationArgs,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        terraform: TerraformArgs,
        #[command(flatten)]
        redaction: RedactArgs,
        #[command(flatten)]
        out: Output,
    },
    /// Every change to one resource's settings over time, with who and when (blame for settings).
    History {
        /// The resource address, e.g. aws_security_group.web (its instances match too).
        address: String,
        /// A work tree or bare repository.
        #[arg(default_value = ".")]
        repo: String,
        /// The branch under investigation.
        #[arg(long = "ref", default_value = "HEAD", value_name = "REF")]
        reference: String,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        terraform: TerraformArgs,
        #[command(flatten)]
        redaction: RedactArgs,
        #[command(flatten)]
        out: Output,
    },
    /// Recomputes a JSON scan report from the inputs it records; exit 0 if it matches, 1 if not.
    Verify {
        /// A report written by `scan --format json`.
        report: String,
        /// The repository (default: the path the report records).
        repo: Option<String>,
        /// The parties file (default: the path the report records).
        #[arg(long, value_name = "FILE")]
        parties: Option<String>,
        /// The deploy log (default: the path the report records).
        #[arg(long, value_name = "FILE")]
        deploys: Option<String>,
        /// The key the report's fingerprints were made under, when it records one.
        #[arg(long, value_name = "FILE")]
        fingerprint_key: Option<String>,
    },
    /// What BASE..HEAD introduces, widens and fixes, each attributed to the commit that did it.
    Review {
        /// BASE..HEAD, for example main..feature.
        range: String,
        /// A work tree or bare repository.
        #[arg(default_value = ".")]
        repo: String,
        /// Exit 1 when something at or above this severity is introduced or widened.
        #[arg(long, value_enum, default_value_t = Severity::High, value_name = "SEVERITY")]
        fail_on: Severity,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        terraform: TerraformArgs,
        #[command(flatten)]
        redaction: RedactArgs,
        #[command(flatten)]
        out: Output,
    },
    /// The rules on files as they are now, with no history: a directory (a repository or not) or
    /// one file. For pre-commit hooks and editors.
    Check {
        /// Directories or files (default: the current directory). Several may be given, as a
        /// pre-commit hook does with the staged files.
        #[arg(default_value = ".")]
        paths: Vec<String>,
        /// Exit 1 when an unsuppressed finding at or above this severity is found.
        #[arg(long, value_enum, default_value_t = Severity::High, value_name = "SEVERITY")]
        fail_on: Severity,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        terraform: TerraformArgs,
        #[command(flatten)]
        redaction: RedactArgs,
        #[command(flatten)]
        out: Output,
    },
    /// Shell completions, generated from this command line's definition.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The man page (roff), generated from this command line's definition.
    Man,
    /// The rule catalogue: list, show one rule, run a pack's own cases, write docs/rules.md.
    Rules {
        #[command(subcommand)]
        command: crate::analysis::catalogue::RulesCommand,
    },
}

/// The options that frame a scan as an investigation.
#[derive(Debug, Clone, clap::Args)]
pub struct InvestigationArgs {
    /// Keep the windows open at this instant (the incident): RFC 3339, or a date (midnight UTC).
    #[arg(long, value_name = "TIME", value_parser = instant)]
    pub at: Option<Instant>,
    /// Leave out windows that closed before this time.
    #[arg(long, value_name = "TIME", value_parser = instant)]
    pub since: Option<Instant>,
    /// End the analysis here: later landings are not read, open windows are measured to it.
    #[arg(long, value_name = "TIME", value_parser = instant)]
    pub until: Option<Instant>,
    /// Only this resource address (and its for_each/count instances).
    #[arg(long, value_name = "ADDRESS")]
    pub resource: Option<String>,
    /// Only windows of rules at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// The contractual parties and responsibility matrix (YAML, see DESIGN.md).
    #[arg(long, value_name = "FILE")]
    pub parties: Option<String>,
    /// A deploy log (CSV: commit,deployed_at,environment): windows are also measured live.
    #[arg(long, value_name = "FILE")]
    pub deploys: Option<String>,
    /// The deploy log's environment to measure (default: its only one, else production).
    #[arg(long, value_name = "NAME", requires = "deploys")]
    pub environment: Option<String>,
}

/// How secrets are kept out of the report.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RedactArgs {
    /// Print secrets as they are written, for the investigator's own machine only; off by
    /// default, and recorded in the report's inputs.
    #[arg(long)]
    pub show_secrets: bool,
    /// A key file the investigator keeps: each redacted secret gets a fingerprint under it
    /// (HMAC-SHA-256, 8 bytes), so two reports can be matched on a secret. The key is never
    /// written; the report records that one was used.
    #[arg(long, value_name = "FILE")]
    pub fingerprint_key: Option<String>,
}

impl RedactArgs {
    pub fn options(self) -> anyhow::Result<crate::redact::Options> {
        let key =
            match &self.fingerprint_key {
                Some(f) => Some(std::fs::read(f).map_err(|e| {
                    UsageError(format!("--fingerprint-key {f}: cannot be read: {e}"))
                })?),
                None => None,
            };
        Ok(crate::redact::Options {
            show: self.show_secrets,
            key,
        })
    }
}

/// How Terraform roots are evaluated, beyond what the repository says.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TerraformArgs {
    /// A Terraform directory to evaluate as a root even though another directory calls it as a
    /// module (repeatable). Repository-relative (for check: relative to the path checked).
    #[arg(long = "root", value_name = "DIR")]
    pub roots: Vec<String>,
    /// A variables file applied to every root after its terraform.tfvars and *.auto.tfvars, as
    /// `terraform -var-file` does (repeatable, in order). Repository-relative, read at every
    /// landing, so its own history counts (for check: relative to the path checked).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<String>,
}

impl TerraformArgs {
    pub fn options(self) -> crate::formats::terraform::modules::RootOptions {
        let clean = |p: String| p.trim_start_matches("./").trim_end_matches('/').to_string();
        crate::formats::terraform::modules::RootOptions {
            roots: self.roots.into_iter().map(clean).collect(),
            var_files: self.var_files.into_iter().map(clean).collect(),
        }
    }
}

/// How much of one file a run reads (see `limits`): each default is documented in the README,
/// and a file past one is a blind spot naming the option that raises it.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct LimitArgs {
    /// Largest IaC file read, in bytes [default: 8388608 (8 MiB)].
    #[arg(long, value_name = "BYTES")]
    pub max_file_bytes: Option<usize>,
    /// Deepest nesting read (HCL and JSON brackets, YAML collections) [default: 128; at most 500].
    #[arg(long, value_name = "LEVELS", value_parser = clap::value_parser!(u16).range(1..=crate::limits::MAX_DEPTH_CEILING as i64))]
    pub max_depth: Option<u16>,
    /// Most nodes one YAML or JSON file may expand to, aliases included [default: 500000].
    #[arg(long, value_name = "NODES")]
    pub max_yaml_nodes: Option<usize>,
    /// Read a squash landing through the pull request it landed, when the repository keeps the
    /// pull request's head (`refs/pull/N/head`, as a mirror clone of GitHub does) and commits of
    /// another person in it changed the files the squash landed: causes then name those commits.
    #[arg(long)]
    pub pull_refs: bool,
}

impl LimitArgs {
    pub fn limits(self) -> crate::limits::Limits {
        let d = crate::limits::Limits::default();
        crate::limits::Limits {
            max_file_bytes: self.max_file_bytes.unwrap_or(d.max_file_bytes),
            max_depth: self.max_depth.map_or(d.max_depth, usize::from),
            max_yaml_nodes: self.max_yaml_nodes.unwrap_or(d.max_yaml_nodes),
            pull_refs: self.pull_refs,
        }
    }
}

impl InvestigationArgs {
    pub fn options(
        self,
        limits: crate::limits::Limits,
        terraform: crate::formats::terraform::modules::RootOptions,
        redaction: crate::redact::Options,
    ) -> Options {
        Options {
            limits,
            terraform,
            redaction,
            at: self.at,
            since: self.since,
            until: self.until,
            resource: self.resource,
            min_severity: self.min_severity,
            parties: self.parties,
            deploys: self.deploys,
            environment: self.environment,
            excerpts: false,
        }
    }
}

fn instant(s: &str) -> Result<Instant, String> {
    parse_instant(s)
}

/// Renders a scan investigation in the chosen format.
pub fn render_scan(inv: &Investigation, format: Format) -> Result<String, UsageError> {
    Ok(match format {
        Format::Json => report::json::render_scan(inv).0,
        Format::Text => report::text::scan_report(inv),
        Format::Markdown => report::markdown::scan_report(inv),
        Format::Html => report::html::scan_report(inv),
        Format::Dot => report::dot::render(inv),
        Format::Sarif => return Err(unsupported("scan", format)),
    })
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Scan {
            repo,
            reference,
            fail_on,
            investigation,
            limits,
            terraform,
            redaction,
            out,
        } => {
            let mut r = Repo::open(&repo)?;
            let mut options =
                investigation.options(limits.limits(), terraform.options(), redaction.options()?);
            options.excerpts = matches!(out.format, Format::Markdown | Format::Html);
            let inv = investigate(&mut r, &reference, None, options)?;
            if out.format == Format::Json {
                emit_with(&out, &mut |w| report::json::write_scan(&inv, w).map(drop))?;
            } else {
                emit(&out, &render_scan(&inv, out.format)?)?;
            }
            let failing = fail_on.is_some_and(|t| {
                inv.windows.iter().any(|&i| {
                    let w = &inv.scan.windows[i];
                    w.closed.is_none()
                        && crate::rules::find(inv.scan.rules, w.rule)
                            .is_some_and(|r| r.meta.severity >= t)
                })
            });
            Ok(if failing {
                exit_codes::FINDINGS
            } else {
                exit_codes::CLEAN
            })
        }
        Command::History {
            address,
            repo,
            reference,
            limits,
            terraform,
            redaction,
            out,
        } => {
            let mut r = Repo::open(&repo)?;
            r.limits = limits.limits();
            r.terraform = terraform.options();
            let result = crate::analysis::resource_history::history(
                &mut r,
                &reference,
                &address,
                redaction.options()?,
            )?;
            let text = match out.format {
                Format::Json => report::json::render(&report::history::json(&result, &address)),
                Format::Text => report::history::text(&result, &address),
                other => return Err(unsupported("history", other).into()),
            };
            emit(&out, &text)?;
            Ok(exit_codes::CLEAN)
        }
        Command::Verify {
            report: file,
            repo,
            parties,
            deploys,
            fingerprint_key,
        } => {
            let key = RedactArgs {
                show_secrets: false,
                fingerprint_key,
            }
            .options()?
            .key;
            let v = crate::report::verify::verify(&file, repo.as_deref(), parties, deploys, key)?;
            let mut stdout = std::io::stdout().lock();
            if v.differences.is_empty() {
                let _ = writeln!(
                    stdout,
                    "verified: {file} matches a recomputation from its recorded inputs ({})",
                    v.digest
                );
                Ok(exit_codes::CLEAN)
            } else {
                let _ = writeln!(
                    stdout,
                    "NOT verified: {file} differs from a recomputation from its recorded inputs:"
                );
                for d in &v.differences {
                    let _ = writeln!(stdout, "  {d}");
                }
                Ok(exit_codes::FINDINGS)
            }
        }
        Command::Review {
            range,
            repo,
            fail_on,
            limits,
            terraform,
            redaction,
            out,
        } => {
            let mut r = Repo::open(&repo)?;
            r.limits = limits.limits();
            r.terraform = terraform.options();
            let result = crate::analysis::review::review(&mut r, &range, redaction.options()?)?;
            let text = match out.format {
                Format::Json => report::json::render(&report::review::json(&result, fail_on)),
                Format::Text => report::review::text(&result, fail_on),
                Format::Markdown => report::review_markdown::markdown(&result, fail_on),
                Format::Sarif => report::json::render(&report::review::sarif(&result)),
                other => return Err(unsupported("review", other).into()),
            };
            emit(&out, &text)?;
            Ok(if result.fails(fail_on) {
                exit_codes::FINDINGS
            } else {
                exit_codes::CLEAN
            })
        }
        Command::Check {
            paths,
            fail_on,
            limits,
            terraform,
            redaction,
            out,
        } => {
            let result = crate::analysis::check::check_all(
                &paths,
                crate::rules::registry(),
                &limits.limits(),
                &terraform.options(),
                &redaction.options()?,
            )?;
            let text = match out.format {
                Format::Json => report::json::render(&report::check::json(&result, fail_on)),
                Format::Text => report::check::text(&result, fail_on),
                Format::Sarif => report::json::render(&report::check::sarif(&result)),
                other => return Err(unsupported("check", other).into()),
            };
            emit(&out, &text)?;
            Ok(if result.fails(fail_on) {
                exit_codes::FINDINGS
            } else {
                exit_codes::CLEAN
            })
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut command(), "configtrail", &mut buf);
            emit_bytes(&buf)?;
            Ok(exit_codes::CLEAN)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(command())
                .render(&mut buf)
                .context("cannot render the man page")?;
            emit_bytes(&buf)?;
            Ok(exit_codes::CLEAN)
        }
        Command::Rules { command } => run_rules(&command),
    }
}

/// `rules …`: the catalogue module does the work.
fn run_rules(command: &crate::analysis::catalogue::RulesCommand) -> anyhow::Result<i32> {
    let (text, code) = crate::analysis::catalogue::run(command)?;
    crate::analysis::catalogue::print(&text).context("cannot write to stdout")?;
    Ok(code)
}

/// The clap definition, for generated completions and man page.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command()
}

fn emit_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let stdout = Output {
        format: Format::Text,
        output: None,
    };
    emit_with(&stdout, &mut |w| w.write_all(bytes))
}

/// Writes what `write` writes to the output (the file given, else stdout), then flushes it; the
/// scan's JSON is written this way piece by piece. A closed pipe is not an error.
fn emit_with(
    out: &Output,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut write = |w: &mut dyn Write| -> std::io::Result<()> {
        write(w)?;
        w.flush()
    };
    match &out.output {
        Some(path) => std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .and_then(|mut f| write(&mut f))
            .with_context(|| format!("cannot write {path}")),
        None => match write(&mut std::io::BufWriter::new(std::io::stdout().lock())) {
            // A closed pipe (`| head`) is the reader's choice, not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => r.context("cannot write to stdout"),
        },
    }
}

fn emit(out: &Output, text: &str) -> anyhow::Result<()> {
    emit_with(out, &mut |w| w.write_all(text.as_bytes()))
}

fn unsupported(command: &str, f: Format) -> UsageError {
    let supported = match command {
        "scan" => "text, json, markdown, html or dot",
        "review" => "text, json, markdown or sarif",
        "check" => "text, json or sarif",
        _ => "text or json",
    };
    UsageError(format!(
        "{command} does not write --format {}: use {supported}",
        f.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    ))
}

/// A usage mistake found after parsing (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
