# SPDX-License-Identifier: GPL-2.0
#
# Result recording shared by the host and guest test drivers: each check
# appends "ok N name" / "not ok N name" (KTAP-style) to $TAP_FILE, and on
# failure shows the tail of the check's log.

TAP_FILE=${TAP_FILE:-/dev/null}
TAP_LOGDIR=${TAP_LOGDIR:-/tmp}
tap_n=0

tap_result() {	# tap_result 0|1 NAME [LOG]
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n $2" | tee -a "$TAP_FILE"
	else
		echo "not ok $tap_n $2" | tee -a "$TAP_FILE"
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			sed 's/^/#   /' "$3" | tail -n 40
		fi
	fi
}

# tap_run NAME CMD...: a check that passes when CMD exits 0.
tap_run() {
	local name=$1 log
	shift
	log=$TAP_LOGDIR/$(echo "$name" | tr -c 'A-Za-z0-9_.-' '_').log
	if "$@" >"$log" 2>&1; then
		tap_result 0 "$name" "$log"
	else
		tap_result 1 "$name" "$log"
	fi
}

# tap_count FILE...: print "PASS FAIL SKIP" over KTAP/TAP result lines.
# Only top-level lines count: kselftest prints each case as "ok N name"
# and a skip as "ok N name # SKIP reason".
tap_count() {
	awk '
		/^ok [0-9]+ .*# *SKIP/ { s++; next }
		/^ok [0-9]+ /          { p++; next }
		/^not ok [0-9]+ /      { f++; next }
		END { printf "%d %d %d\n", p, f, s }
	' "$@" /dev/null
}
