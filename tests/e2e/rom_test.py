#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of pcipass rom save and rom check on real sysfs rom files.

Runs as root in the test guest.  Ground truth: the ROM file QEMU loaded into
nic_g's ROM BAR (tests/vm/topology.sh: 0b:00.0 has efi-e1000e.rom, every
other NIC none), SeaBIOS's VGA BIOS, an independent parse of the images
here, the ROM address register (setpci ROM_ADDRESS), lspci -vvv's
"Expansion ROM" line, the ROM resource in sysfs, /proc/iomem's "Video ROM",
/dev/mem at 0xC0000, the kernel log and the device's power state.

What the kernel does, as seen here on 6.12 and 6.1 (pci_read_rom,
pci_map_rom, pci_get_rom_size): a read of the rom attribute fails with
EINVAL until "1" is written to it; each read enables the ROM BAR, copies
and disables it again; the data ends where the image chain ends (the last
image's end, at most the BAR size), so the BAR's padding after the last
image is never returned; for the boot VGA the kernel returns the shadow
copy at 0xC0000 (IORESOURCE_ROM_SHADOW) and leaves the ROM BAR alone; a
bound e1000e does not stop the read; with memory decoding off in the
Command register the read fails with EIO ("Invalid PCI ROM header
signature" in the kernel log).
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

from claim_test import Cli, Guarded, expect_claimed
from cli_test import SYS_DEV, sys_driver
from tapcheck import Failure, Skip, Suite, cli_json, expect, expect_eq

ROM_MAC = "52:54:00:50:10:01"     # nic_g: the NIC with an option ROM
NOROM_MAC = "52:54:00:50:12:01"   # nic_i1: an e1000e without one
BOOT_VGA = "0000:12:00.0"
VGA_BIOS = "/usr/share/seabios/vgabios-stdvga.bin"  # QEMU's VGA romfile
EXIT_RUNTIME, EXIT_ROM_INVALID = 1, 10
IORESOURCE_ROM_SHADOW = 1 << 1

ARGS = None


# ---------------------------------------------------------------- ground truth

def addr_by_mac(mac):
    """The PCI function whose netdev has MAC (the driver must be bound)."""
    for a in sorted(os.listdir(SYS_DEV)):
        net = os.path.join(SYS_DEV, a, "net")
        for n in os.listdir(net) if os.path.isdir(net) else ():
            with open(os.path.join(net, n, "address")) as f:
                if f.read().strip() == mac:
                    return a
    raise Failure(f"no netdev with MAC {mac}")


def parse_rom(b):
    """The image chain as firmware walks it, independent of pcipass."""
    imgs, off = [], 0
    while off + 0x1a <= len(b) and b[off:off + 2] == b"\x55\xaa":
        p = off + struct.unpack_from("<H", b, off + 0x18)[0]
        if b[p:p + 4] != b"PCIR":
            break
        vendor, device = struct.unpack_from("<HH", b, p + 4)
        length = struct.unpack_from("<H", b, p + 0x10)[0] * 512
        im = {"offset": off, "length": length, "vendor": vendor,
              "device": device, "code_type": b[p + 0x14],
              "last": bool(b[p + 0x15] & 0x80), "efi_machine": None,
              "checksum_ok": None}
        if im["code_type"] == 3 and struct.unpack_from("<I", b, off + 4)[0] == 0x0EF1:
            im["efi_machine"] = struct.unpack_from("<H", b, off + 0x0a)[0]
        if im["code_type"] == 0:
            im["checksum_ok"] = sum(b[off:off + length]) % 256 == 0
        imgs.append(im)
        off += length
        if im["last"] or not length:
            break
    return imgs


def chain_end(imgs):
    return imgs[-1]["offset"] + imgs[-1]["length"] if imgs else 0


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rom_address(addr):
    """The Expansion ROM Base Address register, read by setpci."""
    r = subprocess.run(["setpci", "-s", addr, "ROM_ADDRESS"],
                       capture_output=True, text=True, check=True)
    return int(r.stdout, 16)


def setpci(addr, *regs):
    return subprocess.run(["setpci", "-s", addr, *regs], capture_output=True,
                          text=True, check=True).stdout.split()


def lspci_rom(addr):
    """(address, size in bytes) of lspci -vvv's Expansion ROM line, or None."""
    out = subprocess.run(["lspci", "-vvv", "-s", addr], capture_output=True,
                         text=True, check=True).stdout
    m = re.search(r"Expansion ROM at ([0-9a-f]+) .*\[size=(\d+)([KMG]?)\]", out)
    if not m:
        return None
    unit = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(3)]
    return int(m.group(1), 16), int(m.group(2)) * unit


def sys_rom_resource(addr):
    """(start, size, flags) of the ROM resource (line 7 of resource)."""
    with open(os.path.join(SYS_DEV, addr, "resource")) as f:
        start, end, flags = (int(x, 16) for x in f.read().splitlines()[6].split())
    return start, end - start + 1 if end else 0, flags


def rom_attr_reads(addr):
    """Whether a read of the rom attribute is allowed (EINVAL when not)."""
    try:
        with open(os.path.join(SYS_DEV, addr, "rom"), "rb") as f:
            f.read(2)
        return True
    except OSError as e:
        expect_eq(e.errno, 22, f"errno of a read of {addr}'s rom")
        return False


def power(addr, name):
    with open(os.path.join(SYS_DEV, addr, "power", name)) as f:
        return f.read().strip()


def kmsg_open():
    """/dev/kmsg positioned at its end: kmsg_read() gives what comes after.
    (Counting dmesg lines fails once the ring buffer is full, as after
    the fuzz tests.)"""
    fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    os.lseek(fd, 0, os.SEEK_END)
    return fd


def kmsg_read(fd):
    """The messages logged since kmsg_open (one record per read)."""
    msgs = []
    try:
        while True:
            try:
                rec = os.read(fd, 8192).decode(errors="replace")
            except BlockingIOError:
                break
            except BrokenPipeError:     # overrun: records lost, go on
                continue
            msgs.append(rec.split(";", 1)[-1].split("\n", 1)[0])
    finally:
        os.close(fd)
    return msgs


def leftovers(d):
    return [f for f in os.listdir(d) if ".rom." in f]


def save(cli, addr, out, *opts, json=True):
    """rom save (--json); returns (exit status, document or stdout, stderr)."""
    args = ["rom", "save", *opts, addr, out]
    if not json:
        r = cli.run(*args)
        return r.returncode, r.stdout, r.stderr
    r = cli.run("--json", *args)
    doc = cli_json(r.stdout, ["--json", *args]) if r.stdout.strip() else None
    return r.returncode, doc, r.stderr


def expect_images(doc, imgs, what):
    """The images of a rom check/save document equal the independent parse."""
    expect_eq(len(doc["images"]), len(imgs), f"{what}: image count")
    for got, want in zip(doc["images"], imgs):
        for k in ("offset", "length", "vendor", "device", "code_type", "last",
                  "checksum_ok"):
            expect_eq(got[k], want[k], f"{what}: image {got['index']} {k}")
        expect_eq(got["efi"] and got["efi"]["machine"], want["efi_machine"],
                  f"{what}: image {got['index']} EFI machine")


# ------------------------------------------------------------------- tests

test = Suite("rom")


@test
def save_nic_rom_is_qemus_file(cli):
    """rom save of nic_g: the bytes of QEMU's efi-e1000e.rom, cut where the kernel ends the chain, ROM BAR disabled again"""
    addr, qemu = addr_by_mac(ROM_MAC), read(ARGS.qemu_rom)
    expect_eq(addr, "0000:0b:00.0", "nic_g's address (tests/vm/topology.sh)")
    expect_eq(sys_driver(addr), "e1000e", "driver")
    lrom, (rstart, rsize, _) = lspci_rom(addr), sys_rom_resource(addr)
    bar = os.stat(os.path.join(SYS_DEV, addr, "rom")).st_size
    expect_eq(lrom, (rstart, rsize), "lspci's Expansion ROM vs sysfs resource")
    expect_eq(bar, rsize, "size of the rom attribute vs the ROM BAR")
    expect(bar >= len(qemu), f"ROM BAR {bar} smaller than the file {len(qemu)}")
    reg = rom_address(addr)
    expect_eq(reg & 1, 0, "ROM enable bit before")
    expect_eq(reg & ~0x7ff, rstart, "ROM_ADDRESS vs the resource")
    expect(not rom_attr_reads(addr), "rom attribute readable before the save")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "nic.rom")
        rc, doc, err = save(cli, addr, out)
        expect_eq(rc, 0, f"exit status ({err.strip()})")
        got = read(out)
        imgs = parse_rom(qemu)
        # pci_get_rom_size: the last image's end, at most the BAR.
        expect_eq(len(got), min(chain_end(imgs), bar), "bytes saved")
        expect(got == qemu[:len(got)], "saved bytes differ from QEMU's file")
        expect_eq(len(got), len(qemu), "the chain fills QEMU's file")
        expect_eq((doc["saved"], doc["boot_vga"], doc["driver"], doc["size"]),
                  (True, False, "e1000e", len(got)), "saved, boot_vga, driver, size")
        expect_eq(doc["trailing_bytes"], len(got) - chain_end(imgs),
                  "trailing_bytes (the BAR's padding is not returned)")
        expect_eq(doc["header_bytes"], 0, "header_bytes")
        expect_images(doc, imgs, "save")
        expect_eq(oct(os.stat(out).st_mode & 0o777), "0o644", "mode")
        expect_eq(leftovers(d), [], "temporary files")
    expect_eq(rom_address(addr), reg, "ROM_ADDRESS after (enable bit off)")
    expect(not rom_attr_reads(addr), "rom attribute left readable")


