#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark (not a test): time handing whole IOMMU groups to vfio-pci and
# back with "pcipass claim/release" against what operators run today for
# the same job -- driverctl (set-override on every member, then
# unset-override) and DPDK's dpdk-devbind.py (-b vfio-pci ADDRS, then
# -b ORIGINAL_DRIVER ADDRS) -- and against the floor: the same sysfs
# writes in the safe order (override every member, unbind every member,
# probe every member; back: override cleared, unbind, bind the original)
# from this shell's builtins, with no checks and no process started --
# what any tool must at least spend -- and the same writes from one new
# process (dash: "floor+exec"), which every tool is: under TCG with the
# root on 9p, starting a process costs about as much as the writes.
# Interleaved in one run, rotating the
# order of the tools every round so all see the same machine.  After every claim
# the members' drivers and VFIO's own verdict on the group
# (VFIO_GROUP_GET_STATUS, the VIABLE flag) are checked, after every release
# the original drivers and overrides; whatever a tool left wrong is listed
# (and put right by hand before the next step, outside the timing).
#
# Runs as root wherever pcipass.ko is loaded and the groups below are on
# their host drivers without overrides; "make bench" runs it in the test
# guest (tests/vm/topology.sh): (c) 06:00.0/.1 e1000e multifunction,
# (b) 04:00.0/05:00.0 e1000e behind a switch (with 4 bridge functions),
# (d) 08:01.0/08:02.0 e1000 behind a PCIe-to-PCI bridge.
# driverctl runs with --nosave: saving writes /etc/driverctl.d, which is
# read-only in the guest (and would make the override permanent).
#
# Usage: bench/claim.sh [ROUNDS] [CLI]
set -euo pipefail

rounds=${1:-10}
cli=${2:-$(cd "$(dirname "$0")/.." && pwd)/user/pcipass}
groups=(c b d)
declare -A members=(
	[c]="0000:06:00.0 0000:06:00.1"
	[b]="0000:04:00.0 0000:05:00.0"
	[d]="0000:08:01.0 0000:08:02.0"
)
tools=(floor floor+exec pcipass driverctl dpdk-devbind)
sysdev=/sys/bus/pci/devices
times=$(mktemp) issues=$(mktemp)
trap 'rm -f "$times" "$issues"' EXIT

driver_of() { local l; l=$(readlink "$sysdev/$1/driver") && echo "${l##*/}" || echo none; }
override_of() { cat "$sysdev/$1/driver_override"; }
group_of() { local l; l=$(readlink "$sysdev/$1/iommu_group"); echo "${l##*/}"; }

# VFIO's verdict: viable, not-viable, or no-node (nothing on vfio-pci).
vfio_viable() {
	python3 - "$1" <<'EOF'
import fcntl, os, struct, sys
path = f"/dev/vfio/{sys.argv[1]}"
if not os.path.exists(path):
    print("no-node"); sys.exit()
fd = os.open(path, os.O_RDWR)
buf = bytearray(struct.pack("II", 8, 0))
fcntl.ioctl(fd, (ord(";") << 8) | (100 + 3), buf)   # VFIO_GROUP_GET_STATUS
print("viable" if struct.unpack("II", buf)[1] & 1 else "not-viable")
EOF
}

# --- The three ways to do it ---------------------------------------------

# The floor's writes in a fresh dash: ARGS are the members (claim) or
# MEMBER=ORIGINAL_DRIVER (release).
# shellcheck disable=SC2016 # expanded by the dash that runs it
floor_claim_sh='d=/sys/bus/pci/devices
for a; do echo vfio-pci >"$d/$a/driver_override"; done
for a; do if [ -e "$d/$a/driver" ]; then echo "$a" >"$d/$a/driver/unbind"; fi; done
for a; do echo "$a" >/sys/bus/pci/drivers_probe; done'
# shellcheck disable=SC2016 # expanded by the dash that runs it
floor_release_sh='d=/sys/bus/pci/devices
for p; do echo >"$d/${p%%=*}/driver_override"; done
for p; do a=${p%%=*}; if [ -e "$d/$a/driver" ]; then echo "$a" >"$d/$a/driver/unbind"; fi; done
for p; do echo "${p%%=*}" >"/sys/bus/pci/drivers/${p#*=}/bind"; done'

