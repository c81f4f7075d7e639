#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench sweep --src-dir DIR: the sources are generated on a tmpfs the
# test mounts and copied into --dir on disk. Every cell that runs is
# verified, copy_file_range (one filesystem only) is skipped with EXDEV,
# results.json, the environment and the reproduce line carry the
# directory and its filesystem, no scratch is left on either side; a
# tmpfs too small for the sources fails the sizes that do not fit (the
# room checked is the sources'); cold cells are skipped on tmpfs sources;
# bad input exits 1 creating nothing; a run without --src-dir writes no
# src_dir.
set -u
. "$(dirname "$0")/lib.sh"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"

mkdir -p "$T/dir"
mount_tmpfs "$T/src" size=64m ||
	skip "mounting a tmpfs is not permitted here (needs root)"
mount_tmpfs "$T/tiny" size=256k ||
	skip "mounting a tmpfs is not permitted here (needs root)"

common=(--sizes 64K --cache warm --samples 6 --budget 2 --no-limits
	--reference none -q)

run "$IOBENCH" sweep "${common[@]}" -s rw,copy_file_range,splice \
	--dir "$T/dir" --src-dir "$T/src" --out "$T/out"
expect_rc 0 "sweep --src-dir on a tmpfs into --dir on disk"
json=$(ls "$T"/out/*/results.json | head -n 1)
[ -f "$json" ] || die "no results.json"
check_json "$json" "
assert r['request']['src_dir'] == '$T/src', r['request'].get('src_dir')
assert r['request']['dir'] == '$T/dir'
assert r['environment']['src_fs_type'] == 'tmpfs', r['environment']
assert r['environment']['fs_type'] != 'tmpfs', r['environment']['fs_type']
for s in ('rw', 'splice'):
    c = cells[s]
    assert c['status'] == 'ok', (s, c['status'], c.get('reason'))
    assert c['verified'], s
    assert len(c['samples']) >= 6, s
c = cells['copy_file_range']
assert c['status'] == 'skipped', c['status']
assert 'EXDEV' in c['reason'] and '--src-dir' in c['reason'], c['reason']
" && pass "rw and splice copied across, copy_file_range skipped (EXDEV)" ||
	fail "results.json of the --src-dir run"
check_schema "$json"
grep -qF -- "--src-dir $T/src" "$(dirname "$json")/report.md" &&
	pass "the reproduce line has --src-dir" ||
	fail "report.md lacks --src-dir in its command line"
grep -qF "| sources (--src-dir) | $T/src (tmpfs on tmpfs) |" \
	"$(dirname "$json")/report.md" &&
	pass "the environment names the sources' filesystem" ||
	fail "report.md lacks the sources' filesystem"
assert_no_scratch "$T/src" "--src-dir"
assert_no_scratch "$T/dir" "--dir"

# 1M sources cannot fit a 256K tmpfs, 4K ones can (--dir on disk has
# the room, so only --src-dir's room can refuse them): the 1M cells fail
# with the reason, the 4K ones run (exit 3)
run "$IOBENCH" sweep "${common[@]}" --sizes 4K,1M -s rw --dir "$T/dir" \
	--src-dir "$T/tiny" --out "$T/out-tiny"
expect_rc 3 "sources that do not fit --src-dir fail their size"
json=$(ls "$T"/out-tiny/*/results.json | head -n 1)
check_json "$json" "
assert cells['rw 4096']['status'] == 'ok', cells['rw 4096']['status']
c = cells['rw 1048576']
assert c['status'] == 'failed', c['status']
assert 'No space' in c['reason'] and '--src-dir' in c['reason'], c['reason']
" && pass "the size that does not fit says there is no room" ||
	fail "results.json of the too-small --src-dir"
assert_no_scratch "$T/tiny" "small --src-dir"
# none fits: refused before anything runs, naming --src-dir
run "$IOBENCH" sweep "${common[@]}" --sizes 1M -s rw --dir "$T/dir" \
	--src-dir "$T/tiny" --out "$T/out-none"
[ "$rc" -ne 0 ] && [[ "$err" == *"--src-dir $T/tiny: not enough free space"* ]] &&
	pass "no size fits --src-dir: refused (exit $rc)" ||
	fail "no size fits --src-dir: exit $rc, stderr: $err"

# tmpfs sources cannot be evicted: cold cells are skipped, saying why
run "$IOBENCH" sweep "${common[@]}" --cache cold -s rw --dir "$T/dir" \
	--src-dir "$T/src" --out "$T/out-cold"
json=$(ls "$T"/out-cold/*/results.json 2>/dev/null | head -n 1)
[ -n "$json" ] && check_json "$json" "
c = cells['rw']
assert c['status'] == 'skipped', c['status']
assert '--src-dir is on tmpfs' in c['reason'], c['reason']
" && pass "cold with tmpfs sources is skipped (exit $rc)" ||
	fail "cold with tmpfs sources: exit $rc, stderr: $err"

expect_bad_sweep "$T/bad" "--src-dir $T/dir/. is --dir" --dir "$T/dir" \
	--src-dir "$T/dir/."
expect_bad_sweep "$T/bad" "--src-dir $T/nope" --dir "$T/dir" \
	--src-dir "$T/nope"
expect_bad_sweep "$T/bad" "--src-dir: empty path" --dir "$T/dir" \
	--src-dir ""
mkdir -p "$T/tree" && echo x >"$T/tree/f"
expect_bad_sweep "$T/bad" "--src-dir and --source are exclusive" \
	--dir "$T/dir" --src-dir "$T/src" --source "$T/tree"

# without --src-dir the request has no such key (older readers unchanged)
run "$IOBENCH" sweep "${common[@]}" --sizes 4K -s rw --dir "$T/dir" \
	--out "$T/out-one"
expect_rc 0 "sweep without --src-dir"
json=$(ls "$T"/out-one/*/results.json | head -n 1)
check_json "$json" "
assert 'src_dir' not in r['request']
assert 'src_fs_type' not in r['environment']" &&
	pass "no src_dir without --src-dir" || fail "src_dir written without --src-dir"
finish
