#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of what fleet tools read of pcipass, with the tools
themselves (Debian's packages, scripts/install-deps.sh; the guest runs the
host's root; a missing tool fails its case):
- the Ansible local fact the README documents (Fleets): the facts.d file
  as written there, read by Ansible's setup module (ansible-core), holds
  every IOMMU group with its members and their drivers as sysfs has them;
- node_exporter (prometheus-node-exporter) serving a textfile directory
  that `pcipass export prometheus --output` wrote: no scrape error, the
  same samples as the file, group states and claims equal to sysfs and
  VFIO's own status (export_test.expect_groups).
Their subject is userspace only: tests/guest/suite.sh runs them on one
kernel (PCIPASS_ONE_KERNEL_SUITES).  Prints TAP.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from tapcheck import Suite, expect, expect_eq, main_with_cli
from cli_test import sys_driver, sys_groups
from claim_test import Cli
from export_test import expect_groups, export_file, parse_prom

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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(url, deadline):
    """GET url until it answers (the exporter starts) or deadline passes."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.read().decode()
        except OSError as e:
            expect(time.monotonic() < deadline, f"{url}: {e}")
            time.sleep(0.5)


def pcipass_families(text):
    """The pcipass_* families of an exposition, HELP/TYPE/samples."""
    keep = []
    for line in text.splitlines():
        name = line.split()[2] if line.startswith("# ") else line.split("{")[0].split()[0]
        if name.startswith("pcipass_"):
            keep.append(line)
    return parse_prom("\n".join(keep))


def canonical(fams):
    """Families with samples (node_exporter serves no empty family), each
    a sorted list of (labels, value)."""
    return {f: sorted((sorted(l.items()), v) for l, v in samples)
            for f, samples in fams.items() if samples}


@test
def node_exporter_serves_the_textfile(cli):
    """prometheus-node-exporter's textfile collector on a directory export
    --output wrote: node_textfile_scrape_error 0, the file's samples, and
    group states and claims as sysfs and VFIO say"""
    exe = shutil.which("prometheus-node-exporter")
    expect(exe, "prometheus-node-exporter not found (scripts/install-deps.sh)")
    d = tempfile.mkdtemp(prefix="pcipass-textfile-")
    port = free_port()
    proc = None
    try:
        text = export_file(cli, "prometheus", "pcipass.prom")
        with open(os.path.join(d, "pcipass.prom"), "w") as f:
            f.write(text)
        proc = subprocess.Popen(
            [exe, "--collector.disable-defaults", "--collector.textfile",
             f"--collector.textfile.directory={d}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        served = scrape(f"http://127.0.0.1:{port}/metrics",
                        time.monotonic() + 60)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(d)
    expect("node_textfile_scrape_error 0" in served.splitlines(),
           "node_exporter: node_textfile_scrape_error 0")
    fams = pcipass_families(served)
    got, want = canonical(fams), canonical(parse_prom(text))
    expect_eq({f: got.get(f) for f in set(got) | set(want) if got.get(f) != want.get(f)},
              {f: want.get(f) for f in set(got) | set(want) if got.get(f) != want.get(f)},
              "node_exporter serves the file's pcipass samples (the families that differ)")
    expect_groups(fams, "node_exporter")


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
