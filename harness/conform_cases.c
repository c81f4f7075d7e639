// SPDX-License-Identifier: MIT
/*
 * The groups of the conformance matrix (conform_internal.h): whole files,
 * byte ranges, one file split across threads, sparse sources, a longer
 * existing destination, a full filesystem. Each runs in a child of its
 * own and reports through the case functions of conform.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "conform_internal.h"
#include "strategies.h"

/* ---- whole files ---- */

static void copy_size(struct conform *cf, const void *opts, uint64_t size)
{
	char src[PATH_MAX];
	int ret = conform_source_for(cf, size, src, sizeof(src));

	if (ret)
		conform_failf(cf, opts, "cannot write a %llu-byte source: %s",
			      (unsigned long long)size, strerror(-ret));
	else
		conform_copy_whole(cf, opts, src, conform_content(cf, size),
				   size);
}

void conform_group_whole(struct conform *cf)
{
	static const uint64_t sizes[] = { 0,	 1,	   511,	    512,
					  4095,	 4096,	   4097,    65535,
					  65537, MiB + 13, MAX_FILE };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		conform_case_begin(cf, "whole file", "%llu byte%s",
				   (unsigned long long)sizes[i],
				   sizes[i] == 1 ? "" : "s");
		for (size_t v = 0; v < cf->nvariants; v++)
			copy_size(cf, cf->variants[v], sizes[i]);
		conform_case_end(cf);
	}
	/* the tails around one buffer: the last chunk short, or one more */
	conform_case_begin(cf, "whole file", "%s size - 1 and + 1",
			   conform_size_option(cf->s)
				   ? conform_size_option(cf->s)->name
				   : "buffer");
	for (size_t v = 0; v < cf->nvariants; v++) {
		const struct copy_option *o = conform_size_option(cf->s);
		uint64_t buf =
			o ? strategy_option_get(o, cf->variants[v]) : 128 * KiB;

		if (buf + 1 > MAX_FILE)
			continue;
		copy_size(cf, cf->variants[v], buf - 1);
		copy_size(cf, cf->variants[v], buf + 1);
	}
	conform_case_end(cf);
}

/* ---- byte ranges ---- */

struct range_case {
	struct copy_range r;
	int want; /* 0, or the error the contract asks for */
};

static const struct range_case odd_ranges[] = {
	{ { 0, 0, 0 }, 0 },
	{ { 1, 0, 4095 }, 0 },
	{ { 4097, 13, 65537 }, 0 },
	{ { 12345, 777777, 100000 }, 0 },
	{ { RANGE_SRC - 13, 5, 13 }, 0 },
	{ { RANGE_SRC - 70001, 1, 70001 }, 0 },
	{ { RANGE_SRC - 100, 0, 200 }, -ENODATA }, /* source ends first */
};

/* Offsets multiples of ALIGN; only ranges ending at EOF have odd lengths. */
static const struct range_case aligned_ranges[] = {
	{ { 0, 0, 0 }, 0 },
	{ { ALIGN, 0, 2 * ALIGN }, 0 },
	{ { 16 * ALIGN, 3 * ALIGN, 32 * ALIGN }, 0 },
	{ { RANGE_SRC - 13, 2 * ALIGN, 13 }, 0 },
	{ { RANGE_SRC - 13 - 5 * ALIGN, 7 * ALIGN, 5 * ALIGN + 13 }, 0 },
	{ { RANGE_SRC - 13, 0, 2 * ALIGN }, -ENODATA },
};

static bool aligned_only(const struct conform *cf)
{
	return cf->s->flags & COPY_RANGES_ALIGNED;
}

/*
 * One range into an empty destination, or into an existing one of
 * PREFILL bytes of 0xa5 whose bytes outside the range must not change.
 */
