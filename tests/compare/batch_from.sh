#!/bin/bash
# SPDX-License-Identifier: MIT
# sweep --batch-from FILE: the cells the file has copy its batch (files per
# sample), the others calibrate their own; a file that cannot be read is
# bad input before anything runs.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/dir"
S=(--sizes 1M --cache warm --samples 6 --reference none --no-limits
   --dir "$T/dir" -q)
"$IOBENCH" sweep "${S[@]}" --strategies rw,sendfile --out "$T/o1" \
	>/dev/null 2>"$T/err" || die "first sweep: $(cat "$T/err")"
# batches no warm-up would choose: 3 for rw, 5 for sendfile
/usr/bin/python3 - "$T/o1/latest/results.json" "$T/b.json" <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["cells"]:
    c["parameters"]["batch"] = {"rw": 3, "sendfile": 5}[c["parameters"]["strategy"]]
json.dump(d, open(sys.argv[2], "w"))
PY
	die "editing the batches"
"$IOBENCH" sweep "${S[@]}" --strategies rw,sendfile,copy_file_range \
	--batch-from "$T/b.json" --out "$T/o2" >/dev/null 2>"$T/err" ||
	die "second sweep: $(cat "$T/err")"
/usr/bin/python3 - "$T/o2/latest/results.json" <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
b = {c["parameters"]["strategy"]: c for c in d["cells"]}
assert b["rw"]["parameters"]["batch"] == 3, b["rw"]["parameters"]
assert b["sendfile"]["parameters"]["batch"] == 5, b["sendfile"]["parameters"]
# not in the file: calibrated by its warm-up
assert b["copy_file_range"]["warmup_seconds"] > 0, b["copy_file_range"]
assert all(len(c["samples"]) >= 6 for c in b.values())
PY
	fail "batches not taken from the file"
pass "batches from the file, the others calibrated"

"$IOBENCH" sweep "${S[@]}" --strategies rw --batch-from "$T/missing.json" \
	--out "$T/o3" >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	grep -q -- "--batch-from: .*missing.json" "$T/err" && [ ! -e "$T/o3" ] &&
	pass "unreadable --batch-from: one line, exit 1" ||
	fail "unreadable --batch-from: exit $rc: $(cat "$T/err")"
finish
