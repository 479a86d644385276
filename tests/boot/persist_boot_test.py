#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Persisted claims across real boots of the Debian 12 image (tests/image/).

Run inside the image by tests/boot/persist.sh, one phase per boot:

  write   the first boot (pcipass installed by make install, nothing
          persisted): claim --persist of a NIC group (shape c: two e1000e
          functions, one group) and of an NVMe controller (shape e); the
          root disk's controller refused; its whole IOMMU group planted in
          claims.conf by hand and left out of the module option; pcipass
          host says the initramfs is stale.
  (then tests/boot/persist.sh runs update-initramfs in the image's root)
  boot    the next boot, from the initramfs that update-initramfs made:
          the persisted functions were never bound by a host driver, are
          on vfio-pci and VFIO-viable, a QEMU in the image takes them
          (-device vfio-pci), pcipass-persist.service succeeded
          before multi-user.target; the planted root group was left out of
          the initramfs and stayed with the host.
  moved   the persisted NIC of shape (a) and the NIC of shape (i) trade
          slots (tests/image/boot.sh --swap-macs): followed by its serial
          number, the other card in its slot left to e1000e.  The USB
          controller (k) and the NVMe of (l) trade slots too (--swap-slots):
          `pcipass drift` on the Proxmox maps the write boot exported
          reports both moved; the NICs, same IDs, stay ok.
  escape  booted with pcipass.persist=0: nothing claimed, no VFs created.

The write boot also persists two VFs of the SR-IOV NVMe PF of (f) with
their claims (sriov --vfs 2 --claim --persist); each later boot has them
created by pcipass-persist.service before network-pre.target, on
vfio-pci from their first moment (the PF stays on nvme).

Ground truth: sysfs (driver, driver_override), VFIO's verdict on the group,
the host drivers' own probe lines in the kernel log (and the lines of the
functions not persisted, which show the log would have them), systemd's
own timestamps, lspci -vvv.
Prints TAP.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from tapcheck import Failure, Suite, expect, expect_eq
from cli_test import SYS_DEV, sys_driver, sys_override, vfio_viable
from claim_test import Cli, expect_claimed, members
from claim_vm_test import InnerVm, vm_sees
from persist_test import (entry, host_probe_line, lspci_dsn, sysfs_id,
                          sysfs_path)

NIC = ("0000:06:00.0", "0000:06:00.1")		# (c): one group, e1000e
NVME = "0000:09:00.0"				# (e): alone, nvme
CARD = "0000:01:00.0"				# (a): alone, e1000e; moves
SLOT_I = "0000:10:00.0"				# (i): where it moves to
ROOT_CTRL = "0000:00:12.0"			# virtio-blk: the root disk
ROOT_DRV = "virtio-pci"
CONF = "/etc/pcipass/claims.conf"
SRIOV_CONF = "/etc/pcipass/sriov.conf"
PF = "0000:0a:00.0"				# (f): SR-IOV NVMe PF, nvme
PF_VFS = ("0000:0a:00.1", "0000:0a:00.2")	# its VFs, groups of their own
MODPROBE = "/etc/modprobe.d/pcipass.conf"
PERSISTED = (*NIC, NVME, CARD)
HOST_DRIVERS = ["e1000e", "e1000e", "nvme", "e1000e"]

write = Suite("persistboot.write")
boot = Suite("persistboot.boot")
moved = Suite("persistboot.moved")
escape = Suite("persistboot.escape")


def read(path):
    with open(path) as f:
        return f.read()


def run(*cmd, timeout=600):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    print(f"# $ {' '.join(cmd)}  -> exit {r.returncode}")
    for line in (r.stdout + r.stderr).splitlines()[-40:]:
        print(f"#   {line}")
    return r


def initrd():
    return f"/boot/initrd.img-{os.uname().release}"


def kernel_log():
    return subprocess.run(["dmesg"], capture_output=True, text=True,
                          check=True).stdout.splitlines()


def probe_lines(addr, log):
    """A host driver's lines naming the function (nvme names it in "pci
    function ADDR" on its controller's line)."""
    return [line for line in log if re.search(host_probe_line(addr), line)
            or f"pci function {addr}" in line]


