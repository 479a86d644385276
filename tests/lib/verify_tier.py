#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hold one tier's results to what the repository says must have run.

A tier is the host checks or one guest kernel (6.12, 6.1, debug).  Its
TAP files are split into suites: one per file, and selftest.tap once per
selftest program (tests/selftest/run.sh marks each with "# selftest:
PROG").  Then:

  - every suite that tests/expected/counts names for this tier ran exactly
    that many cases (a missing file, an early exit or a stopped guest
    shows as fewer), and no suite ran that the file does not name;
  - every "# SKIP" is on the allowlist tests/expected/skips.

Prints one TAP line per suite and one per skip found, in the tier's own
numbering, and exits 1 when any of them is "not ok".

usage: verify_tier.py TIER TAPFILE...
"""

import fnmatch
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "..", "expected")
RESULT = re.compile(r"^(not )?ok \d+ (.*)$")
SKIP = re.compile(r"#\s*SKIP\b\s*(.*)$", re.IGNORECASE)


def read_table(name, ncols):
    """Rows of a whitespace-separated file, comments and blanks dropped;
    the last column takes the rest of the line."""
    rows = []
    with open(os.path.join(EXPECTED, name)) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            cols = line.split(None, ncols - 1)
            if len(cols) != ncols:
                sys.exit(f"tests/expected/{name}:{lineno}: want {ncols} columns")
            rows.append(cols)
    return rows


def suites_of(path):
    """{suite: [(ok, name, skip reason or None)]} of one TAP file."""
    base = os.path.basename(path)[:-len(".tap")]
    suites, cur = {}, base
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if base == "selftest" and line.startswith("# selftest: ") \
                    and ":" not in line[len("# selftest: "):]:
                cur = "selftest/" + line[len("# selftest: "):].strip()
                suites.setdefault(cur, [])
                continue
            m = RESULT.match(line)
            if not m:
                continue
            s = SKIP.search(m.group(2))
            suites.setdefault(cur, []).append(
                (m.group(1) is None, m.group(2), s.group(1) if s else None))
    return suites


def expected_counts(tier):
    """{suite: count} for this tier: a row for the tier beats a "*" row."""
    want = {}
    for t, suite, n in read_table("counts", 3):
        if t == tier or (t == "*" and not tier.startswith("host")
                          and suite not in want):
            want[suite] = int(n)
    return want


def allowed(tier, suite, name):
    for t, s, pattern in read_table("skips", 3):
        if fnmatch.fnmatch(tier, t) and fnmatch.fnmatch(suite, s) \
                and fnmatch.fnmatch(name, pattern):
            return True
    return False


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    tier, files = sys.argv[1], sys.argv[2:]
    ran = {}
    for path in files:
        for suite, cases in suites_of(path).items():
            ran.setdefault(suite, []).extend(cases)
    want = expected_counts(tier)
    n = bad = 0

    def report(ok, text):
        nonlocal n, bad
        n += 1
        bad += not ok
        print(f"{'' if ok else 'not '}ok {n} {text}")

    for suite in sorted(set(want) | set(ran)):
        got = len(ran.get(suite, []))
        if suite not in want:
            report(False, f"counts: {tier} {suite}: {got} cases ran, "
                   "not in tests/expected/counts")
        else:
            report(got == want[suite], f"counts: {tier} {suite}: {got} of "
                   f"{want[suite]} cases ran (tests/expected/counts)")
    for suite, cases in sorted(ran.items()):
        for _, name, reason in cases:
            if reason is None:
                continue
            ok = allowed(tier, suite, name)
            report(ok, f"skips: {tier} {suite}: {name.split(' #')[0]}: "
                   f"\"{reason}\" {'is' if ok else 'is NOT'} on "
                   "tests/expected/skips")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
