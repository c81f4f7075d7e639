#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command line's conventions, in every verb: "did you mean" for a
# mistyped verb or option (abbreviations refused), help VERB = VERB --help,
# -V, one meaning per short option, the size units, and --dry-run (the plan,
# nothing created).
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/cwd" "$TMP/dir"
snapshot() {
	find "$TMP/cwd" "$TMP/dir" -printf '%p %s %T@\n' | sort
}

# bad_line WANT DESCRIPTION ARGS...: exit 1, one stderr line containing
# WANT, nothing on stdout, nothing created (run in $TMP/cwd)
bad_line() {
	local want=$1 what=$2
	shift 2
	snapshot >"$TMP/before"
	out=$(cd "$TMP/cwd" && "$IOBENCH" "$@" 2>"$TMP/.stderr")
	rc=$?
	err=$(cat "$TMP/.stderr")
	snapshot >"$TMP/after"
	if [ "$rc" -ne 1 ]; then
		fail "$what: iobench $*: exit $rc, expected 1; stderr: $err"
	elif [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] ||
	     [[ "$err" != "iobench: "*"$want"* ]]; then
		fail "$what: iobench $*: stderr [$err], expected one line with [$want]"
	elif [ -n "$out" ]; then
		fail "$what: iobench $*: printed on stdout: $out"
	elif ! cmp -s "$TMP/before" "$TMP/after" || [ -e "$TMP/out" ]; then
		fail "$what: iobench $*: created files"
	else
		pass "$what: $err"
	fi
}

mapfile -t verbs < <(help_verbs)
[ "${#verbs[@]}" -ge 9 ] && pass "${#verbs[@]} verbs listed" ||
	fail "iobench --help lists ${#verbs[@]} verbs: ${verbs[*]}"

# ---- every option line of every --help has one form (completions, the
# man page check and the tests read them): "-x, --name VALUE" or "--name",
# then two spaces or more and the description
for v in "${verbs[@]}"; do
	odd=$("$IOBENCH" "$v" --help | grep -E '^ {2,8}-' |
		grep -vE '^ {2,8}(-[A-Za-z], )?--[a-z][a-z-]*( [^ ]+)?( {2,}[^ ].*)?$')
	[ -z "$odd" ] && pass "$v --help: option lines well-formed" ||
		fail "$v --help: malformed option lines: $odd"
done

# ---- help VERB is VERB --help, for every verb
for v in "${verbs[@]}"; do
	a=$("$IOBENCH" help "$v" 2>&1)
	rc_a=$?
	b=$("$IOBENCH" "$v" --help 2>&1)
	if [ "$rc_a" -eq 0 ] && [ "$a" = "$b" ] && [[ "$a" == usage:* ]]; then
		pass "help $v = $v --help"
	else
		fail "help $v (exit $rc_a) differs from $v --help: $(diff <(echo "$a") <(echo "$b") | head -n 4)"
	fi
done
[ "$("$IOBENCH" help)" = "$("$IOBENCH" --help)" ] &&
	pass "help = --help" || fail "iobench help differs from --help"
bad_line "unknown verb 'sweeep' (did you mean 'sweep'?)" "help typo" \
	help sweeep
bad_line "help: one verb at a time" "help two verbs" help sweep cp

# ---- -V / --version: version and commit
for f in -V --version; do
	run "$IOBENCH" "$f"
	if [ "$rc" -eq 0 ] && [[ "$out" =~ ^iobench\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ ([0-9a-f]{7,}(-dirty)?|unknown)\)$ ]]; then
		pass "$f: $out"
	else
		fail "$f: exit $rc, [$out] [$err]"
	fi
done

# ---- unknown verbs and global options
bad_line "unknown verb 'sweeep' (did you mean 'sweep'?)" "verb typo" sweeep
bad_line "unknown verb 'comapre' (did you mean 'compare'?)" "verb swap" \
	comapre
bad_line "unknown verb 'lst' (did you mean 'list'?)" "verb deletion" lst
bad_line "unknown verb 'prof' (did you mean 'profile'?)" "verb prefix" prof
bad_line "unknown verb '--verison' (did you mean '--version'?)" \
	"global option typo" --verison
bad_line "unknown verb 'xyzzy' (see iobench --help)" "nothing near" xyzzy

