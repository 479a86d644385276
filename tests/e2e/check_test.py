#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of "pcipass check" against ground truth.

Runs as root in the test guest with pcipass.ko loaded, after
tests/guest/suite.sh has bound the drivers (vfio-pci on 01:00.0, 06:00.1,
08:01.0, 08:02.0).  Expectations come from sysfs (groups, drivers, the
device tree, config space read directly), setpci and lspci -vvv, VFIO's
own VFIO_GROUP_GET_STATUS, and the shapes of tests/vm/topology.sh; the
golden files in tests/e2e/golden/ pin the whole text and JSON output for a
few devices.  Prints TAP.

Golden files: PCIPASS_GOLDEN_OUT=DIR writes the normalized output of every
golden case to DIR (the suite passes $PCIPASS_OUT/golden), so after an
intended change "cp $OUT/golden/* tests/e2e/golden/" updates them.  It
never makes the test pass: the comparison still runs, and the facts each
case exists for (GOLDEN_FACTS: verdict, exit status, members, key lines)
are asserted in code, which no copy of output files changes.
"""

import difflib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from cli_test import (SYS_DEV, Cli, lspci_acs, setpci_acs, sys_driver,
                      sys_group, sys_groups, sys_upstream, sysfs_header_type,
                      sysfs_int, vfio_viable)
from tapcheck import Failure, Suite, cli_json, expect, expect_eq, main_with_cli

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
EXIT = {"ready": 0, "needs_companions": 3, "not_isolatable": 4, "no_iommu": 5}
REQUIRED = 0x1d                     # SV RR CR UF
ACS_NAMES = ["SV", "TB", "RR", "CR", "UF", "EC", "DT"]
# Drivers with driver_managed_dma: VFIO takes a group while members sit on them.
DMA_SAFE = {"vfio-pci", "pci-stub", "pcieport"}


def full(a):
    return a if a.count(":") == 2 else "0000:" + a


def short(a):
    return a[5:] if a.startswith("0000:") else a


# ---------------------------------------------------------------- ground truth

def config(addr):
    with open(os.path.join(SYS_DEV, addr, "config"), "rb") as f:
        return f.read()


def pcie_type(addr):
    """Device/Port Type of the PCI Express capability, or None."""
    cfg = config(addr)
    if not cfg[6] & 0x10:             # status: capabilities list
        return None
    pos, seen = cfg[0x34] & ~3, set()
    while pos and pos not in seen and pos + 3 < len(cfg):
        seen.add(pos)
        if cfg[pos] == 0x10:
            return (cfg[pos + 2] >> 4) & 0xf
        pos = cfg[pos + 1] & ~3
    return None


def multifunction(addr):
    """The kernel's dev->multifunction: the header type's bit 7 (never for
    an SR-IOV VF, whose header the kernel does not read)."""
    if os.path.exists(os.path.join(SYS_DEV, addr, "physfn")):
        return False
    # pci_scan_slot() marks every function but 0 as multifunction too.
    return not addr.endswith(".0") or bool(config(addr)[14] & 0x80)


def acs_state(addr):
    """(state, missing) by the rules of enum pcipass_acs_state."""
    t = pcie_type(addr)
    if t is None or t in (7, 8, 10):
        return "never", REQUIRED
    if t not in (4, 6) and not multifunction(addr):
        return "not_applicable", 0
    words = setpci_acs(addr)
    if words is None:
        return "absent", REQUIRED
    missing = REQUIRED & words[0] & ~words[1]
    return ("disabled" if missing else "enabled"), missing


def sys_class(addr):
    return sysfs_int(addr, "class")


def stays_with_host(addr):
    return sysfs_header_type(addr) == 1 or sys_class(addr) >> 8 == 0x0600


def is_chipset(addr):
    return sys_class(addr) >> 8 in (0x0601, 0x0602, 0x0603, 0x0c05)


def slot(addr):
    return addr.rsplit(".", 1)[0]


def sys_path(addr):
    """The function, then every bridge above it, from the sysfs tree."""
    chain = [addr]
    while sys_upstream(chain[-1]):
        chain.append(sys_upstream(chain[-1]))
    return chain


def expected(targets):
    """(verdict, companions, blockers) from sysfs by the documented rules."""
    groups = {sys_group(t) for t in targets}
    members = sorted({m for g in groups if g is not None
                      for m in sys_groups()[g]})
    if None in groups:
        return "no_iommu", [], []
    companions = [m for m in members
                  if not stays_with_host(m) and m not in targets]
    passed = list(targets) + companions
    blockers = [m for m in members if sys_driver(m) not in DMA_SAFE | {None}]
    if len({slot(a) for a in passed}) > 1 or any(map(is_chipset, passed)):
        return "not_isolatable", companions, blockers
    if companions:
        return "needs_companions", companions, blockers
    return "ready", companions, blockers


def endpoints():
    return [a for a in sorted(os.listdir(SYS_DEV)) if not stays_with_host(a)]


def boot_vga(addr):
    try:
        with open(os.path.join(SYS_DEV, addr, "boot_vga")) as f:
            return f.read().strip() == "1"
    except OSError:
        return False


# ------------------------------------------------------------------ running

_cache = {}


def check(cli, *args, cached=True):
    """(exit status, JSON document) of pcipass --json check ARGS.  Nothing
    the tests do changes the answer, except where they say cached=False."""
    key = ("json",) + args
    if cached and key in _cache:
        return _cache[key]
    r = cli.run("--json", "check", *args)
    if r.returncode not in EXIT.values():
        raise Failure(f"check {' '.join(args)} exited {r.returncode}: "
                      f"{r.stderr.strip()}")
    _cache[key] = r.returncode, cli_json(r.stdout, ("--json", "check") + args)
    return _cache[key]


def check_text(cli, *args, cached=True):
    key = ("text",) + args
    if cached and key in _cache:
        return _cache[key]
    r = cli.run("check", *args)
    if r.returncode not in EXIT.values():
        raise Failure(f"check {' '.join(args)} exited {r.returncode}: "
                      f"{r.stderr.strip()}")
    _cache[key] = r.returncode, r.stdout
    return _cache[key]


def path_chain(doc, addr):
    """Follow "upstream" from addr through the JSON path."""
    nodes = {h["address"]: h for h in doc["path"]}
    chain = [addr]
    while nodes[chain[-1]]["upstream"]:
        chain.append(nodes[chain[-1]]["upstream"])
    return chain


test = Suite("check")


# ------------------------------------------------- verdicts of known shapes

SHAPES = [
    # (args, verdict, companions, a cause that must be named)
    ("01:00.0", "ready", [], None),                               # (a)
    ("04:00.0", "not_isolatable", ["0000:05:00.0"], "0000:00:02.0"),  # (b)
    ("06:00.0", "needs_companions", ["0000:06:00.1"], None),      # (c)
    ("06:00", "ready", [], None),                                 # (c) slot
    ("08:01.0", "not_isolatable", ["0000:08:02.0"], "0000:07:00.0"),  # (d)
    ("09:00.0", "ready", [], None),                               # (e)
    ("0a:00.1", "ready", [], None),                               # (f) VF
    ("12:00.0", "needs_companions", ["0000:12:00.1"], None),      # (j) GPU
    ("12:00.1", "needs_companions", ["0000:12:00.0"], None),      # (j) audio
    ("13:00.0", "ready", [], None),                               # (k) USB
]


@test
def verdicts_of_the_topology_shapes(cli):
    """check: the verdict, exit status and companions of each known shape"""
    for args, verdict, companions, cause in SHAPES:
        rc, doc = check(cli, args)
        expect_eq(doc["verdict"], verdict, f"{args} verdict")
        expect_eq(rc, EXIT[verdict], f"{args} exit status")
        expect_eq(doc["companions"], companions, f"{args} companions")
        if cause:
            expect(cause in [c["address"] for c in doc["causes"]],
                   f"{args}: {cause} not among the causes {doc['causes']}")


@test
def verdict_of_every_endpoint_follows_sysfs(cli):
    """check: every endpoint's verdict, companions and blockers follow from sysfs"""
    for a in endpoints():
        rc, doc = check(cli, a)
        verdict, companions, blockers = expected([a])
        expect_eq(doc["verdict"], verdict, f"{a} verdict")
        expect_eq(rc, EXIT[verdict], f"{a} exit status")
        expect_eq(doc["companions"], companions, f"{a} companions")
        expect_eq(sorted(b["address"] for b in doc["blockers"]), blockers,
                  f"{a} blockers")
        for b in doc["blockers"]:
            expect_eq(b["driver"], sys_driver(b["address"]),
                      f"{a} blocker {b['address']} driver")
        expect_eq(doc["vfio_ready"], not blockers, f"{a} vfio_ready")
        viable = vfio_viable(sys_group(a))
        if viable is not None:
            expect_eq(doc["vfio_ready"], viable, f"{a}: VFIO's own viability")


