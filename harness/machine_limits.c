// SPDX-License-Identifier: MIT
/*
 * Machine limits: memcpy bandwidth per working set and chunk, and
 * sequential O_DIRECT write / read bandwidth of the scratch directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "machine_limits.h"
#include "strategies.h"

/* Each memcpy figure: the best of timed rounds within this budget. */
#define MEMCPY_SECONDS 0.030
/* A round lasts at least this long (timer resolution, noise). */
#define MEMCPY_ROUND_SECONDS 0.002
#define MIB (1024.0 * 1024.0)

/* Keeps the copies observable so the compiler cannot drop them. */
static volatile unsigned char memcpy_sink;

/*
 * Bandwidth of memcpy copying `set` bytes from src to dst in chunks of
 * `chunk` bytes, MiB/s: the best round, since interference only ever
 * slows a round down.
 */
static double memcpy_bandwidth(char *dst, const char *src, size_t set,
			       size_t chunk)
{
	double best = 0, deadline = clock_now() + MEMCPY_SECONDS;

	do {
		double t0 = clock_now(), t;
		size_t passes = 0;

		do {
			for (size_t off = 0; off < set; off += chunk) {
				size_t n = set - off < chunk ? set - off :
							       chunk;

				memcpy(dst + off, src + off, n);
			}
			__asm__ volatile("" : : "r"(dst) : "memory");
			passes++;
			t = clock_now() - t0;
		} while (t < MEMCPY_ROUND_SECONDS);
		memcpy_sink ^= dst[set - 1];
		if (passes * (double)set / t > best)
			best = passes * (double)set / t;
	} while (clock_now() < deadline);
	return best / MIB;
}

static bool have_memcpy(const struct run_limits *l, uint64_t set,
			uint64_t chunk)
{
	for (size_t i = 0; i < l->n_memcpy; i++)
		if (l->memcpy[i].size == set && l->memcpy[i].buffer == chunk)
			return true;
	return false;
}

static uint64_t working_set(uint64_t size)
{
	if (size < 4096)
		return 4096;
	return size > LIMITS_MEMCPY_MAX_SET ? LIMITS_MEMCPY_MAX_SET : size;
}

static int measure_memcpy(struct run_limits *l, const struct run_request *rq)
{
	const struct tunable_values *bufs = &rq->tune[tunable_index("buffer")];
	uint64_t max_set = 0;
	size_t cap = rq->n_sizes * (bufs->n ? bufs->n : 1);
	char *src, *dst;

	for (size_t z = 0; z < rq->n_sizes; z++)
		if (working_set(rq->sizes[z]) > max_set)
			max_set = working_set(rq->sizes[z]);
	if (!cap)
		return 0;
	l->memcpy = calloc(cap, sizeof(*l->memcpy));
	src = strategy_alloc_aligned(0, max_set);
	dst = strategy_alloc_aligned(0, max_set);
	if (!l->memcpy || !src || !dst) {
		free(src);
		free(dst);
		return -ENOMEM;
	}
	/* distinct, touched pages: no zero-page or first-fault effects */
	for (uint64_t i = 0; i < max_set; i++)
		src[i] = (char)(i * 131 + 7);
	memset(dst, 1, max_set);
	for (size_t z = 0; z < rq->n_sizes; z++) {
		uint64_t set = working_set(rq->sizes[z]);

		for (size_t b = 0; b < (bufs->n ? bufs->n : 1); b++) {
			uint64_t buf = bufs->n ? bufs->v[b] :
						 STRATEGY_DEFAULT_BUFFER;
			uint64_t chunk = buf < set ? buf : set;
			struct limit_memcpy *m = &l->memcpy[l->n_memcpy];

			if (have_memcpy(l, set, chunk))
				continue;
			m->size = set;
			m->buffer = chunk;
			m->mib_s = memcpy_bandwidth(dst, src, set, chunk);
			l->n_memcpy++;
		}
	}
	free(src);
	free(dst);
	return 0;
}

/* pread all of len at off, retrying EINTR and short reads; -EIO at an
 * early end of file. Returns 0 or -errno. */
static int pread_all(int fd, char *buf, size_t len, uint64_t off)
{
	for (size_t got = 0; got < len;) {
		ssize_t n = pread(fd, buf + got, len - got, off + got);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -EIO;
		if (n > 0)
			got += n;
	}
	return 0;
}

/*
 * Sequential O_DIRECT bandwidth on an unnamed file in dir: writes up to
 * `bytes` in `block` chunks (stopping at LIMITS_DIRECT_SECONDS), with a
 * final fdatasync, then reads back what was written. 0, or -errno with
 * the reason in l->direct_reason.
 */
