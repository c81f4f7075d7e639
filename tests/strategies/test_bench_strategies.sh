#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bench-strategies end to end on a small file: every command is
# timed in every round, the reference's ratio to itself is 1, --base adds
# the "@base" rows, the JSON holds the samples; bad usage exits 1 with
# nothing left behind, a failing command exits 2.
# usage: test_bench_strategies.sh   (IOBENCH, SOURCE_ROOT from meson)
set -u
script=${SOURCE_ROOT:?}/scripts/bench-strategies
[ -x "${IOBENCH:-}" ] || { echo "FAIL: no iobench binary (${IOBENCH:-})"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d "${IOBENCH_TEST_DIR:-/var/tmp}/iobench-bench-strategies-test-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$script" --iobench "$IOBENCH" --base "$IOBENCH" --dir "$tmp" --sizes 2M \
	--rounds 5 --json "$tmp/out.json" >"$tmp/out" 2>"$tmp/err" ||
	fail "a small run failed: $(tail -n 3 "$tmp/err")"
for mode in warm cold; do
	grep -q "^2M $mode, 5 rounds" "$tmp/out" || fail "no 2M $mode table"
done
grep -Eq '^\| rw +\|.*\| +1\.000 \| 1\.000-1\.000 \|$' "$tmp/out" ||
	fail "rw's ratio to itself is not 1"
for label in io_uring mmap io_uring@base mmap@base; do
	[ "$(grep -c "^| $label " "$tmp/out")" -eq 2 ] ||
		fail "$label is not in both tables"
done
python3 - "$tmp/out.json" <<'PY' || fail "the JSON does not hold 5 samples per cell"
import json, sys
d = json.load(open(sys.argv[1]))
cells = d["cells"]
assert len(cells) == 10, len(cells)
for c in cells:
    assert len(c["wall"]) == len(c["cpu"]) == 5, c
    assert all(w > 0 for w in c["wall"]), c
    lo, hi = c["ratio_ci"]
    assert lo <= c["ratio_median"] <= hi, c
PY

# bad usage: exit 1, no scratch directory left
for args in "--rounds 4" "--sizes 0" "--dir $tmp/none" "nolabel" "--iobench $tmp/none"; do
	# shellcheck disable=SC2086
	"$script" --iobench "$IOBENCH" --dir "$tmp" $args >/dev/null 2>&1
	code=$?
	[ "$code" -eq 1 ] || fail "'$args' exited $code, not 1"
done
# a command iobench refuses: exit 2, the reason shown
"$script" --iobench "$IOBENCH" --dir "$tmp" --sizes 64K --rounds 5 \
	"x=-s nosuch" >/dev/null 2>"$tmp/err"
code=$?
[ "$code" -eq 2 ] || fail "a failing command exited $code, not 2"
grep -q "unknown strategy" "$tmp/err" || fail "the failure's reason is not shown"
left=$(find "$tmp" -maxdepth 1 -name 'iobench-bench-strategies.*' | wc -l)
[ "$left" -eq 0 ] || fail "$left scratch directories left behind"
echo "PASS"
