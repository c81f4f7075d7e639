# SPDX-License-Identifier: MIT
# Shared by the cli test scripts: a scratch directory under /var/tmp,
# assertions that count failures, and run() capturing rc/stdout/stderr.
set -u

if [ -z "${IOBENCH:-}" ] || [ ! -x "$IOBENCH" ]; then
	echo "FAIL: IOBENCH is not set to the built iobench (run via meson test)"
	exit 1
fi

fails=0
TMP=$(mktemp -d "${TMPBASE:-/var/tmp}/iobench-cli.XXXXXX") || exit 1
cleanup_hooks=()
cleanup() {
	local h
	for h in "${cleanup_hooks[@]}"; do
		eval "$h"
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

pass() {
	echo "ok: $*"
}

skip() {
	echo "SKIP: $*"
}

# run CMD...: sets rc, out (stdout) and err (stderr)
run() {
	out=$("$@" 2>"$TMP/.stderr")
	rc=$?
	err=$(cat "$TMP/.stderr")
}

# expect_rc WANT DESCRIPTION: checks the last run()
expect_rc() {
	if [ "$rc" -eq "$1" ]; then
		pass "$2 (exit $rc)"
	else
		fail "$2: exit $rc, expected $1; stderr: $err"
	fi
}

# expect_err_line TEXT DESCRIPTION: stderr is exactly one line equal to TEXT
expect_err_line() {
	if [ "$err" = "$1" ]; then
		pass "$2"
	else
		fail "$2: stderr was [$err], expected [$1]"
	fi
}

# expect_err_has TEXT DESCRIPTION: stderr is one line containing TEXT
expect_err_has() {
	if [[ "$err" == *"$1"* ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then
		pass "$2"
	else
		fail "$2: stderr was [$err], expected one line with [$1]"
	fi
}

finish() {
	if [ "$fails" -ne 0 ]; then
		echo "$fails check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
