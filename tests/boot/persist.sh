#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Persisted claims across real boots: the Debian 12 image (tests/image/)
# staged for one kernel with pcipass's own make install, then booted four
# times on the same disk, each boot running one phase of
# tests/boot/persist_boot_test.py inside the guest:
#   1. write   claim --persist, refusals; then update-initramfs with our
#              hook in the image's root
#   2. boot    from that initramfs: claimed before any host driver bound
#   3. moved   two NICs trade slots: the persisted one is followed; the
#              USB controller and an NVMe trade slots, the GPU is swapped
#              for a virtio GPU: drift sees all three
#   4. escape  with pcipass.persist=0 on the kernel command line
#   5. vmhooks with pcipass.persist=0 again: libvirt's hook with Debian's
#              libvirt (tests/e2e/hook_libvirt_test.py)
# Each boot reads the guest's own /boot/initrd.img (what update-initramfs
# in the guest left there).
#
# usage: tests/boot/persist.sh BASEDIR RELEASE OUTDIR
#   BASEDIR  tests/image/build.sh's cache directory
# Needs tests/lib/tap.sh's TAP_FILE and TAP_LOGDIR (tests/check.sh sets
# them): one TAP line per step here; each phase's own TAP goes to
# OUTDIR/persistboot-PHASE.tap.  Exit status 0 when every step passed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
base=$1 rel=$2 out=$3
# shellcheck source=../lib/tap.sh
. "$top/tests/lib/tap.sh"
# numbered on from the caller's lines in the same file
tap_n=$(grep -cE '^(not )?ok ' "$TAP_FILE" 2>/dev/null)

rm -rf "$out" && mkdir -p "$out"
work=$out/work

tap_run "image $rel: staged (make install, depmod, update-initramfs), packed" \
	"$top/tests/image/stage.sh" "$base" "$rel" "$work" || exit 1

# boot_phase PHASE [boot.sh options]: one boot running one phase.
boot_phase() {
	local phase=$1 dir=$out/$1 rc t0 tap=persistboot-$1
	local run="persist_boot_test.py --phase $1"
	shift
	if [ "$phase" = vmhooks ]; then tap=hooklibvirt run=hook_libvirt_test.py; fi
	mkdir -p "$dir/e2e"
	cp "$top"/tests/e2e/*.py "$top"/tests/boot/*.py "$dir/e2e/"
	cat >"$dir/job" <<-EOF
		#!/bin/bash
		cd /out/e2e &&
		python3 $run --cli /usr/local/bin/pcipass >/out/$tap.tap
	EOF
	t0=$(date +%s)
	"$top/tests/image/boot.sh" "$@" "$work/disk.img" "$rel" "$dir" "$dir/job" \
		>"$dir/boot.out" 2>&1
	rc=$?
	echo "# boot $phase on $rel: exit $rc after $(( $(date +%s) - t0 )) s"
	# one copy of each phase's TAP in the tier (verify_tier counts files)
	mv "$dir/$tap.tap" "$out/" 2>/dev/null
	sed 's/^/# /' "$out/$tap.tap" 2>/dev/null | head -80
	tap_result "$([ "$rc" = 0 ] && echo 0 || echo 1)" \
		"image $rel, boot '$phase': booted, ran its phase, exited 0 (rc=$rc)" \
		"$dir/console.log"
	return "$rc"
}

# The claims boot 1 wrote, out of the disk into the staged root; Debian's
# update-initramfs with pcipass's hook there (in a chroot: under TCG the
# guest took over 10 minutes for it); the new initrd back into the disk's
# /boot, which the next boot reads.  Then what the initramfs holds.
update_initramfs() {
	local f root=$work/root img
	for f in /etc/pcipass/claims.conf /etc/modprobe.d/pcipass.conf; do
		mkdir -p "$(dirname "$root$f")" || return 1
		"$top/tests/image/disk.sh" get "$work/disk.img" "$f" "$root$f" || return 1
	done
	chroot "$root" update-initramfs -u -k "$rel" || return 1
	img=/boot/initrd.img-$rel
	"$top/tests/image/disk.sh" put "$work/disk.img" "$root$img" "$img" || return 1
	initramfs_holds "$root" "$img"
}

# initramfs_holds ROOT IMG: pcipass.ko, vfio-pci, the init-top script
# ordered before udev, and every persisted path but the root disk's.
initramfs_holds() {
	local root=$1 img=$2 d files opt order p
	files=$(chroot "$root" lsinitramfs "$img") || return 1
	for p in '/pcipass\.ko' '/vfio-pci\.ko' '^scripts/init-top/pcipass$' \
		'^etc/pcipass/initramfs-drivers$'; do
		grep -qE "$p" <<<"$files" || { echo "initramfs lacks $p"; return 1; }
	done
	d=$(mktemp -d "$root/tmp/unmk.XXXXXX") || return 1
	chroot "$root" unmkinitramfs "$img" "${d#"$root"}" || return 1
	[ -d "$d/main" ] && d=$d/main
	opt=$(cat "$d/etc/modprobe.d/pcipass.conf") order=$(cat "$d/scripts/init-top/ORDER")
	rm -rf "${d%/main}"
	echo "initramfs option: $opt"
	echo "init-top ORDER: $order"
	grep -n . <<<"$order" | grep -q pcipass || return 1
	[ "$(grep -n pcipass <<<"$order" | cut -d: -f1)" -lt \
	  "$(grep -n '/udev ' <<<"$order" | cut -d: -f1)" ] ||
		{ echo "pcipass does not run before udev"; return 1; }
	for p in $(grep -vE '^\s*(#|$)' "$root/etc/pcipass/claims.conf" | awk '{print $1}'); do
		case $p in
		"$root_path") ! grep -q "$p," <<<"$opt" ||
			{ echo "the root disk's $p is in the initramfs"; return 1; } ;;
		*) grep -q "$p," <<<"$opt" || { echo "$p is not in the initramfs"; return 1; } ;;
		esac
	done
}
root_path=0000:00:12.0	# the root disk (tests/image/boot.sh)

# The initramfs ran pcipass before udev: init-top's own line in the kernel
# log, and not its warning.
init_top_in_time() {
	grep -F "pcipass: init-top: loaded before udev's coldplug" "$out/boot/dmesg.txt" &&
		! grep -F "pcipass: init-top ran after udev started" "$out/boot/dmesg.txt"
}

boot_phase write --timeout 400 &&
	tap_run "image $rel: update-initramfs with pcipass's hook carries pcipass, vfio-pci, init-top before udev, the claims but the root disk's" \
		update_initramfs &&
	boot_phase boot --timeout 400 &&
	tap_run "image $rel, boot 'boot': the initramfs loaded pcipass before udev" \
		init_top_in_time &&
	boot_phase moved --timeout 400 \
		--swap-macs 52:54:00:50:0a:01,52:54:00:50:12:01 --swap-slots xhci_k,nvme_l \
		--replace-device vga_j=virtio-gpu-pci &&
	boot_phase escape --timeout 400 --append pcipass.persist=0 &&
	boot_phase vmhooks --timeout 500 --append pcipass.persist=0
rc=$?
# The disk is 1 GB allocated per kernel: keep the logs, not the image.
rm -rf "$work/root" "$work/src" "$work/disk.img" "$out"/*/nvme.img
exit "$rc"
