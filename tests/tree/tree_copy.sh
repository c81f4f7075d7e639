#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench sweep --source DIR on a nested tree: strategies with 1 and 2
# threads (a shared queue of the tree's files, directories made inside
# the timing), with --prealloc, --preserve, --sync none,end, warm and
# cold; the whole-tree references cp -r, cp -a, rsync -a and tar | tar.
# Every cell verified, and the tree left exactly as it was: names,
# sizes, mtimes, ctimes, inodes and the files' access times, which are
# made old first so that any plain read would move them. Then as a user
# who is not root (when the machine can switch to one): the references
# either read a read-only view (user namespaces) and leave the atimes,
# or are refused with the reason. Bad input: --preserve without --source.
set -u
. "$(dirname "$0")/../lib.sh"

S="$T/tree"
mkdir -p "$T/dir"
n=0
for d in . a a/b a/b/c d d/e/f/g; do
	mkdir -p "$S/$d"
	for i in 1 2 3 4 5 6 7 8; do
		n=$((n + 1))
		head -c $(( (n * 7919) % 70000 + (n % 5 == 0 ? 300000 : 0) )) \
			/dev/urandom >"$S/$d/f$i"
		chmod $(( n % 2 ? 640 : 755 )) "$S/$d/f$i"
	done
done
: >"$S/a/empty"
n=$((n + 1))
sync

# old atimes, newer mtimes: relatime would update them on a plain read
find "$S" -type f -exec touch -a -d '2001-01-01 00:00:00' {} +
meta() {
	(cd "$S" && find . -printf '%p %y %s %T@ %C@ %i %m\n' | sort &&
	 find . -type f -printf '%p atime %A@\n' | sort)
}
meta >"$T/before"
head -c 100 /dev/urandom >"$T/probe"
touch -a -d '2001-01-01 00:00:00' "$T/probe"
a0=$(stat -c %X "$T/probe")
cat "$T/probe" >/dev/null
[ "$(stat -c %X "$T/probe")" != "$a0" ] ||
	echo "note: reads do not update atime on this mount (noatime): the atime part checks nothing"

refs=cp,tar
command -v rsync >/dev/null && refs=cp,rsync,tar
timeout 600 "$IOBENCH" sweep --source "$S" --strategies rw,copy_file_range \
	--threads 1,2 --cache warm,cold --sync none,end --prealloc fallocate \
	--preserve --reference "$refs" --samples 6 --budget 1 --no-limits \
	--dir "$T/dir" --out "$T/out" >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; die "exit $rc, expected 0"; }
meta >"$T/after"
cmp -s "$T/before" "$T/after" ||
	{ diff "$T/before" "$T/after" | head >&2; fail "the tree changed (atimes included)"; }
assert_no_scratch "$T/dir"
grep -q "source: .*: $n files, .* KiB\|source: .*: $n files, .* MiB" \
	"$T/stderr" || { cat "$T/stderr" >&2; fail "no source line in human units"; }
grep -q "tree ($n files, .*iB) rw .*: ok" "$T/stderr" ||
	fail "progress lines do not name the tree by name, files and size"

check_json "$T/out/latest/results.json" "
refs = '$refs'.split(',')
q = r['request']
assert q['preserve'] is True, q['preserve']
assert q['source_label'].startswith('tree ($n files, '), q['source_label']
seen = {}
for c in r['cells']:
    p = c['parameters']
    name = '%s %s %s %dt' % (p['strategy'], p['cache'], p['sync'],
                             p['threads'])
    ref = p['strategy'].startswith('ref:')
    if ref and p['threads'] > 1:
        assert c['status'] == 'skipped', name
        assert 'one process for the whole tree' in c['reason'], c['reason']
        continue
    assert c['status'] == 'ok', (name, c['status'], c.get('reason'))
    assert c['verified'], name
    assert p['prealloc'] == ('none' if ref else 'fallocate'), (name, p)
    # every sample copies every file, warm-up included
    assert c['copies_verified'] >= $n * (len(c['samples']) + 1), name
    seen[(p['strategy'], p['threads'])] = True
for s in ('rw', 'copy_file_range'):
    assert (s, 1) in seen and (s, 2) in seen, (s, seen)
want = {'ref:cp-r', 'ref:cp-a', 'ref:tar'}
if 'rsync' in refs:
    want.add('ref:rsync-a')
got = {k[0] for k in seen if k[0].startswith('ref:')}
assert got == want, (got, want)
" || fail "results"
grep -q '## Source tree tree (' "$T/out/latest/report.md" ||
	fail "the report does not label the tree"

# by ranges would split each file: skipped with the reason (nothing
# measured: exit 2)
"$IOBENCH" sweep --source "$S" --strategies copy_file_range --threads 2 \
	--parallel ranges --cache warm --samples 6 --budget 1 --no-limits \
	--reference none --dir "$T/dir" --out "$T/out-r" >/dev/null \
	2>"$T/stderr-r"
rc=$?
[ "$rc" -eq 2 ] || { cat "$T/stderr-r" >&2; fail "ranges run: exit $rc, expected 2"; }
grep -q 'not with --source: a tree is copied by files' "$T/stderr-r" ||
	{ cat "$T/stderr-r" >&2; fail "ranges cells not skipped with the reason"; }

expect_bad_sweep "$T/bad" "--preserve needs --source" --dir "$T/dir" \
	--sizes 4K --preserve

# not root: a read-only view in a user namespace, or a clear refusal.
# (The strategies' own reads of files this user does not own cannot use
# O_NOATIME, so the tree's atimes are not compared here.)
nobody_ok=0
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
   id nobody >/dev/null 2>&1; then
	# a machine whose /dev/null is no longer the device (a regular file
	# only root may write) cannot start any tool as another user
	if setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		--inh-caps=-all sh -c ': >/dev/null' 2>/dev/null &&
	   [ -c /dev/null ]; then
		nobody_ok=1
	else
		echo "note: /dev/null is not a device writable by nobody here: the non-root view is not checked"
	fi
else
	echo "note: not root or no setpriv/nobody: the non-root view is not checked"
fi
if [ "$nobody_ok" -eq 1 ]; then
	chmod 755 "$T"
	chmod -R a+rX "$S"
	mkdir -p "$T/work" "$T/bin"
	install -m 755 "$IOBENCH" "$T/bin/iobench"
	chown nobody "$T/work"
	(cd "$T/work" && setpriv --reuid=nobody --regid="$(id -g nobody)" \
		--clear-groups --inh-caps=-all "$T/bin/iobench" sweep \
		--source "$S" --strategies rw --cache warm --samples 6 \
		--budget 1 --no-limits --reference cp --dir "$T/work" \
		--out "$T/work/out") >/dev/null 2>"$T/stderr-nobody"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		check_json "$T/work/out/latest/results.json" "
for c in r['cells']:
    p = c['parameters']
    if not p['strategy'].startswith('ref:') or p['threads'] > 1:
        continue
    ok = c['status'] == 'ok' and c['verified']
    refused = c['status'] == 'skipped' and 'access times' in c['reason']
    assert ok or refused, (p['strategy'], c['status'], c.get('reason'))
    print('as nobody:', p['strategy'], c['status'], c.get('reason') or '')
" || fail "as nobody: results"
	else
		cat "$T/stderr-nobody" >&2
		fail "as nobody: exit $rc"
	fi
fi
finish
