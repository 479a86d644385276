#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of a selftest run in the test VM:
#   tests/vm/run.sh tests/selftest/vm-guest.sh
#   tests/vm/run.sh --kernel /boot/vmlinuz-6.1.0-56-amd64 \
#       --env PCIPASS_KO=/path/to/6.1/pcipass.ko tests/selftest/vm-guest.sh
# Binds the usual drivers to some functions (so "driver" is exercised),
# loads kmod/pcipass.ko (or $PCIPASS_KO) and runs tests/selftest/run.sh.
# Build the module and the selftests on the host first.
set -u

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd -- "$here/../.." && pwd -P)

modprobe -q e1000e || echo "# modprobe e1000e failed"
modprobe -q nvme || echo "# modprobe nvme failed"
# SR-IOV VFs on the second NVMe controller (no driver on them).
echo 0 >/sys/bus/pci/devices/0000:0a:00.0/sriov_drivers_autoprobe &&
	echo 2 >/sys/bus/pci/devices/0000:0a:00.0/sriov_numvfs ||
	echo "# enabling VFs on 0a:00.0 failed"
modprobe -q e1000 || echo "# modprobe e1000 failed"
ko=${PCIPASS_KO:-$repo/kmod/pcipass.ko}
if ! insmod "$ko"; then
	echo "# insmod $ko failed"
	exit 1
fi
"$here/run.sh" "$@"
rc=$?
rmmod pcipass || { echo "# rmmod pcipass failed"; rc=1; }
exit $rc
