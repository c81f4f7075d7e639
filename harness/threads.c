// SPDX-License-Identifier: MIT
/*
 * Thread sweeps: the request and the cells it multiplies, placement plans
 * computed from an hwloc topology, and the worker pool that copies one
 * sample with N threads started together (pthreads, hwloc membind).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "cell_kind.h"
#include "clock.h"
#include "copy_unit.h"
#include "io_latency.h"
#include "parse.h"
#include "strategies.h"
#include "strlist.h"
#include "threads.h"
#include "topology.h"
#include "tree_copy.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the request and the plan ---- */

struct parallel_ctx {
	struct run_request *rq;
	char *err;
	size_t len;
};

static int one_parallel(const char *tok, void *p)
{
	struct parallel_ctx *ctx = p;
	enum parallel_mode m;

	if (parallel_mode_parse(tok, &m)) {
		snprintf(ctx->err, ctx->len, "--parallel: '%s': expected "
			 "files or ranges", tok);
		return -EINVAL;
	}
	if (m == PARALLEL_FILES)
		ctx->rq->parallel_files = true;
	else
		ctx->rq->parallel_ranges = true;
	return 0;
}

/* "files,ranges": each at most once. */
static int parse_parallel(const char *list, struct run_request *rq,
			  char *err, size_t len)
{
	struct parallel_ctx ctx = { rq, err, len };
	char why[64] = "";
	int ret = strlist_each(list, ',', STRLIST_NO_EMPTY | STRLIST_UNIQUE,
			       one_parallel, &ctx, why, sizeof(why));

	/* the list's own faults; a bad item wrote its message already */
	if (ret == -EINVAL && *why)
		snprintf(err, len, "--parallel: %s", why);
	return ret;
}

int threads_parse_request(const char *threads, const char *parallel,
			  const char *pin, const char *prealloc,
			  struct run_request *rq, char *err, size_t len)
{
	char why[200];
	int ret;

	if (parse_count_list(threads ? threads : "1", 1, THREADS_MAX,
			     &rq->threads, &rq->n_threads, why, sizeof(why))) {
		snprintf(err, len, "--threads: %s", why);
		return -EINVAL;
	}
	ret = parse_parallel(parallel ? parallel : "files", rq, err, len);
	if (ret)
		return ret;
	if (pin_mode_parse(pin ? pin : "none", &rq->pin)) {
		snprintf(err, len, "--pin: '%s': expected none, compact or "
			 "spread", pin);
		return -EINVAL;
	}
	if (prealloc_mode_parse(prealloc ? prealloc : "truncate",
				&rq->prealloc)) {
		snprintf(err, len, "--prealloc: '%s': expected none, truncate "
			 "or fallocate", prealloc);
		return -EINVAL;
	}
	return 0;
}

struct thread_config {
	unsigned threads;
	enum parallel_mode parallel;
};

/* The request's configurations in order (the first max into out): every
 * count, 1 thread once, files before ranges. Returns how many there are. */
static size_t configs_of(const struct run_request *rq,
			 struct thread_config *out, size_t max)
{
	static const uint64_t one = 1;
	const uint64_t *t = rq->n_threads ? rq->threads : &one;
	size_t nt = rq->n_threads ? rq->n_threads : 1, n = 0;
	bool files = rq->parallel_files || !rq->parallel_ranges;

	for (size_t i = 0; i < nt; i++) {
		for (int m = PARALLEL_FILES; m <= PARALLEL_RANGES; m++) {
			bool want = m == PARALLEL_FILES ? files || t[i] == 1 :
				    rq->parallel_ranges && t[i] > 1;

			if (!want)
				continue;
			if (out && n < max)
				out[n] = (struct thread_config){
					(unsigned)t[i], (enum parallel_mode)m };
			n++;
		}
	}
	return n;
}

size_t threads_n_configs(const struct run_request *rq)
{
	return configs_of(rq, NULL, 0);
}

