#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of pcipass claim, release and monitor.

Runs as root in the test guest (tests/guest/suite.sh's setup: drivers
prepared, the host NIC up with an address, pcipass.ko loaded).  Every
expectation is checked against the kernel's own views: driver symlinks
and driver_override in /sys/bus/pci/devices, the IOMMU groups in sysfs,
and VFIO's verdict on a group (VFIO_GROUP_GET_STATUS) -- never the CLI's
own output alone.  Each test puts back what it changed; the last one
checks that every function has its original driver and override.
Prints TAP.

PCIPASS_FAILPROBE_KO names the test driver tests/failprobe builds (the
rollback case skips without it).
"""

import json
import os
import re
import subprocess
import sys
import time

from tapcheck import Failure, Suite, cli_json, expect, expect_eq, main_with_cli
from cli_test import (SYS_DEV, sys_driver, sys_group, sys_override,
                      sysfs_header_type, vfio_viable)

GROUP_C = ("0000:06:00.0", "0000:06:00.1")		# multifunction, no ACS
GROUP_B_EPS = ("0000:04:00.0", "0000:05:00.0")		# behind a switch
HOST_NIC = "0000:0e:00.0"				# shape (h), has an address
BOOT_VGA = "0000:12:00.0"				# shape (j)
ALONE = "0000:10:00.0"					# shape (i), alone
WITH_BRIDGE = "0000:0f:00.0"				# shape (h): with dsp_h2
FAILPROBE = "pcipass-failprobe"
FP_PARAMS = "/sys/module/pcipass_failprobe/parameters"


# ---------------------------------------------------------------- ground truth

def state(addrs=None):
    """{address: (driver, override)} from sysfs, for addrs or every function."""
    addrs = addrs or sorted(os.listdir(SYS_DEV))
    return {a: (sys_driver(a), sys_override(a)) for a in addrs}


def members(addr):
    g = sys_group(addr)
    return g, sorted(os.listdir(f"/sys/kernel/iommu_groups/{g}/devices"))


def endpoints(addrs):
    return [a for a in addrs if sysfs_header_type(a) != 1]


def kernel_before_6_2():
    major, minor = (int(x) for x in
                    re.match(r"(\d+)\.(\d+)", os.uname().release).groups())
    return (major, minor) < (6, 2)


def names_member(doc, addr):
    """The kernel's message names addr; before 6.2 (no formatted extack)
    the module sends a fixed message and the members say who failed."""
    msg = doc["error"]["kernel_message"] or ""
    if kernel_before_6_2():
        return msg == "failed: see the member attributes" and any(
            m["address"] == addr and m["state"] == "failed"
            for m in doc["members"])
    return addr in msg


def expect_claimed(addr, driver="vfio-pci"):
    """Every endpoint of addr's group on driver, bridges untouched, viable."""
    g, ms = members(addr)
    for m in ms:
        if sysfs_header_type(m) == 1:
            expect(sys_driver(m) in (None, "pcieport", "shpchp"),
                   f"bridge {m} moved to {sys_driver(m)}")
            continue
        expect_eq(sys_driver(m), driver, f"{m} driver")
        expect_eq(sys_override(m), driver, f"{m} driver_override")
    if driver == "vfio-pci":
        expect_eq(vfio_viable(g), True, f"VFIO viability of group {g}")
    return g, ms


def expect_state(want, what):
    got = state(list(want))
    diff = {a: (want[a], got[a]) for a in want if want[a] != got[a]}
    expect(not diff, f"{what}: (driver, override) want/got differ: {diff}")


def restore(want):
    """Puts functions back by hand (override first, then the driver), so
    that one failing test does not spoil the ones after it."""
    for a, (drv, ovr) in want.items():
        if state([a])[a] == (drv, ovr):
            continue
        dev = os.path.join(SYS_DEV, a)
        # An override naming another driver would refuse the bind.
        with open(f"{dev}/driver_override", "w") as f:
            f.write(drv if ovr and drv and ovr != drv else ovr or "\n")
        if sys_driver(a) != drv:
            if sys_driver(a):
                with open(f"{dev}/driver/unbind", "w") as f:
                    f.write(a)
            if drv:
                try:
                    with open(f"/sys/bus/pci/drivers/{drv}/bind", "w") as f:
                        f.write(a)
                except OSError as e:
                    print(f"# restore {a} to {drv}: {e}")
        with open(f"{dev}/driver_override", "w") as f:
            f.write(ovr or "\n")


