#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A size runs rounds beyond --samples (up to 2x) only while some cell's
# median is imprecise and while the size is within 1.25x the time the
# plan gave it. The test-only IOBENCH_FAULT=imprecise:F makes every
# cell's median read as imprecise and gives each size F x its planned
# time: with a plan of 1000x, every size runs 2 x --samples rounds; with
# 0.001x, it stops at --samples, every cell with the same rounds.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/dir"
S=(--sizes 64K,1M --cache warm --strategies rw,sendfile --reference none
   --samples 6 --no-limits --dir "$T/dir" --quiet)

rounds() {	# RESULTS_DIR -> "size:rounds ..." (every cell of a size alike)
	/usr/bin/python3 - "$1/latest/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by = {}
for c in d["cells"]:
    p = c["parameters"]
    assert c["status"] == "ok", (p["strategy"], c["status"], c["reason"])
    rs = sorted(s["round"] for s in c["samples"])
    assert rs == list(range(len(rs))), (p["strategy"], p["size"], rs)
    by.setdefault(p["size"], set()).add(len(rs))
for size, n in sorted(by.items()):
    assert len(n) == 1, (size, n)
print(" ".join("%d:%d" % (size, n.pop()) for size, n in sorted(by.items())))
PY
}

# F, rounds a size, what it shows
while read -r f want what; do
	IOBENCH_FAULT=imprecise:$f "$IOBENCH" sweep "${S[@]}" --out "$T/$f" </dev/null \
		>"$T/log" 2>&1 || die "sweep (plan x$f): $(cat "$T/log")"
	got=$(rounds "$T/$f") || die "results: $got"
	[ "$got" = "65536:$want 1048576:$want" ] &&
		pass "imprecise, $what: $want rounds a size ($got)" ||
		fail "imprecise, $what: rounds $got, want $want a size"
done <<'CASES'
1000  12 within the plan's time (2 x --samples)
0.001 6  past the plan's time (--samples)
CASES
finish
