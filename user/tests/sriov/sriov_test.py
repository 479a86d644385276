#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`pcipass sriov ADDR` (the show path) on a fixture root, without the
module.

usage: sriov_test.py PCIPASS_TEST

The root is put together here: two SR-IOV NVMe PFs as the guest
topology has them (tests/vm/topology.sh): 0a:00.0 on nvme with two VFs
in groups of their own (one on vfio-pci with a driver_override, one
unbound), autoprobe 1; 14:00.0 whose VFs share the PF's group (and
its root port's), autoprobe 0; a plain function without SR-IOV and a VF.  Checked:

  - text and JSON carry the same facts, each against the fixture:
    total/enabled VFs, autoprobe, the PF's driver and group, each VF's
    address, group, driver, override and group peers;
  - the shared-group warning on 14:00.0 (once, naming the PF and the
    other VF, not the root port in the group: bridges stay with the
    host), none on 0a:00.0;
  - the JSON validates against schema/pcipass-sriov.schema.json;
  - refusals with exit 1 and a message naming the reason: a function
    without SR-IOV, a VF (naming its PF), a missing function; usage
    errors (exit 2): no ADDR, a slot, --claim without --vfs, --driver
    without --claim, --persist without --vfs, --vfs not a number.

Prints one line per failure and "sriov: N passed, N failed" last.
"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
TOP = os.path.dirname(os.path.dirname(TESTS))
sys.path.insert(0, TESTS)
sys.path.insert(0, os.path.join(TOP, 'tests', 'e2e'))
from harness import Checks, run  # noqa: E402

check = Checks('sriov')

# PF -> (driver, group, autoprobe, [(vf, group, driver, override)])
PFS = {
    '0000:0a:00.0': ('nvme', 12, 1,
                     [('0000:0a:00.1', 13, 'vfio-pci', 'vfio-pci'),
                      ('0000:0a:00.2', 14, None, None)]),
    '0000:14:00.0': ('nvme', 20, 0,
                     [('0000:14:00.1', 20, None, None),
                      ('0000:14:00.2', 20, None, None)]),
}
PLAIN = '0000:00:03.0'
PORT = '0000:00:0c.0'			# a bridge, in 14:00.0's group


