#!/bin/bash
# PCI topology of the pcipass test VM (QEMU q35 + intel-iommu).
#
# Source it and call   pcipass_vm_topology NVME_IMAGE
# to fill the array PCIPASS_VM_TOPOLOGY with QEMU arguments, or run it
# (tests/vm/topology.sh [NVME_IMAGE]) to print them, one per line.
# NVME_IMAGE is a raw file (run.sh creates a 16 MiB sparse one per run).
#
# The guest kernel needs extra command line arguments for shape (g):
#   tests/vm/run.sh --append "$(tests/vm/topology.sh --kernel-args RELEASE)" ...
# (pcipass_vm_kernel_args RELEASE when sourced; tests/check.sh does this).
#
# Every port has a fixed addr and a unique chassis/slot, every NIC a fixed
# MAC, so guest PCI addresses are stable.  SeaBIOS numbers the buses
# depth-first by slot and Linux keeps that numbering, so new shapes go on
# pcie.0 slots after the last one: the addresses of (a)-(f) must not move
# (tests hard-code them).  Observed with QEMU 7.2 on linux
# 6.12.117+deb12-amd64, 6.1.0-56-amd64 (6.1.192) and the debug kernel
# (tests/kernel, 6.12.117), all booted with pcipass_vm_kernel_args (below);
# the groups are the same on all three (domain 0000 omitted):
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
# (g) root port WITH an ACS capability whose required bits are switched
#     off at boot by the kernel command line (pcipass_vm_kernel_args):
#     ACSCtl 0x0011 (SrcValid+ ReqRedir- CmpltRedir- UpstreamFwd+)
#       00:07.0  pcie-root-port rp_g                  \ one group
#       0b:00.0  e1000e  52:54:00:50:10:01            /
#     Without those arguments the port keeps 0x001d and 0b:00.0 is alone.
#     The only NIC with an option ROM: QEMU's default efi-e1000e.rom
#     (iPXE, a legacy x86 and an EFI x64 image, 249856 bytes, in a
#     256 KiB ROM BAR); every other NIC has romfile= (no ROM BAR).  The
#     rom tests (tests/e2e/rom_test.py) read it back through sysfs.
# (h) switch whose downstream ports lack ACS, under an ACS root port.
#     QEMU 7.2's xio3130-downstream has no ACS capability at all (and no
#     disable-acs property; neither has x3130-upstream).  The kernel does
#     NOT put the whole switch in one group: each endpoint joins the group
#     of the ACS-less downstream port above it, and the upstream port
#     (single function, on an ACS path) is alone:
#       00:08.0  pcie-root-port rp_h                  group: alone
#       0c:00.0  x3130-upstream usp_h                 group: alone
#       0d:00.0  xio3130-downstream dsp_h1            \ one group
#       0e:00.0  e1000e  52:54:00:50:11:01            /  (the host NIC, below)
#       0d:01.0  xio3130-downstream dsp_h2            \ one group
#       0f:00.0  e1000e  52:54:00:50:11:02            /
# (i) multifunction WITH ACS: two root ports as functions 0 and 1 of one
#     slot (contrast with (c)); each function alone, each endpoint alone.
#     Only fn 0 has the multifunction bit in its header type (QEMU sets
#     it where multifunction=on); Linux marks fn 1 multifunction itself.
#       00:09.0  pcie-root-port rp_i1 (multifunction=on)  group: alone
#       00:09.1  pcie-root-port rp_i2                 group: alone
#       10:00.0  e1000e  52:54:00:50:12:01            group: alone
#       11:00.0  e1000e  52:54:00:50:12:02            group: alone
# (j) a GPU with its audio function: multifunction without ACS (both are
#     conventional PCI functions behind an ACS root port)
#       00:0a.0  pcie-root-port rp_j                  group: alone
#       12:00.0  VGA (std VGA, 1234:1111), boot_vga=1 \ one group
#       12:00.1  ich9-intel-hda + hda-duplex codec    /
#     SeaBIOS enables the only VGA device and the VGA routing of its root
#     port, so the kernel's vgaarb makes it the boot VGA.  Drivers:
#     bochs-drm and snd_hda_intel on the stock kernels, none on the debug
#     kernel (no DRM, no sound there).
# (k) a USB controller with a device: qemu-xhci + usb-kbd (0627:0001)
#       00:0b.0  pcie-root-port rp_k                  group: alone
#       13:00.0  qemu-xhci                            group: alone
#     With xhci_hcd bound (module on the stock kernels, built into the
#     debug kernel) the keyboard is USB device 1-1 under 13:00.0.
# (l) SR-IOV PF and its VFs in ONE group: an NVMe controller offering 72
#     VFs behind a root port without ACS (disable-acs=on).  Whatever sits
#     below the port joins the port's group, the VFs too once they exist,
#     so unbinding the PF (which disables SR-IOV) would destroy members of
#     the group being claimed.  Tests create the VFs and remove them again:
#     most create two; sriov_test.py creates all 72 (a group of more than
#     64 functions, issue 15).  QEMU 7.2's nvme needs, for N VFs,
#     sriov_vq_flexible=2N, sriov_vi_flexible=N, max_ioqpairs=2N+2 and
#     msix_qsize=N+2.
#       00:0c.0  pcie-root-port rp_l (disable-acs=on) \ one group
#       14:00.0  nvme PF (serial pcipass-nvme2)       |
#       14:00.1 ... 14:09.0  VFs, while a test has them /
#
# Not part of the test topology: 00:00.0 host bridge, 00:1f.{0,2,3}
# ICH9 LPC/SATA/SMBus (one group), and the two virtio-9p transports that
# run.sh adds at 00:10.0 (host root) and 00:11.0 (output dir), each alone.
#
# ACS: every pcie-root-port has the capability (ACSCap 0x005f: SV TB RR CR
# UF DT) and the kernel sets ACSCtl 0x001d (SV RR CR UF), except 00:02.0
# and 00:0c.0 (disable-acs=on: no capability) and 00:07.0 (0x0011, shape
# (g)).  The
# XIO3130 switch ports and the pcie-pci-bridge have no ACS capability.
# PCIPASS_VM_GROUPS and PCIPASS_VM_ACS below say the same for programs;
# tests/guest/topology.sh checks them in every guest run.
#
# The host NIC: tests/guest/suite.sh's setup (tests/guest/topology.sh)
# gives 0e:00.0 (shape (h), on e1000e) address 192.0.2.10/24, sets it up
# and adds the route 198.51.100.0/24 via 192.0.2.1, so that tests see a
# host NIC with a real address and route.  Its name (ethN) depends on
# probe order: find it in /sys/bus/pci/devices/0000:0e:00.0/net/.

