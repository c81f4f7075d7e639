// SPDX-License-Identifier: MIT
/*
 * A run's outputs (outputs.h): the files of its directory, the summary
 * printed when it ends, and the summary's Markdown and JSON exports.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fmt.h"
#include "msg.h"
#include "outfile.h"
#include "outputs.h"
#include "report.h"

int outputs_write(const struct run *run, const struct analysis *a, int dirfd,
		  const char *dir, const char **failed)
{
	char path[PATH_MAX];
	int ret;

	*failed = OUTPUTS_MEASUREMENTS;
	ret = results_write_json_at(run, a, dirfd, OUTPUTS_MEASUREMENTS);
	if (ret)
		return ret;
	*failed = "results.csv";
	if (snprintf(path, sizeof(path), "%s/%s", dir, *failed) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = results_write_csv(a, path);
	if (ret)
		return ret;
	*failed = "report.md";
	if (snprintf(path, sizeof(path), "%s/%s", dir, *failed) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return report_write_markdown(a, path);
}

/* ---- the terminal summary ---- */

struct summary_row {
	char size[ANALYSIS_NAME_LEN], cache[96], best[512], rate[96], vs[64];
};

static size_t summary_rows(const struct analysis *a, struct summary_row *v)
{
	size_t n = 0;

	for (size_t k = 0; k < a->n_sizes; k++) {
		const struct analysis_size *s = &a->sizes[k];

		for (int m = CACHE_WARM; m <= CACHE_COLD; m++) {
			const struct analysis_group *g;
			const struct analysis_cell *b;
			char mid[FMT_LEN];
			struct summary_row *r = &v[n];

			if (s->summary[m] == SIZE_MAX ||
			    a->groups[s->summary[m]].best == SIZE_MAX)
				continue;
			g = &a->groups[s->summary[m]];
			b = &a->cells[g->best];
			snprintf(r->size, sizeof(r->size), "%s", s->name);
			analysis_group_modes(g, r->cache, sizeof(r->cache));
			if (g->rounds_needed)
				snprintf(r->best, sizeof(r->best),
					 "%s (%zu rounds cannot rank %zu)",
					 a->cells[g->best].cell->strategy,
					 g->rounds, g->n_candidates);
			else
				analysis_set_names(a, g, false, r->best,
						   sizeof(r->best));
			if (s->size)
				fmt_rate_ci(b->mib_s, b->mib_s_lo, b->mib_s_hi,
					    r->rate, sizeof(r->rate));
			else
				snprintf(r->rate, sizeof(r->rate), "%s files/s",
					 fmt_sig(b->files_s, mid, sizeof(mid)));
			if (g->best == g->rw)
				snprintf(r->vs, sizeof(r->vs), "rw itself");
			else if (g->rw != SIZE_MAX &&
				 a->cells[g->rw].in_best_set &&
				 !g->rounds_needed)
				snprintf(r->vs, sizeof(r->vs), "ties");
			else
				analysis_fmt_ratio(g->have_speedup, g->speedup,
						   g->speedup_lo, g->speedup_hi,
						   r->vs, sizeof(r->vs));
			n++;
		}
	}
	return n;
}

/* Display width of UTF-8 text: its code points ("µ" is one). */
static int width_of(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void pad(FILE *f, const char *s, int width, bool last)
{
	fputs(s, f);
	for (int i = width_of(s); !last && i < width + 2; i++)
		fputc(' ', f);
}

void outputs_print_summary(FILE *f, const struct analysis *a)
{
	struct summary_row *v = calloc(2 * a->n_sizes + 2, sizeof(*v));
	struct summary_row head = { "size", "cache", "best (ties within 3%)",
				    "throughput [95% CI]", "vs rw [95% CI]" };
	char line[ANALYSIS_LINE_LEN], ci[ANALYSIS_CI_LINE_LEN];
	int w[5] = { 0 };
	size_t n;

	if (!v)
		return;
	n = summary_rows(a, v);
	for (size_t i = 0; i <= n; i++) {
		const struct summary_row *r = i < n ? &v[i] : &head;
		const char *col[5] = { r->size, r->cache, r->best, r->rate,
				       r->vs };

		for (int c = 0; c < 5; c++)
			if (width_of(col[c]) > w[c])
				w[c] = width_of(col[c]);
	}
	if (a->compared && a->overall)
		fprintf(f, "%s\n\n", a->overall);
	for (size_t i = 0; n && i <= n; i++) {
		const struct summary_row *r = i ? &v[i - 1] : &head;
		const char *col[5] = { r->size, r->cache, r->best, r->rate,
				       r->vs };

		for (int c = 0; c < 5; c++)
			pad(f, col[c], w[c], c == 4);
		fputc('\n', f);
	}
	if (n)
		fputc('\n', f);
	for (size_t k = 0; k < a->n_sizes; k++)
		fprintf(f, "%s\n",
			analysis_size_line(a, &a->sizes[k], false, line,
					   sizeof(line)));
	/* sweep --dir A,B: the table and lines are the first target's */
	for (size_t t = 1; t < a->n_targets && a->run->n_targets; t++)
		fprintf(f, "Devices: %s (report.md: Devices)\n",
			analysis_devices_line(a, t, false, line, sizeof(line)));
	fprintf(f, "%s\n", analysis_ci_line(a, ci, sizeof(ci)));
	free(v);
}

/* ---- exports ---- */

/* text to path atomically, or to stdout for "-". */
static int export_text(const char *path, const char *text, size_t len)
{
	if (strcmp(path, "-"))
		return outfile_write_user(path, text, len);
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout))
		return -EIO;
	return 0;
}

int outputs_export_markdown(const struct analysis *a, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return -errno;
	ret = report_write_summary(a, f);
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (!ret)
		ret = export_text(path, buf, len);
	free(buf);
	return ret;
}

int outputs_export_json(const struct analysis *a, const char *path)
{
	json_t *summary = analysis_json_summary(a);
	char *text, *grown;
	size_t n;
	int ret;

	if (!summary)
		return -ENOMEM;
	text = json_dumps(summary, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	json_decref(summary);
	if (!text)
		return -ENOMEM;
	/* a text file ends with a newline */
	n = strlen(text);
	grown = realloc(text, n + 2);
	if (!grown) {
		free(text);
		return -ENOMEM;
	}
	memcpy(grown + n, "\n", 2);
	ret = export_text(path, grown, n + 1);
	free(grown);
	return ret;
}

static bool is_stdout(const char *path)
{
	return path && !strcmp(path, "-");
}

int outputs_show(const struct analysis *a, const struct outputs_show_opts *o,
		 const char *dir)
{
	bool to_stdout =
		is_stdout(o->export_markdown) || is_stdout(o->export_json);
	FILE *tty = to_stdout ? stderr : stdout;
	int ret = 0;

	if (!o->quiet) {
		outputs_print_summary(tty, a);
		fputc('\n', tty);
	}
	if (o->export_markdown) {
		ret = outputs_export_markdown(a, o->export_markdown);
		if (ret)
			msg_error("sweep: --export-markdown %s: %s",
				  o->export_markdown, strerror(-ret));
	}
	if (!ret && o->export_json) {
		ret = outputs_export_json(a, o->export_json);
		if (ret)
			msg_error("sweep: --export-json %s: %s", o->export_json,
				  strerror(-ret));
	}
	if (!to_stdout || !o->quiet)
		fprintf(tty, "%s/report.md\n", dir);
	return ret;
}
