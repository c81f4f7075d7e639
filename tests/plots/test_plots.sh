#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Limits, references and plots in a real sweep: machine limits (memcpy above every warm copy,
# device ceilings measured, no share above 100% without its explanation,
# O_DIRECT figures or their reason), reference-tool rows (cp, dd, rsync)
# run and verified like cells, gnuplot plots as valid SVG linked from
# report.md, the report without gnuplot, the compare plot, and the
# options' bad input.
: "${RENDER:?RENDER must name the test render helper}"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"
# T is disk-backed, so cold cells and O_DIRECT are meaningful
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3

mkdir "$T/dir"

# ---- bad input: exit 1, nothing created ----
"$IOBENCH" sweep --reference cpio --dir "$T/dir" --out "$T/bad" \
	>/dev/null 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] || die "--reference cpio: exit $rc, expected 1"
grep -q "unknown tool 'cpio'" "$T/err" || die "no clear error: $(cat "$T/err")"
"$IOBENCH" sweep --reference cp,cp --dir "$T/dir" --out "$T/bad" \
	>/dev/null 2>"$T/err"
[ $? -eq 1 ] || die "--reference cp,cp accepted"
[ -e "$T/bad" ] && die "bad input created $T/bad"

# ---- a small sweep with limits and every reference tool ----
"$IOBENCH" sweep --sizes 64K,1M --strategies rw,copy_file_range \
	--cache warm,cold --samples 6 --budget 1 --dir "$T/dir" \
	--out "$T/out" --reference cp,dd,rsync \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; die "sweep exit $rc"; }
# the seconds the limits take are said before the plan, and counted
grep -qxF "limits: measuring the ceilings of $T/dir first (--no-limits skips them)" \
	"$T/stderr" || fail "no limits line before the plan: $(head -n 3 "$T/stderr")"
[ "$(grep -n -m1 '^limits: ' "$T/stderr" | cut -d: -f1)" = 1 ] &&
	grep -q '^planned: ' "$T/stderr" ||
	fail "the limits line is not the first, before the plan: $(head -n 3 "$T/stderr")"
grep -Eq '^done: .* after the limits. [0-9.]+ (s|ms)\)$' "$T/stderr" ||
	fail "the last line does not give the limits' time: $(tail -n 1 "$T/stderr")"
run=$T/out/$(readlink "$T/out/latest")
[ -f "$run/report.md" ] || die "no report.md in $run"

$PY - "$run" "$SOURCE_ROOT" <<'PY' || die "limits / reference checks"
import json, math, sys

d = sys.argv[1]
r = json.load(open(d + "/results.json"))
report = open(d + "/report.md").read()
errors = []
def check(ok, what):
    if not ok:
        errors.append(what)

lim = r.get("limits")
check(isinstance(lim, dict), "results.json has no limits")
lim = lim or {"memcpy": [], "direct": {}}
check(r["request"].get("limits") is True, "request.limits not true")
check(r["request"].get("references") == ["cp", "dd", "rsync"],
      "request.references is %r" % r["request"].get("references"))
mem = lim["memcpy"]
check(len(mem) >= 2, "memcpy measured for %d sizes, expected 2" % len(mem))
for m in mem:
    check(m["mib_s"] and m["mib_s"] > 100,
          "implausible memcpy %r MiB/s" % m["mib_s"])
def ceiling(size):
    ws = min(max(size, 4096), 64 << 20)
    v = [m["mib_s"] for m in mem if m["size"] == ws]
    return max(v) if v else None

direct = lim["direct"]
if direct.get("reason"):
    print("note: O_DIRECT n/a: " + direct["reason"])
else:
    for k in ("read_mib_s", "write_mib_s"):
        check(direct.get(k) and 1 < direct[k] < 1e6,
              "implausible O_DIRECT %s %r" % (k, direct.get(k)))
    check(direct.get("bytes", 0) >= 4 << 20, "O_DIRECT moved too little")

