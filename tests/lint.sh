#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the module and of the test driver (tests/failprobe):
# checkpatch (kernel coding style), kernel-doc comments, and sparse + W=1.
# Usage: tests/lint.sh KDIR
set -euo pipefail

kdir=${1:?usage: tests/lint.sh KDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=${KSRC:-$("$top/scripts/ksrc.sh" 6.12)}
cd "$top"

# Generated files follow the generator's style, not ours to fix.
mapfile -t files < <(git ls-files 'kmod/*.c' 'kmod/*.h' 'tests/kunit/*.c' 'tests/failprobe/*.c' \
	'include/uapi/linux/*.h' |
	grep -v -e 'pcipass-nl-gen' -e 'include/uapi/linux/pcipass.h')
rc=0
echo "checkpatch: ${files[*]}"
if ! "$ksrc/scripts/checkpatch.pl" --no-tree --quiet --strict \
		--ignore FILE_PATH_CHANGES -f "${files[@]}"; then
	rc=1
fi

echo "kernel-doc: ${files[*]}"
if "$ksrc/scripts/kernel-doc" -none -Wall "${files[@]}" 2>&1 | grep .; then
	echo "kernel-doc: not clean" >&2
	rc=1
fi

command -v sparse >/dev/null || { echo "sparse: not installed (apt-get install sparse)" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
{ make -C "$kdir" M="$top" C=2 W=1 modules &&
	make -C "$kdir" M="$top/tests/failprobe" C=2 W=1 modules; } >"$log" 2>&1 ||
	{ cat "$log"; exit 1; }
if grep -E 'warning:|error:' "$log"; then
	echo "sparse/W=1: not clean" >&2
	rc=1
elif ! grep -q ' CHECK ' "$log"; then
	echo "sparse/W=1: sparse checked no file" >&2
	rc=1
else
	echo "sparse/W=1: clean ($(grep -c CHECK "$log") files)"
fi
exit $rc
