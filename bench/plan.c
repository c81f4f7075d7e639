// SPDX-License-Identifier: MIT
/*
 * sweep --dry-run: the planned matrix as a short table (one row per
 * strategy or reference tool), the cell count and the estimated duration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "estimate.h"
#include "fmt.h"
#include "results.h"
#include "runner.h"
#include "source_tree.h"
#include "strategies.h"
#include "targets.h"
#include "threads.h"
#include "verbs.h"

#define MAX_VALUES 16

/* Distinct values of one tunable, in plan order. */
struct values {
	uint64_t v[MAX_VALUES];
	size_t n;
	bool more;			/* over MAX_VALUES */
};

/* The cells of one strategy (or reference tool). */
struct plan_row {
	const char *strategy;
	size_t cells, skipped;
	const char *reason;		/* of the first skipped cell */
	struct values tun[TUNABLES_MAX]; /* by tunable_at() index */
};

static void add_value(struct values *vs, uint64_t v)
{
	for (size_t i = 0; i < vs->n; i++)
		if (vs->v[i] == v)
			return;
	if (vs->n < MAX_VALUES)
		vs->v[vs->n++] = v;
	else
		vs->more = true;
}

static void add_cell(struct plan_row *r, const struct cell *c)
{
	r->cells++;
	if (c->status == CELL_SKIPPED && !r->skipped++)
		r->reason = c->reason;
	for (size_t i = 0; i < tunable_count(); i++)
		if (cell_has_tunable(c, i))
			add_value(&r->tun[i], c->tun.v[i]);
}

/*
 * What the strategy's cells vary, as the labels show them: "buf 4K,1M qd
 * 1,32 direct no,yes" (a yes/no tunable only where it is on), or "-".
 */
static void row_tunables(const struct plan_row *r, char *buf, size_t len)
{
	char one[FMT_LEN];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < tunable_count() && used < len; i++) {
		const struct tunable *t = tunable_at(i);
		const struct values *vs = &r->tun[i];
		bool flag = t->type == COPY_OPT_BOOL;

		if (!vs->n || (flag && vs->n == 1 && !vs->v[0]))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? " " : "", t->label);
		if (flag && vs->n == 1)
			continue;
		for (size_t k = 0; k < vs->n && used < len; k++)
			used += snprintf(buf + used, len - used, "%s%s",
					 k ? "," : " ",
					 tunable_format(t, vs->v[k], one,
							sizeof(one)));
		if (vs->more && used < len)
			used += snprintf(buf + used, len - used, ",...");
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* The request's matrix in one paragraph. */
static void print_matrix(const struct run *run, FILE *f)
{
	const struct run_request *rq = &run->request;
	char one[32];

	if (rq->source) {
		char label[160];

		fprintf(f, "source:   %s at %s\n",
			source_tree_label(rq->source, rq->source_files,
					  rq->sizes[0], label, sizeof(label)),
			rq->source);
	} else {
		fprintf(f, "sizes:   ");
		for (size_t i = 0; i < rq->n_sizes; i++) {
			fmt_size(rq->sizes[i], one, sizeof(one));
			fprintf(f, "%s%s", i ? "," : " ", one);
		}
		fprintf(f, " (%s data)\n", content_kind_name(rq->content));
	}
	fprintf(f, "cache:    %s%s%s   sync: %s%s%s   threads:",
		rq->cache_warm ? "warm" : "",
		rq->cache_warm && rq->cache_cold ? "," : "",
		rq->cache_cold ? "cold" : "", rq->sync_none ? "none" : "",
		rq->sync_none && rq->sync_end ? "," : "",
		rq->sync_end ? "end" : "");
	for (size_t i = 0; i < rq->n_threads; i++)
		fprintf(f, "%s%llu", i ? "," : " ",
			(unsigned long long)rq->threads[i]);
	if (!rq->n_threads)
		fprintf(f, " 1");
	fprintf(f, "%s%s%s\n",
		rq->parallel_files && rq->parallel_ranges ? " (files,ranges)" :
		rq->parallel_ranges ? " (ranges)" : "",
		rq->pin != PIN_NONE ? " pin " : "",
		rq->pin != PIN_NONE ? pin_mode_name(rq->pin) : "");
	fprintf(f, "rounds:   %u per size (up to %u when a cell is noisy), "
		"budget %g s per cell, timeout %g s per sample%s\n",
		rq->samples, RUNNER_EXTEND_FACTOR * rq->samples, rq->budget, rq->timeout,
		rq->profile ? ", profiled" : "");
	if (rq->runs > 1)
		fprintf(f, "runs:     %u independent passes over the whole "
			"plan\n", rq->runs);
	fprintf(f, "where:    copies in %s", rq->dir);
	/* --dir A,B: every target runs the whole plan */
	for (size_t t = 1; t < targets_count(rq); t++)
		fprintf(f, "%s%s", t + 1 < targets_count(rq) ? ", " : " and ",
			targets_dir(rq, t));
	if (targets_count(rq) > 1)
		fprintf(f, " (each runs the whole plan, interleaved)");
	fprintf(f, ", results in %s/<run-id>/\n", rq->out);
}

