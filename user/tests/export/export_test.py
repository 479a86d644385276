#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`pcipass export prometheus|nfd` on a fixture root, without the module.

usage: export_test.py EXPORT_RUN PCIPASS_TEST

EXPORT_RUN is tests/export_run: cmd/export.c with the devices read from
the root's sysfs (PCIPASS_SYSROOT) instead of the kernel module's dump.
The root is put together here: tests/tree/desktop's PCI devices (a GPU
with its audio function on vfio-pci and the audio on the host driver, a
NIC on vfio-pci, chipset functions, bridges, a function without a
group), tests/host/intel-ok's /proc, /sys and /boot for the host checks,
an SR-IOV capable NIC, a Proxmox hook's record of the vfio group and a
claims.conf with a matching, a mismatching and an absent entry.
Checked:

  - Prometheus: `promtool check metrics` accepts the output and has no
    lint finding (promtool missing fails the test); every family has
    HELP and TYPE lines before its samples, names have the pcipass_
    prefix; every value against what this script computes from the
    fixture's sysfs by the rules of README.md (group states, each
    function's isolation verdict, the VM, SR-IOV), the host checks
    against `pcipass-test --json host` on the same root, the persisted
    entries against the ones written here;
  - NFD: the documented feature file syntax (name[=value] lines and #
    comments; names prefix/name with a valid Kubernetes label name,
    values valid label values; no name twice; under 64 KiB) and each
    label's value, computed here;
  - --output: the file equals stdout's output, is mode 0644, replaced by
    rename (a hard link to the old file keeps the old content), with no
    file left beside it and TMPDIR not used; a reader polling the file
    while it is rewritten 30 times only ever sees a whole document, and
    no name but the file's own and dot files appears in the directory;
    an unwritable place fails with exit 1 and creates nothing;
  - usage errors: no format, an unknown one, an extra argument, --json.

Prints one line per failure and "export: N passed, N failed" last.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, TESTS)
from harness import Checks, run  # noqa: E402

DESKTOP = os.path.join(TESTS, 'tree', 'desktop', 'root')
HOST = os.path.join(TESTS, 'host', 'intel-ok', 'root')
SRIOV_NIC = '0000:81:00.0'
VM_GROUP_MEMBER = '0000:06:00.0'
CLASSES = {'gpu': (0x03, 16), 'net': (0x02, 16), 'usb': (0x0c03, 8),
           'storage': (0x01, 16), 'nvme': (0x0108, 8)}

check = Checks('export')


# ------------------------------------------------------------ the fixture

def devs_dir(root):
    return os.path.join(root, 'sys/bus/pci/devices')


def link_name(path):
    return os.path.basename(os.readlink(path)) if os.path.islink(path) else None


def read_hex(root, a, attr):
    with open(os.path.join(devs_dir(root), a, attr)) as f:
        return int(f.read().strip(), 16)


def persist_path(root, a):
    """persist/ident.c's path: the chain of dd.f under the root bus."""
    real = os.path.realpath(os.path.join(devs_dir(root), a))
    parts = real[len(os.path.realpath(root)):].split('/')
    fns = [p for p in parts if re.fullmatch(r'[0-9a-f]{4}:[0-9a-f]{2}:'
                                            r'[0-9a-f]{2}\.[0-7]', p)]
    return fns[0][:8] + '/'.join(p[8:] for p in fns)


def make_root(tmp):
    root = os.path.join(tmp, 'root')
    shutil.copytree(DESKTOP, root, symlinks=True)
    shutil.copytree(HOST, root, symlinks=True, dirs_exist_ok=True)
    groups = os.path.join(root, 'sys/kernel/iommu_groups')
    shutil.rmtree(groups)
    os.makedirs(groups)
    for a in os.listdir(devs_dir(root)):
        g = link_name(os.path.join(devs_dir(root), a, 'iommu_group'))
        if g:
            os.makedirs(os.path.join(groups, g, 'devices'), exist_ok=True)
        drv = link_name(os.path.join(devs_dir(root), a, 'driver'))
        if drv:     # as in sysfs: the links resolve (the hook records need it)
            os.makedirs(os.path.join(root, 'sys/bus/pci/drivers', drv),
                        exist_ok=True)
    with open(os.path.join(devs_dir(root), SRIOV_NIC, 'sriov_totalvfs'),
              'w') as f:
        f.write('8\n')
    vm = os.path.join(root, 'run/pcipass/vm')
    os.makedirs(vm)
    g = link_name(os.path.join(devs_dir(root), VM_GROUP_MEMBER, 'iommu_group'))
    with open(os.path.join(vm, VM_GROUP_MEMBER), 'w') as f:
        f.write(f'owner proxmox:101\ngroup {g}\ndriver vfio-pci\n'
                f'release yes\nmember {VM_GROUP_MEMBER}\n')
    ids = {a: '%04x:%04x' % (read_hex(root, a, 'vendor'),
                             read_hex(root, a, 'device'))
           for a in ('0000:06:00.0', '0000:05:00.0')}
    conf = os.path.join(root, 'etc/pcipass')
    os.makedirs(conf)
    entries = {
        persist_path(root, '0000:06:00.0'): (ids['0000:06:00.0'], 'present'),
        persist_path(root, '0000:05:00.0'): ('1af4:1041', 'other_device'),
        '0000:00:1b.0/00.0': ('8086:10d3', 'absent'),
    }
    with open(os.path.join(conf, 'claims.conf'), 'w') as f:
        f.write('# pcipass persisted claims\n')
        for p, (i, _) in entries.items():
            f.write(f'{p} {i} driver=vfio-pci\n')
    return root, entries


