#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench sweep --dir A,B: the same plan on an ext4 loop device and a
# tmpfs the test mounts, in one run. results.json has both targets (their
# filesystems) and every cell of the plan on both, each
# variant's samples on the same rounds with the target going first
# alternating; the CSV has the target column; report.md has the Devices
# section with two columns and ratios; no scratch is left on either,
# also when the run is stopped (SIGINT).
# One directory given twice is refused (exit 1, nothing created), so is
# a second target without room; --source copies one tree into each
# target; --dir repeated works like a comma list; a saved one-target results.json still
# compares with itself, and against the two-target run by its --dir.
set -u
. "$(dirname "$0")/lib.sh"

mount_tmpfs "$T/tmpfs" size=96m ||
	skip "mounting a tmpfs is not permitted here (needs root)"
mount_ext4_loop "$T/ext4.img" 160M "$T/ext4" ||
	skip "no ext4 loop device: $(cat "$T/why")"
mkdir -p "$T/dir"

# not quiet: the summary at the end has the Devices line
common=(--sizes 64K,1M --strategies rw,sendfile --cache warm,cold
	--samples 6 --budget 2 --reference none)

run "$IOBENCH" sweep "${common[@]}" --no-limits --dir "$T/ext4,$T/tmpfs" \
	--out "$T/out"
