#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `meson install` into a DESTDIR, then use what it installed as a product
# team would: the headers, libiobench.so (soname, only the public names
# exported, versioned), iobench.pc, the man page; the example built with
# `cc $(pkg-config --cflags --libs iobench)` copies byte for byte; a plugin
# written by `iobench new-strategy` builds with meson against the
# installed library and passes `iobench check`.
# usage: test_install.sh BUILD_DIR   (SOURCE_ROOT from the environment)
. "$(dirname "$0")/../cli/lib.sh"

build=${1:?usage: test_install.sh BUILD_DIR}
# what the test resolves must come from the DESTDIR, not the build tree
unset LD_LIBRARY_PATH
src_root=${SOURCE_ROOT:?SOURCE_ROOT is not set (run via meson test)}
for tool in pkg-config cc nm readelf meson ninja; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done

root=$TMP/root
if ! meson install -C "$build" --no-rebuild --destdir "$root" --quiet \
	>"$TMP/install.log" 2>&1; then
	cat "$TMP/install.log"
	fail "meson install --destdir"
	finish
fi
pass "meson install --destdir"

lib=$(find "$root" -name 'libiobench.so.1' | head -n 1)
pc=$(find "$root" -name iobench.pc | head -n 1)
bin=$(find "$root" -path '*/bin/iobench' | head -n 1)
incdir=$(find "$root" -type d -path '*/include/iobench' | head -n 1)
[ -n "$lib" ] && [ -n "$pc" ] && [ -n "$bin" ] && [ -n "$incdir" ] &&
	pass "library, pkg-config file, binary and headers installed" ||
	{ fail "missing: lib=[$lib] pc=[$pc] bin=[$bin] include=[$incdir]"; finish; }
libdir=$(dirname "$lib")
for h in strategy.h helpers.h iobench.h; do
	cmp -s "$incdir/$h" "$src_root/copy_strategies/include/iobench/$h" &&
		pass "header iobench/$h installed" || fail "header iobench/$h"
done
[ -L "$libdir/libiobench.so" ] && [ -L "$lib" ] &&
	pass "libiobench.so -> libiobench.so.1 -> the versioned file" ||
	fail "symlinks: $(ls -l "$libdir"/libiobench*)"
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libiobench.so.1 ] && pass "soname libiobench.so.1" ||
	fail "soname [$soname]"

# exported: exactly the functions the installed headers declare (not
# the plugin entry point, which plugins define), each at a version node
# of iobench.map (IOBENCH_1.0, or IOBENCH_1.1 for the I/O observer)
declared=$(grep -hE '^[a-z]' "$incdir"/*.h |
	grep -oE '\b(iobench|strategy)_[a-z0-9_]+\(' | tr -d '(' |
	grep -vx iobench_strategy_entry | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u)
observer=$(printf '%s\n' "$exported" | grep -c '^strategy_io_.*@@IOBENCH_1\.1$')
[ "$observer" -eq 3 ] && pass "the I/O observer's 3 functions at IOBENCH_1.1" ||
	fail "the I/O observer's functions at IOBENCH_1.1: $observer of 3"

unversioned=$(printf '%s\n' "$exported" | grep -vE '@@IOBENCH_1\.[01]$')
if [ "$(printf '%s\n' "$exported" | sed 's/@@.*//')" = "$declared" ] &&
   [ -z "$unversioned" ]; then
	pass "exports exactly the $(printf '%s\n' "$declared" | wc -l) declared functions, versioned IOBENCH_1.0/1.1"
else
	fail "exports differ from the headers: $(diff <(printf '%s\n' "$declared") \
		<(printf '%s\n' "$exported" | sed 's/@@.*//') | grep '^[<>]' | tr '\n' ' ') unversioned: $unversioned"
fi

man=$(find "$root" -name 'iobench_copy.3' | head -n 1)
if command -v scdoc >/dev/null; then
	if [ -n "$man" ] && grep -q '^\.TH "iobench_copy" "3"' "$man" &&
	   grep -q 'iobench_copy_file' "$man" &&
	   [ -L "$(dirname "$man")/iobench_copy_file.3" ]; then
		pass "man page iobench_copy(3) and its function-name links"
	else
		fail "man page iobench_copy(3): [$man]"
	fi
else
	skip "man page: scdoc is not installed"
fi

# ---- a program of one's own, through pkg-config ----
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_LIBDIR=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs iobench)
[ "$(pkg-config --modversion iobench)" = "$("$IOBENCH" --version |
	awk '{print $2}')" ] && pass "pkg-config --modversion iobench" ||
	fail "modversion $(pkg-config --modversion iobench)"
