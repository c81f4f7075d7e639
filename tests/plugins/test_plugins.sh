#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Plugins end to end: a bad plugin is refused with one line naming the
# file and the fault (exit 1); a good one (the new-strategy skeleton)
# appears in list, cp, sweep, its report and compare like a built-in, and
# its option sweeps with --opt; check passes it and fails plugins that
# crash or lose bytes.
# usage: test_plugins.sh PLUGIN_BUILD_DIR   (IOBENCH from the environment)
. "$(dirname "$0")/../cli/lib.sh"

dir=${1:?usage: test_plugins.sh PLUGIN_BUILD_DIR}
good=$dir/skelplug.so
unset IOBENCH_PLUGIN_PATH

# ---- refused: one line naming the file and the fault, exit 1 ----

# refuse KIND TEXT: each plugin-taking verb refuses broken_KIND.so
refuse() {
	local so=$dir/broken_$1.so verb
	for verb in list cp sweep compare check quick; do
		run "$IOBENCH" "$verb" --plugin "$so"
		expect_rc 1 "$verb refuses broken_$1.so"
		expect_err_has "iobench: plugin $so: $2" \
			"$verb: broken_$1.so refused with one line"
	done
}
refuse abi "built for strategy interface 3, not 2"
refuse no_copy "broken_no_copy: no copy hook"
refuse options "broken_options: option chunk lies outside its 8-byte options struct"
refuse no_entry "not an iobench plugin: no iobench_strategy_entry()"
refuse clash "strategy 'rw' is a built-in name: choose another"

run "$IOBENCH" list --plugin "$TMP/missing.so"
expect_rc 1 "a missing plugin"
expect_err_line "iobench: plugin $TMP/missing.so: No such file or directory" \
	"a missing plugin is named"
printf 'not a shared object\n' >"$TMP/text.so"
run "$IOBENCH" list --plugin "$TMP/text.so"
expect_rc 1 "a file that is not a shared object"
expect_err_has "iobench: plugin $TMP/text.so: cannot load: " \
	"a file that is not a shared object is named"

IOBENCH_PLUGIN_PATH=$dir/broken_no_copy.so run "$IOBENCH" list
expect_rc 1 "IOBENCH_PLUGIN_PATH with a bad plugin"
expect_err_has "no copy hook (from IOBENCH_PLUGIN_PATH)" \
	"IOBENCH_PLUGIN_PATH's bad plugin refused with one line"
IOBENCH_PLUGIN_PATH=$dir/broken_abi.so run "$IOBENCH" list --help
expect_rc 0 "--help works even with a bad plugin on IOBENCH_PLUGIN_PATH"

# after the refusal nothing ran: cp created nothing
head -c 100000 /dev/urandom >"$TMP/src"
run "$IOBENCH" cp --plugin "$dir/broken_clash.so" -s rw "$TMP/src" "$TMP/never"
[ ! -e "$TMP/never" ] && pass "a refused plugin leaves cp's DST uncreated" ||
	fail "cp ran although its plugin was refused"

# ---- a good plugin, like a built-in ----

run "$IOBENCH" list --plugin "$good" --dir "$TMP"
expect_rc 0 "list --plugin skelplug.so"
names=$(printf '%s\n' "$out" | sed -n '/^STRATEGY /,/^$/p' | tail -n +2 | grep -v '^$' |
	grep -v '^ ' | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')
case $names in
"rw stdio mmap sendfile copy_file_range splice io_uring odirect libaio reflink skelplug")
	pass "the plugin's strategy follows the built-ins" ;;
*) fail "list order: [$names]" ;;
esac
printf '%s\n' "$out" | grep -A2 '^skelplug ' | grep -q "plugin: $good" &&
	pass "list names the plugin's file" || fail "no plugin line: $out"