# Used by the callers.
# shellcheck disable=SC2034
{
PCIPASS_VM_HOST_NIC=0000:0e:00.0
PCIPASS_VM_HOST_NIC_ADDR=192.0.2.10/24
PCIPASS_VM_HOST_NIC_ROUTE="198.51.100.0/24 via 192.0.2.1"

# The option ROM file QEMU loads into nic_g's ROM BAR (QEMU's default for
# e1000e; Debian's ipxe-qemu ships it, QEMU finds it through
# /usr/share/qemu/).  The guest reads it over 9p to compare.
PCIPASS_VM_ROM=/usr/lib/ipxe/qemu/efi-e1000e.rom

# The IOMMU groups the kernel forms, one group per element, once the VFs
# of 0a:00.0 exist.  Together they list every PCI function of the guest.
PCIPASS_VM_GROUPS=(
	"00:00.0" "00:10.0" "00:11.0" "00:1f.0 00:1f.2 00:1f.3"
	"00:01.0" "01:00.0"
	"00:02.0 02:00.0 03:00.0 03:01.0 04:00.0 05:00.0"
	"00:03.0" "06:00.0 06:00.1"
	"00:04.0" "07:00.0 08:01.0 08:02.0"
	"00:05.0" "09:00.0"
	"00:06.0" "0a:00.0" "0a:00.1" "0a:00.2"
	"00:07.0 0b:00.0"
	"00:08.0" "0c:00.0" "0d:00.0 0e:00.0" "0d:01.0 0f:00.0"
	"00:09.0" "00:09.1" "10:00.0" "11:00.0"
	"00:0a.0" "12:00.0 12:00.1"
	"00:0b.0" "13:00.0"
	"00:0c.0 14:00.0"
)

# The ACS control word of every bridge ("-": no ACS capability).
PCIPASS_VM_ACS=(
	"00:01.0 001d" "00:02.0 -" "00:03.0 001d" "00:04.0 001d"
	"00:05.0 001d" "00:06.0 001d" "00:07.0 0011" "00:08.0 001d"
	"00:09.0 001d" "00:09.1 001d" "00:0a.0 001d" "00:0b.0 001d"
	"00:0c.0 -"
	"02:00.0 -" "03:00.0 -" "03:01.0 -" "07:00.0 -"
	"0c:00.0 -" "0d:00.0 -" "0d:01.0 -"
)
}

