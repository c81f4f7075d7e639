#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reference tools on generated small files: one process copies a
# sample's whole batch (cp -t DIR SRC...), not one process per file; the
# tool's start-up (TOOL --version) is measured and shown beside the rows
# and in results.json. A cp wrapper on PATH logs each call's arguments.
set -u
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/bin" "$T/dir"
real_cp=$(command -v cp) || skip "no cp"
cat >"$T/bin/cp" <<SH
#!/bin/sh
echo "\$#" "\$1" >>"$T/cp.log"
exec "$real_cp" "\$@"
SH
chmod +x "$T/bin/cp"

PATH="$T/bin:$PATH" "$IOBENCH" sweep --sizes 4K --strategies rw \
	--reference cp --cache warm --samples 6 --budget 1 --no-limits \
	--dir "$T/dir" --out "$T/out" >"$T/stdout" 2>"$T/stderr" ||
	{ cat "$T/stderr" >&2; die "sweep failed"; }
check_json "$T/out/latest/results.json" "
for name in ('ref:cp', 'ref:cp-reflink-never'):
    c = cells[name]
    assert c['status'] == 'ok' and c['verified'], (name, c['status'])
    assert c['tool_start_seconds'] > 0, name
    assert c['parameters']['batch'] > 1, (name, c['parameters']['batch'])
assert 'tool_start_seconds' not in cells['rw']
batch = cells['ref:cp']['parameters']['batch']
# the calls that copied: -t DIR and the batch's files, one per sample
calls = [l.split() for l in open('$T/cp.log')]
copies = [c for c in calls if c[1] in ('-t', '--reflink=never')]
assert copies, calls
big = [c for c in copies if int(c[0]) >= batch + 2]
assert len(big) >= 6, (batch, copies[:5])
assert len(copies) <= 2 * (6 * 3 + 4), len(copies)
versions = [c for c in calls if c[1] == '--version']
assert len(versions) >= 9, len(versions)
" || fail "results"
grep -q '| `ref:cp` | incl. start-up [0-9.]* [mµ]*s |' "$T/out/latest/report.md" ||
	fail "the ref:cp row does not show its start-up"
grep -q 'their times include its start-up' "$T/out/latest/report.md" ||
	fail "the summary does not say which figure includes start-up"
finish