refs = {}
for c in r["cells"]:
    p = c["parameters"]
    name = "%s %d %s" % (p["strategy"], p["size"], p["cache"])
    if c["status"] != "ok":
        check(c["status"] == "skipped", name + ": " + c["status"] +
              " " + str(c.get("reason")))
        continue
    mib = c["estimates"]["throughput_mib_s"]["median"]
    check(mib and mib > 0, name + ": no throughput")
    if p["cache"] == "warm":
        cap = ceiling(p["size"])
        check(cap is not None, name + ": no memcpy figure for its size")
        if cap is not None:
            check(mib < cap, "%s: %.1f MiB/s not below memcpy %.1f" %
                  (name, mib, cap))
    if p["strategy"].startswith("ref:"):
        refs.setdefault(p["strategy"], []).append(c)
        check(c["verified"] and c["copies_verified"] > 0,
              name + ": not verified")
        # process start is inside the timed region: well under 5 GiB/s
        check(mib < 5120, "%s: %.0f MiB/s is implausible for a process "
              "per copy" % (name, mib))
        check(c["usage"]["user"] + c["usage"]["sys"] > 0,
              name + ": the tool's CPU time is missing")

for want in ("ref:cp", "ref:cp-reflink-never", "ref:dd", "ref:rsync"):
    check(len(refs.get(want, [])) == 4,
          "%s: %d ok cells, expected 2 sizes x 2 caches" %
          (want, len(refs.get(want, []))))
dd = refs.get("ref:dd", [])
check(all(c["parameters"]["tunables"]["buffer"] == 128 << 10 for c in dd),
      "ref:dd does not run with bs = the swept buffer")

try:
    import jsonschema
    schema = json.load(open(sys.argv[2] + "/tests/report/schema.json"))
    jsonschema.validate(r, schema)
except ImportError:
    print("note: python3-jsonschema missing: schema not checked")
except jsonschema.ValidationError as e:
    errors.append("results.json against schema.json: %s" % e.message)

check("## Limits" in report, "no Limits section")
check("| size | cache | best | MiB/s | limit | MiB/s | share |" in report,
      "no share-of-limit table")
check("Against the machine's limits" in report, "no per-size share")
# the cells' ceilings: measured like fio, and no share above 100% bare
ceil = lim.get("ceilings")
check(isinstance(ceil, dict), "limits.ceilings missing")
if isinstance(ceil, dict):
    for k in ("page_cache_read_mib_s", "page_cache_write_mib_s",
              "metadata_files_s"):
        check(ceil.get(k) and ceil[k] > 0, "ceiling %s: %r" % (k, ceil.get(k)))
    if ceil.get("device_read_mib_s") is not None:
        check(ceil["device_read_qd"] in (1, 8, 32), "device read QD")
    check("**Ceilings**" in report, "no ceilings table")
table = report.split("| size | cache | best | MiB/s | limit |")[1].split("\n\n")[0]
# a table that fits GitHub: the limit reasons are notes under the table
wide = [l for l in report.splitlines() if l.startswith("|") and len(l) >= 200]
check(not wide, "table lines of 200 characters or more: %r" % wide[:2])
for row in table.splitlines()[2:]:
    cols = [c.strip() for c in row.strip("|").split("|")]
    if len(cols) >= 8 and cols[6].endswith("%") and not cols[6].startswith("<"):
        if float(cols[6][:-1]) > 100:
            check(cols[7] != "", "share above 100%% without its "
                  "explanation: " + row)
check("## Reference tools" in report, "no Reference tools section")
check("include the tool's start-up" in report and
      "incl. start-up" in report, "the tools' start-up not stated")
check("| `ref:cp` |" in report and "| `ref:rsync` |" in report,
      "reference rows missing from the size tables")
check("Use `ref:" not in report, "a reference tool is recommended")
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
PY

# ---- plots: valid SVG files, each linked from report.md ----
if ! command -v gnuplot >/dev/null; then
	grep -q "Plots skipped: gnuplot is not on PATH" "$run/report.md" ||
		die "no gnuplot, and the report does not say plots were skipped"
	echo "SKIP: gnuplot not installed (scripts/setup installs gnuplot-nox)"
	exit 77
fi
command -v xmllint >/dev/null || skip "xmllint missing"
links=$(grep -o '](plots/[^)]*\.svg)' "$run/report.md" | sed 's/^](//; s/)$//')
for want in throughput-warm throughput-cold cpu-per-gib cold-vs-warm \
	    page-cache speedup-64K speedup-1M samples-64K samples-1M; do
	echo "$links" | grep -qx "plots/$want.svg" ||
		die "report.md does not embed plots/$want.svg"
