#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `iobench profile` of a tiny cell (rw, 1M, 128K buffer, warm): software
# counters present and non-zero, hardware ones "n/a (...)" when the CPU
# PMU is not exposed, system calls per copy plausible, hot spots with
# perf, results.json valid against the schema, the report's section.
set -u
. "$(dirname "$0")/lib.sh"

mkdir "$T/dir"
"$IOBENCH" profile --sizes 1M --strategies rw --buffers 128K --cache warm \
	--samples 6 --budget 2 --no-limits --dir "$T/dir" --out "$T/out" --quiet \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "exit $rc, expected 0"; }
assert_no_scratch "$T/dir"
run="$T/out/$(readlink "$T/out/latest")" || fail "no OUT/latest"

if [ -e /sys/bus/event_source/devices/cpu ] ||
   [ -e /sys/bus/event_source/devices/cpu_core ]; then
	pmu=1
else
	pmu=0
fi
if command -v perf >/dev/null; then perf=1; else perf=0; fi

check_py "$run" "$pmu" "$perf" <<'PY' || fail "results check"
import json, sys

d, pmu, perf = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"
r = json.load(open(d + "/results.json"))

check(r["request"].get("profile") is True, "request.profile not true")
cells = [c for c in r["cells"]
         if c["parameters"]["strategy"] == "rw" and c["status"] == "ok"]
check(len(cells) == 1, "%d ok rw cells, expected 1" % len(cells))
c = cells[0]
p = c.get("profile")
check(p is not None, "cell has no profile")
if p:
    cnt = p["counters"]
    copies = p["copies"]
    check(copies >= 6 * c["parameters"]["batch"], "copies %d" % copies)
    for k in ("task_clock_ns", "minor_faults"):
        check(isinstance(cnt[k], int) and cnt[k] > 0,
              "%s = %r, expected > 0" % (k, cnt[k]))
    for k in ("context_switches", "cpu_migrations", "major_faults"):
        check(isinstance(cnt[k], int), "%s = %r, expected a count" %
              (k, cnt[k]))
    for k in ("cycles", "instructions", "cache_misses", "branch_misses"):
        if not pmu:
            check(cnt[k] == "not supported here",
                  "%s = %r without a CPU PMU" % (k, cnt[k]))
        else:
            check(isinstance(cnt[k], int) and cnt[k] > 0 or
                  isinstance(cnt[k], str), "%s = %r" % (k, cnt[k]))
    sc = cnt["syscalls"]
    if isinstance(sc, int):
        # 8 reads + EOF read + 8 writes of 128K, opens and closes
        per = sc / copies
        check(16 <= per < 64, "%.1f syscalls per copy, expected 16..64"
              % per)
    else:
        print("note: syscalls n/a: %s" % sc)
    if perf:
        check(p["hot_spots_why"] is None, "no hot spots: %r" %
              p["hot_spots_why"])
        check(len(p["hot_spots"]) > 0 and p["hot_spots_samples"] > 0,
              "empty hot spots")
        check(all(0 < h["pct"] <= 100 for h in p["hot_spots"]),
              "hot spot shares out of range")
        check(sum(h["pct"] for h in p["hot_spots"]) <= 100.0001,
              "hot spot shares add up to more than 100%")
    else:
        check("linux-perf" in (p["hot_spots_why"] or ""),
              "no perf, but hot_spots_why = %r" % p["hot_spots_why"])
PY

check_schema "$run/results.json"

md="$run/report.md"
grep -q '^## Profile$' "$md" || fail "report.md has no Profile section"
grep -q '^| 1M | rw | buf 128K | warm none |' "$md" ||
	fail "no profile row for the cell"
if [ "$pmu" -eq 0 ]; then
	grep -q 'branch misses): n/a (not supported here)' "$md" ||
		fail "hardware counters not shown as n/a"
fi
grep -q '^### Key hot spots' "$md" || fail "no Key hot spots"
if [ "$perf" -eq 1 ]; then
	grep -q '^- \*\*rw\*\* 1M warm: `' "$md" || fail "no hot spots for rw"
fi
head -n 1 "$run/results.csv" | grep -q "^strategy," || fail "no csv header"
grep -q 'syscalls_per_copy' "$run/results.csv" || fail "csv lacks profile columns"
exit 0
