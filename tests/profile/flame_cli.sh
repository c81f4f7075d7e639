#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `iobench flame`: a valid SVG (xmllint) whose frames include the
# strategy's system call path; folded stacks; bad input; no perf on PATH:
# a clear message naming the package, exit 2.
set -u
. "$(dirname "$0")/lib.sh"

# without perf first: it needs no perf to pass
mkdir "$T/dir" "$T/bin"
env PATH="$T/bin" "$IOBENCH" flame rw --size 1M --dir "$T/dir" \
	--out "$T/none.svg" >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "without perf: exit $rc, expected 2"
grep -q 'apt-get install linux-perf' "$T/stderr" ||
	fail "without perf: message does not say what to install: $(cat "$T/stderr")"
[ -e "$T/none.svg" ] && fail "without perf: an SVG was written"

"$IOBENCH" flame nosuch >/dev/null 2>"$T/stderr"
[ $? -eq 1 ] || fail "unknown strategy: expected exit 1"
grep -q "unknown strategy 'nosuch'" "$T/stderr" || fail "unknown strategy message"
"$IOBENCH" flame rw --cache lukewarm >/dev/null 2>&1
[ $? -eq 1 ] || fail "bad --cache: expected exit 1"

need_perf
command -v xmllint >/dev/null || skip "xmllint missing (libxml2-utils)"
for s in rw copy_file_range; do
	"$IOBENCH" flame "$s" --size 1M --seconds 0.3 --dir "$T/dir" \
		--out "$T/$s.svg" --folded "$T/$s.folded" \
		>"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "$s: exit $rc"; }
	grep -qx "$T/$s.svg" "$T/stdout" || fail "$s: stdout does not name the SVG"
	xmllint --noout "$T/$s.svg" || fail "$s: SVG is not well-formed XML"
	grep -q '<g data-s="[0-9]*" data-n="[0-9]*" data-d="[0-9]*"><title>' "$T/$s.svg" ||
		fail "$s: no frames"
	grep -q 'samples, 100.00%)</title>' "$T/$s.svg" ||
		fail "$s: no root frame with all samples"
	[ -s "$T/$s.folded" ] || fail "$s: no folded stacks"
done
grep -Eq '<title>(ksys_read|ksys_write|vfs_read|vfs_write) ' "$T/rw.svg" ||
	fail "rw: no read/write system call frames"
# rw's stacks pass through libc (no frame pointers): unwound with DWARF,
# few samples keep a frame perf cannot name. One second of copies: the
# process's start and exit hold a few such samples whatever the length,
# and in 0.3 s on a busy machine they were 11-12% of too few samples
"$IOBENCH" flame rw --size 4M --seconds 1 --dir "$T/dir" \
	--out "$T/rw2.svg" >"$T/stdout" 2>"$T/stderr" || fail "rw: exit $?"
share=$(sed -n 's/^\[unknown\] frames in \([0-9.]*\)% of samples; .*/\1/p' \
	"$T/stdout")
[ -n "$share" ] || fail "rw: no share of [unknown] frames printed"
awk -v s="$share" 'BEGIN { exit !(s < 10) }' ||
	fail "rw: $share% of samples have an [unknown] frame (want < 10%)"
grep -q '<title>worker_entry' "$T/rw2.svg" &&
	fail "rw: the worker's start is in the stacks"
grep -q '<title>[^<]*copy_file_range' "$T/copy_file_range.svg" ||
	fail "copy_file_range: no copy_file_range frames"
assert_no_scratch "$T/dir"
exit 0
