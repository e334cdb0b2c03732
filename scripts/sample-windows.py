#!/usr/bin/env python3
"""Lists a deterministic sample of exposure windows to check by hand, with the git commands to check them.

    scripts/sample-windows.py [--bin PATH] [--per-rule K] [--max N] [--ref REF] [--json]
                              [--salt WORD] [--exclude FILE]... [--report FILE] REPO [REPO ...]

For the precision measurement ("Known error rate" in the README): a person reads each sampled
window against the repository's own history and says whether the rule really holds at the opening
landing (R), whether each cause commit and its author really wrote the value (C), and whether the
window's bounds are right (B). The script does no judging; it picks the windows and writes down
everything needed to judge them, so two runs of configtrail (before and after a change) can be
measured on the same windows.

REPO           a work tree or bare repository; `NAME=PATH` names it (default: the directory's
               name, or its parent's when the directory is called `repo` or `.git`)
--bin PATH     the configtrail binary (default: $CONFIGTRAIL, else `configtrail` on PATH)
--report FILE  read this `scan --format json` report instead of running a scan (only with one
               REPO; the repository is still needed for the commands printed)
--per-rule K   at most K windows per rule id and repository (default 3)
--max N        at most N windows per repository (default 40), taken round-robin over the rules
               so that a rule with many windows cannot crowd out the others; where there are
               more rules than places, the places are spread evenly over the rule ids
--ref REF      passed to `scan --ref` (default HEAD)
--salt WORD    order the windows of a rule by SHA-256 of WORD and the exposure id instead of
               by the id: a fresh sample, as deterministic, for a new count (the README's counts
               name the salt they used; none for the first)
--exclude FILE a sample written earlier with --json (repeatable): its windows are not drawn
               again, matched by `key`, so a fresh count checks windows nobody checked before
--json         write the sample as JSON lines (one window a line) instead of text

The choice is deterministic: within a rule, windows are taken in order of exposure id (a hash, so
the order is arbitrary but fixed); rules are visited in order of rule id. An exposure id depends on
the opening landing, so a later run that moves a window's opening gets a different id; the JSON
lines therefore also carry `key` (repository, rule id, resource address, resource file) to match
windows across runs.

Only the standard library; the scan is the only thing run unless `git` is on PATH, in which case
it is asked (read-only) which of the cited files exists at a landing, so that the printed commands
name a path that is really there.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import OrderedDict


def usage(msg):
    sys.stderr.write("sample-windows.py: %s\n" % msg)
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    sys.exit(2)


def parse_args(argv):
    opts = {"bin": os.environ.get("CONFIGTRAIL", "configtrail"), "per_rule": 3, "max": 40,
            "ref": "HEAD", "json": False, "report": None, "salt": None, "exclude": [],
            "repos": []}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        elif a == "--json":
            opts["json"] = True
        elif a in ("--bin", "--per-rule", "--max", "--ref", "--report", "--salt", "--exclude"):
            if i + 1 >= len(argv):
                usage("%s needs a value" % a)
            v = argv[i + 1]
            i += 1
            if a in ("--per-rule", "--max"):
                try:
                    n = int(v)
                except ValueError:
                    usage("%s needs a number, not %r" % (a, v))
                if n < 1:
                    usage("%s must be at least 1" % a)
                opts[a[2:].replace("-", "_")] = n
            elif a == "--exclude":
                opts["exclude"].append(v)
            else:
                opts[a[2:]] = v
        elif a.startswith("--"):
            usage("unknown option %s" % a)
        else:
            opts["repos"].append(a)
        i += 1
    if not opts["repos"]:
        usage("no repository given")
    if opts["report"] and len(opts["repos"]) != 1:
        usage("--report goes with exactly one REPO")
    return opts


def repo_name(spec):
    if "=" in spec and not os.path.exists(spec):
        name, path = spec.split("=", 1)
        return name, path
    path = spec.rstrip("/")
    base = os.path.basename(path)
    if base in ("repo", ".git"):
        base = os.path.basename(os.path.dirname(path))
    if base.endswith(".git"):
        base = base[:-4]
    return base, spec


def scan(binary, path, ref):
    cmd = [binary, "scan", path, "--ref", ref, "--format", "json"]
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    except OSError as e:
        sys.stderr.write("sample-windows.py: cannot run %s: %s\n" % (binary, e))
        sys.exit(2)
    # Exit 1 means findings at or above --fail-on; only 2 (or a signal) is a failure.
    if out.returncode not in (0, 1):
        sys.stderr.write(out.stderr.decode("utf-8", "replace"))
        sys.stderr.write("sample-windows.py: %s exited %d\n" % (" ".join(cmd), out.returncode))
        sys.exit(2)
    try:
        return json.loads(out.stdout.decode("utf-8"))
    except ValueError as e:
        sys.stderr.write("sample-windows.py: %s did not write a JSON report: %s\n"
                         % (" ".join(cmd), e))
        sys.exit(2)


def pick(exposures, per_rule, limit, salt=None):
    def order(e):
        if salt is None:
            return e["id"]
        return hashlib.sha256((salt + "\0" + e["id"]).encode("utf-8")).hexdigest()

    by_rule = OrderedDict()
    for e in sorted(exposures, key=lambda e: (e["rule"]["id"], order(e))):
        by_rule.setdefault(e["rule"]["id"], []).append(e)
    queues = [lst[:per_rule] for lst in by_rule.values()]
    chosen = []
    depth = 0
    while len(chosen) < limit and any(depth < len(q) for q in queues):
        layer = [q[depth] for q in queues if depth < len(q)]
        room = limit - len(chosen)
        if room < len(layer):
            # Fewer places than rules: spread them evenly over the rule ids rather than taking
            # the first ones, which would favour one provider's prefix (aws-* before gcp-*).
            layer = [layer[(i * len(layer)) // room] for i in range(room)]
        chosen.extend(layer)
        depth += 1
    return sorted(chosen, key=lambda e: (e["rule"]["id"], e["id"]))


_git_ok = None


def path_at(repo, commit, candidates):
    """The first candidate path that exists at commit (asks git read-only), else the first."""
    global _git_ok
    cands = [c for c in candidates if c]
    if not cands:
        return None
    if _git_ok is False:
        return cands[0]
    for c in cands:
        try:
            r = subprocess.run(["git", "-C", repo, "cat-file", "-e", "%s:%s" % (commit, c)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            _git_ok = True
        except OSError:
            _git_ok = False
            return cands[0]
        if r.returncode == 0:
            return c
    return cands[0]


def person(p):
    if not p:
        return None
    return "%s <%s>" % (p.get("name"), p.get("email"))


def short_value(v):
    s = json.dumps(v, sort_keys=True)
    return s if len(s) <= 120 else s[:117] + "..."


# A sample is handed around for checking: it must not become a copy of a secret the history
# leaked. Values of secrets rules, and of settings named like credentials, are withheld; the
# commands printed beside them let a checker read them in the repository. No length is given:
# the report already holds such a value redacted (a fingerprint), whose length says nothing of
# the secret's, and a checker took it for the secret's.
SENSITIVE = re.compile(r"pass|secret|token|key|credential|private|user_data|env", re.I)


def withheld(v, secret):
    if v is None or not secret:
        return v
    return "(withheld)"


def change(repo, c, landing_file_candidates, landing, secret_rule=False):
    """One cause or remediation, with the commands that check it."""
    secret = secret_rule or bool(SENSITIVE.search(c.get("setting") or ""))
    file_ = c.get("file")
    line = c.get("line")
    # At the landing the file may have another path (a history merged in under another folder)
    # and the value another line: the cause's `landing_file` and `landing_line` say where.
    landing_file = c.get("landing_file")
    at_landing = (path_at(repo, landing, [landing_file, file_] + landing_file_candidates)
                  if landing else file_)
    at_commit = path_at(repo, c["commit"], [file_] + landing_file_candidates)
    lo = max(1, (line or 1) - 5)
    hi = (line or 1) + 5
    landing_line = c.get("landing_line") if c.get("landing") == landing else None
    llo = max(1, (landing_line or line or 1) - 5)
    lhi = (landing_line or line or 1) + 5
    cmds = [
        "git -C %s show %s -- %s" % (repo, c["commit"], at_commit),
        "git -C %s show %s:%s | sed -n '%d,%dp'" % (repo, c["commit"], at_commit, lo, hi),
    ]
    if landing:
        cmds += [
            "git -C %s blame -w -M -C -C %s -- %s" % (repo, landing, at_landing),
            "git -C %s show %s:%s | sed -n '%d,%dp'" % (repo, landing, at_landing, llo, lhi),
        ]
    return OrderedDict([
        ("commit", c.get("commit")),
        ("landing", c.get("landing")),
        ("message", (c.get("message") or "").split("\n")[0]),
        ("author", person(c.get("author"))),
        ("committer", person(c.get("committer"))),
        ("merged_by", person(c.get("merged_by"))),
        ("file", file_),
        ("line", line),
        ("setting", c.get("setting")),
        ("before", withheld(c.get("before"), secret)),
        ("after", withheld(c.get("after"), secret)),
        ("withheld", secret),
        ("but_for", c.get("but_for")),
        ("commands", cmds),
    ])


def window(name, repo, e):
    res = e["resource"]
    opened = e.get("opened") or {}
    closed = e.get("closed")
    ol = opened.get("landing")
    cands = [res.get("file")]
    secret_rule = e["rule"].get("category") == "secrets"
    causes = [change(repo, c, cands, ol, secret_rule) for c in e.get("causes") or []]
    rem = e.get("remediation")
    remediation = None
    if rem:
        remediation = change(repo, rem, cands, closed.get("landing") if closed else None,
                             secret_rule)
    bounds = []
    if ol:
        bounds.append("git -C %s show --stat -M -C --format='%%h %%an <%%ae> / %%cn %%p %%s' %s"
                      % (repo, ol))
    if closed:
        bounds.append("git -C %s show --stat -M -C --format='%%h %%an <%%ae> / %%cn %%p %%s' %s"
                      % (repo, closed["landing"]))
    # A pickaxe over the first parent shows where the value first reached the ref; only a string
    # is distinctive enough to search for (true, 0 or null match nearly every commit).
    if causes and not causes[0]["withheld"] and isinstance(causes[0]["after"], str):
        needle = causes[0]["after"]
        if 3 <= len(needle) <= 60 and "'" not in needle and "\n" not in needle:
            bounds.append("git -C %s log --oneline --first-parent -S'%s' %s -- %s"
                          % (repo, needle, ol, causes[0]["file"]))
    return OrderedDict([
        ("repo", name),
        ("path", repo),
        ("key", [name, e["rule"]["id"], res.get("address"), res.get("file")]),
        ("id", e["id"]),
        ("rule", e["rule"]["id"]),
        ("severity", e["rule"].get("severity")),
        ("address", res.get("address")),
        ("file", res.get("file")),
        ("summary", e.get("summary")),
        ("opened", OrderedDict([("landing", ol), ("landed_at", opened.get("landed_at"))])),
        ("closed", OrderedDict([("landing", closed.get("landing")),
                                ("landed_at", closed.get("landed_at"))]) if closed else None),
        ("open_at_tip", e.get("open_at_tip")),
        ("causes", causes),
        ("remediation", remediation),
        ("bounds_commands", bounds),
    ])


def write_text(w, out):
    out.write("== %s  %s  %s  %s\n" % (w["repo"], w["id"], w["rule"], w["address"]))
    out.write("   file %s   summary: %s\n" % (w["file"], w["summary"]))
    o = w["opened"]
    out.write("   opened %s (%s)\n" % (o["landing"], o["landed_at"]))
    if w["closed"]:
        out.write("   closed %s (%s)\n" % (w["closed"]["landing"], w["closed"]["landed_at"]))
    else:
        out.write("   open at tip\n")

    def one(label, c):
        out.write("   %s %s  landing %s  \"%s\"\n" % (label, c["commit"], c["landing"], c["message"]))
        out.write("      author %s; committer %s; merged_by %s\n"
                  % (c["author"], c["committer"], c["merged_by"]))
        out.write("      %s:%s  %s: %s -> %s  but_for=%s\n"
                  % (c["file"], c["line"], c["setting"], short_value(c["before"]),
                     short_value(c["after"]), c["but_for"]))
        for cmd in c["commands"]:
            out.write("      $ %s\n" % cmd)

    for c in w["causes"]:
        one("cause", c)
    if w["remediation"]:
        one("remediation", w["remediation"])
    for cmd in w["bounds_commands"]:
        out.write("   $ %s\n" % cmd)
    out.write("\n")


def excluded_keys(files):
    """The `key`s of the windows in earlier samples (JSON lines), as tuples."""
    keys = set()
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        keys.add(tuple(json.loads(line)["key"]))
                    except (ValueError, KeyError, TypeError) as e:
                        sys.stderr.write("sample-windows.py: %s:%d: not a sample line: %s\n"
                                         % (path, n, e))
                        sys.exit(2)
        except OSError as e:
            sys.stderr.write("sample-windows.py: cannot read %s: %s\n" % (path, e))
            sys.exit(2)
    return keys


def main():
    opts = parse_args(sys.argv[1:])
    out = sys.stdout
    skip = excluded_keys(opts["exclude"])
    for spec in opts["repos"]:
        name, path = repo_name(spec)
        if opts["report"]:
            try:
                with open(opts["report"], encoding="utf-8") as f:
                    report = json.load(f)
            except (OSError, ValueError) as e:
                sys.stderr.write("sample-windows.py: cannot read %s: %s\n" % (opts["report"], e))
                sys.exit(2)
        else:
            report = scan(opts["bin"], path, opts["ref"])
        pool = [e for e in report.get("exposures") or []
                if (name, e["rule"]["id"], (e.get("resource") or {}).get("address"),
                    (e.get("resource") or {}).get("file")) not in skip]
        chosen = pick(pool, opts["per_rule"], opts["max"], opts["salt"])
        if not opts["json"]:
            out.write("# %s: %d of %d windows (at most %d per rule), head %s\n\n"
                      % (name, len(chosen), len(report.get("exposures") or []), opts["per_rule"],
                         (report.get("inputs") or {}).get("head")))
        for e in chosen:
            w = window(name, path, e)
            if opts["json"]:
                out.write(json.dumps(w, sort_keys=False) + "\n")
            else:
                write_text(w, out)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        # Piped into head or less and closed early: not an error of the sample.
        sys.stderr.close()
        sys.exit(0)
