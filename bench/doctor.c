// SPDX-License-Identifier: MIT
/*
 * iobench doctor: pre-flight checks of the kernel, libraries, tools and the
 * target directory; one line each (ok / warn / missing) with what to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "env.h"
#include "env_storage.h"
#include "path.h"
#include "scratch.h"
#include "strategies.h"
#include "verbs.h"

#ifndef __NR_cachestat
#define __NR_cachestat 451	/* the same number on every architecture */
#endif

enum level { LVL_OK, LVL_WARN, LVL_MISSING };

struct doctor {
	const char *dir;
	unsigned count[3];
};

/* The cachestat(2) ABI, spelled out: Debian 12's kernel headers predate
 * it, and only the syscall's availability matters here. */
struct doctor_cachestat_range {
	uint64_t off, len;
};

struct doctor_cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted,
		nr_recently_evicted;
};

static void doctor_usage(FILE *f)
{
	fprintf(f,
		"usage: iobench doctor [--dir DIR]\n"
		"\n"
		"Pre-flight checks: what works on this machine and in DIR, what\n"
		"is missing, and what to do about it. Scratch directories that\n"
		"runs killed outright left in DIR (their owner process is gone)\n"
		"are removed, and said so. One line per check:\n"
		"  ok       works\n"
		"  warn     works with a caveat for measurements, or is absent\n"
		"           but has a fallback\n"
		"  missing  not available here; the strategies or features that\n"
		"           need it are skipped with the reason\n"
		"\n"
		"options:\n"
		"  -d, --dir DIR   directory the benchmark will write in (default: .)\n"
		"  -h, --help      show this help\n"
		"\n"
		"exit codes: 0 the checks ran (whatever they found); 1 bad usage\n"
		"or DIR is not a directory.\n");
}

