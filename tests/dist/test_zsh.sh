#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The zsh completion parses (zsh -n) and, run with the completion system's
# builtins replaced by stand-ins that print what they are given, offers
# verbs, options and strategy names. Skipped (77) without zsh.
. "$(dirname "$0")/../cli/lib.sh"

command -v zsh >/dev/null || skip "zsh not found (Debian: zsh)"
file=$SOURCE_ROOT/dist/_iobench
run zsh -n "$file"
expect_rc 0 "zsh -n _iobench"
[ "$(head -n 1 "$file")" = "#compdef iobench" ] &&
	pass "first line: #compdef iobench" || fail "first line: $(head -n 1 "$file")"

mkdir -p "$TMP/bin"
ln -s "$IOBENCH" "$TMP/bin/iobench"
cat >"$TMP/drive.zsh" <<'ZSH'
path=($TMP/bin $path)
_call_program() { shift; eval "$*" }
_describe() {
	[[ $1 == -t ]] && shift 2
	shift
	print -rl -- ${${(P)1}%%:*}
}
compadd() {
	local a arr=0
	for a in "$@"; do
		if [[ $a == -a ]]; then arr=1; continue; fi
		[[ $a == - ]] && continue
		if (( arr )); then print -rl -- ${(P)a}; else print -r -- $a; fi
	done
}
_sequence() { "$@" }
_files() { print -r -- "<files $*>" }
_message() { print -r -- "<message $*>" }
source $1 >/dev/null 2>&1 </dev/null
shift
words=("$@")
CURRENT=$#words
PREFIX=$words[-1]
_iobench | grep -- "^$PREFIX"
ZSH
expect() {
	local want=$1 got
	shift
	got=$(TMP=$TMP zsh -f "$TMP/drive.zsh" "$file" "$@" 2>&1)
	printf '%s\n' "$got" | grep -qxF -- "$want" &&
		pass "'$*' offers '$want'" ||
		fail "'$*' offers [$(echo $got)], not '$want'"
}
expect sweep iobench swe
expect --version iobench --ver
expect doctor iobench help doc
expect --dry-run iobench sweep --dry
expect --dry-run iobench full --dry
expect -Q iobench cp -
expect io_uring iobench sweep --strategies io
expect copy_file_range iobench cp -s cop
expect splice iobench flame spl
expect "<files -/>" iobench sweep --dir ""
expect --memory iobench profile --mem
expect stdio iobench profile --memory std
expect full iobench calibrate --preset f

finish