def unit(name, *props):
    out = run("systemctl", "show", name, *(f"-p{p}" for p in props)).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def host_check(cli):
    doc = cli.json("host", want_rc=None)
    return next(c for c in doc["checks"] if c["id"] == "persisted_claims")


def entry_line(addr):
    """The claims.conf line claim --persist writes for addr (up to driver=)."""
    return f"{sysfs_path(addr)} {sysfs_id(addr, 'vendor'):04x}:" \
           f"{sysfs_id(addr, 'device'):04x} " \
           f"sub={sysfs_id(addr, 'subsystem_vendor'):04x}:" \
           f"{sysfs_id(addr, 'subsystem_device'):04x}"


# ------------------------------------------------------------ boot 1: write

@write
def host_drivers_before_any_claim(cli):
    """first boot: the NIC group on e1000e, the NVMe on nvme, the root disk
    on virtio-pci; no claims.conf, so pcipass-persist.service did not run"""
    expect_eq([sys_driver(a) for a in PERSISTED], HOST_DRIVERS, "host drivers")
    expect_eq(sys_driver(ROOT_CTRL), ROOT_DRV, "root disk controller")
    expect(not os.path.exists(CONF), f"{CONF} exists already")
    u = unit("pcipass-persist.service", "ConditionResult", "ActiveState")
    expect_eq(u.get("ConditionResult"), "no", "unit's condition (no claims.conf)")


@write
def claim_persist_records_the_nic_group_and_the_nvme(cli):
    """claim --persist of the NIC group, the NVMe and another NIC: claimed
    now, each function in claims.conf by path, IDs and serial, the module
    option"""
    for addr in (NIC[0], NVME, CARD):
        expect_eq(cli.run("claim", "--persist", addr).returncode, 0,
                  f"claim --persist {addr}")
        expect_claimed(addr)
    conf, mp = read(CONF), read(MODPROBE)
    for addr in PERSISTED:
        line = entry_line(addr)
        expect(any(x.startswith(line) for x in conf.splitlines()),
               f"claims.conf has {line!r}: {conf!r}")
        expect(sysfs_path(addr) in mp, f"{MODPROBE} names {sysfs_path(addr)}")
    # e1000e's serial number, as lspci reads it, pins the NIC
    expect(f"dsn={lspci_dsn(NIC[0])}" in conf, "NIC serial number in claims.conf")


@write
def the_root_disk_controller_is_refused(cli):
    """claim --persist of the root disk's controller: refused (exit 6),
    nothing recorded, virtio-pci keeps it"""
    before = read(CONF)
    r = cli.run("claim", "--persist", ROOT_CTRL)
    expect_eq(r.returncode, 6, "exit status")
    expect("root" in (r.stdout + r.stderr).lower(), "the refusal says root")
    expect_eq(read(CONF), before, "claims.conf")
    expect_eq(sys_driver(ROOT_CTRL), ROOT_DRV, "driver")


@write
def a_root_group_planted_by_hand_stays_out_of_the_option(cli):
    """every function of the root disk's IOMMU group written into
    claims.conf by hand: persist apply leaves the controller out of the
    module option, naming its line; persist boot-option (what the
    initramfs hook asks on a running host) too"""
    _, ms = members(ROOT_CTRL)
    with open(CONF, "a") as f:
        f.write("# planted by hand: the root disk's whole group\n")
        for m in ms:
            f.write(entry_line(m) + "\n")
    line = len(read(CONF).splitlines())
    r = cli.run("persist", "apply")
    expect_eq(r.returncode, 0, "persist apply")
    expect(f"claims.conf:{line}: {sysfs_path(ROOT_CTRL)}" in r.stderr and
           "holds the root filesystem" in r.stderr, f"apply names it: {r.stderr!r}")
    expect(f"{sysfs_path(ROOT_CTRL)}," not in read(MODPROBE),
           f"{ROOT_CTRL} left out: {read(MODPROBE)!r}")
    expect(all(sysfs_path(a) in read(MODPROBE) for a in PERSISTED), "the others stay")
    r = cli.run("persist", "boot-option")
    expect_eq(r.returncode, 0, "persist boot-option")
    expect(f"{sysfs_path(ROOT_CTRL)}," not in r.stdout and
           all(sysfs_path(a) in r.stdout for a in PERSISTED),
           f"boot-option: {r.stdout!r}")
    expect("holds the root filesystem" in r.stderr, f"named: {r.stderr!r}")


