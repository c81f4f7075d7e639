// SPDX-License-Identifier: MIT
/*
 * iobench flame STRATEGY: samples one strategy copying a generated file
 * with perf record (DWARF call stacks) and writes the folded stacks as an
 * SVG flame graph with click-to-zoom and search.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cell_kind.h"
#include "dataset.h"
#include "flame.h"
#include "fmt.h"
#include "outfile.h"
#include "parse.h"
#include "profile.h"
#include "scratch.h"
#include "signals.h"
#include "strategies.h"
#include "verbs.h"

#define DEFAULT_SIZE "64M"
#define DEFAULT_SECONDS "1"
#define MAX_FILE_SIZE (1ull << 40)
#define MAX_BUFFER (1ull << 30)
#define MAX_SECONDS 600.0
/* small files are copied in batches of about this many bytes per
 * sampling window, so perf's on/off switching does not dominate */
#define BATCH_BYTES (4ull << 20)
#define BATCH_MAX 1024u
#define HOT_SPOTS_PRINTED 5

enum {
	OPT_SIZE = 256, OPT_DIRECT, OPT_CACHE, OPT_SYNC, OPT_SECONDS,
	OPT_FOLDED,
};

static const struct option options[] = {
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "buffer", required_argument, NULL, 'b' },
	{ "qd", required_argument, NULL, 'Q' },
	{ "direct", no_argument, NULL, OPT_DIRECT },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "sync", required_argument, NULL, OPT_SYNC },
	{ "seconds", required_argument, NULL, OPT_SECONDS },
	{ "dir", required_argument, NULL, 'd' },
	{ "out", required_argument, NULL, 'o' },
	{ "folded", required_argument, NULL, OPT_FOLDED },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: iobench flame STRATEGY [OPTIONS]\n"
"Samples STRATEGY copying a generated file with perf record (only the\n"
"copies: open, copy, close; call stacks unwound with DWARF, kernel frames\n"
"included) and writes an SVG flame graph: one frame per function, as wide\n"
"as its share of the samples; hover for the figures, click a frame to\n"
"zoom into it (Reset Zoom or Escape to undo), Search or Ctrl-F to paint\n"
"the frames matching a regular expression and show their share. Prints\n"
"the hot spots and the share of samples with a frame perf could not name.\n"
"\n"
"  --size S           file size (default " DEFAULT_SIZE "; units below)\n"
"  -b, --buffer B     buffer size, for strategies with one\n"
"  -Q, --qd N         queue depth, for strategies with one\n"
"  --direct           O_DIRECT, where the strategy makes it optional\n"
"  --cache warm|cold  source in the page cache, or evicted before each\n"
"                     copy (default warm)\n"
"  --sync none|end    end: fdatasync each copy (default none)\n"
"  --seconds N        seconds of copying to sample (default "
DEFAULT_SECONDS ")\n"
"  -d, --dir DIR      where the copies happen, in a scratch directory\n"
"                     removed afterwards (default .)\n"
"  -o, --out FILE     the SVG (default flame-STRATEGY.svg), replaced\n"
"                     whole (a symlink there is replaced, not followed)\n"
"  --folded FILE      also write the folded stacks (\"a;b;c count\")\n"
"  -q, --quiet        print only the SVG's path\n"
"  -h, --help         this help\n"
"\n"
"Long options are spelled in full.\n"
"\n"
BENCH_SIZE_HELP
"\n"
"Needs perf (Debian: apt-get install linux-perf); perf writes only in\n"
"the scratch directory (HOME and TMPDIR there, no build-id cache), about\n"
"16 MB per second sampled. Kernel frames are named where the kernel\n"
"shows its symbols (root, or kernel.kptr_restrict=0).\n"
"Exit codes: 0 ok, 1 bad input (checked before sampling: an empty path,\n"
"--out or --folded a directory or not creatable), 2 runtime error (perf\n"
"missing, strategy not usable here, an output not written), 128+n\n"
"stopped by signal n (130 SIGINT).\n");
}

struct flame_opts {
	const char *size, *buffer, *qd, *cache, *sync, *seconds, *dir, *out,
		*folded;
	bool direct, quiet;
};

