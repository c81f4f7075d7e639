#!/bin/bash
# SPDX-License-Identifier: MIT
# The regression gate on two sides measured interleaved: rw and its twin
# (IOBENCH_TWIN, the same code under another name) in one sweep, round by
# round, split into two runs and compared. Whatever else the machine does
# lands on both sides alike, so no bias between them:
#  - A/A: the twin against rw is no regression (exit 0);
#  - a planted 25% slowdown of the twin (IOBENCH_FAULT=slow) is caught:
#    rw regressed, exit 4.
# A machine other processes keep busy still widens both sides' spread:
# when a verdict is wrong while they used more than a quarter of a CPU,
# the check cannot be made here and the test skips, naming their share.
. "$(dirname "$0")/../lib.sh"
split=$(dirname "$0")/split_twin.py
mkdir "$T/dir"

# sweep_twin OUT [FAULT]: rw and rw-twin at 1M, warm, 20 rounds or more
sweep_twin() {
	IOBENCH_TWIN=rw IOBENCH_FAULT=${2:-} "$IOBENCH" sweep --sizes 1M \
		--strategies rw,rw-twin --cache warm --samples 20 --no-limits \
		--reference none --dir "$T/dir" --out "$T/$1" --quiet \
		>/dev/null || die "sweep $1 exited $?"
	/usr/bin/python3 "$split" "$T/$1/latest/results.json" rw \
		"$T/$1/base.json" "$T/$1/new.json" || die "splitting $1"
}

# verdict OUT: the rw row's verdict in OUT's compare.json
verdict() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(",".join(c["verdict"] for c in d["cells"]))' "$T/$1/cmp/compare.json"
}

wrong=()
load_mark
sweep_twin aa
run "$IOBENCH" compare "$T/aa/base.json" "$T/aa/new.json" --out "$T/aa/cmp"
v=$(verdict aa)
case $rc:$v in
"0:~" | "0:within noise") pass "A/A: exit 0, verdict $v" ;;
*) wrong+=("A/A: exit $rc, verdict $v") ;;
esac

sweep_twin slow slow:rw-twin:25
run "$IOBENCH" compare "$T/slow/base.json" "$T/slow/new.json" \
	--out "$T/slow/cmp"
v=$(verdict slow)
if [ "$rc:$v" = 4:regressed ] &&
	grep -q '^| rw | 1M .*❌ regressed |$' "$T/slow/cmp/compare.md"; then
	pass "planted 25% slowdown: exit 4, rw regressed in compare.md"
else
	wrong+=("planted 25% slowdown: exit $rc, verdict $v")
fi
other=$(other_cpus)
echo "other processes used $other of $(nproc) CPUs during the sweeps"
if [ "${#wrong[@]}" -ne 0 ]; then
	printf '%s\n' "${wrong[@]}"
	[ "$(echo "$other > 0.25" | bc)" -eq 0 ] ||
		skip "other processes used $other of $(nproc) CPUs during the sweeps"
	fail "wrong verdicts on a quiet machine"
fi
assert_no_scratch "$T/dir"
finish