expect_rc 0 "sweep --dir EXT4,TMPFS"
json=$(ls "$T"/out/*/results.json 2>/dev/null | head -n 1)
[ -f "$json" ] || die "no results.json (stderr: $err)"
check_schema "$json"
check_json "$json" "
dirs = ['$T/ext4', '$T/tmpfs']
assert r['request']['dirs'] == dirs, r['request'].get('dirs')
assert r['request']['dir'] == dirs[0]
t = r['targets']
assert [x['dir'] for x in t] == dirs, t
assert t[0]['fs_type'] == 'ext4' and t[1]['fs_type'] == 'tmpfs', t
assert t[0]['limits'] is None and t[1]['limits'] is None
by = {}
for c in r['cells']:
    p = c['parameters']
    assert c['target']['dir'] in dirs, c.get('target')
    key = (p['strategy'], p['size'], p['cache'], p['sync'])
    by.setdefault(key, {})[c['target']['dir']] = c
assert len(by) == 2 * 2 * 2, sorted(by)
for key, pair in by.items():
    assert sorted(pair) == sorted(dirs), key
    a, b = pair[dirs[0]], pair[dirs[1]]
    assert a['status'] == 'ok' and a['verified'], (key, a['status'], a['reason'])
    if key[2] == 'cold':
        assert b['status'] == 'skipped' and 'tmpfs' in b['reason'], (key, b)
        continue
    assert b['status'] == 'ok' and b['verified'], (key, b['status'], b['reason'])
    ra = {s['round']: s['start'] for s in a['samples']}
    rb = {s['round']: s['start'] for s in b['samples']}
    assert ra.keys() == rb.keys() and len(ra) >= 6, (key, ra.keys(), rb.keys())
    # back to back in each round, the first target going first in
    # even rounds, the second in odd ones
    for n in ra:
        assert (ra[n] < rb[n]) == (n % 2 == 0), (key, n, ra[n], rb[n])
dev = r['summary']['devices']
assert len(dev) == 8, len(dev)
for row in dev:
    a, b = row['cells']
    assert a is not None, row
    cache = r['cells'][a]['parameters']['cache']
    assert (row['vs_first'][1] is not None) == (cache == 'warm'), row
    assert row['vs_first'][0] is None
" && pass "both targets, every cell on both, paired rounds alternating" ||
	fail "results.json of the two-target run"
csv=$(dirname "$json")/results.csv
/usr/bin/python3 - "$csv" "$T/ext4" "$T/tmpfs" <<'PY' &&
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert {r['target'] for r in rows} == set(sys.argv[2:]), rows[0]
PY
	pass "results.csv has the target column" ||
	fail "results.csv lacks the targets"
md=$(dirname "$json")/report.md
/usr/bin/python3 - "$md" "$T/ext4" "$T/tmpfs" <<'PY' &&
import re, sys
md = open(sys.argv[1]).read()
a, b = sys.argv[2:]
sec = md.split('## Devices', 1)[1].split('\n## ', 1)[0]
head = [l for l in sec.splitlines() if l.startswith('| size | cache |')]
assert head, 'no side-by-side table'
assert '`%s` (ext4) MiB/s' % a in head[0] and '`%s` (tmpfs) MiB/s' % b in head[0], head[0]
assert 'B/A [95% CI]' in head[0], head[0]
rows = [l for l in sec.splitlines() if re.match(r'\| (64K|1M) \| warm', l)]
assert len(rows) == 4, rows
for l in rows:
    assert re.search(r'\| [0-9.]+x\s\[[0-9.]+,\s[0-9.]+\] \|', l), l
    assert re.search(r'\| (tie|`[^`]+` \((ext4|tmpfs)\)) \|$', l), l
assert 'Ceilings: not measured' in sec, 'no word on the ceilings'
assert re.search(r'vs `%s` \(ext4\): faster in \d+, slower in \d+, a tie in \d+ of 4 variants' % re.escape(a), sec), sec
# the tmpfs's cold cells are skipped, their target named
skipped = md.split('## Skipped and failed cells', 1)[1]
assert re.search(r'\| `rw` \| [^|]+ \| 64K \| cold \| none \| %s \| skipped \|' % re.escape(b), skipped), skipped
PY
	pass "report.md: the Devices section, two columns and ratios" ||
	fail "report.md's Devices section"
[[ "$out" == *"Devices: $T/tmpfs (tmpfs) vs $T/ext4 (ext4): faster in"* ]] &&
	pass "the terminal summary has the Devices line" ||
	fail "no Devices line in: $out"
assert_no_scratch "$T/ext4" "ext4 target"
assert_no_scratch "$T/tmpfs" "tmpfs target"

# stopped mid-run (SIGINT, then twice: the sample in flight killed):
# every target's scratch is removed, the partial results kept
for sigs in INT "INT INT"; do
	"$IOBENCH" sweep --reference none --no-limits --sizes 16M -s rw \
		--cache warm --samples 1000 --budget 60 -q \
		--dir "$T/ext4,$T/tmpfs" --out "$T/out-stop" \
		>"$T/stdout" 2>"$T/stderr" &
	pid=$!
	sleep 2
	for sig in $sigs; do
		kill -s "$sig" "$pid"
		sleep 0.05
	done
	wait "$pid"
	rc=$?
	[ "$rc" -eq 130 ] && pass "SIGINT x$(wc -w <<<"$sigs"): exit 130" ||
		fail "SIGINT ($sigs): exit $rc: $(cat "$T/stderr")"
	assert_no_scratch "$T/ext4" "ext4 target after SIGINT ($sigs)"
	assert_no_scratch "$T/tmpfs" "tmpfs target after SIGINT ($sigs)"
done

# one directory twice: refused before anything is made
ln -s "$T/dir" "$T/link"
expect_bad_sweep "$T/bad" "are the same directory" --dir "$T/dir,$T/dir/."
expect_bad_sweep "$T/bad" "are the same directory" --dir "$T/dir" \
	--dir "$T/link"
expect_bad_sweep "$T/bad" "an empty directory in the list" \
	--dir "$T/dir,,$T/tmpfs"
expect_bad_sweep "$T/bad" "--dir $T/nope" --dir "$T/dir,$T/nope"
expect_bad_sweep "$T/bad" "several --dir targets and --dataset are exclusive" \
	--dir "$T/dir,$T/tmpfs" --dataset photos

# each target needs its own room: a tiny tmpfs as the second target
# refuses sizes that fit the first
mount_tmpfs "$T/tiny" size=256k ||
	skip "mounting a tmpfs is not permitted here (needs root)"
run "$IOBENCH" sweep --sizes 1M -s rw --samples 6 --no-limits -q \
	--dir "$T/ext4,$T/tiny" --out "$T/out-tiny"
[ "$rc" -eq 1 ] && [[ "$err" == *"--dir $T/tiny: not enough free space"* ]] &&
	[ ! -e "$T/out-tiny" ] &&
	pass "no room on the second target: refused before the run" ||
	fail "no room on the second target: exit $rc, stderr: $err"

# --source: the same tree copied into each target, never written
mkdir -p "$T/tree/sub"
for f in a b sub/c; do head -c 70000 /dev/urandom >"$T/tree/$f"; done
before=$(tree_sum "$T/tree")
run "$IOBENCH" sweep --source "$T/tree" -s rw --cache warm --samples 6 \
	--budget 1 --no-limits --reference none -q \
	--dir "$T/ext4,$T/tmpfs" --out "$T/out-tree"
expect_rc 0 "sweep --source with two targets"
check_json "$(ls "$T"/out-tree/*/results.json | head -n 1)" "
got = sorted((c['target']['dir'], c['status'], c['verified']) for c in r['cells'])
assert got == [('$T/ext4', 'ok', True), ('$T/tmpfs', 'ok', True)], got
" && pass "the tree copied and verified on both targets" ||
	fail "--source with two targets"
