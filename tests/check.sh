#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole pcipass test suite ("make check"), tier by tier:
#   host   builds (6.1 and 6.12, W=1), sparse, checkpatch, DKMS builds,
#          generated code up to date, CLI and selftest builds, CLI unit tests;
#   6.12, 6.1, debug
#          boots Debian's 6.12 and 6.1 kernels and the debug kernel
#          (tests/kernel: KUnit, KASAN, lockdep) in QEMU (TCG, q35 +
#          intel-iommu, tests/vm/topology.sh), loads the fresh pcipass.ko and
#          runs tests/guest/suite.sh there (kselftests, CLI end-to-end, ground
#          truth, kernel log and taint checks); on 6.12 and 6.1 also a
#          real Debian 12 image (tests/image), booted five times with
#          persisted claims (tests/boot/persist.sh); on 6.12 also the
#          Debian packages installed into the image's root with apt
#          (tests/image/package.sh) and a guest with a few hundred PCI
#          functions (tests/guest/scale.sh; SCALE_FUNCTIONS, default 300).
# Each tier's results are held to tests/expected/counts (every suite ran
# all its cases) and tests/expected/skips (the only skips allowed) by
# tests/lib/verify_tier.py.  The 6.1 tier fuzzes in quick mode with fixed
# seeds (tests/expected/fuzz-seeds); 6.12 and debug run the full random
# stream.
#
# usage: tests/check.sh [--quick]
#   --quick   "make check-quick": host builds for 6.12 only, the 6.12 guest
#             with the quick fuzz, no 6.1 and no debug tier
# Prints the time of each tier and "N passed, N failed, N skipped" last;
# exits non-zero on any failure.
set -uo pipefail

quick=0
case ${1:-} in
--quick) quick=1 ;;
"") ;;
*) echo "usage: tests/check.sh [--quick]" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
start=$(date +%s)

"$top/scripts/install-deps.sh" || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

K612=${K612:-$(ls -d /lib/modules/6.12*/build | sort -V | tail -n1)}
K61=${K61:-$(ls -d /lib/modules/6.1.*/build | sort -V | tail -n1)}
KSRC=$("$top/scripts/ksrc.sh" 6.12) || exit 1
export KSRC

results=$top/build/results
rm -rf "$results" && mkdir -p "$results/logs"
export TAP_LOGDIR=$results/logs
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

timings=()
tier_begin() {	# tier_begin NAME: results of NAME go to $results/NAME/
	tier=$1 tier_t0=$(date +%s)
	mkdir -p "$results/$tier"
	export TAP_FILE=$results/$tier/tier.tap
	echo "# tier $tier"
}
tier_end() {	# hold the tier to tests/expected/, print and keep its time
	local t=$(( $(date +%s) - tier_t0 ))
	mapfile -t taps < <(find "$results/$tier" -name '*.tap' ! -name verify.tap | sort)
	python3 tests/lib/verify_tier.py "$tier" "${taps[@]}" >"$results/$tier/verify.tap"
	cat "$results/$tier/verify.tap"
	timings+=("$(printf 'tier %s: %dm%02ds' "$tier" $((t / 60)) $((t % 60)))")
	echo "# ${timings[-1]}"
}

warn_free_build() {	# warn_free_build KDIR DIR: W=1 build with no warnings
	make -C "$1" M="$2" W=1 modules 2>&1 | tee "$results/logs/build.tmp"
	[ "${PIPESTATUS[0]}" = 0 ] && ! grep -E 'warning:|error:' "$results/logs/build.tmp"
}

# sparse_clean KDIR DIR...: C=2 with sparse present, every file checked
# ("CHECK" lines), and not one warning or error.
sparse_clean() {
	local kdir=$1 d out
	shift
	command -v sparse >/dev/null || { echo "sparse not installed"; return 1; }
	for d in "$@"; do
		out=$(make -C "$kdir" M="$d" C=2 modules 2>&1) || { echo "$out"; return 1; }
		echo "$out"
		grep -q ' CHECK ' <<<"$out" || { echo "sparse did not run in $d"; return 1; }
		! grep -E 'warning:|error:' <<<"$out" || return 1
	done
}