# shellcheck disable=SC2086 # members are words
claim() {	# claim TOOL GROUP
	local a
	case $1 in
	floor)
		for a in ${members[$2]}; do echo vfio-pci >"$sysdev/$a/driver_override"; done
		for a in ${members[$2]}; do
			[ -e "$sysdev/$a/driver" ] && echo "$a" >"$sysdev/$a/driver/unbind"
		done
		for a in ${members[$2]}; do echo "$a" >/sys/bus/pci/drivers_probe; done ;;
	floor+exec) sh -c "$floor_claim_sh" sh ${members[$2]} ;;
	pcipass) "$cli" claim "${members[$2]%% *}" >/dev/null ;;
	driverctl)
		for a in ${members[$2]}; do
			driverctl --nosave set-override "$a" vfio-pci || return
		done ;;
	dpdk-devbind) dpdk-devbind.py -b vfio-pci ${members[$2]} ;;
	esac
}

# shellcheck disable=SC2086 # members are words
release() {	# release TOOL GROUP
	local a
	case $1 in
	floor)
		for a in ${members[$2]}; do echo >"$sysdev/$a/driver_override"; done
		for a in ${members[$2]}; do
			[ -e "$sysdev/$a/driver" ] && echo "$a" >"$sysdev/$a/driver/unbind"
		done
		for a in ${members[$2]}; do echo "$a" >"/sys/bus/pci/drivers/${orig[$a]}/bind"; done ;;
	floor+exec)
		local pairs=()
		for a in ${members[$2]}; do pairs+=("$a=${orig[$a]}"); done
		sh -c "$floor_release_sh" sh "${pairs[@]}" ;;
	pcipass) "$cli" release "${members[$2]%% *}" >/dev/null ;;
	driverctl)
		for a in ${members[$2]}; do
			driverctl --nosave unset-override "$a" || return
		done ;;
	dpdk-devbind) dpdk-devbind.py -b "${orig[${members[$2]%% *}]}" ${members[$2]} ;;
	esac
}

# --- Checks (outside the timing) ------------------------------------------

declare -A orig	# address: original driver (overrides are all empty)

note() { echo "$*" >>"$issues"; }

put_back() {	# by hand: override cleared, original driver bound
	local a
	for a in ${members[$1]}; do
		echo >"$sysdev/$a/driver_override"
		[ "$(driver_of "$a")" = "${orig[$a]}" ] && continue
		[ -e "$sysdev/$a/driver" ] && echo "$a" >"$sysdev/$a/driver/unbind"
		echo "$a" >"/sys/bus/pci/drivers/${orig[$a]}/bind"
	done
}

check_claimed() {	# check_claimed TOOL GROUP: members on vfio-pci, viable
	local a v bad=
	for a in ${members[$2]}; do
		[ "$(driver_of "$a")" = vfio-pci ] || bad+=" $a on $(driver_of "$a")"
	done
	v=$(vfio_viable "$(group_of "${members[$2]%% *}")")
	[ "$v" = viable ] || bad+=" group $v"
	[ -z "$bad" ] || note "$1 claim ($2):$bad"
}

check_released() {	# check_released TOOL GROUP: original drivers, no override
	local a bad=
	for a in ${members[$2]}; do
		[ "$(driver_of "$a")" = "${orig[$a]}" ] || bad+=" $a on $(driver_of "$a")"
		[ "$(override_of "$a")" = "(null)" ] || bad+=" $a override $(override_of "$a")"
	done
	[ -z "$bad" ] || { note "$1 release ($2):$bad"; put_back "$2"; }
}

