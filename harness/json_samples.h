/* SPDX-License-Identifier: MIT */
/*
 * The results.json reader's fast path for samples (internal to json_read.c):
 * the samples arrays, nearly all of a big run's file, read by a scanner
 * instead of jansson, which builds a node per value (a cell of a million
 * samples is 13 million nodes and most of a minute).
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_JSON_SAMPLES_H
#define IOBENCH_JSON_SAMPLES_H

#include <stddef.h>

#include "results.h"

/* The samples of each cell in document order, found by the scan. */
struct json_samples {
	struct sample **cells;	/* cells[i]: n[i] samples, malloc'd */
	size_t *n;
	size_t n_cells;
};

/*
 * Scans text (len bytes, NUL-terminated) for root.cells[i].samples and
 * reads every sample object as results_write_json() writes them: exactly
 * its plain keys, values that jansson and the reader would accept (a
 * positive time, CPU figures >= 0 or null, ...), with run/round/start
 * when the document's schema is schema_when and without them when it is
 * schema_plain (an older schema). On success each array
 * is replaced by "[]" and the newlines it held (text shrinks to
 * *new_len bytes, NUL-terminated; other lines keep their numbers), the
 * samples go to *out (free with json_samples_free() what the caller does
 * not take) and it returns true.
 * Anything else (another key, a threaded sample, a value the reader
 * would refuse, a syntax error) returns false with text unchanged: the
 * caller parses all of it with jansson, which reports any error as
 * before. Never reports an error itself.
 */
bool json_samples_extract(char *text, size_t len, const char *schema_when,
			  const char *schema_plain, struct json_samples *out,
			  size_t *new_len);
void json_samples_free(struct json_samples *s);

#endif
