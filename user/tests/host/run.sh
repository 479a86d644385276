#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Golden tests for `pcipass host`.  Each directory here is one host: root/
# is its /proc, /sys, /boot, /etc and /lib/modules; `modules` lists the
# module files to fabricate under lib/modules/RELEASE ("PATH [SIGNER]",
# signed with a throw-away key named SIGNER when given); expected.txt is
# the text output followed by "[exit N]", expected.json the pretty JSON;
# `mtimes` (optional) gives files in root/ a time ("PATH TIME" lines,
# for touch -d); `facts` holds what the case exists for, written by a person: lines the
# text output must contain (fixed substrings; "json STRING" looks in the
# JSON instead), among them the "[exit N]" line.  The facts are checked on
# their own, before and apart from the golden comparison, and nothing
# rewrites them.
# The CLI's test build (pcipass-test: the shipped pcipass refuses the
# hook) runs with PCIPASS_SYSROOT pointing at a copy of root/ in which
# depmod has built real module indexes, so libkmod is exercised as on a
# host.
#
# Usage: [GOLDEN_SUITE=NAME] run.sh PCIPASS_BINARY [CASE...]
#        UPDATE_GOLDEN=1 run.sh ...   rewrites the expected files, then
#                                     fails: review the diff and rerun
#                                     without it (the facts still apply)
# Needs cc, depmod (kmod) and openssl.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
cc=${CC:-cc}
depmod=$(PATH=$PATH:/usr/sbin:/sbin command -v depmod) || {
	echo "run.sh: depmod not found (apt-get install kmod)" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One throw-away signing key per signer name, made on first use.
key_for() {
	k=$tmp/keys/$(printf '%s' "$1" | tr -c 'A-Za-z0-9' _)
	if [ ! -f "$k.pem" ]; then
		mkdir -p "$tmp/keys"
		openssl req -new -x509 -nodes -batch -utf8 -sha256 -days 36500 \
			-newkey rsa:2048 -subj "/CN=$1" \
			-keyout "$k.key" -out "$k.pem" 2>"$tmp/openssl.log" || {
			cat "$tmp/openssl.log" >&2
			return 1
		}
	fi
	echo "$k"
}

# Big-endian 32-bit length as four bytes.
be32() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' \
		$(($1 >> 24 & 255)) $(($1 >> 16 & 255)) \
		$(($1 >> 8 & 255)) $(($1 & 255)))"
}

# The kernel's appended-signature format (what scripts/sign-file writes):
# module, detached PKCS#7 without certificates, struct module_signature
# (id_type 2 = PKCS#7, everything else 0 but the length), magic.
sign() {
	k=$(key_for "$2") || return 1
	openssl cms -sign -binary -noattr -nocerts -nosmimecap -md sha256 \
		-signer "$k.pem" -inkey "$k.key" -in "$1" -outform DER \
		-out "$tmp/sig" || return 1
	len=$(wc -c <"$tmp/sig")
	cat "$tmp/sig" >>"$1"
	printf '\000\000\002\000\000\000\000\000' >>"$1"
	be32 "$len" >>"$1"
	printf '~Module signature appended~\n' >>"$1"
}

# Fabricates the case's module files and indexes them with depmod.
# Every step checks its status: callers run this inside "if", where the
# shell ignores set -e.
build_modules() {
	root=$1 release=$2 list=$3
	mdir=$root/lib/modules/$release
	[ -d "$mdir" ] || return 0
	if [ -f "$list" ]; then
		grep -v '^#' "$list" | while read -r path signer; do
			[ -n "$path" ] || continue
			name=$(basename "$path" .ko | tr - _)
			mkdir -p "$(dirname "$mdir/$path")" &&
			"$cc" -c -DMODNAME="$name" -o "$mdir/$path" \
				"$here/fake-module.c" || exit 1
			[ -z "$signer" ] || sign "$mdir/$path" "$signer" ||
				exit 1
		done || return 1
	fi
	# Quiet about the files a real kernel tree has and fixtures skip.
	touch "$mdir/modules.order"
	"$depmod" -b "$root" "$release" 2>"$tmp/depmod.log" || {
		cat "$tmp/depmod.log" >&2
		return 1
	}
}

