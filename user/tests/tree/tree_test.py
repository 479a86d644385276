#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`pcipass list --tree` and --color on fixture roots, without the module.

usage: tree_test.py LIST_RUN [CASE_DIR...]     (default: every dir here)
       UPDATE_GOLDEN=1 tree_test.py ...        rewrites expected-tree.txt

LIST_RUN is tests/list_run: cmd/list.c's parsing and printing with the
devices read from the case's root/sys (PCIPASS_SYSROOT) instead of the
kernel module's dump.  Each case directory has root/ (sysfs, a pci.ids
of its own) and expected-tree.txt, `list --tree`'s output.  Checked:

  - the golden output;
  - lspci's rules, without lspci: every function is drawn exactly once,
    on the line that follows the bridge its sysfs directory sits under;
  - lspci itself: `lspci -tv -F DUMP -i PCI_IDS` on a
    config-space dump made from the fixture draws the same tree, names
    and all, once our " [group ...]" labels are cut off;
  - --class: only the matching groups and the bridges that lead to them;
  - --tree with --json: a usage error, nothing on stdout;
  - colour: --color=always has SGR sequences (also with NO_COLOR=1: an
    explicit choice wins), --color=auto has none into a pipe, on a
    terminal it has them unless NO_COLOR is set and not empty or TERM is
    dumb or unset; --color=never has none on a terminal; JSON has none.

Prints one line per failure and "tree: N passed, N failed" last.
"""
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import harness  # noqa: E402

SGR = re.compile(r'\x1b\[[0-9;]*m')
LABEL = re.compile(r'  \[(?:no )?group[^]]*\]( \*)?$')
FUNC = re.compile(r'([0-9a-f]{2})\.([0-7])')

# what --color=auto looks at: each run sets them itself, if at all
COLOUR_VARS = ('NO_COLOR', 'TERM')

check = harness.Checks('tree')


def env_for(root, **extra):
    return harness.sysroot_env(root, extra, drop=COLOUR_VARS)


def run(binary, root, *args, **extra):
    return harness.run(binary, root, *args, env=extra, drop=COLOUR_VARS)


def run_on_tty(binary, root, *args, **extra):
    """stdout on a pseudo-terminal: what --color=auto sees there."""
    master, slave = pty.openpty()
    p = subprocess.Popen([binary, *args], stdout=slave,
                         stderr=subprocess.DEVNULL, env=env_for(root, **extra))
    os.close(slave)
    out = b''
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:		# EIO: the child closed its side
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    p.wait()
    return p.returncode, out.decode()


# ------------------------------------------------------------ the fixture

def sysfs(root):
    """{function: (parent function or None, is bridge)} from root/sys."""
    devs = os.path.join(root, 'sys/bus/pci/devices')
    out = {}
    for a in os.listdir(devs):
        parent = os.path.basename(os.path.dirname(
            os.path.realpath(os.path.join(devs, a))))
        bridge = os.path.exists(os.path.join(devs, a, 'secondary_bus_number'))
        out[a] = (parent if re.fullmatch(r'[0-9a-f]+:[0-9a-f]{2}:[0-9a-f]{2}'
                                         r'\.[0-7]', parent) else None, bridge)
    return out


def parse_tree(text):
    """[(function, parent function or None)] as the drawing places them:
    the columns where each bus starts tell which bridge a line hangs off."""
    placed = []
    # column of a bus's branches -> (domain, bus number, bridge address)
    buses = {}
    for line in text.splitlines():
        line = LABEL.sub('', line)
        for m in re.finditer(r'\[([0-9a-f]{4,}):([0-9a-f]{2})\]-', line):
            buses[m.end()] = (m.group(1), m.group(2), None)
        pos = 0
        while True:
            m = FUNC.search(line, pos)
            if not m:
                break
            # the branch ("+-", "\-", "--") right before it names the bus
            col = m.start() - 2
            dom, bus, bridge = buses.get(col, (None, None, None))
            if dom is None:
                placed.append((None, None))
                break
            addr = f'{dom}:{bus}:{m.group(1)}.{m.group(2)}'
            placed.append((addr, bridge))
            rest = line[m.end():]
            r = re.match(r'-\[([0-9a-f]{2})(?:-[0-9a-f]{2})?\]--', rest) or \
                re.match(r'--', rest)
            if not r or rest.startswith('  '):
                break
            sec = r.group(1) if r.lastindex else '00'
            buses[m.end() + r.end()] = (dom, sec, addr)
            pos = m.end() + r.end()
    return placed


def config_dump(root):
    """What `lspci -x` would have printed for the fixture (64 bytes each):
    IDs, class, header type and the bridges' bus numbers."""
    devs = os.path.join(root, 'sys/bus/pci/devices')

    def attr(a, n):
        with open(os.path.join(devs, a, n)) as f:
            return f.read().strip()
    out = []
    for a in sorted(os.listdir(devs)):
        cfg = bytearray(64)
        cfg[0:2] = int(attr(a, 'vendor'), 16).to_bytes(2, 'little')
        cfg[2:4] = int(attr(a, 'device'), 16).to_bytes(2, 'little')
        cfg[9:12] = int(attr(a, 'class'), 16).to_bytes(3, 'little')
        if os.path.exists(os.path.join(devs, a, 'secondary_bus_number')):
            cfg[0x0e] = 1
            cfg[0x18] = int(a.split(':')[1], 16)
            cfg[0x19] = int(attr(a, 'secondary_bus_number'))
            cfg[0x1a] = int(attr(a, 'subordinate_bus_number'))
        out.append(a + ' Device: fixture')
        out += ['%02x: ' % o + ' '.join('%02x' % b for b in cfg[o:o + 16])
                for o in range(0, 64, 16)]
        out.append('')
    return '\n'.join(out) + '\n'


