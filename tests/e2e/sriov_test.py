#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of `pcipass sriov` on the topology's SR-IOV NVMe PFs
(tests/vm/topology.sh): shape (f) 0a:00.0, whose VFs have groups of their
own, and shape (l) 14:00.0, whose VFs share the PF's group.

What the command shows is checked against sysfs; what --vfs does against
sysfs (numvfs, autoprobe, drivers, overrides), VFIO's own verdict on the
groups and the kernel log (nvme names each function it probes).  Runs as
root with the module loaded, after tests/guest/suite.sh's setup (two VFs
on 0a:00.0, autoprobe 0) and the claim suites; leaves every function,
VF count and autoprobe value as it found them.  Prints TAP.
"""

import os
import re
import socket
import subprocess
import sys
import time

from tapcheck import Suite, expect, expect_eq, main_with_cli
from cli_test import SYS_DEV, sys_driver, sys_group, sys_override
from claim_test import (FAILPROBE, FP_PARAMS, Cli, expect_claimed, members,
                        state)
from claim_vm_test import InnerVm, vm_sees

PF = "0000:0a:00.0"				# (f): VFs alone in their groups
PF_SHARED = "0000:14:00.0"			# (l): PF and VFs in one group
VFS = ("0000:0a:00.1", "0000:0a:00.2")
test = Suite("sriov")
ORIGINAL = {}


def attr(pf, name):
    with open(os.path.join(SYS_DEV, pf, name)) as f:
        return f.read().strip()


def write(pf, name, value):
    with open(os.path.join(SYS_DEV, pf, name), "w") as f:
        f.write(value)


def sys_vfs(pf):
    """[(index, address)] from the PF's virtfnN links."""
    d = os.path.join(SYS_DEV, pf)
    return sorted((int(n[6:]), os.path.basename(os.readlink(os.path.join(d, n))))
                  for n in os.listdir(d) if re.fullmatch(r"virtfn\d+", n))


def sriov_facts(pf):
    """What `pcipass sriov PF --json` must say, from sysfs."""
    vfs = []
    for i, a in sys_vfs(pf):
        g, m = members(a)
        vfs.append({"index": i, "address": a, "iommu_group": int(g),
                    "driver": sys_driver(a), "driver_override": sys_override(a),
                    "shares_group_with": [x for x in m if x != a]})
    return {"address": pf, "driver": sys_driver(pf),
            "iommu_group": int(sys_group(pf)),
            "num_vfs": int(attr(pf, "sriov_numvfs")),
            "total_vfs": int(attr(pf, "sriov_totalvfs")),
            "drivers_autoprobe": attr(pf, "sriov_drivers_autoprobe") == "1",
            "vfs": vfs}


def snapshot():
    return {"functions": state(),
            "sriov": {pf: (attr(pf, "sriov_numvfs"),
                           attr(pf, "sriov_drivers_autoprobe"))
                      for pf in (PF, PF_SHARED)}}


def mark():
    tag = f"pcipass-sriov-mark-{time.monotonic_ns()}"
    with open("/dev/kmsg", "w") as f:
        f.write(f"{tag}\n")
    return tag


def log_since(tag):
    lines = subprocess.run(["dmesg"], capture_output=True,
                           text=True).stdout.splitlines()
    idx = max(i for i, line in enumerate(lines) if tag in line)
    return lines[idx + 1:]


