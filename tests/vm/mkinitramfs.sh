#!/bin/bash
# Build the tiny initramfs used by tests/vm/run.sh.
#
# usage: tests/vm/mkinitramfs.sh [--kernel IMAGE | --kver RELEASE]
#                                [--modules-root DIR] [CACHE_DIR]
#
# Contents: a static busybox, tests/vm/init as /init, /dev/console, and the
# kernel modules needed to mount the host's root over virtio-9p (plus
# overlayfs) for the given kernel release, decompressed to plain .ko.
# Modules are taken from DIR/lib/modules/<release> (DIR defaults to /);
# those built into the kernel (modules.builtin) are skipped, so a kernel
# with 9p, virtio-pci and overlayfs built in gets an initramfs without any.
#
# The archive (cpio newc, gzip) is written to
#   CACHE_DIR/initramfs-<release>-<hash>.cpio.gz
# where <hash> covers every input (release, busybox, init, this script,
# module files), so it is rebuilt only when an input changes.  The path is
# printed on stdout.  CACHE_DIR defaults to
# ${XDG_CACHE_HOME:-$HOME/.cache}/pcipass/vm.
#
# Environment: BUSYBOX (default /bin/busybox, must be statically linked,
# Debian package busybox-static).

# shellcheck source-path=SCRIPTDIR
set -euo pipefail
export LC_ALL=C

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
. "$here/lib.sh"

# Modules needed in the initramfs, resolved (with their dependencies, in
# load order) through modprobe --show-depends.  overlay is optional.
# virtio_pci is built in on 6.12 but a module on 6.1.
required_mods=(virtio_pci 9pnet_virtio 9p)
optional_mods=(overlay)

kver=
kernel=
cache_dir=
modroot=
while (($#)); do
	case $1 in
	--kver) kver=${2:?--kver needs an argument}; shift 2 ;;
	--kernel) kernel=${2:?--kernel needs an argument}; shift 2 ;;
	--modules-root) modroot=${2:?--modules-root needs an argument}; shift 2 ;;
	-h | --help) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) vm_die "unknown option: $1" ;;
	*) [[ -z $cache_dir ]] || vm_die "too many arguments"; cache_dir=$1; shift ;;
	esac
done

if [[ -z $kver ]]; then
	[[ -n $kernel ]] || kernel=$(vm_default_kernel) || vm_die "no /boot/vmlinuz-6.12* found; pass --kernel"
	kver=$(vm_kernel_release "$kernel" "$modroot") || vm_die "cannot determine the release of $kernel"
fi
cache_dir=${cache_dir:-$(vm_default_cache_dir)}
busybox=${BUSYBOX:-/bin/busybox}
init_src=$here/init

if [[ -n $modroot ]]; then
	modroot=$(realpath -e -- "$modroot") || vm_die "--modules-root $modroot does not exist"
	[[ -d $modroot/lib/modules/$kver ]] || vm_die "$modroot/lib/modules/$kver not found"
	[[ $modroot != / ]] || modroot=
else
	[[ -d /lib/modules/$kver ]] || vm_die "/lib/modules/$kver not found (install the matching linux-image package)"
fi
modprobe_root=()
[[ -z $modroot ]] || modprobe_root=(-d "$modroot")
[[ -x $busybox ]] || vm_die "$busybox not found (apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
	vm_die "$busybox is dynamically linked; install busybox-static or set BUSYBOX"
fi
command -v modprobe >/dev/null || vm_die "modprobe not found (apt-get install kmod)"
command -v gzip >/dev/null || vm_die "gzip not found"

# Resolve module files in load order (deduplicated).  Built-in ones show
# up as "builtin NAME" and need nothing.
declare -A seen=()
mods=()
resolve() {
	local name=$1 line path
	local out
	out=$(modprobe "${modprobe_root[@]}" -S "$kver" --show-depends "$name" 2>/dev/null) || return 1
	while read -r line; do
		case $line in
		insmod\ *)
			path=${line#insmod }
			path=${path%% *}
			if [[ -z ${seen[$path]:-} ]]; then
				seen[$path]=1
				mods+=("$path")
			fi
			;;
		esac
	done <<<"$out"
}
for m in "${required_mods[@]}"; do
	resolve "$m" || vm_die "module $m not found for $kver (modprobe -S $kver --show-depends $m failed)"
