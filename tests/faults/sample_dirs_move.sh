#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A sample directory that lands where creating files is slow (inodes
# freed minutes ago by a previous run, ext4 without a journal) is not
# used: the next ones go into a fresh data directory. The test-only hook
# IOBENCH_FAULT=slow-creates:2 makes the first two probes read as slow;
# the run must move twice (or more, where a place is really slow), say
# so in its warnings, measure and verify every sample, and leave nothing
# in --dir.
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
# the hook makes two probes slow; a real slow place (the suite's own
# deletes nearby) may add a move of its own, never take one away
import re
times = re.search(r'moved to a fresh place (\d+) times', moved[0])
assert times and int(times.group(1)) >= 2, moved[0]
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
