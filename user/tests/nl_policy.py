#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The CLI's netlink attribute policies against the spec.

usage: nl_policy.py NL_POLICY_DUMP [SPEC]
       (default SPEC: Documentation/netlink/specs/pcipass.yaml)

NL_POLICY_DUMP (tests/nl_policy_dump.c) prints every policy of
user/nl/policy.c as compiled: the ids are the uapi header's enum values,
the types libnl's.  Each must agree with the spec's attribute set of the
same name:

  - every attribute set of the spec has a policy, and no policy names a
    set the spec lacks;
  - a policy's bound (the header's ..._MAX) is the set's last id, so the
    header the CLI was built with is the spec's;
  - every attribute of the set is in the policy, at its id, with the
    spec's type (s32 as u32: libnl checks only an integer's length), and
    the policy types nothing else.

Then the same checks run on copies broken on purpose (a type changed, an
attribute dropped, one moved to another id, a bound off by one): each must
be caught, or this test could not fail.  Prints what differs and a
"nl policy: N passed, N failed" line; exits 1 on any failure.
"""
import os
import subprocess
import sys

import yaml

from harness import Checks

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(TOP, 'Documentation', 'netlink', 'specs', 'pcipass.yaml')

# the spec's type -> what the policy may say
COMPATIBLE = {'s32': {'u32'}, 's8': {'u8'}, 's16': {'u16'}, 's64': {'u64'}}


def from_spec(path):
    """{set: {id: (attribute name, type)}}, ids as the generated header
    numbers them: from 1, or from an attribute's explicit value on."""
    with open(path, encoding='utf-8') as f:
        spec = yaml.safe_load(f)
    sets = {}
    for aset in spec.get('attribute-sets', []):
        attrs, nxt = {}, 1
        for a in aset['attributes']:
            nxt = a.get('value', nxt)
            attrs[nxt] = (a['name'], a['type'])
            nxt += 1
        sets[aset['name']] = attrs
    return sets


def from_cli(dump):
    """({set: maxtype}, {set: {id: type}}) from the dump program."""
    out = subprocess.run([dump], capture_output=True, text=True, check=True).stdout
    bounds, types = {}, {}
    for line in out.splitlines():
        f = line.split()
        if f[0] == 'set':
            bounds[f[1]] = int(f[2])
            types[f[1]] = {}
        elif f[0] == 'attr':
            types[f[1]][int(f[2])] = f[3]
    return bounds, types


def compare(spec, bounds, types):
    """The differences, one sentence each; [] when they agree."""
    errs = []
    for name in sorted(set(spec) - set(types)):
        errs.append(f'{name}: the spec\'s attribute set has no policy in nl/policy.c')
    for name in sorted(set(types) - set(spec)):
        errs.append(f'{name}: a policy for a set the spec does not have')
    for name in sorted(set(spec) & set(types)):
        want, have = spec[name], types[name]
        last = max(want, default=0)
        if bounds[name] != last:
            errs.append(f'{name}: policy bound {bounds[name]}, the spec\'s '
                        f'last id {last} (uapi header out of date?)')
        for i, (aname, atype) in sorted(want.items()):
            ok = {atype} | COMPATIBLE.get(atype, set())
            if i not in have:
                errs.append(f'{name}.{aname} (id {i}): not in the policy')
            elif have[i] not in ok:
                errs.append(f'{name}.{aname} (id {i}): policy says {have[i]},'
                            f' the spec {atype}')
        for i in sorted(set(have) - set(want)):
            errs.append(f'{name}: policy types id {i} ({have[i]}), '
                        f'the spec has no such attribute')
    return errs


def broken_copies(bounds, types):
    """(what was broken, bounds, types) copies, each one mistake."""
    def copy():
        return dict(bounds), {k: dict(v) for k, v in types.items()}
    for name in sorted(types):
        if len(types[name]) < 2:
            continue
        ids = sorted(types[name])
        b, t = copy()
        t[name][ids[0]] = 'string' if t[name][ids[0]] != 'string' else 'u32'
        yield f'{name}: the type of id {ids[0]} changed', b, t
        b, t = copy()
        del t[name][ids[-1]]
        yield f'{name}: id {ids[-1]} dropped', b, t
        b, t = copy()
        t[name][ids[-1] + 1] = t[name].pop(ids[-1])
        b[name] += 1
        yield f'{name}: id {ids[-1]} moved to {ids[-1] + 1}', b, t
        b, t = copy()
        b[name] -= 1
        yield f'{name}: bound one less', b, t
        break
    b, t = copy()
    t.pop(sorted(t)[0])
    yield 'a whole set left out', b, t


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.split('\n\n')[1])
    spec = from_spec(sys.argv[2] if len(sys.argv) == 3 else SPEC)
    bounds, types = from_cli(sys.argv[1])
    check = Checks('nl policy')
    errs = compare(spec, bounds, types)
    # one check, but a FAIL line for each difference
    check(not errs, '\nFAIL nl policy: '.join(errs))
    for what, b, t in broken_copies(bounds, types):
        check(compare(spec, b, t), f'a copy with {what} was not caught')
    sys.exit(check.done(f'({len(types)} attribute sets, '
                        f'{sum(len(v) for v in types.values())} attributes)'))


if __name__ == '__main__':
    main()
