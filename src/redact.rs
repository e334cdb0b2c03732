//! Redaction: the secrets a history holds → reports that never repeat them.
//!
//! Takes the values a scan or a check is about to report (setting changes, findings, blind
//! spots, diff excerpts); gives them back with every secret replaced by a marker that says what
//! it was and how long: `(redacted: AWS access key id, 20 characters)`. A forensic report is
//! handed to the other side of a dispute, so it must not become a second leak.
//!
//! A value is a secret when the setting that holds it is named like one (`password`,
//! `secret_key`, `token`, a Kubernetes `Secret`'s `data`, an environment variable named
//! `DB_PASSWORD`), when a rule about written secrets fired on it, or when it has the shape of a
//! known credential (an AWS access key id, a private key block, a GitHub, Slack, Stripe or Google
//! API token) wherever it is. The secrets found are collected first, then every string a report
//! writes is searched for each of them: a secret quoted inside a longer string (a connection
//! string, a policy, an expression's text, a neighbouring line of a diff excerpt) is caught too.
//! A hash of a short password can be reversed by guessing, so nothing of the value is kept: only
//! its kind and length.

use crate::model::{Segment, SettingPath, Value};
use std::collections::BTreeMap;

/// Setting names whose values are secrets (compared without case).
const SENSITIVE: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "private_key_pem",
    "credentials",
    "connection_string",
    "primary_access_key",
    "secondary_access_key",
    "shared_key",
    "sas_token",
    "client_key",
    "key_material",
    "access_key",
    "secret_key",
    "secret_access_key",
    "client_secret",
    "master_password",
    "admin_password",
];

/// Is a setting (or environment variable) of this name a secret?
pub fn sensitive_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    SENSITIVE.contains(&n.as_str())
        || [
            "_password",
            "_passwd",
            "_secret",
            "_token",
            "_secret_key",
            "_api_key",
            "_private_key",
        ]
        .iter()
        .any(|s| n.ends_with(s))
}

/// Rules whose evidence is itself a secret written in the code.
const SECRET_RULES: &[&str] = &[
    "aws-access-key-literal",
    "aws-db-password-literal",
    "aws-provider-credentials-literal",
    "azure-provider-credentials-literal",
    "gcp-provider-credentials-literal",
    "k8s-secret-literal-env",
];

/// Does a finding of this rule rest on a secret value?
pub fn is_secret_rule(rule: &str) -> bool {
    SECRET_RULES.contains(&rule)
}

/// Secrets shorter than this are replaced only where they are a whole value (and on assignment
/// lines of excerpts): a password `mysql` replaced inside every string would also blank out the
/// container called `mysql` (seen on kubernetes/examples), and one that short is guessed anyway.
const MIN_SUBSTRING: usize = 8;

/// How a run redacts: by default a marker of kind and length. `--fingerprint-key FILE` adds a
/// keyed fingerprint (HMAC-SHA-256 under the investigator's key, 8 bytes in hex), so two reports
/// can be matched on a secret without either holding it; the key itself is never written.
/// `--show-secrets`, for the investigator's own machine, turns redaction off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub show: bool,
    pub key: Option<Vec<u8>>,
}

/// The secrets found so far, each with its kind.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: BTreeMap<String, &'static str>,
    options: Options,
}

impl Redactor {
    pub fn with(options: Options) -> Redactor {
        Redactor {
            secrets: BTreeMap::new(),
            options,
        }
    }

    /// The marker for `secret` under this run's options.
    fn mark(&self, kind: &str, secret: &str) -> String {
        match &self.options.key {
            Some(key) => {
                let mac = hmac_sha256(key, secret.as_bytes());
                let hex: String = mac[..8].iter().map(|b| format!("{b:02x}")).collect();
                format!(
                    "(redacted: {kind}, {} characters, fingerprint {hex})",
                    secret.chars().count()
                )
            }
            None => marker(kind, secret),
        }
    }

    /// How this run redacts.
    pub fn options(&self) -> &Options {
        &self.options
    }

