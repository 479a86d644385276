#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-guest half of "make check", run by tests/vm/run.sh as root inside
# a QEMU guest with the repository at the same path as on the host.
# Writes KTAP/TAP result files to $PCIPASS_OUT/results/*.tap.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
results=${PCIPASS_OUT:?run me through tests/vm/run.sh}/results
mkdir -p "$results/logs"
export TAP_FILE=$results/guest.tap TAP_LOGDIR=$results/logs
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/guest/topology.sh
. "$top/tests/guest/topology.sh"

# A suite's whole TAP goes to its file in the output share, which the host
# prints after the guest: on the serial console, under TCG, the selftests'
# 130 KB took over a minute.  The console gets the failures and a count.
tap_brief() {	# tap_brief FILE
	local pass fail skip
	read -r pass fail skip <<<"$(tap_count "$1")"
	grep -E '^not ok ' "$1"
	echo "# ${1##*/}: $pass passed, $fail failed, $skip skipped"
}

kver=$(uname -r)
ko=${PCIPASS_KO:-$top/kmod/pcipass.ko}
cli=$top/user/pcipass
echo "# guest: $kver, $(find /sys/bus/pci/devices -mindepth 1 | wc -l) PCI functions"

# --- Drivers in a realistic mix: host drivers, vfio-pci, overrides --------

bind_vfio() {	# the safe order: override first, then unbind, then probe
	local dev=/sys/bus/pci/devices/$1
	echo vfio-pci >"$dev/driver_override"
	if [ -e "$dev/driver" ]; then echo "$1" >"$dev/driver/unbind"; fi
	echo "$1" >/sys/bus/pci/drivers_probe
}

enable_vfs() {	# the PF's driver creates VFs; keep drivers off them
	local pf=/sys/bus/pci/devices/$1
	echo 0 >"$pf/sriov_drivers_autoprobe" && echo "$2" >"$pf/sriov_numvfs"
}

prepare_drivers() {
	modprobe -a e1000e e1000 nvme vfio-pci || return 1
	enable_vfs 0000:0a:00.0 2 || return 1			# (f): two VFs
	bind_vfio 0000:01:00.0 &&				# group (a): vfio, viable
		bind_vfio 0000:08:01.0 && bind_vfio 0000:08:02.0 &&	# (d): shpchp stays on the bridge
		bind_vfio 0000:06:00.1 &&				# group (c): half bound
		# An override that does not match the bound driver (not rebound).
		echo vfio-pci >/sys/bus/pci/devices/0000:04:00.0/driver_override
	[ "$(basename "$(readlink /sys/bus/pci/devices/0000:08:01.0/driver)")" = vfio-pci ]
}
tap_run "setup: host drivers loaded, four functions moved to vfio-pci, two SR-IOV VFs" prepare_drivers
tap_run "setup: host drivers on the GPU, its audio function and the USB controller (shapes j, k)" topo_drivers
tap_run "setup: host NIC $PCIPASS_VM_HOST_NIC has $PCIPASS_VM_HOST_NIC_ADDR and a route" topo_host_nic
tap_run "topology: PCI functions, IOMMU groups and ACS as tests/vm/topology.sh documents" topo_check

taint_before=$(cat /proc/sys/kernel/tainted)

# --- Before the module is installed: the CLI must say how to load it -------

cli_says_not_loaded() {
	local err rc
	err=$("$cli" list 2>&1 >/dev/null)
	rc=$?
	echo "rc=$rc: $err"
	[ "$rc" = 1 ] && [[ $err == *"modprobe pcipass"* ]]
}
tap_run "cli: without the module, says it is not loaded and how to load it" cli_says_not_loaded

# --- Install into a writable overlay of /lib/modules, load on first use ----

