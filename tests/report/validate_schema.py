#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validates results.json against tests/report/schema.json.

usage: validate_schema.py SCHEMA WRITE_SAMPLE   (writes, then validates)
       validate_schema.py SCHEMA --files FILE... (validates existing files)
Exit 0 pass, 1 fail, 77 skip (python3-jsonschema not installed).
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed")
    sys.exit(77)


def validate(schema, path):
    with open(path) as f:
        doc = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path)
        print(f"FAIL: {path}: /{where}: {e.message}")
    return not errors


def negative_check(schema, path):
    """The schema must reject a results.json with a wrong type in it."""
    with open(path) as f:
        doc = json.load(f)
    doc["cells"][0]["parameters"]["size"] = "big"
    validator = jsonschema.Draft202012Validator(schema)
    if validator.is_valid(doc):
        print("FAIL: the schema accepts a string cell size")
        return False
    return True


def main():
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    if sys.argv[2] == "--files":
        ok = all([validate(schema, p) for p in sys.argv[3:]])
        return 0 if ok else 1
    with tempfile.TemporaryDirectory(prefix="iobench-schema-") as d:
        subprocess.run([sys.argv[2], d], check=True)
        path = os.path.join(d, "results.json")
        ok = validate(schema, path) and negative_check(schema, path)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