now_ns() { date +%s%N; }

timed() {	# timed TOOL GROUP OP
	local t0 t1 rc=0
	t0=$(now_ns)
	"$3" "$1" "$2" >/dev/null 2>&1 || rc=$?
	t1=$(now_ns)
	echo "$1 $2 $3 $(((t1 - t0) / 1000))" >>"$times"
	[ "$rc" = 0 ] || note "$1 $3 ($2): exit status $rc"
}

for g in "${groups[@]}"; do
	for a in ${members[$g]}; do
		orig[$a]=$(driver_of "$a")
		if [ "${orig[$a]}" = none ] || [ "${orig[$a]}" = vfio-pci ] ||
				[ "$(override_of "$a")" != "(null)" ]; then
			echo "bench/claim: $a must be on its host driver without an override" >&2
			exit 1
		fi
	done
done
modprobe vfio-pci
for t in "${tools[@]}"; do	# warm caches: binaries, python, modules
	claim "$t" c >/dev/null 2>&1 || true
	release "$t" c >/dev/null 2>&1 || true
	put_back c
done

for ((r = 0; r < rounds; r++)); do
	for g in "${groups[@]}"; do
		for ((k = 0; k < ${#tools[@]}; k++)); do
			t=${tools[(r + k) % ${#tools[@]}]}
			timed "$t" "$g" claim
			check_claimed "$t" "$g"
			timed "$t" "$g" release
			check_released "$t" "$g"
		done
	done
done

python3 - "$times" "$issues" "$rounds" <<'EOF'
import collections, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    tool, group, op, us = line.split()
    times[tool, group, op].append(int(us) / 1000)
    times[tool, "all", op].append(int(us) / 1000)
tools = ["floor", "floor+exec", "pcipass", "driverctl", "dpdk-devbind"]
med = {k: statistics.median(v) for k, v in times.items()}
print(f"bench/claim: groups (c) 2x e1000e multifunction, (b) 2x e1000e behind "
      f"a switch, (d) 2x e1000 behind a PCIe-to-PCI bridge; {sys.argv[3]} "
      f"rounds, tools interleaved; median ms per whole-group operation")
print(f"  {'tool':<14}" + "".join(f"{'claim ' + g:>11}{'release ' + g:>13}"
                                 for g in ("c", "b", "d", "all")))
for t in tools:
    print(f"  {t:<14}" + "".join(f"{med[t, g, 'claim']:>11.0f}{med[t, g, 'release']:>13.0f}"
                                 for g in ("c", "b", "d", "all")))
for t in tools[2:]:
    print(f"  {t} / floor (median, all groups): claim "
          f"{med[t, 'all', 'claim'] / med['floor', 'all', 'claim']:.2f}x, "
          f"release {med[t, 'all', 'release'] / med['floor', 'all', 'release']:.2f}x")
for t in tools[2:]:
    print(f"  {t} / floor+exec (median, all groups): claim "
          f"{med[t, 'all', 'claim'] / med['floor+exec', 'all', 'claim']:.2f}x, "
          f"release {med[t, 'all', 'release'] / med['floor+exec', 'all', 'release']:.2f}x")
for t in tools[3:]:
    print(f"  {t} / pcipass (median, all groups): claim "
          f"{med[t, 'all', 'claim'] / med['pcipass', 'all', 'claim']:.1f}x, "
          f"release {med[t, 'all', 'release'] / med['pcipass', 'all', 'release']:.1f}x")
issues = collections.Counter(line.strip() for line in open(sys.argv[2]))
print("  left wrong (after claim: members not on vfio-pci or group not VFIO-viable;"
      " after release: not back):" + ("" if issues else " nothing"))
for what, n in sorted(issues.items()):
    print(f"    {what}  [{n} of {sys.argv[3]} rounds]")
print("bench/claim: end")
EOF
