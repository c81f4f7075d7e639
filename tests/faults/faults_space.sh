#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Free space: (1) the disk fills up mid-sweep (another process takes all of
# a small tmpfs once the 8M sources appear): the 8M cells fail with "No
# space left on device", the 4K cells complete, exit 3, the scratch
# directory is removed and the other process's file is kept; (2) a sweep
# none of whose sizes fits is refused up front (exit 1, one line with the
# needed and available figures, nothing created); (3) a warm size over
# half of RAM is warned about, on stderr and in results.json.
. "$(dirname "$0")/lib.sh"

mount_tmpfs "$T/fs" size=40m || skip "mounting a tmpfs is not permitted here"
mkdir "$T/fs/dir"

# (1) another process fills the tmpfs once the first 8M source file is
# created, and keeps it full (taking back what the sweep frees) until the
# sweep ends; an 8M cell needs 2 s of successful samples to pass
sweep_until_source 4K,8M "$T/fs/dir" "$T/out1" 'src-1-*'
while kill -0 "$sweep" 2>/dev/null; do
	dd if=/dev/zero of="$T/fs/fill" bs=64k oflag=append conv=notrunc \
		2>/dev/null
	echo filled >"$T/filled"
done
wait "$sweep"
rc=$?
[ -e "$T/filled" ] || fail "(1) the filler never ran"
[ "$rc" -eq 3 ] || { cat "$T/stderr"; fail "(1) exit $rc, expected 3"; }
[ -z "$(ls -A "$T/fs/dir")" ] || fail "(1) left in --dir: $(ls -A "$T/fs/dir")"
[ -s "$T/fs/fill" ] || fail "(1) removed a file it did not create"
check_json "$T/out1/latest/results.json" "
for s in ('rw', 'sendfile'):
    small, big = cells['%s 4096' % s], cells['%s %d' % (s, 8 << 20)]
    assert small['status'] == 'ok', small['reason']
    assert big['status'] == 'failed', big['status']
    assert 'No space left on device' in big['reason'], big['reason']
    print(s, '8M:', big['reason'])
" && pass "(1) disk full mid-sweep: 8M cells failed with ENOSPC, 4K ok, exit 3"
rm -f "$T/fs/fill"

# (2) 16M needs ~32 MiB; the tmpfs has 40 MiB, 30 of them taken
head -c 30M /dev/zero >"$T/fs/taken"
before=$fails
"$IOBENCH" sweep --sizes 16M,64M --strategies rw --dir "$T/fs/dir" \
	--out "$T/out2" >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 1 ] || fail "(2) exit $rc, expected 1"
[ "$(wc -l <"$T/stderr")" -eq 1 ] || fail "(2) not one line: $(cat "$T/stderr")"
grep -Eq 'not enough free space: the smallest size needs 32\.[0-9] MiB, [0-9.]+ MiB available' \
	"$T/stderr" || fail "(2) message: $(cat "$T/stderr")"
[ ! -e "$T/out2" ] || fail "(2) created --out"
[ -z "$(ls -A "$T/fs/dir")" ] || fail "(2) created files in --dir"
[ "$fails" -eq "$before" ] && pass "(2) refused up front: $(cat "$T/stderr")"
rm -f "$T/fs/taken"

# (3) a size just over half of RAM, warm: warned (and it cannot fit the
# tmpfs, so its cell fails while 4K completes)
ram_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
big=$(( (ram_kb / 2 / 1048576 + 1) ))G
before=$fails
"$IOBENCH" sweep --sizes "4K,$big" --strategies rw --cache warm --samples 6 \
	--budget 0.2 --dir "$T/fs/dir" --out "$T/out3" >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 3 ] || { cat "$T/stderr"; fail "(3) exit $rc, expected 3"; }
grep -q "warning: warm-cache size $big is more than half of RAM" "$T/stderr" ||
	fail "(3) no RAM warning: $(cat "$T/stderr")"
grep -q "warning: size $big needs .* available: its cells will fail" \
	"$T/stderr" || fail "(3) no space warning"
check_json "$T/out3/latest/results.json" "
assert any('more than half of RAM' in w for w in run['warnings']), run['warnings']
" || fail "(3) warning not in results.json"
[ "$fails" -eq "$before" ] && pass "(3) $big warm on a machine with $((ram_kb / 1024)) MiB: warned"
finish
