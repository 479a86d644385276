#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a real Debian 12 guest disk (tests/image/stage.sh) under QEMU (TCG,
# q35 + intel-iommu, the PCI topology of tests/vm/topology.sh) with its own
# kernel and its own current initramfs, let systemd run one job script
# (pcipass-test.service) and collect the results.
#
# usage: tests/image/boot.sh [options] DISK REL OUTDIR JOB
#   --append ARGS    extra kernel command line arguments (repeatable)
#   --swap-macs MAC1,MAC2  the topology's NICs with these MACs trade them,
#                    and with them the serial numbers QEMU derives: each
#                    card is now in the other's slot (a card moved)
#   --swap-slots ID1,ID2  the topology's devices with QEMU ids ID1 and ID2
#                    trade their parent buses (root ports): each card in
#                    the other's slot, bus numbers unchanged (two cards of
#                    different IDs moved, as pcipass drift can see)
#   --replace-device ID=MODEL  the topology's device with QEMU id ID is a
#                    MODEL now (same id, bus, address and options): another
#                    card in its slot, its own gone (a card swapped for
#                    another, as pcipass drift can see)
#   --timeout SECS   wall-clock limit of the QEMU run (default 300); on
#                    expiry QEMU is killed and boot.sh exits 124
#   -h, --help
#
#   DISK    raw ext4 root image (label pcipass-root); QEMU writes to it
#   REL     kernel release: boots /boot/vmlinuz-REL and /boot/initrd.img-REL
#           read from DISK with debugfs (whatever update-initramfs left there)
#   OUTDIR  results directory (created), the guest's /out over virtio-9p
#   JOB     host bash script, copied to OUTDIR/job.sh; the guest runs it as
#           root after multi-user.target and "udevadm settle", in /out, with
#           PCIPASS_OUT=/out PCIPASS_IMAGE=1
#
# OUTDIR receives job.sh, job.log (the job's stdout+stderr), rc (its exit
# code), journal.txt (journalctl -b), dmesg.txt, console.log (serial
# console), nvme.img (the topology's NVMe disk) and qemu-cmdline.
# Exit status: the job's exit code; 124 on timeout; 125 when the guest did
# not report one (boot failure, no 9p, panic) or on a setup error.

# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=../vm/lib.sh
. "$here/../vm/lib.sh"
# shellcheck source=../vm/topology.sh
. "$here/../vm/topology.sh"

log() { printf 'image/boot.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 125; }
usage() { sed -n '4,/^$/{s/^# \{0,1\}//;p}' "$0"; }

append=
swap=
swap_slots=
replace=
timeout=300
while (($#)); do
	case $1 in
	--append) append="$append ${2:?--append needs an argument}"; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs an argument}; shift 2 ;;
	--swap-macs) swap=${2:?--swap-macs needs MAC1,MAC2}; shift 2 ;;
	--swap-slots) swap_slots=${2:?--swap-slots needs ID1,ID2}; shift 2 ;;
	--replace-device) replace=${2:?--replace-device needs ID=MODEL}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) log "unknown option: $1"; usage >&2; exit 125 ;;
	*) break ;;
	esac