class Uevents:
    """The kernel's uevents while the body runs (NETLINK_KOBJECT_UEVENT,
    the kernel's multicast group 1): each bind says which driver took the
    device, each unbind that one let go.  Sysfs shows only the driver of
    the moment; these show every driver a VF ever had.  A probe that
    fails binds nothing: nvme's log line (log_since) shows that one (seen
    here: nvme's probe of a VF created by hand fails, no bind event).  A
    lost event (ENOBUFS on recv) fails the case instead of hiding a bind."""

    NETLINK_KOBJECT_UEVENT = 15
    SO_RCVBUFFORCE = 33

    def __enter__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM,
                                  self.NETLINK_KOBJECT_UEVENT)
        # VF creation and a claim send a few dozen events: room for far more
        self.sock.setsockopt(socket.SOL_SOCKET, self.SO_RCVBUFFORCE, 4 << 20)
        self.sock.bind((0, 1))
        self.sock.setblocking(False)
        self.seen = []
        return self

    def events(self):
        """Every event so far, as {KEY: value} (ACTION, DEVPATH, DRIVER...).
        The kernel sends them from within the bind or unbind itself: once
        the command that caused them has returned, they are queued here."""
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except BlockingIOError:
                return self.seen
            self.seen.append(dict(f.split("=", 1) for f in
                                  data.decode(errors="replace").split("\0")
                                  if "=" in f))

    def of(self, addr):
        """[(ACTION, DRIVER or None)] of the PCI device addr itself."""
        return [(e.get("ACTION"), e.get("DRIVER")) for e in self.events()
                if e.get("SUBSYSTEM") == "pci" and
                e.get("DEVPATH", "").endswith("/" + addr)]

    def __exit__(self, *exc):
        self.sock.close()
        return False


def drivers(events):
    """The binds and unbinds among uevents [(ACTION, DRIVER)]."""
    return [e for e in events if e[0] in ("bind", "unbind")]


def vfio_fds(pid):
    """The /dev/vfio/* files process pid has open (its VFIO groups)."""
    d = f"/proc/{pid}/fd"
    links = (os.readlink(os.path.join(d, n)) for n in os.listdir(d))
    return {p for p in links if p.startswith("/dev/vfio/")}


def set_count(pf, n, autoprobe):
    """By hand, as an operator would: through 0, autoprobe as given."""
    if attr(pf, "sriov_numvfs") != "0":
        write(pf, "sriov_numvfs", "0")
    write(pf, "sriov_drivers_autoprobe", autoprobe)
    if n:
        write(pf, "sriov_numvfs", str(n))


def release_all(cli, addrs):
    for a in addrs:
        if sys_driver(a) == "vfio-pci":
            cli.run("release", a)


@test
def show_equals_sysfs(cli):
    """sriov 0a:00.0 (two VFs from the setup): JSON and text carry
    sysfs's totalvfs, numvfs, autoprobe, driver and group of the PF and
    each VF's address, group, driver, override and group peers; no
    warning (each VF alone in its group)"""
    ORIGINAL.update(snapshot())
    doc = cli.json("sriov", PF)
    want = sriov_facts(PF)
    expect_eq({k: doc[k] for k in want}, want, "sriov --json vs sysfs")
    expect_eq(doc["num_vfs"], 2, "VFs from the setup")
    expect_eq(doc["warnings"], [], "warnings")
    r = cli.run("sriov", PF[5:])
    expect_eq(r.returncode, 0, "exit status (text)")
    head = (f"{PF} (driver {want['driver']}), IOMMU group "
            f"{want['iommu_group']}")
    expect(r.stdout.startswith(head + "\n"), f"text head {head!r}")
    for v in want["vfs"]:
        line = (f"  virtfn{v['index']} {v['address']}  group "
                f"{v['iommu_group']}  driver {v['driver'] or 'none'}  "
                f"override {v['driver_override'] or 'none'}")
        expect(line in r.stdout.splitlines(), f"text line {line!r}")


@test
def refuses_what_is_not_a_pf(cli):
    """a VF (naming its PF) and a function without SR-IOV: exit 1 with
    the reason; a count change not through 0: exit 6, nothing changed"""
    r = cli.run("sriov", VFS[0])
    expect(r.returncode == 1 and f"its PF is {PF}" in r.stderr,
           "a VF refused, its PF named")
    r = cli.run("sriov", "0000:10:00.0")
    expect(r.returncode == 1 and "not an SR-IOV physical function" in r.stderr,
           "a function without SR-IOV refused")
    doc = cli.json("sriov", PF, "--vfs", "1", want_rc=6)
    expect(doc["outcome"] == "refused" and "through 0" in doc["reason"],
           f"--vfs 1 with 2 VFs: {doc['outcome']}: {doc['reason']}")
    expect_eq(attr(PF, "sriov_numvfs"), "2", "numvfs after the refusal")


