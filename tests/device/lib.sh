# SPDX-License-Identifier: MIT
# Shared by the device tests: a private scratch area on disk, failure
# reporting, mounts undone on exit, and the device.json checker.
: "${IOBENCH:?IOBENCH must name the built iobench binary}"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"

T=$(mktemp -d "${IOBENCH_TEST_DIR:-/var/tmp}/iobench-device-test-XXXXXX") || exit 1
MOUNTS=()

cleanup() {
	local i
	# the last mount first: a tmpfs may sit inside the ext4 image's mount
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# Debian's python3 has python3-jsonschema (a pyenv python3 may not).
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

# check_json FILE CHECK...: schema and behaviour checks (exit 77 passes on).
check_json() {
	"$PYTHON" "$SOURCE_ROOT/tests/device/check_device_json.py" \
		"$SOURCE_ROOT/tests/device/schema.json" \
		"$SOURCE_ROOT/tests/report/schema.json" "$@"
}

# True when iobench was built with liburing (its O_DIRECT jobs need it).
have_io_uring() {
	! "$IOBENCH" list 2>/dev/null | grep -q 'not built: liburing'
}

# No scratch directory may survive a run.
assert_no_scratch() {
	local left
	left=$(find "$1" -maxdepth 1 -name 'iobench-*' | head -n 1)
	[ -z "$left" ] || fail "scratch directory left behind: $left"
}

# mount_tmpfs DIR SIZE: 0, or 1 when mounting is not permitted here.
mount_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null || return 1
	MOUNTS+=("$1")
}

# mount_ext4_loop IMAGE SIZE DIR: mkfs.ext4 on a file, loop-mounted, the
# loop device switched to direct I/O on its backing file where it can be
# (else its O_DIRECT figures are the backing file's page cache). 0, or 1
# with the reason in $T/why when that is not possible here.
mount_ext4_loop() {
	local dev
	command -v mkfs.ext4 >/dev/null || { echo "mkfs.ext4 is not installed" >"$T/why"; return 1; }
	truncate -s "$2" "$1" && mkdir -p "$3" || return 1
	mkfs.ext4 -q -F "$1" >"$T/why" 2>&1 || return 1
	mount -o loop "$1" "$3" 2>"$T/mount.log" || {
		echo "cannot loop-mount here: $(cat "$T/mount.log")" >"$T/why"; return 1; }
	MOUNTS+=("$3")
	dev=$(findmnt -n -o SOURCE "$3")
	losetup --direct-io=on "$dev" 2>/dev/null ||
		echo "note: $dev stays in buffered mode"
}
