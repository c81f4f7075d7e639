// SPDX-License-Identifier: MIT
/*
 * iobench cp: copies one file with one strategy, as a real tool and as the
 * way tests drive a single strategy end to end.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "cell.h"
#include "clock.h"
#include "parse.h"
#include "strategies.h"
#include "verbs.h"

#define VERIFY_CHUNK (1u << 20)

/* An option as given ("buffer", "1M"): applied once the strategy is
 * known, which decides its type and range. */
struct cp_setting {
	const char *name, *value, *flag;
};

struct cp_request {
	const struct copy_strategy *s;
	void *opts;			/* s->options_size bytes, owned */
	struct cp_setting set[STRATEGY_OPTIONS_MAX];
	size_t n_set;
	bool verify, verbose;
	enum strategy_sparse sparse;
	const char *name;		/* -s NAME */
	const char *src, *dst;
};

/* cp's long-only options (the others' codes are their letters) */
enum { OPT_DIRECT = 256, OPT_SQPOLL, OPT_OPT, OPT_SPARSE, OPT_VERIFY };

/* The options that only store into a cp_request. */
static const struct bench_store cp_stores[] = {
	{ 's', offsetof(struct cp_request, name) },
	{ OPT_VERIFY, offsetof(struct cp_request, verify) },
	{ 'v', offsetof(struct cp_request, verbose) },
	{ 0 },
};

/* What cp opened, and whether DST is ours to remove on failure. */
struct cp_files {
	int src_fd, dst_fd;
	struct stat src_st;
	bool dst_created;
	/* SRC's size is not its content's (procfs, sysfs): the copy reads
	 * snap_fd, what one pass of read() until EOF found in SRC */
	bool unsized;
	int snap_fd;
};

static void cp_usage(FILE *f)
{
	fprintf(f,
		"usage: iobench cp -s STRATEGY [-b SIZE] [-Q N] [--direct]\n"
		"                  [--sqpoll] [--sparse WHEN] [--verify] [-v]\n"
		"                  [--plugin PATH.so]... SRC DST\n"
		"\n"
		"Copies the regular file SRC to DST with one strategy (see\n"
		"iobench list). SRC may be a symlink; it is followed. DST is\n"
		"created with SRC's permission bits (minus the umask) or, if it\n"
		"exists, overwritten in place. SRC and DST must not be the same\n"
		"file (also via a hard link or symlink): that is refused before\n"
		"anything is truncated. A SRC that is a FIFO, socket or device is\n"
		"refused without waiting on it. A SRC whose size is not its\n"
		"content's (procfs and sysfs files show 0 or 4096 bytes, some\n"
		"FUSE files 0) is read until EOF, as cp does, into an unnamed\n"
		"scratch file beside DST, which the strategy then copies.\n"
		"\n"
		"options:\n"
		"  -s, --strategy NAME  the strategy to copy with (required)\n"
		"  -b, --buffer SIZE    bytes per transfer, e.g. 64K, 1M (units\n"
		"                       below)\n"
		"  -Q, --qd N           requests in flight\n"
		"      --direct         O_DIRECT on both ends\n"
		"      --sqpoll         io_uring kernel submission polling\n"
		"      --opt NAME=VALUE\n"
		"                       any option the strategy declares (see\n"
		"                       iobench list --json), e.g. a plugin's\n"
		"      --plugin PATH.so\n"
		"                       load a strategy plugin; -s may then name\n"
		"                       its strategy (repeatable; also\n"
		"                       IOBENCH_PLUGIN_PATH, a colon list of .so\n"
		"                       files and directories)\n"
		"      --sparse WHEN    auto|always|never, as GNU cp: auto (the\n"
		"                       default) keeps the holes of a source that\n"
		"                       looks sparse (SEEK_DATA/SEEK_HOLE, each\n"
		"                       data extent copied with the strategy);\n"
		"                       always also makes 4 KiB blocks of zeros\n"
		"                       holes; never writes every byte\n"
		"      --verify         re-read both files and compare size and\n"
		"                       XXH3 hash afterwards\n"
		"  -v, --verbose        print strategy, bytes, seconds and MiB/s (a\n"
		"                       line that cannot be written fails the copy)\n"
		"  -h, --help           show this help\n"
		"\n"
		"A tunable the strategy does not read is an error, as is a\n"
		"value outside its range. Long options are spelled in full.\n"
		"\n"
		BENCH_SIZE_HELP
		"\n"
		"exit codes: 0 copied; 1 bad usage or input (unknown strategy,\n"
		"bad value, SRC missing or not a regular file, SRC and DST the\n"
		"same file): nothing created or changed; 2 the copy failed (the\n"
		"strategy is not usable here, I/O error, verify mismatch). On\n"
		"exit 2 a DST that cp created is removed; a DST that existed\n"
		"before has already been truncated and keeps what was copied.\n");
}

