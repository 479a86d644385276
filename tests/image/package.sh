#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages (make deb) installed with apt into a copy of the
# real Debian 12 test image's root, as an operator installs them on a
# Debian or Proxmox host: DKMS builds pcipass.ko for the image's kernel
# and signs it with DKMS's MOK key (created first, as on a Secure Boot
# host that enrolled one), modinfo finds it, the CLI runs, its man page,
# completion and schemas are where the tools look, the unit is enabled,
# update-initramfs ran with the hook; then purge leaves the root as it was
# before the packages (every path, compared by name).
#
# In a chroot of the image's root (the packages' scripts run there as in
# any Debian system); booting the packaged module is the persisted-claims
# boots' job (tests/boot/persist.sh).  The image's dpkg excludes man pages
# (mmdebstrap's 99mmdebstrap): that exclusion goes in the copy, so the
# man page is checked where man looks for it.  Needs the network (apt:
# the kernel headers, dkms, a compiler).
#
# usage: tests/image/package.sh BASEDIR REL DEBDIR WORKDIR
#   BASEDIR  tests/image/build.sh's cache directory
#   REL      the kernel release (one of BASEDIR/releases)
#   DEBDIR   where make deb left pcipass_V_amd64.deb and pcipass-dkms_V_all.deb
#   WORKDIR  scratch directory (replaced; removed at the end)
# Needs tests/lib/tap.sh's TAP_FILE and TAP_LOGDIR: one TAP line per step.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
base=$1 rel=$2 debdir=$3 work=$4
# shellcheck source=../lib/tap.sh
. "$top/tests/lib/tap.sh"
tap_n=$(grep -cE '^(not )?ok ' "$TAP_FILE" 2>/dev/null)

version=$(sed -n 's/^MODULE_VERSION("\(.*\)");/\1/p' "$top/kmod/main.c")
root=$work/root
mok_cn="pcipass test MOK"

in_root() { chroot "$root" "$@"; }

