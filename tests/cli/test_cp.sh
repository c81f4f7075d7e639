#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench cp: every usable strategy copies correctly; SRC == DST (by name,
# hard link or symlink) refused with the source intact; errors and exit
# codes; an existing longer DST truncated; mode bits; ENOSPC cleanup.
. "$(dirname "$0")/lib.sh"
umask 022

src=$TMP/src
head -c $((1048576 + 13)) /dev/urandom >"$src" || exit 1
chmod 640 "$src"
: >"$TMP/empty"
sum_before=$(cksum <"$src")

run "$IOBENCH" list --dir "$TMP" --json
usable=$(printf '%s' "$out" | python3 -c '
import json, sys
print(" ".join(s["name"] for s in json.load(sys.stdin)["strategies"] if s["usable"]))')
unusable=$(printf '%s' "$out" | python3 -c '
import json, sys
print(" ".join(s["name"] for s in json.load(sys.stdin)["strategies"] if not s["usable"]))')
echo "usable in $TMP: $usable"
[[ " $usable " == *" rw "* ]] || fail "rw should be usable everywhere"

for s in $usable; do
	run "$IOBENCH" cp -s "$s" "$src" "$TMP/dst.$s"
	if [ "$rc" -eq 0 ] && [ -z "$out$err" ] && cmp -s "$src" "$TMP/dst.$s"; then
		pass "$s copies 1 MiB + 13 bytes exactly, silently"
	else
		fail "$s: exit $rc, stdout [$out], stderr [$err], or content differs"
	fi
	[ "$(stat -c %a "$TMP/dst.$s" 2>/dev/null)" = 640 ] ||
		fail "$s: mode of new DST is not the source's 640"

	run "$IOBENCH" cp -s "$s" "$TMP/empty" "$TMP/dst0.$s"
	if [ "$rc" -eq 0 ] && [ -f "$TMP/dst0.$s" ] && [ ! -s "$TMP/dst0.$s" ]; then
		pass "$s copies a 0-byte file"
	else
		fail "$s 0-byte: exit $rc, $err"
	fi

	# an existing, longer DST ends up exactly the source
	head -c $((3 * 1048576)) /dev/zero >"$TMP/long.$s"
	run "$IOBENCH" cp -s "$s" --verify "$src" "$TMP/long.$s"
	if [ "$rc" -eq 0 ] && cmp -s "$src" "$TMP/long.$s"; then
		pass "$s truncates a longer DST to the source size"
	else
		fail "$s longer DST: exit $rc, $err, size $(stat -c %s "$TMP/long.$s")"
	fi
	rm -f "$TMP/dst.$s" "$TMP/dst0.$s" "$TMP/long.$s"
done

# every tunable a strategy declares is accepted and still copies exactly;
# 4K buffers make the 13-byte tail a separate, unaligned transfer
run "$IOBENCH" list --dir "$TMP" --json
tunables=$(printf '%s' "$out" | python3 -c '
import json, sys
for s in json.load(sys.stdin)["strategies"]:
    if s["usable"]:
        print(s["name"], s["tunables"].replace(",", " "))')
while read -r s tun; do
	for t in $tun; do
		case $t in
		buffer) opt=(--buffer 4K) ;;
		qd) opt=(--qd 3) ;;
		direct) opt=(--direct) ;;
		sqpoll) opt=(--sqpoll) ;;
		*) continue ;;
		esac
		run "$IOBENCH" cp -s "$s" "${opt[@]}" --verify "$src" "$TMP/tuned"
		if [ "$rc" -eq 0 ] && cmp -s "$src" "$TMP/tuned"; then
			pass "$s ${opt[*]}"
		else
			fail "$s ${opt[*]}: exit $rc, $err"
		fi
		rm -f "$TMP/tuned"
	done
done <<<"$tunables"

run "$IOBENCH" cp -s rw -v --verify "$src" "$TMP/verbose"
expect_rc 0 "cp -v --verify"
[[ "$out" =~ ^rw:\ 1048589\ bytes\ in\ [0-9.]+\ s\ \([0-9.]+\ MiB/s\),\ verified$ ]] &&
	pass "-v prints strategy, bytes, seconds, MiB/s" || fail "-v printed [$out]"

# SRC == DST in its three disguises: exit 1, nothing touched
ln "$src" "$TMP/hardlink"
ln -s "$src" "$TMP/symlink"
for dst in "$src" "$TMP/hardlink" "$TMP/symlink"; do
	run "$IOBENCH" cp -s rw "$src" "$dst"
	expect_rc 1 "cp SRC onto ${dst#$TMP/} refused"
	expect_err_line "iobench: cp: '$src' and '$dst' are the same file" \
		"same-file message for ${dst#$TMP/}"
	[ "$(cksum <"$src")" = "$sum_before" ] && pass "source intact" ||
		fail "source changed after cp onto ${dst#$TMP/}"
