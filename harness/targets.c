// SPDX-License-Identifier: MIT
/*
 * sweep --dir A,B,...: the target list and its checks, each target's
 * description and limits, and a round's order over the targets
 * (targets.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "machine_limits.h"
#include "msg.h"
#include "strategies.h"
#include "targets.h"

int targets_check_not_empty(const char *opt, const char *path)
{
	if (*path)
		return 0;
	if (strcmp(opt, "--source"))
		msg_error("sweep: %s: empty path (give a directory, e.g. "
			  "%s .)", opt, opt);
	else
		msg_error("sweep: %s: empty path (give a directory)", opt);
	return -EINVAL;
}

int targets_check_dir(const char *opt, const char *dir)
{
	struct stat st;
	int fd;

	if (targets_check_not_empty(opt, dir))
		return -EINVAL;
	if (stat(dir, &st)) {
		msg_error("sweep: %s %s: %s", opt, dir, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		msg_error("sweep: %s %s: not a directory", opt, dir);
		return -EINVAL;
	}
	if (access(dir, W_OK | X_OK)) {
		msg_error("sweep: %s %s: not writable: %s", opt, dir,
			  strerror(errno));
		return -EINVAL;
	}
	fd = strategy_tmpfile(dir, 0);
	if (fd < 0) {
		msg_error("sweep: %s %s: not writable: %s", opt, dir,
			  strerror(-fd));
		return -EINVAL;
	}
	close(fd);
	return 0;
}

/* Appends one target (a copy of dir, n bytes) to rq->dirs. 0, -EINVAL
 * (too many, printed) or -ENOMEM. */
