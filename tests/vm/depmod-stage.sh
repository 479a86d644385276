#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make, on the host, the module index a guest kernel will have once a fresh
# pcipass.ko is installed into its /lib/modules/RELEASE/updates: depmod over
# a tree of symlinks to the kernel's modules plus a copy of the .ko, so the
# guest copies the modules.* files instead of running depmod itself (under
# TCG, reading every module over 9p took about 100 s a guest; here, from
# the local disk, a few seconds).
#
# usage: tests/vm/depmod-stage.sh RELEASE KO MODROOT OUTDIR
#   RELEASE   the kernel release ("uname -r" in the guest)
#   KO        the pcipass.ko the guest will install
#   MODROOT   where lib/modules/RELEASE is on the host: / for a Debian
#             kernel, the debug kernel's modules_install root otherwise
#   OUTDIR    receives modules.* (and nothing else); replaced if present
#
# tests/guest/suite.sh copies OUTDIR/modules.* next to updates/pcipass.ko
# when PCIPASS_MODINDEX=OUTDIR; the suite's autoload test then proves the
# index is right (the fresh module loads by its genetlink alias).

set -euo pipefail

(($# == 4)) || { sed -n '3,/^$/{s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
rel=$1 ko=$2 modroot=$3 out=$4
mods=$modroot/lib/modules/$rel

[[ -d $mods/kernel || -f $mods/modules.builtin ]] || { echo "no modules in $mods" >&2; exit 1; }
[[ -f $ko ]] || { echo "no $ko" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/pcipass-depmod.XXXXXX")
trap 'rm -rf -- "$stage"' EXIT
tree=$stage/lib/modules/$rel
mkdir -p "$tree"
# Symlinks to the modules (depmod follows them), real copies of the
# modules.builtin* and modules.order files depmod reads.
cp -rs -- "$(realpath -e "$mods")/." "$tree/"
rm -f -- "$tree"/modules.* "$tree/build" "$tree/source"
for f in "$mods"/modules.builtin* "$mods"/modules.order; do
	[[ ! -e $f ]] || cp -- "$f" "$tree/"
done
rm -rf -- "$tree/updates/pcipass.ko"*
mkdir -p "$tree/updates"
cp -- "$ko" "$tree/updates/pcipass.ko"
depmod -b "$stage" "$rel"
grep -q '^updates/pcipass.ko:' "$tree/modules.dep" ||
	{ echo "depmod left pcipass.ko out of modules.dep" >&2; exit 1; }

rm -rf -- "$out"
mkdir -p -- "$out"
cp -- "$tree"/modules.* "$out/"
echo "module index for $rel with $(basename "$ko"): $(wc -l <"$out/modules.dep") modules in modules.dep"