@test
def save_no_overwrite_force_replaces(cli):
    """rom save onto an existing file: exit 1, file untouched; --force replaces it"""
    addr = addr_by_mac(ROM_MAC)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "nic.rom")
        with open(out, "wb") as f:
            f.write(b"keep me")
        rc, text, err = save(cli, addr, out, json=False)
        expect_eq(rc, EXIT_RUNTIME, "exit status without --force")
        expect("exists: not overwritten (--force replaces it)" in err, f"stderr {err!r}")
        expect_eq(read(out), b"keep me", "file after the refusal")
        expect(not rom_attr_reads(addr), "rom attribute left readable")
        rc, text, err = save(cli, addr, out, "--force", json=False)
        expect_eq(rc, 0, f"exit status with --force ({err.strip()})")
        expect_eq(read(out), read(ARGS.qemu_rom), "file after --force")
        expect(f"saved {len(read(out))} bytes to {out}" in text, "text says saved")
        expect_eq(leftovers(d), [], "temporary files")


@test
def check_for_nic_legacy_and_efi(cli):
    """rom check --for of the saved ROM: valid, legacy + EFI x64 (OVMF) as an independent parse says; --for another device: exit 10"""
    addr = addr_by_mac(ROM_MAC)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "nic.rom")
        rc, _, err = save(cli, addr, out)
        expect_eq(rc, 0, f"save ({err.strip()})")
        imgs = parse_rom(read(out))
        want_legacy = any(i["code_type"] == 0 and i["checksum_ok"] for i in imgs)
        want_uefi = any(i["efi_machine"] == 0x8664 for i in imgs)
        expect(want_legacy and want_uefi, f"the parse here: {imgs}")
        args = ["--json", "rom", "check", "--for", addr, out]
        r = cli.run(*args)
        expect_eq(r.returncode, 0, "exit status")
        doc = cli_json(r.stdout, args)
        expect_eq((doc["valid"], doc["legacy"], doc["uefi"], doc["findings"]),
                  (True, want_legacy, want_uefi, []), "valid, legacy, uefi, findings")
        ids = [int(read(os.path.join(SYS_DEV, addr, n)), 16) for n in ("vendor", "device")]
        expect_eq([doc["device"]["vendor"], doc["device"]["device"]], ids, "device IDs")
        expect_images(doc, imgs, "check")
        text = cli.run("rom", "check", "--for", addr, out).stdout
        for s in ("UEFI (OVMF) guests: yes, an EFI image for x64",
                  "legacy BIOS (SeaBIOS) guests: yes, a legacy x86 image",
                  "valid option ROM", f"hostpciN: {addr},romfile=nic.rom"):
            expect(s in text, f"text lacks {s!r}")
        args = ["--json", "rom", "check", "--for", BOOT_VGA, out]
        r = cli.run(*args)
        expect_eq(r.returncode, EXIT_ROM_INVALID, "exit status --for the VGA")
        kinds = {f["kind"] for f in cli_json(r.stdout, args)["findings"]}
        expect("id_mismatch" in kinds, f"findings {kinds}")


