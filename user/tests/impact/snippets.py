#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the configuration snippets of tests/impact_run on the fixture
hosts here: the qm line must follow Proxmox VE's hostpci syntax
(qemu-server's HOSTPCIID pattern, hostpci0..15, pcie/x-vga booleans) and
pass exactly the requested functions; the libvirt XML must be well formed
with one <hostdev> per function and the right address fields.

Usage: snippets.py IMPACT_RUN
Prints "snippets: N passed, N failed"; exit 1 on any failure.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from harness import Checks, run as run_on  # noqa: E402

# qemu-server's PVE::QemuServer::PCI: one HOSTPCIID
PCIID = r"(?:[a-f0-9]{4,}:)?[a-f0-9]{2}:[a-f0-9]{2}(?:\.[a-f0-9])?"
ENTRY = re.compile(r" --hostpci(\d+) (" + PCIID + r")((?:,[a-z-]+=[01])*)")
MAX_HOSTPCI = 16

# (fixture, addresses, primary_gpu, expected HOSTPCIIDs in order,
#  index of the x-vga entry or None)
CASES = [
    ("nic-default-route", ["0000:03:00.0", "0000:03:00.1"], False,
     ["0000:03:00"], None),
    ("nic-default-route", ["0000:03:00.1"], False, ["0000:03:00.1"], None),
    ("nic-default-route", ["0000:03:00.1", "0000:03:00.0", "0000:03:00.1"],
     False, ["0000:03:00"], None),
    ("gpu-boot-vga", ["0000:0a:00.0", "0000:0a:00.1"], True,
     ["0000:0a:00"], 0),
    ("gpu-boot-vga", ["0000:0a:00.1", "0000:00:1f.3", "0000:0a:00.0"], True,
     ["0000:00:1f.3", "0000:0a:00"], 1),
    ("usb-keyboard", ["0000:00:14.0"], False, ["0000:00:14.0"], None),
    ("usb-keyboard", ["0000:00:14.2", "0000:00:14.0"], False,
     ["0000:00:14"], None),
    ("sriov-pf", ["0000:06:10.2", "0000:06:00.0", "0000:06:10.0"], False,
     ["0000:06:00.0", "0000:06:10"], None),
    ("noreset-rom", ["0001:00:02.0", "0000:05:00.0"], True,
     ["0000:05:00.0", "0001:00:02.0"], 0),
    ("noreset-rom", [], False, [], None),
]

check = Checks("snippets")


def population(root):
    """PCI functions of the fixture host, by slot "dddd:bb:ss"."""
    slots = {}
    for name in os.listdir(os.path.join(root, "sys/bus/pci/devices")):
        slots.setdefault(name.rsplit(".", 1)[0], set()).add(name)
    return slots


def expand(pciid, slots):
    if "." in pciid:
        return {pciid if pciid.count(":") == 2 else "0000:" + pciid}
    return set(slots.get(pciid, ()))


def check_qm(line, want, primary, want_ids, vga_at, slots, tag):
    check(line.startswith("qm set VMID"), tag + ": qm line starts 'qm set VMID'")
    rest = line[len("qm set VMID"):]
    entries = []
    pos = 0
    for m in ENTRY.finditer(rest):
        check(m.start() == pos, tag + ": unparsable text in the qm line")
        pos = m.end()
        entries.append(m)
    check(pos == len(rest), tag + ": qm line ends with an entry: " + line)
    check([int(m.group(1)) for m in entries] == list(range(len(entries))),
          tag + ": hostpci indexes count up from 0")
    check(len(entries) <= MAX_HOSTPCI, tag + ": at most 16 hostpci entries")
    check([m.group(2) for m in entries] == want_ids,
          tag + ": HOSTPCIIDs %s, want %s"
          % ([m.group(2) for m in entries], want_ids))
    passed_fns = set()
    for i, m in enumerate(entries):
        opts = m.group(3).split(",")[1:]
        keys = [o.split("=")[0] for o in opts]
        check(len(keys) == len(set(keys)) and
              set(keys) <= {"pcie", "x-vga"} and "pcie=1" in opts,
              tag + ": options of hostpci%d: %s" % (i, opts))
        check(("x-vga=1" in opts) == (primary and i == vga_at),
              tag + ": x-vga on hostpci%d" % i)
        fns = expand(m.group(2), slots)
        check(not fns & passed_fns, tag + ": a function passed twice")
        passed_fns |= fns
    check(passed_fns == set(want) or not want,
          tag + ": passes %s, want %s" % (sorted(passed_fns), sorted(want)))


def check_xml(xml, want, tag):
    try:
        root = ET.fromstring("<devices>" + xml + "</devices>")
    except ET.ParseError as e:
        check(False, tag + ": libvirt XML not well formed: %s" % e)
        return
    got = []
    for hd in root:
        check(hd.tag == "hostdev" and hd.attrib == {
            "mode": "subsystem", "type": "pci", "managed": "yes"},
            tag + ": <hostdev> attributes %s" % hd.attrib)
        srcs = hd.findall("source")
        addrs = srcs[0].findall("address") if len(srcs) == 1 else []
        check(len(list(hd)) == 1 and len(addrs) == 1 and
              len(list(srcs[0])) == 1,
              tag + ": <hostdev> holds one <source> with one <address>")
        if len(addrs) != 1:
            continue
        a = addrs[0].attrib
        check(set(a) == {"domain", "bus", "slot", "function"},
              tag + ": address attributes %s" % sorted(a))
        fmt = {"domain": r"0x[0-9a-f]{4,}", "bus": r"0x[0-9a-f]{2}",
               "slot": r"0x[01][0-9a-f]", "function": r"0x[0-7]"}
        for k, pat in fmt.items():
            check(re.fullmatch(pat, a.get(k, "")) is not None,
                  tag + ": %s='%s'" % (k, a.get(k)))
        try:
            got.append("%04x:%02x:%02x.%x" % tuple(
                int(a[k], 16) for k in ("domain", "bus", "slot", "function")))
        except (KeyError, ValueError):
            pass
    check(got == sorted(set(want)),
          tag + ": libvirt addresses %s, want %s" % (got, sorted(set(want))))


def run(binary, fixture, addrs, primary, want_ids, vga_at):
    root = os.path.join(HERE, fixture, "root")
    args = ["-j"] + (["--primary-gpu"] if primary else []) + addrs
    tag = "%s %s" % (fixture, " ".join(addrs) or "(none)")
    rc, out, _ = run_on(binary, root, *args)
    check(rc == 0, tag + ": exit %d" % rc)
    try:
        doc = json.loads(out)
    except ValueError:
        check(False, tag + ": output is not JSON")
        return
    check("proxmox" in doc and "libvirt" in doc, tag + ": keys present")
    if not addrs:
        check(doc.get("proxmox") is None and doc.get("libvirt") is None,
              tag + ": null without addresses")
        return
    check_qm(doc["proxmox"], addrs, primary, want_ids, vga_at,
             population(root), tag)
    check_xml(doc["libvirt"], addrs, tag)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for case in CASES:
        run(os.path.abspath(sys.argv[1]), *case)
    sys.exit(check.done())


if __name__ == "__main__":
    main()
