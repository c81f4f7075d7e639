#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench calibrate end to end on a small sweep: one A/A pair (three by
# default), stored as RESULTS/baselines/calibration.json with the changes
# net of their size's shift (net_of_shift, one change per cell, the
# size's changes centred on 0 when it has 4 cells or more) and the
# size's shift, the passes kept; then compare of two single runs from
# this host applies it and says so in compare.md, and a single sweep
# into that results tree states the run-to-run band (another host's
# calibration: none, and a warning).
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
# the size's shift, once for the pair
assert len(z["shifts_log"]) == 1, z
PY
[ "$(ls -d "$T"/res/calibrate-*/passes/0[12] | wc -l)" -eq 2 ] ||
	fail "the two passes are not kept: $(ls -R "$T/res")"
pass "calibrate: one pair, net of the size's shift, stored"

# without --runs, three pairs: each cell gets changes enough (2 or more)
# for a floor of its own
"$IOBENCH" calibrate --preset none --results "$T/res3" -q "${S[@]}" \
	>/dev/null 2>"$T/err" || die "calibrate (default pairs): exit $?: $(cat "$T/err")"
/usr/bin/python3 - "$T/res3/baselines/calibration.json" <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
assert d["pairs"] == 3, d["pairs"]
assert d["cells"] and all(len(c["changes_log"]) == 3 for c in d["cells"]), d["cells"]
PY
	fail "calibrate without --runs: not three pairs"
[ "$(ls -d "$T"/res3/calibrate-*/passes/0[1-6] | wc -l)" -eq 6 ] ||
	fail "calibrate without --runs: not six passes kept"
[ "$fails" -eq 0 ] && pass "calibrate without --runs: three pairs"

# --from: the kept passes judged again, nothing measured; the same binary
# stores the same floor, and each cell's changes under its key
cp "$cal" "$T/first.json"
from=$(ls -d "$T"/res/calibrate-*)
"$IOBENCH" calibrate --from "$from" --results "$T/res" >"$T/out2" 2>"$T/err" ||
	die "calibrate --from: exit $?: $(cat "$T/err")"
[ "$(ls -d "$T"/res/calibrate-* | wc -l)" -eq 1 ] ||
	fail "calibrate --from made a directory of its own"
grep -q "noise floor of" "$T/out2" || fail "calibrate --from prints no floor"
/usr/bin/python3 - "$T/first.json" "$cal" <<'PY' || fail "calibrate --from's file"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["sizes"] == b["sizes"], (a["sizes"], b["sizes"])
assert b["pairs"] == 1 and b["net_of_shift"] is True, b
keys = sorted(c["key"] for c in b["cells"])
assert len(keys) == 4 and all(" 64K " in k for k in keys), keys
assert all(len(c["changes_log"]) == 1 for c in b["cells"]), b["cells"]
assert sorted(c["changes_log"][0] for c in b["cells"]) == \
	sorted(a["sizes"][0]["changes_log"]), b["cells"]
PY
rc=0; "$IOBENCH" calibrate --from "$from" --runs 2 --results "$T/res" \
	>/dev/null 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && grep -q "no --runs or sweep options" "$T/err" ||
	fail "calibrate --from --runs 2: exit $rc: $(cat "$T/err")"
rc=0; "$IOBENCH" calibrate --from "$T/nothing" --results "$T/res" \
	>/dev/null 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && grep -q "nothing/passes/01" "$T/err" ||
	fail "calibrate --from a missing directory: exit $rc: $(cat "$T/err")"
cmp -s "$T/first.json" "$cal" || /usr/bin/python3 -c "
import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); assert a['sizes']==b['sizes']" "$T/first.json" "$cal" ||
	fail "a refused --from replaced calibration.json"
pass "calibrate --from: the kept passes judged again, bad input refused"

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

# a single run into the calibrated results tree: its run-to-run band
"$IOBENCH" sweep "${S[@]}" --out "$T/res" >"$T/sum" 2>"$T/err" ||
	die "sweep into the results tree: $(cat "$T/err")"
# the factor is the one pair's: on a busy machine (or under a sanitizer)
# it can be several, not only 1.xx
grep -Eq "run to run on this host \(iobench calibrate\), medians within a factor of [0-9]+\.[0-9][0-9] at 64K" "$T/sum" ||
	fail "the terminal summary states no run-to-run band: $(cat "$T/sum")"
grep -q '\*\*Run to run\*\* on this host (`iobench calibrate`, 1 A/A pair, ' \
	"$T/res/latest/report.md" ||
	fail "report.md states no run-to-run band: $(grep -i uncertainty "$T/res/latest/report.md")"