# The 6.1 build gets its own copy so kmod/ stays built for the guest (6.12).
copy_tree() {
	rm -rf "$2" && mkdir -p "$2" &&
		git -C "$1" ls-files -z | (cd "$1" && xargs -0 cp -P --parents -t "$2")
}

regen_is_current() {
	local scratch
	scratch=$(mktemp -d) || return 1
	REGEN_OUT=$scratch scripts/ynl-regen.sh &&
		diff -u include/uapi/linux/pcipass.h "$scratch/include/uapi/linux/pcipass.h" &&
		diff -u kmod/pcipass-nl-gen.h "$scratch/kmod/pcipass-nl-gen.h" &&
		diff -u kmod/pcipass-nl-gen.c "$scratch/kmod/pcipass-nl-gen.c"
	local rc=$?
	rm -rf "$scratch"
	return $rc
}

dkms_build() {	# dkms_build KVER: build through DKMS from a scratch source tree
	local src=/usr/src/pcipass-check
	dkms remove -m pcipass -v check --all >/dev/null 2>&1
	rm -rf "$src" && copy_tree "$top" "$src" &&
		sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="check"/' "$src/dkms.conf" &&
		dkms add -m pcipass -v check &&
		dkms build -m pcipass -v check -k "$1"
	local rc=$?
	dkms remove -m pcipass -v check --all >/dev/null 2>&1
	rm -rf "$src"
	return $rc
}

staged_install() {	# make install into a scratch DESTDIR, check what landed
	# (and that uninstall-cli takes the bash completion and schemas away)
	local dest kver ko
	dest=$(mktemp -d) && kver=$(basename "$(dirname "$K612")") &&
		make install KDIR="$K612" KVER="$kver" DESTDIR="$dest" &&
		ko=$(find "$dest/lib/modules/$kver/updates" -name 'pcipass.ko*') &&
		[ "$(modinfo -F name "$ko")" = pcipass ] &&
		"$dest/usr/local/bin/pcipass" --version &&
		cmp completion/pcipass "$dest/usr/local/share/bash-completion/completions/pcipass" &&
		cmp doc/pcipass.8 "$dest/usr/local/share/man/man8/pcipass.8" &&
		diff -r -x README.md schema "$dest/usr/local/share/pcipass/schema" &&
		make uninstall-cli DESTDIR="$dest" &&
		[ ! -e "$dest/usr/local/share/bash-completion/completions/pcipass" ] &&
		[ ! -e "$dest/usr/local/share/pcipass/schema" ]
	local rc=$?
	rm -rf "$dest"
	return $rc
}

kname() { basename "$(dirname "$1")"; }	# /lib/modules/REL/build -> REL

# Debian packages (make deb, debian/): pcipass and pcipass-dkms, at the
# version of the module and the CLI.
deb_dir=$top/build/deb
deb_version() { sed -n 's/^MODULE_VERSION("\(.*\)");/\1/p' kmod/main.c; }
deb_file() {	# deb_file PACKAGE: its .deb in build/deb
	local f
	f=$(ls "$deb_dir/${1}_$(deb_version)_"*.deb 2>/dev/null) && [ -f "$f" ] && echo "$f"
}
deb_list() { dpkg-deb --fsys-tarfile "$1" | tar -t | sed 's|^\./|/|'; }	# deb_list DEB
deb_cat() { dpkg-deb --fsys-tarfile "$1" | tar -xO ".$2"; }	# deb_cat DEB PATH
deb_ctl() { dpkg-deb -I "$1" "$2"; }	# deb_ctl DEB CONTROLFILE

deb_lintian() {	# no error or warning, no override left unused
	local changes out
	changes=$(ls "$deb_dir"/pcipass_"$(deb_version)"_*.changes) || return 1
	out=$(lintian -I --pedantic --show-overrides --fail-on none "$changes" 2>&1)
	echo "$out" | tee "$results/logs/lintian.txt"
	! grep -E '^[EW]: |unused-override|mismatched-override' <<<"$out"
}