@test
def json_groups_equal_sysfs(cli):
    """check --json: groups, members and drivers equal sysfs"""
    groups = sys_groups()
    for a in endpoints():
        _, doc = check(cli, a)
        expect_eq(doc["targets"], [a], f"{a} targets")
        expect_eq(doc["iommu_groups"], [sys_group(a)], f"{a} iommu_groups")
        g = doc["groups"][0]
        expect_eq(g["id"], sys_group(a), f"{a} group id")
        members = [d["address"] for d in g["devices"]]
        expect_eq(members, groups[sys_group(a)], f"{a} group members")
        for d in g["devices"]:
            expect_eq(d["driver"], sys_driver(d["address"]),
                      f"{d['address']} driver")
        # The kernel's group is the prediction, corrected by both lists.
        kernel = (set(g["predicted"]) - set(g["predicted_only"])) | \
            set(g["kernel_only"])
        expect_eq(sorted(kernel), groups[sys_group(a)], f"{a}: prediction lists")
        expect_eq(g["prediction_matches"],
                  not g["kernel_only"] and not g["predicted_only"],
                  f"{a} prediction_matches")


@test
def json_path_equals_sysfs_and_config_space(cli):
    """check --json: the path, PCIe types and ACS words of every hop equal sysfs, config space and setpci"""
    hops = 0
    for a in endpoints():
        _, doc = check(cli, a)
        for t in doc["targets"] + doc["companions"]:
            expect_eq(path_chain(doc, t), sys_path(t), f"{t} path")
        for h in doc["path"]:
            x = h["address"]
            expect_eq(h["pcie_type"], pcie_type(x), f"{x} pcie_type")
            expect_eq(h["upstream"], sys_upstream(x), f"{x} upstream")
            state, missing = acs_state(x)
            expect_eq(h["acs_state"], state, f"{x} acs_state")
            expect_eq(h["acs_missing"], missing, f"{x} acs_missing")
            expect_eq(h["acs_missing_flags"],
                      [n for i, n in enumerate(ACS_NAMES) if missing >> i & 1],
                      f"{x} acs_missing_flags")
            words = setpci_acs(x)
            if words is None:
                expect_eq(h["acs"], None, f"{x} acs")
            else:
                expect_eq((h["acs"]["cap"], h["acs"]["ctrl"]), words,
                          f"{x} ACS cap/ctrl")
            hops += 1
    expect(hops > 40, f"only {hops} hops checked")