# The module index: made on the host by tests/vm/depmod-stage.sh for this
# very .ko (PCIPASS_MODINDEX, what tests/check.sh passes), or by depmod
# here (slow over 9p: about 100 s under TCG).
install_module() {
	local mods=/lib/modules/$kver
	modprobe overlay &&
		mkdir -p /run/modovl && mount -t tmpfs pcipass-mods /run/modovl &&
		mkdir -p /run/modovl/upper /run/modovl/work &&
		mount -t overlay overlay \
			-o "lowerdir=$mods,upperdir=/run/modovl/upper,workdir=/run/modovl/work" \
			"$mods" &&
		mkdir -p "$mods/updates" && cp "$ko" "$mods/updates/pcipass.ko" || return 1
	if [ -n "${PCIPASS_MODINDEX:-}" ]; then
		cp "$PCIPASS_MODINDEX"/modules.* "$mods/" || return 1
	else
		depmod -a "$kver" || return 1
	fi
	modprobe -n -v pcipass | tee /dev/stderr | grep -q "$mods/updates/pcipass.ko"
}
tap_run "setup: fresh pcipass.ko installed into /lib/modules (overlay) with its module index" \
	install_module

autoloads() {
	! grep -q '^pcipass ' /proc/modules || return 1
	"$cli" version || return 1
	grep -q '^pcipass ' /proc/modules &&
		[ "$(cat /sys/module/pcipass/srcversion)" = "$(modinfo -F srcversion "$ko")" ]
}
tap_run "module: autoloads on first use of the genetlink family (the fresh build)" autoloads

chardev_ok() {
	local st
	st=$(stat -c '%F %a' /dev/pcipass) || return 1
	echo "$st"
	[ "$st" = "character special file 644" ]
}
tap_run "module: /dev/pcipass is a character device, mode 0644" chardev_ok

# --- The test driver whose probe fails on demand (tests/failprobe) ---------

# With plain sysfs on VF 0a:00.2 (unbound, alone in its group): bound by
# driver_override, then its probe made to fail; the function is put back
# as it was and the driver unloaded (the tests that use it load it again).
failprobe_ko=${PCIPASS_FAILPROBE_KO:-$top/tests/failprobe/pcipass_failprobe.ko}
fp_addr=0000:0a:00.2
fp_dev=/sys/bus/pci/devices/$fp_addr
fp_par=/sys/module/pcipass_failprobe/parameters

fp_driver() { topo_driver 0a:00.2; }	# the driver's name, or nothing

fp_reprobe() {	# unbind if bound, probe again; a failed probe fails the write
	if [ -e "$fp_dev/driver" ]; then echo "$fp_addr" >"$fp_dev/driver/unbind"; fi
	echo "$fp_addr" >/sys/bus/pci/drivers_probe 2>/dev/null
	echo "probe: driver=$(fp_driver) probes=$(cat "$fp_par/probes")"
}

fp_exercise() {
	local before log
	[ "$(cat "$fp_par/probes") $(cat "$fp_par/fail_nth")" = "0 0" ] || return 1
	# Empty ID table: without the override even a manual bind is refused.
	! echo "$fp_addr" >/sys/bus/pci/drivers/pcipass-failprobe/bind 2>/dev/null &&
		[ -z "$(fp_driver)" ] && [ "$(cat "$fp_par/probes")" = 0 ] || return 1
	echo pcipass-failprobe >"$fp_dev/driver_override" && fp_reprobe
	[ "$(fp_driver)" = pcipass-failprobe ] && [ "$(cat "$fp_par/probes")" = 1 ] || return 1
	# The first probe after a reset fails: the function stays unbound.
	before=$(dmesg | wc -l)
	echo 1 >"$fp_par/fail_nth" && echo 0 >"$fp_par/probes" && fp_reprobe
	[ -z "$(fp_driver)" ] && [ "$(cat "$fp_par/probes")" = 1 ] || return 1
	log=$(dmesg | tail -n +"$((before + 1))" | grep -F "$fp_addr")
	echo "$log"
	grep -q 'failed with error -5' <<<"$log" &&
		grep -q 'probe 1 fails with -EIO (fail_nth)' <<<"$log" || return 1
	# By address instead: fails whatever the count.
	echo 0 >"$fp_par/fail_nth" && echo "$fp_addr" >"$fp_par/fail_addr" && fp_reprobe
	[ -z "$(fp_driver)" ] && [ "$(cat "$fp_par/probes")" = 2 ] &&
		[ "$(cat "$fp_par/fail_addr")" = "$fp_addr" ] || return 1
	echo >"$fp_par/fail_addr" && fp_reprobe
	[ "$(fp_driver)" = pcipass-failprobe ] && [ "$(cat "$fp_par/probes")" = 3 ] || return 1
	# Only a reset is a valid write to probes; delays are capped.
	! echo 5 >"$fp_par/probes" 2>/dev/null && ! echo 10001 >"$fp_par/probe_delay_ms" 2>/dev/null
}

