#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The JSON schemas (schema/) against themselves and the repository's
golden outputs.

  * every schema is a valid schema of its draft (check_schema), has a
    versioned $id naming its file, and is the schema of a command
    (tests/e2e/schemacheck.py's table, which the end-to-end suites use);
  * a $defs entry of the same name is the same in every schema (the
    schemas are self-contained, so shared parts are copies);
  * the golden outputs validate: `pcipass host` (user/tests/host/), the
    host side of `pcipass check` (user/tests/impact/, against the parts
    of the check schema), the guest's `pcipass check` goldens
    (tests/e2e/golden/, with their normalization undone), and with
    --cli PATH also `PATH --json version`;
  * and a validation can fail: each golden with an unknown key, without a
    required key, or with a word no enum has must be rejected.
Prints what it checked; exits 1 on any failure.

usage: tests/lib/schema_check.py [--cli user/pcipass]
"""

import argparse
import copy
import glob
import json
import os
import re
import subprocess
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
import schemacheck  # noqa: E402

ID_RE = re.compile(r"^https://github\.com/pcipass/pcipass/schema/(\d+)/"
                   r"(pcipass-[a-z-]+\.schema\.json)$")

failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL {msg}")


def load(path):
    with open(path) as f:
        return json.load(f)


def check_schemas(sdir):
    import jsonschema
    files = sorted(glob.glob(os.path.join(sdir, "pcipass-*.schema.json")))
    names = {os.path.basename(f)[len("pcipass-"):-len(".schema.json")]
             for f in files}
    want = set(schemacheck.SCHEMA_OF.values())
    if names != want:
        fail(f"schemas {sorted(names)}, the commands' table {sorted(want)}")
    versions, defs = set(), {}
    for f in files:
        s = load(f)
        base = os.path.basename(f)
        try:
            jsonschema.validators.validator_for(s).check_schema(s)
        except jsonschema.exceptions.SchemaError as e:
            fail(f"{base}: not a valid schema: {e.message}")
        m = ID_RE.match(s.get("$id", ""))
        if not m or m.group(2) != base:
            fail(f"{base}: $id {s.get('$id')!r} is not "
                 f"https://github.com/pcipass/pcipass/schema/N/{base}")
        else:
            versions.add(m.group(1))
        for k, v in s.get("$defs", {}).items():
            if k in defs and defs[k][1] != v:
                fail(f"{base}: $defs/{k} differs from {defs[k][0]}'s")
            defs.setdefault(k, (base, v))
    if len(versions) > 1:
        fail(f"the schemas' $id name different versions: {sorted(versions)}")
    print(f"checked {len(files)} schemas (version {', '.join(sorted(versions))}), "
          f"{len(defs)} shared definitions")
    return len(files)


def impact_schema():
    """The check schema's parts that user/tests/impact_run prints: each
    device's extras, host_impact and the snippets (plus its own
    critical and claim_holds)."""
    c = schemacheck.validator("check").schema
    return {"$schema": c["$schema"], "$defs": c["$defs"], "type": "object",
            "required": ["devices", "host_impact", "proxmox", "libvirt"],
            "additionalProperties": False,
            "properties": {
                "devices": {"type": "array", "items": {
                    "type": "object", "required": ["address", "extras"],
                    "additionalProperties": False,
                    "properties": {"address": {"$ref": "#/$defs/address"},
                                   "extras": {"$ref": "#/$defs/extras"}}}},
                "host_impact": {"$ref": "#/$defs/host_impact"},
                "proxmox": {"$ref": "#/$defs/proxmox"},
                "libvirt": {"$ref": "#/$defs/libvirt"},
                "critical": {"type": "boolean"},
                "claim_holds": {"type": "array"}}}


def denormalize_check(doc):
    """tests/e2e/check_test.py's normalize_json() undone as far as the
    schema cares: group numbers became "#<first member>", the kernel's
    ACS parameter "pci=<acs>="."""
    doc = copy.deepcopy(doc)
    tokens = {}
    num = lambda t: tokens.setdefault(t, len(tokens) + 1)  # noqa: E731
    doc["iommu_groups"] = [num(t) for t in doc["iommu_groups"]]
    for g in doc["groups"]:
        g["id"] = num(g["id"])
    for h in doc["path"]:
        if h["cmdline"] == "pci=<acs>=":
            h["cmdline"] = "pci=config_acs="
    return doc


def goldens(cli):
    """(what, schema name or a schema, document) of every golden output."""
    out = []
    for pattern, schema, prep in (
            ("user/tests/host/*/expected.json", "host", None),
            ("user/tests/impact/*/expected.json", impact_schema(), None),
            ("tests/e2e/golden/*.json", "check", denormalize_check)):
        files = sorted(glob.glob(os.path.join(TOP, pattern)))
        if not files:	# moved: follow them here
            fail(f"no golden outputs {pattern}")
        for f in files:
            doc = load(f)
            out.append((os.path.relpath(f, TOP), schema,
                        prep(doc) if prep else doc))
    if cli:
        r = subprocess.run([cli, "--json", "version"], capture_output=True,
                           text=True)
        if r.returncode not in (0, 1):
            fail(f"{cli} --json version exited {r.returncode}: {r.stderr}")
        else:
            out.append((f"{cli} --json version", "version", json.loads(r.stdout)))
    return out


def errors_of(schema, doc):
    if isinstance(schema, str):
        return schemacheck.errors(doc, schema)
    import jsonschema
    v = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}"
            for e in v.iter_errors(doc)]


def mutants(doc):
    """Documents the schema must reject: (what was done, document)."""
    out = []
    d = copy.deepcopy(doc)
    d["no_such_key"] = 1
    out.append(("an unknown key", d))
    d = copy.deepcopy(doc)
    first = next(iter(d))
    del d[first]
    out.append((f"without {first!r}", d))
    for key in ("verdict", "kernel_release"):
        if key in doc:
            d = copy.deepcopy(doc)
            d[key] = 17
            out.append((f"{key} a number", d))
    if "checks" in doc:
        d = copy.deepcopy(doc)
        d["checks"][0]["status"] = "maybe"
        out.append(("a check's status 'maybe'", d))
        d = copy.deepcopy(doc)
        d["checks"].reverse()
        out.append(("the checks reversed", d))
    if doc.get("path"):
        d = copy.deepcopy(doc)
        d["path"][0]["acs_state"] = "maybe"
        out.append(("a hop's acs_state 'maybe'", d))
    if doc.get("host_impact"):
        d = copy.deepcopy(doc)
        d["host_impact"]["functions"][0]["display"]["fbcon"] = "yes"
        out.append(("display.fbcon a string", d))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", help="a built pcipass: validate its --json version")
    args = ap.parse_args()
    try:
        nschemas = check_schemas(schemacheck.schema_dir())
    except (ImportError, schemacheck.SchemaError) as e:
        print(f"FAIL {e}")
        return 1
    docs = goldens(args.cli)
    nmut = 0
    for what, schema, doc in docs:
        name = schema if isinstance(schema, str) else "check (impact parts)"
        bad = errors_of(schema, doc)
        if bad:
            fail(f"{what} does not match {name}:\n  " + "\n  ".join(bad[:10]))
            continue
        print(f"ok {what} against {name}")
        for how, m in mutants(doc):
            nmut += 1
            if not errors_of(schema, m):
                fail(f"{what} {how}: the {name} schema accepts it")
    print(f"{nschemas} schemas, {len(docs)} documents valid, "
          f"{nmut} broken copies rejected, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
