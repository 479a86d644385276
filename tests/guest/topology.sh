# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of tests/vm/topology.sh, sourced by tests/guest/suite.sh
# (and usable by any guest script, after "modprobe e1000e"):
#
#   topo_drivers    host drivers for shapes (j) and (k): bochs-drm on the
#                   boot VGA, snd_hda_intel on its audio function, xhci_hcd
#                   on the USB controller.  Every test kernel has them
#                   (the debug kernel built in): one missing is a failure.
#   topo_host_nic   the host NIC: PCIPASS_VM_HOST_NIC (0e:00.0, shape (h))
#                   gets PCIPASS_VM_HOST_NIC_ADDR, is set up, and gets the
#                   route PCIPASS_VM_HOST_NIC_ROUTE.  Prints its name.
#   topo_check      the guest has exactly the PCI functions, IOMMU groups
#                   and ACS controls of PCIPASS_VM_GROUPS/PCIPASS_VM_ACS,
#                   12:00.0 is the only boot VGA, the USB keyboard is under
#                   the xHCI controller and the sound card on the audio
#                   function.
#
# Each prints what it found and returns non-zero on a problem.

# shellcheck source=tests/vm/topology.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/../vm/topology.sh"

topo_sysdev() {	# topo_sysdev BB:DD.F: its sysfs directory
	printf '/sys/bus/pci/devices/0000:%s\n' "$1"
}

topo_driver() {	# topo_driver BB:DD.F: the bound driver's name, or nothing
	local d
	d=$(readlink "$(topo_sysdev "$1")/driver") && basename "$d"
}

topo_drivers() {
	local m a drv bad=0
	modprobe -a bochs snd_hda_intel xhci_pci || return 1
	for m in 12:00.0=bochs-drm 12:00.1=snd_hda_intel 13:00.0=xhci_hcd; do
		a=${m%=*} drv=$(topo_driver "$a")
		echo "$a: driver ${drv:-none}, want ${m#*=}"
		[ "$drv" = "${m#*=}" ] || bad=1
	done
	return "$bad"
}

topo_host_nic() {
	local dir=/sys/bus/pci/devices/$PCIPASS_VM_HOST_NIC/net names dev
	names=("$dir"/*)
	if [ "${#names[@]}" != 1 ] || [ ! -e "${names[0]}" ]; then
		echo "$PCIPASS_VM_HOST_NIC: expected one netdev in $dir (is e1000e bound?)"
		return 1
	fi
	dev=${names[0]##*/}
	# shellcheck disable=SC2086 # the route is words for ip(8)
	ip addr add "$PCIPASS_VM_HOST_NIC_ADDR" dev "$dev" &&
		ip link set "$dev" up &&
		ip route add $PCIPASS_VM_HOST_NIC_ROUTE dev "$dev" || return 1
	ip -4 addr show dev "$dev" && ip -4 route show dev "$dev" || return 1
	ip -4 -o addr show dev "$dev" | grep -qF " $PCIPASS_VM_HOST_NIC_ADDR " &&
		ip -4 route show dev "$dev" | grep -q "^${PCIPASS_VM_HOST_NIC_ROUTE} " &&
		echo "host NIC: $PCIPASS_VM_HOST_NIC is $dev"
}

# Few processes on purpose: under TCG each one costs tens of milliseconds.
topo_check() {
	local bad=0 p a id g m n line want ctl have
	local -A group_of=() size=() acs=() documented=()
	for p in /sys/kernel/iommu_groups/*/devices/*; do
		id=${p#/sys/kernel/iommu_groups/} id=${id%%/*} a=${p##*/0000:}
		group_of[$a]=$id
		size[$id]=$((${size[$id]:-0} + 1))
	done
	# Exactly the documented functions, each in a group.
	for g in "${PCIPASS_VM_GROUPS[@]}"; do
		for a in $g; do documented[$a]=1; done
	done
	for p in /sys/bus/pci/devices/*; do
		a=${p##*/0000:}
		[ -n "${documented[$a]:-}" ] || { echo "$a: not in PCIPASS_VM_GROUPS"; bad=1; }
		[ -n "${group_of[$a]:-}" ] || { echo "$a: no IOMMU group"; bad=1; }
	done
	for a in "${!documented[@]}"; do
		[ -e "$(topo_sysdev "$a")" ] || { echo "$a: documented, not found"; bad=1; }
	done
	# Each documented group is exactly one IOMMU group.
	for g in "${PCIPASS_VM_GROUPS[@]}"; do
		id=${group_of[${g%% *}]:-} n=0
		for a in $g; do
			n=$((n + 1))
			[ "${group_of[$a]:-}" = "$id" ] || { echo "$a: group ${group_of[$a]:-none}, documented with ${g%% *} (group $id)"; bad=1; }
		done
		[ -z "$id" ] || [ "${size[$id]}" = "$n" ] ||
			{ echo "group $id: ${size[$id]} functions, documented: $g"; bad=1; }
	done
	# ACS control words, decoded from one lspci -vvv (no process
	# substitution: the guest has no /dev/fd).
	have=$(lspci -vvv) || bad=1
	while IFS= read -r line; do
		case $line in
		[0-9a-f][0-9a-f]:*) a=${line%% *} ;;
		*ACSCtl:*)
			ctl=0 n=0
			for m in SrcValid TransBlk ReqRedir CmpltRedir UpstreamFwd EgressCtrl DirectTrans; do
				[[ $line != *[[:space:]]"$m+"* ]] || ctl=$((ctl | 1 << n))
				n=$((n + 1))
			done
			printf -v "acs[$a]" '%04x' "$ctl"
			;;
		esac
	done <<<"$have"
	for line in "${PCIPASS_VM_ACS[@]}"; do
		a=${line% *} want=${line#* }
		ctl=${acs[$a]:--}
		if [ "$ctl" != "$want" ]; then
			echo "$a: ACS control $ctl, documented $want"; bad=1
			if [ "$a" = 00:07.0 ]; then
				echo "  (shape (g) needs the kernel arguments: $(pcipass_vm_kernel_args "$(uname -r)"))"
			fi
		fi
	done
	# The boot VGA.
	have=
	for p in /sys/bus/pci/devices/*/boot_vga; do
		read -r m <"$p" && [ "$m" = 1 ] && a=${p%/boot_vga} && have+="${a##*/0000:} "
	done
	[ "$have" = "12:00.0 " ] || { echo "boot VGA: '${have% }', documented 12:00.0"; bad=1; }
	# The USB keyboard under the xHCI controller (topo_drivers bound it).
	have=
	for p in "$(topo_sysdev 13:00.0)"/usb*/*-*/idVendor; do
		[ -e "$p" ] && read -r m <"$p" && [ "$m" = 0627 ] && read -r have <"${p%/*}/product"
	done
	if [ -n "$have" ]; then
		echo "USB: $have under 13:00.0"
	else
		echo "USB: no keyboard (0627:0001) under 13:00.0 (driver: $(topo_driver 13:00.0 || echo none))"
		bad=1
	fi
	# The sound card of the GPU's audio function.
	p=$(topo_sysdev 12:00.1)/sound
	if compgen -G "$p/card*" >/dev/null; then
		echo "sound: $(cd "$p" && echo card*) on 12:00.1"
	else
		echo "sound: no card on 12:00.1 (driver: $(topo_driver 12:00.1 || echo none))"
		bad=1
	fi
	[ "$bad" = 0 ] && echo "topology as documented: ${#PCIPASS_VM_GROUPS[@]} groups"
	return "$bad"
}
