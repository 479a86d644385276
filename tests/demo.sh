#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": build pcipass for Debian's 6.12 kernel, boot the test guest
# (QEMU, the topology of tests/vm/topology.sh) and show what pcipass sees.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/install-deps.sh"
kdir=$(ls -d /lib/modules/6.12*/build | sort -V | tail -n1)
make --no-print-directory KDIR="$kdir" module cli
exec tests/vm/run.sh --out "${PCIPASS_DEMO_OUT:-$top/build/demo}" \
	--append "$(tests/vm/topology.sh --kernel-args "$(basename "$(dirname "$kdir")")")" \
	tests/guest/demo.sh