class Cli:
    def __init__(self, path):
        self.path = path

    def run(self, *args, priv=True, timeout=120):
        cmd = [self.path, *args]
        if not priv:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534",
                   "--clear-groups", "--inh-caps=-all", *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout)
        print(f"# $ pcipass {' '.join(args)}  -> exit {r.returncode}")
        for line in (r.stdout + r.stderr).splitlines():
            print(f"#   {line}")
        return r

    def json(self, *args, want_rc=0):
        r = self.run("--json", *args)
        if want_rc is not None:		# None: checked by the caller
            expect_eq(r.returncode, want_rc,
                      f"exit status of --json {' '.join(args)}")
        return cli_json(r.stdout, ("--json",) + args)


class Guarded:
    """Runs a test body and always puts the given functions back."""

    def __init__(self, addrs):
        self.before = state(addrs)

    def __enter__(self):
        return self.before

    def __exit__(self, *exc):
        restore(self.before)
        return False


# ------------------------------------------------------------------- tests

test = Suite("claim")
ORIGINAL = {}


@test
def claim_text_binds_whole_group(cli):
    """claim ADDR (text): exit 0, both functions of (c) on vfio-pci, VFIO viable"""
    ORIGINAL.update(state())
    with Guarded(GROUP_C) as before:
        r = cli.run("claim", GROUP_C[0])
        expect_eq(r.returncode, 0, "exit status")
        g, _ = expect_claimed(GROUP_C[0])
        for m in GROUP_C:
            expect(m in r.stdout, f"text names member {m}")
        expect(f"group {g}" in r.stdout, f"text names group {g}")
        # Claimed again: nothing to do, still exit 0.
        r = cli.run("claim", GROUP_C[0])
        expect_eq(r.returncode, 0, "exit status of a second claim")
        expect("already" in r.stdout, "second claim says already claimed")
        expect_claimed(GROUP_C[0])
        # Released: exactly the original drivers and overrides.
        r = cli.run("release", GROUP_C[0])
        expect_eq(r.returncode, 0, "exit status of release")
        expect_state(before, "after release")


@test
def claim_json_agrees_with_sysfs(cli):
    """claim --json of (h)'s 0f:00.0 group: document equals sysfs, bridge skipped"""
    g, ms = members(WITH_BRIDGE)
    with Guarded(ms) as before:
        doc = cli.json("claim", WITH_BRIDGE)
        expect_eq(doc["operation"], "claim", "operation")
        expect_eq(doc["outcome"], "claimed", "outcome")
        expect_eq(doc["group"], g, "group")
        expect_eq(doc["driver"], "vfio-pci", "driver")
        expect_eq(doc["query"], WITH_BRIDGE, "query")
        expect_eq(doc["query_kind"], "function", "query_kind")
        expect_eq(doc["error"], None, "error")
        expect_claimed(WITH_BRIDGE)
        got = {m["address"]: m for m in doc["members"]}
        expect_eq(sorted(got), ms, "members")
        for a in ms:
            m = got[a]
            expect_eq((m["from_driver"], m["from_override"]), before[a],
                      f"{a} from_driver/from_override")
            expect_eq(m["to_driver"], sys_driver(a), f"{a} to_driver")
            want = "skipped_bridge" if sysfs_header_type(a) == 1 else "claimed"
            expect_eq(m["state"], want, f"{a} state")
        doc = cli.json("release", WITH_BRIDGE)
        expect_eq(doc["outcome"], "released", "release outcome")
        expect_state(before, "after release")
        for m in doc["members"]:
            expect_eq(m["to_driver"], sys_driver(m["address"]),
                      f"{m['address']} to_driver after release")


@test
def dry_run_changes_nothing(cli):
    """claim --dry-run: exit 0, prints the plan (would move), sysfs unchanged"""
    before = state()
    r = cli.run("claim", "--dry-run", GROUP_C[0])
    expect_eq(r.returncode, 0, "exit status")
    expect("would move" in r.stdout, "plan says 'would move'")
    # 06:00.0 moves from e1000e; 06:00.1 is on vfio-pci already.
    expect(re.search(r"0000:06:00\.0.*e1000e", r.stdout),
           "plan names 06:00.0 and its driver")
    expect_eq(state(), before, "sysfs after the dry run")
    doc = cli.json("claim", "--dry-run", GROUP_C[0])
    expect_eq(doc["outcome"], "planned", "outcome")
    expect_eq(doc["dry_run"], True, "dry_run")
    expect_eq(state(), before, "sysfs after the JSON dry run")