/*
 * --out and --folded: files the user names. Checked before the sampling
 * (seconds of work): not empty, not a directory, and files can be created
 * where they go (probed, nothing left). 0 or -EINVAL (printed).
 */
static int check_file_dest(const char *opt, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	struct stat st;
	int ret;

	if (!*path) {
		bench_error("flame: %s: empty path (give a file name)", opt);
		return -EINVAL;
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		bench_error("flame: %s %s: is a directory (give a file name)",
			    opt, path);
		return -EINVAL;
	}
	if (outfile_check_user(path)) {
		bench_error("flame: %s %s: not a regular file (a device, FIFO "
			    "or socket is never replaced)", opt, path);
		return -EINVAL;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
			 (int)(slash - path), path);
	ret = slash && !slash[1] ? -EISDIR : outfile_check_dest(dir, 0);
	if (ret) {
		bench_error("flame: %s %s: cannot create it there: %s", opt,
			    path, strerror(-ret));
		return -EINVAL;
	}
	return 0;
}

/* A tunable the strategy does not read would profile something else. */
static int no_tunable(const struct copy_strategy *s, const char *flag)
{
	char have[96];

	strategy_options_str(s, have, sizeof(have));
	bench_error("flame: %s does not take %s (its tunables: %s)", s->name,
		    flag, have);
	return -EINVAL;
}

/* The cell to sample, from the options; prints its own errors. */
static int build_cell(const struct copy_strategy *s,
		      const struct flame_opts *o, struct cell *c,
		      double *seconds)
{
	char err[256];
	uint64_t v;

	if (cell_set_strategy(c, s)) {
		bench_error("flame: %s: too many options", s->name);
		return -EINVAL;
	}

	if (parse_size(o->size, &c->size, err, sizeof(err)) ||
	    c->size > MAX_FILE_SIZE) {
		bench_error("flame: --size: %s", c->size > MAX_FILE_SIZE ?
			    "at most 1T" : err);
		return -EINVAL;
	}
	if (o->buffer) {
		if (parse_size(o->buffer, &v, err, sizeof(err))) {
			bench_error("flame: --buffer: %s", err);
			return -EINVAL;
		}
		if (v < 512 || v > MAX_BUFFER) {
			bench_error("flame: --buffer: '%s': must be 512 bytes "
				    "to 1G", o->buffer);
			return -EINVAL;
		}
		if (cell_set_tunable(c, "buffer", v))
			return no_tunable(s, "--buffer");
	}
	if (o->qd) {
		if (parse_count(o->qd, 1, 65536, &v, err, sizeof(err))) {
			bench_error("flame: --qd: %s", err);
			return -EINVAL;
		}
		if (cell_set_tunable(c, "qd", v))
			return no_tunable(s, "--qd");
	}
	if (o->direct && cell_set_tunable(c, "direct", 1))
		return no_tunable(s, "--direct");
	if (cache_mode_parse(o->cache, &c->cache)) {
		bench_error("flame: --cache: '%s': expected warm or cold",
			    o->cache);
		return -EINVAL;
	}
	if (sync_mode_parse(o->sync, &c->sync)) {
		bench_error("flame: --sync: '%s': expected none or end", o->sync);
		return -EINVAL;
	}
	if (parse_seconds(o->seconds, MAX_SECONDS, seconds, err, sizeof(err))) {
		bench_error("flame: --seconds: %s", err);
		return -EINVAL;
	}
	c->content = CONTENT_RANDOM;
	c->batch = 1;
	if (c->size && c->size < BATCH_BYTES) {
		uint64_t k = BATCH_BYTES / c->size;

		c->batch = k > BATCH_MAX ? BATCH_MAX : (unsigned)k;
	}
	return 0;
}

/* dir/iobench-flame-XXXXXX (owner-marked, scratch.h) with the source
 * file in it. */
