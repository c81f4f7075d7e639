#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sweep --mpi refuses what it cannot do, in one line from rank 0, exit 1,
# nothing created: --ranks beyond the job, options that fork or need a
# host of their own, an unknown layout; --ranks, --mpi-layout and
# --stonewall without --mpi.
set -u
. "$(dirname "$0")/lib.sh"
need_mpi

mkdir "$T/dir"
# bad_mpi WANT ARGS...: under mpirun -n 2
bad_mpi() {
	local want=$1
	shift
	mpi_sweep 2 --sizes 4K --dir "$T/dir" --out "$T/out" "$@"
	[ "$rc" -ne 0 ] || fail "$*: mpirun exited 0"
	[ "$(grep -c '^iobench: ' "$T/stderr")" -eq 1 ] ||
		fail "$*: not one line from rank 0: $(cat "$T/stderr")"
	grep -q "^iobench: sweep: .*$want" "$T/stderr" ||
		fail "$*: no '$want': $(cat "$T/stderr")"
	[ ! -e "$T/out" ] || fail "$*: created --out"
	[ -z "$(ls -A "$T/dir")" ] || fail "$*: created files in --dir"
	echo "ok: $* -> $(grep '^iobench: ' "$T/stderr")"
}
bad_mpi "--ranks: .*(the job has 2 ranks)" --ranks 1,3
bad_mpi "--ranks" --ranks 2,2
bad_mpi "--mpi and --threads" --threads 2
bad_mpi "--mpi and --profile" --profile
bad_mpi "--mpi and --reference" --reference dd
bad_mpi "--mpi and --limits" --limits
bad_mpi "--mpi-layout: 'diagonal'" --mpi-layout diagonal
bad_mpi "--stonewall" --stonewall 0x10

for opt in "--ranks 2" "--mpi-layout shared" "--stonewall 1"; do
	# shellcheck disable=SC2086
	run "$IOBENCH" sweep --sizes 4K --dir "$T/dir" --out "$T/out" $opt
	expect_rc 1 "$opt without --mpi"
	expect_err_has "needs --mpi" "$opt without --mpi: one line"
done
finish
