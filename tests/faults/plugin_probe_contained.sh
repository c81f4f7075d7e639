#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A plugin whose probe crashes or never returns: list, sweep, cp and check
# go on without it, each saying why ("its probe crashed: signal 6", "did
# not return within 20 s"), instead of dying with it or hanging; the
# sweep's other strategies are measured and no probe process is left.
# $1: the build directory of tests/plugins (the broken_*.so plugins).
. "$(dirname "$0")/lib.sh"

dir=${1:?the plugins build directory}
crash=$dir/broken_probe_crash.so
hang=$dir/broken_probe_hang.so
[ -f "$crash" ] && [ -f "$hang" ] || die "plugins not built in $dir"
mkdir -p "$T/dir" "$T/res"

# bounded ARGS...: iobench, killed after 120 s (a hang fails, not blocks)
bounded() {
	run timeout -s KILL 120 "$IOBENCH" "$@"
}

bounded list --plugin "$crash" --dir "$T/dir"
if [ "$rc" -ne 0 ] ||
   ! grep -q "broken_probe_crash: its probe crashed: signal 6" <<<"$out"; then
	fail "list with a crashing probe: exit $rc: $(tail -n 3 <<<"$out") $err"
else
	pass "list with a crashing probe: listed as not usable"
fi

# cp with a hanging probe waits out the same 20 s as the sweep's: it
# runs beside the sweeps (judged after them)
echo data >"$T/src"
timeout -s KILL 120 "$IOBENCH" cp --plugin "$hang" -s broken_probe_hang \
	"$T/src" "$T/dst" >/dev/null 2>"$T/cp.err" &
cp_pid=$!
PIDS+=("$cp_pid")

S=(--sizes 4K --cache warm --samples 6 --budget 0.1 --no-limits
   --reference none --dir "$T/dir" --out "$T/res")
for kind in crash hang; do
	case $kind in
	crash) want="its probe crashed: signal 6" what="crashes" ;;
	hang) want="its probe did not return within 20 s" what="hangs" ;;
	esac
	bounded sweep "${S[@]}" --plugin "$dir/broken_probe_$kind.so" \
		--strategies "broken_probe_$kind,rw"
	if [ "$rc" -ne 0 ]; then
		fail "sweep with a probe that $what: exit $rc: $err"
	elif ! grep -q "skipped: broken_probe_$kind: $want" <<<"$err"; then
		fail "sweep with a probe that $what: no reason: $err"
	elif ! grep -q "rw buf .*: ok" <<<"$err"; then
		fail "sweep with a probe that $what: rw not measured: $err"
	elif ! grep -qF "$want" "$T/res/latest/report.md"; then
		fail "sweep with a probe that $what: the report has no reason"
	else
		pass "sweep with a probe that $what: skipped with the reason, rw measured"
	fi
done

wait "$cp_pid"
rc=$?
err=$(cat "$T/cp.err")
if [ "$rc" -ne 2 ] || ! grep -q "did not return within 20 s" <<<"$err"; then
	fail "cp with a hanging probe: exit $rc, expected 2 with the reason: $err"
elif [ -e "$T/dst" ]; then
	fail "cp with a hanging probe: created the destination"
else
	pass "cp with a hanging probe -> $err"
fi

bounded check --plugin "$crash" --dir "$T/dir" --quiet
if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ] ||
   ! grep -q "its probe crashed" <<<"$out$err"; then
	fail "check with a crashing probe: exit $rc: $(tail -n 3 <<<"$out") $err"
else
	pass "check with a crashing probe: exit $rc with the reason"
fi

# the hung probes were killed, not left behind
sleep 0.2
pgrep -f "broken_probe_hang" >/dev/null &&
	fail "a probe process outlived its verb: $(pgrep -af broken_probe_hang)"
finish