deb_pcipass_contents() {	# deb_pcipass_contents: what pcipass holds, and how
	local deb f v cli out
	v=$(deb_version)
	deb=$(deb_file pcipass) || { echo "no pcipass .deb"; return 1; }
	dpkg-deb -I "$deb" && deb_list "$deb" || return 1
	[ "$(dpkg-deb -f "$deb" Version)" = "$v" ] || { echo "version is not $v"; return 1; }
	for f in /usr/bin/pcipass /lib/systemd/system/pcipass-persist.service \
		/usr/share/initramfs-tools/hooks/pcipass \
		/usr/share/initramfs-tools/scripts/init-top/pcipass \
		/usr/share/pcipass/hooks/proxmox/pcipass-hook \
		/usr/share/pcipass/hooks/libvirt/pcipass /etc/pcipass/claims.conf \
		/usr/share/man/man8/pcipass.8.gz \
		/usr/share/bash-completion/completions/pcipass; do
		deb_list "$deb" | grep -qx "$f" || { echo "missing: $f"; return 1; }
	done
	# no module (pcipass-dkms builds it), nothing in /usr/local, nor where
	# the operator decides (initramfs-tools' and systemd's /etc, libvirt's
	# hooks, Proxmox's snippets)
	! deb_list "$deb" | grep -E '^/(usr/local|lib/modules|etc/systemd|etc/initramfs-tools|etc/libvirt|var)/' || return 1
	if ! deb_cat "$deb" /lib/systemd/system/pcipass-persist.service | grep -qx 'ExecStart=/usr/bin/pcipass persist wait.*' ||
	   ! deb_cat "$deb" /usr/share/pcipass/hooks/proxmox/pcipass-hook | grep -q '^exec /usr/bin/pcipass hook' ||
	   ! deb_cat "$deb" /usr/share/pcipass/hooks/libvirt/pcipass | grep -q '^exec /usr/bin/pcipass hook'; then
		echo "the unit or a hook does not run /usr/bin/pcipass"
		return 1
	fi
	# the packaged CLI runs and says the package's version
	cli=$(mktemp) && deb_cat "$deb" /usr/bin/pcipass >"$cli" && chmod +x "$cli" &&
		out=$("$cli" --version); rm -f "$cli"
	[ "${out:-}" = "pcipass $v" ] || { echo "the packaged pcipass says '${out:-}', not pcipass $v"; return 1; }
	# enabled by dh_installsystemd, the initramfs refreshed by the trigger,
	# the config skeleton a conffile
	deb_ctl "$deb" postinst | grep -q "deb-systemd-helper enable 'pcipass-persist.service'" &&
		deb_ctl "$deb" triggers | grep -qx 'activate-noawait update-initramfs' &&
		deb_ctl "$deb" conffiles | grep -qx /etc/pcipass/claims.conf
}

deb_pcipass_install() {	# every file make install stages (but the module) is packaged
	# (man pages as dh_compress leaves them)
	local deb dest rc
	deb=$(deb_file pcipass) && dest=$(mktemp -d) || return 1
	make -o install-module install PREFIX=/usr ITDIR=/usr/share/initramfs-tools \
		DESTDIR="$dest" &&
		(cd "$dest" && find . ! -type d ! -path './etc/systemd/*' |
			sed -e 's|^\.||' -e 's|^/usr/share/man/.*|&.gz|' | sort) >"$dest.want" &&
		deb_list "$deb" | sort >"$dest.have" &&
		cat "$dest.want" && ! comm -23 "$dest.want" "$dest.have" | grep .
	rc=$?
	rm -rf "$dest" "$dest.want" "$dest.have"
	return $rc
}

