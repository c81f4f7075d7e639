# SPDX-License-Identifier: MIT
# This folder's tests use the shared test library, plus a baseline to
# corrupt or replace, and a sweep to act on while it runs.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# good_baseline: a small sweep saved as baseline `good` in $T/res (its
# scratch in $T/dir), its file in $good; the test dies when it cannot.
good_baseline() {
	mkdir -p "$T/dir" "$T/res"
	"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
		--budget 0.1 --no-limits --reference none --dir "$T/dir" \
		--out "$T/res" --quiet --save-baseline good >/dev/null \
		2>"$T/stderr" ||
		{ cat "$T/stderr"; die "cannot make a baseline"; }
	good=$T/res/baselines/good.json
}

# sweep_until_source SIZES DIR OUT SRC: starts a sweep of rw and sendfile,
# warm, long enough to act on while it runs (1000 samples, 2 s a cell;
# no limits: the sources come right after the plan;
# scratch in DIR, results in OUT, output in $T/stdout and $T/stderr) in
# the background, its pid in $sweep (killed at exit); returns once a
# source file DIR/iobench-*/data-*/SRC exists or the sweep has ended.
sweep_until_source() {
	"$IOBENCH" sweep --sizes "$1" --strategies rw,sendfile --cache warm \
		--samples 1000 --budget 2 --no-limits --dir "$2" --out "$3" \
		--quiet >"$T/stdout" 2>"$T/stderr" &
	sweep=$!
	PIDS+=("$sweep")
	while kill -0 "$sweep" 2>/dev/null &&
	      ! compgen -G "$2/iobench-*/data-*/$4" >/dev/null; do
		sleep 0.01
	done
}