done
for l in $links; do
	[ -s "$run/$l" ] || die "$l linked but missing"
	xmllint --noout "$run/$l" || die "$l is not valid XML"
	grep -q "<svg" "$run/$l" || die "$l is not SVG"
	b=${l%.svg}
	[ -s "$run/$b.dat" ] && [ -s "$run/$b.gp" ] ||
		die "$l: data file or script missing"
done
# GitHub shows images up to about 900 px wide unscaled
for l in $links; do
	w=$(sed -n 's/^ *width="\([0-9]*\)".*/\1/p' "$run/$l" | head -n 1)
	[ -n "$w" ] && [ "$w" -le 900 ] || fail "$l is ${w:-?} px wide"
done
# the speed-up plot: every strategy with a CI against rw; the strip plot:
# every sample (a dot each); cold vs warm with CIs
$PY - "$run" <<'PY' || fail "plot data"
import json, sys
d = sys.argv[1]
r = json.load(open(d + "/results.json"))
size = [s for s in r["summary"]["sizes"] if s["name"] == "1M"][0]
g = [g for g in size["groups"] if g["headline"]][0]
rows = [l.split() for l in open(d + "/plots/speedup-1M.dat") if l.strip()]
assert len(rows) == len(g["speedups_vs_rw"]), (rows, g["speedups_vs_rw"])
for row in rows:
    ratio, lo, hi = map(float, row[1:4])
    assert lo <= ratio <= hi, row
dots = open(d + "/plots/samples-1M.dat").read().split("\n\n")[0]
n = sum(len(r["cells"][s["cell"]]["samples"]) for s in g["speedups_vs_rw"])
assert len([l for l in dots.splitlines() if l.strip()]) == n, n
assert "errorbars" in open(d + "/plots/cold-vs-warm.gp").read()
PY
grep -q "throughput, MiB/s" "$run/plots/throughput-warm.svg" ||
	die "throughput plot has no y-axis label with units"
grep -q "ref:rsync" "$run/plots/throughput-warm.svg" ||
	die "throughput plot has no legend entry for the references"

# ---- without gnuplot: the report says the plots were skipped, and why ----
mkdir "$T/nognuplot"
PATH=/nonexistent "$RENDER" "$run/results.json" "$T/nognuplot" ||
	die "rendering without gnuplot failed"
grep -q "Plots skipped: gnuplot is not on PATH (install the gnuplot-nox" \
	"$T/nognuplot/report.md" || die "no skip note without gnuplot"
grep -q '](plots/' "$T/nognuplot/report.md" &&
	die "plots linked although gnuplot is missing"
[ -e "$T/nognuplot/plots" ] && die "plots/ created without gnuplot"
grep -q "## Limits" "$T/nognuplot/report.md" ||
	die "limits lost in the results.json round trip"

# ---- --no-limits --reference none, threads swept; compare's plot ----
"$IOBENCH" sweep --sizes 64K --strategies rw,copy_file_range --cache warm \
	--threads 1,2 --samples 6 --budget 1 --dir "$T/dir" --out "$T/out2" \
	--quiet --no-limits --reference none >/dev/null 2>"$T/stderr" ||
	{ cat "$T/stderr" >&2; die "--no-limits sweep failed"; }
run2=$T/out2/$(readlink "$T/out2/latest")
grep -q '](plots/thread-scaling.svg)' "$run2/report.md" ||
	die "threads swept, but no thread-scaling plot in report.md"
xmllint --noout "$run2/plots/thread-scaling.svg" ||
	die "thread-scaling.svg is not valid XML"
grep -q "copy_file_range by files" "$run2/plots/thread-scaling.svg" ||
	die "thread-scaling plot lacks its legend"
$PY - "$run2" <<'PY' || die "--no-limits / --reference none"
import json, sys
r = json.load(open(sys.argv[1] + "/results.json"))
assert r["limits"] is None, "limits measured under --no-limits"
assert not any(c["parameters"]["strategy"].startswith("ref:")
               for c in r["cells"]), "reference cells under none"
assert "Not measured in this run" in open(sys.argv[1] + "/report.md").read()
PY
"$IOBENCH" compare "$run/results.json" "$run2/results.json" -o "$T/cmp" \
	>/dev/null 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || { cat "$T/stderr" >&2; die "compare exit $rc"; }
grep -q '](plots/compare-change.svg)' "$T/cmp/compare.md" ||
	die "compare.md does not embed its plot"
xmllint --noout "$T/cmp/plots/compare-change.svg" ||
	die "compare-change.svg is not valid XML"
echo PASS
