#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A results or baseline file whose samples cannot be real (a 0-second or
# negative time, a negative CPU time, a batch of 0 files) is refused when
# it is read, by compare and by sweep --baseline alike: exit 1, one line
# naming the file and the field, nothing run or written.
. "$(dirname "$0")/lib.sh"

good_baseline

# defect NAME FIELD PYTHON: res/baselines/NAME.json is good.json with the
# change PYTHON made to doc; FIELD is the path the error must name.
defect() {
	local name=$1 field=$2 rc runs
	/usr/bin/python3 - "$good" "$T/res/baselines/$name.json" "$3" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
cell = doc["cells"][0]
exec(sys.argv[3])
json.dump(doc, open(sys.argv[2], "w"), indent=2)
PY
	"$IOBENCH" compare --results "$T/res" --out "$T/cmp" "$name" good \
		>"$T/stdout" 2>"$T/stderr"
	rc=$?
	if [ "$rc" -ne 1 ] || [ "$(wc -l <"$T/stderr")" -ne 1 ] ||
	   ! grep -qF "$T/res/baselines/$name.json: $field" "$T/stderr"; then
		fail "compare $name: exit $rc, expected 1 and one line naming the file and $field: $(head -n 3 "$T/stderr")"
	elif [ -e "$T/cmp" ]; then
		fail "compare $name: wrote $T/cmp"
	else
		pass "compare $name -> $(cat "$T/stderr")"
	fi
	runs=$(ls "$T/res" | wc -l)
	"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
		--budget 0.1 --no-limits --reference none --dir "$T/dir" \
		--out "$T/res" --quiet --baseline "$name" \
		>"$T/stdout" 2>"$T/stderr"
	rc=$?
	if [ "$rc" -ne 1 ] || ! grep -qF "$name.json: $field" "$T/stderr"; then
		fail "sweep --baseline $name: exit $rc, expected 1 naming $field: $(head -n 3 "$T/stderr")"
	elif [ "$(ls "$T/res" | wc -l)" -ne "$runs" ]; then
		fail "sweep --baseline $name: ran and wrote a run anyway"
	else
		pass "sweep --baseline $name -> $(cat "$T/stderr")"
	fi
	rm -rf "$T/cmp"
}

defect zero_seconds "cells[0].samples[2].seconds" \
	'cell["samples"][2]["seconds"] = 0.0'
defect negative_seconds "cells[0].samples[0].seconds" \
	'cell["samples"][0]["seconds"] = -0.5'
defect negative_cpu "cells[0].samples[4].cpu_sys" \
	'cell["samples"][4]["cpu_sys"] = -1.0'
defect batch_zero "cells[0].parameters.batch" \
	'cell["parameters"]["batch"] = 0'
finish
