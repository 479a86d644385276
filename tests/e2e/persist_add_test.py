#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of persisted claims of functions added after the load
(the claims= option; the load itself: tests/e2e/persist_test.py).

A function is removed and rescanned, or SR-IOV VFs are created, which is
what the module sees of hotplug and of VFs created at boot: the override
it sets in the kernel's add notification decides the first probe, under
the whole-group rule (every other function of the group named and claimed
for the same driver).  Checked against sysfs (driver, driver_override,
IOMMU group members), VFIO's verdict on the group and the host drivers'
own kernel log lines.  Runs as root after tests/e2e/persist_test.py;
leaves the module loaded with no claims and every function as it found
it.  Prints TAP.
"""

import os
import re
import subprocess
import sys
import time

from tapcheck import Suite, expect, expect_eq, main_with_cli
from cli_test import SYS_DEV, sys_driver, sys_override
from claim_test import ALONE, Cli, Guarded, expect_claimed, members, state
from persist_test import (BEHIND_BRIDGE, PF, PF_SHARED, entry,
                          expect_logged, expect_not_logged, host_probe_line,
                          mark, reload, wait_driver, wait_for, write)

test = Suite("persist_add")
ORIGINAL = {}


@test
def a_hot_added_function_never_meets_its_host_driver(cli):
    """removed and rescanned (what the module sees of a function at boot
    or hotplug): its first probe is vfio-pci's, e1000e never probes it"""
    ORIGINAL.update(state())
    reload(claims=entry(ALONE))
    wait_driver(ALONE, "vfio-pci")		# claimed at load
    expect_eq(cli.run("release", ALONE).returncode, 0, "release")
    wait_driver(ALONE, "e1000e")
    write(os.path.join(SYS_DEV, ALONE, "remove"), "1")
    tag = mark()		# after e1000e's own lines about the removal
    write("/sys/bus/pci/rescan", "1")
    wait_for(f"{ALONE} back", lambda: os.path.exists(os.path.join(SYS_DEV, ALONE)))
    try:
        wait_driver(ALONE, "vfio-pci")
        expect_claimed(ALONE)
        expect_not_logged(tag, host_probe_line(ALONE), "host driver probe lines")
    finally:
        r = cli.run("release", ALONE)
    expect_eq(r.returncode, 0, "exit status of release")
    wait_driver(ALONE, "e1000e")


def replug_with_the_first_persisted(arm=lambda: None):
    """Shape (d) removed and rescanned, pcipass loaded with only its first
    function persisted; arm() runs just before the rescan.  Both must end
    on e1000 without override, in one group again.  Returns a kernel log
    mark from before the rescan and the group's id."""
    a, b = BEHIND_BRIDGE
    reload(claims=entry(a))
    time.sleep(1)
    for x in (b, a):
        write(os.path.join(SYS_DEV, x, "remove"), "1")
    tag = mark()
    arm()
    write("/sys/bus/pci/rescan", "1")
    for x in BEHIND_BRIDGE:
        wait_for(f"{x} back", lambda x=x: os.path.exists(
            os.path.join(SYS_DEV, x)))
    for x in BEHIND_BRIDGE:
        wait_driver(x, "e1000")
    expect_eq(state(BEHIND_BRIDGE), {x: ("e1000", None)
                                     for x in BEHIND_BRIDGE}, "shape (d)")
    g, m = members(a)
    expect(b in m, f"{b} in {a}'s group {g} again: {m}")
    return tag, g


@test
def a_hot_added_group_with_a_stranger_is_left_whole(cli):
    """shape (d), two PCI devices behind a PCIe-to-PCI bridge (one group),
    removed and rescanned with only the first persisted: the override it
    gets as it is added is withdrawn when the second joins its group
    (before any driver matches either): both on e1000, no override, the
    withdrawal logged"""
    a, b = BEHIND_BRIDGE
    expect_eq(members(a)[1], members(b)[1], "one group before")
    with Guarded(BEHIND_BRIDGE):	# the setup's vfio-pci and overrides
        tag, g = replug_with_the_first_persisted()
        expect_logged(tag, rf"{a}: persisted claim for vfio-pci withdrawn: "
                      rf"{b} joined IOMMU group {g}", "the withdrawal")
        expect_not_logged(tag, rf"vfio-pci {re.escape(a)}", "vfio-pci lines "
                          f"about {a}")
    reload()


