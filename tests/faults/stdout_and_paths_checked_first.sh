#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Exit codes and stdout: (1) a verb whose stdout cannot be written (a full
# disk: /dev/full) fails with exit 2 and says so, sweep and compare
# included (their files are still written); cp -v exits 2 and removes the
# DST it created. (2) Every output path is checked before any work: --out
# on /proc or under a file is bad input, exit 1 in one line before
# planning or the limits measurement, nothing created; compare --out the
# same, before the runs are read.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/dir"
[ -w /dev/full ] || skip "no /dev/full here"

S=(--sizes 4K --strategies rw --cache warm --samples 6 --budget 0.1
   --no-limits --reference none --dir "$T/dir" --quiet)

# (1)
before=$fails
"$IOBENCH" sweep "${S[@]}" --out "$T/out" >/dev/full 2>"$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "(1) sweep > /dev/full: exit $rc, expected 2"
grep -q 'standard output: No space left on device' "$T/stderr" ||
	fail "(1) sweep: $(cat "$T/stderr")"
[ -f "$T/out/latest/results.json" ] || fail "(1) sweep: results not written"
"$IOBENCH" sweep "${S[@]}" --out "$T/out2" >/dev/null 2>&1 || die "(1) second sweep"
# a run against itself: no verdict to outrank the write error (exit 4 of
# a regression stays 4, main.c check_stdout()), whatever this machine's
# noise does to two runs
"$IOBENCH" compare "$T/out/latest" "$T/out/latest" --out "$T/cmp" \
	>/dev/full 2>"$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "(1) compare > /dev/full: exit $rc, expected 2"
[ -f "$T/cmp/compare.json" ] || fail "(1) compare: compare.json not written"
for verb in list doctor; do
	"$IOBENCH" $verb --dir "$T/dir" >/dev/full 2>/dev/null
	rc=$?
	[ "$rc" -eq 2 ] || fail "(1) $verb > /dev/full: exit $rc, expected 2"
done
head -c 100000 /dev/urandom >"$T/src"
"$IOBENCH" cp -v -s rw "$T/src" "$T/dst" >/dev/full 2>"$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "(1) cp -v > /dev/full: exit $rc, expected 2"
[ ! -e "$T/dst" ] || fail "(1) cp -v > /dev/full kept the DST it created"
[ "$fails" -eq "$before" ] && pass "(1) stdout on a full disk: exit 2, said so"

# (2) bad --out: one line, exit 1, before planning, in well under a second
# (no limits measurement, no environment probe)
bad_out() {
	local what=$1 want=$2 rc t0 t1
	shift 2
	t0=$(date +%s%N)
	"$IOBENCH" "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	t1=$(date +%s%N)
	[ "$rc" -eq 1 ] || fail "(2) $what: exit $rc, expected 1 ($(cat "$T/stderr"))"
	[ "$(wc -l <"$T/stderr")" -eq 1 ] || fail "(2) $what: not one line: $(cat "$T/stderr")"
	grep -q -- "$want" "$T/stderr" || fail "(2) $what: $(cat "$T/stderr")"
	[ $(( (t1 - t0) / 1000000 )) -lt 3000 ] ||
		fail "(2) $what: took $(( (t1 - t0) / 1000000 )) ms: work done first?"
	[ -z "$(ls -A "$T/dir")" ] || fail "(2) $what: created files in --dir"
}
before=$fails
echo file >"$T/file"
L=(--sizes 4K --strategies rw --cache warm --samples 6 --dir "$T/dir")
bad_out "sweep --out /proc/x" "--out /proc/iobench-test/x: cannot create files there" \
	sweep "${L[@]}" --out /proc/iobench-test/x
bad_out "sweep --out under a file" "--out $T/file/x: not a directory" \
	sweep "${L[@]}" --out "$T/file/x"
bad_out "compare --out /proc/x" "--out /proc/iobench-test/x: cannot create files there" \
	compare --out /proc/iobench-test/x "$T/out/latest" "$T/out2/latest"
bad_out "compare --out under a file" "--out $T/file/x: not a directory" \
	compare --out "$T/file/x" "$T/out/latest" "$T/out2/latest"
bad_out "device --out /proc/x" "--out /proc/iobench-test/x: cannot create files there" \
	device --dir "$T/dir" --jobs metadata --out /proc/iobench-test/x
[ "$fails" -eq "$before" ] && pass "(2) bad --out refused first, in one line"
finish
