//! The command line: arguments → a command run → an exit code.
//!
//! Takes the raw arguments (clap derive); runs scan or review through the library; writes the
//! chosen format to stdout or `--output`. Errors here carry context for people (`anyhow`); the
//! binary maps them to exit code 2.

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
    /// A pull-request comment (review).
    Markdown,
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
        out: Output,
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
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Scan {
            repo,
            reference,
            fail_on,
            out,
        } => {
            let mut r = Repo::open(&repo)?;
            let result = crate::scan::scan(&mut r, &reference)?;
            // Suppressions are evidence in a scan: recorded acceptances, added as new fields.
            let accepted = crate::acceptance::acceptances(&r, &result);
            let text = match out.format {
                Format::Json => {
                    let mut j = report::json::scan_report(&result);
                    report::acceptance::annotate_json(&mut j, &result, &accepted);
                    report::json::render(&j)
                }
                Format::Text => {
                    report::text::scan_report(&result)
                        + &report::acceptance::text_section(&result, &accepted)
                }
                Format::Markdown | Format::Sarif => anyhow::bail!(
                    "--format {} is not available for scan; use text or json",
                    out.format
                        .to_possible_value()
                        .map(|v| v.get_name().to_string())
                        .unwrap_or_default()
                ),
            };
            emit(&out, &text)?;
            let failing = fail_on.is_some_and(|t| {
                result.windows.iter().any(|w| {
                    w.closed.is_none()
                        && crate::rules::find(result.rules, w.rule)
                            .is_some_and(|r| r.meta.severity >= t)
                })
            });
            Ok(if failing {
                exit_codes::FINDINGS
            } else {
                exit_codes::CLEAN
            })
        }
        Command::Review {
            range,
            repo,
            fail_on,
            out,
        } => {
            let mut r = Repo::open(&repo)?;
            let result = crate::review::review(&mut r, &range)?;
            let text = match out.format {
                Format::Json => report::json::render(&report::review::json(&result, fail_on)),
                Format::Text => report::review::text(&result, fail_on),
                Format::Markdown => report::review_markdown::markdown(&result, fail_on),
                Format::Sarif => report::json::render(&report::review::sarif(&result)),
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
            out,
        } => {
            let result = crate::check::check_all(&paths, crate::rules::registry())?;
            let text = match out.format {
                Format::Json => report::json::render(&report::check::json(&result, fail_on)),
                Format::Text => report::check::text(&result, fail_on),
                Format::Sarif => report::json::render(&report::check::sarif(&result)),
                Format::Markdown => {
                    anyhow::bail!(
                        "--format markdown is not available for check; use text, json or sarif"
                    )
                }
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
    }
}

/// The clap definition, for generated completions and man page.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command()
}

fn emit_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    emit(
        &Output {
            format: Format::Text,
            output: None,
        },
        &String::from_utf8_lossy(bytes),
    )
}

fn emit(out: &Output, text: &str) -> anyhow::Result<()> {
    match &out.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("cannot write {path}")),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                // A closed pipe (`| head`) is the reader's choice, not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("cannot write to stdout"),
            }
        }
    }
}
