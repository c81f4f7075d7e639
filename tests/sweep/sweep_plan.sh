#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The plan: a strategy's tunables multiply only its own cells (rw by
# buffer, copy_file_range once, io_uring by buffer x qd x O_DIRECT), cells
# come in size, strategy, tunables, cache, sync order, and 0-byte files and
# --sync end work.
set -u
. "$(dirname "$0")/lib.sh"

mkdir "$T/dir"
"$IOBENCH" sweep --reference none --no-limits \
	--sizes 0,4097 --strategies rw,copy_file_range,io_uring \
	--buffers 4K,64K --qd 1,8 --direct both --cache warm --sync none,end \
	--samples 6 --budget 0.2 --dir "$T/dir" --out "$T/out" --quiet \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "exit $rc, expected 0"; }
assert_no_scratch "$T/dir"
python3 - "$T/out/latest/results.json" <<'PY' || fail "plan check"
import json, sys
cells = json.load(open(sys.argv[1]))["cells"]
got = [(c["parameters"]["size"], c["parameters"]["strategy"],
        c["parameters"]["tunables"].get("buffer"),
        c["parameters"]["tunables"].get("qd"),
        c["parameters"]["tunables"].get("direct", False),
        c["parameters"]["sync"]) for c in cells]
want = []
for size in (0, 4097):
    for b in (4096, 65536):
        for sync in ("none", "end"):
            want.append((size, "rw", b, None, False, sync))
    for sync in ("none", "end"):
        want.append((size, "copy_file_range", None, None, False, sync))
    for b in (4096, 65536):
        for qd in (1, 8):
            for d in (False, True):
                for sync in ("none", "end"):
                    want.append((size, "io_uring", b, qd, d, sync))
# a tunable the strategy does not read is absent from its cells
assert len(got) == len(want), "%d cells, expected %d" % (len(got), len(want))
for g, w in zip(got, want):
    assert g == w, "cell %r, expected %r" % (g, w)
for c in cells:
    p = c["parameters"]
    if c["status"] == "skipped":
        print("note: skipped:", p["strategy"], c["reason"])
        continue
    assert c["status"] == "ok", (p, c["reason"])
    assert c["verified"], p
    if p["sync"] == "end" and p["size"]:
        assert all(s["sync_seconds"] > 0 for s in c["samples"]), p
    if p["sync"] == "none":
        assert all(s["sync_seconds"] == 0 for s in c["samples"]), p
PY

# 0-byte files move no MiB: their rate is given in files/s
# (a figure and its CI are held together by no-break spaces, U+00A0)
grep -Eq $'^\\| (\\*\\*)?`rw`(\\*\\*)? \\| [^|]* \\| [0-9.]+\xc2\xa0files/s\xc2\xa0\\[' \
	"$T/out/latest/report.md" ||
	fail "0-byte rows do not give files/s: $(grep -m3 'rw`' "$T/out/latest/report.md")"

# progress without a terminal: the plan first, then one line per finished
# cell, counted in finishing order (cells run interleaved), ending at n/n
"$IOBENCH" sweep --reference none --no-limits --sizes 4K \
	--strategies rw,copy_file_range,reflink --cache warm,cold \
	--samples 6 --budget 0.2 --dir "$T/dir" --out "$T/out" \
	>"$T/stdout" 2>"$T/stderr" || fail "progress run exited $?"
grep -q '^planned: 6 cells' "$T/stderr" || fail "no plan line: $(cat "$T/stderr")"
counts=$(sed -n 's|^\[\([0-9]*\)/6\] .*|\1|p' "$T/stderr" | tr '\n' ' ')
[ -n "$counts" ] || fail "no progress lines: $(cat "$T/stderr")"
prev=0
for k in $counts; do
	[ "$k" -gt "$prev" ] || fail "progress not increasing: $counts"
	prev=$k
done
[ "$prev" -eq 6 ] || fail "progress ends at $prev/6: $counts"
echo PASS
