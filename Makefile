# SPDX-License-Identifier: GPL-2.0
#
# pcipass: kernel module (kmod/) and CLI (user/).
#
#   make [KDIR=...]       build pcipass.ko for the running kernel (or KDIR)
#                         and the pcipass CLI
#   make install          install both (module into /lib/modules/KVER/updates),
#                         the initramfs-tools hook, the boot unit, the
#                         metrics timer and the VM hooks (Proxmox: local:snippets/pcipass-hook,
#                         libvirt: /etc/libvirt/hooks/qemu.d/pcipass)
#   make uninstall-boot   remove the hook and the unit (then update-initramfs)
#   make uninstall-hooks  remove the VM hooks (before removing the CLI)
#   make uninstall-cli    remove the CLI and its bash completion
#   make dkms-install     register with DKMS, build and install for KVER
#   make deb              Debian packages pcipass and pcipass-dkms in build/deb/
#   make check            the whole test suite (boots QEMU guests)
#   make check-quick      the edit-test loop: 6.12 only, quick fuzz, no debug tier
#   make demo             boot the demo guest and run 'pcipass list' there
#   make regen            regenerate netlink code from the YAML spec
#   make lint             checkpatch + sparse on the module

VERSION		:= 0.1.0
KVER		?= $(shell uname -r)
KDIR		?= /lib/modules/$(KVER)/build
PREFIX		?= /usr/local
DESTDIR		?=
DKMS_SRC	:= $(DESTDIR)/usr/src/pcipass-$(VERSION)

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory
endif

.PHONY: all kdir-check module cli bench install install-module install-cli install-boot install-hooks uninstall-hooks uninstall-boot dkms-install \
	uninstall-cli install-completion uninstall-completion install-schema uninstall-schema \
	dkms-source deb dkms-uninstall clean clean-module check check-quick demo regen lint deps bench

all: module cli

kdir-check:
	$(Q)test -f "$(KDIR)/Makefile" || { \
		echo "no kernel build tree at $(KDIR):" \
		     "apt-get install linux-headers-$(KVER), or pass KDIR=" >&2; \
		exit 1; }

module: kdir-check
	$(Q)$(MAKE) -C "$(KDIR)" M="$(CURDIR)" W=1 modules

cli:
	$(Q)$(MAKE) -C user VERSION=$(VERSION)

install: install-module install-cli install-boot install-hooks

install-module: module
	$(Q)$(MAKE) -C "$(KDIR)" M="$(CURDIR)" INSTALL_MOD_DIR=updates \
		INSTALL_MOD_PATH="$(DESTDIR)" DEPMOD=true modules_install
	$(Q)if [ -z "$(DESTDIR)" ]; then depmod -a "$(KVER)"; fi

install-cli: cli install-completion install-schema
	$(Q)$(MAKE) -C user install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall-cli: uninstall-completion uninstall-schema
	$(Q)$(MAKE) -C user uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# Bash completion, where bash-completion loads it on demand (it looks in
# the share/ of XDG_DATA_DIRS, /usr/local/share and /usr/share by default).
COMPLETIONDIR	?= $(PREFIX)/share/bash-completion/completions
install-completion:
	$(Q)install -D -m 0644 completion/pcipass "$(DESTDIR)$(COMPLETIONDIR)/pcipass"

uninstall-completion:
	$(Q)rm -f "$(DESTDIR)$(COMPLETIONDIR)/pcipass"

