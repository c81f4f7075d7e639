#!/bin/bash
# SPDX-License-Identifier: MIT
# compare REF end to end in a git repository the test makes: the source
# tree committed, built; an A/A (compare HEAD on a clean tree: exit 0,
# the exact commits recorded), the build cache reused, a planted 20%
# slowdown in one strategy committed on top (compare HEAD~1: exit 4, that
# strategy regressed, nothing else), bad REFs refused with one line, and
# the repository untouched throughout (status, HEAD, stash, worktrees).
. "$(dirname "$0")/../lib.sh"

for tool in git meson ninja tar /usr/bin/python3; do
	command -v "$tool" >/dev/null || skip "$tool is not installed"
done
[ -n "${SOURCE_ROOT:-}" ] && [ -d "$SOURCE_ROOT" ] ||
	die "SOURCE_ROOT is not set (run via meson test)"

repo=$T/repo
cache=$T/cache
res=$T/results
scratch=$T/scratch
mkdir -p "$repo" "$scratch"

# the tracked files as they are now (uncommitted edits included)
if git -C "$SOURCE_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SOURCE_ROOT" && git ls-files -z | tar --null -T - -cf -) |
		tar -xf - -C "$repo" || die "copying the source tree"
else
	skip "$SOURCE_ROOT is not a git checkout"
fi
rm -rf "$repo/build" "$repo/results"
git -C "$repo" init -q || die "git init"
git -C "$repo" config user.email test@example.com
git -C "$repo" config user.name test
git -C "$repo" config commit.gpgsign false
git -C "$repo" add -A && git -C "$repo" commit -qm base ||
	die "committing the tree"

# the working tree's own build: compare runs the binary of the checkout
build_tree() {
	[ -f "$repo/build/build.ninja" ] ||
		meson setup "$repo/build" "$repo" -Dtests=disabled \
			>"$T/setup.log" 2>&1 || { cat "$T/setup.log"; return 1; }
	ninja -C "$repo/build" bench/iobench >"$T/ninja.log" 2>&1 ||
		{ cat "$T/ninja.log"; return 1; }
}
build_tree || die "building the test repository"
bin=$repo/build/bench/iobench

state() {
	git -C "$repo" status --porcelain --ignored
	git -C "$repo" rev-parse HEAD
	git -C "$repo" stash list
	git -C "$repo" worktree list --porcelain
	git -C "$repo" for-each-ref
}

# one size, two strategies, warm: small and quick
sweep=(--sizes 1M --strategies rw,sendfile --cache warm --reference none
       --samples 10 --dir "$scratch")
compare() {
	(cd "$repo" && "$bin" compare "$@" --cache-dir "$cache" \
		--results "$res" -q "${sweep[@]}") >"$T/out" 2>"$T/err"
}
latest_json() {
	ls -d "$res"/compare-*/compare.json 2>/dev/null | sort | tail -1
}

before=$(state)

# ---- bad input: one line, exit 1, nothing built ----
(cd "$repo" && "$bin" compare nosuchref --results "$res") >"$T/out" \
	2>"$T/err"
rc=$?
[ $rc -eq 1 ] || fail "unknown REF: exit $rc, want 1"
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "'nosuchref' is no baseline" \
	"$T/err" && grep -q "nor a commit in $repo" "$T/err" ||
	fail "unknown REF: $(cat "$T/err")"
(cd "$repo" && "$bin" compare --git nosuchref --cache-dir "$cache") \
	>"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	grep -q "'nosuchref' is no commit in" "$T/err" ||
	fail "--git unknown REF: exit $rc: $(cat "$T/err")"
(cd "$T" && "$bin" compare HEAD --runs 2 --cache-dir "$cache") \
	>"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	grep -q "not inside a git checkout" "$T/err" ||
	fail "outside a checkout: exit $rc: $(cat "$T/err")"
[ ! -e "$cache" ] || fail "bad input built something: $(ls "$cache")"
pass "bad REFs: one line, exit 1, nothing built"

# ---- A/A: compare HEAD on a clean tree ----
compare HEAD --runs 2
rc=$?
[ $rc -eq 0 ] || die "A/A: exit $rc: $(cat "$T/err" "$T/out")"
aa=$(latest_json)
/usr/bin/python3 - "$aa" "$(git -C "$repo" rev-parse HEAD)" <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
head = sys.argv[2]
assert d["ref"]["commit"] == head, (d["ref"], head)
assert d["current"]["commit"] == head[:12], d["current"]
assert d["current"]["dirty"] is False
assert d["ref"]["build_reused"] is False
assert d["runs_per_side"] == 2 and d["ref"]["passes"] == 2
# two pairs of passes, each pair both binaries taking turns at once
assert [(p["pass"], p["side"]) for p in d["passes"]] == [
    (1, "current"), (1, "HEAD"), (2, "current"), (2, "HEAD")], d["passes"]
