#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --source: changes made to the tree during a run are found. A file added
# to the tree is reported after the run; a directory of the tree swapped
# for a symlink to an outside copy of it is never followed, neither by
# the copies nor by the check after the run (the outside files are never
# read: their old atimes stay), and the swap is reported.
set -u
. "$(dirname "$0")/lib.sh"

S=$T/tree
O=$T/outside
mkdir -p "$S/a" "$S/b" "$O" "$T/dir"
for i in 1 2 3; do head -c 300000 /dev/urandom >"$S/a/f$i"; done
head -c 5000 /dev/urandom >"$S/b/g1"
cp -p "$S"/a/f* "$O"/
sync

# wait_then SCRIPT: runs SCRIPT once the sweep's scratch directory exists
wait_then() {
	(
		for _ in $(seq 1 2000); do
			if compgen -G "$T/dir/iobench-*" >/dev/null; then
				sleep 0.3
				eval "$1"
				exit 0
			fi
			sleep 0.005
		done
		exit 1
	) &
	watcher=$!
}
# pause: each sample process waits 0.5 s first (untimed), so the run
# lasts a few seconds and the change lands in it
sweep() {
	IOBENCH_FAULT=pause:rw timeout 120 "$IOBENCH" sweep --source "$S" \
		--strategies rw \
		--cache warm --samples 6 --budget 2 --no-limits \
		--reference none --dir "$T/dir" --out "$T/out" \
		>"$T/stdout" 2>"$T/stderr"
}

wait_then 'head -c 10 /dev/urandom >"$S/b/new-file"'
sweep
rc=$?
wait "$watcher" || fail "the watcher never saw the run start"
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "added file: exit $rc"; }
grep -q 'changed during the run, 1 added; first: .*/b/new-file: added' \
	"$T/stderr" || { cat "$T/stderr" >&2; fail "the added file was not reported"; }
grep -q 'new-file: added' "$T/out/latest/report.md" ||
	fail "report.md does not name the added file"
rm -f "$S/b/new-file"

# old atimes: a read of the outside copies would move them
touch -a -d '2001-01-01 00:00:00' "$O"/f*
before=$(stat -c '%n %X' "$O"/f*)
# swapped atomically (renameat2 RENAME_EXCHANGE): the run never sees
# a missing directory, only the symlink
ln -s "$O" "$T/link"
wait_then '/usr/bin/python3 -c "
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 2):
    sys.exit(\"renameat2: %d\" % ctypes.get_errno())
" "$T/link" "$S/a"'
sweep
rc=$?
wait "$watcher" || fail "the watcher never saw the run start"
[ "$rc" -ne 124 ] || fail "the swapped directory hung the sweep"
after=$(stat -c '%n %X' "$O"/f*)
[ "$before" = "$after" ] ||
	fail "files outside the tree were read through the symlink: $after"
grep -q 'changed during the run.*a/f1: a symlink on its path' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "the swap was not reported"; }
/usr/bin/python3 - "$T/out/latest/results.json" <<'PY' || fail "results"
import json, sys
r = json.load(open(sys.argv[1]))
c = [c for c in r["cells"] if c["parameters"]["strategy"] == "rw"][0]
# copies after the swap fail rather than read outside the tree
assert c["status"] == "failed", (c["status"], c.get("reason"))
assert any(w in c["reason"] for w in ("symlink", "symbolic link")), \
    c["reason"]
PY
finish
