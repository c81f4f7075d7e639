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

IOBENCH_FAULT=imprecise:1000 "$IOBENCH" sweep "${S[@]}" --out "$T/long" \
	>"$T/log" 2>&1 || die "sweep: $(cat "$T/log")"
got=$(rounds "$T/long") || die "results: $got"
[ "$got" = "65536:12 1048576:12" ] &&
	pass "imprecise, within the plan's time: 2 x --samples rounds ($got)" ||
	fail "imprecise within the plan: rounds $got, want 12 a size"

IOBENCH_FAULT=imprecise:0.001 "$IOBENCH" sweep "${S[@]}" --out "$T/short" \
	>"$T/log" 2>&1 || die "sweep: $(cat "$T/log")"
got=$(rounds "$T/short") || die "results: $got"
[ "$got" = "65536:6 1048576:6" ] &&
	pass "imprecise, past the plan's time: --samples rounds ($got)" ||
	fail "imprecise past the plan: rounds $got, want 6 a size"
finish
