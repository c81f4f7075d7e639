#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench sweep --threads/--parallel/--pin/--prealloc: bad values print one
# line and exit 1 creating nothing; a small threaded sweep records
# threads, parallel mode, pinning and per-thread figures in results.json
# and results.csv, and report.md has a "Thread scaling" section.
. "$(dirname "$0")/../lib.sh"
mkdir "$T/dir"

# expect_bad WHAT_STDERR_CONTAINS ARGS...
expect_bad() {
	local want=$1
	shift
	expect_bad_sweep "$T/out" "$want" --sizes 4K --dir "$T/dir" "$@"
}

expect_bad "--threads: '0': must be at least 1" --threads 0
expect_bad "--threads: '-1': not a whole number" --threads -1
expect_bad "--threads: '100000': too large (at most 256)" --threads 100000
expect_bad "--threads:" --threads ""
expect_bad "--threads:" --threads 2,2
expect_bad "--parallel: 'blocks'" --threads 2 --parallel blocks
expect_bad "--pin: 'tight'" --pin tight
expect_bad "--prealloc: 'zero'" --prealloc zero

"$IOBENCH" sweep -q --sizes 1M --strategies rw,copy_file_range \
	--threads 1,2 --parallel files,ranges --pin compact \
	--prealloc fallocate --cache warm --samples 6 --budget 0.5 \
	--no-limits --dir "$T/dir" --out "$T/out" >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; die "threaded sweep: exit $rc"; }
run=$(ls -d "$T"/out/2*) || die "no run directory"
grep -q '^## Thread scaling' "$run/report.md" || die "no Thread scaling section"
grep -q '| `rw` buf 128K | warm/none | ranges (fallocate) | compact | 2 |' \
	"$run/report.md" || die "no rw ranges row: $(grep -A12 'Thread scaling' "$run/report.md")"

/usr/bin/python3 - "$run" <<'PY' || die "results.json / results.csv"
import csv, json, sys
run = sys.argv[1]
doc = json.load(open(run + "/results.json"))
q = doc["request"]
assert q["threads"] == [1, 2], q["threads"]
assert q["parallel"] == ["files", "ranges"] and q["pin"] == "compact"
assert q["prealloc"] == "fallocate"
cells = [c for c in doc["cells"] if not c["parameters"]["strategy"].startswith("ref:")]
# 2 strategies x (1 thread, 2 by files, 2 by ranges)
assert len(cells) == 6, len(cells)
seen = set()
for c in cells:
    p = c["parameters"]
    assert c["status"] == "ok", (p, c["reason"])
    assert c["verified"]
    n = p["threads"]
    seen.add((p["strategy"], n, p["parallel"] if n > 1 else "-"))
    assert p["pin"] == "compact"
    assert p["prealloc"] == ("fallocate" if n > 1 and p["parallel"] == "ranges" else "none")
    files = p["batch"] * (n if p["parallel"] == "files" else 1)
    assert c["copies_verified"] >= files * len(c["samples"]), c["copies_verified"]
    for s in c["samples"]:
        pt = s["per_thread"]
        assert len(pt) == n, pt
        # every byte of the sample is accounted to some thread
        assert sum(t["bytes"] for t in pt) == files * p["size"], (pt, files)
        assert 0 < s["first_finish"] <= s["seconds"] + 1e-9
        for t in pt:
            assert 0 < t["seconds"] <= s["seconds"] + 1e-9
assert len(seen) == 6, seen
rows = list(csv.DictReader(open(run + "/results.csv", newline="")))
assert {r["threads"] for r in rows} >= {"1", "2"}
assert {r["parallel"] for r in rows} >= {"files", "ranges"}
assert all(r["pin"] == "compact" for r in rows if not r["strategy"].startswith("ref:"))
two = [r for r in rows if r["threads"] == "2" and r["status"] == "ok"]
assert len(two) == 4, two
assert all(r["thread_imbalance"] and float(r["thread_imbalance"]) >= 1 for r in two)
print("ok: results.json and results.csv carry the thread figures")
PY
echo PASS
