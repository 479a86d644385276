#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pcipass rom check and rom save on Debian's real option ROMs.

Ground truth is computed here, independently of the C parser: the image
chain walked with struct, `file`'s description of the first image and
`od` for the signature bytes.  Then broken copies, each with one fault,
must be diagnosed precisely (kind, image, numbers): a bad checksum, a
truncated file, --for a fixture device with other IDs, a 512-byte vendor
header (stripped, reported, --output writes the ROM without it), the
last-image flag missing.  rom save reads a fixture sysroot's rom file
(the test build, pcipass-test): the saved file is byte-equal to it, and
the refusals (no rom file, FILE exists, an invalid ROM, an empty read, no
such device) exit as documented.  Every --json document is validated
against its schema (tests/e2e/schemacheck.py).

The ROMs come from ipxe-qemu and seabios (scripts/install-deps.sh):
missing, the test fails; it never skips.

usage: rom_test.py PCIPASS PCIPASS_TEST
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
sys.path.insert(0, os.path.join(TOP, "user", "tests"))
import harness  # noqa: E402
import schemacheck  # noqa: E402

IPXE = "/usr/lib/ipxe/qemu/efi-e1000e.rom"	# ipxe-qemu: legacy + EFI
VGA = "/usr/share/seabios/vgabios-stdvga.bin"	# seabios: legacy VGA BIOS
EXIT_INVALID = 10

ok = harness.Checks("rom")


def walk(data):
    """The image chain from the first byte, as firmware walks it."""
    out, off = [], 0
    while True:
        assert data[off:off + 2] == b"\x55\xaa", hex(off)
        p = struct.unpack_from("<H", data, off + 0x18)[0]
        sig, ven, dev, dl, _plen, rev = struct.unpack_from("<4sHHHHB", data,
                                                           off + p)
        assert sig == b"PCIR"
        cls = int.from_bytes(data[off + p + 0xd:off + p + 0x10], "little")
        ilen, crev, ctype, ind = struct.unpack_from("<HHBB", data,
                                                    off + p + 0x10)
        im = dict(index=len(out), offset=off, length=ilen * 512, vendor=ven,
                  device=dev, **{"class": cls}, pcir_offset=p,
                  pcir_revision=rev, code_type=ctype, code_revision=crev,
                  last=bool(ind & 0x80), device_list=[])
        if rev >= 3 and dl:
            q = off + p + dl
            while True:
                (i,) = struct.unpack_from("<H", data, q)
                if not i:
                    break
                im["device_list"].append(i)
                q += 2
        if ctype == 0:
            im["checksum"] = sum(data[off:off + ilen * 512]) % 256
            im["init_size"] = data[off + 2] * 512
        if ctype == 3:
            init, sig, sub, mach, comp = struct.unpack_from("<HIHHH", data,
                                                            off + 2)
            assert sig == 0xEF1
            im["init_size"] = init * 512
            im["efi"] = dict(subsystem=sub, machine=mach, compression=comp,
                             image_offset=struct.unpack_from(
                                 "<H", data, off + 0x16)[0])
        out.append(im)
        off += ilen * 512
        if ind & 0x80:
            return out


def run(binary, *args, env=None):
    """No fixture root unless env names one: rom check reads files."""
    return harness.run(binary, None, *args, env=env)


def doc_of(binary, sub, *args, env=None):
    """(exit, document) of --json rom SUB ARGS, checked on its schema."""
    rc, out, err = run(binary, "--json", "rom", sub, *args, env=env)
    try:
        doc = json.loads(out)
    except ValueError:
        ok(False, f"rom {sub} {' '.join(args)}: exit {rc}, no JSON: {out!r} {err}")
        return rc, None
    bad = schemacheck.errors(doc, f"rom-{sub}")
    ok(not bad, f"rom {sub} {' '.join(args)}: against its schema: {bad}")
    return rc, doc


def kinds(doc):
    return [(f["kind"], f["image"]) for f in doc["findings"]]


