#!/bin/bash
# Run a script as root inside a QEMU guest (Debian kernel, TCG, q35 +
# intel-iommu, the PCI topology of tests/vm/topology.sh) that sees the
# host's whole userspace read-only over virtio-9p.
#
# usage: tests/vm/run.sh [options] SCRIPT [ARGS...]
#
#   --kernel PATH    guest kernel (default: newest /boot/vmlinuz-6.12*);
#                    its modules must be in /lib/modules/<release> on the host
#                    unless --modules-root is given.  A directory with
#                    bzImage and root/ in it (tests/kernel/build.sh's cache
#                    dir) means --kernel DIR/bzImage --modules-root DIR/root
#   --modules-root DIR  the kernel's modules are in DIR/lib/modules/<release>
#                    (modules_install INSTALL_MOD_PATH=DIR); the guest sees
#                    them at /lib/modules/<release>
#   --out DIR        output dir, shared read-write with the guest at the same
#                    path (default: a new /tmp/pcipass-vm.XXXXXX)
#   --timeout SECS   wall-clock limit for the whole VM run (default 600);
#                    on expiry QEMU is killed and run.sh exits 124
#   --mem MiB        guest RAM (default 2048)
#   --smp N          guest CPUs (default 2)
#   --cache DIR      initramfs cache (default ${XDG_CACHE_HOME:-~/.cache}/pcipass/vm)
#   --append ARGS    extra kernel command line arguments
#   --scale N        add the scale shape of topology.sh: about N PCI
#                    functions in all (bench/scale.sh; default: none)
#   --env NAME=VAL   export NAME=VAL into SCRIPT's environment (repeatable)
#   --quiet          do not copy the serial console to stdout
#   -h, --help
#
# SCRIPT (a host path) is run as "bash SCRIPT ARGS..." inside "chroot" of
# the host root, from the directory run.sh was started in, with stdin
# /dev/null, stdout/stderr on the serial console, and:
#   PCIPASS_VM=1  PCIPASS_OUT=<out dir>  PCIPASS_VM_CWD=<start dir>
# The guest root is read-only except /tmp, /var/tmp, /root (tmpfs overlays),
# /run, /dev/shm and PCIPASS_OUT.
#
# OUT receives console.log (serial console), dmesg.txt, rc (SCRIPT's exit
# code), nvme.img (the NVMe disk) and .pcipass-vm/ (the job).
# Exit status: SCRIPT's exit code; 124 on timeout; 125 when the guest did
# not report an exit code (boot failure, guest panic/hang, setup error).

# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=topology.sh
. "$here/topology.sh"

usage() {
	sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"
}

kernel=${PCIPASS_VM_KERNEL:-}
modroot=${PCIPASS_VM_MODULES_ROOT:-}
out=
timeout=${PCIPASS_VM_TIMEOUT:-600}
mem=2048
smp=2
cache_dir=
append=
scale=
quiet=0
envs=()
while (($#)); do
	case $1 in
	--kernel) kernel=${2:?--kernel needs an argument}; shift 2 ;;
	--modules-root) modroot=${2:?--modules-root needs an argument}; shift 2 ;;
	--out) out=${2:?--out needs an argument}; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs an argument}; shift 2 ;;
	--mem) mem=${2:?--mem needs an argument}; shift 2 ;;
	--smp) smp=${2:?--smp needs an argument}; shift 2 ;;
	--cache) cache_dir=${2:?--cache needs an argument}; shift 2 ;;
	--append) append="$append ${2:?--append needs an argument}"; shift 2 ;;
	--scale) scale=${2:?--scale needs an argument}; shift 2 ;;
	--env) envs+=("${2:?--env needs an argument}"); shift 2 ;;
	--quiet) quiet=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) vm_log "unknown option: $1"; usage >&2; exit 125 ;;
	*) break ;;
	esac
