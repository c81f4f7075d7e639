#!/bin/bash
# SPDX-License-Identifier: MIT
# quick/full presets: the sweep each one runs, as its --help shows it.
set -u
fail() { echo "FAIL: $*"; exit 1; }

out=$("$IOBENCH" quick --help) || fail "quick --help exited $?"
grep -qx '  iobench sweep --sizes 4K,1M,64M --cache warm --samples 6 \[SWEEP OPTIONS\]' \
	<<<"$out" || fail "quick runs something else: $out"
out=$("$IOBENCH" full --help) || fail "full --help exited $?"
grep -qx '  iobench sweep --sizes 1K,64K,1M,16M,256M,1G --buffers 4K,64K,128K,1M --qd 1,8,32 --cache warm,cold --sync none,end \[SWEEP OPTIONS\]' \
	<<<"$out" || fail "full runs something else: $out"
grep -q 'Threads and profiling are not part of it yet' <<<"$out" ||
	fail "full --help does not say threads/profiling are missing"
"$IOBENCH" --help | grep -q '^  quick ' || fail "quick not in iobench --help"
echo "PASS"