deb_dkms_contents() {	# the source tree for DKMS, at the right version, unbuilt
	local deb v src f
	v=$(deb_version)
	deb=$(deb_file pcipass-dkms) || { echo "no pcipass-dkms .deb"; return 1; }
	src=/usr/src/pcipass-$v
	dpkg-deb -I "$deb" && deb_list "$deb" || return 1
	for f in dkms.conf Kbuild Makefile kmod/Kbuild kmod/main.c kmod/conftest.sh \
		include/uapi/linux/pcipass.h; do
		deb_list "$deb" | grep -qx "$src/$f" || { echo "missing: $src/$f"; return 1; }
	done
	deb_cat "$deb" "$src/dkms.conf" | grep -qx "PACKAGE_VERSION=\"$v\"" ||
		{ echo "dkms.conf does not name version $v"; return 1; }
	! deb_list "$deb" | grep -E '\.(o|ko|mod|mod\.c|cmd|a|d)$|/(Module\.symvers|modules\.order|conftest\.h)$|^/usr/local/' || return 1
	! deb_list "$deb" | grep -v -e "^$src/" -e '^/usr/share/doc/pcipass-dkms/' -e '^/$' -e '^/usr/$' -e '^/usr/share/$' \
		-e '^/usr/share/doc/$' -e '^/usr/src/$' || return 1
	dpkg-deb -f "$deb" Depends | grep -q dkms &&
		deb_ctl "$deb" postinst | grep -q "common.postinst" &&
		deb_ctl "$deb" prerm | grep -q "dkms remove"
}

# deb_dkms_builds KDIR: the tree pcipass-dkms installs builds pcipass.ko
# with dkms.conf's own MAKE, as DKMS runs it, at the package's version.
# shellcheck disable=SC1091,SC2154 # dkms.conf, and the arrays it sets
deb_dkms_builds() {
	local deb v scratch rc
	deb=$(deb_file pcipass-dkms) && v=$(deb_version) && scratch=$(mktemp -d) || return 1
	dpkg -x "$deb" "$scratch" &&
		(cd "$scratch/usr/src/pcipass-$v" &&
		 kernel_source_dir=$1 && kernelver=$(kname "$1") &&
		 . ./dkms.conf && eval "nice ${MAKE[0]}" &&
		 ko=${BUILT_MODULE_LOCATION[0]}${BUILT_MODULE_NAME[0]}.ko &&
		 modinfo "$ko" && [ "$(modinfo -F version "$ko")" = "$v" ] &&
		 modinfo -F vermagic "$ko" | grep -q "^$kernelver ")
	rc=$?
	rm -rf "$scratch"
	return $rc
}

deb_checks() {
	tap_run "deb: make deb builds pcipass and pcipass-dkms $(deb_version) into build/deb" \
		nice make deb
	tap_run "deb: lintian reports no errors or warnings, no unused overrides" deb_lintian
	sed 's/^/# lintian: /' "$results/logs/lintian.txt" 2>/dev/null
	tap_run "deb: pcipass holds the CLI, the unit (enabled by dh_installsystemd), the initramfs hook (trigger) and VM hooks, nothing in /usr/local" \
		deb_pcipass_contents
	tap_run "deb: pcipass holds every file make install stages but the module" \
		deb_pcipass_install
	tap_run "deb: pcipass-dkms holds the module source with dkms.conf at $(deb_version), no build artifacts" \
		deb_dkms_contents
	tap_run "deb: pcipass-dkms's source builds pcipass.ko (dkms.conf's MAKE) against $(kname "$K612")" \
		deb_dkms_builds "$K612"
}

