#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Targets that cannot be written: (1) a read-only mount (cp: exit 2 naming
# the error, nothing created; sweep: refused, exit 1); (2) the --dir
# removed while a sweep runs (cells fail with the reason, results written,
# exit 2, nothing recreated); (3) RLIMIT_FSIZE below the file size: cp
# with every usable strategy fails with "File too large" (SIGXFSZ ignored)
# and removes its partial DST, a sweep cell fails while a smaller size
# completes (exit 3).
. "$(dirname "$0")/lib.sh"

head -c $((2 * 1048576 + 7)) /dev/urandom >"$T/src"

# (1) read-only target
if mount_tmpfs "$T/ro" ro; then
	before=$fails
	"$IOBENCH" cp -s rw "$T/src" "$T/ro/dst" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq 2 ] || fail "(1) cp: exit $rc, expected 2"
	grep -q 'Read-only file system' "$T/stderr" || fail "(1) cp: $(cat "$T/stderr")"
	"$IOBENCH" sweep --sizes 4K --strategies rw --dir "$T/ro" \
		--out "$T/out1" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "(1) sweep: exit $rc, expected 1"
	grep -q 'Read-only file system' "$T/stderr" || fail "(1) sweep: $(cat "$T/stderr")"
	[ ! -e "$T/out1" ] || fail "(1) sweep created --out"
	[ -z "$(ls -A "$T/ro")" ] || fail "(1) files appeared on the read-only mount"
	[ "$fails" -eq "$before" ] && pass "(1) read-only target: cp exit 2, sweep exit 1, nothing written"
else
	echo "note: (1) not run: mounting a tmpfs is not permitted here"
fi

# (2) --dir removed once the first source exists
mkdir "$T/gone"
sweep_until_source 1M "$T/gone" "$T/out2" 'src-0-*'
# the sweep keeps creating files while rm walks the tree: a pass can fail
# with "Directory not empty", so repeat until the directory is gone
for _ in $(seq 100); do
	rm -rf "$T/gone" 2>/dev/null
	[ -e "$T/gone" ] || break
done
wait "$sweep"
rc=$?
before=$fails
[ "$rc" -eq 2 ] || { cat "$T/stderr"; fail "(2) exit $rc, expected 2"; }
[ ! -e "$T/gone" ] || fail "(2) the removed --dir was recreated: $(find "$T/gone")"
check_json "$T/out2/latest/results.json" "
for s in ('rw', 'sendfile'):
    c = cells[s]
    assert c['status'] == 'failed', c['status']
    assert 'No such file or directory' in c['reason'], c['reason']
    print(s + ':', c['reason'])
" || fail "(2) results"
[ "$fails" -eq "$before" ] && pass "(2) --dir removed mid-sweep: cells failed with the reason, exit 2"

# (3) RLIMIT_FSIZE of 1 MiB; 2 MiB + 7 bytes to copy
usable=$("$IOBENCH" list --dir "$T" --json | /usr/bin/python3 -c '
import json, sys
print(" ".join(s["name"] for s in json.load(sys.stdin)["strategies"] if s["usable"]))')
for s in $usable; do
	(ulimit -f 1024; exec "$IOBENCH" cp -s "$s" "$T/src" "$T/dst") \
		>"$T/stdout" 2>"$T/stderr"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q 'File too large' "$T/stderr" &&
	   [ ! -e "$T/dst" ]; then
		pass "(3) cp -s $s over RLIMIT_FSIZE: exit 2, $(cat "$T/stderr")"
	else
		fail "(3) cp -s $s: exit $rc, $(cat "$T/stderr"), dst $(stat -c %s "$T/dst" 2>&1)"
	fi
	rm -f "$T/dst"
done
mkdir "$T/fsize"
(ulimit -f 1024; exec "$IOBENCH" sweep --sizes 4K,2M --strategies rw \
	--cache warm --samples 6 --budget 0.2 --dir "$T/fsize" \
	--out "$T/out3" --quiet) >"$T/stdout" 2>"$T/stderr"
rc=$?
before=$fails
[ "$rc" -eq 3 ] || { cat "$T/stderr"; fail "(3) sweep: exit $rc, expected 3"; }
[ -z "$(ls -A "$T/fsize")" ] || fail "(3) left in --dir: $(ls -A "$T/fsize")"
check_json "$T/out3/latest/results.json" "
assert cells['rw 4096']['status'] == 'ok'
c = cells['rw %d' % (2 << 20)]
assert c['status'] == 'failed', c['status']
assert 'File too large' in c['reason'], c['reason']
print('2M:', c['reason'])
" || fail "(3) sweep results"
[ "$fails" -eq "$before" ] && pass "(3) sweep over RLIMIT_FSIZE: the 2M cell failed, 4K ok, exit 3"
finish
