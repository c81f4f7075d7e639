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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <hwloc/glibc-sched.h>

#include "clock.h"
#include "copy_unit.h"
#include "parse.h"
#include "reference.h"
#include "strategies.h"
#include "strlist.h"
#include "threads.h"

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
			 const struct copy_strategy *s, size_t config)
{
	const struct run_request *rq = &run->request;
	struct thread_config tc = { 1, PARALLEL_FILES };
	struct thread_config *all;
	size_t n = threads_n_configs(rq);
	bool ranges_ok = s->flags & COPY_RANGES;

	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	configs_of(rq, all, n);
	if (config < n)
		tc = all[config];
	free(all);
	if (rq->pin != PIN_NONE)
		threads_machine_topology();	/* children inherit it */
	for (size_t i = first; i < run->n_cells; i++) {
		struct cell *c = &run->cells[i];
		const char *skip = NULL;

		c->threads = tc.threads;
		c->parallel = tc.parallel;
		/* a reference tool is a program run once per file */
		c->pin = reference_is(s) ? PIN_NONE : rq->pin;
		c->prealloc = tc.parallel == PARALLEL_RANGES && tc.threads > 1 ?
			      rq->prealloc : PREALLOC_NONE;
		if (reference_is(s) && tc.threads > 1)
			skip = "reference tools copy one file at a time";
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

bool threads_same_config(const struct cell *a, const struct cell *b)
{
	unsigned ta = a->threads ? a->threads : 1;
	unsigned tb = b->threads ? b->threads : 1;

	/* one thread has no parallel mode: only its pinning counts */
	return ta == tb && a->pin == b->pin &&
	       (ta == 1 || (a->parallel == b->parallel &&
			    a->prealloc == b->prealloc));
}

void threads_append_key(const struct cell *c, char *buf, size_t len)
{
	size_t used = strnlen(buf, len);

	if (c->threads > 1 && used < len)
		used += snprintf(buf + used, len - used, " threads=%u/%s",
				 c->threads, parallel_mode_name(c->parallel));
	if (c->threads > 1 && c->parallel == PARALLEL_RANGES && used < len)
		used += snprintf(buf + used, len - used, " prealloc=%s",
				 prealloc_mode_name(c->prealloc));
	if (c->pin != PIN_NONE && used < len)
		snprintf(buf + used, len - used, " pin=%s",
			 pin_mode_name(c->pin));
}

/* Median of one figure over the samples with per-thread data. */
static double sample_median(const struct cell *c,
			    double (*figure)(const struct sample *s,
					     unsigned n))
{
	unsigned n = c->threads ? c->threads : 1;
	double *x = malloc((c->n_samples ? c->n_samples : 1) * sizeof(*x));
	double m = NAN;
	size_t k = 0;

	if (!x)
		return NAN;
	for (size_t i = 0; i < c->n_samples; i++) {
		double v;

		if (!c->samples[i].per_thread)
			continue;
		v = figure(&c->samples[i], n);
		if (isfinite(v))
			x[k++] = v;
	}
	if (k) {
		gsl_sort(x, 1, k);
		m = gsl_stats_median_from_sorted_data(x, 1, k);
	}
	free(x);
	return m;
}

/* Slowest over fastest among threads that copied something. */
static double sample_imbalance(const struct sample *s, unsigned n)
{
	double lo = INFINITY, hi = 0;

	for (unsigned t = 0; t < n; t++) {
		if (!s->per_thread[t].bytes)
			continue;
		if (s->per_thread[t].seconds < lo)
			lo = s->per_thread[t].seconds;
		if (s->per_thread[t].seconds > hi)
			hi = s->per_thread[t].seconds;
	}
	return lo > 0 && isfinite(lo) ? hi / lo : NAN;
}

static double sample_first_share(const struct sample *s, unsigned n)
{
	(void)n;
	return s->seconds > 0 ? s->first_finish / s->seconds : NAN;
}

double threads_imbalance(const struct cell *c)
{
	return sample_median(c, sample_imbalance);
}

double threads_first_finish_share(const struct cell *c)
{
	return sample_median(c, sample_first_share);
}

int threads_describe(const struct cell *c, const char *sep, char *out,
		     size_t len)
{
	char mode[48] = "";

	if (c->threads > 1 && c->parallel == PARALLEL_RANGES)
		snprintf(mode, sizeof(mode), " by ranges (%s)",
			 prealloc_mode_name(c->prealloc));
	else if (c->threads > 1)
		snprintf(mode, sizeof(mode), " by files");
	if (c->threads > 1 && c->pin != PIN_NONE)
		return snprintf(out, len, "%s%u threads%s, pinned %s", sep,
				c->threads, mode, pin_mode_name(c->pin));
	if (c->threads > 1)
		return snprintf(out, len, "%s%u threads%s", sep, c->threads,
				mode);
	if (c->pin != PIN_NONE)
		return snprintf(out, len, "%spinned %s", sep,
				pin_mode_name(c->pin));
	if (len)
		out[0] = '\0';
	return 0;
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

/* ---- placement ---- */

static hwloc_topology_t machine_topo;

hwloc_topology_t threads_machine_topology(void)
{
	hwloc_topology_t t;

	if (machine_topo)
		return machine_topo;
	if (hwloc_topology_init(&t))
		return NULL;
	if (hwloc_topology_load(t)) {
		hwloc_topology_destroy(t);
		return NULL;
	}
	machine_topo = t;
	return t;
}

hwloc_topology_t threads_load_xml(const char *path)
{
	hwloc_topology_t t;

	if (hwloc_topology_init(&t))
		return NULL;
	if (hwloc_topology_set_xml(t, path) || hwloc_topology_load(t)) {
		int err = errno;

		hwloc_topology_destroy(t);
		errno = err ? err : EINVAL;
		return NULL;
	}
	return t;
}

uint64_t threads_l3_per_package(hwloc_topology_t topo)
{
	hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
	hwloc_const_cpuset_t set =
		pkg ? pkg->cpuset : hwloc_topology_get_topology_cpuset(topo);
	hwloc_obj_t l3 = NULL;
	uint64_t sum = 0;

	while ((l3 = hwloc_get_next_obj_inside_cpuset_by_type(
			topo, set, HWLOC_OBJ_L3CACHE, l3)))
		sum += l3->attr->cache.size;
	return sum;
}

/* The placement domains: NUMA nodes when there are several, else
 * packages, else the whole machine. Cpusets borrowed from topo. */
static unsigned domains_of(hwloc_topology_t topo, hwloc_const_cpuset_t *out,
			   unsigned max)
{
	static const hwloc_obj_type_t types[] = {
		HWLOC_OBJ_NUMANODE, HWLOC_OBJ_PACKAGE
	};
	unsigned n = 0;

	for (size_t t = 0; t < N_ELEMS(types) && !n; t++) {
		int count = hwloc_get_nbobjs_by_type(topo, types[t]);

		if (count < 2)
			continue;
		for (int i = 0; i < count && n < max; i++) {
			hwloc_obj_t o =
				hwloc_get_obj_by_type(topo, types[t], i);

			if (o->cpuset && !hwloc_bitmap_iszero(o->cpuset))
				out[n++] = o->cpuset;
		}
	}
	if (!n)
		out[n++] = hwloc_topology_get_topology_cpuset(topo);
	return n;
}

/* Cores of a domain (PUs when hwloc reports no cores). */
static hwloc_obj_type_t core_type(hwloc_topology_t topo)
{
	return hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE) > 0 ?
	       HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
}

/* Thread `slot` of a domain: core slot % cores, its (slot / cores)-th PU. */
static hwloc_obj_t pu_in_domain(hwloc_topology_t topo,
				hwloc_const_cpuset_t dom, unsigned slot)
{
	hwloc_obj_type_t ct = core_type(topo);
	int cores = hwloc_get_nbobjs_inside_cpuset_by_type(topo, dom, ct);
	hwloc_obj_t core;
	int pus;

	if (cores <= 0)
		return NULL;
	core = hwloc_get_obj_inside_cpuset_by_type(topo, dom, ct,
						   slot % (unsigned)cores);
	if (!core)
		return NULL;
	pus = hwloc_get_nbobjs_inside_cpuset_by_type(topo, core->cpuset,
						     HWLOC_OBJ_PU);
	if (pus <= 0)
		return NULL;
	return hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset,
		HWLOC_OBJ_PU, (slot / (unsigned)cores) % (unsigned)pus);
}

/* Cores (or PUs) of a domain: compact moves to the next domain once
 * every PU of this one has a thread. */
static unsigned domain_pus(hwloc_topology_t topo, hwloc_const_cpuset_t dom)
{
	int n = hwloc_get_nbobjs_inside_cpuset_by_type(topo, dom,
						       HWLOC_OBJ_PU);

	return n > 0 ? (unsigned)n : 1;
}

static hwloc_obj_t plan_one(hwloc_topology_t topo, enum pin_mode mode,
			    hwloc_const_cpuset_t *dom, unsigned nd,
			    unsigned i)
{
	unsigned total = 0, d;

	if (mode == PIN_SPREAD)
		return pu_in_domain(topo, dom[i % nd], i / nd);
	for (d = 0; d < nd; d++)
		total += domain_pus(topo, dom[d]);
	i %= total;
	for (d = 0; d + 1 < nd && i >= domain_pus(topo, dom[d]); d++)
		i -= domain_pus(topo, dom[d]);
	return pu_in_domain(topo, dom[d], i);
}

int threads_plan_placement(hwloc_topology_t topo, enum pin_mode mode,
			   unsigned n, struct threads_plan *plan)
{
	hwloc_const_cpuset_t dom[64];
	unsigned nd;

	memset(plan, 0, sizeof(*plan));
	if (mode == PIN_NONE || !n || !topo)
		return -EINVAL;
	nd = domains_of(topo, dom, N_ELEMS(dom));
	plan->cpuset = calloc(n, sizeof(*plan->cpuset));
	plan->nodeset = calloc(n, sizeof(*plan->nodeset));
	if (!plan->cpuset || !plan->nodeset)
		goto out_nomem;
	plan->n = n;
	for (unsigned i = 0; i < n; i++) {
		hwloc_obj_t pu = plan_one(topo, mode, dom, nd, i);

		if (!pu) {
			threads_plan_free(plan);
			return -EINVAL;
		}
		plan->cpuset[i] = hwloc_bitmap_dup(pu->cpuset);
		plan->nodeset[i] = hwloc_bitmap_alloc();
		if (!plan->cpuset[i] || !plan->nodeset[i])
			goto out_nomem;
		hwloc_cpuset_to_nodeset(topo, pu->cpuset, plan->nodeset[i]);
	}
	return 0;
out_nomem:
	threads_plan_free(plan);
	return -ENOMEM;
}

void threads_plan_free(struct threads_plan *plan)
{
	for (unsigned i = 0; i < plan->n; i++) {
		if (plan->cpuset)
			hwloc_bitmap_free(plan->cpuset[i]);
		if (plan->nodeset)
			hwloc_bitmap_free(plan->nodeset[i]);
	}
	free(plan->cpuset);
	free(plan->nodeset);
	memset(plan, 0, sizeof(*plan));
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
	const struct threads_plan *plan = job->plan;
	cpu_set_t set;

	if (!plan)
		return 0;
	CPU_ZERO(&set);
	hwloc_cpuset_to_glibc_sched_affinity(job->topo, plan->cpuset[w->idx],
					     &set, sizeof(set));
	if (sched_setaffinity(0, sizeof(set), &set))
		return strategy_why(w->why, sizeof(w->why), -errno,
				    "pinning thread %u: %s", w->idx,
				    strerror(errno));
	/* a single-node machine or a kernel without NUMA says no: the copy
	 * still runs, the report says the buffers were not bound */
	if (!job->topo || hwloc_set_membind(job->topo, plan->nodeset[w->idx],
					    HWLOC_MEMBIND_BIND,
					    HWLOC_MEMBIND_THREAD |
					    HWLOC_MEMBIND_BYNODESET))
		w->membind_failed = true;
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

static int worker_copy(struct worker *w, const struct copy_unit *u)
{
	const struct threads_job *job = w->pool->job;
	unsigned k = job->parallel == PARALLEL_FILES ?
		     job->n_files / job->threads : job->n_files;
	int ret = 0;

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
		int fd = open(job->dst[i], O_WRONLY | O_CREAT | O_TRUNC |
			      O_CLOEXEC | O_NOFOLLOW, 0644);
		int ret = 0;

		if (fd < 0)
			return strategy_why(why, len, -errno,
					    "creating the destination: %s",
					    strerror(errno));
		if (job->size && job->prealloc == PREALLOC_TRUNCATE &&
		    ftruncate(fd, (off_t)job->size))
			ret = strategy_why(why, len, -errno,
					   "pre-sizing (truncate): %s",
					   strerror(errno));
		if (job->size && job->prealloc == PREALLOC_FALLOCATE &&
		    fallocate(fd, 0, 0, (off_t)job->size))
			ret = strategy_why(why, len, -errno,
					   "pre-sizing (fallocate): %s",
					   strerror(errno));
		if (close(fd) && !ret)
			ret = strategy_why(why, len, -errno, "close: %s",
					   strerror(errno));
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
	unsigned n = job->threads, made = 0;
	struct pool pool = { .job = job };
	struct rusage ru0, ru1;
	struct worker *w;
	double t0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!n || n > THREADS_MAX ||
	    (job->parallel == PARALLEL_FILES && job->n_files % n) ||
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
	free(pool.ranges);
	free(w);
	return ret;
}

int threads_measure(const struct copy_strategy *s, const struct cell *c,
		    char *const *src, char *const *dst, unsigned n,
		    struct threads_outcome *out, char *why, size_t len)
{
	struct threads_plan plan = { 0 };
	struct threads_job job = {
		.s = s,
		.cell = c,
		.parallel = c->threads > 1 ? c->parallel : PARALLEL_FILES,
		.prealloc = c->prealloc,
		.sync = c->sync,
		.threads = c->threads ? c->threads : 1,
		.size = c->size,
		.src = src,
		.dst = dst,
		.n_files = n,
	};
	int ret;

	if (c->pin != PIN_NONE) {
		job.topo = threads_machine_topology();
		if (!job.topo)
			return strategy_why(why, len, -ENODEV,
					    "pinning: hwloc could not load "
					    "this machine's topology");
		ret = threads_plan_placement(job.topo, c->pin, job.threads,
					     &plan);
		if (ret)
			return strategy_why(why, len, ret,
					    "planning the placement: %s",
					    strerror(-ret));
		job.plan = &plan;
	}
	ret = threads_run(&job, out, why, len);
	threads_plan_free(&plan);
	return ret;
}
