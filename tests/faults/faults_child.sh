#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A cell's sample process killed (SIGKILL), crashing (SIGSEGV) or hanging
# past --timeout (all injected with the test-only IOBENCH_FAULT hook) fails
# only that cell, with the reason recorded; the other strategy's cell
# completes, the sweep exits 3 and leaves no scratch directory.
. "$(dirname "$0")/lib.sh"

# fault KIND EXPECTED_REASON [OPTIONS...]
fault() {
	local kind=$1 want=$2 rc t0 t1 before=$fails
	shift 2
	mkdir "$T/$kind"
	t0=$(date +%s)
	IOBENCH_FAULT="$kind:sendfile" "$IOBENCH" sweep --sizes 4K \
		--strategies rw,sendfile --cache warm --samples 6 \
		--budget 0.2 --no-limits --reference none --dir "$T/$kind" --out "$T/out-$kind" --quiet \
		"$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	t1=$(date +%s)
	[ "$rc" -eq 3 ] || { cat "$T/stderr"; fail "$kind: exit $rc, expected 3"; }
	assert_no_scratch "$T/$kind" "$kind"
	[ -z "$(ls -A "$T/$kind")" ] || fail "$kind: files left in --dir"
	check_json "$T/out-$kind/latest/results.json" "
bad, good = cells['sendfile'], cells['rw']
assert bad['status'] == 'failed', bad['status']
assert bad['reason'] == 'sendfile: ' + '$want', bad['reason']
assert good['status'] == 'ok', good
assert len(good['samples']) >= 6
assert run['incomplete'] is False
print('sendfile:', bad['reason'])
" || fail "$kind: results"
	[ "$fails" -eq "$before" ] &&
		pass "$kind: recorded on its cell, sweep went on ($((t1 - t0)) s)"
}

fault kill "crashed: signal 9 (SIGKILL)"
fault crash "crashed: signal 11 (SIGSEGV)"
fault hang "timed out after 1 s" --timeout 1
finish