@write
def the_initramfs_hook_checks_the_claims_on_a_running_host(cli):
    """pcipass's initramfs-tools hook run as mkinitramfs runs it (a scratch
    DESTDIR), the root disk's entry forced into the module option by hand:
    the initramfs's option leaves it out, naming it; pcipass.ko, vfio-pci
    and the list of drivers for init-top go in"""
    mp = read(MODPROBE)
    forced = mp.rstrip("\n") + ";" + entry(ROOT_CTRL) + "\n"
    try:
        with open(MODPROBE, "w") as f:
            f.write(forced)
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "etc/modprobe.d"))
            env = dict(os.environ, DESTDIR=d, version=os.uname().release,
                       verbose="n", CONFDIR="/etc/initramfs-tools")
            r = subprocess.run(["sh", "/etc/initramfs-tools/hooks/pcipass"],
                               env=env, capture_output=True, text=True,
                               timeout=300)
            print(f"# hook: exit {r.returncode}: {r.stderr.strip()!r}")
            expect_eq(r.returncode, 0, "hook exit status")
            expect(ROOT_CTRL in r.stderr and "root filesystem" in r.stderr,
                   "the hook named the root disk")
            opt = read(os.path.join(d, MODPROBE.lstrip("/")))
            expect(f"{sysfs_path(ROOT_CTRL)}," not in opt and
                   all(sysfs_path(a) in opt for a in PERSISTED),
                   f"initramfs option: {opt!r}")
            kos = [f for _, _, fs in os.walk(d) for f in fs if ".ko" in f]
            for want in ("pcipass.ko", "vfio-pci.ko"):
                expect(any(k.startswith(want) for k in kos), f"{want} in {kos}")
            expect_eq(read(os.path.join(d, "etc/pcipass/initramfs-drivers")),
                      "vfio-pci\n", "drivers for init-top")
    finally:
        with open(MODPROBE, "w") as f:
            f.write(mp)


@write
def pcipass_host_says_the_initramfs_is_older(cli):
    """pcipass host: WARN, the initramfs older than the claims (their
    mtimes say so), fix update-initramfs"""
    expect(os.stat(initrd()).st_mtime < os.stat(MODPROBE).st_mtime,
           "ground truth: initramfs older than the option")
    c = host_check(cli)
    expect_eq((c["status"], c["facts"].get("initramfs_current")),
              ("warn", False), "persisted_claims check")
    expect("update-initramfs" in (c["fix"] or ""), f"fix: {c['fix']!r}")


# Proxmox resource mappings of this node, saved for boot 3 (not in
# /etc/pve: the image is no Proxmox node).  The USB controller (k) and the
# NVMe of (l) trade slots in boot 3 (tests/image/boot.sh --swap-slots);
# the other NVMe controllers are mapped too, so (l)'s IDs have one free
# place to go; (a) and (i) are the NICs that trade MACs.  The GPU of (j)
# is swapped for another card (a virtio GPU, other IDs) in boot 3.
DRIFT_CFG = "/root/pcipass-drift/pci.cfg"
MAPS = {"usb": "0000:13:00", "nvme_l": "0000:14:00", "nvme_e": "0000:09:00",
        "nvme_f": "0000:0a:00", "card": "0000:01:00", "slot_i": "0000:10:00",
        "gpu": "0000:12:00"}
USB_K, NVME_L, GPU_J = "0000:13:00.0", "0000:14:00.0", "0000:12:00.0"


def props(value):
    return dict(kv.split("=", 1) for kv in value.split(","))


def ids(addr):
    return f"{sysfs_id(addr, 'vendor'):04x}:{sysfs_id(addr, 'device'):04x}"


def group_of(addr):
    return int(os.path.basename(os.readlink(f"{SYS_DEV}/{addr}/iommu_group")))


def base_class(addr):
    return sysfs_id(addr, "class") >> 8