done
(($# == 4)) || { usage >&2; exit 125; }
disk=$1 rel=$2 out=$3 job=$4
if ! [[ $timeout =~ ^[0-9]+$ ]] || ((timeout == 0)); then
	die "--timeout must be a positive integer"
fi

qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || die "$qemu not found (apt-get install qemu-system-x86)"
command -v timeout >/dev/null || die "timeout(1) not found (coreutils)"
[[ -f $disk ]] || die "no disk image $disk"
[[ -f $job ]] || die "no job script $job"
disk=$(realpath -e -- "$disk")
mkdir -p -- "$out"
out=$(realpath -e -- "$out")
[[ $out != / ]] || die "OUTDIR must not be /"
for p in "$disk" "$out"; do
	[[ $p != *$'\n'* ]] || die "paths with newlines are not supported: $p"
done

# Fresh per-run state in OUTDIR.
rm -f -- "$out"/{rc,rc.tmp,job.log,journal.txt,dmesg.txt,console.log,nvme.img,qemu-cmdline}
cp -- "$job" "$out/job.sh"
truncate -s 16M -- "$out/nvme.img"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcipass-image-boot.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
"$here/disk.sh" get "$disk" "/boot/vmlinuz-$rel" "$tmp/vmlinuz" ||
	die "cannot read /boot/vmlinuz-$rel from $disk"
"$here/disk.sh" get "$disk" "/boot/initrd.img-$rel" "$tmp/initrd" ||
	die "cannot read /boot/initrd.img-$rel from $disk"

topo_args=$(pcipass_vm_kernel_args "$rel") || die "cannot get the topology's kernel arguments for $rel"
# intel_iommu=on: Debian's kernels do not enable it by default.
# no_timer_check: see tests/vm/run.sh (TCG under load).
cmdline="console=ttyS0 root=LABEL=pcipass-root rw panic=5 intel_iommu=on no_timer_check"
cmdline+=" systemd.wants=pcipass-test.service systemd.show_status=false $topo_args$append"

esc() { printf '%s' "${1//,/,,}"; } # QEMU option value escaping

pcipass_vm_topology "$out/nvme.img"
if [[ -n $swap ]]; then
	mac1=${swap%,*} mac2=${swap#*,}
	n=0
	for i in "${!PCIPASS_VM_TOPOLOGY[@]}"; do
		a=${PCIPASS_VM_TOPOLOGY[i]}
		case $a in
		*"mac=$mac1"*) PCIPASS_VM_TOPOLOGY[i]=${a/mac=$mac1/mac=$mac2}; n=$((n + 1)) ;;
		*"mac=$mac2"*) PCIPASS_VM_TOPOLOGY[i]=${a/mac=$mac2/mac=$mac1}; n=$((n + 1)) ;;
		esac
	done
	((n == 2)) || die "--swap-macs $swap: want two NICs with these MACs, found $n"
	log "NICs $mac1 and $mac2 trade slots"
fi
if [[ -n $swap_slots ]]; then
	id1=${swap_slots%,*} id2=${swap_slots#*,} i1='' i2=''
	for i in "${!PCIPASS_VM_TOPOLOGY[@]}"; do
		case ${PCIPASS_VM_TOPOLOGY[i]} in
		*",id=$id1,"*) i1=$i ;;
		*",id=$id2,"*) i2=$i ;;
		esac
	done
	[[ -n $i1 && -n $i2 && $id1 != "$id2" ]] ||
		die "--swap-slots $swap_slots: want two devices with these ids"
	a1=${PCIPASS_VM_TOPOLOGY[i1]} a2=${PCIPASS_VM_TOPOLOGY[i2]}
	[[ $a1 =~ ,(bus=[^,]*), ]] || die "$id1 has no bus="
	b1=${BASH_REMATCH[1]}
	[[ $a2 =~ ,(bus=[^,]*), ]] || die "$id2 has no bus="
	b2=${BASH_REMATCH[1]}
	PCIPASS_VM_TOPOLOGY[i1]=${a1/,$b1,/,$b2,} PCIPASS_VM_TOPOLOGY[i2]=${a2/,$b2,/,$b1,}
	# QEMU makes devices in order: the first of the two, now on a port
	# made after it, goes last, with what plugs into it (bus=ID.N).
	lo=$((i1 < i2 ? i1 : i2))
	[[ ${PCIPASS_VM_TOPOLOGY[lo]} =~ ,id=([^,]*), ]] && id_lo=${BASH_REMATCH[1]}
	rest=() last=()
	for i in "${!PCIPASS_VM_TOPOLOGY[@]}"; do
		a=${PCIPASS_VM_TOPOLOGY[i]}
		if ((i == lo)) || [[ $a == *",bus=$id_lo."* ]]; then
			[[ ${rest[-1]} == -device ]] || die "--swap-slots: $a is not a -device"
			unset 'rest[-1]'
			last+=(-device "$a")
		else
			rest+=("$a")
		fi
	done
	PCIPASS_VM_TOPOLOGY=("${rest[@]}" "${last[@]}")
	log "devices $id1 ($b1) and $id2 ($b2) trade slots"
