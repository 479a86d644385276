# SPDX-License-Identifier: GPL-2.0
"""What every phase of tests/boot/persist_boot_test.py shares: the
topology's functions it persists, the phases' suites, reading the
kernel log, systemd and pcipass host."""

import os
import re
import subprocess

from tapcheck import Suite
from cli_test import SYS_DEV
from persist_test import host_probe_line, sysfs_id, sysfs_path

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


def numvfs(pf):
    return int(read(f"{SYS_DEV}/{pf}/sriov_numvfs"))