/* The rounds the estimate expects per size, and the load it saw. */
static void print_expected_rounds(const struct run *run, FILE *f)
{
	const struct run_request *rq = &run->request;
	char one[32];
	double load[1];

	if (rq->source || run->workload)
		return;
	fprintf(f, "expected: ");
	for (size_t i = 0; i < rq->n_sizes; i++) {
		fmt_size(rq->sizes[i], one, sizeof(one));
		fprintf(f, "%s%s %.0f rounds", i ? ", " : "", one,
			estimate_rounds(run, rq->sizes[i]));
	}
	if (getloadavg(load, 1) == 1)
		fprintf(f, " (load average %.1f on %ld CPUs)", load[0],
			sysconf(_SC_NPROCESSORS_ONLN));
	fputc('\n', f);
}

int bench_print_plan(const struct run *run, FILE *f)
{
	struct plan_row *rows = calloc(run->n_cells ? run->n_cells : 1,
				       sizeof(*rows));
	size_t n = 0, skipped = 0, wname = strlen("strategy");
	size_t wtun = strlen("tunables");
	char tun[256], dur[FMT_LEN];

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		size_t r;

		for (r = 0; r < n && strcmp(rows[r].strategy, c->strategy);
		     r++)
			;
		if (r == n)
			rows[n++].strategy = c->strategy;
		add_cell(&rows[r], c);
		skipped += c->status == CELL_SKIPPED;
	}
	for (size_t r = 0; r < n; r++) {
		row_tunables(&rows[r], tun, sizeof(tun));
		if (strlen(rows[r].strategy) > wname)
			wname = strlen(rows[r].strategy);
		if (strlen(tun) > wtun)
			wtun = strlen(tun);
	}
	print_matrix(run, f);
	fprintf(f, "\n%-*s  %5s  %-*s  %s\n", (int)wname, "strategy", "cells",
		(int)wtun, "tunables", "status");
	for (size_t r = 0; r < n; r++) {
		const struct plan_row *p = &rows[r];

		row_tunables(p, tun, sizeof(tun));
		fprintf(f, "%-*s  %5zu  %-*s  ", (int)wname, p->strategy,
			p->cells, (int)wtun, tun);
		if (!p->skipped)
			fprintf(f, "runs\n");
		else if (p->skipped == p->cells)
			fprintf(f, "skipped: %s\n", p->reason ? p->reason : "");
		else
			fprintf(f, "%zu skipped: %s\n", p->skipped,
				p->reason ? p->reason : "");
	}
	fprintf(f, "\n%zu cells (%zu to run, %zu skipped); estimated duration "
		"~%s%s\n", run->n_cells, run->n_cells - skipped, skipped,
		fmt_duration(runner_estimate_seconds(run), dur, sizeof(dur)),
		run->request.limits ? " (+ 5-20 s measuring limits)" : "");
	print_expected_rounds(run, f);
	fprintf(f, "dry run: nothing was run or created\n");
	free(rows);
	return ferror(f) ? -EIO : 0;
}
