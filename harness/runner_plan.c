// SPDX-License-Identifier: MIT
/*
 * The sweep plan (runner.h runner_plan()): the cells of every strategy,
 * reference tool and size of the request, each tunable combination,
 * thread or rank count, cache and sync mode; skipped ones with a reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "cell.h"
#include "reference.h"
#include "runner_internal.h"
#include "source_tree.h"
#include "strategies.h"
#include "targets.h"
#include "threads.h"

static bool dir_is_memory_fs(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf))
		return false;
	return sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC;
}

struct plan {
	struct run *run;
	size_t cap;
};

static int plan_add(struct plan *pl, const struct cell_kind *k,
		    uint64_t size, const struct cell_tunables *tun,
		    enum cache_mode cache, enum sync_mode sync,
		    const char *skip)
{
	struct run *run = pl->run;
	struct cell *c;

	if (runner_grow((void **)&run->cells, &pl->cap, run->n_cells,
			sizeof(*run->cells)))
		return -ENOMEM;
	c = &run->cells[run->n_cells];
	memset(c, 0, sizeof(*c));
	c->strategy = strdup(cell_kind_name(k));
	if (!c->strategy)
		return -ENOMEM;
	run->n_cells++;
	c->size = size;
	c->tun = *tun;
	c->cache = cache;
	c->sync = sync;
	c->content = run->request.content;
	c->batch = 1;
	c->status = CELL_PENDING;
	if (skip) {
		c->status = CELL_SKIPPED;
		c->reason = strdup(skip);
		if (!c->reason)
			return -ENOMEM;
	}
	return 0;
}

/* The cache x sync cells of one parameter set. */
static int plan_modes(struct plan *pl, const struct cell_kind *k,
		      uint64_t size, const struct cell_tunables *tun,
		      const char *skip, bool memory_fs)
{
	const struct run_request *rq = &pl->run->request;
	static const char cold_on_tmpfs[] =
		"cold cache needs a disk-backed --dir: on tmpfs the page "
		"cache is the storage";
	static const char cold_src_on_tmpfs[] =
		"cold cache needs disk-backed sources: --src-dir is on "
		"tmpfs, where the page cache is the storage";

	for (int cache = CACHE_WARM; cache <= CACHE_COLD; cache++) {
		if (cache == CACHE_WARM ? !rq->cache_warm : !rq->cache_cold)
			continue;
		for (int sync = SYNC_NONE; sync <= SYNC_END; sync++) {
			const char *why = skip;
			int ret;

			if (sync == SYNC_NONE ? !rq->sync_none : !rq->sync_end)
				continue;
			if (!why && cache == CACHE_COLD && memory_fs)
				why = rq->src_dir ? cold_src_on_tmpfs
						  : cold_on_tmpfs;
			ret = plan_add(pl, k, size, tun, cache, sync, why);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * sweep --mpi: the cache x sync cells of one parameter set, once per
 * rank count (--ranks, else the whole job). Shared files are copied by
 * ranges: a strategy that cannot copy ranges is skipped.
 */
static int plan_ranks(struct plan *pl, const struct cell_kind *k,
		      uint64_t size, const struct cell_tunables *tun,
		      const char *skip, bool memory_fs)
{
	const struct run_request *rq = &pl->run->request;
	bool shared = rq->layout == CLUSTER_SHARED;
	size_t n = rq->n_ranks ? rq->n_ranks : 1;

	if (!skip && shared && !(cell_kind_flags(k) & COPY_RANGES))
		skip = "not range-capable (--mpi-layout shared)";
	for (size_t t = 0; t < n; t++) {
		size_t first = pl->run->n_cells;
		int ret = plan_modes(pl, k, size, tun, skip, memory_fs);

		if (ret)
			return ret;
		for (size_t i = first; i < pl->run->n_cells; i++) {
			struct cell *c = &pl->run->cells[i];

			c->ranks = rq->n_ranks ? (unsigned)rq->ranks[t] :
				   rq->mpi_world;
			c->threads = 1;
			c->parallel = shared ? PARALLEL_RANGES : PARALLEL_FILES;
			c->prealloc = shared ? rq->prealloc : PREALLOC_NONE;
		}
	}
	return 0;
}

/* The cache x sync cells of one parameter set, once per thread
 * configuration (threads.h: 1 thread, then N by files / by ranges). */
static int plan_threads(struct plan *pl, const struct cell_kind *k,
			uint64_t size, const struct cell_tunables *tun,
			const char *skip, bool memory_fs)
{
	size_t n = threads_n_configs(&pl->run->request);

	if (pl->run->request.mpi_world)
		return plan_ranks(pl, k, size, tun, skip, memory_fs);

	for (size_t t = 0; t < n; t++) {
		size_t first = pl->run->n_cells;
		int ret = plan_modes(pl, k, size, tun, skip, memory_fs);

		if (!ret)
			ret = threads_apply_config(pl->run, first, k, t);
		if (ret)
			return ret;
	}
	return 0;
}

/* Every tunable combination of one strategy at one size: each option
 * it reads takes the request's values, or its own default when the
 * request lists none; a skipped strategy gets one cell. */
static int plan_strategy(struct plan *pl, const struct cell_kind *k,
			 uint64_t size, const char *skip, bool memory_fs)
{
	const struct run_request *rq = &pl->run->request;
	size_t pos[TUNABLES_MAX] = { 0 }, n[TUNABLES_MAX];
	struct cell base = { 0 };
	int ret = cell_set_options(&base, cell_kind_options(k));

	if (ret)
		return ret;
	for (size_t i = 0; i < TUNABLES_MAX; i++)
		n[i] = cell_has_tunable(&base, i) && !skip && rq->tune[i].n ?
		       rq->tune[i].n : 1;
	for (;;) {
		struct cell_tunables tun = base.tun;
		size_t i;

		for (i = 0; i < TUNABLES_MAX; i++)
			if (cell_has_tunable(&base, i) && !skip &&
			    rq->tune[i].n)
				tun.v[i] = rq->tune[i].v[pos[i]];
		ret = plan_threads(pl, k, size, &tun, skip, memory_fs);
		if (ret)
			return ret;
		/* the next combination, odometer-wise: the table's last
		 * tunable turns fastest (buffer, then qd, then direct) */
		for (i = TUNABLES_MAX; i-- > 0 && ++pos[i] == n[i];)
			pos[i] = 0;
		if (i == (size_t)-1)
			return 0;
	}
}

/*
 * Probes s for the copies of rq: in --dir, and with --src-dir on another
 * filesystem (another device number), a strategy that copies within one
 * filesystem only (COPY_SAME_FS_ONLY: the kernel answers EXDEV) is not
 * usable. true when usable, else the reason in why.
 */
static bool probe_for_request(const struct cell_kind *k,
			      const struct run_request *rq, const char *dir,
			      char *why, size_t len)
{
	struct stat a, b;

	if (cell_kind_probe(k, dir, why, len))
		return false;
	if (!rq->src_dir || !(cell_kind_flags(k) & COPY_SAME_FS_ONLY) ||
	    stat(rq->src_dir, &a) || stat(dir, &b) || a.st_dev == b.st_dev)
		return true;
	snprintf(why, len, "--src-dir %s is another filesystem than --dir "
		 "%s: %s copies within one filesystem only (EXDEV)",
		 rq->src_dir, dir, cell_kind_name(k));
	return false;
}

/* Reference tools (reference.h) are planned like strategies, from their
 * kind: the tool's variant brings its tunables and its probe. For a
 * --source tree the tools read a read-only view of it: probed once, its
 * failure is every tool's reason. A dataset's classes would take one
 * process per file: skipped. */
static int plan_references(struct plan *pl, uint64_t size, const char *dir,
			   bool memory_fs)
{
	const struct source_tree *tree = pl->run->request.source ?
					 pl->run->source_tree : NULL;
	const struct reference_variant *v;
	char why[REASON_LEN], view_why[REASON_LEN];
	int ret = 0, view = 0;

	if (tree && reference_at(&pl->run->request, 0))
		view = reference_tree_probe(tree, dir, view_why,
					    sizeof(view_why));
	for (size_t t = 0; !ret && (v = reference_at(&pl->run->request, t));
	     t++) {
		struct cell_kind k = cell_kind_reference(v);
		bool usable = probe_for_request(&k, &pl->run->request, dir,
						why, sizeof(why));
		size_t first = pl->run->n_cells;
		double start;

		if (usable && view)
			snprintf(why, sizeof(why), "%s", view_why);
		ret = plan_strategy(pl, &k, size, usable && !view ? NULL : why,
				    memory_fs);
		/* shown beside the times that include it */
		start = usable ? reference_start_seconds(v) : 0;
		for (size_t i = first; i < pl->run->n_cells; i++) {
			struct cell *c = &pl->run->cells[i];

			c->tool_start = start;
			if (!ret && pl->run->workload &&
			    c->status == CELL_PENDING) {
				c->status = CELL_SKIPPED;
				c->reason = strdup("not with --dataset: "
						   "reference tools copy one "
						   "file per process");
				ret = c->reason ? 0 : -ENOMEM;
			}
		}
	}
	return ret;
}

static bool want_all(const struct run_request *rq)
{
	return !rq->n_strategies ||
	       (rq->n_strategies == 1 && !strcmp(rq->strategies[0], "all"));
}

/*
 * --source, --dataset: a sample copies the tree's files (by files with N
 * threads from a shared queue). By ranges would split each file of the
 * tree (not done): skipped with the reason.
 */
static int skip_for_source(struct run *run, size_t first)
{
	bool dataset = run->workload;

	for (size_t i = first; i < run->n_cells; i++) {
		struct cell *c = &run->cells[i];
		const char *why = NULL;

		if (c->status != CELL_PENDING)
			continue;
		if (c->parallel == PARALLEL_RANGES && c->threads > 1)
			why = dataset ? "not with --dataset: a tree is copied "
			      "by files" : "not with --source: a tree is "
			      "copied by files";
		else if (c->cache == CACHE_COLD && run->source_tree &&
			 run->source_tree->n_residency_unreadable)
			why = "cold cache cannot be checked: the kernel "
			      "reports page-cache residency (cachestat, "
			      "mincore) only to a file's owner, a writer or "
			      "root, and some files of the tree are none of "
			      "these for this user: warm cells only";
		if (!why)
			continue;
		c->status = CELL_SKIPPED;
		c->reason = strdup(why);
		if (!c->reason)
			return -ENOMEM;
	}
	return 0;
}

/* sweep --dir A,B: the cells from first on are target t's. */
static int set_target(struct run *run, size_t first, size_t t)
{
	const char *dir = targets_dir(&run->request, t);

	for (size_t i = first; targets_count(&run->request) > 1 &&
			       i < run->n_cells; i++)
		if (!(run->cells[i].target = strdup(dir)))
			return -ENOMEM;
	return 0;
}

/* Every strategy and reference tool at one size on target t. */
static int plan_target(struct plan *pl, uint64_t size, size_t t,
		       const bool *usable, char (*why)[REASON_LEN])
{
	const struct run_request *rq = &pl->run->request;
	const char *dir = targets_dir(rq, t);
	/* cold evicts the sources: where they live decides */
	bool memory_fs = dir_is_memory_fs(rq->src_dir ? rq->src_dir : dir);
	bool all = want_all(rq);
	size_t ns = all ? strategy_count() : rq->n_strategies;
	size_t first = pl->run->n_cells;
	int ret = 0;

	for (size_t i = 0; !ret && i < ns; i++) {
		struct cell_kind k = cell_kind_strategy(
			all ? strategy_at(i) : strategy_find(rq->strategies[i]));

		ret = plan_strategy(pl, &k, size, usable[i] ? NULL : why[i],
				    memory_fs);
	}
	if (!ret)
		ret = plan_references(pl, size, dir, memory_fs);
	return ret ? ret : set_target(pl->run, first, t);
}

int runner_plan(struct run *run)
{
	const struct run_request *rq = &run->request;
	bool all = want_all(rq);
	size_t ns = all ? strategy_count() : rq->n_strategies;
	size_t nt = targets_count(rq), n = ns * nt;
	struct plan pl = { .run = run };
	char (*why)[REASON_LEN];
	bool *usable;
	int ret = -ENOMEM;

	why = calloc(n ? n : 1, sizeof(*why));
	usable = calloc(n ? n : 1, sizeof(*usable));
	if (!why || !usable)
		goto out_free;
	/* probe once per strategy and target, not once per size */
	for (size_t i = 0; i < n; i++) {
		struct cell_kind k = cell_kind_strategy(
			all ? strategy_at(i % ns)
			    : strategy_find(rq->strategies[i % ns]));

		ret = -EINVAL;
		if (k.type == CELL_KIND_NONE)
			goto out_free;
		usable[i] = probe_for_request(&k, rq, targets_dir(rq, i / ns),
					      why[i], sizeof(why[i]));
		if (!usable[i] && !why[i][0])
			snprintf(why[i], sizeof(why[i]), "not usable here");
	}
	ret = 0;
	for (size_t z = 0; !ret && z < rq->n_sizes; z++)
		for (size_t t = 0; !ret && t < nt; t++)
			ret = plan_target(&pl, rq->sizes[z], t, usable + t * ns,
					  why + t * ns);
	if (!ret)
		ret = rq->source || run->workload ? skip_for_source(run, 0) : 0;
out_free:
	free(usable);
	free(why);
	return ret;
}
