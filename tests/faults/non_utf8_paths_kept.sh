#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Paths are bytes. A sweep whose --dir and --out hold bytes that are not
# UTF-8 keeps its results: exit 0, latest updated, results.json valid
# JSON (and valid against the schema) with those strings escaped (\xHH,
# backslash doubled) and listed in run.escaped, so the bytes can be
# restored exactly; a path with a backslash and UTF-8 stays as it is.
# compare, and list --json, print such paths without failing.
. "$(dirname "$0")/lib.sh"

dir=$T/$'d\xff\\x'
out=$T/$'o\xfe'
mkdir -p "$dir" "$T/ok-é"
"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
	--budget 0.1 --reference none --dir "$dir" --out "$out" --quiet \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr"; fail "exit $rc, expected 0"; }
[ -f "$out/latest/results.json" ] || die "no results.json behind latest"
/usr/bin/python3 - "$out/latest/results.json" "$dir" "$out" \
	"$SOURCE_ROOT/tests/report/schema.json" <<'PY' || fail "results.json"
import json, os, re, sys
path, want_dir, want_out, schema = (os.fsencode(a) for a in sys.argv[1:5])
r = json.load(open(path, "rb"))

def unescape(s):
    # the documented escaping: \\ is a backslash, \xHH a byte
    out = bytearray()
    i = 0
    while i < len(s):
        if s[i] == "\\" and s[i + 1] == "\\":
            out += b"\\"
            i += 2
        elif s[i] == "\\" and s[i + 1] == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        else:
            out += s[i].encode()
            i += 1
    return bytes(out)

esc = r["run"]["escaped"]
assert "/request/dir" in esc and "/request/out" in esc, esc
assert "/run/command_line" in esc, esc
assert unescape(r["request"]["dir"]) == want_dir, r["request"]["dir"]
assert unescape(r["request"]["out"]) == want_out, r["request"]["out"]
for p in esc:
    node = r
    for part in p.split("/")[1:]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    assert isinstance(node, str) and node.isascii(), (p, node)
import jsonschema	# python3-jsonschema, installed by scripts/setup
jsonschema.validate(r, json.load(open(schema)))
PY
[ "$fails" -eq 0 ] && pass "non-UTF-8 --dir and --out: results kept, escaped losslessly"

# a UTF-8 path (with a backslash) is written as it is, with no flag
"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
	--budget 0.1 --no-limits --reference none --dir "$T/ok-é" \
	--out "$T/out-é" --quiet >"$T/stdout" 2>"$T/stderr" ||
	{ cat "$T/stderr"; die "UTF-8 path: exit $?"; }
check_json "$T/out-é/latest/results.json" "
assert r['request']['dir'].endswith('/ok-é'), r['request']['dir']
assert 'escaped' not in run, run.get('escaped')
" && pass "UTF-8 paths written as they are"

"$IOBENCH" compare "$out/latest" "$out/latest" --out "$T/cmp" \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr"; fail "compare: exit $rc"; }
/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
	"$T/cmp/compare.json" || fail "compare.json is not JSON"
"$IOBENCH" list --json --dir "$dir" >"$T/list.json" 2>"$T/stderr" ||
	fail "list --json: exit $?"
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["strategies"] if "strategies" in d else d) > 0
assert "\\xff" in d["dir"], d["dir"]' "$T/list.json" || fail "list --json"
finish