FAIL_GROUP = "/sys/kernel/debug/fail_pcipass_group"


def fault_point():
    """The module's fault point for a group's member array (kmod/fault.c,
    debug kernel): armed to fail the 2nd read from now on, once, quietly."""
    if not os.path.exists(FAIL_GROUP):
        subprocess.run(["mount", "-t", "debugfs", "debugfs",
                        "/sys/kernel/debug"], check=False)
    expect(os.path.isdir(FAIL_GROUP), f"{FAIL_GROUP}: no fault point")
    for name, value in (("verbose", "0"), ("interval", "1"), ("space", "2"),
                        ("times", "1"), ("probability", "100")):
        write(os.path.join(FAIL_GROUP, name), value)


def fault_off():
    if os.path.isdir(FAIL_GROUP):
        write(os.path.join(FAIL_GROUP, "probability"), "0")
        write(os.path.join(FAIL_GROUP, "times"), "0")


def a_group_that_cannot_be_read_is_still_left_whole(cli):
    """as above, but the second function's group cannot be read as it is
    added (-ENOMEM from the fault point): its mates are found by a walk
    of every function and the first one's override still goes back, said
    in the log; both on e1000, no override"""
    a, b = BEHIND_BRIDGE
    with Guarded(BEHIND_BRIDGE):
        try:
            tag, g = replug_with_the_first_persisted(arm=fault_point)
            with open(os.path.join(FAIL_GROUP, "times")) as f:
                expect_eq(f.read().strip(), "0", "the fault fired once")
        finally:
            fault_off()
        expect_logged(tag, rf"{a}: persisted claim for vfio-pci withdrawn: "
                      rf"{b} joined IOMMU group {g}", "the withdrawal")
        expect_logged(tag, rf"{b}: IOMMU group {g} could not be read \(-12\)",
                      "the failed read")
        expect_not_logged(tag, rf"vfio-pci {re.escape(a)}", "vfio-pci lines "
                          f"about {a}")
    reload()


# Only where the module has its fault points (the debug kernel).
if os.environ.get("PCIPASS_FAULT_INJECTION") == "1":
    test(a_group_that_cannot_be_read_is_still_left_whole)


@test
def a_function_re_added_beside_a_released_mate_stays(cli):
    """shape (d) with both functions persisted: claimed whole at load, then
    released to e1000; the second removed and rescanned (its group-mate
    named, but on its host driver) gets no override and e1000 again, the
    refusal naming the mate.  (Not the boot GPU's audio function: after a
    rescan the kernel may put a multifunction device's functions into
    groups of their own; behind a PCIe-to-PCI bridge the group is the
    bridge's alias and stays.)"""
    a, b = BEHIND_BRIDGE
    with Guarded(BEHIND_BRIDGE):
        reload(claims=f"{entry(a)};{entry(b)}")
        for x in BEHIND_BRIDGE:
            wait_driver(x, "vfio-pci")
        expect_eq(cli.run("release", a).returncode, 0, "release")
        for x in BEHIND_BRIDGE:
            wait_driver(x, "e1000")
        write(os.path.join(SYS_DEV, b, "remove"), "1")
        tag = mark()
        write("/sys/bus/pci/rescan", "1")
        wait_for(f"{b} back", lambda: os.path.exists(os.path.join(SYS_DEV, b)))
        wait_driver(b, "e1000")
        expect_eq(state(BEHIND_BRIDGE), {x: ("e1000", None)
                                         for x in BEHIND_BRIDGE}, "shape (d)")
        g, m = members(a)
        expect(b in m, f"{b} in {a}'s group {g} again: {m}")
        expect_logged(tag, rf"{b}: persisted claim NOT applied: {a} is in "
                      rf"its IOMMU group {g} and is not claimed for vfio-pci",
                      "the refusal")
    reload()


