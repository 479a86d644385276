#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`pcipass export proxmox-mapping` and `pcipass drift` on a fixture root.

usage: proxmox_test.py PCIPASS_TEST

PCIPASS_TEST is the test build, which reads PCIPASS_SYSROOT's sysfs; both
commands read sysfs only (no module).  The root is tests/tree/desktop's
(a GPU and its audio function in slot 0000:01:00, a two-port NIC in
0000:81:00, an NVMe, a PCIe switch, ...), each function given its own
subsystem IDs here, and two functions given the same IDs for an
ambiguous case.  What the commands must say is computed here from that
sysfs by Proxmox's rules (PVE/Mapping/PCI.pm's assert_valid: the id and
subsystem-id at each path, a path without function checked against
function 0, the iommugroup of the first path), never from their output:

  - export: a slot gives one map with a path without function and
    function 0's IDs, a function its own; the pvesh command, the
    pci.cfg section (--config), --json (against its schema), --output,
    node= the host's name up to the first dot or --node; errors for a
    missing function, a bad name, a bad address, --json with --output;
    and its section fed back to drift matches (exit 0);
  - drift on pci.cfg.in (the cases there: a whole slot and a function
    that match, a card moved (function 0 and function 1), a swapped
    card, a renumbered group, an absent card, an ambiguous one, another
    node's map): each map's status, what is at each path, where it
    went, the corrected map; the summary counts; exit 3; the default
    file under the root; --node picking another node's maps;
  - drift on pci-bad.cfg: an error naming FILE:LINE for exactly the bad
    lines, the good map still judged, exit 4; a missing file, exit 4.

Prints one line per failure and "proxmox: N passed, N failed" last.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
TOP = os.path.dirname(os.path.dirname(TESTS))
DESKTOP = os.path.join(TESTS, 'tree', 'desktop', 'root')
BAD_LINES = [5, 8, 9, 10, 11, 12, 13, 14, 15]
TWINS = ('0000:00:02.0', '0000:00:14.0')   # given the same IDs here
NODE = 'pve-test'

sys.path.insert(0, os.path.join(TOP, 'tests', 'e2e'))
import schemacheck  # noqa: E402

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f'FAIL proxmox: {what}')


def run(binary, root, *args):
    env = dict(os.environ, PCIPASS_SYSROOT=root)
    r = subprocess.run([binary, *args], capture_output=True, text=True,
                       env=env)
    return r.returncode, r.stdout, r.stderr


def schema_ok(doc, args):
    try:
        schemacheck.check(doc, list(args))
        return True
    except schemacheck.SchemaError as e:
        print(e)
        return False


# ------------------------------------------------------------ the fixture

def devs_dir(root):
    return os.path.join(root, 'sys/bus/pci/devices')


def write(root, a, attr, value):
    with open(os.path.join(devs_dir(root), a, attr), 'w') as f:
        f.write(value + '\n')


def make_root(tmp):
    """desktop's sysfs; subsystem IDs 1000+i per function, the twins'
    IDs made equal."""
    root = os.path.join(tmp, 'root')
    shutil.copytree(DESKTOP, root, symlinks=True)
    for i, a in enumerate(sorted(os.listdir(devs_dir(root)))):
        write(root, a, 'subsystem_vendor', '0x1028')
        write(root, a, 'subsystem_device', '0x%04x' % (0x1000 + i))
    for attr in ('vendor', 'device', 'subsystem_vendor', 'subsystem_device'):
        with open(os.path.join(devs_dir(root), TWINS[1], attr)) as f:
            write(root, TWINS[0], attr, f.read().strip())
    return root


def hw(root):
    """{address: dict(id, sub, group)} from sysfs, as Proxmox reads it."""
    out = {}
    for a in os.listdir(devs_dir(root)):
        d = os.path.join(devs_dir(root), a)

        def rd(attr):
            with open(os.path.join(d, attr)) as f:
                return f.read().strip().replace('0x', '')
        g = os.path.join(d, 'iommu_group')
        out[a] = dict(id=f"{rd('vendor')}:{rd('device')}",
                      sub=f"{rd('subsystem_vendor')}:{rd('subsystem_device')}",
                      group=int(os.path.basename(os.readlink(g)))
                      if os.path.islink(g) else None)
    return out


def fill(template, facts, node):
    def sub(m):
        key, a = m.group(1), m.group(2)
        if key == 'node':
            return node
        if key == 'group+100':
            return str(facts[a]['group'] + 100)
        return str(facts[a][key])
    return re.sub(r'\{([a-z+0-9]+)(?::([0-9a-f:.]+))?\}', sub, template)


def map_text(node, path, f):
    """A map as Proxmox writes it: keys sorted."""
    return (f"id={f['id']},iommugroup={f['group']},node={node},"
            f"path={path},subsystem-id={f['sub']}")


# ------------------------------------------------------------ export

