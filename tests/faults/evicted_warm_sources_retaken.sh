#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A warm sample whose sources were evicted between the runner's warming
# and the clock (IOBENCH_FAULT=evict:NAME:N drops them in the cell's first
# N samples, as memory reclaim could) is verified and taken again: with
# N = 5 (the per-cell limit) every recorded sample of the cell met its
# sources cached, the evicted tries counted in copies_verified; on a
# --source tree alike; with N past the limit the sweep still ends, the
# samples record what they met and the report warns "cache check failed".
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/dir" "$T/src/sub"
for i in $(seq 1 12); do
	head -c $((i * 3000)) /dev/urandom >"$T/src/sub/f$i"
done
sync

# run N OUT [SWEEP OPTIONS]: the sweep of rw and sendfile, warm, with the
# first N samples of rw evicted; its results.json in $T/$2.json
run() {
	local n=$1 out=$T/$2 rc
	shift 2
	IOBENCH_FAULT=evict:rw:$n "$IOBENCH" sweep --strategies rw,sendfile \
		--cache warm --reference none --no-limits --samples 6 --dir "$T/dir" \
		--out "$out" -q "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ $rc -eq 0 ] || { cat "$T/stderr"; die "sweep (evict:rw:$n): exit $rc"; }
	cp "$out"/latest/results.json "$out.json"
}

# check FILE RESIDENT_RW EXTRA: rw's samples all (or none) resident;
# sendfile's all; rw verified EXTRA more copies than sendfile: the five
# evicted tries' (the first of a cell's samples, a warm-up: 16 files of
# 64K, or the tree's 12; "-": not checked, rw's
# batch may differ when none of its samples is warm)
check() {
	/usr/bin/python3 - "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want, extra = sys.argv[2] == "yes", sys.argv[3]
cells = {c["parameters"]["strategy"]: c for c in r["cells"]}
rw, sf = cells["rw"], cells["sendfile"]
for c in (rw, sf):
    assert c["status"] == "ok" and c["verified"], c["status"]
    assert len(c["samples"]) >= 6, len(c["samples"])
ok = [s["residency_ok"] for s in rw["samples"]]
assert ok == [want] * len(ok), ("rw residency", ok)
assert all(s["residency_ok"] for s in sf["samples"]), "sendfile residency"
# each evicted try copied and verified its batch before it was dropped
assert extra == "-" or rw["copies_verified"] - sf["copies_verified"] == int(extra), \
    (rw["copies_verified"], sf["copies_verified"], extra)
print("rw %d samples, resident %s; copies verified rw %d, sendfile %d"
      % (len(ok), want, rw["copies_verified"], sf["copies_verified"]))
PY
}

run 5 files --sizes 64K
check "$T/files.json" yes 80 || fail "evict:rw:5, 64K files"
pass "5 evicted tries of 64K files taken again: every sample resident"

run 5 tree --source "$T/src"
check "$T/tree.json" yes 60 || fail "evict:rw:5, --source tree"
pass "5 evicted tries of a --source tree taken again"

run 1000 past --sizes 64K
check "$T/past.json" no - || fail "evict:rw:1000"
# every sample of the cell (6, or more where the size ran extra rounds)
grep -qE "^\| \`rw\` \(buf 128K\), 64K warm \| cache check failed \| ([0-9]+) of \1 samples \|" \
	"$T/past/latest/report.md" ||
	fail "no cache-check warning: $(grep -A8 '^## Warnings' "$T/past/latest/report.md")"
pass "past the limit: the samples record what they met, the report warns"
[ -z "$(ls -A "$T/dir")" ] || fail "scratch left: $(ls -A "$T/dir")"
finish