@test
def claim_by_group_number(cli):
    """claim/release --group N: (i)'s 10:00.0 alone in its group"""
    g, ms = members(ALONE)
    with Guarded(ms) as before:
        doc = cli.json("claim", "--group", str(g))
        expect_eq(doc["query_kind"], "group", "query_kind")
        expect_eq(doc["group"], g, "group")
        expect_eq(doc["outcome"], "claimed", "outcome")
        expect_claimed(ALONE)
        r = cli.run("release", "--group", str(g))
        expect_eq(r.returncode, 0, "release exit status")
        expect_state(before, "after release --group")


@test
def mistyped_driver_is_answered_at_once(cli):
    """claim --driver vfio-pcj: exit 1 within a second of a show, says no module provides it, nothing changed"""
    before = state()
    t0 = time.monotonic()
    cli.run("show", ALONE)
    base = time.monotonic() - t0
    t0 = time.monotonic()
    r = cli.run("claim", "--driver", "vfio-pcj", ALONE, timeout=60)
    took = time.monotonic() - t0
    print(f"# answered in {took:.2f} s (show: {base:.2f} s; the kernel's "
          "wait for a module is 10 s)")
    expect_eq(r.returncode, 1, "exit status")
    expect("no PCI driver 'vfio-pcj' is registered and no module provides it"
           in r.stderr, "says no module provides vfio-pcj")
    expect(took < base + 1.0, f"took {took:.2f} s, show {base:.2f} s")
    expect_eq(state(), before, "sysfs after the refusal")


@test
def refuses_boot_vga(cli):
    """claim of the boot VGA 12:00.0: exit 6, names the device and why, nothing changed"""
    before = state()
    r = cli.run("claim", BOOT_VGA)
    expect_eq(r.returncode, 6, "exit status")
    expect(BOOT_VGA in r.stdout + r.stderr, "names the device")
    expect(re.search(r"boot VGA", r.stdout + r.stderr, re.I),
           "says it is the boot VGA")
    expect_eq(state(), before, "sysfs after the refusal")


@test
def refuses_host_nic_with_address(cli):
    """claim of the host NIC 0e:00.0 (up, addressed): exit 6, names it and the netdev"""
    before = state()
    netdev = os.listdir(f"{SYS_DEV}/{HOST_NIC}/net")[0]
    r = cli.run("claim", HOST_NIC)
    out = r.stdout + r.stderr
    expect_eq(r.returncode, 6, "exit status")
    expect(HOST_NIC in out, "names the device")
    expect(netdev in out and "address" in out,
           f"says {netdev} is up with addresses")
    expect_eq(state(), before, "sysfs after the refusal")
    doc = cli.json("claim", HOST_NIC, want_rc=6)
    expect_eq(doc["outcome"], "refused", "outcome")
    expect_eq(doc["error"]["kernel_message"], None,
              "refused by pcipass before the module was asked")
    expect_eq([(b["address"], b["reason"], b["detail"]) for b in doc["blockers"]],
              [(HOST_NIC, "netdev_active", netdev)], "blockers")
    for m in doc["members"]:
        expect_eq((m["state"], m["to_driver"]),
                  ("untouched", sys_driver(m["address"])),
                  f"{m['address']} state, to_driver")
    expect_eq(state(), before, "sysfs after the JSON refusal")


