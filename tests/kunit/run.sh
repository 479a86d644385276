#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run only the KUnit suites, on the debug kernel (tests/kernel), in about
# 40 s instead of the whole guest suite: build pcipass.ko and
# pcipass_kunit.ko against the kernel in a scratch copy of the sources,
# boot a guest that loads both, and print one TAP line per KUnit case
# (tests/lib/kunit_tap.py) plus a check of the kernel log
# (tests/guest/dmesg-check.sh: KASAN, lockdep, WARN, ...).
#
# usage: tests/kunit/run.sh [--out DIR]
# Exit status: 0 when every case passed and the log is clean.
# Environment: PCIPASS_DEBUG_KERNEL=DIR uses that tests/kernel/build.sh
# output instead of calling build.sh.  One QEMU guest at a time per host
# is the rule on shared machines: this script starts one.

set -euo pipefail

if [[ ${PCIPASS_VM:-} == 1 ]]; then	# in the guest
	out=$PCIPASS_OUT
	insmod "$PCIPASS_KO"
	before=$(dmesg | wc -l)
	insmod "$PCIPASS_KUNIT_KO"
	dmesg | tail -n +"$((before + 1))" >"$out/kunit.log"
	rmmod pcipass_kunit
	rmmod pcipass
	dmesg >"$out/dmesg-end.txt"
	exit 0
fi

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd -- "$here/../.." && pwd -P)
case ${1:-} in
-h | --help) sed -n '3,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
--out) out=${2:?--out needs a directory} ;;
*) out=$(mktemp -d "${TMPDIR:-/tmp}/pcipass-kunit.XXXXXX") ;;
esac
mkdir -p "$out"

k=${PCIPASS_DEBUG_KERNEL:-$("$top/tests/kernel/build.sh" | tail -n 1)}
ksrc=$("$top/scripts/ksrc.sh" 6.12)
work=$(mktemp -d "${TMPDIR:-/tmp}/pcipass-kunit-ko.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
(cd "$top" && git ls-files -co --exclude-standard -z -- Kbuild kmod include tests/kunit |
	xargs -0 cp --parents -t "$work")
make -s -C "$k/build" M="$work" W=1 modules >&2

cd "$top"
"$top/tests/vm/run.sh" --kernel "$k" --out "$out" --timeout 600 --quiet \
	--env PCIPASS_KO="$work/kmod/pcipass.ko" \
	--env PCIPASS_KUNIT_KO="$work/tests/kunit/pcipass_kunit.ko" \
	"$here/run.sh" >&2
python3 "$ksrc/tools/testing/kunit/kunit.py" parse --json="$out/kunit.json" \
	"$out/kunit.log" >"$out/kunit.parse" 2>&1 || true
suites=$(sed -n 's/^[[:space:]]*\.name = "\(pcipass_[a-z_]*\)",$/\1/p' "$here"/*.c)
rc=0
# shellcheck disable=SC2086
python3 tests/lib/kunit_tap.py "$out/kunit.json" $suites || rc=1
tests/guest/dmesg-check.sh "$out/dmesg-end.txt" >&2 || rc=1
echo "# results in $out" >&2
exit "$rc"
