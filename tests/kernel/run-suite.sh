#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the guest suite (tests/guest/suite.sh) on the debug kernel: build or
# reuse the kernel (tests/kernel/build.sh), build pcipass.ko, the KUnit
# module and the test driver (tests/failprobe) against it in a scratch copy
# of the sources (so the checkout's kmod/pcipass.ko, built for the stock
# kernel, is left alone), and boot it with tests/vm/run.sh.
#
# usage: tests/kernel/run-suite.sh [RUN.SH OPTIONS...]
#   e.g. tests/kernel/run-suite.sh --out /tmp/dbg --timeout 1500 --quiet
#
# The CLI (user/pcipass) and the selftests (tests/selftest) must be built in
# the checkout already ("make cli", "make -C tests/selftest ..."): the suite
# runs them from there.  Exit status: that of tests/vm/run.sh.
# Environment: PCIPASS_DEBUG_KERNEL=DIR uses that tests/kernel/build.sh
# output instead of calling build.sh.

set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd -- "$here/../.." && pwd -P)
log() { printf 'kernel/run-suite.sh: %s\n' "$*" >&2; }

case ${1:-} in -h | --help) sed -n '3,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac

for f in user/pcipass tests/selftest/netlink_test; do
	[[ -x $top/$f ]] || { log "error: $top/$f not built"; exit 1; }
done

k=${PCIPASS_DEBUG_KERNEL:-$("$here/build.sh" | tail -n 1)}
[[ -f $k/bzImage && -d $k/build && -d $k/root ]] || { log "error: no debug kernel in '$k'"; exit 1; }

# The guest sees the host's / read-only: a scratch dir anywhere works.
work=$(mktemp -d "${TMPDIR:-/tmp}/pcipass-debug-ko.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
(cd "$top" && git ls-files -z -- Kbuild kmod include tests/kunit tests/failprobe |
	xargs -0 cp --parents -t "$work")
log "building the modules against $k/build in $work"
make -s -C "$k/build" M="$work" W=1 modules >&2
make -s -C "$k/build" M="$work/tests/failprobe" W=1 modules >&2

envs=(--env "PCIPASS_KO=$work/kmod/pcipass.ko" --env "KSRC=$("$top/scripts/ksrc.sh" 6.12)"
	--env "PCIPASS_FAILPROBE_KO=$work/tests/failprobe/pcipass_failprobe.ko"
	--env PCIPASS_FAULT_INJECTION=1)
if [[ -f $work/tests/kunit/pcipass_kunit.ko ]]; then
	envs+=(--env "PCIPASS_KUNIT_KO=$work/tests/kunit/pcipass_kunit.ko")
fi
cd "$top"
set +e
"$top/tests/vm/run.sh" --kernel "$k/bzImage" --modules-root "$k/root" \
	--append "$("$top/tests/vm/topology.sh" --kernel-args "$(cat "$k/release")")" \
	"${envs[@]}" "$@" tests/guest/suite.sh
rc=$?
exit "$rc"