done
for m in "${optional_mods[@]}"; do
	resolve "$m" || vm_log "warning: optional module $m not available for $kver"
done

# Hash of all inputs.
hash=$(
	{
		printf 'format 1\nkver %s\n' "$kver"
		[[ -z $modroot ]] || printf 'modroot %s\n' "$modroot"
		sha256sum "$busybox" "$init_src" "$here/mkinitramfs.sh" | cut -d ' ' -f 1
		for p in "${mods[@]}"; do
			printf '%s ' "$p"
			sha256sum "$p" | cut -d ' ' -f 1
		done
	} | sha256sum | cut -c 1-16
)
out=$cache_dir/initramfs-$kver-$hash.cpio.gz
if [[ -s $out ]]; then
	printf '%s\n' "$out"
	exit 0
fi

mkdir -p -- "$cache_dir"
vm_log "building $out"

# --- minimal cpio "newc" writer --------------------------------------------
ino=0
pad4() { # pad4 LEN: write zero bytes to align LEN to 4
	local n=$(((4 - $1 % 4) % 4))
	((n == 0)) || head -c "$n" /dev/zero
}
hdr() { # hdr NAME MODE SIZE [RDEVMAJOR RDEVMINOR]
	local name=$1 mode=$2 size=$3 maj=${4:-0} min=${5:-0}
	local namesize=$((${#name} + 1))
	ino=$((ino + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$mode" 0 0 1 0 "$size" 0 0 "$maj" "$min" "$namesize" 0
	printf '%s\0' "$name"
	pad4 $((110 + namesize))
}
c_dir() { hdr "$1" $((8#040755)) 0; }
c_chr() { hdr "$1" $((8#020000 | $4)) 0 "$2" "$3"; } # NAME MAJ MIN PERM
c_sym() { # c_sym NAME TARGET
	hdr "$1" $((8#0120777)) "${#2}"
	printf '%s' "$2"
	pad4 "${#2}"
}
c_file() { # c_file NAME MODE SRC  (SRC may be a pipe/process substitution)
	local name=$1 mode=$2 src=$3 size
	size=$(stat -L -c %s -- "$src")
	hdr "$name" "$mode" "$size"
	cat -- "$src"
	pad4 "$size"
}
# ----------------------------------------------------------------------------

tmpd=$(mktemp -d "$cache_dir/.build.XXXXXX")
trap 'rm -rf -- "$tmpd"' EXIT

# Decompress modules to plain .ko, numbered in load order.
mkdir "$tmpd/modules"
i=0
for p in "${mods[@]}"; do
	i=$((i + 1))
	base=${p##*/}
	base=${base%%.ko*}
	dst=$(printf '%s/modules/%02d-%s.ko' "$tmpd" "$i" "$base")
	case $p in
	*.ko.xz) xz -dc -- "$p" >"$dst" ;;
	*.ko.zst) zstd -qdc -- "$p" >"$dst" ;;
	*.ko.gz) gzip -dc -- "$p" >"$dst" ;;
	*.ko) cat -- "$p" >"$dst" ;;
	*) vm_die "unknown module format: $p" ;;
	esac
done

{
	for d in bin dev proc sys host out ovl modules etc tmp; do
		c_dir "$d"
	done
	c_chr dev/console 5 1 8#600
	c_chr dev/null 1 3 8#666
	c_file bin/busybox $((8#0100755)) "$busybox"
	c_sym bin/sh busybox
	c_file init $((8#0100755)) "$init_src"
	printf '%s\n' "$kver" >"$tmpd/kver"
	c_file etc/pcipass-vm-kver $((8#0100644)) "$tmpd/kver"
	for f in "$tmpd"/modules/*.ko; do
		[[ -e $f ]] || continue # all of them built in
		c_file "modules/${f##*/}" $((8#0100644)) "$f"
	done
	hdr TRAILER!!! 0 0
} | gzip -n -6 >"$tmpd/initramfs.cpio.gz"

mv -f -- "$tmpd/initramfs.cpio.gz" "$out"
# Drop stale images for the same release.
for old in "$cache_dir/initramfs-$kver-"*.cpio.gz; do
	[[ $old == "$out" ]] || rm -f -- "$old"
done
printf '%s\n' "$out"
