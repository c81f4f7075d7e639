#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Outputs on a full --out: results.json (the measurements) is written
# first, every file is written whole or not at all. (1) The disk fills up
# while the plots are drawn (a gnuplot wrapper fills the tmpfs first):
# exit 2 naming report.md and where results.json is; results.json is
# there and complete; no cut-off plot, no temporary file; latest does not
# move. (2) gnuplot "succeeds" but leaves one image cut short (as it does
# on ENOSPC): that image is not published, report.md says why, the other
# plots are there.
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || skip "gnuplot is not installed"
mount_tmpfs "$T/full" size=2m || skip "mounting a tmpfs is not permitted here"
real=$(command -v gnuplot)
mkdir -p "$T/dir" "$T/bin"

run_sweep() {
	PATH="$T/bin:$PATH" "$IOBENCH" sweep --sizes 4K,64K --strategies rw \
		--cache warm,cold --samples 6 --budget 0.1 --no-limits \
		--reference none --dir "$T/dir" --quiet "$@" \
		>"$T/stdout" 2>"$T/stderr"
}

# (1)
{
	before=$fails
	cat >"$T/bin/gnuplot" <<EOF
#!/bin/sh
dd if=/dev/zero of="$T/full/filler" bs=4k >/dev/null 2>&1
exec "$real" "\$@"
EOF
	chmod +x "$T/bin/gnuplot"
	run_sweep --out "$T/full"
	rc=$?
	[ "$rc" -eq 2 ] || { cat "$T/stderr"; fail "(1) exit $rc, expected 2"; }
	grep -q 'report.md: No space left on device (the measurements are in .*/results.json)' \
		"$T/stderr" || fail "(1) stderr: $(cat "$T/stderr")"
	json=$(find "$T/full" -name results.json | head -n 1)
	[ -n "$json" ] || fail "(1) results.json was lost"
	[ -n "$json" ] && { check_json "$json" "
assert len(r['cells']) == 4 and all(c['status'] == 'ok' for c in r['cells'])
" || fail "(1) results.json incomplete"; }
	left=$(find "$T/full" -name '*.tmp.*' -o -name '.gnuplot-*' -o -name 'report.md' | head -n 3)
	[ -z "$left" ] || fail "(1) partial files left: $left"
	for svg in $(find "$T/full" -name '*.svg'); do
		tail -c 20 "$svg" | grep -q '</svg>' || fail "(1) cut-off $svg"
	done
	[ ! -e "$T/full/latest" ] || fail "(1) latest points at a run without its report"
	[ "$fails" -eq "$before" ] &&
		pass "(1) --out full while plotting: exit 2, results.json kept, nothing cut off"
}

# (2)
before=$fails
cat >"$T/bin/gnuplot" <<EOF
#!/bin/sh
"$real" "\$@" || exit
head -c 300 page-cache.svg >cut && mv cut page-cache.svg
EOF
chmod +x "$T/bin/gnuplot"
run_sweep --out "$T/out2"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr"; fail "(2) exit $rc"; }
plots=$T/out2/latest/plots
[ ! -e "$plots/page-cache.svg" ] || fail "(2) the cut-off page-cache.svg was published"
[ -f "$plots/throughput-warm.svg" ] || fail "(2) the other plots are missing"
grep -q "page-cache.svg: gnuplot's image is cut short" "$T/out2/latest/report.md" ||
	fail "(2) report.md does not say why page-cache.svg is missing"
grep -q 'page-cache.svg)' "$T/out2/latest/report.md" &&
	fail "(2) report.md embeds the missing page-cache.svg"
[ "$fails" -eq "$before" ] && pass "(2) a cut-off image is not published, report says why"
finish
