#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-guest half of "make demo": load the module and show it off.
set -uo pipefail
cd "$(dirname "$0")/../.."

run() { printf '\n$ %s\n' "$*"; "$@"; }

modprobe -a e1000e e1000 nvme vfio-pci
# Two SR-IOV VFs on the second NVMe controller, left without a driver.
echo 0 >/sys/bus/pci/devices/0000:0a:00.0/sriov_drivers_autoprobe
echo 2 >/sys/bus/pci/devices/0000:0a:00.0/sriov_numvfs
# Hand one function of the multifunction NIC to vfio-pci, as an operator
# might, to show a half-bound group.
echo vfio-pci >/sys/bus/pci/devices/0000:06:00.1/driver_override
echo 0000:06:00.1 >/sys/bus/pci/devices/0000:06:00.1/driver/unbind
echo 0000:06:00.1 >/sys/bus/pci/drivers_probe

run insmod kmod/pcipass.ko
run user/pcipass version
run user/pcipass list
run user/pcipass list --class nvme
run user/pcipass show 02:00.0
run user/pcipass show 0a:00.1
run user/pcipass --json show 09:00.0