# Prints the case's output in the golden format: text then JSON.  The
# arguments come from the case's "args" file when it has one (the cases in
# tests/impact/ give tests/impact_run the functions to look at).
run_case() {
	root=$1 out=$2 args=host
	[ ! -f "$3/args" ] || args=$(cat "$3/args")
	rc=0
	# shellcheck disable=SC2086
	PCIPASS_SYSROOT=$root "$bin" $args >"$out.txt" 2>&1 || rc=$?
	echo "[exit $rc]" >>"$out.txt"
	rc=0
	# shellcheck disable=SC2086
	PCIPASS_SYSROOT=$root "$bin" -p $args >"$out.json" 2>&1 || rc=$?
}

# Every line of the case's facts file must be in the output.
check_facts() {
	case_dir=$1 out=$2 name=$(basename "$1")
	if [ ! -f "$case_dir/facts" ]; then
		echo "FAIL $suite facts: $name has no facts file"
		return 1
	fi
	if ! grep -q '^\[exit [0-9]*\]$' "$case_dir/facts"; then
		echo "FAIL $suite facts: $name/facts states no [exit N]"
		return 1
	fi
	ok=0
	while IFS= read -r fact; do
		case $fact in
		'' | '#'*) continue ;;
		'json '*) file=$out.json fact=${fact#json } ;;
		*) file=$out.txt ;;
		esac
		grep -qF -- "$fact" "$file" && continue
		echo "FAIL $suite facts: $name: not in $(basename "$file"): $fact"
		ok=1
	done <"$case_dir/facts"
	return $ok
}

check_case() {
	case_dir=$1 name=$(basename "$1")
	root=$tmp/$name/root
	mkdir -p "$tmp/$name"
	cp -a "$case_dir/root" "$root" || return 1
	# "PATH TIME" lines: git keeps no mtimes, some checks compare them.
	if [ -f "$case_dir/mtimes" ]; then
		grep -v '^#' "$case_dir/mtimes" | while read -r path when; do
			touch -d "$when" "$root/$path" || exit 1
		done || return 1
	fi
	release=$(cat "$root/proc/sys/kernel/osrelease") || return 1
	build_modules "$root" "$release" "$case_dir/modules" || return 1
	run_case "$root" "$tmp/$name/out" "$case_dir"
	facts_ok=0
	check_facts "$case_dir" "$tmp/$name/out" || facts_ok=1
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		cp "$tmp/$name/out.txt" "$case_dir/expected.txt"
		cp "$tmp/$name/out.json" "$case_dir/expected.json"
		echo "rewrote $name/expected.txt and expected.json"
		return $facts_ok
	fi
	ok=$facts_ok
	diff -u "$case_dir/expected.txt" "$tmp/$name/out.txt" || ok=1
	diff -u "$case_dir/expected.json" "$tmp/$name/out.json" || ok=1
	# The JSON must also parse, whatever the golden file says.
	python3 -m json.tool "$tmp/$name/out.json" >/dev/null || ok=1
	return $ok
}

if [ $# = 0 ]; then
	set -- "$here"/*/
fi
suite=${GOLDEN_SUITE:-host}	# names the suite in the summary
passed=0 failed=0
for c in "$@"; do
	c=${c%/}
	[ -d "$c" ] || c=$here/$c
	if check_case "$c"; then
		passed=$((passed + 1))
	else
		echo "FAIL $suite golden: $(basename "$c")"
		failed=$((failed + 1))
	fi
done
echo "$suite golden: $passed passed, $failed failed"
if [ -n "${UPDATE_GOLDEN:-}" ]; then
	echo "$suite golden: goldens rewritten: review the diff and rerun without UPDATE_GOLDEN" >&2
	exit 1
fi
[ "$failed" = 0 ]