static int add_setting(struct cp_request *rq, const char *flag,
		       const char *name, const char *value)
{
	for (size_t i = 0; i < rq->n_set; i++) {
		if (!strcmp(rq->set[i].name, name)) {
			rq->set[i].value = value;
			rq->set[i].flag = flag;
			return 0;
		}
	}
	if (rq->n_set == STRATEGY_OPTIONS_MAX) {
		bench_error("cp: too many options");
		return -EINVAL;
	}
	rq->set[rq->n_set++] = (struct cp_setting){ name, value, flag };
	return 0;
}

/* --opt NAME=VALUE: any option a strategy declares (see iobench list). */
static int add_opt(struct cp_request *rq, const char *arg)
{
	static char names[STRATEGY_OPTIONS_MAX][32];
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(names[0])) {
		bench_error("cp: --opt '%s': expected NAME=VALUE", arg);
		return -EINVAL;
	}
	snprintf(names[rq->n_set % STRATEGY_OPTIONS_MAX], sizeof(names[0]),
		 "%.*s", (int)(eq - arg), arg);
	return add_setting(rq, "--opt", names[rq->n_set % STRATEGY_OPTIONS_MAX],
			   eq + 1);
}

/*
 * The strategy's options: its defaults, then each setting, parsed as the
 * option's type and checked against its range. An option the strategy
 * does not read would measure something other than what was asked: an
 * error, as is a value out of range.
 */
static int apply_settings(struct cp_request *rq)
{
	char have[96], err[160], lo[32], hi[32];

	rq->opts = calloc(1, rq->s->options_size ? rq->s->options_size : 1);
	if (!rq->opts)
		return -ENOMEM;
	strategy_options_default(rq->s, rq->opts);
	for (size_t i = 0; i < rq->n_set; i++) {
		const struct cp_setting *st = &rq->set[i];
		const struct copy_option *o = strategy_option(rq->s, st->name);
		struct tunable t;
		uint64_t v;

		if (!o) {
			strategy_options_str(rq->s, have, sizeof(have));
			bench_error("cp: %s does not take %s%s%s (its "
				    "tunables: %s)", rq->s->name, st->flag,
				    strcmp(st->flag, "--opt") ? "" : " ",
				    strcmp(st->flag, "--opt") ? "" : st->name,
				    have);
			return -EINVAL;
		}
		t = (struct tunable){ .name = o->name, .type = o->type };
		if (tunable_parse(&t, st->value, &v, err, sizeof(err))) {
			bench_error("cp: %s %s", st->flag, err);
			return -EINVAL;
		}
		if (strategy_option_set(rq->s, rq->opts, o->name, v)) {
			bench_error("cp: %s '%s': %s takes %s to %s", st->flag,
				    st->value, rq->s->name,
				    tunable_format(&t, o->min, lo, sizeof(lo)),
				    tunable_format(&t, o->max, hi, sizeof(hi)));
			return -EINVAL;
		}
	}
	return 0;
}

