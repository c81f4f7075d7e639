#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every file iobench writes is created under a temporary name and renamed
# over its final name, in directories opened without following links: a
# symlink planted where an output goes is replaced, never written
# through, and the file it points at is unchanged. Planted at compare's
# outputs (compare.md, compare.json, plots/compare-change.dat/.gp/.svg)
# and, with the argument "flame" (needs perf), at a flame graph's --out;
# a symlinked OUT/baselines or OUT/plots directory is refused or not
# followed.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/dir" "$T/user/dir" "$T/user/dir3"
for f in md json dat gp svg flame; do
	echo "precious $f" >"$T/user/$f"
done
tree_sum "$T/user" >"$T/user.before"

if [ "${1:-}" = flame ]; then
	need_perf
	ln -s "$T/user/flame" "$T/flame.svg"
	"$IOBENCH" flame rw --size 1M --seconds 0.2 --dir "$T/dir" \
		--out "$T/flame.svg" --quiet >"$T/stdout" 2>"$T/stderr" ||
		{ cat "$T/stderr"; die "flame exit $?"; }
	[ -f "$T/flame.svg" ] && [ ! -L "$T/flame.svg" ] || fail "--out not replaced"
	tree_sum "$T/user" >"$T/user.after"
	cmp -s "$T/user.before" "$T/user.after" || fail "the link's target changed"
	[ "$fails" -eq 0 ] && pass "flame --out link replaced, its target unchanged"
	finish
fi

run_sweep() {
	"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
		--budget 0.1 --no-limits --reference none --dir "$T/dir" \
		--quiet "$@" >"$T/stdout" 2>"$T/stderr"
}

# two runs to compare
run_sweep --out "$T/r1" || { cat "$T/stderr"; die "first sweep"; }
run_sweep --out "$T/r2" || { cat "$T/stderr"; die "second sweep"; }

# (1) compare's outputs and plot files
before=$fails
mkdir -p "$T/cmp/plots"
ln -s "$T/user/md" "$T/cmp/compare.md"
ln -s "$T/user/json" "$T/cmp/compare.json"
for f in dat gp svg; do
	ln -s "$T/user/$f" "$T/cmp/plots/compare-change.$f"
done
"$IOBENCH" compare "$T/r1/latest" "$T/r2/latest" --out "$T/cmp" \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || { cat "$T/stderr"; fail "(1) compare exit $rc"; }
for f in compare.md compare.json plots/compare-change.dat plots/compare-change.gp; do
	[ -f "$T/cmp/$f" ] && [ ! -L "$T/cmp/$f" ] || fail "(1) $f is not a new regular file"
done
if command -v gnuplot >/dev/null; then
	[ -f "$T/cmp/plots/compare-change.svg" ] && [ ! -L "$T/cmp/plots/compare-change.svg" ] ||
		fail "(1) compare-change.svg is not a new regular file"
fi
tree_sum "$T/user" >"$T/user.after"
cmp -s "$T/user.before" "$T/user.after" ||
	{ diff "$T/user.before" "$T/user.after"; fail "(1) a file outside --out changed"; }
left=$(find "$T/cmp" -name '*.tmp.*' -o -name '.gnuplot-*' | head -n 3)
[ -z "$left" ] || fail "(1) temporary files left: $left"
[ "$fails" -eq "$before" ] && pass "(1) compare: planted links replaced, targets unchanged"

# (2) OUT/baselines as a symlink to a directory elsewhere: refused up front
before=$fails
mkdir -p "$T/r3"
ln -s "$T/user/dir" "$T/r3/baselines"
run_sweep --out "$T/r3" --save-baseline b1
rc=$?
[ "$rc" -eq 1 ] || fail "(2) exit $rc, expected 1"
grep -q 'baselines is a symlink' "$T/stderr" || fail "(2) message: $(cat "$T/stderr")"
[ -z "$(ls -A "$T/user/dir")" ] || fail "(2) wrote through the symlink: $(ls -A "$T/user/dir")"
[ "$fails" -eq "$before" ] && pass "(2) symlinked OUT/baselines refused, its target untouched"

# (3) compare --out whose plots/ is a symlink to a directory elsewhere
before=$fails
mkdir -p "$T/cmp2"
ln -s "$T/user/dir3" "$T/cmp2/plots"
"$IOBENCH" compare "$T/r1/latest" "$T/r2/latest" --out "$T/cmp2" \
	>"$T/stdout" 2>"$T/stderr"
[ -z "$(ls -A "$T/user/dir3")" ] || fail "(3) wrote through plots/: $(ls -A "$T/user/dir3")"
grep -q 'Plot skipped: cannot write' "$T/cmp2/compare.md" ||
	fail "(3) compare.md does not say why the plot is missing"
[ "$fails" -eq "$before" ] && pass "(3) symlinked plots/ not followed, said so in compare.md"

tree_sum "$T/user" >"$T/user.after"
cmp -s "$T/user.before" "$T/user.after" || fail "a file outside --out changed"
finish
