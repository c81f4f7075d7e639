# SPDX-License-Identifier: MIT
# The device tests use the shared test library, plus: the device.json
# checker, whether io_uring was built, an ext4 image on a loop device, and
# the two targets the device tests measure side by side.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"

# Debian's python3 has python3-jsonschema (a pyenv python3 may not).
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

# check_device_json FILE CHECK...: schema and behaviour checks (see
# check_device_json.py); exit 77 when python3-jsonschema is missing.
check_device_json() {
	"$PYTHON" "$SOURCE_ROOT/tests/device/check_device_json.py" \
		"$SOURCE_ROOT/tests/device/schema.json" \
		"$SOURCE_ROOT/tests/report/schema.json" "$@"
}

# True when iobench was built with liburing (its O_DIRECT jobs need it).
have_io_uring() {
	! "$IOBENCH" list 2>/dev/null | grep -q 'not built: liburing'
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

# mount_targets EXT4_SIZE TMPFS_SIZE NO_IO_URING: an ext4 loop device at
# $T/ext4 (its device in $loopdev) and a tmpfs at $T/tmpfs; skips (77)
# when not root, when io_uring was not built (saying NO_IO_URING) or when
# either cannot be mounted here. Run the test with PRIVATE_MOUNTS=1.
mount_targets() {
	[ "$(id -u)" -eq 0 ] || skip "mounting needs root"
	have_io_uring || skip "built without liburing: $3"
	mount_ext4_loop "$T/ext4.img" "$1" "$T/ext4" || skip "$(cat "$T/why")"
	mount_tmpfs "$T/tmpfs" "size=$2" || skip "cannot mount a tmpfs here"
	loopdev=$(findmnt -n -o SOURCE "$T/ext4")
}
