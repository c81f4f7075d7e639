#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Per-I/O latency in a real sweep: STRATEGY (io_uring, libaio or odirect)
# and rw copy 4K and 256K files through 64K buffers on the scratch
# filesystem, with 1 thread and 2 by ranges. STRATEGY's cells carry
# io_latency (unit ns, at least one read and one write per 64K of each
# copy, percentiles positive and monotone; the 2-thread cells record
# both threads' requests), rw's none; results.json reads back with them
# unchanged
# (READER: tests/report's test_io_latency), validates against the
# schema, and the report shows them with their plot.
# usage: sweep_io_latency.sh READER STRATEGY (exit 77: STRATEGY unusable)
set -u
. "$(dirname "$0")/lib.sh"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"
reader=${1:?usage: sweep_io_latency.sh READER STRATEGY}
strategy=${2:?usage: sweep_io_latency.sh READER STRATEGY}

mkdir "$T/dir"
why=$("$IOBENCH" list --json --dir "$T/dir" | python3 -c '
import json, sys
s = {x["name"]: x for x in json.load(sys.stdin)["strategies"]}[sys.argv[1]]
print("" if s["usable"] else s["reason"])' "$strategy") ||
	die "iobench list --json: no strategy $strategy"
[ -z "$why" ] || skip "$strategy is not usable in $T/dir: $why"

"$IOBENCH" sweep --reference none --sizes 4K,256K \
	--strategies "$strategy,rw" --buffers 64K --cache warm \
	--threads 1,2 --parallel ranges \
	--samples 6 --budget 2 --no-limits --dir "$T/dir" --out "$T/out" --quiet \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; die "sweep: exit $rc, expected 0"; }
run=$(readlink "$T/out/latest") || die "no OUT/latest symlink"
d=$T/out/$run

python3 - "$d" "$strategy" <<'PY' || fail "io_latency in results.json"
import json, math, sys

d, strategy = sys.argv[1], sys.argv[2]
cells = json.load(open(d + "/results.json"))["cells"]
errors, timed = [], 0
def check(ok, what):
    if not ok:
        errors.append(what)

for c in cells:
    p = c["parameters"]
    name = "%s %s, %s thread(s)" % (p["strategy"], p["size"],
                                    p.get("threads") or 1)
    io = c.get("io_latency")
    check(c["status"] == "ok", "%s: %s (%s)" % (name, c["status"],
                                               c.get("reason")))
    if p["strategy"] == "rw":
        check(io is None, name + ": rw has io_latency")
        continue
    if io is None:
        check(False, name + ": no io_latency")
        continue
    timed += 1
    # by ranges each file is split in two (a 4K file is one range, the
    # other thread's is empty): as many 64K chunks as with one thread;
    # the threads' copies overlap, so such cells have no latency_ns
    if (p.get("threads") or 1) > 1:
        copies = p["batch"] * len(c["samples"])
    else:
        copies = c["latency_ns"]["count"]
    chunks = math.ceil(p["size"] / (64 * 1024))
    check(io["unit"] == "ns", "%s: unit %r" % (name, io["unit"]))
    # each chunk is read, then written: two requests at least
    check(io["count"] >= 2 * chunks * copies,
          "%s: %d I/Os for %d copies of %d chunks" %
          (name, io["count"], copies, chunks))
    v = [io[k] for k in ("min", "p50", "p90", "p99", "p99_9", "max")]
    check(v[0] > 0, "%s: min %d" % (name, v[0]))
    check(v == sorted(v), "%s: percentiles not monotone: %r" % (name, v))
    check(sum(n for _, n in io["histogram"]["buckets"]) == io["count"],
          name + ": histogram buckets do not sum to count")
    print("%s: %d I/Os in %d copies (%.1f per copy), p50 %d ns, "
          "p99 %d ns, max %d ns" % (name, io["count"], copies,
                                    io["count"] / copies, io["p50"],
                                    io["p99"], io["max"]))
check(timed == 4, "%d %s cells with io_latency, expected 4" %
      (timed, strategy))
report = open(d + "/report.md").read()
at = report.find("### Per-I/O latency")
check(at >= 0, "report.md has no per-I/O latency part")
check(("`%s`" % strategy) in report[at:], "report.md: no %s row" % strategy)
for e in errors:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

"$reader" "$d/results.json" || fail "results.json does not read back"
check_schema "$d/results.json"
if command -v gnuplot >/dev/null; then
	[ -s "$d/plots/io-latency-warm.svg" ] &&
		pass "plots/io-latency-warm.svg drawn" ||
		fail "no plots/io-latency-warm.svg"
	grep -q '(plots/io-latency-warm.svg)' "$d/report.md" ||
		fail "report.md does not embed the per-I/O latency plot"
else
	grep -q 'Plot skipped' "$d/report.md" ||
		fail "without gnuplot the report does not say the plot was skipped"
fi
assert_no_scratch "$T/dir"
finish
