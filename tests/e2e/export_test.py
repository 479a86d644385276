#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of `pcipass export` and `pcipass drift` on the guest's
real sysfs.

Runs as root in the test guest (tests/guest/suite.sh's setup: 01:00.0,
06:00.1, 08:01.0 and 08:02.0 on vfio-pci, the VFs of 0a:00.0, pcipass.ko
loaded).  What export says is checked against what this script reads
itself: drivers, IDs, classes, IOMMU groups and sriov_totalvfs from
sysfs, the group states by the documented rule (cli_test.expected_state),
each function's isolation verdict by the rules check_test.expected()
applies, VFIO's own VFIO_GROUP_GET_STATUS on /dev/vfio/GROUP, and the
claim records of the VM hooks -- never from export's own output.  The host
checks and verdicts are also held against `pcipass host --json` and
`pcipass check --json`, which their own suites check against the kernel.
`promtool check metrics` (Debian's prometheus, scripts/install-deps.sh;
the guest runs the host's root) must accept the textfile: without it the
case fails.  Every change (a claim, /etc/pve) is put back.  Prints TAP.
"""

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

from tapcheck import Suite, cli_json, expect, expect_eq, main_with_cli
from cli_test import (SYS_DEV, expected_state, sys_driver, sys_group,
                      sys_groups, vfio_viable)
from check_test import expected as expected_verdict, stays_with_host
from claim_test import ALONE, Cli, Guarded, expect_claimed, expect_state, state
from hook_proxmox_test import RECORDS, Pve, hook

test = Suite("export")
ORIGINAL = {}
NODE = "pcipass-e2e"		# drift and export take it explicitly
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')
NFD = "feature.node.kubernetes.io/pcipass-"
CLASSES = {"gpu": (0x03, 16), "net": (0x02, 16), "usb": (0x0c03, 8),
           "storage": (0x01, 16), "nvme": (0x0108, 8)}
VERDICTS = ("ready", "needs_companions", "not_isolatable", "no_iommu")
STATES = ("vfio", "partial", "host", "unbound", "bridge")


# ---------------------------------------------------------------- ground truth

def hexattr(addr, name):
    with open(os.path.join(SYS_DEV, addr, name)) as f:
        return int(f.read(), 16)


def ids(addr, pre=""):
    return f"{hexattr(addr, pre + 'vendor'):04x}:{hexattr(addr, pre + 'device'):04x}"


def totalvfs(addr):
    p = os.path.join(SYS_DEV, addr, "sriov_totalvfs")
    return int(open(p).read()) if os.path.exists(p) else 0


def is_vfio(drv):
    return drv is not None and (drv == "vfio-pci" or
                                drv.endswith(("vfio_pci", "vfio-pci")))


def holder(members):
    """The VM a hook's record (RECORDS/FIRST-MEMBER) names for a group."""
    for m in members:
        p = os.path.join(RECORDS, m)
        if os.path.exists(p):
            for line in open(p).read().splitlines():
                if line.startswith("owner "):
                    return line[6:]
    return ""


def truth():
    """Per group: members, state, VFIO's viability; per function: facts."""
    groups = {g: dict(members=ms, state=expected_state(ms),
                      viable=vfio_viable(g), vm=holder(ms))
              for g, ms in sys_groups().items()}
    fns = {}
    for a in sorted(os.listdir(SYS_DEV)):
        g = sys_group(a)
        fns[a] = dict(group="" if g is None else str(g), driver=sys_driver(a) or "",
                      vendor_id=f"{hexattr(a, 'vendor'):04x}",
                      device_id=f"{hexattr(a, 'device'):04x}",
                      **{"class": f"{hexattr(a, 'class'):06x}"})
    return groups, fns


# ------------------------------------------------------------------ running

def run(cli, *args, want_rc=0):
    r = cli.run(*args)
    if want_rc is not None:
        expect_eq(r.returncode, want_rc, f"exit status of pcipass {' '.join(args)}")
    return r


def export_file(cli, fmt, name):
    """`export FMT --output DIR/NAME` into a fresh directory, checked to be
    the only file there (no temporary left) and mode 0644; its text."""
    d = tempfile.mkdtemp(prefix="pcipass-export-")
    try:
        path = os.path.join(d, name)
        r = run(cli, "export", fmt, "--output", path)
        expect_eq(r.stdout, "", f"export {fmt} --output: stdout")
        expect_eq(os.listdir(d), [name], f"export {fmt}: files in the directory")
        expect_eq(stat.S_IMODE(os.stat(path).st_mode), 0o644, f"{name} mode")
        with open(path) as f:
            return f.read()
    finally:
        shutil.rmtree(d)


def promtool(text):
    tool = shutil.which("promtool")
    expect(tool, "promtool not found (apt-get install prometheus: "
                 "scripts/install-deps.sh)")
    r = subprocess.run([tool, "check", "metrics"], input=text,
                       capture_output=True, text=True)
    expect(r.returncode == 0 and not (r.stdout + r.stderr).strip(),
           f"promtool check metrics: exit {r.returncode}: {r.stdout}{r.stderr}")


def parse_prom(text):
    """{family: [(labels, value)]}: HELP and TYPE gauge before the samples."""
    fams, cur = {}, None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            cur = line.split()[2]
            expect(cur not in fams, f"{cur}: one HELP line")
            fams[cur] = []
        elif line.startswith("# TYPE "):
            expect_eq(line.split()[2:], [cur, "gauge"], "TYPE line")
        else:
            m = SAMPLE.match(line)
            expect(m and m.group(1) == cur, f"a sample of {cur}: {line!r}")
            fams[cur].append((dict(LABEL.findall(m.group(2) or "")),
                              float(m.group(3))))
    return fams


def one_hot(samples, key, word):
    """{labels[key]: the word whose sample is 1}; exactly one per key."""
    got = {}
    for labels, v in samples:
        if v == 1:
            expect(labels[key] not in got, f"{key} {labels[key]}: two words are 1")
            got[labels[key]] = labels[word]
        else:
            expect_eq(v, 0, f"{labels}: a state set's value")
    return got


_prom = {}


def prom(cli, fresh=False):
    """The textfile, exported (and checked by promtool) once per state."""
    if fresh or "fams" not in _prom:
        text = export_file(cli, "prometheus", "pcipass.prom")
        promtool(text)
        _prom["fams"] = parse_prom(text)
    return _prom["fams"]


def claimed_info(fams):
    return {l["group"]: (l["driver"], l["vm"])
            for l, v in fams["pcipass_iommu_group_claimed_info"] if v == 1}


def expect_groups(fams, what):
    """Group count, states, claimed_info and VFIO viability against sysfs."""
    groups, _ = truth()
    expect_eq(fams["pcipass_iommu_groups"], [({}, len(groups))], f"{what}: groups")
    got = one_hot(fams["pcipass_iommu_group_state"], "group", "state")
    expect_eq(got, {str(g): t["state"] for g, t in groups.items()},
              f"{what}: group states")
    expect_eq(len(fams["pcipass_iommu_group_state"]), len(STATES) * len(groups),
              f"{what}: one sample per group and state")
    want = {}
    for g, t in groups.items():
        if t["state"] == "vfio":
            drv = next(sys_driver(m) for m in t["members"] if is_vfio(sys_driver(m)))
            want[str(g)] = (drv, t["vm"])
            # VFIO's own word: a group export calls vfio is viable
            expect_eq(t["viable"], True, f"{what}: VFIO viability of group {g}")
        elif t["state"] == "partial" and t["viable"] is not None:
            expect_eq(t["viable"], False, f"{what}: VFIO viability of partial group {g}")
    expect_eq(claimed_info(fams), want, f"{what}: claimed_info")
    return groups


# ------------------------------------------------------------------- tests

@test
def prometheus_textfile_passes_promtool(cli):
    """export prometheus --output: one 0644 file, no temporary left, promtool check metrics clean, pcipass_ names"""
    ORIGINAL.update(state())
    fams = prom(cli, fresh=True)
    expect(all(n.startswith("pcipass_") for n in fams), f"names {sorted(fams)}")
    for n in ("pcipass_iommu_group_state", "pcipass_function_info",
              "pcipass_function_isolation", "pcipass_host_check"):
        expect(fams.get(n), f"{n}: no samples")


@test
def prometheus_functions_equal_sysfs(cli):
    """pcipass_function_info of every function: group, IDs, class, driver equal sysfs; SR-IOV totals; ungrouped count"""
    fams = prom(cli)
    _, fns = truth()
    got = {}
    for labels, v in fams["pcipass_function_info"]:
        expect_eq(v, 1, f"{labels}: value")
        a = labels.pop("address")
        expect(a not in got, f"{a}: two function_info samples")
        got[a] = labels
    expect_eq(sorted(got), sorted(fns), "functions")
    for a in fns:
        expect_eq(got[a], fns[a], f"{a} function_info labels")
    expect_eq(fams["pcipass_functions_without_iommu_group"],
              [({}, sum(1 for f in fns.values() if not f["group"]))], "ungrouped")
    vfs = {l["address"]: v for l, v in fams["pcipass_function_sriov_total_vfs"]}
    want = {a: float(totalvfs(a)) for a in fns if totalvfs(a)}
    expect(want, "no function with sriov_totalvfs (0a:00.0 offers two VFs)")
    expect_eq(vfs, want, "sriov_total_vfs")


@test
def prometheus_group_states_equal_sysfs_and_vfio(cli):
    """pcipass_iommu_group_state equals sysfs drivers; claimed_info exactly for vfio groups, each viable by VFIO_GROUP_GET_STATUS"""
    groups = expect_groups(prom(cli), "setup")
    states = {t["state"] for t in groups.values()}
    # The setup's mix: 01:00.0 alone on vfio-pci, (c) half bound, host groups.
    expect({"vfio", "partial", "host", "bridge"} <= states, f"states seen: {states}")


@test
def prometheus_claim_and_release_show_at_once(cli):
    """pcipass claim 10:00.0: its group vfio with claimed_info (vfio-pci, no VM), viable; after release: host again, no claimed_info"""
    g = str(sys_group(ALONE))
    with Guarded([ALONE]) as before:
        fams = prom(cli, fresh=True)
        expect_eq(one_hot(fams["pcipass_iommu_group_state"], "group", "state")[g],
                  "host", f"group {g} before the claim")
        expect(g not in claimed_info(fams), f"group {g} claimed before the claim")
        run(cli, "claim", ALONE)
        expect_claimed(ALONE)
        fams = prom(cli, fresh=True)
        expect_groups(fams, "claimed")
        expect_eq(claimed_info(fams).get(g), ("vfio-pci", ""), f"group {g} claimed_info")
        info = {l["address"]: l for l, _ in fams["pcipass_function_info"]}
        expect_eq(info[ALONE]["driver"], "vfio-pci", f"{ALONE} driver label")
        run(cli, "release", ALONE)
        expect_state(before, "after release")
        fams = prom(cli, fresh=True)
        expect_groups(fams, "released")
        expect(g not in claimed_info(fams), f"group {g} claimed_info after release")
    _prom.clear()


@test
def prometheus_claimed_for_a_vm(cli):
    """Proxmox hook pre-start for VM 102 with hostpci0 10:00.0: claimed_info vm=proxmox:102; post-stop: gone"""
    g = str(sys_group(ALONE))
    vm = "boot: order=scsi0\nmachine: q35\nhostpci0: 10:00.0,pcie=1\n"
    with Guarded([ALONE]) as before, Pve({102: vm}):
        expect_eq(hook(cli, 102, "pre-start").returncode, 0, "pre-start")
        expect_claimed(ALONE)
        fams = prom(cli, fresh=True)
        expect_groups(fams, "pre-start")	# the VM from the record file
        expect_eq(claimed_info(fams).get(g), ("vfio-pci", "proxmox:102"),
                  f"group {g} claimed_info")
        expect_eq(hook(cli, 102, "post-stop").returncode, 0, "post-stop")
        expect_state(before, "after post-stop")
        fams = prom(cli, fresh=True)
        expect(g not in claimed_info(fams), f"group {g} claimed_info after post-stop")
    _prom.clear()


@test
def prometheus_verdicts_equal_sysfs_and_check(cli):
    """pcipass_function_isolation: one verdict per non-bridge function, by the rules from sysfs, and pcipass check --json agrees"""
    fams = prom(cli)
    got = one_hot(fams["pcipass_function_isolation"], "address", "verdict")
    want = {a: expected_verdict([a])[0] for a in sorted(os.listdir(SYS_DEV))
            if not stays_with_host(a)}
    expect_eq(got, want, "verdicts")
    expect_eq(len(fams["pcipass_function_isolation"]), len(VERDICTS) * len(want),
              "one sample per function and verdict")
    for a in want:
        r = run(cli, "--json", "check", a, want_rc=None)
        doc = cli_json(r.stdout, ("--json", "check", a))
        expect_eq(doc["verdict"], got[a], f"{a}: pcipass check's verdict")


@test
def prometheus_host_checks_equal_host_json(cli):
    """pcipass_host_check and host_ready equal pcipass host --json; the IOMMU on as sysfs says"""
    fams = prom(cli)
    got = one_hot(fams["pcipass_host_check"], "check", "status")
    r = run(cli, "--json", "host", want_rc=None)
    doc = cli_json(r.stdout, ("--json", "host"))
    want = {c["id"]: c["status"] for c in doc["checks"]}
    expect_eq(got, want, "host checks")
    ready = all(s != "fail" for s in want.values())
    expect_eq(fams["pcipass_host_ready"], [({}, float(ready))], "host_ready")
    # Independently: intel_iommu=on made groups, so the kernel's IOMMU is on.
    expect(os.listdir("/sys/kernel/iommu_groups"), "no IOMMU groups in sysfs")
    expect_eq(got.get("iommu_kernel"), "pass", "iommu_kernel with groups in sysfs")


def nfd_labels(text):
    """{name: value} of the feature file; the documented syntax checked."""
    labels = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.fullmatch(r"([^=\s]+)=(\S*)", line)
        expect(m, f"NFD line {line!r}")
        name, value = m.groups()
        expect(name.startswith(NFD) and re.fullmatch(
            r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?",
            name[len("feature.node.kubernetes.io/"):]), f"label name {name!r}")
        expect(re.fullmatch(r"true|false|[0-9]+", value), f"{name}: value {value!r}")
        expect(name not in labels, f"{name} twice")
        labels[name[len(NFD):]] = value
    return labels


@test
def nfd_labels_equal_sysfs(cli):
    """export nfd --output: syntax; IOMMU on, isolatable and vfio counts per class, SR-IOV PFs, as sysfs says"""
    labels = nfd_labels(export_file(cli, "nfd", "pcipass"))
    groups, fns = truth()
    state_of = {a: groups[int(f["group"])]["state"] if f["group"] else None
                for a, f in fns.items()}
    want = {"iommu.enabled": "true" if groups else "false"}
    doc = cli_json(run(cli, "--json", "host", want_rc=None).stdout, ("--json", "host"))
    want["host.ready"] = ("false" if any(c["status"] == "fail" for c in doc["checks"])
                          else "true")
    for name, (base, shift) in CLASSES.items():
        ins = [a for a in fns if int(fns[a]["class"], 16) >> shift == base
               and not stays_with_host(a)]
        want[f"isolatable.{name}"] = str(sum(
            expected_verdict([a])[0] in ("ready", "needs_companions") for a in ins))
        want[f"vfio.{name}"] = str(sum(state_of[a] == "vfio" for a in ins))
    pfs = sum(1 for a in fns if totalvfs(a))
    want["sriov.capable"] = "true" if pfs else "false"
    want["sriov.pf"] = str(pfs)
    expect_eq(labels, want, "NFD labels")
    expect_eq(labels["vfio.net"], "1", "vfio.net: 01:00.0 is the one vfio group's NIC")


# ------------------------------------------------------ Proxmox mapping, drift

def props(value):
    return dict(kv.split("=", 1) for kv in value.split(","))


def write_cfg(text):
    d = tempfile.mkdtemp(prefix="pcipass-pve-")
    os.chmod(d, 0o755)			# drift runs as nobody too
    path = os.path.join(d, "pci.cfg")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


def drift(cli, path, want_rc, priv=True):
    args = ("--json", "drift", "--node", NODE, path)
    r = cli.run(*args, priv=priv)
    expect_eq(r.returncode, want_rc, f"exit status of drift ({r.stderr.strip()})")
    return cli_json(r.stdout, args)


MAPPED = ["0000:06:00", "0000:09:00", "0000:0a:00", "0000:12:00", "0000:01:00.0"]


@test
def proxmox_mapping_equals_sysfs_and_drift_says_ok(cli):
    """export proxmox-mapping --config of slots and a function: id, subsystem-id, iommugroup of function 0 from sysfs, functions of each slot; drift on it exits 0, as root and as nobody"""
    r = run(cli, "--json", "export", "proxmox-mapping", "--node", NODE, "e2e", *MAPPED)
    doc = cli_json(r.stdout, ("--json", "export", "proxmox-mapping"))
    cfg = run(cli, "export", "proxmox-mapping", "--config", "--node", NODE,
              "e2e", *MAPPED).stdout
    expect_eq(cfg, doc["config"], "--config text and the JSON's config")
    lines = cfg.splitlines()
    expect_eq(lines[0], "e2e", "section header")
    maps = [props(x[len("\tmap "):]) for x in lines[1:] if x]
    expect_eq(len(maps), len(MAPPED), "one map per argument")
    fns = sorted(os.listdir(SYS_DEV))
    for arg, m, j in zip(MAPPED, maps, doc["maps"]):
        fn0 = arg if "." in arg else arg + ".0"
        want = {"id": ids(fn0), "subsystem-id": ids(fn0, "subsystem_"),
                "iommugroup": str(sys_group(fn0)), "node": NODE, "path": arg}
        expect_eq(m, want, f"map of {arg}")
        slot_fns = [a for a in fns if a.rsplit(".", 1)[0] == arg] if "." not in arg else [arg]
        expect_eq(j["functions"], slot_fns, f"{arg}: functions")
    expect(len(doc["maps"][2]["functions"]) == 3, "0a:00 maps the PF and its two VFs")
    path = write_cfg(cfg)
    try:
        for priv in (True, False):		# any user may run drift
            d = drift(cli, path, 0, priv=priv)
            expect_eq([(e["status"], e["line"]) for e in d["entries"]],
                      [("ok", i + 2) for i in range(len(MAPPED))], "drift verdicts")
            expect_eq((d["maps"], d["ok"], d["stale"], d["skipped"]),
                      (len(MAPPED), len(MAPPED), 0, 0), "drift counts")
    finally:
        shutil.rmtree(os.path.dirname(path))


def a_map(path, id_, group, sub=None, node=NODE):
    s = f"id={id_},iommugroup={group},node={node},path={path}"
    return s + (f",subsystem-id={sub}" if sub else "")


@test
def drift_names_every_stale_map(cli):
    """drift on a pci.cfg gone stale against real sysfs: moved, swapped, group_changed, absent, ambiguous, another node's skipped; exit 3, the fix is what sysfs says; a bad line: exit 4"""
    xhci, nvme, gone = "0000:13:00.0", "0000:09:00.0", "0000:42:00"
    e1000 = [a for a in sorted(os.listdir(SYS_DEV)) if ids(a) == "8086:100e"]
    expect_eq(len(e1000), 2, f"two e1000 functions (shape (d)): {e1000}")
    cases = [	# (name, map, status, found_at)
        ("moved", a_map(gone, ids(xhci), sys_group(xhci), ids(xhci, "subsystem_")),
         "moved", [xhci]),
        ("swapped", a_map(nvme[:-2], "8086:1533", sys_group(nvme)), "swapped", []),
        ("regrouped", a_map(nvme, ids(nvme), sys_group(nvme) + 100,
                            ids(nvme, "subsystem_")), "group_changed", []),
        ("absent", a_map(gone, "dead:beef", 1), "absent", []),
        ("ambiguous", a_map(gone + ".0", ids(e1000[0]), 1), "ambiguous", e1000),
        ("elsewhere", a_map(gone, "dead:beef", 1, node="othernode"), "skipped", None),
    ]
    text = "".join(f"{n}\n\tmap {m}\n\n" for n, m, _, _ in cases)
    path = write_cfg(text)
    try:
        d = drift(cli, path, 3)
        got = {e["mapping"]: e for e in d["entries"]}
        for name, m, status, found in cases:
            e = got[name]
            expect_eq(e["status"], status, f"{name}: status")
            if found is None:
                continue
            p = e["paths"][0]
            expect_eq(sorted(p["found_at"]), found, f"{name}: found_at")
            at = props(m)["path"]
            at = at if "." in at else at + ".0"
            if os.path.exists(os.path.join(SYS_DEV, at)):
                expect_eq((p["at"]["address"], p["at"]["id"], p["at"]["iommugroup"]),
                          (at, ids(at), sys_group(at)), f"{name}: what is at {at}")
            else:
                expect_eq(p["at"], None, f"{name}: nothing at {at}")
        expect_eq(got["ambiguous"]["fix"], None, "ambiguous: no fix")
        expect_eq(props(got["moved"]["fix"]),
                  {"id": ids(xhci), "iommugroup": str(sys_group(xhci)), "node": NODE,
                   "path": "0000:13:00", "subsystem-id": ids(xhci, "subsystem_")},
                  "moved: the fix")
        expect_eq(props(got["regrouped"]["fix"])["iommugroup"], str(sys_group(nvme)),
                  "group_changed: the fix")
        expect_eq((d["maps"], d["ok"], d["stale"], d["skipped"]), (6, 0, 5, 1), "counts")
        with open(path, "a") as f:
            f.write("broken\n\tmap id=zz\n")
        drift(cli, path, 4)
    finally:
        shutil.rmtree(os.path.dirname(path))


@test
def everything_back_as_it_was(cli):
    """at the end: every function has its original driver and override, and export says so"""
    expect(ORIGINAL, "no snapshot from the first test")
    expect_eq(state(), ORIGINAL, "(driver, override) of every function")
    expect_groups(prom(cli, fresh=True), "at the end")


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