int threads_apply_config(struct run *run, size_t first,
			 const struct cell_kind *k, size_t config)
{
	const struct run_request *rq = &run->request;
	struct thread_config tc = { 1, PARALLEL_FILES };
	struct thread_config *all;
	size_t n = threads_n_configs(rq);
	bool ranges_ok = cell_kind_flags(k) & COPY_RANGES;
	/* a reference tool is a program of its own (once per file, batch
	 * or tree): one thread, unpinned, nothing pre-sized */
	bool tool = k->type == CELL_KIND_REFERENCE;
	bool tree = run->source_tree || run->workload;

	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	configs_of(rq, all, n);
	if (config < n)
		tc = all[config];
	free(all);
	if (rq->pin != PIN_NONE)
		topology_machine();	/* children inherit it */
	for (size_t i = first; i < run->n_cells; i++) {
		struct cell *c = &run->cells[i];
		const char *skip = NULL;

		c->threads = tc.threads;
		c->parallel = tc.parallel;
		c->pin = tool ? PIN_NONE : rq->pin;
		/* by ranges the destinations are pre-sized; a tree's
		 * files too (its default is none: request.c) */
		c->prealloc = ((tc.parallel == PARALLEL_RANGES &&
				tc.threads > 1) || tree) && !tool ?
			      rq->prealloc : PREALLOC_NONE;
		if (tool && tc.threads > 1)
			skip = tree ? "a reference tool is one process for "
			       "the whole tree" : "reference tools copy one "
			       "file at a time";
		else if (!ranges_ok && c->parallel == PARALLEL_RANGES)
			skip = "not range-capable";
		if (c->status != CELL_PENDING || !skip)
			continue;
		free(c->reason);
		c->reason = strdup(skip);
		if (!c->reason)
			return -ENOMEM;
		c->status = CELL_SKIPPED;
	}
	return 0;
}

bool threads_cell_pooled(const struct cell *c)
{
	return c->threads > 1 || c->pin != PIN_NONE;
}

unsigned threads_files_for(const struct cell *c, unsigned k)
{
	if (c->parallel == PARALLEL_FILES && c->threads > 1)
		return k * c->threads;
	return k;
}

const char *threads_oversubscribed(struct run *run)
{
	static const char prefix[] = "more threads than processing units";
	unsigned most = 0, pus = run->env.pus;

	for (size_t i = 0; i < run->n_cells; i++)
		if (run->cells[i].threads > most)
			most = run->cells[i].threads;
	if (!pus || most <= pus)
		return NULL;
	for (size_t i = 0; i < run->n_warnings; i++)
		if (!strncmp(run->warnings[i], prefix, strlen(prefix)))
			return run->warnings[i];
	results_add_warning(run, "%s: %u threads on %u PU(s); threads share "
			    "CPUs, so scaling beyond %u measures the "
			    "scheduler", prefix, most, pus, pus);
	return run->n_warnings ? run->warnings[run->n_warnings - 1] : NULL;
}

unsigned threads_split_ranges(uint64_t size, unsigned n,
			      struct copy_range *out)
{
	uint64_t align = size / n >= THREADS_RANGE_ALIGN ?
			 THREADS_RANGE_ALIGN : THREADS_RANGE_MIN_ALIGN;
	unsigned used = 0;

	/* boundary i at i/n of the file, rounded down to the alignment:
	 * shares differ by at most one alignment unit */
	for (unsigned i = 0; i < n; i++) {
		uint64_t start = size * i / n / align * align;
		uint64_t end = i + 1 == n ? size :
			       size * (i + 1) / n / align * align;

		out[i] = (struct copy_range){ start, start, end - start };
		used += end > start;
	}
	return used;
}

/* ---- the worker pool ---- */

/*
 * A start gate for the workers and the coordinator. Hand-written rather
 * than a pthread_barrier_t: when creating a worker fails, the gate must
 * open for the parties that do exist (a pthread barrier cannot shrink).
 */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned parties, waiting, generation;
};

static void gate_init(struct gate *g, unsigned parties)
{
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->parties = parties;
	g->waiting = 0;
	g->generation = 0;
}

static void gate_open_locked(struct gate *g)
{
	g->waiting = 0;
	g->generation++;
	pthread_cond_broadcast(&g->cv);
}