static void report(struct doctor *d, enum level lvl, const char *check,
		   const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* "LEVEL    CHECK              finding -> what to do" */
static void report(struct doctor *d, enum level lvl, const char *check,
		   const char *fix, const char *fmt, ...)
{
	static const char *const names[] = { "ok", "warn", "missing" };
	va_list ap;

	d->count[lvl]++;
	printf("%-8s %-18s ", names[lvl], check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (fix && lvl != LVL_OK)
		printf(" -> %s", fix);
	putchar('\n');
}

/* First line of a small /proc or /sys file, newline stripped. 0 or -errno. */
static int read_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(out, len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	else
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
	return ret;
}

static int read_long(const char *path, long *v)
{
	char buf[64], *end;
	int ret = read_line(path, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*v = strtol(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

static void check_kernel(struct doctor *d)
{
	struct utsname u;
	unsigned major = 0, minor = 0;

	if (uname(&u)) {
		report(d, LVL_WARN, "kernel", NULL, "uname: %s",
		       strerror(errno));
		return;
	}
	sscanf(u.release, "%u.%u", &major, &minor);
	/* 6.5 brings cachestat(2); 6.1 statx DIOALIGN; io_uring is older */
	if (major > 6 || (major == 6 && minor >= 5))
		report(d, LVL_OK, "kernel", NULL, "Linux %s (%s)", u.release,
		       u.machine);
	else
		report(d, LVL_WARN, "kernel",
		       "use Linux >= 6.5 for every feature",
		       "Linux %s (%s): older than 6.5, some features fall "
		       "back", u.release, u.machine);
}

/* A strategy whose probe is the whole check (reflink, copy_file_range). */
static void check_strategy(struct doctor *d, const char *name,
			   const char *fix)
{
	const struct copy_strategy *s = strategy_find(name);
	char why[256];
	int ret;

	if (!s) {
		report(d, LVL_MISSING, name, NULL, "not built in");
		return;
	}
	ret = strategy_probe(s, d->dir, why, sizeof(why));
	/* -ENOPKG: not built; the reason names the package to install */
	if (ret)
		report(d, LVL_MISSING, name, ret == -ENOPKG ? NULL : fix,
		       "not usable in %s: %s", d->dir,
		       why[0] ? why : "probe failed");
	else
		report(d, LVL_OK, name, NULL, "usable in %s (%s)", d->dir,
		       strategy_fs_name(d->dir));
}

/* io_uring: its strategy's probe (ring setup, fixed-buffer opcodes). */
static void check_io_uring(struct doctor *d)
{
	long disabled = 0;

	read_long("/proc/sys/kernel/io_uring_disabled", &disabled);
	check_strategy(d, "io_uring", disabled ?
		       "sysctl -w kernel.io_uring_disabled=0" :
		       "use Linux >= 5.6 built with CONFIG_IO_URING");
}

/* libaio: its strategy's probe, and the system-wide aio-nr headroom
 * (each queue-depth slot of each thread takes one unit). */
static void check_libaio(struct doctor *d)
{
	long nr = -1, max = -1;

	read_long("/proc/sys/fs/aio-nr", &nr);
	read_long("/proc/sys/fs/aio-max-nr", &max);
	if (max >= 0 && nr >= 0 && max - nr < 4096)
		report(d, LVL_WARN, "libaio", "sysctl -w fs.aio-max-nr=1048576",
		       "only %ld of aio-max-nr %ld left", max - nr, max);
	else
		check_strategy(d, "libaio", "sysctl -w fs.aio-max-nr=1048576");
}

static void check_odirect(struct doctor *d)
{
	unsigned mem, off;
	void *buf;
	ssize_t n;
	int fd = strategy_tmpfile(d->dir, O_DIRECT);

	if (fd < 0) {
		report(d, LVL_MISSING, "O_DIRECT",
		       "use --dir on ext4, xfs or btrfs for odirect, libaio "
		       "and --direct",
		       "not usable in %s (%s): %s", d->dir,
		       strategy_fs_name(d->dir), strerror(-fd));
		return;
	}
	strategy_dio_alignment(fd, &mem, &off);
	/* an open that accepts O_DIRECT does not prove a write will */
	buf = strategy_alloc_aligned(mem, off);
	n = buf ? pwrite(fd, buf, off, 0) : -1;
	if (n != (ssize_t)off)
		report(d, LVL_MISSING, "O_DIRECT",
		       "use --dir on ext4, xfs or btrfs",
		       "opens in %s but an aligned %u-byte write fails: %s",
		       d->dir, off, n < 0 ? strerror(errno) : "short write");
	else
		report(d, LVL_OK, "O_DIRECT", NULL,
		       "works in %s; alignment: memory %u, offset %u bytes",
		       d->dir, mem, off);
	free(buf);
	close(fd);
}

static void check_cachestat(struct doctor *d)
{
	struct doctor_cachestat_range range = { 0, 0 };
	struct doctor_cachestat cs;
	int fd = strategy_tmpfile(d->dir, 0);
	long ret;

	if (fd < 0) {
		report(d, LVL_WARN, "cachestat", NULL,
		       "cannot test: scratch file in %s: %s", d->dir,
		       strerror(-fd));
		return;
	}
	ret = syscall(__NR_cachestat, fd, &range, &cs, 0);
	close(fd);
	if (!ret)
		report(d, LVL_OK, "cachestat", NULL,
		       "cachestat(2) works: page-cache effects measured "
		       "exactly");
	else if (errno == ENOSYS)
		report(d, LVL_WARN, "cachestat",
		       "use Linux >= 6.5 for dirty/writeback counts",
		       "cachestat(2) not available: mincore fallback "
		       "(residency only)");
	else
		report(d, LVL_WARN, "cachestat", NULL,
		       "cachestat(2): %s: mincore fallback", strerror(errno));
}

static void check_drop_caches(struct doctor *d)
{
	const char *path = "/proc/sys/vm/drop_caches";

	/* access() only: writing it would disturb the machine */
	if (geteuid())
		report(d, LVL_WARN, "drop caches", "run as root for "
		       "--drop-caches",
		       "not root: cold runs evict with POSIX_FADV_DONTNEED "
		       "only");
	else if (access(path, W_OK))
		report(d, LVL_WARN, "drop caches", "run outside the "
		       "container or mount /proc/sys read-write",
		       "root, but %s is not writable (%s): "
		       "POSIX_FADV_DONTNEED only", path, strerror(errno));
	else
		report(d, LVL_OK, "drop caches", NULL,
		       "root and %s writable: --drop-caches available", path);
}

static int open_counter(uint32_t type, uint64_t config)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = type,
		.config = config,
		.disabled = 1,
		.exclude_kernel = 1,	/* allowed up to paranoid level 2 */
		.exclude_hv = 1,
	};
	long fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1,
			  PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void check_perf_events(struct doctor *d)
{
	long paranoid = -99;
	int hw, sw;

	if (read_long("/proc/sys/kernel/perf_event_paranoid", &paranoid))
		report(d, LVL_MISSING, "perf_event", NULL,
		       "/proc/sys/kernel/perf_event_paranoid absent: no "
		       "perf events in this kernel");
	else if (paranoid > 2 && geteuid())
		report(d, LVL_WARN, "perf_event",
		       "sysctl -w kernel.perf_event_paranoid=2",
		       "perf_event_paranoid=%ld: counters need root", paranoid);
	else
		report(d, LVL_OK, "perf_event", NULL,
		       "perf_event_paranoid=%ld%s", paranoid,
		       geteuid() ? "" : " (root: no restriction)");

	hw = open_counter(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES);
	sw = open_counter(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
	if (!hw)
		report(d, LVL_OK, "hw counters", NULL,
		       "hardware counters: cpu-cycles available");
	else if (hw == -ENOENT || hw == -EOPNOTSUPP || hw == -ENODEV)
		report(d, LVL_WARN, "hw counters",
		       "profile reports cycles/instructions as n/a",
		       "hardware counters: not supported here (%s); "
		       "software task-clock %s", strerror(-hw),
		       sw ? strerror(-sw) : "ok");
	else
		report(d, LVL_WARN, "hw counters",
		       "lower kernel.perf_event_paranoid or run as root",
		       "hardware counters: %s; software task-clock %s",
		       strerror(-hw), sw ? strerror(-sw) : "ok");
}

static void check_tools(struct doctor *d)
{
	static const struct {
		const char *prog, *package, *use;
	} tools[] = {
		{ "perf", "linux-perf", "profile and flame" },
		{ "gnuplot", "gnuplot-nox", "plots in reports" },
		{ "mkfs.xfs", "xfsprogs", "reflink tests on XFS" },
		{ "mkfs.btrfs", "btrfs-progs", "reflink tests on btrfs" },
		{ "rsync", "rsync", "the rsync reference tool" },
	};
	char path[PATH_MAX], fix[128];

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		snprintf(fix, sizeof(fix), "apt-get install %s",
			 tools[i].package);
		if (path_find_program(tools[i].prog, path, sizeof(path)))
			report(d, LVL_OK, tools[i].prog, NULL, "%s", path);
		else
			report(d, LVL_MISSING, tools[i].prog, fix,
			       "not on PATH (needed for %s)", tools[i].use);
	}
}

/* The topology, governor and filesystem come from the sweep's own
 * environment probe, so doctor reports exactly what a run records. */
static void check_topology(struct doctor *d, const struct environment *env)
{
	if (!env->pus)
		report(d, LVL_WARN, "hwloc", "check that /sys is mounted",
		       "cannot load the topology: no pinning or NUMA "
		       "placement");
	else
		report(d, LVL_OK, "hwloc", NULL,
		       "%u package(s), %u core(s), %u PU(s), %u NUMA node(s)",
		       env->packages, env->cores, env->pus, env->numa_nodes);
}

static void check_governor(struct doctor *d, const struct environment *env)
{
	if (!strcmp(env->governor, "unknown"))
		report(d, LVL_WARN, "cpu governor",
		       "nothing to set (a VM?); expect more run-to-run noise",
		       "unknown (no cpufreq)");
	else if (strcmp(env->governor, "performance"))
		report(d, LVL_WARN, "cpu governor",
		       "cpupower frequency-set -g performance",
		       "%s: clock scaling adds noise", env->governor);
	else
		report(d, LVL_OK, "cpu governor", NULL, "%s", env->governor);
}

/* free page reporting's delay (env_storage_reporting_soon()) */
#define REPORTING_PARAM ENV_REPORTING_PARAMS "min_free_ms"

static void check_page_reporting(struct doctor *d,
				 const struct environment *env)
{
	const struct env_storage *s = &env->storage;
	char fix[128];

	if (s->balloon < 1) {
		report(d, LVL_OK, "page reporting", NULL, "%s",
		       s->balloon < 0 ? "no virtio balloon"
				      : "virtio balloon without it");
		return;
	}
	if (s->reporting_min_free_ms < 0) {
		report(d, LVL_WARN, "page reporting",
		       "nothing to set in the guest; expect more run-to-run "
		       "noise",
		       "on: freed memory goes back to the host, and copies "
		       "that take it again are slower");
		return;
	}
	snprintf(fix, sizeof(fix), "echo %d > %s while measuring",
		 ENV_REPORTING_QUIET_MS, REPORTING_PARAM);
	if (env_storage_reporting_soon(s))
		report(d, LVL_WARN, "page reporting", fix,
		       "on, once memory has been free %lld ms: what one "
		       "sample frees is gone to the host before the next "
		       "takes it, and small copies run slower in bursts",
		       (long long)s->reporting_min_free_ms);
	else
		report(d, LVL_OK, "page reporting", NULL,
		       "on, once memory has been free %lld ms",
		       (long long)s->reporting_min_free_ms);
}

static void check_filesystem(struct doctor *d, const struct environment *env)
{
	const char *kind = env->rotational < 0 ? "" :
			   env->rotational ? ", rotational" : ", non-rotational";
	struct statvfs vfs;
	double avail, total;

	report(d, !strcmp(env->mount_options, "unknown") ? LVL_WARN : LVL_OK,
	       "filesystem", "check that /proc is mounted",
	       "%s on %s (%s%s, scheduler %s), options %s", env->fs_type,
	       env->device, env->device_model, kind, env->scheduler,
	       env->mount_options);

	if (!env_ext4_without_journal(d->dir))
		report(d, LVL_OK, "fs journal", NULL, "%s",
		       strcmp(env->fs_type, "ext4") ? "not ext4: no inode "
		       "reuse delay" : "ext4 with a journal");
	else
		report(d, LVL_WARN, "fs journal",
		       "wait a few minutes after large deletions, or use --dir "
		       "on a journaled filesystem",
		       "ext4 without one: new inodes skip those deleted in the last 1-6 "
		       "minutes, so small-file figures are slower right after "
		       "many deletions");
	if (statvfs(d->dir, &vfs)) {
		report(d, LVL_WARN, "free space", NULL, "statvfs %s: %s",
		       d->dir, strerror(errno));
		return;
	}
	avail = (double)vfs.f_bavail * vfs.f_frsize / (1u << 30);
	total = (double)vfs.f_blocks * vfs.f_frsize / (1u << 30);
	/* the big preset copies files of a few GiB, twice over */
	if (avail < 8)
		report(d, LVL_WARN, "free space",
		       "free space or use --dir elsewhere",
		       "%.1f GiB free of %.1f GiB in %s: large sizes may fail",
		       avail, total, d->dir);
	else
		report(d, LVL_OK, "free space", NULL,
		       "%.1f GiB free of %.1f GiB in %s", avail, total, d->dir);
}

static void check_dir(struct doctor *d)
{
	if (access(d->dir, W_OK | X_OK))
		report(d, LVL_MISSING, "directory", "use --dir DIR you can "
		       "write to", "%s: not writable (%s): the checks below "
		       "that need a scratch file fail", d->dir,
		       strerror(errno));
	else
		report(d, LVL_OK, "directory", NULL, "%s is writable", d->dir);
}

/* One line per scratch directory a killed run left (removed when its
 * owner is gone, scratch.h), or one saying there is none. */
static void on_scratch(void *ctx, const struct scratch_finding *f)
{
	struct doctor *d = ctx;
	char line[PATH_MAX + 256];

	scratch_finding_text(d->dir, f, line, sizeof(line));
	switch (f->state) {
	case SCRATCH_REMOVED:
		report(d, LVL_WARN, "scratch", "nothing more: a run killed "
		       "outright (SIGKILL, a crash) leaves one; the next run "
		       "or doctor removes it", "%s", line);
		break;
	case SCRATCH_REMOVE_FAILED:
		report(d, LVL_WARN, "scratch", "remove it by hand", "%s", line);
		break;
	default:
		report(d, LVL_WARN, "scratch", "remove it by hand if no "
		       "iobench is using it", "%s", line);
		break;
	}
}

static void check_scratch(struct doctor *d)
{
	unsigned before = d->count[LVL_WARN];
	int ret = scratch_clean_stale(d->dir, on_scratch, d);

	if (ret)
		report(d, LVL_WARN, "scratch", NULL, "cannot list %s: %s",
		       d->dir, strerror(-ret));
	else if (d->count[LVL_WARN] == before)
		report(d, LVL_OK, "scratch", NULL, "no stale scratch "
		       "directory in %s", d->dir);
}

/* --dir, doctor's one option. */
static int doctor_dir(int c, const char *arg, void *ctx)
{
	struct doctor *d = ctx;

	(void)c;
	d->dir = arg;
	return 0;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		BENCH_OPTION_HELP,
		{ 0 },
	};
	static const struct bench_cli cli = {
		.verb = "doctor", .shortopts = ":d:h", .longopts = opts,
		.usage = doctor_usage,
	};
	struct doctor d = { .dir = "." };
	struct environment env;
	int ret;

	ret = bench_parse_in_dir(&cli, argc, argv, doctor_dir, &d, &d.dir);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;

	ret = env_probe(d.dir, &env);
	if (ret) {
		bench_error("doctor: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	check_kernel(&d);
	check_io_uring(&d);
	check_libaio(&d);
	check_dir(&d);
	check_scratch(&d);
	check_odirect(&d);
	check_strategy(&d, "reflink",
		       "use --dir on XFS (mkfs.xfs -m reflink=1) or btrfs");
	check_strategy(&d, "copy_file_range",
		       "use Linux >= 5.3 and source and destination on one "
		       "filesystem");
	check_cachestat(&d);
	check_drop_caches(&d);
	check_perf_events(&d);
	check_tools(&d);
	check_topology(&d, &env);
	check_governor(&d, &env);
	check_page_reporting(&d, &env);
	check_filesystem(&d, &env);
	results_free_environment(&env);
	printf("\n%u ok, %u warn, %u missing\n", d.count[LVL_OK],
	       d.count[LVL_WARN], d.count[LVL_MISSING]);
	if (fflush(stdout)) {
		bench_error("doctor: standard output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}
