#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A file in a results.json's or a baseline's place that cannot be one (a
# sparse 8 GiB file of zeros, 64 MiB of text that does not start with '{')
# is refused from its first bytes, by compare, compare --list and sweep
# --baseline: exit 1 within seconds, one line naming the file, never read
# whole into memory.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/dir" "$T/res/baselines" "$T/zeros" "$T/text"
truncate -s 8G "$T/zeros/results.json" ||
	skip "cannot make a sparse 8 GiB file in $T"
cp "$T/zeros/results.json" "$T/res/baselines/zeros.json"
# 64 MiB of text without a '{' first
yes 'not json' | head -c 64M >"$T/text/results.json"
"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
	--budget 0.1 --no-limits --reference none --dir "$T/dir" \
	--out "$T/good" --quiet >/dev/null 2>"$T/stderr" ||
	die "sweep: $(cat "$T/stderr")"

# quick WANT WHAT ARGS...: exit 1 within 10 s, one line containing WANT
quick() {
	local want=$1 what=$2 start end
	shift 2
	start=$(date +%s%N)
	run timeout -s KILL 60 "$IOBENCH" "$@"
	end=$(date +%s%N)
	if [ "$rc" -ne 1 ]; then
		fail "$what: exit $rc, expected 1: $err"
	elif [ $(((end - start) / 1000000)) -gt 10000 ]; then
		fail "$what: took $(((end - start) / 1000000)) ms"
	elif [ "$(wc -l <<<"$err")" -ne 1 ] || ! grep -qF -- "$want" <<<"$err"; then
		fail "$what: stderr [$err], expected one line with [$want]"
	else
		pass "$what -> $err"
	fi
}

quick "$T/zeros/results.json: not a JSON file: a NUL byte at offset 0" \
	"compare of a sparse file" compare --out "$T/cmp" "$T/zeros" "$T/good/latest"
quick "$T/text/results.json: (top level): expected an object" \
	"compare of a large text" compare --out "$T/cmp" "$T/good/latest" "$T/text"
quick "zeros.json: not a JSON file: a NUL byte at offset 0" \
	"sweep --baseline of a sparse file" sweep --sizes 4K --strategies rw \
	--cache warm --samples 6 --budget 0.1 --no-limits --reference none \
	--dir "$T/dir" --out "$T/res" --baseline zeros
[ -e "$T/cmp" ] && fail "compare wrote $T/cmp"

start=$(date +%s%N)
run timeout -s KILL 60 "$IOBENCH" compare --results "$T/res" --list
end=$(date +%s%N)
if [ "$rc" -ge 128 ] || [ $(((end - start) / 1000000)) -gt 10000 ]; then
	fail "compare --list with a sparse baseline: exit $rc after $(((end - start) / 1000000)) ms"
elif ! grep -q "zeros" <<<"$out$err"; then
	fail "compare --list does not list the sparse baseline: $out $err"
else
	pass "compare --list with a sparse baseline: exit $rc, listed"
fi
finish
