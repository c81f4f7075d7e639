// SPDX-License-Identifier: MIT
/*
 * results.csv: one row per cell, flat columns, RFC 4180 (CRLF line ends,
 * fields with commas, quotes or line breaks quoted, quotes doubled).
 * Hand-written: no packaged C library writes CSV, and it is this small.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "profile.h"
#include "results.h"
#include "shell.h"

/* After strategy,size: one column per tunable (cell.h's table). */
static const char csv_header_rest[] =
	"cache,sync,content,batch,status,reason,n,median_s,ci_lo_s,ci_hi_s,mean_s,sd_s,"
	"mad_s,min_s,max_s,cv,mib_s_median,mib_s_ci_lo,mib_s_ci_hi,files_s,"
	"cpu_s_per_gib,src_resident_before_pct,dst_cached_after_pct,"
	"dst_dirty_after_pct,maxrss_kb,mild_outliers,severe_outliers,"
	"verified,threads,parallel,pin,prealloc,first_finish_share,"
	"thread_imbalance,spread,p90_s,slow_mode_share,drift,step,"
	"speedup_vs_rw,speedup_ci_lo,speedup_ci_hi,best_set"
	",target" PROFILE_CSV_COLUMNS "\r\n";

static void put_text(FILE *f, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	shell_put_quoted(f, s, '"', "\"\"");
}

/* A number, or an empty field when it is unknown (NaN) or absent. */
static void put_num(FILE *f, double v)
{
	fputc(',', f);
	if (isfinite(v))
		fprintf(f, "%.9g", v);
}

/* The sample description (results_estimate()) with the analysis's median,
 * CI and rates: with --runs >= 2 the CI spans runs, as in the report. */
static void put_estimates(FILE *f, const struct analysis_cell *ac)
{
	const struct cell *c = ac->cell;
	const struct estimates *e = &c->est;
	/* median_s .. files_s */
	const double v[] = {
		ac->median, ac->median_lo, ac->median_hi, e->mean, e->sd,
		e->mad, e->min, e->max, e->cv, ac->mib_s, ac->mib_s_lo,
		ac->mib_s_hi, c->batch > 1 ? ac->files_s : NAN,
	};
	/* no estimate: n = 0, then every figure empty */
	bool known = e->n && ac->measured;

	fprintf(f, ",%zu", known ? e->n : 0);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		put_num(f, known ? v[i] : NAN);
}

/* The analysis's figures of a cell: empty where it has none. */
static void put_analysis(FILE *f, const struct analysis_cell *ac)
{
	bool m = ac->measured;

	put_num(f, m ? ac->dist.spread : NAN);
	put_num(f, m ? ac->dist.p90 : NAN);
	put_num(f, m && ac->dist.bimodal ? ac->dist.slow_mode_share : NAN);
	fprintf(f, ",%d,%d", ac->drift, ac->step);
	put_num(f, ac->have_speedup ? ac->speedup : NAN);
	put_num(f, ac->have_speedup ? ac->speedup_lo : NAN);
	put_num(f, ac->have_speedup ? ac->speedup_hi : NAN);
	fprintf(f, ",%d", ac->in_best_set);
}

static void put_row(FILE *f, const struct analysis_cell *ac, const char *dir)
{
	const struct cell *c = ac->cell;
	const struct estimates *e = &c->est;

	put_text(f, c->strategy);
	fprintf(f, ",%" PRIu64 ",", c->size);
	/* a tunable the strategy does not read is an empty field */
	for (size_t i = 0; i < tunable_count(); i++)
		if (cell_has_tunable(c, i))
			fprintf(f, "%" PRIu64 ",", c->tun.v[i]);
		else
			fputc(',', f);
	fprintf(f, "%s,%s,%s,%u,%s,", cache_mode_name(c->cache),
		sync_mode_name(c->sync), content_kind_name(c->content),
		c->batch, cell_status_name(c->status));
	put_text(f, c->reason);
	put_estimates(f, ac);
	put_num(f, ac->cpu_s_per_gib);
	put_num(f, results_sample_pct(c, RESULTS_SRC_RESIDENT_BEFORE));
	put_num(f, results_sample_pct(c, RESULTS_DST_CACHED));
	put_num(f, results_sample_pct(c, RESULTS_DST_DIRTY));
	fprintf(f, ",%ld,%u,%u,%d", c->usage.maxrss_kb,
		e->mild_low + e->mild_high, e->severe_low + e->severe_high,
		c->verified);
	/* thread sweeps (threads.h) */
	fprintf(f, ",%u,%s,%s,%s", c->threads ? c->threads : 1,
		parallel_mode_name(c->parallel), pin_mode_name(c->pin),
		prealloc_mode_name(c->prealloc));
	put_num(f, results_first_finish_share(c));
	put_num(f, results_thread_imbalance(c));
	put_analysis(f, ac);
	/* the directory copied in: --dir, or the cell's of several */
	fputc(',', f);
	put_text(f, c->target ? c->target : dir);
	profile_put_csv(f, c);	/* iobench profile (profile.h) */
	fputs("\r\n", f);
}

int results_write_csv(const struct analysis *a, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &len);
	if (!f)
		return -errno;
	fputs("strategy,size,", f);
	for (size_t i = 0; i < tunable_count(); i++)
		fprintf(f, "%s,", tunable_at(i)->csv);
	fputs(csv_header_rest, f);
	for (size_t i = 0; i < a->n_cells; i++)
		put_row(f, &a->cells[i], a->run->request.dir);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	ret = results_write_file_atomic(path, buf, len);
	free(buf);
	return ret;
}
