#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Where the copies are made: a sweep's scratch directory tries 3 data
# directories (each a random block group on ext4), creates 64 empty files
# in each one's probe/ and makes its copies in the fastest - so a group
# full of inodes deleted seconds ago (which ext4 without a journal makes
# every create skip) does not slow a whole run. While a sweep runs: 3
# data-* directories, each with probe/p-00..p-63, the sources in exactly
# one; after it ends nothing is left.
set -u
# sweep_until_source: a sweep to look at while it runs
. "$(dirname "$0")/../faults/lib.sh"

mkdir "$T/dir"
sweep_until_source 4K "$T/dir" "$T/out" 'src-*'
pid=$sweep
kill -0 "$pid" 2>/dev/null || fail "the sweep ended before its sources appeared"
data=("$T"/dir/iobench-*/data-*)
[ "${#data[@]}" -eq 3 ] || fail "${#data[@]} data directories, expected 3: ${data[*]}"
with_sources=0
for d in "${data[@]}"; do
	n=$(find "$d/probe" -maxdepth 1 -type f -name 'p-??' -size 0 | wc -l)
	[ "$n" -eq 64 ] || fail "$d/probe holds $n empty probe files, expected 64"
	compgen -G "$d/src-*" >/dev/null && with_sources=$((with_sources + 1))
done
[ "$with_sources" -eq 1 ] || fail "sources in $with_sources data directories, expected 1"
pass "3 places probed (64 files each), the copies made in one"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr"; fail "the sweep exited $rc"; }
assert_no_scratch "$T/dir"
pass "nothing left in --dir after the sweep"
finish
