#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input to every verb: malformed option values and defective results
# or baseline files. Each must give exit 1 (the documented "bad input"),
# exactly one line on stderr starting "iobench: ", nothing on stdout, and
# create nothing: the working directory, --dir and the results tree are
# compared before and after, and --out must not appear.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/cwd" "$T/dir" "$T/res/baselines"
: >"$T/file"
head -c 4096 /dev/urandom >"$T/src"
tried=0

snapshot() {
	tree_sum "$T/cwd"
	tree_sum "$T/dir"
	tree_sum "$T/res"
	cksum "$T/src"
}

# bad WANT_IN_STDERR ARGS...: the iobench command line ARGS is bad input.
bad() {
	local want=$1 rc lines
	shift
	tried=$((tried + 1))
	snapshot >"$T/snap.before"
	(cd "$T/cwd" && exec "$IOBENCH" "$@") >"$T/stdout" 2>"$T/stderr"
	rc=$?
	lines=$(wc -l <"$T/stderr")
	snapshot >"$T/snap.after"
	if [ "$rc" -ne 1 ]; then
		fail "iobench $*: exit $rc, expected 1: $(head -n 3 "$T/stderr")"
	elif [ "$lines" -ne 1 ] || ! grep -q '^iobench: ' "$T/stderr"; then
		fail "iobench $*: $lines lines on stderr: $(head -n 3 "$T/stderr")"
	elif ! grep -qF -- "$want" "$T/stderr"; then
		fail "iobench $*: stderr lacks '$want': $(cat "$T/stderr")"
	elif [ -s "$T/stdout" ]; then
		fail "iobench $*: printed on stdout: $(head -n 2 "$T/stdout")"
	elif ! cmp -s "$T/snap.before" "$T/snap.after"; then
		fail "iobench $*: created or changed files: $(diff "$T/snap.before" "$T/snap.after" | head -n 4)"
	elif [ -e "$T/out" ] || [ -e "$T/dst" ]; then
		fail "iobench $*: created --out or DST"
	else
		echo "ok: iobench $* -> $(cat "$T/stderr")"
	fi
	rm -rf "$T/out" "$T/dst"
}

# ---- verbs and global usage
bad "unknown verb 'sweeep'" sweeep
bad "unknown verb ''" ""
bad "unknown verb '--bogus'" --bogus

# ---- sweep: every option's malformed values
S=(sweep --dir "$T/dir" --out "$T/out" --samples 6)
for v in 1Q -1 1.5M 99999999T 2T '' , 4K, ,4K 4K,,1M 4K,4K 1K,1024 0x10 \
	 ' 4K' 4K' ' 1e3 18446744073709551616 K 4KK 4KiBB 1m 1Mb 4kib 1b; do
	bad "--sizes" "${S[@]}" --sizes "$v"
done
for v in '' rww RW 'rw,rw' 'all,rw' 'rw,' ',rw' 'rw,,mmap' 'io-uring'; do
	bad "--strategies" "${S[@]}" --strategies "$v"
done
bad "did you mean 'io_uring'" "${S[@]}" --strategies io-uring
bad "did you mean 'sendfile'" "${S[@]}" --strategies sendfil
for v in '' 0 1 511 1Q 2G 4K,4K -4K 1.5K; do
	bad "--buffers" "${S[@]}" --buffers "$v"
done
for v in '' 0 -1 65537 1,1 x 3.5 99999999999999999999; do
	bad "--qd" "${S[@]}" --qd "$v"
done
for v in 0 5 -6 abc '' 6.5 1000001 99999999999999999999; do
	bad "--samples" "${S[@]}" --samples "$v"
done
for v in 0 -1 abc '' nan inf 1e999 86401 0x; do
	bad "--budget" "${S[@]}" --budget "$v"
	bad "--timeout" "${S[@]}" --timeout "$v"
done
for v in -5 abc '' 18446744073709551616 1.5; do
	bad "--seed" "${S[@]}" --seed "$v"
done
for v in '' hot warm,,cold 'warm,hot'; do
	bad "--cache" "${S[@]}" --cache "$v"
done
for v in '' later none,,end; do
	bad "--sync" "${S[@]}" --sync "$v"
done
for v in '' maybe YES; do
	bad "--direct" "${S[@]}" --direct "$v"
done
for v in '' ones; do
	bad "--content" "${S[@]}" --content "$v"
done
for v in '' ../x .hidden 'a b' 'a/b'; do
	bad "--save-baseline" "${S[@]}" --save-baseline "$v"
done
for v in 0 -1 257 x 1,1 ""; do
	bad "--threads" "${S[@]}" --threads "$v"
done
bad "unknown option '--bogus'" "${S[@]}" --bogus
bad "needs a value" "${S[@]}" --sizes
bad "unexpected argument" "${S[@]}" extra
bad "No such file or directory" sweep --dir "$T/missing" --out "$T/out"
bad "not a directory" sweep --dir "$T/file" --out "$T/out"
bad "--out" sweep --dir "$T/dir" --out "$T/file"
bad "--out" sweep --dir "$T/dir" --out "$T/file/sub"

# ---- cp
bad "-s" cp "$T/src" "$T/dst"
bad "did you mean 'mmap'" cp -s mmapp "$T/src" "$T/dst"
bad "unknown strategy" cp -s zzzz "$T/src" "$T/dst"
for v in 1Q 0 -1 2G 1.5M ''; do
	bad "--buffer" cp -s rw -b "$v" "$T/src" "$T/dst"
done
for v in 0 -1 5000 x ''; do
	bad "--qd" cp -s io_uring -Q "$v" "$T/src" "$T/dst"
