#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A comparison that tests no cell (no cell matches, or no matched cell has
# samples on both sides) is an error, exit 2, by compare and by sweep
# --baseline: a regression check that checked nothing never passes as
# "no regressions". A comparison that tests a cell exits 0 (or 4, a
# change its timings show), never 2.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/dir" "$T/res"
S=(--strategies rw --cache warm --samples 6 --budget 0.1 --no-limits
   --reference none --dir "$T/dir" --out "$T/res" --quiet)
"$IOBENCH" sweep --sizes 4K "${S[@]}" --save-baseline small \
	>/dev/null 2>"$T/stderr" || die "sweep 4K: $(cat "$T/stderr")"
small=$(readlink -f "$T/res/latest")
"$IOBENCH" sweep --sizes 8K "${S[@]}" >/dev/null 2>"$T/stderr" ||
	die "sweep 8K: $(cat "$T/stderr")"
other=$(readlink -f "$T/res/latest")

# the 4K run with every cell failed, without samples
mkdir -p "$T/failed"
/usr/bin/python3 - "$small/results.json" "$T/failed/results.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for cell in doc["cells"]:
    cell["samples"] = []
    cell["status"] = "failed"
    cell["reason"] = "no space left on device"
json.dump(doc, open(sys.argv[2], "w"), indent=2)
PY

# nothing BASE NEW WHY: compare exits 2 and says nothing was compared
nothing() {
	run "$IOBENCH" compare --out "$T/cmp" "$1" "$2"
	if [ "$rc" -ne 2 ] || ! grep -q "nothing compared" <<<"$err"; then
		fail "compare, $3: exit $rc, expected 2 and 'nothing compared': $err"
	elif ! grep -q '^\*\*Nothing compared' "$T/cmp/compare.md"; then
		fail "compare, $3: compare.md does not say so: $(head -n 3 "$T/cmp/compare.md")"
	else
		pass "compare, $3 -> $err"
	fi
	rm -rf "$T/cmp"
}
nothing "$small" "$other" "no cell matches"
nothing "$small" "$T/failed" "no matched cell has samples in NEW"
nothing "$T/failed" "$small" "no matched cell has samples in BASE"

run "$IOBENCH" compare --out "$T/cmp" "$small" "$small"
expect_rc 0 "compare of a run with itself tests its cells"

run "$IOBENCH" sweep --sizes 8K "${S[@]}" --baseline small
if [ "$rc" -ne 2 ] || ! grep -q "nothing compared with baseline small" <<<"$err"; then
	fail "sweep --baseline with no matching cell: exit $rc, expected 2: $err"
elif ! grep -q "nothing compared with baseline small" \
	"$T/res/latest/report.md"; then
	fail "sweep --baseline with no matching cell: the report does not say so"
else
	pass "sweep --baseline with no matching cell -> $err"
fi

# a comparison that tested its cell: exit 0, or 4 where the two runs'
# timings differed by chance (two sweeps of 6 samples, no calibration:
# the within-run test alone, at its 5% level) - never 2
run "$IOBENCH" sweep --sizes 4K "${S[@]}" --baseline small
if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
	fail "sweep --baseline with matching cells: exit $rc, expected 0 or 4: $err"
elif grep -qi "nothing compared" <<<"$err" ||
	grep -qi "nothing compared" "$T/res/latest/report.md"; then
	fail "sweep --baseline with matching cells: says nothing was compared"
else
	pass "sweep --baseline with matching cells (exit $rc)"
fi
finish