@test
def rollback_puts_every_member_back(cli):
    """claim --driver pcipass-failprobe of (b), 2nd probe fails: exit 1, all restored"""
    ko = os.environ.get("PCIPASS_FAILPROBE_KO")
    if not ko or not os.path.exists(ko):
        raise Failure(f"no failprobe module (PCIPASS_FAILPROBE_KO={ko!r})")
    g, ms = members(GROUP_B_EPS[0])
    subprocess.run(["insmod", ko], check=True)
    try:
        with Guarded(ms) as before:
            with open(f"{FP_PARAMS}/fail_nth", "w") as f:
                f.write("2")
            with open(f"{FP_PARAMS}/probes", "w") as f:
                f.write("0")
            doc = cli.json("claim", "--driver", FAILPROBE, GROUP_B_EPS[0],
                           want_rc=None)
            expect_state(before, "after the rollback")
            expect_eq(doc["outcome"], "rolled_back", "outcome")
            expect(names_member(doc, GROUP_B_EPS[1]),
                   f"kernel message names {GROUP_B_EPS[1]}, whose bind failed")
            with open(f"{FP_PARAMS}/probes") as f:
                expect_eq(f.read().strip(), "2", "probes the claim made")
            expect_eq(doc["group"], g, "group")
            got = {m["address"]: m for m in doc["members"]}
            expect_eq(sorted(got), ms, "members")
            failed = [a for a, m in got.items() if m["state"] == "failed"]
            expect_eq(failed, [GROUP_B_EPS[1]], "the member that failed")
            expect_eq(got[GROUP_B_EPS[1]]["step"], "bind", "its step")
            for a in ms:
                expect_eq(got[a]["to_driver"], sys_driver(a), f"{a} to_driver")
            # The text output says so too, with the same exit status.
            with open(f"{FP_PARAMS}/probes", "w") as f:
                f.write("0")
            r = cli.run("claim", "--driver", FAILPROBE, GROUP_B_EPS[0])
            expect_eq(r.returncode, 1, "text exit status")
            expect(GROUP_B_EPS[1] in r.stdout + r.stderr, "text names the failed member")
            expect_state(before, "after the second rollback")
    finally:
        subprocess.run(["rmmod", "pcipass_failprobe"])


@test
def rollback_of_multifunction_group(cli):
    """claim --driver pcipass-failprobe of (c), 2nd probe fails: exit 1, all restored"""
    ko = os.environ.get("PCIPASS_FAILPROBE_KO")
    if not ko or not os.path.exists(ko):
        raise Failure(f"no failprobe module (PCIPASS_FAILPROBE_KO={ko!r})")
    g, ms = members(GROUP_C[0])
    viable = vfio_viable(g)	# half bound: 06:00.1 on vfio-pci, not viable
    subprocess.run(["insmod", ko], check=True)
    try:
        with Guarded(ms) as before:
            with open(f"{FP_PARAMS}/fail_nth", "w") as f:
                f.write("2")
            with open(f"{FP_PARAMS}/probes", "w") as f:
                f.write("0")
            doc = cli.json("claim", "--driver", FAILPROBE, GROUP_C[0],
                           want_rc=1)
            expect_state(before, "after the rollback")
            expect_eq(doc["outcome"], "rolled_back", "outcome")
            got = {m["address"]: m for m in doc["members"]}
            expect_eq((got[GROUP_C[1]]["state"], got[GROUP_C[1]]["step"]),
                      ("failed", "bind"), "the second function failed to bind")
            expect_eq(got[GROUP_C[0]]["state"], "rolled_back", "the first one")
            for a in ms:
                expect_eq(got[a]["to_driver"], sys_driver(a), f"{a} to_driver")
            expect_eq(vfio_viable(g), viable, "VFIO viability as before")
            expect(names_member(doc, GROUP_C[1]),
                   f"kernel message names {GROUP_C[1]}")
    finally:
        subprocess.run(["rmmod", "pcipass_failprobe"])


@test
def list_does_not_wait_for_a_probe(cli):
    """a 5 s probe holds VF 0a:00.2: list --json answers meanwhile with every function, that one driver_busy"""
    import threading
    ko = os.environ.get("PCIPASS_FAILPROBE_KO")
    if not ko or not os.path.exists(ko):
        raise Failure(f"no failprobe module (PCIPASS_FAILPROBE_KO={ko!r})")
    vf = "0000:0a:00.2"
    dev = os.path.join(SYS_DEV, vf)
    subprocess.run(["insmod", ko], check=True)
    try:
        with Guarded([vf]):
            with open(f"{FP_PARAMS}/probe_delay_ms", "w") as f:
                f.write("5000")
            with open(f"{dev}/driver_override", "w") as f:
                f.write(FAILPROBE)

            def probe():
                with open("/sys/bus/pci/drivers_probe", "w") as f:
                    f.write(vf)
            t = threading.Thread(target=probe)
            t.start()
            time.sleep(1)		# the probe sleeps with the device locked
            doc = cli.json("list")
            probing = t.is_alive()
            t.join(timeout=30)
            expect(probing, "list waited for the probe to end")
            rows = {d["address"]: d for g in doc["groups"]
                    for d in g["devices"]}
            rows.update({d["address"]: d for d in doc["ungrouped_devices"]})
            expect_eq(sorted(rows), sorted(os.listdir(SYS_DEV)),
                      "list has every function")
            expect_eq((rows[vf]["driver"], rows[vf]["driver_busy"]),
                      (None, True), f"{vf} while its probe runs")
            others = [a for a, d in rows.items() if d["driver_busy"]]
            expect_eq(others, [vf], "functions reported busy")
            expect_eq(sys_driver(vf), FAILPROBE, "after the probe")
            with open(f"{FP_PARAMS}/probe_delay_ms", "w") as f:
                f.write("0")
    finally:
        subprocess.run(["rmmod", "pcipass_failprobe"])