failprobe_works() {
	local drv0 ovr0 rc
	[ -f "$failprobe_ko" ] || { echo "no $failprobe_ko (PCIPASS_FAILPROBE_KO)"; return 1; }
	drv0=$(fp_driver) ovr0=$(cat "$fp_dev/driver_override") || return 1
	echo "$fp_addr before: driver=${drv0:-none} override=$ovr0"
	insmod "$failprobe_ko" || return 1
	fp_exercise
	rc=$?
	# Put the function back exactly: override first, then its driver.
	if [ -e "$fp_dev/driver" ]; then echo "$fp_addr" >"$fp_dev/driver/unbind"; fi
	if [ "$ovr0" = "(null)" ]; then echo >"$fp_dev/driver_override"
	else echo "$ovr0" >"$fp_dev/driver_override"; fi
	if [ -n "$drv0" ]; then echo "$fp_addr" >"/sys/bus/pci/drivers/$drv0/bind"; fi
	rmmod pcipass_failprobe || rc=1
	echo "$fp_addr after: driver=$(fp_driver || echo none) override=$(cat "$fp_dev/driver_override")"
	[ "$(fp_driver)" = "$drv0" ] && [ "$(cat "$fp_dev/driver_override")" = "$ovr0" ] &&
		! grep -q '^pcipass_failprobe ' /proc/modules && [ "$rc" = 0 ]
}
tap_run "failprobe: binds by driver_override only, fails probe N and by address, restores $fp_addr" failprobe_works

# --- kselftests (netlink + ioctl, ground truth from sysfs) ---------------

# What the selftests change and must put back (driver_override, a driver
# binding, a root port's ACS Control, a function replugged into another
# group): per function its driver, override, ACS Control word and the
# members of its IOMMU group (ids may change, members may not).
pci_state() {
	local d f
	for d in /sys/bus/pci/devices/*; do
		f=${d##*/}
		printf '%s driver=%s override=%s acs-ctrl=%s group=%s\n' "$f" \
			"$(basename "$(readlink "$d/driver")" 2>/dev/null)" \
			"$(cat "$d/driver_override")" \
			"$(setpci -s "$f" ECAP_ACS+6.w 2>/dev/null)" \
			"$(ls "$d/iommu_group/devices" 2>/dev/null | tr '\n' ' ')"
	done
}

# No suite is optional: a missing program or script fails its run, and
# tests/expected/counts catches a suite that ran fewer cases.
pci_state >"$results/logs/pci-state-before.txt"
tests/selftest/run.sh >"$results/selftest.tap" 2>&1
tap_result $? "selftest: run.sh exit status" "$results/selftest.tap"
tap_brief "$results/selftest.tap"
# Run as root with the module loaded, nothing has a reason to skip.
grep '# SKIP' "$results/selftest.tap" >"$results/logs/selftest-skips.log"
tap_result "$([ -s "$results/logs/selftest-skips.log" ] && echo 1 || echo 0)" \
	"selftest: no case skipped" "$results/logs/selftest-skips.log"
