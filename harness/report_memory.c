// SPDX-License-Identifier: MIT
/* The Memory table (see report_memory.h). */
#include <math.h>
#include <string.h>

#include "compare_table.h"
#include "fmt.h"
#include "reference.h"
#include "report_memory.h"

static const char *fmt_count(double v, char *out, size_t len)
{
	return fmt_sig(v, out, len);
}

static const char *fmt_byte_figure(double v, char *out, size_t len)
{
	if (!isfinite(v)) {
		snprintf(out, len, "-");
		return out;
	}
	return fmt_bytes(v > 0 ? (uint64_t)llround(v) : 0, out, len);
}

static bool has_row(const struct cell *c)
{
	return c->status == CELL_OK && c->n_samples &&
	       !reference_find(c->strategy);
}

/* The row's figures: strategy (tunables, modes), size, the medians. */
static void row(FILE *f, const struct cell *c, const char *name)
{
	char size[FMT_LEN], a[FMT_LEN], h[FMT_LEN], r[FMT_LEN], p[FMT_LEN];

	fprintf(f, "| %s | %s | %s | %s | %s | %s |", name,
		fmt_size(c->size, size, sizeof(size)),
		fmt_count(sample_metric_median(c, METRIC_ALLOCS), a,
			  sizeof(a)),
		fmt_byte_figure(sample_metric_median(c, METRIC_HEAP), h,
				sizeof(h)),
		fmt_byte_figure(sample_metric_median(c, METRIC_RSS), r,
				sizeof(r)),
		fmt_pct(sample_metric_median(c, METRIC_CACHE), p, sizeof(p)));
}

/* "rw", "rw (buf 1M) cold, 2 threads by files": the cell among its run. */
static const char *row_name(const struct cell *c, char *out, size_t len)
{
	char t[200];

	cell_tunables_desc(c, t, sizeof(t));
	snprintf(out, len, "`%s`%s%s%s%s%s", c->strategy,
		 strcmp(t, "-") ? " (" : "", strcmp(t, "-") ? t : "",
		 strcmp(t, "-") ? ")" : "",
		 c->cache == CACHE_COLD ? " cold" : "",
		 c->sync == SYNC_END ? " fdatasync" : "");
	return out;
}

/* The memory figures that regressed or improved: "❌ RSS +1.00 MiB". */
static void change_cell(FILE *f, const struct compare_cell *cc)
{
	static const enum sample_metric memory[] = {
		METRIC_ALLOCS, METRIC_HEAP, METRIC_RSS, METRIC_CACHE,
	};
	static const char *const short_name[] = {
		"allocations", "heap", "RSS", "page cache",
	};
	size_t shown = 0;

	for (size_t i = 0; i < sizeof(memory) / sizeof(memory[0]); i++) {
		const struct compare_metric *cm = &cc->metric[memory[i]];
		char ch[96];

		if (cm->verdict != VERDICT_REGRESSED &&
		    cm->verdict != VERDICT_IMPROVED)
			continue;
		compare_metric_change(memory[i], cm, ch, sizeof(ch));
		/* the change without its CI: the figures table has that */
		if (strchr(ch, ' ') && strchr(ch, '['))
			*strchr(ch, '[') = '\0';
		fprintf(f, "%s%s %s %s", shown++ ? "; " : " ",
			compare_status_sign(cm->verdict), short_name[i], ch);
	}
	fprintf(f, "%s |\n", shown ? "" : " ≈");
}

void report_memory_table(FILE *f, const struct run *run,
			 const struct comparison *cmp, const char *heading)
{
	size_t rows = 0;
	char name[320];

	fprintf(f, "\n%s\n\n", heading);
	fprintf(f, "| strategy | size | allocations per copy | peak heap | "
		   "RSS growth | page-cache footprint |%s\n|---|---|--:|--:|"
		   "--:|--:|%s\n", cmp ? " change |" : "", cmp ? "---|" : "");
	if (cmp) {
		for (size_t i = 0; i < cmp->n_cells; i++) {
			const struct compare_cell *cc = &cmp->cells[i];

			if (!has_row(cc->new))
				continue;
			row(f, cc->new, row_name(cc->new, name,
						 sizeof(name)));
			change_cell(f, cc);
			rows++;
		}
	} else {
		for (size_t i = 0; i < run->n_cells; i++) {
			if (!has_row(&run->cells[i]))
				continue;
			row(f, &run->cells[i], row_name(&run->cells[i], name,
							sizeof(name)));
			fputs("\n", f);
			rows++;
		}
	}
	if (!rows) {
		fputs("| (no measured cell) | | | | | |", f);
		fputs(cmp ? " |\n" : "\n", f);
	}
	fputs("\nMedians over the samples, counted in the sample process "
	      "over the timed region (open, copy, close): heap allocation "
	      "calls per copy and the peak of the live heap's growth "
	      "(malloc & co. interposed), the peak resident-set growth over "
	      "the RSS right before the copy (buffers touched, mappings; "
	      "where the libraries land moves it by 64 KiB steps from run "
	      "to run), and the destination's share in "
	      "the page cache right after the copy. \"-\": not counted (a "
	      "sanitizer build, or a results file from before).\n", f);
}
