#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of the pcipass CLI against ground truth.

Runs as root in the test guest with pcipass.ko loaded.  Every expectation
comes from the kernel's own views -- /sys/bus/pci/devices,
/sys/kernel/iommu_groups, "lspci -vvv" and "setpci" -- never from the
module's other interface.  Prints TAP ("ok N name" / "not ok N name").
"""

import os
import re
import subprocess
import sys

from tapcheck import Failure, Suite, cli_json, expect, expect_eq, main_with_cli

SYS_DEV = "/sys/bus/pci/devices"
SYS_GROUPS = "/sys/kernel/iommu_groups"
ACS_BITS = [("SV", 0x01, "SrcValid"), ("TB", 0x02, "TransBlk"),
            ("RR", 0x04, "ReqRedir"), ("CR", 0x08, "CmpltRedir"),
            ("UF", 0x10, "UpstreamFwd"), ("EC", 0x20, "EgressCtrl"),
            ("DT", 0x40, "DirectTrans")]
VFIO_GROUP_GET_STATUS = (ord(";") << 8) | (100 + 3)   # _IO(VFIO_TYPE, VFIO_BASE + 3)
VFIO_GROUP_FLAGS_VIABLE = 1 << 0


# ---------------------------------------------------------------- ground truth

def sysfs(addr, name):
    with open(os.path.join(SYS_DEV, addr, name)) as f:
        return f.read().strip()


def sysfs_int(addr, name):
    return int(sysfs(addr, name), 16)


def link_base(path):
    return os.path.basename(os.readlink(path)) if os.path.islink(path) else None


def sys_driver(addr):
    return link_base(os.path.join(SYS_DEV, addr, "driver"))


def sys_override(addr):
    val = sysfs(addr, "driver_override")
    return None if val == "(null)" else val


def sys_group(addr):
    g = link_base(os.path.join(SYS_DEV, addr, "iommu_group"))
    return int(g) if g is not None else None


def sys_groups():
    return {int(g): sorted(os.listdir(os.path.join(SYS_GROUPS, g, "devices")))
            for g in os.listdir(SYS_GROUPS)}


def sys_devices():
    return sorted(os.listdir(SYS_DEV))


def sys_upstream(addr):
    """The parent directory of the device in the sysfs tree, if a PCI function."""
    parent = os.path.basename(os.path.dirname(os.path.realpath(
        os.path.join(SYS_DEV, addr))))
    return parent if re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]",
                                  parent) else None


def sysfs_header_type(addr):
    with open(os.path.join(SYS_DEV, addr, "config"), "rb") as f:
        return f.read(16)[14] & 0x7f


def expected_state(members):
    """The group state word from sysfs drivers, by the rule in pcipass --help:
    bridges on pcieport or no driver do not count, pci-stub is unbound."""
    counted = vfio = host = 0
    for m in members:
        drv = sys_driver(m)
        if sysfs_header_type(m) == 1 and drv in (None, "pcieport"):
            continue
        counted += 1
        if drv in (None, "pci-stub"):
            continue
        if drv == "vfio-pci":
            vfio += 1
        else:
            host += 1
    if not counted:
        return "bridge"
    if host and vfio:
        return "partial"
    return "vfio" if vfio else "host" if host else "unbound"


def vfio_viable(group):
    """VFIO's own verdict on a group (VFIO_GROUP_GET_STATUS), or None when
    no member is bound to vfio-pci and VFIO has no node for it."""
    import fcntl
    import struct
    path = f"/dev/vfio/{group}"
    if not os.path.exists(path):
        return None
    fd = os.open(path, os.O_RDWR)
    try:
        buf = bytearray(struct.pack("II", 8, 0))
        fcntl.ioctl(fd, VFIO_GROUP_GET_STATUS, buf)
        return bool(struct.unpack("II", buf)[1] & VFIO_GROUP_FLAGS_VIABLE)
    finally:
        os.close(fd)


def setpci_acs(addr):
    """(cap, ctrl) read by setpci from the ACS capability, or None."""
    r = subprocess.run(["setpci", "-s", addr, "ECAP_ACS+4.w", "ECAP_ACS+6.w"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    cap, ctrl = r.stdout.split()
    return int(cap, 16), int(ctrl, 16)


def lspci_acs(addr):
    """{'ACSCap': {name: bool}, 'ACSCtl': {...}} parsed from lspci -vvv."""
    out = subprocess.run(["lspci", "-vvv", "-s", addr], capture_output=True,
                         text=True, check=True).stdout
    res = {}
    for key in ("ACSCap", "ACSCtl"):
        m = re.search(key + r":\s*(.*)", out)
        if m:
            res[key] = {w[:-1]: w[-1] == "+" for w in m.group(1).split()}
    return res or None


def lspci_names(addr):
    """'Class: Vendor Device' as plain lspci prints it, without rev/prog-if."""
    out = subprocess.run(["lspci", "-s", addr], capture_output=True,
                         text=True, check=True).stdout.strip()
    out = out.split(None, 1)[1]
    return re.sub(r" \((rev|prog-if) [^)]*\)", "", out)


# ------------------------------------------------------------------ the CLI

class Cli:
    def __init__(self, path):
        self.path = path
        self.shown = {}

    def show(self, addr):
        """show --json of one function, asked once per run: the tests that
        use it only read, and under TCG every process costs."""
        if addr not in self.shown:
            self.shown[addr] = self.json("show", addr)
        return self.shown[addr]

    def run(self, *args, user=None):
        cmd = [self.path, *args]
        if user is not None:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}",
                   "--clear-groups", "--inh-caps=-all", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True)

    def ok(self, *args, user=None):
        r = self.run(*args, user=user)
        if r.returncode != 0:
            raise Failure(f"pcipass {' '.join(args)} exited {r.returncode}: "
                          f"{r.stderr.strip()}")
        return r.stdout

    def json(self, *args, user=None):
        return cli_json(self.ok("--json", *args, user=user), ("--json",) + args)


# ------------------------------------------------------------------- tests

test = Suite("cli")


def list_groups(doc):
    return {g["id"]: g for g in doc["groups"]}


@test
def list_json_groups_equal_sysfs(cli):
    """list --json: groups and their members equal /sys/kernel/iommu_groups"""
    got = {gid: sorted(d["address"] for d in g["devices"])
           for gid, g in list_groups(cli.json("list")).items()}
    expect_eq(got, sys_groups(), "groups")


@test
def list_json_device_facts_equal_sysfs(cli):
    """list --json: ids, class and driver of every device equal sysfs"""
    for g in cli.json("list")["groups"]:
        for d in g["devices"]:
            a = d["address"]
            expect_eq(d["vendor"], sysfs_int(a, "vendor"), f"{a} vendor")
            expect_eq(d["device"], sysfs_int(a, "device"), f"{a} device")
            expect_eq(d["class"], sysfs_int(a, "class"), f"{a} class")
            expect_eq(d["driver"], sys_driver(a), f"{a} driver")


@test
def list_json_state_words(cli):
    """list --json: each group's state word follows from the sysfs drivers"""
    groups = sys_groups()
    for gid, g in list_groups(cli.json("list")).items():
        expect_eq(g["state"], expected_state(groups[gid]), f"group {gid} state")
    # VFIO itself agrees: "vfio" groups are viable, "partial" ones are not.
    checked = 0
    for gid, g in list_groups(cli.json("list")).items():
        viable = vfio_viable(gid)
        if viable is not None:
            expect_eq(viable, g["state"] == "vfio",
                      f"group {gid} ({g['state']}) VFIO viable")
            checked += 1
    expect(checked >= 2, f"only {checked} groups had a VFIO node")
    # The test setup left one of each interesting state behind.
    states = {g["state"] for g in cli.json("list")["groups"]}
    for s in ("host", "vfio", "partial", "bridge"):
        expect(s in states, f"no group in state {s!r}: {sorted(states)}")


