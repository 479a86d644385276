#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the pcipass debug test kernel (KUnit, KASAN, lockdep; see
# tests/kernel/README.md) from Debian's linux-source-6.12, or reuse the
# cached build.  The last line on stdout is the cache directory:
#
#   <cache>/bzImage                       the kernel for tests/vm/run.sh --kernel
#   <cache>/root/lib/modules/<release>/   modules_install output (--modules-root <cache>/root)
#   <cache>/build/                        the O= build tree: make -C <cache>/build M=...
#   <cache>/release                       the kernel release ("uname -r")
#   <cache>/build.log                     the full build log
#
# <cache> is ${PCIPASS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pcipass}/kernel-<hash>,
# <hash> covering the source tarball (Debian version, size, mtime), the
# extracted tree's path, tests/kernel/debug.config, this script and the
# compiler and linker versions.  A build only counts once it is complete
# (<cache>/.complete); an interrupted one is resumed by the next run.
#
# usage: tests/kernel/build.sh [-j N] [-v] [--force] [--config-only] [--prune]
#   -j N            parallel jobs (default: nproc)
#   -v              stream the build output to stderr (default: build.log only)
#   --force         discard the cached build for these inputs and rebuild
#   --config-only   stop after generating and checking .config
#   --prune         afterwards, delete the other kernel-* cache dirs (those
#                   of older inputs) that no build is using
#   -h, --help
#
# Fails when an option of debug.config did not make it into the final
# .config (Kconfig drops symbols with unmet dependencies silently).

set -euo pipefail
export LC_ALL=C

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd -- "$here/../.." && pwd -P)
series=6.12
frag=$here/debug.config
self=$here/build.sh
arch=x86_64

log() { printf 'kernel/build.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

jobs=$(nproc)
verbose=0
force=0
config_only=0
prune=0
while (($#)); do
	case $1 in
	-j) jobs=${2:?-j needs an argument}; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	-v) verbose=1; shift ;;
	--force) force=1; shift ;;
	--config-only) config_only=1; shift ;;
	--prune) prune=1; shift ;;
	-h | --help) sed -n '3,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "-j wants a positive number"

for tool in make gcc ld flex bison bc zstd depmod flock sha256sum; do
	command -v "$tool" >/dev/null ||
		die "$tool not found (apt-get install build-essential flex bison bc libelf-dev zstd kmod)"
done
[[ -e /usr/include/libelf.h || -e /usr/include/gelf.h ]] ||
	die "libelf headers not found (objtool needs them: apt-get install libelf-dev)"

tarball=/usr/src/linux-source-$series.tar.xz
[[ -f $tarball ]] || die "$tarball missing: apt-get install linux-source-$series"
src=$("$top/scripts/ksrc.sh" "$series") || die "scripts/ksrc.sh $series failed"
[[ -f $src/Makefile ]] || die "no kernel tree at $src"

cache_root=${PCIPASS_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pcipass}

# Everything the result depends on.  The extracted tree's path is in it
# because the O= tree refers to the sources by absolute path.
inputs=$(
	printf 'format 1\narch %s\n' "$arch"
	printf 'source %s\n' "$src"
	printf 'tarball %s %s\n' "$(dpkg-query -W -f='${Version}' "linux-source-$series" 2>/dev/null || echo unknown)" \
		"$(stat -c '%s %Y' -- "$tarball")"
	printf 'fragment %s\n' "$(sha256sum <"$frag" | cut -d ' ' -f 1)"
	printf 'script %s\n' "$(sha256sum <"$self" | cut -d ' ' -f 1)"
	printf 'gcc %s\n' "$(gcc --version | head -n 1)"
	printf 'ld %s\n' "$(ld --version | head -n 1)"
)
hash=$(printf '%s\n' "$inputs" | sha256sum | cut -c 1-16)
cache=$cache_root/kernel-$hash
obj=$cache/build

mkdir -p -- "$cache_root"
# One builder per cache dir; a second caller waits and then finds it done.
exec 9>"$cache_root/kernel-$hash.lock"
if ! flock -n 9; then
	log "another build of $cache is running, waiting for it"
	flock 9