# ------------------------------------------------------------ the checks

def check_golden(binary, case, root, out):
    name = os.path.basename(case)
    golden = os.path.join(case, 'expected-tree.txt')
    if os.environ.get('UPDATE_GOLDEN'):
        with open(golden, 'w') as f:
            f.write(out)
        check(False, f'{name}: expected-tree.txt rewritten: review, rerun')
        return
    with open(golden) as f:
        want = f.read()
    check(out == want, f'{name}: list --tree differs from expected-tree.txt:'
          f'\n{out}')


def check_rules(name, root, out):
    facts = sysfs(root)
    placed = parse_tree(out)
    drawn = [a for a, _ in placed]
    check(None not in drawn, f'{name}: a line the parser cannot place')
    for a, (parent, bridge) in sorted(facts.items()):
        n = drawn.count(a)
        check(n == 1, f'{name}: {a} drawn {n} times')
        got = [p for x, p in placed if x == a]
        check(got[:1] == [parent], f'{name}: {a} under {got[:1]}, sysfs: {parent}')
    labelled = [ln for ln in out.splitlines() if LABEL.search(ln)]
    leaves = [a for a, (_, br) in facts.items() if not br]
    check(len(labelled) == len(leaves),
          f'{name}: {len(labelled)} labelled lines, {len(leaves)} functions')


def check_lspci(binary, name, root, out):
    lspci = shutil.which('lspci') or shutil.which('lspci', path='/usr/bin:/sbin:/usr/sbin')
    ids = os.path.join(root, 'usr/share/misc/pci.ids')
    # pciutils is a build dependency (scripts/install-deps.sh): a missing
    # lspci fails, it does not shrink the check
    check(bool(lspci) and os.path.exists(ids),
          f'{name}: no lspci or no fixture pci.ids to compare with')
    if not lspci or not os.path.exists(ids):
        return
    with tempfile.NamedTemporaryFile('w', suffix='.dump') as f:
        f.write(config_dump(root))
        f.flush()
        r = subprocess.run([lspci, '-tv', '-F', f.name, '-i', ids],
                           capture_output=True, text=True)
    ours = '\n'.join(LABEL.sub('', ln) for ln in out.splitlines()) + '\n'
    check(r.returncode == 0 and ours == r.stdout,
          f'{name}: not what lspci -tv draws:\n--- lspci\n{r.stdout}--- ours\n{ours}')


