# shellcheck shell=bash
# Helpers shared by tests/vm/run.sh, tests/vm/mkinitramfs.sh and
# tests/image/boot.sh.
# Source this file; it only defines functions.

vm_log() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

vm_die() {
	vm_log "error: $*"
	exit 125
}

# Default cache directory for the initramfs.
vm_default_cache_dir() {
	printf '%s\n' "${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pcipass/vm"
}

# Newest /boot/vmlinuz-6.12* (by version sort).
vm_default_kernel() {
	local k
	k=$(find /boot -maxdepth 1 -name 'vmlinuz-6.12*' -print 2>/dev/null | sort -V | tail -n 1)
	[[ -n $k ]] || return 1
	printf '%s\n' "$k"
}

# Print the release string ("uname -r") of an x86 bzImage.  The boot
# protocol header stores a pointer to the version string at offset 0x20e,
# relative to 0x200.  Falls back to the file name (vmlinuz-<release>).
# MODROOT (default /) is where lib/modules/<release> is looked for.
vm_kernel_release() {
	local img=$1 mods=${2:-}/lib/modules off ver=
	off=$(od -An -tu2 -j 526 -N 2 -- "$img" 2>/dev/null | tr -d ' ')
	if [[ $off =~ ^[0-9]+$ ]] && ((off > 0)); then
		ver=$(dd if="$img" bs=1 skip=$((0x200 + off)) count=256 2>/dev/null |
			tr '\0' '\n' | head -n 1 | cut -d ' ' -f 1)
	fi
	if [[ -z $ver || ! -d $mods/$ver ]]; then
		local base=${img##*/}
		if [[ $base == vmlinuz-* && -d $mods/${base#vmlinuz-} ]]; then
			ver=${base#vmlinuz-}
		fi
	fi
	[[ -n $ver ]] || return 1
	printf '%s\n' "$ver"
}

# vm_outcome OUT QRC ELAPSED TIMEOUT INTERRUPTED TAG: how a QEMU run ended.
# Exits 130 (interrupted), 124 (timeout) or 125 (the guest wrote no
# OUT/rc: boot failure, panic; the console's tail and the guest's "TAG:
# FATAL" line said), else prints the guest's exit code.
vm_outcome() {
	local out=$1 qrc=$2 elapsed=$3 timeout=$4 interrupted=$5 tag=$6 fatal rc
	if ((interrupted)); then
		vm_log "interrupted; QEMU stopped after ${elapsed}s (console: $out/console.log)"
		exit 130
	fi
	if ((qrc == 124 || (qrc == 137 && elapsed >= timeout))); then
		vm_log "TIMEOUT: guest still running after ${timeout}s, QEMU killed (console: $out/console.log)"
		exit 124
	fi
	if [[ ! -s $out/rc ]]; then
		vm_log "FAILED: the guest wrote no $out/rc (QEMU exit status $qrc, ${elapsed}s wall); last console lines:"
		tail -n 30 "$out/console.log" >&2 2>/dev/null
		fatal=$(grep -a -m 1 "$tag: FATAL" "$out/console.log" 2>/dev/null || true)
		[[ -z $fatal ]] || vm_log "guest error: ${fatal#*FATAL: }"
		if grep -a -q 'Kernel panic' "$out/console.log" 2>/dev/null; then
			vm_log "the guest kernel panicked"
		fi
		exit 125
	fi
	rc=$(head -n 1 "$out/rc")
	[[ $rc =~ ^[0-9]+$ ]] || vm_die "garbage in $out/rc: '$rc'"
	((qrc == 0)) || vm_log "warning: QEMU exited with status $qrc"
	echo "$rc"
}
