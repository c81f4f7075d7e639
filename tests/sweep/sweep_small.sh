#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A small real sweep (2 sizes x 3 strategies x warm/cold, n = 6): checks
# results.json (schema, cells, samples, residency, verification, the
# machine's reference samples), the CSV's
# row count, report.md's sections, OUT/latest, --save-baseline and the
# scratch clean-up.
set -u
. "$(dirname "$0")/lib.sh"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"

mkdir "$T/dir"
"$IOBENCH" sweep --reference none --no-limits \
	--sizes 4K,1M --strategies rw,copy_file_range,mmap \
	--cache warm,cold --samples 6 --budget 2 --dir "$T/dir" \
	--out "$T/out" --quiet --save-baseline small >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "exit $rc, expected 0"; }
[ -s "$T/stderr" ] && { cat "$T/stderr" >&2; fail "--quiet printed on stderr"; }
assert_no_scratch "$T/dir"
report=$(cat "$T/stdout")
[ -f "$report" ] || fail "stdout does not name the report: '$report'"
run=$(readlink "$T/out/latest") || fail "no OUT/latest symlink"
[ "$report" = "$T/out/$run/report.md" ] || fail "latest -> $run, report $report"
cmp -s "$T/out/$run/results.json" "$T/out/baselines/small.json" ||
	fail "baselines/small.json is not the run's results.json"

check_py "$T/out/$run" <<'PY' || fail "results check"
import csv, json, math, sys

d = sys.argv[1]
r = json.load(open(d + "/results.json"))

check(r.get("schema") == "iobench/2", "schema is %r" % r.get("schema"))
cells = r["cells"]
check(len(cells) == 12, "%d cells, expected 2 sizes x 3 strategies x 2 "
      "caches = 12" % len(cells))
seen = set()
for c in cells:
    p = c["parameters"]
    key = (p["size"], p["strategy"], p["cache"])
    name = "%s %s %s" % key
    seen.add(key)
    if c["status"] == "skipped":
        print("note: %s skipped: %s" % (name, c["reason"]))
        check(c["reason"], name + ": skipped without a reason")
        continue
    if not check_ran(c, name):
        continue
    s = c["samples"]
    k = p["batch"]
    check(len(s) >= 6, "%s: %d samples" % (name, len(s)))
    check(c["verified"], name + ": not verified")
    check(c["copies_verified"] >= k * len(s), name + ": copies_verified")
    check(1 <= k <= 1024, "%s: batch %d" % (name, k))
    pages = k * math.ceil(p["size"] / 4096)
    for i, x in enumerate(s):
        check(x["seconds"] > 0, "%s sample %d: seconds %r" %
              (name, i, x["seconds"]))
        check(x["src_pages"] == pages, "%s sample %d: src_pages %d != %d" %
              (name, i, x["src_pages"], pages))
        # cold: nothing resident, ever. warm: everything resident and
        # flagged so, except that memory pressure from outside (a VM's
        # proactive reclaim, another test) may take a few pages between
        # warming and the clock: then the sample must say so
        if p["cache"] == "cold":
            check(x["src_resident_before"] == 0,
                  "%s sample %d: %d source pages resident before, expected 0"
                  % (name, i, x["src_resident_before"]))
            check(x["residency_ok"], "%s sample %d: residency_ok false" %
                  (name, i))
        else:
            check(x["src_resident_before"] >= 0.99 * pages,
                  "%s sample %d: %d of %d source pages resident before"
                  % (name, i, x["src_resident_before"], pages))
            check(x["residency_ok"] ==
                  (x["src_resident_before"] == pages),
                  "%s sample %d: residency_ok disagrees" % (name, i))
    if p["cache"] == "warm":
        full = sum(x["src_resident_before"] == pages for x in s)
        check(full * 2 > len(s), "%s: only %d of %d samples fully resident"
              % (name, full, len(s)))
        check(x["dst"]["cached"] >= 0, name + ": dst cached unknown")
    check(c["estimates"]["n"] == len(s), name + ": estimates.n")
    check(c["estimates"]["median"] > 0, name + ": median")
check(len(seen) == 12, "duplicate cells")
# the machine's reference sample: one before each round of each size
rounds = {}
for c in cells:
    for x in c.get("samples") or []:
        z = c["parameters"]["size"]
        rounds[z] = max(rounds.get(z, 0), x["round"] + 1)
noise = r["environment"].get("noise")
check(noise is not None, "environment.noise missing")
if noise:
    check(noise["samples"] == sum(rounds.values()),
          "environment.noise: %d samples, %d rounds ran"
          % (noise["samples"], sum(rounds.values())))
    check(noise["median"] > 0 and noise["repeats"] >= 1,
          "environment.noise: %r" % noise)

rows = list(csv.reader(open(d + "/results.csv")))
check(len(rows) == 1 + len(cells), "results.csv has %d rows, expected %d"
      % (len(rows), 1 + len(cells)))

report = open(d + "/report.md").read().lower()
for h in ["executive summary", "environment", "page-cache",
          "the machine's own steadiness",
          "recommendations", "warnings", "reproduce", "4k", "1m"]:
    check(h in report, "report.md lacks '%s'" % h)
PY
# The versioned schema, when python3-jsonschema is installed.
check_schema "$T/out/$run/results.json"
echo PASS
