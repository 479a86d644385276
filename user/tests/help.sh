#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The CLI's help and usage errors, without the module: every command that
# `pcipass help` lists has its own `pcipass help CMD` (exit 0, on stdout,
# naming that command only), `pcipass CMD --help` and `-h` print the same,
# `pcipass help NOSUCH` and an extra argument to any command are usage
# errors (exit 2, nothing on stdout, the argument named on stderr).
#
# Usage: help.sh PCIPASS_BINARY
set -u

bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); }
fail() { echo "FAIL help: $*"; failed=$((failed + 1)); }

# usage_error WHAT ARGS...: exit 2, stdout empty, WHAT on stderr.
usage_error() {
	what=$1
	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$what" "$tmp/err"; then
		ok
	else
		fail "pcipass $*: exit $rc, stdout $(wc -c <"$tmp/out") bytes, stderr: $(cat "$tmp/err")"
	fi
}

"$bin" help >"$tmp/overview" 2>"$tmp/err"
rc=$?
cmds=$(sed -n '/^Commands:$/,/^$/s/^  \([a-z-]*\) .*/\1/p' "$tmp/overview")
if [ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && [ -n "$cmds" ]; then
	ok
else
	fail "pcipass help: exit $rc, commands '$cmds', stderr: $(cat "$tmp/err")"
fi
"$bin" --help | cmp -s - "$tmp/overview" && ok ||
	fail "pcipass --help differs from pcipass help"

for c in $cmds; do
	"$bin" help "$c" >"$tmp/$c" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != 0 ] || [ -s "$tmp/err" ] || [ ! -s "$tmp/$c" ]; then
		fail "pcipass help $c: exit $rc, stderr: $(cat "$tmp/err")"
		continue
	fi
	# Its usage lines name it and nothing else; no line of the overview's
	# command list (another command's summary) is in it.
	if head -n1 "$tmp/$c" | grep -q "^Usage: pcipass $c\( \|\$\)" &&
		! grep '^\(Usage:\|      \) pcipass ' "$tmp/$c" |
			grep -v "pcipass $c\( \|\$\)" | grep -q . &&
		! grep -q '^Commands:' "$tmp/$c" &&
		! sed -n '/^Commands:$/,/^$/{/^  /p}' "$tmp/overview" |
			grep -Fxf - "$tmp/$c" | grep -q .; then
		ok
	else
		fail "pcipass help $c does not name only $c:"
		sed 's/^/  | /' "$tmp/$c"
	fi
	for h in --help -h; do
		if "$bin" "$c" "$h" 2>&1 | cmp -s - "$tmp/$c"; then
			ok
		else
			fail "pcipass $c $h differs from pcipass help $c"
		fi
	done
done

usage_error "unknown command 'nosuch'" help nosuch
usage_error "unexpected argument 'EXTRA'" help list EXTRA
usage_error "unknown command 'nosuch'" nosuch
# One extra positional argument for every command that takes a fixed
# number (persist remove takes any): rejected before anything runs.
usage_error "unexpected argument 'EXTRA'" list EXTRA
usage_error "unexpected argument 'EXTRA'" show 01:00.0 EXTRA
usage_error "unexpected argument 'EXTRA'" check 01:00.0 EXTRA
usage_error "unexpected argument 'EXTRA'" host EXTRA
usage_error "unexpected argument 'EXTRA'" claim 01:00.0 EXTRA
usage_error "unexpected argument 'EXTRA'" release 01:00.0 EXTRA
for sub in list apply wait boot-option; do
	usage_error "unexpected argument 'EXTRA'" persist "$sub" EXTRA
done
usage_error "unexpected argument 'EXTRA'" hook proxmox 101 pre-start EXTRA
usage_error "unexpected argument 'EXTRA'" hook libvirt vm prepare begin - EXTRA
usage_error "unexpected argument 'EXTRA'" rom check vbios.rom EXTRA
usage_error "unexpected argument 'EXTRA'" rom save 01:00.0 vbios.rom EXTRA
usage_error "unexpected argument 'EXTRA'" monitor EXTRA
usage_error "unexpected argument 'EXTRA'" version EXTRA
# A usage error points at the command's own help.
usage_error "Try 'pcipass help list'" list --no-such-option

echo "help: $passed passed, $failed failed"
[ "$failed" = 0 ]
