#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sparse sources keep their holes as GNU cp's --sparse says: a 64 MiB file
# with 12 KiB of data is copied by every strategy usable here with auto
# (the default; holes kept, a few KiB allocated), always (a dense file of
# zeros becomes holes too) and never (every byte written), the content
# always identical. A sweep of sparse content records the setting in
# results.json and report.md, and verifies every copy, by threads too.
. "$(dirname "$0")/lib.sh"

allocated_kib() { du -k "$1" | cut -f1; }

src=$TMP/sparse
truncate -s 64M "$src"
for off in 0 20000000 67104768; do
	head -c 4096 /dev/urandom |
		dd of="$src" bs=4096 seek=$((off / 4096)) conv=notrunc status=none
done
zeros=$TMP/zeros
head -c 8M /dev/zero >"$zeros"
sync
[ "$(allocated_kib "$src")" -le 64 ] ||
	skip "this filesystem does not keep holes"

usable=$("$IOBENCH" list --dir "$TMP" --json | /usr/bin/python3 -c '
import json, sys
for s in json.load(sys.stdin)["strategies"]:
    if s["usable"]:
        print(s["name"])')
[ -n "$usable" ] || fail "no usable strategy listed"
for s in $usable; do
	for mode in auto always never default; do
		dst=$TMP/dst-$s-$mode
		if [ "$mode" = default ]; then
			run "$IOBENCH" cp -s "$s" "$src" "$dst"
		else
			run "$IOBENCH" cp -s "$s" --sparse "$mode" "$src" "$dst"
		fi
		[ "$rc" -eq 0 ] || { fail "$s --sparse $mode: exit $rc: $err"; continue; }
		cmp -s "$src" "$dst" || fail "$s --sparse $mode: content differs"
		kib=$(allocated_kib "$dst")
		case $mode in
		never)
			[ "$kib" -ge 60000 ] || [ "$s" = reflink ] ||
				fail "$s --sparse never: only $kib KiB allocated"
			;;
		*)
			[ "$kib" -le 64 ] ||
				fail "$s --sparse $mode: $kib KiB allocated, holes lost"
			;;
		esac
		rm -f "$dst"
	done
	run "$IOBENCH" cp -s "$s" --sparse always "$zeros" "$TMP/z"
	if [ "$rc" -ne 0 ] || ! cmp -s "$zeros" "$TMP/z"; then
		fail "$s --sparse always on zeros: exit $rc $err"
	elif [ "$(allocated_kib "$TMP/z")" -gt 64 ] && [ "$s" != reflink ]; then
		fail "$s --sparse always: zeros not made holes ($(allocated_kib "$TMP/z") KiB)"
	fi
	rm -f "$TMP/z"
	pass "$s: auto, always, never"
done
run "$IOBENCH" cp -s rw --sparse sometimes "$src" "$TMP/dst"
expect_rc 1 "--sparse sometimes refused"
[ ! -e "$TMP/dst" ] || fail "--sparse sometimes created DST"

# a sweep: the setting is recorded and stated; copies verified
mkdir -p "$TMP/dir"
run "$IOBENCH" sweep --sizes 8M --content sparse --strategies rw,io_uring \
	--cache warm --samples 6 --budget 1 --threads 1,2 \
	--parallel files,ranges --no-limits --reference none --quiet \
	--dir "$TMP/dir" --out "$TMP/out"
expect_rc 0 "sweep of sparse content"
/usr/bin/python3 - "$TMP/out/latest" <<'PY' || fail "sweep results"
import json, sys
d = sys.argv[1]
r = json.load(open(d + "/results.json"))
assert r["request"]["sparse"] == "auto", r["request"]
bad = [(c["parameters"]["strategy"], c["status"], c.get("reason"))
       for c in r["cells"] if c["status"] != "ok" or not c["verified"]]
assert not bad, bad
rep = open(d + "/report.md").read()
assert "| sparse sources (--sparse) | auto:" in rep
assert "--sparse auto" in rep
PY
finish
