# SPDX-License-Identifier: MIT
# Shared by the sweep tests: a private scratch area (on disk, so cold-cache
# cells are meaningful), failure reporting and mount clean-up.
: "${IOBENCH:?IOBENCH must name the built iobench binary}"

# Disk-backed: /var/tmp, unless TMPDIR says otherwise.
T=$(mktemp -d "${TMPDIR:-/var/tmp}/iobench-sweep-test-XXXXXX") || exit 1
MOUNTS=()

cleanup() {
	local m
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# mount_tmpfs DIR OPTIONS: 0, or 1 when mounting is not permitted here.
mount_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null || return 1
	MOUNTS+=("$1")
}

# No scratch directory may survive a sweep.
assert_no_scratch() {
	local left
	left=$(find "$1" -maxdepth 1 -name 'iobench-*' | head -n 1)
	[ -z "$left" ] || fail "scratch directory left behind: $left"
}

# expect_bad_sweep OUT WANT ARGS...: `iobench sweep --samples 6 --out OUT
# ARGS` prints one "iobench: sweep: " line containing WANT, exits 1 and
# creates nothing: no OUT, nothing in $T/dir (which must exist).
expect_bad_sweep() {
	local out=$1 want=$2 rc lines
	shift 2
	"$IOBENCH" sweep --samples 6 --out "$out" "$@" \
		>"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$*: exit $rc, expected 1"
	lines=$(wc -l <"$T/stderr")
	[ "$lines" -eq 1 ] || { cat "$T/stderr" >&2; fail "$*: $lines lines on stderr"; }
	grep -q '^iobench: sweep: ' "$T/stderr" || fail "$*: $(cat "$T/stderr")"
	grep -qF -- "$want" "$T/stderr" ||
		fail "$*: stderr lacks '$want': $(cat "$T/stderr")"
	[ ! -s "$T/stdout" ] || fail "$*: printed on stdout"
	[ ! -e "$out" ] || fail "$*: created --out"
	[ -z "$(ls -A "$T/dir")" ] || fail "$*: created files in --dir"
	echo "ok: $* -> $(cat "$T/stderr")"
}