def expected(root):
    """What export must say, from sysfs by README.md's rules."""
    devs = {}
    for a in os.listdir(devs_dir(root)):
        d = os.path.join(devs_dir(root), a)
        g = link_name(os.path.join(d, 'iommu_group'))
        devs[a] = dict(group=g, driver=link_name(os.path.join(d, 'driver')),
                       cls=read_hex(root, a, 'class'),
                       vendor=read_hex(root, a, 'vendor'),
                       device=read_hex(root, a, 'device'),
                       bridge=os.path.exists(os.path.join(
                           d, 'secondary_bus_number')),
                       vfs=int(open(os.path.join(d, 'sriov_totalvfs')).read())
                       if os.path.exists(os.path.join(d, 'sriov_totalvfs'))
                       else 0)
    groups = {}
    for a, d in devs.items():
        if d['group'] is not None:
            groups.setdefault(d['group'], []).append(a)

    def vfio(drv):
        return drv is not None and (drv == 'vfio-pci' or
                                    drv.endswith(('vfio_pci', 'vfio-pci')))

    states = {}
    for g, members in groups.items():
        kinds = []
        for a in members:
            d = devs[a]
            if d['bridge'] and d['driver'] in (None, 'pcieport'):
                continue
            kinds.append('free' if d['driver'] in (None, 'pci-stub') else
                         'vfio' if vfio(d['driver']) else 'host')
        states[g] = ('bridge' if not kinds else
                     'partial' if 'vfio' in kinds and 'host' in kinds else
                     'vfio' if 'vfio' in kinds else
                     'host' if 'host' in kinds else 'unbound')

    def stays(d):
        return d['bridge'] or d['cls'] >> 8 == 0x0600

    def chipset(d):
        return d['cls'] >> 8 in (0x0601, 0x0602, 0x0603, 0x0c05)

    verdicts = {}
    for a, d in devs.items():
        if stays(d):
            continue
        if d['group'] is None:
            verdicts[a] = 'no_iommu'
            continue
        comp = [m for m in groups[d['group']] if m != a and not stays(devs[m])]
        slots = {x.rsplit('.', 1)[0] for x in comp + [a]}
        if len(slots) > 1 or any(chipset(devs[x]) for x in comp + [a]):
            verdicts[a] = 'not_isolatable'
        elif comp:
            verdicts[a] = 'needs_companions'
        else:
            verdicts[a] = 'ready'
    return devs, groups, states, verdicts


# ------------------------------------------------------------ prometheus

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')


def parse_prom(text):
    """{family: [(labels dict, value)]}; checks HELP/TYPE order."""
    fams, helped, typed, seen_done = {}, set(), set(), set()
    cur = None
    for line in text.splitlines():
        if line.startswith('# HELP '):
            name = line.split()[2]
            check(name not in fams and name not in helped,
                  f'{name}: HELP once, before its samples')
            helped.add(name)
            if cur:
                seen_done.add(cur)
            cur = name
            fams[name] = []
        elif line.startswith('# TYPE '):
            _, _, name, typ = line.split()
            check(name == cur and typ == 'gauge', f'TYPE {name} {typ} after its HELP')
            typed.add(name)
        elif line.startswith('#') or not line:
            check(False, f'unexpected line {line!r}')
        else:
            m = SAMPLE.match(line)
            check(m is not None, f'sample syntax: {line!r}')
            if not m:
                continue
            name, labels, value = m.groups()
            check(name == cur, f'{name}: sample outside its family')
            fams.setdefault(name, []).append(
                (dict(LABEL.findall(labels or '')), float(value)))
    for name in fams:
        check(name.startswith('pcipass_') and name in typed,
              f'{name}: pcipass_ prefix and a TYPE line')
    return fams


