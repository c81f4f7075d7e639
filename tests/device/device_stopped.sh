#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench device stopped (SIGSTOP) for 3 s in the middle of a repeat,
# then continued: the stopped repeat is measured again, so no repeat's
# window includes the pause (each lasts about --runtime, so no rate,
# ops over the window, is lowered by it: without the check the window
# held the pause and the rate fell to about half), and the target's
# notes say a repeat was stopped.
set -u
. "$(dirname "$0")/lib.sh"

mkdir "$T/dir"
"$IOBENCH" device --dir "$T/dir" --jobs metadata --runtime 2 --ramp 0 \
	--repeats 3 --out "$T/out" --json "$T/device.json" \
	>"$T/stdout" 2>"$T/stderr" &
pid=$!
# the progress line comes right before the first repeat
wait_until 10 grep -q 'repeat 1/3' "$T/stderr" ||
	{ cat "$T/stderr"; die "the first repeat never began"; }
sleep 0.7
kill -STOP "$pid" || die "SIGSTOP"
sleep 3
kill -CONT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr"; die "exit $rc, expected 0"; }

"$PYTHON" - "$T/device.json" <<'PY' || fail "the pause shows in the figures"
import json, sys

t = json.load(open(sys.argv[1]))["targets"][0]
job = t["jobs"][0]
errors = []
reps = job["repeats"]
if job["status"] != "ok" or len(reps) != 3:
    errors.append("metadata: %s, %d repeats" % (job["status"], len(reps)))
for i, r in enumerate(reps):
    print("repeat %d: %.2f s, %.0f ops/s" % (i + 1, r["seconds"], r["rate"]))
    # a window holding the 3 s pause would last 5 s
    if r["seconds"] > 3:
        errors.append("repeat %d lasted %.2f s: the pause counted"
                      % (i + 1, r["seconds"]))
if not any("stopped (SIGSTOP, Ctrl-Z)" in n for n in t["notes"]):
    errors.append("no note of the stopped repeat: %r" % t["notes"])
for e in errors:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
grep -q 'stopped (SIGSTOP, Ctrl-Z)' "$(ls "$T"/out/*/device.md)" ||
	fail "device.md does not say a repeat was stopped"
assert_no_scratch "$T/dir"
finish
