#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An iobench built without MPI refuses sweep --mpi in one line, exit 1,
# nothing created (the binary is otherwise unchanged).
set -u
. "$(dirname "$0")/lib.sh"
[ "${IOBENCH_HAVE_MPI:-0}" = 0 ] ||
	skip "this iobench was built with MPI (meson setup -Dmpi=disabled builds one without)"

mkdir "$T/dir"
run "$IOBENCH" sweep --mpi --sizes 4K --dir "$T/dir" --out "$T/out"
expect_rc 1 "sweep --mpi without MPI"
expect_err_has "sweep: --mpi: this iobench was built without MPI" \
	"sweep --mpi without MPI: one line"
[ ! -e "$T/out" ] || fail "created --out"
[ -z "$(ls -A "$T/dir")" ] || fail "created files in --dir"
finish
