#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mpirun -n 4 iobench sweep --mpi --ranks 1,2,4 on a local directory, rank
# 2 a planted straggler (30 ms inside its timed region): every sample's
# aggregate bytes, every rank's copies verified, the time from the first
# rank's start to the last one's finish, the straggler named, the Clients
# section, and results.json in the single-host schema (+ the MPI fields).
set -u
. "$(dirname "$0")/lib.sh"
need_mpi

mkdir "$T/dir" "$T/one"
IOBENCH_FAULT=stall:2:30 mpi_sweep 4 --ranks 1,2,4 --sizes 64K,1M \
	--strategies rw,copy_file_range --cache warm --samples 6 --budget 5 \
	--dir "$T/dir" --out "$T/out"
[ "$rc" -eq 0 ] || { cat "$T/stderr"; die "sweep --mpi: exit $rc"; }
pass "sweep --mpi --ranks 1,2,4 (exit 0)"
# rank 0 alone prints: the summary once, the report's path last
[ "$(grep -c '/report\.md$' "$T/stdout")" -eq 1 ] &&
	tail -n 1 "$T/stdout" | grep -q '/report\.md$' &&
	[ "$(grep -c '^size  ' "$T/stdout")" -eq 1 ] ||
	fail "stdout: rank 0's summary and report path expected: $(cat "$T/stdout")"
assert_no_scratch "$T/dir" "mpi sweep"

# the same request on one host, for the schema
"$IOBENCH" sweep --sizes 64K --strategies rw --cache warm --samples 6 \
	--budget 5 --reference none --no-limits --dir "$T/one" \
	--out "$T/out-one" -q >/dev/null 2>"$T/stderr-one" ||
	die "single-host sweep: $(cat "$T/stderr-one")"

python3 "$SOURCE_ROOT/tests/report/validate_schema.py" \
	"$SOURCE_ROOT/tests/report/schema.json" --files \
	"$T/out/latest/results.json" "$T/out-one/latest/results.json" ||
	fail "results.json does not validate against the schema"

if check_py "$T/out/latest" "$T/out-one/latest/results.json" <<'PY'
import json, sys

run = json.load(open(sys.argv[1] + "/results.json"))
one = json.load(open(sys.argv[2]))
report = open(sys.argv[1] + "/report.md").read()

mpi = run["request"]["mpi"]
assert mpi == {"world": 4, "layout": "files", "ranks": [1, 2, 4],
               "stonewall": None}, mpi
ranks = sorted(r for h in run["environment"]["hosts"] for r in h["ranks"])
assert ranks == [0, 1, 2, 3], ranks
assert len(run["cells"]) == 12, len(run["cells"])
for c in run["cells"]:
    p = c["parameters"]
    n, k, size = p["ranks"], p["batch"], p["size"]
    name = "%s %d x%d" % (p["strategy"], size, n)
    if c["status"] != "ok" or not c["verified"]:
        errors.append("%s: %s %s" % (name, c["status"], c["reason"]))
        continue
    # every rank's copies were verified, warm-ups included
    if c["copies_verified"] < len(c["samples"]) * k * n or \
       c["copies_verified"] % n:
        errors.append("%s: %d copies verified, %d samples of %d x %d" %
                   (name, c["copies_verified"], len(c["samples"]), k, n))
    for s in c["samples"]:
        pr = s["per_rank"]
        if len(pr) != n:
            errors.append("%s: %d per-rank figures" % (name, len(pr)))
            continue
        # aggregate bytes: every rank its own batch
        if sum(r["bytes"] for r in pr) != n * k * size or \
           any(r["files"] != k for r in pr):
            errors.append("%s: bytes %s" % (name, pr))
        # first start to last finish, on one clock
        first = min(r["start"] for r in pr)
        last = max(r["start"] + r["seconds"] for r in pr)
        done = min(r["start"] + r["seconds"] for r in pr)
        if abs(first) > 1e-9 or abs(s["seconds"] - last) > 1e-6 * last or \
           abs(s["first_finish"] - done) > 1e-6 * last:
            errors.append("%s: sample %.6f s, first %.6f, last %.6f" %
                       (name, s["seconds"], first, last))
        if n == 4 and (pr[2]["seconds"] < 0.030 or s["seconds"] < 0.030):
            errors.append("%s: the 30 ms straggler is not in %.4f s (rank 2 "
                       "%.4f s)" % (name, s["seconds"], pr[2]["seconds"]))
    if n == 4:
        starts = sorted(max(r["start"] for r in s["per_rank"])
                        for s in c["samples"])
        if starts[len(starts) // 2] >= 0.030:
            errors.append("%s: the barrier released the ranks %.4f s apart "
                       "(median)" % (name, starts[len(starts) // 2]))

# the report: Clients, the hosts, rows at 1, 2 and 4 ranks, the straggler
if "## Clients" not in report:
    errors.append("report.md has no Clients section")
rows = [l for l in report.split("## Clients")[-1].split("\n## ")[0]
        .splitlines() if l.startswith("| `")]
if sorted({int(l.split("|")[3]) for l in rows}) != [1, 2, 4]:
    errors.append("Clients rows: %s" % rows)
if not any("| 4 |" in l and "rank 2 (" in l for l in rows):
    errors.append("the straggler is not rank 2: %s" % rows)
if "| 0, 1, 2, 3 |" not in report:
    errors.append("the hosts table does not list ranks 0-3")
if "mpirun -n 4 iobench sweep" not in report or \
   "--mpi --mpi-layout files --ranks 1,2,4" not in report:
    errors.append("the reproducing command is not an mpirun line")

# the schema of a single-host run, plus the MPI fields only
def paths(o, at=""):
    out = set()
    if isinstance(o, dict):
        for k, v in o.items():
            out.add(at + "/" + k)
            out |= paths(v, at + "/" + k)
    elif isinstance(o, list):
        for v in o:
            out |= paths(v, at + "[]")
    return out

mpi_only = {"/request/mpi", "/environment/hosts",
            "/cells[]/parameters/ranks", "/cells[]/samples[]/per_rank",
            "/cells[]/samples[]/first_finish"}
# per-copy latency and /proc/diskstats deltas are one host's figures of
# its own sample processes: a single-host run has them, ranks do not
host_only = {"/cells[]/latency_ns", "/cells[]/diskstats",
             # no per-round CPU probe: each rank's host places its work
             "/environment/noise/cpus"}
# the analysis's figures are null where the data gives none (a ratio
# without a CI): which ones depends on the samples, not on MPI
derived = ("/summary", "/cells[]/analysis")
a = {p for p in paths(run) if not p.startswith(derived)}
b = {p for p in paths(one) if not p.startswith(derived)}
extra = {p for p in a - b if not any(p.startswith(m) for m in mpi_only)}
lacks = {p for p in b - a if not any(p.startswith(m) for m in host_only)}
if lacks:
    errors.append("fields a single-host run has and MPI lacks: %s" % lacks)
if extra:
    errors.append("MPI fields beyond the optional ones: %s" % extra)
PY
then
	pass "aggregate bytes, verification, barrier timing, straggler, schema"
else
	fail "results.json and report.md of the MPI run"
fi
finish
