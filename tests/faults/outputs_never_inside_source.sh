#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# No output or scratch path may resolve inside --source, by any route:
# --out several missing levels below the tree, through `..`, through a
# symlink to the tree, --dir inside it or through a symlink; with the
# argument "bind" (root: mount --bind, else skip): --out under a bind
# mount of a directory of the tree, and --save-baseline when OUT/baselines
# is a bind mount of one. Each is refused before any work (exit 1, one
# line naming the option), and the tree is left exactly as it was; --out
# beside the tree works.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/tree/sub/deep" "$T/dir" "$T/out" "$T/elsewhere"
echo "photo" >"$T/tree/a.jpg"
head -c 5000 /dev/urandom >"$T/tree/sub/b.raw"
ln -s "$T/tree" "$T/alias"
tree_sum "$T/tree" >"$T/tree.before"

# refused OPTION CASE ARGS...: exit 1, one line naming OPTION, tree unchanged
refused() {
	local opt=$1 what=$2 rc before=$fails
	shift 2
	"$IOBENCH" sweep --source "$T/tree" --strategies rw --cache warm \
		--samples 6 --budget 0.1 --no-limits --reference none "$@" \
		>"$T/stdout" 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$what: exit $rc, expected 1 ($(cat "$T/stderr"))"
	[ "$(wc -l <"$T/stderr")" -eq 1 ] || fail "$what: not one line: $(cat "$T/stderr")"
	grep -q -- "$opt .* is inside --source" "$T/stderr" ||
		fail "$what: message: $(cat "$T/stderr")"
	tree_sum "$T/tree" >"$T/tree.after"
	cmp -s "$T/tree.before" "$T/tree.after" ||
		{ diff "$T/tree.before" "$T/tree.after"; fail "$what: the tree changed"; }
	[ -z "$(ls -A "$T/dir")" ] || fail "$what: scratch left in --dir"
	[ "$fails" -eq "$before" ] && pass "$what: refused"
}

D=(--dir "$T/dir")
if [ "${1:-}" = bind ]; then
	mkdir -p "$T/bind" "$T/out2/baselines"
	mount --bind "$T/tree/sub" "$T/bind" 2>/dev/null ||
		skip "mount --bind is not permitted here"
	MOUNTS+=("$T/bind")
	mount --bind "$T/tree/sub/deep" "$T/out2/baselines" ||
		die "second bind mount"
	MOUNTS+=("$T/out2/baselines")
	refused --out "--out under a bind mount of a tree directory" \
		"${D[@]}" --out "$T/bind/deep/new/results"
	refused --save-baseline "OUT/baselines bind-mounted from the tree" \
		"${D[@]}" --out "$T/out2" --save-baseline b1
	finish
fi

refused --out "--out two missing levels below the tree" "${D[@]}" \
	--out "$T/tree/new/results"
refused --out "--out through .." "${D[@]}" \
	--out "$T/elsewhere/../tree/sub/../x"
refused --out "--out through a symlink to the tree" "${D[@]}" \
	--out "$T/alias/sub/new/results"
refused --dir "--dir inside the tree" --dir "$T/tree/sub" --out "$T/out"
refused --dir "--dir through a symlink" --dir "$T/alias/sub/deep" \
	--out "$T/out"

# the same tree with --out beside it works, and still leaves it unchanged
before=$fails
"$IOBENCH" sweep --source "$T/tree" --strategies rw --cache warm --samples 6 \
	--budget 0.1 --no-limits --reference none --dir "$T/dir" \
	--out "$T/tree-results" --quiet >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr"; fail "beside the tree: exit $rc"; }
tree_sum "$T/tree" >"$T/tree.after"
cmp -s "$T/tree.before" "$T/tree.after" || fail "beside the tree: the tree changed"
[ "$fails" -eq "$before" ] && pass "--out beside the tree: measured, tree unchanged"
finish
