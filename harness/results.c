// SPDX-License-Identifier: MIT
/*
 * The results model: enum names, per-copy estimates, throughput, run
 * warnings, freeing, and the atomic file write every writer uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "fmt.h"
#include "mem_free.h"
#include "outfile.h"
#include "parse.h"
#include "results.h"
#include "strlist.h"
#include "strategies.h"

unsigned results_files_per_sample(const struct cell *c)
{
	unsigned batch = c->batch ? c->batch : 1;

	/* by files, every thread copies its own batch */
	if (c->parallel == PARALLEL_FILES && c->threads > 1)
		return batch * c->threads;
	/* a file per process: every rank copies its own batch */
	if (c->ranks > 1 && c->parallel == PARALLEL_FILES)
		return batch * c->ranks;
	return batch;
}

/* Files' worth one sample copied: the whole batch, or what a stonewall
 * left (sweep --mpi --stonewall). */
static double sample_copies(const struct cell *c, const struct sample *s)
{
	return s->copies > 0 ? s->copies : results_files_per_sample(c);
}

double *results_per_copy(const struct cell *c)
{
	double *x = malloc((c->n_samples ? c->n_samples : 1) * sizeof(*x));

	if (!x)
		return NULL;
	for (size_t i = 0; i < c->n_samples; i++)
		x[i] = c->samples[i].seconds /
		       sample_copies(c, &c->samples[i]);
	return x;
}

int results_estimate(struct run *run)
{
	for (size_t i = 0; i < run->n_cells; i++) {
		struct cell *c = &run->cells[i];
		double *x;
		int ret;

		memset(&c->est, 0, sizeof(c->est));
		if (!c->n_samples)
			continue;
		x = results_per_copy(c);
		if (!x)
			return -ENOMEM;
		ret = stats_estimate(x, c->n_samples, 0.95, &c->est);
		free(x);
		if (ret)
			return ret;
	}
	return 0;
}

double results_mib_s(uint64_t size, double seconds)
{
	if (!(seconds > 0))
		return 0;
	return (double)size / (1024.0 * 1024.0) / seconds;
}

void results_add_warning(struct run *run, const char *fmt, ...)
{
	va_list ap;

	/* no memory: the warning is dropped, not the run */
	va_start(ap, fmt);
	strlist_vappendf(&run->warnings, &run->n_warnings, fmt, ap);
	va_end(ap);
}

void results_free_environment(struct environment *e)
{
	MEM_FREE_ALL(e->hostname, e->kernel, e->cpu_model, e->fs_type,
		     e->mount_options, e->device, e->device_model, e->scheduler,
		     e->governor, e->cache_probe, e->src_fs_type, e->src_device);
	env_storage_free(&e->storage);
	for (size_t i = 0; i < e->n_hosts; i++) {
		struct env_host *h = &e->hosts[i];

		MEM_FREE_ALL(h->hostname, h->kernel, h->cpu_model, h->fs_type,
			     h->device, h->mount_options, h->ranks);
	}
	free(e->hosts);
	memset(e, 0, sizeof(*e));
}

void results_free_targets(struct run_target *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		MEM_FREE_ALL(t[i].dir, t[i].fs_type, t[i].mount_options,
			     t[i].device, t[i].device_model, t[i].scheduler);
		limits_free(&t[i].limits);
	}
	free(t);
}

static void free_request(struct run_request *r)
{
	mem_free_strings(r->strategies, r->n_strategies);
	free(r->sizes);
	for (size_t i = 0; i < TUNABLES_MAX; i++)
		free(r->tune[i].v);
	MEM_FREE_ALL(r->threads, r->ranks, r->source, r->dir, r->src_dir);
	mem_free_strings(r->dirs, r->n_dirs);
	free(r->out);
	mem_free_strings(r->references, r->n_references);
	memset(r, 0, sizeof(*r));
}

void results_free(struct run *run)
{
	if (!run)
		return;
	for (size_t i = 0; run->cells && i < run->n_cells; i++) {
		free(run->cells[i].strategy);
		free(run->cells[i].reason);
		for (size_t j = 0; run->cells[i].samples &&
				   j < run->cells[i].n_samples; j++)
		{
			free(run->cells[i].samples[j].per_thread);
			free(run->cells[i].samples[j].per_rank);
		}
		free(run->cells[i].samples);
		profile_free(&run->cells[i].profile);
		free(run->cells[i].target);
	}
	MEM_FREE_ALL(run->cells, run->schema, run->id, run->started,
		     run->command_line, run->version, run->commit);
	results_free_environment(&run->env);
	free_request(&run->request);
	mem_free_strings(run->warnings, run->n_warnings);
	free(run->report_appendix);
	if (run->source_tree && run->free_source_tree)
		run->free_source_tree(run->source_tree);
	if (run->workload && run->free_workload)
		run->free_workload(run->workload);
	if (run->io && run->free_io)
		run->free_io(run->io);
	limits_free(&run->limits);
	results_free_targets(run->targets, run->n_targets);
	memset(run, 0, sizeof(*run));
}

