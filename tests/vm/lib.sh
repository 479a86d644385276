# shellcheck shell=bash
# Helpers shared by tests/vm/run.sh and tests/vm/mkinitramfs.sh.
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