done
bad "does not take --qd" cp -s rw -Q 4 "$T/src" "$T/dst"
bad "does not take --direct" cp -s stdio --direct "$T/src" "$T/dst"
bad "No such file" cp -s rw "$T/nosuch" "$T/dst"
bad "regular file" cp -s rw "$T/dir" "$T/dst"
bad "same file" cp -s rw "$T/src" "$T/src"
bad "" cp -s rw "$T/src"
bad "" cp -s rw "$T/src" "$T/dst" "$T/extra"
bad "unknown option" cp -s rw --bogus "$T/src" "$T/dst"

# ---- list and doctor
bad "" list --dir "$T/missing"
bad "" list --dir "$T/file"
bad "" list extra
bad "unknown option" list --bogus
bad "" doctor --dir "$T/missing"
bad "" doctor --dir "$T/file"
bad "" doctor extra
bad "unknown option" doctor --json-ish

# ---- compare: options, then defective results and baseline files
"$IOBENCH" sweep --sizes 4K --strategies rw --cache warm --samples 6 \
	--budget 0.1 --no-limits --reference none --dir "$T/dir" --out "$T/res" \
	--quiet --save-baseline good >/dev/null 2>"$T/stderr" ||
	{ cat "$T/stderr"; fail "cannot make a results file to corrupt"; finish; }
good=$T/res/baselines/good.json
C=(compare --results "$T/res" --out "$T/out")
for v in 0 1 2 -0.1 x '' nan; do
	bad "--alpha" "${C[@]}" --alpha "$v" good good
done
for v in -1 x '' nan 1e999; do
	bad "--threshold" "${C[@]}" --threshold "$v" good good
done
bad "" "${C[@]}" nosuchbaseline good
bad "" compare --results "$T/missing" --out "$T/out"
bad "" "${C[@]}" good good extra

# defect NAME PYTHON_EXPR_ON_TEXT: bad file made from the good one's text
defect() {
	local name=$1 expr=$2
	/usr/bin/python3 - "$good" "$T/bad/$name.json" "$expr" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
doc = json.loads(text)
out = eval(sys.argv[3])
mode = "wb" if isinstance(out, bytes) else "w"
open(sys.argv[2], mode).write(out)
PY
	tried=$((tried + 2))
	for side in base new; do
		tried=$((tried - 1))
		if [ "$side" = base ]; then
			bad "" "${C[@]}" "$T/bad/$name.json" good
		else
			bad "" "${C[@]}" good "$T/bad/$name.json"
		fi
	done
}
mkdir "$T/bad"
j() { echo "json.dumps($1)"; }
defect empty "''"
defect whitespace "' \n\t '"
defect nul "b'\0' * 64"
defect binary "bytes(range(256)) * 4"
defect not_json "'hello, world\n'"
defect trunc10 "text[:len(text) // 10]"
defect trunc50 "text[:len(text) // 2]"
defect trunc99 "text[:-2]"
defect trailing "text + '}'"
defect array "'[]'"
defect null "'null'"
defect number "'42'"
defect empty_object "'{}'"
defect wrong_schema "$(j "dict(doc, schema='iobench/9')")"
defect schema_number "$(j "dict(doc, schema=1)")"
defect no_schema "$(j "{k: v for k, v in doc.items() if k != 'schema'}")"
defect no_cells "$(j "{k: v for k, v in doc.items() if k != 'cells'}")"
defect no_run "$(j "{k: v for k, v in doc.items() if k != 'run'}")"
defect cells_string "$(j "dict(doc, cells='many')")"
defect cells_object "$(j "dict(doc, cells={})")"
defect cell_number "$(j "dict(doc, cells=[1])")"
defect no_parameters "$(j "dict(doc, cells=[{k: v for k, v in doc['cells'][0].items() if k != 'parameters'}])")"
defect no_samples "$(j "dict(doc, cells=[{k: v for k, v in doc['cells'][0].items() if k != 'samples'}])")"
defect samples_string "$(j "dict(doc, cells=[dict(doc['cells'][0], samples='x')])")"
defect size_string "$(j "dict(doc, cells=[dict(doc['cells'][0], parameters=dict(doc['cells'][0]['parameters'], size='4K'))])")"
defect size_negative "$(j "dict(doc, cells=[dict(doc['cells'][0], parameters=dict(doc['cells'][0]['parameters'], size=-4096))])")"
defect size_huge "$(j "dict(doc, cells=[dict(doc['cells'][0], parameters=dict(doc['cells'][0]['parameters'], size=10**30))])")"
defect size_float "$(j "dict(doc, cells=[dict(doc['cells'][0], parameters=dict(doc['cells'][0]['parameters'], size=4096.5))])")"
defect status_unknown "$(j "dict(doc, cells=[dict(doc['cells'][0], status='great')])")"
defect strategy_number "$(j "dict(doc, cells=[dict(doc['cells'][0], parameters=dict(doc['cells'][0]['parameters'], strategy=7))])")"
defect seconds_string "$(j "dict(doc, cells=[dict(doc['cells'][0], samples=[dict(s, seconds='fast') for s in doc['cells'][0]['samples']])])")"
defect seconds_negative "$(j "dict(doc, cells=[dict(doc['cells'][0], samples=[dict(s, seconds=-1.0) for s in doc['cells'][0]['samples']])])")"
defect seconds_huge "text.replace('\"seconds\": ', '\"seconds\": 1e999', 1)"
defect huge_int "text.replace('\"samples\": 6', '\"samples\": 184467440737095516160000', 1)"
defect nan_literal "text.replace('\"seconds\": ', '\"seconds\": NaN, \"x\": ', 1)"
defect incomplete "$(j "dict(doc, run=dict(doc['run'], incomplete=True))")"
defect deep "'[' * 100000 + ']' * 100000"
defect dup_cells "text[:-2] + ', \"cells\": 5}'"
echo "bad inputs tried: $tried"
finish
