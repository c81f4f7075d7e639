#!/bin/bash
# SPDX-License-Identifier: MIT
# The regression gate as a user meets it: a small sweep run twice, back to
# back, compared: no regression (exit 0); then a third run of the same
# sweep with a planted 25% slowdown of rw (IOBENCH_FAULT=slow) against
# the first: rw regressed, exit 4, and no other cell regressed.
# Separate runs see whatever else the machine does in between: when a
# verdict is wrong while other processes used a good share of the CPUs,
# the check cannot be made here and the test skips, naming that share.
. "$(dirname "$0")/../lib.sh"
mkdir "$T/dir"
cpus=$(nproc)

sweep() {
	IOBENCH_FAULT=${2:-} "$IOBENCH" sweep --sizes 64K,1M \
		--strategies rw,copy_file_range --cache warm --samples 10 \
		--no-limits --reference none --dir "$T/dir" --out "$T/out" \
		--quiet >/dev/null || die "sweep $1 exited $?"
	mv "$T/out/latest" "$T/out/$1.link" &&
		mv "$T/out/$(readlink "$T/out/$1.link")" "$T/$1" ||
		die "moving run $1"
}

# verdicts RUN: "strategy size verdict" lines of RUN's compare.json
verdicts() {
	/usr/bin/python3 -c 'import json, sys
for c in json.load(open(sys.argv[1]))["cells"]:
    print(c["strategy"], c["size"], c["verdict"])' "$T/$1/compare.json"
}

load_mark
sweep a
sweep b
sweep slow slow:rw:25
other=$(other_cpus)
echo "other processes used $other of $cpus CPUs during the sweeps"
busy=$(echo "$other > 0.25" | bc)

bad=0
run "$IOBENCH" compare "$T/a" "$T/b"
if [ "$rc" -ne 0 ]; then
	bad=1
	echo "A/A: exit $rc: $(verdicts b | tr '\n' ';')"
fi
run "$IOBENCH" compare "$T/a" "$T/slow"
if [ "$rc" -ne 4 ] || [ "$(verdicts slow | grep -c 'regressed$')" -ne 2 ] ||
	verdicts slow | grep -v '^rw ' | grep -q 'regressed$'; then
	bad=1
	echo "planted: exit $rc: $(verdicts slow | tr '\n' ';')"
fi
if [ "$bad" -ne 0 ] && [ "$busy" -eq 1 ]; then
	skip "other processes used $other of $cpus CPUs during the runs"
fi
[ "$bad" -eq 0 ] && pass "A/A exit 0; planted 25% slowdown: rw regressed at both sizes, exit 4, nothing else" ||
	fail "wrong verdicts on a quiet machine"
assert_no_scratch "$T/dir"
finish
