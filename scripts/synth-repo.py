#!/usr/bin/env python3
"""Writes a git fast-import stream of a synthetic IaC history to stdout.

    scripts/synth-repo.py COMMITS MODULES [SEED] [grow] [--files N] [--k8s N] [--app-rate P] \
        | git -C REPO.git fast-import --quiet

grow           only a tenth of the modules exist at first; the others are added at even intervals
               through the history, as in a repository that grows (without it every module exists
               from the first commit: the worst case for tracing a setting back to its origin)

--files N      files per module directory (main.tf plus variables.tf, outputs.tf, ...; default 1)
--k8s N        Kubernetes manifests under k8s/ (deployments whose securityContext moves between
               privileged and not; default 0)
--app-rate P   probability that a commit also changes application files (default 0: a commit
               changes either IaC or application files)
--envs E       E environment roots under envs/envE/, each calling --calls C (default 10) of the
               shared modules as local modules (and the first module of the next environment's
               share, so some modules have two callers), passing each its ingress CIDR; those
               modules take it as var.cidr. A fifth of the IaC commits change an environment's
               argument instead of a module (default 0: no module calls)
--quiet-after N  from landing N on, IaC keeps changing but never to an exposed value (CIDRs stay
               private, no privileged container): the first N landings are those of the same
               history without it, and no window opens after them. For measuring what grows with
               history length apart from what grows with findings.

About a third of the commits touch a Terraform module (a security group whose ingress CIDR and
ports move between safe and world-open values, so windows open and close), the rest touch
application files; every 25th landing merges a short branch. Identities and dates are fixed by
the seed, so the same arguments give the same repository.
"""
import random
import sys

