#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every terminating signal that can be handled ends a sweep the way Ctrl-C
# does: SIGHUP (the terminal closed), SIGQUIT, SIGUSR1, SIGUSR2 and SIGALRM
# stop it after the sample in flight (a second one kills that sample),
# write the partial results marked incomplete, remove the scratch
# directory and exit 128 + the signal's number; sent to the whole process
# group (as a terminal does), they fail no sample. SIGKILL cannot be
# handled: the scratch directory it leaves carries its owner's PID, and the
# next run and `iobench doctor` remove it, saying so, while a live run's
# directory and a user's look-alike are left alone. With the argument
# "flame" (needs perf): flame stops at once on a stop signal.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/dir"

# with the argument "flame" (needs perf): flame stops at once, exit 128 + n,
# its scratch directory removed, no perf process left
if [ "${1:-}" = flame ]; then
	need_perf
	for sig in INT TERM HUP; do
		"$IOBENCH" flame rw --size 16M --seconds 20 --dir "$T/dir" \
			--out "$T/f.svg" --quiet >/dev/null 2>"$T/stderr" &
		pid=$!
		PIDS+=("$pid")
		sleep 2
		t0=$(date +%s%N)
		kill -s "$sig" "$pid"
		wait "$pid"
		rc=$?
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		want=$((128 + $(kill -l "$sig")))
		[ "$rc" -eq "$want" ] || fail "flame SIG$sig: exit $rc, expected $want"
		[ "$ms" -lt 5000 ] || fail "flame SIG$sig: took $ms ms to stop"
		assert_no_scratch "$T/dir" "flame SIG$sig"
		[ ! -e "$T/f.svg" ] || fail "flame SIG$sig: wrote an SVG"
		pgrep -f "perf-$pid\.data" >/dev/null &&
			fail "flame SIG$sig: perf still runs"
	done
	[ "$fails" -eq 0 ] && pass "flame stops within 5 s on SIGINT, SIGTERM, SIGHUP"
	finish
fi

# stopped NAME SIGNAL: a hanging sample, the signal twice
stopped() {
	local name=$1 sig=$2 want pid rc before=$fails
	want=$((128 + $(kill -l "$sig")))
	IOBENCH_FAULT=hang:rw "$IOBENCH" sweep --sizes 4K --strategies rw \
		--cache warm --samples 6 --timeout 60 --no-limits \
		--reference none --dir "$T/dir" --out "$T/out-$name" --quiet \
		>"$T/stdout" 2>"$T/stderr" &
	pid=$!
	PIDS+=("$pid")
	sleep 1
	kill -s "$sig" "$pid"
	sleep 0.3
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" -eq "$want" ] || { cat "$T/stderr"; fail "$name: exit $rc, expected $want"; }
	assert_no_scratch "$T/dir" "$name"
	check_json "$T/out-$name/latest/results.json" "
assert run['incomplete'] is True, run['incomplete']
assert cells['rw']['status'] == 'pending', cells['rw']['status']
" || fail "$name: partial results"
	[ "$fails" -eq "$before" ] && pass "$name: exit $rc, partial results, no scratch"
}

stopped sighup HUP
stopped sigquit QUIT
stopped sigusr1 USR1
stopped sigusr2 USR2
stopped sigalrm ALRM

# a hang-up sent to the whole process group, as when the terminal closes:
# the samples ignore it, the parent stops after the sample in flight
before=$fails
setsid bash -c '
	"$0" sweep --sizes 4K --strategies rw,sendfile --cache warm --samples 30 \
		--budget 5 --no-limits --reference none --dir "$1" --out "$2" \
		--quiet >/dev/null 2>&1 &
	sleep 1.5
	trap "" HUP		# this shell stays to wait for the sweep
	kill -HUP -- -$$
	wait $!' "$IOBENCH" "$T/dir" "$T/out-group" 2>/dev/null
check_json "$T/out-group/latest/results.json" "
assert run['incomplete'] is True
for c in r['cells']:
    assert c['status'] != 'failed', c['reason']
" || fail "group: a sample died of the hang-up"
assert_no_scratch "$T/dir" "group"
[ "$fails" -eq "$before" ] && pass "SIGHUP to the process group: no sample failed"

# killed_run: a sweep killed with SIGKILL mid-sample; sets pid (the dead
# owner) and left (the scratch directory it left)
killed_run() {
	IOBENCH_FAULT=hang:rw "$IOBENCH" sweep --sizes 4K --strategies rw \
		--cache warm --samples 6 --timeout 60 --no-limits \
		--reference none --dir "$T/dir" --out "$T/out-kill" --quiet \
		>/dev/null 2>&1 &
	pid=$!
	sleep 1
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	sleep 0.3
	left=$(find "$T/dir" -maxdepth 1 -name 'iobench-??????' ! -name iobench-USER01)
}

# SIGKILL: the scratch directory stays, marked with the dead owner
before=$fails
mkdir -p "$T/dir/iobench-USER01"
echo "user data" >"$T/dir/iobench-USER01/keep"
killed_run
[ -n "$left" ] || fail "SIGKILL left no scratch directory (test premise)"
grep -q "^pid $pid\$" "$left/.iobench-owner" 2>/dev/null ||
	fail "the scratch directory does not name its owner $pid"
[ ! -e "$T/out-kill" ] || fail "SIGKILL left an (empty) run directory in --out"
touch -d '5 minutes ago' "$T/dir/iobench-USER01"
"$IOBENCH" doctor --dir "$T/dir" >"$T/doctor" 2>&1
grep -q "removed stale scratch directory $left (its run, process $pid, is gone" \
	"$T/doctor" || fail "doctor did not say it removed $left: $(grep scratch "$T/doctor")"
[ ! -e "$left" ] || fail "doctor left $left"
grep -q "iobench-USER01 has no owner mark" "$T/doctor" ||
	fail "doctor did not mention the unmarked look-alike"
[ -f "$T/dir/iobench-USER01/keep" ] || fail "a user's iobench-USER01 was touched"
# a live run's directory: left alone, not even mentioned
IOBENCH_FAULT=hang:rw "$IOBENCH" sweep --sizes 4K --strategies rw \
	--cache warm --samples 6 --timeout 60 --no-limits --reference none \
	--dir "$T/dir" --out "$T/out-live" --quiet >/dev/null 2>&1 &
live=$!
PIDS+=("$live")
sleep 1
"$IOBENCH" doctor --dir "$T/dir" >"$T/doctor" 2>&1
n=$(find "$T/dir" -maxdepth 1 -name 'iobench-??????' ! -name iobench-USER01 | wc -l)
[ "$n" -eq 1 ] || fail "the live run's scratch directory is gone ($n left)"
grep -q "process $live" "$T/doctor" && fail "doctor reported the live run's directory"
kill -INT "$live"; sleep 0.3; kill -INT "$live"; wait "$live"
# and the next sweep removes one too, saying so
killed_run
"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
	--budget 0.1 --no-limits --reference none --dir "$T/dir" \
	--out "$T/out-next" --quiet >/dev/null 2>"$T/stderr"
grep -q "removed stale scratch directory $left (its run, process $pid, is gone" \
	"$T/stderr" || fail "the next sweep did not say it removed $left: $(cat "$T/stderr")"
[ -z "$(find "$T/dir" -maxdepth 1 -name 'iobench-??????' ! -name iobench-USER01)" ] ||
	fail "scratch left after the next sweep"
[ "$fails" -eq "$before" ] &&
	pass "SIGKILL: marked scratch removed by doctor and by the next sweep, said so"
finish