@test
def create_and_claim_keeps_host_drivers_off(cli):
    """--vfs 0, then --vfs 2 --claim with the operator's autoprobe 1:
    both VFs on vfio-pci, groups VFIO-viable, no nvme probe line for a VF
    in the kernel log, autoprobe 1 again, the claim reports in the
    document"""
    doc = cli.json("sriov", PF, "--vfs", "0")
    expect_eq((doc["outcome"], attr(PF, "sriov_numvfs")), ("removed", "0"),
              "--vfs 0 of unused VFs")
    write(PF, "sriov_drivers_autoprobe", "1")
    tag = mark()
    try:
        doc = cli.json("sriov", PF, "--vfs", "2", "--claim")
        expect_eq(doc["outcome"], "claimed", "outcome")
        expect_eq([c["outcome"] for c in doc["claims"]],
                  ["claimed", "claimed"], "the claim reports")
        expect_eq(doc["autoprobe_restored"], True, "autoprobe_restored")
        expect_eq(attr(PF, "sriov_drivers_autoprobe"), "1",
                  "the operator's autoprobe value")
        expect_eq([a for _, a in sys_vfs(PF)], list(VFS), "the VFs")
        for vf in VFS:
            expect_claimed(vf)
        probed = [line for line in log_since(tag)
                  if re.search(r"nvme.*0000:0a:00\.[12]", line)]
        expect(not probed, f"nvme probed a VF: {probed}")
        expect_eq(doc["sriov"], {**sriov_facts(PF), "warnings": []},
                  "the state after, vs sysfs")
    except Exception:
        release_all(cli, VFS)
        raise


@test
def remove_refused_while_claimed(cli):
    """--vfs 0 while the VFs are claimed: exit 6, each VF's reason names
    the claim, nothing changed; after pcipass release the VFs are unbound
    again and --vfs 0 removes them"""
    try:
        doc = cli.json("sriov", PF, "--vfs", "0", want_rc=6)
        expect_eq(doc["outcome"], "refused", "outcome")
        expect_eq(len(doc["busy"]), 2, f"busy: {doc['busy']}")
        expect(all("claimed by pcipass" in b for b in doc["busy"]),
               f"reasons: {doc['busy']}")
        expect_eq(attr(PF, "sriov_numvfs"), "2", "numvfs after the refusal")
    finally:
        release_all(cli, VFS)
    expect_eq(state(list(VFS)), {a: (None, None) for a in VFS},
              "VFs after the release")
    doc = cli.json("sriov", PF, "--vfs", "0")
    expect_eq((doc["outcome"], attr(PF, "sriov_numvfs")), ("removed", "0"),
              "--vfs 0 after the release")


