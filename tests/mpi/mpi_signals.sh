#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Ctrl-C on mpirun ends every rank: Open MPI sends each SIGTERM (a second
# later, then SIGKILL); the ranks stop, rank 0 writes the partial results
# marked incomplete, every scratch directory is removed. mpirun's own
# exit status is Open MPI's (non-zero); the ranks exit 143.
set -u
. "$(dirname "$0")/lib.sh"
need_mpi

mpi_sweep_started 4 --sizes 1M --strategies rw,copy_file_range \
	--cache warm --samples 1000 --budget 100 --out "$T/out"
kill -INT "$mpirun_pid"
wait "$mpirun_pid"
rc=$?
[ "$rc" -ne 0 ] || fail "mpirun exited 0 after Ctrl-C"
echo "mpirun: exit $rc"
grep -q "interrupted: writing partial results" "$T/stderr" ||
	fail "rank 0 did not write partial results: $(cat "$T/stderr")"
assert_no_scratch "$T/dir" "Ctrl-C"
if python3 - "$T/out/latest" <<'PY'
import json, sys
run = json.load(open(sys.argv[1] + "/results.json"))
assert run["run"]["incomplete"] is True, "not marked incomplete"
assert len(run["cells"]) == 2
assert any(c["samples"] for c in run["cells"]), "no sample kept"
report = open(sys.argv[1] + "/report.md").read()
assert "no process (gnuplot) is started after MPI_Init" in report
PY
then
	pass "Ctrl-C: partial results marked incomplete, scratch removed"
else
	fail "Ctrl-C: results"
fi
finish