# PCIPASS_VM_TOPOLOGY is used by the caller; commas are QEMU syntax.
# shellcheck disable=SC2034,SC2054
pcipass_vm_topology() {
	local nvme_img=${1:?usage: pcipass_vm_topology NVME_IMAGE}
	local nic=romfile=	# no option ROM, except on nic_g (PCIPASS_VM_ROM)
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
		# (g)
		-device pcie-root-port,id=rp_g,bus=pcie.0,addr=07.0,chassis=9,slot=9
		-device "e1000e,id=nic_g,bus=rp_g,addr=00.0,mac=52:54:00:50:10:01,romfile=$PCIPASS_VM_ROM"
		# (h)
		-device pcie-root-port,id=rp_h,bus=pcie.0,addr=08.0,chassis=10,slot=10
		-device x3130-upstream,id=usp_h,bus=rp_h,addr=00.0
		-device xio3130-downstream,id=dsp_h1,bus=usp_h,addr=00.0,chassis=11,slot=11
		-device xio3130-downstream,id=dsp_h2,bus=usp_h,addr=01.0,chassis=12,slot=12
		-device "e1000e,id=nic_h1,bus=dsp_h1,addr=00.0,mac=52:54:00:50:11:01,$nic"
		-device "e1000e,id=nic_h2,bus=dsp_h2,addr=00.0,mac=52:54:00:50:11:02,$nic"
		# (i)
		-device pcie-root-port,id=rp_i1,bus=pcie.0,addr=09.0,multifunction=on,chassis=13,slot=13
		-device pcie-root-port,id=rp_i2,bus=pcie.0,addr=09.1,chassis=14,slot=14
		-device "e1000e,id=nic_i1,bus=rp_i1,addr=00.0,mac=52:54:00:50:12:01,$nic"
		-device "e1000e,id=nic_i2,bus=rp_i2,addr=00.0,mac=52:54:00:50:12:02,$nic"
		# (j)
		-device pcie-root-port,id=rp_j,bus=pcie.0,addr=0a.0,chassis=15,slot=15
		-device VGA,id=vga_j,bus=rp_j,addr=00.0,multifunction=on
		-device ich9-intel-hda,id=hda_j,bus=rp_j,addr=00.1
		-audiodev none,id=audio_j
		-device hda-duplex,id=codec_j,bus=hda_j.0,audiodev=audio_j
		# (k)
		-device pcie-root-port,id=rp_k,bus=pcie.0,addr=0b.0,chassis=16,slot=16
		-device qemu-xhci,id=xhci_k,bus=rp_k,addr=00.0
		-device usb-kbd,id=kbd_k,bus=xhci_k.0
		# (l)
		-device pcie-root-port,id=rp_l,bus=pcie.0,addr=0c.0,chassis=17,slot=17,disable-acs=on
		-device nvme-subsys,id=nvme_subsys_l,nqn=pcipass-subsys-l
		-device nvme,id=nvme_l,bus=rp_l,addr=00.0,serial=pcipass-nvme2,subsys=nvme_subsys_l,sriov_max_vfs=72,sriov_vq_flexible=144,sriov_vi_flexible=72,max_ioqpairs=146,msix_qsize=74
	)
}

