#!/bin/bash
# SPDX-License-Identifier: MIT
# quick/full presets: the sweep each one runs, as its --help shows it.
. "$(dirname "$0")/../lib.sh"

out=$("$IOBENCH" quick --help) || die "quick --help exited $?"
grep -qx '  iobench sweep --sizes 4K,1M,64M --cache warm --samples 10 \[SWEEP OPTIONS\]' \
	<<<"$out" || die "quick runs something else: $out"
out=$("$IOBENCH" full --help) || die "full --help exited $?"
grep -qx '  iobench sweep --sizes 1K,64K,1M,16M,256M,1G --buffers 4K,64K,128K,1M --qd 1,8,32 --cache warm,cold --sync none,end --threads 1,2,<cores> --parallel files,ranges --profile \[SWEEP OPTIONS\]' \
	<<<"$out" || die "full runs something else: $out"

# a real (shrunk) full run: the user's options replace the preset's, the
# thread list is filled in, profiling is on
tmp=$T
mkdir "$tmp/dir"
"$IOBENCH" full --sizes 64K --strategies rw --buffers 64K --cache warm \
	--sync none --samples 6 --budget 1 --reference none --no-limits \
	--dir "$tmp/dir" --out "$tmp/out" --quiet >/dev/null ||
	die "shrunk full run exited $?"
/usr/bin/python3 - "$tmp/out/latest/results.json" <<'PY' || die "full results"
import json, os, sys
d = json.load(open(sys.argv[1]))
q = d["request"]
assert q["sizes"] == [65536], q["sizes"]
assert q["profile"] is True, "profiling off"
cores = os.cpu_count()
want = [1, 2] + ([cores] if cores > 2 else [])
assert q["threads"] == want, (q["threads"], want)
threads = sorted({c["parameters"].get("threads", 1) for c in d["cells"]})
assert threads == want, threads
PY
[ -z "$(ls -A "$tmp/dir")" ] || die "scratch left in --dir"
"$IOBENCH" --help | grep -q '^  quick ' || die "quick not in iobench --help"
echo "PASS"
