#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of a claim's real consumer: QEMU's vfio-pci.

After `pcipass claim`, a VM inside the test guest (QEMU under TCG, paused
with -S, 64 MiB; the guest's intel-iommu has caching-mode=on, which is
what makes VFIO work there) starts with -device vfio-pci,host=ADDR for
every endpoint of the group, and QMP query-pci must show each one: the
ground truth that the group really passes through.  Shapes of
tests/vm/topology.sh: a function alone (i), a multifunction device
without ACS (c), conventional PCI behind a PCIe-to-PCI bridge (d), an
SR-IOV VF (f).  While such a VM runs, claim and release refuse its group
at once, naming the VM.  Runs as root after tests/e2e/claim_test.py;
prints TAP.
"""

import collections
import json
import os
import re
import socket
import subprocess
import sys
import time

from tapcheck import Failure, Suite, expect, expect_eq, main_with_cli
from cli_test import SYS_DEV
from claim_test import (ALONE, GROUP_C, Cli, Guarded, endpoints,
                        expect_claimed, expect_state, members, state)

BEHIND_BRIDGE = "0000:08:01.0"			# (d): with 08:02.0, bridge 07:00.0
VF = "0000:0a:00.1"				# (f): a VF of 0a:00.0, alone

test = Suite("claimvm")
ORIGINAL = {}


class InnerVm:
    """A paused VM inside the guest holding addr through VFIO: the real
    consumer of a claim (testbed.md).  QMP query-pci is the ground truth
    that the device was really passed through."""

    def __init__(self, addrs):
        self.addrs = addrs
        self.sock = f"/tmp/pcipass-qmp-{os.getpid()}.sock"
        self.proc = None

    def __enter__(self):
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.proc = subprocess.Popen(
            ["qemu-system-x86_64", "-accel", "tcg", "-M", "q35", "-m", "64",
             "-nodefaults", "-nographic", "-display", "none", "-S",
             *(arg for a in self.addrs for arg in ("-device", f"vfio-pci,host={a}")),
             "-qmp", f"unix:{self.sock},server=on,wait=off"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        return self

    def qmp(self, *commands, timeout=120):
        """Answers to commands, on a fresh QMP connection."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise Failure(f"inner QEMU exited {self.proc.returncode}: "
                              f"{self.proc.stdout.read()[-600:]!r}")
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.sock)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise Failure("inner QEMU's QMP socket never came up")
                time.sleep(0.2)
        with s:
            s.settimeout(max(1, deadline - time.monotonic()))
            f = s.makefile("rw")
            json.loads(f.readline())			# greeting
            answers = []
            for c in ("qmp_capabilities",) + commands:
                f.write(json.dumps({"execute": c}) + "\n")
                f.flush()
                while True:
                    msg = json.loads(f.readline())
                    if "event" not in msg:
                        break
                if "error" in msg:
                    raise Failure(f"QMP {c}: {msg['error']}")
                answers.append(msg.get("return"))
            return answers[1:]

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=60)
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        return False


def ids(addr):
    with open(f"{SYS_DEV}/{addr}/vendor") as f:
        vendor = int(f.read(), 16)
    with open(f"{SYS_DEV}/{addr}/device") as f:
        return vendor, int(f.read(), 16)


def vm_sees(vm, addrs):
    """The inner VM's PCI bus has a device with the vendor:device of each
    of addrs (as many as addrs has of each: both e1000e functions of (c)
    are two devices there)."""
    (buses,) = vm.qmp("query-pci")
    seen = collections.Counter((d["id"]["vendor"], d["id"]["device"])
                               for b in buses for d in b["devices"])
    want = collections.Counter(ids(a) for a in addrs)
    print(f"# inner VM: {len(addrs)} passed through, "
          f"{sum(seen.values())} devices on its bus")
    return all(seen[k] >= n for k, n in want.items())


def passes_through(cli, addr):
    """Claim addr's group, give every endpoint to an inner VM, release."""
    g, ms = members(addr)
    eps = endpoints(ms)
    with Guarded(ms) as before:
        r = cli.run("claim", addr)
        expect_eq(r.returncode, 0, "claim exit status")
        expect_claimed(addr)
        with InnerVm(eps) as vm:
            expect(vm_sees(vm, eps),
                   f"the inner VM has {' '.join(eps)} (QMP query-pci)")
            vm.qmp("quit")
            vm.proc.wait(timeout=60)
        r = cli.run("release", addr)
        expect_eq(r.returncode, 0, "release exit status")
        expect_state(before, f"group {g} after release")