done
(($# >= 1)) || { usage >&2; exit 125; }
script=$1
shift

if ! [[ $timeout =~ ^[0-9]+$ ]] || ((timeout == 0)); then
	vm_die "--timeout must be a positive integer"
fi
[[ $mem =~ ^[0-9]+$ ]] || vm_die "--mem must be an integer (MiB)"
[[ $smp =~ ^[0-9]+$ ]] || vm_die "--smp must be an integer"
for e in "${envs[@]}"; do
	[[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || vm_die "--env expects NAME=VALUE, got '$e'"
done

qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || vm_die "$qemu not found (apt-get install qemu-system-x86)"
command -v timeout >/dev/null || vm_die "timeout(1) not found (coreutils)"
((EUID == 0)) || vm_log "warning: not root; the guest only sees host files readable by $(id -un)"

if [[ -z $kernel ]]; then
	kernel=$(vm_default_kernel) || vm_die "no /boot/vmlinuz-6.12* (apt-get install linux-image-6.12-amd64) and no --kernel"
fi
if [[ -d $kernel && -f $kernel/bzImage ]]; then
	[[ -n $modroot ]] || modroot=$kernel/root
	kernel=$kernel/bzImage
fi
[[ -f $kernel && -r $kernel ]] || vm_die "kernel $kernel not readable"
if [[ -n $modroot ]]; then
	modroot=$(realpath -e -- "$modroot") || vm_die "--modules-root $modroot does not exist"
	[[ $modroot != *$'\n'* ]] || vm_die "paths with newlines are not supported: $modroot"
fi
kver=$(vm_kernel_release "$kernel" "$modroot") || vm_die "cannot determine the release of $kernel"
if [[ -n $modroot && ! -d $modroot/lib/modules/$kver ]]; then
	vm_die "no $modroot/lib/modules/$kver (the modules of $kernel)"
fi

[[ -e $script ]] || vm_die "script not found: $script"
script=$(realpath -e -- "$script")
[[ -f $script ]] || vm_die "not a file: $script"
cwd=$(pwd -P)

if [[ -n $out ]]; then
	mkdir -p -- "$out"
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/pcipass-vm.XXXXXX")
fi
out=$(realpath -e -- "$out")
for p in "$out" "$cwd" "$script"; do
	[[ $p != *$'\n'* ]] || vm_die "paths with newlines are not supported: $p"
done
[[ $out != / ]] || vm_die "--out must not be /"

mkinitramfs_args=(--kver "$kver")
[[ -z $modroot ]] || mkinitramfs_args+=(--modules-root "$modroot")
initrd=$("$here/mkinitramfs.sh" "${mkinitramfs_args[@]}" "${cache_dir:-$(vm_default_cache_dir)}") ||
	vm_die "building the initramfs failed"

# Fresh per-run state in OUT.
rm -f -- "$out/rc" "$out/dmesg.txt" "$out/console.log" "$out/nvme.img"
rm -rf -- "$out/.pcipass-vm"
mkdir -- "$out/.pcipass-vm"
printf '%s\n' "$out" >"$out/.pcipass-vm/outpath"
# Read by init: bind DIR/lib/modules/<release> at /lib/modules/<release>.
[[ -z $modroot ]] || printf '%s\n' "$modroot" >"$out/.pcipass-vm/modules-root"
{
	printf '# generated by tests/vm/run.sh\n'
	printf 'export PCIPASS_VM=1\n'
	printf 'export PCIPASS_OUT=%q\n' "$out"
	printf 'export PCIPASS_VM_CWD=%q\n' "$cwd"
	for e in "${envs[@]}"; do
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
	printf 'cd -- %q || exit 125\n' "$cwd"
	printf 'exec /bin/bash --'
	printf ' %q' "$script" "$@"
	printf '\n'
} >"$out/.pcipass-vm/job.sh"
truncate -s 16M -- "$out/nvme.img"

# Guest-side watchdog: leaves time to boot and to write dmesg.txt/rc.
guest_timeout=0
((timeout < 60)) || guest_timeout=$((timeout - 30))

# no_timer_check: under load (a kernel build beside the guest) the IO-APIC
# timer check of a TCG guest can miss its ticks and panic the boot ("timer
# doesn't work through Interrupt-remapped IO-APIC"); seen here twice.
cmdline="console=ttyS0 intel_iommu=on panic=5 loglevel=4 no_timer_check"
cmdline+=" pcipass_vm.timeout=$guest_timeout$append"

esc() { printf '%s' "${1//,/,,}"; } # QEMU option value escaping

if ((quiet)); then
	serial=(-chardev "file,id=ser0,path=$(esc "$out/console.log")")
else
	serial=(-chardev "stdio,id=ser0,logfile=$(esc "$out/console.log")")
fi

pcipass_vm_topology "$out/nvme.img"
PCIPASS_VM_SCALE_TOPOLOGY=()
if [[ -n $scale ]]; then
	pcipass_vm_scale_topology "$scale" || vm_die "--scale $scale"
fi

# shellcheck disable=SC2054  # commas are QEMU option syntax
qemu_args=(
	-nodefaults -no-user-config
	-machine q35,kernel-irqchip=split
	-accel tcg,thread=multi
	-cpu max -smp "$smp" -m "$mem"
	-device intel-iommu,intremap=on,caching-mode=on
	-display none -vga none -nic none
	-no-reboot
	-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
	"${serial[@]}" -serial chardev:ser0
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-fsdev "local,id=fs_root,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,id=p9_root,fsdev=fs_root,mount_tag=hostroot,bus=pcie.0,addr=10.0
	-fsdev "local,id=fs_out,path=$(esc "$out"),security_model=none,multidevs=remap"
	-device virtio-9p-pci,id=p9_out,fsdev=fs_out,mount_tag=pcipassout,bus=pcie.0,addr=11.0
	"${PCIPASS_VM_TOPOLOGY[@]}"
	"${PCIPASS_VM_SCALE_TOPOLOGY[@]}"
)
printf '%q ' "$qemu" "${qemu_args[@]}" >"$out/.pcipass-vm/qemu-cmdline"
echo >>"$out/.pcipass-vm/qemu-cmdline"

vm_log "kernel $kver, out dir $out, timeout ${timeout}s"
start=$SECONDS
interrupted=0
trap 'interrupted=1' INT TERM
set +e
# NICs without a netdev are intended: drop QEMU's "has no peer" warnings.
exec {errfd}> >(
	trap '' INT TERM # outlive QEMU to pass on its last words
	exec grep -v -E '^[^ ]+: warning: nic [^ ]+ has no peer$' >&2
)
filter_pid=$!
timeout --foreground -k 10 "$timeout" "$qemu" "${qemu_args[@]}" </dev/null 2>&"$errfd"
qrc=$?
exec {errfd}>&-
wait "$filter_pid" 2>/dev/null
set -e
((quiet)) || echo # the console does not end with a newline
elapsed=$((SECONDS - start))

# Guest-clock timestamps printed by init.
t_job=$(sed -n 's/.*pcipass-vm: running job at \([0-9.]*\)s.*/\1/p' "$out/console.log" 2>/dev/null | head -n 1)
t_end=$(sed -n 's/.*pcipass-vm: job finished at \([0-9.]*\)s.*/\1/p' "$out/console.log" 2>/dev/null | head -n 1)

trap - INT TERM
rc=$(vm_outcome "$out" "$qrc" "$elapsed" "$timeout" "$interrupted" pcipass-vm) || exit
if ((rc == 124)) && grep -q 'pcipass-vm: guest watchdog' "$out/console.log"; then
	vm_log "TIMEOUT: the guest watchdog killed the script after ${guest_timeout}s"
fi
vm_log "script exit code $rc; script started at ${t_job:-?}s guest uptime, ran until ${t_end:-?}s; wall time ${elapsed}s; out dir $out"
exit "$rc"
