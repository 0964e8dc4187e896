#!/usr/bin/env python3
"""Our driver for the rdb-py peer (PyPI `rdb-py`, a Rust parser with Python bindings): reads a dump
with its RdbDecoder and writes one JSON object per key to standard output, roughly our export schema
(byte strings as UTF-8 text where they are, else base64), so that its time compares with
`rdbkit export --format jsonl`. With --parse-only it iterates without formatting (compares with
`rdbkit validate`, though rdb-py checks less). rdb-py skips streams and module values.

usage: rdbpy_export.py DUMP [--parse-only]
"""
import base64
import json
import sys

import rdb


def text(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(b).decode()}


def value_of(item):
    kind = item["type"]
    if kind == "string":
        return "string", text(item["value"])
    if kind == "list":
        return "list", [text(v) for v in item["values"]]
    if kind == "set":
        return "set", [text(v) for v in item["members"]]
    if kind == "sorted_set":
        return "zset", [[text(m), s] for s, m in item["values"]]
    if kind == "hash":
        return "hash", [[text(f), text(v)] for f, v in item["values"].items()]
    return None, None


def main():
    path, parse_only = sys.argv[1], "--parse-only" in sys.argv[2:]
    decoder = rdb.RdbDecoder(path)
    if parse_only:
        for _ in decoder:
            pass
        return
    out = sys.stdout
    db = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for item in decoder:
        if item["type"] == "select_db":
            db = item["db"]
            continue
        kind, value = value_of(item)
        if kind is None:
            continue
        record = {"db": db, "key": text(item["key"]), "type": kind}
        if item["expiry"] is not None:
            record["expire_at_ms"] = item["expiry"]
        record["value"] = value
        out.write(dumps(record))
        out.write("\n")


if __name__ == "__main__":
    main()