# Scale shape (not part of the default topology; only with --scale, for
# bench/scale.sh): many PCI functions at once, for the benchmark of big
# hosts.  BRIDGES root ports on pcie.0 slot 0d (functions 0-7,
# multifunction like (i); a free slot after the shapes above, so none of
# their addresses moves), each above a pcie-pci-bridge whose conventional
# bus holds up to 31 multifunction endpoints (slots 01-1f) of 8 functions
# of QEMU's intel-hda (8086:2668, ICH6 HD Audio, no codec), like (d):
#       00:0d.0             pcie-root-port sb_0               alone
#       15:00.0             pcie-pci-bridge sbr_0            \
#       16:01.0 .. 16:01.7  intel-hda sd_0_1_0 .. sd_0_1_7    | one group
#       ...                                                    |
#       16:1f.0 .. 16:1f.7  intel-hda sd_0_31_0 ..          /
#       00:0d.1             pcie-root-port sb_1 (buses 17, 18), ...
# (bus 0x15 + 2 x bridge number for the bridge, + 1 for its endpoints).
# Why conventional PCI: QEMU 7.2 gives every requester ID its own VT-d
# address space (hw/i386/intel_iommu.c, vtd_find_add_as, at realize).
# While the guest's DMAR is off they share one FlatView (the "nodmar"
# view), but once intel_iommu_init turns DMAR on, each one switches
# (vtd_switch_address_space, a memory commit each) to its own IOMMU region
# and FlatView, and every commit walks all address spaces: O(N^2) with a
# requester ID per function.  The previous shape (one pcie-root-port per
# 8 functions) made about 970 VT-d address spaces at 1,000 functions:
# 251 functions spent 28 s in intel_iommu_init with soft lockups, and
# 1,003 had QEMU OOM-killed at 23 GB before init.  QEMU's
# pci_device_iommu_address_space() (hw/pci/pci.c) maps a device on a
# conventional bus below a PCIe-to-PCI bridge to the requester ID
# (secondary bus, 00.0), as the PCIe-to-PCI bridge spec says, so all 248
# functions behind one bridge share ONE VT-d address space: 16 in all at
# 1,000 functions (QEMU starts in 0.9 s instead of 7.8 s; 254 functions
# spent 1 s in intel_iommu_init; 1,004 stayed under 1.9 GB resident).
# Linux does the same aliasing (pci_for_each_dma_alias) and puts the
# bridge and everything below it in one IOMMU group, so a 1,000-function
# guest has only about 2 x BRIDGES + 30 groups: fine for the list
# benchmark (it walks functions), not a model of a host with a thousand
# isolated groups.  Still slow: QEMU rebuilds its memory map (a range per
# mapped BAR, in four FlatViews) at every commit; see tests/vm/README.md.
# Why intel-hda: one 16 KiB memory BAR, no I/O BAR, allowed on
# conventional PCI.  pvpanic-pci (one 16-byte BAR) also works, but each
# 16-byte BAR costs QEMU a 4 KiB "subpage" in every FlatView's dispatch
# at every commit: 1,004 functions of pvpanic-pci had not reached init
# after 200 s of QEMU CPU time (20 minutes, machine shared), 1,004 of
# intel-hda did after 255 s (about 9.5 minutes), QEMU under 1 GB.
# pci-testdev has an I/O BAR (SeaBIOS runs out of I/O space); edu has a
# 1 MiB BAR.  snd_hda_intel is a module nothing loads in the test guest
# (no udev there): the functions stay unbound, as on a host whose devices
# wait for a VM.  Slot 00 of each bridge stays free, as in (d) (QEMU's
# SHPC numbers its hotplug slots from 1).  The ports have hotplug=off but
# keep their I/O window: the bridges have SHPC, so SeaBIOS gives each a
# 4 KiB I/O window, which a port with io-reserve=0 does not forward (Linux
# then finds the window unclaimable and redoes the assignment of the
# whole tree: a 254-function boot with io-reserve=0 spent 46 s assigning
# resources; not re-measured without).  At
# most 8 bridges (one pcie.0 slot, 32 KiB of I/O space): 2 + 248
# functions each, at most 2000 on top of the default ones.
# PCIPASS_VM_SCALE_DEVICE=TYPE (default intel-hda) puts another device
# type on the bridges' slots: it must be allowed on conventional PCI and
# have no I/O BAR (pvpanic-pci works; see above).
PCIPASS_VM_SCALE_MAX_BRIDGES=8