def one_hot(fam, key, dim):
    """{key value: the dim value whose sample is 1}; each key exactly one."""
    out, ones = {}, {}
    for labels, v in fam:
        ones.setdefault(labels[key], 0)
        if v == 1:
            ones[labels[key]] += 1
            out[labels[key]] = labels[dim]
        else:
            check(v == 0, f'{key}={labels[key]}: 0/1 state set, got {v}')
    for k, n in ones.items():
        check(n == 1, f'{key}={k}: exactly one {dim} is 1 ({n})')
    return out


def test_prometheus(run_bin, pcipass_test, root, entries):
    rc, text, err = run(run_bin, root, 'export', 'prometheus')
    check(rc == 0 and not err, f'prometheus: exit {rc}, stderr {err!r}')
    promtool = shutil.which('promtool')
    check(promtool is not None,
          'promtool not found (apt-get install prometheus: '
          'scripts/install-deps.sh)')
    if promtool:
        r = subprocess.run([promtool, 'check', 'metrics'], input=text,
                           capture_output=True, text=True)
        check(r.returncode == 0 and not r.stdout.strip() and
              not r.stderr.strip(),
              f'promtool check metrics: exit {r.returncode}: '
              f'{r.stdout}{r.stderr}')
    fams = parse_prom(text)
    devs, groups, states, verdicts = expected(root)

    check(fams['pcipass_iommu_groups'] == [({}, len(groups))],
          f'pcipass_iommu_groups {fams["pcipass_iommu_groups"]}, '
          f'{len(groups)} in sysfs')
    got = one_hot(fams['pcipass_iommu_group_state'], 'group', 'state')
    check(got == states, f'group states {got}, sysfs says {states}')
    for labels, _ in fams['pcipass_iommu_group_state']:
        check(labels['state'] in ('vfio', 'partial', 'host', 'unbound',
                                  'bridge'), f'state {labels}')
    check(len(fams['pcipass_iommu_group_state']) == 5 * len(groups),
          'five states per group')
    claimed = {l['group']: (l['driver'], l['vm'])
               for l, _ in fams['pcipass_iommu_group_claimed_info']}
    vm_group = devs[VM_GROUP_MEMBER]['group']
    want = {g: ('vfio-pci', 'proxmox:101' if g == vm_group else '')
            for g, s in states.items() if s == 'vfio'}
    check(claimed == want, f'claimed {claimed}, expected {want}')
    check(vm_group in claimed, 'the hook record\'s group is claimed for the VM')

    info = {l['address']: l for l, v in fams['pcipass_function_info']}
    check(set(info) == set(devs), f'function_info for {sorted(info)}')
    for a, d in devs.items():
        l = info.get(a, {})
        check(l.get('group') == (d['group'] or '') and
              l.get('driver') == (d['driver'] or '') and
              l.get('vendor_id') == '%04x' % d['vendor'] and
              l.get('device_id') == '%04x' % d['device'] and
              l.get('class') == '%06x' % d['cls'], f'function_info {a}: {l}')
    got = one_hot(fams['pcipass_function_isolation'], 'address', 'verdict')
    check(got == verdicts, f'verdicts {got}, sysfs says {verdicts}')
    for must in ('ready', 'needs_companions', 'not_isolatable', 'no_iommu'):
        check(must in verdicts.values(), f'the fixture has a {must} function')
    check(fams['pcipass_functions_without_iommu_group'] ==
          [({}, sum(d['group'] is None for d in devs.values()))],
          'functions without a group')
    vfs = {l['address']: v for l, v in fams['pcipass_function_sriov_total_vfs']}
    check(vfs == {a: d['vfs'] for a, d in devs.items() if d['vfs']},
          f'sriov_total_vfs {vfs}')

    rc, hj, _ = run(pcipass_test, root, '--json', 'host')
    host = {c['id']: c['status'] for c in json.loads(hj)['checks']}
    got = one_hot(fams['pcipass_host_check'], 'check', 'status')
    check(got == host, f'host checks {got}, pcipass host says {host}')
    check(fams['pcipass_host_ready'] == [({}, float('fail' not in host.values()))],
          'host_ready: no check failed')

    counts = {l['match']: v for l, v in fams['pcipass_persist_entries']}
    want = {m: sum(x[1] == m for x in entries.values())
            for m in ('present', 'moved', 'other_device', 'absent')}
    check(counts == want, f'persist_entries {counts}, written {want}')
    mis = {l['path']: (l['id'], l['match'])
           for l, _ in fams['pcipass_persist_mismatch_info']}
    want = {p: x for p, x in entries.items() if x[1] != 'present'}
    check(mis == want, f'persist mismatches {mis}, written {want}')
    return text


# ------------------------------------------------------------ nfd

NFD_NAME = re.compile(r'^feature\.node\.kubernetes\.io/'
                      r'([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$')
NFD_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')


