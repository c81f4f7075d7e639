#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --help, the man page and README.md agree: every verb iobench --help
# lists and every long option of every verb's --help appear in the man
# page (options in their verb's section, with their short form) and in
# README.md.
. "$(dirname "$0")/../cli/lib.sh"

scd=$SOURCE_ROOT/dist/iobench.1.scd
readme=$SOURCE_ROOT/README.md

# section TITLE: the man page's "# TITLE" section
section() {
	sed -n "/^# $1\$/,/^# /p" "$scd"
}

for v in $(help_verbs); do
	section VERBS | grep -q "^\*$v\*" && pass "man: verb $v" ||
		fail "man page: verb $v not under VERBS"
	grep -q "iobench $v\b" "$readme" && pass "README: verb $v" ||
		fail "README: no 'iobench $v'"
done

declare -A sect=([sweep]="SWEEP OPTIONS" [compare]="COMPARE OPTIONS"
	[flame]="FLAME OPTIONS" [cp]="CP OPTIONS"
	[list]="LIST AND DOCTOR OPTIONS" [doctor]="LIST AND DOCTOR OPTIONS"
	[device]="DEVICE OPTIONS" [check]="CHECK OPTIONS"
	[calibrate]="CALIBRATE OPTIONS")
for v in $(help_verbs); do
	title=${sect[$v]:-}
	if [ -z "$title" ]; then
		# the presets and profile take sweep's options, none of their own
		[ -z "$(help_options "$v")" ] ||
			fail "$v has options of its own: $(help_options "$v")"
		continue
	fi
	body=$(section "$title")
	[ -n "$body" ] || fail "man page: no section $title"
	n=0
	for o in $(help_options "$v"); do
		n=$((n + 1))
		[ "$o" = --help ] && continue	# under COMMAND LINE
		printf '%s\n' "$body" | grep -q -- "\*$o\*" ||
			fail "man page: $v $o not in $title"
		grep -q -- "$o\b" "$readme" || fail "README: no $v $o"
	done
	while read -r short long; do
		[ "$short" = -h ] && continue
		printf '%s\n' "$body" | grep -qF -- "*$short*, *$long*" ||
			fail "man page: $v: '$short, $long' not in $title"
		grep -qF -- "$short" "$readme" || fail "README: no $v $short"
	done < <(help_shorts "$v")
	pass "$v: $n options in the man page and README"
done
# the size units, in all three
for doc in "$scd" "$readme"; do
	for unit in KiB MB 1000000 1m; do
		grep -q -- "$unit" "$doc" || fail "$doc: sizes: no '$unit'"
	done
done
"$IOBENCH" sweep --help | grep -q '1MB = 1000000' &&
	pass "sweep --help: the units" || fail "sweep --help: no units"

finish