fi

if ((force)); then
	rm -rf -- "$cache"
fi
# Old cache dirs nobody holds the lock of.
prune_others() {
	local d lock
	for d in "$cache_root"/kernel-*/; do
		d=${d%/}
		[[ $d != "$cache" && -d $d ]] || continue
		lock=$d.lock
		(
			exec 8>"$lock"
			flock -n 8 || exit 0 # in use
			log "pruning $d"
			rm -rf -- "$d" "$lock"
		)
	done
}

if [[ -f $cache/.complete ]] && ((!config_only)); then
	log "cached: $cache ($(cat "$cache/release"))"
	((!prune)) || prune_others
	printf '%s\n' "$cache"
	exit 0
fi

mkdir -p -- "$obj"
printf '%s\n' "$inputs" >"$cache/inputs"
buildlog=$cache/build.log
kmake() { # kmake TARGETS...: make in the O= tree, output to the log
	local cmd=(make -C "$src" O="$obj" ARCH="$arch" LOCALVERSION=
		KBUILD_BUILD_USER=pcipass KBUILD_BUILD_HOST=debug-kernel "$@")
	printf '+ %s\n' "${cmd[*]}" >>"$buildlog"
	if ((verbose)); then
		"${cmd[@]}" 2>&1 | tee -a "$buildlog" >&2
	else
		"${cmd[@]}" >>"$buildlog" 2>&1
	fi
}
fail() {
	((verbose)) || tail -n 40 -- "$buildlog" >&2
	die "$* (full log: $buildlog)"
}

# Every "CONFIG_X=v" line must be in .config as is; every
# "# CONFIG_X is not set" must not be set there.
check_config() {
	local line sym bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			if ! grep -qxF -- "$line" "$obj/.config"; then
				sym=${line%%=*}
				log "dropped: $line (final .config: $(grep -E "^(# )?${sym}[= ]" "$obj/.config" || echo "absent, unmet dependency"))"
				bad=1
			fi
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -q "^$sym=" "$obj/.config"; then
				log "not disabled: $line (final .config: $(grep "^$sym=" "$obj/.config"))"
				bad=1
			fi
			;;
		CONFIG_* | "# CONFIG_"*) die "cannot parse debug.config line: $line" ;;
		esac
	done <"$frag"
	return "$bad"
}

start=$SECONDS
if [[ ! -f $cache/.configured ]] || ((config_only)); then
	log "configuring $obj (tinyconfig + $(basename "$frag"))"
	: >"$buildlog"
	kmake tinyconfig || fail "make tinyconfig failed"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >>"$buildlog" 2>&1 ||
		fail "merge_config.sh failed"
	kmake olddefconfig || fail "make olddefconfig failed"
	check_config || die "options of $frag did not survive olddefconfig (add their dependencies)"
	touch -- "$cache/.configured"
fi
if ((config_only)); then
	log "config OK: $obj/.config"
	printf '%s\n' "$cache"
	exit 0
fi

log "building in $obj with -j$jobs (log: $buildlog)"
kmake -j"$jobs" bzImage modules || fail "kernel build failed"
# The build must not have changed the configuration behind our back.
check_config || die "the build changed .config"
release=$(make -s -C "$src" O="$obj" ARCH="$arch" LOCALVERSION= kernelrelease)
[[ -n $release ]] || die "cannot get the kernel release"

rm -rf -- "$cache/root"
kmake INSTALL_MOD_PATH="$cache/root" modules_install || fail "modules_install failed"
[[ -f $cache/root/lib/modules/$release/modules.builtin ]] ||
	die "modules_install left no $cache/root/lib/modules/$release/modules.builtin"

cp -- "$obj/arch/x86/boot/bzImage" "$cache/bzImage.tmp"
mv -f -- "$cache/bzImage.tmp" "$cache/bzImage"
printf '%s\n' "$release" >"$cache/release"
touch -- "$cache/.complete"
log "built $release in $((SECONDS - start))s: $cache"
((!prune)) || prune_others
printf '%s\n' "$cache"
