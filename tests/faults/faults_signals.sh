#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interrupting a sweep whose sample hangs (IOBENCH_FAULT=hang:rw, per-
# sample timeout 60 s): a second SIGINT (or SIGTERM) kills the sample in
# flight and exits at once with 130 (143), writing partial results marked
# incomplete; the scratch directory is removed and the user's files in
# --dir (including one named like a scratch directory) are untouched.
. "$(dirname "$0")/lib.sh"

# twice NAME SIGNAL EXPECTED_RC
twice() {
	local name=$1 sig=$2 want=$3 pid rc t0 t1 before=$fails
	local d=$T/$name
	mkdir -p "$d/iobench-USER01" "$d/keep"
	echo "user data" >"$d/keep/file"
	echo "user data" >"$d/iobench-USER01/file"
	ln -s /etc/hostname "$d/link"
	tree_sum "$d" >"$T/before"
	IOBENCH_FAULT=hang:rw "$IOBENCH" sweep --sizes 4K --strategies rw \
		--cache warm --samples 6 --timeout 60 --dir "$d" \
		--out "$T/out-$name" --quiet >"$T/stdout" 2>"$T/stderr" &
	pid=$!
	PIDS+=("$pid")
	sleep 1
	t0=$(date +%s.%N)
	kill -s "$sig" "$pid"
	sleep 0.3
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	t1=$(date +%s.%N)
	[ "$rc" -eq "$want" ] || { cat "$T/stderr"; fail "$name: exit $rc, expected $want"; }
	/usr/bin/python3 -c "import sys; sys.exit(not ($t1 - $t0 < 5))" ||
		fail "$name: took $(echo "$t1 - $t0" | bc) s after the first signal"
	tree_sum "$d" >"$T/after"
	cmp -s "$T/before" "$T/after" ||
		{ diff "$T/before" "$T/after"; fail "$name: --dir changed"; }
	check_json "$T/out-$name/latest/results.json" "
assert run['incomplete'] is True, run['incomplete']
c = cells['rw']
assert c['status'] == 'pending', c['status']
assert not c['samples']
" || fail "$name: results"
	[ "$fails" -eq "$before" ] &&
		pass "$name: exit $rc at once, partial results, --dir as before"
}

twice sigint INT 130
twice sigterm TERM 143
finish
