// SPDX-License-Identifier: MIT
/*
 * The sweep runner: runs every size's cells, warm-ups then rounds of
 * samples round-robin over the cells in a varied order, until they have
 * enough (or a budget or a stop ends them), and reports progress. The
 * plan is runner_plan.c; how many rounds a size runs, and the progress,
 * runner_rounds.c; scratch and sources runner_scratch.c; one sample
 * runner_sample.c; its measuring child runner_child.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "cell_io.h"
#include "clock.h"
#include "cluster.h"
#include "env_noise.h"
#include "estimate.h"
#include "fmt.h"
#include "lockstep.h"
#include "profile.h"
#include "ranks.h"
#include "runner_internal.h"
#include "source_tree.h"
#include "stats.h"
#include "strategies.h"
#include "targets.h"
#include "workload.h"

volatile sig_atomic_t runner_stop_level;

void runner_request_stop(void)
{
	if (runner_stop_level < 2)
		runner_stop_level++;
	cluster_request_stop();
}

/* Asked between the files of untimed work (writing a dataset). */
static bool stopping(void *ctx)
{
	(void)ctx;
	return runner_stop_level > 0;
}


/* A stop was asked for; with MPI, as every rank agreed at the last
 * exchange, so all of them stop at the same point. */
static bool stop_asked(const struct runner *r)
{
	return r->ranks ? ranks_stopping(r->ranks) : runner_stop_level > 0;
}

/* Seconds on the clock budgets are counted with: with MPI, one every
 * rank reads alike (ranks_clock()), so they all end a cell together. */
double runner_clock(const struct runner *r)
{
	return r->ranks ? ranks_clock(r->ranks) : clock_now();
}

void runner_set_reason(struct cell *c, enum cell_status st, const char *fmt,
		       ...)
{
	va_list ap;
	char *r = NULL;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		r = NULL;
	va_end(ap);
	free(c->reason);
	c->reason = r;
	c->status = st;
}

/* Makes room for one more element after n in *array (capacity *cap),
 * doubling it. 0 or -ENOMEM (the array is left as it was). */
int runner_grow(void **array, size_t *cap, size_t n, size_t elem)
{
	size_t want = *cap ? 2 * *cap : 16;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*array, want * elem);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = want;
	return 0;
}

/* A finished cell of the size: ok, and profiled when asked. */
static void finish_cell(struct runner *r, size_t ci)
{
	struct cell *c = &r->run->cells[ci];
	struct cell_state *cs = &r->cs[ci];

	c->status = CELL_OK;
	c->verified = true;
	cs->running = false;
	runner_use_target(r, ci);
	/* iobench profile: perf samples of the cell copying; its problems
	 * are recorded in the cell, not failures */
	if (r->run->request.profile && !stop_asked(r) && !r->tree) {
		char src[FILE_PATH_MAX];

		runner_src_path(r, 0, false, src, sizeof(src));
		(void)profile_hot_spots(&cs->kind, c, src, r->scratch);
	}
}

/* One timed sample of a running cell in the current round. */
static int sample_cell(struct runner *r, size_t ci)
{
	struct cell *c = &r->run->cells[ci];
	struct cell_state *cs = &r->cs[ci];
	struct sample s;
	struct rusage ru;
	char why[REASON_LEN];
	double t0 = runner_clock(r);
	int ret;

	/* a sample stopped by job control is taken again, in this round,
	 * and its time is not the cell's */
	runner_use_target(r, ci);
	r->keep_io = true;
	ret = runner_run_sample_again(r, ci, c->batch, &s, &ru, &t0, why,
				      sizeof(why));
	r->keep_io = false;
	cs->wall += runner_clock(r) - t0;
	if (ret == -EINTR || (ret == -EPIPE && r->ranks))
		return ret;
	if (!ret)
		runner_count_sample(r, ci, runner_clock(r) - t0);
	if (!ret) {
		ret = runner_record_sample(c, cs, &s, &ru);
		if (ret)
			free(s.per_thread), free(s.per_rank);
	}
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(why, sizeof(why), "%s", strerror(ENOMEM));
		runner_fail_cell(r, ci, why);
	}
	return 0;
}

/* The order of one round: the running cells of the size, shuffled from
 * the seed, the size and the round, so position effects (the first cell
 * after a warm-up, the one after the biggest writer) move around. */
static size_t round_order(const struct runner *r, size_t *order)
{
	const struct run *run = r->run;
	uint64_t x = run->request.seed ^ (0x9e3779b97f4a7c15ull *
					  (r->size_idx + 1)) ^
		     ((uint64_t)r->round << 32);
	size_t n = 0;

	for (size_t i = 0; i < run->n_cells; i++)
		if (r->cs[i].running)
			order[n++] = i;
	/* Fisher-Yates with splitmix64: a few numbers per round, no need
	 * for GSL's generators here */
	for (size_t i = n; i > 1; i--) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ull);
		size_t j, t;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		j = z % i;
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	return n;
}