done
rm -f "$TMP/hardlink" "$TMP/symlink"

run "$IOBENCH" cp -s rww "$src" "$TMP/new"
expect_rc 1 "unknown strategy"
expect_err_line "iobench: cp: unknown strategy 'rww' (did you mean 'rw'?)" \
	"did-you-mean suggestion"
run "$IOBENCH" cp -s zzzzzzzzzz "$src" "$TMP/new"
expect_err_line "iobench: cp: unknown strategy 'zzzzzzzzzz' (see iobench list)" \
	"no suggestion when nothing is close"

run "$IOBENCH" cp -s rw "$TMP/nosuch" "$TMP/new"
expect_rc 1 "missing SRC"
expect_err_line "iobench: cp: $TMP/nosuch: No such file or directory" \
	"missing SRC names the path"

run "$IOBENCH" cp -s rw --buffer 1Q "$src" "$TMP/new"
expect_rc 1 "--buffer 1Q"
expect_err_has "unknown unit" "--buffer 1Q message"
run "$IOBENCH" cp -s rw --buffer 0 "$src" "$TMP/new"
expect_rc 1 "--buffer 0"
run "$IOBENCH" cp -s rw --qd 4 "$src" "$TMP/new"
expect_rc 1 "tunable the strategy does not read"
expect_err_line "iobench: cp: rw does not take --qd (its tunables: buffer)" \
	"unread tunable message"
run "$IOBENCH" cp -s rw --bogus "$src" "$TMP/new"
expect_rc 1 "unknown option"
run "$IOBENCH" cp -s rw "$src"
expect_rc 1 "DST missing"
run "$IOBENCH" cp "$src" "$TMP/new"
expect_rc 1 "no -s"
run "$IOBENCH" cp -s rw "$TMP" "$TMP/new"
expect_rc 1 "SRC a directory"
expect_err_line "iobench: cp: $TMP: not a regular file" "directory SRC message"
run "$IOBENCH" cp -s rw "$src" "$TMP/nodir/new"
expect_rc 1 "DST directory missing"
ln -s "$TMP/nowhere" "$TMP/dangling"
run "$IOBENCH" cp -s rw "$src" "$TMP/dangling"
expect_rc 1 "dangling symlink DST"
[ -e "$TMP/nowhere" ] && fail "wrote through a dangling symlink"
rm -f "$TMP/dangling"
[ -e "$TMP/new" ] && fail "a refused cp created DST"

for s in $unusable; do
	run "$IOBENCH" cp -s "$s" "$src" "$TMP/new"
	expect_rc 2 "$s (not usable here)"
	expect_err_has "iobench: cp: $s not usable here: " "$s unusable message"
	[ -e "$TMP/new" ] && fail "$s: unusable strategy created DST"
	rm -f "$TMP/new"
	break	# one is enough: they share the path
done

run "$IOBENCH" cp --help
expect_rc 0 "cp --help"
[[ "$out" == "usage: iobench cp"* ]] || fail "help not on stdout"

# ENOSPC: a 512 KiB tmpfs cannot hold 1 MiB
mnt=$TMP/small
mkdir "$mnt"
if mount -t tmpfs -o size=512k iobench-test "$mnt" 2>/dev/null; then
	cleanup_hooks+=("umount '$mnt'")
	run "$IOBENCH" cp -s rw "$src" "$mnt/dst"
	expect_rc 2 "ENOSPC"
	expect_err_line "iobench: cp: $mnt/dst: No space left on device" \
		"ENOSPC message names DST"
	[ -e "$mnt/dst" ] && fail "ENOSPC: the DST cp created is left behind" ||
		pass "ENOSPC: created DST removed"
	if [[ " $usable " == *" copy_file_range "* ]]; then
		head -c 1000 /dev/urandom >"$TMP/small.src"
		run "$IOBENCH" cp -s copy_file_range "$TMP/small.src" "$mnt/xdev"
		expect_rc 2 "copy_file_range across filesystems"
		expect_err_has "copy_file_range not usable here: $TMP/small.src and $mnt/xdev are on different filesystems" \
			"cross-filesystem message"
		[ -e "$mnt/xdev" ] && fail "cross-filesystem DST left behind"
	fi
	echo old >"$mnt/existing"
	run "$IOBENCH" cp -s rw "$src" "$mnt/existing"
	expect_rc 2 "ENOSPC onto an existing DST"
	[ -e "$mnt/existing" ] && pass "a DST that existed before is kept" ||
		fail "existing DST removed"
else
	skip "ENOSPC checks: cannot mount a tmpfs here (not permitted)"
fi

[ "$(cksum <"$src")" = "$sum_before" ] || fail "source changed during the test"
finish
