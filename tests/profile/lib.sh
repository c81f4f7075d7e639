# SPDX-License-Identifier: MIT
# Shared by the profile tests: a private scratch area on disk, failure
# reporting, and the skip for machines without perf.
: "${IOBENCH:?IOBENCH must name the built iobench binary}"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"

T=$(mktemp -d "${TMPDIR:-/var/tmp}/iobench-profile-test-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

need_perf() {
	command -v perf >/dev/null ||
		skip "perf is not installed (apt-get install linux-perf)"
}

# No scratch directory may survive a run.
assert_no_scratch() {
	local left
	left=$(find "$1" -maxdepth 1 -name 'iobench-*' | head -n 1)
	[ -z "$left" ] || fail "scratch directory left behind: $left"
}