/* A stopped sweep keeps what it measured: a cell with samples is ok (the
 * report warns about its sample count), one without stays pending. True
 * when some cell was cut short or never ran. */
static bool settle_interrupted(struct runner *r)
{
	bool cut = false;

	for (size_t i = 0; i < r->run->n_cells; i++) {
		struct cell *c = &r->run->cells[i];

		cut |= c->status == CELL_PENDING;
		if (!r->cs[i].running)
			continue;
		r->cs[i].running = false;
		if (c->n_samples) {
			c->status = CELL_OK;
			c->verified = true;
		}
	}
	return cut;
}

static void fail_size(struct runner *r, const char *why)
{
	for (size_t i = 0; i < r->run->n_cells; i++)
		if (r->cs[i].running)
			runner_fail_cell(r, i, why);
}

uint64_t runner_bytes_needed(uint64_t size)
{
	/* one source and one destination at least, with 1% slack */
	return size * 2 + size / 50 + 65536;
}

/* Runs every pending cell of one size: warm-ups, then rounds. */
static int run_size(struct runner *r, uint64_t size, size_t size_idx)
{
	struct run *run = r->run;
	struct statvfs vfs;
	size_t active = 0, *order;
	bool warm = false, cold = false;
	char why[REASON_LEN];
	int ret = 0;

	r->size = size;
	r->size_idx = size_idx;
	runner_start_size_clock(r);
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		/* a later pass (--runs) runs the cells the first finished */
		r->cs[i].running = c->size == size &&
				   c->status == (r->pass ? CELL_OK :
							   CELL_PENDING);
		r->cs[i].wall = 0;
		r->cs[i].warmed = false;
		active += r->cs[i].running;
		warm |= r->cs[i].running && c->cache == CACHE_WARM;
		cold |= r->cs[i].running && c->cache == CACHE_COLD;
	}
	if (!active)
		return 0;
	r->in_rounds = false;
	r->round = 0;
	/* --dataset: each size is one of its trees */
	if (run->workload) {
		const struct workload_tree *t =
			workload_tree_of(run->workload, size);

		ret = runner_use_tree(r, t ? t->tree : NULL, why, sizeof(why));
		if (ret) {
			fail_size(r, why);
			return ret == -ENOMEM ? ret : 0;
		}
	}
	r->avail = 0;
	if (!fstatvfs(r->scratch_fd, &vfs))
		r->avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	/* --dir A,B: each target holds its own files, the smallest room
	 * bounds every target's batches alike */
	r->avail = runner_sites_avail(r, r->avail);
	/* --src-dir: the sources take room there, the copies here; the
	 * smaller room bounds both */
	if (r->src_top[0] && !fstatvfs(r->src_fd, &vfs) &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < r->avail)
		r->avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	/* with MPI, the least any rank has: every rank decides alike */
	if (r->ranks) {
		ret = ranks_min(r->ranks, r->avail, &r->avail, why,
				sizeof(why));
		if (ret)
			return ret;
	}
	if (r->avail < runner_bytes_needed(size)) {
		char need[32], have[32];

		fmt_bytes(size * 2, need, sizeof(need));
		fmt_bytes(r->avail, have, sizeof(have));
		snprintf(why, sizeof(why),
			 "%s: needs %s in --dir%s, %s available",
			 strerror(ENOSPC), need,
			 r->src_top[0] ? " and --src-dir" : "", have);
		fail_size(r, why);
		return 0;
	}
	/* cold cells' sources of their own where there is room for them
	 * (not a tree's: a user's files; not MPI's: the ranks make them) */
	r->cold_pool = warm && cold && !r->tree && !r->ranks &&
		       r->avail >= runner_bytes_needed(size) + size;
	r->keep_inodes = runner_sites_keep_inodes(r,
						  runner_size_files_bound(r));
	for (size_t i = 0; i < run->n_cells && !ret; i++) {
		if (!r->cs[i].running)
			continue;
		if (stop_asked(r))
			ret = -EINTR;
		else
			ret = runner_warm_up(r, i);
		r->cs[i].warmed = true;
		runner_report_progress(r, i);
	}
	order = malloc(run->n_cells * sizeof(*order));
	if (!order)
		ret = -ENOMEM;
	r->in_rounds = true;
	for (r->round = 0; !ret; r->round++) {
		size_t n = round_order(r, order);

		if (!n || runner_size_finished(r))
			break;
		/* --dir A,B: one variant's targets back to back */
		ret = targets_round_order(run, order, n, r->round);
		if (ret)
			break;
		for (size_t k = 0; k < n; k++)
			r->cs[order[k]].sampled_this_round = false;
		/* the round's CPU: the fastest, except where the sides of
		 * a comparison must share theirs; then the machine's
		 * reference sample there (when pipeline_measure started
		 * them) */
		r->round_cpu = r->n_cpus < 2 || r->ranks || lockstep_on() ?
			       -1 : env_noise_pick_cpu(&r->cpus, r->round_cpu);
		env_noise_sample(r->round_cpu, &r->cpus);
		for (size_t k = 0; k < n && !ret; k++) {
			if (stop_asked(r)) {
				ret = -EINTR;
				break;
			}
			ret = sample_cell(r, order[k]);
			r->cs[order[k]].sampled_this_round = true;
			runner_report_progress(r, order[k]);
		}
	}
	for (size_t i = 0; !ret && i < run->n_cells; i++) {
		if (!r->cs[i].running)
			continue;
		finish_cell(r, i);
		runner_report_progress(r, i);
	}
	free(order);
	runner_remove_all_sources(r);
	return ret == -ENOMEM ? (fail_size(r, strerror(ENOMEM)), 0) : ret;
}