def test_nfd(run_bin, root):
    rc, text, err = run(run_bin, root, 'export', 'nfd')
    check(rc == 0 and not err, f'nfd: exit {rc}, stderr {err!r}')
    check(len(text.encode()) < 65536, 'nfd: under 64 KiB')
    labels = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            check(not line.startswith('# +'), f'nfd: no directive: {line!r}')
            continue
        name, _, value = line.partition('=')
        m = NFD_NAME.match(name)
        check(m is not None and len(m.group(1)) <= 63,
              f'nfd: label name {name!r}')
        check(NFD_VALUE.match(value) is not None and len(value) <= 63,
              f'nfd: label value {value!r}')
        check(name not in labels, f'nfd: {name} twice')
        labels[name.split('/', 1)[1]] = value
    devs, groups, states, verdicts = expected(root)
    want = {'pcipass-iommu.enabled': 'true' if groups else 'false',
            'pcipass-sriov.capable': 'true' if any(d['vfs'] for d in
                                                   devs.values()) else 'false',
            'pcipass-sriov.pf': str(sum(d['vfs'] > 0 for d in devs.values()))}
    for c, (val, shift) in CLASSES.items():
        fns = [a for a in verdicts if devs[a]['cls'] >> shift == val]
        want[f'pcipass-isolatable.{c}'] = str(sum(
            verdicts[a] in ('ready', 'needs_companions') for a in fns))
        want[f'pcipass-vfio.{c}'] = str(sum(
            states.get(devs[a]['group']) == 'vfio' for a in fns))
    host_ready = labels.pop('pcipass-host.ready', None)
    check(host_ready in ('true', 'false'), 'nfd: host.ready')
    check(labels == want, f'nfd labels {labels}, expected {want}')


# ------------------------------------------------------------ --output

def test_output(run_bin, root, tmp, stdout_text):
    out = os.path.join(tmp, 'textfile')
    os.makedirs(out)
    target = os.path.join(out, 'pcipass.prom')
    with open(target, 'w') as f:
        f.write('old\n')
    os.link(target, os.path.join(tmp, 'old-link'))
    rc, o, err = run(run_bin, root, 'export', 'prometheus', '--output',
                     target, env={'TMPDIR': '/nonexistent'})
    check(rc == 0 and not o and not err, f'--output: exit {rc} {o!r} {err!r}')
    with open(target) as f:
        check(f.read() == stdout_text, '--output: the file is what stdout had')
    check(os.stat(target).st_mode & 0o777 == 0o644, '--output: mode 0644')
    with open(os.path.join(tmp, 'old-link')) as f:
        check(f.read() == 'old\n', '--output: replaced by rename, the old '
              'inode untouched')
    check(os.listdir(out) == ['pcipass.prom'],
          f'--output: nothing left beside it: {os.listdir(out)}')

    # A reader polling the file while it is rewritten sees whole documents.
    stop, bad, names = threading.Event(), [], set()

    def reader():
        while not stop.is_set():
            names.update(os.listdir(out))
            try:
                with open(target) as f:
                    t = f.read()
            except FileNotFoundError:
                bad.append('missing')
                continue
            if t != stdout_text:
                bad.append(len(t))

    th = threading.Thread(target=reader)
    th.start()
    for _ in range(30):
        run(run_bin, root, 'export', 'prometheus', '-o', target)
    stop.set()
    th.join()
    check(not bad, f'--output: a reader saw {len(bad)} partial reads: {bad[:5]}')
    check(all(n == 'pcipass.prom' or n.startswith('.pcipass.prom.')
              for n in names), f'--output: names seen {sorted(names)}')
    check(os.listdir(out) == ['pcipass.prom'], 'no temporary file left')

    missing = os.path.join(tmp, 'no-such-dir', 'x.prom')
    rc, o, err = run(run_bin, root, 'export', 'nfd', '--output', missing)
    check(rc == 1 and 'no-such-dir' in err and not os.path.exists(
        os.path.dirname(missing)), f'--output in a missing directory: exit {rc}')


def test_usage(run_bin, root):
    for args in (['export'], ['export', 'json'],
                 ['export', 'nfd', 'extra'], ['-j', 'export', 'prometheus']):
        rc, o, err = run(run_bin, root, *args)
        check(rc == 2 and not o and 'export' in err,
              f'{" ".join(args)}: a usage error (exit {rc})')


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run_bin, pcipass_test = (os.path.abspath(p) for p in sys.argv[1:])
    with tempfile.TemporaryDirectory() as tmp:
        root, entries = make_root(tmp)
        text = test_prometheus(run_bin, pcipass_test, root, entries)
        test_nfd(run_bin, root)
        test_output(run_bin, root, tmp, text)
        test_usage(run_bin, root)
    sys.exit(check.done())


if __name__ == '__main__':
    main()
