#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The kernel's own YNL client against pcipass.ko, driven by our YAML spec.

YNL (tools/net/ynl/cli.py from linux-source) is an independent netlink peer:
it encodes requests and decodes replies purely from
Documentation/netlink/specs/pcipass.yaml and fails on attributes the spec
does not describe.  These tests show that the module speaks the spec, and
check what it says against sysfs.  Prints TAP.
"""

import argparse
import json
import os
import re
import subprocess
import sys

from tapcheck import Failure, Suite, expect, expect_eq

SYS_DEV = "/sys/bus/pci/devices"
SYS_GROUPS = "/sys/kernel/iommu_groups"
SPEC = "Documentation/netlink/specs/pcipass.yaml"


def addr_str(a):
    return "%04x:%02x:%02x.%x" % (a["domain"], a["bus"], a["devfn"] >> 3,
                                  a["devfn"] & 7)


def addr_dict(s):
    dom, bus, rest = s.split(":")
    dev, fn = rest.split(".")
    return {"domain": int(dom, 16), "bus": int(bus, 16),
            "devfn": int(dev, 16) << 3 | int(fn, 16)}


def sysfs_int(a, name):
    with open(os.path.join(SYS_DEV, a, name)) as f:
        return int(f.read(), 16)


def link_base(path):
    return os.path.basename(os.readlink(path)) if os.path.islink(path) else None


def sys_override(a):
    with open(os.path.join(SYS_DEV, a, "driver_override")) as f:
        v = f.read().strip()
    return None if v == "(null)" else v


def sys_groups():
    return {int(g): sorted(os.listdir(os.path.join(SYS_GROUPS, g, "devices")))
            for g in os.listdir(SYS_GROUPS)}


class Ynl:
    def __init__(self, ksrc):
        self.cli = os.path.join(ksrc, "tools/net/ynl/cli.py")

    def run(self, *args):
        return subprocess.run(["python3", self.cli, "--spec", SPEC,
                               "--no-schema", "--output-json", *args],
                              capture_output=True, text=True)

    def ok(self, *args):
        r = self.run(*args)
        if r.returncode != 0:
            raise Failure(f"ynl {' '.join(args)}: exit {r.returncode}: "
                          f"{r.stderr.strip()[-400:]} {r.stdout.strip()[-400:]}")
        return json.loads(r.stdout)

    def dump(self, op):
        return self.ok("--dump", op)

    def do(self, op, req):
        return self.ok("--do", op, "--json", json.dumps(req))


test = Suite("ynl")


@test
def device_dump_decodes_and_equals_sysfs(ynl):
    """device-get dump: YNL decodes every message; devices and facts equal sysfs"""
    devs = ynl.dump("device-get")
    got = sorted(addr_str(d["addr"]) for d in devs)
    expect_eq(got, sorted(os.listdir(SYS_DEV)), "devices")
    for d in devs:
        a = addr_str(d["addr"])
        expect_eq(d["vendor"], sysfs_int(a, "vendor"), f"{a} vendor")
        expect_eq(d["device"], sysfs_int(a, "device"), f"{a} device")
        expect_eq(d["class"], sysfs_int(a, "class"), f"{a} class")
        expect_eq(d.get("driver"), link_base(os.path.join(SYS_DEV, a, "driver")),
                  f"{a} driver")
        g = link_base(os.path.join(SYS_DEV, a, "iommu_group"))
        expect_eq(d.get("iommu-group"), int(g) if g else None, f"{a} iommu-group")
        expect_eq(d.get("driver-override"), sys_override(a), f"{a} override")
        pf = link_base(os.path.join(SYS_DEV, a, "physfn"))
        expect_eq(addr_str(d["physfn"]) if "physfn" in d else None, pf, f"{a} physfn")
        expect_eq("virtfn" in d, pf is not None, f"{a} virtfn")


@test
def group_dump_equals_sysfs(ynl):
    """group-get dump: YNL decodes it; groups and members equal sysfs"""
    got = {}
    for g in ynl.dump("group-get"):
        got.setdefault(g["id"], []).extend(addr_str(m) for m in g["member"])
    expect_eq({k: sorted(v) for k, v in got.items()}, sys_groups(), "groups")


@test
def do_requests_encoded_from_the_spec(ynl):
    """device-get and group-get do: requests YNL encodes from the spec work"""
    for a in sorted(os.listdir(SYS_DEV)):
        d = ynl.do("device-get", {"addr": addr_dict(a)})
        expect_eq(addr_str(d["addr"]), a, "address")
        g = link_base(os.path.join(SYS_DEV, a, "iommu_group"))
        if g is not None:
            grp = ynl.do("group-get", {"id": int(g)})
            expect(a in [addr_str(m) for m in grp["member"]],
                   f"{a} not a member of group {g}")


@test
def privileged_facts_for_root(ynl):
    """as root: acs nest on the ACS root ports, pcie-type on PCIe functions, no restricted flag"""
    devs = {addr_str(d["addr"]): d for d in ynl.dump("device-get")}
    expect(all("restricted" not in d for d in devs.values()), "restricted as root")
    rp = devs["0000:00:01.0"]
    expect_eq(rp.get("pcie-type"), 4, "00:01.0 pcie-type (root port)")
    expect("acs" in rp and {"pos", "cap", "ctrl"} <= set(rp["acs"]),
           f"00:01.0 acs: {rp.get('acs')}")


@test
def errors_carry_extack_by_spec_names(ynl):
    """errors: YNL shows the extack message and names the attribute per the spec"""
    r = ynl.run("--do", "device-get", "--json", "{}")
    out = r.stdout + r.stderr
    expect(r.returncode != 0, "missing address must fail")
    expect("missing device address" in out and "'miss-type': 'addr'" in out,
           f"missing address: {out[-300:]}")
    r = ynl.run("--do", "device-get", "--json",
                json.dumps({"addr": {"domain": 0, "bus": 0x42, "devfn": 0}}))
    out = r.stdout + r.stderr
    expect("no PCI function at this address" in out and "'bad-attr': '.addr'" in out,
           f"absent device: {out[-300:]}")
    r = ynl.run("--do", "group-get", "--json", json.dumps({"id": 0x7ffffff0}))
    out = r.stdout + r.stderr
    expect(re.search(r"no IOMMU group.*'bad-attr': '.id'", out),
           f"absent group: {out[-300:]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ksrc", required=True, help="linux-source tree (for YNL)")
    args = ap.parse_args()
    ynl = Ynl(args.ksrc)
    return test.run(ynl)


if __name__ == "__main__":
    sys.exit(main())