assert d["regressed"] == 0 and not d["failed"], d["summary"]
cells = {c["strategy"]: c for c in d["cells"]}
assert set(cells) == {"rw", "sendfile"}, list(cells)
for c in cells.values():
    assert c["runs_base"] == 2 and c["runs_new"] == 2, c
    # judged on the pairs of samples: 2 passes x 10 rounds
    assert c["paired_samples"] == 20 and not c["paired_runs"], c
    assert c["verdict"] != "regressed", c
runs = {}
for p in d["passes"]:
    r = json.load(open(p["directory"] + "/latest/results.json"))
    assert "--lockstep 3" in r["run"]["command_line"], r["run"]
    runs.setdefault(p["pass"], []).append(r["run"])
for k, (a, b) in runs.items():
    # measured together: each ran while the other did
    assert a["started"][:16] == b["started"][:16] or \
        abs(a["duration"] - b["duration"]) < 5, (k, a, b)
# each pass's own results.json records the binary's exact commit, and
# every pass copies the first pass's batches
assert d["ref"]["same_batches"] is True, d["ref"]
batches = None
for p in d["passes"]:
    r = json.load(open(p["directory"] + "/latest/results.json"))
    assert r["run"]["commit"] == head[:12], (p, r["run"]["commit"])
    b = {c["parameters"]["strategy"]: c["parameters"]["batch"]
         for c in r["cells"]}
    batches = batches or b
    assert b == batches, (p, b, batches)
PY
	fail "A/A compare.json: $aa"
grep -q "| operation | time (HEAD) | time (current) | change | status |" \
	"$T/out" || fail "A/A: no main-vs-current table on stdout"
grep -q "## Memory" "$(dirname "$aa")/compare.md" ||
	fail "A/A: no Memory table in compare.md"
pass "A/A: exit 0, the exact commits of both binaries recorded"

# ---- the build cache: a second compare does not rebuild ----
log=$cache/$(git -C "$repo" rev-parse HEAD)/build.log
stamp=$(stat -c %Y "$log")
compare HEAD --runs 1
rc=$?
# what this step checks is the cache; the A/A verdict is the first
# compare's (2 passes): this one pass may judge a cell the suite's other
# tests loaded (it exited 4 once in a clean-clone run's ASAN suite)
[ $rc -eq 0 ] || [ $rc -eq 4 ] ||
	fail "second compare: exit $rc: $(cat "$T/err")"
/usr/bin/python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["ref"]["build_reused"]' \
	"$(latest_json)" || fail "second compare rebuilt REF"
[ "$(stat -c %Y "$log")" = "$stamp" ] || fail "the build log was rewritten"
pass "build cache reused"

[ "$(state)" = "$before" ] || fail "the checkout changed: $(diff <(echo "$before") <(state))"

# ---- a planted regression: rw does 20% more work ----
sed -i 's/\.slow = planted_slowdown(s->name) };/.slow = strcmp(s->name, "rw") ? planted_slowdown(s->name) : 0.20 };/' \
	"$repo/harness/copy_unit.c"
grep -q '"rw") ? planted_slowdown' "$repo/harness/copy_unit.c" ||
	die "could not plant the slowdown (copy_unit.c changed?)"
git -C "$repo" commit -qam "rw: 20% more work" || die "committing it"
build_tree || die "rebuilding with the slowdown"
before=$(state)
compare HEAD~1 --runs 3
rc=$?
[ "$(state)" = "$before" ] || fail "the checkout changed: $(diff <(echo "$before") <(state))"
/usr/bin/python3 - "$(latest_json)" $rc <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
cells = {c["strategy"]: c for c in d["cells"]}
assert d["ref"]["build_reused"], "HEAD~1 is the first commit: built before"
assert cells["sendfile"]["verdict"] != "regressed", cells["sendfile"]
rw = cells["rw"]
if rw["verdict"] == "regressed":
    assert rc == 4, rc
    assert d["regressed"] == 1 and d["failed"], d["summary"]
    print("ok: planted regression: rw %+.1f%% [%+.1f, %+.1f] regressed, "
          "exit 4" % tuple(100 * (rw[k] - 1) for k in
                           ("time_ratio", "time_ratio_lo", "time_ratio_hi")))
    sys.exit(0)
# not caught: only acceptable when the estimate is right (about +20%)
# but this machine is too noisy now to put its CI beyond the 3%
# threshold (18 pairs under ASAN on a busy machine: [+2.8, +26.1])
half = (rw["time_ratio_hi"] - rw["time_ratio_lo"]) / 2
if 1.10 <= rw["time_ratio"] <= 1.40 and (rw["time_ratio_lo"] <= 1.03 or
                                        half > 0.15):
    print("SKIP: the planted 20%% slowdown was measured (%+.1f%%) but not "
          "resolved: rw's CI [%+.1f, %+.1f] on this machine now (too busy)"
          % tuple(100 * (rw[k] - 1) for k in
                  ("time_ratio", "time_ratio_lo", "time_ratio_hi")))
    sys.exit(77)
print("FAIL: rw not caught: %s" % rw)
sys.exit(1)
PY
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || fail "planted regression"
finish
