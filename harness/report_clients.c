// SPDX-License-Identifier: MIT
/*
 * report.md's "Clients" section (sweep --mpi): the hosts of the job, and
 * how each variant's aggregate throughput grows with the ranks copying,
 * against the same variant on one rank, with the per-rank imbalance and
 * the straggling rank.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "fmt.h"
#include "report_clients.h"
#include "stats.h"

#define BOOTSTRAP_RESAMPLES 2000
#define CI_LEVEL 0.95

static bool measured(const struct cell *c)
{
	return c->ranks && c->status == CELL_OK && c->est.n > 0 &&
	       c->est.median > 0;
}

/* Same strategy, size, tunables and modes: the rank count aside. */
static bool same_variant(const struct cell *a, const struct cell *b)
{
	return cell_same_variant(a, b, 0) && a->cache == b->cache &&
	       a->sync == b->sync && a->parallel == b->parallel;
}

static const struct cell *one_rank_of(const struct run *run,
				      const struct cell *c)
{
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *b = &run->cells[i];

		if (measured(b) && b->ranks == 1 && same_variant(b, c))
			return b;
	}
	return NULL;
}

static double mib_s(const struct cell *c)
{
	return results_mib_s(c->size, c->est.median);
}

static void hosts_table(const struct run *run, FILE *f)
{
	const struct environment *e = &run->env;

	if (!e->n_hosts)
		return;
	fputs("| host | ranks | kernel | CPU | filesystem of --dir | mount "
	      "source (options) | clock error |\n"
	      "|---|---|---|---|---|---|---:|\n", f);
	for (size_t h = 0; h < e->n_hosts; h++) {
		const struct env_host *x = &e->hosts[h];
		char off[32];

		fprintf(f, "| %s | ", x->hostname);
		for (size_t i = 0; i < x->n_ranks; i++)
			fprintf(f, "%s%u", i ? ", " : "", x->ranks[i]);
		fprintf(f, " | %s | %s | %s | %s (%s) | %s |\n", x->kernel,
			x->cpu_model, x->fs_type, x->device, x->mount_options,
			fmt_seconds(x->clock_error, off, sizeof(off)));
	}
	fputs("\n", f);
	if (clients_hosts_differ(run))
		fputs("**The hosts differ** (see Warnings): their ranks may "
		      "not measure alike.\n\n", f);
}

/* The speed-up of c over the same variant on 1 rank; false without. */
static bool speedup(const struct run *run, const struct cell *c,
		    double *ratio, double *lo, double *hi)
{
	const struct cell *b = one_rank_of(run, c);
	double *x, *y;
	bool ok = false;

	if (!b || b == c)
		return false;
	x = results_per_copy(b);
	y = results_per_copy(c);
	if (x && y)
		ok = !stats_bootstrap_ratio(x, b->n_samples, y, c->n_samples,
					    CI_LEVEL, BOOTSTRAP_RESAMPLES,
					    run->request.seed, ratio, lo, hi);
	free(x);
	free(y);
	return ok;
}

static void row(const struct run *run, FILE *f, const struct cell *c)
{
	char label[160], tun[96], a[16], fs[16], one[16], im[16], ff[16] = "-",
	     strag[96] = "-";
	double ratio, lo, hi, share = results_first_finish_share(c), sshare;
	unsigned slow;

	cell_options_desc(c, tun, sizeof(tun));
	snprintf(label, sizeof(label), "`%s`%s%s", c->strategy,
		 strcmp(tun, "-") ? " " : "", strcmp(tun, "-") ? tun : "");
	if (isfinite(share))
		snprintf(ff, sizeof(ff), "%.0f%%", 100 * share);
	if (clients_straggler(c, &slow, &sshare))
		snprintf(strag, sizeof(strag), "rank %u (%s), %.0f%%", slow,
			 clients_host_of(run, slow), 100 * sshare);
	fprintf(f, "| %s | %s/%s | %u | %s | %s | %s |", label,
		cache_mode_name(c->cache), sync_mode_name(c->sync), c->ranks,
		fmt_sig(mib_s(c), a, sizeof(a)),
		fmt_sig(1.0 / c->est.median, fs, sizeof(fs)),
		fmt_sig(mib_s(c) / c->ranks, one, sizeof(one)));
	if (c->ranks == 1)
		fputs(" 1.00x | 100% |", f);
	else if (speedup(run, c, &ratio, &lo, &hi))
		fprintf(f, " %.2fx [%.2f, %.2f] | %.0f%% |", ratio, lo, hi,
			100.0 * ratio / c->ranks);
	else
		fputs(" - | - |", f);
	fprintf(f, " %s | %s | %s |\n",
		fmt_sig(results_rank_imbalance(c), im, sizeof(im)), ff, strag);
}

