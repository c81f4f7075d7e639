#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench sweep --dataset: a histogram file (empty files, three size
# classes, sparse files) is materialized in the scratch directory and
# copied by rw and copy_file_range, warm and cold, as the whole dataset
# and one tree per size class: every cell verified, results.json and
# report.md describe the dataset, nothing is left behind. The same seed
# gives the same dataset, another seed another one. A named dataset
# scaled down runs too. Then bad input: exit 1, one line, nothing created.
set -u
. "$(dirname "$0")/lib.sh"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"

mkdir -p "$T/dir"
H="$T/hist.txt"
cat >"$H" <<'EOF'
# a small tree: empty files, small and medium ones, two sparse images
name small-tree
0       0     3
1       4K    40        # log-uniform between 1 byte and 4 KiB
4K      64K   20
2M      2     sparse
EOF

timeout 300 "$IOBENCH" sweep --dataset "$H" --seed 42 \
	--strategies rw,copy_file_range --cache warm,cold --no-limits \
	--samples 6 --budget 1 --dir "$T/dir" --out "$T/out" \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "exit $rc, expected 0"; }
assert_no_scratch "$T/dir"
grep -q '^dataset: small-tree, seed 42: 65 files in .* directories, .* (.* data, holes elsewhere); 4 trees (all 65 files, <4K 43 files, 4K-64K 20 files, 1M-16M 2 files)' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "no dataset line on stderr"; }
grep -q 'ok, .* samples of the tree (43 files)' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "progress does not name the class tree"; }
run=$(readlink "$T/out/latest") || fail "no OUT/latest symlink"

check_py "$T/out/$run" "$H" <<'PY' || fail "results check"
import json, os, sys

d, hist = sys.argv[1], sys.argv[2]
r = json.load(open(d + "/results.json"))

q = r["request"]
ds = q.get("dataset")
check(ds is not None, "request.dataset missing")
ds = ds or {}
check(ds.get("arg") == hist, "dataset.arg %r" % ds.get("arg"))
check(ds.get("name") == "small-tree", "dataset.name %r" % ds.get("name"))
check(ds.get("files") == 65, "dataset.files %r" % ds.get("files"))
check(ds.get("empty_files") == 3, "dataset.empty_files %r" %
      ds.get("empty_files"))
check(0 < ds.get("data_bytes", 0) < ds.get("bytes", 0),
      "sparse images: data_bytes %r of %r" % (ds.get("data_bytes"),
                                              ds.get("bytes")))
classes = {c["class"]: c for c in ds.get("classes", [])}
check(classes.get("<4K", {}).get("files") == 43, "<4K: %r" % classes.get("<4K"))
check(classes.get("4K-64K", {}).get("files") == 20, "4K-64K")
check(classes.get("1M-16M", {}).get("files") == 2, "1M-16M")
check(sum(b["files"] for b in ds.get("bins", [])) == 65, "bins")
trees = ds.get("trees", [])
check([t["class"] for t in trees] == ["all", "<4K", "4K-64K", "1M-16M"],
      "trees %r" % trees)
sizes = sorted(t["size"] for t in trees)
check(q["sizes"] == sizes, "request.sizes %r, expected %r" % (q["sizes"],
                                                              sizes))
check(trees and trees[0]["size"] == ds.get("bytes"), "the whole tree's size")
check(sum(t["size"] for t in trees[1:]) == ds.get("bytes"),
      "the classes add up to the whole")
files_of = {t["size"]: t["files"] for t in trees}
measured = 0
for c in r["cells"]:
    p = c["parameters"]
    name = "%s %s %s" % (p["strategy"], p["cache"], p["size"])
    if p["strategy"].startswith("ref:"):
        check(c["status"] == "skipped" and "--dataset" in c["reason"],
              name + ": reference tool not skipped with --dataset")
        continue
    if not check_ran(c, name):
        continue
    measured += 1
    check(p["size"] in files_of, name + ": not a tree's size")
    check(p["batch"] == 1, name + ": batch %d (one tree)" % p["batch"])
    check(c["verified"], name + ": not verified")
    # every sample copies the whole tree, warm-up included
    n = files_of.get(p["size"], 0)
    check(c["copies_verified"] >= n * (len(c["samples"]) + 1),
          "%s: %d copies verified" % (name, c["copies_verified"]))