static int make_source(const char *dir, const struct cell *c, char *scratch,
		       size_t slen, char *src, size_t len)
{
	int fd, ret;

	ret = scratch_make_top(dir, "iobench-flame", scratch, slen);
	if (ret) {
		bench_error("flame: creating a scratch directory in %s: %s",
			    dir, strerror(-ret));
		return ret;
	}
	snprintf(src, len, "%s/src", scratch);
	fd = open(src, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		ret = -errno;
		bench_error("flame: creating %s: %s", src, strerror(errno));
		scratch_release(scratch);
		return ret;
	}
	ret = dataset_fill(fd, c->size, c->content, 42, 0);
	/* written back now, so its writeback is not sampled */
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	if (ret) {
		bench_error("flame: generating %s: %s", src, strerror(-ret));
		unlink(src);
		scratch_release(scratch);
	}
	return ret;
}

/* The SVG writer with its title, as a write_atomic() callback. */
static const char *svg_title;

static int put_svg(const struct flame_profile *fp, FILE *f)
{
	return flame_write_svg(fp, svg_title, f);
}

/* Renders fp with put() into memory, then to path atomically (no half
 * written file on failure); prints the error. 0 or -errno. */
static int write_atomic(const struct flame_profile *fp, const char *path,
			int (*put)(const struct flame_profile *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &len);
	if (!f) {
		bench_error("flame: %s", strerror(errno));
		return -errno;
	}
	ret = put(fp, f);
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	/* the user's name: replaced whole, never written through a link */
	if (!ret)
		ret = outfile_write_user(path, buf, len);
	free(buf);
	if (ret)
		bench_error("flame: writing %s: %s", path, strerror(-ret));
	return ret;
}

static void print_hot_spots(const struct flame_profile *fp)
{
	struct hot_spot hot[HOT_SPOTS_PRINTED];
	size_t n = 0;

	if (flame_top_self(fp, hot, HOT_SPOTS_PRINTED, &n))
		return;
	printf("hot spots (self samples of %llu):", (unsigned long long)
	       fp->total);
	for (size_t i = 0; i < n; i++) {
		printf("%s %s %.1f%%", i ? "," : "", hot[i].symbol, hot[i].pct);
		free(hot[i].symbol);
	}
	printf("\n");
}

/* How many stacks have a frame perf could not name, and, when kernel
 * frames are among them, what would name them. */
static void print_unresolved(const struct flame_profile *fp)
{
	FILE *f;
	int restrict_level = -1;

	printf("[unknown] frames in %.1f%% of samples; frames without a "
	       "symbol ([unknown] or [object]) in %.1f%%\n",
	       100 * flame_unresolved_share(fp, false),
	       100 * flame_unresolved_share(fp, true));
	if (!flame_has_frame(fp, "[kernel.kallsyms]"))
		return;
	f = fopen("/proc/sys/kernel/kptr_restrict", "re");
	if (f && fscanf(f, "%d", &restrict_level) != 1)
		restrict_level = -1;
	if (f)
		fclose(f);
	printf("kernel symbols are hidden (kernel.kptr_restrict = %d): as "
	       "root, or with sysctl kernel.kptr_restrict=0, perf names "
	       "them\n", restrict_level);
}

/* Samples the strategy and writes the outputs: the exit code. */
static int flame_run(const struct copy_strategy *s, struct cell *c,
		     const struct flame_opts *o, double seconds,
		     const char *out)
{
	struct flame_profile fp = { 0 };
	struct cell_kind k = cell_kind_strategy(s);
	char scratch[PATH_MAX], src[PATH_MAX + 8], why[512], title[256];
	char size[32], tun[96];
	int ret;

	/* a stop signal (Ctrl-C, a hang-up) ends the sampling early: the
	 * scratch directory is removed, then the exit status says which */
	signals_on_stop(flame_request_stop);
	bench_clean_stale_scratch(o->dir);
	if (make_source(o->dir, c, scratch, sizeof(scratch), src, sizeof(src)))
		return EXIT_RUNTIME;
	if (!o->quiet)
		fprintf(stderr, "iobench: sampling %s copying for ~%g s\n",
			s->name, seconds);
	ret = profile_record_cell(&k, c, src, scratch, seconds, &fp, why,
				  sizeof(why));
	unlink(src);
	scratch_release(scratch);
	if (signals_received) {
		flame_free(&fp);
		return signals_exit_code(signals_received);
	}
	if (ret) {
		bench_error("flame: %s", why);
		flame_free(&fp);
		return EXIT_RUNTIME;
	}
	fmt_size(c->size, size, sizeof(size));
	cell_tunables_desc(c, tun, sizeof(tun));
	snprintf(title, sizeof(title), "iobench flame: %s, %s, %s, %s cache, "
		 "sync %s", s->name, size, tun, cache_mode_name(c->cache),
		 sync_mode_name(c->sync));
	svg_title = title;
	ret = write_atomic(&fp, out, put_svg);
	if (!ret && o->folded)
		ret = write_atomic(&fp, o->folded, flame_write_folded);
	if (!ret && !o->quiet) {
		print_hot_spots(&fp);
		print_unresolved(&fp);
	}
	flame_free(&fp);
	if (ret)
		return EXIT_RUNTIME;
	printf("%s\n", out);
	return EXIT_OK;
}

