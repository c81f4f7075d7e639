#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A sample directory that lands where creating files is slow (inodes
# freed minutes ago by a previous run, ext4 without a journal) is not
# used: the next ones go into a fresh data directory. The test-only hook
# IOBENCH_FAULT=slow-creates:2 makes the first two probes read as slow;
# the run must move twice, say so in its warnings, measure and verify
# every sample, and leave nothing in --dir.
. "$(dirname "$0")/lib.sh"

mkdir "$T/dir"
free=$(stat -f -c %d "$T/dir")
# a filesystem short of inodes is not probed (PROBE_MIN_INODES)
[ "$free" -ge 100000 ] ||
	skip "$T has $free free inodes: fewer than 100000, not probed"
IOBENCH_FAULT=slow-creates:2 "$IOBENCH" sweep --sizes 4K \
	--strategies rw,sendfile --cache warm --samples 6 --budget 0.2 \
	--no-limits --reference none --dir "$T/dir" --out "$T/out" --quiet >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr"; fail "exit $rc, expected 0"; }
assert_no_scratch "$T/dir" "slow-creates"
[ -z "$(ls -A "$T/dir")" ] || fail "files left in --dir"
check_json "$T/out/latest/results.json" "
moved = [w for w in run['warnings'] if 'sample directories moved' in w]
assert len(moved) == 1, run['warnings']
assert 'moved to a fresh place 2 times' in moved[0], moved[0]
for name in ('rw', 'sendfile'):
    c = cells[name]
    assert c['status'] == 'ok', c
    assert len(c['samples']) >= 6, len(c['samples'])
print(moved[0])
" || fail "results"
grep -q "sample directories moved" "$T/out/latest/report.md" ||
	fail "report.md does not carry the warning"
[ "$fails" -eq 0 ] && pass "moved twice, measured, said so, left nothing"
finish
