#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of pcipass's libvirt hook with Debian 12's own libvirt.

Runs inside the Debian image (tests/image/, booted by tests/boot/persist.sh
with pcipass.persist=0, so nothing is claimed), where libvirt-daemon-system
runs under systemd and `make install` put the hook into
/etc/libvirt/hooks/qemu.d/pcipass.  Domains are defined and started with
virsh, as an operator does: a domain with both functions of a
multifunction slot as <hostdev managed='no'> starts, and the devices are
in its QEMU (QMP query-pci through virsh qemu-monitor-command: ground
truth from the VM); virsh destroy gives them back to e1000e; a killed QEMU
(a crash) too; a domain naming the root disk's controller does not start
and virsh's error carries the hook's reason.  Prints TAP.
"""

import collections
import json
import os
import signal
import subprocess
import sys
import tempfile

from tapcheck import Failure, Suite, expect, expect_eq, main_with_cli
from cli_test import SYS_DEV, sys_driver, sys_override
from claim_test import Cli, members
from persist_test import wait_for

test = Suite("hooklibvirt")
SLOT = ("0000:06:00.0", "0000:06:00.1")		# (c): multifunction, one group
ROOT_CTRL = "0000:00:12.0"			# virtio-blk: the root disk
HOOK = "/etc/libvirt/hooks/qemu.d/pcipass"
RECORDS = "/run/pcipass/vm"


def domain_xml(name, addrs):
    """In the guest on pcie.0, slot 5, one function each (multifunction on
    function 0): query-pci lists bus 0 while the guest is paused, before
    any firmware numbered the buses behind root ports."""
    mf = " multifunction='on'" if len(addrs) > 1 else ""
    hostdevs = "".join(
        "<hostdev mode='subsystem' type='pci' managed='no'><source>"
        f"<address domain='0x{a[0:4]}' bus='0x{a[5:7]}' slot='0x{a[8:10]}' "
        f"function='0x{a[11]}'/></source>"
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x05' "
        f"function='0x{i}'{mf if i == 0 else ''}/>"
        "</hostdev>" for i, a in enumerate(addrs))
    return (f"<domain type='qemu'><name>{name}</name>"
            "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
            "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
            f"{hostdevs}<controller type='usb' model='none'/>"
            "<memballoon model='none'/></devices></domain>")


def virsh(*args, check=True):
    r = subprocess.run(["virsh", "-c", "qemu:///system", *args],
                       capture_output=True, text=True, timeout=300)
    print(f"# $ virsh {' '.join(args)}  -> exit {r.returncode}")
    for line in (r.stdout + r.stderr).strip().splitlines()[:12]:
        print(f"#   {line}")
    if check and r.returncode:
        raise Failure(f"virsh {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def define(name, addrs):
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(domain_xml(name, addrs))
    try:
        virsh("define", f.name)
    finally:
        os.unlink(f.name)


def undefine(name):
    virsh("destroy", name, check=False)
    virsh("undefine", name, check=False)


def qmp_pci_ids(name):
    r = virsh("qemu-monitor-command", name, '{"execute":"query-pci"}')
    buses = json.loads(r.stdout)["return"]
    return collections.Counter((d["id"]["vendor"], d["id"]["device"])
                               for b in buses for d in b["devices"])


def ids(addr):
    with open(f"{SYS_DEV}/{addr}/vendor") as f:
        vendor = int(f.read(), 16)
    with open(f"{SYS_DEV}/{addr}/device") as f:
        return vendor, int(f.read(), 16)


def on_vfio_pci():
    """Both functions on vfio-pci (VFIO's own viability check would need
    the group, which the running domain's QEMU has open)."""
    return [sys_driver(a) for a in SLOT] == ["vfio-pci"] * 2


def on_host_drivers():
    return [sys_driver(a) for a in SLOT] == ["e1000e"] * 2 and \
        [sys_override(a) for a in SLOT] == [None] * 2


@test
def the_hook_is_installed_and_nothing_is_claimed(cli):
    """make install put the hook into qemu.d, executable; booted with
    pcipass.persist=0 the slot is on e1000e"""
    expect(os.access(HOOK, os.X_OK), f"{HOOK} executable")
    expect(on_host_drivers(), f"{SLOT} on e1000e")


@test
def a_domain_starts_with_its_unmanaged_slot_and_gives_it_back(cli):
    """virsh start --paused of a domain with both functions of a slot as
    managed='no' hostdevs: the hook claimed the group (sysfs, the record,
    pcipass list), the domain's QEMU has both devices (QMP query-pci);
    virsh destroy: both back on e1000e, no record"""
    define("pcipass-mf", SLOT)
    try:
        virsh("start", "--paused", "pcipass-mf")
        expect(on_vfio_pci(), f"{SLOT} on vfio-pci")
        g = members(SLOT[0])[0]
        groups = {x["id"]: x for x in cli.json("list")["groups"]}
        expect_eq(groups[g]["claimed_for"], "libvirt:pcipass-mf", "list: claimed_for")
        seen, want = qmp_pci_ids("pcipass-mf"), collections.Counter(ids(a) for a in SLOT)
        expect(all(seen[k] >= n for k, n in want.items()),
               f"the domain's QEMU has {SLOT}: {dict(seen)}")
        virsh("destroy", "pcipass-mf")
        wait_for("the slot back on e1000e", on_host_drivers, timeout=60)
        expect_eq([n for n in os.listdir(RECORDS) if not n.startswith(".")]
                  if os.path.isdir(RECORDS) else [], [], "records")
    finally:
        undefine("pcipass-mf")


@test
def a_crashed_domain_gives_its_devices_back(cli):
    """the domain's QEMU killed with SIGKILL: libvirt runs release end, and
    the slot is back on e1000e"""
    define("pcipass-crash", SLOT)
    try:
        virsh("start", "--paused", "pcipass-crash")
        expect(on_vfio_pci(), f"{SLOT} on vfio-pci")
        with open("/run/libvirt/qemu/pcipass-crash.pid") as f:
            os.kill(int(f.read().strip()), signal.SIGKILL)
        wait_for("the slot back on e1000e after the crash", on_host_drivers, timeout=60)
        expect("shut off" in virsh("domstate", "pcipass-crash").stdout,
               "libvirt saw the domain stop")
    finally:
        undefine("pcipass-crash")


@test
def a_refused_device_fails_the_start_with_the_reason(cli):
    """a domain naming the root disk's controller: virsh start fails, its
    error carries the hook's line (the domain, the root filesystem), the
    controller stays on virtio-pci"""
    define("pcipass-root", [ROOT_CTRL])
    try:
        r = virsh("start", "pcipass-root", check=False)
        expect(r.returncode != 0, "virsh start failed")
        expect("libvirt domain pcipass-root not started" in r.stderr and
               "root filesystem" in r.stderr,
               f"virsh's error carries the reason: {r.stderr!r}")
        expect_eq(sys_driver(ROOT_CTRL), "virtio-pci", "the root disk's driver")
        expect("shut off" in virsh("domstate", "pcipass-root").stdout, "not running")
    finally:
        undefine("pcipass-root")


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
