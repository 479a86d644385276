#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole pcipass test suite ("make check"):
#   1. host: builds (6.1 and 6.12, W=1), sparse, checkpatch, DKMS builds,
#      generated code up to date, CLI and selftest builds, CLI unit tests;
#   2. guests: boots Debian's 6.12 and 6.1 kernels and the debug kernel
#      (tests/kernel: KUnit, KASAN, lockdep) in QEMU (TCG, q35 +
#      intel-iommu, tests/vm/topology.sh), loads the fresh pcipass.ko and runs
#      tests/guest/suite.sh there (kselftests, CLI end-to-end, ground truth,
#      kernel log and taint checks).
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
start=$(date +%s)

"$top/scripts/install-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

K612=${K612:-$(ls -d /lib/modules/6.12*/build | sort -V | tail -n1)}
K61=${K61:-$(ls -d /lib/modules/6.1.*/build | sort -V | tail -n1)}
KSRC=$("$top/scripts/ksrc.sh" 6.12) || exit 1
export KSRC

results=$top/build/results
rm -rf "$results" && mkdir -p "$results/logs"
export TAP_FILE=$results/host.tap TAP_LOGDIR=$results/logs
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

warn_free_build() {	# warn_free_build KDIR DIR: W=1 build with no warnings
	make -C "$1" M="$2" W=1 modules 2>&1 | tee "$results/logs/build.tmp"
	[ "${PIPESTATUS[0]}" = 0 ] && ! grep -E 'warning:|error:' "$results/logs/build.tmp"
}

# The 6.1 build gets its own copy so kmod/ stays built for the guest (6.12).
copy_tree() {
	rm -rf "$2" && mkdir -p "$2" &&
		git -C "$1" ls-files -z | (cd "$1" && xargs -0 cp -P --parents -t "$2")
}

regen_is_current() {
	local scratch
	scratch=$(mktemp -d) || return 1
	REGEN_OUT=$scratch scripts/ynl-regen.sh &&
		diff -u include/uapi/linux/pcipass.h "$scratch/include/uapi/linux/pcipass.h" &&
		diff -u kmod/pcipass-nl-gen.h "$scratch/kmod/pcipass-nl-gen.h" &&
		diff -u kmod/pcipass-nl-gen.c "$scratch/kmod/pcipass-nl-gen.c"
	local rc=$?
	rm -rf "$scratch"
	return $rc
}

dkms_build() {	# dkms_build KVER: build through DKMS from a scratch source tree
	local src=/usr/src/pcipass-check
	dkms remove -m pcipass -v check --all >/dev/null 2>&1
	rm -rf "$src" && copy_tree "$top" "$src" &&
		sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="check"/' "$src/dkms.conf" &&
		dkms add -m pcipass -v check &&
		dkms build -m pcipass -v check -k "$1"
	local rc=$?
	dkms remove -m pcipass -v check --all >/dev/null 2>&1
	rm -rf "$src"
	return $rc
}

staged_install() {	# make install into a scratch DESTDIR, check what landed
	local dest kver ko
	dest=$(mktemp -d) && kver=$(basename "$(dirname "$K612")") &&
		make install KDIR="$K612" KVER="$kver" DESTDIR="$dest" &&
		ko=$(find "$dest/lib/modules/$kver/updates" -name 'pcipass.ko*') &&
		[ "$(modinfo -F name "$ko")" = pcipass ] &&
		"$dest/usr/local/bin/pcipass" --version
	local rc=$?
	rm -rf "$dest"
	return $rc
}

echo "# host checks"
copy_tree "$top" "$top/build/k61"
tap_run "build: module W=1 against $(basename "$(dirname "$K61")")" \
	warn_free_build "$K61" "$top/build/k61"
tap_run "build: module W=1 against $(basename "$(dirname "$K612")")" \
	warn_free_build "$K612" "$top"
# The test-only driver (tests/failprobe), next to each pcipass.ko.
tap_run "build: failprobe test driver W=1 against $(basename "$(dirname "$K61")")" \
	warn_free_build "$K61" "$top/build/k61/tests/failprobe"
tap_run "build: failprobe test driver W=1 against $(basename "$(dirname "$K612")")" \
	warn_free_build "$K612" "$top/tests/failprobe"