def test_export(pt, root, facts, tmp):
    host = os.uname().nodename.split('.')[0]
    gpu, nic1 = '0000:01:00', '0000:81:00.1'
    maps = [map_text(NODE, gpu, facts[gpu + '.0']),
            map_text(NODE, nic1, facts[nic1])]
    rc, out, err = run(pt, root, 'export', 'proxmox-mapping', '--node',
                       NODE, 'gpu', gpu, nic1)
    want = ('pvesh create /cluster/mapping/pci --id gpu' +
            ''.join(f" --map '{m}'" for m in maps) + '\n')
    check(rc == 0 and out == want and not err,
          f'export pvesh: exit {rc}\n{out}{err}want\n{want}')
    rc, cfg, err = run(pt, root, 'export', 'proxmox-mapping', '-n', NODE,
                       '--config', 'gpu', gpu, nic1)
    want_cfg = 'gpu\n' + ''.join(f'\tmap {m}\n' for m in maps)
    check(rc == 0 and cfg == want_cfg, f'export --config:\n{cfg}{err}')
    rc, out, err = run(pt, root, '--json', 'export', 'proxmox-mapping',
                       '--node', NODE, 'gpu', gpu, nic1)
    doc = json.loads(out) if rc == 0 else {}
    check(schema_ok(doc, ['export', 'proxmox-mapping']), 'export --json schema')
    fns = sorted(a for a in facts if a.startswith(gpu + '.'))
    check(len(fns) == 2, f'the fixture\'s slot has two functions: {fns}')
    check(doc.get('node') == NODE and doc.get('mapping') == 'gpu' and
          [m['map'] for m in doc['maps']] == maps and
          doc['maps'][0]['functions'] == fns and
          doc['maps'][1]['functions'] == [nic1] and
          doc['maps'][0]['iommugroup'] == facts[gpu + '.0']['group'] and
          doc['pvesh'] == want and doc['config'] == want_cfg,
          f'export --json: {doc}')
    rc, out, _ = run(pt, root, 'export', 'proxmox-mapping', 'gpu', gpu)
    check(rc == 0 and f',node={host},' in out,
          f'export: node= the host name {host!r} by default: {out}')
    target = os.path.join(tmp, 'gpu.cfg')
    rc, out, _ = run(pt, root, 'export', 'proxmox-mapping', '-n', NODE,
                     '-c', '-o', target, 'gpu', gpu, nic1)
    with open(target) as f:
        check(rc == 0 and not out and f.read() == want_cfg, 'export --output')
    rc, out, err = run(pt, root, 'drift', '--node', NODE, target)
    check(rc == 0 and ': 2 match, 0 stale' in out,
          f'drift on export\'s own section: exit {rc}\n{out}{err}')
    for args, code in ((['gpu', '0000:07:00.0'], 1), (['gpu'], 2),
                       (['9gpu', gpu], 2), (['gpu', 'zz:00'], 2),
                       (['gpu', 'x', '--json', '-o', target], 2)):
        rc, out, err = run(pt, root, 'export', 'proxmox-mapping', *args)
        check(rc == code and not out and err,
              f'export proxmox-mapping {args}: exit {rc} (want {code})')
    rc, out, err = run(pt, root, 'export', 'nfd', '--node', 'x')
    check(rc == 2 and 'proxmox-mapping' in err, 'export nfd --node: usage')


# ------------------------------------------------------------ drift

def parse_cfg(text):
    """[(mapping, line, {key: value})] of each map: a plain split (the
    fixture's one quoted value has a comma only inside quotes)."""
    out, section = [], None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith('#'):
            continue
        if not line[0].isspace():
            section = line.strip()
            continue
        key, _, value = line.strip().partition(' ')
        if key == 'map':
            kv = dict(p.split('=', 1) for p in
                      re.findall(r'(?:[^,"]|"(?:[^"\\]|\\.)*")+', value))
            out.append((section, n, kv))
    return out


def expect_drift(maps, facts, node):
    """Proxmox's rule and where a card went, per map: (status, [(path,
    status, at, found)], fix)."""
    def fn0(path):
        return path if '.' in path else path + '.0'

    def match(kv, a):
        f = facts.get(a)
        return f is not None and f['id'] == kv['id'] and \
            ('subsystem-id' not in kv or f['sub'] == kv['subsystem-id'])
    taken = {fn0(p) for _, _, kv in maps if kv['node'] == node
             for p in kv['path'].split(';') if match(kv, fn0(p))}
    order = ['ok', 'group_changed', 'moved', 'ambiguous', 'swapped', 'absent']
    res = {}
    for name, line, kv in maps:
        if kv['node'] != node:
            res[line] = ('skipped', [], None)
            continue
        paths, new = [], []
        for i, p in enumerate(kv['path'].split(';')):
            a = fn0(p)
            if match(kv, a):
                st = ('ok' if i or 'iommugroup' not in kv or
                      int(kv['iommugroup']) == facts[a]['group']
                      else 'group_changed')
                found, now = [], a
            else:
                found = sorted(b for b in facts if b != a and
                               b[-1] == a[-1] and match(kv, b) and
                               b not in taken)
                st = ('moved' if len(found) == 1 else
                      'ambiguous' if found else
                      'swapped' if a in facts else 'absent')
                now = found[0] if st == 'moved' else \
                    a if st == 'swapped' else None
            paths.append((p, st, a if a in facts else None, found))
            new.append((p if '.' in p else None, now))
        st = max((x[1] for x in paths), key=order.index)
        fix = None
        if st != 'ok' and all(now for _, now in new):
            first = facts[new[0][1]]
            fix = map_text(node, ';'.join(now if keep else now[:-2]
                                          for keep, now in new), first)
            if 'description' in kv:
                fix = f"description={kv['description']}," + fix
        res[line] = (st, paths, fix)
    return res


