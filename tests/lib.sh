# SPDX-License-Identifier: MIT
# The one shell library every test script sources (exit 77 = skip):
#   T          a private scratch directory on disk (TMPDIR, else /var/tmp),
#              removed at exit with every tmpfs mounted and process started
#              through the helpers below
#   fail MSG   a failed check: printed, counted; the test goes on and, at
#              exit, fails (exit 1) whatever it did after
#   die MSG    a failed check the rest depends on: exit 1 now
#   pass MSG   a passed check, printed
#   skip WHY   the whole test cannot run here: exit 77 (meson: SKIP)
#   finish     the last line: the verdict, exit 0 or 1
#   PRIVATE_MOUNTS=1 (set before sourcing)
#              the test runs in a private mount namespace
#   load_mark / other_cpus
#              the CPUs other processes kept busy since load_mark (for
#              timing checks that cannot hold on a busy machine)
#   wait_until SECONDS CMD...
#              CMD every 0.1 s until it succeeds or SECONDS have passed
# A check that cannot run in a test whose other checks can belongs in a
# test of its own, which skips: a skipped check never counts as passed.
set -u

# A test that sets PRIVATE_MOUNTS=1 before sourcing this library runs in
# a private mount namespace (where unshare can make one): its mounts and,
# through autoclear, their loop devices go away with it even if it is
# killed. The script starts again inside it, before anything is made.
if [ "${PRIVATE_MOUNTS:-0}" = 1 ] && [ -z "${IOBENCH_TEST_NS:-}" ] &&
	unshare --mount --propagation private true 2>/dev/null; then
	IOBENCH_TEST_NS=1 exec unshare --mount --propagation private \
		bash "$0" "$@"
fi

if [ -z "${IOBENCH:-}" ] || [ ! -x "$IOBENCH" ]; then
	echo "FAIL: IOBENCH is not set to the built iobench (run via meson test)"
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/var/tmp}/iobench-test-XXXXXX") || exit 1
TMP=$T
MOUNTS=()
PIDS=()
cleanup_hooks=()
fails=0

_iobench_test_exit() {
	local rc=$? m p h
	for h in "${cleanup_hooks[@]}"; do
		eval "$h"
	done
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	rm -rf "$T"
	# a counted failure fails the test, however the script ended
	if [ "$fails" -ne 0 ] && [ "$rc" -eq 0 ]; then
		echo "$fails check(s) failed"
		exit 1
	fi
	exit "$rc"
}
trap _iobench_test_exit EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

die() {
	echo "FAIL: $*"
	fails=$((fails + 1))
	exit 1
}

pass() {
	echo "ok: $*"
}

skip() {
	echo "SKIP: $*"
	exit 77
}

finish() {
	if [ "$fails" -ne 0 ]; then
		exit 1
	fi
	echo PASS
	exit 0
}

# load_mark: remembers the machine's busy CPU time and this shell's
# children's; other_cpus prints the CPUs others kept busy since, e.g. 1.87
_busy_jiffies() {
	local cpu user nice sys idle iowait irq softirq steal rest
	read -r cpu user nice sys idle iowait irq softirq steal rest </proc/stat
	echo $((user + nice + sys + irq + softirq + steal))
}
_own_jiffies() {
	local st
	read -ra st <"/proc/$BASHPID/stat"
	# cutime, cstime: fields 16 and 17 (comm "bash" has no spaces)
	echo $((st[15] + st[16]))
}
load_mark() {
	_load_t0=$(date +%s.%N) _load_b0=$(_busy_jiffies) _load_o0=$(_own_jiffies)
}
other_cpus() {
	local wall busy
	wall=$(echo "$(date +%s.%N) - $_load_t0" | bc)
	busy=$(($(_busy_jiffies) - _load_b0 - $(_own_jiffies) + _load_o0))
	echo "scale=2; $busy / $(getconf CLK_TCK) / $wall" | bc
}

# wait_until SECONDS CMD...: runs CMD every 0.1 s until it succeeds, for at
# most about SECONDS; CMD's last status (0: it came true in time).
wait_until() {
	local i tries=$(($1 * 10))
	shift
	for ((i = 1; i < tries; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# mount_tmpfs DIR OPTIONS: 0, or 1 when mounting is not permitted here.
mount_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null || return 1
	MOUNTS+=("$1")
}

# assert_no_scratch DIR [WHAT]: no iobench scratch directory survived.
assert_no_scratch() {
	local left
	left=$(find "$1" -maxdepth 1 -name 'iobench-*' -type d | head -n 1)
	[ -z "$left" ] || fail "${2:+$2: }scratch directory left behind: $left"
}

need_perf() {
	command -v perf >/dev/null ||
		skip "perf is not installed (apt-get install linux-perf)"
}

# run CMD...: sets rc, out (stdout) and err (stderr)
run() {
	out=$("$@" 2>"$T/.stderr")
	rc=$?
	err=$(cat "$T/.stderr")
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

# check_py ARGS... <<'PY' ... PY: runs the Python on stdin with
# sys.argv[1:] = ARGS and check(ok, what), which records a failure in the
# list `errors` (appended to directly too) and goes on, and
# check_ran(cell, name), check() that a results.json cell ran ("ok"),
# true when it did; exit 1 after listing every failure ("FAIL: what" on
# stderr), 0 when none.
check_py() {
	/usr/bin/python3 -c "import sys
errors = []
def check(ok, what):
    if not ok:
        errors.append(what)
def check_ran(cell, name):
    ran = cell['status'] == 'ok'
    check(ran, '%s: %s (%s)' % (name, cell['status'], cell.get('reason')))
    return ran
$(cat)
for e in errors:
    print('FAIL:', e, file=sys.stderr)
sys.exit(1 if errors else 0)" "$@"
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

# check_schema FILE: FILE against the versioned results schema
# (tests/report/schema.json); a mismatch fails, a missing
# python3-jsonschema is said (not a failure of the tool).
check_schema() {
	/usr/bin/python3 "$SOURCE_ROOT/tests/report/validate_schema.py" \
		"$SOURCE_ROOT/tests/report/schema.json" --files "$1"
	case $? in
	0) ;;
	77) echo "note: schema not checked: python3-jsonschema is not installed" ;;
	*) fail "$1 does not validate against tests/report/schema.json" ;;
	esac
}

# A directory tree's names, sizes, modes and content hashes.
tree_sum() {
	(cd "$1" && find . -printf '%p %s %m %y %l\n' | sort &&
	 find . -type f -exec cksum {} + | sort)
}