@test
def release_restores_an_override_of_another_driver(cli):
    """claim + release of (b): 04:00.0 (e1000e, override vfio-pci) comes back as it was"""
    g, ms = members(GROUP_B_EPS[0])
    with Guarded(ms) as before:
        expect_eq(before[GROUP_B_EPS[0]], ("e1000e", "vfio-pci"),
                  "setup: 04:00.0 bound to e1000e with an override of vfio-pci")
        r = cli.run("claim", GROUP_B_EPS[0])
        expect_eq(r.returncode, 0, "claim exit status")
        expect_claimed(GROUP_B_EPS[0])
        r = cli.run("release", GROUP_B_EPS[0])
        expect_eq(r.returncode, 0, "release exit status")
        expect_state(before, "after release")


@test
def claimed_group_behind_pci_bridge_is_viable(cli):
    """claim of (d) (bridge 07:00.0 on shpchp): exit 0 only if VFIO finds it viable"""
    addr = "0000:08:01.0"
    g, ms = members(addr)
    with Guarded(ms):
        r = cli.run("claim", addr)
        try:
            if r.returncode == 0:
                expect_claimed(addr)	# VFIO_GROUP_GET_STATUS: VIABLE
            else:
                expect_eq(r.returncode, 6, "exit status of a refusal")
                expect("0000:07:00.0" in r.stdout, "refusal names the bridge")
        finally:
            cli.run("release", addr)


@test
def unprivileged_is_told_to_run_as_root(cli):
    """claim as uid 65534 without capabilities: nonzero, says run as root"""
    before = state()
    r = cli.run("claim", GROUP_C[0], priv=False)
    expect(r.returncode != 0, "nonzero exit status")
    expect("root" in r.stderr, f"stderr says to run as root: {r.stderr!r}")
    r = cli.run("release", GROUP_C[0], priv=False)
    expect(r.returncode != 0, "release: nonzero exit status")
    expect("root" in r.stderr, f"release: stderr says root: {r.stderr!r}")
    expect_eq(state(), before, "sysfs")


def expected_events(kind, query, group, before, after):
    """The events a claim or release of query that took before to after
    must send, per member in order: override, unbind, bind.  A member
    whose driver and override stay has none."""
    evs = [(f"{kind}_started", query, group)]
    for a in sorted(before):
        (d0, o0), (d1, o1) = before[a], after[a]
        if o0 != o1:
            evs.append(("override_changed", a, o1))
        if d0 != d1:
            if d0:
                evs.append(("driver_unbound", a, d0))
            if d1:
                evs.append(("driver_bound", a, d1))
    evs.append((f"{kind}_finished", query, group))
    return evs


def check_events(got, kind, query, group, driver, outcome, before, after):
    want = expected_events(kind, query, group, before, after)
    key = [(e["type"], e["address"],
            e["override"] if e["type"] == "override_changed" else
            e["group"] if e["type"].startswith(kind) else e["driver"])
           for e in got]
    expect_eq(sorted(key, key=str), sorted(want, key=str),
              f"{kind} events (type, address, override/group/driver)")
    expect_eq(key[0], want[0], f"{kind}: first event")
    expect_eq(key[-1], want[-1], f"{kind}: last event")
    for e in (got[0], got[-1]):
        expect_eq(e["driver"], driver, f"{e['type']} driver")
    expect_eq((got[-1]["outcome"], got[-1]["errno"], got[-1]["error"]),
              (outcome, 0, None), f"{kind}_finished outcome")
    # started and finished name one transaction; the others none
    expect(got[0]["txid"] and got[0]["txid"] == got[-1]["txid"],
           f"{kind} started and finished: one txid ({got[0]['txid']}, "
           f"{got[-1]['txid']})")
    expect_eq([e["txid"] for e in got[1:-1]], [None] * (len(got) - 2),
              f"{kind}: device events carry no txid")
    for a in before:	# per member: override, then unbind, then bind
        order = [k[0] for k in key if k[1] == a]
        expect_eq(order, [w[0] for w in want if w[1] == a], f"order for {a}")