def test_drift(pt, root, facts):
    with open(os.path.join(HERE, 'pci.cfg.in')) as f:
        text = fill(f.read(), facts, NODE)
    cfg = os.path.join(root, 'etc/pve/mapping/pci.cfg')
    os.makedirs(os.path.dirname(cfg))
    with open(cfg, 'w') as f:
        f.write(text)
    maps = parse_cfg(text)
    want = expect_drift(maps, facts, NODE)
    statuses = sorted(w[0] for w in want.values())
    for must in ('ok', 'group_changed', 'moved', 'ambiguous', 'swapped',
                 'absent', 'skipped'):
        check(must in statuses, f'pci.cfg.in has a case for {must}')

    rc, out, err = run(pt, root, '--json', 'drift', '--node', NODE, cfg)
    check(rc == 3 and not err, f'drift: exit {rc} (want 3), {err!r}')
    doc = json.loads(out)
    check(schema_ok(doc, ['drift']), 'drift --json schema')
    got = {e['line']: e for e in doc['entries']}
    check(sorted(got) == sorted(want), f'drift: lines {sorted(got)}')
    for line, (st, paths, fix) in want.items():
        e = got.get(line, {})
        gp = [(p['path'], p['status'], p['at'] and p['at']['address'],
               p['found_at']) for p in e.get('paths', [])]
        check(e.get('status') == st and gp == paths and
              e.get('fix', None) == fix,
              f'drift line {line}: {e}\nwant {st} {paths} {fix}')
        for p in e.get('paths', []):
            at = p['at']
            if at:
                f = facts[at['address']]
                check(at['id'] == f['id'] and at['subsystem_id'] == f['sub']
                      and at['iommugroup'] == f['group'],
                      f'drift line {line}: at {at}')
    n = {s: sum(w[0] == s for w in want.values())
         for s in ('ok', 'skipped')}
    check(doc['maps'] == len(want) and doc['ok'] == n['ok'] and
          doc['skipped'] == n['skipped'] and
          doc['stale'] == len(want) - n['ok'] - n['skipped'],
          f"drift counts {doc['maps']} {doc['ok']} {doc['stale']} "
          f"{doc['skipped']}")

    # text: one line per map, a line per stale path, the fix
    rc, txt, _ = run(pt, root, 'drift', '--node', NODE)
    check(rc == 3 and txt.startswith(cfg + f': node {NODE}'),
          f'drift: the default file under the root: exit {rc}\n{txt}')
    for line, (st, paths, fix) in want.items():
        name = next(m for m, n, _ in maps if n == line)
        check(f'{name} (line {line}): {st}' in txt, f'text: {name} {st}')
        if fix:
            check(f'    now: map {fix}\n' in txt, f'text: fix of {name}')
    moved = [p for _, ps, _ in want.values() for p in ps if p[1] == 'moved']
    for p in moved:
        check(f'    {p[0]}: moved to {p[3][0]}' in txt, f'text: {p[0]} moved')

    rc, out, _ = run(pt, root, '--json', 'drift', '--node', 'elsewhere', cfg)
    doc = json.loads(out)
    check(rc == 3 and [e['status'] for e in doc['entries']].count('skipped')
          == len(want) - 1, f'drift --node elsewhere: exit {rc}')
    rc, _, err = run(pt, root, 'drift', os.path.join(root, 'nope.cfg'))
    check(rc == 4 and 'nope.cfg' in err, f'drift on a missing file: exit {rc}')
    rc, _, err = run(pt, root, 'drift', '--node', 'bad_node', cfg)
    check(rc == 2, f'drift --node bad_node: a usage error (exit {rc})')


def test_bad(pt, root):
    bad = os.path.join(HERE, 'pci-bad.cfg')
    rc, out, err = run(pt, root, '--json', 'drift', '--node', 'pve', bad)
    lines = [int(m) for m in re.findall(r'^' + re.escape(bad) + r':(\d+): ',
                                        err, re.M)]
    check(rc == 4 and lines == BAD_LINES and len(err.splitlines()) ==
          len(BAD_LINES), f'pci-bad.cfg: exit {rc}, lines {lines}\n{err}')
    doc = json.loads(out) if out else {}
    check([(e['line'], e['status']) for e in doc.get('entries', [])] ==
          [(7, 'ok')], f'pci-bad.cfg: its good map judged: {doc}')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    pt = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp)
        facts = hw(root)
        test_export(pt, root, facts, tmp)
        test_drift(pt, root, facts)
        test_bad(pt, root)
    print(f'proxmox: {passed} passed, {failed} failed')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