@write
def proxmox_mappings_saved_and_drift_says_ok(cli):
    """export proxmox-mapping --config of six slots: node is this host's
    name, path, id and iommugroup from sysfs; saved for boot 3; drift on
    them exits 0, every map ok"""
    node = os.uname().nodename.split(".")[0]
    text = ""
    for name, slot in MAPS.items():
        r = cli.run("export", "proxmox-mapping", "--config", name, slot)
        expect_eq(r.returncode, 0, f"export proxmox-mapping {name}")
        m = props(r.stdout.splitlines()[1].split()[1])
        fn0 = slot + ".0"
        expect_eq((m["node"], m["path"], m["id"], m["iommugroup"]),
                  (node, slot, ids(fn0), str(group_of(fn0))), f"map {name}")
        text += r.stdout + "\n"
    os.makedirs(os.path.dirname(DRIFT_CFG), exist_ok=True)
    with open(DRIFT_CFG, "w") as f:
        f.write(text)
    doc = cli.json("drift", DRIFT_CFG)
    expect_eq({e["mapping"]: e["status"] for e in doc["entries"]},
              dict.fromkeys(MAPS, "ok"), "drift")
    expect_eq((base_class(USB_K), base_class(NVME_L)), (0x0c03, 0x0108),
              "ground truth: USB at (k), NVMe at (l)")
    expect_eq(ids(GPU_J), "1234:1111", "ground truth: QEMU's VGA at (j)")


def numvfs(pf):
    return int(read(f"{SYS_DEV}/{pf}/sriov_numvfs"))


