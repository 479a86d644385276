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
# Usage: bench/list.sh [ITERATIONS] [CLI]
set -euo pipefail

iters=${1:-20}
cli=${2:-$(cd "$(dirname "$0")/.." && pwd)/user/pcipass}

operators_today() {
	local g d
	for g in $(find /sys/kernel/iommu_groups/* -maxdepth 0 -type d | sort -V); do
		echo "IOMMU group ${g##*/}"
		for d in "$g"/devices/*; do
			echo "	$(lspci -nns "${d##*/}")"
		done
	done
	lspci -vvv
}

pcipass_list() {
	"$cli" list --json
}

now_ns() { date +%s%N; }

# Warm caches (pci.ids, the binaries) so neither side pays a first-run cost.
operators_today >/dev/null 2>&1
pcipass_list >/dev/null

t_ops=0 t_pp=0
for ((i = 0; i < iters; i++)); do
	a=$(now_ns); operators_today >/dev/null 2>&1; b=$(now_ns)
	pcipass_list >/dev/null; c=$(now_ns)
	t_ops=$((t_ops + b - a))
	t_pp=$((t_pp + c - b))
done

ndev=$(find /sys/bus/pci/devices -mindepth 1 -maxdepth 1 | wc -l)
ngrp=$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l)
awk -v n="$iters" -v ops="$t_ops" -v pp="$t_pp" -v d="$ndev" -v g="$ngrp" 'BEGIN {
	printf "bench/list: %d PCI functions in %d IOMMU groups, %d iterations each, interleaved\n", d, g, n
	printf "  lspci -nns per device + lspci -vvv : %8.2f ms/run\n", ops / n / 1e6
	printf "  pcipass list --json                : %8.2f ms/run\n", pp / n / 1e6
	printf "  ratio (operators today / pcipass)  : %8.1fx\n", ops / pp
}'
