#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A stop signal (Ctrl-C) while the outputs are written does not cut them
# short, and is not ignored either: every output is finished (plots
# included), the run is marked incomplete (results.json, report.md), and
# the exit status is 130 with a line saying so. The writing is made slow
# by a gnuplot wrapper that says when it starts.
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || skip "gnuplot is not installed"
real=$(command -v gnuplot)
mkdir -p "$T/dir" "$T/bin"
cat >"$T/bin/gnuplot" <<EOF
#!/bin/sh
touch "$T/plotting"
sleep 2
exec "$real" "\$@"
EOF
chmod +x "$T/bin/gnuplot"

for sig in INT TERM; do
	before=$fails
	rm -f "$T/plotting"
	PATH="$T/bin:$PATH" "$IOBENCH" sweep --sizes 4K --strategies rw \
		--cache warm --samples 6 --budget 0.1 --no-limits \
		--reference none --dir "$T/dir" --out "$T/out-$sig" \
		>"$T/stdout" 2>"$T/stderr" &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 1 600); do
		[ -e "$T/plotting" ] && break
		sleep 0.05
	done
	[ -e "$T/plotting" ] || fail "$sig: gnuplot never started"
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	want=$((128 + $(kill -l "$sig")))
	[ "$rc" -eq "$want" ] || { cat "$T/stderr"; fail "$sig: exit $rc, expected $want"; }
	grep -q "interrupted by SIG$sig while writing the outputs" "$T/stderr" ||
		fail "$sig: stderr does not say so: $(cat "$T/stderr")"
	run=$T/out-$sig/latest
	check_json "$run/results.json" "
assert run['incomplete'] is True, run['incomplete']
assert any('while the outputs were written' in w for w in run['warnings']), run['warnings']
assert cells['rw']['status'] == 'ok'
" || fail "$sig: results.json"
	grep -q 'Incomplete run' "$run/report.md" || fail "$sig: report.md not marked"
	[ -f "$run/plots/throughput-warm.svg" ] || fail "$sig: plots not finished"
	[ -f "$run/results.csv" ] || fail "$sig: results.csv missing"
	assert_no_scratch "$T/dir" "$sig"
	[ "$fails" -eq "$before" ] &&
		pass "SIG$sig while writing: all outputs finished, marked incomplete, exit $rc"
done
finish