@test
def new_vfs_go_into_a_vm_untouched(cli):
    """--vfs 2 --claim with the operator's autoprobe 1, then a VM inside
    the guest with both VFs through vfio-pci: QMP query-pci shows the VFs'
    IDs (sysfs), the VM holds their VFIO groups; --vfs 0 is refused while
    it runs (naming its PID), numvfs kept; once it stops, release and
    --vfs 0 remove the VFs.  From creation to removal each VF was bound
    once, to vfio-pci (uevents), nvme never logged a VF; times printed"""
    set_count(PF, 0, "1")
    tag = mark()
    t0 = time.monotonic()
    try:
        with Uevents() as ue:
            doc = cli.json("sriov", PF, "--vfs", "2", "--claim")
            t_claim = time.monotonic() - t0
            expect_eq(doc["outcome"], "claimed", "outcome")
            expect_eq([a for _, a in sys_vfs(PF)], list(VFS), "the VFs")
            for vf in VFS:
                expect_claimed(vf)		# driver, override, VFIO viable
                ev = ue.of(vf)
                expect(ev[:1] == [("add", None)] and
                       drivers(ev) == [("bind", "vfio-pci")],
                       f"{vf}: uevents from creation to the claim: {ev}")
            groups = {f"/dev/vfio/{sys_group(vf)}" for vf in VFS}
            with InnerVm(list(VFS)) as vm:
                expect(vm_sees(vm, VFS),
                       f"the inner VM has {' '.join(VFS)} (QMP query-pci)")
                t_vm = time.monotonic() - t0
                held = vfio_fds(vm.proc.pid)
                expect(groups <= held,
                       f"inner QEMU holds {sorted(groups)}: {sorted(held)}")
                holder = f"PID {vm.proc.pid} (qemu-system-x86_64)"
                doc = cli.json("sriov", PF, "--vfs", "0", want_rc=6)
                expect_eq(doc["outcome"], "refused", "--vfs 0 while in a VM")
                expect(len(doc["busy"]) == 2 and
                       all(f"in use by {holder}" in b for b in doc["busy"]),
                       f"each VF's reason names {holder}: {doc['busy']}")
                expect_eq(attr(PF, "sriov_numvfs"), "2",
                          "numvfs after the refusal")
                expect_eq(state(list(VFS)),
                          {a: ("vfio-pci", "vfio-pci") for a in VFS},
                          "the VFs after the refusal")
                expect(vm_sees(vm, VFS), "the inner VM still has the VFs")
                vm.qmp("quit")
                vm.proc.wait(timeout=60)
            for vf in VFS:
                expect_eq(cli.run("release", vf).returncode, 0,
                          f"release {vf} once the VM is gone")
            expect_eq(state(list(VFS)), {a: (None, None) for a in VFS},
                      "the VFs after the release")
            doc = cli.json("sriov", PF, "--vfs", "0")
            expect_eq((doc["outcome"], attr(PF, "sriov_numvfs")),
                      ("removed", "0"), "--vfs 0 after the VM and the release")
            expect_eq(attr(PF, "sriov_drivers_autoprobe"), "1", "autoprobe")
            for vf in VFS:
                ev = ue.of(vf)
                print(f"# {vf}: uevents {ev}")
                expect(ev[:1] == [("add", None)] and
                       ev[-1:] == [("remove", None)] and
                       drivers(ev) == [("bind", "vfio-pci"), ("unbind", None)],
                       f"{vf}: every driver it had, from add to remove")
        # nvme names each function it probes, even when the probe fails
        probed = [line for line in log_since(tag)
                  if re.search(r"nvme.*0000:0a:00\.[12]", line)]
        expect(not probed, f"nvme probed a VF: {probed}")
        print(f"# 2 VFs created and claimed in {t_claim:.1f} s, in the VM "
              f"at {t_vm:.1f} s, removed at {time.monotonic() - t0:.1f} s")
    except Exception:
        release_all(cli, VFS)
        if attr(PF, "sriov_numvfs") != "0":
            write(PF, "sriov_numvfs", "0")
        raise


