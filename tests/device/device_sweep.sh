#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sweep's device evaluation on an ext4 loop device and a tmpfs made
# here: ceilings measured (O_DIRECT read over queue depths, page cache,
# metadata), each cell set against the lowest that applies and no share
# above 100% without its explanation; per-copy latency percentiles
# monotone for every cell, batches included; /proc/diskstats deltas on
# the loop device covering every byte of the O_DIRECT cells; on tmpfs no
# device counters and no O_DIRECT ceiling, each with its reason.
set -u

PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
mount_targets 1200M 256M "no O_DIRECT ceilings to check"

sweep() { # DIR OUT ARGS...
	local dir=$1 out=$2
	shift 2
	"$IOBENCH" sweep --samples 6 --budget 2 --reference none -q \
		--dir "$dir" --out "$out" "$@" >"$T/stdout" 2>"$T/stderr"
	local rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/stderr"; die "sweep on $dir: exit $rc"; }
}

sweep "$T/ext4" "$T/out-ext4" --sizes 4K,1M --strategies rw,odirect \
	--cache warm,cold
sweep "$T/tmpfs" "$T/out-tmpfs" --sizes 64K --strategies rw,mmap \
	--cache warm

check_py "$T/out-ext4/latest" "$T/out-tmpfs/latest" \
	"${loopdev#/dev/}" <<'PY' || fail "sweep device checks"
import json, re, sys

ext4, tmpfs, loop = sys.argv[1:4]

def cells(d):
    r = json.load(open(d + "/results.json"))
    return r, [c for c in r["cells"] if c["status"] == "ok"]

def name(c):
    p = c["parameters"]
    return "%s %d %s" % (p["strategy"], p["size"], p["cache"])

def check_latency(cs):
    for c in cs:
        lat = c.get("latency_ns")
        check(lat is not None, name(c) + ": no latency_ns")
        if lat is None:
            continue
        seq = [lat[k] for k in ("min", "p50", "p90", "p99", "p99_9", "max")]
        check(seq == sorted(seq) and seq[0] > 0,
              "%s: percentiles not monotone: %r" % (name(c), seq))
        # every copy of every sample, batches included
        copies = sum(1 for _ in c["samples"]) * c["parameters"]["batch"]
        check(lat["count"] == copies, "%s: %d latencies for %d copies" %
              (name(c), lat["count"], copies))

def check_limits(report):
    table = report.split("| size | cache | best | MiB/s | limit |")[1]
    for row in table.split("\n\n")[0].splitlines()[2:]:
        cols = [x.strip() for x in row.strip("|").split("|")]
        m = re.fullmatch(r"(\d+)%", cols[6])
        if m and int(m.group(1)) > 100:
            check(cols[7] != "", "share above 100% unexplained: " + row)

# ---- ext4 on a loop device ----
r, cs = cells(ext4)
report = open(ext4 + "/report.md").read()
ceil = r["limits"]["ceilings"]
check(ceil["device_read_mib_s"] and ceil["device_read_mib_s"] > 0,
      "no O_DIRECT read ceiling on ext4: %r" % ceil.get("why"))
for k in ("page_cache_read_mib_s", "page_cache_write_mib_s",
          "metadata_files_s"):
    check(ceil[k] and ceil[k] > 0, "ceiling %s: %r" % (k, ceil[k]))
reads = {j["qd"]: j["median"] for j in ceil["device"]["jobs"]
         if j["kind"] == "read" and j["status"] == "ok"}
check(sorted(reads) == [1, 8, 32], "read queue depths %r" % sorted(reads))
if reads:
    best = max(reads, key=reads.get)
    check(ceil["device_read_qd"] == best, "the ceiling is not the best QD")
    # a QD 32 path that serialised its reads or lost some would fall
    # far below QD 1; the loop device's own speed on the VM moves between
    # jobs (QD 32 at 0.74x QD 1 seen once in a clean clone), so the bound
    # is a collapse, not a ranking
    check(reads[32] >= 0.5 * reads[1], "QD 32 far below QD 1: %r" % reads)
check("**Ceilings**" in report, "report: no ceilings")
check_limits(report)
check_latency(cs)
check(r["io"]["chain"] and r["io"]["chain"][0]["name"] == loop,
      "io.chain does not start at %s: %r" % (loop, r["io"]["chain"]))
for c in cs:
    d = c.get("diskstats")
    check(d is not None, name(c) + ": no diskstats")
    if d is None or c["parameters"]["strategy"] != "odirect":
        continue
    dev = d["devices"][0]
    # O_DIRECT: every byte read from and written to the device inside
    # the sample process's life
    check(dev["read_bytes"] >= d["copied_bytes"],
          "%s: %s read %d < %d copied" % (name(c), loop, dev["read_bytes"],
                                         d["copied_bytes"]))
    check(dev["write_bytes"] >= d["copied_bytes"],
          "%s: %s wrote %d < %d copied" % (name(c), loop,
                                          dev["write_bytes"],
                                          d["copied_bytes"]))
check("## Latency and device I/O" in report and "### What the device did"
      in report, "report: no latency / device section")

# ---- tmpfs: no block device ----
r, cs = cells(tmpfs)
report = open(tmpfs + "/report.md").read()
ceil = r["limits"]["ceilings"]
check(ceil["device_read_mib_s"] is None and "tmpfs" in (ceil["why"] or ""),
      "tmpfs: O_DIRECT ceiling %r, why %r" % (ceil["device_read_mib_s"],
                                             ceil["why"]))
check(ceil["page_cache_read_mib_s"] and ceil["metadata_files_s"],
      "tmpfs: no page-cache or metadata ceiling")
check(r["io"]["chain"] == [] and r["io"]["chain_why"],
      "tmpfs: device chain %r" % r["io"])
check(all("diskstats" not in c for c in cs), "tmpfs: diskstats present")
check_latency(cs)
check_limits(report)
check("No block-device counters for --dir" in report,
      "tmpfs report: no reason for the missing counters")
PY
/usr/bin/python3 "$SOURCE_ROOT/tests/report/validate_schema.py" \
	"$SOURCE_ROOT/tests/report/schema.json" --files \
	"$T/out-ext4/latest/results.json" "$T/out-tmpfs/latest/results.json"
case $? in
0) ;;
77) echo "note: python3-jsonschema missing: schema not checked" ;;
*) fail "results.json against the schema" ;;
esac
assert_no_scratch "$T/ext4"
assert_no_scratch "$T/tmpfs"
finish