"$IOBENCH" list --plugin "$good" --json --dir "$TMP" >"$TMP/list.json"
python3 - "$good" "$TMP/list.json" <<'EOF' && pass "list --json: plugin, options" ||
import json, sys
d = {s["name"]: s for s in json.load(open(sys.argv[2]))["strategies"]}
s = d["skelplug"]
assert s["plugin"] == sys.argv[1], s
assert d["rw"]["plugin"] is None
assert [o["name"] for o in s["options"]] == ["chunk"], s
assert s["options"][0]["type"] == "size" and s["options"][0]["default"] == 262144
EOF
	fail "list --json: $(cat "$TMP/list.json")"

# the same file twice (--plugin and a directory on IOBENCH_PLUGIN_PATH):
# loaded once
mkdir "$TMP/plugdir"
ln -s "$good" "$TMP/plugdir/skelplug.so"
cp "$dir/broken_lossy.so" "$dir/broken_crash.so" "$TMP/plugdir/"
IOBENCH_PLUGIN_PATH=":$TMP/plugdir:" run "$IOBENCH" list --plugin "$good" \
	--dir "$TMP"
expect_rc 0 "the same plugin from IOBENCH_PLUGIN_PATH and --plugin"
names=$(printf '%s\n' "$out" | sed -n '/^STRATEGY /,/^$/p' | tail -n +2 | grep -v '^$' |
	grep -v '^ ' | awk '{print $1}' | tail -n 3 | tr '\n' ' ')
[ "$names" = "broken_crash broken_lossy skelplug " ] &&
	pass "a plugin directory loads in name order, each file once" ||
	fail "plugin directory: [$names]"

run "$IOBENCH" cp --plugin "$good" -s skelplug --opt chunk=64K "$TMP/src" \
	"$TMP/dst"
expect_rc 0 "cp -s skelplug --opt chunk=64K"
cmp -s "$TMP/src" "$TMP/dst" && pass "cp through the plugin: same bytes" ||
	fail "cp through the plugin: bytes differ"
run "$IOBENCH" cp --plugin "$good" -s skelplug --opt chunk=1K "$TMP/src" \
	"$TMP/dst2"
expect_rc 1 "a value outside the plugin option's range"
expect_err_line "iobench: cp: --opt '1K': skelplug takes 4K to 64M" \
	"the plugin option's range is named"
run "$IOBENCH" cp -s skelplug "$TMP/src" "$TMP/dst2"
expect_rc 1 "without --plugin the strategy is unknown"

# sweep: the plugin's option swept by --opt, results, report, compare
sweep() {
	"$IOBENCH" sweep --plugin "$good" --strategies skelplug,rw \
		--opt chunk=64K,1M --sizes 64K --cache warm --samples 6 \
		--budget 1 --no-limits --reference none --dir "$TMP" \
		--out "$TMP/results" -q "$@"
}
run sweep --save-baseline plug
expect_rc 0 "sweep --plugin --opt chunk=64K,1M"
json=$TMP/results/latest/results.json
python3 - "$json" "$good" <<'EOF' && pass "results.json: one cell per chunk, measured; request.plugins" ||
import json, sys
cells = json.load(open(sys.argv[1]))["cells"]
plug = [c for c in cells if c["parameters"]["strategy"] == "skelplug"]
chunks = sorted(c["parameters"]["tunables"]["chunk"] for c in plug)
assert chunks == [65536, 1048576], chunks
assert all(c["status"] == "ok" for c in plug), [c["status"] for c in plug]
assert any(c["parameters"]["strategy"] == "rw" for c in cells)
plugins = json.load(open(sys.argv[1]))["request"]["plugins"]
assert plugins == {"skelplug": sys.argv[2]}, plugins
EOF
	fail "results.json cells: $(head -c 400 "$json")"
run python3 "$SOURCE_ROOT/tests/report/validate_schema.py" \
	"$SOURCE_ROOT/tests/report/schema.json" --files "$json"
case $rc in
0) pass "results.json of a plugin sweep matches the schema" ;;
77) skip "schema: $out" ;;
*) fail "schema: $out" ;;
esac
report=$TMP/results/latest/report.md
grep -Eq '`skelplug`(\*\*)? \| chunk 64K' "$report" &&
	grep -Eq '`skelplug`(\*\*)? \| chunk 1M' "$report" &&
	pass "report rows for each chunk" || fail "report rows: $(grep skelplug "$report")"