@write
def sriov_persist_records_the_count_and_the_vf_claims(cli):
    """sriov 0a:00.0 --vfs 2 --claim --persist: two VFs now, on vfio-pci;
    sriov.conf records the PF by path and IDs with vfs=2 (the module's
    option does not), claims.conf each VF by PF path /vfN; persist list
    shows the count present with 2 VFs"""
    expect_eq((sys_driver(PF), numvfs(PF)), ("nvme", 0), "ground truth before")
    r = cli.run("sriov", PF, "--vfs", "2", "--claim", "--persist")
    expect_eq(r.returncode, 0, f"sriov --persist: {r.stdout!r} {r.stderr!r}")
    expect_eq(numvfs(PF), 2, "sriov_numvfs")
    for vf in PF_VFS:
        expect_claimed(vf)
    lines = [x for x in read(SRIOV_CONF).splitlines()
             if x and not x.startswith("#")]
    expect(len(lines) == 1 and lines[0].startswith(entry_line(PF)) and
           " vfs=2" in lines[0], f"sriov.conf: {lines!r}")
    conf, mp = read(CONF), read(MODPROBE)
    for i, vf in enumerate(PF_VFS):
        expect_eq(sysfs_path(vf), f"{sysfs_path(PF)}/vf{i}", "ground truth: VF path")
        expect(any(x.startswith(entry_line(vf) + " ") and " driver=vfio-pci" in x
                   for x in conf.splitlines()), f"claims.conf has {vf}: {conf!r}")
        expect(f"{sysfs_path(vf)}," in mp, f"{MODPROBE} names {sysfs_path(vf)}")
    expect("vfs=" not in mp, f"no VF count in the module option: {mp!r}")
    doc = cli.json("persist", "list")
    expect_eq([(e["path"], e["vfs"], e["match"], e["address"], e["numvfs"])
               for e in doc["sriov"]],
              [(sysfs_path(PF), 2, "present", PF, 2)], "persist list's sriov")


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
    vfio-pci for each persisted function: QMP query-pci shows them all"""
    with InnerVm(list(PERSISTED)) as vm:
        expect(vm_sees(vm, list(PERSISTED)),
               f"the inner VM has {' '.join(PERSISTED)} (QMP query-pci)")
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


# -------------------------------------- boot 3: the persisted card moved

@moved
def a_moved_card_is_followed_and_another_in_its_slot_left_alone(cli):
    """the persisted NIC of (a) and the one of (i) traded slots (and MACs,
    so serial numbers): the persisted card, now at (i), is on vfio-pci and
    reported moved; the other card, now at (a), is on e1000e, reported"""
    conf = read(CONF)
    line = next(x for x in conf.splitlines()
                if x.startswith("0000:00:01.0/00.0 "))
    dsn = re.search(r"dsn=([0-9a-f]{16})", line).group(1)
    expect_eq(lspci_dsn(SLOT_I), dsn, "ground truth: the card is at (i) now")
    expect(lspci_dsn(CARD) != dsn, "ground truth: another card at (a)")
    expect_claimed(SLOT_I)
    expect_eq((sys_driver(CARD), sys_override(CARD)), ("e1000e", None), "(a)")
    log = kernel_log()
    expect(any(SLOT_I in x and "moved from 0000:00:01.0/00.0 to 0000:00:09.0/00.0" in x
               for x in log), "kernel log: moved")
    expect(any(CARD in x and "NOT claimed" in x for x in log),
           "kernel log: the card at (a) not claimed")
    expect(probe_lines(CARD, log), "e1000e probed the card at (a)")
    expect_eq(probe_lines(SLOT_I, log), [], "no host driver at (i)")
    doc = cli.json("persist", "list")
    e = next(x for x in doc["entries"] if x["path"] == "0000:00:01.0/00.0")
    expect_eq((e["match"], e["address"], e["current_driver"]),
              ("moved", SLOT_I, "vfio-pci"), "persist list")
    expect_eq(unit("pcipass-persist.service", "Result")["Result"], "success",
              "unit result")


def sub_ids(addr):
    return (f"{sysfs_id(addr, 'subsystem_vendor'):04x}:"
            f"{sysfs_id(addr, 'subsystem_device'):04x}")


@moved
def drift_sees_the_cards_that_moved_but_not_the_nics(cli):
    """the USB controller and (l)'s NVMe traded slots: drift exits 3, both
    maps moved to the other's slot, the fix is what sysfs says there; the
    GPU of (j) was swapped for a virtio GPU: swapped, the fix is the new
    card's IDs and group; the NICs of (a) and (i) that traded MACs stay ok
    (same IDs, and a map holds no serial number), as do the NVMe
    controllers that stayed"""
    expect_eq((base_class(USB_K), base_class(NVME_L)), (0x0108, 0x0c03),
              "ground truth: the NVMe at (k)'s slot, USB at (l)'s")
    expect_eq(ids(GPU_J), "1af4:1050", "ground truth: a virtio GPU at (j)")
    doc = cli.json("drift", DRIFT_CFG, want_rc=3)
    got = {e["mapping"]: e for e in doc["entries"]}
    e = got["gpu"]
    expect_eq((e["status"], e["paths"][0]["status"], e["paths"][0]["found_at"]),
              ("swapped", "swapped", []), "gpu: status, found nowhere else")
    expect_eq(props(e["fix"]),
              dict(props(e["map"]), id=ids(GPU_J), **{"subsystem-id": sub_ids(GPU_J)},
                   iommugroup=str(group_of(GPU_J))),
              "gpu: the map that matches now")
    for name, now in (("usb", NVME_L), ("nvme_l", USB_K)):
        e = got[name]
        expect_eq((e["status"], e["paths"][0]["found_at"]), ("moved", [now]),
                  f"{name}: status, found at")
        expect_eq(props(e["fix"]), dict(props(e["map"]), path=now[:-2],
                                         iommugroup=str(group_of(now))),
                  f"{name}: the map that matches now")
    # The e1000e cards of (a) and (i) traded MACs, so serial numbers: the
    # persisted claim follows its card (above), a Proxmox map (IDs and a
    # path, no serial) cannot see it.  It says ok, honestly.
    expect_eq({n: got[n]["status"] for n in ("card", "slot_i", "nvme_e", "nvme_f")},
              dict.fromkeys(("card", "slot_i", "nvme_e", "nvme_f"), "ok"),
              "the maps drift cannot or need not tell apart")
    expect(lspci_dsn(CARD) != lspci_dsn(SLOT_I), "ground truth: two serials")


# ------------------------------------------- boot 4: pcipass.persist=0

@escape
def persist_wait_loads_the_module_as_modprobe_would(cli):
    """pcipass unloaded: persist wait with pcipass blacklisted in
    modprobe.d leaves it out (exit 0); without, it loads it with the
    command line's pcipass.persist=0 (the module's own parameter says N)"""
    bl = "/etc/modprobe.d/zz-pcipass-test-blacklist.conf"
    expect_eq(run("rmmod", "pcipass").returncode, 0, "rmmod pcipass")
    try:
        with open(bl, "w") as f:
            f.write("blacklist pcipass\n")
        r = cli.run("persist", "wait", "--timeout", "5")
        expect(r.returncode == 0 and "blacklisted" in r.stdout,
               f"blacklisted: exit {r.returncode} {r.stdout!r}")
        expect(not os.path.exists("/sys/module/pcipass"), "module stays out")
    finally:
        os.unlink(bl)
    r = cli.run("persist", "wait", "--timeout", "5")
    expect(r.returncode == 0 and "pcipass.persist=0" in r.stdout,
           f"loaded: exit {r.returncode} {r.stdout!r}")
    expect_eq(read("/sys/module/pcipass/parameters/persist").strip(), "N",
              "the module's persist parameter")
    expect_eq([sys_driver(a) for a in PERSISTED], HOST_DRIVERS, "host drivers")


@escape
def the_escape_hatch_claims_nothing(cli):
    """booted with pcipass.persist=0: host drivers on every persisted
    function, no override, the module said why, the unit still succeeded"""
    expect("pcipass.persist=0" in read("/proc/cmdline"), "kernel command line")
    expect_eq([sys_driver(a) for a in PERSISTED], HOST_DRIVERS, "host drivers")
    expect_eq([sys_override(a) for a in PERSISTED], [None] * len(PERSISTED),
              "overrides")
    expect(any("persist=0" in line for line in kernel_log()), "kernel log")
    expect_eq(unit("pcipass-persist.service", "Result")["Result"], "success",
              "unit result")


@escape
def the_escape_hatch_creates_no_vfs(cli):
    """booted with pcipass.persist=0: sriov.conf persists 2 VFs, none
    created (sriov_numvfs 0 on the PF, no virtfn link), the PF on nvme;
    the unit's journal says nothing was applied"""
    expect(" vfs=2" in read(SRIOV_CONF), "ground truth: the count persisted")
    expect_eq((sys_driver(PF), numvfs(PF)), ("nvme", 0), "the PF")
    expect_eq([n for n in os.listdir(f"{SYS_DEV}/{PF}") if n.startswith("virtfn")],
              [], "virtfn links")
    j = run("journalctl", "-b", "-u", "pcipass-persist.service", "-o", "cat").stdout
    expect("VF counts not applied" in j, f"journal: {j!r}")


