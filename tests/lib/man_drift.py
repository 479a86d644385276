#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The man page against the CLI's own help, both ways.

usage: man_drift.py PCIPASS MANPAGE

`pcipass help` lists the commands; `pcipass help CMD` must exist for each
(exit 0, its own usage line) and lists the command's options and the
global ones, built from the tables the command parses with (user/cli.c).
The man page (mdoc) must have an ".It Cm CMD" item in COMMANDS for every
command and none for a command that does not exist; inside a command's
items every option of that command as Fl macros (short and long); the
global options in OPTIONS; and no Fl macro anywhere that names an option
no command has.  Then the same checks run once more on copies of the page
broken on purpose (a command's item gone, an option renamed): each must be
caught, or this checker could not fail.

Prints what differs and exits 1; exits 0 with a summary line otherwise.
"""
import re
import subprocess
import sys

MACRO = re.compile(r"^[A-Z][a-z]{1,2}$")
OPT_LINE = re.compile(r"^\s+-(\w), --([\w-]+)")


def run(pcipass, *args):
    r = subprocess.run([pcipass, *args], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def opt_sections(text):
    """{section heading: [(letter, long), ...]} of a help text."""
    secs, cur = {}, None
    for line in text.splitlines():
        if re.match(r"^\S.*:$", line):
            cur = line
            secs[cur] = []
        elif not line.strip():
            cur = None
        elif cur is not None:
            m = OPT_LINE.match(line)
            if m:
                secs[cur].append((m.group(1), m.group(2)))
    return secs


def from_help(pcipass, errors):
    """The commands, each one's options, and the global options."""
    rc, out, err = run(pcipass, "help")
    if rc or err:
        errors.append(f"pcipass help: exit {rc}, stderr {err!r}")
    m = re.search(r"^Commands:\n((?:  \S.*\n)+)", out, re.M)
    if not m:
        errors.append("pcipass help: no 'Commands:' list")
        return {}, set()
    cmds = [line.split()[0] for line in m.group(1).splitlines()]
    glob = set()
    for head, opts in opt_sections(out).items():
        if "Options" in head:
            glob.update(opts)
    per_cmd = {}
    for c in cmds:
        rc, out, err = run(pcipass, "help", c)
        if rc or err or not out.startswith(f"Usage: pcipass {c}"):
            errors.append(f"pcipass help {c}: exit {rc}, stderr {err!r}, "
                          f"first line {out.splitlines()[:1]}")
        per_cmd[c] = set()
        for head, opts in opt_sections(out).items():
            if head.startswith("Global options"):
                glob.update(opts)
            elif head == "Options:":
                per_cmd[c].update(opts)
    return per_cmd, glob


def flags(line):
    """The options a macro line's Fl macros name: 'Fl c , Fl -class' is
    -c and --class, 'Fl jp' is -j and -p."""
    out, on = set(), False
    if not line.startswith("."):
        return out
    for tok in line[1:].split():
        if MACRO.match(tok):
            on = tok == "Fl"
        elif on and re.match(r"^-[\w-]+$", tok):
            out.add("-" + tok)
        elif on and re.match(r"^\w+$", tok):
            out.update("-" + ch for ch in tok)
    return out


def from_man(text):
    """{command: options in its items}, options in OPTIONS, all options."""
    cmds, opts_sec, every = {}, set(), set()
    sec, depth, cur = None, 0, None
    for line in text.splitlines():
        if line.startswith(".Sh "):
            sec, depth, cur = line[4:].strip(), 0, None
            continue
        f = flags(line)
        every |= f
        if line.startswith(".Bl"):
            depth += 1
        elif line.startswith(".El"):
            depth -= 1
            if depth == 0:
                cur = None
        if sec == "OPTIONS":
            opts_sec |= f
        elif sec == "COMMANDS":
            m = re.match(r"^\.It Cm (\S+)", line)
            if depth == 1 and line.startswith(".It"):
                cur = m.group(1) if m else None
                if cur:
                    cmds.setdefault(cur, set())
            if cur:
                cmds[cur] |= f
    return cmds, opts_sec, every


def compare(per_cmd, glob, man):
    mcmds, mopts, every = man
    errors = []
    for c in sorted(set(per_cmd) - set(mcmds)):
        errors.append(f"command '{c}' has no '.It Cm {c}' item in COMMANDS")
    for c in sorted(set(mcmds) - set(per_cmd)):
        errors.append(f"the man page documents '{c}', which pcipass help does not list")
    known = set()
    for c, opts in per_cmd.items():
        for letter, name in sorted(opts):
            known |= {f"-{letter}", f"--{name}"}
            for o in (f"-{letter}", f"--{name}"):
                if c in mcmds and o not in mcmds[c]:
                    errors.append(f"{c}: option {o} is not in its man page item")
    for letter, name in sorted(glob):
        known |= {f"-{letter}", f"--{name}"}
        for o in (f"-{letter}", f"--{name}"):
            if o not in mopts:
                errors.append(f"global option {o} is not in OPTIONS")
    for o in sorted(every - known):
        errors.append(f"the man page names option {o}, which no command has")
    return errors


# Copies of the page broken on purpose, each of which must be caught.
BREAKS = [
    ("a command's item gone", r"^\.It Cm monitor .*\n", ""),
    ("an option renamed", r"Fl -dry-run", "Fl -dryrun"),
    ("an option left out", r"^\.It Fl c , Fl -count.*\n", ".It Fl c\n"),
]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    pcipass, page = sys.argv[1:]
    with open(page) as f:
        text = f.read()
    errors = []
    per_cmd, glob = from_help(pcipass, errors)
    errors += compare(per_cmd, glob, from_man(text))
    for what, pat, repl in BREAKS:
        broken, n = re.subn(pat, repl, text, count=1, flags=re.M)
        if not n:
            errors.append(f"self-test: '{what}': pattern {pat!r} not in the page")
        elif not compare(per_cmd, glob, from_man(broken)):
            errors.append(f"self-test: '{what}' went unnoticed")
    for e in errors:
        print(f"man_drift: {e}")
    if errors:
        sys.exit(1)
    nopts = sum(len(o) for o in per_cmd.values())
    print(f"man_drift: {len(per_cmd)} commands, {nopts} command options and "
          f"{len(glob)} global options agree with {page}; "
          f"{len(BREAKS)} broken copies caught")


if __name__ == "__main__":
    main()