def expect_list_text_equals_sysfs(text, names=True):
    """The text of pcipass list against sysfs: group headers and states,
    each function once under its group, [vvvv:dddd], driver and (with
    names) the names lspci prints (one lspci process per function)."""
    groups = sys_groups()
    cur, seen = None, {}
    for line in text.splitlines():
        m = re.match(r"IOMMU group (\d+): (\w+)", line)
        if m:
            cur = int(m.group(1))
            expect(cur not in seen, f"group {cur} printed twice")
            seen[cur] = []
            expect_eq(m.group(2), expected_state(groups[cur]), f"group {cur} state")
            continue
        m = re.match(r"\s+([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) "
                     r"\[([0-9a-f]{4}):([0-9a-f]{4})\]\s+(\S+)", line)
        if m and cur is not None:
            a = m.group(1)
            seen[cur].append(a)
            expect_eq(int(m.group(2), 16), sysfs_int(a, "vendor"), f"{a} vendor")
            expect_eq(int(m.group(3), 16), sysfs_int(a, "device"), f"{a} device")
            expect_eq(m.group(4), sys_driver(a) or "-", f"{a} driver")
            # Names come from the same pci.ids lspci uses.
            if names:
                expect_eq(line[m.end():].strip(), lspci_names(a), f"{a} names")
    # Sorted per group, not deduplicated: a function printed twice fails.
    expect_eq({g: sorted(m) for g, m in seen.items()}, groups, "text groups")