static void copy_one_range(struct conform *cf, const void *opts,
			   const char *src, const struct range_case *c,
			   bool prefilled)
{
	const struct copy_range *r = &c->r;
	uint64_t end = r->dst_off + r->len, size;
	char dst[PATH_MAX];
	int ret;

	conform_path_in(cf, dst, sizeof(dst), "dst");
	if (prefilled) {
		memset(cf->expect, 0xa5, PREFILL);
		ret = conform_write_file(dst, cf->expect, PREFILL);
		if (ret) {
			conform_failf(cf, opts,
				      "cannot write the destination: %s",
				      strerror(-ret));
			return;
		}
		size = end > PREFILL ? end : PREFILL;
	} else {
		memset(cf->expect, 0, SCRATCH);
		size = r->len ? end : 0;
	}
	ret = conform_copy_paths(cf, opts, src, dst,
				 prefilled ? 0 : O_CREAT | O_TRUNC, r);
	if (ret != c->want) {
		conform_failf(cf, opts,
			      "into %s destination: returned %s, expected %s",
			      prefilled ? "an existing" : "an empty",
			      ret ? strerror(-ret) : "success",
			      c->want ? strerror(-c->want) : "success");
		return;
	}
	if (c->want)
		return;
	memcpy(cf->expect + r->dst_off,
	       conform_content(cf, RANGE_SRC) + r->src_off, r->len);
	conform_check_file(cf, opts, dst, cf->expect, size);
}

void conform_group_ranges(struct conform *cf)
{
	const struct range_case *cases =
		aligned_only(cf) ? aligned_ranges : odd_ranges;
	size_t n = aligned_only(cf) ? sizeof(aligned_ranges) / sizeof(cases[0])
				    : sizeof(odd_ranges) / sizeof(cases[0]);
	char src[PATH_MAX];
	int ret;

	if (!(cf->s->flags & COPY_RANGES)) {
		conform_case_begin(cf, "range", "byte ranges");
		conform_case_note(cf, CONFORM_SKIP,
				  "not range-capable (no COPY_RANGES)");
		conform_case_end(cf);
		return;
	}
	ret = conform_source_for(cf, RANGE_SRC, src, sizeof(src));
	for (size_t i = 0; i < n; i++) {
		const struct copy_range *r = &cases[i].r;

		conform_case_begin(
			cf, "range", "src_off=%llu dst_off=%llu len=%llu%s",
			(unsigned long long)r->src_off,
			(unsigned long long)r->dst_off,
			(unsigned long long)r->len,
			cases[i].want ? " (past EOF: -ENODATA)" : "");
		for (size_t v = 0; !ret && v < cf->nvariants; v++) {
			copy_one_range(cf, cf->variants[v], src, &cases[i],
				       false);
			/* an odd-length range in the middle of an existing
			 * O_DIRECT destination is outside the contract */
			if (!aligned_only(cf) || r->len % ALIGN == 0)
				copy_one_range(cf, cf->variants[v], src,
					       &cases[i], true);
		}
		if (ret)
			conform_failf(cf, cf->variants[0],
				      "cannot write the source: %s",
				      strerror(-ret));
		conform_case_end(cf);
	}
}

/* ---- one file split across threads ---- */

struct part {
	const struct conform *cf;
	const void *opts;
	const char *src, *dst;
	struct copy_range r;
	int ret;
};

/* A worker as the harness runs one: its own descriptors and state. */
static void *copy_part(void *arg)
{
	struct part *part = arg;

	part->ret = conform_copy_paths(part->cf, part->opts, part->src,
				       part->dst, 0, &part->r);
	return NULL;
}

