#!/bin/bash
# SPDX-License-Identifier: MIT
# The regression gate on two sides measured interleaved: rw and its twin
# (IOBENCH_TWIN, the same code under another name) in one sweep, round by
# round, split into two runs and compared. Whatever else the machine
# does lands on both sides alike, so the verdicts hold on a busy host:
#  - A/A: the twin against rw is no regression (exit 0);
#  - a planted 25% slowdown of the twin (IOBENCH_FAULT=slow) is caught:
#    rw regressed, exit 4.
. "$(dirname "$0")/../lib.sh"
split=$(dirname "$0")/split_twin.py
mkdir "$T/dir"

# sweep_twin OUT [FAULT]: rw and rw-twin at 1M, warm, 10 rounds or more
sweep_twin() {
	IOBENCH_TWIN=rw IOBENCH_FAULT=${2:-} "$IOBENCH" sweep --sizes 1M \
		--strategies rw,rw-twin --cache warm --samples 10 --no-limits \
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

sweep_twin aa
run "$IOBENCH" compare "$T/aa/base.json" "$T/aa/new.json" --out "$T/aa/cmp"
expect_rc 0 "A/A, interleaved: no regression"
v=$(verdict aa)
case $v in
"~" | "within noise") pass "A/A verdict: $v" ;;
*) fail "A/A verdict: $v" ;;
esac

sweep_twin slow slow:rw-twin:25
run "$IOBENCH" compare "$T/slow/base.json" "$T/slow/new.json" \
	--out "$T/slow/cmp"
expect_rc 4 "planted 25% slowdown: regression"
v=$(verdict slow)
[ "$v" = regressed ] && pass "rw regressed" || fail "rw verdict: $v"
grep -q '^| rw | 1M .*❌ regressed |$' "$T/slow/cmp/compare.md" ||
	fail "compare.md lacks the regressed rw row"
assert_no_scratch "$T/dir"
finish