tap_run "lint: checkpatch --strict and sparse (6.12)" tests/lint.sh "$K612"
tap_run "lint: sparse (6.1)" bash -c "{ make -C '$K61' M='$top/build/k61' C=2 modules &&
	make -C '$K61' M='$top/build/k61/tests/failprobe' C=2 modules; } 2>&1 |
	tee /dev/stderr | { ! grep -E 'warning:|error:'; }"
tap_run "build: generated netlink code matches the YAML spec" regen_is_current
for k in "$K61" "$K612"; do
	kver=$(basename "$(dirname "$k")")
	tap_run "dkms: build for $kver" dkms_build "$kver"
done
tap_run "build: CLI" make -C user
tap_run "install: make install DESTDIR= stages module and CLI" staged_install
tap_run "build: selftests" make -C tests/selftest KSFT_DIR="$KSRC/tools/testing/selftests"
make -s --no-print-directory -C user test >"$results/logs/user-unit.log" 2>&1
tap_result $? "cli: unit tests, pure logic ($(tail -n1 "$results/logs/user-unit.log") checks)" \
	"$results/logs/user-unit.log"

# The same in-guest suite on each kernel, with the module built for it,
# booted with the kernel arguments the topology needs (shape (g)).
guest_run() {	# guest_run RELEASE KO [run.sh options...]
	local name=$1 ko=$2 out=$results/guest-$1 rc kargs
	shift 2
	mkdir -p "$out"
	echo "# guest checks: $name"
	kargs=$(tests/vm/topology.sh --kernel-args "$name") ||
		{ tap_result 1 "guest $name: kernel arguments for the topology"; return 1; }
	tests/vm/run.sh --out "$out" --timeout "${GUEST_TIMEOUT:-2400}" \
		--env PCIPASS_KO="$ko" --env KSRC="$KSRC" --append "$kargs" "$@" \
		tests/guest/suite.sh
	rc=$?
	tap_result "$([ "$rc" = 0 ] && echo 0 || echo 1)" \
		"guest $name: booted, ran the suite, exited 0 (rc=$rc)" "$out/console.log"
	tap_run "guest $name: whole kernel log free of WARN/BUG/oops/KASAN/lockdep splats" \
		tests/guest/dmesg-check.sh "$out/dmesg.txt"
}
kver612=$(basename "$(dirname "$K612")")
kver61=$(basename "$(dirname "$K61")")
guest_run "$kver612" "$top/kmod/pcipass.ko" --kernel "/boot/vmlinuz-$kver612" \
	--env PCIPASS_FAILPROBE_KO="$top/tests/failprobe/pcipass_failprobe.ko"
guest_run "$kver61" "$top/build/k61/kmod/pcipass.ko" --kernel "/boot/vmlinuz-$kver61" \
	--env PCIPASS_FAILPROBE_KO="$top/build/k61/tests/failprobe/pcipass_failprobe.ko"

# Debug tier: the same suite on a kernel with KUnit, KASAN and lockdep,
# built from the same linux-source-6.12 (cached between runs), plus the
# KUnit suites.
echo "# debug kernel"
t0=$(date +%s)
if kdbg=$(tests/kernel/build.sh 2>"$results/logs/kernel-build.log" | tail -n1) &&
		[ -f "$kdbg/bzImage" ]; then
	tap_result 0 "debug kernel: built or reused ($(( $(date +%s) - t0 )) s, $kdbg)"
	copy_tree "$top" "$top/build/kdbg"
	tap_run "build: module and KUnit suites W=1 against the debug kernel" \
		warn_free_build "$kdbg/build" "$top/build/kdbg"
	tap_run "build: failprobe test driver W=1 against the debug kernel" \
		warn_free_build "$kdbg/build" "$top/build/kdbg/tests/failprobe"
	guest_run "$(cat "$kdbg/release")" "$top/build/kdbg/kmod/pcipass.ko" \
		--kernel "$kdbg/bzImage" --modules-root "$kdbg/root" \
		--env PCIPASS_FAILPROBE_KO="$top/build/kdbg/tests/failprobe/pcipass_failprobe.ko" \
		--env PCIPASS_KUNIT_KO="$top/build/kdbg/tests/kunit/pcipass_kunit.ko"
else
	tap_result 1 "debug kernel: build" "$results/logs/kernel-build.log"
fi

mapfile -t taps <<<"$(find "$results" -name '*.tap' | sort)"
read -r pass fail skip <<<"$(tap_count "${taps[@]}")"
echo "# result files: ${taps[*]}"
echo "# wall time: $(( $(date +%s) - start )) s; skipped: $skip"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