host_checks() {
	if ((!quick)); then
		copy_tree "$top" "$top/build/k61"
		tap_run "build: module W=1 against $(kname "$K61")" \
			warn_free_build "$K61" "$top/build/k61"
	fi
	tap_run "build: module W=1 against $(kname "$K612")" \
		warn_free_build "$K612" "$top"
	# The test-only driver (tests/failprobe), next to each pcipass.ko.
	if ((!quick)); then
		tap_run "build: failprobe test driver W=1 against $(kname "$K61")" \
			warn_free_build "$K61" "$top/build/k61/tests/failprobe"
	fi
	tap_run "build: failprobe test driver W=1 against $(kname "$K612")" \
		warn_free_build "$K612" "$top/tests/failprobe"
	if ((!quick)); then
		tap_run "lint: checkpatch --strict and sparse (6.12)" tests/lint.sh "$K612"
		tap_run "lint: sparse (6.1)" sparse_clean "$K61" \
			"$top/build/k61" "$top/build/k61/tests/failprobe"
		tap_run "build: generated netlink code matches the YAML spec" regen_is_current
		for k in "$K61" "$K612"; do
			tap_run "dkms: build for $(kname "$k")" dkms_build "$(kname "$k")"
		done
	fi
	tap_run "build: CLI" make -C user
	tap_run "json: schema/ holds valid JSON Schemas; every golden output and pcipass --json version match them, broken copies do not" \
		python3 tests/lib/schema_check.py --cli user/pcipass
	tap_run "completion: bash completion against the CLI's tables and sysfs" \
		python3 tests/host/completion_test.py
	# The man page: mdoc without warnings, and the same commands and
	# options as the CLI's help (which is built from its option tables).
	tap_run "doc: mandoc -T lint -W warning doc/pcipass.8 is clean" \
		mandoc -T lint -W warning doc/pcipass.8
	tap_run "doc: pcipass(8) documents every command and option of pcipass help, and no other" \
		python3 tests/lib/man_drift.py user/pcipass doc/pcipass.8
	((quick)) ||
		tap_run "install: make install DESTDIR= stages module and CLI" staged_install
	# Debian packages: not in --quick
	((quick)) || deb_checks
	tap_run "build: selftests" make -C tests/selftest KSFT_DIR="$KSRC/tools/testing/selftests"
	make -s --no-print-directory -C user test >"$results/logs/user-unit.log" 2>&1
	tap_result $? "cli: unit tests, pure logic ($(tail -n1 "$results/logs/user-unit.log") checks)" \
		"$results/logs/user-unit.log"
}

