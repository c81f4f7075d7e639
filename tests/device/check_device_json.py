#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks device.json files: valid against tests/device/schema.json (which
refers to the results schema for the storage facts) and the behaviour of
the figures in them.

usage: check_device_json.py DEVICE_SCHEMA RESULTS_SCHEMA FILE [CHECK...]
checks: measured (every job ok, medians > 0, latency percentiles
        monotone), qd-order (reads: QD 32 >= QD 1 within noise),
        diskstats-cover (O_DIRECT jobs: the filesystem's device moved at
        least the bytes issued), tmpfs (O_DIRECT jobs skipped with a
        reason, the others measured, no device chain).
A check names its target by index: measured:0, tmpfs:1 (default 0).
Exit 0 pass, 1 fail, 77 skip (python3-jsonschema missing).
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed")
    sys.exit(77)

DIRECT = {"read", "write", "randread", "randwrite"}
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def validate(device_schema, results_schema, doc, path):
    store = {results_schema["$id"]: results_schema,
             device_schema["$id"]: device_schema}
    resolver = jsonschema.RefResolver.from_schema(device_schema, store=store)
    v = jsonschema.Draft202012Validator(device_schema, resolver=resolver)
    for e in sorted(v.iter_errors(doc), key=lambda e: list(e.path)):
        fail(f"{path}: /{'/'.join(str(p) for p in e.absolute_path)}: "
             f"{e.message}")
    # the schema must have teeth: a string where a rate goes is refused
    bad = json.loads(json.dumps(doc))
    bad["targets"][0]["jobs"][0]["median"] = "fast"
    if v.is_valid(bad):
        fail("the schema accepts a string median")


def label(j):
    return f"{j['kind']} bs {j['bs']} qd {j['qd']}"


def check_measured(t):
    for j in t["jobs"]:
        if j["status"] != "ok":
            fail(f"{t['dir']}: {label(j)}: {j['status']}: {j['reason']}")
            continue
        if not (j["median"] and j["median"] > 0):
            fail(f"{t['dir']}: {label(j)}: median {j['median']}")
        lat = j["latency_ns"]
        seq = [lat["min"], lat["p50"], lat["p90"], lat["p99"],
               lat["p99_9"], lat["max"]]
        if lat["count"] <= 0 or seq != sorted(seq):
            fail(f"{t['dir']}: {label(j)}: latency not monotone: {seq} "
                 f"(count {lat['count']})")
    print(f"measured: {t['dir']}: {len(t['jobs'])} jobs ok, percentiles "
          f"monotone")


def in_flight(j):
    """The I/Os a job kept in flight on average, by Little's law: its rate
    in I/Os per second times its mean latency."""
    ios = j["median"] / j["bs"] if j["unit"] == "bytes/s" else j["median"]
    return ios * j["latency_ns"]["mean"] / 1e9


def check_qd_order(t):
    """Each O_DIRECT job at QD 32 kept 16 I/Os or more in flight on
    average (Little's law) where QD 1 kept at most 2: the depth asked for
    was applied. Not that QD 32 is faster: that is the device's to say,
    and device.md reports it. 32 MiB of O_DIRECT writes in flight can fill
    the write cache behind the device (the host's, under a VM's disk) and
    run slower than one at a time (QD 32 1M writes at 0.66x QD 1's on an
    ext4 loop device over a virtio disk), and reads did so too, once in
    about 20 runs of this test: 1M at QD 32 at 0.74x QD 1, every repeat
    below, with the depth applied."""
    jobs = {(j["kind"], j["bs"], j["qd"]): j for j in t["jobs"]
            if j["status"] == "ok" and j["kind"] in DIRECT}
    pairs = 0
    for (kind, bs, qd), j1 in jobs.items():
        j32 = jobs.get((kind, bs, 32))
        if qd != 1 or not j32:
            continue
        pairs += 1
        ok = in_flight(j32) >= 16 and in_flight(j1) <= 2
        print(f"qd-order: {kind} bs {bs}: qd1 {j1['median']:.4g} "
              f"qd32 {j32['median']:.4g}, in flight {in_flight(j1):.1f} "
              f"and {in_flight(j32):.1f} {'ok' if ok else 'FAIL'}")
        if not ok:
            fail(f"{t['dir']}: {kind} bs {bs}: QD 32 ({j32['median']:.4g}"
                 f", {in_flight(j32):.1f} I/Os in flight) against QD 1 "
                 f"({j1['median']:.4g}, {in_flight(j1):.1f})")
    if not pairs:
        fail(f"{t['dir']}: no QD 1 / QD 32 pair measured")


def check_diskstats_cover(t):
    if not t["chain"]:
        fail(f"{t['dir']}: no device chain: {t['chain_why']}")
        return
    for j in t["jobs"]:
        if j["kind"] not in DIRECT or j["status"] != "ok":
            continue
        dev = j["device"][0]
        key = "write_bytes" if "write" in j["kind"] else "read_bytes"
        moved = dev.get(key, 0)
        if not dev["present"] or moved < j["issued_bytes"]:
            fail(f"{t['dir']}: {label(j)}: {dev['name']} {key} {moved} < "
                 f"{j['issued_bytes']} issued")
    print(f"diskstats-cover: {t['dir']}: {t['chain'][0]['name']} counted "
          f"every O_DIRECT byte")


def check_tmpfs(t):
    for j in t["jobs"]:
        if j["kind"] in DIRECT:
            if j["status"] != "skipped" or "tmpfs" not in (j["reason"] or ""):
                fail(f"{t['dir']}: {label(j)}: {j['status']} "
                     f"({j['reason']}), expected skipped naming tmpfs")
        elif j["status"] != "ok" or not j["median"] > 0:
            fail(f"{t['dir']}: {label(j)}: {j['status']} {j['reason']}")
    if t["chain"] or "block device" not in (t["chain_why"] or ""):
        fail(f"{t['dir']}: chain {t['chain']} ({t['chain_why']})")
    print(f"tmpfs: {t['dir']}: O_DIRECT skipped ({t['direct_why']}), "
          f"page cache and metadata measured")


CHECKS = {"measured": check_measured, "qd-order": check_qd_order,
          "diskstats-cover": check_diskstats_cover, "tmpfs": check_tmpfs}


def main():
    with open(sys.argv[1]) as f:
        device_schema = json.load(f)
    with open(sys.argv[2]) as f:
        results_schema = json.load(f)
    path = sys.argv[3]
    with open(path) as f:
        doc = json.load(f)
    validate(device_schema, results_schema, doc, path)
    for spec in sys.argv[4:]:
        name, _, idx = spec.partition(":")
        CHECKS[name](doc["targets"][int(idx or 0)])
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print(f"PASS: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
