#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench device from the command line: bad input is one line and exit 1
# with nothing created; --file measures an existing file without writing
# to it or beside it; SIGINT and SIGTERM stop a run with partial results
# marked incomplete and the scratch directory removed.
set -u
. "$(dirname "$0")/lib.sh"

mkdir "$T/dir"

# expect_bad WANT ARGS...: one "iobench: device: " line with WANT, exit 1,
# nothing on stdout, nothing created in $T/dir or $T/out.
expect_bad() {
	local want=$1 rc lines before=$fails
	shift
	"$IOBENCH" device --out "$T/out" "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$*: exit $rc, expected 1"
	lines=$(wc -l <"$T/stderr")
	[ "$lines" -eq 1 ] || { cat "$T/stderr" >&2; fail "$*: $lines lines on stderr"; }
	grep -q '^iobench: device: ' "$T/stderr" || fail "$*: $(cat "$T/stderr")"
	grep -qF -- "$want" "$T/stderr" || fail "$*: stderr lacks '$want': $(cat "$T/stderr")"
	[ ! -s "$T/stdout" ] || fail "$*: printed on stdout"
	[ ! -e "$T/out" ] || fail "$*: created --out"
	[ -z "$(ls -A "$T/dir")" ] || fail "$*: created files in --dir"
	[ "$fails" -eq "$before" ] && pass "$* -> $(cat "$T/stderr")"
	rm -rf "$T/out"
}

expect_bad "No such file" --dir "$T/missing"
expect_bad "not a directory" --dir "$SOURCE_ROOT/README.md"
expect_bad "repeats" --dir "$T/dir" --repeats 0
expect_bad "not a job" --dir "$T/dir" --jobs read,seqread
expect_bad "multiples of 4K" --dir "$T/dir" --bs 1000
expect_bad "at least 16M" --dir "$T/dir" --size 1M
expect_bad "qd" --dir "$T/dir" --qd 0
expect_bad "needs a value" --dir "$T/dir" --runtime
expect_bad "unknown option" --dir "$T/dir" --frobnicate
expect_bad "do not go together" --dir "$T/dir" --file "$SOURCE_ROOT/README.md"
expect_bad "read and randread" --file "$SOURCE_ROOT/README.md" --jobs write
expect_bad "unexpected argument" --dir "$T/dir" extra

"$IOBENCH" device --help >"$T/help" || fail "--help: exit $?"
for opt in --dir --runtime --ramp --repeats --size --json --out --jobs \
	--bs --qd --rand-qd --cache-set --file --seed --quiet; do
	grep -q -- "$opt" "$T/help" || fail "--help does not mention $opt"
done
"$IOBENCH" --help | grep -q '^  device ' || fail "iobench --help lacks the verb"

# --file: read jobs on an existing file, which stays as it was, and
# nothing appears beside it
head -c 32M /dev/urandom >"$T/dir/data" || die "writing the data file"
sum=$(sha256sum <"$T/dir/data")
mtime=$(stat -c %Y.%y "$T/dir/data")
if ! have_io_uring; then
	echo "note: built without liburing: --file not checked"
elif "$IOBENCH" device --file "$T/dir/data" --jobs read,randread --bs 1M \
	--qd 32 --rand-qd 1 --runtime 0.2 --ramp 0.05 --repeats 2 \
	--out "$T/out" --json - >"$T/file.json" 2>"$T/stderr"; then
	[ "$sum" = "$(sha256sum <"$T/dir/data")" ] || fail "--file changed the file"
	[ "$mtime" = "$(stat -c %Y.%y "$T/dir/data")" ] || fail "--file touched the file"
	[ "$(ls -A "$T/dir")" = data ] || fail "--file created files: $(ls -A "$T/dir")"
	check_device_json "$T/file.json" measured:0 || fail "--file: device.json checks"
	grep -q '^read ' "$T/stderr" || fail "--json -: the table is not on stderr"
elif grep -q "Invalid argument" "$T/stderr"; then
	echo "note: O_DIRECT not supported under $T: --file not checked"
else
	fail "--file: $(cat "$T/stderr")"
fi
rm -rf "$T/out"

# interrupted: a run far longer than the wait, on a tmpfs when one can be
# mounted (quick to set up); exit 130 / 143, results marked incomplete
target=$T/dir
mount_tmpfs "$T/tmpfs" size=256M && target=$T/tmpfs
for sig in INT TERM; do
	"$IOBENCH" device --dir "$target" --jobs metadata,cached-read \
		--runtime 5 --ramp 0 --repeats 5 --cache-set 8M \
		--out "$T/out-$sig" -q >"$T/stdout" 2>"$T/stderr" &
	pid=$!
	sleep 1.5
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	want=$([ "$sig" = INT ] && echo 130 || echo 143)
	[ "$rc" -eq "$want" ] || { cat "$T/stderr"; fail "SIG$sig: exit $rc, expected $want"; }
	assert_no_scratch "$target"
	json=$(ls "$T/out-$sig"/*/device.json) || die "SIG$sig: no device.json"
	"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["incomplete"], d["run"]' \
		"$json" || fail "SIG$sig: not marked incomplete"
	pass "SIG$sig -> exit $rc, partial results, no scratch left"
done
finish
