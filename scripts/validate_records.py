#!/usr/bin/env python3
"""Validates tlsweep records and metadata against the published schema.

usage: validate_records.py SCHEMA FILE...

SCHEMA is a schema's name in docs/schema/ (scan_result, grab_record,
scan_metadata, run_metadata, grab_metadata) or a path to one. A FILE holding
one JSON document (a metadata file) is checked as that document; otherwise
every non-empty line is one record (JSON Lines). Prints
FILE:LINE: path.to.field: message for every failure and exits 1 if there was
one (2 for usage errors), 0 otherwise.

Debian's python3-jsonschema (4.10) implements draft 2020-12, and a Python
validator keeps the C++ build free of a JSON Schema library: the schema is
checked by what reads it, not by what writes the records.
"""
import json
import os
import sys

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "schema")


def load_schemas():
    """Every schema of docs/schema by its $id, so references between the files resolve offline."""
    store = {}
    for name in sorted(os.listdir(SCHEMA_DIR)):
        if name.endswith(".schema.json"):
            with open(os.path.join(SCHEMA_DIR, name)) as f:
                schema = json.load(f)
            store[schema["$id"]] = schema
    return store


def schema_for(name, store):
    path = name if os.sep in name or name.endswith(".json") else os.path.join(SCHEMA_DIR, name + ".schema.json")
    with open(path) as f:
        schema = json.load(f)
    store.setdefault(schema["$id"], schema)
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    try:
        # jsonschema >= 4.18 resolves references through a registry ...
        import referencing
        import referencing.jsonschema
        registry = referencing.Registry().with_resources(
            (uri, referencing.Resource.from_contents(doc, default_specification=referencing.jsonschema.DRAFT202012))
            for uri, doc in store.items())
        return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
    except ImportError:
        # ... Debian's 4.10 through a RefResolver with the same documents.
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        return cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER)


def field_path(error):
    """data.smtp.result.tls for a failure inside that object; (top level) for the document itself."""
    path = ""
    for p in error.absolute_path:
        path += "[%d]" % p if isinstance(p, int) else ("." if path else "") + str(p)
    return path or "(top level)"


def deepest(error):
    """The most specific of a oneOf / anyOf failure's causes, so the message names the field."""
    while error.context:
        error = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.context or ())))
    return error


def describe(error):
    """(path, message) pairs; a field the schema does not know is named in the path itself."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = [k for k in error.instance if k not in known]
        if extra:
            prefix = "" if field_path(error) == "(top level)" else field_path(error) + "."
            return [(prefix + k, "unknown field (additionalProperties is false)") for k in extra]
    return [(field_path(error), error.message)]


def documents(path):
    """(line number, parsed JSON or an error text) for each document of the file."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    try:
        yield 1, json.loads(text)  # one document: a metadata file, or a single record
        return
    except json.JSONDecodeError:
        pass  # JSON Lines
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as e:
            yield number, "not JSON: %s" % e


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    store = load_schemas()
    try:
        validator = schema_for(argv[1], store)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        sys.stderr.write("validate_records.py: schema %s: %s\n" % (argv[1], e))
        return 2
    failures = 0
    checked = 0
    for path in argv[2:]:
        try:
            for number, doc in documents(path):
                checked += 1
                if isinstance(doc, str):
                    print("%s:%d: (top level): %s" % (path, number, doc))
                    failures += 1
                    continue
                for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
                    error = deepest(error)
                    for where, message in describe(error):
                        print("%s:%d: %s: %s" % (path, number, where, message))
                        failures += 1
        except OSError as e:
            print("%s: %s" % (path, e.strerror))
            failures += 1
    if failures:
        print("%d failure(s) in %d document(s) checked against %s" % (failures, checked, argv[1]))
        return 1
    if checked == 0:
        print("no documents in %s" % " ".join(argv[2:]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