@test
def text_path_flags_equal_lspci(cli):
    """check (text): every hop's ACS flags (+ on, - off, . not implemented) as lspci -vvv decodes them"""
    lnames = ["SrcValid", "TransBlk", "ReqRedir", "CmpltRedir", "UpstreamFwd",
              "EgressCtrl", "DirectTrans"]
    seen = 0
    for a in ("01:00.0", "04:00.0", "06:00.0", "08:01.0", "0b:00.0",
              "12:00.0", "13:00.0"):
        _, text = check_text(cli, a)
        for line in text.splitlines():
            m = re.match(r"\s+[|`\- ]*([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) .*?"
                         r"((?:[A-Z]{2}[-+.] ){6}[A-Z]{2}[-+.]) \(cap ([0-9a-f]{4}) "
                         r"ctl ([0-9a-f]{4})\)", line)
            if not m:
                continue
            x = full(m.group(1))
            flags = lspci_acs(x)
            for word, lname in zip(m.group(2).split(), lnames):
                want = "+" if flags["ACSCap"][lname] and flags["ACSCtl"][lname] \
                    else "-" if flags["ACSCap"][lname] else "."
                expect_eq(word[2], want, f"{x} {word[:2]}")
            expect_eq((int(m.group(3), 16), int(m.group(4), 16)), setpci_acs(x),
                      f"{x} cap/ctl words")
            seen += 1
    expect(seen >= 6, f"only {seen} hop lines with ACS flags")


