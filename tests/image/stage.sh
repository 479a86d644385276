#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make a bootable disk of the real Debian 12 test guest for one kernel:
# copy the cached base root (tests/image/build.sh), install pcipass into
# the copy with the project's own "make install" (from a separate copy of
# the work tree's sources: tracked and new non-ignored files, built against the
# host's /lib/modules/REL/build), run depmod and update-initramfs in it,
# and pack it into an ext4 image.
#
# usage: tests/image/stage.sh BASEDIR REL WORKDIR
#   BASEDIR   tests/image/build.sh's cache directory (its last stdout line)
#   REL       kernel release, one of BASEDIR/releases
#   WORKDIR   scratch directory (created); its root/, src/, disk.img and
#             stage.log are replaced
#
# Leaves in WORKDIR:
#   root/      the staged root filesystem (kept: later steps may change it,
#              chroot root update-initramfs -u -k REL, and rewrite files of
#              disk.img with tests/image/disk.sh put)
#   src/       the copy of the sources the module and CLI were built in
#   disk.img   raw ext4 (label pcipass-root, 3 GiB sparse): boot it with
#              tests/image/boot.sh WORKDIR/disk.img REL ...
#   stage.log  output of make install, depmod, update-initramfs
# The last line on stdout is the path of disk.img.  Needs root (chroot,
# file ownership).

set -euo pipefail
export LC_ALL=C

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd -- "$here/../.." && pwd -P)

log() { printf 'image/stage.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case ${1:-} in
-h | --help) sed -n '4,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
esac
(($# == 3)) || { sed -n '4,/^$/{s/^# \{0,1\}//;p}' "$0" >&2; exit 1; }
base=$1 rel=$2 work=$3

((EUID == 0)) || die "needs root (chroot, file ownership)"
for tool in git make mke2fs chroot; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -f $base/.complete && -d $base/root ]] || die "$base is not a complete tests/image/build.sh cache dir"
[[ -f $base/root/boot/vmlinuz-$rel ]] || die "the image has no kernel $rel (it has: $(tr '\n' ' ' <"$base/releases"))"
[[ -f /lib/modules/$rel/build/Makefile ]] || die "no /lib/modules/$rel/build (apt-get install linux-headers-$rel)"

mkdir -p -- "$work"
work=$(realpath -e -- "$work")
[[ $work != / ]] || die "WORKDIR must not be /"
root=$work/root
src=$work/src
disk=$work/disk.img
slog=$work/stage.log
rm -rf -- "$root" "$src"
rm -f -- "$disk"
: >"$slog"

step() { # step DESCRIPTION CMD...: run CMD with its output in stage.log
	local what=$1 t=$SECONDS
	shift
	printf '+ %s\n' "$*" >>"$slog"
	if ! "$@" >>"$slog" 2>&1; then
		tail -n 30 -- "$slog" >&2
		die "$what failed (full log: $slog)"
	fi
	log "$what: $((SECONDS - t))s"
}

copy_sources() {
	mkdir -p -- "$src"
	# The work tree's sources: tracked files as they are now (deleted
	# ones skipped) and new files not yet added (unless git-ignored), so
	# that a work tree in the middle of a change builds as it is.
	git -C "$top" ls-files -z --cached --others --exclude-standard | (
		cd -- "$top"
		while IFS= read -r -d '' f; do
			if [[ -e $f || -L $f ]]; then printf '%s\0' "$f"; fi
		done | xargs -0 -r cp -P --parents -t "$src"
	)
}

start=$SECONDS
step "copy $base/root" cp -a -- "$base/root" "$root"
step "copy the sources" copy_sources
step "make install (KVER=$rel)" make -C "$src" -j"$(nproc)" KVER="$rel" KDIR="/lib/modules/$rel/build" \
	DESTDIR="$root" PREFIX=/usr/local install
ko=$(find "$root/lib/modules/$rel/updates" -name 'pcipass.ko*' -print -quit 2>/dev/null || true)
[[ -n $ko ]] || die "make install put no pcipass.ko* under $root/lib/modules/$rel/updates"
[[ -x $root/usr/local/bin/pcipass ]] || die "make install put no /usr/local/bin/pcipass into $root"
step "depmod" chroot "$root" depmod -a "$rel"
step "update-initramfs" chroot "$root" update-initramfs -u -k "$rel"
step "mke2fs" mke2fs -q -t ext4 -L pcipass-root -d "$root" -F "$disk" 3G
log "staged $rel in $((SECONDS - start))s: $disk ($(du -h -- "$disk" | cut -f 1) allocated)"
printf '%s\n' "$disk"