pci_state >"$results/logs/pci-state-after.txt"
diff -u "$results/logs/pci-state-before.txt" "$results/logs/pci-state-after.txt" \
	>"$results/logs/pci-state.diff"
tap_result $? "selftest: drivers, overrides, ACS control words and IOMMU groups put back" \
	"$results/logs/pci-state.diff"

# --- CLI end to end, checked against sysfs, lspci and setpci --------------

python3 tests/e2e/cli_test.py --cli "$cli" >"$results/cli.tap" 2>"$results/logs/cli.stderr"
tap_result $? "cli e2e: exit status" "$results/logs/cli.stderr"
tap_brief "$results/cli.tap"

# --- pcipass check end to end: verdicts, ground truth, golden output -------

PCIPASS_GOLDEN_OUT=$PCIPASS_OUT/golden \
	python3 tests/e2e/check_test.py --cli "$cli" >"$results/check.tap" \
	2>"$results/logs/check.stderr"
tap_result $? "check e2e: exit status" "$results/logs/check.stderr"
tap_brief "$results/check.tap"

# --- pcipass claim, release and monitor end to end (sysfs, VFIO) ------------

PCIPASS_FAILPROBE_KO=$failprobe_ko \
	python3 tests/e2e/claim_test.py --cli "$cli" >"$results/claim.tap" \
	2>"$results/logs/claim.stderr"
tap_result $? "claim e2e: exit status" "$results/logs/claim.stderr"
tap_brief "$results/claim.tap"

# --- what a claim refuses to take from the host (the CLI's policy) ----------

python3 tests/e2e/claim_host_test.py --cli "$cli" >"$results/claimhost.tap" \
	2>"$results/logs/claimhost.stderr"
tap_result $? "claim host e2e: exit status" "$results/logs/claimhost.stderr"
tap_brief "$results/claimhost.tap"

# --- QEMU's vfio-pci takes each claimed shape (a VM inside the guest) -------

python3 tests/e2e/claim_vm_test.py --cli "$cli" >"$results/claimvm.tap" \
	2>"$results/logs/claimvm.stderr"
tap_result $? "claim vm e2e: exit status" "$results/logs/claimvm.stderr"
tap_brief "$results/claimvm.tap"

# --- the Proxmox hookscript: claims at pre-start, gives back at post-stop ---

python3 tests/e2e/hook_proxmox_test.py --cli "$cli" >"$results/hookpve.tap" \
	2>"$results/logs/hookpve.stderr"
tap_result $? "hook proxmox e2e: exit status" "$results/logs/hookpve.stderr"
tap_brief "$results/hookpve.tap"

# --- pcipass sriov: VFs created with host drivers kept off, claimed, removed --

PCIPASS_FAILPROBE_KO=$failprobe_ko \
	python3 tests/e2e/sriov_test.py --cli "$cli" >"$results/sriov.tap" \
	2>"$results/logs/sriov.stderr"
tap_result $? "sriov e2e: exit status" "$results/logs/sriov.stderr"
tap_brief "$results/sriov.tap"

# --- persisted claims (claims=): at load, at add time, left alone ------------

python3 tests/e2e/persist_test.py --cli "$cli" >"$results/persist.tap" \
	2>"$results/logs/persist.stderr"
tap_result $? "persist e2e: exit status" "$results/logs/persist.stderr"
tap_brief "$results/persist.tap"

python3 tests/e2e/persist_add_test.py --cli "$cli" >"$results/persist_add.tap" \
	2>"$results/logs/persist_add.stderr"
tap_result $? "persist add e2e: exit status" "$results/logs/persist_add.stderr"
tap_brief "$results/persist_add.tap"

# --- pcipass rom save and check on real sysfs rom files ----------------------