check(measured == 16, "%d measured cells, expected 16" % measured)

rep = open(d + "/report.md").read()
for want in ["copying the dataset small-tree (65 files, ",
             "## Dataset small-tree\n",
             "`--dataset %s`, seed 42: 65 files in " % hist,
             "| <4K | 43 | ", "| 4K-64K | 20 | ", "| 1M-16M | 2 | ",
             "| all | 65 | 100% | ",
             "### Results per size class",
             "## Dataset small-tree <4K (43 files, ",
             "## Dataset small-tree (65 files, ",
             "--dataset %s" % hist]:
    check(want in rep, "report lacks %r" % want)
repro = rep.split("## Reproduce")[1].split("```sh")[2]
check("--sizes" not in repro and "--content" not in repro,
      "the reproduce command names --sizes or --content")
if os.path.exists(d + "/plots/dataset-sizes.svg"):
    check("(plots/dataset-sizes.svg)" in rep, "size plot not embedded")
    check(os.path.exists(d + "/plots/dataset-classes-warm.svg"),
          "no per-class plot")
else:
    check("Plot skipped:" in rep, "neither a plot nor why it is missing")
PY

check_schema "$T/out/$run/results.json"

# the same seed, the same dataset; another seed, another one
digest() {
	/usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))["request"]["dataset"]
print(d["bytes"], d["data_bytes"], d["median"], d["bins"], d["trees"])' "$1"
}
quick_sweep() { # OUT SEED
	timeout 120 "$IOBENCH" sweep --dataset "$H" --seed "$2" \
		--strategies rw --cache warm --no-limits --samples 6 \
		--budget 0.5 --dir "$T/dir" --out "$1" -q \
		>"$T/stdout" 2>"$T/stderr" ||
		{ cat "$T/stderr" >&2; fail "seed $2 run failed"; }
}
quick_sweep "$T/out2" 42
[ "$(digest "$T/out/latest/results.json")" = \
  "$(digest "$T/out2/latest/results.json")" ] ||
	fail "the same seed gave another dataset"
quick_sweep "$T/out3" 43
[ "$(digest "$T/out/latest/results.json")" != \
  "$(digest "$T/out3/latest/results.json")" ] ||
	fail "another seed gave the same dataset"

# a named dataset, scaled down: one class, so one tree
timeout 120 "$IOBENCH" sweep --dataset vm-images:total=40M --strategies rw \
	--cache cold --no-limits --samples 6 --budget 0.5 --dir "$T/dir" \
	--out "$T/out4" \
	>"$T/stdout" 2>"$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "vm-images run failed"; }
grep -q '^dataset: vm-images, seed 42: 1 file in 0 directories, .* data, holes elsewhere); 1 tree (all 1 file)' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "vm-images: no dataset line"; }
grep -q '"status": "ok"' "$T/out4/latest/results.json" ||
	fail "vm-images: no cell measured"
assert_no_scratch "$T/dir"

# bad input: one line, exit 1, nothing created
expect_bad() {
	expect_bad_sweep "$T/bad-out" "$1" --dir "$T/dir" "${@:2}"
}
printf '4K 10\n1M 1M2 3\n' >"$T/bad.txt"
expect_bad "--dataset $T/bad.txt:2: '1M2': unknown unit" --dataset "$T/bad.txt"
expect_bad "'nosuch': unknown dataset (source-tree, photos, vm-images, mixed" \
	--dataset nosuch
expect_bad "$T/missing.txt: No such file or directory" \
	--dataset "$T/missing.txt"
expect_bad "source-tree:files=0: '0': must be at least 1" \
	--dataset source-tree:files=0
expect_bad "--dataset and --sizes are exclusive" --dataset photos --sizes 4K
expect_bad "--dataset and --source are exclusive" --dataset photos \
	--source "$T"
expect_bad "--dataset and --content are exclusive" --dataset photos \
	--content zeros
echo PASS
