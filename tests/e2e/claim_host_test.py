#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of what a claim refuses to take from the host.

The module refuses only what the kernel alone knows (boot VGA, VFs,
another claim, a VM); the host's own losses (its root filesystem, a
mounted disk, an interface with addresses) are pcipass's policy, decided
in userspace before the module is asked.  These cases make each one real
in the test guest (also a NIC moved into another network namespace) and
check, against sysfs, that a refusal changed nothing and that --force
takes what it may and never the root.  Prints
TAP; runs after tests/e2e/claim_test.py, as root.
"""

import os
import re
import subprocess
import sys
import tempfile

from tapcheck import Failure, Suite, cli_json, expect, expect_eq, main_with_cli
from claim_test import (HOST_NIC, Cli, Guarded, expect_claimed, expect_state,
                        members, state)

NVME = "0000:09:00.0"				# nvme, alone, a 16 MiB namespace
NIC_ADDR = "192.0.2.10/24"			# tests/vm/topology.sh
NIC_ROUTE = "198.51.100.0/24 via 192.0.2.1"

test = Suite("claimhost")


def sh(cmd):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if r.returncode:
        raise Failure(f"{cmd}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def namespace(addr):
    """The block device of addr's namespace: the multipath head when the
    controller's path (nvme0c0n1) is hidden below it."""
    for name in sorted(os.listdir("/sys/class/block")):
        real = os.path.realpath(f"/sys/class/block/{name}")
        if f"/{addr}/" in real and not os.path.exists(f"{real}/partition"):
            return re.sub(r"^(nvme\d+)c\d+(n\d+)$", r"\1\2", name)
    raise Failure(f"no namespace below {addr} (is nvme bound?)")


def blockers(doc):
    return [(b["address"], b["reason"], b["detail"], b["forced"])
            for b in doc["blockers"]]


def netdev_of(addr):
    names = os.listdir(f"/sys/bus/pci/devices/{addr}/net")
    expect_eq(len(names), 1, f"netdevs of {addr}")
    return names[0]


def nic_restore():
    """The address and route topology.sh gave the host NIC: the netdev
    its driver made anew after the release has neither."""
    dev = netdev_of(HOST_NIC)
    sh(f"ip addr replace {NIC_ADDR} dev {dev} && ip link set {dev} up")
    sh(f"ip route replace {NIC_ROUTE} dev {dev}")


def round_trip(cli, addr, before, *flags):
    """claim (with flags), claimed as sysfs and VFIO see it, released, every
    member as before; returns the claim's JSON."""
    doc = cli.json("claim", *flags, addr)
    expect_eq(doc["outcome"], "claimed", "outcome")
    expect_claimed(addr)
    r = cli.run("release", addr)
    expect_eq(r.returncode, 0, "release exit status")
    expect_state(before, "after the release")
    return doc


def chrooted_claim(cli, root, *args):
    """pcipass run with its root on the mounted namespace: the system's
    directories bound in, in a private mount namespace that ends with it."""
    binds = [d for d in ("usr", "bin", "sbin", "lib", "lib32", "lib64",
                         "proc", "sys", "dev", "etc")
             if os.path.isdir(f"/{d}") and not os.path.islink(f"/{d}")]
    links = [d for d in ("bin", "sbin", "lib", "lib32", "lib64")
             if os.path.islink(f"/{d}")]
    for d in binds:
        os.makedirs(f"{root}/{d}", exist_ok=True)
    for d in links:
        if not os.path.lexists(f"{root}/{d}"):
            os.symlink(os.readlink(f"/{d}"), f"{root}/{d}")
    prog = f"{root}/pcipass"
    sh(f"cp {cli.path} {prog}")
    script = " && ".join([f"mount --bind /{d} {root}/{d}" for d in binds] +
                         [f"exec chroot {root} /pcipass " + " ".join(args)])
    r = subprocess.run(["unshare", "-m", "sh", "-c", script],
                       capture_output=True, text=True, timeout=120)
    print(f"# $ (chroot {root}) pcipass {' '.join(args)}  -> exit {r.returncode}")
    for line in (r.stdout + r.stderr).splitlines():
        print(f"#   {line}")
    return r


