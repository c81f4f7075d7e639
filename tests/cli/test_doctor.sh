#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench doctor: one well-formed line per check, the checks all present,
# a consistent summary, tools looked up on PATH, bad --dir refused.
. "$(dirname "$0")/lib.sh"

checks=("kernel" "io_uring" "libaio" "directory" "scratch" "O_DIRECT" "reflink"
	"copy_file_range" "cachestat" "drop caches" "perf_event"
	"hw counters" "perf" "gnuplot" "mkfs.xfs" "mkfs.btrfs" "rsync"
	"hwloc" "cpu governor" "page reporting" "filesystem" "fs journal"
	"free space")

run "$IOBENCH" doctor --dir "$TMP"
expect_rc 0 "doctor --dir TMP"
[ -z "$err" ] || fail "doctor wrote to stderr: $err"
body=$(printf '%s\n' "$out" | sed '/^$/,$d')
bad=$(printf '%s\n' "$body" | grep -Ev '^(ok|warn|missing) +[^ ].* [^ ]')
[ -z "$bad" ] && pass "every line starts ok/warn/missing" ||
	fail "malformed lines: $bad"
[ "$(printf '%s\n' "$body" | wc -l)" -eq "${#checks[@]}" ] &&
	pass "${#checks[@]} checks" ||
	fail "$(printf '%s\n' "$body" | wc -l) lines, expected ${#checks[@]}"
for c in "${checks[@]}"; do
	n=$(printf '%s\n' "$body" | cut -c10-28 | sed 's/ *$//' | grep -Fxc "$c")
	[ "$n" -eq 1 ] || fail "check '$c' appears $n times"
done
for word in io_uring O_DIRECT reflink cachestat "hardware counters"; do
	[[ "$out" == *"$word"* ]] || fail "output does not mention $word"
done
# a check that is not ok says what to do
nofix=$(printf '%s\n' "$body" | grep -E '^(warn|missing) ' | grep -v -- ' -> .')
[ -z "$nofix" ] && pass "every warn/missing line says what to do" ||
	fail "no advice: $nofix"
summary=$(printf '%s\n' "$out" | tail -1)
want="$(grep -c '^ok ' <<<"$body") ok, $(grep -c '^warn ' <<<"$body") warn, $(grep -c '^missing ' <<<"$body") missing"
[ "$summary" = "$want" ] && pass "summary matches the lines" ||
	fail "summary [$summary], expected [$want]"
grep -q '^ok       io_uring ' <<<"$body" &&
	grep -Eq '^ok       O_DIRECT .*alignment: memory [0-9]+' <<<"$body" ||
	echo "note: io_uring or O_DIRECT not ok here (allowed)"
grep -Eq "^(ok|missing) +reflink .*$TMP" <<<"$body" ||
	fail "reflink line does not name the directory"
# free page reporting: the delay it states is the kernel's
line=$(grep -E '^[a-z]+ +page reporting ' <<<"$body")
param=/sys/module/page_reporting/parameters/min_free_ms
if [[ "$line" == *" on, once memory has been free "* ]]; then
	[[ "$line" == *" free $(cat "$param") ms"* ]] &&
		pass "page reporting states min_free_ms" ||
		fail "page reporting [$line], min_free_ms $(cat "$param")"
	if [ "$(cat "$param")" -lt 60000 ]; then
		[[ "$line" == "warn "*"-> echo 60000 > $param while measuring" ]] &&
			pass "page reporting at once: a warning with the setting" ||
			fail "page reporting line: $line"
	fi
fi

# tools come from PATH: with an empty PATH perf and gnuplot are missing
mkdir "$TMP/emptybin"
run env PATH="$TMP/emptybin" "$IOBENCH" doctor --dir "$TMP"
expect_rc 0 "doctor with an empty PATH"
grep -q '^missing  gnuplot .*-> apt-get install gnuplot-nox$' <<<"$out" &&
	pass "gnuplot missing, with the package to install" ||
	fail "gnuplot not reported missing: $(grep gnuplot <<<"$out")"

fs=$(stat -f -c %T "$TMP")
[ "$fs" = "ext2/ext3" ] && { grep -q '^ok       filesystem  *ext4 on ' <<<"$body" &&
	pass "filesystem ext4 with device and options" || fail "filesystem line: $(grep filesystem <<<"$body")"; }

run "$IOBENCH" doctor --dir "$TMP/nosuch"
expect_rc 1 "doctor --dir missing"
expect_err_line "iobench: doctor: $TMP/nosuch: No such file or directory" \
	"missing dir message"
run "$IOBENCH" doctor --nope
expect_rc 1 "unknown option"
run "$IOBENCH" doctor --help
expect_rc 0 "doctor --help"
[[ "$out" == "usage: iobench doctor"* ]] || fail "help not on stdout"
finish
