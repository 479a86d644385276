#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the base root filesystem of the real Debian 12 test
# guest: bookworm minbase with systemd as init, Debian's initramfs-tools,
# the CLI's runtime libraries and the host's exact kernel packages
# (linux-image-<rel> of the newest /lib/modules/6.12* and 6.1.* releases),
# plus pcipass-test.service and its runner (tests/image/).  The project
# itself is NOT in it: tests/image/stage.sh installs it into a copy.
#
# usage: tests/image/build.sh [--refresh]
#   --refresh   discard the cached build for these inputs and rebuild
#               (the mirror moves on; the hash cannot see that)
#   -h, --help
#
# The last line on stdout is the cache directory:
#   <cache>/root/       the root filesystem (never modify it; copy it)
#   <cache>/manifest    dpkg-query -W of the image
#   <cache>/releases    the two kernel releases, newest first
#   <cache>/build.log   mmdebstrap's output
# <cache> is ${XDG_CACHE_HOME:-~/.cache}/pcipass/debian-<hash>, <hash>
# covering a format version, this script, the unit and runner, the
# package list, the mirror lines, the kernel releases with their host
# dpkg versions and mmdebstrap's version.  A build only counts once
# <cache>/.complete exists.  Needs root (mmdebstrap --mode=root, chroot).
#
# The kernels come from the mirror (exact host version); when the mirror
# no longer has them, from the host's /var/cache/apt/archives
# (linux-image-<rel>_*.deb); PCIPASS_IMAGE_HOST_DEBS=1 takes them from
# there right away.

set -euo pipefail
export LC_ALL=C

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
self=$here/build.sh
unit=$here/pcipass-test.service
runner=$here/pcipass-test-run
format=1
suite=bookworm
hostname=pcipass-guest
machine_id=5c1bb1e5d1a34b6e8f2a0c9d7e6f4a21

log() { printf 'image/build.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

refresh=0
while (($#)); do
	case $1 in
	--refresh) refresh=1; shift ;;
	-h | --help) sed -n '4,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done

((EUID == 0)) || die "needs root (mmdebstrap --mode=root, chroot)"
for tool in mmdebstrap flock sha256sum dpkg-query chroot; do
	command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh installs mmdebstrap)"
done
[[ -f $unit && -f $runner ]] || die "missing $unit or $runner"

# The host's kernel releases: the guest boots exactly what pcipass.ko is
# built against (linux-headers-<rel> on the host).
newest_release() { # GLOB under /lib/modules
	local d
	d=$(find /lib/modules -mindepth 1 -maxdepth 1 -name "$1" -print | sort -V | tail -n 1)
	[[ -n $d ]] || return 1
	printf '%s\n' "${d##*/}"
}
rel612=$(newest_release '6.12*') || die "no /lib/modules/6.12* (apt-get install linux-image-6.12-amd64)"
rel61=$(newest_release '6.1.*') || die "no /lib/modules/6.1.* (apt-get install linux-image-amd64)"
releases=("$rel612" "$rel61")
declare -A kver=()
for rel in "${releases[@]}"; do
	v=$(dpkg-query -W -f='${Version}' "linux-image-$rel" 2>/dev/null) ||
		die "linux-image-$rel is not installed on the host (only /lib/modules/$rel is)"
	[[ -n $v ]] || die "linux-image-$rel has no version on the host"
	kver[$rel]=$v
done

pkgs=(
	systemd-sysv udev kmod initramfs-tools zstd e2fsprogs pciutils iproute2 python3 procps
	libnl-3-200 libnl-genl-3-200 libnl-route-3-200 libpci3 libjson-c5 libkmod2 libmount1
	libxml2 qemu-system-x86 libvirt-daemon-system libvirt-clients
	python3-jsonschema
)
mirrors=(
	"deb http://deb.debian.org/debian $suite main"
	"deb http://deb.debian.org/debian $suite-updates main"
	"deb http://deb.debian.org/debian-security $suite-security main"
)

inputs=$(
	printf 'format %s\nsuite %s\n' "$format" "$suite"
	printf 'script %s\n' "$(sha256sum <"$self" | cut -d ' ' -f 1)"
	printf 'unit %s\n' "$(sha256sum <"$unit" | cut -d ' ' -f 1)"
	printf 'runner %s\n' "$(sha256sum <"$runner" | cut -d ' ' -f 1)"
	printf 'packages %s\n' "${pkgs[*]}"
	printf 'mirror %s\n' "${mirrors[@]}"
	for rel in "${releases[@]}"; do
		printf 'kernel linux-image-%s %s\n' "$rel" "${kver[$rel]}"
	done
	printf 'mmdebstrap %s\n' "$(dpkg-query -W -f='${Version}' mmdebstrap 2>/dev/null || mmdebstrap --version)"
)
hash=$(printf '%s\n' "$inputs" | sha256sum | cut -c 1-16)
cache_root=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pcipass
cache=$cache_root/debian-$hash

mkdir -p -- "$cache_root"
# One builder per cache dir; a second caller waits and then finds it done.
exec 9>"$cache_root/debian-$hash.lock"
if ! flock -n 9; then
	log "another build of $cache is running, waiting for it"
	flock 9
fi

if ((refresh)); then
	log "--refresh: discarding $cache"
	rm -rf -- "$cache"
fi
if [[ -f $cache/.complete ]]; then
	log "cached: $cache (kernels ${releases[*]})"
	printf '%s\n' "$cache"
	exit 0
fi

rm -rf -- "$cache"
mkdir -p -- "$cache"
printf '%s\n' "$inputs" >"$cache/inputs"
buildlog=$cache/build.log
: >"$buildlog"

q() { printf '%q' "$1"; } # quote for the hooks' sh -c

