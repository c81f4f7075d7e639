#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iobench sweep --source DIR: a real tree (nested directories, 50 files of
# mixed sizes with 0-byte ones, a symlink out of the tree to a FIFO that
# would block if opened, a FIFO inside it) is copied by rw and
# copy_file_range, warm and cold: every cell verified, and the tree left
# exactly as it was (content, sizes, mtimes, ctimes, atimes, no new file).
# Then bad input (exit 1, nothing created) and a change made from outside
# during a run, which must be reported.
set -u
. "$(dirname "$0")/lib.sh"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"

S="$T/tree"
mkdir -p "$S/a/b/c" "$S/d" "$T/dir" "$T/outside"
sizes=(0 0 1 7 511 512 4095 4096 4097 65536 100000 131071 131072 131073
       1048576 1500000)
for i in $(seq 0 49); do
	case $((i % 4)) in
	0) sub=. ;; 1) sub=a ;; 2) sub=a/b/c ;; 3) sub=d ;;
	esac
	head -c "${sizes[$((i % ${#sizes[@]}))]}" /dev/urandom \
		>"$S/$sub/file-$i"
done
mkfifo "$T/outside/fifo"
ln -s "$T/outside/fifo" "$S/a/out-link"
mkfifo "$S/d/inner-fifo"
# written back: evicting a user's file drops clean pages only
sync

# Every entry's name, type, size, mtime, ctime and inode, and each
# file's atime (not a directory's: listing one may update it).
meta() {
	(cd "$S" && find . -printf '%p %y %s %T@ %C@ %i\n' | sort &&
	 find . -type f -printf '%p atime %A@\n' | sort)
}
# Content hashes: reading updates atimes, so hashes are taken before the
# atimes are set and after they are checked.
hashes() {
	(cd "$S" && find . -type f -exec sha256sum {} + | sort)
}
hashes >"$T/hashes-before"

# Old atimes make a plain read visible even under relatime; show that
# this mount does update them, else the atime check proves nothing.
find "$S" -type f -exec touch -a -d '2001-01-01 00:00:00' {} +
head -c 100 /dev/urandom >"$T/probe"
touch -a -d '2001-01-01 00:00:00' "$T/probe"
a0=$(stat -c %X "$T/probe")
cat "$T/probe" >/dev/null
atime_works=1
[ "$(stat -c %X "$T/probe")" != "$a0" ] || atime_works=0
[ "$atime_works" -eq 1 ] ||
	echo "note: reads do not update atime on this mount (noatime): the atime part checks nothing"

meta >"$T/before"
sleep 0.01
touch "$T/stamp"
# a FIFO followed would block the sweep: the timeout turns that into a
# failure instead of a hung test
timeout 150 "$IOBENCH" sweep --source "$S" --strategies rw,copy_file_range \
	--cache warm,cold --samples 6 --budget 2 --no-limits --dir "$T/dir" \
	--out "$T/out" >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "exit $rc, expected 0"; }
meta >"$T/after"
if ! cmp -s "$T/before" "$T/after"; then
	diff "$T/before" "$T/after" >&2
	fail "the source tree changed (names, sizes, times or inodes)"
fi
new=$(find "$S" -newer "$T/stamp" -o -cnewer "$T/stamp" | head -n 3)
[ -z "$new" ] || fail "written inside the source tree: $new"
assert_no_scratch "$T/dir"
grep -q 'source: .*: 50 files, .* 2 other entries skipped' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "no line saying 50 files, 2 skipped"; }
grep -q 'changed during the run' "$T/stderr" &&
	fail "a change reported on an untouched tree"
run=$(readlink "$T/out/latest") || fail "no OUT/latest symlink"

check_py "$T/out/$run" "$(realpath "$S")" <<'PY' || fail "results check"
import json, subprocess, sys

d, root = sys.argv[1], sys.argv[2]
r = json.load(open(d + "/results.json"))

files = subprocess.check_output(
    ["find", root, "-type", "f", "-printf", "%s\\n"]).split()
total = sum(int(x) for x in files)
q = r["request"]
check(q["source"] == root, "request.source %r, expected %r" %
      (q["source"], root))
check(q["source_files"] == 50, "request.source_files %r" % q["source_files"])
check(q["sizes"] == [total], "request.sizes %r, expected [%d]" %
      (q["sizes"], total))