fi

if [[ -n $replace ]]; then
	rid=${replace%%=*} model=${replace#*=} n=0
	[[ $rid != "$replace" && -n $rid && -n $model ]] ||
		die "--replace-device $replace: want ID=MODEL"
	for i in "${!PCIPASS_VM_TOPOLOGY[@]}"; do
		a=${PCIPASS_VM_TOPOLOGY[i]}
		[[ $a == *",id=$rid,"* ]] || continue
		PCIPASS_VM_TOPOLOGY[i]=$model,id=$rid,${a#*,id="$rid",}
		n=$((n + 1))
	done
	((n == 1)) || die "--replace-device $replace: want one device with id $rid, found $n"
	log "device $rid is a $model now"
fi

# Machine, accelerator, IOMMU, CPUs and memory as tests/vm/run.sh.
# The root disk is virtio-blk at 00:12.0, a function of its own on the
# root bus (no bus numbers move).  Not q35's AHCI: with the IOMMU on, QEMU
# 7.2's IDE DMA aborted (ide_dma_cb: Assertion `prep_size >= 0 && ...')
# in 3 of the first 3 boots of the persist tests.
# shellcheck disable=SC2054  # commas are QEMU option syntax
qemu_args=(
	-nodefaults -no-user-config
	-machine q35,kernel-irqchip=split
	-accel tcg,thread=multi
	-cpu max -smp 2 -m 2048
	-device intel-iommu,intremap=on,caching-mode=on
	-display none -vga none -nic none
	-no-reboot
	-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
	-chardev "file,id=ser0,path=$(esc "$out/console.log")" -serial chardev:ser0
	-kernel "$tmp/vmlinuz" -initrd "$tmp/initrd" -append "$cmdline"
	-drive "file=$(esc "$disk"),if=none,id=root,format=raw,cache=unsafe"
	-device virtio-blk-pci,drive=root,bus=pcie.0,addr=12.0
	-fsdev "local,id=fs_out,path=$(esc "$out"),security_model=none,multidevs=remap"
	-device virtio-9p-pci,id=p9_out,fsdev=fs_out,mount_tag=pcipassout,bus=pcie.0,addr=11.0
	"${PCIPASS_VM_TOPOLOGY[@]}"
)
printf '%q ' "$qemu" "${qemu_args[@]}" >"$out/qemu-cmdline"
echo >>"$out/qemu-cmdline"

log "kernel $rel, disk $disk, out dir $out, timeout ${timeout}s"
start=$SECONDS
interrupted=0
trap 'interrupted=1' INT TERM
set +e
# NICs without a netdev are intended: drop QEMU's "has no peer" warnings.
exec {errfd}> >(
	trap '' INT TERM
	exec grep -v -E '^[^ ]+: warning: nic [^ ]+ has no peer$' >&2
)
filter_pid=$!
timeout --foreground -k 10 "$timeout" "$qemu" "${qemu_args[@]}" </dev/null 2>&"$errfd"
qrc=$?
exec {errfd}>&-
wait "$filter_pid" 2>/dev/null
set -e
elapsed=$((SECONDS - start))
trap - INT TERM

# Guest uptimes printed by the runner (pcipass-test-run).
t_job=$(sed -n 's/.*pcipass-test: running job at \([0-9.]*\)s.*/\1/p' "$out/console.log" 2>/dev/null | head -n 1)
t_end=$(sed -n 's/.*pcipass-test: job finished at \([0-9.]*\)s.*/\1/p' "$out/console.log" 2>/dev/null | head -n 1)

rc=$(vm_outcome "$out" "$qrc" "$elapsed" "$timeout" "$interrupted" pcipass-test) || exit
log "job exit code $rc; job ran from ${t_job:-?}s to ${t_end:-?}s guest uptime; boot wall time ${elapsed}s; out dir $out"
exit "$rc"