static int cp_option(int c, const char *arg, void *ctx)
{
	struct cp_request *rq = ctx;
	int ret = 0;

	switch (c) {
	case 'b':
		ret = add_setting(rq, "--buffer", "buffer", arg);
		break;
	case 'Q':
		ret = add_setting(rq, "--qd", "qd", arg);
		break;
	case OPT_DIRECT:
		ret = add_setting(rq, "--direct", "direct", "yes");
		break;
	case OPT_SQPOLL:
		ret = add_setting(rq, "--sqpoll", "sqpoll", "yes");
		break;
	case OPT_OPT:
		ret = add_opt(rq, arg);
		break;
	case OPT_SPARSE:
		if (strategy_sparse_parse(arg, &rq->sparse)) {
			bench_error("cp: --sparse '%s': expected auto, always "
				    "or never", arg);
			return EXIT_USAGE;
		}
		break;
	}
	return ret ? EXIT_USAGE : 0;
}

static int parse_args(int argc, char **argv, struct cp_request *rq)
{
	static const struct option opts[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "qd", required_argument, NULL, 'Q' },
		{ "direct", no_argument, NULL, OPT_DIRECT },
		{ "sqpoll", no_argument, NULL, OPT_SQPOLL },
		{ "opt", required_argument, NULL, OPT_OPT },
		BENCH_OPTION_PLUGIN,
		{ "sparse", required_argument, NULL, OPT_SPARSE },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ "verbose", no_argument, NULL, 'v' },
		BENCH_OPTION_HELP,
		{ 0 },
	};
	static const struct bench_cli cli = {
		.verb = "cp", .shortopts = ":s:b:Q:vh", .longopts = opts,
		.stores = cp_stores, .usage = cp_usage, .operands = true,
	};
	const char *near;
	int ret;

	ret = bench_parse_options(&cli, argc, argv, cp_option, rq);
	if (ret)
		return ret;
	if (!rq->name) {
		bench_error("cp: no strategy given (-s NAME; see iobench list)");
		return EXIT_USAGE;
	}
	if (argc - optind != 2) {
		bench_error("cp: expected SRC and DST, got %d argument%s",
			    argc - optind, argc - optind == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	rq->src = argv[optind];
	rq->dst = argv[optind + 1];
	rq->s = strategy_find(rq->name);
	if (!rq->s) {
		near = strategy_suggest(rq->name);
		if (near)
			bench_error("cp: unknown strategy '%s' (did you mean "
				    "'%s'?)", rq->name, near);
		else
			bench_error("cp: unknown strategy '%s' (see iobench "
				    "list)", rq->name);
		return EXIT_USAGE;
	}
	return apply_settings(rq) ? EXIT_USAGE : EXIT_OK;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Opens SRC (following a symlink, as cp does) and checks it is a regular
 * file. Exit code or EXIT_OK. */
static int open_source(const struct cp_request *rq, struct cp_files *f)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	f->src_fd = open(rq->src, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->src_fd < 0) {
		struct stat st;

		/* a socket cannot be opened at all (ENXIO): say what it is */
		if (!stat(rq->src, &st) && !S_ISREG(st.st_mode))
			bench_error("cp: %s: not a regular file", rq->src);
		else
			bench_error("cp: %s: %s", rq->src, strerror(errno));
		return EXIT_USAGE;
	}
	if (fstat(f->src_fd, &f->src_st)) {
		bench_error("cp: %s: %s", rq->src, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (!S_ISREG(f->src_st.st_mode)) {
		bench_error("cp: %s: not a regular file", rq->src);
		return EXIT_USAGE;
	}
	if (fcntl(f->src_fd, F_SETFL, O_RDONLY)) {
		bench_error("cp: %s: %s", rq->src, strerror(errno));
		return EXIT_RUNTIME;
	}
	f->unsized = strategy_source_unsized(f->src_fd, &f->src_st);
	return EXIT_OK;
}

/* An unsized SRC is read until EOF into a scratch file in DST's
 * directory; from then on that file is the source. */
static int snapshot_unsized(const struct cp_request *rq, struct cp_files *f,
			    const char *dir)
{
	uint64_t size;

	if (!f->unsized)
		return EXIT_OK;
	f->snap_fd = strategy_snapshot_source(f->src_fd, dir, &size);
	if (f->snap_fd < 0) {
		bench_error("cp: %s: reading it until EOF into %s: %s",
			    rq->src, dir, strerror(-f->snap_fd));
		return EXIT_RUNTIME;
	}
	f->src_st.st_size = (off_t)size;
	return EXIT_OK;
}

/* The descriptor the strategy copies from. */
static int copy_source_fd(const struct cp_files *f)
{
	return f->unsized ? f->snap_fd : f->src_fd;
}

/* Everything about DST that can be refused without touching it: its
 * directory, what it is now, and whether it is SRC under another name. */
static int check_destination(const struct cp_request *rq,
			     const struct cp_files *f, char *dir, size_t len)
{
	struct stat st;
	char *copy = strdup(rq->dst);

	if (!copy) {
		bench_error("cp: %s", strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	snprintf(dir, len, "%s", dirname(copy));
	free(copy);
	if (bench_check_dir("cp", "", dir))
		return EXIT_USAGE;
	if (!stat(rq->dst, &st)) {
		if (same_file(&st, &f->src_st))
			goto same;
		if (S_ISDIR(st.st_mode)) {
			bench_error("cp: %s: is a directory (give the file "
				    "name to write)", rq->dst);
			return EXIT_USAGE;
		}
		if (!S_ISREG(st.st_mode)) {
			bench_error("cp: %s: not a regular file", rq->dst);
			return EXIT_USAGE;
		}
	} else if (errno != ENOENT) {
		bench_error("cp: %s: %s", rq->dst, strerror(errno));
		return EXIT_USAGE;
	} else if (!lstat(rq->dst, &st)) {
		/* creating the target of a dangling link surprises people */
		bench_error("cp: %s: not writing through a dangling symlink",
			    rq->dst);
		return EXIT_USAGE;
	}
	return EXIT_OK;
same:
	bench_error("cp: '%s' and '%s' are the same file", rq->src, rq->dst);
	return EXIT_USAGE;
}

/*
 * Opens DST without O_TRUNC (creating it with SRC's mode if absent), checks
 * on the open file that it is not SRC — the path checks above can race —
 * and only then truncates, so a refused copy never loses data.
 */
static int open_destination(const struct cp_request *rq, struct cp_files *f)
{
	mode_t mode = f->src_st.st_mode & 0777;
	struct stat st;

	for (;;) {
		f->dst_fd = open(rq->dst, O_WRONLY | O_CLOEXEC);
		if (f->dst_fd >= 0 || errno != ENOENT)
			break;
		f->dst_fd = open(rq->dst, O_WRONLY | O_CREAT | O_EXCL |
					  O_CLOEXEC, mode);
		if (f->dst_fd >= 0) {
			f->dst_created = true;
			break;
		}
		if (errno != EEXIST)
			break;
		/* created by someone else in between: open it as existing */
	}
	if (f->dst_fd < 0) {
		bench_error("cp: %s: %s", rq->dst, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (fstat(f->dst_fd, &st)) {
		bench_error("cp: %s: %s", rq->dst, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (same_file(&st, &f->src_st)) {
		bench_error("cp: '%s' and '%s' are the same file", rq->src,
			    rq->dst);
		return EXIT_USAGE;
	}
	if (!f->dst_created && ftruncate(f->dst_fd, 0)) {
		bench_error("cp: %s: %s", rq->dst, strerror(errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* O_DIRECT is set with F_SETFL rather than at open(): some filesystems
 * create the file and only then fail an O_CREAT|O_DIRECT open. */
static int set_open_flags(const struct cp_request *rq,
			  const struct cp_files *f)
{
	int extra = strategy_open_flags(rq->s, rq->opts);
	const int fds[2] = { copy_source_fd(f), f->dst_fd };
	const char *paths[2] = { rq->src, rq->dst };

	if (!extra)
		return EXIT_OK;
	for (int i = 0; i < 2; i++) {
		int fl = fcntl(fds[i], F_GETFL);

		if (fl < 0 || fcntl(fds[i], F_SETFL, fl | extra)) {
			bench_error("cp: %s: O_DIRECT: %s", paths[i],
				    strerror(errno));
			return EXIT_RUNTIME;
		}
	}
	return EXIT_OK;
}

/* Names the side an errno most likely belongs to. */
static void copy_error(const struct cp_request *rq, int err)
{
	switch (err) {
	case -ENOSPC:
	case -EDQUOT:
	case -EFBIG:
	case -EROFS:
		bench_error("cp: %s: %s", rq->dst, strerror(-err));
		break;
	case -EXDEV:
		/* not pre-checked by st_dev: btrfs subvolumes differ there
		 * yet share extents; the kernel is the judge */
		bench_error("cp: %s not usable here: %s and %s are on "
			    "different filesystems (%s)", rq->s->name, rq->src,
			    rq->dst, strerror(EXDEV));
		break;
	case -ENODATA:
		bench_error("cp: %s: source shrank during the copy", rq->src);
		break;
	default:
		bench_error("cp: %s copying %s to %s: %s", rq->s->name,
			    rq->src, rq->dst, strerror(-err));
	}
}

/* A fresh read-only descriptor for the file behind fd, without the
 * strategy's O_DIRECT and at offset 0; falls back to the path when /proc
 * is not mounted. */
static int reopen_readonly(int fd, const char *path)
{
	char proc[64];
	int nfd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	nfd = open(proc, O_RDONLY | O_CLOEXEC);
	if (nfd < 0)
		nfd = open(path, O_RDONLY | O_CLOEXEC);
	return nfd < 0 ? -errno : nfd;
}

/* XXH3 of the whole file and its length. 0 or -errno. */
static int hash_file(int fd, void *buf, uint64_t *hash, uint64_t *size)
{
	XXH3_state_t *st = XXH3_createState();
	uint64_t off = 0;
	int ret = 0;

	if (!st)
		return -ENOMEM;
	XXH3_64bits_reset(st);
	for (;;) {
		ssize_t n = pread(fd, buf, VERIFY_CHUNK, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out_free_state;
		}
		if (!n)
			break;
		XXH3_64bits_update(st, buf, n);
		off += n;
	}
	*hash = XXH3_64bits_digest(st);
	*size = off;
out_free_state:
	XXH3_freeState(st);
	return ret;
}

static int verify_copy(const struct cp_request *rq, const struct cp_files *f)
{
	/* an unsized SRC reads differently each time: the snapshot is
	 * what was copied */
	const int fds[2] = { copy_source_fd(f), f->dst_fd };
	const char *paths[2] = { rq->src, rq->dst };
	uint64_t hash[2], size[2];
	void *buf = malloc(VERIFY_CHUNK);
	int ret = EXIT_OK;

	if (!buf) {
		bench_error("cp: verify: %s", strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	for (int i = 0; i < 2 && ret == EXIT_OK; i++) {
		int fd = reopen_readonly(fds[i], paths[i]);
		int err = fd < 0 ? fd : hash_file(fd, buf, &hash[i], &size[i]);

		if (fd >= 0)
			close(fd);
		if (err) {
			bench_error("cp: verify: %s: %s", paths[i],
				    strerror(-err));
			ret = EXIT_RUNTIME;
		}
	}
	free(buf);
	if (ret == EXIT_OK && (size[0] != size[1] || hash[0] != hash[1])) {
		bench_error("cp: verify: %s differs from %s (%llu bytes, xxh3 "
			    "%016llx; source %llu bytes, xxh3 %016llx)",
			    rq->dst, rq->src, (unsigned long long)size[1],
			    (unsigned long long)hash[1],
			    (unsigned long long)size[0],
			    (unsigned long long)hash[0]);
		ret = EXIT_RUNTIME;
	}
	return ret;
}

/* The copy itself, then the checks that it really is complete. */
static int run_copy(const struct cp_request *rq, struct cp_files *f)
{
	uint64_t size = f->src_st.st_size;
	struct copy_range r = { 0, 0, size };
	struct stat st;
	double t0, secs;
	int err;

	t0 = clock_now();
	err = strategy_copy_once_sparse(rq->s, rq->opts, copy_source_fd(f),
					f->dst_fd, &r, rq->sparse);
	secs = clock_now() - t0;
	if (err) {
		copy_error(rq, err);
		return EXIT_RUNTIME;
	}
	/* a strategy that returns 0 after a short copy is a bug; say so */
	if (fstat(f->dst_fd, &st)) {
		bench_error("cp: %s: %s", rq->dst, strerror(errno));
		return EXIT_RUNTIME;
	}
	if ((uint64_t)st.st_size != size) {
		bench_error("cp: %s: %llu bytes after copying %llu with %s",
			    rq->dst, (unsigned long long)st.st_size,
			    (unsigned long long)size, rq->s->name);
		return EXIT_RUNTIME;
	}
	if (rq->verify && verify_copy(rq, f))
		return EXIT_RUNTIME;
	if (rq->verbose) {
		printf("%s: %llu bytes in %.6f s (%.1f MiB/s)%s%s\n",
		       rq->s->name, (unsigned long long)size, secs,
		       secs > 0 ? size / secs / (1024.0 * 1024.0) : 0.0,
		       rq->verify ? ", verified" : "",
		       f->unsized ? ", source read until EOF first (its size "
				    "is not its content's)" : "");
		/* a report that cannot be given fails the copy (exit 2),
		 * which removes a DST cp created */
		if (fflush(stdout) || ferror(stdout)) {
			bench_error("cp: standard output: %s",
				    strerror(errno ? errno : EIO));
			return EXIT_RUNTIME;
		}
	}
	return EXIT_OK;
}

int cmd_cp(int argc, char **argv)
{
	struct cp_request rq = { .sparse = STRATEGY_SPARSE_AUTO };
	struct cp_files f = { .src_fd = -1, .dst_fd = -1, .snap_fd = -1 };
	char dir[PATH_MAX], why[256];
	int ret;

	ret = parse_args(argc, argv, &rq);
	if (ret) {
		free(rq.opts);
		return ret < 0 ? EXIT_OK : ret;
	}
	ret = open_source(&rq, &f);
	if (ret)
		goto out_close;
	ret = check_destination(&rq, &f, dir, sizeof(dir));
	if (ret)
		goto out_close;
	if (strategy_probe(rq.s, dir, why, sizeof(why))) {
		bench_error("cp: %s not usable here: %s", rq.s->name,
			    why[0] ? why : "probe failed");
		ret = EXIT_RUNTIME;
		goto out_close;
	}

	ret = snapshot_unsized(&rq, &f, dir);
	if (ret)
		goto out_close;
	ret = open_destination(&rq, &f);
	if (!ret)
		ret = set_open_flags(&rq, &f);
	if (!ret)
		ret = run_copy(&rq, &f);
	if (f.dst_fd >= 0 && close(f.dst_fd) && !ret) {
		/* e.g. NFS reports a failed write-back only here */
		bench_error("cp: %s: %s", rq.dst, strerror(errno));
		ret = EXIT_RUNTIME;
	}
	f.dst_fd = -1;
	if (ret && f.dst_created && unlink(rq.dst) && errno != ENOENT)
		bench_error("cp: cannot remove partial %s: %s", rq.dst,
			    strerror(errno));
out_close:
	if (f.snap_fd >= 0)
		close(f.snap_fd);
	if (f.src_fd >= 0)
		close(f.src_fd);
	free(rq.opts);
	if (!ret && fflush(stdout)) {
		bench_error("cp: standard output: %s", strerror(errno));
		ret = EXIT_RUNTIME;
	}
	return ret;
}
