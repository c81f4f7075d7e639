#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench device on a directory with too little room for a page-cache
# working set of one block (an 8 MiB tmpfs): the cached jobs fail with the
# reason and the run ends (exit 3, the other jobs measured), never loops
# creating and unlinking empty files; no scratch is left.
. "$(dirname "$0")/lib.sh"

mount_tmpfs "$T/tiny" size=8m || skip "cannot mount a tmpfs here (needs root)"
start=$(date +%s)
run timeout -s KILL 120 "$IOBENCH" device --dir "$T/tiny" \
	--jobs cached-write,cached-read,metadata --runtime 0.2 --ramp 0.05 \
	--repeats 1 --out "$T/out"
took=$(($(date +%s) - start))
if [ "$rc" -ne 3 ]; then
	fail "device on an 8 MiB tmpfs: exit $rc after $took s, expected 3: $(tail -n 3 <<<"$err")"
elif ! grep -q "cached-write failed: the page-cache working set .* smaller than one block" <<<"$err$out"; then
	fail "device on an 8 MiB tmpfs: no reason for cached-write: $err"
elif ! grep -q "^metadata .* ops/s" <<<"$err$out"; then
	fail "device on an 8 MiB tmpfs: metadata not measured: $err"
else
	pass "device on an 8 MiB tmpfs: exit 3 in $took s, cached jobs failed with the reason"
fi
assert_no_scratch "$T/tiny" "device on an 8 MiB tmpfs"
finish
