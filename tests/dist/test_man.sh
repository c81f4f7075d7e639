#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench(1) renders (man -l, else groff) without warnings, with its NAME,
# SYNOPSIS and EXIT STATUS sections and every verb. Skipped (77) when the
# man page was not built (no scdoc).
. "$(dirname "$0")/../cli/lib.sh"

page=$BUILD_ROOT/dist/iobench.1
[ "$HAVE_MAN" = 1 ] || skip "the man page was not built: scdoc not found"
command -v groff >/dev/null || skip "groff not found (Debian: groff-base)"

warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
[ -z "$warnings" ] && pass "groff: no warnings" || fail "groff: $warnings"
if command -v man >/dev/null; then
	text=$(MANWIDTH=80 man -l "$page" 2>"$TMP/man.err")
	rc=$?
	how="man -l"
else
	text=$(groff -man -Tutf8 "$page" 2>"$TMP/man.err")
	rc=$?
	how="groff -man"
fi
[ "$rc" -eq 0 ] && [ ! -s "$TMP/man.err" ] && pass "$how exits 0" ||
	fail "$how: exit $rc: $(cat "$TMP/man.err")"
text=$(printf '%s\n' "$text" | sed 's/.\x08//g')
for section in NAME SYNOPSIS DESCRIPTION VERBS SIZES "SWEEP OPTIONS" \
	       "EXIT STATUS" FILES "SEE ALSO"; do
	printf '%s\n' "$text" | grep -qx "$section" ||
		fail "no $section section"
done
printf '%s\n' "$text" | grep -A1 -x NAME | grep -q '^ *iobench - ' &&
	pass "NAME: $(printf '%s\n' "$text" | grep -A1 -x NAME | tail -n 1)" ||
	fail "NAME section lacks 'iobench - '"
for v in $(help_verbs); do
	printf '%s\n' "$text" | grep -qE "^ +$v( |$)" ||
		fail "verb $v not in the rendered page"
done
pass "every verb rendered"

finish