@test
def text_says_what_json_says(cli):
    """check (text): verdict, companions, readiness line and tree name what the JSON names"""
    for a in ("01:00.0", "04:00.0", "06:00.0", "08:01.0", "12:00.0", "13:00.0"):
        _, doc = check(cli, a)
        _, text = check_text(cli, a)
        words = doc["verdict"].replace("_", " ")
        expect(re.search(rf"^verdict:\s+{words}$", text, re.M),
               f"{a}: no verdict line '{words}' in:\n{text}")
        for c in doc["companions"]:
            expect(short(c) in text.split("VFIO now:")[0],
                   f"{a}: companion {c} not named before the readiness line")
        m = re.search(r"^VFIO now:\s+(.*)$", text, re.M)
        expect(m, f"{a}: no readiness line")
        if doc["vfio_ready"]:
            expect(m.group(1).startswith("ready"), f"{a}: {m.group(1)}")
        else:
            want = ", ".join(f"{short(b['address'])} from {b['driver']}"
                             for b in doc["blockers"])
            expect_eq(m.group(1), f"not ready: unbind {want}", f"{a} readiness")
        tree = re.findall(r"^\s+[|`\- ]*([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ", text.split(
            "path from the root complex")[1].split("\nIOMMU group")[0], re.M)
        expect_eq([full(x) for x in tree], [h["address"] for h in doc["path"]],
                  f"{a}: tree order")


@test
def reasons_in_plain_words(cli):
    """check: reasons name the port and the ACS flags it lacks, the bridge, the sibling"""
    _, text = check_text(cli, "04:00.0")
    expect("root port 00:02.0 has no ACS capability (needs SV RR CR UF)" in text,
           f"04:00.0:\n{text}")
    expect("pcie_acs_override patch only hides" in text, "override warning")
    _, text = check_text(cli, "08:01.0")
    expect("PCIe-to-PCI bridge 07:00.0" in text, f"08:01.0:\n{text}")
    _, text = check_text(cli, "06:00.0")
    expect(re.search(r"06:00.1 shares a group with 06:00.0: both are functions "
                     r"of one device, and 06:00.0 has no ACS capability "
                     r"\(needs SV RR CR UF\)", text), f"06:00.0:\n{text}")
    _, doc = check(cli, "04:00.0")
    codes = {r["code"] for r in doc["reasons"]}
    expect_eq(codes, {"upstream_acs"}, "04:00.0 reason codes")
    _, doc = check(cli, "01:00.0")
    expect_eq([r["code"] for r in doc["reasons"]], ["isolated"], "01:00.0 reasons")


@test
def kernel_acs_parameter_is_named(cli):
    """check: a root port whose ACS the kernel command line turned off (shape g) is named with its parameter"""
    words = setpci_acs("0000:00:07.0")
    with open("/proc/cmdline") as f:
        cmdline = f.read()
    rc, doc = check(cli, "0b:00.0")
    verdict, _, _ = expected(["0000:0b:00.0"])
    expect_eq(doc["verdict"], verdict, "0b:00.0 verdict")
    rp = [h for h in doc["path"] if h["address"] == "0000:00:07.0"][0]
    if words[1] & 0x0c:               # RR and CR on: no kernel argument
        expect_eq(rp["acs_state"], "enabled", "00:07.0 state")
        return
    expect_eq(rp["acs_state"], "disabled", "00:07.0 state")
    expect_eq(rp["acs_missing_flags"], ["RR", "CR"], "00:07.0 missing")
    param = "pci=config_acs=" if "config_acs=" in cmdline else "pci=disable_acs_redir="
    expect_eq(rp["cmdline"], param, "00:07.0 cmdline")
    _, text = check_text(cli, "0b:00.0")
    expect(f"root port 00:07.0 has ACS with RR CR turned off (needs RR CR); "
           f"{param} on the kernel command line sets it" in text, text)


@test
def gpu_and_audio_go_together(cli):
    """check 12:00.0: the boot GPU needs its audio function, x-vga=1, boot VGA reported"""
    rc, doc = check(cli, "12:00.0")
    expect_eq(doc["verdict"], "needs_companions", "verdict")
    expect(re.fullmatch(r"qm set VMID --hostpci0 0000:12:00,pcie=1,x-vga=1",
                        doc["proxmox"]), f"qm line {doc['proxmox']!r}")
    extras = {d["address"]: d["extras"] for d in doc["devices"]}
    for a in ("0000:12:00.0", "0000:12:00.1"):
        expect_eq(extras[a]["boot_vga"], boot_vga(a), f"{a} boot_vga")
    expect(boot_vga("0000:12:00.0"), "12:00.0 must be the boot VGA device")
    _, doc = check(cli, "01:00.0")
    expect("x-vga" not in doc["proxmox"], "x-vga=1 only for a GPU")