@test
def a_vf_in_its_pfs_group_is_left_with_it(cli):
    """shape (l), an SR-IOV PF and its VFs in one group, an entry for vf0
    only: the VFs created after the load get no override (the PF, on nvme,
    shares their group and no entry names it), vf0's entry is reported,
    nothing is on vfio-pci"""
    pf = os.path.join(SYS_DEV, PF_SHARED)
    write(os.path.join(pf, "sriov_numvfs"), "2")
    try:
        vf0 = os.path.basename(os.readlink(os.path.join(pf, "virtfn0")))
        claims = entry(vf0)
        g, m = members(vf0)
        expect(PF_SHARED in m, f"{PF_SHARED} in {vf0}'s group {g}: {m}")
        write(os.path.join(pf, "sriov_numvfs"), "0")
        tag = reload(claims=claims)
        write(os.path.join(pf, "sriov_numvfs"), "2")
        time.sleep(2)
        for i in (0, 1):
            vf = os.path.basename(os.readlink(os.path.join(pf, f"virtfn{i}")))
            expect(sys_driver(vf) != "vfio-pci" and sys_override(vf) is None,
                   f"{vf}: driver {sys_driver(vf)}, override "
                   f"{sys_override(vf)}")
        expect_eq(sys_driver(PF_SHARED), "nvme", f"{PF_SHARED} (the PF)")
        expect_logged(tag, rf"{vf0}: persisted claim NOT applied: "
                      rf"{PF_SHARED} is in its IOMMU group", "the refusal")
    finally:
        write(os.path.join(pf, "sriov_numvfs"), "0")
    reload()


@test
def a_vf_beside_a_released_pf_stays_on_the_host(cli):
    """shape (l) with entries for the PF and vf0: the PF is claimed at
    load, then released to nvme; VFs created afterwards get no override
    (vf0's entry is whole on paper, but its PF is on its host driver, so
    vf0 on vfio-pci would leave a group half claimed), vf0's refusal says
    why"""
    pf = os.path.join(SYS_DEV, PF_SHARED)
    write(os.path.join(pf, "sriov_numvfs"), "2")
    vf0 = os.path.basename(os.readlink(os.path.join(pf, "virtfn0")))
    claims = f"{entry(PF_SHARED)};{entry(vf0)}"
    write(os.path.join(pf, "sriov_numvfs"), "0")
    with Guarded([PF_SHARED]):
        try:
            reload(claims=claims)
            wait_driver(PF_SHARED, "vfio-pci")
            expect_eq(cli.run("release", PF_SHARED).returncode, 0, "release")
            wait_driver(PF_SHARED, "nvme")
            tag = mark()
            write(os.path.join(pf, "sriov_numvfs"), "2")
            time.sleep(2)
            for i in (0, 1):
                vf = os.path.basename(os.readlink(os.path.join(pf, f"virtfn{i}")))
                expect(sys_driver(vf) != "vfio-pci" and sys_override(vf) is None,
                       f"{vf}: driver {sys_driver(vf)}, override "
                       f"{sys_override(vf)}")
            g, _ = members(vf0)
            expect_logged(tag, rf"{vf0}: persisted claim NOT applied: "
                          rf"{PF_SHARED} is in its IOMMU group {g} and is not "
                          r"claimed for vfio-pci", "the refusal")
        finally:
            write(os.path.join(pf, "sriov_numvfs"), "0")
    reload()


@test
def a_vf_created_later_gets_vfio_pci_first(cli):
    """an entry for vf0 of the SR-IOV PF: VFs created after the load (the
    PF's driver adds them as at boot) -- vf0 binds vfio-pci although the
    PF's sriov_drivers_autoprobe is off, vf1 is left alone"""
    pf = os.path.join(SYS_DEV, PF)
    vf0, vf1 = (os.path.basename(os.readlink(os.path.join(pf, f"virtfn{i}")))
                for i in (0, 1))
    claims = entry(vf0)
    with Guarded([vf0, vf1]):
        write(os.path.join(pf, "sriov_numvfs"), "0")
        try:
            tag = reload(claims=claims)
            write(os.path.join(pf, "sriov_numvfs"), "2")
            wait_driver(vf0, "vfio-pci")
            expect_claimed(vf0)
            expect_eq((sys_driver(vf1), sys_override(vf1)), (None, None), vf1)
            expect_not_logged(tag, host_probe_line(vf0), "nvme probe of vf0")
            expect_eq(cli.run("release", vf0).returncode, 0, "release")
            expect_eq((sys_driver(vf0), sys_override(vf0)), (None, None),
                      f"{vf0} after release (autoprobe off: no driver)")
        finally:
            if not os.path.exists(os.path.join(pf, "virtfn1")):
                write(os.path.join(pf, "sriov_numvfs"), "2")


@test
def everything_back_as_it_was(cli):
    """at the end: the module loaded without claims, every function with
    its original driver and override"""
    reload()
    expect(ORIGINAL, "no snapshot from the first test")
    expect_eq(state(), ORIGINAL, "(driver, override) of every function")


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
