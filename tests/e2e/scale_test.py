#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""list, show and check at a few hundred PCI functions, against sysfs.

Runs as root in a test guest booted with the scale shape of
tests/vm/topology.sh (tests/vm/run.sh --scale N; tests/guest/scale.sh,
which "make check" runs on the 6.12 tier) with pcipass.ko loaded: the
default topology plus pcie-pci-bridges whose conventional buses hold
multifunction intel-hda endpoints, 8 functions a slot, each bridge and
its functions one IOMMU group.  Expectations come from /sys/bus/pci/devices and
/sys/kernel/iommu_groups (cli_test.py's and check_test.py's readers),
never from pcipass itself.  The 1,000+ sizes are "make bench"
(bench/scale.sh), which boots for minutes; this suite fits the CI budget.

What takes time is not asserted (a shared 2-core machine under TCG moves
single runs by seconds); it is printed as "# timing:" comments.  What
each command reads is: show and check of one function in a small group
must receive a small fraction of what list receives over netlink (strace
counts the bytes), so they do not walk every function.  Prints TAP.
"""

import argparse
import collections
import re
import statistics
import subprocess
import sys
import tempfile
import time

from check_test import EXIT, endpoints, expected, path_chain, slot, sys_path
from cli_test import (Cli, expect_list_text_equals_sysfs,
                      expect_show_equals_sysfs, expected_state,
                      sys_devices, sys_driver, sys_group, sys_groups,
                      sysfs_int)
from tapcheck import Suite, cli_json, expect, expect_eq

# A scale group: the bridge's, at least this many members (the shape puts
# 8-function slots behind one pcie-pci-bridge; the default topology's
# largest group has 6).
BIG_GROUP = 100
# show/check of a function alone in its group against list of everything:
# at 304 functions list received 89,128 bytes, check 4,584 and show 1,080
# (19 and 82 times less); a show that walked every function first
# received more than list (a mutation, tried once).
READ_RATIO = 4
SMALL = "0000:01:00.0"      # shape (a): an endpoint alone in its group

test = Suite("scale")


class ScaleCli(Cli):
    def __init__(self, path, min_functions):
        super().__init__(path)
        self.min_functions = min_functions
        self.listed = None

    def list(self):
        """list --json, asked once: every case below only reads."""
        if self.listed is None:
            self.listed = self.json("list")
        return self.listed


def picks(addrs):
    """The first, the middle and the last of a sorted list."""
    return sorted({addrs[0], addrs[len(addrs) // 2], addrs[-1]})


def big_group(groups):
    gid = max(groups, key=lambda g: len(groups[g]))
    return gid, groups[gid]


@test
def guest_has_the_scale_shape(cli):
    """sysfs: at least the asked number of functions, one group of the scale shape's size"""
    devs = sys_devices()
    groups = sys_groups()
    gid, members = big_group(groups)
    print(f"# {len(devs)} PCI functions, {len(groups)} IOMMU groups, "
          f"the largest ({gid}) has {len(members)} members")
    expect(len(devs) >= cli.min_functions,
           f"{len(devs)} PCI functions, want at least {cli.min_functions}")
    expect(len(members) >= BIG_GROUP,
           f"largest group {gid} has {len(members)} members, want >= {BIG_GROUP}")


@test
def list_json_has_every_function_once(cli):
    """list --json: every function of /sys/bus/pci/devices exactly once, with its group, driver and IDs"""
    doc = cli.list()
    seen = collections.Counter(d["address"] for g in doc["groups"]
                               for d in g["devices"])
    twice = sorted(a for a, n in seen.items() if n > 1)
    expect(not twice, f"listed more than once: {twice[:10]}")
    devs = sys_devices()
    expect_eq(sorted(set(devs) - set(seen)), [], "in sysfs, not listed")
    expect_eq(sorted(set(seen) - set(devs)), [], "listed, not in sysfs")
    for g in doc["groups"]:
        for d in g["devices"]:
            a = d["address"]
            expect_eq(g["id"], sys_group(a), f"{a}: group it is listed under")
            expect_eq(d["driver"], sys_driver(a), f"{a} driver")
            expect_eq(d["vendor"], sysfs_int(a, "vendor"), f"{a} vendor")
            expect_eq(d["device"], sysfs_int(a, "device"), f"{a} device")
            expect_eq(d["class"], sysfs_int(a, "class"), f"{a} class")


@test
def list_json_groups_equal_sysfs(cli):
    """list --json: every group of /sys/kernel/iommu_groups with exactly its members and state"""
    groups = sys_groups()
    got = {g["id"]: sorted(d["address"] for d in g["devices"])
           for g in cli.list()["groups"]}
    expect_eq(sorted(got), sorted(groups), "group ids")
    for gid, members in groups.items():
        expect_eq(got[gid], members, f"group {gid} members")
    for g in cli.list()["groups"]:
        expect_eq(g["state"], expected_state(groups[g["id"]]),
                  f"group {g['id']} state")


@test
def list_text_matches_sysfs(cli):
    """list (text): group headers, every function once, [vvvv:dddd] and drivers as sysfs says"""
    # Without the names: one lspci process per function is minutes here.
    expect_list_text_equals_sysfs(cli.ok("list"), names=False)