def main():
    args, flags = [], {}
    argv = sys.argv[1:]
    while argv:
        a = argv.pop(0)
        if a.startswith("--"):
            flags[a[2:]] = argv.pop(0)
        else:
            args.append(a)
    commits = int(args[0]) if len(args) > 0 else 2000
    modules = int(args[1]) if len(args) > 1 else 100
    rnd = random.Random(int(args[2]) if len(args) > 2 else 7)
    files = int(flags.get("files", 1))
    k8s = int(flags.get("k8s", 0))
    app_rate = float(flags.get("app-rate", 0))
    quiet = int(flags.get("quiet-after", 0)) or None
    envs = int(flags.get("envs", 0))
    calls = int(flags.get("calls", 10))
    called = set(range(min(modules, envs * calls)))
    grow = len(args) > 3 and args[3] == "grow"
    people = ["Alice Provider <alice@msp.example>", "Bob Provider <bob@msp.example>",
              "Carol Client <carol@client.example>", "Dave Client <dave@client.example>"]
    cidrs = ["10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0", "192.168.0.0/16"]
    private = [c for c in cidrs if c != "0.0.0.0/0"]
    out = sys.stdout.buffer
    t = 1_700_000_000
    mark = 0
    state = {m: ("10.0.0.0/8", 22) for m in range(modules)}

    def tf(m):
        cidr, port = state[m]
        if m in called:
            # A shared module: its CIDR is its callers' to give.
            return (f'variable "cidr" {{\n  default = "10.0.0.0/8"\n}}\n'
                    f'resource "aws_security_group" "sg{m}" {{\n  name = "sg{m}"\n  ingress {{\n'
                    f'    from_port   = {port}\n    to_port     = {port}\n    protocol    = "tcp"\n'
                    f'    cidr_blocks = [var.cidr]\n  }}\n}}\n'
                    f'resource "aws_kms_key" "k{m}" {{\n  enable_key_rotation = true\n}}\n')
        return (f'resource "aws_security_group" "sg{m}" {{\n  name = "sg{m}"\n  ingress {{\n'
                f'    from_port   = {port}\n    to_port     = {port}\n    protocol    = "tcp"\n'
                f'    cidr_blocks = ["{cidr}"]\n  }}\n}}\n'
                f'resource "aws_kms_key" "k{m}" {{\n  enable_key_rotation = true\n}}\n')

    def env_modules(e):
        own = [m for m in range(e * calls, (e + 1) * calls) if m in called]
        shared = ((e + 1) % max(1, envs)) * calls
        return own + ([shared] if shared in called and shared not in own else [])

    env_cidr = {(e, m): "10.1.0.0/16" for e in range(envs) for m in env_modules(e)}

    def env_tf(e):
        s = 'provider "aws" {\n  region = "eu-west-1"\n}\n'
        for m in env_modules(e):
            s += (f'\nmodule "m{m}" {{\n  source = "../../infra/mod{m:04d}"\n'
                  f'  cidr   = "{env_cidr[(e, m)]}"\n}}\n')
        return s

    def extra(m, i):
        # The other files of a module: variables and outputs, as real modules have.
        names = ["variables.tf", "outputs.tf", "versions.tf", "locals.tf"]
        name = names[(i - 1) % len(names)] if i - 1 < len(names) else f"extra{i}.tf"
        return name, (f'variable "name_{m}_{i}" {{\n  type    = string\n  default = "mod{m}"\n}}\n'
                      f'output "sg_{m}_{i}" {{\n  value = aws_security_group.sg{m}.id\n}}\n')

    privileged = {k: False for k in range(k8s)}

    def manifest(k):
        return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{k}\n  namespace: team{k % 7}\n"
                f"spec:\n  template:\n    spec:\n      containers:\n        - name: main\n"
                f"          image: registry.example/app{k}:1\n          securityContext:\n"
                f"            privileged: {'true' if privileged[k] else 'false'}\n")

    def data(text):
        b = text.encode()
        out.write(b"data %d\n" % len(b) + b + b"\n")

    def commit(branch, msg, files, parents=()):
        nonlocal t, mark
        t += 600
        mark += 1
        who = rnd.choice(people)
        out.write(f"commit refs/heads/{branch}\nmark :{mark}\n".encode())
        out.write(f"author {who} {t} +0000\ncommitter {who} {t} +0000\n".encode())
        data(msg)
        for i, p in enumerate(parents):
            out.write(f"{'from' if i == 0 else 'merge'} :{p}\n".encode())
        for path, text in files:
            out.write(f"M 100644 inline {path}\n".encode())
            data(text)
        return mark

    # The initial layout.
    present = max(1, modules // 10) if grow else modules
    every = max(1, commits // max(1, modules - present + 1))
    layout = [(f"infra/mod{m:04d}/main.tf", tf(m)) for m in range(present)]
    for m in range(present):
        for i in range(1, files):
            name, text = extra(m, i)
            layout.append((f"infra/mod{m:04d}/{name}", text))
    layout += [(f"k8s/app{k:03d}.yaml", manifest(k)) for k in range(k8s)]
    layout += [(f"envs/env{e:02d}/main.tf", env_tf(e)) for e in range(envs)]
    tip = commit("main", "initial layout", layout)

    def app(files_):
        if app_rate and rnd.random() < app_rate:
            n = rnd.randrange(50)
            files_.append((f"app/file{n:03d}.py", f"print({landings})\n"))
        return files_
    landings = 1

    def cidr():
        return rnd.choice(private if quiet is not None and landings >= quiet else cidrs)

    while landings < commits:
        if grow and present < modules and landings % every == 0:
            tip = commit("main", f"add mod{present}", [(f"infra/mod{present:04d}/main.tf", tf(present))], (tip,))
            present += 1
        elif landings % 25 == 0:
            base = tip
            m = rnd.randrange(present)
            state[m] = (cidr(), rnd.choice([22, 443, 5432]))
            b1 = commit("topic", "topic work", [(f"infra/mod{m:04d}/main.tf", tf(m))], (base,))
            b2 = commit("topic", "topic docs", [("docs/topic.md", f"topic {landings}\n")], (b1,))
            tip = commit("main", "merge topic", [], (tip, b2))
        elif rnd.random() < 1 / 3:
            if envs and rnd.random() < 0.2:
                e = rnd.randrange(envs)
                m = rnd.choice(env_modules(e))
                env_cidr[(e, m)] = cidr()
                tip = commit("main", f"change env{e}", app([(f"envs/env{e:02d}/main.tf", env_tf(e))]), (tip,))
            elif k8s and rnd.random() < 0.2:
                k = rnd.randrange(k8s)
                privileged[k] = rnd.random() < 0.3 and (quiet is None or landings < quiet)
                tip = commit("main", f"change app{k}", app([(f"k8s/app{k:03d}.yaml", manifest(k))]), (tip,))
            else:
                m = rnd.randrange(present)
                state[m] = (cidr(), rnd.choice([22, 443, 5432]))
                tip = commit("main", f"change mod{m}", app([(f"infra/mod{m:04d}/main.tf", tf(m))]), (tip,))
        else:
            n = rnd.randrange(50)
            tip = commit("main", "app change", [(f"app/file{n:03d}.py", f"print({landings})\n")], (tip,))
        landings += 1

if __name__ == "__main__":
    main()