static void split_once(struct conform *cf, const void *opts, const char *src,
		       const char *dst)
{
	/* aligned split points for COPY_RANGES_ALIGNED, odd ones otherwise */
	static const uint64_t odd[] = { 0, 349525, 699051, RANGE_SRC };
	static const uint64_t aligned[] = { 0, 85 * ALIGN, 170 * ALIGN,
					    RANGE_SRC };
	const uint64_t *cut = aligned_only(cf) ? aligned : odd;
	struct part parts[3];
	pthread_t tid[3];
	int started = 0, ret;

	ret = conform_write_file(dst, NULL, 0);
	if (ret) {
		conform_failf(cf, opts, "cannot create the destination: %s",
			      strerror(-ret));
		return;
	}
	for (int i = 0; i < 3; i++) {
		parts[i] = (struct part){
			.cf = cf,
			.opts = opts,
			.src = src,
			.dst = dst,
			.r = { cut[i], cut[i], cut[i + 1] - cut[i] },
		};
		if (pthread_create(&tid[i], NULL, copy_part, &parts[i]))
			break;
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (started < 3) {
		conform_failf(cf, opts, "cannot start 3 threads");
		return;
	}
	for (int i = 0; i < 3; i++) {
		if (parts[i].ret) {
			conform_failf(cf, opts, "part %d (%llu+%llu): %s", i,
				      (unsigned long long)parts[i].r.src_off,
				      (unsigned long long)parts[i].r.len,
				      strerror(-parts[i].ret));
			return;
		}
	}
	conform_check_file(cf, opts, dst, conform_content(cf, RANGE_SRC),
			   RANGE_SRC);
}

void conform_group_split(struct conform *cf)
{
	char src[PATH_MAX], dst[PATH_MAX];
	int ret;

	conform_case_begin(cf, "split", "one file in 3 ranges on 3 threads");
	if (!(cf->s->flags & COPY_RANGES)) {
		conform_case_note(cf, CONFORM_SKIP,
				  "not range-capable (no COPY_RANGES)");
		conform_case_end(cf);
		return;
	}
	conform_path_in(cf, dst, sizeof(dst), "dst");
	ret = conform_source_for(cf, RANGE_SRC, src, sizeof(src));
	if (ret)
		conform_failf(cf, cf->variants[0],
			      "cannot write the source: %s", strerror(-ret));
	for (size_t v = 0; !ret && v < cf->nvariants; v++)
		split_once(cf, cf->variants[v], src, dst);
	conform_case_end(cf);
}

/* ---- sparse sources ---- */

struct extent {
	uint64_t off, len;
};

/* Makes path a file of `size` bytes with data only in ext[], holes
 * elsewhere; the same content lands in cf->expect. */
static int make_sparse(struct conform *cf, const char *path, uint64_t size,
		       const struct extent *ext, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ret = 0;

	if (fd < 0)
		return -errno;
	memset(cf->expect, 0, size);
	for (size_t i = 0; i < n && !ret; i++) {
		const unsigned char *data = conform_content(cf, ext[i].off);

		memcpy(cf->expect + ext[i].off, data, ext[i].len);
		ret = strategy_pwrite_all(fd, data, ext[i].len, ext[i].off);
	}
	if (!ret && ftruncate(fd, size))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* Whether the copy at path has a hole before its end (a note, not a
 * check: the contract asks for the bytes, not the holes). */
static bool has_hole(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	off_t hole;

	if (fd < 0)
		return false;
	hole = lseek(fd, 0, SEEK_HOLE);
	if (fstat(fd, &st))
		hole = -1;
	close(fd);
	return hole >= 0 && hole < st.st_size;
}

void conform_group_sparse(struct conform *cf)
{
	/* holes at the start, in the middle and at the end */
	static const struct extent holey[] = {
		{ 1 * MiB, 64 * KiB + 3 },
		{ 2 * MiB + 5, 1 * MiB - 5 },
	};
	static const struct {
		const char *what;
		uint64_t size;
		const struct extent *ext;
		size_t n;
	} files[] = {
		{ "holes at start, middle and end", 4 * MiB + 17, holey, 2 },
		{ "all hole", 3 * MiB + 1, NULL, 0 },
	};
	char src[PATH_MAX], dst[PATH_MAX];

	conform_path_in(cf, src, sizeof(src), "sparse-src");
	conform_path_in(cf, dst, sizeof(dst), "dst");
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		int ret;
		bool holes = true;

		conform_case_begin(cf, "sparse", "%s, %llu bytes",
				   files[f].what,
				   (unsigned long long)files[f].size);
		ret = make_sparse(cf, src, files[f].size, files[f].ext,
				  files[f].n);
		if (ret)
			conform_failf(cf, cf->variants[0],
				      "cannot make the source: %s",
				      strerror(-ret));
		for (size_t v = 0; !ret && v < cf->nvariants; v++) {
			conform_copy_whole(cf, cf->variants[v], src, cf->expect,
					   files[f].size);
			holes = holes && has_hole(dst);
		}
		if (!ret && !cf->c.failures)
			conform_case_note(cf, CONFORM_PASS, "holes %s",
					  holes ? "kept" : "filled with zeros");
		conform_case_end(cf);
	}
}

/* ---- an existing, longer destination ---- */

void conform_group_longer(struct conform *cf)
{
	static const uint64_t sizes[] = { 0, 65537, MiB + 13 };
	char src[PATH_MAX], dst[PATH_MAX];

	conform_path_in(cf, dst, sizeof(dst), "dst");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int ret = conform_source_for(cf, sizes[i], src, sizeof(src));

		conform_case_begin(cf, "longer destination",
				   "%llu bytes over a 3 MiB file",
				   (unsigned long long)sizes[i]);
		if (ret)
			conform_failf(cf, cf->variants[0],
				      "cannot write the source: %s",
				      strerror(-ret));
		for (size_t v = 0; !ret && v < cf->nvariants; v++) {
			memset(cf->expect, 0xcd, 3 * MiB);
			ret = conform_write_file(dst, cf->expect, 3 * MiB);
			if (ret) {
				conform_failf(cf, cf->variants[v],
					      "cannot write the "
					      "destination: %s",
					      strerror(-ret));
				break;
			}
			conform_copy_whole(cf, cf->variants[v], src,
					   conform_content(cf, sizes[i]),
					   sizes[i]);
		}
		conform_case_end(cf);
	}
}

