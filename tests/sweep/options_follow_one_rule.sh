#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One rule for every option: numbers are decimal (a size, a count, seconds,
# compare's alpha and threshold: no hex, exponent or inf anywhere, since
# --sizes 0x10 is refused so is --budget 0x10); every list refuses a
# duplicate and an empty item (--cache warm,warm, --sync none,none,
# compare --ignore buffer,buffer); and, with the argument "progress"
# (a tmpfs mount, else skip), every finished cell gets its progress line,
# the failed ones included (cells whose files do not fit).
set -u
. "$(dirname "$0")/lib.sh"

# failed cells get a progress line: 16M does not fit a 20 MiB tmpfs
progress_of_failed_cells() {
	mount_tmpfs "$T/small" size=20m || skip "mounting a tmpfs is not permitted here"
	"$IOBENCH" sweep --sizes 4K,16M --strategies rw,sendfile --cache warm \
		--samples 6 --budget 0.1 --no-limits --reference none \
		--dir "$T/small" --out "$T/out-small" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq 3 ] || { cat "$T/stderr"; fail "small --dir: exit $rc, expected 3"; }
	for s in rw sendfile; do
		grep -Eq "^\[[0-9]/4\] 16M $s.*: failed: .*No space left on device" \
			"$T/stderr" || fail "no progress line for the failed 16M $s cell: $(cat "$T/stderr")"
	done
	[ "$(grep -c '^\[[0-9]/4\]' "$T/stderr")" -eq 4 ] ||
		fail "not one line per cell: $(cat "$T/stderr")"
	grep -q '^\[4/4\]' "$T/stderr" || fail "the last line is not [4/4]"
	[ "$fails" -eq 0 ] && pass "failed cells have their progress lines"
	finish
}

[ "${1:-}" = progress ] && progress_of_failed_cells

mkdir -p "$T/dir" "$T/empty"
expect_bad() {
	expect_bad_sweep "$T/out" "$@"
}
D=(--dir "$T/dir")
expect_bad "--sizes: '0x10'" "${D[@]}" --sizes 0x10
expect_bad "--budget: '0x10'" "${D[@]}" --budget 0x10
expect_bad "--timeout: '1e3'" "${D[@]}" --timeout 1e3
expect_bad "--budget: 'inf'" "${D[@]}" --budget inf
expect_bad "--samples: '0x10'" "${D[@]}" --samples 0x10
expect_bad "--cache: 'warm': listed twice" "${D[@]}" --cache warm,warm
expect_bad "--sync: 'none': listed twice" "${D[@]}" --sync none,none
expect_bad "--cache: 'cold,,warm': empty item" "${D[@]}" --cache cold,,warm

# compare: the same rules, refused before anything is read
for args in "--alpha 0x0.1" "--alpha 1e-3" "--threshold 0x3" \
	    "--threshold inf" "--ignore buffer,buffer" "--ignore buffer,,qd"; do
	# shellcheck disable=SC2086
	"$IOBENCH" compare $args "$T/empty" "$T/empty" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "compare $args: exit $rc, expected 1"
	grep -q -- "${args%% *}" "$T/stderr" || fail "compare $args: $(cat "$T/stderr")"
	echo "ok: compare $args -> $(cat "$T/stderr")"
done
"$IOBENCH" flame rw --seconds 0x1 --dir "$T/dir" >/dev/null 2>"$T/stderr"
[ $? -eq 1 ] || fail "flame --seconds 0x1 accepted"
finish