HOSTPCI = re.compile(r"(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}(?:\.[0-7])?")


@test
def snippets_are_valid(cli):
    """check --json: the qm line is Proxmox hostpci syntax and the libvirt XML parses to the passed functions"""
    for a in endpoints():
        _, doc = check(cli, a)
        if doc["verdict"] not in ("ready", "needs_companions"):
            expect_eq((doc["proxmox"], doc["libvirt"]), (None, None),
                      f"{a}: no snippet for {doc['verdict']}")
            continue
        passed = sorted(doc["targets"] + doc["companions"])
        m = re.fullmatch(r"qm set VMID((?: --hostpci\d+ \S+)+)", doc["proxmox"])
        expect(m, f"{a}: qm line {doc['proxmox']!r}")
        covered = []
        for opt in m.group(1).split(" --hostpci")[1:]:
            _, value = opt.split(" ", 1)
            ids, *opts = value.split(",")
            for o in opts:
                expect(re.fullmatch(r"pcie=1|x-vga=1|rombar=[01]|romfile=\S+"
                                    r"|multifunction=on", o),
                       f"{a}: hostpci option {o!r}")
            for i in ids.split(";"):
                expect(HOSTPCI.fullmatch(i), f"{a}: host PCI id {i!r}")
                i = full(i) if i.count(":") == 1 else i
                covered += [x for x in passed if x == i or x.startswith(i + ".")]
        expect_eq(sorted(covered), passed, f"{a}: functions in the qm line")
        root = ET.fromstring(f"<devices>{doc['libvirt']}</devices>")
        got = []
        for h in root.findall("hostdev"):
            expect_eq((h.get("mode"), h.get("type")), ("subsystem", "pci"),
                      f"{a} hostdev")
            ad = h.find("source/address")
            got.append("%04x:%02x:%02x.%x" % tuple(
                int(ad.get(k), 16) for k in ("domain", "bus", "slot", "function")))
        expect_eq(sorted(got), passed, f"{a}: libvirt addresses")


@test
def group_and_slot_forms(cli):
    """check N (an IOMMU group) and check BB:DD (a slot) take every endpoint of it"""
    g = sys_group("0000:06:00.0")
    rc, doc = check(cli, str(g))
    expect_eq((doc["query_kind"], doc["targets"]),
              ("group", ["0000:06:00.0", "0000:06:00.1"]), f"check {g}")
    expect_eq((doc["verdict"], rc), ("ready", 0), f"check {g} verdict")
    g = sys_group("0000:04:00.0")
    rc, doc = check(cli, str(g))
    expect_eq((doc["verdict"], rc), ("not_isolatable", 4), f"check {g}")
    _, text = check_text(cli, str(g))
    expect(f"IOMMU group {g} joins 2 devices: 04:00, 05:00" in text, text)
    rc, doc = check(cli, "0000:12:00")
    expect_eq((doc["query_kind"], doc["targets"], doc["verdict"]),
              ("slot", ["0000:12:00.0", "0000:12:00.1"], "ready"), "slot 12:00")
    # A group of bridges only has nothing to pass; neither has a free number.
    r = cli.run("check", str(sys_group("0000:00:01.0")))
    expect_eq(r.returncode, 1, "bridge-only group")
    expect("holds only bridges" in r.stderr, r.stderr)
    free = max(sys_groups()) + 100
    r = cli.run("check", str(free))
    expect_eq(r.returncode, 1, "free group number")
    expect(f"no IOMMU group {free}" in r.stderr, r.stderr)
    r = cli.run("check", "00:01.0")
    expect_eq(r.returncode, 1, "a root port")
    expect("is a bridge" in r.stderr, r.stderr)


@test
def usage_errors(cli):
    """check: a missing, malformed or extra argument is a usage error (exit 2)"""
    for args in ([], ["zz:00.0"], ["1x"], ["-1"], ["01:00.0", "02:00.0"],
                 ["group"], ["99999999999"]):
        r = cli.run("check", *args)
        expect_eq(r.returncode, 2, f"check {args}")
    r = cli.run("check", "0000:42:00.0")
    expect_eq(r.returncode, 1, "free address")
    expect("no PCI function at this address" in r.stderr, r.stderr)