static int measure_direct(struct run_limits *l, const char *dir)
{
	uint64_t bytes = LIMITS_DIRECT_BYTES, written = 0, got = 0;
	size_t block = LIMITS_DIRECT_BLOCK;
	struct statvfs vfs;
	double t0, t;
	char *buf = NULL;
	int fd, ret = 0;

	/* never crowd the run's own files: a quarter of the free space */
	if (!statvfs(dir, &vfs) &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize / 4 < bytes)
		bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize / 4 /
			block * block;
	if (bytes < block) {
		if (asprintf(&l->direct_reason, "not enough free space in %s",
			     dir) < 0)
			l->direct_reason = NULL;
		return -ENOSPC;
	}
	fd = strategy_tmpfile(dir, O_DIRECT);
	if (fd < 0) {
		if (asprintf(&l->direct_reason, "O_DIRECT not supported by %s "
			     "(%s)", strategy_fs_name(dir),
			     strerror(-fd)) < 0)
			l->direct_reason = NULL;
		return fd;
	}
	buf = strategy_alloc_aligned(0, block);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (size_t i = 0; i < block; i++)
		buf[i] = (char)(i * 251 + 3);
	t0 = clock_now();
	do {
		ret = strategy_pwrite_all(fd, buf, block, written);
		if (ret)
			break;
		written += block;
	} while (written < bytes && clock_now() - t0 < LIMITS_DIRECT_SECONDS);
	if (!ret && fdatasync(fd))
		ret = -errno;
	t = clock_now() - t0;
	if (ret)
		goto out_failed;
	l->direct_write_mib_s = written / MIB / t;
	t0 = clock_now();
	do {
		ret = pread_all(fd, buf, block, got);
		if (ret)
			break;
		got += block;
	} while (got < written && clock_now() - t0 < LIMITS_DIRECT_SECONDS);
	t = clock_now() - t0;
	if (ret)
		goto out_failed;
	l->direct_read_mib_s = got / MIB / t;
	l->direct_bytes = written;
	l->direct_block = block;
	goto out_free;
out_failed:
	if (asprintf(&l->direct_reason, "O_DIRECT %s in %s failed: %s",
		     isfinite(l->direct_write_mib_s) ? "read" : "write",
		     dir, strerror(-ret)) < 0)
		l->direct_reason = NULL;
out_free:
	free(buf);
out_close:
	close(fd);
	return ret;
}

int limits_measure(struct run *run)
{
	struct run_limits *l = &run->limits;
	const char *dir = run->request.dir ? run->request.dir : ".";
	int ret;

	free(l->memcpy);
	free(l->direct_reason);
	memset(l, 0, sizeof(*l));
	l->direct_read_mib_s = NAN;
	l->direct_write_mib_s = NAN;
	ret = measure_memcpy(l, &run->request);
	if (ret)
		return ret;
	ret = measure_direct(l, dir);
	if (ret == -ENOMEM)
		return ret;
	l->measured = true;
	return 0;
}

double limits_ceiling(const struct run_limits *l, uint64_t size,
		      enum cache_mode cache, const char **what)
{
	double best = NAN;

	if (what)
		*what = cache == CACHE_WARM ? "memcpy" : "O_DIRECT read";
	if (!l->measured)
		return NAN;
	if (cache == CACHE_COLD)
		return l->direct_read_mib_s;
	for (size_t i = 0; i < l->n_memcpy; i++)
		if (l->memcpy[i].size == working_set(size) &&
		    !(l->memcpy[i].mib_s <= best))
			best = l->memcpy[i].mib_s;
	return best;
}

/* JSON has no NaN: unknown figures are null. */
static json_t *jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *limits_to_json(const struct run_limits *l)
{
	json_t *a;

	if (!l->measured)
		return json_null();
	a = json_array();
	for (size_t i = 0; a && i < l->n_memcpy; i++) {
		json_t *m = json_pack("{s:I, s:I, s:o}",
				      "size", (json_int_t)l->memcpy[i].size,
				      "buffer",
				      (json_int_t)l->memcpy[i].buffer,
				      "mib_s", jreal(l->memcpy[i].mib_s));

		if (json_array_append_new(a, m)) {
			json_decref(a);
			return NULL;
		}
	}
	/* the reason quotes --dir: bytes, maybe not UTF-8 */
	return json_pack("{s:o?, s:{s:I, s:I, s:o, s:o, s:o}}",
			 "memcpy", a, "direct",
			 "bytes", (json_int_t)l->direct_bytes,
			 "block", (json_int_t)l->direct_block,
			 "read_mib_s", jreal(l->direct_read_mib_s),
			 "write_mib_s", jreal(l->direct_write_mib_s),
			 "reason", results_json_text(l->direct_reason));
}