@test
def a_failed_claim_undoes_everything(cli):
    """--vfs 2 --claim --driver pcipass-failprobe, its probe failing on
    0a:00.2: 0a:00.1's claim released again, the VFs removed, autoprobe
    back, exit 1 with the reports of the claims and the release"""
    ko = os.environ.get("PCIPASS_FAILPROBE_KO")
    expect(ko and os.path.exists(ko),
           f"no failprobe module (PCIPASS_FAILPROBE_KO={ko!r})")
    subprocess.run(["insmod", ko], check=True)
    try:
        with open(f"{FP_PARAMS}/fail_addr", "w") as f:
            f.write(VFS[1])
        doc = cli.json("sriov", PF, "--vfs", "2", "--claim", "--driver",
                       FAILPROBE, want_rc=1)
        expect_eq(doc["outcome"], "rolled_back", "outcome")
        expect(VFS[1] in doc["reason"], f"reason: {doc['reason']}")
        expect_eq([(c["query"], c["outcome"]) for c in doc["claims"]],
                  [(VFS[0], "claimed"), (VFS[1], "rolled_back")], "claims")
        expect_eq([(c["query"], c["outcome"]) for c in doc["releases"]],
                  [(VFS[0], "released")], "releases")
        expect_eq(attr(PF, "sriov_numvfs"), "0", "numvfs")
        expect_eq(attr(PF, "sriov_drivers_autoprobe"), "1", "autoprobe")
        expect_eq(doc["sriov"]["num_vfs"], 0, "the state after")
    finally:
        if attr(PF, "sriov_numvfs") != "0":
            release_all(cli, VFS)
            write(PF, "sriov_numvfs", "0")
        subprocess.run(["rmmod", "pcipass_failprobe"])


@test
def shared_group_is_warned_and_not_claimed(cli):
    """shape (l): --vfs 2 leaves the VFs unbound (autoprobe 1 restored)
    and show warns that they share the PF's group; --vfs 2 --claim is
    refused (exit 6, naming the PF), the PF stays on nvme, the VFs are
    removed again"""
    before = attr(PF_SHARED, "sriov_drivers_autoprobe")
    set_count(PF_SHARED, 0, "1")
    try:
        doc = cli.json("sriov", PF_SHARED, "--vfs", "2")
        expect_eq(doc["outcome"], "created", "outcome")
        vfs = [a for _, a in sys_vfs(PF_SHARED)]
        expect_eq(state(vfs), {a: (None, None) for a in vfs}, "the VFs")
        expect_eq(attr(PF_SHARED, "sriov_drivers_autoprobe"), "1", "autoprobe")
        doc = cli.json("sriov", PF_SHARED)
        expect_eq(len(doc["warnings"]), 1, f"warnings: {doc['warnings']}")
        w = doc["warnings"][0]
        expect(f"its PF {PF_SHARED}" in w and "whole group" in w, w)
        r = cli.run("sriov", PF_SHARED)
        expect(f"warning: {w}" in r.stdout.splitlines(), "text warning")
        doc = cli.json("sriov", PF_SHARED, "--vfs", "0")
        expect_eq(doc["outcome"], "removed", "--vfs 0")
        doc = cli.json("sriov", PF_SHARED, "--vfs", "2", "--claim", want_rc=6)
        expect(doc["outcome"] == "refused" and
               f"its PF {PF_SHARED}" in doc["reason"],
               f"--claim: {doc['outcome']}: {doc['reason']}")
        expect_eq(doc["claims"], [], "nothing claimed")
        expect_eq(sys_driver(PF_SHARED), "nvme", "the PF's driver")
        expect_eq(attr(PF_SHARED, "sriov_numvfs"), "0", "VFs removed again")
        expect_eq(attr(PF_SHARED, "sriov_drivers_autoprobe"), "1", "autoprobe")
    finally:
        set_count(PF_SHARED, 0, before)


def vfio_sriov(value=None):
    """vfio-pci's enable_sriov parameter ("Y"/"N"); set it when given."""
    path = "/sys/module/vfio_pci/parameters/enable_sriov"
    if value is not None:
        with open(path, "w") as f:
            f.write(value)
    with open(path) as f:
        return f.read().strip()


