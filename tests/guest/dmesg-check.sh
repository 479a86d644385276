#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fail when a guest kernel log shows a splat: WARN, BUG, oops, lockdep,
# KASAN/UBSAN reports, RCU stalls, hung tasks, or a refcount warning.
# The two expected taint notices for an unsigned out-of-tree module are
# not splats (the guest suite checks the taint bits themselves).
# Usage: dmesg-check.sh DMESG_FILE
set -uo pipefail

log=${1:?usage: dmesg-check.sh DMESG_FILE}
[ -s "$log" ] || { echo "dmesg-check: $log is missing or empty" >&2; exit 1; }

pattern='WARNING:|BUG:|Oops|general protection fault|Call Trace:|'\
'kernel BUG|possible circular locking|possible recursive locking|'\
'inconsistent lock state|sleeping function called from invalid context|'\
'KASAN:|UBSAN:|refcount_t:|rcu_sched self-detected stall|'\
'rcu: INFO:|blocked for more than|Kernel panic'

if grep -qE "$pattern" "$log"; then
	# The report with enough context to act on (stack, locks held).
	grep -nE -B3 -A30 "$pattern" "$log" | head -n 200
	echo "dmesg-check: kernel log of $log shows the splats above" >&2
	exit 1
fi
echo "dmesg-check: $(wc -l <"$log") lines, no splats"
