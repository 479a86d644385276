#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing pcipass needs on Debian 12.
# Quick when everything is already there: apt is only asked for what is
# missing.
set -eu

pkgs="
	build-essential pkg-config kmod cpio xz-utils zstd python3
	linux-headers-amd64 linux-headers-6.12-amd64
	linux-image-6.12-amd64 linux-image-amd64 linux-source-6.12
	libnl-3-dev libnl-genl-3-dev libpci-dev libjson-c-dev pciutils strace
	libkmod-dev openssl libnl-route-3-dev libmount-dev libxml2-dev
	sparse python3-yaml python3-jsonschema
	flex bison bc libelf-dev
	qemu-system-x86 busybox-static dkms
	ipxe-qemu seabios
	driverctl dpdk mmdebstrap
	bash-completion
	mandoc
	prometheus prometheus-node-exporter ansible-core
	debhelper dh-dkms lintian
"

missing=
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing:$missing -- run as root (or sudo $0)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