@test
def list_text_matches_sysfs(cli):
    """list (text): group headers, addresses, [vvvv:dddd] and drivers match sysfs"""
    expect_list_text_equals_sysfs(cli.ok("list"))


CLASS_FILTERS = {
    "net": lambda c: c >> 16 == 0x02,
    "nvme": lambda c: c >> 8 == 0x0108,
    "storage": lambda c: c >> 16 == 0x01,
    "gpu": lambda c: c >> 16 == 0x03,
    "usb": lambda c: c >> 8 == 0x0c03,
}


@test
def list_class_filters(cli):
    """list --class X: exactly the groups holding a function of that class"""
    groups = sys_groups()
    for name, match in CLASS_FILTERS.items():
        want = sorted(g for g, members in groups.items()
                      if any(match(sysfs_int(m, "class")) for m in members))
        got = sorted(list_groups(cli.json("list", "--class", name)))
        expect_eq(got, want, f"--class {name}")
    expect(cli.run("list", "--class", "toaster").returncode == 2,
           "unknown class must be a usage error (exit 2)")


TREE_LABEL = re.compile(r"  \[(?:no group|group (\d+) )[^]]*\]$")


@test
def list_tree_is_lspci_tv(cli):
    """list --tree: lspci -tv's tree, each function labelled with its sysfs group"""
    ours = cli.ok("list", "--tree", "--color=never").splitlines()
    lspci = subprocess.run(["lspci", "-tv"], capture_output=True, text=True)
    expect_eq(lspci.returncode, 0, "lspci -tv exit status")
    # Without our labels the text is lspci's, names and all (same pci.ids).
    expect_eq([TREE_LABEL.sub("", ln) for ln in ours],
              lspci.stdout.splitlines(), "tree without the labels")
    # One label per function that is no bridge; its group is sysfs's.
    devs = sys_devices()
    parents = {sys_upstream(a) for a in devs}
    leaves = [a for a in devs if a not in parents and
              not (sysfs_int(a, "class") >> 16 == 0x06 and
                   sysfs_header_type(a) in (1, 2))]
    labels = [TREE_LABEL.search(ln) for ln in ours]
    got = sorted(str(m.group(1)) for m in labels if m)
    expect_eq(got, sorted(str(sys_group(a)) for a in leaves),
              "groups of the labelled lines")
    r = cli.run("--json", "list", "--tree")
    expect(r.returncode == 2 and not r.stdout,
           f"--json list --tree: exit {r.returncode}, want a usage error")


