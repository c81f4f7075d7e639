#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every sample of a sequential cell (one thread, a reference tool too)
# runs on its round's CPU: one of the CPUs the sweep may use, the same
# for every cell of the round, the fastest a probe before the round
# found, recorded as the sample's "cpu" in results.json, and the probes
# counted in environment.noise.cpus. With a CPU made to probe slow
# (test-only IOBENCH_FAULT=slow-cpu:N), no round runs there and every
# round is counted uneven. A threaded cell's samples are left to the
# scheduler ("cpu": null), and so is everything under a one-CPU affinity.
. "$(dirname "$0")/../lib.sh"
command -v taskset >/dev/null || skip "taskset is not installed"
mkdir -p "$T/dir"
S=(--sizes 64K --cache warm --samples 6 --budget 0.1 --no-limits
   --dir "$T/dir" --quiet)

check() {	# RESULTS_DIR CPU_LIST [SLOW_CPU]
	/usr/bin/python3 - "$1/latest/results.json" "$2" "${3:--1}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cpus = [int(c) for c in sys.argv[2].split(",")]
slow = int(sys.argv[3])
seen = refs = 0
by_round = {}
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
            continue
        assert s["cpu"] in cpus, (name, s["round"], s["cpu"], cpus)
        assert s["cpu"] != slow, (name, s["round"], "ran on the slow CPU")
        assert by_round.setdefault(s["round"], s["cpu"]) == s["cpu"], \
            (name, s["round"], s["cpu"], "another cell of the round ran on",
             by_round[s["round"]])
        seen += 1
        refs += p["strategy"].startswith("ref:")
probed = d["environment"]["noise"].get("cpus")
if len(cpus) < 2:
    assert probed is None, probed
else:
    assert refs, "no reference tool sample checked"
    assert probed and probed["rounds"] == len(by_round), (probed, by_round)
    assert probed["max_ratio"] >= 1, probed
    if slow >= 0:
        assert probed["uneven"] == probed["rounds"], probed
        assert probed["max_ratio"] >= 1.5, probed
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
	echo "one CPU allowed here ($list): the choice is not checked"
else
	n=$(check "$T/all" "$list") || fail "rounds and CPUs ($list)"
	[ "${n:-0}" -ge 12 ] && pass "$n sequential samples on their rounds' CPUs ($list)" ||
		fail "only ${n:-0} sequential samples checked"
	grep -q "^| the CPUs' speeds | probed before each of" \
		"$T/all/latest/report.md" &&
		pass "the report states the CPU probes" ||
		fail "no CPU probe row in the report's environment"
	IOBENCH_FAULT=slow-cpu:$one "$IOBENCH" sweep "${S[@]}" \
		--strategies rw --reference cp --out "$T/slow" >"$T/log" 2>&1 ||
		die "sweep with CPU $one slow: $(cat "$T/log")"
	n=$(check "$T/slow" "$list" "$one") ||
		fail "rounds ran on CPU $one, which probed ten times as slow"
	[ "${n:-0}" -ge 12 ] && pass "CPU $one probed slow: $n samples elsewhere, every round uneven" ||
		fail "only ${n:-0} sequential samples checked"
fi

taskset -c "$one" "$IOBENCH" sweep "${S[@]}" --strategies rw \
	--reference none --out "$T/one" >"$T/log" 2>&1 ||
	die "sweep under taskset: $(cat "$T/log")"
check "$T/one" "$one" >/dev/null && pass "one CPU allowed: left to the scheduler" ||
	fail "one CPU allowed ($one)"
[ "${list#*,}" = "$list" ] && skip "one CPU allowed here: the choice cannot be checked"
finish
