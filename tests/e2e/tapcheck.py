# SPDX-License-Identifier: GPL-2.0
"""What the end-to-end tests share: expectations and a TAP runner."""

import argparse
import json
import sys
import time
import traceback

import schemacheck


class Failure(Exception):
    pass


class Skip(Exception):
    """A case that cannot run here: TAP "ok N name # SKIP reason", counted
    as skipped (never passed); tests/expected/skips must allow it."""


def expect(cond, msg):
    if not cond:
        raise Failure(msg)


def expect_eq(got, want, what):
    if got != want:
        raise Failure(f"{what}: got {got!r}, want {want!r}")


def cli_json(out, args):
    """The JSON document pcipass ARGS printed (out), checked against its
    command's schema (schemacheck.py, schema/): every document the suites
    parse goes through here.  A document that does not parse or match
    fails the case, as does a missing schema or python3-jsonschema."""
    try:
        doc = json.loads(out)
    except ValueError as e:
        raise Failure(f"pcipass {' '.join(args)}: bad JSON ({e}): {out[:200]!r}")
    try:
        schemacheck.check(doc, args)
    except schemacheck.SchemaError as e:
        raise Failure(str(e))
    return doc


class Suite:
    """Collects test functions (as a decorator) and runs them as TAP."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.tests = []

    def __call__(self, fn):
        self.tests.append(fn)
        return fn

    def run(self, arg):
        print("TAP version 13")
        print(f"1..{len(self.tests)}")
        failed = 0
        for i, fn in enumerate(self.tests, 1):
            name = f"{self.prefix}.{fn.__name__}"
            t0 = time.monotonic()
            try:
                fn(arg)
                print(f"# time: {time.monotonic() - t0:.1f} s")
                print(f"ok {i} {name}")
            except Skip as e:
                print(f"ok {i} {name} # SKIP {e}")
            except Failure as e:
                failed += 1
                print(f"# {fn.__doc__}\n# {e}")
                print(f"not ok {i} {name}")
            except Exception:  # a crash in a test is a failure, not a pass
                failed += 1
                for line in traceback.format_exc().splitlines():
                    print(f"# {line}")
                print(f"not ok {i} {name}")
            sys.stdout.flush()
        return 1 if failed else 0


def main_with_cli(suite, make_cli):
    """The main() of a suite driven through the CLI: --cli PATH, TAP out,
    exit status 1 when a case failed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    args = ap.parse_args()
    return suite.run(make_cli(args.cli))
