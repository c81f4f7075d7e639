#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench device on an ext4 loop device and on a tmpfs, both made here and
# measured side by side in one run: every ceiling positive, QD 32 kept 16
# I/Os or more in flight (Little's law), latency percentiles monotone, the loop
# device's /proc/diskstats deltas cover every O_DIRECT byte, O_DIRECT
# skipped on tmpfs with the reason, device.json valid against its schema,
# device.md with a side-by-side section, no scratch left behind.
set -u

PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
mount_targets 384M 128M "no O_DIRECT jobs to check"

"$IOBENCH" device --dir "$T/ext4" --dir "$T/tmpfs" --runtime 0.2 \
	--ramp 0.05 --repeats 3 --size 64M --cache-set 32M --qd 1,32 \
	--out "$T/out" --json "$T/copy.json" -q >"$T/stdout" 2>"$T/stderr"
rc=$?
cat "$T/stdout"
[ "$rc" -eq 0 ] || { cat "$T/stderr"; die "iobench device: exit $rc"; }
[ ! -s "$T/stderr" ] || fail "-q printed on stderr: $(cat "$T/stderr")"

run=$(ls "$T/out")
[ "$(echo "$run" | wc -l)" -eq 1 ] || die "expected one run in --out: $run"
json=$T/out/$run/device.json
md=$T/out/$run/device.md
tail -n 1 "$T/stdout" | grep -qx "$T/out/$run/device.md" ||
	fail "the last line is not the report's path"
cmp -s "$json" "$T/copy.json" || fail "--json wrote another document"
check_device_json "$json" measured:0 qd-order:0 diskstats-cover:0 tmpfs:1
rc=$?
[ "$rc" -eq 77 ] && skip "python3-jsonschema is not installed"
[ "$rc" -eq 0 ] || fail "device.json checks"

"$PYTHON" - "$json" "${loopdev#/dev/}" <<'PY' || fail "device chain"
import json, sys
t = json.load(open(sys.argv[1]))["targets"][0]
names = [d["name"] for d in t["chain"]]
assert names and names[0] == sys.argv[2], names
assert t["chain"][0]["role"] == "filesystem"
assert t["storage"]["block_device"] == sys.argv[2], t["storage"]
print("chain:", " -> ".join(names))
PY
grep -q '^## Devices side by side' "$md" || fail "device.md: no side-by-side section"
grep -qF "$T/tmpfs (tmpfs, no block device)" "$md" || fail "device.md: no tmpfs section"
grep -q '^side by side' "$T/stdout" || fail "terminal: no side-by-side table"
grep -q '^O_DIRECT jobs skipped: tmpfs' "$T/stdout" || fail "terminal: no O_DIRECT skip reason"
assert_no_scratch "$T/ext4"
assert_no_scratch "$T/tmpfs"
finish
