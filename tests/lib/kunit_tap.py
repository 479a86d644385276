#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the JSON of "kunit.py parse --json" into flat TAP lines.

One "ok N suite.case[.param]" / "not ok N ..." line per leaf test, so the
suite's counter sees every KUnit case; exits 1 when any case failed or
crashed, or when none of the expected suites ran.
Usage: kunit_tap.py RESULTS.json SUITE...
"""

import json
import sys


def leaves(group, prefix):
    """(name, status) for every leaf test case below a KUnit JSON group."""
    name = group.get("name", "")
    path = prefix + [name] if name and name != "KUnit Test Group" else prefix
    for sub in group.get("sub_groups", []):
        yield from leaves(sub, path)
    for case in group.get("test_cases", []):
        yield ".".join(path + [case["name"]]), case["status"]


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    wanted = set(sys.argv[2:])
    n = failed = 0
    seen = set()
    for name, status in leaves(doc, []):
        n += 1
        seen.add(name.split(".")[0])
        if status == "PASS":
            print(f"ok {n} kunit.{name}")
        elif status == "SKIP":
            print(f"ok {n} kunit.{name} # SKIP")
        else:
            failed += 1
            print(f"not ok {n} kunit.{name} # {status}")
    for suite in sorted(wanted - seen):
        n += 1
        failed += 1
        print(f"not ok {n} kunit.{suite} # suite did not run")
    return 1 if failed or not n else 0


if __name__ == "__main__":
    sys.exit(main())