@test
def monitor_records_claim_and_release(cli):
    """monitor --json --count N in the background sees (c)'s claim and release"""
    g, ms = members(GROUP_C[0])
    with Guarded(ms) as before:
        # What the claim will do, from sysfs: endpoints to vfio-pci.
        claimed = {a: ("vfio-pci", "vfio-pci") for a in endpoints(ms)}
        claimed.update({a: before[a] for a in ms if a not in claimed})
        q = GROUP_C[0]
        n_claim = len(expected_events("claim", q, g, before, claimed))
        n_release = len(expected_events("release", q, g, claimed, before))
        mon = subprocess.Popen([cli.path, "monitor", "--json", "--count",
                                str(n_claim + n_release)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        try:
            time.sleep(2)	# subscribed (no readiness signal to wait for)
            expect(mon.poll() is None, "monitor still running before the claim")
            r = cli.run("claim", GROUP_C[0])
            expect_eq(r.returncode, 0, "claim exit status")
            expect_state(claimed, "after the claim")
            r = cli.run("release", GROUP_C[0])
            expect_eq(r.returncode, 0, "release exit status")
            expect_state(before, "after the release")
            try:
                out, err = mon.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                mon.terminate()
                out, err = mon.communicate()
                raise Failure(f"monitor did not stop after {n_claim + n_release} "
                              f"events; got: {out!r} {err!r}")
        finally:
            if mon.poll() is None:
                mon.kill()
                mon.communicate()
        expect_eq(mon.returncode, 0, f"monitor exit status ({err.strip()!r})")
        events = [cli_json(line, ("monitor", "--json")) for line in out.splitlines()]
        for e in events:
            print(f"#   event {json.dumps(e)}")
        expect_eq(len(events), n_claim + n_release, "number of events")
        for e in events:
            expect_eq(sorted(e), sorted(["type", "address", "group", "driver",
                                         "override", "outcome", "errno",
                                         "error", "txid"]), "keys of an event")
        check_events(events[:n_claim], "claim", q, g, "vfio-pci", "claimed",
                     before, claimed)
        check_events(events[n_claim:], "release", q, g, "vfio-pci",
                     "released", claimed, before)


def dmesg_count(text):
    """How many kernel log lines contain text (the ring may wrap: count,
    do not index)."""
    out = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    return sum(text in line for line in out.splitlines())


def timed(what, fn):
    t = time.monotonic()
    r = fn()
    dt = time.monotonic() - t
    print(f"# {what}: {dt:.2f} s")
    return r, dt


def write(path, value):
    with open(path, "w") as f:
        f.write(value)


def stuck_release_answers(cli, vf):
    """While vf's remove blocks: the release gives up, nothing else waits."""
    r, dt = timed("release --timeout 2", lambda: cli.run(
        "release", "--timeout", "2", vf))
    expect_eq(r.returncode, 8, "exit status: still running")
    expect(dt < 6, f"release waited {dt:.1f} s, not about 2 s")
    expect(f"unbind of {vf} from {FAILPROBE}" in r.stderr,
           "the message names the stuck member and its driver")
    time.sleep(1)		# past stuck_ms: new requests are refused
    r, dt = timed("register a genetlink family", lambda: subprocess.run(
        ["timeout", "10", "sh", "-c", f"echo 1 > {FP_PARAMS}/genl_family"]))
    expect_eq(r.returncode, 0, "genl_register_family() while the remove blocks")
    expect(dt < 5, f"registering a family took {dt:.1f} s")
    r, dt = timed("genl ctrl get", lambda: subprocess.run(
        ["timeout", "10", "genl", "ctrl", "get", "name", "pcipass_fptest"],
        capture_output=True, text=True))
    expect_eq(r.returncode, 0, f"another family's request ({r.stderr.strip()})")
    r, dt = timed("pcipass list", lambda: cli.run("list", timeout=20))
    expect_eq(r.returncode, 0, "pcipass list exit status")
    expect(dt < 5, f"list took {dt:.1f} s")
    r, dt = timed("a second claim", lambda: cli.run(
        "claim", "--dry-run", GROUP_C[0]))
    expect_eq(r.returncode, 1, "a second claim: refused as busy")
    expect(dt < 3, f"the busy answer took {dt:.1f} s")
    if not kernel_before_6_2():
        expect(re.search(rf"busy: a release waited \d+ s to unbind {vf} "
                         rf"from {FAILPROBE} \(", r.stderr),
               "the kernel's busy answer names the stuck step")
    else:
        expect("busy: a transaction is stuck, see the busy attributes"
               in r.stderr,
               "the kernel's fixed busy answer (no formatted extack before 6.2)")
    expect(re.search(rf"transaction \d+ has waited \d+ s in unbind of "
                     rf"{vf} from {FAILPROBE}", r.stderr),
           "the CLI names the stuck step")
    r, dt = timed("rmmod pcipass", lambda: subprocess.run(
        ["timeout", "10", "rmmod", "pcipass"], capture_output=True, text=True))
    expect(r.returncode != 0 and os.path.exists("/sys/module/pcipass"),
           f"rmmod pcipass refused while a transaction runs ({r.stderr.strip()})")
    expect(dt < 3, f"rmmod took {dt:.1f} s")


def unblock_remove(vf, went_on, mark):
    """Let failprobe's remove go on; True once the kernel log says it did."""
    write(f"{FP_PARAMS}/block_remove", "0")
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if dmesg_count(went_on) > mark:
            return True
        time.sleep(0.5)
    return False


@test
def a_stuck_remove_blocks_nobody(cli):
    """a remove that blocks (failprobe block_remove) during release: release --timeout 2 exits 8 naming it; genetlink, list, a new claim (EBUSY), rmmod answer at once; unblocked, the release completes"""
    ko = os.environ.get("PCIPASS_FAILPROBE_KO")
    if not ko or not os.path.exists(ko):
        raise Failure(f"no failprobe module (PCIPASS_FAILPROBE_KO={ko!r})")
    vf = "0000:0a:00.2"
    stuck = "/sys/module/pcipass/parameters/stuck_ms"
    subprocess.run(["insmod", ko], check=True)
    mon = None
    went_on = f"{vf}: remove goes on"
    mark = dmesg_count(went_on)
    try:
        with Guarded([vf]) as before:
            r = cli.run("claim", "--driver", FAILPROBE, vf)
            expect_eq((r.returncode, sys_driver(vf)), (0, FAILPROBE),
                      "claimed for failprobe")
            write(stuck, "1000")
            mon = subprocess.Popen([cli.path, "monitor", "--json", "--count",
                                    "50"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            write(f"{FP_PARAMS}/block_remove", "1")
            # lifted before anything else (Guarded's restore) touches vf
            try:
                stuck_release_answers(cli, vf)
            finally:
                fin = unblock_remove(vf, went_on, mark)
            expect(fin, "failprobe's remove went on once unblocked")
            end = time.monotonic() + 30
            while time.monotonic() < end:
                r = cli.run("claim", "--dry-run", GROUP_C[0])
                if r.returncode == 0:
                    break
                time.sleep(0.5)
            expect_eq(r.returncode, 0, "a claim is accepted again")
            mon.terminate()
            out, err = mon.communicate(timeout=10)
            events = [cli_json(line, ("monitor", "--json")) for line in out.splitlines()]
            fin = [e for e in events if e["type"] == "release_finished"]
            expect_eq([(e["address"], e["outcome"]) for e in fin],
                      [(vf, "released")], "the release-finished event")
            expect_eq(state([vf]), before, "the function as before the claim")
    finally:
        if mon and mon.poll() is None:
            mon.kill()
            mon.communicate()
        for p, v in ((f"{FP_PARAMS}/block_remove", "0"), (stuck, "5000")):
            if os.path.exists(p):
                write(p, v)
        subprocess.run(["rmmod", "pcipass_failprobe"])


@test
def everything_back_as_it_was(cli):
    """at the end: every function has its original driver and override"""
    expect(ORIGINAL, "no snapshot from the first test")
    expect_eq(state(), ORIGINAL, "(driver, override) of every function")


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