@test
def a_vm_gets_a_multifunction_group(cli):
    """(c) 06:00.0 + 06:00.1 claimed: a VM starts with both through vfio-pci and sees them"""
    ORIGINAL.update(state())
    passes_through(cli, GROUP_C[0])


@test
def a_vm_gets_a_group_behind_a_pci_bridge(cli):
    """(d) 08:01.0 + 08:02.0 behind bridge 07:00.0 claimed: a VM sees both"""
    passes_through(cli, BEHIND_BRIDGE)


@test
def a_vm_gets_an_sriov_vf(cli):
    """(f) VF 0a:00.1 claimed: a VM starts with it through vfio-pci and sees it"""
    expect(os.path.exists(f"{SYS_DEV}/{VF}"), f"{VF}: the setup made no VFs")
    passes_through(cli, VF)


@test
def refuses_a_group_a_vm_holds(cli):
    """a VM holds (i)'s 10:00.0: release and claim --force refuse within a second of a show, naming its PID; nothing moves"""
    g, ms = members(ALONE)
    with Guarded(ms) as before:
        r = cli.run("claim", ALONE)
        expect_eq(r.returncode, 0, "claim exit status")
        claimed = state(ms)
        with InnerVm([ALONE]) as vm:
            expect(vm_sees(vm, [ALONE]), "the inner VM has the device (QMP query-pci)")
            pid = str(vm.proc.pid)
            # What any command costs here (TCG, maybe KASAN, a loaded
            # host): the refusal may take that plus a second, no more.
            t0 = time.monotonic()
            cli.run("show", ALONE)
            base = time.monotonic() - t0
            for args in (("release", ALONE),
                         ("claim", "--force", ALONE),
                         ("release", "--group", str(g))):
                t0 = time.monotonic()
                r = cli.run(*args, timeout=30)
                took = time.monotonic() - t0
                print(f"# {' '.join(args)}: answered in {took:.2f} s "
                      f"(show: {base:.2f} s)")
                expect_eq(r.returncode, 6, f"exit status of {' '.join(args)}")
                expect(took < base + 1.0,
                       f"{' '.join(args)} took {took:.2f} s, show {base:.2f} s")
                out = r.stdout + r.stderr
                expect(f"PID {pid} (qemu-system-x86_64)" in out,
                       f"{' '.join(args)} names PID {pid} (qemu-system-x86_64)")
                expect("stop the VM" in out, "says to stop the VM")
                expect_eq(state(ms), claimed, f"drivers after {args[0]}")
            doc = cli.json("release", ALONE, want_rc=6)
            b = doc["blockers"]
            expect(len(b) == 1 and b[0]["reason"] == "vfio_in_use" and
                   b[0]["holder"] == f"PID {pid} (qemu-system-x86_64)" and
                   b[0]["detail"] == f"/dev/vfio/{g}" and
                   not b[0]["forceable"], f"JSON blocker: {b}")
            expect_eq(doc["error"]["errno"], 16, "errno EBUSY")
            holder = f"PID {pid} (qemu-system-x86_64)"
            for cmd in ("show", "check"):
                r = cli.run(cmd, ALONE)
                expect(re.search(rf"in use by +{re.escape(holder)} through VFIO",
                                 r.stdout),
                       f"{cmd} says the group is in use by {holder}")
            expect_eq(cli.json("show", ALONE)["devices"][0]["vfio_user"], holder,
                      "show --json vfio_user")
            groups = cli.json("check", ALONE, want_rc=None)["groups"]
            expect_eq([x["vfio_user"] for x in groups], [holder],
                      "check --json groups[].vfio_user")
            expect(vm_sees(vm, [ALONE]), "the inner VM still has the device")
            vm.qmp("quit")
            vm.proc.wait(timeout=60)
        r = cli.run("release", ALONE)
        expect_eq(r.returncode, 0, "release once the VM is gone")
        expect_state(before, "after release")


@test
def everything_back_as_it_was(cli):
    """at the end: every function has its original driver and override"""
    expect(ORIGINAL, "no snapshot from the first test")
    expect_eq(state(), ORIGINAL, "(driver, override) of every function")


if __name__ == "__main__":
    sys.exit(main_with_cli(test, Cli))
