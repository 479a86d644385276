#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every pcipass selftest program; each prints KTAP (the kselftest
# harness's standard output, passed through untouched).  Exit status is
# non-zero when any program reported a failure, crashed, or is missing.
#
# usage: tests/selftest/run.sh [-d BINDIR] [PROGRAM...]
#   -d BINDIR   where the built programs are (default: this directory, or
#               $PCIPASS_SELFTEST_BINDIR)
#   PROGRAM     run only these (default: all of them)
#
# Needs the pcipass module loaded (tests skip otherwise) and root for the
# privileged half (those tests skip when not root).
#
# fuzz_test reads PCIPASS_FUZZ_COUNT (requests per run, default 100000),
# PCIPASS_FUZZ_QUICK=1 (10000 unless a count is given), PCIPASS_FUZZ_SEED
# (default: random, printed as "# seed=...") and PCIPASS_FUZZ_FIRST from
# the environment; see README.md.  PCIPASS_FUZZ_SEEDS="S1 S2 ..." runs
# fuzz_test once per seed instead (tests/check.sh: the 6.1 tier, quick, with
# the seeds of tests/expected/fuzz-seeds).  PCIPASS_FAULT_INJECTION=1 adds
# fault_test (the module's fault points, on the debug kernel).

set -u

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
bindir=${PCIPASS_SELFTEST_BINDIR:-$here}
progs=(netlink_test ioctl_test groundtruth_test isolation_test fuzz_test claim_test
	claim_race_test)
# fault_test needs the module's fault points, which only the debug kernel's
# fault injection gives: tests/check.sh asks for it there (and counts it,
# tests/expected/counts).
[[ ${PCIPASS_FAULT_INJECTION:-0} == 1 ]] && progs+=(fault_test)

while getopts "d:h" opt; do
	case $opt in
	d) bindir=$OPTARG ;;
	h) sed -n '3,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
(($#)) && progs=("$@")

KSFT_SKIP=4
failed=()

run_one() {	# run_one PROG [ENV=VALUE...]
	local prog=$1 bin=$bindir/$1 rc
	shift
	echo "# selftest: $prog"
	if [[ ! -x $bin ]]; then
		echo "# $bin: not built (make -C tests/selftest KSFT_DIR=...)"
		failed+=("$prog(missing)")
		return
	fi
	env "$@" "$bin"
	rc=$?
	case $rc in
	0 | "$KSFT_SKIP") echo "# selftest: $prog: exit $rc" ;;
	*)
		echo "# selftest: $prog: FAILED (exit $rc)"
		failed+=("$prog(exit $rc)")
		;;
	esac
}

for prog in "${progs[@]}"; do
	if [[ $prog == fuzz_test && -n ${PCIPASS_FUZZ_SEEDS:-} ]]; then
		for seed in $PCIPASS_FUZZ_SEEDS; do
			run_one "$prog" "PCIPASS_FUZZ_SEED=$seed"
		done
	else
		run_one "$prog"
	fi
done

if ((${#failed[@]})); then
	echo "# selftests failed: ${failed[*]}"
	exit 1
fi
echo "# selftests: all passed"
exit 0
