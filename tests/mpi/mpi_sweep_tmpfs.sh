#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sweep --mpi on a tmpfs made by the test: --mpi-layout shared (each of 4
# ranks copies its range of the same files, odd sizes and 0 bytes
# included), and a file per process with --stonewall (no rank starts a
# file after it; what each copied is counted).
set -u
. "$(dirname "$0")/lib.sh"
need_mpi
mount_tmpfs "$T/tmpfs" size=512m ||
	skip "mounting a tmpfs is not permitted here (needs root)"

mpi_sweep 4 --mpi-layout shared --sizes 0,1M,5000001 \
	--strategies rw,copy_file_range,sendfile --cache warm --samples 6 \
	--budget 3 --dir "$T/tmpfs" --out "$T/out-shared"
[ "$rc" -eq 0 ] || { cat "$T/stderr"; die "shared layout: exit $rc"; }
pass "--mpi-layout shared on tmpfs (exit 0)"
assert_no_scratch "$T/tmpfs" "shared layout"

mpi_sweep 3 --stonewall 0.02 --sizes 256K --strategies rw --cache warm \
	--samples 6 --budget 3 --dir "$T/tmpfs" --out "$T/out-wall"
[ "$rc" -eq 0 ] || { cat "$T/stderr"; die "--stonewall: exit $rc"; }
pass "--stonewall 0.02 on tmpfs (exit 0)"
assert_no_scratch "$T/tmpfs" "stonewall"

if check_py "$T/out-shared/latest/results.json" \
	"$T/out-wall/latest/results.json" <<'PY'
import json, sys

shared = json.load(open(sys.argv[1]))
wall = json.load(open(sys.argv[2]))

assert shared["request"]["mpi"]["layout"] == "shared"
assert all(h["fs_type"] == "tmpfs" for h in shared["environment"]["hosts"])
assert len(shared["cells"]) == 9, len(shared["cells"])
for c in shared["cells"]:
    p = c["parameters"]
    k, size = p["batch"], p["size"]
    name = "%s %d" % (p["strategy"], size)
    if c["status"] != "ok" or p["ranks"] != 4 or p["parallel"] != "ranges":
        errors.append("%s: %s %s" % (name, c["status"], c["reason"]))
        continue
    # a shared file counts once, verified when every range matched
    if c["copies_verified"] < len(c["samples"]) * k:
        errors.append("%s: %d verified" % (name, c["copies_verified"]))
    for s in c["samples"]:
        pr = s["per_rank"]
        # the ranges of each file add up to it, every rank a share
        if sum(r["bytes"] for r in pr) != k * size or \
           any(r["files"] != k for r in pr):
            errors.append("%s: ranges %s" % (name, pr))
        if size >= 1 << 20 and any(r["bytes"] == 0 for r in pr):
            errors.append("%s: a rank copied nothing: %s" % (name, pr))

c = wall["cells"][0]
k, size = c["parameters"]["batch"], c["parameters"]["size"]
assert wall["request"]["mpi"]["stonewall"] == 0.02
walled = [s for s in c["samples"] if "copies" in s]
if c["status"] != "ok" or not walled:
    errors.append("stonewall: %s, %d of %d samples cut" %
               (c["status"], len(walled), len(c["samples"])))
for s in walled:
    pr = s["per_rank"]
    done = sum(r["bytes"] for r in pr) / size
    if abs(s["copies"] - done) > 1e-9 or s["copies"] >= 3 * k or \
       any(r["bytes"] != r["files"] * size for r in pr):
        errors.append("stonewall: copies %g, per rank %s, batch %d" %
                   (s["copies"], pr, k))
PY
then
	pass "ranges add up per file; a stonewall counts what each rank copied"
else
	fail "results.json of the tmpfs runs"
fi
finish