@test
def boot_vga_save_is_shadow(cli):
    """rom save of the boot VGA: says shadow copy (boot_vga), valid 1234:1111 image of /proc/iomem's Video ROM size, not the BAR's bytes, BAR untouched"""
    expect_eq(read(os.path.join(SYS_DEV, BOOT_VGA, "boot_vga")).strip(), b"1", "boot_vga")
    start, size, flags = sys_rom_resource(BOOT_VGA)
    expect_eq((start, size), (0xC0000, 0x20000), "ROM resource")
    expect(flags & IORESOURCE_ROM_SHADOW, f"resource flags {flags:#x}")
    with open("/proc/iomem") as f:
        m = re.search(r"^\s*000c0000-([0-9a-f]+) : Video ROM$", f.read(), re.M)
    expect(m, "/proc/iomem has no Video ROM at 0xc0000")
    video_rom = int(m.group(1), 16) + 1 - 0xC0000
    reg = rom_address(BOOT_VGA)
    expect_eq(reg & 1, 0, "ROM enable bit before")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "vga.rom")
        rc, doc, err = save(cli, BOOT_VGA, out)
        expect_eq(rc, 0, f"exit status ({err.strip()})")
        got, bios = read(out), read(VGA_BIOS)
        imgs = parse_rom(got)
        expect_eq((doc["boot_vga"], doc["saved"], doc["valid"]), (True, True, True),
                  "boot_vga, saved, valid")
        expect_eq([(i["vendor"], i["device"], i["code_type"], i["checksum_ok"])
                   for i in imgs], [(0x1234, 0x1111, 0, True)], "the image")
        expect_images(doc, imgs, "save")
        expect_eq(len(got), video_rom, "size vs /proc/iomem's Video ROM")
        # The BAR holds SeaBIOS's file as it is; the shadow ran its init.
        expect_eq(len(got), len(bios), "size vs the VGA BIOS file")
        expect(got != bios, "the save equals the BAR's file, not the shadow")
        r = cli.run("rom", "save", "--force", BOOT_VGA, out)
        expect("is the boot VGA device" in r.stdout and "0xC0000" in r.stdout,
               "text does not say shadow copy")
    expect_eq(rom_address(BOOT_VGA), reg, "ROM_ADDRESS after")


