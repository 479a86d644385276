#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the uapi header and the kernel policy/ops tables from
# Documentation/netlink/specs/pcipass.yaml with the kernel's own ynl
# generator (tools/net/ynl/ynl-gen-c.py from linux-source).
#
# The generator expects the kernel's layout: a MAINTAINERS file at the
# root and the schema in Documentation/netlink/; we have the former and
# supply the latter from the kernel tree in a scratch copy.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
# Where to write; tests point this at a scratch tree to diff against git.
out=${REGEN_OUT:-$top}
ksrc=${KSRC:-$("$top/scripts/ksrc.sh" 6.12)}
gen=$ksrc/tools/net/ynl/ynl-gen-c.py
spec=Documentation/netlink/specs/pcipass.yaml

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/Documentation/netlink/specs"
cp "$top/MAINTAINERS" "$scratch/"
cp "$ksrc/Documentation/netlink/genetlink-legacy.yaml" \
	"$scratch/Documentation/netlink/"
cp "$top/$spec" "$scratch/$spec"

mkdir -p "$out/include/uapi/linux" "$out/kmod"
cd "$scratch"
python3 "$gen" --mode uapi --header --spec "$spec" \
	-o "$out/include/uapi/linux/pcipass.h"
python3 "$gen" --mode kernel --header --spec "$spec" \
	-o "$out/kmod/pcipass-nl-gen.h"
python3 "$gen" --mode kernel --source --spec "$spec" \
	-o "$scratch/pcipass-nl-gen.c"
# The family (with its multicast groups) is defined in kmod/netlink.c, not
# here: drop the generator's static mcgrps table, which nothing would use.
awk '/^static const struct genl_multicast_group/ { skip = 1 }
     !skip { print }
     skip && /^};/ { skip = 0 }' "$scratch/pcipass-nl-gen.c" |
	sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$out/kmod/pcipass-nl-gen.c"
echo "regenerated from $spec with $gen"