/* Measured MPI cells of one size, each variant's rows together in rank
 * order. */
static int cmp_cells(const void *pa, const void *pb)
{
	const struct cell *a = *(const struct cell *const *)pa;
	const struct cell *b = *(const struct cell *const *)pb;
	int d = strcmp(a->strategy, b->strategy);

	if (d)
		return d;
	for (size_t i = 0; i < TUNABLES_MAX; i++)
		if (a->tun.v[i] != b->tun.v[i])
			return a->tun.v[i] < b->tun.v[i] ? -1 : 1;
	if (a->cache != b->cache)
		return (int)a->cache - (int)b->cache;
	if (a->sync != b->sync)
		return (int)a->sync - (int)b->sync;
	return (int)a->ranks - (int)b->ranks;
}

static int size_table(const struct run *run, FILE *f, uint64_t size)
{
	const struct cell **v = calloc(run->n_cells ? run->n_cells : 1,
				       sizeof(*v));
	char sz[32];
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < run->n_cells; i++)
		if (measured(&run->cells[i]) && run->cells[i].size == size)
			v[n++] = &run->cells[i];
	qsort(v, n, sizeof(*v), cmp_cells);
	fprintf(f, "### %s\n\n", fmt_size(size, sz, sizeof(sz)));
	if (!n) {
		fputs("No cell of this size was measured.\n\n", f);
		free(v);
		return 0;
	}
	fputs("| strategy | cache/sync | ranks | MiB/s | files/s | MiB/s per "
	      "rank | vs 1 rank [95% CI] | efficiency | imbalance | first "
	      "finish | straggler |\n"
	      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n", f);
	for (size_t i = 0; i < n; i++)
		row(run, f, v[i]);
	fputs("\n", f);
	free(v);
	return 0;
}

static void intro(const struct run *run, FILE *f)
{
	const struct run_request *q = &run->request;
	double offset = 0;

	for (size_t h = 0; h < run->env.n_hosts; h++)
		offset = fmax(offset, run->env.hosts[h].clock_error);
	fprintf(f, "%u rank%s on %zu host entr%s (`mpirun -n %u`), ",
		q->mpi_world, q->mpi_world == 1 ? "" : "s", run->env.n_hosts,
		run->env.n_hosts == 1 ? "y" : "ies", q->mpi_world);
	if (q->layout == CLUSTER_SHARED)
		fputs("layout **shared** (N-1): each rank copies its range of "
		      "the same files, which rank 0 creates and pre-sizes "
		      "inside the timed region. ", f);
	else
		fputs("layout **files** (N-N): each rank copies files of its "
		      "own. ", f);
	fprintf(f, "A barrier starts every sample on all ranks; a sample "
		"runs from the first rank's start to the last one's finish "
		"(MPI_Wtime on rank 0's clock: exact on its host, within "
		"%.3g us elsewhere, half the shortest ping-pong round trip). "
		"MiB/s and "
		"files/s are aggregate: every rank's bytes over that time; "
		"\"vs 1 rank\" is the speed-up over the same variant copied by "
		"one client (the single-host figure; bootstrap 95%% CI of the "
		"ratio of medians); efficiency = speed-up / ranks; imbalance = "
		"slowest / fastest rank and first finish = the first rank's "
		"finish as a share of the sample (medians over samples); the "
		"straggler is the rank that finished last most often.", 1e6 *
		offset);
	if (q->stonewall > 0)
		fprintf(f, " With `--stonewall %g` no rank starts another file "
			"after %g s: throughput counts what was copied.",
			q->stonewall, q->stonewall);
	fputs(" Ranks that share cores (`--oversubscribe`) measure the "
	      "scheduler as much as the storage.\n\n", f);
}

int report_clients_section(const struct run *run, FILE *f)
{
	int ret = 0;

	if (!run->request.mpi_world)
		return 0;
	fputs("## Clients\n\n", f);
	intro(run, f);
	hosts_table(run, f);
	for (size_t z = 0; z < run->request.n_sizes && !ret; z++)
		ret = size_table(run, f, run->request.sizes[z]);
	return ret;
}

void report_clients_launcher(const struct run_request *q, FILE *f)
{
	if (q->mpi_world)
		fprintf(f, "mpirun -n %u ", q->mpi_world);
}

void report_clients_options(const struct run_request *q, FILE *f)
{
	if (!q->mpi_world)
		return;
	fprintf(f, " --mpi --mpi-layout %s", cluster_layout_name(q->layout));
	if (q->n_ranks) {
		fputs(" --ranks ", f);
		for (size_t i = 0; i < q->n_ranks; i++)
			fprintf(f, "%s%llu", i ? "," : "",
				(unsigned long long)q->ranks[i]);
	}
	if (q->stonewall > 0)
		fprintf(f, " --stonewall %g", q->stonewall);
}
