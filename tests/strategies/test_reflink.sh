#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# reflink on loop-mounted XFS (mkfs.xfs -m reflink=1) and btrfs images made
# here: the probe says usable, whole-file and range clones match their
# source, and a clone shares its extents instead of using space.
# usage: test_reflink.sh TEST_CONFORMANCE   (IOBENCH from the environment)
set -u

conf=${1:?usage: test_reflink.sh TEST_CONFORMANCE}

# In a private mount namespace the loop mounts (and, through autoclear,
# their loop devices) go away with this test even if it is killed.
if [ -z "${IOBENCH_REFLINK_NS:-}" ] &&
	unshare --mount --propagation private true 2>/dev/null; then
	IOBENCH_REFLINK_NS=1 exec unshare --mount --propagation private \
		bash "$0" "$@"
fi

work=$(mktemp -d "${IOBENCH_TEST_DIR:-/var/tmp}/iobench-reflink-XXXXXX") || exit 1
cleanup() {
	local m
	for m in "$work"/mnt-*; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The clone of a 64 MiB file through `iobench cp -s reflink`: same bytes,
# extents flagged shared, and free space not down by the file's size.
check_cp_clone() {
	local mnt=$1 before after out
	if [ -z "${IOBENCH:-}" ]; then
		echo "note: IOBENCH not set, iobench cp clone not checked"
		return 0
	fi
	head -c 64M /dev/urandom >"$mnt/big" && sync -f "$mnt/big" || return 1
	before=$(df --output=used -B1 "$mnt" | tail -n 1)
	if ! out=$("$IOBENCH" cp -s reflink "$mnt/big" "$mnt/clone" 2>&1); then
		case $out in
		*"not implemented"*)
			echo "note: iobench cp is not implemented yet"
			return 0 ;;
		esac
		echo "FAIL: iobench cp -s reflink: $out"
		return 1
	fi
	sync -f "$mnt/clone"
	after=$(df --output=used -B1 "$mnt" | tail -n 1)
	if ! cmp -s "$mnt/big" "$mnt/clone"; then
		echo "FAIL: iobench cp -s reflink: the clone differs from its source"
		return 1
	fi
	if ! filefrag -v "$mnt/clone" | grep -q shared; then
		echo "FAIL: iobench cp -s reflink: no shared extent in the clone:"
		filefrag -v "$mnt/clone"
		return 1
	fi
	echo "iobench cp -s reflink: 64 MiB clone shares extents, used space +$(((after - before) / 1024)) KiB"
	if [ $((after - before)) -ge $((16 << 20)) ]; then
		echo "FAIL: cloning 64 MiB used $((after - before)) bytes"
		return 1
	fi
}

# try_fs FS SIZE MKFS_ARGS...: 0 pass, 1 fail, 77 skip (with the reason).
try_fs() {
	local fs=$1 size=$2 img mnt rc
	shift 2
	img=$work/$fs.img
	mnt=$work/mnt-$fs
	if ! command -v "mkfs.$fs" >/dev/null; then
		echo "SKIP $fs: mkfs.$fs is not installed"
		return 77
	fi
	truncate -s "$size" "$img" && mkdir "$mnt" || return 1
	if ! "mkfs.$fs" "$@" "$img" >"$work/mkfs.log" 2>&1; then
		echo "FAIL $fs: mkfs.$fs $* failed:"
		cat "$work/mkfs.log"
		return 1
	fi
	if ! mount -o loop "$img" "$mnt" 2>"$work/mount.log"; then
		echo "SKIP $fs: cannot loop-mount here: $(cat "$work/mount.log")"
		return 77
	fi
	echo "== $fs: conformance of reflink, clones must share extents"
	"$conf" --dir "$mnt" --expect-shared reflink
	rc=$?
	[ $rc -eq 0 ] && { check_cp_clone "$mnt" || rc=1; }
	umount "$mnt"
	rm -f "$img"
	case $rc in
	0) echo "PASS $fs" ;;
	77) echo "SKIP $fs: reflink not usable (see above)" ;;
	*) echo "FAIL $fs"; rc=1 ;;
	esac
	return $rc
}

results=()
try_fs xfs 300M -q -m reflink=1
results+=($?)
try_fs btrfs 256M -q
results+=($?)

case " ${results[*]} " in
*" 1 "*) exit 1 ;;
*" 0 "*) exit 0 ;;
*) exit 77 ;;
esac
