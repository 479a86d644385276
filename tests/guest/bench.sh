#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-guest half of "make bench": drivers as on a host, module loaded, then
# bench/list.sh and, unless PCIPASS_BENCH_CLAIM=0, bench/claim.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
modprobe -a e1000e e1000 nvme vfio-pci
insmod "${PCIPASS_KO:-kmod/pcipass.ko}"
bench/list.sh "${PCIPASS_BENCH_ITERS:-20}"
if [[ ${PCIPASS_BENCH_CLAIM:-1} != 0 ]]; then
	bench/claim.sh "${PCIPASS_BENCH_ROUNDS:-10}"
fi