/usr/bin/python3 - "$T/res/latest/results.json" <<'PY' || fail "results.json run_band"
import json, sys
d = json.load(open(sys.argv[1]))
bands = [c["analysis"]["run_band"] for c in d["cells"] if c.get("analysis")]
assert len(bands) == 4 and all(b is not None and b > 0 for b in bands), bands
line = d["summary"]["ci_line"]
assert "run to run on this host (iobench calibrate), medians within a factor of" in line, line
PY
# another host's calibration gives none, and says so
mkdir -p "$T/other/baselines"
/usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1])); d['hostname'] = 'elsewhere'
json.dump(d, open(sys.argv[2], 'w'))" "$cal" "$T/other/baselines/calibration.json"
"$IOBENCH" sweep "${S[@]}" --out "$T/other" -q >/dev/null 2>"$T/err" ||
	die "sweep into another host's tree: $(cat "$T/err")"
grep -q "Run to run" "$T/other/latest/report.md" &&
	fail "another host's calibration gave a band"
grep -q "calibrated on host elsewhere, not this one" "$T/other/latest/report.md" ||
	fail "no warning of another host's calibration"
pass "a single run states the calibrated run-to-run band, this host's only"

# one cell: no shift to take out, and calibrate says its changes are raw
S1=(--sizes 64K -s rw --cache warm --reference none --samples 6 --budget 0.1
    --no-limits --dir "$T/dir")
# (from a directory holding a file named results, the sweep's default
# --out: the passes' --out is --results, and so is their check's)
mkdir -p "$T/cwd" && : >"$T/cwd/results"
(cd "$T/cwd" && "$IOBENCH" calibrate --runs 1 --preset none --results "$T/one" \
	-q "${S1[@]}") >"$T/out1" 2>"$T/err" ||
	die "calibrate of one cell: exit $?: $(cat "$T/err")"
grep -q "(not at 64K page cache: fewer than 4 cells (2 of copies that wait for the device), no shift, the changes raw)" \
	"$T/out1" || fail "one cell: not said raw: $(tail -2 "$T/out1")"
[ "$fails" -eq 0 ] && pass "calibrate of one cell says its changes are raw"

# bad sweep options are refused before anything is created: a value the
# sweep refuses (checked by its dry run), the options calibrate sets
# itself, and sweep's short forms are sweep's
for bad in "--samples 3" "--sizes 1m" "-s rww" "--out $T/elsewhere" "-n"; do
	rc=0
	# shellcheck disable=SC2086 # each word an argument
	"$IOBENCH" calibrate --preset none --results "$T/bad" -q "${S[@]}" \
		$bad >/dev/null 2>"$T/err" || rc=$?
	[ $rc -eq 1 ] || fail "calibrate $bad: exit $rc, not 1: $(cat "$T/err")"
	[ -e "$T/bad" ] || [ -e "$T/elsewhere" ] &&
		fail "calibrate $bad left $(ls -R "$T/bad" "$T/elsewhere" 2>&1)"
	[ "$(wc -l <"$T/err")" -le 2 ] ||
		fail "calibrate $bad: more than two lines: $(cat "$T/err")"
done
grep -q "not passed on to its sweeps" "$T/err" ||
	fail "calibrate -n: no reason: $(cat "$T/err")"
# a value missing at the end is said as such, not as one calibrate adds
rc=0; "$IOBENCH" calibrate --results "$T/bad" -q --sizes >/dev/null \
	2>"$T/err" || rc=$?
[ $rc -eq 1 ] && grep -q "calibrate: --sizes: missing value$" "$T/err" &&
	! grep -q -- "--no-limits" "$T/err" ||
	fail "calibrate --sizes (no value): exit $rc: $(cat "$T/err")"
[ "$fails" -eq 0 ] && pass "calibrate: bad sweep options refused, nothing created"

# the noise floor is not a baseline: no sweep may save one over it,
# compare does not take or list it as one
cp "$cal" "$T/keep.json"
rc=0; "$IOBENCH" sweep "${S[@]}" --out "$T/res" -q \
	--save-baseline calibration >/dev/null 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && grep -q "taken by this host's noise floor" "$T/err" ||
	fail "--save-baseline calibration: exit $rc: $(cat "$T/err")"
cmp -s "$T/keep.json" "$cal" || fail "--save-baseline calibration replaced it"
rc=0; "$IOBENCH" compare calibration "$T/a/latest" --results "$T/res" \
	>/dev/null 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && grep -q "noise floor (iobench calibrate), not a run" "$T/err" ||
	fail "compare calibration RUN: exit $rc: $(cat "$T/err")"
"$IOBENCH" compare --list --results "$T/res" >"$T/list" 2>&1 ||
	fail "compare --list: $(cat "$T/list")"
grep -q "^calibration" "$T/list" && fail "compare --list lists the noise floor: $(cat "$T/list")"
[ "$fails" -eq 0 ] && pass "the noise floor is no baseline"
finish
