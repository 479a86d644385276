#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark of big hosts (not a test): boots the test guest once per size
# with the scale shape of tests/vm/topology.sh (--scale N: about N PCI
# functions), runs bench/list.sh there (pcipass list --json against the
# IOMMU-group walk + lspci -vvv, interleaved, plus "pcipass show" and
# "pcipass check" of one function) and prints one table:
#
#   functions  groups  pcipass ms  shell ms  ratio  pcipass ms/fn  show ms  check ms
#
# (show ms and check ms: medians of at least PCIPASS_BENCH_ONE_RUNS runs,
# default 9; neither should grow with the number of functions)
#
# The shell recipe costs 0.1 to 0.9 s per function under TCG (one lspci
# process per device; more on a loaded machine and with more functions), so the number of iterations falls with the size
# (PCIPASS_BENCH_BUDGET functions x iterations, default 500, at least 1);
# pcipass runs PCIPASS_BENCH_REPEAT times (default 3) per iteration.
# Every "lspci -s" reads all functions, so the walk grows with the square
# of the size: PCIPASS_BENCH_WALK_SAMPLE=K times only about K of its lspci
# calls and scales the time up (bench/list.sh; default: the whole walk).
# bench/claim.sh runs in the first (smallest) guest only.
#
# Usage: bench/scale.sh [OPTIONS] [SIZE...]   (default sizes: 50 250)
#   --out DIR      where each guest's output goes (DIR/SIZE; default build/bench)
#   --kernel PATH  guest kernel (tests/vm/run.sh --kernel)
#   --no-claim     do not run bench/claim.sh
# The module (kmod/pcipass.ko) and the CLI (user/pcipass) must be built for
# the guest kernel.  Environment: BENCH_ROUNDS (bench/claim.sh rounds),
# PCIPASS_BENCH_GUEST (in-guest script, default tests/guest/bench.sh; it
# must print bench/list.sh's lines).
#
# Boot time grows faster than the number of functions under TCG.
# Measured here on a 2-core machine shared with other guests: 53
# functions reach init at 10 s guest time, 251 at 73-96 s with the old
# scale shape (one root port per 8 functions: 21-28 s of it in
# intel_iommu_init, soft lockups), 254 at 86 s with the current one
# (pcie-pci-bridges; intel_iommu_init 1 s).  1,003 functions of the old
# shape had QEMU OOM-killed at 23 GB; 1,004 of the current one (intel-hda
# functions) reach init after about 9.5 minutes of wall time at nice 19
# on the shared machine, QEMU under 1 GB (it still rebuilds its memory
# map, a range per BAR, at every commit: tests/vm/README.md, "Scale
# shape").  Sizes 500 and 1000 (BENCH_SIZES="50 250 500 1000") want
# PCIPASS_BENCH_WALK_SAMPLE (else about 1,000 lspci calls of a second or
# more each).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd -P)
out=$top/build/bench
kernel=
claim=1
while (($#)); do
	case $1 in
	--out) out=${2:?--out needs an argument}; shift 2 ;;
	--kernel) kernel=${2:?--kernel needs an argument}; shift 2 ;;
	--no-claim) claim=0; shift ;;
	-h | --help) sed -n '3,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) echo "bench/scale.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
sizes=("$@")
((${#sizes[@]})) || sizes=(50 250)
budget=${PCIPASS_BENCH_BUDGET:-500}
repeat=${PCIPASS_BENCH_REPEAT:-3}

# shellcheck source=tests/vm/lib.sh source-path=SCRIPTDIR/..
. "$top/tests/vm/lib.sh"
if [[ -z $kernel ]]; then
	kernel=$(vm_default_kernel)
fi
kver=$(vm_kernel_release "$kernel" "")
kargs=$("$top/tests/vm/topology.sh" --kernel-args "$kver")

rows=()
first=1
for n in "${sizes[@]}"; do
	iters=$((budget / n))
	((iters >= 1)) || iters=1
	dir=$out/$n
	mkdir -p "$dir"
	echo "bench/scale: booting a guest with about $n PCI functions ($iters iterations)" >&2
	start=$SECONDS
	rc=0
	"$top/tests/vm/run.sh" --quiet --out "$dir" --timeout 3600 --kernel "$kernel" \
		--scale "$n" --append "$kargs" \
		--env PCIPASS_BENCH_ITERS="$iters" \
		--env PCIPASS_BENCH_REPEAT="$repeat" \
		--env PCIPASS_BENCH_ONE_RUNS="${PCIPASS_BENCH_ONE_RUNS:-9}" \
		--env PCIPASS_BENCH_WALK_SAMPLE="${PCIPASS_BENCH_WALK_SAMPLE:-0}" \
		--env PCIPASS_BENCH_CLAIM=$((claim && first)) \
		--env PCIPASS_BENCH_ROUNDS="${BENCH_ROUNDS:-10}" \
		"${PCIPASS_BENCH_GUEST:-$top/tests/guest/bench.sh}" || rc=$?
	sed -n -e '/^bench\/list:/,/operators today/p' \
		-e '/^bench\/claim:/,/^bench\/claim: end/p' "$dir/console.log"
	row=$(sed -n 's/^bench\/list: row //p' "$dir/console.log" | tr -d '\r')
	if ((rc)) || [[ -z $row ]]; then
		echo "bench/scale: the guest with $n functions failed (exit $rc): $dir/console.log" >&2
		exit 1
	fi
	echo "bench/scale: $n done in $((SECONDS - start)) s (boot and run)" >&2
	rows+=("$row")
	first=0
done

echo "bench/scale: $(date -u +%Y-%m-%d), commit $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown), guest $kver, TCG"
printf '%s\n' "${rows[@]}" | awk '
	NR == 1 { printf "%9s %6s %11s %10s %7s %14s %8s %9s\n", "functions", "groups", "pcipass ms", "shell ms", "ratio", "pcipass ms/fn", "show ms", "check ms" }
	{
		printf "%9d %6d %11.1f %10.1f %6.1fx %14.3f %8.1f %9.1f\n", $1, $2, $3, $4, $4 / $3, $3 / $1, $5, $6
		per[NR] = $3 / $1
	}
	END { if (NR > 1) printf "pcipass ms per function, largest / smallest size: %.2fx\n", per[NR] / per[1] }'
