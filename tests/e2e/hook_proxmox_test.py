#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of `pcipass hook proxmox VMID PHASE`, Proxmox VE's
hookscript, driven as qemu-server drives it.

qm is not in Debian: the VM configs and the resource mapping are written
in the syntax Proxmox documents and parses (pve-docs qm.adoc "PCI
Passthrough" and "Resource Mapping"; qemu-server's hostpci format:
a slot for all its functions, ';' lists, mapping=, pcie=1, x-vga=1) into
/etc/pve on a writable overlay, and the hook is run with the two
arguments qemu-server gives it.  After pre-start, QEMU is started on the
claimed functions the way qemu-server passes them (-device
vfio-pci,host=ADDR) and QMP query-pci must show each: the ground truth
that the groups are really VFIO-viable.  Then QEMU is killed (a crash:
qmeventd's "qm cleanup" then runs post-stop) and post-stop must give every
function back to its own driver.  Runs as root after
tests/e2e/claim_vm_test.py; prints TAP.
"""

import os
import subprocess
import sys

from tapcheck import Suite, expect, expect_eq, main_with_cli
from cli_test import SYS_DEV, sys_driver
from claim_test import (ALONE, BOOT_VGA, GROUP_C, HOST_NIC, Cli, Guarded, endpoints,
                        expect_claimed, expect_state, members, state)
from claim_vm_test import InnerVm, vm_sees
from persist_test import WritableEtc, sysfs_id

test = Suite("hookpve")
ORIGINAL = {}
RECORDS = "/run/pcipass/vm"
NODE = os.uname().nodename.split(".")[0]


def group_of(addr):
    return int(os.path.basename(os.readlink(f"{SYS_DEV}/{addr}/iommu_group")))


def ids(addr, sub=False):
    pre = "subsystem_" if sub else ""
    return f"{sysfs_id(addr, pre + 'vendor'):04x}:{sysfs_id(addr, pre + 'device'):04x}"


class Pve:
    """/etc/pve with VM configs and a pci.cfg, on a writable /etc."""

    def __init__(self, vms, mapping=""):
        self.vms, self.mapping, self.etc = vms, mapping, WritableEtc()

    def __enter__(self):
        subprocess.run(["rm", "-rf", RECORDS], check=True)	# a test's leftovers
        self.etc.__enter__()
        os.makedirs("/etc/pve/qemu-server", exist_ok=True)
        os.makedirs("/etc/pve/mapping", exist_ok=True)
        for vmid, text in self.vms.items():
            with open(f"/etc/pve/qemu-server/{vmid}.conf", "w") as f:
                f.write(text)
        with open("/etc/pve/mapping/pci.cfg", "w") as f:
            f.write(self.mapping)
        return self

    def __exit__(self, *exc):
        return self.etc.__exit__(*exc)


def hook(cli, vmid, phase):
    r = cli.run("hook", "proxmox", str(vmid), phase)
    print(f"# $ pcipass hook proxmox {vmid} {phase}  -> exit {r.returncode}")
    for line in (r.stdout + r.stderr).splitlines():
        print(f"#   {line}")
    return r


def records():
    """{first member: {key: value or [members]}} from the record files."""
    out = {}
    for name in sorted(os.listdir(RECORDS)) if os.path.isdir(RECORDS) else []:
        if name.startswith("."):			# the hooks' lock
            continue
        rec = {"member": []}
        with open(os.path.join(RECORDS, name)) as f:
            for line in f.read().splitlines():
                k, _, v = line.partition(" ")
                if k == "member":
                    rec["member"].append(v)
                else:
                    rec[k] = v
        out[name] = rec
    return out


def alone_mapping(name, device=None):
    """A pci.cfg section for ALONE on this node, as the GUI writes it."""
    return (f"{name}\n"
            f"\tmap id={device or ids(ALONE)},iommugroup={group_of(ALONE)},"
            f"node={NODE},path={ALONE},subsystem-id={ids(ALONE, sub=True)}\n"
            f"\tdescription the e1000e alone in its group\n\n")


VM101 = ("boot: order=scsi0\nmachine: q35\n"
         f"hostpci0: {GROUP_C[0][5:-2]},pcie=1,x-vga=1\n"	# 06:00: the slot
         "hostpci1: mapping=nic0,pcie=1\n"
         "[snap1]\nhostpci2: 0e:00.0\n")			# not this run


@test
def pre_start_claims_every_group_and_post_stop_gives_them_back(cli):
    """pre-start of a VM with a multifunction slot and a mapping: both
    groups on vfio-pci, recorded for VM 101, again idempotent; QEMU takes
    every function (QMP query-pci); after QEMU is killed, post-stop puts
    every function back on its own driver and drops the records, twice"""
    ORIGINAL.update(state())
    fns = list(GROUP_C) + [ALONE]
    with Guarded(fns) as before, Pve({101: VM101}, alone_mapping("nic0")):
        expect_eq(hook(cli, 101, "pre-start").returncode, 0, "pre-start")
        expect_claimed(GROUP_C[0])
        expect_claimed(ALONE)
        recs = records()
        expect_eq(sorted((r["owner"], r["release"], tuple(r["member"]))
                         for r in recs.values()),
                  [("proxmox:101", "yes", tuple(GROUP_C)),
                   ("proxmox:101", "yes", (ALONE,))], "records")
        groups = {g["id"]: g for g in cli.json("list")["groups"]}
        expect_eq([groups[group_of(a)]["claimed_for"] for a in (GROUP_C[0], ALONE)],
                  ["proxmox:101"] * 2, "list: claimed_for")
        expect_eq([g["claimed_for"] for g in cli.json("check", ALONE)["groups"]],
                  ["proxmox:101"], "check: claimed_for")
        out = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup",
                              "--clear-groups", cli.path, "show", ALONE],
                             capture_output=True, text=True).stdout
        expect(f"{group_of(ALONE)} (vfio for VM 101 (Proxmox))" in out,
               f"show, not root, says for whom: {out!r}")
        r = hook(cli, 101, "pre-start")
        expect(r.returncode == 0 and r.stdout.count("already claimed for this VM") == 2,
               "a second pre-start finds both groups")
        expect_eq(hook(cli, 101, "post-start").returncode, 0, "post-start")
        with InnerVm(endpoints(fns)) as vm:
            expect(vm_sees(vm, fns), "QEMU has every function (QMP query-pci)")
            vm.proc.kill()				# a crash, not a quit
            vm.proc.wait(timeout=60)
        r = hook(cli, 101, "post-stop")
        expect_eq(r.returncode, 0, "post-stop")
        expect_state(before, "after post-stop")
        expect_eq(records(), {}, "records after post-stop")
        r = hook(cli, 101, "post-stop")
        expect(r.returncode == 0 and "nothing claimed for VM 101" in r.stdout,
               "a second post-stop does nothing")


@test
def a_refused_device_stops_the_start_and_changes_nothing(cli):
    """pre-start of a VM naming the host's NIC (an address, a route) after
    a free function: exit 6, one line naming the VM and the NIC; the
    function claimed first is given back, no record"""
    g, ms = members(HOST_NIC)
    with Guarded([ALONE] + ms) as before, \
            Pve({102: f"hostpci0: {ALONE}\nhostpci1: {HOST_NIC[5:]},pcie=1\n"}):
        r = hook(cli, 102, "pre-start")
        expect_eq(r.returncode, 6, "pre-start exit status")
        expect(f"VM 102 (Proxmox) not started: hostpci1: {HOST_NIC}" in r.stderr,
               f"the reason: {r.stderr!r}")
        expect_state(before, "after the refused start")
        expect_eq(records(), {}, "no record")


@test
def a_group_another_vm_holds_is_refused(cli):
    """VM 103 naming a function VM 101 holds: refused before anything is
    claimed, naming VM 101; a manual release drops 101's record"""
    with Guarded([ALONE]) as before, \
            Pve({101: f"hostpci0: {ALONE}\n", 103: f"hostpci0: {ALONE[5:-2]}\n"}):
        expect_eq(hook(cli, 101, "pre-start").returncode, 0, "VM 101 starts")
        r = hook(cli, 103, "pre-start")
        expect(r.returncode != 0 and
               f"IOMMU group {group_of(ALONE)} is claimed for VM 101 (Proxmox); stop it first"
               in r.stderr, f"VM 103 refused: {r.returncode} {r.stderr!r}")
        expect_claimed(ALONE)
        expect_eq(cli.run("release", ALONE).returncode, 0, "manual release")
        expect_eq(records(), {}, "the release drops the record")
        r = hook(cli, 101, "post-stop")
        expect(r.returncode == 0 and "nothing claimed" in r.stdout, "post-stop")
        expect_state(before, "at the end")


@test
def a_mapping_that_no_longer_matches_is_refused(cli):
    """a mapping whose recorded IDs are not the hardware's (a card swapped):
    refused with both IDs and where to fix it; nothing changed"""
    with Guarded([ALONE]) as before, \
            Pve({104: "hostpci0: mapping=gpu0\n"}, alone_mapping("gpu0", "10de:2204")):
        r = hook(cli, 104, "pre-start")
        expect(r.returncode != 0 and
               f"mapping 'gpu0': {ALONE} is {ids(ALONE)}, the mapping says 10de:2204"
               in r.stderr and "/etc/pve/mapping/pci.cfg" in r.stderr,
               f"refused: {r.returncode} {r.stderr!r}")
        expect_state(before, "after the refusal")


@test
def other_phases_and_bad_arguments(cli):
    """pre-stop and post-start change nothing; a VM without hostpci starts;
    a VMID that is not a number is a usage error; a missing config is named"""
    with Guarded([ALONE]) as before, Pve({105: "memory: 2048\n"}):
        for phase in ("pre-stop", "post-start", "some-later-phase"):
            expect_eq(hook(cli, 105, phase).returncode, 0, phase)
        r = hook(cli, 105, "pre-start")
        expect(r.returncode == 0 and "passes no PCI device through" in r.stdout,
               "no hostpci")
        expect_eq(hook(cli, "10x", "pre-start").returncode, 2, "bad VMID")
        r = hook(cli, 106, "pre-start")
        expect(r.returncode == 1 and "/etc/pve/qemu-server/106.conf" in r.stderr,
               f"missing config: {r.stderr!r}")
        expect_state(before, "nothing changed")
    expect_eq(sys_driver(ALONE), ORIGINAL[ALONE][0], "ALONE's driver")


def fb_vtcons():
    """{vtconN: bind} of the frame buffer consoles (fbcon)."""
    out = {}
    for v in sorted(os.listdir("/sys/class/vtconsole")):
        with open(f"/sys/class/vtconsole/{v}/name") as f:
            if "frame buffer device" not in f.read():
                continue
        with open(f"/sys/class/vtconsole/{v}/bind") as f:
            out[v] = f.read().strip()
    return out


@test
def the_boot_gpu_takes_the_host_console_along(cli):
    """pre-start of a VM with the boot GPU's slot (x-vga=1) while a process
    has its DRM node open: refused, naming it, nothing changed; then:
    fbcon lets go of the VTs, the GPU and its audio function on vfio-pci,
    QEMU takes both; post-stop: bochs-drm and snd_hda_intel back, fbcon
    on the VTs again"""
    _, ms = members(BOOT_VGA)
    eps = endpoints(ms)
    with Guarded(ms) as before, Pve({107: f"hostpci0: {BOOT_VGA[5:-2]},pcie=1,x-vga=1\n"}):
        vts = fb_vtcons()
        expect(vts and all(b == "1" for b in vts.values()),
               f"fbcon on the VTs before: {vts}")
        with open("/dev/dri/card0", "rb"):
            r = hook(cli, 107, "pre-start")
            expect(r.returncode == 6 and
                   f"{BOOT_VGA} is the boot GPU and PID {os.getpid()}" in r.stderr,
                   f"refused while its display is open: {r.returncode} {r.stderr!r}")
        expect_state(before, "after the refusal")
        expect_eq(fb_vtcons(), vts, "the console untouched")

        r = hook(cli, 107, "pre-start")
        expect_eq(r.returncode, 0, "pre-start")
        # unbound, or gone with the GPU's last framebuffer
        expect(all(b == "0" for b in fb_vtcons().values()),
               f"fbcon off the VTs: {fb_vtcons()}")
        expect_eq([sys_driver(a) for a in eps], ["vfio-pci"] * len(eps), "drivers")
        rec = next(iter(records().values()))
        expect_eq(rec.get("vtcon"), sorted(vts)[0], "the record has the console")
        with InnerVm(eps) as vm:
            expect(vm_sees(vm, eps), "QEMU has the GPU and its audio function")
            vm.proc.kill()
            vm.proc.wait(timeout=60)
        expect_eq(hook(cli, 107, "post-stop").returncode, 0, "post-stop")
        expect_state(before, "after post-stop")
        expect_eq(fb_vtcons(), vts, "fbcon back on the VTs")


@test
def everything_back_as_it_was(cli):
    """at the end: every function has its original driver and override"""
    expect(ORIGINAL, "no snapshot from the first test")
    expect_eq(state(), ORIGINAL, "(driver, override) of every function")
    subprocess.run(["rm", "-rf", RECORDS])


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