def expect_show_equals_sysfs(d, a, groups=None):
    """One device of show --json (d) against sysfs for function a; its
    group peers against groups (sys_groups(), read once by the caller)."""
    expect_eq(d["address"], a, "address")
    for key, attr in (("vendor", "vendor"), ("device", "device"),
                      ("subsystem_vendor", "subsystem_vendor"),
                      ("subsystem_device", "subsystem_device"),
                      ("class", "class"), ("revision", "revision")):
        expect_eq(d[key], sysfs_int(a, attr), f"{a} {key}")
    expect_eq(d["header_type"], sysfs_header_type(a), f"{a} header_type")
    expect_eq(d["driver"], sys_driver(a), f"{a} driver")
    expect_eq(d["driver_override"], sys_override(a), f"{a} driver_override")
    expect_eq(d["iommu_group"], sys_group(a), f"{a} iommu_group")
    expect_eq(d["upstream"], sys_upstream(a), f"{a} upstream")
    expect_eq(d["virtfn"], os.path.exists(os.path.join(SYS_DEV, a, "physfn")),
              f"{a} virtfn")
    expect_eq(d["physfn"], link_base(os.path.join(SYS_DEV, a, "physfn")),
              f"{a} physfn")
    peers = sorted(p["address"] for p in d.get("iommu_group_peers") or [])
    if d["iommu_group"] is not None:
        want = [m for m in (groups or sys_groups())[d["iommu_group"]] if m != a]
        expect_eq(peers, want, f"{a} group peers")


@test
def show_json_every_device_equals_sysfs(cli):
    """show --json: every device's facts equal sysfs"""
    for a in sys_devices():
        devs = cli.show(a)["devices"]
        expect_eq(len(devs), 1, f"{a}: number of devices")
        expect_show_equals_sysfs(devs[0], a)


@test
def show_json_acs_equals_setpci_and_lspci(cli):
    """show --json: ACS words equal setpci, decoded flags equal lspci -vvv"""
    checked = 0
    for a in sys_devices():
        d = cli.show(a)["devices"][0]
        words = setpci_acs(a)
        if words is None:
            expect_eq(d["acs"], None, f"{a}: acs without an ACS capability")
            continue
        expect(d["acs"] is not None, f"{a}: ACS capability not reported")
        expect_eq((d["acs"]["cap"], d["acs"]["ctrl"]), words, f"{a} ACS cap/ctrl")
        flags = lspci_acs(a)
        for short, bit, lname in ACS_BITS:
            f = d["acs"]["flags"][short]
            expect_eq(f["cap"], flags["ACSCap"][lname], f"{a} ACS {short} cap")
            expect_eq(f["enabled"], flags["ACSCtl"][lname], f"{a} ACS {short} enabled")
            expect_eq(f["cap"], bool(words[0] & bit), f"{a} ACS {short} cap bit")
        checked += 1
    # Four ACS root ports in the topology: the comparison really happened.
    expect(checked >= 4, f"only {checked} functions with ACS checked")


@test
def show_text_acs_decoded(cli):
    """show (text): ACS flags decoded per bit as lspci -vvv decodes them"""
    a = "0000:00:01.0"
    text = cli.ok("show", a)
    flags = lspci_acs(a)
    for short, _bit, lname in ACS_BITS:
        m = re.search(rf"^\s+{short}\s.*capable:\s*(yes|no)\s+enabled:\s*(yes|no)",
                      text, re.M)
        expect(m, f"no {short} line in:\n{text}")
        expect_eq(m.group(1) == "yes", flags["ACSCap"][lname], f"{short} capable")
        expect_eq(m.group(2) == "yes", flags["ACSCtl"][lname], f"{short} enabled")


@test
def show_no_acs_said_plainly(cli):
    """show: a root port without ACS (ACS disabled) says it has none"""
    a = "0000:00:02.0"
    expect(setpci_acs(a) is None, "00:02.0 must lack ACS in the test topology")
    expect_eq(cli.json("show", a)["devices"][0]["acs"], None, "acs")
    expect(re.search(r"ACS\s+.*(no|not)", cli.ok("show", a)),
           "text must say the function has no ACS capability")


