#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interruption: SIGINT mid-sweep -> exit 130, partial results marked
# incomplete, scratch directory gone; SIGTERM -> 143; two SIGINTs abort the
# sample in flight and still clean up. A sample over --timeout is killed
# and fails its cell.
set -u
. "$(dirname "$0")/lib.sh"

# interrupt NAME EXPECTED_RC SIGNAL...
interrupt() {
	local name=$1 want=$2 pid rc sig
	shift 2
	mkdir "$T/$name"
	"$IOBENCH" sweep --reference none --no-limits \
		--sizes 32M --strategies rw,copy_file_range \
		--cache warm,cold --samples 1000 --budget 60 \
		--dir "$T/$name" --out "$T/out-$name" --quiet \
		>"$T/stdout" 2>"$T/stderr" &
	pid=$!
	sleep 2
	for sig in "$@"; do
		kill -s "$sig" "$pid"
		sleep 0.05
	done
	wait "$pid"
	rc=$?
	[ "$rc" -eq "$want" ] || { cat "$T/stderr" >&2; fail "$name: exit $rc, expected $want"; }
	assert_no_scratch "$T/$name"
	python3 - "$T/out-$name/latest/results.json" <<'PY' || fail "$name: results"
import json, sys
r = json.load(open(sys.argv[1]))
def find(o, k):
    if isinstance(o, dict):
        if k in o:
            return o[k]
        for v in o.values():
            f = find(v, k)
            if f is not None:
                return f
    return None
assert find(r, "incomplete") is True, "not marked incomplete"
assert len(r["cells"]) == 4
PY
	echo "ok: $name -> exit $rc"
}

interrupt sigint 130 INT
interrupt sigterm 143 TERM
interrupt twice 130 INT INT

# No machine copies 64 MiB in a millisecond: every sample times out.
mkdir "$T/slow"
"$IOBENCH" sweep --reference none \
	--sizes 64M --strategies rw --cache warm --timeout 0.001 \
	--dir "$T/slow" --out "$T/out-slow" --quiet >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || { cat "$T/stderr" >&2; fail "timeout: exit $rc, expected 2"; }
assert_no_scratch "$T/slow"
python3 - "$T/out-slow/latest/results.json" <<'PY' || fail "timeout: results"
import json, sys
c = json.load(open(sys.argv[1]))["cells"][0]
assert c["status"] == "failed", c["status"]
assert c["reason"] == "rw: timed out after 0.001 s", c["reason"]
PY
echo "ok: timeout -> exit $rc"
echo PASS
