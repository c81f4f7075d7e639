#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The stdio strategy really goes through its stream buffers: no read(2)
# and write(2) of a full buffer share a user address, which is what
# glibc's bypass of the buffer for large fread/fwrite requests looks like.
# Needs strace (skip without it).
IOBENCH=${1:-$IOBENCH}
command -v strace >/dev/null || { echo "SKIP: strace not installed"; exit 77; }
[ -x "$IOBENCH" ] || { echo "FAIL: no iobench binary ($IOBENCH)"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iobench-stdio-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
head -c $((5 * 65536 + 777)) /dev/urandom >"$tmp/src" || exit 1

if ! strace -f -qq -e trace=read,write -e raw=read,write -o "$tmp/log" \
	"$IOBENCH" cp -s stdio --buffer 64K "$tmp/src" "$tmp/dst"; then
	if grep -q "PTRACE\|Operation not permitted" "$tmp/log" 2>/dev/null; then
		echo "SKIP: cannot ptrace here"; exit 77
	fi
	echo "FAIL: iobench cp -s stdio failed under strace"; exit 1
fi
cmp -s "$tmp/src" "$tmp/dst" || { echo "FAIL: the copy differs"; exit 1; }
# raw lines: "PID read(0x5, 0x7f12..., 0x10000) = 0x10000"
addrs() {
	sed -n "s/.*$1(0x[0-9a-f]*, \(0x[0-9a-f]*\), 0x10000) = 0x10000.*/\1/p" \
		"$tmp/log" | sort -u
}
addrs read >"$tmp/r"
addrs write >"$tmp/w"
nr=$(wc -l <"$tmp/r"); nw=$(wc -l <"$tmp/w")
if [ "$nr" -eq 0 ] || [ "$nw" -eq 0 ]; then
	echo "FAIL: expected full-buffer (64K) reads and writes, saw $nr/$nw"
	cat "$tmp/log"; exit 1
fi
shared=$(comm -12 "$tmp/r" "$tmp/w")
if [ -n "$shared" ]; then
	echo "FAIL: read(2) and write(2) share the buffer $shared: fread/fwrite bypass the stream buffers"
	exit 1
fi
echo "PASS: stdio reads into and writes from separate stream buffers"