@test
def show_sriov_vfs(cli):
    """show: the SR-IOV VFs the setup created say so and name their PF"""
    vfs = [a for a in sys_devices()
           if os.path.exists(os.path.join(SYS_DEV, a, "physfn"))]
    expect(len(vfs) >= 2, f"expected SR-IOV VFs in the guest, got {vfs}")
    for a in vfs:
        text = cli.ok("show", a)
        pf = link_base(os.path.join(SYS_DEV, a, "physfn"))
        expect(re.search(rf"SR-IOV VF\s+yes \(PF {pf}\)", text),
               f"{a}: text does not name PF {pf}:\n{text}")


@test
def show_address_forms(cli):
    """show: 00:1f.0, 0000:00:1f.0, 00:1F.0 name the same function"""
    ref = cli.json("show", "0000:00:1f.0")
    expect_eq(ref["devices"][0]["address"], "0000:00:1f.0", "address")
    for form in ("00:1f.0", "00:1F.0", "0000:00:1F.0"):
        expect_eq(cli.json("show", form), ref, f"show {form}")


@test
def show_slot_lists_every_function(cli):
    """show 06:00: a slot without function shows all its functions"""
    got = [d["address"] for d in cli.json("show", "06:00")["devices"]]
    want = [a for a in sys_devices() if a.startswith("0000:06:00.")]
    expect_eq(sorted(got), want, "functions of slot 06:00")


@test
def show_bad_address_is_usage_error(cli):
    """show: garbage addresses are rejected with exit 2 and the expected form"""
    for bad in ("zz:00.0", "01:00.9", "1:2:3:4", "", "01:00.0x"):
        r = cli.run("show", bad)
        expect_eq(r.returncode, 2, f"exit code for {bad!r}")
        expect("expected" in r.stderr, f"message for {bad!r}: {r.stderr!r}")


@test
def show_missing_device_prints_kernel_extack(cli):
    """show: a free address fails with the kernel's extack message"""
    r = cli.run("show", "0000:42:00.0")
    expect_eq(r.returncode, 1, "exit code")
    expect("kernel error: no PCI function at this address" in r.stderr,
           f"stderr: {r.stderr!r}")


@test
def unprivileged_sees_what_sysfs_shows(cli):
    """as uid 65534: list works, ACS and port type withheld and flagged"""
    doc = cli.json("show", "0000:00:01.0", user=65534)
    d = doc["devices"][0]
    expect_eq(d["restricted"], True, "restricted")
    expect_eq(d["acs"], None, "acs")
    expect_eq(d.get("pcie_type"), None, "pcie_type")
    expect_eq(d["driver"], sys_driver("0000:00:01.0"), "driver")
    got = {gid: sorted(x["address"] for x in g["devices"])
           for gid, g in list_groups(cli.json("list", user=65534)).items()}
    expect_eq(got, sys_groups(), "groups as an unprivileged user")
    expect("root" in cli.ok("show", "0000:00:01.0", user=65534),
           "text must say ACS needs root")


@test
def version_reports_module_abi(cli):
    """version: CLI version and the module's family version (the uapi header's), text and JSON"""
    hdr = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "include", "uapi", "linux", "pcipass.h")
    with open(hdr) as f:
        want = int(re.search(r"#define PCIPASS_FAMILY_VERSION\s+(\d+)",
                             f.read()).group(1))
    doc = cli.json("version")
    expect_eq(doc.get("module_loaded"), True, "module_loaded")
    expect_eq(doc.get("module_family_version"), want, "module_family_version")
    expect(re.fullmatch(r"\d+\.\d+\.\d+.*", doc.get("version", "")),
           f"version {doc.get('version')!r}")
    text = cli.ok("version")
    expect(doc["version"] in text, "text shows the CLI version")


@test
def json_and_text_cover_the_same_devices(cli):
    """list: text and JSON name the same devices in the same order"""
    text_addrs = re.findall(r"^\s+([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])",
                            cli.ok("list"), re.M)
    json_addrs = [d["address"] for g in cli.json("list")["groups"]
                  for d in g["devices"]]
    expect_eq(text_addrs, json_addrs, "device order")


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