@test
def group_of_many_vfs_is_claimed_whole(cli):
    """shape (l) with its PF on vfio-pci (enable_sriov): all its VFs
    (more than 64) share the PF's group; claim of the group binds every
    VF to vfio-pci, all or nothing, as sysfs shows (driver, override,
    VFIO viable), with one report line per member; release gives every
    function back (VFs unbound or gone with SR-IOV, the PF on nvme);
    times printed"""
    total = int(attr(PF_SHARED, "sriov_totalvfs"))
    expect(total > 64, f"(l) offers {total} VFs, not more than 64")
    autoprobe = attr(PF_SHARED, "sriov_drivers_autoprobe")
    enable = vfio_sriov()
    set_count(PF_SHARED, 0, "0")
    try:
        doc = cli.json("claim", PF_SHARED)
        expect_eq(doc["outcome"], "claimed", "the PF alone: outcome")
        vfio_sriov("Y")
        t0 = time.monotonic()
        write(PF_SHARED, "sriov_numvfs", str(total))
        t_create = time.monotonic() - t0
        vfs = [a for _, a in sys_vfs(PF_SHARED)]
        expect_eq(len(vfs), total, "VFs created")
        # vfio-pci sets its name as every new VF's override (and so
        # probes it): undo that, so the claim has every VF to move.
        for a in vfs:
            with open(os.path.join(SYS_DEV, a, "driver_override"), "w") as f:
                f.write("\n")
            if sys_driver(a):
                with open(os.path.join(SYS_DEV, a, "driver/unbind"), "w") as f:
                    f.write(a)
        expect_eq(state(vfs), {a: (None, None) for a in vfs},
                  "the VFs before the claim")
        g, ms = members(PF_SHARED)
        expect(len(ms) > 64 and set(vfs) <= set(ms),
               f"group {g}: {len(ms)} functions, every VF among them")
        t0 = time.monotonic()
        doc = cli.json("claim", "--group", str(g))
        t_claim = time.monotonic() - t0
        expect_eq(doc["outcome"], "claimed", "outcome")
        expect_claimed(PF_SHARED)
        got = {m["address"]: m["state"] for m in doc["members"]}
        expect_eq(sorted(got), ms, "one report line per member")
        expect_eq(sorted(a for a, st in got.items() if st == "claimed"),
                  vfs, "the VFs claimed")
        t0 = time.monotonic()
        doc = cli.json("release", "--group", str(g))
        t_release = time.monotonic() - t0
        expect_eq(doc["outcome"], "released", "release outcome")
        expect_eq(sys_driver(PF_SHARED), "nvme", "the PF's driver after")
        # Unbinding the PF from vfio-pci disables SR-IOV: the VFs, given
        # back first, may be gone by the end of the release.
        got = {m["address"]: m["state"] for m in doc["members"]}
        expect(all(got[a] in ("released", "gone") for a in vfs),
               f"the VFs' release states: {sorted(set(got.values()))}")
        left = [a for _, a in sys_vfs(PF_SHARED)]
        if left:
            expect_eq(state(left), {a: (None, None) for a in left},
                      "the VFs left after the release")
        print(f"# {total} VFs: created in {t_create:.1f} s, group of "
              f"{len(ms)} claimed in {t_claim:.1f} s, released in "
              f"{t_release:.1f} s")
    finally:
        # the VFs first: a group too large to release would stay claimed
        set_count(PF_SHARED, 0, autoprobe)
        if sys_driver(PF_SHARED) == "vfio-pci":
            cli.run("release", PF_SHARED)
        vfio_sriov(enable)
        if sys_driver(PF_SHARED) is None:
            with open("/sys/bus/pci/drivers_probe", "w") as f:
                f.write(PF_SHARED)
    expect_eq(sys_driver(PF_SHARED), "nvme", "the PF's driver at the end")


@test
def everything_back_as_it_was(cli):
    """at the end: the setup's two VFs on 0a:00.0 with autoprobe 0, every
    function with its original driver and override"""
    expect(ORIGINAL, "no snapshot from the first test")
    n, auto = ORIGINAL["sriov"][PF]
    set_count(PF, int(n), auto)
    expect_eq(snapshot(), ORIGINAL, "VF counts, autoprobe, drivers")


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
