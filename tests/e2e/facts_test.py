#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end test of the Ansible local fact the README documents
(README, Fleets): the facts.d file as written there, read by Ansible's own
setup module (Debian's ansible-core, scripts/install-deps.sh; the guest
runs the host's root), must hold every IOMMU group with its members and
their drivers as the guest's sysfs has them.  Without ansible the case
fails.  Its subject is userspace only: tests/guest/suite.sh runs it on one
kernel (PCIPASS_ONE_KERNEL_SUITES).  Prints TAP.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from tapcheck import Suite, expect, expect_eq, main_with_cli
from cli_test import sys_driver, sys_groups
from claim_test import Cli

test = Suite("facts")

# README's facts.d file, with the CLI's path for `pcipass`.
FACT = "#!/bin/sh\nexec {cli} --json list\n"


def ansible_local(facts_dir, scratch):
    """`ansible localhost -m setup` with fact_path=facts_dir: ansible_local."""
    tree = os.path.join(scratch, "tree")
    env = dict(os.environ, HOME=scratch, ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=os.path.join(scratch, "tmp"))
    r = subprocess.run(
        ["ansible", "localhost", "-c", "local", "-i", "localhost,",
         "--tree", tree, "-m", "setup", "-a",
         f"fact_path={facts_dir} gather_subset=!all,!min,local "
         "filter=ansible_local"],
        env=env, capture_output=True, text=True, timeout=600)
    expect_eq(r.returncode, 0,
              f"ansible setup: {r.stdout[-400:]} {r.stderr[-400:]}")
    with open(os.path.join(tree, "localhost")) as f:
        return json.load(f)["ansible_facts"]["ansible_local"]


@test
def ansible_local_facts_equal_sysfs(cli):
    """README's facts.d file read by Ansible's setup module:
    ansible_local.pcipass.groups holds every IOMMU group, its members and
    their drivers as sysfs has them"""
    expect(shutil.which("ansible"),
           "ansible not found (ansible-core, scripts/install-deps.sh)")
    d = tempfile.mkdtemp(prefix="pcipass-facts-")
    try:
        facts = os.path.join(d, "facts.d")
        os.mkdir(facts)
        path = os.path.join(facts, "pcipass.fact")
        with open(path, "w") as f:
            f.write(FACT.format(cli=cli.path))
        os.chmod(path, 0o755)
        doc = ansible_local(facts, d)["pcipass"]
    finally:
        shutil.rmtree(d)
    got = {g["id"]: {x["address"]: x["driver"] or "" for x in g["devices"]}
           for g in doc["groups"]}
    want = {g: {a: sys_driver(a) or "" for a in ms}
            for g, ms in sys_groups().items()}
    expect_eq(got, want, "ansible_local.pcipass: groups, members, drivers")


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
