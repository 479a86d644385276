# SPDX-License-Identifier: GPL-2.0
"""Boot 1 of the Debian image: claims persisted (see persist_boot_test.py)."""

import os
import subprocess
import tempfile

from tapcheck import expect, expect_eq
from cli_test import sys_driver
from claim_test import expect_claimed, members
from persist_test import entry, lspci_dsn, sysfs_path
from bootlib import (CARD, CONF, DRIFT_CFG, GPU_J, HOST_DRIVERS, MAPS,
                     MODPROBE, NIC, NVME, NVME_L, PERSISTED, PF, PF_VFS,
                     ROOT_CTRL, ROOT_DRV, SRIOV_CONF, USB_K, base_class,
                     entry_line, group_of, host_check, ids, initrd, numvfs,
                     props, read, unit, write)


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