static void gate_wait(struct gate *g)
{
	unsigned gen;

	pthread_mutex_lock(&g->mu);
	gen = g->generation;
	if (++g->waiting >= g->parties)
		gate_open_locked(g);
	else
		while (gen == g->generation)
			pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

/* Fewer parties than planned (a worker could not be created). */
static void gate_resize(struct gate *g, unsigned parties)
{
	pthread_mutex_lock(&g->mu);
	g->parties = parties;
	if (g->waiting && g->waiting >= parties)
		gate_open_locked(g);
	pthread_mutex_unlock(&g->mu);
}

static void gate_destroy(struct gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

struct pool {
	const struct threads_job *job;
	struct gate ready, go;
	struct copy_range *ranges;	/* ranges mode: one per thread */
	bool abort;			/* set before go: workers skip */
	/* a tree: the queue's order (largest first) and its next entry */
	const unsigned *order;
	atomic_uint next;
};

struct worker {
	pthread_t tid;
	struct pool *pool;
	unsigned idx;
	int ret;
	char why[160];
	double start, end, sync_seconds;
	uint64_t bytes;
	bool membind_failed;
};

/* Pins the calling worker to its planned PU and binds the memory it
 * allocates from now on (strategy buffers) to that PU's NUMA node. */
static int pin_worker(struct worker *w)
{
	const struct threads_job *job = w->pool->job;
	int ret;

	if (!job->plan)
		return 0;
	ret = topology_bind_thread(job->topo, job->plan, w->idx,
				   &w->membind_failed);
	if (ret)
		return strategy_why(w->why, sizeof(w->why), ret,
				    "pinning thread %u: %s", w->idx,
				    strerror(-ret));
	return 0;
}

/* The timed unit of one thread (copy_unit.h); by ranges the
 * destination exists and is not truncated. */
static int copy_part(struct worker *w, const struct copy_unit *u,
		     const char *src, const char *dst,
		     const struct copy_range *r, bool create)
{
	int ret = copy_unit_file(u, src, 0, dst, create ? COPY_UNIT_CREATE :
						  COPY_UNIT_EXISTING,
				 r, &w->sync_seconds, w->why, sizeof(w->why));

	if (!ret)
		w->bytes += r->len;
	return ret;
}

/* A tree: each worker takes the next file of the shared queue until it
 * is empty, so one large file does not leave the others idle at the end
 * of a fixed share. */
static int worker_copy_tree(struct worker *w, const struct copy_unit *u)
{
	const struct threads_job *job = w->pool->job;
	const struct threads_tree *tt = job->tree;
	struct tree_copy_job tj = {
		.tree = tt->tree,
		.prealloc = job->prealloc,
		.preserve = tt->preserve,
		.base_len = tt->base_len,
	};
	struct tree_copy_dirs *dirs = calloc(1, sizeof(*dirs));
	int ret = 0;

	if (!dirs)
		return strategy_why(w->why, sizeof(w->why), -ENOMEM, "%s",
				    strerror(ENOMEM));
	while (!ret) {
		unsigned q = atomic_fetch_add(&w->pool->next, 1), f;

		if (q >= job->n_files)
			break;
		f = w->pool->order[q];
		ret = tree_copy_file(u, &tj, f, job->dst[f], dirs,
				     &w->sync_seconds, w->why, sizeof(w->why));
		if (!ret)
			w->bytes += tt->tree->files[f].size;
	}
	free(dirs);
	return ret;
}

static int worker_copy(struct worker *w, const struct copy_unit *u)
{
	const struct threads_job *job = w->pool->job;
	unsigned k = job->parallel == PARALLEL_FILES ?
		     job->n_files / job->threads : job->n_files;
	int ret = 0;

	if (job->tree)
		return worker_copy_tree(w, u);
	for (unsigned i = 0; i < k && !ret; i++) {
		if (job->parallel == PARALLEL_FILES) {
			struct copy_range whole = { 0, 0, job->size };
			unsigned f = w->idx * k + i;

			ret = copy_part(w, u, job->src[f], job->dst[f],
					&whole, true);
		} else if (w->pool->ranges[w->idx].len) {
			ret = copy_part(w, u, job->src[i], job->dst[i],
					&w->pool->ranges[w->idx], false);
		}
	}
	return ret;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *pool = w->pool;
	const struct threads_job *job = pool->job;
	struct copy_unit u = { 0 };
	struct cell defaults = { .sync = job->sync };
	int ret;

	ret = pin_worker(w);
	if (!ret && job->on_start)
		job->on_start(w->idx, job->ctx);
	/* set up after membind: the state lands on our node */
	if (!ret)
		ret = copy_unit_setup(&u, job->s, job->cell ? job->cell :
					  &defaults, w->why, sizeof(w->why));
	u.sync = job->sync == SYNC_END;
	u.sparse = job->sparse;
	u.io_observer = io_latency_observer(job->io_lat, w->idx);
	gate_wait(&pool->ready);
	gate_wait(&pool->go);
	w->start = clock_now();
	if (!ret && !pool->abort)
		ret = worker_copy(w, &u);
	w->end = clock_now();
	copy_unit_teardown(&u);
	w->ret = ret;
	return NULL;
}

/* By ranges, the destinations exist at their final size (or empty with
 * --prealloc none) before the workers start; timed like a real tool. */
static int create_destinations(const struct threads_job *job, char *why,
			       size_t len)
{
	for (unsigned i = 0; i < job->n_files; i++) {
		int ret = tree_copy_presize(job->dst[i], job->prealloc,
					    job->size, why, len);

		if (ret)
			return ret;
	}
	return 0;
}

/* Sample figures from the workers' clocks; the first failure wins. */
static int collect(const struct pool *pool, const struct worker *w,
		   unsigned n, double t0, struct threads_outcome *out,
		   char *why, size_t len)
{
	double first = INFINITY, last = t0;

	for (unsigned i = 0; i < n; i++) {
		if (w[i].ret)
			return strategy_why(why, len, w[i].ret, "thread %u: %s",
					    i + 1, w[i].why);
		if (w[i].end < first)
			first = w[i].end;
		if (w[i].end > last)
			last = w[i].end;
		if (w[i].sync_seconds > out->sync_seconds)
			out->sync_seconds = w[i].sync_seconds;
		out->membind_failed |= w[i].membind_failed;
		out->per_thread[i] = (struct thread_figure){
			w[i].end - w[i].start, w[i].bytes };
	}
	(void)pool;
	out->seconds = last - t0;
	out->first_finish = n ? first - t0 : 0;
	return 0;
}

int threads_run(const struct threads_job *job, struct threads_outcome *out,
		char *why, size_t len)
{
	unsigned n = job->threads, made = 0, *order = NULL;
	struct pool pool = { .job = job };
	struct rusage ru0, ru1;
	struct worker *w;
	double t0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!n || n > THREADS_MAX ||
	    (job->tree && job->parallel != PARALLEL_FILES) ||
	    (job->parallel == PARALLEL_FILES && !job->tree &&
	     job->n_files % n) ||
	    (job->plan && job->plan->n < n))
		return strategy_why(why, len, -EINVAL,
				    "bad thread job (%u threads, %u files)",
				    n, job->n_files);
	w = calloc(n, sizeof(*w));
	pool.ranges = calloc(n, sizeof(*pool.ranges));
	if (!w || !pool.ranges) {
		ret = strategy_why(why, len, -ENOMEM, "%s", strerror(ENOMEM));
		goto out_free;
	}
	threads_split_ranges(job->size, n, pool.ranges);
	atomic_init(&pool.next, 0);
	if (job->tree) {
		order = tree_copy_largest_first(job->tree->tree);
		if (!order) {
			ret = strategy_why(why, len, -ENOMEM, "%s",
					   strerror(ENOMEM));
			goto out_free;
		}
		pool.order = order;
	}
	gate_init(&pool.ready, n + 1);
	gate_init(&pool.go, n + 1);
	for (; made < n; made++) {
		int err;

		w[made].pool = &pool;
		w[made].idx = made;
		err = pthread_create(&w[made].tid, NULL, worker_main, &w[made]);
		if (err) {
			ret = strategy_why(why, len, -err,
					   "creating thread %u: %s", made + 1,
					   strerror(err));
			pool.abort = true;
			gate_resize(&pool.ready, made + 1);
			gate_resize(&pool.go, made + 1);
			break;
		}
	}
	gate_wait(&pool.ready);
	getrusage(RUSAGE_SELF, &ru0);
	t0 = clock_now();
	if (!ret && job->parallel == PARALLEL_RANGES) {
		ret = create_destinations(job, why, len);
		pool.abort = ret != 0;
	}
	gate_wait(&pool.go);
	for (unsigned i = 0; i < made; i++)
		pthread_join(w[i].tid, NULL);
	getrusage(RUSAGE_SELF, &ru1);
	if (!ret)
		ret = collect(&pool, w, n, t0, out, why, len);
	out->cpu_user = clock_tv_seconds(&ru1.ru_utime) - clock_tv_seconds(&ru0.ru_utime);
	out->cpu_sys = clock_tv_seconds(&ru1.ru_stime) - clock_tv_seconds(&ru0.ru_stime);
	gate_destroy(&pool.go);
	gate_destroy(&pool.ready);
out_free:
	free(order);
	free(pool.ranges);
	free(w);
	return ret;
}

int threads_measure(const struct copy_strategy *s, const struct cell *c,
		    enum strategy_sparse sparse, const struct threads_tree *tree,
		    char *const *src, char *const *dst, unsigned n,
		    struct io_latency_sample *io_lat,
		    struct threads_outcome *out, char *why, size_t len)
{
	struct topology_plan plan = { 0 };
	struct threads_job job = {
		.s = s,
		.cell = c,
		.parallel = c->threads > 1 ? c->parallel : PARALLEL_FILES,
		.prealloc = c->prealloc,
		.sync = c->sync,
		.sparse = sparse,
		.threads = c->threads ? c->threads : 1,
		.size = c->size,
		.src = src,
		.dst = dst,
		.n_files = n,
		.tree = tree,
		.io_lat = io_lat,
	};
	int ret;

	if (c->pin != PIN_NONE) {
		job.topo = topology_machine();
		if (!job.topo)
			return strategy_why(why, len, -ENODEV,
					    "pinning: hwloc could not load "
					    "this machine's topology");
		ret = topology_plan_placement(job.topo, c->pin, job.threads,
					     &plan);
		if (ret)
			return strategy_why(why, len, ret,
					    "planning the placement: %s",
					    strerror(-ret));
		job.plan = &plan;
	}
	ret = threads_run(&job, out, why, len);
	topology_plan_free(&plan);
	return ret;
}