measured = 0
for c in r["cells"]:
    p = c["parameters"]
    name = "%s %s" % (p["strategy"], p["cache"])
    if p["strategy"].startswith("ref:"):
        # one process for the whole tree, through a read-only view of it
        # (root or user namespaces); else refused for the atimes
        check(p["strategy"] in ("ref:cp-r", "ref:cp-a"),
              name + ": not a whole-tree reference")
        check(c["status"] == "ok" and c["verified"] or
              c["status"] == "skipped" and "access times" in c["reason"],
              "%s: %s (%s)" % (name, c["status"], c.get("reason")))
        continue
    if not check_ran(c, name):
        continue
    measured += 1
    check(p["size"] == total, "%s: size %d" % (name, p["size"]))
    check(p["batch"] == 1, "%s: batch %d (one tree)" % (name, p["batch"]))
    check(len(c["samples"]) >= 6, "%s: %d samples" % (name,
                                                       len(c["samples"])))
    check(c["verified"], name + ": not verified")
    # every sample copies all 50 files, warm-up included
    check(c["copies_verified"] >= 50 * (len(c["samples"]) + 1),
          "%s: %d copies verified" % (name, c["copies_verified"]))
    for i, s in enumerate(c["samples"]):
        if p["cache"] == "cold":
            check(s["src_resident_before"] == 0,
                  "%s sample %d: %d source pages resident before" %
                  (name, i, s["src_resident_before"]))
        else:
            check(s["src_resident_before"] == s["src_pages"],
                  "%s sample %d: source not resident" % (name, i))
check(measured in (2, 4), "%d measured cells" % measured)
rep = open(d + "/report.md").read()
name = root.rsplit("/", 1)[1]
head = "## Source tree %s (50 files, " % name
check(head in rep, "report lacks '%s'" % head)
check("At %s: 50 files, %d bytes." % (root, total) in rep,
      "report lacks the tree's path and exact size")
check(") copying the tree %s (50 files, " % name in rep.split("\n")[2] and
      root in rep.split("\n")[2],
      "the summary line does not name the tree: " + rep.split("\n")[2])
check(q["source_label"].startswith(name + " (50 files, ") and
      q["source_label"].endswith("iB)"),
      "request.source_label %r" % q["source_label"])
check("--sizes" not in rep.split("## Reproduce")[1].split("```sh")[2],
      "the reproduce command names --sizes")
check("not regular files skipped" in rep, "report lacks the skip warning")
PY

# the versioned schema (request.source_files included)
check_schema "$T/out/$run/results.json"

# bad input: one line, exit 1, nothing created
expect_bad() {
	expect_bad_sweep "$T/bad-out" "$1" --dir "$T/dir" "${@:2}"
}
mkdir -p "$T/empty/sub"
ln -s "$S/file-0" "$T/empty/sub/link"
expect_bad "No such file or directory" --source "$T/missing"
expect_bad "not a directory" --source "$S/file-4"
expect_bad "no regular file" --source "$T/empty"
expect_bad "--source and --sizes are exclusive" --source "$S" --sizes 4K
expect_bad "is inside --source" --source "$T" --strategies rw
meta >"$T/after-bad"
cmp -s "$T/before" "$T/after-bad" || fail "bad input changed the tree"
hashes >"$T/hashes-after"
cmp -s "$T/hashes-before" "$T/hashes-after" || fail "the tree's content changed"

# a change from outside during the run is reported, the cells stay (a
# reference tool would copy the changed file and fail its verification)
(
	for _ in $(seq 1 2000); do
		if compgen -G "$T/dir/iobench-*" >/dev/null; then
			echo more >>"$S/d/file-3"
			exit 0
		fi
		sleep 0.005
	done
) &
watcher=$!
"$IOBENCH" sweep --source "$S" --strategies rw --reference none \
	--cache warm,cold --no-limits \
	--samples 6 --budget 1 --dir "$T/dir" --out "$T/out2" \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
wait "$watcher" || fail "the watcher never saw the run start"
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "changed tree: exit $rc"; }
grep -q 'changed during the run.*file-3: size changed' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "a change during the run was not reported"; }
grep -q 'changed during the run' "$T/out2/latest/report.md" ||
	fail "the report does not warn about the changed tree"
echo PASS
