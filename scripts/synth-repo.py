#!/usr/bin/env python3
"""Writes a git fast-import stream of a synthetic IaC history to stdout.

    scripts/synth-repo.py COMMITS MODULES [SEED] [grow] | git -C REPO.git fast-import --quiet

About a third of the commits touch a Terraform module (a security group whose ingress CIDR and
ports move between safe and world-open values, so windows open and close), the rest touch
application files; every 25th landing merges a short branch. Identities and dates are fixed by
the seed, so the same arguments give the same repository.

With `grow`, only a tenth of the modules exist at first and the others are added at even
intervals through the history, as in a repository that grows; without it every module exists
from the first commit (the worst case for tracing a setting back to its origin).
"""
import random
import sys

def main():
    commits = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    modules = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    grow = len(sys.argv) > 4 and sys.argv[4] == "grow"
    people = ["Alice Provider <alice@msp.example>", "Bob Provider <bob@msp.example>",
              "Carol Client <carol@client.example>", "Dave Client <dave@client.example>"]
    cidrs = ["10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0", "192.168.0.0/16"]
    out = sys.stdout.buffer
    t = 1_700_000_000
    mark = 0
    state = {m: ("10.0.0.0/8", 22) for m in range(modules)}

    def tf(m):
        cidr, port = state[m]
        return (f'resource "aws_security_group" "sg{m}" {{\n  name = "sg{m}"\n  ingress {{\n'
                f'    from_port   = {port}\n    to_port     = {port}\n    protocol    = "tcp"\n'
                f'    cidr_blocks = ["{cidr}"]\n  }}\n}}\n'
                f'resource "aws_kms_key" "k{m}" {{\n  enable_key_rotation = true\n}}\n')

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
    tip = commit("main", "initial layout", [(f"infra/mod{m:04d}/main.tf", tf(m)) for m in range(present)])
    landings = 1
    while landings < commits:
        if grow and present < modules and landings % every == 0:
            tip = commit("main", f"add mod{present}", [(f"infra/mod{present:04d}/main.tf", tf(present))], (tip,))
            present += 1
        elif landings % 25 == 0:
            base = tip
            m = rnd.randrange(present)
            state[m] = (rnd.choice(cidrs), rnd.choice([22, 443, 5432]))
            b1 = commit("topic", "topic work", [(f"infra/mod{m:04d}/main.tf", tf(m))], (base,))
            b2 = commit("topic", "topic docs", [("docs/topic.md", f"topic {landings}\n")], (b1,))
            tip = commit("main", "merge topic", [], (tip, b2))
        elif rnd.random() < 1 / 3:
            m = rnd.randrange(present)
            state[m] = (rnd.choice(cidrs), rnd.choice([22, 443, 5432]))
            tip = commit("main", f"change mod{m}", [(f"infra/mod{m:04d}/main.tf", tf(m))], (tip,))
        else:
            n = rnd.randrange(50)
            tip = commit("main", "app change", [(f"app/file{n:03d}.py", f"print({landings})\n")], (tip,))
        landings += 1

if __name__ == "__main__":
    main()
