#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# profile and flame run perf, which writes only in iobench's scratch
# directory: (1) nothing under $HOME (no ~/.debug build-id cache) after a
# flame graph and a profiled sweep; (2) each perf process runs with HOME
# and TMPDIR inside --dir and records with --no-buildid-cache, and when
# iobench is killed while `perf script` runs, nothing is left in /tmp
# (perf is stopped with SIGINT, on which it removes its copy of the vDSO).
# (2) runs with the argument "killed", in a private mount namespace with
# its own /tmp (root; skipped elsewhere).
set -u
. "$(dirname "$0")/lib.sh"
need_perf

mkdir -p "$T/home" "$T/dir"
export HOME=$T/home

# (1)
nothing_under_home() {
	"$IOBENCH" flame rw --size 1M --seconds 0.3 --dir "$T/dir" \
		--out "$T/rw.svg" --quiet >"$T/stdout" 2>"$T/stderr" ||
		{ cat "$T/stderr" >&2; die "flame: exit $?"; }
	"$IOBENCH" profile --sizes 1M --strategies rw --cache warm --samples 6 \
		--budget 0.2 --no-limits --reference none --dir "$T/dir" \
		--out "$T/out" --quiet >"$T/stdout" 2>"$T/stderr" ||
		{ cat "$T/stderr" >&2; die "profile: exit $?"; }
	[ -z "$(ls -A "$T/home")" ] ||
		fail "perf wrote under HOME: $(find "$T/home" | head -n 5)"
	assert_no_scratch "$T/dir"
	[ "$fails" -eq 0 ] && pass "(1) nothing written under HOME"
	finish
}

# (2)
killed_during_perf_script() {
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null ||
		skip "a private /tmp needs root and unshare"
	# the binary runs from $T: a build under /tmp (a clone there) would
	# be hidden by the private /tmp mounted over it
	cp "$IOBENCH" "$T/iobench-copy" || die "cannot copy $IOBENCH"
	unshare -m bash -c '
	set -u
	mount --make-rprivate / && mount -t tmpfs tmpfs /tmp || exit 77
	"$0" flame rw --size 64M --seconds 3 --dir "$1" --out "$2/kill.svg" \
		--quiet >/dev/null 2>&1 &
	pid=$!
	# the environment and options of perf record are checked; the moment
	# `perf script` runs, iobench is killed
	p=$(/usr/bin/python3 - "$pid" "$1" <<"PY"
import os, signal, sys, time
pid, scratch = sys.argv[1], os.path.realpath(sys.argv[2])
deadline = time.time() + 120
seen_record = False
while time.time() < deadline:
    try:
        kids = open("/proc/%s/task/%s/children" % (pid, pid)).read().split()
    except OSError:
        sys.exit(3)
    for k in kids:
        try:
            cmd = open("/proc/%s/cmdline" % k, "rb").read().split(b"\0")
            env = dict(e.split(b"=", 1) for e in
                       open("/proc/%s/environ" % k, "rb").read().split(b"\0")
                       if b"=" in e)
        except OSError:
            continue
        if cmd[:2] == [b"perf", b"record"] and not seen_record:
            seen_record = True
            for var in (b"HOME", b"TMPDIR"):
                v = os.path.realpath(env.get(var, b"").decode())
                if not v.startswith(scratch + "/"):
                    print("perf record: %s is %s" % (var.decode(), v),
                          file=sys.stderr)
                    sys.exit(1)
            if b"--no-buildid-cache" not in cmd:
                print("perf record without --no-buildid-cache",
                      file=sys.stderr)
                sys.exit(1)
        if cmd[:2] == [b"perf", b"script"]:
            time.sleep(0.015)
            os.kill(int(pid), signal.SIGKILL)
            print(k)
            sys.exit(0 if seen_record else 1)
    time.sleep(0.001)
sys.exit(3)
PY
) || { echo "perf record or perf script not as expected"; exit 3; }
	while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
	left=$(ls -A /tmp)
	[ -z "$left" ] || { echo "left in /tmp: $left"; exit 1; }
	exit 0' "$T/iobench-copy" "$T/dir" "$T"
	rc=$?
	[ "$rc" -eq 77 ] && skip "no private /tmp here (mount namespace refused)"
	[ "$rc" -eq 0 ] || die "(2) killed during perf script: exit $rc"
	pass "(2) perf in the scratch directory; killed during perf script: nothing left in /tmp"
	# the flame scratch directory it left is the next run's to remove
	"$IOBENCH" doctor --dir "$T/dir" >"$T/doctor" 2>&1
	grep -q 'removed stale scratch directory .*iobench-flame-' "$T/doctor" ||
		fail "(2) doctor did not remove the killed flame's scratch: $(grep scratch "$T/doctor")"
	assert_no_scratch "$T/dir"
	finish
}

if [ "${1:-}" = killed ]; then
	killed_during_perf_script
else
	nothing_under_home
fi