static int add_dir(struct run_request *rq, const char *dir, size_t n)
{
	char **v;

	if (rq->n_dirs == TARGETS_MAX) {
		msg_error("sweep: --dir: at most %d directories",
			  TARGETS_MAX);
		return -EINVAL;
	}
	v = realloc(rq->dirs, (rq->n_dirs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	rq->dirs = v;
	v[rq->n_dirs] = strndup(dir, n);
	if (!v[rq->n_dirs])
		return -ENOMEM;
	rq->n_dirs++;
	return 0;
}

/* One --dir value: a directory that exists is taken whole (its name
 * may hold a comma), else a comma list; an empty item is refused. */
static int split_value(struct run_request *rq, const char *value)
{
	struct stat st;
	const char *p = value;
	int ret;

	if (!*value || (!stat(value, &st) && S_ISDIR(st.st_mode)))
		return add_dir(rq, value, strlen(value));
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (!n) {
			msg_error("sweep: --dir %s: an empty directory in the "
				  "list", value);
			return -EINVAL;
		}
		ret = add_dir(rq, p, n);
		if (ret || !end)
			return ret;
		p = end + 1;
	}
}

/* No two targets, nor --src-dir and a target, are one directory (by
 * device and inode: links and other spellings resolved). */
static int check_distinct(const struct run_request *rq, const char *src_dir)
{
	struct stat a, b;

	for (size_t i = 0; i < rq->n_dirs; i++) {
		if (stat(rq->dirs[i], &a))
			continue;
		for (size_t j = i + 1; j < rq->n_dirs; j++)
			if (!stat(rq->dirs[j], &b) && a.st_dev == b.st_dev &&
			    a.st_ino == b.st_ino) {
				msg_error("sweep: --dir: %s and %s are the same "
					  "directory: give each target once",
					  rq->dirs[i], rq->dirs[j]);
				return -EINVAL;
			}
		if (src_dir && !stat(src_dir, &b) && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			msg_error("sweep: --src-dir %s is --dir %s: give a "
				  "directory on another device, or leave "
				  "--src-dir out", src_dir, rq->dirs[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int targets_parse(const char *const *given, size_t n, bool mpi,
		  const char *dataset, const char *src_dir,
		  struct run_request *rq)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < n; i++)
		ret = split_value(rq, given[i]);
	if (!ret && !rq->n_dirs)
		ret = add_dir(rq, ".", 1);
	if (ret)
		return ret;
	if (rq->n_dirs > 1 && (mpi || dataset)) {
		msg_error("sweep: several --dir targets and %s are exclusive "
			  "(%s)", mpi ? "--mpi" : "--dataset", mpi ?
			  "each rank copies in one directory" :
			  "a dataset is written in one directory");
		return -EINVAL;
	}
	for (size_t i = 0; i < rq->n_dirs; i++)
		if (targets_check_dir("--dir", rq->dirs[i]))
			return -EINVAL;
	if (check_distinct(rq, src_dir))
		return -EINVAL;
	rq->dir = strdup(rq->dirs[0]);
	return rq->dir ? 0 : -ENOMEM;
}

size_t targets_count(const struct run_request *rq)
{
	return rq->n_dirs > 1 ? rq->n_dirs : 1;
}

const char *targets_dir(const struct run_request *rq, size_t t)
{
	if (rq->n_dirs > 1 && t < rq->n_dirs)
		return rq->dirs[t];
	return rq->dir ? rq->dir : ".";
}

size_t targets_of_cell(const struct run_request *rq, const struct cell *c)
{
	for (size_t t = 0; c->target && rq->n_dirs > 1 && t < rq->n_dirs; t++)
		if (!strcmp(rq->dirs[t], c->target))
			return t;
	return 0;
}

bool targets_same_but_target(const struct cell *a, const struct cell *b)
{
	struct cell x = *a;

	/* a cell without a target matches any (cell_same_variant()) */
	x.target = NULL;
	return cell_same_key(&x, b, 0);
}

bool targets_same_cell(const struct run *ra, const struct cell *a,
		       const struct run *rb, const struct cell *b,
		       uint32_t ignore)
{
	const char *ta = a->target ? a->target : ra->request.dir;
	const char *tb = b->target ? b->target : rb->request.dir;

	if (!cell_same_key(a, b, ignore))
		return false;
	/* both with one --dir: their directories may differ */
	if (!a->target && !b->target)
		return true;
	return ta && tb && !strcmp(ta, tb);
}

/* Copies what describes a target's directory out of env. */
static int describe_one(struct run_target *t, const struct environment *e)
{
	t->fs_type = strdup(e->fs_type ? e->fs_type : "unknown");
	t->mount_options = strdup(e->mount_options ? e->mount_options :
				  "unknown");
	t->device = strdup(e->device ? e->device : "unknown");
	t->device_model = strdup(e->device_model ? e->device_model :
				 "unknown");
	t->scheduler = strdup(e->scheduler ? e->scheduler : "unknown");
	t->rotational = e->rotational;
	return t->fs_type && t->mount_options && t->device &&
	       t->device_model && t->scheduler ? 0 : -ENOMEM;
}

int targets_describe(struct run *run)
{
	const struct run_request *rq = &run->request;
	int ret = 0;

	if (rq->n_dirs < 2 || run->targets)
		return 0;
	run->targets = calloc(rq->n_dirs, sizeof(*run->targets));
	if (!run->targets)
		return -ENOMEM;
	run->n_targets = rq->n_dirs;
	for (size_t t = 0; !ret && t < rq->n_dirs; t++) {
		struct environment env;

		run->targets[t].rotational = -1;
		run->targets[t].dir = strdup(rq->dirs[t]);
		if (!run->targets[t].dir)
			return -ENOMEM;
		ret = env_probe(rq->dirs[t], &env);
		if (!ret)
			ret = describe_one(&run->targets[t], &env);
		results_free_environment(&env);
	}
	return ret;
}

int targets_measure_limits(struct run *run)
{
	char *dir = run->request.dir;
	struct run_limits first = run->limits;
	int ret = 0;

	/* limits_measure() measures request.dir into run->limits: each
	 * target in turn, then the first's put back */
	for (size_t t = 1; !ret && t < run->n_targets; t++) {
		memset(&run->limits, 0, sizeof(run->limits));
		run->request.dir = run->targets[t].dir;
		ret = limits_measure(run);
		run->targets[t].limits = run->limits;
	}
	run->request.dir = dir;
	run->limits = first;
	return ret;
}

const struct run_limits *targets_limits(const struct run *run, size_t t)
{
	if (t && t < run->n_targets)
		return &run->targets[t].limits;
	return &run->limits;
}

const char *targets_label(const struct run *run, size_t t, bool md,
			  char *out, size_t len)
{
	const struct run_target *x = t < run->n_targets ? &run->targets[t] :
				     NULL;
	const char *dir = x ? x->dir : targets_dir(&run->request, t);
	const char *fs = x ? x->fs_type : run->env.fs_type;

	snprintf(out, len, "%s%s%s (%s)", md ? "`" : "", dir, md ? "`" : "",
		 fs ? fs : "unknown");
	return out;
}

/* Where cell k of order sits in round `round`'s rotation of n targets:
 * the target going first is round mod n. */
static size_t turn(const struct run *run, size_t cell, unsigned round,
		   size_t n)
{
	size_t t = targets_of_cell(&run->request, &run->cells[cell]);

	return (t + n - round % n) % n;
}

int targets_round_order(const struct run *run, size_t *order, size_t n,
			unsigned round)
{
	size_t nt = targets_count(&run->request), used = 0;
	size_t *out;
	bool *placed;

	if (nt < 2 || n < 2)
		return 0;
	out = malloc(n * sizeof(*out));
	placed = calloc(n, sizeof(*placed));
	if (!out || !placed) {
		free(out);
		free(placed);
		return -ENOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		size_t first = used;

		if (placed[k])
			continue;
		/* the variant's cells on every target, by their turn */
		for (size_t j = k; j < n; j++) {
			const struct cell *a = &run->cells[order[k]];

			if (placed[j] || (j != k && !targets_same_but_target(
						a, &run->cells[order[j]])))
				continue;
			placed[j] = true;
			size_t at = used++;

			while (at > first && turn(run, out[at - 1], round, nt) >
					     turn(run, order[j], round, nt)) {
				out[at] = out[at - 1];
				at--;
			}
			out[at] = order[j];
		}
	}
	memcpy(order, out, n * sizeof(*order));
	free(out);
	free(placed);
	return 0;
}
