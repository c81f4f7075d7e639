#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every rank verifies its own copies: one rank's destination corrupted
# after its copy (IOBENCH_FAULT=corrupt:1) fails the cell on every rank,
# naming that rank, in both layouts; scratch removed, exit 2.
set -u
. "$(dirname "$0")/lib.sh"
need_mpi

for layout in files shared; do
	mkdir "$T/$layout"
	IOBENCH_FAULT=corrupt:1 mpi_sweep 3 --mpi-layout "$layout" \
		--sizes 1M --strategies rw --cache warm --samples 6 \
		--dir "$T/$layout" --out "$T/out-$layout"
	[ "$rc" -eq 2 ] || fail "$layout: exit $rc, expected 2 (nothing measured)"
	assert_no_scratch "$T/$layout" "$layout"
	grep -q "failed: rw: rank 1 (.*): verification failed" "$T/stderr" ||
		fail "$layout: the failed cell's line does not name rank 1: $(cat "$T/stderr")"
	if python3 - "$T/out-$layout/latest/results.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["cells"][0]
assert c["status"] == "failed" and not c["verified"], c["status"]
assert c["reason"].startswith("rw: rank 1 ("), c["reason"]
assert "verification failed" in c["reason"], c["reason"]
PY
	then
		pass "$layout: rank 1's corrupt copy fails the cell"
	else
		fail "$layout: results.json (exit $rc): $(cat "$T/stderr")"
	fi
done
finish
