# SPDX-License-Identifier: MIT
# This folder's tests use the shared test library, plus a baseline to
# corrupt or replace.
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
