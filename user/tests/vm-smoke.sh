#!/bin/bash
# Manual end-to-end check of the CLI against the real module, run inside the
# test VM from the checkout root:
#     make -C user && tests/vm/run.sh user/tests/vm-smoke.sh
# Prints the CLI's output next to lspci and sysfs for comparison; exits
# non-zero on the first check that fails.
set -u
cli=user/pcipass
fail=0

run() {
	echo "+ $*"
	"$@"
	echo "[rc=$?]"
}

check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		fail=1
	fi
}

bind_vfio() {
	local dev=/sys/bus/pci/devices/$1

	echo vfio-pci >"$dev/driver_override"
	[[ -e $dev/driver ]] && echo "$1" >"$dev/driver/unbind"
	echo "$1" >/sys/bus/pci/drivers_probe
}

run $cli version
check "list fails without module" bash -c "! $cli list 2>/dev/null"
insmod kmod/pcipass.ko || exit 1
run $cli version
run $cli -j version

echo "=== nothing bound yet"
run $cli list

modprobe e1000e
modprobe e1000
modprobe nvme
modprobe vfio-pci
bind_vfio 0000:01:00.0		# whole group: vfio
bind_vfio 0000:06:00.0		# its sibling 06:00.1 stays on e1000e: partial

echo "=== drivers bound"
run $cli list
run $cli list --class nvme
run $cli list --class net,storage
run $cli -p list --class gpu
run $cli show 06:00
run $cli show 0000:00:01.0
run $cli show 01:00.0 -p
run $cli show 08:01.0
run $cli show 09:00.0 --json
run $cli show 00:1f
run $cli show ff:1f.7
run $cli show 0001:00:00.0
run $cli show 00:1e
run $cli show 00:1f.9
echo "=== unprivileged"
run setpriv --reuid=65534 --regid=65534 --clear-groups $cli show 00:01.0
run setpriv --reuid=65534 --regid=65534 --clear-groups $cli -j show 00:01.0
run setpriv --reuid=65534 --regid=65534 --clear-groups $cli list --class nvme

check "list JSON parses" bash -c "$cli -j list | jq -e .groups >/dev/null"
check "show JSON parses" bash -c "$cli -j show 00:01 | jq -e '.devices[0].acs.flags.SV.cap' >/dev/null"
check "group count matches sysfs" bash -c \
	"[ \$($cli -j list | jq '.groups | length') -eq \$(ls /sys/kernel/iommu_groups | wc -l) ]"
check "device count matches lspci" bash -c \
	"[ \$($cli -j list | jq '[.groups[].devices[], .ungrouped_devices[]] | length') -eq \$(lspci | wc -l) ]"
check "01:00.0 group is vfio" bash -c \
	"[ \$($cli -j show 01:00.0 | jq -r '.devices[0].iommu_group_state') = vfio ]"
check "06:00.0 group is partial" bash -c \
	"[ \$($cli -j show 06:00.0 | jq -r '.devices[0].iommu_group_state') = partial ]"
check "unknown device exits 1" bash -c "$cli show ff:1f.7 2>/dev/null; [ \$? -eq 1 ]"

if command -v valgrind >/dev/null; then
	vg="valgrind -q --leak-check=full --error-exitcode=9"
	check "no leaks or memory errors (show slot with peers)" \
		bash -c "$vg $cli show 06:00 >/dev/null"
	check "no leaks or memory errors (list --json)" \
		bash -c "$vg $cli -j list >/dev/null"
fi

echo "=== reference"
run lspci -nnk
for g in /sys/kernel/iommu_groups/*; do
	echo "group ${g##*/}: $(ls "$g/devices" | tr '\n' ' ')"
done
exit $fail