@test
def boot_vga_shadow_equals_devmem(cli):
    """rom save of the boot VGA: byte-equal to /dev/mem at 0xC0000 (the shadow itself)"""
    if not os.path.exists("/dev/mem"):
        raise Skip("no /dev/mem in this kernel (CONFIG_DEVMEM off)")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "vga.rom")
        rc, _, err = save(cli, BOOT_VGA, out)
        expect_eq(rc, 0, f"exit status ({err.strip()})")
        got = read(out)
    fd = os.open("/dev/mem", os.O_RDONLY)
    try:
        mem = os.pread(fd, len(got), 0xC0000)
    finally:
        os.close(fd)
    expect_eq(len(mem), len(got), "bytes read from /dev/mem")
    expect(any(mem), "/dev/mem gave zeros at 0xC0000")
    expect(got == mem, "saved bytes differ from memory at 0xC0000")


@test
def no_rom_bar_refused(cli):
    """rom save of an e1000e without option ROM: exit 1, the documented reason, nothing written"""
    addr = addr_by_mac(NOROM_MAC)
    expect(not os.path.exists(os.path.join(SYS_DEV, addr, "rom")), "rom attribute")
    expect_eq(lspci_rom(addr), None, "lspci's Expansion ROM line")
    expect_eq(rom_address(addr), 0, "ROM_ADDRESS (no ROM BAR)")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "none.rom")
        rc, doc, err = save(cli, addr, out)
        expect_eq(rc, EXIT_RUNTIME, "exit status")
        expect_eq(doc, None, "JSON on stdout")
        expect(f"{addr} has no option ROM to read: no rom file in sysfs" in err,
               f"stderr {err!r}")
        expect_eq(os.listdir(d), [], "files written")


@test
def unprivileged_refused(cli):
    """rom save as uid 65534: exit 1, says run as root, nothing written, rom attribute not left enabled"""
    addr = addr_by_mac(ROM_MAC)
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o777)
        out = os.path.join(d, "nic.rom")
        r = cli.run("rom", "save", addr, out, priv=False)
        expect_eq(r.returncode, EXIT_RUNTIME, "exit status")
        expect("(run as root)" in r.stderr, f"stderr {r.stderr!r}")
        expect_eq(os.listdir(d), [], "files written")
    expect(not rom_attr_reads(addr), "rom attribute left readable")