@test
def refuses_a_mounted_namespace_and_the_root(cli):
    """claim of 09:00.0 with its namespace mounted: exit 6 block_in_use (also --dry-run); chrooted onto it, --force: exit 6 root_fs, not forced; unmounted: claimed, released"""
    g, ms = members(NVME)
    ns = namespace(NVME)
    mnt = tempfile.mkdtemp(prefix="pcipass-host-")
    with Guarded(ms) as before:
        sh(f"mkfs.ext4 -q -F /dev/{ns} && mount /dev/{ns} {mnt}")
        try:
            doc = cli.json("claim", NVME, want_rc=6)
            expect_eq(doc["outcome"], "refused", "outcome")
            expect_eq(blockers(doc), [(NVME, "block_in_use", ns, False)],
                      "blockers")
            expect_eq(doc["error"]["kernel_message"], None,
                      "refused by pcipass before the module was asked")
            doc = cli.json("claim", "--dry-run", NVME, want_rc=6)
            expect_eq(doc["outcome"], "refused", "--dry-run outcome")
            expect_eq(state(ms), before, "sysfs after the refusals")
            r = chrooted_claim(cli, mnt, "--json", "claim", "--force", NVME)
            expect_eq(r.returncode, 6, "chrooted --force: exit status")
            doc = cli_json(r.stdout, ("--json", "claim", "--force", NVME))
            expect_eq(blockers(doc), [(NVME, "root_fs", ns, False)],
                      "the caller's root: never forced")
            expect_eq(state(ms), before, "sysfs after the chrooted claim")
        finally:
            # what chrooted_claim() made lies on the namespace's filesystem
            subprocess.run(["umount", mnt])
            os.rmdir(mnt)
        doc = round_trip(cli, NVME, before)
        expect_eq(doc["blockers"], [], "unmounted: nothing in the way")


@test
def forces_the_host_nic_and_gives_it_back(cli):
    """claim --force of the host NIC 0e:00.0: exit 0, netdev_active forced; claimed, viable; release: driver back"""
    g, ms = members(HOST_NIC)
    netdev = netdev_of(HOST_NIC)
    try:
        with Guarded(ms) as before:
            doc = round_trip(cli, HOST_NIC, before, "--force")
            expect_eq(blockers(doc),
                      [(HOST_NIC, "netdev_active", netdev, True)], "blockers")
    finally:
        nic_restore()
    expect(NIC_ADDR.split("/")[0] in
           sh(f"ip -4 -o addr show dev {netdev_of(HOST_NIC)}"),
           "the host NIC has its address again")


@test
def admin_down_nic_is_taken_without_force(cli):
    """the host NIC set down (addresses kept): claim without --force succeeds, released; up again: refused again"""
    g, ms = members(HOST_NIC)
    try:
        with Guarded(ms) as before:
            sh(f"ip link set {netdev_of(HOST_NIC)} down")
            doc = round_trip(cli, HOST_NIC, before)
            expect_eq(doc["blockers"], [],
                      "a down interface carries no traffic: nothing refused")
    finally:
        nic_restore()
    doc = cli.json("claim", "--dry-run", HOST_NIC, want_rc=6)
    expect_eq([b[:2] for b in blockers(doc)], [(HOST_NIC, "netdev_active")],
              "up again with its address: refused again")


@test
def refuses_the_nic_in_another_network_namespace(cli):
    """the host NIC moved into netns pcipass-t, up with its address there: exit 6 netdev_active naming the namespace, nothing changed; moved back"""
    g, ms = members(HOST_NIC)
    dev = netdev_of(HOST_NIC)
    before = state(ms)
    ns = "pcipass-t"
    sh(f"ip netns add {ns}")
    try:
        sh(f"ip link set {dev} netns {ns} && "
           f"ip -n {ns} addr add {NIC_ADDR} dev {dev} && "
           f"ip -n {ns} link set {dev} up")
        doc = cli.json("claim", HOST_NIC, want_rc=6)
        expect_eq(blockers(doc),
                  [(HOST_NIC, "netdev_active", f"{dev} (netns {ns})", False)],
                  "blockers")
        expect(f"ip -n {ns} addr flush dev {dev} " in doc["blockers"][0]["fix"],
               "the fix runs ip in that namespace")
        expect_eq(state(ms), before, "sysfs after the refusal")
    finally:
        subprocess.run(["ip", "-n", ns, "link", "set", dev, "netns", "1"])
        subprocess.run(["ip", "netns", "del", ns])
        nic_restore()


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