@test
def unprivileged_gets_eperm(cli):
    """check as uid 65534: the kernel's EPERM extack and 'run it as root', exit 1"""
    r = cli.run("check", "01:00.0", user=65534)
    expect_eq(r.returncode, 1, "exit status")
    expect("isolation-get needs CAP_SYS_ADMIN" in r.stderr, r.stderr)
    expect("run it as root" in r.stderr, r.stderr)
    expect_eq(r.stdout, "", "nothing on stdout")


def write_ctrl(addr, value):
    subprocess.run(["setpci", "-s", addr, f"ECAP_ACS+6.w={value:04x}"],
                   check=True)


@test
def prediction_differs_after_acs_change(cli):
    """check: ACS turned off after boot makes the prediction differ from the kernel, said plainly"""
    a, rp = "0000:01:00.0", "0000:00:01.0"
    saved = setpci_acs(rp)[1]
    write_ctrl(rp, saved & ~0x0c)    # RR and CR off
    try:
        rc, doc = check(cli, a, cached=False)
        _, text = check_text(cli, a, cached=False)
    finally:
        write_ctrl(rp, saved)
    expect_eq(setpci_acs(rp)[1], saved, "ACS control restored")
    g = doc["groups"][0]
    expect_eq((g["prediction_matches"], g["predicted_only"], g["kernel_only"]),
              (False, [rp], []), "prediction lists")
    expect("ACS changed after boot" in g["likely_cause"], g["likely_cause"])
    expect_eq(doc["verdict"], "ready", "the verdict follows the kernel's group")
    expect("differs from the prediction from config space" in text, text)
    expect("config space predicts 00:01.0 here too; the kernel keeps it apart"
           in text, text)


# ----------------------------------------------------------------- golden

# (file name, arguments, functions that must be bound to a driver);
# "@group-of:ADDR" is that function's group number.  Every case runs on
# every kernel: the stock and the debug kernels all get IPv6, DRM bochs and
# snd_hda_intel, so a needed driver that is missing is a failure.
GOLDEN_CASES = [
    ("ready-01.00.0", ["01:00.0"], []),
    ("acs-04.00.0", ["04:00.0"], []),
    ("companions-06.00.0", ["06:00.0"], []),
    ("bridge-08.01.0", ["08:01.0"], []),
    ("gpu-12.00.0", ["12:00.0"], ["0000:12:00.0", "0000:12:00.1"]),
    ("hostnic-0e.00.0", ["0e:00.0"], ["0000:0e:00.0"]),
    ("group-of-04.00.0", ["@group-of:0000:04:00.0"], []),
]

# What each golden case exists for, asserted in code: regenerating the
# golden files cannot quietly change what is tested.  A reviewer edits this
# table, never a tool.  For every case the exit status must be the
# verdict's, both outputs must name the verdict, and the IOMMU group must
# hold exactly the members sysfs lists, split into targets and companions
# (everything but bridges) as sysfs says.  Then, per case:
#   verdict     the one word (JSON .verdict)
#   companions  JSON .companions (also checked against sysfs by the rules)
#   causes      (code, address) pairs that must be in JSON .causes
#   findings    (severity, function, kind) that must be in the host impact
#   addresses   function -> "ADDR/LEN" one of its interfaces must carry
#   text        lines that must appear verbatim in the (normalized) text
GOLDEN_FACTS = {
    "ready-01.00.0": {
        "verdict": "ready", "companions": [],
        "text": ["alone in IOMMU group #01:00.0",
                 "VFIO now:  ready: no member of IOMMU group #01:00.0 is on a host driver"],
    },
    "acs-04.00.0": {
        "verdict": "not_isolatable", "companions": ["0000:05:00.0"],
        "causes": [("upstream_acs", "0000:00:02.0")],
        "text": ["root port 00:02.0 has no ACS capability (needs SV RR CR UF)"],
    },
    "companions-06.00.0": {
        "verdict": "needs_companions", "companions": ["0000:06:00.1"],
        "text": ["pass 06:00.1 along: same device, same IOMMU group #06:00.0",
                 "0000:06:00.1 (companion)"],
    },
    "bridge-08.01.0": {
        "verdict": "not_isolatable", "companions": ["0000:08:02.0"],
        "causes": [("bridge_alias", "0000:07:00.0")],
        "text": ["PCIe-to-PCI bridge 07:00.0 gives every device below it one requester ID",
                 "VFIO now:  not ready: unbind 07:00.0 from shpchp"],
    },
    "gpu-12.00.0": {
        "verdict": "needs_companions", "companions": ["0000:12:00.1"],
        "findings": [("critical", "0000:12:00.0", "boot_console")],
        "text": ["pass 12:00.1 along: same device",
                 "display     boot GPU (boot_vga)",
                 "the text console (fbcon) draws on it",
                 "CRITICAL  0000:12:00.0  it is the boot GPU and the host draws on it"],
    },
    "hostnic-0e.00.0": {
        "verdict": "ready", "companions": [],
        "findings": [("warning", "0000:0e:00.0", "net_addresses")],
        "addresses": {"0000:0e:00.0": "192.0.2.10/24"},
        "text": ["addresses 192.0.2.10/24",
                 "has the host's addresses 192.0.2.10/24"],
    },
    "group-of-04.00.0": {
        "verdict": "not_isolatable", "companions": [],
        "causes": [("upstream_acs", "0000:00:02.0")],
        "text": ["IOMMU group #00:02.0 joins 2 devices: 04:00, 05:00"],
    },
}


