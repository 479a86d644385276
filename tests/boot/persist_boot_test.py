#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Persisted claims across real boots of the Debian 12 image (tests/image/).

Run inside the image by tests/boot/persist.sh, one phase per boot:

  write   the first boot (pcipass installed by make install, nothing
          persisted): claim --persist of a NIC group (shape c: two e1000e
          functions, one group) and of an NVMe controller (shape e); the
          root disk's controller refused; its whole IOMMU group planted in
          claims.conf by hand and left out of the module option; pcipass
          host says the initramfs is stale.
  (then tests/boot/persist.sh runs update-initramfs in the image's root)
  boot    the next boot, from the initramfs that update-initramfs made:
          the persisted functions were never bound by a host driver, are
          on vfio-pci and VFIO-viable, a QEMU in the image takes them
          (-device vfio-pci), pcipass-persist.service succeeded
          before multi-user.target; the planted root group was left out of
          the initramfs and stayed with the host.
  moved   the persisted NIC of shape (a) and the NIC of shape (i) trade
          slots (tests/image/boot.sh --swap-macs): followed by its serial
          number, the other card in its slot left to e1000e.  The USB
          controller (k) and the NVMe of (l) trade slots too (--swap-slots):
          `pcipass drift` on the Proxmox maps the write boot exported
          reports both moved; the NICs, same IDs, stay ok.
  escape  booted with pcipass.persist=0: nothing claimed, no VFs created.

The write boot also persists two VFs of the SR-IOV NVMe PF of (f) with
their claims (sriov --vfs 2 --claim --persist); each later boot has them
created by pcipass-persist.service before network-pre.target, on
vfio-pci from their first moment (the PF stays on nvme), and the QEMU in
the image takes them too.

The cases are in phase_write.py, phase_boot.py and phase_later.py (boots
3 and 4), what they share in bootlib.py.

Ground truth: sysfs (driver, driver_override), VFIO's verdict on the group,
the host drivers' own probe lines in the kernel log (and the lines of the
functions not persisted, which show the log would have them), systemd's
own timestamps, lspci -vvv.
Prints TAP.
"""

import argparse
import sys

from claim_test import Cli
from bootlib import boot, escape, moved, write
import phase_boot  # noqa: F401 (each registers its cases in its suite)
import phase_later  # noqa: F401
import phase_write  # noqa: F401


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    phases = {"write": write, "boot": boot, "moved": moved, "escape": escape}
    ap.add_argument("--phase", required=True, choices=phases)
    args = ap.parse_args()
    suite = phases[args.phase]
    return suite.run(Cli(args.cli))


if __name__ == "__main__":
    sys.exit(main())
