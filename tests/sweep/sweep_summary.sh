#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The end of a sweep: the summary on stdout (an aligned table and one line
# per size, as results.json's summary says), the report's path last,
# --export-markdown and --export-json against report.md and results.json,
# "-" keeping stdout for the export, and report.md's tables under 200
# characters a line.
set -u
. "$(dirname "$0")/lib.sh"

sweep() {
	"$IOBENCH" sweep --reference none --no-limits --sizes 4K,1M \
		--strategies rw,copy_file_range,sendfile --cache warm \
		--samples 6 --budget 1 --dir "$T/dir" "$@"
}

mkdir "$T/dir"
sweep --out "$T/out" --export-markdown "$T/summary.md" \
	--export-json "$T/summary.json" >"$T/stdout" 2>"$T/stderr" ||
	die "sweep exited $?: $(tail -n 3 "$T/stderr")"
report=$(tail -n 1 "$T/stdout")
[ -f "$report" ] || die "the last line of stdout is not the report: '$report'"
dir=$(dirname "$report")

check_py "$dir" "$T/stdout" "$T/summary.md" "$T/summary.json" <<'PY' ||
import json, sys

d, stdout, md_path, json_path = sys.argv[1:5]
r = json.load(open(d + "/results.json"))
out = open(stdout).read()

summary = r["summary"]
sizes = summary["sizes"]
check([s["name"] for s in sizes] == ["4K", "1M"], "sizes %r" % sizes)
# the table: a header, then a row per size naming the headline winner
head = out.splitlines()[0]
check(head.split()[:3] == ["size", "cache", "best"], "header %r" % head)
at = 0
for s in sizes:
    line = s["line"]
    check(line.startswith(s["name"] + ": "), "line %r" % line)
    where = out.find(line + "\n", at)
    check(where >= 0, "stdout lacks %r after offset %d" % (line, at))
    at = max(at, where)
    g = [g for g in s["groups"] if g["headline"]][0]
    best = [c["name"] for c in g["best_set"]]
    row = [l for l in out.splitlines() if l.startswith(s["name"] + " ")]
    check(row and all(b in row[0] for b in best),
          "%s: no table row naming %r: %r" % (s["name"], best, row))
    if g["winner_vs_rw"]:
        w = g["winner_vs_rw"]
        check(w["lo"] <= w["ratio"] <= w["hi"], "%s: CI %r" % (s["name"], w))
check("CIs are within-run" in out, "no within-run note")
check(summary["ci"] == "within-run", "summary ci %r" % summary["ci"])
# the last line before the path, the same words in results.json
said = [l for l in out.splitlines() if l]
check(summary.get("ci_line", "").startswith("CIs are within-run") and
      said[-2] == summary["ci_line"],
      "summary ci_line %r, stdout's %r" % (summary.get("ci_line"),
                                           said[-2:]))

# the exports
check(json.load(open(json_path)) == summary,
      "--export-json differs from results.json's summary")
rep = open(d + "/report.md").read()
section = rep[rep.index("## Executive summary"):]
section = section[:section.index("\n## ", 1) + 1]
check(open(md_path).read() == section,
      "--export-markdown differs from report.md's executive summary")
# GitHub-friendly tables
longest = max(len(l) for l in rep.splitlines() if l.startswith("|"))
check(longest < 200, "a table line of %d characters" % longest)
PY
	fail "summary and exports"

# --export-json -: stdout is the export alone; the path goes to stderr
sweep --out "$T/out2" --export-json - >"$T/stdout2" 2>"$T/stderr2" ||
	die "sweep --export-json - exited $?: $(tail -n 3 "$T/stderr2")"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))["sizes"]' \
	"$T/stdout2" || fail "stdout is not the summary JSON: $(head -c 300 "$T/stdout2")"
# (before the "done: ... took" line of the progress)
grep -q '/report\.md$' "$T/stderr2" ||
	fail "the report's path is not on stderr: $(tail -n 2 "$T/stderr2")"

# --quiet: only the path
sweep --out "$T/out3" --quiet >"$T/stdout3" 2>&1 || die "quiet sweep exited $?"
[ "$(wc -l <"$T/stdout3")" -eq 1 ] && [ -f "$(cat "$T/stdout3")" ] ||
	fail "--quiet printed more than the report's path: $(cat "$T/stdout3")"
finish
