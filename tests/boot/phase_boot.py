# SPDX-License-Identifier: GPL-2.0
"""Boot 2: the persisted claims applied (see persist_boot_test.py)."""

import os
import re

from tapcheck import Failure, expect, expect_eq
from cli_test import sys_driver, sys_override
from claim_test import expect_claimed
from claim_vm_test import InnerVm, vm_sees
from bootlib import (CARD, MODPROBE, NIC, NVME, PERSISTED, PF, PF_VFS,
                     ROOT_CTRL, ROOT_DRV, SLOT_I, boot, host_check, initrd,
                     kernel_log, numvfs, probe_lines, run, unit)


# ------------------------------------------------------ boot 2: applied

@boot
def persisted_functions_were_never_bound_by_a_host_driver(cli):
    """no probe line of e1000e or nvme for a persisted function in this
    boot's kernel log, while the functions not persisted have theirs"""
    log = kernel_log()
    for addr in PERSISTED:
        expect_eq(probe_lines(addr, log), [], f"host driver lines of {addr}")
    expect(probe_lines(SLOT_I, log), "control: e1000e probed (i)")
    expect(any("pci function 0000:0a:00.0" in line for line in log),
           "control: nvme probed (f)")


def timestamp(name):
    return int(unit(name, "ActiveEnterTimestampMonotonic")
               ["ActiveEnterTimestampMonotonic"])


def vf_added_s(vf, log):
    """When the kernel added the VF: its first "pci ADDR: [vvvv:dddd]"
    line's timestamp, in seconds since boot."""
    for line in log:
        m = re.match(r"\[\s*(\d+\.\d+)\] pci " + re.escape(vf) + r": \[", line)
        if m:
            return float(m.group(1))
    raise Failure(f"no 'pci {vf}: [' line in the kernel log")


@boot
def persisted_vfs_created_on_vfio_pci_before_network_pre(cli):
    """sriov.conf's count applied: sriov_numvfs 2 on the PF (still on
    nvme), each VF on vfio-pci with its override and VFIO-viable, no nvme
    line for a VF in the kernel log; the kernel added the VFs, and
    pcipass-persist.service was done, before network-pre.target and
    multi-user.target (systemd's and the kernel's monotonic clocks)"""
    expect_eq((sys_driver(PF), numvfs(PF)), ("nvme", 2), "the PF")
    for vf in PF_VFS:
        expect_claimed(vf)
    log = kernel_log()
    for vf in PF_VFS:
        expect_eq([x for x in log if re.search(r"nvme.*" + re.escape(vf), x)],
                  [], f"nvme lines of {vf}")
    added = max(vf_added_s(vf, log) for vf in PF_VFS)
    done = timestamp("pcipass-persist.service") / 1e6
    pre = timestamp("network-pre.target") / 1e6
    multi = timestamp("multi-user.target") / 1e6
    print(f"# VFs added by the kernel at {added:.2f} s, pcipass-persist.service "
          f"done at {done:.2f} s, network-pre.target at {pre:.2f} s, "
          f"multi-user.target at {multi:.2f} s")
    # the kernel log's clock (local_clock) and systemd's CLOCK_MONOTONIC
    # both start near 0 at boot; the unit creates the VFs before it ends
    expect(0 < added < pre and 0 < done < pre < multi,
           f"VFs {added} s, unit {done} s, network-pre {pre} s, multi-user {multi} s")
    j = run("journalctl", "-b", "-u", "pcipass-persist.service", "-o", "cat").stdout
    expect(f"{PF}: 2 VFs created" in j and
           all(f"{vf} on vfio-pci" in j for vf in PF_VFS), f"journal: {j!r}")
    u = unit("pcipass-persist.service", "Before", "Wants")
    expect("network-pre.target" in u.get("Before", "") and
           "network-pre.target" in u.get("Wants", ""), f"unit ordering: {u!r}")


@boot
def the_groups_are_on_vfio_pci_and_viable(cli):
    """both groups on vfio-pci (driver and override) and VFIO-viable"""
    for addr in (NIC[0], NVME, CARD):
        expect_claimed(addr)


@boot
def a_vm_in_the_image_takes_them(cli):
    """Debian's QEMU inside the image starts (paused) with -device
    vfio-pci for each persisted function and each VF created at boot:
    QMP query-pci shows them all"""
    addrs = [*PERSISTED, *PF_VFS]
    with InnerVm(addrs) as vm:
        expect(vm_sees(vm, addrs),
               f"the inner VM has {' '.join(addrs)} (QMP query-pci)")
        vm.qmp("quit")
        vm.proc.wait(timeout=60)


@boot
def claimed_before_multi_user(cli):
    """pcipass-persist.service succeeded, and was done before
    multi-user.target (systemd's timestamps); its journal names them"""
    u = unit("pcipass-persist.service", "Result", "ActiveState",
             "ActiveEnterTimestampMonotonic")
    m = unit("multi-user.target", "ActiveEnterTimestampMonotonic")
    expect_eq((u.get("Result"), u.get("ActiveState")), ("success", "active"),
              "unit")
    done, multi = int(u["ActiveEnterTimestampMonotonic"]), \
        int(m["ActiveEnterTimestampMonotonic"])
    expect(0 < done < multi, f"unit done at {done} us, multi-user at {multi} us")
    j = run("journalctl", "-b", "-u", "pcipass-persist.service", "-o", "cat").stdout
    expect(all(f"{a} on vfio-pci" in j for a in PERSISTED), f"journal: {j!r}")
    claimed = [line for line in kernel_log()
               if "persisted claim: IOMMU group" in line]
    print(f"# boot to claimed (kernel log): {claimed}")
    print(f"# pcipass-persist.service done at {done / 1e6:.1f} s, "
          f"multi-user.target at {multi / 1e6:.1f} s")


@boot
def the_root_group_stayed_with_the_host(cli):
    """the planted root group: the root disk's controller still on
    virtio-pci, no override; pcipass-persist.service said why"""
    expect_eq(sys_driver(ROOT_CTRL), ROOT_DRV, "root disk controller")
    expect_eq(sys_override(ROOT_CTRL), None, "its override")
    j = run("journalctl", "-b", "-u", "pcipass-persist.service", "-o", "cat").stdout
    expect(f"{ROOT_CTRL} not claimed: its IOMMU group holds the root filesystem" in j,
           f"journal: {j!r}")


@boot
def persist_list_and_host_agree(cli):
    """persist list: the persisted functions present on vfio-pci, the
    module loaded with the claims the file gives; pcipass host: the
    initramfs (newer than the claims) carries them, and it warns about
    the planted root disk's entry, left out"""
    doc = cli.json("persist", "list")
    got = {e["address"]: (e["match"], e["current_driver"])
           for e in doc["entries"]}
    for addr in PERSISTED:
        expect_eq(got.get(addr), ("present", "vfio-pci"), f"persist list {addr}")
    expect_eq(doc["module"], "same", "the loaded module's claims")
    expect(os.stat(initrd()).st_mtime >= os.stat(MODPROBE).st_mtime,
           "ground truth: initramfs newer than the option")
    c = host_check(cli)
    expect_eq((c["status"], c["facts"].get("initramfs_current"),
               c["facts"].get("held")),
              ("warn", True, 1), "persisted_claims check")
    expect("LEFT OUT" in (c["fix"] or ""), f"its fix: {c['fix']!r}")
