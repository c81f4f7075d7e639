#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench calibrate end to end on a small sweep: one A/A pair, stored as
# RESULTS/baselines/calibration.json with the changes net of their size's
# shift (net_of_shift, one change per cell, the size's changes centred
# on 0 when it has 4 cells or more), the passes kept; then compare of two
# single runs from this host applies it and says so in compare.md.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/dir"
S=(--sizes 64K --strategies rw,stdio,sendfile,copy_file_range --cache warm
   --reference none --samples 6 --budget 0.1 --no-limits --dir "$T/dir")

"$IOBENCH" calibrate --runs 1 --preset none --results "$T/res" -q "${S[@]}" \
	>"$T/out" 2>"$T/err" || die "calibrate: exit $?: $(cat "$T/err")"
cal=$T/res/baselines/calibration.json
[ -f "$cal" ] || die "no $cal"
grep -q "the changes are net of their size's shift" "$T/out" ||
	fail "calibrate does not say its changes are net of the shift: $(cat "$T/out")"
/usr/bin/python3 - "$cal" <<'PY' || fail "calibration.json"
import json, statistics, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "iobench-calibration/1", d["schema"]
assert d["net_of_shift"] is True, d
assert d["pairs"] == 1, d["pairs"]
(z,) = d["sizes"]
assert z["size"] == 65536 and z["kind"] == "page cache", z
assert z["cells"] == 4 and len(z["changes_log"]) == 4, z
# net of the median of the four: the median of the net changes is 0
assert abs(statistics.median(z["changes_log"])) < 1e-9, z["changes_log"]
PY
[ "$(ls -d "$T"/res/calibrate-*/passes/0[12] | wc -l)" -eq 2 ] ||
	fail "the two passes are not kept: $(ls -R "$T/res")"
pass "calibrate: one pair, net of the size's shift, stored"

for r in a b; do
	"$IOBENCH" sweep "${S[@]}" --out "$T/$r" -q >/dev/null 2>&1 ||
		die "sweep $r"
done
"$IOBENCH" compare "$T/a/latest" "$T/b/latest" --results "$T/res" \
	--out "$T/cmp" -q >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "compare: exit $rc: $(cat "$T/err")"
grep -q "changes net of their size's shift" "$T/cmp/compare.md" ||
	fail "compare.md does not name the floor's kind: $(grep -A3 'Noise floor' "$T/cmp/compare.md")"
pass "compare applies the floor and says how it was made"
finish
