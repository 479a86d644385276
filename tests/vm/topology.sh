#!/bin/bash
# PCI topology of the pcipass test VM (QEMU q35 + intel-iommu).
#
# Source it and call   pcipass_vm_topology NVME_IMAGE
# to fill the array PCIPASS_VM_TOPOLOGY with QEMU arguments, or run it
# (tests/vm/topology.sh [NVME_IMAGE]) to print them, one per line.
# NVME_IMAGE is a raw file (run.sh creates a 16 MiB sparse one per run).
#
# Every port has a fixed addr and a unique chassis/slot, every NIC a fixed
# MAC, so guest PCI addresses are stable.  SeaBIOS numbers the buses
# depth-first and Linux keeps that numbering.  Observed with
# linux 6.12.117+deb12-amd64 / QEMU 7.2 (domain 0000 omitted):
#
# (a) isolated endpoint, behind an ACS-capable root port
#       00:01.0  pcie-root-port rp_a                  group: alone
#       01:00.0  e1000e  52:54:00:50:0a:01            group: alone
# (b) root port WITHOUT ACS above a switch - one big group
#       00:02.0  pcie-root-port rp_b (disable-acs=on) \
#       02:00.0  x3130-upstream usp_b                  |
#       03:00.0  xio3130-downstream dsp_b1             | one group
#       03:01.0  xio3130-downstream dsp_b2             |
#       04:00.0  e1000e  52:54:00:50:0b:01             |
#       05:00.0  e1000e  52:54:00:50:0b:02            /
# (c) multifunction endpoint without ACS, behind an ACS root port
#       00:03.0  pcie-root-port rp_c                  group: alone
#       06:00.0  e1000e  fn 0  52:54:00:50:0c:01      \ one group
#       06:00.1  e1000e  fn 1  52:54:00:50:0c:02      /
# (d) conventional PCI behind a PCIe-to-PCI bridge
#       00:04.0  pcie-root-port rp_d                  group: alone
#       07:00.0  pcie-pci-bridge pcibr_d              \
#       08:01.0  e1000   52:54:00:50:0d:01             | one group
#       08:02.0  e1000   52:54:00:50:0d:02            /
# (e) NVMe controller behind its own root port
#       00:05.0  pcie-root-port rp_e                  group: alone
#       09:00.0  nvme (serial pcipass-nvme0, 16 MiB)  group: alone
# (f) SR-IOV: an NVMe controller (PF) that offers two VFs
#       00:06.0  pcie-root-port rp_f                  group: alone
#       0a:00.0  nvme PF (serial pcipass-nvme1)       group: alone
#       0a:00.1, 0a:00.2  VFs, once the guest writes 2 to sriov_numvfs
#                (the nvme driver must be bound to the PF); each alone
#
# Not part of the test topology: 00:00.0 host bridge, 00:1f.{0,2,3}
# ICH9 LPC/SATA/SMBus (one group), and the two virtio-9p transports that
# run.sh adds at 00:10.0 (host root) and 00:11.0 (output dir), each alone.

# PCIPASS_VM_TOPOLOGY is used by the caller; commas are QEMU syntax.
# shellcheck disable=SC2034,SC2054
pcipass_vm_topology() {
	local nvme_img=${1:?usage: pcipass_vm_topology NVME_IMAGE}
	local nic=romfile=
	PCIPASS_VM_TOPOLOGY=(
		# (a)
		-device pcie-root-port,id=rp_a,bus=pcie.0,addr=01.0,chassis=1,slot=1
		-device "e1000e,id=nic_a,bus=rp_a,addr=00.0,mac=52:54:00:50:0a:01,$nic"
		# (b)
		-device pcie-root-port,id=rp_b,bus=pcie.0,addr=02.0,chassis=2,slot=2,disable-acs=on
		-device x3130-upstream,id=usp_b,bus=rp_b,addr=00.0
		-device xio3130-downstream,id=dsp_b1,bus=usp_b,addr=00.0,chassis=3,slot=3
		-device xio3130-downstream,id=dsp_b2,bus=usp_b,addr=01.0,chassis=4,slot=4
		-device "e1000e,id=nic_b1,bus=dsp_b1,addr=00.0,mac=52:54:00:50:0b:01,$nic"
		-device "e1000e,id=nic_b2,bus=dsp_b2,addr=00.0,mac=52:54:00:50:0b:02,$nic"
		# (c)
		-device pcie-root-port,id=rp_c,bus=pcie.0,addr=03.0,chassis=5,slot=5
		-device "e1000e,id=nic_c0,bus=rp_c,addr=00.0,multifunction=on,mac=52:54:00:50:0c:01,$nic"
		-device "e1000e,id=nic_c1,bus=rp_c,addr=00.1,mac=52:54:00:50:0c:02,$nic"
		# (d)
		-device pcie-root-port,id=rp_d,bus=pcie.0,addr=04.0,chassis=6,slot=6
		-device pcie-pci-bridge,id=pcibr_d,bus=rp_d,addr=00.0
		-device "e1000,id=nic_d1,bus=pcibr_d,addr=01.0,mac=52:54:00:50:0d:01,$nic"
		-device "e1000,id=nic_d2,bus=pcibr_d,addr=02.0,mac=52:54:00:50:0d:02,$nic"
		# (e)
		-device pcie-root-port,id=rp_e,bus=pcie.0,addr=05.0,chassis=7,slot=7
		-drive "if=none,id=nvme_e_drv,format=raw,file=${nvme_img//,/,,}"
		-device nvme,id=nvme_e,bus=rp_e,addr=00.0,serial=pcipass-nvme0,drive=nvme_e_drv
		# (f)
		-device pcie-root-port,id=rp_f,bus=pcie.0,addr=06.0,chassis=8,slot=8
		-device nvme-subsys,id=nvme_subsys_f,nqn=pcipass-subsys-f
		-device nvme,id=nvme_f,bus=rp_f,addr=00.0,serial=pcipass-nvme1,subsys=nvme_subsys_f,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=8,msix_qsize=8
	)
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	pcipass_vm_topology "${1:-NVME_IMAGE}"
	printf '%s\n' "${PCIPASS_VM_TOPOLOGY[@]}"
fi