def check_class(binary, name, root):
    rc, out, _ = run(binary, root, 'list', '--tree', '--class', 'gpu')
    full = sysfs(root)
    _, groups_text, _ = run(binary, root, 'list', '--class', 'gpu')
    want = set(re.findall(r'^  [ *] (\S+) ', groups_text, re.M))
    placed = {a for a, _ in parse_tree(out)}
    # the matching groups' functions, and the bridges above them
    needed = set(want)
    for a in want:
        p = full[a][0]
        while p:
            needed.add(p)
            p = full[p][0]
    check(rc == 0 and placed == needed,
          f'{name}: --tree --class gpu drew {sorted(placed)}, '
          f'want {sorted(needed)}')
    marked = {a for a in placed for ln in out.splitlines()
              if ln.endswith(' *') and a[-4:] in ln}
    check(out.rstrip().endswith('* = matches --class gpu') and marked,
          f'{name}: --class marks and legend:\n{out}')


def check_json_refused(binary, name, root):
    for args in (('-j', 'list', '--tree'), ('list', '--tree', '--pretty')):
        rc, out, err = run(binary, root, *args)
        check(rc == 2 and not out and '--tree has no JSON form' in err,
              f'{name}: {" ".join(args)}: exit {rc}, stdout {out!r}, {err!r}')


def check_colour(binary, name, root):
    tree = ('list', '--tree')
    has = lambda s: bool(SGR.search(s))
    for args, extra, want, what in (
            (('--color=always',), {}, True, 'always into a pipe'),
            (('--color', 'always'), {'NO_COLOR': '1'}, True,
             'always beats NO_COLOR=1'),
            (('-C', 'always'), {'TERM': 'dumb'}, True, 'always with TERM=dumb'),
            (('--color=auto',), {'TERM': 'xterm'}, False, 'auto into a pipe'),
            ((), {'TERM': 'xterm'}, False, 'default (auto) into a pipe'),
            (('--color=never',), {}, False, 'never')):
        for form in (tree, ('list',)):
            rc, out, _ = run(binary, root, *form, *args, **extra)
            check(rc == 0 and has(out) == want,
                  f'{name}: {" ".join(form + args)} {extra}: {what}: '
                  f'SGR {"missing" if want else "present"}')
    for args, extra, want, what in (
            ((), {'TERM': 'xterm'}, True, 'auto on a terminal'),
            (('--color=auto',), {'TERM': 'xterm', 'NO_COLOR': '1'}, False,
             'NO_COLOR=1 on a terminal'),
            (('--color=auto',), {'TERM': 'xterm', 'NO_COLOR': ''}, True,
             'NO_COLOR empty on a terminal'),
            (('--color=auto',), {'TERM': 'dumb'}, False, 'TERM=dumb'),
            (('--color=auto',), {}, False, 'TERM unset'),
            (('--color=never',), {'TERM': 'xterm'}, False, 'never on a terminal')):
        rc, out = run_on_tty(binary, root, *tree, *args, **extra)
        check(rc == 0 and has(out) == want,
              f'{name}: list --tree {" ".join(args)} {extra}: {what}: '
              f'SGR {"missing" if want else "present"}')
    rc, out = run_on_tty(binary, root, '-j', 'list', '--color=always',
                         TERM='xterm')
    check(rc == 0 and out.lstrip().startswith('{') and not has(out),
          f'{name}: JSON with --color=always on a terminal has SGR')
    rc, out, err = run(binary, root, 'list', '--color=sometimes')
    check(rc == 2 and not out and "unknown --color 'sometimes'" in err,
          f'{name}: --color=sometimes: exit {rc}, {err!r}')
    # colour must not move the drawing: the same text once SGR is removed
    _, plain, _ = run(binary, root, *tree)
    _, col, _ = run(binary, root, *tree, '--color=always')
    check(SGR.sub('', col) == plain, f'{name}: colour changes the text')


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    cases = sys.argv[2:] or sorted(
        os.path.join(HERE, d) for d in os.listdir(HERE)
        if os.path.isdir(os.path.join(HERE, d, 'root')))
    for case in cases:
        name, root = os.path.basename(case), os.path.join(case, 'root')
        rc, out, err = run(binary, root, 'list', '--tree')
        check(rc == 0 and not err, f'{name}: list --tree: exit {rc}, {err!r}')
        check_golden(binary, case, root, out)
        check_rules(name, root, out)
        check_lspci(binary, name, root, out)
        check_class(binary, name, root)
        check_json_refused(binary, name, root)
        check_colour(binary, name, root)
    sys.exit(check.done())


if __name__ == '__main__':
    main()
