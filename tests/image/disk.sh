#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Copy files into and out of a tests/image disk (a raw ext4 image made by
# tests/image/stage.sh) with debugfs: no mount, loop device or root needed.
#
# usage: tests/image/disk.sh get DISK GUESTPATH HOSTPATH
#        tests/image/disk.sh put DISK HOSTPATH GUESTPATH [MODE]
#
#   get   copy the regular file GUESTPATH (absolute, in the image) to
#         HOSTPATH (overwritten)
#   put   write HOSTPATH into the image as GUESTPATH, replacing an existing
#         file; owner root:root, MODE in octal (default 0644).  The parent
#         directory must exist in the image.
#
# Never use them on a disk a running QEMU has open.  Paths with
# whitespace or quotes are refused (debugfs's command syntax).  Exit
# status 0 on success, 1 on error.

set -euo pipefail
export LC_ALL=C

log() { printf 'image/disk.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '4,/^$/{s/^# \{0,1\}//;p}' "$0"; }

command -v debugfs >/dev/null || die "debugfs not found (apt-get install e2fsprogs)"

check_guest_path() {
	[[ $1 == /* ]] || die "guest path must be absolute: $1"
	[[ $1 != */ ]] || die "guest path must name a file: $1"
}
check_chars() {
	[[ $1 != *[[:space:]\"\'\\]* ]] || die "whitespace, quotes and backslashes are not supported: $1"
}

# dbg DISK ARGS...: run debugfs; fail when it printed anything on stderr
# besides its banner (debugfs exits 0 even when a request fails).
dbg() {
	local disk=$1 err
	shift
	err=$(debugfs "$@" "$disk" 2>&1 >/dev/null) || { printf '%s\n' "$err" >&2; return 1; }
	err=$(printf '%s\n' "$err" | grep -v -E '^debugfs [0-9.]+ \(' || true)
	if [[ -n $err ]]; then
		printf '%s\n' "$err" >&2
		return 1
	fi
}

# guest_type DISK PATH: "regular", "directory", ... or "" when absent
guest_type() {
	debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/^Inode: [0-9]*[[:space:]]*Type: \([a-z]*\).*/\1/p' | head -n 1
}

cmd=${1:-}
case $cmd in
get)
	(($# == 4)) || { usage >&2; exit 1; }
	disk=$2 gpath=$3 hpath=$4
	[[ -f $disk ]] || die "no disk image $disk"
	check_guest_path "$gpath"
	check_chars "$gpath"
	check_chars "$hpath"
	if dumpe2fs -h "$disk" 2>/dev/null | grep -q '^Filesystem features:.*needs_recovery'; then
		log "warning: $disk has an unreplayed journal (QEMU killed?); what is read may be stale"
	fi
	type=$(guest_type "$disk" "$gpath")
	[[ -n $type ]] || die "$gpath not found in $disk"
	[[ $type == regular ]] || die "$gpath is a $type in $disk, not a regular file"
	rm -f -- "$hpath"
	dbg "$disk" -R "dump $gpath $hpath" || die "debugfs dump $gpath failed"
	[[ -f $hpath ]] || die "debugfs wrote no $hpath"
	;;
put)
	(($# == 4 || $# == 5)) || { usage >&2; exit 1; }
	disk=$2 hpath=$3 gpath=$4 mode=${5:-0644}
	[[ -f $disk ]] || die "no disk image $disk"
	[[ -f $hpath ]] || die "not a file: $hpath"
	[[ $mode =~ ^0?[0-7]{3,4}$ ]] || die "MODE must be octal like 0644: $mode"
	check_guest_path "$gpath"
	check_chars "$gpath"
	check_chars "$hpath"
	hpath=$(realpath -e -- "$hpath")
	check_chars "$hpath"
	if dumpe2fs -h "$disk" 2>/dev/null | grep -q '^Filesystem features:.*needs_recovery'; then
		log "$disk has an unreplayed journal; replaying it (e2fsck -p)"
		e2fsck -p "$disk" >&2 || (($? < 4)) || die "e2fsck -p $disk failed"
	fi
	dir=${gpath%/*}
	dir=${dir:-/}
	name=${gpath##*/}
	[[ $(guest_type "$disk" "$dir") == directory ]] || die "no directory $dir in $disk"
	case $(guest_type "$disk" "$gpath") in
	"") ;;
	regular | symlink) dbg "$disk" -w -R "rm $gpath" || die "cannot remove the old $gpath" ;;
	*) die "$gpath exists in $disk and is not a regular file" ;;
	esac
	# "write" links its second argument into the current directory as a
	# single name, so cd there first.
	printf -v imode '0%o' $((8#100000 | 8#$mode))
	cmds=$(mktemp)
	trap 'rm -f -- "$cmds"' EXIT
	printf '%s\n' "cd $dir" "write $hpath $name" \
		"sif $gpath mode $imode" \
		"sif $gpath uid 0" "sif $gpath gid 0" >"$cmds"
	# debugfs -f prints "debugfs: <command>" for each line on stdout; the
	# errors go to stderr.
	dbg "$disk" -w -f "$cmds" || die "debugfs could not write $gpath"
	[[ $(guest_type "$disk" "$gpath") == regular ]] || die "$gpath is missing after the write"
	;;
-h | --help) usage ;;
*) usage >&2; exit 1 ;;
esac
