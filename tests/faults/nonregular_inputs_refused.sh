#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Inputs that are not regular files (FIFOs, devices) are refused at once
# with one clear error, never waited on: cp's SRC, a baseline or
# results.json given to compare or sweep --baseline, compare --list, and
# a --source file replaced by a FIFO during the run (the copies and the
# check after the run). Every command runs under a 20 s timeout: 124
# is a hang.
. "$(dirname "$0")/lib.sh"

good_baseline
mkfifo "$T/fifo" "$T/res/baselines/main.json"

# refused NAME WANT CMD...: exit 1 within the timeout, one stderr line
# containing WANT
refused() {
	local name=$1 want=$2 rc
	shift 2
	timeout 20 "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	if [ "$rc" -eq 124 ]; then
		fail "$name: hung"
	elif [ "$rc" -ne 1 ] || [ "$(wc -l <"$T/stderr")" -ne 1 ] ||
	     ! grep -qF -- "$want" "$T/stderr"; then
		fail "$name: exit $rc, expected 1 with '$want': $(head -n 3 "$T/stderr")"
	else
		pass "$name -> $(cat "$T/stderr")"
	fi
}
refused "cp from a FIFO" "$T/fifo: not a regular file" \
	"$IOBENCH" cp -s rw "$T/fifo" "$T/dst"
[ ! -e "$T/dst" ] || fail "cp from a FIFO created DST"
refused "cp from a device" "not a regular file" \
	"$IOBENCH" cp -s rw /dev/zero "$T/dst"
refused "compare, default baseline a FIFO" "main.json: not a regular file" \
	"$IOBENCH" compare --results "$T/res" --out "$T/cmp" main good
refused "compare, implicit baseline main a FIFO" "not a regular file" \
	"$IOBENCH" compare --results "$T/res" --out "$T/cmp"
refused "compare of a FIFO results.json" "$T/fifo: not a regular file" \
	"$IOBENCH" compare --results "$T/res" --out "$T/cmp" good "$T/fifo"
refused "sweep --baseline a FIFO" "not a regular file" \
	"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
	--budget 0.1 --no-limits --reference none --dir "$T/dir" \
	--out "$T/res" --quiet --baseline main
timeout 20 "$IOBENCH" compare --results "$T/res" --list >"$T/stdout" \
	2>"$T/stderr"
rc=$?
if [ "$rc" -ne 0 ] || ! grep -q '^main .*not a regular file' "$T/stdout" ||
   ! grep -q '^good ' "$T/stdout"; then
	fail "compare --list with a FIFO baseline: exit $rc: $(cat "$T/stdout" "$T/stderr")"
else
	pass "compare --list lists the FIFO as unreadable"
fi

# a --source file becomes a FIFO while the sweep runs
S=$T/tree
mkdir -p "$S/d"
for i in 1 2 3 4; do head -c 200000 /dev/urandom >"$S/d/f$i"; done
(
	for _ in $(seq 1 2000); do
		if compgen -G "$T/dir/iobench-*" >/dev/null; then
			sleep 0.3
			# atomically: the run must never see f2 missing
			mkfifo "$T/fifo2" && mv -f "$T/fifo2" "$S/d/f2"
			exit 0
		fi
		sleep 0.005
	done
) &
watcher=$!
# pause: samples last 0.5 s more (untimed), so the swap lands in the run
IOBENCH_FAULT=pause:rw timeout 60 "$IOBENCH" sweep --source "$S" \
	--strategies rw --cache warm \
	--samples 6 --budget 2 --no-limits --reference none --dir "$T/dir" \
	--out "$T/out" >"$T/stdout" 2>"$T/stderr"
rc=$?
wait "$watcher"
if [ "$rc" -eq 124 ]; then
	fail "a tree file turned FIFO hung the sweep"
elif ! grep -q 'changed during the run.*f2: not a regular file' "$T/stderr"; then
	fail "tree file turned FIFO: exit $rc, not reported: $(cat "$T/stderr")"
else
	pass "tree file turned FIFO: exit $rc, reported: $(grep -o 'changed during.*' "$T/stderr")"
fi
assert_no_scratch "$T/dir" "after the FIFO"
finish
