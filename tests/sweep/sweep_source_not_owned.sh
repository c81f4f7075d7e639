#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --source as a user who may read the tree but neither owns nor may write
# its files (root's files, run as nobody): the kernel keeps their
# page-cache residency from that user (cachestat EPERM, mincore would
# claim every page resident). The run must not fail: warm cells run with
# residency counted by non-blocking reads, cold cells are skipped with
# the reason, and the note says why. Needs root to switch users (else
# skipped).
set -u
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to run as nobody"
command -v setpriv >/dev/null || skip "setpriv missing"
id nobody >/dev/null 2>&1 || skip "no user nobody"

chmod 755 "$T"
S=$T/tree
mkdir -p "$S/sub" "$T/work" "$T/bin"
for i in 1 2 3 4; do head -c 100000 /dev/urandom >"$S/sub/f$i"; done
head -c 3 /dev/urandom >"$S/tiny"
chmod -R a+rX,go-w "$S"
install -m 755 "$IOBENCH" "$T/bin/iobench"
chown nobody "$T/work"
as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		--inh-caps=-all "$@"
}
as_nobody true 2>/dev/null || skip "cannot switch to nobody here"

(cd "$T/work" && as_nobody "$T/bin/iobench" sweep --source "$S" \
	--strategies rw,copy_file_range --cache warm,cold --samples 6 \
	--budget 2 --no-limits --reference none --dir "$T/work" \
	--out "$T/work/out") >"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "as nobody: exit $rc, expected 0"; }
grep -q 'neither owned nor writable by this user' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "no note on stderr saying why cold cells are skipped"; }
/usr/bin/python3 - "$T/work/out/latest/results.json" <<'PY' || fail "results"
import json, sys
r = json.load(open(sys.argv[1]))
warm = cold = 0
for c in r["cells"]:
    p = c["parameters"]
    name = "%s %s" % (p["strategy"], p["cache"])
    if p["strategy"].startswith("ref:"):
        continue
    if p["cache"] == "cold":
        cold += 1
        assert c["status"] == "skipped", (name, c["status"], c.get("reason"))
        assert "residency" in c["reason"], (name, c["reason"])
        continue
    warm += 1
    assert c["status"] == "ok", (name, c["status"], c.get("reason"))
    for s in c["samples"]:
        # counted for real: resident, and not a guess of -1
        assert s["src_resident_before"] == s["src_pages"], (name, s)
        assert s["residency_ok"], (name, s)
assert warm == 2 and cold == 2, (warm, cold)
PY
finish
