# SPDX-License-Identifier: MIT
# This folder's tests use the shared test library, and run iobench under
# mpirun (Open MPI) on this one machine: oversubscribed, as root when the
# tests are. They skip (77) when mpirun cannot run here.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

MPIRUN_ARGS=(--oversubscribe)
[ "$(id -u)" -eq 0 ] && MPIRUN_ARGS+=(--allow-run-as-root)

# need_mpi: skips unless iobench has MPI and mpirun starts processes.
need_mpi() {
	[ "${IOBENCH_HAVE_MPI:-0}" = 1 ] ||
		skip "iobench was built without MPI (apt-get install libopenmpi-dev openmpi-bin; meson setup --reconfigure build -Dmpi=enabled)"
	command -v mpirun >/dev/null ||
		skip "mpirun is not installed (apt-get install openmpi-bin)"
	mpirun "${MPIRUN_ARGS[@]}" -n 2 true >"$T/mpirun.log" 2>&1 ||
		skip "mpirun cannot start processes here: $(head -c 300 "$T/mpirun.log")"
}

# mpi_sweep N ARGS...: mpirun -n N iobench sweep --mpi ARGS; sets rc,
# with stdout in $T/stdout and stderr in $T/stderr.
mpi_sweep() {
	local n=$1
	shift
	mpirun "${MPIRUN_ARGS[@]}" -x IOBENCH_FAULT -n "$n" \
		"$IOBENCH" sweep --mpi "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
}

# mpi_sweep_started N ARGS...: mpirun -n N iobench sweep --mpi ARGS
# --dir $T/dir (made here) in the background, its pid in $mpirun_pid,
# stdout and stderr in $T/stdout and $T/stderr; returns once every rank
# has made its scratch directory (10 s at most) and 2 s more have passed.
mpi_sweep_started() {
	local n=$1
	shift
	mkdir "$T/dir"
	mpirun "${MPIRUN_ARGS[@]}" -n "$n" "$IOBENCH" sweep --mpi "$@" \
		--dir "$T/dir" >"$T/stdout" 2>"$T/stderr" &
	mpirun_pid=$!
	PIDS+=("$mpirun_pid")
	for _ in $(seq 100); do
		[ "$(find "$T/dir" -maxdepth 1 -name 'iobench-*' | wc -l)" -ge "$n" ] &&
			break
		sleep 0.1
	done
	sleep 2
}
