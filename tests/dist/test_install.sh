#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# meson install into a DESTDIR in this test's temp directory: the binary,
# the man page, the bash and zsh completions, README.md and the results
# JSON Schema, all under the prefix; the installed binary runs, and the
# installed bash completion loads and completes verbs, every verb's
# options and strategy names.
. "$(dirname "$0")/../cli/lib.sh"

# a meson directory option: relative ones are under the prefix
under_prefix() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PREFIX/$1" ;;
	esac
}

D=$TMP/destdir
run meson install -C "$BUILD_ROOT" --destdir "$D" --no-rebuild --quiet
expect_rc 0 "meson install --destdir"
[ "$rc" -eq 0 ] || finish

bin=$D$(under_prefix "$BINDIR")/iobench
man=$D$(under_prefix "$MANDIR")/man1/iobench.1
bashc=$D$(under_prefix "$BASH_COMPLETION_DIR")/iobench
zshc=$D$(under_prefix "$ZSH_COMPLETION_DIR")/_iobench
doc=$D$(under_prefix "$DATADIR")/doc/iobench

# each file, and the same bytes as its source
same() {
	if [ ! -f "$1" ]; then
		fail "not installed: ${1#"$D"}"
	elif ! cmp -s "$1" "$2"; then
		fail "${1#"$D"} differs from $2"
	else
		pass "installed ${1#"$D"}"
	fi
}
[ -x "$bin" ] && pass "installed ${bin#"$D"}" || fail "no ${bin#"$D"}"
if [ "$HAVE_MAN" = 1 ]; then
	same "$man" "$BUILD_ROOT/dist/iobench.1"
else
	[ ! -e "$man" ] && pass "no man page: scdoc was not found" ||
		fail "a man page installed without scdoc"
fi
same "$bashc" "$SOURCE_ROOT/dist/iobench.bash"
same "$zshc" "$SOURCE_ROOT/dist/_iobench"
same "$doc/README.md" "$SOURCE_ROOT/README.md"
same "$doc/results.schema.json" "$SOURCE_ROOT/tests/report/schema.json"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' \
	"$doc/results.schema.json" 2>/dev/null &&
	pass "the schema is JSON" || fail "the installed schema is not JSON"

# everything under the prefix
outside=$(cd "$D" && find . -type f | sed 's/^\.//' | grep -v "^$PREFIX/")
[ -z "$outside" ] && pass "all under $PREFIX" ||
	fail "installed outside $PREFIX: $outside"

# the installed binary runs
run "$bin" --version
[ "$rc" -eq 0 ] && [[ "$out" == "iobench "* ]] && pass "installed: $out" ||
	fail "installed iobench --version: exit $rc [$out] [$err]"

# ---- bash: load the installed completion in a clean shell and complete
complete_with() {
	env -i HOME="$TMP" TMPDIR="$TMP" PATH="$(dirname "$bin"):/usr/bin:/bin" \
		bash --norc --noprofile -c '
		. "$1"
		shift
		if [ "$1" = -p ]; then complete -p iobench; exit; fi
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_iobench
		printf "%s\n" "${COMPREPLY[@]}"' _ "$bashc" "$@"
}
# expect_completion WANT WORDS...: WANT among the completions
expect_completion() {
	local want=$1 got
	shift
	got=$(complete_with "$@" 2>&1)
	if printf '%s\n' "$got" | grep -qxF -- "$want"; then
		pass "'$*' completes '$want'"
	else
		fail "'$*' completes [$(echo $got)], not '$want'"
	fi
}

got=$(complete_with -p 2>&1)
[ "$got" = "complete -F _iobench iobench" ] &&
	pass "complete -p iobench: $got" || fail "complete -p iobench: $got"
expect_completion sweep iobench swe
expect_completion compare iobench help comp
expect_completion --version iobench --ver
expect_completion io_uring iobench sweep --strategies io
expect_completion rw,copy_file_range iobench sweep -s rw,cop
expect_completion copy_file_range iobench cp -s cop
expect_completion splice iobench flame spl
expect_completion --dry-run iobench quick --dry
expect_completion warm,cold iobench sweep --cache warm,
expect_completion spread iobench sweep --pin sp
expect_completion time,memory iobench compare main --fail-on time,mem
expect_completion --memory iobench profile --mem
expect_completion stdio iobench profile --memory std
# every verb's every option, and every strategy
for v in $(help_verbs); do
	ov=$v
	case $v in quick|full|profile) ov=sweep ;; esac
	# profile adds --memory to sweep's (prose in its --help)
	want=$( (help_options "$ov"; [ "$v" = profile ] && echo --memory) |
		sort)
	got=$(complete_with iobench "$v" -- | sort)
	[ "$want" = "$got" ] && pass "$v: $(echo "$want" | wc -l) options" ||
		fail "$v: completions [$(echo $got)], --help [$(echo $want)]"
done
want=$("$bin" list --json --dir "$TMP" |
	python3 -c 'import json, sys
print("\n".join(s["name"] for s in json.load(sys.stdin)["strategies"]))')
got=$(complete_with iobench cp -s "")
[ -n "$want" ] && [ "$want" = "$got" ] &&
	pass "every strategy: $(echo $got)" ||
	fail "strategies [$(echo $got)], iobench list [$(echo $want)]"
# completing writes nothing to the current directory
mkdir "$TMP/cwd"
(cd "$TMP/cwd" && complete_with iobench sweep -s "" >/dev/null)
[ -z "$(ls -A "$TMP/cwd")" ] && pass "completion wrote nothing" ||
	fail "completion wrote: $(ls -A "$TMP/cwd")"

finish