int runner_run(struct run *run, const struct runner_progress *progress,
	       char *err, size_t len)
{
	const char *dir = run->request.dir ? run->request.dir : ".";
	struct runner r = {
		.run = run,
		.progress = progress,
		.scratch_fd = -1,
		.src_fd = -1,
		.t_start = clock_now(),
		.round_cpu = -1,
	};
	unsigned runs = run->request.runs ? run->request.runs : 1, passes = 0;
	int ret = 0;

	if (len)
		err[0] = '\0';
	if (!sched_getaffinity(0, sizeof(r.cpus), &r.cpus))
		r.n_cpus = (unsigned)CPU_COUNT(&r.cpus);
	r.cs = calloc(run->n_cells ? run->n_cells : 1, sizeof(*r.cs));
	if (!r.cs || (!run->io && run_io_init(run))) {
		free(r.cs);
		return strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
	}
	for (size_t i = 0; i < run->n_cells; i++) {
		r.cs[i].kind = cell_kind_find(run->cells[i].strategy);
		if (r.cs[i].kind.type == CELL_KIND_NONE &&
		    run->cells[i].status == CELL_PENDING)
			runner_set_reason(&run->cells[i], CELL_FAILED,
					  "%s: unknown strategy",
					  run->cells[i].strategy);
	}
	if (run->request.source) {
		ret = runner_use_tree(&r, run->source_tree, err, len);
		if (ret)
			goto out_free;
	}
	/* marked with this process: a run killed outright leaves it for
	 * the next one to remove (scratch.h) */
	ret = runner_make_scratch(dir, r.top, r.scratch, sizeof(r.top),
				  &r.scratch_fd, &r.home, err, len);
	if (!ret && run->request.src_dir) {
		ret = runner_make_scratch(run->request.src_dir, r.src_top,
					  r.src_scratch, sizeof(r.src_top),
					  &r.src_fd, NULL, err, len);
		if (ret)
			runner_remove_scratch(&r);
	}
	if (!ret) {
		ret = runner_make_sites(&r, err, len);
		if (ret)
			runner_remove_scratch(&r);
	}
	/* sweep --mpi: every rank made its own, or none goes on */
	if (cluster_on()) {
		r.ranks = ranks_new(run, ret, r.top, r.scratch, r.scratch_fd,
				    err, len);
		if (!r.ranks) {
			ret = ret ? ret : -EIO;
			runner_remove_scratch(&r);
			goto out_free;
		}
	}
	if (ret)
		goto out_free;
	/* --dataset: written and scanned before the first cell, untimed */
	if (run->workload)
		ret = workload_materialize(run->workload, r.top, stopping, NULL,
					   err, len);
	/* --runs N: N independent passes over every size, each with fresh
	 * sources and its own warm-ups and rounds */
	for (r.pass = 0; r.pass < runs && !ret; r.pass++) {
		for (size_t z = 0; z < run->request.n_sizes && !ret; z++)
			ret = run_size(&r, run->request.sizes[z], z);
		passes += !ret;
	}
	if (r.ranks && ranks_broken(r.ranks))
		/* a rank died, hung or was stopped: what the others measured
		 * until then is kept, marked incomplete */
		results_add_warning(run, "the MPI job broke: %s",
				    ranks_broken(r.ranks));
	if (ret == -EPIPE && r.ranks) {
		run->incomplete = true;
		settle_interrupted(&r);
		strategy_why(err, len, ret, "%s", ranks_broken(r.ranks) ?
			     ranks_broken(r.ranks) : "the MPI job broke");
	} else if (ret == -EINTR || runner_stop_level) {
		/* a stop after the last sample cut nothing short; one before
		 * the last pass ended leaves fewer runs than asked */
		run->incomplete = settle_interrupted(&r) || passes < runs;
		ret = -EINTR;
		strategy_why(err, len, ret, "interrupted");
	}
	runner_note_home_moves(&r);
	workload_remove(run->workload);
	ranks_free(r.ranks);
	runner_remove_scratch(&r);
	results_estimate(run);
out_free:
	free(r.sites);
	free(r.hashes);
	free(r.cs);
	return ret;
}
