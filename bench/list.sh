#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark (not a test): time "pcipass list --json" against what operators
# run today for the same answer -- the well-known IOMMU group walk
# (a loop over /sys/kernel/iommu_groups calling "lspci -nns" per device)
# plus "lspci -vvv" for the ACS state -- side by side in one run,
# interleaved so both see the same machine.  Runs wherever pcipass.ko is
# loaded; "make bench" runs it in the test guest.
#
# Every iteration runs the shell recipe once and each pcipass command
# PCIPASS_BENCH_REPEAT times (default 1): at a thousand functions the
# shell recipe takes minutes under TCG, pcipass well under a second.
# Also timed: "pcipass show ADDR" and "pcipass check ADDR" of one function
# (PCIPASS_BENCH_ADDR, default 0000:01:00.0), whose cost should not
# depend on the number of functions: the median of every run, at least
# PCIPASS_BENCH_ONE_RUNS (default 9; more rounds of the two after the
# iterations if these gave fewer), as one slow run on a shared machine
# moves a mean by seconds.  The last line,
#   bench/list: row FUNCTIONS GROUPS PCIPASS_MS SHELL_MS SHOW_MS CHECK_MS
# (ms per run, SHELL_MS = group walk + lspci -vvv, SHOW_MS and CHECK_MS
# medians) is for bench/scale.sh.
#
# Usage: bench/list.sh [ITERATIONS] [CLI]
set -euo pipefail

iters=${1:-20}
cli=${2:-$(cd "$(dirname "$0")/.." && pwd)/user/pcipass}
repeat=${PCIPASS_BENCH_REPEAT:-1}
one_runs=${PCIPASS_BENCH_ONE_RUNS:-9}
addr=${PCIPASS_BENCH_ADDR:-0000:01:00.0}

# PCIPASS_BENCH_WALK_SAMPLE=K: call lspci for only about K of the
# devices (evenly spread) and scale the walk's time up to all of them.
# Each "lspci -s" reads every function, so at a thousand functions under
# TCG the whole walk takes most of an hour; the result says "sampled".
sample=${PCIPASS_BENCH_WALK_SAMPLE:-0}
step=1
ndev=$(find /sys/bus/pci/devices -mindepth 1 -maxdepth 1 | wc -l)
if ((sample > 0 && sample < ndev)); then
	step=$((ndev / sample))
fi
group_walk() {
	local g d k=0
	for g in $(find /sys/kernel/iommu_groups/* -maxdepth 0 -type d | sort -V); do
		echo "IOMMU group ${g##*/}"
		for d in "$g"/devices/*; do
			if ((k++ % step == 0)); then
				echo "	$(lspci -nns "${d##*/}")"
			fi
		done
	done
	walked=$(((k + step - 1) / step)) walk_total=$k
}

lspci_vvv() {
	lspci -vvv
}

pcipass_list() {
	"$cli" list --json
}

pcipass_show() {
	"$cli" show --json "$addr"
}

# check exits non-zero for a function that cannot go to a VM as it is.
pcipass_check() {
	"$cli" check --json "$addr" || (($? != 1))
}

now_ns() { date +%s%N; }

# Warm caches (pci.ids, the binaries) so neither side pays a first-run cost.
walked=0 walk_total=0
group_walk >/dev/null 2>&1 # sets walked
lspci_vvv >/dev/null 2>&1
pcipass_list >/dev/null
pcipass_show >/dev/null
pcipass_check >/dev/null

# One run each of show and check, appended to the lists of times (ns).
t_shows=() t_checks=()
show_and_check() {
	local d e f
	d=$(now_ns); pcipass_show >/dev/null
	e=$(now_ns); pcipass_check >/dev/null
	f=$(now_ns)
	t_shows+=($((e - d)))
	t_checks+=($((f - e)))
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

t_walk=0 t_vvv=0 t_pp=0
for ((i = 0; i < iters; i++)); do
	a=$(now_ns); group_walk >/dev/null 2>&1
	b=$(now_ns); lspci_vvv >/dev/null 2>&1
	c=$(now_ns)
	for ((r = 0; r < repeat; r++)); do pcipass_list >/dev/null; done
	d=$(now_ns)
	for ((r = 0; r < repeat; r++)); do show_and_check; done
	t_walk=$((t_walk + (b - a) * walk_total / walked))
	t_vvv=$((t_vvv + c - b))
	t_pp=$((t_pp + d - c))
done
while ((${#t_shows[@]} < one_runs)); do show_and_check; done
t_show=$(median "${t_shows[@]}")
t_check=$(median "${t_checks[@]}")

ngrp=$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l)
awk -v n="$iters" -v w="$t_walk" -v v="$t_vvv" -v pp="$t_pp" -v d="$ndev" -v g="$ngrp" \
	-v r="$repeat" -v sh="$t_show" -v ck="$t_check" -v a="$addr" -v wk="$walked" -v wt="$walk_total" \
	-v ns="${#t_shows[@]}" 'BEGIN {
	pp /= r
	printf "bench/list: %d PCI functions in %d IOMMU groups, %d iterations each, interleaved\n", d, g, n
	if (r > 1)
		printf "  (pcipass list: %d runs per iteration, averaged)\n", r
	if (wk < wt)
		printf "  group walk (lspci -nns per device)   : %8.2f ms/run (sampled: %d of %d lspci calls, scaled)\n", w / n / 1e6, wk, wt
	else
		printf "  group walk (lspci -nns per device)   : %8.2f ms/run\n", w / n / 1e6
	printf "  lspci -vvv (ACS state)               : %8.2f ms/run\n", v / n / 1e6
	printf "  pcipass list --json                  : %8.2f ms/run\n", pp / n / 1e6
	printf "  pcipass show %s            : %8.2f ms/run (median of %d)\n", a, sh / 1e6, ns
	printf "  pcipass check %s           : %8.2f ms/run (median of %d)\n", a, ck / 1e6, ns
	printf "  ratio walk alone / pcipass           : %8.1fx\n", w / pp
	printf "  ratio (operators today / pcipass)    : %8.1fx\n", (w + v) / pp
	printf "bench/list: row %d %d %.2f %.2f %.2f %.2f\n", d, g, pp / n / 1e6, (w + v) / n / 1e6, sh / 1e6, ck / 1e6
}'