[ "$(tree_sum "$T/tree")" = "$before" ] && pass "the tree is unchanged" ||
	fail "the source tree changed"
assert_no_scratch "$T/ext4" "ext4 target (--source)"
assert_no_scratch "$T/tmpfs" "tmpfs target (--source)"

# --dir repeated reads as a list; a one-target run compares with itself
# and, by its --dir, with the two-target run
small=(--sizes 64K --strategies rw --cache warm --samples 6 --budget 1
	--no-limits --reference none -q)
run "$IOBENCH" sweep "${small[@]}" --dir "$T/ext4" --dir "$T/tmpfs" \
	--out "$T/out2"
expect_rc 0 "sweep --dir A --dir B"
json2=$(ls "$T"/out2/*/results.json | head -n 1)
check_json "$json2" "
assert r['request']['dirs'] == ['$T/ext4', '$T/tmpfs'], r['request']
assert len(r['cells']) == 2 and {c['target']['dir'] for c in r['cells']} == {'$T/ext4', '$T/tmpfs'}
" && pass "--dir repeated: two targets" || fail "--dir repeated"
run "$IOBENCH" sweep "${small[@]}" --dir "$T/ext4" --out "$T/one"
expect_rc 0 "a one-target sweep"
one=$(ls "$T"/one/*/results.json | head -n 1)
check_json "$one" "
assert 'dirs' not in r['request'] and 'targets' not in r
assert all('target' not in c for c in r['cells'])
" && pass "one target writes no target members" ||
	fail "a one-target run wrote target members"
run "$IOBENCH" compare "$one" "$one" -o "$T/cmp-self"
expect_rc 0 "a one-target run compares with itself"
/usr/bin/python3 -c "
import json, sys
c = json.load(open('$T/cmp-self/compare.json'))
assert len(c['cells']) == 1 and not c['only_in_base'] and not c['only_in_new'], c
" && pass "its one cell matched" || fail "compare of a one-target run with itself"
run "$IOBENCH" compare "$one" "$json2" -o "$T/cmp-two"
/usr/bin/python3 -c "
import json
c = json.load(open('$T/cmp-two/compare.json'))
assert len(c['cells']) == 1 and len(c['only_in_new']) == 1, c
assert c['only_in_new'][0]['target'] == '$T/tmpfs', c['only_in_new']
" && pass "against two targets it matches its --dir's cell (exit $rc)" ||
	fail "compare of one target against two: exit $rc, $err"
finish
