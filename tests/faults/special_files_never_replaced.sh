#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A file iobench writes is put in place by renaming a finished temporary
# over its name: over a device (/dev/null), a FIFO or a socket that would
# swap the user's special file for a regular one. Such a name is never
# replaced: a file the user names (--export-json, --export-markdown,
# flame --out) is refused before any work (exit 1, one line), and one
# planted under --out (a baseline) fails that write with the reason.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/dir" "$T/out/baselines"
mkfifo "$T/fifo"
specials=("$T/fifo")
if mknod -m 666 "$T/null" c 1 3 2>/dev/null; then
	specials+=("$T/null")
else
	echo "note: mknod refused: a character device is not checked"
fi
sweep=(sweep --sizes 4K -s rw --cache warm --samples 6 --no-limits
       --reference none -d "$T/dir" -o "$T/out" -q)

kind() { stat -c %F "$1"; }

for f in "${specials[@]}"; do
	before=$(kind "$f")
	for opt in --export-json --export-markdown; do
		timeout 120 "$IOBENCH" "${sweep[@]}" "$opt" "$f" \
			>"$T/stdout" 2>"$T/stderr"
		rc=$?
		[ "$rc" -eq 1 ] || fail "$opt $before: exit $rc, expected 1"
		grep -q "not a regular file" "$T/stderr" ||
			fail "$opt $before: $(cat "$T/stderr")"
		[ "$(kind "$f")" = "$before" ] ||
			fail "$opt replaced the $before with a $(kind "$f")"
		[ -z "$(ls -A "$T/out" | grep -v baselines)" ] ||
			fail "$opt $before: a run was made before the refusal"
	done
	timeout 120 "$IOBENCH" flame rw --size 1M --seconds 1 --out "$f" -q \
		>"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "flame --out $before: exit $rc, expected 1"
	[ "$(kind "$f")" = "$before" ] ||
		fail "flame --out replaced the $before"
done

# /dev/stdout names a link to a terminal or pipe: refused, "-" is stdout
timeout 120 "$IOBENCH" "${sweep[@]}" --export-json /dev/stdout \
	>"$T/stdout" 2>"$T/stderr"
[ $? -eq 1 ] || fail "--export-json /dev/stdout was not refused"
[ -L /dev/stdout ] || fail "/dev/stdout is no longer a link"

# a FIFO planted where --save-baseline writes: the write fails, the
# FIFO stays, the run's results are kept and where they are is said
mkfifo "$T/out/baselines/main.json"
timeout 300 "$IOBENCH" "${sweep[@]}" --save-baseline main \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -ne 0 ] || fail "a baseline over a FIFO: exit 0"
[ -p "$T/out/baselines/main.json" ] ||
	fail "the planted FIFO was replaced by $(kind "$T/out/baselines/main.json")"
ls "$T"/out/*/results.json >/dev/null 2>&1 || fail "the run's results were lost"
grep -q "baselines/main.json: File exists (the measurements are in " "$T/stderr" ||
	fail "the failed baseline write is not said: $(cat "$T/stderr")"
finish