grep -q "iobench sweep --plugin $good .*--opt chunk=64K,1M" "$report" &&
	pass "the report's explicit command line loads the plugin" ||
	fail "reproduce line: $(grep -A2 'every option explicit' "$report")"

run sweep
expect_rc 0 "a second sweep"
run "$IOBENCH" compare plug --plugin "$good" --results "$TMP/results" \
	--out "$TMP/cmp"
case $rc in
0 | 4) pass "compare --plugin (exit $rc)" ;;
*) fail "compare --plugin: exit $rc: $err" ;;
esac
grep -q 'skelplug' "$TMP/cmp/compare.md" 2>/dev/null &&
	pass "compare matches the plugin's cells" ||
	fail "compare.md has no skelplug row (rc $rc, $err)"

run sweep --opt nosuch=1
expect_rc 1 "an option no strategy declares"

# ---- check ----

run "$IOBENCH" check --plugin "$good" --dir "$TMP"
expect_rc 0 "check --plugin skelplug.so"
printf '%s\n' "$out" | grep -q '^  PASS  whole file: 4097 bytes' &&
	printf '%s\n' "$out" | grep -q '^  PASS  range: src_off=4097 dst_off=13 len=65537' &&
	printf '%s\n' "$out" | grep -Eq '^  (PASS|SKIP)  ENOSPC: ' &&
	printf '%s\n' "$out" | grep -Eq '^[0-9]+ passed, 0 failed, [0-9]+ skipped$' &&
	pass "check prints a line per case and the totals" ||
	fail "check output: $out"
printf '%s\n' "$out" | grep -q '^  FAIL' && fail "check: a FAIL line: $out"

run "$IOBENCH" check --plugin "$dir/broken_lossy.so" --dir "$TMP"
expect_rc 3 "check fails a plugin that drops the last byte of odd sizes"
printf '%s\n' "$out" | grep -q '^  FAIL  whole file: 4097 bytes.*the copy has 4096 bytes, expected 4097' &&
	printf '%s\n' "$out" | grep -q '^  PASS  whole file: 4096 bytes' &&
	pass "the lossy plugin fails exactly the odd sizes" ||
	fail "lossy check output: $out"

run "$IOBENCH" check --plugin "$dir/broken_crash.so" --dir "$TMP" --quiet
expect_rc 3 "check fails a plugin that crashes"
printf '%s\n' "$out" | grep -q '^  FAIL  whole file: 4097 bytes.*crashed (Aborted)' &&
	printf '%s\n' "$out" | grep -q '^  FAIL  split: ' &&
	printf '%s\n' "$out" | grep -Eq '^[0-9]+ passed, [1-9][0-9]* failed' &&
	pass "a crash fails its case, the other groups still run" ||
	fail "crash check output: $out"

# SIGTERM mid-run: the hung group's child is killed, the scratch
# directory removed, exit 143
mkdir "$TMP/stop"
"$IOBENCH" check --plugin "$dir/broken_slow.so" --dir "$TMP/stop" \
	>"$TMP/stop.out" 2>"$TMP/stop.err" &
pid=$!
wait_until 5 grep -q 'whole file: 4096 bytes' "$TMP/stop.out"
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] && pass "check stopped by SIGTERM exits 143" ||
	fail "check after SIGTERM: exit $rc: $(cat "$TMP/stop.err")"
[ -z "$(ls -A "$TMP/stop")" ] && pass "the stopped check left no scratch" ||
	fail "scratch left: $(ls -A "$TMP/stop")"
pgrep -f "broken_slow.so" >/dev/null && fail "a group's child outlived check" ||
	pass "no child of the stopped check is left"

run "$IOBENCH" check -s nosuch
expect_rc 1 "check -s with an unknown strategy"

finish