void limits_free(struct run_limits *l)
{
	free(l->memcpy);
	free(l->direct_reason);
	free(l->ceilings_why);
	free(l->sustained_why);
	if (l->device) {
		if (l->free_device)
			l->free_device(l->device);
		free(l->device);
	}
	memset(l, 0, sizeof(*l));
}


int results_write_file_atomic(const char *path, const void *data,
			      size_t len)
{
	return outfile_write_path(path, data, len);
}

/* The figure `which` of one sample, or -1 when unknown. */
static int64_t sample_figure(const struct sample *s, enum results_figure which)
{
	switch (which) {
	case RESULTS_SRC_RESIDENT_BEFORE:
		return s->src_resident_before;
	case RESULTS_SRC_RESIDENT_AFTER:
		return s->src_resident_after;
	case RESULTS_DST_CACHED:
		return s->dst.cached;
	case RESULTS_DST_DIRTY:
		return s->dst.dirty;
	case RESULTS_DST_WRITEBACK:
		return s->dst.writeback;
	}
	return -1;
}

double results_sample_pct(const struct cell *c, enum results_figure which)
{
	double sum = 0;
	size_t n = 0;

	for (size_t i = 0; i < c->n_samples; i++) {
		const struct sample *s = &c->samples[i];
		int64_t part = sample_figure(s, which);

		/* destinations span as many pages as their sources */
		if (part < 0 || !s->src_pages)
			continue;
		sum += 100.0 * (double)part / (double)s->src_pages;
		n++;
	}
	return n ? sum / n : NAN;
}

/* ---- threaded samples ---- */

/* Median of one figure over the samples it is known for (threaded or
 * MPI samples; n: threads or ranks). */
static double sample_median(const struct cell *c,
			    double (*figure)(const struct sample *s,
					     unsigned n))
{
	unsigned n = c->ranks ? c->ranks : c->threads ? c->threads : 1;
	double *x = malloc((c->n_samples ? c->n_samples : 1) * sizeof(*x));
	double m = NAN;
	size_t k = 0;

	if (!x)
		return NAN;
	for (size_t i = 0; i < c->n_samples; i++) {
		double v = figure(&c->samples[i], n);

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

/* The fastest and slowest of some workers' seconds. */
struct span {
	double lo, hi;
};

#define SPAN_EMPTY ((struct span){ INFINITY, 0 })

static void span_add(struct span *sp, double seconds)
{
	sp->lo = fmin(sp->lo, seconds);
	sp->hi = fmax(sp->hi, seconds);
}

/* Slowest over fastest, or NAN when nothing was added. */
static double span_ratio(const struct span *sp)
{
	return sp->lo > 0 && isfinite(sp->lo) ? sp->hi / sp->lo : NAN;
}

/* Slowest over fastest among threads that copied something. */
static double sample_imbalance(const struct sample *s, unsigned n)
{
	struct span sp = SPAN_EMPTY;

	if (!s->per_thread)
		return NAN;
	for (unsigned t = 0; t < n; t++)
		if (s->per_thread[t].bytes)
			span_add(&sp, s->per_thread[t].seconds);
	return span_ratio(&sp);
}

/* The same over ranks that copied something. */
static double sample_rank_imbalance(const struct sample *s, unsigned n)
{
	struct span sp = SPAN_EMPTY;

	if (!s->per_rank)
		return NAN;
	for (unsigned r = 0; r < n; r++)
		if (s->per_rank[r].bytes || s->per_rank[r].files)
			span_add(&sp, s->per_rank[r].seconds);
	return span_ratio(&sp);
}

static double sample_first_share(const struct sample *s, unsigned n)
{
	(void)n;
	if (!s->per_thread && !s->per_rank)
		return NAN;
	return s->seconds > 0 ? s->first_finish / s->seconds : NAN;
}

double results_thread_imbalance(const struct cell *c)
{
	return sample_median(c, sample_imbalance);
}

double results_first_finish_share(const struct cell *c)
{
	return sample_median(c, sample_first_share);
}

double results_rank_imbalance(const struct cell *c)
{
	return sample_median(c, sample_rank_imbalance);
}

const char *cluster_layout_name(enum cluster_layout l)
{
	return l == CLUSTER_SHARED ? "shared" : "files";
}

int cluster_layout_parse(const char *s, enum cluster_layout *out)
{
	if (!strcmp(s, "files"))
		*out = CLUSTER_FILES;
	else if (!strcmp(s, "shared"))
		*out = CLUSTER_SHARED;
	else
		return -EINVAL;
	return 0;
}
