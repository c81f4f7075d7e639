#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input: each case prints one "iobench: sweep: ..." line, exits 1 and
# creates nothing, neither in --out nor in --dir.
set -u
. "$(dirname "$0")/lib.sh"

mkdir "$T/dir" "$T/empty"
touch "$T/file"
ro_ok=1
mount_tmpfs "$T/ro" ro || ro_ok=0

# expect_bad WHAT_STDERR_CONTAINS ARGS...
expect_bad() {
	expect_bad_sweep "$T/out" "$@"
}

D=(--dir "$T/dir")
expect_bad "did you mean 'rw'" "${D[@]}" --strategies rww
expect_bad "unknown strategy 'zzzzzzzz'" "${D[@]}" --strategies zzzzzzzz
expect_bad "'1Q'" "${D[@]}" --sizes 1Q
expect_bad "empty item" "${D[@]}" --sizes 1K,,2K
expect_bad "--samples" "${D[@]}" --samples 0
expect_bad "--sizes: missing value (got '--samples')" "${D[@]}" --sizes --samples 6
expect_bad "at least 6" "${D[@]}" --samples 5
expect_bad "--budget" "${D[@]}" --budget 0
expect_bad "--cache: 'hot'" "${D[@]}" --cache hot
expect_bad "--sync: 'later'" "${D[@]}" --sync later
expect_bad "--direct" "${D[@]}" --direct maybe
expect_bad "--content" "${D[@]}" --content ones
expect_bad "--buffers" "${D[@]}" --buffers 0
expect_bad "--qd" "${D[@]}" --qd 0
expect_bad "no regular file" "${D[@]}" --source "$T/empty"
expect_bad "--save-baseline" "${D[@]}" --save-baseline ../x
expect_bad "No such file or directory" --dir "$T/missing"
expect_bad "not a directory" --dir "$T/file"
expect_bad "--out" "${D[@]}" --out "$T/file"
expect_bad "unknown option '--bogus'" "${D[@]}" --bogus
expect_bad "needs a value" "${D[@]}" --sizes
expect_bad "unexpected argument" "${D[@]}" extra
expect_bad "--cold: 'warm'" "${D[@]}" --cold warm
expect_bad "--sustained" "${D[@]}" --sustained 0
expect_bad "not with --no-limits" "${D[@]}" --sustained 2 --no-limits
if [ "$ro_ok" -eq 1 ]; then
	expect_bad "Read-only file system" --dir "$T/ro"
else
	echo "note: read-only --dir case not run: mounting a tmpfs is not permitted"
fi
echo PASS
