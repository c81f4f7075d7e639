#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Job control: the sweep's process group is stopped (SIGSTOP, as Ctrl-Z
# stops it with SIGTSTP) three times for longer than --timeout while
# samples are in flight, then continued. No cell may time out: time the
# sample process was stopped does not count, and a sample it spanned is
# measured again, so no recorded sample holds the stop.
. "$(dirname "$0")/lib.sh"

command -v setsid >/dev/null || skip "setsid (util-linux) is missing"
mkdir -p "$T/dir"
# pause: each sample process waits 0.5 s before its copies (untimed), so
# a stop lands in a sample most of the time
IOBENCH_FAULT=pause:rw setsid "$IOBENCH" sweep --sizes 32M --sync end \
	--strategies rw,copy_file_range --cache warm --samples 6 --budget 30 \
	--timeout 2 --no-limits --reference none --quiet --dir "$T/dir" \
	--out "$T/out" >"$T/stdout" 2>"$T/stderr" &
pid=$!
PIDS+=("$pid")
for _ in 1 2 3; do
	sleep 1.3
	kill -0 "$pid" 2>/dev/null || break
	kill -STOP -- "-$pid"
	sleep 3
	kill -CONT -- "-$pid"
done
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "exit $rc after stops longer than --timeout: $(head -n 3 "$T/stderr")"
[ -f "$T/out/latest/results.json" ] || { fail "no results"; finish; }
check_json "$T/out/latest/results.json" '
for c in r["cells"]:
    name = c["parameters"]["strategy"]
    assert c["status"] == "ok", (name, c["status"], c.get("reason"))
    assert len(c["samples"]) >= 6, (name, len(c["samples"]))
    worst = max(s["seconds"] for s in c["samples"])
    assert worst < 1.5, (name, "a sample holds the stop", worst)
' && pass "three 3-second stops of the group, --timeout 2: every cell ok"
assert_no_scratch "$T/dir" "after the stops"
finish