# shellcheck disable=SC2086
if cc -std=c11 -Wall -Wextra -Werror "$src_root/examples/copy.c" $flags \
	-o "$TMP/copy" 2>"$TMP/cc.log"; then
	pass "examples/copy.c builds with cc \$(pkg-config --cflags --libs iobench)"
else
	fail "compiling the example: $(cat "$TMP/cc.log")"
	finish
fi
# the README's example compiles as it is
sed -n '/^## Using the winner/,/^## /p' "$src_root/README.md" |
	sed -n '/^```c$/,/^```$/p' | sed '1d;$d' >"$TMP/readme.c"
# shellcheck disable=SC2086
if [ -s "$TMP/readme.c" ] && cc -std=c11 -Wall -Wextra -Werror -c \
	"$TMP/readme.c" $flags -o "$TMP/readme.o" 2>"$TMP/cc.log"; then
	pass "the README's example compiles"
else
	fail "the README's example: $(cat "$TMP/cc.log")"
fi
resolved=$(LD_LIBRARY_PATH=$libdir ldd "$TMP/copy" | awk '/libiobench/ { print $3 }')
[ "$resolved" = "$lib" ] && pass "the example runs against the installed library" ||
	fail "libiobench resolved to [$resolved]"

head -c $((5 * 1024 * 1024 + 4097)) /dev/urandom >"$TMP/src"
for args in "" "rw buffer=1M" "sendfile"; do
	rm -f "$TMP/dst"
	# shellcheck disable=SC2086
	run env LD_LIBRARY_PATH="$libdir" "$TMP/copy" "$TMP/src" "$TMP/dst" $args
	expect_rc 0 "copy SRC DST $args"
	cmp -s "$TMP/src" "$TMP/dst" && pass "copy $args: same bytes" ||
		fail "copy $args: bytes differ"
done
run env LD_LIBRARY_PATH="$libdir" "$TMP/copy" "$TMP/src" "$TMP/dst" rw qd=4
expect_rc 1 "an option the strategy does not take"
expect_err_line "copy: rw: option 'qd': no such option (it has: buffer)" \
	"the library's message reaches the program"

# ---- a plugin from the skeleton, against the installed library ----
run "$bin" new-strategy demo "$TMP/demo"
expect_rc 0 "new-strategy demo DIR"
[ -f "$TMP/demo/demo.c" ] && [ -f "$TMP/demo/meson.build" ] &&
	[ -f "$TMP/demo/README.md" ] && pass "the skeleton's three files" ||
	fail "skeleton files: $(ls "$TMP/demo")"
run "$bin" new-strategy demo "$TMP/demo"
expect_rc 1 "new-strategy never overwrites"
expect_err_line "iobench: new-strategy: $TMP/demo/demo.c exists: not overwriting it" \
	"the existing file is named"
run "$bin" new-strategy rw "$TMP/rw"
expect_rc 1 "a built-in's name"
run "$bin" new-strategy Bad-Name "$TMP/bad"
expect_rc 1 "a name that is not a C identifier"
[ ! -e "$TMP/rw" ] && [ ! -e "$TMP/bad" ] && pass "refused: nothing written" ||
	fail "a refused new-strategy wrote something"

if (cd "$TMP/demo" && meson setup build && ninja -C build) \
	>"$TMP/plugin.log" 2>&1; then
	pass "the skeleton builds as it is (meson, pkg-config iobench)"
else
	fail "building the skeleton: $(tail -n 20 "$TMP/plugin.log")"
	finish
fi
plugin=$TMP/demo/build/demo.so
readelf -d "$plugin" | grep -q "RUNPATH.*\[$libdir\]" &&
	pass "the plugin finds libiobench through its runpath" ||
	fail "runpath: $(readelf -d "$plugin" | grep -E 'RUNPATH|RPATH')"
run "$bin" list --plugin "$plugin" --dir "$TMP"
expect_rc 0 "the installed iobench lists the plugin"
printf '%s\n' "$out" | grep -q '^demo .*chunk' && pass "demo and its option listed" ||
	fail "list: $out"
run "$bin" check --plugin "$plugin" --dir "$TMP"
expect_rc 0 "check --plugin demo.so"
printf '%s\n' "$out" | grep -Eq '^[1-9][0-9]* passed, 0 failed' &&
	pass "the skeleton passes the conformance matrix" || fail "check: $out"
run "$bin" cp --plugin "$plugin" -s demo --opt chunk=64K "$TMP/src" "$TMP/dst2"
expect_rc 0 "cp through the skeleton plugin"
cmp -s "$TMP/src" "$TMP/dst2" && pass "same bytes" || fail "bytes differ"

finish
