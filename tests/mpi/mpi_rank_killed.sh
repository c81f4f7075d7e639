#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A rank killed outright mid-run (SIGKILL to rank 2): the run fails
# cleanly. mpirun exits 137 (128 + 9, the dead rank's signal) and sends
# the others SIGTERM; they give up waiting for rank 2, rank 0 writes what
# was measured, marked incomplete, with a warning that the job broke
# (naming rank 2 when rank 0 was waiting for its figures; a barrier cannot
# tell who is missing), and the killed rank's scratch directory is removed
# with the others'.
set -u
. "$(dirname "$0")/lib.sh"
need_mpi

mpi_sweep_started 4 --sizes 1M --strategies rw --cache warm --samples 1000 \
	--budget 100 --out "$T/out"
victim=
for p in $(pgrep -P "$mpirun_pid"); do
	if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
		grep -qx OMPI_COMM_WORLD_RANK=2; then
		victim=$p
	fi
done
[ -n "$victim" ] || die "rank 2's process not found under mpirun"
kill -KILL "$victim"
wait "$mpirun_pid"
rc=$?
[ "$rc" -eq 137 ] || fail "mpirun: exit $rc, expected 137"
echo "mpirun: exit $rc; its stderr and rank 0's:"
cat "$T/stderr"
assert_no_scratch "$T/dir" "rank killed"
if python3 - "$T/out/latest/results.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
assert run["run"]["incomplete"] is True, "not marked incomplete"
w = [w for w in run["run"]["warnings"] if "MPI job broke" in w]
assert w, run["run"]["warnings"]
# rank 0 names the ranks it was waiting for; at a barrier or in the
# broadcast of every rank's results it cannot tell who is missing
assert ("no answer from rank" not in w[0] or
        "no answer from rank 2)" in w[0]), w[0]
assert run["cells"][0]["samples"], "no sample kept"
print("results.json: incomplete, %d samples kept; warning: %s"
      % (len(run["cells"][0]["samples"]), w[0]))
PY
then
	pass "rank killed: partial results marked incomplete, scratch removed"
else
	fail "rank killed: results"
fi
finish
