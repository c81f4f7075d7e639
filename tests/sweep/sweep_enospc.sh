#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Running out of space fails only the affected cells and leaves nothing:
# (1) a size that does not fit a small tmpfs is refused up front while a
# small size completes (exit 3); (2) a destination that cannot be created
# (inodes exhausted mid-batch) fails its cell with ENOSPC and the partial
# batch is removed (exit 2: nothing measured).
set -u
. "$(dirname "$0")/lib.sh"

if ! mount_tmpfs "$T/small" size=8m; then
	echo "SKIP: mounting a tmpfs is not permitted here"
	exit 77
fi
"$IOBENCH" sweep --reference none \
	--sizes 4K,16M --strategies rw --cache warm --samples 6 \
	--budget 1 --dir "$T/small" --out "$T/out" --quiet \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 3 ] || { cat "$T/stderr" >&2; fail "exit $rc, expected 3"; }
assert_no_scratch "$T/small"
[ -z "$(ls -A "$T/small")" ] || fail "files left in --dir: $(ls -A "$T/small")"
python3 - "$T/out/latest/results.json" <<'PY' || fail "results check (1)"
import json, sys
cells = json.load(open(sys.argv[1]))["cells"]
st = {c["parameters"]["size"]: c for c in cells}
assert len(cells) == 2, cells
small, big = st[4096], st[16 << 20]
assert small["status"] == "ok", small["reason"]
assert len(small["samples"]) >= 6
assert big["status"] == "failed", big["status"]
assert "No space left on device" in big["reason"], big["reason"]
print("16M:", big["reason"])
PY

# 24 inodes: the scratch dir and 16 calibration sources leave room for 6
# destinations of the 16-file calibration batch.
if ! mount_tmpfs "$T/inodes" size=64m,nr_inodes=24; then
	echo "SKIP: mounting a tmpfs is not permitted here"
	exit 77
fi
"$IOBENCH" sweep --reference none \
	--sizes 4K --strategies rw --cache warm --samples 6 \
	--budget 1 --dir "$T/inodes" --out "$T/out2" --quiet \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || { cat "$T/stderr" >&2; fail "exit $rc, expected 2"; }
assert_no_scratch "$T/inodes"
[ -z "$(ls -A "$T/inodes")" ] || fail "files left in --dir"
python3 - "$T/out2/latest/results.json" <<'PY' || fail "results check (2)"
import json, sys
c = json.load(open(sys.argv[1]))["cells"][0]
assert c["status"] == "failed", c["status"]
assert "creating the destination: No space left on device" in c["reason"], \
    c["reason"]
print("4K:", c["reason"])
PY
echo PASS