    fn note(&mut self, s: &str, kind: &'static str) {
        let s = s.trim();
        if !s.is_empty() && !s.starts_with("(redacted: ") {
            self.secrets.entry(s.to_string()).or_insert(kind);
        }
    }

    /// Notes the secrets in a setting's value: all of it when the setting is sensitive (by
    /// its path, its resource, or the rule that fired on it), and credential-shaped strings
    /// and sensitive keys inside it anyway.
    pub fn note_setting(&mut self, address: &str, path: &SettingPath, v: &Value, secret: bool) {
        let keys: Vec<&str> = path
            .0
            .iter()
            .filter_map(|s| match s {
                Segment::Key(k) => Some(k.as_str()),
                Segment::Index(_) => None,
            })
            .collect();
        // A Kubernetes Secret's data and stringData are secrets, all of them.
        let k8s_secret = address.starts_with("Secret/")
            && matches!(keys.first(), Some(&("data" | "stringData")));
        let named = keys.last().is_some_and(|k| sensitive_name(k));
        self.note_value(v, secret || named || k8s_secret, 0);
    }

    fn note_value(&mut self, v: &Value, secret: bool, depth: usize) {
        if depth > 64 {
            return;
        }
        match v {
            Value::String(s) => {
                if secret {
                    self.note(s, "secret value");
                }
                for (m, kind) in credentials_in(s) {
                    self.note(&m, kind);
                }
            }
            Value::Number(n) if secret => self.note(n, "secret value"),
            Value::List(l) => l.iter().for_each(|x| self.note_value(x, secret, depth + 1)),
            Value::Map(m) => {
                // An environment entry `{name: DB_PASSWORD, value: …}`.
                let env_secret = m
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(sensitive_name);
                for (k, x) in m {
                    let s = secret || sensitive_name(k) || (env_secret && k == "value");
                    self.note_value(x, s, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// `s` with every known secret and every credential-shaped string replaced by its marker.
    pub fn redact_str(&self, s: &str) -> String {
        if self.options.show {
            return s.to_string();
        }
        if let Some(kind) = self.secrets.get(s.trim()) {
            return self.mark(kind, s.trim());
        }
        let mut out = s.to_string();
        // Longest first, so a secret that contains another is replaced whole.
        let mut known: Vec<(&String, &&str)> = self
            .secrets
            .iter()
            .filter(|(k, _)| k.chars().count() >= MIN_SUBSTRING)
            .collect();
        known.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        for (secret, kind) in known {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), &self.mark(kind, secret));
            }
        }
        for (m, kind) in credentials_in(&out) {
            out = out.replace(&m, &self.mark(kind, &m));
        }
        out
    }

    /// Text read from files (a diff excerpt): [`Self::redact_str`], and on each line an
    /// assignment to a sensitive name (`password = "…"`, `DB_PASSWORD: …`) loses its value,
    /// whether or not the scan evaluated it (it may sit in a heredoc or a template).
    pub fn redact_text(&self, text: &str) -> String {
        if self.options.show {
            return text.to_string();
        }
        let out = self.redact_str(text);
        out.lines()
            .map(|line| redact_assignment(line).unwrap_or_else(|| line.to_string()))
            .collect::<Vec<_>>()
            .join("\n")
            + if out.ends_with('\n') { "\n" } else { "" }
    }

    /// A value with its secrets redacted (see [`Self::redact_str`]).
    pub fn redact_value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.redact_str(s)),
            Value::Number(n) if !self.options.show && self.secrets.contains_key(n.as_str()) => {
                Value::String(self.mark("secret value", n))
            }
            Value::Unknown(s) => Value::Unknown(self.redact_str(s)),
            Value::Ref(s) => Value::Ref(self.redact_str(s)),
            Value::List(l) => Value::List(l.iter().map(|x| self.redact_value(x)).collect()),
            Value::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, x)| (k.clone(), self.redact_value(x)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// `name = "value"`, `name: value` or `"name": "value"` with a sensitive name: the line with
/// the value replaced by its marker; `None` for any other line.
fn redact_assignment(line: &str) -> Option<String> {
    let (i, sep) = line.char_indices().find(|(_, c)| *c == '=' || *c == ':')?;
    let name = line[..i]
        .trim()
        .trim_start_matches(['-', '+', ' ', '|'])
        .trim()
        .trim_matches(['"', '\'']);
    let name = name.rsplit([' ', '\t']).next().unwrap_or(name);
    if !sensitive_name(name) {
        return None;
    }
    let value = line[i + sep.len_utf8()..].trim();
    let bare = value.trim_end_matches(',').trim_matches(['"', '\'']);
    // References and expressions are not secrets themselves: `password = var.db_password`.
    if bare.is_empty()
        || bare.starts_with("var.")
        || bare.starts_with("local.")
        || bare.starts_with("data.")
        || bare.starts_with("${")
        || bare.starts_with("(redacted: ")
        || bare.contains('(')
        || bare == "{"
        || bare == "["
    {
        return None;
    }
    Some(format!(
        "{}{}",
        &line[..i + sep.len_utf8()],
        format_args!(" \"{}\"", marker("secret value", bare))
    ))
}

/// HMAC-SHA-256 (RFC 2104) of `msg` under `key`.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut k = if key.len() > 64 {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(64, 0);
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// What a report writes in a secret's place: its kind and length, nothing of the value.
pub fn marker(kind: &str, secret: &str) -> String {
    format!("(redacted: {kind}, {} characters)", secret.chars().count())
}

/// Credential-shaped strings in `s`, with their kinds: found wherever they are, whatever the
/// setting is called.
pub fn credentials_in(s: &str) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for id in crate::rules::aws::access_keys::access_key_ids(s) {
        out.push((id, "AWS access key id"));
    }
    // PEM private keys, whole blocks (or to the end, when cut).
    let mut rest = s;
    while let Some(i) = rest.find("-----BEGIN ") {
        let block = &rest[i..];
        let head_end = block[11..].find("-----").map(|j| j + 16);
        let is_private = head_end.is_some_and(|e| block[..e].contains("PRIVATE KEY"));
        if !is_private {
            rest = &block[11..];
            continue;
        }
        let end = block
            .find("-----END ")
            .and_then(|j| block[j + 9..].find("-----").map(|k| j + 9 + k + 5))
            .unwrap_or(block.len());
        out.push((block[..end].to_string(), "private key"));
        rest = &block[end..];
    }
    for (prefix, min, kind) in [
        ("ghp_", 30, "GitHub token"),
        ("gho_", 30, "GitHub token"),
        ("ghs_", 30, "GitHub token"),
        ("ghu_", 30, "GitHub token"),
        ("github_pat_", 40, "GitHub token"),
        ("xoxb-", 20, "Slack token"),
        ("xoxp-", 20, "Slack token"),
        ("xoxa-", 20, "Slack token"),
        ("sk_live_", 20, "Stripe key"),
        ("AIza", 39, "Google API key"),
    ] {
        let mut from = 0;
        while let Some(i) = s[from..].find(prefix) {
            let start = from + i;
            let len = s[start..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
                .count();
            if len >= min {
                out.push((s[start..start + len].to_string(), kind));
            }
            from = start + prefix.len();
        }
    }
    // A password in a URL's user information (`git::https://user:TOKEN@host/…`, a module
    // source; `postgres://app:PASS@db/…`, a connection string).
    let mut from = 0;
    while let Some(i) = s[from..].find("://") {
        let start = from + i + 3;
        let authority = s[start..]
            .split(['/', '?', '#', ' ', '"', '\'', '\n'])
            .next()
            .unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            if let Some((_, pass)) = userinfo.split_once(':') {
                if !pass.is_empty() {
                    out.push((pass.to_string(), "password in a URL"));
                }
            }
        }
        from = start;
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_settings_and_credential_shapes_are_redacted_everywhere() {
        let mut r = Redactor::default();
        r.note_setting(
            "aws_db_instance.db",
            &SettingPath::parse("password"),
            &Value::str("Aa1234321Bb"),
            false,
        );
        r.note_setting(
            "aws_instance.x",
            &SettingPath::parse("user_data"),
            &Value::str("export KEY=AKIA2E0A8F3B244C9986"),
            false,
        );
        let mut env = BTreeMap::new();
        env.insert("name".to_string(), Value::str("DB_PASSWORD"));
        env.insert("value".to_string(), Value::str("hunter2hunter2"));
        r.note_setting(
            "Deployment/shop/api",
            &SettingPath::parse("spec.template.spec.containers[0].env[0]"),
            &Value::Map(env),
            false,
        );
        let text = "password = \"Aa1234321Bb\"; AKIA2E0A8F3B244C9986 and hunter2hunter2";
        let out = r.redact_str(text);
        for s in ["Aa1234321Bb", "AKIA2E0A8F3B244C9986", "hunter2hunter2"] {
            assert!(!out.contains(s), "{out}");
        }
        assert!(
            out.contains("(redacted: secret value, 11 characters)"),
            "{out}"
        );
        assert!(
            out.contains("(redacted: AWS access key id, 20 characters)"),
            "{out}"
        );
        // A name that is not a secret keeps its value.
        assert_eq!(r.redact_str("10.0.0.0/8"), "10.0.0.0/8");
    }

    #[test]
    fn private_keys_and_tokens_are_found_by_shape() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----";
        let found = credentials_in(&format!(
            "x {pem} y ghp_abcdefghijklmnopqrstuvwxyz0123456789"
        ));
        let kinds: Vec<&str> = found.iter().map(|(_, k)| *k).collect();
        assert!(
            kinds.contains(&"private key") && kinds.contains(&"GitHub token"),
            "{found:?}"
        );
        assert!(found.iter().any(|(m, _)| m == pem));
        let url = credentials_in("source = \"git::https://deploy:s3cr3tT0ken@git.example/m.git\"");
        assert_eq!(url, vec![("s3cr3tT0ken".to_string(), "password in a URL")]);
        assert!(credentials_in("https://git.example/m.git?ref=v1").is_empty());
        // A public certificate is not a secret.
        assert!(
            credentials_in("-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----")
                .is_empty()
        );
    }

    #[test]
    fn assignments_to_secret_names_lose_their_values_in_excerpts() {
        let r = Redactor::default();
        let text = "   12 +  password = \"s3cr3tvalue\"\n   13    name     = \"db\"\n   14 +  DB_PASSWORD: hunter2\n   15    password = var.db_password\n";
        let out = r.redact_text(text);
        assert!(
            !out.contains("s3cr3tvalue") && !out.contains("hunter2"),
            "{out}"
        );
        assert!(
            out.contains("name     = \"db\"") && out.contains("var.db_password"),
            "{out}"
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_and_fingerprints_need_the_key() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mut r = Redactor::with(Options {
            show: false,
            key: Some(b"investigator key".to_vec()),
        });
        r.note("Aa1234321Bb", "secret value");
        let a = r.redact_str("Aa1234321Bb");
        assert!(
            a.contains("fingerprint ") && !a.contains("Aa1234321Bb"),
            "{a}"
        );
        // The same secret under the same key gives the same fingerprint; another key another.
        assert_eq!(a, r.redact_str("Aa1234321Bb"));
        let mut other = Redactor::with(Options {
            show: false,
            key: Some(b"other".to_vec()),
        });
        other.note("Aa1234321Bb", "secret value");
        assert_ne!(a, other.redact_str("Aa1234321Bb"));
        let mut shown = Redactor::with(Options {
            show: true,
            key: None,
        });
        shown.note("Aa1234321Bb", "secret value");
        assert_eq!(shown.redact_str("x Aa1234321Bb"), "x Aa1234321Bb");
    }

    #[test]
    fn names_that_are_secrets() {
        for n in [
            "password",
            "master_password",
            "DB_PASSWORD",
            "client_secret",
            "api-key",
            "GITHUB_TOKEN",
        ] {
            assert!(sensitive_name(n), "{n}");
        }
        for n in [
            "password_length",
            "token_count",
            "secret_name",
            "name",
            "cidr_blocks",
        ] {
            assert!(!sensitive_name(n), "{n}");
        }
    }
}
