#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Progress: on a terminal (a pseudo-terminal from script(1)) the live line
# counts samples as they complete across the round-robin, its ETA is
# printed and never reads 0:00 while samples remain, and the run ends by
# stating how long it took; without a terminal stderr stays line-based
# (no carriage returns, no ETA) and also states the duration.
set -u
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || skip "script(1) missing (util-linux)"
mkdir "$T/dir"
args=(sweep --sizes 4K --strategies rw,copy_file_range --cache warm
	--samples 6 --budget 2 --reference none --no-limits
	--dir "$T/dir" --out "$T/out")
printf -v cmd '%q ' "$IOBENCH" "${args[@]}"
script -qec "$cmd" "$T/typescript" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/typescript" >&2; fail "on a terminal: exit $rc"; }
python3 - "$T/typescript" <<'PY' || fail "the live progress line"
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
live = re.findall(r"\[(\d+)/(\d+) samples, (\d+)/(\d+) cells\] [^\r\n]*?"
                  r"ETA (\d+):(\d\d)", text)
assert len(live) >= 6, "%d live lines with an ETA" % len(live)
done = [int(l[0]) for l in live]
assert done == sorted(done), "the sample count went back: %r" % done
# it advances while no cell has finished yet: the round-robin counts
before_first_cell = {d for d, l in zip(done, live) if l[2] == "0"}
assert len(before_first_cell) >= 4, \
    "samples counted before a cell finished: %r" % sorted(before_first_cell)
for d, total, _, _, m, s in live:
    if int(total) > int(d):
        assert (m, s) != ("0", "00"), \
            "ETA 0:00 with %s of %s samples" % (d, total)
m = re.search(r"done: 2 cells, (\d+) samples; took (\d+) s", text)
assert m, "no final 'took N s' line"
assert int(m.group(1)) >= max(done), (m.group(1), max(done))
PY
assert_no_scratch "$T/dir"

rm -rf "$T/out"
"$IOBENCH" "${args[@]}" >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "without a terminal: exit $rc"; }
grep -q $'\r' "$T/stderr" && fail "without a terminal: carriage returns"
grep -q 'ETA' "$T/stderr" && fail "without a terminal: an ETA line"
[ "$(grep -c '^\[[0-9]*/2\] 4K .*: ok, ' "$T/stderr")" -eq 2 ] ||
	fail "without a terminal: not one line per cell: $(cat "$T/stderr")"
grep -Eq '^done: 2 cells, [0-9]+ samples; took [0-9]+ s' "$T/stderr" ||
	fail "without a terminal: no final duration: $(cat "$T/stderr")"
"$IOBENCH" "${args[@]}" --quiet >"$T/stdout" 2>"$T/stderr"
[ -s "$T/stderr" ] && fail "--quiet: stderr not empty: $(cat "$T/stderr")"
exit 0