def golden_facts(name, rc_text, text, rc_json, doc, members, targets,
                 bridges):
    """The failures of one case against GOLDEN_FACTS[name]: rc_* are the
    exit statuses, text the normalized text, doc the raw JSON document;
    from sysfs: members {group number: [addresses]} of the case's group,
    the targets the arguments name and the members that are bridges (stay
    with the host).  Pure data, so it can be tried on the golden files."""
    facts = GOLDEN_FACTS[name]
    bad = []

    def want(cond, msg):
        if not cond:
            bad.append(f"{name}: {msg}")

    verdict = facts["verdict"]
    want(doc["verdict"] == verdict,
         f"verdict {doc['verdict']!r}, the case is about {verdict!r}")
    want((rc_text, rc_json) == (EXIT[verdict], EXIT[verdict]),
         f"exit status text {rc_text}, JSON {rc_json}, want {EXIT[verdict]} "
         f"({verdict})")
    want(f"verdict:   {verdict.replace('_', ' ')}\n" in text,
         f"the text does not say 'verdict:   {verdict.replace('_', ' ')}'")
    want(sorted(doc["companions"]) == sorted(facts["companions"]),
         f"companions {doc['companions']}, want {facts['companions']}")
    # The group's members as sysfs lists them, split as sysfs says.
    got_groups = {g["id"]: sorted(d["address"] for d in g["devices"])
                  for g in doc["groups"]}
    want(sorted(got_groups.values()) == sorted(members.values()),
         f"group members {got_groups}, sysfs has {members}")
    want(sorted(doc["targets"]) == sorted(targets),
         f"targets {doc['targets']}, the arguments name {targets}")
    passed = sorted(doc["targets"] + doc["companions"])
    endpoints_ = sorted(m for ms in members.values() for m in ms
                        if m not in bridges)
    want(passed == endpoints_,
         f"targets and companions {passed}, the group's non-bridges in "
         f"sysfs are {endpoints_}")
    causes = {(c["code"], c["address"]) for c in doc["causes"]}
    for c in facts.get("causes", []):
        want(c in causes, f"cause {c} not in {sorted(causes)}")
    findings = {(f["severity"], f["address"], f["kind"])
                for f in doc["host_impact"]["findings"]}
    for f in facts.get("findings", []):
        want(f in findings, f"finding {f} not in {sorted(findings)}")
    for addr, net in facts.get("addresses", {}).items():
        have = [f"{a['address']}/{a['prefix_len']}"
                for fn in doc["host_impact"]["functions"]
                if fn["address"] == addr
                for n in fn["net"] for a in n["addresses"]]
        want(net in have, f"{addr} carries {have}, not {net}")
    for line in facts.get("text", []):
        want(line in text, f"the text lacks {line!r}")
    return bad


def group_tokens():
    """Group numbers depend on probe order: name each by its first member."""
    return {g: "#" + short(m[0]) for g, m in sys_groups().items()}


