# SPDX-License-Identifier: GPL-2.0
"""Every JSON document the CLI prints, checked against its command's
schema (schema/pcipass-CMD.schema.json).

Used by the end-to-end suites on every document they parse (tapcheck's
cli_json()) and by tests/lib/schema_check.py on the host.  Needs
python3-jsonschema (scripts/install-deps.sh; the guests run the host's
root, the Debian image installs it): without it every check fails, it is
never skipped.

The schemas are looked up in $PCIPASS_SCHEMA_DIR, else the repository's
schema/ (tests/e2e/../../schema), else where make install puts them
(/usr/local/share/pcipass/schema, /usr/share/pcipass/schema: the Debian
image's boots run copies of tests/e2e/ against the installed project).
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_DIRS = [os.path.join(HERE, "..", "..", "schema"),
               "/usr/local/share/pcipass/schema", "/usr/share/pcipass/schema"]

# pcipass COMMAND (and persist's, rom's and export's SUBCOMMAND) -> schema name;
# the other commands print no JSON document (hook, help, persist apply/remove,
# export prometheus/nfd).
SCHEMA_OF = {"list": "list", "show": "show", "check": "check", "host": "host",
             "claim": "claim", "release": "release", "monitor": "monitor",
             "version": "version", ("persist", "list"): "persist-list",
             ("persist", "wait"): "persist-wait",
             ("rom", "check"): "rom-check", ("rom", "save"): "rom-save",
             ("export", "proxmox-mapping"): "export-proxmox-mapping",
             "drift": "drift", "sriov": "sriov"}


class SchemaError(Exception):
    pass


def schema_dir():
    env = os.environ.get("PCIPASS_SCHEMA_DIR")
    for d in [env] if env else SCHEMA_DIRS:
        if os.path.isfile(os.path.join(d, "pcipass-list.schema.json")):
            return os.path.normpath(d)
    raise SchemaError("no pcipass JSON schemas in " +
                      (env or ", ".join(SCHEMA_DIRS)))


def schema_name(args):
    """The schema of the document `pcipass ARGS` prints: the command is
    the first word that is not an option (no global option takes a
    value); for persist, its subcommand too."""
    words = [a for a in args if not a.startswith("-")]
    if not words:
        raise SchemaError(f"no command in {args!r}")
    key = words[0]
    if key in ("persist", "rom", "export"):
        key = tuple(words[:2])
    if key not in SCHEMA_OF:
        raise SchemaError(f"pcipass {' '.join(args)}: no schema for "
                          f"{' '.join(key) if isinstance(key, tuple) else key}")
    return SCHEMA_OF[key]


_validators = {}


def validator(name):
    if name not in _validators:
        try:
            import jsonschema
        except ImportError as e:
            raise SchemaError("cannot validate against the JSON schemas: "
                              f"{e} (apt-get install python3-jsonschema; "
                              "scripts/install-deps.sh does)")
        path = os.path.join(schema_dir(), f"pcipass-{name}.schema.json")
        with open(path) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validators[name] = cls(schema)
    return _validators[name]


def errors(doc, name):
    """Every way doc breaks schema NAME, one line each ([] when valid)."""
    v = validator(name)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(document)'}: "
            f"{e.message}"
            for e in sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.path)))]


def check(doc, args):
    """Raises SchemaError when doc, printed by `pcipass ARGS`, does not
    match its command's schema."""
    name = schema_name(args)
    bad = errors(doc, name)
    if bad:
        shown = "\n".join(bad[:10]) + (f"\n... and {len(bad) - 10} more"
                                       if len(bad) > 10 else "")
        raise SchemaError(f"pcipass {' '.join(args)}: output does not match "
                          f"schema/pcipass-{name}.schema.json:\n{shown}")