# Fill PCIPASS_VM_SCALE_TOPOLOGY with the scale shape's QEMU arguments for
# a guest of at least TOTAL PCI functions at boot: enough bridges (250
# functions each: port, bridge and 31 x 8 endpoint functions; the last
# one filled only as far as needed, 8 functions at a time) on top of the
# default topology's functions (those of PCIPASS_VM_GROUPS but the two VFs
# of 0a:00.0, which exist only once a test creates them).
# shellcheck disable=SC2034,SC2054
pcipass_vm_scale_topology() {
	local total=${1:?usage: pcipass_vm_scale_topology TOTAL} base=0 g d
	local need bridges slots b s f n mf dev=${PCIPASS_VM_SCALE_DEVICE:-intel-hda}
	[[ $total =~ ^[0-9]+$ ]] || {
		printf 'pcipass_vm_scale_topology: not a number: %s\n' "$total" >&2
		return 1
	}
	for g in "${PCIPASS_VM_GROUPS[@]}"; do
		for d in $g; do base=$((base + 1)); done
	done
	base=$((base - 2))
	need=$((total - base))
	((need > 0)) || need=0
	bridges=$(((need + 249) / 250))
	if ((bridges > PCIPASS_VM_SCALE_MAX_BRIDGES)); then
		printf 'pcipass_vm_scale_topology: at most %d functions\n' \
			$((base + 250 * PCIPASS_VM_SCALE_MAX_BRIDGES)) >&2
		return 1
	fi
	# Endpoint slots of 8 functions after the ports and bridges.
	slots=$(((need - 2 * bridges + 7) / 8))
	((slots > 0)) || slots=0
	PCIPASS_VM_SCALE_TOPOLOGY=()
	for ((b = 0; b < bridges; b++)); do
		mf=
		((b || bridges == 1)) || mf=,multifunction=on
		PCIPASS_VM_SCALE_TOPOLOGY+=(
			-device "pcie-root-port,id=sb_$b,bus=pcie.0,addr=0d.$b$mf,chassis=200,slot=$((b + 1)),hotplug=off"
			-device "pcie-pci-bridge,id=sbr_$b,bus=sb_$b,addr=00.0"
		)
		n=$((slots < 31 ? slots : 31))
		slots=$((slots - n))
		for ((s = 1; s <= n; s++)); do
			for ((f = 0; f < 8; f++)); do
				mf=
				((f)) || mf=,multifunction=on
				PCIPASS_VM_SCALE_TOPOLOGY+=(-device "$dev,id=sd_${b}_${s}_$f,bus=sbr_$b,addr=$(printf %02x "$s").$f$mf")
			done
		done
	done
}

# The kernel command line arguments the topology needs, for the guest
# kernel of release RELEASE ("uname -r"), on one line.  Shape (g) relies on
# them: they switch off required ACS bits of root port 00:07.0.  6.11
# added pci=config_acs=; older kernels only have pci=disable_acs_redir=.
# Both leave the port's ACS control at 0x0011 (SV UF on; RR CR off).
pcipass_vm_kernel_args() {
	local rel=${1:?usage: pcipass_vm_kernel_args RELEASE} maj min
	IFS=. read -r maj min _ <<<"$rel"
	if ! [[ $maj =~ ^[0-9]+$ && ${min%%[!0-9]*} =~ ^[0-9]+$ ]]; then
		printf 'pcipass_vm_kernel_args: not a kernel release: %s\n' "$rel" >&2
		return 1
	fi
	min=${min%%[!0-9]*}
	if ((maj > 6 || (maj == 6 && min >= 11))); then
		# Flags, rightmost is bit 0: UF=1 CR=0 RR=0 TB=0 SV=1.  In
		# 6.12 (drivers/pci/pci.c, __pci_config_acs) every bit not
		# given as 0 or 1 gets the FIRMWARE's value, not the kernel's
		# default: SeaBIOS leaves ACSCtl 0, so "xx0xx" would clear SV
		# and UF as well.  Hence all five bits are spelled out.  (6.12's
		# pci=disable_acs_redir= goes through the same code and ends
		# at 0x0000 here; 6.1's keeps the kernel's SV and UF.)
		printf '%s\n' 'pci=config_acs=10001@0000:00:07.0'
	else
		printf '%s\n' 'pci=disable_acs_redir=0000:00:07.0'
	fi
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	if [[ ${1:-} == --scale ]]; then
		pcipass_vm_scale_topology "${2:?usage: $0 --scale TOTAL}"
		printf '%s\n' "${PCIPASS_VM_SCALE_TOPOLOGY[@]}"
		exit
	fi
	if [[ ${1:-} == --kernel-args ]]; then
		pcipass_vm_kernel_args "${2:?usage: $0 --kernel-args RELEASE}"
		exit
	fi
	pcipass_vm_topology "${1:-NVME_IMAGE}"
	printf '%s\n' "${PCIPASS_VM_TOPOLOGY[@]}"
fi