# nic_g's ROM BAR holds the file QEMU loaded ($PCIPASS_VM_ROM), the boot VGA
# the firmware's shadow copy; ground truth from setpci, lspci, /dev/mem.
python3 tests/e2e/rom_test.py --cli "$cli" --qemu-rom "$PCIPASS_VM_ROM" \
	>"$results/rom.tap" 2>"$results/logs/rom.stderr"
tap_result $? "rom e2e: exit status" "$results/logs/rom.stderr"
tap_brief "$results/rom.tap"

# --- export (Prometheus, NFD, Proxmox mapping) and drift on real sysfs -------

python3 tests/e2e/export_test.py --cli "$cli" >"$results/export.tap" \
	2>"$results/logs/export.stderr"
tap_result $? "export e2e: exit status" "$results/logs/export.stderr"
tap_brief "$results/export.tap"

# --- Ansible reads the README's local fact: userspace only, one kernel ------

if [ "${PCIPASS_ONE_KERNEL_SUITES:-0}" = 1 ]; then
	python3 tests/e2e/facts_test.py --cli "$cli" >"$results/facts.tap" \
		2>"$results/logs/facts.stderr"
	tap_result $? "facts e2e: exit status" "$results/logs/facts.stderr"
	tap_brief "$results/facts.tap"
fi

# --- The kernel's own YNL client, driven by our spec ------------------------

if [ -n "${KSRC:-}" ]; then
	python3 tests/e2e/ynl_test.py --ksrc "$KSRC" >"$results/ynl.tap" 2>"$results/logs/ynl.stderr"
	tap_result $? "ynl e2e: exit status" "$results/logs/ynl.stderr"
	tap_brief "$results/ynl.tap"
else
	tap_result 1 "ynl e2e: KSRC (linux-source tree) not passed to the guest"
fi

# --- KUnit (kernels built with CONFIG_KUNIT: the debug tier) --------------

kunit_suites="pcipass_group_slots pcipass_topology pcipass_ioctl pcipass_netlink
	pcipass_acs pcipass_predict pcipass_isolation"
if [ -n "${PCIPASS_KUNIT_KO:-}" ]; then
	# The suites run on load and report in KTAP on the kernel log.
	before=$(dmesg | wc -l)
	if insmod "$PCIPASS_KUNIT_KO"; then
		dmesg | tail -n +"$((before + 1))" >"$results/logs/kunit.log"
		rmmod pcipass_kunit
		python3 "$KSRC/tools/testing/kunit/kunit.py" parse \
			--json="$results/logs/kunit.json" "$results/logs/kunit.log" \
			>"$results/logs/kunit.parse" 2>&1
		# shellcheck disable=SC2086
		python3 tests/lib/kunit_tap.py "$results/logs/kunit.json" \
			$kunit_suites >"$results/kunit.tap"
		tap_result $? "kunit: every case of every suite passed" \
			"$results/logs/kunit.parse"
		tap_brief "$results/kunit.tap"
	else
		tap_result 1 "kunit: insmod $PCIPASS_KUNIT_KO"
	fi
fi

# --- Unload and leave no trace -----------------------------------------------

tap_run "module: unloads cleanly" rmmod pcipass

taint_ok() {	# only O (out-of-tree), E (unsigned), N (KUnit ran) may be added
	local now allowed=$((4096 | 8192))
	[ -n "${PCIPASS_KUNIT_KO:-}" ] && allowed=$((allowed | 262144))
	now=$(cat /proc/sys/kernel/tainted)
	echo "tainted: before=$taint_before after=$now"
	[ $(( (now & ~taint_before) & ~allowed )) = 0 ]
}
tap_run "module: no taint beyond out-of-tree/unsigned/test (O, E, N)" taint_ok

dmesg >"$results/logs/dmesg-at-end.txt"
tap_run "kernel log: no WARN/BUG/oops/lockdep splat" \
	tests/guest/dmesg-check.sh "$results/logs/dmesg-at-end.txt"

read -r pass fail skip <<<"$(tap_count "$results"/*.tap)"
echo "# guest totals: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
