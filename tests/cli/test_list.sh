#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench list: registry order, aligned table, JSON, reasons, bad --dir.
. "$(dirname "$0")/lib.sh"

want="rw stdio mmap sendfile copy_file_range splice io_uring odirect libaio reflink"

run "$IOBENCH" list --dir "$TMP"
expect_rc 0 "list --dir TMP"
[ -z "$err" ] || fail "list wrote to stderr: $err"

# strategy rows: after the header up to the blank line, lines not
# starting with a blank
names=$(printf '%s\n' "$out" | sed -n '/^STRATEGY /,/^$/p' | sed '/^$/d' |
	tail -n +2 |
	grep -v '^ ' | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')
if [ "$names" = "$want" ]; then
	pass "all 10 strategies in registry order"
else
	fail "strategy order: [$names], expected [$want]"
fi

# alignment: every row's USABLE and SUMMARY columns start where the
# header's do
header=$(printf '%s\n' "$out" | grep '^STRATEGY ')
ucol=$(awk -v h="$header" 'BEGIN { print index(h, "USABLE") }')
scol=$(awk -v h="$header" 'BEGIN { print index(h, "SUMMARY") }')
misaligned=$(printf '%s\n' "$out" | sed -n '/^STRATEGY /,/^$/p' |
	sed '/^$/d' | tail -n +2 |
	grep -v '^ ' | awk -v u="$ucol" -v s="$scol" '
	{ f = substr($0, u, 4); if (f != "yes " && f != "no  ") print;
	  else if (substr($0, s - 1, 1) != " " || substr($0, s, 1) == " ") print }')
if [ -n "$(printf '%s' "$header")" ] && [ -z "$misaligned" ]; then
	pass "columns aligned"
else
	fail "misaligned rows: $misaligned"
fi

# then the reference tools, each with its command, not as strategies
refs=$(printf '%s\n' "$out" | sed -n '/^REFERENCE /,$p' | tail -n +2 |
	awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')
if [ "$refs" = "ref:cp ref:cp-reflink-never ref:dd ref:rsync ref:cp-r ref:cp-a ref:rsync-a ref:tar" ] &&
   printf '%s\n' "$out" | grep -q '^ref:cp-r  *cp -r TREE DST$'; then
	pass "reference tools listed with their commands"
else
	fail "reference tools: [$refs]"
fi

# each unusable strategy is followed by its reason
reasons=$(printf '%s\n' "$out" | awk '
	/^[a-z_]+ / { if (pending) print "no reason: " name; pending = 0 }
	/^[a-z_]+ / && $4 == "no" { pending = 1; name = $1; next }
	/^ +not usable here: ./ { pending = 0 }
	END { if (pending) print "no reason: " name }')
[ -z "$reasons" ] && pass "every unusable strategy has a reason" ||
	fail "$reasons"

fs=$(stat -f -c %T "$TMP")
if [ "$fs" = "ext2/ext3" ]; then
	row=$(printf '%s\n' "$out" | grep -A1 '^reflink ')
	if printf '%s\n' "$row" | head -1 | awk '{exit !($4 == "no")}' &&
	   printf '%s\n' "$row" | tail -1 | grep -Eq '^ +not usable here: .*ext4'; then
		pass "reflink not usable on ext4, with a reason"
	else
		fail "reflink on ext4 should be unusable with a reason: $row"
	fi
else
	skip "reflink-on-ext4 check: $TMP is on $fs, not ext4"
fi

run "$IOBENCH" list --dir "$TMP" --json
expect_rc 0 "list --json"
if printf '%s' "$out" | python3 -c '
import json, sys
want = sys.argv[1].split()
d = json.load(sys.stdin)
names = [s["name"] for s in d["strategies"]]
assert names == want, names
for s in d["strategies"]:
    assert s["ranges"] in ("yes", "aligned", "no"), s
    assert isinstance(s["usable"], bool), s
    assert s["usable"] == (s["reason"] is None), s
    assert s["usable"] or s["reason"], s
    assert ("buffer" in s["tunables"]) == (s["default_buffer"] is not None), s
rw = d["strategies"][0]
assert rw["usable"] and "buffer" in rw["tunables"], rw
' "$want"; then
	pass "JSON: same order, consistent usable/reason"
else
	fail "JSON output invalid or inconsistent"
fi

run "$IOBENCH" list --dir "$TMP/nosuch"
expect_rc 1 "list --dir missing"
expect_err_line "iobench: list: $TMP/nosuch: No such file or directory" \
	"missing dir message"
[ -z "$out" ] || fail "missing dir: stdout not empty"

touch "$TMP/file"
run "$IOBENCH" list --dir "$TMP/file"
expect_rc 1 "list --dir FILE"
expect_err_line "iobench: list: $TMP/file: Not a directory" "file as dir"

run "$IOBENCH" list --bogus
expect_rc 1 "unknown option"
expect_err_line "iobench: list: unknown option '--bogus' (see iobench list --help)" \
	"unknown option message"

run "$IOBENCH" list --dir
expect_rc 1 "--dir without value"
expect_err_line "iobench: list: option '--dir' needs a value" "missing value"

run "$IOBENCH" list extra
expect_rc 1 "stray argument"

run "$IOBENCH" list --help
expect_rc 0 "list --help"
[[ "$out" == "usage: iobench list"* ]] && [ -z "$err" ] &&
	pass "help on stdout" || fail "help: [$out] [$err]"

finish
