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
  * every ```json example of user/README-json.md validates against the
    schema of the command whose heading it sits under (a fragment, after
    a "`key`:" line or under a "### `key`" heading, against that $defs
    entry), with its elisions ("...", "{...}", UPPER-CASE placeholders
    such as REASON) standing for anything;
  * and a validation can fail: each golden and example with an unknown
    key, without a required key, or with a word no enum has must be
    rejected.
Prints what it checked; exits 1 on any failure.

usage: tests/lib/schema_check.py [--cli user/pcipass] [--readme FILE]
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


# ---------------------------------------------------- README-json examples

README = os.path.join(TOP, "user", "README-json.md")
# What an elision in an example becomes: one value that every schema
# accepts (elided_validator()), so an example is checked as far as it goes.
ELIDED = "\u2026elided\u2026"
# An array holding it may be longer or shorter than shown.
ARRAY_SIZE_KEYWORDS = ("minItems", "maxItems", "uniqueItems", "contains",
                       "minContains", "maxContains")
# An object holding it as a key may have more keys than shown.
OBJECT_SIZE_KEYWORDS = ("required", "minProperties", "dependentRequired")


class Elided:
    """Marks a schema that accepts ELIDED wherever it stands."""

    def __init__(self, schema):
        self.schema = schema


def elided_validator(schema):
    import jsonschema
    cls = jsonschema.validators.validator_for(schema)

    def wrap(keyword, check):
        def run(validator, value, instance, sub):
            if instance == ELIDED:
                return
            if (keyword in ARRAY_SIZE_KEYWORDS and isinstance(instance, list)
                    and ELIDED in instance):
                return
            if isinstance(instance, dict) and ELIDED in instance:
                if keyword in OBJECT_SIZE_KEYWORDS:
                    return
                instance = {k: v for k, v in instance.items() if k != ELIDED}
            yield from check(validator, value, instance, sub)
        return run

    ext = jsonschema.validators.extend(
        cls, {k: wrap(k, f) for k, f in cls.VALIDATORS.items()})
    return ext(schema)


def unelide(text, names):
    """The example as JSON: outside strings, "{...}", "..." and the
    UPPER_CASE names the prose defines become ELIDED (", ...]": more
    elements), and a "..." that ends an object ({"id": "x", ...}) a key
    ELIDED: more keys.  Any other word stays, for json to reject."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == '"':			# a string, escapes included
            m = re.compile(r'"(?:[^"\\]|\\.)*"').match(text, i)
            if not m:
                raise ValueError(f"unterminated string at {i}")
            out.append(m.group())
            i = m.end()
            continue
        m = re.compile(r"\{\s*\.\.\.\s*\}|\.\.\.|[A-Z][A-Z_]+\b").match(text, i)
        if m and (m.group()[0] in "{." or m.group() in names):
            # "{"id": "x", ...}": the object's other keys
            rest = m.group() == "..." and text[m.end():].lstrip()[:1] == "}"
            out.append(json.dumps(ELIDED) + (": null" if rest else ""))
            i = m.end()
            continue
        out.append(m.group() if m else c)
        i = m.end() if m else i + 1
    return "".join(out)


def readme_examples(path=README):
    """(what, heading, key, text) of every ```json block: key is the
    fragment's name, None for a whole document; and the placeholder
    names the prose introduces ("REASON (...):", "HOP:", "as SUMMARY")."""
    with open(path) as f:
        lines = f.read().split("\n")
    out, heading, sub, last, i = [], None, None, "", 0
    names = {"SUMMARY"}		# "## Device summary"
    while i < len(lines):
        m = re.match(r"([A-Z][A-Z_]+)(?::| \(| below| per)", lines[i])
        if m:
            names.add(m.group(1))
        m = re.search(r"\b([A-Z][A-Z_]+) below\b", lines[i])
        if m:
            names.add(m.group(1))
        line = lines[i]
        if line.startswith("## "):
            heading, sub = line[3:], None
        elif line.startswith("### "):
            sub = line[4:]
        if line.strip() == "```json":
            start = i + 1
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                i += 1
            m = re.fullmatch(r"`([a-z_]+)`:", last.strip())
            key = m.group(1) if m else None
            if key is None and sub:
                m = re.match(r"`([a-z_]+)`", sub)
                key = m.group(1) if m else None
            out.append((f"{os.path.basename(path)}:{start}", heading, key,
                        "\n".join(lines[start:i])))
        elif line.strip():
            last = line
        i += 1
    return out, names


def example_schema(heading, key):
    """The schema an example under heading validates against: that of the
    first `pcipass ...` the heading names, or its $defs entry key."""
    m = re.search(r"`pcipass ([a-z][a-z -]*?)(?: [A-Z|]+)?`", heading or "")
    if not m:
        raise schemacheck.SchemaError(f"heading {heading!r} names no command")
    name = schemacheck.schema_name(m.group(1).split())
    s = schemacheck.validator(name).schema
    if key is None:
        return name, s
    if key not in s.get("$defs", {}):
        raise schemacheck.SchemaError(f"{name} schema has no $defs/{key}")
    return (f"{name} $defs/{key}",
            {"$schema": s["$schema"], "$defs": s["$defs"],
             "$ref": f"#/$defs/{key}"})


def examples(path=README):
    """(what, Elided(schema), document, schema name) of every example."""
    out = []
    blocks, names = readme_examples(path)
    if not blocks:
        fail(f"no ```json examples in {path}")
    for where, heading, key, text in blocks:
        try:
            name, schema = example_schema(heading, key)
            doc = json.loads(unelide(text, names))
        except (schemacheck.SchemaError, ValueError) as e:
            fail(f"{where} (under {heading!r}): {e}")
            continue
        out.append((f"{where} ({name})", Elided(schema), doc, name))
    return out


def errors_of(schema, doc):
    if isinstance(schema, str):
        return schemacheck.errors(doc, schema)
    if isinstance(schema, Elided):
        v = elided_validator(schema.schema)
    else:
        import jsonschema
        v = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}"
            for e in v.iter_errors(doc)]


def mutants(doc):
    """Documents the schema must reject: (what was done, document); parts
    an example elides are left alone."""
    out = []
    d = copy.deepcopy(doc)
    d["no_such_key"] = 1
    out.append(("an unknown key", d))
    d = copy.deepcopy(doc)
    first = next(iter(d))
    del d[first]
    if ELIDED not in doc:	# "...}" already stands for any missing key
        out.append((f"without {first!r}", d))
    for key in ("verdict", "kernel_release"):
        if key in doc:
            d = copy.deepcopy(doc)
            d[key] = 17
            out.append((f"{key} a number", d))
    if isinstance(doc.get("checks"), list) and \
            isinstance(doc["checks"][0], dict):
        d = copy.deepcopy(doc)
        d["checks"][0]["status"] = "maybe"
        out.append(("a check's status 'maybe'", d))
        d = copy.deepcopy(doc)
        d["checks"].reverse()
        out.append(("the checks reversed", d))
    if doc.get("path") and isinstance(doc["path"][0], dict):
        d = copy.deepcopy(doc)
        d["path"][0]["acs_state"] = "maybe"
        out.append(("a hop's acs_state 'maybe'", d))
    if isinstance(doc.get("host_impact"), dict):
        d = copy.deepcopy(doc)
        d["host_impact"]["functions"][0]["display"]["fbcon"] = "yes"
        out.append(("display.fbcon a string", d))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", help="a built pcipass: validate its --json version")
    ap.add_argument("--readme", default=README,
                    help="the README-json.md whose examples to check")
    args = ap.parse_args()
    try:
        nschemas = check_schemas(schemacheck.schema_dir())
    except (ImportError, schemacheck.SchemaError) as e:
        print(f"FAIL {e}")
        return 1
    docs = goldens(args.cli)
    docs += [(what, schema, doc, name)
             for what, schema, doc, name in examples(args.readme)]
    nmut = 0
    for what, schema, doc, *named in docs:
        name = (named[0] if named else
                schema if isinstance(schema, str) else "check (impact parts)")
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