# The JSON Schemas of the commands' --json output (schema/README.md).
SCHEMADIR	?= $(PREFIX)/share/pcipass/schema
install-schema:
	$(Q)install -d "$(DESTDIR)$(SCHEMADIR)"
	$(Q)install -m 0644 schema/*.schema.json "$(DESTDIR)$(SCHEMADIR)"

uninstall-schema:
	$(Q)rm -rf "$(DESTDIR)$(SCHEMADIR)"

# Boot: the initramfs-tools hook and init-top script (under /etc: mkinitramfs
# reads /usr/share/initramfs-tools and /etc/initramfs-tools only) and the
# systemd unit, enabled.  update-initramfs is left to the operator (the CLI
# and pcipass host say when it is due).
UNITDIR		?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
ITDIR		?= /etc/initramfs-tools
install-boot:
	$(Q)install -D -m 0755 boot/initramfs-tools/hooks/pcipass \
		"$(DESTDIR)$(ITDIR)/hooks/pcipass"
	$(Q)install -D -m 0755 boot/initramfs-tools/scripts/init-top/pcipass \
		"$(DESTDIR)$(ITDIR)/scripts/init-top/pcipass"
	$(Q)install -d "$(DESTDIR)$(UNITDIR)" "$(DESTDIR)/etc/systemd/system/basic.target.wants"
	$(Q)sed 's|@BINDIR@|$(PREFIX)/bin|' boot/systemd/pcipass-persist.service.in \
		>"$(DESTDIR)$(UNITDIR)/pcipass-persist.service"
	$(Q)ln -sf "$(UNITDIR)/pcipass-persist.service" \
		"$(DESTDIR)/etc/systemd/system/basic.target.wants/pcipass-persist.service"
	@# pcipass export prometheus for node_exporter, every minute (the
	@# service does nothing on a host without its textfile directory)
	$(Q)sed 's|@BINDIR@|$(PREFIX)/bin|' boot/systemd/pcipass-export-prometheus.service.in \
		>"$(DESTDIR)$(UNITDIR)/pcipass-export-prometheus.service"
	$(Q)install -m 0644 boot/systemd/pcipass-export-prometheus.timer "$(DESTDIR)$(UNITDIR)"
	$(Q)install -d "$(DESTDIR)/etc/systemd/system/timers.target.wants"
	$(Q)ln -sf "$(UNITDIR)/pcipass-export-prometheus.timer" \
		"$(DESTDIR)/etc/systemd/system/timers.target.wants/pcipass-export-prometheus.timer"
	$(Q)if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl daemon-reload; fi

# VM hooks under $(PREFIX)/share/pcipass/hooks; on a Proxmox VE host the
# hookscript also as the snippet 'local:snippets/pcipass-hook', with
# libvirt the qemu hook in /etc/libvirt/hooks/qemu.d.
HOOKDIR		?= $(PREFIX)/share/pcipass/hooks
PVE_SNIPPETS	?= /var/lib/vz/snippets
install-hooks:
	$(Q)install -d "$(DESTDIR)$(HOOKDIR)/proxmox"
	$(Q)sed 's|@BINDIR@|$(PREFIX)/bin|' hooks/proxmox/pcipass-hook.in \
		>"$(DESTDIR)$(HOOKDIR)/proxmox/pcipass-hook"
	$(Q)chmod 0755 "$(DESTDIR)$(HOOKDIR)/proxmox/pcipass-hook"
	$(Q)if [ -d "$(DESTDIR)/etc/pve" ]; then \
		install -D -m 0755 "$(DESTDIR)$(HOOKDIR)/proxmox/pcipass-hook" \
			"$(DESTDIR)$(PVE_SNIPPETS)/pcipass-hook"; fi
	$(Q)install -d "$(DESTDIR)$(HOOKDIR)/libvirt"
	$(Q)sed 's|@BINDIR@|$(PREFIX)/bin|' hooks/libvirt/pcipass.in \
		>"$(DESTDIR)$(HOOKDIR)/libvirt/pcipass"
	$(Q)chmod 0755 "$(DESTDIR)$(HOOKDIR)/libvirt/pcipass"
	$(Q)if [ -d "$(DESTDIR)/etc/libvirt" ]; then \
		install -D -m 0755 "$(DESTDIR)$(HOOKDIR)/libvirt/pcipass" \
			"$(DESTDIR)/etc/libvirt/hooks/qemu.d/pcipass"; fi
	@# libvirtd looks for hooks when it starts or reloads
	$(Q)if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl try-reload-or-restart libvirtd.service virtqemud.service \
			2>/dev/null || true; fi

# A libvirt hook whose binary is gone would fail every domain's start.
uninstall-hooks:
	$(Q)rm -f "$(DESTDIR)/etc/libvirt/hooks/qemu.d/pcipass" \
		"$(DESTDIR)$(PVE_SNIPPETS)/pcipass-hook"
	$(Q)rm -rf "$(DESTDIR)$(HOOKDIR)"

# The hook would otherwise run at every kernel upgrade after pcipass is gone.
uninstall-boot:
	$(Q)rm -f "$(DESTDIR)$(ITDIR)/hooks/pcipass" \
		"$(DESTDIR)$(ITDIR)/scripts/init-top/pcipass" \
		"$(DESTDIR)/etc/systemd/system/basic.target.wants/pcipass-persist.service" \
		"$(DESTDIR)$(UNITDIR)/pcipass-persist.service" \
		"$(DESTDIR)/etc/systemd/system/timers.target.wants/pcipass-export-prometheus.timer" \
		"$(DESTDIR)$(UNITDIR)/pcipass-export-prometheus.timer" \
		"$(DESTDIR)$(UNITDIR)/pcipass-export-prometheus.service"
	$(Q)if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl daemon-reload; fi

# DKMS builds from a copy of the module's sources in /usr/src: the tracked
# files of a git checkout, or every file of an export (make deb's).
DKMS_FILES	:= Kbuild Makefile dkms.conf MAINTAINERS kmod include
dkms-source:
	$(Q)rm -rf "$(DKMS_SRC)" && mkdir -p "$(DKMS_SRC)"
	$(Q)if [ -e .git ]; then git ls-files -z $(DKMS_FILES); \
		else find $(DKMS_FILES) -type f -print0; fi \
		| xargs -0 cp --parents -t "$(DKMS_SRC)"

dkms-install: dkms-source
	$(Q)dkms add -m pcipass -v $(VERSION) 2>/dev/null || true
	$(Q)dkms build -m pcipass -v $(VERSION) -k "$(KVER)"
	$(Q)dkms install -m pcipass -v $(VERSION) -k "$(KVER)" --force

dkms-uninstall:
	$(Q)dkms remove -m pcipass -v $(VERSION) --all || true
	$(Q)rm -rf "$(DKMS_SRC)"

# The Debian packages (debian/), built from an export of the tracked files
# as they are in the work tree (uncommitted changes too) in build/deb/src:
# the .debs, .buildinfo and .changes land in build/deb/.
DEB_DIR		:= build/deb
deb:
	$(Q)test -e .git || { echo "make deb: needs a git checkout" >&2; exit 1; }
	$(Q)rm -rf "$(DEB_DIR)" && mkdir -p "$(DEB_DIR)/src"
	$(Q)tree=$$(git -c user.name=pcipass -c user.email=pcipass@localhost \
		stash create) && git archive "$${tree:-HEAD}" | tar -x -C "$(DEB_DIR)/src"
	$(Q)cd "$(DEB_DIR)/src" && dpkg-buildpackage -us -uc -b -Jauto
	$(Q)ls -l $(DEB_DIR)/*.deb

clean-module:
	$(Q)if [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi

clean: clean-module
	$(Q)$(MAKE) -C user clean
	$(Q)if [ -f tests/selftest/Makefile ]; then $(MAKE) -C tests/selftest clean; fi
	$(Q)rm -rf build

deps:
	$(Q)scripts/install-deps.sh

check:
	$(Q)tests/check.sh

check-quick:
	$(Q)tests/check.sh --quick

demo:
	$(Q)tests/demo.sh

regen:
	$(Q)scripts/ynl-regen.sh

lint: kdir-check
	$(Q)tests/lint.sh "$(KDIR)"

# The demo and the benchmark run in the test guest (Debian's 6.12 kernel).
KDIR_GUEST = $(lastword $(sort $(wildcard /lib/modules/6.12*/build)))

BENCH_ROUNDS ?= 10
# About this many PCI functions per guest (tests/vm/topology.sh --scale).
# Not 500 or 1000 by default: the scale shape keeps QEMU 7.2 under 1 GB
# there now, but the 1,000-function guest still takes about 10 minutes to
# boot on a shared machine (bench/scale.sh); BENCH_SIZES="50 250 500 1000"
# with PCIPASS_BENCH_WALK_SAMPLE=50 runs them.
BENCH_SIZES ?= 50 250
bench:
	$(Q)scripts/install-deps.sh
	$(Q)$(MAKE) KDIR="$(KDIR_GUEST)" module cli
	$(Q)BENCH_ROUNDS=$(BENCH_ROUNDS) bench/scale.sh --out build/bench \
		--kernel /boot/vmlinuz-$(notdir $(KDIR_GUEST:/build=)) $(BENCH_SIZES)