/* ---- a full filesystem ---- */

/* 4 MiB onto a 5 MiB tmpfs holding the 4 MiB source: must fail. In the
 * group's child, whose private mount namespace dies with it. */
void conform_group_enospc(struct conform *cf)
{
	char mnt[PATH_MAX], src[PATH_MAX + 8], dst[PATH_MAX + 8], why[256];
	struct copy_range r = { .len = ENOSPC_SRC };
	int ret;

	conform_case_begin(cf, "ENOSPC", "4 MiB onto a tmpfs with 1 MiB free");
	conform_path_in(cf, mnt, sizeof(mnt), "enospc");
	snprintf(src, sizeof(src), "%s/src", mnt);
	snprintf(dst, sizeof(dst), "%s/dst", mnt);
	if (conform_private_tmpfs(mnt, "5m", why, sizeof(why))) {
		conform_case_note(cf, CONFORM_SKIP, "%s", why);
		goto out;
	}
	ret = conform_write_file(src, cf->pool, ENOSPC_SRC);
	if (ret) {
		conform_failf(cf, NULL, "cannot write the source: %s",
			      strerror(-ret));
		goto out;
	}
	if (strategy_probe(cf->s, mnt, why, sizeof(why))) {
		conform_case_note(cf, CONFORM_SKIP, "not usable on tmpfs: %s",
				  why);
		goto out;
	}
	/* a write-back strategy may only learn of ENOSPC when dst closes */
	ret = conform_copy_paths(cf, NULL, src, dst, O_CREAT | O_TRUNC, &r);
	if (!ret)
		conform_failf(cf, NULL,
			      "reported success: a copy that cannot fit must "
			      "fail");
	else
		conform_case_note(cf, CONFORM_PASS, "failed with %s%s",
				  strerror(-ret),
				  ret == -ENOSPC ? "" : " (not ENOSPC)");
out:
	conform_case_end(cf);
}
