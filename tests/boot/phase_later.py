# SPDX-License-Identifier: GPL-2.0
"""Boots 3 and 4: cards moved, and pcipass.persist=0 (see
persist_boot_test.py)."""

import os
import re
import shutil

from tapcheck import expect, expect_eq
from cli_test import SYS_DEV, sys_driver, sys_override
from claim_test import expect_claimed
from persist_test import lspci_dsn, sysfs_id
from bootlib import (CARD, CONF, DRIFT_CFG, GPU_J, HOST_DRIVERS, NVME_L,
                     PERSISTED, PF, SLOT_I, SRIOV_CONF, USB_K, base_class,
                     escape, group_of, ids, kernel_log, moved, numvfs,
                     probe_lines, props, read, run, unit)


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