def put(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def put_get(d, name, data):
    put(os.path.join(d, name), data)
    return os.path.join(d, name)


def fix_checksum(b, start, length):
    """Sets the image's last byte so its bytes sum to 0 (mod 256)."""
    end = start + length - 1
    b[end] = (b[end] - sum(b[start:start + length])) % 256


def check_real(cli, path, name):
    data = open(path, "rb").read()
    truth = walk(data)
    rc, doc = doc_of(cli, "check", path)
    if not doc:
        return
    ok(rc == 0 and doc["valid"], f"{name}: exit {rc}, valid {doc['valid']}")
    ok(doc["size"] == len(data) and doc["header_bytes"] == 0,
       f"{name}: size {doc['size']} (want {len(data)}), header {doc['header_bytes']}")
    ok(len(doc["images"]) == len(truth),
       f"{name}: {len(doc['images'])} images, want {len(truth)}")
    for got, want in zip(doc["images"], truth):
        for k, v in want.items():
            if k == "efi":
                g = {x: got["efi"][x] for x in v} if got["efi"] else None
                ok(g == v, f"{name} image {want['index']} efi: {g} != {v}")
            else:
                ok(got.get(k) == v,
                   f"{name} image {want['index']} {k}: {got.get(k)!r} != {v!r}")
        if "checksum" in want:
            ok(got["checksum_ok"] is True, f"{name}: checksum_ok")
        else:
            ok(got["checksum"] is None, f"{name}: a checksum for code type "
               f"{got['code_type']}")
    uefi = any(i.get("efi", {}).get("machine") == 0x8664 for i in truth)
    ok(doc["uefi"] == uefi and doc["legacy"] == any(i["code_type"] == 0
                                                     for i in truth),
       f"{name}: uefi {doc['uefi']} legacy {doc['legacy']}")
    base = os.path.basename(path)
    ok(doc["proxmox"] == f"hostpciN: ADDR,romfile={base}" and
       doc["libvirt"] == f"<rom file='/usr/share/kvm/{base}'/>",
       f"{name}: snippets {doc['proxmox']!r} {doc['libvirt']!r}")
    # file(1)'s magic reads the first image's size byte and PCI IDs
    f = subprocess.run(["file", "-b", path], capture_output=True,
                       text=True).stdout
    m = re.search(r"\((\d+)\*512\)", f)
    ok(m and int(m.group(1)) * 512 == doc["images"][0]["init_size"],
       f"{name}: file says {f.strip()!r}, init_size {doc['images'][0]['init_size']}")
    m = re.search(r"device=0x([0-9a-f]+)", f)
    ok(m and int(m.group(1), 16) == doc["images"][0]["device"],
       f"{name}: file's device vs {doc['images'][0]['device']:#x}")
    od = subprocess.run(["od", "-An", "-tx1", "-N2", path],
                        capture_output=True, text=True).stdout.split()
    ok(od == ["55", "aa"], f"{name}: od says {od}")
    # the text says the same, with the hint
    rc, out, _ = run(cli, "rom", "check", path)
    ok(rc == 0 and "valid option ROM" in out and
       f"hostpciN: ADDR,romfile={base}" in out and
       f"<rom file='/usr/share/kvm/{base}'/>" in out and
       ("UEFI (OVMF) guests: yes" in out) == uefi,
       f"{name}: text output:\n{out}")
    return data, truth


def broken(cli, tmp, ipxe, vga, vga_truth, ipxe_truth):
    def check(name, data, want_rc, want_kinds, *extra, binary=cli, env=None):
        path = os.path.join(tmp, name)
        put(path, bytes(data))
        rc, doc = doc_of(binary, "check", path, *extra, env=env)
        if doc is None:
            return None
        ok(rc == want_rc, f"{name}: exit {rc}, want {want_rc}: {kinds(doc)}")
        ok(kinds(doc) == want_kinds, f"{name}: findings {kinds(doc)}, want {want_kinds}")
        ok(doc["valid"] == (want_rc == 0), f"{name}: valid {doc['valid']}")
        return doc

    # bad checksum: one byte of the legacy image changed
    b = bytearray(vga)
    b[0x100] = (b[0x100] + 7) % 256
    doc = check("badsum.rom", b, EXIT_INVALID,
                [("bad_checksum", 0), ("no_uefi_image", None)][:1])
    if doc:
        ok(doc["images"][0]["checksum"] == sum(b) % 256 == 7,
           f"badsum: checksum {doc['images'][0]['checksum']}")
        ok("0x07" in doc["findings"][0]["message"], doc["findings"][0]["message"])
        ok(doc["proxmox"] is None and doc["libvirt"] is None,
           "badsum: snippets for an invalid ROM")
    rc, out, _ = run(cli, "rom", "check", os.path.join(tmp, "badsum.rom"))
    ok(rc == EXIT_INVALID and "bad checksum" in out and "INVALID" in out
       and "romfile=" not in out, f"badsum text:\n{out}")

    # truncated: the EFI image cut short
    cut = 200000
    im1 = ipxe_truth[1]
    doc = check("trunc.rom", ipxe[:cut], EXIT_INVALID, [("truncated", 1)])
    if doc:
        short = im1["offset"] + im1["length"] - cut
        ok(f"({short} short)" in doc["findings"][0]["message"],
           f"trunc: {doc['findings'][0]['message']} (want {short} short)")
    doc = check("trunc-head.rom", ipxe[:1000], EXIT_INVALID, [("truncated", 0)])
    # cut before its PCIR: still "truncated", not "no image"
    doc = check("trunc-pcir.rom", vga[:30000], EXIT_INVALID,
                [("truncated", None)])
    doc = check("trunc-pcir2.rom", ipxe[:ipxe_truth[1]["offset"] + 20],
                EXIT_INVALID, [("truncated", 1)])
    # a header and no --output: no snippet for the file as it is
    rc, doc = doc_of(cli, "check", put_get(tmp, "hdr-only.rom",
                                           b"\0" * 512 + vga))
    ok(rc == 0 and doc and doc["proxmox"] is None and doc["libvirt"] is None,
       f"header without --output: snippets {doc and doc['proxmox']!r}")
    rc, out, _ = run(cli, "rom", "check", os.path.join(tmp, "hdr-only.rom"))
    ok(rc == 0 and "--output" in out and "romfile=" not in out,
       f"header without --output, text:\n{out}")

    # a 512-byte vendor header in front: stripped, reported, still valid
    hdr = bytes((i * 37 + 11) % 256 for i in range(512)).replace(b"\x55", b"\x56")
    out = os.path.join(tmp, "stripped.rom")
    doc = check("header.rom", hdr + ipxe, 0, [("vendor_header", None)],
                "--output", out)
    if doc:
        ok(doc["header_bytes"] == 512 and
           [i["offset"] for i in doc["images"]] ==
           [i["offset"] + 512 for i in ipxe_truth],
           f"header: {doc['header_bytes']} bytes, offsets "
           f"{[i['offset'] for i in doc['images']]}")
        ok("512 bytes" in doc["findings"][0]["message"], doc["findings"][0]["message"])
        ok(os.path.exists(out) and open(out, "rb").read() == ipxe,
           "header: --output is not the ROM without its header")
        ok(doc["output"] == out and "romfile=stripped.rom" in doc["proxmox"],
           f"header: output {doc['output']!r}, proxmox {doc['proxmox']!r}")
    rc, _, err = run(cli, "rom", "check", "--output", out,
                     os.path.join(tmp, "header.rom"))
    ok(rc == 1 and "exists" in err, f"--output onto an existing file: exit {rc}: {err}")

    # the last-image flag missing (checksum kept right: one fault only)
    b = bytearray(vga)
    ind = vga_truth[0]["pcir_offset"] + 0x15
    b[ind] &= 0x7f
    fix_checksum(b, 0, len(b))
    check("nolast-vga.rom", b, EXIT_INVALID, [("no_last_image", 0)])
    b = bytearray(ipxe)		# the EFI image: no checksum to fix
    b[im1["offset"] + im1["pcir_offset"] + 0x15] &= 0x7f
    b += b"\xff" * 4096
    check("nolast-efi.rom", b, EXIT_INVALID, [("no_last_image", 1)])

    # trailing padding after the last image: a warning
    doc = check("padded.rom", ipxe + b"\xff" * 8192, 0,
                [("trailing_data", None)])
    if doc:
        ok(doc["trailing_bytes"] == 8192, f"padded: {doc['trailing_bytes']}")

    # not a ROM at all; an empty file
    check("zero.rom", b"\x00" * 4096, EXIT_INVALID, [("no_image", None)])
    check("empty.rom", b"", EXIT_INVALID, [("no_image", None)])
    # the EFI signature broken
    b = bytearray(ipxe)
    b[im1["offset"] + 4] ^= 0xff
    check("badefi.rom", b, EXIT_INVALID, [("bad_efi_header", 1)])
    return check


def fixture_checks(cli, test, tmp, ipxe, vga):
    root = os.path.join(tmp, "root")
    dev = lambda a: os.path.join(root, "sys/bus/pci/devices", a)  # noqa: E731
    for a, v, d in (("0000:00:03.0", "0x8086", "0x10d3"),   # the e1000e
                    ("0000:01:00.0", "0x10de", "0x1b80"),   # another card
                    ("0000:00:02.0", "0x1234", "0x1111"),   # boot VGA
                    ("0000:00:04.0", "0x8086", "0x10d3"),   # no rom file
                    ("0000:00:05.0", "0x8086", "0x10d3"),   # ROM BAR off
                    ("0000:00:06.0", "0x8086", "0x10d3")):  # empty read
        put(os.path.join(dev(a), "vendor"), v + "\n")
        put(os.path.join(dev(a), "device"), d + "\n")
    put(os.path.join(dev("0000:00:03.0"), "rom"), ipxe)
    put(os.path.join(dev("0000:01:00.0"), "rom"), ipxe)
    put(os.path.join(dev("0000:00:02.0"), "rom"), vga)
    put(os.path.join(dev("0000:00:02.0"), "boot_vga"), "1\n")
    put(os.path.join(dev("0000:00:05.0"), "rom"), b"\xff" * 65536)
    put(os.path.join(dev("0000:00:06.0"), "rom"), b"")
    os.makedirs(os.path.join(root, "sys/bus/pci/drivers/e1000e"))
    os.symlink("../../../bus/pci/drivers/e1000e",
               os.path.join(dev("0000:00:03.0"), "driver"))
    env = {"PCIPASS_SYSROOT": root}
    ipxe_path = os.path.join(tmp, "ipxe.rom")
    put(ipxe_path, ipxe)

    # --for: the device's IDs from sysfs
    rc, doc = doc_of(test, "check", "--for", "00:03.0", ipxe_path, env=env)
    ok(rc == 0 and doc and doc["device"] == {"address": "0000:00:03.0",
                                             "vendor": 0x8086, "device": 0x10d3}
       and doc["proxmox"] == "hostpciN: 0000:00:03.0,romfile=ipxe.rom",
       f"--for the e1000e: exit {rc}, {doc and doc['device']}")
    rc, doc = doc_of(test, "check", "--for", "01:00.0", ipxe_path, env=env)
    ok(rc == EXIT_INVALID and doc and
       kinds(doc) == [("id_mismatch", 0), ("id_mismatch", 1)] and
       "10de:1b80" in doc["findings"][0]["message"] and
       "8086:10d3" in doc["findings"][0]["message"],
       f"--for another card: exit {rc}, {doc and doc['findings']}")
    rc, _, err = run(test, "rom", "check", "--for", "07:00.0", ipxe_path,
                     env=env)
    ok(rc == 1 and "no PCI function 0000:07:00.0" in err,
       f"--for a missing device: exit {rc}: {err}")

    # save: byte-equal, the driver named, atomically, no overwrite
    out = os.path.join(tmp, "saved.rom")
    rc, doc = doc_of(test, "save", "00:03.0", out, env=env)
    ok(rc == 0 and doc and doc["saved"] and doc["driver"] == "e1000e" and
       not doc["boot_vga"] and doc["address"] == "0000:00:03.0",
       f"save: exit {rc}, {doc and {k: doc[k] for k in ('saved', 'driver', 'boot_vga')}}")
    ok(open(out, "rb").read() == ipxe, "save: the file differs from the rom")
    ok(not [f for f in os.listdir(tmp) if f.startswith("saved.rom.")],
       f"save left temporary files: {os.listdir(tmp)}")
    ok(oct(os.stat(out).st_mode & 0o777) == "0o644", "save: mode")
    rc, _, err = run(test, "rom", "save", "00:02.0", out, env=env)
    ok(rc == 1 and "exists" in err and open(out, "rb").read() == ipxe,
       f"save onto an existing file: exit {rc}: {err}")
    rc, o, err = run(test, "rom", "save", "--force", "00:02.0", out, env=env)
    ok(rc == 0 and open(out, "rb").read() == vga and
       "boot VGA device" in o and "0xC0000" in o and "saved 39936 bytes" in o,
       f"save --force of the boot VGA: exit {rc}:\n{o}{err}")
    rc, doc = doc_of(test, "save", "--force", "00:02.0", out, env=env)
    ok(rc == 0 and doc and doc["boot_vga"] and doc["driver"] is None,
       f"save --json boot VGA: {doc and doc['boot_vga']}")
    for addr, want_rc, want_err in (
            ("00:04.0", 1, "has no option ROM"),
            ("00:06.0", 1, "0 bytes"),
            ("00:09.0", 1, "no PCI function 0000:00:09.0")):
        target = os.path.join(tmp, f"refused-{addr[3:5]}.rom")
        rc, _, err = run(test, "rom", "save", addr, target, env=env)
        ok(rc == want_rc and want_err in err and not os.path.exists(target),
           f"save {addr}: exit {rc} (want {want_rc}), stderr {err!r}")
    target = os.path.join(tmp, "off.rom")
    rc, doc = doc_of(test, "save", "00:05.0", target, env=env)
    ok(rc == EXIT_INVALID and doc and not doc["saved"] and
       kinds(doc) == [("no_image", None)] and not os.path.exists(target),
       f"save of a ROM BAR reading 0xff: exit {rc}")
    # the shipped binary refuses the fixture
    rc, _, err = run(cli, "rom", "save", "00:03.0", target, env=env)
    ok(rc == 1 and "PCIPASS_SYSROOT" in err, f"shipped binary: exit {rc}")
    # usage errors
    for args in (["save", "01:00", target], ["save", "00:03.0"],
                 ["check"], ["check", "--force", ipxe_path],
                 ["save", "--for", "00:03.0", "00:03.0", target],
                 ["nosuch"]):
        rc, o, err = run(test, "rom", *args, env=env)
        ok(rc == 2 and not o, f"rom {' '.join(args)}: exit {rc}, {err!r}")


def main():
    cli, test = sys.argv[1], sys.argv[2]
    for p, pkg in ((IPXE, "ipxe-qemu"), (VGA, "seabios")):
        if not os.path.isfile(p):
            print(f"FAIL rom: {p} missing: apt-get install {pkg} "
                  "(scripts/install-deps.sh)")
            return 1
    ipxe, ipxe_truth = check_real(cli, IPXE, "efi-e1000e")
    vga, vga_truth = check_real(cli, VGA, "vgabios-stdvga")
    ok(len(ipxe_truth) == 2 and ipxe_truth[0]["code_type"] == 0 and
       ipxe_truth[1]["code_type"] == 3, "efi-e1000e is not legacy + EFI")
    with tempfile.TemporaryDirectory() as tmp:
        broken(cli, tmp, ipxe, vga, vga_truth, ipxe_truth)
        fixture_checks(cli, test, tmp, ipxe, vga)
    return ok.done()


if __name__ == "__main__":
    sys.exit(main())
