# SPDX-License-Identifier: GPL-2.0
"""What the Python tests of user/tests/ share: counting checks, and
running a binary on a fixture root.

Each test prints one "FAIL NAME: what" line per failed check and
"NAME: N passed, N failed" last: `make test` shows only these lines,
so a failure names itself without a rerun.
"""
import os
import subprocess


class Checks:
    """check = Checks('tree'); check(cond, what) ... sys.exit(check.done())"""

    def __init__(self, name):
        self.name = name
        self.passed = self.failed = 0

    def __call__(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f'FAIL {self.name}: {what}')
        return cond

    def done(self, note=''):
        """Prints the summary line, note after the counts; the exit
        status: 1 on any failure."""
        print(f'{self.name}: {self.passed} passed, {self.failed} failed'
              + (f' {note}' if note else ''))
        return 1 if self.failed else 0


def sysroot_env(root, env=None, drop=()):
    """The environment with PCIPASS_SYSROOT=root (the test build reads the
    fixture through it), or without it when root is None, so that an
    inherited one does not leak into a run that must not have it; the
    variables in drop removed, env's added last."""
    e = {k: v for k, v in os.environ.items()
         if k != 'PCIPASS_SYSROOT' and k not in drop}
    if root is not None:
        e['PCIPASS_SYSROOT'] = root
    e.update(env or {})
    return e


def run(binary, root, *args, env=None, drop=()):
    """(exit status, stdout, stderr) of binary ARGS on the fixture root."""
    r = subprocess.run([binary, *args], capture_output=True, text=True,
                       env=sysroot_env(root, env, drop))
    return r.returncode, r.stdout, r.stderr
