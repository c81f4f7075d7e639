#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `iobench profile --memory STRATEGY`: bad input refused in one line before
# any heap profile runs; with valgrind, the report's heap profile (peak,
# top allocation sites) and the Memory table of the cell, and nothing
# left in --dir.
set -u
. "$(dirname "$0")/lib.sh"

mkdir "$T/dir"
D=(--dir "$T/dir" --out "$T/out" --quiet)

"$IOBENCH" profile --memory nosuch --sizes 4K "${D[@]}" >"$T/stdout" \
	2>"$T/stderr"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$T/stderr")" -eq 1 ] &&
	grep -q "nosuch" "$T/stderr" && pass "unknown strategy: one line" ||
	fail "unknown strategy: exit $rc: $(cat "$T/stderr")"
# a bad sweep option: refused before the (slow) heap profiles
"$IOBENCH" profile --memory rw --sizes 4K --samples 3 "${D[@]}" \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ $rc -eq 1 ] && ! grep -q "heap profile" "$T/stderr" &&
	pass "bad sweep option: refused before profiling" ||
	fail "bad sweep option: exit $rc: $(cat "$T/stderr")"
"$IOBENCH" profile --memory rw --dry-run --sizes 4K "${D[@]}" \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ $rc -eq 0 ] && ! grep -q "heap profile" "$T/stderr" && [ ! -e "$T/out" ] &&
	pass "--dry-run: no heap profile" || fail "--dry-run: exit $rc"

command -v valgrind >/dev/null || skip "valgrind is not installed"
"$IOBENCH" profile --memory stdio --sizes 4K --cache warm --samples 6 \
	--reference none --no-limits "${D[@]}" >"$T/stdout" 2>"$T/stderr"
rc=$?
[ $rc -eq 0 ] || fail "profile --memory stdio: exit $rc: $(cat "$T/stderr")"
md="$T/out/$(readlink "$T/out/latest")/report.md"
grep -q '^## Heap profile of `stdio`' "$md" || fail "no heap profile section"
grep -qE '^Peak heap [0-9.]+ [KM]?i?B' "$md" || fail "no peak heap"
grep -q 'stdio_setup' "$md" || fail "stdio's buffer not among the sites"
grep -q '^## Memory' "$md" && grep -qE '^\| `stdio`.* \| 4K \|' "$md" ||
	fail "no Memory row for the cell"
assert_no_scratch "$T/dir"
pass "heap profile and Memory table in the report"
finish