# The same in-guest suite on each kernel, with the module built for it,
# booted with the kernel arguments the topology needs (shape (g)).  The
# module index (modules.dep, modules.alias, ...) for the kernel's modules
# plus the fresh pcipass.ko is made on the host first: depmod over the
# guest's 9p root took about 100 s of each guest's time under TCG.
guest_run() {	# guest_run RELEASE KO MODROOT [run.sh options...]
	local name=$1 ko=$2 modroot=$3 out=$results/$tier rc kargs
	shift 3
	echo "# guest checks: $name"
	kargs=$(tests/vm/topology.sh --kernel-args "$name") ||
		{ tap_result 1 "guest $name: kernel arguments for the topology"; return 1; }
	tap_run "guest $name: module index with the fresh pcipass.ko made on the host" \
		tests/vm/depmod-stage.sh "$name" "$ko" "$modroot" "$out/modindex"
	tests/vm/run.sh --out "$out" --timeout "${GUEST_TIMEOUT:-2400}" \
		--env PCIPASS_KO="$ko" --env KSRC="$KSRC" \
		--env PCIPASS_MODINDEX="$out/modindex" --append "$kargs" "$@" \
		tests/guest/suite.sh
	rc=$?
	# The guest's TAP files in full (the serial console got only failures).
	for f in "$out"/results/*.tap; do
		[ -f "$f" ] && { echo "# $f"; cat "$f"; }
	done
	tap_result "$([ "$rc" = 0 ] && echo 0 || echo 1)" \
		"guest $name: booted, ran the suite, exited 0 (rc=$rc)" "$out/console.log"
	tap_run "guest $name: whole kernel log free of WARN/BUG/oops/KASAN/lockdep splats" \
		tests/guest/dmesg-check.sh "$out/dmesg.txt"
}

# At scale: a second 6.12 guest booted with about SCALE_FUNCTIONS PCI
# functions (the scale shape of tests/vm/topology.sh, tests/vm/run.sh
# --scale), where tests/guest/scale.sh checks list, show and check
# against sysfs (tests/e2e/scale_test.py).  The 1,000+ sizes are "make
# bench" (bench/scale.sh): such a guest boots for minutes.  Measured here
# (TCG, 2-core machine shared with other guests): 254 functions reached
# init at 16 s and took 99 s of wall time in all, 304 functions (300
# asked) 16-24 s and 82-168 s; 300 puts a second bridge (a second scale
# group) in the guest.  Its own output dir under the tier's: the tier
# counts the scale.tap found there.
scale_functions=${SCALE_FUNCTIONS:-300}
scale_run() {	# scale_run RELEASE KO [run.sh options...]
	local name=$1 ko=$2 out=$results/$tier/scale rc kargs
	shift 2
	echo "# guest checks at scale: $name, $scale_functions PCI functions"
	kargs=$(tests/vm/topology.sh --kernel-args "$name") ||
		{ tap_result 1 "guest $name at scale: kernel arguments for the topology"; return 1; }
	tests/vm/run.sh --out "$out" --timeout "${SCALE_TIMEOUT:-900}" \
		--scale "$scale_functions" --env PCIPASS_KO="$ko" \
		--env PCIPASS_SCALE="$scale_functions" --append "$kargs" "$@" \
		tests/guest/scale.sh
	rc=$?
	[ -f "$out/results/scale.tap" ] && { echo "# $out/results/scale.tap"; cat "$out/results/scale.tap"; }
	tap_result "$([ "$rc" = 0 ] && echo 0 || echo 1)" \
		"guest $name at $scale_functions PCI functions: booted, ran the scale suite, exited 0 (rc=$rc)" \
		"$out/console.log"
	tap_run "guest $name at $scale_functions PCI functions: kernel log free of WARN/BUG/oops/splats" \
		tests/guest/dmesg-check.sh "$out/dmesg.txt"
}

# The 6.1 tier fuzzes fewer requests from seeds fixed in the repository:
# the full random stream runs on 6.12 and under KASAN/lockdep.
fuzz_seeds=$(grep -v '^#' tests/expected/fuzz-seeds | tr -s ' \n' ' ')

# The debug kernel builds (or is found in its cache) in the background from
# the start: the stock guests keep about one core busy, the build takes
# the other.  Its result is waited for at the debug tier.
if ((!quick)); then
	kbuild_t0=$(date +%s)
	tests/kernel/build.sh >"$results/logs/kernel-build.out" 2>"$results/logs/kernel-build.log" &
	kbuild_pid=$!
	# The real Debian 12 image (tests/image), built or reused, likewise.
	tests/image/build.sh >"$results/logs/image-build.out" 2>"$results/logs/image-build.log" &
	ibuild_pid=$!
fi

# Persisted claims across real boots of the Debian image on one kernel
# (tests/boot/persist.sh), after the tier's own guest.
image_base=
image_run() {	# image_run RELEASE
	if [ -z "$image_base" ]; then
		wait "$ibuild_pid"
		local rc=$?
		image_base=$(tail -n1 "$results/logs/image-build.out")
		tap_result "$([ "$rc" = 0 ] && [ -d "$image_base/root" ] && echo 0 || echo 1)" \
			"image: Debian 12 built or reused ($image_base)" "$results/logs/image-build.log" ||
			true
		[ "$rc" = 0 ] && [ -d "$image_base/root" ] || { image_base=none; return 1; }
	fi
	[ "$image_base" != none ] || return 1
	tests/boot/persist.sh "$image_base" "$1" "$results/$tier/image"
	tap_n=$(grep -cE '^(not )?ok ' "$TAP_FILE")
}

# The Debian packages the host tier built (make deb), installed with apt
# into a copy of the image's root: DKMS, signing, files, purge
# (tests/image/package.sh).
package_run() {	# package_run RELEASE
	[ -n "$image_base" ] && [ "$image_base" != none ] ||
		{ tap_result 1 "package $1: the Debian image is there to install into"; return 1; }
	tests/image/package.sh "$image_base" "$1" "$deb_dir" "$results/$tier/package-work" \
		>"$results/logs/package-$1.log" 2>&1
	tap_n=$(grep -cE '^(not )?ok ' "$TAP_FILE")
}

tier_begin "$( ((quick)) && echo host-quick || echo host)"
host_checks
tier_end

kver612=$(kname "$K612")
tier_begin 6.12
if ((quick)); then
	guest_run "$kver612" "$top/kmod/pcipass.ko" / --kernel "/boot/vmlinuz-$kver612" \
		--env PCIPASS_FAILPROBE_KO="$top/tests/failprobe/pcipass_failprobe.ko" \
		--env PCIPASS_ONE_KERNEL_SUITES=1 \
		--env PCIPASS_FUZZ_QUICK=1
else
	guest_run "$kver612" "$top/kmod/pcipass.ko" / --kernel "/boot/vmlinuz-$kver612" \
		--env PCIPASS_FAILPROBE_KO="$top/tests/failprobe/pcipass_failprobe.ko" \
		--env PCIPASS_ONE_KERNEL_SUITES=1
	scale_run "$kver612" "$top/kmod/pcipass.ko" --kernel "/boot/vmlinuz-$kver612"
	image_run "$kver612"
	package_run "$kver612"
fi
tier_end

if ((!quick)); then
	kver61=$(kname "$K61")
	tier_begin 6.1
	guest_run "$kver61" "$top/build/k61/kmod/pcipass.ko" / --kernel "/boot/vmlinuz-$kver61" \
		--env PCIPASS_FAILPROBE_KO="$top/build/k61/tests/failprobe/pcipass_failprobe.ko" \
		--env PCIPASS_FUZZ_QUICK=1 --env PCIPASS_FUZZ_SEEDS="$fuzz_seeds"
	image_run "$kver61"
	tier_end

	# Debug tier: the same suite on a kernel with KUnit, KASAN and lockdep,
	# built from the same linux-source-6.12 (cached between runs), plus
	# the KUnit suites.
	tier_begin debug
	wait "$kbuild_pid"
	kbuild_rc=$?
	kdbg=$(tail -n1 "$results/logs/kernel-build.out")
	if [ "$kbuild_rc" = 0 ] && [ -f "$kdbg/bzImage" ]; then
		tap_result 0 "debug kernel: built or reused (ready $(( $(date +%s) - kbuild_t0 )) s after the start of the build, waited $(( $(date +%s) - tier_t0 )) s; $kdbg)"
		copy_tree "$top" "$top/build/kdbg"
		tap_run "build: module and KUnit suites W=1 against the debug kernel" \
			warn_free_build "$kdbg/build" "$top/build/kdbg"
		tap_run "build: failprobe test driver W=1 against the debug kernel" \
			warn_free_build "$kdbg/build" "$top/build/kdbg/tests/failprobe"
		guest_run "$(cat "$kdbg/release")" "$top/build/kdbg/kmod/pcipass.ko" "$kdbg/root" \
			--kernel "$kdbg/bzImage" --modules-root "$kdbg/root" \
			--env PCIPASS_FAILPROBE_KO="$top/build/kdbg/tests/failprobe/pcipass_failprobe.ko" \
			--env PCIPASS_KUNIT_KO="$top/build/kdbg/tests/kunit/pcipass_kunit.ko" \
			--env PCIPASS_FAULT_INJECTION=1
	else
		tap_result 1 "debug kernel: build" "$results/logs/kernel-build.log"
	fi
	tier_end
fi

mapfile -t taps < <(find "$results" -name '*.tap' | sort)
read -r pass fail skip <<<"$(tap_count "${taps[@]}")"
echo "# result files: ${taps[*]}"
for t in "${timings[@]}"; do echo "# $t"; done
total=$(( $(date +%s) - start ))
printf '# wall time: %dm%02ds\n' $((total / 60)) $((total % 60))
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
