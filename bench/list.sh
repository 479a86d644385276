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

group_walk() {
	local g d
	for g in $(find /sys/kernel/iommu_groups/* -maxdepth 0 -type d | sort -V); do
		echo "IOMMU group ${g##*/}"
		for d in "$g"/devices/*; do
			echo "	$(lspci -nns "${d##*/}")"
		done
	done
}

lspci_vvv() {
	lspci -vvv
}

pcipass_list() {
	"$cli" list --json
}

now_ns() { date +%s%N; }

# Warm caches (pci.ids, the binaries) so neither side pays a first-run cost.
group_walk >/dev/null 2>&1
lspci_vvv >/dev/null 2>&1
pcipass_list >/dev/null

t_walk=0 t_vvv=0 t_pp=0
for ((i = 0; i < iters; i++)); do
	a=$(now_ns); group_walk >/dev/null 2>&1
	b=$(now_ns); lspci_vvv >/dev/null 2>&1
	c=$(now_ns); pcipass_list >/dev/null
	d=$(now_ns)
	t_walk=$((t_walk + b - a))
	t_vvv=$((t_vvv + c - b))
	t_pp=$((t_pp + d - c))
done

ndev=$(find /sys/bus/pci/devices -mindepth 1 -maxdepth 1 | wc -l)
ngrp=$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l)
awk -v n="$iters" -v w="$t_walk" -v v="$t_vvv" -v pp="$t_pp" -v d="$ndev" -v g="$ngrp" 'BEGIN {
	printf "bench/list: %d PCI functions in %d IOMMU groups, %d iterations each, interleaved\n", d, g, n
	printf "  group walk (lspci -nns per device)   : %8.2f ms/run\n", w / n / 1e6
	printf "  lspci -vvv (ACS state)               : %8.2f ms/run\n", v / n / 1e6
	printf "  pcipass list --json                  : %8.2f ms/run\n", pp / n / 1e6
	printf "  ratio walk alone / pcipass           : %8.1fx\n", w / pp
	printf "  ratio (operators today / pcipass)    : %8.1fx\n", (w + v) / pp
}'