@test
def unbound_decode_off_eio_explained(cli):
    """rom save with e1000e bound works; unbound with memory decoding off: EIO, the kernel's reason, the Command register named, nothing written"""
    addr = addr_by_mac(ROM_MAC)
    qemu = read(ARGS.qemu_rom)
    with Guarded([addr]), tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "nic.rom")
        rc, _, err = save(cli, addr, out)
        expect_eq((rc, read(out)), (0, qemu), f"save with e1000e bound ({err.strip()})")
        os.unlink(out)
        with open(os.path.join(SYS_DEV, addr, "driver", "unbind"), "w") as f:
            f.write(addr)
        cmd = int(setpci(addr, "COMMAND")[0], 16)
        expect(cmd & 2, f"Command {cmd:#06x}: memory decoding off after unbind")
        try:
            setpci(addr, "COMMAND=0000:0002")
            kmsg = kmsg_open()
            rc, text, err = save(cli, addr, out, json=False)
            log = "\n".join(kmsg_read(kmsg))
        finally:
            setpci(addr, f"COMMAND={cmd:04x}:0002")
        print(f"# kernel: {log}")
        expect_eq(rc, EXIT_RUNTIME, "exit status with decoding off")
        expect("Input/output error" in err and "Memory decoding is off" in err and
               f"setpci -s {addr} COMMAND=0002:0002" in err, f"stderr {err!r}")
        expect(f"pci {addr}: Invalid PCI ROM header signature" in log,
               "the kernel's reason is not in its log")
        expect_eq(os.listdir(d), [], "files written")
        expect_eq(rom_address(addr) & 1, 0, "ROM enable bit after the failure")
        expect(not rom_attr_reads(addr), "rom attribute left readable")
        rc, doc, err = save(cli, addr, out)
        expect_eq((rc, doc["driver"], read(out)), (0, None, qemu),
                  f"save unbound, decoding on ({err.strip()})")


@test
def claimed_runtime_suspended_woken(cli):
    """rom save of a claimed NIC (vfio-pci, runtime-suspended in D3hot): woken for the read, power/control given back, released to e1000e"""
    addr = addr_by_mac(ROM_MAC)
    qemu = read(ARGS.qemu_rom)
    with Guarded([addr]), tempfile.TemporaryDirectory() as d:
        r = cli.run("claim", addr)
        expect_eq(r.returncode, 0, "claim exit status")
        expect_claimed(addr)
        ctl = power(addr, "control")
        deadline = time.monotonic() + 10
        while power(addr, "runtime_status") != "suspended" and time.monotonic() < deadline:
            time.sleep(0.2)
        pm = int(setpci(addr, "CAP_PM+4.w")[0], 16)
        print(f"# {addr}: control={ctl} status={power(addr, 'runtime_status')} PMCSR={pm:#06x}")
        if ctl != "auto" or power(addr, "runtime_status") != "suspended":
            raise Failure("vfio-pci did not leave the idle device runtime-suspended")
        expect_eq(pm & 3, 3, "power state D3hot (PMCSR)")
        active = int(power(addr, "runtime_active_time"))
        out = os.path.join(d, "nic.rom")
        rc, text, err = save(cli, addr, out, json=False)
        expect_eq(rc, 0, f"exit status ({err.strip()})")
        expect_eq(read(out), qemu, "saved bytes")
        # QEMU 7.2 answers memory reads in D3hot too: the read alone
        # cannot fail here, the device's runtime PM accounting shows the wake.
        expect(int(power(addr, "runtime_active_time")) > active,
               "runtime_active_time did not grow: the device was not woken")
        expect_eq(power(addr, "control"), "auto", "power/control after")
        expect("was under runtime power management" in text, "text says it woke it")
        expect_eq(rom_address(addr) & 1, 0, "ROM enable bit after")
        r = cli.run("release", addr)
        expect_eq(r.returncode, 0, "release exit status")
        expect_eq(sys_driver(addr), "e1000e", "driver after release")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--qemu-rom", required=True,
                    help="the file QEMU loaded into nic_g's ROM BAR")
    ARGS = ap.parse_args()
    return test.run(Cli(ARGS.cli))


if __name__ == "__main__":
    sys.exit(main())
