#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An empty path is bad input for every verb and every path option (never
# "here" or "/"): exit 1, one line naming the option, and nothing created
# anywhere: not in the current directory, not in /.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/cwd" "$T/dir" "$T/out"
echo data >"$T/src"
ls -A / >"$T/root.before"

# What a run with --out "" put in / (a run directory, latest): removed.
undo_root() {
	local e
	for e in $(ls -A / | comm -13 "$T/root.before" -); do
		if [ "$e" = latest ] && [ -L "/$e" ]; then
			rm -f "/$e"
		elif [ -e "/$e/results.json" ] || [ -e "/$e/report.md" ]; then
			rm -rf "/${e:?}"
		fi
	done
}

# empty WANT ARGS...: run in an empty current directory
empty() {
	local want=$1 rc before=$fails
	shift
	(cd "$T/cwd" && "$IOBENCH" "$@" >"$T/stdout" 2>"$T/stderr")
	rc=$?
	[ "$rc" -eq 1 ] || fail "$*: exit $rc, expected 1 ($(cat "$T/stderr"))"
	[ "$(wc -l <"$T/stderr")" -eq 1 ] || fail "$*: not one line: $(cat "$T/stderr")"
	grep -qF -- "$want" "$T/stderr" || fail "$*: message: $(cat "$T/stderr")"
	[ -z "$(ls -A "$T/cwd")" ] || {
		fail "$*: created $(ls -A "$T/cwd") in the current directory"
		rm -rf "$T/cwd" && mkdir "$T/cwd"
	}
	[ -z "$(ls -A "$T/dir")" ] || fail "$*: created files in --dir"
	ls -A / | cmp -s "$T/root.before" - || {
		fail "$*: created in /: $(ls -A / | comm -13 "$T/root.before" -)"
		undo_root
	}
	[ "$fails" -eq "$before" ] && pass "$* -> $(cat "$T/stderr")"
}

S=(--sizes 4K --strategies rw --samples 6 --budget 0.1 --no-limits)
empty "--out: empty path" sweep "${S[@]}" --dir "$T/dir" --out ""
empty "--dir: empty path" sweep "${S[@]}" --dir "" --out "$T/out"
empty "--source: empty path" sweep --strategies rw --dir "$T/dir" --source ""
empty "--out: empty path" profile "${S[@]}" --dir "$T/dir" --out ""
empty "--out: empty path" quick --dir "$T/dir" --out ""
empty "--out: empty path" compare --out "" a b
empty "--results: empty path" compare --results "" a b
empty "BASE: empty path" compare "" b
empty "NEW: empty path" compare a ""
empty "--out: empty path" flame rw --dir "$T/dir" --out ""
empty "--folded: empty path" flame rw --dir "$T/dir" --folded ""
empty "--dir: empty path" flame rw --dir ""
empty "--dir: empty path" doctor --dir ""
empty "--dir: empty path" list --dir ""
empty "--out: empty path" device --dir "$T/dir" --jobs metadata --out ""
empty "--json: empty path" device --dir "$T/dir" --jobs metadata --json ""
empty "--dir: empty path" device --dir "" --jobs metadata
finish
