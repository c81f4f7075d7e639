#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sources whose size is not their content's: procfs files say 0 bytes,
# sysfs files 4096, whatever they hold. iobench cp copies what GNU cp
# copies (read until EOF), with every strategy usable here, and says so
# with -v; never an empty or short copy with exit 0. A --source tree
# holding such a file (bind-mounted in; needs root) leaves it out with a
# warning instead of copying and "verifying" 0 bytes.
. "$(dirname "$0")/lib.sh"

# stable content: the same on every read
sources=(/proc/version /proc/sys/kernel/ostype)
for f in /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/uevent_seqnum; do
	[ -r "$f" ] && sources+=("$f")
done
usable=$("$IOBENCH" list --dir "$TMP" --json | /usr/bin/python3 -c '
import json, sys
for s in json.load(sys.stdin)["strategies"]:
    if s["usable"]:
        print(s["name"])')
for src in "${sources[@]}"; do
	cp "$src" "$TMP/want" || { fail "GNU cp $src"; continue; }
	[ -s "$TMP/want" ] || { fail "$src reads empty"; continue; }
	for s in $usable; do
		run "$IOBENCH" cp -s "$s" -v --verify "$src" "$TMP/got"
		if [ "$rc" -ne 0 ]; then
			fail "$s $src: exit $rc: $err"
		elif ! cmp -s "$TMP/want" "$TMP/got"; then
			fail "$s $src: $(stat -c %s "$TMP/got") bytes, GNU cp copied $(stat -c %s "$TMP/want")"
		elif [[ "$out" != *"read until EOF first"* ]]; then
			fail "$s $src: -v does not say the source was read until EOF: $out"
		fi
		rm -f "$TMP/got"
	done
	pass "$src: $(stat -c %s "$TMP/want") bytes, as GNU cp, by: $(echo $usable)"
done

# a tree holding one
[ "$(id -u)" -eq 0 ] || { finish; }
S=$TMP/tree
mkdir -p "$S" "$TMP/dir"
head -c 70000 /dev/urandom >"$S/real"
: >"$S/version"
if ! mount --bind /proc/version "$S/version" 2>/dev/null; then
	echo "note: bind mounts not permitted: the tree part is not checked"
	finish
fi
cleanup_hooks+=("umount '$S/version'")
run "$IOBENCH" sweep --source "$S" --strategies rw --cache warm --samples 6 \
	--budget 1 --no-limits --reference none --dir "$TMP/dir" \
	--out "$TMP/out"
expect_rc 0 "sweep --source with a procfs file in the tree"
[[ "$err" == *"1 file left out"*"/version"* ]] ||
	fail "no warning naming the left-out file: $err"
/usr/bin/python3 - "$TMP/out/latest/results.json" <<'PY' || fail "results"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["request"]["source_files"] == 1, r["request"]["source_files"]
assert r["request"]["sizes"] == [70000], r["request"]["sizes"]
assert any("left out" in w for w in r["run"]["warnings"]), r["run"]["warnings"]
PY
finish