@test
def show_first_middle_last_equal_sysfs(cli):
    """show --json of the first, middle and last function (and one of the big group): facts and group peers equal sysfs"""
    groups = sys_groups()
    _, members = big_group(groups)
    addrs = picks(sys_devices()) + [members[len(members) // 2]]
    peers = 0
    for a in addrs:
        devs = cli.show(a)["devices"]
        expect_eq([d["address"] for d in devs], [a], f"show {a}: devices")
        expect_show_equals_sysfs(devs[0], a, groups)
        peers = max(peers, len(devs[0].get("iommu_group_peers") or []))
    print(f"# show of {', '.join(addrs)}: up to {peers} group peers compared")
    expect(peers >= BIG_GROUP - 1, f"no shown function had the big group's peers ({peers})")


@test
def show_slot_of_the_big_group(cli):
    """show --json of a slot behind the bridge: exactly its 8 functions, each as sysfs says"""
    groups = sys_groups()
    _, members = big_group(groups)
    s = slot(members[-1])
    want = [a for a in sys_devices() if slot(a) == s]
    expect_eq(len(want), 8, f"functions of slot {s} in sysfs")
    devs = cli.json("show", s)["devices"]
    expect_eq([d["address"] for d in devs], want, f"show {s}: functions")
    for d in devs:
        expect_show_equals_sysfs(d, d["address"], groups)


def check_follows_sysfs(cli, arg, targets):
    """pcipass --json check ARG against sysfs: verdict, exit status,
    companions, blockers, the group's members and each target's path."""
    r = cli.run("--json", "check", arg)
    expect(r.returncode in EXIT.values(),
           f"check {arg} exited {r.returncode}: {r.stderr.strip()}")
    doc = cli_json(r.stdout, ("--json", "check", arg))
    verdict, companions, blockers = expected(targets)
    expect_eq(doc["targets"], targets, f"check {arg} targets")
    expect_eq(doc["verdict"], verdict, f"check {arg} verdict")
    expect_eq(r.returncode, EXIT[verdict], f"check {arg} exit status")
    expect_eq(doc["companions"], companions, f"check {arg} companions")
    expect_eq(sorted(b["address"] for b in doc["blockers"]), blockers,
              f"check {arg} blockers")
    gids = sorted({sys_group(t) for t in targets})
    expect_eq(doc["iommu_groups"], gids, f"check {arg} groups")
    groups = sys_groups()
    for g in doc["groups"]:
        expect_eq([d["address"] for d in g["devices"]], groups[g["id"]],
                  f"check {arg}: group {g['id']} members")
        for d in g["devices"]:
            expect_eq(d["driver"], sys_driver(d["address"]),
                      f"check {arg}: {d['address']} driver")
    for t in targets:
        expect_eq(path_chain(doc, t), sys_path(t), f"check {arg}: {t} path")
    return doc


@test
def check_first_middle_last_follow_sysfs(cli):
    """check --json of the first, middle and last endpoint: verdict, companions, group and path follow from sysfs"""
    eps = endpoints()
    most = 0
    for a in picks(eps):
        doc = check_follows_sysfs(cli, a, [a])
        most = max(most, len(doc["companions"]))
    print(f"# check of {', '.join(picks(eps))}: up to {most} companions")
    expect(most >= BIG_GROUP - 2, f"no checked function took the big group along ({most})")


@test
def check_slot_follows_sysfs(cli):
    """check --json of a slot behind the bridge: its 8 functions, the rest of the big group as companions"""
    _, members = big_group(sys_groups())
    s = slot(members[len(members) // 2])
    targets = [a for a in sys_devices() if slot(a) == s]
    doc = check_follows_sysfs(cli, s, targets)
    expect_eq(doc["query_kind"], "slot", f"check {s} query kind")
    expect_eq(len(doc["companions"]), len(members) - 1 - len(targets),
              f"check {s}: companions (the group but the bridge and the slot)")


def netlink_bytes(cli, *args):
    """Bytes pcipass ARGS received from sockets (recvmsg/recvfrom return
    values, MSG_PEEK included), counted by strace."""
    with tempfile.NamedTemporaryFile(prefix="scale-strace.") as log:
        r = subprocess.run(["strace", "-f", "-qq", "-s", "0", "-e", "signal=none",
                            "-e", "trace=recvmsg,recvfrom,recvmmsg",
                            "-o", log.name, cli.path, *args],
                           capture_output=True, text=True)
        expect(r.returncode in EXIT.values(),
               f"strace pcipass {' '.join(args)}: exit {r.returncode}: "
               f"{r.stderr.strip()[-300:]}")
        with open(log.name) as f:
            got = [int(m.group(1)) for m in
                   re.finditer(r"^.*recv\w*\(.*= (\d+)", f.read(), re.M)]
    return sum(got), len(got)


def wall_ms(cli, *args, runs=3):
    """Median wall time of pcipass ARGS in ms (printed, never asserted)."""
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        cli.run(*args)
        times.append((time.monotonic() - t0) * 1000)
    return statistics.median(times)


@test
def show_and_check_read_no_dump(cli):
    """show and check of a function alone in its group receive a fraction of what list receives"""
    expect(len(sys_groups()[sys_group(SMALL)]) == 1, f"{SMALL} must be alone in its group")
    n = len(sys_devices())
    got = {}
    for what, args in (("list", ("--json", "list")),
                       ("show", ("--json", "show", SMALL)),
                       ("check", ("--json", "check", SMALL))):
        got[what] = netlink_bytes(cli, *args)
        print(f"# timing: {what} {wall_ms(cli, *args):.0f} ms "
              f"(median of 3, {n} functions); received {got[what][0]} "
              f"bytes in {got[what][1]} calls")
    lst = got["list"][0]
    expect(lst > 100 * n, f"list received {lst} bytes for {n} functions: strace counted nothing?")
    for what in ("show", "check"):
        expect(got[what][0] * READ_RATIO < lst,
               f"{what} {SMALL} received {got[what][0]} bytes, list {lst}: "
               f"more than 1/{READ_RATIO} of a whole dump")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--min-functions", type=int, required=True,
                    help="fail unless sysfs has at least this many PCI functions")
    args = ap.parse_args()
    return test.run(ScaleCli(args.cli, args.min_functions))


if __name__ == "__main__":
    sys.exit(main())