cleanup() {
	local m
	for m in dev/pts dev sys proc; do
		mountpoint -q "$root/$m" && umount -l "$root/$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT

# Every path of the root but those a package manager keeps for itself
# (its database, caches, logs) and the initramfs (rebuilt, same name).
snapshot() {
	(cd "$root" && find . -xdev \
		\( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp \
		-o -path ./run -o -path ./var/cache -o -path ./var/lib/apt \
		-o -path ./var/lib/dpkg -o -path ./var/log \
		-o -path ./var/lib/dkms -o -path ./var/lib/systemd \) -prune \
		-o -print | sort)
}

prepare() {
	rm -rf "$work" && mkdir -p "$work" || return 1
	cp -a "$base/root" "$root" || return 1
	rm -f "$root/etc/dpkg/dpkg.cfg.d/99mmdebstrap"
	cp /etc/resolv.conf "$root/etc/resolv.conf" || return 1
	# no service starts in a chroot
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" &&
		chmod +x "$root/usr/sbin/policy-rc.d" || return 1
	mount -t proc proc "$root/proc" && mount --bind /sys "$root/sys" &&
		mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" ||
		return 1
	local kver
	kver=$(in_root dpkg-query -W -f='${Version}' "linux-image-$rel") || return 1
	in_root apt-get update -q &&
		in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "linux-headers-$rel=$kver" dkms openssl ||
		return 1
	# A MOK key where Debian's dkms signs with it (framework.conf's
	# mok_signing_key and mok_certificate defaults)
	mkdir -p "$root/var/lib/dkms" &&
		in_root openssl req -new -x509 -newkey rsa:2048 -nodes -days 3650 \
			-subj "/CN=$mok_cn/" -outform DER \
			-keyout /var/lib/dkms/mok.key -out /var/lib/dkms/mok.pub ||
		return 1
	snapshot >"$work/before.txt"
	wc -l <"$work/before.txt"
}

install_debs() {
	local deb
	mkdir -p "$root/tmp/debs" || return 1
	for deb in "pcipass_${version}_amd64.deb" "pcipass-dkms_${version}_all.deb"; do
		cp "$debdir/$deb" "$root/tmp/debs/" || { echo "no $debdir/$deb (make deb)"; return 1; }
	done
	in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		"/tmp/debs/pcipass_${version}_amd64.deb" \
		"/tmp/debs/pcipass-dkms_${version}_all.deb"
}

# DKMS built it for REL (its own status), modinfo finds that file, and
# it carries a signature by the MOK key (Secure Boot loads it once the
# key is enrolled).
dkms_built() {
	local status file
	status=$(in_root dkms status pcipass) || return 1
	echo "dkms status: $status"
	grep -q "^pcipass/$version, $rel, x86_64: installed" <<<"$status" || return 1
	file=$(in_root modinfo -k "$rel" -F filename pcipass) || return 1
	echo "modinfo: $file version $(in_root modinfo -k "$rel" -F version pcipass)"
	[[ $file == /lib/modules/$rel/updates/dkms/pcipass.ko* ]] &&
		[ "$(in_root modinfo -k "$rel" -F version pcipass)" = "$version" ] || return 1
	echo "signature: $(in_root modinfo -k "$rel" -F sig_id pcipass)," \
		"signer $(in_root modinfo -k "$rel" -F signer pcipass)"
	[ "$(in_root modinfo -k "$rel" -F sig_id pcipass)" = "PKCS#7" ] &&
		[ "$(in_root modinfo -k "$rel" -F signer pcipass)" = "$mok_cn" ]
}

cli_in_place() {
	local f files
	[ "$(in_root pcipass --version)" = "pcipass $version" ] &&
		in_root pcipass help claim | grep -q '^Usage: pcipass claim' || return 1
	for f in /usr/share/man/man8/pcipass.8.gz \
		/usr/share/bash-completion/completions/pcipass \
		/usr/share/pcipass/schema/pcipass-list.schema.json \
		/usr/share/initramfs-tools/hooks/pcipass \
		/usr/share/initramfs-tools/scripts/init-top/pcipass \
		/etc/pcipass/claims.conf; do
		[ -f "$root$f" ] || { echo "missing: $f"; return 1; }
	done
	# enabled the way systemctl enable does it
	[ "$(readlink "$root/etc/systemd/system/basic.target.wants/pcipass-persist.service")" = \
		/lib/systemd/system/pcipass-persist.service ] ||
		{ echo "pcipass-persist.service is not enabled"; return 1; }
	# the update-initramfs trigger ran with the hook (the listing whole:
	# grep -q would end lsinitramfs early, and pipefail see its SIGPIPE)
	files=$(in_root lsinitramfs "/boot/initrd.img-$rel") || return 1
	grep -qx 'scripts/init-top/pcipass' <<<"$files" ||
		{ echo "initrd.img-$rel has no init-top/pcipass"; return 1; }
}

purged() {
	local files

	in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q pcipass pcipass-dkms ||
		return 1
	snapshot >"$work/after.txt"
	echo "paths before: $(wc -l <"$work/before.txt"), after purge: $(wc -l <"$work/after.txt")"
	diff -u "$work/before.txt" "$work/after.txt" || return 1
	! in_root modinfo -k "$rel" pcipass 2>/dev/null ||
		{ echo "modinfo still finds pcipass"; return 1; }
	[ -z "$(in_root dkms status pcipass)" ] || { echo "dkms still lists pcipass"; return 1; }
	files=$(in_root lsinitramfs "/boot/initrd.img-$rel") || return 1
	# (the image's own conf.d/pcipass-image-fstype is not ours to find)
	! grep -E '^scripts/init-top/pcipass$|/pcipass\.ko' <<<"$files" ||
		{ echo "the initramfs still holds pcipass"; return 1; }
}

tap_run "package $rel: the image's root copied, kernel headers, dkms and a MOK key installed" \
	prepare &&
	tap_run "package $rel: apt installs pcipass and pcipass-dkms" install_debs &&
	tap_run "package $rel: DKMS built pcipass $version for $rel, modinfo finds it, signed with the MOK key" \
		dkms_built &&
	tap_run "package $rel: the CLI runs; man page, completion, schemas, initramfs hook in place; unit enabled; initramfs rebuilt with it" \
		cli_in_place &&
	tap_run "package $rel: purge leaves every path of the root as before, no module, no DKMS entry, initramfs without pcipass" \
		purged