def mk(path, text=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if text is not None:
        with open(path, 'w') as f:
            f.write(text)


def link(path, target):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(target, path)


def build(root):
    sysd = os.path.join(root, 'sys')
    devs = os.path.join(sysd, 'devices', 'pci0000:00')
    bus = os.path.join(sysd, 'bus', 'pci', 'devices')
    drv = os.path.join(sysd, 'bus', 'pci', 'drivers')
    grp = os.path.join(sysd, 'kernel', 'iommu_groups')
    os.makedirs(bus)

    def function(addr, group, driver, override):
        d = os.path.join(devs, addr)
        mk(os.path.join(d, 'vendor'), '0x1b36\n')
        mk(os.path.join(d, 'driver_override'), (override or '(null)') + '\n')
        link(os.path.join(bus, addr), os.path.relpath(d, bus))
        g = os.path.join(grp, str(group), 'devices')
        os.makedirs(g, exist_ok=True)
        link(os.path.join(g, addr), os.path.relpath(d, g))
        link(os.path.join(d, 'iommu_group'),
             os.path.relpath(os.path.join(grp, str(group)), d))
        if driver:
            os.makedirs(os.path.join(drv, driver), exist_ok=True)
            link(os.path.join(d, 'driver'),
                 os.path.relpath(os.path.join(drv, driver), d))
        return d

    for pf, (driver, group, auto, vfs) in PFS.items():
        d = function(pf, group, driver, None)
        mk(os.path.join(d, 'sriov_totalvfs'), '2\n')
        mk(os.path.join(d, 'sriov_numvfs'), f'{len(vfs)}\n')
        mk(os.path.join(d, 'sriov_drivers_autoprobe'), f'{auto}\n')
        for i, (vf, vgroup, vdrv, vov) in enumerate(vfs):
            v = function(vf, vgroup, vdrv, vov)
            link(os.path.join(d, f'virtfn{i}'), os.path.relpath(v, d))
            link(os.path.join(v, 'physfn'), os.path.relpath(d, v))
    function(PLAIN, 3, 'e1000e', None)
    # the root port above 14:00.0, in its group as on the guest: a bridge
    d = function(PORT, 20, 'pcieport', None)
    mk(os.path.join(d, 'class'), '0x060400\n')
    with open(os.path.join(d, 'config'), 'wb') as f:
        f.write(bytes(14) + b'\x01' + bytes(49))	# header type 1: a bridge


def expect_text(pf, out):
    driver, group, auto, vfs = PFS[pf]
    check(out.startswith(f'{pf} (driver {driver}), IOMMU group {group}\n'),
          f'{pf}: text head: {out.splitlines()[:1]}')
    check(f'VFs: {len(vfs)} of 2 enabled, drivers_autoprobe '
          f'{"yes" if auto else "no"}' in out, f'{pf}: text counts: {out!r}')
    for i, (vf, vgroup, vdrv, vov) in enumerate(vfs):
        line = (f'  virtfn{i} {vf}  group {vgroup}  driver {vdrv or "none"}'
                f'  override {vov or "none"}')
        check(line in out.splitlines(), f'{pf}: text line {line!r} in {out!r}')


def expect_json(pf, doc):
    driver, group, auto, vfs = PFS[pf]
    check(doc['address'] == pf and doc['driver'] == driver
          and doc['iommu_group'] == group, f'{pf}: json pf {doc}')
    check(doc['total_vfs'] == 2 and doc['num_vfs'] == len(vfs)
          and doc['drivers_autoprobe'] is bool(auto), f'{pf}: json counts')
    got = [(v['address'], v['iommu_group'], v['driver'],
            v['driver_override']) for v in doc['vfs']]
    check(got == [tuple(v) for v in vfs], f'{pf}: json vfs {got}')
    check([v['index'] for v in doc['vfs']] == list(range(len(vfs))),
          f'{pf}: json indexes')
    for v, (vf, vgroup, _, _) in zip(doc['vfs'], vfs):
        peers = sorted(a for a, g in
                       [(pf, group), (PORT, 20)] + [(x[0], x[1]) for x in vfs]
                       if g == vgroup and a != vf)
        check(v['shares_group_with'] == peers,
              f'{pf}: {vf} peers {v["shares_group_with"]} != {peers}')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    root = tempfile.mkdtemp(prefix='pcipass-sriov-')
    try:
        build(root)
        for pf in PFS:
            rc, out, err = run(binary, root, 'sriov', pf[5:])
            check(rc == 0 and not err, f'{pf}: text rc {rc} {err!r}')
            expect_text(pf, out)
            rc, js, err = run(binary, root, '--json', 'sriov', pf)
            check(rc == 0, f'{pf}: json rc {rc} {err!r}')
            doc = json.loads(js)
            expect_json(pf, doc)
            try:
                import schemacheck
                bad = schemacheck.errors(doc, 'sriov')
                check(not bad, f'{pf}: schema: {bad}')
            except schemacheck.SchemaError as e:
                check(False, f'{pf}: schema: {e}')
            warns = [l for l in out.splitlines() if l.startswith('warning:')]
            if pf.startswith('0000:14'):
                check(len(warns) == 1 and len(doc['warnings']) == 1,
                      f'{pf}: one shared-group warning: {warns}')
                check(warns and 'with its PF 0000:14:00.0, VF' in warns[0]
                      and 'VF 0000:14:00.2' in warns[0]
                      and 'whole group' in warns[0],
                      f'{pf}: warning words: {warns}')
                check(warns and warns[0] == 'warning: ' + doc['warnings'][0],
                      f'{pf}: text and json warning differ')
            else:
                check(not warns and doc['warnings'] == [],
                      f'{pf}: no warning: {warns}')

        for args, status, words in [
                (['sriov', '00:03.0'], 1, 'not an SR-IOV physical function'),
                (['sriov', '0a:00.1'], 1, 'its PF is 0000:0a:00.0'),
                (['sriov', '0b:00.0'], 1, 'no PCI function 0000:0b:00.0'),
                (['sriov'], 2, 'missing ADDR'),
                (['sriov', '0a:00'], 2, 'invalid address'),
                (['sriov', '0a:00.0', '--claim'], 2, '--claim goes with'),
                (['sriov', '0a:00.0', '--vfs', '0', '--claim'], 2,
                 '--claim goes with'),
                (['sriov', '0a:00.0', '--vfs', '2', '--driver', 'x'], 2,
                 '--driver goes with --claim'),
                (['sriov', '0a:00.0', '--vfs', 'two'], 2, '--vfs wants'),
                (['sriov', '0a:00.0', '--persist'], 2,
                 '--persist goes with --vfs N'),
                (['sriov', '0a:00.0', '--vfs', '3'], 2, 'at most 2 VFs'),
                (['sriov', '0a:00.0', '--vfs', '1'], 6, 'through 0'),
                (['sriov', '0a:00.0', '--vfs', '2'], 0, None)]:
            rc, out, err = run(binary, root, *args)
            check(rc == status, f'{args}: exit {rc}, not {status} ({err!r})')
            if words:
                check(words in err, f'{args}: {words!r} not in {err!r}')
        # a refused count change leaves a document with the reason
        rc, js, err = run(binary, root, '--json', 'sriov', '0a:00.0',
                          '--vfs', '1')
        doc = json.loads(js) if js else {}
        check(doc.get('outcome') == 'refused' and 'through 0' in
              (doc.get('reason') or ''), f'--vfs 1 json: {doc}')
        check(doc.get('sriov', {}).get('num_vfs') == 2, '--vfs 1: state')
        bad = schemacheck.errors(doc, 'sriov')
        check(not bad, f'--vfs 1 json schema: {bad}')
    finally:
        shutil.rmtree(root)
    sys.exit(check.done())


if __name__ == '__main__':
    main()
