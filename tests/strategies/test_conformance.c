// SPDX-License-Identifier: MIT
/*
 * Conformance of one registered copy strategy to the vtable contract: the
 * harness's matrix (harness/conform.c, also behind `iobench check`), and
 * for reflink on a filesystem that clones, extents shared with the
 * source. --registry: every registered strategy has its test.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

#include "conform.h"
#include "strategies.h"

#define MiB (1024ull * 1024)
#define SHARED_FILE (64 * MiB)
#define EXIT_SKIP 77

static const char *const status_names[] = { "PASS", "FAIL", "SKIP" };

static void print_case(void *ctx, const struct conform_case *c)
{
	const struct copy_strategy *s = ctx;

	printf("%s %s: %s: %s (%u copies verified)%s%s\n",
	       status_names[c->status], s->name, c->group, c->name, c->copies,
	       c->detail[0] ? ": " : "", c->detail);
	fflush(stdout);
}

/* The matrix but ENOSPC (test_enospc's), in a directory below base. */
static int run_matrix(const struct copy_strategy *s, const char *base)
{
	struct conform_request rq = {
		.s = s,
		.dir = base,
		.groups = CONFORM_ALL & ~CONFORM_ENOSPC,
		.report = print_case,
		.ctx = (void *)s,
	};
	struct conform_totals t;
	char err[256];

	if (conform_run(&rq, &t, err, sizeof(err))) {
		printf("FAIL %s: %s\n", s->name, err);
		return 1;
	}
	printf("%s %s: %u passed, %u failed, %u skipped\n",
	       t.fail ? "FAIL" : "PASS", s->name, t.pass, t.fail, t.skip);
	return t.fail ? 1 : 0;
}

/* ---- clones share extents (reflink, with --expect-shared) ---- */

/* Counts the extents of path and how many are shared with another file. */
static int count_extents(const char *path, unsigned *total, unsigned *shared)
{
	enum { BATCH = 128 };
	struct fiemap *fm;
	int fd, ret = 0;

	fm = calloc(1, sizeof(*fm) + BATCH * sizeof(struct fiemap_extent));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!fm || fd < 0) {
		ret = fm ? -errno : -ENOMEM;
		goto out;
	}
	*total = *shared = 0;
	for (;;) {
		struct fiemap_extent *last;

		fm->fm_length = FIEMAP_MAX_OFFSET - fm->fm_start;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
			ret = -errno;
			break;
		}
		if (!fm->fm_mapped_extents)
			break;
		for (unsigned i = 0; i < fm->fm_mapped_extents; i++) {
			++*total;
			if (fm->fm_extents[i].fe_flags & FIEMAP_EXTENT_SHARED)
				++*shared;
		}
		last = &fm->fm_extents[fm->fm_mapped_extents - 1];
		if (last->fe_flags & FIEMAP_EXTENT_LAST)
			break;
		fm->fm_start = last->fe_logical + last->fe_length;
	}
out:
	if (fd >= 0)
		close(fd);
	free(fm);
	return ret;
}

/* Writes the 64 MiB source (allocated extents: a delayed-allocation
 * file has none to share). 0 or -errno. */
static int make_shared_source(const char *path)
{
	unsigned char *buf = malloc(8 * MiB);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ret = buf && fd >= 0 ? 0 : -ENOMEM;

	if (fd < 0)
		ret = -errno;
	if (!ret)
		ret = conform_fill_random(buf, 8 * MiB);
	for (uint64_t off = 0; !ret && off < SHARED_FILE; off += 8 * MiB) {
		buf[0] = (unsigned char)(off / MiB);
		ret = strategy_pwrite_all(fd, buf, 8 * MiB, off);
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (fd >= 0 && close(fd) && !ret)
		ret = -errno;
	free(buf);
	return ret;
}

/* A 64 MiB whole-file copy must match and share all its extents. */
static int check_shared_extents(const struct copy_strategy *s, const char *dir)
{
	struct copy_range r = { .len = SHARED_FILE };
	char src[PATH_MAX + 16], dst[PATH_MAX + 16];
	uint64_t sh, dh, ssz, dsz;
	unsigned total = 0, shared = 0;
	int sfd, dfd, ret;

	snprintf(src, sizeof(src), "%s/shared-src", dir);
	snprintf(dst, sizeof(dst), "%s/shared-dst", dir);
	ret = make_shared_source(src);
	if (!ret)
		ret = conform_open_pair(s, NULL, src, dst, O_CREAT | O_TRUNC,
					&sfd, &dfd);
	if (!ret) {
		ret = strategy_copy_once(s, NULL, sfd, dfd, &r);
		close(sfd);
		if (close(dfd) && !ret)
			ret = -errno;
	}
	if (!ret)
		ret = conform_hash_file(src, &sh, &ssz);
	if (!ret)
		ret = conform_hash_file(dst, &dh, &dsz);
	if (!ret)
		ret = count_extents(dst, &total, &shared);
	if (ret) {
		printf("FAIL %s: 64 MiB clone: %s\n", s->name, strerror(-ret));
		return 1;
	}
	printf("%s %s on %s: clone of 64 MiB: %s, %u extents, %u shared\n",
	       dsz == ssz && dh == sh && total && shared == total ? "PASS"
								  : "FAIL",
	       s->name, strategy_fs_name(dir),
	       dsz == ssz && dh == sh ? "same bytes" : "DIFFERENT BYTES", total,
	       shared);
	return dsz == ssz && dh == sh && total && shared == total ? 0 : 1;
}

/* The registry holds exactly the strategies meson runs this test for. */
static int check_registry(const char *list)
{
	char *copy = strdup(list), *save = NULL;
	size_t listed = 0;
	int status = 0;

	for (char *name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save), listed++) {
		if (!strategy_find(name)) {
			printf("FAIL: %s is tested but not registered\n", name);
			status = 1;
		}
	}
	for (size_t i = 0; i < strategy_count(); i++) {
		const char *name = strategy_at(i)->name;
		size_t n = strlen(name);
		const char *hit = strstr(list, name);

		while (hit && ((hit != list && hit[-1] != ',') ||
			       (hit[n] && hit[n] != ',')))
			hit = strstr(hit + 1, name);
		if (!hit) {
			printf("FAIL: strategy %s has no conformance test: add "
			       "it to tests/strategies/meson.build\n",
			       name);
			status = 1;
		}
	}
	if (listed != strategy_count())
		status = 1;
	printf("%s: %zu registered, %zu tested\n", status ? "FAIL" : "PASS",
	       strategy_count(), listed);
	free(copy);
	return status;
}