static double real_or_nan(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

int limits_from_json(json_t *v, struct run_limits *l, char *why,
		     size_t len)
{
	json_t *a, *d, *reason, *m;
	size_t i;

	memset(l, 0, sizeof(*l));
	if (!v || json_is_null(v))
		return 0;
	a = json_object_get(v, "memcpy");
	d = json_object_get(v, "direct");
	if (!json_is_object(v) || !json_is_array(a) || !json_is_object(d))
		return strategy_why(why, len, -EINVAL, "limits: expected an "
				    "object with memcpy (array) and direct "
				    "(object)");
	l->memcpy = calloc(json_array_size(a) ? json_array_size(a) : 1,
			   sizeof(*l->memcpy));
	if (!l->memcpy)
		return strategy_why(why, len, -ENOMEM,
				    "limits: out of memory");
	json_array_foreach(a, i, m) {
		json_int_t size, buffer;
		json_t *bw = NULL;

		if (json_unpack(m, "{s:I, s:I, s:o}", "size", &size, "buffer",
				&buffer, "mib_s", &bw) || size < 0 ||
		    buffer < 0 || !(json_is_number(bw) || json_is_null(bw))) {
			free(l->memcpy);
			memset(l, 0, sizeof(*l));
			return strategy_why(why, len, -EINVAL,
					    "limits.memcpy[%zu]: expected size, "
					    "buffer and mib_s", i);
		}
		l->memcpy[i] = (struct limit_memcpy){ size, buffer,
						      real_or_nan(bw) };
	}
	l->n_memcpy = json_array_size(a);
	l->direct_bytes = json_integer_value(json_object_get(d, "bytes"));
	l->direct_block = json_integer_value(json_object_get(d, "block"));
	l->direct_read_mib_s = real_or_nan(json_object_get(d, "read_mib_s"));
	l->direct_write_mib_s = real_or_nan(json_object_get(d,
							    "write_mib_s"));
	reason = json_object_get(d, "reason");
	if (json_is_string(reason)) {
		l->direct_reason = strdup(json_string_value(reason));
		if (!l->direct_reason) {
			free(l->memcpy);
			memset(l, 0, sizeof(*l));
			return strategy_why(why, len, -ENOMEM,
					    "limits: out of memory");
		}
	}
	l->measured = true;
	return 0;
}

int limits_json_attach(json_t *root, const struct run *run)
{
	const struct run_request *q = &run->request;
	json_t *request = json_object_get(root, "request");
	json_t *refs = json_array();

	for (size_t i = 0; refs && i < q->n_references; i++)
		if (json_array_append_new(refs,
					  json_string(q->references[i]))) {
			json_decref(refs);
			refs = NULL;
		}
	if (!json_is_object(request) || !refs ||
	    json_object_set_new(request, "references", refs) ||
	    json_object_set_new(request, "limits",
				json_boolean(q->limits)) ||
	    json_object_set_new(root, "limits", limits_to_json(&run->limits)))
		return -ENOMEM;
	return 0;
}

int limits_json_read(json_t *root, struct run *run, char *why, size_t len)
{
	struct run_request *q = &run->request;
	json_t *request = json_object_get(root, "request");
	json_t *refs = json_object_get(request, "references");
	json_t *lim = json_object_get(request, "limits");
	json_t *v;
	size_t i;

	/* absent in files written before these fields: limits off, no
	 * references */
	if (lim && !json_is_boolean(lim))
		return strategy_why(why, len, -EINVAL,
				    "request.limits: expected a boolean");
	q->limits = json_is_true(lim);
	if (refs && !json_is_array(refs))
		return strategy_why(why, len, -EINVAL,
				    "request.references: expected an array");
	if (refs && json_array_size(refs)) {
		q->references = calloc(json_array_size(refs),
				       sizeof(*q->references));
		if (!q->references)
			return strategy_why(why, len, -ENOMEM,
					    "request.references: out of "
					    "memory");
	}
	json_array_foreach(refs, i, v) {
		if (!json_is_string(v))
			return strategy_why(why, len, -EINVAL,
					    "request.references[%zu]: "
					    "expected a string", i);
		q->references[i] = strdup(json_string_value(v));
		if (!q->references[i])
			return strategy_why(why, len, -ENOMEM,
					    "request.references: out of "
					    "memory");
		q->n_references = i + 1;
	}
	return limits_from_json(json_object_get(root, "limits"), &run->limits,
				why, len);
}