PROM_DIR = "/var/lib/prometheus/node-exporter"		# Debian's node_exporter


@escape
def the_metrics_timer_runs_the_export(cli):
    """make install's pcipass-export-prometheus.timer is enabled and
    active in this systemd and triggers its service; with node_exporter's
    textfile directory present the service writes pcipass.prom there (mode
    0644, nothing else left), counting the IOMMU groups sysfs has"""
    timer = "pcipass-export-prometheus.timer"
    expect_eq(run("systemctl", "is-enabled", timer).stdout.strip(), "enabled",
              "timer enabled")
    got = unit(timer, "ActiveState", "Triggers")
    expect_eq((got["ActiveState"], got["Triggers"]),
              ("active", "pcipass-export-prometheus.service"), "timer")
    parent = os.path.dirname(PROM_DIR)
    made_parent = not os.path.exists(parent)
    os.makedirs(PROM_DIR)
    try:
        r = run("systemctl", "start", "pcipass-export-prometheus.service")
        expect_eq(r.returncode, 0, "systemctl start the export")
        expect_eq(unit("pcipass-export-prometheus.service", "Result")["Result"],
                  "success", "service result")
        expect_eq(os.listdir(PROM_DIR), ["pcipass.prom"], "files written")
        path = os.path.join(PROM_DIR, "pcipass.prom")
        expect_eq(os.stat(path).st_mode & 0o777, 0o644, "mode")
        groups = len(os.listdir("/sys/kernel/iommu_groups"))
        expect(f"pcipass_iommu_groups {groups}" in read(path).splitlines(),
               f"pcipass_iommu_groups {groups} (sysfs)")
    finally:
        shutil.rmtree(parent if made_parent else PROM_DIR)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    phases = {"write": write, "boot": boot, "moved": moved, "escape": escape}
    ap.add_argument("--phase", required=True, choices=phases)
    args = ap.parse_args()
    suite = phases[args.phase]
    return suite.run(Cli(args.cli))


if __name__ == "__main__":
    sys.exit(main())