def normalize_text(text, tokens):
    """IOMMU group numbers become #<first member>; the kernel's ACS
    parameter (pci=config_acs= on 6.11+, pci=disable_acs_redir= before)
    becomes pci=<acs>=."""
    def groups(m):
        return m.group(1) + re.sub(r"\d+", lambda n: tokens[int(n.group())],
                                   m.group(2))
    text = re.sub(r"(IOMMU groups? |no member of IOMMU groups? )(\d+(?:, \d+)*)",
                  groups, text)
    return re.sub(r"pci=(config_acs|disable_acs_redir)=\S*", "pci=<acs>=", text)


def normalize_json(doc, tokens):
    doc = json.loads(json.dumps(doc))      # a copy: the original is cached
    doc["iommu_groups"] = [tokens[g] for g in doc["iommu_groups"]]
    for g in doc["groups"]:
        g["id"] = tokens[g["id"]]
    doc["verdict_text"] = normalize_text(doc["verdict_text"], tokens)
    acs = doc["cmdline_acs"]
    acs["config_acs"] = acs["disable_acs_redir"] = \
        "<acs>" if acs["config_acs"] or acs["disable_acs_redir"] else None
    for h in doc["path"]:
        if h["cmdline"]:
            h["cmdline"] = "pci=<acs>="
    for r in doc["reasons"] + doc["causes"]:
        r["text"] = normalize_text(r["text"], tokens)
    return json.dumps(doc, indent=2) + "\n"


def golden_compare(name, got, out_dir):
    if out_dir:
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(got)
    path = os.path.join(GOLDEN, name)
    if not os.path.exists(path):
        raise Failure(f"no golden file {path}")
    with open(path) as f:
        want = f.read()
    # Interface names follow probe order, and the claim tests unbind and
    # rebind NICs before this runs: compare ethN, not the number (the
    # other check cases tie each interface to its function via sysfs).
    want, got = (re.sub(r"\beth\d+\b", "ethN", t) for t in (want, got))
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True),
                                            got.splitlines(True),
                                            f"golden/{name}", "got"))
        raise Failure(f"{name} differs from the golden file:\n{diff}")


@test
def golden_text_and_json(cli):
    """check: text and JSON output equal tests/e2e/golden/ (group numbers, interface numbers and the kernel's ACS parameter normalized), and each case's facts of GOLDEN_FACTS hold"""
    out_dir = os.environ.get("PCIPASS_GOLDEN_OUT")
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    expect_eq(sorted(GOLDEN_FACTS), sorted(c[0] for c in GOLDEN_CASES),
              "golden cases with facts")
    tokens = group_tokens()
    groups = sys_groups()
    failures = []
    for name, args, needs in GOLDEN_CASES:
        unbound = [a for a in needs if not sys_driver(a)]
        if unbound:
            failures.append(
                f"{name}: {', '.join(unbound)} bound to no driver on kernel "
                f"{os.uname().release}; the case needs it (every kernel of "
                "the suite has IPv6, e1000e, DRM bochs and snd_hda_intel)")
            continue
        # The case's group and targets, from sysfs alone.
        gids = [sys_group(a.split(":", 1)[1]) if a.startswith("@group-of:")
                else sys_group(full(a)) for a in args]
        if None in gids:
            failures.append(f"{name}: {args} has no IOMMU group in sysfs")
            continue
        members = {g: groups[g] for g in gids}
        bridges = {m for ms in members.values() for m in ms
                   if stays_with_host(m)}
        targets = sorted({m for a, g in zip(args, gids)
                          for m in ([m for m in members[g] if m not in bridges]
                                    if a.startswith("@group-of:")
                                    else [full(a)])})
        args = [str(g) if a.startswith("@group-of:") else a
                for a, g in zip(args, gids)]
        rc_text, text = check_text(cli, *args)
        rc_json, doc = check(cli, *args)
        text = normalize_text(text, tokens)
        want = expected(targets)
        if (want[0], sorted(want[1])) != (doc["verdict"],
                                          sorted(doc["companions"])):
            failures.append(f"{name}: sysfs gives verdict {want[0]} with "
                            f"companions {want[1]}")
        failures += golden_facts(name, rc_text, text, rc_json, doc, members,
                                 targets, bridges)
        for fname, got in ((name + ".txt", text),
                           (name + ".json", normalize_json(doc, tokens))):
            try:
                golden_compare(fname, got, out_dir)
            except Failure as e:
                failures.append(str(e))
    if failures:
        raise Failure("\n".join(failures))


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
