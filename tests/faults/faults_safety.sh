#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The user's data: (1) symlinks planted where iobench writes in --out
# (latest, baselines/NAME.json) are replaced, never followed: the files
# they point at are unchanged; (2) when --out fills up while results are
# written, an existing baseline and `latest` stay intact and no temporary
# file is left (writes are temp + fsync + rename); (3) a --source tree is
# copied read-only and left unchanged, the target of a symlink in it too.
. "$(dirname "$0")/lib.sh"

run_sweep() {
	"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
		--budget 0.1 --no-limits --reference none --dir "$T/dir" --quiet "$@" >"$T/stdout" 2>"$T/stderr"
}

mkdir -p "$T/dir" "$T/user" "$T/out/baselines"
echo "precious" >"$T/user/latest-target"
echo "precious baseline" >"$T/user/baseline-target"
ln -s "$T/user/latest-target" "$T/out/latest"
ln -s "$T/user/baseline-target" "$T/out/baselines/b1.json"
tree_sum "$T/user" >"$T/user.before"

# (1)
before=$fails
run_sweep --out "$T/out" --save-baseline b1
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr"; fail "(1) exit $rc"; }
tree_sum "$T/user" >"$T/user.after"
cmp -s "$T/user.before" "$T/user.after" || fail "(1) a file outside --out changed"
[ -L "$T/out/latest" ] && [ -f "$T/out/latest/results.json" ] ||
	fail "(1) latest does not point at the new run"
[ ! -L "$T/out/baselines/b1.json" ] || fail "(1) baseline still a symlink"
check_json "$T/out/baselines/b1.json" "assert cells['rw']['status'] == 'ok'" ||
	fail "(1) baseline is not the run's results"
[ "$fails" -eq "$before" ] && pass "(1) planted symlinks replaced, their targets unchanged"

# (2) --out on a tmpfs that is then filled up; the baseline of (1) is kept
if mount_tmpfs "$T/full" size=1m; then
	before=$fails
	mkdir -p "$T/full/baselines"
	cp "$T/out/baselines/b1.json" "$T/full/baselines/b1.json"
	cp -P "$T/out/latest" "$T/full/latest"
	sum=$(cksum <"$T/full/baselines/b1.json")
	dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
	run_sweep --out "$T/full" --save-baseline b1
	rc=$?
	[ "$rc" -eq 2 ] || fail "(2) exit $rc, expected 2"
	grep -q 'No space left on device' "$T/stderr" ||
		fail "(2) stderr: $(cat "$T/stderr")"
	[ "$(cksum <"$T/full/baselines/b1.json")" = "$sum" ] ||
		fail "(2) the existing baseline changed"
	[ "$(readlink "$T/full/latest")" = "$(readlink "$T/out/latest")" ] ||
		fail "(2) latest moved to a run without results"
	left=$(find "$T/full" -name '*.tmp.*' -o -name '.latest-*' | head -n 3)
	[ -z "$left" ] || fail "(2) temporary files left: $left"
	[ "$fails" -eq "$before" ] &&
		pass "(2) --out full: exit 2, baseline and latest intact, no temp files"
else
	echo "note: (2) not run: mounting a tmpfs is not permitted here"
fi

# (3) a --source tree, with a symlink out of it, is copied and left as it
# was (tests/sweep/sweep_source.sh checks times, atime and more)
before=$fails
mkdir -p "$T/src/sub"
echo "one" >"$T/src/a"
head -c 70000 /dev/urandom >"$T/src/sub/b"
ln -s "$T/user/latest-target" "$T/src/out-link"
sync
tree_sum "$T/src" >"$T/src.before"
tree_sum "$T/user" >"$T/user.before"
"$IOBENCH" sweep --source "$T/src" --strategies rw --cache warm,cold \
	--samples 6 --budget 0.1 --no-limits --dir "$T/dir" --out "$T/out3" --quiet \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr"; fail "(3) exit $rc"; }
tree_sum "$T/src" >"$T/src.after"
tree_sum "$T/user" >"$T/user.after"
cmp -s "$T/src.before" "$T/src.after" || fail "(3) the --source tree changed"
cmp -s "$T/user.before" "$T/user.after" || fail "(3) a symlink's target changed"
check_json "$T/out3/latest/results.json" \
	"assert cells['rw']['status'] == 'ok' and cells['rw']['verified']" ||
	fail "(3) the rw cells did not copy the tree"
[ "$fails" -eq "$before" ] && pass "(3) --source tree copied, left unchanged"
finish