# ---- every long option of every verb: a typo or an abbreviation is an
# error naming it. Safe arguments follow, so an option wrongly accepted
# fails on them instead of running a sweep.
safe_args() {
	case $1 in
	sweep|quick|full|profile) echo --dir "$TMP/missing" ;;
	compare) echo --results "$TMP/missing" ;;
	flame) echo --dir "$TMP/missing" rw ;;
	check) echo --dir "$TMP/missing" ;;
	new-strategy) echo "$TMP/missing/x" ;;
	cp) echo "$TMP/missing" "$TMP/dst" ;;
	doctor|list|device) echo --dir "$TMP/missing" ;;
	esac
}
# typos OPTION: the option cut short by one letter, and with two letters
# swapped, where that makes a name no option has
typos() {
	local name=${1#--}
	echo "--${name%?}"
	[ ${#name} -ge 4 ] && echo "--${name:0:1}${name:2:1}${name:1:1}${name:3}"
}
checked=0
for v in "${verbs[@]}"; do
	opts_verb=$v
	# the presets and profile run sweep's parser: a few of its options
	case $v in quick|full|profile) opts_verb=sweep ;; esac
	mapfile -t opts < <(help_options "$opts_verb")
	[ "$opts_verb" = "$v" ] || opts=("${opts[@]:0:3}")
	# a verb whose --help lists no option (new-strategy) takes --help
	[ "${#opts[@]}" -ge 1 ] || opts=(--help)
	for o in "${opts[@]}"; do
		for t in $(typos "$o"); do
			printf '%s\n' "${opts[@]}" | grep -qxF -- "$t" && continue
			# shellcheck disable=SC2046
			# the presets and profile name themselves
			bad_line "$v: unknown option '$t' (did you mean " \
				"$v $t" "$v" "$t" $(safe_args "$v")
			[[ "$err" == *"'$o'"* ]] ||
				fail "$v $t: '$o' not among the suggestions: $err"
			checked=$((checked + 1))
		done
	done
done
pass "$checked mistyped options refused with suggestions"

# the reported case: --size 1M used to run the default sizes
bad_line "sweep: unknown option '--size' (did you mean '--sizes'?)" \
	"--size for --sizes" sweep --size 1M --dir "$TMP/dir" --out "$TMP/out"
bad_line "quick: unknown option '--size'" "a preset checks too, in its own name" quick --size 1M \
	--dir "$TMP/dir" --out "$TMP/out"
bad_line "did you mean '--sizes', '--strategies', '--sqpoll', ...?" \
	"ambiguous abbreviation" sweep --s 1M --dir "$TMP/dir"
bad_line "sweep: '-dir' reads as -d ir (did you mean '--dir'?)" \
	"one dash" sweep -dir "$TMP/dir"
bad_line "sweep: '-sizes' reads as -s izes (did you mean '--sizes'?)" \
	"one dash" sweep -sizes 1M --dir "$TMP/dir"
bad_line "sweep: unknown option '-x' (see iobench sweep --help)" \
	"unknown short option" sweep -qx --dir "$TMP/dir"
bad_line "sweep: --sizes: missing value (got '--samples')" \
	"value missing" sweep --sizes --samples 6 --dir "$TMP/dir"
bad_line "cp: -s: missing value (got '--verify')" "short value missing" \
	cp -s --verify "$TMP/a" "$TMP/b"
bad_line "list: option '--dir' needs a value" "last value missing" \
	list --dir
bad_line "list: unknown option '--di' (did you mean '--dir'?)" \
	"an abbreviation last on the line" list --di

# ---- one meaning per short option, in every verb that has it
declare -A meaning=(
	[-h]="--help" [-q]="--quiet" [-d]="--dir" [-o]="--out"
	[-s]="--strategy --strategies" [-b]="--buffer --buffers"
	[-Q]="--qd" [-n]="--dry-run"
	# verb-specific letters (one verb each)
	[-v]="--verbose" [-j]="--json" [-a]="--alpha" [-t]="--threshold"
	[-r]="--results" [-l]="--list"
)
declare -A used_by=()
for v in "${verbs[@]}"; do
	while read -r short long; do
		allowed=${meaning[$short]:-}
		if [[ " $allowed " == *" $long "* ]]; then
			used_by[$short]+="$v "
		else
			fail "$v: $short is $long (expected one of: ${allowed:-none})"
		fi
	done < <(help_shorts "$v")
done
for s in -v -j -a -t -r -l; do
	n=$(wc -w <<<"${used_by[$s]:-}")
	[ "$n" -le 1 ] || fail "$s is verb-specific but used by ${used_by[$s]}"
done
[[ "${used_by[-q]:-}" == *sweep* && "${used_by[-q]}" == *flame* ]] &&
	pass "-q is --quiet in: ${used_by[-q]}" || fail "-q: ${used_by[-q]:-}"
[[ "${used_by[-d]:-}" == *sweep* && "${used_by[-d]}" == *list* ]] &&
	pass "-d is --dir in: ${used_by[-d]}" || fail "-d: ${used_by[-d]:-}"
bad_line "cp: unknown option '-q'" "cp -q is not the queue depth" \
	cp -s io_uring -q 4 "$TMP/a" "$TMP/b"
bad_line "cp: unknown option '-d'" "cp -d is not --direct" \
	cp -s io_uring -d "$TMP/a" "$TMP/b"

# ---- sizes: one parser, dd's units
accepted="(accepted: 4096 or 4096B bytes; 4K = 4KiB = 4096"
for v in 1m 1Mb 1KIB 1b 1.5M 4kib; do
	if [ "$v" = 1.5M ]; then want="fractions"; else want=$accepted; fi
	bad_line "$want" "sweep --sizes $v" sweep --sizes "$v" \
		--dir "$TMP/dir" --out "$TMP/out"
	bad_line "$want" "sweep --buffers $v" sweep --buffers "$v" \
		--dir "$TMP/dir" --out "$TMP/out"
	bad_line "$want" "cp --buffer $v" cp -s rw --buffer "$v" \
		"$TMP/a" "$TMP/b"
	bad_line "$want" "flame --size $v" flame --size "$v" rw
	bad_line "$want" "flame --buffer $v" flame --buffer "$v" rw
done

# ---- --dry-run: the plan; nothing run, nothing created
D=(--dir "$TMP/dir" --out "$TMP/out")
snapshot >"$TMP/before"
run "$IOBENCH" sweep --dry-run --sizes 4KB,1MB,4K,1MiB --strategies rw,mmap \
	--cache warm --reference none --no-limits "${D[@]}"
snapshot >"$TMP/after"
expect_rc 0 "sweep --dry-run"
printf '%s\n' "$out" | grep -qE '^sizes: +4000,1000000,4K,1M ' &&
	pass "dry run: 4KB = 4000, 1MB = 1000000, 4K, 1MiB = 1M" ||
	fail "dry run sizes: $out"
printf '%s\n' "$out" | grep -qE '^rw +4 +buf 128K +runs$' &&
	printf '%s\n' "$out" | grep -qE '^mmap +4 +buf 128K +runs$' &&
	pass "one row per strategy" || fail "dry run table: $out"
printf '%s\n' "$out" | grep -qE '^8 cells \(8 to run, 0 skipped\); estimated duration ~[0-9]+ (s|min)$' &&
	pass "cell count and duration" || fail "dry run totals: $out"
cmp -s "$TMP/before" "$TMP/after" && [ ! -e "$TMP/out" ] &&
	pass "dry run created nothing" || fail "dry run created files"
[ -z "$err" ] || fail "dry run wrote to stderr: $err"

# the presets and profile plan the same way (with their own options)
for v in quick full profile; do
	snapshot >"$TMP/before"
	run "$IOBENCH" "$v" -n "${D[@]}"
	snapshot >"$TMP/after"
	if [ "$rc" -eq 0 ] && [[ "$out" == *"estimated duration ~"* ]] &&
	   [[ "$out" == *"dry run: nothing was run or created"* ]] &&
	   cmp -s "$TMP/before" "$TMP/after" && [ ! -e "$TMP/out" ]; then
		pass "$v -n: $(printf '%s\n' "$out" | grep 'cells (')"
	else
		fail "$v -n: exit $rc, $(printf '%s\n' "$out" | tail -n 2) $err"
	fi
done
quick=$("$IOBENCH" quick -n "${D[@]}" | grep -c '^rw ')
full=$("$IOBENCH" full -n "${D[@]}" | sed -n 's/^\([0-9]*\) cells.*/\1/p')
q=$("$IOBENCH" quick -n "${D[@]}" | sed -n 's/^\([0-9]*\) cells.*/\1/p')
[ "$quick" -eq 1 ] && [ "$full" -gt "$q" ] &&
	pass "full plans more cells ($full) than quick ($q)" ||
	fail "quick $q cells, full $full"
printf '%s\n' "$("$IOBENCH" full -n "${D[@]}")" | grep -q 'profiled' &&
	pass "full's plan says it profiles" || fail "full -n: no 'profiled'"
# a dry run still validates: bad input is exit 1
bad_line "--sizes" "dry run validates" sweep -n --sizes 1m "${D[@]}"

finish
