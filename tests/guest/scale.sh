#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-guest half of the scale check of "make check" (tests/check.sh, 6.12
# tier), run by tests/vm/run.sh --scale N in a guest of its own with about
# N PCI functions (the scale shape of tests/vm/topology.sh): host drivers
# as in the main suite, the fresh module, then tests/e2e/scale_test.py
# (list, show and check against sysfs).  Writes only
# $PCIPASS_OUT/results/scale.tap: the tier counts every *.tap under its
# directory (tests/expected/counts, suite "scale").
# Environment: PCIPASS_KO (the module), PCIPASS_SCALE (N: scale_test.py
# fails on fewer functions, so a guest booted without the shape cannot pass).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
results=${PCIPASS_OUT:?run me through tests/vm/run.sh}/results
mkdir -p "$results"
scale=${PCIPASS_SCALE:?the number of PCI functions asked of tests/vm/run.sh --scale}
echo "# scale guest: $(uname -r), $(find /sys/bus/pci/devices -mindepth 1 | wc -l) PCI functions at $(cut -d' ' -f1 /proc/uptime) s"

# The main suite's host drivers (no udev here: nothing loads them), so
# the listed drivers are a mix; snd_hda_intel stays unloaded, the scale
# functions unbound.  insmod, not modprobe: the main suite tests the
# install and autoload, this guest gets no module index.
modprobe -a e1000e e1000 nvme vfio-pci || exit 1
insmod "${PCIPASS_KO:-$top/kmod/pcipass.ko}" || exit 1

python3 tests/e2e/scale_test.py --cli "$top/user/pcipass" \
	--min-functions "$scale" >"$results/scale.tap"
rc=$?
# The console gets the failures and the timings; the host prints the file.
grep -E '^not ok |^# timing:' "$results/scale.tap"
echo "# scale.tap: $(grep -c '^ok ' "$results/scale.tap") ok, $(grep -c '^not ok ' "$results/scale.tap") not ok"
rmmod pcipass || rc=1
exit "$rc"