# mmdebstrap ROOT KERNEL_INCLUDE...: one build attempt, output to the log.
run_mmdebstrap() {
	local root=$1 inc
	shift
	local args=(
		--variant=minbase --mode=root --format=directory
		--include="$(
			IFS=,
			printf '%s' "${pkgs[*]}"
		)"
		--dpkgopt='path-exclude=/usr/share/doc/*'
		--dpkgopt='path-include=/usr/share/doc/*/copyright'
		--dpkgopt='path-exclude=/usr/share/man/*'
		--dpkgopt='path-exclude=/usr/share/locale/*'
		# Before the kernels' postinsts build their initramfs: the
		# initramfs only gets fsck when fstab names the root fs.
		--essential-hook="echo 'LABEL=pcipass-root / ext4 rw,errors=remount-ro 0 1' >\"\$1/etc/fstab\""
		--essential-hook="echo $hostname >\"\$1/etc/hostname\""
		# update-initramfs probes the root device for its type, and a
		# chroot has none ("W: Couldn't identify type of root file
		# system for fsck hook": no fsck in the initramfs).
		--essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" && echo FSTYPE=ext4 >\"\$1/etc/initramfs-tools/conf.d/pcipass-image-fstype\""
		--customize-hook="printf '127.0.0.1\tlocalhost\n127.0.1.1\t$hostname\n' >\"\$1/etc/hosts\""
		--customize-hook="install -D -m 0644 $(q "$unit") \"\$1/etc/systemd/system/pcipass-test.service\""
		--customize-hook="install -D -m 0755 $(q "$runner") \"\$1/usr/local/lib/pcipass-test/run\""
		--customize-hook="mkdir -p \"\$1/out\""
	)
	for inc in "$@"; do
		args+=(--include="$inc")
		[[ $inc != /* ]] || args+=(--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount)
	done
	printf '+ mmdebstrap %s\n' "${args[*]} $suite $root ${mirrors[*]}" >>"$buildlog"
	mmdebstrap "${args[@]}" "$suite" "$root" "${mirrors[@]}" >>"$buildlog" 2>&1
}

start=$SECONDS
root=$cache/root
from_mirror=()
for rel in "${releases[@]}"; do
	from_mirror+=("linux-image-$rel=${kver[$rel]}")
done
# The host's cached .deb of each kernel (exact version preferred).
host_debs() {
	local rel deb
	debs=()
	for rel in "${releases[@]}"; do
		deb=/var/cache/apt/archives/linux-image-${rel}_${kver[$rel]//:/%3a}_amd64.deb
		if [[ ! -f $deb ]]; then
			deb=$(find /var/cache/apt/archives -maxdepth 1 -name "linux-image-${rel}_*.deb" -print | sort -V | tail -n 1)
		fi
		[[ -n $deb && -f $deb ]] ||
			die "linux-image-$rel=${kver[$rel]} is neither on the mirror nor in /var/cache/apt/archives; update the host's kernels (apt-get update && apt-get upgrade, then scripts/install-deps.sh) or put the .deb there"
		log "using $deb"
		debs+=("$deb")
	done
}

log "building $root with mmdebstrap (kernels ${releases[*]}; log: $buildlog)"
if [[ ${PCIPASS_IMAGE_HOST_DEBS:-0} == 1 ]]; then
	log "PCIPASS_IMAGE_HOST_DEBS=1: kernels from the host's /var/cache/apt/archives"
	host_debs
	run_mmdebstrap "$root" "${debs[@]}" || {
		tail -n 30 -- "$buildlog" >&2
		die "mmdebstrap failed (full log: $buildlog)"
	}
elif ! run_mmdebstrap "$root" "${from_mirror[@]}"; then
	# Only a kernel missing from the mirror is worth a second attempt.
	if ! grep -q -E "(Version '[^']*' for 'linux-image-|Unable to locate package linux-image-|Package 'linux-image-[^']*' has no installation candidate)" "$buildlog"; then
		tail -n 30 -- "$buildlog" >&2
		die "mmdebstrap failed (full log: $buildlog)"
	fi
	log "the mirror lacks a host kernel package; trying the host's /var/cache/apt/archives"
	host_debs
	rm -rf -- "$root"
	printf '\n# retry with the host .debs\n' >>"$buildlog"
	if ! run_mmdebstrap "$root" "${debs[@]}"; then
		tail -n 30 -- "$buildlog" >&2
		die "mmdebstrap failed with the host's .debs as well (full log: $buildlog)"
	fi
fi

# mmdebstrap's cleanup empties machine-id (a "first boot"); tests want a
# fixed one.
printf '%s\n' "$machine_id" >"$root/etc/machine-id"
for rel in "${releases[@]}"; do
	for f in "boot/vmlinuz-$rel" "boot/initrd.img-$rel" "lib/modules/$rel/modules.dep"; do
		[[ -s $root/$f ]] || die "the image has no /$f (full log: $buildlog)"
	done
	# shellcheck disable=SC2016  # a dpkg-query format
	got=$(chroot "$root" dpkg-query -W -f='${Version}' "linux-image-$rel")
	[[ $got == "${kver[$rel]}" ]] || die "the image has linux-image-$rel $got, the host ${kver[$rel]}"
done
[[ -x $root/usr/bin/qemu-system-x86_64 ]] ||
	die "no qemu-system-x86_64 in the image (the tests start a VM inside the guest)"
chroot "$root" dpkg-query -W >"$cache/manifest"
printf '%s\n' "${releases[@]}" >"$cache/releases"
touch -- "$cache/.complete"
log "built in $((SECONDS - start))s: $cache ($(du -sh -- "$root" | cut -f 1))"
printf '%s\n' "$cache"
