#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every sample of a sequential cell (one thread, a reference tool too)
# runs on its round's CPU: round r on the (r mod n)-th of the n CPUs the
# sweep may use, recorded as the sample's "cpu" in results.json; a
# threaded cell's samples are left to the scheduler ("cpu": null), and so
# is everything under a one-CPU affinity.
. "$(dirname "$0")/../lib.sh"
command -v taskset >/dev/null || skip "taskset is not installed"
mkdir -p "$T/dir"
S=(--sizes 64K --cache warm --samples 6 --budget 0.1 --no-limits
   --dir "$T/dir" --quiet)

check() {	# RESULTS_DIR CPU_LIST
	/usr/bin/python3 - "$1/latest/results.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cpus = [int(c) for c in sys.argv[2].split(",")]
seen = 0
refs = 0
for c in d["cells"]:
    p = c["parameters"]
    name = "%s threads %s" % (p["strategy"], p.get("threads"))
    if p["strategy"].startswith("ref:") and (p.get("threads") or 1) > 1:
        continue    # reference tools copy one file at a time: skipped
    assert c["status"] == "ok", (name, c["status"], c["reason"])
    assert c["samples"], name
    for s in c["samples"]:
        threaded = (p.get("threads") or 1) > 1
        if threaded or len(cpus) < 2:
            assert s["cpu"] is None, (name, s)
        else:
            want = cpus[s["round"] % len(cpus)]
            assert s["cpu"] == want, (name, s["round"], s["cpu"], want)
            seen += 1
            refs += p["strategy"].startswith("ref:")
assert len(cpus) < 2 or refs, "no reference tool sample checked"
print(seen)
PY
}

allowed=$(taskset -pc $$ | sed 's/.*: //')
# the allowed list as single CPUs, in order ("0-1,3" -> 0,1,3)
list=$(/usr/bin/python3 -c '
import sys
out = []
for part in sys.argv[1].split(","):
    a, _, b = part.partition("-")
    out += range(int(a), int(b or a) + 1)
print(",".join(map(str, out)))' "$allowed")
one=${list%%,*}

"$IOBENCH" sweep "${S[@]}" --strategies rw --threads 1,2 --reference cp \
	--out "$T/all" >"$T/log" 2>&1 || die "sweep: $(cat "$T/log")"
if [ "${list#*,}" = "$list" ]; then
	echo "one CPU allowed here ($list): the rotation is not checked"
else
	n=$(check "$T/all" "$list") || fail "rounds and CPUs ($list)"
	[ "${n:-0}" -ge 12 ] && pass "$n sequential samples on their rounds' CPUs ($list)" ||
		fail "only ${n:-0} sequential samples checked"
fi

taskset -c "$one" "$IOBENCH" sweep "${S[@]}" --strategies rw \
	--reference none --out "$T/one" >"$T/log" 2>&1 ||
	die "sweep under taskset: $(cat "$T/log")"
check "$T/one" "$one" >/dev/null && pass "one CPU allowed: left to the scheduler" ||
	fail "one CPU allowed ($one)"
[ "${list#*,}" = "$list" ] && skip "one CPU allowed here: the rotation cannot be checked"
finish
