#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of an extracted Debian linux-source tree, extracting it
# into the cache on first use.  The project uses it for the ynl generator,
# kselftest_harness.h and checkpatch.pl; nothing from it is committed.
#
# Usage: scripts/ksrc.sh [SERIES]      (default 6.12)
set -eu

series=${1:-6.12}
cache=${PCIPASS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pcipass}
tarball=/usr/src/linux-source-$series.tar.xz

if [ ! -f "$tarball" ]; then
	echo "ksrc.sh: $tarball missing: apt-get install linux-source-$series" >&2
	exit 1
fi
# Keyed by the tarball's mtime and size, so a package update re-extracts.
key=$(stat -c '%Y-%s' "$tarball")
dir=$cache/linux-source-$series-$key
if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1
	touch "$dir/.complete"
fi
echo "$dir"
