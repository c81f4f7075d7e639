# SPDX-License-Identifier: MIT
# Shared by the fault-injection tests: a private directory, failure
# counting, tmpfs mounts undone at exit, and checks on results.json.
set -u
: "${IOBENCH:?IOBENCH must name the built iobench binary}"

T=$(mktemp -d "${TMPDIR:-/tmp}/iobench-faults-XXXXXX") || exit 1
MOUNTS=()
PIDS=()
fails=0

cleanup() {
	local m p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

pass() {
	echo "ok: $*"
}

# Last line of every test: its verdict and exit status.
finish() {
	if [ "$fails" -ne 0 ]; then
		echo "$fails check(s) failed"
		exit 1
	fi
	echo PASS
	exit 0
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# mount_tmpfs DIR OPTIONS: 0, or 1 when mounting is not permitted here.
mount_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null || return 1
	MOUNTS+=("$1")
}

# No scratch directory of iobench may survive a sweep.
assert_no_scratch() {
	local left
	left=$(find "$1" -maxdepth 1 -name 'iobench-??????' -type d | head -n 1)
	[ -z "$left" ] || fail "$2: scratch directory left behind: $left"
}

# check_json FILE PYTHON: runs PYTHON with r = the parsed results.json,
# run = r["run"] and cells = {strategy or "strategy size": cell}; an
# AssertionError fails.
check_json() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
cells = {}
run = r["run"]
for c in r["cells"]:
    p = c["parameters"]
    cells.setdefault(p["strategy"], c)
    cells["%s %d" % (p["strategy"], p["size"])] = c
exec(sys.argv[2])
PY
}

# A directory tree's names, sizes, modes and content hashes.
tree_sum() {
	(cd "$1" && find . -printf '%p %s %m %y %l\n' | sort &&
	 find . -type f -exec cksum {} + | sort)
}