/*
 * The probe must refuse the strategy on filesystem `fs` with a reason that
 * names it (reflink on ext4). Skips when the test dir is another fs.
 */
static int check_unusable(const struct copy_strategy *s, const char *dir,
			  const char *fs)
{
	const char *here = strategy_fs_name(dir);
	char why[256];
	int ret;

	if (strcmp(here, fs)) {
		printf("SKIP: %s is on %s, not %s\n", dir, here, fs);
		return EXIT_SKIP;
	}
	ret = strategy_probe(s, dir, why, sizeof(why));
	if (ret == -ENOSYS) {
		printf("SKIP: %s: %s\n", s->name, why);
		return EXIT_SKIP;
	}
	if (!ret) {
		printf("FAIL: %s probe says usable on %s\n", s->name, fs);
		return 1;
	}
	if (!strstr(why, fs)) {
		printf("FAIL: %s refused on %s, but the reason does not name "
		       "it: \"%s\" (%s)\n",
		       s->name, fs, why, strerror(-ret));
		return 1;
	}
	printf("PASS: %s on %s: \"%s\" (%s)\n", s->name, fs, why,
	       strerror(-ret));
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: test_conformance [--dir DIR] [--expect-shared] "
			"STRATEGY\n"
			"       test_conformance [--dir DIR] --expect-unusable "
			"FS STRATEGY\n"
			"       test_conformance --registry NAME,NAME,...\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "expect-shared", no_argument, NULL, 's' },
		{ "expect-unusable", required_argument, NULL, 'u' },
		{ "registry", required_argument, NULL, 'r' },
		{ 0 },
	};
	const char *base = NULL, *unusable = NULL;
	const struct copy_strategy *s;
	bool expect_shared = false;
	char dir[PATH_MAX], why[256];
	int c, ret, status;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			base = optarg;
			break;
		case 's':
			expect_shared = true;
			break;
		case 'u':
			unusable = optarg;
			break;
		case 'r':
			return check_registry(optarg);
		default:
			return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	s = strategy_find(argv[optind]);
	if (!s) {
		fprintf(stderr, "no strategy named %s\n", argv[optind]);
		return 1;
	}
	ret = conform_mkdtemp(dir, sizeof(dir), base, "conf");
	if (ret) {
		fprintf(stderr, "cannot make a test directory: %s\n",
			strerror(-ret));
		return 1;
	}
	if (unusable) {
		status = check_unusable(s, dir, unusable);
		goto out_rmdir;
	}
	ret = strategy_probe(s, dir, why, sizeof(why));
	if (ret) {
		/* a clone test that finds the strategy unusable where it
		 * must work fails, unless the strategy is not built yet */
		bool fail = expect_shared && ret != -ENOSYS;

		printf("%s: %s is not usable in %s (%s): %s\n",
		       fail ? "FAIL" : "SKIP", s->name, dir,
		       strategy_fs_name(dir), why);
		status = fail ? 1 : EXIT_SKIP;
		goto out_rmdir;
	}
	status = run_matrix(s, dir);
	if (expect_shared)
		status |= check_shared_extents(s, dir);
out_rmdir:
	ret = conform_rmtree(dir);
	if (ret)
		fprintf(stderr, "cannot remove %s: %s\n", dir, strerror(-ret));
	return status;
}
