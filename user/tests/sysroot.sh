#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The test hook PCIPASS_SYSROOT (lib/sysroot.h) is the test build's only:
# the shipped pcipass refuses to run with it set (exit 1, nothing on
# stdout, the variable named on stderr) rather than answer from the real
# root while the caller expects a fixture's; set but empty it means the
# real root, as it always did.  The test build reads the fixture: its
# CPU check (in JSON) names the fixture's vendor, which no real
# /proc/cpuinfo has.
#
# Usage: sysroot.sh PCIPASS_BINARY PCIPASS_TEST_BINARY
set -u

bin=$1 testbin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); }
fail() { echo "FAIL sysroot: $*"; failed=$((failed + 1)); }

mkdir -p "$tmp/root/proc"
printf 'vendor_id\t: PcipassFixture\nflags\t\t: fpu vmx\n' \
	>"$tmp/root/proc/cpuinfo"

for args in "host" "version" "help list"; do
	rc=0
	# shellcheck disable=SC2086
	PCIPASS_SYSROOT=$tmp/root "$bin" $args >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -ne 1 ] || [ -s "$tmp/out" ] ||
	   ! grep -q 'PCIPASS_SYSROOT is set' "$tmp/err"; then
		fail "pcipass $args with PCIPASS_SYSROOT set: exit $rc, not refused"
	else
		ok
	fi
done

rc=0
PCIPASS_SYSROOT= "$bin" help >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
	fail "pcipass help with PCIPASS_SYSROOT empty: exit $rc"
else
	ok
fi

PCIPASS_SYSROOT=$tmp/root "$testbin" -j host >"$tmp/out" 2>&1
if grep -q PcipassFixture "$tmp/out"; then
	ok
else
	fail "pcipass-test host did not read the fixture's /proc/cpuinfo"
fi

echo "sysroot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