int cmd_flame(int argc, char **argv)
{
	struct flame_opts o = {
		.size = DEFAULT_SIZE, .cache = "warm", .sync = "none",
		.seconds = DEFAULT_SECONDS, .dir = ".",
	};
	const struct copy_strategy *s;
	struct cell c = { 0 };
	char perf[PATH_MAX], why[256], out[PATH_MAX];
	struct stat st;
	double seconds;
	int opt;

	optind = 1;
	while ((opt = bench_getopt("flame", argc, argv, ":b:Q:d:o:qh",
				   options)) != -1) {
		switch (opt) {
		case OPT_SIZE: o.size = optarg; break;
		case 'b': o.buffer = optarg; break;
		case 'Q': o.qd = optarg; break;
		case OPT_DIRECT: o.direct = true; break;
		case OPT_CACHE: o.cache = optarg; break;
		case OPT_SYNC: o.sync = optarg; break;
		case OPT_SECONDS: o.seconds = optarg; break;
		case 'd': o.dir = optarg; break;
		case 'o': o.out = optarg; break;
		case OPT_FOLDED: o.folded = optarg; break;
		case 'q': o.quiet = true; break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		bench_error("flame: %s (see iobench flame --help)",
			    optind >= argc ? "which strategy? give one name" :
			    "one strategy only");
		return EXIT_USAGE;
	}
	s = strategy_find(argv[optind]);
	if (!s) {
		const char *hint = strategy_suggest(argv[optind]);

		if (hint)
			bench_error("flame: unknown strategy '%s' (did you "
				    "mean '%s'?)", argv[optind], hint);
		else
			bench_error("flame: unknown strategy '%s' (see iobench "
				    "list)", argv[optind]);
		return EXIT_USAGE;
	}
	c.strategy = (char *)s->name;
	if (build_cell(s, &o, &c, &seconds))
		return EXIT_USAGE;
	snprintf(out, sizeof(out), "%s", o.out ? o.out : "");
	if (!o.out)
		snprintf(out, sizeof(out), "flame-%s.svg", s->name);
	if (!*o.dir) {
		bench_error("flame: --dir: empty path (give a directory, e.g. "
			    "--dir .)");
		return EXIT_USAGE;
	}
	if (stat(o.dir, &st)) {
		bench_error("flame: --dir %s: %s", o.dir, strerror(errno));
		return EXIT_USAGE;
	}
	if (!S_ISDIR(st.st_mode)) {
		bench_error("flame: --dir %s: not a directory", o.dir);
		return EXIT_USAGE;
	}
	if (check_file_dest("--out", out) ||
	    (o.folded && check_file_dest("--folded", o.folded)))
		return EXIT_USAGE;
	if (o.folded && !strcmp(o.folded, out)) {
		bench_error("flame: --out and --folded name the same file");
		return EXIT_USAGE;
	}
	if (!flame_find_perf(perf, sizeof(perf), why, sizeof(why))) {
		bench_error("flame: %s", why);
		return EXIT_RUNTIME;
	}
	if (strategy_probe(s, o.dir, why, sizeof(why))) {
		bench_error("flame: %s is not usable in %s: %s", s->name, o.dir,
			    why[0] ? why : "not usable here");
		return EXIT_RUNTIME;
	}
	return flame_run(s, &c, &o, seconds, out);
}
